/* test_engine.c: the engine on frames built in the test: rounds, transfers, rules, verdicts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "checker/defrag.h"
#include "checker/engine.h"
#include "checker/hmap.h"
#include "proto/dhcp.h"
#include "proto/net.h"
#include "proto/tftp.h"

#define SRV 0xC0000201u
#define CLI 0xC0000264u
#define CLI2 0xC0000265u

static const uint8_t CMAC[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
static const uint8_t CMAC2[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t SMAC[6] = { 0x02, 0, 0, 0, 0, 1 };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

struct t {
	struct nbc_engine *e;
	double ts;
};

/* A booting client: its MAC, the address it is leased and its DHCP xid. */
struct cl {
	const uint8_t *mac;
	uint32_t ip;
	uint32_t xid;
};

static const struct cl CL1 = { CMAC, CLI, 0x1234 };
static const struct cl CL2 = { CMAC2, CLI2, 0x5678 };

static void frame_to(struct t *t, const uint8_t *sm, const uint8_t *dm, uint32_t sip,
		     uint32_t dip, uint16_t sp, uint16_t dp, const uint8_t *pl, size_t n)
{
	static uint8_t buf[70000];
	struct net_frame_spec s = { NET_LINK_ETHERNET, sm, dm, NULL, 0, sip, dip, 1, 64, sp, dp };
	size_t len = net_encode_udp_frame(&s, pl, n, buf, sizeof(buf));

	assert_true(len > 0);
	engine_frame(t->e, t->ts, buf, len);
	t->ts += 0.01;
}

static void frame(struct t *t, const uint8_t *sm, uint32_t sip, uint32_t dip, uint16_t sp,
		  uint16_t dp, const uint8_t *pl, size_t n)
{
	frame_to(t, sm, CMAC, sip, dip, sp, dp, pl, n);
}

static void dhcp_as(struct t *t, const struct cl *c, uint8_t op, uint8_t type, bool ipxe,
		    const char *file)
{
	uint8_t b[600];
	struct dhcp_builder d;
	size_t n;

	dhcp_build_begin(&d, b, sizeof(b), op, c->xid, c->mac, type);
	dhcp_build_opt_be16(&d, DHCP_OPT_CLIENT_ARCH, 0);
	if (op == 1) {
		dhcp_build_opt_str(&d, DHCP_OPT_VENDOR_CLASS, "PXEClient:Arch:00000:UNDI:002001");
		if (ipxe)
			dhcp_build_opt_str(&d, DHCP_OPT_USER_CLASS, "iPXE");
		if (type == DHCPREQUEST)
			dhcp_build_opt_be32(&d, DHCP_OPT_SERVER_ID, SRV);
	} else {
		dhcp_build_set_addrs(&d, 0, c->ip, SRV, 0);
		dhcp_build_opt_be32(&d, DHCP_OPT_SERVER_ID, SRV);
		if (file)
			dhcp_build_set_file(&d, file);
	}
	n = dhcp_build_end(&d);
	frame_to(t, op == 1 ? c->mac : SMAC, op == 1 ? BCAST : c->mac, op == 1 ? 0 : SRV,
		 0xffffffffu, op == 1 ? 68 : 67, op == 1 ? 67 : 68, b, n);
}

static void dora_as(struct t *t, const struct cl *c, bool ipxe, const char *file)
{
	dhcp_as(t, c, 1, DHCPDISCOVER, ipxe, NULL);
	dhcp_as(t, c, 2, DHCPOFFER, ipxe, file);
	dhcp_as(t, c, 1, DHCPREQUEST, ipxe, NULL);
	dhcp_as(t, c, 2, DHCPACK, ipxe, file);
}

static void dora(struct t *t, bool ipxe, const char *file)
{
	dora_as(t, &CL1, ipxe, file);
}

/* RRQ then `blocks` DATA/ACK pairs of 512 bytes, the last one short (or an ERROR 1). */
static void fetch(struct t *t, const char *name, unsigned blocks, bool missing, uint16_t cport)
{
	uint8_t b[1024];
	uint8_t data[512];
	size_t n;

	memset(data, 'x', sizeof(data));
	n = tftp_encode_request(TFTP_RRQ, name, "octet", NULL, b, sizeof(b));
	frame(t, CMAC, CLI, SRV, cport, 69, b, n);
	if (missing) {
		n = tftp_encode_error(1, "File not found", b, sizeof(b));
		frame(t, SMAC, SRV, CLI, 40000, cport, b, n);
		return;
	}
	for (unsigned i = 1; i <= blocks; i++) {
		n = tftp_encode_data((uint16_t)i, data, i == blocks ? 100 : 512, b, sizeof(b));
		frame(t, SMAC, SRV, CLI, 40000, cport, b, n);
		n = tftp_encode_ack((uint16_t)i, b, sizeof(b));
		frame(t, CMAC, CLI, SRV, cport, 40000, b, n);
	}
}

static struct nbc_report *run(struct t *t)
{
	return engine_finish(t->e);
}

static bool has_rule(const struct nbc_report *r, const char *id)
{
	for (size_t i = 0; i < r->nfindings; i++)
		if (strcmp(r->findings[i].rule, id) == 0)
			return true;
	return false;
}

