/* test_lint_dnsmasq.c: lint's dnsmasq backend on the tests/lint/dnsmasq corpus. */
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

#define CORPUS "tests/lint/dnsmasq/"

struct loaded {
	struct lint_ctx *c;
	struct lint_server s;
};

static void load(struct loaded *l, const char *name)
{
	char why[128] = "";
	char path[256];

	snprintf(path, sizeof(path), CORPUS "%s", name);
	l->c = lint_ctx_new();
	assert_non_null(l->c);
	memset(&l->s, 0, sizeof(l->s));
	assert_int_equal(lint_dnsmasq_load(l->c, path, &l->s, why, sizeof(why)), 0);
	assert_string_equal(l->s.kind, "dnsmasq");
	assert_non_null(l->s.priv);
}

static void unload(struct loaded *l)
{
	l->s.free(l->s.priv);
	lint_ctx_free(l->c);
}

/* The offer is large: kept static, cleared for every call as lint's caller does. */
static const struct lint_offer *offer(struct loaded *l, size_t scope, enum lint_profile_id id)
{
	static struct lint_offer o;

	memset(&o, 0, sizeof(o));
	l->s.eval(l->s.priv, scope, lint_profile_get(id), &o);
	return &o;
}

static size_t count(const struct loaded *l, const char *rule, enum nbc_sev sev)
{
	size_t n = 0;

	for (size_t i = 0; i < lint_nfindings(l->c); i++) {
		const struct lint_finding *f = lint_finding_at(l->c, i);

		if (strcmp(f->rule, rule) == 0 && f->sev == sev)
			n++;
	}
	return n;
}

static const struct lint_finding *first(const struct loaded *l, const char *rule,
					enum nbc_sev sev)
{
	for (size_t i = 0; i < lint_nfindings(l->c); i++) {
		const struct lint_finding *f = lint_finding_at(l->c, i);

		if (strcmp(f->rule, rule) == 0 && f->sev == sev)
			return f;
	}
	return NULL;
}

/* The finding of rule and severity whose message holds what, or NULL. */
static const struct lint_finding *with(const struct loaded *l, const char *rule, enum nbc_sev sev,
				       const char *what)
{
	for (size_t i = 0; i < lint_nfindings(l->c); i++) {
		const struct lint_finding *f = lint_finding_at(l->c, i);

		if (strcmp(f->rule, rule) == 0 && f->sev == sev && strstr(f->message, what) != NULL)
			return f;
	}
	return NULL;
}

static size_t errors(const struct loaded *l)
{
	size_t n = 0;

	for (size_t i = 0; i < lint_nfindings(l->c); i++)
		n += lint_finding_at(l->c, i)->sev == NBC_SEV_ERROR;
	return n;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && strcmp(s + a - b, tail) == 0;
}

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static void test_dnsmasq_real_sanboot_config_alone_never_answers(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, "sanboot-real.conf");
	assert_int_equal(lint_nfindings(l.c), 0);
	assert_int_equal(l.s.nscopes(l.s.priv), 1);
	assert_string_equal(l.s.scope_name(l.s.priv, 0), "dnsmasq");
	/* no dhcp-range: dnsmasq does no DHCP at all */
	assert_false(offer(&l, 0, LP_BIOS_PXE)->answered);
	assert_false(offer(&l, 0, LP_IPXE_BIOS)->answered);
	unload(&l);
}

static void test_dnsmasq_sanboot_bios_rom_gets_undionly_from_192_0_2_1(void **state)
{
	struct loaded l;
	const struct lint_offer *o;

	(void)state;
	load(&l, "sanboot.conf");
	assert_int_equal(lint_nfindings(l.c), 0);
	o = offer(&l, 0, LP_BIOS_PXE);
	assert_true(o->answered);
	assert_int_equal(o->answer_loc.line, 6);
	assert_true(o->has_file);
	assert_string_equal(o->file, "undionly.kpxe");
	assert_true(ends_with(o->file_loc.file, "sanboot-real.conf"));
	assert_int_equal(o->file_loc.line, 5);
	assert_true(o->has_next_server);
	assert_int_equal(o->next_server, IP(192, 0, 2, 1));
	assert_false(o->next_server_is_self);
	/* dnsmasq puts the file in option 67 when the client asks for 67 */
	assert_true(o->opt[67].defined && o->opt[67].sent);
	assert_memory_equal(o->opt[67].value, "undionly.kpxe", 13);
	unload(&l);
}

static void test_dnsmasq_sanboot_ipxe_gets_script_url_from_user_class(void **state)
{
	struct loaded l;
	const struct lint_offer *o;

	(void)state;
	load(&l, "sanboot.conf");
	o = offer(&l, 0, LP_IPXE_BIOS);
	assert_true(o->answered);
	assert_string_equal(o->file, "http://192.0.2.1/boot.ipxe");
	assert_int_equal(o->file_loc.line, 6);
	/* no server in that dhcp-boot: siaddr is dnsmasq's own address */
	assert_false(o->has_next_server);
	assert_true(o->next_server_is_self);
	assert_string_equal(offer(&l, 0, LP_IPXE_EFI64)->file, "http://192.0.2.1/boot.ipxe");
	unload(&l);
}

static void test_dnsmasq_tftp_root_only_with_enable_tftp(void **state)
{
	struct loaded l;
	struct lint_loc loc = { 0 };
	const char *root;

	(void)state;
	load(&l, "sanboot.conf");
	root = l.s.tftp_root(l.s.priv, &loc);
	assert_non_null(root);
	assert_string_equal(root, "/srv/tftp");
	assert_int_equal(loc.line, 8);
	assert_true(ends_with(loc.file, "sanboot.conf"));
	unload(&l);
	load(&l, "opt209.conf");
	assert_null(l.s.tftp_root(l.s.priv, &loc));
	unload(&l);
}

