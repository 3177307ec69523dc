/* cmd.c: `netboot-check lint PATH...`: find the configurations, run the backends and the flow rules. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checker/rules.h"
#include "lint/lint_cmd.h"
#include "lint/lint_priv.h"

enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_CANNOT = 2, EXIT_USAGE = 3 };

#define INPUTS_MAX 10000	/* files taken from the command line and directory walks */
#define WALK_DEPTH 16

enum kind { K_UNKNOWN, K_DHCPD, K_DNSMASQ, K_KEA, K_PXELINUX, K_IPXE };

static const char *const kind_names[] = {
	[K_UNKNOWN] = "unknown", [K_DHCPD] = "isc-dhcpd", [K_DNSMASQ] = "dnsmasq",
	[K_KEA] = "kea", [K_PXELINUX] = "pxelinux", [K_IPXE] = "ipxe",
};

struct input {
	char *path;
	enum kind kind;
	bool walked;		/* found by walking a directory, not named on the command line */
};

struct args {
	const char *format;
	const char *outpath;
	const char *baseline;
	const char *write_baseline;
	enum kind type;
	enum nbc_sev fail_on;
	int color;
	struct lint_run_opts run;
	const char *disabled[64];
	size_t ndisabled;
	struct input *in;
	size_t nin;
	size_t suppressed, baselined;
};

static void usage(FILE *out)
{
	fputs("usage: netboot-check lint [options] PATH...\n"
	      "\n"
	      "Checks network-boot configuration without a network: ISC dhcpd.conf, dnsmasq,\n"
	      "Kea DHCPv4 JSON, pxelinux configs and iPXE scripts. For each kind of client\n"
	      "(BIOS and UEFI PXE ROMs, iPXE) it works out what the DHCP configuration hands\n"
	      "it and follows that into the TFTP and HTTP roots. A directory is searched for\n"
	      "configuration files (others are skipped). docs/lint.md has the details.\n"
	      "\n"
	      "  --type isc-dhcpd|dnsmasq|kea|pxelinux|ipxe\n"
	      "                          what the PATHs are (default: recognised by name and content)\n"
	      "  --tftp-root DIR         the directory the TFTP server serves (checks boot files,\n"
	      "                          pxelinux configs and what they load)\n"
	      "  --http-root DIR         the HTTP document root (iPXE scripts and their targets)\n"
	      "  --profile NAME[,NAME]   client profiles to evaluate: bios-pxe, efi64-pxe,\n"
	      "                          efi64-pxe-9, ipxe-bios, ipxe-efi64 (default all)\n"
	      "  --format text|gnu|github|json|junit|sarif\n"
	      "                          text (default) and gnu are `file:line:col: severity:\n"
	      "                          message [RULE]`; github writes workflow annotations\n"
	      "  --fail-on error|warning|info\n"
	      "                          exit 1 when a finding has this severity or worse (default error)\n"
	      "  --disable ID            do not report this rule (repeatable); in a file:\n"
	      "                          # netboot-check: disable=ID[,ID] on the line or the line before,\n"
	      "                          # netboot-check: disable-file=ID anywhere in the file\n"
	      "  --baseline FILE         report only findings not listed in FILE\n"
	      "  --write-baseline FILE   write the current findings to FILE as the new baseline\n"
	      "  --color=auto|always|never\n"
	      "  -o FILE                 write the report to FILE\n"
	      "\n"
	      "exit status: 0 no finding at or above --fail-on, 1 findings, 2 could not check\n"
	      "(a PATH that cannot be read or recognised), 3 usage error\n",
	      out);
}

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "netboot-check lint: %s%s%s (see netboot-check lint --help)\n", msg,
		arg ? " " : "", arg ? arg : "");
	return EXIT_USAGE;
}

/* ---------------------------------------------------------------------------------------- */
/* What kind of file is this? */

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* The first word of each line decides; at most the first 400 lines are looked at. */
static enum kind sniff(const char *text, size_t len)
{
	static const char *const dnsmasq_words[] = {
		"dhcp-range", "dhcp-boot", "dhcp-host", "dhcp-match", "dhcp-userclass",
		"dhcp-vendorclass", "dhcp-option", "dhcp-option-force", "enable-tftp",
		"tftp-root", "pxe-service", "pxe-prompt", "interface", "bind-interfaces",
		"conf-file", "conf-dir", "port", "no-ping", "log-dhcp", "dhcp-leasefile",
	};
	int dhcpd = 0, dnsmasq = 0, pxe = 0;
	size_t pos = 0;

