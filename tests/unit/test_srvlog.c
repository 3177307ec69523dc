/* test_srvlog.c: netboot-serve's log rate limit: a token bucket per (proto, call site), the
 * summary of what it dropped (text and JSON), exempt lines; on an injected clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "server/log.h"

#define MAXLINES 4096

static double fake_t;
static FILE *cap;
static char *lines[MAXLINES];
static size_t nlines;

static double fake_now(void)
{
	return fake_t;
}

static int setup(void **state)
{
	(void)state;
	cap = tmpfile();
	if (!cap)
		return -1;
	fake_t = 1000.0;
	srv_log_set_output(cap);
	srv_log_set_clock(fake_now);
	srv_log_set_json(false);
	srv_log_set_rate(10, 5);
	nlines = 0;
	return 0;
}

static void free_lines(void)
{
	for (size_t i = 0; i < nlines; i++)
		free(lines[i]);
	nlines = 0;
}

static int teardown(void **state)
{
	(void)state;
	free_lines();
	srv_log_set_output(NULL);
	srv_log_set_clock(NULL);
	srv_log_set_json(false);
	srv_log_set_rate(SRV_LOG_RATE, SRV_LOG_BURST);
	fclose(cap);
	return 0;
}

/* Everything written so far, one line each (without the newline). */
static size_t read_lines(void)
{
	char buf[2048];

	free_lines();
	fflush(cap);
	rewind(cap);
	while (nlines < MAXLINES && fgets(buf, sizeof(buf), cap)) {
		size_t n = strlen(buf);

		assert_true(n > 0 && buf[n - 1] == '\n');
		buf[n - 1] = '\0';
		lines[nlines++] = strdup(buf);
	}
	fseek(cap, 0, SEEK_END);
	return nlines;
}

static size_t count_with(const char *needle)
{
	size_t n = 0;

	for (size_t i = 0; i < nlines; i++)
		n += strstr(lines[i], needle) != NULL;
	return n;
}

/* The sum of the counts in the summary lines ("N similar line(s) suppressed"). */
static unsigned long long suppressed_total(void)
{
	unsigned long long t = 0;

	for (size_t i = 0; i < nlines; i++) {
		const char *p = strstr(lines[i], " similar line");

		if (p) {
			const char *q = p;

			while (q > lines[i] && q[-1] >= '0' && q[-1] <= '9')
				q--;
			t += strtoull(q, NULL, 10);
		}
	}
	return t;
}

/* One call site each: a class each. */
static void discover(unsigned i)
{
	char mac[18];

	snprintf(mac, sizeof(mac), "02:00:00:00:%02x:%02x", (i >> 8) & 0xff, i & 0xff);
	srv_log("dhcp", mac, "DISCOVER xid=%08x -> no free address in the pool", i);
}

static void rrq(unsigned i)
{
	srv_log("tftp", "192.0.2.2:40000", "RRQ file%u -> ERROR 1 file not found", i);
}

static void discover_as_tftp(unsigned i)
{
	srv_log("tftp", "192.0.2.2:40000", "DISCOVER xid=%08x -> no free address in the pool", i);
}

static void test_srvlog_burst_passes_excess_dropped(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 5; i++)
		discover(i);
	assert_int_equal(read_lines(), 5);
	assert_string_equal(lines[0], "dhcp 02:00:00:00:00:00 DISCOVER xid=00000000 -> no free address in the pool");
	assert_string_equal(lines[4], "dhcp 02:00:00:00:00:04 DISCOVER xid=00000004 -> no free address in the pool");
	/* The same instant: the bucket is empty, every other MAC is the same class. */
	for (unsigned i = 5; i < 1000; i++)
		discover(i);
	assert_int_equal(read_lines(), 5);
	assert_int_equal(count_with("suppressed"), 0);
}

