/* test_iscsid.c: the iSCSI target in-process: login, CHAP, discovery, SCSI commands, bad PDUs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/md5.h>

#include "proto/iscsi.h"
#include "server/iscsid.h"
#include "server/loop.h"

#define IMG_SIZE (1024u * 1024u)
#define DISK0 "iqn.2026-11.test:disk0"
#define RO "iqn.2026-11.test:ro"
#define SECURE "iqn.2026-11.test:secure"
#define INAME "iqn.2026-11.test:client"
#define NO_TAG 0xffffffffu

struct fix {
	char dir[64];
	char disk0[128];
	char ro[128];
	struct srv_loop *l;
	struct iscsid *d;
	uint16_t port;
};

/* One initiator connection: raw bytes in, one PDU at a time out. */
struct client {
	int fd;
	uint8_t in[1u << 20];
	size_t inlen;
	uint8_t pdu_buf[300000];
	struct iscsi_pdu p;
	uint32_t cmd_sn, exp_stat_sn, itt;
	bool closed;
	bool digests;	/* header and data CRC32C, once in full feature phase */
};

static uint8_t img_byte(size_t i)
{
	if (i == 510)
		return 0x55;
	if (i == 511)
		return 0xaa;
	return (uint8_t)(i * 7 + 3);
}

