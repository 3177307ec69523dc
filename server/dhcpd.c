/* dhcpd.c: netboot-serve's DHCP service: leases, the boot policy per client class, proxyDHCP. */
#include "server/dhcpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proto/net.h"
#include "server/log.h"

#define OFFER_HOLD 60		/* seconds an offered address stays reserved */
#define DECLINE_HOLD 600	/* seconds a declined address stays out of use (RFC 2131 3.1.5) */
#define PXELINUX_MAGIC "\xf1\x00\x74\x7e"	/* option 208 (RFC 5071) */

enum lease_state { L_FREE, L_OFFERED, L_BOUND, L_DECLINED };

struct lease {
	uint8_t mac[6];
	bool reserved;		/* a dhcp.host address inside the pool: never leased to anyone */
	enum lease_state state;
	time_t expires;
};

struct dhcpd {
	struct dhcpd_conf conf;
	struct site site;
	struct srv_loop *loop;
	int fd;
	int fd4011;		/* proxyDHCP's second port */
	uint16_t port;
	struct lease *pool;	/* one slot per pool address */
	size_t npool;
	size_t cursor;		/* where the search for a free address starts */
	bool dirty;
	uint64_t flush_timer;
	struct dhcp_msg msg;	/* decode buffer (large) */
};

static time_t now(const struct dhcpd *d)
{
	return time(NULL) + (time_t)d->conf.now_offset;
}

static const char *macstr(const uint8_t *mac, char *buf)
{
	return net_mac_str(mac, buf, 18);
}

static bool in_pool(const struct dhcpd *d, uint32_t ip)
{
	return d->npool && ip >= d->site.pool_first && ip <= d->site.pool_last;
}

static struct lease *slot(struct dhcpd *d, uint32_t ip)
{
	return &d->pool[ip - d->site.pool_first];
}

static const struct site_host *static_host(const struct dhcpd *d, const uint8_t mac[6])
{
	for (size_t i = 0; i < d->site.nhosts; i++)
		if (!memcmp(d->site.hosts[i].mac, mac, 6))
			return &d->site.hosts[i];
	return NULL;
}

static bool usable(const struct dhcpd *d, const struct lease *l, const uint8_t mac[6])
{
	if (l->reserved)
		return false;	/* its host gets it from static_host(), nobody else may */
	if (l->state == L_FREE)
		return true;
	if (l->expires <= now(d))
		return true;	/* expired: anyone may have it */
	return l->state != L_DECLINED && !memcmp(l->mac, mac, 6);
}

/* The client's address: static, its current lease, what it asked for, or the next free one. */
static uint32_t pick(struct dhcpd *d, const uint8_t mac[6], uint32_t requested)
{
	const struct site_host *h = static_host(d, mac);

	if (h)
		return h->ip;
	for (size_t i = 0; i < d->npool; i++)
		if ((d->pool[i].state == L_BOUND || d->pool[i].state == L_OFFERED) &&
		    !memcmp(d->pool[i].mac, mac, 6) && d->pool[i].expires > now(d))
			return d->site.pool_first + (uint32_t)i;
	if (in_pool(d, requested) && usable(d, slot(d, requested), mac))
		return requested;
	for (size_t k = 0; k < d->npool; k++) {
		size_t i = (d->cursor + k) % d->npool;

		if (usable(d, &d->pool[i], mac) && (d->pool[i].state == L_FREE ||
						     d->pool[i].expires <= now(d))) {
			d->cursor = (i + 1) % d->npool;
			return d->site.pool_first + (uint32_t)i;
		}
	}
	return 0;
}

static void set_lease(struct dhcpd *d, uint32_t ip, const uint8_t mac[6], enum lease_state st,
		      time_t secs)
{
	struct lease *l;

	if (!in_pool(d, ip) || slot(d, ip)->reserved)
		return;
	l = slot(d, ip);
	if (mac)
		memcpy(l->mac, mac, 6);
	l->state = st;
	l->expires = now(d) + secs;
	if (st == L_BOUND || st == L_FREE || st == L_DECLINED)
		d->dirty = true;
}

