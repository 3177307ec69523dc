/* dhcpd_conf.c: lint's ISC dhcpd backend: dhcpd.conf parsed, then evaluated per scope and profile. */
#include <arpa/inet.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "proto/cursor.h"
#include "lint/lint_priv.h"

/*
 * Parsing builds groups (global, shared-network, subnet, pool, group, host, class,
 * subclass), each with its executable statements (option values, filename, next-server,
 * site/vendor option spaces, allow/deny, if/elsif/else). Evaluating a scope for a profile
 * runs them in dhcpd's order (server/dhcp.c ack_lease) with dhcpd's expression semantics
 * (common/tree.c), then applies what dhcpd sends (common/options.c cons_options). Not
 * evaluated: variables (set), most data functions (binary-to-ascii, extract-int...),
 * arithmetic, DNS lookups of host names, failover, leases. Those conditions count as false
 * with an NBC-CONFIG-UNSUPPORTED warning.
 */

#define TOK_MAX 4096		/* longest word or string */
#define NEST_MAX 64		/* deepest { } nesting */
#define INCLUDE_MAX 16		/* deepest include chain */
#define INCLUDE_BYTES_MAX (4 * (size_t)LINT_FILE_MAX)	/* all included text together */
#define STMT_MAX 1000000u	/* statements in one configuration, includes counted */
#define EXPR_MAX 64		/* deepest expression (operator chains count too) */
#define ERRORS_MAX 100		/* syntax findings before the rest is given up */
#define SCOPES_MAX LINT_SCOPES_MAX	/* what lint evaluates of one server */
#define WORK_MAX 100000000ul	/* scopes x (statements + nodes) evaluated per profile */
#define SEARCH_MAX 50000000ul	/* subnet lookups for shared-network pools */
#define DEFS_MAX 4096		/* option definitions, the ~150 standard ones included */
#define SPACES_MAX 1024
#define RE_MAX 1024		/* longest regular expression compiled */
#define DATA_MAX 512		/* longest value an expression evaluates to */
#define VAL_MAX 255		/* one DHCP option's value */
#define STEPS_MAX 2000000ul	/* statements and expression nodes one evaluation visits */
#define HBUCKETS 1024u
#define NOEXPR UINT_MAX
#define SP_NONE UINT_MAX
#define SP_VENDOR (UINT_MAX - 1)	/* 43's encapsulation: whatever vendor-option-space says */
#define SP_DHCP 0u
#define SP_AGENT 1u

/* ---------------------------------------------------------------------------------------- */
/* The model the parser builds. */

struct space {
	char *name;
	unsigned code_width, len_width;
	bool referenced;	/* encapsulated by an option or named by vendor-option-space */
	unsigned encap_by;	/* the main-space option that carries it, or UINT_MAX */
	struct code_def *defs;	/* its options by code, built after parsing */
	size_t ndefs;
};

struct code_def {
	uint32_t code;
	unsigned def;
};

/*
 * One option definition. fmt uses dhcpd's own format letters (common/tables.c): I address,
 * l/L s/S b/B signed/unsigned 32/16/8-bit, t text, X string or hex, f boolean, d domain
 * name, D domain list, E encapsulation, 6 IPv6 address, Z no value; a after a letter repeats
 * it, A repeats the whole record, o makes the letter before it optional.
 */
struct optdef {
	char *name;
	unsigned space, code;
	char fmt[24];
	unsigned encap;		/* SP_NONE, SP_VENDOR or the space it encapsulates */
	unsigned hnext;
};

enum ek {
	E_DATA, E_OPT, E_CFGOPT, E_EXISTS, E_SUBSTR, E_SUFFIX, E_CONCAT, E_PICK, E_LCASE,
	E_UCASE, E_HW, E_KNOWN, E_STATIC, E_EQ, E_NE, E_RE, E_AND, E_OR, E_NOT, E_UNSUP,
};

struct expr {
	enum ek k;
	unsigned a, b, c;	/* operands */
	unsigned next;		/* the next argument of concat / pick-first-value */
	unsigned def;		/* E_OPT, E_CFGOPT, E_EXISTS */
	bool data_ok, num_ok;	/* E_DATA: a word can be hex data and a number at once */
	uint64_t num;
	uint8_t *data;
	size_t len;
	regex_t *re;
};

enum sk { S_OPTION, S_FILENAME, S_NEXTSERVER, S_SITESPACE, S_VENDORSPACE, S_BOOTING, S_UNKNOWN, S_IF };

struct block {
	struct stmt *v;
	size_t n, cap;
};

struct arm {
	unsigned cond;		/* NOEXPR: else */
	struct block body;
};

struct stmt {
	enum sk k;
	struct lint_loc loc;
	unsigned def;		/* S_OPTION: the option; S_*SPACE: the space (SP_NONE: unknown) */
	unsigned expr;		/* a value given as an expression, else NOEXPR */
	uint8_t *val;
	size_t len;
	bool allow;		/* S_BOOTING, S_UNKNOWN */
	enum { M_SET, M_DEFAULT, M_APPEND, M_PREPEND } mode;	/* S_OPTION */
	bool unresolved;	/* S_NEXTSERVER given as a host name */
	struct arm *arms;	/* S_IF: if, elsif..., else */
	size_t narms;
};

enum gk { G_ROOT, G_SHARED, G_SUBNET, G_GROUP, G_HOST, G_POOL, G_CLASS, G_SUBCLASS };
enum pk { P_UNKNOWN, P_KNOWN, P_MEMBERS, P_ALL, P_BOOTP, P_AUTH, P_UNAUTH, P_AFTER };

struct permit {
	bool allow;
	enum pk k;
	const struct grp *cls;
	struct lint_loc loc;
};

struct grp {
	enum gk k;
	size_t idx;		/* declaration order */
	struct grp *parent;
	struct block body;
	struct lint_loc loc;
	char name[96];
	uint32_t net, mask;	/* G_SUBNET */
	bool has_range;		/* G_SUBNET, G_POOL: a range directly inside */
	struct lint_loc range_loc;
	uint32_t range_lo;
	size_t range_seq;	/* G_SUBNET: where its bare ranges' pool falls among the pools */
	const struct grp *subnet;	/* G_POOL: the subnet its addresses belong to */
	const struct grp *first_pool, *last_pool, *next_pool;	/* a subnet's pools, in order */
	bool serves;		/* G_SUBNET: has a range, bare or in a pool */
	struct grp *first_sub, *last_sub, *next_sub;	/* a class's subclasses, in order */
	struct grp *hnext;	/* G_CLASS: hash chain by name */
	struct grp *next_class;	/* G_CLASS: declaration order */
	struct permit *permits;
	size_t npermits;
	uint8_t hw[17];		/* G_HOST: hardware type + address */
	size_t hwlen;
	uint8_t uid[VAL_MAX];	/* G_HOST: a constant dhcp-client-identifier */
	size_t uidlen;
	bool has_fixed, fixed_resolved;
	uint32_t fixed;
	struct lint_loc fixed_loc;
	unsigned match_if, match, spawn;	/* G_CLASS */
	const struct grp *super;	/* G_SUBCLASS */
	uint8_t *sdata;
	size_t slen;
};

enum sck { SC_SUBNET, SC_HOST, SC_NONE };

struct scope {
	enum sck k;
	const struct grp *g;
	char name[128];
};

struct dh {
	struct lint_ctx *c;
	const char *path;
	struct space *sp;
	size_t nsp;
	struct optdef *defs;
	size_t ndefs, defcap;
	unsigned hb[HBUCKETS];
	struct expr *ex;
	size_t nex, excap;
	struct grp **g;
	size_t ng, gcap;
	struct grp *chb[HBUCKETS];	/* classes by name */
	struct grp *first_class, *last_class;
	size_t nclasses;
	const struct grp **subnets;
	size_t nsubnets;
	struct scope *sc;
	size_t nsc;
	size_t nstmts, host_stmts, nhosts;
	bool oom;
	/* host_for's last answer: the built-in profiles all have one MAC and client id */
	bool hc_valid;
	uint8_t hc_key[6 + 1 + 255];
	const struct grp *hc_host;
};

/* dhcp-options(5) / common/tables.c of ISC DHCP 4.4 (names, codes and formats). */
static const struct {
	const char *name;
	unsigned code;
	const char *fmt;
} std_opts[] = {
	{ "subnet-mask", 1, "I" }, { "time-offset", 2, "l" }, { "routers", 3, "Ia" },
	{ "time-servers", 4, "Ia" }, { "ien116-name-servers", 5, "Ia" },
	{ "domain-name-servers", 6, "Ia" }, { "log-servers", 7, "Ia" },
	{ "cookie-servers", 8, "Ia" }, { "lpr-servers", 9, "Ia" }, { "impress-servers", 10, "Ia" },
	{ "resource-location-servers", 11, "Ia" }, { "host-name", 12, "t" },
	{ "boot-size", 13, "S" }, { "merit-dump", 14, "t" }, { "domain-name", 15, "t" },
	{ "swap-server", 16, "I" }, { "root-path", 17, "t" }, { "extensions-path", 18, "t" },
	{ "ip-forwarding", 19, "f" }, { "non-local-source-routing", 20, "f" },
	{ "policy-filter", 21, "IIA" }, { "max-dgram-reassembly", 22, "S" },
	{ "default-ip-ttl", 23, "B" }, { "path-mtu-aging-timeout", 24, "L" },
	{ "path-mtu-plateau-table", 25, "Sa" }, { "interface-mtu", 26, "S" },
	{ "all-subnets-local", 27, "f" }, { "broadcast-address", 28, "I" },
	{ "perform-mask-discovery", 29, "f" }, { "mask-supplier", 30, "f" },
	{ "router-discovery", 31, "f" }, { "router-solicitation-address", 32, "I" },
	{ "static-routes", 33, "IIA" }, { "trailer-encapsulation", 34, "f" },
	{ "arp-cache-timeout", 35, "L" }, { "ieee802-3-encapsulation", 36, "f" },
	{ "default-tcp-ttl", 37, "B" }, { "tcp-keepalive-interval", 38, "L" },
	{ "tcp-keepalive-garbage", 39, "f" }, { "nis-domain", 40, "t" },
	{ "nis-servers", 41, "Ia" }, { "ntp-servers", 42, "Ia" },
	{ "vendor-encapsulated-options", 43, "E" }, { "netbios-name-servers", 44, "Ia" },
	{ "netbios-dd-server", 45, "Ia" }, { "netbios-node-type", 46, "B" },
	{ "netbios-scope", 47, "t" }, { "font-servers", 48, "Ia" },
	{ "x-display-manager", 49, "Ia" }, { "dhcp-requested-address", 50, "I" },
	{ "dhcp-lease-time", 51, "L" }, { "dhcp-option-overload", 52, "B" },
	{ "dhcp-message-type", 53, "B" }, { "dhcp-server-identifier", 54, "I" },
	{ "dhcp-parameter-request-list", 55, "Ba" }, { "dhcp-message", 56, "t" },
	{ "dhcp-max-message-size", 57, "S" }, { "dhcp-renewal-time", 58, "L" },
	{ "dhcp-rebinding-time", 59, "L" }, { "vendor-class-identifier", 60, "X" },
	{ "dhcp-client-identifier", 61, "X" }, { "nwip-domain", 62, "t" },
	{ "nwip-suboptions", 63, "X" }, { "nisplus-domain", 64, "t" },
	{ "nisplus-servers", 65, "Ia" }, { "tftp-server-name", 66, "t" },
	{ "bootfile-name", 67, "t" }, { "mobile-ip-home-agent", 68, "Ia" },
	{ "smtp-server", 69, "Ia" }, { "pop-server", 70, "Ia" }, { "nntp-server", 71, "Ia" },
	{ "www-server", 72, "Ia" }, { "finger-server", 73, "Ia" }, { "irc-server", 74, "Ia" },
	{ "streettalk-server", 75, "Ia" },
	{ "streettalk-directory-assistance-server", 76, "Ia" }, { "user-class", 77, "t" },
	{ "slp-directory-agent", 78, "fIa" }, { "slp-service-scope", 79, "fto" },
	{ "fqdn", 81, "X" }, { "relay-agent-information", 82, "X" },
	{ "nds-servers", 85, "Ia" }, { "nds-tree-name", 86, "t" }, { "nds-context", 87, "t" },
	{ "bcms-controller-names", 88, "D" }, { "bcms-controller-address", 89, "Ia" },
	{ "client-last-transaction-time", 91, "L" }, { "associated-ip", 92, "Ia" },
	{ "pxe-system-type", 93, "Sa" }, { "pxe-interface-id", 94, "BBB" },
	{ "pxe-client-id", 97, "BX" }, { "uap-servers", 98, "t" }, { "geoconf-civic", 99, "X" },
	{ "pcode", 100, "t" }, { "tcode", 101, "t" }, { "v6-only-preferred", 108, "L" },
	{ "netinfo-server-address", 112, "Ia" }, { "netinfo-server-tag", 113, "t" },
	{ "default-url", 114, "t" }, { "auto-config", 116, "B" },
	{ "name-service-search", 117, "Sa" }, { "subnet-selection", 118, "I" },
	{ "domain-search", 119, "D" }, { "vivco", 124, "X" }, { "vivso", 125, "X" },
	{ "pana-agent", 136, "Ia" }, { "v4-lost", 137, "d" }, { "capwap-ac-v4", 138, "Ia" },
	{ "sip-ua-cs-domains", 141, "D" }, { "ipv4-address-andsf", 142, "Ia" },
	{ "tftp-server-address", 150, "Ia" }, { "v4-portparams", 159, "BBS" },
	{ "v4-captive-portal", 160, "t" }, { "v4-access-domain", 213, "d" },
};

/* The relay agent sub-options (dhcpd's "agent" space), so conditions on them parse. */
static const struct {
	const char *name;
	unsigned code;
	const char *fmt;
} agent_opts[] = {
	{ "circuit-id", 1, "X" }, { "remote-id", 2, "X" }, { "agent-id", 3, "I" },
	{ "DOCSIS-device-class", 4, "L" }, { "link-selection", 5, "I" },
};

/* Parameters lint does not evaluate but whose argument count it knows, so a missing
 * semicolon after them is caught instead of swallowing the next statement. */
static const struct {
	const char *name;
	unsigned nargs;
} params[] = {
	{ "authoritative", 0 }, { "default-lease-time", 1 }, { "max-lease-time", 1 },
	{ "min-lease-time", 1 }, { "ddns-update-style", 1 }, { "ddns-updates", 1 },
	{ "ddns-domainname", 1 }, { "ddns-rev-domainname", 1 }, { "ddns-hostname", 1 },
	{ "ddns-ttl", 1 }, { "log-facility", 1 }, { "lease-file-name", 1 },
	{ "pid-file-name", 1 }, { "ping-check", 1 }, { "ping-timeout", 1 },
	{ "one-lease-per-client", 1 }, { "use-host-decl-names", 1 },
	{ "get-lease-hostnames", 1 }, { "update-static-leases", 1 },
	{ "update-optimization", 1 }, { "update-conflict-detection", 1 },
	{ "always-broadcast", 1 }, { "always-reply-rfc1048", 1 },
	{ "dynamic-bootp-lease-length", 1 }, { "min-secs", 1 }, { "stash-agent-options", 1 },
	{ "local-port", 1 }, { "remote-port", 1 }, { "omapi-port", 1 },
	{ "server-identifier", 1 }, { "local-address", 1 }, { "echo-client-id", 1 },
	{ "ignore-client-uids", 1 }, { "infinite-is-reserved", 1 },
	{ "dhcp-cache-threshold", 1 }, { "adaptive-lease-time-threshold", 1 },
	{ "do-forward-updates", 1 }, { "use-lease-addr-for-default-route", 1 },
	{ "server-name", 1 },
};

