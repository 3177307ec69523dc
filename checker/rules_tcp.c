/* rules_tcp.c: the rules over the TCP half of a boot: HTTP, iPXE scripts, root paths, iSCSI, keep-san. */
#include "checker/engine_priv.h"
#include "checker/rules.h"

#include <stdio.h>
#include <stdlib.h>

#include "proto/ipxescript.h"
#include "proto/iscsi.h"
#include "proto/rootpath.h"

#define FR(x) ((unsigned long long)(x))
#define SCRIPT_FINDINGS_MAX 8	/* problems reported per script; the rest are counted */

static const char *http_path(const struct eng_http *h)
{
	return eng_uri_path(h->uri);
}

static const struct eng_http *script_http(const struct nbc_engine *e, const struct eng_script *s)
{
	return &e->https[s->http];
}

static bool is_rootpath_problem(const char *msg)
{
	return strstr(msg, "iscsi root path:") != NULL || strncmp(msg, "root-path:", 10) == 0;
}

void rule_http_status(struct nbc_engine *e, struct eng_client *c, const struct rule *r)
{
	for (size_t k = 0; k < c->nhttps; k++) {
		const struct eng_http *h = &e->https[c->https[k]];
		int st = c->http_stage ? c->http_stage[k] : -1;

		if (strstr(h->uri, "${") || strstr(h->uri, "%7B") || strstr(h->uri, "%7b")) {
			engine_add_finding(e, r->id, r->sev, c, st, h->frame, r->hint,
					   "the client requested %s (frame %llu) with an unexpanded "
					   "${...} in it: a setting the script uses was not set",
					   h->uri, FR(h->frame));
			continue;
		}
		/* iPXE asks for autoexec.ipxe first on its own; a 404 there is normal. */
		if (h->status < 400 || strcmp(eng_basename(http_path(h)), "autoexec.ipxe") == 0)
			continue;
		engine_add_finding(e, r->id, r->sev, c, st, h->status_frame, r->hint,
				   "%s %s (frame %llu) was answered %d %s (frame %llu)", h->method,
				   h->uri, FR(h->frame), h->status, h->reason, FR(h->status_frame));
	}
}

/* The client's first HTTP request or iSCSI connection after frame. */
static bool next_tcp_event(const struct nbc_engine *e, const struct eng_client *c,
			   uint64_t after, const struct eng_http **h, const struct eng_iscsi **s)
{
	*h = NULL;
	*s = NULL;
	for (size_t k = 0; k < c->nhttps; k++)
		if (e->https[c->https[k]].frame > after) {
			*h = &e->https[c->https[k]];
			break;
		}
	for (size_t k = 0; k < c->niscsis; k++)
		if (e->iscsis[c->iscsis[k]].first_frame > after) {
			*s = &e->iscsis[c->iscsis[k]];
			break;
		}
	if (*h && *s) {
		if ((*h)->frame < (*s)->first_frame)
			*s = NULL;
		else
			*h = NULL;
	}
	return *h || *s;
}

/* Does the request fetch the URI a script names (absolute or relative)? */
static bool fetches(const struct eng_http *h, const char *uri)
{
	const char *p = http_path(h);
	const char *u = strncmp(uri, "http://", 7) == 0 && !strchr(uri + 7, '/') ? "/" :
			eng_uri_path(uri);
	while (*p == '/')
		p++;
	while (*u == '/')
		u++;
	return strcmp(p, u) == 0 || (strlen(p) > strlen(u) && strcmp(p + strlen(p) - strlen(u), u) == 0);
}

