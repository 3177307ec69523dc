/* test_pxecfg.c: resolving a pxelinux config's default label. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/pxecfg.h"

static void parse(const char *text, struct pxecfg_default *d)
{
	pxecfg_parse_default((struct view){ (const uint8_t *)text, strlen(text) }, d);
}

static void test_pxecfg_localboot(void **state)
{
	struct pxecfg_default d;

	(void)state;
	parse("DEFAULT local\nPROMPT 0\nLABEL local\n  LOCALBOOT 0\n", &d);
	assert_int_equal(d.action, PXECFG_LOCALBOOT);
	assert_string_equal(d.label, "local");
	assert_int_equal(d.line, 4);
}

static void test_pxecfg_named_label_and_append(void **state)
{
	struct pxecfg_default d;
	const char *t = "DEFAULT local\nLABEL local\n LOCALBOOT 0\nLABEL san\n COM32 cmd.c32\n"
			" APPEND sanboot iscsi:192.0.2.1::::iqn.2026-11.test:disk0\n";

	(void)state;
	pxecfg_parse_label((struct view){ (const uint8_t *)t, strlen(t) }, "san", &d);
	assert_int_equal(d.action, PXECFG_COM32);
	assert_string_equal(d.kernel, "cmd.c32");
	assert_string_equal(d.append, "sanboot iscsi:192.0.2.1::::iqn.2026-11.test:disk0");
	assert_int_equal(d.line, 5);
	/* Without a label: the default, which has no APPEND. */
	pxecfg_parse_label((struct view){ (const uint8_t *)t, strlen(t) }, NULL, &d);
	assert_int_equal(d.action, PXECFG_LOCALBOOT);
	assert_string_equal(d.append, "");
	/* A label that does not exist resolves to nothing. */
	pxecfg_parse_label((struct view){ (const uint8_t *)t, strlen(t) }, "nope", &d);
	assert_int_not_equal(d.action, PXECFG_LOCALBOOT);
}

static void test_pxecfg_kernel_and_append_initrd(void **state)
{
	struct pxecfg_default d;

	(void)state;
	parse("default install\r\nlabel other\n kernel x\nlabel install\n kernel debian/vmlinuz\n"
	      " append initrd=debian/initrd.gz,extra.gz auto=true\n",
	      &d);
	assert_int_equal(d.action, PXECFG_KERNEL);
	assert_string_equal(d.kernel, "debian/vmlinuz");
	assert_string_equal(d.initrd, "debian/initrd.gz");
}

static void test_pxecfg_com32_menu(void **state)
{
	struct pxecfg_default d;

	(void)state;
	parse("UI menu.c32\nDEFAULT m\nLABEL m\n COM32 cmd.c32\n APPEND sanboot iscsi:x\n", &d);
	assert_int_equal(d.action, PXECFG_COM32);
	assert_string_equal(d.kernel, "cmd.c32");
}

static void test_pxecfg_default_without_label_is_a_kernel(void **state)
{
	struct pxecfg_default d;

	(void)state;
	parse("DEFAULT vmlinuz initrd=i.gz\n", &d);
	assert_int_equal(d.action, PXECFG_KERNEL);
	assert_string_equal(d.kernel, "vmlinuz");
}

static void test_pxecfg_no_default(void **state)
{
	struct pxecfg_default d;

	(void)state;
	parse("LABEL a\n KERNEL b\n", &d);
	assert_int_equal(d.action, PXECFG_UNKNOWN);
	parse("", &d);
	assert_int_equal(d.action, PXECFG_UNKNOWN);
}

static void test_pxecfg_binary_garbage_is_bounded(void **state)
{
	uint8_t junk[5000];
	struct pxecfg_default d;

	(void)state;
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 131 + 7);
	memcpy(junk, "DEFAULT ", 8);
	pxecfg_parse_default((struct view){ junk, sizeof(junk) }, &d);
	assert_true(strlen(d.kernel) < sizeof(d.kernel));
	assert_true(strlen(d.label) < sizeof(d.label));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pxecfg_localboot),
		cmocka_unit_test(test_pxecfg_kernel_and_append_initrd),
		cmocka_unit_test(test_pxecfg_named_label_and_append),
		cmocka_unit_test(test_pxecfg_com32_menu),
		cmocka_unit_test(test_pxecfg_default_without_label_is_a_kernel),
		cmocka_unit_test(test_pxecfg_no_default),
		cmocka_unit_test(test_pxecfg_binary_garbage_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