/* ---------------------------------------------------------------------------------------- */
/* Small helpers. */

static bool word_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '-' || ch == '_' || ch == '.' || ch == ':';
}


static char lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

/* A dotted quad, strictly: four decimal parts 0-255. */
static bool parse_ip4(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;
	unsigned part = 0, digits = 0, parts = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (digits == 0 || part > 255)
				return false;
			v = v << 8 | part;
			parts++;
			part = digits = 0;
			continue;
		}
		if (s[i] < '0' || s[i] > '9' || ++digits > 3)
			return false;
		part = part * 10 + (unsigned)(s[i] - '0');
	}
	if (parts != 4)
		return false;
	*out = v;
	return true;
}

/* A colon-separated list of hex octets (d0, f1:00:74:7e, 0:7). Returns the length or -1. */
static long parse_cshl(const char *s, size_t n, uint8_t *out, size_t cap)
{
	size_t len = 0, i = 0;

	if (n == 0)
		return -1;
	while (i < n) {
		int hi = hex_digit(s[i]), lo = i + 1 < n ? hex_digit(s[i + 1]) : -1;
		unsigned v;

		if (hi < 0)
			return -1;
		if (lo >= 0) {
			v = (unsigned)(hi << 4 | lo);
			i += 2;
		} else {
			v = (unsigned)hi;
			i++;
		}
		if (i < n && s[i] != ':')
			return -1;
		if (i < n && ++i == n)
			return -1;	/* a trailing colon */
		if (len < cap)
			out[len] = (uint8_t)v;
		len++;
	}
	return (long)(len < cap ? len : cap);
}

static bool parse_num(const char *s, size_t n, long long *out)
{
	char buf[32];
	char *end;

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (buf[0] == '+')
		return false;
	*out = strtoll(buf, &end, buf[0] == '0' && lower(buf[1]) == 'x' ? 16 : 10);
	return *end == '\0';
}

static void *xrealloc_array(void *p, size_t n, size_t size)
{
	if (n != 0 && size > SIZE_MAX / n)
		return NULL;
	/* Never realloc(p, 0), which may free p. */
	return realloc(p, n != 0 && size != 0 ? n * size : 1);
}

/* ---------------------------------------------------------------------------------------- */
/* Lexer: words, strings, punctuation, with line and column. */

enum tk {
	TK_EOF, TK_WORD, TK_STR, TK_LBRACE, TK_RBRACE, TK_SEMI, TK_COMMA, TK_LPAREN, TK_RPAREN,
	TK_EQ, TK_NE, TK_RE, TK_IRE, TK_OTHER, TK_BAD,
};

struct tok {
	enum tk k;
	const char *p;		/* raw text (a string's without its quotes) */
	size_t n;
	unsigned line, col;
	unsigned eline, ecol;	/* just after the token */
};

struct lexer {
	const char *file;	/* interned */
	const char *text;
	size_t len, pos;
	unsigned line, col;
	unsigned pline, pcol;	/* end of the last token taken */
	bool dead;		/* an unterminated string ate the rest */
	struct tok la;		/* lookahead */
};

struct parser {
	struct lint_ctx *c;
	struct dh *d;
	struct lexer *lx;
	unsigned depth, incdepth;
	size_t nstmts;
	unsigned nerrors;
	size_t inc_bytes;
	bool stop;
	struct {
		dev_t dev;
		ino_t ino;
	} inc[INCLUDE_MAX + 1];
	unsigned ninc;
};

static struct lint_loc loc_at(const struct parser *p, unsigned line, unsigned col)
{
	struct lint_loc l = { p->lx->file, line, col };
	return l;
}

static struct lint_loc tok_loc(const struct parser *p, const struct tok *t)
{
	return loc_at(p, t->line, t->col);
}

static void vfinding(struct parser *p, const char *rule, enum nbc_sev sev, struct lint_loc l,
		     const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
static void vfinding(struct parser *p, const char *rule, enum nbc_sev sev, struct lint_loc l,
		     const char *fmt, va_list ap)
{
	char msg[NBC_MSG_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	lint_add(p->c, rule, sev, l, NULL, "%s", msg);
}

/* A syntax error; past ERRORS_MAX of them the rest of the configuration is skipped. */
static void syntax(struct parser *p, struct lint_loc l, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void syntax(struct parser *p, struct lint_loc l, const char *fmt, ...)
{
	va_list ap;

	if (p->stop)
		return;
	if (++p->nerrors > ERRORS_MAX) {
		lint_add(p->c, LINT_R_SYNTAX, NBC_SEV_ERROR, l, NULL,
			 "more than %u syntax errors: the rest of the configuration is not checked",
			 ERRORS_MAX);
		p->stop = true;
		return;
	}
	va_start(ap, fmt);
	vfinding(p, LINT_R_SYNTAX, NBC_SEV_ERROR, l, fmt, ap);
	va_end(ap);
}

static void unsupported(struct parser *p, struct lint_loc l, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void unsupported(struct parser *p, struct lint_loc l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfinding(p, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, l, fmt, ap);
	va_end(ap);
}

static void lex(struct parser *p)
{
	struct lexer *lx = p->lx;
	struct tok *t = &lx->la;

	for (;;) {
		if (lx->pos >= lx->len) {
			memset(t, 0, sizeof(*t));
			t->k = TK_EOF;
			t->line = t->eline = lx->line;
			t->col = t->ecol = lx->col;
			return;
		}
		char ch = lx->text[lx->pos];

		if (ch == '\n') {
			lx->pos++;
			lx->line++;
			lx->col = 1;
		} else if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v' ||
			   ch == '\0') {
			/* NUL bytes were reported once when the file was loaded. */
			lx->pos++;
			lx->col++;
		} else if (ch == '#') {
			while (lx->pos < lx->len && lx->text[lx->pos] != '\n') {
				lx->pos++;
				lx->col++;
			}
		} else {
			break;
		}
	}
	memset(t, 0, sizeof(*t));
	t->line = lx->line;
	t->col = lx->col;
	t->p = lx->text + lx->pos;
	unsigned char ch = (unsigned char)lx->text[lx->pos];

	if (ch == '"') {
		/* Strings may span lines in dhcpd.conf; an unterminated one runs to the end. */
		size_t start = ++lx->pos;

		lx->col++;
		while (lx->pos < lx->len && lx->text[lx->pos] != '"') {
			if (lx->text[lx->pos] == '\\' && lx->pos + 1 < lx->len) {
				lx->pos++;
				lx->col++;
			}
			if (lx->text[lx->pos] == '\n') {
				lx->line++;
				lx->col = 0;
			}
			lx->pos++;
			lx->col++;
		}
		t->p = lx->text + start;
		t->n = lx->pos - start;
		if (lx->pos >= lx->len) {
			syntax(p, tok_loc(p, t), "unterminated string");
			lx->dead = true;
			t->k = TK_BAD;
		} else {
			lx->pos++;
			lx->col++;
			t->k = TK_STR;
			if (t->n > TOK_MAX) {
				syntax(p, tok_loc(p, t), "string longer than %u bytes", TOK_MAX);
				t->k = TK_BAD;
			}
		}
	} else if (word_char(ch)) {
		size_t start = lx->pos;

		while (lx->pos < lx->len && word_char((unsigned char)lx->text[lx->pos])) {
			lx->pos++;
			lx->col++;
		}
		t->n = lx->pos - start;
		t->k = TK_WORD;
		if (t->n > TOK_MAX) {
			syntax(p, tok_loc(p, t), "token longer than %u bytes", TOK_MAX);
			t->k = TK_BAD;
		}
	} else {
		static const struct {
			char c1, c2;
			enum tk k;
		} punct[] = {
			{ '!', '=', TK_NE }, { '~', '=', TK_RE }, { '~', '~', TK_IRE },
			{ '{', 0, TK_LBRACE }, { '}', 0, TK_RBRACE }, { ';', 0, TK_SEMI },
			{ ',', 0, TK_COMMA }, { '(', 0, TK_LPAREN }, { ')', 0, TK_RPAREN },
			{ '=', 0, TK_EQ },
		};
		char next = lx->pos + 1 < lx->len ? lx->text[lx->pos + 1] : '\0';

		t->k = TK_OTHER;
		t->n = 1;
		for (size_t i = 0; i < sizeof(punct) / sizeof(punct[0]); i++) {
			if (punct[i].c1 == (char)ch && (punct[i].c2 == 0 || punct[i].c2 == next)) {
				t->k = punct[i].k;
				t->n = punct[i].c2 ? 2 : 1;
				break;
			}
		}
		lx->pos += t->n;
		lx->col += (unsigned)t->n;
	}
	t->eline = lx->line;
	t->ecol = lx->col;
}

static const struct tok *peek(const struct parser *p)
{
	return &p->lx->la;
}

static void take(struct parser *p, struct tok *t)
{
	if (t != NULL)
		*t = p->lx->la;
	p->lx->pline = p->lx->la.eline;
	p->lx->pcol = p->lx->la.ecol;
	if (p->lx->la.k != TK_EOF)
		lex(p);
}

static bool is_kw(const struct tok *t, const char *kw)
{
	size_t n = strlen(kw);

	return t->k == TK_WORD && t->n == n && strncasecmp(t->p, kw, n) == 0;
}

static void tok_str(const struct tok *t, char *buf, size_t cap)
{
	size_t n = t->n < cap - 1 ? t->n : cap - 1;

	memcpy(buf, t->p, n);
	buf[n] = '\0';
}

/* A string token's bytes with dhcpd's escapes (dhcp-eval(5): \t \r \n \b \NNN \xNN). */
static size_t str_decode(const struct tok *t, uint8_t *out, size_t cap)
{
	size_t len = 0;

	for (size_t i = 0; i < t->n; i++) {
		unsigned v = (unsigned char)t->p[i];

		if (v == '\\' && i + 1 < t->n) {
			char e = t->p[++i];

			if (e >= '0' && e <= '7') {
				v = 0;
				for (int k = 0; k < 3 && i < t->n && t->p[i] >= '0' && t->p[i] <= '7'; k++)
					v = v * 8 + (unsigned)(t->p[i++] - '0');
				i--;
			} else if (e == 'x' && i + 1 < t->n && hex_digit(t->p[i + 1]) >= 0) {
				v = 0;
				for (int k = 0; k < 2 && i + 1 < t->n && hex_digit(t->p[i + 1]) >= 0; k++)
					v = v * 16 + (unsigned)hex_digit(t->p[++i]);
			} else {
				v = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' :
				    e == 'b' ? '\b' : (unsigned char)e;
			}
		}
		if (len < cap)
			out[len] = (uint8_t)v;
		len++;
	}
	return len < cap ? len : cap;
}

/* ---------------------------------------------------------------------------------------- */
/* Model building. */

static unsigned hash_name(unsigned space, const char *name, size_t n)
{
	uint32_t h = 2166136261u ^ space;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)lower(name[i])) * 16777619u;
	return h % HBUCKETS;
}

static unsigned find_def(const struct dh *d, unsigned space, const char *name, size_t n)
{
	for (unsigned i = d->hb[hash_name(space, name, n)]; i != UINT_MAX; i = d->defs[i].hnext)
		if (d->defs[i].space == space && strlen(d->defs[i].name) == n &&
		    strncasecmp(d->defs[i].name, name, n) == 0)
			return i;
	return UINT_MAX;
}

static unsigned find_space(const struct dh *d, const char *name, size_t n)
{
	for (size_t i = 0; i < d->nsp; i++)
		if (strlen(d->sp[i].name) == n && strncasecmp(d->sp[i].name, name, n) == 0)
			return (unsigned)i;
	return SP_NONE;
}

static char *dupn(const char *s, size_t n)
{
	char *r = malloc(n + 1);

	if (r != NULL) {
		memcpy(r, s, n);
		r[n] = '\0';
	}
	return r;
}

static unsigned add_space(struct dh *d, const char *name, size_t n, unsigned cw, unsigned lw)
{
	struct space *v;

	if (d->nsp >= SPACES_MAX)
		return SP_NONE;
	v = xrealloc_array(d->sp, d->nsp + 1, sizeof(*v));

	if (v == NULL) {
		d->oom = true;
		return SP_NONE;
	}
	d->sp = v;
	memset(&v[d->nsp], 0, sizeof(v[0]));
	v[d->nsp].name = dupn(name, n);
	if (v[d->nsp].name == NULL) {
		d->oom = true;
		return SP_NONE;
	}
	v[d->nsp].code_width = cw;
	v[d->nsp].len_width = lw;
	v[d->nsp].encap_by = UINT_MAX;
	return (unsigned)d->nsp++;
}

/* Defines (or redefines) an option; returns its index or UINT_MAX. */
static unsigned add_def(struct dh *d, unsigned space, const char *name, size_t n, unsigned code,
			const char *fmt, unsigned encap)
{
	unsigned i = find_def(d, space, name, n);

	if (i == UINT_MAX) {
		if (d->ndefs >= DEFS_MAX)
			return UINT_MAX;
		if (d->ndefs == d->defcap) {
			size_t cap = d->defcap ? d->defcap * 2 : 256;
			struct optdef *v = xrealloc_array(d->defs, cap, sizeof(*v));

			if (v == NULL) {
				d->oom = true;
				return UINT_MAX;
			}
			d->defs = v;
			d->defcap = cap;
		}
		i = (unsigned)d->ndefs;
		memset(&d->defs[i], 0, sizeof(d->defs[i]));
		d->defs[i].name = dupn(name, n);
		if (d->defs[i].name == NULL) {
			d->oom = true;
			return UINT_MAX;
		}
		d->defs[i].space = space;
		unsigned h = hash_name(space, name, n);

		d->defs[i].hnext = d->hb[h];
		d->hb[h] = i;
		d->ndefs++;
	}
	d->defs[i].code = code;
	d->defs[i].encap = encap;
	snprintf(d->defs[i].fmt, sizeof(d->defs[i].fmt), "%s", fmt);
	return i;
}

static struct dh *dh_new(struct lint_ctx *c, const char *path)
{
	struct dh *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->c = c;
	d->path = lint_intern(c, path);
	for (unsigned i = 0; i < HBUCKETS; i++)
		d->hb[i] = UINT_MAX;
	add_space(d, "dhcp", 4, 1, 1);
	add_space(d, "agent", 5, 1, 1);
	for (size_t i = 0; i < sizeof(std_opts) / sizeof(std_opts[0]); i++)
		add_def(d, SP_DHCP, std_opts[i].name, strlen(std_opts[i].name), std_opts[i].code,
			std_opts[i].fmt, std_opts[i].code == 43 ? SP_VENDOR : SP_NONE);
	for (size_t i = 0; i < sizeof(agent_opts) / sizeof(agent_opts[0]); i++)
		add_def(d, SP_AGENT, agent_opts[i].name, strlen(agent_opts[i].name),
			agent_opts[i].code, agent_opts[i].fmt, SP_NONE);
	return d;
}

static unsigned ex_new(struct parser *p, enum ek k)
{
	struct dh *d = p->d;

	if (d->nex >= UINT_MAX - 2) {
		d->oom = p->stop = true;
		return NOEXPR;
	}
	if (d->nex == d->excap) {
		size_t cap = d->excap ? d->excap * 2 : 64;
		struct expr *v = xrealloc_array(d->ex, cap, sizeof(*v));

		if (v == NULL) {
			d->oom = p->stop = true;
			return NOEXPR;
		}
		d->ex = v;
		d->excap = cap;
	}
	struct expr *e = &d->ex[d->nex];

	memset(e, 0, sizeof(*e));
	e->k = k;
	e->a = e->b = e->c = e->next = e->def = NOEXPR;
	return (unsigned)d->nex++;
}

static struct stmt *blk_add(struct parser *p, struct block *b, enum sk k, struct lint_loc l)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8;
		struct stmt *v = xrealloc_array(b->v, cap, sizeof(*v));

		if (v == NULL) {
			p->d->oom = true;
			p->stop = true;
			return NULL;
		}
		b->v = v;
		b->cap = cap;
	}
	struct stmt *s = &b->v[b->n++];

	memset(s, 0, sizeof(*s));
	s->k = k;
	s->loc = l;
	s->expr = NOEXPR;
	s->def = SP_NONE;
	return s;
}

