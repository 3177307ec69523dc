/* httpd.c: netboot-serve's read-only HTTP/1.1 static file service (RFC 9110, RFC 9112). */
#include "server/httpd.h"
#include "proto/cursor.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proto/http.h"
#include "server/log.h"

#define OUT_CAP 65536		/* per-connection send buffer: response head, then file chunks */
#define TARGET_MAX 4096		/* longer request-targets get 414 */
#define SEND_BUDGET (1u << 20)	/* bytes per wakeup, so one fast client cannot starve the rest */
#define DRAIN_TIME 2.0		/* seconds to read and discard before a close (RFC 9112 9.6) */
#define CRED_MAX 512		/* decoded Basic credentials longer than this are refused */
#define EVICT_WAIT 2.0		/* at the cap, one waiting this long for a head makes room */

enum { ST_READ, ST_SEND, ST_DRAIN };

struct conn {
	struct httpd *h;
	struct conn *prev;
	struct conn *next;
	int fd;			/* -1 in detached mode: io stands for the socket */
	struct httpd_conn_io io;
	char peer[64];
	int state;
	bool peer_eof;		/* the client shut down its sending side */
	bool close_after;	/* close once this response is out */
	uint8_t in[HTTP_HEAD_MAX];
	size_t inlen;
	uint8_t *out;
	size_t outoff;
	size_t outlen;
	int file;		/* -1: none */
	uint64_t file_pos;
	uint64_t file_left;
	/* The response in flight, for its log line. */
	size_t head_len;
	uint64_t body_len;
	uint64_t sent;		/* head and body bytes sent */
	bool head_only;
	int status;
	char what[600];		/* "GET /boot.ipxe" (printable, userinfo redacted) */
	char note[160];
	double last;		/* last progress: a complete request or bytes sent */
	double drain_start;
	uint64_t timer;
};

struct auth_rule {
	char *prefix;
	char *user;
	char *password;
};

struct httpd {
	struct srv_loop *l;
	char *root;
	struct auth_rule *auth;
	size_t nauth;
	unsigned max_conns;
	double idle_timeout;
	int lfd;
	uint16_t port;
	uint64_t accept_timer;
	struct conn *conns;
	unsigned nconns;
	bool detached;		/* httpd_new_detached: no listener, l is ours */
};

/* ---- pure helpers ---- */

/*
 * Percent-decodes the path part of url (up to '?' or '#') and normalizes it: empty and
 * "." segments dropped, ".." refused (RFC 3986 5.2.4 would resolve it; a file server
 * must not let it climb, so it is refused outright). A trailing '/' is kept.
 * Returns 0, or 403 / 404 with *why set.
 */
static int normalize(const char *url, char *norm, size_t cap, const char **why)
{
	char dec[TARGET_MAX + 1];
	size_t n = 0;
	size_t o = 0;
	size_t i = 0;

	for (const char *p = url; *p && *p != '?' && *p != '#'; p++) {
		int c = (unsigned char)*p;

		if (c == '%') {
			int hi = hex_digit((unsigned char)p[1]);
			int lo = hi < 0 ? -1 : hex_digit((unsigned char)p[2]);

			if (lo < 0) {
				*why = "bad percent-encoding";
				return 404;
			}
			c = hi * 16 + lo;
			p += 2;
		}
		if (c == 0) {
			*why = "NUL byte in path";
			return 403;
		}
		if (n + 1 >= sizeof(dec)) {
			*why = "path too long";
			return 404;
		}
		dec[n++] = (char)c;
	}
	dec[n] = '\0';
	while (i < n) {
		size_t j = i;
		size_t len;

		while (j < n && dec[j] != '/')
			j++;
		len = j - i;
		if (len == 2 && dec[i] == '.' && dec[i + 1] == '.') {
			*why = "path traversal ('..')";
			return 403;
		}
		if (len && !(len == 1 && dec[i] == '.')) {
			if (o + 1 + len + 1 > cap) {
				*why = "path too long";
				return 404;
			}
			norm[o++] = '/';
			memcpy(norm + o, dec + i, len);
			o += len;
		}
		i = j + 1;
	}
	if (o + 2 > cap) {
		*why = "path too long";
		return 404;
	}
	if (o == 0 || (n && dec[n - 1] == '/'))
		norm[o++] = '/';
	norm[o] = '\0';
	return 0;
}

/* Whether real path p lies in real directory root (equal or below). */
static bool under(const char *p, const char *root)
{
	size_t n = strlen(root);

	if (n == 1 && root[0] == '/')
		return p[0] == '/';
	return strncmp(p, root, n) == 0 && (p[n] == '/' || p[n] == '\0');
}

/* Maps a normalized path (from normalize) to a regular file under root. */
static int resolve_norm(const char *root, const char *norm, char *out, size_t outcap,
			const char **why)
{
	char *rroot = realpath(root, NULL);
	char *full;
	char *real;
	size_t need;
	struct stat st;
	int err;

	if (!rroot) {
		*why = "document root missing";
		return 404;
	}
	need = strlen(root) + strlen(norm) + 1;
	full = malloc(need);
	if (!full) {
		free(rroot);
		*why = "out of memory";
		return 404;
	}
	snprintf(full, need, "%s%s", root, norm);
	real = realpath(full, NULL);
	err = errno;
	free(full);
	if (!real) {
		free(rroot);
		*why = err == EACCES ? "permission denied" : err == ELOOP ? "symlink loop" : "no such file";
		return err == EACCES || err == ELOOP ? 403 : 404;
	}
	if (!under(real, rroot)) {
		free(real);
		free(rroot);
		*why = "path leaves the document root (symlink)";
		return 403;
	}
	free(rroot);
	if (stat(real, &st) != 0) {
		free(real);
		*why = "no such file";
		return 404;
	}
	if (S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode)) {
		free(real);
		*why = S_ISDIR(st.st_mode) ? "directory (no listing)" : "not a regular file";
		return 403;
	}
	if (strlen(real) + 1 > outcap) {
		free(real);
		*why = "path too long";
		return 404;
	}
	memcpy(out, real, strlen(real) + 1);
	free(real);
	return 200;
}

