/* dhcpc.c: netboot-firmware's DHCP stage: a PXE ROM's or iPXE's DHCP on raw frames, proxyDHCP. */
#include "firmware/dhcpc.h"

#include <errno.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <net/route.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proto/net.h"

/* A PXE ROM's request list (PXE 2.1 ROMs, Intel Boot Agent): no 208-211, no 175. */
static const uint8_t pxe_prl[] = {
	1, 2, 3, 5, 6, 11, 12, 13, 15, 16, 17, 18, 22, 23, 28, 40, 41, 42, 43,
	50, 51, 54, 58, 59, 60, 66, 67, 128, 129, 130, 131, 132, 133, 134, 135,
};

/* Debian 12's iPXE (../shared/pcaps/real/dhcpd-userclass-script, frame 5). */
static const uint8_t ipxe_prl[] = {
	1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119,
	128, 129, 130, 131, 132, 133, 134, 135, 175, 203,
};

/*
 * Option 175 exactly as Debian 12's iPXE sent it (same capture): 177 bus id (PCI
 * 8086:100e, QEMU's e1000), 235 version 1.0.0, then one-byte feature flags
 * (ipxe include/ipxe/features.h): 23 DNS, 34 ?, 19 HTTP, 17 iSCSI, 39 ?, 25 ?, 41 ?,
 * 16 PXE extension (2), 33 PXE, 21 TFTP, 24 bzImage, 18 AoE.
 */
static const uint8_t ipxe_features[] = {
	0xb1, 0x05, 0x01, 0x80, 0x86, 0x10, 0x0e,
	0xeb, 0x03, 0x01, 0x00, 0x00,
	0x17, 0x01, 0x01, 0x22, 0x01, 0x01, 0x13, 0x01, 0x01, 0x11, 0x01, 0x01,
	0x27, 0x01, 0x01, 0x19, 0x01, 0x01, 0x29, 0x01, 0x01, 0x10, 0x01, 0x02,
	0x21, 0x01, 0x01, 0x15, 0x01, 0x01, 0x18, 0x01, 0x01, 0x12, 0x01, 0x01,
};

static const uint8_t undi_version[] = { 1, 2, 1 };	/* option 94: UNDI 2.1 */

#define MAX_OFFERS 8
#define FRAME_MAX 2048

size_t dhcpc_build(const struct dhcpc_conf *c, const uint8_t mac[6], uint8_t type, uint32_t xid,
		   uint16_t secs, uint32_t requested_ip, uint32_t server_id, uint8_t *out,
		   size_t cap)
{
	struct dhcp_builder b;
	bool ipxe = c->persona == DHCPC_IPXE;
	char vc[48];
	uint8_t v[17];

	dhcp_build_begin(&b, out, cap, 1, xid, mac, type);
	/* The real iPXE captures here carry flags 0; PXE 2.1 ROMs ask for broadcast replies. */
	dhcp_build_set_secs_flags(&b, secs, ipxe ? 0 : 0x8000);
	dhcp_build_opt_be16(&b, DHCP_OPT_MAX_SIZE, 1472);
	dhcp_build_opt_be16(&b, DHCP_OPT_CLIENT_ARCH, c->arch);
	dhcp_build_opt(&b, DHCP_OPT_CLIENT_NDI, undi_version, sizeof(undi_version));
	v[0] = 0;
	memcpy(v + 1, c->uuid, 16);
	if (!ipxe)
		dhcp_build_opt(&b, DHCP_OPT_CLIENT_UUID, v, sizeof(v));
	snprintf(vc, sizeof(vc), "PXEClient:Arch:%05u:UNDI:002001", (unsigned)c->arch);
	dhcp_build_opt_str(&b, DHCP_OPT_VENDOR_CLASS, vc);
	if (ipxe) {
		uint8_t cid[7];

		/* Bare "iPXE", not RFC 3004 items: what ISC dhcpd's user-class test matches. */
		dhcp_build_opt(&b, DHCP_OPT_USER_CLASS, "iPXE", 4);
		dhcp_build_opt(&b, DHCP_OPT_PRL, ipxe_prl, sizeof(ipxe_prl));
		dhcp_build_opt(&b, DHCP_OPT_IPXE, ipxe_features, sizeof(ipxe_features));
		cid[0] = 1;
		memcpy(cid + 1, mac, 6);
		dhcp_build_opt(&b, DHCP_OPT_CLIENT_ID, cid, sizeof(cid));
		dhcp_build_opt(&b, DHCP_OPT_CLIENT_UUID, v, sizeof(v));
	} else {
		dhcp_build_opt(&b, DHCP_OPT_PRL, pxe_prl, sizeof(pxe_prl));
	}
	/* iPXE appends 54 then 50 to its REQUEST (same capture, frame 17). */
	if (server_id)
		dhcp_build_opt_be32(&b, DHCP_OPT_SERVER_ID, server_id);
	if (requested_ip)
		dhcp_build_opt_be32(&b, DHCP_OPT_REQ_IP, requested_ip);
	return dhcp_build_end(&b);
}

