/* rules.c: one small function per rule ID, registered in one table. */
#include "checker/rules.h"

#include <stdio.h>
#include <string.h>

#include "checker/engine_priv.h"
#include "proto/pxelinux.h"
#include "proto/tftp.h"

#define FR(x) ((unsigned long long)(x))

static const char *ipstr(uint32_t ip, char *buf)
{
	return net_ip_str(ip, buf, 16);
}

static int round_stage(const struct eng_client *c, const struct eng_round *r)
{
	return c->round_stage[r - c->rounds];
}

static int xfer_stage_of(const struct eng_client *c, size_t pos)
{
	return c->xfer_stage[pos];
}

/* Was name fetched by the client after frame? */
static bool fetched_after(const struct nbc_engine *e, const struct eng_client *c,
			  const char *name, uint64_t frame)
{
	for (size_t i = 0; i < c->nxfers; i++) {
		const struct eng_xfer *x = &e->xfers[c->xfers[i]];

		if (x->rrq_frame > frame && strcmp(eng_basename(x->name), eng_basename(name)) == 0)
			return true;
	}
	return false;
}

static void rule_loop_userclass(struct nbc_engine *e, struct eng_client *c, const struct rule *r)
{
	const struct eng_round *first = NULL;
	const struct eng_reply *first_rep = NULL;
	unsigned times = 0;
	bool refetched = false;

	for (size_t i = 0; i < c->nrounds; i++) {
		const struct eng_round *rd = &c->rounds[i];
		const struct eng_reply *rep = eng_round_boot_reply(rd);

		if (rd->kind != ENG_ROUND_IPXE || !rep || !eng_is_ipxe_binary(rep->bootfile))
			continue;
		times++;
		if (!first) {
			first = rd;
			first_rep = rep;
		}
		if (fetched_after(e, c, rep->bootfile, rep->frame))
			refetched = true;
	}
	/* Two hand-outs, or one that iPXE went on to fetch, are the loop. */
	if (!first || (times < 2 && !refetched))
		return;
	c->loop_stage = round_stage(c, first);
	engine_add_finding(e, r->id, r->sev, c, c->loop_stage, first_rep->frame, r->hint,
			   "iPXE (user-class iPXE / option 175, DHCP from frame %llu) was handed the "
			   "iPXE binary %s again in frame %llu; it chainloads itself: %u time%s in "
			   "this capture",
			   FR(first->first_frame), first_rep->bootfile, FR(first_rep->frame), times,
			   times == 1 ? "" : "s");
}

enum family { FAM_UNKNOWN, FAM_BIOS, FAM_EFI_X64, FAM_EFI_IA32, FAM_EFI_ARM64, FAM_EFI_OTHER };

static enum family arch_family(int arch)
{
	switch (arch) {
	case DHCP_ARCH_BIOS:
		return FAM_BIOS;
	case DHCP_ARCH_EFI_X64:
	case DHCP_ARCH_EFI_BC:
	case DHCP_ARCH_HTTP_X64:
		return FAM_EFI_X64;
	case DHCP_ARCH_EFI_IA32:
	case DHCP_ARCH_HTTP_IA32:
		return FAM_EFI_IA32;
	case DHCP_ARCH_EFI_ARM64:
	case DHCP_ARCH_HTTP_ARM64:
		return FAM_EFI_ARM64;
	default:
		return arch > 0 ? FAM_EFI_OTHER : FAM_UNKNOWN;
	}
}

static bool name_has(const char *name, const char *a, const char *b, const char *c2)
{
	return strstr(name, a) || (b && strstr(name, b)) || (c2 && strstr(name, c2));
}

/* Why the file's name does not fit the family, or NULL. */
static const char *name_mismatch(enum family f, const char *name)
{
	if (f == FAM_BIOS && eng_is_efi_binary(name))
		return "a UEFI binary for a BIOS client";
	if (f >= FAM_EFI_X64 && eng_is_bios_binary(name))
		return "a BIOS (real-mode) NBP for a UEFI client";
	if (f == FAM_EFI_ARM64 && name_has(name, "x64", "x86_64", "amd64"))
		return "an x86-64 binary for an ARM64 client";
	if ((f == FAM_EFI_X64 || f == FAM_EFI_IA32) && name_has(name, "aa64", "arm64", NULL))
		return "an ARM64 binary for an x86 client";
	return NULL;
}

static const char *image_mismatch(enum family f, enum eng_image img)
{
	switch (f) {
	case FAM_BIOS:
		return img >= ENG_IMAGE_PE_X64 && img <= ENG_IMAGE_PE_OTHER
			       ? "its bytes are a PE (UEFI) image, a BIOS client cannot run it"
			       : NULL;
	case FAM_EFI_X64:
		if (img == ENG_IMAGE_REALMODE)
			return "its bytes are no PE image, UEFI cannot run it";
		if (img == ENG_IMAGE_PE_IA32 || img == ENG_IMAGE_PE_ARM64)
			return "its PE machine type is not x86-64";
		return NULL;
	case FAM_EFI_ARM64:
		if (img == ENG_IMAGE_REALMODE)
			return "its bytes are no PE image, UEFI cannot run it";
		if (img == ENG_IMAGE_PE_X64 || img == ENG_IMAGE_PE_IA32)
			return "its PE machine type is not ARM64";
		return NULL;
	case FAM_EFI_IA32:
		if (img == ENG_IMAGE_REALMODE)
			return "its bytes are no PE image, UEFI cannot run it";
		if (img == ENG_IMAGE_PE_X64 || img == ENG_IMAGE_PE_ARM64)
			return "its PE machine type is not IA32";
		return NULL;
	default:
		return NULL;
	}
}