/* Whether ip (in the pool) is offered or leased to mac right now. */
static bool held_by(const struct dhcpd *d, uint32_t ip, const uint8_t mac[6])
{
	const struct lease *l = &d->pool[ip - d->site.pool_first];

	return (l->state == L_OFFERED || l->state == L_BOUND) && l->expires > now(d) &&
	       !memcmp(l->mac, mac, 6);
}

/* Whether the server has a record of mac: its dhcp.host reservation, or a pool address
 * offered or leased to it (a lease read back from the leases file at start counts). */
static bool has_record(const struct dhcpd *d, const uint8_t mac[6])
{
	if (static_host(d, mac))
		return true;
	for (size_t i = 0; i < d->npool; i++)
		if (held_by(d, d->site.pool_first + (uint32_t)i, mac))
			return true;
	return false;
}

enum verdict { V_ACK, V_NAK, V_SILENT };

/* A REQUEST without a server identifier, for ip (RFC 2131 4.3.2): INIT-REBOOT (option 50)
 * or RENEWING/REBINDING (ciaddr). The client's own address: ACK. An address it cannot have
 * (another client's, a dhcp.host's, declined, off the pool, or not the one we have on
 * record for it): NAK. A free pool address from a client we have no record of: silence,
 * "If the DHCP server has no record of this client, then it MUST remain silent". */
static enum verdict verify(const struct dhcpd *d, const uint8_t mac[6], uint32_t ip)
{
	const struct site_host *h = static_host(d, mac);

	if (h)
		return ip == h->ip ? V_ACK : V_NAK;
	if (!ip || !in_pool(d, ip))
		return V_NAK;
	if (held_by(d, ip, mac))
		return V_ACK;
	if (!usable(d, &d->pool[ip - d->site.pool_first], mac))
		return V_NAK;	/* another MAC's offer or lease, a dhcp.host's, declined */
	return has_record(d, mac) ? V_NAK : V_SILENT;
}

uint32_t dhcpd_lease_of(const struct dhcpd *d, const uint8_t mac[6])
{
	const struct site_host *h = static_host(d, mac);

	if (h)
		return h->ip;
	for (size_t i = 0; i < d->npool; i++)
		if (d->pool[i].state == L_BOUND && !memcmp(d->pool[i].mac, mac, 6) &&
		    d->pool[i].expires > now(d))
			return d->site.pool_first + (uint32_t)i;
	return 0;
}

/* Client class: iPXE (user-class iPXE or option 175), a PXE ROM (60 PXEClient), or other. */
enum cclass { C_OTHER, C_PXE, C_IPXE };

static enum cclass classify(const struct dhcp_msg *m)
{
	if (dhcp_user_class_has(m, "iPXE") || dhcp_opt(m, 175))
		return C_IPXE;
	if (dhcp_vendor_class_is(m, "PXEClient"))
		return C_PXE;
	return C_OTHER;
}

static const char *nbp_for(const struct dhcpd *d, int arch)
{
	switch (arch) {
	case 0:
		return d->site.boot_bios;
	case 6:
		return d->site.boot_efi_ia32;
	case 7:
	case 9:		/* x64 firmware sends 7 or 9 (facts doc: treat both as x64) */
		return d->site.boot_efi_x64;
	case 11:
		return d->site.boot_arm64;
	default:
		return "";
	}
}

static int client_arch(const struct dhcp_msg *m)
{
	int a = dhcp_client_arch(m);

	return a >= 0 ? a : dhcp_vendor_class_arch(m);
}

/* Options a boot reply carries: the boot file and what the stage after it needs. */
static void boot_options(const struct dhcpd *d, const struct dhcp_msg *m, enum cclass cls,
			 struct dhcp_builder *b, const char *file)
{
	const struct site *s = &d->site;

