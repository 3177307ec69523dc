/* output.c: the probe's report: text for people, JSON (docs/probe.md) and JUnit XML for machines. */
#include <string.h>

#include "probes/probe_priv.h"
#include "proto/dhcp.h"
#include "proto/net.h"
#include "reports/report.h"

static void counts(const struct probe_run *r, size_t c[3])
{
	c[0] = c[1] = c[2] = 0;
	for (size_t i = 0; i < r->nfindings; i++)
		c[r->findings[i].sev]++;
}

static size_t answered(const struct probe_run *r, size_t *enabled)
{
	size_t n = 0;

	*enabled = 0;
	for (unsigned k = 0; k < PROBE_PROFILES; k++) {
		if (!r->prof[k].enabled)
			continue;
		(*enabled)++;
		n += r->prof[k].nans > 0;
	}
	return n;
}

/* ---------------------------------------------------------------------------------------- */
/* text */

static void text_answer(FILE *out, const struct probe_answer *a, const char *indent)
{
	char s[16], y[16], n[16];

	fprintf(out, "%s%-5s from %s%s%s after %.3f s: ", indent, dhcp_msgtype_name(a->msgtype),
		probe_ip(a->src_ip, s), a->via_4011 ? ":4011" : "", a->proxy ? " (proxyDHCP)" : "",
		a->at);
	fprintf(out, "server id %s, yiaddr %s, siaddr %s, ",
		a->has_54 ? probe_ip(a->server_id, n) : "(none)",
		a->yiaddr ? probe_ip(a->yiaddr, y) : "(none)", probe_ip(a->siaddr, s));
	fprintf(out, "file %s", a->has_file ? a->file : "(none)");
	if (a->has_66)
		fprintf(out, ", 66 %s", a->tftp_server);
	if (a->has_43)
		fputs(", 43 present", out);
	if (a->has_60)
		fprintf(out, ", 60 %s", a->vendor_class);
	if (a->has_209)
		fprintf(out, ", 209 %s", a->configfile);
	if (a->has_210)
		fprintf(out, ", 210 %s", a->pathprefix);
	if (a->has_17)
		fprintf(out, ", 17 %s", a->root_path);
	if (a->keep_san >= 0)
		fprintf(out, ", 175.8 keep-san %d", a->keep_san);
	if (a->skip_san_boot >= 0)
		fprintf(out, ", 175.9 skip-san-boot %d", a->skip_san_boot);
	if (a->has_175_user)
		fprintf(out, ", 175.190 user %s", a->ipxe_user);
	if (a->has_175_pass)
		fputs(", 175.191 password (not shown)", out);
	fputc('\n', out);
}

static void text_tftp(FILE *out, const struct probe_fetch *f)
{
	char s[16];
	const struct probe_tftp *t = &f->t;

	fprintf(out, "  tftp     %s %s: ", probe_ip(f->server, s), f->name);
	if (!f->tried) {
		fprintf(out, "%s\n", f->skipped);
		return;
	}
	if (t->done)
		fprintf(out, "%llu bytes in %.3f s", (unsigned long long)t->size, t->secs);
	else
		fprintf(out, "%s", t->error);
	if (t->oack) {
		fputs(", OACK", out);
		if (t->oack_blksize >= 0)
			fprintf(out, " blksize %ld", t->oack_blksize);
		if (t->oack_tsize >= 0)
			fprintf(out, " tsize %ld", t->oack_tsize);
	} else if (t->size) {
		fputs(", no OACK (blksize 512)", out);
	}
	if (t->retransmits)
		fprintf(out, ", %u resent", t->retransmits);
	fputc('\n', out);
}

