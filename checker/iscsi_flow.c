/* iscsi_flow.c: iSCSI PDUs from a reassembled connection into one session summary per connection. */
#include "checker/engine_priv.h"

#include <stdio.h>
#include <stdlib.h>

#include "proto/iscsi.h"

#define KEEP_DATA 65536		/* data bytes kept per PDU: text keys, sense, LBA 0 */
#define CMDS_PENDING 64		/* outstanding SCSI commands tracked per connection */

struct pending_cmd {
	bool used;
	uint32_t itt;
	struct scsi_cdb_info cdb;
	uint64_t frame;
};

struct pdu_reader {
	bool resync;		/* after a hole: waiting for a segment that starts PDUs */
	uint8_t *buf;		/* header, then up to KEEP_DATA data bytes */
	size_t consumed;	/* of the current PDU */
	size_t keep;		/* bytes of the PDU kept in buf */
	size_t total;		/* 0 until the BHS is in */
};

struct iscsi_conn {
	size_t idx;		/* into the engine's iscsis */
	struct pdu_reader r[2];
	bool digests_on;	/* negotiated and in effect (after login) */
	bool want_hdigest;
	bool want_ddigest;
	struct pending_cmd cmds[CMDS_PENDING];
	size_t next_slot;
};

static struct eng_iscsi *sess(struct nbc_engine *e, struct iscsi_conn *ic)
{
	return &e->iscsis[ic->idx];
}

struct iscsi_conn *iscsi_flow_new(struct nbc_engine *e, const struct tcp_conn *tc)
{
	struct iscsi_conn *ic = calloc(1, sizeof(*ic));
	struct eng_iscsi *s;
	size_t ci;

	if (!ic)
		return NULL;
	s = NBC_PUSH(e->iscsis, e->niscsis, e->iscsis_cap);
	memset(s, 0, sizeof(*s));
	ic->idx = e->niscsis - 1;
	s->conn = tc->id;
	s->cip = tc->cip;
	s->sip = tc->sip;
	s->cport = tc->cport;
	s->sport = tc->sport;
	s->first_frame = e->frame;
	s->first_time = e->rel;
	s->lba0 = -1;
	s->end_dir = -1;
	s->client = -1;
	if (hmap_get(&e->by_ip, tc->cip, 1, &ci)) {
		struct eng_client *c = &e->clients[ci];

		s->client = (int)ci;
		*NBC_PUSH(c->iscsis, c->niscsis, c->iscsis_cap) = ic->idx;
	}
	return ic;
}

void iscsi_flow_free(struct nbc_engine *e, struct iscsi_conn *ic)
{
	(void)e;
	free(ic->r[0].buf);
	free(ic->r[1].buf);
	free(ic);
}

static void set_str(char *dst, size_t cap, struct view v)
{
	view_to_printable(v, dst, cap);
}

static bool key_is(struct view k, const char *s)
{
	return view_eq_str(k, s);
}

/* Login text keys. Secret values (CHAP_N/R/C) are noted, never copied. */
static void login_keys(struct eng_iscsi *s, struct iscsi_conn *ic, int dir, struct view data)
{
	size_t pos = 0;
	struct view k;
	struct view v;

	while (iscsi_text_next(data, &pos, &k, &v)) {
		if (!v.p)
			continue;
		if (dir == 0 && key_is(k, "InitiatorName"))
			set_str(s->initiator, sizeof(s->initiator), v);
		else if (dir == 0 && key_is(k, "TargetName"))
			set_str(s->target, sizeof(s->target), v);
		else if (dir == 0 && key_is(k, "SessionType"))
			set_str(s->session_type, sizeof(s->session_type), v);
		else if (dir == 0 && key_is(k, "AuthMethod"))
			set_str(s->auth_offered, sizeof(s->auth_offered), v);
		else if (dir == 1 && key_is(k, "AuthMethod"))
			set_str(s->auth_chosen, sizeof(s->auth_chosen), v);
		else if (dir == 1 && key_is(k, "CHAP_C"))
			s->chap = true;
		else if (dir == 0 && (key_is(k, "CHAP_R") || key_is(k, "CHAP_N")))
			s->chap_response = true;
		else if (dir == 1 && key_is(k, "HeaderDigest"))
			ic->want_hdigest = view_eq_str(v, "CRC32C");
		else if (dir == 1 && key_is(k, "DataDigest"))
			ic->want_ddigest = view_eq_str(v, "CRC32C");
	}
}