static void setup_t(struct t *t)
{
	struct eng_options o = { 30.0, NULL, NULL, false };

	t->e = engine_new(&o);
	t->ts = 1000.0;
	assert_non_null(t->e);
}

/*
 * RRQ of a one-block file of n bytes (n < 512, so the block is also the last), its
 * DATA and the ACK; tsize >= 0: the request asks for tsize and an OACK announces it.
 */
static void fetch_small(struct t *t, const char *name, const uint8_t *data, size_t n,
			long tsize, uint16_t cport)
{
	struct tftp_optset ask = { -1, 0, -1, -1 };
	struct tftp_optset oack = { -1, tsize, -1, -1 };
	uint8_t b[1024];
	size_t len;

	len = tftp_encode_request(TFTP_RRQ, name, "octet", tsize >= 0 ? &ask : NULL, b, sizeof(b));
	frame(t, CMAC, CLI, SRV, cport, 69, b, len);
	if (tsize >= 0) {
		len = tftp_encode_oack(&oack, b, sizeof(b));
		frame(t, SMAC, SRV, CLI, 40000, cport, b, len);
		len = tftp_encode_ack(0, b, sizeof(b));
		frame(t, CMAC, CLI, SRV, cport, 40000, b, len);
	}
	len = tftp_encode_data(1, data, n, b, sizeof(b));
	frame(t, SMAC, SRV, CLI, 40000, cport, b, len);
	len = tftp_encode_ack(1, b, sizeof(b));
	frame(t, CMAC, CLI, SRV, cport, 40000, b, len);
}

/*
 * TCP and HTTP frames come from tests/gen/tcpsim.h (mkscenarios' builder: handshake,
 * MSS-sized segments, ACKs, FIN), fed straight to the engine. It expects these names.
 */
struct sim {
	struct nbc_engine *e;
	enum net_link link;
	const uint16_t *vlans;
	unsigned nvlan;
	double t;
	uint16_t ip_id;
	uint16_t next_port;
};

struct client {
	uint8_t mac[6];
	uint32_t ip;
	uint8_t uuid[16];
};

#define SERVER_IP SRV
#define SRV_MAC SMAC

static void die(const char *what)
{
	fail_msg("tcpsim: %s", what);
}

static void emit(struct sim *s, const uint8_t *frame, size_t len)
{
	engine_frame(s->e, s->t, frame, len);
	s->t += 0.0001;
}

/* Its iSCSI half and a few HTTP helpers go unused here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-const-variable"
#include "tests/gen/tcpsim.h"
#pragma GCC diagnostic pop

/* A TCP connection from CL1 (its MAC and address) to the server's port 80. */
static void sim_open(struct sim *s, struct tcpconn *k, const struct t *t)
{
	struct client c;

	memset(&c, 0, sizeof(c));
	memcpy(c.mac, CMAC, sizeof(c.mac));
	c.ip = CLI;
	memset(s, 0, sizeof(*s));
	s->e = t->e;
	s->link = NET_LINK_ETHERNET;
	s->t = t->ts;
	s->ip_id = 100;
	s->next_port = 49152;
	tcp_open(s, k, &c, HTTP_PORT);
	k->cmac = CMAC;		/* tcp_open kept c's, which ends with this function */
}

static void test_engine_userclass_loop_is_looping(void **state)
{
	struct t t;
	struct nbc_report *r;

	(void)state;
	setup_t(&t);
	dora(&t, false, "undionly.kpxe");
	fetch(&t, "undionly.kpxe", 3, false, 2000);
	dora(&t, true, "undionly.kpxe");
	fetch(&t, "undionly.kpxe", 3, false, 2001);
	r = run(&t);
	assert_int_equal(r->nclients, 1);
	assert_true(has_rule(r, "NBC-LOOP-USERCLASS"));
	assert_int_equal(r->clients[0].verdict, NBC_VERDICT_LOOPING);
	engine_free(t.e);
}

static void test_engine_ipxe_handed_pxelinux_is_no_loop(void **state)
{
	struct t t;
	struct nbc_report *r;

	(void)state;
	setup_t(&t);
	/* QEMU's ROM is iPXE: iPXE handed pxelinux.0 is the normal first stage. */
	dora(&t, true, "pxelinux.0");
	fetch(&t, "pxelinux.0", 3, false, 2000);
	r = run(&t);
	assert_false(has_rule(r, "NBC-LOOP-USERCLASS"));
	assert_int_not_equal(r->clients[0].verdict, NBC_VERDICT_LOOPING);
	engine_free(t.e);
}

static void test_engine_nbp_not_found_fails_at_nbp(void **state)
{
	struct t t;
	struct nbc_report *r;

	(void)state;
	setup_t(&t);
	dora(&t, false, "pxelinux.0");
	fetch(&t, "pxelinux.0", 0, true, 2000);
	r = run(&t);
	assert_true(has_rule(r, "NBC-TFTP-NOT-FOUND"));
	assert_int_equal(r->clients[0].verdict, NBC_VERDICT_FAILED);
	assert_int_equal(r->clients[0].stages[r->clients[0].verdict_stage].kind, NBC_STAGE_NBP);
	engine_free(t.e);
}

