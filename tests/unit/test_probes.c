/*
 * test_probes.c: netboot-check probe's network-free parts: each profile's DISCOVER,
 * REQUEST and RELEASE as built, server replies read into answers, the offer and boot
 * answer a client would take, the DHCP and TFTP rules (checks.c), the command line
 * (cmd.c) and the JSON report (output.c).
 *
 * Two link-time seams, both in this file only:
 *  - probes/dhcp.c is compiled in here (its builder and reply parsing are static) and
 *    its libnet calls are faked below: the unit tests are linked without -lnet, and
 *    libnbc.a's dhcp.o cannot be linked without it. The fakes are never reached: every
 *    test that gets near probe_net_open names an interface that does not exist.
 *  - probe_tftp_get/probe_tftp_free (tftp.c) are faked so that checks.c's TFTP stage
 *    reads canned first bytes (a PE header of a chosen machine type) instead of port 69.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probes/dhcp.c"
#include "probes/probe.h"

#include <cmocka.h>

/* ---------------------------------------------------------------------------------------- */
/* libnet, faked (see the top of this file). */

libnet_t *libnet_init(int injection_type, const char *device, char *err_buf)
{
	(void)injection_type;
	(void)device;
	if (err_buf)
		snprintf(err_buf, LIBNET_ERRBUF_SIZE, "libnet is faked in test_probes");
	return NULL;
}

void libnet_destroy(libnet_t *l)
{
	(void)l;
}

void libnet_clear_packet(libnet_t *l)
{
	(void)l;
}

libnet_ptag_t libnet_build_udp(uint16_t sp, uint16_t dp, uint16_t len, uint16_t sum,
			       const uint8_t *payload, uint32_t payload_s, libnet_t *l,
			       libnet_ptag_t ptag)
{
	(void)sp, (void)dp, (void)len, (void)sum, (void)payload, (void)payload_s, (void)l;
	(void)ptag;
	return -1;
}

libnet_ptag_t libnet_build_ipv4(uint16_t ip_len, uint8_t tos, uint16_t id, uint16_t frag,
				uint8_t ttl, uint8_t prot, uint16_t sum, uint32_t src, uint32_t dst,
				const uint8_t *payload, uint32_t payload_s, libnet_t *l,
				libnet_ptag_t ptag)
{
	(void)ip_len, (void)tos, (void)id, (void)frag, (void)ttl, (void)prot, (void)sum;
	(void)src, (void)dst, (void)payload, (void)payload_s, (void)l, (void)ptag;
	return -1;
}

libnet_ptag_t libnet_build_ethernet(const uint8_t *dst, const uint8_t *src, uint16_t type,
				    const uint8_t *payload, uint32_t payload_s, libnet_t *l,
				    libnet_ptag_t ptag)
{
	(void)dst, (void)src, (void)type, (void)payload, (void)payload_s, (void)l, (void)ptag;
	return -1;
}

int libnet_write(libnet_t *l)
{
	(void)l;
	return -1;
}

char *libnet_geterror(libnet_t *l)
{
	static char e[] = "libnet is faked in test_probes";

	(void)l;
	return e;
}

/* ---------------------------------------------------------------------------------------- */
/* TFTP, faked: every RRQ gets fake_head as the whole file, or ERROR fake_err. */

static uint8_t fake_head[512];
static size_t fake_head_len;
static int fake_err;			/* ERROR code to answer with, 0: the file arrives */
static unsigned fake_calls;
static char fake_last_name[PROBE_TEXT];
static uint32_t fake_last_server;

void probe_tftp_get(uint32_t server, const char *name, uint64_t max_bytes, size_t keep_cap,
		    double deadline, const char *bind_if, struct probe_tftp *t)
{
	(void)max_bytes, (void)keep_cap, (void)deadline, (void)bind_if;
	memset(t, 0, sizeof(*t));
	t->err_code = -1;
	t->oack_blksize = t->oack_tsize = -1;
	fake_calls++;
	fake_last_server = server;
	snprintf(fake_last_name, sizeof(fake_last_name), "%s", name);
	if (fake_err) {
		t->err_code = fake_err;
		snprintf(t->err_msg, sizeof(t->err_msg), "File not found");
		snprintf(t->error, sizeof(t->error), "ERROR %d File not found", t->err_code);
		return;
	}
	t->done = true;
	memcpy(t->head, fake_head, fake_head_len);
	t->head_len = fake_head_len;
	t->size = fake_head_len;
}

void probe_tftp_free(struct probe_tftp *t)
{
	free(t->body);
	t->body = NULL;
	t->body_len = 0;
}

static void fake_tftp_reset(void)
{
	memset(fake_head, 0, sizeof(fake_head));
	fake_head_len = 0;
	fake_err = 0;
	fake_calls = 0;
	fake_last_name[0] = '\0';
	fake_last_server = 0;
}

/* 512 first bytes of a PE/COFF image for machine (0: a real-mode image, no "MZ"). */
static void fake_pe(uint16_t machine)
{
	memset(fake_head, 0x90, sizeof(fake_head));
	fake_head_len = sizeof(fake_head);
	if (!machine)
		return;
	fake_head[0] = 'M';
	fake_head[1] = 'Z';
	fake_head[0x3c] = 0x80;
	fake_head[0x3d] = fake_head[0x3e] = fake_head[0x3f] = 0;
	memcpy(fake_head + 0x80, "PE\0\0", 4);
	fake_head[0x84] = (uint8_t)machine;
	fake_head[0x85] = (uint8_t)(machine >> 8);
}

/* ---------------------------------------------------------------------------------------- */
/* Helpers. */

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define SRV_A IP(192, 0, 2, 1)
#define SRV_B IP(192, 0, 2, 2)
#define SRV_PROXY IP(192, 0, 2, 9)

/* lint/core.c's UUID (option 97 of every profile unless --uuid). */
static const uint8_t lint_uuid[16] = { 0x3a, 0x8c, 0x3b, 0x8e, 0x1f, 0x5a, 0x2e, 0x4d,
				       0x9c, 0x41, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab };

static void default_opts(struct probe_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->iface = "nbcnone0";
	o->wait = 3;
	o->rate = 10;
	o->timeout = 60;
	o->max_bytes = 64ull << 20;
	o->format = "json";
	o->fail_on = NBC_SEV_ERROR;
	o->profiles = (1u << PROBE_PROFILES) - 1;
}

/* A run as cmd.c's run() sets it up, before any frame goes out; profiles in `enabled`. */
static struct probe_run *new_run(const struct probe_opts *o, unsigned enabled)
{
	struct probe_run *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	r->o = o;
	r->t0 = probe_now();
	r->deadline = r->t0 + 60;
	for (unsigned k = 0; k < PROBE_PROFILES; k++) {
		probe_profile_init(&r->prof[k], (enum probe_pid)k, o, 0x6e620000u + k);
		r->prof[k].enabled = (enabled & (1u << k)) != 0;
		r->prof[k].test = -1;
	}
	return r;
}

static void free_run(struct probe_run *r)
{
	for (size_t i = 0; i < r->nfetch; i++)
		probe_tftp_free(&r->fetch[i].t);
	probe_checks_free(r);
	free(r);
}

/* Builds p's DHCP message and decodes it (m points into the message until the next call). */
static void build_decode(const struct probe_profile *p, uint8_t type, uint32_t ciaddr,
			 uint32_t req_ip, uint32_t server_id, struct dhcp_msg *m)
{
	static uint8_t buf[1024];
	size_t n = build_msg(p, type, 0, ciaddr, req_ip, server_id, buf, sizeof(buf));

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

static bool prl_has(const struct dhcp_msg *m, uint8_t code)
{
	return dhcp_prl_has(m, code);
}

/* One server reply, as it comes off the wire. */
struct reply {
	uint8_t type;			/* DHCPOFFER when 0 */
	uint32_t src_ip;
	bool no_54;
	uint32_t yiaddr, siaddr;
	const char *file_field, *opt67, *opt66, *opt60, *opt209, *opt210, *opt17;
	bool opt43;
	int keep_san;			/* 175.8, 0: absent (the value sent is keep_san - 1) */
	const char *user, *pass;	/* 175.190, 175.191 */
	uint8_t op;			/* 2 when 0 */
	uint32_t xid;			/* the profile's when 0 */
	const uint8_t *chaddr;		/* the profile's when NULL */
	uint16_t sport, dport;		/* 67 / 68 when 0 */
};

static size_t make_frame(const struct probe_profile *p, const struct reply *rp, uint8_t *frame,
			 size_t cap)
{
	static const uint8_t srv_mac[6] = { 0x52, 0x54, 0x00, 0xaa, 0x00, 0x01 };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t msg[1200], enc[300];
	struct dhcp_builder b;
	struct net_frame_spec s;
	size_t n, e = 0;

	dhcp_build_begin(&b, msg, sizeof(msg), rp->op ? rp->op : 2, rp->xid ? rp->xid : p->xid,
			 rp->chaddr ? rp->chaddr : p->mac, rp->type ? rp->type : DHCPOFFER);
	dhcp_build_set_addrs(&b, 0, rp->yiaddr, rp->siaddr, 0);
	if (rp->file_field)
		dhcp_build_set_file(&b, rp->file_field);
	if (!rp->no_54)
		dhcp_build_opt_be32(&b, DHCP_OPT_SERVER_ID, rp->src_ip);
	if (rp->opt60)
		dhcp_build_opt_str(&b, DHCP_OPT_VENDOR_CLASS, rp->opt60);
	if (rp->opt43) {
		static const uint8_t pxe43[] = { 6, 1, 8, 255 };

		dhcp_build_opt(&b, DHCP_OPT_VENDOR, pxe43, sizeof(pxe43));
	}
	if (rp->opt66)
		dhcp_build_opt_str(&b, DHCP_OPT_TFTP_SERVER, rp->opt66);
	if (rp->opt67)
		dhcp_build_opt_str(&b, DHCP_OPT_BOOTFILE, rp->opt67);
	if (rp->opt17)
		dhcp_build_opt_str(&b, DHCP_OPT_ROOT_PATH, rp->opt17);
	if (rp->opt209)
		dhcp_build_opt_str(&b, DHCP_OPT_PXELINUX_CONFIGFILE, rp->opt209);
	if (rp->opt210)
		dhcp_build_opt_str(&b, DHCP_OPT_PXELINUX_PATHPREFIX, rp->opt210);
	if (rp->keep_san) {
		enc[e++] = DHCP_IPXE_KEEP_SAN;
		enc[e++] = 1;
		enc[e++] = (uint8_t)(rp->keep_san - 1);
	}
	if (rp->user) {
		enc[e++] = DHCP_IPXE_USERNAME;
		enc[e++] = (uint8_t)strlen(rp->user);
		memcpy(enc + e, rp->user, strlen(rp->user));
		e += strlen(rp->user);
	}
	if (rp->pass) {
		enc[e++] = DHCP_IPXE_PASSWORD;
		enc[e++] = (uint8_t)strlen(rp->pass);
		memcpy(enc + e, rp->pass, strlen(rp->pass));
		e += strlen(rp->pass);
	}
	if (e)
		dhcp_build_opt(&b, DHCP_OPT_IPXE, enc, e);
	n = dhcp_build_end(&b);
	assert_true(n > 0);
	memset(&s, 0, sizeof(s));
	s.link = NET_LINK_ETHERNET;
	s.src_mac = srv_mac;
	s.dst_mac = bcast;
	s.src_ip = rp->src_ip;
	s.dst_ip = 0xffffffffu;
	s.ttl = 64;
	s.sport = rp->sport ? rp->sport : 67;
	s.dport = rp->dport ? rp->dport : 68;
	n = net_encode_udp_frame(&s, msg, n, frame, cap);
	assert_true(n > 0);
	return n;
}

/* Reads one reply as probe_dhcp's collect() does; false when it is not an answer to p. */
static bool read_reply(const struct probe_profile *p, const struct reply *rp,
		       struct probe_answer *a)
{
	struct probe_net *n = calloc(1, sizeof(*n));
	uint8_t frame[1600];
	size_t len = make_frame(p, rp, frame, sizeof(frame));
	bool ok;

	assert_non_null(n);
	ok = parse_frame(n, p, frame, len, a);
	free(n);
	return ok;
}

/* A reply that must be an answer, kept as collect() keeps it. */
static void add_reply(struct probe_profile *p, const struct reply *rp)
{
	struct probe_answer a;

	assert_true(read_reply(p, rp, &a));
	keep_answer(p, &a);
}

/* What probe_dhcp does once the replies are in (one DISCOVER went out). */
static void settle(struct probe_run *r, struct probe_profile *p)
{
	p->discovers = 1;
	p->chosen = pick_offer(r, p);
	p->proxy = pick_proxy(p);
	settle_boot(p);
}

static size_t count_rule(const struct probe_run *r, const char *rule, const char *profile)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nfindings; i++)
		n += strcmp(r->findings[i].rule, rule) == 0 &&
		     (!profile || strcmp(r->findings[i].profile, profile) == 0);
	return n;
}

