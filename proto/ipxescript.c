/* ipxescript.c: parses an iPXE script into the actions a client will take and the problems in it. */
#include "ipxescript.h"
#include "rootpath.h"

#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

enum cmd_kind {
	K_OTHER,	/* known, not recorded */
	K_CHAIN,	/* chain: URI required */
	K_EXEC,		/* boot/imgexec: URI optional */
	K_FETCH,	/* URI required */
	K_SANBOOT,
	K_SANHOOK,
	K_SET,
	K_EXIT,
	K_GOTO,
};

struct cmd_info {
	const char *name;
	enum cmd_kind kind;
};

/* iPXE's commands (all builds; many are optional at build time). */
static const struct cmd_info commands[] = {
	{ "chain", K_CHAIN }, { "boot", K_EXEC }, { "imgexec", K_EXEC },
	{ "imgfetch", K_FETCH }, { "module", K_FETCH }, { "initrd", K_FETCH },
	{ "kernel", K_FETCH }, { "imgselect", K_FETCH }, { "imgload", K_FETCH },
	{ "sanboot", K_SANBOOT }, { "sanhook", K_SANHOOK }, { "set", K_SET },
	{ "exit", K_EXIT }, { "goto", K_GOTO },
	{ "imgstat", K_OTHER }, { "imgfree", K_OTHER }, { "imgargs", K_OTHER },
	{ "imgtrust", K_OTHER }, { "imgverify", K_OTHER }, { "imgextract", K_OTHER },
	{ "imgdecrypt", K_OTHER }, { "imgmem", K_OTHER }, { "imgset", K_OTHER },
	{ "sanunhook", K_OTHER }, { "clear", K_OTHER }, { "read", K_OTHER },
	{ "show", K_OTHER }, { "isset", K_OTHER }, { "iseq", K_OTHER }, { "inc", K_OTHER },
	{ "echo", K_OTHER }, { "prompt", K_OTHER }, { "sleep", K_OTHER },
	{ "shell", K_OTHER }, { "menu", K_OTHER }, { "item", K_OTHER },
	{ "choose", K_OTHER }, { "form", K_OTHER }, { "present", K_OTHER },
	{ "dhcp", K_OTHER }, { "ifopen", K_OTHER }, { "ifclose", K_OTHER },
	{ "ifstat", K_OTHER }, { "ifconf", K_OTHER }, { "autoboot", K_OTHER },
	{ "route", K_OTHER }, { "ntp", K_OTHER }, { "nslookup", K_OTHER },
	{ "ping", K_OTHER }, { "login", K_OTHER }, { "config", K_OTHER },
	{ "console", K_OTHER }, { "colour", K_OTHER }, { "cpair", K_OTHER },
	{ "reboot", K_OTHER }, { "poweroff", K_OTHER }, { "cpuid", K_OTHER },
	{ "vcreate", K_OTHER }, { "vdestroy", K_OTHER }, { "params", K_OTHER },
	{ "param", K_OTHER }, { "ipstat", K_OTHER }, { "time", K_OTHER },
	{ "sync", K_OTHER }, { "certstat", K_OTHER }, { "certstore", K_OTHER },
	{ "certfree", K_OTHER }, { "pciscan", K_OTHER }, { "profstat", K_OTHER },
	{ "md5sum", K_OTHER }, { "sha1sum", K_OTHER }, { "neighbour", K_OTHER },
	{ "nstat", K_OTHER }, { "fcstat", K_OTHER }, { "fcels", K_OTHER },
	{ "ibstat", K_OTHER }, { "shim", K_OTHER }, { "lotest", K_OTHER },
	{ "pxebs", K_OTHER }, { "iwstat", K_OTHER }, { "iwlist", K_OTHER },
	{ "usbscan", K_OTHER }, { "pnplist", K_OTHER }, { "gdbstub", K_OTHER },
	{ "fdt", K_OTHER }, { "efimap", K_OTHER }, { "stoppxe", K_OTHER },
};