static struct grp *grp_new(struct parser *p, enum gk k, struct grp *parent, struct lint_loc l)
{
	struct dh *d = p->d;

	if (d->ng == d->gcap) {
		size_t cap = d->gcap ? d->gcap * 2 : 16;
		struct grp **v = xrealloc_array(d->g, cap, sizeof(*v));

		if (v == NULL) {
			d->oom = true;
			p->stop = true;
			return NULL;
		}
		d->g = v;
		d->gcap = cap;
	}
	struct grp *g = calloc(1, sizeof(*g));

	if (g == NULL) {
		d->oom = true;
		p->stop = true;
		return NULL;
	}
	g->k = k;
	g->idx = d->ng;
	g->parent = parent;
	g->loc = l;
	g->match_if = g->match = g->spawn = NOEXPR;
	d->g[d->ng++] = g;
	if (k == G_HOST)
		d->nhosts++;
	if (k == G_SUBNET) {
		const struct grp **v = xrealloc_array(d->subnets, d->nsubnets + 1, sizeof(*v));

		if (v == NULL) {
			d->oom = p->stop = true;
			return g;
		}
		d->subnets = v;
		v[d->nsubnets++] = g;
	}
	if (k == G_CLASS) {
		d->nclasses++;
		if (d->last_class != NULL)
			d->last_class->next_class = g;
		else
			d->first_class = g;
		d->last_class = g;
	}
	return g;
}

/* ---------------------------------------------------------------------------------------- */
/* Recovery. */

/* Skips the rest of a { } block whose opening brace was taken, without recursion. */
static void skip_block(struct parser *p)
{
	size_t depth = 1;

	while (depth > 0 && peek(p)->k != TK_EOF) {
		if (peek(p)->k == TK_LBRACE)
			depth++;
		else if (peek(p)->k == TK_RBRACE)
			depth--;
		take(p, NULL);
	}
}

/* After an error: skips to the end of the statement (its ';', or over its block). */
static void recover(struct parser *p)
{
	for (;;) {
		enum tk k = peek(p)->k;

		if (k == TK_EOF || k == TK_RBRACE)
			return;
		take(p, NULL);
		if (k == TK_SEMI)
			return;
		if (k == TK_LBRACE) {
			skip_block(p);
			return;
		}
	}
}

static void expect_semi(struct parser *p)
{
	const struct tok *t = peek(p);

	if (t->k == TK_SEMI) {
		take(p, NULL);
		return;
	}
	if (t->k != TK_BAD && !p->lx->dead)
		syntax(p, loc_at(p, p->lx->pline, p->lx->pcol), "expecting a semicolon");
	/* A token on a later line most likely starts the next statement: keep it. */
	if (t->line > p->lx->pline && t->k == TK_WORD)
		return;
	recover(p);
}

static void expected(struct parser *p, const char *what)
{
	const struct tok *t = peek(p);

	if (t->k == TK_SEMI || t->k == TK_EOF || t->k == TK_RBRACE)
		syntax(p, loc_at(p, p->lx->pline, p->lx->pcol), "expecting %s", what);
	else if (t->k != TK_BAD)
		syntax(p, tok_loc(p, t), "expecting %s", what);
	recover(p);
}

/* ---------------------------------------------------------------------------------------- */
/* Option names and values. */

/* [SPACE.]NAME of a taken word; reports unknown ones. Returns the definition or UINT_MAX. */
static unsigned resolve_optname(struct parser *p, const struct tok *t)
{
	const char *dot = memchr(t->p, '.', t->n);
	unsigned space, def;
	int shown = (int)(t->n < 200 ? t->n : 200);

	if (dot == NULL) {
		def = find_def(p->d, SP_DHCP, t->p, t->n);
	} else {
		space = find_space(p->d, t->p, (size_t)(dot - t->p));
		if (space == SP_NONE) {
			syntax(p, tok_loc(p, t), "unknown option %.*s (no option space %.*s)", shown,
			       t->p, (int)(dot - t->p), t->p);
			return UINT_MAX;
		}
		def = find_def(p->d, space, dot + 1, t->n - (size_t)(dot + 1 - t->p));
	}
	if (def == UINT_MAX)
		syntax(p, tok_loc(p, t), "unknown option %.*s", shown, t->p);
	return def;
}

static unsigned parse_optname(struct parser *p)
{
	struct tok t;

	if (peek(p)->k != TK_WORD) {
		expected(p, "an option name");
		return UINT_MAX;
	}
	take(p, &t);
	return resolve_optname(p, &t);
}

struct vbuf {
	uint8_t b[DATA_MAX];
	size_t len;
	bool unresolved;
};

static void vput(struct vbuf *v, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n && v->len < sizeof(v->b); i++)
		v->b[v->len++] = b[i];
}

static void vput_int(struct vbuf *v, uint64_t x, unsigned bytes)
{
	for (unsigned i = bytes; i > 0; i--) {
		uint8_t b = (uint8_t)(x >> (8 * (i - 1)));

		vput(v, &b, 1);
	}
}

/* One value of one format letter. */
static bool parse_atom(struct parser *p, char a, struct vbuf *v)
{
	struct tok t;
	uint8_t tmp[TOK_MAX];
	long long n;
	uint32_t ip;
	static const struct {
		char a;
		unsigned bytes;
		long long lo, hi;
		const char *what;
	} ints[] = {
		{ 'B', 1, 0, 255, "an unsigned 8-bit integer" },
		{ 'b', 1, -128, 127, "a signed 8-bit integer" },
		{ 'S', 2, 0, 65535, "an unsigned 16-bit integer" },
		{ 's', 2, -32768, 32767, "a signed 16-bit integer" },
		{ 'L', 4, 0, 4294967295LL, "an unsigned 32-bit integer" },
		{ 'l', 4, -2147483648LL, 2147483647LL, "a signed 32-bit integer" },
	};

	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		if (ints[i].a != a)
			continue;
		if (peek(p)->k != TK_WORD || !parse_num(peek(p)->p, peek(p)->n, &n) ||
		    n < ints[i].lo || n > ints[i].hi) {
			expected(p, ints[i].what);
			return false;
		}
		take(p, NULL);
		vput_int(v, (uint64_t)n, ints[i].bytes);
		return true;
	}
	switch (a) {
	case 'I':
		if (peek(p)->k != TK_WORD) {
			expected(p, "an IP address");
			return false;
		}
		take(p, &t);
		if (parse_ip4(t.p, t.n, &ip)) {
			vput_int(v, ip, 4);
			return true;
		}
		/* A host name: dhcpd resolves it at run time; lint cannot. */
		v->unresolved = true;
		return true;
	case '6': {
		char buf[64];
		uint8_t a6[16];

		if (peek(p)->k != TK_WORD || peek(p)->n >= sizeof(buf)) {
			expected(p, "an IPv6 address");
			return false;
		}
		tok_str(peek(p), buf, sizeof(buf));
		if (inet_pton(AF_INET6, buf, a6) != 1) {
			expected(p, "an IPv6 address");
			return false;
		}
		take(p, NULL);
		vput(v, a6, 16);
		return true;
	}
	case 't':
	case 'd':
		if (peek(p)->k != TK_STR && !(a == 'd' && peek(p)->k == TK_WORD)) {
			expected(p, "a quoted string");
			return false;
		}
		take(p, &t);
		if (t.k == TK_STR)
			vput(v, tmp, str_decode(&t, tmp, sizeof(tmp)));
		else
			vput(v, (const uint8_t *)t.p, t.n);
		return true;
	case 'X':
	case 'E': {
		long r;

		if (peek(p)->k == TK_STR) {
			take(p, &t);
			vput(v, tmp, str_decode(&t, tmp, sizeof(tmp)));
			return true;
		}
		if (peek(p)->k != TK_WORD ||
		    (r = parse_cshl(peek(p)->p, peek(p)->n, tmp, sizeof(tmp))) < 0) {
			expected(p, "a string or colon-separated hex list");
			return false;
		}
		take(p, NULL);
		vput(v, tmp, (size_t)r);
		return true;
	}
	case 'f':
		if (peek(p)->k == TK_WORD) {
			static const char *const yes[] = { "true", "on" }, *const no[] = { "false", "off", "ignore" };
			uint8_t b = 2;

			for (size_t i = 0; i < 2; i++)
				if (is_kw(peek(p), yes[i]))
					b = 1;
			for (size_t i = 0; i < 3; i++)
				if (is_kw(peek(p), no[i]))
					b = 0;
			if (b != 2) {
				take(p, NULL);
				vput(v, &b, 1);
				return true;
			}
		}
		expected(p, "a boolean (true, false, on, off)");
		return false;
	case 'D':
		/* A list of domain names, each in DNS wire format (RFC 1035), no compression. */
		for (;;) {
			size_t len, start = 0;

			if (peek(p)->k != TK_STR) {
				expected(p, "a quoted domain name");
				return false;
			}
			take(p, &t);
			len = str_decode(&t, tmp, sizeof(tmp));
			for (size_t i = 0; i <= len; i++) {
				if (i < len && tmp[i] != '.')
					continue;
				if (i > start && i - start < 64) {
					uint8_t l = (uint8_t)(i - start);

					vput(v, &l, 1);
					vput(v, tmp + start, i - start);
				}
				start = i + 1;
			}
			vput(v, (const uint8_t *)"", 1);
			if (peek(p)->k != TK_COMMA)
				return true;
			take(p, NULL);
		}
	case 'Z':
		return true;
	default:
		expected(p, "a value lint understands");
		return false;
	}
}

/* Parses an option's value per its format, up to (not including) the ';'. */
static bool parse_values(struct parser *p, const char *fmt, struct vbuf *v)
{
	char atoms[24] = { 0 };
	bool optional[24] = { false };
	size_t n = 0;
	char arr = 0;

	for (const char *f = fmt; *f != '\0' && n < sizeof(atoms); f++) {
		if (*f == 'a' || *f == 'A')
			arr = *f;
		else if (*f == 'o' && n > 0)
			optional[n - 1] = true;
		else if (*f != 'c') {
			optional[n] = false;
			atoms[n++] = *f;
		}
	}
	/* Records of several fields are space-separated within, comma-separated between. */
	for (unsigned rec = 0; rec < DATA_MAX; rec++) {
		for (size_t i = 0; i < n; i++) {
			if (optional[i] && peek(p)->k == TK_SEMI)
				return true;
			if (!parse_atom(p, atoms[i], v))
				return false;
			if (arr == 'a' && i == n - 1) {
				while (peek(p)->k == TK_COMMA && !p->stop) {
					take(p, NULL);
					if (!parse_atom(p, atoms[i], v))
						return false;
				}
			}
		}
		if (arr != 'A' || peek(p)->k != TK_COMMA)
			return true;
		take(p, NULL);
	}
	return true;
}

/* ---------------------------------------------------------------------------------------- */
/* Expressions (dhcp-eval(5)). */

static unsigned parse_or(struct parser *p, unsigned depth);

static bool expect_tok(struct parser *p, enum tk k, const char *what)
{
	if (peek(p)->k == k) {
		take(p, NULL);
		return true;
	}
	expected(p, what);
	return false;
}

/* name ( arg, arg, ... ) with the name taken; args linked through next. */
static unsigned parse_args(struct parser *p, enum ek k, unsigned min, unsigned max, unsigned depth)
{
	unsigned e = ex_new(p, k), prev = NOEXPR, n = 0;

	if (e == NOEXPR || !expect_tok(p, TK_LPAREN, "'('"))
		return NOEXPR;
	for (;;) {
		unsigned a = parse_or(p, depth + 1);

		if (a == NOEXPR)
			return NOEXPR;
		if (prev == NOEXPR)
			p->d->ex[e].a = a;
		else
			p->d->ex[prev].next = a;
		prev = a;
		n++;
		if (peek(p)->k != TK_COMMA || n >= max)
			break;
		take(p, NULL);
	}
	if (!expect_tok(p, TK_RPAREN, n < max ? "',' or ')'" : "')'"))
		return NOEXPR;
	if (n < min) {
		syntax(p, loc_at(p, p->lx->pline, p->lx->pcol), "expecting %u arguments", min);
		return NOEXPR;
	}
	struct expr *x = &p->d->ex[e];

	if (k == E_SUBSTR || k == E_SUFFIX) {
		x->b = p->d->ex[x->a].next;
		if (k == E_SUBSTR)
			x->c = p->d->ex[x->b].next;
	}
	return e;
}

/*
 * A constant: a string, colon-separated hex octets (dhcpd reads d0 as the byte 0xd0), a
 * dotted quad, a number. Its own function so the buffer is not on the recursion's stack.
 */
static unsigned data_node(struct parser *p, const struct tok *t)
{
	uint8_t tmp[TOK_MAX];
	long r;
	uint32_t ip;
	long long num = 0;
	bool isnum = false;
	unsigned e;
	struct expr *x;

	if (t->k == TK_STR) {
		r = (long)str_decode(t, tmp, sizeof(tmp));
	} else {
		r = parse_cshl(t->p, t->n, tmp, sizeof(tmp));
		isnum = parse_num(t->p, t->n, &num) && num >= 0;
		if (r < 0 && parse_ip4(t->p, t->n, &ip)) {
			for (unsigned i = 0; i < 4; i++)
				tmp[i] = (uint8_t)(ip >> (24 - 8 * i));
			r = 4;
		}
	}
	if (r < 0 && !isnum) {
		char ch = t->p[0];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_') {
			unsupported(p, tok_loc(p, t), "lint does not evaluate the variable %.*s: conditions using it count as false",
				    (int)(t->n < 64 ? t->n : 64), t->p);
			return ex_new(p, E_UNSUP);
		}
		syntax(p, tok_loc(p, t), "expecting a data expression");
		recover(p);
		return NOEXPR;
	}
	if ((e = ex_new(p, E_DATA)) == NOEXPR)
		return NOEXPR;
	x = &p->d->ex[e];
	if (r >= 0) {
		x->data = malloc(r ? (size_t)r : 1);
		if (x->data == NULL) {
			p->d->oom = p->stop = true;
			return NOEXPR;
		}
		memcpy(x->data, tmp, (size_t)r);
		x->len = (size_t)r;
		x->data_ok = true;
	}
	x->num_ok = isnum;
	x->num = isnum ? (uint64_t)num : 0;
	return e;
}

