/*
 * http_peek.c: reads the request line (and Host) or the status line at the
 * start of a TCP segment, so that the timeline shows where a boot went over
 * HTTP. Full TCP reassembly and HTTP decoding are a separate module to come.
 */
#include "checker/engine_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

static bool starts(struct view v, const char *s)
{
	size_t n = strlen(s);

	return v.len >= n && memcmp(v.p, s, n) == 0;
}

/* Copies the token that starts at v (up to a space or CR/LF). */
static size_t token(struct view v, size_t from, char *dst, size_t cap)
{
	size_t i = from;
	struct view t;

	while (i < v.len && v.p[i] != ' ' && v.p[i] != '\r' && v.p[i] != '\n')
		i++;
	t.p = v.p + from;
	t.len = i - from;
	view_to_printable(t, dst, cap);
	return i;
}

static void find_host(struct view v, char *dst, size_t cap)
{
	for (size_t i = 0; i + 6 < v.len; i++) {
		if ((v.p[i] == '\n') && (v.p[i + 1] == 'H' || v.p[i + 1] == 'h') &&
		    strncasecmp((const char *)v.p + i + 1, "host:", 5) == 0) {
			size_t s = i + 6;

			while (s < v.len && v.p[s] == ' ')
				s++;
			token(v, s, dst, cap);
			return;
		}
	}
	dst[0] = '\0';
}

void http_peek(struct nbc_engine *e, const struct net_link_hdr *l2, const struct net_ipv4 *ip,
	       uint16_t sport, uint16_t dport, struct view pl)
{
	static const char *const methods[] = { "GET ", "HEAD ", "POST " };

	for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
		struct eng_http *h;
		size_t idx;
		struct eng_client *c;
		size_t i;

		if (!starts(pl, methods[m]))
			continue;
		if (!hmap_get(&e->by_ip, ip->src, 1, &idx))
			return;	/* not a client we saw boot */
		(void)l2;
		c = &e->clients[idx];
		h = NBC_PUSH(e->https, e->nhttps, e->https_cap);
		memset(h, 0, sizeof(*h));
		h->client = (int)idx;
		h->frame = e->frame;
		h->time = e->rel;
		h->sip = ip->dst;
		h->sport = dport;
		h->cport = sport;
		h->status = -1;
		i = token(pl, 0, h->method, sizeof(h->method));
		token(pl, i + 1, h->uri, sizeof(h->uri));
		find_host(pl, h->host, sizeof(h->host));
		*NBC_PUSH(c->https, c->nhttps, c->https_cap) = e->nhttps - 1;
		c->pub.last_frame = e->frame;
		c->pub.last_time = e->rel;
		e->report.stats.decoded[NBC_P_HTTP]++;
		return;
	}
	if (starts(pl, "HTTP/1.") && pl.len >= 12) {
		int code = 0;

		for (size_t i = 9; i < 12; i++) {
			if (pl.p[i] < '0' || pl.p[i] > '9')
				return;
			code = code * 10 + (pl.p[i] - '0');
		}
		/* Answer the oldest unanswered request on this connection. */
		for (size_t i = 0; i < e->nhttps; i++) {
			struct eng_http *h = &e->https[i];

			if (h->status < 0 && h->sip == ip->src && h->sport == sport &&
			    h->cport == dport) {
				h->status = code;
				h->status_frame = e->frame;
				e->clients[h->client].pub.last_frame = e->frame;
				e->clients[h->client].pub.last_time = e->rel;
				e->report.stats.decoded[NBC_P_HTTP]++;
				return;
			}
		}
	}
}
