#!/bin/sh
# abuse.sh: netboot-serve under hostile clients, in a pair of network namespaces made here
# (a veth pair, 192.0.2.0/24 only): a DHCP starvation flood, a TFTP request storm, HTTP
# slowloris and malformed requests, iSCSI connections that never log in. Checks that the
# server stays correct (answers, bytes, leases), responsive (real clients: busybox udhcpc,
# tftp-hpa, curl, libiscsi's tools, during or right after each attack), that it drops
# stalled clients itself, and that its memory stays under a bound taken from its caps
# (docs/limits.md), and that its log stays bounded too: the DHCP flood's lines are cut by
# the log's rate limit to a bound, with summaries that count what was dropped. The
# attackers are tests/server/abuse.py. Needs root; about a minute.
set -u
SERVE=${1:?usage: abuse.sh NETBOOT-SERVE}
case $SERVE in /*) ;; *) SERVE=$(pwd)/$SERVE ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
ABUSE="python3 $HERE/abuse.py"
if [ "$(id -u)" -ne 0 ]; then
	echo "abuse: FAIL: needs root to create network namespaces"
	exit 1
fi
for tool in python3 busybox tftp curl iscsi-ls iscsi-inq ss; do
	command -v "$tool" >/dev/null 2>&1 || { echo "abuse: FAIL: $tool is not installed"; exit 1; }
done
tmp=$(mktemp -d /tmp/nbc-abuse.XXXXXX) || exit 1
ns_s=nbc-abs-$$
ns_c=nbc-abc-$$
vs=nas$$
vc=nac$$
pid=""
bg=""		# attackers running in the background, by PID
pass=0
fail=0
cleanup() {
	for p in $bg; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	ip netns del "$ns_s" 2>/dev/null
	ip netns del "$ns_c" 2>/dev/null
	# ABUSE_KEEP=FILE keeps the server's log (about 9000 lines).
	[ -n "${ABUSE_KEEP:-}" ] && cp "$tmp/log" "$ABUSE_KEEP"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL abuse: $*"; }
check() {	# check NAME COMMAND...: passes when the command succeeds
	name=$1
	shift
	if "$@"; then ok "$name"; else bad "$name"; fi
}
inc() { ip netns exec "$ns_c" "$@"; }	# a client-side command
ins() { ip netns exec "$ns_s" "$@"; }	# a server-side one (ss)
jget() {	# jget FILE KEY...: a number from a JSON object (0 when absent)
	python3 -c 'import json, sys
try:
    d = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    d = {}
for k in sys.argv[2:]:
    d = d.get(k, 0) if isinstance(d, dict) else 0
print(-int(-d // 1) if isinstance(d, float) else d)' "$@"	# floats rounded up
}
kb() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB\$/\1/p" "/proc/$pid/status"; }
alive() { kill -0 "$pid" 2>/dev/null; }
udp_socks() { ins ss -Huan | wc -l; }
tcp_est() { ins ss -Htn state established | wc -l; }

# Memory bounds, KiB over the RSS at start, from the caps in docs/limits.md ("netboot-serve";
# the struct sizes are x86-64's).
# DHCP: the lease table (24 bytes an address) is allocated at start and a request
# allocates nothing: 4 MiB of slack (stdio, the leases file rewrites) catches a leak of
# 200 bytes a packet over the 20000.
DHCP_KB=4096
# TFTP: 512 transfers at most, each 992 bytes + 2 x blksize (65464 at most) of buffers.
TFTP_KB=$((512 * (992 + 2 * 65464 + 4) / 1024 + 4096))
# HTTP: 256 connections, each 17392 bytes (the 16 KiB head buffer in it) + a 64 KiB
# send buffer.
HTTP_KB=$((256 * (17392 + 65536) / 1024 + 2048))
# iSCSI before login: 64 connections, each 3496 bytes + a 256 KiB PDU input buffer + 256
# KiB of read scratch + 64 KiB of login text + the first 64 KiB of output queue.
ISCSI_KB=$((64 * (3496 + 262463 + 262144 + 65536 + 65536) / 1024 + 2048))
# The log's rate limit (--log-rate RATE/BURST, per kind of line): the default rate (20 a
# second) with a burst of 4000 instead of 200, so that no TFTP, HTTP or iSCSI line is ever
# dropped here (the TFTP storm's 3000 requests give at most 3000 lines of a kind, and the
# transfer counts below read every TFTP line) while the DHCP flood, 20000 lines of one kind
# ("MAC DISCOVER ... -> ..."), is cut to at most BURST + RATE x its seconds.
LOG_RATE=20
LOG_BURST=4000
asan=""
if grep -aq __asan_init "$SERVE"; then
	asan=1	# ASan's shadow memory and quarantine: RSS says nothing about our caps
fi

ip netns add "$ns_s" && ip netns add "$ns_c" &&
	ip link add "$vs" type veth peer name "$vc" &&
	ip link set "$vs" netns "$ns_s" && ip link set "$vc" netns "$ns_c" &&
	ip -n "$ns_s" addr add 192.0.2.1/24 dev "$vs" && ip -n "$ns_s" link set "$vs" up &&
	ip -n "$ns_s" link set lo up && ip -n "$ns_c" link set lo up &&
	ip -n "$ns_c" addr add 192.0.2.2/24 dev "$vc" && ip -n "$ns_c" link set "$vc" up ||
	{ echo "abuse: FAIL: cannot set up the namespaces"; exit 1; }
# Three DHCP clients with MACs of their own (macvlans on the client's veth): A gets a
# lease before the flood, S is a dhcp.host, L is new after it.
MAC_A=52:54:00:00:0a:0a
MAC_S=52:54:00:00:05:05
MAC_L=52:54:00:00:0b:0b
for m in A S L; do
	eval "mac=\$MAC_$m"
	ip -n "$ns_c" link add link "$vc" name "mv$m$$" address "$mac" type macvlan mode bridge &&
		ip -n "$ns_c" link set "mv$m$$" up ||
		{ echo "abuse: FAIL: cannot add a macvlan"; exit 1; }
done

mkdir "$tmp/tftp" "$tmp/http"
head -c 200000 /dev/urandom > "$tmp/tftp/undionly.kpxe"
head -c 3000000 /dev/urandom > "$tmp/tftp/big.bin"
printf '#!ipxe\nchain http://192.0.2.1/next.ipxe\n' > "$tmp/http/boot.ipxe"
head -c 1048576 /dev/urandom > "$tmp/http/big.bin"
truncate -s 8M "$tmp/disk.img"
cat > "$tmp/site" <<SITE
server.address = 192.0.2.1
dhcp.pool = 192.0.2.100 192.0.2.163
dhcp.router = 192.0.2.1
dhcp.leases-file = leases
dhcp.host = $MAC_S 192.0.2.105
boot.bios = undionly.kpxe
boot.ipxe-script = http://192.0.2.1/boot.ipxe
tftp.root = tftp
http.root = http
iscsi.lun = iqn.2026-11.test:abuse 0 disk.img ro
SITE
cat > "$tmp/event.sh" <<'EV'
#!/bin/sh
[ "$1" = bound ] && env > "$OUT"
exit 0
EV
chmod +x "$tmp/event.sh"

: > "$tmp/log"
# With the usual soft limit of 1024 descriptors (the server raises it: its caps need ~1700).
t_start=$(date +%s)
(ulimit -Sn 1024 && exec ip netns exec "$ns_s" "$SERVE" --site "$tmp/site" --iface "$vs" \
	--log-rate "$LOG_RATE/$LOG_BURST" 2>> "$tmp/log") &
pid=$!
i=0
while [ $i -lt 100 ] && ! grep -q "netboot-serve: ready" "$tmp/log"; do
	alive || break
	sleep 0.1
	i=$((i + 1))
done
if ! grep -q "netboot-serve: ready" "$tmp/log" || [ "$(cat "/proc/$pid/comm")" != netboot-serve ]; then
	echo "abuse: FAIL: the server did not start: $(tail -5 "$tmp/log")"
	exit 1
fi
soft=$(sed -n 's/^Max open files *\([0-9]*\) .*/\1/p' "/proc/$pid/limits")
if [ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge 1700 ]; then
	check "the server raised its descriptor limit from 1024 ($soft)" test "$soft" -ge 1700
