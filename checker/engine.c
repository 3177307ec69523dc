/* engine.c: frame dispatch, per-client DHCP rounds, TFTP transfers and HTTP request lines. */
#include "checker/engine_priv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "proto/dhcp.h"
#include "proto/tftp.h"

void *nbc_grow(void *arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *n;

	if (need <= *cap)
		return arr;
	/*
	 * About 256 bytes to start with (1 to 8 elements): a client has one or a few of
	 * most things (rounds, offers, stages), and there may be 100,000 clients.
	 */
	ncap = *cap ? *cap * 2 : elem >= 256 ? 1 : elem >= 32 ? 256 / elem : 8;
	while (ncap < need)
		ncap *= 2;
	n = realloc(arr, ncap * elem);
	if (!n) {
		fprintf(stderr, "netboot-check: out of memory\n");
		exit(2);
	}
	*cap = ncap;
	return n;
}

#define PUSH NBC_PUSH
/* Blocks one ACK may acknowledge past the last DATA seen (RFC 7440 windows are smaller). */
#define TFTP_WINDOW_UNSEEN_MAX 64

struct nbc_engine *engine_new(const struct eng_options *opt)
{
	struct nbc_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->opt = *opt;
	if (e->opt.stall_secs <= 0)
		e->opt.stall_secs = 30.0;
	e->defrag = defrag_new();
	if (!e->defrag) {
		free(e);
		return NULL;
	}
	hmap_init(&e->by_mac);
	hmap_init(&e->by_ip);
	hmap_init(&e->active);
	hmap_init(&e->script_map);
	strpool_init(&e->strs);
	e->export_fd = -1;
	if (!streams_init(e)) {
		defrag_free(e->defrag);
		free(e);
		return NULL;
	}
	e->link = NET_LINK_ETHERNET;
	return e;
}

void engine_free(struct nbc_engine *e)
{
	if (!e)
		return;
	defrag_free(e->defrag);
	streams_free(e);
	if (e->export_fd >= 0)
		export_finish(e, NULL);
	free(e->exports);
	free(e->iscsis);
	for (size_t i = 0; i < e->nclients; i++) {
		struct eng_client *c = &e->clients[i];

		for (size_t k = 0; k < c->nrounds; k++)
			free(c->rounds[k].offers);
		free(c->rounds);
		free(c->xfers);
		free(c->https);
		free(c->iscsis);
		for (size_t k = 0; k < c->nscripts; k++)
			if (c->scripts[k].owned)
				free(c->scripts[k].parsed);
		free(c->scripts);
		free(c->iscsi_stage);
		timeline_stages_clear(&c->pub);
		free(c->pub.stages);
		free(c->round_stage);
		free(c->xfer_stage);
		free(c->http_stage);
		free(c->walks);
		free(c->unseen_rrq);
	}
	for (size_t i = 0; i < e->nxfers; i++)
		free(e->xfers[i].body);
	free(e->clients);
	free(e->xfers);
	free(e->https);
	free(e->report.clients);
	engine_findings_clear(e);
	free(e->report.findings);
	nbc_report_index_free(&e->report);
	hmap_free(&e->by_mac);
	hmap_free(&e->by_ip);
	hmap_free(&e->active);
	hmap_free(&e->script_map);
	for (size_t i = 0; i < e->nscript_cache; i++) {
		free(e->script_cache[i].body);
		free(e->script_cache[i].parsed);
	}
	free(e->script_cache);
	strpool_free(&e->strs);
	free(e);
}

void engine_set_link(struct nbc_engine *e, enum net_link link, int dlt)
{
	e->link = link;
	e->report.link_type = dlt;
}

size_t engine_nclients(const struct nbc_engine *e)
{
	return e->nclients;
}

struct eng_client *engine_client(struct nbc_engine *e, size_t i)
{
	return &e->clients[i];
}

const struct eng_xfer *engine_xfer(const struct nbc_engine *e, size_t i)
{
	return &e->xfers[i];
}

const struct eng_http *engine_http(const struct nbc_engine *e, size_t i)
{
	return &e->https[i];
}

const struct eng_options *engine_options(const struct nbc_engine *e)
{
	return &e->opt;
}

void engine_set_origin(struct nbc_engine *e, uint64_t frames_before, double first_ts)
{
	e->frame = frames_before;
	e->first_ts = first_ts;
	e->last_ts = first_ts;
	e->has_first = true;
}

void engine_skip_frame(struct nbc_engine *e, double ts)
{
	e->frame++;
	if (!e->has_first) {
		e->first_ts = ts;
		e->has_first = true;
	}
	if (ts > e->last_ts)
		e->last_ts = ts;
}

void engine_tick(struct nbc_engine *e, double ts)
{
	if (e->frame && ts > e->last_ts)
		e->last_ts = ts;
}

double engine_capture_end(const struct nbc_engine *e)
{
	return e->last_ts - e->first_ts;
}