void rule_ipxe_script(struct nbc_engine *e, struct eng_client *c, const struct rule *r)
{
	for (size_t i = 0; i < c->nscripts; i++) {
		const struct eng_script *es = &c->scripts[i];
		const struct ipxe_script *sc = es->parsed;
		const struct eng_http *h = script_http(e, es);
		unsigned shown = 0;
		const struct eng_http *nh;
		const struct eng_iscsi *ns;

		for (size_t k = 0; k < sc->nproblems; k++) {
			if (is_rootpath_problem(sc->problems[k].msg))
				continue;
			if (shown++ == SCRIPT_FINDINGS_MAX)
				break;
			engine_add_finding(e, r->id, r->sev, c, es->stage, h->status_frame, r->hint,
					   "script %s (frame %llu), line %u: %s", h->uri,
					   FR(h->status_frame), sc->problems[k].line,
					   sc->problems[k].msg);
		}
		/* Did the client do what the script's first boot command says? */
		for (size_t k = 0; k < sc->nacts; k++) {
			const struct ipxe_action *a = &sc->acts[k];

			if (a->kind != IPXE_ACT_CHAIN && a->kind != IPXE_ACT_SANBOOT)
				continue;
			if (!a->arg[0] || strstr(a->arg, "${") ||
			    !next_tcp_event(e, c, h->end_frame ? h->end_frame : h->status_frame, &nh,
					    &ns))
				break;
			if (a->kind == IPXE_ACT_CHAIN && strncmp(a->arg, "http", 4) == 0 && nh &&
			    !fetches(nh, a->arg))
				engine_add_finding(e, r->id, NBC_SEV_WARNING, c, es->stage, nh->frame,
						   r->hint,
						   "script %s line %u says chain %s, but the client next "
						   "requested %s (frame %llu)",
						   h->uri, a->line, a->arg, nh->uri, FR(nh->frame));
			else if (a->kind == IPXE_ACT_SANBOOT && strncmp(a->arg, "iscsi:", 6) == 0 &&
				 !ns && nh)
				engine_add_finding(e, r->id, NBC_SEV_WARNING, c, es->stage, nh->frame,
						   r->hint,
						   "script %s line %u says sanboot %s, but the client "
						   "opened no iSCSI connection before requesting %s "
						   "(frame %llu)",
						   h->uri, a->line, a->arg, nh->uri, FR(nh->frame));
			break;
		}
	}
}

static void check_rootpath(struct nbc_engine *e, struct eng_client *c, const struct rule *r,
			   int stage, uint64_t frame, const char *where, const char *rp)
{
	struct rootpath parsed;
	char why[128];

	if (strncmp(rp, "iscsi:", 6) != 0 || strstr(rp, "${"))
		return;
	if (rootpath_parse(rp, &parsed, why, sizeof(why)))
		return;
	engine_add_finding(e, r->id, r->sev, c, stage, frame, r->hint, "%s %s: %s", where, rp,
			   why);
}

void rule_rootpath_syntax(struct nbc_engine *e, struct eng_client *c, const struct rule *r)
{
	for (size_t i = 0; i < c->nrounds; i++) {
		const struct eng_reply *rep = eng_round_boot_reply(&c->rounds[i]);
		char where[64];

		if (!rep || !rep->root_path[0])
			continue;
		snprintf(where, sizeof(where), "option 17 (root-path) in frame %llu is",
			 FR(rep->frame));
		check_rootpath(e, c, r, c->round_stage[i], rep->frame, where, rep->root_path);
	}
	for (size_t i = 0; i < c->nscripts; i++) {
		const struct eng_script *es = &c->scripts[i];
		const struct ipxe_script *sc = es->parsed;
		const struct eng_http *h = script_http(e, es);

		for (size_t k = 0; k < sc->nacts; k++) {
			const struct ipxe_action *a = &sc->acts[k];
			char where[HTTP_URI_MAX + 64];

			snprintf(where, sizeof(where), "script %s line %u: %s", h->uri, a->line,
				 a->kind == IPXE_ACT_SET ? "root-path" :
				 a->kind == IPXE_ACT_SANHOOK ? "sanhook" : "sanboot");
			if (a->kind == IPXE_ACT_SANBOOT || a->kind == IPXE_ACT_SANHOOK)
				check_rootpath(e, c, r, es->stage, h->status_frame, where, a->arg);
			else if (a->kind == IPXE_ACT_SET &&
				 (strstr(a->arg, "root-path") || strncmp(a->arg, "17", 2) == 0))
				check_rootpath(e, c, r, es->stage, h->status_frame, where, a->value);
		}
	}
}

static int iscsi_stage(const struct eng_client *c, size_t k)
{
	return c->iscsi_stage ? c->iscsi_stage[k] : -1;
}

