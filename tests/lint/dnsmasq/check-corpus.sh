#!/bin/sh
# check-corpus.sh: runs `dnsmasq --test` on every corpus file here and compares what it says
# with the "dnsmasq --test:" line of the file's header (run from any directory; needs dnsmasq).
cd "$(dirname "$0")" || exit 1
command -v dnsmasq > /dev/null || { echo "check-corpus: dnsmasq missing"; exit 1; }
pass=0
fail=0
for f in *.conf inc/*.conf; do
	got=$(dnsmasq --test --conf-file="$f" 2>&1 | tail -1 | sed 's/^dnsmasq: //')
	want=$(grep -a -m1 -o 'dnsmasq --test[^:]*: .*' "$f" | sed 's/^dnsmasq --test[^:]*: //')
	[ -s "$f" ] || want="syntax check OK."
	case $want in
	"${got%.}"*) pass=$((pass + 1)) ;;
	*) echo "FAIL $f: dnsmasq says \"$got\", the header \"$want\""; fail=$((fail + 1)) ;;
	esac
done
echo "check-corpus: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
