/* main.c: the netboot-check command line: analyze, decode, rules, explain. Only main decides exit status. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "checker/cli.h"
#include "checker/capture.h"
#include "checker/decode.h"
#include "checker/diff.h"
#include "checker/expect.h"
#include "checker/explain.h"
#include "checker/gate.h"
#include "checker/live.h"
#include "checker/pcapng.h"
#include "checker/rules.h"
#include "lint/lint_cmd.h"
#include "probes/probe.h"
#include "proto/net.h"
#include "reports/report.h"

enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_CANNOT = 2, EXIT_USAGE = 3 };

static void usage(FILE *out)
{
	fputs("usage: netboot-check <command> [options]\n"
	      "\n"
	      "commands:\n"
	      "  analyze [options] FILE...   check the network boots in pcap/pcapng captures\n"
	      "  live [options] IFACE        watch boots as they happen (live --help)\n"
	      "  diff [options] GOOD BAD     where a boot that failed parts from one that worked\n"
	      "                              (diff --help)\n"
	      "  lint [options] PATH...      check DHCP/TFTP/pxelinux/iPXE configuration statically\n"
	      "                              (lint --help)\n"
	      "  gate --server CMD...        boot the firmware against candidate servers (gate --help)\n"
	      "  probe --iface IF [options]  ask the network what each kind of client gets (probe --help)\n"
	      "  decode [-r] FILE            print each DHCP and TFTP packet as tab-separated fields\n"
	      "  rules                       list the rules\n"
	      "  explain RULE-ID             describe one rule and its fix\n"
	      "  help, --help, --version\n"
	      "\n"
	      "analyze options:\n"
	      "  -r FILE                 read FILE (as tshark spells it); '-' is standard input\n"
	      "  --format text|json|junit|sarif|html\n"
	      "                          report format (default text): JSON, JUnit XML or SARIF 2.1.0\n"
	      "                          for machines (docs/report-schema.md); html: one page for people\n"
	      "  --client MAC            report only this client\n"
	      "  --fail-on error|warning|info\n"
	      "                          exit 1 when a finding has this severity or worse (default error)\n"
	      "  --expect SITE           the site file: what this site hands out (docs/site-file.md)\n"
	      "  --stall-timeout SEC     quiet time after which a client counts as stalled (default 30)\n"
	      "  --enable ID, --disable ID\n"
	      "                          switch a rule on or off (repeatable)\n"
	      "  --color=auto|always|never\n"
	      "  -o FILE                 write the report to FILE\n"
	      "  --export DIR            write every file sent over TFTP or HTTP into DIR\n"
	      "                          (safe names; the listing goes to standard error)\n"
	      "  --show-secrets          print passwords in URIs and scripts (redacted by default;\n"
	      "                          CHAP values are never kept)\n"
	      "  --annotate OUT.pcapng   also write the capture as pcapng with each finding and each\n"
	      "                          stage as a packet comment on its frame (one FILE, not stdin)\n"
	      "\n"
	      "exit status: 0 no finding at or above --fail-on, 1 findings, 2 could not check,\n"
	      "3 usage error\n",
	      out);
}

#define usage_error(...) cli_usage_error("netboot-check: ", "see netboot-check --help", __VA_ARGS__)

static int parse_sev(const char *s, enum nbc_sev *out)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, "error") == 0)
		*out = NBC_SEV_ERROR;
	else if (strcmp(s, "warning") == 0)
		*out = NBC_SEV_WARNING;
	else if (strcmp(s, "info") == 0 || strcmp(s, "note") == 0)
		*out = NBC_SEV_INFO;
	else
		return -1;
	return 0;
}

struct analyze_args {
	const char *format;
	const char *client;
	const char *expect;
	const char *outpath;
	enum nbc_sev fail_on;
	int color;		/* -1 auto, 0 never, 1 always */
	double stall;
	const char *export_dir;
	const char *annotate;	/* --annotate OUT.pcapng */
	bool show_secrets;
	const char *files[256];
	size_t nfiles;
};

static int find_client(const struct nbc_report *r, const uint8_t mac[6])
{
	for (size_t i = 0; i < r->nclients; i++)
		if (r->clients[i].has_mac && memcmp(r->clients[i].mac, mac, 6) == 0)
			return (int)i;
	return -1;
}

/* Analyzes one file; returns its exit status. */
static size_t json_written;	/* reports written in a multi-file JSON array */

