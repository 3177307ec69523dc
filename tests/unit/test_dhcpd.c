/* test_dhcpd.c: netboot-serve's DHCP decisions: policy per client class, leases, proxy mode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "proto/dhcp.h"
#include "proto/site.h"
#include "server/dhcpd.h"

static const uint8_t MAC[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
static const uint8_t MAC2[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0x01 };

enum kind { K_PXE, K_IPXE, K_PLAIN };

static struct dhcp_msg req_msg;
static struct dhcp_msg rep_msg;
static uint8_t req_buf[600];

static void site_text(struct site *s, const char *text)
{
	char err[256];

	site_init(s);
	if (site_parse((struct view){ (const uint8_t *)text, strlen(text) }, "t", s, err,
		       sizeof(err)) != 0)
		fail_msg("site: %s", err);
}

static const char SITE[] = "server.address = 192.0.2.1\n"
			   "dhcp.pool = 192.0.2.100 192.0.2.102\n"
			   "dhcp.router = 192.0.2.1\n"
			   "dhcp.host = 52:54:00:ab:cd:99 192.0.2.50\n"
			   "boot.bios = undionly.kpxe\n"
			   "boot.efi-x64 = snponly.efi\n"
			   "boot.ipxe-script = http://192.0.2.1/boot.ipxe\n"
			   "pxelinux.magic = yes\n"
			   "pxelinux.configfile = pxelinux.cfg/boot\n"
			   "san.keep-san = 1\n";

/* Builds and decodes a client request into req_msg. */
static const struct dhcp_msg *request(const uint8_t *mac, enum kind k, uint8_t type, int arch,
				      uint32_t requested, uint32_t server)
{
	struct dhcp_builder b;
	size_t n;

	dhcp_build_begin(&b, req_buf, sizeof(req_buf), 1, 0x11223344, mac, type);
	if (k == K_PXE)
		dhcp_build_opt_str(&b, 60, "PXEClient:Arch:00000:UNDI:002001");
	if (k == K_IPXE) {
		dhcp_build_opt_str(&b, 60, "PXEClient:Arch:00000:UNDI:002001");
		dhcp_build_opt_str(&b, 77, "iPXE");
	}
	if (arch >= 0)
		dhcp_build_opt_be16(&b, 93, (uint16_t)arch);
	if (requested)
		dhcp_build_opt_be32(&b, 50, requested);
	if (server)
		dhcp_build_opt_be32(&b, 54, server);
	n = dhcp_build_end(&b);
	assert_int_not_equal(n, 0);
	assert_int_equal(dhcp_decode(req_buf, n, &req_msg), 0);
	return &req_msg;
}

static const struct dhcp_msg *answer(struct dhcpd *d, const struct dhcp_msg *m, bool on4011,
				     struct dhcpd_reply *r)
{
	dhcpd_answer(d, m, on4011, r);
	if (!r->len)
		return NULL;
	assert_int_equal(dhcp_decode(r->buf, r->len, &rep_msg), 0);
	return &rep_msg;
}

static struct dhcpd *make(const char *text, const char *leases)
{
	static struct site s;
	struct dhcpd_conf c;
	char err[256];
	struct dhcpd *d;

	site_text(&s, text);
	memset(&c, 0, sizeof(c));
	c.site = &s;
	c.port = 67;
	c.leases_path = leases;
	d = dhcpd_new_detached(&c, err, sizeof(err));
	if (!d)
		fail_msg("dhcpd: %s", err);
	return d;
}

static bool file_is(const struct dhcp_msg *m, const char *want)
{
	struct view v = dhcp_bootfile(m);

	return v.len == strlen(want) && memcmp(v.p, want, v.len) == 0;
}