void engine_malformed(struct nbc_engine *e, const char *proto, const char *fmt, ...)
{
	va_list ap;

	e->report.stats.malformed++;
	if (e->report.stats.nevents < NBC_MALFORMED_KEEP) {
		struct nbc_malformed *m = &e->report.stats.events[e->report.stats.nevents++];

		m->frame = e->frame;
		m->proto = proto;
		va_start(ap, fmt);
		vsnprintf(m->reason, sizeof(m->reason), fmt, ap);
		va_end(ap);
	}
}

static uint64_t mac_key(const uint8_t mac[6])
{
	uint64_t k = 0;

	for (int i = 0; i < 6; i++)
		k = k << 8 | mac[i];
	return k;
}

/* Finds or creates the client with this MAC. */
static size_t client_by_mac(struct nbc_engine *e, const uint8_t mac[6])
{
	size_t idx;
	struct eng_client *c;

	if (hmap_get(&e->by_mac, mac_key(mac), 0, &idx))
		return idx;
	c = PUSH(e->clients, e->nclients, e->clients_cap);
	memset(c, 0, sizeof(*c));
	memcpy(c->pub.mac, mac, 6);
	c->pub.has_mac = true;
	c->pub.arch = -1;
	c->pub.first_frame = e->frame;
	c->pub.first_time = e->rel;
	c->loop_stage = -1;
	idx = e->nclients - 1;
	hmap_put(&e->by_mac, mac_key(mac), 0, idx);
	return idx;
}

/* Finds the client that holds an IP: by lease, then by the frame's MAC, else a MAC-less one. */
static size_t client_by_ip(struct nbc_engine *e, uint32_t ip, const struct net_link_hdr *l2)
{
	size_t idx;
	struct eng_client *c;

	if (hmap_get(&e->by_ip, ip, 1, &idx))
		return idx;
	if (l2 && l2->has_src_mac) {
		idx = client_by_mac(e, l2->src_mac);
		e->clients[idx].pub.ip = ip;
		hmap_put(&e->by_ip, ip, 1, idx);
		return idx;
	}
	c = PUSH(e->clients, e->nclients, e->clients_cap);
	memset(c, 0, sizeof(*c));
	c->pub.ip = ip;
	c->pub.arch = -1;
	c->pub.first_frame = e->frame;
	c->pub.first_time = e->rel;
	c->loop_stage = -1;
	idx = e->nclients - 1;
	hmap_put(&e->by_ip, ip, 1, idx);
	return idx;
}

static void touch(struct nbc_engine *e, struct eng_client *c)
{
	c->pub.last_frame = e->frame;
	c->pub.last_time = e->rel;
}

const char *eng_intern_view(struct nbc_engine *e, struct view v, size_t cap)
{
	char buf[HTTP_URI_MAX];

	if (cap > sizeof(buf))
		cap = sizeof(buf);
	view_to_printable(v, buf, cap);
	return strpool_str(&e->strs, buf);
}

static const char *intern_opt(struct nbc_engine *e, const struct dhcp_optval *o)
{
	return eng_intern_view(e, (struct view){ o->val, o->len }, ENG_NAME_MAX);
}

/* A reply with no strings yet: "" rather than NULL, for the readers. */
static void reply_clear(struct eng_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->bootfile = r->tftp_server = r->configfile = r->pathprefix = r->root_path = "";
	r->keep_san = -1;
}

static void fill_reply(struct nbc_engine *e, const struct dhcp_msg *m, uint32_t ipsrc,
		       uint16_t sport, struct eng_reply *r)
{
	const struct dhcp_optval *o;

	reply_clear(r);
	r->frame = e->frame;
	r->time = e->rel;
	r->msgtype = m->msgtype;
	r->server = dhcp_server_id(m);
	if (!r->server)
		r->server = ipsrc;
	r->yiaddr = m->yiaddr;
	r->siaddr = m->siaddr;
	r->has_opt43 = dhcp_opt(m, DHCP_OPT_VENDOR) != NULL;
	r->proxy = sport == 4011 ||
		   (m->yiaddr == 0 && dhcp_vendor_class_is(m, "PXEClient") &&
		    m->msgtype == DHCPOFFER);
	r->bootfile = eng_intern_view(e, dhcp_bootfile(m), ENG_NAME_MAX);
	if ((o = dhcp_opt(m, DHCP_OPT_TFTP_SERVER)) != NULL) {
		r->has_opt66 = true;
		r->tftp_server = intern_opt(e, o);
	}
	if ((o = dhcp_opt(m, DHCP_OPT_PXELINUX_CONFIGFILE)) != NULL) {
		r->has_209 = true;
		r->configfile = intern_opt(e, o);
	}
	if ((o = dhcp_opt(m, DHCP_OPT_PXELINUX_PATHPREFIX)) != NULL) {
		r->has_210 = true;
		r->pathprefix = intern_opt(e, o);
	}
	if ((o = dhcp_opt(m, 17)) != NULL)
		r->root_path = intern_opt(e, o);
	if ((o = dhcp_opt(m, 175)) != NULL) {
		/* iPXE's encapsulated options: 8 is keep-san (ipxe include/ipxe/dhcp.h). */
		struct cur c = cur_make(o->val, o->len);

		while (cur_left(&c) >= 2) {
			uint8_t code = cur_u8(&c);
			uint8_t len = cur_u8(&c);
			const uint8_t *v = cur_bytes(&c, len);

			if (c.err)
				break;
			if (code == 8 && len >= 1)
				r->keep_san = v[len - 1] != 0;
		}
	}
}

