/* test_lint_kea.c: the Kea DHCPv4 lint backend: extended JSON, Kea's precedence, expressions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lint/lint.h"

#define DIR "tests/lint/kea/"

static struct lint_ctx *C;
static struct lint_server S;
static struct lint_offer O;
static char tmp_path[64];

static int load(const char *path)
{
	char why[128];

	C = lint_ctx_new();
	assert_non_null(C);
	memset(&S, 0, sizeof(S));
	return lint_kea_load(C, path, &S, why, sizeof(why));
}

static void unload(void)
{
	if (S.free != NULL)
		S.free(S.priv);
	memset(&S, 0, sizeof(S));
	lint_ctx_free(C);
	C = NULL;
	if (tmp_path[0] != '\0')
		unlink(tmp_path);
	tmp_path[0] = '\0';
}

/* Writes n bytes to a temporary file and loads it. */
static int load_bytes(const char *text, size_t n)
{
	int fd;

	snprintf(tmp_path, sizeof(tmp_path), "/tmp/test_lint_kea_XXXXXX");
	fd = mkstemp(tmp_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	close(fd);
	return load(tmp_path);
}

static const struct lint_offer *eval(size_t scope, enum lint_profile_id id)
{
	memset(&O, 0, sizeof(O));
	S.eval(S.priv, scope, lint_profile_get(id), &O);
	return &O;
}

static size_t count(const char *rule, int sev)
{
	size_t n = 0;

	for (size_t i = 0; i < lint_nfindings(C); i++) {
		const struct lint_finding *f = lint_finding_at(C, i);

		if (strcmp(f->rule, rule) == 0 && (sev < 0 || (int)f->sev == sev))
			n++;
	}
	return n;
}

/* The first finding of rule at line (and col, when col > 0). */
static const struct lint_finding *at(const char *rule, unsigned line, unsigned col)
{
	for (size_t i = 0; i < lint_nfindings(C); i++) {
		const struct lint_finding *f = lint_finding_at(C, i);

		if (strcmp(f->rule, rule) == 0 && f->loc.line == line && (col == 0 || f->loc.col == col))
			return f;
	}
	for (size_t i = 0; i < lint_nfindings(C); i++) {
		const struct lint_finding *f = lint_finding_at(C, i);

		print_message("finding %s %u:%u %s\n", f->rule, f->loc.line, f->loc.col, f->message);
	}
	return NULL;
}

static bool has_msg(const char *text)
{
	for (size_t i = 0; i < lint_nfindings(C); i++)
		if (strstr(lint_finding_at(C, i)->message, text) != NULL)
			return true;
	return false;
}

static void assert_opt_text(const struct lint_offer *o, unsigned code, const char *text)
{
	assert_true(o->opt[code].defined);
	assert_int_equal(o->opt[code].len, strlen(text));
	assert_memory_equal(o->opt[code].value, text, strlen(text));
}

static void test_kea_seed_ipxe_class(void **state)
{
	(void)state;
	assert_int_equal(load(DIR "ipxe-class.json"), 0);
	assert_int_equal(lint_nfindings(C), 0);
	assert_string_equal(S.kind, "kea");
	assert_int_equal(S.nscopes(S.priv), 1);
	assert_string_equal(S.scope_name(S.priv, 0), "subnet 192.0.2.0/24");
	assert_int_equal(S.scope_loc(S.priv, 0).line, 16);
	assert_null(S.tftp_root(S.priv, NULL));

	eval(0, LP_BIOS_PXE);
	assert_true(O.answered);
	assert_int_equal(O.answer_loc.line, 17);
	assert_true(O.has_file);
	assert_string_equal(O.file, "undionly.kpxe");
	assert_int_equal(O.file_loc.line, 19);
	assert_int_equal(O.file_loc.col, 27);
	assert_true(O.has_next_server);
	assert_int_equal(O.next_server, 0xc0000201u);
	assert_int_equal(O.next_server_loc.line, 18);
	assert_false(O.next_server_is_self);

	eval(0, LP_IPXE_BIOS);
	assert_string_equal(O.file, "http://192.0.2.1/boot.ipxe");
	assert_int_equal(O.file_loc.line, 10);
	eval(0, LP_IPXE_EFI64);
	assert_string_equal(O.file, "http://192.0.2.1/boot.ipxe");
	eval(0, LP_EFI64_PXE);
	assert_string_equal(O.file, "undionly.kpxe");
	unload();
}

static void test_kea_seed_loop_without_class(void **state)
{
	(void)state;
	assert_int_equal(load(DIR "ipxe-loop.json"), 0);
	assert_int_equal(lint_nfindings(C), 0);
	eval(0, LP_IPXE_BIOS);
	assert_true(O.answered);
	assert_string_equal(O.file, "undionly.kpxe");
	assert_int_equal(O.next_server, 0xc0000201u);
	unload();
}

static void test_kea_arch_class_matches_7_not_9(void **state)
{
	(void)state;
	assert_int_equal(load(DIR "arch-7-only.json"), 0);
	assert_int_equal(lint_nfindings(C), 0);
	eval(0, LP_EFI64_PXE);
	assert_string_equal(O.file, "ipxe.efi");
	assert_int_equal(O.file_loc.line, 7);
	/* Global next-server reaches the subnet. */
	assert_int_equal(O.next_server_loc.line, 4);
	eval(0, LP_EFI64_PXE9);
	assert_string_equal(O.file, "undionly.kpxe");
	assert_int_equal(O.file_loc.line, 5);
	eval(0, LP_BIOS_PXE);
	assert_string_equal(O.file, "undionly.kpxe");
	unload();
}

static void test_kea_209_needs_always_send(void **state)
{
	static const uint8_t magic[4] = { 0xf1, 0x00, 0x74, 0x7e };

	(void)state;
	assert_int_equal(load(DIR "pxelinux-209.json"), 0);
	assert_int_equal(lint_nfindings(C), 0);
	assert_int_equal(S.nscopes(S.priv), 2);
	eval(0, LP_BIOS_PXE);
	assert_opt_text(&O, 209, "pxelinux.cfg/boot");
	assert_false(O.opt[209].sent);	/* not in a PXE ROM's request list */
	assert_int_equal(O.opt[209].loc.line, 15);
	assert_false(O.opt[208].defined);
	eval(1, LP_BIOS_PXE);
	assert_opt_text(&O, 209, "pxelinux.cfg/boot");
	assert_true(O.opt[209].sent);
	assert_true(O.opt[208].sent);
	assert_int_equal(O.opt[208].len, 4);
	assert_memory_equal(O.opt[208].value, magic, 4);
	unload();
}

static void test_kea_209_by_name_without_option_def_is_an_error(void **state)
{
	const struct lint_finding *f;

	(void)state;
	assert_int_equal(load(DIR "pxelinux-209-nodef.json"), 0);
	f = at(LINT_R_SYNTAX, 9, 21);
	assert_non_null(f);
	assert_int_equal(f->sev, NBC_SEV_ERROR);
	assert_non_null(strstr(f->message, "dhcp4.pxelinux-configfile"));
	assert_non_null(f->hint);
	/* A bare code without a definition takes hex data: a URL is not hex. */
	f = at(LINT_R_SYNTAX, 10, 34);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "hexadecimal"));
	eval(0, LP_BIOS_PXE);
	assert_true(O.answered);
	assert_false(O.opt[209].defined);
	assert_false(O.opt[210].defined);
	unload();
}

