/* tcp.c: TCP reassembly into in-order byte streams, with capture gaps reported, never filled. */
#include "checker/tcp.h"

#include <stdlib.h>
#include <string.h>

#include "checker/hmap.h"

struct tcp_seg_buf {
	struct tcp_seg_buf *next;
	uint32_t seq;
	uint32_t len;
	uint64_t frame;
	double time;
	uint8_t data[];
};

struct tcp_table {
	struct tcp_callbacks cb;
	struct hmap map;	/* (cip, sip, cport, sport) -> slot in conns */
	struct hmap closed;	/* tuples closed by FIN both ways: their last ACKs are not new */
	struct tcp_conn **conns;	/* open connections; NULL for freed slots */
	size_t nconns;
	size_t cap;
	size_t *free_slots;
	size_t nfree;
	size_t free_cap;
	size_t open;
	size_t ooo_total;
	struct tcp_stats st;
	/* The last lookup: bulk transfers send runs of segments of one connection. */
	bool cache_ok;
	uint64_t cache_a, cache_b;
	size_t cache_slot;
};

/* Sequence arithmetic modulo 2^32 (RFC 9293 3.4). */
static int32_t seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

/* One key for both directions of a 4-tuple (the lower address and port first), so that a
 * segment finds its connection with one hash lookup whichever way it goes. */
static void key_of(uint32_t ip1, uint32_t ip2, uint16_t port1, uint16_t port2, uint64_t *a,
		   uint64_t *b)
{
	if (ip1 > ip2 || (ip1 == ip2 && port1 > port2)) {
		uint32_t ip = ip1;
		uint16_t port = port1;

		ip1 = ip2;
		ip2 = ip;
		port1 = port2;
		port2 = port;
	}
	*a = ((uint64_t)ip1 << 32) | ip2;
	*b = ((uint64_t)port1 << 16) | port2;
}

struct tcp_table *tcp_table_new(const struct tcp_callbacks *cb)
{
	struct tcp_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->cb = *cb;
	hmap_init(&t->map);
	hmap_init(&t->closed);
	return t;
}

static void dir_drop_ooo(struct tcp_table *t, struct tcp_dir *d)
{
	while (d->ooo) {
		struct tcp_seg_buf *s = d->ooo;

		d->ooo = s->next;
		t->ooo_total -= s->len;
		free(s);
	}
	d->ooo_bytes = 0;
}

static void conn_free(struct tcp_table *t, size_t slot)
{
	struct tcp_conn *c = t->conns[slot];
	uint64_t a;
	uint64_t b;

	if (!c)
		return;
	if (t->cb.close)
		t->cb.close(t->cb.ctx, c);
	dir_drop_ooo(t, &c->d[0]);
	dir_drop_ooo(t, &c->d[1]);
	key_of(c->cip, c->sip, c->cport, c->sport, &a, &b);
	hmap_del(&t->map, a, b);
	t->cache_ok = false;
	free(c);
	t->conns[slot] = NULL;
	t->open--;
	if (t->nfree == t->free_cap) {
		size_t nc = t->free_cap ? t->free_cap * 2 : 64;
		size_t *n = realloc(t->free_slots, nc * sizeof(*n));

		if (!n)
			return;	/* the slot is simply not reused */
		t->free_slots = n;
		t->free_cap = nc;
	}
	t->free_slots[t->nfree++] = slot;
}

void tcp_table_free(struct tcp_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nconns; i++)
		conn_free(t, i);
	free(t->conns);
	free(t->free_slots);
	hmap_free(&t->map);
	hmap_free(&t->closed);
	free(t);
}

const struct tcp_stats *tcp_table_stats(const struct tcp_table *t)
{
	return &t->st;
}

static void deliver(struct tcp_table *t, struct tcp_conn *c, int dir, const uint8_t *p,
		    size_t len, uint64_t frame, double time)
{
	struct tcp_dir *d = &c->d[dir];

	d->next += (uint32_t)len;
	d->bytes += len;
	if (len && t->cb.data)
		t->cb.data(t->cb.ctx, c, dir, p, len, frame, time);
}

static void report_gap(struct tcp_table *t, struct tcp_conn *c, int dir, uint32_t len,
		       uint64_t frame)
{
	struct tcp_dir *d = &c->d[dir];

	if (len == 0)
		return;
	d->next += len;
	d->gaps++;
	d->gap_bytes += len;
	t->st.gaps++;
	t->st.gap_bytes += len;
	if (t->cb.gap)
		t->cb.gap(t->cb.ctx, c, dir, len, frame);
}

