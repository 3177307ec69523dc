/* iscsi.c: iSCSI PDU framing, decoding and encoding (RFC 7143) plus SCSI helpers. */
#include "iscsi.h"

/*
 * CRC32C, RFC 7143 13.1 and Appendix B (RFC 3385): the Castagnoli polynomial
 * 0x1EDC6F41, processed least significant bit first (reflected 0x82F63B78), register
 * preset to all ones and complemented at the end. The RFC's examples give 32 zero
 * bytes -> wire bytes aa 36 91 8a, i.e. the value 0x8a9136aa sent least significant
 * byte first: digests are little-endian in the PDU although everything else is
 * big-endian. One table lookup per nibble keeps the table to 16 entries.
 */
static const uint32_t crc32c_nibble[16] = {
	0x00000000, 0x105ec76f, 0x20bd8ede, 0x30e349b1, 0x417b1dbc, 0x5125dad3,
	0x61c69362, 0x7198540d, 0x82f63b78, 0x92a8fc17, 0xa24bb5a6, 0xb21572c9,
	0xc38d26c4, 0xd3d3e1ab, 0xe330a81a, 0xf36e6f75,
};

uint32_t iscsi_crc32c(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		crc = (crc >> 4) ^ crc32c_nibble[crc & 0x0f];
		crc = (crc >> 4) ^ crc32c_nibble[crc & 0x0f];
	}
	return crc ^ 0xffffffffu;
}

static bool opcode_known(uint8_t op)
{
	switch (op) {
	case ISCSI_OP_NOP_OUT: case ISCSI_OP_SCSI_CMD: case ISCSI_OP_TMF_REQ:
	case ISCSI_OP_LOGIN_REQ: case ISCSI_OP_TEXT_REQ: case ISCSI_OP_DATA_OUT:
	case ISCSI_OP_LOGOUT_REQ: case ISCSI_OP_SNACK: case ISCSI_OP_NOP_IN:
	case ISCSI_OP_SCSI_RSP: case ISCSI_OP_TMF_RSP: case ISCSI_OP_LOGIN_RSP:
	case ISCSI_OP_TEXT_RSP: case ISCSI_OP_DATA_IN: case ISCSI_OP_LOGOUT_RSP:
	case ISCSI_OP_R2T: case ISCSI_OP_ASYNC: case ISCSI_OP_REJECT:
		return true;
	default:
		return false;
	}
}

/* Opcodes sent by the target have 0x20 set (RFC 7143 11.2.1.2). */
static bool opcode_is_response(uint8_t op)
{
	return (op & 0x20) != 0;
}

static size_t pad4(size_t n)
{
	return (4 - (n & 3)) & 3;
}

static size_t pdu_total(size_t ahs_len, size_t data_len, bool hdigest, bool ddigest)
{
	size_t t = ISCSI_BHS_LEN + ahs_len + data_len + pad4(data_len);

	if (hdigest)
		t += ISCSI_DIGEST_LEN;
	if (ddigest && data_len > 0)
		t += ISCSI_DIGEST_LEN;
	return t;
}

int iscsi_pdu_len(const uint8_t *p, size_t len, bool hdigest, bool ddigest, size_t max_data, size_t *total)
{
	struct cur c = cur_make(p, len);
	uint8_t b0, op, ahs_words;
	uint32_t data_len;

	if (!p || len < ISCSI_BHS_LEN)
		return 0;
	b0 = cur_u8(&c);
	cur_skip(&c, 3);
	ahs_words = cur_u8(&c);
	data_len = (uint32_t)cur_u8(&c) << 16;
	data_len |= cur_be16(&c);
	if (c.err)
		return 0;
	op = b0 & 0x3f;
	/* RFC 7143 11.2.1.2: bit 0x80 of byte 0 is reserved; targets never set I. */
	if ((b0 & 0x80) || !opcode_known(op))
		return -1;
	if (opcode_is_response(op) && (b0 & 0x40))
		return -1;
	/* RFC 7143 11.2.2: AHS types exist only for the SCSI Command. */
	if (ahs_words > 0 && (op != ISCSI_OP_SCSI_CMD || ahs_words > ISCSI_MAX_AHS_WORDS))
		return -1;
	if (data_len > max_data)
		return -1;
	*total = pdu_total((size_t)ahs_words * 4, data_len, hdigest, ddigest);
	return 1;
}