static void test_kea_reservation_scopes(void **state)
{
	(void)state;
	assert_int_equal(load(DIR "reservation.json"), 0);
	assert_int_equal(lint_nfindings(C), 1);
	assert_int_equal(at(LINT_R_SYNTAX, 26, 7)->sev, NBC_SEV_WARNING);
	assert_true(has_msg("reservations-global is false"));
	assert_int_equal(S.nscopes(S.priv), 3);
	assert_string_equal(S.scope_name(S.priv, 1),
			    "reservation hw-address 52:54:00:12:34:56 in subnet 192.0.2.0/24");
	assert_string_equal(S.scope_name(S.priv, 2), "reservation hw-address 52:54:00:aa:bb:cc (global)");

	/* The subnet scope: an unknown client. */
	eval(0, LP_BIOS_PXE);
	assert_string_equal(O.file, "undionly.kpxe");
	assert_false(O.opt[66].defined);
	assert_false(O.opt[17].defined);

	/* The reservation: its fields win, KNOWN classes match, host options apply. */
	eval(1, LP_BIOS_PXE);
	assert_true(O.answered);
	assert_int_equal(O.answer_loc.line, 15);
	assert_string_equal(O.file, "special.kpxe");
	assert_int_equal(O.next_server, 0xc0000209u);
	assert_opt_text(&O, 17, "iscsi:192.0.2.9::::iqn.2026-11.test:disk0");
	assert_true(O.opt[17].sent);
	assert_opt_text(&O, 66, "tftp.example");
	eval(1, LP_IPXE_BIOS);
	assert_opt_text(&O, 66, "tftp.example");	/* iPXE's 60 says PXEClient too */
	eval(1, LP_EFI64_PXE);
	assert_opt_text(&O, 17, "iscsi:192.0.2.9::::iqn.2026-11.test:disk0");

	/* reservations-global defaults to false: Kea ignores the global reservation. */
	eval(2, LP_BIOS_PXE);
	assert_true(O.answered);
	assert_string_equal(O.file, "undionly.kpxe");
	unload();
}

