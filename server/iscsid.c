/* iscsid.c: netboot-serve's iSCSI target (RFC 7143) serving disk images as SBC-3 block LUNs. */
#include "server/iscsid.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nettle/md5.h>

#include "proto/iscsi.h"
#include "server/log.h"

#define BLOCK 512u
#define OUR_MRDSL 262144u		/* what we declare and accept per data segment */
#define OUR_MAX_BURST 1048576u
#define OUR_FIRST_BURST 262144u
#define LOGIN_TEXT_MAX 65536u	/* login/text keys accumulated over C-bit PDUs */
#define RSP_TEXT_MAX 8192u	/* RFC 7143 13.12: login PDUs stay within 8192 bytes */
#define CMD_WINDOW 32u		/* MaxCmdSN - ExpCmdSN + 1 */
#define MAX_WTASKS 32
#define OUT_HIGH (512u * 1024u)	/* stop generating output above this much queued */
#define LOGIN_TIMEOUT 30.0
#define EVICT_WAIT 2.0		/* at the cap, one still in login this long makes room */
#define NO_TAG 0xffffffffu
/* BHS + AHS + header digest + data + padding + data digest, for our largest PDU. */
#define IN_CAP (ISCSI_BHS_LEN + ISCSI_MAX_AHS_WORDS * 4 + 4 + OUR_MRDSL + 3 + 4)

/* SCSI status (SAM-5 5.3) and sense keys (SPC-4 4.5.6). */
#define ST_GOOD 0x00
#define ST_CHECK 0x02
#define ST_BUSY 0x08
#define SK_ILLEGAL 0x05
#define SK_MEDIUM 0x03
#define SK_PROTECT 0x07
#define SK_ABORTED 0x0b
/* A CHECK CONDITION to answer: sense key, ASC, ASCQ; 0 means answered already. */
#define SENSE(k, asc, ascq) ((uint32_t)(k) << 16 | (uint32_t)(asc) << 8 | (uint32_t)(ascq))

struct lunimg {
	uint64_t lun;
	int fd;
	bool rw;
	uint64_t blocks;
	char serial[17];	/* 16 hex digits, stable per target name + LUN */
	uint64_t naa;		/* locally assigned NAA designator */
};

struct tgt {
	char *name;
	char *chap_user;
	char *chap_secret;
	struct lunimg luns[ISCSID_MAX_LUNS];
	size_t nluns;
};

enum phase { PH_LOGIN, PH_FULL, PH_CLOSING };
enum auth { AUTH_START, AUTH_CHAP_A, AUTH_CHAP_R, AUTH_OK };

/* A write waiting for Data-Out (RFC 7143 11.7, 11.8). */
struct wtask {
	bool used;
	uint32_t itt, ttt;
	struct lunimg *lu;
	uint64_t off;		/* byte offset in the image */
	uint32_t xfer;		/* bytes we take: min(EDTL, transfer length) */
	uint32_t edtl;
	uint32_t received;	/* in-order data received so far */
	uint32_t r2t_end;	/* end of the data currently solicited or allowed */
	uint32_t r2tsn;
	uint32_t want_len;	/* transfer length from the CDB, bytes */
	bool failed;		/* a pwrite failed: answer MEDIUM ERROR at the end */
	bool fua;		/* SBC-3 5.40: force unit access: reach the medium first */
	uint32_t data_sn;	/* next DataSN expected in this output sequence */
	bool seq_err;		/* DataSN out of sequence: the command ends ABORTED COMMAND */
};

/* A READ streaming out as Data-In PDUs while the output queue drains. */
struct rtask {
	bool active;
	uint32_t itt;
	uint64_t lun_raw;
	struct lunimg *lu;
	uint64_t off;
	uint32_t total;		/* bytes to send */
	uint32_t sent;
	uint32_t data_sn;
	uint32_t burst_left;
	uint32_t edtl, want_len;
};

struct conn {
	struct iscsid *d;
	struct conn *next;
	int fd;			/* -1 in detached mode: io stands for the socket */
	struct iscsid_conn_io io;
	char peer[64];
	uint32_t local_ip;
	uint16_t local_port;
	uint64_t timer;
	double since;		/* accepted at (srv_now) */
	enum phase phase;
	uint8_t *in;
	size_t inlen;
	uint8_t *out;
	size_t outlen, outoff, outcap;
	const uint8_t *cur_bhs;	/* the PDU being handled, for Reject */
	uint8_t *scratch;	/* OUR_MRDSL bytes: READ data on its way to a Data-In */
	/* login */
	bool started;		/* the first Login Request arrived */
	bool named;		/* its text was complete: initiator and target are known */
	uint8_t stage;
	enum auth auth;
	bool discovery;
	struct tgt *tgt;
	char initiator[256];
	char target_req[256];	/* TargetName as asked, for the log */
	char auth_used[8];
	uint8_t isid[6];
	uint16_t tsih;
	uint16_t cid;
	bool tpgt_sent, mrdsl_sent;
	uint32_t keys_seen;	/* login keys offered so far: bit login_key_index (31: MRDSL) */
	uint8_t chap_id;
	uint8_t chap_c[16];
	uint8_t *ltext;		/* accumulated C-bit login/text data */
	size_t ltext_len;
	/* negotiated (RFC 7143 13) */
	bool hdigest, ddigest;	/* in force: only after login (RFC 7143 13.1) */
	bool want_hdigest, want_ddigest;	/* agreed during login */
	uint32_t peer_mrdsl;
	bool initial_r2t, immediate_data;
	uint32_t max_burst, first_burst;
	/* sequence numbers */
	uint32_t stat_sn, exp_cmd_sn;
	/* full feature */
	struct wtask w[MAX_WTASKS];
	uint32_t next_ttt;
	struct rtask rd;
	bool seen[256];		/* SCSI opcodes already logged */
	uint64_t ncmds, bytes_read, bytes_written;
	bool quiet;		/* the closing line was logged already (logout, shutdown) */
};

struct iscsid {
	struct srv_loop *l;
	int lfd;
	uint16_t port;
	struct tgt *tgts;
	size_t ntgts;
	unsigned max_conns, nconns;
	uint16_t next_tsih;
	struct conn *conns;
	bool detached;		/* iscsid_new_detached: no listener, l is ours */
};

static void conn_close(struct conn *c, const char *why);
static void conn_update(struct conn *c);
static void process_input(struct conn *c);

/* ---- small helpers ---- */

static bool view_eq(struct view v, const char *s)
{
	size_t n = strlen(s);

	return v.p && v.len == n && memcmp(v.p, s, n) == 0;
}

/* Is s one of the comma-separated values in the list v? RFC 7143 6.2. */
static bool list_has(struct view v, const char *s)
{
	size_t n = strlen(s), i = 0;

	if (!v.p)
		return false;
	while (i <= v.len) {
		size_t j = i;

		while (j < v.len && v.p[j] != ',')
			j++;
		if (j - i == n && memcmp(v.p + i, s, n) == 0)
			return true;
		i = j + 1;
	}
	return false;
}

/* Numerical values: decimal or 0x hex (RFC 7143 6.1 number). Returns false if bad. */
static bool view_num(struct view v, uint64_t *out)
{
	uint64_t n = 0;
	size_t i = 0;
	unsigned base = 10;

	if (!v.p || v.len == 0 || v.len > 20)
		return false;
	if (v.len > 2 && v.p[0] == '0' && (v.p[1] == 'x' || v.p[1] == 'X')) {
		base = 16;
		i = 2;
	}
	for (; i < v.len; i++) {
		unsigned dig;
		uint8_t ch = v.p[i];

		if (ch >= '0' && ch <= '9')
			dig = (unsigned)(ch - '0');
		else if (base == 16 && ch >= 'a' && ch <= 'f')
			dig = (unsigned)(ch - 'a' + 10);
		else if (base == 16 && ch >= 'A' && ch <= 'F')
			dig = (unsigned)(ch - 'A' + 10);
		else
			return false;
		if (n > (UINT64_MAX - dig) / base)
			return false;
		n = n * base + dig;
	}
	*out = n;
	return true;
}

static void view_str(struct view v, char *dst, size_t cap)
{
	size_t n = v.p ? v.len : 0;

	if (n >= cap)
		n = cap - 1;
	for (size_t i = 0; i < n; i++)
		dst[i] = (v.p[i] >= 0x20 && v.p[i] < 0x7f) ? (char)v.p[i] : '?';
	dst[n] = 0;
}

static void put_be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t get_be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint64_t fnv1a(const char *s, uint64_t lun)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3u;
	for (int i = 0; i < 8; i++)
		h = (h ^ (uint8_t)(lun >> (8 * i))) * 0x100000001b3u;
	return h;
}

/* SAM-5 4.7: single-level LUN, peripheral (00b) below 256, flat space (01b) up to 16383. */
static uint64_t lun_encode(uint64_t lun)
{
	if (lun < 256)
		return lun << 48;
	return (0x4000u | lun) << 48;
}

static bool lun_decode(uint64_t raw, uint64_t *lun)
{
	uint32_t top = (uint32_t)(raw >> 48);

	if (raw & 0xffffffffffffu)
		return false;
	if ((top >> 14) == 0 && (top >> 8) == 0)
		*lun = top & 0xff;
	else if ((top >> 14) == 1)
		*lun = top & 0x3fff;
	else
		return false;
	return true;
}

/* Serial number arithmetic, RFC 1982 as RFC 7143 4.2.2.1 asks. */
static bool sn_ge(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) >= 0;
}

/* ---- output queue ---- */

static uint8_t *out_reserve(struct conn *c, size_t n)
{
	if (c->outoff > 0 && c->outoff == c->outlen)
		c->outoff = c->outlen = 0;
	if (c->outlen + n > c->outcap) {
		size_t nc = c->outcap ? c->outcap : 65536;
		uint8_t *p;

		if (c->outoff > 0) {
			memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
			c->outlen -= c->outoff;
			c->outoff = 0;
		}
		while (nc < c->outlen + n)
			nc *= 2;
		if (nc != c->outcap) {
			p = realloc(c->out, nc);
			if (!p)
				return NULL;
			c->out = p;
			c->outcap = nc;
		}
	}
	return c->out + c->outlen;
}

static size_t out_queued(const struct conn *c)
{
	return c->outlen - c->outoff;
}

/* Queues one PDU; on failure the connection is marked closing. */
static bool send_pdu(struct conn *c, const struct iscsi_pdu *p)
{
	size_t need = ISCSI_BHS_LEN + 4 + (p->data.p ? p->data.len : 0) + 3 + 4;
	uint8_t *b = out_reserve(c, need);
	size_t n;

	if (!b) {
		c->phase = PH_CLOSING;
		return false;
	}
	n = iscsi_pdu_encode(b, need, p, c->hdigest, c->ddigest);
	if (n == 0) {
		c->phase = PH_CLOSING;
		return false;
	}
	c->outlen += n;
	return true;
}