static void test_dnsmasq_loop_hands_ipxe_undionly_again(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, "loop.conf");
	assert_int_equal(lint_nfindings(l.c), 0);
	assert_string_equal(offer(&l, 0, LP_IPXE_BIOS)->file, "undionly.kpxe");
	assert_string_equal(offer(&l, 0, LP_IPXE_EFI64)->file, "undionly.kpxe");
	assert_int_equal(offer(&l, 0, LP_IPXE_BIOS)->file_loc.line, 12);
	assert_int_equal(offer(&l, 0, LP_IPXE_BIOS)->next_server, IP(192, 0, 2, 1));
	unload(&l);
}

static void test_dnsmasq_client_arch_7_only_leaves_arch_9_on_the_default(void **state)
{
	struct loaded l;
	const struct lint_offer *o;

	(void)state;
	load(&l, "arch7.conf");
	assert_string_equal(offer(&l, 0, LP_EFI64_PXE)->file, "ipxe.efi");
	assert_string_equal(offer(&l, 0, LP_BIOS_PXE)->file, "undionly.kpxe");
	o = offer(&l, 0, LP_EFI64_PXE9);
	assert_true(o->answered);
	assert_string_equal(o->file, "undionly.kpxe");
	assert_int_equal(o->file_loc.line, 6);
	unload(&l);
}

static void test_dnsmasq_dhcp_option_209_is_not_sent_to_a_pxe_rom(void **state)
{
	struct loaded l;
	const struct lint_offer *o;

	(void)state;
	load(&l, "opt209.conf");
	o = offer(&l, 0, LP_BIOS_PXE);
	assert_string_equal(o->file, "pxelinux.0");
	assert_true(o->opt[209].defined);
	assert_false(o->opt[209].sent);
	assert_int_equal(o->opt[209].len, strlen("pxelinux.cfg/boot"));
	assert_memory_equal(o->opt[209].value, "pxelinux.cfg/boot", o->opt[209].len);
	assert_int_equal(o->opt[209].loc.line, 6);
	assert_true(o->opt[210].defined && !o->opt[210].sent);
	/* root-path is in a PXE ROM's request list: sent */
	assert_true(o->opt[17].defined && o->opt[17].sent);
	unload(&l);
}

static void test_dnsmasq_dhcp_option_force_209_is_sent(void **state)
{
	struct loaded l;
	const struct lint_offer *o;

	(void)state;
	load(&l, "opt209-force.conf");
	o = offer(&l, 0, LP_BIOS_PXE);
	assert_true(o->opt[209].defined && o->opt[209].sent);
	assert_true(o->opt[210].defined && o->opt[210].sent);
	assert_memory_equal(o->opt[210].value, "/", 1);
	unload(&l);
}

static void test_dnsmasq_pxe_service_gives_a_bios_rom_basename_dot_0(void **state)
{
	struct loaded l;
	const struct lint_offer *o;

	(void)state;
	load(&l, "pxe-service.conf");
	assert_int_equal(lint_nfindings(l.c), 0);
	o = offer(&l, 0, LP_BIOS_PXE);
	assert_true(o->answered);
	assert_string_equal(o->file, "pxelinux.0");
	assert_int_equal(o->file_loc.line, 10);
	assert_true(o->next_server_is_self);
	assert_true(o->opt[60].sent);
	assert_memory_equal(o->opt[60].value, "PXEClient", 9);
	/* the menu in 43: discovery control, boot servers, menu item, prompt, END */
	assert_true(o->opt[43].defined && o->opt[43].sent);
	assert_int_equal(o->opt[43].value[0], 6);
	assert_int_equal(o->opt[43].value[o->opt[43].len - 1], 255);
	unload(&l);
}

static void test_dnsmasq_one_uefi_service_leaves_uefi_on_dhcp_boot(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, "pxe-service.conf");
	/* pxe_uefi_workaround: one x86-64_EFI service, no menu in a normal range */
	assert_string_equal(offer(&l, 0, LP_EFI64_PXE)->file, "grubx64.efi");
	/* arch 9 is BC_EFI: no service at all */
	assert_string_equal(offer(&l, 0, LP_EFI64_PXE9)->file, "grubx64.efi");
	/* tag:!ipxe keeps iPXE out of the BIOS menu */
	assert_string_equal(offer(&l, 0, LP_IPXE_BIOS)->file, "http://192.0.2.1/boot.ipxe");
	unload(&l);
}

static void test_dnsmasq_proxy_range_answers_from_the_menu(void **state)
{
	struct loaded l;
	const struct lint_offer *o;

	(void)state;
	load(&l, "proxy.conf");
	o = offer(&l, 0, LP_BIOS_PXE);
	assert_true(o->answered);
	assert_int_equal(o->answer_loc.line, 4);
	assert_string_equal(o->file, "undionly.0");
	assert_true(o->next_server_is_self);
	assert_false(o->opt[67].defined);	/* the proxy reply uses the file field */
	assert_string_equal(offer(&l, 0, LP_EFI64_PXE)->file, "snponly.efi");
	o = offer(&l, 0, LP_EFI64_PXE9);
	assert_true(o->answered);
	assert_false(o->has_file);
	o = offer(&l, 0, LP_IPXE_BIOS);
	assert_string_equal(o->file, "http://192.0.2.1/boot.ipxe");
	assert_false(o->has_next_server || o->next_server_is_self);	/* siaddr stays 0 */
	unload(&l);
}

