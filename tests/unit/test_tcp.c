/* test_tcp.c: TCP reassembly on hand-made segments: streams, gaps, ends, caps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checker/tcp.h"
#include "proto/net.h"

#define CIP 0x0a000001u	/* 10.0.0.1 */
#define SIP 0x0a000002u	/* 10.0.0.2 */
#define CPORT 40000
#define SPORT 80

#define MAX_CONNS 8
#define MAX_GAPS 16
#define MAX_ENDS 4

/* What the callbacks saw for one connection (by id). */
struct conn_rec {
	unsigned opens;
	unsigned closes;
	uint8_t *buf[2];	/* delivered bytes, appended */
	size_t len[2];
	size_t cap[2];
	unsigned ndata[2];
	unsigned ngap[2];
	uint64_t gap[2][MAX_GAPS];
	uint64_t gap_frame[2][MAX_GAPS];
	unsigned nend;
	int end_dir[MAX_ENDS];
	enum tcp_end end_how[MAX_ENDS];
	struct tcp_conn last;	/* copy of the connection at the last callback */
	struct tcp_conn at_close;	/* copy at close */
};

struct rec {
	struct conn_rec c[MAX_CONNS + 1];
	char log[8192];	/* event order: "o0 d0.0 g0.1 e0.0F c0 ..." */
	size_t loglen;
	uint64_t frame;
};

static struct rec *R;	/* the recorder of the running test */

static void logs(struct rec *r, const char *ev)
{
	size_t n = strlen(ev);

	if (r->loglen + n + 1 >= sizeof(r->log))
		return;
	memcpy(r->log + r->loglen, ev, n + 1);
	r->loglen += n;
}

static struct conn_rec *crec(struct rec *r, const struct tcp_conn *c)
{
	/* Connections past MAX_CONNS share the last record. */
	size_t i = c->id < MAX_CONNS ? c->id : MAX_CONNS;

	r->c[i].last = *c;
	return &r->c[i];
}

static void cb_open(void *ctx, struct tcp_conn *c)
{
	struct rec *r = ctx;
	char ev[32];

	crec(r, c)->opens++;
	snprintf(ev, sizeof(ev), "o%zu ", c->id);
	logs(r, ev);
}

static void cb_data(void *ctx, struct tcp_conn *c, int dir, const uint8_t *p, size_t len,
		    uint64_t frame, double time)
{
	struct rec *r = ctx;
	struct conn_rec *cr = crec(r, c);
	char ev[32];

	(void)frame;
	(void)time;
	assert_true(dir == 0 || dir == 1);
	assert_true(len > 0);
	if (cr->len[dir] + len > cr->cap[dir]) {
		size_t nc = (cr->len[dir] + len) * 2;
		uint8_t *n = realloc(cr->buf[dir], nc);

		assert_non_null(n);
		cr->buf[dir] = n;
		cr->cap[dir] = nc;
	}
	memcpy(cr->buf[dir] + cr->len[dir], p, len);
	cr->len[dir] += len;
	cr->ndata[dir]++;
	snprintf(ev, sizeof(ev), "d%zu.%d ", c->id, dir);
	logs(r, ev);
}

static void cb_gap(void *ctx, struct tcp_conn *c, int dir, uint64_t len, uint64_t frame)
{
	struct rec *r = ctx;
	struct conn_rec *cr = crec(r, c);
	char ev[32];

	assert_true(dir == 0 || dir == 1);
	if (cr->ngap[dir] < MAX_GAPS) {
		cr->gap[dir][cr->ngap[dir]] = len;
		cr->gap_frame[dir][cr->ngap[dir]] = frame;
	}
	cr->ngap[dir]++;
	snprintf(ev, sizeof(ev), "g%zu.%d ", c->id, dir);
	logs(r, ev);
}

static void cb_end(void *ctx, struct tcp_conn *c, int dir, enum tcp_end how, uint64_t frame,
		   double time)
{
	struct rec *r = ctx;
	struct conn_rec *cr = crec(r, c);
	char ev[32];
	char h = how == TCP_END_FIN ? 'F' : how == TCP_END_RST ? 'R' : 'C';

	(void)frame;
	(void)time;
	if (cr->nend < MAX_ENDS) {
		cr->end_dir[cr->nend] = dir;
		cr->end_how[cr->nend] = how;
	}
	cr->nend++;
	snprintf(ev, sizeof(ev), "e%zu.%d%c ", c->id, dir, h);
	logs(r, ev);
}

