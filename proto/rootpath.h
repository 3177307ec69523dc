/* rootpath.h: parses an RFC 4173 iSCSI root path (iscsi:server:proto:port:lun:target). */
#ifndef NBC_PROTO_ROOTPATH_H
#define NBC_PROTO_ROOTPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rootpath {
	char server[256];	/* IPv4 dotted quad, DNS name, or IPv6 without the [] */
	int protocol;		/* 6 (TCP) when empty */
	uint16_t port;		/* 3260 when empty */
	/*
	 * The 8-byte SCSI LUN as a big-endian integer; 0 when empty. The RFC
	 * 4173 LUN is up to four dash-separated groups of 1..4 hex digits,
	 * each a 16-bit level ("4752-3A4F-6b7e-2F99" is 0x47523a4f6b7e2f99),
	 * and missing groups are zero, as iPXE does: "1" (read as hex 1) is
	 * 0x0001000000000000, i.e. LUN 1 in the first level; lun >> 48 is the
	 * LUN number for the usual one-level form.
	 */
	uint64_t lun;
	char target[224];	/* iSCSI name (max 223 bytes); may contain ':' */
};

/*
 * Parses s (NUL-terminated). Returns true if valid; else false and a
 * one-line reason in why ("missing target name", "port is not a number",
 * "protocol must be empty or 6", "LUN is not hex", ...). out is zeroed
 * first and may be partly filled on failure. why may be NULL.
 */
bool rootpath_parse(const char *s, struct rootpath *out, char *why, size_t why_cap);

#endif
