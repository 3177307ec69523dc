#!/bin/sh
# cli.sh: netboot-serve's command line and start-up errors: each is one clear line and
# the documented exit status; --check; --log-json lines parse as JSON; the example site.
set -u
SERVE=${1:?usage: cli.sh NETBOOT-SERVE}
tmp=$(mktemp -d)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL cli: $*"; fail=$((fail + 1)); }
# expect RC PATTERN CMD...: exit status RC and one stderr line matching PATTERN.
expect() {
	want=$1
	pat=$2
	shift 2
	"$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ "$rc" -eq "$want" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q "$pat" "$tmp/err"; then
		ok
	else
		bad "$*: exit $rc (want $want), stderr: $(head -3 "$tmp/err")"
	fi
}
expect 3 "site SITE is required" "$SERVE"
expect 3 "takes a port number" "$SERVE" --site x --tftp-port 70000
expect 3 "unrecognized option" "$SERVE" --bogus
expect 2 "nosuch.conf: No such file" "$SERVE" --site "$tmp/nosuch.conf"
printf 'server.address = 192.0.2.1\ndhcp.pool = 192.0.2.10 192.0.2.20\ntftp.rot = x\n' > "$tmp/bad.conf"
expect 2 "bad.conf:3: unknown key \"tftp.rot\"" "$SERVE" --site "$tmp/bad.conf"
printf '# nothing\nserver.address = 192.0.2.1\n' > "$tmp/nothing.conf"
expect 2 "nothing to serve" "$SERVE" --site "$tmp/nothing.conf"
printf 'iscsi.lun = iqn.2026-11.test:x 0 missing.img ro\n' > "$tmp/noimg.conf"
expect 2 "missing.img" "$SERVE" --site "$tmp/noimg.conf" --listen 127.0.0.1 --iscsi-port 0
# A port in use: one line naming it, exit 2, and nothing left half-started.
port=$(( ($$ % 20000) + 20000 ))
printf 'http.root = %s\n' "$tmp" > "$tmp/http.conf"
"$SERVE" --site "$tmp/http.conf" --listen 127.0.0.1 --http-port "$port" --log-json 2> "$tmp/log1" &
pid=$!
i=0
while [ $i -lt 50 ] && ! grep -q "netboot-serve: ready" "$tmp/log1" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
expect 2 "cannot bind 127.0.0.1:$port" "$SERVE" --site "$tmp/http.conf" --listen 127.0.0.1 --http-port "$port"
# --log-json: every log line is one JSON object with time, proto, peer, msg.
echo hi > "$tmp/hello.txt"
curl -s "http://127.0.0.1:$port/hello.txt" > /dev/null
curl -s "http://127.0.0.1:$port/nope" > /dev/null
kill "$pid"
wait "$pid"
pid=""
if grep -v "netboot-serve: ready" "$tmp/log1" | jq -e -s 'length >= 3 and all(has("time") and has("proto") and has("msg"))' > /dev/null; then
	ok
else
	bad "--log-json lines: $(head -3 "$tmp/log1")"
fi
# --check on the example site: valid.
if "$SERVE" --site examples/site/site.conf --check > "$tmp/check" 2>&1 && grep -q "valid" "$tmp/check"; then
	ok
else
	bad "examples/site/site.conf --check: $(cat "$tmp/check")"
fi
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
