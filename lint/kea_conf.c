/* kea_conf.c: lint backend for Kea DHCPv4 JSON: what each client profile gets in each scope. */
/*
 * The JSON parser is our own: every finding needs file:line:col of a key or a value, which
 * jansson and json-c do not keep. It reads Kea's extended JSON as kea-dhcp4's lexer does
 * (src/bin/dhcp4/dhcp4_lexer.ll): comments "#", "//" and C-style, <?include "file"?>,
 * lowercase true/false/null only, \u escapes limited to \u0000-\u00ff (one byte each).
 * Untrusted input: bounded depth, string size, node count and include depth; no recursion
 * deeper than those bounds.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/cursor.h"
#include "lint/lint.h"

#define KJ_DEPTH_MAX 128		/* JSON nesting */
#define KJ_STR_MAX (64u << 10)		/* one JSON string */
#define KJ_NODES_MAX 1000000u		/* JSON values over all files */
#define KJ_INC_DEPTH 16			/* nested includes */
#define KJ_TOTAL_MAX (64u << 20)	/* bytes read over all files (a file may be included often) */
#define KX_DEPTH_MAX 64			/* nesting inside one class expression */
#define KO_VAL_MAX 1024			/* option value bytes kept */
#define KV_MAX (64u << 10)		/* one expression value while evaluating */
#define KO_ENCAP_WORK 50000000u		/* steps spent building encapsulated options */
#define AR_BLOCK (1u << 20)

/* ---------------------------------------------------------------------------------------- */
/* Arena: the JSON tree and the model live until the server is freed. */

struct ablk {
	struct ablk *next;
	size_t used, cap;	/* in max_align_t units */
	max_align_t mem[];
};

struct arena {
	struct ablk *head;
	bool oom;
};

static void *ar_alloc(struct arena *a, size_t n)
{
	size_t need = n / sizeof(max_align_t) + 1;
	struct ablk *b = a->head;

	if (b == NULL || b->cap - b->used < need) {
		size_t cap = need > AR_BLOCK / sizeof(max_align_t) ? need : AR_BLOCK / sizeof(max_align_t);

		b = malloc(sizeof(*b) + cap * sizeof(max_align_t));
		if (b == NULL) {
			a->oom = true;
			return NULL;
		}
		b->next = a->head;
		b->used = 0;
		b->cap = cap;
		a->head = b;
	}
	void *p = &b->mem[b->used];

	b->used += need;
	memset(p, 0, n);
	return p;
}

