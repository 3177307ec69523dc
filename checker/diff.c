/* diff.c: `netboot-check diff GOOD BAD`: align a boot that worked with one that did not, name the first divergence. */
/* nftw() is XSI. */
#define _XOPEN_SOURCE 700
#include "checker/diff.h"

#include <ctype.h>
#include <ftw.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checker/capture.h"
#include "checker/engine.h"
#include "proto/net.h"
#include "reports/report.h"

enum { EXIT_SAME = 0, EXIT_DIVERGE = 1, EXIT_CANNOT = 2, EXIT_USAGE = 3 };

#define DIFF_STAGES_MAX 512	/* stages aligned per client; the rest are not compared */
#define KEY_MAX 200

struct side {
	const char *role;	/* "good", "bad" */
	const char *path;
	struct nbc_engine *e;
	const struct nbc_report *r;
	const struct nbc_client *c;
	int ci;
	size_t n;		/* stages compared */
	char (*keys)[KEY_MAX];
};

struct pair {
	int g, b;		/* stage indexes, -1 for none */
	bool same;		/* both present with equal keys; else they differ */
};

static void usage(FILE *out)
{
	fputs("usage: netboot-check diff [options] GOOD BAD\n"
	      "\n"
	      "Aligns the boot stages of a client that booted (in capture GOOD) with those of one\n"
	      "that did not (in capture BAD), ignoring what always differs (MAC, IP, xid, ports,\n"
	      "times, UUID, frame numbers), and says where they part and what follows.\n"
	      "\n"
	      "  --good-client MAC       the client to take from GOOD (default: the first that booted)\n"
	      "  --bad-client MAC        the client to take from BAD (default: the first that did not)\n"
	      "  --gold NAME|FILE|SITE   compare BAD with the gold flow of the reference pair\n"
	      "                          instead of GOOD: a gold capture (pcaps/gold/NAME.pcap,\n"
	      "                          e.g. seed-flow, or a capture file), or a site file: then\n"
	      "                          netboot-serve --site SITE and netboot-firmware boot\n"
	      "                          against each other now, as BAD's client would (through\n"
	      "                          gate, as root), and that capture is the gold flow\n"
	      "  --format text|json|html (default text; html: one self-contained page)\n"
	      "  -o FILE                 write the result to FILE\n"
	      "\n"
	      "exit status: 0 the boots do not diverge, 1 they do, 2 a capture cannot be read or\n"
	      "has no such client, 3 usage error\n",
	      out);
}

/* ---------------------------------------------------------------------------------------- */
/* What a stage did, without what always differs. */

static bool is_ipv4_at(const char *s)
{
	int dots = 0, digits = 0;

	for (; *s && (isdigit((unsigned char)*s) || *s == '.'); s++) {
		if (*s == '.') {
			if (digits == 0)
				return false;
			dots++;
			digits = 0;
		} else if (++digits > 3) {
			return false;
		}
	}
	return dots == 3 && digits > 0;
}

/* The word after `marker` in detail, or "" ("boot file X", "GET X", "loaded X", "target X"). */
static void word_after(const char *detail, const char *marker, char *out, size_t cap)
{
	const char *p = strstr(detail, marker);
	size_t n = 0;

	out[0] = '\0';
	if (p == NULL)
		return;
	p += strlen(marker);
	while (p[n] && p[n] != ' ' && p[n] != ';' && p[n] != ',' && n + 1 < cap)
		n++;
	snprintf(out, cap, "%.*s", (int)n, p);
}

/* A URL or name with its IPv4 host masked: servers may differ between the two sites. */
static void mask_ip(const char *in, char *out, size_t cap)
{
	size_t o = 0;

	for (const char *s = in; *s && o + 4 < cap;) {
		if ((s == in || !isdigit((unsigned char)s[-1])) && is_ipv4_at(s)) {
			memcpy(out + o, "IP", 2);
			o += 2;
			while (isdigit((unsigned char)*s) || *s == '.')
				s++;
		} else {
			out[o++] = *s++;
		}
	}
	out[o] = '\0';
}