static struct pending_cmd *find_cmd(struct iscsi_conn *ic, uint32_t itt)
{
	for (size_t i = 0; i < CMDS_PENDING; i++)
		if (ic->cmds[i].used && ic->cmds[i].itt == itt)
			return &ic->cmds[i];
	return NULL;
}

static void check_lba0(struct nbc_engine *e, struct eng_iscsi *s, const struct pending_cmd *pc,
		       uint32_t offset, struct view data)
{
	/* The boot signature: bytes 510 and 511 of LBA 0 are 0x55 0xAA. */
	if (!pc->cdb.is_read || pc->cdb.lba != 0 || offset > 510 || offset + data.len < 512)
		return;
	s->lba0_sig[0] = data.p[510 - offset];
	s->lba0_sig[1] = data.p[511 - offset];
	/* A later read of LBA 0 replaces an earlier one only to record a signature. */
	if (s->lba0 != 1) {
		s->lba0 = s->lba0_sig[0] == 0x55 && s->lba0_sig[1] == 0xaa;
		s->lba0_frame = e->frame;
		s->lba0_time = e->rel;
	}
}

static void command_status(struct nbc_engine *e, struct eng_iscsi *s, struct pending_cmd *pc,
			   uint8_t status, struct view sense_data)
{
	if (status == 0x02) {
		struct scsi_sense sn;

		if (s->check_conditions++ == 0) {
			s->first_check_op = pc ? pc->cdb.op : 0xff;
			s->first_check_frame = e->frame;
			if (scsi_sense_decode(sense_data, &sn) && sn.valid) {
				s->first_sense_key = sn.key;
				s->first_sense_asc = sn.asc;
				s->first_sense_ascq = sn.ascq;
			}
		}
	}
	if (pc)
		pc->used = false;
}

/*
 * SCSI traffic after a login whose end the capture lost (a hole in the stream): the login
 * did complete, only its last response is not seen.
 */
static void login_inferred(struct nbc_engine *e, struct eng_iscsi *s)
{
	if (s->login_ok || s->login_failed || !s->gap_bytes || !s->login_pdus)
		return;
	s->login_ok = true;
	s->login_inferred = true;
	s->login_ok_frame = e->frame;
	s->login_ok_time = e->rel;
}

static void on_pdu(struct nbc_engine *e, struct iscsi_conn *ic, int dir,
		   const struct iscsi_pdu *p)
{
	struct eng_iscsi *s = sess(e, ic);
	struct pending_cmd *pc;

	s->pdus[dir]++;
	e->report.stats.decoded[NBC_P_ISCSI]++;
	switch (p->opcode) {
	case ISCSI_OP_LOGIN_REQ:
		if (!s->login_pdus++)
			s->login_frame = e->frame;
		login_keys(s, ic, 0, p->data);
		break;
	case ISCSI_OP_LOGIN_RSP:
		login_keys(s, ic, 1, p->data);
		s->status_class = p->status_class;
		s->status_detail = p->status_detail;
		s->status_frame = e->frame;
		if (p->status_class != 0) {
			s->login_failed = true;
		} else if (p->login_transit && p->login_nsg == ISCSI_STAGE_FULL_FEATURE) {
			s->login_ok = true;
			s->login_ok_frame = e->frame;
			s->login_ok_time = e->rel;
			/* Digests apply from the first PDU after the login (RFC 7143 13.12). */
			ic->digests_on = ic->want_hdigest || ic->want_ddigest;
			s->hdigest = ic->want_hdigest;
			s->ddigest = ic->want_ddigest;
		}
		break;
	case ISCSI_OP_SCSI_CMD:
		login_inferred(e, s);
		s->commands++;
		pc = &ic->cmds[ic->next_slot];
		ic->next_slot = (ic->next_slot + 1) % CMDS_PENDING;
		pc->used = true;
		pc->itt = p->itt;
		pc->frame = e->frame;
		scsi_cdb_decode(p->cdb, &pc->cdb);
		if (pc->cdb.is_read) {
			s->reads++;
			s->read_blocks += pc->cdb.blocks;
		}
		if (pc->cdb.is_write)
			s->writes++;
		break;
	case ISCSI_OP_DATA_IN:
		login_inferred(e, s);
		pc = find_cmd(ic, p->itt);
		if (pc) {
			check_lba0(e, s, pc, p->buffer_offset, p->data);
			if (pc->cdb.read_capacity && p->buffer_offset == 0 &&
			    scsi_read_capacity_decode(p->data, pc->cdb.op == 0x9e, &s->last_lba,
						      &s->block_len)) {
				s->capacity_known = true;
				s->capacity_frame = e->frame;
			}
		}
		if (p->has_status)
			command_status(e, s, pc, p->scsi_status, (struct view){ NULL, 0 });
		break;
	case ISCSI_OP_SCSI_RSP:
		login_inferred(e, s);
		command_status(e, s, find_cmd(ic, p->itt), p->scsi_status, p->data);
		break;
	case ISCSI_OP_LOGOUT_REQ:
	case ISCSI_OP_LOGOUT_RSP:
		/* A response answers a request, also one the capture lost. */
		if (!s->logout) {
			s->logout = true;
			s->logout_reason = p->logout_reason;
			s->logout_frame = e->frame;
			s->logout_time = e->rel;
		}
		break;
	case ISCSI_OP_REJECT:
		if (!s->rejects++) {
			s->reject_reason = p->reject_reason;
			s->reject_frame = e->frame;
		}
		break;
	case ISCSI_OP_ASYNC:
		s->async_events++;
		break;
	case ISCSI_OP_NOP_OUT:
	case ISCSI_OP_NOP_IN:
		s->nops++;
		break;
	default:
		break;
	}
}

