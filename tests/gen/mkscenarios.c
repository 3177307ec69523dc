/*
 * mkscenarios.c: writes the scenario captures under pcaps/scenarios/ with the
 * proto/ encoders and libpcap's pcap_dump. Every byte is deterministic (fixed
 * times, xids, ports), so `make scenarios` reproduces the committed files.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/dhcp.h"
#include "proto/net.h"
#include "proto/tftp.h"

#define T0 1795536000.0	/* 2026-11-24 00:00:00 UTC */
#define SERVER_IP 0xC0000201u	/* 192.0.2.1 */
#define SERVER2_IP 0xC0000202u	/* 192.0.2.2: a second DHCP server */
#define BCAST 0xFFFFFFFFu

static const uint8_t SRV_MAC[6] = { 0x02, 0x00, 0x5e, 0x00, 0x02, 0x01 };
static const uint8_t SRV2_MAC[6] = { 0x02, 0x00, 0x5e, 0x00, 0x02, 0x02 };
static const uint8_t BCAST_MAC[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* Frames of one client kept in memory, to be merged with other clients' by time. */
struct framebuf {
	uint8_t *data;		/* records: double time, uint32_t length, bytes */
	size_t len, cap;
	size_t frames;
};

struct sim {
	pcap_t *pd;
	pcap_dumper_t *d;
	struct framebuf *buf;	/* when set, emit() appends here instead of dumping */
	enum net_link link;
	const uint16_t *vlans;
	unsigned nvlan;
	double t;
	uint16_t ip_id;
	uint16_t next_port;	/* server TIDs and client ports */
	size_t mtu;		/* IP packets larger than this are fragmented */
};

struct client {
	uint8_t mac[6];
	uint32_t ip;
	uint8_t uuid[16];
	bool has_uuid;
	uint16_t arch;
	uint32_t xid;
};

static void die(const char *what)
{
	fprintf(stderr, "mkscenarios: %s\n", what);
	exit(2);
}

static void dump_at(pcap_dumper_t *d, double t, const uint8_t *frame, size_t len)
{
	struct pcap_pkthdr h;
	double whole = (double)(long)t;

	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (long)t;
	h.ts.tv_usec = (long)((t - whole) * 1e6 + 0.5);
	if (h.ts.tv_usec >= 1000000) {
		h.ts.tv_sec++;
		h.ts.tv_usec -= 1000000;
	}
	h.caplen = h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)d, &h, frame);
}

static void emit(struct sim *s, const uint8_t *frame, size_t len)
{
	if (s->buf) {
		struct framebuf *b = s->buf;
		uint32_t l = (uint32_t)len;
		size_t need = sizeof(double) + sizeof(l) + len;

		if (b->len + need > b->cap) {
			size_t cap = b->cap ? b->cap * 2 : 1 << 20;

			while (cap < b->len + need)
				cap *= 2;
			b->data = realloc(b->data, cap);
			if (!b->data)
				die("out of memory");
			b->cap = cap;
		}
		memcpy(b->data + b->len, &s->t, sizeof(double));
		memcpy(b->data + b->len + sizeof(double), &l, sizeof(l));
		memcpy(b->data + b->len + sizeof(double) + sizeof(l), frame, len);
		b->len += need;
		b->frames++;
	} else {
		dump_at(s->d, s->t, frame, len);
	}
	s->t += 0.0005;
}

static void udp(struct sim *s, const uint8_t *smac, const uint8_t *dmac, uint32_t sip,
		uint32_t dip, uint16_t sport, uint16_t dport, const uint8_t *pl, size_t n)
{
	static uint8_t frame[70000];
	static uint8_t dgram[70000];
	struct net_frame_spec sp = { s->link, smac, dmac, s->vlans, s->nvlan, sip, dip,
				     s->ip_id++, 64, sport, dport };
	size_t len;

	if (20 + 8 + n <= s->mtu) {
		len = net_encode_udp_frame(&sp, pl, n, frame, sizeof(frame));
		if (!len)
			die("frame too large");
		emit(s, frame, len);
		return;
	}
	/* Fragment: pieces of (mtu - 20) rounded down to 8 bytes. */
	len = net_encode_udp_dgram(&sp, pl, n, dgram, sizeof(dgram));
	for (size_t off = 0, step = (s->mtu - 20) & ~(size_t)7; off < len; off += step) {
		size_t part = len - off < step ? len - off : step;
		size_t fl = net_encode_ipv4_fragment(&sp, dgram, len, off, part, frame,
						     sizeof(frame));

		if (!fl)
			die("fragment");
		emit(s, frame, fl);
	}
}

enum ckind { C_PXE, C_IPXE };

struct reply_cfg {
	uint32_t server;
	const uint8_t *smac;
	const char *file;	/* NULL: no boot file */
	bool file_in_opt67;
	const char *opt209;
	const char *opt210;
	bool no_siaddr;
};

