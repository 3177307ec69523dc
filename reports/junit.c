/* junit.c: the JUnit XML report: per input a testsuite, a testcase per client and per rule. */
#include "reports/report.h"

#include <string.h>

#include "checker/rules.h"
#include "proto/net.h"

void report_xml_string(FILE *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&apos;", out);
			break;
		/* References, so that attribute values keep them (XML 1.0 section 3.3.3). */
		case '\n':
			fputs("&#10;", out);
			break;
		case '\t':
			fputs("&#9;", out);
			break;
		case '\r':
			fputs("&#13;", out);
			break;
		default:
			/* XML 1.0 has no way to write the other C0 controls, even as references. */
			if (*p < 0x20)
				fprintf(out, "\\x%02x", *p);
			else if (*p >= 0x7f)
				fprintf(out, "&#x%02x;", *p);
			else
				fputc(*p, out);
		}
	}
}

static bool shown(const struct report_opts *o, int client)
{
	return o->client < 0 || client == o->client;
}

static const char *client_name(const struct nbc_client *c, int ci, char *buf, size_t cap)
{
	char a[18];

	if (c->has_mac)
		snprintf(buf, cap, "client %s", net_mac_str(c->mac, a, sizeof(a)));
	else if (c->ip)
		snprintf(buf, cap, "client %s", net_ip_str(c->ip, a, sizeof(a)));
	else
		snprintf(buf, cap, "client #%d", ci + 1);
	return buf;
}

/* The input's name as a dotted class name: Jenkins splits classname at its dots, so the
 * file's own dots (and its directory) stay out of it. */
static void class_base(const char *input, char *buf, size_t cap)
{
	const char *base = strrchr(input, '/');
	const char *dot;
	size_t n, o = 0;

	base = base ? base + 1 : input;
	if (strcmp(base, "-") == 0 || !*base)
		base = "stdin";
	dot = strrchr(base, '.');
	n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	for (size_t i = 0; i < n && o + 1 < cap; i++)
		buf[o++] = base[i] == '.' ? '_' : base[i];
	buf[o] = '\0';
}

static const struct nbc_finding *first_finding(const struct nbc_report *r, int ci,
					       enum nbc_sev min)
{
	for (size_t k = 0, n = nbc_client_nfindings(r, ci); k < n; k++)
		if (nbc_client_finding(r, ci, k)->sev >= min)
			return nbc_client_finding(r, ci, k);
	return NULL;
}

static const char *stage_of(const struct nbc_report *r, const struct nbc_finding *f)
{
	if (f->client >= 0 && f->stage >= 0)
		return nbc_stage_name(r->clients[f->client].stages[f->stage].kind);
	return NULL;
}

/* One line per finding: "error NBC-X frame N (client, stage): message". */
static void finding_line(FILE *out, const struct nbc_report *r, const struct nbc_finding *f,
			 bool with_client)
{
	const char *stage = stage_of(r, f);

	fprintf(out, "%s %s frame %llu", nbc_sev_name(f->sev), f->rule,
		(unsigned long long)f->frame);
	if (with_client && f->client >= 0) {
		char name[48];

		fputs(" (", out);
		report_xml_string(out, client_name(&r->clients[f->client], f->client, name,
						   sizeof(name)));
		if (stage)
			fprintf(out, ", %s", stage);
		fputs(")", out);
	} else if (stage) {
		fprintf(out, " (%s)", stage);
	}
	fputs(": ", out);
	report_xml_string(out, f->message);
	fputs("\n", out);
}

static bool client_failed(const struct nbc_client *c)
{
	return c->verdict != NBC_VERDICT_BOOTED;
}

static void verdict_str(const struct nbc_client *c, char *buf, size_t cap)
{
	const char *stage = c->verdict_stage >= 0 ? nbc_stage_name(c->stages[c->verdict_stage].kind)
						  : NULL;

	if (!stage)
		snprintf(buf, cap, "%s", nbc_verdict_name(c->verdict));
	else if (c->verdict == NBC_VERDICT_FAILED)
		snprintf(buf, cap, "%s at %s", nbc_verdict_name(c->verdict), stage);
	else if (c->verdict == NBC_VERDICT_BOOTED)
		snprintf(buf, cap, "%s by %s", nbc_verdict_name(c->verdict), stage);
	else
		snprintf(buf, cap, "%s after %s", nbc_verdict_name(c->verdict), stage);
}

