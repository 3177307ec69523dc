/* test_lint_bootfiles.c: lint following pxelinux configs and iPXE scripts into the TFTP and HTTP trees. */
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

#define PXE_TREE "tests/lint/trees/pxe"
#define IPXE_TREE "tests/lint/trees/ipxe"

static struct lint_ctx *ctx;

static int setup(void **state)
{
	(void)state;
	ctx = lint_ctx_new();
	return ctx ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	lint_ctx_free(ctx);
	ctx = NULL;
	return 0;
}

static void run_pxe_text(const char *path, const char *text, size_t len, const char *prefix)
{
	struct lint_roots roots = { PXE_TREE "/tftp", PXE_TREE "/www" };

	lint_pxelinux_cfg(ctx, path, text, len, &roots, prefix);
}

/* Lints tftp/pxelinux.cfg/<name> of the pxe tree with an empty path prefix. */
static void run_pxe(const char *name)
{
	char path[256];
	char why[128];
	char *text;
	size_t len;

	snprintf(path, sizeof(path), PXE_TREE "/tftp/pxelinux.cfg/%s", name);
	assert_int_equal(lint_read_file(path, &text, &len, why, sizeof(why)), 0);
	run_pxe_text(path, text, len, "");
	free(text);
}

/* Lints www/<name> of the ipxe tree. */
static void run_ipxe(const char *name, const char *base_url)
{
	struct lint_roots roots = { IPXE_TREE "/tftp", IPXE_TREE "/www" };
	char path[256];
	char why[128];
	char *text;
	size_t len;

	snprintf(path, sizeof(path), IPXE_TREE "/www/%s", name);
	assert_int_equal(lint_read_file(path, &text, &len, why, sizeof(why)), 0);
	lint_ipxe_script(ctx, path, text, len, &roots, base_url);
	free(text);
}

static size_t count(const char *rule)
{
	size_t n = 0;

	for (size_t i = 0; i < lint_nfindings(ctx); i++)
		if (strcmp(lint_finding_at(ctx, i)->rule, rule) == 0)
			n++;
	return n;
}

/* The first finding of rule (any line if line is 0). */
static const struct lint_finding *find(const char *rule, unsigned line)
{
	for (size_t i = 0; i < lint_nfindings(ctx); i++) {
		const struct lint_finding *f = lint_finding_at(ctx, i);

		if (strcmp(f->rule, rule) == 0 && (line == 0 || f->loc.line == line))
			return f;
	}
	return NULL;
}

static bool any_message_has(const char *needle)
{
	for (size_t i = 0; i < lint_nfindings(ctx); i++)
		if (strstr(lint_finding_at(ctx, i)->message, needle))
			return true;
	return false;
}

/* Prints the findings when a test fails (cmocka shows stdout). */
static void dump(void)
{
	for (size_t i = 0; i < lint_nfindings(ctx); i++) {
		const struct lint_finding *f = lint_finding_at(ctx, i);

		printf("  %s %s:%u:%u %s\n", f->rule, f->loc.file, f->loc.line, f->loc.col,
		       f->message);
	}
}

static void expect_none(void)
{
	if (lint_nfindings(ctx) != 0)
		dump();
	assert_int_equal(lint_nfindings(ctx), 0);
}

/* --- pxelinux ---------------------------------------------------------------------------- */

static void test_pxe_good_tree_has_no_findings(void **state)
{
	(void)state;
	run_pxe("default");
	expect_none();
}

static void test_pxe_missing_kernel_at_its_column(void **state)
{
	const struct lint_finding *f;

	(void)state;
	run_pxe("missing-kernel");
	f = find("NBC-TFTP-NOT-FOUND", 3);
	assert_non_null(f);
	assert_int_equal(f->sev, NBC_SEV_ERROR);
	assert_int_equal(f->loc.col, 10);
	assert_non_null(strstr(f->loc.file, "pxelinux.cfg/missing-kernel"));
	assert_non_null(strstr(f->message, "debian/vmlinuz-6.1"));
	assert_non_null(f->hint);
	assert_int_equal(count("NBC-TFTP-NOT-FOUND"), 1);
}