static void write_text(FILE *out, const struct probe_run *r)
{
	const struct probe_opts *o = r->o;
	char m[18], s[16];
	size_t c[3], en, an = answered(r, &en);

	counts(r, c);
	fprintf(out, "probe on %s (%s, %s): %zu profile%s, %s, replies collected for %.1f s each\n",
		o->iface, net_mac_str(r->if_mac, m, sizeof(m)),
		r->if_ip ? probe_ip(r->if_ip, s) : "no IPv4 address", en, en == 1 ? "" : "s",
		o->request ? "DORA then RELEASE (--request)" : "DISCOVER only, no lease taken",
		o->wait);
	for (unsigned k = 0; k < PROBE_PROFILES; k++) {
		const struct probe_profile *p = &r->prof[k];

		if (!p->enabled)
			continue;
		fprintf(out, "\n%-10s %s, arch %d, mac %s, xid 0x%08x\n", p->name, p->desc, p->arch,
			net_mac_str(p->mac, m, sizeof(m)), (unsigned)p->xid);
		for (size_t i = 0; i < p->nans; i++)
			text_answer(out, &p->ans[i], "  ");
		if (p->dropped)
			fprintf(out, "  (%zu more replies not kept)\n", p->dropped);
		if (p->has_proxy_ack)
			text_answer(out, &p->proxy_ack, "  ");
		else if (p->proxy_asked)
			fputs("  no ACK from the proxyDHCP's port 4011\n", out);
		if (p->requested)
			fprintf(out, "  REQUEST -> %s%s\n",
				p->has_ack ? "ACK" : p->nak ? "NAK" : "no answer",
				p->released ? ", lease released (RELEASE sent)" : "");
		if (p->has_ack)
			text_answer(out, &p->ack, "  ");
		if (p->note[0])
			fprintf(out, "  %s\n", p->note);
		if (p->has_boot)
			fprintf(out, "  boots    %s from %s\n", p->boot.has_file ? p->boot.file : "(no boot file)",
				probe_ip(p->boot_server, s));
		if (p->nbp >= 0 && (size_t)p->nbp < r->nfetch)
			text_tftp(out, &r->fetch[p->nbp]);
	}
	if (r->walk.ran) {
		const struct probe_walk *w = &r->walk;

		char u[40] = "";

		if (w->has_uuid)
			dhcp_uuid_str(w->uuid, u, sizeof(u));
		fprintf(out, "\npxelinux walk of %s (prefix '%s', mac %s, ip %s%s%s):\n", w->nbp,
			w->prefix, net_mac_str(w->mac, m, sizeof(m)), probe_ip(w->ip, s),
			w->has_uuid ? ", uuid " : "", u);
		for (unsigned i = 0; i < w->nsteps; i++)
			fprintf(out, "  %2u %-16s %s: %s\n", i + 1, pxelinux_step_name(w->steps[i].step),
				w->steps[i].name,
				w->steps[i].result[0] ? w->steps[i].result : "not tried");
		if (w->skipped[0])
			fprintf(out, "  %s\n", w->skipped);
		fprintf(out, "  -> %s\n", w->found >= 0 ? w->steps[w->found].name : "no config file");
	}
	if (r->nscripts || r->http_skipped[0])
		fputc('\n', out);
	if (r->http_skipped[0])
		fprintf(out, "http     %s\n", r->http_skipped);
	for (size_t i = 0; i < r->nscripts; i++) {
		const struct probe_script *sc = &r->scripts[i];

		fprintf(out, "http     script %s: ", sc->url_shown);
		if (sc->fetched)
			fprintf(out, "HTTP %d, %llu bytes, %u lines, %zu commands, %zu problem%s%s\n",
				sc->status, (unsigned long long)sc->size, sc->lines, sc->nacts,
				sc->nproblems, sc->nproblems == 1 ? "" : "s",
				sc->has_magic ? "" : ", no #!ipxe");
		else
			fprintf(out, "%s\n", sc->error);
		for (size_t k = 0; k < r->ntargets; k++) {
			const struct probe_target *t = &r->targets[k];

			if (t->script != i)
				continue;
			fprintf(out, "  %-7s %s (line %u): ", t->cmd, t->shown, t->line);
			if (!t->checked)
				fprintf(out, "%s\n", t->skipped);
			else if (t->status && t->length >= 0)
				fprintf(out, "%s %d, %lld bytes\n", t->method, t->status,
					(long long)t->length);
			else if (t->status)
				fprintf(out, "%s %d\n", t->method, t->status);
			else
				fprintf(out, "%s\n", t->error);
		}
	}
	if (r->targets_dropped)
		fprintf(out, "  (%zu more targets not checked)\n", r->targets_dropped);
	if (r->niscsi)
		fputc('\n', out);
	for (size_t i = 0; i < r->niscsi; i++) {
		const struct probe_iscsi *x = &r->iscsi[i];

		fprintf(out, "iscsi    %s (%s): ", x->shown, x->from);
		if (!x->syntax_ok) {
			fprintf(out, "bad root path: %s\n", x->why);
			continue;
		}
		if (!x->connected) {
			fprintf(out, "%s\n", x->error[0] ? x->error : "cannot connect");
			continue;
		}
		if (x->discovery_ok)
			fprintf(out, "SendTargets %u target%s%s; ", x->ntargets, x->ntargets == 1 ? "" : "s",
				x->target_listed ? " (this one listed)" : " (this one not listed)");
		else if (x->discovery_error[0])
			fprintf(out, "SendTargets failed (%s); ", x->discovery_error);
		if (!x->login_ok) {
			if (x->login_status >= 0)
				fprintf(out, "login refused: 0x%04x %s%s%s\n", (unsigned)x->login_status,
					probe_iscsi_status_words(x->login_status),
					x->chap ? ", CHAP user " : "", x->chap ? x->chap_user : "");
			else
				fprintf(out, "login failed: %s\n", x->login_error[0] ? x->login_error : x->error);
			continue;
		}
		fprintf(out, "login ok%s%s%s%s%s; ", x->chap ? " (CHAP user " : "", x->chap ? x->chap_user : "",
			x->chap ? ", from " : "", x->chap ? x->cred_from : "", x->chap ? ")" : "");
		if (x->disk_ok)
			fprintf(out, "%s %s, %llu blocks of %u; LBA 0 %s\n", x->vendor, x->product,
				(unsigned long long)x->blocks, (unsigned)x->block_size,
				x->bootable ? "ends in 0x55AA (bootable)" : "has no 0x55AA");
		else
			fprintf(out, "%s\n", x->error);
	}
	if (r->iscsi_skipped[0] && r->nscripts)
		fprintf(out, "iscsi    %s\n", r->iscsi_skipped);
	fputs("\nservers:", out);
	if (!r->nservers)
		fputs(" none answered", out);
	for (size_t i = 0; i < r->nservers; i++) {
		char who[96] = "";
		size_t n = 0;

		for (unsigned k = 0; k < PROBE_PROFILES; k++)
			if (r->servers[i].profiles & (1u << k))
				n += (size_t)snprintf(who + n, n < sizeof(who) ? sizeof(who) - n : 0, "%s%s",
						      n ? ", " : "", r->prof[k].name);
		fprintf(out, "%s %s%s (%s)", i ? ";" : "", probe_ip(r->servers[i].id, s),
			r->servers[i].proxy && !r->servers[i].address ? " proxyDHCP" : "", who);
	}
	fputc('\n', out);
	if (r->nfindings)
		fputc('\n', out);
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct probe_finding *f = &r->findings[i];

		fprintf(out, "%-7s %s %s%s%s%s: %s\n", nbc_sev_name(f->sev), f->rule, f->profile,
			f->server[0] ? " (" : "", f->server, f->server[0] ? ")" : "", f->message);
		if (f->hint)
			fprintf(out, "        fix: %s\n", f->hint);
	}
	if (r->stopped[0])
		fprintf(out, "\nstopped early: %s\n", r->stopped);
	fprintf(out, "\nsummary: %zu profile%s, %zu answered, %zu server%s; %zu error%s, %zu warning%s, "
		     "%zu info\n",
		en, en == 1 ? "" : "s", an, r->nservers, r->nservers == 1 ? "" : "s",
		c[NBC_SEV_ERROR], c[NBC_SEV_ERROR] == 1 ? "" : "s", c[NBC_SEV_WARNING],
		c[NBC_SEV_WARNING] == 1 ? "" : "s", c[NBC_SEV_INFO]);
}