static void rule_arch_mismatch(struct nbc_engine *e, struct eng_client *c, const struct rule *r)
{
	for (size_t i = 0; i < c->nrounds; i++) {
		const struct eng_round *rd = &c->rounds[i];
		const struct eng_reply *rep = eng_round_boot_reply(rd);
		enum family f = arch_family(rd->arch);
		const char *why;

		if (rd->kind == ENG_ROUND_OTHER || !rep || !rep->bootfile[0] || f == FAM_UNKNOWN)
			continue;
		why = name_mismatch(f, rep->bootfile);
		if (why) {
			engine_add_finding(e, r->id, r->sev, c, round_stage(c, rd), rep->frame,
					   r->hint,
					   "client arch %s (option 93 = %d) was handed %s in frame "
					   "%llu: %s",
					   nbc_arch_name(rd->arch), rd->arch, rep->bootfile,
					   FR(rep->frame), why);
			continue;
		}
		/* The name looks right: check the bytes of the NBP it fetched next. */
		for (size_t k = 0; k < c->nxfers; k++) {
			const struct eng_xfer *x = &e->xfers[c->xfers[k]];

			if (x->rrq_frame < rep->frame ||
			    strcmp(eng_basename(x->name), eng_basename(rep->bootfile)) != 0 ||
			    x->blocks == 0)
				continue;
			why = image_mismatch(f, x->image);
			if (why)
				engine_add_finding(e, r->id, r->sev, c, xfer_stage_of(c, k),
						   x->rrq_frame, r->hint,
						   "client arch %s (option 93 = %d) downloaded %s "
						   "(RRQ frame %llu): %s",
						   nbc_arch_name(rd->arch), rd->arch, x->name,
						   FR(x->rrq_frame), why);
			break;
		}
	}
}

static void rule_no_bootfile(struct nbc_engine *e, struct eng_client *c, const struct rule *r)
{
	char a[16];

	for (size_t i = 0; i < c->nrounds; i++) {
		const struct eng_round *rd = &c->rounds[i];
		const struct eng_reply *rep = eng_round_boot_reply(rd);
		const struct eng_reply *ans = rd->has_ack ? &rd->ack
					      : rd->noffers ? &rd->offers[0] : NULL;

		if (rd->kind == ENG_ROUND_OTHER || !ans || (rep && rep->bootfile[0]))
			continue;
		engine_add_finding(e, r->id, r->sev, c, round_stage(c, rd), ans->frame, r->hint,
				   "the %s from %s in frame %llu to this %s client names no boot "
				   "file (empty file field, no option 67)",
				   dhcp_msgtype_name(ans->msgtype), ipstr(ans->server, a),
				   FR(ans->frame), rd->kind == ENG_ROUND_IPXE ? "iPXE" : "PXE");
	}
}

static bool is_url(const char *s)
{
	return strstr(s, "://") != NULL || strncmp(s, "iscsi:", 6) == 0;
}

static void rule_no_next_server(struct nbc_engine *e, struct eng_client *c, const struct rule *r)
{
	for (size_t i = 0; i < c->nrounds; i++) {
		const struct eng_round *rd = &c->rounds[i];
		const struct eng_reply *rep = eng_round_boot_reply(rd);

		if (rd->kind == ENG_ROUND_OTHER || !rep || !rep->bootfile[0] ||
		    is_url(rep->bootfile) || rep->siaddr || rep->has_opt66)
			continue;
		if (fetched_after(e, c, rep->bootfile, rep->frame))
			continue;	/* the client found a TFTP server anyway */
		engine_add_finding(e, r->id, r->sev, c, round_stage(c, rd), rep->frame, r->hint,
				   "the reply in frame %llu names boot file %s but no TFTP server: "
				   "next-server (siaddr) is 0.0.0.0 and there is no option 66; no "
				   "TFTP request followed",
				   FR(rep->frame), rep->bootfile);
	}
}

static void rule_multi_server(struct nbc_engine *e, struct eng_client *c, const struct rule *r)
{
	char a[16], b[16];

	for (size_t i = 0; i < c->nrounds; i++) {
		const struct eng_round *rd = &c->rounds[i];
		const struct eng_reply *with = NULL, *without = NULL, *chosen = NULL;
		uint32_t servers[ENG_OFFERS_MAX];
		unsigned ns = 0;

		for (unsigned k = 0; k < rd->noffers; k++) {
			const struct eng_reply *o = &rd->offers[k];
			bool seen = false;

			if (o->proxy)
				continue;	/* a proxyDHCP offer is by design */
			for (unsigned s = 0; s < ns; s++)
				seen |= servers[s] == o->server;
			if (!seen)
				servers[ns++] = o->server;
			if (o->bootfile[0] && !with)
				with = o;
			if (!o->bootfile[0] && !without)
				without = o;
			if (rd->requested_server && o->server == rd->requested_server && !chosen)
				chosen = o;
		}
		if (ns < 2)
			continue;
		if (rd->kind != ENG_ROUND_OTHER && chosen && !chosen->bootfile[0] && with) {
			engine_add_finding(e, r->id, NBC_SEV_ERROR, c, round_stage(c, rd),
					   rd->request_frame, r->hint,
					   "%u DHCP servers answered; the client chose %s (offer frame "
					   "%llu, no boot file) over %s (offer frame %llu, boot file %s)",
					   ns, ipstr(chosen->server, a), FR(chosen->frame),
					   ipstr(with->server, b), FR(with->frame), with->bootfile);
			continue;
		}
		engine_add_finding(e, r->id, NBC_SEV_WARNING, c, round_stage(c, rd),
				   rd->offers[0].frame, r->hint,
				   "%u DHCP servers answered the same request (first offers in frames "
				   "%llu and %llu, from %s and %s)",
				   ns, FR(rd->offers[0].frame),
				   FR((without && without != &rd->offers[0] ? without : with
					       ? with : &rd->offers[1])->frame),
				   ipstr(servers[0], a), ipstr(servers[1], b));
	}
}

