/* strpool.h: interned strings: one read-only copy of each distinct value, owned by the pool. */
#ifndef NBC_CHECKER_STRPOOL_H
#define NBC_CHECKER_STRPOOL_H

#include <stddef.h>

#include "checker/hmap.h"

/*
 * A lab's clients are handed the same boot file, fetch the same script URI, request the
 * same pxelinux names: kept once here, a DHCP reply or a transfer holds pointers rather
 * than fixed 256-byte and 2 KiB buffers. The strings live until strpool_free.
 */
struct strpool {
	struct hmap map;	/* (FNV-1a 64 of the bytes, length) -> index into strs */
	const char **strs;
	size_t nstrs;
	size_t strs_cap;
	char **chunks;		/* storage: STRPOOL_CHUNK bytes each, or one large string */
	size_t nchunks;
	size_t chunks_cap;
	size_t chunk_used;	/* bytes used in chunks[nchunks - 1] */
	size_t chunk_size;	/* size of chunks[nchunks - 1] */
	size_t bytes;		/* bytes allocated for strings */
};

void strpool_init(struct strpool *p);
void strpool_free(struct strpool *p);
/* A NUL-terminated copy of s[0..len) that lives as long as the pool; "" costs nothing. */
const char *strpool_add(struct strpool *p, const char *s, size_t len);
const char *strpool_str(struct strpool *p, const char *s);

#endif