else
	echo "abuse: hard descriptor limit $(ulimit -Hn): the server cannot reach its caps here"
fi
rss0=$(kb VmRSS)
fds0=$(ls "/proc/$pid/fd" | wc -l)
udp0=$(udp_socks)
echo "abuse: server PID $pid, RSS at start $rss0 KiB, $fds0 fds${asan:+ (ASan build: RSS bounds not checked)}"

# rss_check NAME BEFORE BOUND: RSS now at most BEFORE + BOUND KiB.
peak=0
rss_check() {
	now=$(kb VmRSS)
	[ "$now" -gt "$peak" ] && peak=$now
	echo "abuse: RSS $1: $2 -> $now KiB (growth $((now - $2)), bound $3)"
	[ -n "$asan" ] && return
	check "RSS $1 grows at most $3 KiB" test $((now - $2)) -le "$3"
}

# xfers: "MOST LIVE LIVE255": TFTP transfers at once at most, in progress now, and of
# those how many asked for timeout=255; from the log, which has a line when each starts
# (OACK or DATA) and one when it ends.
xfers() {
	awk '$1 == "tftp" && / -> (OACK|DATA, )/ {
		if (!($2 in live)) n++; live[$2] = 1; slow[$2] = /timeout=255/
		if (n > most) most = n; next }
	$1 == "tftp" && /giving up|dropped to make room|bytes in .* blocks|client sent ERROR|size probe|aborted/ {
		if ($2 in live) { delete live[$2]; n-- } }
	END { for (p in live) s += slow[p]; print most + 0, n + 0, s + 0 }' "$tmp/log"
}