static void test_engine_walk_misses_are_not_findings(void **state)
{
	struct t t;
	struct nbc_report *r;
	const struct nbc_client *c;

	(void)state;
	setup_t(&t);
	dora(&t, false, "pxelinux.0");
	fetch(&t, "pxelinux.0", 3, false, 2000);
	fetch(&t, "pxelinux.cfg/01-52-54-00-ab-cd-ef", 0, true, 2001);
	fetch(&t, "pxelinux.cfg/C0000264", 1, false, 2002);
	r = run(&t);
	c = &r->clients[0];
	assert_int_equal(r->nfindings, 0);
	assert_int_equal(c->stages[c->nstages - 1].kind, NBC_STAGE_PXELINUX_CONFIG);
	assert_int_equal(c->stages[c->nstages - 1].result, NBC_RESULT_OK);
	assert_true(c->personality & NBC_PERS_PXELINUX);
	engine_free(t.e);
}

static void test_engine_walk_out_of_order_is_flagged(void **state)
{
	struct t t;
	struct nbc_report *r;

	(void)state;
	setup_t(&t);
	dora(&t, false, "pxelinux.0");
	fetch(&t, "pxelinux.0", 3, false, 2000);
	fetch(&t, "pxelinux.cfg/default", 1, false, 2001);
	r = run(&t);
	assert_true(has_rule(r, "NBC-PXELINUX-LOOKUP-ORDER"));
	engine_free(t.e);
}

static void test_engine_non_boot_dhcp_client_is_counted_not_reported(void **state)
{
	struct t t;
	struct nbc_report *r;
	uint8_t b[600];
	struct dhcp_builder d;
	size_t n;

	(void)state;
	setup_t(&t);
	dhcp_build_begin(&d, b, sizeof(b), 1, 9, CMAC, DHCPDISCOVER);
	dhcp_build_opt_str(&d, DHCP_OPT_VENDOR_CLASS, "MSFT 5.0");
	n = dhcp_build_end(&d);
	frame(&t, CMAC, 0, 0xffffffffu, 68, 67, b, n);
	r = run(&t);
	assert_int_equal(r->nclients, 0);
	assert_int_equal(r->stats.other_dhcp_clients, 1);
	engine_free(t.e);
}

static void test_engine_garbage_udp_to_67_is_malformed(void **state)
{
	struct t t;
	struct nbc_report *r;
	uint8_t junk[40] = { 1, 2, 3 };

	(void)state;
	setup_t(&t);
	frame(&t, CMAC, 0, 0xffffffffu, 68, 67, junk, sizeof(junk));
	r = run(&t);
	assert_int_equal(r->stats.malformed, 1);
	assert_int_equal(r->stats.events[0].frame, 1);
	engine_free(t.e);
}

static void test_engine_same_bootfile_is_one_interned_string(void **state)
{
	struct t t;
	const struct eng_reply *a, *b;
	struct eng_client *c1, *c2;

	(void)state;
	/* Two clients handed one boot file hold one copy; absent options are "", never NULL. */
	setup_t(&t);
	dora_as(&t, &CL1, false, "undionly.kpxe");
	dora_as(&t, &CL2, false, "undionly.kpxe");
	(void)run(&t);
	assert_int_equal(engine_nclients(t.e), 2);
	c1 = engine_client(t.e, 0);
	c2 = engine_client(t.e, 1);
	assert_int_equal(c1->nrounds, 1);
	assert_int_equal(c2->nrounds, 1);
	a = eng_round_boot_reply(&c1->rounds[0]);
	b = eng_round_boot_reply(&c2->rounds[0]);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_string_equal(a->bootfile, "undionly.kpxe");
	assert_ptr_equal(a->bootfile, b->bootfile);
	/* The offer and the ACK of one round share it too. */
	assert_int_equal(c1->rounds[0].noffers, 1);
	assert_ptr_equal(c1->rounds[0].offers[0].bootfile, a->bootfile);
	assert_non_null(a->root_path);
	assert_string_equal(a->root_path, "");
	assert_non_null(a->tftp_server);
	assert_string_equal(a->tftp_server, "");
	assert_non_null(a->configfile);
	assert_string_equal(a->configfile, "");
	assert_non_null(a->pathprefix);
	assert_string_equal(a->pathprefix, "");
	/* A reply the round never got (no NAK, no proxy ACK) reads as "" as well. */
	assert_false(c1->rounds[0].has_nak);
	assert_non_null(c1->rounds[0].nak.bootfile);
	assert_string_equal(c1->rounds[0].nak.bootfile, "");
	assert_false(c1->rounds[0].has_proxy_ack);
	assert_non_null(c1->rounds[0].proxy_ack.root_path);
	assert_string_equal(c1->rounds[0].proxy_ack.root_path, "");
	engine_free(t.e);
}

static const char SCRIPT[] = "#!ipxe\ndhcp\nkernel http://192.0.2.1/vmlinuz\n"
			     "initrd http://192.0.2.1/initrd.img\nboot\n";

/* A GET on the open connection and its 200 response with n body bytes. */
static void get(struct sim *s, struct tcpconn *k, const char *path, const uint8_t *body,
		size_t n)
{
	http_get(s, k, path, true);
	http_reply(s, k, "200 OK", body, n);
}