bool dhcpc_has_bootfile(const struct dhcp_msg *m)
{
	struct view v = dhcp_bootfile(m);

	return v.len > 0 && v.p[0] != 0;
}

static bool is_proxy_offer(const struct dhcp_msg *m)
{
	return m->msgtype == DHCPOFFER && m->yiaddr == 0 &&
	       dhcp_vendor_class_is(m, "PXEClient");
}

int dhcpc_pick_offer(const struct dhcp_msg *offers[], size_t n, bool pxe)
{
	int first = -1;

	for (size_t i = 0; i < n; i++) {
		const struct dhcp_msg *m = offers[i];

		if (!m || m->msgtype != DHCPOFFER || m->yiaddr == 0)
			continue;
		if (first < 0)
			first = (int)i;
		if (!pxe)
			break;
		if (dhcpc_has_bootfile(m))
			return (int)i;
	}
	return first;
}

int dhcpc_pick_proxy(const struct dhcp_msg *offers[], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (offers[i] && is_proxy_offer(offers[i]))
			return (int)i;
	return -1;
}

/* Copies an option's text, stopping at a NUL, always terminated. */
static void copy_text(char *dst, size_t cap, const uint8_t *p, size_t len)
{
	size_t n = 0;

	while (n < len && n + 1 < cap && p[n] != 0) {
		dst[n] = (char)p[n];
		n++;
	}
	dst[n] = '\0';
}

static bool opt_text(const struct dhcp_msg *m, uint8_t code, char *dst, size_t cap)
{
	const struct dhcp_optval *o = dhcp_opt(m, code);

	if (!o)
		return false;
	copy_text(dst, cap, o->val, o->len);
	return true;
}

static uint32_t opt_ip(const struct dhcp_msg *m, uint8_t code)
{
	const struct dhcp_optval *o = dhcp_opt(m, code);

	if (!o || o->len < 4)
		return 0;
	return (uint32_t)o->val[0] << 24 | (uint32_t)o->val[1] << 16 |
	       (uint32_t)o->val[2] << 8 | o->val[3];
}

void dhcpc_lease_from(const struct dhcp_msg *m, struct dhcpc_lease *l)
{
	const struct dhcp_optval *o;
	struct view bf = dhcp_bootfile(m);

	memset(l, 0, sizeof(*l));
	l->keep_san = -1;
	l->skip_san_boot = -1;
	l->ip = m->yiaddr;
	l->siaddr = m->siaddr;
	l->server_id = dhcp_server_id(m);
	l->boot_server = l->server_id;
	l->netmask = opt_ip(m, DHCP_OPT_SUBNET);
	l->router = opt_ip(m, DHCP_OPT_ROUTER);
	copy_text(l->bootfile, sizeof(l->bootfile), bf.p, bf.len);
	opt_text(m, DHCP_OPT_TFTP_SERVER, l->tftp_server, sizeof(l->tftp_server));
	l->has_209 = opt_text(m, DHCP_OPT_PXELINUX_CONFIGFILE, l->configfile, sizeof(l->configfile));
	l->has_210 = opt_text(m, DHCP_OPT_PXELINUX_PATHPREFIX, l->pathprefix, sizeof(l->pathprefix));
	opt_text(m, DHCP_OPT_ROOT_PATH, l->root_path, sizeof(l->root_path));
	o = dhcp_opt(m, DHCP_OPT_IPXE);
	if (o) {
		struct view enc = { o->val, o->len }, s;

		if (dhcp_encap_find(enc, DHCP_IPXE_KEEP_SAN, &s) && s.len >= 1)
			l->keep_san = s.p[0];
		if (dhcp_encap_find(enc, DHCP_IPXE_SKIP_SAN_BOOT, &s) && s.len >= 1)
			l->skip_san_boot = s.p[0];
		if (dhcp_encap_find(enc, DHCP_IPXE_USERNAME, &s))
			copy_text(l->ipxe_username, sizeof(l->ipxe_username), s.p, s.len);
		if (dhcp_encap_find(enc, DHCP_IPXE_PASSWORD, &s))
			copy_text(l->ipxe_password, sizeof(l->ipxe_password), s.p, s.len);
	}
	l->has_uuid = dhcp_client_uuid(m, l->uuid);
}

