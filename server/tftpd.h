/* tftpd.h: netboot-serve's read-only TFTP service (RFC 1350, 2347, 2348, 2349, 7440). */
#ifndef NBC_SERVER_TFTPD_H
#define NBC_SERVER_TFTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/loop.h"

struct tftpd_conf {
	const char *root;	/* directory served read-only */
	uint32_t listen_ip;	/* host byte order; 0 = any */
	uint16_t port;		/* 69; 0 = an ephemeral port (tests) */
	unsigned max_transfers;	/* concurrent; 0 = 512 */
	double timeout;		/* first retransmission timeout, seconds; 0 = 1.0 */
	unsigned retries;	/* per block before giving up; 0 = 5 */
	uint16_t max_blksize;	/* 0 = 65464 */
	uint16_t max_windowsize;	/* 0 = 64 */
};

struct tftpd;

/*
 * Binds the request socket and registers it in the loop. Returns NULL with a one-line
 * error in err ("tftp: cannot bind 0.0.0.0:69: Permission denied") on failure.
 */
struct tftpd *tftpd_new(struct srv_loop *l, const struct tftpd_conf *c, char *err,
			size_t errcap);
/* The bound port (useful with conf.port 0). */
uint16_t tftpd_port(const struct tftpd *t);
/* Closes every socket and file, cancels every timer, frees t. NULL is ignored. */
void tftpd_free(struct tftpd *t);

/*
 * Detached mode, without sockets (fuzz/fuzz_tftpd.c, tests): the same request and transfer
 * handling, driven by tftpd_handle. Every datagram the server would send goes to send,
 * from our port from_port (conf.port, default 69, for errors on the request port; a
 * transfer's TID port otherwise) to the peer's port to_port. Retransmission timers fire
 * only through tftpd_expire. Freed with tftpd_free.
 */
typedef void (*tftpd_send_fn)(void *ctx, uint16_t from_port, uint16_t to_port, const uint8_t *p,
			      size_t len);
struct tftpd *tftpd_new_detached(const struct tftpd_conf *c, tftpd_send_fn send, void *ctx,
				 char *err, size_t errcap);
/* One datagram from from_ip:from_port (host order) to our port to_port: the request port
 * or a transfer's TID (tftpd_transfers); to another port it is dropped. */
void tftpd_handle(struct tftpd *t, uint16_t to_port, uint32_t from_ip, uint16_t from_port,
		  const uint8_t *p, size_t len);
/* The retransmission timer of the transfer on port fires now. False if there is none. */
bool tftpd_expire(struct tftpd *t, uint16_t port);
/* The transfers' TID ports (at most cap of them); returns how many transfers there are. */
unsigned tftpd_transfers(const struct tftpd *t, uint16_t *ports, unsigned cap);

/*
 * Maps a requested name to a path under root: a leading '/' is taken relative to the
 * root (as tftpd-hpa -s does); '..' components, empty names, control bytes, and anything
 * whose realpath() is outside realpath(root) (symlinks pointing out) are refused, as are
 * directories and anything that is not a regular file. On success out holds the resolved
 * path and 0 is returned; otherwise a TFTP error code (1 not found, 2 access violation)
 * with a static reason in *why.
 */
int tftpd_resolve(const char *root, const char *name, char *out, size_t outcap,
		  const char **why);

#endif