static const struct probe_finding *find_rule(const struct probe_run *r, const char *rule,
					     const char *profile)
{
	for (size_t i = 0; i < r->nfindings; i++)
		if (strcmp(r->findings[i].rule, rule) == 0 &&
		    (!profile || strcmp(r->findings[i].profile, profile) == 0))
			return &r->findings[i];
	return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* The DHCP messages each profile sends. */

static void test_probe_discover_bios_pxe(void **state)
{
	const struct lint_profile *lp = lint_profile_get(LP_BIOS_PXE);
	static const uint8_t mac[6] = { 0x02, 0x6e, 0x62, 0x63, 0x70, 0x01 };
	static const uint8_t o57[2] = { 0x05, 0xc0 }, o93[2] = { 0, 0 }, o94[3] = { 1, 2, 1 };
	static const uint8_t order[] = { 53, 57, 93, 94, 60, 55, 61, 97 };
	static struct probe_profile p;
	static struct dhcp_msg m;
	struct probe_opts o;
	uint8_t o61[7] = { 1 }, o97[17] = { 0 };

	(void)state;
	default_opts(&o);
	probe_profile_init(&p, PP_BIOS, &o, 0x12345678u);
	assert_string_equal(p.name, "bios-pxe");
	assert_false(p.ipxe);
	build_decode(&p, DHCPDISCOVER, 0, 0, 0, &m);
	assert_int_equal(m.op, 1);
	assert_int_equal(m.htype, 1);
	assert_int_equal(m.hlen, 6);
	assert_int_equal(m.xid, 0x12345678u);
	assert_memory_equal(m.chaddr, mac, 6);
	assert_int_equal(m.flags, 0x8000);	/* broadcast: the probe owns no address */
	assert_int_equal(m.ciaddr, 0);
	assert_int_equal(m.msgtype, DHCPDISCOVER);
	assert_opt(&m, DHCP_OPT_MAX_SIZE, o57, 2);	/* 1472 */
	assert_opt(&m, DHCP_OPT_PRL, lp->opt[55].data, lp->opt[55].len);
	for (unsigned c = 208; c <= 211; c++)
		assert_false(prl_has(&m, (uint8_t)c));
	assert_true(prl_has(&m, 66) && prl_has(&m, 67));
	assert_opt(&m, DHCP_OPT_VENDOR_CLASS, "PXEClient:Arch:00000:UNDI:002001", 32);
	assert_opt(&m, DHCP_OPT_CLIENT_ARCH, o93, 2);
	assert_opt(&m, DHCP_OPT_CLIENT_NDI, o94, 3);
	memcpy(o61 + 1, mac, 6);
	assert_opt(&m, DHCP_OPT_CLIENT_ID, o61, 7);	/* its own MAC, not lint's */
	memcpy(o97 + 1, lint_uuid, 16);
	assert_opt(&m, DHCP_OPT_CLIENT_UUID, o97, 17);
	assert_null(dhcp_opt(&m, DHCP_OPT_USER_CLASS));
	assert_null(dhcp_opt(&m, DHCP_OPT_IPXE));
	assert_null(dhcp_opt(&m, DHCP_OPT_REQ_IP));
	assert_null(dhcp_opt(&m, DHCP_OPT_SERVER_ID));
	/* The order Debian's ROMs use. */
	assert_int_equal(m.nopts, sizeof(order));
	assert_memory_equal(m.order, order, sizeof(order));
}

static void test_probe_discover_efi64_and_arm64(void **state)
{
	static struct probe_profile p;
	static struct dhcp_msg m;
	struct probe_opts o;
	static const uint8_t o94[3] = { 1, 3, 16 };

	(void)state;
	default_opts(&o);
	probe_profile_init(&p, PP_EFI64, &o, 7);
	assert_string_equal(p.name, "efi64-pxe");
	assert_int_equal(p.arch, 7);
	build_decode(&p, DHCPDISCOVER, 0, 0, 0, &m);
	assert_int_equal(dhcp_client_arch(&m), 7);
	assert_int_equal(dhcp_vendor_class_arch(&m), 7);
	assert_opt(&m, DHCP_OPT_VENDOR_CLASS, "PXEClient:Arch:00007:UNDI:003016", 32);
	assert_opt(&m, DHCP_OPT_CLIENT_NDI, o94, 3);
	assert_int_equal(m.chaddr[5], 0x02);

	probe_profile_init(&p, PP_ARM64, &o, 11);
	assert_string_equal(p.name, "arm64");
	assert_int_equal(p.arch, 11);
	assert_string_equal(p.desc, "UEFI ARM64 PXE ROM");
	build_decode(&p, DHCPDISCOVER, 0, 0, 0, &m);
	assert_int_equal(m.xid, 11);
	assert_int_equal(dhcp_client_arch(&m), 11);
	assert_int_equal(dhcp_vendor_class_arch(&m), 11);
	assert_opt(&m, DHCP_OPT_VENDOR_CLASS, "PXEClient:Arch:00011:UNDI:003016", 32);
	assert_int_equal(m.chaddr[5], 0x03);
	assert_int_equal(dhcp_opt(&m, DHCP_OPT_CLIENT_ID)->val[6], 0x03);
	/* lint's efi64-pxe table itself is left as it was. */
	assert_int_equal(lint_profile_get(LP_EFI64_PXE)->opt[93].data[1], 7);
}

static void test_probe_discover_ipxe_bios(void **state)
{
	const struct lint_profile *lp = lint_profile_get(LP_IPXE_BIOS);
	static struct probe_profile p;
	static struct dhcp_msg m;
	struct probe_opts o;
	char uc[64];

	(void)state;
	default_opts(&o);
	probe_profile_init(&p, PP_IPXE, &o, 0xabcdef01u);
	assert_string_equal(p.name, "ipxe-bios");
	assert_true(p.ipxe);
	build_decode(&p, DHCPDISCOVER, 0, 0, 0, &m);
	assert_int_equal(m.chaddr[5], 0x04);
	assert_true(dhcp_user_class_has(&m, "iPXE"));
	dhcp_user_class_str(&m, uc, sizeof(uc));
	assert_string_equal(uc, "iPXE");
	assert_opt(&m, DHCP_OPT_IPXE, lp->opt[175].data, lp->opt[175].len);
	assert_opt(&m, DHCP_OPT_PRL, lp->opt[55].data, lp->opt[55].len);
	assert_true(prl_has(&m, 175));
	assert_true(prl_has(&m, 203));
	assert_int_equal(dhcp_client_arch(&m), 0);
	assert_opt(&m, DHCP_OPT_VENDOR_CLASS, "PXEClient:Arch:00000:UNDI:002001", 32);
	/* 77 goes before 55 and 175 after it, as iPXE sends them. */
	assert_int_equal(m.order[5], DHCP_OPT_USER_CLASS);
	assert_int_equal(m.order[6], DHCP_OPT_PRL);
	assert_int_equal(m.order[7], DHCP_OPT_IPXE);
}

static void test_probe_discover_pxelinux_asks_208_211(void **state)
{
	static struct probe_profile bios, px;
	static struct dhcp_msg m;
	struct probe_opts o;
	const struct dhcp_optval *prl;
	static const uint8_t tail[4] = { 208, 209, 210, 211 };

	(void)state;
	default_opts(&o);
	probe_profile_init(&bios, PP_BIOS, &o, 1);
	probe_profile_init(&px, PP_PXELINUX, &o, 5);
	assert_string_equal(px.name, "pxelinux");
	assert_true(px.asks_pxelinux);
	assert_false(bios.asks_pxelinux);
	build_decode(&px, DHCPDISCOVER, 0, 0, 0, &m);
	prl = dhcp_opt(&m, DHCP_OPT_PRL);
	assert_non_null(prl);
	assert_int_equal(prl->len, bios.send.opt[55].len + 4);
	assert_memory_equal(prl->val, bios.send.opt[55].data, bios.send.opt[55].len);
	assert_memory_equal(prl->val + bios.send.opt[55].len, tail, 4);
	assert_int_equal(dhcp_client_arch(&m), 0);
	assert_int_equal(m.chaddr[5], 0x05);
}

static void test_probe_profile_mac_and_uuid_options(void **state)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x99 };
	static const uint8_t uuid[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	static struct probe_profile p;
	static struct dhcp_msg m;
	struct probe_opts o;
	uint8_t got[16];

	(void)state;
	default_opts(&o);
	o.has_mac = true;
	memcpy(o.mac, mac, 6);
	o.has_uuid = true;
	memcpy(o.uuid, uuid, 16);
	for (unsigned k = 0; k < PROBE_PROFILES; k++) {
		probe_profile_init(&p, (enum probe_pid)k, &o, 100 + k);
		build_decode(&p, DHCPDISCOVER, 0, 0, 0, &m);
		assert_memory_equal(m.chaddr, mac, 6);
		assert_int_equal(dhcp_opt(&m, DHCP_OPT_CLIENT_ID)->val[0], 1);
		assert_memory_equal(dhcp_opt(&m, DHCP_OPT_CLIENT_ID)->val + 1, mac, 6);
		assert_true(dhcp_client_uuid(&m, got));
		assert_memory_equal(got, uuid, 16);
		assert_int_equal(m.xid, 100 + k);
	}
}

