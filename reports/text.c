/* text.c: the report for people: one block per client (timeline, findings, hints), then a summary. */
#include "reports/report.h"

#include <string.h>

#include "proto/net.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_RED "\033[31m"
#define C_YEL "\033[33m"
#define C_GRN "\033[32m"
#define C_CYN "\033[36m"
#define C_DIM "\033[2m"

static const char *col(const struct report_opts *o, const char *c)
{
	return o->color ? c : "";
}

static const char *sev_color(enum nbc_sev s)
{
	return s == NBC_SEV_ERROR ? C_RED : s == NBC_SEV_WARNING ? C_YEL : C_CYN;
}

static const char *verdict_color(enum nbc_verdict v)
{
	return v == NBC_VERDICT_BOOTED ? C_GRN : v == NBC_VERDICT_INCOMPLETE ? C_YEL : C_RED;
}

/* Prints text wrapped at width starting at column start, later lines indented. */
static void wrap(FILE *out, const char *text, size_t start, size_t indent, size_t width)
{
	size_t col0 = start;
	const char *p = text;

	while (*p) {
		const char *sp = p;
		size_t wl;

		while (*sp && *sp != ' ')
			sp++;
		wl = (size_t)(sp - p);
		if (col0 > start && col0 + 1 + wl > width) {
			fprintf(out, "\n%*s", (int)indent, "");
			col0 = indent;
			start = indent;
		} else if (col0 > start) {
			fputc(' ', out);
			col0++;
		}
		fwrite(p, 1, wl, out);
		col0 += wl;
		p = *sp ? sp + 1 : sp;
	}
	fputc('\n', out);
}

static void client_block(FILE *out, const struct nbc_report *r, int ci,
			 const struct report_opts *o)
{
	const struct nbc_client *c = &r->clients[ci];
	char mac[18], ip[16], pers[64];

	nbc_personality_str(c->personality, pers, sizeof(pers));
	fprintf(out, "%sclient %s%s", col(o, C_BOLD),
		c->has_mac ? net_mac_str(c->mac, mac, sizeof(mac)) : "(MAC unknown)",
		col(o, C_RESET));
	if (c->ip)
		fprintf(out, "  ip %s", net_ip_str(c->ip, ip, sizeof(ip)));
	if (c->arch >= 0)
		fprintf(out, "  arch %s (%d)", nbc_arch_name(c->arch), c->arch);
	if (pers[0])
		fprintf(out, "  %s", pers);
	fputc('\n', out);
	fprintf(out, "  verdict: %s%s", col(o, verdict_color(c->verdict)),
		nbc_verdict_name(c->verdict));
	if (c->verdict == NBC_VERDICT_FAILED && c->verdict_stage >= 0)
		fprintf(out, " at %s", nbc_stage_name(c->stages[c->verdict_stage].kind));
	else if (c->verdict_stage >= 0 && c->verdict != NBC_VERDICT_BOOTED)
		fprintf(out, " after %s", nbc_stage_name(c->stages[c->verdict_stage].kind));
	fprintf(out, "%s\n", col(o, C_RESET));
	for (size_t s = 0; s < c->nstages; s++) {
		const struct nbc_stage *st = &c->stages[s];
		char lead[64];

		snprintf(lead, sizeof(lead), "  #%-6llu %8.3f  %-16s %-7s ",
			 (unsigned long long)st->frame, st->time, nbc_stage_name(st->kind),
			 nbc_result_name(st->result));
		fputs(lead, out);
		if (st->result == NBC_RESULT_FAILED)
			fputs(col(o, C_RED), out);
		wrap(out, st->detail, strlen(lead), strlen(lead), 100);
		if (st->result == NBC_RESULT_FAILED)
			fputs(col(o, C_RESET), out);
	}
	for (size_t k = 0, n = nbc_client_nfindings(r, ci); k < n; k++) {
		const struct nbc_finding *fd = nbc_client_finding(r, ci, k);
		char lead[128];

		snprintf(lead, sizeof(lead), "  %s%-7s%s %s frame %llu: ", col(o, sev_color(fd->sev)),
			 nbc_sev_name(fd->sev), col(o, C_RESET), fd->rule,
			 (unsigned long long)fd->frame);
		fputs(lead, out);
		/* The colour codes take no columns on the screen. */
		wrap(out, fd->message, strlen(lead) - strlen(col(o, sev_color(fd->sev))) -
					       strlen(col(o, C_RESET)),
		     10, 100);
		if (fd->hint && fd->hint[0]) {
			fprintf(out, "          %sfix:%s ", col(o, C_DIM), col(o, C_RESET));
			wrap(out, fd->hint, 15, 15, 100);
		}
	}
	fputc('\n', out);
}