/* The subject of a stage: the boot file handed, the file fetched, the config loaded... */
static void stage_subject(const struct nbc_stage *s, char *out, size_t cap)
{
	char w[KEY_MAX];

	w[0] = '\0';
	switch (s->kind) {
	case NBC_STAGE_PXE_DHCP:
	case NBC_STAGE_IPXE_DHCP:
	case NBC_STAGE_DHCP:
		word_after(s->detail, "boot file ", w, sizeof(w));
		break;
	case NBC_STAGE_PXELINUX_CONFIG:
		word_after(s->detail, "loaded ", w, sizeof(w));
		break;
	case NBC_STAGE_ISCSI:
		word_after(s->detail, "target ", w, sizeof(w));
		break;
	case NBC_STAGE_LOCALBOOT:
	case NBC_STAGE_KERNEL:
	case NBC_STAGE_SANBOOT:
		break;
	default:
		if (strncmp(s->detail, "GET ", 4) == 0 || strncmp(s->detail, "HEAD ", 5) == 0)
			word_after(s->detail, " ", w, sizeof(w));
		else
			word_after(s->detail, "", w, sizeof(w));
		break;
	}
	mask_ip(w, out, cap);
}

static void stage_key(const struct nbc_stage *s, char *out, size_t cap)
{
	char subj[KEY_MAX];

	stage_subject(s, subj, sizeof(subj));
	snprintf(out, cap, "%s %s %s", nbc_stage_name(s->kind), nbc_result_name(s->result), subj);
}

/* ---------------------------------------------------------------------------------------- */

static int load(struct side *sd, const char *mac_opt, bool want_booted)
{
	struct eng_options opt = { 30.0, NULL, NULL, false };
	char err[512];
	bool truncated = false;
	uint8_t mac[6];

	sd->e = engine_new(&opt);
	if (sd->e == NULL) {
		fputs("netboot-check diff: out of memory\n", stderr);
		return -1;
	}
	if (capture_read_file(sd->path, sd->e, &truncated, err, sizeof(err)) != 0) {
		fprintf(stderr, "netboot-check diff: %s\n", err);
		return -1;
	}
	sd->r = engine_finish(sd->e);
	sd->ci = -1;
	if (mac_opt) {
		net_mac_parse(mac_opt, mac);
		for (size_t i = 0; i < sd->r->nclients; i++)
			if (sd->r->clients[i].has_mac && memcmp(sd->r->clients[i].mac, mac, 6) == 0)
				sd->ci = (int)i;
		if (sd->ci < 0) {
			fprintf(stderr, "netboot-check diff: %s: no client %s in this capture\n",
				sd->path, mac_opt);
			return -1;
		}
	} else {
		/* The first client that booted (good) or did not (bad); else the first with stages. */
		for (size_t i = 0; i < sd->r->nclients && sd->ci < 0; i++)
			if (sd->r->clients[i].nstages > 0 &&
			    (sd->r->clients[i].verdict == NBC_VERDICT_BOOTED) == want_booted)
				sd->ci = (int)i;
		for (size_t i = 0; i < sd->r->nclients && sd->ci < 0; i++)
			if (sd->r->clients[i].nstages > 0)
				sd->ci = (int)i;
		if (sd->ci < 0) {
			fprintf(stderr, "netboot-check diff: %s: no client network-booted in this "
					"capture\n", sd->path);
			return -1;
		}
		size_t others = 0;

		for (size_t i = 0; i < sd->r->nclients; i++)
			others += sd->r->clients[i].nstages > 0 && (int)i != sd->ci;
		if (others)
			fprintf(stderr, "netboot-check diff: %s has %zu other booting client%s; "
					"comparing the %s one (--%s-client MAC picks another)\n",
				sd->path, others, others == 1 ? "" : "s",
				want_booted ? "first booted" : "first failing", sd->role);
	}
	sd->c = &sd->r->clients[sd->ci];
	sd->n = sd->c->nstages < DIFF_STAGES_MAX ? sd->c->nstages : DIFF_STAGES_MAX;
	sd->keys = calloc(sd->n + 1, sizeof(*sd->keys));
	if (sd->keys == NULL)
		return -1;
	for (size_t i = 0; i < sd->n; i++)
		stage_key(&sd->c->stages[i], sd->keys[i], KEY_MAX);
	return 0;
}

