#!/bin/sh
# probe.sh: netboot-check probe against netboot-serve and dnsmasq, in network namespaces made
# here (192.0.2.0/24 only): a client namespace (the probe) on a bridge in the server
# namespace (netboot-serve, 192.0.2.1), and a third namespace on the same bridge
# (192.0.2.2: a second DHCP server, dnsmasq or a proxyDHCP). A good site must come out
# clean; each broken site must be named by its rule. Needs root, jq, python3, dnsmasq.
# usage: tests/e2e/probe.sh NETBOOT-SERVE NETBOOT-CHECK   (from the top of the tree)
set -u
SERVE=${1:?usage: probe.sh NETBOOT-SERVE NETBOOT-CHECK}
NBC=${2:?usage: probe.sh NETBOOT-SERVE NETBOOT-CHECK}
for v in SERVE NBC; do
	eval "p=\$$v"
	case $p in /*) ;; *) eval "$v=\$(pwd)/\$p" ;; esac
done
[ "$(id -u)" -eq 0 ] || { echo "probe-e2e: FAIL: needs root for network namespaces"; exit 1; }
for t in jq python3 dnsmasq setpriv; do
	command -v "$t" > /dev/null || { echo "probe-e2e: FAIL: $t missing (make deps)"; exit 1; }
done
[ -x "$SERVE" ] && [ -x "$NBC" ] || { echo "probe-e2e: FAIL: build $SERVE and $NBC first"; exit 1; }
t_start=$(date +%s)
tmp=$(mktemp -d)
chmod 755 "$tmp"	# dnsmasq's TFTP reads the tree as an unprivileged user
ns_s=nbc-pbs-$$
ns_c=nbc-pbc-$$
ns_d=nbc-pbd-$$
vs=pbs$$
vc=pbc$$
vd=pbd$$
vdb=pbb$$
pids=""
pass=0
fail=0
# stop PID: SIGTERM, SIGKILL after 3 s; reaped either way.
stop() {
	kill "$1" 2>/dev/null || return 0
	n=0
	while [ $n -lt 30 ] && kill -0 "$1" 2>/dev/null; do sleep 0.1; n=$((n + 1)); done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
stop_all() {
	for p in $pids; do stop "$p"; done
	pids=""
}
cleanup() {
	stop_all
	for n in "$ns_s" "$ns_c" "$ns_d"; do ip netns del "$n" 2>/dev/null; done
	[ "${KEEP:-0}" = 1 ] && echo "probe-e2e: kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL probe-e2e: $*"; fail=$((fail + 1)); }

ip netns add "$ns_s" && ip netns add "$ns_c" && ip netns add "$ns_d" &&
	ip -n "$ns_s" link add br0 type bridge && ip -n "$ns_s" link set br0 up &&
	ip link add "$vs" type veth peer name "$vc" && ip link add "$vd" type veth peer name "$vdb" &&
	ip link set "$vs" netns "$ns_s" && ip link set "$vc" netns "$ns_c" &&
	ip link set "$vd" netns "$ns_d" && ip link set "$vdb" netns "$ns_s" &&
	ip -n "$ns_s" link set "$vs" master br0 && ip -n "$ns_s" link set "$vdb" master br0 &&
	ip -n "$ns_s" link set "$vs" up && ip -n "$ns_s" link set "$vdb" up &&
	ip -n "$ns_s" addr add 192.0.2.1/24 dev br0 &&
	ip -n "$ns_c" addr add 192.0.2.50/24 dev "$vc" && ip -n "$ns_c" link set "$vc" up &&
	ip -n "$ns_d" addr add 192.0.2.2/24 dev "$vd" && ip -n "$ns_d" link set "$vd" up &&
	ip -n "$ns_s" link set lo up && ip -n "$ns_c" link set lo up && ip -n "$ns_d" link set lo up ||
	{ echo "probe-e2e: FAIL: cannot set up the namespaces"; exit 1; }
for n in "$ns_s" "$ns_c" "$ns_d"; do ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done

# The files: stand-ins named as the real ones; the EFI ones carry a PE header with the
# machine type their name promises, the BIOS ones are not PE. The SAN image gets its boot
# signature now.
root=$tmp/root
mkdir -p "$root/pxelinux.cfg" "$root/images"
python3 - "$root" <<'PY' || { echo "probe-e2e: FAIL: cannot make the files"; exit 1; }
import os, sys
root = sys.argv[1]
def fill(name, n, seed):
    with open(os.path.join(root, name), "wb") as f:
        f.write(bytes((i * 131 + seed) & 0xff for i in range(n)))
for name, n, seed in [("pxelinux.0", 42000, 1), ("undionly.kpxe", 70000, 5), ("vmlinuz", 60000, 6)]:
    fill(name, n, seed)
def pe(name, machine):
    b = bytearray(70000)
    b[0:2] = b"MZ"; b[0x3c:0x40] = (0x80).to_bytes(4, "little")
    b[0x80:0x84] = b"PE\0\0"; b[0x84:0x86] = machine.to_bytes(2, "little")
    with open(os.path.join(root, name), "wb") as f:
        f.write(bytes(b))
pe("snponly.efi", 0x8664)
pe("ipxe-arm64.efi", 0xaa64)
PY
head -c $((16 * 1024 * 1024)) /dev/zero > "$root/images/boot.img"
printf '\125\252' | dd of="$root/images/boot.img" bs=1 seek=510 conv=notrunc 2>/dev/null
printf 'DEFAULT local\nPROMPT 0\nLABEL local\n  LOCALBOOT 0\n' > "$root/pxelinux.cfg/boot"
printf 'DEFAULT local\nPROMPT 0\nLABEL local\n  LOCALBOOT 0\n' > "$root/pxelinux.cfg/01-02-00-00-aa-bb-cc"
printf '#!ipxe\nchain http://192.0.2.1/next.ipxe || goto san\n:san\nsanboot iscsi:192.0.2.1:::1:iqn.2026-11.test:disk0\n' > "$root/boot.ipxe"
printf '#!ipxe\nchain http://192.0.2.1/vmlinuz\n' > "$root/next.ipxe"
printf '#!ipxe\nsanboot iscsi:192.0.2.1:::1:iqn.2026-11.test:secure\n' > "$root/chap.ipxe"
chmod -R a+rX "$root"

# site NAME LINE...: a netboot-serve site serving $root (DHCP, TFTP, HTTP, iSCSI).
site() {
	f=$tmp/$1.site
	shift
	{
		echo "server.address = 192.0.2.1"
		echo "dhcp.pool = 192.0.2.100 192.0.2.149"
		echo "dhcp.leases-file = leases"
		echo "tftp.root = root"
		echo "http.root = root"
		echo "iscsi.lun = iqn.2026-11.test:disk0 1 root/images/boot.img ro"
		echo "iscsi.lun = iqn.2026-11.test:secure 1 root/images/boot.img ro"
		echo "iscsi.chap = iqn.2026-11.test:secure chapuser secret12345678"
		for l in "$@"; do echo "$l"; done
	} > "$f"
}
# serve NS SITE LOG [ARGS]: netboot-serve in NS, waited for (bounded); its PID joins $pids.
serve() {
	: > "$3"
	# shellcheck disable=SC2086
	ip netns exec "$1" "$SERVE" --site "$2" ${4:-} 2>> "$3" &
	spid=$!
	pids="$pids $spid"
	i=0
	while [ $i -lt 100 ] && ! grep -q "netboot-serve: ready" "$3"; do
		kill -0 "$spid" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	grep -q "netboot-serve: ready" "$3" || { bad "netboot-serve did not start: $(tail -2 "$3")"; return 1; }
}
# dnsmasq_start CONF: dnsmasq in the third namespace, waited for (bounded).
dnsmasq_start() {
	: > "$tmp/dnsmasq.log"
	ip netns exec "$ns_d" dnsmasq -k -C "$1" --pid-file="$tmp/dnsmasq.pid" > "$tmp/dnsmasq.log" 2>&1 &
	dpid=$!
	pids="$pids $dpid"
	i=0
	while [ $i -lt 50 ] && ! grep -q "DHCP, IP range" "$tmp/dnsmasq.log"; do
		kill -0 "$dpid" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	grep -q "DHCP, IP range" "$tmp/dnsmasq.log" || { bad "dnsmasq did not start: $(tail -3 "$tmp/dnsmasq.log")"; return 1; }
}
# probe NAME WANT_EXIT ARGS...: one probe run in the client namespace (bounded).
probe() {
	name=$1 want=$2
	shift 2
	timeout 90 ip netns exec "$ns_c" "$NBC" probe --iface "$vc" --wait 0.6 "$@" \
		> "$tmp/$name.out" 2> "$tmp/$name.err"
	rc=$?
	[ "$rc" -eq "$want" ] && ok || bad "$name: exit $rc, want $want: $(tail -3 "$tmp/$name.err") $(grep -E '^(error|warning) ' "$tmp/$name.out" | head -3)"
	grep -q "AddressSanitizer\|runtime error\|LeakSanitizer" "$tmp/$name.err" && bad "$name: sanitizer report: $(head -5 "$tmp/$name.err")"
	return 0
}
# has NAME JQ-EXPR: the JSON report satisfies the expression.
has() {
	jq -e "$2" "$tmp/$1.out" > /dev/null 2>&1 && ok || bad "$1: not true: $2 ($(jq -c '[.findings[] | .rule + " " + (.profile // "")]' "$tmp/$1.out" 2>/dev/null | head -c 300))"
}
rule() { has "$1" "[.findings[] | select(.rule == \"$2\")] | length > 0"; }

# 1. A good site: every profile answered with the right boot file, every NBP over TFTP,
# the pxelinux config by 209, the script over HTTP and what it chains to, the SAN disk.
site good "boot.bios = pxelinux.0" "boot.efi-x64 = snponly.efi" "boot.arm64 = ipxe-arm64.efi" \
	"boot.ipxe-script = http://192.0.2.1/boot.ipxe" "pxelinux.configfile = pxelinux.cfg/boot"
serve "$ns_s" "$tmp/good.site" "$tmp/serve.log" "--iface br0" && {
	probe good 0 --format json --wait 1
	has good '.summary.errors == 0 and .summary.warnings == 0 and .summary.answered == 5'
	has good '[.profiles[] | {(.name): .boot.file}] | add == {"bios-pxe": "pxelinux.0", "efi64-pxe": "snponly.efi", "arm64": "ipxe-arm64.efi", "ipxe-bios": "http://192.0.2.1/boot.ipxe", "pxelinux": "pxelinux.0"}'
	has good '[.profiles[] | select(.name != "ipxe-bios") | .nbp | .complete and .oack.blksize == 1468 and .oack.tsize == .size] | all and length == 4'
	has good '[.profiles[] | .answers[] | .server_id] | unique == ["192.0.2.1"]'
	has good '.servers | length == 1 and .[0].server_id == "192.0.2.1"'
	has good '.pxelinux.config == "pxelinux.cfg/boot"'
	has good '.http.scripts[0].parsed and .http.scripts[0].magic and .http.scripts[0].problems == 0 and .http.scripts[0].status == 200'
	has good '[.http.targets[] | .status] == [200, 200]'
	has good '.iscsi[0].login and .iscsi[0].lba0_read and .iscsi[0].bootable and .iscsi[0].discovery.listed'
	# The same run as text, and the DISCOVER only: no lease taken.
	probe good-text 0 --profile bios-pxe
	grep -q "^bios-pxe .*02:6e:62:63:70:01" "$tmp/good-text.out" && grep -q "summary: 1 profile, 1 answered, 1 server; 0 errors" "$tmp/good-text.out" && ok ||
		bad "good-text: $(tail -2 "$tmp/good-text.out")"
	grep -q "REQUEST" "$tmp/serve.log" && bad "a REQUEST reached the server without --request" || ok
	# --max-bytes: the NBP is not fetched past it.
	probe maxbytes 0 --format json --profile bios-pxe --max-bytes 10K
	has maxbytes '.profiles[0].nbp.too_big and (.profiles[0].nbp.error | test("max-bytes"))'
	# --request: DORA, then RELEASE; the server's log shows it and its lease file is empty.
	probe request 0 --format json --profile efi64-pxe --request
	has request '.profiles[0].requested and .profiles[0].ack.yiaddr != null and .profiles[0].released'
	grep -q "02:6e:62:63:70:02 RELEASE .*released" "$tmp/serve.log" && ok || bad "request: no RELEASE in the server log"
	sleep 0.2
	grep -q "02:6e:62:63:70:02" "$tmp/leases" && bad "request: the lease is still in $(cat "$tmp/leases")" || ok
	# --timeout bounds the whole run.
	t0=$(date +%s)
	probe timeout 2 --format json --wait 1 --timeout 2
	[ $(($(date +%s) - t0)) -le 5 ] && ok || bad "timeout: --timeout 2 took $(($(date +%s) - t0)) s"
	has timeout '.stopped != null and ([.profiles[] | select(.discovers == 0)] | length > 0)'
	grep -q "timeout 2 s reached" "$tmp/timeout.err" && ok || bad "timeout: stderr: $(cat "$tmp/timeout.err")"
}
stop_all

# 2. The loop: iPXE handed undionly.kpxe again (JUnit report).
site loop "boot.bios = undionly.kpxe"
serve "$ns_s" "$tmp/loop.site" "$tmp/serve.log" "--iface br0" && {
	probe loop 1 --format junit --profile bios-pxe --profile ipxe-bios
	python3 - "$tmp/loop.out" <<'PY' && ok || bad "loop: JUnit: $(head -c 400 "$tmp/loop.out")"
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
cases = {c.get("classname") + " " + c.get("name"): c for c in r.iter("testcase")}
assert "probe.dhcp bios-pxe" in cases and "probe.dhcp ipxe-bios" in cases, cases
f = cases["probe.dhcp ipxe-bios"].find("failure")
assert f is not None and "NBC-LOOP-USERCLASS" in f.text, f
assert cases["probe.dhcp bios-pxe"].find("failure") is None
assert int(r.get("failures")) >= 1
PY
}
stop_all

# 3. 209 only when asked (pxelinux.force = no, as dhcpd): bios-pxe goes without; the lookup
# walk of a given client (--mac, --ip, --uuid) finds its per-MAC config.
site no209 "boot.bios = pxelinux.0" "pxelinux.configfile = pxelinux.cfg/boot" "pxelinux.force = no"
serve "$ns_s" "$tmp/no209.site" "$tmp/serve.log" "--iface br0" && {
	probe no209 1 --profile bios-pxe --profile pxelinux --mac 02:00:00:aa:bb:cc --ip 192.0.2.77 \
		--uuid 8e3b8c3a-5a1f-4d2e-9c41-0123456789ab
	grep -q "^error   NBC-PXELINUX-209-MISSING bios-pxe (192.0.2.1)" "$tmp/no209.out" && ok ||
		bad "no209: $(grep -E '^(error|warning)' "$tmp/no209.out")"
	grep -q "UUID  *pxelinux.cfg/8e3b8c3a-5a1f-4d2e-9c41-0123456789ab: not found" "$tmp/no209.out" &&
		grep -q "MAC  *pxelinux.cfg/01-02-00-00-aa-bb-cc: [0-9]* bytes" "$tmp/no209.out" &&
		grep -q "IP  *pxelinux.cfg/C000024D: not needed" "$tmp/no209.out" &&
		grep -q -- "-> pxelinux.cfg/01-02-00-00-aa-bb-cc" "$tmp/no209.out" && ok ||
		bad "no209: walk: $(sed -n '/pxelinux walk/,/->/p' "$tmp/no209.out")"
	grep -q "NBC-PXELINUX-NO-CONFIG" "$tmp/no209.out" && bad "no209: the per-MAC config was not found" || ok
}
stop_all

# 4. Wrong arch: UEFI handed a BIOS NBP by name; ARM64 handed an x86-64 PE by its bytes.
site arch "boot.efi-x64 = undionly.kpxe" "boot.arm64 = snponly.efi"
serve "$ns_s" "$tmp/arch.site" "$tmp/serve.log" "--iface br0" && {
	probe arch 1 --format json --profile efi64-pxe --profile arm64
	has arch '[.findings[] | select(.rule == "NBC-ARCH-MISMATCH" and .profile == "efi64-pxe" and (.message | test("undionly.kpxe")))] | length == 1'
	has arch '[.findings[] | select(.rule == "NBC-ARCH-MISMATCH" and .profile == "arm64" and (.message | test("not ARM64")))] | length == 1'
}
stop_all

# 5. Two DHCP servers on the segment: netboot-serve and a dnsmasq without boot files.
cat > "$tmp/rogue.conf" <<EOF
port=0
no-ping
log-facility=-
log-dhcp
bind-interfaces
interface=$vd
dhcp-range=192.0.2.150,192.0.2.199,255.255.255.0,1h
dhcp-leasefile=$tmp/dnsmasq.leases
EOF
site multi "boot.bios = pxelinux.0" "pxelinux.configfile = pxelinux.cfg/boot"
serve "$ns_s" "$tmp/multi.site" "$tmp/serve.log" "--iface br0" && dnsmasq_start "$tmp/rogue.conf" && {
	probe multi 1 --format json --profile bios-pxe --server 192.0.2.1
	# .server lists them in the order they answered: either server may be first.
	has multi '[.findings[] | select(.rule == "NBC-DHCP-MULTI-SERVER" and .severity == "error" and (.server | split(", ") | sort) == ["192.0.2.1", "192.0.2.2"] and (.message | test("192.0.2.1 .*192.0.2.2|192.0.2.2 .*192.0.2.1")) and (.message | test("rogue")))] | length == 1'
	has multi '[.servers[].server_id] | sort == ["192.0.2.1", "192.0.2.2"]'
	has multi '.profiles[0].boot.server == "192.0.2.1"'
}
stop_all

# 6. CHAP: a wrong secret from DHCP 175.191 is refused; the right one logs in from each of
# --chap-secret, --chap-secret-file and NBC_CHAP_SECRET, a wrong one from the command line
# or a file is refused. --chap-secret is blanked in /proc/PID/cmdline while the probe runs.
# The secrets never appear in the output (text, JSON, JUnit, stderr).
site chap "boot.bios = undionly.kpxe" "boot.ipxe-script = http://192.0.2.1/chap.ipxe" \
	"ipxe.username = chapuser" "ipxe.password = wrongsecret99"
printf 'secret12345678\n' > "$tmp/chap-good.secret"
printf 'wrongsecret77\n' > "$tmp/chap-bad.secret"
printf 'secret12345678\r\nnot this line\n' > "$tmp/chap-crlf.secret"
chmod 600 "$tmp/chap-good.secret" "$tmp/chap-bad.secret"
chmod 644 "$tmp/chap-crlf.secret"
serve "$ns_s" "$tmp/chap.site" "$tmp/serve.log" "--iface br0" && {
	probe chap 1 --format json --profile ipxe-bios
	has chap '[.findings[] | select(.rule == "NBC-ISCSI-CHAP" and (.message | test("0x0201")))] | length == 1'
	has chap '.iscsi[0].chap_user == "chapuser" and .iscsi[0].credentials_from == "DHCP 175.190/191" and (.iscsi[0].login | not)'
	probe chap-ok 0 --profile ipxe-bios --chap-user chapuser --chap-secret secret12345678
	grep -q "login ok (CHAP user chapuser, from --chap-user/--chap-secret)" "$tmp/chap-ok.out" &&
		grep -q "0x55AA (bootable)" "$tmp/chap-ok.out" && ok || bad "chap-ok: $(grep iscsi "$tmp/chap-ok.out")"
	probe chap-argv-bad 1 --format json --profile ipxe-bios --chap-user chapuser --chap-secret wrongsecret77
	has chap-argv-bad '[.findings[] | select(.rule == "NBC-ISCSI-CHAP" and (.message | test("0x0201")))] | length == 1'
	has chap-argv-bad '.iscsi[0].credentials_from == "--chap-user/--chap-secret" and (.iscsi[0].login | not)'
	# The file: its first line logs in; a wrong one is refused as on the command line.
	probe chap-file 0 --format json --profile ipxe-bios --chap-user chapuser --chap-secret-file "$tmp/chap-good.secret"
	has chap-file '.iscsi[0].login and .iscsi[0].bootable and .iscsi[0].chap_user == "chapuser" and .iscsi[0].credentials_from == "--chap-user/--chap-secret-file"'
	[ -s "$tmp/chap-file.err" ] && bad "chap-file: stderr for a mode 600 file: $(cat "$tmp/chap-file.err")" || ok
	probe chap-file-bad 1 --format junit --profile ipxe-bios --chap-user chapuser --chap-secret-file "$tmp/chap-bad.secret"
	grep -q '<testcase classname="probe.iscsi"' "$tmp/chap-file-bad.out" && grep -q "NBC-ISCSI-CHAP" "$tmp/chap-file-bad.out" &&
		grep -q "0x0201" "$tmp/chap-file-bad.out" && grep -q "from --chap-user/--chap-secret-file\|(--chap-user/--chap-secret-file)" "$tmp/chap-file-bad.out" && ok ||
		bad "chap-file-bad: $(grep -i -A3 "iscsi" "$tmp/chap-file-bad.out" | head -8)"
	# CRLF and a second line: the first line without its CR; mode 0644: one warning line.
	probe chap-crlf 0 --profile ipxe-bios --chap-user chapuser --chap-secret-file "$tmp/chap-crlf.secret"
	grep -q "login ok (CHAP user chapuser, from --chap-user/--chap-secret-file)" "$tmp/chap-crlf.out" && ok ||
		bad "chap-crlf: $(grep iscsi "$tmp/chap-crlf.out")"
	[ "$(wc -l < "$tmp/chap-crlf.err")" -eq 1 ] && grep -q "warning: --chap-secret-file .* has mode 0644" "$tmp/chap-crlf.err" && ok ||
		bad "chap-crlf: stderr: $(cat "$tmp/chap-crlf.err")"
	# The environment.
	NBC_CHAP_SECRET=secret12345678
	export NBC_CHAP_SECRET
	probe chap-env 0 --format json --profile ipxe-bios --chap-user chapuser
	# ... is not used over --chap-secret-file (whose wrong secret is refused).
	probe chap-env-file 1 --format json --profile ipxe-bios --chap-user chapuser --chap-secret-file "$tmp/chap-bad.secret"
	unset NBC_CHAP_SECRET
	has chap-env '.iscsi[0].login and .iscsi[0].bootable and .iscsi[0].credentials_from == "--chap-user/NBC_CHAP_SECRET"'
	has chap-env-file '.iscsi[0].credentials_from == "--chap-user/--chap-secret-file" and (.iscsi[0].login | not)'
	# /proc/PID/cmdline of a running probe given --chap-secret: no secret in it. The probe
	# is this shell's child (ip netns exec execs it); polled, bounded, by PID.
	ip netns exec "$ns_c" "$NBC" probe --iface "$vc" --wait 3 --profile ipxe-bios \
		--chap-user chapuser --chap-secret secret12345678 > "$tmp/chap-ps.out" 2> "$tmp/chap-ps.err" &
	bgpid=$!
	pids="$pids $bgpid"
	nbc_exe=$(readlink -f "$NBC")
	seen=no i=0
	while [ $i -lt 50 ]; do
		if [ "$(readlink "/proc/$bgpid/exe" 2>/dev/null)" = "$nbc_exe" ]; then
			tr '\0' ' ' < "/proc/$bgpid/cmdline" > "$tmp/chap-ps.cmdline" 2>/dev/null
			if grep -q -- "--chap-user chapuser --chap-secret" "$tmp/chap-ps.cmdline" &&
				! grep -q "secret12345678" "$tmp/chap-ps.cmdline"; then
				seen=yes
				break
			fi
		fi
		sleep 0.1
		i=$((i + 1))
	done
	# Seen while it still runs (a finished process has an empty cmdline): the --wait 3
	# is not over, and once more a second later.
	if [ $seen = yes ] && kill -0 "$bgpid" 2>/dev/null && sleep 1 &&
		tr '\0' ' ' < "/proc/$bgpid/cmdline" > "$tmp/chap-ps.cmdline2" &&
		grep -q -- "--chap-secret" "$tmp/chap-ps.cmdline2" && ! grep -q "secret12345678" "$tmp/chap-ps.cmdline2"; then ok; else
		bad "chap-ps: /proc/$bgpid/cmdline: $(cat "$tmp/chap-ps.cmdline" 2>/dev/null)"
	fi
	# It then runs to its end (bounded: its own --wait and the iSCSI login) and logs in.
	i=0
	while [ $i -lt 300 ] && [ -e "/proc/$bgpid" ] &&
		[ "$(sed 's/.*) //' "/proc/$bgpid/stat" 2>/dev/null | cut -d' ' -f1)" != Z ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ $i -lt 300 ]; then
		wait "$bgpid"
		rc=$?
		[ "$rc" -eq 0 ] && grep -q "login ok (CHAP user chapuser" "$tmp/chap-ps.out" && ok ||
			bad "chap-ps: exit $rc: $(tail -2 "$tmp/chap-ps.err") $(grep iscsi "$tmp/chap-ps.out")"
	else
		bad "chap-ps: the probe still runs after 30 s"
		stop "$bgpid"
	fi
	for f in chap chap-ok chap-argv-bad chap-file chap-file-bad chap-crlf chap-env chap-env-file chap-ps; do
		grep -l "wrongsecret99\|secret12345678\|wrongsecret77" "$tmp/$f.out" "$tmp/$f.err" 2>/dev/null
	done > "$tmp/chap-leaks"
	[ -s "$tmp/chap-leaks" ] && bad "a CHAP secret is in the probe's output: $(cat "$tmp/chap-leaks")" || ok
}
stop_all

# 7. dnsmasq as the DHCP and TFTP server (netboot-serve only for HTTP and iSCSI).
cat > "$tmp/good-dnsmasq.conf" <<EOF
port=0
no-ping
log-facility=-
log-dhcp
bind-interfaces
interface=$vd
dhcp-range=192.0.2.150,192.0.2.199,255.255.255.0,1h
dhcp-leasefile=$tmp/dnsmasq.leases
enable-tftp
tftp-root=$root
dhcp-match=set:efi64,option:client-arch,7
dhcp-match=set:efi64,option:client-arch,9
dhcp-match=set:arm64,option:client-arch,11
dhcp-userclass=set:ipxe,iPXE
dhcp-boot=tag:ipxe,http://192.0.2.1/boot.ipxe
dhcp-boot=tag:!ipxe,tag:efi64,snponly.efi
dhcp-boot=tag:!ipxe,tag:arm64,ipxe-arm64.efi
dhcp-boot=tag:!ipxe,tag:!efi64,tag:!arm64,pxelinux.0
dhcp-option-force=209,pxelinux.cfg/boot
EOF
{
	echo "server.address = 192.0.2.1"
	echo "tftp.root = root"
	echo "http.root = root"
	echo "iscsi.lun = iqn.2026-11.test:disk0 1 root/images/boot.img ro"
} > "$tmp/httponly.site"
serve "$ns_s" "$tmp/httponly.site" "$tmp/serve.log" && dnsmasq_start "$tmp/good-dnsmasq.conf" && {
	probe dnsmasq 0 --format json --wait 1
	has dnsmasq '.summary.errors == 0 and .summary.answered == 5 and ([.servers[].server_id] == ["192.0.2.2"])'
	has dnsmasq '[.profiles[] | {(.name): .boot.file}] | add == {"bios-pxe": "pxelinux.0", "efi64-pxe": "snponly.efi", "arm64": "ipxe-arm64.efi", "ipxe-bios": "http://192.0.2.1/boot.ipxe", "pxelinux": "pxelinux.0"}'
	has dnsmasq '[.profiles[] | select(.nbp != null) | .nbp | .server == "192.0.2.2" and .complete] | all and length == 4'
	has dnsmasq '.pxelinux.config == "pxelinux.cfg/boot" and .iscsi[0].bootable'
}
stop_all

# 8. proxyDHCP: addresses from netboot-serve, the boot file from a proxy (its port 4011).
site plain
{
	echo "server.address = 192.0.2.2"
	echo "dhcp.proxy = yes"
	echo "tftp.root = root"
	echo "boot.bios = pxelinux.0"
	echo "pxelinux.configfile = pxelinux.cfg/boot"
} > "$tmp/proxy.site"
serve "$ns_s" "$tmp/plain.site" "$tmp/serve.log" "--iface br0" &&
	serve "$ns_d" "$tmp/proxy.site" "$tmp/proxy.log" "--iface $vd --listen 192.0.2.2" && {
	probe proxy 0 --format json --profile bios-pxe
	has proxy '.profiles[0].proxy_ack.port_4011 and .profiles[0].proxy_ack.file == "pxelinux.0" and .profiles[0].boot.server == "192.0.2.2" and .profiles[0].boot.file == "pxelinux.0"'
	has proxy '[.profiles[0].answers[] | select(.proxy)] | length == 1'
	has proxy '[.findings[] | select(.rule == "NBC-DHCP-MULTI-SERVER")] | length == 0'
	has proxy '.profiles[0].nbp.server == "192.0.2.2" and .profiles[0].nbp.complete'
}
stop_all

# 9. Could not probe: exit 2 with one clear line; usage: exit 3.
probe_err() {
	name=$1 want=$2 text=$3
	shift 3
	timeout 30 "$@" > "$tmp/$name.out" 2> "$tmp/$name.err"
	rc=$?
	[ "$rc" -eq "$want" ] && grep -q "$text" "$tmp/$name.err" && ok ||
		bad "$name: exit $rc (want $want), stderr: $(head -2 "$tmp/$name.err")"
}
probe_err nosuch 2 "no such interface nbcnosuch0" ip netns exec "$ns_c" "$NBC" probe --iface nbcnosuch0
probe_err nonroot 2 "CAP_NET_RAW" ip netns exec "$ns_c" setpriv --reuid=nobody --regid=nogroup \
	--clear-groups --inh-caps=-all "$NBC" probe --iface "$vc"
ip -n "$ns_c" link add pbx$$ type veth peer name pby$$ &&
	probe_err down 2 "interface pbx$$ is down" ip netns exec "$ns_c" "$NBC" probe --iface pbx$$
ip -n "$ns_c" link set pbx$$ up &&
	probe_err nolink 2 "interface pbx$$ is up but has no link" ip netns exec "$ns_c" "$NBC" probe --iface pbx$$
probe_err usage 3 "needs --iface" "$NBC" probe
probe_err usage2 3 "chap-user needs a secret" "$NBC" probe --iface x --chap-user u
probe_err usage3 3 "chap-secret-file needs --chap-user" "$NBC" probe --iface x --chap-secret-file /dev/null
probe_err usage4 3 "give one of them" "$NBC" probe --iface x --chap-user u --chap-secret s --chap-secret-file /dev/null
# A --chap-secret-file that cannot be used: exit 2 and one line on stderr, before any probe.
printf 'secret12345678\n' > "$tmp/root-only.secret"
chmod 600 "$tmp/root-only.secret"
: > "$tmp/empty.secret"
python3 -c 'print("s" * 256)' > "$tmp/long.secret"
secret_err() {
	name=$1 text=$2
	shift 2
	probe_err "$name" 2 "$text" "$@"
	[ "$(wc -l < "$tmp/$name.err")" -eq 1 ] && ok || bad "$name: not one line on stderr: $(cat "$tmp/$name.err")"
}
secret_err secret-missing "chap-secret-file $tmp/nosuch.secret: No such file or directory" \
	ip netns exec "$ns_c" "$NBC" probe --iface "$vc" --chap-user u --chap-secret-file "$tmp/nosuch.secret"
secret_err secret-dir "chap-secret-file $tmp: Is a directory" \
	ip netns exec "$ns_c" "$NBC" probe --iface "$vc" --chap-user u --chap-secret-file "$tmp"
secret_err secret-unreadable "chap-secret-file $tmp/root-only.secret: Permission denied" \
	ip netns exec "$ns_c" setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	"$NBC" probe --iface "$vc" --chap-user u --chap-secret-file "$tmp/root-only.secret"
secret_err secret-empty "chap-secret-file $tmp/empty.secret is empty" \
	ip netns exec "$ns_c" "$NBC" probe --iface "$vc" --chap-user u --chap-secret-file "$tmp/empty.secret"
secret_err secret-long "longer than 255 bytes" \
	ip netns exec "$ns_c" "$NBC" probe --iface "$vc" --chap-user u --chap-secret-file "$tmp/long.secret"

elapsed=$(($(date +%s) - t_start))
[ "$elapsed" -le 180 ] && ok || bad "the test took $elapsed s (limit 180)"
echo "probe-e2e: $pass passed, $fail failed ($elapsed s)"
[ "$fail" -eq 0 ]