static void client_request(struct sim *s, struct client *c, enum ckind kind, uint8_t type,
			   uint16_t secs, bool ask_209, uint32_t server_id)
{
	uint8_t buf[600];
	struct dhcp_builder b;
	uint8_t prl_pxe[] = { 1, 2, 3, 5, 6, 11, 12, 13, 15, 16, 17, 18, 43, 54, 60, 66, 67,
			      128, 129, 130, 131, 132, 133, 134, 135, 208, 209, 210, 211 };
	uint8_t prl_ipxe[] = { 1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119, 128, 129,
			       130, 131, 132, 133, 134, 135, 175, 203 };
	uint8_t ndi[3] = { 1, 2, 1 };
	uint8_t ipxe175[] = { 0xb1, 0x05, 0x01, 0x80, 0x86, 0x10, 0x0e, 0x11, 0x01, 0x01,
			      0x13, 0x01, 0x01, 0x15, 0x01, 0x01, 0xeb, 0x03, 0x01, 0x00, 0x00 };
	uint8_t uuid97[17];
	uint8_t cid[7];
	char vc[40];
	size_t n;

	dhcp_build_begin(&b, buf, sizeof(buf), 1, c->xid, c->mac, type);
	dhcp_build_set_secs_flags(&b, secs, 0x8000);
	dhcp_build_opt_be16(&b, DHCP_OPT_MAX_SIZE, 1472);
	if (type == DHCPREQUEST) {
		dhcp_build_opt_be32(&b, DHCP_OPT_SERVER_ID, server_id);
		dhcp_build_opt_be32(&b, DHCP_OPT_REQ_IP, c->ip);
	}
	dhcp_build_opt_be16(&b, DHCP_OPT_CLIENT_ARCH, c->arch);
	dhcp_build_opt(&b, DHCP_OPT_CLIENT_NDI, ndi, 3);
	snprintf(vc, sizeof(vc), "PXEClient:Arch:%05u:UNDI:002001", c->arch);
	dhcp_build_opt_str(&b, DHCP_OPT_VENDOR_CLASS, vc);
	if (kind == C_IPXE) {
		dhcp_build_opt_str(&b, DHCP_OPT_USER_CLASS, "iPXE");
		dhcp_build_opt(&b, DHCP_OPT_PRL, prl_ipxe, sizeof(prl_ipxe));
		dhcp_build_opt(&b, DHCP_OPT_IPXE, ipxe175, sizeof(ipxe175));
	} else {
		/* A PXE ROM's list has no 208-211; the "asks" variant adds them. */
		dhcp_build_opt(&b, DHCP_OPT_PRL, prl_pxe, sizeof(prl_pxe) - (ask_209 ? 0 : 4));
	}
	cid[0] = 1;
	memcpy(cid + 1, c->mac, 6);
	dhcp_build_opt(&b, DHCP_OPT_CLIENT_ID, cid, 7);
	if (c->has_uuid) {
		uuid97[0] = 0;
		memcpy(uuid97 + 1, c->uuid, 16);
		dhcp_build_opt(&b, DHCP_OPT_CLIENT_UUID, uuid97, 17);
	}
	n = dhcp_build_end(&b);
	if (!n)
		die("dhcp request");
	udp(s, c->mac, BCAST_MAC, 0, BCAST, 68, 67, buf, n);
}

static void server_reply(struct sim *s, const struct client *c, uint8_t type,
			 const struct reply_cfg *r)
{
	uint8_t buf[600];
	struct dhcp_builder b;
	size_t n;

	dhcp_build_begin(&b, buf, sizeof(buf), 2, c->xid, c->mac, type);
	if (type == DHCPNAK)
		dhcp_build_set_addrs(&b, 0, 0, 0, 0);
	else
		dhcp_build_set_addrs(&b, 0, c->ip, r->no_siaddr ? 0 : r->server, 0);
	dhcp_build_set_secs_flags(&b, 0, 0x8000);
	dhcp_build_opt_be32(&b, DHCP_OPT_SERVER_ID, r->server);
	dhcp_build_opt_be32(&b, DHCP_OPT_LEASE, 3600);
	dhcp_build_opt_be32(&b, DHCP_OPT_SUBNET, 0xFFFFFF00u);
	if (r->file && type != DHCPNAK) {
		if (r->file_in_opt67)
			dhcp_build_opt_str(&b, DHCP_OPT_BOOTFILE, r->file);
		else
			dhcp_build_set_file(&b, r->file);
	}
	if (r->opt209) {
		static const uint8_t magic[4] = { 0xf1, 0x00, 0x74, 0x7e };

		dhcp_build_opt(&b, DHCP_OPT_PXELINUX_MAGIC, magic, 4);
		dhcp_build_opt_str(&b, DHCP_OPT_PXELINUX_CONFIGFILE, r->opt209);
	}
	if (r->opt210)
		dhcp_build_opt_str(&b, DHCP_OPT_PXELINUX_PATHPREFIX, r->opt210);
	n = dhcp_build_end(&b);
	if (!n)
		die("dhcp reply");
	udp(s, r->smac, BCAST_MAC, r->server, BCAST, 67, 68, buf, n);
}

/* DISCOVER, OFFER, REQUEST, ACK with one server. */
static void dora(struct sim *s, struct client *c, enum ckind kind, const struct reply_cfg *r,
		 bool ask_209)
{
	client_request(s, c, kind, DHCPDISCOVER, 0, ask_209, 0);
	s->t += 0.01;
	server_reply(s, c, DHCPOFFER, r);
	s->t += 0.5;
	client_request(s, c, kind, DHCPREQUEST, 1, ask_209, r->server);
	s->t += 0.01;
	server_reply(s, c, DHCPACK, r);
	s->t += 0.2;
	c->xid += 0x01010101u;
}

/* How a transfer goes wrong, if it does. */
enum tfail {
	TF_NONE,
	TF_NOT_FOUND,
	TF_CLIENT_ABORT,	/* the client sends ERROR after a few blocks */
	TF_STOP,		/* the server goes silent after a few blocks */
	TF_PROBE,		/* UEFI tsize probe: OACK, client ERROR 8, then the real RRQ */
};

struct tftp_get {
	const char *name;
	const uint8_t *content;	/* NULL: a pattern of size bytes */
	size_t size;
	long blksize;		/* -1: no options (plain RFC 1350) */
	enum tfail fail;
	unsigned retransmits;	/* DATA blocks sent twice */
};

