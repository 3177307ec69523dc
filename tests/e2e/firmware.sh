#!/bin/sh
# firmware.sh: netboot-firmware against netboot-serve, in two network namespaces made
# here and joined by a veth pair (192.0.2.0/24 only), with tcpdump capturing. For each
# scenario a good site must boot (firmware exit 0, analyze: booted, no error) and a
# deliberately broken site must be caught by analyze with the right rule.
# GOLD=DIR copies the good runs' captures there (make gold); ONLY="NAME..." runs only those
# scenarios (the checks after them then fail for want of their logs). Needs root.
set -u
SERVE=${1:?usage: firmware.sh NETBOOT-SERVE NETBOOT-FIRMWARE NETBOOT-CHECK}
FW=${2:?usage: firmware.sh NETBOOT-SERVE NETBOOT-FIRMWARE NETBOOT-CHECK}
NBC=${3:?usage: firmware.sh NETBOOT-SERVE NETBOOT-FIRMWARE NETBOOT-CHECK}
for v in SERVE FW NBC; do
	eval "p=\$$v"
	case $p in /*) ;; *) eval "$v=\$(pwd)/\$p" ;; esac
done
if [ "$(id -u)" -ne 0 ]; then
	echo "firmware-e2e: FAIL: needs root for network namespaces"
	exit 1
fi
tmp=$(mktemp -d)
ns_s=nbc-fws-$$
ns_c=nbc-fwc-$$
vs=fws$$
vc=fwc$$
pids=""
pass=0
fail=0
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	ip netns del "$ns_s" 2>/dev/null
	ip netns del "$ns_c" 2>/dev/null
	[ "${KEEP:-0}" = 1 ] && echo "firmware-e2e: kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL firmware-e2e: $*"; fail=$((fail + 1)); }

ip netns add "$ns_s" && ip netns add "$ns_c" &&
	ip link add "$vs" type veth peer name "$vc" &&
	ip link set "$vs" netns "$ns_s" && ip link set "$vc" netns "$ns_c" &&
	ip -n "$ns_s" addr add 192.0.2.1/24 dev "$vs" && ip -n "$ns_s" link set "$vs" up &&
	ip -n "$ns_s" link set lo up && ip -n "$ns_c" link set "$vc" up &&
	ip -n "$ns_c" link set lo up || { echo "firmware-e2e: FAIL: cannot set up namespaces"; exit 1; }
# No IPv6 chatter (router solicitations) in the captures.
ip netns exec "$ns_s" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip netns exec "$ns_c" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
mac=$(ip -n "$ns_c" link show "$vc" | awk '/link\/ether/ {print $2}')
macname=01-$(echo "$mac" | tr ':' '-')

# The files: our own stand-ins. The firmware decides by name, as a real machine's next
# stage would; the EFI NBP carries a PE32+ x64 header so the checker's NBP sniffing is
# satisfied, the BIOS ones are not PE.
root=$tmp/root
mkdir -p "$root/pxelinux.cfg" "$root/images"
python3 - "$root" <<'PY'
import os, sys
root = sys.argv[1]
def fill(name, n, seed):
    b = bytes((i * 131 + seed) & 0xff for i in range(n))
    with open(os.path.join(root, name), "wb") as f:
        f.write(b)
for name, n, seed in [("cmd.c32", 9000, 8), ("pxelinux.0", 42000, 1), ("lpxelinux.0", 75000, 2), ("ldlinux.c32", 119000, 3),
                      ("ipxe.lkrn", 60000, 4), ("undionly.kpxe", 70000, 5), ("vmlinuz", 60000, 6),
                      ("initrd.gz", 90000, 7)]:
    fill(name, n, seed)
pe = bytearray(70000)
pe[0:2] = b"MZ"; pe[0x3c:0x40] = (0x80).to_bytes(4, "little")
pe[0x80:0x84] = b"PE\0\0"; pe[0x84:0x86] = (0x8664).to_bytes(2, "little")
open(os.path.join(root, "snponly.efi"), "wb").write(bytes(pe))
boot = bytearray(16 * 1024 * 1024); boot[510:512] = b"\x55\xaa"
open(os.path.join(root, "images", "boot.img"), "wb").write(bytes(boot))
open(os.path.join(root, "images", "blank.img"), "wb").write(bytes(16 * 1024 * 1024))
PY
printf 'DEFAULT ipxe\nPROMPT 0\nLABEL ipxe\n  KERNEL ipxe.lkrn\nINCLUDE pxelinux.cfg/san.cfg\n' > "$root/pxelinux.cfg/default"
printf 'LABEL san\n  COM32 cmd.c32\n  APPEND sanboot iscsi:192.0.2.1:::1:iqn.2026-11.test:disk0\n' > "$root/pxelinux.cfg/san.cfg"
printf 'DEFAULT local\nPROMPT 0\nLABEL local\n  LOCALBOOT 0\n' > "$root/pxelinux.cfg/boot"
printf '#!ipxe\nchain http://192.0.2.1/vmlinuz\n' > "$root/next.ipxe"

# site NAME EXTRA...: a site file serving $root over TFTP and HTTP.
site() {
	f=$tmp/$1.site
	shift
	{
		echo "server.address = 192.0.2.1"
		echo "dhcp.pool = 192.0.2.100 192.0.2.150"
		echo "tftp.root = root"
		echo "http.root = root"
		echo "iscsi.lun = iqn.2026-11.test:disk0 1 root/images/boot.img ro"
		echo "iscsi.lun = iqn.2026-11.test:blank 1 root/images/blank.img ro"
		echo "iscsi.lun = iqn.2026-11.test:secure 1 root/images/boot.img ro"
		echo "iscsi.chap = iqn.2026-11.test:secure chapuser secret12345678"
		for l in "$@"; do echo "$l"; done
	} > "$f"
}
# script NAME TEXT: the boot.ipxe of a scenario.
script() { printf '%s' "$2" > "$root/$1.ipxe"; }

# run NAME SITE FWARGS WANT_EXIT [EXPECT_SITE RULE]
run() {
	case " ${ONLY:-$1} " in *" $1 "*) ;; *) return ;; esac
	name=$1 site_f=$tmp/$2.site fwargs=$3 want=$4 expect=${5:-} rule=${6:-}
	: > "$tmp/$name.serve.log"
	ip netns exec "$ns_s" "$SERVE" --site "$site_f" --iface "$vs" 2> "$tmp/$name.serve.log" &
	spid=$!
	# --immediate-mode: without it packets wait in the kernel's ring for up to a second,
	# and those still there when tcpdump is stopped are lost (the boot's end, uncounted).
	ip netns exec "$ns_s" tcpdump -i "$vs" --immediate-mode -U -s 0 -w "$tmp/$name.pcap" > /dev/null 2> "$tmp/$name.tcpdump.log" &
	tpid=$!
	pids="$spid $tpid"
	i=0
	while [ $i -lt 100 ] && ! grep -q "netboot-serve: ready" "$tmp/$name.serve.log"; do sleep 0.1; i=$((i + 1)); done
	# tcpdump says "listening on" once its capture is open: a boot begun before that loses
	# its first packets on a loaded machine (the client then looks incomplete).
	i=0
	while [ $i -lt 100 ] && ! grep -qs "listening on" "$tmp/$name.tcpdump.log"; do sleep 0.1; i=$((i + 1)); done
	sleep 0.5
	ip -n "$ns_c" addr flush dev "$vc"
	# shellcheck disable=SC2086
	timeout 120 ip netns exec "$ns_c" "$FW" --iface "$vc" --timeout 10 $fwargs > /dev/null 2> "$tmp/$name.fw.log"
	rc=$?
	sleep 1
	for p in $tpid $spid; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	pids=""
	if [ "$rc" -eq "$want" ]; then ok; else bad "$name: firmware exit $rc, want $want: $(tail -3 "$tmp/$name.fw.log")"; fi
	args="--format json"
	[ -n "$expect" ] && args="$args --expect $tmp/$expect.site"
	# shellcheck disable=SC2086
	"$NBC" analyze $args "$tmp/$name.pcap" > "$tmp/$name.json" 2> "$tmp/$name.nbc.err"
	if [ -z "$rule" ]; then
		v=$(jq -r '.clients[0].verdict' "$tmp/$name.json")
		e=$(jq -r '[.findings[] | select(.severity == "error") | .rule] | join(",")' "$tmp/$name.json")
		if [ "$v" = booted ] && [ -z "$e" ]; then
			ok
			if [ -n "${GOLD:-}" ] && [ "$name" != json-output ]; then
				cp "$tmp/$name.pcap" "$GOLD/$name.pcap"
				"$NBC" analyze --format json "$GOLD/$name.pcap" > "$GOLD/$name.expected.json"
			fi
		else
			# The messages and tcpdump's own count say whether the capture lost a packet.
			bad "$name: analyze says $v with errors [$e]: $(jq -r '[.findings[] | select(.severity == "error") | "#\(.frame) \(.message)"] | join("; ")' "$tmp/$name.json") ($(grep -s 'dropped by' "$tmp/$name.tcpdump.log" | tr '\n' ' '))"
		fi
	else
		if jq -e --arg r "$rule" '[.findings[] | select(.rule == $r)] | length > 0' "$tmp/$name.json" > /dev/null; then
			ok
		else
			bad "$name: analyze did not report $rule: $(jq -c '[.findings[].rule]' "$tmp/$name.json")"
		fi
	fi
}

# (a) The seed's flow: PXE -> pxelinux.0 -> default -> ipxe.lkrn -> iPXE -> boot.ipxe ->
# 209/210 -> lpxelinux.0 over HTTP -> pxelinux.cfg/boot -> LOCALBOOT.
script seed '#!ipxe
set 209:string pxelinux.cfg/boot
set 210:string http://192.0.2.1/
chain http://192.0.2.1/lpxelinux.0
'
site seed "boot.bios = pxelinux.0" "boot.ipxe-script = http://192.0.2.1/seed.ipxe"
run seed-flow seed "" 0
# broken: iPXE handed an iPXE binary again (no user-class condition): a loop.
site loop "boot.bios = undionly.kpxe"
run seed-loop loop "--max-chain 3" 1 "" NBC-LOOP-USERCLASS
# broken: 209 configured but not sent to a client that did not ask (dhcpd's behaviour).
site no209 "boot.bios = pxelinux.0" "pxelinux.configfile = pxelinux.cfg/boot" "pxelinux.force = no" \
	"boot.ipxe-script = http://192.0.2.1/next.ipxe"
run seed-209-missing no209 "" 0 no209 NBC-PXELINUX-209-MISSING

# (b) sanboot to a blank LUN with keep-san (DHCP 175.8), then the next script.
script keepsan '#!ipxe
sanboot iscsi:192.0.2.1:::1:iqn.2026-11.test:blank || chain http://192.0.2.1/next.ipxe
'
site keepsan "boot.bios = undionly.kpxe" "boot.ipxe-script = http://192.0.2.1/keepsan.ipxe" "san.keep-san = 1"
run sanboot-keepsan keepsan "" 0
site nokeep "boot.bios = undionly.kpxe" "boot.ipxe-script = http://192.0.2.1/keepsan.ipxe"
site wantkeep "san.keep-san = 1"
run sanboot-keepsan-lost nokeep "" 0 wantkeep NBC-SAN-KEEP-LOST

# (c) sanboot of a bootable LUN with CHAP (credentials from DHCP 175.190/191).
script chap '#!ipxe
sanboot iscsi:192.0.2.1:::1:iqn.2026-11.test:secure
'
site chap "boot.bios = undionly.kpxe" "boot.ipxe-script = http://192.0.2.1/chap.ipxe" \
	"ipxe.username = chapuser" "ipxe.password = secret12345678"
run sanboot-chap chap "" 0
site badchap "boot.bios = undionly.kpxe" "boot.ipxe-script = http://192.0.2.1/chap.ipxe" \
	"ipxe.username = chapuser" "ipxe.password = wrongsecret99"
run sanboot-chap-wrong badchap "" 1 "" NBC-ISCSI-CHAP

# (d) An EFI x64 client.
script efi '#!ipxe
chain http://192.0.2.1/vmlinuz
'
site efi "boot.efi-x64 = snponly.efi" "boot.ipxe-script = http://192.0.2.1/efi.ipxe"
run efi-x64 efi "--arch efi-x64" 0
site efibad "boot.efi-x64 = undionly.kpxe" "boot.ipxe-script = http://192.0.2.1/efi.ipxe"
run efi-x64-bios-nbp efibad "--arch efi-x64" 0 "" NBC-ARCH-MISMATCH

# (f) pxelinux INCLUDE and a label other than the default: cmd.c32 hands its APPEND line
# (a sanboot) to iPXE.
site cmd "boot.bios = pxelinux.0" "boot.ipxe-script = http://192.0.2.1/next.ipxe"
run pxelinux-cmd-sanboot cmd "--label san" 0
# (g) iPXE's login, non-interactive: the credentials come from the command line.
script login '#!ipxe
login
sanboot iscsi:192.0.2.1:::1:iqn.2026-11.test:secure
'
site login "boot.bios = undionly.kpxe" "boot.ipxe-script = http://192.0.2.1/login.ipxe"
run ipxe-login login "--username chapuser --password secret12345678" 0
grep -q secret12345678 "$tmp/ipxe-login.fw.log" && bad "ipxe-login: the password is in the firmware's output" || ok

# (e) The lookup walk finds a per-MAC config.
printf 'DEFAULT linux\nPROMPT 0\nLABEL linux\n  KERNEL vmlinuz\n  INITRD initrd.gz\n' > "$root/pxelinux.cfg/$macname"
site walk "boot.bios = pxelinux.0"
run walk-mac walk "" 0

# Failures are one clear line per stage and a non-zero exit, within the timeout.
site missing "boot.bios = missing.0"
run nbp-missing missing "" 1 "" NBC-TFTP-NOT-FOUND
grep -q "nbp-download.*failed.*missing.0.*File not found\|nbp-download.*failed.*missing.0" "$tmp/nbp-missing.fw.log" && ok ||
	bad "nbp-missing: no clear nbp-download failure: $(tail -2 "$tmp/nbp-missing.fw.log")"
# No server at all: bounded by --timeout.
ip -n "$ns_c" addr flush dev "$vc"
t0=$(date +%s)
timeout 60 ip netns exec "$ns_c" "$FW" --iface "$vc" --timeout 3 > /dev/null 2> "$tmp/noserver.log"
rc=$?
t1=$(date +%s)
[ "$rc" -eq 1 ] && [ $((t1 - t0)) -le 20 ] && grep -q "pxe-dhcp.*failed" "$tmp/noserver.log" && ok ||
	bad "no server: exit $rc after $((t1 - t0)) s: $(tail -2 "$tmp/noserver.log")"
# --json: one JSON object per line.
site json "boot.bios = undionly.kpxe" "boot.ipxe-script = http://192.0.2.1/efi.ipxe"
run json-output json "--json" 0
jq -e -s 'length > 3 and all(has("stage") and has("result"))' "$tmp/json-output.fw.log" > /dev/null && ok ||
	bad "--json output is not JSON lines: $(head -2 "$tmp/json-output.fw.log")"

echo "firmware-e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
