/* http.h: HTTP/1.x message heads and chunked bodies (RFC 9112), read from untrusted bytes. */
#ifndef NBC_PROTO_HTTP_H
#define NBC_PROTO_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/cursor.h"

#define HTTP_HEAD_MAX 16384	/* longer heads are refused as malformed */
#define HTTP_URI_MAX 512

struct http_head {
	bool request;
	char method[16];
	char uri[HTTP_URI_MAX];	/* printable; userinfo password redacted */
	bool uri_had_password;
	int version_minor;	/* HTTP/1.x */
	int status;		/* responses */
	char reason[64];
	int64_t content_length;	/* -1 when absent */
	bool chunked;
	bool conn_close;
	bool conn_keep_alive;
	char host[128];
	char location[HTTP_URI_MAX];	/* printable, redacted */
	char range[64];
	char content_range[64];
	char content_type[64];
	char user_agent[96];
	char auth_scheme[16];	/* Authorization header's scheme; its credentials are never kept */
	bool has_auth;
	char www_authenticate[16];	/* a 401's challenge scheme */
	unsigned headers;
};

/* Length of the head at p (through the empty line), 0 if it is not complete yet. */
size_t http_head_end(const uint8_t *p, size_t len);
/* True when v starts like a request line ("GET /", ...) or a status line ("HTTP/1."). */
bool http_looks_like_request(struct view v);
bool http_looks_like_response(struct view v);
/* Parses a complete head. Returns false when it is not an HTTP/1.x message. */
bool http_parse_head(struct view head, struct http_head *out);
/* The same; show_secrets keeps URI passwords as sent (for --show-secrets). */
bool http_parse_head_opts(struct view head, struct http_head *out, bool show_secrets);
/* Whether a response to method with this status carries a body (RFC 9112 6.3). */
bool http_response_has_body(const char *method, int status);

/* Decoder of a chunked body; feed it bytes as they arrive. */
struct http_chunker {
	int state;
	uint64_t left;		/* bytes of the current chunk still to come */
	unsigned digits;
	bool done;		/* last chunk and trailer read */
	bool bad;		/* not valid chunked framing */
};

void http_chunker_init(struct http_chunker *ch);
/*
 * Consumes bytes from p; *body gets the body bytes found (one piece per call,
 * possibly empty). Returns how many input bytes were used; call again with
 * the rest until it returns 0 or done/bad is set.
 */
size_t http_chunker_feed(struct http_chunker *ch, const uint8_t *p, size_t len,
			 struct view *body);

#endif
