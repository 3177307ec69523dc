/* tftp.h: TFTP decoding and encoding (RFC 1350, 2347, 2348, 2349, 7440). */
#ifndef NBC_PROTO_TFTP_H
#define NBC_PROTO_TFTP_H

#include "cursor.h"

#define TFTP_PORT 69
#define TFTP_MAX_OPTS 16
#define TFTP_BLKSIZE_MIN 8
#define TFTP_BLKSIZE_MAX 65464
#define TFTP_DEFAULT_BLKSIZE 512

enum tftp_op {
	TFTP_RRQ = 1,
	TFTP_WRQ = 2,
	TFTP_DATA = 3,
	TFTP_ACK = 4,
	TFTP_ERROR = 5,
	TFTP_OACK = 6,
};

enum tftp_errcode {
	TFTP_ERR_UNDEF = 0,
	TFTP_ERR_NOT_FOUND = 1,
	TFTP_ERR_ACCESS = 2,
	TFTP_ERR_DISK_FULL = 3,
	TFTP_ERR_ILLEGAL_OP = 4,
	TFTP_ERR_UNKNOWN_TID = 5,
	TFTP_ERR_EXISTS = 6,
	TFTP_ERR_NO_USER = 7,
	TFTP_ERR_OPTION = 8,	/* RFC 2347: option negotiation refused */
};

enum tftp_problem {
	TFTP_PROB_SHORT = 1 << 0,	/* too short for its opcode */
	TFTP_PROB_UNTERMINATED = 1 << 1,	/* a string without its NUL */
	TFTP_PROB_BAD_OPCODE = 1 << 2,
	TFTP_PROB_BAD_OPTION = 1 << 3,	/* option without value, too many, or bad number */
	TFTP_PROB_BAD_MODE = 1 << 4,	/* mode is not octet, netascii or mail */
};

struct tftp_opt {
	struct view name;
	struct view value;
};

struct tftp_pkt {
	uint16_t op;
	unsigned problems;	/* enum tftp_problem bits */
	/* RRQ/WRQ */
	struct view filename;
	struct view mode;
	/* RRQ/WRQ/OACK options, in order; the well-known ones also parsed: -1 when absent */
	struct tftp_opt opts[TFTP_MAX_OPTS];
	unsigned nopts;
	long blksize;
	long tsize;
	long timeout;
	long windowsize;
	/* DATA/ACK */
	uint16_t block;
	struct view data;
	/* ERROR */
	uint16_t errcode;
	struct view errmsg;
};

/* Returns 0 if decoded (problems may be set), -1 if not TFTP at all (unknown opcode, < 2 bytes). */
int tftp_decode(const uint8_t *p, size_t len, struct tftp_pkt *t);
const char *tftp_op_name(unsigned op);
const char *tftp_errcode_name(unsigned code);
const char *tftp_problem_str(unsigned problems);

/* Encoders. Each returns bytes written, or 0 on overflow. */
struct tftp_optset {
	long blksize;		/* -1: do not send */
	long tsize;
	long timeout;
	long windowsize;
};
size_t tftp_encode_request(uint16_t op, const char *filename, const char *mode,
			   const struct tftp_optset *o, uint8_t *out, size_t cap);
size_t tftp_encode_oack(const struct tftp_optset *o, uint8_t *out, size_t cap);
size_t tftp_encode_data(uint16_t block, const uint8_t *data, size_t n, uint8_t *out, size_t cap);
size_t tftp_encode_ack(uint16_t block, uint8_t *out, size_t cap);
size_t tftp_encode_error(uint16_t code, const char *msg, uint8_t *out, size_t cap);

#endif
