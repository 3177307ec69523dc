#!/bin/sh
# iscsi.sh: netboot-serve's iSCSI target against real initiators: libiscsi's tools and a libiscsi copy helper.
# Usage: sh tests/server/iscsi.sh [build/bin/netboot-serve]
set -u
cd "$(dirname "$0")/../.." || exit 2
SERVE=${1:-build/bin/netboot-serve}
pass=0
fail=0
pid=
tmp=
SECRET=secret12345678
WRONG=wrongsecret99x

ok() {
	pass=$((pass + 1))
	echo "ok   $1"
}
bad() {
	fail=$((fail + 1))
	echo "FAIL $1"
	[ -s "$tmp/out" ] && sed 's/^/     | /' "$tmp/out" | head -8
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
	echo "iscsi: $SERVE is not built (make $SERVE)"
	exit 2
fi
for tool in iscsi-ls iscsi-inq iscsi-readcapacity16; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "iscsi: $tool is not installed (apt-get install libiscsi-bin)"
		exit 2
	fi
done

tmp=$(mktemp -d /tmp/nbc-iscsi.XXXXXX) || exit 2

# libiscsi-bin has no dd: a small copier on libiscsi's public API (READ(16)/WRITE(16)
# in 1 MiB requests, so writes need immediate data plus several R2Ts).
cat >"$tmp/xfer.c" <<'EOF'
/* xfer.c: copies a whole LUN to a file (read) or a file onto a LUN from LBA 0 (write). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

int main(int argc, char **argv)
{
	struct iscsi_context *is;
	struct iscsi_url *u;
	struct scsi_task *t;
	struct scsi_readcapacity16 *rc;
	static unsigned char buf[1 << 20];
	unsigned long long blocks, lba = 0;
	FILE *f;
	int wr;

	if (argc < 4)
		return 2;
	wr = strcmp(argv[1], "write") == 0;
	is = iscsi_create_context("iqn.2026-11.test:xfer");
	u = is ? iscsi_parse_full_url(is, argv[2]) : NULL;
	if (!u)
		return 2;
	iscsi_set_targetname(is, u->target);
	iscsi_set_session_type(is, ISCSI_SESSION_NORMAL);
	if (u->user[0])
		iscsi_set_initiator_username_pwd(is, u->user, u->passwd);
	iscsi_set_header_digest(is, argc > 4 ? ISCSI_HEADER_DIGEST_CRC32C : ISCSI_HEADER_DIGEST_NONE);
	if (iscsi_full_connect_sync(is, u->portal, u->lun) != 0) {
		fprintf(stderr, "login: %s\n", iscsi_get_error(is));
		return 1;
	}
	t = iscsi_readcapacity16_sync(is, u->lun);
	if (!t || t->status != SCSI_STATUS_GOOD || !(rc = scsi_datain_unmarshall(t))) {
		fprintf(stderr, "READ CAPACITY(16): %s\n", iscsi_get_error(is));
		return 1;
	}
	blocks = rc->returned_lba + 1;
	scsi_free_scsi_task(t);
	f = fopen(argv[3], wr ? "rb" : "wb");
	if (!f)
		return 1;
	while (lba < blocks) {
		size_t n = wr ? fread(buf, 1, sizeof(buf), f) : sizeof(buf);

		if (n == 0)
			break;
		if (!wr && (blocks - lba) * 512 < n)
			n = (size_t)(blocks - lba) * 512;
		if (n % 512)
			return 1;
		t = wr ? iscsi_write16_sync(is, u->lun, lba, buf, (uint32_t)n, 512, 0, 0, 0, 0, 0)
		       : iscsi_read16_sync(is, u->lun, lba, (uint32_t)n, 512, 0, 0, 0, 0, 0);
		if (!t || t->status != SCSI_STATUS_GOOD) {
			fprintf(stderr, "%s LBA %llu: %s\n", wr ? "WRITE(16)" : "READ(16)", lba,
				iscsi_get_error(is));
			return 1;
		}
		if (!wr) {
			if ((size_t)t->datain.size != n)
				return 1;
			fwrite(t->datain.data, 1, n, f);
		}
		scsi_free_scsi_task(t);
		lba += n / 512;
	}
	fclose(f);
	iscsi_logout_sync(is);
	iscsi_destroy_url(u);
	iscsi_destroy_context(is);
	return 0;
}
EOF
xfer=
if ${CC:-cc} -O1 -o "$tmp/xfer" "$tmp/xfer.c" -liscsi >"$tmp/out" 2>&1; then
	xfer="$tmp/xfer"
fi

# 8 MiB rw image with a boot signature, a 1 MiB ro image, and the CHAP target on disk0.
head -c $((8 * 1024 * 1024)) /dev/urandom >"$tmp/disk0.img"
printf '\125\252' | dd of="$tmp/disk0.img" bs=1 seek=510 conv=notrunc 2>/dev/null
head -c $((1024 * 1024)) /dev/urandom >"$tmp/ro.img"
cp "$tmp/disk0.img" "$tmp/disk0.orig"
cp "$tmp/ro.img" "$tmp/ro.orig"
cat >"$tmp/site" <<EOF
iscsi.lun = iqn.2026-11.test:disk0 1 disk0.img rw
iscsi.lun = iqn.2026-11.test:ro 0 ro.img ro
iscsi.chap = iqn.2026-11.test:secure chapuser $SECRET
iscsi.lun = iqn.2026-11.test:secure 0 disk0.img ro
EOF

# A random port in 20000-39999; another one if netboot-serve cannot bind it.
started=
for try in 1 2 3 4 5; do
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
		echo "iscsi: $SERVE did not start:"
		sed 's/^/  /' "$tmp/log"
		exit 1
	fi
done
if [ -z "$started" ]; then
	echo "iscsi: no free port after 5 tries"
	exit 1
fi
P="127.0.0.1:$port"
DISK0="iscsi://$P/iqn.2026-11.test:disk0/1"
RO="iscsi://$P/iqn.2026-11.test:ro/0"

# run SECONDS CMD...: output in $tmp/out, bounded in time.
run() {
	s=$1
	shift
	timeout "$s" "$@" >"$tmp/out" 2>&1
}

# Discovery session: SendTargets=All.
if run 20 iscsi-ls "iscsi://$P" && grep -q 'Target:iqn.2026-11.test:disk0 Portal:127.0.0.1:'"$port"',1' "$tmp/out" &&
	grep -q 'Target:iqn.2026-11.test:ro ' "$tmp/out" && grep -q 'Target:iqn.2026-11.test:secure ' "$tmp/out"; then
	ok "iscsi-ls lists the targets (discovery)"
else
	bad "iscsi-ls lists the targets (discovery)"
fi

if run 20 iscsi-inq "$DISK0" && grep -q '^Vendor:NETBOOT' "$tmp/out" &&
	grep -q 'Peripheral Device Type:DIRECT_ACCESS' "$tmp/out"; then
	ok "iscsi-inq shows vendor NETBOOT"
else
	bad "iscsi-inq shows vendor NETBOOT"
fi

if run 20 iscsi-inq -e 1 -c 0 "$DISK0" && grep -q '0x83' "$tmp/out" && grep -q '0x80' "$tmp/out"; then
	ok "iscsi-inq VPD supported pages list 0x80 and 0x83"
else
	bad "iscsi-inq VPD supported pages list 0x80 and 0x83"
fi

if run 20 iscsi-readcapacity16 "$DISK0" && grep -q "^Total size:$((8 * 1024 * 1024))\$" "$tmp/out" &&
	grep -q '^LOGICAL BLOCK LENGTH IN BYTES:512$' "$tmp/out"; then
	ok "iscsi-readcapacity16 gives the image size"
else
	bad "iscsi-readcapacity16 gives the image size"
fi

if run 20 iscsi-readcapacity16 "$RO" && grep -q "^Total size:$((1024 * 1024))\$" "$tmp/out"; then
	ok "iscsi-readcapacity16 on the ro target"
else
	bad "iscsi-readcapacity16 on the ro target"
fi

if run 20 iscsi-inq "iscsi://$P/iqn.2026-11.test:nope/0"; then
	bad "an unknown target name is refused"
elif grep -qi 'not found\|failed' "$tmp/out"; then
	ok "an unknown target name is refused"
else
	bad "an unknown target name is refused"
fi

if [ -z "$xfer" ]; then
	bad "building the libiscsi copy helper (libiscsi-dev)"
else
	if run 60 "$xfer" read "$DISK0" "$tmp/dl0" && cmp -s "$tmp/dl0" "$tmp/disk0.orig"; then
		ok "READ(16) copies the rw image out, identical"
	else
		bad "READ(16) copies the rw image out, identical"
	fi
	if run 60 "$xfer" read "$DISK0" "$tmp/dl0d" crc32c && cmp -s "$tmp/dl0d" "$tmp/disk0.orig"; then
		ok "READ(16) with HeaderDigest=CRC32C, identical"
	else
		bad "READ(16) with HeaderDigest=CRC32C, identical"
	fi
	if run 60 "$xfer" read "$RO" "$tmp/dlro" && cmp -s "$tmp/dlro" "$tmp/ro.orig"; then
		ok "READ(16) copies the ro image out, identical"
	else
		bad "READ(16) copies the ro image out, identical"
	fi
	# 3 MiB + 1 KiB: immediate data, then R2Ts, in 1 MiB commands
	head -c $((3 * 1024 * 1024 + 1024)) /dev/urandom >"$tmp/new"
	if run 60 "$xfer" write "$DISK0" "$tmp/new" &&
		cmp -s -n $((3 * 1024 * 1024 + 1024)) "$tmp/new" "$tmp/disk0.img" &&
		run 60 "$xfer" read "$DISK0" "$tmp/dl1" && cmp -s -n $((3 * 1024 * 1024 + 1024)) "$tmp/new" "$tmp/dl1" &&
		cmp -s -i $((3 * 1024 * 1024 + 1024)) "$tmp/dl1" "$tmp/disk0.orig"; then
		ok "WRITE(16) of 3 MiB lands in the image and reads back"
	else
		bad "WRITE(16) of 3 MiB lands in the image and reads back"
	fi
	if run 30 "$xfer" write "$RO" "$tmp/new"; then
		bad "WRITE to the ro LUN is refused"
	elif grep -qi 'protect' "$tmp/out" && cmp -s "$tmp/ro.img" "$tmp/ro.orig"; then
		ok "WRITE to the ro LUN is refused (DATA PROTECT), image unchanged"
	else
		bad "WRITE to the ro LUN is refused (DATA PROTECT), image unchanged"
	fi
	if run 60 "$xfer" read "iscsi://chapuser%$SECRET@$P/iqn.2026-11.test:secure/0" "$tmp/dls" &&
		cmp -s "$tmp/dls" "$tmp/disk0.img"; then
		ok "CHAP with the right secret: READ of the whole LUN"
	else
		bad "CHAP with the right secret: READ of the whole LUN"
	fi
fi

if run 20 iscsi-inq "iscsi://chapuser%$SECRET@$P/iqn.2026-11.test:secure/0" && grep -q '^Vendor:NETBOOT' "$tmp/out"; then
	ok "CHAP with the right secret: iscsi-inq"
else
	bad "CHAP with the right secret: iscsi-inq"
fi
if run 20 iscsi-inq "iscsi://chapuser%$WRONG@$P/iqn.2026-11.test:secure/0"; then
	bad "CHAP with a wrong secret fails"
elif grep -qi 'authentication' "$tmp/out"; then
	ok "CHAP with a wrong secret fails (authentication failure)"
else
	bad "CHAP with a wrong secret fails (authentication failure)"
fi
if run 20 iscsi-inq "iscsi://$P/iqn.2026-11.test:secure/0"; then
	bad "CHAP target without credentials fails"
else
	ok "CHAP target without credentials fails"
fi

# libiscsi's conformance suite, a slice of it, when installed (--dataloss: disk0 is scratch).
if command -v iscsi-test-cu >/dev/null 2>&1; then
	for t in ALL.TestUnitReady ALL.Inquiry ALL.ReadCapacity10 ALL.ReadCapacity16 ALL.Read10 ALL.Read16 \
		ALL.Write10 ALL.Write16 ALL.ModeSense6 ALL.iSCSIResiduals ALL.iSCSIcmdsn ALL.iSCSIdatasn \
		ALL.iSCSITMF; do
		if run 120 iscsi-test-cu --dataloss --test="$t" "$DISK0" &&
			grep -Eq '^ +tests +[0-9]+ +[0-9]+ +[0-9]+ +0 ' "$tmp/out"; then
			ok "iscsi-test-cu $t"
		else
			bad "iscsi-test-cu $t"
		fi
	done
fi

: >"$tmp/out"
if grep -q "login .* -> iqn.2026-11.test:secure auth CHAP: Success" "$tmp/log" &&
	grep -q "auth CHAP: Authentication failure" "$tmp/log" &&
	grep -q " -> discovery auth None: Success" "$tmp/log"; then
	ok "the log has the logins with auth method and result"
else
	bad "the log has the logins with auth method and result"
fi
if grep -qF -e "$SECRET" -e "$WRONG" "$tmp/log"; then
	bad "the log never contains a CHAP secret"
else
	ok "the log never contains a CHAP secret"
fi

kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=
# Under ASan/UBSan (make asan) a report lands in the log; it must not.
if grep -q 'Sanitizer\|runtime error:' "$tmp/log"; then
	grep -m 5 'Sanitizer\|runtime error:' "$tmp/log" >"$tmp/out"
	bad "netboot-serve stops without a sanitizer report"
else
	ok "netboot-serve stops without a sanitizer report"
fi
echo "iscsi: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