static void write_image(const char *path)
{
	static uint8_t buf[IMG_SIZE];
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = img_byte(i);
	assert_int_equal(fwrite(buf, 1, sizeof(buf), f), sizeof(buf));
	fclose(f);
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct iscsid_target t[3];
	struct iscsid_conf c;
	char err[256];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_iscsid.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->disk0, sizeof(f->disk0), "%s/disk0.img", f->dir);
	snprintf(f->ro, sizeof(f->ro), "%s/ro.img", f->dir);
	write_image(f->disk0);
	write_image(f->ro);
	memset(t, 0, sizeof(t));
	t[0].name = DISK0;
	t[0].luns[0] = (struct iscsid_lun){ 1, f->disk0, true };
	t[0].nluns = 1;
	t[1].name = RO;
	t[1].luns[0] = (struct iscsid_lun){ 0, f->ro, false };
	t[1].nluns = 1;
	t[2].name = SECURE;
	t[2].luns[0] = (struct iscsid_lun){ 0, f->ro, false };
	t[2].nluns = 1;
	t[2].chap_user = "chapuser";
	t[2].chap_secret = "secret12345678";
	memset(&c, 0, sizeof(c));
	c.listen_ip = 0x7f000001;
	c.targets = t;
	c.ntargets = 3;
	c.max_conns = 4;
	f->l = srv_loop_new();
	assert_non_null(f->l);
	f->d = iscsid_new(f->l, &c, err, sizeof(err));
	if (!f->d)
		fail_msg("iscsid_new: %s", err);
	f->port = iscsid_port(f->d);
	assert_true(f->port > 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	iscsid_free(f->d);
	srv_loop_free(f->l);
	unlink(f->disk0);
	unlink(f->ro);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void stop_cb(struct srv_loop *l, void *ctx)
{
	(void)ctx;
	srv_loop_stop(l);
}

/* Drives the server for a bounded slice of time. */
static void run_loop(struct fix *f, double secs)
{
	srv_timer_add(f->l, secs, stop_cb, NULL);
	srv_loop_run(f->l);
}

static struct client *cl_connect(struct fix *f)
{
	struct client *c = calloc(1, sizeof(*c));
	struct sockaddr_in sa;

	assert_non_null(c);
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(c->fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(0x7f000001);
	sa.sin_port = htons(f->port);
	assert_int_equal(connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	c->itt = 1;
	c->cmd_sn = 1;
	return c;
}

static void cl_free(struct fix *f, struct client *c)
{
	close(c->fd);
	free(c);
	run_loop(f, 0.02);	/* let the server notice the close */
}

static void cl_send_raw(struct client *c, const uint8_t *b, size_t n)
{
	while (n > 0) {
		ssize_t w = send(c->fd, b, n, MSG_NOSIGNAL);

		assert_true(w > 0);
		b += w;
		n -= (size_t)w;
	}
}

static void cl_send(struct client *c, const struct iscsi_pdu *p)
{
	static uint8_t buf[300000];
	size_t n = iscsi_pdu_encode(buf, sizeof(buf), p, c->digests, c->digests);

	assert_true(n > 0);
	cl_send_raw(c, buf, n);
}

/* Waits (driving the server) for the next PDU; false when the server closed or nothing
 * came within about 2 s. */
static bool cl_recv(struct fix *f, struct client *c)
{
	for (int i = 0; i < 100; i++) {
		size_t total = 0;
		int r = iscsi_pdu_len(c->in, c->inlen, c->digests, c->digests, ISCSI_MAX_DATA_LEN, &total);

		if (r > 0 && total <= c->inlen) {
			assert_true(total <= sizeof(c->pdu_buf));
			memcpy(c->pdu_buf, c->in, total);
			memmove(c->in, c->in + total, c->inlen - total);
			c->inlen -= total;
			assert_true(iscsi_pdu_decode(c->pdu_buf, total, c->digests, c->digests, &c->p));
			assert_true(c->p.hdigest_ok);
			assert_true(c->p.ddigest_ok);
			if (c->p.opcode != ISCSI_OP_DATA_IN && c->p.opcode != ISCSI_OP_R2T)
				c->exp_stat_sn = c->p.stat_sn + 1;
			else if (c->p.has_status)
				c->exp_stat_sn = c->p.stat_sn + 1;
			return true;
		}
		assert_true(r >= 0);
		if (c->closed)
			return false;
		run_loop(f, 0.02);
		for (;;) {
			ssize_t n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen, MSG_DONTWAIT);

			if (n > 0) {
				c->inlen += (size_t)n;
				continue;
			}
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
				c->closed = true;
			break;
		}
	}
	return false;
}

static bool has_key(const struct iscsi_pdu *p, const char *key, const char *val)
{
	size_t pos = 0;
	struct view k, v;

	while (iscsi_text_next(p->data, &pos, &k, &v))
		if (k.len == strlen(key) && memcmp(k.p, key, k.len) == 0)
			return !val || (v.p && v.len == strlen(val) && memcmp(v.p, val, v.len) == 0);
	return false;
}

static bool has_value(const struct iscsi_pdu *p, const char *key, const char *val)
{
	size_t pos = 0;
	struct view k, v;

	while (iscsi_text_next(p->data, &pos, &k, &v))
		if (k.len == strlen(key) && memcmp(k.p, key, k.len) == 0 && v.p && v.len == strlen(val) &&
		    memcmp(v.p, val, v.len) == 0)
			return true;
	return false;
}

static bool get_key(const struct iscsi_pdu *p, const char *key, char *out, size_t cap)
{
	size_t pos = 0;
	struct view k, v;

	while (iscsi_text_next(p->data, &pos, &k, &v))
		if (k.len == strlen(key) && memcmp(k.p, key, k.len) == 0 && v.p && v.len < cap) {
			memcpy(out, v.p, v.len);
			out[v.len] = 0;
			return true;
		}
	return false;
}

/* Sends a Login Request with keys "a=b\0c=d\0" (length given) and waits for the answer. */
static bool cl_login(struct fix *f, struct client *c, const char *keys, size_t klen, uint8_t csg, uint8_t nsg,
		     bool transit)
{
	struct iscsi_pdu p;

	memset(&p, 0, sizeof(p));
	p.opcode = ISCSI_OP_LOGIN_REQ;
	p.immediate = true;
	p.login_transit = transit;
	p.login_csg = csg;
	p.login_nsg = nsg;
	p.isid[0] = 0x80;
	p.isid[5] = 0x01;
	p.itt = c->itt;
	p.cmd_sn = c->cmd_sn;
	p.w28 = c->exp_stat_sn;
	p.data.p = (const uint8_t *)keys;
	p.data.len = klen;
	cl_send(c, &p);
	return cl_recv(f, c) && c->p.opcode == ISCSI_OP_LOGIN_RSP;
}

#define KEYS(s) s, sizeof(s) - 1

/* Security straight to full feature (no CHAP), as iPXE-style initiators may. */
static struct client *login_normal(struct fix *f, const char *target)
{
	struct client *c = cl_connect(f);
	char keys[512];
	int n = snprintf(keys, sizeof(keys), "InitiatorName=" INAME "%cTargetName=%s%cSessionType=Normal%cAuthMethod=None%c",
			 0, target, 0, 0, 0);

	assert_true(cl_login(f, c, keys, (size_t)n, 0, 3, true));
	assert_int_equal(c->p.status_class, 0);
	assert_int_equal(c->p.status_detail, 0);
	assert_true(c->p.login_transit);
	assert_int_equal(c->p.login_nsg, 3);
	assert_true(c->p.tsih != 0);
	return c;
}

static void cl_scsi(struct client *c, uint64_t lun, const uint8_t *cdb, size_t cdblen, uint32_t edtl, bool rd,
		    bool wr, const uint8_t *imm, size_t immlen)
{
	struct iscsi_pdu p;

	memset(&p, 0, sizeof(p));
	p.opcode = ISCSI_OP_SCSI_CMD;
	p.flags = 0x80 | 0x01;	/* F, simple task attribute */
	p.scsi_read = rd;
	p.scsi_write = wr;
	p.lun = lun << 48;
	p.itt = ++c->itt;
	p.edtl = edtl;
	p.cmd_sn = c->cmd_sn++;
	p.w28 = c->exp_stat_sn;
	memcpy(p.cdb, cdb, cdblen);
	p.data.p = imm;
	p.data.len = immlen;
	cl_send(c, &p);
}

/* Collects Data-In payload into buf until the status arrives; returns bytes and status. */
static size_t cl_collect(struct fix *f, struct client *c, uint8_t *buf, size_t cap, uint8_t *status)
{
	size_t got = 0;

	for (;;) {
		assert_true(cl_recv(f, c));
		if (c->p.opcode == ISCSI_OP_DATA_IN) {
			assert_int_equal(c->p.itt, c->itt);
			assert_int_equal(c->p.buffer_offset, got);
			assert_true(got + c->p.data.len <= cap);
			memcpy(buf + got, c->p.data.p, c->p.data.len);
			got += c->p.data.len;
			if (c->p.has_status) {
				*status = c->p.scsi_status;
				return got;
			}
			continue;
		}
		assert_int_equal(c->p.opcode, ISCSI_OP_SCSI_RSP);
		assert_int_equal(c->p.itt, c->itt);
		*status = c->p.scsi_status;
		return got;
	}
}

static void assert_sense(const struct client *c, uint8_t key, uint8_t asc, uint8_t ascq)
{
	struct scsi_sense s;

	assert_int_equal(c->p.opcode, ISCSI_OP_SCSI_RSP);
	assert_int_equal(c->p.scsi_status, 0x02);
	assert_true(scsi_sense_decode(c->p.data, &s));
	assert_int_equal(s.key, key);
	assert_int_equal(s.asc, asc);
	assert_int_equal(s.ascq, ascq);
}

static void test_iscsid_login_two_stages(void **state)
{
	struct fix *f = *state;
	struct client *c = cl_connect(f);

	assert_true(cl_login(f, c, KEYS("InitiatorName=" INAME "\0TargetName=" DISK0 "\0SessionType=Normal\0AuthMethod=None\0"),
			     0, 1, true));
	assert_int_equal(c->p.status_class, 0);
	assert_true(has_key(&c->p, "AuthMethod", "None"));
	assert_true(has_key(&c->p, "TargetPortalGroupTag", "1"));
	assert_true(c->p.login_transit);
	assert_int_equal(c->p.login_nsg, 1);
	assert_int_equal(c->p.tsih, 0);

	assert_true(cl_login(f, c, KEYS("HeaderDigest=None\0DataDigest=None\0MaxRecvDataSegmentLength=8192\0"
					"InitialR2T=No\0ImmediateData=Yes\0MaxBurstLength=262144\0FirstBurstLength=65536\0"
					"DefaultTime2Wait=2\0DefaultTime2Retain=0\0MaxOutstandingR2T=1\0"
					"DataPDUInOrder=Yes\0DataSequenceInOrder=Yes\0ErrorRecoveryLevel=0\0"
					"MaxConnections=1\0X-com.example.Foo=1\0"),
			     1, 3, true));
	assert_int_equal(c->p.status_class, 0);
	assert_true(c->p.login_transit);
	assert_int_equal(c->p.login_csg, 1);
	assert_int_equal(c->p.login_nsg, 3);
	assert_true(c->p.tsih != 0);
	assert_true(has_key(&c->p, "HeaderDigest", "None"));
	assert_true(has_key(&c->p, "InitialR2T", "Yes"));
	assert_true(has_key(&c->p, "ImmediateData", "Yes"));
	assert_true(has_key(&c->p, "MaxRecvDataSegmentLength", "262144"));
	assert_true(has_key(&c->p, "MaxOutstandingR2T", "1"));
	assert_true(has_key(&c->p, "ErrorRecoveryLevel", "0"));
	assert_true(has_key(&c->p, "X-com.example.Foo", "NotUnderstood"));
	assert_false(has_key(&c->p, "TargetPortalGroupTag", NULL));
	cl_free(f, c);
}

static void test_iscsid_login_wrong_target_0203(void **state)
{
	struct fix *f = *state;
	struct client *c = cl_connect(f);

	assert_true(cl_login(f, c, KEYS("InitiatorName=" INAME "\0TargetName=iqn.2026-11.test:nope\0AuthMethod=None\0"), 0, 1,
			     true));
	assert_int_equal(c->p.status_class, 2);
	assert_int_equal(c->p.status_detail, 3);
	assert_false(cl_recv(f, c));	/* closed afterwards */
	cl_free(f, c);
}

/* CHAP exchange on the secure target, the last response in c->p. With eager_t, T=1 on
 * every request as iPXE does: the target must answer T=0 until CHAP_R checks out. */
static void chap_login_t(struct fix *f, struct client *c, const char *user, const char *secret, bool eager_t)
{
	char ci[16], cc[64], keys[256];
	uint8_t chal[16], dig[MD5_DIGEST_SIZE], id;
	struct md5_ctx m;
	int n;

	assert_true(cl_login(f, c, KEYS("InitiatorName=" INAME "\0TargetName=" SECURE "\0SessionType=Normal\0AuthMethod=CHAP,None\0"),
			     0, 1, eager_t));
	assert_int_equal(c->p.status_class, 0);
	assert_false(c->p.login_transit);
	assert_true(has_key(&c->p, "AuthMethod", "CHAP"));
	assert_true(cl_login(f, c, KEYS("CHAP_A=7,5\0"), 0, 1, eager_t));
	assert_int_equal(c->p.status_class, 0);
	assert_false(c->p.login_transit);
	assert_true(has_key(&c->p, "CHAP_A", "5"));
	assert_true(get_key(&c->p, "CHAP_I", ci, sizeof(ci)));
	assert_true(get_key(&c->p, "CHAP_C", cc, sizeof(cc)));
	assert_int_equal(strlen(cc), 2 + 32);
	for (size_t i = 0; i < 16; i++) {
		unsigned x;

		assert_int_equal(sscanf(cc + 2 + 2 * i, "%2x", &x), 1);
		chal[i] = (uint8_t)x;
	}
	id = (uint8_t)atoi(ci);
	md5_init(&m);
	md5_update(&m, 1, &id);
	md5_update(&m, strlen(secret), (const uint8_t *)secret);
	md5_update(&m, sizeof(chal), chal);
	md5_digest(&m, sizeof(dig), dig);
	n = snprintf(keys, sizeof(keys), "CHAP_N=%s%cCHAP_R=0x", user, 0);
	for (size_t i = 0; i < sizeof(dig); i++)
		n += snprintf(keys + n, sizeof(keys) - (size_t)n, "%02x", dig[i]);
	keys[n++] = 0;
	assert_true(cl_login(f, c, keys, (size_t)n, 0, 1, true));
}

static void chap_login(struct fix *f, struct client *c, const char *user, const char *secret)
{
	chap_login_t(f, c, user, secret, false);
}

static void test_iscsid_chap_ipxe_style_t_bit(void **state)
{
	struct fix *f = *state;
	struct client *c = cl_connect(f);

	chap_login_t(f, c, "chapuser", "secret12345678", true);
	assert_int_equal(c->p.status_class, 0);
	assert_true(c->p.login_transit);
	assert_int_equal(c->p.login_nsg, 1);
	assert_true(cl_login(f, c, KEYS("HeaderDigest=None\0DataDigest=None\0InitialR2T=Yes\0MaxRecvDataSegmentLength=8192\0"
					"MaxBurstLength=262144\0DefaultTime2Wait=0\0DefaultTime2Retain=0\0"
					"MaxOutstandingR2T=1\0DataPDUInOrder=Yes\0DataSequenceInOrder=Yes\0"
					"ErrorRecoveryLevel=0\0"),
			     1, 3, true));
	assert_int_equal(c->p.status_class, 0);
	assert_true(c->p.tsih != 0);
	assert_true(has_key(&c->p, "DefaultTime2Wait", "0"));
	assert_true(has_key(&c->p, "DefaultTime2Retain", "0"));
	cl_free(f, c);
}

static void test_iscsid_chap_wrong_secret_0201(void **state)
{
	struct fix *f = *state;
	struct client *c = cl_connect(f);

	chap_login(f, c, "chapuser", "wrongsecret123");
	assert_int_equal(c->p.status_class, 2);
	assert_int_equal(c->p.status_detail, 1);
	assert_false(cl_recv(f, c));
	cl_free(f, c);

	c = cl_connect(f);
	chap_login(f, c, "otheruser", "secret12345678");
	assert_int_equal(c->p.status_class, 2);
	assert_int_equal(c->p.status_detail, 1);
	cl_free(f, c);
}

static void test_iscsid_chap_needed(void **state)
{
	struct fix *f = *state;
	struct client *c = cl_connect(f);

	/* Skipping security (or offering only None) on a CHAP target fails. */
	assert_true(cl_login(f, c, KEYS("InitiatorName=" INAME "\0TargetName=" SECURE "\0"), 1, 3, true));
	assert_int_equal(c->p.status_class, 2);
	assert_int_equal(c->p.status_detail, 1);
	cl_free(f, c);
	c = cl_connect(f);
	assert_true(cl_login(f, c, KEYS("InitiatorName=" INAME "\0TargetName=" SECURE "\0AuthMethod=None\0"), 0, 1, true));
	assert_int_equal(c->p.status_class, 2);
	assert_int_equal(c->p.status_detail, 1);
	cl_free(f, c);
}

static void test_iscsid_chap_right_secret(void **state)
{
	struct fix *f = *state;
	struct client *c = cl_connect(f);
	uint8_t cdb[16] = { 0x00 };
	uint8_t st = 0xff, buf[8];

	chap_login(f, c, "chapuser", "secret12345678");
	assert_int_equal(c->p.status_class, 0);
	assert_true(c->p.login_transit);
	assert_int_equal(c->p.login_nsg, 1);
	assert_true(cl_login(f, c, KEYS("MaxRecvDataSegmentLength=65536\0"), 1, 3, true));
	assert_int_equal(c->p.status_class, 0);
	assert_true(c->p.tsih != 0);
	cl_scsi(c, 0, cdb, 6, 0, false, false, NULL, 0);	/* TEST UNIT READY */
	assert_int_equal(cl_collect(f, c, buf, sizeof(buf), &st), 0);
	assert_int_equal(st, 0);
	cl_free(f, c);
}

static void test_iscsid_read_capacity(void **state)
{
	struct fix *f = *state;
	struct client *c = login_normal(f, DISK0);
	uint8_t cdb10[16] = { 0x25 }, cdb16[16] = { 0x9e, 0x10 }, buf[64], st = 0xff;
	uint64_t last = 0;
	uint32_t bl = 0;
	size_t n;

	cl_scsi(c, 1, cdb10, 10, 8, true, false, NULL, 0);
	n = cl_collect(f, c, buf, sizeof(buf), &st);
	assert_int_equal(st, 0);
	assert_true(scsi_read_capacity_decode((struct view){ buf, n }, false, &last, &bl));
	assert_int_equal(last, IMG_SIZE / 512 - 1);
	assert_int_equal(bl, 512);

	cdb16[13] = 32;
	cl_scsi(c, 1, cdb16, 16, 32, true, false, NULL, 0);
	n = cl_collect(f, c, buf, sizeof(buf), &st);
	assert_int_equal(st, 0);
	assert_int_equal(n, 32);
	assert_true(scsi_read_capacity_decode((struct view){ buf, n }, true, &last, &bl));
	assert_int_equal(last, IMG_SIZE / 512 - 1);
	assert_int_equal(bl, 512);
	cl_free(f, c);
}

static void test_iscsid_read_returns_image_bytes(void **state)
{
	struct fix *f = *state;
	struct client *c = login_normal(f, DISK0);	/* peer MRDSL stays 8192: many Data-In */
	static uint8_t buf[700 * 1024];
	uint8_t cdb[16] = { 0x28 }, st = 0xff;
	size_t n;

	cdb[8] = 1;	/* READ(10) LBA 0, one block */
	cl_scsi(c, 1, cdb, 10, 512, true, false, NULL, 0);
	n = cl_collect(f, c, buf, sizeof(buf), &st);
	assert_int_equal(st, 0);
	assert_int_equal(n, 512);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(buf[i], img_byte(i));

	/* READ(16) of 1200 blocks from LBA 100: more than one burst, more than OUT_HIGH */
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x88;
	cdb[9] = 100;
	cdb[12] = 1200 >> 8;
	cdb[13] = 1200 & 0xff;
	cl_scsi(c, 1, cdb, 16, 1200 * 512, true, false, NULL, 0);
	n = cl_collect(f, c, buf, sizeof(buf), &st);
	assert_int_equal(st, 0);
	assert_int_equal(n, 1200 * 512);
	for (size_t i = 0; i < n; i++)
		if (buf[i] != img_byte(100 * 512 + i))
			fail_msg("byte %zu differs", i);

	/* out of range */
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x28;
	cdb[2] = 0x10;
	cdb[8] = 1;
	cl_scsi(c, 1, cdb, 10, 512, true, false, NULL, 0);
	assert_true(cl_recv(f, c));
	assert_sense(c, 0x05, 0x21, 0x00);
	cl_free(f, c);
}

static void test_iscsid_write_ro_is_data_protect(void **state)
{
	struct fix *f = *state;
	struct client *c = login_normal(f, RO);
	uint8_t cdb[16] = { 0x2a }, data[512];

	memset(data, 0xee, sizeof(data));
	cdb[8] = 1;
	cl_scsi(c, 0, cdb, 10, 512, false, true, data, sizeof(data));
	assert_true(cl_recv(f, c));
	assert_sense(c, 0x07, 0x27, 0x00);
	cl_free(f, c);
}

static void test_iscsid_write_immediate_then_r2t(void **state)
{
	struct fix *f = *state;
	struct client *c = login_normal(f, DISK0);
	static uint8_t data[16 * 512], back[16 * 512];
	uint8_t cdb[16] = { 0x2a };
	struct iscsi_pdu p;
	uint32_t off = 4096;
	int fd;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i ^ 0x5a);
	cdb[5] = 8;	/* LBA 8 */
	cdb[8] = 16;
	cl_scsi(c, 1, cdb, 10, sizeof(data), false, true, data, 4096);	/* immediate data */
	while (off < sizeof(data)) {
		uint32_t want;

		assert_true(cl_recv(f, c));
		assert_int_equal(c->p.opcode, ISCSI_OP_R2T);
		assert_int_equal(c->p.buffer_offset, off);
		want = c->p.desired_len;
		assert_true(want > 0 && off + want <= sizeof(data));
		/* answer with Data-Out PDUs of at most 8192 (the default MRDSL) */
		for (uint32_t done = 0; done < want;) {
			uint32_t n = want - done < 8192 ? want - done : 8192;

			memset(&p, 0, sizeof(p));
			p.opcode = ISCSI_OP_DATA_OUT;
			p.final = done + n == want;
			p.lun = 1ull << 48;
			p.itt = c->itt;
			p.ttt = c->p.ttt;
			p.w28 = c->exp_stat_sn;
			p.buffer_offset = off + done;
			p.data.p = data + off + done;
			p.data.len = n;
			cl_send(c, &p);
			done += n;
		}
		off += want;
	}
	assert_true(cl_recv(f, c));
	assert_int_equal(c->p.opcode, ISCSI_OP_SCSI_RSP);
	assert_int_equal(c->p.scsi_status, 0);
	fd = open(f->disk0, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, back, sizeof(back), 8 * 512), (ssize_t)sizeof(back));
	close(fd);
	assert_memory_equal(back, data, sizeof(data));
	cl_free(f, c);
}

