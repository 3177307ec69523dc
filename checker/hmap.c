/* hmap.c: open-addressing hash map with linear probing and tombstones. */
#include "checker/hmap.h"

#include <stdlib.h>

static uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9e3779b97f4a7c15ull ^ (b + 0x632be59bd9b4e019ull);

	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 29;
	return h;
}

void hmap_init(struct hmap *m)
{
	m->slots = NULL;
	m->cap = m->used = m->live = 0;
}

void hmap_free(struct hmap *m)
{
	free(m->slots);
	hmap_init(m);
}

static struct hmap_slot *find(const struct hmap *m, uint64_t a, uint64_t b)
{
	size_t mask = m->cap - 1;

	if (m->cap == 0)
		return NULL;
	for (size_t i = mix(a, b) & mask, n = 0; n < m->cap; i = (i + 1) & mask, n++) {
		struct hmap_slot *s = &m->slots[i];

		if (s->state == 0)
			return NULL;
		if (s->state == 1 && s->a == a && s->b == b)
			return s;
	}
	return NULL;
}

bool hmap_get(const struct hmap *m, uint64_t a, uint64_t b, size_t *val)
{
	struct hmap_slot *s = find(m, a, b);

	if (!s)
		return false;
	*val = s->val;
	return true;
}

static bool grow(struct hmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64;
	struct hmap_slot *old = m->slots;
	size_t ocap = m->cap;

	/* Rehash in place of tombstones when the table is mostly deleted slots. */
	if (m->cap && m->live * 4 < m->cap)
		ncap = m->cap;
	m->slots = calloc(ncap, sizeof(*m->slots));
	if (!m->slots) {
		m->slots = old;
		return false;
	}
	m->cap = ncap;
	m->used = m->live = 0;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].state == 1)
			hmap_put(m, old[i].a, old[i].b, old[i].val);
	free(old);
	return true;
}

bool hmap_put(struct hmap *m, uint64_t a, uint64_t b, size_t val)
{
	struct hmap_slot *s = find(m, a, b);
	size_t mask;

	if (s) {
		s->val = val;
		return true;
	}
	if ((m->used + 1) * 4 > m->cap * 3 && !grow(m))
		return false;
	mask = m->cap - 1;
	for (size_t i = mix(a, b) & mask;; i = (i + 1) & mask) {
		s = &m->slots[i];
		if (s->state != 1) {
			if (s->state == 0)
				m->used++;
			s->a = a;
			s->b = b;
			s->val = val;
			s->state = 1;
			m->live++;
			return true;
		}
	}
}

void hmap_del(struct hmap *m, uint64_t a, uint64_t b)
{
	struct hmap_slot *s = find(m, a, b);

	if (s) {
		s->state = 2;
		m->live--;
	}
}
