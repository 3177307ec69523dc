#!/bin/sh
# dhcpc.sh: netboot-firmware's DHCP stage (firmware/dhcpc.c) against netboot-serve, in network
# namespaces made here (192.0.2.0/24 only): PXE ROM and iPXE personas, the address put on the
# interface, no server at all, and a plain DHCP server beside a proxyDHCP. Needs root.
# usage: tests/e2e/dhcpc.sh [NETBOOT-SERVE]   (run from the top of the tree)
set -u
SERVE=${1:-build/bin/netboot-serve}
case $SERVE in /*) ;; *) SERVE=$(pwd)/$SERVE ;; esac
if [ "$(id -u)" -ne 0 ]; then
	echo "dhcpc: FAIL: needs root to create network namespaces"
	exit 1
fi
[ -x "$SERVE" ] || { echo "dhcpc: FAIL: no $SERVE (make $SERVE first)"; exit 1; }
tmp=$(mktemp -d)
ns_s=nbc-dcs-$$
ns_c=nbc-dcc-$$
ns_p=nbc-dcp-$$
ns_b=nbc-dcb-$$
vs=dcs$$
vc=dcc$$
pids=""
pass=0
fail=0
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	for n in "$ns_s" "$ns_c" "$ns_p" "$ns_b"; do
		ip netns del "$n" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL dhcpc: $*"; fail=$((fail + 1)); }
val() { sed -n "s/^$2=//p" "$1"; }

# The test driver: one dhcpc_run + dhcpc_configure, the lease as KEY=VALUE lines.
cat > "$tmp/drive.c" <<'C'
/* drive.c: runs firmware/dhcpc.c once and prints the lease (tests/e2e/dhcpc.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/dhcpc.h"
#include "proto/net.h"

static void logline(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "dhcpc: %s\n", line);
}

int main(int argc, char **argv)
{
	struct dhcpc_conf c;
	struct dhcpc_lease l;
	char err[256], a[8][16];

	if (argc < 5) {
		fprintf(stderr, "usage: drive IFACE pxe|ipxe ARCH TIMEOUT\n");
		return 2;
	}
	memset(&c, 0, sizeof(c));
	c.iface = argv[1];
	c.persona = strcmp(argv[2], "ipxe") == 0 ? DHCPC_IPXE : DHCPC_PXE_ROM;
	c.arch = (uint16_t)atoi(argv[3]);
	c.timeout = atof(argv[4]);
	c.server_port = 67;
	for (int i = 0; i < 16; i++)
		c.uuid[i] = (uint8_t)(0x10 + i);
	if (dhcpc_run(&c, &l, logline, NULL, err, sizeof(err)) < 0) {
		printf("error=%s\n", err);
		return 1;
	}
	if (dhcpc_configure(c.iface, &l, err, sizeof(err)) < 0) {
		printf("error=configure: %s\n", err);
		return 1;
	}
	printf("ip=%s\nnetmask=%s\nrouter=%s\nserver_id=%s\nsiaddr=%s\nboot_server=%s\n",
	       net_ip_str(l.ip, a[0], 16), net_ip_str(l.netmask, a[1], 16),
	       net_ip_str(l.router, a[2], 16), net_ip_str(l.server_id, a[3], 16),
	       net_ip_str(l.siaddr, a[4], 16), net_ip_str(l.boot_server, a[5], 16));
	printf("bootfile=%s\ntftp_server=%s\nhas_209=%d\nconfigfile=%s\nhas_210=%d\n"
	       "pathprefix=%s\nroot_path=%s\nkeep_san=%d\nskip_san_boot=%d\nfrom_proxy=%d\n"
	       "has_uuid=%d\n",
	       l.bootfile, l.tftp_server, l.has_209, l.configfile, l.has_210, l.pathprefix,
	       l.root_path, l.keep_san, l.skip_san_boot, l.from_proxy, l.has_uuid);
	return 0;
}
C
cc -std=c11 -D_DEFAULT_SOURCE -O1 -g -Wall -Wextra -Werror -I. "$tmp/drive.c" firmware/dhcpc.c \
	proto/dhcp.c proto/net.c -o "$tmp/drive" 2> "$tmp/cc.log" ||
	{ echo "dhcpc: FAIL: cannot build the driver: $(head -5 "$tmp/cc.log")"; exit 1; }

# start NS IFACE SITE LOG: one netboot-serve in NS; its PID joins $pids.
start() {
	: > "$4"
	ip netns exec "$1" "$SERVE" --site "$3" --iface "$2" 2>> "$4" &
	spid=$!
	pids="$pids $spid"
	i=0
	while [ $i -lt 100 ] && ! grep -q "netboot-serve: ready" "$4"; do
		kill -0 "$spid" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	grep -q "netboot-serve: ready" "$4" || { bad "server did not start: $(cat "$4")"; exit 1; }
}
stop() {
	kill "$1" 2>/dev/null && wait "$1" 2>/dev/null
	pids=$(echo "$pids" | sed "s/ $1\b//")
}
# drive NAME PERSONA ARCH TIMEOUT: the driver in the client namespace, bounded.
drive() {
	ip -n "$ns_c" addr flush dev "$vc" 2>/dev/null
	timeout 60 ip netns exec "$ns_c" "$tmp/drive" "$vc" "$2" "$3" "$4" \
		> "$tmp/$1.out" 2> "$tmp/$1.log"
}

ip netns add "$ns_s" && ip netns add "$ns_c" &&
	ip link add "$vs" type veth peer name "$vc" &&
	ip link set "$vs" netns "$ns_s" && ip link set "$vc" netns "$ns_c" &&
	ip -n "$ns_s" addr add 192.0.2.1/24 dev "$vs" && ip -n "$ns_s" link set "$vs" up &&
	ip -n "$ns_s" link set lo up && ip -n "$ns_c" link set lo up &&
	ip -n "$ns_c" link set "$vc" up ||
	{ echo "dhcpc: FAIL: cannot set up the namespaces"; exit 1; }

cat > "$tmp/site" <<SITE
server.address = 192.0.2.1
dhcp.pool = 192.0.2.100 192.0.2.110
boot.bios = undionly.kpxe
boot.ipxe-script = http://192.0.2.1/boot.ipxe
pxelinux.configfile = pxelinux.cfg/boot
SITE
start "$ns_s" "$vs" "$tmp/site" "$tmp/serve.log"
spid_main=$spid

# 1. PXE ROM persona: an address, the BIOS NBP, 209 (forced by the server), on the interface.
if drive pxe pxe 0 20; then
	ip=$(val "$tmp/pxe.out" ip)
	case $ip in 192.0.2.1[01][0-9]) ok ;; *) bad "PXE ROM got address '$ip'" ;; esac
	[ "$(val "$tmp/pxe.out" bootfile)" = undionly.kpxe ] && ok ||
		bad "PXE ROM boot file '$(val "$tmp/pxe.out" bootfile)'"
	[ "$(val "$tmp/pxe.out" has_209)" = 1 ] &&
		[ "$(val "$tmp/pxe.out" configfile)" = pxelinux.cfg/boot ] && ok ||
		bad "PXE ROM: no 209 pxelinux.cfg/boot in the lease"
	[ "$(val "$tmp/pxe.out" server_id)" = 192.0.2.1 ] &&
		[ "$(val "$tmp/pxe.out" siaddr)" = 192.0.2.1 ] && ok ||
		bad "PXE ROM: server id/siaddr $(val "$tmp/pxe.out" server_id)/$(val "$tmp/pxe.out" siaddr)"
	ip -n "$ns_c" -4 addr show dev "$vc" | grep -q "inet $ip/24" && ok ||
		bad "$ip/24 not on $vc after dhcpc_configure: $(ip -n "$ns_c" -4 addr show dev "$vc")"
	for m in "-> DISCOVER" "<- OFFER" "-> REQUEST" "<- ACK"; do
		grep -q -- "$m" "$tmp/pxe.log" && ok || bad "PXE ROM log lacks '$m'"
	done
	[ "$(val "$tmp/pxe.out" from_proxy)" = 0 ] && ok || bad "PXE ROM: from_proxy set"
else
	bad "PXE ROM: $(cat "$tmp/pxe.out") $(tail -3 "$tmp/pxe.log")"
fi
# The server saw a PXE ROM (its log names the boot file it gave).
grep -q "undionly.kpxe" "$tmp/serve.log" && ok || bad "server log lacks undionly.kpxe"

# 2. iPXE persona (user class iPXE, 175): the script URL, never the iPXE binary again.
if drive ipxe ipxe 0 20; then
	[ "$(val "$tmp/ipxe.out" bootfile)" = "http://192.0.2.1/boot.ipxe" ] && ok ||
		bad "iPXE boot file '$(val "$tmp/ipxe.out" bootfile)'"
	ip=$(val "$tmp/ipxe.out" ip)
	ip -n "$ns_c" -4 addr show dev "$vc" | grep -q "inet $ip/24" && ok ||
		bad "iPXE: $ip/24 not on $vc"
else
	bad "iPXE: $(cat "$tmp/ipxe.out") $(tail -3 "$tmp/ipxe.log")"
fi

# 3. No server: a bounded failure with a one-line reason.
stop "$spid_main"
start_t=$(date +%s)
if drive none pxe 0 3; then
	bad "a lease without a server: $(cat "$tmp/none.out")"
else
	grep -q "^error=no DHCP offer within [0-9]* s" "$tmp/none.out" && ok ||
		bad "no-server error: '$(cat "$tmp/none.out")'"
fi
[ $(($(date +%s) - start_t)) -le 6 ] && ok || bad "the 3 s timeout took $(($(date +%s) - start_t)) s"

# 4. proxyDHCP (PXE 2.1): a plain DHCP server (addresses, no boot keys) and a proxy with the
# boot policy, on one bridge. The PXE ROM takes the address from the first and the boot
# file from the proxy's port 4011.
ip netns add "$ns_p" && ip netns add "$ns_b" &&
	ip -n "$ns_b" link add br0 type bridge && ip -n "$ns_b" link set br0 up &&
	ip -n "$ns_c" link del "$vc" &&
	ip link add dcS$$ type veth peer name dbS$$ && ip link add dcP$$ type veth peer name dbP$$ &&
	ip link add "$vc" type veth peer name dbC$$ &&
	ip link set dcS$$ netns "$ns_s" && ip link set dcP$$ netns "$ns_p" &&
	ip link set "$vc" netns "$ns_c" &&
	for e in dbS$$ dbP$$ dbC$$; do
		ip link set "$e" netns "$ns_b" && ip -n "$ns_b" link set "$e" master br0 &&
			ip -n "$ns_b" link set "$e" up || exit 1
	done &&
	ip -n "$ns_s" addr add 192.0.2.1/24 dev dcS$$ && ip -n "$ns_s" link set dcS$$ up &&
	ip -n "$ns_p" addr add 192.0.2.2/24 dev dcP$$ && ip -n "$ns_p" link set dcP$$ up &&
	ip -n "$ns_p" link set lo up && ip -n "$ns_c" link set "$vc" up ||
	{ bad "cannot set up the proxyDHCP namespaces"; exit 1; }
cat > "$tmp/site-plain" <<SITE
server.address = 192.0.2.1
dhcp.pool = 192.0.2.100 192.0.2.110
SITE
cat > "$tmp/site-proxy" <<SITE
server.address = 192.0.2.2
dhcp.proxy = yes
boot.bios = pxelinux.0
boot.ipxe-script = http://192.0.2.2/boot.ipxe
pxelinux.configfile = pxelinux.cfg/boot
SITE
start "$ns_s" dcS$$ "$tmp/site-plain" "$tmp/plain.log"
start "$ns_p" dcP$$ "$tmp/site-proxy" "$tmp/proxy.log"
if drive proxy pxe 0 25; then
	o=$tmp/proxy.out
	case $(val "$o" ip) in 192.0.2.1[01][0-9]) ok ;; *) bad "proxy setup: address '$(val "$o" ip)'" ;; esac
	[ "$(val "$o" server_id)" = 192.0.2.1 ] && ok || bad "proxy setup: server id $(val "$o" server_id)"
	[ "$(val "$o" bootfile)" = pxelinux.0 ] && ok || bad "proxy setup: boot file '$(val "$o" bootfile)'"
	[ "$(val "$o" from_proxy)" = 1 ] && [ "$(val "$o" boot_server)" = 192.0.2.2 ] && ok ||
		bad "proxy setup: from_proxy $(val "$o" from_proxy) boot_server $(val "$o" boot_server)"
	grep -q "REQUEST to proxyDHCP 192.0.2.2:4011" "$tmp/proxy.log" && ok ||
		bad "proxy setup: no REQUEST to 4011 in the client log"
	grep -q "proxyDHCP" "$tmp/proxy.log" && ok || bad "proxy setup: no proxy offer logged"
else
	bad "proxy setup: $(cat "$tmp/proxy.out") $(tail -5 "$tmp/proxy.log")"
fi

grep -q "AddressSanitizer\|runtime error" "$tmp"/*.log && bad "sanitizer report in a log" || ok
[ "$fail" -eq 0 ] && [ -z "${VERBOSE:-}" ] || { echo "--- client logs"; tail -n 20 "$tmp"/pxe.log "$tmp"/ipxe.log "$tmp"/proxy.log 2>/dev/null; }
echo "dhcpc: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
