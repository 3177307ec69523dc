/* fetch.c: TFTP and HTTP file transfer clients of the reference firmware (blocking, poll-bounded). */
#include "firmware/fetch.h"

#include "proto/http.h"
#include "proto/tftp.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define IPXE_USER_AGENT "iPXE/1.0.0+"
#define PXE_ROM_BLKSIZE 1432	/* capture dhcpd-209-not-sent frame 29 */
#define PXELINUX_BLKSIZE 1408	/* same capture, ldlinux.c32 and pxelinux.cfg/ RRQs */
#define IPXE_BLKSIZE 1432	/* iPXE TFTP_MAX_BLKSIZE */

/* ---- shared helpers ---- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double opt_timeout(const struct fetch_opts *o)
{
	return o && o->timeout > 0 ? o->timeout : 4.0;
}

__attribute__((format(printf, 2, 3))) static void set_error(struct fetch_result *r,
							     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
}

/* Milliseconds left until deadline for poll, at least 0. */
static int ms_left(double deadline)
{
	double left = deadline - now_s();

	if (left <= 0)
		return 0;
	if (left > 3600)
		left = 3600;
	return (int)(left * 1000.0) + 1;
}

/* A printable copy of untrusted bytes for an error line. */
static void printable(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < cap; i++)
		out[o++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	out[o] = '\0';
}

/* Where the body goes: small, and save_path if any. */
struct sink {
	struct fetch_result *r;
	FILE *f;
	const char *path;
	bool failed;
};

