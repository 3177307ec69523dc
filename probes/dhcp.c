/* dhcp.c: the probe's DHCP: each profile's DISCOVER injected with libnet, every reply read with libpcap. */
#include <errno.h>
#include <libnet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "probes/probe_priv.h"
/* libnet-headers.h defines DHCP_MAGIC too (the same cookie); proto/dhcp.h's is the one used. */
#undef DHCP_MAGIC
#include "proto/dhcp.h"
#include "proto/ipxescript.h"
#include "proto/net.h"

#define SNAPLEN 4096		/* a DHCP reply on Ethernet fits in 1514 bytes */
#define MAX_MSG_SIZE 1472	/* option 57 as PXE ROMs and iPXE send it */
#define PROXY_PORT 4011		/* PXE 2.1: proxyDHCP / boot server port */

struct probe_net {
	char iface[IFNAMSIZ];
	libnet_t *ln;
	pcap_t *pc;
	int pfd;
	uint8_t mac[6];
	uint32_t ip;		/* host order, 0 when the interface has none */
	double rate;		/* DHCP packets per second */
	double last_send;	/* probe_now() of the last frame sent, 0 before the first */
	uint16_t ip_id;
	struct dhcp_msg msg;	/* decoding scratch (large: kept off the stack) */
};

__attribute__((format(printf, 3, 4))) static void put_err(char *err, size_t cap,
							   const char *fmt, ...)
{
	va_list ap;

	if (!err || cap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}

static const char NEED_CAP[] =
	"CAP_NET_RAW is missing (run as root, or setcap cap_net_raw+ep on netboot-check: "
	"libnet's injection and libpcap's capture both need it)";

/* The interface must exist, be up and be Ethernet; its MAC and IPv4 address are kept. */
static int iface_check(struct probe_net *n, const char *iface, char *err, size_t cap)
{
	struct ifreq ifr;
	size_t len = strlen(iface);
	int fd;

	if (len == 0 || len >= IFNAMSIZ) {
		put_err(err, cap, "'%s' is not an interface name", iface);
		return -1;
	}
	if (if_nametoindex(iface) == 0) {
		put_err(err, cap, "no such interface %s", iface);
		return -1;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		put_err(err, cap, "socket: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, iface, len);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		put_err(err, cap, "interface %s: %s", iface, strerror(errno));
		close(fd);
		return -1;
	}
	if (!(ifr.ifr_flags & IFF_UP)) {
		put_err(err, cap, "interface %s is down (ip link set %s up)", iface, iface);
		close(fd);
		return -1;
	}
	if (!(ifr.ifr_flags & IFF_RUNNING)) {
		put_err(err, cap, "interface %s is up but has no link (no carrier): nothing would "
			"answer", iface);
		close(fd);
		return -1;
	}
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0 || ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		put_err(err, cap, "interface %s is not an Ethernet interface", iface);
		close(fd);
		return -1;
	}
	memcpy(n->mac, ifr.ifr_hwaddr.sa_data, 6);
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, iface, len);
	ifr.ifr_addr.sa_family = AF_INET;
	if (ioctl(fd, SIOCGIFADDR, &ifr) == 0) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)&ifr.ifr_addr;

		n->ip = ntohl(sin->sin_addr.s_addr);
	}
	close(fd);
	return 0;
}