/*
 * Between two matched rows, a good-only stage and a bad-only stage of the same kind are one
 * step done differently (iPXE's DHCP handed a script here, a binary there): one row.
 */
static size_t pair_up(const struct side *g, const struct side *b, struct pair *p, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		if (p[k].g < 0 || p[k].b >= 0)
			continue;
		for (size_t j = k + 1; j < n && !(p[j].g >= 0 && p[j].b >= 0); j++) {
			if (p[j].g >= 0 || p[j].b < 0 ||
			    g->c->stages[p[k].g].kind != b->c->stages[p[j].b].kind)
				continue;
			p[k].b = p[j].b;
			memmove(&p[j], &p[j + 1], (n - j - 1) * sizeof(*p));
			n--;
			break;
		}
	}
	return n;
}

/* Longest common subsequence of the stage keys; pairs in order, gaps as -1. */
static size_t align(const struct side *g, const struct side *b, struct pair *out)
{
	size_t n = g->n, m = b->n, k = 0;
	unsigned short *t = calloc((n + 1) * (m + 1), sizeof(*t));

	if (t == NULL)
		return 0;
#define T(i, j) t[(i) * (m + 1) + (j)]
	for (size_t i = n; i-- > 0;)
		for (size_t j = m; j-- > 0;)
			T(i, j) = strcmp(g->keys[i], b->keys[j]) == 0
					  ? (unsigned short)(T(i + 1, j + 1) + 1)
					  : (T(i + 1, j) >= T(i, j + 1) ? T(i + 1, j) : T(i, j + 1));
	size_t i = 0, j = 0;

	while (i < n || j < m) {
		if (i < n && j < m && strcmp(g->keys[i], b->keys[j]) == 0) {
			out[k++] = (struct pair){ (int)i++, (int)j++, true };
		} else if (j >= m || (i < n && T(i + 1, j) >= T(i, j + 1))) {
			out[k++] = (struct pair){ (int)i++, -1, false };
		} else {
			out[k++] = (struct pair){ -1, (int)j++, false };
		}
	}
#undef T
	free(t);
	return pair_up(g, b, out, k);
}

/* "the good client's ipxe-dhcp at frame 31 was handed http://.../boot.ipxe" */
static void describe(const struct side *sd, int i, char *out, size_t cap)
{
	const struct nbc_stage *s = &sd->c->stages[i];
	char subj[KEY_MAX];

	stage_subject(s, subj, sizeof(subj));
	word_after(s->detail, s->kind == NBC_STAGE_PXE_DHCP || s->kind == NBC_STAGE_IPXE_DHCP ||
				      s->kind == NBC_STAGE_DHCP ? "boot file " : "", subj,
		   sizeof(subj));
	if ((s->kind == NBC_STAGE_PXE_DHCP || s->kind == NBC_STAGE_IPXE_DHCP ||
	     s->kind == NBC_STAGE_DHCP) && s->result == NBC_RESULT_OK)
		snprintf(out, cap, "the %s client's %s at frame %llu was handed %s", sd->role,
			 nbc_stage_name(s->kind), (unsigned long long)s->frame,
			 subj[0] ? subj : "no boot file");
	else
		snprintf(out, cap, "the %s client's %s at frame %llu %s: %s", sd->role,
			 nbc_stage_name(s->kind), (unsigned long long)s->frame,
			 s->result == NBC_RESULT_OK ? "went fine"
			 : s->result == NBC_RESULT_FAILED ? "failed" : "did not finish",
			 s->detail);
}