/* ---------------------------------------------------------------------------------------- */
/* JSON */

static void jstr(FILE *out, const char *s)
{
	report_json_string(out, s);
}

static void jip(FILE *out, uint32_t ip)
{
	char s[16];

	if (ip)
		fprintf(out, "\"%s\"", probe_ip(ip, s));
	else
		fputs("null", out);
}

static void jopt(FILE *out, const char *key, bool has, const char *val)
{
	fprintf(out, ", \"%s\": ", key);
	if (has)
		jstr(out, val);
	else
		fputs("null", out);
}

static void json_answer(FILE *out, const struct probe_answer *a)
{
	char m[18];

	fprintf(out, "{\"type\": \"%s\", \"at\": %.3f, \"src\": ", dhcp_msgtype_name(a->msgtype), a->at);
	jip(out, a->src_ip);
	fprintf(out, ", \"src_mac\": \"%s\", \"port_4011\": %s, \"server_id\": ",
		net_mac_str(a->src_mac, m, sizeof(m)), a->via_4011 ? "true" : "false");
	if (a->has_54)
		jip(out, a->server_id);
	else
		fputs("null", out);
	fputs(", \"siaddr\": ", out);
	jip(out, a->siaddr);
	fputs(", \"yiaddr\": ", out);
	jip(out, a->yiaddr);
	jopt(out, "file", a->has_file, a->file);
	jopt(out, "tftp_server", a->has_66, a->tftp_server);
	fprintf(out, ", \"vendor_options\": %s", a->has_43 ? "true" : "false");
	jopt(out, "vendor_class", a->has_60, a->vendor_class);
	jopt(out, "configfile", a->has_209, a->configfile);
	jopt(out, "pathprefix", a->has_210, a->pathprefix);
	jopt(out, "root_path", a->has_17, a->root_path);
	fputs(", \"ipxe\": {\"keep_san\": ", out);
	if (a->keep_san >= 0)
		fprintf(out, "%d", a->keep_san);
	else
		fputs("null", out);
	fputs(", \"skip_san_boot\": ", out);
	if (a->skip_san_boot >= 0)
		fprintf(out, "%d", a->skip_san_boot);
	else
		fputs("null", out);
	jopt(out, "username", a->has_175_user, a->ipxe_user);
	fprintf(out, ", \"password_set\": %s}, \"proxy\": %s}", a->has_175_pass ? "true" : "false",
		a->proxy ? "true" : "false");
}