/* Raw sockets need CAP_NET_RAW: ask the kernel once, so the error names the capability. */
static int raw_allowed(const char *iface, char *err, size_t cap)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		if (errno == EPERM || errno == EACCES)
			put_err(err, cap, "no permission to send raw frames on %s: %s", iface, NEED_CAP);
		else
			put_err(err, cap, "socket(AF_PACKET): %s", strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static int open_pcap(struct probe_net *n, char *err, size_t cap)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	int rc;

	n->pc = pcap_create(n->iface, ebuf);
	if (!n->pc) {
		put_err(err, cap, "libpcap on %s: %s", n->iface, ebuf);
		return -1;
	}
	/* Promiscuous: a server may unicast to the probe's own MAC, not the interface's. */
	if (pcap_set_snaplen(n->pc, SNAPLEN) != 0 || pcap_set_promisc(n->pc, 1) != 0 ||
	    pcap_set_timeout(n->pc, 50) != 0 || pcap_set_immediate_mode(n->pc, 1) != 0) {
		put_err(err, cap, "libpcap on %s: cannot set the capture options", n->iface);
		return -1;
	}
	rc = pcap_activate(n->pc);
	if (rc < 0) {
		if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
			put_err(err, cap, "no such interface %s", n->iface);
		else if (rc == PCAP_ERROR_PERM_DENIED)
			put_err(err, cap, "no permission to capture on %s: %s", n->iface, NEED_CAP);
		else if (rc == PCAP_ERROR_IFACE_NOT_UP)
			put_err(err, cap, "interface %s is down", n->iface);
		else
			put_err(err, cap, "libpcap on %s: %s", n->iface, pcap_geterr(n->pc));
		return -1;
	}
	if (pcap_datalink(n->pc) != DLT_EN10MB) {
		put_err(err, cap, "interface %s: link type %s is not Ethernet", n->iface,
			pcap_datalink_val_to_name(pcap_datalink(n->pc))
				? pcap_datalink_val_to_name(pcap_datalink(n->pc))
				: "?");
		return -1;
	}
	(void)pcap_setdirection(n->pc, PCAP_D_IN);	/* our own frames are not answers */
	if (pcap_setnonblock(n->pc, 1, ebuf) != 0) {
		put_err(err, cap, "libpcap on %s: %s", n->iface, ebuf);
		return -1;
	}
	n->pfd = pcap_get_selectable_fd(n->pc);
	return 0;
}

struct probe_net *probe_net_open(const char *iface, double rate, char *err, size_t cap)
{
	char ebuf[LIBNET_ERRBUF_SIZE] = "";
	struct probe_net *n = calloc(1, sizeof(*n));

	if (!n) {
		put_err(err, cap, "out of memory");
		return NULL;
	}
	n->pfd = -1;
	n->rate = rate > 0 ? rate : 10;
	if (iface_check(n, iface, err, cap) < 0 || raw_allowed(iface, err, cap) < 0)
		goto fail;
	memcpy(n->iface, iface, strlen(iface) + 1);
	n->ln = libnet_init(LIBNET_LINK_ADV, n->iface, ebuf);
	if (!n->ln) {
		/* libnet says "socket: Operation not permitted" without the capability. */
		if (strstr(ebuf, "not permitted"))
			put_err(err, cap, "libnet on %s: %s", iface, NEED_CAP);
		else
			put_err(err, cap, "libnet on %s: %s", iface, ebuf[0] ? ebuf : "libnet_init failed");
		goto fail;
	}
	if (open_pcap(n, err, cap) < 0)
		goto fail;
	n->ip_id = (uint16_t)(getpid() ^ (pid_t)probe_now());
	return n;
fail:
	probe_net_close(n);
	return NULL;
}

void probe_net_close(struct probe_net *n)
{
	if (!n)
		return;
	if (n->pc)
		pcap_close(n->pc);
	if (n->ln)
		libnet_destroy(n->ln);
	explicit_bzero(&n->msg, sizeof(n->msg));	/* may hold 175.191 */
	free(n);
}

void probe_net_addrs(const struct probe_net *n, uint8_t mac[6], uint32_t *ip)
{
	memcpy(mac, n->mac, 6);
	*ip = n->ip;
}

/* ---------------------------------------------------------------------------------------- */
/* Profiles: what each client sends, from lint's tables (lint/core.c). */

