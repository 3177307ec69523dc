/* fuzz_iscsi.c: iSCSI PDU framing and decoding with every digest setting, the AHS and
 * text key walkers, and the SCSI sense/CDB/capacity helpers (proto/iscsi.h). */
#include "fuzz/fuzz_common.h"
#include "proto/iscsi.h"

#define MAX_DATA (16u << 20)

static void walk_text(struct view d)
{
	size_t pos = 0, prev = 0;
	struct view k, v;
	unsigned n = 0;

	while (iscsi_text_next(d, &pos, &k, &v)) {
		FUZZ_ASSERT(pos <= d.len);
		FUZZ_ASSERT(pos > prev);
		FUZZ_ASSERT(fuzz_inside(k.p, k.len, d.p, d.len));
		if (v.p)
			FUZZ_ASSERT(fuzz_inside(v.p, v.len, d.p, d.len));
		(void)iscsi_key_is_secret(k);
		prev = pos;
		FUZZ_ASSERT(++n <= d.len + 1);
	}
}

static void use_pdu(const struct iscsi_pdu *pdu, const uint8_t *p, size_t len)
{
	struct scsi_cdb_info ci;
	struct scsi_sense s;
	uint64_t lba;
	uint32_t bl;
	size_t pos = 0;
	uint8_t type;
	struct view body;
	bool bad = false;
	unsigned n = 0;

	FUZZ_ASSERT(pdu->total_len <= len);
	FUZZ_ASSERT(fuzz_inside(pdu->data.p, pdu->data.len, p, len));
	FUZZ_ASSERT(fuzz_inside(pdu->ahs.p, pdu->ahs.len, p, len));
	(void)iscsi_opcode_name(pdu->opcode);
	(void)iscsi_login_status_str(pdu->status_class, pdu->status_detail);
	(void)iscsi_logout_reason_str(pdu->logout_reason);
	(void)iscsi_reject_reason_str(pdu->reject_reason);
	(void)iscsi_login_stage_name(pdu->login_csg);
	(void)iscsi_login_stage_name(pdu->login_nsg);
	(void)scsi_status_name(pdu->scsi_status);
	(void)scsi_opcode_name(pdu->cdb[0]);
	scsi_cdb_decode(pdu->cdb, &ci);
	while (iscsi_ahs_next(pdu->ahs, &pos, &type, &body, &bad)) {
		FUZZ_ASSERT(fuzz_inside(body.p, body.len, pdu->ahs.p, pdu->ahs.len));
		FUZZ_ASSERT(++n <= pdu->ahs.len);
	}
	walk_text(pdu->data);
	if (scsi_sense_decode(pdu->data, &s))
		(void)scsi_sense_key_name(s.key);
	(void)scsi_read_capacity_decode(pdu->data, false, &lba, &bl);
	(void)scsi_read_capacity_decode(pdu->data, true, &lba, &bl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iscsi_pdu pdu;
	struct scsi_sense s;

	/* The whole input as a stream of PDUs, as iscsi_flow.c frames it. */
	for (int mode = 0; mode < 4; mode++) {
		bool hd = mode & 1, dd = mode & 2;
		size_t off = 0;

		while (off < size) {
			size_t total = 0;
			int rc = iscsi_pdu_len(data + off, size - off, hd, dd, MAX_DATA, &total);

			if (rc <= 0)
				break;
			FUZZ_ASSERT(total >= ISCSI_BHS_LEN);
			if (total > size - off)
				break;
			if (iscsi_pdu_decode(data + off, total, hd, dd, &pdu)) {
				FUZZ_ASSERT(pdu.total_len == total);
				use_pdu(&pdu, data + off, total);
			}
			off += total;
		}
		/* Decoding the whole buffer directly must not read past it either. */
		if (size >= ISCSI_BHS_LEN && iscsi_pdu_decode(data, size, hd, dd, &pdu))
			use_pdu(&pdu, data, size);
	}
	/* The helpers on raw bytes. */
	walk_text((struct view){ data, size });
	if (scsi_sense_decode((struct view){ data, size }, &s))
		(void)scsi_sense_key_name(s.key);
	if (size >= 16) {
		struct scsi_cdb_info ci;

		scsi_cdb_decode(data, &ci);
	}
	(void)iscsi_crc32c(data, size);
	return 0;
}