static void test_pxe_missing_initrd_in_append_list(void **state)
{
	const struct lint_finding *f;

	(void)state;
	run_pxe("missing-initrd");
	f = find("NBC-TFTP-NOT-FOUND", 4);
	assert_non_null(f);
	/* "  APPEND quiet initrd=debian/initrd.gz," : the second name starts at column 40 */
	assert_int_equal(f->loc.col, 40);
	assert_non_null(strstr(f->message, "debian/firmware.cpio.gz"));
	assert_int_equal(count("NBC-TFTP-NOT-FOUND"), 1);
	/* APPEND values are never shown */
	assert_false(any_message_has("hunter2"));
}

static void test_pxe_initrd_comes_from_the_first_initrd_on_the_command_line(void **state)
{
	/* record(): "KERNEL-line args" + (label APPEND, else global APPEND) + "initrd=INITRD" */
	static const char cfg[] = "DEFAULT a\n"
				  "APPEND initrd=debian/global-gone.gz\n"
				  "LABEL a\n"
				  "  KERNEL debian/vmlinuz initrd=debian/kline-gone.gz\n"
				  "LABEL b\n"
				  "  KERNEL debian/vmlinuz\n"
				  "  APPEND -\n"
				  "  INITRD debian/kw-gone.gz\n"
				  "LABEL c\n"
				  "  KERNEL debian/vmlinuz\n";

	(void)state;
	run_pxe_text("initrd.cfg", cfg, sizeof(cfg) - 1, "");
	assert_non_null(strstr(find("NBC-TFTP-NOT-FOUND", 4)->message, "kline-gone"));
	assert_non_null(strstr(find("NBC-TFTP-NOT-FOUND", 8)->message, "kw-gone"));
	assert_non_null(strstr(find("NBC-TFTP-NOT-FOUND", 2)->message, "global-gone"));
	assert_int_equal(lint_nfindings(ctx), 3);
}

static void test_pxe_default_naming_missing_label(void **state)
{
	const struct lint_finding *f;

	(void)state;
	run_pxe("bad-default");
	f = find("NBC-PXELINUX-NO-DEFAULT", 1);
	assert_non_null(f);
	assert_int_equal(f->sev, NBC_SEV_ERROR);
	assert_int_equal(f->loc.col, 9);
	assert_non_null(strstr(f->message, "instal"));
	assert_int_equal(lint_nfindings(ctx), 1);
}

static void test_pxe_no_default_waits_at_prompt(void **state)
{
	const struct lint_finding *f;

	(void)state;
	run_pxe("no-default");
	f = find("NBC-PXELINUX-NO-DEFAULT", 0);
	assert_non_null(f);
	assert_int_equal(f->sev, NBC_SEV_ERROR);
	assert_int_equal(f->loc.line, 0);
	assert_non_null(strstr(f->message, "boot: prompt"));
	assert_int_equal(lint_nfindings(ctx), 1);
}

static void test_pxe_default_kernel_gets_implicit_c32(void **state)
{
	(void)state;
	run_pxe("implicit");
	expect_none();
}

static void test_pxe_include_chain_reports_missing_include_in_its_file(void **state)
{
	const struct lint_finding *f;

	(void)state;
	run_pxe("include-top");
	f = find(LINT_R_INCLUDE, 0);
	assert_non_null(f);
	assert_non_null(strstr(f->loc.file, "pxelinux.cfg/include-mid"));
	assert_int_equal(f->loc.line, 3);
	assert_int_equal(f->loc.col, 9);
	assert_non_null(strstr(f->message, "include-gone"));
	/* the label from the included file satisfies DEFAULT */
	assert_int_equal(count("NBC-PXELINUX-NO-DEFAULT"), 0);
	assert_int_equal(lint_nfindings(ctx), 1);
}