int httpd_resolve(const char *root, const char *url_path, char *out, size_t outcap)
{
	char norm[TARGET_MAX + 2];
	const char *why = NULL;
	int rc = normalize(url_path, norm, sizeof(norm), &why);

	if (rc)
		return rc;
	return resolve_norm(root, norm, out, outcap, &why);
}

/* Reads 1*DIGIT at *p; saturates at UINT64_MAX. Returns false without a digit. */
static bool read_u64(const char **p, uint64_t *v)
{
	const char *s = *p;

	*v = 0;
	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		uint64_t d = (uint64_t)(*s - '0');

		*v = *v > (UINT64_MAX - d) / 10 ? UINT64_MAX : *v * 10 + d;
	}
	*p = s;
	return true;
}

static const char *skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

int httpd_range(const char *range, uint64_t size, uint64_t *first, uint64_t *last)
{
	const char *p;
	uint64_t a = 0;
	uint64_t b = UINT64_MAX;
	bool suffix = false;
	bool have = false;

	if (!range)
		return 0;
	p = skip_ows(range);
	/* The range unit is case-insensitive (RFC 9110 14.1). */
	if (strncasecmp(p, "bytes=", 6) != 0)
		return 0;
	p += 6;
	/* A list: OWS around commas and empty elements are allowed (RFC 9110 5.6.1). */
	for (;;) {
		p = skip_ows(p);
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == '\0')
			break;
		if (have)
			return 0;	/* several ranges: the whole file is served (RFC 9110 14.2) */
		if (*p == '-') {
			p++;
			if (!read_u64(&p, &b))
				return 0;
			suffix = true;
		} else {
			if (!read_u64(&p, &a) || *p != '-')
				return 0;
			p++;
			b = UINT64_MAX;
			if (*p >= '0' && *p <= '9') {
				read_u64(&p, &b);
				if (b < a)
					return 0;	/* invalid: ignored (RFC 9110 14.1.1) */
			}
		}
		have = true;
		p = skip_ows(p);
		if (*p != ',' && *p != '\0')
			return 0;
	}
	if (!have)
		return 0;
	if (suffix) {
		/* A suffix of 0 bytes is unsatisfiable; on an empty file, serve it whole. */
		if (b == 0)
			return 416;
		if (size == 0)
			return 0;
		*first = b >= size ? 0 : size - b;
		*last = size - 1;
		return 206;
	}
	if (a >= size)
		return 416;	/* first-pos beyond the end (RFC 9110 14.1.1) */
	*first = a;
	*last = b >= size ? size - 1 : b;
	return 206;
}