static void test_dhcpd_pxe_rom_gets_nbp_for_its_arch_and_forced_209(void **state)
{
	struct dhcpd *d = make(SITE, NULL);
	struct dhcpd_reply r;
	const struct dhcp_msg *o;

	(void)state;
	o = answer(d, request(MAC, K_PXE, DHCPDISCOVER, 0, 0, 0), false, &r);
	assert_non_null(o);
	assert_int_equal(o->msgtype, DHCPOFFER);
	assert_int_equal(o->yiaddr, 0xC0000264u);
	assert_int_equal(o->siaddr, 0xC0000201u);
	assert_true(file_is(o, "undionly.kpxe"));
	assert_true(dhcp_vendor_class_is(o, "PXEClient"));
	/* The PXE ROM did not ask for 209 (option 55 absent): sent anyway. */
	assert_non_null(dhcp_opt(o, 209));
	assert_non_null(dhcp_opt(o, 208));
	assert_int_equal(r.dst_ip, 0xffffffffu);
	assert_int_equal(r.dst_port, 68);
	/* EFI x64 firmware sends 7 or 9: both get the x64 NBP. */
	o = answer(d, request(MAC2, K_PXE, DHCPDISCOVER, 7, 0, 0), false, &r);
	assert_true(file_is(o, "snponly.efi"));
	o = answer(d, request(MAC2, K_PXE, DHCPDISCOVER, 9, 0, 0), false, &r);
	assert_true(file_is(o, "snponly.efi"));
	dhcpd_free(d);
}

static void test_dhcpd_ipxe_gets_script_never_a_binary(void **state)
{
	struct dhcpd *d = make(SITE, NULL);
	struct dhcpd_reply r;
	const struct dhcp_msg *o;
	const struct dhcp_optval *enc;
	struct view ks;

	(void)state;
	o = answer(d, request(MAC, K_IPXE, DHCPDISCOVER, 0, 0, 0), false, &r);
	assert_non_null(o);
	assert_true(file_is(o, "http://192.0.2.1/boot.ipxe"));
	enc = dhcp_opt(o, 175);
	assert_non_null(enc);
	assert_true(dhcp_encap_find((struct view){ enc->val, enc->len }, 8, &ks));
	assert_int_equal(ks.len, 1);
	assert_int_equal(ks.p[0], 1);
	dhcpd_free(d);
}

static void test_dhcpd_request_ack_nak_and_other_server(void **state)
{
	struct dhcpd *d = make(SITE, NULL);
	struct dhcpd_reply r;
	const struct dhcp_msg *o;

	(void)state;
	o = answer(d, request(MAC, K_PXE, DHCPDISCOVER, 0, 0, 0), false, &r);
	assert_int_equal(o->yiaddr, 0xC0000264u);
	o = answer(d, request(MAC, K_PXE, DHCPREQUEST, 0, 0xC0000264u, 0xC0000201u), false, &r);
	assert_non_null(o);
	assert_int_equal(o->msgtype, DHCPACK);
	assert_int_equal(dhcpd_lease_of(d, MAC), 0xC0000264u);
	/* Another address than its lease: NAK. */
	o = answer(d, request(MAC, K_PXE, DHCPREQUEST, 0, 0xC0000265u, 0), false, &r);
	assert_non_null(o);
	assert_int_equal(o->msgtype, DHCPNAK);
	/* The client chose another server: no answer. */
	o = answer(d, request(MAC2, K_PXE, DHCPREQUEST, 0, 0xC0000265u, 0xC0000202u), false, &r);
	assert_null(o);
	/* Out of the pool: NAK. */
	o = answer(d, request(MAC2, K_PLAIN, DHCPREQUEST, -1, 0xC6336401u, 0), false, &r);
	assert_int_equal(o->msgtype, DHCPNAK);
	dhcpd_free(d);
}