static void test_probe_request_and_release_packets(void **state)
{
	static struct probe_profile p;
	static struct dhcp_msg m;
	struct probe_opts o;
	const uint32_t yi = IP(192, 0, 2, 100);

	(void)state;
	default_opts(&o);
	probe_profile_init(&p, PP_EFI64, &o, 0x01020304u);

	/* --request: broadcast, 50 and 54 after the client's options. */
	build_decode(&p, DHCPREQUEST, 0, yi, SRV_A, &m);
	assert_int_equal(m.msgtype, DHCPREQUEST);
	assert_int_equal(m.flags, 0x8000);
	assert_int_equal(m.ciaddr, 0);
	assert_int_equal(m.xid, 0x01020304u);
	assert_int_equal(dhcp_server_id(&m), SRV_A);
	assert_non_null(dhcp_opt(&m, DHCP_OPT_REQ_IP));
	assert_memory_equal(dhcp_opt(&m, DHCP_OPT_REQ_IP)->val, "\xc0\x00\x02\x64", 4);
	assert_non_null(dhcp_opt(&m, DHCP_OPT_PRL));
	assert_int_equal(dhcp_client_arch(&m), 7);
	assert_int_equal(m.order[m.nopts - 2], DHCP_OPT_REQ_IP);
	assert_int_equal(m.order[m.nopts - 1], DHCP_OPT_SERVER_ID);

	/* proxyDHCP REQUEST to port 4011 from the interface's address: no broadcast flag. */
	build_decode(&p, DHCPREQUEST, IP(192, 0, 2, 50), 0, SRV_PROXY, &m);
	assert_int_equal(m.ciaddr, IP(192, 0, 2, 50));
	assert_int_equal(m.flags, 0);
	assert_int_equal(dhcp_server_id(&m), SRV_PROXY);
	assert_null(dhcp_opt(&m, DHCP_OPT_REQ_IP));
	assert_true(dhcp_vendor_class_is(&m, "PXEClient"));
	/* ...and from 0.0.0.0 when it has none: broadcast again. */
	build_decode(&p, DHCPREQUEST, 0, 0, SRV_PROXY, &m);
	assert_int_equal(m.flags, 0x8000);

	/* RELEASE (RFC 2131 4.4.6): ciaddr, 54 and 61 only, no broadcast. */
	build_decode(&p, DHCPRELEASE, yi, 0, SRV_A, &m);
	assert_int_equal(m.msgtype, DHCPRELEASE);
	assert_int_equal(m.ciaddr, yi);
	assert_int_equal(m.flags, 0);
	assert_int_equal(dhcp_server_id(&m), SRV_A);
	assert_non_null(dhcp_opt(&m, DHCP_OPT_CLIENT_ID));
	assert_null(dhcp_opt(&m, DHCP_OPT_REQ_IP));
	assert_null(dhcp_opt(&m, DHCP_OPT_PRL));
	assert_null(dhcp_opt(&m, DHCP_OPT_MAX_SIZE));
	assert_null(dhcp_opt(&m, DHCP_OPT_VENDOR_CLASS));
	assert_int_equal(m.nopts, 3);	/* 53, 61, 54 */
}

/* ---------------------------------------------------------------------------------------- */
/* Replies read into answers. */

static void test_probe_reply_offer_fields(void **state)
{
	static struct probe_profile p;
	struct probe_opts o;
	struct probe_answer a;
	static const uint8_t srv_mac[6] = { 0x52, 0x54, 0x00, 0xaa, 0x00, 0x01 };
	const struct reply rp = { .src_ip = SRV_A, .yiaddr = IP(192, 0, 2, 100),
				  .siaddr = IP(192, 0, 2, 5), .file_field = "pxelinux.0",
				  .opt66 = "tftp.example", .opt60 = "PXEClient" };

	(void)state;
	default_opts(&o);
	probe_profile_init(&p, PP_BIOS, &o, 0x55aa55aau);
	assert_true(read_reply(&p, &rp, &a));
	assert_int_equal(a.msgtype, DHCPOFFER);
	assert_false(a.via_4011);
	assert_memory_equal(a.src_mac, srv_mac, 6);
	assert_int_equal(a.src_ip, SRV_A);
	assert_true(a.has_54);
	assert_int_equal(a.server_id, SRV_A);
	assert_int_equal(a.yiaddr, IP(192, 0, 2, 100));
	assert_int_equal(a.siaddr, IP(192, 0, 2, 5));
	assert_true(a.has_file);
	assert_string_equal(a.file, "pxelinux.0");
	assert_string_equal(a.file_real, "pxelinux.0");
	assert_true(a.has_66);
	assert_string_equal(a.tftp_server, "tftp.example");
	assert_true(a.has_60);
	assert_string_equal(a.vendor_class, "PXEClient");
	assert_false(a.has_43);
	assert_false(a.has_209);
	assert_false(a.has_210);
	assert_false(a.has_17);
	assert_int_equal(a.keep_san, -1);
	assert_int_equal(a.skip_san_boot, -1);
	assert_false(a.proxy);	/* it offers an address */
}

static void test_probe_reply_bootfile_67_over_file_field(void **state)
{
	static struct probe_profile p;
	struct probe_opts o;
	struct probe_answer a;
	struct reply rp = { .src_ip = SRV_B, .no_54 = true, .yiaddr = IP(192, 0, 2, 101),
			    .file_field = "from-file-field.0", .opt67 = "from-option-67.efi" };

	(void)state;
	default_opts(&o);
	probe_profile_init(&p, PP_EFI64, &o, 77);
	assert_true(read_reply(&p, &rp, &a));
	assert_string_equal(a.file, "from-option-67.efi");
	/* No option 54: the source address stands for the server. */
	assert_false(a.has_54);
	assert_int_equal(a.server_id, SRV_B);

	rp.opt67 = NULL;
	assert_true(read_reply(&p, &rp, &a));
	assert_true(a.has_file);
	assert_string_equal(a.file, "from-file-field.0");

	rp.file_field = NULL;
	assert_true(read_reply(&p, &rp, &a));
	assert_false(a.has_file);
	assert_string_equal(a.file, "");
}

static void test_probe_reply_proxydhcp_detected(void **state)
{
	static struct probe_profile p;
	struct probe_opts o;
	struct probe_answer a;
	struct reply rp = { .src_ip = SRV_PROXY, .siaddr = SRV_PROXY, .opt60 = "PXEClient",
			    .file_field = "pxelinux.0" };

	(void)state;
	default_opts(&o);
	probe_profile_init(&p, PP_BIOS, &o, 9);
	assert_true(read_reply(&p, &rp, &a));
	assert_true(a.proxy);
	assert_int_equal(a.yiaddr, 0);

	/* Option 43 (PXE discovery control) counts as boot information too. */
	rp.file_field = NULL;
	rp.opt43 = true;
	assert_true(read_reply(&p, &rp, &a));
	assert_true(a.has_43);
	assert_true(a.proxy);

	/* No 60 PXEClient, no boot information, an address, or an ACK: not a proxy offer. */
	rp.opt60 = NULL;
	assert_true(read_reply(&p, &rp, &a));
	assert_false(a.proxy);
	rp.opt60 = "PXEClient";
	rp.opt43 = false;
	assert_true(read_reply(&p, &rp, &a));
	assert_false(a.proxy);
	rp.file_field = "pxelinux.0";
	rp.yiaddr = IP(192, 0, 2, 100);
	assert_true(read_reply(&p, &rp, &a));
	assert_false(a.proxy);
	rp.yiaddr = 0;
	rp.type = DHCPACK;
	rp.sport = PROXY_PORT;	/* the proxy's ACK comes from port 4011 */
	assert_true(read_reply(&p, &rp, &a));
	assert_false(a.proxy);
	assert_true(a.via_4011);
	assert_int_equal(a.msgtype, DHCPACK);
}

static void test_probe_reply_pxelinux_ipxe_options_redacted(void **state)
{
	static struct probe_profile p;
	struct probe_opts o;
	struct probe_answer a;
	const struct reply rp = {
		.src_ip = SRV_A, .yiaddr = IP(192, 0, 2, 100),
		.opt67 = "http://alice:url-pw-67@192.0.2.1/boot.ipxe",
		.opt209 = "pxelinux.cfg/site", .opt210 = "http://bob:url-pw-210@192.0.2.1/tftp/",
		.opt17 = "iscsi:192.0.2.1::::iqn.2024-01.example:disk0", .keep_san = 2,
		.user = "chapuser", .pass = "dhcp-pw-191",
	};

	(void)state;
	default_opts(&o);
	probe_profile_init(&p, PP_IPXE, &o, 3);
	assert_true(read_reply(&p, &rp, &a));
	/* Shown without the passwords, kept as sent for fetching. */
	assert_string_equal(a.file, "http://alice:****@192.0.2.1/boot.ipxe");
	assert_string_equal(a.file_real, "http://alice:url-pw-67@192.0.2.1/boot.ipxe");
	assert_true(a.has_209);
	assert_string_equal(a.configfile, "pxelinux.cfg/site");
	assert_true(a.has_210);
	assert_string_equal(a.pathprefix, "http://bob:****@192.0.2.1/tftp/");
	assert_string_equal(a.pathprefix_real, "http://bob:url-pw-210@192.0.2.1/tftp/");
	assert_true(a.has_17);
	assert_string_equal(a.root_path, "iscsi:192.0.2.1::::iqn.2024-01.example:disk0");
	assert_int_equal(a.keep_san, 1);
	assert_int_equal(a.skip_san_boot, -1);
	assert_true(a.has_175_user);
	assert_string_equal(a.ipxe_user, "chapuser");
	assert_true(a.has_175_pass);
	assert_string_equal(a.ipxe_pass, "dhcp-pw-191");
}

