/* test_ipxe.c: the firmware's iPXE script interpreter against a mock host that records its calls. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "firmware/ipxe.h"
#include "firmware/san.h"

/* The mock host: every call as one line in calls, every echo and log line too. */
struct mock {
	char calls[4096];
	char echoes[4096];
	char logs[8192];
	int chain_rc;
	int fetch_rc;
	int boot_rc;
	int sanboot_rc;
	unsigned nsanboot;
};

static void add(char *buf, size_t cap, const char *line)
{
	size_t n = strlen(buf);

	snprintf(buf + n, cap - n, "%s\n", line);
}

static int m_chain(void *ctx, const char *uri, const char *args, bool autofree)
{
	struct mock *m = ctx;
	char line[512];

	snprintf(line, sizeof(line), "chain %s [%s]%s", uri, args, autofree ? " autofree" : "");
	add(m->calls, sizeof(m->calls), line);
	return m->chain_rc;
}

static int m_fetch(void *ctx, const char *uri, const char *name)
{
	struct mock *m = ctx;
	char line[512];

	snprintf(line, sizeof(line), "fetch %s name=%s", uri, name ? name : "-");
	add(m->calls, sizeof(m->calls), line);
	return m->fetch_rc;
}

static int m_boot(void *ctx)
{
	struct mock *m = ctx;

	add(m->calls, sizeof(m->calls), "boot");
	return m->boot_rc;
}

static int m_sanboot(void *ctx, const char *uri, bool keep, bool hook_only)
{
	struct mock *m = ctx;
	char line[512];

	snprintf(line, sizeof(line), "sanboot %s keep=%d hook=%d", uri ? uri : "(root-path)", keep, hook_only);
	add(m->calls, sizeof(m->calls), line);
	m->nsanboot++;
	return m->sanboot_rc;
}

static void m_echo(void *ctx, const char *text)
{
	struct mock *m = ctx;

	add(m->echoes, sizeof(m->echoes), text);
}

static void m_log(void *ctx, const char *line)
{
	struct mock *m = ctx;

	add(m->logs, sizeof(m->logs), line);
}

struct fixture {
	struct mock m;
	struct ipxe_host host;
	struct ipxe_env *env;
	char err[256];
};

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	f.host = (struct ipxe_host){ &f.m, m_chain, m_fetch, m_boot, m_sanboot, m_echo, m_log };
	f.env = ipxe_env_new();
	if (!f.env)
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ipxe_env_free(f->env);
	return 0;
}

static int run(struct fixture *f, const char *script)
{
	return ipxe_run_script(f->env, script, strlen(script), &f->host, f->err, sizeof(f->err));
}

static void test_ipxe_env_names_and_scopes(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ipxe_env_set(f->env, "net0/209:string", "pxelinux.cfg/boot"), 0);
	assert_string_equal(ipxe_env_get(f->env, "209"), "pxelinux.cfg/boot");
	assert_string_equal(ipxe_env_get(f->env, "209:string"), "pxelinux.cfg/boot");
	/* 17 is root-path and 175.8 keep-san in iPXE's option table */
	assert_int_equal(ipxe_env_set(f->env, "17", "iscsi:192.0.2.1::::iqn.2026-11.test:disk0"), 0);
	assert_string_equal(ipxe_env_get(f->env, "root-path"), "iscsi:192.0.2.1::::iqn.2026-11.test:disk0");
	assert_int_equal(ipxe_env_set(f->env, "175.8", "1"), 0);
	assert_string_equal(ipxe_env_get(f->env, "keep-san"), "1");
	/* keep-san is a uint8 setting: not a number is refused */
	assert_int_equal(ipxe_env_set(f->env, "keep-san", "yes"), -EINVAL);
	assert_string_equal(ipxe_env_get(f->env, "keep-san"), "1");
	/* an empty value deletes */
	assert_int_equal(ipxe_env_set(f->env, "keep-san", ""), 0);
	assert_null(ipxe_env_get(f->env, "keep-san"));
	assert_string_equal(ipxe_env_get(f->env, "platform"), "pcbios");
	assert_string_equal(ipxe_env_get(f->env, "buildarch"), "i386");
	assert_int_equal(ipxe_env_set(f->env, "net0/", "x"), -EINVAL);
}