static void test_kea_pool_client_class(void **state)
{
	(void)state;
	assert_int_equal(load(DIR "pool-class.json"), 0);
	assert_int_equal(lint_nfindings(C), 0);
	eval(0, LP_BIOS_PXE);
	assert_false(O.answered);
	assert_int_equal(O.answer_loc.line, 10);
	eval(0, LP_IPXE_EFI64);
	assert_true(O.answered);
	assert_int_equal(O.answer_loc.line, 11);
	/* Pool option 67, which iPXE requests: the boot file comes from it. */
	assert_true(O.opt[67].sent);
	assert_true(O.has_file);
	assert_string_equal(O.file, "http://192.0.2.1/boot.ipxe");
	assert_int_equal(O.file_loc.line, 12);
	unload();
}

static void test_kea_comments_and_include(void **state)
{
	(void)state;
	assert_int_equal(load(DIR "comments-include.json"), 0);
	assert_int_equal(lint_nfindings(C), 0);
	eval(0, LP_IPXE_BIOS);
	assert_string_equal(O.file, "http://192.0.2.1/boot.ipxe");
	assert_non_null(strstr(O.file_loc.file, "include-classes.json"));
	assert_int_equal(O.file_loc.line, 3);
	eval(0, LP_BIOS_PXE);
	assert_string_equal(O.file, "undionly.kpxe");
	assert_non_null(strstr(O.file_loc.file, "comments-include.json"));
	assert_int_equal(O.file_loc.line, 14);
	unload();
}

static void test_kea_missing_include(void **state)
{
	const struct lint_finding *f;

	(void)state;
	assert_int_equal(load(DIR "missing-include.json"), 0);
	f = at(LINT_R_INCLUDE, 3, 5);
	assert_non_null(f);
	assert_int_equal(f->sev, NBC_SEV_ERROR);
	assert_non_null(strstr(f->message, "no-such-file.json"));
	assert_int_equal(S.nscopes(S.priv), 1);
	eval(0, LP_BIOS_PXE);
	assert_false(O.answered);
	unload();
}

static void test_kea_include_cycle(void **state)
{
	(void)state;
	assert_int_equal(load(DIR "include-cycle.json"), 0);
	assert_non_null(at(LINT_R_INCLUDE, 3, 5));
	assert_non_null(strstr(lint_finding_at(C, 0)->message, "cycle"));
	unload();
}