void probe_profile_init(struct probe_profile *p, enum probe_pid pid, const struct probe_opts *o,
			uint32_t xid)
{
	static const struct {
		const char *name, *desc;
		enum lint_profile_id base;
		int arch;
		bool pxelinux;
	} t[PROBE_PROFILES] = {
		[PP_BIOS] = { "bios-pxe", NULL, LP_BIOS_PXE, 0, false },
		[PP_EFI64] = { "efi64-pxe", NULL, LP_EFI64_PXE, 7, false },
		/* No ARM64 profile in lint: its UEFI x64 ROM with the arch changed (RFC 4578
		 * and IANA: 11 = ARM 64-bit UEFI). */
		[PP_ARM64] = { "arm64", "UEFI ARM64 PXE ROM", LP_EFI64_PXE, 11, false },
		[PP_IPXE] = { "ipxe-bios", NULL, LP_IPXE_BIOS, 0, false },
		/* A PXE ROM whose request list names PXELINUX's options (RFC 5071): what a
		 * server sends when asked, against bios-pxe's answer when not asked. */
		[PP_PXELINUX] = { "pxelinux", "BIOS PXE ROM asking for 208-211", LP_BIOS_PXE, 0,
				  true },
	};
	const struct lint_profile *base = lint_profile_get(t[pid].base);
	struct lint_opt_bytes *o55, *o60, *o61, *o93, *o97;

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->name = t[pid].name;
	p->desc = t[pid].desc ? t[pid].desc : base->desc;
	p->arch = t[pid].arch;
	p->ipxe = base->ipxe;
	p->asks_pxelinux = t[pid].pxelinux;
	p->send = *base;
	p->chosen = p->proxy = p->nbp = -1;
	p->xid = xid;
	if (o->has_mac) {
		memcpy(p->mac, o->mac, 6);
	} else {
		/* Locally administered (02:...), "nbcp" in ASCII, then the profile. */
		static const uint8_t oui[5] = { 0x02, 0x6e, 0x62, 0x63, 0x70 };

		memcpy(p->mac, oui, 5);
		p->mac[5] = (uint8_t)(pid + 1);
	}
	o61 = &p->send.opt[61];
	if (o61->present && o61->len == 7)
		memcpy(o61->data + 1, p->mac, 6);
	if (p->arch != base->arch) {
		o93 = &p->send.opt[93];
		o93->present = true;
		o93->len = 2;
		o93->data[0] = (uint8_t)(p->arch >> 8);
		o93->data[1] = (uint8_t)p->arch;
		o60 = &p->send.opt[60];
		if (o60->present && o60->len >= 20 && memcmp(o60->data, "PXEClient:Arch:", 15) == 0) {
			char arch[6];

			snprintf(arch, sizeof(arch), "%05d", p->arch);
			memcpy(o60->data + 15, arch, 5);
		}
	}
	if (p->asks_pxelinux) {
		o55 = &p->send.opt[55];
		for (unsigned c = 208; c <= 211 && o55->len < sizeof(o55->data); c++)
			o55->data[o55->len++] = (uint8_t)c;
	}
	if (o->has_uuid) {
		o97 = &p->send.opt[97];
		o97->present = true;
		o97->len = 17;
		o97->data[0] = 0;
		memcpy(o97->data + 1, o->uuid, 16);
	}
}

/* The order Debian 12's iPXE and PXE ROMs put their options in (protocol facts). */
static const uint8_t send_order[] = { 93, 94, 60, 77, 55, 175, 61, 97 };

static size_t build_msg(const struct probe_profile *p, uint8_t type, uint16_t secs,
			uint32_t ciaddr, uint32_t req_ip, uint32_t server_id, uint8_t *out,
			size_t cap)
{
	struct dhcp_builder b;

	dhcp_build_begin(&b, out, cap, 1, p->xid, p->mac, type);
	/* Broadcast replies (PXE ROMs ask for them): the probe owns no address to unicast to. */
	dhcp_build_set_secs_flags(&b, secs, ciaddr || type == DHCPRELEASE ? 0 : 0x8000);
	if (ciaddr)
		dhcp_build_set_addrs(&b, ciaddr, 0, 0, 0);
	if (type != DHCPRELEASE) {
		dhcp_build_opt_be16(&b, DHCP_OPT_MAX_SIZE, MAX_MSG_SIZE);
		for (size_t i = 0; i < sizeof(send_order); i++) {
			const struct lint_opt_bytes *o = &p->send.opt[send_order[i]];

			if (o->present)
				dhcp_build_opt(&b, send_order[i], o->data, o->len);
		}
	} else if (p->send.opt[61].present) {
		dhcp_build_opt(&b, 61, p->send.opt[61].data, p->send.opt[61].len);
	}
	if (req_ip)
		dhcp_build_opt_be32(&b, DHCP_OPT_REQ_IP, req_ip);
	if (server_id)
		dhcp_build_opt_be32(&b, DHCP_OPT_SERVER_ID, server_id);
	return dhcp_build_end(&b);
}