/* An option: long name, short letter, whether it takes a value, is it --keep. */
struct opt_info {
	const char *name;
	char letter;
	bool has_value;
	bool keep;
};

/* Options of the image commands (imgfetch, chain, kernel...). */
static const struct opt_info image_opts[] = {
	{ "name", 'n', true, false }, { "timeout", 't', true, false },
	{ "autofree", 'a', false, false }, { "replace", 'r', false, false },
	{ "help", 'h', false, false },
};

/* Options of sanboot/sanhook. */
static const struct opt_info san_opts[] = {
	{ "drive", 'd', true, false }, { "no-describe", 'n', false, false },
	{ "keep", 'k', false, true }, { "filename", 'f', true, false },
	{ "extra", 'e', true, false }, { "label", 'l', true, false },
	{ "uuid", 'u', true, false }, { "help", 'h', false, false },
};

/* URI schemes iPXE can open; the first ones need "//" and a host. */
static const char *const hier_schemes[] = {
	"http", "https", "ftp", "tftp", "tftm", "mtftp", "slam", "nfs",
};
static const char *const other_schemes[] = {
	"file", "iscsi", "aoe", "fcp", "ib_srp", "srp",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The same whitespace as iPXE's isspace(). */
static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool why_set(char *why, size_t cap, const char *msg)
{
	if (why && cap)
		snprintf(why, cap, "%s", msg);
	return false;
}

/* --- redaction --------------------------------------------------------- */

/*
 * Copies in[0..n) to out with every "://user:password@" password replaced
 * by "****". If cut is set the input was truncated, so an authority that
 * runs to the end without '@' may be a cut-off userinfo: its text after the
 * first ':' is masked too.
 */
static bool redact(const char *in, size_t n, bool cut, char *out, size_t cap)
{
	struct wbuf w = wbuf_make(out, cap ? cap - 1 : 0);
	bool changed = false;
	size_t i = 0;

	if (cap == 0)
		return false;
	while (i < n) {
		size_t auth;
		size_t end;
		size_t at = SIZE_MAX;
		size_t colon = SIZE_MAX;

		if (!(i + 3 <= n && memcmp(in + i, "://", 3) == 0)) {
			if (!w.err && w.len < w.cap)
				wbuf_u8(&w, (uint8_t)in[i]);
			i++;
			continue;
		}
		auth = i + 3;
		end = auth;
		while (end < n && in[end] != '/' && in[end] != '?' && in[end] != '#' &&
		       !is_space((unsigned char)in[end]))
			end++;
		for (size_t j = auth; j < end; j++)
			if (in[j] == '@')
				at = j;
		for (size_t j = auth; j < (at == SIZE_MAX ? end : at); j++) {
			if (in[j] == ':') {
				colon = j;
				break;
			}
		}
		if (at == SIZE_MAX && !(cut && end == n))
			colon = SIZE_MAX;	/* host:port, not a password */
		if (colon == SIZE_MAX || colon + 1 == (at == SIZE_MAX ? end : at)) {
			/* nothing to hide: copy the authority as is */
			for (size_t j = i; j < end; j++)
				if (w.len < w.cap)
					wbuf_u8(&w, (uint8_t)in[j]);
			i = end;
			continue;
		}
		for (size_t j = i; j <= colon; j++)
			if (w.len < w.cap)
				wbuf_u8(&w, (uint8_t)in[j]);
		for (size_t j = 0; j < 4; j++)
			if (w.len < w.cap)
				wbuf_u8(&w, '*');
		changed = true;
		i = (at == SIZE_MAX) ? n : at;
	}
	out[w.len] = '\0';
	return changed;
}

bool ipxe_uri_redact(const char *in, char *out, size_t cap)
{
	if (!in) {
		if (cap)
			out[0] = '\0';
		return false;
	}
	return redact(in, strlen(in), false, out, cap);
}

/* --- URI check ---------------------------------------------------------- */

static bool in_list(const char *s, size_t n, const char *const *list, size_t count,
		    const char **match)
{
	for (size_t i = 0; i < count; i++) {
		if (strlen(list[i]) == n && strncasecmp(s, list[i], n) == 0) {
			*match = list[i];
			return true;
		}
	}
	return false;
}

static bool check_authority(const char *scheme, const char *p, char *why, size_t cap)
{
	const char *end = p + strcspn(p, "/?#");
	const char *host = p;
	const char *hend;
	char msg[96];

	for (const char *q = p; q < end; q++)
		if (*q == '@')
			host = q + 1;
	if (*host == '[') {
		const char *close = memchr(host, ']', (size_t)(end - host));

		if (!close) {
			snprintf(msg, sizeof(msg), "%s URI has an IPv6 host without ]", scheme);
			return why_set(why, cap, msg);
		}
		if (close == host + 1) {
			snprintf(msg, sizeof(msg), "%s URI has an empty host", scheme);
			return why_set(why, cap, msg);
		}
		hend = close + 1;
		if (hend < end && *hend != ':') {
			snprintf(msg, sizeof(msg), "%s URI has text after the ] of its host", scheme);
			return why_set(why, cap, msg);
		}
	} else {
		hend = memchr(host, ':', (size_t)(end - host));
		if (!hend)
			hend = end;
		if (hend == host) {
			snprintf(msg, sizeof(msg), "%s URI has an empty host", scheme);
			return why_set(why, cap, msg);
		}
	}
	if (hend < end) {
		unsigned long port = 0;

		for (const char *q = hend + 1; q < end; q++) {
			if (!is_digit((unsigned char)*q) || port > 65535) {
				port = 65536;
				break;
			}
			port = port * 10 + (unsigned long)(*q - '0');
		}
		if (hend + 1 < end && (port == 0 || port > 65535)) {
			snprintf(msg, sizeof(msg), "%s URI has a bad port", scheme);
			return why_set(why, cap, msg);
		}
	}
	return true;
}

bool ipxe_uri_check(const char *uri, char *why, size_t cap)
{
	const char *scheme = NULL;
	const char *rest;
	size_t n = 0;
	char msg[160];

	if (why && cap)
		why[0] = '\0';
	if (!uri || !uri[0])
		return why_set(why, cap, "empty URI");
	for (const char *q = uri; *q; q++)
		if ((unsigned char)*q <= 0x20 || (unsigned char)*q == 0x7f)
			return why_set(why, cap, "URI contains a space or control character");

	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." / "_" ) ":" */
	if (!is_alpha((unsigned char)uri[0]))
		return true;	/* relative path, or starts with ${var} */
	while (is_alpha((unsigned char)uri[n]) || is_digit((unsigned char)uri[n]) ||
	       uri[n] == '+' || uri[n] == '-' || uri[n] == '.' || uri[n] == '_')
		n++;
	if (uri[n] != ':')
		return true;	/* relative path */
	rest = uri + n + 1;
	if (in_list(uri, n, hier_schemes, NELEM(hier_schemes), &scheme)) {
		if (strncmp(rest, "//", 2) != 0) {
			snprintf(msg, sizeof(msg), "%s URI has no // after \"%s:\"", scheme, scheme);
			return why_set(why, cap, msg);
		}
		if (strstr(uri, "${"))
			return true;
		return check_authority(scheme, rest + 2, why, cap);
	}
	if (!in_list(uri, n, other_schemes, NELEM(other_schemes), &scheme)) {
		snprintf(msg, sizeof(msg), "unknown URI scheme \"%.*s\"", (int)(n > 24 ? 24 : n),
			 uri);
		return why_set(why, cap, msg);
	}
	if (strstr(uri, "${"))
		return true;
	if (!rest[0]) {
		snprintf(msg, sizeof(msg), "%s URI is empty after the scheme", scheme);
		return why_set(why, cap, msg);
	}
	if (strcmp(scheme, "iscsi") == 0) {
		struct rootpath rp;
		char reason[100];

		if (!rootpath_parse(uri, &rp, reason, sizeof(reason))) {
			snprintf(msg, sizeof(msg), "iscsi root path: %s", reason);
			return why_set(why, cap, msg);
		}
	} else if (strcmp(scheme, "aoe") == 0) {
		const char *q = rest;
		bool ok = *q++ == 'e' && is_digit((unsigned char)*q);

		while (ok && is_digit((unsigned char)*q))
			q++;
		ok = ok && *q++ == '.' && is_digit((unsigned char)*q);
		while (ok && is_digit((unsigned char)*q))
			q++;
		if (!ok || *q)
			return why_set(why, cap, "aoe URI must look like aoe:e<shelf>.<slot>");
	}
	return true;
}

/* --- the script --------------------------------------------------------- */

/* One logical line: continuations joined, cut at IPXE_LINE_MAX - 1 bytes, NUL-free. */
struct logline {
	char buf[IPXE_LINE_MAX];
	size_t len;
	bool cut;
	bool nul;
	unsigned line;
};

/* Reads the next logical line at *pos, as iPXE does; false at the end. */
static bool next_line(struct view t, size_t *pos, unsigned *lineno, struct logline *l)
{
	bool more = true;

	if (*pos >= t.len)
		return false;
	l->len = 0;
	l->cut = l->nul = false;
	l->line = *lineno + 1;
	while (more && *pos < t.len) {
		const uint8_t *s = t.p + *pos;
		const uint8_t *nl = memchr(s, '\n', t.len - *pos);
		size_t n = nl ? (size_t)(nl - s) : t.len - *pos;

		(*lineno)++;
		*pos += n + (nl ? 1 : 0);
		if (n && s[n - 1] == '\r')
			n--;
		more = n && s[n - 1] == '\\';
		if (more)
			n--;
		for (size_t i = 0; i < n && !l->nul; i++) {
			if (s[i] == 0)
				l->nul = true;
			else if (l->len + 1 < sizeof(l->buf))
				l->buf[l->len++] = (char)s[i];
			else
				l->cut = true;
		}
	}
	l->buf[l->len] = '\0';
	return true;
}

/* Finds the next whitespace-separated token of buf[*pos..len). */
static bool next_tok(const char *buf, size_t len, size_t *pos, size_t *off, size_t *n)
{
	size_t i = *pos;

	while (i < len && is_space((unsigned char)buf[i]))
		i++;
	if (i >= len) {
		*pos = len;
		return false;
	}
	*off = i;
	while (i < len && !is_space((unsigned char)buf[i]))
		i++;
	*n = i - *off;
	*pos = i;
	return true;
}

static bool tok_is(const char *p, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(p, s, n) == 0;
}

static uint64_t hash_label(const char *p, size_t n)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (size_t i = 0; i < n; i++) {
		h ^= (uint8_t)p[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

struct ctx {
	struct ipxe_script *out;
	bool show_secrets;	/* keep passwords as written (--show-secrets) */
	uint64_t labels[IPXE_LABELS_MAX];
	size_t nlabels;
	bool labels_dropped;
	char tmp[IPXE_LINE_MAX + 64];	/* a redacted token or set value */
	char tok[IPXE_LINE_MAX];	/* a NUL-terminated token */
};

static void problem(struct ctx *c, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct ctx *c, unsigned line, const char *fmt, ...)
{
	struct ipxe_script *s = c->out;
	va_list ap;

	if (s->nproblems >= IPXE_PROBLEMS_MAX) {
		s->problems_dropped++;
		return;
	}
	s->problems[s->nproblems].line = line;
	va_start(ap, fmt);
	vsnprintf(s->problems[s->nproblems].msg, sizeof(s->problems[0].msg), fmt, ap);
	va_end(ap);
	s->nproblems++;
}

static struct ipxe_action *add_act(struct ctx *c, enum ipxe_act_kind kind, unsigned line,
				   bool fallback)
{
	struct ipxe_script *s = c->out;
	struct ipxe_action *a;

	if (s->nacts >= IPXE_ACTS_MAX) {
		s->acts_dropped++;
		return NULL;
	}
	a = &s->acts[s->nacts++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->line = line;
	a->fallback = fallback;
	return a;
}

/* Short printable copy of a token for a problem message. */
static void short_name(const char *p, size_t n, char *dst, size_t cap)
{
	view_to_printable((struct view){ (const uint8_t *)p, n }, dst, cap);
}

/* Stores a URI argument redacted and printable; returns true if it had a password. */
static bool store_uri(struct ctx *c, const char *p, size_t n, bool cut, char *dst, size_t cap)
{
	bool changed = redact(p, n, cut, c->tmp, sizeof(c->tmp));

	if (c->show_secrets)
		snprintf(c->tmp, sizeof(c->tmp), "%.*s", (int)n, p);
	view_to_printable((struct view){ (const uint8_t *)c->tmp, strlen(c->tmp) }, dst, cap);
	return changed;
}

static const struct opt_info *find_opt(const struct opt_info *opts, size_t count,
				       const char *name, size_t n, char letter)
{
	for (size_t i = 0; i < count; i++) {
		if (name ? (strlen(opts[i].name) == n && memcmp(opts[i].name, name, n) == 0)
			 : opts[i].letter == letter)
			return &opts[i];
	}
	return NULL;
}

/* Splits "[scope/]name[:type]" into name and type. */
static void setting_parts(const char *p, size_t n, const char **name, size_t *name_n,
			  const char **type, size_t *type_n)
{
	const char *slash = NULL;
	const char *colon;

	for (size_t i = 0; i < n; i++)
		if (p[i] == '/')
			slash = p + i;
	if (slash) {
		n -= (size_t)(slash + 1 - p);
		p = slash + 1;
	}
	colon = memchr(p, ':', n);
	*name = p;
	*name_n = colon ? (size_t)(colon - p) : n;
	*type = colon ? colon + 1 : p + n;
	*type_n = colon ? n - *name_n - 1 : 0;
}

static bool name_is(const char *name, size_t n, const char *type, size_t type_n,
		    const char *want)
{
	return tok_is(name, n, want) && (type_n == 0 || tok_is(type, type_n, "string"));
}

static bool is_secret_name(const char *name, size_t n)
{
	static const char suffix[] = "password";
	size_t m = sizeof(suffix) - 1;

	return n >= m && strncasecmp(name + n - m, suffix, m) == 0;
}

static void do_set(struct ctx *c, struct ipxe_action *a, const char *setting, size_t sn,
		   const char *value, bool cut, unsigned line)
{
	struct ipxe_script *s = c->out;
	const char *name;
	const char *type;
	size_t name_n;
	size_t type_n;
	bool secret;
	char shown[IPXE_ARG_MAX];

	setting_parts(setting, sn, &name, &name_n, &type, &type_n);
	secret = is_secret_name(name, name_n);
	if (secret) {
		snprintf(shown, sizeof(shown), "%s", value[0] ? "****" : "");
		if (c->show_secrets)
			view_to_printable((struct view){ (const uint8_t *)value, strlen(value) },
					  shown, sizeof(shown));
	} else {
		secret = redact(value, strlen(value), cut, c->tmp, sizeof(c->tmp));
		if (c->show_secrets)
			snprintf(c->tmp, sizeof(c->tmp), "%s", value);
		view_to_printable((struct view){ (const uint8_t *)c->tmp, strlen(c->tmp) },
				  shown, sizeof(shown));
	}
	if (a) {
		short_name(setting, sn, a->arg, sizeof(a->arg));
		memcpy(a->value, shown, sizeof(a->value));
		a->secret = secret;
	}
	if (name_is(name, name_n, type, type_n, "209")) {
		s->has_209 = value[0] != '\0';
		memcpy(s->set_209, shown, sizeof(s->set_209));
	} else if (name_is(name, name_n, type, type_n, "210")) {
		s->has_210 = value[0] != '\0';
		memcpy(s->set_210, shown, sizeof(s->set_210));
	} else if (name_is(name, name_n, type, type_n, "root-path") ||
		   name_is(name, name_n, type, type_n, "17")) {
		struct rootpath rp;
		char why[100];

		memcpy(s->root_path, shown, sizeof(s->root_path));
		if (strncasecmp(value, "iscsi:", 6) == 0 && !strstr(value, "${") &&
		    !rootpath_parse(value, &rp, why, sizeof(why)))
			problem(c, line, "root-path: %s", why);
	} else if (tok_is(name, name_n, "keep-san")) {
		unsigned long v = 0;
		size_t i = 0;

		while (is_digit((unsigned char)value[i]) && v < 256)
			v = v * 10 + (unsigned long)(value[i++] - '0');
		if (i > 0 && value[i] == '\0')
			s->keep_san = v != 0;
		else if (value[0] == '\0')
			s->keep_san = 0;	/* an empty set deletes it: back to the default */
		else if (!strstr(value, "${"))
			problem(c, line, "keep-san value is not a number");
	}
}

/* One command: buf[from..to) of a line, without its terminator. */
static void do_command(struct ctx *c, const struct logline *l, size_t from, size_t to,
		       bool fallback)
{
	const struct cmd_info *ci = NULL;
	const struct opt_info *opts = NULL;
	size_t nopts = 0;
	size_t pos = from;
	size_t off;
	size_t n;
	size_t cmd_off;
	size_t cmd_n;
	size_t first_off = 0;
	size_t first_n = 0;
	size_t value_len = 0;
	unsigned npos = 0;
	bool opts_done = false;
	bool skip_value = false;
	bool keep = false;
	struct ipxe_action *a = NULL;
	char name[48];

	if (!next_tok(l->buf, to, &pos, &cmd_off, &cmd_n))
		return;
	short_name(l->buf + cmd_off, cmd_n, name, sizeof(name));
	if (memchr(l->buf + cmd_off, '$', cmd_n))
		return;	/* the command comes from a variable */
	for (size_t i = 0; i < NELEM(commands); i++) {
		if (tok_is(l->buf + cmd_off, cmd_n, commands[i].name)) {
			ci = &commands[i];
			break;
		}
	}
	if (!ci) {
		problem(c, l->line, "unknown command \"%s\"", name);
		return;
	}
	if (ci->kind == K_OTHER)
		return;
	if (ci->kind == K_SANBOOT || ci->kind == K_SANHOOK) {
		opts = san_opts;
		nopts = NELEM(san_opts);
	} else if (ci->kind == K_CHAIN || ci->kind == K_EXEC || ci->kind == K_FETCH) {
		opts = image_opts;
		nopts = NELEM(image_opts);
	}

	/* Options come first (iPXE's getopt does not reorder), then arguments. */
	while (next_tok(l->buf, to, &pos, &off, &n)) {
		const char *t = l->buf + off;

		if (skip_value) {
			skip_value = false;
			continue;
		}
		if (opts && !opts_done && n > 1 && t[0] == '-') {
			if (tok_is(t, n, "--")) {
				opts_done = true;
			} else if (t[1] == '-') {
				const char *eq = memchr(t + 2, '=', n - 2);
				size_t ln = eq ? (size_t)(eq - (t + 2)) : n - 2;
				const struct opt_info *o = find_opt(opts, nopts, t + 2, ln, 0);

				if (o && o->has_value && !eq)
					skip_value = true;
				if (o && o->keep)
					keep = true;
			} else {
				for (size_t i = 1; i < n; i++) {
					const struct opt_info *o =
						find_opt(opts, nopts, NULL, 0, t[i]);

					if (o && o->keep)
						keep = true;
					if (o && o->has_value) {
						skip_value = (i + 1 == n);
						break;
					}
				}
			}
			continue;
		}
		opts_done = true;
		if (npos++ == 0) {
			first_off = off;
			first_n = n;
		} else if (ci->kind == K_SET) {
			/* the value: the remaining arguments joined by single spaces */
			if (value_len && value_len + 1 < sizeof(c->tok))
				c->tok[value_len++] = ' ';
			for (size_t i = 0; i < n && value_len + 1 < sizeof(c->tok); i++)
				c->tok[value_len++] = t[i];
		}
	}

	switch (ci->kind) {
	case K_SET:
		c->tok[value_len] = '\0';
		if (npos == 0) {
			problem(c, l->line, "set without a setting name");
			return;
		}
		a = add_act(c, IPXE_ACT_SET, l->line, fallback);
		do_set(c, a, l->buf + first_off, first_n, c->tok,
		       l->cut && first_off + first_n + 1 + value_len >= l->len, l->line);
		return;
	case K_GOTO:
		if (npos == 0) {
			problem(c, l->line, "goto without a label");
			return;
		}
		a = add_act(c, IPXE_ACT_GOTO, l->line, fallback);
		if (a)
			short_name(l->buf + first_off, first_n, a->arg, sizeof(a->arg));
		if (!memchr(l->buf + first_off, '$', first_n) && !c->labels_dropped) {
			uint64_t h = hash_label(l->buf + first_off, first_n);
			bool found = false;

			for (size_t i = 0; i < c->nlabels && !found; i++)
				found = c->labels[i] == h;
			if (!found) {
				char label[64];

				short_name(l->buf + first_off, first_n, label, sizeof(label));
				problem(c, l->line, "goto to undefined label \"%s\"", label);
			}
		}
		return;
	case K_EXIT:
		a = add_act(c, IPXE_ACT_EXIT, l->line, fallback);
		if (a && npos)
			short_name(l->buf + first_off, first_n, a->arg, sizeof(a->arg));
		return;
	default:
		break;
	}

	if (npos == 0) {
		if (ci->kind == K_CHAIN || ci->kind == K_FETCH || ci->kind == K_SANHOOK)
			problem(c, l->line, "%s without a URI", name);
	} else {
		char why[120];
		bool cut = l->cut && first_off + first_n >= l->len;

		memcpy(c->tok, l->buf + first_off, first_n);
		c->tok[first_n] = '\0';
		if (!cut && !ipxe_uri_check(c->tok, why, sizeof(why)))
			problem(c, l->line, "%s: %s", name, why);
	}
	switch (ci->kind) {
	case K_CHAIN:
	case K_EXEC:
		if (ci->kind == K_CHAIN && npos == 0)
			return;
		a = add_act(c, IPXE_ACT_CHAIN, l->line, fallback);
		break;
	case K_FETCH:
		if (npos == 0)
			return;
		a = add_act(c, IPXE_ACT_FETCH, l->line, fallback);
		break;
	case K_SANBOOT:
		a = add_act(c, IPXE_ACT_SANBOOT, l->line, fallback);
		break;
	case K_SANHOOK:
		if (npos == 0)
			return;
		a = add_act(c, IPXE_ACT_SANHOOK, l->line, fallback);
		break;
	default:
		return;
	}
	if (!a)
		return;
	a->keep_flag = keep;
	if (npos)
		a->secret = store_uri(c, l->buf + first_off, first_n,
				      l->cut && first_off + first_n >= l->len, a->arg,
				      sizeof(a->arg));
}

/* Skips a ":label" at the start of the line; returns where the command starts. */
static size_t label_at(const struct logline *l, size_t *off, size_t *n)
{
	size_t i = 0;

	while (i < l->len && is_space((unsigned char)l->buf[i]))
		i++;
	if (i >= l->len || l->buf[i] != ':')
		return SIZE_MAX;
	*off = ++i;
	while (i < l->len && !is_space((unsigned char)l->buf[i]))
		i++;
	*n = i - *off;
	return i;
}

/* Runs every command of one logical line. */
static void do_line(struct ctx *c, const struct logline *l)
{
	size_t off;
	size_t n;
	size_t pos = label_at(l, &off, &n);
	size_t start;
	bool fallback = false;

	if (pos == SIZE_MAX)
		pos = 0;
	start = pos;
	while (next_tok(l->buf, l->len, &pos, &off, &n)) {
		const char *t = l->buf + off;

		if (t[0] == '#') {
			do_command(c, l, start, off, fallback);
			return;
		}
		if (tok_is(t, n, "||") || tok_is(t, n, "&&") || tok_is(t, n, ";")) {
			do_command(c, l, start, off, fallback);
			fallback = tok_is(t, n, "||");
			start = pos;
		}
	}
	do_command(c, l, start, l->len, fallback);
}

static void check_magic(struct ctx *c, struct view text)
{
	const char *msg = "no #!ipxe header: iPXE will not run this as a script";

	if (text.len >= 7 &&
	    (memcmp(text.p, "#!ipxe", 6) == 0 || memcmp(text.p, "#!gpxe", 6) == 0) &&
	    is_space(text.p[6])) {
		c->out->has_magic = true;
		return;
	}
	if (text.len >= 3 && memcmp(text.p, "\xef\xbb\xbf", 3) == 0)
		msg = "no #!ipxe header (the file starts with a UTF-8 BOM): "
		      "iPXE will not run this as a script";
	else if (text.len >= 6 && strncasecmp((const char *)text.p, "#!ipxe", 6) == 0 &&
		 (text.len == 6 || is_space(text.p[6])))
		msg = text.len == 6 ? "#!ipxe header is not followed by a newline: "
				      "iPXE will not run this as a script"
				    : "no #!ipxe header (it is case-sensitive): "
				      "iPXE will not run this as a script";
	else if (text.len == 6 && memcmp(text.p, "#!ipxe", 6) == 0)
		msg = "#!ipxe header is not followed by a newline: "
		      "iPXE will not run this as a script";
	problem(c, 1, "%s", msg);
}

void ipxe_script_parse(struct view text, struct ipxe_script *out)
{
	ipxe_script_parse_opts(text, out, false);
}

void ipxe_script_parse_opts(struct view text, struct ipxe_script *out, bool show_secrets)
{
	static const struct logline empty;
	struct ctx c;
	struct logline l = empty;
	size_t pos = 0;
	unsigned lineno = 0;

	memset(out, 0, sizeof(*out));
	out->keep_san = -1;
	memset(&c, 0, sizeof(c));
	c.out = out;
	c.show_secrets = show_secrets;
	if (!text.p)
		text.len = 0;
	check_magic(&c, text);

	/* Pass 1: labels, which goto may reach forwards or backwards. */
	while (next_line(text, &pos, &lineno, &l)) {
		size_t off;
		size_t n;

		if (label_at(&l, &off, &n) == SIZE_MAX)
			continue;
		if (c.nlabels < IPXE_LABELS_MAX)
			c.labels[c.nlabels++] = hash_label(l.buf + off, n);
		else
			c.labels_dropped = true;
	}

	/* Pass 2: commands. */
	pos = 0;
	lineno = 0;
	while (next_line(text, &pos, &lineno, &l)) {
		if (l.cut)
			out->lines_cut++;
		if (l.nul)
			problem(&c, l.line, "NUL byte in the line: iPXE ignores the rest of it");
		do_line(&c, &l);
	}
	out->lines = lineno;
}