	for (unsigned line = 0; pos < len && line < 400; line++) {
		size_t end = pos;

		while (end < len && text[end] != '\n')
			end++;
		const char *s = text + pos;
		size_t n = end - pos;

		while (n > 0 && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		char w[32];
		size_t k = 0;

		while (k < n && k < sizeof(w) - 1 && s[k] != '=' && s[k] != ' ' && s[k] != '\t' &&
		       s[k] != '\r' && s[k] != ';')
			w[k] = s[k], k++;
		w[k] = '\0';
		if (k > 0 && w[0] != '#') {
			if (strcmp(w, "subnet") == 0 || strcmp(w, "option") == 0 ||
			    strcmp(w, "host") == 0 || strcmp(w, "class") == 0 ||
			    strcmp(w, "filename") == 0 || strcmp(w, "next-server") == 0 ||
			    strcmp(w, "shared-network") == 0 || strcmp(w, "authoritative") == 0 ||
			    strcmp(w, "ddns-update-style") == 0)
				dhcpd++;
			for (size_t i = 0; i < sizeof(dnsmasq_words) / sizeof(dnsmasq_words[0]); i++)
				if (strcmp(w, dnsmasq_words[i]) == 0 && (k == n || s[k] == '=' ||
									s[k] == '\r'))
					dnsmasq++;
			if (strcasecmp(w, "label") == 0 || strcasecmp(w, "default") == 0 ||
			    strcasecmp(w, "kernel") == 0 || strcasecmp(w, "append") == 0 ||
			    strcasecmp(w, "localboot") == 0 || strcasecmp(w, "ui") == 0)
				pxe++;
		}
		pos = end + 1;
	}
	if (dnsmasq > dhcpd && dnsmasq >= pxe && dnsmasq > 0)
		return K_DNSMASQ;
	if (dhcpd > 0 && dhcpd >= pxe)
		return K_DHCPD;
	if (pxe > 0)
		return K_PXELINUX;
	return K_UNKNOWN;
}

static enum kind detect(const char *path, const char *text, size_t len)
{
	const char *b = base_name(path);