static int analyze_one(const struct analyze_args *a, const char *path, FILE *out, bool first,
		       bool many, struct report_sarif_log *sarif)
{
	struct eng_expect expect;
	struct eng_options opt = { a->stall, NULL, NULL, a->show_secrets };
	struct nbc_engine *e;
	struct nbc_report *r;
	struct report_opts ro = { false, -1, false };
	char err[512];
	bool truncated = false;
	int rc = EXIT_CLEAN;
	const char *inputs[1] = { path };

	if (a->expect) {
		if (expect_load(a->expect, &expect, err, sizeof(err)) != 0) {
			fprintf(stderr, "netboot-check: %s\n", err);
			return EXIT_CANNOT;
		}
		opt.expect = &expect;
	}
	e = engine_new(&opt);
	if (!e) {
		fputs("netboot-check: out of memory\n", stderr);
		return EXIT_CANNOT;
	}
	if (a->export_dir && !engine_export_to(e, a->export_dir, err, sizeof(err))) {
		fprintf(stderr, "netboot-check: --export: %s\n", err);
		engine_free(e);
		return EXIT_CANNOT;
	}
	if (capture_read_file(path, e, &truncated, err, sizeof(err)) != 0) {
		fprintf(stderr, "netboot-check: %s\n", err);
		engine_free(e);
		return EXIT_CANNOT;
	}
	r = engine_finish(e);
	r->inputs = inputs;
	r->ninputs = 1;
	r->capture_truncated = truncated;
	ro.color = a->color == 1 || (a->color == -1 && !a->outpath && isatty(fileno(out)));
	if (a->client) {
		uint8_t mac[6];

		net_mac_parse(a->client, mac);
		ro.client = find_client(r, mac);
		if (ro.client < 0)
			fprintf(stderr, "netboot-check: %s: no client %s in this capture\n", path,
				a->client);
	}
	if (ro.client < 0 && a->client && strcmp(a->format, "text") != 0)
		ro.client = (int)r->nclients;	/* an index no client has: report none */
	if (strcmp(a->format, "junit") == 0) {
		report_junit(out, r, &ro, a->fail_on);
	} else if (strcmp(a->format, "sarif") == 0) {
		report_sarif(out, r, &ro, sarif);
	} else if (strcmp(a->format, "html") == 0) {
		report_html(out, r, &ro);
	} else if (strcmp(a->format, "json") == 0) {
		/* The separator follows the reports written, not the files tried: a file
		 * that could not be read writes nothing. */
		if (many)
			fputs(json_written++ == 0 ? "[\n" : ",\n", out);
		if (ro.client < 0 && a->client)
			ro.client = (int)r->nclients;	/* an index no client has: report none */
		report_json(out, r, &ro);
	} else {
		if (!first)
			fputc('\n', out);
		if (!(ro.client < 0 && a->client))
			report_text(out, r, &ro);
	}
	for (size_t i = 0; i < r->nfindings; i++) {
		if (ro.client >= 0 && r->findings[i].client != ro.client)
			continue;
		if (r->findings[i].sev >= a->fail_on)
			rc = EXIT_FINDINGS;
	}
	if (a->export_dir)
		engine_export_listing(e, stderr);
	if (truncated) {
		fprintf(stderr, "netboot-check: %s\n", err);
		rc = EXIT_CANNOT;
	}
	if (a->annotate) {
		char aerr[512];
		/* The comments follow --client as the report does. */
		int only = a->client ? (ro.client < 0 ? (int)r->nclients : ro.client) : -1;

		if (pcapng_annotate(path, a->annotate, r, only, aerr, sizeof(aerr)) != 0) {
			fprintf(stderr, "netboot-check: --annotate: %s\n", aerr);
			rc = EXIT_CANNOT;
		}
	}
	engine_free(e);
	return rc;
}