# client NAME OUT IFACE: one bounded DHCP exchange with busybox udhcpc on IFACE.
client() {
	rm -f "$2"
	OUT=$2 timeout 15 ip netns exec "$ns_c" busybox udhcpc -i "$3" -n -q -f -t 3 -T 1 \
		-s "$tmp/event.sh" -V PXEClient:Arch:00000:UNDI:002001 > /dev/null 2>&1
}
val() { sed -n "s/^$2=//p" "$1"; }
# udp_drops: datagrams the server's kernel dropped for a full socket buffer (all sockets).
udp_drops() {
	ins awk '$1 == "Udp:" { if (!h) { for (i = 2; i <= NF; i++) k[i] = $i; h = 1; next }
		for (i = 2; i <= NF; i++) if (k[i] == "RcvbufErrors") print $i }' /proc/net/snmp
}
# dhcp_log: "LINES SUMMARIES SUPPRESSED": the log's DHCP lines about a client (one kind,
# the lines of the rate limit's one class), its DHCP summaries, and the lines they count.
dhcp_log() {
	awk '$1 == "dhcp" && $2 == "-" && $4 == "similar" && $6 == "suppressed" { s++; n += $3; next }
	$1 == "dhcp" && $2 != "-" && !/ -> send failed|ignored: .* bytes that are not a DHCP message/ { l++ }
	END { print l + 0, s + 0, n + 0 }' "$tmp/log"
}

# ---- 1. DHCP starvation ----
client A "$tmp/a" "mvA$$"
ip_a=$(val "$tmp/a" ip)
case $ip_a in 192.0.2.1[0-6][0-9]) ok "client A leased $ip_a before the flood" ;; *) bad "client A got no lease: '$ip_a'" ;; esac
rss=$(kb VmRSS)
drops0=$(udp_drops)
inc timeout 60 $ABUSE dhcp-flood "$vc" --server 192.0.2.1 --pool-first 192.0.2.100 \
	--pool-last 192.0.2.163 --count 20000 --rate 2500 --max-seconds 30 > "$tmp/flood.json"
echo "abuse: DHCP flood: $(cat "$tmp/flood.json")"
check "DHCP flood: 20000 packets sent" test "$(jget "$tmp/flood.json" sent)" -eq 20000
check "DHCP flood: the flood got ACKs (its REQUESTs of the OFFERs)" test "$(jget "$tmp/flood.json" acks)" -ge 1
check "server alive after the DHCP flood" alive
# The log: every DHCP line so far is of one class, whose bucket was full at the start: at
# most BURST + RATE x the seconds since (rounded up) + 1 (a token's rounding), however
# many packets; and summaries of the rest (one a second at most, as lines still pass).
flood_drops=$(($(udp_drops) - drops0))
secs=$(($(date +%s) - t_start + 1))
bound=$((LOG_BURST + LOG_RATE * secs + 1))
set -- $(dhcp_log)
echo "abuse: DHCP log after the flood: $1 lines about clients, $2 summaries counting $3 more ($secs s; the kernel dropped $flood_drops datagrams)"
check "DHCP flood: $1 log lines for 20000 packets, at most $LOG_BURST + $LOG_RATE x $secs s + 1 = $bound" \
	test "$1" -le "$bound" -a "$bound" -lt 10000
