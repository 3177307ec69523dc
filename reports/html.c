/* html.c: the HTML report for people: one self-contained page (inline CSS, SVG and JS). */
#include "reports/report.h"

#include <stdint.h>
#include <string.h>

#include "proto/net.h"

/* The ladder diagram's geometry, in SVG user units (CSS pixels at scale 1). */
#define LD_WIDTH 1240		/* at least; wider when many servers leave the text column narrow */
#define LD_LINE 15		/* text line pitch */
#define LD_CHAR 7.3		/* advance of one 12px monospace glyph, for wrapping */
#define LD_CLIENT 110		/* x of the client's lifeline */
#define LD_LANE 140		/* distance between lifelines */
#define LD_LABEL 17		/* characters of a lifeline's name shown: a MAC address */
#define LD_SRV 5		/* server lifelines; the last collects any further servers */
#define LD_TOP 44		/* y of the first row */

static unsigned html_sections;	/* inputs written since report_html_begin: unique element ids */

/* The code point of the UTF-8 sequence at s (at most n bytes) in *cp and its length, or 0
 * when it is not a valid, complete, shortest sequence of a character from U+00A0 up. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	uint32_t v = s[0] & (0x3fu >> (len - 1));

	if (s[0] < 0xc2 || s[0] > 0xf4 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3fu);
	}
	if (v < 0xa0 || (len == 3 && v < 0x800) || (len == 4 && v < 0x10000) || v > 0x10ffff ||
	    (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* Writes up to n bytes of s (stopping at a NUL) as HTML text or attribute value. Everything
 * from a capture or the command line goes through here, so the page holds only ASCII: a
 * valid UTF-8 character (a file name) becomes one numeric character reference, any other byte
 * from 0xa0 up a reference to that code point; the controls HTML has no reference for (C0 but
 * tab and newline, DEL, and C1, which browsers remap to Windows-1252) are written as the
 * visible text \xNN, as report_xml_string does. */
static void esc_n(FILE *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < n && u[i]; i++) {
		unsigned char c = u[i];
		uint32_t cp;
		size_t k;

		switch (c) {
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
			fputs("&#39;", out);
			break;
		default:
			if ((c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n') {
				fputc(c, out);
			} else if ((k = utf8_seq(u + i, n - i, &cp)) != 0) {
				fprintf(out, "&#x%x;", (unsigned)cp);
				i += k - 1;
			} else if (c >= 0xa0) {
				fprintf(out, "&#x%02x;", c);
			} else {
				fprintf(out, "\\x%02x", c);
			}
		}
	}
}

void report_html_string(FILE *out, const char *s)
{
	esc_n(out, s, SIZE_MAX);
}

static const char *client_label(const struct nbc_client *c, char *buf, size_t cap)
{
	if (c->has_mac)
		return net_mac_str(c->mac, buf, cap);
	if (c->ip)
		return net_ip_str(c->ip, buf, cap);
	return "(MAC unknown)";
}

/* "failed at nbp-download", "looping after ipxe-dhcp", "booted". */
static void verdict_text(const struct nbc_client *c, char *buf, size_t cap)
{
	const char *rel = c->verdict == NBC_VERDICT_FAILED ? " at "
			  : c->verdict == NBC_VERDICT_BOOTED ? " by "
							     : " after ";

	if (c->stages != NULL && c->verdict_stage >= 0 && (size_t)c->verdict_stage < c->nstages)
		snprintf(buf, cap, "%s%s%s", nbc_verdict_name(c->verdict), rel,
			 nbc_stage_name(c->stages[c->verdict_stage].kind));
	else
		snprintf(buf, cap, "%s", nbc_verdict_name(c->verdict));
}

/* Writes lead and text as SVG <text> lines at most width characters wide, breaking at spaces
 * (inside a word when there is none), later lines indented; at most maxl lines, the last cut
 * with "...". With out NULL only counts. Returns the number of lines. */