static void test_probe_reply_rejects_other_traffic(void **state)
{
	static struct probe_profile p;
	static const uint8_t other_mac[6] = { 0x02, 0x6e, 0x62, 0x63, 0x70, 0x02 };
	struct probe_opts o;
	struct probe_answer a;
	struct reply rp = { .src_ip = SRV_A, .yiaddr = IP(192, 0, 2, 100), .file_field = "x.0" };

	(void)state;
	default_opts(&o);
	probe_profile_init(&p, PP_BIOS, &o, 0x1000);
	assert_true(read_reply(&p, &rp, &a));	/* the baseline is an answer */
	rp.xid = 0x1001;			/* another probe's xid */
	assert_false(read_reply(&p, &rp, &a));
	rp.xid = 0;
	rp.chaddr = other_mac;			/* another probe's MAC */
	assert_false(read_reply(&p, &rp, &a));
	rp.chaddr = NULL;
	rp.op = 1;				/* a client's message, not a reply */
	assert_false(read_reply(&p, &rp, &a));
	rp.op = 0;
	rp.dport = 67;				/* to a server */
	assert_false(read_reply(&p, &rp, &a));
	rp.dport = 0;
	rp.type = DHCPREQUEST;
	assert_false(read_reply(&p, &rp, &a));
	rp.type = DHCPNAK;
	assert_true(read_reply(&p, &rp, &a));
	assert_int_equal(a.msgtype, DHCPNAK);
}

static void test_probe_keep_answer_dedups_and_caps(void **state)
{
	static struct probe_profile p;
	struct probe_opts o;
	struct reply rp = { .src_ip = SRV_A, .yiaddr = IP(192, 0, 2, 100), .file_field = "a.0" };

	(void)state;
	default_opts(&o);
	probe_profile_init(&p, PP_BIOS, &o, 0x2000);
	add_reply(&p, &rp);
	add_reply(&p, &rp);	/* the second DISCOVER's answer from the same server */
	assert_int_equal(p.nans, 1);
	rp.sport = PROXY_PORT;	/* the same server on 4011 is another answer */
	add_reply(&p, &rp);
	assert_int_equal(p.nans, 2);
	rp.sport = 0;
	for (unsigned i = 0; i < PROBE_ANSWERS_MAX + 3; i++) {
		rp.src_ip = IP(198, 51, 100, 1 + i);
		add_reply(&p, &rp);
	}
	assert_int_equal(p.nans, PROBE_ANSWERS_MAX);
	assert_int_equal(p.dropped, 2 + 3);
	assert_int_equal(p.ans[PROBE_ANSWERS_MAX - 1].server_id, IP(198, 51, 100, PROBE_ANSWERS_MAX - 2));
}

static void test_probe_pick_offer_as_the_client_would(void **state)
{
	struct probe_opts o;
	struct probe_run *r;
	struct probe_profile *bios, *ipxe;
	const struct reply proxy = { .src_ip = SRV_PROXY, .opt60 = "PXEClient",
				     .file_field = "proxy.0" };
	const struct reply nofile = { .src_ip = SRV_A, .yiaddr = IP(192, 0, 2, 100) };
	const struct reply withfile = { .src_ip = SRV_B, .yiaddr = IP(192, 0, 2, 200),
					.file_field = "b.0" };

	(void)state;
	default_opts(&o);
	r = new_run(&o, 0x1f);
	bios = &r->prof[PP_BIOS];
	ipxe = &r->prof[PP_IPXE];
	for (unsigned k = 0; k < 2; k++) {
		struct probe_profile *p = k ? ipxe : bios;

		add_reply(p, &proxy);
		add_reply(p, &nofile);
		add_reply(p, &withfile);
		p->chosen = pick_offer(r, p);
		p->proxy = pick_proxy(p);
		assert_int_equal(p->proxy, 0);
	}
	/* A PXE ROM takes the first offer with a boot file; iPXE the first offer. */
	assert_int_equal(bios->chosen, 2);
	assert_int_equal(ipxe->chosen, 1);
	/* --server decides for both. */
	o.has_server = true;
	o.server = SRV_A;
	assert_int_equal(pick_offer(r, bios), 1);
	o.server = SRV_B;
	assert_int_equal(pick_offer(r, ipxe), 2);
	/* A --server that sent no address offer: back to the client's own choice. */
	o.server = SRV_PROXY;
	assert_int_equal(pick_offer(r, bios), 2);
	free_run(r);
}

static void test_probe_settle_boot_merges_proxy(void **state)
{
	struct probe_opts o;
	struct probe_run *r;
	struct probe_profile *p;
	const struct reply addr = { .src_ip = SRV_A, .yiaddr = IP(192, 0, 2, 100) };
	const struct reply proxy = { .src_ip = SRV_PROXY, .siaddr = SRV_PROXY, .opt60 = "PXEClient",
				     .opt43 = true, .opt209 = "pxelinux.cfg/px" };
	const struct reply proxy_ack = { .type = DHCPACK, .src_ip = SRV_PROXY, .siaddr = SRV_PROXY,
					 .opt60 = "PXEClient", .file_field = "pxelinux.0",
					 .sport = PROXY_PORT };

	(void)state;
	default_opts(&o);
	r = new_run(&o, 0x1f);
	p = &r->prof[PP_BIOS];
	add_reply(p, &addr);
	add_reply(p, &proxy);
	assert_true(read_reply(p, &proxy_ack, &p->proxy_ack));
	p->has_proxy_ack = true;
	settle(r, p);
	assert_int_equal(p->chosen, 0);
	assert_int_equal(p->proxy, 1);
	assert_true(p->has_boot);
	/* The address from the DHCP server, the boot file from the proxy's ACK. */
	assert_int_equal(p->boot.yiaddr, IP(192, 0, 2, 100));
	assert_int_equal(p->boot.msgtype, DHCPOFFER);
	assert_true(p->boot.has_file);
	assert_string_equal(p->boot.file, "pxelinux.0");
	assert_int_equal(p->boot.siaddr, SRV_PROXY);
	assert_int_equal(p->boot_server, SRV_PROXY);

	/* Without the ACK: the proxy's OFFER (43 but no file) and its 209. */
	p->has_proxy_ack = false;
	settle(r, p);
	assert_false(p->boot.has_file);
	assert_true(p->boot.has_43);
	assert_true(p->boot.has_209);
	assert_string_equal(p->boot.configfile, "pxelinux.cfg/px");
	assert_int_equal(p->boot_server, SRV_PROXY);

	/* Only a proxy answered: its answer is all the client has. */
	p = &r->prof[PP_EFI64];
	add_reply(p, &proxy);
	settle(r, p);
	assert_int_equal(p->chosen, -1);
	assert_true(p->has_boot);
	assert_int_equal(p->boot.yiaddr, 0);
	assert_int_equal(p->boot_server, SRV_PROXY);
	free_run(r);
}

static void test_probe_settle_boot_address_offer_with_file_wins(void **state)
{
	struct probe_opts o;
	struct probe_run *r;
	struct probe_profile *p;
	const struct reply addr = { .src_ip = SRV_A, .yiaddr = IP(192, 0, 2, 100),
				    .siaddr = SRV_A, .file_field = "dhcp.0" };
	const struct reply proxy = { .src_ip = SRV_PROXY, .opt60 = "PXEClient",
				     .file_field = "proxy.0" };

	(void)state;
	default_opts(&o);
	r = new_run(&o, 0x1f);
	p = &r->prof[PP_BIOS];
	add_reply(p, &proxy);
	add_reply(p, &addr);
	settle(r, p);
	assert_int_equal(p->chosen, 1);
	assert_string_equal(p->boot.file, "dhcp.0");
	assert_int_equal(p->boot_server, SRV_A);
	/* --request: the ACK is the answer. */
	p->ack = p->ans[1];
	p->ack.msgtype = DHCPACK;
	snprintf(p->ack.file, sizeof(p->ack.file), "acked.0");
	p->has_ack = true;
	settle_boot(p);
	assert_int_equal(p->boot.msgtype, DHCPACK);
	assert_string_equal(p->boot.file, "acked.0");
	free_run(r);
}

/* ---------------------------------------------------------------------------------------- */
/* checks.c: the rules over the answers. */

static void test_probe_check_no_answer(void **state)
{
	struct probe_opts o;
	struct probe_run *r;
	const struct probe_finding *f;
	const struct reply proxy = { .src_ip = SRV_PROXY, .opt60 = "PXEClient",
				     .file_field = "p.0" };
	const struct reply addr = { .src_ip = SRV_B, .yiaddr = IP(192, 0, 2, 7),
				    .siaddr = SRV_B, .file_field = "x.0" };

	(void)state;
	default_opts(&o);
	r = new_run(&o, 1u << PP_BIOS | 1u << PP_EFI64 | 1u << PP_ARM64);
	r->prof[PP_BIOS].discovers = 2;		/* sent twice, nobody answered */
	add_reply(&r->prof[PP_EFI64], &proxy);	/* only a proxy: no address */
	settle(r, &r->prof[PP_EFI64]);
	/* arm64: --timeout came before its DISCOVER (discovers 0). */
	probe_check_dhcp(r);
	assert_int_equal(r->ntests, 3);
	f = find_rule(r, PROBE_R_NO_ANSWER, "bios-pxe");
	assert_non_null(f);
	assert_int_equal(f->sev, NBC_SEV_ERROR);
	assert_non_null(strstr(f->message, "no DHCP server answered the bios-pxe probe"));
	assert_non_null(f->hint);
	assert_int_equal(f->test, r->prof[PP_BIOS].test);
	f = find_rule(r, PROBE_R_NO_ANSWER, "efi64-pxe");
	assert_non_null(f);
	assert_non_null(strstr(f->message, "only a proxyDHCP answered"));
	assert_int_equal(count_rule(r, PROBE_R_NO_ANSWER, "arm64"), 0);
	assert_true(r->tests[r->prof[PP_ARM64].test].skipped);
	assert_int_equal(r->nfindings, 2);
	/* The proxy is a server the report lists. */
	assert_int_equal(r->nservers, 1);
	assert_true(r->servers[0].proxy);
	assert_false(r->servers[0].address);
	free_run(r);

	/* --server that stays silent while another answers. */
	o.has_server = true;
	o.server = SRV_A;
	r = new_run(&o, 1u << PP_BIOS);
	add_reply(&r->prof[PP_BIOS], &addr);
	settle(r, &r->prof[PP_BIOS]);
	probe_check_dhcp(r);
	f = find_rule(r, PROBE_R_NO_ANSWER, "bios-pxe");
	assert_non_null(f);
	assert_non_null(strstr(f->message, "--server 192.0.2.1 did not answer"));
	assert_string_equal(f->server, "192.0.2.1");
	free_run(r);
}