static unsigned parse_primary(struct parser *p, unsigned depth)
{
	static const char *const unsup_fn[] = {
		"binary-to-ascii", "encode-int", "extract-int", "reverse", "packet",
		"gethostname", "encode-int8", "encode-int16", "encode-int32",
		"leased-address", "lease-time", "host-decl-name", "client-state", "null",
		"ddns-fwd-name", "ddns-rev-name", "v6relay", "v6relopt", "check", "defined",
	};
	struct tok t;
	unsigned e;

	if (depth > EXPR_MAX) {
		syntax(p, tok_loc(p, peek(p)), "expression nested deeper than %u", EXPR_MAX);
		recover(p);
		return NOEXPR;
	}
	t = *peek(p);
	if (t.k == TK_LPAREN) {
		take(p, NULL);
		e = parse_or(p, depth + 1);
		if (e != NOEXPR && !expect_tok(p, TK_RPAREN, "')'"))
			return NOEXPR;
		return e;
	}
	if (t.k == TK_STR) {
		take(p, NULL);
		return data_node(p, &t);
	}
	if (t.k != TK_WORD) {
		expected(p, "an expression");
		return NOEXPR;
	}
	take(p, NULL);
	if (is_kw(&t, "exists") || is_kw(&t, "option") || is_kw(&t, "config-option")) {
		unsigned def = parse_optname(p);

		if (def == UINT_MAX) {
			recover(p);
			return NOEXPR;
		}
		e = ex_new(p, is_kw(&t, "exists") ? E_EXISTS : is_kw(&t, "option") ? E_OPT : E_CFGOPT);
		if (e != NOEXPR)
			p->d->ex[e].def = def;
		return e;
	}
	if (is_kw(&t, "substring"))
		return parse_args(p, E_SUBSTR, 3, 3, depth);
	if (is_kw(&t, "suffix"))
		return parse_args(p, E_SUFFIX, 2, 2, depth);
	if (is_kw(&t, "concat"))
		return parse_args(p, E_CONCAT, 1, UINT_MAX, depth);
	if (is_kw(&t, "pick-first-value") || is_kw(&t, "pick"))
		return parse_args(p, E_PICK, 1, UINT_MAX, depth);
	if (is_kw(&t, "lcase") || is_kw(&t, "ucase"))
		return parse_args(p, is_kw(&t, "lcase") ? E_LCASE : E_UCASE, 1, 1, depth);
	if (is_kw(&t, "hardware"))
		return ex_new(p, E_HW);
	if (is_kw(&t, "known"))
		return ex_new(p, E_KNOWN);
	if (is_kw(&t, "static"))
		return ex_new(p, E_STATIC);
	bool fn = peek(p)->k == TK_LPAREN;

	for (size_t i = 0; i < sizeof(unsup_fn) / sizeof(unsup_fn[0]) && !fn; i++)
		fn = is_kw(&t, unsup_fn[i]);
	if (fn) {
		/* dhcpd knows more functions than lint evaluates: the condition counts as false. */
		unsupported(p, tok_loc(p, &t), "lint does not evaluate %.*s: conditions using it count as false",
			    (int)(t.n < 64 ? t.n : 64), t.p);
		if (peek(p)->k == TK_LPAREN) {
			size_t depth2 = 0;

			do {
				if (peek(p)->k == TK_LPAREN)
					depth2++;
				else if (peek(p)->k == TK_RPAREN)
					depth2--;
				else if (peek(p)->k == TK_SEMI || peek(p)->k == TK_LBRACE ||
					 peek(p)->k == TK_RBRACE || peek(p)->k == TK_EOF)
					break;
				take(p, NULL);
			} while (depth2 > 0);
		}
		return ex_new(p, E_UNSUP);
	}
	return data_node(p, &t);
}

static unsigned parse_cmp(struct parser *p, unsigned depth)
{
	unsigned l = parse_primary(p, depth), r, e;
	enum tk k = peek(p)->k;
	struct tok at;

	if (l == NOEXPR || (k != TK_EQ && k != TK_NE && k != TK_RE && k != TK_IRE))
		return l;
	take(p, NULL);
	at = *peek(p);
	r = parse_primary(p, depth + 1);
	if (r == NOEXPR)
		return NOEXPR;
	e = ex_new(p, k == TK_EQ ? E_EQ : k == TK_NE ? E_NE : E_RE);
	if (e == NOEXPR)
		return NOEXPR;
	p->d->ex[e].a = l;
	p->d->ex[e].b = r;
	if (k == TK_RE || k == TK_IRE) {
		const struct expr *rx = &p->d->ex[r];
		char pat[RE_MAX + 1];
		int rc;

		if (rx->k != E_DATA || !rx->data_ok || rx->len > RE_MAX ||
		    memchr(rx->data, '\0', rx->len) != NULL) {
			unsupported(p, tok_loc(p, &at), "lint only evaluates a regular expression given as a string of at most %u bytes",
				    RE_MAX);
			p->d->ex[e].k = E_UNSUP;
			return e;
		}
		memcpy(pat, rx->data, rx->len);
		pat[rx->len] = '\0';
		regex_t *re = malloc(sizeof(*re));

		if (re == NULL) {
			p->d->oom = p->stop = true;
			return NOEXPR;
		}
		rc = regcomp(re, pat, REG_EXTENDED | REG_NOSUB | (k == TK_IRE ? REG_ICASE : 0));
		if (rc != 0) {
			char why[128];

			regerror(rc, re, why, sizeof(why));
			free(re);
			syntax(p, tok_loc(p, &at), "bad regular expression: %s (it never matches)", why);
			p->d->ex[e].k = E_UNSUP;
			return e;
		}
		p->d->ex[e].re = re;
	}
	return e;
}

static bool is_bool(const struct parser *p, unsigned e)
{
	enum ek k = p->d->ex[e].k;

	return k == E_EXISTS || k == E_KNOWN || k == E_STATIC || k == E_EQ || k == E_NE ||
	       k == E_RE || k == E_AND || k == E_OR || k == E_NOT || k == E_UNSUP;
}

/* dhcpd refuses data where a condition belongs (parse_boolean_expression). */
static unsigned need_bool(struct parser *p, unsigned e, const struct tok *at)
{
	if (e == NOEXPR || is_bool(p, e))
		return e;
	syntax(p, tok_loc(p, at), "expecting a boolean expression");
	p->d->ex[e].k = E_UNSUP;	/* never true; no second finding */
	return e;
}

static unsigned parse_not(struct parser *p, unsigned depth)
{
	unsigned a, e;
	struct tok at;

	if (!is_kw(peek(p), "not"))
		return parse_cmp(p, depth);
	if (depth > EXPR_MAX) {
		syntax(p, tok_loc(p, peek(p)), "expression nested deeper than %u", EXPR_MAX);
		recover(p);
		return NOEXPR;
	}
	take(p, NULL);
	/* dhcp-eval(5)'s own example, "if not option domain-name = ...", negates the comparison. */
	at = *peek(p);
	a = need_bool(p, parse_not(p, depth + 1), &at);
	if (a == NOEXPR || (e = ex_new(p, E_NOT)) == NOEXPR)
		return NOEXPR;
	p->d->ex[e].a = a;
	return e;
}

static unsigned parse_binary(struct parser *p, unsigned depth, bool is_or)
{
	struct tok first = *peek(p);
	unsigned l = is_or ? parse_binary(p, depth, false) : parse_not(p, depth);

	/* Each chained operator deepens the tree that evaluation walks: counted as depth. */
	while (l != NOEXPR && is_kw(peek(p), is_or ? "or" : "and")) {
		struct tok t, at;
		unsigned r, e;

		l = need_bool(p, l, &first);
		take(p, &t);
		at = *peek(p);
		if (++depth > EXPR_MAX) {
			syntax(p, tok_loc(p, &t), "expression nested deeper than %u", EXPR_MAX);
			recover(p);
			return NOEXPR;
		}
		r = need_bool(p, is_or ? parse_binary(p, depth, false) : parse_not(p, depth), &at);
		if (r == NOEXPR || (e = ex_new(p, is_or ? E_OR : E_AND)) == NOEXPR)
			return NOEXPR;
		p->d->ex[e].a = l;
		p->d->ex[e].b = r;
		l = e;
	}
	return l;
}

static unsigned parse_or(struct parser *p, unsigned depth)
{
	return parse_binary(p, depth, true);
}

/* ---------------------------------------------------------------------------------------- */
/* Statements and declarations. */

static void parse_stmt(struct parser *p, struct grp *g, struct block *blk);

static bool count_stmt(struct parser *p)
{
	if (++p->nstmts <= STMT_MAX)
		return true;
	if (!p->stop)
		syntax(p, tok_loc(p, peek(p)), "more than %u statements: the rest is not checked", STMT_MAX);
	p->stop = true;
	return false;
}

/* { statements } with the '{' as the next token, into g / blk. */
static void parse_body(struct parser *p, struct grp *g, struct block *blk)
{
	struct tok open;

	if (peek(p)->k != TK_LBRACE) {
		expected(p, "'{'");
		return;
	}
	take(p, &open);
	if (p->depth >= NEST_MAX) {
		syntax(p, tok_loc(p, &open), "blocks nested deeper than %u", NEST_MAX);
		skip_block(p);
		return;
	}
	p->depth++;
	while (!p->stop && peek(p)->k != TK_RBRACE && peek(p)->k != TK_EOF)
		parse_stmt(p, g, blk);
	p->depth--;
	if (peek(p)->k == TK_RBRACE)
		take(p, NULL);
	else if (!p->stop && !p->lx->dead)
		syntax(p, tok_loc(p, &open), "unbalanced braces: this '{' is not closed");
}

static void put_value(struct parser *p, struct stmt *s, const struct vbuf *v)
{
	size_t n = v->len > VAL_MAX ? VAL_MAX : v->len;

	s->val = malloc(n ? n : 1);
	if (s->val == NULL) {
		p->d->oom = p->stop = true;
		return;
	}
	memcpy(s->val, v->b, n);
	s->len = n;
	s->unresolved = v->unresolved;
}

/* option space NAME [code width N] [length width N] [hash size N]; */
static void parse_option_space(struct parser *p)
{
	struct tok name;
	unsigned cw = 1, lw = 1;

	if (peek(p)->k != TK_WORD || memchr(peek(p)->p, '.', peek(p)->n) != NULL) {
		expected(p, "an option space name");
		return;
	}
	take(p, &name);
	while (is_kw(peek(p), "code") || is_kw(peek(p), "length") || is_kw(peek(p), "hash")) {
		bool code = is_kw(peek(p), "code"), hash = is_kw(peek(p), "hash");
		long long n;

		take(p, NULL);
		if (!is_kw(peek(p), hash ? "size" : "width")) {
			expected(p, hash ? "'size'" : "'width'");
			return;
		}
		take(p, NULL);
		if (peek(p)->k != TK_WORD || !parse_num(peek(p)->p, peek(p)->n, &n) ||
		    (!hash && ((code && n != 1 && n != 2 && n != 4) ||
			       (!code && n != 0 && n != 1 && n != 2)))) {
			expected(p, hash ? "a number" : code ? "1, 2 or 4" : "0, 1 or 2");
			return;
		}
		take(p, NULL);
		if (code)
			cw = (unsigned)n;
		else if (!hash)
			lw = (unsigned)n;
	}
	if (find_space(p->d, name.p, name.n) == SP_NONE &&
	    add_space(p->d, name.p, name.n, cw, lw) == SP_NONE && !p->d->oom)
		syntax(p, tok_loc(p, &name), "more than %u option spaces", SPACES_MAX);
	expect_semi(p);
}

/* One type of "option NAME code N = TYPE": appends format letters. */
static bool parse_simple_type(struct parser *p, char *fmt, size_t *n, unsigned *encap)
{
	static const struct {
		const char *kw;
		char a;
	} simple[] = {
		{ "boolean", 'f' }, { "ip-address", 'I' }, { "ip6-address", '6' }, { "text", 't' },
		{ "string", 'X' }, { "domain-name", 'd' }, { "domain-list", 'D' }, { "zerolen", 'Z' },
	};
	char a = 0;

	if (*n + 2 >= 20) {
		expected(p, "a shorter record");
		return false;
	}
	for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
		if (is_kw(peek(p), simple[i].kw)) {
			take(p, NULL);
			a = simple[i].a;
			if (a == 'D' && is_kw(peek(p), "compressed"))
				take(p, NULL);
		}
	}
	if (a == 0 && is_kw(peek(p), "encapsulate")) {
		take(p, NULL);
		if (peek(p)->k != TK_WORD ||
		    (*encap = find_space(p->d, peek(p)->p, peek(p)->n)) == SP_NONE) {
			if (peek(p)->k == TK_WORD) {
				syntax(p, tok_loc(p, peek(p)), "unknown option space %.*s",
				       (int)(peek(p)->n < 64 ? peek(p)->n : 64), peek(p)->p);
				recover(p);
			} else {
				expected(p, "an option space name");
			}
			return false;
		}
		take(p, NULL);
		p->d->sp[*encap].referenced = true;
		a = 'E';
	}
	if (a == 0) {
		bool is_signed = false;
		long long bits;

		if (is_kw(peek(p), "unsigned") || is_kw(peek(p), "signed")) {
			is_signed = is_kw(peek(p), "signed");
			take(p, NULL);
		} else {
			is_signed = true;	/* "integer N" is signed in dhcpd */
		}
		if (!is_kw(peek(p), "integer")) {
			expected(p, "an option type");
			return false;
		}
		take(p, NULL);
		if (peek(p)->k != TK_WORD || !parse_num(peek(p)->p, peek(p)->n, &bits) ||
		    (bits != 8 && bits != 16 && bits != 32)) {
			expected(p, "8, 16 or 32");
			return false;
		}
		take(p, NULL);
		a = bits == 8 ? 'B' : bits == 16 ? 'S' : 'L';
		if (is_signed)
			a = lower(a);
	}
	fmt[(*n)++] = a;
	return true;
}

/* option NAME code N = TYPE;  (the name taken) */
static void parse_option_def(struct parser *p, const struct tok *name)
{
	char fmt[24];
	size_t n = 0;
	long long code;
	unsigned space = SP_DHCP, encap = SP_NONE;
	const char *nm = name->p, *dot = memchr(name->p, '.', name->n);
	size_t nlen = name->n;

	take(p, NULL);	/* code */
	if (dot != NULL) {
		space = find_space(p->d, name->p, (size_t)(dot - name->p));
		if (space == SP_NONE) {
			syntax(p, tok_loc(p, name), "unknown option space %.*s", (int)(dot - name->p), name->p);
			recover(p);
			return;
		}
		nm = dot + 1;
		nlen = name->n - (size_t)(dot + 1 - name->p);
	}
	unsigned width = p->d->sp[space].code_width;
	long long hi = space == SP_DHCP ? 254 : width == 1 ? 255 : width == 2 ? 65535 : 4294967295LL;

	if (peek(p)->k != TK_WORD || !parse_num(peek(p)->p, peek(p)->n, &code) ||
	    code < (space == SP_DHCP ? 1 : 0) || code > hi) {
		char what[64];

		snprintf(what, sizeof(what), "an option code from %d to %lld", space == SP_DHCP ? 1 : 0, hi);
		expected(p, what);
		return;
	}
	take(p, NULL);
	if (!expect_tok(p, TK_EQ, "'='"))
		return;
	bool whole_array = false;

	if (is_kw(peek(p), "array")) {
		take(p, NULL);
		if (!is_kw(peek(p), "of")) {
			expected(p, "'of'");
			return;
		}
		take(p, NULL);
		whole_array = true;
	}
	if (peek(p)->k == TK_LBRACE) {
		take(p, NULL);
		for (;;) {
			bool last_array = false;

			if (is_kw(peek(p), "array")) {
				take(p, NULL);
				if (!is_kw(peek(p), "of")) {
					expected(p, "'of'");
					return;
				}
				take(p, NULL);
				last_array = true;
			}
			if (!parse_simple_type(p, fmt, &n, &encap))
				return;
			if (last_array) {
				fmt[n++] = 'a';
				break;
			}
			if (peek(p)->k != TK_COMMA)
				break;
			take(p, NULL);
		}
		if (!expect_tok(p, TK_RBRACE, "'}'"))
			return;
	} else if (!parse_simple_type(p, fmt, &n, &encap)) {
		return;
	}
	if (whole_array)
		fmt[n++] = 'A';
	fmt[n] = '\0';
	if (add_def(p->d, space, nm, nlen, (unsigned)code, fmt, encap) == UINT_MAX && !p->d->oom)
		syntax(p, tok_loc(p, name), "more than %u option definitions", DEFS_MAX);
	expect_semi(p);
}