static void tftp_get(struct sim *s, const struct client *c, const struct tftp_get *g)
{
	static uint8_t pkt[70000];
	static uint8_t data[70000];
	struct tftp_optset req = { g->blksize, g->blksize > 0 ? 0 : -1, -1, -1 };
	struct tftp_optset oack = { g->blksize, (long)g->size, -1, -1 };
	uint16_t cport = s->next_port++;
	uint16_t sport = s->next_port++;
	long blk = g->blksize > 0 ? g->blksize : 512;
	size_t n, off = 0;
	uint16_t block = 1;
	unsigned resent = 0;

	if (g->fail == TF_PROBE) {
		struct tftp_optset probe = { g->blksize, 0, -1, 4 };

		n = tftp_encode_request(TFTP_RRQ, g->name, "octet", &probe, pkt, sizeof(pkt));
		udp(s, c->mac, SRV_MAC, c->ip, SERVER_IP, cport, 69, pkt, n);
		n = tftp_encode_oack(&oack, pkt, sizeof(pkt));
		udp(s, SRV_MAC, c->mac, SERVER_IP, c->ip, sport, cport, pkt, n);
		n = tftp_encode_error(TFTP_ERR_OPTION, "User aborted the transfer", pkt,
				      sizeof(pkt));
		udp(s, c->mac, SRV_MAC, c->ip, SERVER_IP, cport, sport, pkt, n);
		s->t += 0.05;
		cport = s->next_port++;
		sport = s->next_port++;
		req.tsize = -1;
	}
	n = tftp_encode_request(TFTP_RRQ, g->name, "octet", g->blksize > 0 ? &req : NULL, pkt,
				sizeof(pkt));
	udp(s, c->mac, SRV_MAC, c->ip, SERVER_IP, cport, 69, pkt, n);
	s->t += 0.001;
	if (g->fail == TF_NOT_FOUND) {
		n = tftp_encode_error(TFTP_ERR_NOT_FOUND, "File not found", pkt, sizeof(pkt));
		udp(s, SRV_MAC, c->mac, SERVER_IP, c->ip, sport, cport, pkt, n);
		s->t += 0.001;
		return;
	}
	if (g->blksize > 0) {
		n = tftp_encode_oack(&oack, pkt, sizeof(pkt));
		udp(s, SRV_MAC, c->mac, SERVER_IP, c->ip, sport, cport, pkt, n);
		n = tftp_encode_ack(0, pkt, sizeof(pkt));
		udp(s, c->mac, SRV_MAC, c->ip, SERVER_IP, cport, sport, pkt, n);
	}
	for (;;) {
		size_t chunk = g->size - off < (size_t)blk ? g->size - off : (size_t)blk;

		for (size_t i = 0; i < chunk; i++)
			data[i] = g->content ? g->content[off + i] : (uint8_t)((off + i) * 7 + 1);
		if ((g->fail == TF_CLIENT_ABORT || g->fail == TF_STOP) && block == 4) {
			if (g->fail == TF_CLIENT_ABORT) {
				n = tftp_encode_error(TFTP_ERR_UNDEF, "Out of memory", pkt,
						      sizeof(pkt));
				udp(s, c->mac, SRV_MAC, c->ip, SERVER_IP, cport, sport, pkt, n);
			}
			return;
		}
		n = tftp_encode_data(block, data, chunk, pkt, sizeof(pkt));
		udp(s, SRV_MAC, c->mac, SERVER_IP, c->ip, sport, cport, pkt, n);
		if (resent < g->retransmits && block % 3 == 2) {
			/* The ACK was lost: the server times out and sends the block again. */
			s->t += 1.0;
			udp(s, SRV_MAC, c->mac, SERVER_IP, c->ip, sport, cport, pkt, n);
			resent++;
		}
		n = tftp_encode_ack(block, pkt, sizeof(pkt));
		udp(s, c->mac, SRV_MAC, c->ip, SERVER_IP, cport, sport, pkt, n);
		off += chunk;
		if (chunk < (size_t)blk)
			break;
		block++;
	}
	s->t += 0.002;
}

static void get_ok(struct sim *s, const struct client *c, const char *name, size_t size,
		   long blksize)
{
	struct tftp_get g = { name, NULL, size, blksize, TF_NONE, 0 };

	tftp_get(s, c, &g);
}

static void get_text(struct sim *s, const struct client *c, const char *name, const char *text)
{
	struct tftp_get g = { name, (const uint8_t *)text, strlen(text), 1408, TF_NONE, 0 };

	tftp_get(s, c, &g);
}

static void get_missing(struct sim *s, const struct client *c, const char *name)
{
	struct tftp_get g = { name, NULL, 0, 1408, TF_NOT_FOUND, 0 };

	tftp_get(s, c, &g);
}

static const char CFG_LINUX[] = "DEFAULT install\nPROMPT 0\nLABEL install\n  KERNEL "
				"debian/vmlinuz\n  APPEND initrd=debian/initrd.gz auto=true\n";
static const char CFG_LOCAL[] = "DEFAULT local\nPROMPT 0\nLABEL local\n  LOCALBOOT 0\n";

/* The pxelinux walk for client c, up to (and including) the file that exists. */
static void walk(struct sim *s, const struct client *c, const char *prefix, unsigned found_at,
		 const char *cfg)
{
	char names[12][128];
	unsigned n = 0;
	char hexip[9];

	if (c->has_uuid) {
		const uint8_t *u = c->uuid;

		snprintf(names[n++], 128,
			 "%spxelinux.cfg/%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x"
			 "%02x%02x%02x",
			 prefix, u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10],
			 u[11], u[12], u[13], u[14], u[15]);
	}
	snprintf(names[n++], 128, "%spxelinux.cfg/01-%02x-%02x-%02x-%02x-%02x-%02x", prefix,
		 c->mac[0], c->mac[1], c->mac[2], c->mac[3], c->mac[4], c->mac[5]);
	snprintf(hexip, sizeof(hexip), "%08X", c->ip);
	for (int len = 8; len >= 1; len--)
		snprintf(names[n++], 128, "%spxelinux.cfg/%.*s", prefix, len, hexip);
	snprintf(names[n++], 128, "%spxelinux.cfg/default", prefix);
	for (unsigned i = 0; i < n; i++) {
		if (i == found_at) {
			if (cfg)
				get_text(s, c, names[i], cfg);
			return;
		}
		get_missing(s, c, names[i]);
	}
}

static struct sim *open_sim(const char *dir, const char *name, enum net_link link, int dlt)
{
	static struct sim s;
	char path[512];

	memset(&s, 0, sizeof(s));
	s.link = link;
	s.t = T0;
	s.ip_id = 1;
	s.next_port = 49152;
	s.mtu = 1500;
	s.pd = pcap_open_dead(dlt, 262144);
	snprintf(path, sizeof(path), "%s/%s.pcap", dir, name);
	s.d = pcap_dump_open(s.pd, path);
	if (!s.d)
		die(pcap_geterr(s.pd));
	return &s;
}

static void close_sim(struct sim *s)
{
	pcap_dump_close(s->d);
	pcap_close(s->pd);
}

