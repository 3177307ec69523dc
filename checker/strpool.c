/* strpool.c: interned strings in chunked storage (see strpool.h). */
#include "checker/strpool.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STRPOOL_CHUNK 65536u
#define STRPOOL_LARGE (STRPOOL_CHUNK / 4)	/* longer strings get an allocation of their own */

void strpool_init(struct strpool *p)
{
	memset(p, 0, sizeof(*p));
	hmap_init(&p->map);
}

void strpool_free(struct strpool *p)
{
	for (size_t i = 0; i < p->nchunks; i++)
		free(p->chunks[i]);
	free(p->chunks);
	free(p->strs);
	hmap_free(&p->map);
	strpool_init(p);
}

static void *oom(void *q)
{
	if (!q) {
		fprintf(stderr, "netboot-check: out of memory\n");
		exit(2);
	}
	return q;
}

static void *grow(void *arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap * 2 : 64;

	if (need <= *cap)
		return arr;
	while (ncap < need)
		ncap *= 2;
	arr = oom(realloc(arr, ncap * elem));
	*cap = ncap;
	return arr;
}

static char *store(struct strpool *p, const char *s, size_t len)
{
	char *dst;

	p->chunks = grow(p->chunks, &p->chunks_cap, p->nchunks + 2, sizeof(*p->chunks));
	if (len + 1 > STRPOOL_LARGE) {
		/* Its own block, slotted in before the current chunk so that stays the last. */
		dst = oom(malloc(len + 1));
		if (p->nchunks) {
			p->chunks[p->nchunks] = p->chunks[p->nchunks - 1];
			p->chunks[p->nchunks - 1] = dst;
		} else {
			p->chunks[0] = dst;
			p->chunk_used = p->chunk_size = 0;
		}
		p->nchunks++;
		p->bytes += len + 1;
	} else {
		if (!p->nchunks || p->chunk_size - p->chunk_used < len + 1) {
			p->chunks[p->nchunks++] = oom(malloc(STRPOOL_CHUNK));
			p->chunk_used = 0;
			p->chunk_size = STRPOOL_CHUNK;
			p->bytes += STRPOOL_CHUNK;
		}
		dst = p->chunks[p->nchunks - 1] + p->chunk_used;
		p->chunk_used += len + 1;
	}
	memcpy(dst, s, len);
	dst[len] = '\0';
	return dst;
}

const char *strpool_add(struct strpool *p, const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t idx;
	const char *copy;

	if (len == 0)
		return "";
	/*
	 * FNV-1a, then again from another basis while the slot holds a different string of
	 * the same hash and length (FNV collisions can be made on purpose): a capture full of
	 * them still gets one copy per distinct name, up to the last try's unshared copies.
	 */
	for (unsigned seed = 0; seed < 4; seed++) {
		h = 0xcbf29ce484222325ull ^ (seed * 0x9e3779b97f4a7c15ull);
		for (size_t i = 0; i < len; i++)
			h = (h ^ (uint8_t)s[i]) * 0x100000001b3ull;
		if (!hmap_get(&p->map, h, len, &idx))
			break;
		if (memcmp(p->strs[idx], s, len) == 0 && p->strs[idx][len] == '\0')
			return p->strs[idx];
		if (seed == 3)
			return store(p, s, len);
	}
	copy = store(p, s, len);
	p->strs = grow(p->strs, &p->strs_cap, p->nstrs + 1, sizeof(*p->strs));
	p->strs[p->nstrs] = copy;
	if (!hmap_put(&p->map, h, len, p->nstrs))
		oom(NULL);
	p->nstrs++;
	return copy;
}

const char *strpool_str(struct strpool *p, const char *s)
{
	return strpool_add(p, s, strlen(s));
}