static void rule_foreign_nak(struct nbc_engine *e, struct eng_client *c, const struct rule *r)
{
	char a[16], b[16];

	for (size_t i = 0; i < c->nrounds; i++) {
		const struct eng_round *rd = &c->rounds[i];

		if (!rd->has_nak || !rd->requested_server || rd->nak.server == rd->requested_server)
			continue;
		engine_add_finding(e, r->id, r->sev, c, round_stage(c, rd), rd->nak.frame, r->hint,
				   "DHCPNAK in frame %llu from %s, which the client did not select "
				   "(its REQUEST named %s)",
				   FR(rd->nak.frame), ipstr(rd->nak.server, a),
				   ipstr(rd->requested_server, b));
	}
}

/* Did any reply in the capture from this server carry 209? Then it is configured there. */
static const struct eng_reply *server_sent_209(const struct nbc_engine *e, uint32_t server)
{
	for (size_t i = 0; i < e->nclients; i++) {
		const struct eng_client *c = &e->clients[i];

		for (size_t k = 0; k < c->nrounds; k++) {
			const struct eng_round *rd = &c->rounds[k];

			if (rd->has_ack && rd->ack.has_209 && rd->ack.server == server)
				return &rd->ack;
			for (unsigned o = 0; o < rd->noffers; o++)
				if (rd->offers[o].has_209 && rd->offers[o].server == server)
					return &rd->offers[o];
		}
	}
	return NULL;
}

/* One name a lookup walk asked for, over TFTP or HTTP. */
struct walk_step {
	const char *name;
	uint64_t frame;
	double last_time;
	bool not_found;		/* TFTP ERROR or HTTP 4xx/5xx */
};

static struct walk_step walk_step(const struct nbc_engine *e, const struct eng_client *c,
				  const struct eng_walk *w, size_t k)
{
	struct walk_step s;

	if (w->http) {
		const struct eng_http *h = &e->https[c->https[w->first + k]];
		s.name = eng_uri_path(h->uri);
		s.frame = h->frame;
		s.last_time = h->end_frame ? h->end_time : h->status_time;
		s.not_found = h->status >= 400;
	} else {
		const struct eng_xfer *x = &e->xfers[c->xfers[w->first + k]];

		s.name = x->name;
		s.frame = x->rrq_frame;
		s.last_time = x->last_time;
		s.not_found = x->status == ENG_XFER_ERROR;
	}
	return s;
}

static void rule_209_missing(struct nbc_engine *e, struct eng_client *c, const struct rule *r)
{
	const struct eng_expect *x = e->opt.expect;

	for (size_t i = 0; i < c->nwalks; i++) {
		const struct eng_walk *w = &c->walks[i];
		const struct eng_round *rd;
		const struct eng_reply *rep;
		const struct eng_reply *other;
		const char *expected = NULL;
		const char *why = NULL;

		if (!w->has_round)
			continue;
		rd = &c->rounds[w->round];
		rep = eng_round_boot_reply(rd);
		if (!rep)
			continue;
		if (x && x->pxelinux_configfile[0]) {
			expected = x->pxelinux_configfile;
			why = "the site expects it";
		} else if (!rep->has_209 && (other = server_sent_209(e, rep->server)) != NULL) {
			expected = other->configfile;
			why = "the same server sent it in another reply";
		}
		if (!expected)
			continue;
		if (rep->has_209 && strcmp(rep->configfile, expected) == 0)
			continue;
		if (rep->has_209) {
			engine_add_finding(e, r->id, r->sev, c, w->stage, rep->frame, r->hint,
					   "option 209 in frame %llu is %s, but %s is expected (%s)",
					   FR(rep->frame), rep->configfile, expected, why);
			continue;
		}
		engine_add_finding(e, r->id, r->sev, c, w->stage, rep->frame, r->hint,
				   "the %s in frame %llu carries no option 209 (configfile %s: %s)%s; "
				   "pxelinux walked the lookup order from frame %llu instead",
				   dhcp_msgtype_name(rep->msgtype), FR(rep->frame), expected, why,
				   rd->asked_209 ? "" : ", and the client did not ask for 209 in option 55",
				   FR(walk_step(e, c, w, 0).frame));
	}
}

static const char *strip_slash(const char *s)
{
	while (*s == '/')
		s++;
	return s;
}