static struct eng_round *find_round(struct eng_client *c, uint32_t xid)
{
	/*
	 * Newest first: xids are reused by old iPXE, and retries keep theirs. Only the
	 * last ENG_ROUND_LOOKBACK rounds: a reply to an older one is not plausible, and
	 * a client opening rounds without end must not make each packet cost them all.
	 */
	size_t stop = c->nrounds > ENG_ROUND_LOOKBACK ? c->nrounds - ENG_ROUND_LOOKBACK : 0;

	for (size_t i = c->nrounds; i-- > stop;)
		if (c->rounds[i].xid == xid)
			return &c->rounds[i];
	return NULL;
}

static struct eng_round *new_round(struct nbc_engine *e, struct eng_client *c, uint32_t xid)
{
	struct eng_round *r;

	/* Past the cap a client's further exchanges are counted into its last round. */
	if (c->nrounds >= ENG_ROUNDS_MAX) {
		e->report.stats.dhcp_rounds_dropped++;
		return &c->rounds[c->nrounds - 1];
	}
	r = PUSH(c->rounds, c->nrounds, c->rounds_cap);

	memset(r, 0, sizeof(*r));
	reply_clear(&r->ack);
	reply_clear(&r->proxy_ack);
	reply_clear(&r->nak);
	r->xid = xid;
	r->arch = -1;
	r->first_frame = e->frame;
	r->first_time = e->rel;
	return r;
}

static void classify_request(struct eng_client *c, struct eng_round *r, const struct dhcp_msg *m)
{
	uint8_t uuid[16];
	int arch = dhcp_client_arch(m);

	if (arch < 0)
		arch = dhcp_vendor_class_arch(m);
	if (arch >= 0) {
		r->arch = arch;
		c->pub.arch = arch;
	}
	if (dhcp_user_class_has(m, "iPXE") || dhcp_opt(m, DHCP_OPT_IPXE)) {
		r->kind = ENG_ROUND_IPXE;
		c->pub.personality |= NBC_PERS_IPXE;
		c->netboot = true;
	} else if (dhcp_vendor_class_is(m, "PXEClient") && r->kind != ENG_ROUND_IPXE) {
		r->kind = ENG_ROUND_PXE;
		c->pub.personality |= NBC_PERS_PXE_ROM;
		c->netboot = true;
	} else if (dhcp_vendor_class_is(m, "HTTPClient") && r->kind != ENG_ROUND_IPXE) {
		r->kind = ENG_ROUND_PXE;
		c->pub.personality |= NBC_PERS_UEFI_HTTP;
		c->netboot = true;
	}
	if (dhcp_prl_has(m, DHCP_OPT_PXELINUX_CONFIGFILE))
		r->asked_209 = true;
	if (dhcp_client_uuid(m, uuid)) {
		c->pub.has_uuid = true;
		memcpy(c->pub.uuid, uuid, 16);
	}
}