	if (file[0])
		dhcp_build_opt_str(b, 67, file);
	/* 60 PXEClient marks a boot server's answer; iPXE takes an address-less offer
	 * as proxyDHCP only with it (ipxe net/udp/dhcp.c). */
	if (cls == C_PXE || cls == C_IPXE)
		dhcp_build_opt_str(b, 60, "PXEClient");
	if (d->site.proxy && cls == C_PXE) {
		/* PXE_DISCOVERY_CONTROL = 8: boot the file named, no boot server discovery. */
		static const uint8_t vendor[] = { 6, 1, 8, 255 };

		dhcp_build_opt(b, 43, vendor, sizeof(vendor));
	}
	/* PXELINUX: forced by default, since PXE ROMs never ask for 208-211 (the seed's bug). */
	if (s->pxelinux_magic && (s->pxelinux_force || dhcp_prl_has(m, 208)))
		dhcp_build_opt(b, 208, PXELINUX_MAGIC, 4);
	if (s->pxelinux_configfile[0] && (s->pxelinux_force || dhcp_prl_has(m, 209)))
		dhcp_build_opt_str(b, 209, s->pxelinux_configfile);
	if (s->pxelinux_pathprefix[0] && (s->pxelinux_force || dhcp_prl_has(m, 210)))
		dhcp_build_opt_str(b, 210, s->pxelinux_pathprefix);
	if (s->pxelinux_reboottime >= 0 && (s->pxelinux_force || dhcp_prl_has(m, 211)))
		dhcp_build_opt_be32(b, 211, (uint32_t)s->pxelinux_reboottime);
	if (s->root_path[0])
		dhcp_build_opt_str(b, 17, s->root_path);
	if (cls == C_IPXE) {
		/* iPXE's encapsulated settings (ipxe include/ipxe/dhcp.h): 8 keep-san,
		 * 9 skip-san-boot, 190 username, 191 password. */
		uint8_t enc[2 + 1 + 2 + 1 + 2 + 64 + 2 + 128];
		size_t n = 0;

		if (s->keep_san >= 0) {
			enc[n++] = 8;
			enc[n++] = 1;
			enc[n++] = (uint8_t)s->keep_san;
		}
		if (s->skip_san_boot >= 0) {
			enc[n++] = 9;
			enc[n++] = 1;
			enc[n++] = (uint8_t)s->skip_san_boot;
		}
		if (s->ipxe_username[0]) {
			size_t k = strlen(s->ipxe_username);

			enc[n++] = 190;
			enc[n++] = (uint8_t)k;
			memcpy(enc + n, s->ipxe_username, k);
			n += k;
		}
		if (s->ipxe_password[0]) {
			size_t k = strlen(s->ipxe_password);

			enc[n++] = 191;
			enc[n++] = (uint8_t)k;
			memcpy(enc + n, s->ipxe_password, k);
			n += k;
		}
		if (n)
			dhcp_build_opt(b, 175, enc, n);
	}
}

static void net_options(const struct dhcpd *d, struct dhcp_builder *b, bool lease)
{
	const struct site *s = &d->site;

	dhcp_build_opt_be32(b, 54, s->server_ip);
	if (lease) {
		dhcp_build_opt_be32(b, 51, s->lease_time);
		dhcp_build_opt_be32(b, 58, s->lease_time / 2);
		dhcp_build_opt_be32(b, 59, s->lease_time / 8 * 7);
	}
	dhcp_build_opt_be32(b, 1, s->netmask);
	if (s->router)
		dhcp_build_opt_be32(b, 3, s->router);
	if (s->dns)
		dhcp_build_opt_be32(b, 6, s->dns);
}

/* Where a reply goes (RFC 2131 4.1): the relay, the client's address, or broadcast. */
static void destination(const struct dhcpd *d, const struct dhcp_msg *m, uint8_t type,
			bool on_4011, struct dhcpd_reply *r)
{
	uint16_t cport = (uint16_t)(d->conf.port + 1);

	if (m->giaddr) {
		r->dst_ip = m->giaddr;
		r->dst_port = d->conf.port;
	} else if (on_4011 && m->ciaddr) {
		r->dst_ip = m->ciaddr;	/* PXE 2.1: the boot server answers the client's port */
		r->dst_port = 4011;
	} else if (m->ciaddr && type != DHCPNAK) {
		r->dst_ip = m->ciaddr;
		r->dst_port = cport;
	} else {
		r->dst_ip = 0xffffffffu;
		r->dst_port = cport;
	}
}

