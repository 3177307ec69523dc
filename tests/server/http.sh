#!/bin/sh
# http.sh: netboot-serve's HTTP file service against a real client (curl) on 127.0.0.1:
# whole and ranged downloads, HEAD, keep-alive, refusals, Basic auth, a clean log.
set -u
SERVE=${1:-build/bin/netboot-serve}
case $SERVE in /*) ;; *) SERVE=$(pwd)/$SERVE ;; esac
if [ ! -x "$SERVE" ]; then
	echo "http: FAIL: $SERVE not built"
	exit 1
fi
command -v curl >/dev/null 2>&1 || { echo "http: FAIL: curl not installed"; exit 1; }
tmp=$(mktemp -d)
pid=""
pass=0
fail=0
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL http: $*"; fail=$((fail + 1)); }
check() {	# check NAME COMMAND...: passes when the command succeeds
	name=$1
	shift
	if "$@"; then ok; else bad "$name"; fi
}

mkdir -p "$tmp/root/private" "$tmp/outside"
head -c 5242880 /dev/urandom > "$tmp/root/big.bin"
printf '#!ipxe\nchain http://192.0.2.1/next.ipxe\n' > "$tmp/root/boot.ipxe"
printf 'protected\n' > "$tmp/root/private/k.txt"
printf 'not for you\n' > "$tmp/outside/secret.txt"
ln -s ../outside/secret.txt "$tmp/root/escape"
cat > "$tmp/site" <<SITE
http.root = $tmp/root
http.auth = /private/ user1 pass1
SITE

# A port in 20000-40000; another one if it is taken.
port=""
tries=0
while [ -z "$port" ] && [ "$tries" -lt 5 ]; do
	tries=$((tries + 1))
	try=$((20000 + ($$ * 7 + tries * 1543 + $(date +%S | sed 's/^0//') * 97) % 20000))
	: > "$tmp/log"
	"$SERVE" --site "$tmp/site" --listen 127.0.0.1 --http-port "$try" 2>"$tmp/log" &
	pid=$!
	n=0
	while [ "$n" -lt 100 ]; do
		grep -q 'netboot-serve: ready' "$tmp/log" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
		n=$((n + 1))
	done
	if grep -q 'netboot-serve: ready' "$tmp/log"; then
		port=$try
	else
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=""
		grep -q 'cannot bind' "$tmp/log" || break
	fi
done
if [ -z "$port" ]; then
	echo "http: FAIL: the server did not start; its log:"
	cat "$tmp/log"
	exit 1
fi
url=http://127.0.0.1:$port
C="curl -s --max-time 20"

# A 5 MiB file arrives byte for byte.
$C -o "$tmp/got.bin" "$url/big.bin"
check "GET 5 MiB file identical" cmp -s "$tmp/root/big.bin" "$tmp/got.bin"

# HEAD: the length and no body.
# Then a GET on the same connection: a body after the HEAD would garble its answer.
$C -v -I -o "$tmp/h" "$url/big.bin" --next -s --max-time 20 -o "$tmp/after" \
	"$url/boot.ipxe" 2>"$tmp/v"
check "HEAD 200" grep -q '^HTTP/1.1 200' "$tmp/h"
check "HEAD Content-Length" grep -qi '^Content-Length: 5242880' "$tmp/h"
check "HEAD no body" cmp -s "$tmp/root/boot.ipxe" "$tmp/after"
check "HEAD then GET reuse" grep -q 'Re-using existing connection' "$tmp/v"
check "Accept-Ranges" grep -qi '^Accept-Ranges: bytes' "$tmp/h"
$C -D "$tmp/h" -o /dev/null "$url/boot.ipxe"
check "Content-Type text/plain" grep -qi '^Content-Type: text/plain' "$tmp/h"

# Range: 206 with the right bytes; past the end: 416.
code=$($C -r 1000-1999 -o "$tmp/part" -D "$tmp/h" -w '%{http_code}' "$url/big.bin")
check "Range 206" test "$code" = 206
check "Range Content-Range" grep -qi '^Content-Range: bytes 1000-1999/5242880' "$tmp/h"
dd if="$tmp/root/big.bin" of="$tmp/want" bs=1000 skip=1 count=1 2>/dev/null
check "Range bytes" cmp -s "$tmp/want" "$tmp/part"
code=$($C -r 6000000- -o /dev/null -D "$tmp/h" -w '%{http_code}' "$url/big.bin")
check "Range 416" test "$code" = 416
check "416 Content-Range" grep -qi '^Content-Range: bytes \*/5242880' "$tmp/h"

# Keep-alive: two URLs in one curl run share the connection.
$C -v -o /dev/null -o /dev/null "$url/boot.ipxe" "$url/boot.ipxe" 2>"$tmp/v"
check "keep-alive reuse" grep -q 'Re-using existing connection' "$tmp/v"

# Refusals.
code=$($C -o /dev/null -w '%{http_code}' "$url/nope.ipxe")
check "404" test "$code" = 404
code=$($C --path-as-is -o "$tmp/trav" -w '%{http_code}' "$url/../../etc/passwd")
check "traversal refused" test "$code" = 403 -o "$code" = 404
check "traversal no file" sh -c "! grep -q 'root:' '$tmp/trav'"
code=$($C --path-as-is -o /dev/null -w '%{http_code}' "$url/%2e%2e/%2e%2e/etc/passwd")
check "encoded traversal refused" test "$code" = 403 -o "$code" = 404
code=$($C -o "$tmp/esc" -w '%{http_code}' "$url/escape")
check "symlink out refused" test "$code" = 403
code=$($C -o /dev/null -w '%{http_code}' "$url/")
check "directory 403" test "$code" = 403
code=$($C -X POST -d x -o /dev/null -D "$tmp/h" -w '%{http_code}' "$url/boot.ipxe")
check "POST 405" test "$code" = 405
check "405 Allow" grep -qi '^Allow: GET, HEAD' "$tmp/h"

# Basic auth under /private/.
code=$($C -o /dev/null -D "$tmp/h" -w '%{http_code}' "$url/private/k.txt")
check "auth missing 401" test "$code" = 401
check "WWW-Authenticate" grep -qi '^WWW-Authenticate: Basic realm="netboot"' "$tmp/h"
code=$($C -u user1:pass1 -o "$tmp/k" -w '%{http_code}' "$url/private/k.txt")
check "auth ok 200" test "$code" = 200
check "auth ok body" grep -q protected "$tmp/k"
code=$($C -u user1:wrong -o /dev/null -w '%{http_code}' "$url/private/k.txt")
check "auth wrong 401" test "$code" = 401

# The log: one line per request, refusals with reasons, never the password.
check "log names GET" grep -q 'GET /boot.ipxe -> 200 40 bytes' "$tmp/log"
check "log names traversal" grep -q 'path traversal' "$tmp/log"
check "log hides password" sh -c "! grep -q pass1 '$tmp/log'"

kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=""
echo "http: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
