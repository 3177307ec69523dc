/* streams.c: TCP segments to reassembled streams, recognised by content: HTTP/1.x or iSCSI. */
#include "checker/engine_priv.h"

#include <stdio.h>
#include <stdlib.h>

#include "proto/http.h"
#include "proto/iscsi.h"

#define HTTP_PIPELINE_MAX 64	/* requests awaiting their response on one connection */

enum app_kind { APP_UNKNOWN, APP_NONE, APP_HTTP, APP_ISCSI };

enum side_state {
	SIDE_HEAD,		/* reading a request or status line and headers */
	SIDE_BODY_LEN,		/* Content-Length bytes to come */
	SIDE_BODY_CHUNKED,
	SIDE_BODY_CLOSE,	/* body runs until the server closes */
	SIDE_RESYNC,		/* lost framing (gap, mid-stream): wait for a message start */
};

struct http_side {
	enum side_state state;
	uint8_t *head;
	size_t head_len;
	uint64_t left;
	struct http_chunker ch;
	bool has_cur;
	size_t cur;		/* the transaction whose body this is */
	bool resynced;		/* the head being read was found again after lost framing */
};

struct http_conn {
	struct http_side s[2];
	size_t pending[HTTP_PIPELINE_MAX];	/* requests in order, waiting for responses */
	size_t npending;
};

struct app {
	enum app_kind kind;
	bool gap[2];		/* a side lost bytes before the kind was known */
	struct http_conn *http;
	struct iscsi_conn *iscsi;
};

static int client_of(struct nbc_engine *e, uint32_t ip)
{
	size_t idx;

	return hmap_get(&e->by_ip, ip, 1, &idx) ? (int)idx : -1;
}

/* A kept body that turns out to be binary is let go: only text is ever parsed. */
static void body_drop(struct nbc_engine *e, struct eng_http *h)
{
	free(h->body);
	e->bodies_kept -= h->body_cap;
	h->body = NULL;
	h->body_cap = 0;
	h->body_len = 0;
}

static void body_keep(struct nbc_engine *e, struct eng_http *h, const uint8_t *p, size_t n)
{
	/*
	 * Kept: bodies the timeline may parse (iPXE scripts, pxelinux configs over HTTP),
	 * up to ENG_BODY_MAX. A buffer the size the body announces (4 KiB to start when it
	 * does not say), grown as bytes come: a 38-byte script costs 38 bytes. A body with
	 * a NUL byte is binary (a kernel, an initrd, an NBP) and is dropped at that chunk
	 * unless its name says it is a script or config (then the parser reports it).
	 */
	bool first = h->body_bytes == 0;

	h->body_bytes += n;
	export_write_http(e, h, p, n);
	if (first && h->content_length <= (int64_t)ENG_BODY_MAX) {
		size_t want = h->content_length > 0 ? (size_t)h->content_length : 4096;

		eng_body_room(e, &h->body, &h->body_cap, want, want);
	}
	if (!h->body || h->body_cut)
		return;
	if (memchr(p, 0, n) && !eng_body_wanted(eng_uri_path(h->uri))) {
		body_drop(e, h);
		return;
	}
	eng_body_room(e, &h->body, &h->body_cap, h->body_len + n, 4096);
	if (n > h->body_cap - h->body_len) {
		h->body_cut = true;
		n = h->body_cap - h->body_len;
	}
	memcpy(h->body + h->body_len, p, n);
	h->body_len += n;
}

static void body_done(struct nbc_engine *e, struct http_side *s, uint64_t frame, double time)
{
	if (s->has_cur) {
		struct eng_http *h = &e->https[s->cur];

		/* Framed to its end: a hole no retransmission filled is the capture's loss
		 * (h->gap says so), not the client's. */
		h->complete = true;
		h->end_frame = frame;
		h->end_time = time;
		export_close_http(e, h);
	}
	s->has_cur = false;
	s->state = SIDE_HEAD;
}