static void test_ipxe_expand(void **state)
{
	struct fixture *f = *state;
	char out[256];

	ipxe_env_set(f->env, "210:string", "http://192.0.2.1/");
	ipxe_env_set(f->env, "mac", "52:54:00:12:34:60");
	ipxe_env_set(f->env, "asset", "a b&c");
	ipxe_env_set(f->env, "which", "210");
	ipxe_env_expand(f->env, "${210:string}lpxelinux.0", out, sizeof(out));
	assert_string_equal(out, "http://192.0.2.1/lpxelinux.0");
	ipxe_env_expand(f->env, "[${nothing}]", out, sizeof(out));
	assert_string_equal(out, "[]");
	ipxe_env_expand(f->env, "${net0/mac:hexraw} ${mac:hexhyp} ${mac}", out, sizeof(out));
	assert_string_equal(out, "525400123460 52-54-00-12-34-60 52:54:00:12:34:60");
	ipxe_env_expand(f->env, "?a=${asset:uristring}", out, sizeof(out));
	assert_string_equal(out, "?a=a%20b%26c");
	/* innermost first, as iPXE's expand_settings */
	ipxe_env_expand(f->env, "${${which}:string}", out, sizeof(out));
	assert_string_equal(out, "http://192.0.2.1/");
	/* a self-referencing value is bounded, and output is cut to cap */
	ipxe_env_set(f->env, "loop", "${loop}x");
	ipxe_env_expand(f->env, "${loop}", out, 8);
	assert_true(strlen(out) < 8);
	ipxe_env_expand(f->env, "no vars ${unterminated", out, sizeof(out));
	assert_string_equal(out, "no vars ${unterminated");
}

static void test_ipxe_seed_script_chains_lpxelinux(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "#!ipxe\r\n"
				"set 209:string pxelinux.cfg/boot\r\n"
				"set 210:string http://192.0.2.1/\r\n"
				"chain ${210:string}lpxelinux.0\r\n"),
			 0);
	assert_string_equal(f->m.calls, "chain http://192.0.2.1/lpxelinux.0 []\n");
	assert_string_equal(ipxe_env_get(f->env, "209"), "pxelinux.cfg/boot");
	assert_string_equal(f->err, "");
	assert_non_null(strstr(f->m.logs, "line 4: chain http://192.0.2.1/lpxelinux.0\n"));
}

static void test_ipxe_isset_iseq_with_or_and(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "#!ipxe\n"
				"set a 1\n"
				"isset ${a} && echo yes-a\n"
				"isset ${b} || echo no-b\n"
				"iseq ${a} 1 && echo eq || echo ne\n"
				"iseq ${a} 2 && echo eq2 || echo ne2\n"
				"iseq 1 2 || iseq 1 3 || echo third\n"
				"set b two words\n"
				"iseq ${b} two || echo one-arg-per-token\n"
				"clear a\n"
				"isset ${a} || echo cleared\n"),
			 0);
	assert_string_equal(f->m.echoes, "yes-a\nno-b\neq\nne2\nthird\none-arg-per-token\ncleared\n");
}

static void test_ipxe_and_failing_aborts(void **state)
{
	struct fixture *f = *state;

	/* `isset ${x} && ...` with x unset leaves the line failed: iPXE stops the script */
	assert_true(run(f, "#!ipxe\nisset ${x} && echo set\necho after\n") < 0);
	assert_string_equal(f->m.echoes, "");
	assert_non_null(strstr(f->err, "line 2:"));
}

static void test_ipxe_goto_loop_counts(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "#!ipxe\nset i 0\n:loop\ninc i\niseq ${i} 5 || goto loop\necho done ${i}\n"), 0);
	assert_string_equal(f->m.echoes, "done 5\n");
}

static void test_ipxe_goto_endless_is_bounded(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "#!ipxe\n:top\necho spin\ngoto top\n"), -ELOOP);
	assert_non_null(strstr(f->err, "endless loop"));
	assert_true(strlen(f->m.echoes) <= 5 * (IPXE_RUN_MAX_STEPS / 2 + 1));
}

