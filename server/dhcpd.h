/* dhcpd.h: netboot-serve's DHCP service: leases, the boot policy per client class, proxyDHCP. */
#ifndef NBC_SERVER_DHCPD_H
#define NBC_SERVER_DHCPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/dhcp.h"
#include "proto/site.h"
#include "server/loop.h"

struct dhcpd_conf {
	const struct site *site;
	const char *iface;	/* bind to this interface (SO_BINDTODEVICE); NULL: tests only */
	uint32_t listen_ip;	/* host order; 0 = any */
	uint16_t port;		/* 67; replies go to port + 1 */
	const char *leases_path;	/* NULL: leases kept in memory only */
	double now_offset;	/* tests: added to the wall clock */
};

/* Where and what to answer (dhcpd_answer). */
struct dhcpd_reply {
	uint8_t buf[1024];
	size_t len;		/* 0: no answer */
	uint32_t dst_ip;	/* host order */
	uint16_t dst_port;
	char log[256];		/* what was answered, for the log */
};

struct dhcpd;

struct dhcpd *dhcpd_new(struct srv_loop *l, const struct dhcpd_conf *c, char *err, size_t errcap);
/* Writes the leases file and frees everything. */
void dhcpd_free(struct dhcpd *d);
/* The bound UDP port (tests bind port 0). */
uint16_t dhcpd_port(const struct dhcpd *d);
/* Writes the leases file now (atomically: temporary file, fsync, rename). Returns 0 or -1. */
int dhcpd_flush(struct dhcpd *d);

/* The decision for one request, without I/O (unit tests drive this). */
void dhcpd_answer(struct dhcpd *d, const struct dhcp_msg *m, bool on_4011, struct dhcpd_reply *r);
/* Builds a dhcpd without sockets (unit tests). */
struct dhcpd *dhcpd_new_detached(const struct dhcpd_conf *c, char *err, size_t errcap);
/* The address leased to mac, 0 if none. */
uint32_t dhcpd_lease_of(const struct dhcpd *d, const uint8_t mac[6]);

#endif