static int sink_open(struct sink *k, struct fetch_result *r, const char *path)
{
	k->r = r;
	k->f = NULL;
	k->path = path;
	k->failed = false;
	free(r->small);
	r->small = malloc(FETCH_SMALL_MAX + 1);
	if (!r->small) {
		set_error(r, "out of memory");
		return -1;
	}
	r->small[0] = 0;
	r->small_len = 0;
	r->size = 0;
	if (path) {
		k->f = fopen(path, "wb");
		if (!k->f) {
			set_error(r, "cannot write %s: %s", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int sink_put(struct sink *k, const uint8_t *p, size_t n)
{
	struct fetch_result *r = k->r;

	if (r->small_len < FETCH_SMALL_MAX) {
		size_t take = FETCH_SMALL_MAX - r->small_len;

		if (take > n)
			take = n;
		memcpy(r->small + r->small_len, p, take);
		r->small_len += take;
		r->small[r->small_len] = 0;
	}
	r->size += n;
	if (k->f && n && fwrite(p, 1, n, k->f) != n) {
		set_error(r, "cannot write %s: %s", k->path, strerror(errno));
		k->failed = true;
		return -1;
	}
	return 0;
}

/* Closes the file; a failed fetch leaves no partial file behind. */
static int sink_close(struct sink *k, bool ok)
{
	int rc = 0;

	if (k->f) {
		if (fclose(k->f) != 0 && ok) {
			set_error(k->r, "cannot write %s: %s", k->path, strerror(errno));
			rc = -1;
		}
		k->f = NULL;
		if (!ok || rc)
			unlink(k->path);
	}
	if (!ok || rc) {
		free(k->r->small);
		k->r->small = NULL;
		k->r->small_len = 0;
	}
	return rc;
}

/* Overwrites r: a previous result's small must have been freed (fetch_result_free). */
static void result_init(struct fetch_result *r)
{
	memset(r, 0, sizeof(*r));
	r->tsize = -1;
}

void fetch_result_free(struct fetch_result *r)
{
	if (!r)
		return;
	free(r->small);
	r->small = NULL;
	r->small_len = 0;
}

/* ---- TFTP ---- */

struct tftp_xfer {
	int fd;
	struct sockaddr_in server;	/* request port */
	struct sockaddr_in peer;	/* the server's transfer TID once known */
	bool have_peer;
	const char *name;
	const struct fetch_opts *o;
	struct fetch_result *r;
	uint8_t last[600];	/* the packet to resend on timeout (RRQ or ACK) */
	size_t last_len;
	bool last_to_peer;
};

static uint16_t persona_blksize(const struct fetch_opts *o)
{
	if (o->blksize)
		return o->blksize;
	return o->persona == FETCH_PXELINUX ? PXELINUX_BLKSIZE : PXE_ROM_BLKSIZE;
}

static bool put_str(uint8_t *out, size_t cap, size_t *len, const char *s)
{
	size_t n = strlen(s) + 1;

	if (*len + n > cap)
		return false;
	memcpy(out + *len, s, n);
	*len += n;
	return true;
}

/*
 * The RRQ as the persona writes it. pxelinux puts tsize before blksize, which
 * tftp_encode_request cannot express, so the options are written here.
 */
static size_t build_rrq(const char *name, bool tsize_first, uint16_t blksize, uint8_t *out,
			size_t cap)
{
	char bs[8];
	size_t len = 2;

	if (cap < 2)
		return 0;
	out[0] = 0;
	out[1] = TFTP_RRQ;
	snprintf(bs, sizeof(bs), "%u", (unsigned)blksize);
	if (!put_str(out, cap, &len, name) || !put_str(out, cap, &len, "octet"))
		return 0;
	if (tsize_first) {
		if (!put_str(out, cap, &len, "tsize") || !put_str(out, cap, &len, "0") ||
		    !put_str(out, cap, &len, "blksize") || !put_str(out, cap, &len, bs))
			return 0;
	} else {
		if (!put_str(out, cap, &len, "blksize") || !put_str(out, cap, &len, bs) ||
		    !put_str(out, cap, &len, "tsize") || !put_str(out, cap, &len, "0"))
			return 0;
	}
	return len;
}

static int tftp_send_last(struct tftp_xfer *x)
{
	const struct sockaddr_in *to = x->last_to_peer ? &x->peer : &x->server;

	if (sendto(x->fd, x->last, x->last_len, 0, (const struct sockaddr *)to, sizeof(*to)) < 0) {
		set_error(x->r, "TFTP send to %s: %s", inet_ntoa(to->sin_addr), strerror(errno));
		return -1;
	}
	return 0;
}

static void tftp_send_to_peer(struct tftp_xfer *x, const uint8_t *p, size_t n)
{
	/* Best effort: a lost ERROR only costs the server a timeout. */
	(void)sendto(x->fd, p, n, 0, (const struct sockaddr *)&x->peer, sizeof(x->peer));
}

static int tftp_ack(struct tftp_xfer *x, uint16_t block)
{
	x->last_len = tftp_encode_ack(block, x->last, sizeof(x->last));
	x->last_to_peer = true;
	return tftp_send_last(x);
}

static void tftp_abort(struct tftp_xfer *x, uint16_t code, const char *msg)
{
	uint8_t pkt[128];
	size_t n = tftp_encode_error(code, msg, pkt, sizeof(pkt));

	if (n)
		tftp_send_to_peer(x, pkt, n);
}

/*
 * Waits for the next packet of the transfer, resending the last packet on
 * each timeout up to o->retries times. Returns its length, or -1 (error set).
 */
static ssize_t tftp_recv(struct tftp_xfer *x, uint8_t *buf, size_t cap)
{
	double timeout = opt_timeout(x->o);
	unsigned tries = 0;
	double deadline = now_s() + timeout;

	for (;;) {
		struct pollfd pfd = { x->fd, POLLIN, 0 };
		int pr = poll(&pfd, 1, ms_left(deadline));

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0) {
			set_error(x->r, "poll: %s", strerror(errno));
			return -1;
		}
		if (pr == 0) {
			if (tries >= x->o->retries) {
				set_error(x->r, "timeout after %u retries", tries);
				return -1;
			}
			tries++;
			x->r->retransmits++;
			if (tftp_send_last(x) < 0)
				return -1;
			deadline = now_s() + timeout;
			continue;
		}
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(x->fd, buf, cap, 0, (struct sockaddr *)&from, &fl);

		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			/* ICMP port unreachable from the server shows up here */
			set_error(x->r, "TFTP receive: %s", strerror(errno));
			return -1;
		}
		if (from.sin_addr.s_addr != x->server.sin_addr.s_addr)
			continue;
		if (!x->have_peer) {
			x->peer = from;
			x->have_peer = true;
		} else if (from.sin_port != x->peer.sin_port) {
			/* RFC 1350 section 4: another TID gets ERROR 5, the transfer goes on. */
			uint8_t pkt[64];
			size_t m = tftp_encode_error(TFTP_ERR_UNKNOWN_TID, "Unknown transfer ID",
						     pkt, sizeof(pkt));

			if (m)
				(void)sendto(x->fd, pkt, m, 0, (const struct sockaddr *)&from,
					     sizeof(from));
			continue;
		}
		return n;
	}
}

static int tftp_open_socket(struct tftp_xfer *x, struct fetch_result *r)
{
	struct sockaddr_in any;

	x->fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (x->fd < 0) {
		set_error(r, "socket: %s", strerror(errno));
		return -1;
	}
	memset(&any, 0, sizeof(any));
	any.sin_family = AF_INET;
	if (bind(x->fd, (const struct sockaddr *)&any, sizeof(any)) < 0) {
		set_error(r, "bind: %s", strerror(errno));
		close(x->fd);
		x->fd = -1;
		return -1;
	}
	x->have_peer = false;
	return 0;
}

static void tftp_error_line(struct tftp_xfer *x, const struct tftp_pkt *t)
{
	char msg[160];

	printable(t->errmsg.p, t->errmsg.len, msg, sizeof(msg));
	set_error(x->r, "TFTP error %u (%s) for %s", (unsigned)t->errcode,
		  msg[0] ? msg : tftp_errcode_name(t->errcode), x->name);
}

/*
 * The probe UEFI PXE sends before loading its NBP: RRQ with tsize, read the
 * OACK, abort with ERROR 8 (seen from OVMF edk2 2022.11, protocol facts).
 */
static int tftp_probe(struct tftp_xfer *x, uint16_t blksize, uint8_t *buf, size_t cap)
{
	struct tftp_pkt t;

	if (tftp_open_socket(x, x->r) < 0)
		return -1;
	x->last_len = build_rrq(x->name, true, blksize, x->last, sizeof(x->last));
	x->last_to_peer = false;
	if (!x->last_len) {
		set_error(x->r, "file name too long: %s", x->name);
		goto fail;
	}
	if (tftp_send_last(x) < 0)
		goto fail;
	for (;;) {
		ssize_t n = tftp_recv(x, buf, cap);

		if (n < 0)
			goto fail;
		if (tftp_decode(buf, (size_t)n, &t) < 0)
			continue;
		if (t.op == TFTP_ERROR) {
			tftp_error_line(x, &t);
			goto fail;
		}
		if (t.op == TFTP_OACK) {
			x->r->tsize = t.tsize;
			break;
		}
		if (t.op == TFTP_DATA)	/* no option support: the size stays unknown */
			break;
	}
	tftp_abort(x, TFTP_ERR_OPTION, "User aborted the transfer");
	close(x->fd);
	x->fd = -1;
	return 0;
fail:
	close(x->fd);
	x->fd = -1;
	return -1;
}

int fetch_tftp(uint32_t server, uint16_t port, const char *name, const struct fetch_opts *o,
	       struct fetch_result *r)
{
	static const struct fetch_opts defaults = { FETCH_PXE_ROM, 0, 3, NULL, 0, false };
	struct tftp_xfer x;
	struct sink k;
	struct tftp_pkt t;
	uint8_t *buf;
	size_t cap = TFTP_BLKSIZE_MAX + 4;
	uint16_t want_blksize, blksize = TFTP_DEFAULT_BLKSIZE, expect = 1;
	int64_t probed_tsize = -1;
	unsigned stale = 0;	/* packets in a row that did not move the transfer on */
	bool done = false, ok = false;

	result_init(r);
	if (!o)
		o = &defaults;
	memset(&x, 0, sizeof(x));
	x.fd = -1;
	x.name = name;
	x.o = o;
	x.r = r;
	x.server.sin_family = AF_INET;
	x.server.sin_addr.s_addr = htonl(server);
	x.server.sin_port = htons(port ? port : TFTP_PORT);
	want_blksize = persona_blksize(o);
	if (!name || !*name) {
		set_error(r, "TFTP: empty file name");
		return -1;
	}
	if (want_blksize < TFTP_BLKSIZE_MIN) {
		set_error(r, "TFTP: blksize %u out of range", (unsigned)want_blksize);
		return -1;
	}
	buf = malloc(cap);
	if (!buf) {
		set_error(r, "out of memory");
		return -1;
	}
	if (o->probe) {
		if (tftp_probe(&x, want_blksize, buf, cap) < 0)
			goto out;
		probed_tsize = r->tsize;
	}
	if (tftp_open_socket(&x, r) < 0)
		goto out;
	x.last_len = build_rrq(name, o->persona == FETCH_PXELINUX, want_blksize, x.last,
			       sizeof(x.last));
	x.last_to_peer = false;
	if (!x.last_len) {
		set_error(r, "file name too long: %s", name);
		goto out;
	}
	if (sink_open(&k, r, o->save_path) < 0) {
		sink_close(&k, false);
		goto out;
	}
	if (tftp_send_last(&x) < 0)
		goto fail;
	while (!done) {
		ssize_t n = tftp_recv(&x, buf, cap);

		if (n < 0)
			goto fail;
		/* A peer that only repeats itself must not keep us here forever. */
		if (++stale > 64 + 16 * o->retries) {
			tftp_abort(&x, TFTP_ERR_UNDEF, "No progress");
			set_error(r, "TFTP: no progress after block %u of %s", (unsigned)(expect - 1),
				  name);
			goto fail;
		}
		if (tftp_decode(buf, (size_t)n, &t) < 0)
			continue;
		switch (t.op) {
		case TFTP_ERROR:
			tftp_error_line(&x, &t);
			goto fail;
		case TFTP_OACK:
			if (expect != 1)	/* a late duplicate OACK: ACK 0 again */
				break;
			if (t.blksize > 0) {
				if (t.blksize > want_blksize || t.blksize < TFTP_BLKSIZE_MIN) {
					tftp_abort(&x, TFTP_ERR_OPTION, "Bad blksize");
					set_error(r, "TFTP OACK blksize %ld for %s, asked %u", t.blksize,
						  name, (unsigned)want_blksize);
					goto fail;
				}
				blksize = (uint16_t)t.blksize;
			}
			r->tsize = t.tsize;
			if (tftp_ack(&x, 0) < 0)
				goto fail;
			stale = 0;
			break;
		case TFTP_DATA:
			if (t.block == expect) {
				if (t.data.len > blksize) {
					tftp_abort(&x, TFTP_ERR_ILLEGAL_OP, "Block too large");
					set_error(r, "TFTP DATA block %u of %zu bytes for %s, blksize %u",
						  (unsigned)t.block, t.data.len, name, (unsigned)blksize);
					goto fail;
				}
				if (sink_put(&k, t.data.p, t.data.len) < 0) {
					tftp_abort(&x, TFTP_ERR_DISK_FULL, "Write failed");
					goto fail;
				}
				if (tftp_ack(&x, t.block) < 0)
					goto fail;
				if (t.data.len < blksize)
					done = true;
				expect = (uint16_t)(expect + 1);
				stale = 0;
			} else if (t.block == (uint16_t)(expect - 1)) {
				/* Our ACK was lost: ACK again (the server resends, not us). */
				if (tftp_ack(&x, t.block) < 0)
					goto fail;
			}
			break;
		default:
			break;
		}
	}
	if (r->tsize < 0 && probed_tsize >= 0)
		r->tsize = probed_tsize;
	if (r->tsize >= 0 && (uint64_t)r->tsize != r->size) {
		set_error(r, "size %llu differs from tsize %lld for %s", (unsigned long long)r->size,
			  (long long)r->tsize, name);
		goto fail;
	}
	ok = true;
fail:
	if (sink_close(&k, ok) < 0)
		ok = false;
out:
	if (x.fd >= 0)
		close(x.fd);
	free(buf);
	return ok ? 0 : -1;
}

/* ---- URLs ---- */

/* url for an error line, its userinfo (and so any password) replaced by "***". */
static void redact_url(const char *url, char *out, size_t cap)
{
	const char *auth = url ? strstr(url, "://") : NULL;
	const char *at = NULL;

	if (!url) {
		snprintf(out, cap, "(null)");
		return;
	}
	if (auth) {
		auth += 3;
		for (const char *q = auth; *q && !strchr("/?#", *q); q++)
			if (*q == '@')
				at = q;
	}
	if (at)
		snprintf(out, cap, "%.*s***%s", (int)(auth - url), url, at);
	else
		snprintf(out, cap, "%s", url);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Copies [p, p+n) to out percent-decoded; -1 when it does not fit or is malformed. */
static int copy_decoded(const char *p, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)p[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return -1;
			hi = hexval((unsigned char)p[i + 1]);
			lo = hexval((unsigned char)p[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -1;
			c = hi * 16 + lo;
			i += 2;
		}
		if (o + 1 >= cap)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

static int copy_raw(const char *p, size_t n, char *out, size_t cap)
{
	if (n + 1 > cap)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

int fetch_url_parse(const char *url, struct fetch_url *u)
{
	const char *p, *auth, *auth_end, *at, *hp, *colon;
	size_t n;

	memset(u, 0, sizeof(*u));
	if (!url)
		return -1;
	for (p = url; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return -1;	/* spaces and control bytes do not belong in a URL */
	p = strstr(url, "://");
	if (!p || p == url || (size_t)(p - url) >= sizeof(u->scheme))
		return -1;
	for (n = 0; url + n < p; n++) {
		if (!isalpha((unsigned char)url[n]))
			return -1;
		u->scheme[n] = (char)tolower((unsigned char)url[n]);
	}
	if (strcmp(u->scheme, "http") == 0)
		u->port = 80;
	else if (strcmp(u->scheme, "https") == 0)
		u->port = 443;
	else if (strcmp(u->scheme, "tftp") == 0)
		u->port = TFTP_PORT;
	else
		return -1;
	auth = p + 3;
	auth_end = auth + strcspn(auth, "/?#");
	/* userinfo: up to the last '@' of the authority */
	at = NULL;
	for (const char *q = auth; q < auth_end; q++)
		if (*q == '@')
			at = q;
	hp = auth;
	if (at) {
		const char *c = memchr(auth, ':', (size_t)(at - auth));

		u->has_userinfo = true;
		if (c) {
			if (copy_decoded(auth, (size_t)(c - auth), u->user, sizeof(u->user)) < 0 ||
			    copy_decoded(c + 1, (size_t)(at - c - 1), u->password,
					 sizeof(u->password)) < 0)
				return -1;
		} else if (copy_decoded(auth, (size_t)(at - auth), u->user, sizeof(u->user)) < 0) {
			return -1;
		}
		hp = at + 1;
	}
	if (hp < auth_end && *hp == '[')
		return -1;	/* IPv6 literals: the firmware is IPv4 only */
	colon = memchr(hp, ':', (size_t)(auth_end - hp));
	n = (size_t)((colon ? colon : auth_end) - hp);
	if (n == 0 || copy_raw(hp, n, u->host, sizeof(u->host)) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)u->host[i]) && u->host[i] != '-' && u->host[i] != '.' &&
		    u->host[i] != '_')
			return -1;
	if (colon) {
		unsigned long port = 0;
		const char *d = colon + 1;

		if (d == auth_end || auth_end - d > 5)
			return -1;
		for (; d < auth_end; d++) {
			if (!isdigit((unsigned char)*d))
				return -1;
			port = port * 10 + (unsigned long)(*d - '0');
		}
		if (port == 0 || port > 65535)
			return -1;
		u->port = (uint16_t)port;
		u->port_given = true;
	}
	n = strcspn(auth_end, "#");
	if (n == 0)
		return copy_raw("/", 1, u->path, sizeof(u->path));
	if (*auth_end == '?') {
		/* "http://host?q": the path is empty, the request target "/?q" */
		if (n + 2 > sizeof(u->path))
			return -1;
		u->path[0] = '/';
		return copy_raw(auth_end, n, u->path + 1, sizeof(u->path) - 1);
	}
	return copy_raw(auth_end, n, u->path, sizeof(u->path));
}

/* ---- HTTP ---- */

struct http_conn {
	int fd;
	char host[128];
	uint16_t port;
};

struct fetch_http_session {
	struct http_conn conns[FETCH_HTTP_CONNS];
	unsigned connects;
	unsigned next_victim;
};

struct fetch_http_session *fetch_http_session_new(void)
{
	struct fetch_http_session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	for (unsigned i = 0; i < FETCH_HTTP_CONNS; i++)
		s->conns[i].fd = -1;
	return s;
}

void fetch_http_session_free(struct fetch_http_session *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < FETCH_HTTP_CONNS; i++)
		if (s->conns[i].fd >= 0)
			close(s->conns[i].fd);
	free(s);
}

unsigned fetch_http_session_connects(const struct fetch_http_session *s)
{
	return s ? s->connects : 0;
}

static void conn_drop(struct http_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->host[0] = '\0';
}

static struct http_conn *conn_find(struct fetch_http_session *s, const char *host, uint16_t port)
{
	for (unsigned i = 0; i < FETCH_HTTP_CONNS; i++)
		if (s->conns[i].fd >= 0 && s->conns[i].port == port &&
		    strcasecmp(s->conns[i].host, host) == 0)
			return &s->conns[i];
	return NULL;
}

/* A free slot, closing the oldest-used one when all are taken. */
static struct http_conn *conn_slot(struct fetch_http_session *s)
{
	struct http_conn *c;

	for (unsigned i = 0; i < FETCH_HTTP_CONNS; i++)
		if (s->conns[i].fd < 0)
			return &s->conns[i];
	c = &s->conns[s->next_victim];
	s->next_victim = (s->next_victim + 1) % FETCH_HTTP_CONNS;
	conn_drop(c);
	return c;
}

/* Connects with a bounded wait; returns the fd or -1 (error set). */
static int tcp_connect(const char *host, uint16_t port, double timeout, struct fetch_result *r)
{
	struct addrinfo hints, *res = NULL;
	char ports[8];
	int fd = -1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(ports, sizeof(ports), "%u", (unsigned)port);
	rc = getaddrinfo(host, ports, &hints, &res);
	if (rc != 0 || !res) {
		set_error(r, "cannot resolve %s: %s", host, gai_strerror(rc));
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		set_error(r, "socket: %s", strerror(errno));
		freeaddrinfo(res);
		return -1;
	}
	if (connect(fd, res->ai_addr, res->ai_addrlen) < 0 && errno != EINPROGRESS) {
		set_error(r, "connect to %s:%u: %s", host, (unsigned)port, strerror(errno));
		goto fail;
	}
	freeaddrinfo(res);
	res = NULL;
	{
		struct pollfd pfd = { fd, POLLOUT, 0 };
		double deadline = now_s() + timeout;
		int err = 0;
		socklen_t el = sizeof(err);

		do
			rc = poll(&pfd, 1, ms_left(deadline));
		while (rc < 0 && errno == EINTR);
		if (rc == 0) {
			set_error(r, "connect to %s:%u: timeout after %.1f s", host, (unsigned)port,
				  timeout);
			goto fail;
		}
		if (rc < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err) {
			set_error(r, "connect to %s:%u: %s", host, (unsigned)port,
				  strerror(err ? err : errno));
			goto fail;
		}
	}
	return fd;
fail:
	if (res)
		freeaddrinfo(res);
	close(fd);
	return -1;
}

static int send_all(int fd, const char *p, size_t n, double timeout)
{
	while (n) {
		struct pollfd pfd = { fd, POLLOUT, 0 };
		int pr = poll(&pfd, 1, (int)(timeout * 1000.0) + 1);
		ssize_t w;

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			return -1;
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads what is there within timeout: > 0 bytes, 0 at EOF, -1 error, -2 timeout. */
static ssize_t recv_some(int fd, uint8_t *buf, size_t cap, double timeout)
{
	double deadline = now_s() + timeout;

	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int pr = poll(&pfd, 1, ms_left(deadline));
		ssize_t n;

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			return -1;
		if (pr == 0)
			return -2;
		n = recv(fd, buf, cap, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		return n;
	}
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void base64(const uint8_t *in, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 <= cap; i += 3) {
		unsigned v = (unsigned)in[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = '\0';
}

/* One response's outcome, before redirects and auth are decided on. */
struct http_answer {
	struct http_head h;
	bool keep;		/* the connection may carry the next request */
};

/*
 * Reads the body framed by h from fd (pre: the first pre_len bytes already
 * read). Body bytes go to k when k is set. Returns 0, or -1 (error set).
 */
static int read_body(int fd, const struct http_head *h, const uint8_t *pre, size_t pre_len,
		     struct sink *k, double timeout, struct fetch_result *r, bool *keep)
{
	uint8_t buf[16384];
	struct http_chunker ch;
	uint64_t left = 0;
	bool to_eof = false;

	if (!http_response_has_body("GET", h->status)) {
		if (pre_len)	/* bytes where none belong */
			*keep = false;
		return 0;
	}
	if (h->chunked)
		http_chunker_init(&ch);
	else if (h->content_length >= 0)
		left = (uint64_t)h->content_length;
	else
		to_eof = true;
	if (to_eof)
		*keep = false;
	for (;;) {
		const uint8_t *p;
		size_t n;

		if (pre_len) {
			p = pre;
			n = pre_len;
			pre_len = 0;
		} else {
			ssize_t got;

			if (!h->chunked && !to_eof && left == 0)
				return 0;
			got = recv_some(fd, buf, sizeof(buf), timeout);
			if (got == -2) {
				set_error(r, "HTTP body: timeout after %.1f s", timeout);
				return -1;
			}
			if (got < 0) {
				set_error(r, "HTTP body: %s", strerror(errno));
				return -1;
			}
			if (got == 0) {
				if (to_eof)
					return 0;
				set_error(r, "HTTP body: connection closed after %llu bytes",
					  (unsigned long long)r->size);
				return -1;
			}
			p = buf;
			n = (size_t)got;
		}
		if (h->chunked) {
			while (n && !ch.done && !ch.bad) {
				struct view body = { NULL, 0 };
				size_t used = http_chunker_feed(&ch, p, n, &body);

				if (body.len && k && sink_put(k, body.p, body.len) < 0)
					return -1;
				if (used == 0)
					break;
				p += used;
				n -= used;
			}
			if (ch.bad) {
				set_error(r, "HTTP body: bad chunked framing");
				return -1;
			}
			if (ch.done) {
				if (n)	/* bytes after the response: do not trust the connection */
					*keep = false;
				return 0;
			}
		} else {
			size_t take = n;

			if (!to_eof && take > left) {
				take = (size_t)left;
				*keep = false;
			}
			if (k && sink_put(k, p, take) < 0)
				return -1;
			left -= to_eof ? 0 : take;
		}
	}
}

/* Request line and headers in iPXE's order (httpcore.c: Host, User-Agent, Connection, ...). */
static int build_request(const struct fetch_url *u, bool with_auth, char *out, size_t cap)
{
	char host[140];
	char auth[400] = "";
	int n;

	if (u->port_given)
		snprintf(host, sizeof(host), "%s:%u", u->host, (unsigned)u->port);
	else
		snprintf(host, sizeof(host), "%s", u->host);
	if (with_auth) {
		char plain[200];
		char enc[280];
		int pn = snprintf(plain, sizeof(plain), "%s:%s", u->user, u->password);

		if (pn < 0 || (size_t)pn >= sizeof(plain))
			return -1;
		base64((const uint8_t *)plain, (size_t)pn, enc, sizeof(enc));
		memset(plain, 0, sizeof(plain));
		snprintf(auth, sizeof(auth), "Authorization: Basic %s\r\n", enc);
		memset(enc, 0, sizeof(enc));
	}
	n = snprintf(out, cap,
		     "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: " IPXE_USER_AGENT
		     "\r\nConnection: keep-alive\r\n%s\r\n",
		     u->path, host, auth);
	memset(auth, 0, sizeof(auth));
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

/*
 * One GET over a cached or new connection. The body goes to k for a 2xx and
 * is read and dropped otherwise. Returns 0 with a->h filled, or -1.
 */
static int http_exchange(struct fetch_http_session *s, const struct fetch_url *u, bool with_auth,
			 const struct fetch_opts *o, struct fetch_result *r, struct sink *k,
			 bool *k_opened, struct http_answer *a)
{
	double timeout = opt_timeout(o);
	char req[1536];
	uint8_t *head;
	size_t hlen = 0, hend = 0;
	int reqlen = build_request(u, with_auth, req, sizeof(req));
	struct http_conn *c = conn_find(s, u->host, u->port);
	int attempt, rc = -1;

	if (reqlen < 0) {
		set_error(r, "HTTP request too long for %s", u->path);
		return -1;
	}
	head = malloc(HTTP_HEAD_MAX);
	if (!head) {
		set_error(r, "out of memory");
		goto out;
	}
	/* A cached connection the server closed meanwhile fails at once: retry on a new one. */
	for (attempt = 0; attempt < 2; attempt++) {
		bool reused = c != NULL;

		if (!c) {
			int fd = tcp_connect(u->host, u->port, timeout, r);

			if (fd < 0)
				goto out;
			c = conn_slot(s);
			c->fd = fd;
			c->port = u->port;
			snprintf(c->host, sizeof(c->host), "%s", u->host);
			s->connects++;
		}
		r->reused = reused;
		hlen = 0;
		if (send_all(c->fd, req, (size_t)reqlen, timeout) < 0) {
			conn_drop(c);
			c = NULL;
			if (reused)
				continue;
			set_error(r, "HTTP send to %s:%u failed", u->host, (unsigned)u->port);
			goto out;
		}
		for (;;) {
			ssize_t got = recv_some(c->fd, head + hlen, HTTP_HEAD_MAX - hlen, timeout);

			if (got == -2) {
				set_error(r, "HTTP: no response from %s:%u within %.1f s", u->host,
					  (unsigned)u->port, timeout);
				conn_drop(c);
				goto out;
			}
			if (got <= 0)
				break;
			hlen += (size_t)got;
			hend = http_head_end(head, hlen);
			if (hend || hlen == HTTP_HEAD_MAX)
				break;
		}
		if (hend)
			break;
		conn_drop(c);
		c = NULL;
		if (reused && hlen == 0)
			continue;
		set_error(r, hlen == HTTP_HEAD_MAX ? "HTTP: response head too long from %s:%u"
						   : "HTTP: connection closed by %s:%u before a response",
			  u->host, (unsigned)u->port);
		goto out;
	}
	if (!hend) {
		set_error(r, "HTTP: connection to %s:%u keeps closing", u->host, (unsigned)u->port);
		goto out;
	}
	if (!http_parse_head((struct view){ head, hend }, &a->h) || a->h.request) {
		set_error(r, "HTTP: malformed response from %s:%u", u->host, (unsigned)u->port);
		conn_drop(c);
		goto out;
	}
	r->status = a->h.status;
	a->keep = !a->h.conn_close;
	if (a->h.status >= 200 && a->h.status < 300) {
		if (sink_open(k, r, o->save_path) < 0) {
			*k_opened = true;
			conn_drop(c);
			goto out;
		}
		*k_opened = true;
	}
	if (read_body(c->fd, &a->h, head + hend, hlen - hend, *k_opened ? k : NULL, timeout, r,
		      &a->keep) < 0) {
		conn_drop(c);
		goto out;
	}
	if (!a->keep || !s)
		conn_drop(c);
	rc = 0;
out:
	free(head);
	return rc;
}

/* Resolves a Location against the current URL (absolute, absolute-path or relative). */
static int resolve_location(const struct fetch_url *cur, const char *loc, struct fetch_url *next)
{
	char *slash;
	size_t dir;

	if (strstr(loc, "://")) {
		if (fetch_url_parse(loc, next) < 0)
			return -1;
		/* Credentials stay with the host they were given for. */
		if (!next->has_userinfo && strcasecmp(next->host, cur->host) == 0 &&
		    next->port == cur->port) {
			memcpy(next->user, cur->user, sizeof(next->user));
			memcpy(next->password, cur->password, sizeof(next->password));
			next->has_userinfo = cur->has_userinfo;
		}
		return 0;
	}
	*next = *cur;
	if (loc[0] == '/')
		return copy_raw(loc, strlen(loc), next->path, sizeof(next->path));
	slash = strrchr(cur->path, '/');
	dir = slash ? (size_t)(slash - cur->path) + 1 : 0;
	if (dir + strlen(loc) + 1 > sizeof(next->path))
		return -1;
	memcpy(next->path + dir, loc, strlen(loc) + 1);
	return 0;
}

int fetch_http(struct fetch_http_session *s, const char *url, const struct fetch_opts *o,
	       struct fetch_result *r)
{
	static const struct fetch_opts defaults = { FETCH_IPXE, 0, 3, NULL, 0, false };
	struct fetch_http_session *own = NULL;
	struct fetch_url u, next;
	bool tried_auth = false, ok = false;
	int rc = -1;

	result_init(r);
	if (!o)
		o = &defaults;
	if (fetch_url_parse(url, &u) < 0) {
		char shown[200];

		redact_url(url, shown, sizeof(shown));
		set_error(r, "not a URL we can fetch: %s", shown);
		return -1;
	}
	if (!s) {
		own = fetch_http_session_new();
		if (!own) {
			set_error(r, "out of memory");
			return -1;
		}
		s = own;
	}
	memset(&next, 0, sizeof(next));
	for (;;) {
		struct http_answer a;
		struct sink k;
		bool k_opened = false;

		memset(&k, 0, sizeof(k));
		if (strcmp(u.scheme, "http") != 0) {
			set_error(r, "%s is not supported (%s)", u.scheme, u.path);
			break;
		}
		memset(&a, 0, sizeof(a));
		if (http_exchange(s, &u, tried_auth, o, r, &k, &k_opened, &a) < 0) {
			if (k_opened)
				sink_close(&k, false);
			break;
		}
		if (k_opened) {
			ok = true;
			if (sink_close(&k, true) < 0)
				ok = false;
			break;
		}
		if (a.h.status == 401 && u.has_userinfo && !tried_auth &&
		    strcasecmp(a.h.www_authenticate, "Basic") == 0) {
			tried_auth = true;
			continue;
		}
		if (a.h.status >= 300 && a.h.status < 400 && a.h.location[0]) {
			if (r->redirects >= FETCH_HTTP_REDIRECTS) {
				set_error(r, "HTTP: more than %d redirects for %s", FETCH_HTTP_REDIRECTS,
					  u.path);
				break;
			}
			if (resolve_location(&u, a.h.location, &next) < 0) {
				set_error(r, "HTTP %d for %s: cannot follow Location %.100s", a.h.status,
					  u.path, a.h.location);
				break;
			}
			r->redirects++;
			tried_auth = false;
			u = next;
			continue;
		}
		if (a.h.status == 401 && u.has_userinfo && tried_auth)
			set_error(r, "HTTP 401 for %s (credentials refused)", u.path);
		else if (a.h.status == 401 && u.has_userinfo)
			set_error(r, "HTTP 401 for %s (%s authentication not supported)", u.path,
				  a.h.www_authenticate[0] ? a.h.www_authenticate : "no");
		else
			set_error(r, "HTTP %d for %s", a.h.status, u.path);
		break;
	}
	rc = ok ? 0 : -1;
	memset(u.password, 0, sizeof(u.password));
	memset(next.password, 0, sizeof(next.password));
	fetch_http_session_free(own);
	return rc;
}

/* ---- either ---- */

int fetch_any(struct fetch_http_session *s, const char *url_or_name, uint32_t default_server,
	      const struct fetch_opts *o, struct fetch_result *r)
{
	struct fetch_url u;
	struct in_addr a;
	const char *name;
	char decoded[512];

	if (!url_or_name || !strstr(url_or_name, "://"))
		return fetch_tftp(default_server, TFTP_PORT, url_or_name, o, r);
	if (fetch_url_parse(url_or_name, &u) < 0) {
		char shown[200];

		result_init(r);
		redact_url(url_or_name, shown, sizeof(shown));
		set_error(r, "not a URL we can fetch: %s", shown);
		return -1;
	}
	if (strcmp(u.scheme, "tftp") != 0)
		return fetch_http(s, url_or_name, o, r);
	if (inet_pton(AF_INET, u.host, &a) != 1) {
		struct addrinfo hints, *res = NULL;

		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_INET;
		hints.ai_socktype = SOCK_DGRAM;
		if (getaddrinfo(u.host, NULL, &hints, &res) != 0 || !res) {
			result_init(r);
			set_error(r, "cannot resolve %s", u.host);
			return -1;
		}
		a = ((const struct sockaddr_in *)(const void *)res->ai_addr)->sin_addr;
		freeaddrinfo(res);
	}
	/* iPXE drops the leading '/' of a tftp:// path (many servers refuse absolute names). */
	name = u.path[0] == '/' ? u.path + 1 : u.path;
	if (copy_decoded(name, strcspn(name, "?"), decoded, sizeof(decoded)) < 0 || !decoded[0]) {
		result_init(r);
		set_error(r, "bad TFTP path in %s://%s%s", u.scheme, u.host, u.path);
		return -1;
	}
	return fetch_tftp(ntohl(a.s_addr), u.port, decoded, o, r);
}