static void test_ipxe_goto_missing_label(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "#!ipxe\ngoto nowhere\necho after\n"), -ENOENT);
	assert_string_equal(f->err, "line 2: goto: no such label \"nowhere\"");
	assert_string_equal(f->m.echoes, "");
	/* goto skips the rest of its line; the label's line runs its own command */
	assert_int_equal(run(f, "#!ipxe\ngoto x ; echo skipped\necho not-here\n  :x echo on-label\necho end\n"), 0);
	assert_string_equal(f->m.echoes, "on-label\nend\n");
}

static void test_ipxe_sanboot_or_chain(void **state)
{
	struct fixture *f = *state;

	f->m.sanboot_rc = -EIO;
	assert_int_equal(run(f, "#!ipxe\nsanboot iscsi:192.0.2.1::::iqn.2026-11.test:disk0 || "
				"chain http://192.0.2.1/after.ipxe\n"),
			 0);
	assert_string_equal(f->m.calls, "sanboot iscsi:192.0.2.1::::iqn.2026-11.test:disk0 keep=0 hook=0\n"
					"chain http://192.0.2.1/after.ipxe []\n");
	/* a sanboot that fails outside || ends the script */
	f->m.calls[0] = '\0';
	assert_int_equal(run(f, "#!ipxe\nsanboot iscsi:192.0.2.1::::iqn.2026-11.test:blank\n"
				"chain http://192.0.2.1/never\n"),
			 -EIO);
	assert_string_equal(f->m.calls, "sanboot iscsi:192.0.2.1::::iqn.2026-11.test:blank keep=0 hook=0\n");
	assert_string_equal(f->err, "line 2: sanboot: Input/output error");
	f->m.sanboot_rc = -1;
	assert_int_equal(run(f, "#!ipxe\nsanboot iscsi:h::::t\n"), -1);
	assert_string_equal(f->err, "line 2: sanboot: failed");
}

static void test_ipxe_keep_san(void **state)
{
	struct fixture *f = *state;

	f->m.sanboot_rc = -EIO;
	assert_int_equal(run(f, "#!ipxe\nsanboot --keep iscsi:h::::t1 ||\nsanboot -k iscsi:h::::t2 ||\n"
				"sanboot iscsi:h::::t3 ||\nset keep-san 1\nsanboot --no-describe --drive 0x80 "
				"iscsi:h::::t4 ||\nsanhook iscsi:h::::t5 ||\nsanboot ||\n"),
			 0);
	assert_string_equal(f->m.calls, "sanboot iscsi:h::::t1 keep=1 hook=0\n"
					"sanboot iscsi:h::::t2 keep=1 hook=0\n"
					"sanboot iscsi:h::::t3 keep=0 hook=0\n"
					"sanboot iscsi:h::::t4 keep=1 hook=0\n"
					"sanboot iscsi:h::::t5 keep=1 hook=1\n"
					"sanboot (root-path) keep=1 hook=0\n");
	/* keep-san is a number in iPXE: `set keep-san yes` fails */
	assert_int_equal(run(f, "#!ipxe\nset keep-san yes\n"), -EINVAL);
}

static void test_ipxe_sanboot_multipath_first_that_works(void **state)
{
	struct fixture *f = *state;

	f->m.sanboot_rc = -EIO;
	assert_int_equal(run(f, "#!ipxe\nsanboot iscsi:a::::t iscsi:b::::t || echo both-failed\n"), 0);
	assert_int_equal(f->m.nsanboot, 2);
	assert_string_equal(f->m.echoes, "both-failed\n");
}

static void test_ipxe_unknown_command_aborts(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "#!ipxe\nfrobnicate now\necho after\n"), -ENOEXEC);
	assert_string_equal(f->err, "line 2: frobnicate: command not found");
	assert_string_equal(f->m.echoes, "");
	/* a trailing || makes the failure harmless (the empty command succeeds) */
	assert_int_equal(run(f, "#!ipxe\nfrobnicate ||\necho after\n"), 0);
	assert_string_equal(f->m.echoes, "after\n");
	/* options are checked too */
	assert_int_equal(run(f, "#!ipxe\nchain --bogus http://x/\n"), -EINVAL);
	assert_int_equal(run(f, "#!ipxe\nshell\n"), -ENOTSUP);
	assert_int_equal(run(f, "#!ipxe\nprompt --timeout 3000 Press a key\n"), -ETIMEDOUT);
}