static void desync(struct nbc_engine *e, struct iscsi_conn *ic, const char *why)
{
	struct eng_iscsi *s = sess(e, ic);

	if (!s->desync)
		engine_malformed(e, "iscsi", "%s; the rest of the connection is not decoded", why);
	s->desync = true;
}

/* Decodes the PDU held in r->buf (its data cut to KEEP_DATA bytes). */
static void complete_pdu(struct nbc_engine *e, struct iscsi_conn *ic, int dir,
			 struct pdu_reader *r)
{
	struct iscsi_pdu p;
	bool hd = ic->digests_on && ic->want_hdigest;
	bool dd = ic->digests_on && ic->want_ddigest;
	uint32_t real = ((uint32_t)r->buf[5] << 16) | ((uint32_t)r->buf[6] << 8) | r->buf[7];

	if (r->keep < r->total) {
		/* Data beyond what was kept: decode the kept part as if it were all. */
		size_t hdr = ISCSI_BHS_LEN + (size_t)r->buf[4] * 4 + (hd ? 4 : 0);
		uint32_t kept = (uint32_t)(r->keep - hdr);

		r->buf[5] = (uint8_t)(kept >> 16);
		r->buf[6] = (uint8_t)(kept >> 8);
		r->buf[7] = (uint8_t)kept;
		if (hd) {
			/* The header digest covered the real length: do not re-check it. */
			hd = false;
			memmove(r->buf + hdr - 4, r->buf + hdr, kept);
			r->keep -= 4;
		}
		dd = false;
	}
	if (!iscsi_pdu_decode(r->buf, r->keep, hd, dd, &p)) {
		desync(e, ic, "undecodable iSCSI PDU");
		return;
	}
	p.data_len = real;
	if (!p.hdigest_ok)
		engine_malformed(e, "iscsi", "%s with a wrong header digest",
				 iscsi_opcode_name(p.opcode));
	on_pdu(e, ic, dir, &p);
}

/*
 * After a hole the framing is found again at a segment that holds whole PDUs of its side
 * from its first byte (a login or command exchange), or begins one longer than itself (a
 * Data-In): the checks of a BHS (opcode of the right side, reserved bits, AHS, length)
 * make a false start in arbitrary data unlikely.
 */