static struct eng_http *new_request(struct nbc_engine *e, const struct tcp_conn *tc,
				    const struct http_head *hd, uint64_t frame, double time)
{
	struct eng_http *h = NBC_PUSH(e->https, e->nhttps, e->https_cap);
	int ci = client_of(e, tc->cip);

	memset(h, 0, sizeof(*h));
	h->client = ci;
	h->conn = tc->id;
	h->frame = frame;
	h->time = time;
	h->cip = tc->cip;
	h->sip = tc->sip;
	h->cport = tc->cport;
	h->sport = tc->sport;
	h->status = -1;
	h->content_length = -1;
	h->export_idx = -1;
	snprintf(h->method, sizeof(h->method), "%s", hd->method);
	h->uri = strpool_str(&e->strs, hd->uri);
	h->host = strpool_str(&e->strs, hd->host);
	h->location = "";
	snprintf(h->range, sizeof(h->range), "%s", hd->range);
	if (hd->has_auth)
		snprintf(h->auth_scheme, sizeof(h->auth_scheme), "%s",
			 hd->auth_scheme[0] ? hd->auth_scheme : "?");
	h->secret_uri = hd->uri_had_password;
	if (ci >= 0) {
		struct eng_client *c = &e->clients[ci];

		*NBC_PUSH(c->https, c->nhttps, c->https_cap) = e->nhttps - 1;
		c->pub.last_frame = frame;
		c->pub.last_time = time;
	}
	return h;
}

/*
 * The response to the oldest waiting request began in a hole of the server's stream: it
 * is given up (its status unknown, bytes missing) so that the next response head found
 * goes to the next request, not to this one.
 */
static void http_response_lost(struct nbc_engine *e, struct http_conn *hc)
{
	struct eng_http *h;

	if (hc->npending == 0)
		return;
	h = &e->https[hc->pending[0]];
	h->gap = true;
	memmove(hc->pending, hc->pending + 1, --hc->npending * sizeof(hc->pending[0]));
}

/* A complete head on one side: a request (dir 0) or a response (dir 1). */
static void on_head(struct nbc_engine *e, struct tcp_conn *tc, struct http_conn *hc, int dir,
		    const struct http_head *hd, bool resynced, uint64_t frame, double time)
{
	struct http_side *s = &hc->s[dir];

	s->state = SIDE_HEAD;
	s->has_cur = false;
	e->report.stats.decoded[NBC_P_HTTP]++;	/* messages: requests and responses */
	if (dir == 0) {
		struct eng_http *h;

		if (!hd->request)
			return;
		h = new_request(e, tc, hd, frame, time);
		if (hc->npending < HTTP_PIPELINE_MAX)
			hc->pending[hc->npending++] = e->nhttps - 1;
		(void)h;
		/* A request body (POST) is skipped. */
		if (hd->chunked) {
			http_chunker_init(&s->ch);
			s->state = SIDE_BODY_CHUNKED;
		} else if (hd->content_length > 0) {
			s->left = (uint64_t)hd->content_length;
			s->state = SIDE_BODY_LEN;
		}
		return;
	}
	if (hd->request)
		return;
	if (hd->status >= 100 && hd->status < 200)
		return;	/* interim: the real response follows */
	if (hc->npending == 0) {
		/* A response whose request the capture missed. */
		struct http_head fake;

		memset(&fake, 0, sizeof(fake));
		snprintf(fake.method, sizeof(fake.method), "?");
		new_request(e, tc, &fake, frame, time);
		hc->pending[hc->npending++] = e->nhttps - 1;
	}
	/*
	 * After a loss (a head found again by resync) with several requests waiting: boot
	 * clients (iPXE, UEFI HTTP boot, lpxelinux) send a request only once the previous
	 * response is done, so the earlier ones' responses were lost and this is the last's.
	 */
	while (resynced && hc->npending > 1)
		http_response_lost(e, hc);
	s->cur = hc->pending[0];
	s->has_cur = true;
	memmove(hc->pending, hc->pending + 1, --hc->npending * sizeof(hc->pending[0]));
	{
		struct eng_http *h = &e->https[s->cur];

		h->status = hd->status;
		h->status_frame = frame;
		h->status_time = time;
		snprintf(h->reason, sizeof(h->reason), "%s", hd->reason);
		h->location = strpool_str(&e->strs, hd->location);
		snprintf(h->content_type, sizeof(h->content_type), "%s", hd->content_type);
		h->content_length = hd->content_length;
		h->chunked = hd->chunked;
		if (!http_response_has_body(h->method, h->status) ||
		    (!hd->chunked && hd->content_length == 0)) {
			body_done(e, s, frame, time);
		} else if (hd->chunked) {
			http_chunker_init(&s->ch);
			s->state = SIDE_BODY_CHUNKED;
		} else if (hd->content_length > 0) {
			s->left = (uint64_t)hd->content_length;
			s->state = SIDE_BODY_LEN;
		} else {
			s->state = SIDE_BODY_CLOSE;
		}
	}
}

