/* output.c: lint's report formats: compiler-style text/gnu, GitHub annotations, JSON, JUnit, SARIF. */
#include <stdlib.h>
#include <string.h>

#include "checker/rules.h"
#include "lint/lint_cmd.h"
#include "lint/lint_priv.h"
#include "reports/report.h"

static const char *gnu_sev(enum nbc_sev s)
{
	return s == NBC_SEV_ERROR ? "error" : s == NBC_SEV_WARNING ? "warning" : "note";
}

static void where(FILE *out, const struct lint_finding *f)
{
	if (f->loc.file == NULL)
		fputs("netboot-check", out);
	else if (f->loc.line == 0)
		fputs(f->loc.file, out);
	else if (f->loc.col == 0)
		fprintf(out, "%s:%u", f->loc.file, f->loc.line);
	else
		fprintf(out, "%s:%u:%u", f->loc.file, f->loc.line, f->loc.col);
}

static void write_text(FILE *out, const struct lint_out *lo, const struct lint_finding *const *fs,
		       size_t n, bool hints)
{
	size_t count[3] = { 0, 0, 0 };
	const char *bold = lo->color ? "\033[1m" : "", *off = lo->color ? "\033[0m" : "";

	for (size_t i = 0; i < n; i++) {
		const struct lint_finding *f = fs[i];
		const char *col = !lo->color ? ""
				  : f->sev == NBC_SEV_ERROR ? "\033[1;31m"
				  : f->sev == NBC_SEV_WARNING ? "\033[1;33m" : "\033[1;36m";

		count[f->sev]++;
		fputs(bold, out);
		where(out, f);
		fprintf(out, ":%s %s%s:%s %s [%s]\n", off, col, gnu_sev(f->sev), off, f->message,
			f->rule);
		if (hints && f->hint)
			fprintf(out, "    hint: %s\n", f->hint);
	}
	if (!hints)
		return;
	fprintf(out, "%s%zu file%s checked: %zu error%s, %zu warning%s, %zu note%s", n ? "\n" : "",
		lo->files, lo->files == 1 ? "" : "s", count[NBC_SEV_ERROR],
		count[NBC_SEV_ERROR] == 1 ? "" : "s", count[NBC_SEV_WARNING],
		count[NBC_SEV_WARNING] == 1 ? "" : "s", count[NBC_SEV_INFO],
		count[NBC_SEV_INFO] == 1 ? "" : "s");
	if (lo->suppressed || lo->baselined)
		fprintf(out, " (%zu suppressed in the files, %zu in the baseline)", lo->suppressed,
			lo->baselined);
	if (lo->dropped)
		fprintf(out, " (%zu more not kept)", lo->dropped);
	fputc('\n', out);
}

/* GitHub workflow commands: data escapes % CR LF; properties also ':' and ','. */
static void gh_escape(FILE *out, const char *s, bool property)
{
	for (; *s; s++) {
		if (*s == '%')
			fputs("%25", out);
		else if (*s == '\r')
			fputs("%0D", out);
		else if (*s == '\n')
			fputs("%0A", out);
		else if (property && *s == ':')
			fputs("%3A", out);
		else if (property && *s == ',')
			fputs("%2C", out);
		else
			fputc(*s, out);
	}
}

static void write_github(FILE *out, const struct lint_finding *const *fs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct lint_finding *f = fs[i];

		fprintf(out, "::%s ", f->sev == NBC_SEV_ERROR ? "error"
				      : f->sev == NBC_SEV_WARNING ? "warning" : "notice");
		if (f->loc.file) {
			fputs("file=", out);
			gh_escape(out, f->loc.file, true);
			if (f->loc.line)
				fprintf(out, ",line=%u", f->loc.line);
			if (f->loc.line && f->loc.col)
				fprintf(out, ",col=%u", f->loc.col);
			fputc(',', out);
		}
		fputs("title=", out);
		gh_escape(out, f->rule, true);
		fputs("::", out);
		gh_escape(out, f->message, false);
		if (f->hint) {
			fputs("\nHint: ", out);
			gh_escape(out, f->hint, false);
		}
		fputc('\n', out);
	}
}

