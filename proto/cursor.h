/* cursor.h: bounds-checked reader and writer for untrusted packet bytes. */
#ifndef NBC_PROTO_CURSOR_H
#define NBC_PROTO_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * A read cursor: pointer, bytes left, sticky error flag. Reads past the end
 * set err and return zero; callers check err once per structure.
 */
struct cur {
	const uint8_t *p;
	size_t len;
	bool err;
};

/* A view into packet bytes (not NUL-terminated). */
struct view {
	const uint8_t *p;
	size_t len;
};

static inline struct cur cur_make(const void *p, size_t len)
{
	struct cur c = { (const uint8_t *)p, p ? len : 0, false };
	return c;
}

static inline size_t cur_left(const struct cur *c)
{
	return c->len;
}

static inline bool cur_need(struct cur *c, size_t n)
{
	if (c->err || c->len < n) {
		c->err = true;
		c->p += c->len;
		c->len = 0;
		return false;
	}
	return true;
}

static inline uint8_t cur_u8(struct cur *c)
{
	uint8_t v;

	if (!cur_need(c, 1))
		return 0;
	v = c->p[0];
	c->p++;
	c->len--;
	return v;
}

static inline uint16_t cur_be16(struct cur *c)
{
	uint16_t v;

	if (!cur_need(c, 2))
		return 0;
	v = (uint16_t)((unsigned)c->p[0] << 8 | c->p[1]);
	c->p += 2;
	c->len -= 2;
	return v;
}

static inline uint16_t cur_le16(struct cur *c)
{
	uint16_t v;

	if (!cur_need(c, 2))
		return 0;
	v = (uint16_t)((unsigned)c->p[1] << 8 | c->p[0]);
	c->p += 2;
	c->len -= 2;
	return v;
}

static inline uint32_t cur_be32(struct cur *c)
{
	uint32_t v;

	if (!cur_need(c, 4))
		return 0;
	v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
	    (uint32_t)c->p[2] << 8 | (uint32_t)c->p[3];
	c->p += 4;
	c->len -= 4;
	return v;
}

static inline uint32_t cur_le32(struct cur *c)
{
	uint32_t v;

	if (!cur_need(c, 4))
		return 0;
	v = (uint32_t)c->p[3] << 24 | (uint32_t)c->p[2] << 16 |
	    (uint32_t)c->p[1] << 8 | (uint32_t)c->p[0];
	c->p += 4;
	c->len -= 4;
	return v;
}

/* Returns a pointer to the next n bytes and advances, or NULL on overrun. */
static inline const uint8_t *cur_bytes(struct cur *c, size_t n)
{
	const uint8_t *p;

	if (!cur_need(c, n))
		return NULL;
	p = c->p;
	c->p += n;
	c->len -= n;
	return p;
}

static inline void cur_copy(struct cur *c, void *dst, size_t n)
{
	const uint8_t *p = cur_bytes(c, n);

	if (p)
		memcpy(dst, p, n);
	else
		memset(dst, 0, n);
}

static inline void cur_skip(struct cur *c, size_t n)
{
	(void)cur_bytes(c, n);
}

/* Carves the next n bytes off as a cursor of their own. */
static inline struct cur cur_sub(struct cur *c, size_t n)
{
	const uint8_t *p = cur_bytes(c, n);
	struct cur s = cur_make(p, p ? n : 0);

	s.err = (p == NULL);
	return s;
}

/* The value of a hex digit, -1 if c is not one. */
static inline int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static inline bool view_eq_str(struct view v, const char *s)
{
	size_t n = strlen(s);

	return v.len == n && (n == 0 || memcmp(v.p, s, n) == 0);
}

/* Copies a view into a NUL-terminated buffer; returns false if it was cut. */
bool view_to_cstr(struct view v, char *dst, size_t cap);

/*
 * Copies a view into dst as printable text: bytes outside 0x20..0x7e are
 * written as \xNN so that reports never carry control characters.
 */
void view_to_printable(struct view v, char *dst, size_t cap);

/* A writer over caller-owned storage; overflow sets err, never writes past cap. */
struct wbuf {
	uint8_t *p;
	size_t cap;
	size_t len;
	bool err;
};

static inline struct wbuf wbuf_make(void *p, size_t cap)
{
	struct wbuf w = { (uint8_t *)p, cap, 0, false };
	return w;
}

static inline bool wbuf_room(struct wbuf *w, size_t n)
{
	if (w->err || w->cap - w->len < n) {
		w->err = true;
		return false;
	}
	return true;
}

static inline void wbuf_u8(struct wbuf *w, uint8_t v)
{
	if (wbuf_room(w, 1))
		w->p[w->len++] = v;
}

static inline void wbuf_be16(struct wbuf *w, uint16_t v)
{
	if (wbuf_room(w, 2)) {
		w->p[w->len++] = (uint8_t)(v >> 8);
		w->p[w->len++] = (uint8_t)v;
	}
}

static inline void wbuf_be32(struct wbuf *w, uint32_t v)
{
	if (wbuf_room(w, 4)) {
		w->p[w->len++] = (uint8_t)(v >> 24);
		w->p[w->len++] = (uint8_t)(v >> 16);
		w->p[w->len++] = (uint8_t)(v >> 8);
		w->p[w->len++] = (uint8_t)v;
	}
}

static inline void wbuf_bytes(struct wbuf *w, const void *src, size_t n)
{
	if (n && wbuf_room(w, n)) {
		memcpy(w->p + w->len, src, n);
		w->len += n;
	}
}

static inline void wbuf_zero(struct wbuf *w, size_t n)
{
	if (n && wbuf_room(w, n)) {
		memset(w->p + w->len, 0, n);
		w->len += n;
	}
}

static inline void wbuf_str(struct wbuf *w, const char *s)
{
	wbuf_bytes(w, s, strlen(s));
}

/* Overwrites two bytes at an offset already written (checksums, lengths). */
static inline void wbuf_put_be16_at(struct wbuf *w, size_t off, uint16_t v)
{
	if (!w->err && off + 2 <= w->len) {
		w->p[off] = (uint8_t)(v >> 8);
		w->p[off + 1] = (uint8_t)v;
	}
}

#endif
