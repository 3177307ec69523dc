/* test_ipxescript.c: parsing iPXE scripts into actions and problems. */
#define _GNU_SOURCE	/* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "proto/ipxescript.h"

static struct ipxe_script s;	/* large: keep it off the stack */

static void parse_n(const char *text, size_t n)
{
	ipxe_script_parse((struct view){ (const uint8_t *)text, n }, &s);
}

static void parse(const char *text)
{
	parse_n(text, strlen(text));
}

/* True if some problem on line mentions needle. */
static bool has_problem(unsigned line, const char *needle)
{
	for (size_t i = 0; i < s.nproblems; i++)
		if (s.problems[i].line == line && strstr(s.problems[i].msg, needle))
			return true;
	return false;
}

static bool struct_contains(const char *needle)
{
	return memmem(&s, sizeof(s), needle, strlen(needle)) != NULL;
}

static void test_ipxe_real_sanboot(void **state)
{
	(void)state;
	parse("#!ipxe\n"
	      "sanboot iscsi:192.0.2.1:::1:iqn.2026-11.test:disk0 || chain "
	      "http://192.0.2.1/after.ipxe\n");
	assert_true(s.has_magic);
	assert_int_equal(s.lines, 2);
	assert_int_equal(s.nproblems, 0);
	assert_int_equal(s.nacts, 2);
	assert_int_equal(s.acts[0].kind, IPXE_ACT_SANBOOT);
	assert_string_equal(s.acts[0].arg, "iscsi:192.0.2.1:::1:iqn.2026-11.test:disk0");
	assert_int_equal(s.acts[0].line, 2);
	assert_false(s.acts[0].fallback);
	assert_false(s.acts[0].keep_flag);
	assert_int_equal(s.acts[1].kind, IPXE_ACT_CHAIN);
	assert_string_equal(s.acts[1].arg, "http://192.0.2.1/after.ipxe");
	assert_true(s.acts[1].fallback);
	assert_int_equal(s.acts[1].line, 2);
	assert_int_equal(s.keep_san, -1);
}

static void test_ipxe_real_pxelinux_options(void **state)
{
	(void)state;
	parse("#!ipxe\n"
	      "set 209:string pxelinux.cfg/boot\n"
	      "set 210:string http://192.0.2.1/\n"
	      "chain http://192.0.2.1/lpxelinux.0\n");
	assert_true(s.has_magic);
	assert_int_equal(s.nproblems, 0);
	assert_int_equal(s.nacts, 3);
	assert_int_equal(s.acts[0].kind, IPXE_ACT_SET);
	assert_string_equal(s.acts[0].arg, "209:string");
	assert_string_equal(s.acts[0].value, "pxelinux.cfg/boot");
	assert_false(s.acts[0].secret);
	assert_true(s.has_209);
	assert_string_equal(s.set_209, "pxelinux.cfg/boot");
	assert_true(s.has_210);
	assert_string_equal(s.set_210, "http://192.0.2.1/");
	assert_int_equal(s.acts[2].kind, IPXE_ACT_CHAIN);
	assert_string_equal(s.acts[2].arg, "http://192.0.2.1/lpxelinux.0");
	assert_int_equal(s.acts[2].line, 4);
}

static void test_ipxe_209_210_scopes(void **state)
{
	(void)state;
	parse("#!ipxe\nset net0/209:string a.cfg\nset net0.dhcp/210 tftp://192.0.2.9/p/\n"
	      "set 2090:string nope\n");
	assert_true(s.has_209);
	assert_string_equal(s.set_209, "a.cfg");
	assert_true(s.has_210);
	assert_string_equal(s.set_210, "tftp://192.0.2.9/p/");
	/* an empty set deletes the setting */
	parse("#!ipxe\nset 209:string x\nset 209:string\n");
	assert_false(s.has_209);
	parse("#!ipxe\nset 209:ipv4 192.0.2.1\n");
	assert_false(s.has_209);
}