/* option NAME VALUE; option NAME = EXPR; and the same after supersede, default, append and
 * prepend, which name the option without the word "option". */
static void parse_option(struct parser *p, struct grp *g, struct block *blk, const struct tok *kw)
{
	struct tok name;
	unsigned def;
	bool plain = is_kw(kw, "option");

	if (plain && is_kw(peek(p), "space")) {
		take(p, NULL);
		parse_option_space(p);
		return;
	}
	if (peek(p)->k != TK_WORD) {
		expected(p, "an option name");
		return;
	}
	take(p, &name);
	/* "option NAME code N = TYPE" defines an option, anything else gives one a value. */
	if (plain && is_kw(peek(p), "code")) {
		parse_option_def(p, &name);
		return;
	}
	def = resolve_optname(p, &name);
	if (def == UINT_MAX) {
		recover(p);
		return;
	}
	struct stmt *s = blk_add(p, blk, S_OPTION, tok_loc(p, kw));

	if (s == NULL)
		return;
	s->def = def;
	s->mode = is_kw(kw, "default") ? M_DEFAULT : is_kw(kw, "append") ? M_APPEND :
		  is_kw(kw, "prepend") ? M_PREPEND : M_SET;
	if (peek(p)->k == TK_EQ) {
		take(p, NULL);
		s->expr = parse_or(p, 0);
		if (s->expr == NOEXPR) {
			blk->n--;
			return;
		}
	} else {
		struct vbuf v;

		v.len = 0;
		v.unresolved = false;
		if (!parse_values(p, p->d->defs[def].fmt, &v)) {
			blk->n--;
			return;
		}
		put_value(p, s, &v);
		/* A host's constant client identifier also identifies it (dhcpd.conf(5)). */
		if (g->k == G_HOST && s->val != NULL &&
		    def == find_def(p->d, SP_DHCP, "dhcp-client-identifier", 22)) {
			g->uidlen = s->len;
			memcpy(g->uid, s->val, s->len);
		}
	}
	expect_semi(p);
}

/* filename / next-server / site-option-space / vendor-option-space */
static void parse_server_param(struct parser *p, struct block *blk, const struct tok *kw, enum sk k)
{
	struct stmt *s = blk_add(p, blk, k, tok_loc(p, kw));
	struct tok t;
	uint8_t tmp[TOK_MAX];

	if (s == NULL)
		return;
	if (peek(p)->k == TK_EQ && (k == S_FILENAME || k == S_NEXTSERVER)) {
		take(p, NULL);
		s->expr = parse_or(p, 0);
		if (s->expr == NOEXPR) {
			blk->n--;
			return;
		}
		expect_semi(p);
		return;
	}
	t = *peek(p);
	if (k == S_FILENAME) {
		if (t.k != TK_STR) {
			blk->n--;
			expected(p, "a quoted file name");
			return;
		}
		take(p, NULL);
		struct vbuf v;

		v.len = 0;
		v.unresolved = false;
		vput(&v, tmp, str_decode(&t, tmp, sizeof(tmp)));
		put_value(p, s, &v);
	} else if (k == S_NEXTSERVER) {
		uint32_t ip;

		if (t.k != TK_WORD) {
			blk->n--;
			expected(p, "an IP address or host name");
			return;
		}
		take(p, NULL);
		struct vbuf v;

		v.len = 0;
		v.unresolved = !parse_ip4(t.p, t.n, &ip);
		if (!v.unresolved)
			vput_int(&v, ip, 4);
		put_value(p, s, &v);
	} else {
		/* site-option-space takes a string, vendor-option-space a name; take either. */
		if (t.k != TK_STR && t.k != TK_WORD) {
			blk->n--;
			expected(p, "an option space name");
			return;
		}
		take(p, NULL);
		s->def = find_space(p->d, t.p, t.n);
		if (s->def == SP_NONE)
			syntax(p, tok_loc(p, &t), "unknown option space %.*s (dhcpd then drops the reply)",
			       (int)(t.n < 64 ? t.n : 64), t.p);
		else if (k == S_VENDORSPACE)
			p->d->sp[s->def].referenced = true;
	}
	expect_semi(p);
}

static void parse_if(struct parser *p, struct grp *g, struct block *blk, const struct tok *kw)
{
	struct stmt *s = blk_add(p, blk, S_IF, tok_loc(p, kw));
	size_t si = blk->n - 1;

	if (s == NULL)
		return;
	for (;;) {
		unsigned cond = NOEXPR;
		bool is_else = false;

		if (blk->v[si].narms > 0) {
			/* after "}": elsif EXPR, else if EXPR, else */
			if (is_kw(peek(p), "elsif")) {
				take(p, NULL);
			} else if (is_kw(peek(p), "else")) {
				take(p, NULL);
				if (is_kw(peek(p), "if"))
					take(p, NULL);
				else
					is_else = true;
			} else {
				return;
			}
		}
		if (!is_else) {
			struct tok at = *peek(p);

			/* A bad condition was reported and skipped with its block. */
			cond = need_bool(p, parse_or(p, 0), &at);
			if (cond == NOEXPR)
				return;
		}
		if (peek(p)->k != TK_LBRACE) {
			syntax(p, peek(p)->k == TK_SEMI || peek(p)->k == TK_EOF ?
				  loc_at(p, p->lx->pline, p->lx->pcol) : tok_loc(p, peek(p)),
			       "expecting '{': if without a block");
			recover(p);
			return;
		}
		struct arm *v = xrealloc_array(blk->v[si].arms, blk->v[si].narms + 1, sizeof(*v));

		if (v == NULL) {
			p->d->oom = p->stop = true;
			return;
		}
		blk->v[si].arms = v;
		memset(&v[blk->v[si].narms], 0, sizeof(v[0]));
		v[blk->v[si].narms].cond = cond;
		struct block body = { NULL, 0, 0 };

		parse_body(p, g, &body);
		/* blk may have moved while the body was parsed (its own statements grow it). */
		blk->v[si].arms[blk->v[si].narms++].body = body;
		if (is_else || p->stop)
			return;
	}
}

static bool addr_word(struct parser *p, uint32_t *ip, const char *what)
{
	if (peek(p)->k != TK_WORD || !parse_ip4(peek(p)->p, peek(p)->n, ip)) {
		expected(p, what);
		return false;
	}
	take(p, NULL);
	return true;
}

static void parse_range(struct parser *p, struct grp *g, const struct tok *kw)
{
	uint32_t lo, hi;

	if (is_kw(peek(p), "dynamic-bootp"))
		take(p, NULL);
	if (!addr_word(p, &lo, "an IP address"))
		return;
	if (peek(p)->k == TK_WORD && parse_ip4(peek(p)->p, peek(p)->n, &hi))
		take(p, NULL);
	if (g->k != G_SUBNET && g->k != G_POOL) {
		syntax(p, tok_loc(p, kw), "range declaration not allowed here (only in subnet or pool)");
	} else if (!g->has_range) {
		g->has_range = true;
		g->range_loc = tok_loc(p, kw);
		g->range_lo = lo;
		g->range_seq = p->d->ng;
	}
	expect_semi(p);
}

/* Class names are case-sensitive strings. */
static unsigned class_hash(const char *name, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	return h % HBUCKETS;
}

static struct grp *find_class(const struct dh *d, const char *name, size_t n)
{
	for (struct grp *g = d->chb[class_hash(name, n)]; g != NULL; g = g->hnext)
		if (strlen(g->name) == n && memcmp(g->name, name, n) == 0)
			return g;
	return NULL;
}

/* allow / deny / ignore ... */
static void parse_permit(struct parser *p, struct grp *g, struct block *blk, const struct tok *kw)
{
	static const struct {
		const char *w1, *w2;
		enum pk k;
	} pools[] = {
		{ "unknown-clients", NULL, P_UNKNOWN }, { "unknown", "clients", P_UNKNOWN },
		{ "known-clients", NULL, P_KNOWN }, { "known", "clients", P_KNOWN },
		{ "all", "clients", P_ALL }, { "dynamic", "bootp", P_BOOTP },
		{ "authenticated", "clients", P_AUTH }, { "unauthenticated", "clients", P_UNAUTH },
		{ "members", "of", P_MEMBERS }, { "after", NULL, P_AFTER },
	};
	bool allow = is_kw(kw, "allow");
	struct tok t = *peek(p);

	if (is_kw(&t, "booting") || (is_kw(&t, "unknown-clients") && g->k != G_POOL)) {
		struct stmt *s = blk_add(p, blk, is_kw(&t, "booting") ? S_BOOTING : S_UNKNOWN,
					 tok_loc(p, kw));

		take(p, NULL);
		if (s != NULL)
			s->allow = allow;
		expect_semi(p);
		return;
	}
	for (size_t i = 0; g->k == G_POOL && i < sizeof(pools) / sizeof(pools[0]); i++) {
		if (!is_kw(&t, pools[i].w1))
			continue;
		take(p, NULL);
		if (pools[i].w2 != NULL) {
			if (!is_kw(peek(p), pools[i].w2)) {
				expected(p, pools[i].w2);
				return;
			}
			take(p, NULL);
		}
		struct permit perm = { allow, pools[i].k, NULL, tok_loc(p, kw) };

		if (perm.k == P_BOOTP && is_kw(peek(p), "clients"))
			take(p, NULL);
		if (perm.k == P_MEMBERS) {
			if (peek(p)->k != TK_STR) {
				expected(p, "a quoted class name");
				return;
			}
			take(p, &t);
			perm.cls = find_class(p->d, t.p, t.n);
			if (perm.cls == NULL) {
				syntax(p, tok_loc(p, &t), "no class named \"%.*s\"", (int)(t.n < 64 ? t.n : 64), t.p);
				recover(p);
				return;
			}
		}
		if (perm.k == P_AFTER) {
			recover(p);	/* a date: lint treats the permit as always met */
		} else {
			expect_semi(p);
		}
		struct permit *v = xrealloc_array(g->permits, g->npermits + 1, sizeof(*v));

		if (v == NULL) {
			p->d->oom = p->stop = true;
			return;
		}
		g->permits = v;
		v[g->npermits++] = perm;
		return;
	}
	/* bootp, client-updates, duplicates, declines, leasequery...: no effect on the reply */
	recover(p);
}

static bool decl_name(struct parser *p, struct tok *t, const char *what)
{
	if (peek(p)->k != TK_WORD && peek(p)->k != TK_STR) {
		expected(p, what);
		return false;
	}
	take(p, t);
	return true;
}

static void parse_decl(struct parser *p, struct grp *g, const struct tok *kw)
{
	struct tok t = *peek(p);
	struct grp *n;
	enum gk k = is_kw(kw, "subnet") ? G_SUBNET : is_kw(kw, "shared-network") ? G_SHARED :
		    is_kw(kw, "host") ? G_HOST : is_kw(kw, "class") ? G_CLASS :
		    is_kw(kw, "pool") ? G_POOL : G_GROUP;
	uint32_t net = 0, mask = 0;

	if (k == G_SUBNET) {
		if (!addr_word(p, &net, "a subnet number"))
			return;
		if (!is_kw(peek(p), "netmask")) {
			expected(p, "'netmask'");
			return;
		}
		take(p, NULL);
		if (!addr_word(p, &mask, "a netmask"))
			return;
	} else if (k == G_SHARED || k == G_HOST || k == G_CLASS) {
		if (!decl_name(p, &t, k == G_CLASS ? "a class name" : "a name"))
			return;
	} else if (k == G_GROUP && peek(p)->k == TK_STR) {
		take(p, &t);
	}
	if (peek(p)->k != TK_LBRACE) {
		expected(p, "'{'");
		return;
	}
	n = grp_new(p, k, g, tok_loc(p, kw));
	if (n == NULL)
		return;
	if (k == G_HOST)
		p->d->host_stmts++;	/* counted with its host: evaluated only there */
	if (k == G_SUBNET) {
		unsigned bits = 0;

		n->net = net;
		n->mask = mask;
		while (bits < 32 && (mask & (0x80000000u >> bits)))
			bits++;
		if (bits < 32 && (uint32_t)(mask << bits) != 0)
			snprintf(n->name, sizeof(n->name), "subnet %u.%u.%u.%u netmask %u.%u.%u.%u",
				 net >> 24, net >> 16 & 255, net >> 8 & 255, net & 255,
				 mask >> 24, mask >> 16 & 255, mask >> 8 & 255, mask & 255);
		else
			snprintf(n->name, sizeof(n->name), "subnet %u.%u.%u.%u/%u", net >> 24,
				 net >> 16 & 255, net >> 8 & 255, net & 255, bits);
	} else if (k == G_SHARED || k == G_HOST || k == G_CLASS) {
		snprintf(n->name, sizeof(n->name), "%.*s", (int)(t.n < 95 ? t.n : 95), t.p);
		if (k == G_CLASS && find_class(p->d, n->name, strlen(n->name)) == NULL) {
			unsigned h = class_hash(n->name, strlen(n->name));

			n->hnext = p->d->chb[h];
			p->d->chb[h] = n;
		}
	}
	parse_body(p, n, &n->body);
}

/* subclass "CLASS" DATA; or { ... }: its statements run after the class's own. */
static void parse_subclass(struct parser *p, const struct tok *kw)
{
	struct tok t;
	struct grp *cls;
	struct vbuf v;

	if (peek(p)->k != TK_STR && peek(p)->k != TK_WORD) {
		expected(p, "a quoted class name");
		return;
	}
	take(p, &t);
	cls = find_class(p->d, t.p, t.n);
	if (cls == NULL) {
		syntax(p, tok_loc(p, &t), "no class named \"%.*s\"", (int)(t.n < 64 ? t.n : 64), t.p);
		recover(p);
		return;
	}
	v.len = 0;
	if (!parse_atom(p, 'X', &v))
		return;
	struct grp *n = grp_new(p, G_SUBCLASS, cls, tok_loc(p, kw));

	if (n == NULL)
		return;
	n->super = cls;
	if (cls->last_sub != NULL)
		cls->last_sub->next_sub = n;
	else
		cls->first_sub = n;
	cls->last_sub = n;
	n->sdata = malloc(v.len ? v.len : 1);
	if (n->sdata == NULL) {
		p->d->oom = p->stop = true;
		return;
	}
	memcpy(n->sdata, v.b, v.len);
	n->slen = v.len;
	snprintf(n->name, sizeof(n->name), "%s", cls->name);
	if (peek(p)->k == TK_LBRACE)
		parse_body(p, n, &n->body);
	else
		expect_semi(p);
}

