/* tftp.c: TFTP decoding and encoding. */
#include "tftp.h"

#include <stdio.h>
#include <strings.h>

/* Reads a NUL-terminated string; the NUL is not part of the view. */
static bool read_str(struct cur *c, struct view *out)
{
	const uint8_t *nul = c->len ? memchr(c->p, 0, c->len) : NULL;

	if (!nul) {
		out->p = c->p;
		out->len = c->len;
		cur_skip(c, c->len);
		return false;
	}
	out->p = c->p;
	out->len = (size_t)(nul - c->p);
	cur_skip(c, out->len + 1);
	return true;
}

static bool view_ieq(struct view v, const char *s)
{
	size_t n = strlen(s);

	return v.len == n && strncasecmp((const char *)v.p, s, n) == 0;
}

/* Parses a decimal option value; -2 marks a value that is not a number. */
static long opt_number(struct view v)
{
	long n = 0;

	if (v.len == 0 || v.len > 12)
		return -2;
	for (size_t i = 0; i < v.len; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return -2;
		n = n * 10 + (v.p[i] - '0');
	}
	return n;
}

static void parse_options(struct cur *c, struct tftp_pkt *t)
{
	while (cur_left(c) > 0) {
		struct tftp_opt o;
		long *slot = NULL;
		long n;

		if (!read_str(c, &o.name)) {
			t->problems |= TFTP_PROB_UNTERMINATED;
			return;
		}
		if (cur_left(c) == 0) {
			t->problems |= TFTP_PROB_BAD_OPTION;	/* a name with no value */
			return;
		}
		if (!read_str(c, &o.value)) {
			t->problems |= TFTP_PROB_UNTERMINATED;
			return;
		}
		if (o.name.len == 0) {
			/* Some clients pad requests with NULs: not an option. */
			continue;
		}
		if (t->nopts == TFTP_MAX_OPTS) {
			t->problems |= TFTP_PROB_BAD_OPTION;
			return;
		}
		t->opts[t->nopts++] = o;
		if (view_ieq(o.name, "blksize"))
			slot = &t->blksize;
		else if (view_ieq(o.name, "tsize"))
			slot = &t->tsize;
		else if (view_ieq(o.name, "timeout"))
			slot = &t->timeout;
		else if (view_ieq(o.name, "windowsize"))
			slot = &t->windowsize;
		if (!slot)
			continue;
		n = opt_number(o.value);
		if (n < 0)
			t->problems |= TFTP_PROB_BAD_OPTION;
		else
			*slot = n;
	}
}

int tftp_decode(const uint8_t *p, size_t len, struct tftp_pkt *t)
{
	struct cur c = cur_make(p, len);

	memset(t, 0, sizeof(*t));
	t->blksize = t->tsize = t->timeout = t->windowsize = -1;
	t->op = cur_be16(&c);
	if (c.err) {
		t->problems |= TFTP_PROB_SHORT;
		return -1;
	}
	switch (t->op) {
	case TFTP_RRQ:
	case TFTP_WRQ:
		if (!read_str(&c, &t->filename) || !read_str(&c, &t->mode)) {
			t->problems |= TFTP_PROB_UNTERMINATED;
			break;
		}
		if (!view_ieq(t->mode, "octet") && !view_ieq(t->mode, "netascii") &&
		    !view_ieq(t->mode, "mail"))
			t->problems |= TFTP_PROB_BAD_MODE;
		parse_options(&c, t);
		break;
	case TFTP_OACK:
		parse_options(&c, t);
		break;
	case TFTP_DATA:
		t->block = cur_be16(&c);
		t->data.p = c.p;
		t->data.len = c.len;
		if (c.err)
			t->problems |= TFTP_PROB_SHORT;
		break;
	case TFTP_ACK:
		t->block = cur_be16(&c);
		if (c.err)
			t->problems |= TFTP_PROB_SHORT;
		break;
	case TFTP_ERROR:
		t->errcode = cur_be16(&c);
		if (c.err) {
			t->problems |= TFTP_PROB_SHORT;
			break;
		}
		if (!read_str(&c, &t->errmsg))
			t->problems |= TFTP_PROB_UNTERMINATED;
		break;
	default:
		t->problems |= TFTP_PROB_BAD_OPCODE;
		return -1;
	}
	return 0;
}

