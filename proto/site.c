/* site.c: the site file: one declarative description of a boot site (docs/site-config.md). */
#include "proto/site.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/net.h"

#define LINE_MAX_LEN 1024
#define WORDS_MAX 6

void site_init(struct site *s)
{
	memset(s, 0, sizeof(*s));
	s->lease_time = 3600;
	s->netmask = 0xffffff00u;
	s->pxelinux_reboottime = -1;
	s->pxelinux_force = true;
	s->keep_san = -1;
	s->skip_san_boot = -1;
}

struct pctx {
	const char *name;
	unsigned line;
	char *err;
	size_t errcap;
};

static int fail(struct pctx *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct pctx *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errcap, "%s:%u: %s", p->name, p->line, msg);
	return -1;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Splits v on blanks into at most WORDS_MAX words (in place). */
static size_t words(char *v, char **w)
{
	size_t n = 0;

	while (*v && n < WORDS_MAX) {
		while (*v == ' ' || *v == '\t')
			v++;
		if (!*v)
			break;
		w[n++] = v;
		while (*v && *v != ' ' && *v != '\t')
			v++;
		if (*v)
			*v++ = '\0';
	}
	return *v ? WORDS_MAX + 1 : n;
}

static int set_str(struct pctx *p, const char *key, const char *v, char *dst, size_t cap)
{
	if (dst[0])
		return fail(p, "%s is set twice", key);
	if (strlen(v) >= cap)
		return fail(p, "value of %s longer than %zu bytes", key, cap - 1);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int set_ip(struct pctx *p, const char *key, const char *v, uint32_t *dst)
{
	if (!net_ip_parse(v, dst))
		return fail(p, "%s needs an IPv4 address, not \"%s\"", key, v);
	return 0;
}

static int set_bool(struct pctx *p, const char *key, const char *v, bool *dst)
{
	if (!strcmp(v, "1") || !strcasecmp(v, "yes") || !strcasecmp(v, "true")) {
		*dst = true;
	} else if (!strcmp(v, "0") || !strcasecmp(v, "no") || !strcasecmp(v, "false")) {
		*dst = false;
	} else {
		if (!strcmp(key, "san.keep-san"))
			return fail(p, "san.keep-san must be 1 or 0, yes or no");
		return fail(p, "%s must be yes or no (or 1 or 0), not \"%s\"", key, v);
	}
	return 0;
}

static int set_tri(struct pctx *p, const char *key, const char *v, int *dst)
{
	bool b = false;

	if (set_bool(p, key, v, &b) != 0)
		return -1;
	*dst = b;
	return 0;
}

static int set_uint(struct pctx *p, const char *key, const char *v, unsigned long max,
		    unsigned long *dst)
{
	char *end;

	if (!*v || *v == '-')
		return fail(p, "%s needs a number, not \"%s\"", key, v);
	*dst = strtoul(v, &end, 10);
	if (*end || *dst > max)
		return fail(p, "%s needs a number from 0 to %lu, not \"%s\"", key, max, v);
	return 0;
}

static struct site_target *target(struct site *s, const char *name)
{
	for (size_t i = 0; i < s->ntargets; i++)
		if (!strcmp(s->targets[i].name, name))
			return &s->targets[i];
	if (s->ntargets == SITE_TARGETS_MAX || strlen(name) >= sizeof(s->targets[0].name))
		return NULL;
	snprintf(s->targets[s->ntargets].name, sizeof(s->targets[0].name), "%s", name);
	return &s->targets[s->ntargets++];
}

static bool iqn_ok(const char *n)
{
	return !strncasecmp(n, "iqn.", 4) || !strncasecmp(n, "eui.", 4) ||
	       !strncasecmp(n, "naa.", 4);
}

static int key_multi(struct pctx *p, struct site *s, const char *key, char *v)
{
	char *w[WORDS_MAX];
	size_t n = words(v, w);

	if (!strcmp(key, "dhcp.host")) {
		struct site_host *h;

		if (n != 2)
			return fail(p, "dhcp.host needs MAC and IP (dhcp.host = 52:54:00:ab:cd:ef "
				       "192.0.2.50)");
		if (s->nhosts == SITE_HOSTS_MAX)
			return fail(p, "more than %d dhcp.host lines", SITE_HOSTS_MAX);
		h = &s->hosts[s->nhosts];
		if (!net_mac_parse(w[0], h->mac))
			return fail(p, "dhcp.host: \"%s\" is not a MAC address", w[0]);
		if (!net_ip_parse(w[1], &h->ip))
			return fail(p, "dhcp.host: \"%s\" is not an IPv4 address", w[1]);
		s->nhosts++;
		return 0;
	}
	if (!strcmp(key, "dhcp.pool")) {
		if (n != 2 || !net_ip_parse(w[0], &s->pool_first) ||
		    !net_ip_parse(w[1], &s->pool_last) || s->pool_first > s->pool_last ||
		    s->pool_last - s->pool_first > 65535)
			return fail(p, "dhcp.pool needs FIRST LAST addresses, at most 65536 of them "
				       "(dhcp.pool = 192.0.2.100 192.0.2.199)");
		return 0;
	}
	if (!strcmp(key, "http.auth")) {
		struct site_auth *a;

		if (n != 3 || w[0][0] != '/')
			return fail(p, "http.auth needs PATH-PREFIX USER PASSWORD (http.auth = "
				       "/private/ user secret)");
		if (s->nauth == SITE_AUTH_MAX)
			return fail(p, "more than %d http.auth lines", SITE_AUTH_MAX);
		a = &s->auth[s->nauth];
		if (strlen(w[0]) >= sizeof(a->prefix) || strlen(w[1]) >= sizeof(a->user) ||
		    strlen(w[2]) >= sizeof(a->password))
			return fail(p, "http.auth: a field is too long");
		snprintf(a->prefix, sizeof(a->prefix), "%s", w[0]);
		snprintf(a->user, sizeof(a->user), "%s", w[1]);
		snprintf(a->password, sizeof(a->password), "%s", w[2]);
		s->nauth++;
		return 0;
	}
	if (!strcmp(key, "iscsi.lun")) {
		struct site_target *t;
		struct site_lun *l;
		unsigned long lun = 0;

		if (n != 4 || (strcmp(w[3], "ro") && strcmp(w[3], "rw")))
			return fail(p, "iscsi.lun needs TARGET LUN IMAGE ro|rw (iscsi.lun = "
				       "iqn.2026-11.example:disk0 1 disk0.img rw)");
		if (!iqn_ok(w[0]))
			return fail(p, "iscsi.lun: target name must start with iqn., eui. or naa.");
		if (set_uint(p, "iscsi.lun's LUN", w[1], 255, &lun) != 0)
			return -1;
		t = target(s, w[0]);
		if (!t)
			return fail(p, "more than %d iSCSI targets, or a name over 223 bytes",
				    SITE_TARGETS_MAX);
		for (size_t i = 0; i < t->nluns; i++)
			if (t->luns[i].lun == lun)
				return fail(p, "iscsi.lun: LUN %lu of %s is defined twice", lun,
					    w[0]);
		if (t->nluns == SITE_LUNS_MAX)
			return fail(p, "more than %d LUNs for %s", SITE_LUNS_MAX, w[0]);
		l = &t->luns[t->nluns];
		if (strlen(w[2]) >= sizeof(l->path))
			return fail(p, "iscsi.lun: image path too long");
		l->lun = lun;
		snprintf(l->path, sizeof(l->path), "%s", w[2]);
		l->rw = !strcmp(w[3], "rw");
		t->nluns++;
		return 0;
	}
	if (!strcmp(key, "iscsi.chap")) {
		struct site_target *t;

		if (n != 3)
			return fail(p, "iscsi.chap needs TARGET USER SECRET");
		/* RFC 7143 12.1.3: CHAP secrets of at least 12 bytes (96 bits) are required. */
		if (strlen(w[2]) < 12 || strlen(w[2]) >= sizeof(t->chap_secret))
			return fail(p, "iscsi.chap: the secret must be 12 to 127 characters");
		t = target(s, w[0]);
		if (!t || strlen(w[1]) >= sizeof(t->chap_user))
			return fail(p, "iscsi.chap: bad target or user name");
		if (t->chap_user[0])
			return fail(p, "iscsi.chap for %s is set twice", w[0]);
		snprintf(t->chap_user, sizeof(t->chap_user), "%s", w[1]);
		snprintf(t->chap_secret, sizeof(t->chap_secret), "%s", w[2]);
		return 0;
	}
	return 1;	/* not a multi-word key */
}

static int key_one(struct pctx *p, struct site *s, const char *key, const char *v)
{
	static const struct {
		const char *key;
		size_t off;
		size_t cap;
	} strs[] = {
#define S(k, f) { k, offsetof(struct site, f), sizeof(((struct site *)0)->f) }
		S("dhcp.leases-file", leases_file),
		S("boot.bios", boot_bios),
		S("boot.efi-x64", boot_efi_x64),
		S("boot.efi-ia32", boot_efi_ia32),
		S("boot.arm64", boot_arm64),
		S("boot.ipxe-script", ipxe_script),
		S("pxelinux.configfile", pxelinux_configfile),
		S("pxelinux.pathprefix", pxelinux_pathprefix),
		S("san.root-path", root_path),
		S("ipxe.username", ipxe_username),
		S("ipxe.password", ipxe_password),
		S("tftp.root", tftp_root),
		S("http.root", http_root),
#undef S
	};
	unsigned long u;

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!strcmp(key, strs[i].key))
			return set_str(p, key, v, (char *)s + strs[i].off, strs[i].cap);
	if (!strcmp(key, "server.address"))
		return set_ip(p, key, v, &s->server_ip);
	if (!strcmp(key, "dhcp.netmask"))
		return set_ip(p, key, v, &s->netmask);
	if (!strcmp(key, "dhcp.router"))
		return set_ip(p, key, v, &s->router);
	if (!strcmp(key, "dhcp.dns"))
		return set_ip(p, key, v, &s->dns);
	if (!strcmp(key, "dhcp.proxy"))
		return set_bool(p, key, v, &s->proxy);
	if (!strcmp(key, "dhcp.lease-time")) {
		if (set_uint(p, key, v, 0x7fffffffUL, &u) != 0)
			return -1;
		if (u < 60)
			return fail(p, "dhcp.lease-time must be at least 60 seconds");
		s->lease_time = (uint32_t)u;
		return 0;
	}
	if (!strcmp(key, "pxelinux.magic"))
		return set_bool(p, key, v, &s->pxelinux_magic);
	if (!strcmp(key, "pxelinux.force"))
		return set_bool(p, key, v, &s->pxelinux_force);
	if (!strcmp(key, "pxelinux.reboottime")) {
		if (set_uint(p, key, v, 0x7fffffffUL, &u) != 0)
			return -1;
		s->pxelinux_reboottime = (int)u;
		return 0;
	}
	if (!strcmp(key, "san.keep-san"))
		return set_tri(p, key, v, &s->keep_san);
	if (!strcmp(key, "san.skip-san-boot"))
		return set_tri(p, key, v, &s->skip_san_boot);
	return fail(p, "unknown key \"%s\"", key);
}

