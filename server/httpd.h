/* httpd.h: netboot-serve's read-only HTTP/1.1 static file service (RFC 9110, RFC 9112). */
#ifndef NBC_SERVER_HTTPD_H
#define NBC_SERVER_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/loop.h"

/* Basic authentication (RFC 7617) for every URL path under prefix. */
struct httpd_auth {
	const char *prefix;	/* URL path prefix, e.g. "/private/" */
	const char *user;
	const char *password;	/* never logged */
};

struct httpd_conf {
	const char *root;	/* document root, served read-only */
	uint32_t listen_ip;	/* host byte order; 0 = any */
	uint16_t port;		/* 80; 0 = an ephemeral port (tests) */
	const struct httpd_auth *auth;	/* copied by httpd_new */
	size_t nauth;
	unsigned max_conns;	/* 0 = 256; beyond it a connection gets 503 and is closed */
	double idle_timeout;	/* seconds; 0 = 30 */
};

struct httpd;

/*
 * Binds the listening socket and registers it in the loop. Returns NULL with a one-line
 * error in err ("http: cannot bind 0.0.0.0:80: Permission denied") on failure.
 */
struct httpd *httpd_new(struct srv_loop *l, const struct httpd_conf *c, char *err,
			size_t errcap);
/* The bound port (useful with conf.port 0). */
uint16_t httpd_port(const struct httpd *h);
/* Closes every socket and file, cancels every timer, frees h. NULL is ignored. */
void httpd_free(struct httpd *h);

/*
 * Detached mode, without sockets (fuzz/fuzz_httpd.c, tests): connections whose socket is
 * replaced by callbacks, driven by httpd_conn_feed with the bytes a client sends; requests
 * go through the same parsing, resolution, authentication, Range and keep-alive handling.
 * Timers fire only through httpd_conn_expire. httpd_free frees the connections left.
 */
struct httpd_conn;
struct httpd_conn_io {
	/* send(2): takes up to len bytes, returns how many (0: the socket buffer is full,
	 * the server waits for the next httpd_conn_feed). */
	size_t (*write)(void *ctx, const uint8_t *p, size_t len);
	void (*shutdown)(void *ctx);	/* shutdown(SHUT_WR): nothing more will be written */
	void (*closed)(void *ctx);	/* close(2): the connection is freed, forget it */
	void *ctx;
};
struct httpd *httpd_new_detached(const struct httpd_conf *c, char *err, size_t errcap);
/* A new connection from peer ("192.0.2.10:40000"); NULL when out of memory or at max_conns.
 * io is copied. */
struct httpd_conn *httpd_conn_new(struct httpd *h, const char *peer,
				  const struct httpd_conn_io *io);
/* The client sent p[0..len), then (eof) shut down its side; the server reads what fits
 * (*used: how many bytes; feed the rest again later, as TCP would keep them), then writes
 * and may close (io->closed). Also with len 0: the socket became writable. */
void httpd_conn_feed(struct httpd_conn *c, const uint8_t *p, size_t len, bool eof, size_t *used);
/* The connection's timer (idle, or the drain after a close) fires as if its time had passed. */
void httpd_conn_expire(struct httpd_conn *c);

/*
 * Maps a URL path as sent (percent-encoded; a query or fragment is dropped) to a file
 * under root. Refuses '..' segments (also encoded), NUL bytes, bad escapes, anything
 * whose realpath() is outside realpath(root) (symlinks pointing out), directories (no
 * listing) and anything that is not a regular file. Returns 200 with the resolved path
 * in out, or 403 / 404.
 */
int httpd_resolve(const char *root, const char *url_path, char *out, size_t outcap);

/*
 * A Range header value (NULL: none) against a representation of size bytes (RFC 9110
 * 14.2): 0 when there is no range or it is ignored (malformed, another unit, several
 * ranges: the whole file is served, as 14.2 allows), 206 with *first..*last (inclusive)
 * set, or 416 when the single range is unsatisfiable.
 */
int httpd_range(const char *range, uint64_t size, uint64_t *first, uint64_t *last);

/* Content-Type by extension (case-insensitive); application/octet-stream by default. */
const char *httpd_content_type(const char *path);

/* Strict base64 (RFC 4648 4, padding optional). Returns the decoded length, or -1. */
long httpd_base64_decode(const char *in, size_t inlen, uint8_t *out, size_t outcap);

/*
 * Whether an Authorization header value (NULL: none) carries Basic credentials equal to
 * user and password (RFC 7617); compared in constant time.
 */
bool httpd_basic_auth_ok(const char *authorization, const char *user, const char *password);

#endif
