/* fuzz_iscsid.c: netboot-serve's iSCSI target (server/iscsid.c, detached mode) on a hostile initiator's PDU stream.
 *
 * Input: 4 bytes of seed, then what an initiator sends on one connection (PDUs: login,
 * text, SCSI commands, Data-Out, NOP, task management, logout). The seed drives the cuts,
 * the socket's window and the login timer as in fuzz_httpd.c; seed 0 is the plain case.
 * At the end the initiator closes; the target must close too.
 *
 * Targets: iqn.2026-11.fuzz:disk0 (LUN 0: a 64-block image, read-write; LUN 1: 16 blocks,
 * read-only) and iqn.2026-11.fuzz:chap (CHAP, user "fuzzuser", LUN 0: 8 blocks). The
 * images are rewritten before every input. getrandom is fixed (fuzz_server_common.h), so
 * the CHAP challenge is known and fuzz/seeds.py writes streams that log in with CHAP.
 *
 * Invariants: the output frames as iSCSI PDUs with iscsi_pdu_len/iscsi_pdu_decode (the
 * digests negotiated at login in force after the last Login Response) with good digests,
 * each key answered at most once in a Login Response,
 * target opcodes only, nothing after a Logout Response; the CHAP secret appears in no PDU
 * and no log line (unless the input carries it); pread/pwrite only on the images and inside them, no open at all; the
 * images keep their size; one connection holds at most 3 MiB.
 * fuzz-ldflags: -Wl,--wrap=open,--wrap=pread,--wrap=pwrite,--wrap=srv_log,--wrap=getrandom
 */
#include "fuzz/fuzz_server_common.h"
#include "proto/iscsi.h"
#include "server/iscsid.h"

#define CONN_HEAP_MAX (3u << 20)
#define PIECE_MAX 8192
#define OBUF_CAP (2u << 20)
#define SECRET "fuzz-chap-secret-12"

struct img {
	const char *rel;
	size_t blocks;
	bool rw;
	uint8_t *data;
	char path[400];
};

static struct img imgs[] = {
	{ "disk0.img", 64, true, NULL, "" },
	{ "disk1.img", 16, false, NULL, "" },
	{ "disk2.img", 8, true, NULL, "" },
};
#define NIMGS (sizeof(imgs) / sizeof(imgs[0]))

static const char *dir;
static struct iscsid_target targets[2];

static struct initiator {
	uint32_t rng;
	size_t window;
	bool closed;
	size_t written;
	uint8_t *ob;		/* output not yet framed */
	size_t olen;
	bool hd, dd;		/* digests in force */
	bool want_hd, want_dd;	/* negotiated so far */
	bool logged_out;
	unsigned pdus;
} ini;

/* Keys printable; in a login response each key answered at most once (RFC 7143 6.2). */
static void check_text(struct view data, bool once)
{
	struct view seen[128];
	size_t pos = 0, n = 0;
	struct view k, v;

	while (iscsi_text_next(data, &pos, &k, &v)) {
		for (size_t i = 0; i < k.len; i++)
			FUZZ_ASSERT(k.p[i] >= 0x20 && k.p[i] < 0x7f);
		/* Answers that put no value in force may repeat: NotUnderstood names the key as
		 * sent, made printable (two may look alike); TargetAddress may be declared more
		 * than once (RFC 7143 6.2) and is Irrelevant from an initiator. */
		if (!once || view_eq_str(v, "NotUnderstood") || view_eq_str(v, "Irrelevant"))
			continue;
		for (size_t i = 0; i < n; i++)
			FUZZ_ASSERT(!(seen[i].len == k.len && memcmp(seen[i].p, k.p, k.len) == 0));
		if (n < sizeof(seen) / sizeof(seen[0]))
			seen[n++] = k;
	}
}