void rule_iscsi_login(struct nbc_engine *e, struct eng_client *c, const struct rule *r)
{
	for (size_t k = 0; k < c->niscsis; k++) {
		const struct eng_iscsi *s = &e->iscsis[c->iscsis[k]];

		if (s->login_failed && !(s->status_class == 2 && s->status_detail == 1))
			engine_add_finding(e, r->id, r->sev, c, iscsi_stage(c, k), s->status_frame,
					   r->hint,
					   "the target refused the login to %s (frame %llu): status "
					   "0x%02x%02x, %s",
					   s->target[0] ? s->target : "(no target named)",
					   FR(s->status_frame), s->status_class, s->status_detail,
					   iscsi_login_status_str(s->status_class, s->status_detail));
		else if (s->login_pdus && !s->login_ok && !s->login_failed && s->ended)
			engine_add_finding(e, r->id, r->sev, c, iscsi_stage(c, k), s->end_frame,
					   r->hint,
					   "the login to %s began in frame %llu and never completed: "
					   "the connection was closed by the %s in frame %llu%s",
					   s->target[0] ? s->target : "(no target named)",
					   FR(s->login_frame), s->end_dir == 0 ? "initiator" : "target",
					   FR(s->end_frame),
					   s->gap_bytes ? " (bytes of the connection are missing from "
							  "the capture: the target's last answer may "
							  "be among them)" : "");
	}
}

void rule_iscsi_chap(struct nbc_engine *e, struct eng_client *c, const struct rule *r)
{
	for (size_t k = 0; k < c->niscsis; k++) {
		const struct eng_iscsi *s = &e->iscsis[c->iscsis[k]];

		if (s->login_failed && s->status_class == 2 && s->status_detail == 1)
			engine_add_finding(e, r->id, r->sev, c, iscsi_stage(c, k), s->status_frame,
					   r->hint,
					   "CHAP authentication to %s failed (frame %llu): %s; "
					   "the target %s a CHAP challenge and the initiator %s a "
					   "response (values not shown)",
					   s->target[0] ? s->target : "(no target named)",
					   FR(s->status_frame), "Authentication failure",
					   s->chap ? "sent" : "sent no", s->chap_response ? "sent" : "sent no");
		else if (!s->login_ok && strcmp(s->auth_chosen, "CHAP") == 0 && !s->chap_response &&
			 s->ended)
			engine_add_finding(e, r->id, r->sev, c, iscsi_stage(c, k), s->end_frame,
					   r->hint,
					   "the target requires CHAP for %s but the initiator sent no "
					   "CHAP response before the connection closed (frame %llu)",
					   s->target[0] ? s->target : "(no target named)",
					   FR(s->end_frame));
	}
}

/* The script that ran before this session (and so issued its sanboot), or NULL. */
static const struct eng_script *script_before(const struct nbc_engine *e,
					      const struct eng_client *c, uint64_t frame)
{
	const struct eng_script *best = NULL;

	for (size_t i = 0; i < c->nscripts; i++)
		if (script_http(e, &c->scripts[i])->frame < frame)
			best = &c->scripts[i];
	return best;
}

/* The script's sanboot/sanhook that goes to this target, or NULL. */
static const struct ipxe_action *san_action(const struct ipxe_script *sc, size_t *idx)
{
	for (size_t k = 0; k < sc->nacts; k++)
		if (sc->acts[k].kind == IPXE_ACT_SANBOOT || sc->acts[k].kind == IPXE_ACT_SANHOOK) {
			*idx = k;
			return &sc->acts[k];
		}
	return NULL;
}

/* A fetch before frame that may have been a script and lost bytes to the capture. */
static bool http_lost_before(const struct nbc_engine *e, const struct eng_client *c,
			     uint64_t frame)
{
	for (size_t i = 0; i < c->nhttps; i++) {
		const struct eng_http *h = &e->https[c->https[i]];

		if (h->frame < frame && eng_http_script_lost(h))
			return true;
	}
	return false;
}