/* A name of the form pxelinux.cfg/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx. */
static bool looks_like_uuid_name(const char *name)
{
	const char *b = eng_basename(name);

	return strlen(b) == 36 && b[8] == '-' && b[13] == '-' && b[18] == '-' && b[23] == '-';
}

static void compute_walk(const struct eng_client *c, const struct eng_walk *w,
			 struct pxelinux_walk *out)
{
	struct pxelinux_input in;

	memset(&in, 0, sizeof(in));
	in.uuid = c->pub.has_uuid ? c->pub.uuid : NULL;
	in.mac = c->pub.mac;
	in.htype = 1;
	in.hlen = 6;
	in.ip = c->pub.ip;
	in.prefix = w->prefix;
	/* lpxelinux over HTTP: the names asked for are the paths under the URL prefix. */
	if (strncmp(w->prefix, "http://", 7) == 0)
		in.prefix = strchr(w->prefix + 7, '/') ? strchr(w->prefix + 7, '/') : "";
	in.bootfile = w->nbp;
	in.configfile = w->configfile[0] ? w->configfile : NULL;
	if (w->has_round && c->rounds[w->round].has_ack && c->rounds[w->round].ack.yiaddr)
		in.ip = c->rounds[w->round].ack.yiaddr;
	pxelinux_compute_walk(&in, out);
}

#define LOST_WALK_END (-2L)

/*
 * Where the expected walk goes on when got is not the name expected at j but the capture
 * lacks `lost` requests before it: just past got when it is among the next `lost` names
 * after j; LOST_WALK_END when the lost requests may be all the walk's remaining names (the
 * last one loaded, got is read after the walk); -1 when the loss does not explain got.
 */
static long lost_skip(const struct pxelinux_walk *exp, unsigned j, const char *got, size_t lost)
{
	for (size_t d = 1; d <= lost && j + d < exp->n; d++)
		if (strcmp(got, strip_slash(exp->names[j + d])) == 0)
			return (long)(j + d + 1);
	return lost && j < exp->n && exp->n - j <= lost ? LOST_WALK_END : -1;
}

static void rule_lookup_order(struct nbc_engine *e, struct eng_client *c, const struct rule *r)
{
	struct pxelinux_walk exp;

	if (!c->pub.has_mac)
		return;
	for (size_t i = 0; i < c->nwalks; i++) {
		const struct eng_walk *w = &c->walks[i];
		const char *prev = NULL;
		/* Lost requests are counted from the transfer before the walk on. */
		uint64_t prev_frame = eng_walk_after_frame(e, c, w);
		unsigned j = 0;

		if (w->settings_unknown)
			continue;	/* what the script set (209, 210) is not in the capture */
		compute_walk(c, w, &exp);
		for (size_t k = 0; k < w->count; k++) {
			struct walk_step x = walk_step(e, c, w, k);
			const char *got = strip_slash(x.name);
			long skip;

			if (prev && strcmp(prev, got) == 0)
				continue;	/* the same name asked again after a timeout */
			prev = got;
			if (j < exp.n && strcmp(got, strip_slash(exp.names[j])) == 0) {
				j++;
				prev_frame = x.frame;
				continue;
			}
			/* Without option 97 the UUID may come from SMBIOS: allow one. */
			if (exp.uuid_optional && j < exp.n && exp.step[j] == PXELINUX_STEP_MAC &&
			    looks_like_uuid_name(got))
				continue;
			/* The server answered requests the capture does not have: lost, not
			 * skipped. */
			skip = w->http ? -1 : lost_skip(&exp, j, got,
							       eng_unseen_rrqs(c, prev_frame, x.frame));
			if (skip == LOST_WALK_END)
				break;
			if (skip >= 0) {
				j = (unsigned)skip;
				prev_frame = x.frame;
				continue;
			}
			if (j < exp.n)
				engine_add_finding(e, r->id, r->sev, c, w->stage, x.frame,
						   r->hint,
						   "pxelinux config lookup step %zu asked for %s (frame "
						   "%llu); from UUID, MAC and IP %s the %s step %s was "
						   "expected",
						   k + 1, got, FR(x.frame),
						   net_ip_str(c->pub.ip, (char[16]){ 0 }, 16),
						   pxelinux_step_name(exp.step[j]), exp.names[j]);
			else
				engine_add_finding(e, r->id, r->sev, c, w->stage, x.frame,
						   r->hint,
						   "pxelinux config lookup asked for %s (frame %llu) after "
						   "the last name of the expected walk",
						   got, FR(x.frame));
			break;
		}
	}
}

static void rule_no_config(struct nbc_engine *e, struct eng_client *c, const struct rule *r)
{
	for (size_t i = 0; i < c->nwalks; i++) {
		const struct eng_walk *w = &c->walks[i];
		struct walk_step first = walk_step(e, c, w, 0);
		struct walk_step last = walk_step(e, c, w, w->count - 1);
		bool at_default = strcmp(eng_basename(last.name), "default") == 0;
		bool quiet = engine_capture_end(e) - last.last_time >= e->opt.stall_secs;

		if (w->found >= 0 || !last.not_found || (!at_default && !quiet))
			continue;
		engine_add_finding(e, r->id, r->sev, c, w->stage, last.frame, r->hint,
				   "pxelinux tried %zu config names (frames %llu to %llu) and found "
				   "none; the last was %s",
				   w->count, FR(first.frame), FR(last.frame), last.name);
	}
}