static void test_srvlog_summary_when_the_class_logs_again(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 20; i++)
		discover(i);	/* 5 pass, 15 dropped */
	fake_t += 1.5;		/* 15 tokens back, 5 kept (the burst) */
	discover(100);
	assert_int_equal(read_lines(), 7);
	assert_string_equal(lines[5], "dhcp - 15 similar lines suppressed in the last 1.5 s (--log-rate 10/5)");
	assert_string_equal(lines[6], "dhcp 02:00:00:00:00:64 DISCOVER xid=00000064 -> no free address in the pool");
	/* Nothing dropped since: no more summaries. */
	fake_t += 5;
	discover(101);
	assert_int_equal(read_lines(), 8);
	assert_int_equal(count_with("suppressed"), 1);
}

static void test_srvlog_refill_rate(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 5; i++)
		discover(i);
	/* 0.5 s at 10 a second: 5 more lines, not 6. */
	fake_t += 0.5;
	for (unsigned i = 5; i < 11; i++)
		discover(i);
	assert_int_equal(read_lines(), 10);
	/* 1/16 s: 0.625 of a token, nothing; 2/16 s: one. */
	fake_t += 0.0625;
	discover(20);
	fake_t += 0.0625;
	discover(21);
	assert_int_equal(read_lines(), 12);
	/* The two dropped (the 6th at 0.5 s, xid 20) summed up before the line that passes. */
	assert_string_equal(lines[10], "dhcp - 2 similar lines suppressed in the last 0.1 s (--log-rate 10/5)");
	assert_non_null(strstr(lines[11], "xid=00000015"));
	/* A long silence refills to the burst, not beyond. */
	fake_t += 3600;
	for (unsigned i = 30; i < 50; i++)
		discover(i);
	read_lines();
	assert_int_equal(count_with("DISCOVER"), 16);
}

static void test_srvlog_at_most_one_summary_a_second(void **state)
{
	unsigned sent = 0;

	(void)state;
	/* A flood: 1000 lines a second for 3 s, in steps of 1 ms. */
	for (unsigned ms = 0; ms < 3000; ms++) {
		fake_t = 1000.0 + ms / 1000.0;
		discover(sent++);
	}
	fake_t = 1003.0;
	srv_log_flush();
	read_lines();
	/* 5 + 10 a second for 3 s pass (the 5 + 30 lines), give or take the last token. */
	assert_in_range(count_with("DISCOVER"), 34, 35);
	/* The first when the class logs after its first drop, then one a second, the flush. */
	assert_in_range(count_with("suppressed"), 3, 5);
	/* Nothing lost: every line was written or counted. */
	assert_int_equal(count_with("DISCOVER") + suppressed_total(), sent);
}

static void test_srvlog_classes_are_independent(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 50; i++)
		discover(i);
	/* Another call site of the same proto: a full bucket of its own. */
	for (unsigned i = 0; i < 50; i++)
		rrq(i);
	/* The same format text at another call site under another proto: its own too. */
	for (unsigned i = 0; i < 50; i++)
		discover_as_tftp(i);
	read_lines();
	assert_int_equal(count_with("dhcp 02:"), 5);
	assert_int_equal(count_with("ERROR 1"), 5);
	assert_int_equal(count_with("tftp 192.0.2.2:40000 DISCOVER"), 5);
	/* A second later: the first line writes every class's summary, each with its own
	 * count (all three silent for a second), before the line itself. */
	fake_t += 1.0;
	discover(1000);
	rrq(1000);
	read_lines();
	assert_int_equal(nlines, 20);
	assert_int_equal(count_with("suppressed"), 3);
	assert_int_equal(count_with("dhcp - 45 similar lines suppressed in the last 1.0 s (--log-rate 10/5)"), 1);
	assert_int_equal(count_with("tftp - 45 similar lines suppressed in the last 1.0 s (--log-rate 10/5)"), 2);
	assert_non_null(strstr(lines[18], "xid=000003e8"));
	assert_non_null(strstr(lines[19], "RRQ file1000"));
	assert_int_equal(suppressed_total(), 135);
}

static void test_srvlog_quiet_class_summarized_by_another(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 8; i++)
		discover(i);	/* 3 dropped, then the class falls silent */
	fake_t += 0.5;
	rrq(1);			/* too early: no summary yet */
	assert_int_equal(read_lines(), 6);
	fake_t += 0.7;
	rrq(2);			/* 1.2 s after the drops: dhcp's summary, then the line */
	assert_int_equal(read_lines(), 8);
	assert_string_equal(lines[6], "dhcp - 3 similar lines suppressed in the last 1.2 s (--log-rate 10/5)");
	assert_non_null(strstr(lines[7], "RRQ file2"));
	fake_t += 0.1;
	rrq(3);
	assert_int_equal(read_lines(), 9);
	assert_int_equal(count_with("suppressed"), 1);
}