static void test_engine_http_binary_body_dropped_text_kept(void **state)
{
	struct t t;
	struct sim s;
	struct tcpconn k;
	static uint8_t kernel[3000], initrd[3000], script_nul[64];
	const struct eng_http *h;
	struct eng_client *c;

	(void)state;
	/*
	 * Text bodies (a script) are kept whole; a body with a NUL byte (kernel: in its
	 * first bytes; initrd: past the first segment) is let go, its bytes still counted;
	 * a NUL in a body whose name says script (*.ipxe) keeps it for the parser.
	 */
	memset(kernel, 'k', sizeof(kernel));
	memcpy(kernel, "MZ\0\0", 4);
	memset(initrd, 'i', sizeof(initrd));
	initrd[2500] = '\0';
	memset(script_nul, 's', sizeof(script_nul));
	memcpy(script_nul, "#!ipxe\n", 7);
	script_nul[20] = '\0';
	setup_t(&t);
	dora(&t, true, "http://192.0.2.1/boot.ipxe");
	sim_open(&s, &k, &t);
	get(&s, &k, "/boot.ipxe", (const uint8_t *)SCRIPT, strlen(SCRIPT));
	get(&s, &k, "/vmlinuz", kernel, sizeof(kernel));
	get(&s, &k, "/initrd.img", initrd, sizeof(initrd));
	get(&s, &k, "/x.ipxe", script_nul, sizeof(script_nul));
	tcp_close(&s, &k, true);
	(void)run(&t);
	c = engine_client(t.e, 0);
	assert_int_equal(c->nhttps, 4);

	h = engine_http(t.e, c->https[0]);
	assert_string_equal(h->uri, "/boot.ipxe");
	assert_true(h->complete);
	assert_non_null(h->body);
	assert_int_equal(h->body_len, strlen(SCRIPT));
	assert_memory_equal(h->body, SCRIPT, strlen(SCRIPT));
	assert_non_null(h->location);
	assert_string_equal(h->location, "");

	h = engine_http(t.e, c->https[1]);
	assert_string_equal(h->uri, "/vmlinuz");
	assert_true(h->complete);
	assert_null(h->body);
	assert_int_equal(h->body_len, 0);
	assert_int_equal(h->body_bytes, 3000);
	/* One Host value, one string for all requests. */
	assert_string_equal(h->host, "192.0.2.1");
	assert_ptr_equal(h->host, engine_http(t.e, c->https[0])->host);

	h = engine_http(t.e, c->https[2]);
	assert_string_equal(h->uri, "/initrd.img");
	assert_true(h->complete);
	assert_null(h->body);
	assert_int_equal(h->body_len, 0);
	assert_int_equal(h->body_bytes, 3000);

	h = engine_http(t.e, c->https[3]);
	assert_string_equal(h->uri, "/x.ipxe");
	assert_non_null(h->body);
	assert_int_equal(h->body_len, sizeof(script_nul));
	assert_memory_equal(h->body, script_nul, sizeof(script_nul));
	assert_int_equal(h->body_bytes, sizeof(script_nul));
	engine_free(t.e);
}

static size_t count_kind(const struct nbc_client *c, enum nbc_stage_kind k)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nstages; i++)
		n += c->stages[i].kind == k;
	return n;
}

static void test_engine_config_after_walk_is_no_new_walk(void **state)
{
	static const char text[] = "DEFAULT x\nLABEL x\n  KERNEL vmlinuz\n";
	struct tftp_optset ask = { -1, 0, -1, -1 };
	struct tftp_optset oack = { -1, 40, -1, -1 };
	struct t t;
	struct nbc_report *r;
	const struct nbc_client *c;
	uint8_t b[1024];
	size_t n;

	(void)state;
	/*
	 * The walk finds C0000264 but the capture lost its one DATA block (the OACK and the
	 * client's ACK 1 are there): the INCLUDE pxelinux then reads cannot be known as one.
	 * It is a config read after the walk, not a new walk asking for the wrong name first.
	 */
	setup_t(&t);
	dora(&t, false, "pxelinux.0");
	fetch(&t, "pxelinux.0", 3, false, 2000);
	fetch(&t, "pxelinux.cfg/01-52-54-00-ab-cd-ef", 0, true, 2001);
	n = tftp_encode_request(TFTP_RRQ, "pxelinux.cfg/C0000264", "octet", &ask, b, sizeof(b));
	frame(&t, CMAC, CLI, SRV, 2002, 69, b, n);
	n = tftp_encode_oack(&oack, b, sizeof(b));
	frame(&t, SMAC, SRV, CLI, 40000, 2002, b, n);
	n = tftp_encode_ack(0, b, sizeof(b));
	frame(&t, CMAC, CLI, SRV, 2002, 40000, b, n);
	n = tftp_encode_ack(1, b, sizeof(b));
	frame(&t, CMAC, CLI, SRV, 2002, 40000, b, n);
	fetch_small(&t, "pxelinux.cfg/san.cfg", (const uint8_t *)text, sizeof(text) - 1, -1, 2003);
	r = run(&t);
	c = &r->clients[0];
	assert_false(has_rule(r, "NBC-PXELINUX-LOOKUP-ORDER"));
	assert_int_equal(count_kind(c, NBC_STAGE_PXELINUX_CONFIG), 1);
	assert_int_equal(c->stages[c->nstages - 1].kind, NBC_STAGE_TFTP_FETCH);
	assert_non_null(strstr(c->stages[c->nstages - 1].detail, "not captured"));
	engine_free(t.e);

	/* Text known, the file not named in it: still no walk. A new NBP walks again. */
	setup_t(&t);
	dora(&t, false, "pxelinux.0");
	fetch(&t, "pxelinux.0", 3, false, 2000);
	fetch(&t, "pxelinux.cfg/01-52-54-00-ab-cd-ef", 0, true, 2001);
	fetch_small(&t, "pxelinux.cfg/C0000264", (const uint8_t *)text, sizeof(text) - 1, -1, 2002);
	fetch_small(&t, "pxelinux.cfg/menu.cfg", (const uint8_t *)text, sizeof(text) - 1, -1, 2003);
	r = run(&t);
	c = &r->clients[0];
	assert_false(has_rule(r, "NBC-PXELINUX-LOOKUP-ORDER"));
	assert_int_equal(count_kind(c, NBC_STAGE_PXELINUX_CONFIG), 1);
	assert_non_null(strstr(c->stages[c->nstages - 1].detail, "after the lookup walk"));
	engine_free(t.e);

	setup_t(&t);
	dora(&t, false, "pxelinux.0");
	fetch(&t, "pxelinux.0", 3, false, 2000);
	fetch(&t, "pxelinux.cfg/01-52-54-00-ab-cd-ef", 1, false, 2001);
	fetch(&t, "pxelinux.0", 3, false, 2002);
	fetch(&t, "pxelinux.cfg/default", 1, false, 2003);
	r = run(&t);
	c = &r->clients[0];
	assert_int_equal(count_kind(c, NBC_STAGE_PXELINUX_CONFIG), 2);
	assert_true(has_rule(r, "NBC-PXELINUX-LOOKUP-ORDER"));
	engine_free(t.e);
}