static void test_dnsmasq_proxy_range_without_pxe_service_answers_nobody(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, "proxy-no-service.conf");
	for (int k = 0; k < LP__COUNT; k++)
		assert_false(offer(&l, 0, (enum lint_profile_id)k)->answered);
	unload(&l);
}

static void test_dnsmasq_dhcp_host_scopes_ignore_and_tag(void **state)
{
	struct loaded l;
	const struct lint_offer *o;

	(void)state;
	load(&l, "host-ignore.conf");
	assert_int_equal(l.s.nscopes(l.s.priv), 3);
	assert_string_equal(l.s.scope_name(l.s.priv, 1), "dhcp-host 52:54:00:aa:bb:cc,ignore");
	assert_int_equal(l.s.scope_loc(l.s.priv, 1).line, 4);
	o = offer(&l, 1, LP_BIOS_PXE);
	assert_false(o->answered);
	assert_int_equal(o->answer_loc.line, 4);
	assert_string_equal(offer(&l, 2, LP_BIOS_PXE)->file, "pxelinux.0");
	o = offer(&l, 0, LP_BIOS_PXE);
	assert_true(o->answered);
	assert_string_equal(o->file, "undionly.kpxe");
	unload(&l);
}

static void test_dnsmasq_conf_file_relative_to_the_including_file(void **state)
{
	struct loaded l;
	const struct lint_offer *o;

	(void)state;
	load(&l, "include.conf");
	assert_int_equal(lint_nfindings(l.c), 0);
	o = offer(&l, 0, LP_IPXE_BIOS);
	assert_string_equal(o->file, "http://192.0.2.1/boot.ipxe");
	assert_true(ends_with(o->file_loc.file, "inc/boot.conf"));
	assert_int_equal(o->file_loc.line, 4);
	unload(&l);
}

static void test_dnsmasq_missing_conf_file_is_an_include_error_at_its_line(void **state)
{
	struct loaded l;
	const struct lint_finding *f;

	(void)state;
	load(&l, "include-missing.conf");
	assert_int_equal(count(&l, LINT_R_INCLUDE, NBC_SEV_ERROR), 1);
	f = first(&l, LINT_R_INCLUDE, NBC_SEV_ERROR);
	assert_int_equal(f->loc.line, 4);
	assert_int_equal(f->loc.col, 11);
	assert_non_null(strstr(f->message, "inc/missing.conf"));
	/* the rest still evaluates */
	assert_string_equal(offer(&l, 0, LP_BIOS_PXE)->file, "undionly.kpxe");
	unload(&l);
}

static void test_dnsmasq_include_cycle_warns_and_reads_each_file_once(void **state)
{
	struct loaded l;
	const struct lint_finding *f;

	(void)state;
	load(&l, "cycle-a.conf");
	/* dnsmasq accepts it (a second read would make port= a repeated keyword) */
	assert_int_equal(errors(&l), 0);
	assert_int_equal(count(&l, LINT_R_INCLUDE, NBC_SEV_WARNING), 1);
	f = first(&l, LINT_R_INCLUDE, NBC_SEV_WARNING);
	assert_true(ends_with(f->loc.file, "cycle-b.conf"));
	assert_int_equal(f->loc.line, 3);
	assert_string_equal(offer(&l, 0, LP_BIOS_PXE)->file, "undionly.kpxe");
	unload(&l);
}

static void test_dnsmasq_unknown_option_is_a_syntax_error_at_its_line(void **state)
{
	struct loaded l;
	const struct lint_finding *f;

	(void)state;
	load(&l, "unknown-option.conf");
	assert_int_equal(errors(&l), 1);
	f = first(&l, LINT_R_SYNTAX, NBC_SEV_ERROR);
	assert_int_equal(f->loc.line, 4);
	assert_int_equal(f->loc.col, 3);
	assert_non_null(strstr(f->message, "\"dhcp-bot\""));
	assert_non_null(strstr(f->message, "bad option at line 4"));
	assert_non_null(f->hint);
	unload(&l);
}

static void test_dnsmasq_nul_byte_cuts_the_rest_of_the_line(void **state)
{
	struct loaded l;
	const struct lint_finding *f;
	const struct lint_offer *o;

	(void)state;
	load(&l, "nul.conf");
	assert_int_equal(errors(&l), 0);
	f = first(&l, LINT_R_SYNTAX, NBC_SEV_WARNING);
	assert_non_null(f);
	assert_int_equal(f->loc.line, 4);
	o = offer(&l, 0, LP_BIOS_PXE);
	assert_string_equal(o->file, "undionly.kpxe");
	/* ",,192.0.2.1" came after the NUL: lost */
	assert_false(o->has_next_server);
	assert_true(o->next_server_is_self);
	unload(&l);
}

static void test_dnsmasq_long_line_is_read_in_1024_byte_pieces(void **state)
{
	struct loaded l;
	const struct lint_finding *f;

	(void)state;
	load(&l, "longline.conf");
	assert_int_equal(errors(&l), 1);
	f = first(&l, LINT_R_SYNTAX, NBC_SEV_ERROR);
	assert_int_equal(f->loc.line, 3);
	assert_int_equal(f->loc.col, 1025);
	/* dnsmasq counts the second piece as a line of its own */
	assert_non_null(strstr(f->message, "bad option at line 4"));
	assert_int_equal(count(&l, LINT_R_SYNTAX, NBC_SEV_WARNING), 1);
	assert_true(offer(&l, 0, LP_BIOS_PXE)->answered);	/* the range after it is read */
	unload(&l);
}