static void json_tftp(FILE *out, const struct probe_fetch *f)
{
	const struct probe_tftp *t = &f->t;

	fputs("{\"server\": ", out);
	jip(out, f->server);
	fputs(", \"file\": ", out);
	jstr(out, f->name);
	fprintf(out, ", \"tried\": %s", f->tried ? "true" : "false");
	if (!f->tried) {
		fputs(", \"skipped\": ", out);
		jstr(out, f->skipped);
		fputs("}", out);
		return;
	}
	fprintf(out, ", \"complete\": %s, \"size\": %llu, \"seconds\": %.3f, \"oack\": ",
		t->done ? "true" : "false", (unsigned long long)t->size, t->secs);
	if (t->oack)
		fprintf(out, "{\"blksize\": %ld, \"tsize\": %ld}", t->oack_blksize, t->oack_tsize);
	else
		fputs("null", out);
	fprintf(out, ", \"too_big\": %s, \"retransmits\": %u, \"error\": ", t->too_big ? "true" : "false",
		t->retransmits);
	if (t->error[0] && !t->done)
		jstr(out, t->error);
	else
		fputs("null", out);
	fputs("}", out);
}

static void write_json(FILE *out, const struct probe_run *r)
{
	const struct probe_opts *o = r->o;
	char m[18];
	size_t c[3], en, an = answered(r, &en);
	bool first = true;

	counts(r, c);
	fprintf(out, "{\n  \"tool\": \"netboot-check\",\n  \"version\": \"%s\",\n  \"command\": \"probe\",\n"
		     "  \"interface\": ",
		NBC_VERSION);
	jstr(out, o->iface);
	fprintf(out, ",\n  \"interface_mac\": \"%s\",\n  \"interface_ip\": ",
		net_mac_str(r->if_mac, m, sizeof(m)));
	jip(out, r->if_ip);
	fprintf(out, ",\n  \"wait\": %.3f,\n  \"request\": %s,\n  \"profiles\": [", o->wait,
		o->request ? "true" : "false");
	for (unsigned k = 0; k < PROBE_PROFILES; k++) {
		const struct probe_profile *p = &r->prof[k];

		if (!p->enabled)
			continue;
		fprintf(out, "%s\n    {\"name\": \"%s\", \"description\": ", first ? "" : ",", p->name);
		first = false;
		jstr(out, p->desc);
		fprintf(out, ", \"arch\": %d, \"ipxe\": %s, \"mac\": \"%s\", \"xid\": \"0x%08x\", "
			     "\"discovers\": %u,\n     \"answers\": [",
			p->arch, p->ipxe ? "true" : "false", net_mac_str(p->mac, m, sizeof(m)),
			(unsigned)p->xid, p->discovers);
		for (size_t i = 0; i < p->nans; i++) {
			fputs(i ? ",\n       " : "\n       ", out);
			json_answer(out, &p->ans[i]);
		}
		fprintf(out, "%s],\n     \"answers_dropped\": %zu, \"proxy_ack\": ", p->nans ? "\n     " : "",
			p->dropped);
		if (p->has_proxy_ack)
			json_answer(out, &p->proxy_ack);
		else
			fputs("null", out);
		fprintf(out, ",\n     \"requested\": %s, \"ack\": ", p->requested ? "true" : "false");
		if (p->has_ack)
			json_answer(out, &p->ack);
		else
			fputs("null", out);
		fprintf(out, ", \"nak\": %s, \"released\": %s,\n     \"boot\": ", p->nak ? "true" : "false",
			p->released ? "true" : "false");
		if (p->has_boot) {
			fputs("{\"server\": ", out);
			jip(out, p->boot_server);
			jopt(out, "file", p->boot.has_file, p->boot.file);
			fputs("}", out);
		} else {
			fputs("null", out);
		}
		fputs(",\n     \"nbp\": ", out);
		if (p->nbp >= 0 && (size_t)p->nbp < r->nfetch)
			json_tftp(out, &r->fetch[p->nbp]);
		else
			fputs("null", out);
		fputs("}", out);
	}
	fputs("\n  ],\n  \"servers\": [", out);
	for (size_t i = 0; i < r->nservers; i++) {
		bool f1 = true;

		fputs(i ? ",\n    {\"server_id\": " : "\n    {\"server_id\": ", out);
		jip(out, r->servers[i].id);
		fprintf(out, ", \"proxy\": %s, \"offers_address\": %s, \"profiles\": [",
			r->servers[i].proxy ? "true" : "false", r->servers[i].address ? "true" : "false");
		for (unsigned k = 0; k < PROBE_PROFILES; k++)
			if (r->servers[i].profiles & (1u << k)) {
				fprintf(out, "%s\"%s\"", f1 ? "" : ", ", r->prof[k].name);
				f1 = false;
			}
		fputs("]}", out);
	}
	fprintf(out, "%s],\n  \"pxelinux\": ", r->nservers ? "\n  " : "");
	if (r->walk.ran) {
		const struct probe_walk *w = &r->walk;
		char u[40];

		fputs("{\"nbp\": ", out);
		jstr(out, w->nbp);
		fputs(", \"server\": ", out);
		jip(out, w->server);
		fputs(", \"prefix\": ", out);
		jstr(out, w->prefix);
		fprintf(out, ", \"mac\": \"%s\", \"uuid\": ", net_mac_str(w->mac, m, sizeof(m)));
		if (w->has_uuid) {
			dhcp_uuid_str(w->uuid, u, sizeof(u));
			fprintf(out, "\"%s\"", u);
		} else {
			fputs("null", out);
		}
		fputs(", \"ip\": ", out);
		jip(out, w->ip);
		fputs(", \"steps\": [", out);
		for (unsigned i = 0; i < w->nsteps; i++) {
			fprintf(out, "%s\n    {\"step\": \"%s\", \"name\": ", i ? "," : "",
				pxelinux_step_name(w->steps[i].step));
			jstr(out, w->steps[i].name);
			fprintf(out, ", \"tried\": %s, \"found\": %s, \"result\": ",
				w->steps[i].tried ? "true" : "false", w->steps[i].found ? "true" : "false");
			jstr(out, w->steps[i].result);
			fputs("}", out);
		}
		fputs("],\n   \"config\": ", out);
		if (w->found >= 0)
			jstr(out, w->steps[w->found].name);
		else
			fputs("null", out);
		fputs(", \"skipped\": ", out);
		if (w->skipped[0])
			jstr(out, w->skipped);
		else
			fputs("null", out);
		fputs("}", out);
	} else {
		fputs("null", out);
	}
	fputs(",\n  \"http\": {\"skipped\": ", out);
	if (r->http_skipped[0])
		jstr(out, r->http_skipped);
	else
		fputs("null", out);
	fputs(", \"scripts\": [", out);
	for (size_t i = 0; i < r->nscripts; i++) {
		const struct probe_script *sc = &r->scripts[i];

		fputs(i ? ",\n    {\"url\": " : "\n    {\"url\": ", out);
		jstr(out, sc->url_shown);
		fprintf(out, ", \"status\": %d, \"size\": %llu, \"parsed\": %s, \"magic\": %s, "
			     "\"lines\": %u, \"commands\": %zu, \"problems\": %zu, \"error\": ",
			sc->status, (unsigned long long)sc->size, sc->parsed ? "true" : "false",
			sc->has_magic ? "true" : "false", sc->lines, sc->nacts, sc->nproblems);
		if (sc->error[0])
			jstr(out, sc->error);
		else
			fputs("null", out);
		fputs("}", out);
	}
	fputs("],\n   \"targets\": [", out);
	for (size_t i = 0; i < r->ntargets; i++) {
		const struct probe_target *t = &r->targets[i];

		fputs(i ? ",\n    {\"url\": " : "\n    {\"url\": ", out);
		jstr(out, t->shown);
		fprintf(out, ", \"command\": \"%s\", \"script\": %u, \"line\": %u, \"checked\": %s",
			t->cmd, t->script, t->line, t->checked ? "true" : "false");
		if (t->checked) {
			fprintf(out, ", \"method\": \"%s\", \"status\": %d, \"length\": %lld, \"error\": ",
				t->method, t->status, (long long)t->length);
			if (t->error[0])
				jstr(out, t->error);
			else
				fputs("null", out);
		} else {
			fputs(", \"skipped\": ", out);
			jstr(out, t->skipped);
		}
		fputs("}", out);
	}
	fputs("]},\n  \"iscsi\": [", out);
	for (size_t i = 0; i < r->niscsi; i++) {
		const struct probe_iscsi *x = &r->iscsi[i];

		fputs(i ? ",\n    {\"root_path\": " : "\n    {\"root_path\": ", out);
		jstr(out, x->shown);
		fprintf(out, ", \"from\": \"%s\", \"syntax_ok\": %s, \"portal\": ", x->from,
			x->syntax_ok ? "true" : "false");
		jstr(out, x->portal);
		fputs(", \"target\": ", out);
		jstr(out, x->target);
		fprintf(out, ", \"lun\": %d, \"discovery\": {\"ok\": %s, \"targets\": %u, \"listed\": %s}, "
			     "\"connected\": %s, \"login\": %s, \"login_status\": ",
			x->lun, x->discovery_ok ? "true" : "false", x->ntargets,
			x->target_listed ? "true" : "false", x->connected ? "true" : "false",
			x->login_ok ? "true" : "false");
		if (x->login_status >= 0)
			fprintf(out, "\"0x%04x\"", (unsigned)x->login_status);
		else
			fputs("null", out);
		fputs(", \"chap_user\": ", out);
		if (x->chap)
			jstr(out, x->chap_user);
		else
			fputs("null", out);
		fputs(", \"credentials_from\": ", out);
		if (x->chap && x->cred_from)
			jstr(out, x->cred_from);
		else
			fputs("null", out);
		fputs(", \"vendor\": ", out);
		jstr(out, x->vendor);
		fputs(", \"product\": ", out);
		jstr(out, x->product);
		fprintf(out, ", \"blocks\": %llu, \"block_size\": %u, \"lba0_read\": %s, \"bootable\": %s, "
			     "\"error\": ",
			(unsigned long long)x->blocks, (unsigned)x->block_size,
			x->disk_ok ? "true" : "false", x->bootable ? "true" : "false");
		if (x->error[0] || x->login_error[0])
			jstr(out, x->error[0] ? x->error : x->login_error);
		else
			fputs("null", out);
		fputs("}", out);
	}
	fputs("],\n  \"findings\": [", out);
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct probe_finding *f = &r->findings[i];

		fputs(i ? ",\n    {\"rule\": " : "\n    {\"rule\": ", out);
		jstr(out, f->rule);
		fprintf(out, ", \"severity\": \"%s\", \"profile\": ", nbc_sev_name(f->sev));
		if (f->profile[0])
			jstr(out, f->profile);
		else
			fputs("null", out);
		fputs(", \"server\": ", out);
		if (f->server[0])
			jstr(out, f->server);
		else
			fputs("null", out);
		fputs(",\n     \"message\": ", out);
		jstr(out, f->message);
		fputs(", \"hint\": ", out);
		jstr(out, f->hint ? f->hint : "");
		fputs("}", out);
	}
	fprintf(out, "%s],\n  \"stopped\": ", r->nfindings ? "\n  " : "");
	if (r->stopped[0])
		jstr(out, r->stopped);
	else
		fputs("null", out);
	fprintf(out, ",\n  \"summary\": {\"profiles\": %zu, \"answered\": %zu, \"servers\": %zu, "
		     "\"errors\": %zu, \"warnings\": %zu, \"info\": %zu, \"dropped\": %zu}\n}\n",
		en, an, r->nservers, c[NBC_SEV_ERROR], c[NBC_SEV_WARNING], c[NBC_SEV_INFO],
		r->findings_dropped);
}

