#!/bin/sh
# gate.sh: `netboot-check gate` end to end: candidate setups from Debian packages (dnsmasq,
# ISC dhcpd, tftpd-hpa, python's http.server) run for real in the namespaces gate makes,
# booted by netboot-firmware per profile. A good setup passes (0), a broken one fails with
# its rule (1), a server that cannot start is reported with its log (2); JUnit, SARIF and
# JSON outputs parse; after every case, and after a SIGTERM in the middle of a run, no
# namespace and no server process of the case is left. Needs root (skips without).
set -u
FW=${1:?usage: gate.sh NETBOOT-FIRMWARE NETBOOT-CHECK}
NBC=${2:?usage: gate.sh NETBOOT-FIRMWARE NETBOOT-CHECK}
for v in FW NBC; do
	eval "p=\$$v"
	case $p in /*) ;; *) eval "$v=\$(pwd)/\$p" ;; esac
done
if [ "$(id -u)" -ne 0 ]; then
	echo "gate: SKIP: needs root (gate makes network namespaces)"
	exit 0
fi
for t in ip dnsmasq dhcpd in.tftpd python3; do
	command -v "$t" > /dev/null || { echo "gate: FAIL: $t missing (make deps)"; exit 1; }
done
# gate finds netboot-firmware beside netboot-check; --firmware only if FW is elsewhere.
fw_elsewhere=""
[ "$(dirname "$FW")" = "$(dirname "$NBC")" ] || fw_elsewhere=1
conf=$(cd "$(dirname "$0")/../gate" && pwd)
tmp=$(mktemp -d)
# dnsmasq and in.tftpd serve TFTP as an unprivileged user: the tree must be readable by others.
chmod 755 "$tmp"
work=$tmp/site
pass=0
fail=0
t_start=$(date +%s)
cleanup() {
	# Only what a failed case left behind (each case checks that there is nothing).
	for f in "$tmp"/*.err; do
		[ -f "$f" ] || continue
		ns=$(sed -n 's/^gate: network: \(nbcg-[0-9]*\)-s .*/\1/p' "$f")
		[ -n "$ns" ] && { ip netns del "$ns-s" 2>/dev/null; ip netns del "$ns-c" 2>/dev/null; }
	done
	[ "${KEEP:-0}" = 1 ] && echo "gate: kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL gate: $*"; fail=$((fail + 1)); }

# The site: placeholders for the boot files (never committed), the configs and scripts
# from tests/gate. ipxe.efi gets just enough of a PE32+ header (machine x86-64 at the
# offset 0x3c names) for the analyzer to see an x64 UEFI image.
mkdir -p "$work/tftp" "$work/www"
cp -R "$conf/tftp/." "$work/tftp/"
cp "$conf/www/boot.ipxe" "$work/www/"
for f in undionly.kpxe:70000 pxelinux.0:42000 ldlinux.c32:119000 vmlinuz:60000; do
	head -c "${f#*:}" /dev/urandom > "$work/tftp/${f%%:*}"
done
{ printf 'MZ'; head -c 58 /dev/zero; printf '\100\000\000\000PE\000\000\144\206'; head -c 90000 /dev/urandom; } > "$work/tftp/ipxe.efi"
cp "$work/tftp/vmlinuz" "$work/www/"
chmod -R a+rX "$work"
cd "$work" || exit 1

# left NAME: nothing of the case survives it: its namespaces, its server processes.
left() {
	ns=$(sed -n 's/^gate: network: \(nbcg-[0-9]*\)-s .*/\1/p' "$tmp/$1.err")
	if [ -z "$ns" ]; then
		bad "$1: gate did not say which namespaces it made"
	elif ip netns list | grep -q "^$ns-"; then
		bad "$1: namespace $ns-* left behind: $(ip netns list | grep "^$ns-" | tr '\n' ' ')"
	else
		ok
	fi
	for p in $(sed -n 's/^gate: server [0-9]*: pid \([0-9]*\):.*/\1/p' "$tmp/$1.err"); do
		if kill -0 "$p" 2>/dev/null; then
			bad "$1: server pid $p ($(cat "/proc/$p/comm" 2>/dev/null)) still running"
			kill -9 "$p" 2>/dev/null
		else
			ok
		fi
	done
}
# run NAME WANT_EXIT GATE-ARGS...: gate in the foreground; stdout NAME.out, stderr NAME.err.
run() {
	name=$1
	want=$2
	shift 2
	[ -n "$fw_elsewhere" ] && set -- --firmware "$FW" "$@"
	t0=$(date +%s)
	"$NBC" gate "$@" > "$tmp/$name.out" 2> "$tmp/$name.err"
	rc=$?
	echo "gate: $name: exit $rc in $(($(date +%s) - t0)) s"
	if [ "$rc" -eq "$want" ]; then
		ok
	else
		bad "$name: exit $rc, want $want"
		sed 's/^/  | /' "$tmp/$name.out" "$tmp/$name.err" | tail -30
	fi
}
# has NAME FILE PATTERN: grep -E PATTERN in NAME's stdout (out) or stderr (err).
has() {
	grep -Eq -- "$3" "$tmp/$1.$2" && ok || bad "$1: no '$3' in its std$2: $(tail -5 "$tmp/$1.$2")"
}