static void test_kea_unknown_keys(void **state)
{
	const struct lint_finding *f;

	(void)state;
	assert_int_equal(load(DIR "unknown-key.json"), 0);
	f = at(LINT_R_SYNTAX, 4, 5);
	assert_non_null(f);
	assert_string_equal(f->message, "got unexpected keyword \"boot-filename\" in Dhcp4 map");
	f = at(LINT_R_SYNTAX, 6, 0);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "\"range\" in pools map"));
	assert_int_equal(count(LINT_R_SYNTAX, -1), 2);
	unload();
}

static void test_kea_syntax_errors_have_exact_locations(void **state)
{
	static const struct {
		const char *file;
		unsigned line, col;
		const char *text;
	} t[] = {
		{ "syntax-missing-comma.json", 5, 7, "expected ',' or ']' after an array element, got '{'" },
		{ "syntax-bad-escape.json", 3, 25, "bad escape in a string" },
		{ "syntax-unicode.json", 3, 34, "unsupported escape \\u20ac: Kea accepts only \\u0000 to \\u00ff" },
		{ "syntax-true.json", 1, 31, "JSON true reserved keyword is lower case only" },
		{ "syntax-comment.json", 3, 5, "comment not closed (/* at line 3)" },
		{ "empty.json", 1, 1, "expected '{' to start the configuration, got end of file" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char path[128];
		const struct lint_finding *f;

		snprintf(path, sizeof(path), DIR "%s", t[i].file);
		assert_int_equal(load(path), 0);
		assert_int_equal(lint_nfindings(C), 1);
		f = lint_finding_at(C, 0);
		assert_string_equal(f->rule, LINT_R_SYNTAX);
		assert_int_equal(f->sev, NBC_SEV_ERROR);
		assert_string_equal(f->message, t[i].text);
		assert_int_equal(f->loc.line, t[i].line);
		assert_int_equal(f->loc.col, t[i].col);
		assert_non_null(strstr(f->loc.file, t[i].file));
		/* A broken file still has one scope, which never answers. */
		assert_int_equal(S.nscopes(S.priv), 1);
		eval(0, LP_BIOS_PXE);
		assert_false(O.answered);
		unload();
	}
}

static void test_kea_no_dhcp4(void **state)
{
	(void)state;
	assert_int_equal(load(DIR "no-dhcp4.json"), 0);
	assert_non_null(at(LINT_R_SYNTAX, 1, 1));
	assert_string_equal(lint_finding_at(C, 0)->message, "no Dhcp4 object");
	unload();
}

static void test_kea_option_precedence_and_flags(void **state)
{
	static const uint8_t v175[] = { 8, 1, 1 }, v43[] = { 1, 4, 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(load(DIR "precedence.json"), 0);
	assert_int_equal(lint_nfindings(C), 0);
	assert_int_equal(S.nscopes(S.priv), 2);
	eval(0, LP_BIOS_PXE);
	/* Shared network beats class beats global. */
	assert_opt_text(&O, 66, "net.example");
	assert_true(O.opt[66].sent);
	assert_opt_text(&O, 18, "class-ext");
	/* never-send at the network stops the global DNS servers, though Kea always adds 6. */
	assert_true(O.opt[6].defined);
	assert_false(O.opt[6].sent);
	assert_true(O.opt[3].defined == false);
	assert_true(O.opt[17].sent);
	assert_int_equal(O.opt[175].len, sizeof(v175));
	assert_memory_equal(O.opt[175].value, v175, sizeof(v175));
	assert_true(O.opt[175].sent);
	assert_int_equal(O.opt[43].len, sizeof(v43));
	assert_memory_equal(O.opt[43].value, v43, sizeof(v43));
	assert_true(O.opt[43].sent);
	assert_int_equal(O.next_server, 0xc0000202u);
	assert_false(O.has_file);
	/* Subnet beats shared network. */
	eval(1, LP_BIOS_PXE);
	assert_opt_text(&O, 66, "subnet.example");
	unload();
}

static void test_kea_expressions(void **state)
{
	const struct lint_finding *f;

	(void)state;
	assert_int_equal(load(DIR "expressions.json"), 0);
	f = at(LINT_R_UNSUPPORTED, 4, 37);
	assert_non_null(f);
	assert_int_equal(f->sev, NBC_SEV_WARNING);
	f = at(LINT_R_SYNTAX, 5, 49);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "invalid character '='"));
	f = at(LINT_R_SYNTAX, 6, 43);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "Not defined client class 'later'"));
	f = at(LINT_R_SYNTAX, 12, 0);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "must be a boolean"));
	assert_int_equal(count(LINT_R_SYNTAX, -1), 3);
	assert_int_equal(count(LINT_R_UNSUPPORTED, -1), 1);

	eval(0, LP_BIOS_PXE);
	assert_string_equal(O.file, "by-mac.kpxe");	/* pkt4.mac matched; relay4 did not */
	assert_opt_text(&O, 40, "hexs-hit");
	assert_opt_text(&O, 14, "ifelse-hit");
	assert_true(O.opt[41].defined);
	eval(0, LP_EFI64_PXE);
	assert_true(O.opt[40].defined);
	assert_false(O.opt[14].defined);	/* 60 ends in 003016 */
	eval(0, LP_IPXE_BIOS);
	assert_false(O.opt[14].defined);	/* ifelse took 'i' */
	unload();
}