static void reply(struct dhcpd *d, const struct dhcp_msg *m, uint8_t type, uint32_t yiaddr,
		  enum cclass cls, bool on_4011, struct dhcpd_reply *r)
{
	struct dhcp_builder b;
	const char *file = "";
	char a[16];

	if (type != DHCPNAK) {
		if (cls == C_IPXE && d->site.ipxe_script[0])
			file = d->site.ipxe_script;
		else if (cls == C_PXE || cls == C_IPXE)
			file = nbp_for(d, client_arch(m));
	}
	dhcp_build_begin(&b, r->buf, sizeof(r->buf), 2, m->xid, m->chaddr, type);
	dhcp_build_set_addrs(&b, type == DHCPNAK ? 0 : m->ciaddr, yiaddr,
			     type == DHCPNAK ? 0 : d->site.server_ip, m->giaddr);
	dhcp_build_set_secs_flags(&b, 0, m->flags);
	if (type != DHCPNAK) {
		dhcp_build_set_file(&b, file);
		net_options(d, &b, type != DHCPACK || yiaddr != 0);
		if (cls != C_OTHER)
			boot_options(d, m, cls, &b, file);
		/* RFC 4578 2.3: a PXE client needs its UUID (97) echoed when it sent one. */
		if (cls == C_PXE && dhcp_opt(m, 97)) {
			const struct dhcp_optval *o = dhcp_opt(m, 97);

			dhcp_build_opt(&b, 97, o->val, o->len);
		}
	} else {
		dhcp_build_opt_be32(&b, 54, d->site.server_ip);
		dhcp_build_opt_str(&b, 56, "requested address not available");
	}
	r->len = dhcp_build_end(&b);
	destination(d, m, type, on_4011, r);
	snprintf(r->log, sizeof(r->log), "%s%s%s%s%s", dhcp_msgtype_name(type),
		 yiaddr ? " " : "", yiaddr ? net_ip_str(yiaddr, a, sizeof(a)) : "",
		 file[0] ? " file=" : "", file);
}