static void test_dnsmasq_empty_file_has_one_scope_that_never_answers(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, "empty.conf");
	assert_int_equal(lint_nfindings(l.c), 0);
	assert_int_equal(l.s.nscopes(l.s.priv), 1);
	assert_int_equal(l.s.scope_loc(l.s.priv, 0).line, 0);
	assert_false(offer(&l, 0, LP_EFI64_PXE)->answered);
	assert_null(l.s.tftp_root(l.s.priv, NULL));
	unload(&l);
}

static void test_dnsmasq_comments_and_quotes_as_dnsmasq_reads_them(void **state)
{
	struct loaded l;
	const struct lint_offer *o;
	static const char rp[] = "iscsi:192.0.2.1::::iqn.2026-11.test:a,b";

	(void)state;
	load(&l, "quoting.conf");
	assert_int_equal(lint_nfindings(l.c), 0);
	o = offer(&l, 0, LP_BIOS_PXE);
	assert_true(o->answered);
	assert_string_equal(o->file, "boot#1.0");	/* '#' not after a blank */
	assert_int_equal(o->next_server, IP(192, 0, 2, 1));
	assert_int_equal(o->opt[17].len, strlen(rp));	/* the quoted comma stays */
	assert_memory_equal(o->opt[17].value, rp, strlen(rp));
	assert_memory_equal(o->opt[209].value, "pxelinux.cfg/default", 20);
	unload(&l);
}

static void test_dnsmasq_bad_range_address_is_refused(void **state)
{
	struct loaded l;
	const struct lint_finding *f;

	(void)state;
	load(&l, "bad-range.conf");
	assert_int_equal(errors(&l), 1);
	f = first(&l, LINT_R_SYNTAX, NBC_SEV_ERROR);
	assert_int_equal(f->loc.line, 3);
	assert_int_equal(f->loc.col, 12);
	assert_non_null(strstr(f->message, "bad dhcp-range at line 3"));
	assert_false(offer(&l, 0, LP_BIOS_PXE)->answered);
	unload(&l);
}

static void test_dnsmasq_tag_if_vendor_class_and_dhcp_ignore(void **state)
{
	struct loaded l;
	const struct lint_offer *o;
	const struct lint_finding *f;

	(void)state;
	load(&l, "tags.conf");
	o = offer(&l, 0, LP_EFI64_PXE);
	assert_false(o->answered);
	assert_int_equal(o->answer_loc.line, 8);
	assert_string_equal(offer(&l, 0, LP_BIOS_PXE)->file, "undionly.kpxe");
	assert_string_equal(offer(&l, 0, LP_EFI64_PXE9)->file, "undionly.kpxe");
	assert_string_equal(offer(&l, 0, LP_IPXE_EFI64)->file, "http://192.0.2.1/boot.ipxe");
	/* tag:IPXE is set nowhere: tags are case-sensitive */
	f = first(&l, LINT_R_UNSUPPORTED, NBC_SEV_WARNING);
	assert_non_null(f);
	assert_int_equal(f->loc.line, 11);
	assert_non_null(strstr(f->message, "\"IPXE\""));
	unload(&l);
}

static void test_dnsmasq_encap_175_builds_ipxe_suboptions(void **state)
{
	struct loaded l;
	const struct lint_offer *o;
	static const uint8_t keep_san[] = { 8, 1, 1, 255 };

	(void)state;
	load(&l, "encap175.conf");
	o = offer(&l, 0, LP_IPXE_BIOS);
	assert_string_equal(o->file, "http://192.0.2.1/san.ipxe");
	assert_true(o->opt[175].defined && o->opt[175].sent);
	assert_int_equal(o->opt[175].len, sizeof(keep_san));
	assert_memory_equal(o->opt[175].value, keep_san, sizeof(keep_san));
	assert_false(offer(&l, 0, LP_BIOS_PXE)->opt[175].defined);
	unload(&l);
}

static void test_dnsmasq_dhcp_match_with_two_tags_is_refused(void **state)
{
	struct loaded l;
	const struct lint_finding *f;

	(void)state;
	load(&l, "bad-match.conf");
	assert_int_equal(errors(&l), 1);
	f = first(&l, LINT_R_SYNTAX, NBC_SEV_ERROR);
	assert_int_equal(f->loc.line, 4);
	assert_non_null(strstr(f->message, "illegal dhcp-match at line 4"));
	unload(&l);
}

static void test_dnsmasq_tagged_boot_beats_untagged_and_last_line_wins(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, "boot-order.conf");
	assert_int_equal(errors(&l), 0);
	assert_string_equal(offer(&l, 0, LP_EFI64_PXE)->file, "second.efi");
	assert_string_equal(offer(&l, 0, LP_EFI64_PXE9)->file, "second.efi");
	assert_string_equal(offer(&l, 0, LP_BIOS_PXE)->file, "last-untagged.0");
	assert_int_equal(offer(&l, 0, LP_BIOS_PXE)->file_loc.line, 10);
	unload(&l);
}

static void test_dnsmasq_repeated_once_only_option_is_refused(void **state)
{
	struct loaded l;
	const struct lint_finding *f;

	(void)state;
	load(&l, "repeated.conf");
	f = first(&l, LINT_R_SYNTAX, NBC_SEV_ERROR);
	assert_non_null(f);
	assert_int_equal(f->loc.line, 4);
	assert_non_null(strstr(f->message, "illegal repeated keyword at line 4"));
	unload(&l);
	/* dhcp-lease and dhcp-leasefile are one option */
	load(&l, "alias-repeat.conf");
	assert_int_equal(errors(&l), 1);
	assert_int_equal(first(&l, LINT_R_SYNTAX, NBC_SEV_ERROR)->loc.line, 4);
	unload(&l);
}