static char *ar_str(struct arena *a, const char *s, size_t n)
{
	char *d = ar_alloc(a, n + 1);

	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static void ar_free(struct arena *a)
{
	while (a->head != NULL) {
		struct ablk *n = a->head->next;

		free(a->head);
		a->head = n;
	}
}

/* ---------------------------------------------------------------------------------------- */
/* The model (filled from Dhcp4) and the server state. */

enum { OT_BINARY, OT_BOOL, OT_EMPTY, OT_FQDN, OT_IPV4, OT_IPV6, OT_IPV6PFX, OT_PSID, OT_RECORD,
       OT_STRING, OT_TUPLE, OT_U8, OT_U16, OT_U32, OT_I8, OT_I16, OT_I32, OT__N };

static const char *const ot_names[OT__N] = {
	"binary", "boolean", "empty", "fqdn", "ipv4-address", "ipv6-address", "ipv6-prefix", "psid",
	"record", "string", "tuple", "uint8", "uint16", "uint32", "int8", "int16", "int32",
};

struct odef {
	const char *name, *space, *encap;
	unsigned code;
	uint8_t type;
	bool array;
	uint8_t nrec;
	uint8_t rec[8];
	struct lint_loc loc;
};

struct oval {			/* one option-data entry */
	const char *space;
	unsigned code;
	bool always, never, built;
	const struct odef *def;
	uint8_t *val;
	size_t len;
	const char **cls;	/* option-data "client-classes" (Kea 2.7+): applies to members only */
	size_t ncls;
	struct lint_loc loc;
};

struct olist {
	struct oval *v;
	size_t n;
};

struct fld {			/* next-server / boot-file-name */
	bool set;
	const char *s;
	uint32_t ip;
	struct lint_loc loc;
};

struct names {
	const char **v;
	size_t n;
};

struct kx;

struct kclass {
	const char *name;
	struct lint_loc loc;
	const struct kx *test, *tmpl;
	bool additional;	/* only-if-required / only-in-additional-list */
	bool known_dep;		/* depends on KNOWN/UNKNOWN: evaluated after the host lookup */
	bool warned;
	struct fld ns, bf;
	struct olist opts;
	struct odef *defs;
	size_t ndefs;
};

struct kpool {
	uint32_t lo, hi;
	struct lint_loc loc;
	struct names cls, req;
	struct olist opts;
};

struct knet {
	const char *name;
	struct lint_loc loc;
	struct fld ns, bf;
	struct olist opts;
	struct names cls, req;
	int rglobal, rsubnet;	/* -1 unset */
};

struct ksub {
	const char *text;
	uint32_t net, mask;
	struct lint_loc loc;
	int net_idx;		/* shared network, -1 none */
	struct kpool *pools;
	size_t npools;
	struct fld ns, bf;
	struct olist opts;
	struct names cls, req;
	int rglobal, rsubnet;
};

struct khost {
	char ident[96];
	struct lint_loc loc;
	int sub;		/* -1: global reservation */
	bool has_ip;
	uint32_t ip;
	struct fld ns, bf;
	struct olist opts;
	struct names cls;
};

enum { SC_NONE, SC_SUBNET, SC_HOST };

struct kscope {
	int kind;
	size_t idx;
	const char *name;
	struct lint_loc loc;
};

struct kea {
	struct lint_ctx *c;
	struct arena ar;
	struct lint_loc top;
	struct fld ns, bf;
	struct olist opts;
	struct odef *defs;
	size_t ndefs;
	struct kclass *cls;
	size_t ncls;
	struct ksub *subs;
	size_t nsubs;
	struct knet *nets;
	size_t nnets;
	struct khost *hosts;
	size_t nhosts;
	int rglobal, rsubnet;
	struct kscope *scopes;
	size_t nscopes;
	size_t encap_work;
};

static void kadd(struct lint_ctx *c, const char *rule, enum nbc_sev sev, struct lint_loc loc,
		 const char *hint, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void kadd(struct lint_ctx *c, const char *rule, enum nbc_sev sev, struct lint_loc loc,
		 const char *hint, const char *fmt, ...)
{
	char m[NBC_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	lint_add(c, rule, sev, loc, hint, "%s", m);
}

/* A configuration the server refuses. */
#define kerr(k, loc, ...) kadd((k)->c, LINT_R_SYNTAX, NBC_SEV_ERROR, (loc), NULL, __VA_ARGS__)

/* ---------------------------------------------------------------------------------------- */
/* JSON tree and lexer. */

enum { KJ_NULL, KJ_BOOL, KJ_INT, KJ_FLOAT, KJ_STR, KJ_ARR, KJ_OBJ };

struct kj {
	uint8_t type;
	bool b;
	bool raw;		/* string without escapes: byte i sits at column loc.col + 1 + i */
	int64_t i;
	const char *s;		/* KJ_STR: the bytes plus a NUL (may hold NUL bytes) */
	size_t n;		/* KJ_STR length; members of KJ_ARR / KJ_OBJ */
	const char *key;	/* member of an object */
	size_t klen;
	struct lint_loc loc, kloc;
	struct kj *child, *last, *next;
};

enum { JT_EOF, JT_LBRACE, JT_RBRACE, JT_LBRACK, JT_RBRACK, JT_COMMA, JT_COLON, JT_STR, JT_INT,
       JT_FLOAT, JT_TRUE, JT_FALSE, JT_NULL, JT_ERR };

struct jsrc {
	char *text;
	size_t len, pos;
	unsigned line, col;
	const char *file;	/* interned */
	char *real;		/* realpath, for include cycles */
};

struct jp {
	struct kea *k;
	struct jsrc src[KJ_INC_DEPTH + 1];
	int n;
	size_t total, nodes;
	bool err;
	int t;			/* lookahead */
	struct lint_loc tloc;
	char *sbuf;		/* the decoded string of a JT_STR */
	size_t slen;
	bool sraw;
	int64_t ival;
};

static struct jsrc *jcur(struct jp *J)
{
	return &J->src[J->n - 1];
}

static struct lint_loc jloc(struct jp *J)
{
	struct jsrc *s = jcur(J);

	return (struct lint_loc){ s->file, s->line, s->col };
}

static int jpeek(struct jp *J, size_t off)
{
	struct jsrc *s = jcur(J);

	return s->pos + off < s->len ? (unsigned char)s->text[s->pos + off] : -1;
}

static void jadv(struct jp *J)
{
	struct jsrc *s = jcur(J);

	if (s->pos >= s->len)
		return;
	if (s->text[s->pos++] == '\n') {
		s->line++;
		s->col = 1;
	} else {
		s->col++;
	}
}

static void jerr(struct jp *J, struct lint_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void jerr(struct jp *J, struct lint_loc loc, const char *fmt, ...)
{
	char m[NBC_MSG_MAX];
	va_list ap;

	if (J->err)
		return;
	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	lint_add(J->k->c, LINT_R_SYNTAX, NBC_SEV_ERROR, loc, NULL, "%s", m);
	J->err = true;
}

static void jpush(struct jp *J, char *text, size_t len, const char *file, char *real)
{
	struct jsrc *s = &J->src[J->n++];

	s->text = text;
	s->len = len;
	s->pos = 0;
	s->line = 1;
	s->col = 1;
	s->file = lint_intern(J->k->c, file);
	s->real = real;
	J->total += len;
}

static void jpop(struct jp *J)
{
	struct jsrc *s = &J->src[--J->n];

	free(s->text);
	free(s->real);
	memset(s, 0, sizeof(*s));
}

/* Kea opens an include as given, relative to its working directory (Parser4Context::includeFile
 * fopen()s the name). lint runs elsewhere, so it tries the including file's directory first. */
static void jinclude(struct jp *J, struct lint_loc at, const char *name, size_t nlen)
{
	char cand[2][PATH_MAX], why[128] = "", why2[128] = "";
	const char *cur = jcur(J)->file, *slash = strrchr(cur, '/');
	char *text = NULL;
	size_t len = 0;
	int got = -1;

	if (J->n > KJ_INC_DEPTH) {
		kadd(J->k->c, LINT_R_INCLUDE, NBC_SEV_ERROR, at, NULL,
		     "includes nested deeper than %d levels", KJ_INC_DEPTH);
		J->err = true;
		return;
	}
	cand[0][0] = '\0';
	if (name[0] != '/' && slash != NULL &&
	    (size_t)(slash - cur) + 1 + nlen < sizeof(cand[0]))
		snprintf(cand[0], sizeof(cand[0]), "%.*s/%s", (int)(slash - cur), cur, name);
	snprintf(cand[1], sizeof(cand[1]), "%s", name);
	for (int i = 0; i < 2 && got < 0; i++) {
		if (cand[i][0] == '\0')
			continue;
		if (lint_read_file(cand[i], &text, &len, i ? why2 : why, sizeof(why)) == 0)
			got = i;
	}
	if (got < 0) {
		kadd(J->k->c, LINT_R_INCLUDE, NBC_SEV_ERROR, at, NULL,
		     "cannot read include file \"%.200s\": %s", name, why2[0] ? why2 : why);
		J->err = true;
		return;
	}
	char *real = realpath(cand[got], NULL);

	lint_note_part(J->k->c, cand[got]);
	for (int i = 0; real != NULL && i < J->n; i++) {
		if (J->src[i].real != NULL && strcmp(J->src[i].real, real) == 0) {
			kadd(J->k->c, LINT_R_INCLUDE, NBC_SEV_ERROR, at, NULL,
			     "include cycle: \"%.200s\" is already being read", name);
			free(real);
			free(text);
			J->err = true;
			return;
		}
	}
	if (J->total + len > KJ_TOTAL_MAX) {
		kadd(J->k->c, LINT_R_INCLUDE, NBC_SEV_ERROR, at, NULL,
		     "includes read more than %u MiB in total", KJ_TOTAL_MAX >> 20);
		free(real);
		free(text);
		J->err = true;
		return;
	}
	jpush(J, text, len, cand[got], real);
}

/* <?include "file"?>: blanks and newlines may separate the parts (<*>{blank} in Kea's lexer). */
static void jdirective(struct jp *J)
{
	struct lint_loc at = jloc(J);
	char name[PATH_MAX];
	size_t n = 0;

	jadv(J);
	jadv(J);
	while (jpeek(J, 0) == ' ' || jpeek(J, 0) == '\t' || jpeek(J, 0) == '\r' || jpeek(J, 0) == '\n')
		jadv(J);
	if (jcur(J)->len - jcur(J)->pos < 7 || memcmp(jcur(J)->text + jcur(J)->pos, "include", 7) != 0) {
		jerr(J, jloc(J), "expected \"include\" after \"<?\"");
		return;
	}
	for (int i = 0; i < 7; i++)
		jadv(J);
	while (jpeek(J, 0) == ' ' || jpeek(J, 0) == '\t' || jpeek(J, 0) == '\r' || jpeek(J, 0) == '\n')
		jadv(J);
	if (jpeek(J, 0) != '"') {
		jerr(J, jloc(J), "expected a quoted file name after \"<?include\"");
		return;
	}
	struct lint_loc q = jloc(J);

	jadv(J);
	while (jpeek(J, 0) >= 0 && jpeek(J, 0) != '"' && jpeek(J, 0) != '\n') {
		if (n + 1 >= sizeof(name) || jpeek(J, 0) == 0) {
			jerr(J, jloc(J), "bad include file name");
			return;
		}
		name[n++] = (char)jpeek(J, 0);
		jadv(J);
	}
	if (jpeek(J, 0) != '"' || n == 0) {
		jerr(J, q, "unterminated or empty include file name");
		return;
	}
	jadv(J);
	name[n] = '\0';
	jinclude(J, at, name, n);
}

/* After an included file ends Kea expects "?>" (its DIR_EXIT state: blanks only, no comments). */
static bool jdir_exit(struct jp *J)
{
	while (jpeek(J, 0) == ' ' || jpeek(J, 0) == '\t' || jpeek(J, 0) == '\r' || jpeek(J, 0) == '\n')
		jadv(J);
	if (jpeek(J, 0) == '?' && jpeek(J, 1) == '>') {
		jadv(J);
		jadv(J);
		return true;
	}
	jerr(J, jloc(J), "expected \"?>\" to close the include directive");
	return false;
}

static bool jskip(struct jp *J)
{
	for (;;) {
		int c = jpeek(J, 0);

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			jadv(J);
		} else if (c == '#' || (c == '/' && jpeek(J, 1) == '/')) {
			while (jpeek(J, 0) >= 0 && jpeek(J, 0) != '\n')
				jadv(J);
		} else if (c == '/' && jpeek(J, 1) == '*') {
			struct lint_loc at = jloc(J);

			jadv(J);
			jadv(J);
			while (jpeek(J, 0) >= 0 && !(jpeek(J, 0) == '*' && jpeek(J, 1) == '/'))
				jadv(J);
			if (jpeek(J, 0) < 0) {
				jerr(J, at, "comment not closed (/* at line %u)", at.line);
				return false;
			}
			jadv(J);
			jadv(J);
		} else {
			return true;
		}
	}
}


static int jstring(struct jp *J)
{
	struct lint_loc at = jloc(J);

	J->slen = 0;
	J->sraw = true;
	jadv(J);
	for (;;) {
		int c = jpeek(J, 0);

		if (c < 0) {
			jerr(J, at, "unterminated string");
			return JT_ERR;
		}
		if (c == '"') {
			jadv(J);
			J->sbuf[J->slen] = '\0';
			return JT_STR;
		}
		if (c < 0x20) {
			/* Kea's JSONStandardCharacter is [^\x00-\x1f"\\]. */
			jerr(J, jloc(J), "control character 0x%02x in a string (escape it)", c);
			return JT_ERR;
		}
		if (c == '\\') {
			struct lint_loc e = jloc(J);
			int d = jpeek(J, 1), v = 0;

			J->sraw = false;
			jadv(J);
			switch (d) {
			case '"': case '\\': case '/': v = d; break;
			case 'b': v = '\b'; break;
			case 'f': v = '\f'; break;
			case 'n': v = '\n'; break;
			case 'r': v = '\r'; break;
			case 't': v = '\t'; break;
			case 'u':
				for (size_t i = 2; i < 6; i++) {
					int h = hex_digit(jpeek(J, i - 1));

					if (h < 0) {
						jerr(J, e, "bad \\u escape: expected 4 hex digits");
						return JT_ERR;
					}
					v = v << 4 | h;
				}
				/* dhcp4_lexer.ll: "support only \u0000 to \u00ff", one byte each. */
				if (v > 0xff) {
					jerr(J, e, "unsupported escape \\u%04x: Kea accepts only "
					     "\\u0000 to \\u00ff", (unsigned)v);
					return JT_ERR;
				}
				for (int i = 0; i < 4; i++)
					jadv(J);
				break;
			default:
				jerr(J, e, "bad escape in a string");
				return JT_ERR;
			}
			jadv(J);
			c = v;
		} else {
			jadv(J);
		}
		if (J->slen >= KJ_STR_MAX) {
			jerr(J, at, "string longer than %u KiB", KJ_STR_MAX >> 10);
			return JT_ERR;
		}
		J->sbuf[J->slen++] = (char)c;
	}
}

/* Kea's numbers: {int} is -?[0-9]+, floats [-+]?[0-9]*\.?[0-9]*([eE][-+]?[0-9]+)? */
static int jnumber(struct jp *J)
{
	struct lint_loc at = jloc(J);
	int first = jpeek(J, 0);
	bool flt = false, neg = false;
	size_t digits = 0;
	uint64_t v = 0;
	bool big = false;

	if (jpeek(J, 0) == '-' || jpeek(J, 0) == '+') {
		flt = jpeek(J, 0) == '+';
		neg = jpeek(J, 0) == '-';
		jadv(J);
	}
	while (jpeek(J, 0) >= '0' && jpeek(J, 0) <= '9') {
		unsigned d = (unsigned)(jpeek(J, 0) - '0');

		if (v > (UINT64_C(1) << 63) / 10 || v * 10 + d > (UINT64_C(1) << 63))
			big = true;
		else
			v = v * 10 + d;
		digits++;
		jadv(J);
	}
	if (jpeek(J, 0) == '.') {
		flt = true;
		jadv(J);
		while (jpeek(J, 0) >= '0' && jpeek(J, 0) <= '9') {
			digits++;
			jadv(J);
		}
	}
	if (digits > 0 && (jpeek(J, 0) == 'e' || jpeek(J, 0) == 'E')) {
		size_t k = (jpeek(J, 1) == '-' || jpeek(J, 1) == '+') ? 2 : 1;

		if (jpeek(J, k) >= '0' && jpeek(J, k) <= '9') {
			flt = true;
			for (size_t i = 0; i < k; i++)
				jadv(J);
			while (jpeek(J, 0) >= '0' && jpeek(J, 0) <= '9')
				jadv(J);
		}
	}
	if (digits == 0) {
		jerr(J, at, "invalid character '%c'", first);
		return JT_ERR;
	}
	if (flt)
		return JT_FLOAT;
	if (big || (!neg && v > INT64_MAX)) {
		jerr(J, at, "integer out of range");
		return JT_ERR;
	}
	J->ival = neg ? (int64_t)(0 - v) : (int64_t)v;
	return JT_INT;
}

static int jword(struct jp *J)
{
	static const char *const w[] = { "true", "false", "null" };
	static const int t[] = { JT_TRUE, JT_FALSE, JT_NULL };
	struct lint_loc at = jloc(J);
	struct jsrc *s = jcur(J);
	size_t b = s->pos, n = 0;

	while (b + n < s->len && ((s->text[b + n] | 0x20) >= 'a' && (s->text[b + n] | 0x20) <= 'z'))
		n++;
	for (int i = 0; i < 3; i++) {
		if (n != strlen(w[i]))
			continue;
		if (memcmp(s->text + b, w[i], n) == 0) {
			for (size_t k = 0; k < n; k++)
				jadv(J);
			return t[i];
		}
		bool ci = true;

		for (size_t k = 0; k < n; k++)
			ci = ci && (s->text[b + k] | 0x20) == w[i][k];
		if (ci) {
			jerr(J, at, "JSON %s reserved keyword is lower case only", w[i]);
			return JT_ERR;
		}
	}
	jerr(J, at, "invalid character '%c'", s->text[b]);
	return JT_ERR;
}

static void jnext(struct jp *J)
{
	for (;;) {
		if (J->err || !jskip(J)) {
			J->t = JT_ERR;
			return;
		}
		struct jsrc *s = jcur(J);

		if (s->pos >= s->len) {
			if (J->n == 1) {
				J->tloc = jloc(J);
				J->t = JT_EOF;
				return;
			}
			jpop(J);
			if (!jdir_exit(J)) {
				J->t = JT_ERR;
				return;
			}
			continue;
		}
		int c = jpeek(J, 0);

		J->tloc = jloc(J);
		switch (c) {
		case '{': jadv(J); J->t = JT_LBRACE; return;
		case '}': jadv(J); J->t = JT_RBRACE; return;
		case '[': jadv(J); J->t = JT_LBRACK; return;
		case ']': jadv(J); J->t = JT_RBRACK; return;
		case ',': jadv(J); J->t = JT_COMMA; return;
		case ':': jadv(J); J->t = JT_COLON; return;
		case '"': J->t = jstring(J); return;
		case '<':
			if (jpeek(J, 1) == '?') {
				jdirective(J);
				continue;
			}
			break;
		default:
			if (c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9')) {
				J->t = jnumber(J);
				return;
			}
			if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
				J->t = jword(J);
				return;
			}
		}
		if (c >= 0x21 && c < 0x7f)
			jerr(J, J->tloc, "invalid character '%c'", c);
		else
			jerr(J, J->tloc, "invalid character 0x%02x", (unsigned)c);
		J->t = JT_ERR;
		return;
	}
}

static void jexpect(struct jp *J, const char *what)
{
	static const char *const d[] = { "end of file", "'{'", "'}'", "'['", "']'", "','", "':'",
					 "a string", "a number", "a number", "true", "false", "null" };

	if (J->t == JT_ERR || J->err)
		return;
	if (J->t == JT_STR)
		jerr(J, J->tloc, "expected %s, got string \"%.40s\"", what, J->sbuf);
	else
		jerr(J, J->tloc, "expected %s, got %s", what, d[J->t]);
}

static struct kj *jnode(struct jp *J, uint8_t type)
{
	struct kj *v;

	if (++J->nodes > KJ_NODES_MAX) {
		jerr(J, J->tloc, "more than %u JSON values", KJ_NODES_MAX);
		return NULL;
	}
	v = ar_alloc(&J->k->ar, sizeof(*v));
	if (v == NULL) {
		jerr(J, J->tloc, "out of memory");
		return NULL;
	}
	v->type = type;
	v->loc = J->tloc;
	return v;
}

static struct kj *jvalue(struct jp *J, unsigned depth)
{
	struct kj *v = NULL;

	switch (J->t) {
	case JT_LBRACE:
	case JT_LBRACK: {
		bool obj = J->t == JT_LBRACE;
		int close = obj ? JT_RBRACE : JT_RBRACK;

		if (depth >= KJ_DEPTH_MAX) {
			jerr(J, J->tloc, "JSON nested deeper than %u levels", KJ_DEPTH_MAX);
			return NULL;
		}
		v = jnode(J, obj ? KJ_OBJ : KJ_ARR);
		if (v == NULL)
			return NULL;
		jnext(J);
		if (J->t == close) {
			jnext(J);
			return v;
		}
		for (;;) {
			const char *key = NULL;
			size_t klen = 0;
			struct lint_loc kloc = J->tloc;

			if (obj) {
				if (J->t != JT_STR) {
					jexpect(J, "a string key or '}'");
					return NULL;
				}
				klen = J->slen;
				key = ar_str(&J->k->ar, J->sbuf, klen);
				jnext(J);
				if (J->t != JT_COLON) {
					jexpect(J, "':' after the key");
					return NULL;
				}
				jnext(J);
			}
			struct kj *e = jvalue(J, depth + 1);

			if (e == NULL)
				return NULL;
			if (obj && key == NULL) {
				jerr(J, kloc, "out of memory");
				return NULL;
			}
			e->key = key;
			e->klen = klen;
			e->kloc = kloc;
			if (v->last != NULL)
				v->last->next = e;
			else
				v->child = e;
			v->last = e;
			v->n++;
			if (J->t == JT_COMMA) {
				struct lint_loc cl = J->tloc;

				jnext(J);
				/* Kea 2.x warns (warnAboutExtraCommas); older Kea refuses. */
				while (J->t == JT_COMMA || J->t == close) {
					kadd(J->k->c, LINT_R_SYNTAX, NBC_SEV_WARNING, cl, NULL,
					     "extraneous comma (Kea before 2.x refuses it, newer Kea warns)");
					if (J->t == close) {
						jnext(J);
						return v;
					}
					cl = J->tloc;
					jnext(J);
				}
				continue;
			}
			if (J->t == close) {
				jnext(J);
				return v;
			}
			jexpect(J, obj ? "',' or '}' after a value in an object" :
					 "',' or ']' after an array element");
			return NULL;
		}
	}
	case JT_STR:
		v = jnode(J, KJ_STR);
		if (v == NULL)
			return NULL;
		v->s = ar_str(&J->k->ar, J->sbuf, J->slen);
		v->n = J->slen;
		v->raw = J->sraw;
		if (v->s == NULL) {
			jerr(J, J->tloc, "out of memory");
			return NULL;
		}
		break;
	case JT_INT:
	case JT_FLOAT:
		v = jnode(J, J->t == JT_INT ? KJ_INT : KJ_FLOAT);
		if (v != NULL)
			v->i = J->ival;
		break;
	case JT_TRUE:
	case JT_FALSE:
		v = jnode(J, KJ_BOOL);
		if (v != NULL)
			v->b = J->t == JT_TRUE;
		break;
	case JT_NULL:
		v = jnode(J, KJ_NULL);
		break;
	default:
		jexpect(J, "a value");
		return NULL;
	}
	if (v != NULL)
		jnext(J);
	return v;
}

/* Parses path (and what it includes); NULL after a syntax or include finding. */
static struct kj *jparse(struct kea *k, char *text, size_t len, const char *path)
{
	struct jp J;
	struct kj *root = NULL;

	memset(&J, 0, sizeof(J));
	J.k = k;
	J.sbuf = malloc(KJ_STR_MAX + 1);
	jpush(&J, text, len, path, realpath(path, NULL));
	if (J.sbuf == NULL) {
		jerr(&J, jloc(&J), "out of memory");
		goto out;
	}
	jnext(&J);
	k->top = J.tloc;
	if (J.t != JT_LBRACE) {
		jexpect(&J, "'{' to start the configuration");
		goto out;
	}
	root = jvalue(&J, 0);
	if (root != NULL && J.t != JT_EOF) {
		jexpect(&J, "end of file after the configuration object");
		root = NULL;
	}
out:
	while (J.n > 0)
		jpop(&J);
	free(J.sbuf);
	return J.err ? NULL : root;
}

/* ---------------------------------------------------------------------------------------- */
/* Standard DHCPv4 option definitions (Kea ARM, "List of standard DHCPv4 options", and the
 * server-managed ones). 208-211 (PXELINUX) and 175 (iPXE) have none: they need option-def. */

#define SD(n, c, t, a) { n, "dhcp4", NULL, c, t, a, 0, { 0 }, { NULL, 0, 0 } }
#define SR(n, c, a, k, r0, r1, r2, r3) \
	{ n, "dhcp4", NULL, c, OT_RECORD, a, k, { r0, r1, r2, r3 }, { NULL, 0, 0 } }

static const struct odef std4[] = {
	SD("subnet-mask", 1, OT_IPV4, false), SD("time-offset", 2, OT_I32, false),
	SD("routers", 3, OT_IPV4, true), SD("time-servers", 4, OT_IPV4, true),
	SD("name-servers", 5, OT_IPV4, true), SD("domain-name-servers", 6, OT_IPV4, true),
	SD("log-servers", 7, OT_IPV4, true), SD("cookie-servers", 8, OT_IPV4, true),
	SD("lpr-servers", 9, OT_IPV4, true), SD("impress-servers", 10, OT_IPV4, true),
	SD("resource-location-servers", 11, OT_IPV4, true), SD("host-name", 12, OT_STRING, false),
	SD("boot-size", 13, OT_U16, false), SD("merit-dump", 14, OT_STRING, false),
	SD("domain-name", 15, OT_FQDN, false), SD("swap-server", 16, OT_IPV4, false),
	SD("root-path", 17, OT_STRING, false), SD("extensions-path", 18, OT_STRING, false),
	SD("ip-forwarding", 19, OT_BOOL, false), SD("non-local-source-routing", 20, OT_BOOL, false),
	SD("policy-filter", 21, OT_IPV4, true), SD("max-dgram-reassembly", 22, OT_U16, false),
	SD("default-ip-ttl", 23, OT_U8, false), SD("path-mtu-aging-timeout", 24, OT_U32, false),
	SD("path-mtu-plateau-table", 25, OT_U16, true), SD("interface-mtu", 26, OT_U16, false),
	SD("all-subnets-local", 27, OT_BOOL, false), SD("broadcast-address", 28, OT_IPV4, false),
	SD("perform-mask-discovery", 29, OT_BOOL, false), SD("mask-supplier", 30, OT_BOOL, false),
	SD("router-discovery", 31, OT_BOOL, false),
	SD("router-solicitation-address", 32, OT_IPV4, false),
	SD("static-routes", 33, OT_IPV4, true), SD("trailer-encapsulation", 34, OT_BOOL, false),
	SD("arp-cache-timeout", 35, OT_U32, false), SD("ieee802-3-encapsulation", 36, OT_BOOL, false),
	SD("default-tcp-ttl", 37, OT_U8, false), SD("tcp-keepalive-interval", 38, OT_U32, false),
	SD("tcp-keepalive-garbage", 39, OT_BOOL, false), SD("nis-domain", 40, OT_STRING, false),
	SD("nis-servers", 41, OT_IPV4, true), SD("ntp-servers", 42, OT_IPV4, true),
	{ "vendor-encapsulated-options", "dhcp4", "vendor-encapsulated-options-space", 43, OT_EMPTY,
	  false, 0, { 0 }, { NULL, 0, 0 } },
	SD("netbios-name-servers", 44, OT_IPV4, true), SD("netbios-dd-server", 45, OT_IPV4, true),
	SD("netbios-node-type", 46, OT_U8, false), SD("netbios-scope", 47, OT_STRING, false),
	SD("font-servers", 48, OT_IPV4, true), SD("x-display-manager", 49, OT_IPV4, true),
	SD("dhcp-requested-address", 50, OT_IPV4, false), SD("dhcp-lease-time", 51, OT_U32, false),
	SD("dhcp-option-overload", 52, OT_U8, false), SD("dhcp-message-type", 53, OT_U8, false),
	SD("dhcp-server-identifier", 54, OT_IPV4, false),
	SD("dhcp-parameter-request-list", 55, OT_U8, true), SD("dhcp-message", 56, OT_STRING, false),
	SD("dhcp-max-message-size", 57, OT_U16, false), SD("dhcp-renewal-time", 58, OT_U32, false),
	SD("dhcp-rebinding-time", 59, OT_U32, false),
	SD("vendor-class-identifier", 60, OT_STRING, false),
	SD("dhcp-client-identifier", 61, OT_BINARY, false), SD("nwip-domain-name", 62, OT_STRING, false),
	SD("nwip-suboptions", 63, OT_BINARY, false), SD("nisplus-domain-name", 64, OT_STRING, false),
	SD("nisplus-servers", 65, OT_IPV4, true), SD("tftp-server-name", 66, OT_STRING, false),
	SD("boot-file-name", 67, OT_STRING, false), SD("mobile-ip-home-agent", 68, OT_IPV4, true),
	SD("smtp-server", 69, OT_IPV4, true), SD("pop-server", 70, OT_IPV4, true),
	SD("nntp-server", 71, OT_IPV4, true), SD("www-server", 72, OT_IPV4, true),
	SD("finger-server", 73, OT_IPV4, true), SD("irc-server", 74, OT_IPV4, true),
	SD("streettalk-server", 75, OT_IPV4, true),
	SD("streettalk-directory-assistance-server", 76, OT_IPV4, true),
	SD("user-class", 77, OT_BINARY, false),
	SR("slp-directory-agent", 78, true, 2, OT_BOOL, OT_IPV4, 0, 0),
	SR("slp-service-scope", 79, false, 2, OT_BOOL, OT_STRING, 0, 0),
	SR("fqdn", 81, false, 4, OT_U8, OT_U8, OT_U8, OT_FQDN),
	SD("dhcp-agent-options", 82, OT_EMPTY, false), SD("nds-server", 85, OT_IPV4, true),
	SD("nds-tree-name", 86, OT_STRING, false), SD("nds-context", 87, OT_STRING, false),
	SD("bcms-controller-names", 88, OT_FQDN, true),
	SD("bcms-controller-address", 89, OT_IPV4, true), SD("authenticate", 90, OT_BINARY, false),
	SD("client-last-transaction-time", 91, OT_U32, false), SD("associated-ip", 92, OT_IPV4, true),
	SD("client-system", 93, OT_U16, true),
	SR("client-ndi", 94, false, 3, OT_U8, OT_U8, OT_U8, 0),
	SR("uuid-guid", 97, false, 2, OT_U8, OT_BINARY, 0, 0), SD("uap-servers", 98, OT_STRING, false),
	SD("geoconf-civic", 99, OT_BINARY, false), SD("pcode", 100, OT_STRING, false),
	SD("tcode", 101, OT_STRING, false), SD("v6-only-preferred", 108, OT_U32, false),
	SD("netinfo-server-address", 112, OT_IPV4, true), SD("netinfo-server-tag", 113, OT_STRING, false),
	SD("v4-captive-portal", 114, OT_STRING, false), SD("auto-config", 116, OT_U8, false),
	SD("name-service-search", 117, OT_U16, true), SD("subnet-selection", 118, OT_IPV4, false),
	SD("domain-search", 119, OT_FQDN, true),
	SR("vivco-suboptions", 124, false, 2, OT_U32, OT_BINARY, 0, 0),
	SD("vivso-suboptions", 125, OT_U32, false), SD("pana-agent", 136, OT_IPV4, true),
	SD("v4-lost", 137, OT_FQDN, false), SD("capwap-ac-v4", 138, OT_IPV4, true),
	SD("sip-ua-cs-domains", 141, OT_FQDN, true), SD("v4-sztp-redirect", 143, OT_TUPLE, true),
	SR("rdnss-selection", 146, true, 4, OT_U8, OT_IPV4, OT_IPV4, OT_FQDN),
	SR("v4-portparams", 159, false, 2, OT_U8, OT_PSID, 0, 0),
	SR("option-6rd", 212, true, 4, OT_U8, OT_U8, OT_IPV6, OT_IPV4),
	SD("v4-access-domain", 213, OT_FQDN, false),
};

static const struct odef *std_by(const char *name, long code)
{
	for (size_t i = 0; i < sizeof(std4) / sizeof(std4[0]); i++)
		if (name ? strcmp(std4[i].name, name) == 0 : std4[i].code == (unsigned)code)
			return &std4[i];
	return NULL;
}

/* Kea's lookup order (OptionDataParser::findOptionDefinition): the scope's own definitions
 * (a client class may define 43 and private options), the configured ones, the standard
 * ones; 43 keeps its last-resort definition only when nothing else defines it. */
static const struct odef *find_def(const struct kea *k, const char *space, const char *name,
				   long code, const struct odef *local, size_t nlocal)
{
	const struct odef *lists[2] = { local, k->defs };
	size_t ns[2] = { nlocal, k->ndefs };

	for (int l = 0; l < 2; l++)
		for (size_t i = 0; i < ns[l]; i++) {
			const struct odef *d = &lists[l][i];

			if (strcmp(d->space, space) == 0 &&
			    (name ? strcmp(d->name, name) == 0 : d->code == (unsigned)code))
				return d;
		}
	return strcmp(space, "dhcp4") == 0 ? std_by(name, code) : NULL;
}

static bool ip4_parse(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		unsigned x = 0, d = 0;

		if (part > 0) {
			if (i >= n || s[i] != '.')
				return false;
			i++;
		}
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (d > 0 && x == 0)
				return false;	/* inet_pton refuses leading zeros */
			x = x * 10 + (unsigned)(s[i++] - '0');
			if (++d > 3 || x > 255)
				return false;
		}
		if (d == 0)
			return false;
		v = v << 8 | x;
	}
	if (i != n)
		return false;
	*out = v;
	return true;
}