	if ((len >= 6 && (memcmp(text, "#!ipxe", 6) == 0 || memcmp(text, "#!gpxe", 6) == 0)) ||
	    ends_with(b, ".ipxe"))
		return K_IPXE;
	if (memchr(text, '\0', len < 4096 ? len : 4096) != NULL)
		return K_UNKNOWN;	/* a binary: an NBP, a kernel, a disk image */
	if (ends_with(b, ".json"))
		return strstr(text, "\"Dhcp4\"") ? K_KEA : K_UNKNOWN;
	if (strncmp(b, "dhcpd", 5) == 0 && ends_with(b, ".conf"))
		return K_DHCPD;
	/* dnsmasq.conf, dnsmasq-pxe.conf, dnsmasq.d/x; not dnsmasq.log beside them. */
	if ((strncmp(b, "dnsmasq", 7) == 0 && (ends_with(b, ".conf") || strchr(b, '.') == NULL)) ||
	    (strstr(path, "dnsmasq.d/") != NULL && strchr(b, '.') == NULL) ||
	    (strstr(path, "dnsmasq.d/") != NULL && ends_with(b, ".conf")))
		return K_DNSMASQ;
	if (strstr(path, "pxelinux.cfg/") != NULL || strncmp(b, "pxelinux.cfg", 12) == 0)
		return K_PXELINUX;
	return sniff(text, len);
}

static int add_input(struct args *a, const char *path, enum kind k, bool walked)
{
	if (a->nin >= INPUTS_MAX)
		return -1;
	if (a->nin % 64 == 0) {
		struct input *n = realloc(a->in, (a->nin + 64) * sizeof(*n));

		if (n == NULL)
			return -1;
		a->in = n;
	}
	a->in[a->nin].path = strdup(path);
	if (a->in[a->nin].path == NULL)
		return -1;
	a->in[a->nin].walked = walked;
	a->in[a->nin++].kind = k;
	return 0;
}

static int classify_file(struct args *a, const char *path, bool explicit_path)
{
	char *text = NULL, why[128];
	size_t len = 0;
	enum kind k;

	if (lint_read_file(path, &text, &len, why, sizeof(why)) != 0) {
		if (!explicit_path)
			return 0;
		fprintf(stderr, "netboot-check lint: %s: %s\n", path, why);
		return -1;
	}
	k = a->type != K_UNKNOWN ? a->type : detect(path, text, len);
	free(text);
	if (k == K_UNKNOWN) {
		if (!explicit_path)
			return 0;
		fprintf(stderr, "netboot-check lint: %s: cannot tell what kind of configuration "
				"this is (use --type)\n", path);
		return -1;
	}
	if (add_input(a, path, k, !explicit_path) != 0) {
		fprintf(stderr, "netboot-check lint: more than %d input files\n", INPUTS_MAX);
		return -1;
	}
	return 0;
}

static int skip_entry(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int walk(struct args *a, const char *dir, unsigned depth)
{
	struct dirent **list;
	int n, rc = 0;

	if (depth > WALK_DEPTH)
		return 0;
	n = scandir(dir, &list, skip_entry, alphasort);
	if (n < 0) {
		fprintf(stderr, "netboot-check lint: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];
		struct stat st;

		if (rc == 0 && snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name) <
				       (int)sizeof(path) &&
		    lstat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				rc = walk(a, path, depth + 1);
			else if (S_ISREG(st.st_mode))
				rc = classify_file(a, path, false);
		}
		free(list[i]);
	}
	free(list);
	return rc;
}

/* ---------------------------------------------------------------------------------------- */
/* Suppressions: `netboot-check: disable=ID[,ID]` and `disable-file=ID`. */

static bool id_in_list(const char *list, size_t n, const char *rule)
{
	size_t rl = strlen(rule);

	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j < n && list[j] != ',' && list[j] != ' ' && list[j] != '\t')
			j++;
		if ((j - i == rl && strncmp(list + i, rule, rl) == 0) ||
		    (j - i == 3 && strncmp(list + i, "all", 3) == 0))
			return true;
		if (j < n && list[j] != ',')
			break;
		i = j + 1;
	}
	return false;
}

/* Does the line [s, s+n) carry a suppression of rule ("disable=" or "disable-file=")? */
static bool line_disables(const char *s, size_t n, const char *key, const char *rule)
{
	static const char tag[] = "netboot-check:";

	for (size_t i = 0; i + sizeof(tag) - 1 <= n; i++) {
		if (memcmp(s + i, tag, sizeof(tag) - 1) != 0)
			continue;
		size_t j = i + sizeof(tag) - 1, kl = strlen(key);

		while (j < n && (s[j] == ' ' || s[j] == '\t'))
			j++;
		if (j + kl <= n && memcmp(s + j, key, kl) == 0) {
			size_t e = j + kl;

			while (e < n && s[e] != '\r' && s[e] != '*')
				e++;
			if (id_in_list(s + j + kl, e - j - kl, rule))
				return true;
		}
	}
	return false;
}

static bool comment_only(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i < n && (s[i] == '#' || s[i] == ';' || (s[i] == '/' && i + 1 < n && s[i + 1] == '/'));
}

static bool suppressed(const struct lint_finding *f)
{
	char *text = NULL, why[64];
	size_t len = 0, pos = 0;
	bool hit = false;
	const char *prev = NULL;
	size_t prevn = 0;

	if (f->loc.file == NULL || lint_read_file(f->loc.file, &text, &len, why, sizeof(why)) != 0)
		return false;
	for (unsigned line = 1; pos <= len && !hit; line++) {
		size_t end = pos;

		while (end < len && text[end] != '\n')
			end++;
		if (line_disables(text + pos, end - pos, "disable-file=", f->rule))
			hit = true;
		else if (line == f->loc.line &&
			 (line_disables(text + pos, end - pos, "disable=", f->rule) ||
			  (prev && comment_only(prev, prevn) &&
			   line_disables(prev, prevn, "disable=", f->rule))))
			hit = true;
		prev = text + pos;
		prevn = end - pos;
		pos = end + 1;
	}
	free(text);
	return hit;
}

