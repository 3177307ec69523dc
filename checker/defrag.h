/* defrag.h: IPv4 fragment reassembly with bounded memory. */
#ifndef NBC_CHECKER_DEFRAG_H
#define NBC_CHECKER_DEFRAG_H

#include "proto/net.h"

#define DEFRAG_MAX_PENDING 256	/* datagrams being reassembled at once */
#define DEFRAG_TIMEOUT 30.0	/* seconds a partial datagram is kept (RFC 791 suggests 15-120) */

struct defrag;

struct defrag *defrag_new(void);
/* Frees the table; returns how many partial datagrams were still pending. */
size_t defrag_free(struct defrag *d);

enum defrag_result {
	DEFRAG_PENDING = 0,
	DEFRAG_DONE = 1,	/* *whole is the reassembled datagram; valid until the next call */
	DEFRAG_BAD = -1,	/* the fragment cannot be placed (past 64 KiB, or zero-length) */
};

/*
 * Adds one fragment. dropped is incremented by the number of partial
 * datagrams given up (timeout, or the table was full).
 */
enum defrag_result defrag_add(struct defrag *d, const struct net_ipv4 *frag, double ts,
			      struct net_ipv4 *whole, uint64_t *dropped);

#endif