static struct client bios_client(uint8_t last)
{
	struct client c = { { 0x52, 0x54, 0x00, 0x12, 0x34, last },
			    0xC0000264u + (uint32_t)(last - 0x56),
			    { 0x3a, 0x8c, 0x3b, 0x8e, 0x1f, 0x5a, 0x2e, 0x4d, 0x9c, 0x41, 0x01,
			      0x23, 0x45, 0x67, 0x89, last },
			    true,
			    0,
			    0x1a2b3c00u + last };
	return c;
}

static const struct reply_cfg PXE_SRV = { SERVER_IP, SRV_MAC, "pxelinux.0", false, NULL, NULL,
					  false };

/* A PXE ROM boots pxelinux, finds its config by MAC, loads kernel and initrd. */
static void sc_pxelinux_boot(struct sim *s, struct client c)
{
	dora(s, &c, C_PXE, &PXE_SRV, false);
	get_ok(s, &c, "pxelinux.0", 42430, 1432);
	get_ok(s, &c, "ldlinux.c32", 119524, 1408);
	walk(s, &c, "", 1, CFG_LINUX);
	get_ok(s, &c, "debian/vmlinuz", 60000, 1408);
	get_ok(s, &c, "debian/initrd.gz", 90000, 1408);
}

#include "tcpsim.h"

/* The PXE ROM loads undionly.kpxe; iPXE's DHCP then gets http://192.0.2.1/boot.ipxe. */
static void ipxe_to_http(struct sim *s, struct client *c)
{
	struct reply_cfg r = { SERVER_IP, SRV_MAC, "undionly.kpxe", false, NULL, NULL, false };
	struct reply_cfg r2 = { SERVER_IP, SRV_MAC, "http://192.0.2.1/boot.ipxe", true, NULL,
				NULL, false };

	dora(s, c, C_PXE, &r, false);
	get_ok(s, c, "undionly.kpxe", 70000, 1432);
	s->t += 2.0;
	dora(s, c, C_IPXE, &r2, false);
	s->t += 0.05;
}

static const char SCRIPT_CHAIN[] = "#!ipxe\nset 209:string pxelinux.cfg/boot\n"
				   "set 210:string http://192.0.2.1/\n"
				   "chain http://192.0.2.1/lpxelinux.0\n";
static const char SCRIPT_WINPE[] = "#!ipxe\nkernel http://192.0.2.1/wimboot\n"
				   "initrd http://192.0.2.1/winpe/boot.wim boot.wim\nboot\n";

/*
 * iPXE chains lpxelinux.0 by HTTP; lpxelinux fetches ldlinux.c32 and its
 * config on the same keep-alive connection. v_lpx and v_ld shape the server's
 * segments of lpxelinux.0 and ldlinux.c32.
 */
static void sc_http_chain(struct sim *s, struct client c, const struct tcpvar *v_lpx,
			  const struct tcpvar *v_ld)
{
	static uint8_t body[30000];
	struct tcpconn k;

	ipxe_to_http(s, &c);
	tcp_open(s, &k, &c, HTTP_PORT);
	http_get(s, &k, "/boot.ipxe", false);
	http_text(s, &k, SCRIPT_CHAIN);
	s->t += 0.02;
	http_get(s, &k, "/lpxelinux.0", false);
	fill(body, 20000, 1);
	http_reply_v(s, &k, "200 OK", body, 20000, v_lpx);
	s->t += 0.3;
	http_get(s, &k, "/ldlinux.c32", false);
	fill(body, 30000, 2);
	http_reply_v(s, &k, "200 OK", body, 30000, v_ld);
	s->t += 0.1;
	http_get(s, &k, "/pxelinux.cfg/boot", false);
	http_text(s, &k, CFG_LOCAL);
	s->t += 0.5;
	tcp_close(s, &k, true);
}

/* A script fetched on its own connection, which the client then closes. */
static void fetch_script(struct sim *s, struct client *c, const char *script)
{
	struct tcpconn k;

	ipxe_to_http(s, c);
	tcp_open(s, &k, c, HTTP_PORT);
	http_get(s, &k, "/boot.ipxe", false);
	http_text(s, &k, script);
	s->t += 0.01;
	tcp_close(s, &k, true);
	s->t += 0.05;
}

enum san_after {
	SAN_STAYS,		/* the OS took over: the connection stays open */
	SAN_KEEP_WINPE,		/* connection stays open; winpe.ipxe on a new connection */
	SAN_CLOSE_WINPE,	/* the initiator closes (FIN, no Logout); then winpe.ipxe */
};

static void sc_sanboot(struct sim *s, struct client c, const char *script, enum login_kind kind,
		       bool bootable, enum san_after after)
{
	struct iscsess x;

	fetch_script(s, &c, script);
	iscsi_open(s, &x, &c);
	if (!iscsi_login(s, &x, kind)) {
		/* Login failed: the target closes the connection; the script ends. */
		s->t += 0.001;
		tcp_close(s, &x.k, false);
		return;
	}
	iscsi_sanboot(s, &x, bootable);
	if (after == SAN_STAYS) {
		s->t += 5.0;
		return;
	}
	s->t += 0.01;
	if (after == SAN_CLOSE_WINPE)
		tcp_close(s, &x.k, true);
	{
		struct tcpconn k;

		s->t += 0.05;
		tcp_open(s, &k, &c, HTTP_PORT);
		http_get(s, &k, "/winpe.ipxe", false);
		http_text(s, &k, SCRIPT_WINPE);
	}
	s->t += 1.0;
}