static bool in_walk(const struct eng_client *c, size_t pos)
{
	for (size_t i = 0; i < c->nwalks; i++)
		if (!c->walks[i].http && pos >= c->walks[i].first && pos < c->walks[i].first + c->walks[i].count)
			return true;
	return false;
}

static void rule_tftp_not_found(struct nbc_engine *e, struct eng_client *c, const struct rule *r)
{
	for (size_t k = 0; k < c->nxfers; k++) {
		const struct eng_xfer *x = &e->xfers[c->xfers[k]];

		if (x->status != ENG_XFER_ERROR ||
		    (x->errcode != TFTP_ERR_NOT_FOUND && x->errcode != TFTP_ERR_ACCESS))
			continue;
		/* Misses of a lookup walk are expected; iPXE's autoexec.ipxe probe too. */
		if (in_walk(c, k) || strcmp(eng_basename(x->name), "autoexec.ipxe") == 0)
			continue;
		engine_add_finding(e, r->id, r->sev, c, xfer_stage_of(c, k), x->rrq_frame, r->hint,
				   "TFTP read request for %s (frame %llu) answered with ERROR %u, %s "
				   "(frame %llu): \"%s\"",
				   x->name, FR(x->rrq_frame), x->errcode, tftp_errcode_name(x->errcode),
				   FR(x->end_frame), x->errmsg);
	}
}

static void rule_tftp_incomplete(struct nbc_engine *e, struct eng_client *c,
				 const struct rule *r)
{
	char a[16];

	for (size_t k = 0; k < c->nxfers; k++) {
		const struct eng_xfer *x = &e->xfers[c->xfers[k]];
		bool quiet = engine_capture_end(e) - x->last_time >= e->opt.stall_secs;
		bool retried = k + 1 < c->nxfers &&
			       strcmp(e->xfers[c->xfers[k + 1]].name, x->name) == 0;

		/* The retry's request lost, the server's answer to it captured. */
		if (!retried && eng_xfer_is_probe(x))
			retried = eng_unseen_rrqs(c, x->end_frame,
						  k + 1 < c->nxfers ? e->xfers[c->xfers[k + 1]].rrq_frame
								    : UINT64_MAX) > 0;

		switch (x->status) {
		case ENG_XFER_ABORTED:
			if (eng_xfer_is_probe(x) && retried)
				continue;	/* the benign tsize probe */
			engine_add_finding(e, r->id, r->sev, c, xfer_stage_of(c, k), x->end_frame,
					   r->hint,
					   "the client aborted the transfer of %s in frame %llu after "
					   "%u blocks (%llu bytes%s) with ERROR %u \"%s\"",
					   x->name, FR(x->end_frame), x->blocks, FR(x->bytes),
					   x->tsize > 0 ? " of the announced size" : "", x->errcode,
					   x->errmsg);
			break;
		case ENG_XFER_ERROR:
			if (x->errcode == TFTP_ERR_NOT_FOUND || x->errcode == TFTP_ERR_ACCESS)
				continue;	/* NBC-TFTP-NOT-FOUND, or an expected walk miss */
			engine_add_finding(e, r->id, r->sev, c, xfer_stage_of(c, k), x->end_frame,
					   r->hint,
					   "the server ended the transfer of %s with ERROR %u (%s) "
					   "\"%s\" in frame %llu after %u blocks",
					   x->name, x->errcode, tftp_errcode_name(x->errcode), x->errmsg,
					   FR(x->end_frame), x->blocks);
			break;
		case ENG_XFER_RUNNING:
			if (!quiet)
				continue;
			engine_add_finding(e, r->id, r->sev, c, xfer_stage_of(c, k), x->last_frame,
					   r->hint,
					   "the transfer of %s (RRQ frame %llu) stopped at block %u, "
					   "%llu bytes%s; its last packet is frame %llu",
					   x->name, FR(x->rrq_frame), x->blocks, FR(x->bytes),
					   x->tsize > 0 ? " short of the announced size" : "",
					   FR(x->last_frame));
			break;
		case ENG_XFER_REQUESTED:
			if (!quiet || retried)
				continue;
			engine_add_finding(e, r->id, r->sev, c, xfer_stage_of(c, k), x->rrq_frame,
					   r->hint,
					   "no answer from %s to the read request for %s (frame %llu, "
					   "sent %u time%s)",
					   ipstr(x->sip, a), x->name, FR(x->rrq_frame),
					   x->rrq_repeats + 1, x->rrq_repeats ? "s" : "");
			break;
		default:
			break;
		}
	}
}

static void rule_tftp_retransmit(struct nbc_engine *e, struct eng_client *c,
				 const struct rule *r)
{
	for (size_t k = 0; k < c->nxfers; k++) {
		const struct eng_xfer *x = &e->xfers[c->xfers[k]];

		if (x->data_retransmits < 3 && x->dup_acks < 3)
			continue;
		engine_add_finding(e, r->id, r->sev, c, xfer_stage_of(c, k), x->rrq_frame, r->hint,
				   "the transfer of %s (RRQ frame %llu) sent %u DATA blocks again and "
				   "saw %u duplicate ACKs in %u blocks",
				   x->name, FR(x->rrq_frame), x->data_retransmits, x->dup_acks,
				   x->blocks);
	}
}