static void test_iscsid_crc32c_digests(void **state)
{
	struct fix *f = *state;
	struct client *c = cl_connect(f);
	static uint8_t buf[64 * 1024];
	uint8_t cdb[16] = { 0x28 }, st = 0xff;
	size_t n;

	assert_true(cl_login(f, c, KEYS("InitiatorName=" INAME "\0TargetName=" DISK0 "\0AuthMethod=None\0"), 0, 1, true));
	assert_int_equal(c->p.status_class, 0);
	/* RFC 7143 13.1: CRC32C alone in the list: CRC32C; the login itself has no digests */
	assert_true(cl_login(f, c, KEYS("HeaderDigest=CRC32C\0DataDigest=CRC32C\0MaxRecvDataSegmentLength=4096\0"), 1, 3,
			     true));
	assert_int_equal(c->p.status_class, 0);
	assert_true(has_key(&c->p, "HeaderDigest", "CRC32C"));
	assert_true(has_key(&c->p, "DataDigest", "CRC32C"));
	c->digests = true;
	cdb[8] = 64;	/* 32 KiB: eight Data-In PDUs of 4096, each with both digests */
	cl_scsi(c, 1, cdb, 10, 64 * 512, true, false, NULL, 0);
	n = cl_collect(f, c, buf, sizeof(buf), &st);
	assert_int_equal(st, 0);
	assert_int_equal(n, 64 * 512);
	for (size_t i = 0; i < n; i++)
		if (buf[i] != img_byte(i))
			fail_msg("byte %zu differs", i);
	cl_free(f, c);
}