static void trim(const char **s, size_t *n)
{
	while (*n > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

struct obuf {
	uint8_t *p;
	size_t n, cap;
};

static void ob_add(struct obuf *b, const void *d, size_t n)
{
	size_t room = b->cap - b->n;

	if (n == 0)
		return;

	memcpy(b->p + b->n, d, n < room ? n : room);
	b->n += n < room ? n : room;
}

static void ob_byte(struct obuf *b, unsigned v)
{
	uint8_t c = (uint8_t)v;

	ob_add(b, &c, 1);
}

/* Kea's hex forms for csv-format false: "0x" + digits, digits (odd count gets a leading 0),
 * octets of one or two digits separated by ':' or ' ', or 'text' in single quotes. */
static bool hex_decode(const char *s, size_t n, struct obuf *b)
{
	trim(&s, &n);
	if (n >= 2 && s[0] == '\'' && s[n - 1] == '\'') {
		ob_add(b, s + 1, n - 2);
		return true;
	}
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		n -= 2;
		if (n == 0)
			return false;
	} else if (memchr(s, ':', n) != NULL || memchr(s, ' ', n) != NULL) {
		size_t i = 0;

		while (i <= n) {
			size_t d = 0;
			unsigned v = 0;

			while (i < n && hex_digit(s[i]) >= 0 && d < 3) {
				v = v << 4 | (unsigned)hex_digit(s[i++]);
				d++;
			}
			if (d == 0 || d > 2 || (i < n && s[i] != ':' && s[i] != ' '))
				return false;
			ob_byte(b, v);
			i++;
		}
		return true;
	}
	for (size_t i = 0; i < n; i++)
		if (hex_digit(s[i]) < 0)
			return false;
	/* Straight pairs, with a leading 0 nibble when the count is odd. */
	size_t i = 0;

	if (n % 2 == 1)
		ob_byte(b, (unsigned)hex_digit(s[i++]));
	for (; i < n; i += 2)
		ob_byte(b, (unsigned)(hex_digit(s[i]) << 4 | hex_digit(s[i + 1])));
	return true;
}

static bool num_parse(const char *s, size_t n, bool sign, int64_t *out)
{
	bool neg = false;
	uint64_t v = 0;
	bool hex = false;

	trim(&s, &n);
	if (sign && n > 0 && s[0] == '-') {
		neg = true;
		s++;
		n--;
	}
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		hex = true;
		s += 2;
		n -= 2;
	} else {
		for (size_t i = 0; i < n; i++)
			hex = hex || s[i] < '0' || s[i] > '9';
	}
	if (n == 0 || n > 16)
		return false;
	for (size_t i = 0; i < n; i++) {
		int d = hex ? hex_digit(s[i]) : (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1);

		if (d < 0)
			return false;
		v = v * (hex ? 16u : 10u) + (unsigned)d;
	}
	if (v > UINT64_C(0xffffffff) + (neg ? 1u : 0u))
		return false;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

static bool fqdn_encode(const char *s, size_t n, struct obuf *b)
{
	size_t start = 0, total = 1;

	trim(&s, &n);
	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0)
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		size_t l = i - start;

		if (l == 0 || l > 63)
			return false;
		total += l + 1;
		ob_byte(b, (unsigned)l);
		ob_add(b, s + start, l);
		start = i + 1;
	}
	ob_byte(b, 0);
	return total <= 255;
}

/* One CSV field of type t. *unsup is set for types lint does not encode. */
static bool field_encode(uint8_t t, const char *s, size_t n, struct obuf *b, bool *unsup,
			 const char **why)
{
	static const int64_t lo[] = { [OT_U8] = 0, [OT_U16] = 0, [OT_U32] = 0, [OT_I8] = -128,
				      [OT_I16] = -32768, [OT_I32] = -2147483648LL };
	static const int64_t hi[] = { [OT_U8] = 255, [OT_U16] = 65535, [OT_U32] = 4294967295LL,
				      [OT_I8] = 127, [OT_I16] = 32767, [OT_I32] = 2147483647 };
	int64_t v;
	uint32_t ip;

	switch (t) {
	case OT_STRING:
		ob_add(b, s, n);
		return true;
	case OT_TUPLE:
		if (n > 255)
			return *why = "tuple longer than 255 bytes", false;
		ob_byte(b, (unsigned)n);
		ob_add(b, s, n);
		return true;
	case OT_BINARY:
		/* A binary field of a csv-format value goes through Kea's decodeHex, which takes
		 * plain digits only; colons and spaces are for csv-format false (seen with
		 * kea-dhcp4 -t 2.2: "f1:00:74:7e" refused, "F100747E" accepted). */
		if (memchr(s, ':', n) != NULL || memchr(s, ' ', n) != NULL)
			return *why = "a binary value in csv-format takes plain hex digits "
				      "(F100747E), not colons or spaces", false;
		return hex_decode(s, n, b) || (*why = "not a hex string", false);
	case OT_FQDN:
		return fqdn_encode(s, n, b) || (*why = "not a domain name", false);
	case OT_IPV4:
		trim(&s, &n);
		if (!ip4_parse(s, n, &ip))
			return *why = "not an IPv4 address", false;
		ob_byte(b, ip >> 24);
		ob_byte(b, ip >> 16 & 0xff);
		ob_byte(b, ip >> 8 & 0xff);
		ob_byte(b, ip & 0xff);
		return true;
	case OT_BOOL:
		trim(&s, &n);
		if ((n == 4 && memcmp(s, "true", 4) == 0) || (n == 1 && s[0] == '1'))
			ob_byte(b, 1);
		else if ((n == 5 && memcmp(s, "false", 5) == 0) || (n == 1 && s[0] == '0'))
			ob_byte(b, 0);
		else
			return *why = "not a boolean", false;
		return true;
	case OT_U8: case OT_U16: case OT_U32: case OT_I8: case OT_I16: case OT_I32: {
		int w = t == OT_U8 || t == OT_I8 ? 1 : t == OT_U16 || t == OT_I16 ? 2 : 4;

		if (!num_parse(s, n, t >= OT_I8, &v) || v < lo[t] || v > hi[t])
			return *why = "not a number in the type's range", false;
		for (int i = w - 1; i >= 0; i--)
			ob_byte(b, (unsigned)((uint64_t)v >> (8 * i)) & 0xff);
		return true;
	}
	case OT_EMPTY:
		return true;
	default:
		*unsup = true;
		return true;
	}
}

/* Encodes data as def d reads it. csv: Kea splits on ',' ("\," keeps a comma). */
static bool opt_encode(const struct odef *d, const char *data, size_t n, bool csv,
		       struct obuf *b, bool *unsup, const char **why)
{
	if (!csv || d == NULL)
		return hex_decode(data, n, b) || (*why = "not a valid string of hexadecimal digits", false);
	if (d->type == OT_EMPTY)
		return true;
	char *tok = malloc(n + 1);
	size_t ntok = 0, fields = d->type == OT_RECORD ? d->nrec : 1;
	bool ok = true;

	if (tok == NULL)
		return *why = "out of memory", false;
	{
		const char *t = data;
		size_t tn = n;

		trim(&t, &tn);
		if (tn == 0 && d->array && d->type != OT_RECORD) {
			free(tok);
			return true;	/* an empty array */
		}
	}
	for (size_t i = 0, k = 0; ok && i <= n; i++) {
		if (i < n && data[i] == '\\' && i + 1 < n && (data[i + 1] == ',' || data[i + 1] == '\\')) {
			tok[k++] = data[++i];
			continue;
		}
		if (i < n && data[i] != ',') {
			tok[k++] = data[i];
			continue;
		}
		uint8_t t = d->type;

		if (d->type == OT_RECORD)
			t = d->rec[ntok < d->nrec ? ntok : (size_t)d->nrec - 1];
		if (ntok >= fields && !d->array) {
			*why = fields == 1 ? "more than one comma-separated value (escape commas as \\\\,)" :
					     "more values than the record has fields";
			ok = false;
			break;
		}
		ok = field_encode(t, tok, k, b, unsup, why);
		ntok++;
		k = 0;
	}
	free(tok);
	if (ok && ntok < fields) {
		*why = "fewer values than the record has fields";
		ok = false;
	}
	return ok;
}

/* ---------------------------------------------------------------------------------------- */
/* Class expressions, typed as Kea's grammar types them (src/lib/eval/parser.yy): a test is a
 * boolean expression, == compares two strings, and/or/not take booleans. Values are strings:
 * 'text' (no escapes), 0xHEX, integers as 4-byte big-endian, IPv4 as 4 bytes. */

enum { TY_BOOL = 1, TY_STR = 2, TY_ANY = 3 };
enum { KX_LIT, KX_OPT, KX_SUBOPT, KX_ABSENT, KX_MEMBER, KX_EQ, KX_AND, KX_OR, KX_NOT, KX_SUBSTR,
       KX_CONCAT, KX_IFELSE, KX_HEXSTR, KX_MAC, KX_UNSUP };
enum { RP_HEX, RP_TEXT, RP_EXISTS };

struct kx {
	uint8_t op, type, repr;
	bool all;		/* substring length "all" */
	bool enc;		/* KX_SUBOPT: the option has an encapsulating definition */
	unsigned code, sub;
	int64_t start, len;
	const uint8_t *s;	/* literal bytes, class name */
	size_t n;
	const struct kx *a, *b, *c;
};

static const char *const xw[] = {
	"option", "relay4", "relay6", "member", "text", "hex", "exists", "pkt", "iface", "src",
	"dst", "len", "pkt4", "mac", "hlen", "htype", "ciaddr", "giaddr", "yiaddr", "siaddr",
	"pkt6", "msgtype", "transid", "vendor", "vendor-class", "data", "enterprise", "substring",
	"split", "all", "concat", "ifelse", "hexstring", "addrtotext", "int8totext", "int16totext",
	"int32totext", "uint8totext", "uint16totext", "uint32totext", "not", "and", "or", "known",
	"unknown", "lcase", "ucase", "match", "peeraddr", "linkaddr",
};
enum { W_OPTION, W_RELAY4, W_RELAY6, W_MEMBER, W_TEXT, W_HEX, W_EXISTS, W_PKT, W_IFACE, W_SRC,
       W_DST, W_LEN, W_PKT4, W_MAC, W_HLEN, W_HTYPE, W_CIADDR, W_GIADDR, W_YIADDR, W_SIADDR,
       W_PKT6, W_MSGTYPE, W_TRANSID, W_VENDOR, W_VCLASS, W_DATA, W_ENTERPRISE, W_SUBSTRING,
       W_SPLIT, W_ALL, W_CONCAT, W_IFELSE, W_HEXSTRING, W_ADDRTOTEXT, W_I8T, W_I16T, W_I32T,
       W_U8T, W_U16T, W_U32T, W_NOT, W_AND, W_OR, W_KNOWN, W_UNKNOWN, W_LCASE, W_UCASE,
       W_MATCH, W_PEERADDR, W_LINKADDR, W__N };

enum { XT_END, XT_STR, XT_HEX, XT_INT, XT_IP4, XT_IP6, XT_NAME, XT_KW, XT_WORD, XT_LP, XT_RP,
       XT_LB, XT_RB, XT_COMMA, XT_DOT, XT_STAR, XT_PLUS, XT_EQ, XT_BAD };

struct xp {
	struct kea *k;
	const char *s;
	size_t n, pos;
	struct lint_loc loc;
	bool raw;
	const char *what;	/* "client class \"x\" test" */
	size_t ndef;		/* classes defined before this one */
	bool err, unsup, known;
	unsigned depth;
	int t, kw;
	size_t toff, tlen;
};

static struct lint_loc x_loc(const struct xp *X, size_t off)
{
	struct lint_loc l = X->loc;

	if (X->raw)
		l.col += 1 + (unsigned)off;
	return l;
}