static void test_kea_hostile_deep_nesting(void **state)
{
	size_t n = 100000;
	char *t = malloc(n + 16);
	const struct lint_finding *f;

	(void)state;
	assert_non_null(t);
	memcpy(t, "{\"Dhcp4\":", 9);
	memset(t + 9, '[', n);
	assert_int_equal(load_bytes(t, n + 9), 0);
	free(t);
	assert_int_equal(lint_nfindings(C), 1);
	f = lint_finding_at(C, 0);
	assert_string_equal(f->message, "JSON nested deeper than 128 levels");
	assert_int_equal(f->loc.line, 1);
	assert_int_equal(f->loc.col, 9 + 128);
	unload();
}

static void test_kea_hostile_huge_string(void **state)
{
	size_t n = 10u << 20;
	char *t = malloc(n + 32);
	const struct lint_finding *f;

	(void)state;
	assert_non_null(t);
	memcpy(t, "{\"Dhcp4\":{\"comment\":\"", 21);
	memset(t + 21, 'a', n);
	memcpy(t + 21 + n, "\"}}", 3);
	assert_int_equal(load_bytes(t, n + 24), 0);
	free(t);
	assert_int_equal(lint_nfindings(C), 1);
	f = lint_finding_at(C, 0);
	assert_string_equal(f->message, "string longer than 64 KiB");
	assert_int_equal(f->loc.col, 21);
	unload();
}

static void test_kea_hostile_nul_bytes(void **state)
{
	static const char out[] = "{\"Dhcp4\":{}}\n\0";
	static const char in[] = "{\"Dhcp4\":{\"comment\":\"a\0b\"}}";

	(void)state;
	assert_int_equal(load_bytes(out, sizeof(out) - 1), 0);
	assert_non_null(at(LINT_R_SYNTAX, 2, 1));
	assert_string_equal(lint_finding_at(C, 0)->message, "invalid character 0x00");
	unload();
	assert_int_equal(load_bytes(in, sizeof(in) - 1), 0);
	assert_non_null(at(LINT_R_SYNTAX, 1, 23));
	assert_non_null(strstr(lint_finding_at(C, 0)->message, "control character 0x00"));
	unload();
}