static void test_probe_check_no_bootfile(void **state)
{
	struct probe_opts o;
	struct probe_run *r;
	const struct probe_finding *f;
	const struct reply bare = { .src_ip = SRV_A, .yiaddr = IP(192, 0, 2, 100) };
	const struct reply san = { .src_ip = SRV_A, .yiaddr = IP(192, 0, 2, 101),
				   .opt17 = "iscsi:192.0.2.1::::iqn.2024-01.example:disk0" };

	(void)state;
	default_opts(&o);
	r = new_run(&o, 1u << PP_EFI64 | 1u << PP_IPXE | 1u << PP_BIOS);
	add_reply(&r->prof[PP_EFI64], &bare);
	settle(r, &r->prof[PP_EFI64]);
	add_reply(&r->prof[PP_IPXE], &san);	/* iPXE sanboots a root path without a file */
	settle(r, &r->prof[PP_IPXE]);
	add_reply(&r->prof[PP_BIOS], &san);	/* a PXE ROM cannot */
	settle(r, &r->prof[PP_BIOS]);
	probe_check_dhcp(r);
	f = find_rule(r, "NBC-DHCP-NO-BOOTFILE", "efi64-pxe");
	assert_non_null(f);
	assert_int_equal(f->sev, NBC_SEV_ERROR);
	assert_string_equal(f->server, "192.0.2.1");
	assert_non_null(strstr(f->message, "OFFER from 192.0.2.1"));
	assert_non_null(f->hint);
	assert_int_equal(count_rule(r, "NBC-DHCP-NO-BOOTFILE", "ipxe-bios"), 0);
	assert_int_equal(count_rule(r, "NBC-DHCP-NO-BOOTFILE", "bios-pxe"), 1);
	assert_int_equal(r->nfindings, 2);
	free_run(r);
}

static void test_probe_check_loop_userclass(void **state)
{
	struct probe_opts o;
	struct probe_run *r;
	const struct probe_finding *f;
	const struct reply kpxe = { .src_ip = SRV_A, .yiaddr = IP(192, 0, 2, 100),
				    .siaddr = SRV_A, .file_field = "undionly.kpxe" };
	const struct reply script = { .src_ip = SRV_A, .yiaddr = IP(192, 0, 2, 100),
				      .opt67 = "http://192.0.2.1/boot.ipxe" };

	(void)state;
	default_opts(&o);
	r = new_run(&o, 1u << PP_BIOS | 1u << PP_IPXE);
	/* The PXE ROM is meant to get undionly.kpxe; iPXE getting it again loops. */
	add_reply(&r->prof[PP_BIOS], &kpxe);
	settle(r, &r->prof[PP_BIOS]);
	add_reply(&r->prof[PP_IPXE], &kpxe);
	settle(r, &r->prof[PP_IPXE]);
	probe_check_dhcp(r);
	assert_int_equal(count_rule(r, "NBC-LOOP-USERCLASS", NULL), 1);
	f = find_rule(r, "NBC-LOOP-USERCLASS", "ipxe-bios");
	assert_non_null(f);
	assert_int_equal(f->sev, NBC_SEV_ERROR);
	assert_non_null(strstr(f->message, "undionly.kpxe"));
	assert_string_equal(f->server, "192.0.2.1");
	assert_int_equal(r->nfindings, 1);
	free_run(r);

	r = new_run(&o, 1u << PP_IPXE);
	add_reply(&r->prof[PP_IPXE], &script);
	settle(r, &r->prof[PP_IPXE]);
	probe_check_dhcp(r);
	assert_int_equal(r->nfindings, 0);	/* a script URL, no next-server needed */
	free_run(r);
}

static void test_probe_check_arch_mismatch_by_name(void **state)
{
	static const struct {
		enum probe_pid pid;
		const char *file;
		const char *why;	/* NULL: no finding */
	} cases[] = {
		{ PP_EFI64, "pxelinux.0", "a BIOS (real-mode) NBP for a UEFI client" },
		{ PP_BIOS, "grubx64.efi", "a UEFI binary for a BIOS client" },
		{ PP_ARM64, "EFI/grubx64.efi", "an x86-64 binary for an ARM64 client" },
		{ PP_EFI64, "bootaa64.efi", "an ARM64 binary for an x86 client" },
		{ PP_EFI64, "grubx64.efi", NULL },
		{ PP_ARM64, "grubaa64.efi", NULL },
		{ PP_BIOS, "pxelinux.0", NULL },
	};
	struct probe_opts o;

	(void)state;
	default_opts(&o);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct probe_run *r = new_run(&o, 1u << cases[i].pid);
		struct probe_profile *p = &r->prof[cases[i].pid];
		const struct reply rp = { .src_ip = SRV_A, .yiaddr = IP(192, 0, 2, 100),
					  .siaddr = SRV_A, .file_field = cases[i].file };
		const struct probe_finding *f;

		add_reply(p, &rp);
		settle(r, p);
		probe_check_dhcp(r);
		f = find_rule(r, "NBC-ARCH-MISMATCH", p->name);
		if (!cases[i].why) {
			assert_null(f);
			assert_false(p->arch_flagged);
		} else {
			assert_non_null(f);
			assert_non_null(strstr(f->message, cases[i].why));
			assert_non_null(strstr(f->message, cases[i].file));
			assert_true(p->arch_flagged);
		}
		assert_int_equal(r->nfindings, cases[i].why ? 1 : 0);
		free_run(r);
	}
}

static void test_probe_check_no_next_server(void **state)
{
	struct probe_opts o;
	struct probe_run *r;
	const struct reply none = { .src_ip = SRV_A, .yiaddr = IP(192, 0, 2, 100),
				    .file_field = "pxelinux.0" };
	const struct reply via66 = { .src_ip = SRV_A, .yiaddr = IP(192, 0, 2, 100),
				     .file_field = "pxelinux.0", .opt66 = "192.0.2.5" };

	(void)state;
	default_opts(&o);
	r = new_run(&o, 1u << PP_BIOS | 1u << PP_PXELINUX);
	add_reply(&r->prof[PP_BIOS], &none);
	settle(r, &r->prof[PP_BIOS]);
	add_reply(&r->prof[PP_PXELINUX], &via66);
	settle(r, &r->prof[PP_PXELINUX]);
	probe_check_dhcp(r);
	assert_int_equal(count_rule(r, "NBC-DHCP-NO-NEXT-SERVER", "bios-pxe"), 1);
	assert_int_equal(count_rule(r, "NBC-DHCP-NO-NEXT-SERVER", "pxelinux"), 0);
	free_run(r);
}

static void test_probe_check_multi_server(void **state)
{
	struct probe_opts o;
	struct probe_run *r;
	const struct probe_finding *f;
	const struct reply a = { .src_ip = SRV_A, .yiaddr = IP(192, 0, 2, 100), .siaddr = SRV_A,
				 .file_field = "pxelinux.0" };
	const struct reply b = { .src_ip = SRV_B, .yiaddr = IP(192, 0, 2, 200), .siaddr = SRV_B,
				 .file_field = "pxelinux.0" };
	const struct reply b_nofile = { .src_ip = SRV_B, .yiaddr = IP(192, 0, 2, 200) };
	const struct reply proxy = { .src_ip = SRV_PROXY, .opt60 = "PXEClient",
				     .file_field = "p.0" };

	(void)state;
	default_opts(&o);

	/* One server and a proxyDHCP: by design, no finding. */
	r = new_run(&o, 1u << PP_BIOS);
	add_reply(&r->prof[PP_BIOS], &a);
	add_reply(&r->prof[PP_BIOS], &proxy);
	settle(r, &r->prof[PP_BIOS]);
	probe_check_dhcp(r);
	assert_int_equal(count_rule(r, "NBC-DHCP-MULTI-SERVER", NULL), 0);
	free_run(r);

	/* Two servers, both with a boot file, no --server: a warning naming both. */
	r = new_run(&o, 1u << PP_BIOS);
	add_reply(&r->prof[PP_BIOS], &a);
	add_reply(&r->prof[PP_BIOS], &b);
	settle(r, &r->prof[PP_BIOS]);
	probe_check_dhcp(r);
	f = find_rule(r, "NBC-DHCP-MULTI-SERVER", "bios-pxe");
	assert_non_null(f);
	assert_int_equal(f->sev, NBC_SEV_WARNING);
	assert_string_equal(f->server, "192.0.2.1, 192.0.2.2");
	assert_non_null(strstr(f->message, "2 DHCP servers answered the bios-pxe probe"));
	assert_null(strstr(f->message, "rogue"));
	assert_non_null(f->hint);
	assert_int_equal(r->nservers, 2);
	free_run(r);

	/* One of them without a boot file: an error. */
	r = new_run(&o, 1u << PP_BIOS);
	add_reply(&r->prof[PP_BIOS], &a);
	add_reply(&r->prof[PP_BIOS], &b_nofile);
	settle(r, &r->prof[PP_BIOS]);
	probe_check_dhcp(r);
	f = find_rule(r, "NBC-DHCP-MULTI-SERVER", "bios-pxe");
	assert_non_null(f);
	assert_int_equal(f->sev, NBC_SEV_ERROR);
	assert_non_null(strstr(f->message, "without a boot file cannot boot"));
	free_run(r);

	/* --server A: B is a rogue, an error whatever the files. */
	o.has_server = true;
	o.server = SRV_A;
	r = new_run(&o, 1u << PP_BIOS);
	add_reply(&r->prof[PP_BIOS], &b);
	add_reply(&r->prof[PP_BIOS], &a);
	settle(r, &r->prof[PP_BIOS]);
	assert_int_equal(r->prof[PP_BIOS].chosen, 1);	/* --server's offer, though second */
	probe_check_dhcp(r);
	f = find_rule(r, "NBC-DHCP-MULTI-SERVER", "bios-pxe");
	assert_non_null(f);
	assert_int_equal(f->sev, NBC_SEV_ERROR);
	assert_non_null(strstr(f->message, "only --server 192.0.2.1 should answer"));
	assert_non_null(strstr(f->message, "rogue"));
	assert_string_equal(f->server, "192.0.2.2, 192.0.2.1");
	assert_int_equal(count_rule(r, PROBE_R_NO_ANSWER, NULL), 0);	/* --server did answer */
	free_run(r);
}