struct result {
	struct pair *pairs;
	size_t npairs;
	long first;		/* index into pairs of the first divergence, -1 for none */
	char sentence[2 * NBC_MSG_MAX];
};

static void diverge(const struct side *g, const struct side *b, struct result *res)
{
	char a[NBC_MSG_MAX], c[NBC_MSG_MAX];

	res->first = -1;
	for (size_t k = 0; k < res->npairs; k++)
		if (!res->pairs[k].same) {
			res->first = (long)k;
			break;
		}
	if (res->first < 0) {
		/* Same stages: the verdicts may still differ (a stall after the last stage). */
		if (g->c->verdict != b->c->verdict)
			res->first = (long)res->npairs;
		else
			return;
	}
	/* The first good-only and bad-only stages from the divergence on. */
	int gi = -1, bi = -1;

	for (size_t k = (size_t)res->first; k < res->npairs; k++) {
		if (res->pairs[k].same)
			continue;
		if (gi < 0 && res->pairs[k].g >= 0)
			gi = res->pairs[k].g;
		if (bi < 0 && res->pairs[k].b >= 0)
			bi = res->pairs[k].b;
	}
	if (gi >= 0)
		describe(g, gi, a, sizeof(a));
	if (bi >= 0)
		describe(b, bi, c, sizeof(c));
	if (gi >= 0 && bi >= 0)
		snprintf(res->sentence, sizeof(res->sentence), "%s; %s", a, c);
	else if (gi >= 0)
		snprintf(res->sentence, sizeof(res->sentence), "%s; the %s client never got there "
			 "(%s, %s)", a, b->role, nbc_verdict_name(b->c->verdict),
			 b->c->nstages ? nbc_stage_name(b->c->stages[b->c->nstages - 1].kind) : "-");
	else if (bi >= 0)
		snprintf(res->sentence, sizeof(res->sentence), "%s, which the %s client never did",
			 c, g->role);
	else
		snprintf(res->sentence, sizeof(res->sentence), "the same stages, but the %s client "
			 "%s and the %s client %s", g->role, nbc_verdict_name(g->c->verdict),
			 b->role, nbc_verdict_name(b->c->verdict));
}

static void client_name(const struct nbc_client *c, char *out, size_t cap)
{
	if (c->has_mac)
		net_mac_str(c->mac, out, cap);
	else
		snprintf(out, cap, "(no MAC)");
}

static void write_text(FILE *out, const struct side *g, const struct side *b,
		       const struct result *res)
{
	const struct side *sides[2] = { g, b };
	char mac[24];

	for (int k = 0; k < 2; k++) {
		client_name(sides[k]->c, mac, sizeof(mac));
		fprintf(out, "%-4s %s client %s: %s, %zu stages\n", sides[k]->role, sides[k]->path,
			mac, nbc_verdict_name(sides[k]->c->verdict), sides[k]->c->nstages);
	}
	if (res->first < 0) {
		fputs("\nno divergence: the same stages with the same results\n", out);
		return;
	}
	fprintf(out, "\nfirst divergence: %s\n\n", res->sentence);
	fputs("  good                                    bad   (= same, ~ done differently, | one side only)\n", out);
	for (size_t k = 0; k < res->npairs; k++) {
		const struct pair *p = &res->pairs[k];
		char l[64] = "", r[64] = "";

		if (p->g >= 0)
			snprintf(l, sizeof(l), "#%-6llu %s %s",
				 (unsigned long long)g->c->stages[p->g].frame,
				 nbc_stage_name(g->c->stages[p->g].kind),
				 nbc_result_name(g->c->stages[p->g].result));
		if (p->b >= 0)
			snprintf(r, sizeof(r), "#%-6llu %s %s",
				 (unsigned long long)b->c->stages[p->b].frame,
				 nbc_stage_name(b->c->stages[p->b].kind),
				 nbc_result_name(b->c->stages[p->b].result));
		fprintf(out, "%s %-38s %s %s\n", (long)k == res->first ? ">" : " ", l[0] ? l : "-",
			p->same ? "=" : p->g >= 0 && p->b >= 0 ? "~" : "|", r[0] ? r : "-");
	}
	size_t nf = 0;

	for (size_t i = 0; i < b->r->nfindings; i++)
		nf += b->r->findings[i].client == b->ci;
	if (nf) {
		fputs("\nthe bad client's findings:\n", out);
		for (size_t i = 0; i < b->r->nfindings; i++) {
			const struct nbc_finding *f = &b->r->findings[i];

			if (f->client == b->ci)
				fprintf(out, "  %-7s %s frame %llu: %s\n", nbc_sev_name(f->sev), f->rule,
					(unsigned long long)f->frame, f->message);
		}
	}
}