void dhcpd_answer(struct dhcpd *d, const struct dhcp_msg *m, bool on_4011, struct dhcpd_reply *r)
{
	enum cclass cls = classify(m);
	const struct dhcp_optval *o50 = dhcp_opt(m, 50);
	uint32_t requested = 0;
	uint32_t sid = dhcp_server_id(m);
	uint32_t ip;

	r->len = 0;
	r->log[0] = '\0';
	if (m->op != 1 || m->htype != 1 || m->hlen != 6) {
		snprintf(r->log, sizeof(r->log), "ignored: not an Ethernet BOOTREQUEST");
		return;
	}
	if (o50 && o50->len == 4)
		requested = (uint32_t)o50->val[0] << 24 | (uint32_t)o50->val[1] << 16 |
			    (uint32_t)o50->val[2] << 8 | o50->val[3];
	/* proxyDHCP (PXE 2.1): only PXE clients, no addresses. */
	if (d->site.proxy) {
		if (cls != C_PXE && cls != C_IPXE) {
			snprintf(r->log, sizeof(r->log), "ignored: not a PXE client (proxy mode)");
			return;
		}
		if (m->msgtype == DHCPDISCOVER && !on_4011)
			reply(d, m, DHCPOFFER, 0, cls, false, r);
		else if (m->msgtype == DHCPREQUEST && (on_4011 || sid == d->site.server_ip))
			reply(d, m, DHCPACK, 0, cls, on_4011, r);
		return;
	}
	switch (m->msgtype) {
	case DHCPDISCOVER:
		ip = pick(d, m->chaddr, requested);
		if (!ip) {
			snprintf(r->log, sizeof(r->log), "no free address in the pool");
			return;
		}
		set_lease(d, ip, m->chaddr, L_OFFERED, OFFER_HOLD);
		reply(d, m, DHCPOFFER, ip, cls, false, r);
		return;
	case DHCPREQUEST:
		if (sid && sid != d->site.server_ip) {
			/* The client chose another server's offer: drop ours (RFC 2131 4.3.2). */
			for (size_t i = 0; i < d->npool; i++)
				if (d->pool[i].state == L_OFFERED && !memcmp(d->pool[i].mac, m->chaddr, 6))
					d->pool[i].state = L_FREE;
			snprintf(r->log, sizeof(r->log), "ignored: for server %s", "another");
			return;
		}
		ip = requested ? requested : m->ciaddr;
		if (sid) {
			/* SELECTING: the client takes our offer (or, unoffered, what pick allows). */
			if (!ip || ip != pick(d, m->chaddr, ip)) {
				reply(d, m, DHCPNAK, 0, cls, false, r);
				return;
			}
		} else {
			/* INIT-REBOOT, RENEWING or REBINDING: verified against our records only. */
			enum verdict v = verify(d, m->chaddr, ip);
			char a[16];

			if (v == V_SILENT) {
				snprintf(r->log, sizeof(r->log),
					 "ignored: REQUEST for %s from a client with no lease "
					 "(RFC 2131 4.3.2)",
					 net_ip_str(ip, a, sizeof(a)));
				return;
			}
			if (v == V_NAK) {
				reply(d, m, DHCPNAK, 0, cls, false, r);
				return;
			}
		}
		set_lease(d, ip, m->chaddr, L_BOUND, (time_t)d->site.lease_time);
		reply(d, m, DHCPACK, ip, cls, false, r);
		return;
	case DHCPRELEASE:
		if (in_pool(d, m->ciaddr) && !memcmp(slot(d, m->ciaddr)->mac, m->chaddr, 6))
			set_lease(d, m->ciaddr, NULL, L_FREE, 0);
		snprintf(r->log, sizeof(r->log), "released");
		return;
	case DHCPDECLINE:
		/* Only from the client the address was offered or leased to (as dnsmasq does):
		 * from anyone else a DECLINE would take a bound lease away, and a few hundred
		 * spoofed ones the whole pool for DECLINE_HOLD. */
		if (!in_pool(d, requested) || !held_by(d, requested, m->chaddr)) {
			snprintf(r->log, sizeof(r->log),
				 "ignored: DECLINE of an address not offered or leased to this client");
			return;
		}
		set_lease(d, requested, m->chaddr, L_DECLINED, DECLINE_HOLD);
		snprintf(r->log, sizeof(r->log), "declined: address held back for %d s",
			 DECLINE_HOLD);
		return;
	case DHCPINFORM:
		/* RFC 2131 3.4: configuration only, no address, no lease time. */
		reply(d, m, DHCPACK, 0, cls, false, r);
		return;
	default:
		snprintf(r->log, sizeof(r->log), "ignored: %s", dhcp_msgtype_name(m->msgtype));
		return;
	}
}

static int write_leases(struct dhcpd *d, bool sync)
{
	char tmp[SITE_STR + 16];
	FILE *f;
	int fd;

	if (!d->conf.leases_path)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", d->conf.leases_path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		srv_log("dhcp", NULL, "cannot write %s: %s", tmp, strerror(errno));
		return -1;
	}
	fputs("# netboot-serve leases: MAC IP EXPIRES (seconds since the epoch)\n", f);
	for (size_t i = 0; i < d->npool; i++) {
		char m[18];
		char a[16];

		if (d->pool[i].state != L_BOUND || d->pool[i].expires <= now(d))
			continue;
		fprintf(f, "%s %s %lld\n", macstr(d->pool[i].mac, m),
			net_ip_str(d->site.pool_first + (uint32_t)i, a, sizeof(a)),
			(long long)d->pool[i].expires);
	}
	/* The rename is atomic: a reader (or a restart after kill -9) sees the old
	 * file or the new one, never half of one. fsync makes it survive a crash. */
	if (fflush(f) != 0 || (sync && fsync(fileno(f)) != 0) || fclose(f) != 0 ||
	    rename(tmp, d->conf.leases_path) != 0) {
		srv_log("dhcp", NULL, "cannot write %s: %s", d->conf.leases_path, strerror(errno));
		return -1;
	}
	d->dirty = false;
	return 0;
}

