/* tcp.h: TCP reassembly into in-order byte streams, with capture gaps reported, never filled. */
#ifndef NBC_CHECKER_TCP_H
#define NBC_CHECKER_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/net.h"

/*
 * Memory caps (docs/limits.md). Out-of-order bytes wait in a per-direction
 * queue; past either cap the queue is flushed as a gap and the stream is
 * marked partial. Connections past TCP_CONN_MAX are not followed (counted).
 */
#define TCP_OOO_MAX_DIR (1u << 20)
#define TCP_OOO_MAX_TOTAL (64u << 20)
#define TCP_CONN_MAX 65536

enum tcp_end {
	TCP_END_FIN,
	TCP_END_RST,
	TCP_END_CAPTURE,	/* still open when the capture ended */
};

struct tcp_seg_buf;

/* One direction: 0 is client to server (the SYN's sender), 1 server to client. */
struct tcp_dir {
	bool started;		/* its first sequence number is known */
	bool midstream;		/* started without a SYN: joined an open connection */
	uint32_t next;		/* next sequence number to deliver */
	bool fin;
	uint32_t fin_seq;
	bool ended;		/* FIN or RST delivered */
	struct tcp_seg_buf *ooo;	/* out-of-order segments, sorted by sequence */
	size_t ooo_bytes;
	uint64_t bytes;		/* delivered */
	uint64_t gap_bytes;
	uint32_t gaps;
	uint32_t retransmits;	/* segments wholly already delivered */
	uint32_t overlaps;	/* segments partly already delivered */
	uint32_t reordered;	/* segments that arrived ahead of a hole */
	bool partial;		/* a cap was hit */
};

struct tcp_conn {
	size_t id;		/* order of appearance, from 0 */
	uint32_t cip;
	uint32_t sip;
	uint16_t cport;
	uint16_t sport;
	bool handshake;		/* SYN seen */
	uint64_t first_frame;
	double first_time;
	uint64_t last_frame;
	double last_time;
	enum tcp_end end;
	int end_dir;		/* who sent the first FIN or RST; -1 */
	uint64_t end_frame;	/* frame of that FIN or RST */
	double end_time;
	struct tcp_dir d[2];
	void *app;		/* the application decoder's state */
};

struct tcp_callbacks {
	void *ctx;
	void (*open)(void *ctx, struct tcp_conn *c);
	/* In-order bytes of one direction. */
	void (*data)(void *ctx, struct tcp_conn *c, int dir, const uint8_t *p, size_t len,
		     uint64_t frame, double time);
	/* len bytes of one direction are missing from the capture. */
	void (*gap)(void *ctx, struct tcp_conn *c, int dir, uint64_t len, uint64_t frame);
	/* A FIN (once its data is delivered) or RST from dir. */
	void (*end)(void *ctx, struct tcp_conn *c, int dir, enum tcp_end how, uint64_t frame,
		    double time);
	/* The connection is about to be freed: release c->app. */
	void (*close)(void *ctx, struct tcp_conn *c);
};

struct tcp_stats {
	uint64_t conns;
	uint64_t conns_dropped;	/* past TCP_CONN_MAX */
	uint64_t gaps;
	uint64_t gap_bytes;
	uint64_t retransmits;
	uint64_t partial;	/* directions that hit a cap */
	size_t ooo_peak;	/* most out-of-order bytes held at once */
};

struct tcp_table;

struct tcp_table *tcp_table_new(const struct tcp_callbacks *cb);
void tcp_table_free(struct tcp_table *t);
/* Feeds one segment (src/dst host order). */
void tcp_segment(struct tcp_table *t, uint32_t src, uint32_t dst, const struct net_tcp *seg,
		 uint64_t frame, double time);
/* Flushes every open connection (gaps for holes), ends and closes it. */
void tcp_finish(struct tcp_table *t, uint64_t frame, double time);
const struct tcp_stats *tcp_table_stats(const struct tcp_table *t);

#endif
