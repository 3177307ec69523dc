/* dhcp.c: DHCP/BOOTP decoding and encoding. */
#include "dhcp.h"

#include <stdio.h>

static struct view cstr_field(const uint8_t *p, size_t cap)
{
	struct view v = { p, 0 };

	while (v.len < cap && p[v.len] != 0)
		v.len++;
	return v;
}

/* Records one option instance; repeated codes are concatenated (RFC 3396). */
static void add_opt(struct dhcp_msg *m, uint8_t code, const uint8_t *val, uint8_t len,
		    uint8_t where)
{
	struct dhcp_optval *o = &m->opt[code];

	if (o->count == 0) {
		o->val = val;
		o->len = len;
		o->count = 1;
		o->where = where;
		m->order[m->nopts++] = code;
		return;
	}
	if (o->count == 255)
		return;
	if (m->scratch_used + o->len + len > DHCP_SCRATCH ||
	    (size_t)o->len + len > UINT16_MAX) {
		m->problems |= DHCP_PROB_SCRATCH_FULL;
		return;
	}
	/* Move the value into scratch on its first repetition, then append. */
	if (o->val < m->scratch || o->val >= m->scratch + DHCP_SCRATCH ||
	    o->val + o->len != m->scratch + m->scratch_used) {
		memmove(m->scratch + m->scratch_used, o->val, o->len);
		o->val = m->scratch + m->scratch_used;
		m->scratch_used += o->len;
	}
	memcpy(m->scratch + m->scratch_used, val, len);
	m->scratch_used += len;
	o->len = (uint16_t)(o->len + len);
	o->count++;
	o->where |= where;
}

/* Walks one option field: the options area, or an overloaded file/sname. */
static void parse_field(struct dhcp_msg *m, const uint8_t *p, size_t len, uint8_t where)
{
	struct cur c = cur_make(p, len);

	while (cur_left(&c) > 0) {
		uint8_t code = cur_u8(&c);
		uint8_t olen;
		const uint8_t *val;

		if (code == DHCP_OPT_PAD)
			continue;
		if (code == DHCP_OPT_END)
			return;
		olen = cur_u8(&c);
		val = cur_bytes(&c, olen);
		if (c.err) {
			m->problems |= DHCP_PROB_OPT_OVERRUN;
			return;
		}
		if (code == DHCP_OPT_OVERLOAD) {
			if (where != DHCP_IN_OPTIONS) {
				/* Following a 52 found inside file/sname would loop. */
				m->problems |= DHCP_PROB_OVERLOAD_LOOP;
				continue;
			}
			if (olen != 1 || val[0] < 1 || val[0] > 3) {
				m->problems |= DHCP_PROB_OVERLOAD_BAD;
				continue;
			}
			m->overload = val[0];
		}
		add_opt(m, code, val, olen, where);
	}
	/* The overloaded fields may simply be full; only the options area must end. */
	if (where == DHCP_IN_OPTIONS)
		m->problems |= DHCP_PROB_NO_END;
}