dnsmasq_cmd() {
	echo "dnsmasq --conf-file=$conf/$1 --no-daemon --tftp-root=$work/tftp --dhcp-leasefile={tmp}/dnsmasq.leases --pid-file={tmp}/dnsmasq.pid"
}
HTTP="python3 -m http.server 80 --bind {ip} --directory www"
TFTP="in.tftpd -L -s tftp"
dhcpd_cmd() {
	echo "dhcpd -f -4 -q -cf $conf/$1 -lf {tmp}/leases -pf {tmp}/dhcpd.pid {iface}"
}

# 1. dnsmasq, right: iPXE (user-class) gets the HTTP script, BIOS undionly.kpxe, UEFI
# ipxe.efi over dnsmasq's TFTP. Every profile boots; --keep keeps captures and logs.
run dnsmasq-good 0 --timeout 20 --keep "$tmp/kept" \
	--server "$(dnsmasq_cmd dnsmasq-good.conf)" --server "$HTTP"
left dnsmasq-good
has dnsmasq-good out "^gate: PASS \(3 profiles\)$"
has dnsmasq-good out "^gate: bios: booted \(pxe-dhcp -> nbp-download -> ipxe-dhcp .*kernel\)$"
has dnsmasq-good out "^gate: ipxe: booted \(ipxe-dhcp -> "
for f in bios.pcap efi64.pcap ipxe.pcap server-1.log server-2.log bios.firmware.log; do
	[ -s "$tmp/kept/$f" ] && ok || bad "dnsmasq-good: --keep has no $f"
done
# What gate kept analyzes the same way by itself.
"$NBC" analyze --format json "$tmp/kept/efi64.pcap" > "$tmp/efi64.json" 2>&1
[ "$(jq -r '.clients[0].verdict' "$tmp/efi64.json")" = booted ] && ok || bad "dnsmasq-good: analyze of the kept efi64.pcap: $(head -c 300 "$tmp/efi64.json")"

# 2. dnsmasq without the user-class tag: iPXE is handed undionly.kpxe again, the loop.
# The firmware chains 8 times before it gives up; --timeout 7 cuts that short, the
# analyzer needs two repetitions. 6. JUnit and SARIF of the per-profile reports.
run dnsmasq-loop 1 --timeout 7 --junit "$tmp/loop.xml" --sarif "$tmp/loop.sarif" \
	--server "$(dnsmasq_cmd dnsmasq-loop.conf)"
left dnsmasq-loop
has dnsmasq-loop out "^gate: bios: FAILED: NBC-LOOP-USERCLASS: "
has dnsmasq-loop out "^gate: ipxe: FAILED: NBC-LOOP-USERCLASS: "
has dnsmasq-loop out "^  firmware: "
has dnsmasq-loop out "^gate: FAIL \(3 of 3 profiles failed\)$"
has dnsmasq-loop err "server 1 log"
python3 - "$tmp/loop.xml" "$tmp/loop.sarif" > "$tmp/loop.py" 2>&1 <<'PY'
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
suites = root.findall("testsuite")
assert [s.get("name") for s in suites] == ["bios.pcap", "efi64.pcap", "ipxe.pcap"], [s.get("name") for s in suites]
fails = [c.get("name") for s in suites for c in s.findall("testcase") if c.find("failure") is not None]
assert "NBC-LOOP-USERCLASS" in fails, fails
log = json.load(open(sys.argv[2]))
assert log["version"] == "2.1.0", log["version"]
rules = {r["ruleId"] for r in log["runs"][0]["results"]}
assert "NBC-LOOP-USERCLASS" in rules, rules
uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
assert "bios.pcap" in uris, uris
PY
[ $? -eq 0 ] && ok || bad "dnsmasq-loop: JUnit/SARIF: $(tail -3 "$tmp/loop.py")"