static int svg_lines(FILE *out, double x, int y, const char *cls, const char *lead,
		     const char *text, size_t width, int maxl)
{
	const char *p = text;
	size_t used = strlen(lead);
	int n = 0;

	do {
		size_t room = width > used + 8 ? width - used : 8;
		size_t take = strlen(p);
		bool cut = false;

		if (take > room) {
			if (n + 1 == maxl) {
				take = room - 3;
				cut = true;
			} else {
				take = room;
				while (take > room / 2 && p[take] != ' ')
					take--;
				if (p[take] != ' ')
					take = room;
			}
		}
		if (out) {
			fprintf(out, "<text x=\"%.1f\" y=\"%d\" class=\"%s\">", x + (n ? 2 * LD_CHAR : 0),
				y + n * LD_LINE, cls);
			if (n == 0)
				report_html_string(out, lead);
			esc_n(out, p, take);
			fputs(cut ? "...</text>\n" : "</text>\n", out);
		}
		n++;
		p += take;
		while (*p == ' ')
			p++;
		used = 2;
		if (cut)
			break;
	} while (*p);
	return n;
}

/* The server a stage talked to, from its detail text: "... OFFER #2 from 192.0.2.1",
 * "GET http://192.0.2.1/boot.ipxe", "192.0.2.1:3260 target ...". The model keeps no address
 * per stage, and every network stage's detail names one this way. */
static bool stage_server(const char *d, char *dst, size_t cap)
{
	const char *from = strstr(d, " from ");
	const char *url = strstr(d, "://");
	const char *p = NULL;
	size_t n = 0;

	if (from)
		p = from + 6;
	if (url && (!from || url < from)) {
		size_t h = 0;

		p = url + 3;
		while (p[h] && p[h] != '/' && p[h] != ' ' && p[h] != '@')
			h++;
		if (p[h] == '@')	/* user:password@host; the password is already redacted */
			p += h + 1;
	}
	if (!p && d[0] >= '0' && d[0] <= '9')
		p = d;
	if (!p)
		return false;
	while (p[n] && n + 1 < cap &&
	       ((p[n] >= '0' && p[n] <= '9') || (p[n] >= 'a' && p[n] <= 'z') ||
		(p[n] >= 'A' && p[n] <= 'Z') || p[n] == '.' || p[n] == '-'))
		n++;
	/* A leading token counts only as "address:port" (iSCSI), not "11 names tried". */
	if (n == 0 || (p == d && p[n] != ':'))
		return false;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return true;
}

struct ladder {
	const struct nbc_report *r;
	int ci;
	char srv[LD_SRV][24];
	int nsrv;
	int last;		/* lane of the last stage that had a server, -1 none */
	double tx;		/* the text column's x */
	size_t tw;		/* and its width in characters */
	int width;
};

/* The lane (server index) of a stage; -1 for the terminal stages, which happen in the
 * client. A stage whose detail names no server (pxelinux-config) stays with the last one. */
static int stage_lane(struct ladder *L, const struct nbc_stage *st)
{
	char s[24];
	int i;

	if (st->kind >= NBC_STAGE_LOCALBOOT)
		return -1;
	if (!stage_server(st->detail, s, sizeof(s))) {
		if (L->last >= 0)
			return L->last;
		snprintf(s, sizeof(s), "(server)");
	}
	for (i = 0; i < L->nsrv; i++)
		if (strcmp(L->srv[i], s) == 0)
			return L->last = i;
	if (L->nsrv < LD_SRV - 1) {
		snprintf(L->srv[L->nsrv], sizeof(L->srv[0]), "%s", s);
		return L->last = L->nsrv++;
	}
	if (L->nsrv == LD_SRV - 1)
		snprintf(L->srv[L->nsrv++], sizeof(L->srv[0]), "(other servers)");
	return L->last = LD_SRV - 1;
}

static const char *sev_cls(enum nbc_sev s)
{
	return s == NBC_SEV_ERROR ? "error" : s == NBC_SEV_WARNING ? "warning" : "info";
}

/* The colour of a verdict, as the text report has it: incomplete is not a failure. */
static const char *verdict_cls(enum nbc_verdict v)
{
	return v == NBC_VERDICT_BOOTED ? "ok" : v == NBC_VERDICT_INCOMPLETE ? "warning" : "error";
}

static const char *res_cls(enum nbc_stage_result r)
{
	return r == NBC_RESULT_FAILED ? "failed" : r == NBC_RESULT_PARTIAL ? "partial" : "ok";
}