int dhcp_decode(const uint8_t *p, size_t len, struct dhcp_msg *m)
{
	struct cur c = cur_make(p, len);
	const uint8_t *sname;
	const uint8_t *file;
	const struct dhcp_optval *t;

	memset(m, 0, offsetof(struct dhcp_msg, opt));
	memset(m->opt, 0, sizeof(m->opt));
	m->scratch_used = 0;
	m->op = cur_u8(&c);
	m->htype = cur_u8(&c);
	m->hlen = cur_u8(&c);
	m->hops = cur_u8(&c);
	m->xid = cur_be32(&c);
	m->secs = cur_be16(&c);
	m->flags = cur_be16(&c);
	m->ciaddr = cur_be32(&c);
	m->yiaddr = cur_be32(&c);
	m->siaddr = cur_be32(&c);
	m->giaddr = cur_be32(&c);
	cur_copy(&c, m->chaddr, 16);
	sname = cur_bytes(&c, 64);
	file = cur_bytes(&c, 128);
	if (c.err) {
		m->problems |= DHCP_PROB_SHORT;
		return -1;
	}
	if (m->hlen > 16)
		m->problems |= DHCP_PROB_BAD_HLEN;
	if (cur_left(&c) >= 4 && cur_be32(&c) == DHCP_MAGIC) {
		m->has_cookie = true;
		parse_field(m, c.p, c.len, DHCP_IN_OPTIONS);
		if (m->overload & 1)
			parse_field(m, file, 128, DHCP_IN_FILE);
		if (m->overload & 2)
			parse_field(m, sname, 64, DHCP_IN_SNAME);
	} else {
		m->problems |= DHCP_PROB_NO_COOKIE;
	}
	if (!(m->overload & 1))
		m->file = cstr_field(file, 128);
	if (!(m->overload & 2))
		m->sname = cstr_field(sname, 64);
	t = dhcp_opt(m, DHCP_OPT_MSGTYPE);
	if (t) {
		if (t->len == 1 && t->val[0] >= 1 && t->val[0] <= 18)
			m->msgtype = t->val[0];
		else
			m->problems |= DHCP_PROB_BAD_MSGTYPE;
	}
	return 0;
}

const struct dhcp_optval *dhcp_opt(const struct dhcp_msg *m, uint8_t code)
{
	return m->opt[code].count ? &m->opt[code] : NULL;
}