static void json_side(FILE *out, const struct side *sd)
{
	char mac[24];

	fputs("{\"file\": ", out);
	report_json_string(out, sd->path);
	fputs(", \"client\": ", out);
	client_name(sd->c, mac, sizeof(mac));
	report_json_string(out, mac);
	fprintf(out, ", \"verdict\": \"%s\", \"stages\": [", nbc_verdict_name(sd->c->verdict));
	for (size_t i = 0; i < sd->n; i++) {
		const struct nbc_stage *s = &sd->c->stages[i];

		fprintf(out, "%s{\"stage\": \"%s\", \"result\": \"%s\", \"frame\": %llu, \"key\": ",
			i ? ", " : "", nbc_stage_name(s->kind), nbc_result_name(s->result),
			(unsigned long long)s->frame);
		report_json_string(out, sd->keys[i]);
		fputs("}", out);
	}
	fputs("]}", out);
}

static void write_json(FILE *out, const struct side *g, const struct side *b,
		       const struct result *res)
{
	fprintf(out, "{\n  \"tool\": \"netboot-check\",\n  \"version\": \"%s\",\n"
		     "  \"command\": \"diff\",\n  \"good\": ", NBC_VERSION);
	json_side(out, g);
	fputs(",\n  \"bad\": ", out);
	json_side(out, b);
	fputs(",\n  \"aligned\": [", out);
	for (size_t k = 0; k < res->npairs; k++) {
		fprintf(out, "%s[", k ? ", " : "");
		if (res->pairs[k].g >= 0)
			fprintf(out, "%d", res->pairs[k].g);
		else
			fputs("null", out);
		if (res->pairs[k].b >= 0)
			fprintf(out, ", %d, %s]", res->pairs[k].b, res->pairs[k].same ? "true" : "false");
		else
			fputs(", null, false]", out);
	}
	fputs("],\n  \"divergence\": ", out);
	if (res->first < 0) {
		fputs("null", out);
	} else {
		fprintf(out, "{\"index\": %ld, \"message\": ", res->first);
		report_json_string(out, res->sentence);
		fputs("}", out);
	}
	fputs("\n}\n", out);
}

static void html_cell(FILE *out, const struct side *sd, int i)
{
	const struct nbc_stage *st;

	if (i < 0) {
		fputs("<td class=none>-</td>", out);
		return;
	}
	st = &sd->c->stages[i];
	fprintf(out, "<td class=%s><b>#%llu %s %s</b><br>", nbc_result_name(st->result),
		(unsigned long long)st->frame, nbc_stage_name(st->kind),
		nbc_result_name(st->result));
	report_html_string(out, st->detail);
	fputs("</td>", out);
}

