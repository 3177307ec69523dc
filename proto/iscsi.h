/* iscsi.h: iSCSI PDU framing, decoding and encoding (RFC 7143) plus SCSI helpers. */
#ifndef NBC_PROTO_ISCSI_H
#define NBC_PROTO_ISCSI_H

#include "cursor.h"

#define ISCSI_BHS_LEN 48
#define ISCSI_PORT 3260
#define ISCSI_DIGEST_LEN 4
#define ISCSI_MAX_DATA_LEN 0xffffffu	/* DataSegmentLength is 24 bits */
/* RFC 7143 11.2.2: only the SCSI Command carries AHS (extended CDB, type 1, at most
 * 4 + 248 bytes; bidirectional read length, type 2, 8 bytes): 65 words at most. */
#define ISCSI_MAX_AHS_WORDS 65

enum iscsi_opcode {
	ISCSI_OP_NOP_OUT = 0x00, ISCSI_OP_SCSI_CMD = 0x01, ISCSI_OP_TMF_REQ = 0x02,
	ISCSI_OP_LOGIN_REQ = 0x03, ISCSI_OP_TEXT_REQ = 0x04, ISCSI_OP_DATA_OUT = 0x05,
	ISCSI_OP_LOGOUT_REQ = 0x06, ISCSI_OP_SNACK = 0x10, ISCSI_OP_NOP_IN = 0x20,
	ISCSI_OP_SCSI_RSP = 0x21, ISCSI_OP_TMF_RSP = 0x22, ISCSI_OP_LOGIN_RSP = 0x23,
	ISCSI_OP_TEXT_RSP = 0x24, ISCSI_OP_DATA_IN = 0x25, ISCSI_OP_LOGOUT_RSP = 0x26,
	ISCSI_OP_R2T = 0x31, ISCSI_OP_ASYNC = 0x32, ISCSI_OP_REJECT = 0x3f,
};

/* Login stages, RFC 7143 11.12.3 (CSG/NSG). */
enum iscsi_login_stage {
	ISCSI_STAGE_SECURITY = 0,
	ISCSI_STAGE_OPERATIONAL = 1,
	ISCSI_STAGE_FULL_FEATURE = 3,
};

/* Login response status classes, RFC 7143 11.13.5. */
enum iscsi_login_class {
	ISCSI_LOGIN_SUCCESS = 0,
	ISCSI_LOGIN_REDIRECT = 1,
	ISCSI_LOGIN_INITIATOR_ERR = 2,
	ISCSI_LOGIN_TARGET_ERR = 3,
};

struct iscsi_pdu {
	uint8_t opcode;		/* byte 0 & 0x3f */
	bool immediate;		/* byte 0 & 0x40 */
	uint8_t flags;		/* byte 1 */
	uint8_t ahs_words;	/* TotalAHSLength, in 4-byte words */
	uint32_t data_len;	/* DataSegmentLength (24 bits) */
	uint64_t lun;		/* bytes 8..15, big-endian, raw */
	uint32_t itt;		/* bytes 16..19 */
	uint32_t w20, w24, w28, w32, w36, w40, w44; /* raw big-endian words 20..47 */
	/* Decoded per opcode (zero when not applicable): */
	bool final;		/* F bit (flags & 0x80): SCSI cmd, Data-In/Out, text, NOP */
	bool login_transit;	/* login T bit (0x80) */
	bool login_continue;	/* login C bit (0x40) */
	uint8_t login_csg, login_nsg;	/* (flags >> 2) & 3, flags & 3 */
	uint8_t version_max, version_min;	/* login request: bytes 2, 3 (response: max, active) */
	uint8_t isid[6];	/* login: bytes 8..13 */
	uint16_t tsih;		/* login: bytes 14..15 */
	uint8_t status_class, status_detail;	/* login response: bytes 36, 37 */
	uint8_t response;	/* SCSI/logout/TMF response: byte 2 */
	uint8_t scsi_status;	/* SCSI response byte 3; Data-In byte 3 when S bit (flags & 1) */
	bool has_status;	/* Data-In S bit, or any SCSI response */
	bool scsi_read, scsi_write;	/* SCSI command R (0x40) and W (0x20) bits */
	bool overflow, underflow;	/* SCSI response / Data-In with S: O (0x04), U (0x02) bits */
	uint32_t edtl;		/* SCSI command: expected data transfer length (bytes 20..23) */
	uint32_t buffer_offset;	/* Data-In/Data-Out/R2T: bytes 40..43 */
	uint32_t residual;	/* SCSI response / Data-In with S: bytes 44..47 */
	uint32_t desired_len;	/* R2T: desired data transfer length, bytes 44..47 */
	uint32_t ttt;		/* target transfer tag, bytes 20..23: NOP, text, Data-In/Out, R2T */
	uint32_t cmd_sn;	/* requests (opcode < 0x20): bytes 24..27 (not Data-Out/SNACK) */
	uint32_t stat_sn;	/* responses (opcode >= 0x20): bytes 24..27 */
	uint32_t exp_cmd_sn, max_cmd_sn;	/* responses: bytes 28..31, 32..35 */
	uint8_t cdb[16];	/* SCSI command: bytes 32..47 */
	uint8_t tmf_function;	/* task management request: flags & 0x7f */
	uint8_t logout_reason;	/* logout request: flags & 0x7f */
	uint8_t reject_reason;	/* reject: byte 2 */
	uint8_t async_event;	/* async message: byte 36 */
	struct view ahs;	/* the AHS bytes */
	struct view data;	/* data segment, without padding and digest */
	size_t total_len;	/* bytes the whole PDU occupies: BHS+AHS+hdigest+data+pad+ddigest */
	bool hdigest_ok, ddigest_ok;	/* true when checked and matching, or digests off */
};