static void test_iscsid_inquiry_and_errors(void **state)
{
	struct fix *f = *state;
	struct client *c = login_normal(f, DISK0);
	uint8_t cdb[16] = { 0x12 }, buf[512] = { 0 }, st = 0xff;
	size_t n;
	struct iscsi_pdu p;

	cdb[4] = 96;
	cl_scsi(c, 1, cdb, 6, 96, true, false, NULL, 0);
	n = cl_collect(f, c, buf, sizeof(buf), &st);
	assert_int_equal(st, 0);
	assert_true(n >= 36);
	assert_int_equal(buf[0], 0x00);
	assert_memory_equal(buf + 8, "NETBOOT ", 8);

	/* LUN 5 does not exist: qualifier 3 for INQUIRY, 0x25 for the rest */
	cl_scsi(c, 5, cdb, 6, 96, true, false, NULL, 0);
	n = cl_collect(f, c, buf, sizeof(buf), &st);
	assert_int_equal(st, 0);
	assert_true(n >= 36);
	assert_int_equal(buf[0], 0x7f);
	memset(cdb, 0, sizeof(cdb));
	cl_scsi(c, 5, cdb, 6, 0, false, false, NULL, 0);
	assert_true(cl_recv(f, c));
	assert_sense(c, 0x05, 0x25, 0x00);

	/* VPD 0x83 and 0x80 */
	cdb[0] = 0x12;
	cdb[1] = 1;
	cdb[2] = 0x83;
	cdb[4] = 255;
	cl_scsi(c, 1, cdb, 6, 255, true, false, NULL, 0);
	n = cl_collect(f, c, buf, sizeof(buf), &st);
	assert_int_equal(st, 0);
	assert_int_equal(buf[1], 0x83);
	assert_true(n > 4 + 12);
	assert_int_equal(buf[5] & 0x0f, 3);	/* NAA designator first */

	/* unknown opcode */
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0xc7;
	cl_scsi(c, 1, cdb, 16, 0, false, false, NULL, 0);
	assert_true(cl_recv(f, c));
	assert_sense(c, 0x05, 0x20, 0x00);

	/* REPORT LUNS */
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0xa0;
	cdb[9] = 64;
	cl_scsi(c, 0, cdb, 12, 64, true, false, NULL, 0);
	n = cl_collect(f, c, buf, sizeof(buf), &st);
	assert_int_equal(n, 16);
	assert_int_equal(buf[3], 8);
	assert_int_equal(buf[9], 1);

	/* MODE SENSE(6) on the rw LUN: no WP */
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x1a;
	cdb[2] = 0x3f;
	cdb[4] = 192;
	cl_scsi(c, 1, cdb, 6, 192, true, false, NULL, 0);
	n = cl_collect(f, c, buf, sizeof(buf), &st);
	assert_int_equal(st, 0);
	assert_int_equal(buf[0] + 1, n);
	assert_int_equal(buf[2] & 0x80, 0);

	/* NOP-Out ping */
	memset(&p, 0, sizeof(p));
	p.opcode = ISCSI_OP_NOP_OUT;
	p.immediate = true;
	p.final = true;
	p.itt = 0x4242;
	p.ttt = NO_TAG;
	p.cmd_sn = c->cmd_sn;
	p.data.p = (const uint8_t *)"ping";
	p.data.len = 4;
	cl_send(c, &p);
	assert_true(cl_recv(f, c));
	assert_int_equal(c->p.opcode, ISCSI_OP_NOP_IN);
	assert_int_equal(c->p.itt, 0x4242);
	assert_int_equal(c->p.data.len, 4);

	/* Logout */
	memset(&p, 0, sizeof(p));
	p.opcode = ISCSI_OP_LOGOUT_REQ;
	p.immediate = true;
	p.flags = 0x80;
	p.itt = 0x99;
	p.cmd_sn = c->cmd_sn;
	cl_send(c, &p);
	assert_true(cl_recv(f, c));
	assert_int_equal(c->p.opcode, ISCSI_OP_LOGOUT_RSP);
	assert_int_equal(c->p.response, 0);
	assert_false(cl_recv(f, c));
	cl_free(f, c);
}

