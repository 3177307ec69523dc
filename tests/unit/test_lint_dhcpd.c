/* test_lint_dhcpd.c: lint's dhcpd.conf backend: findings and what each client profile is handed. */
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

struct fixture {
	struct lint_ctx *c;
	struct lint_server srv;
	bool loaded;
};

/* tests/lint/dhcpd/NAME, found from this file's own path so any working directory does. */
static void corpus_path(const char *name, char *buf, size_t cap)
{
	const char *f = __FILE__, *unit = strstr(f, "unit/test_lint_dhcpd.c");

	snprintf(buf, cap, "%.*slint/dhcpd/%s", unit ? (int)(unit - f) : 0, f, name);
	if (unit == NULL)
		snprintf(buf, cap, "tests/lint/dhcpd/%s", name);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	fx->c = lint_ctx_new();
	*state = fx;
	return fx->c ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	if (fx->loaded)
		fx->srv.free(fx->srv.priv);
	lint_ctx_free(fx->c);
	free(fx);
	return 0;
}

static void load_path(struct fixture *fx, const char *path)
{
	char why[128] = "";

	assert_int_equal(lint_dhcpd_load(fx->c, path, &fx->srv, why, sizeof(why)), 0);
	fx->loaded = true;
	assert_string_equal(fx->srv.kind, "isc-dhcpd");
	assert_true(fx->srv.nscopes(fx->srv.priv) >= 1);
}

static void load(struct fixture *fx, const char *name)
{
	char path[512];

	corpus_path(name, path, sizeof(path));
	load_path(fx, path);
}