/* One self-contained page (no fetches), escaped as analyze's HTML report is. */
static void write_html(FILE *out, const struct side *g, const struct side *b,
		       const struct result *res)
{
	const struct side *sides[2] = { g, b };
	char mac[24];

	fputs("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
	      "<title>netboot-check diff</title>\n<style>"
	      "body{font:14px sans-serif;margin:1.5em}table{border-collapse:collapse;width:100%}"
	      "td,th{border:1px solid #ccc;padding:4px 6px;vertical-align:top;font:12px monospace}"
	      "td.ok{background:#eef8ee}td.failed{background:#fbe9e9}td.partial{background:#fdf3e1}"
	      "td.none{color:#999}tr.first{outline:3px solid #c00}.mark{text-align:center}"
	      ".div{font-size:15px;padding:.6em;border-left:4px solid #c00;background:#fff5f5}"
	      "</style></head><body>\n<h1>netboot-check diff</h1>\n<ul>", out);
	for (int k = 0; k < 2; k++) {
		client_name(sides[k]->c, mac, sizeof(mac));
		fprintf(out, "<li><b>%s</b>: ", sides[k]->role);
		report_html_string(out, sides[k]->path);
		fputs(", client ", out);
		report_html_string(out, mac);
		fprintf(out, ": %s, %zu stages</li>", nbc_verdict_name(sides[k]->c->verdict),
			sides[k]->c->nstages);
	}
	fputs("</ul>\n<p class=div>", out);
	if (res->first < 0) {
		fputs("No divergence: the same stages with the same results.", out);
	} else {
		fputs("<b>First divergence:</b> ", out);
		report_html_string(out, res->sentence);
	}
	fputs("</p>\n<table><tr><th>good</th><th></th><th>bad</th></tr>\n", out);
	for (size_t k = 0; k < res->npairs; k++) {
		const struct pair *p = &res->pairs[k];

		fprintf(out, "<tr%s>", (long)k == res->first ? " class=first" : "");
		html_cell(out, g, p->g);
		fprintf(out, "<td class=mark>%s</td>",
			p->same ? "=" : p->g >= 0 && p->b >= 0 ? "&ne;" : "|");
		html_cell(out, b, p->b);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
	size_t nf = 0;

	for (size_t i = 0; i < b->r->nfindings; i++) {
		const struct nbc_finding *f = &b->r->findings[i];

		if (f->client != b->ci)
			continue;
		if (nf++ == 0)
			fputs("<h2>The bad client's findings</h2>\n<ul>", out);
		fprintf(out, "<li><b>%s %s</b> frame %llu: ", nbc_sev_name(f->sev), f->rule,
			(unsigned long long)f->frame);
		report_html_string(out, f->message);
		if (f->hint) {
			fputs("<br><i>fix:</i> ", out);
			report_html_string(out, f->hint);
		}
		fputs("</li>", out);
	}
	if (nf)
		fputs("</ul>\n", out);
	fprintf(out, "<p><small>netboot-check %s</small></p>\n</body></html>\n", NBC_VERSION);
}

/* Does path start like a pcap or pcapng file? */
static bool is_capture(const char *path)
{
	static const uint32_t magics[] = { 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1,
					   0x0a0d0d0a };
	uint32_t m = 0;
	FILE *f = fopen(path, "rb");
	bool yes = false;

	if (f == NULL)
		return false;
	if (fread(&m, sizeof(m), 1, f) == 1)
		for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
			yes = yes || m == magics[i];
	fclose(f);
	return yes;
}

/* The directory of our own executable (for netboot-serve beside it, and pcaps/gold). */
static bool exe_dir(char *out, size_t cap)
{
	ssize_t n = readlink("/proc/self/exe", out, cap - 1);
	char *slash;

	if (n <= 0)
		return false;
	out[n] = '\0';
	slash = strrchr(out, '/');
	if (slash == NULL)
		return false;
	*slash = '\0';
	return true;
}

/* A gold capture: a capture file as given, else NAME under pcaps/gold here or in the build's
 * tree. 1: found; 0: not a capture (maybe a site file); -1: nothing of that name. */
static int gold_capture(const char *name, char *out, size_t cap)
{
	struct stat st;
	char dir[PATH_MAX];

	if (stat(name, &st) == 0 && S_ISREG(st.st_mode)) {
		snprintf(out, cap, "%s", name);
		return is_capture(name) ? 1 : 0;
	}
	snprintf(out, cap, "pcaps/gold/%s.pcap", name);
	if (stat(out, &st) == 0)
		return 1;
	/* The build tree: build/bin/netboot-check -> ../../pcaps/gold. */
	if (exe_dir(dir, sizeof(dir))) {
		snprintf(out, cap, "%s/../../pcaps/gold/%s.pcap", dir, name);
		if (stat(out, &st) == 0)
			return 1;
	}
	return -1;
}

/* gate's profile for the client: one that began as iPXE, a UEFI x64 ROM, else a BIOS ROM. */
static const char *gate_profile(const struct nbc_client *c)
{
	if (c->nstages > 0 && c->stages[0].kind == NBC_STAGE_IPXE_DHCP)
		return "ipxe";
	return c->arch == 7 || c->arch == 9 ? "efi64" : "bios";
}

/*
 * The gold flow for a site: netboot-serve --site SITE and netboot-firmware, booted against
 * each other now by `netboot-check gate` (a namespace pair, the firmware as the profile
 * that fits BAD's client); its capture, kept in a temporary directory, is the good side.
 */
static int gold_from_site(const char *site, const struct nbc_client *bad, char *out,
			  size_t cap, char *tmpdir, size_t tcap)
{
	char dir[PATH_MAX], serve[PATH_MAX + 32], server[2 * PATH_MAX + 64], self[PATH_MAX];
	char site_abs[PATH_MAX], log[PATH_MAX + 16];
	const char *profile = gate_profile(bad);
	struct stat st;
	pid_t pid;
	int status = 0;

	if (geteuid() != 0) {
		fprintf(stderr, "netboot-check diff: --gold %s is a site file: booting the reference "
				"pair needs root (network namespaces)\n", site);
		return -1;
	}
	if (!exe_dir(dir, sizeof(dir)) || realpath(site, site_abs) == NULL) {
		fprintf(stderr, "netboot-check diff: --gold %s: cannot resolve it\n", site);
		return -1;
	}
	snprintf(self, sizeof(self), "%s/netboot-check", dir);
	snprintf(serve, sizeof(serve), "%s/netboot-serve", dir);
	if (stat(serve, &st) != 0) {
		fprintf(stderr, "netboot-check diff: --gold: no netboot-serve beside %s\n", self);
		return -1;
	}
	snprintf(tmpdir, tcap, "/tmp/nbc-gold-XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("netboot-check diff: mkdtemp");
		return -1;
	}
	snprintf(server, sizeof(server), "%s --site %s --iface {iface}", serve, site_abs);
	snprintf(log, sizeof(log), "%s/gate.log", tmpdir);
	fprintf(stderr, "netboot-check diff: booting the reference pair for %s as %s "
			"(netboot-check gate)...\n", site, profile);
	pid = fork();
	if (pid < 0) {
		perror("netboot-check diff: fork");
		return -1;
	}
	if (pid == 0) {
		FILE *f = freopen(log, "w", stdout);

		if (f == NULL || dup2(fileno(stdout), 2) < 0)
			_exit(2);
		execl(self, self, "gate", "--server", server, "--profile", profile, "--keep",
		      tmpdir, "--timeout", "60", (char *)NULL);
		_exit(2);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) > 1) {
		fprintf(stderr, "netboot-check diff: the reference pair could not run for %s (see "
				"%s)\n", site, log);
		return -1;
	}
	snprintf(out, cap, "%s/%s.pcap", tmpdir, profile);
	if (stat(out, &st) != 0) {
		fprintf(stderr, "netboot-check diff: no capture of the reference pair (see %s)\n",
			log);
		return -1;
	}
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 ? 0 : -1;
}

