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