const char *dhcp_msgtype_name(unsigned type)
{
	static const char *const names[] = {
		"BOOTP", "DISCOVER", "OFFER", "REQUEST", "DECLINE",
		"ACK", "NAK", "RELEASE", "INFORM",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "DHCP";
}

const char *dhcp_problem_str(unsigned problems)
{
	static const struct {
		unsigned bit;
		const char *text;
	} tab[] = {
		{ DHCP_PROB_SHORT, "shorter than the 236-byte BOOTP header" },
		{ DHCP_PROB_OPT_OVERRUN, "an option's length runs past the end of its field" },
		{ DHCP_PROB_OVERLOAD_LOOP, "option 52 inside an overloaded field" },
		{ DHCP_PROB_OVERLOAD_BAD, "option 52 with a bad length or value" },
		{ DHCP_PROB_SCRATCH_FULL, "repeated options too long to concatenate" },
		{ DHCP_PROB_BAD_HLEN, "hardware address length over 16" },
		{ DHCP_PROB_BAD_MSGTYPE, "option 53 with a bad length or value" },
		{ DHCP_PROB_NO_END, "options not terminated by option 255" },
		{ DHCP_PROB_NO_COOKIE, "no DHCP magic cookie (plain BOOTP)" },
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (problems & tab[i].bit)
			return tab[i].text;
	return "no problem";
}

bool dhcp_user_class_has(const struct dhcp_msg *m, const char *s)
{
	const struct dhcp_optval *o = dhcp_opt(m, DHCP_OPT_USER_CLASS);
	size_t n = strlen(s);
	struct cur c;

	if (!o)
		return false;
	/* The bare form iPXE sends (ISC dhcpd compares these raw bytes). */
	if (o->len == n && memcmp(o->val, s, n) == 0)
		return true;
	/* RFC 3004: a list of length-prefixed items. */
	c = cur_make(o->val, o->len);
	while (cur_left(&c) > 0) {
		uint8_t ilen = cur_u8(&c);
		const uint8_t *item = cur_bytes(&c, ilen);

		if (c.err)
			return false;
		if (ilen == n && memcmp(item, s, n) == 0)
			return true;
	}
	return false;
}

void dhcp_user_class_str(const struct dhcp_msg *m, char *dst, size_t cap)
{
	const struct dhcp_optval *o = dhcp_opt(m, DHCP_OPT_USER_CLASS);
	struct cur c;
	bool rfc3004 = true;
	size_t used = 0;

	if (cap == 0)
		return;
	dst[0] = '\0';
	if (!o)
		return;
	/* It is RFC 3004 form only if the item lengths tile the value exactly. */
	c = cur_make(o->val, o->len);
	while (cur_left(&c) > 0) {
		uint8_t ilen = cur_u8(&c);

		if (ilen == 0 || !cur_bytes(&c, ilen)) {
			rfc3004 = false;
			break;
		}
	}
	if (!rfc3004 || o->len == 0) {
		view_to_printable((struct view){ o->val, o->len }, dst, cap);
		return;
	}
	c = cur_make(o->val, o->len);
	while (cur_left(&c) > 0 && used + 1 < cap) {
		uint8_t ilen = cur_u8(&c);
		struct view item = { cur_bytes(&c, ilen), ilen };

		if (used)
			dst[used++] = ',';
		view_to_printable(item, dst + used, cap - used);
		used += strlen(dst + used);
	}
}

int dhcp_client_arch(const struct dhcp_msg *m)
{
	const struct dhcp_optval *o = dhcp_opt(m, DHCP_OPT_CLIENT_ARCH);

	if (!o || o->len < 2)
		return -1;
	return o->val[0] << 8 | o->val[1];
}

bool dhcp_vendor_class_is(const struct dhcp_msg *m, const char *prefix)
{
	const struct dhcp_optval *o = dhcp_opt(m, DHCP_OPT_VENDOR_CLASS);
	size_t n = strlen(prefix);

	return o && o->len >= n && memcmp(o->val, prefix, n) == 0;
}

int dhcp_vendor_class_arch(const struct dhcp_msg *m)
{
	const struct dhcp_optval *o = dhcp_opt(m, DHCP_OPT_VENDOR_CLASS);
	static const char key[] = "Client:Arch:";
	size_t klen = sizeof(key) - 1;

	if (!o)
		return -1;
	/* PXEClient:Arch:NNNNN:... or HTTPClient:Arch:NNNNN:... */
	for (size_t i = 0; i + klen + 5 <= o->len; i++) {
		int v = 0;

		if (memcmp(o->val + i, key, klen) != 0)
			continue;
		for (size_t d = 0; d < 5; d++) {
			uint8_t ch = o->val[i + klen + d];

			if (ch < '0' || ch > '9')
				return -1;
			v = v * 10 + (ch - '0');
		}
		return v;
	}
	return -1;
}

bool dhcp_client_uuid(const struct dhcp_msg *m, uint8_t uuid[16])
{
	const struct dhcp_optval *o = dhcp_opt(m, DHCP_OPT_CLIENT_UUID);

	if (!o || o->len != 17 || o->val[0] != 0)
		return false;
	memcpy(uuid, o->val + 1, 16);
	return true;
}

struct view dhcp_bootfile(const struct dhcp_msg *m)
{
	const struct dhcp_optval *o = dhcp_opt(m, DHCP_OPT_BOOTFILE);

	if (o) {
		struct view v = { o->val, o->len };

		/* Some servers include the C string's terminator in the option. */
		while (v.len && v.p[v.len - 1] == 0)
			v.len--;
		return v;
	}
	return m->file;
}

uint32_t dhcp_server_id(const struct dhcp_msg *m)
{
	const struct dhcp_optval *o = dhcp_opt(m, DHCP_OPT_SERVER_ID);

	if (!o || o->len != 4)
		return 0;
	return (uint32_t)o->val[0] << 24 | (uint32_t)o->val[1] << 16 |
	       (uint32_t)o->val[2] << 8 | o->val[3];
}

bool dhcp_prl_has(const struct dhcp_msg *m, uint8_t code)
{
	const struct dhcp_optval *o = dhcp_opt(m, DHCP_OPT_PRL);

	if (!o)
		return false;
	return memchr(o->val, code, o->len) != NULL;
}

bool dhcp_encap_find(struct view enc, uint8_t sub, struct view *out)
{
	struct cur c = cur_make(enc.p, enc.len);

	while (cur_left(&c) > 0) {
		uint8_t code = cur_u8(&c);
		uint8_t len;
		const uint8_t *val;

		if (code == 0)
			continue;
		if (code == 255)
			return false;
		len = cur_u8(&c);
		val = cur_bytes(&c, len);
		if (c.err)
			return false;
		if (code == sub) {
			out->p = val;
			out->len = len;
			return true;
		}
	}
	return false;
}

void dhcp_uuid_str(const uint8_t u[16], char *dst, size_t cap)
{
	snprintf(dst, cap,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
		 u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
		 u[14], u[15]);
}

void dhcp_build_begin(struct dhcp_builder *b, uint8_t *buf, size_t cap, uint8_t op, uint32_t xid,
		      const uint8_t mac[6], uint8_t msgtype)
{
	b->w = wbuf_make(buf, cap);
	wbuf_u8(&b->w, op);
	wbuf_u8(&b->w, 1);	/* Ethernet */
	wbuf_u8(&b->w, 6);
	wbuf_u8(&b->w, 0);
	wbuf_be32(&b->w, xid);
	wbuf_zero(&b->w, 2 + 2 + 16);	/* secs, flags, ciaddr..giaddr */
	wbuf_bytes(&b->w, mac, 6);
	wbuf_zero(&b->w, 10 + 64 + 128);
	wbuf_be32(&b->w, DHCP_MAGIC);
	if (msgtype != DHCP_NONE)
		dhcp_build_opt_u8(b, DHCP_OPT_MSGTYPE, msgtype);
}

static void put_be32_at(struct wbuf *w, size_t off, uint32_t v)
{
	wbuf_put_be16_at(w, off, (uint16_t)(v >> 16));
	wbuf_put_be16_at(w, off + 2, (uint16_t)v);
}

void dhcp_build_set_addrs(struct dhcp_builder *b, uint32_t ciaddr, uint32_t yiaddr,
			  uint32_t siaddr, uint32_t giaddr)
{
	put_be32_at(&b->w, 12, ciaddr);
	put_be32_at(&b->w, 16, yiaddr);
	put_be32_at(&b->w, 20, siaddr);
	put_be32_at(&b->w, 24, giaddr);
}

void dhcp_build_set_secs_flags(struct dhcp_builder *b, uint16_t secs, uint16_t flags)
{
	wbuf_put_be16_at(&b->w, 8, secs);
	wbuf_put_be16_at(&b->w, 10, flags);
}

static void set_fixed_str(struct dhcp_builder *b, size_t off, size_t cap, const char *s)
{
	size_t n = strlen(s);

	if (b->w.err || b->w.len < off + cap)
		return;
	if (n >= cap)
		n = cap - 1;
	memset(b->w.p + off, 0, cap);
	memcpy(b->w.p + off, s, n);
}

void dhcp_build_set_file(struct dhcp_builder *b, const char *file)
{
	set_fixed_str(b, 108, 128, file);
}

void dhcp_build_set_sname(struct dhcp_builder *b, const char *sname)
{
	set_fixed_str(b, 44, 64, sname);
}

void dhcp_build_opt(struct dhcp_builder *b, uint8_t code, const void *val, size_t len)
{
	const uint8_t *p = val;

	do {
		size_t n = len > 255 ? 255 : len;

		wbuf_u8(&b->w, code);
		wbuf_u8(&b->w, (uint8_t)n);
		wbuf_bytes(&b->w, p, n);
		p += n;
		len -= n;
	} while (len > 0);
}

void dhcp_build_opt_str(struct dhcp_builder *b, uint8_t code, const char *s)
{
	dhcp_build_opt(b, code, s, strlen(s));
}

void dhcp_build_opt_u8(struct dhcp_builder *b, uint8_t code, uint8_t v)
{
	dhcp_build_opt(b, code, &v, 1);
}

void dhcp_build_opt_be16(struct dhcp_builder *b, uint8_t code, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	dhcp_build_opt(b, code, x, 2);
}

void dhcp_build_opt_be32(struct dhcp_builder *b, uint8_t code, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	dhcp_build_opt(b, code, x, 4);
}

size_t dhcp_build_end(struct dhcp_builder *b)
{
	wbuf_u8(&b->w, DHCP_OPT_END);
	if (b->w.len < 300)
		wbuf_zero(&b->w, 300 - b->w.len);
	return b->w.err ? 0 : b->w.len;
}