/* send(2), or in detached mode the write callback (taking nothing is EAGAIN). */
static ssize_t conn_send(struct conn *c, const uint8_t *p, size_t n)
{
	size_t w;

	if (c->fd >= 0)
		return send(c->fd, p, n, MSG_NOSIGNAL);
	w = c->io.write(c->io.ctx, p, n);
	if (w == 0) {
		errno = EAGAIN;
		return -1;
	}
	return (ssize_t)(w < n ? w : n);
}

static void flush(struct conn *c)
{
	while (out_queued(c) > 0) {
		ssize_t n = conn_send(c, c->out + c->outoff, out_queued(c));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			c->phase = PH_CLOSING;
			c->outoff = c->outlen = 0;
			return;
		}
		c->outoff += (size_t)n;
	}
	c->outoff = c->outlen = 0;
}

/* Fills the sequence-number words every response carries (RFC 7143 11.4.3, 11.7). */
static void rsp_sn(struct conn *c, struct iscsi_pdu *p, bool advance)
{
	p->w24 = c->stat_sn;
	p->w28 = c->exp_cmd_sn;
	p->w32 = c->exp_cmd_sn + CMD_WINDOW - 1;
	if (advance)
		c->stat_sn++;
}

/* RFC 7143 11.17: Reject carries the offending header as its data. */
static void send_reject(struct conn *c, uint8_t reason, const uint8_t *bhs)
{
	struct iscsi_pdu r;

	memset(&r, 0, sizeof(r));
	r.opcode = ISCSI_OP_REJECT;
	r.flags = 0x80;
	r.reject_reason = reason;
	r.itt = NO_TAG;
	rsp_sn(c, &r, true);
	r.data.p = bhs;
	r.data.len = ISCSI_BHS_LEN;
	send_pdu(c, &r);
}

/* ---- login (RFC 7143 6, 11.12, 11.13, 12, 13) ---- */

struct kvbuf {
	char *p;
	size_t len, cap;
	bool err;
};

static void kv_add(struct kvbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void kv_add(struct kvbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n + 1 > b->cap - b->len) {
		b->err = true;
		return;
	}
	b->len += (size_t)n + 1;	/* keep the NUL: it separates the pairs */
}

static void kv_key(struct kvbuf *b, struct view k, const char *val)
{
	char key[64];

	view_str(k, key, sizeof(key));
	kv_add(b, "%s=%s", key, val);
}

/* Answers one operational or declarative key (RFC 7143 13). Returns false for keys
 * handled elsewhere (security keys, names). */
static bool negotiate_key(struct conn *c, struct view k, struct view v, struct kvbuf *rsp)
{
	uint64_t n = 0;
	bool num = view_num(v, &n);
	char buf[32];

	if (view_eq(k, "HeaderDigest") || view_eq(k, "DataDigest")) {
		/* RFC 7143 13.1: list, we pick; None when offered keeps traces readable. */
		bool crc = !list_has(v, "None") && list_has(v, "CRC32C");

		if (!list_has(v, "None") && !crc) {
			kv_key(rsp, k, "Reject");
			return true;
		}
		if (view_eq(k, "HeaderDigest"))
			c->want_hdigest = crc;
		else
			c->want_ddigest = crc;
		kv_key(rsp, k, crc ? "CRC32C" : "None");
	} else if (view_eq(k, "MaxRecvDataSegmentLength")) {
		/* RFC 7143 13.12: declarative, 512..2^24-1; it bounds what we send. */
		if (num && n >= 512 && n <= ISCSI_MAX_DATA_LEN)
			c->peer_mrdsl = (uint32_t)n;
		if (!c->mrdsl_sent) {
			kv_add(rsp, "MaxRecvDataSegmentLength=%u", OUR_MRDSL);
			c->mrdsl_sent = true;
		}
	} else if (view_eq(k, "InitialR2T")) {
		c->initial_r2t = true;	/* RFC 7143 13.10: OR; we always want R2T */
		kv_key(rsp, k, "Yes");
	} else if (view_eq(k, "ImmediateData")) {
		c->immediate_data = view_eq(v, "Yes");	/* 13.11: AND */
		kv_key(rsp, k, c->immediate_data ? "Yes" : "No");
	} else if (view_eq(k, "MaxBurstLength") || view_eq(k, "FirstBurstLength")) {
		/* 13.13, 13.14: minimum; 512..2^24-1. */
		bool mb = view_eq(k, "MaxBurstLength");
		uint32_t ours = mb ? OUR_MAX_BURST : OUR_FIRST_BURST;
		uint32_t r;

		if (!num || n < 512 || n > ISCSI_MAX_DATA_LEN) {
			kv_key(rsp, k, "Reject");
			return true;
		}
		r = n < ours ? (uint32_t)n : ours;
		if (mb)
			c->max_burst = r;
		else
			c->first_burst = r;
		snprintf(buf, sizeof(buf), "%u", r);
		kv_key(rsp, k, buf);
	} else if (view_eq(k, "DefaultTime2Wait")) {
		/* 13.15: maximum; ours is 0, so the initiator's value (0..3600) stands */
		snprintf(buf, sizeof(buf), "%" PRIu64, num ? (n > 3600 ? 3600 : n) : 2);
		kv_key(rsp, k, buf);
	} else if (view_eq(k, "DefaultTime2Retain")) {
		kv_key(rsp, k, "0");	/* 13.16: minimum; ErrorRecoveryLevel=0 keeps no tasks */
	} else if (view_eq(k, "MaxOutstandingR2T") || view_eq(k, "MaxConnections")) {
		kv_key(rsp, k, "1");	/* 13.17, 13.2: minimum, and we do one of each */
	} else if (view_eq(k, "DataPDUInOrder") || view_eq(k, "DataSequenceInOrder")) {
		kv_key(rsp, k, "Yes");	/* 13.18, 13.19: OR */
	} else if (view_eq(k, "ErrorRecoveryLevel")) {
		kv_key(rsp, k, "0");	/* 13.20: minimum */
	} else if (view_eq(k, "IFMarker") || view_eq(k, "OFMarker")) {
		kv_key(rsp, k, "No");	/* RFC 3720 A.3: markers, AND; gone in RFC 7143 */
	} else if (view_eq(k, "IFMarkInt") || view_eq(k, "OFMarkInt")) {
		kv_key(rsp, k, "Irrelevant");
	} else if (view_eq(k, "InitiatorAlias") || view_eq(k, "TargetAlias")) {
		/* 13.6, 13.7: declarative, no answer */
	} else if (view_eq(k, "TargetPortalGroupTag") || view_eq(k, "TargetAddress")) {
		kv_key(rsp, k, "Irrelevant");	/* target-declared keys */
	} else {
		return false;
	}
	return true;
}

static bool is_security_key(struct view k)
{
	return view_eq(k, "InitiatorName") || view_eq(k, "TargetName") || view_eq(k, "SessionType") ||
	       view_eq(k, "AuthMethod") || view_eq(k, "CHAP_A") || view_eq(k, "CHAP_I") ||
	       view_eq(k, "CHAP_C") || view_eq(k, "CHAP_N") || view_eq(k, "CHAP_R");
}

/* Index of a key negotiated only during login (RFC 7143 13: "LO" and the login-stage
 * keys), or -1. */
