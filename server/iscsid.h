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

/*
 * Detached mode, without sockets (fuzz/fuzz_iscsid.c, tests): connections whose socket is
 * replaced by callbacks, driven by iscsid_conn_feed with the bytes an initiator sends; the
 * same login, text, SCSI and logout handling. The login timer fires only through
 * iscsid_conn_expire. iscsid_free frees the connections left.
 */
struct iscsid_conn;
struct iscsid_conn_io {
	/* send(2): takes up to len bytes, returns how many (0: the socket buffer is full). */
	size_t (*write)(void *ctx, const uint8_t *p, size_t len);
	void (*closed)(void *ctx);	/* close(2): the connection is freed, forget it */
	void *ctx;
};
struct iscsid *iscsid_new_detached(const struct iscsid_conf *c, char *err, size_t errcap);
/* A connection from peer to local_ip:local_port (host order; SendTargets names it). NULL
 * when out of memory or at max_conns. io is copied. */
struct iscsid_conn *iscsid_conn_new(struct iscsid *d, const char *peer, uint32_t local_ip,
				    uint16_t local_port, const struct iscsid_conn_io *io);
/* The initiator sent p[0..len), then (eof) closed its side: the server writes what it can,
 * reads what fits (*used; feed the rest again later), answers, and may close (io->closed).
 * With len 0: the socket became writable. */
void iscsid_conn_feed(struct iscsid_conn *c, const uint8_t *p, size_t len, bool eof, size_t *used);
/* The login timer fires now (no effect after login). */
void iscsid_conn_expire(struct iscsid_conn *c);

#endif
