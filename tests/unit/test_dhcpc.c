/* test_dhcpc.c: netboot-firmware's DHCP client: persona messages, offer choice, lease fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "firmware/dhcpc.h"

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
/* Option 97's 16 bytes as Debian 12's iPXE sent them (SMBIOS 1b2c3d4e-0102-0304-...). */
static const uint8_t uuid[16] = { 0x4e, 0x3d, 0x2c, 0x1b, 0x02, 0x01, 0x04, 0x03,
				  0x05, 0x06, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6 };

/* The options of Debian 12's iPXE DISCOVER, ../shared/pcaps/real/dhcpd-userclass-script #5. */
static const uint8_t real_ipxe_discover_opts[] = {
	0x35, 0x01, 0x01, 0x39, 0x02, 0x05, 0xc0, 0x5d, 0x02, 0x00, 0x00, 0x5e, 0x03, 0x01,
	0x02, 0x01, 0x3c, 0x20, 0x50, 0x58, 0x45, 0x43, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x3a,
	0x41, 0x72, 0x63, 0x68, 0x3a, 0x30, 0x30, 0x30, 0x30, 0x30, 0x3a, 0x55, 0x4e, 0x44,
	0x49, 0x3a, 0x30, 0x30, 0x32, 0x30, 0x30, 0x31, 0x4d, 0x04, 0x69, 0x50, 0x58, 0x45,
	0x37, 0x17, 0x01, 0x03, 0x06, 0x07, 0x0c, 0x0f, 0x11, 0x1a, 0x2b, 0x3c, 0x42, 0x43,
	0x77, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0xaf, 0xcb, 0xaf, 0x30, 0xb1,
	0x05, 0x01, 0x80, 0x86, 0x10, 0x0e, 0xeb, 0x03, 0x01, 0x00, 0x00, 0x17, 0x01, 0x01,
	0x22, 0x01, 0x01, 0x13, 0x01, 0x01, 0x11, 0x01, 0x01, 0x27, 0x01, 0x01, 0x19, 0x01,
	0x01, 0x29, 0x01, 0x01, 0x10, 0x01, 0x02, 0x21, 0x01, 0x01, 0x15, 0x01, 0x01, 0x18,
	0x01, 0x01, 0x12, 0x01, 0x01, 0x3d, 0x07, 0x01, 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef,
	0x61, 0x11, 0x00, 0x4e, 0x3d, 0x2c, 0x1b, 0x02, 0x01, 0x04, 0x03, 0x05, 0x06, 0xa1,
	0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0xff
};
static const uint8_t real_ipxe_header[] = {
	0x01, 0x01, 0x06, 0x00, 0xa4, 0xbb, 0x76, 0x26, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x52, 0x54, 0x00, 0xab, 0xcd, 0xef
};
/* Its REQUEST (#17) ends ... 97, then 54 192.0.2.1, 50 192.0.2.100, 255. */
static const uint8_t real_ipxe_request_tail[] = {
	0x36, 0x04, 0xc0, 0x00, 0x02, 0x01, 0x32, 0x04, 0xc0, 0x00, 0x02, 0x64, 0xff
};

static struct dhcpc_conf conf(enum dhcpc_persona p, uint16_t arch)
{
	struct dhcpc_conf c;

	memset(&c, 0, sizeof(c));
	c.iface = "eth0";
	c.persona = p;
	c.arch = arch;
	memcpy(c.uuid, uuid, 16);
	return c;
}

static void build(enum dhcpc_persona p, uint16_t arch, uint8_t type, uint32_t req,
		  uint32_t sid, uint8_t *buf, size_t cap, struct dhcp_msg *m)
{
	struct dhcpc_conf c = conf(p, arch);
	size_t n = dhcpc_build(&c, mac, type, 0xa4bb7626u, 4, req, sid, buf, cap);

	assert_true(n >= 300);
	assert_int_equal(dhcp_decode(buf, n, m), 0);
	assert_int_equal(m->problems, 0);
}