static void test_iscsid_mode_sense_ro_sets_wp(void **state)
{
	struct fix *f = *state;
	struct client *c = login_normal(f, RO);
	uint8_t cdb[16] = { 0x5a }, buf[256] = { 0 }, st = 0xff;
	size_t n;

	cdb[2] = 0x3f;
	cdb[8] = 255;
	cl_scsi(c, 0, cdb, 10, 255, true, false, NULL, 0);
	n = cl_collect(f, c, buf, sizeof(buf), &st);
	assert_int_equal(st, 0);
	assert_true(n >= 8);
	assert_int_equal(buf[3] & 0x80, 0x80);
	cl_free(f, c);
}

static void test_iscsid_discovery_sendtargets(void **state)
{
	struct fix *f = *state;
	struct client *c = cl_connect(f);
	struct iscsi_pdu p;
	char addr[64], want[64];

	assert_true(cl_login(f, c, KEYS("InitiatorName=" INAME "\0SessionType=Discovery\0AuthMethod=None\0"), 0, 1, true));
	assert_int_equal(c->p.status_class, 0);
	assert_true(cl_login(f, c, KEYS("MaxRecvDataSegmentLength=32768\0"), 1, 3, true));
	assert_int_equal(c->p.status_class, 0);
	memset(&p, 0, sizeof(p));
	p.opcode = ISCSI_OP_TEXT_REQ;
	p.immediate = true;
	p.final = true;
	p.itt = 7;
	p.ttt = NO_TAG;
	p.cmd_sn = c->cmd_sn;
	p.data.p = (const uint8_t *)"SendTargets=All";
	p.data.len = sizeof("SendTargets=All");
	cl_send(c, &p);
	assert_true(cl_recv(f, c));
	assert_int_equal(c->p.opcode, ISCSI_OP_TEXT_RSP);
	assert_true(has_key(&c->p, "TargetName", DISK0));
	assert_true(get_key(&c->p, "TargetAddress", addr, sizeof(addr)));
	snprintf(want, sizeof(want), "127.0.0.1:%u,1", f->port);
	assert_string_equal(addr, want);
	assert_true(has_value(&c->p, "TargetName", SECURE));
	cl_free(f, c);
}