static void parse_include(struct parser *p, struct grp *g, struct block *blk, const struct tok *kw);

static void parse_generic(struct parser *p, const struct tok *kw)
{
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		if (!is_kw(kw, params[i].name))
			continue;
		for (unsigned a = 0; a < params[i].nargs; a++) {
			if (peek(p)->k != TK_WORD && peek(p)->k != TK_STR) {
				expected(p, "a value");
				return;
			}
			take(p, NULL);
		}
		expect_semi(p);
		return;
	}
	/* Anything else dhcpd knows (failover peer, key, zone, on commit...) ends at its ';'
	 * or after its block; lint does not evaluate it. */
	for (;;) {
		enum tk k = peek(p)->k;

		if (k == TK_EOF || k == TK_RBRACE) {
			if (!p->lx->dead)
				syntax(p, loc_at(p, p->lx->pline, p->lx->pcol), "expecting a semicolon");
			return;
		}
		take(p, NULL);
		if (k == TK_SEMI)
			return;
		if (k == TK_LBRACE) {
			skip_block(p);
			return;
		}
	}
}

static void parse_stmt(struct parser *p, struct grp *g, struct block *blk)
{
	struct tok kw;

	if (!count_stmt(p))
		return;
	if (g->k == G_HOST)
		p->d->host_stmts++;
	take(p, &kw);
	switch (kw.k) {
	case TK_SEMI:
	case TK_BAD:
		return;
	case TK_WORD:
		break;
	case TK_LBRACE:
		syntax(p, tok_loc(p, &kw), "unexpected '{'");
		skip_block(p);
		return;
	default:
		syntax(p, tok_loc(p, &kw), "expecting a parameter or declaration");
		recover(p);
		return;
	}
	if (is_kw(&kw, "option") || is_kw(&kw, "supersede") || is_kw(&kw, "default") ||
	    is_kw(&kw, "append") || is_kw(&kw, "prepend")) {
		parse_option(p, g, blk, &kw);
	} else if (is_kw(&kw, "filename")) {
		parse_server_param(p, blk, &kw, S_FILENAME);
	} else if (is_kw(&kw, "next-server")) {
		parse_server_param(p, blk, &kw, S_NEXTSERVER);
	} else if (is_kw(&kw, "site-option-space")) {
		parse_server_param(p, blk, &kw, S_SITESPACE);
	} else if (is_kw(&kw, "vendor-option-space")) {
		parse_server_param(p, blk, &kw, S_VENDORSPACE);
	} else if (is_kw(&kw, "include")) {
		parse_include(p, g, blk, &kw);
	} else if (is_kw(&kw, "subnet") || is_kw(&kw, "shared-network") || is_kw(&kw, "group") ||
		   is_kw(&kw, "host") || is_kw(&kw, "class") || is_kw(&kw, "pool")) {
		parse_decl(p, g, &kw);
	} else if (is_kw(&kw, "subclass")) {
		parse_subclass(p, &kw);
	} else if (is_kw(&kw, "range")) {
		parse_range(p, g, &kw);
	} else if (is_kw(&kw, "if")) {
		parse_if(p, g, blk, &kw);
	} else if (is_kw(&kw, "elsif") || is_kw(&kw, "else")) {
		syntax(p, tok_loc(p, &kw), "%s without if", is_kw(&kw, "else") ? "else" : "elsif");
		recover(p);
	} else if (is_kw(&kw, "allow") || is_kw(&kw, "deny") || is_kw(&kw, "ignore")) {
		parse_permit(p, g, blk, &kw);
	} else if (is_kw(&kw, "boot-unknown-clients")) {
		struct stmt *s;

		if (peek(p)->k != TK_WORD) {
			expected(p, "a boolean (true, false, on, off)");
			return;
		}
		s = blk_add(p, blk, S_UNKNOWN, tok_loc(p, &kw));
		if (s != NULL)
			s->allow = !(is_kw(peek(p), "false") || is_kw(peek(p), "off") ||
				     is_kw(peek(p), "ignore"));
		take(p, NULL);
		expect_semi(p);
	} else if (is_kw(&kw, "match") && g->k == G_CLASS) {
		bool cond = is_kw(peek(p), "if");
		unsigned e;
		struct tok at;

		if (cond)
			take(p, NULL);
		at = *peek(p);
		e = parse_or(p, 0);
		if (cond)
			e = need_bool(p, e, &at);
		if (e == NOEXPR)
			return;
		if (cond)
			g->match_if = e;
		else
			g->match = e;
		expect_semi(p);
	} else if (is_kw(&kw, "spawn") && g->k == G_CLASS) {
		if (!is_kw(peek(p), "with")) {
			expected(p, "'with'");
			return;
		}
		take(p, NULL);
		if ((g->spawn = parse_or(p, 0)) != NOEXPR)
			expect_semi(p);
	} else if (is_kw(&kw, "hardware") && g->k == G_HOST) {
		uint8_t hw[16];
		long r;

		if (peek(p)->k != TK_WORD) {
			expected(p, "a hardware type");
			return;
		}
		/* htype 1 is Ethernet (RFC 1700), as the hardware expression carries it. */
		g->hw[0] = is_kw(peek(p), "ethernet") ? 1 : is_kw(peek(p), "token-ring") ? 6 :
			   is_kw(peek(p), "fddi") ? 8 : 0;
		take(p, NULL);
		if (peek(p)->k != TK_WORD || (r = parse_cshl(peek(p)->p, peek(p)->n, hw, sizeof(hw))) <= 0) {
			expected(p, "a hardware address");
			return;
		}
		take(p, NULL);
		memcpy(g->hw + 1, hw, (size_t)r);
		g->hwlen = (size_t)r + 1;
		expect_semi(p);
	} else if (is_kw(&kw, "fixed-address") && g->k == G_HOST) {
		if (peek(p)->k != TK_WORD) {
			expected(p, "an IP address or host name");
			return;
		}
		g->has_fixed = true;
		g->fixed_loc = tok_loc(p, &kw);
		g->fixed_resolved = parse_ip4(peek(p)->p, peek(p)->n, &g->fixed);
		take(p, NULL);
		while (peek(p)->k == TK_COMMA) {
			take(p, NULL);
			if (peek(p)->k != TK_WORD) {
				expected(p, "an IP address or host name");
				return;
			}
			take(p, NULL);
		}
		expect_semi(p);
	} else {
		parse_generic(p, &kw);
	}
}

/* Statements to the end of the current file. */
static void parse_file(struct parser *p, struct grp *g, struct block *blk)
{
	while (!p->stop && peek(p)->k != TK_EOF) {
		if (peek(p)->k == TK_RBRACE) {
			syntax(p, tok_loc(p, peek(p)), "unbalanced braces: unexpected '}'");
			take(p, NULL);
			continue;
		}
		parse_stmt(p, g, blk);
	}
}

/* Starts lexing text as file: reports its first NUL byte, reads the first token. */
static void lexer_start(struct parser *p, struct lexer *lx, const char *file, const char *text, size_t len)
{
	const char *nul = memchr(text, '\0', len);

	memset(lx, 0, sizeof(*lx));
	lx->file = file;
	lx->text = text;
	lx->len = len;
	lx->line = lx->pline = 1;
	lx->col = lx->pcol = 1;
	p->lx = lx;
	if (nul != NULL) {
		unsigned line = 1, col = 1;

		for (const char *s = text; s < nul; s++) {
			if (*s == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
		syntax(p, loc_at(p, line, col), "NUL byte in the configuration text");
	}
	lex(p);
}

/* Remembers a file being read; false if it already is (an include cycle). */
static bool inc_push(struct parser *p, const struct stat *st)
{
	for (unsigned i = 0; i < p->ninc; i++)
		if (p->inc[i].dev == st->st_dev && p->inc[i].ino == st->st_ino)
			return false;
	p->inc[p->ninc].dev = st->st_dev;
	p->inc[p->ninc].ino = st->st_ino;
	p->ninc++;
	return true;
}

static void parse_include(struct parser *p, struct grp *g, struct block *blk, const struct tok *kw)
{
	struct tok t;
	char name[TOK_MAX + 1], path[2 * TOK_MAX + 2], why[128];
	uint8_t raw[TOK_MAX];
	size_t n, len;
	struct lexer lx, *saved = p->lx;
	struct lint_loc at = tok_loc(p, kw);
	struct stat st;
	const char *slash = strrchr(saved->file, '/');
	char *text;
	unsigned ninc = p->ninc;

	if (peek(p)->k != TK_STR) {
		expected(p, "a quoted file name");
		return;
	}
	take(p, &t);
	expect_semi(p);
	n = str_decode(&t, raw, sizeof(raw));
	if (n == 0 || memchr(raw, '\0', n) != NULL) {
		lint_add(p->c, LINT_R_INCLUDE, NBC_SEV_ERROR, at, NULL, "include names no file");
		return;
	}
	memcpy(name, raw, n);
	name[n] = '\0';
	/* Relative names: next to the including file first, then as given (dhcpd's own
	 * working directory, which lint cannot know). */
	snprintf(path, sizeof(path), "%s", name);
	if (name[0] != '/' && slash != NULL) {
		snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - saved->file), saved->file, name);
		if (stat(path, &st) != 0)
			snprintf(path, sizeof(path), "%s", name);
	}
	if (p->incdepth >= INCLUDE_MAX) {
		lint_add(p->c, LINT_R_INCLUDE, NBC_SEV_ERROR, at, NULL,
			 "includes nested deeper than %u: %s is not read", INCLUDE_MAX, name);
		return;
	}
	if (stat(path, &st) == 0) {
		/* Not cycles only: the same file included over and over adds up too. */
		if ((uintmax_t)st.st_size > INCLUDE_BYTES_MAX - p->inc_bytes) {
			lint_add(p->c, LINT_R_INCLUDE, NBC_SEV_ERROR, at, NULL,
				 "more than %zu MiB of included text: %s is not read",
				 INCLUDE_BYTES_MAX >> 20, name);
			return;
		}
		if (!inc_push(p, &st)) {
			lint_add(p->c, LINT_R_INCLUDE, NBC_SEV_ERROR, at, NULL,
				 "include cycle: %s is already being read", name);
			return;
		}
	}
	if (lint_read_file(path, &text, &len, why, sizeof(why)) != 0) {
		lint_add(p->c, LINT_R_INCLUDE, NBC_SEV_ERROR, at, NULL, "cannot read include file %s: %s",
			 name, why);
		p->ninc = ninc;
		return;
	}
	lint_note_part(p->c, path);
	p->inc_bytes += len < INCLUDE_BYTES_MAX - p->inc_bytes ? len : INCLUDE_BYTES_MAX - p->inc_bytes;
	p->incdepth++;
	lexer_start(p, &lx, lint_intern(p->c, path), text, len);
	parse_file(p, g, blk);
	p->lx = saved;
	p->incdepth--;
	p->ninc = ninc;
	free(text);
}

/* ---------------------------------------------------------------------------------------- */
/* Scopes. */

static const struct grp *subnet_of(const struct dh *d, uint32_t ip)
{
	for (size_t i = 0; i < d->nsubnets; i++)
		if ((ip & d->subnets[i]->mask) == (d->subnets[i]->net & d->subnets[i]->mask))
			return d->subnets[i];
	return NULL;
}

static const struct grp *enclosing(const struct grp *g, enum gk k)
{
	for (unsigned n = 0; g != NULL && n <= NEST_MAX + 1; g = g->parent, n++)
		if (g->k == k)
			return g;
	return NULL;
}

static void add_scope(struct parser *p, enum sck k, const struct grp *g, size_t max)
{
	struct dh *d = p->d;

	if (d->nsc == max) {
		unsupported(p, g->loc, "more than %zu scopes (lint's limit for a configuration this size): the rest are not evaluated",
			    max);
		d->nsc++;
		return;
	}
	if (d->nsc > max)
		return;
	struct scope *s = &d->sc[d->nsc++];

	s->k = k;
	s->g = g;
	if (k == SC_HOST)
		snprintf(s->name, sizeof(s->name), "host %s", g->name);
	else if (k == SC_SUBNET)
		snprintf(s->name, sizeof(s->name), "%s", g->name);
	else
		snprintf(s->name, sizeof(s->name), "no subnet with a range");
}

static int code_cmp(const void *a, const void *b)
{
	const struct code_def *x = a, *y = b;

	if (x->code != y->code)
		return x->code < y->code ? -1 : 1;
	return x->def < y->def ? -1 : x->def > y->def;
}

/* Each space's options sorted by code, and the option that encapsulates it. */
static void index_spaces(struct dh *d)
{
	for (size_t i = 0; i < d->ndefs; i++) {
		struct space *sp = &d->sp[d->defs[i].space];
		struct code_def *v = xrealloc_array(sp->defs, sp->ndefs + 1, sizeof(*v));

		if (v == NULL) {
			d->oom = true;
			return;
		}
		sp->defs = v;
		v[sp->ndefs].code = d->defs[i].code;
		v[sp->ndefs++].def = (unsigned)i;
		if (d->defs[i].space == SP_DHCP && d->defs[i].encap < d->nsp &&
		    d->sp[d->defs[i].encap].encap_by == UINT_MAX)
			d->sp[d->defs[i].encap].encap_by = (unsigned)i;
	}
	for (size_t i = 0; i < d->nsp; i++)
		if (d->sp[i].ndefs > 1)
			qsort(d->sp[i].defs, d->sp[i].ndefs, sizeof(d->sp[i].defs[0]), code_cmp);
}

static void build_scopes(struct parser *p, struct grp *root)
{
	struct dh *d = p->d;
	unsigned long searched = 0;
	/* An evaluation may visit every statement, expression, definition and declaration
	 * outside the host blocks once (a host's own only in its scope): bound the scopes so
	 * that a huge configuration cannot keep lint busy for hours. */
	size_t work = d->nstmts - d->host_stmts + d->nex + d->ng - d->nhosts + d->ndefs +
		      d->nsubnets + 1;
	size_t max = WORK_MAX / work < SCOPES_MAX ? WORK_MAX / work + 1 : SCOPES_MAX;

	index_spaces(d);
	/* A pool's addresses are in the subnet around it, or (in a shared-network) in the
	 * subnet its first range falls in: that subnet's statements apply to its leases. */
	for (size_t i = 0; i < d->ng; i++) {
		struct grp *g = d->g[i], *s;

		if (g->k != G_POOL)
			continue;
		g->subnet = enclosing(g, G_SUBNET);
		if (g->subnet == NULL && g->has_range && searched < SEARCH_MAX) {
			searched += d->nsubnets;
			g->subnet = subnet_of(d, g->range_lo);
		}
		s = (struct grp *)g->subnet;	/* built here, read-only from now on */
		if (s == NULL)
			continue;
		if (s->last_pool != NULL)
			((struct grp *)s->last_pool)->next_pool = g;
		else
			s->first_pool = g;
		s->last_pool = g;
		s->serves = s->serves || g->has_range;
	}
	d->sc = calloc(max + 1, sizeof(*d->sc));
	if (d->sc == NULL) {
		d->oom = true;
		return;
	}
	for (size_t i = 0; i < d->ng; i++) {
		struct grp *g = d->g[i];

		if (g->k == G_SUBNET)
			g->serves = g->serves || g->has_range;
		if (g->k == G_SUBNET && g->serves)
			add_scope(p, SC_SUBNET, g, max);
		else if (g->k == G_HOST)
			add_scope(p, SC_HOST, g, max);
	}
	if (d->nsc > max)
		d->nsc = max;
	if (d->nsc == 0)
		add_scope(p, SC_NONE, root, max);
}