static void cb_close(void *ctx, struct tcp_conn *c)
{
	struct rec *r = ctx;
	struct conn_rec *cr = crec(r, c);
	char ev[32];

	cr->closes++;
	cr->at_close = *c;
	snprintf(ev, sizeof(ev), "c%zu ", c->id);
	logs(r, ev);
}

static int setup(void **state)
{
	struct rec *r = calloc(1, sizeof(*r));
	struct tcp_callbacks cb = { r, cb_open, cb_data, cb_gap, cb_end, cb_close };
	struct tcp_table *t;

	assert_non_null(r);
	R = r;
	t = tcp_table_new(&cb);
	assert_non_null(t);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	tcp_table_free(*state);
	for (size_t i = 0; i <= MAX_CONNS; i++) {
		free(R->c[i].buf[0]);
		free(R->c[i].buf[1]);
	}
	free(R);
	R = NULL;
	return 0;
}

/* Feeds one segment; data may be NULL. */
static void segn(struct tcp_table *t, uint32_t src, uint32_t dst, uint16_t sport,
		 uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, const void *data,
		 size_t len)
{
	struct net_tcp s;

	memset(&s, 0, sizeof(s));
	s.sport = sport;
	s.dport = dport;
	s.seq = seq;
	s.ack = ack;
	s.flags = flags;
	s.window = 65535;
	s.payload.p = data;
	s.payload.len = data ? len : 0;
	R->frame++;
	tcp_segment(t, src, dst, &s, R->frame, (double)R->frame / 100.0);
}

/* Client to server / server to client, with a string payload (or NULL). */
static void cs(struct tcp_table *t, uint32_t seq, uint32_t ack, uint8_t flags, const char *d)
{
	segn(t, CIP, SIP, CPORT, SPORT, seq, ack, flags, d, d ? strlen(d) : 0);
}

static void sc(struct tcp_table *t, uint32_t seq, uint32_t ack, uint8_t flags, const char *d)
{
	segn(t, SIP, CIP, SPORT, CPORT, seq, ack, flags, d, d ? strlen(d) : 0);
}

static void handshake(struct tcp_table *t, uint32_t ci, uint32_t si)
{
	cs(t, ci, 0, NET_TCP_SYN, NULL);
	sc(t, si, ci + 1, NET_TCP_SYN | NET_TCP_ACK, NULL);
	cs(t, ci + 1, si + 1, NET_TCP_ACK, NULL);
}

static void assert_stream(const struct conn_rec *cr, int dir, const char *want)
{
	size_t n = strlen(want);

	assert_int_equal(cr->len[dir], n);
	if (n)
		assert_memory_equal(cr->buf[dir], want, n);
}

#define ACK NET_TCP_ACK
#define PA (NET_TCP_PSH | NET_TCP_ACK)
#define FA (NET_TCP_FIN | NET_TCP_ACK)

static void test_tcp_handshake_data_and_fin_both_ways(void **state)
{
	struct tcp_table *t = *state;
	const uint32_t ci = 1000;
	const uint32_t si = 5000;
	const struct conn_rec *cr = &R->c[0];

	handshake(t, ci, si);
	cs(t, ci + 1, si + 1, PA, "GET / HTTP/1.0\r\n");
	cs(t, ci + 17, si + 1, PA, "\r\n");
	sc(t, si + 1, ci + 19, PA, "HTTP/1.0 200 OK\r\n\r\n");
	sc(t, si + 20, ci + 19, PA, "hello");
	cs(t, ci + 19, si + 25, FA, NULL);
	assert_int_equal(cr->nend, 1);
	assert_int_equal(cr->closes, 0);
	sc(t, si + 25, ci + 20, FA, NULL);

	assert_int_equal(cr->opens, 1);
	assert_stream(cr, 0, "GET / HTTP/1.0\r\n\r\n");
	assert_stream(cr, 1, "HTTP/1.0 200 OK\r\n\r\nhello");
	assert_int_equal(cr->ngap[0] + cr->ngap[1], 0);
	assert_int_equal(cr->nend, 2);
	assert_int_equal(cr->end_dir[0], 0);
	assert_int_equal(cr->end_how[0], TCP_END_FIN);
	assert_int_equal(cr->end_dir[1], 1);
	assert_int_equal(cr->end_how[1], TCP_END_FIN);
	assert_int_equal(cr->closes, 1);
	assert_true(cr->at_close.handshake);
	assert_false(cr->at_close.d[0].midstream);
	assert_false(cr->at_close.d[1].midstream);
	assert_int_equal(cr->at_close.cip, CIP);
	assert_int_equal(cr->at_close.sip, SIP);
	assert_int_equal(cr->at_close.cport, CPORT);
	assert_int_equal(cr->at_close.sport, SPORT);
	assert_int_equal(cr->at_close.end, TCP_END_FIN);
	assert_int_equal(cr->at_close.end_dir, 0);
	assert_int_equal(cr->at_close.end_frame, 8);
	assert_int_equal(cr->at_close.d[0].bytes, 18);
	assert_int_equal(cr->at_close.d[1].bytes, 24);

	tcp_finish(t, 100, 1.0);
	assert_int_equal(cr->closes, 1);
	assert_int_equal(cr->nend, 2);
	assert_int_equal(tcp_table_stats(t)->conns, 1);
	assert_int_equal(tcp_table_stats(t)->gaps, 0);
	assert_string_equal(R->log, "o0 d0.0 d0.0 d0.1 d0.1 e0.0F e0.1F c0 ");
}