void rule_iscsi_not_bootable(struct nbc_engine *e, struct eng_client *c, const struct rule *r)
{
	for (size_t k = 0; k < c->niscsis; k++) {
		const struct eng_iscsi *s = &e->iscsis[c->iscsis[k]];
		const struct eng_script *es = script_before(e, c, s->first_frame);
		const struct ipxe_action *a = NULL;
		size_t ai = 0;
		bool fallback;
		bool unknown;

		/* iPXE whose boot from the disk returned closes with a FIN and no Logout
		 * (netboot-protocol-facts.md); netboot-firmware logs out at exit. */
		bool returned = eng_iscsi_boot_returned(s);

		if (s->lba0 != 0 && !returned)
			continue;
		if (es)
			a = san_action(es->parsed, &ai);
		/* `sanboot X || chain installer`: a blank disk is what an install expects. */
		fallback = a && ai + 1 < es->parsed->nacts && es->parsed->acts[ai + 1].fallback;
		/* The script that issued the sanboot may be the fetch the capture lost. */
		unknown = !a && http_lost_before(e, c, s->first_frame);
		if (returned) {
			engine_add_finding(e, r->id, fallback ? NBC_SEV_INFO : r->sev, c,
					   iscsi_stage(c, k), s->end_frame, r->hint,
					   "LBA 0 of %s (frame %llu) carries the boot signature, but the "
					   "initiator closed the session in frame %llu, %.0f ms later: "
					   "the boot from the SAN disk returned or failed (iPXE also "
					   "fails when the disk is smaller than one cylinder of its "
					   "guessed 255x63 geometry, 7.8 MiB)",
					   s->target[0] ? s->target : "the SAN disk", FR(s->lba0_frame),
					   FR(s->end_frame), (s->end_time - s->lba0_time) * 1000.0);
			continue;
		}
		engine_add_finding(e, r->id,
				   fallback ? NBC_SEV_INFO : unknown ? NBC_SEV_WARNING : r->sev, c,
				   iscsi_stage(c, k), s->lba0_frame, r->hint,
				   "LBA 0 of %s (read in frame %llu) has %02x %02x at bytes 510-511, "
				   "not the boot signature 55 aa: the disk is not bootable%s",
				   s->target[0] ? s->target : "the SAN disk", FR(s->lba0_frame),
				   s->lba0_sig[0], s->lba0_sig[1],
				   fallback ? " (the script falls back to its next command, as an "
					      "install to a blank disk does)"
				   : unknown ? " (an HTTP fetch before it, maybe the script that "
					       "says whether a blank disk is expected, is not whole "
					       "in the capture)" : "");
	}
}

/* The client's first activity of any kind after frame: the next stage. */
static uint64_t next_activity(const struct nbc_engine *e, const struct eng_client *c,
			      uint64_t after, const struct eng_iscsi *self, char *what, size_t cap)
{
	uint64_t best = UINT64_MAX;

	what[0] = '\0';
	for (size_t k = 0; k < c->nhttps; k++) {
		const struct eng_http *h = &e->https[c->https[k]];

		if (h->frame > after && h->frame < best) {
			best = h->frame;
			snprintf(what, cap, "%s %s", h->method, h->uri);
		}
	}
	for (size_t k = 0; k < c->nxfers; k++) {
		const struct eng_xfer *x = &e->xfers[c->xfers[k]];

		if (x->rrq_frame > after && x->rrq_frame < best) {
			best = x->rrq_frame;
			snprintf(what, cap, "TFTP %s", x->name);
		}
	}
	for (size_t k = 0; k < c->nrounds; k++) {
		if (c->rounds[k].first_frame > after && c->rounds[k].first_frame < best) {
			best = c->rounds[k].first_frame;
			snprintf(what, cap, "DHCP");
		}
	}
	for (size_t k = 0; k < c->niscsis; k++) {
		const struct eng_iscsi *s = &e->iscsis[c->iscsis[k]];

		if (s != self && s->first_frame > after && s->first_frame < best) {
			best = s->first_frame;
			snprintf(what, cap, "a new iSCSI connection");
		}
	}
	return best;
}

