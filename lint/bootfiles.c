/* bootfiles.c: follows a boot into the TFTP and HTTP trees: pxelinux configs and iPXE scripts. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "proto/cursor.h"
#include "lint/lint.h"
#include "proto/ipxescript.h"
#include "proto/rootpath.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

#define BF_DEPTH_MAX 8		/* files nested below the one checked */
#define BF_FILES_MAX 256	/* files followed per top-level call */
#define BF_NAME_MAX 256		/* a file name or URI as written in a config */

#define R_NO_DEFAULT "NBC-PXELINUX-NO-DEFAULT"
#define R_NO_CONFIG "NBC-PXELINUX-NO-CONFIG"
#define R_TFTP "NBC-TFTP-NOT-FOUND"
#define R_HTTP "NBC-HTTP-STATUS"
#define R_SCRIPT "NBC-IPXE-SCRIPT"
#define R_ROOTPATH "NBC-ROOTPATH-SYNTAX"
#define R_KEEP "NBC-SAN-KEEP-LOST"

/* The traffic rules' hints where the fault is the same (checker/rules.c, rules_tcp.c). */
static const char HINT_TFTP[] =
	"The file is not where the request looks: check the exact name and case under the TFTP "
	"root, the server's --secure/chroot prefix, and the DHCP boot file or config line that "
	"names it.";
static const char HINT_HTTP[] =
	"Check that the file exists under the HTTP server's document root and that the URL in "
	"the DHCP reply or the script is spelled right; set every ${...} the URL uses before "
	"it is used.";
static const char HINT_SCRIPT[] =
	"Start the script with #!ipxe, fix the command named, and test it from the iPXE shell "
	"(Ctrl-B, then chain URL). See https://ipxe.org/scripting.";
static const char HINT_ROOTPATH[] =
	"Write the root path as iscsi:<server>:<protocol>:<port>:<LUN>:<targetname> (RFC 4173): "
	"protocol empty or 6, port empty or a number, LUN in hex, and a target name such as "
	"iqn.2026-11.example:disk0. Empty fields take defaults: iscsi:192.0.2.1::::iqn...";
static const char HINT_KEEP[] =
	"Set keep-san before the sanboot (`set keep-san 1` in the script, or DHCP option 175.8 = "
	"1), so that a failed boot leaves the SAN device registered and the iSCSI session open "
	"for the installer (WinPE, Windows Setup) chained next. Or use sanhook instead of sanboot.";
static const char HINT_NO_CONFIG[] =
	"Create pxelinux.cfg/default (or a file named for the client's MAC as 01-aa-bb-cc-dd-ee-ff "
	"or its hex IP) under the TFTP root, in the directory of the boot file, or deliver option "
	"209/210 to point at the config you have.";
static const char HINT_NO_DEFAULT[] =
	"Add DEFAULT <label> naming a LABEL of the config (or UI menu.c32 with labels, or "
	"ONTIMEOUT <label> with a TIMEOUT): without it pxelinux waits at the boot: prompt.";
static const char HINT_KEYWORD[] =
	"Check the keyword against the syslinux documentation (doc/syslinux.txt): pxelinux "
	"skips a line it does not know, or one that is out of place, without a message.";
static const char HINT_LABEL[] =
	"Give every LABEL a unique name and a KERNEL/LINUX, COM32, CONFIG or LOCALBOOT line: "
	"pxelinux boots the first label of a name, and a label without a kernel line boots a "
	"file named like the label.";
static const char HINT_INCLUDE[] =
	"Check that the file exists under the root, is readable, is a regular file and is "
	"smaller than 16 MiB; pxelinux skips an INCLUDE it cannot open without a message.";
static const char HINT_CYCLE[] =
	"Remove the INCLUDE that leads back to a file already being read: pxelinux would read "
	"the files again and again.";
static const char HINT_ESCAPE[] =
	"Name files inside the TFTP or HTTP root: servers refuse a path that climbs out of "
	"their root with \"..\".";
static const char HINT_LIMIT[] =
	"lint follows at most 8 nested files and 256 files from one configuration; check the "
	"rest by hand or flatten the includes and chains.";

static struct lint_loc at(const char *file, unsigned line, unsigned col)
{
	struct lint_loc l = { file, line, col };

	return l;
}

/* Column of byte offset i, as an unsigned (lines are bounded well below UINT_MAX). */
static unsigned col_of(size_t i)
{
	return i < UINT_MAX ? (unsigned)i + 1 : UINT_MAX;
}

