/* fuzz_dhcpd.c: netboot-serve's DHCP decision (server/dhcpd.h) on hostile requests.
 *
 * Input: byte 0 picks the site (bit 1: proxyDHCP) and the port (bit 0: 4011); the rest is
 * up to 8 records of a 2-byte big-endian length and a UDP payload, answered in order by one
 * dhcpd (so that leases and the small pool carry over between requests). Each reply the
 * server builds must decode as DHCP and fit its buffer. */
#include "fuzz/fuzz_common.h"
#include "proto/dhcp.h"
#include "proto/site.h"
#include "server/dhcpd.h"

static const char SITE_TEXT[] = "server.address = 192.0.2.1\n"
				"dhcp.pool = 192.0.2.100 192.0.2.102\n"
				"dhcp.netmask = 255.255.255.0\n"
				"dhcp.router = 192.0.2.1\n"
				"dhcp.host = 52:54:00:ab:cd:99 192.0.2.50\n"
				"boot.bios = undionly.kpxe\n"
				"boot.efi-x64 = snponly.efi\n"
				"boot.efi-ia32 = ipxe-ia32.efi\n"
				"boot.arm64 = ipxe-arm64.efi\n"
				"boot.ipxe-script = http://192.0.2.1/boot.ipxe\n"
				"pxelinux.magic = yes\n"
				"pxelinux.configfile = pxelinux.cfg/boot\n"
				"pxelinux.pathprefix = http://192.0.2.1/\n"
				"pxelinux.reboottime = 30\n"
				"san.keep-san = 1\n"
				"san.root-path = iscsi:192.0.2.1::::iqn.2026-11.example:disk0\n";

static const char PROXY_TEXT[] = "server.address = 192.0.2.1\n"
				 "dhcp.proxy = yes\n"
				 "boot.bios = undionly.kpxe\n"
				 "boot.efi-x64 = snponly.efi\n"
				 "boot.ipxe-script = http://192.0.2.1/boot.ipxe\n";

static struct site sites[2];
static struct dhcp_msg req, rep;

static void load(struct site *s, const char *text)
{
	char err[256];

	site_init(s);
	if (site_parse((struct view){ (const uint8_t *)text, strlen(text) }, "fuzz", s, err,
		       sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_dhcpd: built-in site: %s\n", err);
		abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	load(&sites[0], SITE_TEXT);
	load(&sites[1], PROXY_TEXT);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dhcpd_conf c;
	struct dhcpd_reply r;
	struct dhcpd *d;
	char err[256];
	size_t off = 1;
	unsigned n = 0;

	if (size < 1)
		return 0;
	memset(&c, 0, sizeof(c));
	c.site = &sites[(data[0] >> 1) & 1];
	c.port = 67;
	d = dhcpd_new_detached(&c, err, sizeof(err));
	if (!d) {
		fprintf(stderr, "fuzz_dhcpd: %s\n", err);
		abort();
	}
	while (off + 2 <= size && n++ < 8) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];
		uint8_t *pkt;

		off += 2;
		if (len > size - off)
			len = size - off;
		pkt = malloc(len ? len : 1);
		if (!pkt)
			abort();
		if (len)
			memcpy(pkt, data + off, len);
		off += len;
		/* netboot-serve answers only what decodes with a cookie and a message type. */
		if (dhcp_decode(pkt, len, &req) == 0 && req.has_cookie && req.msgtype) {
			memset(&r, 0, sizeof(r));
			dhcpd_answer(d, &req, data[0] & 1, &r);
			FUZZ_ASSERT(r.len <= sizeof(r.buf));
			FUZZ_ASSERT(fuzz_terminated(r.log, sizeof(r.log)));
			if (r.len) {
				FUZZ_ASSERT(dhcp_decode(r.buf, r.len, &rep) == 0);
				FUZZ_ASSERT(rep.has_cookie && rep.msgtype != 0);
				FUZZ_ASSERT(!(rep.problems & (DHCP_PROB_OPT_OVERRUN | DHCP_PROB_NO_END)));
				FUZZ_ASSERT(rep.xid == req.xid);
			}
		}
		free(pkt);
	}
	dhcpd_free(d);
	return 0;
}
