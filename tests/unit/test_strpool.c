/* test_strpool.c: interned strings: one copy per value, exact lengths, chunks and large strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checker/strpool.h"

#define NSHORT 50000u	/* about 12 bytes each: several 64 KiB chunks */

static void short_name(unsigned i, char *buf, size_t cap)
{
	snprintf(buf, cap, "file-%05u.c32", i);
}

static void test_strpool_same_content_same_pointer(void **state)
{
	struct strpool p;
	char a[] = "undionly.kpxe";
	char b[] = "undionly.kpxe";
	const char *x, *y;

	(void)state;
	/* Two buffers with one value: one interned copy, not either caller's buffer. */
	strpool_init(&p);
	x = strpool_str(&p, a);
	y = strpool_add(&p, b, strlen(b));
	assert_ptr_equal(x, y);
	assert_ptr_not_equal(x, a);
	assert_ptr_not_equal(x, b);
	assert_string_equal(x, "undionly.kpxe");
	/* The copy does not follow later changes to the caller's buffer. */
	a[0] = 'X';
	assert_string_equal(x, "undionly.kpxe");
	strpool_free(&p);
}

static void test_strpool_same_length_other_content_is_distinct(void **state)
{
	struct strpool p;
	const char *x, *y;

	(void)state;
	/* Equal lengths, different bytes: two strings, each with its own content. */
	strpool_init(&p);
	x = strpool_str(&p, "pxelinux.cfg/default");
	y = strpool_str(&p, "pxelinux.cfg/C0000264");
	assert_ptr_not_equal(x, y);
	assert_string_equal(x, "pxelinux.cfg/default");
	assert_string_equal(y, "pxelinux.cfg/C0000264");
	x = strpool_str(&p, "abcd");
	y = strpool_str(&p, "abce");
	assert_ptr_not_equal(x, y);
	assert_string_equal(x, "abcd");
	assert_string_equal(y, "abce");
	/* Asked again, each value gives back its own copy. */
	assert_ptr_equal(strpool_str(&p, "abcd"), x);
	assert_ptr_equal(strpool_str(&p, "abce"), y);
	strpool_free(&p);
}

static void test_strpool_hash_collision_is_not_shared(void **state)
{
	/* Two 16-byte strings with one FNV-1a 64 hash (0x3ff74e522de530b1), found by search. */
	static const char A[] = "c5bde799c2362419";
	static const char B[] = "a1a9a9bf38687075";
	struct strpool p;
	const char *x, *y;

	(void)state;
	/*
	 * Equal hash and length, other bytes: the second gets its own copy, not the first's,
	 * and is found again under the pool's second hash (one copy each, however often).
	 */
	strpool_init(&p);
	x = strpool_str(&p, A);
	y = strpool_str(&p, B);
	assert_ptr_not_equal(x, y);
	assert_string_equal(x, A);
	assert_string_equal(y, B);
	assert_ptr_equal(strpool_str(&p, A), x);
	assert_ptr_equal(strpool_str(&p, B), y);
	assert_ptr_equal(strpool_add(&p, "a1a9a9bf38687075-", 16), y);
	assert_int_equal(p.nstrs, 2);
	strpool_free(&p);
}

static void test_strpool_add_copies_exactly_len_bytes(void **state)
{
	struct strpool p;
	const char raw[4] = { 'a', 'b', 'c', 'd' };	/* no NUL anywhere */
	const char *x, *y;

	(void)state;
	/* A prefix of a longer string: len bytes, then a NUL of the pool's own. */
	strpool_init(&p);
	x = strpool_add(&p, "pxelinux.0XYZ", 10);
	assert_int_equal(strlen(x), 10);
	assert_string_equal(x, "pxelinux.0");
	/* Input that is not NUL-terminated at all: bytes past len are never read. */
	y = strpool_add(&p, raw, 3);
	assert_int_equal(strlen(y), 3);
	assert_string_equal(y, "abc");
	/* The prefix is the same value as the whole string "abc". */
	assert_ptr_equal(strpool_str(&p, "abc"), y);
	assert_ptr_not_equal(strpool_add(&p, raw, 4), y);
	assert_string_equal(strpool_add(&p, raw, 4), "abcd");
	strpool_free(&p);
}