static void rule_tftp_blksize(struct nbc_engine *e, struct eng_client *c, const struct rule *r)
{
	uint32_t mtu = e->max_ipv4_len > 1500 ? e->max_ipv4_len : 1500;

	for (size_t k = 0; k < c->nxfers; k++) {
		const struct eng_xfer *x = &e->xfers[c->xfers[k]];

		if (x->fragmented)
			engine_add_finding(e, r->id, r->sev, c, xfer_stage_of(c, k), x->rrq_frame,
					   r->hint,
					   "DATA of %s arrived as IP fragments: blksize %ld + 32 bytes "
					   "of headers exceeds the path MTU, and many ROMs cannot "
					   "reassemble fragments",
					   x->name, x->blksize);
		else if (x->oack && x->blksize + 32 > (long)mtu)
			engine_add_finding(e, r->id, r->sev, c, xfer_stage_of(c, k), x->rrq_frame,
					   r->hint,
					   "the OACK for %s (transfer from frame %llu) grants blksize %ld: "
					   "%ld-byte packets, larger than any unfragmented packet in this "
					   "capture (MTU %u)",
					   x->name, FR(x->rrq_frame), x->blksize, x->blksize + 32, mtu);
	}
}

static void rule_link_delay(struct nbc_engine *e, struct eng_client *c, const struct rule *r)
{
	const struct eng_round *rd;

	if (!c->nrounds)
		return;
	rd = &c->rounds[0];
	if (rd->kind == ENG_ROUND_OTHER || !rd->discovers)
		return;
	if (rd->first_secs >= 10)
		engine_add_finding(e, r->id, r->sev, c, round_stage(c, rd), rd->discover_frame,
				   r->hint,
				   "the first DISCOVER seen (frame %llu) already says secs=%u: the "
				   "client had been trying for that long before its packets got through",
				   FR(rd->discover_frame), rd->first_secs);
	else if (rd->discovers >= 3 && rd->first_reply_frame)
		engine_add_finding(e, r->id, r->sev, c, round_stage(c, rd), rd->discover_frame,
				   r->hint,
				   "%u DISCOVERs (from frame %llu, secs up to %u) before the first "
				   "answer in frame %llu",
				   rd->discovers, FR(rd->discover_frame), rd->max_secs,
				   FR(rd->first_reply_frame));
}

static void rule_flow_stalled(struct nbc_engine *e, struct eng_client *c, const struct rule *r)
{
	double quiet = engine_capture_end(e) - c->pub.last_time;
	const struct nbc_stage *s;
	int last = (int)c->pub.nstages - 1;

	if (c->reached_terminal || c->loop_stage >= 0 || last < 0 || c->nerrors ||
	    quiet < e->opt.stall_secs)
		return;
	s = &c->pub.stages[last];
	if (s->kind == NBC_STAGE_NBP && s->result == NBC_RESULT_OK) {
		const struct eng_xfer *x = NULL;

		for (size_t k = 0; k < c->nxfers; k++)
			if (c->xfer_stage[k] == last)
				x = &e->xfers[c->xfers[k]];
		if (x && eng_is_ipxe_binary(x->name)) {
			engine_add_finding(e, r->id, r->sev, c, last, s->last_frame, r->hint,
					   "iPXE (%s) was downloaded completely by frame %llu and never "
					   "spoke again in the %.0f s that followed: its network driver "
					   "may not work with this NIC",
					   x->name, FR(s->last_frame), quiet);
			return;
		}
	}
	{
		char msg[NBC_MSG_MAX];

		if (rules_script_exited(e, c, msg, sizeof(msg))) {
			engine_add_finding(e, r->id, r->sev, c, last, c->pub.last_frame, r->hint,
					   "%s", msg);
			return;
		}
	}
	if ((s->kind == NBC_STAGE_PXE_DHCP || s->kind == NBC_STAGE_IPXE_DHCP ||
	     s->kind == NBC_STAGE_DHCP) &&
	    s->result == NBC_RESULT_FAILED) {
		engine_add_finding(e, r->id, r->sev, c, last, s->frame, r->hint,
				   "no DHCP server answered the client (%s from frame %llu)",
				   nbc_stage_name(s->kind), FR(s->frame));
		return;
	}
	engine_add_finding(e, r->id, r->sev, c, last, c->pub.last_frame, r->hint,
			   "the client went quiet after the %s stage (last packet frame %llu, %.0f s "
			   "before the capture ended) without reaching a boot",
			   nbc_stage_name(s->kind), FR(c->pub.last_frame), quiet);
}

static const char HINT_LOOP[] =
	"Hand iPXE something other than an iPXE binary. ISC dhcpd: if exists user-class and "
	"option user-class = \"iPXE\" { filename \"http://SERVER/boot.ipxe\"; } else { filename "
	"\"undionly.kpxe\"; }. dnsmasq: dhcp-userclass=set:ipxe,iPXE (or dhcp-match=set:ipxe,175) "
	"then dhcp-boot=tag:!ipxe,undionly.kpxe and dhcp-boot=tag:ipxe,http://SERVER/boot.ipxe. "
	"Or embed a script in the iPXE build.";
static const char HINT_ARCH[] =
	"Branch on option 93: BIOS (0) gets undionly.kpxe/pxelinux.0, UEFI x64 (7 and 9: match "
	"both) gets ipxe.efi/snponly.efi or syslinux.efi, ARM64 (11) an arm64 EFI binary. ISC "
	"dhcpd: option arch code 93 = unsigned integer 16; if option arch = 00:07 or option arch = "
	"00:09 { filename \"ipxe.efi\"; }. dnsmasq: dhcp-match=set:efi64,option:client-arch,7 "
	"and dhcp-match=set:efi64,option:client-arch,9, dhcp-boot=tag:efi64,ipxe.efi.";
