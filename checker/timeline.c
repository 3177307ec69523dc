/* timeline.c: per-client stages from DHCP rounds, TFTP transfers and HTTP requests; verdicts. */
#include "checker/engine_priv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/ipxescript.h"
#include "proto/iscsi.h"
#include "proto/pxecfg.h"
#include "proto/pxelinux.h"
#include "proto/tftp.h"

/*
 * A stage's detail is allocated to its length (a report holds one per stage of every
 * client: fixed NBC_DETAIL_MAX buffers cost 10,000 clients tens of megabytes).
 */
static void stage_vprintf(struct nbc_stage *s, bool append, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static void stage_vprintf(struct nbc_stage *s, bool append, const char *fmt, va_list ap)
{
	char buf[NBC_DETAIL_MAX];
	size_t n = 0;
	char *d;

	buf[0] = '\0';
	if (append && s->detail) {
		n = strlen(s->detail);
		if (n + 1 >= sizeof(buf))
			return;
		memcpy(buf, s->detail, n + 1);
	}
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	n = strlen(buf);
	d = realloc(s->detail, n + 1);
	if (!d) {
		fprintf(stderr, "netboot-check: out of memory\n");
		exit(2);
	}
	memcpy(d, buf, n + 1);
	s->detail = d;
}

void timeline_stages_clear(struct nbc_client *p)
{
	for (size_t i = 0; i < p->nstages; i++) {
		free(p->stages[i].detail);
		p->stages[i].detail = NULL;
	}
	p->nstages = 0;
}

int timeline_add_stage(struct eng_client *c, enum nbc_stage_kind kind,
		       enum nbc_stage_result result, uint64_t frame, double time, const char *fmt,
		       ...)
{
	struct nbc_client *p = &c->pub;
	struct nbc_stage *s = NBC_PUSH(p->stages, p->nstages, p->stages_cap);
	va_list ap;

	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->result = result;
	s->frame = s->last_frame = frame;
	s->time = time;
	va_start(ap, fmt);
	stage_vprintf(s, false, fmt, ap);
	va_end(ap);
	return (int)(p->nstages - 1);
}

/* Replaces a stage's detail (printf-style). */
static void stage_setf(struct nbc_stage *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void stage_setf(struct nbc_stage *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	stage_vprintf(s, false, fmt, ap);
	va_end(ap);
}

/* Appends to a stage's detail (printf-style), up to NBC_DETAIL_MAX - 1 bytes in all. */
static void stage_appendf(struct nbc_stage *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void stage_appendf(struct nbc_stage *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	stage_vprintf(s, true, fmt, ap);
	va_end(ap);
}

/* Appends printf-style text to a bounded string. */
static void appendf(char *dst, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void appendf(char *dst, size_t cap, const char *fmt, ...)
{
	size_t n = strlen(dst);
	va_list ap;

	if (n + 1 >= cap)
		return;
	va_start(ap, fmt);
	vsnprintf(dst + n, cap - n, fmt, ap);
	va_end(ap);
}

static const char *ipstr(uint32_t ip, char *buf)
{
	return net_ip_str(ip, buf, 16);
}

/* The per-client state while its events are walked in frame order. */
struct walker {
	struct nbc_engine *e;
	struct eng_client *c;
	const struct eng_round *round;	/* the last round that handed out a boot file */
	size_t round_idx;
	char bootfile[ENG_NAME_MAX];
	char configfile[ENG_NAME_MAX];
	char prefix[ENG_NAME_MAX];
	bool have_prefix;	/* from 210 */
	struct eng_walk *walk;	/* the lookup in progress */
	bool script_lost;	/* since the last boot reply an HTTP fetch (a script, maybe) lost
				 * bytes in the capture: what it set (209, 210) is unknown */
	bool config_loaded;	/* a walk found its config since the NBP started: config names
				 * asked for now are INCLUDEs or CONFIG loads, not a new walk */
	int nbp_stage;
	struct pxecfg_default cfg;
	bool cfg_known;
	bool kernel_done;
	bool initrd_done;
	uint64_t after_config_frame;
	int keep_san_dhcp;	/* 175.8 in the last iPXE reply: -1 absent */
	char includes[8][ENG_NAME_MAX];	/* INCLUDE names of the loaded config */
	unsigned nincludes;
	struct eng_script *script;	/* the last script the client ran */
	bool http_nbp;		/* the NBP came over HTTP (lpxelinux): configs follow over HTTP */
};

static enum nbc_stage_kind round_kind(const struct eng_round *r)
{
	switch (r->kind) {
	case ENG_ROUND_PXE:
		return NBC_STAGE_PXE_DHCP;
	case ENG_ROUND_IPXE:
		return NBC_STAGE_IPXE_DHCP;
	default:
		return NBC_STAGE_DHCP;
	}
}

static void add_round(struct walker *w, size_t ri)
{
	const struct eng_round *r = &w->c->rounds[ri];
	const struct eng_reply *boot = eng_round_boot_reply(r);
	char d[NBC_DETAIL_MAX] = "";
	char a[16];
	char b[16];
	enum nbc_stage_result res;
	int st;

	if (r->discovers)
		appendf(d, sizeof(d), "DISCOVER #%llu", (unsigned long long)r->discover_frame);
	if (r->discovers > 1)
		appendf(d, sizeof(d), " (%u sent)", r->discovers);
	if (r->noffers) {
		appendf(d, sizeof(d), "%sOFFER #%llu from %s", d[0] ? ", " : "",
			(unsigned long long)r->offers[0].frame, ipstr(r->offers[0].server, a));
		if (r->noffers > 1)
			appendf(d, sizeof(d), " (+%u more)", r->noffers - 1 + r->offers_dropped);
	}
	if (r->request_frame)
		appendf(d, sizeof(d), "%sREQUEST #%llu", d[0] ? ", " : "",
			(unsigned long long)r->request_frame);
	if (r->has_ack)
		appendf(d, sizeof(d), "%sACK #%llu: %s", d[0] ? ", " : "",
			(unsigned long long)r->ack.frame, ipstr(r->ack.yiaddr, a));
	if (r->has_nak)
		appendf(d, sizeof(d), "%sNAK #%llu from %s", d[0] ? ", " : "",
			(unsigned long long)r->nak.frame, ipstr(r->nak.server, a));
	if (boot && boot->bootfile[0])
		appendf(d, sizeof(d), "; boot file %s from %s", boot->bootfile,
			ipstr(boot->siaddr ? boot->siaddr : boot->server, b));
	else if (r->has_ack || r->noffers)
		appendf(d, sizeof(d), "; no boot file");
	if (boot && boot->has_209)
		appendf(d, sizeof(d), "; 209 %s", boot->configfile);
	if (boot && boot->has_210)
		appendf(d, sizeof(d), "; 210 %s", boot->pathprefix);

	if (r->has_ack)
		res = NBC_RESULT_OK;
	else if (r->has_nak)
		res = NBC_RESULT_FAILED;
	else if (r->noffers)
		res = NBC_RESULT_PARTIAL;
	else
		res = NBC_RESULT_FAILED;
	if (!d[0])
		snprintf(d, sizeof(d), "DHCP exchange");
	st = timeline_add_stage(w->c, round_kind(r), res, r->first_frame, r->first_time, "%s", d);
	w->c->round_stage[ri] = st;
	w->c->pub.stages[st].last_frame = r->has_ack ? r->ack.frame : r->first_frame;

	if (boot && boot->bootfile[0]) {
		w->round = r;
		w->round_idx = ri;
		snprintf(w->bootfile, sizeof(w->bootfile), "%s", boot->bootfile);
		snprintf(w->configfile, sizeof(w->configfile), "%s",
			 boot->has_209 ? boot->configfile : "");
		w->have_prefix = boot->has_210;
		snprintf(w->prefix, sizeof(w->prefix), "%s", boot->has_210 ? boot->pathprefix : "");
		w->walk = NULL;
		w->config_loaded = false;
		w->script_lost = false;
		w->cfg_known = false;
		w->keep_san_dhcp = boot->keep_san;
	}
}

static const char *strip_slash(const char *s)
{
	while (*s == '/')
		s++;
	return s;
}

/* The transfer fetches the NBP the last DHCP reply named. */
static bool is_nbp(const struct walker *w, const char *name)
{
	const char *b = w->bootfile;

	if (!b[0])
		return false;
	if (strncmp(b, "tftp://", 7) == 0) {
		const char *slash = strchr(b + 7, '/');

		b = slash ? slash : b;
	}
	return strcmp(strip_slash(name), strip_slash(b)) == 0;
}

static bool is_config_name(const struct walker *w, const char *name)
{
	const char *n = strip_slash(name);

	if (strstr(n, "pxelinux.cfg/") != NULL)
		return true;
	if (w->configfile[0]) {
		char full[2 * ENG_NAME_MAX];

		snprintf(full, sizeof(full), "%s%s", w->prefix, w->configfile);
		return strcmp(n, strip_slash(w->configfile)) == 0 ||
		       strcmp(n, strip_slash(full)) == 0;
	}
	return false;
}

static void xfer_summary(const struct eng_xfer *x, char *d, size_t cap)
{
	char a[16];

	snprintf(d, cap, "%s from %s: ", x->name, ipstr(x->sip, a));
	switch (x->status) {
	case ENG_XFER_COMPLETE:
		appendf(d, cap, "%llu bytes in %u blocks of %ld", (unsigned long long)x->bytes,
			x->blocks, x->blksize);
		if (x->blocks_unseen)
			appendf(d, cap, " (%u acknowledged but not in the capture)",
				x->blocks_unseen);
		if (x->windowsize > 1)
			appendf(d, cap, ", window %ld", x->windowsize);
		break;
	case ENG_XFER_ERROR:
		appendf(d, cap, "ERROR %u (%s) \"%s\" #%llu", x->errcode,
			tftp_errcode_name(x->errcode), x->errmsg,
			(unsigned long long)x->end_frame);
		break;
	case ENG_XFER_ABORTED:
		appendf(d, cap, "client aborted with ERROR %u \"%s\" #%llu after %u blocks",
			x->errcode, x->errmsg, (unsigned long long)x->end_frame, x->blocks);
		break;
	case ENG_XFER_RUNNING:
		appendf(d, cap, "stopped after %u blocks (%llu bytes", x->blocks,
			(unsigned long long)x->bytes);
		if (x->tsize > 0)
			appendf(d, cap, " of %ld", x->tsize);
		appendf(d, cap, ")");
		break;
	case ENG_XFER_REQUESTED:
		appendf(d, cap, "no answer");
		if (x->rrq_repeats)
			appendf(d, cap, " to %u requests", x->rrq_repeats + 1);
		break;
	}
}

static enum nbc_stage_result xfer_result(const struct nbc_engine *e, const struct eng_xfer *x)
{
	switch (x->status) {
	case ENG_XFER_COMPLETE:
		return NBC_RESULT_OK;
	case ENG_XFER_RUNNING:
	case ENG_XFER_REQUESTED:
		/* Still going when the capture ended: not a failure we can prove. */
		return engine_capture_end(e) - x->last_time < e->opt.stall_secs
			       ? NBC_RESULT_PARTIAL
			       : NBC_RESULT_FAILED;
	default:
		return NBC_RESULT_FAILED;
	}
}

/*
 * A UEFI or iPXE tsize probe: OACK, then the client's ERROR before any data. An OACK the
 * capture lost counts when the request asked for tsize and the ERROR went to the server's
 * port.
 */
bool eng_xfer_is_probe(const struct eng_xfer *x)
{
	return x->status == ENG_XFER_ABORTED && x->blocks == 0 &&
	       (x->oack || (x->sport && !x->first_reply_frame && x->req_tsize >= 0));
}

/* A file a stage fetched, over TFTP or HTTP. */
struct fetched {
	const char *name;
	uint64_t bytes;
	bool complete;
	const uint8_t *body;
	size_t body_len;
	bool body_cut;
	uint64_t end_frame;
	double end_time;
};

static struct fetched xfer_fetched(const struct eng_xfer *x)
{
	struct fetched f = { x->name,	  x->bytes,    x->status == ENG_XFER_COMPLETE,
			     x->body,	  x->body_len, x->body_cut,
			     x->end_frame ? x->end_frame : x->last_frame, x->last_time };
	return f;
}

static struct fetched http_fetched(const struct eng_http *h)
{
	struct fetched f = { h->uri,	  h->body_bytes, h->complete && h->status >= 200 &&
							   h->status < 300,
			     h->body,	  h->body_len,	 h->body_cut,
			     h->end_frame ? h->end_frame : h->status_frame, h->end_time };
	return f;
}

/* INCLUDE (and MENU INCLUDE) lines of a loaded config: their fetches are not a walk. */
static void collect_includes(struct walker *w, const uint8_t *p, size_t len)
{
	size_t pos = 0;

	w->nincludes = 0;
	while (pos < len && w->nincludes < 8) {
		const uint8_t *nl = memchr(p + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (p + pos)) : len - pos;
		const char *l = (const char *)p + pos;
		size_t i = 0;

		pos += n + 1;
		while (i < n && (l[i] == ' ' || l[i] == '\t'))
			i++;
		if (n - i > 5 && !strncasecmp(l + i, "menu", 4) && (l[i + 4] == ' ' || l[i + 4] == '\t')) {
			i += 5;
			while (i < n && (l[i] == ' ' || l[i] == '\t'))
				i++;
		}
		if (n - i > 8 && !strncasecmp(l + i, "include", 7) &&
		    (l[i + 7] == ' ' || l[i + 7] == '\t')) {
			size_t k = 0;
			char *d = w->includes[w->nincludes];

			i += 8;
			while (i < n && (l[i] == ' ' || l[i] == '\t'))
				i++;
			while (i < n && l[i] > ' ' && l[i] < 0x7f && k + 1 < ENG_NAME_MAX)
				d[k++] = l[i++];
			d[k] = '\0';
			if (k)
				w->nincludes++;
		}
	}
}

static bool is_include(const struct walker *w, const char *name)
{
	const char *n = name;

	while (*n == '/')
		n++;
	for (unsigned i = 0; i < w->nincludes; i++) {
		size_t ln = strlen(n);
		size_t li = strlen(w->includes[i]);

		/* The name as asked for carries the prefix: compare the tail. */
		if (ln >= li && !strcmp(n + ln - li, w->includes[i]))
			return true;
	}
	return false;
}

/*
 * pxelinux walks its lookup once per start: a config name asked for after the walk found
 * its file is an INCLUDE or CONFIG load of that file (named in its text, or the text was
 * not captured whole), not a new walk.
 */
static bool after_walk_config(const struct walker *w, const char *name)
{
	return w->config_loaded && is_config_name(w, name);
}

static const char *config_fetch_note(const struct walker *w, const char *name)
{
	if (is_include(w, name))
		return "INCLUDE of the loaded config";
	return w->cfg_known ? "a config read after the lookup walk"
			    : "a config read after the lookup walk (an INCLUDE? the loaded "
			      "config's text was not captured)";
}

static void finish_walk(struct walker *w, const struct fetched *found)
{
	struct eng_walk *k = w->walk;
	struct nbc_stage *s = &w->c->pub.stages[k->stage];
	char d[NBC_DETAIL_MAX];

	if (found) {
		snprintf(d, sizeof(d), "%zu name%s tried; loaded %s (%llu bytes)", k->count,
			 k->count == 1 ? "" : "s", found->name, (unsigned long long)found->bytes);
		s->result = found->complete ? NBC_RESULT_OK : NBC_RESULT_PARTIAL;
		if (found->body && !found->body_cut && found->complete) {
			collect_includes(w, found->body, found->body_len);
			pxecfg_parse_default((struct view){ found->body, found->body_len }, &w->cfg);
			w->cfg_known = true;
			w->kernel_done = w->initrd_done = false;
			appendf(d, sizeof(d), "; default label %s: %s %s",
				w->cfg.label[0] ? w->cfg.label : "(none)",
				pxecfg_action_name(w->cfg.action), w->cfg.kernel);
		}
		w->after_config_frame = found->end_frame;
		w->config_loaded = true;
	} else {
		snprintf(d, sizeof(d), "%zu name%s tried, none found", k->count,
			 k->count == 1 ? "" : "s");
		s->result = NBC_RESULT_FAILED;
	}
	if (k->settings_unknown)
		appendf(d, sizeof(d), "; order not checked: an HTTP fetch before it (a script "
			"that may set 209/210) is not whole in the capture");
	if (!k->http && k->count) {
		/* From the transfer before the walk to its last request. */
		const struct eng_client *c = w->c;
		uint64_t to = w->e->xfers[c->xfers[k->first + k->count - 1]].rrq_frame;
		size_t lost = eng_unseen_rrqs(c, eng_walk_after_frame(w->e, c, k), to);

		if (lost)
			appendf(d, sizeof(d), "; %zu request%s not in the capture (the server's "
				"answer%s %s)", lost, lost == 1 ? "" : "s", lost == 1 ? "" : "s",
				lost == 1 ? "is" : "are");
	}
	stage_setf(s, "%s", d);
	w->walk = NULL;
}

static void mark_terminal(struct walker *w, int st)
{
	w->c->pub.stages[st].terminal = true;
	w->c->reached_terminal = true;
}

/* After a config: does this completed fetch finish what its default label loads? */
static void after_config_fetch(struct walker *w, int st, const char *name, uint64_t end_frame,
			       double end_time)
{
	struct eng_client *c = w->c;

	if (!w->after_config_frame)
		return;
	if (w->cfg_known) {
		const char *b = eng_basename(name);

		if (w->cfg.kernel[0] && strcmp(b, eng_basename(w->cfg.kernel)) == 0)
			w->kernel_done = true;
		if (w->cfg.initrd[0] && strcmp(b, eng_basename(w->cfg.initrd)) == 0)
			w->initrd_done = true;
		if (w->kernel_done && eng_is_ipxe_binary(w->cfg.kernel)) {
			/* `KERNEL ipxe.lkrn`: pxelinux hands over to iPXE, which starts over
			 * with its own DHCP; not the end of the boot. */
			stage_appendf(&c->pub.stages[st], "; label %s loads iPXE", w->cfg.label);
			w->after_config_frame = 0;
			w->cfg_known = false;
			return;
		}
		if (w->kernel_done && (!w->cfg.initrd[0] || w->initrd_done) &&
		    !c->reached_terminal) {
			if (w->cfg.action == PXECFG_COM32) {
				mark_terminal(w, st);
				stage_appendf(&c->pub.stages[st], "; runs the default label's module");
			} else {
				st = timeline_add_stage(c, NBC_STAGE_KERNEL, NBC_RESULT_OK, end_frame,
							end_time, "label %s: %s%s%s loaded",
							w->cfg.label, w->cfg.kernel,
							w->cfg.initrd[0] ? " + " : "", w->cfg.initrd);
				mark_terminal(w, st);
			}
		}
	} else if (!strstr(name, ".c32") && !c->reached_terminal) {
		/* The config's text was not captured whole: a completed non-module fetch
		 * after it is taken as the kernel. */
		st = timeline_add_stage(c, NBC_STAGE_KERNEL, NBC_RESULT_OK, end_frame, end_time,
					"%s loaded (the config's text was not captured)", name);
		mark_terminal(w, st);
	}
}

static void add_xfer(struct walker *w, size_t pos)
{
	struct nbc_engine *e = w->e;
	struct eng_client *c = w->c;
	const struct eng_xfer *x = &e->xfers[c->xfers[pos]];
	char d[NBC_DETAIL_MAX];
	enum nbc_stage_result res = xfer_result(e, x);
	bool found = x->status == ENG_XFER_COMPLETE || x->status == ENG_XFER_RUNNING;
	int st;

	xfer_summary(x, d, sizeof(d));
	if (!w->walk && (is_include(w, x->name) || after_walk_config(w, x->name))) {
		st = timeline_add_stage(c, NBC_STAGE_TFTP_FETCH, res, x->rrq_frame, x->rrq_time,
					"%s; %s", d, config_fetch_note(w, x->name));
		c->pub.stages[st].last_frame = x->last_frame;
		c->xfer_stage[pos] = st;
		return;
	}
	if (is_config_name(w, x->name) && !is_nbp(w, x->name)) {
		c->pub.personality |= NBC_PERS_PXELINUX;
		if (!w->walk) {
			struct eng_walk *k = NBC_PUSH(c->walks, c->nwalks, c->walks_cap);

			memset(k, 0, sizeof(*k));
			k->first = pos;
			k->found = -1;
			k->has_round = w->round != NULL;
			k->round = w->round_idx;
			k->settings_unknown = w->script_lost;
			snprintf(k->configfile, sizeof(k->configfile), "%s", w->configfile);
			snprintf(k->nbp, sizeof(k->nbp), "%s", w->bootfile);
			if (w->have_prefix)
				snprintf(k->prefix, sizeof(k->prefix), "%s", w->prefix);
			else
				pxelinux_prefix_from_bootfile(w->bootfile, k->prefix,
							      sizeof(k->prefix));
			k->stage = timeline_add_stage(c, NBC_STAGE_PXELINUX_CONFIG,
						      NBC_RESULT_PARTIAL, x->rrq_frame,
						      x->rrq_time, "lookup walk");
			w->walk = k;
		}
		c->xfer_stage[pos] = w->walk->stage;
		c->pub.stages[w->walk->stage].last_frame = x->last_frame;
		w->walk->count++;
		if (found) {
			struct fetched f = xfer_fetched(x);

			w->walk->found = (int)(w->walk->count - 1);
			finish_walk(w, &f);
		} else if (res != NBC_RESULT_FAILED || x->status != ENG_XFER_ERROR) {
			/* No answer to a lookup step: pxelinux waits here. */
			stage_setf(&c->pub.stages[w->walk->stage], "%zu names tried; %s", w->walk->count, d);
		} else {
			stage_setf(&c->pub.stages[w->walk->stage], "%zu name%s tried, none found so far", w->walk->count,
				 w->walk->count == 1 ? "" : "s");
			c->pub.stages[w->walk->stage].result = NBC_RESULT_FAILED;
		}
		return;
	}
	if (w->walk)
		finish_walk(w, NULL);

	if (is_nbp(w, x->name)) {
		w->config_loaded = false;	/* a new pxelinux walks again */
		/* The real download after a tsize probe joins the probe's stage. */
		if (w->nbp_stage >= 0 && pos > 0) {
			const struct eng_xfer *prev = &e->xfers[c->xfers[pos - 1]];

			if (eng_xfer_is_probe(prev) && strcmp(prev->name, x->name) == 0 &&
			    c->xfer_stage[pos - 1] == w->nbp_stage) {
				struct nbc_stage *s = &c->pub.stages[w->nbp_stage];

				stage_setf(s, "%s (after a tsize probe #%llu)",
					 d, (unsigned long long)prev->rrq_frame);
				s->result = res;
				s->last_frame = x->last_frame;
				c->xfer_stage[pos] = w->nbp_stage;
				return;
			}
		}
		st = timeline_add_stage(c, NBC_STAGE_NBP, res, x->rrq_frame, x->rrq_time, "%s", d);
		c->pub.stages[st].last_frame = x->last_frame;
		c->xfer_stage[pos] = st;
		w->nbp_stage = st;
		return;
	}
	st = timeline_add_stage(c, NBC_STAGE_TFTP_FETCH, res, x->rrq_frame, x->rrq_time, "%s", d);
	c->pub.stages[st].last_frame = x->last_frame;
	c->xfer_stage[pos] = st;
	if (strcmp(eng_basename(x->name), "ldlinux.c32") == 0)
		c->pub.personality |= NBC_PERS_PXELINUX;

	if (x->status == ENG_XFER_COMPLETE)
		after_config_fetch(w, st, x->name, x->end_frame, x->last_time);
}

/* The request's path without the leading slash and query: what pxelinux/iPXE asked for. */
static void http_path(const struct eng_http *h, char *dst, size_t cap)
{
	const char *u = h->uri;

	if (strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0) {
		const char *slash = strchr(strstr(u, "//") + 2, '/');

		u = slash ? slash : "";
	}
	u = strip_slash(u);
	snprintf(dst, cap, "%.*s", (int)strcspn(u, "?#"), u);
}

static bool body_is_script(const struct eng_http *h)
{
	return h->body && h->body_len >= 6 &&
	       (memcmp(h->body, "#!ipxe", 6) == 0 || memcmp(h->body, "#!gpxe", 6) == 0);
}

static bool name_ends(const char *name, const char *suffix)
{
	size_t n = strlen(name);
	size_t k = strlen(suffix);

	return n >= k && strcmp(name + n - k, suffix) == 0;
}

static bool is_pxelinux_nbp(const char *name)
{
	const char *b = eng_basename(name);

	return strcmp(b, "pxelinux.0") == 0 || strcmp(b, "lpxelinux.0") == 0 ||
	       strcmp(b, "gpxelinux.0") == 0;
}

/* A script by its magic, or by its name (then the parser says the magic is missing). */
static bool http_is_script(const struct eng_http *h, const char *path)
{
	return h->status >= 200 && h->status < 300 && h->body &&
	       (body_is_script(h) || name_ends(path, ".ipxe"));
}

bool eng_http_script_lost(const struct eng_http *h)
{
	char path[HTTP_URI_MAX];
	bool script;

	if (!h->gap)
		return false;
	http_path(h, path, sizeof(path));
	script = http_is_script(h, path);
	if (!script && (is_pxelinux_nbp(path) || eng_is_ipxe_binary(path)))
		return false;	/* an NBP */
	return h->status < 0 || script || name_ends(path, ".ipxe") || strcmp(h->method, "?") == 0;
}

uint64_t eng_walk_after_frame(const struct nbc_engine *e, const struct eng_client *c,
			      const struct eng_walk *w)
{
	return !w->http && w->first ? e->xfers[c->xfers[w->first - 1]].rrq_frame : 0;
}

/* One line on what a script will do: its boot actions and the settings that matter. */
static void script_summary(const struct ipxe_script *sc, char *d, size_t cap)
{
	static const char *const verbs[] = { "chain", "fetch", "sanboot", "sanhook", "set",
					     "exit", "goto" };
	unsigned shown = 0;

	for (size_t i = 0; i < sc->nacts && shown < 6; i++) {
		const struct ipxe_action *a = &sc->acts[i];

		if (a->kind == IPXE_ACT_SET) {
			const char *n = strrchr(a->arg, '/') ? strrchr(a->arg, '/') + 1 : a->arg;

			if (strncmp(n, "209", 3) && strncmp(n, "210", 3) &&
			    strncmp(n, "keep-san", 8) && strncmp(n, "root-path", 9) && !a->secret)
				continue;
		}
		if (a->kind == IPXE_ACT_GOTO)
			continue;
		appendf(d, cap, "%s%s%s %s%s%s", shown ? (a->fallback ? " || " : "; ") : "",
			"", verbs[a->kind], a->arg, a->kind == IPXE_ACT_SET ? " " : "",
			a->kind == IPXE_ACT_SET ? a->value : "");
		shown++;
	}
	if (!shown)
		appendf(d, cap, "no boot command");
	if (sc->nproblems)
		appendf(d, cap, " [%zu problem%s]", sc->nproblems + sc->problems_dropped,
			sc->nproblems + sc->problems_dropped == 1 ? "" : "s");
}

#define SCRIPT_CACHE_MAX 4096

/* The parse of a script body: from the engine's cache when the same bytes were parsed
 * before, else parsed now (and cached while there is room; *owned otherwise). */
static struct ipxe_script *parse_script(struct nbc_engine *e, const struct eng_http *h,
					bool *owned)
{
	const uint8_t *body = h->body ? h->body : (const uint8_t *)"";
	uint64_t key = 0xcbf29ce484222325ULL ^ (e->opt.show_secrets ? 1 : 0);
	struct ipxe_script *sc;
	size_t idx;

	for (size_t i = 0; i < h->body_len; i++)
		key = (key ^ body[i]) * 0x100000001b3ULL;
	if (hmap_get(&e->script_map, key, h->body_len, &idx) &&
	    e->script_cache[idx].len == h->body_len &&
	    memcmp(e->script_cache[idx].body, body, h->body_len) == 0) {
		*owned = false;
		return e->script_cache[idx].parsed;
	}
	sc = malloc(sizeof(*sc));
	if (!sc) {
		fprintf(stderr, "netboot-check: out of memory\n");
		exit(2);
	}
	ipxe_script_parse_opts((struct view){ body, h->body_len }, sc, e->opt.show_secrets);
	*owned = true;
	if (e->nscript_cache < SCRIPT_CACHE_MAX &&
	    !hmap_get(&e->script_map, key, h->body_len, &idx)) {
		uint8_t *copy = malloc(h->body_len ? h->body_len : 1);
		struct cached_script *cs;

		if (copy && hmap_put(&e->script_map, key, h->body_len, e->nscript_cache)) {
			cs = NBC_PUSH(e->script_cache, e->nscript_cache, e->script_cache_cap);
			memcpy(copy, body, h->body_len);
			cs->body = copy;
			cs->len = h->body_len;
			cs->parsed = sc;
			*owned = false;
		} else {
			free(copy);
		}
	}
	return sc;
}

static void add_script(struct walker *w, size_t pos, const struct eng_http *h, int st)
{
	struct eng_client *c = w->c;
	struct eng_script *es = NBC_PUSH(c->scripts, c->nscripts, c->scripts_cap);
	char d[NBC_DETAIL_MAX] = "";

	memset(es, 0, sizeof(*es));
	es->http = c->https[pos];
	es->stage = st;
	es->parsed = parse_script(w->e, h, &es->owned);
	es->keep_san = es->parsed->keep_san;
	if (es->keep_san < 0 && w->keep_san_dhcp >= 0) {
		es->keep_san = w->keep_san_dhcp;
		es->keep_from_dhcp = true;
	}
	c->pub.personality |= NBC_PERS_IPXE;
	script_summary(es->parsed, d, sizeof(d));
	stage_appendf(&c->pub.stages[st], "; script: %s", d);
	/* What the script sets for pxelinux replaces what DHCP said (iPXE hands its settings on). */
	if (es->parsed->has_209)
		snprintf(w->configfile, sizeof(w->configfile), "%s", es->parsed->set_209);
	if (es->parsed->has_210) {
		snprintf(w->prefix, sizeof(w->prefix), "%s", es->parsed->set_210);
		w->have_prefix = true;
	}
	w->script = es;
}

static void add_http(struct walker *w, size_t pos)
{
	const struct eng_http *h = &w->e->https[w->c->https[pos]];
	struct eng_client *c = w->c;
	struct fetched f = http_fetched(h);
	char path[HTTP_URI_MAX];
	char a[16];
	enum nbc_stage_result res;
	enum nbc_stage_kind kind = NBC_STAGE_HTTP;
	bool script;
	int st;

	http_path(h, path, sizeof(path));
	script = http_is_script(h, path);
	if (h->status < 0 || (h->status < 300 && !h->complete))
		res = NBC_RESULT_PARTIAL;
	else if (h->status >= 400)
		res = NBC_RESULT_FAILED;
	else
		res = NBC_RESULT_OK;

	if (!script && !w->walk && (is_include(w, path) || after_walk_config(w, path))) {
		st = timeline_add_stage(c, NBC_STAGE_HTTP, res, h->frame, h->time,
					"GET http://%s/%s -> %d; %s",
					h->host[0] ? h->host : ipstr(h->sip, a), path, h->status,
					config_fetch_note(w, path));
		c->http_stage[pos] = st;
		return;
	}
	if (!script && (w->walk || w->http_nbp) && is_config_name(w, path)) {
		/* pxelinux's config lookup over HTTP (lpxelinux with a http:// prefix). */
		if (!w->walk || !w->walk->http) {
			struct eng_walk *k;

			if (w->walk)
				finish_walk(w, NULL);
			k = NBC_PUSH(c->walks, c->nwalks, c->walks_cap);
			memset(k, 0, sizeof(*k));
			k->http = true;
			k->first = pos;
			k->found = -1;
			k->has_round = w->round != NULL;
			k->round = w->round_idx;
			k->settings_unknown = w->script_lost;
			snprintf(k->configfile, sizeof(k->configfile), "%s", w->configfile);
			snprintf(k->nbp, sizeof(k->nbp), "%s", w->bootfile);
			snprintf(k->prefix, sizeof(k->prefix), "%s", w->prefix);
			k->stage = timeline_add_stage(c, NBC_STAGE_PXELINUX_CONFIG,
						      NBC_RESULT_PARTIAL, h->frame, h->time,
						      "lookup walk over HTTP");
			w->walk = k;
		}
		c->http_stage[pos] = w->walk->stage;
		c->pub.stages[w->walk->stage].last_frame = f.end_frame;
		w->walk->count++;
		if (res == NBC_RESULT_OK) {
			w->walk->found = (int)(w->walk->count - 1);
			finish_walk(w, &f);
		}
		return;
	}
	if (w->walk)
		finish_walk(w, NULL);
	if (script)
		kind = NBC_STAGE_IPXE_SCRIPT;
	else if (is_pxelinux_nbp(path) || eng_is_ipxe_binary(path))
		kind = NBC_STAGE_NBP;
	if (strcmp(h->method, "?") == 0)
		st = timeline_add_stage(c, kind, res, h->frame, h->time,
					"a response from http://%s/ to a request not in the capture",
					ipstr(h->sip, a));
	else
		st = timeline_add_stage(c, kind, res, h->frame, h->time, "%s http://%s/%s",
					h->method, h->host[0] ? h->host : ipstr(h->sip, a), path);
	c->pub.stages[st].last_frame = f.end_frame;
	if (h->status >= 0)
		stage_appendf(&c->pub.stages[st], " -> %d #%llu", h->status,
			(unsigned long long)h->status_frame);
	else if (h->gap)
		stage_appendf(&c->pub.stages[st], " -> response missing from the capture");
	else
		stage_appendf(&c->pub.stages[st], " -> no response seen");
	if (eng_http_script_lost(h))
		w->script_lost = true;
	if (h->status >= 200 && h->status < 300)
		stage_appendf(&c->pub.stages[st], ", %llu bytes%s",
			(unsigned long long)h->body_bytes,
			h->gap ? " (bytes missing from the capture)" :
			h->complete ? "" : " (incomplete)");
	if (h->location[0])
		stage_appendf(&c->pub.stages[st], ", to %s", h->location);
	c->http_stage[pos] = st;
	if (script) {
		add_script(w, pos, h, st);
		return;
	}
	if (kind == NBC_STAGE_NBP) {
		w->config_loaded = false;
		if (is_pxelinux_nbp(path)) {
			/* lpxelinux: its configs follow over HTTP, under 210 or the NBP's URL. */
			c->pub.personality |= NBC_PERS_PXELINUX;
			w->http_nbp = true;
			if (!w->have_prefix)
				pxelinux_prefix_from_bootfile(path, w->prefix, sizeof(w->prefix));
			w->cfg_known = false;
			w->after_config_frame = 0;
		}
		w->nbp_stage = st;
		return;
	}
	if (strcmp(eng_basename(path), "ldlinux.c32") == 0)
		c->pub.personality |= NBC_PERS_PXELINUX;
	if (res != NBC_RESULT_OK)
		return;
	if (w->after_config_frame) {
		after_config_fetch(w, st, path, f.end_frame, f.end_time);
		return;
	}
	/* A script chained an image that is neither a script nor an NBP: the handoff. */
	if (w->script && !c->reached_terminal) {
		const struct ipxe_script *sc = w->script->parsed;

		for (size_t i = 0; i < sc->nacts; i++) {
			const struct ipxe_action *ac = &sc->acts[i];

			if (ac->kind == IPXE_ACT_CHAIN && name_ends(ac->arg, path) && path[0]) {
				st = timeline_add_stage(c, NBC_STAGE_KERNEL, NBC_RESULT_OK,
							f.end_frame, f.end_time,
							"%s loaded and run (script line %u)", path,
							ac->line);
				mark_terminal(w, st);
				break;
			}
		}
	}
}

/* What an iSCSI session showed, as one stage; a boot sector with 0x55AA is the handoff. */
static void add_iscsi(struct walker *w, size_t pos)
{
	const struct eng_iscsi *s = &w->e->iscsis[w->c->iscsis[pos]];
	struct eng_client *c = w->c;
	char d[NBC_DETAIL_MAX];
	char a[16];
	enum nbc_stage_result res = NBC_RESULT_PARTIAL;
	int st;

	if (w->walk)
		finish_walk(w, NULL);
	snprintf(d, sizeof(d), "%s:%u target %s", ipstr(s->sip, a), s->sport,
		 s->target[0] ? s->target : "(none named)");
	if (s->login_ok)
		appendf(d, sizeof(d), ": login ok #%llu%s%s", (unsigned long long)s->login_ok_frame,
			s->chap ? " (CHAP)" : "",
			s->login_inferred ? " (SCSI traffic; the login's end is not in the capture)"
					  : "");
	else if (s->login_failed)
		appendf(d, sizeof(d), ": login refused #%llu: %s",
			(unsigned long long)s->status_frame,
			iscsi_login_status_str(s->status_class, s->status_detail));
	else if (s->login_pdus)
		appendf(d, sizeof(d), ": login not completed");
	if (s->capacity_known)
		appendf(d, sizeof(d), "; %llu blocks of %u",
			(unsigned long long)(s->last_lba + 1), s->block_len);
	if (s->lba0 >= 0)
		appendf(d, sizeof(d), "; LBA 0 #%llu: %s", (unsigned long long)s->lba0_frame,
			s->lba0 ? "boot signature 55 aa" : "no boot signature");
	if (s->logout)
		appendf(d, sizeof(d), "; logout #%llu", (unsigned long long)s->logout_frame);
	if (s->ended)
		appendf(d, sizeof(d), "; closed by the %s (%s) #%llu",
			s->end_dir == 0 ? "initiator" : "target",
			s->end == ENG_TCP_RST ? "RST" : "FIN", (unsigned long long)s->end_frame);
	else
		appendf(d, sizeof(d), "; open at the end of the capture");
	if (s->login_failed || s->lba0 == 0 || eng_iscsi_boot_returned(s))
		res = NBC_RESULT_FAILED;
	else if (s->login_ok)
		res = NBC_RESULT_OK;
	st = timeline_add_stage(c, NBC_STAGE_ISCSI, res, s->first_frame, s->first_time, "%s", d);
	c->pub.stages[st].last_frame = s->ended ? s->end_frame : s->last_frame;
	c->iscsi_stage[pos] = st;
	/* A boot sector with 0x55AA hands the boot over, unless iPXE then closes the
	 * session itself: the boot returned or failed (seen with real iPXE when a disk is
	 * too small for its guessed BIOS geometry). */
	if (eng_iscsi_boot_returned(s)) {
		c->pub.stages[st].result = NBC_RESULT_FAILED;
		stage_appendf(&c->pub.stages[st], "; the boot returned: the initiator closed the session");
	} else if (s->lba0 == 1 && !c->reached_terminal) {
		st = timeline_add_stage(c, NBC_STAGE_SANBOOT, NBC_RESULT_OK, s->lba0_frame,
					s->lba0_time, "boots from the SAN disk %s",
					s->target[0] ? s->target : "");
		mark_terminal(w, st);
	}
}

static void build_client(struct nbc_engine *e, struct eng_client *c)
{
	struct walker w;
	size_t ri = 0, xi = 0, hi = 0, ii = 0;

	memset(&w, 0, sizeof(w));
	w.e = e;
	w.c = c;
	w.nbp_stage = -1;
	w.keep_san_dhcp = -1;
	c->round_stage = calloc(c->nrounds + 1, sizeof(int));
	c->xfer_stage = calloc(c->nxfers + 1, sizeof(int));
	c->http_stage = calloc(c->nhttps + 1, sizeof(int));
	c->iscsi_stage = calloc(c->niscsis + 1, sizeof(int));
	if (!c->round_stage || !c->xfer_stage || !c->http_stage || !c->iscsi_stage) {
		fprintf(stderr, "netboot-check: out of memory\n");
		exit(2);
	}
	for (;;) {
		uint64_t fr = c->nrounds > ri ? c->rounds[ri].first_frame : UINT64_MAX;
		uint64_t fx = c->nxfers > xi ? e->xfers[c->xfers[xi]].rrq_frame : UINT64_MAX;
		uint64_t fh = c->nhttps > hi ? e->https[c->https[hi]].frame : UINT64_MAX;
		uint64_t fi = c->niscsis > ii ? e->iscsis[c->iscsis[ii]].first_frame : UINT64_MAX;

		if (fr == UINT64_MAX && fx == UINT64_MAX && fh == UINT64_MAX && fi == UINT64_MAX)
			break;
		if (fr <= fx && fr <= fh && fr <= fi)
			add_round(&w, ri++);
		else if (fx <= fh && fx <= fi)
			add_xfer(&w, xi++);
		else if (fh <= fi)
			add_http(&w, hi++);
		else
			add_iscsi(&w, ii++);
	}
	if (w.walk)
		finish_walk(&w, NULL);
	if (w.cfg_known && w.cfg.action == PXECFG_LOCALBOOT && !c->reached_terminal) {
		int st = timeline_add_stage(c, NBC_STAGE_LOCALBOOT, NBC_RESULT_OK,
					    w.after_config_frame, c->pub.last_time,
					    "label %s: LOCALBOOT (config line %u): boots the local disk",
					    w.cfg.label, w.cfg.line);
		mark_terminal(&w, st);
	}
}

void timeline_build(struct nbc_engine *e)
{
	size_t n = 0;

	for (size_t i = 0; i < e->nclients; i++) {
		struct eng_client *c = &e->clients[i];

		c->report_index = -1;
		if (!c->netboot) {
			if (c->nrounds)
				e->report.stats.other_dhcp_clients++;
			continue;
		}
		c->report_index = (int)n++;
		build_client(e, c);
	}
}

static bool is_stall(const struct nbc_finding *f)
{
	return strcmp(f->rule, "NBC-FLOW-STALLED") == 0;
}

void verdicts_set(struct nbc_engine *e)
{
	for (size_t i = 0; i < e->nclients; i++) {
		struct eng_client *c = &e->clients[i];
		struct nbc_client *p = &c->pub;
		const struct nbc_finding *first_err = NULL;
		bool stalled = false;
		int last = p->nstages ? (int)p->nstages - 1 : -1;

		size_t nmine = nbc_client_nfindings(&e->report, c->report_index);

		if (c->report_index < 0)
			continue;
		for (size_t k = 0; k < nmine; k++) {
			const struct nbc_finding *f = nbc_client_finding(&e->report, c->report_index, k);

			if (is_stall(f))
				stalled = true;
			else if (f->sev == NBC_SEV_ERROR && !first_err)
				first_err = f;
		}
		if (c->loop_stage >= 0) {
			p->verdict = NBC_VERDICT_LOOPING;
			p->verdict_stage = c->loop_stage;
		} else if (first_err) {
			p->verdict = NBC_VERDICT_FAILED;
			p->verdict_stage = first_err->stage >= 0 ? first_err->stage : last;
		} else if (c->reached_terminal) {
			p->verdict = NBC_VERDICT_BOOTED;
			p->verdict_stage = last;
			for (int s = 0; s <= last; s++)
				if (p->stages[s].terminal)
					p->verdict_stage = s;
		} else if (stalled) {
			p->verdict = NBC_VERDICT_STALLED;
			p->verdict_stage = last;
		} else {
			p->verdict = NBC_VERDICT_INCOMPLETE;
			p->verdict_stage = last;
		}
	}
}

/* Drops what a previous snapshot derived, so that timelines and rules can run again. */
static void reset_derived(struct nbc_engine *e)
{
	struct nbc_report *r = &e->report;

	for (size_t i = 0; i < e->nclients; i++) {
		struct eng_client *c = &e->clients[i];

		timeline_stages_clear(&c->pub);
		free(c->round_stage);
		free(c->xfer_stage);
		free(c->http_stage);
		free(c->iscsi_stage);
		c->round_stage = c->xfer_stage = c->http_stage = c->iscsi_stage = NULL;
		c->nwalks = 0;
		for (size_t k = 0; k < c->nscripts; k++)
			if (c->scripts[k].owned)
				free(c->scripts[k].parsed);
		c->nscripts = 0;
		c->reached_terminal = false;
		c->loop_stage = -1;
		c->report_index = -1;
		c->nerrors = 0;
	}
	engine_findings_clear(e);
	free(r->clients);
	r->clients = NULL;
	r->nclients = 0;
}

static struct nbc_report *build_report(struct nbc_engine *e)
{
	struct nbc_report *r = &e->report;
	size_t n = 0;

	reset_derived(e);
	r->duration = e->last_ts - e->first_ts;
	timeline_build(e);
	rules_run(e);
	for (size_t i = 0; i < e->nclients; i++)
		if (e->clients[i].report_index >= 0)
			n++;
	if (!nbc_report_index_findings(r, n)) {
		fprintf(stderr, "netboot-check: out of memory\n");
		exit(2);
	}
	verdicts_set(e);
	r->clients = calloc(n + 1, sizeof(*r->clients));
	if (!r->clients) {
		fprintf(stderr, "netboot-check: out of memory\n");
		exit(2);
	}
	for (size_t i = 0; i < e->nclients; i++)
		if (e->clients[i].report_index >= 0)
			r->clients[e->clients[i].report_index] = e->clients[i].pub;
	r->nclients = n;
	return r;
}

struct nbc_report *engine_snapshot(struct nbc_engine *e)
{
	if (e->finished)
		return &e->report;
	return build_report(e);
}

struct nbc_report *engine_finish(struct nbc_engine *e)
{
	if (e->finished)
		return &e->report;
	e->finished = true;
	streams_finish(e);
	return build_report(e);
}
