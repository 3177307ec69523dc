#!/bin/sh
# fetch.sh: the firmware's TFTP and HTTP clients (firmware/fetch.c) against netboot-serve on 127.0.0.1.
set -u
cd "$(dirname "$0")/../.." || exit 1
SERVE=${1:-build/bin/netboot-serve}
case $SERVE in /*) ;; *) SERVE=$(pwd)/$SERVE ;; esac
if [ ! -x "$SERVE" ]; then
	echo "fetch: FAIL: $SERVE not built"
	exit 1
fi
CC=${CC:-cc}
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
bad() { echo "FAIL fetch: $*"; fail=$((fail + 1)); }
check() {	# check NAME COMMAND...: passes when the command succeeds
	name=$1
	shift
	if "$@"; then ok; else bad "$name"; fi
}

# The driver: one fetch (or two on one HTTP session) per run; prints what came back.
cat > "$tmp/drv.c" <<'EOF'
/* drv.c: runs firmware/fetch.c from the command line for tests/e2e/fetch.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/fetch.h"

static int persona(const char *s, enum fetch_persona *p)
{
	if (strcmp(s, "pxe-rom") == 0)
		*p = FETCH_PXE_ROM;
	else if (strcmp(s, "pxelinux") == 0)
		*p = FETCH_PXELINUX;
	else if (strcmp(s, "ipxe") == 0)
		*p = FETCH_IPXE;
	else
		return -1;
	return 0;
}

/* drv PERSONA PROBE(0|1) OUT URL [OUT2 URL2]: fetch_any each, on one HTTP session. */
int main(int argc, char **argv)
{
	struct fetch_http_session *s;
	struct fetch_opts o;
	int rc = 0;

	if (argc != 5 && argc != 7)
		return 3;
	memset(&o, 0, sizeof(o));
	if (persona(argv[1], &o.persona) < 0)
		return 3;
	o.probe = strcmp(argv[2], "1") == 0;
	o.timeout = 2;
	o.retries = 3;
	s = fetch_http_session_new();
	if (!s)
		return 2;
	for (int i = 3; i + 1 < argc; i += 2) {
		struct fetch_result r;

		memset(&r, 0, sizeof(r));
		o.save_path = argv[i];
		if (fetch_any(s, argv[i + 1], 0x7f000001u, &o, &r) == 0) {
			printf("ok size=%llu tsize=%lld status=%d reused=%d\n",
			       (unsigned long long)r.size, (long long)r.tsize, r.status, r.reused);
		} else {
			printf("error status=%d: %s\n", r.status, r.error);
			rc = 1;
		}
		fetch_result_free(&r);
	}
	printf("connects=%u\n", fetch_http_session_connects(s));
	fetch_http_session_free(s);
	return rc;
}
EOF
if ! $CC -std=c11 -D_DEFAULT_SOURCE -O1 -g -Wall -Wextra -Wpedantic -Wshadow -Wconversion \
	-Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla -Wno-format-truncation -Werror \
	-I. "$tmp/drv.c" firmware/fetch.c proto/tftp.c proto/http.c proto/ipxescript.c \
	proto/rootpath.c proto/net.c -o "$tmp/drv" 2>"$tmp/cc.log"; then
	echo "fetch: FAIL: the driver does not build:"
	cat "$tmp/cc.log"
	exit 1
fi

mkdir -p "$tmp/root/pxelinux.cfg"
head -c 3145728 /dev/urandom > "$tmp/root/big.bin"
printf 'default local\nlabel local\n  localboot 0\n' > "$tmp/root/pxelinux.cfg/default"
cat > "$tmp/site" <<SITE
tftp.root = $tmp/root
http.root = $tmp/root
SITE

# Ports in 20000-40000; others if they are taken.
tport=""
tries=0
while [ -z "$tport" ] && [ "$tries" -lt 5 ]; do
	tries=$((tries + 1))
	try=$((20000 + ($$ * 7 + tries * 1543 + $(date +%S | sed 's/^0//') * 97) % 20000))
	: > "$tmp/log"
	"$SERVE" --site "$tmp/site" --listen 127.0.0.1 --tftp-port "$try" \
		--http-port "$((try + 1))" 2>"$tmp/log" &
	pid=$!
	n=0
	while [ "$n" -lt 100 ]; do
		grep -q 'netboot-serve: ready' "$tmp/log" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
		n=$((n + 1))
	done
	if grep -q 'netboot-serve: ready' "$tmp/log"; then
		tport=$try
	else
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=""
		grep -q 'cannot bind' "$tmp/log" || break
	fi