static void test_ipxe_separators(void **state)
{
	(void)state;
	parse("#!ipxe\nimgfetch http://h/a && chain http://h/b ; boot || exit 1\n");
	assert_int_equal(s.nproblems, 0);
	assert_int_equal(s.nacts, 4);
	assert_int_equal(s.acts[0].kind, IPXE_ACT_FETCH);
	assert_false(s.acts[1].fallback);
	assert_int_equal(s.acts[2].kind, IPXE_ACT_CHAIN);
	assert_string_equal(s.acts[2].arg, "");
	assert_false(s.acts[2].fallback);
	assert_int_equal(s.acts[3].kind, IPXE_ACT_EXIT);
	assert_string_equal(s.acts[3].arg, "1");
	assert_true(s.acts[3].fallback);
	/* "||" glued to a word is not a separator in iPXE */
	parse("#!ipxe\nchain http://h/a|| exit\n");
	assert_int_equal(s.nacts, 1);
	assert_string_equal(s.acts[0].arg, "http://h/a||");
}

static void test_ipxe_magic(void **state)
{
	(void)state;
	parse("chain http://h/x\n");
	assert_false(s.has_magic);
	assert_true(has_problem(1, "no #!ipxe header: iPXE will not run this as a script"));
	parse("#!IPXE\nchain http://h/x\n");
	assert_false(s.has_magic);
	assert_true(has_problem(1, "case-sensitive"));
	parse("\xef\xbb\xbf#!ipxe\nchain http://h/x\n");
	assert_false(s.has_magic);
	assert_true(has_problem(1, "BOM"));
	parse("#!ipxe");
	assert_false(s.has_magic);
	assert_true(has_problem(1, "not followed by a newline"));
	parse("");
	assert_false(s.has_magic);
	assert_int_equal(s.nproblems, 1);
	parse("#!gpxe\nchain http://h/x\n");
	assert_true(s.has_magic);
	assert_int_equal(s.nproblems, 0);
	parse("#!ipxe \t# trailing words\n");
	assert_true(s.has_magic);
	assert_int_equal(s.nproblems, 0);
}

static void test_ipxe_unknown_command(void **state)
{
	(void)state;
	parse("#!ipxe\ndhcp\n\nchian http://192.0.2.1/x\nChain http://192.0.2.1/x\n${cmd} x\n");
	assert_int_equal(s.nproblems, 2);
	assert_true(has_problem(4, "unknown command \"chian\""));
	assert_true(has_problem(5, "unknown command \"Chain\""));
	assert_int_equal(s.nacts, 0);
}

static void test_ipxe_goto(void **state)
{
	(void)state;
	parse("#!ipxe\n"
	      ":retry\n"
	      "dhcp || goto later\n"
	      "goto ${target}\n"
	      "goto nowhere\n"
	      "  :later echo labelled command\n"
	      "goto retry\n"
	      "goto\n");
	assert_int_equal(s.nproblems, 2);
	assert_true(has_problem(5, "goto to undefined label \"nowhere\""));
	assert_true(has_problem(8, "goto without a label"));
	assert_int_equal(s.nacts, 4);
	assert_int_equal(s.acts[0].kind, IPXE_ACT_GOTO);
	assert_string_equal(s.acts[0].arg, "later");
	assert_true(s.acts[0].fallback);
	assert_string_equal(s.acts[1].arg, "${target}");
	/* labels are case-sensitive */
	parse("#!ipxe\ngoto Start\n:start\n");
	assert_true(has_problem(2, "\"Start\""));
}