static const char HINT_NO_BOOTFILE[] =
	"Give PXE clients a boot file in the scope they match: ISC dhcpd `filename \"pxelinux.0\";` "
	"(and `next-server`), dnsmasq `dhcp-boot=pxelinux.0,,SERVER`, Kea `boot-file-name`. Check "
	"that the class or tag condition really matches this client.";
static const char HINT_NO_NEXT_SERVER[] =
	"Set the TFTP server: ISC dhcpd `next-server 192.0.2.1;` (newer dhcpd no longer defaults "
	"it), dnsmasq the third field of dhcp-boot, Kea `next-server`.";
static const char HINT_MULTI[] =
	"Only one server should answer boot clients on this segment: stop the other DHCP server "
	"or make it ignore PXE clients, or run the boot server as proxyDHCP (dnsmasq "
	"dhcp-range=...,proxy).";
static const char HINT_NAK[] =
	"A DHCP server that does not own this client's lease is sending NAKs. ISC dhcpd NAKs "
	"requests for addresses in a subnet it declares but outside its own ranges, authoritative "
	"or not: keep one DHCP server per segment (or a dhcpd failover pair), or remove the "
	"subnet declaration from the foreign server.";
static const char HINT_209[] =
	"PXE ROMs do not ask for 209/210, so servers that only send requested options omit them. "
	"ISC dhcpd: option space pxelinux; site-option-space \"pxelinux\"; and option "
	"dhcp-parameter-request-list = concat(option dhcp-parameter-request-list, d0, d1, d2, d3); "
	"dnsmasq: dhcp-option-force=209,pxelinux.cfg/boot and dhcp-option-force=210,/; Kea: "
	"an option-def for 208-210 (Kea has none built in) and always-send: true on the "
	"option-data.";
static const char HINT_ORDER[] =
	"pxelinux asks for pxelinux.cfg/<UUID>, 01-<mac>, the hex IP shortened one digit at a "
	"time, then default (syslinux pxelinux docs). A different order points at a different "
	"loader, a mangled boot file path (its directory is the prefix), or a wrong option 210.";
static const char HINT_NO_CONFIG[] =
	"Create pxelinux.cfg/default (or a file named for the client's MAC as 01-aa-bb-cc-dd-ee-ff "
	"or its hex IP) under the TFTP root, in the directory of the boot file, or deliver option "
	"209/210 to point at the config you have.";
static const char HINT_NOT_FOUND[] =
	"The file is not where the request looks: check the exact name and case under the TFTP "
	"root, the server's --secure/chroot prefix, and the DHCP boot file or config line that "
	"names it.";
static const char HINT_INCOMPLETE[] =
	"Look at the server's log for the transfer; a client that aborts after the OACK may "
	"reject the negotiated options (blksize/windowsize), a stalled transfer points at packet "
	"loss or a firewall on the server's ephemeral port.";
static const char HINT_RETRANSMIT[] =
	"Retransmissions mean lost packets or a slow client: lower blksize, check duplex and "
	"errors on the switch port, and make sure the server does not answer duplicate ACKs with "
	"duplicate DATA (Sorcerer's Apprentice).";
static const char HINT_BLKSIZE[] =
	"Cap the TFTP block size below the path MTU minus 32: tftpd-hpa --blocksize 1468 for a "
	"1500-byte MTU (1388 over WireGuard); dnsmasq already keeps blksize under its interface's "
	"MTU, so give it the smaller path MTU with tftp-mtu (e.g. tftp-mtu=1420).";
static const char HINT_LINK_DELAY[] =
	"The switch port was not forwarding yet: enable PortFast/edge port (or disable STP) on "
	"access ports of boot clients, and check LACP/link negotiation time.";
static const char HINT_STALLED[] =
	"Compare with a client that boots: the next stage never started. If iPXE went silent "
	"after download, try ipxe.pxe/ipxe.efi (iPXE's own NIC drivers) instead of undionly.kpxe/"
	"snponly.efi (which drive the NIC through the ROM's UNDI/SNP); otherwise check the "
	"console of the client.";