static void arrow(FILE *out, double x1, double x2, int y, const char *cls, bool dashed)
{
	double d = x2 > x1 ? -8 : 8;

	fprintf(out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"s-%s%s\"/>", x1, y,
		x2 + d / 2, y, cls, dashed ? " dash" : "");
	fprintf(out, "<polygon points=\"%.1f,%d %.1f,%d %.1f,%d\" class=\"f-%s\"/>\n", x2, y,
		x2 + d, y - 4, x2 + d, y + 4, cls);
}

/* One row of the ladder: stage s's arrows and, in the text column, its name, result, detail
 * and findings; s == nstages is the closing row (verdict and the findings of no stage).
 * With out NULL only measures. Returns the row's height. */
static int ladder_row(FILE *out, struct ladder *L, size_t s, int y)
{
	const struct nbc_client *c = &L->r->clients[L->ci];
	const struct nbc_stage *st = s < c->nstages ? &c->stages[s] : NULL;
	char head[160];
	int n = 0, h;

	if (st) {
		snprintf(head, sizeof(head), "%s  %s  %.3f s", nbc_stage_name(st->kind),
			 nbc_result_name(st->result), st->time);
		n += svg_lines(out, L->tx, y + 12, res_cls(st->result), "", head, L->tw, 1);
		n += svg_lines(out, L->tx, y + 12 + n * LD_LINE, "d", "", st->detail, L->tw, 3);
	} else {
		verdict_text(c, head, sizeof(head));
		n += svg_lines(out, L->tx, y + 12, verdict_cls(c->verdict), "verdict: ", head, L->tw,
			       1);
	}
	for (size_t k = 0, nf = nbc_client_nfindings(L->r, L->ci); k < nf; k++) {
		const struct nbc_finding *fd = nbc_client_finding(L->r, L->ci, k);
		bool here = st ? fd->stage >= 0 && (size_t)fd->stage == s
			       : fd->stage < 0 || (size_t)fd->stage >= c->nstages;
		char lead[128];

		if (!here)
			continue;
		snprintf(lead, sizeof(lead), "%s %s frame %llu: ", nbc_sev_name(fd->sev), fd->rule,
			 (unsigned long long)fd->frame);
		n += svg_lines(out, L->tx, y + 12 + n * LD_LINE, sev_cls(fd->sev), lead, fd->message,
			       L->tw, 12);
		if (fd->hint && fd->hint[0])
			n += svg_lines(out, L->tx, y + 12 + n * LD_LINE, "hint", "fix: ", fd->hint,
				       L->tw, 12);
	}
	h = n * LD_LINE + 12;
	if (h < 46)
		h = 46;
	if (out && st) {
		int lane = stage_lane(L, st);
		double xc = LD_CLIENT;
		const char *rc = res_cls(st->result);

		fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"fr\">#%llu</text>\n", LD_CLIENT - 10,
			y + 20, (unsigned long long)st->frame);
		if (st->last_frame != st->frame)
			fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"fr\">#%llu</text>\n",
				LD_CLIENT - 10, y + 38, (unsigned long long)st->last_frame);
		if (lane < 0) {
			fprintf(out, "<path d=\"M%.1f %d h36 v18 h-28\" class=\"s-%s\"/>", xc, y + 16, rc);
			fprintf(out, "<polygon points=\"%.1f,%d %.1f,%d %.1f,%d\" class=\"f-%s\"/>\n",
				xc, y + 34, xc + 8, y + 30, xc + 8, y + 38, rc);
			fprintf(out, "<text x=\"%.1f\" y=\"%d\" class=\"%s\">%s</text>\n", xc + 42,
				y + 29, rc, nbc_stage_name(st->kind));
		} else {
			double xs = LD_CLIENT + LD_LANE * (lane + 1);

			arrow(out, xc, xs, y + 16, "req", false);
			arrow(out, xs, xc, y + 34, rc, st->result == NBC_RESULT_PARTIAL);
			fprintf(out, "<text x=\"%.1f\" y=\"%d\" class=\"mid\">%s</text>\n",
				(xc + xs) / 2, y + 12, nbc_stage_name(st->kind));
			fprintf(out, "<text x=\"%.1f\" y=\"%d\" class=\"mid %s\">%s</text>\n",
				(xc + xs) / 2, y + 30, rc, nbc_result_name(st->result));
		}
	}
	return h + 8;
}