static void test_dnsmasq_conf_dir_reads_matching_files_in_name_order(void **state)
{
	struct loaded l;
	const struct lint_offer *o;

	(void)state;
	load(&l, "confdir.conf");
	assert_int_equal(lint_nfindings(l.c), 0);	/* the .bak file is not read */
	o = offer(&l, 0, LP_BIOS_PXE);
	assert_string_equal(o->file, "second.0");
	assert_true(ends_with(o->file_loc.file, "confdir.d/20-second.conf"));
	unload(&l);
}

static void test_dnsmasq_clear_mistakes_are_warnings_only(void **state)
{
	struct loaded l;
	const struct lint_offer *o;

	(void)state;
	load(&l, "hostile-values.conf");
	assert_int_equal(errors(&l), 0);
	assert_int_equal(count(&l, LINT_R_SYNTAX, NBC_SEV_WARNING), 5);
	o = offer(&l, 0, LP_BIOS_PXE);
	/* set: is no tag prefix in dhcp-boot: it became the file name */
	assert_string_equal(o->file, "set:vm");
	assert_int_equal(o->file_loc.line, 5);
	assert_int_equal(l.s.nscopes(l.s.priv), 1);	/* the dashed MAC is a host name */
	unload(&l);
}

static void test_dnsmasq_no_override_and_option_name_edges(void **state)
{
	struct loaded l;
	const struct lint_offer *o;

	(void)state;
	load(&l, "names.conf");
	assert_int_equal(lint_nfindings(l.c), 0);
	o = offer(&l, 0, LP_BIOS_PXE);
	/* dhcp-no-override: file and server name in the BOOTP fields, not 66/67 */
	assert_string_equal(o->file, "pxelinux.0");
	assert_false(o->opt[67].defined);
	assert_false(o->opt[66].defined);
	assert_int_equal(o->next_server, IP(192, 0, 2, 9));
	unload(&l);
}

static void test_dnsmasq_unknown_dhcp_option_name_and_open_quote_are_refused(void **state)
{
	struct loaded l;
	const struct lint_finding *f;

	(void)state;
	load(&l, "bad-option-name.conf");
	f = first(&l, LINT_R_SYNTAX, NBC_SEV_ERROR);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "pxe-config-file"));
	assert_non_null(strstr(f->message, "bad dhcp-option at line 4"));
	unload(&l);
	load(&l, "unclosed-quote.conf");
	f = first(&l, LINT_R_SYNTAX, NBC_SEV_ERROR);
	assert_non_null(f);
	assert_int_equal(f->loc.line, 3);
	assert_non_null(strstr(f->message, "missing \" at line 3"));
	unload(&l);
}

static void test_dnsmasq_unreadable_main_file_fails_with_the_reason(void **state)
{
	struct lint_ctx *c = lint_ctx_new();
	struct lint_server s;
	char why[128] = "";

	(void)state;
	memset(&s, 0x5a, sizeof(s));
	assert_int_equal(lint_dnsmasq_load(c, CORPUS "no-such.conf", &s, why, sizeof(why)), -1);
	assert_string_equal(why, "No such file or directory");
	assert_int_equal(((const unsigned char *)&s)[0], 0x5a);	/* untouched */
	assert_int_equal(lint_dnsmasq_load(c, CORPUS "inc", &s, why, sizeof(why)), -1);
	assert_string_equal(why, "is a directory");
	lint_ctx_free(c);
}

/* Every corpus file says in its header what `dnsmasq --test` (run in tests/lint/dnsmasq) says
 * of it; lint must agree: errors exactly when dnsmasq refuses. empty.conf, which has no room
 * for a header, is accepted by dnsmasq and has no finding (test above). */
static void test_dnsmasq_every_corpus_file_agrees_with_dnsmasq_test(void **state)
{
	static const char *const files[] = {
		"alias-repeat.conf", "arch7.conf", "bad-match.conf", "bad-option-name.conf",
		"bad-range.conf", "boot-order.conf", "confdir.conf", "cycle-a.conf", "cycle-b.conf",
		"encap175.conf", "host-ignore.conf", "hostile-values.conf", "include.conf",
		"include-missing.conf", "longline.conf", "loop.conf", "names.conf", "nul.conf",
		"opt209.conf", "opt209-force.conf", "proxy.conf", "proxy-no-service.conf",
		"pxe-service.conf", "quoting.conf", "repeated.conf", "sanboot.conf",
		"sanboot-real.conf", "tags.conf", "unclosed-quote.conf", "unknown-option.conf",
		"hostsfile.conf", "optsfile.conf", "bankdir.conf", "bank-missing.conf",
		"bank-bad.conf",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[256], line[512];
		const char *says = NULL;
		FILE *f;
		struct loaded l;

		snprintf(path, sizeof(path), CORPUS "%s", files[i]);
		f = fopen(path, "r");
		assert_non_null(f);
		while (says == NULL && fgets(line, sizeof(line), f) != NULL)
			says = strstr(line, "dnsmasq --test: ");
		fclose(f);
		if (says == NULL)
			fail_msg("%s: no \"dnsmasq --test: \" line in its header", files[i]);
		load(&l, files[i]);
		if (strstr(says, "syntax check OK") != NULL) {
			if (errors(&l) != 0)
				fail_msg("%s: dnsmasq accepts it, lint has %zu errors", files[i], errors(&l));
		} else if (errors(&l) == 0) {
			fail_msg("%s: dnsmasq refuses it, lint has no error", files[i]);
		}
		unload(&l);
	}
}

