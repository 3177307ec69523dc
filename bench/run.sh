#!/bin/sh
# run.sh (make bench): netboot-serve against its peers, measured in the same run on this
# machine, with the same client for both: TFTP (curl) against tftpd-hpa, iSCSI reads
# (libiscsi's iscsi-perf) against tgt, DHCP (perfdhcp, in network namespaces on
# 192.0.2.0/24) against dnsmasq and ISC dhcpd when installed. Writes bench/RESULTS.md.
# Not a test: nothing here asserts a time.
set -u
SERVE=${1:?usage: run.sh NETBOOT-SERVE}
case $SERVE in /*) ;; *) SERVE=$(pwd)/$SERVE ;; esac
tmp=$(mktemp -d)
# stop PID: SIGTERM, then SIGKILL if it is still there after 3 s; reaped either way.
stop() {
	kill "$1" 2>/dev/null || return 0
	n=0
	while [ $n -lt 30 ] && kill -0 "$1" 2>/dev/null; do sleep 0.1; n=$((n + 1)); done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
pids=""
cleanup() {
	# tgtd exits on SIGTERM only once it has no targets.
	[ -n "${tgtc:-}" ] && tgtadm -C "$tgtc" --op delete --mode system > /dev/null 2>&1
	for p in $pids; do stop "$p"; done
	for ns in ${nss:-}; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
out=bench/RESULTS.md
runs=3
now() { date +%s.%N; }
# best TIMES...: the smallest.
best() { printf '%s\n' "$@" | sort -g | head -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mibs() { awk -v s="$1" -v t="$2" 'BEGIN { printf "%.1f", s / 1048576 / t }'; }
free_port() {
	p=$(( (($$ + $1) % 20000) + 20000 ))
	echo $p
}
wait_ready() {
	i=0
	while [ $i -lt 100 ] && ! grep -q "netboot-serve: ready" "$1"; do sleep 0.1; i=$((i + 1)); done
	grep -q "netboot-serve: ready" "$1"
}

{
echo "# Benchmarks"
echo
echo "Measured by \`make bench\` (bench/run.sh) on $(uname -m), $(nproc) cores, $(date -u +%Y-%m-%d)."
echo "Each figure is the best of $runs runs; the peer runs in the same invocation with the same client."
echo
} > "$tmp/results"

# --- TFTP: a 64 MiB file on loopback, curl as the client for both servers. ---
mkdir -p "$tmp/tftp"
head -c 67108864 /dev/urandom > "$tmp/tftp/big.img"
printf 'tftp.root = %s\n' "$tmp/tftp" > "$tmp/site-tftp"
pt=$(free_port 1)
"$SERVE" --site "$tmp/site-tftp" --listen 127.0.0.1 --tftp-port "$pt" 2> "$tmp/serve-tftp.log" &
pids="$pids $!"
wait_ready "$tmp/serve-tftp.log" || { echo "bench: netboot-serve did not start"; exit 1; }
ph=$(free_port 2)
if command -v in.tftpd > /dev/null; then
	in.tftpd -L -s "$tmp/tftp" -a "127.0.0.1:$ph" &
	pids="$pids $!"
	sleep 0.3
fi
{
echo "## TFTP: 64 MiB over loopback (curl --tftp-blksize)"
echo
echo "| blksize | netboot-serve MiB/s | tftpd-hpa MiB/s | ratio |"
echo "|---|---|---|---|"
} >> "$tmp/results"
for bs in 512 1432 8192; do
	ours=""
	theirs=""
	for r in $(seq $runs); do
		t0=$(now); curl -s --tftp-blksize "$bs" -o "$tmp/got" "tftp://127.0.0.1:$pt/big.img"; t1=$(now)
		cmp -s "$tmp/got" "$tmp/tftp/big.img" || echo "bench: netboot-serve returned wrong bytes (blksize $bs)" >&2
		ours="$ours $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
		if command -v in.tftpd > /dev/null; then
			t0=$(now); curl -s --tftp-blksize "$bs" -o "$tmp/got" "tftp://127.0.0.1:$ph/big.img"; t1=$(now)
			theirs="$theirs $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
		fi
	done
	o=$(best $ours)
	if [ -n "$theirs" ]; then
		t=$(best $theirs)
		echo "| $bs | $(mibs 67108864 "$o") | $(mibs 67108864 "$t") | $(ratio "$t" "$o")x |" >> "$tmp/results"
	else
		echo "| $bs | $(mibs 67108864 "$o") | (tftpd-hpa not installed) | |" >> "$tmp/results"
	fi
done
echo >> "$tmp/results"
echo "ratio = tftpd-hpa's time / netboot-serve's time (above 1: netboot-serve is faster)." >> "$tmp/results"
echo >> "$tmp/results"

# --- iSCSI: sequential reads of a 256 MiB LUN with iscsi-perf, against tgt. ---
if command -v iscsi-perf > /dev/null; then
	truncate -s 256M "$tmp/lun.img"
	printf 'iscsi.lun = iqn.2026-11.bench:disk0 1 %s ro\n' "$tmp/lun.img" > "$tmp/site-iscsi"
	pi=$(free_port 3)
	"$SERVE" --site "$tmp/site-iscsi" --listen 127.0.0.1 --iscsi-port "$pi" 2> "$tmp/serve-iscsi.log" &
	pids="$pids $!"
	wait_ready "$tmp/serve-iscsi.log"
	# perf URL: iscsi-perf's final average, in MB/s.
	perf() {
		timeout 20 iscsi-perf -i iqn.2026-11.bench:init -t 10 "$1" 2>&1 | tr '\r' '\n' |
			sed -n 's/^iops average \([0-9]*\) (\([0-9]*\) MB\/s).*/\2/p' | tail -1
	}
	o=$(perf "iscsi://127.0.0.1:$pi/iqn.2026-11.bench:disk0/1")
	t=""
	if command -v tgtd > /dev/null; then
		tgtc=$(( ($$ % 50) + 40 ))
		pg=$(free_port 4)
		tgtd -f -C "$tgtc" --iscsi "portal=127.0.0.1:$pg" > "$tmp/tgtd.log" 2>&1 &
		pids="$pids $!"
		sleep 1
		tgtadm -C "$tgtc" --lld iscsi --op new --mode target --tid 1 -T iqn.2026-11.bench:disk0 &&
		tgtadm -C "$tgtc" --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b "$tmp/lun.img" &&
		tgtadm -C "$tgtc" --lld iscsi --op bind --mode target --tid 1 -I ALL &&
		t=$(perf "iscsi://127.0.0.1:$pg/iqn.2026-11.bench:disk0/1")
	fi
	{
	echo "## iSCSI: 10 s of sequential 4 KiB reads, 32 in flight (iscsi-perf), 256 MiB LUN"
	echo
	echo "| netboot-serve MB/s | tgt MB/s | ratio |"
	echo "|---|---|---|"
	if [ -n "$t" ] && [ -n "$o" ]; then
		echo "| $o | $t | $(ratio "$o" "$t")x |"
	else
		echo "| ${o:-?} | ${t:-(tgt not installed or failed)} | |"
	fi
	echo
	} >> "$tmp/results"