static void write_json(FILE *out, const struct lint_out *lo, const struct lint_finding *const *fs,
		       size_t n)
{
	size_t count[3] = { 0, 0, 0 };

	fprintf(out, "{\n  \"tool\": \"netboot-check\",\n  \"version\": \"%s\",\n"
		     "  \"command\": \"lint\",\n  \"input\": [", NBC_VERSION);
	for (size_t i = 0; i < lo->files; i++) {
		fputs(i ? ", " : "", out);
		report_json_string(out, lo->paths[i]);
	}
	fputs("],\n  \"findings\": [", out);
	for (size_t i = 0; i < n; i++) {
		const struct lint_finding *f = fs[i];

		count[f->sev]++;
		fputs(i ? ",\n    {\"rule\": " : "\n    {\"rule\": ", out);
		report_json_string(out, f->rule);
		fprintf(out, ", \"severity\": \"%s\", \"file\": ", nbc_sev_name(f->sev));
		if (f->loc.file)
			report_json_string(out, f->loc.file);
		else
			fputs("null", out);
		fprintf(out, ", \"line\": %u, \"column\": %u,\n     \"message\": ", f->loc.line,
			f->loc.col);
		report_json_string(out, f->message);
		fputs(", \"hint\": ", out);
		report_json_string(out, f->hint ? f->hint : "");
		fputs("}", out);
	}
	fprintf(out, "%s],\n  \"summary\": {\"files\": %zu, \"errors\": %zu, \"warnings\": %zu, "
		     "\"info\": %zu, \"suppressed\": %zu, \"baselined\": %zu, \"dropped\": %zu}\n}\n",
		n ? "\n  " : "", lo->files, count[NBC_SEV_ERROR], count[NBC_SEV_WARNING],
		count[NBC_SEV_INFO], lo->suppressed, lo->baselined, lo->dropped);
}

static bool same_file(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* One testcase per file: the inputs, then files reached from them that have findings. */
static void write_junit(FILE *out, const struct lint_out *lo,
			const struct lint_finding *const *fs, size_t n)
{
	const char **files = calloc(lo->files + n + 1, sizeof(*files));
	size_t nfiles = 0, failures = 0;

	if (files == NULL)
		return;
	for (size_t i = 0; i < lo->files; i++)
		files[nfiles++] = lo->paths[i];
	for (size_t i = 0; i < n; i++) {
		bool have = false;

		for (size_t k = 0; k < nfiles && !have; k++)
			have = same_file(files[k], fs[i]->loc.file);
		if (!have)
			files[nfiles++] = fs[i]->loc.file;
	}
	for (size_t k = 0; k < nfiles; k++)
		for (size_t i = 0; i < n; i++)
			if (same_file(files[k], fs[i]->loc.file) && fs[i]->sev >= lo->fail_on) {
				failures++;
				break;
			}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<testsuites name=\"netboot-check lint\" tests=\"%zu\" failures=\"%zu\">\n"
		     "  <testsuite name=\"netboot-check lint\" tests=\"%zu\" failures=\"%zu\" "
		     "errors=\"0\" skipped=\"0\">\n",
		nfiles, failures, nfiles, failures);
	for (size_t k = 0; k < nfiles; k++) {
		size_t bad = 0;

		fputs("    <testcase classname=\"lint\" name=\"", out);
		report_xml_string(out, files[k] ? files[k] : "(no file)");
		fputs("\"", out);
		for (size_t i = 0; i < n; i++)
			if (same_file(files[k], fs[i]->loc.file) && fs[i]->sev >= lo->fail_on)
				bad++;
		if (bad == 0) {
			fputs("/>\n", out);
			continue;
		}
		fprintf(out, ">\n      <failure message=\"%zu finding%s at or above %s\" "
			     "type=\"netboot-check\">",
			bad, bad == 1 ? "" : "s", nbc_sev_name(lo->fail_on));
		for (size_t i = 0; i < n; i++) {
			const struct lint_finding *f = fs[i];
			char loc[64];

			if (!same_file(files[k], f->loc.file) || f->sev < lo->fail_on)
				continue;
			snprintf(loc, sizeof(loc), "%u:%u", f->loc.line, f->loc.col);
			fputs("\n", out);
			report_xml_string(out, loc);
			fprintf(out, ": %s: ", gnu_sev(f->sev));
			report_xml_string(out, f->message);
			fputs(" [", out);
			report_xml_string(out, f->rule);
			fputs("]", out);
		}
		fputs("\n      </failure>\n    </testcase>\n", out);
	}
	fputs("  </testsuite>\n</testsuites>\n", out);
	free(files);
}

