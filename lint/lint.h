/* lint.h: netboot-check lint: the model the configuration parsers fill and the static flow checks read. */
#ifndef NBC_LINT_LINT_H
#define NBC_LINT_LINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checker/model.h"

/*
 * How lint works (docs/lint.md): every configuration file is parsed by its own backend
 * (ISC dhcpd, dnsmasq, Kea, pxelinux, iPXE). A DHCP backend does not decide anything about
 * network boot itself: it answers one question, "what would this server hand this kind of
 * client in this scope?" (lint_offer), for each built-in client profile (lint_profile).
 * lint.c runs the flow rules on those answers and follows them into the TFTP and HTTP roots
 * (pxelinux configs, iPXE scripts, boot files). Syntax faults are findings with a location,
 * never an abort.
 */

/* A place in a configuration file. line and col are 1-based; line 0 means the whole file. */
struct lint_loc {
	const char *file;	/* interned with lint_intern(): lives as long as the context */
	unsigned line;
	unsigned col;
};

struct lint_finding {
	const char *rule;	/* stable rule ID (static storage) */
	enum nbc_sev sev;
	struct lint_loc loc;
	char message[NBC_MSG_MAX];	/* never carries secrets */
	const char *hint;	/* static storage, may be NULL */
};

struct lint_ctx;

struct lint_ctx *lint_ctx_new(void);	/* NULL only when out of memory */
void lint_ctx_free(struct lint_ctx *c);
size_t lint_nfindings(const struct lint_ctx *c);
const struct lint_finding *lint_finding_at(const struct lint_ctx *c, size_t i);

/* Interns a file name; the pointer stays valid until lint_ctx_free. */
const char *lint_intern(struct lint_ctx *c, const char *path);