static int login_key_index(struct view k)
{
	static const char *const keys[] = {
		"HeaderDigest", "DataDigest", "MaxConnections", "InitialR2T", "ImmediateData",
		"MaxBurstLength", "FirstBurstLength", "DefaultTime2Wait", "DefaultTime2Retain",
		"MaxOutstandingR2T", "DataPDUInOrder", "DataSequenceInOrder", "ErrorRecoveryLevel",
		"TargetPortalGroupTag", "InitiatorAlias", "TargetAlias", "IFMarker", "OFMarker",
		"IFMarkInt", "OFMarkInt",
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (view_eq(k, keys[i]))
			return (int)i;
	return -1;
}

static bool is_login_key(struct view k)
{
	return login_key_index(k) >= 0;
}

static struct tgt *find_target(struct iscsid *d, struct view name)
{
	for (size_t i = 0; i < d->ntgts; i++)
		if (view_eq(name, d->tgts[i].name))
			return &d->tgts[i];
	return NULL;
}

static int hexval(uint8_t ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int b64val(uint8_t ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

/* RFC 7143 6.1 binary-value: 0x hex or 0b base64. Returns the byte count or -1. */
static int decode_binary(struct view v, uint8_t *out, size_t cap)
{
	size_t n = 0;

	if (!v.p || v.len < 3 || v.p[0] != '0')
		return -1;
	if (v.p[1] == 'x' || v.p[1] == 'X') {
		size_t digits = v.len - 2, i = 2;

		if (digits % 2) {	/* odd count: a leading half byte */
			int h = hexval(v.p[i++]);

			if (h < 0 || n >= cap)
				return -1;
			out[n++] = (uint8_t)h;
		}
		for (; i < v.len; i += 2) {	/* an even count is left */
			int h = hexval(v.p[i]), lo = hexval(v.p[i + 1]);

			if (h < 0 || lo < 0 || n >= cap)
				return -1;
			out[n++] = (uint8_t)(h << 4 | lo);
		}
		return (int)n;
	}
	if (v.p[1] == 'b' || v.p[1] == 'B') {
		uint32_t acc = 0;
		unsigned bits = 0;

		for (size_t i = 2; i < v.len && v.p[i] != '='; i++) {
			int x = b64val(v.p[i]);

			if (x < 0)
				return -1;
			acc = (acc << 6 | (uint32_t)x) & 0xffffff;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				if (n >= cap)
					return -1;
				out[n++] = (uint8_t)(acc >> bits);
			}
		}
		return (int)n;
	}
	return -1;
}

/* RFC 1994 4.1 via RFC 7143 12.1.3: MD5(identifier || secret || challenge). */
static bool chap_ok(const struct conn *c, struct view name, struct view resp)
{
	struct md5_ctx m;
	uint8_t want[MD5_DIGEST_SIZE], got[64];
	uint8_t diff = 0;
	int n = decode_binary(resp, got, sizeof(got));

	if (!c->tgt || !c->tgt->chap_user || !view_eq(name, c->tgt->chap_user) || n != MD5_DIGEST_SIZE)
		return false;
	md5_init(&m);
	md5_update(&m, 1, &c->chap_id);
	md5_update(&m, strlen(c->tgt->chap_secret), (const uint8_t *)c->tgt->chap_secret);
	md5_update(&m, sizeof(c->chap_c), c->chap_c);
	md5_digest(&m, sizeof(want), want);
	for (size_t i = 0; i < sizeof(want); i++)
		diff |= (uint8_t)(want[i] ^ got[i]);
	return diff == 0;
}

static void login_reply(struct conn *c, const struct iscsi_pdu *req, bool transit, uint8_t nsg,
			uint8_t cls, uint8_t detail, const struct kvbuf *text)
{
	struct iscsi_pdu r;

	memset(&r, 0, sizeof(r));
	r.opcode = ISCSI_OP_LOGIN_RSP;
	r.flags = (uint8_t)((transit ? 0x80 : 0) | (req->login_csg & 3) << 2 | (transit ? nsg & 3 : 0));
	/* bytes 8..15: ISID then TSIH (RFC 7143 11.13) */
	for (int i = 0; i < 6; i++)
		r.lun |= (uint64_t)c->isid[i] << (56 - 8 * i);
	if (transit && nsg == ISCSI_STAGE_FULL_FEATURE && cls == 0)
		r.lun |= c->tsih;
	r.itt = req->itt;
	rsp_sn(c, &r, true);
	r.w36 = (uint32_t)cls << 24 | (uint32_t)detail << 16;
	if (text && text->len > 0) {
		r.data.p = (const uint8_t *)text->p;
		r.data.len = text->len;
	}
	send_pdu(c, &r);
}

static void login_fail(struct conn *c, const struct iscsi_pdu *req, uint8_t cls, uint8_t detail)
{
	char tn[256];

	snprintf(tn, sizeof(tn), "%s", c->discovery ? "discovery" : c->target_req[0] ? c->target_req : "-");
	srv_log("iscsi", c->peer, "login %s -> %s auth %s: %s (0x%02x%02x)",
		c->initiator[0] ? c->initiator : "-", tn, c->auth_used[0] ? c->auth_used : "-",
		iscsi_login_status_str(cls, detail), cls, detail);
	login_reply(c, req, false, 0, cls, detail, NULL);
	c->phase = PH_CLOSING;
}

struct login_keys {
	struct view iname, tname, stype, authm, chap_a, chap_n, chap_r, chap_i, chap_c;
	bool has_iname, has_tname, has_stype, has_authm, has_chap_a, has_chap_n, has_chap_r,
		has_chap_i, has_chap_c;
};

static void collect_key(struct login_keys *lk, struct view k, struct view v)
{
#define KEY(name, field) \
	if (view_eq(k, name)) { lk->field = v; lk->has_##field = true; return; }
	KEY("InitiatorName", iname)
	KEY("TargetName", tname)
	KEY("SessionType", stype)
	KEY("AuthMethod", authm)
	KEY("CHAP_A", chap_a)
	KEY("CHAP_N", chap_n)
	KEY("CHAP_R", chap_r)
	KEY("CHAP_I", chap_i)
	KEY("CHAP_C", chap_c)
#undef KEY
}

/* One login request. Returns 0 when answered, else the failure status (class << 8 |
 * detail, RFC 7143 11.13.5) for login_fail. */
static uint16_t login_step(struct conn *c, const struct iscsi_pdu *p)
{
	char sbuf[RSP_TEXT_MAX], obuf[RSP_TEXT_MAX], all[RSP_TEXT_MAX];
	struct kvbuf sec = { sbuf, 0, sizeof(sbuf), false };
	struct kvbuf op = { obuf, 0, sizeof(obuf), false };
	struct kvbuf rsp = { all, 0, sizeof(all), false };
	struct login_keys lk;
	struct view data = p->data;
	size_t pos = 0;
	struct view k, v;
	bool transit = false;
	bool first = !c->started;

	if (first) {
		/* RFC 7143 11.12: the first request fixes ISID, CID and the sequence numbers. */
		memcpy(c->isid, p->isid, sizeof(c->isid));
		c->cid = (uint16_t)(p->w20 >> 16);
		c->stat_sn = p->w28;
		c->exp_cmd_sn = p->cmd_sn;
		c->started = true;
		c->stage = p->login_csg;
	}
	if (p->version_min > 0)
		return 0x0205;	/* unsupported version */
	if (first && p->tsih != 0)
		return 0x020a;	/* session does not exist: one connection */
	if (p->login_csg != c->stage || p->login_csg == 2 || p->login_csg == 3 ||
	    (p->login_transit && (p->login_nsg <= p->login_csg || p->login_nsg == 2)))
		return 0x020b;	/* invalid during login */

	/* RFC 7143 11.12.1: C bit: acknowledge each piece with an empty response. */
	if (p->data.p && p->data.len > 0) {
		uint8_t *nt;

		if (c->ltext_len + p->data.len > LOGIN_TEXT_MAX)
			return 0x0302;	/* out of resources */
		nt = realloc(c->ltext, c->ltext_len + p->data.len);
		if (!nt)
			return 0x0302;
		memcpy(nt + c->ltext_len, p->data.p, p->data.len);
		c->ltext = nt;
		c->ltext_len += p->data.len;
	}
	if (p->login_continue) {
		login_reply(c, p, false, 0, 0, 0, NULL);
		return 0;
	}
	data.p = c->ltext;
	data.len = c->ltext_len;

	memset(&lk, 0, sizeof(lk));
	while (iscsi_text_next(data, &pos, &k, &v)) {
		int ki = view_eq(k, "MaxRecvDataSegmentLength") ? 31 : login_key_index(k);

		/* RFC 7143 6.2: a parameter offered twice during login is an initiator error
		 * (Login reject). Answering each offer gave two answers: fuzz_iscsid found
		 * "HeaderDigest=CRC32C" then "HeaderDigest=Reject" in one response, with
		 * CRC32C in force, so the initiator framed the PDUs that followed wrongly. */
		if (ki >= 0) {
			if (c->keys_seen & (uint32_t)1 << ki)
				return 0x0200;	/* initiator error */
			c->keys_seen |= (uint32_t)1 << ki;
		}
		if (is_security_key(k))
			collect_key(&lk, k, v);
		else if (!negotiate_key(c, k, v, &op))
			kv_key(&op, k, "NotUnderstood");
	}

	if (!c->named) {
		/* The first complete text (maybe over several C-bit PDUs) names both ends. */
		c->named = true;
		if (!lk.has_iname || !lk.iname.p || lk.iname.len == 0)
			return 0x0207;	/* missing parameter */
		view_str(lk.iname, c->initiator, sizeof(c->initiator));
		if (lk.has_stype && view_eq(lk.stype, "Discovery")) {
			c->discovery = true;
		} else if (lk.has_stype && !view_eq(lk.stype, "Normal")) {
			return 0x0209;	/* session type not supported */
		} else {
			if (!lk.has_tname)
				return 0x0207;
			view_str(lk.tname, c->target_req, sizeof(c->target_req));
			c->tgt = find_target(c->d, lk.tname);
			if (!c->tgt)
				return 0x0203;	/* target not found */
		}
	}

	if (c->stage == ISCSI_STAGE_SECURITY) {
		bool need_chap = !c->discovery && c->tgt && c->tgt->chap_user;

		if (lk.has_authm) {
			if (need_chap && list_has(lk.authm, "CHAP")) {
				kv_add(&sec, "AuthMethod=CHAP");
				c->auth = AUTH_CHAP_A;
				snprintf(c->auth_used, sizeof(c->auth_used), "CHAP");
			} else if (!need_chap && list_has(lk.authm, "None")) {
				kv_add(&sec, "AuthMethod=None");
				c->auth = AUTH_OK;
				snprintf(c->auth_used, sizeof(c->auth_used), "None");
			} else {
				snprintf(c->auth_used, sizeof(c->auth_used), "%s", need_chap ? "CHAP" : "None");
				return 0x0201;	/* authentication failure */
			}
		} else if (c->auth == AUTH_START && !need_chap) {
			c->auth = AUTH_OK;	/* no AuthMethod offered: None is the default */
			snprintf(c->auth_used, sizeof(c->auth_used), "None");
		}
		if (lk.has_chap_a) {
			if (c->auth != AUTH_CHAP_A || !list_has(lk.chap_a, "5"))
				return 0x0201;
			if (getrandom(&c->chap_id, 1, 0) != 1 ||
			    getrandom(c->chap_c, sizeof(c->chap_c), 0) != (ssize_t)sizeof(c->chap_c))
				return 0x0300;
			kv_add(&sec, "CHAP_A=5");
			kv_add(&sec, "CHAP_I=%u", c->chap_id);
			{
				char hex[2 + 2 * sizeof(c->chap_c) + 1];

				hex[0] = '0';
				hex[1] = 'x';
				for (size_t i = 0; i < sizeof(c->chap_c); i++)
					snprintf(hex + 2 + 2 * i, 3, "%02x", c->chap_c[i]);
				kv_add(&sec, "CHAP_C=%s", hex);
			}
			c->auth = AUTH_CHAP_R;
		}
		if (lk.has_chap_n || lk.has_chap_r) {
			/* Mutual CHAP (CHAP_I/CHAP_C from the initiator) needs a target secret we do
			 * not have: fail rather than half-authenticate. */
			if (c->auth != AUTH_CHAP_R || !lk.has_chap_n || !lk.has_chap_r ||
			    lk.has_chap_i || lk.has_chap_c || !chap_ok(c, lk.chap_n, lk.chap_r))
				return 0x0201;
			c->auth = AUTH_OK;
		}
		if (p->login_transit) {
			if (c->auth == AUTH_OK)
				transit = true;
			else if (c->auth == AUTH_START) {
				snprintf(c->auth_used, sizeof(c->auth_used), "None");	/* no AuthMethod */
				return 0x0201;
			}
			/* CHAP half way: answer T=0, the initiator continues the exchange */
		}
	} else {
		/* Operational stage: skipping security is only allowed without CHAP. */
		if (c->auth != AUTH_OK) {
			if (!c->discovery && c->tgt && c->tgt->chap_user) {
				snprintf(c->auth_used, sizeof(c->auth_used), "None");	/* CHAP skipped */
				return 0x0201;
			}
			c->auth = AUTH_OK;
			snprintf(c->auth_used, sizeof(c->auth_used), "None");
		}
		if (lk.has_authm || lk.has_chap_a || lk.has_chap_r)
			return 0x020b;
		if (!c->mrdsl_sent) {
			kv_add(&op, "MaxRecvDataSegmentLength=%u", OUR_MRDSL);
			c->mrdsl_sent = true;
		}
		transit = p->login_transit;
	}

	/* Assemble: security answers, then the portal group tag once (RFC 7143 13.9), then
	 * the operational answers. */
	if (sec.len) {
		memcpy(rsp.p, sec.p, sec.len);
		rsp.len = sec.len;
	}
	if (!c->tpgt_sent) {
		kv_add(&rsp, "TargetPortalGroupTag=1");
		c->tpgt_sent = true;
	}
	if (op.len > rsp.cap - rsp.len) {
		rsp.err = true;
	} else if (op.len) {
		memcpy(rsp.p + rsp.len, op.p, op.len);
		rsp.len += op.len;
	}
	if (sec.err || op.err || rsp.err)
		return 0x0302;
	free(c->ltext);
	c->ltext = NULL;
	c->ltext_len = 0;

	if (transit && p->login_nsg == ISCSI_STAGE_FULL_FEATURE) {
		if (!c->discovery && !c->tgt)
			return 0x0207;	/* cannot happen: a Normal session names its target */
		if (++c->d->next_tsih == 0)
			c->d->next_tsih = 1;
		c->tsih = c->d->next_tsih;
		login_reply(c, p, true, p->login_nsg, 0, 0, &rsp);
		c->phase = PH_FULL;
		c->hdigest = c->want_hdigest;
		c->ddigest = c->want_ddigest;
		c->stage = ISCSI_STAGE_FULL_FEATURE;
		if (c->timer) {
			srv_timer_cancel(c->d->l, c->timer);
			c->timer = 0;
		}
		srv_log("iscsi", c->peer, "login %s -> %s auth %s: Success (tsih %u)", c->initiator,
			c->discovery ? "discovery" : c->tgt->name, c->auth_used, c->tsih);
		return 0;
	}
	login_reply(c, p, transit, p->login_nsg, 0, 0, &rsp);
	if (transit)
		c->stage = p->login_nsg;
	return 0;
}

static void handle_login(struct conn *c, const struct iscsi_pdu *p)
{
	uint16_t st = login_step(c, p);

	if (st)
		login_fail(c, p, (uint8_t)(st >> 8), (uint8_t)st);
}

/* ---- text (RFC 7143 11.10, 11.11; SendTargets: Appendix C) ---- */

static void handle_text(struct conn *c, const struct iscsi_pdu *p)
{
	char all[RSP_TEXT_MAX];
	struct kvbuf rsp = { all, 0, sizeof(all), false };
	struct iscsi_pdu r;
	size_t pos = 0;
	struct view k, v;
	unsigned ntg = 0;
	bool st = false;
	char what[64] = "";
	char ip[INET_ADDRSTRLEN];
	struct in_addr a;

	a.s_addr = htonl(c->local_ip);
	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	while (iscsi_text_next(p->data, &pos, &k, &v)) {
		if (view_eq(k, "SendTargets")) {
			st = true;
			view_str(v, what, sizeof(what));
			for (size_t i = 0; i < c->d->ntgts; i++) {
				const struct tgt *t = &c->d->tgts[i];
				/* RFC 7143 Appendix C: All in discovery sessions; empty: this
				 * session's target; a name: that target. */
				bool want = view_eq(v, "All") ? c->discovery :
					    (v.p && v.len == 0) ? (!c->discovery && t == c->tgt) :
					    view_eq(v, t->name);
				size_t save = rsp.len;

				if (!want)
					continue;
				kv_add(&rsp, "TargetName=%s", t->name);
				kv_add(&rsp, "TargetAddress=%s:%u,1", ip, c->local_port);
				/* Whole pairs within what the initiator accepts (no C-bit replies). */
				if (rsp.err || rsp.len > c->peer_mrdsl) {
					rsp.len = save;
					rsp.err = false;
					break;
				}
				ntg++;
			}
		} else if (view_eq(k, "MaxRecvDataSegmentLength")) {
			uint64_t n = 0;

			/* RFC 7143 13.12: declarative, may change in full feature phase */
			if (view_num(v, &n) && n >= 512 && n <= ISCSI_MAX_DATA_LEN)
				c->peer_mrdsl = (uint32_t)n;
		} else if (is_security_key(k) || is_login_key(k)) {
			kv_key(&rsp, k, "Reject");	/* RFC 7143 6.2: not negotiable now */
		} else {
			kv_key(&rsp, k, "NotUnderstood");
		}
	}
	if (st)
		srv_log("iscsi", c->peer, "Text Request SendTargets=%s -> %u target%s", what, ntg,
			ntg == 1 ? "" : "s");
	else
		srv_log("iscsi", c->peer, "Text Request -> %zu bytes of answers", rsp.len);
	memset(&r, 0, sizeof(r));
	r.opcode = ISCSI_OP_TEXT_RSP;
	r.flags = 0x80;
	r.lun = p->lun;
	r.itt = p->itt;
	r.w20 = NO_TAG;
	rsp_sn(c, &r, true);
	if (rsp.len) {
		r.data.p = (const uint8_t *)rsp.p;
		r.data.len = rsp.len;
	}
	send_pdu(c, &r);
}

/* ---- SCSI (SPC-4, SBC-3) ---- */

static struct lunimg *find_lun(struct conn *c, uint64_t raw)
{
	uint64_t n;

	if (!c->tgt || !lun_decode(raw, &n))
		return NULL;
	for (size_t i = 0; i < c->tgt->nluns; i++)
		if (c->tgt->luns[i].lun == n)
			return &c->tgt->luns[i];
	return NULL;
}

/* SCSI Response (RFC 7143 11.4) with optional fixed-format sense (SPC-4 4.5.3). */
static void scsi_response(struct conn *c, uint32_t itt, uint8_t status, uint8_t key, uint8_t asc,
			  uint8_t ascq, uint32_t exp_data_sn, uint8_t resid_flags, uint32_t resid)
{
	struct iscsi_pdu r;
	uint8_t sense[2 + 18];

	memset(&r, 0, sizeof(r));
	r.opcode = ISCSI_OP_SCSI_RSP;
	r.flags = (uint8_t)(0x80 | resid_flags);
	r.scsi_status = status;
	r.itt = itt;
	rsp_sn(c, &r, true);
	r.w36 = exp_data_sn;
	r.w44 = resid;
	if (status == ST_CHECK) {
		memset(sense, 0, sizeof(sense));
		put_be16(sense, 18);	/* RFC 7143 11.4.7.2: SenseLength */
		sense[2] = 0x70;	/* current, fixed format */
		sense[2 + 2] = key;
		sense[2 + 7] = 10;	/* additional sense length */
		sense[2 + 12] = asc;
		sense[2 + 13] = ascq;
		r.data.p = sense;
		r.data.len = sizeof(sense);
	}
	send_pdu(c, &r);
}

static void check_condition(struct conn *c, const struct iscsi_pdu *p, uint8_t key, uint8_t asc, uint8_t ascq)
{
	srv_log("iscsi", c->peer, "%s (0x%02x) lun %" PRIu64 " -> CHECK CONDITION %s %02x/%02x",
		scsi_opcode_name(p->cdb[0]), p->cdb[0], p->lun >> 48 & 0x3fff,
		scsi_sense_key_name(key), asc, ascq);
	scsi_response(c, p->itt, ST_CHECK, key, asc, ascq, 0, 0, 0);
}

/* RFC 7143 11.7.4 residuals: U when the initiator expected more, O when less. */
static void residual(uint32_t edtl, uint32_t want, uint8_t *flags, uint32_t *resid)
{
	*flags = 0;
	*resid = 0;
	if (edtl > want) {
		*flags = 0x02;
		*resid = edtl - want;
	} else if (edtl < want) {
		*flags = 0x04;
		*resid = want - edtl;
	}
}

/* Sends a small result (INQUIRY, MODE SENSE, ...): Data-In PDUs, status in the last. */
static void send_data(struct conn *c, const struct iscsi_pdu *p, const uint8_t *data, uint32_t len)
{
	uint32_t xfer = len < p->edtl ? len : p->edtl;
	uint32_t off = 0, sn = 0;
	uint32_t chunk = c->peer_mrdsl < OUR_MRDSL ? c->peer_mrdsl : OUR_MRDSL;
	uint8_t rf;
	uint32_t resid;

	residual(p->edtl, len, &rf, &resid);
	if (xfer == 0) {
		scsi_response(c, p->itt, ST_GOOD, 0, 0, 0, 0, rf, resid);
		return;
	}
	while (off < xfer) {
		struct iscsi_pdu r;
		uint32_t n = xfer - off < chunk ? xfer - off : chunk;
		bool last = off + n == xfer;

		memset(&r, 0, sizeof(r));
		r.opcode = ISCSI_OP_DATA_IN;
		r.flags = (uint8_t)(last ? 0x80 | 0x01 | rf : 0);
		r.lun = p->lun;
		r.itt = p->itt;
		r.w20 = NO_TAG;
		/* RFC 7143 11.7.4: StatSN counts only with S; the current value keeps
		 * initiators that copy it from every PDU (iPXE) in step. */
		rsp_sn(c, &r, last);
		r.w36 = sn++;
		r.w40 = off;
		r.w44 = last ? resid : 0;
		r.data.p = data + off;
		r.data.len = n;
		if (!send_pdu(c, &r))
			return;
		off += n;
	}
}

static size_t inquiry_std(uint8_t *b, bool present)
{
	static const char product[16] = "netboot-serve   ";

	memset(b, 0, 66);
	b[0] = present ? 0x00 : 0x7f;	/* SPC-4 6.4.2: qualifier 3, type 1fh when no LUN */
	b[2] = 0x06;		/* SPC-4 */
	b[3] = 0x12;		/* HISUP, response data format 2 */
	b[4] = 66 - 5;
	b[7] = 0x02;		/* CMDQUE */
	memcpy(b + 8, "NETBOOT ", 8);
	memcpy(b + 16, product, 16);
	memcpy(b + 32, "0001", 4);
	/* Version descriptors (SPC-4 Table 142): SAM-5, iSCSI, SPC-4, SBC-3. */
	put_be16(b + 58, 0x00a0);
	put_be16(b + 60, 0x0960);
	put_be16(b + 62, 0x0460);
	put_be16(b + 64, 0x04c0);
	return 66;
}

/* SPC-4 7.8: VPD pages. Returns the length, 0 for an unsupported page. */
static size_t inquiry_vpd(const struct conn *c, const struct lunimg *lu, uint8_t page, uint8_t *b, size_t cap)
{
	size_t n = 4;

	memset(b, 0, cap);
	b[1] = page;
	switch (page) {
	case 0x00:	/* 7.8.13 supported pages */
		b[n++] = 0x00;
		b[n++] = 0x80;
		b[n++] = 0x83;
		b[n++] = 0xb0;
		b[n++] = 0xb1;
		break;
	case 0x80:	/* 7.8.15 unit serial number */
		memcpy(b + n, lu->serial, 16);
		n += 16;
		break;
	case 0x83: {	/* 7.8.6 device identification */
		size_t tl;

		/* NAA (type 3), binary, LU association: locally assigned NAA 3h (7.8.6.6). */
		b[n++] = 0x01;
		b[n++] = 0x03;
		b[n++] = 0;
		b[n++] = 8;
		put_be64(b + n, (lu->naa & 0x0fffffffffffffffu) | 0x3000000000000000u);
		n += 8;
		/* T10 vendor ID (type 1), ASCII: vendor + target name serial (7.8.6.4). */
		tl = 8 + 16;
		b[n++] = 0x02;
		b[n++] = 0x01;
		b[n++] = 0;
		b[n++] = (uint8_t)tl;
		memcpy(b + n, "NETBOOT ", 8);
		memcpy(b + n + 8, lu->serial, 16);
		n += tl;
		/* SCSI name string (type 8), UTF-8, target device association: the IQN. */
		if (c->tgt) {
			size_t nl = strlen(c->tgt->name) + 1;

			nl = (nl + 3) & ~(size_t)3;	/* NUL-terminated, multiple of 4 */
			if (nl <= 224) {
				b[n++] = 0x53;	/* protocol 5 (iSCSI), code set 3 (UTF-8) */
				b[n++] = 0xa8;	/* PIV, association 10b (target device), type 8 */
				b[n++] = 0;
				b[n++] = (uint8_t)nl;
				memcpy(b + n, c->tgt->name, strlen(c->tgt->name));
				n += nl;
			}
		}
		break;
	}
	case 0xb0:	/* SBC-3 6.5.3 block limits: zeros mean no limit reported */
		n += 0x3c;
		break;
	case 0xb1:	/* SBC-3 6.5.2 block device characteristics: non-rotating */
		put_be16(b + 4, 0x0001);
		n += 0x3c;
		break;
	default:
		return 0;
	}
	put_be16(b + 2, (uint32_t)(n - 4));
	return n;
}

/* SPC-4 7.5: caching (08h) and control (0Ah) mode pages. */
static size_t mode_pages(uint8_t page, uint8_t *b)
{
	size_t n = 0;

	if (page == 0x08 || page == 0x3f) {
		memset(b + n, 0, 20);
		b[n] = 0x08;
		b[n + 1] = 0x12;
		b[n + 2] = 0x04;	/* WCE: writes reach the page cache; SYNCHRONIZE CACHE fsyncs */
		n += 20;
	}
	if (page == 0x0a || page == 0x3f) {
		memset(b + n, 0, 12);
		b[n] = 0x0a;
		b[n + 1] = 0x0a;
		put_be16(b + n + 8, 0xffff);	/* busy timeout period: unlimited */
		n += 12;
	}
	return n;
}

static uint32_t mode_sense(struct conn *c, const struct iscsi_pdu *p, struct lunimg *lu, bool ten)
{
	uint8_t b[128];
	uint8_t page = p->cdb[2] & 0x3f, sub = p->cdb[3];
	bool dbd = (p->cdb[1] & 0x08) != 0;
	size_t h = ten ? 8 : 4, n, pl;
	uint32_t alloc = ten ? get_be16(p->cdb + 7) : p->cdb[4];
	uint8_t pc = p->cdb[2] >> 6;

	if (pc == 3)
		return SENSE(SK_ILLEGAL, 0x39, 0x00);	/* saving parameters not supported */
	if ((sub != 0 && !(page == 0x3f && sub == 0xff)) ||
	    (page != 0 && page != 0x08 && page != 0x0a && page != 0x3f))
		return SENSE(SK_ILLEGAL, 0x24, 0x00);	/* invalid field in CDB */
	memset(b, 0, sizeof(b));
	n = h;
	if (!dbd) {
		/* SBC-3 6.4.2 short block descriptor: block count (0 if it does not fit). */
		put_be32(b + n, lu->blocks > 0xffffffffu ? 0xffffffffu : (uint32_t)lu->blocks);
		put_be32(b + n + 4, BLOCK);
		n += 8;
	}
	pl = mode_pages(page, b + n);
	if (pc == 1)		/* SPC-4 7.5.3: changeable values: nothing is */
		for (size_t i = n; i < n + pl; i += (size_t)b[i + 1] + 2)
			memset(b + i + 2, 0, b[i + 1]);
	n += pl;
	if (ten) {
		put_be16(b, (uint32_t)(n - 2));
		b[3] = (uint8_t)((lu->rw ? 0 : 0x80) | 0x10);	/* SBC-3 6.4.1: WP, DPOFUA */
		put_be16(b + 6, dbd ? 0 : 8);
	} else {
		b[0] = (uint8_t)(n - 1);
		b[2] = (uint8_t)((lu->rw ? 0 : 0x80) | 0x10);
		b[3] = dbd ? 0 : 8;
	}
	send_data(c, p, b, (uint32_t)(n < alloc ? n : alloc));
	return 0;
}

static uint32_t report_luns(struct conn *c, const struct iscsi_pdu *p)
{
	uint8_t b[8 + 8 * ISCSID_MAX_LUNS];
	size_t n = 8, nl = c->tgt ? c->tgt->nluns : 0;
	uint32_t alloc = get_be32(p->cdb + 6);

	memset(b, 0, sizeof(b));
	put_be32(b, (uint32_t)(nl * 8));	/* SPC-4 6.33 */
	for (size_t i = 0; i < nl; i++, n += 8)
		put_be64(b + n, lun_encode(c->tgt->luns[i].lun));
	send_data(c, p, b, (uint32_t)(n < alloc ? n : alloc));
	return 0;
}

static uint32_t read_capacity(struct conn *c, const struct iscsi_pdu *p, struct lunimg *lu, bool sixteen)
{
	uint8_t b[32];
	uint64_t last = lu->blocks - 1;

	memset(b, 0, sizeof(b));
	if (!sixteen) {
		/* SBC-3 5.15: FFFFFFFFh tells the initiator to use READ CAPACITY(16). */
		put_be32(b, last > 0xffffffffu ? 0xffffffffu : (uint32_t)last);
		put_be32(b + 4, BLOCK);
		send_data(c, p, b, 8);
	} else {
		uint32_t alloc = get_be32(p->cdb + 10);

		put_be64(b, last);	/* SBC-3 5.16 */
		put_be32(b + 8, BLOCK);
		send_data(c, p, b, alloc < 32 ? alloc : 32);
	}
	return 0;
}

/* Produces READ Data-In PDUs until the output queue is full or the read is done. */
static void pump_read(struct conn *c)
{
	struct rtask *t = &c->rd;
	uint32_t chunk = c->peer_mrdsl < OUR_MRDSL ? c->peer_mrdsl : OUR_MRDSL;

	while (t->active && c->phase == PH_FULL && out_queued(c) < OUT_HIGH) {
		struct iscsi_pdu r;
		uint32_t n = t->total - t->sent;
		bool last, eob;
		ssize_t got;
		uint8_t rf;
		uint32_t resid;

		if (n > chunk)
			n = chunk;
		if (n > t->burst_left)
			n = t->burst_left;
		got = pread(t->lu->fd, c->scratch, n, (off_t)(t->off + t->sent));
		if (got != (ssize_t)n) {
			srv_log("iscsi", c->peer, "READ lun %" PRIu64 " offset %" PRIu64 ": %s", t->lu->lun,
				t->off + t->sent, got < 0 ? strerror(errno) : "short read");
			t->active = false;
			scsi_response(c, t->itt, ST_CHECK, SK_MEDIUM, 0x11, 0x00, t->data_sn, 0, 0);
			break;
		}
		last = t->sent + n == t->total;
		t->burst_left -= n;
		/* RFC 7143 11.7.1: F ends each Data-In sequence of at most MaxBurstLength. */
		eob = last || t->burst_left == 0;
		residual(t->edtl, t->want_len, &rf, &resid);
		memset(&r, 0, sizeof(r));
		r.opcode = ISCSI_OP_DATA_IN;
		r.flags = (uint8_t)((eob ? 0x80 : 0) | (last ? 0x01 | rf : 0));
		r.lun = t->lun_raw;
		r.itt = t->itt;
		r.w20 = NO_TAG;
		rsp_sn(c, &r, last);
		r.w36 = t->data_sn++;
		r.w40 = t->sent;
		r.w44 = last ? resid : 0;
		r.data.p = c->scratch;
		r.data.len = n;
		if (!send_pdu(c, &r))
			return;
		t->sent += n;
		c->bytes_read += n;
		if (t->burst_left == 0)
			t->burst_left = c->max_burst;
		if (last)
			t->active = false;
	}
}

static uint32_t start_read(struct conn *c, const struct iscsi_pdu *p, struct lunimg *lu, uint64_t lba, uint32_t blocks)
{
	struct rtask *t = &c->rd;
	uint64_t want = (uint64_t)blocks * BLOCK;

	if (want > 0xffffffffu)
		return SENSE(SK_ILLEGAL, 0x24, 0x00);
	memset(t, 0, sizeof(*t));
	t->itt = p->itt;
	t->lun_raw = p->lun;
	t->lu = lu;
	t->off = lba * BLOCK;
	t->want_len = (uint32_t)want;
	t->edtl = p->edtl;
	t->total = t->want_len < p->edtl ? t->want_len : p->edtl;
	t->burst_left = c->max_burst;
	if (t->total == 0) {
		uint8_t rf;
		uint32_t resid;

		residual(p->edtl, t->want_len, &rf, &resid);
		scsi_response(c, p->itt, ST_GOOD, 0, 0, 0, 0, rf, resid);
		return 0;
	}
	t->active = true;
	pump_read(c);
	return 0;
}

static struct wtask *find_wtask(struct conn *c, uint32_t itt, uint32_t ttt)
{
	for (size_t i = 0; i < MAX_WTASKS; i++) {
		struct wtask *w = &c->w[i];

		if (w->used && w->itt == itt && (ttt == NO_TAG || w->ttt == ttt))
			return w;
	}
	return NULL;
}

/* Solicits the next burst (RFC 7143 11.8), or finishes the command. */
static void write_next(struct conn *c, struct wtask *w)
{
	if (w->received < w->xfer && w->received == w->r2t_end) {
		struct iscsi_pdu r;
		uint32_t n = w->xfer - w->received;

		if (n > c->max_burst)
			n = c->max_burst;
		memset(&r, 0, sizeof(r));
		r.opcode = ISCSI_OP_R2T;
		r.flags = 0x80;
		r.lun = lun_encode(w->lu->lun);
		r.itt = w->itt;
		r.w20 = w->ttt;
		rsp_sn(c, &r, false);
		r.w36 = w->r2tsn++;
		r.w40 = w->received;
		w->data_sn = 0;	/* RFC 7143 11.7.5: DataSN restarts with each R2T's sequence */
		r.w44 = n;
		w->r2t_end = w->received + n;
		send_pdu(c, &r);
		return;
	}
	if (w->received >= w->xfer) {
		uint8_t rf;
		uint32_t resid;

		residual(w->edtl, w->want_len, &rf, &resid);
		if (w->fua && !w->failed && fdatasync(w->lu->fd) != 0) {
			srv_log("iscsi", c->peer, "WRITE (FUA) lun %" PRIu64 ": %s", w->lu->lun, strerror(errno));
			w->failed = true;
		}
		if (w->seq_err)	/* SPC-4: DATA PHASE ERROR */
			scsi_response(c, w->itt, ST_CHECK, SK_ABORTED, 0x4b, 0x00, 0, 0, 0);
		else if (w->failed)
			scsi_response(c, w->itt, ST_CHECK, SK_MEDIUM, 0x0c, 0x00, 0, 0, 0);
		else
			scsi_response(c, w->itt, ST_GOOD, 0, 0, 0, 0, rf, resid);
		w->used = false;
	}
}

static void write_data(struct conn *c, struct wtask *w, uint32_t off, struct view data)
{
	uint32_t n = (uint32_t)data.len;

	if (off >= w->xfer)
		return;		/* beyond what the CDB asks for: overflow, dropped */
	if (n > w->xfer - off)
		n = w->xfer - off;
	if (!w->failed && pwrite(w->lu->fd, data.p, n, (off_t)(w->off + off)) != (ssize_t)n) {
		srv_log("iscsi", c->peer, "WRITE lun %" PRIu64 " offset %" PRIu64 ": %s", w->lu->lun,
			w->off + off, strerror(errno));
		w->failed = true;
	}
	c->bytes_written += n;
	w->received = off + n;
}

static uint32_t start_write(struct conn *c, const struct iscsi_pdu *p, struct lunimg *lu, uint64_t lba, uint32_t blocks)
{
	struct wtask *w = NULL;
	uint64_t want = (uint64_t)blocks * BLOCK;

	if (!lu->rw)
		return SENSE(SK_PROTECT, 0x27, 0x00);	/* write protected */
	if (want > 0xffffffffu)
		return SENSE(SK_ILLEGAL, 0x24, 0x00);
	for (size_t i = 0; i < MAX_WTASKS; i++)
		if (!c->w[i].used) {
			w = &c->w[i];
			break;
		}
	if (!w) {
		scsi_response(c, p->itt, ST_BUSY, 0, 0, 0, 0, 0, 0);
		return 0;
	}
	memset(w, 0, sizeof(*w));
	w->used = true;
	w->itt = p->itt;
	w->ttt = c->next_ttt++;
	if (c->next_ttt == NO_TAG)
		c->next_ttt = 1;
	w->lu = lu;
	w->off = lba * BLOCK;
	w->want_len = (uint32_t)want;
	w->edtl = p->edtl;
	w->xfer = w->want_len < p->edtl ? w->want_len : p->edtl;
	w->fua = p->cdb[0] != 0x0a && (p->cdb[1] & 0x08);
	/* RFC 7143 13.10, 13.11: immediate data, then unsolicited Data-Out up to
	 * FirstBurstLength when InitialR2T=No and F is clear; R2Ts for the rest. */
	w->r2t_end = 0;
	if (p->data.p && p->data.len > 0)
		write_data(c, w, 0, p->data);
	w->r2t_end = w->received;
	if (!p->final && !c->initial_r2t) {
		uint32_t fb = c->first_burst < w->xfer ? c->first_burst : w->xfer;

		if (fb > w->r2t_end)
			w->r2t_end = fb;
	}
	write_next(c, w);
	return 0;
}

static void handle_data_out(struct conn *c, const struct iscsi_pdu *p)
{
	struct wtask *w = find_wtask(c, p->itt, p->ttt);

	if (!w) {
		srv_log("iscsi", c->peer, "Data-Out itt 0x%08x ttt 0x%08x: no such task -> Reject", p->itt, p->ttt);
		send_reject(c, 0x09, c->cur_bhs);	/* invalid PDU field */
		return;
	}
	if (p->buffer_offset != w->received || p->data.len > w->r2t_end - w->received) {
		/* RFC 7143 13.18: DataPDUInOrder=Yes, and only what was solicited. */
		srv_log("iscsi", c->peer, "Data-Out itt 0x%08x offset %u len %zu, expected offset %u up to %u -> "
			"CHECK CONDITION", p->itt, p->buffer_offset, p->data.len, w->received, w->r2t_end);
		scsi_response(c, w->itt, ST_CHECK, SK_ABORTED, 0x4b, 0x00, 0, 0, 0);
		w->used = false;
		return;
	}
	if (p->w36 != w->data_sn && !w->seq_err) {
		srv_log("iscsi", c->peer, "Data-Out itt 0x%08x DataSN %u, expected %u", p->itt, p->w36, w->data_sn);
		w->seq_err = true;
	}
	w->data_sn++;
	if (w->seq_err)
		w->received += (uint32_t)p->data.len;	/* account for it, write nothing */
	else
		write_data(c, w, p->buffer_offset, p->data);
	if (p->final || w->received == w->r2t_end)
		write_next(c, w);
}

static void log_once(struct conn *c, const struct iscsi_pdu *p, const char *extra)
{
	if (c->seen[p->cdb[0]])
		return;
	c->seen[p->cdb[0]] = true;
	srv_log("iscsi", c->peer, "%s (0x%02x) lun %" PRIu64 "%s", scsi_opcode_name(p->cdb[0]), p->cdb[0],
		p->lun >> 48 & 0x3fff, extra);
}

/* One SCSI command on a LUN (or none). Returns 0 when answered, else SENSE(...). */
static uint32_t scsi_exec(struct conn *c, const struct iscsi_pdu *p)
{
	struct lunimg *lu;
	struct scsi_cdb_info ci;
	uint8_t b[512];
	char extra[96];

	lu = find_lun(c, p->lun);
	scsi_cdb_decode(p->cdb, &ci);
	extra[0] = 0;
	if (ci.is_read || ci.is_write)
		snprintf(extra, sizeof(extra), " lba %" PRIu64 " blocks %u", ci.lba, ci.blocks);
	log_once(c, p, extra);

	/* SPC-4 6.33: REPORT LUNS and INQUIRY answer for any LUN. */
	if (p->cdb[0] == 0xa0)
		return report_luns(c, p);
	if (p->cdb[0] == 0x12) {
		bool evpd = p->cdb[1] & 1;
		uint32_t alloc = get_be16(p->cdb + 3);
		size_t n;

		if (!evpd && p->cdb[2] != 0)
			return SENSE(SK_ILLEGAL, 0x24, 0x00);
		if (!evpd || !lu) {
			if (evpd)
				return SENSE(SK_ILLEGAL, 0x25, 0x00);
			n = inquiry_std(b, lu != NULL);
		} else {
			n = inquiry_vpd(c, lu, p->cdb[2], b, sizeof(b));
			if (n == 0)
				return SENSE(SK_ILLEGAL, 0x24, 0x00);
		}
		send_data(c, p, b, (uint32_t)(n < alloc ? n : alloc));
		return 0;
	}
	if (!lu)
		return SENSE(SK_ILLEGAL, 0x25, 0x00);	/* LU not supported */
	if (ci.read_capacity)
		return read_capacity(c, p, lu, p->cdb[0] == 0x9e);
	if (ci.is_read || ci.is_write) {
		/* SBC-3 5.8: RDPROTECT/WRPROTECT need protection information we do not keep. */
		if (ci.op != 0x08 && ci.op != 0x0a && (p->cdb[1] & 0xe0))
			return SENSE(SK_ILLEGAL, 0x24, 0x00);
		if (ci.lba > lu->blocks || ci.blocks > lu->blocks - ci.lba)
			return SENSE(SK_ILLEGAL, 0x21, 0x00);	/* LBA out of range */
		if (ci.is_read)
			return start_read(c, p, lu, ci.lba, ci.blocks);
		return start_write(c, p, lu, ci.lba, ci.blocks);
	}
	switch (p->cdb[0]) {
	case 0x00:		/* TEST UNIT READY */
		scsi_response(c, p->itt, ST_GOOD, 0, 0, 0, 0, 0, 0);
		return 0;
	case 0x03:		/* REQUEST SENSE: nothing pending (SPC-4 6.39) */
		memset(b, 0, 18);
		b[0] = 0x70;
		b[7] = 10;
		send_data(c, p, b, p->cdb[4] < 18 ? p->cdb[4] : 18);
		return 0;
	case 0x1a:
		return mode_sense(c, p, lu, false);
	case 0x5a:
		return mode_sense(c, p, lu, true);
	case 0x35:		/* SYNCHRONIZE CACHE(10), SBC-3 5.22 */
	case 0x91:		/* SYNCHRONIZE CACHE(16) */
		if (lu->rw && fsync(lu->fd) != 0) {
			srv_log("iscsi", c->peer, "SYNCHRONIZE CACHE lun %" PRIu64 ": %s", lu->lun, strerror(errno));
			return SENSE(SK_MEDIUM, 0x0c, 0x00);
		}
		scsi_response(c, p->itt, ST_GOOD, 0, 0, 0, 0, 0, 0);
		return 0;
	default:
		return SENSE(SK_ILLEGAL, 0x20, 0x00);	/* invalid opcode */
	}
}

static void handle_scsi(struct conn *c, const struct iscsi_pdu *p)
{
	uint32_t sense;

	c->ncmds++;
	if (c->discovery) {
		send_reject(c, 0x05, c->cur_bhs);	/* no SCSI in a discovery session */
		return;
	}
	sense = scsi_exec(c, p);
	if (sense)
		check_condition(c, p, (uint8_t)(sense >> 16), (uint8_t)(sense >> 8), (uint8_t)sense);
}

/* ---- other full-feature PDUs ---- */

static void handle_nop(struct conn *c, const struct iscsi_pdu *p)
{
	struct iscsi_pdu r;

	if (p->itt == NO_TAG)
		return;		/* RFC 7143 11.18: a ping answer or a CmdSN update only */
	memset(&r, 0, sizeof(r));
	r.opcode = ISCSI_OP_NOP_IN;
	r.flags = 0x80;
	r.lun = p->lun;
	r.itt = p->itt;
	r.w20 = NO_TAG;
	rsp_sn(c, &r, true);
	/* RFC 7143 11.19: echo the ping data, within what the initiator accepts. */
	if (p->data.p && p->data.len > 0) {
		r.data.p = p->data.p;
		r.data.len = p->data.len < c->peer_mrdsl ? p->data.len : c->peer_mrdsl;
	}
	send_pdu(c, &r);
}

static void handle_logout(struct conn *c, const struct iscsi_pdu *p)
{
	struct iscsi_pdu r;

	memset(&r, 0, sizeof(r));
	r.opcode = ISCSI_OP_LOGOUT_RSP;
	r.flags = 0x80;
	r.itt = p->itt;
	rsp_sn(c, &r, true);
	/* RFC 7143 11.15: response 0, connection or session closed successfully. */
	send_pdu(c, &r);
	srv_log("iscsi", c->peer, "logout (%s) -> closed; %" PRIu64 " commands, %" PRIu64
		" bytes read, %" PRIu64 " written", iscsi_logout_reason_str(p->logout_reason), c->ncmds,
		c->bytes_read, c->bytes_written);
	c->phase = PH_CLOSING;
	c->quiet = true;
}

static void handle_tmf(struct conn *c, const struct iscsi_pdu *p)
{
	struct iscsi_pdu r;
	uint8_t fn = p->tmf_function, resp = 0;

	memset(&r, 0, sizeof(r));
	switch (fn) {
	case 1:		/* ABORT TASK (RFC 7143 11.5.1): only writes waiting for data are open */
		resp = 1;	/* task does not exist: it completed already */
		for (size_t i = 0; i < MAX_WTASKS; i++)
			if (c->w[i].used && c->w[i].itt == p->w20) {
				c->w[i].used = false;
				resp = 0;
			}
		break;
	case 2: case 3: case 5: case 6:	/* ABORT/CLEAR TASK SET, LU RESET, TARGET WARM RESET */
		for (size_t i = 0; i < MAX_WTASKS; i++)
			c->w[i].used = false;
		break;
	default:
		resp = 5;	/* task management function not supported */
		break;
	}
	srv_log("iscsi", c->peer, "Task Management function %u -> %s", fn,
		resp == 0 ? "complete" : resp == 1 ? "task does not exist" : "not supported");
	r.opcode = ISCSI_OP_TMF_RSP;
	r.flags = 0x80;
	r.response = resp;
	r.itt = p->itt;
	rsp_sn(c, &r, true);
	send_pdu(c, &r);
}

static void handle_pdu(struct conn *c, const struct iscsi_pdu *p, const uint8_t *bhs)
{
	if (c->phase == PH_LOGIN) {
		if (p->opcode != ISCSI_OP_LOGIN_REQ) {
			/* RFC 7143 6.3: only Login PDUs before full feature phase. */
			srv_log("iscsi", c->peer, "%s during login -> closed", iscsi_opcode_name(p->opcode));
			c->phase = PH_CLOSING;
			return;
		}
		handle_login(c, p);
		return;
	}
	if (p->opcode != ISCSI_OP_DATA_OUT && p->opcode != ISCSI_OP_SNACK && !p->immediate) {
		/* RFC 7143 4.2.2.1: non-immediate commands outside [ExpCmdSN, MaxCmdSN] are
		 * silently ignored; over one connection they arrive in order. */
		if (!sn_ge(p->cmd_sn, c->exp_cmd_sn) || !sn_ge(c->exp_cmd_sn + CMD_WINDOW - 1, p->cmd_sn)) {
			srv_log("iscsi", c->peer, "%s CmdSN %u outside %u..%u -> ignored", iscsi_opcode_name(p->opcode),
				p->cmd_sn, c->exp_cmd_sn, c->exp_cmd_sn + CMD_WINDOW - 1);
			return;
		}
		c->exp_cmd_sn = p->cmd_sn + 1;
	}
	switch (p->opcode) {
	case ISCSI_OP_SCSI_CMD:
		handle_scsi(c, p);
		break;
	case ISCSI_OP_DATA_OUT:
		handle_data_out(c, p);
		break;
	case ISCSI_OP_NOP_OUT:
		handle_nop(c, p);
		break;
	case ISCSI_OP_TEXT_REQ:
		handle_text(c, p);
		break;
	case ISCSI_OP_LOGOUT_REQ:
		handle_logout(c, p);
		break;
	case ISCSI_OP_TMF_REQ:
		if (c->discovery)
			send_reject(c, 0x05, bhs);
		else
			handle_tmf(c, p);
		break;
	case ISCSI_OP_SNACK:
		send_reject(c, 0x03, bhs);	/* SNACK reject: ErrorRecoveryLevel=0 */
		break;
	default:
		srv_log("iscsi", c->peer, "%s -> Reject", iscsi_opcode_name(p->opcode));
		send_reject(c, 0x04, bhs);	/* protocol error, e.g. a second Login */
		break;
	}
}

/* ---- connection I/O ---- */

static void process_input(struct conn *c)
{
	size_t used = 0;

	while (c->phase != PH_CLOSING && !c->rd.active && out_queued(c) < OUT_HIGH) {
		size_t total = 0;
		int r = iscsi_pdu_len(c->in + used, c->inlen - used, c->hdigest, c->ddigest, OUR_MRDSL, &total);
		struct iscsi_pdu p;

		if (r == 0 || (r > 0 && total > c->inlen - used)) {
			if (r > 0 && total > IN_CAP)
				r = -1;
			else
				break;
		}
		if (r < 0 || !iscsi_pdu_decode(c->in + used, total, c->hdigest, c->ddigest, &p) ||
		    !p.hdigest_ok) {
			/* RFC 7143 6.6: framing is lost; reject the header and close. */
			uint8_t bhs[ISCSI_BHS_LEN];

			memcpy(bhs, c->in + used, sizeof(bhs));
			srv_log("iscsi", c->peer, "%s: bad PDU header (opcode 0x%02x, data length %u) -> Reject, closed",
				iscsi_opcode_name(bhs[0] & 0x3f), bhs[0] & 0x3f,
				(unsigned)bhs[5] << 16 | (unsigned)bhs[6] << 8 | bhs[7]);
			if (c->phase == PH_FULL)
				send_reject(c, r < 0 ? 0x04 : 0x09, bhs);
			c->phase = PH_CLOSING;
			break;
		}
		if (!p.ddigest_ok) {
			srv_log("iscsi", c->peer, "%s: data digest error -> Reject", iscsi_opcode_name(p.opcode));
			send_reject(c, 0x02, c->in + used);
			used += total;
			continue;
		}
		c->cur_bhs = c->in + used;
		handle_pdu(c, &p, c->in + used);
		used += total;
	}
	if (used) {
		memmove(c->in, c->in + used, c->inlen - used);
		c->inlen -= used;
	}
}

static void conn_event(struct srv_loop *l, int fd, short revents, void *ctx)
{
	struct conn *c = ctx;

	(void)l;
	(void)fd;
	if (revents & (POLLERR | POLLNVAL)) {
		conn_close(c, "connection reset");
		return;
	}
	if (revents & POLLOUT)
		flush(c);
	if (revents & (POLLIN | POLLHUP)) {
		while (c->inlen < IN_CAP) {
			ssize_t n = recv(fd, c->in + c->inlen, IN_CAP - c->inlen, 0);

			if (n > 0) {
				c->inlen += (size_t)n;
				continue;
			}
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			if (n == 0) {
				/* FIN: what arrived before it still gets its answers. */
				process_input(c);
				flush(c);
			}
			conn_close(c, n == 0 ? "closed by the initiator" : strerror(errno));
			return;
		}
	}
	conn_update(c);
}

/* Makes progress on everything pending, then sets the poll events (or closes). */
static void conn_update(struct conn *c)
{
	short ev = 0;

	for (int round = 0; round < 4; round++) {
		if (c->rd.active)
			pump_read(c);
		process_input(c);
		flush(c);
		if (out_queued(c) > 0 || c->phase == PH_CLOSING ||
		    (!c->rd.active && !(c->inlen >= ISCSI_BHS_LEN && out_queued(c) < OUT_HIGH)))
			break;
	}
	if (c->phase == PH_CLOSING && out_queued(c) == 0) {
		conn_close(c, NULL);
		return;
	}
	if (c->inlen < IN_CAP && c->phase != PH_CLOSING)
		ev |= POLLIN;
	if (out_queued(c) > 0)
		ev |= POLLOUT;
	srv_loop_mod(c->d->l, c->fd, ev);
}

static void conn_close(struct conn *c, const char *why)
{
	struct iscsid *d = c->d;
	struct conn **pp;

	if (!c->quiet)
		srv_log("iscsi", c->peer, "%s%s%" PRIu64 " commands, %" PRIu64 " bytes read, %" PRIu64 " written",
			why ? why : "closed", "; ", c->ncmds, c->bytes_read, c->bytes_written);
	if (c->timer)
		srv_timer_cancel(d->l, c->timer);
	if (c->fd >= 0) {
		srv_loop_del(d->l, c->fd);
		close(c->fd);
	} else if (c->io.closed) {
		c->io.closed(c->io.ctx);
	}
	for (pp = &d->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	d->nconns--;
	free(c->in);
	free(c->out);
	free(c->scratch);
	free(c->ltext);
	free(c);
}

static void login_timeout(struct srv_loop *l, void *ctx)
{
	struct conn *c = ctx;

	(void)l;
	c->timer = 0;
	conn_close(c, "login timeout");
}

/* Sets a new connection (in and scratch allocated) up and links it in. */
static void conn_start(struct iscsid *d, struct conn *c, int fd, const char *peer,
		       uint32_t local_ip, uint16_t local_port)
{
	c->d = d;
	c->fd = fd;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	c->local_ip = local_ip;
	c->local_port = local_port;
	/* RFC 7143 13: defaults until negotiated. */
	c->peer_mrdsl = 8192;
	c->initial_r2t = true;
	c->immediate_data = true;
	c->max_burst = 262144;
	c->first_burst = 65536;
	c->next_ttt = 1;
	c->timer = srv_timer_add(d->l, LOGIN_TIMEOUT, login_timeout, c);
	c->since = srv_now();
	c->next = d->conns;
	d->conns = c;
	d->nconns++;
}

/*
 * At the cap: closes the oldest connection still in login, if it has been there EVICT_WAIT s
 * or more (a real initiator logs in within milliseconds). Without this max_conns
 * connections that never log in lock every initiator out until LOGIN_TIMEOUT; sessions in
 * full feature phase are never closed here.
 */
static bool make_room(struct iscsid *d)
{
	double now = srv_now();
	struct conn *old = NULL;

	for (struct conn *c = d->conns; c; c = c->next)
		if (c->phase == PH_LOGIN && now - c->since >= EVICT_WAIT &&
		    (!old || c->since < old->since))
			old = c;
	if (!old)
		return false;
	srv_log("iscsi", old->peer,
		"no login after %.1f s, %u connections (max %u): closed to make room",
		now - old->since, d->nconns, d->max_conns);
	old->quiet = true;
	conn_close(old, NULL);
	return true;
}

static void accept_event(struct srv_loop *l, int fd, short revents, void *ctx)
{
	struct iscsid *d = ctx;

	(void)revents;
	for (;;) {
		struct sockaddr_in sa, la;
		socklen_t sl = sizeof(sa), ll = sizeof(la);
		int cfd = accept(fd, (struct sockaddr *)&sa, &sl);
		char peer[64], ip[INET_ADDRSTRLEN];
		struct conn *c;
		int one = 1;

		if (cfd < 0)
			return;		/* EAGAIN, or a transient error: poll tells us again */
		if (fcntl(cfd, F_SETFL, O_NONBLOCK) != 0 || fcntl(cfd, F_SETFD, FD_CLOEXEC) != 0) {
			close(cfd);
			continue;
		}
		inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof(ip));
		snprintf(peer, sizeof(peer), "%s:%u", ip, ntohs(sa.sin_port));
		if (d->nconns >= d->max_conns && !make_room(d)) {
			srv_log("iscsi", peer, "connection refused: %u connections already", d->nconns);
			close(cfd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c) {
			c->in = malloc(IN_CAP);
			c->scratch = malloc(OUR_MRDSL);
		}
		if (!c || !c->in || !c->scratch || getsockname(cfd, (struct sockaddr *)&la, &ll) != 0 ||
		    srv_loop_add(l, cfd, POLLIN, conn_event, c) != 0) {
			if (c) {
				free(c->in);
				free(c->scratch);
			}
			free(c);
			close(cfd);
			srv_log("iscsi", peer, "connection dropped: out of memory");
			continue;
		}
		setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		conn_start(d, c, cfd, peer, ntohl(la.sin_addr.s_addr), ntohs(la.sin_port));
	}
}

/* ---- setup ---- */

static void free_tgts(struct iscsid *d)
{
	for (size_t i = 0; i < d->ntgts; i++) {
		struct tgt *t = &d->tgts[i];

		for (size_t j = 0; j < t->nluns; j++)
			if (t->luns[j].fd >= 0)
				close(t->luns[j].fd);
		free(t->name);
		free(t->chap_user);
		if (t->chap_secret) {
			memset(t->chap_secret, 0, strlen(t->chap_secret));
			free(t->chap_secret);
		}
	}
	free(d->tgts);
	d->tgts = NULL;
	d->ntgts = 0;
}

static char *dup_str(const char *s)
{
	size_t n;
	char *p;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	p = malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

static bool setup_target(struct tgt *t, const struct iscsid_target *ct, char *err, size_t errcap)
{
	t->name = dup_str(ct->name);
	if (!ct->name || !t->name || strlen(ct->name) > 223 || ct->name[0] == 0) {
		snprintf(err, errcap, "iscsi: bad target name");
		return false;
	}
	if ((ct->chap_user == NULL) != (ct->chap_secret == NULL) ||
	    (ct->chap_user && (!ct->chap_user[0] || !ct->chap_secret[0]))) {
		snprintf(err, errcap, "iscsi: target %s: CHAP needs both a user and a secret", ct->name);
		return false;
	}
	t->chap_user = dup_str(ct->chap_user);
	t->chap_secret = dup_str(ct->chap_secret);
	if (ct->chap_user && (!t->chap_user || !t->chap_secret)) {
		snprintf(err, errcap, "iscsi: out of memory");
		return false;
	}
	if (ct->nluns == 0 || ct->nluns > ISCSID_MAX_LUNS) {
		snprintf(err, errcap, "iscsi: target %s: %zu LUNs (1 to %d)", ct->name, ct->nluns, ISCSID_MAX_LUNS);
		return false;
	}
	for (size_t j = 0; j < ct->nluns; j++) {
		const struct iscsid_lun *cl = &ct->luns[j];
		struct lunimg *lu = &t->luns[j];
		off_t end;

		lu->fd = -1;
		t->nluns = j + 1;
		lu->lun = cl->lun;
		lu->rw = cl->rw;
		for (size_t k = 0; k < j; k++)
			if (t->luns[k].lun == cl->lun) {
				snprintf(err, errcap, "iscsi: target %s: LUN %" PRIu64 " twice", ct->name, cl->lun);
				return false;
			}
		if (cl->lun > 16383 || !cl->path) {
			snprintf(err, errcap, "iscsi: target %s: bad LUN %" PRIu64, ct->name, cl->lun);
			return false;
		}
		lu->fd = open(cl->path, (cl->rw ? O_RDWR : O_RDONLY) | O_CLOEXEC);
		if (lu->fd < 0) {
			snprintf(err, errcap, "iscsi: target %s LUN %" PRIu64 ": %s: %s", ct->name, cl->lun,
				 cl->path, strerror(errno));
			return false;
		}
		end = lseek(lu->fd, 0, SEEK_END);
		if (end < (off_t)BLOCK) {
			snprintf(err, errcap, "iscsi: target %s LUN %" PRIu64 ": %s: %s", ct->name, cl->lun,
				 cl->path, end < 0 ? strerror(errno) : "smaller than one 512-byte block");
			return false;
		}
		lu->blocks = (uint64_t)end / BLOCK;
		lu->naa = fnv1a(ct->name, cl->lun);
		snprintf(lu->serial, sizeof(lu->serial), "%016" PRIx64, lu->naa);
	}
	return true;
}

/* The target without its listener: the images open, conf copied. */
static struct iscsid *iscsid_alloc(struct srv_loop *l, const struct iscsid_conf *c, char *err,
				   size_t errcap)
{
	struct iscsid *d = calloc(1, sizeof(*d));

	if (!d) {
		snprintf(err, errcap, "iscsi: out of memory");
		return NULL;
	}
	d->l = l;
	d->lfd = -1;
	d->max_conns = c->max_conns ? c->max_conns : 64;
	if (c->ntargets > 0) {
		d->tgts = calloc(c->ntargets, sizeof(*d->tgts));
		if (!d->tgts) {
			snprintf(err, errcap, "iscsi: out of memory");
			goto fail;
		}
	}
	for (size_t i = 0; i < c->ntargets; i++) {
		d->ntgts = i + 1;
		if (!setup_target(&d->tgts[i], &c->targets[i], err, errcap))
			goto fail;
		for (size_t k = 0; k < i; k++)
			if (strcmp(d->tgts[k].name, d->tgts[i].name) == 0) {
				snprintf(err, errcap, "iscsi: target %s defined twice", d->tgts[i].name);
				goto fail;
			}
	}
	return d;
fail:
	free_tgts(d);
	free(d);
	return NULL;
}

struct iscsid *iscsid_new(struct srv_loop *l, const struct iscsid_conf *c, char *err, size_t errcap)
{
	struct iscsid *d = iscsid_alloc(l, c, err, errcap);
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int one = 1;

	if (!d)
		return NULL;
	d->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->lfd < 0) {
		snprintf(err, errcap, "iscsi: socket: %s", strerror(errno));
		goto fail;
	}
	setsockopt(d->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(c->listen_ip);
	sa.sin_port = htons(c->port);
	if (bind(d->lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(d->lfd, 16) != 0) {
		char ip[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof(ip));
		snprintf(err, errcap, "iscsi: cannot bind %s:%u: %s", ip, (unsigned)c->port, strerror(errno));
		goto fail;
	}
	if (getsockname(d->lfd, (struct sockaddr *)&sa, &sl) != 0) {
		snprintf(err, errcap, "iscsi: getsockname: %s", strerror(errno));
		goto fail;
	}
	d->port = ntohs(sa.sin_port);
	if (srv_loop_add(l, d->lfd, POLLIN, accept_event, d) != 0) {
		snprintf(err, errcap, "iscsi: out of memory");
		goto fail;
	}
	return d;
fail:
	if (d->lfd >= 0)
		close(d->lfd);
	free_tgts(d);
	free(d);
	return NULL;
}

uint16_t iscsid_port(const struct iscsid *t)
{
	return t->port;
}

void iscsid_free(struct iscsid *t)
{
	if (!t)
		return;
	for (struct conn *c = t->conns, *next; c; c = next) {
		next = c->next;
		c->quiet = true;	/* shutting down: no per-connection lines */
		conn_close(c, NULL);
	}
	if (t->detached) {
		srv_loop_free(t->l);	/* the loop is ours */
	} else {
		srv_loop_del(t->l, t->lfd);
		close(t->lfd);
	}
	free_tgts(t);
	free(t);
}

/* ---- detached mode ---- */

struct iscsid *iscsid_new_detached(const struct iscsid_conf *c, char *err, size_t errcap)
{
	struct srv_loop *l = srv_loop_new();
	struct iscsid *d;

	if (!l) {
		snprintf(err, errcap, "iscsi: out of memory");
		return NULL;
	}
	d = iscsid_alloc(l, c, err, errcap);
	if (!d) {
		srv_loop_free(l);
		return NULL;
	}
	d->detached = true;
	return d;
}

/* struct iscsid_conn is the public name of a detached struct conn. */
struct iscsid_conn *iscsid_conn_new(struct iscsid *d, const char *peer, uint32_t local_ip,
				    uint16_t local_port, const struct iscsid_conn_io *io)
{
	struct conn *c;

	if (!d->detached || d->nconns >= d->max_conns)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c) {
		c->in = malloc(IN_CAP);
		c->scratch = malloc(OUR_MRDSL);
	}
	if (!c || !c->in || !c->scratch) {
		if (c) {
			free(c->in);
			free(c->scratch);
		}
		free(c);
		return NULL;
	}
	c->io = *io;
	conn_start(d, c, -1, peer ? peer : "-", local_ip, local_port);
	return (struct iscsid_conn *)c;
}

void iscsid_conn_feed(struct iscsid_conn *ic, const uint8_t *p, size_t len, bool eof, size_t *used)
{
	struct conn *c = (struct conn *)ic;
	size_t n = IN_CAP - c->inlen;

	/* What conn_event does when the socket is writable and readable. */
	flush(c);
	if (n > len)
		n = len;
	if (n)
		memcpy(c->in + c->inlen, p, n);
	c->inlen += n;
	*used = n;
	if (eof && n == len) {
		/* FIN: what arrived before it still gets its answers. */
		process_input(c);
		flush(c);
		conn_close(c, "closed by the initiator");
		return;
	}
	conn_update(c);
}

void iscsid_conn_expire(struct iscsid_conn *ic)
{
	struct conn *c = (struct conn *)ic;

	if (!c->timer)
		return;
	srv_timer_cancel(c->d->l, c->timer);
	c->timer = 0;
	login_timeout(c->d->l, c);
}