static void handle_dhcp(struct nbc_engine *e, const struct net_ipv4 *ip, const struct net_udp *u)
{
	struct dhcp_msg *m = &e->dhcp;
	struct eng_client *c;
	struct eng_round *r;
	unsigned bad;
	size_t idx;

	if (dhcp_decode(u->payload.p, u->payload.len, m) < 0) {
		engine_malformed(e, "dhcp", "BOOTP packet of %zu bytes is %s", u->payload.len,
				 dhcp_problem_str(m->problems));
		return;
	}
	e->report.stats.decoded[NBC_P_DHCP]++;
	if (e->opt.tap && e->opt.tap->dhcp)
		e->opt.tap->dhcp(e->opt.tap->ctx, e->frame, m);
	bad = m->problems & ~(unsigned)(DHCP_PROB_NO_COOKIE | DHCP_PROB_NO_END);
	if (bad)
		engine_malformed(e, "dhcp", "DHCP %s xid 0x%08x: %s",
				 dhcp_msgtype_name(m->msgtype), m->xid, dhcp_problem_str(bad));
	if (m->htype != 1 || m->hlen != 6)
		return;		/* not Ethernet: no client we can follow */
	/* The lookup may grow (move) the client array: index it only afterwards. */
	idx = client_by_mac(e, m->chaddr);
	c = &e->clients[idx];
	touch(e, c);

	if (m->op == 1) {
		r = find_round(c, m->xid);
		if (m->msgtype == DHCPDISCOVER && (!r || r->has_ack)) {
			r = new_round(e, c, m->xid);
		} else if (!r) {
			r = new_round(e, c, m->xid);
		}
		classify_request(c, r, m);
		if (m->msgtype == DHCPDISCOVER) {
			if (r->discovers == 0) {
				r->discover_frame = e->frame;
				r->first_secs = m->secs;
			}
			r->discovers++;
			if (m->secs > r->max_secs)
				r->max_secs = m->secs;
		} else if (m->msgtype == DHCPREQUEST && u->dport != 4011) {
			if (!r->request_frame)
				r->request_frame = e->frame;
			r->requested_server = dhcp_server_id(m);
		}
		return;
	}
	if (m->op != 2)
		return;
	r = find_round(c, m->xid);
	if (!r)
		r = new_round(e, c, m->xid);	/* the capture began after the request */
	if (!r->first_reply_frame)
		r->first_reply_frame = e->frame;
	if (m->yiaddr && (m->msgtype == DHCPACK || m->msgtype == DHCP_NONE)) {
		c->pub.ip = m->yiaddr;
		hmap_put(&e->by_ip, m->yiaddr, 1, (size_t)(c - e->clients));
	}
	switch (m->msgtype) {
	case DHCPOFFER:
	case DHCP_NONE:
		if (r->noffers < ENG_OFFERS_MAX) {
			/* Most rounds see one or two offers: grow as they come. */
			r->offers = nbc_grow(r->offers, &r->offers_cap, r->noffers + 1,
					     sizeof(*r->offers));
			fill_reply(e, m, ip->src, u->sport, &r->offers[r->noffers++]);
		}
		else
			r->offers_dropped++;
		break;
	case DHCPACK: {
		struct eng_reply rep;

		fill_reply(e, m, ip->src, u->sport, &rep);
		if (rep.proxy || u->sport == 4011) {
			r->has_proxy_ack = true;
			r->proxy_ack = rep;
		} else if (!r->has_ack) {
			r->has_ack = true;
			r->ack = rep;
		}
		break;
	}
	case DHCPNAK:
		r->has_nak = true;
		fill_reply(e, m, ip->src, u->sport, &r->nak);
		break;
	default:
		break;
	}
}

static uint64_t xfer_key_a(uint32_t cip, uint32_t sip)
{
	return (uint64_t)cip << 32 | sip;
}

bool eng_body_wanted(const char *name)
{
	const char *base = eng_basename(name);
	size_t n = strlen(name);

	return strstr(name, "pxelinux.cfg/") != NULL || strcmp(base, "default") == 0 ||
	       (n > 4 && strcmp(name + n - 4, ".cfg") == 0) ||
	       (n > 5 && strcmp(name + n - 5, ".ipxe") == 0) ||
	       (n > 5 && strcmp(name + n - 5, ".conf") == 0);
}

static void handle_tftp_request(struct nbc_engine *e, const struct net_link_hdr *l2,
				const struct net_ipv4 *ip, const struct net_udp *u)
{
	struct tftp_pkt t;
	struct eng_client *c;
	struct eng_xfer *x;
	size_t idx;
	char name[ENG_NAME_MAX];

	if (tftp_decode(u->payload.p, u->payload.len, &t) < 0) {
		engine_malformed(e, "tftp", "packet to port 69: %s", tftp_problem_str(t.problems));
		return;
	}
	e->report.stats.decoded[NBC_P_TFTP]++;
	if (t.problems)
		engine_malformed(e, "tftp", "%s: %s", tftp_op_name(t.op),
				 tftp_problem_str(t.problems));
	view_to_printable(t.filename, name, sizeof(name));
	if (e->opt.tap && e->opt.tap->tftp)
		e->opt.tap->tftp(e->opt.tap->ctx, e->frame, &t, name, t.op == TFTP_WRQ);
	if (t.op != TFTP_RRQ && t.op != TFTP_WRQ)
		return;
	idx = client_by_ip(e, ip->src, l2);
	c = &e->clients[idx];
	touch(e, c);
	c->netboot = true;
	/* A retransmitted request: same client port, same file, nothing back yet. */
	if (hmap_get(&e->active, xfer_key_a(ip->src, ip->dst), u->sport, &idx)) {
		x = &e->xfers[idx];
		if (x->status == ENG_XFER_REQUESTED && strcmp(x->name, name) == 0) {
			x->rrq_repeats++;
			x->last_frame = e->frame;
			x->last_time = e->rel;
			return;
		}
		x->active = false;
	}
	x = PUSH(e->xfers, e->nxfers, e->xfers_cap);
	memset(x, 0, sizeof(*x));
	idx = e->nxfers - 1;
	x->client = (int)(c - e->clients);
	x->write = t.op == TFTP_WRQ;
	x->cip = ip->src;
	x->cport = u->sport;
	x->sip = ip->dst;
	x->name = strpool_str(&e->strs, name);
	x->errmsg = "";
	x->rrq_frame = x->last_frame = e->frame;
	x->rrq_time = x->last_time = e->rel;
	x->req_blksize = t.blksize;
	x->req_tsize = t.tsize;
	x->req_windowsize = t.windowsize;
	x->blksize = TFTP_DEFAULT_BLKSIZE;
	x->tsize = -1;
	x->windowsize = 1;
	x->image = ENG_IMAGE_UNKNOWN;
	x->active = true;
	x->export_idx = -1;
	*PUSH(c->xfers, c->nxfers, c->xfers_cap) = idx;
	hmap_put(&e->active, xfer_key_a(ip->src, ip->dst), u->sport, idx);
}

