/* test_rootpath.c: parsing and checking RFC 4173 iSCSI root paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/rootpath.h"

/* Expects s to be rejected with exactly the reason want. */
static void expect_bad(const char *s, const char *want)
{
	struct rootpath rp;
	char why[128];

	memset(why, 'x', sizeof(why));
	assert_false(rootpath_parse(s, &rp, why, sizeof(why)));
	assert_string_equal(why, want);
}

static void test_rootpath_defaults(void **state)
{
	struct rootpath rp;
	char why[128];

	(void)state;
	assert_true(rootpath_parse("iscsi:192.0.2.1::::iqn.2026-11.test:disk0", &rp, why,
				   sizeof(why)));
	assert_string_equal(why, "");
	assert_string_equal(rp.server, "192.0.2.1");
	assert_int_equal(rp.protocol, 6);
	assert_int_equal(rp.port, 3260);
	assert_true(rp.lun == 0);
	assert_string_equal(rp.target, "iqn.2026-11.test:disk0");
}

static void test_rootpath_all_fields(void **state)
{
	struct rootpath rp;
	char why[128];

	(void)state;
	assert_true(rootpath_parse("iscsi:san.example.com:6:3261:4752-3A4F-6b7e-2F99:"
				   "iqn.2026-11.test:a:b:c",
				   &rp, why, sizeof(why)));
	assert_string_equal(rp.server, "san.example.com");
	assert_int_equal(rp.port, 3261);
	assert_true(rp.lun == UINT64_C(0x47523a4f6b7e2f99));
	assert_string_equal(rp.target, "iqn.2026-11.test:a:b:c");
}

static void test_rootpath_lun_forms(void **state)
{
	struct rootpath rp;

	(void)state;
	/* "1" is hex 1 in the first level, as iPXE reads it. */
	assert_true(rootpath_parse("iscsi:192.0.2.1:::1:iqn.2026-11.test:disk0", &rp, NULL, 0));
	assert_true(rp.lun == UINT64_C(0x0001000000000000));
	assert_int_equal(rp.lun >> 48, 1);
	/* "10" is hex too, so LUN 16. */
	assert_true(rootpath_parse("iscsi:192.0.2.1:::10:iqn.x", &rp, NULL, 0));
	assert_int_equal(rp.lun >> 48, 16);
	/* The RFC's own example with short groups. */
	assert_true(rootpath_parse("iscsi:192.0.2.1:::6734-9-156f-127:eui.0123456789abcdef", &rp,
				   NULL, 0));
	assert_true(rp.lun == UINT64_C(0x67340009156f0127));
}

static void test_rootpath_ipv6(void **state)
{
	struct rootpath rp;

	(void)state;
	assert_true(rootpath_parse("iscsi:[2001:db8::1]::3260:0:naa.6001405abcdef", &rp, NULL, 0));
	assert_string_equal(rp.server, "2001:db8::1");
	assert_int_equal(rp.port, 3260);
	assert_string_equal(rp.target, "naa.6001405abcdef");
	assert_true(rootpath_parse("ISCSI:[fe80::1]:::0:IQN.2026-11.TEST:X", &rp, NULL, 0));
	assert_string_equal(rp.server, "fe80::1");
	expect_bad("iscsi:[2001:db8::1:::0:iqn.x", "IPv6 server has no closing ]");
	expect_bad("iscsi:[2001:db8::1]x:::0:iqn.x", "unexpected text after ] in server");
	expect_bad("iscsi:[]:::0:iqn.x", "server is empty");
}

static void test_rootpath_errors(void **state)
{
	(void)state;
	expect_bad("http://192.0.2.1/x", "not an iscsi: URI");
	expect_bad("iscsi", "not an iscsi: URI");
	expect_bad("iscsi:192.0.2.1:::1", "missing target name");
	expect_bad("iscsi:192.0.2.1:::1:", "missing target name");
	expect_bad("iscsi:192.0.2.1", "missing target name");
	expect_bad("iscsi::::1:iqn.2026-11.test:disk0", "server is empty");
	expect_bad("iscsi:192.0.2.1:17::1:iqn.x", "protocol must be empty or 6");
	expect_bad("iscsi:192.0.2.1:66::1:iqn.x", "protocol must be empty or 6");
	expect_bad("iscsi:192.0.2.1::32a0:1:iqn.x", "port is not a number");
	expect_bad("iscsi:192.0.2.1::-1:1:iqn.x", "port is not a number");
	expect_bad("iscsi:192.0.2.1::65536:1:iqn.x", "port is out of range (1-65535)");
	expect_bad("iscsi:192.0.2.1::99999999999999999999:1:iqn.x",
		   "port is out of range (1-65535)");
	expect_bad("iscsi:192.0.2.1::0:1:iqn.x", "port is out of range (1-65535)");
	expect_bad("iscsi:192.0.2.1:::lun1:iqn.x", "LUN is not hex");
	expect_bad("iscsi:192.0.2.1:::12345:iqn.x", "LUN group has more than 4 hex digits");
	expect_bad("iscsi:192.0.2.1:::1-2-3-4-5:iqn.x", "LUN has more than 4 groups");
	expect_bad("iscsi:192.0.2.1:::1--2:iqn.x", "LUN has an empty group");
	expect_bad("iscsi:192.0.2.1:::1-:iqn.x", "LUN has an empty group");
	expect_bad("iscsi:192.0.2.1:::1:disk0", "target name must start with iqn., eui. or naa.");
	expect_bad("iscsi:192.0.2.1:::1:iqn", "target name must start with iqn., eui. or naa.");
	expect_bad("iscsi:192.0.2.1:::1:iqn.2026-11.test: disk0",
		   "target name contains a space or control character");
	expect_bad("iscsi:192.0.2.1:::1:iqn.2026-11.test:\tdisk0",
		   "target name contains a space or control character");
	expect_bad("iscsi:san host:::1:iqn.x", "server contains a space or control character");
}

static void test_rootpath_long_fields(void **state)
{
	char s[700];
	char why[16];
	struct rootpath rp;

	(void)state;
	/* 300-char server */
	memcpy(s, "iscsi:", 6);
	memset(s + 6, 'a', 300);
	strcpy(s + 306, ":::0:iqn.x");
	assert_false(rootpath_parse(s, &rp, why, sizeof(why)));
	/* reason truncated to the small buffer, still terminated */
	assert_int_equal(strlen(why), sizeof(why) - 1);
	/* 223-byte target is the maximum, 224 is too long */
	strcpy(s, "iscsi:h:::0:iqn.");
	memset(s + 16, 'b', 219);
	s[16 + 219] = '\0';
	assert_true(rootpath_parse(s, &rp, NULL, 0));
	assert_int_equal(strlen(rp.target), 223);
	strcat(s, "b");
	expect_bad(s, "target name is too long (max 223 bytes)");
	expect_bad(NULL, "not an iscsi: URI");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rootpath_defaults),
		cmocka_unit_test(test_rootpath_all_fields),
		cmocka_unit_test(test_rootpath_lun_forms),
		cmocka_unit_test(test_rootpath_ipv6),
		cmocka_unit_test(test_rootpath_errors),
		cmocka_unit_test(test_rootpath_long_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