static void maybe_end_fin(struct tcp_table *t, struct tcp_conn *c, int dir, uint64_t frame,
			  double time)
{
	struct tcp_dir *d = &c->d[dir];

	if (!d->fin || d->ended || seq_diff(d->next, d->fin_seq) < 0)
		return;
	d->ended = true;
	if (c->end_dir < 0) {
		c->end_dir = dir;
		c->end = TCP_END_FIN;
		c->end_frame = frame;
		c->end_time = time;
	}
	if (t->cb.end)
		t->cb.end(t->cb.ctx, c, dir, TCP_END_FIN, frame, time);
}

/* Delivers queued segments that have become in order. */
static void drain(struct tcp_table *t, struct tcp_conn *c, int dir)
{
	struct tcp_dir *d = &c->d[dir];

	while (d->ooo && seq_diff(d->ooo->seq, d->next) <= 0) {
		struct tcp_seg_buf *s = d->ooo;
		int32_t skip = seq_diff(d->next, s->seq);

		d->ooo = s->next;
		d->ooo_bytes -= s->len;
		t->ooo_total -= s->len;
		if ((uint32_t)skip < s->len)
			deliver(t, c, dir, s->data + skip, s->len - (uint32_t)skip, s->frame,
				s->time);
		free(s);
	}
}

/* Gives up on the hole before the first queued segment: reports it as a gap. */
static void skip_hole(struct tcp_table *t, struct tcp_conn *c, int dir, uint32_t upto,
		      uint64_t frame)
{
	struct tcp_dir *d = &c->d[dir];

	while (d->ooo && seq_diff(d->ooo->seq, upto) < 0) {
		if (seq_diff(d->ooo->seq, d->next) > 0)
			report_gap(t, c, dir, (uint32_t)seq_diff(d->ooo->seq, d->next), frame);
		drain(t, c, dir);
	}
	if (seq_diff(upto, d->next) > 0)
		report_gap(t, c, dir, (uint32_t)seq_diff(upto, d->next), frame);
}

static void flush_all(struct tcp_table *t, struct tcp_conn *c, int dir, uint64_t frame)
{
	struct tcp_dir *d = &c->d[dir];

	while (d->ooo) {
		report_gap(t, c, dir, (uint32_t)seq_diff(d->ooo->seq, d->next), frame);
		drain(t, c, dir);
	}
}

static void data_in(struct tcp_table *t, struct tcp_conn *c, int dir, uint32_t seq,
		    struct view pl, uint64_t frame, double time);

static void queue(struct tcp_table *t, struct tcp_conn *c, int dir, uint32_t seq,
		  const uint8_t *p, uint32_t len, uint64_t frame, double time)
{
	struct tcp_dir *d = &c->d[dir];
	struct tcp_seg_buf **pp;
	struct tcp_seg_buf *s;

	for (pp = &d->ooo; *pp && seq_diff((*pp)->seq, seq) <= 0; pp = &(*pp)->next) {
		if ((*pp)->seq == seq && (*pp)->len >= len) {
			d->retransmits++;
			t->st.retransmits++;
			return;
		}
	}
	if (d->ooo_bytes + len > TCP_OOO_MAX_DIR || t->ooo_total + len > TCP_OOO_MAX_TOTAL) {
		/* Over a cap: the hole will not be filled in time; move past it, then
		 * place this segment against what was delivered. */
		if (!d->partial)
			t->st.partial++;
		d->partial = true;
		flush_all(t, c, dir, frame);
		data_in(t, c, dir, seq, (struct view){ p, len }, frame, time);
		return;
	}
	s = malloc(sizeof(*s) + len);
	if (!s) {
		d->partial = true;
		return;
	}
	s->seq = seq;
	s->len = len;
	s->frame = frame;
	s->time = time;
	memcpy(s->data, p, len);
	s->next = *pp;
	*pp = s;
	d->ooo_bytes += len;
	d->reordered++;
	t->ooo_total += len;
	if (t->ooo_total > t->st.ooo_peak)
		t->st.ooo_peak = t->ooo_total;
}