# 3. ISC dhcpd with the seed's user-class condition, tftpd-hpa (root relative to the
# current directory) and http.server: every profile boots.
run dhcpd-good 0 --timeout 20 --server "$(dhcpd_cmd dhcpd-good.conf)" --server "$TFTP" \
	--server "$HTTP"
left dhcpd-good
has dhcpd-good out "^gate: PASS \(3 profiles\)$"
has dhcpd-good out "^gate: efi64: booted "

# 4. ISC dhcpd with 209 defined but not requested, a site that expects it: pxelinux
# boots pxelinux.cfg/default, but not what the site says. JSON output.
run dhcpd-no209 1 --timeout 20 --profile bios --site "$conf/expect209.site" --format json \
	--server "$(dhcpd_cmd dhcpd-no209.conf)" --server "$TFTP"
left dhcpd-no209
python3 - "$tmp/dhcpd-no209.out" > "$tmp/no209.py" 2>&1 <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["gate"] == "fail", doc["gate"]
p = doc["profiles"]
assert [x["profile"] for x in p] == ["bios"], p
assert p[0]["passed"] is False, p[0]
assert p[0]["reason"].startswith("NBC-PXELINUX-209-MISSING: "), p[0]["reason"]
assert any(f["rule"] == "NBC-PXELINUX-209-MISSING" for f in p[0]["findings"]), p[0]["findings"]
PY
[ $? -eq 0 ] && ok || bad "dhcpd-no209: JSON: $(tail -3 "$tmp/no209.py"; head -c 400 "$tmp/dhcpd-no209.out")"

# 5. A server that exits at once (dnsmasq with a missing config): cannot run, its log shown.
run exits 2 --timeout 5 --server "dnsmasq --conf-file=$conf/no-such.conf --no-daemon --pid-file={tmp}/dnsmasq.pid"
left exits
has exits err "server 1 exited at once \(exit status [0-9]+\)"
has exits err "  \| .*cannot read .*no-such.conf"
# A server that never listens on UDP 67: cannot run, and it is stopped.
run silent 2 --ready-timeout 1 --server "sleep 30"
left silent
has silent err "the server did not start listening on UDP 67 within 1 s"

# 8. SIGTERM in the middle of a run: gate stops the servers, removes the namespaces.
t0=$(date +%s)
[ -n "$fw_elsewhere" ] && set -- --firmware "$FW" || set --
"$NBC" gate "$@" --timeout 20 --server "$(dnsmasq_cmd dnsmasq-loop.conf)" --server "$HTTP" \
	> "$tmp/sigterm.out" 2> "$tmp/sigterm.err" &
gpid=$!
sleep 2
kill -TERM "$gpid"
wait "$gpid"
rc=$?
echo "gate: sigterm: exit $rc, $(($(date +%s) - t0)) s after the start"
[ "$rc" -ne 0 ] && ok || bad "sigterm: exit 0"
has sigterm err "^gate: server 2: pid "
has sigterm err "interrupted by "
left sigterm
[ "$(($(date +%s) - t0))" -le 12 ] && ok || bad "sigterm: gate took $(($(date +%s) - t0)) s to stop"

# Not root: says which capabilities are missing, exit 2. Usage errors: exit 3.
if command -v setpriv > /dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$NBC" gate --server true \
		> /dev/null 2> "$tmp/noroot.err"
	rc=$?
	[ "$rc" -eq 2 ] && grep -q "gate needs root: CAP_NET_ADMIN and CAP_SYS_ADMIN" "$tmp/noroot.err" && ok ||
		bad "not root: exit $rc: $(cat "$tmp/noroot.err")"
fi
"$NBC" gate > /dev/null 2>&1
[ $? -eq 3 ] && ok || bad "gate without --server: not a usage error"
"$NBC" gate --server true --profile bios,arm > /dev/null 2>&1
[ $? -eq 3 ] && ok || bad "gate --profile arm: not a usage error"
ip netns list | grep -q "^nbcg-" && echo "gate: note: other nbcg-* namespaces exist (another gate running?): $(ip netns list | grep '^nbcg-' | tr '\n' ' ')"

echo "gate: $pass passed, $fail failed in $(($(date +%s) - t_start)) s"
[ "$fail" -eq 0 ]