static void test_engine_lost_packets_are_not_config_faults(void **state)
{
	struct tftp_optset ask = { -1, 0, -1, -1 };
	struct tftp_optset oack = { -1, 1000, -1, -1 };
	uint8_t b[1024];
	uint8_t data[512];
	struct t t;
	struct nbc_report *r;
	const struct nbc_client *c;
	const struct eng_xfer *x;
	size_t n;

	(void)state;
	memset(data, 'd', sizeof(data));
	/*
	 * The MAC step's request is not in the capture, the server's ERROR for it (sent from
	 * port 69, as some servers do) is: a lost packet, not a walk out of order.
	 */
	setup_t(&t);
	dora(&t, false, "pxelinux.0");
	fetch(&t, "pxelinux.0", 3, false, 2000);
	n = tftp_encode_error(1, "File not found", b, sizeof(b));
	frame(&t, SMAC, SRV, CLI, 69, 2001, b, n);
	fetch(&t, "pxelinux.cfg/C0000264", 1, false, 2002);
	r = run(&t);
	c = &r->clients[0];
	assert_false(has_rule(r, "NBC-PXELINUX-LOOKUP-ORDER"));
	assert_non_null(strstr(c->stages[c->nstages - 1].detail, "1 request not in the capture"));
	engine_free(t.e);

	/*
	 * Without the server's answer the skip is the client's: still flagged. A DNS answer
	 * from the same host whose first bytes read as a TFTP ERROR is no TFTP answer.
	 */
	setup_t(&t);
	dora(&t, false, "pxelinux.0");
	fetch(&t, "pxelinux.0", 3, false, 2000);
	n = tftp_encode_error(1, "File not found", b, sizeof(b));
	frame(&t, SMAC, SRV, CLI, 53, 2001, b, n);
	fetch(&t, "pxelinux.cfg/C0000264", 1, false, 2002);
	r = run(&t);
	assert_true(has_rule(r, "NBC-PXELINUX-LOOKUP-ORDER"));
	engine_free(t.e);

	/*
	 * DATA 1 of a 1000-byte file lost, the client's ACK 1 captured: the block arrived.
	 * The transfer completes at the OACK's tsize with DATA 2; the kept body stops at the
	 * hole (a config is not parsed from half its text).
	 */
	setup_t(&t);
	dora(&t, false, "pxelinux.0");
	n = tftp_encode_request(TFTP_RRQ, "pxelinux.0", "octet", &ask, b, sizeof(b));
	frame(&t, CMAC, CLI, SRV, 2000, 69, b, n);
	n = tftp_encode_oack(&oack, b, sizeof(b));
	frame(&t, SMAC, SRV, CLI, 40000, 2000, b, n);
	n = tftp_encode_ack(0, b, sizeof(b));
	frame(&t, CMAC, CLI, SRV, 2000, 40000, b, n);
	n = tftp_encode_ack(1, b, sizeof(b));
	frame(&t, CMAC, CLI, SRV, 2000, 40000, b, n);
	n = tftp_encode_data(2, data, 1000 - 512, b, sizeof(b));
	frame(&t, SMAC, SRV, CLI, 40000, 2000, b, n);
	n = tftp_encode_ack(2, b, sizeof(b));
	frame(&t, CMAC, CLI, SRV, 2000, 40000, b, n);
	r = run(&t);
	x = engine_xfer(t.e, engine_client(t.e, 0)->xfers[0]);
	assert_int_equal(x->status, ENG_XFER_COMPLETE);
	assert_int_equal(x->blocks, 2);
	assert_int_equal(x->blocks_unseen, 1);
	assert_int_equal(x->bytes, 1000);
	assert_false(has_rule(r, "NBC-TFTP-INCOMPLETE"));
	engine_free(t.e);
}