done
if [ -z "$tport" ]; then
	echo "fetch: FAIL: the server did not start; its log:"
	cat "$tmp/log"
	exit 1
fi
hport=$((tport + 1))
T=tftp://127.0.0.1:$tport
H=http://127.0.0.1:$hport
D="timeout 60 $tmp/drv"

# 3 MiB byte for byte over TFTP, as each persona asks for it.
for p in pxe-rom pxelinux ipxe; do
	rm -f "$tmp/got.bin"
	$D "$p" 0 "$tmp/got.bin" "$T/big.bin" > "$tmp/out" 2>&1
	check "TFTP $p: 3 MiB identical ($(head -n 1 "$tmp/out"))" cmp -s "$tmp/root/big.bin" "$tmp/got.bin"
	check "TFTP $p: tsize reported" grep -q '^ok size=3145728 tsize=3145728 ' "$tmp/out"
done
# The PXE ROM's tsize probe, then the transfer: the server sees two RRQs.
rm -f "$tmp/got.bin"
before=$(grep -c 'RRQ big.bin' "$tmp/log")
$D pxe-rom 1 "$tmp/got.bin" "$T/big.bin" > "$tmp/out" 2>&1
check "TFTP pxe-rom probe: 3 MiB identical" cmp -s "$tmp/root/big.bin" "$tmp/got.bin"
after=$(grep -c 'RRQ big.bin' "$tmp/log")
check "TFTP pxe-rom probe: two RRQs in the server log ($before -> $after)" \
	test "$after" -ge "$((before + 2))"
check "TFTP pxe-rom probe: the server saw a size probe" grep -q 'ERROR 8 .*a size probe' "$tmp/log"
# pxelinux's config over a tftp:// URL (bare names go to port 69, which is not ours here).
$D pxelinux 0 "$tmp/cfg" "$T/pxelinux.cfg/default" > "$tmp/out" 2>&1
check "TFTP pxelinux config" cmp -s "$tmp/root/pxelinux.cfg/default" "$tmp/cfg"

# A missing file over TFTP: the server's ERROR 1, named.
$D pxelinux 0 "$tmp/none" "$T/pxelinux.cfg/01-52-54-00-ab-cd-ef" > "$tmp/out" 2>&1
check "TFTP missing file: TFTP error 1 ($(cat "$tmp/out"))" \
	grep -q '^error status=0: TFTP error 1 (.*) for pxelinux.cfg/01-52-54-00-ab-cd-ef$' "$tmp/out"
check "TFTP missing file: no file written" test ! -e "$tmp/none"

# 3 MiB over HTTP twice on one session: one TCP connection, kept alive.
rm -f "$tmp/got.bin" "$tmp/got2.bin"
$D ipxe 0 "$tmp/got.bin" "$H/big.bin" "$tmp/got2.bin" "$H/big.bin" > "$tmp/out" 2>&1
check "HTTP: 3 MiB identical" cmp -s "$tmp/root/big.bin" "$tmp/got.bin"
check "HTTP: 3 MiB identical again" cmp -s "$tmp/root/big.bin" "$tmp/got2.bin"
check "HTTP: second GET reused the connection ($(tr '\n' ' ' < "$tmp/out"))" \
	grep -q '^ok size=3145728 tsize=-1 status=200 reused=1$' "$tmp/out"
check "HTTP: the client opened one connection" grep -q '^connects=1$' "$tmp/out"
# The server's view: both GETs came from one client port.
peers=$(grep 'GET /big.bin' "$tmp/log" | grep -o '127\.0\.0\.1:[0-9]*' | sort -u | wc -l)
check "HTTP: the server saw one connection ($peers client ports)" test "$peers" -eq 1
check "HTTP: the server saw two GETs" test "$(grep -c 'GET /big.bin' "$tmp/log")" -eq 2

# A missing file over HTTP.
$D ipxe 0 "$tmp/none" "$H/boot.ipxe" > "$tmp/out" 2>&1
check "HTTP missing file: 404 ($(head -n 1 "$tmp/out"))" \
	grep -q '^error status=404: HTTP 404 for /boot.ipxe$' "$tmp/out"
check "HTTP missing file: no file written" test ! -e "$tmp/none"

echo "fetch: $pass passed, $fail failed"
if [ "$fail" -ne 0 ]; then
	echo "server log (tail):"
	tail -n 20 "$tmp/log"
fi
[ "$fail" -eq 0 ]