static void test_dhcpd_static_host_and_pool_exhaustion(void **state)
{
	struct dhcpd *d = make(SITE, NULL);
	struct dhcpd_reply r;
	const struct dhcp_msg *o;
	const uint8_t st[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0x99 };
	uint8_t m[6] = { 2, 0, 0, 0, 0, 0 };

	(void)state;
	o = answer(d, request(st, K_PXE, DHCPDISCOVER, 0, 0, 0), false, &r);
	assert_int_equal(o->yiaddr, 0xC0000232u);
	for (uint8_t i = 1; i <= 3; i++) {
		m[5] = i;
		o = answer(d, request(m, K_PLAIN, DHCPDISCOVER, -1, 0, 0), false, &r);
		assert_non_null(o);
		assert_int_equal(o->yiaddr, 0xC0000264u + (uint32_t)(i - 1));
		/* A plain DHCP client gets no boot file. */
		assert_int_equal(dhcp_bootfile(o).len, 0);
	}
	m[5] = 4;
	assert_null(answer(d, request(m, K_PLAIN, DHCPDISCOVER, -1, 0, 0), false, &r));
	assert_non_null(strstr(r.log, "no free address"));
	dhcpd_free(d);
}

static void test_dhcpd_leases_survive_a_restart(void **state)
{
	char dir[] = "/tmp/nbc-dhcpd-XXXXXX";
	char path[64];
	struct dhcpd *d;
	struct dhcpd_reply r;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/leases", dir);
	d = make(SITE, path);
	answer(d, request(MAC, K_PXE, DHCPDISCOVER, 0, 0xC0000266u, 0), false, &r);
	answer(d, request(MAC, K_PXE, DHCPREQUEST, 0, 0xC0000266u, 0xC0000201u), false, &r);
	assert_int_equal(dhcpd_flush(d), 0);
	/* As after kill -9: the file is all there is. */
	d = (dhcpd_free(d), make(SITE, path));
	assert_int_equal(dhcpd_lease_of(d, MAC), 0xC0000266u);
	/* The same client asking again gets the same address. */
	assert_int_equal(answer(d, request(MAC, K_PXE, DHCPDISCOVER, 0, 0, 0), false, &r)->yiaddr,
			 0xC0000266u);
	/* RELEASE frees it. */
	{
		const struct dhcp_msg *m = request(MAC, K_PXE, DHCPRELEASE, 0, 0, 0xC0000201u);

		req_msg.ciaddr = 0xC0000266u;
		answer(d, m, false, &r);
	}
	assert_int_equal(dhcpd_lease_of(d, MAC), 0);
	dhcpd_free(d);
	unlink(path);
	rmdir(dir);
}

/* RFC 2131 4.3.2: a REQUEST without a server identifier (INIT-REBOOT, RENEWING, REBINDING)
 * from a client the server has no record of gets no answer; one for a wrong address a NAK. */

#define IP100 0xC0000264u
#define IP101 0xC0000265u
#define IP102 0xC0000266u

/* An INIT-REBOOT REQUEST: option 50, no server identifier, ciaddr 0. */
static const struct dhcp_msg *reboot(const uint8_t *mac, uint32_t ip)
{
	return request(mac, K_PLAIN, DHCPREQUEST, -1, ip, 0);
}

/* A RENEWING (or REBINDING) REQUEST: ciaddr, no option 50, no server identifier. */
static const struct dhcp_msg *renew(const uint8_t *mac, uint32_t ciaddr)
{
	request(mac, K_PLAIN, DHCPREQUEST, -1, 0, 0);
	req_msg.ciaddr = ciaddr;
	return &req_msg;
}

/* DISCOVER, OFFER, REQUEST (with our server identifier), ACK: mac leases the OFFER's address. */
static uint32_t dora(struct dhcpd *d, const uint8_t *mac)
{
	struct dhcpd_reply r;
	const struct dhcp_msg *o = answer(d, request(mac, K_PLAIN, DHCPDISCOVER, -1, 0, 0), false,
					  &r);
	uint32_t ip;

	assert_non_null(o);
	assert_int_equal(o->msgtype, DHCPOFFER);
	ip = o->yiaddr;
	o = answer(d, request(mac, K_PLAIN, DHCPREQUEST, -1, ip, 0xC0000201u), false, &r);
	assert_non_null(o);
	assert_int_equal(o->msgtype, DHCPACK);
	return ip;
}