/* iPXE on CL1: PXE DHCP, then an iPXE round; then a sanboot of a bootable disk. */
static void sanboot_session(struct t *t, bool logout, bool client_fin_first)
{
	struct sim s;
	struct client c;
	struct iscsess x;

	dora(t, false, "undionly.kpxe");
	dora(t, true, "http://192.0.2.1/boot.ipxe");
	memset(&c, 0, sizeof(c));
	memcpy(c.mac, CMAC, sizeof(c.mac));
	c.ip = CLI;
	memset(&s, 0, sizeof(s));
	s.e = t->e;
	s.link = NET_LINK_ETHERNET;
	s.t = t->ts;
	s.ip_id = 100;
	s.next_port = 49152;
	iscsi_open(&s, &x, &c);
	assert_true(iscsi_login(&s, &x, LOGIN_NONE));
	iscsi_sanboot(&s, &x, true);
	if (logout) {
		logout_req(&s, &x);
		logout_rsp(&s, &x);
	}
	tcp_close(&s, &x.k, client_fin_first);
	t->ts = s.t;
}

static void test_engine_sanboot_logout_then_fin_is_booted(void **state)
{
	struct t t;
	struct nbc_report *r;

	(void)state;
	/*
	 * netboot-firmware logs out after its sanboot; then either side may send the first
	 * FIN (a race). Both are a boot, in the rule and in the timeline alike.
	 */
	for (int first = 0; first < 2; first++) {
		setup_t(&t);
		sanboot_session(&t, true, first == 0);
		r = run(&t);
		assert_int_equal(r->clients[0].verdict, NBC_VERDICT_BOOTED);
		assert_int_equal(r->clients[0].stages[r->clients[0].nstages - 1].kind,
				 NBC_STAGE_SANBOOT);
		assert_false(has_rule(r, "NBC-ISCSI-NOT-BOOTABLE"));
		engine_free(t.e);
	}
	/* No Logout and the initiator closes: the boot from the disk returned. */
	setup_t(&t);
	sanboot_session(&t, false, true);
	r = run(&t);
	assert_int_equal(r->clients[0].verdict, NBC_VERDICT_FAILED);
	assert_true(has_rule(r, "NBC-ISCSI-NOT-BOOTABLE"));
	engine_free(t.e);
}

static void test_engine_http_hole_across_two_responses(void **state)
{
	static const char head_a[] = "HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n";
	static const char resp_b[] = "HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\n#!ipxe\nshell\n";
	static uint8_t wire[4000];
	struct tcpvar lost = { -1, -1, -1, 1, false };
	struct t t;
	struct sim s;
	struct tcpconn k;
	const struct eng_http *h;
	struct eng_client *c;
	size_t n = 0;

	(void)state;
	/*
	 * Two pipelined requests; the server's answers go out as one stream whose second
	 * segment (the end of A's body and all of B) the capture lost. A is framed to its end
	 * (complete, the hole noted); B's response is missing; C's response goes to C, not B.
	 */
	memcpy(wire, head_a, sizeof(head_a) - 1);
	n = sizeof(head_a) - 1;
	memset(wire + n, 'a', 2000);
	n += 2000;
	memcpy(wire + n, resp_b, sizeof(resp_b) - 1);
	n += sizeof(resp_b) - 1;
	assert_true(n > TCP_MSS && n <= 2 * TCP_MSS);
	setup_t(&t);
	dora(&t, true, "http://192.0.2.1/a");
	sim_open(&s, &k, &t);
	http_get(&s, &k, "/a", true);
	http_get(&s, &k, "/b.ipxe", true);
	tcp_send_v(&s, &k, false, wire, n, &lost);
	get(&s, &k, "/c", (const uint8_t *)"ccc", 3);
	tcp_close(&s, &k, true);
	(void)run(&t);
	c = engine_client(t.e, 0);
	assert_int_equal(c->nhttps, 3);
	h = engine_http(t.e, c->https[0]);
	assert_int_equal(h->status, 200);
	assert_true(h->complete);
	assert_true(h->gap);
	assert_int_equal(h->body_bytes, 2000);
	h = engine_http(t.e, c->https[1]);
	assert_string_equal(h->uri, "/b.ipxe");
	assert_int_equal(h->status, -1);
	assert_true(h->gap);
	h = engine_http(t.e, c->https[2]);
	assert_string_equal(h->uri, "/c");
	assert_int_equal(h->status, 200);
	assert_int_equal(h->body_bytes, 3);
	engine_free(t.e);
}