static void test_pxe_include_cycle_is_bounded(void **state)
{
	const struct lint_finding *f;

	(void)state;
	run_pxe("cycle-a");
	assert_int_equal(count(LINT_R_INCLUDE), 1);
	f = find(LINT_R_INCLUDE, 1);
	assert_non_null(f);
	assert_non_null(strstr(f->loc.file, "cycle-b"));
	assert_non_null(strstr(f->message, "cycle"));
	/* the cycle is refused, not read again: "local" is not seen twice */
	assert_int_equal(count(LINT_R_SYNTAX), 0);
	assert_int_equal(lint_nfindings(ctx), 1);
}

static void test_pxe_syntax_warnings(void **state)
{
	const struct lint_finding *f;

	(void)state;
	run_pxe("syntax");
	f = find(LINT_R_SYNTAX, 2);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "KERNEL outside a LABEL"));
	f = find(LINT_R_SYNTAX, 3);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "TIMOUT"));
	assert_int_equal(f->sev, NBC_SEV_WARNING);
	f = find(LINT_R_SYNTAX, 6);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "defined again"));
	f = find(LINT_R_SYNTAX, 8);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "no KERNEL"));
	/* the TEXT HELP body is not read as keywords */
	assert_null(find(LINT_R_SYNTAX, 11));
	assert_int_equal(count(LINT_R_SYNTAX), 4);
	assert_int_equal(lint_nfindings(ctx), 4);
}

static void test_pxe_dotdot_escape_is_refused(void **state)
{
	const struct lint_finding *f;

	(void)state;
	run_pxe("escape");
	f = find(LINT_R_SYNTAX, 3);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "climbs out"));
	assert_int_equal(count("NBC-TFTP-NOT-FOUND"), 0);
}

static void test_pxe_ui_module_missing(void **state)
{
	const struct lint_finding *f;

	(void)state;
	run_pxe("ui-missing");
	f = find("NBC-TFTP-NOT-FOUND", 1);
	assert_non_null(f);
	assert_int_equal(f->loc.col, 4);
	assert_non_null(strstr(f->message, "vesamenu.c32"));
	assert_int_equal(lint_nfindings(ctx), 1);
}

static void test_pxe_ui_menu_with_labels_is_good(void **state)
{
	(void)state;
	run_pxe("ui-good");
	expect_none();
}

static void test_pxe_config_label_to_missing_file(void **state)
{
	const struct lint_finding *f;

	(void)state;
	run_pxe("config-label");
	f = find("NBC-TFTP-NOT-FOUND", 3);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "CONFIG"));
}

static void test_pxe_http_prefix_checks_under_www(void **state)
{
	static const char cfg[] = "DEFAULT winpe\nLABEL winpe\n  KERNEL wimboot\n"
				  "  INITRD bcd,boot.wim\nLABEL x\n  KERNEL ::vmlinuz\n";
	struct lint_roots roots = { IPXE_TREE "/tftp", IPXE_TREE "/www" };
	const struct lint_finding *f;

	(void)state;
	/* 210 = http://...: relative names are fetched over HTTP; "::" means the TFTP root */
	lint_pxelinux_cfg(ctx, "cfg", cfg, sizeof(cfg) - 1, &roots, "http://192.0.2.1/");
	f = find("NBC-TFTP-NOT-FOUND", 6);
	assert_non_null(f);
	assert_int_equal(lint_nfindings(ctx), 1);
}

static void test_pxe_nul_bytes_end_the_line(void **state)
{
	static const char cfg[] = "DEFAULT lo\0cal\nLABEL local\n  LOCALBOOT 0\n";
	const struct lint_finding *f;

	(void)state;
	run_pxe_text("nul.cfg", cfg, sizeof(cfg) - 1, "");
	f = find(LINT_R_SYNTAX, 1);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "NUL"));
	/* pxelinux sees "DEFAULT lo": no such label, no such file */
	f = find("NBC-PXELINUX-NO-DEFAULT", 1);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "lo"));
}