static void test_ipxe_keep_san(void **state)
{
	(void)state;
	parse("#!ipxe\nset keep-san 1\nsanboot iscsi:192.0.2.1::::iqn.2026-11.test:d\n");
	assert_int_equal(s.keep_san, 1);
	parse("#!ipxe\nset keep-san 1\nset net0/keep-san 0\n");
	assert_int_equal(s.keep_san, 0);
	parse("#!ipxe\nset keep-san ${x}\n");
	assert_int_equal(s.keep_san, -1);
	assert_int_equal(s.nproblems, 0);
	parse("#!ipxe\nset keep-san yes\n");
	assert_int_equal(s.keep_san, -1);
	assert_true(has_problem(2, "keep-san"));
	parse("#!ipxe\nsanboot --no-describe --keep --drive 0x81 iscsi:h::::iqn.x\n"
	      "sanhook -nk -d 0x82 iscsi:h::::iqn.y\nsanboot -d0x80 --drive=0x80 iscsi:h::::iqn.z\n"
	      "sanboot\n");
	assert_int_equal(s.nproblems, 0);
	assert_int_equal(s.nacts, 4);
	assert_true(s.acts[0].keep_flag);
	assert_string_equal(s.acts[0].arg, "iscsi:h::::iqn.x");
	assert_int_equal(s.acts[1].kind, IPXE_ACT_SANHOOK);
	assert_true(s.acts[1].keep_flag);
	assert_string_equal(s.acts[1].arg, "iscsi:h::::iqn.y");
	assert_false(s.acts[2].keep_flag);
	assert_string_equal(s.acts[2].arg, "iscsi:h::::iqn.z");
	assert_int_equal(s.acts[3].kind, IPXE_ACT_SANBOOT);
	assert_string_equal(s.acts[3].arg, "");
}

static void test_ipxe_options_skipped(void **state)
{
	(void)state;
	parse("#!ipxe\nkernel -n vmlinuz --timeout 5000 http://h/vmlinuz console=ttyS0\n"
	      "initrd --name=initrd -a http://h/initrd.img\n"
	      "chain --autofree --replace -- http://h/next.ipxe -n x\n"
	      "imgfetch -nfoo http://h/f\n");
	assert_int_equal(s.nproblems, 0);
	assert_int_equal(s.nacts, 4);
	assert_int_equal(s.acts[0].kind, IPXE_ACT_FETCH);
	assert_string_equal(s.acts[0].arg, "http://h/vmlinuz");
	assert_string_equal(s.acts[1].arg, "http://h/initrd.img");
	assert_string_equal(s.acts[2].arg, "http://h/next.ipxe");
	assert_string_equal(s.acts[3].arg, "http://h/f");
}

static void test_ipxe_missing_and_bad_uris(void **state)
{
	(void)state;
	parse("#!ipxe\nchain\nkernel --name k\nsanhook\nchain htp://192.0.2.1/x\n"
	      "chain http:/192.0.2.1/x\nimgfetch http:///x\nsanboot iscsi:192.0.2.1:::zz:iqn.x\n"
	      "chain ${base}/x\nchain http://${server}/x\nchain pxelinux.0\n");
	assert_true(has_problem(2, "chain without a URI"));
	assert_true(has_problem(3, "kernel without a URI"));
	assert_true(has_problem(4, "sanhook without a URI"));
	assert_true(has_problem(5, "chain: unknown URI scheme \"htp\""));
	assert_true(has_problem(6, "chain: http URI has no // after \"http:\""));
	assert_true(has_problem(7, "imgfetch: http URI has an empty host"));
	assert_true(has_problem(8, "sanboot: iscsi root path: LUN is not hex"));
	assert_int_equal(s.nproblems, 7);
}