void report_text(FILE *out, const struct nbc_report *r, const struct report_opts *o)
{
	size_t counts[5] = { 0 };
	size_t sev[3] = { 0 };
	size_t shown = 0;

	for (size_t i = 0; i < r->ninputs; i++)
		fprintf(out, "%s%s", i ? ", " : "", r->inputs[i]);
	fprintf(out, ": %llu frames, %.3f s, %llu DHCP, %llu TFTP, %llu HTTP packets decoded\n\n",
		(unsigned long long)r->stats.frames, r->duration,
		(unsigned long long)r->stats.decoded[NBC_P_DHCP],
		(unsigned long long)r->stats.decoded[NBC_P_TFTP],
		(unsigned long long)r->stats.decoded[NBC_P_HTTP]);
	for (size_t i = 0; i < r->nclients; i++) {
		if (o->client >= 0 && (int)i != o->client)
			continue;
		client_block(out, r, (int)i, o);
		counts[r->clients[i].verdict]++;
		shown++;
	}
	for (size_t f = 0; f < r->nfindings; f++) {
		const struct nbc_finding *fd = &r->findings[f];

		if (o->client >= 0 && fd->client != o->client)
			continue;
		sev[fd->sev]++;
		if (fd->client < 0) {
			fprintf(out, "%s%s%s %s frame %llu: ", col(o, sev_color(fd->sev)),
				nbc_sev_name(fd->sev), col(o, C_RESET), fd->rule,
				(unsigned long long)fd->frame);
			wrap(out, fd->message, 40, 2, 100);
		}
	}
	if (r->stats.malformed) {
		fprintf(out, "%llu malformed packet%s",
			(unsigned long long)r->stats.malformed, r->stats.malformed == 1 ? "" : "s");
		if (r->stats.nevents)
			fprintf(out, ", first in frame %llu (%s: %s)",
				(unsigned long long)r->stats.events[0].frame,
				r->stats.events[0].proto, r->stats.events[0].reason);
		fputs("\n", out);
	}
	if (r->capture_truncated)
		fputs("the capture file ends inside a packet: it was cut short\n", out);
	if (shown == 0) {
		fprintf(out, "no network boot traffic in this capture (no PXE or iPXE DHCP, no "
			"TFTP)%s\n",
			r->stats.other_dhcp_clients ? "; only DHCP clients that did not network boot"
						    : "");
	}
	fprintf(out, "summary: %zu client%s: %zu booted, %zu failed, %zu looping, %zu stalled, "
		"%zu incomplete; %zu error%s, %zu warning%s, %zu info\n",
		shown, shown == 1 ? "" : "s", counts[NBC_VERDICT_BOOTED],
		counts[NBC_VERDICT_FAILED], counts[NBC_VERDICT_LOOPING],
		counts[NBC_VERDICT_STALLED], counts[NBC_VERDICT_INCOMPLETE], sev[NBC_SEV_ERROR],
		sev[NBC_SEV_ERROR] == 1 ? "" : "s", sev[NBC_SEV_WARNING],
		sev[NBC_SEV_WARNING] == 1 ? "" : "s", sev[NBC_SEV_INFO]);
}