static void test_dhcpd_init_reboot_without_record_is_silent(void **state)
{
	struct dhcpd *d = make(SITE, NULL);
	struct dhcpd_reply r;

	(void)state;
	/* A free pool address the server never offered or leased to anyone. */
	assert_null(answer(d, reboot(MAC, IP101), false, &r));
	assert_non_null(strstr(r.log, "ignored: REQUEST for 192.0.2.101 from a client with no lease"));
	assert_non_null(strstr(r.log, "RFC 2131 4.3.2"));
	/* ... and nothing was leased by it. */
	assert_int_equal(dhcpd_lease_of(d, MAC), 0);
	assert_int_equal(dora(d, MAC2), IP100);
	assert_int_equal(dora(d, (const uint8_t[6]){ 2, 0, 0, 0, 0, 3 }), IP101);
	dhcpd_free(d);
}

static void test_dhcpd_init_reboot_after_a_lease_acks(void **state)
{
	struct dhcpd *d = make(SITE, NULL);
	struct dhcpd_reply r;
	const struct dhcp_msg *o;
	const uint8_t st[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0x99 };

	(void)state;
	assert_int_equal(dora(d, MAC), IP100);
	o = answer(d, reboot(MAC, IP100), false, &r);
	assert_non_null(o);
	assert_int_equal(o->msgtype, DHCPACK);
	assert_int_equal(o->yiaddr, IP100);
	assert_int_equal(dhcpd_lease_of(d, MAC), IP100);
	/* An address only offered (DISCOVER, then INIT-REBOOT for it) is held too. */
	o = answer(d, request(MAC2, K_PLAIN, DHCPDISCOVER, -1, 0, 0), false, &r);
	assert_int_equal(o->yiaddr, IP101);
	o = answer(d, reboot(MAC2, IP101), false, &r);
	assert_non_null(o);
	assert_int_equal(o->msgtype, DHCPACK);
	/* A dhcp.host's reservation is its record: ACK for it, NAK for anything else. */
	o = answer(d, reboot(st, 0xC0000232u), false, &r);
	assert_non_null(o);
	assert_int_equal(o->msgtype, DHCPACK);
	assert_int_equal(o->yiaddr, 0xC0000232u);
	o = answer(d, reboot(st, IP102), false, &r);
	assert_non_null(o);
	assert_int_equal(o->msgtype, DHCPNAK);
	dhcpd_free(d);
}

static void test_dhcpd_init_reboot_after_a_restart_acks(void **state)
{
	char dir[] = "/tmp/nbc-dhcpd-XXXXXX";
	char path[64];
	struct dhcpd *d;
	struct dhcpd_reply r;
	const struct dhcp_msg *o;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/leases", dir);
	d = make(SITE, path);
	assert_int_equal(dora(d, MAC), IP100);
	assert_int_equal(dhcpd_flush(d), 0);
	/* As after kill -9: the leases file is the only record, and it is one. */
	d = (dhcpd_free(d), make(SITE, path));
	o = answer(d, reboot(MAC, IP100), false, &r);
	assert_non_null(o);
	assert_int_equal(o->msgtype, DHCPACK);
	assert_int_equal(o->yiaddr, IP100);
	/* The lease's address from another client: NAK; a free one from a stranger: silence. */
	o = answer(d, reboot(MAC2, IP100), false, &r);
	assert_non_null(o);
	assert_int_equal(o->msgtype, DHCPNAK);
	assert_null(answer(d, reboot(MAC2, IP102), false, &r));
	dhcpd_free(d);
	unlink(path);
	rmdir(dir);
}

