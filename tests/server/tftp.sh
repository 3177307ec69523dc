#!/bin/sh
# tftp.sh: netboot-serve's TFTP service against real clients: tftp-hpa (RFC 1350) and curl (options).
# Usage: sh tests/server/tftp.sh [build/bin/netboot-serve]
set -u
cd "$(dirname "$0")/../.." || exit 2
SERVE=${1:-build/bin/netboot-serve}
pass=0
fail=0
pid=
tmp=

ok() {
	pass=$((pass + 1))
	echo "ok   $1"
}
bad() {
	fail=$((fail + 1))
	echo "FAIL $1"
	[ -s "$tmp/out" ] && sed 's/^/     | /' "$tmp/out" | head -5
}
cleanup() {
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
	echo "tftp: $SERVE is not built (make $SERVE)"
	exit 2
fi
if ! command -v tftp >/dev/null 2>&1; then
	echo "tftp: the tftp-hpa client is not installed (apt-get install tftp-hpa)"
	exit 2
fi

tmp=$(mktemp -d /tmp/nbc-tftp.XXXXXX) || exit 2
mkdir "$tmp/root" "$tmp/dl"
head -c 1048576 /dev/urandom >"$tmp/root/random1m"
head -c $((512 * 100)) /dev/urandom >"$tmp/root/exact512"
# 40 MiB, sparse, with random islands around block 65536 (offset 32 MiB at blksize 512)
# and at both ends, so that a block sent under the wrong number after the wrap shows in cmp.
truncate -s 40M "$tmp/root/big40m"
for at in 0 8191 8192 8193 10239; do
	dd if=/dev/urandom of="$tmp/root/big40m" bs=4096 count=1 seek=$at conv=notrunc \
		2>/dev/null
done
mkdir "$tmp/root/boot"
cp "$tmp/root/exact512" "$tmp/root/boot/nbp.bin"
echo secret >"$tmp/outside"
ln -s ../outside "$tmp/root/escape"
printf 'tftp.root = %s\n' "$tmp/root" >"$tmp/site"

# A random port in 20000-39999; another one if netboot-serve cannot bind it.
started=
for try in 1 2 3 4 5; do
	port=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000))
	"$SERVE" --site "$tmp/site" --listen 127.0.0.1 --tftp-port "$port" 2>"$tmp/log" &
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
		echo "tftp: $SERVE did not start:"
		sed 's/^/  /' "$tmp/log"
		exit 1
	fi
done
if [ -z "$started" ]; then
	echo "tftp: no free port after 5 tries"
	exit 1
fi

# get NAME DEST [extra tftp args]: tftp-hpa, octet mode, bounded in time.
get() {
	timeout 120 tftp -v 127.0.0.1 "$port" -m binary -c get "$1" "$2" >"$tmp/out" 2>&1
}

# 1. A 1 MiB random file, byte-identical (no options: DATA 1 right away, lockstep).
if get random1m "$tmp/dl/random1m" && cmp -s "$tmp/root/random1m" "$tmp/dl/random1m"; then
	ok "1 MiB random file, byte-identical"
else
	bad "1 MiB random file, byte-identical"
fi

# 2. A multiple of 512: the transfer ends with an empty DATA block.
# The server logs the transfer once the last ACK is in, which may be just after the client
# is done: wait for the line (bounded) rather than race it.
logged() {
	n=0
	while [ $n -lt 30 ] && ! grep -q "$1" "$tmp/log"; do sleep 0.1; n=$((n + 1)); done
	grep -q "$1" "$tmp/log"
}
if get exact512 "$tmp/dl/exact512" && cmp -s "$tmp/root/exact512" "$tmp/dl/exact512" &&
	logged 'exact512: 51200 bytes in 101 blocks'; then
	ok "512*100 bytes: 101 blocks, the last one empty"
else
	bad "512*100 bytes: 101 blocks, the last one empty"
fi

# 3. A leading '/' is relative to the root.
if get /boot/nbp.bin "$tmp/dl/nbp.bin" && cmp -s "$tmp/root/boot/nbp.bin" "$tmp/dl/nbp.bin"; then
	ok "leading slash served from the root"
else
	bad "leading slash served from the root"
fi

# 4. Options through curl (it sends tsize and blksize): OACK, then the file.
if command -v curl >/dev/null 2>&1; then
	if timeout 120 curl -sS --tftp-blksize 1468 -o "$tmp/dl/curl1m" \
		"tftp://127.0.0.1:$port/random1m" >"$tmp/out" 2>&1 &&
		cmp -s "$tmp/root/random1m" "$tmp/dl/curl1m" &&
		grep -q 'RRQ random1m .*-> OACK blksize=1468 tsize=1048576' "$tmp/log"; then
		ok "curl blksize 1468 + tsize: OACK with the real size, byte-identical"
	else
		bad "curl blksize 1468 + tsize: OACK with the real size, byte-identical"
	fi
else
	echo "skip curl is not installed: the OACK path is covered by tests/unit/test_tftpd.c only"
fi

# 5. 40 MiB at blksize 512: 81921 blocks, the block number wraps 65535 -> 0.
if get big40m "$tmp/dl/big40m" && cmp -s "$tmp/root/big40m" "$tmp/dl/big40m" &&
	grep -q 'big40m: block number rolled over 65535 -> 0' "$tmp/log" &&
	logged 'big40m: 41943040 bytes in 81921 blocks'; then
	ok "40 MiB at blksize 512: block number rollover, byte-identical"
else
	bad "40 MiB at blksize 512: block number rollover, byte-identical"
fi

# 6-8. Refusals, each with its TFTP error code.
refused() {	# refused LABEL CODE: the last client run got ERROR CODE
	if grep -q "Error code $2" "$tmp/out"; then
		ok "$1"
	else
		bad "$1"
	fi
}
get ../site "$tmp/dl/site"
refused "'..' refused with ERROR 2" 2
get escape "$tmp/dl/escape"
refused "symlink out of the root refused with ERROR 2" 2
get no-such-file "$tmp/dl/none"
refused "missing file: ERROR 1" 1
timeout 30 tftp -v 127.0.0.1 "$port" -m binary -c put "$tmp/root/exact512" upload.bin \
	>"$tmp/out" 2>&1
refused "WRQ refused with ERROR 2 (read-only)" 2
if [ -e "$tmp/root/upload.bin" ]; then
	bad "WRQ created no file"
fi

# The server is still up, and logged each refusal with its reason.
if kill -0 "$pid" 2>/dev/null && grep -q "RRQ \.\./site -> ERROR 2" "$tmp/log" &&
	grep -q "WRQ upload.bin -> ERROR 2 read-only server" "$tmp/log"; then
	ok "server alive; refusals logged with reasons"
else
	bad "server alive; refusals logged with reasons"
fi

if [ "$fail" -ne 0 ]; then
	echo "server log:"
	sed 's/^/  /' "$tmp/log" | tail -40
fi
echo "tftp: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