static void test_pxe_megabyte_line_is_bounded(void **state)
{
	size_t n = (1u << 20) + 64;
	char *cfg = malloc(n);
	const char *tail = "\nLABEL local\n  LOCALBOOT 0\n";
	size_t len;

	(void)state;
	assert_non_null(cfg);
	len = (size_t)snprintf(cfg, n, "DEFAULT local\nAPPEND ");
	memset(cfg + len, 'a', (1u << 20));
	len += 1u << 20;
	memcpy(cfg + len, tail, strlen(tail));
	len += strlen(tail);
	run_pxe_text("long.cfg", cfg, len, "");
	free(cfg);
	assert_non_null(find(LINT_R_SYNTAX, 2));
	assert_int_equal(count("NBC-PXELINUX-NO-DEFAULT"), 0);
	assert_int_equal(lint_nfindings(ctx), 1);
}

/* --- iPXE -------------------------------------------------------------------------------- */

static void test_ipxe_good_chain_to_lpxelinux_with_209_210(void **state)
{
	(void)state;
	run_ipxe("boot.ipxe", "http://192.0.2.1/boot.ipxe");
	expect_none();
}

static void test_ipxe_good_chain_without_base_url(void **state)
{
	(void)state;
	run_ipxe("boot.ipxe", NULL);
	expect_none();
}

static void test_ipxe_209_config_is_followed_with_210_prefix(void **state)
{
	const struct lint_finding *f;

	(void)state;
	/* ${base} comes from the script's own set lines */
	run_ipxe("boot-badcfg.ipxe", NULL);
	f = find("NBC-HTTP-STATUS", 3);
	assert_non_null(f);
	assert_non_null(strstr(f->loc.file, "www/pxelinux.cfg/broken"));
	assert_int_equal(f->loc.col, 10);
	assert_non_null(strstr(f->message, "www/debian/vmlinuz"));
	assert_int_equal(lint_nfindings(ctx), 1);
}

static void test_ipxe_missing_209_config(void **state)
{
	const struct lint_finding *f;

	(void)state;
	run_ipxe("nodefault209.ipxe", NULL);
	f = find("NBC-PXELINUX-NO-CONFIG", 2);
	assert_non_null(f);
	assert_int_equal(f->sev, NBC_SEV_ERROR);
	assert_non_null(strstr(f->message, "pxelinux.cfg/gone"));
}

static void test_ipxe_script_without_magic(void **state)
{
	const struct lint_finding *f;

	(void)state;
	run_ipxe("nomagic.ipxe", NULL);
	f = find("NBC-IPXE-SCRIPT", 1);
	assert_non_null(f);
	assert_int_equal(f->loc.col, 1);
	assert_int_equal(f->sev, NBC_SEV_ERROR);
	assert_non_null(strstr(f->message, "#!ipxe"));
	assert_int_equal(count("NBC-IPXE-SCRIPT"), 1);
}

static void test_ipxe_goto_missing_label(void **state)
{
	const struct lint_finding *f;

	(void)state;
	run_ipxe("goto.ipxe", NULL);
	f = find("NBC-IPXE-SCRIPT", 3);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "nowhere"));
	assert_int_equal(lint_nfindings(ctx), 1);
}

static void test_ipxe_missing_targets_over_http_and_tftp(void **state)
{
	const struct lint_finding *f;

	(void)state;
	run_ipxe("missing.ipxe", NULL);
	f = find("NBC-HTTP-STATUS", 3);
	assert_non_null(f);
	assert_int_equal(f->loc.col, 8);
	assert_non_null(strstr(f->message, "404"));
	assert_non_null(strstr(f->message, "images/vmlinuz-missing"));
	f = find("NBC-TFTP-NOT-FOUND", 4);
	assert_non_null(f);
	assert_int_equal(f->loc.col, 8);
	/* a relative chain resolves against the script's directory */
	f = find("NBC-HTTP-STATUS", 5);
	assert_non_null(f);
	assert_int_equal(f->loc.col, 7);
	assert_non_null(strstr(f->message, "www/menus/gone.ipxe"));
	assert_int_equal(lint_nfindings(ctx), 3);
}

