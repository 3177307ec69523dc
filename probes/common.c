/* common.c: the probe's clock, findings, JUnit testcases and text helpers. */
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "checker/rules.h"
#include "lint/lint_cmd.h"
#include "probes/probe_priv.h"
#include "proto/cursor.h"
#include "proto/net.h"

double probe_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double probe_left(const struct probe_run *r)
{
	double left = r->deadline - probe_now();

	return left > 0 ? left : 0;
}

const char *probe_ip(uint32_t ip, char buf[16])
{
	return net_ip_str(ip, buf, 16);
}

void probe_text(const uint8_t *p, size_t n, char *dst, size_t cap)
{
	size_t len = 0;

	if (cap == 0)
		return;
	/* A text option may end in NUL padding: the text stops there, as its readers do. */
	while (p && len < n && p[len] != 0)
		len++;
	view_to_printable((struct view){ p, len }, dst, cap);
}

void probe_raw(const uint8_t *p, size_t n, char *dst, size_t cap)
{
	size_t len = 0;

	if (cap == 0)
		return;
	while (p && len < n && len + 1 < cap && p[len] != 0)
		len++;
	if (len)
		memcpy(dst, p, len);
	dst[len] = '\0';
}

const char *probe_hint(const char *rule)
{
	const struct rule *x = rules_find(rule);

	if (x)
		return x->hint;
	return lint_rule_hint(rule);	/* NBC-PROBE-NO-ANSWER: lint/lint_rules.c */
}

struct probe_finding *probe_add(struct probe_run *r, int test, const char *rule, enum nbc_sev sev,
	       const char *profile, uint32_t server, const char *fmt, ...)
{
	struct probe_finding *f;
	va_list ap;

	if (r->nfindings >= PROBE_FINDINGS_MAX) {
		r->findings_dropped++;
		return NULL;
	}
	f = &r->findings[r->nfindings++];
	memset(f, 0, sizeof(*f));
	f->rule = rule;
	f->sev = sev;
	f->hint = probe_hint(rule);
	f->test = test;
	snprintf(f->profile, sizeof(f->profile), "%s", profile ? profile : "");
	if (server)
		probe_ip(server, f->server);
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
	return f;
}

int probe_test_add(struct probe_run *r, const char *classname, const char *fmt, ...)
{
	struct probe_test *t;
	va_list ap;

	if (r->ntests >= PROBE_TESTS_MAX)
		return -1;
	t = &r->tests[r->ntests];
	memset(t, 0, sizeof(*t));
	snprintf(t->classname, sizeof(t->classname), "%s", classname);
	va_start(ap, fmt);
	vsnprintf(t->name, sizeof(t->name), fmt, ap);
	va_end(ap);
	return (int)r->ntests++;
}

void probe_test_note(struct probe_run *r, int test, bool skipped, const char *fmt, ...)
{
	char line[sizeof(r->tests[0].detail)];
	va_list ap;

	if (test < 0 || (size_t)test >= r->ntests)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	memcpy(r->tests[test].detail, line, sizeof(line));
	r->tests[test].skipped |= skipped;
}
