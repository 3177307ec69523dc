/* ipxe.c: executes iPXE scripts as iPXE does (src/image/script.c, src/core/exec.c, src/hci/commands/). */
#include "ipxe.h"
#include "proto/cursor.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define EXPAND_MAX 65536	/* an expanded argument is cut here */
#define EXPAND_ROUNDS 1024	/* ${...} replaced per argument, at most (x = "${x}" loops in iPXE) */
#define NAME_MAX_LEN 128
#define MENUS_MAX 16
#define ITEMS_MAX 256
#define SECRET_MIN 4		/* secret values shorter than this are not searched for in log lines */

/* --- settings ------------------------------------------------------------ */

struct setting {
	char *name;
	char *value;
};

struct ipxe_env {
	struct setting *v;
	size_t n;
	size_t cap;
};

/* DHCP option numbers iPXE knows by name (src/include/ipxe/dhcp.h): stored by name. */
static const struct {
	const char *number;
	const char *name;
} aliases[] = {
	{ "12", "hostname" },		{ "17", "root-path" },
	{ "67", "filename" },		{ "203", "initiator-iqn" },
	{ "175.8", "keep-san" },	{ "175.9", "skip-san-boot" },
	{ "175.190", "username" },	{ "175.191", "password" },
	{ "175.192", "reverse-username" }, { "175.193", "reverse-password" },
};

/* Same whitespace as iPXE's isspace(). */
static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static char *dup_n(const char *s, size_t n)
{
	char *d = n < SIZE_MAX ? malloc(n + 1) : NULL;

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/*
 * "[scope/]name[:type]" -> canonical name in out and the type (may be "") in
 * type. false if the name is empty or too long.
 */
static bool canon_name(const char *in, char *out, size_t cap, char *type, size_t tcap)
{
	const char *slash = strrchr(in, '/');
	const char *p = slash ? slash + 1 : in;
	const char *colon = strchr(p, ':');
	size_t n = colon ? (size_t)(colon - p) : strlen(p);

	if (type && tcap)
		snprintf(type, tcap, "%s", colon ? colon + 1 : "");
	if (n == 0 || n >= cap)
		return false;
	memcpy(out, p, n);
	out[n] = '\0';
	for (size_t i = 0; i < NELEM(aliases); i++) {
		if (strcmp(out, aliases[i].number) == 0) {
			snprintf(out, cap, "%s", aliases[i].name);
			break;
		}
	}
	return true;
}

static struct setting *find_setting(const struct ipxe_env *e, const char *canon)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->v[i].name, canon) == 0)
			return &e->v[i];
	return NULL;
}

struct ipxe_env *ipxe_env_new(void)
{
	struct ipxe_env *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	/* What iPXE built for BIOS x86 reports (the seed's undionly.kpxe). */
	if (ipxe_env_set(e, "platform", "pcbios") != 0 || ipxe_env_set(e, "buildarch", "i386") != 0) {
		ipxe_env_free(e);
		return NULL;
	}
	return e;
}

void ipxe_env_free(struct ipxe_env *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n; i++) {
		free(e->v[i].name);
		free(e->v[i].value);
	}
	free(e->v);
	free(e);
}

/* keep-san and skip-san-boot are uint8 settings: iPXE refuses a value that is not a number. */
static bool is_number(const char *s)
{
	char *end = NULL;

	if (!s[0])
		return false;
	errno = 0;
	(void)strtoul(s, &end, 0);
	return errno == 0 && end && *end == '\0';
}

int ipxe_env_set(struct ipxe_env *e, const char *name, const char *value)
{
	char canon[NAME_MAX_LEN];
	struct setting *s;
	char *v;

	if (!e || !name || !canon_name(name, canon, sizeof(canon), NULL, 0))
		return -EINVAL;
	s = find_setting(e, canon);
	if (!value || !value[0]) {
		/* An empty value deletes the setting (iPXE's storef_setting). */
		if (s) {
			free(s->name);
			free(s->value);
			*s = e->v[--e->n];
		}
		return 0;
	}
	if ((strcmp(canon, "keep-san") == 0 || strcmp(canon, "skip-san-boot") == 0) && !is_number(value))
		return -EINVAL;
	v = dup_n(value, strnlen(value, IPXE_ENV_VALUE_MAX - 1));
	if (!v)
		return -ENOMEM;
	if (s) {
		free(s->value);
		s->value = v;
		return 0;
	}
	if (e->n == e->cap) {
		size_t ncap = e->cap ? e->cap * 2 : 16;
		struct setting *nv = realloc(e->v, ncap * sizeof(*nv));

		if (!nv) {
			free(v);
			return -ENOMEM;
		}
		e->v = nv;
		e->cap = ncap;
	}
	e->v[e->n].name = dup_n(canon, strlen(canon));
	if (!e->v[e->n].name) {
		free(v);
		return -ENOMEM;
	}
	e->v[e->n].value = v;
	e->n++;
	return 0;
}

const char *ipxe_env_get(const struct ipxe_env *e, const char *name)
{
	char canon[NAME_MAX_LEN];
	const struct setting *s;

	if (!e || !name || !canon_name(name, canon, sizeof(canon), NULL, 0))
		return NULL;
	s = find_setting(e, canon);
	return s ? s->value : NULL;
}

/* --- expansion ----------------------------------------------------------- */