static void x_err(struct xp *X, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void x_err(struct xp *X, size_t off, const char *fmt, ...)
{
	char m[256];
	va_list ap;

	if (X->err)
		return;
	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	kadd(X->k->c, LINT_R_SYNTAX, NBC_SEV_ERROR, x_loc(X, off), NULL, "%s: %s", X->what, m);
	X->err = true;
}

/* A construct Kea accepts that lint does not evaluate: one warning per expression. */
static void x_unsup(struct xp *X, size_t off, const char *what)
{
	if (X->unsup || X->err)
		return;
	kadd(X->k->c, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, x_loc(X, off), NULL,
	     "%s uses %s, which lint does not evaluate: the class counts as not matching", X->what, what);
	X->unsup = true;
}

static bool x_idch(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

static bool x_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void x_next(struct xp *X)
{
	const char *s = X->s;
	size_t n = X->n, i = X->pos, j;

	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n'))
		i++;
	X->toff = i;
	X->tlen = 1;
	X->kw = -1;
	X->pos = i + 1;
	if (i >= n) {
		X->t = XT_END;
		X->pos = i;
		return;
	}
	char c = s[i];

	if (c == '\'') {
		for (j = i + 1; j < n && s[j] != '\'' && s[j] != '\n'; j++)
			;
		X->t = j < n && s[j] == '\'' ? XT_STR : XT_BAD;
		X->toff = i + 1;
		X->tlen = j - i - 1;
		X->pos = j + 1;
		return;
	}
	if (c == '0' && i + 2 < n && (s[i + 1] == 'x' || s[i + 1] == 'X') && hex_digit(s[i + 2]) >= 0) {
		for (j = i + 2; j < n && hex_digit(s[j]) >= 0; j++)
			;
		X->t = XT_HEX;
		X->toff = i + 2;
		X->tlen = j - i - 2;
		X->pos = j;
		return;
	}
	/* Kea's addr6: [0-9a-fA-F]*\:[0-9a-fA-F]*\:[0-9a-fA-F:.]* */
	for (j = i; j < n && hex_digit(s[j]) >= 0; j++)
		;
	if (j < n && s[j] == ':') {
		for (j++; j < n && hex_digit(s[j]) >= 0; j++)
			;
		if (j < n && s[j] == ':') {
			for (; j < n && (hex_digit(s[j]) >= 0 || s[j] == ':' || s[j] == '.'); j++)
				;
			X->t = XT_IP6;
			X->tlen = j - i;
			X->pos = j;
			return;
		}
	}
	if (x_digit(c) || (c == '-' && i + 1 < n && x_digit(s[i + 1]))) {
		for (j = i + 1; j < n && x_digit(s[j]); j++)
			;
		X->t = XT_INT;
		if (c != '-') {
			size_t e = i;
			int dots = 0;

			while (e < n && (x_digit(s[e]) || (s[e] == '.' && dots < 3 && e + 1 < n &&
							  x_digit(s[e + 1])))) {
				dots += s[e] == '.';
				e++;
			}
			if (dots == 3) {
				X->t = XT_IP4;
				j = e;
			}
		}
		X->tlen = j - i;
		X->pos = j;
		return;
	}
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
		size_t e;

		for (j = i; j < n && x_idch(s[j]); j++)
			;
		for (e = j; e < n && (s[e] == ' ' || s[e] == '\t' || s[e] == '\n'); e++)
			;
		X->tlen = j - i;
		X->pos = j;
		/* Kea: an option name is a word followed by blanks and ']'. */
		if (e < n && s[e] == ']' && s[j - 1] != '-' && s[j - 1] != '_') {
			X->t = XT_NAME;
			return;
		}
		X->t = XT_WORD;
		for (int w = 0; w < W__N; w++)
			if (strlen(xw[w]) == j - i && memcmp(xw[w], s + i, j - i) == 0) {
				X->t = XT_KW;
				X->kw = w;
			}
		return;
	}
	switch (c) {
	case '(': X->t = XT_LP; return;
	case ')': X->t = XT_RP; return;
	case '[': X->t = XT_LB; return;
	case ']': X->t = XT_RB; return;
	case ',': X->t = XT_COMMA; return;
	case '.': X->t = XT_DOT; return;
	case '*': X->t = XT_STAR; return;
	case '+': X->t = XT_PLUS; return;
	case '=':
		if (i + 1 < n && s[i + 1] == '=') {
			X->t = XT_EQ;
			X->tlen = 2;
			X->pos = i + 2;
			return;
		}
		break;
	default:
		break;
	}
	X->t = XT_BAD;
}

static struct kx *x_node(struct xp *X, uint8_t op, uint8_t type)
{
	struct kx *e = ar_alloc(&X->k->ar, sizeof(*e));

	if (e == NULL) {
		x_err(X, X->toff, "out of memory");
		return NULL;
	}
	e->op = op;
	e->type = type;
	return e;
}

static const char *x_tokname(const struct xp *X)
{
	static const char *const d[] = { "end of expression", "a string", "a hex string",
					 "an integer", "an IPv4 address", "an IPv6 address",
					 "an option name", "a keyword", "a word", "'('", "')'", "'['",
					 "']'", "','", "'.'", "'*'", "'+'", "'=='", "a bad character" };

	return d[X->t];
}

static bool x_tok(struct xp *X, int t, const char *what)
{
	if (X->err)
		return false;
	if (X->t != t) {
		if (X->t == XT_BAD && X->toff < X->n && X->s[X->toff] == '\'')
			x_err(X, X->toff, "unterminated string");
		else if (X->t == XT_BAD)
			x_err(X, X->toff, "invalid character '%c'", X->s[X->toff]);
		else
			x_err(X, X->toff, "expected %s, got %s", what, x_tokname(X));
		return false;
	}
	x_next(X);
	return true;
}

static bool x_want(struct xp *X, const struct kx *e, uint8_t ty, size_t at)
{
	if (e == NULL)
		return false;
	if (!(e->type & ty)) {
		x_err(X, at, "expected a %s expression here", ty == TY_BOOL ? "boolean" : "string");
		return false;
	}
	return true;
}

static bool x_int(struct xp *X, int64_t *v)
{
	const char *s = X->s + X->toff;
	size_t n = X->tlen;
	bool neg = n > 0 && s[0] == '-';
	uint64_t u = 0;

	if (X->t != XT_INT) {
		x_err(X, X->toff, "expected an integer, got %s", x_tokname(X));
		return false;
	}
	for (size_t i = neg; i < n; i++) {
		if (u > UINT64_C(0xffffffffff))
			break;
		u = u * 10 + (unsigned)(s[i] - '0');
	}
	if (u > UINT64_C(0xffffffff)) {
		x_err(X, X->toff, "integer %.*s out of range", (int)(n < 24 ? n : 24), s);
		return false;
	}
	*v = neg ? -(int64_t)u : (int64_t)u;
	x_next(X);
	return true;
}

static const struct kx *x_or(struct xp *X);

static const struct kx *x_arg(struct xp *X, uint8_t ty, bool last)
{
	size_t at = X->toff;
	const struct kx *e = x_or(X);

	if (!x_want(X, e, ty, at) || !x_tok(X, last ? XT_RP : XT_COMMA, last ? "')'" : "','"))
		return NULL;
	return e;
}

static const struct kx *x_lit(struct xp *X, const void *d, size_t n)
{
	struct kx *e = x_node(X, KX_LIT, TY_STR);
	uint8_t *p = ar_alloc(&X->k->ar, n + 1);

	if (e == NULL || p == NULL)
		return NULL;
	memcpy(p, d, n);
	e->s = p;
	e->n = n;
	return e;
}

static bool x_defined(const struct xp *X, const char *s, size_t n, bool *known)
{
	static const char *const fixed[] = { "ALL", "KNOWN", "UNKNOWN", "BOOTP" };
	static const char *const prefix[] = { "VENDOR_CLASS_", "HA_", "AFTER_", "EXTERNAL_",
					      "SKIP_DDNS", "SPAWN_" };

	for (size_t i = 0; i < 4; i++)
		if (strlen(fixed[i]) == n && memcmp(fixed[i], s, n) == 0) {
			*known = i == 1 || i == 2;
			return true;
		}
	for (size_t i = 0; i < 6; i++)
		if (n >= strlen(prefix[i]) && memcmp(prefix[i], s, strlen(prefix[i])) == 0)
			return true;
	for (size_t i = 0; i < X->ndef; i++)
		if (strlen(X->k->cls[i].name) == n && memcmp(X->k->cls[i].name, s, n) == 0) {
			*known = X->k->cls[i].known_dep;
			return true;
		}
	return false;
}

static const struct kx *x_option(struct xp *X)
{
	const struct odef *d = NULL;
	struct kx *e;
	int64_t code = 0, sub = -1;
	size_t at = X->toff;

	if (!x_tok(X, XT_LB, "'['"))
		return NULL;
	if (X->t == XT_NAME) {
		char name[128];

		snprintf(name, sizeof(name), "%.*s", (int)(X->tlen < 127 ? X->tlen : 127), X->s + X->toff);
		d = find_def(X->k, "dhcp4", name, 0, NULL, 0);
		if (d == NULL) {
			x_err(X, X->toff, "option '%s' is not defined", name);
			return NULL;
		}
		code = d->code;
		x_next(X);
	} else {
		if (!x_int(X, &code))
			return NULL;
		if (code < 0 || code > 255) {
			x_err(X, at, "option code %lld out of range 0..255", (long long)code);
			return NULL;
		}
		d = find_def(X->k, "dhcp4", NULL, code, NULL, 0);
	}
	if (!x_tok(X, XT_RB, "']'") || !x_tok(X, XT_DOT, "'.'"))
		return NULL;
	if (X->t == XT_KW && X->kw == W_OPTION) {
		x_next(X);
		if (!x_tok(X, XT_LB, "'['") || !x_int(X, &sub) || !x_tok(X, XT_RB, "']'") ||
		    !x_tok(X, XT_DOT, "'.'"))
			return NULL;
		if (sub < 0 || sub > 255) {
			x_err(X, at, "sub-option code out of range");
			return NULL;
		}
	}
	if (X->t != XT_KW || (X->kw != W_HEX && X->kw != W_TEXT && X->kw != W_EXISTS)) {
		x_err(X, X->toff, "expected hex, text or exists, got %s", x_tokname(X));
		return NULL;
	}
	e = x_node(X, sub >= 0 ? KX_SUBOPT : KX_OPT, X->kw == W_EXISTS ? TY_BOOL : TY_STR);
	if (e == NULL)
		return NULL;
	e->repr = X->kw == W_HEX ? RP_HEX : X->kw == W_TEXT ? RP_TEXT : RP_EXISTS;
	e->code = (unsigned)code;
	e->sub = sub >= 0 ? (unsigned)sub : 0;
	e->enc = d != NULL && d->encap != NULL && d->encap[0] != '\0';
	/* .text is the option's own text form: lint keeps it only where that is the raw bytes. */
	if (e->repr == RP_TEXT && d != NULL && d->type != OT_STRING && d->type != OT_BINARY)
		x_unsup(X, at, "the .text form of a non-string option");
	x_next(X);
	return e;
}

/* Constructs Kea has that lint does not evaluate: parse their shape, yield KX_UNSUP. */
static const struct kx *x_unsup_node(struct xp *X, size_t at, uint8_t type, const char *what)
{
	x_unsup(X, at, what);
	return x_node(X, KX_UNSUP, type);
}

static const struct kx *x_keyword(struct xp *X)
{
	int w = X->kw;
	size_t at = X->toff;
	struct kx *e;
	const struct kx *a, *b, *c;
	int64_t v;

	x_next(X);
	switch (w) {
	case W_OPTION:
		return x_option(X);
	case W_RELAY4:
		if (!x_tok(X, XT_LB, "'['") || !x_int(X, &v) || !x_tok(X, XT_RB, "']'") ||
		    !x_tok(X, XT_DOT, "'.'"))
			return NULL;
		if (X->t != XT_KW || (X->kw != W_HEX && X->kw != W_TEXT && X->kw != W_EXISTS)) {
			x_err(X, X->toff, "expected hex, text or exists");
			return NULL;
		}
		w = X->kw;
		x_next(X);
		return x_unsup_node(X, at, w == W_EXISTS ? TY_BOOL : TY_STR, "relay4[]");
	case W_RELAY6:
	case W_PKT6:
		x_err(X, at, "%s can only be used in DHCPv6", xw[w]);
		return NULL;
	case W_MEMBER: {
		bool known = false;

		if (!x_tok(X, XT_LP, "'('"))
			return NULL;
		if (X->t != XT_STR) {
			x_err(X, X->toff, "member() takes a class name in quotes");
			return NULL;
		}
		if (!x_defined(X, X->s + X->toff, X->tlen, &known)) {
			x_err(X, X->toff, "Not defined client class '%.*s'",
			      (int)(X->tlen < 64 ? X->tlen : 64), X->s + X->toff);
			return NULL;
		}
		X->known = X->known || known;
		e = x_node(X, KX_MEMBER, TY_BOOL);
		if (e == NULL)
			return NULL;
		e->s = (const uint8_t *)X->s + X->toff;
		e->n = X->tlen;
		x_next(X);
		return x_tok(X, XT_RP, "')'") ? e : NULL;
	}
	case W_KNOWN:
	case W_UNKNOWN:
		X->known = true;
		e = x_node(X, KX_MEMBER, TY_BOOL);
		if (e == NULL)
			return NULL;
		e->s = (const uint8_t *)"KNOWN";
		e->n = 5;
		if (w == W_KNOWN)
			return e;
		c = e;
		e = x_node(X, KX_NOT, TY_BOOL);
		if (e != NULL)
			e->a = c;
		return e;
	case W_SUBSTRING: {
		int64_t st = 0, ln = 0;
		bool all = false;

		if (!x_tok(X, XT_LP, "'('") || (a = x_arg(X, TY_STR, false)) == NULL ||
		    !x_int(X, &st) || !x_tok(X, XT_COMMA, "','"))
			return NULL;
		if (X->t == XT_KW && X->kw == W_ALL) {
			all = true;
			x_next(X);
		} else if (!x_int(X, &ln)) {
			return NULL;
		}
		if (!x_tok(X, XT_RP, "')'") || (e = x_node(X, KX_SUBSTR, TY_STR)) == NULL)
			return NULL;
		e->a = a;
		e->start = st;
		e->len = ln;
		e->all = all;
		return e;
	}
	case W_CONCAT:
	case W_HEXSTRING:
		if (!x_tok(X, XT_LP, "'('") || (a = x_arg(X, TY_STR, false)) == NULL ||
		    (b = x_arg(X, TY_STR, true)) == NULL)
			return NULL;
		e = x_node(X, w == W_CONCAT ? KX_CONCAT : KX_HEXSTR, TY_STR);
		if (e != NULL) {
			e->a = a;
			e->b = b;
		}
		return e;
	case W_IFELSE:
		if (!x_tok(X, XT_LP, "'('") || (a = x_arg(X, TY_BOOL, false)) == NULL ||
		    (b = x_arg(X, TY_STR, false)) == NULL || (c = x_arg(X, TY_STR, true)) == NULL)
			return NULL;
		e = x_node(X, KX_IFELSE, TY_STR);
		if (e != NULL) {
			e->a = a;
			e->b = b;
			e->c = c;
		}
		return e;
	case W_SPLIT:
		if (!x_tok(X, XT_LP, "'('") || x_arg(X, TY_STR, false) == NULL ||
		    x_arg(X, TY_STR, false) == NULL || !x_int(X, &v) || !x_tok(X, XT_RP, "')'"))
			return NULL;
		return x_unsup_node(X, at, TY_STR, "split()");
	case W_ADDRTOTEXT: case W_I8T: case W_I16T: case W_I32T: case W_U8T: case W_U16T:
	case W_U32T: case W_LCASE: case W_UCASE:
		if (!x_tok(X, XT_LP, "'('") || x_arg(X, TY_STR, true) == NULL)
			return NULL;
		return x_unsup_node(X, at, TY_STR, xw[w]);
	case W_MATCH:
		if (!x_tok(X, XT_LP, "'('") || !x_tok(X, XT_STR, "a regular expression") ||
		    !x_tok(X, XT_COMMA, "','") || x_arg(X, TY_STR, true) == NULL)
			return NULL;
		return x_unsup_node(X, at, TY_BOOL, "match()");
	case W_PKT4: {
		static const uint8_t one[4] = { 0, 0, 0, 1 }, six[4] = { 0, 0, 0, 6 }, zero[4] = { 0 };

		if (!x_tok(X, XT_DOT, "'.'"))
			return NULL;
		w = X->t == XT_KW ? X->kw : -1;
		x_next(X);
		/* Every profile is an Ethernet client (htype 1, hlen 6) talking directly. */
		if (w == W_MAC)
			return x_node(X, KX_MAC, TY_STR);
		if (w == W_HTYPE || w == W_HLEN)
			return x_lit(X, w == W_HTYPE ? one : six, 4);
		if (w == W_CIADDR || w == W_GIADDR || w == W_YIADDR || w == W_SIADDR)
			return x_lit(X, zero, 4);
		if (w == W_MSGTYPE || w == W_TRANSID)
			return x_unsup_node(X, at, TY_STR, w == W_MSGTYPE ? "pkt4.msgtype" : "pkt4.transid");
		x_err(X, at, "unknown pkt4 field");
		return NULL;
	}
	case W_PKT:
		if (!x_tok(X, XT_DOT, "'.'"))
			return NULL;
		if (X->t != XT_KW || X->kw < W_IFACE || X->kw > W_LEN) {
			x_err(X, X->toff, "unknown pkt field");
			return NULL;
		}
		x_next(X);
		return x_unsup_node(X, at, TY_STR, "pkt.iface/src/dst/len");
	case W_VENDOR:
	case W_VCLASS: {
		/* 125/124: no profile sends them, so these are empty or false unless one does. */
		unsigned code = w == W_VENDOR ? 125 : 124;
		uint8_t ty = TY_STR;

		if (X->t == XT_DOT) {
			x_next(X);
			if (!(X->t == XT_KW && X->kw == W_ENTERPRISE)) {
				x_err(X, X->toff, "expected enterprise");
				return NULL;
			}
			x_next(X);
		} else {
			if (!x_tok(X, XT_LB, "'['"))
				return NULL;
			if (X->t == XT_STAR)
				x_next(X);
			else if (!x_int(X, &v))
				return NULL;
			if (!x_tok(X, XT_RB, "']'") || !x_tok(X, XT_DOT, "'.'"))
				return NULL;
			if (X->t == XT_KW && X->kw == W_EXISTS) {
				ty = TY_BOOL;
				x_next(X);
			} else if (w == W_VENDOR && X->t == XT_KW && X->kw == W_OPTION) {
				x_next(X);
				if (!x_tok(X, XT_LB, "'['") || !x_int(X, &v) || !x_tok(X, XT_RB, "']'") ||
				    !x_tok(X, XT_DOT, "'.'"))
					return NULL;
				if (X->t != XT_KW || (X->kw != W_HEX && X->kw != W_TEXT && X->kw != W_EXISTS)) {
					x_err(X, X->toff, "expected hex, text or exists");
					return NULL;
				}
				ty = X->kw == W_EXISTS ? TY_BOOL : TY_STR;
				x_next(X);
			} else if (w == W_VCLASS && X->t == XT_KW && X->kw == W_DATA) {
				x_next(X);
				if (X->t == XT_LB && (x_next(X), !x_int(X, &v) || !x_tok(X, XT_RB, "']'")))
					return NULL;
			} else {
				x_err(X, X->toff, "unexpected %s after %s[]", x_tokname(X), xw[w]);
				return NULL;
			}
		}
		e = x_node(X, KX_ABSENT, ty);
		if (e != NULL)
			e->code = code;
		return e;
	}
	default:
		x_err(X, at, "unexpected keyword '%s'", xw[w]);
		return NULL;
	}
}

static const struct kx *x_prim(struct xp *X)
{
	size_t at = X->toff;
	uint8_t buf[4];
	const struct kx *e;
	int64_t v;

	switch (X->t) {
	case XT_LP:
		x_next(X);
		e = x_or(X);
		return e != NULL && x_tok(X, XT_RP, "')'") ? e : NULL;
	case XT_STR:
		e = x_lit(X, X->s + X->toff, X->tlen);
		x_next(X);
		return e;
	case XT_HEX: {
		struct obuf b = { NULL, 0, X->tlen / 2 + 1 };
		uint8_t *p = ar_alloc(&X->k->ar, b.cap);

		if (p == NULL)
			return x_node(X, KX_LIT, TY_STR);
		b.p = p;
		/* Kea: an odd digit count gets a leading 0. */
		hex_decode(X->s + X->toff, X->tlen, &b);
		e = x_lit(X, b.p, b.n);
		x_next(X);
		return e;
	}
	case XT_INT:
		if (!x_int(X, &v))
			return NULL;
		if (v < 0) {
			x_err(X, at, "negative integer where a value is expected");
			return NULL;
		}
		for (int i = 0; i < 4; i++)
			buf[i] = (uint8_t)((uint64_t)v >> (24 - 8 * i));
		return x_lit(X, buf, 4);
	case XT_IP4: {
		uint32_t ip;

		if (!ip4_parse(X->s + X->toff, X->tlen, &ip)) {
			x_err(X, at, "Failed to convert %.*s to an IP address",
			      (int)(X->tlen < 40 ? X->tlen : 40), X->s + X->toff);
			return NULL;
		}
		for (int i = 0; i < 4; i++)
			buf[i] = (uint8_t)(ip >> (24 - 8 * i));
		x_next(X);
		return x_lit(X, buf, 4);
	}
	case XT_IP6:
		x_next(X);
		return x_unsup_node(X, at, TY_STR, "an IPv6 address literal");
	case XT_KW:
		return x_keyword(X);
	case XT_WORD: {
		size_t wl = X->tlen;

		x_next(X);
		if (X->t == XT_LP) {
			/* Perhaps a function of a newer Kea: skip its arguments. */
			int depth = 0;

			do {
				depth += X->t == XT_LP;
				depth -= X->t == XT_RP;
				x_next(X);
			} while (depth > 0 && X->t != XT_END);
			return x_unsup_node(X, at, TY_ANY, "a function lint does not know");
		}
		x_err(X, at, "unknown keyword '%.*s'", (int)(wl < 40 ? wl : 40), X->s + at);
		return NULL;
	}
	default:
		x_tok(X, XT_STR, "a value");
		return NULL;
	}
}

/* l OP r for a left-associative level (+, and, or): both operands of type ty, the result
 * a node of kind op and type ty; NULL (the error reported) when either does not fit. */
static const struct kx *x_join(struct xp *X, const struct kx *l, size_t at, const struct kx *r,
			       size_t rat, uint8_t op, uint8_t ty)
{
	struct kx *e;

	if (!x_want(X, l, ty, at) || !x_want(X, r, ty, rat) ||
	    (e = x_node(X, op, ty)) == NULL)
		return NULL;
	e->a = l;
	e->b = r;
	return e;
}

static const struct kx *x_sum(struct xp *X)
{
	size_t at = X->toff;
	const struct kx *l = x_prim(X);

	while (l != NULL && X->t == XT_PLUS) {
		size_t rat = (x_next(X), X->toff);

		l = x_join(X, l, at, x_prim(X), rat, KX_CONCAT, TY_STR);
	}
	return l;
}

static const struct kx *x_cmp(struct xp *X)
{
	size_t at = X->toff;
	const struct kx *l = x_sum(X), *r;
	struct kx *e;

	if (l == NULL || X->t != XT_EQ)
		return l;
	x_next(X);
	size_t rat = X->toff;

	r = x_sum(X);
	if (!x_want(X, l, TY_STR, at) || !x_want(X, r, TY_STR, rat) ||
	    (e = x_node(X, KX_EQ, TY_BOOL)) == NULL)
		return NULL;
	e->a = l;
	e->b = r;
	return e;
}

static const struct kx *x_not(struct xp *X)
{
	size_t nots = 0, at;
	const struct kx *e;

	while (X->t == XT_KW && X->kw == W_NOT) {
		nots++;
		x_next(X);
	}
	at = X->toff;
	e = x_cmp(X);
	for (; nots > 0 && e != NULL; nots--) {
		struct kx *n;

		if (!x_want(X, e, TY_BOOL, at) || (n = x_node(X, KX_NOT, TY_BOOL)) == NULL)
			return NULL;
		n->a = e;
		e = n;
	}
	return e;
}

static const struct kx *x_and(struct xp *X)
{
	size_t at = X->toff;
	const struct kx *l = x_not(X);

	while (l != NULL && X->t == XT_KW && X->kw == W_AND) {
		size_t rat = (x_next(X), X->toff);

		l = x_join(X, l, at, x_not(X), rat, KX_AND, TY_BOOL);
	}
	return l;
}

static const struct kx *x_or(struct xp *X)
{
	size_t at = X->toff;
	const struct kx *l;

	if (++X->depth > KX_DEPTH_MAX) {
		x_unsup(X, at, "nesting deeper than 64 levels");
		X->err = true;
		return NULL;
	}
	l = x_and(X);
	while (l != NULL && X->t == XT_KW && X->kw == W_OR) {
		size_t rat = (x_next(X), X->toff);

		l = x_join(X, l, at, x_and(X), rat, KX_OR, TY_BOOL);
	}
	X->depth--;
	return l;
}

/* Parses a class test (type TY_BOOL) or template-test (TY_STR). A broken or unsupported
 * expression becomes KX_UNSUP: the class never matches. */
static const struct kx *x_parse(struct kea *k, const struct kj *str, const char *what,
				size_t ndef, uint8_t type, bool *known)
{
	struct xp X;
	const struct kx *e;
	struct kx *u;

	memset(&X, 0, sizeof(X));
	X.k = k;
	X.s = str->s;
	X.n = str->n;
	X.loc = str->loc;
	X.raw = str->raw;
	X.what = what;
	X.ndef = ndef;
	x_next(&X);
	e = x_or(&X);
	if (e != NULL && X.t != XT_END)
		x_tok(&X, XT_END, "end of expression");
	if (e != NULL && !X.err && !(e->type & type))
		x_err(&X, 0, "the expression must be a %s", type == TY_BOOL ? "boolean" : "string");
	*known = X.known;
	if (e != NULL && !X.err)
		return e;
	u = ar_alloc(&k->ar, sizeof(*u));
	if (u != NULL) {
		u->op = KX_UNSUP;
		u->type = TY_ANY;
	}
	return u;
}

/* ---------------------------------------------------------------------------------------- */
/* Evaluation on a profile. Unknown results (unsupported constructs) count as no match. */

struct memb {
	const char *name;
	const struct kclass *def;
};

struct cset {
	struct memb *v;
	size_t n, cap;
	char buf[2048];		/* VENDOR_CLASS_... and SPAWN_... names */
	size_t used;
};

struct xenv {
	const struct kea *k;
	const struct lint_profile *p;
	const struct cset *m;
};

struct xb {
	uint8_t *p;
	size_t n, cap;
	bool unk;
};

static void xb_add(struct xb *b, const void *d, size_t n)
{
	if (b->unk || n == 0)
		return;
	if (n > KV_MAX - b->n) {
		b->unk = true;
		return;
	}
	if (b->n + n > b->cap) {
		size_t cap = (b->n + n) * 2 > KV_MAX ? KV_MAX : (b->n + n) * 2;
		uint8_t *q = realloc(b->p, cap);

		if (q == NULL) {
			b->unk = true;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->n, d, n);
	b->n += n;
}

static bool cs_has(const struct cset *m, const void *name, size_t n)
{
	for (size_t i = 0; i < m->n; i++)
		if (strlen(m->v[i].name) == n && memcmp(m->v[i].name, name, n) == 0)
			return true;
	return false;
}

static int x_bool(const struct xenv *E, const struct kx *e);

/* Finds sub-option sub in the client's option code (as TLVs); NULL if absent. */
static const uint8_t *x_subopt(const struct lint_opt_bytes *o, unsigned sub, size_t *len)
{
	for (size_t i = 0; o->present && i < o->len;) {
		if (o->data[i] == 0) {
			i++;
			continue;
		}
		if (o->data[i] == 255 || i + 2 > o->len || i + 2u + o->data[i + 1] > o->len)
			break;
		if (o->data[i] == sub) {
			*len = o->data[i + 1];
			return &o->data[i + 2];
		}
		i += 2u + o->data[i + 1];
	}
	return NULL;
}

static void x_str(const struct xenv *E, const struct kx *e, struct xb *out)
{
	const struct lint_opt_bytes *o;
	struct xb t = { 0 }, u = { 0 };
	const uint8_t *sp;
	size_t sl = 0;
	int b;

	switch (e->op) {
	case KX_LIT:
		xb_add(out, e->s, e->n);
		return;
	case KX_OPT:
		o = &E->p->opt[e->code];
		if (o->present)
			xb_add(out, o->data, o->len);
		return;
	case KX_SUBOPT:
		sp = e->enc ? x_subopt(&E->p->opt[e->code], e->sub, &sl) : NULL;
		if (sp != NULL)
			xb_add(out, sp, sl);
		return;
	case KX_ABSENT:
		out->unk = out->unk || E->p->opt[e->code].present;
		return;
	case KX_MAC:
		xb_add(out, E->p->mac, 6);
		return;
	case KX_CONCAT:
		x_str(E, e->a, out);
		x_str(E, e->b, out);
		return;
	case KX_IFELSE:
		b = x_bool(E, e->a);
		if (b < 0)
			out->unk = true;
		else
			x_str(E, b ? e->b : e->c, out);
		return;
	case KX_SUBSTR: {
		/* Kea's TokenSubstring: negative start counts from the end, negative length
		 * counts back from start (excluding it), "all" takes the rest. */
		int64_t n, st = e->start, ln = e->len;

		x_str(E, e->a, &t);
		n = (int64_t)t.n;
		out->unk = out->unk || t.unk;
		if (!t.unk && n > 0 && st >= -n && st < n) {
			if (st < 0)
				st += n;
			if (e->all || ln > n - st)
				ln = n - st;
			if (ln < 0) {
				if (-ln > st) {
					ln = st;
					st = 0;
				} else {
					st += ln;
					ln = -ln;
				}
			}
			xb_add(out, t.p + st, (size_t)ln);
		}
		free(t.p);
		return;
	}
	case KX_HEXSTR:
		x_str(E, e->a, &t);
		x_str(E, e->b, &u);
		out->unk = out->unk || t.unk || u.unk;
		for (size_t i = 0; !out->unk && i < t.n; i++) {
			char h[3];

			if (i > 0)
				xb_add(out, u.p, u.n);
			snprintf(h, sizeof(h), "%02x", t.p[i]);
			xb_add(out, h, 2);
		}
		free(t.p);
		free(u.p);
		return;
	default:
		out->unk = true;
		return;
	}
}

static int x_bool(const struct xenv *E, const struct kx *e)
{
	struct xb a = { 0 }, b = { 0 };
	const struct lint_opt_bytes *o;
	size_t sl;
	int l, r;

	switch (e->op) {
	case KX_EQ:
		x_str(E, e->a, &a);
		x_str(E, e->b, &b);
		l = a.unk || b.unk ? -1 : a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
		free(a.p);
		free(b.p);
		return l;
	case KX_AND:
	case KX_OR:
		l = x_bool(E, e->a);
		if (l == (e->op == KX_OR))
			return l;
		r = x_bool(E, e->b);
		if (r == (e->op == KX_OR))
			return r;
		return l < 0 || r < 0 ? -1 : l;
	case KX_NOT:
		l = x_bool(E, e->a);
		return l < 0 ? -1 : !l;
	case KX_OPT:
		return E->p->opt[e->code].present;
	case KX_SUBOPT:
		o = &E->p->opt[e->code];
		return e->enc && x_subopt(o, e->sub, &sl) != NULL;
	case KX_ABSENT:
		return E->p->opt[e->code].present ? -1 : 0;
	case KX_MEMBER:
		return cs_has(E->m, e->s, e->n);
	default:
		return -1;
	}
}

/* ---------------------------------------------------------------------------------------- */
/* Dhcp4 -> model. Kea's parser refuses keys it does not know ("got unexpected keyword"), so
 * each map has the list of keys Kea 2.x accepts there (simple_parser4.cc and newer keys);
 * lint interprets some and accepts the rest unchecked. */

static const char *const keys_dhcp4[] = {
	"valid-lifetime", "min-valid-lifetime", "max-valid-lifetime", "renew-timer", "rebind-timer",
	"decline-probation-period", "subnet4", "shared-networks", "interfaces-config",
	"lease-database", "hosts-database", "hosts-databases", "host-reservation-identifiers",
	"client-classes", "option-def", "option-data", "hooks-libraries",
	"expired-leases-processing", "dhcp4o6-port", "control-socket", "control-sockets",
	"dhcp-queue-control", "dhcp-ddns", "echo-client-id", "match-client-id", "authoritative",
	"next-server", "server-hostname", "boot-file-name", "user-context", "comment",
	"sanity-checks", "reservations", "config-control", "server-tag", "reservation-mode",
	"reservations-global", "reservations-in-subnet", "reservations-out-of-pool",
	"calculate-tee-times", "t1-percent", "t2-percent", "loggers", "hostname-char-set",
	"hostname-char-replacement", "store-extended-info", "statistic-default-sample-count",
	"statistic-default-sample-age", "multi-threading", "cache-threshold", "cache-max-age",
	"early-global-reservations-lookup", "ip-reservations-unique", "reservations-lookup-first",
	"compatibility", "parked-packet-limit", "allocator", "offer-lifetime",
	"stash-agent-options", NULL,
};
static const char *const keys_subnet[] = {
	"valid-lifetime", "min-valid-lifetime", "max-valid-lifetime", "renew-timer", "rebind-timer",
	"option-data", "pools", "subnet", "interface", "id", "client-class", "client-classes",
	"require-client-classes", "evaluate-additional-classes", "reservations", "reservation-mode",
	"reservations-global", "reservations-in-subnet", "reservations-out-of-pool", "relay",
	"match-client-id", "authoritative", "next-server", "server-hostname", "boot-file-name",
	"4o6-interface", "4o6-interface-id", "4o6-subnet", "user-context", "comment",
	"calculate-tee-times", "t1-percent", "t2-percent", "hostname-char-set",
	"hostname-char-replacement", "store-extended-info", "metadata", "cache-threshold",
	"cache-max-age", "allocator", "offer-lifetime", NULL,
};
static const char *const keys_pool[] = {
	"pool", "option-data", "client-class", "client-classes", "require-client-classes",
	"evaluate-additional-classes", "user-context", "comment", "metadata", "pool-id", NULL,
};
static const char *const keys_net[] = {
	"name", "subnet4", "interface", "renew-timer", "rebind-timer", "option-data",
	"match-client-id", "authoritative", "next-server", "server-hostname", "boot-file-name",
	"relay", "reservation-mode", "reservations-global", "reservations-in-subnet",
	"reservations-out-of-pool", "client-class", "client-classes", "require-client-classes",
	"evaluate-additional-classes", "valid-lifetime", "min-valid-lifetime",
	"max-valid-lifetime", "user-context", "comment", "calculate-tee-times", "t1-percent",
	"t2-percent", "hostname-char-set", "hostname-char-replacement", "store-extended-info",
	"metadata", "cache-threshold", "cache-max-age", "allocator", "offer-lifetime", NULL,
};
static const char *const keys_host[] = {
	"hw-address", "duid", "circuit-id", "client-id", "flex-id", "ip-address", "hostname",
	"option-data", "client-classes", "next-server", "server-hostname", "boot-file-name",
	"user-context", "comment", "metadata", NULL,
};
static const char *const keys_class[] = {
	"name", "test", "template-test", "option-def", "option-data", "next-server",
	"server-hostname", "boot-file-name", "only-if-required", "only-in-additional-list",
	"valid-lifetime", "min-valid-lifetime", "max-valid-lifetime", "offer-lifetime",
	"user-context", "comment", "metadata", NULL,
};
static const char *const keys_odata[] = {
	"name", "data", "code", "space", "csv-format", "always-send", "never-send",
	"user-context", "comment", "metadata", "client-classes", NULL,
};
static const char *const keys_odef[] = {
	"name", "code", "type", "record-types", "space", "encapsulate", "array", "user-context",
	"comment", "metadata", NULL,
};

static bool kj_is(const struct kj *m, const char *key)
{
	size_t n = strlen(key);

	return m->klen == n && memcmp(m->key, key, n) == 0;
}

static const struct kj *kj_get(const struct kj *o, const char *key)
{
	for (const struct kj *m = o->child; m != NULL; m = m->next)
		if (kj_is(m, key))
			return m;
	return NULL;
}

/* Unknown keys are Kea syntax errors; so are duplicates (since Kea 1.9.0). ddns-* parameters
 * grow with every Kea release and are accepted wherever Kea takes DDNS settings. */
static void check_keys(struct kea *k, const struct kj *o, const char *where,
		       const char *const *ok, bool ddns)
{
	size_t i = 0;

	for (const struct kj *m = o->child; m != NULL; m = m->next, i++) {
		bool known = ddns && m->klen > 5 && memcmp(m->key, "ddns-", 5) == 0;

		for (const char *const *p = ok; *p != NULL && !known; p++)
			known = kj_is(m, *p);
		if (!known)
			kerr(k, m->kloc,
			     "got unexpected keyword \"%.64s\" in %s map", m->key, where);
		/* Bounded: a hostile map with a million keys is not checked for duplicates. */
		for (const struct kj *q = o->child; i < 512 && q != m; q = q->next)
			if (q->klen == m->klen && memcmp(q->key, m->key, m->klen) == 0) {
				kerr(k, m->kloc,
				     "duplicate \"%.64s\" entries in %s map (previous at line %u)", m->key,
				     where, q->kloc.line);
				break;
			}
	}
}

static const struct kj *kget(struct kea *k, const struct kj *o, const char *key, uint8_t type)
{
	static const char *const tn[] = { "null", "a boolean", "an integer", "a number",
					  "a string", "a list", "a map" };
	const struct kj *m = kj_get(o, key);

	if (m == NULL)
		return NULL;
	if (m->type != type) {
		kerr(k, m->loc, "\"%s\" must be %s", key, tn[type]);
		return NULL;
	}
	return m;
}

static int kbool(struct kea *k, const struct kj *o, const char *key)
{
	const struct kj *m = kget(k, o, key, KJ_BOOL);

	return m != NULL ? m->b : -1;
}

static void *kalloc(struct kea *k, size_t n, size_t size)
{
	return n > 0 && n < SIZE_MAX / size ? ar_alloc(&k->ar, n * size) : NULL;
}

/* "0.0.0.0" and "" leave next-server unset, as Kea's zero siaddr does. */
static void parse_fields(struct kea *k, const struct kj *o, struct fld *ns, struct fld *bf)
{
	const struct kj *m;
	uint32_t ip;

	if ((m = kget(k, o, "next-server", KJ_STR)) != NULL && m->n > 0) {
		if (memchr(m->s, 0, m->n) != NULL || !ip4_parse(m->s, m->n, &ip))
			kerr(k, m->loc, "next-server \"%.64s\" is not an IPv4 address", m->s);
		else if (ip != 0)
			*ns = (struct fld){ true, m->s, ip, m->loc };
	}
	(void)kget(k, o, "server-hostname", KJ_STR);
	if ((m = kget(k, o, "boot-file-name", KJ_STR)) != NULL && m->n > 0)
		*bf = (struct fld){ true, m->s, 0, m->loc };
}

static void parse_names(struct kea *k, const struct kj *o, const char *key, struct names *out)
{
	const struct kj *l = kget(k, o, key, KJ_ARR);
	const char **v;

	if (l == NULL || l->n == 0 || (v = kalloc(k, l->n + out->n, sizeof(*v))) == NULL)
		return;
	if (out->n > 0 && out->v != NULL)
		memcpy(v, out->v, out->n * sizeof(*v));
	out->v = v;
	for (const struct kj *e = l->child; e != NULL; e = e->next) {
		if (e->type != KJ_STR)
			kerr(k, e->loc, "\"%s\" must be a list of class names", key);
		else
			out->v[out->n++] = e->s;
	}
}

/* client-class (one name), client-classes (Kea 2.7+), and the required/additional lists. */
static void parse_classrefs(struct kea *k, const struct kj *o, struct names *cls, struct names *req)
{
	const struct kj *m = kget(k, o, "client-class", KJ_STR);

	if (m != NULL && m->n > 0 && (cls->v = kalloc(k, 1, sizeof(*cls->v))) != NULL) {
		cls->v[0] = m->s;
		cls->n = 1;
	}
	parse_names(k, o, "client-classes", cls);
	if (req != NULL) {
		parse_names(k, o, "require-client-classes", req);
		parse_names(k, o, "evaluate-additional-classes", req);
	}
}

static void parse_rflags(struct kea *k, const struct kj *o, int *g, int *s)
{
	const struct kj *m = kget(k, o, "reservation-mode", KJ_STR);

	*g = kbool(k, o, "reservations-global");
	*s = kbool(k, o, "reservations-in-subnet");
	/* The old reservation-mode: disabled, out-of-pool, global, all. */
	if (m != NULL) {
		bool glob = strcmp(m->s, "global") == 0, off = strcmp(m->s, "disabled") == 0;

		if (*g < 0)
			*g = glob;
		if (*s < 0)
			*s = !glob && !off;
	}
}

static int ot_lookup(const char *s, size_t n)
{
	for (int t = 0; t < OT__N; t++)
		if (strlen(ot_names[t]) == n && memcmp(ot_names[t], s, n) == 0)
			return t;
	return -1;
}

static void parse_defs(struct kea *k, const struct kj *list, struct odef **out, size_t *nout)
{
	struct odef *d;

	if (list == NULL || list->n == 0 || (d = kalloc(k, list->n, sizeof(*d))) == NULL)
		return;
	*out = d;
	for (const struct kj *e = list->child; e != NULL; e = e->next) {
		const struct kj *name, *code, *type, *rec, *space, *enc;
		struct odef *o = &d[*nout];
		int t;

		if (e->type != KJ_OBJ) {
			kerr(k, e->loc, "option-def entries must be maps");
			continue;
		}
		check_keys(k, e, "option-def", keys_odef, false);
		name = kget(k, e, "name", KJ_STR);
		code = kget(k, e, "code", KJ_INT);
		type = kget(k, e, "type", KJ_STR);
		rec = kget(k, e, "record-types", KJ_STR);
		space = kget(k, e, "space", KJ_STR);
		enc = kget(k, e, "encapsulate", KJ_STR);
		o->array = kbool(k, e, "array") == 1;
		o->space = space != NULL ? space->s : "dhcp4";
		o->encap = enc != NULL && enc->n > 0 ? enc->s : NULL;
		o->loc = e->loc;
		if (name == NULL || code == NULL || type == NULL) {
			kerr(k, e->loc, "option-def needs \"name\", \"code\" and \"type\"");
			continue;
		}
		o->name = name->s;
		if (name->n == 0 || memchr(name->s, ' ', name->n) != NULL) {
			kerr(k, name->loc, "invalid option name \"%.64s\"", name->s);
			continue;
		}
		if ((t = ot_lookup(type->s, type->n)) < 0) {
			kerr(k, type->loc, "unknown option type \"%.32s\"", type->s);
			continue;
		}
		o->type = (uint8_t)t;
		if (t == OT_RECORD) {
			const char *r = rec != NULL ? rec->s : "";
			size_t rn = rec != NULL ? rec->n : 0, st = 0;

			for (size_t i = 0; i <= rn && o->nrec <= 8; i++) {
				if (i < rn && r[i] != ',')
					continue;
				const char *f = r + st;
				size_t fl = i - st;
				int ft;

				trim(&f, &fl);
				st = i + 1;
				ft = ot_lookup(f, fl);
				if (ft < 0 || ft == OT_RECORD || ft == OT_EMPTY || o->nrec == 8) {
					o->nrec = 0;
					break;
				}
				o->rec[o->nrec++] = (uint8_t)ft;
			}
			if (o->nrec == 0) {
				kerr(k, rec != NULL ? rec->loc : e->loc,
				     "record option \"%.64s\" needs valid record-types", o->name);
				continue;
			}
		}
		/* dhcp4 codes 0 and 255 are PAD and END. */
		bool v4 = strcmp(o->space, "dhcp4") == 0;

		if (code->i < (v4 ? 1 : 0) || code->i > (v4 ? 254 : 255)) {
			kerr(k, code->loc, "invalid option code %lld", (long long)code->i);
			continue;
		}
		o->code = (unsigned)code->i;
		/* The ARM: definitions for standard options are not permitted, except 43 (and
		 * options Kea has no definition for). */
		const struct odef *sd = strcmp(o->space, "dhcp4") == 0 ? std_by(NULL, o->code) : NULL;

		if (sd == NULL && strcmp(o->space, "dhcp4") == 0)
			sd = std_by(o->name, 0);
		if (sd != NULL && sd->code != 43) {
			kerr(k, e->loc,
			     "option-def redefines the standard option %u (%s)", sd->code, sd->name);
			continue;
		}
		bool dup = false;

		for (size_t i = 0; i < *nout && !dup; i++)
			dup = strcmp(d[i].space, o->space) == 0 &&
			      (d[i].code == o->code || strcmp(d[i].name, o->name) == 0);
		if (dup) {
			kerr(k, e->loc,
			     "option \"%.64s\" (code %u) is already defined in space %.64s", o->name,
			     o->code, o->space);
			continue;
		}
		(*nout)++;
	}
}

static bool oval_in(const struct cset *m, const struct oval *v)
{
	if (v->ncls == 0)
		return true;
	for (size_t i = 0; i < v->ncls; i++)
		if (cs_has(m, v->cls[i], strlen(v->cls[i])))
			return true;
	return false;
}

/* An encapsulating option carries the options of its space set in the same list, in code
 * order: Kea encapsulates per configuration scope (CfgOption::encapsulate after each add). */
static void build_encap(struct kea *k, struct olist *l, size_t i, unsigned depth)
{
	struct oval *v = &l->v[i];
	struct obuf b;

	if (v->built || v->def == NULL || v->def->encap == NULL || depth > 4)
		return;
	v->built = true;
	k->encap_work += 256 * l->n;
	if (k->encap_work > KO_ENCAP_WORK) {
		if (k->encap_work - 256 * l->n <= KO_ENCAP_WORK)
			kadd(k->c, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, v->loc, NULL,
			     "too many encapsulating options: lint leaves their sub-options out");
		return;
	}
	b.cap = KO_VAL_MAX;
	b.n = 0;
	b.p = ar_alloc(&k->ar, b.cap);
	if (b.p == NULL)
		return;
	ob_add(&b, v->val, v->len);
	for (unsigned code = 0; code < 256; code++)
		for (size_t j = 0; j < l->n; j++) {
			struct oval *s = &l->v[j];

			if (j == i || s->code != code || strcmp(s->space, v->def->encap) != 0)
				continue;
			build_encap(k, l, j, depth + 1);
			ob_byte(&b, code);
			ob_byte(&b, s->len > 255 ? 255 : (unsigned)s->len);
			ob_add(&b, s->val, s->len > 255 ? 255 : s->len);
		}
	v->val = b.p;
	v->len = b.n;
}

static void parse_odata(struct kea *k, const struct kj *list, struct olist *out,
			const struct odef *local, size_t nlocal)
{
	if (list == NULL || list->n == 0 || (out->v = kalloc(k, list->n, sizeof(*out->v))) == NULL)
		return;
	for (const struct kj *e = list->child; e != NULL; e = e->next) {
		const struct kj *name, *code, *space, *data;
		struct oval *v = &out->v[out->n];
		const struct odef *d;
		char sp[80];
		int csv;

		memset(v, 0, sizeof(*v));	/* the slot of an entry refused before is reused */
		if (e->type != KJ_OBJ) {
			kerr(k, e->loc, "option-data entries must be maps");
			continue;
		}
		check_keys(k, e, "option-data", keys_odata, false);
		name = kget(k, e, "name", KJ_STR);
		code = kget(k, e, "code", KJ_INT);
		space = kget(k, e, "space", KJ_STR);
		data = kget(k, e, "data", KJ_STR);
		csv = kbool(k, e, "csv-format");
		v->always = kbool(k, e, "always-send") == 1;
		v->never = kbool(k, e, "never-send") == 1;
		v->space = space != NULL ? space->s : "dhcp4";
		v->loc = data != NULL ? data->loc : e->loc;
		{
			struct names cl = { NULL, 0 };

			parse_names(k, e, "client-classes", &cl);
			v->cls = cl.v;
			v->ncls = cl.n;
		}
		snprintf(sp, sizeof(sp), "%.40s.%.32s", v->space, name != NULL ? name->s : "");
		if (name == NULL && code == NULL) {
			kerr(k, e->loc,
			     "option data configuration requires one of \"code\" or \"name\"");
			continue;
		}
		if (code != NULL && (code->i <= 0 || code->i > 255)) {
			kerr(k, code->loc, "invalid option code %lld", (long long)code->i);
			continue;
		}
		/* OptionDataParser::createOption: a code looks the definition up by code. */
		d = code != NULL   ? find_def(k, v->space, NULL, code->i, local, nlocal)
		    : name != NULL ? find_def(k, v->space, name->s, 0, local, nlocal)
				   : NULL;
		if (d == NULL && (csv == 1 || code == NULL)) {
			kadd(k->c, LINT_R_SYNTAX, NBC_SEV_ERROR, name != NULL ? name->loc : e->loc,
			     "add an option-def, or give the code and hex data with csv-format false",
			     "definition for the option '%s' does not exist", sp);
			continue;
		}
		if (d != NULL && name != NULL && strcmp(d->name, name->s) != 0) {
			kerr(k, name->loc,
			     "specified option name '%.64s' does not match the option definition: "
			     "'%.40s.%.64s'", name->s, v->space, d->name);
			continue;
		}
		v->def = d;
		v->code = d != NULL ? d->code : (unsigned)code->i;
		if (v->code == 125 && strcmp(v->space, "dhcp4") == 0)
			kadd(k->c, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, v->loc, NULL,
			     "lint does not assemble vivso (125) sub-options from vendor spaces");
		if (data != NULL && data->n > 0) {
			struct obuf b = { ar_alloc(&k->ar, KO_VAL_MAX), 0, KO_VAL_MAX };
			bool unsup = false;
			const char *why = NULL;

			if (b.p == NULL)
				continue;
			if (!opt_encode(d, data->s, data->n, d != NULL && csv != 0, &b, &unsup, &why)) {
				kerr(k, data->loc,
				     "option data \"%.48s\" does not match option %s (code %u): %s", data->s,
				     d != NULL ? d->name : "without definition", v->code, why);
				continue;
			}
			if (unsup)
				kadd(k->c, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, data->loc, NULL,
				     "lint does not encode the value of option %s (code %u); it is left out",
				     d != NULL ? d->name : "?", v->code);
			v->val = b.p;
			v->len = b.n;
		}
		out->n++;
	}
	for (size_t i = 0; i < out->n; i++)
		build_encap(k, out, i, 0);
}

static bool prefix_parse(const char *s, size_t n, uint32_t *net, uint32_t *mask)
{
	const char *slash = memchr(s, '/', n);
	size_t ln;
	unsigned len = 0;
	uint32_t ip;

	if (slash == NULL || !ip4_parse(s, (size_t)(slash - s), &ip))
		return false;
	ln = n - (size_t)(slash - s) - 1;
	for (size_t i = 1; i <= ln; i++) {
		if (!x_digit(slash[i]) || i > 2)
			return false;
		len = len * 10 + (unsigned)(slash[i] - '0');
	}
	if (ln == 0 || len > 32)
		return false;
	*mask = len == 0 ? 0 : (uint32_t)(0xffffffffu << (32 - len));
	*net = ip & *mask;
	return true;
}

/* "a - b" or "a/len"; blanks are ignored (ARM: "White space in pool definitions is ignored"). */
static bool pool_parse(const char *s, size_t n, uint32_t *lo, uint32_t *hi)
{
	char t[64];
	size_t k = 0;
	uint32_t mask;

	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t') {
			if (k + 1 >= sizeof(t))
				return false;
			t[k++] = s[i];
		}
	t[k] = '\0';
	if (prefix_parse(t, k, lo, &mask)) {
		*hi = *lo | ~mask;
		return true;
	}
	char *dash = strchr(t, '-');

	return dash != NULL && ip4_parse(t, (size_t)(dash - t), lo) &&
	       ip4_parse(dash + 1, strlen(dash + 1), hi) && *lo <= *hi;
}

static void parse_host(struct kea *k, const struct kj *e, int sub)
{
	static const char *const ids[] = { "hw-address", "client-id", "duid", "circuit-id", "flex-id" };
	struct khost *h = &k->hosts[k->nhosts];
	const struct kj *ip, *id = NULL;
	int nid = 0;

	if (e->type != KJ_OBJ) {
		kerr(k, e->loc, "reservations must be maps");
		return;
	}
	check_keys(k, e, "reservations", keys_host, false);
	for (size_t i = 0; i < 5; i++) {
		const struct kj *m = kget(k, e, ids[i], KJ_STR);

		if (m != NULL) {
			nid++;
			if (id == NULL) {
				id = m;
				snprintf(h->ident, sizeof(h->ident), "%s %.64s", ids[i], m->s);
			}
		}
	}
	if (nid != 1) {
		kerr(k, e->loc, nid == 0 ?
		     "a reservation needs an identifier: hw-address, client-id, duid, circuit-id or flex-id" :
		     "a reservation takes exactly one identifier");
		if (id == NULL)
			return;
	}
	h->loc = e->loc;
	h->sub = sub;
	if ((ip = kget(k, e, "ip-address", KJ_STR)) != NULL) {
		if (!ip4_parse(ip->s, ip->n, &h->ip))
			kerr(k, ip->loc, "ip-address \"%.64s\" is not an IPv4 address", ip->s);
		else
			h->has_ip = true;
	}
	(void)kget(k, e, "hostname", KJ_STR);
	parse_fields(k, e, &h->ns, &h->bf);
	parse_odata(k, kget(k, e, "option-data", KJ_ARR), &h->opts, NULL, 0);
	parse_names(k, e, "client-classes", &h->cls);
	k->nhosts++;
}

static void parse_subnet(struct kea *k, const struct kj *e, int net)
{
	struct ksub *s = &k->subs[k->nsubs];
	const struct kj *sn, *pools, *res;

	if (e->type != KJ_OBJ) {
		kerr(k, e->loc, "subnet4 entries must be maps");
		return;
	}
	check_keys(k, e, "subnet4", keys_subnet, true);
	sn = kget(k, e, "subnet", KJ_STR);
	if (sn == NULL) {
		kerr(k, e->loc,
		     "mandatory 'subnet' parameter is missing for a subnet being configured");
		return;
	}
	if (!prefix_parse(sn->s, sn->n, &s->net, &s->mask)) {
		kerr(k, sn->loc, "invalid subnet \"%.64s\"", sn->s);
		return;
	}
	s->text = sn->s;
	s->loc = sn->loc;
	s->net_idx = net;
	parse_rflags(k, e, &s->rglobal, &s->rsubnet);
	parse_fields(k, e, &s->ns, &s->bf);
	parse_classrefs(k, e, &s->cls, &s->req);
	parse_odata(k, kget(k, e, "option-data", KJ_ARR), &s->opts, NULL, 0);
	pools = kget(k, e, "pools", KJ_ARR);
	if (pools != NULL && (s->pools = kalloc(k, pools->n, sizeof(*s->pools))) != NULL) {
		for (const struct kj *p = pools->child; p != NULL; p = p->next) {
			struct kpool *pl = &s->pools[s->npools];
			const struct kj *r;

			if (p->type != KJ_OBJ) {
				kerr(k, p->loc, "pools entries must be maps");
				continue;
			}
			check_keys(k, p, "pools", keys_pool, true);
			if ((r = kget(k, p, "pool", KJ_STR)) == NULL) {
				kerr(k, p->loc, "a pool needs \"pool\"");
				continue;
			}
			if (!pool_parse(r->s, r->n, &pl->lo, &pl->hi)) {
				kerr(k, r->loc, "Failed to create pool defined by: %.64s", r->s);
				continue;
			}
			if ((pl->lo & s->mask) != s->net || (pl->hi & s->mask) != s->net) {
				kerr(k, r->loc,
				     "pool %.64s does not match the prefix of subnet %.64s", r->s, s->text);
				continue;
			}
			pl->loc = r->loc;
			parse_classrefs(k, p, &pl->cls, &pl->req);
			parse_odata(k, kget(k, p, "option-data", KJ_ARR), &pl->opts, NULL, 0);
			s->npools++;
		}
	}
	k->nsubs++;
	res = kget(k, e, "reservations", KJ_ARR);
	for (const struct kj *h = res != NULL ? res->child : NULL; h != NULL; h = h->next)
		parse_host(k, h, (int)k->nsubs - 1);
}

static void parse_classes(struct kea *k, const struct kj *list)
{
	if (list == NULL || list->n == 0 || (k->cls = kalloc(k, list->n, sizeof(*k->cls))) == NULL)
		return;
	for (const struct kj *e = list->child; e != NULL; e = e->next) {
		struct kclass *c = &k->cls[k->ncls];
		const struct kj *name, *t;
		char what[160];
		bool known = false, dup = false;

		if (e->type != KJ_OBJ) {
			kerr(k, e->loc, "client-classes entries must be maps");
			continue;
		}
		check_keys(k, e, "client-classes", keys_class, false);
		name = kget(k, e, "name", KJ_STR);
		if (name == NULL || name->n == 0) {
			kerr(k, e->loc, "a client class needs a name");
			continue;
		}
		for (size_t i = 0; i < k->ncls && !dup; i++)
			dup = strcmp(k->cls[i].name, name->s) == 0;
		if (dup) {
			kerr(k, name->loc, "client class \"%.64s\" is defined twice", name->s);
			continue;
		}
		c->name = name->s;
		c->loc = name->loc;
		c->additional = kbool(k, e, "only-if-required") == 1 ||
				kbool(k, e, "only-in-additional-list") == 1;
		parse_defs(k, kget(k, e, "option-def", KJ_ARR), &c->defs, &c->ndefs);
		snprintf(what, sizeof(what), "client class \"%.64s\" test", c->name);
		if ((t = kget(k, e, "test", KJ_STR)) != NULL)
			c->test = x_parse(k, t, ar_str(&k->ar, what, strlen(what)), k->ncls, TY_BOOL, &known);
		c->known_dep = known;
		snprintf(what, sizeof(what), "client class \"%.64s\" template-test", c->name);
		if ((t = kget(k, e, "template-test", KJ_STR)) != NULL) {
			c->tmpl = x_parse(k, t, ar_str(&k->ar, what, strlen(what)), k->ncls, TY_STR, &known);
			c->known_dep = c->known_dep || known;
		}
		parse_fields(k, e, &c->ns, &c->bf);
		parse_odata(k, kget(k, e, "option-data", KJ_ARR), &c->opts, c->defs, c->ndefs);
		k->ncls++;
	}
}

static size_t list_len(const struct kj *o, const char *key)
{
	const struct kj *l = kj_get(o, key);

	return l != NULL && l->type == KJ_ARR ? l->n : 0;
}

static void parse_dhcp4(struct kea *k, const struct kj *d)
{
	const struct kj *subs = kget(k, d, "subnet4", KJ_ARR), *nets = kget(k, d, "shared-networks", KJ_ARR);
	const struct kj *res = kget(k, d, "reservations", KJ_ARR);
	size_t nsub = subs != NULL ? subs->n : 0, nhost = res != NULL ? res->n : 0;

	check_keys(k, d, "Dhcp4", keys_dhcp4, true);
	parse_rflags(k, d, &k->rglobal, &k->rsubnet);
	parse_defs(k, kget(k, d, "option-def", KJ_ARR), &k->defs, &k->ndefs);
	parse_classes(k, kget(k, d, "client-classes", KJ_ARR));
	parse_odata(k, kget(k, d, "option-data", KJ_ARR), &k->opts, NULL, 0);
	parse_fields(k, d, &k->ns, &k->bf);

	/* Count first: the arrays are sized once. */
	for (const struct kj *e = subs != NULL ? subs->child : NULL; e != NULL; e = e->next)
		nhost += e->type == KJ_OBJ ? list_len(e, "reservations") : 0;
	for (const struct kj *n = nets != NULL ? nets->child : NULL; n != NULL; n = n->next) {
		const struct kj *l = n->type == KJ_OBJ ? kj_get(n, "subnet4") : NULL;

		for (const struct kj *e = l != NULL && l->type == KJ_ARR ? l->child : NULL; e; e = e->next) {
			nsub++;
			nhost += e->type == KJ_OBJ ? list_len(e, "reservations") : 0;
		}
	}
	k->subs = kalloc(k, nsub, sizeof(*k->subs));
	k->hosts = kalloc(k, nhost, sizeof(*k->hosts));
	k->nets = kalloc(k, nets != NULL ? nets->n : 0, sizeof(*k->nets));
	if ((nsub > 0 && k->subs == NULL) || (nhost > 0 && k->hosts == NULL))
		return;
	for (const struct kj *e = subs != NULL ? subs->child : NULL; e != NULL; e = e->next)
		parse_subnet(k, e, -1);
	for (const struct kj *n = nets != NULL && k->nets ? nets->child : NULL; n != NULL; n = n->next) {
		struct knet *net = &k->nets[k->nnets];
		const struct kj *name, *l;

		if (n->type != KJ_OBJ) {
			kerr(k, n->loc, "shared-networks entries must be maps");
			continue;
		}
		check_keys(k, n, "shared-networks", keys_net, true);
		if ((name = kget(k, n, "name", KJ_STR)) == NULL) {
			kerr(k, n->loc, "a shared network needs a name");
			continue;
		}
		net->name = name->s;
		net->loc = name->loc;
		parse_rflags(k, n, &net->rglobal, &net->rsubnet);
		parse_fields(k, n, &net->ns, &net->bf);
		parse_classrefs(k, n, &net->cls, &net->req);
		parse_odata(k, kget(k, n, "option-data", KJ_ARR), &net->opts, NULL, 0);
		k->nnets++;
		l = kget(k, n, "subnet4", KJ_ARR);
		for (const struct kj *e = l != NULL ? l->child : NULL; e != NULL; e = e->next)
			parse_subnet(k, e, (int)k->nnets - 1);
	}
	for (const struct kj *h = res != NULL ? res->child : NULL; h != NULL; h = h->next)
		parse_host(k, h, -1);
}

static void parse_top(struct kea *k, const struct kj *root)
{
	static const char *const legacy[] = { "Logging", "Dhcp6", "DhcpDdns", "Control-agent", "Netconf" };
	const struct kj *d = NULL;

	for (const struct kj *m = root->child; m != NULL; m = m->next) {
		bool ok = kj_is(m, "Dhcp4");

		for (size_t i = 0; i < 5 && !ok; i++)
			ok = kj_is(m, legacy[i]);	/* Kea 1.x took these beside Dhcp4 */
		if (!ok)
			kerr(k, m->kloc,
			     "got unexpected keyword \"%.64s\" in toplevel map", m->key);
		else if (kj_is(m, "Dhcp4") && d != NULL)
			kerr(k, m->kloc,
			     "duplicate \"Dhcp4\" entries in toplevel map (previous at line %u)",
			     d->kloc.line);
		else if (kj_is(m, "Dhcp4"))
			d = m;
	}
	if (d == NULL)
		kerr(k, k->top, "no Dhcp4 object");
	else if (d->type != KJ_OBJ)
		kerr(k, d->loc, "\"Dhcp4\" must be a map");
	else
		parse_dhcp4(k, d);
}

/* ---------------------------------------------------------------------------------------- */
/* One client in one scope, following Kea's packet processing (ARM "Classification Steps"):
 * ALL, VENDOR_CLASS_<60>, classes in order; subnet (class restricted); host lookup sets KNOWN
 * or UNKNOWN and the host's classes; KNOWN-dependent classes; pool (class restricted);
 * additional classes of shared network, subnet, pool; then options and fixed fields. */

static void cs_add(struct cset *m, const char *name, const struct kclass *def)
{
	if (name != NULL && m->n < m->cap && !cs_has(m, name, strlen(name)))
		m->v[m->n++] = (struct memb){ name, def };
}

static const char *cs_keep(struct cset *m, const char *a, const void *b, size_t bn, const char *c,
			   const void *d, size_t dn)
{
	size_t an = strlen(a), cn = strlen(c), need = an + bn + cn + dn + 1;
	char *p = m->buf + m->used;

	if (need > sizeof(m->buf) - m->used)
		return NULL;
	memcpy(p, a, an);
	memcpy(p + an, b, bn);
	memcpy(p + an + bn, c, cn);
	if (dn > 0)
		memcpy(p + an + bn + cn, d, dn);
	p[need - 1] = '\0';
	m->used += need;
	return p;
}

static void match_class(const struct xenv *E, struct cset *m, const struct kclass *c)
{
	if (c->test != NULL) {
		if (x_bool(E, c->test) == 1)
			cs_add(m, c->name, c);
	} else if (c->tmpl != NULL) {
		/* A template class matches when template-test gives a non-empty string; the client
		 * also joins SPAWN_<class>_<value>. */
		struct xb v = { 0 };

		x_str(E, c->tmpl, &v);
		if (!v.unk && v.n > 0) {
			cs_add(m, c->name, c);
			cs_add(m, cs_keep(m, "SPAWN_", c->name, strlen(c->name), "_", v.p, v.n), NULL);
		}
		free(v.p);
	}
	/* No test: Dhcpv4Srv::evaluateClasses and requiredClassify skip the class ("Nothing to
	 * do without an expression to evaluate"); only a host reservation assigns it. */
}

static void classify(const struct kea *k, const struct xenv *E, struct cset *m, bool known_pass)
{
	for (size_t i = 0; i < k->ncls; i++)
		if (!k->cls[i].additional && k->cls[i].known_dep == known_pass)
			match_class(E, m, &k->cls[i]);
}

static void require(const struct kea *k, const struct xenv *E, struct cset *m, const struct names *r)
{
	for (size_t i = 0; i < r->n; i++)
		for (size_t j = 0; j < k->ncls; j++)
			if (strcmp(k->cls[j].name, r->v[i]) == 0 && !cs_has(m, r->v[i], strlen(r->v[i])))
				match_class(E, m, &k->cls[j]);
}

static bool allowed(const struct cset *m, const struct names *cls)
{
	for (size_t i = 0; i < cls->n; i++)
		if (cs_has(m, cls->v[i], strlen(cls->v[i])))
			return true;
	return cls->n == 0;
}

/* Kea's option precedence (ARM "Standard DHCPv4 Options", buildCfgOptionList): host
 * reservation, pool, subnet, shared network, classes in the order the client joined them,
 * global; the first level that sets a code gives its value. The reply carries an option the
 * client asked for in 55, or one marked always-send, or routers/DNS/domain-name/server-id
 * (appendBasicOptions); never-send wins. Both flags are sticky over the levels (ARM note). */
static void fill_options(const struct lint_profile *p, const struct cset *m,
			 const struct olist *const *lv, size_t nlv, struct lint_offer *o)
{
	const struct oval *first[256] = { NULL };
	bool always[256] = { false }, never[256] = { false };

	for (size_t l = 0; l < nlv; l++)
		for (size_t i = 0; i < lv[l]->n; i++) {
			const struct oval *v = &lv[l]->v[i];

			if (v->code > 255 || strcmp(v->space, "dhcp4") != 0 || !oval_in(m, v))
				continue;
			if (first[v->code] == NULL)
				first[v->code] = v;
			always[v->code] = always[v->code] || v->always;
			never[v->code] = never[v->code] || v->never;
		}
	for (unsigned code = 1; code < 255; code++) {
		const struct oval *v = first[code];
		struct lint_opt *lo = &o->opt[code];
		bool basic = code == 3 || code == 6 || code == 15 || code == 54;

		if (v == NULL)
			continue;
		lo->defined = true;
		lo->sent = !never[code] && (always[code] || basic || lint_profile_requests(p, code));
		lo->len = v->len < LINT_VALUE_MAX ? v->len : LINT_VALUE_MAX;
		if (lo->len > 0)
			memcpy(lo->value, v->val, lo->len);
		lo->loc = v->loc;
	}
}

static void eval_client(const struct kea *k, const struct ksub *s, const struct khost *h,
			const struct lint_profile *p, struct lint_offer *o, struct lint_loc unloc)
{
	const struct knet *net = s != NULL && s->net_idx >= 0 ? &k->nets[s->net_idx] : NULL;
	const struct kpool *pl = NULL;
	const struct olist **lv;
	const struct fld *ns, *bf;
	struct cset m;
	struct xenv E;
	size_t nlv = 0;

	o->answered = false;
	o->answer_loc = unloc;
	memset(&m, 0, sizeof(m));
	m.cap = k->ncls + 8;
	m.v = calloc(m.cap, sizeof(*m.v));
	lv = calloc(m.cap + 6, sizeof(*lv));
	if (s == NULL || m.v == NULL || lv == NULL)
		goto out;
	E = (struct xenv){ k, p, &m };
	cs_add(&m, "ALL", NULL);
	if (p->opt[60].present)
		cs_add(&m, cs_keep(&m, "VENDOR_CLASS_", p->opt[60].data, p->opt[60].len, "", NULL, 0), NULL);
	classify(k, &E, &m, false);
	/* Subnet selection sees only the classes known before the host lookup. */
	if (net != NULL && !allowed(&m, &net->cls)) {
		o->answer_loc = net->loc;
		goto out;
	}
	if (!allowed(&m, &s->cls)) {
		o->answer_loc = s->loc;
		goto out;
	}
	cs_add(&m, h != NULL ? "KNOWN" : "UNKNOWN", NULL);
	for (size_t i = 0; h != NULL && i < h->cls.n; i++) {
		const struct kclass *def = NULL;

		for (size_t j = 0; j < k->ncls; j++)
			if (strcmp(k->cls[j].name, h->cls.v[i]) == 0)
				def = &k->cls[j];
		cs_add(&m, h->cls.v[i], def);
	}
	classify(k, &E, &m, true);
	for (size_t i = 0; i < m.n; i++)
		if (strcmp(m.v[i].name, "DROP") == 0) {
			o->answer_loc = m.v[i].def != NULL ? m.v[i].def->loc : s->loc;
			goto out;
		}
	if (h != NULL && h->has_ip) {
		for (size_t i = 0; i < s->npools && pl == NULL; i++)
			if (h->ip >= s->pools[i].lo && h->ip <= s->pools[i].hi)
				pl = &s->pools[i];
		o->answer_loc = h->loc;
	} else {
		for (size_t i = 0; i < s->npools && pl == NULL; i++)
			if (allowed(&m, &s->pools[i].cls))
				pl = &s->pools[i];
		if (pl == NULL) {
			o->answer_loc = s->loc;
			goto out;
		}
		o->answer_loc = pl->loc;
	}
	o->answered = true;
	if (net != NULL)
		require(k, &E, &m, &net->req);
	require(k, &E, &m, &s->req);
	if (pl != NULL)
		require(k, &E, &m, &pl->req);

	if (h != NULL)
		lv[nlv++] = &h->opts;
	if (pl != NULL)
		lv[nlv++] = &pl->opts;
	lv[nlv++] = &s->opts;
	if (net != NULL)
		lv[nlv++] = &net->opts;
	for (size_t i = 0; i < m.n; i++)
		if (m.v[i].def != NULL)
			lv[nlv++] = &m.v[i].def->opts;
	lv[nlv++] = &k->opts;
	fill_options(p, &m, lv, nlv, o);

	/* Fixed fields (Dhcpv4Srv::setFixedFields): the subnet's value (inherited from the
	 * shared network, then global), then each class the client is in overrides it in
	 * turn, then the host reservation overrides all. */
	ns = s->ns.set ? &s->ns : net != NULL && net->ns.set ? &net->ns : k->ns.set ? &k->ns : NULL;
	bf = s->bf.set ? &s->bf : net != NULL && net->bf.set ? &net->bf : k->bf.set ? &k->bf : NULL;
	for (size_t i = 0; i < m.n; i++) {
		const struct kclass *c = m.v[i].def;

		if (c != NULL && c->ns.set)
			ns = &c->ns;
		if (c != NULL && c->bf.set)
			bf = &c->bf;
	}
	if (h != NULL && h->ns.set)
		ns = &h->ns;
	if (h != NULL && h->bf.set)
		bf = &h->bf;
	if (ns != NULL) {
		o->has_next_server = true;
		o->next_server = ns->ip;
		o->next_server_loc = ns->loc;
	}
	/* The BOOTP file field first; option 67 only when the field is empty. */
	if (bf != NULL) {
		o->has_file = true;
		snprintf(o->file, sizeof(o->file), "%s", bf->s);
		o->file_loc = bf->loc;
	} else if (o->opt[67].defined && o->opt[67].sent && o->opt[67].len > 0) {
		size_t n = o->opt[67].len < sizeof(o->file) - 1 ? o->opt[67].len : sizeof(o->file) - 1;

		o->has_file = true;
		memcpy(o->file, o->opt[67].value, n);
		o->file[n] = '\0';
		o->file_loc = o->opt[67].loc;
	}
out:
	free(m.v);
	free(lv);
}

/* reservations-global (default false) and reservations-in-subnet (default true), inherited
 * subnet -> shared network -> global (SimpleParser4 defaults). */
static bool res_flag(const struct kea *k, const struct ksub *s, bool global)
{
	const struct knet *n = s->net_idx >= 0 ? &k->nets[s->net_idx] : NULL;
	int v = global ? s->rglobal : s->rsubnet;

	if (v < 0 && n != NULL)
		v = global ? n->rglobal : n->rsubnet;
	if (v < 0)
		v = global ? k->rglobal : k->rsubnet;
	return v < 0 ? !global : v == 1;
}

static size_t kea_nscopes(void *priv)
{
	return ((const struct kea *)priv)->nscopes;
}

static const char *kea_scope_name(void *priv, size_t i)
{
	const struct kea *k = priv;

	return i < k->nscopes ? k->scopes[i].name : NULL;
}

static struct lint_loc kea_scope_loc(void *priv, size_t i)
{
	const struct kea *k = priv;

	return i < k->nscopes ? k->scopes[i].loc : k->top;
}

static void kea_eval(void *priv, size_t i, const struct lint_profile *p, struct lint_offer *o)
{
	const struct kea *k = priv;
	const struct kscope *sc = i < k->nscopes ? &k->scopes[i] : NULL;
	const struct khost *h;
	const struct ksub *s = NULL;
	bool use = true;

	if (sc == NULL || sc->kind == SC_NONE) {
		o->answered = false;
		o->answer_loc = sc != NULL ? sc->loc : k->top;
		return;
	}
	if (sc->kind == SC_SUBNET) {
		eval_client(k, &k->subs[sc->idx], NULL, p, o, sc->loc);
		return;
	}
	h = &k->hosts[sc->idx];
	if (h->sub >= 0) {
		s = &k->subs[h->sub];
		use = res_flag(k, s, false);
	} else {
		/* A global reservation is served from the first subnet with pools that looks
		 * global reservations up; Kea ignores it everywhere else. */
		for (size_t j = 0; j < k->nsubs && s == NULL; j++)
			if (k->subs[j].npools > 0 && res_flag(k, &k->subs[j], true))
				s = &k->subs[j];
		for (size_t j = 0; j < k->nsubs && s == NULL; j++)
			if (k->subs[j].npools > 0) {
				s = &k->subs[j];
				use = false;
			}
	}
	eval_client(k, s, use ? h : NULL, p, o, sc->loc);
}

static const char *kea_tftp_root(void *priv, struct lint_loc *loc)
{
	(void)priv;
	(void)loc;
	return NULL;
}

static void kea_free(void *priv)
{
	struct kea *k = priv;

	if (k == NULL)
		return;
	ar_free(&k->ar);
	free(k);
}

/* Kea ignores a reservation its subnet does not look up (reservations-global defaults to
 * false, reservations-in-subnet to true): the host would be served as an unknown client. */
static void check_hosts(struct kea *k)
{
	bool global = false;

	for (size_t j = 0; j < k->nsubs; j++)
		global = global || res_flag(k, &k->subs[j], true);
	for (size_t i = 0; i < k->nhosts; i++) {
		const struct khost *h = &k->hosts[i];

		if (h->sub < 0 ? !global : !res_flag(k, &k->subs[h->sub], false))
			kadd(k->c, LINT_R_SYNTAX, NBC_SEV_WARNING, h->loc,
			     h->sub < 0 ? "set \"reservations-global\": true where it should apply" : NULL,
			     "Kea never looks this reservation up (%s is false): %.96s is served as "
			     "an unknown client",
			     h->sub < 0 ? "reservations-global" : "reservations-in-subnet", h->ident);
	}
}

/* Required (additional) classes without a test are skipped by the Kea code lint follows; say
 * so where a configuration relies on one, since Kea releases may differ here. */
static void check_required(struct kea *k, const struct names *r)
{
	for (size_t i = 0; i < r->n; i++)
		for (size_t j = 0; j < k->ncls; j++) {
			struct kclass *c = &k->cls[j];

			if (strcmp(c->name, r->v[i]) != 0 || c->test != NULL || c->tmpl != NULL || c->warned)
				continue;
			kadd(k->c, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, c->loc, NULL,
			     "client class \"%.64s\" has no test but is listed for additional evaluation: "
			     "lint does not assign it, as Kea's requiredClassify skips it; newer Kea "
			     "may differ",
			     c->name);
			c->warned = true;
			break;
		}
}

static void build_scopes(struct kea *k)
{
	static struct kscope none;	/* when even that allocation failed */
	size_t n = k->nhosts;
	char name[160];

	for (size_t i = 0; i < k->nsubs; i++)
		n += k->subs[i].npools > 0;
	k->scopes = kalloc(k, n > 0 ? n : 1, sizeof(*k->scopes));
	if (k->scopes == NULL) {
		none = (struct kscope){ SC_NONE, 0, "no subnet", k->top };
		k->scopes = &none;
		k->nscopes = 1;
		return;
	}
	for (size_t i = 0; i < k->nsubs; i++) {
		if (k->subs[i].npools == 0)
			continue;
		snprintf(name, sizeof(name), "subnet %.64s", k->subs[i].text);
		k->scopes[k->nscopes++] = (struct kscope){ SC_SUBNET, i, ar_str(&k->ar, name, strlen(name)),
							   k->subs[i].loc };
	}
	for (size_t i = 0; i < k->nhosts; i++) {
		const struct khost *h = &k->hosts[i];

		snprintf(name, sizeof(name), "reservation %.96s%s%.40s", h->ident,
			 h->sub >= 0 ? " in subnet " : " (global)", h->sub >= 0 ? k->subs[h->sub].text : "");
		k->scopes[k->nscopes++] =
			(struct kscope){ SC_HOST, i, ar_str(&k->ar, name, strlen(name)), h->loc };
	}
	if (k->nscopes == 0)
		k->scopes[k->nscopes++] = (struct kscope){ SC_NONE, 0, "no subnet with a pool", k->top };
	for (size_t i = 0; i < k->nscopes; i++)
		if (k->scopes[i].name == NULL)
			k->scopes[i].name = "(out of memory)";
}

int lint_kea_load(struct lint_ctx *c, const char *path, struct lint_server *out, char *why,
		  size_t why_cap)
{
	struct kea *k;
	struct kj *root;
	char *text;
	size_t len;

	if (lint_read_file(path, &text, &len, why, why_cap) != 0)
		return -1;
	k = calloc(1, sizeof(*k));
	if (k == NULL) {
		free(text);
		snprintf(why, why_cap, "out of memory");
		return -1;
	}
	k->c = c;
	k->rglobal = k->rsubnet = -1;
	k->top = (struct lint_loc){ lint_intern(c, path), 1, 1 };
	root = jparse(k, text, len, path);	/* takes text */
	if (root != NULL) {
		parse_top(k, root);
		check_hosts(k);
		for (size_t i = 0; i < k->nnets; i++)
			check_required(k, &k->nets[i].req);
		for (size_t i = 0; i < k->nsubs; i++) {
			check_required(k, &k->subs[i].req);
			for (size_t j = 0; j < k->subs[i].npools; j++)
				check_required(k, &k->subs[i].pools[j].req);
		}
	}
	if (k->ar.oom)
		kadd(c, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, k->top, NULL,
		     "out of memory while reading the configuration: answers may be incomplete");
	build_scopes(k);
	out->kind = "kea";
	out->path = lint_intern(c, path);
	out->priv = k;
	out->nscopes = kea_nscopes;
	out->scope_name = kea_scope_name;
	out->scope_loc = kea_scope_loc;
	out->eval = kea_eval;
	out->tftp_root = kea_tftp_root;
	out->free = kea_free;
	return 0;
}