const char *tftp_op_name(unsigned op)
{
	static const char *const names[] = { "?", "RRQ", "WRQ", "DATA", "ACK", "ERROR", "OACK" };

	return op < 7 ? names[op] : "?";
}

const char *tftp_errcode_name(unsigned code)
{
	static const char *const names[] = {
		"not defined", "file not found", "access violation", "disk full",
		"illegal operation", "unknown transfer ID", "file exists", "no such user",
		"option negotiation refused",
	};

	return code < 9 ? names[code] : "unknown error code";
}

const char *tftp_problem_str(unsigned problems)
{
	if (problems & TFTP_PROB_SHORT)
		return "too short for its opcode";
	if (problems & TFTP_PROB_UNTERMINATED)
		return "a string without its terminating NUL";
	if (problems & TFTP_PROB_BAD_OPCODE)
		return "unknown opcode";
	if (problems & TFTP_PROB_BAD_OPTION)
		return "a malformed option";
	if (problems & TFTP_PROB_BAD_MODE)
		return "unknown transfer mode";
	return "no problem";
}

static void put_cstr(struct wbuf *w, const char *s)
{
	wbuf_str(w, s);
	wbuf_u8(w, 0);
}

static void put_opt(struct wbuf *w, const char *name, long v)
{
	char num[24];

	if (v < 0)
		return;
	snprintf(num, sizeof(num), "%ld", v);
	put_cstr(w, name);
	put_cstr(w, num);
}

static void put_optset(struct wbuf *w, const struct tftp_optset *o)
{
	if (!o)
		return;
	put_opt(w, "blksize", o->blksize);
	put_opt(w, "tsize", o->tsize);
	put_opt(w, "timeout", o->timeout);
	put_opt(w, "windowsize", o->windowsize);
}

size_t tftp_encode_request(uint16_t op, const char *filename, const char *mode,
			   const struct tftp_optset *o, uint8_t *out, size_t cap)
{
	struct wbuf w = wbuf_make(out, cap);

	wbuf_be16(&w, op);
	put_cstr(&w, filename);
	put_cstr(&w, mode);
	put_optset(&w, o);
	return w.err ? 0 : w.len;
}

size_t tftp_encode_oack(const struct tftp_optset *o, uint8_t *out, size_t cap)
{
	struct wbuf w = wbuf_make(out, cap);

	wbuf_be16(&w, TFTP_OACK);
	put_optset(&w, o);
	return w.err ? 0 : w.len;
}

size_t tftp_encode_data(uint16_t block, const uint8_t *data, size_t n, uint8_t *out, size_t cap)
{
	struct wbuf w = wbuf_make(out, cap);

	wbuf_be16(&w, TFTP_DATA);
	wbuf_be16(&w, block);
	wbuf_bytes(&w, data, n);
	return w.err ? 0 : w.len;
}

size_t tftp_encode_ack(uint16_t block, uint8_t *out, size_t cap)
{
	struct wbuf w = wbuf_make(out, cap);

	wbuf_be16(&w, TFTP_ACK);
	wbuf_be16(&w, block);
	return w.err ? 0 : w.len;
}

size_t tftp_encode_error(uint16_t code, const char *msg, uint8_t *out, size_t cap)
{
	struct wbuf w = wbuf_make(out, cap);

	wbuf_be16(&w, TFTP_ERROR);
	wbuf_be16(&w, code);
	put_cstr(&w, msg);
	return w.err ? 0 : w.len;
}