static void check_pdu(const struct iscsi_pdu *p)
{
	ini.pdus++;
	FUZZ_ASSERT(!ini.logged_out);	/* the Logout Response is the last PDU */
	FUZZ_ASSERT(p->hdigest_ok && p->ddigest_ok);
	FUZZ_ASSERT(p->data.len <= 262144);	/* OUR_MRDSL: no PDU of ours is longer */
	/* (Unless the input carries it: a Reject echoes the initiator's header.) */
	if (fuzz_watch.secret && p->data.len >= sizeof(SECRET) - 1)
		FUZZ_ASSERT(!fuzz_find(p->data.p, p->data.len, SECRET));
	switch (p->opcode) {
	case ISCSI_OP_LOGIN_RSP: {
		size_t pos = 0;
		struct view k, v;

		FUZZ_ASSERT(p->status_class <= ISCSI_LOGIN_TARGET_ERR);
		check_text(p->data, true);
		while (iscsi_text_next(p->data, &pos, &k, &v)) {
			if (view_eq_str(k, "HeaderDigest"))
				ini.want_hd = view_eq_str(v, "CRC32C");
			else if (view_eq_str(k, "DataDigest"))
				ini.want_dd = view_eq_str(v, "CRC32C");
		}
		/* Login PDUs carry no digests; the negotiated ones apply after the last. */
		if (p->login_transit && p->login_nsg == ISCSI_STAGE_FULL_FEATURE &&
		    p->status_class == 0) {
			ini.hd = ini.want_hd;
			ini.dd = ini.want_dd;
		}
		break;
	}
	case ISCSI_OP_TEXT_RSP:
		FUZZ_ASSERT(p->data.len <= 8192);
		check_text(p->data, false);
		break;
	case ISCSI_OP_REJECT:
		FUZZ_ASSERT(p->data.len == ISCSI_BHS_LEN);
		break;
	case ISCSI_OP_LOGOUT_RSP:
		ini.logged_out = true;
		break;
	case ISCSI_OP_SCSI_RSP:
		if (p->scsi_status == 0x02) {
			struct scsi_sense s;

			FUZZ_ASSERT(scsi_sense_decode(p->data, &s) && s.valid);
		}
		break;
	case ISCSI_OP_NOP_IN:
	case ISCSI_OP_TMF_RSP:
	case ISCSI_OP_DATA_IN:
	case ISCSI_OP_R2T:
		break;
	default:
		FUZZ_ASSERT(!"not a target opcode");
	}
}

/* Frames what has arrived: complete PDUs are checked and dropped. */
static void frame(void)
{
	size_t off = 0;

	for (;;) {
		size_t total = 0;
		int r = iscsi_pdu_len(ini.ob + off, ini.olen - off, ini.hd, ini.dd, ISCSI_MAX_DATA_LEN,
				      &total);
		struct iscsi_pdu p;

		FUZZ_ASSERT(r >= 0);
		if (r == 0 || total > ini.olen - off)
			break;
		FUZZ_ASSERT(iscsi_pdu_decode(ini.ob + off, total, ini.hd, ini.dd, &p));
		FUZZ_ASSERT(p.total_len == total);
		check_pdu(&p);
		off += total;
	}
	memmove(ini.ob, ini.ob + off, ini.olen - off);
	ini.olen -= off;
}

static size_t on_write(void *ctx, const uint8_t *p, size_t len)
{
	size_t n = len < ini.window ? len : ini.window;

	(void)ctx;
	FUZZ_ASSERT(!ini.closed && len > 0);
	FUZZ_ASSERT(ini.olen + n <= OBUF_CAP);	/* one PDU is far smaller */
	memcpy(ini.ob + ini.olen, p, n);
	ini.olen += n;
	ini.written += n;
	frame();
	return n;
}

static void on_closed(void *ctx)
{
	(void)ctx;
	FUZZ_ASSERT(!ini.closed);
	ini.closed = true;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	dir = fuzz_scratch("iscsid");
	for (size_t i = 0; i < NIMGS; i++) {
		imgs[i].data = malloc(imgs[i].blocks * 512);
		if (!imgs[i].data)
			abort();
		fuzz_fill(imgs[i].data, imgs[i].blocks * 512, (unsigned)i);
		fuzz_put(dir, imgs[i].rel, imgs[i].data, imgs[i].blocks * 512);
		snprintf(imgs[i].path, sizeof(imgs[i].path), "%s/%s", dir, imgs[i].rel);
		fuzz_watch_image(imgs[i].path, imgs[i].rw);
	}
	targets[0].name = "iqn.2026-11.fuzz:disk0";
	targets[0].luns[0] = (struct iscsid_lun){ 0, imgs[0].path, true };
	targets[0].luns[1] = (struct iscsid_lun){ 1, imgs[1].path, false };
	targets[0].nluns = 2;
	targets[1].name = "iqn.2026-11.fuzz:chap";
	targets[1].luns[0] = (struct iscsid_lun){ 0, imgs[2].path, true };
	targets[1].nluns = 1;
	targets[1].chap_user = "fuzzuser";
	targets[1].chap_secret = SECRET;
	ini.ob = malloc(OBUF_CAP);
	if (!ini.ob)
		abort();
	fuzz_watch_init(NULL, NULL);	/* no open while armed */
	return 0;
}