/* ---------------------------------------------------------------------------------------- */
/* Evaluation: what dhcpd would hand one profile in one scope. */

enum tri { T_FALSE, T_TRUE, T_NULL };

struct oval {
	bool set;
	unsigned seq;
	size_t len;
	uint8_t v[VAL_MAX];
	struct lint_loc loc;
};

struct ev {
	const struct dh *d;
	const struct lint_profile *p;
	bool known, is_static;
	uint8_t hw[17];
	size_t hwlen;
	const struct grp **cls;	/* matched classes (or subclasses), in declaration order */
	size_t ncls;
	struct oval *ov;
	unsigned seq;
	struct oval file, ns;
	bool ns_unresolved;
	unsigned site, vendor;
	bool site_bad, boot_set, boot_ok, unk_set, unk_ok;
	struct lint_loc site_loc, boot_loc, unk_loc;
	unsigned long steps;
	bool unsup;
};

struct dval {
	bool ok;
	size_t len;
	uint8_t b[DATA_MAX];
};

static void dval_set(struct dval *r, const uint8_t *b, size_t n)
{
	r->ok = true;
	r->len = n < sizeof(r->b) ? n : sizeof(r->b);
	memcpy(r->b, b, r->len);
}

static bool budget(struct ev *ev)
{
	return ++ev->steps <= STEPS_MAX;
}

/* option X as the client sent it (dhcp-eval(5): "the packet to which the server is
 * responding"); sub-options from the client's encapsulating option. */
static void client_option(const struct ev *ev, unsigned def, struct dval *r)
{
	const struct optdef *od = &ev->d->defs[def];
	const struct space *sp = &ev->d->sp[od->space];
	unsigned outer;

	r->ok = false;
	if (od->space == SP_DHCP) {
		if (od->code < 256 && ev->p->opt[od->code].present)
			dval_set(r, ev->p->opt[od->code].data, ev->p->opt[od->code].len);
		return;
	}
	outer = sp->encap_by;
	if (outer == UINT_MAX || ev->d->defs[outer].code > 255)
		return;
	const struct lint_opt_bytes *o = &ev->p->opt[ev->d->defs[outer].code];
	size_t i = 0;

	while (o->present && i + sp->code_width + sp->len_width <= o->len) {
		uint32_t code = 0, len = 0;

		for (unsigned k = 0; k < sp->code_width; k++)
			code = code << 8 | o->data[i++];
		for (unsigned k = 0; k < sp->len_width; k++)
			len = len << 8 | o->data[i++];
		if (sp->len_width == 0)
			len = (uint32_t)(o->len - i);
		if (len > o->len - i)
			return;
		if (code == od->code) {
			dval_set(r, o->data + i, len);
			return;
		}
		i += len;
	}
}

static enum tri eval_bool(struct ev *ev, unsigned e);

static bool eval_num(struct ev *ev, unsigned e, uint64_t *out)
{
	const struct expr *x = &ev->d->ex[e];

	if (x->k == E_DATA && x->num_ok) {
		*out = x->num;
		return true;
	}
	if (x->k == E_UNSUP)
		ev->unsup = true;
	return false;
}

static void eval_data(struct ev *ev, unsigned e, struct dval *r)
{
	const struct expr *x;
	struct dval t;
	uint64_t off, len;

	r->ok = false;
	r->len = 0;
	if (e == NOEXPR || !budget(ev))
		return;
	x = &ev->d->ex[e];
	switch (x->k) {
	case E_DATA:
		if (x->data_ok)
			dval_set(r, x->data, x->len);
		return;
	case E_OPT:
		client_option(ev, x->def, r);
		return;
	case E_CFGOPT:
		if (ev->ov[x->def].set)
			dval_set(r, ev->ov[x->def].v, ev->ov[x->def].len);
		return;
	case E_HW:
		dval_set(r, ev->hw, ev->hwlen);
		return;
	case E_SUBSTR:
	case E_SUFFIX:
		eval_data(ev, x->a, &t);
		if (!t.ok || !eval_num(ev, x->b, &off))
			return;
		if (x->k == E_SUFFIX) {
			len = off;
			off = len >= t.len ? 0 : t.len - len;
		} else if (!eval_num(ev, x->c, &len)) {
			return;
		}
		/* dhcp-eval(5): past the end is empty, a length past the end is cut there. */
		if (off >= t.len)
			off = len = 0;
		else if (len > t.len - off)
			len = t.len - off;
		dval_set(r, t.b + off, (size_t)len);
		return;
	case E_CONCAT:
		r->ok = true;
		for (unsigned a = x->a; a != NOEXPR; a = ev->d->ex[a].next) {
			eval_data(ev, a, &t);
			if (!t.ok) {
				r->ok = false;	/* any null part makes the whole null */
				r->len = 0;
				return;
			}
			for (size_t i = 0; i < t.len && r->len < sizeof(r->b); i++)
				r->b[r->len++] = t.b[i];
		}
		return;
	case E_PICK:
		for (unsigned a = x->a; a != NOEXPR && !r->ok; a = ev->d->ex[a].next)
			eval_data(ev, a, r);
		return;
	case E_LCASE:
	case E_UCASE:
		eval_data(ev, x->a, r);
		for (size_t i = 0; r->ok && i < r->len; i++) {
			uint8_t ch = r->b[i];

			if (x->k == E_LCASE && ch >= 'A' && ch <= 'Z')
				r->b[i] = (uint8_t)(ch - 'A' + 'a');
			else if (x->k == E_UCASE && ch >= 'a' && ch <= 'z')
				r->b[i] = (uint8_t)(ch - 'a' + 'A');
		}
		return;
	case E_UNSUP:
		ev->unsup = true;
		return;
	default:
		/* A boolean where data is wanted: dhcpd would not have parsed it. */
		(void)eval_bool(ev, e);
		return;
	}
}

static enum tri tri_of(bool b)
{
	return b ? T_TRUE : T_FALSE;
}

/*
 * Booleans as dhcpd evaluates them (common/tree.c evaluate_boolean_expression), which is
 * not quite what dhcp-eval(5) says; null counts as false in a condition.
 */
static enum tri eval_bool(struct ev *ev, unsigned e)
{
	const struct expr *x;
	struct dval l, r;
	enum tri a, b;

	if (e == NOEXPR || !budget(ev))
		return T_NULL;
	x = &ev->d->ex[e];
	switch (x->k) {
	case E_EXISTS:
		client_option(ev, x->def, &l);
		return tri_of(l.ok);
	case E_KNOWN:
		return tri_of(ev->known);
	case E_STATIC:
		return tri_of(ev->is_static);
	case E_EQ:
	case E_NE:
		/* Never null: a missing side only equals another missing side. */
		eval_data(ev, x->a, &l);
		eval_data(ev, x->b, &r);
		if (!l.ok || !r.ok)
			return tri_of((l.ok == r.ok) == (x->k == E_EQ));
		return tri_of((l.len == r.len && memcmp(l.b, r.b, l.len) == 0) == (x->k == E_EQ));
	case E_RE: {
		char s[DATA_MAX + 1];

		eval_data(ev, x->a, &l);
		if (!l.ok)
			return T_NULL;
		memcpy(s, l.b, l.len);
		s[l.len] = '\0';
		return tri_of(regexec(x->re, s, 0, NULL, 0) == 0);
	}
	case E_AND:
		/* The right side is only looked at after a true left one, and "false and x"
		 * is null, not false: "not (exists a and ...)" is never true without a. */
		a = eval_bool(ev, x->a);
		if (a != T_TRUE)
			return T_NULL;
		return eval_bool(ev, x->b);
	case E_OR:
		a = eval_bool(ev, x->a);
		if (a == T_TRUE)
			return T_TRUE;
		b = eval_bool(ev, x->b);
		if (a == T_NULL && b == T_NULL)
			return T_NULL;
		return tri_of(b == T_TRUE);
	case E_NOT:
		a = eval_bool(ev, x->a);
		return a == T_NULL ? T_NULL : a == T_TRUE ? T_FALSE : T_TRUE;
	case E_UNSUP:
		ev->unsup = true;
		return T_NULL;
	default:
		/* data where a boolean belongs ("Data opcode in evaluate_boolean_expression") */
		return T_NULL;
	}
}

/* A condition: true only if it evaluates to true without anything lint cannot evaluate. */
static bool cond_true(struct ev *ev, unsigned e)
{
	bool was = ev->unsup, r;

	ev->unsup = false;
	r = eval_bool(ev, e) == T_TRUE && !ev->unsup;
	ev->unsup = was;
	return r;
}

static void oval_set(struct ev *ev, struct oval *o, const uint8_t *b, size_t n, struct lint_loc l)
{
	o->set = true;
	o->seq = ++ev->seq;
	o->len = n < sizeof(o->v) ? n : sizeof(o->v);
	memcpy(o->v, b, o->len);
	o->loc = l;
}

/* Sets o from v as s says: replace, or append / prepend to what is set already. */
static void set_value(struct ev *ev, struct oval *o, const struct stmt *s, struct dval *v)
{
	uint8_t both[2 * VAL_MAX];
	size_t n = 0;

	if (s->k == S_NEXTSERVER && v->len > 4)
		v->len = 4;	/* the first address of several */
	if (o->set && s->mode == M_APPEND) {
		memcpy(both, o->v, o->len);
		n = o->len;
	}
	memcpy(both + n, v->b, v->len < VAL_MAX ? v->len : VAL_MAX);
	n += v->len < VAL_MAX ? v->len : VAL_MAX;
	if (o->set && s->mode == M_PREPEND) {
		memcpy(both + n, o->v, o->len);
		n += o->len;
	}
	oval_set(ev, o, both, n, s->loc);
}

static void exec_block(struct ev *ev, const struct block *b)
{
	struct dval v;

	for (size_t i = 0; i < b->n && budget(ev); i++) {
		const struct stmt *s = &b->v[i];

		switch (s->k) {
		case S_OPTION:
		case S_FILENAME:
		case S_NEXTSERVER: {
			struct oval *o = s->k == S_OPTION ? &ev->ov[s->def] :
					 s->k == S_FILENAME ? &ev->file : &ev->ns;
			bool was = ev->unsup;

			ev->unsup = false;
			if (s->expr != NOEXPR)
				eval_data(ev, s->expr, &v);
			else
				dval_set(&v, s->val, s->len);
			/* A null value sets nothing (dhcpd leaves the option out). */
			if (v.ok && !ev->unsup && !(s->mode == M_DEFAULT && o->set))
				set_value(ev, o, s, &v);
			ev->unsup = was;
			if (s->k == S_NEXTSERVER)
				ev->ns_unresolved = s->expr == NOEXPR && s->unresolved;
			break;
		}
		case S_SITESPACE:
			ev->site = s->def;
			ev->site_bad = s->def == SP_NONE;
			ev->site_loc = s->loc;
			break;
		case S_VENDORSPACE:
			ev->vendor = s->def;
			break;
		case S_BOOTING:
			ev->boot_set = true;
			ev->boot_ok = s->allow;
			ev->boot_loc = s->loc;
			break;
		case S_UNKNOWN:
			ev->unk_set = true;
			ev->unk_ok = s->allow;
			ev->unk_loc = s->loc;
			break;
		case S_IF:
			for (size_t a = 0; a < s->narms; a++) {
				if (s->arms[a].cond == NOEXPR || cond_true(ev, s->arms[a].cond)) {
					exec_block(ev, &s->arms[a].body);
					break;
				}
			}
			break;
		}
	}
}

/*
 * dhcpd's execute_statements_in_scope (server/dhcp.c ack_lease): runs g's statements after
 * those of its enclosing groups, stopping at any group that encloses limit (already run).
 */
static void exec_scope(struct ev *ev, const struct grp *g, const struct grp *limit)
{
	const struct grp *chain[NEST_MAX + 8];
	size_t n = 0;

	for (; g != NULL && n < sizeof(chain) / sizeof(chain[0]); g = g->parent) {
		bool done = false;

		for (const struct grp *l = limit; l != NULL && !done; l = l->parent)
			done = l == g;
		if (done)
			break;
		chain[n++] = g;
	}
	while (n > 0)
		exec_block(ev, &chain[--n]->body);
}

static void classify(struct ev *ev)
{
	const struct dh *d = ev->d;
	struct dval v;

	for (const struct grp *c = d->first_class; c != NULL; c = c->next_class) {
		const struct grp *hit = NULL;

		if (c->match_if != NOEXPR) {
			if (cond_true(ev, c->match_if))
				hit = c;
		} else if (c->match != NOEXPR || c->spawn != NOEXPR) {
			bool was = ev->unsup;

			ev->unsup = false;
			eval_data(ev, c->match != NOEXPR ? c->match : c->spawn, &v);
			if (v.ok && !ev->unsup) {
				for (const struct grp *sub = c->first_sub; sub != NULL && hit == NULL;
				     sub = sub->next_sub)
					if (sub->slen == v.len && memcmp(sub->sdata, v.b, v.len) == 0)
						hit = sub;
				/* A spawning class makes a member of every client with a value. */
				if (hit == NULL && c->spawn != NOEXPR)
					hit = c;
			}
			ev->unsup = was;
		}
		if (hit != NULL)
			ev->cls[ev->ncls++] = hit;
	}
}

static bool member_of(const struct ev *ev, const struct grp *cls)
{
	for (size_t i = 0; i < ev->ncls; i++)
		if (ev->cls[i] == cls || ev->cls[i]->super == cls)
			return true;
	return false;
}

static bool permit_matches(const struct ev *ev, const struct permit *pm)
{
	switch (pm->k) {
	case P_UNKNOWN:
		return !ev->known;
	case P_KNOWN:
		return ev->known;
	case P_MEMBERS:
		return member_of(ev, pm->cls);
	case P_BOOTP:
	case P_AUTH:
		return false;	/* the profiles are unauthenticated DHCP clients */
	default:
		return true;
	}
}

/*
 * dhcpd.conf(5) ADDRESS POOLS: with an allow list only matching clients may use the pool,
 * a matching deny entry keeps a client out. Returns NULL if allowed, else the deciding entry.
 */
static const struct permit *pool_refuses(const struct ev *ev, const struct grp *pool)
{
	const struct permit *first_allow = NULL;
	bool allowed = false;

	for (size_t i = 0; i < pool->npermits; i++) {
		const struct permit *pm = &pool->permits[i];

		if (!pm->allow && permit_matches(ev, pm))
			return pm;
		if (pm->allow) {
			if (first_allow == NULL)
				first_allow = pm;
			allowed = allowed || permit_matches(ev, pm);
		}
	}
	return first_allow != NULL && !allowed ? first_allow : NULL;
}

/* The pool dhcpd would take an address from: pools in declaration order, the subnet's bare
 * ranges forming one pool without a permit list (dhcpd.conf(5)). */
static bool choose_pool(const struct ev *ev, const struct grp *s, const struct grp **pool,
			struct lint_loc *why)
{
	bool refused = false, bare = s->has_range;

	for (const struct grp *g = s->first_pool;; g = g->next_pool) {
		if (bare && (g == NULL || s->range_seq <= g->idx)) {
			*pool = NULL;
			*why = s->range_loc;
			return true;
		}
		if (g == NULL)
			break;
		if (!g->has_range)
			continue;
		const struct permit *pm = pool_refuses(ev, g);

		if (pm == NULL) {
			*pool = g;
			*why = g->range_loc;
			return true;
		}
		if (!refused)
			*why = pm->loc;
		refused = true;
	}
	return false;
}