/* Sixteen servers answer (the most kept): the finding's server field names every one of
 * them in full (it was 64 bytes: cut in the fourth address, and past the sixth the
 * formatting pointer went beyond the array). */
static void test_probe_check_multi_server_sixteen(void **state)
{
	struct probe_opts o;
	struct probe_run *r;
	const struct probe_finding *f;
	char want[400] = "";
	size_t n = 0;

	(void)state;
	default_opts(&o);
	r = new_run(&o, 1u << PP_BIOS);
	for (unsigned i = 0; i < 16; i++) {
		const struct reply x = { .src_ip = IP(198, 51, 100, 200 + i),
					 .yiaddr = IP(198, 51, 100, 10 + i),
					 .siaddr = IP(198, 51, 100, 200 + i), .file_field = "pxelinux.0" };

		add_reply(&r->prof[PP_BIOS], &x);
		n += (size_t)snprintf(want + n, sizeof(want) - n, "%s198.51.100.%u", i ? ", " : "",
				      200 + i);
	}
	settle(r, &r->prof[PP_BIOS]);
	probe_check_dhcp(r);
	f = find_rule(r, "NBC-DHCP-MULTI-SERVER", "bios-pxe");
	assert_non_null(f);
	assert_string_equal(f->server, want);
	assert_non_null(strstr(f->message, "16 DHCP servers answered"));
	free_run(r);
}

static void test_probe_check_pxelinux_209_missing(void **state)
{
	struct probe_opts o;
	struct probe_run *r;
	const struct probe_finding *f;
	struct reply bios_ans = { .src_ip = SRV_A, .yiaddr = IP(192, 0, 2, 100), .siaddr = SRV_A,
				  .file_field = "pxelinux.0" };
	struct reply px_ans = bios_ans;

	(void)state;
	default_opts(&o);
	px_ans.opt209 = "pxelinux.cfg/site";
	px_ans.opt210 = "/tftpboot/";

	/* The server sends 209 and 210 only when asked (the pxelinux probe asks). */
	r = new_run(&o, 1u << PP_BIOS | 1u << PP_PXELINUX);
	add_reply(&r->prof[PP_BIOS], &bios_ans);
	settle(r, &r->prof[PP_BIOS]);
	add_reply(&r->prof[PP_PXELINUX], &px_ans);
	settle(r, &r->prof[PP_PXELINUX]);
	probe_check_dhcp(r);
	f = find_rule(r, "NBC-PXELINUX-209-MISSING", "bios-pxe");
	assert_non_null(f);
	assert_int_equal(f->sev, NBC_SEV_ERROR);
	assert_non_null(strstr(f->message, "without options 209 and 210"));
	assert_non_null(strstr(f->message, "option 209 (configfile) = pxelinux.cfg/site"));
	assert_non_null(strstr(f->message, "option 210 (pathprefix) = /tftpboot/"));
	assert_int_equal(count_rule(r, "NBC-PXELINUX-209-MISSING", NULL), 1);
	free_run(r);

	/* bios-pxe gets 210 unasked, only 209 is missing. */
	bios_ans.opt210 = "/tftpboot/";
	r = new_run(&o, 1u << PP_BIOS | 1u << PP_PXELINUX);
	add_reply(&r->prof[PP_BIOS], &bios_ans);
	settle(r, &r->prof[PP_BIOS]);
	add_reply(&r->prof[PP_PXELINUX], &px_ans);
	settle(r, &r->prof[PP_PXELINUX]);
	probe_check_dhcp(r);
	f = find_rule(r, "NBC-PXELINUX-209-MISSING", "bios-pxe");
	assert_non_null(f);
	assert_non_null(strstr(f->message, "without option 209,"));
	free_run(r);

	/* Forced (sent unasked too): nothing missing. */
	bios_ans.opt209 = "pxelinux.cfg/site";
	r = new_run(&o, 1u << PP_BIOS | 1u << PP_PXELINUX);
	add_reply(&r->prof[PP_BIOS], &bios_ans);
	settle(r, &r->prof[PP_BIOS]);
	add_reply(&r->prof[PP_PXELINUX], &px_ans);
	settle(r, &r->prof[PP_PXELINUX]);
	probe_check_dhcp(r);
	assert_int_equal(count_rule(r, "NBC-PXELINUX-209-MISSING", NULL), 0);
	free_run(r);

	/* Different servers answered the two probes: not comparable. */
	bios_ans.opt209 = bios_ans.opt210 = NULL;
	px_ans.src_ip = SRV_B;
	r = new_run(&o, 1u << PP_BIOS | 1u << PP_PXELINUX);
	add_reply(&r->prof[PP_BIOS], &bios_ans);
	settle(r, &r->prof[PP_BIOS]);
	add_reply(&r->prof[PP_PXELINUX], &px_ans);
	settle(r, &r->prof[PP_PXELINUX]);
	probe_check_dhcp(r);
	assert_int_equal(count_rule(r, "NBC-PXELINUX-209-MISSING", NULL), 0);
	free_run(r);
}

/* ---------------------------------------------------------------------------------------- */
/* checks.c's TFTP stage over the faked transfer. */

static void test_probe_tftp_pe_machine_vs_profile(void **state)
{
	static const struct {
		enum probe_pid pid;
		const char *file;
		uint16_t machine;	/* 0: real-mode bytes */
		const char *why;	/* NULL: no finding */
	} cases[] = {
		{ PP_EFI64, "grubx64.efi", 0xaa64, "PE32+ ARM64): its PE machine type is not x86-64" },
		{ PP_EFI64, "grubx64.efi", 0x014c, "PE32 IA32): its PE machine type is not x86-64" },
		{ PP_EFI64, "grubx64.efi", 0, "its bytes are no PE image" },
		{ PP_ARM64, "grubaa64.efi", 0x8664, "PE32+ x86-64): its PE machine type is not ARM64" },
		{ PP_BIOS, "pxelinux.0", 0x8664, "a BIOS client cannot run it" },
		{ PP_EFI64, "grubx64.efi", 0x8664, NULL },
		{ PP_ARM64, "grubaa64.efi", 0xaa64, NULL },
		{ PP_BIOS, "pxelinux.0", 0, NULL },
	};
	struct probe_opts o;

	(void)state;
	default_opts(&o);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct probe_run *r = new_run(&o, 1u << cases[i].pid);
		struct probe_profile *p = &r->prof[cases[i].pid];
		const struct reply rp = { .src_ip = SRV_A, .yiaddr = IP(192, 0, 2, 100),
					  .siaddr = IP(192, 0, 2, 5), .file_field = cases[i].file };
		const struct probe_finding *f;

		fake_tftp_reset();
		fake_pe(cases[i].machine);
		r->if_ip = IP(192, 0, 2, 50);
		add_reply(p, &rp);
		settle(r, p);
		probe_check_dhcp(r);
		assert_int_equal(count_rule(r, "NBC-ARCH-MISMATCH", NULL), 0);	/* the name fits */
		probe_stage_tftp(r);
		assert_int_equal(fake_calls, 1);
		assert_int_equal(fake_last_server, IP(192, 0, 2, 5));	/* siaddr */
		assert_string_equal(fake_last_name, cases[i].file);
		assert_int_equal(r->nfetch, 1);
		assert_true(r->fetch[0].tried);
		assert_int_equal(p->nbp, 0);
		f = find_rule(r, "NBC-ARCH-MISMATCH", p->name);
		if (cases[i].why) {
			assert_non_null(f);
			assert_non_null(strstr(f->message, cases[i].why));
			assert_string_equal(f->server, "192.0.2.5");
		} else {
			assert_null(f);
		}
		free_run(r);
	}
}

static void test_probe_tftp_one_fetch_per_nbp_and_not_found(void **state)
{
	struct probe_opts o;
	struct probe_run *r;
	const struct probe_finding *f;
	const struct reply rp = { .src_ip = SRV_A, .yiaddr = IP(192, 0, 2, 100),
				  .opt66 = "192.0.2.6", .file_field = "pxelinux.0" };

	(void)state;
	default_opts(&o);
	fake_tftp_reset();
	fake_err = 1;
	r = new_run(&o, 1u << PP_BIOS | 1u << PP_PXELINUX);
	r->if_ip = IP(192, 0, 2, 50);
	add_reply(&r->prof[PP_BIOS], &rp);
	settle(r, &r->prof[PP_BIOS]);
	add_reply(&r->prof[PP_PXELINUX], &rp);
	settle(r, &r->prof[PP_PXELINUX]);
	probe_check_dhcp(r);
	probe_stage_tftp(r);
	/* Both profiles are handed the same (server, name): one RRQ, to option 66's address. */
	assert_int_equal(fake_calls, 1);
	assert_int_equal(fake_last_server, IP(192, 0, 2, 6));
	assert_int_equal(r->nfetch, 1);
	assert_int_equal(r->fetch[0].profiles, 1u << PP_BIOS | 1u << PP_PXELINUX);
	f = find_rule(r, "NBC-TFTP-NOT-FOUND", NULL);
	assert_non_null(f);
	assert_string_equal(f->profile, "bios-pxe, pxelinux");
	assert_non_null(strstr(f->message, "ERROR 1 (File not found)"));
	free_run(r);

	/* No address of its own on --iface: not tried, and said so. */
	fake_tftp_reset();
	r = new_run(&o, 1u << PP_BIOS);
	add_reply(&r->prof[PP_BIOS], &rp);
	settle(r, &r->prof[PP_BIOS]);
	probe_check_dhcp(r);
	probe_stage_tftp(r);
	assert_int_equal(fake_calls, 0);
	assert_int_equal(r->nfetch, 1);
	assert_false(r->fetch[0].tried);
	assert_non_null(strstr(r->fetch[0].skipped, "no IPv4 address"));
	free_run(r);
}

/*
 * A WDS answer's boot file boot\x64\wdsnbp.com is requested over TFTP with its own bytes
 * (file_real used to be the printable form, "boot\x5cx64\x5cwdsnbp.com": a false
 * NBC-TFTP-NOT-FOUND), and shown in its printable form.
 */
