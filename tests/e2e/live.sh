#!/bin/sh
# live.sh: `netboot-check live` on a veth in network namespaces made here (192.0.2.0/24
# only): it watches netboot-firmware boot from netboot-serve (a good site and a looping
# one), streams JSON events, stops by itself (--until-booted), and its verdicts and
# findings equal those of `analyze` on the capture it wrote (-w). Then a replay:
# tcpreplay sends a bundled capture onto a veth while live watches the other end.
# Needs root.
set -u
SERVE=${1:?usage: live.sh NETBOOT-SERVE NETBOOT-FIRMWARE NETBOOT-CHECK}
FW=${2:?usage: live.sh NETBOOT-SERVE NETBOOT-FIRMWARE NETBOOT-CHECK}
NBC=${3:?usage: live.sh NETBOOT-SERVE NETBOOT-FIRMWARE NETBOOT-CHECK [MKSCENARIOS]}
GEN=${4:-build/tests/mkscenarios}
for v in SERVE FW NBC GEN; do
	eval "p=\$$v"
	case $p in /*) ;; *) eval "$v=\$(pwd)/\$p" ;; esac
done
if [ "$(id -u)" -ne 0 ]; then
	echo "live: FAIL: needs root for network namespaces"
	exit 1
fi
tmp=$(mktemp -d)
ns_s=nbc-lvs-$$
ns_c=nbc-lvc-$$
vs=lvs$$
vc=lvc$$
pids=""
pass=0
fail=0
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	ip netns del "$ns_s" 2>/dev/null
	ip netns del "$ns_c" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL live: $*"; fail=$((fail + 1)); }

ip netns add "$ns_s" && ip netns add "$ns_c" &&
	ip link add "$vs" type veth peer name "$vc" &&
	ip link set "$vs" netns "$ns_s" && ip link set "$vc" netns "$ns_c" &&
	ip -n "$ns_s" addr add 192.0.2.1/24 dev "$vs" && ip -n "$ns_s" link set "$vs" up &&
	ip -n "$ns_s" link set lo up && ip -n "$ns_c" link set "$vc" up || { echo "live: FAIL: namespaces"; exit 1; }
ip netns exec "$ns_s" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip netns exec "$ns_c" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
mkdir -p "$tmp/root"
head -c 70000 /dev/urandom > "$tmp/root/undionly.kpxe"
head -c 60000 /dev/urandom > "$tmp/root/vmlinuz"
printf '#!ipxe\nchain http://192.0.2.1/vmlinuz\n' > "$tmp/root/boot.ipxe"
common="server.address = 192.0.2.1
dhcp.pool = 192.0.2.100 192.0.2.150
tftp.root = root
http.root = root
boot.bios = undionly.kpxe"
printf '%s\nboot.ipxe-script = http://192.0.2.1/boot.ipxe\n' "$common" > "$tmp/good.site"
printf '%s\n' "$common" > "$tmp/loop.site"

# scenario NAME SITE FWARGS: live on the server's side while the firmware boots.
scenario() {
	name=$1
	ip netns exec "$ns_s" "$SERVE" --site "$tmp/$2.site" --iface "$vs" 2> "$tmp/$name.serve" &
	spid=$!
	ip netns exec "$ns_s" "$NBC" live --format json --until-booted --duration 60 \
		-w "$tmp/$name.pcap" "$vs" > "$tmp/$name.events" 2> "$tmp/$name.live.err" &
	lpid=$!
	pids="$spid $lpid"
	i=0
	while [ $i -lt 100 ] && ! { grep -q "netboot-serve: ready" "$tmp/$name.serve" && grep -q watching "$tmp/$name.live.err"; } 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.5
	ip -n "$ns_c" addr flush dev "$vc"
	# shellcheck disable=SC2086
	timeout 60 ip netns exec "$ns_c" "$FW" --iface "$vc" --timeout 5 $3 > /dev/null 2>&1
	# live stops by itself once the client booted or failed (bounded by --duration).
	i=0
	while [ $i -lt 300 ] && kill -0 "$lpid" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
	kill "$lpid" 2>/dev/null
	wait "$lpid"
	lrc=$?
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	pids=""
}

# 1. A good boot: events stream, the summary says booted, live stops by itself.
scenario good good ""
jq -e -s 'map(select(.event == "stage")) | length >= 4' "$tmp/good.events" > /dev/null && ok ||
	bad "good: too few stage events: $(head -3 "$tmp/good.events")"
jq -e -s 'map(select(.event == "stage" and .terminal == true)) | length >= 1' "$tmp/good.events" > /dev/null && ok ||
	bad "good: no terminal stage event"
[ "$(jq -r -s 'map(select(.event == "summary"))[0].clients[0].verdict' "$tmp/good.events")" = booted ] && ok ||
	bad "good: summary verdict is not booted"
[ "$lrc" -eq 0 ] && ok || bad "good: live exit $lrc"
# The live result equals analyze of the capture live wrote.
"$NBC" analyze --format json "$tmp/good.pcap" > "$tmp/good.json"
[ "$(jq -r '.clients[0].verdict' "$tmp/good.json")" = booted ] && ok || bad "good: analyze of -w says $(jq -r '.clients[0].verdict' "$tmp/good.json")"

# 2. A loop: the finding streams as soon as it is decided; exit 1.
scenario loop loop "--max-chain 3"
jq -e -s 'map(select(.event == "finding" and .rule == "NBC-LOOP-USERCLASS")) | length == 1' "$tmp/loop.events" > /dev/null && ok ||
	bad "loop: no NBC-LOOP-USERCLASS event: $(jq -c -s 'map(select(.event == "finding") | .rule)' "$tmp/loop.events")"
[ "$lrc" -eq 1 ] && ok || bad "loop: live exit $lrc, want 1"
"$NBC" analyze --format json "$tmp/loop.pcap" > "$tmp/loop.json"
live_rules=$(jq -r -s '[.[] | select(.event == "finding") | .rule] | sort | join(",")' "$tmp/loop.events")
file_rules=$(jq -r '[.findings[].rule] | sort | join(",")' "$tmp/loop.json")
[ "$live_rules" = "$file_rules" ] && ok || bad "loop: live found [$live_rules], analyze of -w [$file_rules]"

# 3. Replay: a bundled capture sent onto the veth; live's findings equal analyze's.
# (--pps 2000, not --topspeed: at top speed the receiving end drops packets on a busy machine.)
if command -v tcpreplay > /dev/null; then
	for cap in pcaps/scenarios/ipxe-userclass-loop.pcap pcaps/scenarios/pxelinux-clean-boot.pcap; do
		base=$(basename "$cap" .pcap)
		ip netns exec "$ns_c" "$NBC" live --format json --duration 20 --idle 3 "$vc" \
			> "$tmp/$base.events" 2> "$tmp/$base.err" &
		lpid=$!
		pids="$lpid"
		i=0
		while [ $i -lt 50 ] && ! grep -q watching "$tmp/$base.err" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
		sleep 0.3
		ip netns exec "$ns_s" tcpreplay -q -i "$vs" --pps 2000 "$cap" > /dev/null 2>&1
		sleep 4	# --idle 3 summarises the quiet network
		kill "$lpid" 2>/dev/null
		wait "$lpid" 2>/dev/null
		pids=""
		live_rules=$(jq -r -s '[.[] | select(.event == "finding") | .rule] | unique | join(",")' "$tmp/$base.events")
		file_rules=$("$NBC" analyze --format json "$cap" | jq -r '[.findings[].rule] | unique | join(",")')
		live_v=$(jq -r -s '[.[] | select(.event == "summary") | .clients[].verdict] | first' "$tmp/$base.events")
		file_v=$("$NBC" analyze --format json "$cap" | jq -r '.clients[0].verdict')
		if [ "$live_rules" = "$file_rules" ] && [ "$live_v" = "$file_v" ]; then
			ok
		else
			bad "replay $base: live [$live_rules] $live_v, analyze [$file_rules] $file_v"
		fi
	done
	# 3b. A network that is never quiet: 60 clients booting one after another over ~15 s,
	# --idle 2. Fresh engines take the new clients, finished ones are freed; the result
	# must still equal analyze of the -w file, with fewer clients held at once than seen.
	if [ -x "$GEN" ]; then
		"$GEN" --bench "$tmp/busy.pcap" 60 64
		ip netns exec "$ns_c" "$NBC" live --format json --duration 40 --idle 2 -w "$tmp/busy.w.pcap" "$vc" \
			> "$tmp/busy.events" 2> "$tmp/busy.err" &
		lpid=$!
		pids="$lpid"
		i=0
		while [ $i -lt 50 ] && ! grep -q watching "$tmp/busy.err" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
		sleep 0.3
		ip netns exec "$ns_s" tcpreplay -q -i "$vs" --multiplier 20 "$tmp/busy.pcap" > /dev/null 2>&1
		sleep 5	# the last clients finish, are freed; then the summary
		kill "$lpid" 2>/dev/null
		wait "$lpid" 2>/dev/null
		pids=""
		"$NBC" analyze --format json "$tmp/busy.w.pcap" > "$tmp/busy.json"
		jq -s -e '(map(select(.event == "summary"))[0]) as $s | $s.engines_freed >= 2 and $s.held_max < ($s.clients | length)' \
			"$tmp/busy.events" > /dev/null && ok ||
			bad "busy: no handover or everything held: $(jq -c -s 'map(select(.event == "summary"))[0] | del(.clients)' "$tmp/busy.events")"
		live_v=$(jq -r -s '[.[] | select(.event == "summary") | .clients[] | .client + " " + .verdict] | sort | join(",")' "$tmp/busy.events")
		file_v=$(jq -r '[.clients[] | select(.stages | length > 0) | .mac + " " + .verdict] | sort | join(",")' "$tmp/busy.json")
		[ "$live_v" = "$file_v" ] && ok || bad "busy: live verdicts differ from analyze of -w: $(echo "$live_v" | tr , '\n' | head -3) vs $(echo "$file_v" | tr , '\n' | head -3)"
		n=$(echo "$file_v" | tr , '\n' | grep -c .)
		[ "$n" -eq 60 ] && ok || bad "busy: analyze of -w saw $n booting clients, want 60"
		live_rules=$(jq -r -s '[.[] | select(.event == "finding") | .rule + " " + .client] | sort | join(",")' "$tmp/busy.events")
		file_rules=$(jq -r '[.findings[] | .rule + " " + (.client // "-")] | sort | join(",")' "$tmp/busy.json")
		[ "$live_rules" = "$file_rules" ] && ok || bad "busy: live findings [$live_rules], analyze of -w [$file_rules]"
	else
		bad "the scenario generator $GEN is missing"
	fi
else
	bad "tcpreplay is not installed (make deps)"
fi

# 4. Clear errors: no such interface, exit 2.
"$NBC" live nosuch0 > /dev/null 2> "$tmp/e1"
rc=$?
[ "$rc" -eq 2 ] && grep -q "no such interface nosuch0" "$tmp/e1" && ok || bad "missing interface: exit $rc: $(cat "$tmp/e1")"
"$NBC" live --filter "bogus((" lo > /dev/null 2> "$tmp/e2"
rc=$?
[ "$rc" -eq 3 ] && ok || bad "bad --filter: exit $rc: $(cat "$tmp/e2")"

# No permission: says which capability is missing.
if command -v setpriv > /dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$NBC" live lo > /dev/null 2> "$tmp/e3"
	rc=$?
	[ "$rc" -eq 2 ] && grep -q "CAP_NET_RAW" "$tmp/e3" && ok || bad "no permission: exit $rc: $(cat "$tmp/e3")"
fi
# An interface that is down.
ip -n "$ns_c" link set "$vc" down
ip netns exec "$ns_c" "$NBC" live "$vc" > /dev/null 2> "$tmp/e4"
rc=$?
[ "$rc" -eq 2 ] && grep -q "is down" "$tmp/e4" && ok || bad "interface down: exit $rc: $(cat "$tmp/e4")"

echo "live: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