static void test_kea_bad_unicode_escapes(void **state)
{
	static const char *const bad[] = {
		"{\"Dhcp4\":{\"comment\":\"\\u12\"}}",
		"{\"Dhcp4\":{\"comment\":\"\\uZZZZ\"}}",
		"{\"Dhcp4\":{\"comment\":\"\\ud83d\\ude00\"}}",
		"{\"Dhcp4\":{\"comment\":\"\\u",
	};

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(load_bytes(bad[i], strlen(bad[i])), 0);
		assert_int_equal(lint_nfindings(C), 1);
		assert_int_equal(lint_finding_at(C, 0)->loc.col, 22);
		assert_non_null(strstr(lint_finding_at(C, 0)->message, "\\u"));
		unload();
	}
	/* \u0041 is 'A', and \u00e9 one byte 0xe9 as in Kea. */
	static const char ok[] = "{\"Dhcp4\":{\"boot-file-name\":\"\\u0041\\u00e9\",\"subnet4\":[{\"subnet\":"
				 "\"10.0.0.0/8\",\"pools\":[{\"pool\":\"10.0.0.1-10.0.0.2\"}]}]}}";

	assert_int_equal(load_bytes(ok, sizeof(ok) - 1), 0);
	assert_int_equal(lint_nfindings(C), 0);
	eval(0, LP_BIOS_PXE);
	assert_string_equal(O.file, "A\xe9");
	unload();
}

static void test_kea_unreadable_main_file(void **state)
{
	char why[128] = "";
	struct lint_server s;

	(void)state;
	C = lint_ctx_new();
	memset(&s, 0x5a, sizeof(s));
	assert_int_equal(lint_kea_load(C, DIR "does-not-exist.json", &s, why, sizeof(why)), -1);
	assert_string_equal(why, "No such file or directory");
	assert_int_equal(((unsigned char *)&s)[0], 0x5a);	/* untouched */
	assert_int_equal(lint_nfindings(C), 0);
	lint_ctx_free(C);
}

static void test_kea_commas_duplicates_and_types(void **state)
{
	static const char t[] =
		"{\"Dhcp4\":{\"subnet4\":[],\n"
		"\"next-server\":\"192.0.2.1\",\"next-server\":\"192.0.2.2\",\n"
		"\"authoritative\":\"yes\",\n"
		"\"boot-file-name\":\"x\",}}";

	(void)state;
	assert_int_equal(load_bytes(t, sizeof(t) - 1), 0);
	assert_non_null(at(LINT_R_SYNTAX, 2, 27));
	assert_non_null(strstr(at(LINT_R_SYNTAX, 2, 27)->message, "duplicate \"next-server\""));
	assert_int_equal(at(LINT_R_SYNTAX, 4, 21)->sev, NBC_SEV_WARNING);	/* extra comma */
	assert_int_equal(count(LINT_R_SYNTAX, NBC_SEV_ERROR), 1);
	unload();

	static const char u[] = "{\"Dhcp4\":{\"next-server\":5,\"option-data\":[{\"name\":\"routers\","
				"\"data\":\"192.0.2.1, 192.0.2.300\"},{\"name\":\"boot-file-name\","
				"\"data\":\"a,b\"}]}}";

	assert_int_equal(load_bytes(u, sizeof(u) - 1), 0);
	assert_int_equal(count(LINT_R_SYNTAX, NBC_SEV_ERROR), 3);
	assert_true(has_msg("\"next-server\" must be a string"));
	assert_true(has_msg("not an IPv4 address"));
	assert_true(has_msg("more than one comma-separated value"));
	unload();
}