static bool starts_pdus(const struct iscsi_conn *ic, int dir, const uint8_t *p, size_t len)
{
	bool hd = ic->digests_on && ic->want_hdigest;
	bool dd = ic->digests_on && ic->want_ddigest;
	size_t off = 0;

	for (unsigned n = 0; off < len && n < 16; n++) {
		size_t total;

		if (len - off < ISCSI_BHS_LEN ||
		    iscsi_pdu_len(p + off, len - off, hd, dd, ISCSI_DATA_MAX, &total) != 1 ||
		    ((p[off] & 0x3f) >= 0x20) != (dir == 1))
			return false;
		if (total > len - off)
			return n == 0;
		off += total;
	}
	return off == len;
}

void iscsi_flow_data(struct nbc_engine *e, struct iscsi_conn *ic, int dir, const uint8_t *p,
		     size_t len, uint64_t frame, double time)
{
	struct pdu_reader *r = &ic->r[dir];
	struct eng_iscsi *s = sess(e, ic);

	s->last_frame = frame;
	s->last_time = time;
	if (!r->buf) {
		r->buf = calloc(1, ISCSI_BHS_LEN + ISCSI_MAX_AHS_WORDS * 4 + 8 + KEEP_DATA);
		if (!r->buf)
			return;
	}
	if (r->resync) {
		if (!starts_pdus(ic, dir, p, len))
			return;
		r->resync = false;
	}
	while (len > 0 && !s->desync) {
		bool hd = ic->digests_on && ic->want_hdigest;
		bool dd = ic->digests_on && ic->want_ddigest;
		size_t n;

		if (r->consumed < ISCSI_BHS_LEN) {
			n = ISCSI_BHS_LEN - r->consumed;
			n = n < len ? n : len;
			memcpy(r->buf + r->consumed, p, n);
			r->consumed += n;
			p += n;
			len -= n;
			if (r->consumed < ISCSI_BHS_LEN)
				return;
			if (iscsi_pdu_len(r->buf, ISCSI_BHS_LEN, hd, dd, ISCSI_DATA_MAX,
					  &r->total) != 1) {
				desync(e, ic, "bytes that are not an iSCSI header");
				return;
			}
			r->keep = r->total;
			{
				size_t hdr = ISCSI_BHS_LEN + (size_t)r->buf[4] * 4 + (hd ? 4 : 0);

				if (r->total > hdr + KEEP_DATA)
					r->keep = hdr + KEEP_DATA;
			}
		}
		if (r->consumed < r->total) {
			n = r->total - r->consumed;
			n = n < len ? n : len;
			if (r->consumed < r->keep) {
				size_t c = r->keep - r->consumed;

				memcpy(r->buf + r->consumed, p, c < n ? c : n);
			}
			r->consumed += n;
			p += n;
			len -= n;
		}
		if (r->consumed == r->total) {
			complete_pdu(e, ic, dir, r);
			r->consumed = 0;
			r->total = 0;
		}
	}
}

void iscsi_flow_gap(struct nbc_engine *e, struct iscsi_conn *ic, int dir, uint64_t len)
{
	struct eng_iscsi *s = sess(e, ic);
	struct pdu_reader *r = &ic->r[dir];

	s->gap_bytes += len;
	/* A hole inside a data segment keeps the framing; anywhere else it is lost until a
	 * segment starts a PDU again. */
	if (r->total && r->consumed >= r->keep && r->consumed + len < r->total) {
		r->consumed += (size_t)len;
		return;
	}
	if (!r->resync && !s->desync)
		engine_malformed(e, "iscsi", "bytes missing from the capture; PDUs are decoded "
				 "again from the next segment that starts one");
	r->resync = true;
	r->consumed = 0;
	r->total = 0;
}

bool eng_iscsi_boot_returned(const struct eng_iscsi *s)
{
	return s->lba0 == 1 && s->ended && s->end_dir == 0 && !s->logout;
}

void iscsi_flow_end(struct nbc_engine *e, struct iscsi_conn *ic, const struct tcp_conn *tc,
		    int dir, enum tcp_end how, uint64_t frame, double time)
{
	struct eng_iscsi *s = sess(e, ic);

	(void)tc;
	if (s->ended || how == TCP_END_CAPTURE)
		return;
	s->ended = true;
	s->end = how == TCP_END_RST ? ENG_TCP_RST : ENG_TCP_FIN;
	s->end_dir = dir;
	s->end_frame = frame;
	s->end_time = time;
}