/*
 * Digests (RFC 7143 11.1, 13.1): the header digest follows the AHS and covers BHS+AHS;
 * the data digest follows the padded data, covers data+padding, and is present only
 * when DataSegmentLength > 0. Digests are negotiated during login and apply only after
 * it (RFC 7143 13.12, 13.13): login PDUs never carry them, so pass false for those.
 */

/* How many bytes the PDU at p needs. Returns 1 and sets *total when at least the BHS is
 * there (total may exceed len: wait for more bytes), 0 when fewer than 48 bytes are
 * available, -1 when the BHS cannot be an iSCSI PDU (unknown opcode, reserved bits,
 * data_len above max_data, AHS length absurd). */
int iscsi_pdu_len(const uint8_t *p, size_t len, bool hdigest, bool ddigest, size_t max_data, size_t *total);
/* Decodes a complete PDU (len >= its total). Returns false if malformed. A digest
 * mismatch is not malformed: it shows in hdigest_ok/ddigest_ok. */
bool iscsi_pdu_decode(const uint8_t *p, size_t len, bool hdigest, bool ddigest, struct iscsi_pdu *out);
/* Writes a PDU (BHS from the struct's decoded/raw fields, then AHS, data, padding; digests
 * when asked, CRC32C). Returns bytes written, 0 if cap is too small. For test generators.
 * The raw fields are written first; then each decoded field that applies to the opcode
 * and is non-zero overwrites its bytes (flag bits are OR-ed in). TotalAHSLength and
 * DataSegmentLength come from ahs.len and data.len (ahs.len must be a multiple of 4). */
size_t iscsi_pdu_encode(uint8_t *buf, size_t cap, const struct iscsi_pdu *pdu, bool hdigest, bool ddigest);
/* CRC32C (Castagnoli) as iSCSI uses it; crc32c("123456789") == 0xE3069283. */
uint32_t iscsi_crc32c(const uint8_t *p, size_t len);

/* Walks the AHS: returns false at the end (or on a malformed AHS, then *bad is set
 * when bad is not NULL). *pos starts at 0. RFC 7143 11.2.1.2. */
bool iscsi_ahs_next(struct view ahs, size_t *pos, uint8_t *type, struct view *body, bool *bad);

/* Text/login data: NUL-separated key=value pairs. Iterates: returns false at the end.
 * *pos starts at 0. Empty items (padding NULs) are skipped. A pair without '=' gives
 * the whole item as key and an empty value whose p is NULL (value.p == NULL is the
 * "not ok" mark; "Key=" gives a non-NULL empty value). A last item without its NUL
 * (continued in the next PDU, C bit) is still returned. */
bool iscsi_text_next(struct view data, size_t *pos, struct view *key, struct view *value);
/* Keys whose values are secret or identify an authentication exchange: CHAP_N, CHAP_R,
 * CHAP_C (RFC 7143 12.1.3), the SRP user, salt, values and proofs, and the Kerberos and
 * SPKM tokens (12.1.1, 12.1.2). Keys are case-sensitive (RFC 7143 6.1). */
bool iscsi_key_is_secret(struct view key);
const char *iscsi_opcode_name(uint8_t opcode);	/* "Login Request", ...; "Unknown" */
/* RFC 7143 11.13.5 status class/detail in words: "Success", "Authentication failure",
 * "Target not found", ...; "Unknown status" for others. */
const char *iscsi_login_status_str(uint8_t cls, uint8_t detail);
const char *iscsi_logout_reason_str(uint8_t reason);	/* RFC 7143 11.14.1 */
const char *iscsi_reject_reason_str(uint8_t reason);	/* RFC 7143 11.17.1 */
const char *iscsi_login_stage_name(uint8_t stage);	/* "SecurityNegotiation", ... */

const char *scsi_status_name(uint8_t status);	/* GOOD, CHECK CONDITION, BUSY, ... */
const char *scsi_opcode_name(uint8_t op);	/* TEST UNIT READY, INQUIRY, READ(10), ... */
/* CDB decode for READ/WRITE 6/10/12/16 and READ CAPACITY 10/16 (0x25, 0x9e/0x10). */
struct scsi_cdb_info {
	uint8_t op;
	bool is_read;
	bool is_write;
	uint64_t lba;
	uint32_t blocks;
	bool read_capacity;
};
void scsi_cdb_decode(const uint8_t cdb[16], struct scsi_cdb_info *out);
/* Sense data in a SCSI response data segment: 2-byte SenseLength then sense bytes,
 * fixed (0x70/0x71) or descriptor (0x72/0x73) format. Returns false (valid false)
 * when there is no complete sense data. */
struct scsi_sense {
	bool valid;
	uint8_t key, asc, ascq;
};
bool scsi_sense_decode(struct view data, struct scsi_sense *out);
const char *scsi_sense_key_name(uint8_t key);	/* NO SENSE, NOT READY, UNIT ATTENTION, ... */
/* READ CAPACITY(10) data: last LBA and block length (8 bytes); 16: 32 bytes. */
bool scsi_read_capacity_decode(struct view data, bool sixteen, uint64_t *last_lba, uint32_t *block_len);

#endif