int dhcpd_flush(struct dhcpd *d)
{
	return write_leases(d, true);
}

static void read_leases(struct dhcpd *d)
{
	FILE *f;
	char line[128];

	if (!d->conf.leases_path || !(f = fopen(d->conf.leases_path, "r")))
		return;
	while (fgets(line, sizeof(line), f)) {
		char mac_s[32];
		char ip_s[32];
		long long exp;
		uint8_t mac[6];
		uint32_t ip;

		if (line[0] == '#' || sscanf(line, "%31s %31s %lld", mac_s, ip_s, &exp) != 3)
			continue;
		if (!net_mac_parse(mac_s, mac) || !net_ip_parse(ip_s, &ip) || !in_pool(d, ip) ||
		    slot(d, ip)->reserved || exp <= now(d))
			continue;
		memcpy(slot(d, ip)->mac, mac, 6);
		slot(d, ip)->state = L_BOUND;
		slot(d, ip)->expires = (time_t)exp;
	}
	fclose(f);
}

static struct dhcpd *alloc(const struct dhcpd_conf *c, char *err, size_t errcap)
{
	struct dhcpd *d = calloc(1, sizeof(*d));

	if (!d) {
		snprintf(err, errcap, "dhcp: out of memory");
		return NULL;
	}
	d->conf = *c;
	d->site = *c->site;
	d->fd = d->fd4011 = -1;
	if (!d->site.server_ip) {
		snprintf(err, errcap, "dhcp: the site sets no server.address");
		free(d);
		return NULL;
	}
	if (!d->site.proxy) {
		if (!d->site.pool_first) {
			snprintf(err, errcap, "dhcp: the site sets no dhcp.pool (or dhcp.proxy = yes)");
			free(d);
			return NULL;
		}
		d->npool = d->site.pool_last - d->site.pool_first + 1;
		d->pool = calloc(d->npool, sizeof(*d->pool));
		if (!d->pool) {
			snprintf(err, errcap, "dhcp: out of memory");
			free(d);
			return NULL;
		}
		/* A static address inside the pool is taken out of it: without this a pool
		 * starved by random MACs hands the host's address to one of them as well. */
		for (size_t i = 0; i < d->site.nhosts; i++)
			if (in_pool(d, d->site.hosts[i].ip))
				slot(d, d->site.hosts[i].ip)->reserved = true;
	}
	read_leases(d);
	return d;
}

struct dhcpd *dhcpd_new_detached(const struct dhcpd_conf *c, char *err, size_t errcap)
{
	return alloc(c, err, errcap);
}