/* ---- I/O ---- */

struct dhcpc_rx {
	uint8_t raw[FRAME_MAX];	/* the UDP payload: m's views point into it */
	size_t len;
	uint32_t src;		/* IPv4 source, host order */
	struct dhcp_msg m;
};

struct dhcpc_run_state {
	const struct dhcpc_conf *c;
	void (*log)(void *ctx, const char *line);
	void *ctx;
	int fd;
	int ifindex;
	uint8_t mac[6];
	uint16_t sport, cport;
	uint32_t xid;
	uint16_t ip_id;
	double t0, deadline;
	struct dhcpc_rx offers[MAX_OFFERS];
	size_t noffers;
	struct dhcpc_rx rx;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

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

__attribute__((format(printf, 2, 3))) static void logf_(const struct dhcpc_run_state *s,
							 const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!s->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->log(s->ctx, line);
}

static const char *ip_s(uint32_t ip, char *buf)
{
	return net_ip_str(ip, buf, 16);
}

/* The boot file as printable text for the log (bytes outside 0x20..0x7e shown as '?'). */
static void bootfile_s(const struct dhcp_msg *m, char *dst, size_t cap)
{
	struct view v = dhcp_bootfile(m);

	copy_text(dst, cap, v.p, v.len);
	for (char *p = dst; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
}

static void log_rx(const struct dhcpc_run_state *s, const struct dhcpc_rx *r, const char *what)
{
	char a[16], b[16], f[160];

	bootfile_s(&r->m, f, sizeof(f));
	logf_(s, "<- %s %s from %s (server id %s)%s%s%s", dhcp_msgtype_name(r->m.msgtype),
	      r->m.yiaddr ? ip_s(r->m.yiaddr, a) : "(no address)", ip_s(r->src, b),
	      ip_s(dhcp_server_id(&r->m), (char[16]){ 0 }), f[0] ? " file " : "", f, what);
}

static int iface_info(const char *iface, int *ifindex, uint8_t mac[6], char *err, size_t errcap)
{
	struct ifreq ifr;
	int fd;

	if (!iface || strlen(iface) >= IFNAMSIZ) {
		put_err(err, errcap, "bad interface name");
		return -1;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		put_err(err, errcap, "socket: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, iface, strlen(iface));
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
		put_err(err, errcap, "interface %s: %s", iface, strerror(errno));
		close(fd);
		return -1;
	}
	*ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0 || ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		put_err(err, errcap, "interface %s: no Ethernet address", iface);
		close(fd);
		return -1;
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	/* A ROM's NIC is up when it starts: bring the link up if it is not (best effort). */
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags = (short)(ifr.ifr_flags | IFF_UP);
		(void)ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return 0;
}

static int open_raw(struct dhcpc_run_state *s, char *err, size_t errcap)
{
	struct sockaddr_ll sll;

	/* Protocol 0 until bind: no frames from other interfaces queue up meanwhile. */
	s->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		put_err(err, errcap, "socket(AF_PACKET): %s", strerror(errno));
		return -1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = s->ifindex;
	if (bind(s->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		put_err(err, errcap, "bind(AF_PACKET, %s): %s", s->c->iface, strerror(errno));
		close(s->fd);
		s->fd = -1;
		return -1;
	}
	return 0;
}

static uint16_t secs_now(const struct dhcpc_run_state *s)
{
	double e = now_s() - s->t0;

	return e >= 65535.0 ? 65535 : (uint16_t)e;
}

/* Sends one of our messages as a broadcast frame from 0.0.0.0:cport to 255.255.255.255:sport. */
static int send_msg(struct dhcpc_run_state *s, uint8_t type, uint32_t req_ip, uint32_t sid,
		    char *err, size_t errcap)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t payload[1024], frame[FRAME_MAX];
	struct net_frame_spec spec;
	struct sockaddr_ll to;
	uint16_t secs = secs_now(s);
	size_t plen, flen;
	char a[16], b[16];

	plen = dhcpc_build(s->c, s->mac, type, s->xid, secs, req_ip, sid, payload,
			   sizeof(payload));
	memset(&spec, 0, sizeof(spec));
	spec.link = NET_LINK_ETHERNET;
	spec.src_mac = s->mac;
	spec.dst_mac = bcast;
	spec.src_ip = 0;
	spec.dst_ip = 0xffffffffu;
	spec.ip_id = s->ip_id++;
	spec.ttl = 64;
	spec.sport = s->cport;
	spec.dport = s->sport;
	flen = plen ? net_encode_udp_frame(&spec, payload, plen, frame, sizeof(frame)) : 0;
	if (flen == 0) {
		put_err(err, errcap, "cannot build the DHCP %s", dhcp_msgtype_name(type));
		return -1;
	}
	memset(&to, 0, sizeof(to));
	to.sll_family = AF_PACKET;
	to.sll_protocol = htons(ETH_P_IP);
	to.sll_ifindex = s->ifindex;
	to.sll_halen = 6;
	memcpy(to.sll_addr, bcast, 6);
	if (sendto(s->fd, frame, flen, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		put_err(err, errcap, "send on %s: %s", s->c->iface, strerror(errno));
		return -1;
	}
	if (type == DHCPREQUEST)
		logf_(s, "-> REQUEST %s from server %s xid 0x%08x secs %u", ip_s(req_ip, a),
		      ip_s(sid, b), s->xid, secs);
	else
		logf_(s, "-> %s xid 0x%08x secs %u (%s)", dhcp_msgtype_name(type), s->xid, secs,
		      s->c->persona == DHCPC_IPXE ? "iPXE" : "PXE ROM");
	return 0;
}

/* Checks a decoded reply is an answer to us. */
static bool for_us(const struct dhcpc_run_state *s, const struct dhcp_msg *m)
{
	return m->op == 2 && m->htype == 1 && m->hlen == 6 && m->xid == s->xid &&
	       memcmp(m->chaddr, s->mac, 6) == 0 && !(m->problems & DHCP_PROB_SHORT);
}

/* Waits until `until` for a reply to us on the client port. 1: got one in r, 0: timeout, -1. */
static int rx_raw(struct dhcpc_run_state *s, double until, struct dhcpc_rx *r, char *err,
		  size_t errcap)
{
	uint8_t frame[FRAME_MAX];

	for (;;) {
		struct pollfd pfd = { s->fd, POLLIN, 0 };
		struct sockaddr_ll from;
		socklen_t flen = sizeof(from);
		struct net_link_hdr lh;
		struct net_ipv4 ip;
		struct net_udp udp;
		double left = until - now_s();
		ssize_t n;
		int pr;

		if (left <= 0)
			return 0;
		pr = poll(&pfd, 1, (int)(left * 1000.0) + 1);
		if (pr < 0) {
			if (errno == EINTR)
				continue;
			put_err(err, errcap, "poll: %s", strerror(errno));
			return -1;
		}
		if (pr == 0)
			continue;	/* the loop head checks the time */
		n = recvfrom(s->fd, frame, sizeof(frame), MSG_DONTWAIT, (struct sockaddr *)&from,
			     &flen);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
				continue;
			put_err(err, errcap, "receive on %s: %s", s->c->iface, strerror(errno));
			return -1;
		}
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		if (net_decode_link(NET_LINK_ETHERNET, frame, (size_t)n, &lh) != NET_OK ||
		    lh.ethertype != NET_ETHERTYPE_IPV4 || lh.nvlan != 0)
			continue;
		if (net_decode_ipv4(lh.payload, &ip) != NET_OK || ip.proto != 17 ||
		    net_ipv4_is_fragment(&ip) || ip.cut)
			continue;
		if (net_decode_udp(ip.payload, &udp) != NET_OK || udp.dport != s->cport || udp.cut)
			continue;
		if (udp.payload.len > sizeof(r->raw))
			continue;
		memcpy(r->raw, udp.payload.p, udp.payload.len);
		r->len = udp.payload.len;
		r->src = ip.src;
		if (dhcp_decode(r->raw, r->len, &r->m) != 0 || !for_us(s, &r->m))
			continue;
		return 1;
	}
}

static void offer_ptrs(struct dhcpc_run_state *s, const struct dhcp_msg *ptrs[MAX_OFFERS])
{
	for (size_t i = 0; i < s->noffers; i++)
		ptrs[i] = &s->offers[i].m;
}

/* The persona's reason to stop collecting offers before the proxy wait runs out. */
static bool offers_complete(struct dhcpc_run_state *s, int addr, int proxy)
{
	const struct dhcp_msg *a = &s->offers[addr].m;

	if (proxy >= 0)
		return true;
	if (s->c->persona == DHCPC_PXE_ROM)
		return dhcpc_has_bootfile(a);
	/* iPXE dhcp_discovery_rx: a PXE offer (60 PXEClient) or 175.176 no-pxedhcp ends it. */
	for (size_t i = 0; i < s->noffers; i++)
		if (dhcp_vendor_class_is(&s->offers[i].m, "PXEClient"))
			return true;
	{
		const struct dhcp_optval *o = dhcp_opt(a, DHCP_OPT_IPXE);
		struct view v;

		if (o && dhcp_encap_find((struct view){ o->val, o->len }, 176, &v) && v.len &&
		    v.p[0])
			return true;
	}
	return false;
}

/*
 * Discovery. PXE 2.1: DISCOVER timeouts 4, 8, 16, 32 s, and proxy offers are waited for
 * through the 4 and 8 s timeouts (11 s). iPXE (config/dhcp.h): 1, 2, 4, 8 s, proxy wait 2 s.
 * Sets *addr (and *proxy, or -1); returns 0, or -1 with err.
 */
static int discover(struct dhcpc_run_state *s, int *addr, int *proxy, char *err, size_t errcap)
{
	static const double pxe_to[] = { 4, 8, 16, 32 }, ipxe_to[] = { 1, 2, 4, 8 };
	bool ipxe = s->c->persona == DHCPC_IPXE;
	const double *sched = ipxe ? ipxe_to : pxe_to;
	double proxy_wait = ipxe ? 2 : 11;
	const struct dhcp_msg *ptrs[MAX_OFFERS];

	/* Leave time for the REQUEST when the whole exchange is short. */
	if (proxy_wait > (s->deadline - s->t0) / 2)
		proxy_wait = (s->deadline - s->t0) / 2;
	*addr = *proxy = -1;
	for (int t = 0; t < 4; t++) {
		double start = now_s(), round_end;

		if (start >= s->deadline)
			break;
		if (send_msg(s, DHCPDISCOVER, 0, 0, err, errcap) < 0)
			return -1;
		round_end = start + sched[t] < s->deadline ? start + sched[t] : s->deadline;
		for (;;) {
			double until = round_end;
			struct dhcpc_rx *slot;
			int r;

			offer_ptrs(s, ptrs);
			*addr = dhcpc_pick_offer(ptrs, s->noffers, !ipxe);
			*proxy = dhcpc_pick_proxy(ptrs, s->noffers);
			if (*addr >= 0 && (offers_complete(s, *addr, *proxy) ||
					   now_s() - s->t0 >= proxy_wait))
				goto picked;
			if (*addr >= 0 && s->t0 + proxy_wait < until)
				until = s->t0 + proxy_wait;
			slot = s->noffers < MAX_OFFERS ? &s->offers[s->noffers] : &s->rx;
			r = rx_raw(s, until, slot, err, errcap);
			if (r < 0)
				return -1;
			if (r == 0) {
				if (now_s() >= round_end)
					break;
				continue;
			}
			if (slot->m.msgtype != DHCPOFFER)
				continue;
			log_rx(s, slot, is_proxy_offer(&slot->m) ? " (proxyDHCP)" : "");
			if (slot != &s->rx)
				s->noffers++;
		}
	}
	offer_ptrs(s, ptrs);
	*addr = dhcpc_pick_offer(ptrs, s->noffers, !ipxe);
	*proxy = dhcpc_pick_proxy(ptrs, s->noffers);
	if (*addr >= 0 && now_s() < s->deadline)
		goto picked;
	if (*proxy >= 0)
		put_err(err, errcap, "only proxyDHCP offers (no address) within %.0f s",
			now_s() - s->t0);
	else
		put_err(err, errcap, "no DHCP offer within %.0f s", now_s() - s->t0);
	return -1;
picked:
	/* A proxy stage only when the address offer has no boot file of its own. */
	if (s->c->persona == DHCPC_PXE_ROM && dhcpc_has_bootfile(&s->offers[*addr].m))
		*proxy = -1;
	return 0;
}

/* REQUEST/ACK. PXE 2.1 retries after 1, 2, 3, 4 s; iPXE after 0.25 .. 8 s doubling. */
static int request(struct dhcpc_run_state *s, const struct dhcpc_rx *offer, char *err,
		   size_t errcap)
{
	static const double pxe_to[] = { 1, 2, 3, 4 }, ipxe_to[] = { 0.25, 0.5, 1, 2, 4, 8 };
	bool ipxe = s->c->persona == DHCPC_IPXE;
	const double *sched = ipxe ? ipxe_to : pxe_to;
	int tries = ipxe ? 6 : 4;
	uint32_t sid = dhcp_server_id(&offer->m);
	char a[16];

	if (!sid)
		sid = offer->src;
	for (int t = 0; t < tries; t++) {
		double start = now_s(), until;

		if (start >= s->deadline)
			break;
		if (send_msg(s, DHCPREQUEST, offer->m.yiaddr, sid, err, errcap) < 0)
			return -1;
		until = start + sched[t] < s->deadline ? start + sched[t] : s->deadline;
		for (;;) {
			int r = rx_raw(s, until, &s->rx, err, errcap);
			uint32_t from;

			if (r < 0)
				return -1;
			if (r == 0)
				break;
			if (s->rx.m.msgtype != DHCPACK && s->rx.m.msgtype != DHCPNAK)
				continue;
			from = dhcp_server_id(&s->rx.m);
			if (from && from != sid)
				continue;	/* another server's answer to our broadcast */
			log_rx(s, &s->rx, "");
			if (s->rx.m.msgtype == DHCPNAK) {
				put_err(err, errcap, "NAK from %s", ip_s(sid, a));
				return -1;
			}
			if (s->rx.m.yiaddr == 0) {
				put_err(err, errcap, "ACK from %s without an address", ip_s(sid, a));
				return -1;
			}
			return 0;
		}
	}
	put_err(err, errcap, "no ACK from %s within %.0f s", ip_s(sid, a), now_s() - s->t0);
	return -1;
}

/* Takes the boot half of a lease from a proxyDHCP ACK or OFFER. */
static void merge_boot(struct dhcpc_lease *out, const struct dhcp_msg *m, uint32_t src)
{
	struct dhcpc_lease p;

	dhcpc_lease_from(m, &p);
	memcpy(out->bootfile, p.bootfile, sizeof(out->bootfile));
	memcpy(out->tftp_server, p.tftp_server, sizeof(out->tftp_server));
	out->siaddr = p.siaddr;
	if (p.has_209) {
		out->has_209 = true;
		memcpy(out->configfile, p.configfile, sizeof(out->configfile));
	}
	if (p.has_210) {
		out->has_210 = true;
		memcpy(out->pathprefix, p.pathprefix, sizeof(out->pathprefix));
	}
	if (p.root_path[0])
		memcpy(out->root_path, p.root_path, sizeof(out->root_path));
	if (p.keep_san >= 0)
		out->keep_san = p.keep_san;
	if (p.skip_san_boot >= 0)
		out->skip_san_boot = p.skip_san_boot;
	if (p.ipxe_username[0])
		memcpy(out->ipxe_username, p.ipxe_username, sizeof(out->ipxe_username));
	if (p.ipxe_password[0])
		memcpy(out->ipxe_password, p.ipxe_password, sizeof(out->ipxe_password));
	if (p.has_uuid) {
		out->has_uuid = true;
		memcpy(out->uuid, p.uuid, 16);
	}
	out->from_proxy = true;
	out->boot_server = p.server_id ? p.server_id : src;
	explicit_bzero(&p, sizeof(p));
}

/*
 * PXE 2.1 proxyDHCP: with the address configured, a REQUEST (ciaddr set) to the proxy's
 * port 4011 from port 4011 (netboot-serve answers ciaddr:4011). A PXE ROM fails without the
 * ACK; iPXE falls back to the proxy's OFFER after 2 s (config/dhcp.h DHCP_REQ_PROXY_TIMEOUT).
 */
static int proxy_request(struct dhcpc_run_state *s, const struct dhcpc_rx *poffer,
			 struct dhcpc_lease *out, char *err, size_t errcap)
{
	static const double pxe_to[] = { 1, 2, 3, 4 }, ipxe_to[] = { 0.25, 0.5, 1, 2 };
	bool ipxe = s->c->persona == DHCPC_IPXE;
	const double *sched = ipxe ? ipxe_to : pxe_to;
	uint32_t pip = dhcp_server_id(&poffer->m);
	struct sockaddr_in me, to;
	uint8_t pkt[1024];
	char a[16];
	size_t plen;
	int fd, one = 1;

	if (!pip)
		pip = poffer->src;
	if (dhcpc_configure(s->c->iface, out, err, errcap) < 0)
		return -1;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		put_err(err, errcap, "socket: %s", strerror(errno));
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, s->c->iface,
		       (socklen_t)strlen(s->c->iface)) < 0) {
		put_err(err, errcap, "SO_BINDTODEVICE %s: %s", s->c->iface, strerror(errno));
		close(fd);
		return -1;
	}
	memset(&me, 0, sizeof(me));
	me.sin_family = AF_INET;
	me.sin_port = htons(DHCPC_PROXY_PORT);
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		put_err(err, errcap, "bind port %d: %s", DHCPC_PROXY_PORT, strerror(errno));
		close(fd);
		return -1;
	}
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons(DHCPC_PROXY_PORT);
	to.sin_addr.s_addr = htonl(pip);
	for (int t = 0; t < 4; t++) {
		double start = now_s(), until;
		uint16_t secs = secs_now(s);

		if (start >= s->deadline)
			break;
		plen = dhcpc_build(s->c, s->mac, DHCPREQUEST, s->xid, secs, 0, pip, pkt,
				   sizeof(pkt));
		if (plen < 16)
			break;
		/* ciaddr (RFC 2131 offset 12): we have an address now. */
		pkt[12] = (uint8_t)(out->ip >> 24);
		pkt[13] = (uint8_t)(out->ip >> 16);
		pkt[14] = (uint8_t)(out->ip >> 8);
		pkt[15] = (uint8_t)out->ip;
		if (sendto(fd, pkt, plen, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
			put_err(err, errcap, "send to %s:%d: %s", ip_s(pip, a), DHCPC_PROXY_PORT,
				strerror(errno));
			close(fd);
			return -1;
		}
		logf_(s, "-> REQUEST to proxyDHCP %s:%d ciaddr %s xid 0x%08x secs %u",
		      ip_s(pip, a), DHCPC_PROXY_PORT, ip_s(out->ip, (char[16]){ 0 }), s->xid,
		      secs);
		until = start + sched[t] < s->deadline ? start + sched[t] : s->deadline;
		for (;;) {
			struct pollfd pfd = { fd, POLLIN, 0 };
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			double left = until - now_s();
			ssize_t n;

			if (left <= 0)
				break;
			if (poll(&pfd, 1, (int)(left * 1000.0) + 1) <= 0)
				continue;
			n = recvfrom(fd, s->rx.raw, sizeof(s->rx.raw), MSG_DONTWAIT,
				     (struct sockaddr *)&from, &fl);
			if (n <= 0)
				continue;
			s->rx.len = (size_t)n;
			s->rx.src = ntohl(from.sin_addr.s_addr);
			if (dhcp_decode(s->rx.raw, s->rx.len, &s->rx.m) != 0 || !for_us(s, &s->rx.m) ||
			    s->rx.m.msgtype != DHCPACK)
				continue;
			log_rx(s, &s->rx, " (proxyDHCP)");
			merge_boot(out, &s->rx.m, s->rx.src);
			close(fd);
			return 0;
		}
	}
	close(fd);
	if (ipxe) {
		logf_(s, "no ACK from proxyDHCP %s:%d: using its OFFER", ip_s(pip, a),
		      DHCPC_PROXY_PORT);
		merge_boot(out, &poffer->m, poffer->src);
		return 0;
	}
	put_err(err, errcap, "no answer from proxyDHCP %s:%d within %.0f s", ip_s(pip, a),
		DHCPC_PROXY_PORT, now_s() - s->t0);
	return -1;
}

static uint32_t random_xid(void)
{
	uint32_t x = 0;

	if (getrandom(&x, sizeof(x), 0) != (ssize_t)sizeof(x) || x == 0)
		x = (uint32_t)time(NULL) ^ (uint32_t)getpid() << 16 ^ 0x5a5a1234u;
	return x;
}

int dhcpc_run(const struct dhcpc_conf *c, struct dhcpc_lease *out,
	      void (*log)(void *ctx, const char *line), void *ctx, char *err, size_t errcap)
{
	struct dhcpc_run_state *s;
	int addr, proxy, rc = -1;
	char a[16], f[160];

	if (!c || !out) {
		put_err(err, errcap, "no configuration");
		return -1;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		put_err(err, errcap, "out of memory");
		return -1;
	}
	s->c = c;
	s->log = log;
	s->ctx = ctx;
	s->fd = -1;
	s->sport = c->server_port ? c->server_port : 67;
	s->cport = (uint16_t)(s->sport + 1);
	s->xid = c->xid ? c->xid : random_xid();
	s->ip_id = (uint16_t)(s->xid >> 16);
	s->t0 = now_s();
	s->deadline = s->t0 + (c->timeout > 0 ? c->timeout : 30.0);
	if (iface_info(c->iface, &s->ifindex, s->mac, err, errcap) < 0 ||
	    open_raw(s, err, errcap) < 0)
		goto out;
	if (discover(s, &addr, &proxy, err, errcap) < 0)
		goto out;
	if (request(s, &s->offers[addr], err, errcap) < 0)
		goto out;
	dhcpc_lease_from(&s->rx.m, out);
	if (!out->server_id)
		out->server_id = s->rx.src;
	if (!out->boot_server)
		out->boot_server = out->server_id;
	if (proxy >= 0 && !dhcpc_has_bootfile(&s->rx.m)) {
		close(s->fd);	/* the raw socket is done: the rest is plain UDP */
		s->fd = -1;
		if (proxy_request(s, &s->offers[proxy], out, err, errcap) < 0)
			goto out;
	}
	copy_text(f, sizeof(f), (const uint8_t *)out->bootfile, strlen(out->bootfile));
	logf_(s, "lease %s boot file %s from %s%s", ip_s(out->ip, a), f[0] ? f : "(none)",
	      ip_s(out->boot_server, (char[16]){ 0 }), out->from_proxy ? " (proxyDHCP)" : "");
	rc = 0;
out:
	if (s->fd >= 0)
		close(s->fd);
	explicit_bzero(s, sizeof(*s));	/* replies may hold 175.191 */
	free(s);
	return rc;
}

int dhcpc_configure(const char *iface, const struct dhcpc_lease *l, char *err, size_t errcap)
{
	struct ifreq ifr;
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)&ifr.ifr_addr;
	int fd, rc = -1;