static void test_probe_tftp_rrq_names_the_file_as_sent(void **state)
{
	struct probe_opts o;
	struct probe_run *r;
	const struct reply rp = { .src_ip = SRV_A, .yiaddr = IP(192, 0, 2, 100),
				  .siaddr = SRV_A, .file_field = "boot\\x64\\wdsnbp.com" };

	(void)state;
	default_opts(&o);
	fake_tftp_reset();
	fake_pe(0);
	r = new_run(&o, 1u << PP_BIOS);
	r->if_ip = IP(192, 0, 2, 50);
	add_reply(&r->prof[PP_BIOS], &rp);
	settle(r, &r->prof[PP_BIOS]);
	probe_check_dhcp(r);
	probe_stage_tftp(r);
	assert_int_equal(fake_calls, 1);
	assert_string_equal(fake_last_name, "boot\\x64\\wdsnbp.com");
	assert_string_equal(r->prof[PP_BIOS].boot.file, "boot\\x5cx64\\x5cwdsnbp.com");
	free_run(r);
}

/* ---------------------------------------------------------------------------------------- */
/* cmd.c: the command line, through probe_main (valid arguments end at the interface). */

#define NO_IFACE "nbcnone0"

/* Runs probe_main on args (copied: getopt permutes, --chap-secret is blanked) and returns
 * its exit status; stderr is kept in err. copies, when given, receives the copies (the
 * caller frees them). */
static int run_main(const char *const *args, char *err, size_t cap, char ***copies)
{
	char *argv[40];
	int argc = 0, rc, saved;
	FILE *tmp = tmpfile();
	size_t n;

	assert_non_null(tmp);
	argv[argc++] = strdup("probe");
	for (; args[argc - 1] && argc < 39; argc++)
		argv[argc] = strdup(args[argc - 1]);
	argv[argc] = NULL;
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), 2) >= 0);
	rc = probe_main(argc, argv);
	fflush(stderr);
	assert_true(dup2(saved, 2) >= 0);
	close(saved);
	rewind(tmp);
	n = fread(err, 1, cap - 1, tmp);
	err[n] = '\0';
	fclose(tmp);
	if (copies) {
		*copies = calloc((size_t)argc + 1, sizeof(char *));
		assert_non_null(*copies);
		memcpy(*copies, argv, (size_t)argc * sizeof(char *));
	} else {
		for (int i = 0; i < argc; i++)
			free(argv[i]);
	}
	return rc;
}

static void free_copies(char **c)
{
	for (size_t i = 0; c[i]; i++)
		free(c[i]);
	free(c);
}

static void test_probe_cmd_usage_errors_exit_3(void **state)
{
	static const char *const cases[][10] = {
		{ "--iface", NO_IFACE, "--profile", "bios", NULL },
		{ "--iface", NO_IFACE, "--profile", "efi64", NULL },
		{ "--iface", NO_IFACE, "--rate", "0", NULL },
		{ "--iface", NO_IFACE, "--rate", "101", NULL },
		{ "--iface", NO_IFACE, "--rate", "ten", NULL },
		{ "--iface", NO_IFACE, "--max-bytes", "64X", NULL },
		{ "--iface", NO_IFACE, "--max-bytes", "64MB", NULL },
		{ "--iface", NO_IFACE, "--max-bytes", "0", NULL },
		{ "--iface", NO_IFACE, "--max-bytes", "-1M", NULL },
		{ "--iface", NO_IFACE, "--max-bytes", "2048G", NULL },
		{ "--iface", NO_IFACE, "--wait", "0.1", NULL },
		{ "--iface", NO_IFACE, "--timeout", "3601", NULL },
		{ "--iface", NO_IFACE, "--uuid", "3a8c3b8e1f5a2e4d9c410123456789ab", NULL },
		{ "--iface", NO_IFACE, "--mac", "03:00:00:12:34:56", NULL },
		{ "--iface", NO_IFACE, "--server", "0.0.0.0", NULL },
		{ "--iface", NO_IFACE, "--format", "xml", NULL },
		{ "--iface", NO_IFACE, "--fail-on", "fatal", NULL },
		{ "--iface", NO_IFACE, "--iscsi", "http://192.0.2.1/disk", NULL },
		{ "--iface", NO_IFACE, "--bogus", NULL },
		{ "--iface", NO_IFACE, "extra", NULL },
		{ "--iface", NULL },
		{ "--profile", "arm64", NULL },
		{ "--iface", NO_IFACE, "--chap-secret", "s3", NULL },
		{ "--iface", NO_IFACE, "--chap-secret-file", "/nonexistent/secret", NULL },
		{ "--iface", NO_IFACE, "--chap-user", "u", "--chap-secret", "s3",
		  "--chap-secret-file", "/nonexistent/secret", NULL },
		{ "--iface", NO_IFACE, "--chap-user", "u", "--chap-secret", "", NULL },
		{ "--iface", NO_IFACE, "--chap-user", "u", NULL },	/* no secret anywhere */
	};
	char err[1024];

	(void)state;
	unsetenv("NBC_CHAP_SECRET");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = run_main(cases[i], err, sizeof(err), NULL);

		if (rc != 3)
			fail_msg("case %zu (%s %s): exit %d, not 3; stderr: %s", i,
				 cases[i][2] ? cases[i][2] : "", cases[i][3] ? cases[i][3] : "", rc, err);
		assert_non_null(strstr(err, "netboot-check probe: "));
		assert_non_null(strstr(err, "see netboot-check probe --help"));
	}
	/* The messages name what is wrong. */
	assert_int_equal(run_main(cases[0], err, sizeof(err), NULL), 3);
	assert_non_null(strstr(err, "no profile 'bios'"));
	assert_int_equal(run_main(cases[5], err, sizeof(err), NULL), 3);
	assert_non_null(strstr(err, "--max-bytes takes a size like 65536, 512K or 64M, not '64X'"));
	assert_int_equal(run_main(cases[24], err, sizeof(err), NULL), 3);
	assert_non_null(strstr(err, "--chap-secret-file and --chap-secret: give one of them"));
	assert_int_equal(run_main(cases[22], err, sizeof(err), NULL), 3);
	assert_non_null(strstr(err, "--chap-secret needs --chap-user"));
}

/*
 * --max-bytes " -18446744073709551615": strtoull skips the space and negates (to 1 byte);
 * parse_size used to check s[0] for '-' only. A usage error (3).
 */
static void test_probe_cmd_max_bytes_rejects_spaced_negative(void **state)
{
	static const char *const args[] = { "--iface", NO_IFACE, "--max-bytes",
					     " -18446744073709551615", NULL };
	char err[1024];

	(void)state;
	assert_int_equal(run_main(args, err, sizeof(err), NULL), 3);
}

static void test_probe_cmd_valid_args_reach_the_interface(void **state)
{
	static const char *const cases[][12] = {
		{ "--iface", NO_IFACE, NULL },
		{ "--iface", NO_IFACE, "--max-bytes", "512K", "--max-bytes", "64m", "--max-bytes",
		  "1G", NULL },
		{ "--iface", NO_IFACE, "--max-bytes", "65536", "--rate", "1", "--rate", "100", NULL },
		{ "--iface", NO_IFACE, "--profile", "arm64", "--profile", "pxelinux", "--profile",
		  "ipxe-bios", NULL },
		{ "--iface", NO_IFACE, "--uuid", "3a8c3b8e-1f5a-2e4d-9c41-0123456789ab", "--mac",
		  "02:00:00:12:34:56", "--server", "192.0.2.1", NULL },
		{ "--iface", NO_IFACE, "--fail-on", "note", "--format", "junit", "--wait", "0.2",
		  "--request", NULL },
		{ "--iface", NO_IFACE, "--iscsi", "iscsi:192.0.2.1::::iqn.2024-01.example:d", NULL },
	};
	char err[1024];

	(void)state;
	unsetenv("NBC_CHAP_SECRET");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = run_main(cases[i], err, sizeof(err), NULL);

		/* Parsed: the run starts and stops at the interface (exit 2, could not probe). */
		if (rc != 2 || !strstr(err, "no such interface " NO_IFACE))
			fail_msg("case %zu: exit %d; stderr: %s", i, rc, err);
	}
}

static void test_probe_cmd_chap_secret_sources(void **state)
{
	static const char secret[] = "argv-secret-4711";
	char err[1024], path[] = "/tmp/test_probes_chap_XXXXXX", line[300];
	char **argv;
	const char *args[12] = { "--iface", NO_IFACE, "--chap-user", "u", "--chap-secret", secret,
				 NULL };
	int fd;

	(void)state;
	unsetenv("NBC_CHAP_SECRET");
	/* --chap-secret S: taken, and blanked where ps reads it. */
	assert_int_equal(run_main(args, err, sizeof(err), &argv), 2);
	assert_non_null(strstr(err, "no such interface"));
	for (size_t i = 0; argv[i]; i++)
		assert_null(strstr(argv[i], "4711"));
	assert_int_equal(argv[6][0], '\0');	/* the secret's own bytes, zeroed */
	free_copies(argv);

	/* NBC_CHAP_SECRET with --chap-user: used, then gone from the environment. */
	assert_int_equal(setenv("NBC_CHAP_SECRET", "env-secret", 1), 0);
	args[4] = NULL;
	assert_int_equal(run_main(args, err, sizeof(err), NULL), 2);
	assert_non_null(strstr(err, "no such interface"));
	assert_null(getenv("NBC_CHAP_SECRET"));
	/* ...longer than libiscsi sends: could not probe. */
	memset(line, 'x', 256);
	line[256] = '\0';
	assert_int_equal(setenv("NBC_CHAP_SECRET", line, 1), 0);
	assert_int_equal(run_main(args, err, sizeof(err), NULL), 2);
	assert_non_null(strstr(err, "NBC_CHAP_SECRET is longer than 255 bytes"));
	assert_null(strstr(err, "no such interface"));
	unsetenv("NBC_CHAP_SECRET");

	/* --chap-secret-file: its first line; empty, or too long: exit 2 before the interface. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	args[4] = "--chap-secret-file";
	args[5] = path;
	args[6] = NULL;
	assert_int_equal(run_main(args, err, sizeof(err), NULL), 2);
	assert_non_null(strstr(err, "is empty"));
	assert_int_equal(write(fd, "\r\nsecond\n", 9), 9);
	assert_int_equal(run_main(args, err, sizeof(err), NULL), 2);
	assert_non_null(strstr(err, "has an empty first line"));
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	memset(line, 's', 256);
	line[256] = '\n';
	assert_int_equal(write(fd, line, 257), 257);
	assert_int_equal(run_main(args, err, sizeof(err), NULL), 2);
	assert_non_null(strstr(err, "longer than 255 bytes"));
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(write(fd, "file-secret\r\nnext\n", 18), 18);
	assert_int_equal(run_main(args, err, sizeof(err), NULL), 2);
	assert_non_null(strstr(err, "no such interface"));	/* accepted */
	assert_null(strstr(err, "chmod 600"));			/* mkstemp: 0600 */
	close(fd);
	unlink(path);
}