static int cmd_analyze(int argc, char **argv)
{
	enum { O_FORMAT = 256, O_CLIENT, O_FAILON, O_EXPECT, O_STALL, O_ENABLE, O_DISABLE,
	       O_COLOR, O_EXPORT, O_SHOW_SECRETS, O_ANNOTATE, O_HELP };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, O_FORMAT },
		{ "client", required_argument, NULL, O_CLIENT },
		{ "fail-on", required_argument, NULL, O_FAILON },
		{ "expect", required_argument, NULL, O_EXPECT },
		{ "stall-timeout", required_argument, NULL, O_STALL },
		{ "enable", required_argument, NULL, O_ENABLE },
		{ "disable", required_argument, NULL, O_DISABLE },
		{ "color", optional_argument, NULL, O_COLOR },
		{ "colour", optional_argument, NULL, O_COLOR },
		{ "export", required_argument, NULL, O_EXPORT },
		{ "show-secrets", no_argument, NULL, O_SHOW_SECRETS },
		{ "annotate", required_argument, NULL, O_ANNOTATE },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct analyze_args a;
	struct report_sarif_log sarif = { 0 };
	FILE *out = stdout;
	int ch;
	int worst = EXIT_CLEAN;

	memset(&a, 0, sizeof(a));
	a.format = "text";
	a.fail_on = NBC_SEV_ERROR;
	a.color = -1;
	a.stall = 30.0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "r:o:h", longopts, NULL)) != -1) {
		char *end;
		uint8_t mac[6];

		switch (ch) {
		case 'r':
			if (a.nfiles == sizeof(a.files) / sizeof(a.files[0]))
				return usage_error("too many files");
			a.files[a.nfiles++] = optarg;
			break;
		case 'o':
			a.outpath = optarg;
			break;
		case O_FORMAT:
			if (optarg == NULL ||
			    (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0 &&
			    strcmp(optarg, "junit") != 0 && strcmp(optarg, "sarif") != 0 &&
			    strcmp(optarg, "html") != 0))
				return usage_error("unknown --format '%s': use text, json, junit, "
						   "sarif or html",
						   optarg);
			a.format = optarg;
			break;
		case O_CLIENT:
			if (!net_mac_parse(optarg, mac))
				return usage_error("--client needs a MAC like 52:54:00:ab:cd:ef, "
						   "not '%s'",
						   optarg);
			a.client = optarg;
			break;
		case O_FAILON:
			if (parse_sev(optarg, &a.fail_on) != 0)
				return usage_error("--fail-on takes error, warning or info, not "
						   "'%s'",
						   optarg);
			break;
		case O_EXPECT:
			a.expect = optarg;
			break;
		case O_STALL:
			a.stall = strtod(optarg != NULL ? optarg : "", &end);
			if (*end || a.stall <= 0 || a.stall > 86400)
				return usage_error("--stall-timeout takes seconds (0 < SEC <= 86400), "
						   "not '%s'",
						   optarg);
			break;
		case O_ENABLE:
		case O_DISABLE:
			if (!rules_set_enabled(optarg, ch == O_ENABLE))
				return usage_error("no rule '%s' (netboot-check rules lists them)",
						   optarg);
			break;
		case O_COLOR:
			if (!optarg || strcmp(optarg, "always") == 0)
				a.color = 1;
			else if (strcmp(optarg, "never") == 0)
				a.color = 0;
			else if (strcmp(optarg, "auto") == 0)
				a.color = -1;
			else
				return usage_error("--color takes auto, always or never, not '%s'",
						   optarg);
			break;
		case O_EXPORT:
			a.export_dir = optarg;
			break;
		case O_SHOW_SECRETS:
			a.show_secrets = true;
			break;
		case O_ANNOTATE:
			a.annotate = optarg;
			break;
		case 'h':
		case O_HELP:
			usage(stdout);
			return EXIT_CLEAN;
		default:
			return EXIT_USAGE;
		}
	}
	for (int i = optind; i < argc; i++) {
		if (a.nfiles == sizeof(a.files) / sizeof(a.files[0]))
			return usage_error("too many files");
		a.files[a.nfiles++] = argv[i];
	}
	if (a.nfiles == 0)
		return usage_error("analyze needs a capture file (FILE, -r FILE, or - for "
				   "standard input)");
	if (a.annotate) {
		if (a.nfiles != 1 || strcmp(a.files[0], "-") == 0)
			return usage_error("--annotate takes one capture file, not several or "
					   "standard input");
		if (!*a.annotate || strcmp(a.annotate, "-") == 0)
			return usage_error("--annotate needs the name of the pcapng file to write");
		if (a.show_secrets)
			return usage_error("--annotate does not take --show-secrets: the comments "
					   "keep passwords redacted");
		if (pcapng_same_file(a.files[0], a.annotate))
			return usage_error("--annotate %s is the input capture: refusing to "
					   "overwrite it",
					   a.annotate);
		if (a.outpath && pcapng_same_file(a.outpath, a.annotate))
			return usage_error("--annotate and -o name the same file");
	}
	if (a.outpath) {
		out = fopen(a.outpath, "w");
		if (!out) {
			perror(a.outpath);
			return EXIT_CANNOT;
		}
	}
	if (strcmp(a.format, "junit") == 0)
		report_junit_begin(out);
	else if (strcmp(a.format, "sarif") == 0)
		report_sarif_begin(out);
	else if (strcmp(a.format, "html") == 0)
		report_html_begin(out);
	for (size_t i = 0; i < a.nfiles; i++) {
		int rc = analyze_one(&a, a.files[i], out, i == 0, a.nfiles > 1, &sarif);

		if (rc > worst)
			worst = rc;
	}
	if (a.nfiles > 1 && strcmp(a.format, "json") == 0)
		fputs(json_written ? "]\n" : "[]\n", out);
	else if (strcmp(a.format, "junit") == 0)
		report_junit_end(out);
	else if (strcmp(a.format, "sarif") == 0)
		report_sarif_end(out, &sarif);
	else if (strcmp(a.format, "html") == 0)
		report_html_end(out);
	if (out != stdout && fclose(out) != 0) {
		perror(a.outpath);
		return EXIT_CANNOT;
	}
	return worst;
}