static void test_ipxe_uri_check(void **state)
{
	char why[160];

	(void)state;
	assert_true(ipxe_uri_check("http://192.0.2.1/x", why, sizeof(why)));
	assert_string_equal(why, "");
	assert_true(ipxe_uri_check("HTTPS://[2001:db8::1]:8443/x?y#z", why, sizeof(why)));
	assert_true(ipxe_uri_check("tftp://192.0.2.1/pxelinux.0", why, sizeof(why)));
	assert_true(ipxe_uri_check("http://u:p@h:80", why, sizeof(why)));
	assert_true(ipxe_uri_check("boot/x.efi", why, sizeof(why)));
	assert_true(ipxe_uri_check("/abs/path:with:colons", why, sizeof(why)));
	assert_true(ipxe_uri_check("aoe:e1.0", why, sizeof(why)));
	assert_true(ipxe_uri_check("file:/EFI/boot/x.efi", why, sizeof(why)));
	assert_true(ipxe_uri_check("nfs://192.0.2.1/export/vmlinuz", why, sizeof(why)));
	assert_true(ipxe_uri_check("fcp:20:00:00:25:b5:00:00:01:0", why, sizeof(why)));
	assert_true(ipxe_uri_check("http://${next-server}/x", why, sizeof(why)));
	assert_false(ipxe_uri_check("htp://h/x", why, sizeof(why)));
	assert_string_equal(why, "unknown URI scheme \"htp\"");
	assert_false(ipxe_uri_check("htp://${h}/x", why, sizeof(why)));
	assert_false(ipxe_uri_check("http:${x}", why, sizeof(why)));
	assert_string_equal(why, "http URI has no // after \"http:\"");
	assert_false(ipxe_uri_check("http://", why, sizeof(why)));
	assert_string_equal(why, "http URI has an empty host");
	assert_false(ipxe_uri_check("http://u:pw@/x", why, sizeof(why)));
	assert_string_equal(why, "http URI has an empty host");
	assert_false(ipxe_uri_check("http://h:0/x", why, sizeof(why)));
	assert_string_equal(why, "http URI has a bad port");
	assert_false(ipxe_uri_check("http://h:8o/x", why, sizeof(why)));
	assert_false(ipxe_uri_check("http://[::1/x", why, sizeof(why)));
	assert_string_equal(why, "http URI has an IPv6 host without ]");
	assert_false(ipxe_uri_check("http://[]/x", why, sizeof(why)));
	assert_false(ipxe_uri_check("http://h/a b", why, sizeof(why)));
	assert_string_equal(why, "URI contains a space or control character");
	assert_false(ipxe_uri_check("", why, sizeof(why)));
	assert_string_equal(why, "empty URI");
	assert_false(ipxe_uri_check(NULL, NULL, 0));
	assert_false(ipxe_uri_check("aoe:shelf1", why, sizeof(why)));
	assert_false(ipxe_uri_check("iscsi:", why, sizeof(why)));
	assert_false(ipxe_uri_check("iscsi:h::::disk0", why, sizeof(why)));
	assert_string_equal(why, "iscsi root path: target name must start with iqn., eui. or naa.");
	/* the reason never quotes the password */
	assert_false(ipxe_uri_check("http://u:s3cret@h:x/", why, sizeof(why)));
	assert_null(strstr(why, "s3cret"));
}

static void test_ipxe_uri_redact(void **state)
{
	char out[64];

	(void)state;
	assert_true(ipxe_uri_redact("http://user:pw@host/", out, sizeof(out)));
	assert_string_equal(out, "http://user:****@host/");
	assert_false(ipxe_uri_redact("http://host:8080/a:b@c", out, sizeof(out)));
	assert_string_equal(out, "http://host:8080/a:b@c");
	assert_false(ipxe_uri_redact("http://user@host/", out, sizeof(out)));
	assert_string_equal(out, "http://user@host/");
	assert_false(ipxe_uri_redact("http://user:@host/", out, sizeof(out)));
	assert_true(ipxe_uri_redact("ftp://a:b:c@d@host", out, sizeof(out)));
	assert_string_equal(out, "ftp://a:****@host");
	assert_true(ipxe_uri_redact("x=http://a:1@h/ y=https://b:2@[::1]:8/", out, sizeof(out)));
	assert_string_equal(out, "x=http://a:****@h/ y=https://b:****@[::1]:8/");
	/* cut output never holds password bytes */
	assert_true(ipxe_uri_redact("http://u:s3cret@h/", out, 12));
	assert_string_equal(out, "http://u:**");
	assert_false(ipxe_uri_redact("no uri here", out, sizeof(out)));
	assert_string_equal(out, "no uri here");
	assert_false(ipxe_uri_redact("x", out, 0));
}

static void test_ipxe_passwords_redacted(void **state)
{
	(void)state;
	parse("#!ipxe\n"
	      "set password s3cret\n"
	      "set net0/reverse-password s3cret\n"
	      "set my-password:string s3cret\n"
	      "set username alice\n"
	      "chain http://u:s3cret@192.0.2.1/x\n"
	      "set 210:string http://u:s3cret@192.0.2.1/\n"
	      "sanboot --keep http://u:s3cret@192.0.2.1/disk.img\n");
	assert_int_equal(s.nproblems, 0);
	assert_int_equal(s.nacts, 7);
	assert_string_equal(s.acts[0].arg, "password");
	assert_string_equal(s.acts[0].value, "****");
	assert_true(s.acts[0].secret);
	assert_true(s.acts[1].secret);
	assert_true(s.acts[2].secret);
	assert_false(s.acts[3].secret);
	assert_string_equal(s.acts[3].value, "alice");
	assert_string_equal(s.acts[4].arg, "http://u:****@192.0.2.1/x");
	assert_true(s.acts[4].secret);
	assert_true(s.acts[5].secret);
	assert_string_equal(s.set_210, "http://u:****@192.0.2.1/");
	assert_string_equal(s.acts[6].arg, "http://u:****@192.0.2.1/disk.img");
	assert_false(struct_contains("s3cret"));
}