static void test_tcp_sequence_wraps_around_2_32(void **state)
{
	struct tcp_table *t = *state;
	const uint32_t ci = 0xFFFFFFF0u;
	const uint32_t si = 0xFFFFFFFFu;
	const struct conn_rec *cr = &R->c[0];
	static const char d64[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/";
	char part[17];

	assert_int_equal(strlen(d64), 64);
	handshake(t, ci, si);
	/* Four 16-byte segments: the second crosses 2^32. */
	for (uint32_t k = 0; k < 4; k++) {
		memcpy(part, d64 + 16 * k, 16);
		part[16] = '\0';
		cs(t, ci + 1 + 16 * k, si + 1, PA, part);
	}
	sc(t, si + 1, ci + 65, PA, "ok");
	tcp_finish(t, 50, 1.0);

	assert_stream(cr, 0, d64);
	assert_stream(cr, 1, "ok");
	assert_int_equal(cr->ngap[0] + cr->ngap[1], 0);
	assert_int_equal(cr->at_close.d[0].next, (uint32_t)(ci + 1 + 64));
	assert_int_equal(cr->at_close.d[0].next, 0x31);
	assert_int_equal(cr->at_close.d[1].next, 2);
	assert_int_equal(cr->at_close.d[0].retransmits, 0);
	assert_int_equal(cr->nend, 1);
	assert_int_equal(cr->end_how[0], TCP_END_CAPTURE);
	assert_int_equal(cr->end_dir[0], -1);
	assert_int_equal(cr->closes, 1);
}

static void test_tcp_out_of_order_segments_are_reordered(void **state)
{
	struct tcp_table *t = *state;
	const uint32_t ci = 7;
	const uint32_t si = 9;
	const struct conn_rec *cr = &R->c[0];

	handshake(t, ci, si);
	cs(t, ci + 1, si + 1, PA, "AAAA");
	cs(t, ci + 9, si + 1, PA, "CCCC");
	assert_stream(cr, 0, "AAAA");
	cs(t, ci + 5, si + 1, PA, "BBBB");
	assert_stream(cr, 0, "AAAABBBBCCCC");
	assert_int_equal(cr->ngap[0], 0);
	assert_int_equal(cr->last.d[0].reordered, 1);
	assert_int_equal(cr->last.d[0].retransmits, 0);
	assert_int_equal(tcp_table_stats(t)->ooo_peak, 4);
	tcp_finish(t, 50, 1.0);
	assert_int_equal(cr->ngap[0], 0);
	assert_stream(cr, 0, "AAAABBBBCCCC");
}

static void test_tcp_exact_retransmission_is_delivered_once(void **state)
{
	struct tcp_table *t = *state;
	const uint32_t ci = 100;
	const uint32_t si = 200;
	const struct conn_rec *cr = &R->c[0];

	handshake(t, ci, si);
	cs(t, ci + 1, si + 1, PA, "hello ");
	cs(t, ci + 1, si + 1, PA, "hello ");
	cs(t, ci + 7, si + 1, PA, "world");
	/* The conn pointer given to the data callback counts the retransmission. */
	assert_int_equal(cr->last.d[0].retransmits, 1);
	assert_int_equal(cr->last.d[0].overlaps, 0);
	assert_int_equal(cr->ndata[0], 2);
	assert_stream(cr, 0, "hello world");
	assert_int_equal(tcp_table_stats(t)->retransmits, 1);
	tcp_finish(t, 50, 1.0);
	assert_int_equal(cr->at_close.d[0].retransmits, 1);
	assert_int_equal(cr->at_close.d[0].bytes, 11);
}

static void test_tcp_retransmission_of_a_queued_segment(void **state)
{
	struct tcp_table *t = *state;
	const uint32_t ci = 100;
	const uint32_t si = 200;
	const struct conn_rec *cr = &R->c[0];

	handshake(t, ci, si);
	cs(t, ci + 5, si + 1, PA, "BBBB");
	cs(t, ci + 5, si + 1, PA, "BBBB");
	cs(t, ci + 1, si + 1, PA, "AAAA");
	assert_stream(cr, 0, "AAAABBBB");
	assert_int_equal(cr->last.d[0].retransmits, 1);
	assert_int_equal(cr->ngap[0], 0);
}

static void test_tcp_overlap_delivers_only_new_bytes(void **state)
{
	struct tcp_table *t = *state;
	const uint32_t ci = 100;
	const uint32_t si = 200;
	const struct conn_rec *cr = &R->c[0];

	handshake(t, ci, si);
	cs(t, ci + 1, si + 1, PA, "hello ");
	/* "lo " again, then "world" new. */
	cs(t, ci + 4, si + 1, PA, "lo world");
	assert_stream(cr, 0, "hello world");
	assert_int_equal(cr->last.d[0].overlaps, 1);
	assert_int_equal(cr->last.d[0].retransmits, 0);
	assert_int_equal(cr->last.d[0].bytes, 11);
	/* An out-of-order segment overlapping a later queued one. */
	cs(t, ci + 16, si + 1, PA, "EFGH");
	cs(t, ci + 14, si + 1, PA, "CDEF");
	cs(t, ci + 12, si + 1, PA, "AB");
	assert_stream(cr, 0, "hello worldABCDEFGH");
	assert_int_equal(cr->ngap[0], 0);
}

static void test_tcp_hole_acked_past_is_a_gap(void **state)
{
	struct tcp_table *t = *state;
	const uint32_t ci = 0x7FFFFFF0u;
	const uint32_t si = 3;
	const struct conn_rec *cr = &R->c[0];

	handshake(t, ci, si);
	cs(t, ci + 1, si + 1, PA, "AAAA");
	/* "BBBB" at ci + 5 never makes it into the capture. */
	cs(t, ci + 9, si + 1, PA, "CCCC");
	assert_stream(cr, 0, "AAAA");
	assert_int_equal(cr->ngap[0], 0);
	sc(t, si + 1, ci + 13, ACK, NULL);	/* frame 6 */
	assert_int_equal(cr->ngap[0], 1);
	assert_int_equal(cr->gap[0][0], 4);
	assert_int_equal(cr->gap_frame[0][0], 6);
	/* Only real bytes: no filler where the hole was. */
	assert_stream(cr, 0, "AAAACCCC");
	assert_int_equal(cr->last.d[0].gap_bytes, 4);
	assert_int_equal(cr->last.d[0].gaps, 1);
	/* A lost tail the peer acknowledged, then more data. */
	sc(t, si + 1, ci + 17, ACK, NULL);
	assert_int_equal(cr->ngap[0], 2);
	assert_int_equal(cr->gap[0][1], 4);
	cs(t, ci + 17, si + 1, PA, "EEEE");
	assert_stream(cr, 0, "AAAACCCCEEEE");
	assert_int_equal(tcp_table_stats(t)->gaps, 2);
	assert_int_equal(tcp_table_stats(t)->gap_bytes, 8);
	assert_string_equal(R->log, "o0 d0.0 g0.0 d0.0 g0.0 d0.0 ");
}

static void test_tcp_hole_at_end_of_capture_is_flushed_by_finish(void **state)
{
	struct tcp_table *t = *state;
	const uint32_t ci = 11;
	const uint32_t si = 22;
	const struct conn_rec *cr = &R->c[0];

	handshake(t, ci, si);
	cs(t, ci + 1, si + 1, PA, "AAAA");
	cs(t, ci + 9, si + 1, PA, "CCCC");
	cs(t, ci + 13, si + 1, PA, "DD");
	assert_stream(cr, 0, "AAAA");
	tcp_finish(t, 77, 1.0);
	assert_int_equal(cr->ngap[0], 1);
	assert_int_equal(cr->gap[0][0], 4);
	assert_int_equal(cr->gap_frame[0][0], 77);
	assert_stream(cr, 0, "AAAACCCCDD");
	assert_int_equal(cr->nend, 1);
	assert_int_equal(cr->end_how[0], TCP_END_CAPTURE);
	assert_int_equal(cr->end_dir[0], -1);
	assert_int_equal(cr->closes, 1);
	assert_int_equal(cr->at_close.d[0].ooo_bytes, 0);
	assert_null(cr->at_close.d[0].ooo);
	assert_string_equal(R->log, "o0 d0.0 g0.0 d0.0 d0.0 e0.-1C c0 ");
}

static void test_tcp_rst_ends_and_closes(void **state)
{
	struct tcp_table *t = *state;
	const uint32_t ci = 11;
	const uint32_t si = 22;
	const struct conn_rec *cr = &R->c[0];

	handshake(t, ci, si);
	cs(t, ci + 1, si + 1, PA, "AAAA");
	cs(t, ci + 9, si + 1, PA, "CCCC");	/* queued behind a hole */
	sc(t, si + 1, ci + 5, NET_TCP_RST, NULL);
	assert_int_equal(cr->nend, 1);
	assert_int_equal(cr->end_how[0], TCP_END_RST);
	assert_int_equal(cr->end_dir[0], 1);
	assert_int_equal(cr->closes, 1);
	assert_int_equal(cr->at_close.end, TCP_END_RST);
	assert_int_equal(cr->at_close.end_dir, 1);
	/* The queued bytes were flushed (with their gap) before the end. */
	assert_stream(cr, 0, "AAAACCCC");
	assert_int_equal(cr->ngap[0], 1);
	assert_int_equal(cr->gap[0][0], 4);
	assert_string_equal(R->log, "o0 d0.0 g0.0 d0.0 e0.1R c0 ");

	/* A RST for a connection that is no longer known opens nothing. */
	sc(t, si + 1, ci + 5, NET_TCP_RST, NULL);
	tcp_finish(t, 50, 1.0);
	assert_int_equal(cr->closes, 1);
	assert_int_equal(cr->nend, 1);
	assert_int_equal(tcp_table_stats(t)->conns, 1);
}

static void test_tcp_midstream_client_to_server_port(void **state)
{
	struct tcp_table *t = *state;
	const struct conn_rec *cr = &R->c[0];

	cs(t, 5000, 9000, PA, "GET /x HTTP/1.1\r\n\r\n");
	sc(t, 9000, 5019, PA, "HTTP/1.1 200 OK\r\n");
	assert_int_equal(cr->opens, 1);
	assert_int_equal(cr->last.cip, CIP);
	assert_int_equal(cr->last.sip, SIP);
	assert_int_equal(cr->last.cport, CPORT);
	assert_int_equal(cr->last.sport, SPORT);
	assert_false(cr->last.handshake);
	assert_true(cr->last.d[0].midstream);
	assert_true(cr->last.d[1].midstream);
	assert_stream(cr, 0, "GET /x HTTP/1.1\r\n\r\n");
	assert_stream(cr, 1, "HTTP/1.1 200 OK\r\n");
	assert_int_equal(cr->ngap[0] + cr->ngap[1], 0);
}

static void test_tcp_midstream_first_seen_from_server_port(void **state)
{
	struct tcp_table *t = *state;
	const struct conn_rec *cr = &R->c[0];

	sc(t, 9000, 5000, PA, "HTTP/1.1 200 OK\r\n");
	assert_int_equal(cr->opens, 1);
	/* The sender of the first segment is the server: roles reversed. */
	assert_int_equal(cr->last.cip, CIP);
	assert_int_equal(cr->last.sip, SIP);
	assert_int_equal(cr->last.cport, CPORT);
	assert_int_equal(cr->last.sport, SPORT);
	assert_true(cr->last.d[1].midstream);
	assert_false(cr->last.d[0].started);
	assert_stream(cr, 1, "HTTP/1.1 200 OK\r\n");
	assert_int_equal(cr->len[0], 0);
	cs(t, 5000, 9017, PA, "GET /y HTTP/1.1\r\n\r\n");
	assert_stream(cr, 0, "GET /y HTTP/1.1\r\n\r\n");
	assert_true(cr->last.d[0].midstream);
	assert_int_equal(tcp_table_stats(t)->conns, 1);
}

static void test_tcp_synack_without_syn(void **state)
{
	struct tcp_table *t = *state;
	const uint32_t ci = 4000;
	const uint32_t si = 8000;
	const struct conn_rec *cr = &R->c[0];

	sc(t, si, ci + 1, NET_TCP_SYN | NET_TCP_ACK, NULL);
	cs(t, ci + 1, si + 1, ACK, NULL);
	cs(t, ci + 1, si + 1, PA, "GET / HTTP/1.1\r\n\r\n");
	sc(t, si + 1, ci + 19, PA, "HTTP/1.1 204 No Content\r\n\r\n");
	assert_int_equal(cr->opens, 1);
	assert_int_equal(cr->last.cip, CIP);
	assert_int_equal(cr->last.sip, SIP);
	assert_int_equal(cr->last.cport, CPORT);
	assert_int_equal(cr->last.sport, SPORT);
	assert_true(cr->last.handshake);
	assert_false(cr->last.d[0].midstream);
	assert_false(cr->last.d[1].midstream);
	assert_stream(cr, 0, "GET / HTTP/1.1\r\n\r\n");
	assert_stream(cr, 1, "HTTP/1.1 204 No Content\r\n\r\n");
	assert_int_equal(cr->ngap[0] + cr->ngap[1], 0);
	assert_int_equal(tcp_table_stats(t)->conns, 1);
}

static void test_tcp_syn_retransmission_is_the_same_connection(void **state)
{
	struct tcp_table *t = *state;
	const struct conn_rec *cr = &R->c[0];

	cs(t, 10, 0, NET_TCP_SYN, NULL);
	cs(t, 10, 0, NET_TCP_SYN, NULL);
	sc(t, 20, 11, NET_TCP_SYN | NET_TCP_ACK, NULL);
	cs(t, 11, 21, PA, "hi");
	assert_int_equal(tcp_table_stats(t)->conns, 1);
	assert_int_equal(cr->opens, 1);
	assert_int_equal(cr->closes, 0);
	assert_stream(cr, 0, "hi");
}

static void test_tcp_port_reuse_opens_a_new_connection(void **state)
{
	struct tcp_table *t = *state;
	const struct conn_rec *c0 = &R->c[0];
	const struct conn_rec *c1 = &R->c[1];
	const struct conn_rec *c2 = &R->c[2];

	handshake(t, 1000, 5000);
	cs(t, 1001, 5001, PA, "one");
	cs(t, 1004, 5001, FA, NULL);
	sc(t, 5001, 1005, FA, NULL);
	assert_int_equal(c0->closes, 1);
	/* Same addresses and ports, a different ISN. */
	handshake(t, 7000, 9000);
	cs(t, 7001, 9001, PA, "two");
	assert_int_equal(c1->opens, 1);
	assert_int_equal(c1->last.id, 1);
	assert_true(c1->last.handshake);
	assert_stream(c0, 0, "one");
	assert_stream(c1, 0, "two");
	assert_int_equal(tcp_table_stats(t)->conns, 2);

	/* A new SYN while the old connection is only half closed ends it too. */
	cs(t, 7004, 9001, FA, NULL);
	assert_int_equal(c1->closes, 0);
	handshake(t, 12345, 67890);
	assert_int_equal(c1->closes, 1);
	assert_int_equal(c2->opens, 1);
	assert_int_equal(c2->last.id, 2);
	tcp_finish(t, 100, 1.0);
	assert_int_equal(c2->closes, 1);
	assert_int_equal(c0->opens + c1->opens + c2->opens, 3);
}

/* Regression (fixed): the client's last ACK (after both FINs freed the connection) opens a second,
 * midstream connection: a phantom conn in the stats, a second open and close. */
static void test_tcp_final_ack_after_close_opens_no_connection(void **state)
{
	struct tcp_table *t = *state;
	const struct conn_rec *cr = &R->c[0];

	handshake(t, 1000, 5000);
	cs(t, 1001, 5001, PA, "x");
	cs(t, 1002, 5001, FA, NULL);
	sc(t, 5001, 1003, FA, NULL);
	assert_int_equal(cr->closes, 1);
	cs(t, 1003, 5002, ACK, NULL);	/* the ACK of the server's FIN */
	tcp_finish(t, 100, 1.0);
	assert_int_equal(R->c[1].opens, 0);
	assert_int_equal(tcp_table_stats(t)->conns, 1);
}

/* Regression (fixed): a FIN that arrives ahead of a hole is not reported when the hole fills:
 * end(FIN) only comes from tcp_finish (as a capture end frame), and the connection
 * stays open after both FINs. */
static void test_tcp_out_of_order_fin_ends_when_hole_fills(void **state)
{
	struct tcp_table *t = *state;
	const uint32_t ci = 1000;
	const uint32_t si = 5000;
	const struct conn_rec *cr = &R->c[0];

	handshake(t, ci, si);
	cs(t, ci + 1, si + 1, PA, "AAAA");
	cs(t, ci + 9, si + 1, FA, "CCCC");	/* FIN ahead of the hole */
	cs(t, ci + 5, si + 1, PA, "BBBB");	/* fills the hole, frame 7 */
	assert_stream(cr, 0, "AAAABBBBCCCC");
	assert_int_equal(cr->nend, 1);
	assert_int_equal(cr->end_dir[0], 0);
	assert_int_equal(cr->end_how[0], TCP_END_FIN);
	sc(t, si + 1, ci + 14, FA, NULL);
	assert_int_equal(cr->closes, 1);
	tcp_finish(t, 100, 1.0);
}

/* Fills a direction's out-of-order queue past a hole. */
#define SEG 65536u
#define NSEG (TCP_OOO_MAX_DIR / SEG)	/* segments that exactly fill the cap */
#define HOLE 1000u

/* Static, so that a failing assertion leaks nothing. */
static uint8_t pat_buf[HOLE + (NSEG + 1) * SEG];

static uint8_t *pattern(size_t n)
{
	assert_true(n <= sizeof(pat_buf));
	for (size_t i = 0; i < n; i++)
		pat_buf[i] = (uint8_t)(i * 7 + i / 251);
	return pat_buf;
}

static void test_tcp_ooo_cap_marks_partial(void **state)
{
	struct tcp_table *t = *state;
	const uint32_t ci = 0xFFF00000u;	/* wraps inside the stream, too */
	const uint32_t si = 1;
	const struct conn_rec *cr = &R->c[0];
	size_t total = (size_t)(NSEG + 1) * SEG;
	uint8_t *pat = pattern(HOLE + total);

	assert_int_equal(NSEG, 16);
	handshake(t, ci, si);
	/* bytes [0, HOLE) lost; NSEG segments queue up to exactly the cap. */
	for (uint32_t k = 0; k < NSEG; k++)
		segn(t, CIP, SIP, CPORT, SPORT, ci + 1 + HOLE + k * SEG, si + 1, PA,
		     pat + HOLE + (size_t)k * SEG, SEG);
	assert_int_equal(cr->len[0], 0);
	assert_int_equal(cr->ngap[0], 0);
	assert_false(cr->last.d[0].partial);
	/* One more is past the cap: the hole is given up. */
	segn(t, CIP, SIP, CPORT, SPORT, ci + 1 + HOLE + NSEG * SEG, si + 1, PA,
	     pat + HOLE + (size_t)NSEG * SEG, SEG);
	assert_int_equal(cr->ngap[0], 1);
	assert_int_equal(cr->gap[0][0], HOLE);
	assert_int_equal(cr->len[0], total);
	assert_memory_equal(cr->buf[0], pat + HOLE, total);
	assert_true(cr->last.d[0].partial);
	assert_int_equal(cr->last.d[0].ooo_bytes, 0);
	assert_int_equal(tcp_table_stats(t)->partial, 1);
	assert_int_equal(tcp_table_stats(t)->ooo_peak, TCP_OOO_MAX_DIR);
	/* The stream goes on in order afterwards. */
	cs(t, ci + 1 + HOLE + (uint32_t)total, si + 1, PA, "tail");
	assert_int_equal(cr->len[0], total + 4);
	assert_memory_equal(cr->buf[0] + total, "tail", 4);
	tcp_finish(t, 1000, 1.0);
	assert_int_equal(cr->ngap[0], 1);
	assert_int_equal(cr->closes, 1);
}

/* Regression (fixed): with the queue at its cap, a retransmission of an already queued segment
 * (or any segment below the queued ones) flushes the queue, then reports a gap of
 * seq - next computed negative (2^32 - 16 * 65536 = 4293918720 bytes) and delivers
 * the retransmitted bytes a second time. */
static void test_tcp_ooo_cap_then_retransmission_of_queued_segment(void **state)
{
	struct tcp_table *t = *state;
	const uint32_t ci = 5000;
	const uint32_t si = 1;
	const struct conn_rec *cr = &R->c[0];
	size_t total = (size_t)NSEG * SEG;
	uint8_t *pat = pattern(HOLE + total);

	handshake(t, ci, si);
	for (uint32_t k = 0; k < NSEG; k++)
		segn(t, CIP, SIP, CPORT, SPORT, ci + 1 + HOLE + k * SEG, si + 1, PA,
		     pat + HOLE + (size_t)k * SEG, SEG);
	/* The first queued segment again. */
	segn(t, CIP, SIP, CPORT, SPORT, ci + 1 + HOLE, si + 1, PA, pat + HOLE, SEG);
	tcp_finish(t, 1000, 1.0);
	assert_int_equal(cr->gap[0][0], HOLE);
	/* Got: a second gap of 4293918720 bytes and 17 * 65536 bytes delivered. */
	assert_int_equal(cr->ngap[0], 1);
	assert_int_equal(cr->last.d[0].gap_bytes, HOLE);
	assert_int_equal(cr->len[0], total);
	assert_memory_equal(cr->buf[0], pat + HOLE, total);
}

static void test_tcp_table_free_closes_open_connections(void **state)
{
	struct tcp_table *t = *state;

	for (uint16_t k = 0; k < 3; k++) {
		uint16_t port = (uint16_t)(CPORT + k);

		segn(t, CIP, SIP, port, SPORT, 100, 0, NET_TCP_SYN, NULL, 0);
		segn(t, SIP, CIP, SPORT, port, 900, 101, NET_TCP_SYN | ACK, NULL, 0);
		segn(t, CIP, SIP, port, SPORT, 101, 901, PA, "abc", 3);
		segn(t, CIP, SIP, port, SPORT, 110, 901, PA, "queued", 6);	/* behind a hole */
	}
	assert_int_equal(tcp_table_stats(t)->conns, 3);
	tcp_table_free(t);
	*state = NULL;
	for (size_t k = 0; k < 3; k++) {
		assert_int_equal(R->c[k].opens, 1);
		assert_int_equal(R->c[k].closes, 1);
		assert_int_equal(R->c[k].nend, 0);
		assert_stream(&R->c[k], 0, "abc");
	}
}

static void test_tcp_many_connections_reuse_slots(void **state)
{
	struct tcp_table *t = *state;

	/* Open and close more connections than the first slot array holds. */
	for (uint32_t k = 0; k < 200; k++) {
		uint16_t port = (uint16_t)(30000 + k);

		segn(t, CIP, SIP, port, SPORT, 100, 0, NET_TCP_SYN, NULL, 0);
		segn(t, SIP, CIP, SPORT, port, 900, 101, NET_TCP_SYN | ACK, NULL, 0);
		if (k % 2)
			segn(t, SIP, CIP, SPORT, port, 901, 101, NET_TCP_RST, NULL, 0);
	}
	assert_int_equal(tcp_table_stats(t)->conns, 200);
	tcp_finish(t, 1000, 1.0);
	/* Callbacks index R->c by id: only the first MAX_CONNS are recorded. */
	for (size_t k = 0; k < MAX_CONNS; k++) {
		assert_int_equal(R->c[k].opens, 1);
		assert_int_equal(R->c[k].closes, 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tcp_handshake_data_and_fin_both_ways, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_sequence_wraps_around_2_32, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_out_of_order_segments_are_reordered,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_exact_retransmission_is_delivered_once,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_retransmission_of_a_queued_segment,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_overlap_delivers_only_new_bytes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_hole_acked_past_is_a_gap, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_tcp_hole_at_end_of_capture_is_flushed_by_finish, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_rst_ends_and_closes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_midstream_client_to_server_port, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_midstream_first_seen_from_server_port,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_synack_without_syn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_syn_retransmission_is_the_same_connection,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_port_reuse_opens_a_new_connection, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_final_ack_after_close_opens_no_connection,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_out_of_order_fin_ends_when_hole_fills,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_ooo_cap_marks_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_tcp_ooo_cap_then_retransmission_of_queued_segment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_table_free_closes_open_connections, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_many_connections_reuse_slots, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
