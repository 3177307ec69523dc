/* defrag.c: IPv4 reassembly: a small table of partial datagrams, each with a bitmap of 8-byte units. */
#include "checker/defrag.h"

#include <stdlib.h>

#define DG_MAX 65535u
#define UNITS ((DG_MAX + 7) / 8)

struct pending {
	bool used;
	uint32_t src;
	uint32_t dst;
	uint16_t id;
	uint8_t proto;
	double first_ts;
	uint32_t total;		/* payload length, known once the last fragment arrived */
	bool have_last;
	uint8_t *buf;
	uint8_t bits[(UNITS + 7) / 8];
};

struct defrag {
	struct pending slot[DEFRAG_MAX_PENDING];
	uint8_t *out;		/* the last completed datagram, handed to the caller */
};

struct defrag *defrag_new(void)
{
	return calloc(1, sizeof(struct defrag));
}

static void release(struct pending *p)
{
	free(p->buf);
	memset(p, 0, sizeof(*p));
}

size_t defrag_free(struct defrag *d)
{
	size_t left = 0;

	if (!d)
		return 0;
	for (size_t i = 0; i < DEFRAG_MAX_PENDING; i++) {
		if (d->slot[i].used)
			left++;
		release(&d->slot[i]);
	}
	free(d->out);
	free(d);
	return left;
}

static bool complete(const struct pending *p)
{
	if (!p->have_last)
		return false;
	for (uint32_t u = 0; u < (p->total + 7) / 8; u++)
		if (!(p->bits[u / 8] & (1u << (u % 8))))
			return false;
	return true;
}

enum defrag_result defrag_add(struct defrag *d, const struct net_ipv4 *f, double ts,
			      struct net_ipv4 *whole, uint64_t *dropped)
{
	struct pending *p = NULL;
	struct pending *oldest = NULL;
	struct pending *free_slot = NULL;
	uint32_t end = f->frag_off + (uint32_t)f->payload.len;

	if (f->payload.len == 0 || end > DG_MAX - 20 || (f->more_frags && f->payload.len % 8))
		return DEFRAG_BAD;
	for (size_t i = 0; i < DEFRAG_MAX_PENDING; i++) {
		struct pending *s = &d->slot[i];

		if (s->used && ts - s->first_ts > DEFRAG_TIMEOUT) {
			release(s);
			(*dropped)++;
		}
		if (!s->used) {
			if (!free_slot)
				free_slot = s;
			continue;
		}
		if (s->src == f->src && s->dst == f->dst && s->id == f->id && s->proto == f->proto)
			p = s;
		if (!oldest || s->first_ts < oldest->first_ts)
			oldest = s;
	}
	if (!p) {
		if (!free_slot) {
			release(oldest);
			(*dropped)++;
			free_slot = oldest;
		}
		p = free_slot;
		p->buf = malloc(DG_MAX);
		if (!p->buf)
			return DEFRAG_BAD;
		p->used = true;
		p->src = f->src;
		p->dst = f->dst;
		p->id = f->id;
		p->proto = f->proto;
		p->first_ts = ts;
	}
	memcpy(p->buf + f->frag_off, f->payload.p, f->payload.len);
	for (uint32_t u = f->frag_off / 8; u < (end + 7) / 8; u++)
		p->bits[u / 8] = (uint8_t)(p->bits[u / 8] | (1u << (u % 8)));
	if (!f->more_frags) {
		p->have_last = true;
		p->total = end;
	}
	if (!complete(p))
		return DEFRAG_PENDING;
	free(d->out);
	d->out = p->buf;
	p->buf = NULL;
	*whole = *f;
	whole->more_frags = false;
	whole->frag_off = 0;
	whole->total_len = (uint16_t)(p->total + 20);
	whole->cut = false;
	whole->payload.p = d->out;
	whole->payload.len = p->total;
	release(p);
	return DEFRAG_DONE;
}
