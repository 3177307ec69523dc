/* pxecfg.h: what a pxelinux config's default label does (DEFAULT/ONTIMEOUT, LABEL, KERNEL, LOCALBOOT). */
#ifndef NBC_PROTO_PXECFG_H
#define NBC_PROTO_PXECFG_H

#include "cursor.h"

#define PXECFG_NAME_MAX 256

enum pxecfg_action {
	PXECFG_UNKNOWN,		/* no default, or a label we cannot resolve */
	PXECFG_LOCALBOOT,
	PXECFG_KERNEL,		/* KERNEL/LINUX: a kernel, maybe with an initrd */
	PXECFG_COM32,		/* a .c32 module (menus, cmd.c32 sanboot...) */
};

struct pxecfg_default {
	enum pxecfg_action action;
	char label[64];
	char kernel[PXECFG_NAME_MAX];
	char initrd[PXECFG_NAME_MAX];	/* INITRD or APPEND initrd=; first file only */
	char append[PXECFG_NAME_MAX];	/* the label's APPEND line (an iPXE command for cmd.c32) */
	unsigned line;		/* where the label's action is, 1-based; 0 unknown */
};

/*
 * Resolves the default label of a config file's text. The text is untrusted:
 * lines are bounded, keywords case-insensitive as in syslinux.
 */
void pxecfg_parse_default(struct view text, struct pxecfg_default *out);
/* The same for a named label (netboot-firmware --label); NULL: the default. */
void pxecfg_parse_label(struct view text, const char *label, struct pxecfg_default *out);
const char *pxecfg_action_name(enum pxecfg_action a);

#endif