const char *httpd_content_type(const char *path)
{
	static const struct {
		const char *ext;
		const char *type;
	} types[] = {
		{ "ipxe", "text/plain" },
		{ "cfg", "text/plain" },
		{ "txt", "text/plain" },
		{ "iso", "application/x-iso9660-image" },
		{ "html", "text/html" },
		{ "htm", "text/html" },
	};
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash : path, '.');

	if (dot)
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcasecmp(dot + 1, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long httpd_base64_decode(const char *in, size_t inlen, uint8_t *out, size_t outcap)
{
	size_t n = inlen;
	size_t o = 0;
	uint32_t acc = 0;
	unsigned bits = 0;

	/* Up to two '=' pad the last quantum to four characters (RFC 4648 4). */
	if (n && in[n - 1] == '=') {
		n--;
		if (n && in[n - 1] == '=')
			n--;
		if (inlen % 4 != 0)
			return -1;
	}
	if (n % 4 == 1 || n > LONG_MAX / 3)
		return -1;	/* one character alone cannot carry a byte */
	for (size_t i = 0; i < n; i++) {
		int v = b64val((unsigned char)in[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6 | (uint32_t)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= outcap)
				return -1;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	return (long)o;
}

/* Constant time in the secret's contents and length: the loop runs over the secret. */
static bool ct_equal(const uint8_t *secret, size_t slen, const uint8_t *given, size_t glen)
{
	volatile uint8_t d = (uint8_t)(slen != glen);

	for (size_t i = 0; i < slen; i++)
		d = (uint8_t)(d | (secret[i] ^ given[i < glen ? i : 0]));
	return d == 0 && glen > 0;
}

bool httpd_basic_auth_ok(const char *authorization, const char *user, const char *password)
{
	uint8_t got[CRED_MAX];
	uint8_t want[CRED_MAX];
	const char *p;
	size_t tlen;
	size_t ulen = strlen(user);
	size_t plen = strlen(password);
	long n;
	bool ok;

	if (!authorization)
		return false;
	p = skip_ows(authorization);
	/* The scheme is case-insensitive (RFC 9110 11.1). */
	if (strncasecmp(p, "Basic", 5) != 0 || (p[5] != ' ' && p[5] != '\t'))
		return false;
	p = skip_ows(p + 5);
	tlen = strlen(p);
	while (tlen && (p[tlen - 1] == ' ' || p[tlen - 1] == '\t'))
		tlen--;
	n = httpd_base64_decode(p, tlen, got, sizeof(got));
	if (n <= 0 || ulen + 1 + plen > sizeof(want))
		return false;
	memcpy(want, user, ulen);
	want[ulen] = ':';
	memcpy(want + ulen + 1, password, plen);
	ok = ct_equal(want, ulen + 1 + plen, got, (size_t)n);
	memset(got, 0, sizeof(got));
	memset(want, 0, sizeof(want));
	return ok;
}

/* ---- the server ---- */

static void conn_free(struct conn *c);
static void conn_run(struct conn *c);
static void on_timer(struct srv_loop *l, void *ctx);

/* Finds header name in a complete head; returns how many times it occurs, *val the first. */
static unsigned find_header(const uint8_t *head, size_t len, const char *name, struct view *val)
{
	size_t nlen = strlen(name);
	size_t i = 0;
	unsigned count = 0;

	/* Skip the request line. */
	while (i < len && head[i] != '\n')
		i++;
	i++;
	while (i < len) {
		size_t e = i;
		size_t ve;

		while (e < len && head[e] != '\n')
			e++;
		ve = e;
		if (ve > i && head[ve - 1] == '\r')
			ve--;
		if (ve - i > nlen && head[i + nlen] == ':' &&
		    strncasecmp((const char *)head + i, name, nlen) == 0) {
			size_t s = i + nlen + 1;

			while (s < ve && (head[s] == ' ' || head[s] == '\t'))
				s++;
			while (ve > s && (head[ve - 1] == ' ' || head[ve - 1] == '\t'))
				ve--;
			if (count++ == 0 && val) {
				val->p = head + s;
				val->len = ve - s;
			}
		}
		i = e + 1;
	}
	return count;
}

/* Copies a header value into a C string; false if it is too long or has a NUL. */
static bool view_cstr(struct view v, char *dst, size_t cap)
{
	if (v.len >= cap || memchr(v.p, 0, v.len))
		return false;
	memcpy(dst, v.p, v.len);
	dst[v.len] = '\0';
	return true;
}

/* IMF-fixdate (RFC 9110 5.6.7), without the locale strftime would consult. */
static void http_date(time_t t, char *dst, size_t cap)
{
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const mo[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		snprintf(dst, cap, "Thu, 01 Jan 1970 00:00:00 GMT");
		return;
	}
	snprintf(dst, cap, "%s, %02d %s %04d %02d:%02d:%02d GMT", wd[tm.tm_wday % 7], tm.tm_mday,
		 mo[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 206: return "Partial Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 414: return "URI Too Long";
	case 416: return "Range Not Satisfiable";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

/* Appends to the output buffer; false if it does not fit. */
static bool out_add(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool out_add(struct conn *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf((char *)c->out + c->outlen, OUT_CAP - c->outlen, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= OUT_CAP - c->outlen)
		return false;
	c->outlen += (size_t)n;
	return true;
}

/* Starts a response head: status line, Date, Server, Connection. */
static void head_start(struct conn *c, int status)
{
	char date[40];

	c->status = status;
	c->outoff = 0;
	c->outlen = 0;
	c->sent = 0;
	http_date(time(NULL), date, sizeof(date));
	/* An origin server with a clock sends Date (RFC 9110 6.6.1). */
	out_add(c, "HTTP/1.1 %d %s\r\nDate: %s\r\nServer: netboot-serve\r\n", status,
		reason(status), date);
	if (c->close_after)
		out_add(c, "Connection: close\r\n");
}

/* An error response with a short text body; extra is more header lines (or ""). */
static void respond_error(struct conn *c, int status, const char *extra, const char *note)
{
	char body[96];
	int n = snprintf(body, sizeof(body), "%d %s\n", status, reason(status));
	size_t blen = n > 0 ? (size_t)n : 0;

	if (c->file >= 0)
		close(c->file);
	c->file = -1;
	c->file_left = 0;
	/* After these the rest of the stream cannot be trusted to be framed. */
	if (status == 400 || status == 408 || status == 414 || status == 431 || status >= 500)
		c->close_after = true;
	head_start(c, status);
	out_add(c, "%sContent-Type: text/plain\r\nContent-Length: %zu\r\n\r\n", extra, blen);
	c->head_len = c->outlen;
	c->body_len = c->head_only ? 0 : blen;
	if (!c->head_only)
		out_add(c, "%s", body);
	snprintf(c->note, sizeof(c->note), "%s", note ? note : "");
	c->state = ST_SEND;
}

/* The request-line's parts from the raw head (RFC 9112 3). */
struct reqline {
	struct view method;
	struct view target;
	struct view version;
};

static bool split_request_line(const uint8_t *p, size_t len, struct reqline *r)
{
	size_t e = 0;
	size_t s1;
	size_t s2;

	while (e < len && p[e] != '\n')
		e++;
	if (e > 0 && p[e - 1] == '\r')
		e--;
	for (s1 = 0; s1 < e && p[s1] != ' '; s1++)
		;
	for (s2 = s1 + 1; s2 < e && p[s2] != ' '; s2++)
		;
	if (s1 == 0 || s1 >= e || s2 >= e || s2 == s1 + 1)
		return false;
	r->method = (struct view){ p, s1 };
	r->target = (struct view){ p + s1 + 1, s2 - s1 - 1 };
	r->version = (struct view){ p + s2 + 1, e - s2 - 1 };
	return true;
}

/* tchar (RFC 9110 5.6.2) */
static bool is_token(struct view v)
{
	if (!v.len)
		return false;
	for (size_t i = 0; i < v.len; i++) {
		uint8_t ch = v.p[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9') || strchr("!#$%&'*+-.^_`|~", ch)))
			return false;
	}
	return true;
}

/* Longest auth rule whose prefix starts path, or NULL. */
static const struct auth_rule *auth_for(const struct httpd *h, const char *path)
{
	const struct auth_rule *best = NULL;

	for (size_t i = 0; i < h->nauth; i++) {
		size_t n = strlen(h->auth[i].prefix);

		if (strncmp(path, h->auth[i].prefix, n) == 0 &&
		    (!best || n > strlen(best->prefix)))
			best = &h->auth[i];
	}
	return best;
}

/* NULL when allowed, else the reason for the 401. */
static const char *auth_check(const struct httpd *h, const char *path, const char *authz)
{
	const struct auth_rule *r = auth_for(h, path);

	if (!r)
		return NULL;
	if (!authz)
		return "no credentials";
	if (!httpd_basic_auth_ok(authz, r->user, r->password))
		return "wrong credentials";
	return NULL;
}

static void respond_401(struct conn *c, const char *note)
{
	respond_error(c, 401, "WWW-Authenticate: Basic realm=\"netboot\", charset=\"UTF-8\"\r\n",
		      note);
}

/* Sets up the response to the complete head in[0..hlen). */
static void handle_request(struct conn *c, size_t hlen)
{
	struct httpd *h = c->h;
	struct http_head hd;
	struct reqline rl;
	struct view v;
	char target[TARGET_MAX + 1];
	char norm[TARGET_MAX + 2];
	char authz[CRED_MAX * 2];
	char path[PATH_MAX];
	char rangebuf[256];
	const char *authp = NULL;
	const char *why = NULL;
	const char *t;
	const char *rel;
	const char *rroot;
	char *rr;
	struct stat st;
	int rc;
	uint64_t first = 0;
	uint64_t last = 0;
	char date[40];
	unsigned nhost;
	bool body;

	c->head_only = false;
	c->close_after = false;
	c->note[0] = '\0';
	c->body_len = 0;
	if (!split_request_line(c->in, hlen, &rl)) {
		snprintf(c->what, sizeof(c->what), "(unparsable)");
		respond_error(c, 400, "", "unparsable request line");
		return;
	}
	if (!http_parse_head((struct view){ c->in, hlen }, &hd)) {
		char m[24];
		char u[200];

		view_to_printable(rl.method, m, sizeof(m));
		view_to_printable(rl.target, u, sizeof(u));
		snprintf(c->what, sizeof(c->what), "%s %s", m, u);
		if (rl.version.len == 8 && memcmp(rl.version.p, "HTTP/", 5) == 0 &&
		    rl.version.p[5] != '1' && rl.version.p[5] >= '0' && rl.version.p[5] <= '9')
			respond_error(c, 505, "", "HTTP major version not 1");
		else if (is_token(rl.method) && !http_looks_like_request((struct view){ c->in, hlen }) &&
			 rl.version.len == 8 && memcmp(rl.version.p, "HTTP/1.", 7) == 0 &&
			 rl.target.p[0] == '/')
			respond_error(c, 501, "", "unknown method");
		else
			respond_error(c, 400, "", "unparsable request");
		return;
	}
	snprintf(c->what, sizeof(c->what), "%s %s", hd.method, hd.uri);
	/* Heads must be in the buffer no longer than this call: find what we need now. */
	if (find_header(c->in, hlen, "Authorization", &v) == 1 && view_cstr(v, authz, sizeof(authz)))
		authp = authz;
	/* A request body we do not read would be taken as the next request: close after. */
	body = hd.content_length > 0 || find_header(c->in, hlen, "Transfer-Encoding", NULL) > 0;
	c->close_after = hd.conn_close || body;
	nhost = find_header(c->in, hlen, "Host", NULL);
	if (nhost > 1 || (nhost == 0 && hd.version_minor >= 1)) {
		/* RFC 9112 3.2: no Host in 1.1, or several: 400. */
		respond_error(c, 400, "", nhost ? "several Host headers" : "no Host header");
		return;
	}
	if (strcmp(hd.method, "HEAD") == 0)
		c->head_only = true;
	else if (strcmp(hd.method, "GET") != 0) {
		respond_error(c, 405, "Allow: GET, HEAD\r\n", "method not allowed");
		return;
	}
	if (rl.target.len > TARGET_MAX) {
		respond_error(c, 414, "", "request-target too long");
		return;
	}
	memcpy(target, rl.target.p, rl.target.len);
	target[rl.target.len] = '\0';
	t = target;
	/* The absolute form must be accepted too (RFC 9112 3.2.2); its authority is ignored. */
	if (strncasecmp(t, "http://", 7) == 0 || strncasecmp(t, "https://", 8) == 0) {
		t = strchr(strchr(t, ':') + 3, '/');
		if (!t)
			t = "/";
	}
	if (t[0] != '/') {
		respond_error(c, 400, "", "request-target not a path");
		return;
	}
	rc = normalize(t, norm, sizeof(norm), &why);
	if (rc) {
		respond_error(c, rc, "", why);
		return;
	}
	/* Before looking at the files: no existence probing under a protected prefix. */
	why = auth_check(h, norm, authp);
	if (why) {
		respond_401(c, why);
		return;
	}
	rc = resolve_norm(h->root, norm, path, sizeof(path), &why);
	if (rc != 200) {
		respond_error(c, rc, "", why);
		return;
	}
	/* A symlink elsewhere under the root could lead into a protected prefix: check the
	 * real path as well. */
	rr = realpath(h->root, NULL);
	rroot = rr ? rr : h->root;
	rel = path + (strcmp(rroot, "/") == 0 ? 0 : strlen(rroot));
	why = auth_check(h, rel, authp);
	free(rr);
	if (why) {
		respond_401(c, why);
		return;
	}
	c->file = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (c->file < 0 || fstat(c->file, &st) != 0 || !S_ISREG(st.st_mode)) {
		int e = errno;

		if (c->file >= 0)
			close(c->file);
		c->file = -1;
		respond_error(c, e == EACCES ? 403 : 404, "",
			      e == EACCES ? "permission denied" : "file vanished");
		return;
	}
	c->file_pos = 0;
	c->file_left = (uint64_t)st.st_size;
	rc = 0;
	/* Range is defined for GET only (RFC 9110 14.2). */
	if (!c->head_only && find_header(c->in, hlen, "Range", &v) == 1 &&
	    view_cstr(v, rangebuf, sizeof(rangebuf))) {
		struct view ir;

		rc = httpd_range(rangebuf, (uint64_t)st.st_size, &first, &last);
		http_date(st.st_mtime, date, sizeof(date));
		/* If-Range with a date: honour the range only if it is our Last-Modified and
		 * that is a strong validator, i.e. a second older than now (RFC 9110 13.1.5,
		 * 8.8.2.2). We send no ETag, so any entity-tag does not match. */
		if (rc && find_header(c->in, hlen, "If-Range", &ir) &&
		    !(ir.len == strlen(date) && memcmp(ir.p, date, ir.len) == 0 &&
		      st.st_mtime < time(NULL) - 1))
			rc = 0;
	}
	if (rc == 416) {
		char cr[64];

		snprintf(cr, sizeof(cr), "Content-Range: bytes */%llu\r\n",
			 (unsigned long long)st.st_size);
		respond_error(c, 416, cr, "range not satisfiable");
		snprintf(c->note, sizeof(c->note), "range %s not satisfiable (size %llu)",
			 rangebuf, (unsigned long long)st.st_size);
		return;
	}
	head_start(c, rc == 206 ? 206 : 200);
	http_date(st.st_mtime, date, sizeof(date));
	out_add(c, "Content-Type: %s\r\nAccept-Ranges: bytes\r\nLast-Modified: %s\r\n",
		httpd_content_type(path), date);
	if (rc == 206) {
		out_add(c, "Content-Range: bytes %llu-%llu/%llu\r\n", (unsigned long long)first,
			(unsigned long long)last, (unsigned long long)st.st_size);
		c->file_pos = first;
		c->file_left = last - first + 1;
		snprintf(c->note, sizeof(c->note), "(range %llu-%llu of %llu)",
			 (unsigned long long)first, (unsigned long long)last,
			 (unsigned long long)st.st_size);
	}
	/* HTTP/1.0 closes by default: say so when it asked to stay (RFC 9112 9.3). */
	if (!c->close_after && hd.version_minor == 0)
		out_add(c, "Connection: keep-alive\r\n");
	out_add(c, "Content-Length: %llu\r\n\r\n", (unsigned long long)c->file_left);
	c->head_len = c->outlen;
	if (c->head_only) {
		c->body_len = 0;
		snprintf(c->note, sizeof(c->note), "(length %llu, head only)",
			 (unsigned long long)c->file_left);
		close(c->file);
		c->file = -1;
		c->file_left = 0;
	} else {
		c->body_len = c->file_left;
	}
	c->state = ST_SEND;
}

static void set_events(struct conn *c, short ev)
{
	srv_loop_mod(c->h->l, c->fd, ev);
}

static void log_response(struct conn *c, const char *extra)
{
	uint64_t body = c->sent > c->head_len ? c->sent - c->head_len : 0;
	char of[32] = "";

	/* A cut-short body says how much was promised. */
	if (body < c->body_len)
		snprintf(of, sizeof(of), " of %llu", (unsigned long long)c->body_len);
	srv_log("http", c->peer, "%s -> %d %llu%s bytes%s%s%s", c->what, c->status,
		(unsigned long long)body, of, c->note[0] ? " " : "", c->note, extra ? extra : "");
}

/* Next request from the input buffer. 1: a response is ready, 0: wait for input,
 * -1: the connection was freed. */
static int next_request(struct conn *c)
{
	size_t hlen = http_head_end(c->in, c->inlen);

	if (!hlen) {
		if (c->inlen >= sizeof(c->in)) {
			c->close_after = true;
			c->head_only = false;
			snprintf(c->what, sizeof(c->what), "(head over %d bytes)", HTTP_HEAD_MAX);
			c->inlen = 0;
			respond_error(c, 431, "", "request head too large");
			return 1;
		}
		if (c->peer_eof) {
			if (c->inlen)
				srv_log("http", c->peer, "closed with an incomplete request (%zu bytes)",
					c->inlen);
			conn_free(c);
			return -1;
		}
		return 0;
	}
	c->last = srv_now();
	handle_request(c, hlen);
	memmove(c->in, c->in + hlen, c->inlen - hlen);
	c->inlen -= hlen;
	return 1;
}

static void start_drain(struct conn *c)
{
	/* Half-close, then read what the client still sends, so that closing does not
	 * reset the connection before it has read our response (RFC 9112 9.6). */
	if (c->fd >= 0)
		shutdown(c->fd, SHUT_WR);
	else if (c->io.shutdown)
		c->io.shutdown(c->io.ctx);
	c->state = ST_DRAIN;
	c->drain_start = srv_now();
	c->inlen = 0;
	if (c->timer)
		srv_timer_cancel(c->h->l, c->timer);
	c->timer = srv_timer_add(c->h->l, DRAIN_TIME, on_timer, c);
}

/* send(2), or in detached mode the write callback (taking nothing is EAGAIN). */
static ssize_t conn_send(struct conn *c, const uint8_t *p, size_t n)
{
	size_t w;

	if (c->fd >= 0)
		return send(c->fd, p, n, MSG_NOSIGNAL);
	w = c->io.write(c->io.ctx, p, n);
	if (w == 0) {
		errno = EAGAIN;
		return -1;
	}
	return (ssize_t)(w < n ? w : n);
}

/* Sends what it can. 1: response done, 0: wait for POLLOUT, -1: freed. */
static int send_some(struct conn *c)
{
	size_t budget = SEND_BUDGET;

	for (;;) {
		ssize_t w;

		if (c->outoff == c->outlen) {
			size_t want;
			ssize_t r;

			if (c->file_left == 0)
				return 1;
			if (budget == 0)
				return 0;
			want = c->file_left < OUT_CAP ? (size_t)c->file_left : OUT_CAP;
			r = pread(c->file, c->out, want, (off_t)c->file_pos);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				/* The length is promised: a shrunk or failing file ends the
				 * connection (RFC 9112 6.3: the client sees it incomplete). */
				log_response(c, r < 0 ? ", read error, closed" : ", file shrank, closed");
				conn_free(c);
				return -1;
			}
			c->outoff = 0;
			c->outlen = (size_t)r;
			c->file_pos += (uint64_t)r;
			c->file_left -= (uint64_t)r;
		}
		w = conn_send(c, c->out + c->outoff, c->outlen - c->outoff);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			log_response(c, ", client went away");
			conn_free(c);
			return -1;
		}
		c->outoff += (size_t)w;
		c->sent += (uint64_t)w;
		c->last = srv_now();
		budget = (size_t)w >= budget ? 0 : budget - (size_t)w;
	}
}

static void finish_response(struct conn *c)
{
	log_response(c, NULL);
	if (c->file >= 0)
		close(c->file);
	c->file = -1;
	c->outoff = c->outlen = 0;
	if (c->close_after)
		start_drain(c);
	else
		c->state = ST_READ;
}

static void conn_run(struct conn *c)
{
	for (;;) {
		int r;

		switch (c->state) {
		case ST_READ:
			r = next_request(c);
			if (r < 0)
				return;
			if (r == 0) {
				set_events(c, POLLIN);
				return;
			}
			break;
		case ST_SEND:
			r = send_some(c);
			if (r < 0)
				return;
			if (r == 0) {
				set_events(c, POLLOUT);
				return;
			}
			finish_response(c);
			break;
		default:
			if (c->peer_eof) {
				conn_free(c);
				return;
			}
			set_events(c, POLLIN);
			return;
		}
	}
}

static void on_conn(struct srv_loop *l, int fd, short revents, void *ctx)
{
	struct conn *c = ctx;

	(void)l;
	(void)fd;
	if (revents & POLLNVAL) {
		conn_free(c);
		return;
	}
	if (c->state == ST_DRAIN) {
		uint8_t junk[4096];
		ssize_t r = recv(c->fd, junk, sizeof(junk), 0);

		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			conn_free(c);
		return;
	}
	if (c->state == ST_READ && c->inlen < sizeof(c->in) &&
	    (revents & (POLLIN | POLLHUP | POLLERR))) {
		ssize_t r = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen, 0);

		if (r == 0) {
			c->peer_eof = true;
		} else if (r < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
				if (c->inlen)
					srv_log("http", c->peer, "connection error: %s", strerror(errno));
				conn_free(c);
				return;
			}
		} else {
			c->inlen += (size_t)r;
		}
	}
	conn_run(c);
}

static void on_timer(struct srv_loop *l, void *ctx)
{
	struct conn *c = ctx;
	double now = srv_now();
	double deadline = c->state == ST_DRAIN ? c->drain_start + DRAIN_TIME
					       : c->last + c->h->idle_timeout;

	c->timer = 0;
	if (now < deadline) {
		c->timer = srv_timer_add(l, deadline - now, on_timer, c);
		if (!c->timer)
			conn_free(c);
		return;
	}
	if (c->state == ST_READ && c->inlen) {
		/* A head that never completed (RFC 9110 15.5.9). */
		c->last = now;
		c->head_only = false;
		c->close_after = true;
		snprintf(c->what, sizeof(c->what), "(incomplete request, %zu bytes)", c->inlen);
		c->inlen = 0;
		respond_error(c, 408, "", "timed out waiting for the request head");
		c->timer = srv_timer_add(l, c->h->idle_timeout, on_timer, c);
		conn_run(c);
		return;
	}
	if (c->state == ST_SEND)
		log_response(c, ", send timed out, closed");
	conn_free(c);
}

static void conn_free(struct conn *c)
{
	struct httpd *h = c->h;

	if (c->fd >= 0) {
		srv_loop_del(h->l, c->fd);
		close(c->fd);
	} else if (c->io.closed) {
		c->io.closed(c->io.ctx);
	}
	if (c->file >= 0)
		close(c->file);
	if (c->timer)
		srv_timer_cancel(h->l, c->timer);
	if (c->prev)
		c->prev->next = c->next;
	else
		h->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	h->nconns--;
	free(c->out);
	free(c);
}

static void on_listen(struct srv_loop *l, int fd, short revents, void *ctx);

static void resume_accept(struct srv_loop *l, void *ctx)
{
	struct httpd *h = ctx;

	h->accept_timer = 0;
	srv_loop_mod(l, h->lfd, POLLIN);
}

static void peer_name(const struct sockaddr_in *sa, char *dst, size_t cap)
{
	char ip[INET_ADDRSTRLEN];

	if (!inet_ntop(AF_INET, &sa->sin_addr, ip, sizeof(ip)))
		snprintf(ip, sizeof(ip), "?");
	snprintf(dst, cap, "%s:%u", ip, (unsigned)ntohs(sa->sin_port));
}

static void refuse_busy(struct httpd *h, int fd, const char *peer)
{
	static const char msg[] = "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n"
				  "Content-Type: text/plain\r\nContent-Length: 24\r\n\r\n"
				  "503 Service Unavailable\n";
	ssize_t w = send(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);

	(void)w;	/* best effort: the client is told why if the buffer takes it */
	srv_log("http", peer, "refused: %u connections open (max %u) -> 503", h->nconns,
		h->max_conns);
	shutdown(fd, SHUT_WR);
	close(fd);
}

/* Links a new connection (c->out allocated) in and starts its idle timer. Returns false
 * when c was freed (no timer). */
static bool conn_start(struct httpd *h, struct conn *c, int fd, const char *peer)
{
	c->h = h;
	c->fd = fd;
	c->file = -1;
	c->state = ST_READ;
	c->last = srv_now();
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	c->next = h->conns;
	if (h->conns)
		h->conns->prev = c;
	h->conns = c;
	h->nconns++;
	c->timer = srv_timer_add(h->l, h->idle_timeout, on_timer, c);
	if (!c->timer) {
		conn_free(c);
		return false;
	}
	return true;
}

/*
 * At the cap: closes the connection that has waited longest for a request head (an idle
 * keep-alive one, or a slowloris client trickling its head), if that is EVICT_WAIT s or
 * more. Without this max_conns stalled connections lock every new client out (503) until
 * the idle timeout; connections sending a response are never closed here.
 */
static bool make_room(struct httpd *h)
{
	double now = srv_now();
	struct conn *old = NULL;

	for (struct conn *c = h->conns; c; c = c->next)
		if (c->state == ST_READ && now - c->last >= EVICT_WAIT &&
		    (!old || c->last < old->last))
			old = c;
	if (!old)
		return false;
	srv_log("http", old->peer,
		"closed to make room: waited %.1f s for a request (%zu bytes of a head), "
		"%u connections (max %u)",
		now - old->last, old->inlen, h->nconns, h->max_conns);
	conn_free(old);
	return true;
}

static void on_listen(struct srv_loop *l, int fd, short revents, void *ctx)
{
	struct httpd *h = ctx;

	(void)revents;
	for (int i = 0; i < 64; i++) {
		struct sockaddr_in sa;
		socklen_t slen = sizeof(sa);
		int cfd = accept(fd, (struct sockaddr *)&sa, &slen);
		struct conn *c;
		char peer[64];

		if (cfd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				/* Out of descriptors: stop polling the listener for a while
				 * instead of spinning on it. */
				srv_log("http", NULL, "accept: %s; pausing for 1 s", strerror(errno));
				srv_loop_mod(l, fd, 0);
				h->accept_timer = srv_timer_add(l, 1.0, resume_accept, h);
				if (!h->accept_timer)
					resume_accept(l, h);
			}
			return;
		}
		peer_name(&sa, peer, sizeof(peer));
		if (fcntl(cfd, F_SETFL, fcntl(cfd, F_GETFL) | O_NONBLOCK) != 0 ||
		    fcntl(cfd, F_SETFD, FD_CLOEXEC) != 0) {
			close(cfd);
			continue;
		}
		if (h->nconns >= h->max_conns && !make_room(h)) {
			refuse_busy(h, cfd, peer);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c)
			c->out = malloc(OUT_CAP);
		if (!c || !c->out || srv_loop_add(l, cfd, POLLIN, on_conn, c) != 0) {
			if (c)
				free(c->out);
			free(c);
			close(cfd);
			srv_log("http", peer, "out of memory, connection closed");
			continue;
		}
		(void)conn_start(h, c, cfd, peer);
	}
}

static char *dup_str(const char *s)
{
	size_t n = strlen(s ? s : "") + 1;
	char *d = malloc(n);

	if (d)
		memcpy(d, s ? s : "", n);
	return d;
}

/* The service without its listening socket: conf checked and copied. */
static struct httpd *httpd_alloc(struct srv_loop *l, const struct httpd_conf *conf, char *err,
				 size_t errcap)
{
	struct httpd *h = calloc(1, sizeof(*h));

	if (!h) {
		snprintf(err, errcap, "http: out of memory");
		return NULL;
	}
	h->l = l;
	h->lfd = -1;
	h->max_conns = conf->max_conns ? conf->max_conns : 256;
	h->idle_timeout = conf->idle_timeout > 0 ? conf->idle_timeout : 30.0;
	h->root = dup_str(conf->root);
	h->auth = conf->nauth ? calloc(conf->nauth, sizeof(*h->auth)) : NULL;
	if (!h->root || (conf->nauth && !h->auth))
		goto oom;
	for (size_t i = 0; i < conf->nauth; i++) {
		h->nauth++;
		h->auth[i].prefix = dup_str(conf->auth[i].prefix);
		h->auth[i].user = dup_str(conf->auth[i].user);
		h->auth[i].password = dup_str(conf->auth[i].password);
		if (!h->auth[i].prefix || !h->auth[i].user || !h->auth[i].password)
			goto oom;
	}
	if (!conf->root || !conf->root[0]) {
		snprintf(err, errcap, "http: no document root");
		httpd_free(h);
		return NULL;
	}
	return h;
oom:
	snprintf(err, errcap, "http: out of memory");
	httpd_free(h);
	return NULL;
}

struct httpd *httpd_new(struct srv_loop *l, const struct httpd_conf *conf, char *err,
			size_t errcap)
{
	struct httpd *h = httpd_alloc(l, conf, err, errcap);
	struct sockaddr_in sa;
	socklen_t slen = sizeof(sa);
	char addr[INET_ADDRSTRLEN];
	int one = 1;

	if (!h)
		return NULL;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(conf->listen_ip);
	sa.sin_port = htons(conf->port);
	inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof(addr));
	h->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->lfd < 0) {
		snprintf(err, errcap, "http: socket: %s", strerror(errno));
		httpd_free(h);
		return NULL;
	}
	setsockopt(h->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(h->lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(h->lfd, 128) != 0) {
		snprintf(err, errcap, "http: cannot bind %s:%u: %s", addr, (unsigned)conf->port,
			 strerror(errno));
		httpd_free(h);
		return NULL;
	}
	if (getsockname(h->lfd, (struct sockaddr *)&sa, &slen) != 0) {
		snprintf(err, errcap, "http: getsockname: %s", strerror(errno));
		httpd_free(h);
		return NULL;
	}
	h->port = ntohs(sa.sin_port);
	if (srv_loop_add(l, h->lfd, POLLIN, on_listen, h) != 0) {
		snprintf(err, errcap, "http: out of memory");
		httpd_free(h);
		return NULL;
	}
	return h;
}

uint16_t httpd_port(const struct httpd *h)
{
	return h->port;
}

void httpd_free(struct httpd *h)
{
	if (!h)
		return;
	for (struct conn *c = h->conns, *n; c; c = n) {
		n = c->next;
		conn_free(c);
	}
	if (h->accept_timer)
		srv_timer_cancel(h->l, h->accept_timer);
	if (h->lfd >= 0) {
		srv_loop_del(h->l, h->lfd);
		close(h->lfd);
	}
	for (size_t i = 0; i < h->nauth; i++) {
		free(h->auth[i].prefix);
		free(h->auth[i].user);
		if (h->auth[i].password) {
			memset(h->auth[i].password, 0, strlen(h->auth[i].password));
			free(h->auth[i].password);
		}
	}
	free(h->auth);
	free(h->root);
	if (h->detached)
		srv_loop_free(h->l);	/* the loop is ours */
	free(h);
}

/* ---- detached mode ---- */

struct httpd *httpd_new_detached(const struct httpd_conf *conf, char *err, size_t errcap)
{
	struct srv_loop *l = srv_loop_new();
	struct httpd *h;

	if (!l) {
		snprintf(err, errcap, "http: out of memory");
		return NULL;
	}
	h = httpd_alloc(l, conf, err, errcap);
	if (!h) {
		srv_loop_free(l);
		return NULL;
	}
	h->detached = true;
	return h;
}

/* struct httpd_conn is the public name of a detached struct conn. */
struct httpd_conn *httpd_conn_new(struct httpd *h, const char *peer,
				  const struct httpd_conn_io *io)
{
	struct conn *c;

	if (!h->detached || h->nconns >= h->max_conns)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c)
		c->out = malloc(OUT_CAP);
	if (!c || !c->out) {
		if (c)
			free(c->out);
		free(c);
		return NULL;
	}
	c->io = *io;
	if (!conn_start(h, c, -1, peer ? peer : "-"))
		return NULL;	/* freed; io->closed was called */
	return (struct httpd_conn *)c;
}

void httpd_conn_feed(struct httpd_conn *hc, const uint8_t *p, size_t len, bool eof, size_t *used)
{
	struct conn *c = (struct conn *)hc;
	size_t n = 0;

	*used = 0;
	/* What on_conn does with a readable (or writable) socket. */
	if (c->state == ST_DRAIN) {
		*used = len;	/* read and discarded */
		if (eof)
			conn_free(c);
		return;
	}
	if (c->state == ST_READ && c->inlen < sizeof(c->in)) {
		n = sizeof(c->in) - c->inlen;
		if (n > len)
			n = len;
		if (n)
			memcpy(c->in + c->inlen, p, n);
		c->inlen += n;
		*used = n;
		if (eof && n == len)
			c->peer_eof = true;
	}
	conn_run(c);
}

void httpd_conn_expire(struct httpd_conn *hc)
{
	struct conn *c = (struct conn *)hc;

	if (!c->timer)
		return;
	srv_timer_cancel(c->h->l, c->timer);
	c->timer = 0;
	/* As if the idle (or drain) time had passed without progress. */
	c->last -= c->h->idle_timeout;
	c->drain_start -= DRAIN_TIME;
	on_timer(c->h->l, c);
}