bool iscsi_ahs_next(struct view ahs, size_t *pos, uint8_t *type, struct view *body, bool *bad)
{
	struct cur c = cur_make(ahs.p, ahs.len);
	uint16_t alen;

	body->p = NULL;
	body->len = 0;
	*type = 0;
	if (bad)
		*bad = false;
	if (!ahs.p || *pos >= ahs.len)
		return false;
	cur_skip(&c, *pos);
	/* RFC 7143 11.2.2.1: AHSLength counts the bytes after AHSType, padding excluded. */
	alen = cur_be16(&c);
	*type = cur_u8(&c);
	body->p = cur_bytes(&c, alen);
	body->len = alen;
	cur_skip(&c, pad4((size_t)alen + 3));
	if (c.err) {
		body->p = NULL;
		body->len = 0;
		*pos = ahs.len;
		if (bad)
			*bad = true;
		return false;
	}
	*pos = ahs.len - cur_left(&c);
	return true;
}

static bool ahs_well_formed(struct view ahs)
{
	size_t pos = 0;
	uint8_t type;
	struct view body;
	bool bad = false;

	while (iscsi_ahs_next(ahs, &pos, &type, &body, &bad))
		;
	return !bad;
}

static bool has_final_bit(uint8_t op)
{
	switch (op) {
	case ISCSI_OP_SCSI_CMD: case ISCSI_OP_DATA_OUT: case ISCSI_OP_DATA_IN:
	case ISCSI_OP_TEXT_REQ: case ISCSI_OP_TEXT_RSP: case ISCSI_OP_NOP_OUT:
	case ISCSI_OP_NOP_IN:
		return true;
	default:
		return false;
	}
}

static bool has_ttt(uint8_t op)
{
	switch (op) {
	case ISCSI_OP_NOP_OUT: case ISCSI_OP_NOP_IN: case ISCSI_OP_TEXT_REQ:
	case ISCSI_OP_TEXT_RSP: case ISCSI_OP_DATA_OUT: case ISCSI_OP_DATA_IN:
	case ISCSI_OP_R2T: case ISCSI_OP_SNACK:
		return true;
	default:
		return false;
	}
}

/* Requests with CmdSN in bytes 24..27 (Data-Out and SNACK have it reserved). */
static bool has_cmd_sn(uint8_t op)
{
	return !opcode_is_response(op) && op != ISCSI_OP_DATA_OUT && op != ISCSI_OP_SNACK;
}