static void sniff_image(struct eng_xfer *x, struct view d)
{
	struct cur c = cur_make(d.p, d.len);
	uint32_t pe;
	uint16_t machine;

	x->image = ENG_IMAGE_REALMODE;
	if (d.len < 64 || d.p[0] != 'M' || d.p[1] != 'Z')
		return;
	cur_skip(&c, 0x3c);
	pe = cur_le32(&c);
	if (pe > d.len || d.len - pe < 6 || memcmp(d.p + pe, "PE\0\0", 4) != 0)
		return;		/* a DOS stub only: not a PE image */
	c = cur_make(d.p + pe + 4, 2);
	machine = cur_le16(&c);
	switch (machine) {
	case 0x8664:
		x->image = ENG_IMAGE_PE_X64;
		break;
	case 0x014c:
		x->image = ENG_IMAGE_PE_IA32;
		break;
	case 0xaa64:
		x->image = ENG_IMAGE_PE_ARM64;
		break;
	default:
		x->image = ENG_IMAGE_PE_OTHER;
		break;
	}
}

bool eng_body_room(struct nbc_engine *e, uint8_t **body, size_t *cap, size_t need, size_t first)
{
	size_t ncap;
	uint8_t *b;

	if (need <= *cap)
		return true;
	if (*cap >= ENG_BODY_MAX || e->bodies_kept >= BODIES_KEPT_MAX)
		return false;
	ncap = *cap ? *cap * 2 : first ? first : 1;
	while (ncap < need && ncap < ENG_BODY_MAX)
		ncap *= 2;
	if (ncap > ENG_BODY_MAX)
		ncap = ENG_BODY_MAX;
	b = realloc(*body, ncap);
	if (!b)
		return false;
	e->bodies_kept += ncap - *cap;
	*body = b;
	*cap = ncap;
	return true;
}

static void keep_body(struct nbc_engine *e, struct eng_xfer *x, struct view d)
{
	/* The announced size (OACK tsize) to start with, else 4 KiB: most configs are small. */
	size_t first = x->tsize > 0 && x->tsize <= (long)ENG_BODY_MAX ? (size_t)x->tsize : 4096;

	if (x->body_cut || !eng_body_wanted(x->name))
		return;
	/* An empty file is kept too (as an empty body): it loaded, and parses as empty. */
	eng_body_room(e, &x->body, &x->body_cap, x->body_len + d.len ? x->body_len + d.len : 1,
		      first);
	if (d.len > x->body_cap - x->body_len) {
		x->body_cut = true;
		d.len = x->body_cap - x->body_len;
	}
	if (d.len)
		memcpy(x->body + x->body_len, d.p, d.len);
	x->body_len += d.len;
}

static void xfer_end(struct nbc_engine *e, struct eng_xfer *x, enum eng_xfer_status st)
{
	/*
	 * The mapping stays: the client's ACK of the last block (and any late
	 * retransmission) still belongs to this transfer. A new request from
	 * the same client port replaces it.
	 */
	(void)e;
	x->status = st;
	x->end_frame = e->frame;
	x->active = false;
	export_close_tftp(e, x);
}

static void xfer_data(struct nbc_engine *e, struct eng_xfer *x, const struct tftp_pkt *t,
		      bool fragmented)
{
	uint16_t next = (uint16_t)(x->last_block + 1);
	bool fresh;

	if (fragmented)
		x->fragmented = true;
	if (x->blocks == 0)
		fresh = t->block == 1;
	else
		/* After 65535 most servers wrap to 0, some to 1. */
		fresh = t->block == next || (x->last_block == 65535 && t->block == 1);
	if (!fresh) {
		if (x->blocks && t->block == x->last_block)
			x->data_retransmits++;
		return;
	}
	/* The OACK was lost: a first block larger than 512 bytes, within the blksize asked
	 * for, is the negotiated size (a short last block must compare against it). */
	if (x->blocks == 0 && !x->oack && x->req_blksize > 0 &&
	    t->data.len > (size_t)x->blksize && t->data.len <= (size_t)x->req_blksize)
		x->blksize = (long)t->data.len;
	if (x->blocks == 0)
		sniff_image(x, t->data);
	x->blocks++;
	x->last_block = t->block;
	x->bytes += t->data.len;
	keep_body(e, x, t->data);
	export_write_tftp(e, x, t->data.p, t->data.len);
	if (t->data.len < (size_t)x->blksize)
		xfer_end(e, x, ENG_XFER_COMPLETE);
}