/* Writes len bytes to a fresh temporary file and loads it. */
static void load_bytes(struct fixture *fx, const char *text, size_t len, char *path, size_t cap)
{
	int fd;

	snprintf(path, cap, "/tmp/test_lint_dhcpd.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_true(write(fd, text, len) == (ssize_t)len);
	close(fd);
	load_path(fx, path);
	unlink(path);
}

static void unload(struct fixture *fx)
{
	fx->srv.free(fx->srv.priv);
	fx->loaded = false;
}

static void offer(struct fixture *fx, size_t scope, enum lint_profile_id id, struct lint_offer *o)
{
	memset(o, 0, sizeof(*o));
	fx->srv.eval(fx->srv.priv, scope, lint_profile_get(id), o);
}

static size_t count(const struct fixture *fx, const char *rule)
{
	size_t n = 0;

	for (size_t i = 0; i < lint_nfindings(fx->c); i++)
		if (strcmp(lint_finding_at(fx->c, i)->rule, rule) == 0)
			n++;
	return n;
}

/* The finding of rule at line:col (col 0: any), or NULL. */
static const struct lint_finding *finding(const struct fixture *fx, const char *rule, unsigned line,
					  unsigned col)
{
	for (size_t i = 0; i < lint_nfindings(fx->c); i++) {
		const struct lint_finding *f = lint_finding_at(fx->c, i);

		if (strcmp(f->rule, rule) == 0 && f->loc.line == line && (col == 0 || f->loc.col == col))
			return f;
	}
	return NULL;
}

static void assert_opt_text(const struct lint_opt *o, const char *want)
{
	assert_true(o->defined);
	assert_int_equal(o->len, strlen(want));
	assert_memory_equal(o->value, want, o->len);
}

static void test_lint_dhcpd_209_defined_but_not_requested(void **state)
{
	struct fixture *fx = *state;
	struct lint_offer o;

	load(fx, "real-209-not-sent.conf");
	assert_int_equal(lint_nfindings(fx->c), 0);
	assert_int_equal(fx->srv.nscopes(fx->srv.priv), 1);
	assert_string_equal(fx->srv.scope_name(fx->srv.priv, 0), "subnet 192.0.2.0/24");
	assert_int_equal(fx->srv.scope_loc(fx->srv.priv, 0).line, 8);
	offer(fx, 0, LP_BIOS_PXE, &o);
	assert_true(o.answered);
	assert_int_equal(o.answer_loc.line, 9);
	assert_opt_text(&o.opt[209], "pxelinux.cfg/boot");
	assert_false(o.opt[209].sent);
	assert_int_equal(o.opt[209].loc.line, 13);
	assert_int_equal(o.opt[209].loc.col, 3);
	assert_true(o.opt[208].defined);
	assert_false(o.opt[208].sent);
	assert_memory_equal(o.opt[208].value, "\xf1\x00\x74\x7e", 4);
	assert_true(o.has_file);
	assert_string_equal(o.file, "pxelinux.0");
	assert_int_equal(o.file_loc.line, 14);
	assert_true(o.has_next_server);
	assert_int_equal(o.next_server, 0xc0000201u);
	assert_int_equal(o.next_server_loc.line, 10);
	assert_false(o.next_server_is_self);
	assert_true(fx->srv.tftp_root(fx->srv.priv, NULL) == NULL);
}

static void test_lint_dhcpd_user_class_condition_picks_file(void **state)
{
	struct fixture *fx = *state;
	struct lint_offer o;

	load(fx, "real-userclass-script.conf");
	assert_int_equal(lint_nfindings(fx->c), 0);
	offer(fx, 0, LP_IPXE_BIOS, &o);
	assert_string_equal(o.file, "http://192.0.2.1/boot.ipxe");
	assert_int_equal(o.file_loc.line, 12);
	assert_int_equal(o.file_loc.col, 5);
	offer(fx, 0, LP_BIOS_PXE, &o);
	assert_string_equal(o.file, "undionly.kpxe");
	assert_int_equal(o.file_loc.line, 14);
	offer(fx, 0, LP_IPXE_EFI64, &o);
	assert_string_equal(o.file, "http://192.0.2.1/boot.ipxe");
	offer(fx, 0, LP_EFI64_PXE, &o);
	assert_string_equal(o.file, "undionly.kpxe");
}

static void test_lint_dhcpd_seed_concat_sends_pxelinux_options(void **state)
{
	struct fixture *fx = *state;
	struct lint_offer o;

	load(fx, "seed.conf");
	assert_int_equal(lint_nfindings(fx->c), 0);
	offer(fx, 0, LP_BIOS_PXE, &o);
	assert_opt_text(&o.opt[209], "pxelinux.cfg/boot");
	assert_true(o.opt[209].sent);
	assert_opt_text(&o.opt[210], "/");
	assert_true(o.opt[210].sent);
	assert_true(o.opt[208].sent);
	assert_true(o.opt[211].sent);
	assert_memory_equal(o.opt[211].value, "\x00\x00\x00\x1e", 4);
	assert_int_equal(o.opt[211].len, 4);
	assert_string_equal(o.file, "pxelinux.0");
	/* the request list itself is a config value now: the old one plus d0-d3 */
	assert_true(o.opt[55].defined);
	assert_int_equal(o.opt[55].len, lint_profile_get(LP_BIOS_PXE)->opt[55].len + 4);
	assert_memory_equal(o.opt[55].value + o.opt[55].len - 4, "\xd0\xd1\xd2\xd3", 4);
	assert_int_equal(o.opt[55].loc.line, 18);
	offer(fx, 0, LP_IPXE_EFI64, &o);
	assert_true(o.opt[209].sent);
	assert_string_equal(o.file, "http://192.0.2.1/boot.ipxe");
}

static void test_lint_dhcpd_arch_class_matches_only_arch_7(void **state)
{
	struct fixture *fx = *state;
	struct lint_offer o;

	load(fx, "arch-classes.conf");
	assert_int_equal(lint_nfindings(fx->c), 0);
	offer(fx, 0, LP_EFI64_PXE, &o);
	assert_string_equal(o.file, "ipxe.efi");
	assert_int_equal(o.file_loc.line, 9);
	offer(fx, 0, LP_EFI64_PXE9, &o);
	assert_string_equal(o.file, "undionly.kpxe");
	assert_int_equal(o.file_loc.line, 5);
	offer(fx, 0, LP_BIOS_PXE, &o);
	assert_string_equal(o.file, "undionly.kpxe");
}

static void test_lint_dhcpd_first_declared_class_wins(void **state)
{
	struct fixture *fx = *state;
	struct lint_offer o;

	load(fx, "classes-order.conf");
	for (unsigned id = 0; id < LP__COUNT; id++) {
		offer(fx, 0, (enum lint_profile_id)id, &o);
		assert_string_equal(o.file, "first.0");
		/* the second class still applies what the first does not set */
		assert_opt_text(&o.opt[17], "iscsi:192.0.2.1::::iqn.2026-11.test:disk0");
		assert_true(o.opt[17].sent);
	}
}

static void test_lint_dhcpd_host_block_is_a_scope(void **state)
{
	struct fixture *fx = *state;
	struct lint_offer o;

	load(fx, "host.conf");
	assert_int_equal(fx->srv.nscopes(fx->srv.priv), 3);
	assert_string_equal(fx->srv.scope_name(fx->srv.priv, 1), "host pc1");
	assert_int_equal(fx->srv.scope_loc(fx->srv.priv, 1).line, 7);
	offer(fx, 1, LP_BIOS_PXE, &o);
	assert_true(o.answered);
	assert_int_equal(o.answer_loc.line, 9);
	assert_string_equal(o.file, "special.0");
	assert_int_equal(o.next_server, 0xc0000202u);
	assert_int_equal(o.next_server_loc.line, 11);
	offer(fx, 0, LP_BIOS_PXE, &o);
	assert_string_equal(o.file, "pxelinux.0");
	assert_int_equal(o.next_server, 0xc0000201u);
	offer(fx, 2, LP_BIOS_PXE, &o);
	assert_false(o.answered);
	assert_int_equal(o.answer_loc.line, 15);
}

static void test_lint_dhcpd_deny_unknown_clients_refuses_profiles(void **state)
{
	struct fixture *fx = *state;
	struct lint_offer o;

	load(fx, "deny-unknown.conf");
	assert_int_equal(fx->srv.nscopes(fx->srv.priv), 2);
	offer(fx, 0, LP_BIOS_PXE, &o);
	assert_false(o.answered);
	assert_int_equal(o.answer_loc.line, 7);
	offer(fx, 1, LP_BIOS_PXE, &o);
	assert_true(o.answered);
	assert_int_equal(o.answer_loc.line, 6);
	assert_string_equal(o.file, "pxelinux.0");
}

static void test_lint_dhcpd_pool_allow_members_of(void **state)
{
	struct fixture *fx = *state;
	struct lint_offer o;

	load(fx, "members.conf");
	offer(fx, 0, LP_BIOS_PXE, &o);
	assert_false(o.answered);
	assert_int_equal(o.answer_loc.line, 9);
	offer(fx, 0, LP_IPXE_BIOS, &o);
	assert_true(o.answered);
	assert_int_equal(o.answer_loc.line, 8);
	assert_string_equal(o.file, "http://192.0.2.1/boot.ipxe");
}

static void test_lint_dhcpd_subclass_data_matches(void **state)
{
	struct fixture *fx = *state;
	struct lint_offer o;

	load(fx, "subclass.conf");
	assert_int_equal(lint_nfindings(fx->c), 0);
	offer(fx, 0, LP_EFI64_PXE, &o);
	assert_string_equal(o.file, "ipxe.efi");
	offer(fx, 0, LP_BIOS_PXE, &o);
	assert_string_equal(o.file, "undionly.kpxe");
	offer(fx, 0, LP_EFI64_PXE9, &o);
	assert_string_equal(o.file, "undionly.kpxe");
}

static void test_lint_dhcpd_include_relative_to_including_file(void **state)
{
	struct fixture *fx = *state;
	struct lint_offer o;

	load(fx, "include-main.conf");
	assert_int_equal(lint_nfindings(fx->c), 0);
	offer(fx, 0, LP_BIOS_PXE, &o);
	assert_opt_text(&o.opt[209], "pxelinux.cfg/boot");
	assert_false(o.opt[209].sent);
	assert_int_equal(o.opt[209].loc.line, 1);
	assert_non_null(strstr(o.opt[209].loc.file, "tests/lint/dhcpd/include-values.conf"));
	assert_string_equal(o.file, "pxelinux.0");
}

static void test_lint_dhcpd_missing_include_is_a_finding(void **state)
{
	struct fixture *fx = *state;
	const struct lint_finding *f;
	struct lint_offer o;

	load(fx, "include-missing.conf");
	assert_int_equal(lint_nfindings(fx->c), 1);
	f = finding(fx, LINT_R_INCLUDE, 4, 3);
	assert_non_null(f);
	assert_int_equal(f->sev, NBC_SEV_ERROR);
	assert_non_null(strstr(f->message, "include-does-not-exist.conf"));
	assert_non_null(strstr(f->loc.file, "include-missing.conf"));
	offer(fx, 0, LP_BIOS_PXE, &o);
	assert_string_equal(o.file, "pxelinux.0");
}

static void test_lint_dhcpd_include_cycle_is_bounded(void **state)
{
	struct fixture *fx = *state;
	const struct lint_finding *f;

	load(fx, "include-cycle-a.conf");
	assert_int_equal(count(fx, LINT_R_INCLUDE), 1);
	f = finding(fx, LINT_R_INCLUDE, 1, 1);
	assert_non_null(f);
	assert_non_null(strstr(f->loc.file, "include-cycle-b.conf"));
	assert_non_null(strstr(f->message, "cycle"));
	assert_int_equal(fx->srv.nscopes(fx->srv.priv), 1);
}

static void test_lint_dhcpd_include_depth_is_bounded(void **state)
{
	struct fixture *fx = *state;
	char dir[] = "/tmp/test_lint_dhcpd.XXXXXX", path[128];
	const struct lint_finding *f;
	FILE *out;

	assert_non_null(mkdtemp(dir));
	/* inc0 includes inc1 ... includes inc19: the 17th include is one too deep */
	for (unsigned i = 0; i < 20; i++) {
		snprintf(path, sizeof(path), "%s/inc%u.conf", dir, i);
		out = fopen(path, "w");
		assert_non_null(out);
		fprintf(out, "# level %u\ninclude \"inc%u.conf\";\n", i, i + 1);
		fclose(out);
	}
	snprintf(path, sizeof(path), "%s/inc0.conf", dir);
	load_path(fx, path);
	assert_int_equal(lint_nfindings(fx->c), 1);
	f = finding(fx, LINT_R_INCLUDE, 2, 1);
	assert_non_null(f);
	assert_non_null(strstr(f->loc.file, "/inc16.conf"));
	assert_non_null(strstr(f->message, "deeper than 16"));
	for (unsigned i = 0; i < 20; i++) {
		snprintf(path, sizeof(path), "%s/inc%u.conf", dir, i);
		unlink(path);
	}
	rmdir(dir);
}

static void test_lint_dhcpd_included_bytes_are_bounded(void **state)
{
	struct fixture *fx = *state;
	char dir[] = "/tmp/test_lint_dhcpd.XXXXXX", big[128], main_conf[128];
	char *text = malloc(1u << 20);
	FILE *out;

	assert_non_null(text);
	assert_non_null(mkdtemp(dir));
	/* a 1 MiB comment included 70 times: 64 MiB are read, the rest refused */
	snprintf(big, sizeof(big), "%s/big.conf", dir);
	memset(text, 'x', 1u << 20);
	text[0] = '#';
	text[(1u << 20) - 1] = '\n';
	out = fopen(big, "w");
	assert_non_null(out);
	assert_int_equal(fwrite(text, 1, 1u << 20, out), 1u << 20);
	fclose(out);
	snprintf(main_conf, sizeof(main_conf), "%s/main.conf", dir);
	out = fopen(main_conf, "w");
	assert_non_null(out);
	for (unsigned i = 0; i < 70; i++)
		fprintf(out, "include \"big.conf\";\n");
	fclose(out);
	load_path(fx, main_conf);
	assert_int_equal(count(fx, LINT_R_INCLUDE), 6);
	assert_non_null(finding(fx, LINT_R_INCLUDE, 65, 1));
	assert_null(finding(fx, LINT_R_INCLUDE, 64, 1));
	unlink(big);
	unlink(main_conf);
	rmdir(dir);
	free(text);
}

static void test_lint_dhcpd_supersede_default_append_prepend(void **state)
{
	struct fixture *fx = *state;
	struct lint_offer o;

	load(fx, "option-modes.conf");
	assert_int_equal(lint_nfindings(fx->c), 0);
	offer(fx, 0, LP_IPXE_BIOS, &o);
	assert_opt_text(&o.opt[15], "example.org");
	assert_opt_text(&o.opt[12], "pc-1");
	assert_int_equal(o.opt[12].loc.line, 7);
	assert_opt_text(&o.opt[17], "iscsi:");
	assert_opt_text(&o.opt[66], "192.0.2.9");
}

static void test_lint_dhcpd_missing_semicolon_position(void **state)
{
	struct fixture *fx = *state;
	const struct lint_finding *f;
	struct lint_offer o;

	load(fx, "syntax-missing-semi.conf");
	assert_int_equal(lint_nfindings(fx->c), 2);
	f = finding(fx, LINT_R_SYNTAX, 2, 32);
	assert_non_null(f);
	assert_string_equal(f->message, "expecting a semicolon");
	assert_non_null(finding(fx, LINT_R_SYNTAX, 4, 24));
	/* the statement after the missing ';' still counts */
	offer(fx, 0, LP_BIOS_PXE, &o);
	assert_int_equal(o.next_server, 0xc0000201u);
	assert_string_equal(o.file, "pxelinux.0");
}

static void test_lint_dhcpd_unbalanced_braces(void **state)
{
	struct fixture *fx = *state;
	const struct lint_finding *f;

	load(fx, "syntax-unclosed.conf");
	assert_int_equal(lint_nfindings(fx->c), 1);
	f = finding(fx, LINT_R_SYNTAX, 1, 40);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "not closed"));
}

