/* iscsid.h: netboot-serve's iSCSI target (RFC 7143): login, CHAP, discovery, disk images as LUNs. */
#ifndef NBC_SERVER_ISCSID_H
#define NBC_SERVER_ISCSID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/loop.h"

#define ISCSID_MAX_LUNS 8

struct iscsid_lun {
	uint64_t lun;		/* 0..16383 (SAM peripheral or flat addressing) */
	const char *path;	/* image file or block device, served in 512-byte blocks */
	bool rw;
};

struct iscsid_target {
	const char *name;	/* iqn.2026-11.test:disk0 */
	struct iscsid_lun luns[ISCSID_MAX_LUNS];
	size_t nluns;
	const char *chap_user;	/* NULL: no authentication */
	const char *chap_secret;	/* never logged */
};

struct iscsid_conf {
	uint32_t listen_ip;	/* host order; 0 = any */
	uint16_t port;		/* 3260; 0 = ephemeral (tests) */
	const struct iscsid_target *targets;
	size_t ntargets;
	unsigned max_conns;	/* 0 = 64 */
};

struct iscsid;

/* Opens the images (a missing image is an error), binds and listens, registers with l.
 * The conf is copied. Returns NULL and a one-line message in err on failure. */
struct iscsid *iscsid_new(struct srv_loop *l, const struct iscsid_conf *c, char *err, size_t errcap);
/* The bound TCP port (useful with port 0). */
uint16_t iscsid_port(const struct iscsid *t);
/* Closes every connection, the listener and the images. */
void iscsid_free(struct iscsid *t);

#endif