static void test_ipxe_exit_status(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "#!ipxe\necho one\nexit 3\necho two\n"), 3);
	assert_string_equal(f->m.echoes, "one\n");
	assert_int_equal(run(f, "#!ipxe\nexit\necho no\n"), 0);
	assert_int_equal(run(f, "#!ipxe\niseq a b || exit 7\n"), 7);
	assert_int_equal(run(f, "#!ipxe\nexit nope\n"), -EINVAL);
	assert_int_equal(run(f, "#!ipxe\nreboot\necho no\n"), 0);
	assert_string_equal(f->err, "reboot");
	assert_string_equal(f->m.echoes, "one\n");
}

static void test_ipxe_menu_choose_default(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "#!ipxe\nmenu Boot what\nitem --gap -- Choices\nitem local Local disk\n"
				"item --default --key s san Boot from SAN\nchoose --timeout 5000 target && "
				"goto ${target}\n:local\necho local\nexit\n:san\necho san\n"),
			 0);
	assert_string_equal(ipxe_env_get(f->env, "target"), "san");
	assert_string_equal(f->m.echoes, "san\n");
	/* without a default, the first item; choose --default wins over item --default */
	assert_int_equal(run(f, "#!ipxe\nmenu\nitem a A\nitem b B\nchoose x\nmenu --name m\n"
				"item --menu m c C\nitem --menu m --default d D\nchoose --menu m --default c y\n"),
			 0);
	assert_string_equal(ipxe_env_get(f->env, "x"), "a");
	assert_string_equal(ipxe_env_get(f->env, "y"), "c");
	/* choose frees the menu unless --keep */
	assert_true(run(f, "#!ipxe\nmenu\nitem a A\nchoose x\nchoose x\n") < 0);
	assert_int_equal(run(f, "#!ipxe\nmenu\nitem a A\nchoose --keep x\nchoose x\n"), 0);
}

static void test_ipxe_image_commands(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "#!ipxe\nkernel http://h/vmlinuz console=ttyS0\ninitrd --name rd http://h/initrd\n"
				"boot\nchain --autofree --replace http://h/x.ipxe a b\nimgexec\n"),
			 0);
	assert_string_equal(f->m.calls, "fetch http://h/vmlinuz name=-\nfetch http://h/initrd name=rd\nboot\n"
					"chain http://h/x.ipxe [a b] autofree\nboot\n");
	/* a chained script's `exit 4` fails the chain, as in iPXE */
	f->m.chain_rc = 4;
	assert_int_equal(run(f, "#!ipxe\nchain http://h/sub.ipxe || echo sub-failed\nchain http://h/sub.ipxe\n"), 4);
	assert_string_equal(f->m.echoes, "sub-failed\n");
	assert_string_equal(f->err, "line 3: chain: exit status 4");
	f->m.chain_rc = -ENOENT;
	assert_int_equal(run(f, "#!ipxe\nchain http://h/missing\n"), -ENOENT);
	assert_string_equal(f->err, "line 2: chain: No such file or directory");
}

static void test_ipxe_lines_comments_continuations(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "#!ipxe\n# a comment\n\n  echo a \\\n b   c # trailing comment\r\necho x;echo y ; "
				"echo z\ndhcp && ifconf -c dhcp net0 && sleep 1 && echo net\n"),
			 0);
	assert_string_equal(f->m.echoes, "a b c\nx;echo y\nz\nnet\n");
	assert_non_null(strstr(f->m.logs, "line 4: echo a b c\n"));
	/* no magic line: not a script */
	assert_int_equal(run(f, "echo hi\n"), -ENOEXEC);
	assert_int_equal(run(f, "#!ipxeX\n"), -ENOEXEC);
	assert_int_equal(run(f, "#!gpxe\necho old\n"), 0);
}