static void test_kea_hex_data_forms(void **state)
{
	static const char t[] =
		"{\"Dhcp4\":{\"option-data\":["
		"{\"code\":224,\"data\":\"0x0A0b\"},"
		"{\"code\":225,\"data\":\"a:b:cd\",\"always-send\":true},"
		"{\"code\":226,\"data\":\"abc\"},"
		"{\"code\":227,\"data\":\"'iPXE'\",\"csv-format\":false},"
		"{\"name\":\"boot-file-name\",\"data\":\"a\\\\,b\"},"
		"{\"name\":\"dhcp-client-identifier\",\"data\":\"01 02\",\"csv-format\":false}],"
		"\"subnet4\":[{\"subnet\":\"10.0.0.0/8\",\"pools\":[{\"pool\":\"10.0.0.0/30\"}]}]}}";
	static const uint8_t v224[] = { 0x0a, 0x0b }, v225[] = { 0x0a, 0x0b, 0xcd }, v226[] = { 0x0a, 0xbc };

	(void)state;
	assert_int_equal(load_bytes(t, sizeof(t) - 1), 0);
	assert_int_equal(lint_nfindings(C), 0);
	eval(0, LP_BIOS_PXE);
	assert_memory_equal(O.opt[224].value, v224, 2);
	assert_false(O.opt[224].sent);
	assert_memory_equal(O.opt[225].value, v225, 3);
	assert_true(O.opt[225].sent);
	assert_memory_equal(O.opt[226].value, v226, 2);
	assert_opt_text(&O, 227, "iPXE");
	assert_opt_text(&O, 67, "a,b");
	assert_int_equal(O.opt[61].len, 2);
	/* No boot-file-name field: option 67 (requested by the ROM) is the boot file. */
	assert_string_equal(O.file, "a,b");
	unload();
}

static void test_kea_subnet_class_and_drop(void **state)
{
	static const char t[] =
		"{\"Dhcp4\":{\"client-classes\":[{\"name\":\"ipxe\",\"test\":\"option[77].hex == 'iPXE'\"},"
		"{\"name\":\"DROP\",\"test\":\"option[93].hex == 0x0009\"}],"
		"\"subnet4\":[{\"subnet\":\"10.0.0.0/8\",\"client-class\":\"ipxe\","
		"\"pools\":[{\"pool\":\"10.0.0.1-10.0.0.9\"}]},"
		"{\"subnet\":\"10.1.0.0/16\",\"pools\":[{\"pool\":\"10.1.0.1-10.1.0.9\"}],"
		"\"boot-file-name\":\"x\"}]}}";

	(void)state;
	assert_int_equal(load_bytes(t, sizeof(t) - 1), 0);
	assert_int_equal(lint_nfindings(C), 0);
	assert_int_equal(S.nscopes(S.priv), 2);
	assert_false(eval(0, LP_BIOS_PXE)->answered);
	assert_true(eval(0, LP_IPXE_BIOS)->answered);
	assert_true(eval(1, LP_EFI64_PXE)->answered);
	assert_false(eval(1, LP_EFI64_PXE9)->answered);	/* DROP */
	unload();
}

static void test_kea_additional_classes(void **state)
{
	static const char t[] =
		"{\"Dhcp4\":{\"client-classes\":[\n"
		"{\"name\":\"late\",\"only-if-required\":true,\"test\":\"option[77].exists\","
		"\"boot-file-name\":\"late.ipxe\"},\n"
		"{\"name\":\"bare\",\"only-in-additional-list\":true,\"boot-file-name\":\"bare.efi\"}],\n"
		"\"subnet4\":[{\"subnet\":\"10.0.0.0/8\",\"require-client-classes\":[\"late\"],"
		"\"pools\":[{\"pool\":\"10.0.0.1-10.0.0.9\",\"evaluate-additional-classes\":[\"bare\"]}]},"
		"{\"subnet\":\"10.1.0.0/16\",\"pools\":[{\"pool\":\"10.1.0.1-10.1.0.9\"}]}]}}";

	(void)state;
	assert_int_equal(load_bytes(t, sizeof(t) - 1), 0);
	assert_int_equal(lint_nfindings(C), 1);
	assert_int_equal(at(LINT_R_UNSUPPORTED, 3, 9)->sev, NBC_SEV_WARNING);
	eval(0, LP_IPXE_BIOS);
	assert_string_equal(O.file, "late.ipxe");	/* required by the subnet */
	eval(0, LP_BIOS_PXE);
	assert_false(O.has_file);
	eval(1, LP_IPXE_BIOS);
	assert_false(O.has_file);	/* only-if-required: not evaluated where not required */
	unload();
}