static void test_lint_dhcpd_extra_closing_brace(void **state)
{
	struct fixture *fx = *state;

	load(fx, "syntax-extra-brace.conf");
	assert_int_equal(lint_nfindings(fx->c), 1);
	assert_non_null(finding(fx, LINT_R_SYNTAX, 4, 1));
}

static void test_lint_dhcpd_unknown_option_name(void **state)
{
	struct fixture *fx = *state;
	const struct lint_finding *f;
	struct lint_offer o;

	load(fx, "syntax-unknown-option.conf");
	assert_int_equal(lint_nfindings(fx->c), 1);
	f = finding(fx, LINT_R_SYNTAX, 6, 10);
	assert_non_null(f);
	assert_string_equal(f->message, "unknown option pxelinux.foo");
	offer(fx, 0, LP_BIOS_PXE, &o);
	assert_opt_text(&o.opt[209], "pxelinux.cfg/boot");
}

static void test_lint_dhcpd_unterminated_string_reported_once(void **state)
{
	struct fixture *fx = *state;
	const struct lint_finding *f;

	load(fx, "syntax-unterminated.conf");
	assert_int_equal(lint_nfindings(fx->c), 1);
	f = finding(fx, LINT_R_SYNTAX, 3, 12);
	assert_non_null(f);
	assert_string_equal(f->message, "unterminated string");
}