static void write_all(const char *dir)
{
	struct sim *s;
	struct client c;
	static const uint16_t vlan1[] = { 42 };
	static const uint16_t qinq[] = { 100, 42 };

	/* 1. A clean PXE -> pxelinux boot. */
	s = open_sim(dir, "pxelinux-clean-boot", NET_LINK_ETHERNET, DLT_EN10MB);
	sc_pxelinux_boot(s, bios_client(0x56));
	close_sim(s);

	/* 2. The same boot behind an 802.1Q tag, and behind QinQ. */
	s = open_sim(dir, "vlan-pxelinux-boot", NET_LINK_ETHERNET, DLT_EN10MB);
	s->vlans = vlan1;
	s->nvlan = 1;
	sc_pxelinux_boot(s, bios_client(0x57));
	close_sim(s);
	s = open_sim(dir, "qinq-pxelinux-boot", NET_LINK_ETHERNET, DLT_EN10MB);
	s->vlans = qinq;
	s->nvlan = 2;
	sc_pxelinux_boot(s, bios_client(0x58));
	close_sim(s);

	/* 3. The same boot as tcpdump -i any writes it (Linux cooked v2). */
	s = open_sim(dir, "sll2-pxelinux-boot", NET_LINK_SLL2, 276);
	sc_pxelinux_boot(s, bios_client(0x59));
	close_sim(s);

	/* 4. The user-class loop: iPXE is handed undionly.kpxe again, twice. */
	s = open_sim(dir, "ipxe-userclass-loop", NET_LINK_ETHERNET, DLT_EN10MB);
	c = bios_client(0x60);
	{
		struct reply_cfg r = { SERVER_IP, SRV_MAC, "undionly.kpxe", false, NULL, NULL,
				       false };

		dora(s, &c, C_PXE, &r, false);
		get_ok(s, &c, "undionly.kpxe", 70000, 1432);
		for (int i = 0; i < 2; i++) {
			s->t += 2.0;
			dora(s, &c, C_IPXE, &r, false);
			get_ok(s, &c, "undionly.kpxe", 70000, 1432);
		}
	}
	close_sim(s);

	/* 5. The fix: iPXE gets an HTTP script URL and fetches it (request line only). */
	s = open_sim(dir, "ipxe-userclass-script", NET_LINK_ETHERNET, DLT_EN10MB);
	c = bios_client(0x61);
	{
		struct reply_cfg r = { SERVER_IP, SRV_MAC, "undionly.kpxe", false, NULL, NULL,
				       false };
		struct reply_cfg r2 = { SERVER_IP, SRV_MAC, "http://192.0.2.1/boot.ipxe", true,
					NULL, NULL, false };

		dora(s, &c, C_PXE, &r, false);
		get_ok(s, &c, "undionly.kpxe", 70000, 1432);
		s->t += 2.0;
		dora(s, &c, C_IPXE, &r2, false);
	}
	close_sim(s);

	/* 6. 209/210 delivered: pxelinux loads boot/pxelinux.cfg/boot directly. */
	s = open_sim(dir, "pxelinux-209-delivered", NET_LINK_ETHERNET, DLT_EN10MB);
	c = bios_client(0x62);
	{
		struct reply_cfg r = { SERVER_IP, SRV_MAC, "boot/pxelinux.0", false,
				       "pxelinux.cfg/boot", "boot/", false };

		dora(s, &c, C_PXE, &r, false);
		get_ok(s, &c, "boot/pxelinux.0", 42430, 1432);
		get_ok(s, &c, "boot/ldlinux.c32", 119524, 1408);
		get_text(s, &c, "boot/pxelinux.cfg/boot", CFG_LOCAL);
	}
	close_sim(s);

	/*
	 * 7. 209 not delivered: the server sends it to a client that asks for it
	 * in option 55 but not to a PXE ROM, which does not; that ROM's pxelinux
	 * walks the lookup order to default.
	 */
	s = open_sim(dir, "pxelinux-209-not-delivered", NET_LINK_ETHERNET, DLT_EN10MB);
	{
		struct reply_cfg asked = { SERVER_IP, SRV_MAC, "pxelinux.0", false,
					   "pxelinux.cfg/boot", NULL, false };
		struct client a = bios_client(0x63);
		struct client b = bios_client(0x64);

		dora(s, &a, C_PXE, &asked, true);
		get_ok(s, &a, "pxelinux.0", 42430, 1432);
		get_text(s, &a, "pxelinux.cfg/boot", CFG_LOCAL);
		dora(s, &b, C_PXE, &PXE_SRV, false);
		get_ok(s, &b, "pxelinux.0", 42430, 1432);
		walk(s, &b, "", 10, CFG_LOCAL);
	}
	close_sim(s);

	/* 8. One client, 209 expected by the site file (pxelinux-209-missing.args). */
	s = open_sim(dir, "pxelinux-209-missing", NET_LINK_ETHERNET, DLT_EN10MB);
	c = bios_client(0x65);
	dora(s, &c, C_PXE, &PXE_SRV, false);
	get_ok(s, &c, "pxelinux.0", 42430, 1432);
	walk(s, &c, "", 10, CFG_LOCAL);
	close_sim(s);

	/* 9. A walk in the wrong order: the hex IP in lowercase, as no pxelinux does. */
	s = open_sim(dir, "pxelinux-lookup-wrong-order", NET_LINK_ETHERNET, DLT_EN10MB);
	c = bios_client(0x66);
	c.has_uuid = false;
	dora(s, &c, C_PXE, &PXE_SRV, false);
	get_ok(s, &c, "pxelinux.0", 42430, 1432);
	get_missing(s, &c, "pxelinux.cfg/01-52-54-00-12-34-66");
	get_missing(s, &c, "pxelinux.cfg/c0000274");
	get_text(s, &c, "pxelinux.cfg/default", CFG_LOCAL);
	close_sim(s);

	/* 10. The NBP is not on the TFTP server. */
	s = open_sim(dir, "tftp-nbp-not-found", NET_LINK_ETHERNET, DLT_EN10MB);
	c = bios_client(0x67);
	dora(s, &c, C_PXE, &PXE_SRV, false);
	get_missing(s, &c, "pxelinux.0");
	close_sim(s);

	/* 11. The client aborts the kernel download after three blocks. */
	s = open_sim(dir, "tftp-aborted-transfer", NET_LINK_ETHERNET, DLT_EN10MB);
	c = bios_client(0x68);
	dora(s, &c, C_PXE, &PXE_SRV, false);
	get_ok(s, &c, "pxelinux.0", 42430, 1432);
	walk(s, &c, "", 1, CFG_LINUX);
	{
		struct tftp_get g = { "debian/vmlinuz", NULL, 60000, 1408, TF_CLIENT_ABORT, 0 };

		tftp_get(s, &c, &g);
	}
	close_sim(s);

	/* 12. A UEFI x64 client handed a BIOS NBP. */
	s = open_sim(dir, "arch-mismatch-efi-got-bios", NET_LINK_ETHERNET, DLT_EN10MB);
	c = bios_client(0x69);
	c.arch = 7;
	{
		struct reply_cfg r = { SERVER_IP, SRV_MAC, "undionly.kpxe", false, NULL, NULL,
				       false };
		struct tftp_get g = { "undionly.kpxe", NULL, 70000, 1468, TF_PROBE, 0 };

		dora(s, &c, C_PXE, &r, false);
		tftp_get(s, &c, &g);
	}
	close_sim(s);

	/* 13. UEFI tsize probe before a good download: benign, nothing to flag. */
	s = open_sim(dir, "uefi-tsize-probe", NET_LINK_ETHERNET, DLT_EN10MB);
	c = bios_client(0x6a);
	c.arch = 7;
	{
		static uint8_t pe[4096];
		struct reply_cfg r = { SERVER_IP, SRV_MAC, "ipxe.efi", false, NULL, NULL, false };
		struct reply_cfg r2 = { SERVER_IP, SRV_MAC, "http://192.0.2.1/boot.ipxe", true,
					NULL, NULL, false };
		struct tftp_get g = { "ipxe.efi", pe, sizeof(pe), 1468, TF_PROBE, 0 };

		/* A minimal PE32+ header: MZ, e_lfanew = 0x80, PE\0\0, machine 0x8664. */
		pe[0] = 'M';
		pe[1] = 'Z';
		pe[0x3c] = 0x80;
		memcpy(pe + 0x80, "PE\0\0\x64\x86", 6);
		dora(s, &c, C_PXE, &r, false);
		tftp_get(s, &c, &g);
		s->t += 1.5;
		dora(s, &c, C_IPXE, &r2, false);
	}
	close_sim(s);

	/* 14. Two DHCP servers: the client takes the offer without a boot file. */
	s = open_sim(dir, "dhcp-two-servers", NET_LINK_ETHERNET, DLT_EN10MB);
	c = bios_client(0x6b);
	{
		struct reply_cfg good = PXE_SRV;
		struct reply_cfg rogue = { SERVER2_IP, SRV2_MAC, NULL, false, NULL, NULL, true };

		client_request(s, &c, C_PXE, DHCPDISCOVER, 0, false, 0);
		server_reply(s, &c, DHCPOFFER, &rogue);
		server_reply(s, &c, DHCPOFFER, &good);
		client_request(s, &c, C_PXE, DHCPREQUEST, 1, false, SERVER2_IP);
		server_reply(s, &c, DHCPACK, &rogue);
	}
	close_sim(s);

	/* 15. A TFTP blksize the path cannot carry: DATA arrives fragmented. */
	s = open_sim(dir, "tftp-blksize-fragments", NET_LINK_ETHERNET, DLT_EN10MB);
	c = bios_client(0x6c);
	dora(s, &c, C_PXE, &PXE_SRV, false);
	get_ok(s, &c, "pxelinux.0", 42430, 4096);
	walk(s, &c, "", 1, CFG_LOCAL);
	close_sim(s);

	/* 16. iPXE downloaded, then silence: the notebook that hangs after PXE. */
	s = open_sim(dir, "ipxe-silent-after-download", NET_LINK_ETHERNET, DLT_EN10MB);
	c = bios_client(0x6d);
	{
		struct reply_cfg r = { SERVER_IP, SRV_MAC, "undionly.kpxe", false, NULL, NULL,
				       false };
		struct tftp_get g = { "undionly.kpxe", NULL, 70000, 1432, TF_NONE, 4 };

		dora(s, &c, C_PXE, &r, false);
		tftp_get(s, &c, &g);
		/* Another machine's DHCP 45 s later keeps the capture going. */
		s->t += 45.0;
		{
			struct client other = bios_client(0x6e);

			dora(s, &other, C_PXE, &PXE_SRV, false);
		}
	}
	close_sim(s);

	/* 17. No config anywhere: the walk ends at default, not found either. */
	s = open_sim(dir, "pxelinux-no-config", NET_LINK_ETHERNET, DLT_EN10MB);
	c = bios_client(0x6f);
	dora(s, &c, C_PXE, &PXE_SRV, false);
	get_ok(s, &c, "pxelinux.0", 42430, 1432);
	walk(s, &c, "", 99, NULL);
	close_sim(s);

	/* 18. A boot file but no TFTP server: siaddr 0, no option 66; the ROM gives up. */
	s = open_sim(dir, "dhcp-no-next-server", NET_LINK_ETHERNET, DLT_EN10MB);
	c = bios_client(0x70);
	{
		struct reply_cfg r = { SERVER_IP, SRV_MAC, "pxelinux.0", false, NULL, NULL, true };

		dora(s, &c, C_PXE, &r, false);
	}
	close_sim(s);

	/*
	 * 19. The switch port forwarded late (the first DISCOVER seen says secs=24),
	 * and a second server NAKs the REQUEST meant for the first.
	 */
	s = open_sim(dir, "dhcp-link-delay-foreign-nak", NET_LINK_ETHERNET, DLT_EN10MB);
	c = bios_client(0x71);
	{
		struct reply_cfg rogue = { SERVER2_IP, SRV2_MAC, NULL, false, NULL, NULL, true };

		client_request(s, &c, C_PXE, DHCPDISCOVER, 24, false, 0);
		server_reply(s, &c, DHCPOFFER, &PXE_SRV);
		client_request(s, &c, C_PXE, DHCPREQUEST, 25, false, SERVER_IP);
		server_reply(s, &c, DHCPNAK, &rogue);
		server_reply(s, &c, DHCPACK, &PXE_SRV);
		get_ok(s, &c, "pxelinux.0", 42430, 1432);
		walk(s, &c, "", 1, CFG_LOCAL);
	}
	close_sim(s);

	/* 20. iPXE fetches an HTTP script that chains lpxelinux.0 (keep-alive connection). */
	s = open_sim(dir, "http-script-chain", NET_LINK_ETHERNET, DLT_EN10MB);
	sc_http_chain(s, bios_client(0x72), &TV_PLAIN, &TV_PLAIN);
	close_sim(s);

	/* 21. The script URL answers 404 Not Found. */
	s = open_sim(dir, "http-script-404", NET_LINK_ETHERNET, DLT_EN10MB);
	c = bios_client(0x73);
	{
		static const char nf[] = "File not found: /boot.ipxe\n";
		struct tcpconn k;

		ipxe_to_http(s, &c);
		tcp_open(s, &k, &c, HTTP_PORT);
		http_get(s, &k, "/boot.ipxe", false);
		http_reply(s, &k, "404 Not Found", (const uint8_t *)nf, sizeof(nf) - 1);
		s->t += 0.01;
		tcp_close(s, &k, true);
	}
	close_sim(s);

	/* 22. Two pipelined requests; the script comes chunked, the kernel with a length. */
	s = open_sim(dir, "http-script-chunked-pipelined", NET_LINK_ETHERNET, DLT_EN10MB);
	c = bios_client(0x74);
	{
		static uint8_t lkrn[5000];
		struct tcpconn k;

		ipxe_to_http(s, &c);
		tcp_open(s, &k, &c, HTTP_PORT);
		http_get(s, &k, "/boot.ipxe", false);
		http_get(s, &k, "/ipxe.lkrn", true);
		http_reply_chunked(s, &k, "#!ipxe\nchain http://192.0.2.1/ipxe.lkrn\n");
		fill(lkrn, sizeof(lkrn), 3);
		http_reply(s, &k, "200 OK", lkrn, sizeof(lkrn));
		s->t += 0.01;
		tcp_close(s, &k, true);
	}
	close_sim(s);

	/* 23. A script without #!ipxe, with a misspelt command and a goto to no label. */
	s = open_sim(dir, "http-script-malformed", NET_LINK_ETHERNET, DLT_EN10MB);
	c = bios_client(0x75);
	fetch_script(s, &c, "chian http://192.0.2.1/x\ngoto nowhere\n");
	close_sim(s);

	/* 24. sanboot of a blank iSCSI disk with keep-san: the SAN connection stays up. */
	s = open_sim(dir, "sanboot-keepsan", NET_LINK_ETHERNET, DLT_EN10MB);
	sc_sanboot(s, bios_client(0x76),
		   "#!ipxe\nset keep-san 1\nsanboot iscsi:192.0.2.1::::iqn.2026-11.test:disk0 || "
		   "chain http://192.0.2.1/winpe.ipxe\n",
		   LOGIN_NONE, false, SAN_KEEP_WINPE);
	close_sim(s);

	/* 25. The same without keep-san: iPXE drops the iSCSI connection before WinPE. */
	s = open_sim(dir, "sanboot-keepsan-lost", NET_LINK_ETHERNET, DLT_EN10MB);
	sc_sanboot(s, bios_client(0x77),
		   "#!ipxe\nsanboot iscsi:192.0.2.1::::iqn.2026-11.test:disk0 || "
		   "chain http://192.0.2.1/winpe.ipxe\n",
		   LOGIN_NONE, false, SAN_CLOSE_WINPE);
	close_sim(s);

	/* 26. sanboot of a disk with an MBR signature: the OS takes over. */
	s = open_sim(dir, "sanboot-bootable", NET_LINK_ETHERNET, DLT_EN10MB);
	sc_sanboot(s, bios_client(0x78),
		   "#!ipxe\nsanboot iscsi:192.0.2.1::::iqn.2026-11.test:disk0\n", LOGIN_NONE,
		   true, SAN_STAYS);
	close_sim(s);

	/* 27. The same with a CHAP login (user chapuser7) that succeeds. */
	s = open_sim(dir, "iscsi-chap-ok", NET_LINK_ETHERNET, DLT_EN10MB);
	/* The script carries secrets too: the secrets test greps every report for them. */
	sc_sanboot(s, bios_client(0x79),
		   "#!ipxe\nset username chapuser7\nset password s3cretpw77\n"
		   "sanboot iscsi:192.0.2.1::::iqn.2026-11.test:disk0 || "
		   "chain http://chapuser7:s3cretpw77@192.0.2.1/rescue.ipxe\n", LOGIN_CHAP_OK,
		   true, SAN_STAYS);
	close_sim(s);

	/* 28. A CHAP login refused (2/1 authentication failure); the target hangs up. */
	s = open_sim(dir, "iscsi-chap-fail", NET_LINK_ETHERNET, DLT_EN10MB);
	sc_sanboot(s, bios_client(0x7a),
		   "#!ipxe\nsanboot iscsi:192.0.2.1::::iqn.2026-11.test:disk0\n", LOGIN_CHAP_FAIL,
		   true, SAN_STAYS);
	close_sim(s);

	/* 29. A login for a target the portal does not have (2/3 target not found). */
	s = open_sim(dir, "iscsi-login-target-not-found", NET_LINK_ETHERNET, DLT_EN10MB);
	sc_sanboot(s, bios_client(0x7b),
		   "#!ipxe\nsanboot iscsi:192.0.2.1::::iqn.2026-11.test:disk0\n", LOGIN_NOT_FOUND,
		   true, SAN_STAYS);
	close_sim(s);

	/*
	 * 30. Scenario 20 with the server's lpxelinux.0 segments 4 and 5 swapped
	 * and segment 2 sent again after segment 8.
	 */
	s = open_sim(dir, "tcp-out-of-order", NET_LINK_ETHERNET, DLT_EN10MB);
	{
		struct tcpvar v = { 4, 2, 8, -1, false };

		sc_http_chain(s, bios_client(0x7c), &v, &TV_PLAIN);
	}
	close_sim(s);

	/* 31. Scenario 20 with segment 10 of ldlinux.c32 lost to the capture. */
	s = open_sim(dir, "tcp-gap", NET_LINK_ETHERNET, DLT_EN10MB);
	{
		struct tcpvar v = { -1, -1, -1, 10, false };

		sc_http_chain(s, bios_client(0x7d), &TV_PLAIN, &v);
	}
	close_sim(s);

	/* 32. A sanboot URI with a bad protocol, a bad port and no target name. */
	s = open_sim(dir, "rootpath-bad", NET_LINK_ETHERNET, DLT_EN10MB);
	c = bios_client(0x7e);
	fetch_script(s, &c, "#!ipxe\nsanboot iscsi:192.0.2.1:7:x:1:\n");
	close_sim(s);
}