static void client_case(FILE *out, const struct nbc_report *r, int ci, const char *cls)
{
	const struct nbc_client *c = &r->clients[ci];
	const struct nbc_finding *first;
	char name[48], verdict[64];

	client_name(c, ci, name, sizeof(name));
	verdict_str(c, verdict, sizeof(verdict));
	fputs("    <testcase classname=\"", out);
	report_xml_string(out, cls);
	fputs(".clients\" name=\"", out);
	report_xml_string(out, name);
	fprintf(out, " boots\" time=\"%.6f\"", c->last_time - c->first_time);
	if (!client_failed(c)) {
		fputs("/>\n", out);
		return;
	}
	/* The first error says why; without one, the first finding of any severity. */
	first = first_finding(r, ci, NBC_SEV_ERROR);
	if (!first)
		first = first_finding(r, ci, NBC_SEV_INFO);
	fputs(">\n      <failure type=\"", out);
	report_xml_string(out, nbc_verdict_name(c->verdict));
	fputs("\" message=\"", out);
	report_xml_string(out, verdict);
	if (first) {
		fprintf(out, ": %s frame %llu: ", first->rule, (unsigned long long)first->frame);
		report_xml_string(out, first->message);
	}
	fputs("\">", out);
	report_xml_string(out, name);
	fputs(": ", out);
	report_xml_string(out, verdict);
	fputs("\n", out);
	for (size_t s = 0; s < c->nstages; s++) {
		const struct nbc_stage *st = &c->stages[s];

		fprintf(out, "#%llu %.3f %s %s: ", (unsigned long long)st->frame, st->time,
			nbc_stage_name(st->kind), nbc_result_name(st->result));
		report_xml_string(out, st->detail);
		fputs("\n", out);
	}
	for (size_t k = 0, n = nbc_client_nfindings(r, ci); k < n; k++)
		finding_line(out, r, nbc_client_finding(r, ci, k), false);
	fputs("</failure>\n    </testcase>\n", out);
}

/* The first finding that fails the rule's testcase (NULL: it passes); counts all its findings. */
static const struct nbc_finding *rule_failure(const struct nbc_report *r,
					      const struct report_opts *o, enum nbc_sev fail_on,
					      const char *id, size_t *nfound, enum nbc_sev *worst)
{
	const struct nbc_finding *first = NULL;

	*nfound = 0;
	*worst = NBC_SEV_INFO;
	for (size_t f = 0; f < r->nfindings; f++) {
		const struct nbc_finding *fd = &r->findings[f];

		if (!shown(o, fd->client) || strcmp(fd->rule, id) != 0)
			continue;
		(*nfound)++;
		if (fd->sev > *worst)
			*worst = fd->sev;
		if (fd->sev >= fail_on && !first)
			first = fd;
	}
	return first;
}

static void rule_case(FILE *out, const struct nbc_report *r, const struct report_opts *o,
		      enum nbc_sev fail_on, const struct rule *rule, const char *cls)
{
	size_t n;
	enum nbc_sev worst;
	const struct nbc_finding *first = rule_failure(r, o, fail_on, rule->id, &n, &worst);

	fputs("    <testcase classname=\"", out);
	report_xml_string(out, cls);
	fputs(".rules\" name=\"", out);
	report_xml_string(out, rule->id);
	fputs("\"", out);
	if (n == 0) {
		fputs("/>\n", out);
		return;
	}
	fputs(">\n", out);
	/* Findings milder than --fail-on are listed but do not fail the testcase. */
	if (first) {
		fprintf(out, "      <failure type=\"%s\" message=\"%zu finding%s: frame %llu: ",
			nbc_sev_name(worst), n, n == 1 ? "" : "s",
			(unsigned long long)first->frame);
		report_xml_string(out, first->message);
		fputs("\">", out);
	} else {
		fputs("      <system-out>", out);
	}
	report_xml_string(out, rule->summary);
	fputs("\n", out);
	for (size_t f = 0; f < r->nfindings; f++)
		if (shown(o, r->findings[f].client) && strcmp(r->findings[f].rule, rule->id) == 0)
			finding_line(out, r, &r->findings[f], true);
	fputs("fix: ", out);
	report_xml_string(out, rule->hint);
	fprintf(out, "\n</%s>\n    </testcase>\n", first ? "failure" : "system-out");
}

void report_junit_begin(FILE *out)
{
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"netboot-check\">\n",
	      out);
}

void report_junit_end(FILE *out)
{
	fputs("</testsuites>\n", out);
}

void report_junit(FILE *out, const struct nbc_report *r, const struct report_opts *o,
		  enum nbc_sev fail_on)
{
	size_t nrules, tests = 0, failures = 0;
	const struct rule *rules = rules_table(&nrules);
	char cls[128];

	class_base(r->ninputs ? r->inputs[0] : "-", cls, sizeof(cls));
	for (size_t i = 0; i < r->nclients; i++) {
		if (!shown(o, (int)i))
			continue;
		tests++;
		if (client_failed(&r->clients[i]))
			failures++;
	}
	for (size_t k = 0; k < nrules; k++) {
		size_t n;
		enum nbc_sev worst;

		tests++;
		if (rule_failure(r, o, fail_on, rules[k].id, &n, &worst))
			failures++;
	}
	fputs("  <testsuite name=\"", out);
	report_xml_string(out, r->ninputs ? r->inputs[0] : "-");
	fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" "
		"time=\"%.6f\">\n", tests, failures, r->duration);
	for (size_t i = 0; i < r->nclients; i++)
		if (shown(o, (int)i))
			client_case(out, r, (int)i, cls);
	for (size_t k = 0; k < nrules; k++)
		rule_case(out, r, o, fail_on, &rules[k], cls);
	fputs("  </testsuite>\n", out);
}