int site_parse(struct view text, const char *name, struct site *s, char *err, size_t errcap)
{
	struct pctx p = { name, 0, err, errcap };
	size_t pos = 0;

	while (pos < text.len) {
		char line[LINE_MAX_LEN + 1];
		size_t n = 0;
		char *l;
		char *eq;
		char *key;
		char *val;
		int rc;

		p.line++;
		while (pos < text.len && text.p[pos] != '\n') {
			if (text.p[pos] == '\0')
				return fail(&p, "NUL byte in the file");
			if (n == LINE_MAX_LEN)
				return fail(&p, "line longer than %d bytes", LINE_MAX_LEN);
			line[n++] = (char)text.p[pos++];
		}
		pos++;
		line[n] = '\0';
		l = trim(line);
		if (!*l || *l == '#')
			continue;
		eq = strchr(l, '=');
		if (!eq)
			return fail(&p, "expected \"key = value\"");
		*eq = '\0';
		key = trim(l);
		val = trim(eq + 1);
		if (!*key)
			return fail(&p, "expected \"key = value\"");
		if (!*val)
			return fail(&p, "%s has no value", key);
		if (strlen(val) >= SITE_STR)
			return fail(&p, "value longer than %d bytes", SITE_STR - 1);
		rc = key_multi(&p, s, key, val);
		if (rc < 0)
			return -1;
		if (rc > 0 && key_one(&p, s, key, val) != 0)
			return -1;
	}
	if (s->pool_first && s->server_ip && s->server_ip >= s->pool_first &&
	    s->server_ip <= s->pool_last) {
		p.line = 0;
		snprintf(err, errcap, "%s: server.address lies inside dhcp.pool", name);
		return -1;
	}
	return 0;
}