/*
 * The client acknowledges blocks the capture has no DATA for: they arrived, the capture
 * lost them. Counted as full blocks (a short one ends the transfer: it ends here when the
 * OACK's tsize is reached); a kept body stops at the hole and any export is partial.
 */
static void xfer_blocks_unseen(struct nbc_engine *e, struct eng_xfer *x, uint16_t ack)
{
	uint16_t d = (uint16_t)(ack - x->last_block);

	if (x->write || d == 0 || d > TFTP_WINDOW_UNSEEN_MAX)
		return;
	x->blocks += d;
	x->blocks_unseen += d;
	x->last_block = ack;
	x->bytes += (uint64_t)d * (uint64_t)x->blksize;
	x->body_cut = true;
	if (x->status == ENG_XFER_REQUESTED)
		x->status = ENG_XFER_RUNNING;
	export_abandon_tftp(e, x);
	if (x->tsize > 0 && x->bytes >= (uint64_t)x->tsize) {
		x->bytes = (uint64_t)x->tsize;
		xfer_end(e, x, ENG_XFER_COMPLETE);
	}
}

/*
 * A packet from port 69 that belongs to no transfer: RFC 1350 servers answer
 * from a new port, so this is odd or forged. Counted and decoded, not followed.
 */
static void handle_tftp_stray(struct nbc_engine *e, const struct net_udp *u)
{
	struct tftp_pkt t;
	char name[ENG_NAME_MAX];

	e->report.stats.tftp_unmatched++;
	if (tftp_decode(u->payload.p, u->payload.len, &t) < 0)
		return;
	e->report.stats.decoded[NBC_P_TFTP]++;
	if (t.problems || u->cut)
		engine_malformed(e, "tftp", "%s from port 69 outside any transfer: %s",
				 tftp_op_name(t.op),
				 t.problems ? tftp_problem_str(t.problems)
					    : "cut short (UDP length past the packet)");
	view_to_printable(t.filename, name, sizeof(name));
	if (e->opt.tap && e->opt.tap->tftp)
		e->opt.tap->tftp(e->opt.tap->ctx, e->frame, &t, name, t.op == TFTP_WRQ);
}

/* A UDP packet that may belong to a TFTP transfer in progress. */
static bool handle_tftp_transfer(struct nbc_engine *e, const struct net_ipv4 *ip,
				 const struct net_udp *u, bool fragmented)
{
	size_t idx;
	struct eng_xfer *x;
	bool from_server;
	struct tftp_pkt t;

	if (hmap_get(&e->active, xfer_key_a(ip->dst, ip->src), u->dport, &idx)) {
		x = &e->xfers[idx];
		from_server = true;
		if (x->sport && x->sport != u->sport)
			return false;
	} else if (hmap_get(&e->active, xfer_key_a(ip->src, ip->dst), u->sport, &idx)) {
		x = &e->xfers[idx];
		from_server = false;
		if (x->sport && x->sport != u->dport)
			return false;
	} else {
		return false;
	}
	if (tftp_decode(u->payload.p, u->payload.len, &t) < 0) {
		engine_malformed(e, "tftp", "transfer of %s: %s", x->name,
				 tftp_problem_str(t.problems));
		return true;
	}
	e->report.stats.decoded[NBC_P_TFTP]++;
	if (t.problems)
		engine_malformed(e, "tftp", "%s in the transfer of %s: %s", tftp_op_name(t.op),
				 x->name, tftp_problem_str(t.problems));
	if (e->opt.tap && e->opt.tap->tftp)
		e->opt.tap->tftp(e->opt.tap->ctx, e->frame, &t, x->name, x->write);
	x->last_frame = e->frame;
	x->last_time = e->rel;
	touch(e, &e->clients[x->client]);
	if (from_server) {
		if (!x->sport)
			x->sport = u->sport;
		if (!x->first_reply_frame)
			x->first_reply_frame = e->frame;
		switch (t.op) {
		case TFTP_OACK:
			x->oack = true;
			if (x->status == ENG_XFER_REQUESTED)
				x->status = ENG_XFER_RUNNING;
			if (t.blksize >= TFTP_BLKSIZE_MIN)
				x->blksize = t.blksize;
			if (t.tsize >= 0)
				x->tsize = t.tsize;
			if (t.windowsize > 0)
				x->windowsize = t.windowsize;
			break;
		case TFTP_DATA:
			if (x->status == ENG_XFER_REQUESTED)
				x->status = ENG_XFER_RUNNING;
			xfer_data(e, x, &t, fragmented);
			break;
		case TFTP_ERROR:
			x->errcode = t.errcode;
			x->errmsg = eng_intern_view(e, t.errmsg, 128);
			xfer_end(e, x, ENG_XFER_ERROR);
			break;
		default:
			break;
		}
	} else {
		/* The client answers the server's TID: the server replied, out of the capture
		 * (sport set, no first_reply_frame). */
		if (!x->sport && u->dport != TFTP_PORT)
			x->sport = u->dport;
		switch (t.op) {
		case TFTP_ACK:
			if (x->any_ack && t.block == x->last_ack && t.block != 0)
				x->dup_acks++;
			x->any_ack = true;
			x->last_ack = t.block;
			if (x->status == ENG_XFER_RUNNING || x->status == ENG_XFER_REQUESTED)
				xfer_blocks_unseen(e, x, t.block);
			break;
		case TFTP_ERROR:
			x->errcode = t.errcode;
			x->errmsg = eng_intern_view(e, t.errmsg, 128);
			xfer_end(e, x, ENG_XFER_ABORTED);
			break;
		default:
			break;
		}
	}
	return true;
}