/* dhcp-hostsfile: each line is a dhcp-host value; the tag set there picks the dhcp-boot here,
 * and being read after the whole configuration, its line for a MAC beats this file's (checked
 * against dnsmasq 2.90 answering DISCOVERs: pxelinux.0, and no answer for the ignored one). */
static void test_dnsmasq_hostsfile_tag_picks_the_boot_file_of_the_main_file(void **state)
{
	struct loaded l;
	const struct lint_offer *o;
	const struct lint_finding *f;

	(void)state;
	load(&l, "hostsfile.conf");
	/* only the relative path: dnsmasq opens it after chdir("/") */
	assert_int_equal(lint_nfindings(l.c), 1);
	f = first(&l, LINT_R_INCLUDE, NBC_SEV_WARNING);
	assert_non_null(f);
	assert_int_equal(f->loc.line, 6);
	assert_int_equal(f->loc.col, 16);
	assert_non_null(strstr(f->message, "/bank/hosts"));
	/* the main scope, this file's dhcp-host, and the two of the hosts file */
	assert_int_equal(l.s.nscopes(l.s.priv), 4);
	assert_string_equal(l.s.scope_name(l.s.priv, 1), "dhcp-host 52:54:00:aa:bb:dd,set:other");
	assert_string_equal(l.s.scope_name(l.s.priv, 2),
			    "dhcp-host 52:54:00:aa:bb:dd,set:legacy,192.0.2.20");
	assert_true(ends_with(l.s.scope_loc(l.s.priv, 2).file, "bank/hosts"));
	assert_int_equal(l.s.scope_loc(l.s.priv, 2).line, 2);
	o = offer(&l, 2, LP_BIOS_PXE);
	assert_true(o->answered);
	assert_string_equal(o->file, "pxelinux.0");
	assert_true(ends_with(o->file_loc.file, "hostsfile.conf"));
	assert_int_equal(o->file_loc.line, 7);
	assert_string_equal(offer(&l, 1, LP_BIOS_PXE)->file, "pxelinux.0");
	o = offer(&l, 3, LP_BIOS_PXE);
	assert_false(o->answered);
	assert_true(ends_with(o->answer_loc.file, "bank/hosts"));
	assert_int_equal(o->answer_loc.line, 4);
	assert_string_equal(offer(&l, 0, LP_BIOS_PXE)->file, "undionly.kpxe");
	unload(&l);
}

/* dhcp-optsfile: each line is a dhcp-option value (never -force): the boot file by option 67
 * per tag, and 209/210 defined there but not sent to a PXE ROM; its 210, read later, beats
 * this file's (dnsmasq 2.90 answered /lab/ to a client asking for 210). */
static void test_dnsmasq_optsfile_gives_option_67_and_209_210(void **state)
{
	struct loaded l;
	const struct lint_offer *o;

	(void)state;
	load(&l, "optsfile.conf");
	assert_int_equal(lint_nfindings(l.c), 1);
	assert_non_null(first(&l, LINT_R_INCLUDE, NBC_SEV_WARNING));
	assert_int_equal(first(&l, LINT_R_INCLUDE, NBC_SEV_WARNING)->loc.line, 7);
	o = offer(&l, 0, LP_BIOS_PXE);
	assert_true(o->answered);
	assert_string_equal(o->file, "pxelinux.0");
	assert_true(ends_with(o->file_loc.file, "bank/opts"));
	assert_int_equal(o->file_loc.line, 2);
	assert_true(o->opt[209].defined);
	assert_false(o->opt[209].sent);
	assert_int_equal(o->opt[209].len, strlen("pxelinux.cfg/lab"));
	assert_memory_equal(o->opt[209].value, "pxelinux.cfg/lab", o->opt[209].len);
	assert_true(ends_with(o->opt[209].loc.file, "bank/opts"));
	assert_int_equal(o->opt[209].loc.line, 4);
	assert_true(o->opt[210].defined && !o->opt[210].sent);
	assert_int_equal(o->opt[210].len, 5);
	assert_memory_equal(o->opt[210].value, "/lab/", 5);
	assert_int_equal(o->opt[210].loc.line, 5);
	o = offer(&l, 0, LP_EFI64_PXE);
	assert_string_equal(o->file, "ipxe.efi");
	assert_int_equal(o->file_loc.line, 3);
	unload(&l);
}

/* A directory named by dhcp-hostsfile, and dhcp-hostsdir/dhcp-optsdir: every file in name
 * order but dot files and "~" backups (dnsmasq 2.90 read 10-one, 20-two, pxelinux, lab and
 * gave 52:54:00:00:00:01 two.0, 52:54:00:00:00:03 the default). */