check "DHCP flood: the log says what it dropped ($2 'similar lines suppressed' summaries)" test "$2" -ge 1 -a "$2" -le $((secs + 1))
# The leases file: parses, no address or MAC twice, all in the pool, the pool exhausted
# (64 addresses, one of them the static host's: 63 leases), A's lease kept, the static
# address never leased.
awk -v now="$(date +%s)" '
	/^#/ { next }
	NF != 3 || length($1) != 17 || $1 !~ /^[0-9a-f:]+$/ || $2 !~ /^192\.0\.2\.[0-9]+$/ ||
	    $3 !~ /^[0-9]+$/ || $3 + 0 <= now { bad++; next }
	{ split($2, o, "."); if (o[4] < 100 || o[4] > 163) out++
	  if (ip[$2]++) dupip++; if (mac[$1]++) dupmac++; n++ }
	END { printf "%d %d %d %d %d\n", n, bad, out, dupip, dupmac }' "$tmp/leases" > "$tmp/lc"
read -r n_leases n_bad n_out n_dupip n_dupmac < "$tmp/lc"
echo "abuse: leases file: $n_leases leases, $n_bad bad lines, $n_out out of the pool, $n_dupip/$n_dupmac duplicate IPs/MACs"
check "leases file: every line parses" test "$n_bad" -eq 0
check "leases file: no address or MAC twice, all in the pool" test "$n_dupip$n_dupmac$n_out" = 000
check "leases file: the pool is exhausted (63 leases)" test "$n_leases" -eq 63
check "leases file: A keeps $ip_a" grep -q "^$MAC_A $ip_a " "$tmp/leases"
check "leases file: the static host's 192.0.2.105 is never leased to another MAC" \
	sh -c "! grep -v '^$MAC_S' '$tmp/leases' | grep -q ' 192.0.2.105 '"
# The static host still gets its address; a new client gets no offer, quickly.
if client S "$tmp/s" "mvS$$"; then
	check "static host gets 192.0.2.105 after the flood" test "$(val "$tmp/s" ip)" = 192.0.2.105
else
	bad "static host got no lease after the flood: $(grep "$MAC_S" "$tmp/log" | tail -2)"
fi
t=$(date +%s)
client L "$tmp/l" "mvL$$"
rc=$?
t=$(($(date +%s) - t))
check "new client after the flood: no lease, udhcpc gives up by itself (rc $rc, $t s)" \
	test "$rc" -ne 0 -a "$rc" -ne 124 -a "$t" -le 10
check "the log says why: no free address in the pool" grep -q "$MAC_L DISCOVER .*-> no free address in the pool" "$tmp/log"
got=$(inc timeout 10 $ABUSE dhcp-one "$vc" --msg request --ip "$ip_a" --wait 3)
check "REQUEST for A's address from another MAC: NAK ($got)" test "$got" = NAK
inc timeout 10 $ABUSE dhcp-one "$vc" --msg decline --ip "$ip_a" --wait 0.5 > /dev/null
check "DECLINE of A's address from another MAC: ignored, logged" grep -q "DECLINE .*-> ignored: DECLINE of an address not offered or leased to this client" "$tmp/log"
check "leases file: A still holds $ip_a after the spoofed DECLINE" grep -q "^$MAC_A $ip_a " "$tmp/leases"
if client A "$tmp/a2" "mvA$$"; then
	check "client A renews $ip_a after the flood" test "$(val "$tmp/a2" ip)" = "$ip_a"
else
	bad "client A got no lease after the flood"
fi
rss_check "over the DHCP flood" "$rss" "$DHCP_KB"

