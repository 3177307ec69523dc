/* http.c: the probe's HTTP client: GET of a script with a size cap, HEAD of the targets it names. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "firmware/fetch.h"
#include "probes/probe_priv.h"
#include "proto/http.h"
#include "proto/ipxescript.h"

#define WAIT_S 4.0		/* per connect, send or receive */
#define REDIRECTS 5
#define USER_AGENT "iPXE/1.0.0+ (netboot-check probe)"

static void put_err(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void put_err(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (!err || !cap)
		return;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}

static int ms_until(double until)
{
	double left = until - probe_now();

	if (left > WAIT_S)
		left = WAIT_S;
	return left <= 0 ? 0 : (int)(left * 1000.0) + 1;
}

static int tcp_connect(const struct fetch_url *u, double deadline, char *err, size_t cap)
{
	struct addrinfo hints, *res = NULL;
	char ports[8];
	int fd, rc, soerr = 0;
	socklen_t el = sizeof(soerr);
	struct pollfd pfd;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(ports, sizeof(ports), "%u", (unsigned)u->port);
	rc = getaddrinfo(u->host, ports, &hints, &res);
	if (rc != 0 || !res) {
		put_err(err, cap, "cannot resolve %s: %s", u->host, gai_strerror(rc));
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		put_err(err, cap, "socket: %s", strerror(errno));
		freeaddrinfo(res);
		return -1;
	}
	if (connect(fd, res->ai_addr, res->ai_addrlen) < 0 && errno != EINPROGRESS) {
		put_err(err, cap, "connect to %s:%u: %s", u->host, (unsigned)u->port, strerror(errno));
		freeaddrinfo(res);
		close(fd);
		return -1;
	}
	freeaddrinfo(res);
	pfd.fd = fd;
	pfd.events = POLLOUT;
	do
		rc = poll(&pfd, 1, ms_until(deadline));
	while (rc < 0 && errno == EINTR);
	if (rc <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &el) < 0 || soerr) {
		put_err(err, cap, "connect to %s:%u: %s", u->host, (unsigned)u->port,
			rc == 0 ? "no answer" : strerror(soerr ? soerr : errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int send_all(int fd, const char *p, size_t n, double deadline)
{
	while (n) {
		struct pollfd pfd = { fd, POLLOUT, 0 };
		ssize_t w;

		if (poll(&pfd, 1, ms_until(deadline)) <= 0)
			return -1;
		w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Some bytes, 0 at EOF, -1 on error, -2 when the wait ran out. */
static ssize_t recv_some(int fd, uint8_t *buf, size_t cap, double deadline)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	int rc = poll(&pfd, 1, ms_until(deadline));
	ssize_t n;

	if (rc == 0)
		return -2;
	if (rc < 0)
		return -1;
	n = recv(fd, buf, cap, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return -2;
	return n;
}

static void base64(const uint8_t *in, size_t n, char *out, size_t cap)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 < cap; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = tab[(v >> 18) & 63];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? tab[v & 63] : '=';
	}
	out[o] = '\0';
}

struct resp {
	struct http_head h;
	uint8_t *body;		/* GET: the first cap bytes, malloc'd */
	size_t len;
	uint64_t size;		/* body bytes read (at most cap + one read) */
	bool cut;		/* more body than cap: not read */
};

/* The request target: a path as a server named it may hold spaces, control bytes or
 * UTF-8, which a request line cannot carry; they go %-encoded, as iPXE's uri_encode does. */
static bool encode_path(const char *path, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (*p <= 0x20 || *p >= 0x7f) {
			if (n + 3 >= cap)
				return false;
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		} else {
			if (n + 1 >= cap)
				return false;
			out[n++] = (char)*p;
		}
	}
	out[n] = '\0';
	return true;
}

/*
 * One request on a new connection (Connection: close). HEAD reads the head only; GET
 * also up to cap body bytes. Returns 0 with out->h filled, -1 with err.
 */
static int exchange(const struct fetch_url *u, const char *method, bool auth, size_t cap,
		    double deadline, struct resp *out, char *err, size_t errcap)
{
	char req[1600], host[140], authh[400] = "", target[1200];
	uint8_t *buf = malloc(HTTP_HEAD_MAX);
	size_t have = 0, hend = 0;
	int fd = -1, n, rc = -1;

	memset(out, 0, sizeof(*out));
	if (!buf) {
		put_err(err, errcap, "out of memory");
		return -1;
	}
	if (u->port_given)
		snprintf(host, sizeof(host), "%s:%u", u->host, (unsigned)u->port);
	else
		snprintf(host, sizeof(host), "%s", u->host);
	if (auth) {
		char plain[200], enc[280];
		int pn = snprintf(plain, sizeof(plain), "%s:%s", u->user, u->password);

		if (pn > 0 && (size_t)pn < sizeof(plain)) {
			base64((const uint8_t *)plain, (size_t)pn, enc, sizeof(enc));
			snprintf(authh, sizeof(authh), "Authorization: Basic %s\r\n", enc);
		}
		explicit_bzero(plain, sizeof(plain));
		explicit_bzero(enc, sizeof(enc));
	}
	for (const unsigned char *p = (const unsigned char *)u->host; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f) {
			put_err(err, errcap, "the URL's host has a space or a control byte");
			goto out;
		}
	if (!encode_path(u->path, target, sizeof(target))) {
		explicit_bzero(authh, sizeof(authh));
		put_err(err, errcap, "request too long");
		goto out;
	}
	n = snprintf(req, sizeof(req),
		     "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: " USER_AGENT
		     "\r\nConnection: close\r\n%s\r\n",
		     method, target, host, authh);
	explicit_bzero(authh, sizeof(authh));
	if (n < 0 || (size_t)n >= sizeof(req)) {
		put_err(err, errcap, "request too long");
		goto out;
	}
	fd = tcp_connect(u, deadline, err, errcap);
	if (fd < 0)
		goto out;
	if (send_all(fd, req, (size_t)n, deadline) < 0) {
		put_err(err, errcap, "send to %s:%u failed", u->host, (unsigned)u->port);
		goto out;
	}
	while (!hend && have < HTTP_HEAD_MAX) {
		ssize_t got = recv_some(fd, buf + have, HTTP_HEAD_MAX - have, deadline);

		if (got == -2) {
			put_err(err, errcap, "no response from %s:%u", u->host, (unsigned)u->port);
			goto out;
		}
		if (got <= 0)
			break;
		have += (size_t)got;
		hend = http_head_end(buf, have);
	}
	if (!hend || !http_parse_head((struct view){ buf, hend }, &out->h) || out->h.request) {
		put_err(err, errcap, have == 0 ? "connection closed by %s:%u without a response"
					       : "malformed HTTP response from %s:%u",
			u->host, (unsigned)u->port);
		goto out;
	}
	rc = 0;
	if (strcmp(method, "GET") != 0 || !http_response_has_body(method, out->h.status) || cap == 0)
		goto out;
	out->body = malloc(cap);
	if (!out->body) {
		put_err(err, errcap, "out of memory");
		rc = -1;
		goto out;
	}
	{
		struct http_chunker ch;
		uint64_t left = out->h.content_length >= 0 ? (uint64_t)out->h.content_length : 0;
		bool to_eof = !out->h.chunked && out->h.content_length < 0;
		const uint8_t *p = buf + hend;
		size_t pn = have - hend;

		http_chunker_init(&ch);
		for (;;) {
			while (pn && !(!out->h.chunked && !to_eof && left == 0)) {
				struct view piece = { p, pn };
				size_t used = pn;

				if (out->h.chunked) {
					used = http_chunker_feed(&ch, p, pn, &piece);
					if (used == 0 || ch.bad)
						break;
				} else if (!to_eof && piece.len > left) {
					piece.len = used = (size_t)left;
				}
				if (!out->h.chunked && !to_eof)
					left -= piece.len;
				if (piece.len) {
					size_t k = cap - out->len < piece.len ? cap - out->len : piece.len;

					memcpy(out->body + out->len, piece.p, k);
					out->len += k;
					out->size += piece.len;
					if (k < piece.len)
						out->cut = true;
				}
				p += used;
				pn -= used;
			}
			if (ch.bad) {
				put_err(err, errcap, "bad chunked framing from %s:%u", u->host,
					(unsigned)u->port);
				break;
			}
			if (out->cut || ch.done || (!out->h.chunked && !to_eof && left == 0))
				break;
			{
				ssize_t got = recv_some(fd, buf, HTTP_HEAD_MAX, deadline);

				if (got == 0 && to_eof)
					break;
				if (got <= 0) {
					put_err(err, errcap, "%s:%u: the body stopped after %llu bytes",
						u->host, (unsigned)u->port, (unsigned long long)out->size);
					out->cut = true;
					break;
				}
				p = buf;
				pn = (size_t)got;
			}
		}
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	if (rc < 0) {
		free(out->body);
		out->body = NULL;
	}
	return rc;
}

/* Location (absolute, or an absolute path) against the current URL. */
static int follow(const struct fetch_url *cur, const char *loc, struct fetch_url *next)
{
	char url[700];

	if (strstr(loc, "://"))
		return fetch_url_parse(loc, next);
	if (loc[0] != '/')
		return -1;
	snprintf(url, sizeof(url), "%s://%s:%u%s", cur->scheme, cur->host, (unsigned)cur->port, loc);
	return fetch_url_parse(url, next);
}

/* Redirects and one Basic retry after a 401 (as iPXE). Returns 0 with a response, -1. */
static int request(const char *url, const char *method, size_t cap, double deadline,
		   struct resp *out, char *err, size_t errcap)
{
	struct fetch_url u, next;
	bool auth = false;
	int hops = 0, rc = -1;

	memset(out, 0, sizeof(*out));
	if (fetch_url_parse(url, &u) < 0 || strcmp(u.scheme, "http") != 0) {
		put_err(err, errcap, "only http:// URLs are fetched");
		return -1;
	}
	for (;;) {
		rc = -1;
		if (probe_now() >= deadline) {
			put_err(err, errcap, "--timeout reached");
			break;
		}
		if (exchange(&u, method, auth, cap, deadline, out, err, errcap) < 0)
			break;
		rc = 0;
		if (out->h.status == 401 && u.has_userinfo && !auth &&
		    strcasecmp(out->h.www_authenticate, "Basic") == 0) {
			free(out->body);
			out->body = NULL;
			auth = true;
			continue;
		}
		if (out->h.status >= 300 && out->h.status < 400 && out->h.location[0] &&
		    hops < REDIRECTS && follow(&u, out->h.location, &next) == 0 &&
		    strcmp(next.scheme, "http") == 0) {
			free(out->body);
			out->body = NULL;
			explicit_bzero(&u, sizeof(u));
			u = next;
			hops++;
			auth = false;
			continue;
		}
		break;
	}
	explicit_bzero(&u, sizeof(u));
	explicit_bzero(&next, sizeof(next));
	return rc;
}

int probe_http_get(const char *url, double deadline, size_t cap, int *status, uint8_t **body,
		   size_t *len, uint64_t *size, char *err, size_t errcap)
{
	struct resp r;

	*status = 0;
	*body = NULL;
	*len = 0;
	*size = 0;
	if (request(url, "GET", cap, deadline, &r, err, errcap) < 0)
		return -1;
	*status = r.h.status;
	*body = r.body;
	*len = r.len;
	*size = r.size;
	if (r.cut && err && !err[0])
		put_err(err, errcap, "larger than %zu bytes: only those were read", cap);
	return 0;
}

void probe_http_target(const char *url, double deadline, struct probe_target *t)
{
	struct resp r;

	t->checked = true;
	t->method = "HEAD";
	t->length = -1;
	if (request(url, "HEAD", 0, deadline, &r, t->error, sizeof(t->error)) < 0)
		return;
	/* Some servers refuse HEAD: a GET whose body is not read says the same. */
	if (r.h.status == 405 || r.h.status == 501) {
		t->method = "GET";
		if (request(url, "GET", 0, deadline, &r, t->error, sizeof(t->error)) < 0)
			return;
	}
	t->status = r.h.status;
	t->length = r.h.content_length;
	free(r.body);
}