static void test_dnsmasq_hosts_and_opts_directories_read_in_name_order(void **state)
{
	struct loaded l;
	const struct lint_offer *o;
	const struct lint_finding *f;

	(void)state;
	load(&l, "bankdir.conf");
	assert_int_equal(errors(&l), 0);
	assert_int_equal(count(&l, LINT_R_INCLUDE, NBC_SEV_WARNING), 3);	/* relative paths */
	/* .hidden and 30-three~ are not read: nothing sets "three" */
	assert_int_equal(count(&l, LINT_R_UNSUPPORTED, NBC_SEV_WARNING), 1);
	f = first(&l, LINT_R_UNSUPPORTED, NBC_SEV_WARNING);
	assert_int_equal(f->loc.line, 11);
	assert_non_null(strstr(f->message, "\"three\""));
	/* 10-one's line, 20-two's two lines, hostsdir/lab */
	assert_int_equal(l.s.nscopes(l.s.priv), 5);
	assert_string_equal(l.s.scope_name(l.s.priv, 1), "dhcp-host 52:54:00:00:00:01,set:one");
	assert_true(ends_with(l.s.scope_loc(l.s.priv, 1).file, "bank/hosts.d/10-one"));
	assert_true(ends_with(l.s.scope_loc(l.s.priv, 2).file, "bank/hosts.d/20-two"));
	assert_int_equal(l.s.scope_loc(l.s.priv, 2).line, 2);
	/* 20-two is read after 10-one: its line for the same MAC is found first */
	assert_string_equal(offer(&l, 1, LP_BIOS_PXE)->file, "two.0");
	assert_string_equal(l.s.scope_name(l.s.priv, 4), "dhcp-host 52:54:00:00:00:04,set:lab");
	assert_true(ends_with(l.s.scope_loc(l.s.priv, 4).file, "bank/hostsdir/lab"));
	o = offer(&l, 4, LP_BIOS_PXE);
	assert_string_equal(o->file, "lab.0");
	assert_true(o->opt[209].defined);
	assert_true(ends_with(o->opt[209].loc.file, "bank/opts.d/pxelinux"));
	assert_false(offer(&l, 0, LP_BIOS_PXE)->opt[209].defined);
	unload(&l);
}

/* Missing hosts and options files: dnsmasq starts and logs "cannot read" / "bad dynamic
 * directory", so each is an NBC-CONFIG-INCLUDE warning at the line naming it, no error. */
static void test_dnsmasq_missing_hosts_and_opts_files_are_include_warnings(void **state)
{
	struct loaded l;
	const struct lint_finding *f;

	(void)state;
	load(&l, "bank-missing.conf");
	assert_int_equal(errors(&l), 0);
	assert_int_equal(count(&l, LINT_R_INCLUDE, NBC_SEV_WARNING), 4);
	f = with(&l, LINT_R_INCLUDE, NBC_SEV_WARNING, "cannot read bank/no-such-hosts");
	assert_non_null(f);
	assert_int_equal(f->loc.line, 5);
	assert_int_equal(f->loc.col, 16);
	assert_non_null(with(&l, LINT_R_INCLUDE, NBC_SEV_WARNING, "relative path"));
	f = with(&l, LINT_R_INCLUDE, NBC_SEV_WARNING, "/nonexistent/netboot-check/opts");
	assert_non_null(f);
	assert_int_equal(f->loc.line, 6);
	f = with(&l, LINT_R_INCLUDE, NBC_SEV_WARNING, "bad dynamic directory");
	assert_non_null(f);
	assert_int_equal(f->loc.line, 7);
	assert_string_equal(offer(&l, 0, LP_BIOS_PXE)->file, "undionly.kpxe");
	unload(&l);
}

/* A bad line of a hosts file is reported at its own file:line:col; dnsmasq logs it ("bad
 * DHCP host name at line 3 of bank/bad-hosts") and goes on, so a warning, and the good line
 * still counts. */
static void test_dnsmasq_bad_hostsfile_line_is_reported_at_its_own_line(void **state)
{
	struct loaded l;
	const struct lint_finding *f;

	(void)state;
	load(&l, "bank-bad.conf");
	assert_int_equal(errors(&l), 0);
	assert_int_equal(count(&l, LINT_R_SYNTAX, NBC_SEV_WARNING), 2);
	f = with(&l, LINT_R_SYNTAX, NBC_SEV_WARNING, "bad DHCP host name at line 3");
	assert_non_null(f);
	assert_true(ends_with(f->loc.file, "bank/bad-hosts"));
	assert_int_equal(f->loc.line, 3);
	assert_int_equal(f->loc.col, 1);
	f = with(&l, LINT_R_SYNTAX, NBC_SEV_WARNING, "\"dhcp-host=\"");
	assert_non_null(f);
	assert_true(ends_with(f->loc.file, "bank/bad-hosts"));
	assert_int_equal(f->loc.line, 4);
	assert_int_equal(f->loc.col, 3);
	assert_int_equal(l.s.nscopes(l.s.priv), 2);
	assert_string_equal(offer(&l, 1, LP_BIOS_PXE)->file, "pxelinux.0");
	unload(&l);
}

/* Random lines of option names, keywords and bytes: loading and evaluating never crashes,
 * and what comes back is well-formed. */