/* The client's ladder (sequence) diagram as inline SVG: a lifeline for the client and one
 * per server, a request and a response arrow per stage. */
static void ladder(FILE *out, const struct nbc_report *r, int ci)
{
	const struct nbc_client *c = &r->clients[ci];
	struct ladder L;
	char buf[32];
	const char *name = client_label(c, buf, sizeof(buf));
	int y = LD_TOP, h;

	memset(&L, 0, sizeof(L));
	L.r = r;
	L.ci = ci;
	L.last = -1;
	for (size_t s = 0; s < c->nstages; s++)
		stage_lane(&L, &c->stages[s]);
	L.tx = LD_CLIENT + LD_LANE * (L.nsrv ? L.nsrv : 1) + 40;
	L.width = LD_WIDTH;
	if (L.tx + 90 * LD_CHAR + 10 > L.width)
		L.width = (int)(L.tx + 90 * LD_CHAR + 10);
	L.tw = (size_t)((L.width - L.tx - 10) / LD_CHAR);
	for (size_t s = 0; s <= c->nstages; s++)
		y += ladder_row(NULL, &L, s, y);
	h = y + 8;
	fprintf(out, "<svg class=\"ladder\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"role=\"img\" aria-label=\"ladder diagram of client ",
		L.width, h, L.width, h);
	report_html_string(out, name);
	fputs("\">\n", out);
	for (int i = 0; i <= L.nsrv; i++) {
		double x = LD_CLIENT + LD_LANE * i;

		fprintf(out, "<line x1=\"%.1f\" y1=\"32\" x2=\"%.1f\" y2=\"%d\" class=\"life\"/>"
			"<rect x=\"%.1f\" y=\"8\" width=\"%d\" height=\"24\" class=\"box\"/>"
			"<text x=\"%.1f\" y=\"25\" class=\"mid b\">",
			x, x, h - 6, x - (LD_LANE - 8) / 2.0, LD_LANE - 8, x);
		esc_n(out, i ? L.srv[i - 1] : name, LD_LABEL);
		fputs("</text>\n", out);
	}
	L.last = -1;
	y = LD_TOP;
	for (size_t s = 0; s <= c->nstages; s++)
		y += ladder_row(out, &L, s, y);
	fputs("</svg>\n", out);
}

static void findings_table(FILE *out, const struct nbc_report *r, int ci)
{
	bool any = false;

	for (size_t k = 0, n = nbc_client_nfindings(r, ci); k < n; k++) {
		const struct nbc_finding *fd = nbc_client_finding(r, ci, k);

		if (!any)
			fputs("<table class=\"findings\"><thead><tr><th>severity</th><th>rule</th>"
			      "<th>frame</th><th>stage</th><th>message and fix</th></tr></thead>"
			      "<tbody>\n",
			      out);
		any = true;
		fprintf(out, "<tr class=\"finding\"><td class=\"%s\">%s</td><td class=\"rule\">",
			sev_cls(fd->sev), nbc_sev_name(fd->sev));
		report_html_string(out, fd->rule);
		fprintf(out, "</td><td>%llu</td><td>", (unsigned long long)fd->frame);
		if (ci >= 0 && fd->stage >= 0 && (size_t)fd->stage < r->clients[ci].nstages)
			fputs(nbc_stage_name(r->clients[ci].stages[fd->stage].kind), out);
		fputs("</td><td>", out);
		report_html_string(out, fd->message);
		if (fd->hint && fd->hint[0]) {
			fputs("<br><span class=\"hint\">fix: ", out);
			report_html_string(out, fd->hint);
			fputs("</span>", out);
		}
		fputs("</td></tr>\n", out);
	}
	fputs(any ? "</tbody></table>\n" : "<p>no findings</p>\n", out);
}