static void test_ipxe_sanboot_bad_root_path(void **state)
{
	const struct lint_finding *f;

	(void)state;
	run_ipxe("badroot.ipxe", NULL);
	f = find("NBC-ROOTPATH-SYNTAX", 2);
	assert_non_null(f);
	assert_int_equal(f->loc.col, 9);
	assert_non_null(strstr(f->message, "protocol"));
	/* the same fault is not reported twice */
	assert_int_equal(count("NBC-IPXE-SCRIPT"), 0);
}

static void test_ipxe_install_flow_without_keep_san(void **state)
{
	const struct lint_finding *f;

	(void)state;
	run_ipxe("install.ipxe", NULL);
	f = find("NBC-SAN-KEEP-LOST", 2);
	assert_non_null(f);
	assert_int_equal(f->sev, NBC_SEV_ERROR);
	assert_int_equal(f->loc.col, 1);
	assert_non_null(strstr(f->message, "line 2"));
	assert_non_null(strstr(f->message, "winpe.ipxe"));
	/* winpe.ipxe was followed and is clean */
	assert_int_equal(lint_nfindings(ctx), 1);
}

static void test_ipxe_install_flow_with_keep_san(void **state)
{
	(void)state;
	run_ipxe("install-keep.ipxe", NULL);
	expect_none();
}

static void test_ipxe_keep_san_via_goto_is_a_warning(void **state)
{
	const struct lint_finding *f;

	(void)state;
	run_ipxe("install-menu.ipxe", NULL);
	f = find("NBC-SAN-KEEP-LOST", 3);
	assert_non_null(f);
	assert_int_equal(f->sev, NBC_SEV_WARNING);
	assert_non_null(strstr(f->message, "line 7"));
	assert_int_equal(lint_nfindings(ctx), 1);
}

static void test_ipxe_sanboot_keep_flag_and_exit_fallback(void **state)
{
	static const char s1[] = "#!ipxe\nsanboot --keep iscsi:192.0.2.1::::iqn.x:d || chain "
				 "http://192.0.2.1/winpe.ipxe\n";
	static const char s2[] = "#!ipxe\nsanboot iscsi:192.0.2.1::::iqn.x:d || exit 1\n"
				 "chain http://192.0.2.1/winpe.ipxe\n";
	static const char s3[] = "#!ipxe\nsanboot iscsi:192.0.2.1::::iqn.x:d\n"
				 "chain http://192.0.2.1/winpe.ipxe\n";
	static const char s4[] = "#!ipxe\nsanboot iscsi:192.0.2.1::::iqn.x:d || echo failed\n"
				 "chain http://192.0.2.1/winpe.ipxe\n";
	struct lint_roots roots = { IPXE_TREE "/tftp", IPXE_TREE "/www" };

	(void)state;
	lint_ipxe_script(ctx, "s1", s1, sizeof(s1) - 1, &roots, NULL);
	lint_ipxe_script(ctx, "s2", s2, sizeof(s2) - 1, &roots, NULL);
	/* a failed line ends the script: the chain on line 3 never runs */
	lint_ipxe_script(ctx, "s3", s3, sizeof(s3) - 1, &roots, NULL);
	assert_int_equal(count("NBC-SAN-KEEP-LOST"), 0);
	/* "|| echo" succeeds, so the script goes on to line 3 */
	lint_ipxe_script(ctx, "s4", s4, sizeof(s4) - 1, &roots, NULL);
	assert_int_equal(count("NBC-SAN-KEEP-LOST"), 1);
	assert_int_equal(find("NBC-SAN-KEEP-LOST", 2)->sev, NBC_SEV_WARNING);
}

static void test_ipxe_chained_script_fault_has_its_own_path(void **state)
{
	const struct lint_finding *f;

	(void)state;
	run_ipxe("parent.ipxe", "http://192.0.2.1/parent.ipxe");
	f = find("NBC-HTTP-STATUS", 2);
	assert_non_null(f);
	assert_non_null(strstr(f->loc.file, "sub/child.ipxe"));
	assert_non_null(strstr(f->message, "sub/vmlinuz-missing"));
	assert_int_equal(lint_nfindings(ctx), 1);
}