fi

# --- DHCP: perfdhcp DORA rate in network namespaces (root only). ---
if [ "$(id -u)" -eq 0 ] && command -v perfdhcp > /dev/null; then
	ns_s=nbc-bs-$$
	ns_c=nbc-bc-$$
	nss="$ns_s $ns_c"
	ip netns add "$ns_s" && ip netns add "$ns_c" &&
	ip link add "bs$$" type veth peer name "bc$$" &&
	ip link set "bs$$" netns "$ns_s" && ip link set "bc$$" netns "$ns_c" &&
	ip -n "$ns_s" addr add 192.0.2.1/24 dev "bs$$" && ip -n "$ns_s" link set "bs$$" up &&
	ip -n "$ns_c" addr add 192.0.2.2/24 dev "bc$$" && ip -n "$ns_c" link set "bc$$" up
	printf 'server.address = 192.0.2.1\ndhcp.pool = 192.0.2.10 192.0.2.250\nboot.bios = undionly.kpxe\n' > "$tmp/site-dhcp"
	cat > "$tmp/dnsmasq.conf" <<DNSMASQ
port=0
interface=bs$$
bind-interfaces
dhcp-range=192.0.2.10,192.0.2.250,1h
dhcp-boot=undionly.kpxe
dhcp-leasefile=$tmp/dnsmasq.leases
DNSMASQ
	cat > "$tmp/dhcpd.conf" <<DHCPD