/* The host declaration matching the client's MAC or client identifier, if any. */
static const struct grp *host_for(struct dh *d, const struct lint_profile *p)
{
	uint8_t key[sizeof(d->hc_key)] = { 0 };
	const struct grp *found = NULL;

	memcpy(key, p->mac, 6);
	if (p->opt[61].present) {
		key[6] = p->opt[61].len;
		memcpy(key + 7, p->opt[61].data, p->opt[61].len);
	}
	if (d->hc_valid && memcmp(key, d->hc_key, sizeof(key)) == 0)
		return d->hc_host;
	for (size_t i = 0; i < d->ng && found == NULL; i++) {
		const struct grp *h = d->g[i];

		if (h->k != G_HOST)
			continue;
		if ((h->hwlen == 7 && h->hw[0] == 1 && memcmp(h->hw + 1, p->mac, 6) == 0) ||
		    (h->uidlen > 0 && p->opt[61].present && p->opt[61].len == h->uidlen &&
		     memcmp(p->opt[61].data, h->uid, h->uidlen) == 0))
			found = h;
	}
	memcpy(d->hc_key, key, sizeof(key));
	d->hc_host = found;
	d->hc_valid = true;
	return found;
}

/* dhcpd's default subnet-scope subnet for a host without a fixed address. */
static const struct grp *first_serving_subnet(const struct dh *d)
{
	for (size_t i = 0; i < d->nsc; i++)
		if (d->sc[i].k == SC_SUBNET)
			return d->sc[i].g;
	return NULL;
}

/* TLVs of space sp's options set for this client, in code order. */
static size_t encapsulate(const struct ev *ev, unsigned sp, uint8_t *out, size_t cap,
			  struct lint_loc *loc)
{
	const struct space *s = &ev->d->sp[sp];
	size_t n = 0, i = 0;
	bool any = false;

	while (i < s->ndefs) {
		/* Of several names for one code, the value set last is the one. */
		uint32_t code = s->defs[i].code;
		const struct oval *o = NULL;

		for (; i < s->ndefs && s->defs[i].code == code; i++) {
			const struct oval *x = &ev->ov[s->defs[i].def];

			if (x->set && (o == NULL || x->seq > o->seq))
				o = x;
		}
		if (o == NULL)
			continue;
		if (!any)
			*loc = o->loc;
		any = true;
		if (n + s->code_width + s->len_width + o->len > cap)
			break;
		for (unsigned k = s->code_width; k > 0; k--)
			out[n++] = (uint8_t)(code >> (8 * (k - 1)));
		for (unsigned k = s->len_width; k > 0; k--)
			out[n++] = (uint8_t)(o->len >> (8 * (k - 1)));
		memcpy(out + n, o->v, o->len);
		n += o->len;
	}
	return n;
}

static void put_opt(struct lint_opt *o, const uint8_t *b, size_t n, struct lint_loc l)
{
	o->defined = true;
	o->len = n < sizeof(o->value) ? n : sizeof(o->value);
	memcpy(o->value, b, o->len);
	o->loc = l;
}

static void fill_options(const struct ev *ev, struct lint_offer *out)
{
	const struct dh *d = ev->d;
	unsigned seq[256] = { 0 };
	bool nosend[256] = { false };
	uint8_t tlv[VAL_MAX];
	struct lint_loc l = { NULL, 0, 0 };

	for (size_t i = 0; i < d->ndefs; i++) {
		const struct optdef *od = &d->defs[i];

		if (od->space == SP_DHCP && ev->ov[i].set && od->code < 256 && ev->ov[i].seq > seq[od->code]) {
			seq[od->code] = ev->ov[i].seq;
			put_opt(&out->opt[od->code], ev->ov[i].v, ev->ov[i].len, ev->ov[i].loc);
		}
	}
	/*
	 * site-option-space (server/dhcp.c ack_lease, find_min_site_code): codes from the
	 * lowest one the space defines (224 at most) are taken from that space instead of the
	 * main one, and go out under their own codes, still subject to the request list.
	 */
	if (ev->site != SP_NONE && ev->site != SP_DHCP) {
		const struct space *site = &d->sp[ev->site];
		unsigned min = site->ndefs > 0 && site->defs[0].code < 224 ? site->defs[0].code : 224;

		for (unsigned c = min; c < 255; c++) {
			memset(&out->opt[c], 0, sizeof(out->opt[c]));
			seq[c] = 0;
		}
		for (size_t i = 0; i < site->ndefs; i++) {
			uint32_t c = site->defs[i].code;
			const struct oval *o = &ev->ov[site->defs[i].def];

			if (o->set && c >= min && c < 255 && o->seq > seq[c]) {
				seq[c] = o->seq;
				put_opt(&out->opt[c], o->v, o->len, o->loc);
			}
		}
	}
	/* Encapsulating options (43 from vendor-option-space, "code N = encapsulate SPACE")
	 * carry their space's options as TLVs unless given a value of their own. */
	for (size_t i = 0; i < d->ndefs; i++) {
		const struct optdef *od = &d->defs[i];
		unsigned sp = od->encap == SP_VENDOR ? ev->vendor : od->encap;
		size_t n;

		if (od->space != SP_DHCP || sp == SP_NONE || od->code > 254 || out->opt[od->code].defined)
			continue;
		n = encapsulate(ev, sp, tlv, sizeof(tlv), &l);
		if (n > 0)
			put_opt(&out->opt[od->code], tlv, n, l);
	}
	/* Options of a space nothing puts in the reply (no site- or vendor-option-space, no
	 * encapsulation) are given a value but never sent: the classic missing 209. Only codes
	 * 128-254 (site and vendor-specific) are recorded, where no standard option collides. */
	for (size_t i = 0; i < d->ndefs; i++) {
		const struct optdef *od = &d->defs[i];

		if (od->space <= SP_AGENT || od->space == ev->site || d->sp[od->space].referenced ||
		    !ev->ov[i].set || od->code < 128 || od->code > 254 || out->opt[od->code].defined)
			continue;
		put_opt(&out->opt[od->code], ev->ov[i].v, ev->ov[i].len, ev->ov[i].loc);
		nosend[od->code] = true;
	}
	/*
	 * What goes out (common/options.c cons_options): the request list decides, and a
	 * dhcp-parameter-request-list set in the configuration replaces the client's (ack_lease:
	 * "If there's a parameter request list in scope, use that in preference"). dhcpd adds
	 * message type, server id, lease times, message, requested address, associated ip
	 * and the subnet mask on its own. A client without a list gets everything.
	 */
	static const uint8_t forced[] = { 1, 50, 51, 53, 54, 56, 58, 59, 92 };
	const uint8_t *prl = NULL;
	size_t prl_len = 0;

	if (out->opt[55].defined) {
		prl = out->opt[55].value;
		prl_len = out->opt[55].len;
	} else if (ev->p->opt[55].present) {
		prl = ev->p->opt[55].data;
		prl_len = ev->p->opt[55].len;
	}
	for (unsigned c = 1; c < 255; c++) {
		struct lint_opt *o = &out->opt[c];

		if (!o->defined || nosend[c])
			continue;
		o->sent = prl == NULL || memchr(prl, (int)c, prl_len) != NULL ||
			  memchr(forced, (int)c, sizeof(forced)) != NULL;
	}
}

static void dh_eval(void *priv, size_t scope, const struct lint_profile *p, struct lint_offer *out)
{
	struct dh *d = priv;
	const struct scope *sc;
	const struct grp *root, *subnet = NULL, *pool = NULL, *host = NULL, *limit;
	struct ev ev;
	bool answered = true;
	struct lint_loc why = { d->path, 0, 0 };

	if (scope >= d->nsc || d->ng == 0)
		return;
	sc = &d->sc[scope];
	root = d->g[0];
	if (sc->k == SC_NONE) {
		out->answered = false;
		out->answer_loc = why;
		return;
	}
	memset(&ev, 0, sizeof(ev));
	ev.d = d;
	ev.p = p;
	ev.site = ev.vendor = SP_NONE;
	ev.ov = calloc(d->ndefs ? d->ndefs : 1, sizeof(*ev.ov));
	ev.cls = calloc(d->nclasses + 1, sizeof(*ev.cls));
	if (ev.ov == NULL || ev.cls == NULL) {
		free(ev.ov);
		free(ev.cls);
		out->answered = false;
		out->answer_loc = why;
		return;
	}
	ev.hw[0] = 1;	/* Ethernet */
	memcpy(ev.hw + 1, p->mac, 6);
	ev.hwlen = 7;
	if (sc->k == SC_HOST) {
		host = sc->g;
		ev.known = true;
		if (host->hwlen > 0) {
			memcpy(ev.hw, host->hw, host->hwlen);
			ev.hwlen = host->hwlen;
		}
		if (host->has_fixed) {
			ev.is_static = true;
			why = host->fixed_loc;
			subnet = host->fixed_resolved ? subnet_of(d, host->fixed) : enclosing(host, G_SUBNET);
			/* dhcpd.conf(5): a fixed address outside every subnet does not match. */
			if (subnet == NULL)
				answered = false;
		} else {
			why = host->loc;
			subnet = enclosing(host, G_SUBNET);
			if (subnet == NULL || !subnet->serves)
				subnet = first_serving_subnet(d);
			if (subnet == NULL)
				answered = false;
		}
	} else {
		subnet = sc->g;
		host = host_for(d, p);
		ev.known = host != NULL;
	}
	classify(&ev);
	if (answered && subnet != NULL && !ev.is_static)
		answered = choose_pool(&ev, subnet, &pool, &why);
	/* Statement order of server/dhcp.c ack_lease: subnet (with its shared-network and
	 * the global scope), pool, the classes from the last matched to the first (so the
	 * first declared wins), host; what runs later wins. */
	exec_scope(&ev, subnet != NULL ? subnet : root, NULL);
	limit = pool != NULL ? pool : subnet != NULL ? subnet : root;
	if (pool != NULL)
		exec_scope(&ev, pool, subnet);
	for (size_t i = ev.ncls; i > 0; i--)
		exec_scope(&ev, ev.cls[i - 1], limit);
	if (host != NULL)
		exec_scope(&ev, host, limit);
	/* ack_lease drops the request for unknown clients when boot-unknown-clients is off and
	 * when booting is denied; an unknown site-option-space also ends it. */
	if (answered && ev.unk_set && !ev.unk_ok && !ev.known) {
		answered = false;
		why = ev.unk_loc;
	}
	if (answered && ev.boot_set && !ev.boot_ok) {
		answered = false;
		why = ev.boot_loc;
	}
	if (answered && ev.site_bad) {
		answered = false;
		why = ev.site_loc;
	}
	out->answered = answered;
	out->answer_loc = why;
	if (ev.file.set) {
		size_t n = ev.file.len < sizeof(out->file) - 1 ? ev.file.len : sizeof(out->file) - 1;
		const uint8_t *nul = memchr(ev.file.v, '\0', n);

		if (nul != NULL)
			n = (size_t)(nul - ev.file.v);
		out->has_file = true;
		memcpy(out->file, ev.file.v, n);
		out->file[n] = '\0';
		out->file_loc = ev.file.loc;
	}
	/*
	 * siaddr: dhcpd 4.x clears it and sets it only from next-server (server/dhcp.c
	 * ack_lease: memset(&state->siaddr, 0, ...) before the SV_NEXT_SERVER lookup); Red Hat's
	 * dhcpd.conf(5) says it outright: "If no next-server statement applies to a given
	 * client, the address 0.0.0.0 is used."
	 */
	if (ev.ns.set) {
		out->has_next_server = true;
		out->next_server_loc = ev.ns.loc;
		if (!ev.ns_unresolved && ev.ns.len >= 4)
			out->next_server = (uint32_t)ev.ns.v[0] << 24 | (uint32_t)ev.ns.v[1] << 16 |
					   (uint32_t)ev.ns.v[2] << 8 | ev.ns.v[3];
	}
	fill_options(&ev, out);
	free(ev.ov);
	free(ev.cls);
}

/* ---------------------------------------------------------------------------------------- */
/* The lint_server interface. */

static size_t dh_nscopes(void *priv)
{
	return ((const struct dh *)priv)->nsc;
}

static const char *dh_scope_name(void *priv, size_t scope)
{
	const struct dh *d = priv;

	return scope < d->nsc ? d->sc[scope].name : "";
}

static struct lint_loc dh_scope_loc(void *priv, size_t scope)
{
	const struct dh *d = priv;
	struct lint_loc l = { d->path, 0, 0 };

	if (scope < d->nsc && d->sc[scope].k != SC_NONE)
		l = d->sc[scope].g->loc;
	return l;
}

static const char *dh_tftp_root(void *priv, struct lint_loc *loc)
{
	(void)priv;
	(void)loc;
	return NULL;
}

static void free_block(struct block *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->v[i].val);
		for (size_t a = 0; a < b->v[i].narms; a++)
			free_block(&b->v[i].arms[a].body);
		free(b->v[i].arms);
	}
	free(b->v);
}

static void dh_free(void *priv)
{
	struct dh *d = priv;

	if (d == NULL)
		return;
	for (size_t i = 0; i < d->ng; i++) {
		free_block(&d->g[i]->body);
		free(d->g[i]->permits);
		free(d->g[i]->sdata);
		free(d->g[i]);
	}
	for (size_t i = 0; i < d->nex; i++) {
		free(d->ex[i].data);
		if (d->ex[i].re != NULL) {
			regfree(d->ex[i].re);
			free(d->ex[i].re);
		}
	}
	for (size_t i = 0; i < d->ndefs; i++)
		free(d->defs[i].name);
	for (size_t i = 0; i < d->nsp; i++) {
		free(d->sp[i].name);
		free(d->sp[i].defs);
	}
	free(d->g);
	free(d->subnets);
	free(d->ex);
	free(d->defs);
	free(d->sp);
	free(d->sc);
	free(d);
}

int lint_dhcpd_load(struct lint_ctx *c, const char *path, struct lint_server *out, char *why,
		    size_t why_cap)
{
	struct parser p;
	struct lexer lx;
	struct stat st;
	struct grp *root;
	struct dh *d;
	char *text;
	size_t len;

	if (lint_read_file(path, &text, &len, why, why_cap) != 0)
		return -1;
	d = dh_new(c, path);
	if (d == NULL || d->oom) {
		dh_free(d);
		free(text);
		snprintf(why, why_cap, "out of memory");
		return -1;
	}
	memset(&p, 0, sizeof(p));
	p.c = c;
	p.d = d;
	if (stat(path, &st) == 0)
		inc_push(&p, &st);
	lexer_start(&p, &lx, d->path, text, len);
	root = grp_new(&p, G_ROOT, NULL, loc_at(&p, 0, 0));
	if (root != NULL) {
		parse_file(&p, root, &root->body);
		d->nstmts = p.nstmts;
		build_scopes(&p, root);
	}
	free(text);
	if (d->oom || root == NULL) {
		dh_free(d);
		snprintf(why, why_cap, "out of memory");
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->kind = "isc-dhcpd";
	out->path = d->path;
	out->priv = d;
	out->nscopes = dh_nscopes;
	out->scope_name = dh_scope_name;
	out->scope_loc = dh_scope_loc;
	out->eval = dh_eval;
	out->tftp_root = dh_tftp_root;
	out->free = dh_free;
	return 0;
}