/* ---------------------------------------------------------------------------------------- */
/* Baseline: one finding a line, "RULE<TAB>FILE<TAB>MESSAGE" (no line numbers: edits above a
 * finding must not make it new). */

static void baseline_line(const struct lint_finding *f, char *out, size_t cap)
{
	snprintf(out, cap, "%s\t%s\t%s", f->rule, f->loc.file ? f->loc.file : "-", f->message);
}

static int load_baseline(const char *path, char ***lines, size_t *n)
{
	char *text = NULL, why[128];
	size_t len = 0, cap = 0;

	*lines = NULL;
	*n = 0;
	if (lint_read_file(path, &text, &len, why, sizeof(why)) != 0) {
		fprintf(stderr, "netboot-check lint: --baseline %s: %s\n", path, why);
		return -1;
	}
	for (char *s = text, *e; s < text + len; s = e + 1) {
		e = memchr(s, '\n', (size_t)(text + len - s));
		if (e == NULL)
			e = text + len;
		*e = '\0';
		if (e > s && e[-1] == '\r')
			e[-1] = '\0';
		if (*s == '\0' || *s == '#')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			char **m = realloc(*lines, cap * sizeof(*m));

			if (m == NULL)
				break;
			*lines = m;
		}
		(*lines)[*n] = strdup(s);
		if ((*lines)[*n] != NULL)
			(*n)++;
	}
	free(text);
	return 0;
}