/* At most n->rate DHCP packets a second, all probes together. */
static int rate_wait(struct probe_net *n, double deadline)
{
	double next, now;

	if (n->last_send <= 0)
		return 0;
	next = n->last_send + 1.0 / n->rate;
	if (next > deadline)
		return -1;
	while ((now = probe_now()) < next) {
		double d = next - now;
		struct timespec ts;

		ts.tv_sec = (time_t)d;
		ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
		(void)nanosleep(&ts, NULL);
	}
	return 0;
}

static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* Ethernet + IPv4 + UDP around payload, built and written by libnet (checksums by libnet). */
static int send_frame(struct probe_net *n, struct probe_run *r, const uint8_t dst_mac[6],
		      const uint8_t src_mac[6], uint32_t src_ip, uint32_t dst_ip, uint16_t dport,
		      const uint8_t *payload, size_t plen, char *err, size_t cap)
{
	if (rate_wait(n, r->deadline) < 0) {
		r->timed_out = true;
		put_err(err, cap, "--timeout reached");
		return 1;
	}
	libnet_clear_packet(n->ln);
	if (libnet_build_udp(68, dport, (uint16_t)(LIBNET_UDP_H + plen), 0, payload,
			     (uint32_t)plen, n->ln, 0) == -1 ||
	    libnet_build_ipv4((uint16_t)(LIBNET_IPV4_H + LIBNET_UDP_H + plen), 0, n->ip_id++, 0,
			      64, IPPROTO_UDP, 0, htonl(src_ip), htonl(dst_ip), NULL, 0, n->ln,
			      0) == -1 ||
	    libnet_build_ethernet(dst_mac, src_mac, ETHERTYPE_IP, NULL, 0, n->ln, 0) == -1) {
		put_err(err, cap, "libnet: %s", libnet_geterror(n->ln));
		return -1;
	}
	if (libnet_write(n->ln) == -1) {
		put_err(err, cap, "libnet_write on %s: %s", n->iface, libnet_geterror(n->ln));
		return -1;
	}
	n->last_send = probe_now();
	return 0;
}

