/* san.h: the reference firmware's sanboot/sanhook of an iSCSI root path, through libiscsi. */
#ifndef NBC_FIRMWARE_SAN_H
#define NBC_FIRMWARE_SAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct san_result {
	bool login_ok;
	bool bootable;		/* 0x55 0xAA at bytes 510-511 of LBA 0 */
	uint64_t blocks;
	uint32_t block_size;
	char vendor[9];		/* INQUIRY, trailing spaces kept as the target sent them */
	char product[17];
	char error[256];	/* "" when nothing failed; never holds the CHAP secret */
};

struct san_handle;	/* a logged-in session kept open (keep-san, sanhook, a booted disk) */

/*
 * Connects to the RFC 4173 root path (iscsi:server:proto:port:lun:target),
 * logs in (CHAP when user and password are given), TEST UNIT READY (as
 * iPXE's scsi.c; a UNIT ATTENTION is retried), INQUIRY, READ CAPACITY(10)
 * (16 when the disk is too big for 10), READ(10) of LBA 0 and checks 0x55AA
 * at 510.
 *
 * Returns 0 when the disk "booted" (bootable and !hook_only): the session
 * stays open for the booted system and goes to *handle (logged out at once
 * when handle is NULL). Returns 1 when registered but not booted: hook_only,
 * or a failed boot with keep (r->error says why); with keep the session stays
 * logged in and goes to *handle for the host to keep open until it exits,
 * then san_close; without keep it is logged out. Returns -1 on error, with
 * r->error filled ("login refused: Authentication failure", "no boot
 * signature on LBA 0", ...); a failed boot without keep logs out first.
 * initiator: the initiator IQN (see san_initiator_name); NULL uses
 * "iqn.2010-04.org.ipxe:unknown". *handle is set to NULL unless a session is
 * returned.
 */
int san_boot(const char *root_path, const char *initiator, const char *user, const char *password, bool keep,
	     bool hook_only, struct san_result *r, struct san_handle **handle);
void san_close(struct san_handle *h);	/* logout + destroy; NULL is fine */

/*
 * The initiator name iPXE gives itself when initiator-iqn (option 203) is
 * unset (src/net/tcp/iscsi.c): iqn.2010-04.org.ipxe:<hostname>, else
 * iqn.2010-04.org.ipxe:<uuid>; out is "" when both are empty. Returns out.
 */
char *san_initiator_name(const char *hostname, const char *uuid, char *out, size_t cap);

#endif