static void test_ipxe_log_redacts_secrets(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "#!ipxe\nset username chapuser\nset password hunter2222\n"
				"set reverse-password other-secret\necho ${password}\n"
				"chain http://chapuser:${password}@192.0.2.1/x.ipxe\n"
				"chain http://u:plain@192.0.2.1/y\n"),
			 0);
	assert_null(strstr(f->m.logs, "hunter2222"));
	assert_null(strstr(f->m.logs, "other-secret"));
	assert_null(strstr(f->m.logs, "plain"));
	assert_non_null(strstr(f->m.logs, "line 3: set password ****\n"));
	assert_non_null(strstr(f->m.logs, "line 7: chain http://u:****@192.0.2.1/y\n"));
	assert_non_null(strstr(f->m.logs, "line 2: set username chapuser\n"));
	/* the host itself gets the real values */
	assert_non_null(strstr(f->m.calls, "chain http://chapuser:hunter2222@192.0.2.1/x.ipxe"));
}

static void test_ipxe_inc_and_show(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "#!ipxe\ninc n\ninc n 10\nshow n\nshow nothing || echo missing\n"), 0);
	assert_string_equal(ipxe_env_get(f->env, "n"), "11");
	assert_string_equal(f->m.echoes, "n = 11\nmissing\n");
}

static void test_ipxe_missing_callbacks_fail(void **state)
{
	struct fixture *f = *state;
	struct ipxe_host h = { NULL, NULL, NULL, NULL, NULL, NULL, NULL };
	const char *s = "#!ipxe\necho quiet\nsanboot iscsi:h::::t\n";

	(void)f;
	assert_int_equal(ipxe_run_script(f->env, s, strlen(s), &h, NULL, 0), -ENOTSUP);
}

static void test_san_initiator_name(void **state)
{
	char out[128];

	(void)state;
	assert_string_equal(san_initiator_name("pc1", "8e3b8c3a-5a1f-4d2e-9c41-0123456789ab", out, sizeof(out)),
			    "iqn.2010-04.org.ipxe:pc1");
	assert_string_equal(san_initiator_name(NULL, "8e3b8c3a-5a1f-4d2e-9c41-0123456789ab", out, sizeof(out)),
			    "iqn.2010-04.org.ipxe:8e3b8c3a-5a1f-4d2e-9c41-0123456789ab");
	assert_string_equal(san_initiator_name("", NULL, out, sizeof(out)), "");
}

static void test_san_bad_root_path(void **state)
{
	struct san_result r;
	struct san_handle *h = (struct san_handle *)&r;

	(void)state;
	assert_int_equal(san_boot("iscsi:192.0.2.1::::", NULL, NULL, NULL, false, false, &r, &h), -1);
	assert_null(h);
	assert_false(r.login_ok);
	assert_non_null(strstr(r.error, "bad root path"));
	assert_int_equal(san_boot("http://x/", NULL, NULL, NULL, false, false, &r, NULL), -1);
	san_close(NULL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_ipxe_env_names_and_scopes),
		T(test_ipxe_expand),
		T(test_ipxe_seed_script_chains_lpxelinux),
		T(test_ipxe_isset_iseq_with_or_and),
		T(test_ipxe_and_failing_aborts),
		T(test_ipxe_goto_loop_counts),
		T(test_ipxe_goto_endless_is_bounded),
		T(test_ipxe_goto_missing_label),
		T(test_ipxe_sanboot_or_chain),
		T(test_ipxe_keep_san),
		T(test_ipxe_sanboot_multipath_first_that_works),
		T(test_ipxe_unknown_command_aborts),
		T(test_ipxe_exit_status),
		T(test_ipxe_menu_choose_default),
		T(test_ipxe_image_commands),
		T(test_ipxe_lines_comments_continuations),
		T(test_ipxe_log_redacts_secrets),
		T(test_ipxe_inc_and_show),
		T(test_ipxe_missing_callbacks_fail),
		cmocka_unit_test(test_san_initiator_name),
		cmocka_unit_test(test_san_bad_root_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
