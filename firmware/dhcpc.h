/* dhcpc.h: netboot-firmware's DHCP stage: a PXE ROM's or iPXE's DHCP on raw frames, proxyDHCP. */
#ifndef NBC_FIRMWARE_DHCPC_H
#define NBC_FIRMWARE_DHCPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/dhcp.h"

/* Which client's DHCP to reproduce on the wire. */
enum dhcpc_persona {
	DHCPC_PXE_ROM,
	DHCPC_IPXE,
};

struct dhcpc_conf {
	const char *iface;
	enum dhcpc_persona persona;
	uint16_t arch;		/* option 93: 0 BIOS, 6 EFI IA32, 7 EFI x64, 11 ARM64 */
	uint8_t uuid[16];	/* option 97 (type 0 + 16 bytes) */
	uint32_t xid;		/* 0: random */
	double timeout;		/* whole exchange, seconds (0: the default 30) */
	uint16_t server_port;	/* 67 (tests may move it; 0 means 67); client port = server_port + 1 */
};

struct dhcpc_lease {
	uint32_t ip, netmask, router, server_id, siaddr;	/* host order */
	char bootfile[256];	/* option 67, else the file field */
	char tftp_server[64];	/* option 66, empty if absent */
	bool has_209, has_210;
	char configfile[256], pathprefix[256];	/* PXELINUX 209, 210 */
	char root_path[256];	/* option 17 */
	int keep_san, skip_san_boot;	/* iPXE 175.8/175.9: -1 absent */
	char ipxe_username[64], ipxe_password[128];	/* 175.190/191: never log the password */
	bool from_proxy;	/* the boot file came from a proxyDHCP (4011) */
	uint32_t boot_server;	/* where the boot file came from (that server's identifier) */
	uint8_t uuid[16];	/* option 97 echoed by the server */
	bool has_uuid;
};

#define DHCPC_PROXY_PORT 4011	/* PXE 2.1: proxyDHCP / boot server port */

/*
 * Runs DISCOVER/OFFER/REQUEST/ACK on raw frames (AF_PACKET) as the persona does. Offer
 * selection as a PXE ROM: an offer with a boot file first; an address-only offer plus a
 * proxyDHCP offer: the address from the first, then (after dhcpc_configure, which this
 * calls itself in that case) a REQUEST to the proxy's port 4011 for the boot file.
 * Retries after 4, 8, 16, 32 s, bounded by c->timeout. Returns 0, or -1 with a one-line
 * reason in err. Logs each message sent or received through log when not NULL.
 */
int dhcpc_run(const struct dhcpc_conf *c, struct dhcpc_lease *out,
	      void (*log)(void *ctx, const char *line), void *ctx, char *err, size_t errcap);

/*
 * Puts l->ip/l->netmask on iface, brings it up and adds a default route via l->router
 * when set (an existing route is not an error). Returns 0 or -1 with err.
 */
int dhcpc_configure(const char *iface, const struct dhcpc_lease *l, char *err, size_t errcap);

/* Builds the persona's DHCP message (UDP payload). requested_ip/server_id: 50/54 if not 0.
 * Returns its length, 0 if cap is too small. */
size_t dhcpc_build(const struct dhcpc_conf *c, const uint8_t mac[6], uint8_t type, uint32_t xid,
		   uint16_t secs, uint32_t requested_ip, uint32_t server_id, uint8_t *out,
		   size_t cap);

/*
 * The offer whose address to take, or -1 when none offers an address. pxe: prefer the
 * first address offer carrying a boot file (PXE ROM); otherwise the first address offer.
 */
int dhcpc_pick_offer(const struct dhcp_msg *offers[], size_t n, bool pxe);

/* The first proxyDHCP offer (no yiaddr, option 60 "PXEClient", a boot file), or -1. */
int dhcpc_pick_proxy(const struct dhcp_msg *offers[], size_t n);

/* True if the message names a boot file (option 67 or the file field). */
bool dhcpc_has_bootfile(const struct dhcp_msg *m);

/* Clears l, then fills it from an ACK or OFFER. */
void dhcpc_lease_from(const struct dhcp_msg *ack, struct dhcpc_lease *l);

#endif