static void assert_opt(const struct dhcp_msg *m, uint8_t code, const void *val, size_t len)
{
	const struct dhcp_optval *o = dhcp_opt(m, code);

	assert_non_null(o);
	assert_int_equal(o->len, len);
	assert_memory_equal(o->val, val, len);
}

static void test_dhcpc_pxe_rom_discover(void **state)
{
	static const uint8_t prl[] = { 1, 2, 3, 5, 6, 11, 12, 13, 15, 16, 17, 18, 22, 23, 28,
				       40, 41, 42, 43, 50, 51, 54, 58, 59, 60, 66, 67, 128, 129,
				       130, 131, 132, 133, 134, 135 };
	static const uint8_t ndi[] = { 1, 2, 1 }, arch[] = { 0, 7 }, msz[] = { 0x05, 0xc0 };
	uint8_t buf[1024], u[17];
	struct dhcp_msg m;
	char vc[] = "PXEClient:Arch:00007:UNDI:002001";

	(void)state;
	build(DHCPC_PXE_ROM, 7, DHCPDISCOVER, 0, 0, buf, sizeof(buf), &m);
	assert_int_equal(m.op, 1);
	assert_int_equal(m.msgtype, DHCPDISCOVER);
	assert_int_equal(m.xid, 0xa4bb7626u);
	assert_int_equal(m.secs, 4);
	assert_int_equal(m.flags, 0x8000);
	assert_memory_equal(m.chaddr, mac, 6);
	assert_opt(&m, 60, vc, strlen(vc));
	assert_opt(&m, 93, arch, 2);
	assert_opt(&m, 94, ndi, 3);
	assert_opt(&m, 57, msz, 2);
	assert_opt(&m, 55, prl, sizeof(prl));
	u[0] = 0;
	memcpy(u + 1, uuid, 16);
	assert_opt(&m, 97, u, 17);
	assert_null(dhcp_opt(&m, 77));
	assert_null(dhcp_opt(&m, 175));
	assert_null(dhcp_opt(&m, 61));
	assert_null(dhcp_opt(&m, 50));
	assert_null(dhcp_opt(&m, 54));
	assert_int_equal(dhcp_client_arch(&m), 7);
	assert_int_equal(dhcp_vendor_class_arch(&m), 7);
	/* PXE ROM order: 53, 57, 93, 94, 97, 60, 55. */
	assert_int_equal(m.nopts, 7);
	assert_int_equal(m.order[0], 53);
	assert_int_equal(m.order[6], 55);
}

static void test_dhcpc_ipxe_discover_matches_real_ipxe(void **state)
{
	uint8_t buf[1024];
	struct dhcp_msg m;

	(void)state;
	build(DHCPC_IPXE, 0, DHCPDISCOVER, 0, 0, buf, sizeof(buf), &m);
	assert_int_equal(m.flags, 0);	/* the real captures: iPXE leaves broadcast off */
	assert_true(dhcp_user_class_has(&m, "iPXE"));
	assert_opt(&m, 77, "iPXE", 4);
	assert_true(dhcp_prl_has(&m, 175));
	assert_true(dhcp_prl_has(&m, 203));
	assert_false(dhcp_prl_has(&m, 209));
	/* Byte for byte what Debian 12's iPXE put on the wire, header and options. */
	assert_memory_equal(buf + 240, real_ipxe_discover_opts, sizeof(real_ipxe_discover_opts));
	/* Its fixed header up to chaddr: op, htype, hlen, hops, xid, secs 4, flags 0, 0.0.0.0 x4. */
	assert_memory_equal(buf, real_ipxe_header, sizeof(real_ipxe_header));
}