static void on_packet(struct srv_loop *l, int fd, short revents, void *ctx)
{
	struct dhcpd *d = ctx;
	uint8_t buf[1500];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n;
	struct dhcpd_reply r;
	char peer[18];

	(void)l;
	(void)revents;
	n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
	if (n <= 0)
		return;
	if (dhcp_decode(buf, (size_t)n, &d->msg) != 0 || !d->msg.has_cookie ||
	    !d->msg.msgtype) {
		char a[16];

		srv_log("dhcp", net_ip_str(ntohl(from.sin_addr.s_addr), a, sizeof(a)),
			"ignored: %zd bytes that are not a DHCP message", n);
		return;
	}
	dhcpd_answer(d, &d->msg, fd == d->fd4011, &r);
	macstr(d->msg.chaddr, peer);
	{
		char uc[64] = "";

		dhcp_user_class_str(&d->msg, uc, sizeof(uc));
		srv_log("dhcp", peer, "%s xid=%08x arch=%d%s%s -> %s",
			dhcp_msgtype_name(d->msg.msgtype), d->msg.xid, client_arch(&d->msg),
			uc[0] ? " user-class=" : "", uc, r.len ? r.log : r.log[0] ? r.log : "no answer");
	}
	if (r.len) {
		struct sockaddr_in to;

		memset(&to, 0, sizeof(to));
		to.sin_family = AF_INET;
		to.sin_addr.s_addr = htonl(r.dst_ip);
		to.sin_port = htons(r.dst_port);
		if (sendto(fd, r.buf, r.len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
			srv_log("dhcp", peer, "send failed: %s", strerror(errno));
	}
	if (d->dirty)
		write_leases(d, false);
}

static void on_flush(struct srv_loop *l, void *ctx)
{
	struct dhcpd *d = ctx;

	write_leases(d, true);
	d->flush_timer = srv_timer_add(l, 5.0, on_flush, d);
}

static int open_socket(const struct dhcpd_conf *c, uint16_t port, char *err, size_t errcap)
{
	struct sockaddr_in sa;
	int one = 1;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	char a[16];

	if (fd < 0) {
		snprintf(err, errcap, "dhcp: socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
	if (c->iface && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, c->iface,
				   (socklen_t)strlen(c->iface)) != 0) {
		snprintf(err, errcap, "dhcp: cannot bind to interface %s: %s%s", c->iface,
			 strerror(errno),
			 errno == EPERM ? " (needs root or CAP_NET_RAW)" : "");
		close(fd);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	/* Broadcast requests reach only a socket bound to the wildcard address. */
	sa.sin_addr.s_addr = htonl(c->iface ? 0 : c->listen_ip);
	sa.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		snprintf(err, errcap, "dhcp: cannot bind %s:%u: %s%s",
			 net_ip_str(c->iface ? 0 : c->listen_ip, a, sizeof(a)), port,
			 strerror(errno),
			 errno == EACCES ? " (ports below 1024 need root or CAP_NET_BIND_SERVICE)" :
					   "");
		close(fd);
		return -1;
	}
	return fd;
}

struct dhcpd *dhcpd_new(struct srv_loop *l, const struct dhcpd_conf *c, char *err, size_t errcap)
{
	struct dhcpd *d;
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);

	if (c->iface && if_nametoindex(c->iface) == 0) {
		snprintf(err, errcap, "dhcp: no such interface %s", c->iface);
		return NULL;
	}
	d = alloc(c, err, errcap);
	if (!d)
		return NULL;
	d->loop = l;
	d->fd = open_socket(c, c->port, err, errcap);
	if (d->fd < 0) {
		dhcpd_free(d);
		return NULL;
	}
	getsockname(d->fd, (struct sockaddr *)&sa, &sl);
	d->port = ntohs(sa.sin_port);
	d->conf.port = d->port;
	if (d->site.proxy) {
		d->fd4011 = open_socket(c, 4011, err, errcap);
		if (d->fd4011 < 0) {
			dhcpd_free(d);
			return NULL;
		}
		srv_loop_add(l, d->fd4011, POLLIN, on_packet, d);
	}
	srv_loop_add(l, d->fd, POLLIN, on_packet, d);
	d->flush_timer = srv_timer_add(l, 5.0, on_flush, d);
	return d;
}

uint16_t dhcpd_port(const struct dhcpd *d)
{
	return d->port;
}

void dhcpd_free(struct dhcpd *d)
{
	if (!d)
		return;
	if (d->pool)
		write_leases(d, true);
	if (d->loop) {
		srv_timer_cancel(d->loop, d->flush_timer);
		if (d->fd >= 0)
			srv_loop_del(d->loop, d->fd);
		if (d->fd4011 >= 0)
			srv_loop_del(d->loop, d->fd4011);
	}
	if (d->fd >= 0)
		close(d->fd);
	if (d->fd4011 >= 0)
		close(d->fd4011);
	free(d->pool);
	free(d);
}