static void data_in(struct tcp_table *t, struct tcp_conn *c, int dir, uint32_t seq,
		    struct view pl, uint64_t frame, double time)
{
	struct tcp_dir *d = &c->d[dir];
	int32_t rel;
	const uint8_t *p = pl.p;
	uint32_t len = (uint32_t)pl.len;

	if (!d->started) {
		d->started = true;
		d->midstream = !c->handshake;
		d->next = seq;
	}
	if (len == 0 || d->ended)
		return;
	rel = seq_diff(seq, d->next);
	if (rel < 0) {
		uint32_t old = (uint32_t)-(int64_t)rel;

		if (old >= len) {
			d->retransmits++;
			t->st.retransmits++;
			return;
		}
		d->overlaps++;
		p += old;
		len -= old;
		rel = 0;
	}
	if (rel > 0) {
		queue(t, c, dir, seq, p, len, frame, time);
		return;
	}
	deliver(t, c, dir, p, len, frame, time);
	drain(t, c, dir);
}

static struct tcp_conn *conn_new(struct tcp_table *t, uint32_t cip, uint32_t sip,
				 uint16_t cport, uint16_t sport, uint64_t frame, double time)
{
	struct tcp_conn *c;
	size_t slot;
	uint64_t a;
	uint64_t b;

	if (t->open >= TCP_CONN_MAX) {
		t->st.conns_dropped++;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (t->nfree) {
		slot = t->free_slots[--t->nfree];
	} else {
		if (t->nconns == t->cap) {
			size_t nc = t->cap ? t->cap * 2 : 64;
			struct tcp_conn **n = realloc(t->conns, nc * sizeof(*n));

			if (!n) {
				free(c);
				return NULL;
			}
			t->conns = n;
			t->cap = nc;
		}
		slot = t->nconns++;
	}
	key_of(cip, sip, cport, sport, &a, &b);
	t->cache_ok = false;
	if (!hmap_put(&t->map, a, b, slot)) {
		free(c);
		if (slot == t->nconns - 1)
			t->nconns--;
		return NULL;
	}
	c->id = (size_t)t->st.conns++;
	c->cip = cip;
	c->sip = sip;
	c->cport = cport;
	c->sport = sport;
	c->first_frame = frame;
	c->first_time = time;
	c->end_dir = -1;
	t->conns[slot] = c;
	t->open++;
	if (t->cb.open)
		t->cb.open(t->cb.ctx, c);
	return c;
}

/* Ports on which the listening side is known; used when no SYN was seen. */
static bool server_port(uint16_t p)
{
	return p == 80 || p == 3260 || p == 8080 || p == 443 || p == 8000 || p == 21;
}

static struct tcp_conn *lookup(struct tcp_table *t, uint32_t src, uint32_t dst,
			       const struct net_tcp *s, int *dir, size_t *slot)
{
	uint64_t a;
	uint64_t b;

	struct tcp_conn *c;

	key_of(src, dst, s->sport, s->dport, &a, &b);
	if (t->cache_ok && t->cache_a == a && t->cache_b == b) {
		*slot = t->cache_slot;
	} else if (hmap_get(&t->map, a, b, slot)) {
		t->cache_ok = true;
		t->cache_a = a;
		t->cache_b = b;
		t->cache_slot = *slot;
	} else {
		return NULL;
	}
	c = t->conns[*slot];
	if (c != NULL)
		*dir = c->cip == src && c->cport == s->sport ? 0 : 1;
	return c;
}

static void handle_ack(struct tcp_table *t, struct tcp_conn *c, int dir, uint32_t ack,
		       uint64_t frame)
{
	struct tcp_dir *o = &c->d[!dir];
	uint32_t upto = ack;

	/* The peer acknowledged bytes the capture never showed: they are lost to us. */
	if (!o->started || o->ended)
		return;
	if (o->fin && seq_diff(ack, o->fin_seq) > 0)
		upto = o->fin_seq;
	if (seq_diff(upto, o->next) > 0 && seq_diff(upto, o->next) < (1 << 30))
		skip_hole(t, c, !dir, upto, frame);
}

void tcp_segment(struct tcp_table *t, uint32_t src, uint32_t dst, const struct net_tcp *s,
		 uint64_t frame, double time)
{
	int dir;
	size_t slot;
	struct tcp_conn *c = lookup(t, src, dst, s, &dir, &slot);
	bool syn = (s->flags & NET_TCP_SYN) != 0;
	bool ack = (s->flags & NET_TCP_ACK) != 0;

	if (c && syn && !ack && dir == 0 && c->d[0].started &&
	    (c->d[0].ended || c->d[1].ended || c->d[0].next - 1 != s->seq)) {
		/* A new connection on the same ports: the old one is over. */
		flush_all(t, c, 0, frame);
		flush_all(t, c, 1, frame);
		conn_free(t, slot);
		c = NULL;
	}
	if (!c) {
		uint64_t a;
		uint64_t b;
		uint64_t a2;
		uint64_t b2;

		if (s->flags & NET_TCP_RST)
			return;
		key_of(src, dst, s->sport, s->dport, &a, &b);
		key_of(dst, src, s->dport, s->sport, &a2, &b2);
		if (!syn && (hmap_get(&t->closed, a, b, &slot) || hmap_get(&t->closed, a2, b2, &slot)))
			return;	/* the last ACK or a late retransmission of a closed connection */
		if (syn) {
			hmap_del(&t->closed, a, b);
			hmap_del(&t->closed, a2, b2);
		}
		if (syn && ack)	/* SYN+ACK: the sender is the server */
			c = conn_new(t, dst, src, s->dport, s->sport, frame, time), dir = 1;
		else if (syn || !server_port(s->sport) || server_port(s->dport))
			c = conn_new(t, src, dst, s->sport, s->dport, frame, time), dir = 0;
		else
			c = conn_new(t, dst, src, s->dport, s->sport, frame, time), dir = 1;
		if (!c)
			return;
		if (!lookup(t, src, dst, s, &dir, &slot))
			return;
	}
	c->last_frame = frame;
	c->last_time = time;
	if (syn) {
		struct tcp_dir *d = &c->d[dir];

		c->handshake = true;
		if (!d->started || d->midstream) {
			d->started = true;
			d->midstream = false;
			d->next = s->seq + 1;
		}
		/* SYN+ACK without the SYN: the client's first sequence number is its ack. */
		if (ack && dir == 1 && !c->d[0].started) {
			c->d[0].started = true;
			c->d[0].next = s->ack;
		}
	}
	if (ack)
		handle_ack(t, c, dir, s->ack, frame);
	data_in(t, c, dir, syn ? s->seq + 1 : s->seq, s->payload, frame, time);
	if (s->flags & NET_TCP_FIN) {
		struct tcp_dir *d = &c->d[dir];

		if (!d->fin) {
			d->fin = true;
			d->fin_seq = (syn ? s->seq + 1 : s->seq) + (uint32_t)s->payload.len;
		}
	}
	/* A FIN ends its direction once the bytes before it are in (maybe by this segment). */
	maybe_end_fin(t, c, dir, frame, time);
	maybe_end_fin(t, c, !dir, frame, time);
	if (s->flags & NET_TCP_RST) {
		flush_all(t, c, 0, frame);
		flush_all(t, c, 1, frame);
		if (c->end_dir < 0) {
			c->end_dir = dir;
			c->end = TCP_END_RST;
			c->end_frame = frame;
			c->end_time = time;
		}
		if (t->cb.end)
			t->cb.end(t->cb.ctx, c, dir, TCP_END_RST, frame, time);
		conn_free(t, slot);
		return;
	}
	if (c->d[0].ended && c->d[1].ended) {
		uint64_t a;
		uint64_t b;

		key_of(c->cip, c->sip, c->cport, c->sport, &a, &b);
		/* Bounded: past TCP_CONN_MAX remembered tuples, forget them all. */
		if (t->closed.live >= TCP_CONN_MAX) {
			hmap_free(&t->closed);
			hmap_init(&t->closed);
		}
		hmap_put(&t->closed, a, b, 1);
		conn_free(t, slot);
	}
}

void tcp_finish(struct tcp_table *t, uint64_t frame, double time)
{
	for (size_t i = 0; i < t->nconns; i++) {
		struct tcp_conn *c = t->conns[i];

		if (!c)
			continue;
		for (int dir = 0; dir < 2; dir++) {
			flush_all(t, c, dir, frame);
			maybe_end_fin(t, c, dir, frame, time);
		}
		if (!(c->d[0].ended && c->d[1].ended) && t->cb.end)
			t->cb.end(t->cb.ctx, c, -1, TCP_END_CAPTURE, frame, time);
		conn_free(t, i);
	}
}