static void test_srvlog_one_line_summary_singular(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 6; i++)
		discover(i);
	srv_log_flush();
	read_lines();
	assert_string_equal(lines[5], "dhcp - 1 similar line suppressed in the last 0.0 s (--log-rate 10/5)");
}

static void test_srvlog_exempt_lines_always_pass(void **state)
{
	(void)state;
	/* "serve" lines are the process's own: never limited. */
	for (unsigned i = 0; i < 1000; i++)
		srv_log("serve", NULL, "listening: tftp=%u", i);
	assert_int_equal(read_lines(), 1000);
	assert_int_equal(count_with("suppressed"), 0);
	/* A flood pending a summary: the "serve" line writes it first, however recent. */
	for (unsigned i = 0; i < 30; i++)
		discover(i);
	fake_t += 0.2;
	srv_log("serve", NULL, "stopping");
	read_lines();
	assert_int_equal(nlines, 1007);
	assert_string_equal(lines[1005], "dhcp - 25 similar lines suppressed in the last 0.2 s (--log-rate 10/5)");
	assert_string_equal(lines[1006], "serve - stopping");
	/* A line with no peer (the server's own error) is a class of its own: a client
	 * flood in progress does not push it out. */
	for (unsigned i = 0; i < 100; i++)
		discover(i);
	srv_log("dhcp", NULL, "cannot write %s: %s", "leases.tmp", "No space left on device");
	read_lines();
	assert_int_equal(count_with("dhcp - cannot write leases.tmp: No space left on device"), 1);
}

static void test_srvlog_unlimited(void **state)
{
	(void)state;
	assert_int_equal(srv_log_rate_arg("0"), 0);
	for (unsigned i = 0; i < 3000; i++)
		discover(i);
	srv_log_flush();
	assert_int_equal(read_lines(), 3000);
	assert_int_equal(count_with("suppressed"), 0);
}

static void test_srvlog_defaults(void **state)
{
	(void)state;
	srv_log_set_rate(SRV_LOG_RATE, SRV_LOG_BURST);
	for (unsigned i = 0; i < 1000; i++)
		discover(i);
	assert_int_equal(read_lines(), 200);
	fake_t += 1.0;
	for (unsigned i = 0; i < 1000; i++)
		discover(i);
	read_lines();
	assert_int_equal(count_with("DISCOVER"), 220);
	assert_string_equal(lines[200], "dhcp - 800 similar lines suppressed in the last 1.0 s (--log-rate 20/200)");
}

static void test_srvlog_rate_arg(void **state)
{
	static const char *const bad[] = { "", "5", "5/", "/5", "0/5", "5/0", "-1/5", "5/-1", " 5/5",
					   "5/5x", "5.5/10", "1000001/5", "5/1000001", "x",
					   "20/200/3" };

	(void)state;
	assert_int_equal(srv_log_rate_arg("1/1"), 0);
	assert_int_equal(srv_log_rate_arg("1000000/1000000"), 0);
	assert_int_equal(srv_log_rate_arg("2/3"), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(srv_log_rate_arg(bad[i]), -1);
	}
	/* A bad argument changed nothing: still 2/3. */
	for (unsigned i = 0; i < 10; i++)
		discover(i);
	fake_t += 1.0;
	discover(10);
	read_lines();
	assert_int_equal(count_with("DISCOVER"), 4);
	assert_string_equal(lines[3], "dhcp - 7 similar lines suppressed in the last 1.0 s (--log-rate 2/3)");
}

/* A minimal JSON checker: an object of string keys and string, number, null, true or
 * false values (what the log writes), nothing after it. */
static const char *ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static const char *jstring(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (; *p && *p != '"'; p++) {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!p[i] || !strchr("0123456789abcdefABCDEF", p[i]))
						return NULL;
				p += 4;
			} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
	}
	return *p == '"' ? p + 1 : NULL;
}

