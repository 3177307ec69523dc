#!/bin/sh
# san.sh: the firmware's sanboot (firmware/san.c over libiscsi) against netboot-serve's iSCSI target.
# Usage: sh tests/e2e/san.sh [build/bin/netboot-serve]   (run from anywhere; needs cc and libiscsi-dev)
set -u
cd "$(dirname "$0")/../.." || exit 2
SERVE=${1:-build/bin/netboot-serve}
CC=${CC:-cc}
SECRET=secret12345678
pass=0
fail=0
pid=
dpid=
tmp=

ok() {
	pass=$((pass + 1))
	echo "ok   $1"
}
bad() {
	fail=$((fail + 1))
	echo "FAIL $1"
	[ -s "$tmp/out" ] && sed 's/^/     | /' "$tmp/out" | head -12
}
cleanup() {
	if [ -n "$dpid" ]; then
		kill "$dpid" 2>/dev/null
		wait "$dpid" 2>/dev/null
		dpid=
	fi
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=
	fi
	[ -n "$tmp" ] && rm -rf "$tmp"
	tmp=
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

if [ ! -x "$SERVE" ]; then
	echo "san: $SERVE is not built"
	exit 2
fi
tmp=$(mktemp -d /tmp/nbc-san.XXXXXX) || exit 2

# The driver: one san_boot, its result on stdout; with a hold file it keeps the
# session until the release file appears (bounded), then san_close.
cat >"$tmp/drive.c" <<'EOF'
/* drive.c: runs san_boot once and prints the result; optionally holds the session. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "firmware/san.h"

int main(int argc, char **argv)
{
	struct san_result r;
	struct san_handle *h = NULL;
	const char *user, *pw, *hold, *release;
	int rc;

	if (argc < 6) {
		fprintf(stderr, "usage: drive ROOTPATH USER PASSWORD keep|nokeep boot|hook [HOLD RELEASE]\n");
		return 2;
	}
	user = argv[2][0] && strcmp(argv[2], "-") ? argv[2] : NULL;
	pw = argv[3][0] && strcmp(argv[3], "-") ? argv[3] : NULL;
	hold = argc > 7 ? argv[6] : NULL;
	release = argc > 7 ? argv[7] : NULL;
	rc = san_boot(argv[1], "iqn.2010-04.org.ipxe:nbc-san-test", user, pw, strcmp(argv[4], "keep") == 0,
		      strcmp(argv[5], "hook") == 0, &r, hold ? &h : NULL);
	printf("rc=%d login_ok=%d bootable=%d blocks=%llu block_size=%u handle=%d\n", rc, r.login_ok,
	       r.bootable, (unsigned long long)r.blocks, r.block_size, h != NULL);
	printf("vendor=%s product=%s\nerror=%s\n", r.vendor, r.product, r.error);
	fflush(stdout);
	if (hold) {
		FILE *f = fopen(hold, "w");

		if (f)
			fclose(f);
		for (int i = 0; i < 200 && access(release, F_OK) != 0; i++)	/* 20 s at most */
			usleep(100000);
		san_close(h);
		printf("closed\n");
	}
	return 0;
}
EOF
if ! $CC -std=c11 -D_DEFAULT_SOURCE -O1 -g -Wall -Wextra -Werror -I. -o "$tmp/drive" "$tmp/drive.c" \
	firmware/san.c proto/rootpath.c -liscsi >"$tmp/out" 2>&1; then
	echo "san: cannot build the driver:"
	sed 's/^/  /' "$tmp/out"
	exit 1
fi

# 16 MiB images: one with 0x55 0xAA at 510-511, one all zero.
head -c $((16 * 1024 * 1024)) /dev/zero >"$tmp/boot.img"
printf '\125\252' | dd of="$tmp/boot.img" bs=1 seek=510 conv=notrunc 2>/dev/null
head -c $((16 * 1024 * 1024)) /dev/zero >"$tmp/blank.img"
cat >"$tmp/site" <<EOF
iscsi.lun = iqn.2026-11.test:disk0 1 boot.img ro
iscsi.lun = iqn.2026-11.test:blank 1 blank.img ro
iscsi.chap = iqn.2026-11.test:secure chapuser $SECRET
iscsi.lun = iqn.2026-11.test:secure 1 boot.img ro
EOF

# A random port in 20000-39999; another one if netboot-serve cannot bind it.
started=
for _ in 1 2 3 4 5; do
	port=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000))
	"$SERVE" --site "$tmp/site" --listen 127.0.0.1 --iscsi-port "$port" 2>"$tmp/log" &
	pid=$!
	i=0
	while [ $i -lt 100 ]; do	# 10 s at most
		if grep -q '^netboot-serve: ready$' "$tmp/log"; then
			started=1
			break
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	[ -n "$started" ] && break
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
	if ! grep -q 'cannot bind' "$tmp/log"; then
		echo "san: $SERVE did not start:"
		sed 's/^/  /' "$tmp/log"
		exit 1
	fi
done
if [ -z "$started" ]; then
	echo "san: no free port after 5 tries"
	exit 1
fi
RP="iscsi:127.0.0.1::$port:1:iqn.2026-11.test"

# drive ARGS...: the driver's output in $tmp/out, bounded in time.
drive() {
	timeout 30 "$tmp/drive" "$@" >"$tmp/out" 2>&1
}
logouts() {
	grep -c 'logout' "$tmp/log"
}

# 1. A bootable disk boots (0); without a handle the session is logged out at once.
n0=$(logouts)
if drive "$RP:disk0" - - nokeep boot && grep -q '^rc=0 login_ok=1 bootable=1 blocks=32768 block_size=512 handle=0$' "$tmp/out" &&
	grep -q '^vendor=NETBOOT' "$tmp/out" && grep -q '^error=$' "$tmp/out"; then
	ok "bootable disk: san_boot returns 0 (32768 blocks of 512)"