static struct rule table[] = {
	{ "NBC-LOOP-USERCLASS", NBC_SEV_ERROR,
	  "an iPXE client is handed an iPXE binary again: it chainloads itself forever",
	  HINT_LOOP, rule_loop_userclass },
	{ "NBC-ARCH-MISMATCH", NBC_SEV_ERROR,
	  "the boot file does not fit the client's architecture (option 93 / option 60 Arch, "
	  "and the NBP's bytes)",
	  HINT_ARCH, rule_arch_mismatch },
	{ "NBC-DHCP-NO-BOOTFILE", NBC_SEV_ERROR,
	  "a PXE or iPXE client's offer/ack names no boot file", HINT_NO_BOOTFILE,
	  rule_no_bootfile },
	{ "NBC-DHCP-NO-NEXT-SERVER", NBC_SEV_ERROR,
	  "a boot file is named but no TFTP server (next-server, option 66), and no TFTP followed",
	  HINT_NO_NEXT_SERVER, rule_no_next_server },
	{ "NBC-DHCP-MULTI-SERVER", NBC_SEV_WARNING,
	  "more than one DHCP server answers the same client (an error when the chosen offer "
	  "lacks the boot file another had)",
	  HINT_MULTI, rule_multi_server },
	{ "NBC-DHCP-FOREIGN-NAK", NBC_SEV_WARNING,
	  "a DHCPNAK from a server the client did not select", HINT_NAK, rule_foreign_nak },
	{ "NBC-PXELINUX-209-MISSING", NBC_SEV_ERROR,
	  "option 209 (configfile) expected but not delivered, so pxelinux walks the lookup "
	  "order instead",
	  HINT_209, rule_209_missing },
	{ "NBC-PXELINUX-LOOKUP-ORDER", NBC_SEV_ERROR,
	  "the config lookup differs from the order computed from UUID, MAC and IP", HINT_ORDER,
	  rule_lookup_order },
	{ "NBC-PXELINUX-NO-CONFIG", NBC_SEV_ERROR, "the config lookup ended with no file found",
	  HINT_NO_CONFIG, rule_no_config },
	{ "NBC-TFTP-NOT-FOUND", NBC_SEV_ERROR,
	  "a file the boot needs was refused with TFTP ERROR 1 or 2 (lookup-walk misses and "
	  "autoexec.ipxe excepted)",
	  HINT_NOT_FOUND, rule_tftp_not_found },
	{ "NBC-TFTP-INCOMPLETE", NBC_SEV_ERROR,
	  "a transfer aborted, stopped short, or got no answer (the tsize probe excepted)",
	  HINT_INCOMPLETE, rule_tftp_incomplete },
	{ "NBC-TFTP-RETRANSMIT", NBC_SEV_WARNING,
	  "3 or more DATA retransmissions or duplicate ACKs in one transfer", HINT_RETRANSMIT,
	  rule_tftp_retransmit },
	{ "NBC-TFTP-BLKSIZE", NBC_SEV_WARNING,
	  "the negotiated blksize does not fit the path MTU (IP fragments, or packets larger "
	  "than any other in the capture)",
	  HINT_BLKSIZE, rule_tftp_blksize },
	{ "NBC-LINK-DELAY", NBC_SEV_WARNING,
	  "the client's first DHCP packets were lost or late (secs >= 10 on the first DISCOVER "
	  "seen, or 3+ DISCOVERs before an answer)",
	  HINT_LINK_DELAY, rule_link_delay },
	{ "NBC-HTTP-STATUS", NBC_SEV_ERROR,
	  "a boot file or script over HTTP got a 4xx/5xx answer, or its URL has an unexpanded "
	  "${...} (autoexec.ipxe excepted)",
	  rule_hint_http_status, rule_http_status },
	{ "NBC-IPXE-SCRIPT", NBC_SEV_ERROR,
	  "a script the client fetched is malformed (no #!ipxe, unknown command, bad URI, goto "
	  "to a missing label), or the client did not do what its first boot command says",
	  rule_hint_ipxe_script, rule_ipxe_script },
	{ "NBC-ROOTPATH-SYNTAX", NBC_SEV_ERROR,
	  "a malformed iscsi: root path (RFC 4173) in option 17 or a script", rule_hint_rootpath,
	  rule_rootpath_syntax },
	{ "NBC-ISCSI-LOGIN", NBC_SEV_ERROR,
	  "the iSCSI target refused the login (status class/detail), or it never completed",
	  rule_hint_iscsi_login, rule_iscsi_login },
	{ "NBC-ISCSI-CHAP", NBC_SEV_ERROR,
	  "CHAP authentication failed, or the target wants CHAP and got no response",
	  rule_hint_iscsi_chap, rule_iscsi_chap },
	{ "NBC-ISCSI-NOT-BOOTABLE", NBC_SEV_ERROR,
	  "LBA 0 of the SAN disk lacks the 0x55AA boot signature, or the boot from it returned "
	  "(iPXE closed the session); info when the script falls back to an installer",
	  rule_hint_not_bootable, rule_iscsi_not_bootable },
	{ "NBC-SAN-KEEP-LOST", NBC_SEV_ERROR,
	  "keep-san expected but the iSCSI session was logged out or closed before the next "
	  "stage (a warning when a failed sanboot falls through to a next stage without it)",
	  rule_hint_keep_san, rule_san_keep_lost },
	/* Last: it looks at what the other rules found. */
	{ "NBC-FLOW-STALLED", NBC_SEV_ERROR,
	  "the client stopped before a terminal stage while the capture went on", HINT_STALLED,
	  rule_flow_stalled },
};

static bool disabled[sizeof(table) / sizeof(table[0])];

const struct rule *rules_table(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}

const struct rule *rules_find(const char *id)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].id, id) == 0)
			return &table[i];
	return NULL;
}

bool rules_set_enabled(const char *id, bool on)
{
	const struct rule *r = rules_find(id);

	if (!r)
		return false;
	disabled[r - table] = !on;
	return true;
}

void rules_run(struct nbc_engine *e)
{
	for (size_t i = 0; i < e->nclients; i++) {
		struct eng_client *c = &e->clients[i];

		if (c->report_index < 0)
			continue;
		for (size_t k = 0; k < sizeof(table) / sizeof(table[0]); k++)
			if (!disabled[k])
				table[k].check(e, c, &table[k]);
	}
}