static void test_iscsid_bad_length_then_new_connection(void **state)
{
	struct fix *f = *state;
	struct client *c = login_normal(f, DISK0);
	uint8_t bhs[48];

	memset(bhs, 0, sizeof(bhs));
	bhs[0] = ISCSI_OP_SCSI_CMD;
	bhs[1] = 0x80;
	bhs[5] = bhs[6] = bhs[7] = 0xff;	/* DataSegmentLength 0xffffff */
	cl_send_raw(c, bhs, sizeof(bhs));
	if (cl_recv(f, c))
		assert_int_equal(c->p.opcode, ISCSI_OP_REJECT);
	assert_false(cl_recv(f, c));	/* then closed */
	cl_free(f, c);

	/* garbage during login: closed, no crash */
	c = cl_connect(f);
	memset(bhs, 0xa5, sizeof(bhs));
	cl_send_raw(c, bhs, sizeof(bhs));
	assert_false(cl_recv(f, c));
	cl_free(f, c);

	c = login_normal(f, DISK0);
	cl_free(f, c);
}

static void test_iscsid_dropped_connections_are_freed(void **state)
{
	struct fix *f = *state;

	/* max_conns is 4: ten logins dropped without logout must not use up the slots */
	for (int i = 0; i < 10; i++) {
		struct client *c = login_normal(f, DISK0);

		cl_free(f, c);
	}
}