static void decode_fields(struct iscsi_pdu *d, uint8_t b2, uint8_t b3)
{
	uint8_t op = d->opcode;

	if (has_final_bit(op))
		d->final = (d->flags & 0x80) != 0;
	if (has_ttt(op))
		d->ttt = d->w20;
	if (has_cmd_sn(op))
		d->cmd_sn = d->w24;
	if (opcode_is_response(op) && (op != ISCSI_OP_DATA_IN || (d->flags & 0x01))) {
		d->stat_sn = d->w24;
		d->exp_cmd_sn = d->w28;
		d->max_cmd_sn = d->w32;
	} else if (op == ISCSI_OP_DATA_IN) {
		d->exp_cmd_sn = d->w28;
		d->max_cmd_sn = d->w32;
	}
	switch (op) {
	case ISCSI_OP_LOGIN_REQ:
	case ISCSI_OP_LOGIN_RSP:
		/* RFC 7143 11.12, 11.13. */
		d->login_transit = (d->flags & 0x80) != 0;
		d->login_continue = (d->flags & 0x40) != 0;
		d->login_csg = (d->flags >> 2) & 3;
		d->login_nsg = d->flags & 3;
		d->version_max = b2;
		d->version_min = b3;
		for (int i = 0; i < 6; i++)
			d->isid[i] = (uint8_t)(d->lun >> (56 - 8 * i));
		d->tsih = (uint16_t)d->lun;
		if (op == ISCSI_OP_LOGIN_RSP) {
			d->status_class = (uint8_t)(d->w36 >> 24);
			d->status_detail = (uint8_t)(d->w36 >> 16);
		}
		break;
	case ISCSI_OP_SCSI_CMD:
		/* RFC 7143 11.3. */
		d->scsi_read = (d->flags & 0x40) != 0;
		d->scsi_write = (d->flags & 0x20) != 0;
		d->edtl = d->w20;
		for (int i = 0; i < 4; i++) {
			d->cdb[i] = (uint8_t)(d->w32 >> (24 - 8 * i));
			d->cdb[4 + i] = (uint8_t)(d->w36 >> (24 - 8 * i));
			d->cdb[8 + i] = (uint8_t)(d->w40 >> (24 - 8 * i));
			d->cdb[12 + i] = (uint8_t)(d->w44 >> (24 - 8 * i));
		}
		break;
	case ISCSI_OP_SCSI_RSP:
		/* RFC 7143 11.4. */
		d->response = b2;
		d->scsi_status = b3;
		d->has_status = true;
		d->overflow = (d->flags & 0x04) != 0;
		d->underflow = (d->flags & 0x02) != 0;
		d->residual = d->w44;
		break;
	case ISCSI_OP_DATA_IN:
		/* RFC 7143 11.7: status fields only count when S is set. */
		d->buffer_offset = d->w40;
		if (d->flags & 0x01) {
			d->has_status = true;
			d->scsi_status = b3;
			d->overflow = (d->flags & 0x04) != 0;
			d->underflow = (d->flags & 0x02) != 0;
			d->residual = d->w44;
		}
		break;
	case ISCSI_OP_DATA_OUT:
		d->buffer_offset = d->w40;
		break;
	case ISCSI_OP_R2T:
		/* RFC 7143 11.8. */
		d->buffer_offset = d->w40;
		d->desired_len = d->w44;
		break;
	case ISCSI_OP_TMF_REQ:
		d->tmf_function = d->flags & 0x7f;
		break;
	case ISCSI_OP_TMF_RSP:
	case ISCSI_OP_LOGOUT_RSP:
		d->response = b2;
		break;
	case ISCSI_OP_LOGOUT_REQ:
		d->logout_reason = d->flags & 0x7f;
		break;
	case ISCSI_OP_REJECT:
		d->reject_reason = b2;
		break;
	case ISCSI_OP_ASYNC:
		d->async_event = (uint8_t)(d->w36 >> 24);
		break;
	default:
		break;
	}
}

bool iscsi_pdu_decode(const uint8_t *p, size_t len, bool hdigest, bool ddigest, struct iscsi_pdu *out)
{
	struct cur c = cur_make(p, len);
	size_t total = 0, ahs_len, pad;
	uint8_t b0, b2, b3;
	uint32_t hi, got;

	memset(out, 0, sizeof(*out));
	if (iscsi_pdu_len(p, len, hdigest, ddigest, ISCSI_MAX_DATA_LEN, &total) != 1 || total > len)
		return false;
	b0 = cur_u8(&c);
	out->opcode = b0 & 0x3f;
	out->immediate = (b0 & 0x40) != 0;
	out->flags = cur_u8(&c);
	b2 = cur_u8(&c);
	b3 = cur_u8(&c);
	out->ahs_words = cur_u8(&c);
	out->data_len = (uint32_t)cur_u8(&c) << 16;
	out->data_len |= cur_be16(&c);
	hi = cur_be32(&c);
	out->lun = (uint64_t)hi << 32 | cur_be32(&c);
	out->itt = cur_be32(&c);
	out->w20 = cur_be32(&c);
	out->w24 = cur_be32(&c);
	out->w28 = cur_be32(&c);
	out->w32 = cur_be32(&c);
	out->w36 = cur_be32(&c);
	out->w40 = cur_be32(&c);
	out->w44 = cur_be32(&c);

	ahs_len = (size_t)out->ahs_words * 4;
	out->ahs.p = cur_bytes(&c, ahs_len);
	out->ahs.len = out->ahs.p ? ahs_len : 0;
	out->hdigest_ok = true;
	if (hdigest) {
		got = cur_le32(&c);
		out->hdigest_ok = !c.err && got == iscsi_crc32c(p, ISCSI_BHS_LEN + ahs_len);
	}
	pad = pad4(out->data_len);
	out->data.p = cur_bytes(&c, out->data_len);
	out->data.len = out->data.p ? out->data_len : 0;
	cur_skip(&c, pad);
	out->ddigest_ok = true;
	if (ddigest && out->data_len > 0) {
		got = cur_le32(&c);
		out->ddigest_ok = !c.err && got == iscsi_crc32c(out->data.p, out->data_len + pad);
	}
	if (c.err)
		return false;
	out->total_len = total;
	decode_fields(out, b2, b3);
	return ahs_well_formed(out->ahs);
}