static void test_dhcpd_init_reboot_for_a_wrong_address_naks(void **state)
{
	struct dhcpd *d = make("server.address = 192.0.2.1\n"
			       "dhcp.pool = 192.0.2.100 192.0.2.103\n"
			       "dhcp.host = 52:54:00:ab:cd:99 192.0.2.103\n",
			       NULL);
	struct dhcpd_reply r;
	const struct dhcp_msg *o;
	const uint8_t st[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0x99 };
	const uint8_t m3[6] = { 2, 0, 0, 0, 0, 3 };
	uint32_t offered;
	uint32_t free_ip;

	(void)state;
	assert_int_equal(dora(d, MAC), IP100);
	/* Another client's lease, from a client with no record: NAK. */
	o = answer(d, reboot(MAC2, IP100), false, &r);
	assert_non_null(o);
	assert_int_equal(o->msgtype, DHCPNAK);
	assert_int_equal(r.dst_ip, 0xffffffffu);
	assert_int_equal(dhcpd_lease_of(d, MAC), IP100);
	/* Another client's offer: NAK. */
	o = answer(d, request(m3, K_PLAIN, DHCPDISCOVER, -1, 0, 0), false, &r);
	offered = o->yiaddr;
	assert_true(offered == IP101 || offered == IP102);
	free_ip = offered == IP101 ? IP102 : IP101;
	o = answer(d, reboot(MAC2, offered), false, &r);
	assert_int_equal(o->msgtype, DHCPNAK);
	/* A dhcp.host's address in the pool, from another MAC: NAK. */
	o = answer(d, reboot(MAC2, 0xC0000267u), false, &r);
	assert_int_equal(o->msgtype, DHCPNAK);
	o = answer(d, reboot(st, 0xC0000267u), false, &r);
	assert_int_equal(o->msgtype, DHCPACK);
	/* Off the pool (another network): NAK, known client or not. */
	o = answer(d, reboot(MAC2, 0xC6336401u), false, &r);
	assert_int_equal(o->msgtype, DHCPNAK);
	o = answer(d, reboot(MAC, 0xC6336401u), false, &r);
	assert_int_equal(o->msgtype, DHCPNAK);
	/* A free address from a client whose record is another address: NAK (its lease
	 * stays), and from a client whose record is an offer: NAK as well. */
	o = answer(d, reboot(MAC, free_ip), false, &r);
	assert_non_null(o);
	assert_int_equal(o->msgtype, DHCPNAK);
	assert_int_equal(dhcpd_lease_of(d, MAC), IP100);
	o = answer(d, reboot(m3, free_ip), false, &r);
	assert_non_null(o);
	assert_int_equal(o->msgtype, DHCPNAK);
	/* The one nobody holds, from the client with no record: silence. */
	assert_null(answer(d, reboot(MAC2, free_ip), false, &r));
	dhcpd_free(d);
}

static void test_dhcpd_renew_of_own_lease_acks(void **state)
{
	struct dhcpd *d = make(SITE, NULL);
	struct dhcpd_reply r;
	const struct dhcp_msg *o;

	(void)state;
	assert_int_equal(dora(d, MAC), IP100);
	o = answer(d, renew(MAC, IP100), false, &r);
	assert_non_null(o);
	assert_int_equal(o->msgtype, DHCPACK);
	assert_int_equal(o->yiaddr, IP100);
	assert_int_equal(o->ciaddr, IP100);
	/* Unicast to the client's address (RFC 2131 4.1). */
	assert_int_equal(r.dst_ip, IP100);
	assert_int_equal(r.dst_port, 68);
	/* Renewing another client's address: NAK. */
	o = answer(d, renew(MAC2, IP100), false, &r);
	assert_non_null(o);
	assert_int_equal(o->msgtype, DHCPNAK);
	dhcpd_free(d);
}

static void test_dhcpd_renew_from_unknown_client_is_silent(void **state)
{
	struct dhcpd *d = make(SITE, NULL);
	struct dhcpd_reply r;

	(void)state;
	assert_null(answer(d, renew(MAC, IP102), false, &r));
	assert_non_null(strstr(r.log, "ignored: REQUEST for 192.0.2.102 from a client with no lease"));
	assert_int_equal(dhcpd_lease_of(d, MAC), 0);
	dhcpd_free(d);
}