static void test_lint_dhcpd_values_must_fit_their_type(void **state)
{
	struct fixture *fx = *state;
	struct lint_offer o;

	load(fx, "syntax-values.conf");
	assert_int_equal(count(fx, LINT_R_SYNTAX), 7);
	assert_string_equal(finding(fx, LINT_R_SYNTAX, 5, 30)->message,
			    "expecting an unsigned 32-bit integer");
	assert_string_equal(finding(fx, LINT_R_SYNTAX, 6, 27)->message, "expecting a semicolon");
	assert_string_equal(finding(fx, LINT_R_SYNTAX, 7, 26)->message,
			    "expecting an unsigned 16-bit integer");
	assert_non_null(strstr(finding(fx, LINT_R_SYNTAX, 8, 32)->message, "if without a block"));
	assert_non_null(strstr(finding(fx, LINT_R_SYNTAX, 9, 21)->message, "unknown option space pxelinx"));
	assert_string_equal(finding(fx, LINT_R_SYNTAX, 10, 6)->message, "expecting a boolean expression");
	assert_non_null(strstr(finding(fx, LINT_R_SYNTAX, 11, 27)->message, "bad regular expression"));
	/* dhcpd drops the reply when site-option-space names no space */
	offer(fx, 0, LP_BIOS_PXE, &o);
	assert_false(o.answered);
	assert_int_equal(o.answer_loc.line, 9);
}

