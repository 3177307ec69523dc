/* ipxescript.h: what an iPXE script will make the client do next (chain, fetch, sanboot, set...). */
#ifndef NBC_PROTO_IPXESCRIPT_H
#define NBC_PROTO_IPXESCRIPT_H

#include "cursor.h"

#define IPXE_ARG_MAX 256	/* stored strings are cut to this (NUL included) */
#define IPXE_ACTS_MAX 64
#define IPXE_PROBLEMS_MAX 16
#define IPXE_LINE_MAX 4096	/* a logical line is analysed up to this many bytes */
#define IPXE_LABELS_MAX 256	/* labels remembered for checking goto */

enum ipxe_act_kind {
	IPXE_ACT_CHAIN,		/* chain/boot/imgexec [URI [args]]: loads and runs the image;
				 * arg is empty for a bare boot/imgexec (runs the selected image) */
	IPXE_ACT_FETCH,		/* imgfetch/module/initrd/kernel/imgselect/imgload URI */
	IPXE_ACT_SANBOOT,	/* sanboot [options] URI... (first URI kept); no URI = boot the root-path */
	IPXE_ACT_SANHOOK,	/* sanhook URI */
	IPXE_ACT_SET,		/* set NAME VALUE */
	IPXE_ACT_EXIT,		/* exit [status]; arg is the status, if any */
	IPXE_ACT_GOTO,		/* goto LABEL */
};

struct ipxe_action {
	enum ipxe_act_kind kind;
	unsigned line;		/* 1-based; where the (logical) line starts */
	char arg[IPXE_ARG_MAX];	/* URI (userinfo password replaced by "****"), or the setting name
				 * as written (scope/name:type), or the label; printable (\xNN) */
	char value[IPXE_ARG_MAX];	/* SET: the value (arguments joined by one space, URIs
					 * redacted), "****" if the setting is secret */
	bool secret;		/* SET of a password-like setting (password, reverse-password,
				 * any name ending in "password"), or a URI that had a password */
	bool fallback;		/* runs only if the command before it failed (after `||`) */
	bool keep_flag;		/* SANBOOT/SANHOOK: had --keep (-k) */
};

struct ipxe_problem {
	unsigned line;		/* 1-based */
	char msg[160];		/* starts lowercase; never carries URI text or values */
};

struct ipxe_script {
	bool has_magic;		/* starts with "#!ipxe" (or legacy "#!gpxe") and a whitespace
				 * byte, exactly as iPXE requires: case-sensitive, no BOM */
	unsigned lines;		/* physical lines */
	size_t lines_cut;	/* logical lines longer than IPXE_LINE_MAX (rest not analysed) */
	struct ipxe_action acts[IPXE_ACTS_MAX];
	size_t nacts;
	size_t acts_dropped;
	struct ipxe_problem problems[IPXE_PROBLEMS_MAX];
	size_t nproblems;
	size_t problems_dropped;
	int keep_san;		/* -1 never set; else 0/1 from the last `set [scope/]keep-san N` */
	/* `set [scope/]209[:string] X` / 210: pxelinux config file and path prefix */
	bool has_209, has_210;
	char set_209[IPXE_ARG_MAX], set_210[IPXE_ARG_MAX];
	char root_path[IPXE_ARG_MAX];	/* last `set [scope/]root-path X` or `17[:string]`, if any */
};

/*
 * Parses an iPXE script as iPXE would: lines split on LF with a trailing CR
 * stripped, backslash-newline continues a line, a NUL ends the line, tokens
 * split on whitespace (no quoting, ${vars} kept literally), a token starting
 * with '#' starts a comment, "||", "&&" and ";" separate commands, ":label"
 * defines a label. The text is untrusted and not NUL-terminated.
 */
void ipxe_script_parse(struct view text, struct ipxe_script *out);
/* The same; show_secrets keeps passwords as written (for --show-secrets). */
void ipxe_script_parse_opts(struct view text, struct ipxe_script *out, bool show_secrets);

/*
 * Replaces the password of every URI userinfo in `in` with "****"
 * (http://user:pw@host/ -> http://user:****@host/). out is always
 * NUL-terminated (if cap > 0) and cut to cap. Returns true if it changed something.
 */
bool ipxe_uri_redact(const char *in, char *out, size_t cap);

/*
 * Checks a URI argument: a relative path, or an absolute URI with a scheme
 * iPXE knows (http, https, ftp, tftp, tftm, mtftp, slam, nfs, file, iscsi,
 * aoe, fcp, ib_srp, srp). Flags "http:/x" (missing //), an empty host or a
 * bad port, an unknown scheme, a bad iSCSI root path, spaces and control
 * characters. URIs containing ${...} are only checked up to the scheme.
 * Returns true if ok, else false with a reason in why (which never quotes
 * more of the URI than its scheme). why may be NULL.
 */
bool ipxe_uri_check(const char *uri, char *why, size_t cap);

#endif