static void side_malformed(struct nbc_engine *e, struct http_side *s, const char *why)
{
	engine_malformed(e, "http", "%s", why);
	if (s->has_cur)
		e->https[s->cur].malformed = true;
	s->has_cur = false;
	s->head_len = 0;
	s->state = SIDE_RESYNC;
}

static void http_data(struct nbc_engine *e, struct tcp_conn *tc, struct http_conn *hc, int dir,
		      const uint8_t *p, size_t len, uint64_t frame, double time)
{
	struct http_side *s = &hc->s[dir];

	while (len > 0) {
		switch (s->state) {
		case SIDE_RESYNC: {
			struct view v = { p, len };

			/* Only a segment that starts a message brings framing back. */
			if ((dir == 0 && http_looks_like_request(v)) ||
			    (dir == 1 && http_looks_like_response(v))) {
				s->state = SIDE_HEAD;
				s->resynced = true;
				continue;
			}
			return;
		}
		case SIDE_HEAD: {
			size_t take = len;
			size_t from = s->head_len > 3 ? s->head_len - 3 : 0;
			size_t end;
			struct http_head hd;

			if (!s->head) {
				s->head = malloc(HTTP_HEAD_MAX);
				if (!s->head)
					return;
			}
			if (take > HTTP_HEAD_MAX - s->head_len)
				take = HTTP_HEAD_MAX - s->head_len;
			memcpy(s->head + s->head_len, p, take);
			s->head_len += take;
			end = http_head_end(s->head + from, s->head_len - from);
			if (!end) {
				if (s->head_len == HTTP_HEAD_MAX)
					side_malformed(e, s, "message head longer than 16 KiB");
				return;
			}
			end += from;
			/* Bytes past the head go back to the loop. */
			p += take - (s->head_len - end);
			len -= take - (s->head_len - end);
			s->head_len = 0;
			if (!http_parse_head_opts((struct view){ s->head, end }, &hd,
						  e->opt.show_secrets)) {
				side_malformed(e, s, dir == 0 ? "unparsable request head" :
								 "unparsable response head");
				return;
			}
			on_head(e, tc, hc, dir, &hd, s->resynced, frame, time);
			s->resynced = false;
			break;
		}
		case SIDE_BODY_LEN: {
			size_t n = len < s->left ? len : (size_t)s->left;

			if (s->has_cur)
				body_keep(e, &e->https[s->cur], p, n);
			s->left -= n;
			p += n;
			len -= n;
			if (s->left == 0)
				body_done(e, s, frame, time);
			break;
		}
		case SIDE_BODY_CHUNKED: {
			struct view b;
			size_t used = http_chunker_feed(&s->ch, p, len, &b);

			if (b.len && s->has_cur)
				body_keep(e, &e->https[s->cur], b.p, b.len);
			p += used;
			len -= used;
			if (s->ch.bad) {
				side_malformed(e, s, "bad chunked framing");
				return;
			}
			if (s->ch.done)
				body_done(e, s, frame, time);
			else if (used == 0)
				return;
			break;
		}
		case SIDE_BODY_CLOSE:
			if (s->has_cur)
				body_keep(e, &e->https[s->cur], p, len);
			return;
		}
	}
}