static void test_lint_dhcpd_vendor_option_space_fills_43(void **state)
{
	struct fixture *fx = *state;
	struct lint_offer o;

	load(fx, "vendor-space.conf");
	assert_int_equal(lint_nfindings(fx->c), 0);
	offer(fx, 0, LP_BIOS_PXE, &o);
	assert_true(o.opt[43].defined);
	assert_true(o.opt[43].sent);
	assert_int_equal(o.opt[43].len, 3);
	assert_memory_equal(o.opt[43].value, "\x06\x01\x03", 3);
	assert_int_equal(o.opt[43].loc.line, 8);
	assert_false(o.opt[6].defined);
	assert_opt_text(&o.opt[60], "PXEClient");
	assert_true(o.opt[60].sent);
}

static void test_lint_dhcpd_ipxe_175_keep_san(void **state)
{
	struct fixture *fx = *state;
	struct lint_offer o;

	load(fx, "ipxe-keepsan.conf");
	assert_int_equal(lint_nfindings(fx->c), 0);
	offer(fx, 0, LP_IPXE_BIOS, &o);
	assert_true(o.opt[175].defined);
	assert_true(o.opt[175].sent);
	assert_int_equal(o.opt[175].len, 3);
	assert_memory_equal(o.opt[175].value, "\x08\x01\x01", 3);
	assert_int_equal(o.opt[175].loc.line, 10);
	assert_false(o.opt[8].defined);
	/* exists ipxe.bus-id looks inside the client's own 175 */
	assert_string_equal(o.file, "http://192.0.2.1/san.ipxe");
	offer(fx, 0, LP_BIOS_PXE, &o);
	assert_true(o.opt[175].defined);
	assert_false(o.opt[175].sent);
	assert_string_equal(o.file, "undionly.kpxe");
}