/* ---------------------------------------------------------------------------------------- */
/* output.c */

/* A strict JSON syntax check (RFC 8259): true when s is one value and nothing else. */
struct jp {
	const char *s;
	int depth;
};

static void j_ws(struct jp *p)
{
	while (*p->s == ' ' || *p->s == '\n' || *p->s == '\t' || *p->s == '\r')
		p->s++;
}

static bool j_value(struct jp *p);

static bool j_string(struct jp *p)
{
	if (*p->s++ != '"')
		return false;
	while (*p->s != '"') {
		unsigned char c = (unsigned char)*p->s++;

		if (c < 0x20)
			return false;
		if (c == '\\') {
			c = (unsigned char)*p->s++;
			if (c == 'u') {
				for (int i = 0; i < 4; i++)
					if (hex_digit(*p->s++) < 0)
						return false;
			} else if (!strchr("\"\\/bfnrt", c) || !c) {
				return false;
			}
		}
	}
	p->s++;
	return true;
}

static bool j_number(struct jp *p)
{
	const char *s = p->s;

	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return false;
	if (*s == '.') {
		if (!(*++s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	p->s = s;
	return true;
}

static bool j_list(struct jp *p, char close, bool members)
{
	p->s++;
	if (++p->depth > 64)
		return false;
	j_ws(p);
	if (*p->s == close) {
		p->s++;
		p->depth--;
		return true;
	}
	for (;;) {
		j_ws(p);
		if (members) {
			if (!j_string(p))
				return false;
			j_ws(p);
			if (*p->s++ != ':')
				return false;
		}
		if (!j_value(p))
			return false;
		j_ws(p);
		if (*p->s == ',') {
			p->s++;
			continue;
		}
		if (*p->s++ != close)
			return false;
		p->depth--;
		return true;
	}
}

static bool j_value(struct jp *p)
{
	j_ws(p);
	switch (*p->s) {
	case '{':
		return j_list(p, '}', true);
	case '[':
		return j_list(p, ']', false);
	case '"':
		return j_string(p);
	case 't':
		return strncmp(p->s, "true", 4) == 0 && (p->s += 4);
	case 'f':
		return strncmp(p->s, "false", 5) == 0 && (p->s += 5);
	case 'n':
		return strncmp(p->s, "null", 4) == 0 && (p->s += 4);
	default:
		return j_number(p);
	}
}

static bool json_valid(const char *s)
{
	struct jp p = { s, 0 };

	if (!j_value(&p))
		return false;
	j_ws(&p);
	return *p.s == '\0';
}

static void test_probe_json_checker_rejects_bad_json(void **state)
{
	(void)state;
	/* The checker the report test relies on can say no. */
	assert_true(json_valid("{\"a\": [1, -2.5e3, true, null, \"x\\u00e9\"], \"b\": {}}"));
	assert_false(json_valid("{\"a\": [1, 2,]}"));
	assert_false(json_valid("{\"a\": \"tab\there\"}"));
	assert_false(json_valid("{\"a\": 1} x"));
	assert_false(json_valid("{\"a\" 1}"));
	assert_false(json_valid("{\"a\": 01}"));
}

static char *report(const struct probe_run *r, struct probe_opts *o, const char *format)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	o->format = format;
	probe_write(f, r);
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf);
	return buf;
}

static void test_probe_report_json_valid_without_secrets(void **state)
{
	static const char *const secrets[] = { "cli-chap-secret-XYZ", "dhcp-pw-191", "url-pw-67",
					       "url-pw-210" };
	struct probe_opts o;
	struct probe_run *r;
	struct probe_iscsi *x;
	const struct reply ipxe = {
		.src_ip = SRV_A, .yiaddr = IP(192, 0, 2, 100),
		.opt67 = "http://alice:url-pw-67@192.0.2.1/undionly.kpxe",
		.opt17 = "iscsi:192.0.2.1::::iqn.2024-01.example:\"quoted\"\\disk", .keep_san = 1,
		.user = "chapuser", .pass = "dhcp-pw-191",
	};
	const struct reply px = { .src_ip = SRV_A, .yiaddr = IP(192, 0, 2, 101), .siaddr = SRV_A,
				  .file_field = "pxelinux.0", .opt209 = "cfg\t\x01tab",
				  .opt210 = "http://bob:url-pw-210@192.0.2.1/" };
	char *out;

	(void)state;
	default_opts(&o);
	o.chap_user = "chapuser";
	snprintf(o.chap_secret_buf, sizeof(o.chap_secret_buf), "%s", secrets[0]);
	o.chap_secret = o.chap_secret_buf;
	o.chap_from = "--chap-user/--chap-secret-file";
	r = new_run(&o, 1u << PP_IPXE | 1u << PP_PXELINUX | 1u << PP_BIOS);
	add_reply(&r->prof[PP_IPXE], &ipxe);
	settle(r, &r->prof[PP_IPXE]);
	add_reply(&r->prof[PP_PXELINUX], &px);
	settle(r, &r->prof[PP_PXELINUX]);
	r->prof[PP_BIOS].discovers = 1;
	probe_check_dhcp(r);
	assert_true(r->nfindings >= 2);	/* NO-ANSWER, LOOP-USERCLASS */
	x = &r->iscsi[r->niscsi++];
	snprintf(x->shown, sizeof(x->shown), "%s", r->prof[PP_IPXE].boot.root_path);
	x->from = "option 17";
	x->syntax_ok = x->connected = true;
	x->login_status = 0x0201;
	x->chap = true;
	snprintf(x->chap_user, sizeof(x->chap_user), "chapuser");
	x->cred_from = o.chap_from;
	snprintf(x->portal, sizeof(x->portal), "192.0.2.1:3260");
	probe_add(r, -1, "NBC-ISCSI-CHAP", NBC_SEV_ERROR, "ipxe-bios", SRV_A, "login refused");

	out = report(r, &o, "json");
	if (!json_valid(out))
		fail_msg("not valid JSON:\n%s", out);
	assert_non_null(strstr(out, "\"password_set\": true"));
	assert_non_null(strstr(out, "http://alice:****@192.0.2.1/undionly.kpxe"));
	assert_non_null(strstr(out, "\"rule\": \"NBC-LOOP-USERCLASS\""));
	assert_non_null(strstr(out, "\"chap_user\": \"chapuser\""));
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		assert_null(strstr(out, secrets[i]));
	free(out);
	/* The text and JUnit reports do not carry them either. */
	out = report(r, &o, "text");
	assert_non_null(strstr(out, "175.191 password (not shown)"));
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		assert_null(strstr(out, secrets[i]));
	free(out);
	out = report(r, &o, "junit");
	assert_non_null(strstr(out, "<testsuites"));
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		assert_null(strstr(out, secrets[i]));
	free(out);
	free_run(r);
}

static void test_probe_report_json_empty_run(void **state)
{
	struct probe_opts o;
	struct probe_run *r;
	char *out;

	(void)state;
	default_opts(&o);
	r = new_run(&o, 0);
	snprintf(r->stopped, sizeof(r->stopped), "--timeout 60 s reached");
	out = report(r, &o, "json");
	if (!json_valid(out))
		fail_msg("not valid JSON:\n%s", out);
	assert_non_null(strstr(out, "\"profiles\": [\n  ]"));
	assert_non_null(strstr(out, "\"stopped\": \"--timeout 60 s reached\""));
	assert_non_null(strstr(out, "\"interface_ip\": null"));
	free(out);
	free_run(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_discover_bios_pxe),
		cmocka_unit_test(test_probe_discover_efi64_and_arm64),
		cmocka_unit_test(test_probe_discover_ipxe_bios),
		cmocka_unit_test(test_probe_discover_pxelinux_asks_208_211),
		cmocka_unit_test(test_probe_profile_mac_and_uuid_options),
		cmocka_unit_test(test_probe_request_and_release_packets),
		cmocka_unit_test(test_probe_reply_offer_fields),
		cmocka_unit_test(test_probe_reply_bootfile_67_over_file_field),
		cmocka_unit_test(test_probe_reply_proxydhcp_detected),
		cmocka_unit_test(test_probe_reply_pxelinux_ipxe_options_redacted),
		cmocka_unit_test(test_probe_reply_rejects_other_traffic),
		cmocka_unit_test(test_probe_keep_answer_dedups_and_caps),
		cmocka_unit_test(test_probe_pick_offer_as_the_client_would),
		cmocka_unit_test(test_probe_settle_boot_merges_proxy),
		cmocka_unit_test(test_probe_settle_boot_address_offer_with_file_wins),
		cmocka_unit_test(test_probe_check_no_answer),
		cmocka_unit_test(test_probe_check_no_bootfile),
		cmocka_unit_test(test_probe_check_loop_userclass),
		cmocka_unit_test(test_probe_check_arch_mismatch_by_name),
		cmocka_unit_test(test_probe_check_no_next_server),
		cmocka_unit_test(test_probe_check_multi_server),
		cmocka_unit_test(test_probe_check_multi_server_sixteen),
		cmocka_unit_test(test_probe_check_pxelinux_209_missing),
		cmocka_unit_test(test_probe_tftp_pe_machine_vs_profile),
		cmocka_unit_test(test_probe_tftp_one_fetch_per_nbp_and_not_found),
		cmocka_unit_test(test_probe_tftp_rrq_names_the_file_as_sent),
		cmocka_unit_test(test_probe_cmd_usage_errors_exit_3),
		cmocka_unit_test(test_probe_cmd_max_bytes_rejects_spaced_negative),
		cmocka_unit_test(test_probe_cmd_valid_args_reach_the_interface),
		cmocka_unit_test(test_probe_cmd_chap_secret_sources),
		cmocka_unit_test(test_probe_json_checker_rejects_bad_json),
		cmocka_unit_test(test_probe_report_json_valid_without_secrets),
		cmocka_unit_test(test_probe_report_json_empty_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
