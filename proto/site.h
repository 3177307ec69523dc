/* site.h: the site file: one declarative description of a boot site (docs/site-config.md). */
#ifndef NBC_PROTO_SITE_H
#define NBC_PROTO_SITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/cursor.h"

#define SITE_STR 256
#define SITE_HOSTS_MAX 256
#define SITE_TARGETS_MAX 16
#define SITE_LUNS_MAX 8
#define SITE_AUTH_MAX 16

struct site_host {
	uint8_t mac[6];
	uint32_t ip;		/* host order */
};

struct site_lun {
	uint64_t lun;
	char path[SITE_STR];	/* as written: relative to the site file's directory */
	bool rw;
};

struct site_target {
	char name[224];
	struct site_lun luns[SITE_LUNS_MAX];
	size_t nluns;
	char chap_user[64];
	char chap_secret[128];	/* a secret: never printed */
};

struct site_auth {
	char prefix[SITE_STR];
	char user[64];
	char password[128];	/* a secret: never printed */
};

struct site {
	uint32_t server_ip;	/* server.address: next-server, option 54, URLs */
	/* DHCP */
	uint32_t pool_first;
	uint32_t pool_last;
	uint32_t netmask;
	uint32_t router;
	uint32_t dns;
	uint32_t lease_time;	/* seconds */
	char leases_file[SITE_STR];
	bool proxy;		/* proxyDHCP: answer PXE clients only, no addresses */
	struct site_host hosts[SITE_HOSTS_MAX];
	size_t nhosts;
	/* Boot files: the NBP per client arch and what iPXE gets instead. */
	char boot_bios[SITE_STR];
	char boot_efi_x64[SITE_STR];
	char boot_efi_ia32[SITE_STR];
	char boot_arm64[SITE_STR];
	char ipxe_script[SITE_STR];	/* URL handed to iPXE (user-class iPXE or 175) */
	/* PXELINUX options 208-211 */
	bool pxelinux_magic;
	char pxelinux_configfile[SITE_STR];
	char pxelinux_pathprefix[SITE_STR];
	int pxelinux_reboottime;	/* -1 unset */
	bool pxelinux_force;	/* send 208-211 even when the client did not ask (default yes) */
	/* SAN boot */
	int keep_san;		/* -1 unset, 0/1: 175.8 to iPXE; what analyze --expect holds */
	int skip_san_boot;	/* -1 unset, 0/1: 175.9 */
	char root_path[SITE_STR];	/* option 17 */
	char ipxe_username[64];	/* 175.190 */
	char ipxe_password[128];	/* 175.191: a secret */
	/* Files */
	char tftp_root[SITE_STR];
	char http_root[SITE_STR];
	struct site_auth auth[SITE_AUTH_MAX];
	size_t nauth;
	/* iSCSI */
	struct site_target targets[SITE_TARGETS_MAX];
	size_t ntargets;
};

/* Defaults: no services, lease time 3600, pxelinux.force yes, keep-san unset. */
void site_init(struct site *s);
/*
 * Parses the text of a site file (name is used in errors). Returns 0, or -1 with
 * "NAME:LINE: reason" in err. Unknown keys, bad values and duplicates of single
 * keys are errors: a server never starts half-configured.
 */
int site_parse(struct view text, const char *name, struct site *s, char *err, size_t errcap);

#endif
