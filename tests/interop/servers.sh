#!/bin/sh
# servers.sh: netboot-firmware against real servers from Debian packages, in network
# namespaces made here (192.0.2.0/24 only): ISC dhcpd with the seed's dhcpd.conf
# constructs, dnsmasq, tftpd-hpa, tgt (tgtd) and python's http.server. The firmware must
# boot where the configuration is right, and analyze must judge each capture right:
# booted with no error, or the broken configuration's rule. Needs root.
set -u
FW=${1:?usage: servers.sh NETBOOT-FIRMWARE NETBOOT-CHECK}
NBC=${2:?usage: servers.sh NETBOOT-FIRMWARE NETBOOT-CHECK}
for v in FW NBC; do
	eval "p=\$$v"
	case $p in /*) ;; *) eval "$v=\$(pwd)/\$p" ;; esac
done
[ "$(id -u)" -eq 0 ] || { echo "interop-servers: FAIL: needs root"; exit 1; }
for t in dhcpd dnsmasq in.tftpd tgtd tgtadm python3 tcpdump; do
	command -v "$t" > /dev/null || { echo "interop-servers: FAIL: $t missing (make deps)"; exit 1; }
done
tmp=$(mktemp -d)
ns_s=nbc-ios-$$
ns_c=nbc-ioc-$$
vs=ios$$
vc=ioc$$
tgtc=$(( ($$ % 50) + 50 ))	# a private tgtd control socket: never a stale system one
# stop PID: SIGTERM, then SIGKILL if it is still there after 3 s; reaped either way.
stop() {
	kill "$1" 2>/dev/null || return 0
	n=0
	while [ $n -lt 30 ] && kill -0 "$1" 2>/dev/null; do sleep 0.1; n=$((n + 1)); done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
pids=""
pass=0
fail=0
stop_all() {
	# tgtd exits on SIGTERM only once it has no targets.
	tgtadm -C "$tgtc" --op delete --mode system > /dev/null 2>&1
	for p in $pids; do stop "$p"; done
	pids=""
}
cleanup() {
	stop_all
	ip netns del "$ns_s" 2>/dev/null
	ip netns del "$ns_c" 2>/dev/null
	rm -f "/var/run/tgtd/socket.$tgtc" "/var/run/tgtd/socket.$tgtc.lock"
	[ "${KEEP:-0}" = 1 ] && echo "interop-servers: kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL interop-servers: $*"; fail=$((fail + 1)); }

ip netns add "$ns_s" && ip netns add "$ns_c" &&
	ip link add "$vs" type veth peer name "$vc" &&
	ip link set "$vs" netns "$ns_s" && ip link set "$vc" netns "$ns_c" &&
	ip -n "$ns_s" addr add 192.0.2.1/24 dev "$vs" && ip -n "$ns_s" link set "$vs" up &&
	ip -n "$ns_s" link set lo up && ip -n "$ns_c" link set "$vc" up || { echo "interop-servers: FAIL: namespaces"; exit 1; }
ip netns exec "$ns_s" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip netns exec "$ns_c" sysctl -qw net.ipv6.conf.all.disable_ipv6=1

root=$tmp/root
mkdir -p "$root/pxelinux.cfg"
# dnsmasq serves TFTP as an unprivileged user: the tree must be readable by others.
chmod 755 "$tmp"
for f in undionly.kpxe:70000 pxelinux.0:42000 lpxelinux.0:75000 ldlinux.c32:119000 vmlinuz:60000; do
	head -c "${f#*:}" /dev/urandom > "$root/${f%%:*}"
done
printf 'DEFAULT local\nPROMPT 0\nLABEL local\n  LOCALBOOT 0\n' > "$root/pxelinux.cfg/boot"
printf 'DEFAULT linux\nPROMPT 0\nLABEL linux\n  KERNEL vmlinuz\n' > "$root/pxelinux.cfg/default"
printf '#!ipxe\nset 209:string pxelinux.cfg/boot\nset 210:string http://192.0.2.1/\nchain http://192.0.2.1/lpxelinux.0\n' > "$root/boot.ipxe"
printf '#!ipxe\nset keep-san 1\nsanboot iscsi:192.0.2.1:::1:iqn.2026-11.interop:blank || chain http://192.0.2.1/next.ipxe\n' > "$root/san.ipxe"
printf '#!ipxe\nchain http://192.0.2.1/vmlinuz\n' > "$root/next.ipxe"
truncate -s 16M "$tmp/blank.img"
chmod -R a+rX "$root"

http_start() {
	ip netns exec "$ns_s" python3 -m http.server 80 --bind 192.0.2.1 --directory "$root" > "$tmp/http.log" 2>&1 &
	pids="$pids $!"
}
tftp_start() {
	ip netns exec "$ns_s" in.tftpd -L -s "$root" -a 192.0.2.1:69 > "$tmp/tftp.log" 2>&1 &
	pids="$pids $!"
}
dhcpd_start() {
	: > "$tmp/dhcpd.leases"
	ip netns exec "$ns_s" dhcpd -f -4 -q -cf "$1" -lf "$tmp/dhcpd.leases" -pf "$tmp/dhcpd.pid" "$vs" > "$tmp/dhcpd.log" 2>&1 &
	pids="$pids $!"
}
dnsmasq_start() {
	ip netns exec "$ns_s" dnsmasq -k -C "$1" --pid-file="$tmp/dnsmasq.pid" > "$tmp/dnsmasq.log" 2>&1 &
	pids="$pids $!"
}
tgt_start() {
	ip netns exec "$ns_s" tgtd -f -C "$tgtc" --iscsi portal=192.0.2.1:3260 > "$tmp/tgtd.log" 2>&1 &
	pids="$pids $!"
	sleep 1
	tgtadm -C "$tgtc" --lld iscsi --op new --mode target --tid 1 -T iqn.2026-11.interop:blank &&
	tgtadm -C "$tgtc" --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b "$tmp/blank.img" &&
	tgtadm -C "$tgtc" --lld iscsi --op bind --mode target --tid 1 -I ALL ||
		bad "tgtadm could not configure tgtd"
}

# boot NAME WANT_EXIT [FWARGS]: one firmware run with tcpdump, against what is running.
boot() {
	ip netns exec "$ns_s" tcpdump -i "$vs" --immediate-mode -U -s 0 -w "$tmp/$1.pcap" > /dev/null 2> "$tmp/$1.tcpdump.log" &
	tpid=$!
	# tcpdump says "listening on" once its capture is open: a boot begun before that loses
	# its first packets on a loaded machine (the client then looks incomplete).
	i=0
	while [ $i -lt 100 ] && ! grep -qs "listening on" "$tmp/$1.tcpdump.log"; do sleep 0.1; i=$((i + 1)); done
	sleep 1.5
	ip -n "$ns_c" addr flush dev "$vc"
	# shellcheck disable=SC2086
	timeout 120 ip netns exec "$ns_c" "$FW" --iface "$vc" --timeout 8 ${3:-} > /dev/null 2> "$tmp/$1.fw.log"
	rc=$?
	sleep 1
	stop "$tpid"
	[ "$rc" -eq "$2" ] && ok || bad "$1: firmware exit $rc, want $2: $(grep -v '^\[ *[0-9.]*\]   ' "$tmp/$1.fw.log" | tail -3)"
}
# judge NAME [RULE [SITE]]: analyze must say booted/no error, or report RULE.
judge() {
	args=""
	[ -n "${3:-}" ] && args="--expect $3"
	# shellcheck disable=SC2086
	"$NBC" analyze --format json $args "$tmp/$1.pcap" > "$tmp/$1.json"
	if [ -z "${2:-}" ]; then
		v=$(jq -r '.clients[0].verdict' "$tmp/$1.json")
		e=$(jq -r '[.findings[] | select(.severity == "error") | .rule] | join(",")' "$tmp/$1.json")
		[ "$v" = booted ] && [ -z "$e" ] && ok || bad "$1: analyze says $v, errors [$e]"
	else
		jq -e --arg r "$2" '[.findings[] | select(.rule == $r)] | length > 0' "$tmp/$1.json" > /dev/null && ok ||
			bad "$1: analyze did not report $2: $(jq -c '[.findings[].rule]' "$tmp/$1.json")"
	fi
}

PXELINUX_SPACE='option space pxelinux;
option pxelinux.magic code 208 = string;
option pxelinux.configfile code 209 = text;
option pxelinux.pathprefix code 210 = text;
option pxelinux.reboottime code 211 = unsigned integer 32;
ddns-update-style none;
authoritative;'

# 1. ISC dhcpd, the seed's fix: iPXE (user-class) gets the script, the rest undionly.kpxe.
cat > "$tmp/userclass.conf" <<CONF
$PXELINUX_SPACE
subnet 192.0.2.0 netmask 255.255.255.0 {
  range 192.0.2.100 192.0.2.150;
  next-server 192.0.2.1;
  if exists user-class and option user-class = "iPXE" {
    filename "http://192.0.2.1/boot.ipxe";
  } else {
    filename "undionly.kpxe";
  }
}
CONF
dhcpd_start "$tmp/userclass.conf"; tftp_start; http_start
boot dhcpd-userclass 0
judge dhcpd-userclass
stop_all

# 2. ISC dhcpd with 209 defined but not requested: pxelinux walks to default. With the
# seed's request-list concat it is sent, and pxelinux loads pxelinux.cfg/boot.
cat > "$tmp/no209.conf" <<CONF
$PXELINUX_SPACE
subnet 192.0.2.0 netmask 255.255.255.0 {
  range 192.0.2.100 192.0.2.150;
  next-server 192.0.2.1;
  site-option-space "pxelinux";
  option pxelinux.magic f1:00:74:7e;
  option pxelinux.configfile "pxelinux.cfg/boot";
  filename "pxelinux.0";
}
CONF
sed 's|  filename "pxelinux.0";|  filename "pxelinux.0";\n  if exists dhcp-parameter-request-list {\n    option dhcp-parameter-request-list = concat(option dhcp-parameter-request-list, d0, d1, d2, d3);\n  }|' \
	"$tmp/no209.conf" > "$tmp/concat.conf"
printf 'pxelinux.configfile = pxelinux.cfg/boot\n' > "$tmp/expect209.site"
dhcpd_start "$tmp/no209.conf"; tftp_start
boot dhcpd-209-not-sent 0
judge dhcpd-209-not-sent NBC-PXELINUX-209-MISSING "$tmp/expect209.site"
grep -q "pxelinux-config .*pxelinux.cfg/default" "$tmp/dhcpd-209-not-sent.fw.log" && ok || bad "no209: the firmware did not walk to default"
stop_all
dhcpd_start "$tmp/concat.conf"; tftp_start
boot dhcpd-209-concat 0
judge dhcpd-209-concat "" "$tmp/expect209.site"
grep -q "pxelinux-config .*pxelinux.cfg/boot" "$tmp/dhcpd-209-concat.fw.log" && ok || bad "concat: 209 did not reach pxelinux"
stop_all

# 3. dnsmasq (its own TFTP) + tgt: sanboot with keep-san to a blank LUN, then the next script.
# no-ping: dnsmasq would otherwise ping each address for seconds before offering it.
cat > "$tmp/dnsmasq.conf" <<CONF
port=0
no-ping
log-facility=-
interface=$vs
bind-interfaces
dhcp-range=192.0.2.100,192.0.2.150,1h
dhcp-userclass=set:ipxe,iPXE
dhcp-boot=tag:!ipxe,undionly.kpxe,,192.0.2.1
dhcp-boot=tag:ipxe,http://192.0.2.1/san.ipxe
enable-tftp
tftp-root=$root
dhcp-leasefile=$tmp/dnsmasq.leases
CONF
dnsmasq_start "$tmp/dnsmasq.conf"; http_start; tgt_start
boot dnsmasq-tgt-keepsan 0
judge dnsmasq-tgt-keepsan
stop_all

# 4. dnsmasq without the user-class tag: iPXE is handed undionly.kpxe again, the loop.
grep -v "dhcp-boot\|dhcp-userclass" "$tmp/dnsmasq.conf" > "$tmp/loop.conf"
echo "dhcp-boot=undionly.kpxe,,192.0.2.1" >> "$tmp/loop.conf"
dnsmasq_start "$tmp/loop.conf"
boot dnsmasq-loop 1 "--max-chain 3"
judge dnsmasq-loop NBC-LOOP-USERCLASS
stop_all

echo "interop-servers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