static int write_baseline(const char *path, struct lint_finding *const *fs, size_t n)
{
	FILE *out = fopen(path, "w");
	char line[NBC_MSG_MAX + PATH_MAX + 64];

	if (out == NULL) {
		fprintf(stderr, "netboot-check lint: --write-baseline %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	fputs("# netboot-check lint baseline: RULE<TAB>FILE<TAB>MESSAGE; findings listed here\n"
	      "# are not reported by `netboot-check lint --baseline THIS-FILE`.\n",
	      out);
	for (size_t i = 0; i < n; i++) {
		baseline_line(fs[i], line, sizeof(line));
		fprintf(out, "%s\n", line);
	}
	if (fclose(out) != 0) {
		fprintf(stderr, "netboot-check lint: --write-baseline %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------------------------------- */

static int cmp_finding(const void *pa, const void *pb)
{
	const struct lint_finding *a = *(struct lint_finding *const *)pa;
	const struct lint_finding *b = *(struct lint_finding *const *)pb;
	int r = strcmp(a->loc.file ? a->loc.file : "", b->loc.file ? b->loc.file : "");

	if (r != 0)
		return r;
	if (a->loc.line != b->loc.line)
		return a->loc.line < b->loc.line ? -1 : 1;
	if (a->loc.col != b->loc.col)
		return a->loc.col < b->loc.col ? -1 : 1;
	r = strcmp(a->rule, b->rule);
	return r != 0 ? r : strcmp(a->message, b->message);
}

static bool same_finding(const struct lint_finding *a, const struct lint_finding *b)
{
	return cmp_finding(&a, &b) == 0;
}

static bool rule_disabled(const struct args *a, const char *rule)
{
	for (size_t i = 0; i < a->ndisabled; i++)
		if (strcmp(a->disabled[i], rule) == 0)
			return true;
	return false;
}

/* Reads a server configuration with its backend (s filled on 0). */
static int load_backend(struct lint_ctx *c, const struct input *in, struct lint_server *s,
			char *why, size_t cap)
{
	memset(s, 0, sizeof(*s));
	if (in->kind == K_DHCPD)
		return lint_dhcpd_load(c, in->path, s, why, cap);
	if (in->kind == K_DNSMASQ)
		return lint_dnsmasq_load(c, in->path, s, why, cap);
	return lint_kea_load(c, in->path, s, why, cap);
}

static int load_server(struct lint_ctx *c, const struct input *in, struct args *a)
{
	struct lint_server s;
	char why[256];
	int rc = load_backend(c, in, &s, why, sizeof(why));

	if (rc != 0) {
		fprintf(stderr, "netboot-check lint: %s: %s\n", in->path, why);
		return -1;
	}
	struct lint_run_opts run = a->run;
	struct lint_loc rl;
	const char *root = s.tftp_root ? s.tftp_root(s.priv, &rl) : NULL;
	struct stat st;

	/* The config's own tftp-root stands for the TFTP root when it exists here. */
	if (run.roots.tftp == NULL && root != NULL && stat(root, &st) == 0 && S_ISDIR(st.st_mode))
		run.roots.tftp = root;
	lint_flow_server(c, &s, &run);
	s.free(s.priv);
	return 0;
}

static bool is_server(enum kind k)
{
	return k == K_DHCPD || k == K_DNSMASQ || k == K_KEA;
}

/*
 * A walked directory holds the parts of a configuration beside it: conf-dir fragments
 * (dnsmasq.d/pxe.conf), hosts and options files, dhcpd and Kea includes. Linted on their
 * own they would be checked twice, or as what they are not (a hosts file as a dnsmasq
 * config: every line an unknown option). So the server configurations are read once
 * without their flow to learn which files they take in, and a walked file that another
 * input reads is left to that input. An input read by another that is itself read by
 * someone else (a cycle) stays, so that nothing goes unchecked.
 */
static void drop_parts(struct args *a)
{
	struct lint_ctx *c = lint_ctx_new();
	bool *read_by_other = calloc(a->nin + 1, sizeof(*read_by_other));
	char **real = calloc(a->nin + 1, sizeof(*real));	/* each input's real path, once */
	size_t n = a->nin;

	for (size_t i = 0; c != NULL && real != NULL && read_by_other != NULL && i < n; i++) {
		struct lint_server s;
		char why[256];

		real[i] = realpath(a->in[i].path, NULL);
		if (!is_server(a->in[i].kind))
			continue;
		c->input = (int)i;
		if (load_backend(c, &a->in[i], &s, why, sizeof(why)) == 0)
			s.free(s.priv);
	}
	if (c == NULL || real == NULL || read_by_other == NULL)
		goto out;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; real[i] != NULL && k < c->nparts; k++)
			if (c->parts[k].input != (int)i && strcmp(c->parts[k].real, real[i]) == 0)
				read_by_other[i] = true;
	for (size_t i = 0, k = 0; i < n; i++) {
		bool drop = false;

		for (size_t p = 0; a->in[i].walked && real[i] != NULL && !drop && p < c->nparts; p++) {
			int by = c->parts[p].input;

			drop = by != (int)i && !read_by_other[by] && strcmp(c->parts[p].real, real[i]) == 0;
		}
		if (drop)
			free(a->in[i].path);
		else
			a->in[k++] = a->in[i];
		if (i + 1 == n)
			a->nin = k;
	}
out:
	for (size_t i = 0; real != NULL && i < n; i++)
		free(real[i]);
	free(real);
	free(read_by_other);
	lint_ctx_free(c);
}

static int check_file(struct lint_ctx *c, const struct input *in, struct args *a)
{
	char *text = NULL, why[128];
	size_t len = 0;

	if (in->kind == K_DHCPD || in->kind == K_DNSMASQ || in->kind == K_KEA)
		return load_server(c, in, a);
	if (lint_seen(c, in->path))
		return 0;
	if (lint_read_file(in->path, &text, &len, why, sizeof(why)) != 0) {
		fprintf(stderr, "netboot-check lint: %s: %s\n", in->path, why);
		return -1;
	}
	if (in->kind == K_PXELINUX)
		lint_pxelinux_cfg(c, lint_intern(c, in->path), text, len, &a->run.roots, "");
	else
		lint_ipxe_script(c, lint_intern(c, in->path), text, len, &a->run.roots, NULL);
	free(text);
	return 0;
}

static int parse_profiles(const char *s, unsigned *mask)
{
	*mask = 0;
	while (*s != '\0') {
		size_t n = strcspn(s, ",");
		bool found = false;

		for (unsigned k = 0; k < LP__COUNT; k++) {
			const char *name = lint_profile_get((enum lint_profile_id)k)->name;

			if (strlen(name) == n && strncmp(name, s, n) == 0) {
				*mask |= 1u << k;
				found = true;
			}
		}
		if (!found)
			return -1;
		s += n;
		if (*s == ',')
			s++;
	}
	return *mask ? 0 : -1;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	enum { O_FORMAT = 256, O_TFTP, O_HTTP, O_TYPE, O_PROFILE, O_FAILON, O_DISABLE, O_ENABLE,
	       O_BASELINE, O_WBASELINE, O_COLOR, O_HELP };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, O_FORMAT },
		{ "tftp-root", required_argument, NULL, O_TFTP },
		{ "http-root", required_argument, NULL, O_HTTP },
		{ "type", required_argument, NULL, O_TYPE },
		{ "profile", required_argument, NULL, O_PROFILE },
		{ "fail-on", required_argument, NULL, O_FAILON },
		{ "disable", required_argument, NULL, O_DISABLE },
		{ "enable", required_argument, NULL, O_ENABLE },
		{ "baseline", required_argument, NULL, O_BASELINE },
		{ "write-baseline", required_argument, NULL, O_WBASELINE },
		{ "color", optional_argument, NULL, O_COLOR },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (ch) {
		case O_FORMAT:
			if (strcmp(optarg, "text") && strcmp(optarg, "gnu") &&
			    strcmp(optarg, "github") && strcmp(optarg, "json") &&
			    strcmp(optarg, "junit") && strcmp(optarg, "sarif"))
				return usage_error("--format takes text, gnu, github, json, junit "
						   "or sarif, not", optarg);
			a->format = optarg;
			break;
		case O_TFTP:
		case O_HTTP: {
			struct stat st;

			if (stat(optarg, &st) != 0 || !S_ISDIR(st.st_mode)) {
				fprintf(stderr, "netboot-check lint: %s %s: not a directory\n",
					ch == O_TFTP ? "--tftp-root" : "--http-root", optarg);
				return EXIT_CANNOT;
			}
			if (ch == O_TFTP)
				a->run.roots.tftp = optarg;
			else
				a->run.roots.http = optarg;
			break;
		}
		case O_TYPE: {
			bool ok = false;

			for (unsigned k = K_DHCPD; k <= K_IPXE; k++)
				if (strcmp(optarg, kind_names[k]) == 0) {
					a->type = (enum kind)k;
					ok = true;
				}
			if (!ok)
				return usage_error("--type takes isc-dhcpd, dnsmasq, kea, pxelinux or "
						   "ipxe, not", optarg);
			break;
		}
		case O_PROFILE:
			if (parse_profiles(optarg, &a->run.profiles) != 0)
				return usage_error("--profile takes bios-pxe, efi64-pxe, efi64-pxe-9, "
						   "ipxe-bios, ipxe-efi64, not", optarg);
			break;
		case O_FAILON:
			if (strcmp(optarg, "error") == 0)
				a->fail_on = NBC_SEV_ERROR;
			else if (strcmp(optarg, "warning") == 0)
				a->fail_on = NBC_SEV_WARNING;
			else if (strcmp(optarg, "info") == 0 || strcmp(optarg, "note") == 0)
				a->fail_on = NBC_SEV_INFO;
			else
				return usage_error("--fail-on takes error, warning or info, not",
						   optarg);
			break;
		case O_DISABLE:
		case O_ENABLE:
			if (rules_find(optarg) == NULL && lint_rule_hint(optarg) == NULL)
				return usage_error("no such rule:", optarg);
			if (ch == O_DISABLE && a->ndisabled < sizeof(a->disabled) / sizeof(a->disabled[0]))
				a->disabled[a->ndisabled++] = optarg;
			for (size_t i = 0; ch == O_ENABLE && i < a->ndisabled; i++)
				if (strcmp(a->disabled[i], optarg) == 0)
					a->disabled[i--] = a->disabled[--a->ndisabled];
			break;
		case O_BASELINE:
			a->baseline = optarg;
			break;
		case O_WBASELINE:
			a->write_baseline = optarg;
			break;
		case O_COLOR:
			if (optarg == NULL || strcmp(optarg, "always") == 0)
				a->color = 1;
			else if (strcmp(optarg, "never") == 0)
				a->color = 0;
			else if (strcmp(optarg, "auto") == 0)
				a->color = -1;
			else
				return usage_error("--color takes auto, always or never, not", optarg);
			break;
		case 'o':
			a->outpath = optarg;
			break;
		case 'h':
		case O_HELP:
			usage(stdout);
			return -1;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return usage_error("no PATH to check", NULL);
	return 0;
}

int lint_main(int argc, char **argv)
{
	struct args a = { .format = "text", .fail_on = NBC_SEV_ERROR, .color = -1 };
	struct lint_ctx *c = NULL;
	struct lint_finding **fs = NULL;
	char **base = NULL;
	size_t nbase = 0, nfs = 0;
	FILE *out = stdout;
	int rc;

	a.run.profiles = (1u << LP__COUNT) - 1;
	rc = parse_args(argc, argv, &a);
	if (rc != 0)
		return rc < 0 ? EXIT_CLEAN : rc;
	rc = EXIT_CANNOT;
	for (int i = optind; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (walk(&a, argv[i], 0) != 0)
				goto done;
		} else if (classify_file(&a, argv[i], true) != 0) {
			goto done;
		}
	}
	if (a.baseline && load_baseline(a.baseline, &base, &nbase) != 0)
		goto done;
	drop_parts(&a);
	c = lint_ctx_new();
	if (c == NULL)
		goto done;
	for (size_t i = 0; i < a.nin; i++)
		if (check_file(c, &a.in[i], &a) != 0)
			goto done;

	/* Sort, drop duplicates, disabled rules and suppressions; then the baseline. */
	fs = calloc(lint_nfindings(c) + 1, sizeof(*fs));
	if (fs == NULL)
		goto done;
	for (size_t i = 0; i < lint_nfindings(c); i++)
		fs[nfs++] = (struct lint_finding *)lint_finding_at(c, i);
	qsort(fs, nfs, sizeof(*fs), cmp_finding);
	{
		size_t k = 0;

		for (size_t i = 0; i < nfs; i++) {
			if (k > 0 && same_finding(fs[k - 1], fs[i]))
				continue;
			if (rule_disabled(&a, fs[i]->rule))
				continue;
			if (suppressed(fs[i])) {
				a.suppressed++;
				continue;
			}
			fs[k++] = fs[i];
		}
		nfs = k;
	}
	if (a.write_baseline && write_baseline(a.write_baseline, fs, nfs) != 0)
		goto done;
	if (a.write_baseline) {
		a.baselined = nfs;
		nfs = 0;
	}
	for (size_t i = 0, k = 0; i < nfs; i++) {
		char line[NBC_MSG_MAX + PATH_MAX + 64];
		bool known = false;

		baseline_line(fs[i], line, sizeof(line));
		for (size_t j = 0; j < nbase && !known; j++)
			known = strcmp(base[j], line) == 0;
		if (known)
			a.baselined++;
		else
			fs[k++] = fs[i];
		if (i + 1 == nfs)
			nfs = k;
	}

	if (a.outpath) {
		out = fopen(a.outpath, "w");
		if (out == NULL) {
			fprintf(stderr, "netboot-check lint: -o %s: %s\n", a.outpath, strerror(errno));
			goto done;
		}
	}
	{
		struct lint_out lo = {
			.format = a.format,
			.color = a.color == 1 || (a.color == -1 && !a.outpath && isatty(fileno(out))),
			.fail_on = a.fail_on,
			.files = a.nin,
			.suppressed = a.suppressed,
			.baselined = a.baselined,
			.dropped = c->findings_dropped,
		};
		const char *paths[INPUTS_MAX];

		for (size_t i = 0; i < a.nin; i++)
			paths[i] = a.in[i].path;
		lo.paths = paths;
		lint_write(out, &lo, (const struct lint_finding *const *)fs, nfs);
	}
	rc = EXIT_CLEAN;
	for (size_t i = 0; i < nfs; i++)
		if (fs[i]->sev >= a.fail_on)
			rc = EXIT_FINDINGS;
	if (out != stdout && fclose(out) != 0) {
		fprintf(stderr, "netboot-check lint: -o %s: %s\n", a.outpath, strerror(errno));
		rc = EXIT_CANNOT;
	}
done:
	for (size_t i = 0; i < a.nin; i++)
		free(a.in[i].path);
	free(a.in);
	for (size_t i = 0; i < nbase; i++)
		free(base[i]);
	free(base);
	free(fs);
	lint_ctx_free(c);
	return rc;
}