static void sarif_rule(FILE *out, bool first, const char *id, const char *summary,
		       const char *hint, enum nbc_sev sev)
{
	fprintf(out, "%s\n            {\"id\": ", first ? "" : ",");
	report_json_string(out, id);
	fputs(",\n             \"shortDescription\": {\"text\": ", out);
	report_json_string(out, summary);
	fputs("},\n             \"help\": {\"text\": ", out);
	report_json_string(out, hint ? hint : summary);
	fprintf(out, "},\n             \"defaultConfiguration\": {\"level\": \"%s\"}}",
		report_sarif_level(sev));
}

static void write_sarif(FILE *out, const struct lint_finding *const *fs, size_t n)
{
	size_t nt, nl;
	const struct rule *t = rules_table(&nt);
	const struct lint_rule *l = lint_rules_table(&nl);

	fputs("{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
	      "  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n      \"tool\": {\n"
	      "        \"driver\": {\n          \"name\": \"netboot-check\",\n", out);
	fprintf(out, "          \"version\": \"%s\",\n          \"semanticVersion\": \"%s\",\n"
		     "          \"rules\": [", NBC_VERSION, NBC_VERSION);
	for (size_t k = 0; k < nt; k++)
		sarif_rule(out, k == 0, t[k].id, t[k].summary, t[k].hint, t[k].sev);
	for (size_t k = 0; k < nl; k++)
		sarif_rule(out, false, l[k].id, l[k].summary, l[k].hint, l[k].sev);
	fputs("\n          ]\n        }\n      },\n      \"results\": [", out);
	for (size_t i = 0; i < n; i++) {
		const struct lint_finding *f = fs[i];
		size_t index = nt + nl;

		for (size_t k = 0; k < nt; k++)
			if (strcmp(t[k].id, f->rule) == 0)
				index = k;
		for (size_t k = 0; k < nl; k++)
			if (strcmp(l[k].id, f->rule) == 0)
				index = nt + k;
		fputs(i ? ",\n        {\"ruleId\": " : "\n        {\"ruleId\": ", out);
		report_json_string(out, f->rule);
		if (index < nt + nl)
			fprintf(out, ", \"ruleIndex\": %zu", index);
		fprintf(out, ", \"level\": \"%s\",\n         \"message\": {\"text\": ",
			report_sarif_level(f->sev));
		report_json_string(out, f->message);
		fputs("}", out);
		if (f->loc.file) {
			fputs(",\n         \"locations\": [{\"physicalLocation\": "
			      "{\"artifactLocation\": {\"uri\": ", out);
			report_uri_json(out, f->loc.file);
			fputs("}", out);
			if (f->loc.line) {
				fprintf(out, ", \"region\": {\"startLine\": %u", f->loc.line);
				if (f->loc.col)
					fprintf(out, ", \"startColumn\": %u", f->loc.col);
				fputs("}", out);
			}
			fputs("}}]", out);
		}
		fputs("}", out);
	}
	fprintf(out, "%s]\n    }\n  ]\n}\n", n ? "\n      " : "");
}

void lint_write(FILE *out, const struct lint_out *lo, const struct lint_finding *const *fs,
		size_t n)
{
	if (strcmp(lo->format, "gnu") == 0)
		write_text(out, lo, fs, n, false);
	else if (strcmp(lo->format, "github") == 0)
		write_github(out, fs, n);
	else if (strcmp(lo->format, "json") == 0)
		write_json(out, lo, fs, n);
	else if (strcmp(lo->format, "junit") == 0)
		write_junit(out, lo, fs, n);
	else if (strcmp(lo->format, "sarif") == 0)
		write_sarif(out, fs, n);
	else
		write_text(out, lo, fs, n, true);
}
