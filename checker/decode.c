/*
 * decode.c: prints one tab-separated row per DHCP or TFTP packet with the
 * field names tshark uses (-T fields -E occurrence=a -E aggregator=,), so a
 * decoding can be compared with tshark's column by column.
 */
#include "checker/decode.h"

#include <stdio.h>
#include <string.h>

#include "checker/capture.h"
#include "proto/dhcp.h"
#include "proto/net.h"
#include "proto/tftp.h"

static const char HEADER[] =
	"frame.number\tdhcp.type\tdhcp.option.dhcp\tdhcp.id\tdhcp.hw.mac_addr\tdhcp.ip.your\t"
	"dhcp.ip.server\tdhcp.server\tdhcp.file\tdhcp.option.option_overload\t"
	"dhcp.option.vendor_class_id\tdhcp.option.user_class.text\t"
	"dhcp.option.client_system_architecture\tdhcp.option.request_list_item\t"
	"dhcp.option.bootfile_name\tdhcp.option.pxe_config_file\tdhcp.option.pxe_path_prefix\t"
	"tftp.opcode\ttftp.source_file\ttftp.destination_file\ttftp.type\ttftp.block\t"
	"tftp.error.code\ttftp.error.message\n";

static void field(struct view v)
{
	char buf[1024];

	view_to_printable(v, buf, sizeof(buf));
	/* A tab or newline would break the row: view_to_printable escapes them. */
	fputs(buf, stdout);
}

static void opt_text(const struct dhcp_msg *m, uint8_t code)
{
	const struct dhcp_optval *o = dhcp_opt(m, code);

	struct view v;

	if (!o)
		return;
	/* Some servers count the C string's NUL in the option; tshark does not show it. */
	v.p = o->val;
	v.len = o->len;
	while (v.len && v.p[v.len - 1] == 0)
		v.len--;
	field(v);
}

static void tap_dhcp(void *ctx, uint64_t frame, const struct dhcp_msg *m)
{
	const struct dhcp_optval *o;
	char ip[16], mac[18], uc[512];

	(void)ctx;
	printf("%llu\t%u\t", (unsigned long long)frame, m->op);
	if (m->msgtype)
		printf("%u", m->msgtype);
	printf("\t0x%08x\t", m->xid);
	if (m->hlen == 6)
		fputs(net_mac_str(m->chaddr, mac, sizeof(mac)), stdout);
	printf("\t%s\t", net_ip_str(m->yiaddr, ip, sizeof(ip)));
	printf("%s\t", net_ip_str(m->siaddr, ip, sizeof(ip)));
	field(m->sname);
	putchar('\t');
	field(m->file);
	putchar('\t');
	if (m->overload)
		printf("%u", m->overload);
	putchar('\t');
	opt_text(m, DHCP_OPT_VENDOR_CLASS);
	putchar('\t');
	dhcp_user_class_str(m, uc, sizeof(uc));
	fputs(uc, stdout);
	putchar('\t');
	if ((o = dhcp_opt(m, DHCP_OPT_CLIENT_ARCH)) != NULL)
		for (uint16_t i = 0; i + 1 < o->len; i += 2)
			printf("%s%u", i ? "," : "", (unsigned)(o->val[i] << 8 | o->val[i + 1]));
	putchar('\t');
	if ((o = dhcp_opt(m, DHCP_OPT_PRL)) != NULL)
		for (uint16_t i = 0; i < o->len; i++)
			printf("%s%u", i ? "," : "", o->val[i]);
	putchar('\t');
	opt_text(m, DHCP_OPT_BOOTFILE);
	putchar('\t');
	opt_text(m, DHCP_OPT_PXELINUX_CONFIGFILE);
	putchar('\t');
	opt_text(m, DHCP_OPT_PXELINUX_PATHPREFIX);
	fputs("\t\t\t\t\t\t\t\n", stdout);
}

static void tap_tftp(void *ctx, uint64_t frame, const struct tftp_pkt *t, const char *name,
		     bool write)
{
	(void)ctx;
	printf("%llu\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t%u\t", (unsigned long long)frame, t->op);
	/* tshark: an RRQ names its source file, a WRQ and the transfer packets the destination. */
	(void)write;
	if (t->op == TFTP_RRQ)
		printf("%s\t\t", name);
	else
		printf("\t%s\t", name);
	if (t->op == TFTP_RRQ || t->op == TFTP_WRQ)
		field(t->mode);
	putchar('\t');
	if (t->op == TFTP_DATA || t->op == TFTP_ACK)
		printf("%u", t->block);
	putchar('\t');
	if (t->op == TFTP_ERROR) {
		printf("%u\t", t->errcode);
		field(t->errmsg);
	} else {
		putchar('\t');
	}
	putchar('\n');
}

int cmd_decode(int argc, char **argv)
{
	struct eng_tap tap = { NULL, tap_dhcp, tap_tftp };
	struct eng_options opt = { 30.0, NULL, &tap, false };
	struct nbc_engine *e;
	const char *path = NULL;
	char err[512];
	bool truncated;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs("usage: netboot-check decode [-r] FILE\n\nPrints one tab-separated row "
			      "per DHCP and TFTP packet of FILE (pcap or pcapng), under a header\n"
			      "naming the columns by tshark's field names. Exit status: 0, 2 the file "
			      "cannot be read, 3 usage.\n",
			      stdout);
			return 0;
		}
		if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "netboot-check: decode: unknown option '%s'\n", argv[i]);
			return 3;
		} else
			path = argv[i];
	}
	if (!path) {
		fputs("netboot-check: decode needs a capture file\n", stderr);
		return 3;
	}
	e = engine_new(&opt);
	if (!e)
		return 2;
	fputs(HEADER, stdout);
	rc = capture_read_file(path, e, &truncated, err, sizeof(err));
	engine_free(e);
	if (rc != 0 || truncated) {
		fprintf(stderr, "netboot-check: %s\n", err);
		return 2;
	}
	return 0;
}