static bool is_help(const char *a)
{
	return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

static int cmd_rules(int argc, char **argv)
{
	size_t n;
	const struct rule *t = rules_table(&n);

	if (argc > 1 && is_help(argv[1])) {
		fputs("usage: netboot-check rules\n\nLists every rule: its ID, default severity and "
		      "summary (lint rules marked).\n",
		      stdout);
		return EXIT_CLEAN;
	}

	for (size_t i = 0; i < n; i++)
		printf("%-26s %-8s %s\n", t[i].id, nbc_sev_name(t[i].sev), t[i].summary);
	{
		const struct lint_rule *l = lint_rules_table(&n);

		for (size_t i = 0; i < n; i++)
			printf("%-26s %-8s %s (%s)\n", l[i].id, nbc_sev_name(l[i].sev),
			       l[i].summary, l[i].only);
	}
	return EXIT_CLEAN;
}

static int cmd_explain(int argc, char **argv)
{
	char up[64];
	size_t i;

	if (argc == 2 && is_help(argv[1])) {
		fputs("usage: netboot-check explain RULE-ID\n\nDescribes one rule and its fix "
		      "(netboot-check rules lists them; any case).\n",
		      stdout);
		return EXIT_CLEAN;
	}
	if (argc != 2)
		return usage_error("explain takes one rule ID");
	for (i = 0; argv[1][i] && i + 1 < sizeof(up); i++)
		up[i] = (char)(argv[1][i] >= 'a' && argv[1][i] <= 'z' ? argv[1][i] - 32 : argv[1][i]);
	up[i] = '\0';
	if (explain_print(stdout, up) < 0)
		return usage_error("no rule '%s' (netboot-check rules lists them)", argv[1]);
	return EXIT_CLEAN;
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return EXIT_CLEAN;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("netboot-check %s\n", NBC_VERSION);
		return EXIT_CLEAN;
	}
	if (strcmp(cmd, "analyze") == 0 || strcmp(cmd, "read") == 0)
		return cmd_analyze(argc - 1, argv + 1);
	if (strcmp(cmd, "decode") == 0)
		return cmd_decode(argc - 1, argv + 1);
	if (strcmp(cmd, "live") == 0)
		return cmd_live(argc - 1, argv + 1);
	if (strcmp(cmd, "diff") == 0)
		return diff_main(argc - 1, argv + 1);
	if (strcmp(cmd, "lint") == 0)
		return lint_main(argc - 1, argv + 1);
	if (strcmp(cmd, "gate") == 0)
		return gate_main(argc - 1, argv + 1);
	if (strcmp(cmd, "probe") == 0)
		return probe_main(argc - 1, argv + 1);
	if (strcmp(cmd, "rules") == 0)
		return cmd_rules(argc - 1, argv + 1);
	if (strcmp(cmd, "explain") == 0)
		return cmd_explain(argc - 1, argv + 1);
	return usage_error("unknown command '%s'", cmd);
}
