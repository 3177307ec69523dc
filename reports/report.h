/* report.h: report writers: text for people, JSON for machines. They read the model only. */
#ifndef NBC_REPORTS_REPORT_H
#define NBC_REPORTS_REPORT_H

#include <stdio.h>

#include "checker/model.h"

struct report_opts {
	bool color;
	int client;		/* report only this client index, -1 for all */
	bool show_times;	/* text: absolute capture times (off: relative seconds) */
};

void report_text(FILE *out, const struct nbc_report *r, const struct report_opts *o);
void report_json(FILE *out, const struct nbc_report *r, const struct report_opts *o);
/* Writes s as a JSON string (quotes and escapes included). */
void report_json_string(FILE *out, const char *s);

#endif