static void test_lint_dhcpd_next_server_absent_is_zero(void **state)
{
	struct fixture *fx = *state;
	struct lint_offer o;

	load(fx, "no-next-server.conf");
	assert_int_equal(fx->srv.nscopes(fx->srv.priv), 2);
	offer(fx, 0, LP_BIOS_PXE, &o);
	assert_true(o.answered);
	assert_false(o.has_next_server);
	assert_int_equal(o.next_server, 0);
	assert_opt_text(&o.opt[66], "192.0.2.1");
	assert_true(o.opt[66].sent);
	/* a host name is defined but lint cannot resolve it */
	offer(fx, 1, LP_BIOS_PXE, &o);
	assert_true(o.has_next_server);
	assert_int_equal(o.next_server, 0);
	assert_int_equal(o.next_server_loc.line, 9);
}

static void test_lint_dhcpd_config_request_list_replaces_clients(void **state)
{
	struct fixture *fx = *state;
	struct lint_offer o;

	load(fx, "prl-list.conf");
	assert_int_equal(lint_nfindings(fx->c), 0);
	offer(fx, 0, LP_BIOS_PXE, &o);
	assert_true(o.opt[209].sent);
	assert_true(o.opt[210].defined);
	assert_false(o.opt[210].sent);
	assert_true(o.opt[66].defined);
	assert_false(o.opt[66].sent);
	/* dhcpd puts the server identifier in every reply, asked for or not */
	assert_true(o.opt[54].sent);
	assert_memory_equal(o.opt[54].value, "\xc0\x00\x02\x01", 4);
}

static void test_lint_dhcpd_space_without_site_option_space_never_sent(void **state)
{
	struct fixture *fx = *state;
	struct lint_offer o;

	load(fx, "no-site-space.conf");
	offer(fx, 0, LP_BIOS_PXE, &o);
	assert_opt_text(&o.opt[209], "pxelinux.cfg/boot");
	assert_false(o.opt[209].sent);
}

static void test_lint_dhcpd_conditions_evaluate_as_dhcpd_does(void **state)
{
	struct fixture *fx = *state;
	const struct lint_finding *f;
	struct lint_offer o;

	load(fx, "conditions.conf");
	assert_int_equal(lint_nfindings(fx->c), 1);
	f = finding(fx, LINT_R_UNSUPPORTED, 8, 11);
	assert_non_null(f);
	assert_int_equal(f->sev, NBC_SEV_WARNING);
	/* "false and x" is null, so not (...) is no help to a client without user-class;
	 * a missing option compares unequal (false, not null); "null or false" is false */
	offer(fx, 0, LP_BIOS_PXE, &o);
	assert_string_equal(o.file, "other.0");
	offer(fx, 0, LP_EFI64_PXE9, &o);
	assert_string_equal(o.file, "other.0");
	offer(fx, 0, LP_EFI64_PXE, &o);
	assert_string_equal(o.file, "efi.0");
	assert_int_equal(o.file_loc.line, 7);
	offer(fx, 0, LP_IPXE_BIOS, &o);
	assert_string_equal(o.file, "ipxe.0");
	offer(fx, 0, LP_IPXE_EFI64, &o);
	assert_string_equal(o.file, "ipxe.0");
}

static void test_lint_dhcpd_known_client_gets_its_host_block(void **state)
{
	struct fixture *fx = *state;
	struct lint_offer o;

	load(fx, "known-client.conf");
	assert_int_equal(lint_nfindings(fx->c), 0);
	assert_int_equal(fx->srv.nscopes(fx->srv.priv), 2);
	offer(fx, 0, LP_BIOS_PXE, &o);
	assert_true(o.answered);
	assert_int_equal(o.answer_loc.line, 3);
	assert_string_equal(o.file, "lab.0");
	assert_int_equal(o.file_loc.line, 9);
}

static void test_lint_dhcpd_pools_tried_in_order(void **state)
{
	struct fixture *fx = *state;
	struct lint_offer o;

	load(fx, "pools-order.conf");
	assert_int_equal(lint_nfindings(fx->c), 0);
	offer(fx, 0, LP_IPXE_BIOS, &o);
	assert_true(o.answered);
	assert_int_equal(o.answer_loc.line, 8);
	assert_string_equal(o.file, "http://192.0.2.1/boot.ipxe");
	offer(fx, 0, LP_BIOS_PXE, &o);
	assert_true(o.answered);
	assert_int_equal(o.answer_loc.line, 12);
	assert_string_equal(o.file, "bare.0");
}

static void test_lint_dhcpd_ignore_booting_in_class(void **state)
{
	struct fixture *fx = *state;
	struct lint_offer o;

	load(fx, "ignore-booting.conf");
	offer(fx, 0, LP_EFI64_PXE9, &o);
	assert_false(o.answered);
	assert_int_equal(o.answer_loc.line, 4);
	offer(fx, 0, LP_EFI64_PXE, &o);
	assert_true(o.answered);
}

