#!/bin/sh
# dhcp.sh: netboot-serve's DHCP against a real client (busybox udhcpc) in a pair of
# network namespaces made here, joined by a veth pair, on 192.0.2.0/24 only.
# Checks the boot policy (PXE ROM -> NBP, iPXE -> script URL), forced PXELINUX options,
# leases kept across kill -9 (and INIT-REBOOT answered from them), and a clean SIGTERM. Needs root (network namespaces).
set -u
SERVE=${1:?usage: dhcp.sh NETBOOT-SERVE}
case $SERVE in /*) ;; *) SERVE=$(pwd)/$SERVE ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" -ne 0 ]; then
	echo "dhcp: FAIL: needs root to create network namespaces"
	exit 1
fi
tmp=$(mktemp -d)
ns_s=nbc-dhs-$$
ns_c=nbc-dhc-$$
vs=nbs$$
vc=nbc$$
pid=""
pass=0
fail=0
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	ip netns del "$ns_s" 2>/dev/null
	ip netns del "$ns_c" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL dhcp: $*"; fail=$((fail + 1)); }

ip netns add "$ns_s" && ip netns add "$ns_c" &&
	ip link add "$vs" type veth peer name "$vc" &&
	ip link set "$vs" netns "$ns_s" && ip link set "$vc" netns "$ns_c" &&
	ip -n "$ns_s" addr add 192.0.2.1/24 dev "$vs" && ip -n "$ns_s" link set "$vs" up &&
	ip -n "$ns_s" link set lo up && ip -n "$ns_c" link set "$vc" up ||
	{ echo "dhcp: FAIL: cannot set up the namespaces"; exit 1; }

cat > "$tmp/site" <<SITE
server.address = 192.0.2.1
dhcp.pool = 192.0.2.100 192.0.2.110
dhcp.router = 192.0.2.1
dhcp.leases-file = leases
boot.bios = undionly.kpxe
boot.efi-x64 = snponly.efi
boot.ipxe-script = http://192.0.2.1/boot.ipxe
pxelinux.configfile = pxelinux.cfg/boot
SITE
# udhcpc runs this at each event: keep what the server handed out.
cat > "$tmp/event.sh" <<'EV'
#!/bin/sh
[ "$1" = bound ] && env > "$OUT"
exit 0
EV
chmod +x "$tmp/event.sh"

start() {
	: > "$tmp/log"
	ip netns exec "$ns_s" "$SERVE" --site "$tmp/site" --iface "$vs" 2>> "$tmp/log" &
	pid=$!
	i=0
	while [ $i -lt 100 ] && ! grep -q "netboot-serve: ready" "$tmp/log"; do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	grep -q "netboot-serve: ready" "$tmp/log" || { bad "server did not start: $(cat "$tmp/log")"; exit 1; }
}

# client OUT [udhcpc options...]: one bounded DHCP exchange as a given client kind.
client() {
	out=$1
	shift
	rm -f "$out"
	OUT=$out timeout 20 ip netns exec "$ns_c" busybox udhcpc -i "$vc" -n -q -f -t 4 -T 1 \
		-s "$tmp/event.sh" "$@" > /dev/null 2>&1
	[ -s "$out" ]
}
val() { sed -n "s/^$2=//p" "$1"; }

start
# 1. A BIOS PXE ROM: an address, next-server, the BIOS NBP; 209 although not asked for.
if client "$tmp/pxe" -V PXEClient:Arch:00000:UNDI:002001 -x 0x5d:0000 -O 209; then
	ip=$(val "$tmp/pxe" ip)
	case $ip in 192.0.2.1[01][0-9]) ok ;; *) bad "PXE client got address '$ip'" ;; esac
	[ "$(val "$tmp/pxe" boot_file)" = undionly.kpxe ] && ok || bad "PXE client boot file '$(val "$tmp/pxe" boot_file)'"
	[ "$(val "$tmp/pxe" siaddr)" = 192.0.2.1 ] && ok || bad "PXE client siaddr '$(val "$tmp/pxe" siaddr)'"
	grep -q "pxelinux.cfg/boot" "$tmp/pxe" && ok || bad "no option 209 in the PXE client's ACK"
else
	bad "the PXE client got no lease: $(tail -5 "$tmp/log")"
fi
# 2. iPXE (user-class iPXE): the script URL, never an iPXE binary again.
if client "$tmp/ipxe" -V PXEClient:Arch:00000:UNDI:002001 -x 0x4d:69505845; then
	[ "$(val "$tmp/ipxe" boot_file)" = "http://192.0.2.1/boot.ipxe" ] && ok ||
		bad "iPXE client boot file '$(val "$tmp/ipxe" boot_file)'"
else
	bad "the iPXE client got no lease"
fi
# 3. EFI x64 (arch 7): its NBP.
if client "$tmp/efi" -V PXEClient:Arch:00007:UNDI:003016 -x 0x5d:0007; then
	[ "$(val "$tmp/efi" boot_file)" = snponly.efi ] && ok || bad "EFI client boot file '$(val "$tmp/efi" boot_file)'"
else
	bad "the EFI client got no lease"
fi
# 4. kill -9, restart: the lease is still the client's.
first=$(val "$tmp/pxe" ip)
kill -9 "$pid"
wait "$pid" 2>/dev/null
pid=""
grep -q "$first" "$tmp/leases" && ok || bad "leases file lacks $first after kill -9"
start
# 4b. INIT-REBOOT REQUESTs (option 50, no server identifier; RFC 2131 4.3.2), raw frames from
# tests/server/abuse.py: the lease read back from the file is a record, so the client's
# reboot is ACKed; another MAC asking for that address gets a NAK; a MAC the server has no
# record of asking for a free address gets no answer, and the log says why.
mac=$(ip netns exec "$ns_c" cat "/sys/class/net/$vc/address")
free=192.0.2.110
[ "$first" = "$free" ] && free=192.0.2.109
one() { timeout 10 ip netns exec "$ns_c" python3 "$HERE/abuse.py" dhcp-one "$vc" --msg request "$@"; }
got=$(one --ip "$first" --mac "$mac" --wait 3)
[ "$got" = ACK ] && ok || bad "INIT-REBOOT for its lease $first after the restart: $got, want ACK"
got=$(one --ip "$first" --wait 3)
[ "$got" = NAK ] && ok || bad "INIT-REBOOT for $first from another MAC: $got, want NAK"
got=$(one --ip "$free" --wait 1.5)
[ "$got" = none ] && ok || bad "INIT-REBOOT for the free $free from an unknown MAC: $got, want no answer"
grep -q "REQUEST .*-> ignored: REQUEST for $free from a client with no lease (RFC 2131 4.3.2)" "$tmp/log" && ok ||
	bad "no 'ignored: REQUEST for $free' line in the log"
if client "$tmp/again" -V PXEClient:Arch:00000:UNDI:002001 -x 0x5d:0000; then
	[ "$(val "$tmp/again" ip)" = "$first" ] && ok || bad "after a restart the client got $(val "$tmp/again" ip), not $first"
else
	bad "no lease after the restart"
fi
# 5. SIGTERM: a clean stop, exit 0, the log says so.
kill "$pid"
wait "$pid"
rc=$?
pid=""
[ "$rc" -eq 0 ] && ok || bad "exit status $rc after SIGTERM"
grep -q "stopping" "$tmp/log" && ok || bad "no clean stop in the log"
# 6. The log has one line per exchange, and names the client.
grep -q "DISCOVER .* -> OFFER 192.0.2" "$tmp/log" && ok || bad "no DISCOVER/OFFER log line"
# 7. Hostile packets on port 67 (truncated, oversized, garbage, a BOOTREPLY, an option
# running past the end): each is ignored or logged, and the server keeps serving.
start
ip -n "$ns_c" addr add 192.0.2.2/24 dev "$vc"
ip netns exec "$ns_c" python3 - <<'PY'
import random, socket
random.seed(5)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
cookie = bytes([99, 130, 83, 99])
base = bytearray(240)
base[0] = 1; base[1] = 1; base[2] = 6
base[28:34] = bytes([2, 0, 0, 0, 0, 9])
base[236:240] = cookie
pkts = [b"", b"\x01", bytes(base[:100]), bytes(base) + bytes([53, 1, 1, 255]),
        bytes(base) + bytes([53, 1, 1, 55, 200, 1, 2]),          # option past the end
        bytes(base) + bytes([52, 1, 3, 53, 1, 1, 255]),          # overload, empty fields
        bytes(base) + bytes([53, 1, 1]) + bytes([12, 255]) + b"x" * 255 + bytes([255]),
        bytes([2]) + bytes(base[1:]) + bytes([53, 1, 2, 255]),  # a BOOTREPLY
        bytes(1400)]
for _ in range(300):
    p = bytearray(base) + bytes([53, 1, 1]) + bytes(random.randrange(256) for _ in range(random.randrange(0, 300)))
    pkts.append(bytes(p))
for p in pkts:
    s.sendto(p, ("192.0.2.1", 67))
PY
sleep 0.5
kill -0 "$pid" 2>/dev/null && ok || bad "the server died on hostile packets: $(tail -3 "$tmp/log")"
ip -n "$ns_c" addr flush dev "$vc"
if client "$tmp/after" -V PXEClient:Arch:00000:UNDI:002001 -x 0x5d:0000; then
	ok
else
	bad "no lease after hostile packets"
fi
grep -q "AddressSanitizer\|runtime error" "$tmp/log" && bad "sanitizer report in the log" || ok
kill "$pid"
wait "$pid"
pid=""

# 8. A missing interface is one clear error, exit 2.
ip netns exec "$ns_s" "$SERVE" --site "$tmp/site" --iface nosuch0 2> "$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "no such interface nosuch0" "$tmp/err" && ok || bad "missing interface: exit $rc, $(cat "$tmp/err")"

echo "dhcp: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