# ---- 2. HTTP slowloris and iSCSI connections that never log in, in the background ----
rss=$(kb VmRSS)
inc $ABUSE http-slowloris 192.0.2.1 80 --conns 300 --hold 48 --out "$tmp/slow.json" &
bg="$bg $!"
inc $ABUSE iscsi-idle 192.0.2.1 3260 --conns 100 --partial 20 --hold 48 --out "$tmp/idle.json" &
bg="$bg $!"
t_attack=$(date +%s)
i=0
while [ $i -lt 100 ]; do	# until both caps are full, 10 s at most
	h=$(ins ss -Htn state established '( sport = :80 )' | wc -l)
	s=$(ins ss -Htn state established '( sport = :3260 )' | wc -l)
	[ "$h" -ge 256 ] && [ "$s" -ge 64 ] && break
	sleep 0.1
	i=$((i + 1))
done
echo "abuse: slowloris holds $h HTTP connections, idle initiators $s iSCSI connections"
check "HTTP connections capped at 256 (slowloris: $h)" test "$h" -eq 256
check "iSCSI connections capped at 64 (idle: $s)" test "$s" -eq 64
rss_check "with 256 HTTP and 64 iSCSI connections held" "$rss" $((HTTP_KB + ISCSI_KB))

# ---- 3. TFTP request storm (slowloris and idle initiators still connected) ----
rss=$(kb VmRSS)
inc timeout 60 $ABUSE tftp-storm 192.0.2.1 69 --files undionly.kpxe,big.bin \
	--sizes "undionly.kpxe=200000,big.bin=3000000" --wave 1500 --waves 2 --pause 2.5 > "$tmp/storm.json"
echo "abuse: TFTP storm: $(cat "$tmp/storm.json")"
check "server alive after the TFTP storm" alive
check "TFTP storm: the cap was reached (ERROR 0 server busy)" test "$(jget "$tmp/storm.json" replies busy)" -ge 1
check "TFTP storm: missing files get ERROR 1" test "$(jget "$tmp/storm.json" replies error1)" -ge 1
check "TFTP storm: OACK blksize at most 65464" test "$(jget "$tmp/storm.json" oack_blksize_max)" -le 65464
check "TFTP storm: OACK windowsize capped at 64" test "$(jget "$tmp/storm.json" oack_windowsize_max)" -le 64
check "TFTP storm: every OACK tsize is the file's size" test "$(jget "$tmp/storm.json" oack_tsize_bad)" -eq 0
check "TFTP: silent transfers dropped to make room at the cap" grep -q "transfer dropped to make room (512 transfers, the cap)" "$tmp/log"
n=$(awk '/-> OACK.*timeout=255/ { t[$2] = 1 } /transfer dropped to make room/ && ($2 in t) { n++ } END { print n + 0 }' "$tmp/log")
check "TFTP: transfers that asked for timeout=255 (25 min of backoff) dropped at the cap ($n)" test "$n" -ge 1
# The last wave's transfers are under 2 s old: none may be dropped yet (EVICT_SILENCE),
# so a client needs to come 2 s after the storm (before the change: 31 s, the backoff).
sleep 2.5
if inc timeout 30 tftp -v 192.0.2.1 -m binary -c get undionly.kpxe "$tmp/nbp" > "$tmp/tftp.out" 2>&1 &&
	cmp -s "$tmp/tftp/undionly.kpxe" "$tmp/nbp"; then
	ok "tftp-hpa downloads the NBP right after the storm, identical"
else
	bad "tftp-hpa download after the storm: $(tail -2 "$tmp/tftp.out")"
fi
# Up to three tries, a second apart: on a loaded machine curl's TFTP client sometimes fails
# on its own (getpeername: ENOTCONN) when a stalled transfer is being dropped to make room.
got=1
for try in 1 2 3; do
	if inc timeout 30 curl -sS --tftp-blksize 1468 -o "$tmp/nbp2" tftp://192.0.2.1/undionly.kpxe > "$tmp/tftp.out" 2>&1 &&
		cmp -s "$tmp/tftp/undionly.kpxe" "$tmp/nbp2"; then
		got=0
		break
	fi
	sleep 1
done
if [ $got -eq 0 ]; then
	ok "curl (blksize 1468, tsize) downloads the NBP right after the storm, identical"
else
	bad "curl TFTP download after the storm: $(tail -2 "$tmp/tftp.out")"