static void test_lint_dhcpd_empty_file_has_one_silent_scope(void **state)
{
	struct fixture *fx = *state;
	struct lint_offer o;

	load(fx, "empty.conf");
	assert_int_equal(lint_nfindings(fx->c), 0);
	assert_int_equal(fx->srv.nscopes(fx->srv.priv), 1);
	offer(fx, 0, LP_BIOS_PXE, &o);
	assert_false(o.answered);
	assert_int_equal(o.answer_loc.line, 0);
	assert_non_null(strstr(o.answer_loc.file, "empty.conf"));
	assert_int_equal(fx->srv.scope_loc(fx->srv.priv, 0).line, 0);
}

static void test_lint_dhcpd_unreadable_file_fails_untouched(void **state)
{
	struct fixture *fx = *state;
	struct lint_server srv, before;
	char why[128] = "";

	memset(&srv, 0xa5, sizeof(srv));
	memcpy(&before, &srv, sizeof(srv));
	assert_int_equal(lint_dhcpd_load(fx->c, "/nonexistent/dhcpd.conf", &srv, why, sizeof(why)), -1);
	assert_string_equal(why, "No such file or directory");
	assert_memory_equal(&srv, &before, sizeof(srv));
	assert_int_equal(lint_nfindings(fx->c), 0);
}

static void test_lint_dhcpd_nul_byte_is_a_finding(void **state)
{
	struct fixture *fx = *state;
	static const char text[] = "subnet 192.0.2.0 netmask 255.255.255.0 {\n"
				   "  range 192.0.2.100 192.0.2.150;\n"
				   "  filename \"a\0b\";\n}\n";
	char path[64];
	struct lint_offer o;

	load_bytes(fx, text, sizeof(text) - 1, path, sizeof(path));
	assert_int_equal(lint_nfindings(fx->c), 1);
	assert_non_null(finding(fx, LINT_R_SYNTAX, 3, 14));
	offer(fx, 0, LP_BIOS_PXE, &o);
	assert_true(o.has_file);
	assert_string_equal(o.file, "a");
}

static void test_lint_dhcpd_deep_nesting_is_bounded(void **state)
{
	struct fixture *fx = *state;
	size_t n = 10000, len = 0;
	char *text = malloc(n * 10 + 64), path[64];
	const struct lint_finding *f;

	assert_non_null(text);
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "group {");
	for (size_t i = 0; i < n; i++)
		text[len++] = '}';
	load_bytes(fx, text, len, path, sizeof(path));
	assert_int_equal(lint_nfindings(fx->c), 1);
	f = finding(fx, LINT_R_SYNTAX, 1, 7 * 64 + 7);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "nested deeper"));
	/* bare braces too */
	unload(fx);
	len = 0;
	for (size_t i = 0; i < n; i++)
		text[len++] = '{';
	for (size_t i = 0; i < n; i++)
		text[len++] = '}';
	load_bytes(fx, text, len, path, sizeof(path));
	assert_non_null(finding(fx, LINT_R_SYNTAX, 1, 1));
	assert_int_equal(lint_nfindings(fx->c), 2);
	free(text);
}

static void test_lint_dhcpd_huge_token_and_expression_are_bounded(void **state)
{
	struct fixture *fx = *state;
	size_t n = 1u << 20, len;
	char *text = malloc(2 * n + 64), path[64];
	const struct lint_finding *f;

	assert_non_null(text);
	len = (size_t)sprintf(text, "option ");
	memset(text + len, 'a', n);
	len += n;
	text[len++] = ';';
	load_bytes(fx, text, len, path, sizeof(path));
	assert_int_equal(lint_nfindings(fx->c), 1);
	f = finding(fx, LINT_R_SYNTAX, 1, 8);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "longer than 4096"));
	unload(fx);
	/* 100000 parentheses deep */
	len = (size_t)sprintf(text, "if ");
	memset(text + len, '(', 100000);
	len += 100000;
	len += (size_t)sprintf(text + len, "known");
	memset(text + len, ')', 100000);
	len += 100000;
	len += (size_t)sprintf(text + len, " { filename \"x\"; }\n");
	load_bytes(fx, text, len, path, sizeof(path));
	assert_int_equal(lint_nfindings(fx->c), 2);
	assert_non_null(strstr(lint_finding_at(fx->c, 1)->message, "nested deeper than 64"));
	free(text);
}

static void test_lint_dhcpd_statement_count_is_bounded(void **state)
{
	struct fixture *fx = *state;
	size_t n = 1000001;
	char *text = malloc(n), path[64];

	assert_non_null(text);
	memset(text, ';', n);
	load_bytes(fx, text, n, path, sizeof(path));
	assert_int_equal(lint_nfindings(fx->c), 1);
	assert_non_null(strstr(lint_finding_at(fx->c, 0)->message, "more than 1000000 statements"));
	free(text);
}