authoritative;
default-lease-time 3600;
subnet 192.0.2.0 netmask 255.255.255.0 { range 192.0.2.10 192.0.2.250; filename "undionly.kpxe"; }
DHCPD
	: > "$tmp/dhcpd.leases"
	# load RATE: "completed DORA/s drops%" for the server now running in ns_s.
	load() {
		ip netns exec "$ns_c" timeout 30 perfdhcp -4 -l "bc$$" -r "$1" -p 10 -R 200 2>&1 |
			awk '/Statistics for: REQUEST-ACK/ {r = 1} r && /^received packets:/ {acks = $3}
			     r && /^drops ratio:/ {d = $3; r = 0}
			     END { printf "%.0f %s", acks / 10, d }'
	}
	{
	echo "## DHCP: DORA exchanges per second under perfdhcp (10 s, 200 simulated clients)"
	echo
	echo "| server | offered 4000/s: done/s, drops | offered 16000/s: done/s, drops |"
	echo "|---|---|---|"
	} >> "$tmp/results"
	for srv in netboot-serve dnsmasq isc-dhcpd; do
		case $srv in
		netboot-serve)
			ip netns exec "$ns_s" "$SERVE" --site "$tmp/site-dhcp" --iface "bs$$" 2> /dev/null & ;;
		dnsmasq)
			command -v dnsmasq > /dev/null || continue
			ip netns exec "$ns_s" dnsmasq -k -C "$tmp/dnsmasq.conf" 2> /dev/null & ;;
		isc-dhcpd)
			command -v dhcpd > /dev/null || continue
			ip netns exec "$ns_s" dhcpd -f -q -4 -cf "$tmp/dhcpd.conf" -lf "$tmp/dhcpd.leases" \
				-pf "$tmp/dhcpd.pid" "bs$$" 2> /dev/null & ;;
		esac
		spid=$!
		pids="$pids $spid"
		sleep 2	# dnsmasq and dhcpd take a moment to open their sockets
		load 500 > /dev/null	# warm-up: the first exchanges of a cold server are not the rate
		a=$(load 4000)
		b=$(load 16000)
		stop "$spid"
		echo "| $srv | ${a% *}, ${a#* } | ${b% *}, ${b#* } |" >> "$tmp/results"
	done
	echo >> "$tmp/results"
fi