static void test_iscsid_drop_mid_read_and_mid_write(void **state)
{
	struct fix *f = *state;
	struct client *c = login_normal(f, DISK0);
	uint8_t cdb[16] = { 0x28 };

	/* a 1 MiB READ the client never reads: the server is left with a paused stream */
	cdb[7] = 2048 >> 8;
	cl_scsi(c, 1, cdb, 10, 2048 * 512, true, false, NULL, 0);
	run_loop(f, 0.05);
	cl_free(f, c);

	/* a WRITE waiting for Data-Out after its R2T */
	c = login_normal(f, DISK0);
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x2a;
	cdb[8] = 64;
	cl_scsi(c, 1, cdb, 10, 64 * 512, false, true, NULL, 0);
	assert_true(cl_recv(f, c));
	assert_int_equal(c->p.opcode, ISCSI_OP_R2T);
	cl_free(f, c);

	c = login_normal(f, DISK0);	/* still serving */
	cl_free(f, c);
}

static void test_iscsid_max_conns_refuses_the_next(void **state)
{
	struct fix *f = *state;
	struct client *c[5];

	for (int i = 0; i < 4; i++)
		c[i] = login_normal(f, DISK0);
	c[4] = cl_connect(f);	/* the fifth: accepted by TCP, closed by the server */
	assert_false(cl_recv(f, c[4]));
	assert_true(c[4]->closed);
	for (int i = 0; i < 5; i++)
		cl_free(f, c[i]);
	c[0] = login_normal(f, DISK0);	/* slots come back */
	cl_free(f, c[0]);
}

