/* report.h: report writers: text for people; JSON, JUnit and SARIF for machines. Model only. */
#ifndef NBC_REPORTS_REPORT_H
#define NBC_REPORTS_REPORT_H

#include <stdio.h>

#include "checker/model.h"

struct report_opts {
	bool color;
	int client;		/* report only this client index, -1 for all */
	bool show_times;	/* text: absolute capture times (off: relative seconds) */
};

/* Counts what report_sarif wrote, so that several inputs share one SARIF run. */
struct report_sarif_log {
	size_t results;
};

void report_text(FILE *out, const struct nbc_report *r, const struct report_opts *o);
void report_json(FILE *out, const struct nbc_report *r, const struct report_opts *o);
/* Writes s as a JSON string (quotes and escapes included). */
void report_json_string(FILE *out, const char *s);

/* JUnit XML (docs/report-schema.md): report_junit_begin, one report_junit per input (one
 * <testsuite> each), report_junit_end. A rule's testcase fails on a finding at fail_on or
 * worse (--fail-on; NBC_SEV_ERROR by default). fail_on is an argument rather than an option
 * so that callers' positional report_opts initialisers stay complete. */
void report_junit_begin(FILE *out);
void report_junit(FILE *out, const struct nbc_report *r, const struct report_opts *o,
		  enum nbc_sev fail_on);
void report_junit_end(FILE *out);
/* Writes s as XML character data or an attribute value (escaped; bytes outside ASCII as
 * character references, as report_json_string does; other control characters as \xNN). */
void report_xml_string(FILE *out, const char *s);

/* SARIF 2.1.0 (docs/report-schema.md): one log with one run; report_sarif appends the results
 * of one input. log counts them; zero it before report_sarif_begin. */
void report_sarif_begin(FILE *out);
void report_sarif(FILE *out, const struct nbc_report *r, const struct report_opts *o,
		  struct report_sarif_log *log);
void report_sarif_end(FILE *out, const struct report_sarif_log *log);
/* Writes a file name as a JSON string holding a URI reference (RFC 3986): unreserved bytes
 * and '/' as they are, the rest percent-encoded; absolute paths as file:// URIs. */
void report_uri_json(FILE *out, const char *path);
/* "error", "warning" or "note": SARIF's level for a severity. */
const char *report_sarif_level(enum nbc_sev s);

/* HTML for people (docs/report-schema.md): one self-contained page (inline CSS, SVG and JS,
 * nothing fetched): report_html_begin, one report_html per input (a section each),
 * report_html_end. */
void report_html_begin(FILE *out);
void report_html(FILE *out, const struct nbc_report *r, const struct report_opts *o);
void report_html_end(FILE *out);
/* Writes s as HTML text or attribute value, escaped as the page escapes everything. */
void report_html_string(FILE *out, const char *s);

#endif