static void test_kea_template_class_and_spawned_member(void **state)
{
	static const char t[] =
		"{\"Dhcp4\":{\"client-classes\":["
		"{\"name\":\"arch\",\"template-test\":\"substring(option[60].hex, 15, 5)\"},"
		"{\"name\":\"efi\",\"test\":\"member('SPAWN_arch_00007')\",\"boot-file-name\":\"ipxe.efi\"},"
		"{\"name\":\"text\",\"test\":\"option[vendor-class-identifier].text == 'PXEClient:Arch:00000:UNDI:002001'\","
		"\"next-server\":\"10.9.9.9\"}],"
		"\"subnet4\":[{\"subnet\":\"10.0.0.0/8\",\"pools\":[{\"pool\":\"10.0.0.1-10.0.0.9\"}]}]}}";

	(void)state;
	assert_int_equal(load_bytes(t, sizeof(t) - 1), 0);
	assert_int_equal(lint_nfindings(C), 0);
	eval(0, LP_EFI64_PXE);
	assert_string_equal(O.file, "ipxe.efi");
	assert_false(O.has_next_server);
	eval(0, LP_EFI64_PXE9);
	assert_false(O.has_file);
	eval(0, LP_BIOS_PXE);
	assert_true(O.has_next_server);
	assert_int_equal(O.next_server, 0x0a090909u);
	unload();
}

static void test_kea_include_falls_back_to_the_name_as_given(void **state)
{
	static const char t[] = "{\"Dhcp4\":{<?include \"" DIR "include-classes.json\"?>,"
				"\"subnet4\":[{\"subnet\":\"10.0.0.0/8\",\"pools\":[{\"pool\":\"10.0.0.1-10.0.0.9\"}]}]}}";

	(void)state;
	/* The temporary file lives in /tmp: only the name as given (from the working
	 * directory, as Kea opens it) finds the file. */
	assert_int_equal(load_bytes(t, sizeof(t) - 1), 0);
	assert_int_equal(lint_nfindings(C), 0);
	eval(0, LP_IPXE_EFI64);
	assert_string_equal(O.file, "http://192.0.2.1/boot.ipxe");
	assert_string_equal(O.file_loc.file, DIR "include-classes.json");
	unload();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kea_seed_ipxe_class),
		cmocka_unit_test(test_kea_seed_loop_without_class),
		cmocka_unit_test(test_kea_arch_class_matches_7_not_9),
		cmocka_unit_test(test_kea_209_needs_always_send),
		cmocka_unit_test(test_kea_209_by_name_without_option_def_is_an_error),
		cmocka_unit_test(test_kea_reservation_scopes),
		cmocka_unit_test(test_kea_pool_client_class),
		cmocka_unit_test(test_kea_comments_and_include),
		cmocka_unit_test(test_kea_missing_include),
		cmocka_unit_test(test_kea_include_cycle),
		cmocka_unit_test(test_kea_unknown_keys),
		cmocka_unit_test(test_kea_syntax_errors_have_exact_locations),
		cmocka_unit_test(test_kea_no_dhcp4),
		cmocka_unit_test(test_kea_option_precedence_and_flags),
		cmocka_unit_test(test_kea_expressions),
		cmocka_unit_test(test_kea_hostile_deep_nesting),
		cmocka_unit_test(test_kea_hostile_huge_string),
		cmocka_unit_test(test_kea_hostile_nul_bytes),
		cmocka_unit_test(test_kea_bad_unicode_escapes),
		cmocka_unit_test(test_kea_unreadable_main_file),
		cmocka_unit_test(test_kea_commas_duplicates_and_types),
		cmocka_unit_test(test_kea_hex_data_forms),
		cmocka_unit_test(test_kea_subnet_class_and_drop),
		cmocka_unit_test(test_kea_additional_classes),
		cmocka_unit_test(test_kea_template_class_and_spawned_member),
		cmocka_unit_test(test_kea_include_falls_back_to_the_name_as_given),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