/*
 * Our settings are strings; iPXE's mac and other hex settings are bytes. A
 * value written as "52:54:00:12:34:56" is taken as those bytes for the hex
 * types, so ${mac:hexraw} gives 525400123456 as in iPXE.
 */
static size_t value_bytes(const char *v, uint8_t *out, size_t cap)
{
	size_t len = strlen(v);
	size_t n = 0;

	if (len >= 5 && (len + 1) % 3 == 0) {
		bool hex = true;

		for (size_t i = 0; i < len && hex; i += 3) {
			hex = hex_digit((unsigned char)v[i]) >= 0 && hex_digit((unsigned char)v[i + 1]) >= 0 &&
			      (i + 2 == len || v[i + 2] == ':');
		}
		if (hex) {
			for (size_t i = 0; i < len && n < cap; i += 3)
				out[n++] = (uint8_t)(hex_digit((unsigned char)v[i]) * 16 +
						     hex_digit((unsigned char)v[i + 1]));
			return n;
		}
	}
	for (size_t i = 0; i < len && n < cap; i++)
		out[n++] = (uint8_t)v[i];
	return n;
}

/* Formats value as type; returns a malloc'd string. */
static char *format_value(const char *value, const char *type)
{
	static const char digits[] = "0123456789abcdef";
	size_t len = strlen(value);
	char *out;
	size_t o = 0;

	if (strcmp(type, "hex") == 0 || strcmp(type, "hexhyp") == 0 || strcmp(type, "hexraw") == 0) {
		char sep = type[3] == '\0' ? ':' : type[3] == 'h' ? '-' : '\0';
		uint8_t *b = malloc(len + 1);
		size_t n;

		out = malloc(len * 3 + 1);
		if (!b || !out) {
			free(b);
			free(out);
			return NULL;
		}
		n = value_bytes(value, b, len + 1);
		for (size_t i = 0; i < n; i++) {
			if (i && sep)
				out[o++] = sep;
			out[o++] = digits[b[i] >> 4];
			out[o++] = digits[b[i] & 15];
		}
		out[o] = '\0';
		free(b);
		return out;
	}
	if (strcmp(type, "uristring") == 0) {
		out = malloc(len * 3 + 1);
		if (!out)
			return NULL;
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)value[i];

			if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			    c == '-' || c == '.' || c == '_' || c == '~') {
				out[o++] = (char)c;
			} else {
				out[o++] = '%';
				out[o++] = "0123456789ABCDEF"[c >> 4];
				out[o++] = "0123456789ABCDEF"[c & 15];
			}
		}
		out[o] = '\0';
		return out;
	}
	return dup_n(value, len);
}

/*
 * Expands like iPXE's expand_settings(): the last "${" before the first "}"
 * after it is replaced, then the whole string is scanned again. Returns a
 * malloc'd string (NULL only when out of memory).
 */
static char *expand_dup(const struct ipxe_env *e, const char *in)
{
	char *s = dup_n(in, strnlen(in, EXPAND_MAX));

	for (unsigned round = 0; s && round < EXPAND_ROUNDS; round++) {
		const char *start = NULL;
		const char *end = NULL;
		char name[NAME_MAX_LEN];
		char type[32];
		char *raw;
		char *val;
		const char *v = NULL;
		size_t head;
		size_t vlen;
		size_t tail;
		char *ns;

		for (const char *t = s; *t; t++) {
			if (t[0] == '$' && t[1] == '{')
				start = t;
			if (start && t[0] == '}') {
				end = t;
				break;
			}
		}
		if (!end)
			break;
		raw = dup_n(start + 2, (size_t)(end - start - 2));
		if (!raw)
			break;
		if (canon_name(raw, name, sizeof(name), type, sizeof(type)))
			v = ipxe_env_get(e, name);
		free(raw);
		val = format_value(v ? v : "", type);
		if (!val)
			break;
		head = (size_t)(start - s);
		tail = strlen(end + 1);
		vlen = strlen(val);
		if (head + vlen + tail > EXPAND_MAX)
			vlen = head + tail >= EXPAND_MAX ? 0 : EXPAND_MAX - head - tail;
		ns = malloc(head + vlen + tail + 1);
		if (ns) {
			memcpy(ns, s, head);
			memcpy(ns + head, val, vlen);
			memcpy(ns + head + vlen, end + 1, tail + 1);
		}
		free(val);
		free(s);
		s = ns;
	}
	return s;
}

void ipxe_env_expand(const struct ipxe_env *e, const char *in, char *out, size_t cap)
{
	char *s;

	if (!out || cap == 0)
		return;
	s = expand_dup(e, in ? in : "");
	snprintf(out, cap, "%s", s ? s : "");
	free(s);
}

/* --- redaction for the log ------------------------------------------------ */

static bool is_secret_name(const char *name)
{
	char canon[NAME_MAX_LEN];
	size_t n;

	if (!canon_name(name, canon, sizeof(canon), NULL, 0))
		return false;
	n = strlen(canon);
	return n >= 8 && strcmp(canon + n - 8, "password") == 0;
}