static void http_gap(struct nbc_engine *e, struct http_conn *hc, int dir, uint64_t len)
{
	struct http_side *s = &hc->s[dir];

	if (s->has_cur) {
		e->https[s->cur].gap = true;
		export_abandon_http(e, &e->https[s->cur]);
	}
	/* A hole in a known-length body keeps the framing: the body ends where it says. */
	if (s->state == SIDE_BODY_LEN) {
		uint64_t in_body = len < s->left ? len : s->left;

		s->left -= in_body;
		len -= in_body;
		if (s->has_cur) {
			e->https[s->cur].body_bytes += in_body;
			if (e->https[s->cur].body)
				e->https[s->cur].body_cut = true;
		}
		if (s->left)
			return;
		body_done(e, s, e->frame, e->rel);
		if (len == 0)
			return;
	}
	if (s->state == SIDE_BODY_CLOSE)
		return;
	/*
	 * Between responses (or past the end of a known-length body) the missing bytes are
	 * the start of the next response: the waiting request's, for a client that does not
	 * pipeline (iPXE, lpxelinux, firmware HTTP boot).
	 */
	if (dir == 1 && s->state == SIDE_HEAD)
		http_response_lost(e, hc);
	s->has_cur = false;
	s->head_len = 0;
	s->state = SIDE_RESYNC;
}

static void http_end(struct nbc_engine *e, struct http_conn *hc, int dir, uint64_t frame,
		     double time)
{
	for (int d = 0; d < 2; d++) {
		struct http_side *s = &hc->s[d];

		if (dir >= 0 && d != dir)
			continue;
		if (s->state == SIDE_BODY_CLOSE && dir >= 0)
			body_done(e, s, frame, time);
		else if (s->has_cur)
			export_close_http(e, &e->https[s->cur]);
		s->has_cur = false;
	}
}

/* Decides what a connection carries from its first bytes. */
static enum app_kind recognise(const struct tcp_conn *tc, int dir, const uint8_t *p, size_t len)
{
	struct view v = { p, len };
	size_t total;

	if ((dir == 0 && http_looks_like_request(v)) || (dir == 1 && http_looks_like_response(v)))
		return APP_HTTP;
	if (dir == 0 && len >= ISCSI_BHS_LEN && (p[0] & 0x3f) == ISCSI_OP_LOGIN_REQ &&
	    iscsi_pdu_len(p, len, false, false, ISCSI_DATA_MAX, &total) == 1)
		return APP_ISCSI;
	if (tc->sport == ISCSI_PORT)
		return APP_ISCSI;
	if (tc->sport == 80 || tc->sport == 8080)
		return APP_HTTP;
	return APP_NONE;
}

static void cb_open(void *ctx, struct tcp_conn *tc)
{
	struct nbc_engine *e = ctx;

	tc->app = calloc(1, sizeof(struct app));
	e->report.stats.tcp_conns++;
}