/*
 * The first answer of a transfer whose request the capture lacks: an ERROR, OACK or DATA 1
 * from the TFTP server the client last fetched from, to a client port no transfer has.
 * A lookup walk with a name missing is then a capture that lost a packet, not a client
 * that skipped one (rules.c). DATA after the OACK of the same lost request counts once.
 */
static void note_unseen_rrq(struct nbc_engine *e, const struct net_ipv4 *ip,
			    const struct net_udp *u)
{
	struct eng_client *c;
	struct tftp_pkt t;
	size_t idx;

	/* TFTP TIDs are ephemeral ports (the server may answer from 69): not DNS, NTP... */
	if ((u->sport != TFTP_PORT && u->sport < 1024) || u->dport < 1024 ||
	    !hmap_get(&e->by_ip, ip->dst, 1, &idx))
		return;
	c = &e->clients[idx];
	if (!c->nxfers || e->xfers[c->xfers[c->nxfers - 1]].sip != ip->src ||
	    c->nunseen_rrq >= ENG_UNSEEN_RRQ_MAX ||
	    (c->nunseen_rrq && c->unseen_rrq_port == u->dport))
		return;
	if (tftp_decode(u->payload.p, u->payload.len, &t) < 0 || t.problems)
		return;
	if (t.op != TFTP_ERROR && t.op != TFTP_OACK && !(t.op == TFTP_DATA && t.block == 1))
		return;
	*PUSH(c->unseen_rrq, c->nunseen_rrq, c->unseen_rrq_cap) = e->frame;
	c->unseen_rrq_port = u->dport;
}

size_t eng_unseen_rrqs(const struct eng_client *c, uint64_t after, uint64_t before)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nunseen_rrq; i++)
		n += c->unseen_rrq[i] > after && c->unseen_rrq[i] < before;
	return n;
}

static void handle_udp(struct nbc_engine *e, const struct net_link_hdr *l2,
		       const struct net_ipv4 *ip, bool fragmented)
{
	struct net_udp u;
	int rc = net_decode_udp(ip->payload, &u);

	if (rc != NET_OK) {
		if (!ip->cut)
			engine_malformed(e, "udp", "bad UDP header");
		return;
	}
	if ((u.sport == 67 || u.sport == 68 || u.sport == 4011) &&
	    (u.dport == 67 || u.dport == 68 || u.dport == 4011)) {
		handle_dhcp(e, ip, &u);
		return;
	}
	if (handle_tftp_transfer(e, ip, &u, fragmented))
		return;
	if (u.dport == TFTP_PORT)
		handle_tftp_request(e, l2, ip, &u);
	else if (u.sport == TFTP_PORT)
		handle_tftp_stray(e, &u);
	if (u.dport != TFTP_PORT)
		note_unseen_rrq(e, ip, &u);	/* some servers answer from port 69 */
}