/* A large 200 response: the head, then the body in pieces (tcpsim's buffer is 70 KB). */
static void big_reply(struct sim *s, struct tcpconn *k, const uint8_t *body, size_t n)
{
	char head[128];
	int h = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n"
			 "Content-Type: application/octet-stream\r\n\r\n", n);

	tcp_send(s, k, false, (const uint8_t *)head, (size_t)h);
	for (size_t off = 0; off < n; off += 65536)
		tcp_send(s, k, false, body + off, n - off < 65536 ? n - off : 65536);
}

/* One benchmark client: PXE -> undionly.kpxe -> iPXE -> boot.ipxe -> the kernel over HTTP
 * (every 50th loops, every 70th gets a 404 for its script). */
static void bench_client(struct sim *s, unsigned i, const uint8_t *kernel, unsigned kernel_kb)
{
	static const char script[] = "#!ipxe\nchain http://192.0.2.1/vmlinuz\n";
	struct client c = bios_client(0x56);
	unsigned slot = i % 400;
	struct reply_cfg loop = { SERVER_IP, SRV_MAC, "undionly.kpxe", false, NULL, NULL, false };
	struct tcpconn k;

	c.mac[3] = (uint8_t)(i >> 16);
	c.mac[4] = (uint8_t)(i >> 8);
	c.mac[5] = (uint8_t)i;
	c.uuid[14] = (uint8_t)(i >> 8);
	c.uuid[15] = (uint8_t)i;
	c.ip = slot < 200 ? 0xC0000232u + slot : 0xC6336432u + (slot - 200);
	c.xid = 0x5a000000u + i;
	s->next_port = (uint16_t)(20000 + (i * 11) % 40000);
	if (i % 50 == 49) {
		dora(s, &c, C_PXE, &loop, false);
		get_ok(s, &c, "undionly.kpxe", 70000, 1432);
		for (int r = 0; r < 2; r++) {
			s->t += 2.0;
			dora(s, &c, C_IPXE, &loop, false);
			get_ok(s, &c, "undionly.kpxe", 70000, 1432);
		}
		return;
	}
	ipxe_to_http(s, &c);
	tcp_open(s, &k, &c, HTTP_PORT);
	http_get(s, &k, "/boot.ipxe", false);
	if (i % 70 == 69) {
		static const char nf[] = "not found\n";

		http_reply(s, &k, "404 Not Found", (const uint8_t *)nf, sizeof(nf) - 1);
	} else {
		http_text(s, &k, script);
		http_get(s, &k, "/vmlinuz", false);
		big_reply(s, &k, kernel, (size_t)kernel_kb * 1024);
	}
	s->t += 0.2;
	tcp_close(s, &k, true);
	s->t += 1.0;
}