static size_t feed(struct iscsid_conn *c, const uint8_t *p, size_t n, bool eof, size_t heap0)
{
	size_t used = 0;

	ini.written = 0;
	iscsid_conn_feed(c, p, n, eof, &used);
	FUZZ_ASSERT(used <= n);
	FUZZ_ASSERT(fuzz_heap_since(heap0) <= CONN_HEAP_MAX + PIECE_MAX);
	return used;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iscsid_conf conf;
	struct iscsid_conn_io io = { on_write, on_closed, NULL };
	struct iscsid *d;
	struct iscsid_conn *c;
	char err[256];
	size_t pos = 0, heap0;
	bool plain;

	if (size < 4)
		return 0;
	{
		uint8_t *ob = ini.ob;

		memset(&ini, 0, sizeof(ini));
		ini.ob = ob;
	}
	ini.rng = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3];
	plain = ini.rng == 0;
	ini.rng |= 1;
	data += 4;
	size -= 4;
	/* The secret may be logged only if the input itself carries it. */
	fuzz_watch.secret = fuzz_find(data, size, SECRET) ? NULL : SECRET;
	for (size_t i = 0; i < NIMGS; i++)
		fuzz_put(dir, imgs[i].rel, imgs[i].data, imgs[i].blocks * 512);
	memset(&conf, 0, sizeof(conf));
	conf.port = 3260;
	conf.targets = targets;
	conf.ntargets = 2;
	conf.max_conns = 4;
	d = iscsid_new_detached(&conf, err, sizeof(err));
	if (!d) {
		fprintf(stderr, "fuzz_iscsid: %s\n", err);
		abort();
	}
	fuzz_watch_arm(true);
	heap0 = fuzz_heap();
	c = iscsid_conn_new(d, "192.0.2.10:40000", 0xc0000201u, 3260, &io);
	FUZZ_ASSERT(c != NULL);
	while (!ini.closed && pos < size) {
		uint32_t r = fuzz_rand(&ini.rng);
		size_t lim = (size_t)1 << (r % 14);
		size_t piece = size - pos < lim ? size - pos : lim;
		uint8_t *buf;
		size_t used;

		if (piece > PIECE_MAX)
			piece = PIECE_MAX;
		piece = 1 + (size_t)(fuzz_rand(&ini.rng) % piece);
		r = fuzz_rand(&ini.rng);
		ini.window = (r & 7) == 0 ? 0 : (r & 1) ? SIZE_MAX : 1 + (r >> 8) % 65536;
		if (plain) {
			piece = size - pos < PIECE_MAX ? size - pos : PIECE_MAX;
			ini.window = SIZE_MAX;
			r = 1;
		}
		buf = malloc(piece);
		if (!buf)
			abort();
		memcpy(buf, data + pos, piece);
		used = feed(c, buf, piece, false, heap0);
		free(buf);
		pos += used;
		if (!ini.closed && (r >> 3) % 128 == 0)
			iscsid_conn_expire(c);
		if (!ini.closed && used == 0 && ini.written == 0) {
			ini.window = SIZE_MAX;
			(void)feed(c, NULL, 0, false, heap0);
		}
	}
	ini.window = SIZE_MAX;
	for (int i = 0; i < 1000 && !ini.closed; i++) {
		size_t rest = size - pos;
		uint8_t *buf = malloc(rest ? rest : 1);

		if (!buf)
			abort();
		if (rest)
			memcpy(buf, data + pos, rest);
		pos += feed(c, buf, rest, true, heap0);
		free(buf);
	}
	FUZZ_ASSERT(ini.closed);
	fuzz_watch_arm(false);
	iscsid_free(d);
	for (size_t i = 0; i < NIMGS; i++) {
		struct stat st;

		FUZZ_ASSERT(stat(imgs[i].path, &st) == 0 && (size_t)st.st_size == imgs[i].blocks * 512);
	}
	return 0;
}