static void test_dhcpc_ipxe_175_features(void **state)
{
	static const uint8_t cid[] = { 1, 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
	uint8_t buf[1024];
	struct dhcp_msg m;
	const struct dhcp_optval *o;
	struct view v;

	(void)state;
	build(DHCPC_IPXE, 0, DHCPDISCOVER, 0, 0, buf, sizeof(buf), &m);
	o = dhcp_opt(&m, 175);
	assert_non_null(o);
	assert_int_equal(o->len, 48);
	assert_true(dhcp_encap_find((struct view){ o->val, o->len }, DHCP_IPXE_VERSION, &v));
	assert_int_equal(v.len, 3);
	assert_int_equal(v.p[0], 1);
	assert_true(dhcp_encap_find((struct view){ o->val, o->len }, 19, &v));	/* HTTP */
	assert_true(dhcp_encap_find((struct view){ o->val, o->len }, 17, &v));	/* iSCSI */
	assert_opt(&m, 61, cid, sizeof(cid));
}

static void test_dhcpc_request_appends_54_then_50(void **state)
{
	uint8_t buf[1024];
	struct dhcp_msg m;

	(void)state;
	build(DHCPC_IPXE, 0, DHCPREQUEST, 0xc0000264u, 0xc0000201u, buf, sizeof(buf), &m);
	assert_int_equal(m.msgtype, DHCPREQUEST);
	assert_int_equal(dhcp_server_id(&m), 0xc0000201u);
	assert_memory_equal(buf + 240 + sizeof(real_ipxe_discover_opts) - 1,
			    real_ipxe_request_tail, sizeof(real_ipxe_request_tail));
	build(DHCPC_PXE_ROM, 0, DHCPREQUEST, 0xc0000264u, 0xc0000201u, buf, sizeof(buf), &m);
	assert_int_equal(dhcp_server_id(&m), 0xc0000201u);
	assert_non_null(dhcp_opt(&m, 50));
	assert_int_equal(m.flags, 0x8000);
	assert_null(dhcp_opt(&m, 77));
}

static void test_dhcpc_build_too_small_is_zero(void **state)
{
	struct dhcpc_conf c = conf(DHCPC_IPXE, 0);
	uint8_t buf[320];

	(void)state;
	assert_int_equal(dhcpc_build(&c, mac, DHCPDISCOVER, 1, 0, 0, 0, buf, sizeof(buf)), 0);
	assert_int_equal(dhcpc_build(&c, mac, DHCPDISCOVER, 1, 0, 0, 0, buf, 10), 0);
}

/* A server's message for the offer/lease tests. */
struct srv_msg {
	uint8_t buf[1024];
	struct dhcp_msg m;
};

static void offer(struct srv_msg *s, uint8_t type, uint32_t yiaddr, uint32_t sid,
		  const char *file67, bool pxeclient)
{
	struct dhcp_builder b;
	size_t n;

	dhcp_build_begin(&b, s->buf, sizeof(s->buf), 2, 7, mac, type);
	dhcp_build_set_addrs(&b, 0, yiaddr, sid, 0);
	dhcp_build_opt_be32(&b, 54, sid);
	if (yiaddr)
		dhcp_build_opt_be32(&b, 1, 0xffffff00u);
	if (file67)
		dhcp_build_opt_str(&b, 67, file67);
	if (pxeclient)
		dhcp_build_opt_str(&b, 60, "PXEClient");
	n = dhcp_build_end(&b);
	assert_true(n > 0);
	assert_int_equal(dhcp_decode(s->buf, n, &s->m), 0);
}

static void test_dhcpc_pick_prefers_boot_file(void **state)
{
	struct srv_msg a, b;
	const struct dhcp_msg *o[2];

	(void)state;
	offer(&a, DHCPOFFER, 0xc0000264u, 0xc0000201u, NULL, false);
	offer(&b, DHCPOFFER, 0xc0000265u, 0xc0000202u, "undionly.kpxe", true);
	o[0] = &a.m;
	o[1] = &b.m;
	assert_int_equal(dhcpc_pick_offer(o, 2, true), 1);
	assert_int_equal(dhcpc_pick_offer(o, 2, false), 0);	/* not PXE: the first address */
	assert_int_equal(dhcpc_pick_proxy(o, 2), -1);
	assert_false(dhcpc_has_bootfile(&a.m));
	assert_true(dhcpc_has_bootfile(&b.m));
}

static void test_dhcpc_pick_address_plus_proxy(void **state)
{
	struct srv_msg proxy, plain;
	const struct dhcp_msg *o[2];

	(void)state;
	offer(&proxy, DHCPOFFER, 0, 0xc0000202u, "pxelinux.0", true);
	offer(&plain, DHCPOFFER, 0xc0000264u, 0xc0000201u, NULL, false);
	o[0] = &proxy.m;	/* the proxy answered first */
	o[1] = &plain.m;
	assert_int_equal(dhcpc_pick_offer(o, 2, true), 1);
	assert_int_equal(dhcpc_pick_proxy(o, 2), 0);
}

static void test_dhcpc_pick_none(void **state)
{
	struct srv_msg proxy, ack;
	const struct dhcp_msg *o[2];

	(void)state;
	assert_int_equal(dhcpc_pick_offer(o, 0, true), -1);
	offer(&proxy, DHCPOFFER, 0, 0xc0000202u, "pxelinux.0", true);
	offer(&ack, DHCPACK, 0xc0000264u, 0xc0000201u, "x", false);	/* not an OFFER */
	o[0] = &proxy.m;
	o[1] = &ack.m;
	assert_int_equal(dhcpc_pick_offer(o, 2, true), -1);
	assert_int_equal(dhcpc_pick_offer(o, 2, false), -1);
	assert_int_equal(dhcpc_pick_proxy(o, 2), 0);
	o[0] = &ack.m;
	assert_int_equal(dhcpc_pick_proxy(o, 1), -1);
}

static void test_dhcpc_lease_pxelinux_rootpath_ipxe(void **state)
{
	static const uint8_t enc[] = { 8, 1, 1, 9, 1, 0, 190, 4, 'u', 's', 'e', 'r',
				       191, 6, 's', 'e', 'c', 'r', 'e', 't' };
	uint8_t buf[1024], u[17];
	struct dhcp_builder b;
	struct dhcp_msg m;
	struct dhcpc_lease l;
	size_t n;

	(void)state;
	dhcp_build_begin(&b, buf, sizeof(buf), 2, 7, mac, DHCPACK);
	dhcp_build_set_addrs(&b, 0, 0xc0000264u, 0xc0000203u, 0);
	dhcp_build_set_file(&b, "from-file-field");
	dhcp_build_opt_be32(&b, 54, 0xc0000201u);
	dhcp_build_opt_be32(&b, 1, 0xffffff00u);
	dhcp_build_opt_be32(&b, 3, 0xc00002feu);
	dhcp_build_opt_str(&b, 66, "192.0.2.9");
	dhcp_build_opt(&b, 67, "pxelinux.0\0", 11);	/* a C string's NUL included */
	dhcp_build_opt_str(&b, 209, "pxelinux.cfg/boot");
	dhcp_build_opt_str(&b, 210, "http://192.0.2.1/");
	dhcp_build_opt_str(&b, 17, "iscsi:192.0.2.1::::iqn.2026-11.test:disk0");
	dhcp_build_opt(&b, 175, enc, sizeof(enc));
	u[0] = 0;
	memcpy(u + 1, uuid, 16);
	dhcp_build_opt(&b, 97, u, sizeof(u));
	n = dhcp_build_end(&b);
	assert_int_equal(dhcp_decode(buf, n, &m), 0);
	dhcpc_lease_from(&m, &l);
	assert_int_equal(l.ip, 0xc0000264u);
	assert_int_equal(l.netmask, 0xffffff00u);
	assert_int_equal(l.router, 0xc00002feu);
	assert_int_equal(l.server_id, 0xc0000201u);
	assert_int_equal(l.siaddr, 0xc0000203u);
	assert_int_equal(l.boot_server, 0xc0000201u);
	assert_string_equal(l.bootfile, "pxelinux.0");	/* 67 wins over the file field */
	assert_string_equal(l.tftp_server, "192.0.2.9");
	assert_true(l.has_209);
	assert_string_equal(l.configfile, "pxelinux.cfg/boot");
	assert_true(l.has_210);
	assert_string_equal(l.pathprefix, "http://192.0.2.1/");
	assert_string_equal(l.root_path, "iscsi:192.0.2.1::::iqn.2026-11.test:disk0");
	assert_int_equal(l.keep_san, 1);
	assert_int_equal(l.skip_san_boot, 0);
	assert_string_equal(l.ipxe_username, "user");
	assert_string_equal(l.ipxe_password, "secret");
	assert_true(l.has_uuid);
	assert_memory_equal(l.uuid, uuid, 16);
	assert_false(l.from_proxy);
}

static void test_dhcpc_lease_absent_fields(void **state)
{
	struct srv_msg s;
	struct dhcp_builder b;
	struct dhcpc_lease l;
	size_t n;

	(void)state;
	dhcp_build_begin(&b, s.buf, sizeof(s.buf), 2, 7, mac, DHCPACK);
	dhcp_build_set_addrs(&b, 0, 0xc0000264u, 0xc0000201u, 0);
	dhcp_build_set_file(&b, "undionly.kpxe");
	n = dhcp_build_end(&b);
	assert_int_equal(dhcp_decode(s.buf, n, &s.m), 0);
	memset(&l, 0x55, sizeof(l));
	dhcpc_lease_from(&s.m, &l);
	assert_string_equal(l.bootfile, "undionly.kpxe");	/* the file field */
	assert_false(l.has_209);
	assert_false(l.has_210);
	assert_string_equal(l.configfile, "");
	assert_string_equal(l.root_path, "");
	assert_string_equal(l.tftp_server, "");
	assert_int_equal(l.keep_san, -1);
	assert_int_equal(l.skip_san_boot, -1);
	assert_int_equal(l.server_id, 0);
	assert_int_equal(l.netmask, 0);
	assert_false(l.has_uuid);
}

static void test_dhcpc_lease_long_text_is_cut(void **state)
{
	char longname[300];
	uint8_t buf[1500];
	struct dhcp_builder b;
	struct dhcp_msg m;
	struct dhcpc_lease l;
	size_t n;

	(void)state;
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	dhcp_build_begin(&b, buf, sizeof(buf), 2, 7, mac, DHCPACK);
	dhcp_build_opt_str(&b, 209, longname);	/* 299 bytes: two instances (RFC 3396) */
	dhcp_build_opt_str(&b, 66, longname);
	n = dhcp_build_end(&b);
	assert_int_equal(dhcp_decode(buf, n, &m), 0);
	dhcpc_lease_from(&m, &l);
	assert_int_equal(strlen(l.configfile), sizeof(l.configfile) - 1);
	assert_int_equal(strlen(l.tftp_server), sizeof(l.tftp_server) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dhcpc_pxe_rom_discover),
		cmocka_unit_test(test_dhcpc_ipxe_discover_matches_real_ipxe),
		cmocka_unit_test(test_dhcpc_ipxe_175_features),
		cmocka_unit_test(test_dhcpc_request_appends_54_then_50),
		cmocka_unit_test(test_dhcpc_build_too_small_is_zero),
		cmocka_unit_test(test_dhcpc_pick_prefers_boot_file),
		cmocka_unit_test(test_dhcpc_pick_address_plus_proxy),
		cmocka_unit_test(test_dhcpc_pick_none),
		cmocka_unit_test(test_dhcpc_lease_pxelinux_rootpath_ipxe),
		cmocka_unit_test(test_dhcpc_lease_absent_fields),
		cmocka_unit_test(test_dhcpc_lease_long_text_is_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