static void test_strpool_empty_string_costs_nothing(void **state)
{
	struct strpool p;

	(void)state;
	/* "" and any zero-length add give "", and the pool stores nothing for them. */
	strpool_init(&p);
	assert_string_equal(strpool_add(&p, "", 0), "");
	assert_string_equal(strpool_add(&p, "ignored", 0), "");
	assert_string_equal(strpool_str(&p, ""), "");
	assert_non_null(strpool_str(&p, ""));
	assert_int_equal(p.nstrs, 0);
	assert_int_equal(p.nchunks, 0);
	assert_int_equal(p.bytes, 0);
	strpool_free(&p);
}

/* Deterministic printable bytes, position-dependent (a shifted copy would not match). */
static char *big_string(size_t n, unsigned seed)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		s[i] = (char)('!' + (i * 7 + seed) % 90);
	s[n] = '\0';
	return s;
}

static void test_strpool_large_strings_and_many_chunks(void **state)
{
	struct strpool p;
	const char **shorts = calloc(NSHORT, sizeof(*shorts));
	char *big20 = big_string(20000, 1);
	char *big70 = big_string(70000, 2);
	const char *i20, *i70;
	char name[32];

	(void)state;
	assert_non_null(shorts);
	/*
	 * Short strings before, between and after two large ones (past 16 KiB: their own
	 * allocations, slotted among the chunks): every one still intact at the end.
	 */
	strpool_init(&p);
	for (unsigned i = 0; i < NSHORT / 2; i++) {
		short_name(i, name, sizeof(name));
		shorts[i] = strpool_str(&p, name);
	}
	i20 = strpool_str(&p, big20);
	for (unsigned i = NSHORT / 2; i < NSHORT - 10; i++) {
		short_name(i, name, sizeof(name));
		shorts[i] = strpool_str(&p, name);
	}
	i70 = strpool_add(&p, big70, 70000);
	for (unsigned i = NSHORT - 10; i < NSHORT; i++) {
		short_name(i, name, sizeof(name));
		shorts[i] = strpool_str(&p, name);
	}
	assert_int_equal(p.nstrs, NSHORT + 2);
	assert_true(p.nchunks >= 8);	/* 50,000 x 15 bytes: over 11 chunks of 64 KiB */

	assert_int_equal(strlen(i20), 20000);
	assert_string_equal(i20, big20);
	assert_int_equal(strlen(i70), 70000);
	assert_string_equal(i70, big70);
	assert_ptr_equal(strpool_str(&p, big20), i20);
	assert_ptr_equal(strpool_str(&p, big70), i70);
	for (unsigned i = 0; i < NSHORT; i++) {
		short_name(i, name, sizeof(name));
		assert_string_equal(shorts[i], name);
	}
	/* Interned once: asking again for a sample gives the first pointers back. */
	for (unsigned i = 0; i < NSHORT; i += 997) {
		short_name(i, name, sizeof(name));
		assert_ptr_equal(strpool_str(&p, name), shorts[i]);
	}
	assert_int_equal(p.nstrs, NSHORT + 2);
	strpool_free(&p);
	free(shorts);
	free(big20);
	free(big70);
}

static void test_strpool_free_then_init_is_reusable(void **state)
{
	struct strpool p;
	char *big = big_string(30000, 3);
	const char *x;

	(void)state;
	/* After strpool_free (and strpool_init again) the pool starts empty and works. */
	strpool_init(&p);
	(void)strpool_str(&p, "ipxe.efi");
	(void)strpool_str(&p, big);
	strpool_free(&p);
	assert_int_equal(p.nstrs, 0);
	assert_int_equal(p.nchunks, 0);
	assert_int_equal(p.bytes, 0);
	strpool_init(&p);
	x = strpool_str(&p, "ipxe.efi");
	assert_string_equal(x, "ipxe.efi");
	assert_ptr_equal(strpool_str(&p, "ipxe.efi"), x);
	assert_string_equal(strpool_str(&p, big), big);
	assert_int_equal(p.nstrs, 2);
	strpool_free(&p);
	/* Freeing an empty (just initialised) pool is harmless. */
	strpool_init(&p);
	strpool_free(&p);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strpool_same_content_same_pointer),
		cmocka_unit_test(test_strpool_same_length_other_content_is_distinct),
		cmocka_unit_test(test_strpool_hash_collision_is_not_shared),
		cmocka_unit_test(test_strpool_add_copies_exactly_len_bytes),
		cmocka_unit_test(test_strpool_empty_string_costs_nothing),
		cmocka_unit_test(test_strpool_large_strings_and_many_chunks),
		cmocka_unit_test(test_strpool_free_then_init_is_reusable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
