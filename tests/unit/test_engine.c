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

static const uint8_t CMAC[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
static const uint8_t SMAC[6] = { 0x02, 0, 0, 0, 0, 1 };

struct t {
	struct nbc_engine *e;
	double ts;
};

static void frame(struct t *t, const uint8_t *sm, uint32_t sip, uint32_t dip, uint16_t sp,
		  uint16_t dp, const uint8_t *pl, size_t n)
{
	static uint8_t buf[70000];
	struct net_frame_spec s = { NET_LINK_ETHERNET, sm, CMAC, NULL, 0, sip, dip, 1, 64, sp, dp };
	size_t len = net_encode_udp_frame(&s, pl, n, buf, sizeof(buf));

	assert_true(len > 0);
	engine_frame(t->e, t->ts, buf, len);
	t->ts += 0.01;
}

static void dhcp(struct t *t, uint8_t op, uint8_t type, bool ipxe, const char *file)
{
	uint8_t b[600];
	struct dhcp_builder d;
	size_t n;

	dhcp_build_begin(&d, b, sizeof(b), op, 0x1234, CMAC, type);
	dhcp_build_opt_be16(&d, DHCP_OPT_CLIENT_ARCH, 0);
	if (op == 1) {
		dhcp_build_opt_str(&d, DHCP_OPT_VENDOR_CLASS, "PXEClient:Arch:00000:UNDI:002001");
		if (ipxe)
			dhcp_build_opt_str(&d, DHCP_OPT_USER_CLASS, "iPXE");
		if (type == DHCPREQUEST)
			dhcp_build_opt_be32(&d, DHCP_OPT_SERVER_ID, SRV);
	} else {
		dhcp_build_set_addrs(&d, 0, CLI, SRV, 0);
		dhcp_build_opt_be32(&d, DHCP_OPT_SERVER_ID, SRV);
		if (file)
			dhcp_build_set_file(&d, file);
	}
	n = dhcp_build_end(&d);
	frame(t, op == 1 ? CMAC : SMAC, op == 1 ? 0 : SRV, 0xffffffffu, op == 1 ? 68 : 67,
	      op == 1 ? 67 : 68, b, n);
}

static void dora(struct t *t, bool ipxe, const char *file)
{
	dhcp(t, 1, DHCPDISCOVER, ipxe, NULL);
	dhcp(t, 2, DHCPOFFER, ipxe, file);
	dhcp(t, 1, DHCPREQUEST, ipxe, NULL);
	dhcp(t, 2, DHCPACK, ipxe, file);
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
		cmocka_unit_test(test_engine_non_boot_dhcp_client_is_counted_not_reported),
		cmocka_unit_test(test_engine_garbage_udp_to_67_is_malformed),
		cmocka_unit_test(test_defrag_reassembles_out_of_order),
		cmocka_unit_test(test_defrag_rejects_past_64k_and_times_out),
		cmocka_unit_test(test_hmap_put_get_del_grow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
