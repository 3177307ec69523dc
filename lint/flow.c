/* flow.c: lint's static flow rules: what each client profile is handed, and where that leads. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checker/engine.h"
#include "checker/rules.h"
#include "lint/lint_priv.h"
#include "proto/ipxescript.h"

/*
 * One finding may hold for several profiles (both iPXE profiles are handed the same
 * undionly.kpxe by the same line): those are merged into one finding naming them all.
 */
struct pending {
	const char *rule;
	enum nbc_sev sev;
	struct lint_loc loc;
	const char *hint;
	char scope[96];
	char text[NBC_MSG_MAX / 2];
	unsigned profiles;	/* bit per enum lint_profile_id */
};

struct flow {
	struct lint_ctx *c;
	const struct lint_run_opts *o;
	struct pending *p;
	size_t np, cap;
};

static const char *rule_hint(const char *id)
{
	const struct rule *r = rules_find(id);

	return r ? r->hint : lint_rule_hint(id);
}

static void pend(struct flow *f, const char *rule, enum nbc_sev sev, struct lint_loc loc,
		 const char *scope, const struct lint_profile *p, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
static void pend(struct flow *f, const char *rule, enum nbc_sev sev, struct lint_loc loc,
		 const char *scope, const struct lint_profile *p, const char *fmt, ...)
{
	char text[NBC_MSG_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < f->np; i++) {
		struct pending *q = &f->p[i];

		if (q->rule == rule && q->loc.file == loc.file && q->loc.line == loc.line &&
		    q->loc.col == loc.col && strcmp(q->scope, scope) == 0 &&
		    strcmp(q->text, text) == 0) {
			q->profiles |= 1u << p->id;
			if (sev > q->sev)
				q->sev = sev;
			return;
		}
	}
	if (f->np == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct pending *n = realloc(f->p, cap * sizeof(*n));

		if (n == NULL)
			return;
		f->p = n;
		f->cap = cap;
	}
	struct pending *q = &f->p[f->np++];

	memset(q, 0, sizeof(*q));
	q->rule = rule;
	q->sev = sev;
	q->loc = loc;
	q->hint = rule_hint(rule);
	snprintf(q->scope, sizeof(q->scope), "%s", scope);
	snprintf(q->text, sizeof(q->text), "%s", text);
	q->profiles = 1u << p->id;
}

static void flush(struct flow *f)
{
	for (size_t i = 0; i < f->np; i++) {
		const struct pending *q = &f->p[i];
		char who[160] = "";
		size_t n = 0;

		for (unsigned k = 0; k < LP__COUNT; k++)
			if (q->profiles & (1u << k))
				n += (size_t)snprintf(who + n, n < sizeof(who) ? sizeof(who) - n : 0,
						      "%s%s", n ? ", " : "",
						      lint_profile_get((enum lint_profile_id)k)->name);
		lint_add(f->c, q->rule, q->sev, q->loc, q->hint, "%s (%s): %s", who, q->scope,
			 q->text);
	}
	free(f->p);
	f->p = NULL;
	f->np = f->cap = 0;
}

/* ---------------------------------------------------------------------------------------- */

static bool is_url(const char *s)
{
	return strstr(s, "://") != NULL;
}

static bool is_http_url(const char *s)
{
	return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

static bool has_var(const char *s)
{
	return strstr(s, "${") != NULL;
}

bool lint_is_pxelinux(const char *name)
{
	const char *b = eng_basename(name);

	return strcmp(b, "pxelinux.0") == 0 || strcmp(b, "lpxelinux.0") == 0 ||
	       strcmp(b, "gpxelinux.0") == 0 || strcmp(b, "syslinux.efi") == 0;
}

/* The file's path under root: "dir/x" for TFTP names ("/x" and "x" alike), a URL's path. */
int lint_root_path(const char *root, const char *name, char *out, size_t cap)
{
	const char *p = name;

	if (is_url(name)) {
		p = strstr(name, "://") + 3;
		p = strchr(p, '/');
		if (p == NULL)
			p = "/";
	}
	while (*p == '/')
		p++;
	/* ".." would leave the root: such a name is checked by nobody here. */
	for (const char *s = p; (s = strstr(s, "..")) != NULL; s += 2)
		if ((s == p || s[-1] == '/') && (s[2] == '/' || s[2] == '\0'))
			return -1;
	size_t plen = strcspn(p, "?#");
	int n = snprintf(out, cap, "%s/%.*s", root, (int)plen, p);

	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static bool file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Directory part of a TFTP name, with its slash ("boot/pxelinux.0" -> "boot/"). */
static void name_dir(const char *name, char *out, size_t cap)
{
	const char *slash = strrchr(name, '/');
	size_t n = slash ? (size_t)(slash - name + 1) : 0;

	snprintf(out, cap, "%.*s", (int)n, name);
}

static void opt_text(const struct lint_opt *o, char *out, size_t cap)
{
	size_t n = o->len < cap - 1 ? o->len : cap - 1, i;

	/* A text option may carry a trailing NUL (some configs add one); syslinux stops there. */
	for (i = 0; i < n && o->value[i] != 0; i++)
		out[i] = (o->value[i] >= 0x20 && o->value[i] < 0x7f) ? (char)o->value[i] : '?';
	out[i] = '\0';
}

/* Follows a pxelinux NBP into its configuration: which file pxelinux would load. */
static void follow_pxelinux(struct flow *f, const struct lint_offer *off,
			    const struct lint_profile *p, const char *scope)
{
	const struct lint_roots *roots = &f->o->roots;
	char prefix[LINT_VALUE_MAX], cfg[LINT_VALUE_MAX + 16], path[PATH_MAX];
	const struct lint_opt *o209 = &off->opt[209], *o210 = &off->opt[210];
	bool over_http = is_http_url(off->file);
	const char *root = over_http ? roots->http : roots->tftp;

	if (o210->defined && o210->sent)
		opt_text(o210, prefix, sizeof(prefix));
	else
		name_dir(off->file, prefix, sizeof(prefix));
	if (is_http_url(prefix)) {
		over_http = true;
		root = roots->http;
	}
	if (root == NULL || has_var(prefix))
		return;
	if (o209->defined && o209->sent) {
		char name[LINT_VALUE_MAX];

		opt_text(o209, name, sizeof(name));
		/* 209 is relative to the prefix unless it is absolute itself (a URL or "::"). */
		if (is_url(name) || name[0] == '/')
			snprintf(cfg, sizeof(cfg), "%s", name);
		else
			snprintf(cfg, sizeof(cfg), "%s%s", prefix, name);
		if (lint_root_path(root, cfg, path, sizeof(path)) != 0)
			return;
		if (!file_exists(path)) {
			pend(f, "NBC-PXELINUX-NO-CONFIG", NBC_SEV_ERROR, o209->loc, scope, p,
			     "option 209 names %s, which is not under the %s root %s: pxelinux "
			     "has no configuration to load",
			     cfg, over_http ? "HTTP" : "TFTP", root);
			return;
		}
	} else {
		snprintf(cfg, sizeof(cfg), "%spxelinux.cfg/default", prefix);
		if (lint_root_path(root, cfg, path, sizeof(path)) != 0)
			return;
		if (!file_exists(path)) {
			/* Per-machine files may exist; without default, every other machine fails. */
			pend(f, "NBC-PXELINUX-NO-CONFIG", NBC_SEV_WARNING, off->file_loc, scope, p,
			     "%s walks its config lookup to %s, which is not under the %s root %s: "
			     "a machine without a config file of its own (UUID, MAC or IP) gets none",
			     eng_basename(off->file), cfg, over_http ? "HTTP" : "TFTP", root);
			return;
		}
	}
	if (lint_seen(f->c, path))
		return;
	char *text = NULL, why[128];
	size_t len = 0;

	if (lint_read_file(path, &text, &len, why, sizeof(why)) != 0) {
		lint_add(f->c, LINT_R_INCLUDE, NBC_SEV_ERROR, off->file_loc, lint_rule_hint(LINT_R_INCLUDE),
			 "cannot read the pxelinux config %s: %s", path, why);
		return;
	}
	lint_pxelinux_cfg(f->c, lint_intern(f->c, path), text, len, roots, prefix);
	free(text);
}

static void follow_script(struct flow *f, const struct lint_offer *off)
{
	const char *root = f->o->roots.http;
	char path[PATH_MAX];

	if (root == NULL || has_var(off->file) ||
	    lint_root_path(root, off->file, path, sizeof(path)) != 0 || !file_exists(path) ||
	    lint_seen(f->c, path))
		return;
	char *text = NULL, why[128];
	size_t len = 0;

	if (lint_read_file(path, &text, &len, why, sizeof(why)) != 0)
		return;
	/* An NBP over HTTP is a binary; only a text file that looks like a script is one. */
	if (len >= 6 && (memcmp(text, "#!ipxe", 6) == 0 || memcmp(text, "#!gpxe", 6) == 0))
		lint_ipxe_script(f->c, lint_intern(f->c, path), text, len, &f->o->roots, off->file);
	free(text);
}

/* Where the boot file would come from, and whether it is there. */
static void check_file_present(struct flow *f, const struct lint_offer *off,
			       const struct lint_profile *p, const char *scope)
{
	const struct lint_roots *roots = &f->o->roots;
	char path[PATH_MAX];

	if (has_var(off->file))
		return;
	if (is_http_url(off->file)) {
		if (roots->http == NULL || lint_root_path(roots->http, off->file, path, sizeof(path)))
			return;
		if (!file_exists(path))
			pend(f, "NBC-HTTP-STATUS", NBC_SEV_ERROR, off->file_loc, scope, p,
			     "the boot file %s is not under the HTTP root %s: the client would get 404",
			     off->file, roots->http);
		else
			follow_script(f, off);
		return;
	}
	if (is_url(off->file))
		return;		/* tftp://, ftp://, nfs://: not followed */
	if (roots->tftp == NULL || lint_root_path(roots->tftp, off->file, path, sizeof(path)))
		return;
	if (!file_exists(path))
		pend(f, "NBC-TFTP-NOT-FOUND", NBC_SEV_ERROR, off->file_loc, scope, p,
		     "the boot file %s is not under the TFTP root %s: the client would get TFTP "
		     "ERROR 1 (file not found)",
		     off->file, roots->tftp);
}

/* Does a client sending arch 7 get an EFI binary in this scope? (Then one sending 9 and
 * getting a BIOS image is a config that matches 7 only.) */
static bool code7_gets_efi(const struct lint_server *s, size_t scope)
{
	struct lint_offer *o = calloc(1, sizeof(*o));
	bool efi;

	if (o == NULL)
		return false;
	s->eval(s->priv, scope, lint_profile_get(LP_EFI64_PXE), o);
	efi = o->answered && o->has_file && eng_is_efi_binary(o->file);
	free(o);
	return efi;
}

static void check_offer(struct flow *f, const struct lint_server *s, size_t scope,
			const struct lint_profile *p, const struct lint_offer *off)
{
	const char *sname = s->scope_name(s->priv, scope);
	struct lint_loc sloc = s->scope_loc(s->priv, scope);

	if (!off->answered)
		return;
	if (!off->has_file) {
		if (p->ipxe && off->opt[17].defined && off->opt[17].sent)
			return;		/* iPXE boots the root path (sanboot) without a file */
		pend(f, "NBC-DHCP-NO-BOOTFILE", NBC_SEV_ERROR, sloc, sname, p,
		     "%s is answered here but handed no boot file (no filename/boot-file-name "
		     "applies to it)",
		     p->desc);
		return;
	}
	/* The user-class loop: iPXE handed an iPXE binary again. */
	if (p->ipxe && eng_is_ipxe_binary(off->file))
		pend(f, "NBC-LOOP-USERCLASS", NBC_SEV_ERROR, off->file_loc, sname, p,
		     "iPXE is handed %s, an iPXE binary, again: it chainloads itself forever "
		     "(nothing here tells an iPXE client, user-class iPXE or option 175, apart)",
		     off->file);
	/* Arch: a BIOS image for UEFI, or an EFI image for BIOS. */
	bool wrong_arch = (p->arch == 0 && eng_is_efi_binary(off->file)) ||
			  (p->arch != 0 && !eng_is_efi_binary(off->file) &&
			   eng_is_bios_binary(off->file));

	if (p->arch == 0 && eng_is_efi_binary(off->file))
		pend(f, "NBC-ARCH-MISMATCH", NBC_SEV_ERROR, off->file_loc, sname, p,
		     "a BIOS client (option 93 = 0) is handed %s, an EFI binary", off->file);
	else if (p->arch != 0 && !eng_is_efi_binary(off->file) && eng_is_bios_binary(off->file))
		pend(f, "NBC-ARCH-MISMATCH", NBC_SEV_ERROR, off->file_loc, sname, p,
		     "a UEFI x64 client (option 93 = %d) is handed %s, a BIOS (real-mode) image%s",
		     p->arch, off->file,
		     p->arch == 9 && code7_gets_efi(s, scope)
			     ? ": the config matches arch code 7 only, some firmware sends 9"
			     : "");
	/* TFTP needs a server to ask. */
	if (!is_url(off->file) && !off->has_next_server && !off->next_server_is_self &&
	    !(off->opt[66].defined && off->opt[66].sent))
		pend(f, "NBC-DHCP-NO-NEXT-SERVER", NBC_SEV_ERROR, off->file_loc, sname, p,
		     "%s is a TFTP name but no next-server (siaddr) or option 66 tells the client "
		     "where to fetch it: siaddr stays 0.0.0.0",
		     off->file);
	/* 209/210 matter to a client that can run the pxelinux it is handed. */
	if (lint_is_pxelinux(off->file) && !wrong_arch) {
		for (unsigned code = 209; code <= 210; code++) {
			const struct lint_opt *o = &off->opt[code];

			if (o->defined && !o->sent)
				pend(f, "NBC-PXELINUX-209-MISSING", NBC_SEV_ERROR, o->loc, sname, p,
				     "option %u (%s) is defined for %s but never sent: the client "
				     "does not ask for it in option 55 and nothing forces it, so "
				     "pxelinux walks the lookup order instead",
				     code, code == 209 ? "configfile" : "pathprefix",
				     eng_basename(off->file));
		}
	}
	check_file_present(f, off, p, sname);
	if (lint_is_pxelinux(off->file))
		follow_pxelinux(f, off, p, sname);
}

void lint_flow_server(struct lint_ctx *c, const struct lint_server *s,
		      const struct lint_run_opts *o)
{
	struct flow f = { .c = c, .o = o };
	struct lint_offer *off = malloc(sizeof(*off));
	size_t n = s->nscopes(s->priv);

	if (off == NULL)
		return;
	if (n > LINT_SCOPES_MAX)
		n = LINT_SCOPES_MAX;
	for (size_t sc = 0; sc < n; sc++) {
		for (unsigned k = 0; k < LP__COUNT; k++) {
			const struct lint_profile *p = lint_profile_get((enum lint_profile_id)k);

			if (!(o->profiles & (1u << k)))
				continue;
			memset(off, 0, sizeof(*off));
			s->eval(s->priv, sc, p, off);
			check_offer(&f, s, sc, p, off);
		}
	}
	free(off);
	flush(&f);
}