static void test_ipxe_password_never_in_messages(void **state)
{
	static const char cfg[] = "DEFAULT x\nLABEL x\n  KERNEL http:/admin:s3cr3tpw@h/vmlinuz\n"
				  "  APPEND initrd=http://admin:s3cr3tpw@192.0.2.1/i.img\n";

	(void)state;
	run_ipxe("secret.ipxe", NULL);
	assert_non_null(find("NBC-HTTP-STATUS", 3));
	assert_non_null(find("NBC-IPXE-SCRIPT", 4));
	/* a malformed URI keeps its password past ipxe_uri_redact(): still masked */
	assert_non_null(find("NBC-SAN-KEEP-LOST", 5));
	run_pxe_text("secret.cfg", cfg, sizeof(cfg) - 1, "");
	assert_non_null(find("NBC-TFTP-NOT-FOUND", 3));
	assert_non_null(find("NBC-HTTP-STATUS", 4));
	if (any_message_has("s3cr3tpw"))
		dump();
	assert_false(any_message_has("s3cr3tpw"));
	assert_true(any_message_has("****"));
}

static void test_ipxe_dotdot_escape_is_refused(void **state)
{
	const struct lint_finding *f;

	(void)state;
	run_ipxe("escape.ipxe", NULL);
	f = find(LINT_R_SYNTAX, 2);
	assert_non_null(f);
	assert_int_equal(f->sev, NBC_SEV_WARNING);
	assert_int_equal(count("NBC-HTTP-STATUS"), 0);
}

static void test_ipxe_nul_bytes(void **state)
{
	static const char s[] = "#!ipxe\nchain http://192.0.2.1/lpx\0elinux.0\n";
	struct lint_roots roots = { IPXE_TREE "/tftp", IPXE_TREE "/www" };
	const struct lint_finding *f;

	(void)state;
	lint_ipxe_script(ctx, "nul.ipxe", s, sizeof(s) - 1, &roots, NULL);
	assert_non_null(find("NBC-IPXE-SCRIPT", 2));
	/* iPXE sees "chain http://192.0.2.1/lpx" */
	f = find("NBC-HTTP-STATUS", 2);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "lpx"));
}

static void test_ipxe_megabyte_line_is_bounded(void **state)
{
	struct lint_roots roots = { IPXE_TREE "/tftp", IPXE_TREE "/www" };
	size_t n = (1u << 20) + 64;
	char *s = malloc(n);
	const char *tail = "\nchain missing.ipxe\n";
	size_t len;

	(void)state;
	assert_non_null(s);
	len = (size_t)snprintf(s, n, "#!ipxe\necho ");
	memset(s + len, 'x', 1u << 20);
	len += 1u << 20;
	memcpy(s + len, tail, strlen(tail));
	len += strlen(tail);
	lint_ipxe_script(ctx, "long.ipxe", s, len, &roots, NULL);
	free(s);
	assert_non_null(find("NBC-HTTP-STATUS", 3));
}

/* Writes dir/name with text. */
static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Removes dir/<prefix>0.ipxe .. dir/<prefix>n.ipxe. */
static void remove_files(const char *dir, const char *prefix, unsigned n)
{
	char path[512];

	for (unsigned i = 0; i <= n; i++) {
		snprintf(path, sizeof(path), "%s/%s%u.ipxe", dir, prefix, i);
		unlink(path);
	}
}