	if (!iface || strlen(iface) >= IFNAMSIZ || !l || !l->ip) {
		put_err(err, errcap, "nothing to configure");
		return -1;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		put_err(err, errcap, "socket: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, iface, strlen(iface));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(l->ip);
	if (ioctl(fd, SIOCSIFADDR, &ifr) < 0) {
		put_err(err, errcap, "SIOCSIFADDR %s: %s", iface, strerror(errno));
		goto out;
	}
	if (l->netmask) {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(l->netmask);
		if (ioctl(fd, SIOCSIFNETMASK, &ifr) < 0) {
			put_err(err, errcap, "SIOCSIFNETMASK %s: %s", iface, strerror(errno));
			goto out;
		}
	}
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		put_err(err, errcap, "SIOCGIFFLAGS %s: %s", iface, strerror(errno));
		goto out;
	}
	ifr.ifr_flags = (short)(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) {
		put_err(err, errcap, "SIOCSIFFLAGS %s: %s", iface, strerror(errno));
		goto out;
	}
	if (l->router) {
		struct rtentry rt;
		char dev[IFNAMSIZ];

		memset(&rt, 0, sizeof(rt));
		memset(dev, 0, sizeof(dev));
		memcpy(dev, iface, strlen(iface));
		((struct sockaddr_in *)(void *)&rt.rt_dst)->sin_family = AF_INET;
		((struct sockaddr_in *)(void *)&rt.rt_genmask)->sin_family = AF_INET;
		sin = (struct sockaddr_in *)(void *)&rt.rt_gateway;
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(l->router);
		rt.rt_flags = RTF_UP | RTF_GATEWAY;
		rt.rt_dev = dev;
		if (ioctl(fd, SIOCADDRT, &rt) < 0 && errno != EEXIST) {
			put_err(err, errcap, "default route via %s: %s",
				net_ip_str(l->router, (char[16]){ 0 }, 16), strerror(errno));
			goto out;
		}
	}
	rc = 0;
out:
	close(fd);
	return rc;
}