/* Adds a finding (printf-style message, one line, no trailing period needed). */
void lint_add(struct lint_ctx *c, const char *rule, enum nbc_sev sev, struct lint_loc loc,
	      const char *hint, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/*
 * Reads a whole configuration file (at most LINT_FILE_MAX bytes) into a NUL-terminated heap
 * buffer (*len excludes the NUL; the text may contain NUL bytes). On failure returns -1 and
 * leaves the reason in why (strerror text, "larger than 16 MiB", "is a directory").
 */
#define LINT_FILE_MAX (16u << 20)
int lint_read_file(const char *path, char **text, size_t *len, char *why, size_t why_cap);
/* Records that the input being checked read path as a part of its configuration (an
 * include, a conf-file, a hosts file): lint/cmd.c then does not check it on its own. */
void lint_note_part(struct lint_ctx *c, const char *path);

/* ---------------------------------------------------------------------------------------- */
/* Client profiles: what each kind of client sends in its DISCOVER/REQUEST. */

enum lint_profile_id {
	LP_BIOS_PXE,		/* a BIOS PXE ROM: option 93 = 0, 60 PXEClient:Arch:00000 */
	LP_EFI64_PXE,		/* a UEFI x64 PXE ROM: 93 = 7 (the code nearly all firmware sends) */
	LP_EFI64_PXE9,		/* a UEFI x64 PXE ROM that sends 93 = 9 (some HP/Dell firmware) */
	LP_IPXE_BIOS,		/* iPXE on BIOS: 77 "iPXE", 175, 93 = 0 */
	LP_IPXE_EFI64,		/* iPXE on UEFI x64: 77 "iPXE", 175, 93 = 7 */
	LP__COUNT,
};

struct lint_opt_bytes {
	bool present;
	uint8_t len;
	uint8_t data[255];
};

struct lint_profile {
	enum lint_profile_id id;
	const char *name;	/* "bios-pxe", "efi64-pxe", "efi64-pxe-9", "ipxe-bios", "ipxe-efi64" */
	const char *desc;	/* "BIOS PXE ROM", ... */
	int arch;		/* option 93 */
	bool ipxe;		/* sends user-class "iPXE" (77, raw bytes as iPXE does) and 175 */
	uint8_t mac[6];		/* 52:54:00:12:34:56; hardware type 1 */
	/* Options the client sends, raw wire bytes: 55 (its request list), 60, 61, 77 (iPXE
	 * only), 93, 94, 97, 175 (iPXE only). A backend evaluates its conditions on these. */
	struct lint_opt_bytes opt[256];
};

/* The built-in profiles, indexed by enum lint_profile_id. */
const struct lint_profile *lint_profile_get(enum lint_profile_id id);

/* True if the profile's request list (option 55) contains code. */
bool lint_profile_requests(const struct lint_profile *p, unsigned code);

/* ---------------------------------------------------------------------------------------- */
/* What a DHCP server configuration hands one profile in one scope. */

#define LINT_VALUE_MAX 256

struct lint_opt {
	bool defined;		/* the configuration gives this option a value for this client */
	bool sent;		/* ...and the server would put it in the reply: ISC dhcpd only sends
				 * what is in the client's request list (after any request-list
				 * concat/append) or what it is told to force; dnsmasq sends
				 * dhcp-option-force always and dhcp-option when requested; Kea
				 * sends always-send options and requested ones */
	size_t len;
	uint8_t value[LINT_VALUE_MAX];	/* the wire bytes (text without NUL; cut to the buffer) */
	struct lint_loc loc;	/* where the value is set */
};

struct lint_offer {
	bool answered;		/* the server would answer this client at all */
	struct lint_loc answer_loc;	/* what decides the answer (range, subnet, host, ignore) */

	bool has_file;		/* the boot file: BOOTP file field and/or option 67 */
	char file[LINT_VALUE_MAX];
	struct lint_loc file_loc;

	bool has_next_server;	/* siaddr (next-server) */
	uint32_t next_server;	/* host byte order */
	struct lint_loc next_server_loc;
	bool next_server_is_self;	/* siaddr defaults to the server's own address (dnsmasq
					 * with enable-tftp, Kea's next-server unset stays 0.0.0.0) */

	/* Options by code (only the ones a backend understands need be filled: 43, 60, 66, 67,
	 * 17 root-path, 175 encapsulation, 208-211 pxelinux). A value given as a text option in
	 * the config is stored as its bytes. */
	struct lint_opt opt[256];
};

/* ---------------------------------------------------------------------------------------- */
/* A parsed DHCP server configuration, as the flow rules see it. */

struct lint_server {
	const char *kind;	/* "isc-dhcpd", "dnsmasq", "kea" */
	const char *path;	/* the main configuration file (interned) */
	void *priv;
	/* Scopes: places a client may be served from, each evaluated separately (ISC: each
	 * subnet or shared-network with a dynamic range, each host block; dnsmasq: one scope,
	 * plus one per dhcp-host that sets a tag; Kea: each subnet4, each reservation). At
	 * least one; a config with no place to serve from has one scope that never answers. */
	size_t (*nscopes)(void *priv);
	/* "subnet 192.0.2.0/24", "host pc1", "dhcp-range 192.0.2.100-192.0.2.150" */
	const char *(*scope_name)(void *priv, size_t scope);
	struct lint_loc (*scope_loc)(void *priv, size_t scope);
	/* Fills *out (zeroed by the caller) with the reply to p in scope. */
	void (*eval)(void *priv, size_t scope, const struct lint_profile *p,
		     struct lint_offer *out);
	/* TFTP root the configuration names (dnsmasq tftp-root), or NULL; lint uses --tftp-root
	 * when given, else this if it exists on the machine running lint. */
	const char *(*tftp_root)(void *priv, struct lint_loc *loc);
	void (*free)(void *priv);
};

/*
 * Backends. Each parses path (and its includes), adds NBC-CONFIG-* findings for what it
 * cannot parse (with file:line:col), and fills *out. Returns 0 if the configuration could
 * be parsed well enough to evaluate (findings may still be errors), -1 if it could not be
 * read at all (why says why, e.g. "No such file or directory"); *out is then untouched.
 */
int lint_dhcpd_load(struct lint_ctx *c, const char *path, struct lint_server *out,
		    char *why, size_t why_cap);
int lint_dnsmasq_load(struct lint_ctx *c, const char *path, struct lint_server *out,
		      char *why, size_t why_cap);
int lint_kea_load(struct lint_ctx *c, const char *path, struct lint_server *out,
		  char *why, size_t why_cap);

/* ---------------------------------------------------------------------------------------- */
/* Following the boot into the file trees (lint/bootfiles.c). */

struct lint_roots {
	const char *tftp;	/* local directory standing for the TFTP root, or NULL (unchecked) */
	const char *http;	/* local directory standing for the HTTP document root, or NULL */
};

/*
 * Checks a pxelinux configuration file: every label's KERNEL/LINUX/INITRD (and initrd= in
 * APPEND)/COM32/.c32 module exists under roots->tftp (names relative to prefix, the 210
 * path prefix or the NBP's directory, "" for the root); DEFAULT/ONTIMEOUT resolves to a
 * label (or names a kernel/module directly, as syslinux allows); INCLUDE/MENU INCLUDE files
 * are followed (bounded depth). path is the name findings carry.
 */
void lint_pxelinux_cfg(struct lint_ctx *c, const char *path, const char *text, size_t len,
		       const struct lint_roots *roots, const char *prefix);

/*
 * Checks an iPXE script: the #!ipxe magic, what ipxe_script_parse finds (unknown commands,
 * goto to a missing label, bad URIs), chain/kernel/initrd/imgfetch targets that do not exist
 * under the roots (relative URIs resolved against base_url, the script's own URL, or NULL),
 * sanboot root paths that break RFC 4173, and a sanboot whose failure path goes on (chain,
 * another sanboot, an install) without keep-san. Scripts it chains to under the HTTP root
 * are followed (bounded).
 */
void lint_ipxe_script(struct lint_ctx *c, const char *path, const char *text, size_t len,
		      const struct lint_roots *roots, const char *base_url);

/* Rule IDs of configuration-only faults (docs/rules.md). */
#define LINT_R_SYNTAX "NBC-CONFIG-SYNTAX"	/* the server would refuse or misread this */
#define LINT_R_INCLUDE "NBC-CONFIG-INCLUDE"	/* an include/conf-file that cannot be read */
#define LINT_R_UNSUPPORTED "NBC-CONFIG-UNSUPPORTED"	/* a construct lint cannot evaluate
							 * (warning: the answer may be wrong) */

#endif