static void put_be32_at(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static void put_le32(struct wbuf *w, uint32_t v)
{
	wbuf_u8(w, (uint8_t)v);
	wbuf_u8(w, (uint8_t)(v >> 8));
	wbuf_u8(w, (uint8_t)(v >> 16));
	wbuf_u8(w, (uint8_t)(v >> 24));
}

static void put_nz_be32(uint8_t *bhs, size_t off, uint32_t v)
{
	if (v)
		put_be32_at(bhs + off, v);
}

static void put_nz_u8(uint8_t *bhs, size_t off, uint8_t v)
{
	if (v)
		bhs[off] = v;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Overlays the decoded fields that apply to the opcode and are non-zero. */
static void encode_fields(uint8_t *bhs, const struct iscsi_pdu *d)
{
	uint8_t op = d->opcode & 0x3f;

	if (has_final_bit(op) && d->final)
		bhs[1] |= 0x80;
	if (has_ttt(op))
		put_nz_be32(bhs, 20, d->ttt);
	if (has_cmd_sn(op))
		put_nz_be32(bhs, 24, d->cmd_sn);
	if (opcode_is_response(op)) {
		put_nz_be32(bhs, 24, d->stat_sn);
		put_nz_be32(bhs, 28, d->exp_cmd_sn);
		put_nz_be32(bhs, 32, d->max_cmd_sn);
	}
	switch (op) {
	case ISCSI_OP_LOGIN_REQ:
	case ISCSI_OP_LOGIN_RSP:
		bhs[1] |= (uint8_t)((d->login_transit ? 0x80 : 0) | (d->login_continue ? 0x40 : 0) |
				    (d->login_csg & 3) << 2 | (d->login_nsg & 3));
		put_nz_u8(bhs, 2, d->version_max);
		put_nz_u8(bhs, 3, d->version_min);
		if (!all_zero(d->isid, sizeof(d->isid)))
			memcpy(bhs + 8, d->isid, sizeof(d->isid));
		if (d->tsih) {
			bhs[14] = (uint8_t)(d->tsih >> 8);
			bhs[15] = (uint8_t)d->tsih;
		}
		if (op == ISCSI_OP_LOGIN_RSP) {
			put_nz_u8(bhs, 36, d->status_class);
			put_nz_u8(bhs, 37, d->status_detail);
		}
		break;
	case ISCSI_OP_SCSI_CMD:
		bhs[1] |= (uint8_t)((d->scsi_read ? 0x40 : 0) | (d->scsi_write ? 0x20 : 0));
		put_nz_be32(bhs, 20, d->edtl);
		if (!all_zero(d->cdb, sizeof(d->cdb)))
			memcpy(bhs + 32, d->cdb, sizeof(d->cdb));
		break;
	case ISCSI_OP_SCSI_RSP:
	case ISCSI_OP_DATA_IN:
		if (op == ISCSI_OP_SCSI_RSP)
			put_nz_u8(bhs, 2, d->response);
		else if (d->has_status)
			bhs[1] |= 0x01;
		put_nz_u8(bhs, 3, d->scsi_status);
		bhs[1] |= (uint8_t)((d->overflow ? 0x04 : 0) | (d->underflow ? 0x02 : 0));
		put_nz_be32(bhs, 44, d->residual);
		if (op == ISCSI_OP_DATA_IN)
			put_nz_be32(bhs, 40, d->buffer_offset);
		break;
	case ISCSI_OP_DATA_OUT:
		put_nz_be32(bhs, 40, d->buffer_offset);
		break;
	case ISCSI_OP_R2T:
		put_nz_be32(bhs, 40, d->buffer_offset);
		put_nz_be32(bhs, 44, d->desired_len);
		break;
	case ISCSI_OP_TMF_REQ:
		bhs[1] |= d->tmf_function & 0x7f;
		break;
	case ISCSI_OP_TMF_RSP:
	case ISCSI_OP_LOGOUT_RSP:
		put_nz_u8(bhs, 2, d->response);
		break;
	case ISCSI_OP_LOGOUT_REQ:
		bhs[1] |= d->logout_reason & 0x7f;
		break;
	case ISCSI_OP_REJECT:
		put_nz_u8(bhs, 2, d->reject_reason);
		break;
	case ISCSI_OP_ASYNC:
		put_nz_u8(bhs, 36, d->async_event);
		break;
	default:
		break;
	}
}

size_t iscsi_pdu_encode(uint8_t *buf, size_t cap, const struct iscsi_pdu *pdu, bool hdigest, bool ddigest)
{
	uint8_t bhs[ISCSI_BHS_LEN];
	struct wbuf h = wbuf_make(bhs, sizeof(bhs));
	struct wbuf w = wbuf_make(buf, cap);
	size_t ahs_len = pdu->ahs.p ? pdu->ahs.len : 0;
	size_t data_len = pdu->data.p ? pdu->data.len : 0;
	size_t pad = pad4(data_len);
	uint32_t crc;

	if ((ahs_len & 3) || ahs_len / 4 > 0xff || data_len > ISCSI_MAX_DATA_LEN || !buf ||
	    pdu_total(ahs_len, data_len, hdigest, ddigest) > cap)
		return 0;
	wbuf_u8(&h, (uint8_t)((pdu->opcode & 0x3f) | (pdu->immediate ? 0x40 : 0)));
	wbuf_u8(&h, pdu->flags);
	wbuf_be16(&h, 0);
	wbuf_u8(&h, (uint8_t)(ahs_len / 4));
	wbuf_u8(&h, (uint8_t)(data_len >> 16));
	wbuf_be16(&h, (uint16_t)data_len);
	wbuf_be32(&h, (uint32_t)(pdu->lun >> 32));
	wbuf_be32(&h, (uint32_t)pdu->lun);
	wbuf_be32(&h, pdu->itt);
	wbuf_be32(&h, pdu->w20);
	wbuf_be32(&h, pdu->w24);
	wbuf_be32(&h, pdu->w28);
	wbuf_be32(&h, pdu->w32);
	wbuf_be32(&h, pdu->w36);
	wbuf_be32(&h, pdu->w40);
	wbuf_be32(&h, pdu->w44);
	if (h.err)
		return 0;
	encode_fields(bhs, pdu);

	wbuf_bytes(&w, bhs, sizeof(bhs));
	wbuf_bytes(&w, pdu->ahs.p, ahs_len);
	if (hdigest && !w.err)
		put_le32(&w, iscsi_crc32c(w.p, w.len));
	if (data_len > 0) {
		size_t start = w.len;

		wbuf_bytes(&w, pdu->data.p, data_len);
		wbuf_zero(&w, pad);
		if (ddigest && !w.err) {
			crc = iscsi_crc32c(w.p + start, data_len + pad);
			put_le32(&w, crc);
		}
	}
	return w.err ? 0 : w.len;
}

bool iscsi_text_next(struct view data, size_t *pos, struct view *key, struct view *value)
{
	struct cur c = cur_make(data.p, data.len);

	key->p = value->p = NULL;
	key->len = value->len = 0;
	if (!data.p || *pos >= data.len)
		return false;
	cur_skip(&c, *pos);
	while (!c.err && cur_left(&c) > 0) {
		const uint8_t *nul = memchr(c.p, 0, cur_left(&c));
		size_t n = nul ? (size_t)(nul - c.p) : cur_left(&c);
		const uint8_t *item = cur_bytes(&c, n);
		const uint8_t *eq;

		if (nul)
			cur_skip(&c, 1);
		if (n == 0 || !item)
			continue;	/* padding or an empty item */
		*pos = data.len - cur_left(&c);
		eq = memchr(item, '=', n);
		key->p = item;
		if (!eq) {
			key->len = n;	/* no '=': value.p stays NULL */
			return true;
		}
		key->len = (size_t)(eq - item);
		value->p = eq + 1;
		value->len = n - key->len - 1;
		return true;
	}
	*pos = data.len;
	return false;
}

bool iscsi_key_is_secret(struct view key)
{
	static const char *const secret[] = {
		/* RFC 7143 12.1.3: the CHAP name, challenge and response. */
		"CHAP_N", "CHAP_R", "CHAP_C",
		/* 12.1.2: SRP user name, salt, public values and proofs. */
		"SRP_U", "SRP_s", "SRP_A", "SRP_B", "SRP_M", "SRP_HM",
		/* 12.1.1: Kerberos and SPKM tokens. */
		"KRB_AP_REQ", "KRB_AP_REP",
		"SPKM_REQ", "SPKM_ERROR", "SPKM_REP_TI", "SPKM_REP_IT",
	};

	for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++)
		if (view_eq_str(key, secret[i]))
			return true;
	return false;
}

const char *iscsi_opcode_name(uint8_t opcode)
{
	switch (opcode & 0x3f) {
	case ISCSI_OP_NOP_OUT: return "NOP-Out";
	case ISCSI_OP_SCSI_CMD: return "SCSI Command";
	case ISCSI_OP_TMF_REQ: return "Task Management Request";
	case ISCSI_OP_LOGIN_REQ: return "Login Request";
	case ISCSI_OP_TEXT_REQ: return "Text Request";
	case ISCSI_OP_DATA_OUT: return "SCSI Data-Out";
	case ISCSI_OP_LOGOUT_REQ: return "Logout Request";
	case ISCSI_OP_SNACK: return "SNACK Request";
	case ISCSI_OP_NOP_IN: return "NOP-In";
	case ISCSI_OP_SCSI_RSP: return "SCSI Response";
	case ISCSI_OP_TMF_RSP: return "Task Management Response";
	case ISCSI_OP_LOGIN_RSP: return "Login Response";
	case ISCSI_OP_TEXT_RSP: return "Text Response";
	case ISCSI_OP_DATA_IN: return "SCSI Data-In";
	case ISCSI_OP_LOGOUT_RSP: return "Logout Response";
	case ISCSI_OP_R2T: return "Ready To Transfer";
	case ISCSI_OP_ASYNC: return "Asynchronous Message";
	case ISCSI_OP_REJECT: return "Reject";
	default: return "Unknown";
	}
}

const char *iscsi_login_status_str(uint8_t cls, uint8_t detail)
{
	static const char *const initiator[] = {
		"Initiator error", "Authentication failure", "Authorization failure",
		"Target not found", "Target removed", "Unsupported version",
		"Too many connections", "Missing parameter", "Can't include in session",
		"Session type not supported", "Session does not exist", "Invalid during login",
	};
	static const char *const target[] = {
		"Target error", "Service unavailable", "Out of resources",
	};

	/* RFC 7143 11.13.5. */
	switch (cls) {
	case ISCSI_LOGIN_SUCCESS:
		return detail == 0 ? "Success" : "Success (unknown detail)";
	case ISCSI_LOGIN_REDIRECT:
		if (detail == 1)
			return "Target moved temporarily";
		if (detail == 2)
			return "Target moved permanently";
		return "Redirection (unknown detail)";
	case ISCSI_LOGIN_INITIATOR_ERR:
		if (detail < sizeof(initiator) / sizeof(initiator[0]))
			return initiator[detail];
		return "Initiator error (unknown detail)";
	case ISCSI_LOGIN_TARGET_ERR:
		if (detail < sizeof(target) / sizeof(target[0]))
			return target[detail];
		return "Target error (unknown detail)";
	default:
		return "Unknown status";
	}
}

const char *iscsi_logout_reason_str(uint8_t reason)
{
	switch (reason & 0x7f) {
	case 0: return "close the session";
	case 1: return "close the connection";
	case 2: return "remove the connection for recovery";
	default: return "unknown reason";
	}
}

const char *iscsi_reject_reason_str(uint8_t reason)
{
	switch (reason) {
	case 0x02: return "Data digest error";
	case 0x03: return "SNACK reject";
	case 0x04: return "Protocol error";
	case 0x05: return "Command not supported";
	case 0x06: return "Immediate command reject";
	case 0x07: return "Task in progress";
	case 0x08: return "Invalid data ack";
	case 0x09: return "Invalid PDU field";
	case 0x0a: return "Long operation reject";
	case 0x0b: return "Deprecated reason";
	case 0x0c: return "Waiting for logout";
	default: return "Unknown reason";
	}
}

const char *iscsi_login_stage_name(uint8_t stage)
{
	switch (stage) {
	case ISCSI_STAGE_SECURITY: return "SecurityNegotiation";
	case ISCSI_STAGE_OPERATIONAL: return "LoginOperationalNegotiation";
	case ISCSI_STAGE_FULL_FEATURE: return "FullFeaturePhase";
	default: return "Reserved";
	}
}

const char *scsi_status_name(uint8_t status)
{
	switch (status) {
	case 0x00: return "GOOD";
	case 0x02: return "CHECK CONDITION";
	case 0x04: return "CONDITION MET";
	case 0x08: return "BUSY";
	case 0x18: return "RESERVATION CONFLICT";
	case 0x28: return "TASK SET FULL";
	case 0x30: return "ACA ACTIVE";
	case 0x40: return "TASK ABORTED";
	default: return "UNKNOWN STATUS";
	}
}

const char *scsi_opcode_name(uint8_t op)
{
	switch (op) {
	case 0x00: return "TEST UNIT READY";
	case 0x03: return "REQUEST SENSE";
	case 0x08: return "READ(6)";
	case 0x0a: return "WRITE(6)";
	case 0x12: return "INQUIRY";
	case 0x15: return "MODE SELECT(6)";
	case 0x1a: return "MODE SENSE(6)";
	case 0x1b: return "START STOP UNIT";
	case 0x1e: return "PREVENT ALLOW MEDIUM REMOVAL";
	case 0x25: return "READ CAPACITY(10)";
	case 0x28: return "READ(10)";
	case 0x2a: return "WRITE(10)";
	case 0x2e: return "WRITE AND VERIFY(10)";
	case 0x2f: return "VERIFY(10)";
	case 0x35: return "SYNCHRONIZE CACHE(10)";
	case 0x41: return "WRITE SAME(10)";
	case 0x42: return "UNMAP";
	case 0x43: return "READ TOC/PMA/ATIP";
	case 0x46: return "GET CONFIGURATION";
	case 0x4a: return "GET EVENT STATUS NOTIFICATION";
	case 0x4d: return "LOG SENSE";
	case 0x55: return "MODE SELECT(10)";
	case 0x5a: return "MODE SENSE(10)";
	case 0x88: return "READ(16)";
	case 0x8a: return "WRITE(16)";
	case 0x8f: return "VERIFY(16)";
	case 0x91: return "SYNCHRONIZE CACHE(16)";
	case 0x93: return "WRITE SAME(16)";
	case 0x9e: return "SERVICE ACTION IN(16)";	/* READ CAPACITY(16) when SA is 0x10 */
	case 0xa0: return "REPORT LUNS";
	case 0xa3: return "MAINTENANCE IN";
	case 0xa8: return "READ(12)";
	case 0xaa: return "WRITE(12)";
	case 0xbe: return "READ CD";
	default: return "UNKNOWN";
	}
}

void scsi_cdb_decode(const uint8_t cdb[16], struct scsi_cdb_info *out)
{
	struct cur c = cur_make(cdb, 16);
	uint64_t hi;

	memset(out, 0, sizeof(*out));
	out->op = cur_u8(&c);
	switch (out->op) {
	case 0x08:	/* READ(6) */
	case 0x0a:	/* WRITE(6): 21-bit LBA, length 0 means 256 blocks (SBC) */
		out->lba = (uint64_t)(cur_u8(&c) & 0x1f) << 16;
		out->lba |= cur_be16(&c);
		out->blocks = cur_u8(&c);
		if (out->blocks == 0)
			out->blocks = 256;
		break;
	case 0x28:	/* READ(10) */
	case 0x2a:	/* WRITE(10) */
		cur_skip(&c, 1);
		out->lba = cur_be32(&c);
		cur_skip(&c, 1);
		out->blocks = cur_be16(&c);
		break;
	case 0xa8:	/* READ(12) */
	case 0xaa:	/* WRITE(12) */
		cur_skip(&c, 1);
		out->lba = cur_be32(&c);
		out->blocks = cur_be32(&c);
		break;
	case 0x88:	/* READ(16) */
	case 0x8a:	/* WRITE(16) */
		cur_skip(&c, 1);
		hi = cur_be32(&c);
		out->lba = hi << 32 | cur_be32(&c);
		out->blocks = cur_be32(&c);
		break;
	case 0x25:	/* READ CAPACITY(10) */
		out->read_capacity = true;
		return;
	case 0x9e:	/* SERVICE ACTION IN(16): READ CAPACITY(16) is action 0x10 */
		out->read_capacity = (cur_u8(&c) & 0x1f) == 0x10;
		return;
	default:
		return;
	}
	out->is_read = out->op == 0x08 || out->op == 0x28 || out->op == 0xa8 || out->op == 0x88;
	out->is_write = !out->is_read;
}

bool scsi_sense_decode(struct view data, struct scsi_sense *out)
{
	struct cur c = cur_make(data.p, data.len);
	struct cur s;
	uint16_t slen;
	uint8_t code;

	memset(out, 0, sizeof(*out));
	if (!data.p)
		return false;	/* a NULL view never reaches the cursor */
	/* RFC 7143 11.4.7.2: SenseLength, then the sense data, then response data. */
	slen = cur_be16(&c);
	s = cur_sub(&c, slen);
	if (c.err || slen == 0)
		return false;
	code = cur_u8(&s) & 0x7f;
	if (code == 0x70 || code == 0x71) {
		/* Fixed format (SPC): key in byte 2, ASC/ASCQ in bytes 12, 13. */
		cur_skip(&s, 1);
		out->key = cur_u8(&s) & 0x0f;
		if (s.err)
			return false;
		cur_skip(&s, 9);
		out->asc = cur_u8(&s);
		out->ascq = cur_u8(&s);
		if (s.err)
			out->asc = out->ascq = 0;	/* too short to carry them */
	} else if (code == 0x72 || code == 0x73) {
		/* Descriptor format: key, ASC, ASCQ in bytes 1..3. */
		out->key = cur_u8(&s) & 0x0f;
		out->asc = cur_u8(&s);
		out->ascq = cur_u8(&s);
		if (s.err) {
			out->key = out->asc = out->ascq = 0;
			return false;
		}
	} else {
		return false;
	}
	out->valid = true;
	return true;
}

const char *scsi_sense_key_name(uint8_t key)
{
	static const char *const names[] = {
		"NO SENSE", "RECOVERED ERROR", "NOT READY", "MEDIUM ERROR",
		"HARDWARE ERROR", "ILLEGAL REQUEST", "UNIT ATTENTION", "DATA PROTECT",
		"BLANK CHECK", "VENDOR SPECIFIC", "COPY ABORTED", "ABORTED COMMAND",
		"RESERVED", "VOLUME OVERFLOW", "MISCOMPARE", "COMPLETED",
	};

	return key < 16 ? names[key] : "UNKNOWN";
}

bool scsi_read_capacity_decode(struct view data, bool sixteen, uint64_t *last_lba, uint32_t *block_len)
{
	struct cur c = cur_make(data.p, data.len);
	uint64_t hi;

	*last_lba = 0;
	*block_len = 0;
	if (!data.p)
		return false;
	if (sixteen) {
		/* SBC READ CAPACITY(16) parameter data is 32 bytes; the fields we use are
		 * the first 12, so a shorter allocation length still decodes. */
		hi = cur_be32(&c);
		hi = hi << 32 | cur_be32(&c);
	} else {
		hi = cur_be32(&c);
	}
	*block_len = cur_be32(&c);
	if (c.err) {
		*block_len = 0;
		return false;
	}
	*last_lba = hi;
	return true;
}