static void test_lint_dhcpd_long_elsif_chain_and_garbage(void **state)
{
	struct fixture *fx = *state;
	size_t cap = 1u << 20, len = 0;
	char *text = malloc(cap), path[64];
	uint32_t seed = 12345;
	struct lint_offer o;

	assert_non_null(text);
	len += (size_t)sprintf(text, "subnet 10.0.0.0 netmask 255.0.0.0 { range 10.0.0.1 10.0.0.9;\n"
				     "if option host-name = \"0\" { filename \"0\"; }\n");
	for (unsigned i = 1; i < 10000; i++)
		len += (size_t)sprintf(text + len, "elsif option host-name = \"%u\" { filename \"%u\"; }\n", i, i);
	len += (size_t)sprintf(text + len, "else { filename \"last\"; } }\n");
	load_bytes(fx, text, len, path, sizeof(path));
	assert_int_equal(lint_nfindings(fx->c), 0);
	offer(fx, 0, LP_BIOS_PXE, &o);
	assert_string_equal(o.file, "last");
	/* pseudo-random bytes from the configuration's own alphabet: findings, no crash */
	for (unsigned round = 0; round < 50; round++) {
		static const char alpha[] = "{}();,=!~\"\\#\n option subnet host class if else pool range 1.2.3.4 concat exists ";

		unload(fx);
		for (len = 0; len < 4096; len++) {
			seed = seed * 1103515245u + 12345u;
			text[len] = alpha[(seed >> 16) % (sizeof(alpha) - 1)];
		}
		load_bytes(fx, text, len, path, sizeof(path));
		for (size_t s = 0; s < fx->srv.nscopes(fx->srv.priv); s++)
			for (unsigned id = 0; id < LP__COUNT; id++)
				offer(fx, s, (enum lint_profile_id)id, &o);
	}
	assert_true(lint_nfindings(fx->c) > 0);
	free(text);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_lint_dhcpd_209_defined_but_not_requested),
		T(test_lint_dhcpd_user_class_condition_picks_file),
		T(test_lint_dhcpd_seed_concat_sends_pxelinux_options),
		T(test_lint_dhcpd_arch_class_matches_only_arch_7),
		T(test_lint_dhcpd_first_declared_class_wins),
		T(test_lint_dhcpd_host_block_is_a_scope),
		T(test_lint_dhcpd_deny_unknown_clients_refuses_profiles),
		T(test_lint_dhcpd_pool_allow_members_of),
		T(test_lint_dhcpd_subclass_data_matches),
		T(test_lint_dhcpd_include_relative_to_including_file),
		T(test_lint_dhcpd_missing_include_is_a_finding),
		T(test_lint_dhcpd_include_cycle_is_bounded),
		T(test_lint_dhcpd_include_depth_is_bounded),
		T(test_lint_dhcpd_included_bytes_are_bounded),
		T(test_lint_dhcpd_supersede_default_append_prepend),
		T(test_lint_dhcpd_missing_semicolon_position),
		T(test_lint_dhcpd_unbalanced_braces),
		T(test_lint_dhcpd_extra_closing_brace),
		T(test_lint_dhcpd_unknown_option_name),
		T(test_lint_dhcpd_unterminated_string_reported_once),
		T(test_lint_dhcpd_values_must_fit_their_type),
		T(test_lint_dhcpd_vendor_option_space_fills_43),
		T(test_lint_dhcpd_ipxe_175_keep_san),
		T(test_lint_dhcpd_next_server_absent_is_zero),
		T(test_lint_dhcpd_config_request_list_replaces_clients),
		T(test_lint_dhcpd_space_without_site_option_space_never_sent),
		T(test_lint_dhcpd_conditions_evaluate_as_dhcpd_does),
		T(test_lint_dhcpd_known_client_gets_its_host_block),
		T(test_lint_dhcpd_pools_tried_in_order),
		T(test_lint_dhcpd_ignore_booting_in_class),
		T(test_lint_dhcpd_empty_file_has_one_silent_scope),
		T(test_lint_dhcpd_unreadable_file_fails_untouched),
		T(test_lint_dhcpd_nul_byte_is_a_finding),
		T(test_lint_dhcpd_deep_nesting_is_bounded),
		T(test_lint_dhcpd_huge_token_and_expression_are_bounded),
		T(test_lint_dhcpd_statement_count_is_bounded),
		T(test_lint_dhcpd_long_elsif_chain_and_garbage),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