static void cb_data(void *ctx, struct tcp_conn *tc, int dir, const uint8_t *p, size_t len,
		    uint64_t frame, double time)
{
	struct nbc_engine *e = ctx;
	struct app *a = tc->app;

	if (!a)
		return;
	if (a->kind == APP_UNKNOWN) {
		a->kind = recognise(tc, dir, p, len);
		if (a->kind == APP_HTTP) {
			a->http = calloc(1, sizeof(*a->http));
			if (!a->http) {
				a->kind = APP_NONE;
				return;
			}
			/* Joined mid-message, or bytes lost: wait for a message start. */
			for (int d = 0; d < 2; d++)
				if (tc->d[d].midstream || a->gap[d])
					a->http->s[d].state = SIDE_RESYNC;
		} else if (a->kind == APP_ISCSI) {
			a->iscsi = iscsi_flow_new(e, tc);
			if (!a->iscsi) {
				a->kind = APP_NONE;
				return;
			}
			for (int d = 0; d < 2; d++)
				if (a->gap[d])
					iscsi_flow_gap(e, a->iscsi, d, 0);
		}
	}
	if (a->kind == APP_HTTP)
		http_data(e, tc, a->http, dir, p, len, frame, time);
	else if (a->kind == APP_ISCSI)
		iscsi_flow_data(e, a->iscsi, dir, p, len, frame, time);
}

static void cb_gap(void *ctx, struct tcp_conn *tc, int dir, uint64_t len, uint64_t frame)
{
	struct nbc_engine *e = ctx;
	struct app *a = tc->app;

	(void)frame;
	e->report.stats.tcp_gaps++;
	if (!a)
		return;
	/* What the stream is, the next segment that starts a message (or the port) says;
	 * that side is read from a message start on. */
	if (a->kind == APP_UNKNOWN && dir >= 0 && dir < 2)
		a->gap[dir] = true;
	if (a->kind == APP_HTTP)
		http_gap(e, a->http, dir, len);
	else if (a->kind == APP_ISCSI)
		iscsi_flow_gap(e, a->iscsi, dir, len);
}

static void cb_end(void *ctx, struct tcp_conn *tc, int dir, enum tcp_end how, uint64_t frame,
		   double time)
{
	struct nbc_engine *e = ctx;
	struct app *a = tc->app;

	if (!a)
		return;
	if (a->kind == APP_HTTP)
		http_end(e, a->http, how == TCP_END_CAPTURE ? -1 : dir, frame, time);
	else if (a->kind == APP_ISCSI)
		iscsi_flow_end(e, a->iscsi, tc, dir, how, frame, time);
}

static void cb_close(void *ctx, struct tcp_conn *tc)
{
	struct nbc_engine *e = ctx;
	struct app *a = tc->app;

	if (!a)
		return;
	if (a->http) {
		http_end(e, a->http, -1, tc->last_frame, tc->last_time);
		free(a->http->s[0].head);
		free(a->http->s[1].head);
		free(a->http);
	}
	if (a->iscsi)
		iscsi_flow_free(e, a->iscsi);
	free(a);
	tc->app = NULL;
}

bool streams_init(struct nbc_engine *e)
{
	struct tcp_callbacks cb = {
		.ctx = e,
		.open = cb_open,
		.data = cb_data,
		.gap = cb_gap,
		.end = cb_end,
		.close = cb_close,
	};

	e->tcp = tcp_table_new(&cb);
	return e->tcp != NULL;
}

void streams_segment(struct nbc_engine *e, const struct net_ipv4 *ip)
{
	struct net_tcp t;
	int rc = net_decode_tcp(ip->payload, &t);

	if (rc != NET_OK) {
		engine_malformed(e, "tcp", "%s TCP header",
				 rc == NET_ERR_TRUNCATED ? "truncated" : "invalid");
		return;
	}
	e->report.stats.tcp_segments++;
	tcp_segment(e->tcp, ip->src, ip->dst, &t, e->frame, e->rel);
}

void streams_finish(struct nbc_engine *e)
{
	const struct tcp_stats *st;

	if (!e->tcp)
		return;
	tcp_finish(e->tcp, e->frame, e->rel);
	st = tcp_table_stats(e->tcp);
	e->report.stats.tcp_gap_bytes = st->gap_bytes;
	e->report.stats.tcp_partial = st->partial + st->conns_dropped;
}

void streams_free(struct nbc_engine *e)
{
	tcp_table_free(e->tcp);
	e->tcp = NULL;
	for (size_t i = 0; i < e->nhttps; i++)
		free(e->https[i].body);
}
