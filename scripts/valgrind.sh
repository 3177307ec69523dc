#!/bin/sh
# valgrind.sh: runs `netboot-check analyze --format json` under valgrind (memcheck) on every
# capture under pcaps/ and ../shared/pcaps/public/ (if present) and the hostile captures in
# tests/regress/pcap/. Any memory error or definite leak fails that capture.
#
#   sh scripts/valgrind.sh                 (NBC=path/to/netboot-check to test another build)
#
# Prints "valgrind: N passed, M failed"; exits 1 on any failure, 2 if it cannot run.
# The binary should be a plain build (not ASan): build/bin/netboot-check, made if missing.
set -u
cd "$(dirname "$0")/.." || exit 2

NBC=${NBC:-build/bin/netboot-check}
OUT=build/valgrind
command -v valgrind >/dev/null 2>&1 || { echo "valgrind: not installed (apt-get install valgrind)" >&2; exit 2; }
if [ ! -x "$NBC" ]; then
	make "$NBC" >/dev/null || { echo "valgrind: cannot build $NBC" >&2; exit 2; }
fi
mkdir -p "$OUT"
pass=0
fail=0
list=$(find pcaps ../shared/pcaps/public tests/regress/pcap -name '*.pcap' -o -name '*.pcapng' 2>/dev/null | sort)
for f in $list; do
	log=$OUT/$(echo "$f" | tr / _).log
	# Exit 0/1 (findings) and 2 (an unreadable or cut file) are the tool's own answers;
	# 99 is valgrind's: a memory error or a definite leak (possible leaks are only logged).
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--log-file="$log" "$NBC" analyze --format json "$f" >/dev/null 2>"$OUT/last.err"
	rc=$?
	case $rc in
	0 | 1 | 2)
		pass=$((pass + 1))
		;;
	*)
		fail=$((fail + 1))
		echo "valgrind: FAIL $f (exit $rc; see $log)"
		;;
	esac
done
echo "valgrind: $pass passed, $fail failed"
[ $fail -eq 0 ]