static void test_iscsid_login_text_continued(void **state)
{
	struct fix *f = *state;
	struct client *c = cl_connect(f);
	struct iscsi_pdu p;
	static const char part1[] = "InitiatorName=" INAME "\0TargetNa";
	static const char part2[] = "me=" DISK0 "\0AuthMethod=None\0";

	/* RFC 7143 11.12.1: C bit set, a key cut in the middle; the target acks with an
	 * empty response and answers once the text is complete. */
	memset(&p, 0, sizeof(p));
	p.opcode = ISCSI_OP_LOGIN_REQ;
	p.immediate = true;
	p.login_continue = true;
	p.isid[0] = 0x80;
	p.itt = 1;
	p.data.p = (const uint8_t *)part1;
	p.data.len = sizeof(part1) - 1;
	cl_send(c, &p);
	assert_true(cl_recv(f, c));
	assert_int_equal(c->p.opcode, ISCSI_OP_LOGIN_RSP);
	assert_int_equal(c->p.status_class, 0);
	assert_int_equal(c->p.data.len, 0);
	assert_true(cl_login(f, c, part2, sizeof(part2) - 1, 0, 3, true));
	assert_int_equal(c->p.status_class, 0);
	assert_true(c->p.tsih != 0);
	cl_free(f, c);
}

static void test_iscsid_missing_image_is_an_error(void **state)
{
	struct srv_loop *l = srv_loop_new();
	struct iscsid_target t;
	struct iscsid_conf c;
	char err[256] = "";

	(void)state;
	memset(&t, 0, sizeof(t));
	t.name = DISK0;
	t.luns[0] = (struct iscsid_lun){ 0, "/nonexistent/disk.img", false };
	t.nluns = 1;
	memset(&c, 0, sizeof(c));
	c.listen_ip = 0x7f000001;
	c.targets = &t;
	c.ntargets = 1;
	assert_null(iscsid_new(l, &c, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/disk.img"));
	assert_null(strchr(err, '\n'));
	srv_loop_free(l);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_iscsid_login_two_stages),
		T(test_iscsid_login_wrong_target_0203),
		T(test_iscsid_chap_wrong_secret_0201),
		T(test_iscsid_chap_needed),
		T(test_iscsid_chap_right_secret),
		T(test_iscsid_chap_ipxe_style_t_bit),
		T(test_iscsid_read_capacity),
		T(test_iscsid_read_returns_image_bytes),
		T(test_iscsid_write_ro_is_data_protect),
		T(test_iscsid_write_immediate_then_r2t),
		T(test_iscsid_crc32c_digests),
		T(test_iscsid_inquiry_and_errors),
		T(test_iscsid_mode_sense_ro_sets_wp),
		T(test_iscsid_discovery_sendtargets),
		T(test_iscsid_bad_length_then_new_connection),
		T(test_iscsid_dropped_connections_are_freed),
		T(test_iscsid_drop_mid_read_and_mid_write),
		T(test_iscsid_max_conns_refuses_the_next),
		T(test_iscsid_login_text_continued),
		cmocka_unit_test(test_iscsid_missing_image_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
