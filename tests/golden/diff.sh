#!/bin/sh
# diff.sh: `netboot-check diff`: the first divergence between a boot that worked and one that
# did not, in words and in JSON; no divergence for a boot against itself; client selection,
# --gold, and the exit status for bad input.
# usage: sh tests/golden/diff.sh build/bin/netboot-check
set -u
NBC=${1:?usage: diff.sh NETBOOT-CHECK}
case $NBC in /*) ;; *) NBC=$(pwd)/$NBC ;; esac
cd "$(dirname "$0")/../.." || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
	echo "FAIL diff: $*"
	fail=$((fail + 1))
}
S=pcaps/scenarios

# The seed's story: iPXE handed a script on one machine, undionly.kpxe again on the other.
"$NBC" diff $S/ipxe-userclass-script.pcap $S/ipxe-userclass-loop.pcap > "$tmp/loop.txt" 2>&1
rc=$?
[ $rc -eq 1 ] && ok || bad "script vs loop: exit $rc"
grep -q "first divergence: the good client's ipxe-dhcp at frame 106 was handed http://192.0.2.1/boot.ipxe; the bad client's ipxe-dhcp at frame 106 was handed undionly.kpxe" "$tmp/loop.txt" && ok ||
	bad "script vs loop: divergence not named: $(grep divergence "$tmp/loop.txt")"
grep -q 'NBC-LOOP-USERCLASS' "$tmp/loop.txt" && ok || bad "script vs loop: the bad client's finding is not listed"
# The aligned rows: two equal, then the step done differently.
[ "$(grep -c ' = #' "$tmp/loop.txt")" -eq 2 ] && grep -q '^> #106 .* ~ #106' "$tmp/loop.txt" && ok ||
	bad "script vs loop: alignment rows wrong"

# JSON: the same divergence, indexes into both stage lists.
"$NBC" diff --format json $S/ipxe-userclass-script.pcap $S/ipxe-userclass-loop.pcap > "$tmp/loop.json" 2>/dev/null
python3 - "$tmp/loop.json" <<'PY' && ok || bad "JSON report"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["command"] == "diff" and d["good"]["verdict"] != "looping" and d["bad"]["verdict"] == "looping"
div = d["divergence"]
row = d["aligned"][div["index"]]
assert d["good"]["stages"][row[0]]["stage"] == "ipxe-dhcp" and d["bad"]["stages"][row[1]]["stage"] == "ipxe-dhcp"
assert row[2] is False and all(r[2] for r in d["aligned"][:div["index"]])
assert "undionly.kpxe" in div["message"]
PY
"$NBC" diff --format json $S/ipxe-userclass-script.pcap $S/ipxe-userclass-loop.pcap > "$tmp/again.json" 2>/dev/null
cmp -s "$tmp/loop.json" "$tmp/again.json" && ok || bad "JSON differs between runs"

# HTML: one self-contained page with the same divergence and the aligned rows.
"$NBC" diff --format html -o "$tmp/d.html" $S/ipxe-userclass-script.pcap $S/ipxe-userclass-loop.pcap 2>/dev/null
python3 - "$tmp/d.html" <<'PY' && ok || bad "HTML report"
import html.parser, sys
t = open(sys.argv[1]).read()
class P(html.parser.HTMLParser):
    def __init__(s):
        super().__init__(); s.rows = 0; s.first = 0; s.ext = []
    def handle_starttag(s, tag, a):
        a = dict(a)
        if tag == "tr":
            s.rows += 1; s.first += a.get("class") == "first"
        for k in ("src", "href"):
            if a.get(k): s.ext.append(a[k])
p = P(); p.feed(t)
assert p.rows == 1 + 6 and p.first == 1 and not p.ext, (p.rows, p.first, p.ext)
assert "was handed undionly.kpxe" in t and "NBC-LOOP-USERCLASS" in t and t.isascii()
PY

# A boot against itself, and against the gold capture it is: no divergence, exit 0.
"$NBC" diff pcaps/gold/seed-flow.pcap pcaps/gold/seed-flow.pcap > "$tmp/same.txt" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q 'no divergence' "$tmp/same.txt" && ok || bad "self diff: exit $rc"
"$NBC" diff --gold seed-flow pcaps/gold/seed-flow.pcap > /dev/null 2>&1
rc=$?
[ $rc -eq 0 ] && ok || bad "--gold seed-flow against itself: exit $rc"
# The gold seed flow against a boot whose pxelinux never got 209: it stops before ldlinux.c32.
"$NBC" diff --gold seed-flow $S/pxelinux-209-not-delivered.pcap > "$tmp/g.txt" 2> "$tmp/g.err"
rc=$?
[ $rc -eq 1 ] && ok || bad "--gold vs 209 not delivered: exit $rc"
grep -q 'other booting client' "$tmp/g.err" && ok || bad "several clients: no note naming --bad-client"

# --gold SITE (as root): netboot-serve and netboot-firmware boot against each other now,
# through gate, as the bad client would (a BIOS PXE ROM here); that capture is the good side.
if [ "$(id -u)" -eq 0 ]; then
	mkdir -p "$tmp/site/root"
	head -c 70000 /dev/urandom > "$tmp/site/root/undionly.kpxe"
	head -c 60000 /dev/urandom > "$tmp/site/root/vmlinuz"
	printf '#!ipxe\nchain http://192.0.2.1/vmlinuz\n' > "$tmp/site/root/boot.ipxe"
	chmod -R a+rX "$tmp"
	printf 'server.address = 192.0.2.1\ndhcp.pool = 192.0.2.100 192.0.2.150\ntftp.root = root\nhttp.root = root\nboot.bios = undionly.kpxe\nboot.ipxe-script = http://192.0.2.1/boot.ipxe\n' > "$tmp/site/seed.site"
	# The reference pair boots for real; on a loaded machine its TFTP transfer may time out
	# and start over, which is a different (true) first divergence. Up to three boots, until
	# the reference pair's own boot was clean (no failed or unfinished stage on its side).
	for try in 1 2 3; do
		(cd "$tmp/site" && "$NBC" diff --gold seed.site "$OLDPWD/$S/ipxe-userclass-loop.pcap") > "$tmp/gs.txt" 2> "$tmp/gs.err"
		rc=$?
		grep -q "the good client's [a-z-]* at frame [0-9]* \(failed\|did not finish\)" "$tmp/gs.txt" || break
	done
	[ $rc -eq 1 ] && grep -q "the good client's ipxe-dhcp at frame [0-9]* was handed http://192.0.2.1/boot.ipxe; the bad client's ipxe-dhcp at frame 106 was handed undionly.kpxe" "$tmp/gs.txt" && ok ||
		bad "--gold SITE: exit $rc: $(grep divergence "$tmp/gs.txt") $(tail -2 "$tmp/gs.err")"
	grep -q '^good .*bios.pcap .*: booted' "$tmp/gs.txt" && ok || bad "--gold SITE: the reference pair did not boot"
	ls -d /tmp/nbc-gold-* > /dev/null 2>&1 && bad "--gold SITE left /tmp/nbc-gold-* behind" || ok
	ip netns list | grep -q '^nbcg-' && bad "--gold SITE left a namespace" || ok
else
	echo "diff: --gold SITE not tested (needs root)"
fi

# Picking clients; errors.
mac=$("$NBC" analyze --format json $S/pxelinux-209-not-delivered.pcap | python3 -c 'import json,sys; print([c["mac"] for c in json.load(sys.stdin)["clients"] if c["stages"]][-1])')
"$NBC" diff --bad-client "$mac" --format json pcaps/gold/seed-flow.pcap $S/pxelinux-209-not-delivered.pcap > "$tmp/c.json" 2>/dev/null
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["bad"]["client"] == sys.argv[2]' "$tmp/c.json" "$mac" && ok || bad "--bad-client not honoured"
"$NBC" diff --bad-client 02:00:00:00:00:99 $S/ipxe-userclass-script.pcap $S/ipxe-userclass-loop.pcap > /dev/null 2> "$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q 'no client 02:00:00:00:00:99' "$tmp/err" && ok || bad "unknown client: exit $rc"
"$NBC" diff $S/ipxe-userclass-loop.pcap > /dev/null 2>&1; rc=$?
[ $rc -eq 3 ] && ok || bad "one capture: exit $rc"
"$NBC" diff --format xml a b > /dev/null 2>&1; rc=$?
[ $rc -eq 3 ] && ok || bad "--format xml: exit $rc"
"$NBC" diff /nonexistent.pcap $S/ipxe-userclass-loop.pcap > /dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok || bad "missing capture: exit $rc"
"$NBC" diff --gold no-such-gold $S/ipxe-userclass-loop.pcap > /dev/null 2>&1; rc=$?
# (a name that is neither a capture, a gold name nor a file)
[ $rc -eq 2 ] && ok || bad "unknown gold: exit $rc"
"$NBC" diff --help | grep -q -- '--gold' && ok || bad "diff --help"

echo "diff: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