void engine_frame(struct nbc_engine *e, double ts, const uint8_t *p, size_t caplen)
{
	struct net_link_hdr l2;
	struct net_ipv4 ip;
	struct net_ipv4 whole;
	bool fragmented = false;
	int rc;

	e->frame++;
	if (!e->has_first) {
		e->first_ts = ts;
		e->has_first = true;
	}
	if (ts > e->last_ts || e->report.stats.frames == 0)
		e->last_ts = ts;
	e->rel = ts - e->first_ts;
	e->report.stats.frames++;
	e->report.stats.bytes += caplen;

	rc = net_decode_link(e->link, p, caplen, &l2);
	if (rc == NET_ERR_NOT_IPV4)
		return;
	if (rc != NET_OK) {
		engine_malformed(e, "link", "frame of %zu bytes too short for its link header",
				 caplen);
		return;
	}
	rc = net_decode_ipv4(l2.payload, &ip);
	if (rc == NET_ERR_NOT_IPV4)
		return;
	if (rc != NET_OK) {
		engine_malformed(e, "ipv4", "%s IPv4 header",
				 rc == NET_ERR_TRUNCATED ? "truncated" : "invalid");
		return;
	}
	e->report.stats.ipv4++;
	if (!net_ipv4_is_fragment(&ip) && ip.total_len > e->max_ipv4_len)
		e->max_ipv4_len = ip.total_len;
	if (net_ipv4_is_fragment(&ip)) {
		enum defrag_result dr = defrag_add(e->defrag, &ip, e->rel, &whole,
						   &e->report.stats.fragments_unreassembled);

		if (dr == DEFRAG_BAD)
			engine_malformed(e, "ipv4", "fragment at offset %u cannot be placed",
					 ip.frag_off);
		if (dr != DEFRAG_DONE)
			return;
		e->report.stats.fragments_reassembled++;
		ip = whole;
		fragmented = true;
	}
	if (ip.proto == 17)
		handle_udp(e, &l2, &ip, fragmented);
	else if (ip.proto == 6)
		streams_segment(e, &ip);
}

struct nbc_finding *engine_add_finding(struct nbc_engine *e, const char *rule, enum nbc_sev sev,
				       const struct eng_client *c, int stage, uint64_t frame,
				       const char *hint, const char *fmt, ...)
{
	struct nbc_report *r = &e->report;
	struct nbc_finding *f = PUSH(r->findings, r->nfindings, r->findings_cap);
	char msg[NBC_MSG_MAX];
	size_t n;
	va_list ap;

	memset(f, 0, sizeof(*f));
	f->rule = rule;
	f->sev = sev;
	f->client = c ? engine_report_index(e, c) : -1;
	if (c && sev == NBC_SEV_ERROR)
		e->clients[c - e->clients].nerrors++;
	f->stage = stage;
	f->frame = frame;
	f->hint = hint;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Sized to the text: a capture of 100,000 stalled clients has as many findings. */
	n = strlen(msg);
	f->message = malloc(n + 1);
	if (!f->message) {
		fprintf(stderr, "netboot-check: out of memory\n");
		exit(2);
	}
	memcpy(f->message, msg, n + 1);
	return f;
}

void engine_findings_clear(struct nbc_engine *e)
{
	for (size_t i = 0; i < e->report.nfindings; i++)
		free(e->report.findings[i].message);
	e->report.nfindings = 0;
}

int engine_report_index(const struct nbc_engine *e, const struct eng_client *c)
{
	(void)e;
	return c->report_index;
}

const char *eng_uri_path(const char *uri)
{
	if (strncmp(uri, "http://", 7) == 0 && strchr(uri + 7, '/'))
		return strchr(uri + 7, '/');
	return uri;
}

const char *eng_basename(const char *name)
{
	const char *s = strrchr(name, '/');

	return s ? s + 1 : name;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s);
	size_t m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

bool eng_is_ipxe_binary(const char *name)
{
	const char *b = eng_basename(name);

	/* A URL to an iPXE binary loops as surely as a TFTP name: the basename decides. */
	return ends_with(b, ".kpxe") || ends_with(b, ".kkpxe") || ends_with(b, ".kkkpxe") ||
	       strcmp(b, "ipxe.pxe") == 0 || strcmp(b, "ipxe.lkrn") == 0 ||
	       strcmp(b, "ipxe.efi") == 0 || strcmp(b, "snponly.efi") == 0 ||
	       strcmp(b, "snp.efi") == 0 || strncmp(b, "undionly", 8) == 0 ||
	       (strstr(b, "ipxe") != NULL &&
		(ends_with(b, ".efi") || ends_with(b, ".pxe") || ends_with(b, ".lkrn")));
}

bool eng_is_efi_binary(const char *name)
{
	return ends_with(eng_basename(name), ".efi") || ends_with(eng_basename(name), ".EFI");
}

bool eng_is_bios_binary(const char *name)
{
	const char *b = eng_basename(name);

	return ends_with(b, ".0") || ends_with(b, ".pxe") || ends_with(b, ".kpxe") ||
	       ends_with(b, ".kkpxe") || ends_with(b, ".lkrn") || ends_with(b, ".com") ||
	       ends_with(b, ".n12");
}

const struct eng_reply *eng_round_boot_reply(const struct eng_round *r)
{
	if (r->has_ack && r->ack.bootfile[0])
		return &r->ack;
	if (r->has_proxy_ack && r->proxy_ack.bootfile[0])
		return &r->proxy_ack;
	for (unsigned i = 0; i < r->noffers; i++)
		if (r->offers[i].bootfile[0] &&
		    (!r->requested_server || r->offers[i].server == r->requested_server ||
		     r->offers[i].proxy))
			return &r->offers[i];
	return r->has_ack ? &r->ack : NULL;
}