static void test_engine_http_lost_head_then_next_request(void **state)
{
	static const char head_a[] = "HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\n";
	struct tcpvar lost = { -1, -1, -1, 0, false };
	struct t t;
	struct sim s;
	struct tcpconn k;
	const struct eng_http *h;
	struct eng_client *c;

	(void)state;
	static const char head_z[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
	static char chunked[2100];
	int n;

	/*
	 * Z's chunked body loses a segment: framing is lost until a message starts again.
	 * Meanwhile A's response head is lost too (its body is seen: not a message start,
	 * skipped); the client, which does not pipeline, then asks for B. The next head is
	 * B's, not A's.
	 */
	memset(chunked, 'z', sizeof(chunked));
	n = snprintf(chunked, sizeof(chunked), "7d0\r\n");
	chunked[n] = 'z';
	memcpy(chunked + n + 2000, "\r\n0\r\n\r\n", 7);
	setup_t(&t);
	dora(&t, true, "http://192.0.2.1/a.ipxe");
	sim_open(&s, &k, &t);
	http_get(&s, &k, "/z", true);
	tcp_send(&s, &k, false, (const uint8_t *)head_z, sizeof(head_z) - 1);
	tcp_send_v(&s, &k, false, (const uint8_t *)chunked, (size_t)n + 2007, &lost);
	http_get(&s, &k, "/a.ipxe", true);
	tcp_send_v(&s, &k, false, (const uint8_t *)head_a, sizeof(head_a) - 1, &lost);
	tcp_send(&s, &k, false, (const uint8_t *)"#!ipxe\nshell\n", 14);
	get(&s, &k, "/b", (const uint8_t *)"bbbb", 4);
	tcp_close(&s, &k, true);
	(void)run(&t);
	c = engine_client(t.e, 0);
	assert_int_equal(c->nhttps, 3);
	h = engine_http(t.e, c->https[0]);
	assert_string_equal(h->uri, "/z");
	assert_true(h->gap);
	h = engine_http(t.e, c->https[1]);
	assert_string_equal(h->uri, "/a.ipxe");
	assert_int_equal(h->status, -1);
	assert_true(h->gap);
	h = engine_http(t.e, c->https[2]);
	assert_string_equal(h->uri, "/b");
	assert_int_equal(h->status, 200);
	assert_int_equal(h->body_bytes, 4);
	engine_free(t.e);
}

static void test_engine_tftp_config_body_sized_to_file(void **state)
{
	struct t t;
	uint8_t cfg[100], none[1] = { 0 };
	const struct eng_xfer *x;
	struct eng_client *c;

	(void)state;
	/*
	 * A config's body grows with its data (4 KiB to start, or the OACK's tsize), not a
	 * 64 KiB buffer; an empty config is kept as an empty body; an NBP is not kept.
	 */
	memset(cfg, 'c', sizeof(cfg));
	setup_t(&t);
	dora(&t, false, "pxelinux.0");
	fetch(&t, "pxelinux.0", 3, false, 2000);
	fetch_small(&t, "pxelinux.cfg/default", cfg, sizeof(cfg), -1, 2001);
	fetch_small(&t, "pxelinux.cfg/empty.cfg", none, 0, -1, 2002);
	fetch_small(&t, "boot/menu.cfg", cfg, sizeof(cfg), (long)sizeof(cfg), 2003);
	(void)run(&t);
	c = engine_client(t.e, 0);
	assert_int_equal(c->nxfers, 4);

	x = engine_xfer(t.e, c->xfers[0]);
	assert_string_equal(x->name, "pxelinux.0");
	assert_null(x->body);
	assert_int_equal(x->body_len, 0);

	x = engine_xfer(t.e, c->xfers[1]);
	assert_string_equal(x->name, "pxelinux.cfg/default");
	assert_int_equal(x->status, ENG_XFER_COMPLETE);
	assert_non_null(x->body);
	assert_int_equal(x->body_len, 100);
	assert_memory_equal(x->body, cfg, sizeof(cfg));
	assert_true(x->body_cap >= 100);
	assert_true(x->body_cap < ENG_BODY_MAX);
	assert_false(x->body_cut);
	assert_non_null(x->errmsg);
	assert_string_equal(x->errmsg, "");

	x = engine_xfer(t.e, c->xfers[2]);
	assert_string_equal(x->name, "pxelinux.cfg/empty.cfg");
	assert_int_equal(x->status, ENG_XFER_COMPLETE);
	assert_non_null(x->body);
	assert_int_equal(x->body_len, 0);
	assert_true(x->body_cap < ENG_BODY_MAX);

	/* With an OACK tsize the buffer is exactly the announced size. */
	x = engine_xfer(t.e, c->xfers[3]);
	assert_string_equal(x->name, "boot/menu.cfg");
	assert_int_equal(x->tsize, 100);
	assert_non_null(x->body);
	assert_int_equal(x->body_len, 100);
	assert_int_equal(x->body_cap, 100);
	engine_free(t.e);
}

static void test_engine_stage_details_sized_and_bounded(void **state)
{
	struct t t;
	struct sim s;
	struct tcpconn k;
	struct nbc_report *r;
	char path[420];
	size_t longest = 0;

	(void)state;
	/*
	 * Every reported stage has a detail (heap, NUL-terminated within its allocation:
	 * valgrind and ASan read each with strlen), never NBC_DETAIL_MAX bytes or more,
	 * even when its text would be longer (a 420-byte URI), and across a snapshot.
	 */
	memset(path, 'p', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	setup_t(&t);
	dora_as(&t, &CL2, false, "undionly.kpxe");
	dora(&t, false, "undionly.kpxe");
	fetch(&t, "undionly.kpxe", 3, false, 2000);
	dora(&t, true, "http://192.0.2.1/boot.ipxe");
	sim_open(&s, &k, &t);
	get(&s, &k, "/boot.ipxe", (const uint8_t *)SCRIPT, strlen(SCRIPT));
	(void)engine_snapshot(t.e);
	get(&s, &k, path, (const uint8_t *)"x", 1);
	tcp_close(&s, &k, true);
	r = run(&t);
	assert_true(r->nclients >= 1);
	for (size_t i = 0; i < r->nclients; i++) {
		const struct nbc_client *c = &r->clients[i];

		assert_true(c->nstages > 0);
		for (size_t j = 0; j < c->nstages; j++) {
			size_t n;

			assert_non_null(c->stages[j].detail);
			n = strlen(c->stages[j].detail);
			assert_true(n < NBC_DETAIL_MAX);
			if (n > longest)
				longest = n;
		}
	}
	/* The long request's stage was cut at the limit, not past it. */
	assert_int_equal(longest, NBC_DETAIL_MAX - 1);
	engine_free(t.e);
}

static void test_defrag_reassembles_out_of_order(void **state)
{
	struct defrag *d = defrag_new();
	uint8_t a[16], b2[8];
	struct net_ipv4 f1, f2, whole;
	uint64_t dropped = 0;

	(void)state;
	memset(a, 'a', sizeof(a));
	memset(b2, 'b', sizeof(b2));
	memset(&f1, 0, sizeof(f1));
	f1.src = 1;
	f1.dst = 2;
	f1.id = 7;
	f1.proto = 17;
	f2 = f1;
	f1.more_frags = true;
	f1.payload = (struct view){ a, sizeof(a) };
	f2.frag_off = 16;
	f2.payload = (struct view){ b2, sizeof(b2) };
	assert_int_equal(defrag_add(d, &f2, 0.0, &whole, &dropped), DEFRAG_PENDING);
	assert_int_equal(defrag_add(d, &f1, 0.1, &whole, &dropped), DEFRAG_DONE);
	assert_int_equal(whole.payload.len, 24);
	assert_memory_equal(whole.payload.p + 16, b2, 8);
	assert_int_equal(defrag_free(d), 0);
}

static void test_defrag_rejects_past_64k_and_times_out(void **state)
{
	struct defrag *d = defrag_new();
	uint8_t x[8] = { 0 };
	struct net_ipv4 f, whole;
	uint64_t dropped = 0;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.payload = (struct view){ x, 8 };
	f.more_frags = true;
	f.frag_off = 65528;
	assert_int_equal(defrag_add(d, &f, 0.0, &whole, &dropped), DEFRAG_BAD);
	f.frag_off = 8;
	assert_int_equal(defrag_add(d, &f, 0.0, &whole, &dropped), DEFRAG_PENDING);
	f.id = 99;
	assert_int_equal(defrag_add(d, &f, DEFRAG_TIMEOUT + 1, &whole, &dropped), DEFRAG_PENDING);
	assert_int_equal(dropped, 1);
	assert_int_equal(defrag_free(d), 1);
}

static void test_hmap_put_get_del_grow(void **state)
{
	struct hmap m;
	size_t v = 0;

	(void)state;
	hmap_init(&m);
	for (size_t i = 0; i < 5000; i++)
		assert_true(hmap_put(&m, i, i * 3, i));
	for (size_t i = 0; i < 5000; i += 2)
		hmap_del(&m, i, i * 3);
	assert_false(hmap_get(&m, 10, 30, &v));
	assert_true(hmap_get(&m, 11, 33, &v));
	assert_int_equal(v, 11);
	assert_false(hmap_get(&m, 11, 34, &v));
	hmap_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_engine_userclass_loop_is_looping),
		cmocka_unit_test(test_engine_ipxe_handed_pxelinux_is_no_loop),
		cmocka_unit_test(test_engine_nbp_not_found_fails_at_nbp),
		cmocka_unit_test(test_engine_walk_misses_are_not_findings),
		cmocka_unit_test(test_engine_walk_out_of_order_is_flagged),
		cmocka_unit_test(test_engine_config_after_walk_is_no_new_walk),
		cmocka_unit_test(test_engine_lost_packets_are_not_config_faults),
		cmocka_unit_test(test_engine_sanboot_logout_then_fin_is_booted),
		cmocka_unit_test(test_engine_http_hole_across_two_responses),
		cmocka_unit_test(test_engine_http_lost_head_then_next_request),
		cmocka_unit_test(test_engine_non_boot_dhcp_client_is_counted_not_reported),
		cmocka_unit_test(test_engine_garbage_udp_to_67_is_malformed),
		cmocka_unit_test(test_engine_same_bootfile_is_one_interned_string),
		cmocka_unit_test(test_engine_http_binary_body_dropped_text_kept),
		cmocka_unit_test(test_engine_tftp_config_body_sized_to_file),
		cmocka_unit_test(test_engine_stage_details_sized_and_bounded),
		cmocka_unit_test(test_defrag_reassembles_out_of_order),
		cmocka_unit_test(test_defrag_rejects_past_64k_and_times_out),
		cmocka_unit_test(test_hmap_put_get_del_grow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