/*
 * The benchmark capture (make bench): n clients through bench_client. With concurrency 1
 * they boot one after another; with K > 1 they boot K at a time, each starting 50 ms after
 * the one before, their frames interleaved by time (each client's frames are generated into
 * memory, then the K streams are merged), so the analyzer holds K transfers in flight.
 * Addresses are reused over time from 192.0.2.0/24 and 198.51.100.0/24, as a DHCP pool
 * reuses them.
 */
static void write_bench(const char *path, unsigned n, unsigned kernel_kb, unsigned conc)
{
	static struct sim sim;
	struct sim *s = &sim;
	uint8_t *kernel = malloc((size_t)kernel_kb * 1024);
	struct framebuf *bufs = calloc(conc ? conc : 1, sizeof(*bufs));
	size_t *pos = calloc(conc ? conc : 1, sizeof(*pos));

	if (!kernel || !bufs || !pos)
		die("out of memory");
	if (conc == 0)
		conc = 1;
	fill(kernel, (size_t)kernel_kb * 1024, 7);
	memset(s, 0, sizeof(*s));
	s->link = NET_LINK_ETHERNET;
	s->t = T0;
	s->ip_id = 1;
	s->mtu = 1500;
	s->pd = pcap_open_dead(DLT_EN10MB, 262144);
	s->d = pcap_dump_open(s->pd, path);
	if (!s->d)
		die(pcap_geterr(s->pd));
	if (conc == 1) {
		for (unsigned i = 0; i < n; i++)
			bench_client(s, i, kernel, kernel_kb);
	}
	for (unsigned first = 0; conc > 1 && first < n; first += conc) {
		unsigned k = n - first < conc ? n - first : conc;
		double start = s->t, end = s->t;

		for (unsigned j = 0; j < k; j++) {
			bufs[j].len = bufs[j].frames = 0;
			pos[j] = 0;
			s->buf = &bufs[j];
			s->t = start + 0.05 * j;
			bench_client(s, first + j, kernel, kernel_kb);
			if (s->t > end)
				end = s->t;
		}
		s->buf = NULL;
		/* Merge the K streams by time (ties: the lower client first). */
		for (;;) {
			int best = -1;
			double bt = 0;

			for (unsigned j = 0; j < k; j++) {
				double t;

				if (pos[j] >= bufs[j].len)
					continue;
				memcpy(&t, bufs[j].data + pos[j], sizeof(t));
				if (best < 0 || t < bt) {
					best = (int)j;
					bt = t;
				}
			}
			if (best < 0)
				break;
			{
				struct framebuf *b = &bufs[best];
				uint32_t l;

				memcpy(&l, b->data + pos[best] + sizeof(double), sizeof(l));
				dump_at(s->d, bt, b->data + pos[best] + sizeof(double) + sizeof(l), l);
				pos[best] += sizeof(double) + sizeof(l) + l;
			}
		}
		s->t = end;
	}
	pcap_dump_close(s->d);
	pcap_close(s->pd);
	for (unsigned j = 0; j < conc; j++)
		free(bufs[j].data);
	free(bufs);
	free(pos);
	free(kernel);
}

int main(int argc, char **argv)
{
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "--bench") == 0) {
		write_bench(argv[2], (unsigned)strtoul(argv[3], NULL, 10),
			    (unsigned)strtoul(argv[4], NULL, 10),
			    argc == 6 ? (unsigned)strtoul(argv[5], NULL, 10) : 1);
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: mkscenarios DIR | mkscenarios --bench FILE CLIENTS KERNEL-KB "
				"[CONCURRENCY]\n");
		return 3;
	}
	write_all(argv[1]);
	return 0;
}
