/* json.c: the JSON report (docs/report-schema.md). Deterministic: no wall-clock time. */
#include "reports/report.h"

#include <stdint.h>
#include <string.h>

#include "proto/net.h"

void report_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*p < 0x20 || *p >= 0x7f)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

static void finding(FILE *out, const struct nbc_report *r, const struct nbc_finding *f,
		    const char *ind)
{
	char mac[18];

	fprintf(out, "%s{\"rule\": ", ind);
	report_json_string(out, f->rule);
	fprintf(out, ", \"severity\": \"%s\", \"client\": ", nbc_sev_name(f->sev));
	if (f->client >= 0 && r->clients[f->client].has_mac)
		report_json_string(out, net_mac_str(r->clients[f->client].mac, mac, sizeof(mac)));
	else
		fputs("null", out);
	fprintf(out, ", \"frame\": %llu, \"stage\": ", (unsigned long long)f->frame);
	if (f->client >= 0 && f->stage >= 0)
		report_json_string(out, nbc_stage_name(r->clients[f->client].stages[f->stage].kind));
	else
		fputs("null", out);
	fputs(", \"message\": ", out);
	report_json_string(out, f->message);
	fputs(", \"hint\": ", out);
	report_json_string(out, f->hint ? f->hint : "");
	fputs("}", out);
}

static void client(FILE *out, const struct nbc_report *r, int ci)
{
	const struct nbc_client *c = &r->clients[ci];
	char buf[64];
	bool first = true;

	fputs("    {\"mac\": ", out);
	if (c->has_mac)
		report_json_string(out, net_mac_str(c->mac, buf, sizeof(buf)));
	else
		fputs("null", out);
	fputs(", \"ip\": ", out);
	if (c->ip)
		report_json_string(out, net_ip_str(c->ip, buf, sizeof(buf)));
	else
		fputs("null", out);
	fputs(", \"uuid\": ", out);
	if (c->has_uuid) {
		static const char hex[] = "0123456789abcdef";
		char u[40];
		size_t o = 0;

		for (int i = 0; i < 16; i++) {
			if (i == 4 || i == 6 || i == 8 || i == 10)
				u[o++] = '-';
			u[o++] = hex[c->uuid[i] >> 4];
			u[o++] = hex[c->uuid[i] & 15];
		}
		u[o] = '\0';
		report_json_string(out, u);
	} else {
		fputs("null", out);
	}
	fputs(", \"arch\": ", out);
	if (c->arch >= 0) {
		fprintf(out, "{\"code\": %d, \"name\": ", c->arch);
		report_json_string(out, nbc_arch_name(c->arch));
		fputs("}", out);
	} else {
		fputs("null", out);
	}
	fputs(", \"personality\": [", out);
	nbc_personality_str(c->personality, buf, sizeof(buf));
	for (char *tok = buf, *next; tok && *tok; tok = next) {
		next = strchr(tok, ',');
		if (next)
			*next++ = '\0';
		fprintf(out, "%s", first ? "" : ", ");
		report_json_string(out, tok);
		first = false;
	}
	fprintf(out, "],\n     \"verdict\": \"%s\", \"verdict_stage\": ",
		nbc_verdict_name(c->verdict));
	if (c->verdict_stage >= 0)
		report_json_string(out, nbc_stage_name(c->stages[c->verdict_stage].kind));
	else
		fputs("null", out);
	fputs(",\n     \"stages\": [", out);
	for (size_t s = 0; s < c->nstages; s++) {
		const struct nbc_stage *st = &c->stages[s];

		fprintf(out, "%s\n       {\"stage\": \"%s\", \"frame\": %llu, \"last_frame\": %llu, "
			"\"time\": %.6f, \"result\": \"%s\", \"terminal\": %s, \"detail\": ",
			s ? "," : "", nbc_stage_name(st->kind), (unsigned long long)st->frame,
			(unsigned long long)st->last_frame, st->time, nbc_result_name(st->result),
			st->terminal ? "true" : "false");
		report_json_string(out, st->detail);
		fputs("}", out);
	}
	fputs("],\n     \"findings\": [", out);
	first = true;
	for (size_t k = 0, n = nbc_client_nfindings(r, ci); k < n; k++) {
		fputs(first ? "\n" : ",\n", out);
		finding(out, r, nbc_client_finding(r, ci, k), "       ");
		first = false;
	}
	fputs("]}", out);
}

void report_json(FILE *out, const struct nbc_report *r, const struct report_opts *o)
{
	const struct nbc_stats *st = &r->stats;
	bool first = true;

	fprintf(out, "{\n  \"tool\": \"netboot-check\",\n  \"version\": \"%s\",\n  \"input\": [",
		NBC_VERSION);
	for (size_t i = 0; i < r->ninputs; i++) {
		fputs(i ? ", " : "", out);
		report_json_string(out, r->inputs[i]);
	}
	fputs("],\n  \"clients\": [", out);
	for (size_t i = 0; i < r->nclients; i++) {
		if (o->client >= 0 && (int)i != o->client)
			continue;
		fputs(first ? "\n" : ",\n", out);
		client(out, r, (int)i);
		first = false;
	}
	fputs("],\n  \"findings\": [", out);
	first = true;
	for (size_t f = 0; f < r->nfindings; f++) {
		if (o->client >= 0 && r->findings[f].client != o->client)
			continue;
		fputs(first ? "\n" : ",\n", out);
		finding(out, r, &r->findings[f], "    ");
		first = false;
	}
	fprintf(out, "],\n  \"stats\": {\"frames\": %llu, \"bytes\": %llu, \"ipv4\": %llu, "
		"\"duration\": %.6f, \"truncated\": %s,\n    \"decoded\": {\"dhcp\": %llu, "
		"\"tftp\": %llu, \"http\": %llu, \"iscsi\": %llu},\n    \"tcp\": {\"segments\": %llu, "
		"\"connections\": %llu, \"gaps\": %llu, \"gap_bytes\": %llu, \"partial\": %llu},\n"
		"    \"ip_fragments\": {\"reassembled\": %llu, "
		"\"unreassembled\": %llu},\n    \"non_boot_dhcp_clients\": %llu, \"tftp_unmatched\": %llu, "
		"\"malformed\": %llu,\n    \"malformed_events\": [",
		(unsigned long long)st->frames, (unsigned long long)st->bytes,
		(unsigned long long)st->ipv4, r->duration, r->capture_truncated ? "true" : "false",
		(unsigned long long)st->decoded[NBC_P_DHCP],
		(unsigned long long)st->decoded[NBC_P_TFTP],
		(unsigned long long)st->decoded[NBC_P_HTTP],
		(unsigned long long)st->decoded[NBC_P_ISCSI],
		(unsigned long long)st->tcp_segments, (unsigned long long)st->tcp_conns,
		(unsigned long long)st->tcp_gaps, (unsigned long long)st->tcp_gap_bytes,
		(unsigned long long)st->tcp_partial,
		(unsigned long long)st->fragments_reassembled,
		(unsigned long long)st->fragments_unreassembled,
		(unsigned long long)st->other_dhcp_clients, (unsigned long long)st->tftp_unmatched,
		(unsigned long long)st->malformed);
	for (size_t i = 0; i < st->nevents; i++) {
		fprintf(out, "%s\n      {\"frame\": %llu, \"protocol\": ", i ? "," : "",
			(unsigned long long)st->events[i].frame);
		report_json_string(out, st->events[i].proto);
		fputs(", \"reason\": ", out);
		report_json_string(out, st->events[i].reason);
		fputs("}", out);
	}
	fputs("]}\n}\n", out);
}