/* Appends s to a bounded buffer. */
struct sbuf {
	char *p;
	size_t len;
	size_t cap;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->cap == 0)
		return;
	for (size_t i = 0; i < n && b->len + 1 < b->cap; i++)
		b->p[b->len++] = s[i];
	b->p[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

/* Copies s, replacing a URI userinfo password ("://user:pw@") with "****". */
static void sb_uri_redacted(struct sbuf *b, const char *s)
{
	const char *p = s;

	while (*p) {
		const char *sep = strstr(p, "://");
		const char *auth;
		const char *end;
		const char *at = NULL;
		const char *colon = NULL;

		if (!sep) {
			sb_str(b, p);
			return;
		}
		auth = sep + 3;
		end = auth;
		while (*end && *end != '/' && *end != '?' && *end != '#' && !is_space((unsigned char)*end))
			end++;
		for (const char *q = auth; q < end; q++)
			if (*q == '@')
				at = q;
		if (at)
			colon = memchr(auth, ':', (size_t)(at - auth));
		if (!colon || colon + 1 == at) {
			sb_put(b, p, (size_t)(end - p));
		} else {
			sb_put(b, p, (size_t)(colon + 1 - p));
			sb_str(b, "****");
			sb_put(b, at, (size_t)(end - at));
		}
		p = end;
	}
}

/* Replaces every occurrence of a secret setting's value in line with "****". */
static void redact_values(const struct ipxe_env *e, char *line, size_t cap)
{
	for (size_t i = 0; i < e->n; i++) {
		const char *v = e->v[i].value;
		size_t vn = strlen(v);
		char *hit;

		if (!is_secret_name(e->v[i].name) || vn < SECRET_MIN)
			continue;
		while ((hit = strstr(line, v)) != NULL) {
			size_t tail = strlen(hit + vn);

			if ((size_t)(hit - line) + 4 + tail + 1 > cap)
				break;
			memmove(hit + 4, hit + vn, tail + 1);
			memcpy(hit, "****", 4);
		}
	}
}

/* --- the interpreter ------------------------------------------------------ */

enum stop {
	STOP_NONE,
	STOP_COMMAND,	/* goto: the rest of the line is skipped */
	STOP_SEQUENCE,	/* exit, reboot, poweroff: the script ends */
};

struct item {
	char *label;	/* NULL: a gap */
	char *text;
	bool is_default;
};

struct menu {
	char *name;	/* NULL: the default menu */
	char *title;
	struct item items[ITEMS_MAX];
	size_t nitems;
};

struct run {
	struct ipxe_env *env;
	const struct ipxe_host *host;
	const char *text;
	size_t len;
	size_t next;		/* offset of the next line */
	unsigned lineno;	/* physical lines read so far */
	unsigned cur;		/* 1-based: where the logical line being run starts */
	unsigned steps;
	enum stop stop;
	const char *halt;	/* "reboot" / "poweroff" */
	char msg[256];		/* why the last failing command failed */
	struct menu *menus[MENUS_MAX];
};

static void fail_msg(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail_msg(struct run *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
}

/* One command's options, as iPXE's parse_options (getopt without reordering). */
struct opt {
	const char *name;
	char letter;
	bool has_arg;
};

#define OPTS_MAX 8

struct parsed {
	const char *val[OPTS_MAX];	/* value (or "" for a flag) of each option given, else NULL */
	int first;			/* index of the first positional argument */
};

struct command {
	const char *name;
	int (*exec)(struct run *r, int argc, char **argv, const struct parsed *p);
	const struct opt *opts;
	size_t nopts;
	int min;
	int max;	/* -1: any number */
	const char *usage;
};

static int parse_opts(struct run *r, const struct command *c, int argc, char **argv, struct parsed *p)
{
	int i = 1;
	int npos;

	memset(p, 0, sizeof(*p));
	while (i < argc && argv[i][0] == '-' && argv[i][1]) {
		const char *a = argv[i++];
		size_t k;

		if (strcmp(a, "--") == 0)
			break;
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t ln = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

			for (k = 0; k < c->nopts; k++)
				if (strlen(c->opts[k].name) == ln && strncmp(c->opts[k].name, a + 2, ln) == 0)
					break;
			if (k == c->nopts) {
				fail_msg(r, "%s: unrecognized option '%s'", c->name, a);
				return -EINVAL;
			}
			if (c->opts[k].has_arg) {
				if (eq) {
					p->val[k] = eq + 1;
				} else if (i < argc) {
					p->val[k] = argv[i++];
				} else {
					fail_msg(r, "%s: option '%s' requires an argument", c->name, a);
					return -EINVAL;
				}
			} else {
				p->val[k] = "";
			}
			continue;
		}
		for (size_t j = 1; a[j]; j++) {
			for (k = 0; k < c->nopts; k++)
				if (c->opts[k].letter == a[j])
					break;
			if (k == c->nopts) {
				fail_msg(r, "%s: invalid option -- '%c'", c->name, a[j]);
				return -EINVAL;
			}
			if (!c->opts[k].has_arg) {
				p->val[k] = "";
				continue;
			}
			if (a[j + 1]) {
				p->val[k] = a + j + 1;
			} else if (i < argc) {
				p->val[k] = argv[i++];
			} else {
				fail_msg(r, "%s: option requires an argument -- '%c'", c->name, a[j]);
				return -EINVAL;
			}
			break;
		}
	}
	p->first = i;
	npos = argc - i;
	if (npos < c->min || (c->max >= 0 && npos > c->max)) {
		fail_msg(r, "usage: %s %s", c->name, c->usage);
		return -EINVAL;
	}
	return 0;
}

/* Joins argv[from..argc) with single spaces (iPXE's concat_args); malloc'd. */
static char *concat_args(int argc, char **argv, int from)
{
	size_t len = 1;
	char *s;
	size_t o = 0;

	for (int i = from; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	for (int i = from; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (i > from)
			s[o++] = ' ';
		memcpy(s + o, argv[i], n);
		o += n;
	}
	s[o] = '\0';
	return s;
}

/* iPXE's parse_integer: strtoul base 0, the whole text. */
static int parse_uint(struct run *r, const char *text, unsigned long *out)
{
	char *end = NULL;

	errno = 0;
	*out = strtoul(text, &end, 0);
	if (!text[0] || *end || errno || *out > UINT_MAX) {
		fail_msg(r, "invalid integer value \"%s\"", text);
		return -EINVAL;
	}
	return 0;
}

static long setting_int(const struct ipxe_env *e, const char *name)
{
	const char *v = ipxe_env_get(e, name);

	return v ? strtol(v, NULL, 0) : 0;
}

/* Host callback missing: the command is not available in this build. */
static int no_host(struct run *r, const char *cmd)
{
	fail_msg(r, "%s: not supported by this host", cmd);
	return -ENOTSUP;
}

/* A host's status: a chained script's `exit N` comes back as N and fails the command, as in iPXE. */
static int host_rc(struct run *r, const char *cmd, int rc)
{
	if (rc == -1)
		fail_msg(r, "%s: failed", cmd);	/* a host's plain -1, not EPERM */
	else if (rc < 0)
		fail_msg(r, "%s: %s", cmd, strerror(-rc));
	else if (rc > 0)
		fail_msg(r, "%s: exit status %d", cmd, rc);
	return rc;
}

/* Finds ":label" from the start of the script (iPXE's goto_exec); sets r->next. */
static bool find_label(struct run *r, const char *label);

/* --- commands ---- */

static int cmd_nop(struct run *r, int argc, char **argv, const struct parsed *p)
{
	(void)r;
	(void)argc;
	(void)argv;
	(void)p;
	return 0;
}

static int cmd_set(struct run *r, int argc, char **argv, const struct parsed *p)
{
	char *value = concat_args(argc, argv, p->first + 1);
	int rc;

	if (!value)
		return -ENOMEM;
	rc = ipxe_env_set(r->env, argv[p->first], value);
	free(value);
	if (rc < 0)
		fail_msg(r, "could not store \"%s\": %s", argv[p->first], strerror(-rc));
	return rc;
}

/* login: iPXE asks for a user name and password; non-interactive, the settings (from
 * --username/--password or DHCP 175.190/191) must already hold them. */
static int cmd_login(struct run *r, int argc, char **argv, const struct parsed *p)
{
	const char *u = ipxe_env_get(r->env, "username");
	const char *pw = ipxe_env_get(r->env, "password");

	(void)argc;
	(void)argv;
	(void)p;
	if (u && u[0] && pw && pw[0])
		return 0;
	fail_msg(r, "login: no username/password set (non-interactive: use --username and "
		    "--password, or DHCP option 175.190/191)");
	return -ECANCELED;
}

static int cmd_clear(struct run *r, int argc, char **argv, const struct parsed *p)
{
	int rc = ipxe_env_set(r->env, argv[p->first], NULL);

	(void)argc;
	if (rc < 0)
		fail_msg(r, "could not clear \"%s\": %s", argv[p->first], strerror(-rc));
	return rc;
}

static int cmd_inc(struct run *r, int argc, char **argv, const struct parsed *p)
{
	unsigned long by = 1;
	char num[32];
	long v;
	int rc;

	if (argc > p->first + 1 && (rc = parse_uint(r, argv[p->first + 1], &by)) != 0)
		return rc;
	v = setting_int(r->env, argv[p->first]);
	snprintf(num, sizeof(num), "%ld", (long)((unsigned long)v + by));
	rc = ipxe_env_set(r->env, argv[p->first], num);
	if (rc < 0)
		fail_msg(r, "could not increment \"%s\": %s", argv[p->first], strerror(-rc));
	return rc;
}

static int cmd_isset(struct run *r, int argc, char **argv, const struct parsed *p)
{
	(void)argc;
	if (argv[p->first][0])
		return 0;
	fail_msg(r, "isset: value is empty");
	return -ENOENT;
}

static int cmd_iseq(struct run *r, int argc, char **argv, const struct parsed *p)
{
	(void)argc;
	if (strcmp(argv[p->first], argv[p->first + 1]) == 0)
		return 0;
	fail_msg(r, "iseq: values differ");
	return -ERANGE;
}

static int cmd_echo(struct run *r, int argc, char **argv, const struct parsed *p)
{
	char *text = concat_args(argc, argv, p->first);

	if (!text)
		return -ENOMEM;
	if (r->host->echo)
		r->host->echo(r->host->ctx, text);
	free(text);
	return 0;
}

static int cmd_prompt(struct run *r, int argc, char **argv, const struct parsed *p)
{
	(void)argc;
	(void)argv;
	(void)p;
	/* Nobody at the keyboard: what a prompt gets when its timeout runs out. */
	fail_msg(r, "prompt: no key pressed: %s", strerror(ETIMEDOUT));
	return -ETIMEDOUT;
}

static int cmd_read(struct run *r, int argc, char **argv, const struct parsed *p)
{
	(void)argc;
	(void)argv;
	(void)p;
	fail_msg(r, "read: no console input: %s", strerror(ECANCELED));
	return -ECANCELED;
}

static int cmd_sleep(struct run *r, int argc, char **argv, const struct parsed *p)
{
	unsigned long secs;

	(void)argc;
	/* Logged (the command line), not slept: the host is not a real machine. */
	return parse_uint(r, argv[p->first], &secs);
}

static int cmd_shell(struct run *r, int argc, char **argv, const struct parsed *p)
{
	(void)argc;
	(void)argv;
	(void)p;
	fail_msg(r, "shell: no interactive shell in the reference firmware");
	return -ENOTSUP;
}

static int cmd_show(struct run *r, int argc, char **argv, const struct parsed *p)
{
	const char *v = ipxe_env_get(r->env, argv[p->first]);
	char *line;
	size_t n;

	(void)argc;
	if (!v) {
		fail_msg(r, "show: \"%s\": %s", argv[p->first], strerror(ENOENT));
		return -ENOENT;
	}
	n = strlen(argv[p->first]) + strlen(v) + 4;
	line = malloc(n);
	if (!line)
		return -ENOMEM;
	snprintf(line, n, "%s = %s", argv[p->first], v);
	if (r->host->echo)
		r->host->echo(r->host->ctx, line);
	free(line);
	return 0;
}

static int cmd_goto(struct run *r, int argc, char **argv, const struct parsed *p)
{
	(void)argc;
	if (!find_label(r, argv[p->first])) {
		fail_msg(r, "goto: no such label \"%s\"", argv[p->first]);
		return -ENOENT;
	}
	r->stop = STOP_COMMAND;
	return 0;
}

static int cmd_exit(struct run *r, int argc, char **argv, const struct parsed *p)
{
	unsigned long code = 0;
	int rc;

	if (argc > p->first && (rc = parse_uint(r, argv[p->first], &code)) != 0)
		return rc;
	r->stop = STOP_SEQUENCE;
	return (int)(code > INT_MAX ? INT_MAX : code);
}

static int cmd_reboot(struct run *r, int argc, char **argv, const struct parsed *p)
{
	(void)argc;
	(void)p;
	r->halt = strcmp(argv[0], "poweroff") == 0 ? "poweroff" : "reboot";
	r->stop = STOP_SEQUENCE;
	return 0;
}

/* image options: name, timeout, autofree, replace */
static const struct opt image_opts[] = {
	{ "name", 'n', true }, { "timeout", 't', true }, { "autofree", 'a', false }, { "replace", 'r', false },
};

static int cmd_exec(struct run *r, int argc, char **argv, const struct parsed *p)
{
	char *args;
	int rc;

	if (argc == p->first) {
		if (!r->host->boot)
			return no_host(r, argv[0]);
		return host_rc(r, argv[0], r->host->boot(r->host->ctx));
	}
	if (!r->host->chain)
		return no_host(r, argv[0]);
	args = concat_args(argc, argv, p->first + 1);
	if (!args)
		return -ENOMEM;
	rc = r->host->chain(r->host->ctx, argv[p->first], args, p->val[2] != NULL);
	free(args);
	return host_rc(r, argv[0], rc);
}

static int cmd_fetch(struct run *r, int argc, char **argv, const struct parsed *p)
{
	(void)argc;
	if (!r->host->fetch)
		return no_host(r, argv[0]);
	return host_rc(r, argv[0], r->host->fetch(r->host->ctx, argv[p->first], p->val[0]));
}

/* sanboot/sanhook options (src/hci/commands/sanboot_cmd.c) */
static const struct opt san_opts[] = {
	{ "drive", 'd', true }, { "no-describe", 'n', false }, { "keep", 'k', false },
	{ "filename", 'f', true }, { "extra", 'e', true }, { "label", 'l', true },
	{ "uuid", 'u', true },
};

static int cmd_sanboot(struct run *r, int argc, char **argv, const struct parsed *p)
{
	bool hook = strcmp(argv[0], "sanhook") == 0;
	/* uriboot() keeps the device when --keep or keep-san is set; sanhook always does. */
	bool keep = hook || p->val[2] != NULL || setting_int(r->env, "keep-san") != 0;
	int rc = -ENOENT;

	if (!r->host->sanboot)
		return no_host(r, argv[0]);
	if (argc == p->first)
		return host_rc(r, argv[0], r->host->sanboot(r->host->ctx, NULL, keep, hook));
	/* Several URIs are paths to one device: use the first that works. */
	for (int i = p->first; i < argc; i++) {
		rc = r->host->sanboot(r->host->ctx, argv[i], keep, hook);
		if (rc == 0)
			return 0;
	}
	return host_rc(r, argv[0], rc);
}

/* --- menus --- */

static void menu_free(struct menu *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nitems; i++) {
		free(m->items[i].label);
		free(m->items[i].text);
	}
	free(m->name);
	free(m->title);
	free(m);
}

static struct menu **menu_slot(struct run *r, const char *name)
{
	for (size_t i = 0; i < MENUS_MAX; i++) {
		struct menu *m = r->menus[i];

		if (m && ((!name && !m->name) || (name && m->name && strcmp(name, m->name) == 0)))
			return &r->menus[i];
	}
	return NULL;
}

static const struct opt menu_opts[] = { { "name", 'n', true }, { "delete", 'd', false } };

static int cmd_menu(struct run *r, int argc, char **argv, const struct parsed *p)
{
	struct menu **slot = menu_slot(r, p->val[0]);
	struct menu *m;

	if (p->val[1]) {
		if (!slot) {
			fail_msg(r, "menu: no such menu");
			return -ENOENT;
		}
		menu_free(*slot);
		*slot = NULL;
		return 0;
	}
	if (slot) {
		menu_free(*slot);
		*slot = NULL;
	}
	for (size_t i = 0; i < MENUS_MAX && !slot; i++)
		if (!r->menus[i])
			slot = &r->menus[i];
	if (!slot) {
		fail_msg(r, "menu: too many menus");
		return -ENOSPC;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->title = concat_args(argc, argv, p->first);
	m->name = p->val[0] ? dup_n(p->val[0], strlen(p->val[0])) : NULL;
	if (!m->title || (p->val[0] && !m->name)) {
		menu_free(m);
		return -ENOMEM;
	}
	*slot = m;
	return 0;
}

static const struct opt item_opts[] = {
	{ "menu", 'm', true }, { "key", 'k', true }, { "default", 'd', false }, { "gap", 'g', false },
};

static int cmd_item(struct run *r, int argc, char **argv, const struct parsed *p)
{
	struct menu **slot = menu_slot(r, p->val[0]);
	struct item *it;

	if (!slot) {
		fail_msg(r, "item: no such menu");
		return -ENOENT;
	}
	if ((*slot)->nitems >= ITEMS_MAX) {
		fail_msg(r, "item: too many items");
		return -ENOSPC;
	}
	it = &(*slot)->items[(*slot)->nitems];
	memset(it, 0, sizeof(*it));
	if (!p->val[3] && argc > p->first) {
		it->label = dup_n(argv[p->first], strlen(argv[p->first]));
		it->text = concat_args(argc, argv, p->first + 1);
		if (!it->label || !it->text) {
			free(it->label);
			free(it->text);
			return -ENOMEM;
		}
	}
	it->is_default = p->val[2] != NULL;
	(*slot)->nitems++;
	return 0;
}

static const struct opt choose_opts[] = {
	{ "menu", 'm', true }, { "default", 'd', true }, { "timeout", 't', true }, { "keep", 'k', false },
};

static int cmd_choose(struct run *r, int argc, char **argv, const struct parsed *p)
{
	struct menu **slot = menu_slot(r, p->val[0]);
	const struct item *pick = NULL;
	int rc;

	(void)argc;
	if (!slot) {
		fail_msg(r, "choose: no such menu");
		return -ENOENT;
	}
	/* Nobody presses a key: the default item (choose --default, else item --default), else the first. */
	for (size_t i = 0; i < (*slot)->nitems && !pick; i++) {
		const struct item *it = &(*slot)->items[i];

		if (it->label && p->val[1] && strcmp(it->label, p->val[1]) == 0)
			pick = it;
	}
	for (size_t i = 0; i < (*slot)->nitems && !pick; i++)
		if ((*slot)->items[i].label && (*slot)->items[i].is_default)
			pick = &(*slot)->items[i];
	for (size_t i = 0; i < (*slot)->nitems && !pick; i++)
		if ((*slot)->items[i].label)
			pick = &(*slot)->items[i];
	if (!pick) {
		fail_msg(r, "choose: the menu has no items");
		rc = -ENOENT;
	} else {
		rc = ipxe_env_set(r->env, argv[p->first], pick->label);
		if (rc < 0)
			fail_msg(r, "could not store \"%s\": %s", argv[p->first], strerror(-rc));
	}
	if (!p->val[3]) {
		menu_free(*slot);
		*slot = NULL;
	}
	return rc;
}

static const struct opt echo_opts[] = { { "n", 'n', false } };
static const struct opt prompt_opts[] = {
	{ "key", 'k', true }, { "timeout", 't', true }, { "set", 's', true },
};
static const struct opt dhcp_opts[] = { { "configurator", 'c', true } };

#define OPTS(o) o, NELEM(o)

static const struct command commands[] = {
	{ "set", cmd_set, NULL, 0, 1, -1, "<setting> [<value>]" },
	{ "clear", cmd_clear, NULL, 0, 1, 1, "<setting>" },
	{ "login", cmd_login, NULL, 0, 0, 0, "" },
	{ "inc", cmd_inc, NULL, 0, 1, 2, "<setting> [<increment>]" },
	{ "isset", cmd_isset, NULL, 0, 1, 1, "<value>" },
	{ "iseq", cmd_iseq, NULL, 0, 2, 2, "<value1> <value2>" },
	{ "echo", cmd_echo, OPTS(echo_opts), 0, -1, "[...]" },
	{ "prompt", cmd_prompt, OPTS(prompt_opts), 0, -1, "[<text>]" },
	{ "read", cmd_read, NULL, 0, 1, 1, "<setting>" },
	{ "sleep", cmd_sleep, NULL, 0, 1, 1, "<seconds>" },
	{ "show", cmd_show, NULL, 0, 1, 1, "<setting>" },
	{ "goto", cmd_goto, NULL, 0, 1, 1, "<label>" },
	{ "exit", cmd_exit, NULL, 0, 0, 1, "[<status>]" },
	{ "chain", cmd_exec, OPTS(image_opts), 1, -1, "<uri|image> [<arguments>...]" },
	{ "boot", cmd_exec, OPTS(image_opts), 0, -1, "[<uri|image> [<arguments>...]]" },
	{ "imgexec", cmd_exec, OPTS(image_opts), 0, -1, "[<uri|image> [<arguments>...]]" },
	{ "imgfetch", cmd_fetch, OPTS(image_opts), 1, -1, "<uri> [<arguments>...]" },
	{ "module", cmd_fetch, OPTS(image_opts), 1, -1, "<uri> [<arguments>...]" },
	{ "initrd", cmd_fetch, OPTS(image_opts), 1, -1, "<uri> [<arguments>...]" },
	{ "kernel", cmd_fetch, OPTS(image_opts), 1, -1, "<uri> [<arguments>...]" },
	{ "imgload", cmd_fetch, OPTS(image_opts), 1, -1, "<uri> [<arguments>...]" },
	{ "imgselect", cmd_fetch, OPTS(image_opts), 1, -1, "<uri> [<arguments>...]" },
	{ "imgstat", cmd_nop, NULL, 0, 0, -1, "[<image>...]" },
	{ "imgfree", cmd_nop, NULL, 0, 0, -1, "[<image>...]" },
	{ "imgargs", cmd_nop, NULL, 0, 1, -1, "<image> [<arguments>...]" },
	{ "sanboot", cmd_sanboot, OPTS(san_opts), 0, -1, "[<root-path>...]" },
	{ "sanhook", cmd_sanboot, OPTS(san_opts), 1, -1, "<root-path>..." },
	{ "sanunhook", cmd_nop, OPTS(san_opts), 0, 0, "" },
	{ "dhcp", cmd_nop, OPTS(dhcp_opts), 0, -1, "[<interface>...]" },
	{ "ifconf", cmd_nop, OPTS(dhcp_opts), 0, -1, "[<interface>...]" },
	{ "ifopen", cmd_nop, NULL, 0, 0, -1, "[<interface>...]" },
	{ "ifclose", cmd_nop, NULL, 0, 0, -1, "[<interface>...]" },
	{ "ifstat", cmd_nop, NULL, 0, 0, -1, "[<interface>...]" },
	{ "route", cmd_nop, NULL, 0, 0, 0, "" },
	{ "shell", cmd_shell, NULL, 0, 0, 0, "" },
	{ "menu", cmd_menu, OPTS(menu_opts), 0, -1, "[<title>]" },
	{ "item", cmd_item, OPTS(item_opts), 0, -1, "[<label> [<text>]]" },
	{ "choose", cmd_choose, OPTS(choose_opts), 1, 1, "<setting>" },
	{ "reboot", cmd_reboot, NULL, 0, 0, 0, "" },
	{ "poweroff", cmd_reboot, NULL, 0, 0, 0, "" },
};

/* --- lines ---- */

/*
 * Reads the logical line at *pos as iPXE's process_script: LF ends a line, a
 * trailing CR is dropped, a trailing backslash joins the next line. A NUL
 * ends the line's text. Returns false at the end of the script.
 */
static bool read_line(const char *text, size_t len, size_t *pos, unsigned *lineno, char *buf, size_t cap)
{
	size_t n = 0;
	bool more = true;
	bool nul = false;

	if (*pos >= len)
		return false;
	while (more && *pos < len) {
		const char *s = text + *pos;
		const char *nl = memchr(s, '\n', len - *pos);
		size_t fl = nl ? (size_t)(nl - s) : len - *pos;

		(*lineno)++;
		*pos += fl + (nl ? 1 : 0);
		if (fl && s[fl - 1] == '\r')
			fl--;
		more = fl && s[fl - 1] == '\\';
		if (more)
			fl--;
		for (size_t i = 0; i < fl && !nul; i++) {
			if (s[i] == '\0')
				nul = true;
			else if (n + 1 < cap)
				buf[n++] = s[i];
		}
	}
	buf[n] = '\0';
	return true;
}

/* Splits a line into its label (or NULL) and command, in place. */
static char *split_label(char *line, char **label)
{
	char *c = line;

	while (is_space((unsigned char)*c))
		c++;
	*label = NULL;
	if (*c != ':')
		return c;
	*label = ++c;
	while (*c && !is_space((unsigned char)*c))
		c++;
	if (*c)
		*c++ = '\0';
	return c;
}

static bool find_label(struct run *r, const char *label)
{
	size_t pos = 0;
	unsigned lineno = 0;
	char *buf = malloc(IPXE_RUN_LINE_MAX);

	if (!buf)
		return false;
	for (;;) {
		size_t start = pos;
		unsigned start_line = lineno;
		char *l;

		if (!read_line(r->text, r->len, &pos, &lineno, buf, IPXE_RUN_LINE_MAX))
			break;
		split_label(buf, &l);
		if (l && strcmp(l, label) == 0) {
			r->next = start;
			r->lineno = start_line;
			free(buf);
			return true;
		}
	}
	free(buf);
	return false;
}

/* Writes the log line of a command: argv with URI passwords and secret values hidden. */
static void log_command(struct run *r, int argc, char **argv)
{
	char line[1024];
	struct sbuf b = { line, 0, sizeof(line) };
	bool set_secret = argc >= 2 && (strcmp(argv[0], "set") == 0) && is_secret_name(argv[1]);

	if (!r->host->log)
		return;
	line[0] = '\0';
	snprintf(line, sizeof(line), "line %u:", r->cur);
	b.len = strlen(line);
	for (int i = 0; i < argc; i++) {
		sb_str(&b, " ");
		if (set_secret && i >= 2) {
			sb_str(&b, "****");
			break;
		}
		sb_uri_redacted(&b, argv[i]);
	}
	redact_values(r->env, line, sizeof(line));
	r->host->log(r->host->ctx, line);
}

/* Runs one command (tokens already split, not yet expanded). */
static int run_command(struct run *r, int ntok, char **tok)
{
	const struct command *c = NULL;
	struct parsed p;
	char **argv;
	int rc;

	if (ntok == 0)
		return 0;	/* an empty command succeeds (iPXE's execv) */
	if (++r->steps > IPXE_RUN_MAX_STEPS) {
		fail_msg(r, "more than %d commands run: endless loop?", IPXE_RUN_MAX_STEPS);
		r->stop = STOP_SEQUENCE;
		return -ELOOP;
	}
	argv = calloc((size_t)ntok + 1, sizeof(*argv));
	if (!argv)
		return -ENOMEM;
	for (int i = 0; i < ntok; i++) {
		argv[i] = expand_dup(r->env, tok[i]);
		if (!argv[i]) {
			rc = -ENOMEM;
			fail_msg(r, "out of memory");
			goto out;
		}
	}
	log_command(r, ntok, argv);
	for (size_t i = 0; i < NELEM(commands); i++) {
		if (strcmp(commands[i].name, argv[0]) == 0) {
			c = &commands[i];
			break;
		}
	}
	if (!c) {
		fail_msg(r, "%s: command not found", argv[0]);
		rc = -ENOEXEC;
		goto out;
	}
	rc = parse_opts(r, c, ntok, argv, &p);
	if (rc == 0)
		rc = c->exec(r, ntok, argv, &p);
out:
	for (int i = 0; i < ntok; i++)
		free(argv[i]);
	free(argv);
	return rc;
}

/* Runs one line's commands with ||, && and ; as iPXE's system(); returns the line's status. */
static int run_line(struct run *r, char *cmd)
{
	size_t cap = strlen(cmd) / 2 + 2;
	char **tok = calloc(cap, sizeof(*tok));
	int ntok = 0;
	int rc = 0;
	bool process = true;
	int i = 0;

	if (!tok)
		return -ENOMEM;
	for (char *c = cmd; *c;) {
		while (is_space((unsigned char)*c))
			*c++ = '\0';
		if (!*c)
			break;
		tok[ntok++] = c;
		while (*c && !is_space((unsigned char)*c))
			c++;
	}
	for (;;) {
		int start = i;
		int next = 0;	/* 0 end, 1 on failure, 2 on success, 3 always */

		for (; i < ntok; i++) {
			if (tok[i][0] == '#')
				break;	/* a comment ends the line: next stays 0 */
			if (strcmp(tok[i], "||") == 0)
				next = 1;
			else if (strcmp(tok[i], "&&") == 0)
				next = 2;
			else if (strcmp(tok[i], ";") == 0)
				next = 3;
			if (next)
				break;
		}
		if (process)
			rc = run_command(r, i - start, tok + start);
		if (r->stop != STOP_NONE || !next)
			break;
		i++;
		process = next == 3 || (next == 1 && rc != 0) || (next == 2 && rc == 0);
	}
	free(tok);
	return rc;
}

static bool has_magic(const char *text, size_t len)
{
	return len >= 7 && (memcmp(text, "#!ipxe", 6) == 0 || memcmp(text, "#!gpxe", 6) == 0) &&
	       is_space((unsigned char)text[6]);
}

int ipxe_run_script(struct ipxe_env *env, const char *text, size_t len, const struct ipxe_host *host,
		    char *err, size_t errcap)
{
	struct run *r;
	char *buf;
	int rc = 0;

	if (err && errcap)
		err[0] = '\0';
	if (!env || !host || (!text && len)) {
		if (err && errcap)
			snprintf(err, errcap, "invalid arguments");
		return -EINVAL;
	}
	if (!has_magic(text, len)) {
		if (err && errcap)
			snprintf(err, errcap, "not an iPXE script (no #!ipxe line)");
		return -ENOEXEC;
	}
	r = calloc(1, sizeof(*r));
	buf = malloc(IPXE_RUN_LINE_MAX);
	if (!r || !buf) {
		free(r);
		free(buf);
		return -ENOMEM;
	}
	r->env = env;
	r->host = host;
	r->text = text;
	r->len = len;
	for (;;) {
		char *label;
		char *cmd;
		unsigned line = r->lineno + 1;

		if (!read_line(text, len, &r->next, &r->lineno, buf, IPXE_RUN_LINE_MAX))
			break;
		r->cur = line;
		cmd = split_label(buf, &label);
		r->msg[0] = '\0';
		rc = run_line(r, cmd);
		if (r->stop == STOP_COMMAND)
			r->stop = STOP_NONE;	/* goto: continue at the label */
		if (r->stop == STOP_SEQUENCE) {
			if (rc < 0 && err && errcap)
				snprintf(err, errcap, "line %u: %s", line, r->msg);
			else if (r->halt && err && errcap)
				snprintf(err, errcap, "%s", r->halt);
			break;
		}
		if (rc != 0) {
			if (err && errcap)
				snprintf(err, errcap, "line %u: %s", line, r->msg[0] ? r->msg : strerror(-rc));
			break;
		}
	}
	for (size_t i = 0; i < MENUS_MAX; i++)
		menu_free(r->menus[i]);
	free(buf);
	free(r);
	return rc;
}