# --- The analyzer: generated captures of N clients, against a plain libpcap loop, tcpdump
# and tshark decoding the same protocols. ---
GEN=${GEN:-build/tests/mkscenarios}
LOOP=${LOOP:-build/bench/pcaploop}
NBC=${NBC:-build/bin/netboot-check}
if [ -x "$GEN" ] && [ -x "$LOOP" ] && [ -x "$NBC" ]; then
	{
	echo "## analyze: generated boot captures (mkscenarios --bench: PXE, TFTP undionly.kpxe, iPXE,"
	echo "HTTP script and kernel; every 50th client loops, every 70th gets a 404; \"K at once\": K"
	echo "clients boot side by side, their packets interleaved, 50 ms apart)"
	echo
	echo "| capture | packets | netboot-check s (MB/s) | peak RSS | pcap loop s | share of the loop | tcpdump -r s | tshark s, RSS | vs tshark | JSON/text | findings right |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|"
	} >> "$tmp/results"
	# measure CMD...: best wall time of $runs runs, and the peak RSS in KB, as "S KB".
	measure() {
		bt=""
		kb=0
		for r in $(seq $runs); do
			/usr/bin/time -f "%e %M" -o "$tmp/tm" "$@" > /dev/null 2>&1
			bt="$bt $(tail -1 "$tmp/tm" | cut -d' ' -f1)"
			k=$(tail -1 "$tmp/tm" | cut -d' ' -f2)
			[ "$k" -gt "$kb" ] && kb=$k
		done
		echo "$(best $bt) $kb"
	}
	for spec in ${BENCH_SPECS:-100:2048:1 300:1024:1 300:1024:32 1000:2048:32 10000:128:64}; do
		n=${spec%%:*}
		kk=${spec#*:}
		kk=${kk%:*}
		conc=${spec##*:}
		cap=$tmp/bench-$n.pcap
		"$GEN" --bench "$cap" "$n" "$kk" "$conc"
		size=$(stat -c %s "$cap")
		pk=$("$LOOP" "$cap" | cut -d' ' -f1)
		a=$(measure "$NBC" analyze --format json "$cap")
		at=$(measure "$NBC" analyze --format text "$cap")
		l=$(measure "$LOOP" "$cap")
		td=$(measure tcpdump -r "$cap" -w /dev/null)
		if [ "$n" -le 300 ] && command -v tshark > /dev/null; then
			/usr/bin/time -f "%e %M" -o "$tmp/tm" tshark -r "$cap" -Y 'dhcp or tftp or http or iscsi' \
				-T fields -e frame.number -e dhcp.type -e tftp.opcode -e http.request.method \
				-e http.response.code > /dev/null 2>&1
			ts=$(tail -1 "$tmp/tm")
			vs="$(ratio "${ts% *}" "${a% *}")x"
			tsf="${ts% *}, $((${ts#* } / 1024)) MB"
		else
			tsf="(skipped: > 300 clients)"
			vs=""
		fi
		# Every planted failure found, nothing else: 1 loop per 50, 1 404 per 70.
		"$NBC" analyze --format json "$cap" > "$tmp/bench.json"
		want_loop=$((n / 50))
		# Every 70th gets a 404, unless it is also a 50th (those loop instead).
		want_404=$(awk -v n="$n" 'BEGIN { c = 0; for (i = 0; i < n; i++) if (i % 70 == 69 && i % 50 != 49) c++; print c }')
		got_loop=$(jq '[.findings[] | select(.rule == "NBC-LOOP-USERCLASS")] | length' "$tmp/bench.json")
		got_404=$(jq '[.findings[] | select(.rule == "NBC-HTTP-STATUS")] | length' "$tmp/bench.json")
		got_all=$(jq '[.findings[] | select(.severity != "info")] | length' "$tmp/bench.json")
		right="no"
		[ "$got_loop" -eq "$want_loop" ] && [ "$got_404" -eq "$want_404" ] &&
			[ "$got_all" -eq $((want_loop + want_404)) ] && right="yes ($got_all)"
		echo "| $n clients, $conc at once, $((size / 1048576)) MB | $pk | ${a% *} ($(mibs "$size" "${a% *}")) | $((${a#* } / 1024)) MB | ${l% *} | $(ratio "${l% *}" "${a% *}") | ${td% *} | $tsf | $vs | $(ratio "${a% *}" "${at% *}") | $right |" >> "$tmp/results"
		rm -f "$cap"
	done
	{
	echo
	echo "share of the loop = the pcap loop's time / netboot-check's (1.00: as fast as reading the"
	echo "file); vs tshark = tshark's time / netboot-check's. Peak RSS is per-client state that stays"
	echo "(the report lists every client) plus, with K at once, K transfers and TCP streams in flight."
	echo
	} >> "$tmp/results"
fi

{
echo "Reproduce: \`make bench\` (as root for the DHCP part)."
} >> "$tmp/results"
cp "$tmp/results" "$out"
cat "$out"
