#!/bin/sh
# qemu.sh: real firmware against netboot-serve. QEMU (TCG) with Debian's iPXE ROM boots
# in a network namespace made here (bridge + tap, 192.0.2.0/24 only) while tcpdump
# captures the bridge; then netboot-check analyze must call each boot as it was, with the
# same stages as netboot-firmware's gold capture of the same flow (pcaps/gold/):
#   sanboot:  DHCP -> boot.ipxe (keep-san) -> iSCSI sanboot of a disk whose boot sector
#             prints a marker on the serial port (our own 22 bytes of x86 code);
#   lpxelinux: DHCP -> boot.ipxe (209/210) -> lpxelinux.0 over HTTP -> pxelinux.cfg/boot
#             -> LOCALBOOT;
#   pxelinux: DHCP -> pxelinux.0 over TFTP -> lookup walk -> the per-MAC config's label
#             (kernel + initrd);
#   loop:     iPXE handed Debian's undionly.kpxe again: it chainloads itself, and
#             analyze must say NBC-LOOP-USERCLASS.
# GOLD=DIR writes the sanboot capture (only our own bytes on the wire) to DIR.
# Needs root, qemu-system-x86, ipxe-qemu, ipxe, pxelinux, syslinux-common, tcpdump.
set -u
SERVE=${1:?usage: qemu.sh NETBOOT-SERVE NETBOOT-CHECK}
NBC=${2:?usage: qemu.sh NETBOOT-SERVE NETBOOT-CHECK}
case $SERVE in /*) ;; *) SERVE=$(pwd)/$SERVE ;; esac
case $NBC in /*) ;; *) NBC=$(pwd)/$NBC ;; esac
if [ "$(id -u)" -ne 0 ]; then
	echo "interop-qemu: FAIL: needs root for network namespaces and tap devices"
	exit 1
fi
for f in /usr/lib/PXELINUX/lpxelinux.0 /usr/lib/PXELINUX/pxelinux.0 /usr/lib/syslinux/modules/bios/ldlinux.c32 \
	/usr/lib/ipxe/undionly.kpxe; do
	[ -f "$f" ] || { echo "interop-qemu: FAIL: $f missing (pxelinux, syslinux-common)"; exit 1; }
done
command -v qemu-system-x86_64 > /dev/null || { echo "interop-qemu: FAIL: qemu-system-x86 missing"; exit 1; }
tmp=$(mktemp -d)
ns=nbc-qemu-$$
pids=""
pass=0
fail=0
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	ip netns del "$ns" 2>/dev/null
	[ "${KEEP:-0}" = 1 ] && echo "interop-qemu: kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL interop-qemu: $*"; fail=$((fail + 1)); }

ip netns add "$ns" && ip -n "$ns" link set lo up &&
	ip -n "$ns" link add br0 type bridge && ip -n "$ns" addr add 192.0.2.1/24 dev br0 &&
	ip -n "$ns" link set br0 up &&
	ip -n "$ns" tuntap add dev tap0 mode tap && ip -n "$ns" link set tap0 master br0 &&
	ip -n "$ns" link set tap0 up || { echo "interop-qemu: FAIL: cannot set up the namespace"; exit 1; }

# The site: iPXE (QEMU's NIC ROM is iPXE) gets boot.ipxe; the SAN disk boots.
mkdir -p "$tmp/www/pxelinux.cfg" "$tmp/tftp/pxelinux.cfg"
cp /usr/lib/PXELINUX/lpxelinux.0 /usr/lib/syslinux/modules/bios/ldlinux.c32 "$tmp/www/"
cp /usr/lib/PXELINUX/pxelinux.0 /usr/lib/syslinux/modules/bios/ldlinux.c32 /usr/lib/ipxe/undionly.kpxe "$tmp/tftp/"
head -c 60000 /dev/urandom > "$tmp/tftp/vmlinuz"
head -c 90000 /dev/urandom > "$tmp/tftp/initrd.gz"
printf 'DEFAULT linux\nPROMPT 0\nLABEL linux\n  KERNEL vmlinuz\n  INITRD initrd.gz\n' > "$tmp/tftp/pxelinux.cfg/01-52-54-00-ab-cd-ef"
printf 'DEFAULT local\nPROMPT 0\nLABEL local\n  LOCALBOOT 0\n' > "$tmp/www/pxelinux.cfg/boot"
# A boot sector: cli; ds=0; si=msg; dx=0x3f8; print bytes until NUL; hlt forever.
python3 - "$tmp/disk.img" <<'PY'
import sys
code = bytes([0xfa, 0x31, 0xc0, 0x8e, 0xd8, 0xbe, 0x16, 0x7c, 0xba, 0xf8, 0x03,
              0xac, 0x84, 0xc0, 0x74, 0x03, 0xee, 0xeb, 0xf8, 0xf4, 0xeb, 0xfd])
msg = b"NBC-SANBOOT-OK\r\n\0"
sector = bytearray(512)
sector[:len(code)] = code
sector[len(code):len(code) + len(msg)] = msg
sector[510:512] = b"\x55\xaa"
with open(sys.argv[1], "wb") as f:
    f.write(bytes(sector) + bytes(16 * 1024 * 1024 - 512))
PY
# write_site BOOT-LINES: netboot-serve's site for one run.
write_site() {
	cat > "$tmp/site" <<SITE
server.address = 192.0.2.1
dhcp.pool = 192.0.2.100 192.0.2.120
dhcp.leases-file = leases
http.root = www
tftp.root = tftp
iscsi.lun = iqn.2026-11.test:disk0 1 disk.img ro
$1
SITE
}

# boot NAME SCRIPT DONE-PATTERN [SITE-LINES] [SECONDS]: one QEMU boot (bounded), captured;
# leaves $tmp/NAME.{pcap,serial}.
boot() {
	name=$1
	printf '%s' "$2" > "$tmp/www/boot.ipxe"
	write_site "${4:-boot.ipxe-script = http://192.0.2.1/boot.ipxe}"
	: > "$tmp/serve.log"
	ip netns exec "$ns" "$SERVE" --site "$tmp/site" --iface br0 2> "$tmp/serve.log" &
	spid=$!
	ip netns exec "$ns" tcpdump -i br0 --immediate-mode -U -s 0 -w "$tmp/$name.pcap" > /dev/null 2> "$tmp/$name.tcpdump.log" &
	tpid=$!
	pids="$spid $tpid"
	i=0
	while [ $i -lt 100 ] && ! grep -q "netboot-serve: ready" "$tmp/serve.log"; do sleep 0.1; i=$((i + 1)); done
	# tcpdump says "listening on" once its capture is open: a boot begun before that loses
	# its first packets on a loaded machine (the client then looks incomplete).
	i=0
	while [ $i -lt 100 ] && ! grep -qs "listening on" "$tmp/$name.tcpdump.log"; do sleep 0.1; i=$((i + 1)); done
	ip netns exec "$ns" timeout 90 qemu-system-x86_64 -nographic -monitor none \
		-serial "file:$tmp/$name.serial" -m 256 -no-reboot \
		-smbios type=1,uuid=1b2c3d4e-0102-0304-0506-a1b2c3d4e5f6 \
		-netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
		-device e1000,netdev=n0,mac=52:54:00:ab:cd:ef -boot n > /dev/null 2>&1 &
	qpid=$!
	pids="$spid $tpid $qpid"
	# Until the marker (or the boot's end), at most ${5:-90} s.
	i=0
	while [ $i -lt $((${5:-90} * 2)) ] && kill -0 "$qpid" 2>/dev/null; do
		grep -q "$3" "$tmp/$name.serial" 2>/dev/null && break
		sleep 0.5
		i=$((i + 1))
	done
	sleep 2	# the last packets
	for p in $qpid $tpid $spid; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	pids=""
}

# 1. sanboot of a bootable disk.
boot sanboot '#!ipxe
set keep-san 1
sanboot iscsi:192.0.2.1:::1:iqn.2026-11.test:disk0
' NBC-SANBOOT-OK
grep -q NBC-SANBOOT-OK "$tmp/sanboot.serial" && ok || bad "the SAN disk's boot sector did not run: $(tail -c 400 "$tmp/sanboot.serial")"
"$NBC" analyze --format json --stall-timeout 600 "$tmp/sanboot.pcap" > "$tmp/sanboot.json"
v=$(jq -r '.clients[0].verdict' "$tmp/sanboot.json")
[ "$v" = booted ] && ok || bad "sanboot capture: verdict '$v', not booted"
jq -e '.clients[0].stages | map(.stage) | index("sanboot") != null' "$tmp/sanboot.json" > /dev/null && ok ||
	bad "sanboot capture: no sanboot stage"
jq -e '[.findings[] | select(.severity == "error")] | length == 0' "$tmp/sanboot.json" > /dev/null && ok ||
	bad "sanboot capture: error findings: $(jq -c '[.findings[].rule]' "$tmp/sanboot.json")"
grep -q "iscsi .*login" "$tmp/serve.log" && ok || bad "no iSCSI login in the server log"

# 2. iPXE -> lpxelinux over HTTP -> pxelinux.cfg/boot -> LOCALBOOT.
boot lpxelinux '#!ipxe
set 209:string pxelinux.cfg/boot
set 210:string http://192.0.2.1/
chain http://192.0.2.1/lpxelinux.0
' "Booting from Hard Disk\|No bootable device\|Boot failed"
"$NBC" analyze --format json --stall-timeout 600 "$tmp/lpxelinux.pcap" > "$tmp/lpxelinux.json"
v=$(jq -r '.clients[0].verdict' "$tmp/lpxelinux.json")
[ "$v" = booted ] && ok || bad "lpxelinux capture: verdict '$v', not booted ($(jq -c '[.clients[0].stages[].stage]' "$tmp/lpxelinux.json"))"
jq -e '.clients[0].stages | map(.stage) | index("localboot") != null' "$tmp/lpxelinux.json" > /dev/null && ok ||
	bad "lpxelinux capture: no localboot stage"
jq -e '[.findings[] | select(.severity == "error")] | length == 0' "$tmp/lpxelinux.json" > /dev/null && ok ||
	bad "lpxelinux capture: error findings: $(jq -c '[.findings[].rule]' "$tmp/lpxelinux.json")"

# 3. iPXE handed pxelinux.0 (TFTP): the lookup walk finds the per-MAC config, whose label
# loads a kernel and an initrd (ours, not bootable: the marker is pxelinux loading them).
boot pxelinux '' "initrd.gz" "boot.bios = pxelinux.0" 60
"$NBC" analyze --format json --stall-timeout 600 "$tmp/pxelinux.pcap" > "$tmp/pxelinux.json"
v=$(jq -r '.clients[0].verdict' "$tmp/pxelinux.json")
[ "$v" = booted ] && ok || bad "pxelinux capture: verdict '$v' ($(jq -c '[.clients[0].stages[].stage]' "$tmp/pxelinux.json"))"
jq -e '[.findings[] | select(.severity == "error")] | length == 0' "$tmp/pxelinux.json" > /dev/null && ok ||
	bad "pxelinux capture: error findings: $(jq -c '[.findings[].rule]' "$tmp/pxelinux.json")"

# 4. The loop: real iPXE handed undionly.kpxe again chainloads itself.
boot loop '' "NEVER-MATCHES" "boot.bios = undionly.kpxe" 40
"$NBC" analyze --format json --stall-timeout 600 "$tmp/loop.pcap" > "$tmp/loop.json"
jq -e '[.findings[] | select(.rule == "NBC-LOOP-USERCLASS")] | length == 1' "$tmp/loop.json" > /dev/null && ok ||
	bad "loop capture: no NBC-LOOP-USERCLASS: $(jq -c '[.findings[].rule]' "$tmp/loop.json")"
[ "$(jq -r '.clients[0].verdict' "$tmp/loop.json")" = looping ] && ok || bad "loop capture: verdict not looping"

# 5. The same stages as netboot-firmware's gold capture of the same flow, from the
# moment iPXE runs the script (QEMU's ROM is iPXE; the reference firmware starts as a PXE ROM).
stages_from() {
	jq -r --arg from "$2" '.clients[0].stages | map(.stage) | .[(index($from)):] | join(",")' "$1"
}
gold=pcaps/gold
if [ -f "$gold/sanboot-chap.expected.json" ] && [ -f "$gold/seed-flow.expected.json" ]; then
	a=$(stages_from "$tmp/sanboot.json" ipxe-script)
	b=$(stages_from "$gold/sanboot-chap.expected.json" ipxe-script)
	[ "$a" = "$b" ] && ok || bad "sanboot stages [$a] differ from the gold [$b]"
	a=$(stages_from "$tmp/lpxelinux.json" ipxe-script)
	b=$(stages_from "$gold/seed-flow.expected.json" ipxe-script)
	[ "$a" = "$b" ] && ok || bad "lpxelinux stages [$a] differ from the gold [$b]"
	a=$(stages_from "$tmp/pxelinux.json" nbp-download)
	b=$(stages_from "$gold/walk-mac.expected.json" nbp-download)
	[ "$a" = "$b" ] && ok || bad "pxelinux stages [$a] differ from the gold [$b]"
else
	bad "no gold captures in $gold"
fi
if [ -n "${GOLD:-}" ]; then
	cp "$tmp/sanboot.pcap" "$GOLD/qemu-ipxe-sanboot-keepsan.pcap"
	"$NBC" analyze --format json "$GOLD/qemu-ipxe-sanboot-keepsan.pcap" > "$GOLD/qemu-ipxe-sanboot-keepsan.expected.json"
fi

echo "interop-qemu: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