/* The temporary directory gate kept its capture and logs in (never a link followed). */
static void remove_tree(const char *dir)
{
	if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "netboot-check diff: kept %s\n", dir);
}

int diff_main(int argc, char **argv)
{
	enum { O_GOODC = 256, O_BADC, O_GOLD, O_FORMAT, O_HELP };
	static const struct option longopts[] = {
		{ "good-client", required_argument, NULL, O_GOODC },
		{ "bad-client", required_argument, NULL, O_BADC },
		{ "gold", required_argument, NULL, O_GOLD },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *goodc = NULL, *badc = NULL, *gold = NULL, *format = "text", *outpath = NULL;
	struct side g = { .role = "good" }, b = { .role = "bad" };
	struct result res = { 0 };
	char goldbuf[PATH_MAX + 64], tmpdir[64] = "";
	uint8_t mac[6];
	FILE *out = stdout;
	int ch, rc = EXIT_CANNOT;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (ch) {
		case O_GOODC:
		case O_BADC:
			if (!net_mac_parse(optarg, mac)) {
				fprintf(stderr, "netboot-check diff: not a MAC address: %s\n", optarg);
				return EXIT_USAGE;
			}
			*(ch == O_GOODC ? &goodc : &badc) = optarg;
			break;
		case O_GOLD:
			gold = optarg;
			break;
		case O_FORMAT:
			if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0 &&
			    strcmp(optarg, "html") != 0) {
				fprintf(stderr, "netboot-check diff: --format takes text, json or html, "
						"not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			format = optarg;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'h':
		case O_HELP:
			usage(stdout);
			return EXIT_SAME;
		default:
			return EXIT_USAGE;
		}
	}
	if (argc - optind != (gold ? 1 : 2)) {
		fprintf(stderr, "netboot-check diff: %s (see netboot-check diff --help)\n",
			gold ? "--gold takes one capture, the bad one" : "diff takes two captures, "
			"GOOD and BAD");
		return EXIT_USAGE;
	}
	b.path = argv[optind + (gold ? 0 : 1)];
	if (gold) {
		int k = gold_capture(gold, goldbuf, sizeof(goldbuf));

		if (k < 0) {
			fprintf(stderr, "netboot-check diff: no gold capture or site file '%s' (a "
					"capture, a name in pcaps/gold, or a site file)\n", gold);
			return EXIT_CANNOT;
		}
		/* A site file: BAD first, to know which client to boot as. */
		if (k == 0) {
			if (load(&b, badc, false) != 0 ||
			    gold_from_site(gold, b.c, goldbuf, sizeof(goldbuf), tmpdir,
					   sizeof(tmpdir)) != 0)
				goto done;
		}
		g.path = goldbuf;
	} else {
		g.path = argv[optind];
	}
	if (load(&g, goodc, true) != 0 || (b.e == NULL && load(&b, badc, false) != 0))
		goto done;
	res.pairs = calloc(g.n + b.n + 1, sizeof(*res.pairs));
	if (res.pairs == NULL)
		goto done;
	res.npairs = align(&g, &b, res.pairs);
	diverge(&g, &b, &res);
	if (outpath) {
		out = fopen(outpath, "w");
		if (out == NULL) {
			perror(outpath);
			goto done;
		}
	}
	if (strcmp(format, "json") == 0)
		write_json(out, &g, &b, &res);
	else if (strcmp(format, "html") == 0)
		write_html(out, &g, &b, &res);
	else
		write_text(out, &g, &b, &res);
	rc = res.first < 0 ? EXIT_SAME : EXIT_DIVERGE;
	if (out != stdout && fclose(out) != 0) {
		perror(outpath);
		rc = EXIT_CANNOT;
	}
done:
	if (tmpdir[0] && getenv("NBC_KEEP_GOLD") == NULL)
		remove_tree(tmpdir);
	free(res.pairs);
	free(g.keys);
	free(b.keys);
	if (g.e)
		engine_free(g.e);
	if (b.e)
		engine_free(b.e);
	return rc;
}
