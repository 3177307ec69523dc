/* sarif.c: the SARIF 2.1.0 report: the rule table as tool.driver.rules, each finding a result. */
#include "reports/report.h"

#include <string.h>

#include "checker/rules.h"
#include "proto/net.h"

/* The project has no public home yet: set this to its URL (absolute) to fill
 * tool.driver.informationUri; empty leaves the optional property out. */
#define SARIF_INFORMATION_URI ""

const char *report_sarif_level(enum nbc_sev s)
{
	return s == NBC_SEV_ERROR ? "error" : s == NBC_SEV_WARNING ? "warning" : "note";
}

void report_uri_json(FILE *out, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	char buf[4096];
	size_t o = 0, cap = sizeof(buf);

	if (path[0] == '/') {
		memcpy(buf, "file://", 7);
		o = 7;
	}
	for (const unsigned char *p = (const unsigned char *)path; *p && o + 4 < cap; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p)) {
			buf[o++] = (char)*p;
		} else {
			buf[o++] = '%';
			buf[o++] = hex[*p >> 4];
			buf[o++] = hex[*p & 15];
		}
	}
	buf[o] = '\0';
	report_json_string(out, buf);
}

void report_sarif_begin(FILE *out)
{
	size_t n;
	const struct rule *t = rules_table(&n);

	fputs("{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
	      "  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n      \"tool\": {\n"
	      "        \"driver\": {\n          \"name\": \"netboot-check\",\n", out);
	fprintf(out, "          \"version\": \"%s\",\n          \"semanticVersion\": \"%s\",\n",
		NBC_VERSION, NBC_VERSION);
	if (SARIF_INFORMATION_URI[0]) {
		fputs("          \"informationUri\": ", out);
		report_json_string(out, SARIF_INFORMATION_URI);
		fputs(",\n", out);
	}
	fputs("          \"rules\": [", out);
	for (size_t k = 0; k < n; k++) {
		fprintf(out, "%s\n            {\"id\": ", k ? "," : "");
		report_json_string(out, t[k].id);
		fputs(",\n             \"shortDescription\": {\"text\": ", out);
		report_json_string(out, t[k].summary);
		fputs("},\n             \"help\": {\"text\": ", out);
		report_json_string(out, t[k].hint);
		fprintf(out, "},\n             \"defaultConfiguration\": {\"level\": \"%s\"}}",
			report_sarif_level(t[k].sev));
	}
	fputs("\n          ]\n        }\n      },\n      \"results\": [", out);
}

static void result(FILE *out, const struct nbc_report *r, const struct nbc_finding *f)
{
	size_t nrules;
	const struct rule *t = rules_table(&nrules);
	const char *input = r->ninputs ? r->inputs[0] : "-";
	const char *stage = f->client >= 0 && f->stage >= 0
				    ? nbc_stage_name(r->clients[f->client].stages[f->stage].kind)
				    : NULL;
	char mac[18] = "", where[64];
	bool has_mac = f->client >= 0 && r->clients[f->client].has_mac;

	fputs("\n        {\"ruleId\": ", out);
	report_json_string(out, f->rule);
	for (size_t k = 0; k < nrules; k++)
		if (strcmp(t[k].id, f->rule) == 0)
			fprintf(out, ", \"ruleIndex\": %zu", k);
	fprintf(out, ", \"level\": \"%s\",\n         \"message\": {\"text\": ", report_sarif_level(f->sev));
	report_json_string(out, f->message);
	fputs("},\n         \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ",
	      out);
	report_uri_json(out, input);
	fputs("}},\n           \"logicalLocations\": [{\"name\": ", out);
	if (has_mac)
		net_mac_str(r->clients[f->client].mac, mac, sizeof(mac));
	else if (f->client >= 0 && r->clients[f->client].ip)
		net_ip_str(r->clients[f->client].ip, mac, sizeof(mac));
	if (f->client < 0)
		snprintf(where, sizeof(where), "capture");
	else if (!has_mac && !r->clients[f->client].ip)
		snprintf(where, sizeof(where), "client #%d%s%s", f->client + 1,
			 stage ? " / " : "", stage ? stage : "");
	else
		snprintf(where, sizeof(where), "client %s%s%s", mac, stage ? " / " : "",
			 stage ? stage : "");
	report_json_string(out, where);
	fprintf(out, ", \"kind\": \"%s\"}],\n           \"properties\": {\"frame\": %llu",
		stage ? "stage" : f->client >= 0 ? "client" : "capture", (unsigned long long)f->frame);
	if (has_mac) {
		fputs(", \"client\": ", out);
		report_json_string(out, mac);
	}
	if (stage) {
		fputs(", \"stage\": ", out);
		report_json_string(out, stage);
	}
	fputs("}}]}", out);
}

void report_sarif(FILE *out, const struct nbc_report *r, const struct report_opts *o,
		  struct report_sarif_log *log)
{
	for (size_t f = 0; f < r->nfindings; f++) {
		if (o->client >= 0 && r->findings[f].client != o->client)
			continue;
		if (log->results)
			fputc(',', out);
		result(out, r, &r->findings[f]);
		log->results++;
	}
}

void report_sarif_end(FILE *out, const struct report_sarif_log *log)
{
	fprintf(out, "%s]\n    }\n  ]\n}\n", log->results ? "\n      " : "");
}
