/* hmap.h: open-addressing hash map from a 128-bit key to a size_t value. */
#ifndef NBC_CHECKER_HMAP_H
#define NBC_CHECKER_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hmap_slot {
	uint64_t a;
	uint64_t b;
	size_t val;
	uint8_t state;		/* 0 empty, 1 used, 2 deleted */
};

struct hmap {
	struct hmap_slot *slots;
	size_t cap;		/* power of two */
	size_t used;		/* used + deleted */
	size_t live;
};

void hmap_init(struct hmap *m);
void hmap_free(struct hmap *m);
/* Returns false if the key is absent. */
bool hmap_get(const struct hmap *m, uint64_t a, uint64_t b, size_t *val);
/* Inserts or replaces; returns false only when memory runs out. */
bool hmap_put(struct hmap *m, uint64_t a, uint64_t b, size_t val);
void hmap_del(struct hmap *m, uint64_t a, uint64_t b);

#endif