/* ---------------------------------------------------------------------------------------- */
/* JUnit */

static size_t test_failures(const struct probe_run *r, size_t t)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nfindings; i++)
		if (r->findings[i].test == (int)t && r->findings[i].sev >= r->o->fail_on)
			n++;
	return n;
}

static void write_junit(FILE *out, const struct probe_run *r)
{
	size_t failures = 0, skipped = 0, loose = 0;

	/* Findings that belong to no testcase (a full table) get one of their own. */
	for (size_t i = 0; i < r->nfindings; i++)
		if (r->findings[i].test < 0 && r->findings[i].sev >= r->o->fail_on)
			loose++;
	for (size_t t = 0; t < r->ntests; t++) {
		failures += test_failures(r, t) > 0;
		skipped += r->tests[t].skipped;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<testsuites name=\"netboot-check probe\" tests=\"%zu\" failures=\"%zu\">\n"
		     "  <testsuite name=\"netboot-check probe ",
		r->ntests + (loose > 0), failures + (loose > 0));
	report_xml_string(out, r->o->iface);
	fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n",
		r->ntests + (loose > 0), failures + (loose > 0), skipped);
	for (size_t t = 0; t <= r->ntests; t++) {
		size_t bad = t < r->ntests ? test_failures(r, t) : loose;

		if (t == r->ntests && !loose)
			break;
		fputs("    <testcase classname=\"", out);
		report_xml_string(out, t < r->ntests ? r->tests[t].classname : "probe");
		fputs("\" name=\"", out);
		report_xml_string(out, t < r->ntests ? r->tests[t].name : "other findings");
		fputs("\">", out);
		if (bad) {
			fprintf(out, "\n      <failure message=\"%zu finding%s at or above %s\" "
				     "type=\"netboot-check\">",
				bad, bad == 1 ? "" : "s", nbc_sev_name(r->o->fail_on));
			for (size_t i = 0; i < r->nfindings; i++) {
				const struct probe_finding *f = &r->findings[i];

				if (f->sev < r->o->fail_on ||
				    (t < r->ntests ? f->test != (int)t : f->test >= 0))
					continue;
				fprintf(out, "\n%s: ", nbc_sev_name(f->sev));
				report_xml_string(out, f->message);
				fputs(" [", out);
				report_xml_string(out, f->rule);
				fputs("]", out);
			}
			fputs("\n      </failure>", out);
		} else if (t < r->ntests && r->tests[t].skipped) {
			fputs("\n      <skipped message=\"", out);
			report_xml_string(out, r->tests[t].detail);
			fputs("\"/>", out);
		}
		if (t < r->ntests && r->tests[t].detail[0]) {
			fputs("\n      <system-out>", out);
			report_xml_string(out, r->tests[t].detail);
			fputs("</system-out>", out);
		}
		fputs("\n    </testcase>\n", out);
	}
	fputs("  </testsuite>\n</testsuites>\n", out);
}

void probe_write(FILE *out, const struct probe_run *r)
{
	if (strcmp(r->o->format, "json") == 0)
		write_json(out, r);
	else if (strcmp(r->o->format, "junit") == 0)
		write_junit(out, r);
	else
		write_text(out, r);
}