static void stage_table(FILE *out, const struct nbc_client *c)
{
	fputs("<table class=\"stages\"><thead><tr><th>frame</th><th>time</th><th>stage</th>"
	      "<th>result</th><th>detail</th></tr></thead><tbody>\n",
	      out);
	for (size_t s = 0; s < c->nstages; s++) {
		const struct nbc_stage *st = &c->stages[s];

		fprintf(out, "<tr><td>#%llu", (unsigned long long)st->frame);
		if (st->last_frame != st->frame)
			fprintf(out, "-#%llu", (unsigned long long)st->last_frame);
		fprintf(out, "</td><td>%.3f</td><td>%s%s</td><td class=\"%s\">%s</td><td>", st->time,
			nbc_stage_name(st->kind), st->terminal ? " (terminal)" : "",
			res_cls(st->result), nbc_result_name(st->result));
		report_html_string(out, st->detail);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
}

static void client_section(FILE *out, const struct nbc_report *r, int ci)
{
	const struct nbc_client *c = &r->clients[ci];
	char name[32], ip[16], pers[64], v[96];

	verdict_text(c, v, sizeof(v));
	nbc_personality_str(c->personality, pers, sizeof(pers));
	fprintf(out, "<section class=\"client\" id=\"i%u-c%d\" data-verdict=\"%s\">\n<h3>client ",
		html_sections, ci + 1, nbc_verdict_name(c->verdict));
	report_html_string(out, client_label(c, name, sizeof(name)));
	fprintf(out, " <span class=\"%s\">%s</span></h3>\n<p class=\"facts\">",
		verdict_cls(c->verdict), v);
	if (c->ip)
		fprintf(out, "ip %s; ", net_ip_str(c->ip, ip, sizeof(ip)));
	if (c->arch >= 0)
		fprintf(out, "arch %s (%d); ", nbc_arch_name(c->arch), c->arch);
	if (pers[0])
		fprintf(out, "%s; ", pers);
	fprintf(out, "frames %llu to %llu, %.3f s to %.3f s</p>\n",
		(unsigned long long)c->first_frame, (unsigned long long)c->last_frame,
		c->first_time, c->last_time);
	ladder(out, r, ci);
	fputs("<h4>findings</h4>\n", out);
	findings_table(out, r, ci);
	fputs("<h4>stages</h4>\n", out);
	stage_table(out, c);
	fputs("</section>\n", out);
}

static void summary_table(FILE *out, const struct nbc_report *r, const struct report_opts *o)
{
	fputs("<table class=\"summary\"><thead><tr><th>client</th><th>IP</th><th>arch</th>"
	      "<th>personality</th><th>verdict</th><th>first frame</th><th>last frame</th>"
	      "<th>errors</th><th>warnings</th></tr></thead><tbody>\n",
	      out);
	for (size_t i = 0; i < r->nclients; i++) {
		const struct nbc_client *c = &r->clients[i];
		char name[32], ip[16], pers[64], v[96];
		size_t sev[3] = { 0 };

		if (o->client >= 0 && (int)i != o->client)
			continue;
		for (size_t k = 0, n = nbc_client_nfindings(r, (int)i); k < n; k++)
			if ((unsigned)nbc_client_finding(r, (int)i, k)->sev < 3)
				sev[nbc_client_finding(r, (int)i, k)->sev]++;
		verdict_text(c, v, sizeof(v));
		nbc_personality_str(c->personality, pers, sizeof(pers));
		fprintf(out, "<tr data-verdict=\"%s\"><td><a href=\"#i%u-c%zu\">",
			nbc_verdict_name(c->verdict), html_sections, i + 1);
		report_html_string(out, client_label(c, name, sizeof(name)));
		fprintf(out, "</a></td><td>%s</td><td>%s</td><td>%s</td><td class=\"%s\">%s</td>"
			"<td>%llu</td><td>%llu</td><td>%zu</td><td>%zu</td></tr>\n",
			c->ip ? net_ip_str(c->ip, ip, sizeof(ip)) : "",
			c->arch >= 0 ? nbc_arch_name(c->arch) : "", pers,
			verdict_cls(c->verdict), v,
			(unsigned long long)c->first_frame, (unsigned long long)c->last_frame,
			sev[NBC_SEV_ERROR], sev[NBC_SEV_WARNING]);
	}
	fputs("</tbody></table>\n", out);
}

void report_html_begin(FILE *out)
{
	html_sections = 0;
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      /* An empty icon: a browser asks for no favicon.ico. */
	      "<link rel=\"icon\" href=\"data:,\">\n"
	      "<title>netboot-check report</title>\n<style>\n"
	      "body{font:14px/1.45 sans-serif;color:#1f2328;margin:16px 24px;max-width:1280px}\n"
	      "h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 4px;"
	      "border-bottom:2px solid #d0d7de}h3{font-size:15px;margin:22px 0 2px}"
	      "h4{font-size:13px;margin:12px 0 4px}\n"
	      "table{border-collapse:collapse;margin:4px 0}th,td{border:1px solid #d0d7de;"
	      "padding:2px 6px;text-align:left;vertical-align:top}th{background:#f6f8fa}\n"
	      "table.stages,table.summary,td.rule{font:12px monospace}"
	      "table.stages td:nth-child(-n+4),table.findings td:nth-child(-n+4){white-space:nowrap}"
	      "td:last-child{overflow-wrap:anywhere}\n"
	      "section.client{border-top:1px solid #d0d7de;margin-top:14px}\n"
	      ".ok{color:#1a7f37}.failed,.error{color:#cf222e}.partial,.warning{color:#bc4c00}"
	      ".info{color:#0969da}.hint{color:#57606a}.facts,.meta{color:#424a53;margin:2px 0}\n"
	      "#filters button{font:13px sans-serif;margin-right:4px}"
	      "#filters button[aria-pressed=true]{font-weight:bold}[hidden]{display:none!important}\n"
	      "svg.ladder{display:block;max-width:100%;height:auto;border:1px solid #d0d7de;"
	      "margin:6px 0}\n"
	      "svg text{font:12px monospace;fill:#1f2328}svg text.b{font-weight:bold}"
	      "svg text.mid{text-anchor:middle}svg text.fr{text-anchor:end;fill:#57606a}\n"
	      "svg text.ok{fill:#1a7f37}svg text.failed,svg text.error{fill:#cf222e}"
	      "svg text.partial,svg text.warning{fill:#bc4c00}svg text.info{fill:#0969da}"
	      "svg text.hint{fill:#57606a}\n"
	      "svg line,svg path{stroke-width:1.5;fill:none}svg .life{stroke:#8c959f}"
	      "svg .box{fill:#f6f8fa;stroke:#8c959f}svg .dash{stroke-dasharray:5 3}\n"
	      "svg .s-ok{stroke:#1a7f37}svg .s-failed{stroke:#cf222e}svg .s-partial{stroke:#bc4c00}"
	      "svg .f-ok{fill:#1a7f37}svg .f-failed{fill:#cf222e}svg .f-partial{fill:#bc4c00}"
	      "svg .s-req{stroke:#57606a}svg .f-req{fill:#57606a}\n"
	      "</style>\n</head>\n<body>\n<header>\n<h1>netboot-check " NBC_VERSION
	      " report</h1>\n"
	      /* Without JavaScript the buttons stay hidden and every client shows. */
	      "<div id=\"filters\" hidden>show clients: <button data-f=\"all\" "
	      "aria-pressed=\"true\">all</button><button data-f=\"booted\">booted</button>"
	      "<button data-f=\"failed\">failed</button><button data-f=\"looping\">looping</button>"
	      "<button data-f=\"stalled\">stalled</button><button "
	      "data-f=\"incomplete-capture\">incomplete</button></div>\n</header>\n",
	      out);
}