static void test_dnsmasq_hostile_random_configs_are_survived(void **state)
{
	static const char *const words[] = {
		"dhcp-range=", "dhcp-host=", "dhcp-match=", "dhcp-option=", "dhcp-option-force=",
		"dhcp-boot=", "pxe-service=", "pxe-prompt=", "tag-if=", "dhcp-ignore=",
		"dhcp-userclass=", "dhcp-vendorclass=", "dhcp-mac=", "tftp-root=", "enable-tftp",
		"conf-dir=", "tag:a,", "tag:!a,", "set:a,", "tag:a*,", "option:client-arch,", "7,",
		"175,", "encap:175,", "vendor:PXEClient,", "192.0.2.1,", "192.0.2.9,", "proxy,",
		"52:54:00:12:34:56,", "52:54:00:*:*:*,", "x86PC,", "\"m,e\",", "ignore,", "0,",
		"01:*:03,", "\"", "#", " ", "\\", "\t", "\r", ",", "=", "pxelinux",
	};
	char path[] = "/tmp/test_lint_dnsmasq_XXXXXX";
	uint32_t seed = 12345;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	for (int round = 0; round < 150; round++) {
		FILE *f = fopen(path, "w");
		int lines;

		assert_non_null(f);
		seed = seed * 1103515245u + 12345u;
		lines = (int)(seed >> 16) % 40;
		for (int i = 0; i < lines; i++) {
			int parts;

			seed = seed * 1103515245u + 12345u;
			parts = (int)(seed >> 16) % 9;
			for (int k = 0; k < parts; k++) {
				seed = seed * 1103515245u + 12345u;
				if ((seed >> 16) % 50 == 0)
					fputc((int)(seed >> 8) & 0xff, f);	/* any byte, NUL too */
				else
					fputs(words[(seed >> 16) % (sizeof(words) / sizeof(words[0]))], f);
			}
			fputc('\n', f);
		}
		fclose(f);

		struct lint_ctx *c = lint_ctx_new();
		struct lint_server s;
		char why[128];

		assert_int_equal(lint_dnsmasq_load(c, path, &s, why, sizeof(why)), 0);
		assert_true(s.nscopes(s.priv) >= 1);
		for (size_t sc = 0; sc < s.nscopes(s.priv); sc++) {
			assert_non_null(s.scope_name(s.priv, sc));
			for (int k = 0; k < LP__COUNT; k++) {
				static struct lint_offer o;

				memset(&o, 0, sizeof(o));
				s.eval(s.priv, sc, lint_profile_get((enum lint_profile_id)k), &o);
				assert_true(memchr(o.file, '\0', sizeof(o.file)) != NULL);
				assert_true(!o.has_file || o.file_loc.file != NULL);
				for (int code = 0; code < 256; code++)
					assert_true(o.opt[code].len <= LINT_VALUE_MAX);
			}
		}
		s.free(s.priv);
		lint_ctx_free(c);
	}
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dnsmasq_real_sanboot_config_alone_never_answers),
		cmocka_unit_test(test_dnsmasq_sanboot_bios_rom_gets_undionly_from_192_0_2_1),
		cmocka_unit_test(test_dnsmasq_sanboot_ipxe_gets_script_url_from_user_class),
		cmocka_unit_test(test_dnsmasq_tftp_root_only_with_enable_tftp),
		cmocka_unit_test(test_dnsmasq_loop_hands_ipxe_undionly_again),
		cmocka_unit_test(test_dnsmasq_client_arch_7_only_leaves_arch_9_on_the_default),
		cmocka_unit_test(test_dnsmasq_dhcp_option_209_is_not_sent_to_a_pxe_rom),
		cmocka_unit_test(test_dnsmasq_dhcp_option_force_209_is_sent),
		cmocka_unit_test(test_dnsmasq_pxe_service_gives_a_bios_rom_basename_dot_0),
		cmocka_unit_test(test_dnsmasq_one_uefi_service_leaves_uefi_on_dhcp_boot),
		cmocka_unit_test(test_dnsmasq_proxy_range_answers_from_the_menu),
		cmocka_unit_test(test_dnsmasq_proxy_range_without_pxe_service_answers_nobody),
		cmocka_unit_test(test_dnsmasq_dhcp_host_scopes_ignore_and_tag),
		cmocka_unit_test(test_dnsmasq_conf_file_relative_to_the_including_file),
		cmocka_unit_test(test_dnsmasq_missing_conf_file_is_an_include_error_at_its_line),
		cmocka_unit_test(test_dnsmasq_include_cycle_warns_and_reads_each_file_once),
		cmocka_unit_test(test_dnsmasq_unknown_option_is_a_syntax_error_at_its_line),
		cmocka_unit_test(test_dnsmasq_nul_byte_cuts_the_rest_of_the_line),
		cmocka_unit_test(test_dnsmasq_long_line_is_read_in_1024_byte_pieces),
		cmocka_unit_test(test_dnsmasq_empty_file_has_one_scope_that_never_answers),
		cmocka_unit_test(test_dnsmasq_comments_and_quotes_as_dnsmasq_reads_them),
		cmocka_unit_test(test_dnsmasq_bad_range_address_is_refused),
		cmocka_unit_test(test_dnsmasq_tag_if_vendor_class_and_dhcp_ignore),
		cmocka_unit_test(test_dnsmasq_encap_175_builds_ipxe_suboptions),
		cmocka_unit_test(test_dnsmasq_dhcp_match_with_two_tags_is_refused),
		cmocka_unit_test(test_dnsmasq_tagged_boot_beats_untagged_and_last_line_wins),
		cmocka_unit_test(test_dnsmasq_repeated_once_only_option_is_refused),
		cmocka_unit_test(test_dnsmasq_conf_dir_reads_matching_files_in_name_order),
		cmocka_unit_test(test_dnsmasq_clear_mistakes_are_warnings_only),
		cmocka_unit_test(test_dnsmasq_no_override_and_option_name_edges),
		cmocka_unit_test(test_dnsmasq_unknown_dhcp_option_name_and_open_quote_are_refused),
		cmocka_unit_test(test_dnsmasq_unreadable_main_file_fails_with_the_reason),
		cmocka_unit_test(test_dnsmasq_every_corpus_file_agrees_with_dnsmasq_test),
		cmocka_unit_test(test_dnsmasq_hostsfile_tag_picks_the_boot_file_of_the_main_file),
		cmocka_unit_test(test_dnsmasq_optsfile_gives_option_67_and_209_210),
		cmocka_unit_test(test_dnsmasq_hosts_and_opts_directories_read_in_name_order),
		cmocka_unit_test(test_dnsmasq_missing_hosts_and_opts_files_are_include_warnings),
		cmocka_unit_test(test_dnsmasq_bad_hostsfile_line_is_reported_at_its_own_line),
		cmocka_unit_test(test_dnsmasq_hostile_random_configs_are_survived),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
