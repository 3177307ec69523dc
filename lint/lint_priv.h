/* lint_priv.h: the lint context's layout and the pieces lint's own sources share. */
#ifndef NBC_LINT_LINT_PRIV_H
#define NBC_LINT_LINT_PRIV_H

#include "lint/lint.h"
#include "lint/lint_cmd.h"

#define LINT_FINDINGS_MAX 100000	/* more are counted, not kept */
#define LINT_SCOPES_MAX 4096	/* scopes of one server evaluated; the rest are not */
#define LINT_SEEN_MAX 4096	/* files followed from the DHCP answers */

struct lint_ctx {
	char **names;
	size_t nnames, names_cap;
	struct lint_finding *findings;
	size_t nfindings, findings_cap;
	size_t findings_dropped;
	char **seen;		/* real paths already checked (pxelinux configs, scripts) */
	size_t nseen;
	/* Files a server configuration read as a part of itself (includes, conf-file and
	 * conf-dir, hosts and options files): their real paths, and which input read them. */
	struct lint_part {
		char *real;
		int input;
	} *parts;
	size_t nparts, parts_cap;
	int input;		/* the input being checked (set by lint/cmd.c), -1 */
};

struct lint_run_opts {
	struct lint_roots roots;
	unsigned profiles;	/* bit per enum lint_profile_id */
};

/* True if path (resolved with realpath) was already checked; records it otherwise. */
bool lint_seen(struct lint_ctx *c, const char *path);

/* flow.c */
void lint_flow_server(struct lint_ctx *c, const struct lint_server *s,
		      const struct lint_run_opts *o);
bool lint_is_pxelinux(const char *name);
/* root + the path of a TFTP name or URL; -1 if it would leave the root or not fit. */
int lint_root_path(const char *root, const char *name, char *out, size_t cap);

#endif