static void test_ipxe_crlf(void **state)
{
	(void)state;
	parse("#!ipxe\r\nset 209:string pxelinux.cfg/boot\r\n:x\r\n"
	      "chain http://192.0.2.1/lpxelinux.0 || goto x\r\n");
	assert_true(s.has_magic);
	assert_int_equal(s.nproblems, 0);
	assert_int_equal(s.lines, 4);
	assert_string_equal(s.set_209, "pxelinux.cfg/boot");
	assert_string_equal(s.acts[1].arg, "http://192.0.2.1/lpxelinux.0");
	assert_string_equal(s.acts[2].arg, "x");
	/* a lone CR inside a line is whitespace */
	parse("#!ipxe\r\nchain\rhttp://h/x\r\n");
	assert_int_equal(s.nproblems, 0);
	assert_string_equal(s.acts[0].arg, "http://h/x");
}

static void test_ipxe_continuation_and_comments(void **state)
{
	(void)state;
	parse("#!ipxe\n"
	      "# chain http://h/commented\n"
	      "kernel http://h/vm\\\r\n"
	      "linuz quiet \\\n"
	      "  splash\n"
	      "chain http://h/a#b # chain http://h/c\n"
	      "echo x#y\n");
	assert_int_equal(s.nproblems, 0);
	assert_int_equal(s.lines, 7);
	assert_int_equal(s.nacts, 2);
	assert_string_equal(s.acts[0].arg, "http://h/vmlinuz");
	assert_int_equal(s.acts[0].line, 3);
	assert_string_equal(s.acts[1].arg, "http://h/a#b");
	assert_int_equal(s.acts[1].line, 6);
}

static void test_ipxe_long_line(void **state)
{
	static char text[12000];
	size_t n;

	(void)state;
	n = (size_t)snprintf(text, sizeof(text), "#!ipxe\nchain http://h/");
	memset(text + n, 'a', 10000);
	n += 10000;
	n += (size_t)snprintf(text + n, sizeof(text) - n, " || exit\nset 210:string x\n");
	parse_n(text, n);
	assert_int_equal(s.lines, 3);
	assert_int_equal(s.lines_cut, 1);
	assert_int_equal(s.nacts, 2);
	assert_int_equal(s.acts[0].kind, IPXE_ACT_CHAIN);
	assert_int_equal(strlen(s.acts[0].arg), IPXE_ARG_MAX - 1);
	assert_memory_equal(s.acts[0].arg, "http://h/aaaa", 13);
	assert_string_equal(s.set_210, "x");

	/* a password whose '@' is past the cut is still masked */
	n = (size_t)snprintf(text, sizeof(text), "#!ipxe\nchain http://u:");
	memset(text + n, 'p', 10000);
	n += 10000;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "@h/x\n");
	parse_n(text, n);
	assert_string_equal(s.acts[0].arg, "http://u:****");
	assert_true(s.acts[0].secret);
	assert_false(struct_contains("ppp"));
}

static void test_ipxe_nuls(void **state)
{
	static const char text[] = "#!ipxe\nchain http://h/x\0 || exit\nch\0ain\n\0\0\0\nboot\n";

	(void)state;
	parse_n(text, sizeof(text) - 1);
	assert_true(s.has_magic);
	assert_int_equal(s.lines, 5);
	assert_int_equal(s.nacts, 2);
	assert_string_equal(s.acts[0].arg, "http://h/x");
	assert_int_equal(s.acts[1].kind, IPXE_ACT_CHAIN);
	assert_int_equal(s.acts[1].line, 5);
	assert_true(has_problem(2, "NUL byte"));
	assert_true(has_problem(3, "unknown command \"ch\""));
	assert_true(has_problem(4, "NUL byte"));
	ipxe_script_parse((struct view){ NULL, 5 }, &s);
	assert_int_equal(s.lines, 0);
}