static void test_dhcpd_selecting_unchanged(void **state)
{
	struct dhcpd *d = make(SITE, NULL);
	struct dhcpd_reply r;
	const struct dhcp_msg *o;

	(void)state;
	assert_int_equal(dora(d, MAC), IP100);
	/* With our server identifier a free address the client was not offered is still
	 * ACKed (as before), another client's NAKed. */
	o = answer(d, request(MAC2, K_PLAIN, DHCPREQUEST, -1, IP102, 0xC0000201u), false, &r);
	assert_non_null(o);
	assert_int_equal(o->msgtype, DHCPACK);
	assert_int_equal(o->yiaddr, IP102);
	o = answer(d, request((const uint8_t[6]){ 2, 0, 0, 0, 0, 3 }, K_PLAIN, DHCPREQUEST, -1,
			      IP100, 0xC0000201u),
		   false, &r);
	assert_non_null(o);
	assert_int_equal(o->msgtype, DHCPNAK);
	dhcpd_free(d);
}

static void test_dhcpd_proxy_answers_pxe_clients_only(void **state)
{
	struct dhcpd *d = make("server.address = 192.0.2.1\ndhcp.proxy = yes\n"
			       "boot.bios = pxelinux.0\n",
			       NULL);
	struct dhcpd_reply r;
	const struct dhcp_msg *o;

	(void)state;
	assert_null(answer(d, request(MAC, K_PLAIN, DHCPDISCOVER, -1, 0, 0), false, &r));
	o = answer(d, request(MAC, K_PXE, DHCPDISCOVER, 0, 0, 0), false, &r);
	assert_non_null(o);
	assert_int_equal(o->yiaddr, 0);
	assert_non_null(dhcp_opt(o, 43));
	assert_true(file_is(o, "pxelinux.0"));
	/* The boot server request on 4011. */
	req_msg.ciaddr = 0xC0000264u;
	o = answer(d, request(MAC, K_PXE, DHCPREQUEST, 0, 0, 0), true, &r);
	assert_non_null(o);
	assert_int_equal(o->msgtype, DHCPACK);
	dhcpd_free(d);
}

static void test_site_errors_name_file_and_line(void **state)
{
	struct site s;
	char err[256];

	(void)state;
	site_init(&s);
	assert_int_equal(site_parse((struct view){ (const uint8_t *)"# c\n\nbogus.key = 1\n", 20 },
				    "x.conf", &s, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "x.conf:3: unknown key \"bogus.key\"");
	site_init(&s);
	assert_int_equal(site_parse((struct view){ (const uint8_t *)"iscsi.chap = iqn.a:b u short\n",
						   29 },
				    "x.conf", &s, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "x.conf:1: iscsi.chap: the secret must be 12"));
	site_init(&s);
	assert_int_equal(site_parse((struct view){ (const uint8_t *)"dhcp.pool = 1.2.3.9 1.2.3.1\n",
						   28 },
				    "x.conf", &s, err, sizeof(err)),
			 -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dhcpd_pxe_rom_gets_nbp_for_its_arch_and_forced_209),
		cmocka_unit_test(test_dhcpd_ipxe_gets_script_never_a_binary),
		cmocka_unit_test(test_dhcpd_request_ack_nak_and_other_server),
		cmocka_unit_test(test_dhcpd_static_host_and_pool_exhaustion),
		cmocka_unit_test(test_dhcpd_leases_survive_a_restart),
		cmocka_unit_test(test_dhcpd_init_reboot_without_record_is_silent),
		cmocka_unit_test(test_dhcpd_init_reboot_after_a_lease_acks),
		cmocka_unit_test(test_dhcpd_init_reboot_after_a_restart_acks),
		cmocka_unit_test(test_dhcpd_init_reboot_for_a_wrong_address_naks),
		cmocka_unit_test(test_dhcpd_renew_of_own_lease_acks),
		cmocka_unit_test(test_dhcpd_renew_from_unknown_client_is_silent),
		cmocka_unit_test(test_dhcpd_selecting_unchanged),
		cmocka_unit_test(test_dhcpd_proxy_answers_pxe_clients_only),
		cmocka_unit_test(test_site_errors_name_file_and_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
