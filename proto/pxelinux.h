/* pxelinux.h: pxelinux's config file lookup order and path prefix (syslinux core/fs/pxe). */
#ifndef NBC_PROTO_PXELINUX_H
#define NBC_PROTO_PXELINUX_H

#include "cursor.h"

#define PXELINUX_WALK_MAX 12	/* configfile + UUID + MAC + 8 IP prefixes + default */
#define PXELINUX_NAME_MAX 300

enum pxelinux_step {
	PXELINUX_STEP_CONFIGFILE,	/* option 209, tried first */
	PXELINUX_STEP_UUID,
	PXELINUX_STEP_MAC,
	PXELINUX_STEP_IP,
	PXELINUX_STEP_DEFAULT,
};

struct pxelinux_walk {
	unsigned n;
	char names[PXELINUX_WALK_MAX][PXELINUX_NAME_MAX];
	uint8_t step[PXELINUX_WALK_MAX];	/* enum pxelinux_step */
	bool uuid_optional;	/* no option 97 seen: the UUID may come from SMBIOS instead */
};

struct pxelinux_input {
	const uint8_t *uuid;	/* 16 raw bytes from option 97, or NULL */
	const uint8_t *mac;	/* chaddr */
	uint8_t htype;		/* ARP hardware type, 1 for Ethernet */
	uint8_t hlen;
	uint32_t ip;		/* leased address, host order */
	const char *prefix;	/* from option 210, or NULL: derived from bootfile */
	const char *bootfile;	/* the NBP's name as DHCP gave it */
	const char *configfile;	/* option 209, or NULL */
};

/*
 * pxelinux 6.x only uses a UUID whose version nibble is neither 0 nor 15
 * (sysappend.c is_valid_uuid: raw byte 6 in 0x10..0xef).
 */
bool pxelinux_uuid_usable(const uint8_t uuid[16]);

/*
 * Without option 210 the prefix is the boot file's directory: pxelinux strips
 * the trailing run of [0-9a-zA-Z.-] (pxe.c get_prefix).
 */
void pxelinux_prefix_from_bootfile(const char *bootfile, char *dst, size_t cap);

/* Computes the names pxelinux will ask for, in order, prefix included. */
void pxelinux_compute_walk(const struct pxelinux_input *in, struct pxelinux_walk *out);

/* True if an NBP file name is a pxelinux variant (pxelinux.0, lpxelinux.0, gpxelinux.0). */
bool pxelinux_is_nbp(const char *name);

const char *pxelinux_step_name(unsigned step);

#endif