void report_html(FILE *out, const struct nbc_report *r, const struct report_opts *o)
{
	const struct nbc_stats *st = &r->stats;
	size_t counts[5] = { 0 }, shown = 0;
	bool orphans = false;

	html_sections++;
	fprintf(out, "<section class=\"input\" id=\"i%u\">\n<h2>", html_sections);
	for (size_t i = 0; i < r->ninputs; i++) {
		fputs(i ? ", " : "", out);
		report_html_string(out, r->inputs[i]);
	}
	fprintf(out, "</h2>\n<p class=\"meta\">%llu frames, %.3f s, %llu bytes captured; decoded "
		"%llu DHCP, %llu TFTP packets, %llu HTTP messages, %llu iSCSI PDUs",
		(unsigned long long)st->frames, r->duration, (unsigned long long)st->bytes,
		(unsigned long long)st->decoded[NBC_P_DHCP],
		(unsigned long long)st->decoded[NBC_P_TFTP],
		(unsigned long long)st->decoded[NBC_P_HTTP],
		(unsigned long long)st->decoded[NBC_P_ISCSI]);
	if (st->other_dhcp_clients)
		fprintf(out, "; %llu DHCP clients that did not network boot",
			(unsigned long long)st->other_dhcp_clients);
	if (st->tcp_gaps)
		fprintf(out, "; %llu TCP gaps (%llu bytes missing from the capture)",
			(unsigned long long)st->tcp_gaps, (unsigned long long)st->tcp_gap_bytes);
	fputs("</p>\n", out);
	if (r->capture_truncated)
		fputs("<p class=\"error\">the capture file ends inside a packet: it was cut short</p>\n",
		      out);
	if (st->malformed) {
		fprintf(out, "<p class=\"warning\">%llu malformed packet%s",
			(unsigned long long)st->malformed, st->malformed == 1 ? "" : "s");
		if (st->nevents) {
			fprintf(out, ", first in frame %llu (", (unsigned long long)st->events[0].frame);
			report_html_string(out, st->events[0].proto);
			fputs(": ", out);
			report_html_string(out, st->events[0].reason);
			fputs(")", out);
		}
		fputs("</p>\n", out);
	}
	for (size_t i = 0; i < r->nclients; i++) {
		if (o->client >= 0 && (int)i != o->client)
			continue;
		if ((unsigned)r->clients[i].verdict < 5)
			counts[r->clients[i].verdict]++;
		shown++;
	}
	fprintf(out, "<p class=\"meta\">%zu client%s: %zu booted, %zu failed, %zu looping, %zu "
		"stalled, %zu incomplete</p>\n",
		shown, shown == 1 ? "" : "s", counts[NBC_VERDICT_BOOTED], counts[NBC_VERDICT_FAILED],
		counts[NBC_VERDICT_LOOPING], counts[NBC_VERDICT_STALLED],
		counts[NBC_VERDICT_INCOMPLETE]);
	if (shown == 0 && o->client >= 0)
		fputs("<p>the client asked for (--client) is not in this capture</p>\n", out);
	else if (shown == 0)
		fputs("<p>no network boot traffic in this capture (no PXE or iPXE DHCP, no TFTP)</p>\n",
		      out);
	else
		summary_table(out, r, o);
	for (size_t i = 0; i < r->nclients; i++)
		if (o->client < 0 || (int)i == o->client)
			client_section(out, r, (int)i);
	for (size_t f = 0; f < r->nfindings; f++)
		orphans |= r->findings[f].client < 0;
	if (orphans && o->client < 0) {
		fputs("<h3>findings of no client</h3>\n", out);
		findings_table(out, r, -1);
	}
	fputs("</section>\n", out);
}

void report_html_end(FILE *out)
{
	/* The verdict filter: hides the summary rows and client sections of other verdicts. */
	fputs("<script>\n(function () {\n"
	      "  var bar = document.getElementById('filters');\n"
	      "  var items = document.querySelectorAll('[data-verdict]');\n"
	      "  bar.querySelectorAll('button').forEach(function (b) {\n"
	      "    var v = b.getAttribute('data-f'), n = 0;\n"
	      "    items.forEach(function (e) {\n"
	      "      if (e.tagName === 'SECTION' && (v === 'all' || e.getAttribute('data-verdict') === v)) n++;\n"
	      "    });\n"
	      "    b.textContent += ' (' + n + ')';\n"
	      "    b.addEventListener('click', function () {\n"
	      "      items.forEach(function (e) {\n"
	      "        e.hidden = v !== 'all' && e.getAttribute('data-verdict') !== v;\n"
	      "      });\n"
	      "      bar.querySelectorAll('button').forEach(function (o) {\n"
	      "        o.setAttribute('aria-pressed', o === b ? 'true' : 'false');\n"
	      "      });\n"
	      "    });\n"
	      "  });\n"
	      "  bar.hidden = false;\n"
	      "})();\n</script>\n</body>\n</html>\n",
	      out);
}