void rule_san_keep_lost(struct nbc_engine *e, struct eng_client *c, const struct rule *r)
{
	const struct eng_expect *x = e->opt.expect;

	for (size_t k = 0; k < c->niscsis; k++) {
		const struct eng_iscsi *s = &e->iscsis[c->iscsis[k]];
		const struct eng_script *es = script_before(e, c, s->first_frame);
		uint64_t boot_end;
		uint64_t next;
		uint64_t lost_frame;
		char what[HTTP_URI_MAX + 16];
		char how[64];
		const char *src = NULL;
		const struct ipxe_action *san = NULL;
		size_t si = 0;
		bool set;
		bool expected;

		if (es)
			san = san_action(es->parsed, &si);
		/* keep-san: the setting, DHCP 175.8, or `sanboot --keep` on the command itself. */
		set = es && (es->keep_san == 1 || (san && san->keep_flag));
		expected = set || (x && x->keep_san == 1);

		/* Only a sanboot that returned or failed: a handed-over boot is the OS's. */
		if (!s->login_ok || s->lba0 == 1 || strcmp(s->session_type, "Discovery") == 0)
			continue;
		boot_end = s->lba0 >= 0 ? s->lba0_frame : s->login_ok_frame;
		if (s->logout && (!s->ended || s->logout_frame < s->end_frame)) {
			lost_frame = s->logout_frame;
			snprintf(how, sizeof(how), "sent a Logout in frame %llu", FR(lost_frame));
		} else if (s->ended) {
			lost_frame = s->end_frame;
			snprintf(how, sizeof(how), "closed the connection (%s) in frame %llu",
				 s->end == ENG_TCP_RST ? "RST" : "FIN", FR(lost_frame));
		} else {
			continue;	/* still open at the end: the SAN device was kept */
		}
		next = next_activity(e, c, boot_end, s, what, sizeof(what));
		if (next == UINT64_MAX || lost_frame > next) {
			if (!expected || next != UINT64_MAX)
				continue;
		}
		if (set)
			src = san && san->keep_flag ? "the script's sanboot has --keep" :
			      es->keep_from_dhcp    ? "DHCP option 175.8 sets keep-san" :
						      "the script sets keep-san 1";
		else if (expected)
			src = "the site file expects keep-san, but neither the script nor DHCP sets "
			      "it";
		if (expected)
			engine_add_finding(e, r->id, r->sev, c, iscsi_stage(c, k), lost_frame, r->hint,
					   "%s, yet after the sanboot of %s the %s %s%s%s%s: the SAN "
					   "device is gone for the next stage",
					   src, s->target[0] ? s->target : "the SAN disk",
					   s->end_dir == 1 && !s->logout ? "target" : "initiator", how,
					   what[0] ? ", before " : "", what,
					   what[0] ? " started" : "");
		else
			engine_add_finding(e, r->id, NBC_SEV_WARNING, c, iscsi_stage(c, k),
					   lost_frame, r->hint,
					   "the sanboot of %s did not boot and the client went on to "
					   "%s (frame %llu), but keep-san is not set: iPXE unregistered "
					   "the SAN device and %s %s first, so an installer started "
					   "next cannot see the disk",
					   s->target[0] ? s->target : "the SAN disk", what, FR(next),
					   s->end_dir == 1 && !s->logout ? "the target" : "the initiator",
					   how);
	}
}

/* For NBC-FLOW-STALLED: a script that ended the boot itself with exit. */
bool rules_script_exited(const struct nbc_engine *e, const struct eng_client *c, char *msg,
			 size_t cap)
{
	const struct eng_script *es;
	const struct ipxe_script *sc;
	const struct ipxe_action *last;

	if (!c->nscripts)
		return false;
	es = &c->scripts[c->nscripts - 1];
	sc = es->parsed;
	if (!sc->nacts)
		return false;
	last = &sc->acts[sc->nacts - 1];
	if (last->kind != IPXE_ACT_EXIT)
		return false;
	snprintf(msg, cap, "the iPXE script %s (frame %llu) ends with exit at line %u: iPXE "
		 "returned to the firmware without booting",
		 script_http(e, es)->uri, FR(script_http(e, es)->status_frame), last->line);
	return true;
}

const char rule_hint_http_status[] =
	"Check that the file exists under the HTTP server's document root and that the URL in "
	"the DHCP reply or the script is spelled right; set every ${...} the URL uses before "
	"it is used.";
const char rule_hint_ipxe_script[] =
	"Start the script with #!ipxe, fix the command named, and test it from the iPXE shell "
	"(Ctrl-B, then chain URL). See https://ipxe.org/scripting.";
const char rule_hint_rootpath[] =
	"Write the root path as iscsi:<server>:<protocol>:<port>:<LUN>:<targetname> (RFC 4173): "
	"protocol empty or 6, port empty or a number, LUN in hex, and a target name such as "
	"iqn.2026-11.example:disk0. Empty fields take defaults: iscsi:192.0.2.1::::iqn...";
const char rule_hint_iscsi_login[] =
	"Check the target name against the target's configuration (tgtadm --mode target --op "
	"show), that the LUN exists, and that the initiator name is allowed (ACL).";
const char rule_hint_iscsi_chap[] =
	"Set matching credentials: in iPXE `set username NAME` and `set password SECRET` (or DHCP "
	"option 175.190/191) before sanboot; on the target the same user and secret (tgtadm "
	"--op new --mode account). Windows' iSCSI initiator (and so WinPE on that disk later) takes "
	"CHAP secrets of 12 to 16 characters only: choose one that fits.";
const char rule_hint_not_bootable[] =
	"Install an operating system onto the LUN first (sanboot || chain an installer with "
	"keep-san set), or point the root path at the right LUN.";
const char rule_hint_keep_san[] =
	"Set keep-san before the sanboot (`set keep-san 1` in the script, or DHCP option 175.8 = "
	"1), so that a failed boot leaves the SAN device registered and the iSCSI session open "
	"for the installer (WinPE, Windows Setup) chained next. Or use sanhook instead of sanboot.";
