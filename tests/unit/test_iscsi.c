/* test_iscsi.c: iSCSI PDU framing, digests, login text and SCSI helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/iscsi.h"

static const char login_text[] = "InitiatorName=iqn.x\0AuthMethod=CHAP,None\0";
#define LOGIN_TEXT_LEN (sizeof(login_text) - 1)	/* both NULs, not the literal's own */

static struct view sv(const char *s)
{
	return (struct view){ (const uint8_t *)s, strlen(s) };
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A bare BHS with the given opcode and DataSegmentLength. */
static void bhs(uint8_t *p, uint8_t op, uint32_t data_len)
{
	memset(p, 0, ISCSI_BHS_LEN);
	p[0] = op;
	p[5] = (uint8_t)(data_len >> 16);
	p[6] = (uint8_t)(data_len >> 8);
	p[7] = (uint8_t)data_len;
}

static void test_iscsi_crc32c_vectors(void **state)
{
	uint8_t zeros[32] = { 0 };
	uint8_t ones[32];

	(void)state;
	memset(ones, 0xff, sizeof(ones));
	assert_int_equal(iscsi_crc32c((const uint8_t *)"123456789", 9), 0xE3069283u);
	/* RFC 7143 Appendix B: 32 zero bytes give aa 36 91 8a on the wire. */
	assert_int_equal(iscsi_crc32c(zeros, sizeof(zeros)), 0x8a9136aau);
	assert_int_equal(iscsi_crc32c(ones, sizeof(ones)), 0x62a8ab43u);
	assert_int_equal(iscsi_crc32c(NULL, 0), 0);
}

static size_t make_login(uint8_t *buf, size_t cap, bool hd, bool dd)
{
	struct iscsi_pdu p;
	static const uint8_t isid[6] = { 0x80, 0x12, 0x34, 0x56, 0x00, 0x01 };

	memset(&p, 0, sizeof(p));
	p.opcode = ISCSI_OP_LOGIN_REQ;
	p.immediate = true;
	p.login_transit = true;
	p.login_csg = ISCSI_STAGE_SECURITY;
	p.login_nsg = ISCSI_STAGE_OPERATIONAL;
	memcpy(p.isid, isid, sizeof(isid));
	p.tsih = 0;
	p.itt = 0x11223344;
	p.cmd_sn = 7;
	p.data = (struct view){ (const uint8_t *)login_text, LOGIN_TEXT_LEN };
	return iscsi_pdu_encode(buf, cap, &p, hd, dd);
}

static void test_iscsi_login_round_trip(void **state)
{
	uint8_t buf[256];
	size_t n, pos = 0;
	struct iscsi_pdu d;
	struct view k, v;

	(void)state;
	n = make_login(buf, sizeof(buf), false, false);
	/* 41 data bytes pad to 44. */
	assert_int_equal(n, ISCSI_BHS_LEN + 44);
	assert_int_equal(buf[0], 0x43);
	assert_int_equal(buf[1], 0x81);
	assert_true(iscsi_pdu_decode(buf, n, false, false, &d));
	assert_int_equal(d.opcode, ISCSI_OP_LOGIN_REQ);
	assert_true(d.immediate);
	assert_true(d.login_transit);
	assert_false(d.login_continue);
	assert_int_equal(d.login_csg, 0);
	assert_int_equal(d.login_nsg, 1);
	assert_int_equal(d.isid[0], 0x80);
	assert_int_equal(d.isid[5], 0x01);
	assert_int_equal(d.itt, 0x11223344u);
	assert_int_equal(d.cmd_sn, 7);
	assert_int_equal(d.data_len, LOGIN_TEXT_LEN);
	assert_int_equal(d.data.len, LOGIN_TEXT_LEN);
	assert_int_equal(d.total_len, n);
	assert_true(d.hdigest_ok && d.ddigest_ok);
	assert_string_equal(iscsi_opcode_name(d.opcode), "Login Request");

	assert_true(iscsi_text_next(d.data, &pos, &k, &v));
	assert_true(view_eq_str(k, "InitiatorName"));
	assert_true(view_eq_str(v, "iqn.x"));
	assert_true(iscsi_text_next(d.data, &pos, &k, &v));
	assert_true(view_eq_str(k, "AuthMethod"));
	assert_true(view_eq_str(v, "CHAP,None"));
	assert_false(iscsi_text_next(d.data, &pos, &k, &v));
	assert_false(iscsi_text_next(d.data, &pos, &k, &v));
}

static void test_iscsi_reencode_is_identical(void **state)
{
	uint8_t a[256], b[256];
	size_t n, m;
	struct iscsi_pdu d;

	(void)state;
	n = make_login(a, sizeof(a), true, true);
	assert_true(iscsi_pdu_decode(a, n, true, true, &d));
	m = iscsi_pdu_encode(b, sizeof(b), &d, true, true);
	assert_int_equal(m, n);
	assert_memory_equal(a, b, n);
	/* Too small a buffer writes nothing. */
	assert_int_equal(iscsi_pdu_encode(b, n - 1, &d, true, true), 0);
}

static void test_iscsi_text_odd_items(void **state)
{
	static const char t[] = "A=1\0\0NoEquals\0Empty=\0Last=x";
	struct view data = { (const uint8_t *)t, sizeof(t) - 1 };
	size_t pos = 0;
	struct view k, v;

	(void)state;
	assert_true(iscsi_text_next(data, &pos, &k, &v));
	assert_true(view_eq_str(k, "A") && view_eq_str(v, "1"));
	assert_true(iscsi_text_next(data, &pos, &k, &v));
	assert_true(view_eq_str(k, "NoEquals"));
	assert_null(v.p);
	assert_int_equal(v.len, 0);
	assert_true(iscsi_text_next(data, &pos, &k, &v));
	assert_true(view_eq_str(k, "Empty"));
	assert_non_null(v.p);
	assert_int_equal(v.len, 0);
	assert_true(iscsi_text_next(data, &pos, &k, &v));
	assert_true(view_eq_str(k, "Last") && view_eq_str(v, "x"));
	assert_false(iscsi_text_next(data, &pos, &k, &v));
	pos = 0;
	assert_false(iscsi_text_next((struct view){ NULL, 0 }, &pos, &k, &v));
}

static void test_iscsi_pdu_len_states(void **state)
{
	uint8_t b[64];
	size_t total = 0;

	(void)state;
	bhs(b, ISCSI_OP_TEXT_RSP, 100);
	assert_int_equal(iscsi_pdu_len(b, 47, false, false, 8192, &total), 0);
	assert_int_equal(iscsi_pdu_len(NULL, 0, false, false, 8192, &total), 0);
	assert_int_equal(iscsi_pdu_len(b, sizeof(b), false, false, 8192, &total), 1);
	assert_int_equal(total, 148);
	assert_true(total > sizeof(b));
	/* Not decodable until complete. */
	{
		struct iscsi_pdu d;

		assert_false(iscsi_pdu_decode(b, sizeof(b), false, false, &d));
	}
	/* Above max_data. */
	assert_int_equal(iscsi_pdu_len(b, sizeof(b), false, false, 99, &total), -1);
	/* Unknown opcode. */
	bhs(b, 0x3e, 0);
	assert_int_equal(iscsi_pdu_len(b, sizeof(b), false, false, 8192, &total), -1);
	/* Reserved bit 0x80 of byte 0, and I bit on a target PDU. */
	bhs(b, 0x80 | ISCSI_OP_NOP_OUT, 0);
	assert_int_equal(iscsi_pdu_len(b, sizeof(b), false, false, 8192, &total), -1);
	bhs(b, 0x40 | ISCSI_OP_NOP_IN, 0);
	assert_int_equal(iscsi_pdu_len(b, sizeof(b), false, false, 8192, &total), -1);
	bhs(b, 0x40 | ISCSI_OP_NOP_OUT, 0);
	assert_int_equal(iscsi_pdu_len(b, sizeof(b), false, false, 8192, &total), 1);
	assert_int_equal(total, 48);
	/* AHS only on SCSI commands, and not absurdly long. */
	bhs(b, ISCSI_OP_LOGIN_REQ, 0);
	b[4] = 1;
	assert_int_equal(iscsi_pdu_len(b, sizeof(b), false, false, 8192, &total), -1);
	bhs(b, ISCSI_OP_SCSI_CMD, 0);
	b[4] = 200;
	assert_int_equal(iscsi_pdu_len(b, sizeof(b), false, false, 8192, &total), -1);
	b[4] = 2;
	assert_int_equal(iscsi_pdu_len(b, sizeof(b), false, false, 8192, &total), 1);
	assert_int_equal(total, 56);
}

static void test_iscsi_padding(void **state)
{
	uint8_t buf[128];
	struct iscsi_pdu p, d;
	size_t n, total = 0;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.opcode = ISCSI_OP_TEXT_REQ;
	p.final = true;
	p.data = sv("ab=cd");
	memset(buf, 0xee, sizeof(buf));
	n = iscsi_pdu_encode(buf, sizeof(buf), &p, false, false);
	assert_int_equal(n, 48 + 8);
	assert_int_equal(buf[48 + 5], 0);
	assert_int_equal(buf[48 + 7], 0);
	assert_int_equal(buf[48 + 8], 0xee);
	assert_int_equal(iscsi_pdu_len(buf, n, false, false, 8192, &total), 1);
	assert_int_equal(total, 48 + 8);
	assert_true(iscsi_pdu_decode(buf, n, false, false, &d));
	assert_int_equal(d.data.len, 5);
	assert_true(d.final);
	assert_memory_equal(d.data.p, "ab=cd", 5);
}

static void test_iscsi_digests(void **state)
{
	uint8_t buf[256];
	struct iscsi_pdu d;
	size_t n, total = 0;

	(void)state;
	n = make_login(buf, sizeof(buf), true, true);
	assert_int_equal(n, 48 + 4 + 44 + 4);
	assert_int_equal(iscsi_pdu_len(buf, n, true, true, 8192, &total), 1);
	assert_int_equal(total, n);
	/* The header digest is the CRC of the BHS, least significant byte first. */
	{
		uint32_t crc = iscsi_crc32c(buf, 48);

		assert_int_equal(buf[48], crc & 0xff);
		assert_int_equal(buf[51], crc >> 24);
	}
	assert_true(iscsi_pdu_decode(buf, n, true, true, &d));
	assert_true(d.hdigest_ok);
	assert_true(d.ddigest_ok);
	assert_int_equal(d.data.len, LOGIN_TEXT_LEN);
	assert_memory_equal(d.data.p, login_text, LOGIN_TEXT_LEN);

	buf[48 + 4 + 3] ^= 0x01;	/* a data byte */
	assert_true(iscsi_pdu_decode(buf, n, true, true, &d));
	assert_true(d.hdigest_ok);
	assert_false(d.ddigest_ok);
	buf[48 + 4 + 3] ^= 0x01;
	buf[20] ^= 0x80;		/* a header byte */
	assert_true(iscsi_pdu_decode(buf, n, true, true, &d));
	assert_false(d.hdigest_ok);
	assert_true(d.ddigest_ok);
}

static void test_iscsi_digest_absent_without_data(void **state)
{
	uint8_t buf[128];
	struct iscsi_pdu p, d;
	size_t n;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.opcode = ISCSI_OP_NOP_OUT;
	p.final = true;
	p.itt = 0xffffffffu;
	n = iscsi_pdu_encode(buf, sizeof(buf), &p, true, true);
	assert_int_equal(n, 48 + 4);
	assert_true(iscsi_pdu_decode(buf, n, true, true, &d));
	assert_true(d.hdigest_ok && d.ddigest_ok);
	assert_int_equal(d.total_len, 52);
	/* Decoded with the wrong digest setting it is one PDU too short. */
	assert_false(iscsi_pdu_decode(buf, 48 + 3, true, true, &d));
}

static void test_iscsi_login_response_status(void **state)
{
	uint8_t b[48];
	struct iscsi_pdu d;

	(void)state;
	bhs(b, ISCSI_OP_LOGIN_RSP, 0);
	b[36] = 2;
	b[37] = 1;
	assert_true(iscsi_pdu_decode(b, sizeof(b), false, false, &d));
	assert_int_equal(d.status_class, 2);
	assert_int_equal(d.status_detail, 1);
	assert_string_equal(iscsi_login_status_str(d.status_class, d.status_detail),
			    "Authentication failure");
	assert_string_equal(iscsi_login_status_str(0, 0), "Success");
	assert_string_equal(iscsi_login_status_str(2, 3), "Target not found");
	assert_string_equal(iscsi_login_status_str(2, 4), "Target removed");
	assert_string_equal(iscsi_login_status_str(2, 2), "Authorization failure");
	assert_string_equal(iscsi_login_status_str(1, 1), "Target moved temporarily");
	assert_string_equal(iscsi_login_status_str(3, 1), "Service unavailable");
	assert_string_equal(iscsi_login_status_str(3, 2), "Out of resources");
	assert_string_equal(iscsi_login_status_str(2, 0x0b), "Invalid during login");
	assert_string_equal(iscsi_login_status_str(9, 0), "Unknown status");
	assert_string_equal(iscsi_opcode_name(0x3e), "Unknown");
}

static void test_iscsi_scsi_read10_command(void **state)
{
	uint8_t buf[64];
	struct iscsi_pdu p, d;
	struct scsi_cdb_info ci;
	size_t n;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.opcode = ISCSI_OP_SCSI_CMD;
	p.final = true;
	p.scsi_read = true;
	p.edtl = 512;
	p.lun = (uint64_t)1 << 48;
	p.cdb[0] = 0x28;
	p.cdb[8] = 1;
	n = iscsi_pdu_encode(buf, sizeof(buf), &p, false, false);
	assert_int_equal(n, 48);
	assert_true(iscsi_pdu_decode(buf, n, false, false, &d));
	assert_true(d.final && d.scsi_read && !d.scsi_write);
	assert_int_equal(d.edtl, 512);
	assert_int_equal(d.lun, (uint64_t)1 << 48);
	scsi_cdb_decode(d.cdb, &ci);
	assert_int_equal(ci.op, 0x28);
	assert_true(ci.is_read);
	assert_false(ci.is_write);
	assert_int_equal(ci.lba, 0);
	assert_int_equal(ci.blocks, 1);
	assert_string_equal(scsi_opcode_name(ci.op), "READ(10)");
}

static void test_iscsi_cdb_variants(void **state)
{
	uint8_t cdb[16];
	struct scsi_cdb_info ci;

	(void)state;
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x88;	/* READ(16), LBA 0x123456789a, 8 blocks */
	cdb[5] = 0x12;
	cdb[6] = 0x34;
	cdb[7] = 0x56;
	cdb[8] = 0x78;
	cdb[9] = 0x9a;
	cdb[13] = 8;
	scsi_cdb_decode(cdb, &ci);
	assert_true(ci.is_read);
	assert_int_equal(ci.lba, 0x123456789aull);
	assert_int_equal(ci.blocks, 8);

	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x0a;	/* WRITE(6), length 0 means 256 */
	cdb[1] = 0xe1;	/* top bits are not LBA */
	cdb[3] = 2;
	scsi_cdb_decode(cdb, &ci);
	assert_true(ci.is_write && !ci.is_read);
	assert_int_equal(ci.lba, 0x10002);
	assert_int_equal(ci.blocks, 256);

	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0xaa;	/* WRITE(12) */
	put_be32(cdb + 2, 0xfffffffeu);
	put_be32(cdb + 6, 0x10000);
	scsi_cdb_decode(cdb, &ci);
	assert_true(ci.is_write);
	assert_int_equal(ci.lba, 0xfffffffeu);
	assert_int_equal(ci.blocks, 0x10000);

	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x25;
	scsi_cdb_decode(cdb, &ci);
	assert_true(ci.read_capacity);
	assert_false(ci.is_read || ci.is_write);
	cdb[0] = 0x9e;
	cdb[1] = 0x10;
	scsi_cdb_decode(cdb, &ci);
	assert_true(ci.read_capacity);
	cdb[1] = 0x11;
	scsi_cdb_decode(cdb, &ci);
	assert_false(ci.read_capacity);
	cdb[0] = 0x12;
	scsi_cdb_decode(cdb, &ci);
	assert_false(ci.read_capacity || ci.is_read || ci.is_write);
	assert_string_equal(scsi_opcode_name(0x12), "INQUIRY");
	assert_string_equal(scsi_opcode_name(0x25), "READ CAPACITY(10)");
	assert_string_equal(scsi_opcode_name(0x00), "TEST UNIT READY");
}

static void test_iscsi_read_capacity_data(void **state)
{
	uint8_t d10[8], d16[32];
	uint64_t last = 0;
	uint32_t blen = 0;

	(void)state;
	put_be32(d10, 0x003fffffu);
	put_be32(d10 + 4, 512);
	assert_true(scsi_read_capacity_decode((struct view){ d10, 8 }, false, &last, &blen));
	assert_int_equal(last, 0x3fffff);
	assert_int_equal(blen, 512);
	assert_false(scsi_read_capacity_decode((struct view){ d10, 7 }, false, &last, &blen));
	assert_int_equal(blen, 0);

	memset(d16, 0, sizeof(d16));
	put_be32(d16, 0x1);
	put_be32(d16 + 4, 0x2);
	put_be32(d16 + 8, 4096);
	assert_true(scsi_read_capacity_decode((struct view){ d16, 32 }, true, &last, &blen));
	assert_int_equal(last, 0x100000002ull);
	assert_int_equal(blen, 4096);
	assert_false(scsi_read_capacity_decode((struct view){ d16, 11 }, true, &last, &blen));
	assert_false(scsi_read_capacity_decode((struct view){ NULL, 0 }, true, &last, &blen));
}

static void test_iscsi_scsi_response_and_sense(void **state)
{
	/* SenseLength 18, fixed-format sense: UNIT ATTENTION, 29/00 power on/reset. */
	uint8_t seg[20] = { 0, 18, 0x70, 0, 0x06, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x29, 0x00 };
	uint8_t buf[128];
	struct iscsi_pdu p, d;
	struct scsi_sense s;
	size_t n;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.opcode = ISCSI_OP_SCSI_RSP;
	p.flags = 0x80;
	p.scsi_status = 0x02;
	p.underflow = true;
	p.residual = 512;
	p.stat_sn = 9;
	p.data = (struct view){ seg, sizeof(seg) };
	n = iscsi_pdu_encode(buf, sizeof(buf), &p, false, false);
	assert_int_equal(n, 48 + 20);
	assert_true(iscsi_pdu_decode(buf, n, false, false, &d));
	assert_true(d.has_status);
	assert_int_equal(d.scsi_status, 2);
	assert_true(d.underflow && !d.overflow);
	assert_int_equal(d.residual, 512);
	assert_int_equal(d.stat_sn, 9);
	assert_string_equal(scsi_status_name(d.scsi_status), "CHECK CONDITION");
	assert_true(scsi_sense_decode(d.data, &s));
	assert_true(s.valid);
	assert_int_equal(s.key, 6);
	assert_int_equal(s.asc, 0x29);
	assert_int_equal(s.ascq, 0);
	assert_string_equal(scsi_sense_key_name(s.key), "UNIT ATTENTION");
}

static void test_iscsi_descriptor_sense(void **state)
{
	uint8_t seg[10] = { 0, 8, 0x72, 0x06, 0x29, 0x02, 0, 0, 0, 0 };
	struct scsi_sense s;

	(void)state;
	assert_true(scsi_sense_decode((struct view){ seg, sizeof(seg) }, &s));
	assert_true(s.valid);
	assert_int_equal(s.key, 6);
	assert_int_equal(s.asc, 0x29);
	assert_int_equal(s.ascq, 0x02);
	assert_string_equal(scsi_sense_key_name(5), "ILLEGAL REQUEST");
	assert_string_equal(scsi_sense_key_name(2), "NOT READY");
	assert_string_equal(scsi_sense_key_name(3), "MEDIUM ERROR");
	assert_string_equal(scsi_sense_key_name(0), "NO SENSE");
}

static void test_iscsi_truncated_sense_is_safe(void **state)
{
	uint8_t seg[8] = { 0, 18, 0x70, 0, 0x06, 0, 0, 0 };
	uint8_t desc[4] = { 0, 2, 0x72, 0x06 };
	uint8_t short_fixed[7] = { 0, 5, 0xf0, 0, 0x05, 0, 0 };
	struct scsi_sense s;

	(void)state;
	/* SenseLength claims more than the segment holds. */
	for (size_t len = 0; len <= sizeof(seg); len++) {
		assert_false(scsi_sense_decode((struct view){ seg, len }, &s));
		assert_false(s.valid);
	}
	assert_false(scsi_sense_decode((struct view){ NULL, 0 }, &s));
	assert_false(scsi_sense_decode((struct view){ desc, sizeof(desc) }, &s));
	assert_false(s.valid);
	/* Fixed format with the key but without ASC/ASCQ (0xf0: valid bit set). */
	assert_true(scsi_sense_decode((struct view){ short_fixed, sizeof(short_fixed) }, &s));
	assert_int_equal(s.key, 5);
	assert_int_equal(s.asc, 0);
	/* Unknown response code. */
	seg[1] = 6;
	seg[2] = 0x7f;
	assert_false(scsi_sense_decode((struct view){ seg, sizeof(seg) }, &s));
}

static void test_iscsi_secret_keys(void **state)
{
	(void)state;
	assert_true(iscsi_key_is_secret(sv("CHAP_R")));
	assert_true(iscsi_key_is_secret(sv("CHAP_C")));
	assert_true(iscsi_key_is_secret(sv("CHAP_N")));
	assert_false(iscsi_key_is_secret(sv("CHAP_A")));
	assert_false(iscsi_key_is_secret(sv("CHAP_I")));
	assert_false(iscsi_key_is_secret(sv("CHAP_RX")));
	assert_false(iscsi_key_is_secret(sv("chap_r")));
	assert_false(iscsi_key_is_secret(sv("InitiatorName")));
	assert_false(iscsi_key_is_secret((struct view){ NULL, 0 }));
}

static void test_iscsi_data_in_and_r2t(void **state)
{
	uint8_t buf[128];
	uint8_t payload[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	struct iscsi_pdu p, d;
	size_t n;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.opcode = ISCSI_OP_DATA_IN;
	p.final = true;
	p.has_status = true;
	p.buffer_offset = 4096;
	p.ttt = 0xffffffffu;
	p.data = (struct view){ payload, sizeof(payload) };
	n = iscsi_pdu_encode(buf, sizeof(buf), &p, false, true);
	assert_int_equal(n, 48 + 12 + 4);
	assert_int_equal(buf[1], 0x81);
	assert_true(iscsi_pdu_decode(buf, n, false, true, &d));
	assert_true(d.ddigest_ok && d.has_status && d.final);
	assert_int_equal(d.scsi_status, 0);
	assert_int_equal(d.buffer_offset, 4096);
	assert_memory_equal(d.data.p, payload, sizeof(payload));

	buf[1] = 0x80;	/* without S the status byte is not status */
	buf[3] = 0x02;
	assert_true(iscsi_pdu_decode(buf, n, false, true, &d));
	assert_false(d.has_status);
	assert_int_equal(d.scsi_status, 0);

	memset(&p, 0, sizeof(p));
	p.opcode = ISCSI_OP_R2T;
	p.flags = 0x80;
	p.buffer_offset = 65536;
	p.desired_len = 8192;
	n = iscsi_pdu_encode(buf, sizeof(buf), &p, false, false);
	assert_true(iscsi_pdu_decode(buf, n, false, false, &d));
	assert_int_equal(d.buffer_offset, 65536);
	assert_int_equal(d.desired_len, 8192);
	assert_string_equal(iscsi_opcode_name(d.opcode), "Ready To Transfer");
}

static void test_iscsi_reject_logout_async(void **state)
{
	uint8_t b[48];
	struct iscsi_pdu d;

	(void)state;
	bhs(b, ISCSI_OP_REJECT, 0);
	b[2] = 0x09;
	assert_true(iscsi_pdu_decode(b, sizeof(b), false, false, &d));
	assert_int_equal(d.reject_reason, 9);
	assert_string_equal(iscsi_reject_reason_str(d.reject_reason), "Invalid PDU field");
	bhs(b, ISCSI_OP_LOGOUT_REQ, 0);
	b[1] = 0x81;
	assert_true(iscsi_pdu_decode(b, sizeof(b), false, false, &d));
	assert_int_equal(d.logout_reason, 1);
	assert_string_equal(iscsi_logout_reason_str(d.logout_reason), "close the connection");
	bhs(b, ISCSI_OP_ASYNC, 0);
	b[36] = 1;
	assert_true(iscsi_pdu_decode(b, sizeof(b), false, false, &d));
	assert_int_equal(d.async_event, 1);
	assert_false(d.final);
}

static void test_iscsi_ahs_walk(void **state)
{
	/* Extended CDB AHS: AHSLength 17 (reserved byte + 16 CDB bytes), padded to 20. */
	uint8_t ahs[20] = { 0, 17, 1, 0 };
	uint8_t buf[128];
	struct iscsi_pdu p, d;
	size_t n, pos = 0;
	uint8_t type;
	struct view body;
	bool bad;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.opcode = ISCSI_OP_SCSI_CMD;
	p.ahs = (struct view){ ahs, sizeof(ahs) };
	n = iscsi_pdu_encode(buf, sizeof(buf), &p, true, false);
	assert_int_equal(n, 48 + 20 + 4);
	assert_true(iscsi_pdu_decode(buf, n, true, false, &d));
	assert_true(d.hdigest_ok);
	assert_int_equal(d.ahs_words, 5);
	assert_true(iscsi_ahs_next(d.ahs, &pos, &type, &body, &bad));
	assert_int_equal(type, 1);
	assert_int_equal(body.len, 17);
	assert_false(iscsi_ahs_next(d.ahs, &pos, &type, &body, &bad));
	assert_false(bad);

	/* An AHSLength running past the AHS makes the PDU malformed. */
	buf[49] = 40;
	assert_false(iscsi_pdu_decode(buf, n, true, false, &d));
	assert_false(iscsi_pdu_decode(buf, n - 4, false, false, &d));
	pos = 0;
	assert_false(iscsi_ahs_next((struct view){ NULL, 0 }, &pos, &type, &body, &bad));
	assert_false(bad);
	/* ahs not a multiple of 4 cannot be encoded. */
	p.ahs.len = 6;
	assert_int_equal(iscsi_pdu_encode(buf, sizeof(buf), &p, false, false), 0);
}

static void test_iscsi_garbage_is_bounded(void **state)
{
	uint8_t junk[600];
	struct iscsi_pdu d;
	size_t total, decoded = 0;

	(void)state;
	for (unsigned seed = 0; seed < 300; seed++) {
		for (size_t i = 0; i < sizeof(junk); i++)
			junk[i] = (uint8_t)((i * 131 + seed * 7 + (i >> 3) * seed) & 0xff);
		junk[0] &= 0x3f;
		junk[5] = 0;
		junk[6] &= 0x01;
		if (seed & 4)
			junk[4] = 0;	/* no AHS: more opcodes frame */
		for (size_t len = 0; len <= sizeof(junk); len += 37) {
			int r = iscsi_pdu_len(junk, len, seed & 1, seed & 2, 8192, &total);

			if (iscsi_pdu_decode(junk, len, seed & 1, seed & 2, &d)) {
				size_t pos = 0;
				struct view k, v;
				struct scsi_sense s;

				assert_int_equal(r, 1);
				decoded++;
				assert_true(d.total_len <= len);
				while (iscsi_text_next(d.data, &pos, &k, &v))
					assert_true(k.p >= d.data.p && k.p + k.len <= d.data.p + d.data.len);
				(void)scsi_sense_decode(d.data, &s);
			}
		}
	}
	assert_true(decoded > 0);	/* the loop reached the decoders */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iscsi_crc32c_vectors),
		cmocka_unit_test(test_iscsi_login_round_trip),
		cmocka_unit_test(test_iscsi_reencode_is_identical),
		cmocka_unit_test(test_iscsi_text_odd_items),
		cmocka_unit_test(test_iscsi_pdu_len_states),
		cmocka_unit_test(test_iscsi_padding),
		cmocka_unit_test(test_iscsi_digests),
		cmocka_unit_test(test_iscsi_digest_absent_without_data),
		cmocka_unit_test(test_iscsi_login_response_status),
		cmocka_unit_test(test_iscsi_scsi_read10_command),
		cmocka_unit_test(test_iscsi_cdb_variants),
		cmocka_unit_test(test_iscsi_read_capacity_data),
		cmocka_unit_test(test_iscsi_scsi_response_and_sense),
		cmocka_unit_test(test_iscsi_descriptor_sense),
		cmocka_unit_test(test_iscsi_truncated_sense_is_safe),
		cmocka_unit_test(test_iscsi_secret_keys),
		cmocka_unit_test(test_iscsi_data_in_and_r2t),
		cmocka_unit_test(test_iscsi_reject_logout_async),
		cmocka_unit_test(test_iscsi_ahs_walk),
		cmocka_unit_test(test_iscsi_garbage_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