static void test_ipxe_caps(void **state)
{
	static char text[8192];
	size_t n = 0;

	(void)state;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "#!ipxe\n");
	for (int i = 0; i < 70; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "imgfetch http://h/%d\n", i);
	for (int i = 0; i < 20; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "bogus%d\n", i);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "set keep-san 1\n");
	parse_n(text, n);
	assert_int_equal(s.nacts, IPXE_ACTS_MAX);
	assert_int_equal(s.acts_dropped, 71 - IPXE_ACTS_MAX);
	assert_string_equal(s.acts[63].arg, "http://h/63");
	assert_int_equal(s.nproblems, IPXE_PROBLEMS_MAX);
	assert_int_equal(s.problems_dropped, 4);
	/* side effects of dropped actions still count */
	assert_int_equal(s.keep_san, 1);
}

static void test_ipxe_root_path(void **state)
{
	(void)state;
	parse("#!ipxe\nset root-path iscsi:192.0.2.1::::iqn.2026-11.test:d\nsanboot\n");
	assert_string_equal(s.root_path, "iscsi:192.0.2.1::::iqn.2026-11.test:d");
	assert_int_equal(s.nproblems, 0);
	parse("#!ipxe\nset 17:string iscsi:192.0.2.1::::disk\n");
	assert_string_equal(s.root_path, "iscsi:192.0.2.1::::disk");
	assert_true(has_problem(2, "root-path: target name must start"));
}

static void test_ipxe_garbage_is_bounded(void **state)
{
	static uint8_t junk[20000];

	(void)state;
	for (int round = 0; round < 4; round++) {
		uint32_t x = 12345u + (uint32_t)round;

		for (size_t i = 0; i < sizeof(junk); i++) {
			x = x * 1103515245u + 12345u;
			junk[i] = (uint8_t)(x >> 16);
			if (round & 1 && junk[i] > 0xc0)
				junk[i] = (uint8_t)" \n:|&#$/@"[junk[i] % 9];
		}
		memcpy(junk, "#!ipxe\nchain ", 13);
		ipxe_script_parse((struct view){ junk, sizeof(junk) }, &s);
		assert_true(s.nacts <= IPXE_ACTS_MAX);
		for (size_t i = 0; i < s.nacts; i++) {
			assert_true(strlen(s.acts[i].arg) < IPXE_ARG_MAX);
			assert_true(strlen(s.acts[i].value) < IPXE_ARG_MAX);
			for (const char *p = s.acts[i].arg; *p; p++)
				assert_true(*p >= 0x20 && *p < 0x7f);
		}
		for (size_t i = 0; i < s.nproblems; i++)
			assert_true(strlen(s.problems[i].msg) < sizeof(s.problems[i].msg));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipxe_real_sanboot),
		cmocka_unit_test(test_ipxe_real_pxelinux_options),
		cmocka_unit_test(test_ipxe_209_210_scopes),
		cmocka_unit_test(test_ipxe_separators),
		cmocka_unit_test(test_ipxe_magic),
		cmocka_unit_test(test_ipxe_unknown_command),
		cmocka_unit_test(test_ipxe_goto),
		cmocka_unit_test(test_ipxe_keep_san),
		cmocka_unit_test(test_ipxe_options_skipped),
		cmocka_unit_test(test_ipxe_missing_and_bad_uris),
		cmocka_unit_test(test_ipxe_uri_check),
		cmocka_unit_test(test_ipxe_uri_redact),
		cmocka_unit_test(test_ipxe_passwords_redacted),
		cmocka_unit_test(test_ipxe_crlf),
		cmocka_unit_test(test_ipxe_continuation_and_comments),
		cmocka_unit_test(test_ipxe_long_line),
		cmocka_unit_test(test_ipxe_nuls),
		cmocka_unit_test(test_ipxe_caps),
		cmocka_unit_test(test_ipxe_root_path),
		cmocka_unit_test(test_ipxe_garbage_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