static const char *jnumber(const char *p)
{
	const char *s = p;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return p > s ? p : NULL;
}

static bool json_object_ok(const char *p)
{
	p = ws(p);
	if (*p++ != '{')
		return false;
	p = ws(p);
	if (*p == '}')
		return !*ws(p + 1);
	for (;;) {
		p = jstring(ws(p));
		if (!p)
			return false;
		p = ws(p);
		if (*p++ != ':')
			return false;
		p = ws(p);
		if (*p == '"')
			p = jstring(p);
		else if (!strncmp(p, "null", 4))
			p += 4;
		else if (!strncmp(p, "true", 4))
			p += 4;
		else if (!strncmp(p, "false", 5))
			p += 5;
		else
			p = jnumber(p);
		if (!p)
			return false;
		p = ws(p);
		if (*p == '}')
			return !*ws(p + 1);
		if (*p++ != ',')
			return false;
	}
}

static void test_srvlog_json_checker_checks(void **state)
{
	(void)state;
	assert_true(json_object_ok("{\"a\":1,\"b\":\"x\\\"\\u001b\",\"c\":null,\"d\":-0.5}"));
	assert_false(json_object_ok("{\"a\":1,}"));
	assert_false(json_object_ok("{\"a\":1} x"));
	assert_false(json_object_ok("{\"a\":\"\x01\"}"));
	assert_false(json_object_ok("{\"a\":1.}"));
	assert_false(json_object_ok("{a:1}"));
}

static void test_srvlog_json_summary(void **state)
{
	(void)state;
	srv_log_set_json(true);
	for (unsigned i = 0; i < 20; i++)
		srv_log("tftp", "192.0.2.2:40000", "RRQ \"%s\\%u\"\t-> ERROR 1", "weird", i);
	fake_t += 2.5;
	srv_log("tftp", "192.0.2.2:40000", "RRQ \"%s\\%u\"\t-> ERROR 1", "weird", 99u);
	assert_int_equal(read_lines(), 7);
	for (size_t i = 0; i < nlines; i++) {
		assert_true(json_object_ok(lines[i]));
		assert_memory_equal(lines[i], "{\"time\":\"", 9);
	}
	assert_non_null(strstr(lines[0], ",\"proto\":\"tftp\",\"peer\":\"192.0.2.2:40000\","
				 "\"msg\":\"RRQ \\\"weird\\\\0\\\"\\u0009-> ERROR 1\"}"));
	assert_non_null(strstr(lines[5], ",\"proto\":\"tftp\",\"peer\":null,"
				 "\"msg\":\"15 similar lines suppressed in the last 2.5 s (--log-rate 10/5)\","
				 "\"suppressed\":15,\"seconds\":2.5}"));
	assert_non_null(strstr(lines[6], "weird\\\\99"));
	/* The summary written by a "serve" line, and that line, are JSON too. */
	for (unsigned i = 0; i < 20; i++)
		discover(i);
	srv_log("serve", NULL, "stopping");
	assert_int_equal(read_lines(), 14);
	assert_true(json_object_ok(lines[12]));
	assert_non_null(strstr(lines[12], "\"suppressed\":15,\"seconds\":0.0}"));
	assert_true(json_object_ok(lines[13]));
	assert_non_null(strstr(lines[13], "\"proto\":\"serve\",\"peer\":null,\"msg\":\"stopping\"}"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_srvlog_burst_passes_excess_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_srvlog_summary_when_the_class_logs_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_srvlog_refill_rate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_srvlog_at_most_one_summary_a_second, setup, teardown),
		cmocka_unit_test_setup_teardown(test_srvlog_classes_are_independent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_srvlog_quiet_class_summarized_by_another, setup, teardown),
		cmocka_unit_test_setup_teardown(test_srvlog_one_line_summary_singular, setup, teardown),
		cmocka_unit_test_setup_teardown(test_srvlog_exempt_lines_always_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_srvlog_unlimited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_srvlog_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_srvlog_rate_arg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_srvlog_json_checker_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_srvlog_json_summary, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