fi
# Transfers in progress, counted from the log (sampling sockets with ss is not exact: its
# dump is not atomic).
most=$(xfers | cut -d' ' -f1)
check "TFTP transfers in progress never above 512 (the log's count: $most)" test "$most" -le 512 -a "$most" -ge 500
rss_check "over the TFTP storm" "$rss" "$TFTP_KB"

# ---- 4. Real clients and malformed requests, slowloris and idle initiators still there ----
for k in 1 2 3; do
	code=$(inc timeout 15 curl -s --max-time 10 -o "$tmp/got.ipxe" -w '%{http_code}' http://192.0.2.1/boot.ipxe)
	check "curl GET boot.ipxe during slowloris ($k): 200, identical" \
		sh -c "[ '$code' = 200 ] && cmp -s '$tmp/http/boot.ipxe' '$tmp/got.ipxe'"
done
if inc timeout 20 iscsi-ls iscsi://192.0.2.1 > "$tmp/ils" 2>&1 && grep -q "Target:iqn.2026-11.test:abuse" "$tmp/ils"; then
	ok "iscsi-ls during the idle-connection attack lists the target"
else
	bad "iscsi-ls during the idle-connection attack: $(head -3 "$tmp/ils")"
fi
if inc timeout 20 iscsi-inq iscsi://192.0.2.1/iqn.2026-11.test:abuse/0 > "$tmp/iinq" 2>&1 && grep -q "^Vendor:NETBOOT" "$tmp/iinq"; then
	ok "iscsi-inq during the idle-connection attack"
else
	bad "iscsi-inq during the idle-connection attack: $(head -3 "$tmp/iinq")"
fi
inc timeout 120 $ABUSE http-hostile 192.0.2.1 80 --boot "$tmp/http/boot.ipxe" --big "$tmp/http/big.bin" > "$tmp/hostile.out" 2>&1
sed 's/^/  http: /' "$tmp/hostile.out"
check "malformed and absurd HTTP requests: all answered as they should be" \
	sh -c "[ \$(grep -c '^ok ' '$tmp/hostile.out') -eq 28 ] && ! grep -q '^FAIL\|Traceback' '$tmp/hostile.out'"
inc timeout 60 $ABUSE iscsi-hostile 192.0.2.1 3260 > "$tmp/ihostile.out" 2>&1
sed 's/^/  iscsi: /' "$tmp/ihostile.out"
check "hostile iSCSI PDUs: each closed or refused as it should be" \
	sh -c "[ \$(grep -c '^ok ' '$tmp/ihostile.out') -eq 4 ] && ! grep -q '^FAIL\|Traceback' '$tmp/ihostile.out'"
check "server alive under slowloris and idle initiators" alive

# ---- 5. The attacks end; the server has dropped everything by itself ----
for p in $bg; do	# the attackers stop after --hold 48 s; 60 s at most here
	i=0
	while [ $i -lt 600 ] && kill -0 "$p" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
	kill "$p" 2>/dev/null
	wait "$p" 2>/dev/null
done
bg=""
echo "abuse: slowloris: $(cat "$tmp/slow.json" 2>/dev/null)"
echo "abuse: idle initiators: $(cat "$tmp/idle.json" 2>/dev/null)"
check "slowloris: 300 connections opened" test "$(jget "$tmp/slow.json" opened)" -eq 300
check "slowloris: every connection closed by the server" test "$(jget "$tmp/slow.json" still_open)" -eq 0
# Past 256 each new one got a 503 or closed an older stalled one (no answer): 44 at least.
check "slowloris: refused (503) or evicted past the cap" \
	test $(($(jget "$tmp/slow.json" status 503) + $(jget "$tmp/slow.json" status none))) -ge 44
check "slowloris: 408 after the header timeout, trickling did not extend it" \
	test "$(jget "$tmp/slow.json" status 408)" -ge 1
check "slowloris: none lived past 45 s (header timeout 30 s)" test "$(jget "$tmp/slow.json" max_seconds)" -le 45
check "slowloris: the log has the header timeouts and the evictions" \
	sh -c "grep -q 'timed out waiting for the request head' '$tmp/log' && grep -q 'http .*closed to make room: waited' '$tmp/log'"
check "idle initiators: 100 connections opened" test "$(jget "$tmp/idle.json" opened)" -eq 100
check "idle initiators: every connection closed by the server, none answered" \
	test "$(jget "$tmp/idle.json" still_open)$(jget "$tmp/idle.json" answered)" = 00
check "idle initiators: none lived past 45 s (login timeout 30 s)" test "$(jget "$tmp/idle.json" max_seconds)" -le 45
# Past 64 each new one was refused or closed an older one (which of the two depends on
# how fast they came: 2 s apart or not), the rest timed out.
n=$(grep -c 'iscsi .*\(connection refused: 64 connections already\|no login after .*closed to make room\)' "$tmp/log")
check "idle initiators: $n refused or evicted at the cap (36 at least), the rest timed out (log)" \
	sh -c "[ $n -ge 36 ] && grep -q 'login timeout' '$tmp/log'"
# TFTP transfers give up after 31 s of backoff (1+2+4+8+8+8): wait for the last one, 45 s
# at most. Only one that asked for timeout=255 and was not needed for room may still be
# there (6 x 255 s, RFC 2349); none is, unless the server missed part of the storm.
i=0
while [ $i -lt 450 ] && [ "$(xfers | cut -d' ' -f2)" -gt "$(xfers | cut -d' ' -f3)" ]; do
	sleep 0.1
	i=$((i + 1))
done
set -- $(xfers)
echo "abuse: TFTP transfers still in progress: $2 ($3 of them with timeout=255)"
check "TFTP: every stalled transfer with the default timeout gave up" test "$2" -eq "$3"
check "TFTP: one UDP socket per transfer left, no more ($(udp_socks) with $udp0 at start)" \
	test "$(udp_socks)" -eq $((udp0 + $2))
check "TCP: no connection left open" test "$(tcp_est)" -eq 0
fds=$(ls "/proc/$pid/fd" | wc -l)
check "file descriptors back to $fds0, plus a socket and a file per transfer left ($fds)" \
	test "$fds" -eq $((fds0 + 2 * $2))
hwm=$(kb VmHWM)
[ "$peak" -gt "$hwm" ] && hwm=$peak	# VmHWM and VmRSS are both approximate counters
bound=$((DHCP_KB + TFTP_KB + HTTP_KB + ISCSI_KB))
echo "abuse: peak RSS $hwm KiB: $((hwm - rss0)) over the start, bound $bound"
[ -z "$asan" ] && check "peak RSS at most $bound KiB over the start" test $((hwm - rss0)) -le "$bound"
code=$(inc timeout 15 curl -s --max-time 10 -o "$tmp/got.ipxe" -w '%{http_code}' http://192.0.2.1/boot.ipxe)
check "curl GET boot.ipxe after everything: 200" test "$code" = 200
check "iscsi-inq after everything" sh -c "ip netns exec '$ns_c' timeout 20 iscsi-inq iscsi://192.0.2.1/iqn.2026-11.test:abuse/0 2>&1 | grep -q '^Vendor:NETBOOT'"

# ---- 6. A clean stop ----
kill "$pid"
wait "$pid"
rc=$?
pid=""
check "exit status 0 after SIGTERM (was $rc)" test "$rc" -eq 0
check "the log ends with a clean stop" grep -q "stopping" "$tmp/log"
# "stopping" wrote every summary still due: each DHCP message the server received (the
# flood's, less what the kernel dropped, and the few real clients') was logged or counted.
set -- $(dhcp_log)
sent=$(jget "$tmp/flood.json" sent)
check "DHCP: every message logged ($1) or counted as suppressed ($3): $((sent - flood_drops)) to $((sent + 100))" \
	test $(($1 + $3)) -ge $((sent - flood_drops)) -a $(($1 + $3)) -le $((sent + 100))
# Only the DHCP flood was cut: the transfer and connection counts above read every line.
check "no TFTP, HTTP or iSCSI line suppressed (burst $LOG_BURST)" \
	sh -c "! grep -q '^\(tftp\|http\|iscsi\) - [0-9]* similar lines\? suppressed' '$tmp/log'"
check "no sanitizer report in the log" sh -c "! grep -q 'Sanitizer\|runtime error' '$tmp/log'"
echo "abuse: $(wc -l < "$tmp/log") log lines, $(($(date +%s) - t_attack)) s since the TCP attacks started"
echo "abuse: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