else
	bad "bootable disk: san_boot returns 0 (32768 blocks of 512)"
fi
sleep 0.2
if [ "$(logouts)" -gt "$n0" ]; then
	ok "bootable disk without a handle: logged out"
else
	bad "bootable disk without a handle: logged out"
	sed 's/^/     | /' "$tmp/log" | tail -8
fi

# 2. The blank disk: no boot signature, -1 without keep.
if drive "$RP:blank" - - nokeep boot && grep -q '^rc=-1 login_ok=1 bootable=0 .* handle=0$' "$tmp/out" &&
	grep -q '^error=no boot signature on LBA 0$' "$tmp/out"; then
	ok "blank disk: -1, no boot signature on LBA 0"
else
	bad "blank disk: -1, no boot signature on LBA 0"
fi

# 3. keep-san on the blank disk: 1, the session stays logged in until san_close.
rm -f "$tmp/held" "$tmp/release"
n0=$(logouts)
timeout 40 "$tmp/drive" "$RP:blank" - - keep boot "$tmp/held" "$tmp/release" >"$tmp/keep.out" 2>&1 &
dpid=$!
i=0
while [ ! -f "$tmp/held" ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 0.5	# a logout sent at once would be in the server's log by now
n1=$(logouts)
touch "$tmp/release"
wait "$dpid"
dpid=
sleep 0.3
n2=$(logouts)
cp "$tmp/keep.out" "$tmp/out"
if [ -f "$tmp/held" ] && grep -q '^rc=1 login_ok=1 bootable=0 .* handle=1$' "$tmp/out" &&
	grep -q '^error=no boot signature on LBA 0$' "$tmp/out"; then
	ok "keep-san on the blank disk: 1, session handed to the host"
else
	bad "keep-san on the blank disk: 1, session handed to the host"
fi
if [ "$n1" -eq "$n0" ] && [ "$n2" -gt "$n1" ] && grep -q '^closed$' "$tmp/out"; then
	ok "keep-san: no logout until san_close, then logout"
else
	bad "keep-san: no logout until san_close, then logout (logouts $n0 -> $n1 held -> $n2 closed)"
	sed 's/^/     | /' "$tmp/log" | tail -8
fi

# 4. sanhook of the bootable disk: registered, not booted (1).
if drive "$RP:disk0" - - keep hook && grep -q '^rc=1 login_ok=1 bootable=1 ' "$tmp/out" && grep -q '^error=$' "$tmp/out"; then
	ok "sanhook: 1 (registered, not booted)"
else
	bad "sanhook: 1 (registered, not booted)"
fi

# 5. CHAP: the right secret boots; a wrong one and none are refused.
if drive "$RP:secure" chapuser "$SECRET" nokeep boot && grep -q '^rc=0 login_ok=1 bootable=1 ' "$tmp/out"; then
	ok "CHAP with the right secret: boots"
else
	bad "CHAP with the right secret: boots"
fi
if drive "$RP:secure" chapuser wrongsecret99x nokeep boot && grep -q '^rc=-1 login_ok=0 ' "$tmp/out" &&
	grep -q '^error=login refused: Authentication failure$' "$tmp/out"; then
	ok "CHAP with a wrong secret: login refused: Authentication failure"
else
	bad "CHAP with a wrong secret: login refused: Authentication failure"
fi
if drive "$RP:secure" - - nokeep boot && grep -q '^rc=-1 login_ok=0 ' "$tmp/out" &&
	grep -q '^error=login refused: ' "$tmp/out"; then
	ok "CHAP target without credentials: login refused"
else
	bad "CHAP target without credentials: login refused"
fi
if grep -q "$SECRET\|wrongsecret99x" "$tmp/out" "$tmp/log"; then
	bad "no secret in the driver's output or the server log"
else
	ok "no secret in the driver's output or the server log"
fi

# 6. Errors: no such target, bad root path, nobody listening, no such LUN.
if drive "$RP:nosuch" - - nokeep boot && grep -q '^rc=-1 login_ok=0 ' "$tmp/out" && grep -q '^error=login refused: ' "$tmp/out"; then
	ok "unknown target: login refused"
else
	bad "unknown target: login refused"
fi
if drive "iscsi:127.0.0.1::$port:1:" - - nokeep boot && grep -q '^error=bad root path: ' "$tmp/out"; then
	ok "root path without a target: bad root path"
else
	bad "root path without a target: bad root path"
fi

# Nobody listening on the port: a connect error, not a login error.
if drive "iscsi:127.0.0.1::$((port + 1)):1:iqn.2026-11.test:disk0" - - nokeep boot &&
	grep -q "^error=cannot connect to 127.0.0.1:$((port + 1))" "$tmp/out" && grep -q '^rc=-1 login_ok=0 ' "$tmp/out"; then
	ok "nobody listening: cannot connect"
else
	bad "nobody listening: cannot connect"
fi
# A LUN the target does not have: the first SCSI command says so.
if drive "iscsi:127.0.0.1::$port:7:iqn.2026-11.test:disk0" - - nokeep boot && grep -q '^rc=-1 login_ok=1 ' "$tmp/out" &&
	grep -q '^error=TEST UNIT READY failed: CHECK CONDITION ILLEGAL_REQUEST' "$tmp/out"; then
	ok "missing LUN: TEST UNIT READY fails with ILLEGAL REQUEST"
else
	bad "missing LUN: TEST UNIT READY fails with ILLEGAL REQUEST"
fi

echo "san: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