static void test_ipxe_300_chained_scripts_are_bounded(void **state)
{
	char dir[] = "/tmp/nbc-lint-chain-XXXXXX";
	struct lint_roots roots = { NULL, dir };
	char text[64];
	char path[512];
	char why[128];
	char *script;
	size_t len;
	const struct lint_finding *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (unsigned i = 0; i < 300; i++) {
		char name[32];

		snprintf(name, sizeof(name), "s%u.ipxe", i);
		snprintf(text, sizeof(text), "#!ipxe\nchain s%u.ipxe\n", i + 1);
		write_file(dir, name, text);
	}
	snprintf(path, sizeof(path), "%s/s0.ipxe", dir);
	assert_int_equal(lint_read_file(path, &script, &len, why, sizeof(why)), 0);
	lint_ipxe_script(ctx, path, script, len, &roots, NULL);
	free(script);
	remove_files(dir, "s", 300);
	rmdir(dir);
	f = find(LINT_R_UNSUPPORTED, 2);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "nested"));
	assert_non_null(strstr(f->loc.file, "s8.ipxe"));
	assert_int_equal(lint_nfindings(ctx), 1);
}

static void test_ipxe_fan_out_stops_at_256_files(void **state)
{
	char dir[] = "/tmp/nbc-lint-fan-XXXXXX";
	struct lint_roots roots = { NULL, dir };
	char top[256];
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* 8 scripts chaining 40 scripts each: 328 files, each leaf with one fault */
	len = (size_t)snprintf(top, sizeof(top), "#!ipxe\n");
	for (unsigned m = 0; m < 8; m++) {
		char name[32];
		char text[1024];
		size_t tl = (size_t)snprintf(text, sizeof(text), "#!ipxe\n");

		for (unsigned i = 0; i < 40; i++) {
			snprintf(name, sizeof(name), "l%u.ipxe", m * 40 + i);
			write_file(dir, name, "#!ipxe\ngoto nowhere\n");
			tl += (size_t)snprintf(text + tl, sizeof(text) - tl, "chain l%u.ipxe\n",
					       m * 40 + i);
		}
		snprintf(name, sizeof(name), "m%u.ipxe", m);
		write_file(dir, name, text);
		len += (size_t)snprintf(top + len, sizeof(top) - len, "chain m%u.ipxe\n", m);
	}
	lint_ipxe_script(ctx, "top.ipxe", top, len, &roots, NULL);
	remove_files(dir, "l", 319);
	remove_files(dir, "m", 7);
	rmdir(dir);
	/* 256 files: 7 middle scripts and 249 leaves; then one warning, nothing more */
	assert_int_equal(count("NBC-IPXE-SCRIPT"), 249);
	assert_int_equal(count(LINT_R_UNSUPPORTED), 1);
	assert_non_null(strstr(find(LINT_R_UNSUPPORTED, 0)->message, "256"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pxe_good_tree_has_no_findings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pxe_missing_kernel_at_its_column, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pxe_missing_initrd_in_append_list, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_pxe_initrd_comes_from_the_first_initrd_on_the_command_line, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_pxe_default_naming_missing_label, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pxe_no_default_waits_at_prompt, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pxe_default_kernel_gets_implicit_c32, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_pxe_include_chain_reports_missing_include_in_its_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pxe_include_cycle_is_bounded, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pxe_syntax_warnings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pxe_dotdot_escape_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pxe_ui_module_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pxe_ui_menu_with_labels_is_good, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pxe_config_label_to_missing_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pxe_http_prefix_checks_under_www, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pxe_nul_bytes_end_the_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pxe_megabyte_line_is_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipxe_good_chain_to_lpxelinux_with_209_210,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipxe_good_chain_without_base_url, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ipxe_209_config_is_followed_with_210_prefix,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipxe_missing_209_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipxe_script_without_magic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipxe_goto_missing_label, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipxe_missing_targets_over_http_and_tftp, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ipxe_sanboot_bad_root_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipxe_install_flow_without_keep_san, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ipxe_install_flow_with_keep_san, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ipxe_keep_san_via_goto_is_a_warning, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ipxe_sanboot_keep_flag_and_exit_fallback, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ipxe_chained_script_fault_has_its_own_path,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipxe_password_never_in_messages, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ipxe_dotdot_escape_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipxe_nul_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipxe_megabyte_line_is_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipxe_300_chained_scripts_are_bounded, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ipxe_fan_out_stops_at_256_files, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