static uint64_t fnv(const char *p, size_t n)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (size_t i = 0; i < n; i++) {
		h ^= (uint8_t)p[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

/*
 * A name or path made fit to print: ipxe_uri_redact() masks "scheme://user:password@"; a
 * malformed "http:/user:password@host" or a name pxelinux takes as a path keeps its password
 * past that, so any "x:y@" inside one path segment is masked as well.
 */
static void shown(const char *in, char *out, size_t cap)
{
	size_t seg = 0;

	ipxe_uri_redact(in, out, cap);
	for (size_t j = 0; out[j]; j++) {
		char *colon;

		if (out[j] == '/') {
			seg = j + 1;
			continue;
		}
		if (out[j] != '@' || !(colon = memchr(out + seg, ':', j - seg)) ||
		    (j - (size_t)(colon - out) == 5 && memcmp(colon + 1, "****", 4) == 0))
			continue;
		{
			size_t from = (size_t)(colon - out) + 1;
			size_t rest = strlen(out + j) + 1;

			if (from + 4 >= cap) {
				out[from] = '\0';	/* no room for the mask: cut the rest */
				break;
			}
			if (from + 4 + rest > cap)
				rest = cap - from - 4;	/* cut at the end, still NUL-terminated */
			memmove(out + from + 4, out + j, rest);
			memcpy(out + from, "****", 4);
			out[cap - 1] = '\0';
			j = from + 4;
		}
	}
}

/* ---------------------------------------------------------------------------------------- */
/* Walking the trees: depth, file count and cycles, shared by one top-level call. */

struct file_id {
	dev_t dev;
	ino_t ino;
};

struct walk {
	struct lint_ctx *c;
	struct lint_roots roots;
	unsigned files;			/* files read besides the top-level one */
	bool budget_told;
	unsigned depth;			/* files on the stack, the top-level one included */
	struct file_id stack[BF_DEPTH_MAX + 1];
	bool stack_known[BF_DEPTH_MAX + 1];
	struct file_id seen[BF_FILES_MAX + 1];	/* scripts and CONFIG files checked once */
	size_t nseen;
};

static bool same_file(const struct file_id *a, const struct stat *st)
{
	return a->dev == st->st_dev && a->ino == st->st_ino;
}

static void walk_push(struct walk *w, const char *local)
{
	struct stat st;
	unsigned d = w->depth;

	if (d > BF_DEPTH_MAX)
		return;
	w->stack_known[d] = local && stat(local, &st) == 0;
	if (w->stack_known[d]) {
		w->stack[d].dev = st.st_dev;
		w->stack[d].ino = st.st_ino;
		if (w->nseen < BF_FILES_MAX + 1)
			w->seen[w->nseen++] = w->stack[d];
	}
	w->depth++;
}

static void walk_pop(struct walk *w)
{
	if (w->depth)
		w->depth--;
}

static void walk_init(struct walk *w, struct lint_ctx *c, const struct lint_roots *roots,
		      const char *top)
{
	memset(w, 0, sizeof(*w));
	w->c = c;
	if (roots)
		w->roots = *roots;
	walk_push(w, top);
}

/*
 * Reads a file a config names, within the depth, file-count and cycle limits. once: a file
 * checked already in this walk is not checked again (scripts, CONFIG), and a cycle is silent
 * (a script may chain back to itself to retry); else (INCLUDE) a cycle is a fault, since
 * pxelinux would read the files forever. Returns 0 with *text (free it, then walk_pop) or -1.
 */
static int walk_open(struct walk *w, struct lint_loc loc, const char *what, const char *name,
		     const char *local, bool once, char **text, size_t *len)
{
	struct stat st;
	char why[128];
	char sn[BF_NAME_MAX];
	char sl[PATH_MAX];

	shown(name, sn, sizeof(sn));
	shown(local, sl, sizeof(sl));
	if (stat(local, &st) == 0) {
		for (unsigned i = 0; i < w->depth; i++) {
			if (!w->stack_known[i] || !same_file(&w->stack[i], &st))
				continue;
			if (!once)
				lint_add(w->c, LINT_R_INCLUDE, NBC_SEV_ERROR, loc, HINT_CYCLE,
					 "%s %s: %s is already being read (an include cycle): pxelinux "
					 "would read it again and again",
					 what, sn, sl);
			return -1;
		}
		for (size_t i = 0; once && i < w->nseen; i++)
			if (same_file(&w->seen[i], &st))
				return -1;
	}
	if (w->depth > BF_DEPTH_MAX) {
		lint_add(w->c, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, loc, HINT_LIMIT,
			 "%s %s is nested more than %d files deep: not followed", what, sn,
			 BF_DEPTH_MAX);
		return -1;
	}
	if (w->files >= BF_FILES_MAX) {
		if (!w->budget_told)
			lint_add(w->c, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, loc, HINT_LIMIT,
				 "%s %s: more than %d files followed from one configuration; this "
				 "one and the rest are not checked",
				 what, sn, BF_FILES_MAX);
		w->budget_told = true;
		return -1;
	}
	if (lint_read_file(local, text, len, why, sizeof(why)) != 0) {
		lint_add(w->c, LINT_R_INCLUDE, NBC_SEV_ERROR, loc, HINT_INCLUDE,
			 "%s %s: cannot read %s: %s", what, sn, sl, why);
		return -1;
	}
	w->files++;
	walk_push(w, local);
	return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Mapping a name to a file under a root. */

enum tkind { TK_TFTP, TK_HTTP };
enum tres { TR_OK, TR_SKIP, TR_ESCAPE, TR_LONG };

struct target {
	enum tkind kind;
	char rel[PATH_MAX];	/* the path under the root, without a leading '/' */
	char local[PATH_MAX];	/* root + "/" + rel */
	char url[1024];		/* iPXE: the absolute URL (a chained script's base), or "" */
};

static const char *kind_name(enum tkind k)
{
	return k == TK_HTTP ? "HTTP" : "TFTP";
}


/*
 * Normalises path[0..n) into rel: empty and "." segments dropped, ".." applied. URL paths are
 * percent-decoded first, as a web server does, but %2F and %00 stay as written (servers do
 * not make them separators). -1 if ".." climbs above the root, -2 if too long.
 */
static int normalize(const char *path, size_t n, bool decode, char *rel, size_t cap)
{
	size_t len = 0;
	size_t i = 0;

	rel[0] = '\0';
	while (i < n) {
		size_t start;
		size_t k;

		while (i < n && path[i] == '/')
			i++;
		if (i >= n)
			break;
		start = len ? len + 1 : 0;
		k = start;
		while (i < n && path[i] != '/') {
			char ch = path[i++];

			if (decode && ch == '%' && i + 1 < n && hex_digit(path[i]) >= 0 &&
			    hex_digit(path[i + 1]) >= 0) {
				int v = hex_digit(path[i]) * 16 + hex_digit(path[i + 1]);

				if (v != 0 && v != '/') {
					ch = (char)v;
					i += 2;
				}
			}
			if (k + 1 >= cap)
				return -2;
			rel[k++] = ch;
		}
		if (k - start == 1 && rel[start] == '.')
			continue;
		if (k - start == 2 && rel[start] == '.' && rel[start + 1] == '.') {
			if (len == 0)
				return -1;
			while (len > 0 && rel[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			continue;
		}
		if (len)
			rel[len] = '/';
		len = k;
	}
	rel[len] = '\0';
	return 0;
}

/* Places path[0..n) under the root its kind names. */
static enum tres map_root(const struct walk *w, struct target *t, const char *path, size_t n,
			  bool decode)
{
	const char *root = t->kind == TK_TFTP ? w->roots.tftp : w->roots.http;
	size_t rl;
	int r;

	if (!root)
		return TR_SKIP;
	/* A directory (an index page, a listing) is not a file lint can judge. */
	if (n == 0 || path[n - 1] == '/')
		return TR_SKIP;
	r = normalize(path, n, decode, t->rel, sizeof(t->rel));
	if (r == -1)
		return TR_ESCAPE;
	if (r < 0)
		return TR_LONG;
	if (!root[0])
		root = ".";
	rl = strlen(root);
	while (rl > 1 && root[rl - 1] == '/')
		rl--;
	if (rl > INT_MAX ||
	    (size_t)snprintf(t->local, sizeof(t->local), "%.*s%s%s", (int)rl, root,
			     (rl == 1 && root[0] == '/') ? "" : "/", t->rel) >= sizeof(t->local))
		return TR_LONG;
	return TR_OK;
}

/*
 * An absolute "scheme://authority/path?query#fragment": the root it maps to (any host: lint
 * stands the roots for every server), where its path starts and how long it is. TR_SKIP for
 * schemes lint cannot map (ftp, nfs, file...).
 */
static enum tres url_split(const char *url, enum tkind *kind, const char **path, size_t *plen,
			   size_t *auth_end)
{
	size_t n = strcspn(url, ":/?#");
	const char *a;
	const char *e;

	if (strncmp(url + n, "://", 3) != 0)
		return TR_SKIP;
	if ((n == 4 && strncasecmp(url, "http", 4) == 0) ||
	    (n == 5 && strncasecmp(url, "https", 5) == 0))
		*kind = TK_HTTP;
	else if (n == 4 && strncasecmp(url, "tftp", 4) == 0)
		*kind = TK_TFTP;
	else
		return TR_SKIP;
	a = url + n + 3;
	e = a + strcspn(a, "/?#");
	*auth_end = (size_t)(e - url);
	*path = e;
	*plen = *e == '/' ? strcspn(e, "?#") : 0;
	return TR_OK;
}

/* 0 if local is a regular file, else -1 and why. */
static int file_state(const char *local, const char **why)
{
	struct stat st;

	if (stat(local, &st) != 0) {
		*why = errno == ENOENT || errno == ENOTDIR ? "does not exist" : strerror(errno);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		*why = "is a directory";
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = "is not a regular file";
		return -1;
	}
	return 0;
}

static bool exists(const char *local)
{
	const char *why;

	return file_state(local, &why) == 0;
}

/* A missing file: the fault the traffic rules see as a 404 or a TFTP ERROR 1. */
static void report_missing(struct walk *w, struct lint_loc loc, const struct target *t,
			   const char *what, const char *name, const char *why)
{
	char sn[BF_NAME_MAX];
	char sl[PATH_MAX];

	shown(name, sn, sizeof(sn));
	shown(t->local, sl, sizeof(sl));
	if (t->kind == TK_HTTP)
		lint_add(w->c, R_HTTP, NBC_SEV_ERROR, loc, HINT_HTTP,
			 "%s %s would get 404 Not Found: %s %s", what, sn, sl, why);
	else
		lint_add(w->c, R_TFTP, NBC_SEV_ERROR, loc, HINT_TFTP,
			 "%s %s would get TFTP ERROR 1 (file not found): %s %s", what, sn, sl, why);
}

/* Reports what keeps a resolved name from being checked, or a missing file. True if it is there. */
static bool check_file(struct walk *w, struct lint_loc loc, const char *what, const char *name,
		       enum tres r, const struct target *t)
{
	char sn[BF_NAME_MAX];
	const char *why;

	switch (r) {
	case TR_SKIP:
		return false;
	case TR_ESCAPE:
		shown(name, sn, sizeof(sn));
		lint_add(w->c, LINT_R_SYNTAX, NBC_SEV_WARNING, loc, HINT_ESCAPE,
			 "%s %s climbs out of the %s root with \"..\": the server refuses it, and "
			 "lint does not follow it",
			 what, sn, kind_name(t->kind));
		return false;
	case TR_LONG:
		shown(name, sn, sizeof(sn));
		lint_add(w->c, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, loc, NULL,
			 "%s %s: the path is too long to check", what, sn);
		return false;
	case TR_OK:
		break;
	}
	if (file_state(t->local, &why) == 0)
		return true;
	report_missing(w, loc, t, what, name, why);
	return false;
}

/* ---------------------------------------------------------------------------------------- */
/* pxelinux (syslinux 5/6 ldlinux: com32/elflink/ldlinux/readconfig.c, ldlinux.c, execute.c) */

#define PX_LINE_MAX 4095	/* ldlinux reads lines with fgets() into 4096 bytes */
#define PX_INITRDS_MAX 8
#define PX_PATHS_MAX 8
#define PX_LABELS_MAX 4096	/* labels checked per config; the rest are only counted */

enum px_urltype { PX_SUFFIX, PX_NORMAL, PX_OLD_TFTP };

/* pxelinux's url_type(): "x://" a URL, "x::" the old TFTP form, else relative to the cwd. */
static enum px_urltype px_url_type(const char *s)
{
	const char *q = strchr(s, ':');

	if (!q)
		return PX_SUFFIX;
	if (q[1] == '/' && q[2] == '/')
		return PX_NORMAL;
	if (q[1] == ':')
		return PX_OLD_TFTP;
	return PX_SUFFIX;
}

/*
 * Where pxelinux fetches a name from. core/fs/pxe: a name that is not a URL is appended to the
 * working directory, which is the path prefix (210, or the NBP's directory) as a "::" TFTP
 * name or a URL; a leading '/' is not special ("prefix" + "/x"). "::name" and "host::name"
 * skip the prefix (doc/pxelinux.txt); "host::" asks another server, which lint stands for
 * with the same TFTP root.
 */
static enum tres px_resolve(const struct walk *w, const char *cwd, const char *name,
			    struct target *t)
{
	char full[PATH_MAX];
	const char *path = full;
	size_t plen;
	size_t ae;
	bool decode = false;
	int n;

	t->kind = TK_TFTP;
	t->url[0] = '\0';
	if (strstr(name, "${"))
		return TR_SKIP;
	n = px_url_type(name) == PX_SUFFIX ? snprintf(full, sizeof(full), "%s%s", cwd, name)
					   : snprintf(full, sizeof(full), "%s", name);
	if (n < 0 || (size_t)n >= sizeof(full))
		return TR_LONG;
	switch (px_url_type(full)) {
	case PX_NORMAL:
		if (url_split(full, &t->kind, &path, &plen, &ae) != TR_OK)
			return TR_SKIP;
		decode = true;
		break;
	case PX_OLD_TFTP:
		path = strchr(full, ':') + 2;
		plen = strlen(path);
		break;
	default:
		plen = strlen(full);
		break;
	}
	return map_root(w, t, path, plen, decode);
}

struct px_name {
	char s[BF_NAME_MAX];
	bool cut;		/* longer than lint keeps: not checked */
	struct lint_loc loc;
};

struct px_initrds {
	bool found;		/* this part of the command line has "initrd=" */
	unsigned n;
	struct px_name v[PX_INITRDS_MAX];
};

enum px_kind {
	PK_IMPLIED, PK_KERNEL, PK_LINUX, PK_BOOT, PK_BSS, PK_PXE, PK_FDIMAGE, PK_COMBOOT,
	PK_COM32, PK_CONFIG, PK_LOCALBOOT,
};

/* readconfig.c's kernel_types[]: the keywords that set a label's image and its type. */
static const struct {
	const char *kw;
	const char *upper;
	enum px_kind kind;
} px_kinds[] = {
	{ "kernel", "KERNEL", PK_KERNEL }, { "linux", "LINUX", PK_LINUX },
	{ "boot", "BOOT", PK_BOOT }, { "bss", "BSS", PK_BSS }, { "pxe", "PXE", PK_PXE },
	{ "fdimage", "FDIMAGE", PK_FDIMAGE }, { "comboot", "COMBOOT", PK_COMBOOT },
	{ "com32", "COM32", PK_COM32 }, { "config", "CONFIG", PK_CONFIG },
	{ "localboot", "LOCALBOOT", PK_LOCALBOOT },
};

/* Keywords ldlinux (and menu.c32) know that lint has nothing to check in. */
static const char *const px_quiet[] = {
	"timeout", "totaltimeout", "ontimeout", "allowoptions", "ipappend", "sysappend",
	"default", "ui", "display", "font", "kbdmap", "implicit", "prompt", "console",
	"noescape", "nocomplete", "nohalt", "onerror", "pxeretry", "serial", "say", "path",
	"sendcookies",
};

struct px_label {
	bool open;
	bool no_image;		/* MENU GOTO/EXIT/QUIT/DISABLE: the entry loads nothing */
	struct px_name name;
	enum px_kind kind;
	const char *kw;		/* the keyword, for messages */
	struct px_name kernel;
	struct px_name dir;	/* CONFIG's second word: its new working directory */
	bool has_append, append_dash;
	struct px_name append_word;
	struct px_initrds kargs, append, initrd;
};

struct px_sess {
	struct walk *w;
	char cwd[PATH_MAX];	/* the working directory: names are appended to it */
	const char *top;	/* the config's interned path */
	struct px_label cur;
	bool gappend_set, gappend_dash;
	struct px_name gappend_word;
	struct px_initrds gappend;
	uint64_t *labels;
	struct lint_loc *label_locs;
	size_t nlabels, labels_cap;
	bool labels_dropped;
	bool labels_told;
	bool has_default, has_ontimeout, has_ui, timeout, implicit;
	bool incomplete;	/* an INCLUDE was not read: labels may be missing */
	struct px_name deflt, ontimeout, ui;
	char paths[PX_PATHS_MAX][BF_NAME_MAX];
	unsigned npaths;
};

static bool px_space(char ch)
{
	return (unsigned char)ch <= ' ';	/* ldlinux's my_isspace() */
}

static size_t px_skip(const char *p, size_t m, size_t i)
{
	while (i < m && px_space(p[i]))
		i++;
	return i;
}

static size_t px_word_end(const char *p, size_t m, size_t i)
{
	while (i < m && !px_space(p[i]))
		i++;
	return i;
}

static bool word_is(const char *p, size_t n, const char *kw)
{
	return strlen(kw) == n && strncasecmp(p, kw, n) == 0;
}

static void px_name_set(struct px_name *nm, const char *file, unsigned line, const char *p,
			size_t from, size_t to)
{
	size_t n = to - from;

	nm->cut = n >= sizeof(nm->s);
	if (nm->cut)
		n = sizeof(nm->s) - 1;
	memcpy(nm->s, p + from, n);
	nm->s[n] = '\0';
	nm->loc = at(file, line, col_of(from));
}

/* A name for a message: masked like any other, and short. */
static const char *px_shown(const struct px_name *nm, char *buf, size_t cap)
{
	shown(nm->s, buf, cap < 65 ? cap : 65);
	return buf;
}

/* A comma-separated initrd list starting at p[from], up to the next space. */
static void px_initrd_list(struct px_initrds *out, const char *file, unsigned line,
			   const char *p, size_t from, size_t m)
{
	size_t i = from;

	out->found = true;
	out->n = 0;
	while (i < m && !px_space(p[i])) {
		size_t s = i;

		while (i < m && !px_space(p[i]) && p[i] != ',')
			i++;
		if (i > s && out->n < PX_INITRDS_MAX)
			px_name_set(&out->v[out->n++], file, line, p, s, i);
		if (i < m && p[i] == ',')
			i++;
	}
}

/* kernel.c finds the first "initrd=" anywhere in the command line (strstr). */
static void px_initrd_scan(struct px_initrds *out, const char *file, unsigned line,
			   const char *p, size_t from, size_t m)
{
	static const char key[] = "initrd=";
	const size_t kn = sizeof(key) - 1;

	memset(out, 0, sizeof(*out));
	for (size_t i = from; i + kn <= m; i++) {
		if (memcmp(p + i, key, kn) == 0) {
			px_initrd_list(out, file, line, p, i + kn, m);
			return;
		}
	}
}

/* ldlinux.c parse_image_type(): the type a KERNEL name's extension gives (case-sensitive). */
static bool px_has_ext(const char *s, const char *ext)
{
	size_t n = strlen(s);
	size_t e = strlen(ext);

	return n >= e && strcmp(s + n - e, ext) == 0;
}

static bool px_is_linux_name(const char *s)
{
	static const char *const exts[] = { ".c32", ".0", ".bs", ".img", ".bin", ".bss" };

	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (px_has_ext(s, exts[i]))
			return false;
	return true;
}

/*
 * Finds a file pxelinux would load: in the working directory, then (modules) in each PATH
 * directory (doc/syslinux.txt, PATH RULES). t gets the working-directory candidate.
 */
static bool px_find(const struct px_sess *s, const char *name, bool use_path, struct target *t,
		    enum tres *r0)
{
	struct target *t2;
	bool found = false;

	*r0 = px_resolve(s->w, s->cwd, name, t);
	if (*r0 == TR_OK && exists(t->local))
		return true;
	if (!use_path || !s->npaths || px_url_type(name) != PX_SUFFIX)
		return false;
	t2 = malloc(sizeof(*t2));
	if (!t2)
		return false;
	for (unsigned i = 0; i < s->npaths && !found; i++) {
		char cand[PATH_MAX];
		const char *d = s->paths[i];
		size_t dl = strlen(d);
		int n = snprintf(cand, sizeof(cand), "%s%s%s", d,
				 dl && d[dl - 1] == '/' ? "" : "/", name);

		if (n < 0 || (size_t)n >= sizeof(cand))
			continue;
		found = px_resolve(s->w, s->cwd, cand, t2) == TR_OK && exists(t2->local);
	}
	free(t2);
	return found;
}

/* Checks a file pxelinux would load; reports it when missing. True if it is there. */
static bool px_need(struct px_sess *s, const struct px_name *nm, const char *what,
		    const char *name, bool use_path)
{
	struct target *t;
	enum tres r;
	bool ok;

	if (nm->cut || !name[0])
		return false;
	t = malloc(sizeof(*t));
	if (!t)
		return false;
	ok = px_find(s, name, use_path, t, &r) || check_file(s->w, nm->loc, what, name, r, t);
	free(t);
	return ok;
}

/* execute.c: COM32 gets ".c32" added unless the name has it (apply_extension()). */
static void px_module_name(const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s%s", name, px_has_ext(name, ".c32") ? "" : ".c32");
}

static void px_file(struct px_sess *s, const char *file, const char *text, size_t len);
static void px_finish(struct px_sess *s);

static struct px_sess *px_new(struct walk *w, const char *cwd, const char *top)
{
	struct px_sess *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->w = w;
	snprintf(s->cwd, sizeof(s->cwd), "%s", cwd ? cwd : "");
	s->top = top;
	s->implicit = true;
	return s;
}

static void px_free(struct px_sess *s)
{
	if (!s)
		return;
	free(s->labels);
	free(s->label_locs);
	free(s);
}

/* Reads and checks a whole config of its own (CONFIG, option 209) with a working directory. */
static void px_check_config(struct walk *w, struct lint_loc loc, const char *what,
			    const char *name, const struct target *t, const char *cwd)
{
	struct px_sess *sub;
	char *text;
	size_t len;

	if (walk_open(w, loc, what, name, t->local, true, &text, &len) != 0)
		return;
	sub = px_new(w, cwd, lint_intern(w->c, t->local));
	if (sub) {
		px_file(sub, sub->top, text, len);
		px_finish(sub);
	}
	px_free(sub);
	free(text);
	walk_pop(w);
}

/*
 * CONFIG file [dir]: execute.c restarts ldlinux with the file (named relative to the current
 * working directory) and, if the command line goes on, changes directory to its next word
 * first; pxe_chdir() appends a relative directory to the cwd as text, without adding a '/'.
 */
static void px_config(struct px_sess *s, const struct px_label *l)
{
	struct target *t = malloc(sizeof(*t));
	char cwd[PATH_MAX];
	const struct px_name *dir = NULL;
	enum tres r;
	int n;

	if (!t)
		return;
	if (l->dir.s[0])
		dir = &l->dir;
	else if (l->has_append)
		dir = l->append_dash || !l->append_word.s[0] ? NULL : &l->append_word;
	else if (s->gappend_set && !s->gappend_dash && s->gappend_word.s[0])
		dir = &s->gappend_word;
	n = !dir ? snprintf(cwd, sizeof(cwd), "%s", s->cwd)
	    : px_url_type(dir->s) == PX_SUFFIX ? snprintf(cwd, sizeof(cwd), "%s%s", s->cwd, dir->s)
					       : snprintf(cwd, sizeof(cwd), "%s", dir->s);
	r = px_resolve(s->w, s->cwd, l->kernel.s, t);
	if (n < 0 || (size_t)n >= sizeof(cwd))
		r = TR_LONG;
	if (check_file(s->w, l->kernel.loc, "CONFIG", l->kernel.s, r, t))
		px_check_config(s->w, l->kernel.loc, "CONFIG", l->kernel.s, t, cwd);
	free(t);
}

/* Checks the label that just ended (readconfig.c record()): its image and its initrds. */
static void px_record(struct px_sess *s)
{
	struct px_label *l = &s->cur;
	const struct px_initrds *rd = NULL;
	char mod[BF_NAME_MAX + 8];
	bool is_linux = false;

	if (!l->open)
		return;
	l->open = false;
	if (l->no_image || l->kind == PK_LOCALBOOT || l->kernel.cut)
		return;
	if (s->nlabels > PX_LABELS_MAX) {
		if (!s->labels_told)
			lint_add(s->w->c, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, l->name.loc,
				 HINT_LIMIT, "more than %d labels: the files of the rest are not "
				 "checked", PX_LABELS_MAX);
		s->labels_told = true;
		return;
	}
	switch (l->kind) {
	case PK_IMPLIED: {
		/* readconfig.c: a label's image defaults to its own name (as a KERNEL line). */
		struct target *t = malloc(sizeof(*t));
		char sn[BF_NAME_MAX];
		enum tres r;
		bool found;

		if (!t)
			return;
		found = px_find(s, l->name.s, px_has_ext(l->name.s, ".c32"), t, &r);
		if (!found && l->name.s[0])
			lint_add(s->w->c, LINT_R_SYNTAX, NBC_SEV_WARNING, l->name.loc, HINT_LABEL,
				 "LABEL %s has no KERNEL, LINUX, COM32, CONFIG or LOCALBOOT "
				 "line: pxelinux would boot a file named after the label, and "
				 "there is none",
				 px_shown(&l->name, sn, sizeof(sn)));
		free(t);
		if (!found)
			return;
		is_linux = px_is_linux_name(l->name.s);
		break;
	}
	case PK_CONFIG:
		if (l->kernel.s[0])
			px_config(s, l);
		return;
	case PK_COM32:
		px_module_name(l->kernel.s, mod, sizeof(mod));
		px_need(s, &l->kernel, l->kw, mod, true);
		return;
	case PK_KERNEL:
		if (px_has_ext(l->kernel.s, ".c32")) {
			px_need(s, &l->kernel, l->kw, l->kernel.s, true);
			return;
		}
		is_linux = px_is_linux_name(l->kernel.s);
		px_need(s, &l->kernel, l->kw, l->kernel.s, false);
		break;
	case PK_LINUX:
		is_linux = true;
		px_need(s, &l->kernel, l->kw, l->kernel.s, false);
		break;
	default:
		px_need(s, &l->kernel, l->kw, l->kernel.s, false);
		return;
	}
	if (!is_linux)
		return;
	/*
	 * The command line is "kernel-line-args APPEND initrd=INITRD" (record(); the label's
	 * APPEND, else the global one, "APPEND -" for none), and kernel.c loads the
	 * comma-separated list after the first "initrd=" in it.
	 */
	if (l->kargs.found)
		rd = &l->kargs;
	else if (l->has_append && !l->append_dash && l->append.found)
		rd = &l->append;
	else if (!l->has_append && s->gappend_set && !s->gappend_dash && s->gappend.found)
		rd = &s->gappend;
	else if (l->initrd.found)
		rd = &l->initrd;
	for (unsigned i = 0; rd && i < rd->n; i++)
		px_need(s, &rd->v[i], "initrd", rd->v[i].s, false);
}

static void px_label_start(struct px_sess *s, const char *file, unsigned line, const char *p,
			   size_t m, size_t a)
{
	size_t e = px_word_end(p, m, a);
	char sn[BF_NAME_MAX];
	uint64_t h;

	px_record(s);
	memset(&s->cur, 0, sizeof(s->cur));
	s->cur.open = true;
	s->cur.kind = PK_IMPLIED;
	s->cur.kw = "KERNEL";
	px_name_set(&s->cur.name, file, line, p, a, e);
	s->cur.kernel = s->cur.name;
	if (e == a) {
		lint_add(s->w->c, LINT_R_SYNTAX, NBC_SEV_WARNING, s->cur.name.loc, HINT_LABEL,
			 "LABEL without a name");
		return;
	}
	if (s->labels_dropped || s->nlabels > PX_LABELS_MAX) {
		s->labels_dropped = true;
		s->nlabels++;
		return;
	}
	/* find_label() returns the first label of a name: a later one cannot be reached. */
	h = fnv(p + a, e - a);
	for (size_t i = 0; i < s->nlabels; i++) {
		if (s->labels[i] != h)
			continue;
		lint_add(s->w->c, LINT_R_SYNTAX, NBC_SEV_WARNING, s->cur.name.loc, HINT_LABEL,
			 "LABEL %s is defined again (first at %s:%u): pxelinux always boots "
			 "the first one",
			 px_shown(&s->cur.name, sn, sizeof(sn)), s->label_locs[i].file,
			 s->label_locs[i].line);
		break;
	}
	if (s->nlabels == s->labels_cap) {
		size_t cap = s->labels_cap ? s->labels_cap * 2 : 64;
		uint64_t *nl = realloc(s->labels, cap * sizeof(*nl));
		struct lint_loc *nll;

		if (!nl) {
			s->labels_dropped = true;
			return;
		}
		s->labels = nl;
		nll = realloc(s->label_locs, cap * sizeof(*nll));
		if (!nll) {
			s->labels_dropped = true;
			return;
		}
		s->label_locs = nll;
		s->labels_cap = cap;
	}
	s->labels[s->nlabels] = h;
	s->label_locs[s->nlabels] = s->cur.name.loc;
	s->nlabels++;
}

static void px_include(struct px_sess *s, const char *file, unsigned line, const char *p,
		       size_t m, size_t a, const char *what)
{
	size_t e = px_word_end(p, m, a);
	struct px_name nm;
	struct target *t;
	char *text;
	size_t len;
	enum tres r;

	px_name_set(&nm, file, line, p, a, e);
	if (e == a) {
		lint_add(s->w->c, LINT_R_SYNTAX, NBC_SEV_WARNING, nm.loc, HINT_KEYWORD,
			 "%s without a file name: pxelinux ignores it", what);
		return;
	}
	t = malloc(sizeof(*t));
	if (!t || nm.cut) {
		free(t);
		s->incomplete = true;
		return;
	}
	r = px_resolve(s->w, s->cwd, nm.s, t);
	if (r != TR_OK) {
		check_file(s->w, nm.loc, what, nm.s, r, t);
		s->incomplete = true;
	} else if (walk_open(s->w, nm.loc, what, nm.s, t->local, false, &text, &len) != 0) {
		s->incomplete = true;
	} else {
		px_file(s, lint_intern(s->w->c, t->local), text, len);
		free(text);
		walk_pop(s->w);
	}
	free(t);
}

/* MENU <word>: only what changes the labels matters here; menu.c32 knows many more. */
static void px_menu(struct px_sess *s, const char *file, unsigned line, const char *p, size_t m,
		    size_t a)
{
	size_t e = px_word_end(p, m, a);
	const char *w = p + a;
	size_t n = e - a;

	if (word_is(w, n, "include"))
		px_include(s, file, line, p, m, px_skip(p, m, e), "MENU INCLUDE");
	else if (word_is(w, n, "begin") || word_is(w, n, "end") || word_is(w, n, "separator"))
		px_record(s);
	else if (s->cur.open && (word_is(w, n, "goto") || word_is(w, n, "exit") ||
				 word_is(w, n, "quit") || word_is(w, n, "disable") ||
				 word_is(w, n, "disabled")))
		s->cur.no_image = true;
}

static long px_num(const char *p, size_t m, size_t a)
{
	long v = 0;
	bool neg = a < m && p[a] == '-';

	if (neg || (a < m && p[a] == '+'))
		a++;
	while (a < m && p[a] >= '0' && p[a] <= '9' && v < 1000000000L)
		v = v * 10 + (p[a++] - '0');
	return neg ? -v : v;
}

static bool px_fkey(const char *w, size_t n)
{
	long v = 0;

	if (n < 2 || n > 3 || (w[0] | 0x20) != 'f')
		return false;
	for (size_t i = 1; i < n; i++) {
		if (w[i] < '0' || w[i] > '9')
			return false;
		v = v * 10 + (w[i] - '0');
	}
	return v <= 12;
}

static void px_out_of_label(struct px_sess *s, const char *file, unsigned line, size_t i,
			    const char *kw)
{
	lint_add(s->w->c, LINT_R_SYNTAX, NBC_SEV_WARNING, at(file, line, col_of(i)), HINT_KEYWORD,
		 "%s outside a LABEL: pxelinux ignores it", kw);
}

/* One line as ldlinux's parse_config_file() reads it (p[0..m) holds no CR or NUL). */
static void px_line(struct px_sess *s, const char *file, unsigned line, const char *p, size_t m,
		    bool *in_text)
{
	size_t i = px_skip(p, m, 0);
	size_t e = px_word_end(p, m, i);
	size_t a = px_skip(p, m, e);
	const char *kw = p + i;
	size_t kn = e - i;
	struct px_label *l = &s->cur;

	if (*in_text) {
		/* TEXT HELP ... ENDTEXT: the lines between are text, not keywords */
		if (word_is(kw, kn, "endtext"))
			*in_text = false;
		return;
	}
	if (i >= m || p[i] == '#')
		return;
	if (word_is(kw, kn, "menu")) {
		px_menu(s, file, line, p, m, a);
		return;
	}
	if (word_is(kw, kn, "text")) {
		*in_text = true;
		return;
	}
	if (px_fkey(kw, kn))
		return;
	if (word_is(kw, kn, "include")) {
		px_include(s, file, line, p, m, a, "INCLUDE");
		return;
	}
	if (word_is(kw, kn, "append")) {
		bool dash = m - a == 1 && p[a] == '-';
		size_t we = px_word_end(p, m, a);

		if (l->open) {
			l->has_append = true;
			l->append_dash = dash;
			px_name_set(&l->append_word, file, line, p, a, we);
			px_initrd_scan(&l->append, file, line, p, a, m);
		} else {
			s->gappend_set = true;
			s->gappend_dash = dash;
			px_name_set(&s->gappend_word, file, line, p, a, we);
			px_initrd_scan(&s->gappend, file, line, p, a, m);
		}
		return;
	}
	if (word_is(kw, kn, "initrd")) {
		if (l->open)
			px_initrd_list(&l->initrd, file, line, p, a, m);
		else
			px_out_of_label(s, file, line, i, "INITRD");
		return;
	}
	if (word_is(kw, kn, "label")) {
		px_label_start(s, file, line, p, m, a);
		return;
	}
	for (size_t k = 0; k < sizeof(px_kinds) / sizeof(px_kinds[0]); k++) {
		size_t we;

		if (!word_is(kw, kn, px_kinds[k].kw))
			continue;
		if (!l->open) {
			px_out_of_label(s, file, line, i, px_kinds[k].upper);
			return;
		}
		we = px_word_end(p, m, a);
		l->kind = px_kinds[k].kind;
		l->kw = px_kinds[k].upper;
		px_name_set(&l->kernel, file, line, p, a, we);
		px_initrd_scan(&l->kargs, file, line, p, we, m);
		memset(&l->dir, 0, sizeof(l->dir));
		if (l->kind == PK_CONFIG) {
			size_t d = px_skip(p, m, we);

			px_name_set(&l->dir, file, line, p, d, px_word_end(p, m, d));
		}
		if (we == a && l->kind != PK_LOCALBOOT)
			lint_add(s->w->c, LINT_R_SYNTAX, NBC_SEV_WARNING, at(file, line, col_of(i)),
				 HINT_LABEL, "%s without a file name", l->kw);
		return;
	}
	if (word_is(kw, kn, "default") || word_is(kw, kn, "ui") || word_is(kw, kn, "ontimeout")) {
		struct px_name *nm = kw[0] == 'd' || kw[0] == 'D' ? &s->deflt :
				     kw[0] == 'u' || kw[0] == 'U' ? &s->ui : &s->ontimeout;

		px_name_set(nm, file, line, p, a, px_word_end(p, m, a));
		if (nm == &s->deflt)
			s->has_default = true;
		else if (nm == &s->ui)
			s->has_ui = true;
		else
			s->has_ontimeout = true;
		return;
	}
	if (word_is(kw, kn, "timeout") || word_is(kw, kn, "totaltimeout")) {
		if (px_num(p, m, a) > 0)
			s->timeout = true;
		return;
	}
	if (word_is(kw, kn, "implicit")) {
		s->implicit = px_num(p, m, a) != 0;
		return;
	}
	if (word_is(kw, kn, "path")) {
		/* readconfig.c parse_path(): a colon-separated list of directories */
		size_t q = a;

		s->npaths = 0;
		while (q < m && s->npaths < PX_PATHS_MAX) {
			size_t r = q;

			while (r < m && p[r] != ':')
				r++;
			if (r > q && r - q < BF_NAME_MAX) {
				memcpy(s->paths[s->npaths], p + q, r - q);
				s->paths[s->npaths++][r - q] = '\0';
			}
			q = r + 1;
		}
		return;
	}
	for (size_t k = 0; k < sizeof(px_quiet) / sizeof(px_quiet[0]); k++)
		if (word_is(kw, kn, px_quiet[k]))
			return;
	/* parse_config_file() has no else: an unknown line is dropped silently. The word is
	 * shown only up to '=' or ':' (a stray "rootpw=..." line must not leak its value). */
	for (size_t k = 0; k < kn; k++) {
		if (kw[k] == '=' || kw[k] == ':') {
			kn = k;
			break;
		}
	}
	lint_add(s->w->c, LINT_R_SYNTAX, NBC_SEV_WARNING, at(file, line, col_of(i)), HINT_KEYWORD,
		 "unknown keyword \"%.*s\": pxelinux ignores the line", (int)(kn < 32 ? kn : 32),
		 kw);
}

static void px_file(struct px_sess *s, const char *file, const char *text, size_t len)
{
	size_t pos = 0;
	unsigned line = 0;
	bool in_text = false;

	while (pos < len && line < UINT_MAX) {
		const char *p = text + pos;
		const char *nl = memchr(p, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - p) : len - pos;
		size_t m = 0;

		pos += n + (nl ? 1 : 0);
		line++;
		if (n > PX_LINE_MAX) {
			lint_add(s->w->c, LINT_R_SYNTAX, NBC_SEV_WARNING, at(file, line, 1),
				 HINT_KEYWORD,
				 "line longer than %d bytes: pxelinux reads the rest as further lines "
				 "(lint skips it)",
				 PX_LINE_MAX);
			n = PX_LINE_MAX;
		}
		/* The string fgets() gives ends at a NUL; ldlinux cuts it at the first CR. */
		while (m < n && p[m] != '\0' && p[m] != '\r')
			m++;
		if (m < n && p[m] == '\0')
			lint_add(s->w->c, LINT_R_SYNTAX, NBC_SEV_WARNING, at(file, line, col_of(m)),
				 HINT_KEYWORD, "NUL byte: pxelinux ignores the rest of the line");
		px_line(s, file, line, p, m, &in_text);
	}
}

enum px_cmd { CMD_LABEL, CMD_FILE, CMD_MISSING, CMD_UNKNOWN };

/*
 * What a DEFAULT/ONTIMEOUT/UI command line runs (ldlinux.c load_kernel()): a label of that
 * name, else (IMPLICIT 1) a file; a name with no known extension is tried with .c32, .img,
 * .bss, .bin, .bs and .0 added first (get_extension()), through PATH.
 */
static enum px_cmd px_command(struct px_sess *s, const struct px_name *nm, struct target *t)
{
	static const char *const exts[] = { ".c32", ".img", ".bss", ".bin", ".bs", ".0" };
	bool unknown = false;
	enum tres r;

	if (nm->cut || !nm->s[0])
		return CMD_UNKNOWN;
	if (!s->labels_dropped) {
		uint64_t h = fnv(nm->s, strlen(nm->s));

		for (size_t i = 0; i < s->nlabels; i++)
			if (s->labels[i] == h)
				return CMD_LABEL;
	}
	if (s->labels_dropped || s->incomplete)
		unknown = true;
	if (!s->implicit)
		return unknown ? CMD_UNKNOWN : CMD_MISSING;
	if (px_is_linux_name(nm->s)) {
		for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
			char cand[BF_NAME_MAX + 8];

			snprintf(cand, sizeof(cand), "%s%s", nm->s, exts[i]);
			if (px_find(s, cand, true, t, &r))
				return CMD_FILE;
			unknown |= r != TR_OK;
		}
	}
	if (px_find(s, nm->s, true, t, &r))
		return CMD_FILE;
	return unknown || r != TR_OK ? CMD_UNKNOWN : CMD_MISSING;
}

/* After the last line (ldlinux.c main(), ldlinux_auto_boot()): what boots on its own. */
static void px_finish(struct px_sess *s)
{
	struct walk *w = s->w;
	struct target *t;
	char sn[BF_NAME_MAX];
	bool complete;

	px_record(s);
	t = malloc(sizeof(*t));
	if (!t)
		return;
	complete = !s->incomplete && !s->labels_dropped;
	if (s->has_ui) {
		if (px_command(s, &s->ui, t) == CMD_MISSING) {
			const char *why = "does not exist";

			file_state(t->local, &why);
			report_missing(w, s->ui.loc, t, "UI", s->ui.s, why);
		}
		if (complete && s->nlabels == 0)
			lint_add(w->c, R_NO_DEFAULT, NBC_SEV_ERROR, s->ui.loc, HINT_NO_DEFAULT,
				 "UI %s has no LABEL to show: the menu is empty and boots "
				 "nothing",
				 px_shown(&s->ui, sn, sizeof(sn)));
		else if (s->has_default && complete &&
			 px_command(s, &s->deflt, t) != CMD_LABEL)
			lint_add(w->c, R_NO_DEFAULT, NBC_SEV_WARNING, s->deflt.loc,
				 HINT_NO_DEFAULT,
				 "DEFAULT %s names no LABEL: the menu ignores it and starts on its "
				 "first entry",
				 px_shown(&s->deflt, sn, sizeof(sn)));
	} else if (s->has_default) {
		if (px_command(s, &s->deflt, t) == CMD_MISSING)
			lint_add(w->c, R_NO_DEFAULT, NBC_SEV_ERROR, s->deflt.loc, HINT_NO_DEFAULT,
				 s->implicit ? "DEFAULT %s names no LABEL, and no file of that "
					       "name (nor with .c32, .img, .bss, .bin, .bs or .0 "
					       "added) exists: pxelinux stops at the boot: prompt"
					     : "DEFAULT %s names no LABEL, and IMPLICIT 0 keeps "
					       "pxelinux from loading it as a file: pxelinux stops at "
					       "the boot: prompt",
				 px_shown(&s->deflt, sn, sizeof(sn)));
	} else if (complete && !(s->has_ontimeout && s->timeout)) {
		lint_add(w->c, R_NO_DEFAULT, NBC_SEV_ERROR, at(s->top, 0, 0), HINT_NO_DEFAULT,
			 "no DEFAULT or UI line%s: pxelinux prints \"No DEFAULT or UI "
			 "configuration directive found!\" and waits at the boot: prompt; it does "
			 "not boot the first LABEL",
			 s->has_ontimeout ? " (and ONTIMEOUT without a TIMEOUT never fires)" : "");
	}
	if (s->has_ontimeout && s->timeout && px_command(s, &s->ontimeout, t) == CMD_MISSING)
		lint_add(w->c, R_NO_DEFAULT, NBC_SEV_ERROR, s->ontimeout.loc, HINT_NO_DEFAULT,
			 "ONTIMEOUT %s names no LABEL and no file: the timeout boots nothing",
			 px_shown(&s->ontimeout, sn, sizeof(sn)));
	free(t);
}

void lint_pxelinux_cfg(struct lint_ctx *c, const char *path, const char *text, size_t len,
		       const struct lint_roots *roots, const char *prefix)
{
	struct walk *w = malloc(sizeof(*w));
	struct px_sess *s;

	if (!w)
		return;
	walk_init(w, c, roots, path);
	s = px_new(w, prefix, lint_intern(c, path ? path : "(pxelinux config)"));
	if (s) {
		px_file(s, s->top, text ? text : "", text ? len : 0);
		px_finish(s);
	}
	px_free(s);
	free(w);
}

/* ---------------------------------------------------------------------------------------- */
/* iPXE scripts (src/image/script.c, src/core/exec.c, src/usr/autoboot.c) */

#define IX_CMDS_MAX 4096

enum ix_kind { IX_OTHER, IX_STAGE, IX_SANBOOT, IX_SANHOOK, IX_GOTO, IX_EXIT, IX_SET };

/* One command of a script as iPXE's system() splits it, with where it is. */
struct ix_cmd {
	unsigned line;		/* where its logical line starts: ipxe_action.line */
	unsigned pline, pcol;	/* the command name */
	unsigned aline, acol;	/* its first argument after the options, or 0 */
	char sep;		/* 0 first on the line, else '|' (||), '&' (&&) or ';' */
	unsigned char kind;
	bool recorded;		/* ipxe_script_parse() records an action for it */
	bool keep;		/* sanboot --keep */
	int keep_san;		/* IX_SET: 1/0 for keep-san, -1 unknown value, -2 another name */
	uint64_t goto_hash;
	bool goto_var;
	bool fetch;		/* imgfetch, module, initrd, imgselect, imgload */
	size_t label;		/* IX_GOTO: the label's index, SIZE_MAX if none */
	char name[16];
	char arg[96];		/* the first argument, redacted, for messages */
};

struct ix_flow {
	struct ix_cmd *cmds;
	size_t n, cap;
	bool dropped;
	struct {
		uint64_t hash;
		size_t first;	/* the first command at or after the label's line */
	} labels[IPXE_LABELS_MAX];
	size_t nlabels;
	/* the logical line being split: bytes and their physical line and column */
	char buf[IPXE_LINE_MAX];
	unsigned bl[IPXE_LINE_MAX], bc[IPXE_LINE_MAX];
	size_t len;
	char tok[IPXE_LINE_MAX];
};

static bool ix_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' || ch == '\f' || ch == '\r';
}

static bool ix_tok(const struct ix_flow *fl, size_t *pos, size_t *off, size_t *n)
{
	size_t i = *pos;

	while (i < fl->len && ix_space(fl->buf[i]))
		i++;
	if (i >= fl->len) {
		*pos = i;
		return false;
	}
	*off = i;
	while (i < fl->len && !ix_space(fl->buf[i]))
		i++;
	*n = i - *off;
	*pos = i;
	return true;
}

static bool tok_eq(const char *p, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(p, s, n) == 0;
}

/* Strips "scope/" and ":type" from a setting name. */
static void setting_name(const char *p, size_t n, char *out, size_t cap)
{
	const char *slash = NULL;
	size_t k;

	for (size_t i = 0; i < n; i++)
		if (p[i] == '/')
			slash = p + i;
	if (slash) {
		n -= (size_t)(slash + 1 - p);
		p = slash + 1;
	}
	k = strcspn(p, ":");
	if (k < n)
		n = k;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* Options that take a value (iPXE's image and sanboot commands); 'k' is sanboot --keep. */
static bool ix_opt_value(bool san, const char *o, size_t n, bool is_long)
{
	static const char *const image_long[] = { "name", "timeout" };
	static const char *const san_long[] = { "drive", "filename", "extra", "label", "uuid" };

	if (!is_long)
		return san ? strchr("dfelu", o[0]) != NULL : strchr("nt", o[0]) != NULL;
	for (size_t i = 0; i < (san ? 5u : 2u); i++)
		if (tok_eq(o, n, san ? san_long[i] : image_long[i]))
			return true;
	return false;
}

static void ix_add(struct ix_flow *fl, const struct ix_cmd *c)
{
	if (fl->n == fl->cap) {
		size_t cap = fl->cap ? fl->cap * 2 : 64;
		struct ix_cmd *n;

		if (cap > IX_CMDS_MAX || !(n = realloc(fl->cmds, cap * sizeof(*n)))) {
			fl->dropped = true;
			return;
		}
		fl->cmds = n;
		fl->cap = cap;
	}
	fl->cmds[fl->n++] = *c;
}

static void ix_copy_tok(struct ix_flow *fl, size_t off, size_t n)
{
	memcpy(fl->tok, fl->buf + off, n);
	fl->tok[n] = '\0';
}

/* What a command does for the flow, and whether ipxescript.c records it as an action. */
static void ix_classify(struct ix_cmd *c, const char *t, size_t n, bool *san, bool *opts)
{
	static const char *const fetches[] = { "imgfetch", "module", "initrd", "imgselect",
					       "imgload" };

	*san = *opts = false;
	if (memchr(t, '$', n))
		return;	/* a command from a variable: unknown, not recorded */
	for (size_t i = 0; i < sizeof(fetches) / sizeof(fetches[0]); i++)
		c->fetch |= tok_eq(t, n, fetches[i]);
	*san = tok_eq(t, n, "sanboot") || tok_eq(t, n, "sanhook");
	*opts = *san || c->fetch || tok_eq(t, n, "chain") || tok_eq(t, n, "boot") ||
		tok_eq(t, n, "imgexec") || tok_eq(t, n, "kernel");
	if (tok_eq(t, n, "chain") || tok_eq(t, n, "kernel")) {
		c->kind = IX_STAGE;
	} else if (tok_eq(t, n, "boot") || tok_eq(t, n, "imgexec")) {
		c->kind = IX_STAGE;
		c->recorded = true;
	} else if (tok_eq(t, n, "sanboot")) {
		c->kind = IX_SANBOOT;
		c->recorded = true;
	} else if (tok_eq(t, n, "sanhook")) {
		c->kind = IX_SANHOOK;
	} else if (tok_eq(t, n, "exit")) {
		c->kind = IX_EXIT;
		c->recorded = true;
	} else if (tok_eq(t, n, "goto")) {
		c->kind = IX_GOTO;
	} else if (tok_eq(t, n, "set")) {
		c->kind = IX_SET;
	}
}

/* Splits one logical line into commands (exec.c command_terminator()). */
static void ix_line(struct ix_flow *fl, unsigned line)
{
	size_t pos = 0;
	size_t off = 0;
	size_t n = 0;
	struct ix_cmd c;
	bool have = false;
	bool san = false;
	bool opts = false;
	bool skip = false;
	unsigned npos = 0;
	char sep = 0;

	/* script.c: a line starting with ':' is a label; the rest of it is a command */
	while (pos < fl->len && ix_space(fl->buf[pos]))
		pos++;
	if (pos < fl->len && fl->buf[pos] == ':') {
		size_t s = ++pos;

		while (pos < fl->len && !ix_space(fl->buf[pos]))
			pos++;
		if (fl->nlabels < IPXE_LABELS_MAX) {
			fl->labels[fl->nlabels].hash = fnv(fl->buf + s, pos - s);
			fl->labels[fl->nlabels].first = fl->n;
			fl->nlabels++;
		}
	}
	for (;;) {
		bool more = ix_tok(fl, &pos, &off, &n);
		const char *t = fl->buf + off;
		bool term = more && (tok_eq(t, n, "||") || tok_eq(t, n, "&&") || tok_eq(t, n, ";"));

		if (!more || t[0] == '#' || term) {
			if (have) {
				/* ipxescript.c records these once they have an argument */
				c.recorded |= npos > 0 && (c.kind != IX_OTHER || c.fetch) &&
					      c.kind != IX_EXIT;
				ix_add(fl, &c);
			}
			if (!more || t[0] == '#')
				return;
			sep = t[0];
			have = false;
			continue;
		}
		if (!have) {
			memset(&c, 0, sizeof(c));
			have = true;
			c.line = line;
			c.pline = fl->bl[off];
			c.pcol = fl->bc[off];
			c.sep = sep;
			c.keep_san = -2;
			c.label = SIZE_MAX;
			snprintf(c.name, sizeof(c.name), "%.*s", (int)(n < 15 ? n : 15), t);
			npos = 0;
			skip = false;
			ix_classify(&c, t, n, &san, &opts);
			continue;
		}
		/* getopt() as iPXE runs it: options first, "--" ends them */
		if (skip) {
			skip = false;
			continue;
		}
		if (opts && npos == 0 && n > 1 && t[0] == '-') {
			if (tok_eq(t, n, "--")) {
				opts = false;
			} else if (t[1] == '-') {
				const char *eq = memchr(t + 2, '=', n - 2);
				size_t ln = eq ? (size_t)(eq - (t + 2)) : n - 2;

				skip = !eq && ix_opt_value(san, t + 2, ln, true);
				c.keep |= san && tok_eq(t + 2, ln, "keep");
			} else {
				for (size_t i = 1; i < n; i++) {
					c.keep |= san && t[i] == 'k';
					if (ix_opt_value(san, t + i, 1, false)) {
						skip = i + 1 == n;
						break;
					}
				}
			}
			continue;
		}
		if (npos++ == 0) {
			c.aline = fl->bl[off];
			c.acol = fl->bc[off];
			ix_copy_tok(fl, off, n);
			shown(fl->tok, c.arg, sizeof(c.arg));
			if (c.kind == IX_GOTO) {
				c.goto_hash = fnv(t, n);
				c.goto_var = memchr(t, '$', n) != NULL;
			} else if (c.kind == IX_SET) {
				char name[32];

				setting_name(t, n, name, sizeof(name));
				if (strcmp(name, "keep-san") == 0)
					c.keep_san = 0;	/* "set keep-san" alone deletes it */
			}
		} else if (npos == 2 && c.kind == IX_SET && c.keep_san == 0) {
			ix_copy_tok(fl, off, n);
			if (strstr(fl->tok, "${"))
				c.keep_san = -1;
			else
				c.keep_san = atoi(fl->tok) != 0;
		}
	}
}

/* Splits a script into logical lines as script.c process_script() and ipxescript.c do. */
static void ix_scan(struct ix_flow *fl, const char *text, size_t len)
{
	size_t pos = 0;
	unsigned lineno = 0;

	while (pos < len && lineno < UINT_MAX - 1) {
		bool more = true;
		bool nul = false;
		unsigned start = lineno + 1;

		fl->len = 0;
		while (more && pos < len) {
			const char *s = text + pos;
			const char *nl = memchr(s, '\n', len - pos);
			size_t n = nl ? (size_t)(nl - s) : len - pos;

			lineno++;
			pos += n + (nl ? 1 : 0);
			if (n && s[n - 1] == '\r')
				n--;
			more = n && s[n - 1] == '\\';
			if (more)
				n--;
			for (size_t i = 0; i < n && !nul; i++) {
				if (s[i] == '\0') {
					nul = true;
				} else if (fl->len + 1 < sizeof(fl->buf)) {
					fl->buf[fl->len] = s[i];
					fl->bl[fl->len] = lineno;
					fl->bc[fl->len] = col_of(i);
					fl->len++;
				}
			}
		}
		ix_line(fl, start);
	}
	for (size_t i = 0; i < fl->n; i++) {
		struct ix_cmd *c = &fl->cmds[i];

		if (c->kind != IX_GOTO || c->goto_var)
			continue;
		for (size_t k = 0; k < fl->nlabels; k++) {
			if (fl->labels[k].hash == c->goto_hash) {
				c->label = k;
				break;
			}
		}
	}
}

/* The value the last `set NAME` before action upto gave (not a secret, no ${...} left). */
static bool ix_setting(const struct ipxe_script *s, size_t upto, const char *name, char *out,
		       size_t cap, size_t *where)
{
	for (size_t k = upto; k-- > 0;) {
		const struct ipxe_action *a = &s->acts[k];
		char n[64];

		if (a->kind != IPXE_ACT_SET)
			continue;
		setting_name(a->arg, strlen(a->arg), n, sizeof(n));
		if (strcmp(n, name) != 0)
			continue;
		if (a->secret || !a->value[0] || strstr(a->value, "${"))
			return false;
		if (where)
			*where = k;
		return (size_t)snprintf(out, cap, "%s", a->value) < cap;
	}
	return false;
}

/*
 * Expands ${name} from the script's own earlier `set` lines (the common `set base http://...`
 * then `kernel ${base}/vmlinuz`); false if a variable is not set there (DHCP, iPXE built-ins).
 */
static bool ix_expand(const struct ipxe_script *s, size_t upto, const char *in, char *out,
		      size_t cap)
{
	size_t n = 0;

	while (*in) {
		const char *add = in;
		size_t an = 1;
		char val[IPXE_ARG_MAX];

		if (in[0] == '$' && in[1] == '{') {
			const char *end = strchr(in + 2, '}');
			char name[64];

			if (!end || (size_t)(end - in) > sizeof(name))
				return false;
			setting_name(in + 2, (size_t)(end - in - 2), name, sizeof(name));
			if (!ix_setting(s, upto, name, val, sizeof(val), NULL))
				return false;
			add = val;
			an = strlen(val);
			in = end + 1;
		} else {
			in++;
		}
		if (n + an >= cap)
			return false;
		memcpy(out + n, add, an);
		n += an;
	}
	out[n] = '\0';
	return true;
}

static bool has_scheme(const char *s)
{
	size_t n = 0;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	while (s[n] && (s[n] == '+' || s[n] == '-' || s[n] == '.' || s[n] == '_' ||
			(s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
			(s[n] >= '0' && s[n] <= '9')))
		n++;
	return s[n] == ':';
}

/* A chained script's base URL; none (its own directory then) when it does not fit. */
static void set_url(struct target *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_url(struct target *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->url, sizeof(t->url), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(t->url))
		t->url[0] = '\0';
}

/*
 * Where iPXE fetches a URI a script names: an absolute http(s):// or tftp:// URI by its path;
 * a relative one merged with base (RFC 3986 5.2), or, without a base, with dir, the script's
 * own directory under the HTTP root ("/" or "/sub/").
 */
static enum tres ix_resolve(const struct walk *w, const char *uri, const char *base,
			    const char *dir, struct target *t)
{
	char path[PATH_MAX];
	const char *p;
	size_t plen;
	size_t ae;
	size_t rl = strcspn(uri, "?#");
	int n;

	t->kind = TK_HTTP;
	t->url[0] = '\0';
	if (strstr(uri, "${"))
		return TR_SKIP;
	if (has_scheme(uri)) {
		if (url_split(uri, &t->kind, &p, &plen, &ae) != TR_OK)
			return TR_SKIP;
		set_url(t, "%s", uri);
		return map_root(w, t, p, plen, true);
	}
	if (base) {
		const char *bp;
		size_t bl;
		size_t d;

		if (url_split(base, &t->kind, &bp, &bl, &ae) != TR_OK)
			return TR_SKIP;
		if (uri[0] == '/' && uri[1] == '/') {
			/* a network-path reference: another host, same scheme */
			const char *e = uri + 2 + strcspn(uri + 2, "/?#");

			set_url(t, "%.*s:%s", (int)strcspn(base, ":"), base, uri);
			return map_root(w, t, e, *e == '/' ? strcspn(e, "?#") : 0, true);
		}
		for (d = bl; d > 0 && bp[d - 1] != '/'; d--)
			;
		if (uri[0] == '/')
			n = snprintf(path, sizeof(path), "%.*s", (int)rl, uri);
		else
			n = snprintf(path, sizeof(path), "%.*s%.*s", (int)d, d ? bp : "/", (int)rl,
				     uri);
		if (n < 0 || (size_t)n >= sizeof(path))
			return TR_LONG;
		set_url(t, "%.*s%s", (int)ae, base, path);
		return map_root(w, t, path, strlen(path), true);
	}
	n = uri[0] == '/' ? snprintf(path, sizeof(path), "%.*s", (int)rl, uri)
			  : snprintf(path, sizeof(path), "%s%.*s", dir, (int)rl, uri);
	if (n < 0 || (size_t)n >= sizeof(path))
		return TR_LONG;
	return map_root(w, t, path, strlen(path), true);
}

/* The directory of a script under the HTTP root ("/sub/"); "/" when it is not under it. */
static void http_dir_of(const struct walk *w, const char *local, char *dir, size_t cap)
{
	char *root = NULL;
	char *d = NULL;
	char tmp[PATH_MAX];
	const char *slash = strrchr(local, '/');
	size_t rl;

	snprintf(dir, cap, "/");
	if (!w->roots.http)
		return;
	if (slash)
		snprintf(tmp, sizeof(tmp), "%.*s", (int)(slash - local + (slash == local)), local);
	else
		snprintf(tmp, sizeof(tmp), ".");
	root = realpath(w->roots.http, NULL);
	d = realpath(tmp, NULL);
	if (root && d) {
		rl = strcmp(root, "/") == 0 ? 0 : strlen(root);
		if (strncmp(d, root, rl) == 0 && (d[rl] == '\0' || d[rl] == '/'))
			snprintf(dir, cap, "%s/", d + rl);
	}
	free(root);
	free(d);
}

static bool is_rootpath_problem(const char *msg)
{
	return strstr(msg, "iscsi root path:") != NULL || strncmp(msg, "root-path:", 10) == 0;
}

static void ix_rootpath(struct walk *w, struct lint_loc loc, const char *what, const char *rp)
{
	struct rootpath parsed;
	char why[128];
	char sn[BF_NAME_MAX];

	if (strncasecmp(rp, "iscsi:", 6) != 0 || strstr(rp, "${") ||
	    rootpath_parse(rp, &parsed, why, sizeof(why)))
		return;
	shown(rp, sn, sizeof(sn));
	lint_add(w->c, R_ROOTPATH, NBC_SEV_ERROR, loc, HINT_ROOTPATH, "%s %s: %s", what, sn, why);
}

/*
 * A chain to pxelinux: it reads the config option 209 names (relative to the 210 prefix, or
 * to its own directory) and, as lpxelinux.0 exists only in syslinux 5 and later, first loads
 * ldlinux.c32 from that prefix.
 */
static void ix_pxelinux(struct walk *w, const struct ipxe_script *s, size_t k,
			const struct lint_loc *locs, const struct target *nbp, const char *what,
			const char *uri)
{
	const char *base = strrchr(nbp->rel, '/') ? strrchr(nbp->rel, '/') + 1 : nbp->rel;
	char prefix[PATH_MAX];
	char cfg[IPXE_ARG_MAX];
	char sn[BF_NAME_MAX];
	char sl[PATH_MAX];
	size_t set_at = k;
	struct target *t;
	int dl = (int)(base - nbp->rel);

	if (strcasecmp(base, "lpxelinux.0") != 0 && strcasecmp(base, "pxelinux.0") != 0 &&
	    strcasecmp(base, "gpxelinux.0") != 0)
		return;
	if (!ix_setting(s, k, "210", prefix, sizeof(prefix), NULL))
		snprintf(prefix, sizeof(prefix), "%s%.*s",
			 nbp->kind == TK_HTTP ? "http://lint.invalid/" : "", dl, nbp->rel);
	t = malloc(sizeof(*t));
	if (!t)
		return;
	shown(uri, sn, sizeof(sn));
	if (strcasecmp(base, "lpxelinux.0") == 0 &&
	    px_resolve(w, prefix, "ldlinux.c32", t) == TR_OK && !exists(t->local)) {
		shown(t->local, sl, sizeof(sl));
		lint_add(w->c, t->kind == TK_HTTP ? R_HTTP : R_TFTP, NBC_SEV_ERROR, locs[k],
			 t->kind == TK_HTTP ? HINT_HTTP : HINT_TFTP,
			 "%s %s: lpxelinux.0 (syslinux 5 or later) first loads ldlinux.c32 from "
			 "its path prefix, and %s does not exist",
			 what, sn, sl);
	}
	if (ix_setting(s, k, "209", cfg, sizeof(cfg), &set_at)) {
		enum tres r = px_resolve(w, prefix, cfg, t);

		if (r == TR_OK && exists(t->local)) {
			px_check_config(w, locs[set_at], "option 209", cfg, t, prefix);
		} else if (r == TR_OK) {
			bool dflt;

			shown(t->local, sl, sizeof(sl));
			dflt = px_resolve(w, prefix, "pxelinux.cfg/default", t) == TR_OK &&
			       exists(t->local);
			shown(cfg, sn, sizeof(sn));
			/* the intended config is not loaded either way (docs/lint.md) */
			lint_add(w->c, R_NO_CONFIG, NBC_SEV_ERROR, locs[set_at], HINT_NO_CONFIG,
				 "option 209 names %s, and %s does not exist: pxelinux falls back "
				 "to its lookup walk%s",
				 sn, sl,
				 dflt ? ", which ends at pxelinux.cfg/default"
				      : ", and pxelinux.cfg/default does not exist either");
		} else {
			check_file(w, locs[set_at], "option 209", cfg, r, t);
		}
	}
	free(t);
}

static void ix_script(struct walk *w, const char *file, const char *text, size_t len,
		      const char *base);

/* A target of chain/kernel/initrd/imgfetch...: it must exist; chained scripts are followed. */
static void ix_target(struct walk *w, const char *file, const struct ipxe_script *s, size_t k,
		      const struct lint_loc *locs, const char *what, const char *base,
		      const char *dir)
{
	const struct ipxe_action *a = &s->acts[k];
	char uri[PATH_MAX];
	struct target *t;
	enum tres r;

	(void)file;
	/* cut by the parser, or ${...} the script does not set itself: not judged */
	if (!a->arg[0] || strlen(a->arg) >= IPXE_ARG_MAX - 1 ||
	    !ix_expand(s, k, a->arg, uri, sizeof(uri)))
		return;
	/* imgexec/imgselect/imgload (and boot) take the name of an image fetched before as
	 * well as a URI (iPXE imgacquire()): a bare name is most likely that. */
	if (!strchr(uri, '/') && !has_scheme(uri) &&
	    (strcmp(what, "boot") == 0 || strcmp(what, "imgexec") == 0 ||
	     strcmp(what, "imgselect") == 0 || strcmp(what, "imgload") == 0))
		return;
	t = malloc(sizeof(*t));
	if (!t)
		return;
	r = ix_resolve(w, uri, base, dir, t);
	if (check_file(w, locs[k], what, uri, r, t) && a->kind == IPXE_ACT_CHAIN) {
		size_t n = strlen(t->rel);
		char *text;
		size_t tlen;

		if (n > 5 && (strcasecmp(t->rel + n - 5, ".ipxe") == 0 ||
			      strcasecmp(t->rel + n - 5, ".gpxe") == 0)) {
			if (walk_open(w, locs[k], what, uri, t->local, true, &text, &tlen) == 0) {
				ix_script(w, lint_intern(w->c, t->local), text, tlen,
					  t->url[0] ? t->url : NULL);
				free(text);
				walk_pop(w);
			}
		} else {
			ix_pxelinux(w, s, k, locs, t, what, uri);
		}
	}
	free(t);
}

/*
 * Where a failed sanboot leads (exec.c system(): after "||" the next command runs if the
 * previous failed, after "&&" if it succeeded, after ";" always; script.c: a line whose status
 * is a failure ends the script; goto jumps to the label's line). Commands other than the
 * stages are taken to succeed. Returns the first command that starts another stage, or
 * SIZE_MAX; *direct when it is on the sanboot's own line.
 */
static size_t ix_failure_path(const struct ix_flow *fl, size_t from, bool *direct)
{
	size_t i = from + 1;
	bool failed = true;
	bool fresh = false;
	unsigned line = fl->cmds[from].line;

	*direct = true;
	for (unsigned steps = 0; i < fl->n && steps < 4 * IX_CMDS_MAX; steps++) {
		const struct ix_cmd *c = &fl->cmds[i];
		bool run;

		if (fresh || c->line != line) {
			if (!fresh && failed)
				return SIZE_MAX;
			fresh = false;
			line = c->line;
			*direct = false;
			run = true;
		} else {
			run = c->sep == '|' ? failed : c->sep == '&' ? !failed : true;
		}
		if (!run) {
			i++;
			continue;
		}
		switch (c->kind) {
		case IX_STAGE:
		case IX_SANBOOT:
			return i;
		case IX_SANHOOK:	/* registers the disk again for what follows */
		case IX_EXIT:
			return SIZE_MAX;
		case IX_GOTO:
			if (c->label == SIZE_MAX) {
				failed = true;
				i++;
				break;
			}
			i = fl->labels[c->label].first;
			fresh = true;
			failed = false;
			*direct = false;
			break;
		default:
			failed = false;
			i++;
			break;
		}
	}
	return SIZE_MAX;
}

/*
 * autoboot.c uriboot(): after a sanboot that returns, iPXE unhooks the SAN device (closing
 * the iSCSI session) unless keep-san is set or the command had --keep.
 */
static void ix_keep_san(struct walk *w, const char *file, const struct ix_flow *fl)
{
	int keep = 0;
	unsigned sanboots = 0;

	/* each sanboot walks at most 4 * IX_CMDS_MAX steps: bound their number too */
	for (size_t i = 0; i < fl->n && sanboots < IPXE_ACTS_MAX; i++) {
		const struct ix_cmd *c = &fl->cmds[i];
		const struct ix_cmd *nx;
		size_t next;
		bool direct;

		if (c->kind == IX_SET && c->keep_san != -2)
			keep = c->keep_san;
		/* sanboot_cmd.c: a sanboot without a root path boots a hooked drive and
		 * never unhooks it (URIBOOT_NO_SAN_UNHOOK) */
		if (c->kind != IX_SANBOOT || c->keep || keep != 0 || !c->aline)
			continue;
		sanboots++;
		next = ix_failure_path(fl, i, &direct);
		if (next == SIZE_MAX)
			continue;
		nx = &fl->cmds[next];
		lint_add(w->c, R_KEEP, direct ? NBC_SEV_ERROR : NBC_SEV_WARNING,
			 at(file, c->pline, c->pcol), HINT_KEEP,
			 "the sanboot on line %u (%s) runs without keep-san, and when it fails the "
			 "script goes on to %s%s%s (line %u): iPXE unregisters the SAN device and "
			 "closes its iSCSI session first, so an installer started next cannot see "
			 "the disk (unless DHCP option 175.8 sets keep-san)",
			 c->pline, c->arg[0] ? c->arg : "of the root-path", nx->name,
			 nx->arg[0] ? " " : "", nx->arg, nx->pline);
	}
}

static void ix_script(struct walk *w, const char *file, const char *text, size_t len,
		      const char *base)
{
	struct ipxe_script *s = malloc(sizeof(*s));
	struct ix_flow *fl = calloc(1, sizeof(*fl));
	struct lint_loc locs[IPXE_ACTS_MAX];
	const char *names[IPXE_ACTS_MAX];
	char dir[PATH_MAX];
	size_t ci = 0;

	if (!s || !fl)
		goto out;
	ipxe_script_parse((struct view){ (const uint8_t *)text, len }, s);
	ix_scan(fl, text, len);
	for (size_t k = 0; k < s->nproblems; k++) {
		/* reported as NBC-ROOTPATH-SYNTAX below, as the traffic rules do */
		if (!is_rootpath_problem(s->problems[k].msg))
			lint_add(w->c, R_SCRIPT, NBC_SEV_ERROR, at(file, s->problems[k].line, 1),
				 HINT_SCRIPT, "%s", s->problems[k].msg);
	}
	if (s->problems_dropped)
		lint_add(w->c, R_SCRIPT, NBC_SEV_ERROR, at(file, 0, 0), HINT_SCRIPT,
			 "%zu more problems in this script are not listed", s->problems_dropped);
	if (s->acts_dropped || fl->dropped)
		lint_add(w->c, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, at(file, 0, 0), HINT_LIMIT,
			 "the script has more commands than lint follows (%d actions): the rest "
			 "are not checked",
			 IPXE_ACTS_MAX);
	/* Pair each action with its command, in order, for its column. */
	for (size_t k = 0; k < s->nacts; k++) {
		const struct ipxe_action *a = &s->acts[k];

		while (ci < fl->n && (!fl->cmds[ci].recorded || fl->cmds[ci].line < a->line))
			ci++;
		if (ci < fl->n && fl->cmds[ci].line == a->line) {
			const struct ix_cmd *c = &fl->cmds[ci++];

			locs[k] = c->aline ? at(file, c->aline, c->acol) : at(file, c->pline, c->pcol);
			names[k] = c->name;
		} else {
			locs[k] = at(file, a->line, 1);
			names[k] = a->kind == IPXE_ACT_CHAIN ? "chain" : "imgfetch";
		}
	}
	if (!base)
		http_dir_of(w, file, dir, sizeof(dir));
	for (size_t k = 0; k < s->nacts; k++) {
		const struct ipxe_action *a = &s->acts[k];
		char n[64];

		switch (a->kind) {
		case IPXE_ACT_CHAIN:
		case IPXE_ACT_FETCH:
			ix_target(w, file, s, k, locs, names[k], base, dir);
			break;
		case IPXE_ACT_SANBOOT:
		case IPXE_ACT_SANHOOK:
			ix_rootpath(w, locs[k], a->kind == IPXE_ACT_SANHOOK ? "sanhook" : "sanboot",
				    a->arg);
			break;
		case IPXE_ACT_SET:
			setting_name(a->arg, strlen(a->arg), n, sizeof(n));
			if (strcmp(n, "root-path") == 0 || strcmp(n, "17") == 0)
				ix_rootpath(w, locs[k], "set root-path", a->value);
			break;
		default:
			break;
		}
	}
	ix_keep_san(w, file, fl);
out:
	if (fl)
		free(fl->cmds);
	free(fl);
	free(s);
}

void lint_ipxe_script(struct lint_ctx *c, const char *path, const char *text, size_t len,
		      const struct lint_roots *roots, const char *base_url)
{
	struct walk *w = malloc(sizeof(*w));

	if (!w)
		return;
	walk_init(w, c, roots, path);
	ix_script(w, lint_intern(c, path ? path : "(iPXE script)"), text ? text : "",
		  text ? len : 0, base_url);
	free(w);
}
