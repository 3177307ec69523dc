/* fuzz_common.h: small helpers shared by the libFuzzer harnesses (fuzz/fuzz_*.c). */
#ifndef NBC_FUZZ_COMMON_H
#define NBC_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A check that must hold whatever the input: abort so the fuzzer keeps the input. */
#define FUZZ_ASSERT(cond)                                                                  \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                    \
			abort();                                                           \
		}                                                                          \
	} while (0)

/* A heap copy of the input with a NUL after it (ASan sees reads past size+1). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A view's bytes must lie inside [base, base+len) (or be empty). */
static inline int fuzz_inside(const void *p, size_t n, const void *base, size_t len)
{
	const uint8_t *a = p, *b = base;

	if (n == 0)
		return 1;
	return a >= b && a + n <= b + len;
}

/* True when a fixed char array holds a NUL (a C string that was cut, not overrun). */
static inline int fuzz_terminated(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

/* Tiny deterministic PRNG (xorshift32) for splits derived from the input. */
static inline uint32_t fuzz_rand(uint32_t *st)
{
	uint32_t x = *st ? *st : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*st = x;
	return x;
}

#endif