static int set_filter(struct probe_net *n, uint32_t xid, char *err, size_t cap)
{
	struct bpf_program prog;
	char f[160];
	const u_char *data;
	struct pcap_pkthdr *h;

	/* udp[12:4]: BOOTP's xid (UDP header 8 bytes, then op htype hlen hops). */
	snprintf(f, sizeof(f), "udp and (port 68 or port %d) and udp[12:4] = 0x%08x", PROXY_PORT,
		 (unsigned)xid);
	if (pcap_compile(n->pc, &prog, f, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		put_err(err, cap, "libpcap filter: %s", pcap_geterr(n->pc));
		return -1;
	}
	if (pcap_setfilter(n->pc, &prog) != 0) {
		put_err(err, cap, "libpcap filter: %s", pcap_geterr(n->pc));
		pcap_freecode(&prog);
		return -1;
	}
	pcap_freecode(&prog);
	/* Frames queued under the previous filter belong to the previous probe. */
	for (int i = 0; i < 1000 && pcap_next_ex(n->pc, &h, &data) == 1; i++)
		;
	return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Replies. */

static void opt_text(const struct dhcp_msg *m, uint8_t code, bool *has, char *dst, size_t cap)
{
	const struct dhcp_optval *o = dhcp_opt(m, code);

	*has = o != NULL;
	if (o)
		probe_text(o->val, o->len, dst, cap);
	else if (cap)
		dst[0] = '\0';
}

/* A name a server sent: its own bytes into real (fetched with), its printable form with
 * any URL password redacted into shown. */
static void shown_from(struct view v, char *real, size_t realcap, char *shown, size_t shcap)
{
	char text[PROBE_TEXT];

	probe_raw(v.p, v.len, real, realcap);
	probe_text(v.p, v.len, text, sizeof(text));
	ipxe_uri_redact(text, shown, shcap);
}

/* Fills a from a decoded reply: every byte read through proto/dhcp's accessors. */
static void answer_from(const struct dhcp_msg *m, struct probe_answer *a)
{
	const struct dhcp_optval *o;
	struct view bf = dhcp_bootfile(m);

	a->msgtype = m->msgtype;
	a->server_id = dhcp_server_id(m);
	a->has_54 = a->server_id != 0;
	if (!a->has_54)
		a->server_id = a->src_ip;
	a->siaddr = m->siaddr;
	a->yiaddr = m->yiaddr;
	a->has_file = bf.len > 0 && bf.p[0] != 0;
	/* The _real copies hold the bytes as sent (fetched with); the shown ones their printable
	 * form, and a URL's user:password (iPXE sends it after a 401) is never shown. */
	shown_from(a->has_file ? bf : (struct view){ NULL, 0 }, a->file_real,
		   sizeof(a->file_real), a->file, sizeof(a->file));
	opt_text(m, DHCP_OPT_TFTP_SERVER, &a->has_66, a->tftp_server, sizeof(a->tftp_server));
	a->has_43 = dhcp_opt(m, DHCP_OPT_VENDOR) != NULL;
	opt_text(m, DHCP_OPT_VENDOR_CLASS, &a->has_60, a->vendor_class, sizeof(a->vendor_class));
	o = dhcp_opt(m, DHCP_OPT_PXELINUX_CONFIGFILE);
	a->has_209 = o != NULL;
	shown_from(o ? (struct view){ o->val, o->len } : (struct view){ NULL, 0 }, a->configfile_real,
		   sizeof(a->configfile_real), a->configfile, sizeof(a->configfile));
	o = dhcp_opt(m, DHCP_OPT_PXELINUX_PATHPREFIX);
	a->has_210 = o != NULL;
	shown_from(o ? (struct view){ o->val, o->len } : (struct view){ NULL, 0 }, a->pathprefix_real,
		   sizeof(a->pathprefix_real), a->pathprefix, sizeof(a->pathprefix));
	opt_text(m, DHCP_OPT_ROOT_PATH, &a->has_17, a->root_path, sizeof(a->root_path));
	a->keep_san = a->skip_san_boot = -1;
	o = dhcp_opt(m, DHCP_OPT_IPXE);
	if (o) {
		struct view enc = { o->val, o->len }, s;

		if (dhcp_encap_find(enc, DHCP_IPXE_KEEP_SAN, &s) && s.len >= 1)
			a->keep_san = s.p[0];
		if (dhcp_encap_find(enc, DHCP_IPXE_SKIP_SAN_BOOT, &s) && s.len >= 1)
			a->skip_san_boot = s.p[0];
		if (dhcp_encap_find(enc, DHCP_IPXE_USERNAME, &s)) {
			a->has_175_user = true;
			probe_text(s.p, s.len, a->ipxe_user, sizeof(a->ipxe_user));
		}
		if (dhcp_encap_find(enc, DHCP_IPXE_PASSWORD, &s)) {
			size_t k = s.len < sizeof(a->ipxe_pass) - 1 ? s.len : sizeof(a->ipxe_pass) - 1;

			a->has_175_pass = true;
			/* The secret as sent (CHAP compares bytes); never printed. */
			memcpy(a->ipxe_pass, s.p, k);
			a->ipxe_pass[k] = '\0';
		}
	}
	a->proxy = m->msgtype == DHCPOFFER && m->yiaddr == 0 &&
		   dhcp_vendor_class_is(m, "PXEClient") && (a->has_file || a->has_43);
}

/* Decodes one captured frame; true if it is a DHCP reply to this probe. */
static bool parse_frame(struct probe_net *n, const struct probe_profile *p, const uint8_t *frame,
			size_t caplen, struct probe_answer *a)
{
	struct net_link_hdr lh;
	struct net_ipv4 ip;
	struct net_udp udp;
	struct dhcp_msg *m = &n->msg;

	if (net_decode_link(NET_LINK_ETHERNET, frame, caplen, &lh) != NET_OK ||
	    lh.ethertype != NET_ETHERTYPE_IPV4)
		return false;
	if (net_decode_ipv4(lh.payload, &ip) != NET_OK || ip.proto != 17 ||
	    net_ipv4_is_fragment(&ip) || ip.cut)
		return false;
	if (net_decode_udp(ip.payload, &udp) != NET_OK || udp.cut ||
	    (udp.dport != 68 && udp.dport != PROXY_PORT))
		return false;
	if (dhcp_decode(udp.payload.p, udp.payload.len, m) != 0 ||
	    (m->problems & DHCP_PROB_SHORT) || m->op != 2 || m->htype != 1 || m->hlen != 6 ||
	    m->xid != p->xid || memcmp(m->chaddr, p->mac, 6) != 0 ||
	    (m->msgtype != DHCPOFFER && m->msgtype != DHCPACK && m->msgtype != DHCPNAK))
		return false;
	memset(a, 0, sizeof(*a));
	memcpy(a->src_mac, lh.src_mac, 6);
	a->src_ip = ip.src;
	a->via_4011 = udp.dport == PROXY_PORT || udp.sport == PROXY_PORT;
	answer_from(m, a);
	return true;
}

enum phase { PH_DISCOVER, PH_PROXY, PH_REQUEST };

static bool same_server(const struct probe_answer *a, const struct probe_answer *b)
{
	return a->server_id == b->server_id || a->src_ip == b->src_ip;
}

/* Keeps a reply to the DISCOVER (one per server and type: a resent DISCOVER is answered twice). */
static void keep_answer(struct probe_profile *p, const struct probe_answer *a)
{
	for (size_t i = 0; i < p->nans; i++)
		if (p->ans[i].msgtype == a->msgtype && p->ans[i].server_id == a->server_id &&
		    p->ans[i].via_4011 == a->via_4011)
			return;
	if (p->nans >= PROBE_ANSWERS_MAX) {
		p->dropped++;
		return;
	}
	p->ans[p->nans++] = *a;
}

/*
 * Reads replies until `until`. PH_DISCOVER keeps them all; PH_PROXY returns 1 at the
 * proxy's ACK; PH_REQUEST returns 1 at the chosen server's ACK or NAK. 0: time is up.
 */
static int collect(struct probe_net *n, struct probe_profile *p, enum phase ph, double t0,
		   double until, char *err, size_t cap)
{
	struct probe_answer a;

	for (;;) {
		double left = until - probe_now();
		struct pcap_pkthdr *h;
		const u_char *data;
		int rc;

		if (left <= 0)
			return 0;
		if (n->pfd >= 0) {
			struct pollfd pfd = { n->pfd, POLLIN, 0 };
			int ms = (int)(left * 1000.0) + 1;

			if (poll(&pfd, 1, ms > 50 ? 50 : ms) < 0 && errno != EINTR) {
				put_err(err, cap, "poll: %s", strerror(errno));
				return -1;
			}
		} else {
			usleep(10000);
		}
		while ((rc = pcap_next_ex(n->pc, &h, &data)) == 1) {
			if (!parse_frame(n, p, data, h->caplen, &a))
				continue;
			a.at = probe_now() - t0;
			if (ph == PH_PROXY && a.msgtype == DHCPACK && p->proxy >= 0 &&
			    same_server(&a, &p->ans[p->proxy])) {
				a.via_4011 = true;
				p->proxy_ack = a;
				p->has_proxy_ack = true;
				explicit_bzero(&a, sizeof(a));
				return 1;
			}
			if (ph == PH_REQUEST && p->chosen >= 0 &&
			    (a.msgtype == DHCPACK || a.msgtype == DHCPNAK) &&
			    same_server(&a, &p->ans[p->chosen]) && !a.via_4011) {
				if (a.msgtype == DHCPACK) {
					p->ack = a;
					p->has_ack = true;
				} else {
					p->nak = true;
				}
				explicit_bzero(&a, sizeof(a));
				return 1;
			}
			/* Late offers to the DISCOVER are answers all the same. */
			if (a.msgtype == DHCPOFFER || ph == PH_DISCOVER)
				keep_answer(p, &a);
			explicit_bzero(&a, sizeof(a));
		}
		if (rc < 0) {
			put_err(err, cap, "libpcap on %s: %s", n->iface, pcap_geterr(n->pc));
			return -1;
		}
	}
}

/* The address offer the client would take: --server's, else as a PXE ROM (the first one
 * with a boot file, else the first) or iPXE (the first) picks it (firmware/dhcpc.c). */
static int pick_offer(const struct probe_run *r, const struct probe_profile *p)
{
	int first = -1;

	for (size_t i = 0; i < p->nans; i++) {
		const struct probe_answer *a = &p->ans[i];

		if (a->msgtype != DHCPOFFER || a->yiaddr == 0)
			continue;
		if (r->o->has_server && a->server_id == r->o->server)
			return (int)i;
	}
	for (size_t i = 0; i < p->nans; i++) {
		const struct probe_answer *a = &p->ans[i];

		if (a->msgtype != DHCPOFFER || a->yiaddr == 0)
			continue;
		if (first < 0)
			first = (int)i;
		if (p->ipxe)
			break;
		if (a->has_file)
			return (int)i;
	}
	return first;
}

static int pick_proxy(const struct probe_profile *p)
{
	for (size_t i = 0; i < p->nans; i++)
		if (p->ans[i].proxy)
			return (int)i;
	return -1;
}

static uint16_t secs_since(double t0)
{
	double e = probe_now() - t0;

	return e >= 65535.0 ? 65535 : (uint16_t)e;
}

/* Boot half of an answer: what a proxyDHCP contributes to a client's boot. */
static void merge_boot(struct probe_answer *dst, const struct probe_answer *src)
{
	dst->siaddr = src->siaddr;
	dst->has_file = src->has_file;
	memcpy(dst->file, src->file, sizeof(dst->file));
	memcpy(dst->file_real, src->file_real, sizeof(dst->file_real));
	dst->has_66 = src->has_66;
	memcpy(dst->tftp_server, src->tftp_server, sizeof(dst->tftp_server));
	dst->has_43 = src->has_43;
	if (src->has_209) {
		dst->has_209 = true;
		memcpy(dst->configfile, src->configfile, sizeof(dst->configfile));
		memcpy(dst->configfile_real, src->configfile_real, sizeof(dst->configfile_real));
	}
	if (src->has_210) {
		dst->has_210 = true;
		memcpy(dst->pathprefix, src->pathprefix, sizeof(dst->pathprefix));
		memcpy(dst->pathprefix_real, src->pathprefix_real, sizeof(dst->pathprefix_real));
	}
	if (src->has_17) {
		dst->has_17 = true;
		memcpy(dst->root_path, src->root_path, sizeof(dst->root_path));
	}
	if (src->keep_san >= 0)
		dst->keep_san = src->keep_san;
	if (src->skip_san_boot >= 0)
		dst->skip_san_boot = src->skip_san_boot;
	if (src->has_175_user) {
		dst->has_175_user = true;
		memcpy(dst->ipxe_user, src->ipxe_user, sizeof(dst->ipxe_user));
	}
	if (src->has_175_pass) {
		dst->has_175_pass = true;
		memcpy(dst->ipxe_pass, src->ipxe_pass, sizeof(dst->ipxe_pass));
	}
}

static void settle_boot(struct probe_profile *p)
{
	const struct probe_answer *base = p->has_ack ? &p->ack
					  : p->chosen >= 0 ? &p->ans[p->chosen] : NULL;

	if (base) {
		p->boot = *base;
		p->has_boot = true;
		p->boot_server = base->server_id;
	}
	if (p->proxy >= 0 && (!base || !base->has_file)) {
		const struct probe_answer *px = p->has_proxy_ack ? &p->proxy_ack : &p->ans[p->proxy];

		if (!base) {
			p->boot = *px;
			p->has_boot = true;
		} else {
			merge_boot(&p->boot, px);
		}
		p->boot_server = px->server_id;
	}
}

int probe_dhcp(struct probe_net *n, struct probe_run *r, struct probe_profile *p, char *err,
	       size_t cap)
{
	uint8_t msg[1024];
	double t0, end, half;
	size_t len;
	int rc;

	if (set_filter(n, p->xid, err, cap) < 0)
		return -1;
	len = build_msg(p, DHCPDISCOVER, 0, 0, 0, 0, msg, sizeof(msg));
	rc = send_frame(n, r, bcast_mac, p->mac, 0, 0xffffffffu, 67, msg, len, err, cap);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	/* The windows start when the frame left, after the rate limit's wait. */
	t0 = n->last_send;
	end = t0 + r->o->wait < r->deadline ? t0 + r->o->wait : r->deadline;
	p->discovers++;
	/* One DISCOVER again halfway when nobody has answered yet (a lost frame, a slow server). */
	half = t0 + r->o->wait / 2;
	if (collect(n, p, PH_DISCOVER, t0, half < end ? half : end, err, cap) < 0)
		return -1;
	if (p->nans == 0 && probe_now() < end) {
		len = build_msg(p, DHCPDISCOVER, secs_since(t0), 0, 0, 0, msg, sizeof(msg));
		rc = send_frame(n, r, bcast_mac, p->mac, 0, 0xffffffffu, 67, msg, len, err, cap);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			p->discovers++;
			/* The rate limit may have held it back: give its answers time too. */
			if (n->last_send + r->o->wait / 2 > end)
				end = n->last_send + r->o->wait / 2 < r->deadline
					      ? n->last_send + r->o->wait / 2
					      : r->deadline;
		}
	}
	if (collect(n, p, PH_DISCOVER, t0, end, err, cap) < 0)
		return -1;
	p->chosen = pick_offer(r, p);
	p->proxy = pick_proxy(p);

	/* proxyDHCP (PXE 2.1): REQUEST to the proxy's port 4011 for the boot file, from our
	 * own address on the interface when there is one (the answer comes back to it), else
	 * from 0.0.0.0 (netboot-serve and dnsmasq then answer by broadcast). Two tries. */
	if (p->proxy >= 0 && r->deadline > probe_now()) {
		const struct probe_answer *px = &p->ans[p->proxy];
		double per = r->o->wait / 2 < 2 ? r->o->wait / 2 : 2;

		for (int t = 0; t < 2 && !p->has_proxy_ack; t++) {
			double until;

			len = build_msg(p, DHCPREQUEST, secs_since(t0), r->if_ip, 0, px->server_id, msg,
					sizeof(msg));
			rc = send_frame(n, r, px->src_mac, p->mac, r->if_ip, px->src_ip, PROXY_PORT, msg,
					len, err, cap);
			if (rc != 0)
				break;
			until = n->last_send + per < r->deadline ? n->last_send + per : r->deadline;
			p->proxy_asked = true;
			if (collect(n, p, PH_PROXY, t0, until, err, cap) < 0)
				return -1;
		}
		if (rc < 0)
			return -1;
	}

	/* --request: REQUEST the chosen offer (broadcast, 50 + 54), then RELEASE the lease. */
	if (r->o->request && p->chosen >= 0 && r->deadline > probe_now()) {
		const struct probe_answer *off = &p->ans[p->chosen];
		double per = r->o->wait / 2 < 2 ? r->o->wait / 2 : 2;

		for (int t = 0; t < 2 && !p->has_ack && !p->nak; t++) {
			double until;

			len = build_msg(p, DHCPREQUEST, secs_since(t0), 0, off->yiaddr, off->server_id,
					msg, sizeof(msg));
			rc = send_frame(n, r, bcast_mac, p->mac, 0, 0xffffffffu, 67, msg, len, err, cap);
			if (rc != 0)
				break;
			until = n->last_send + per < r->deadline ? n->last_send + per : r->deadline;
			p->requested = true;
			if (collect(n, p, PH_REQUEST, t0, until, err, cap) < 0)
				return -1;
		}
		if (rc < 0)
			return -1;
		if (p->has_ack && p->ack.yiaddr) {
			/* RFC 2131 4.4.6: unicast to the server, ciaddr = the address given back. */
			len = build_msg(p, DHCPRELEASE, 0, p->ack.yiaddr, 0, p->ack.server_id, msg,
					sizeof(msg));
			rc = send_frame(n, r, p->ack.src_mac, p->mac, p->ack.yiaddr, p->ack.server_id, 67,
					msg, len, err, cap);
			if (rc < 0)
				return -1;
			p->released = rc == 0;
		}
	}
	settle_boot(p);
	if (p->nans == 0)
		snprintf(p->note, sizeof(p->note), "no DHCP answer within %.1f s", probe_now() - t0);
	return 0;
}
