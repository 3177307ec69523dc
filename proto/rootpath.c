/* rootpath.c: parses and checks an RFC 4173 iSCSI root path. */
#include "rootpath.h"
#include "proto/cursor.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool fail(char *why, size_t cap, const char *msg)
{
	if (why && cap)
		snprintf(why, cap, "%s", msg);
	return false;
}

/* True if [p, p+n) holds a space or a control character (UTF-8 is allowed). */
static bool has_bad_char(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c <= 0x20 || c == 0x7f)
			return true;
	}
	return false;
}

/* Finds the next ':' in [p, end), or end. */
static const char *next_colon(const char *p, const char *end)
{
	const char *c = memchr(p, ':', (size_t)(end - p));

	return c ? c : end;
}

/* Up to four dash-separated groups of 1..4 hex digits, each a 16-bit level. */
static const char *parse_lun(const char *p, size_t n, uint64_t *lun)
{
	size_t i = 0;
	int group = 0;

	*lun = 0;
	if (n == 0)
		return NULL;
	for (;;) {
		unsigned v = 0;
		size_t digits = 0;

		if (group == 4)
			return "LUN has more than 4 groups";
		while (i < n && p[i] != '-') {
			int h = hex_digit(p[i]);

			if (h < 0)
				return "LUN is not hex";
			if (++digits > 4)
				return "LUN group has more than 4 hex digits";
			v = v << 4 | (unsigned)h;
			i++;
		}
		if (digits == 0)
			return "LUN has an empty group";
		*lun |= (uint64_t)v << (48 - 16 * group);
		group++;
		if (i == n)
			return NULL;
		i++;	/* the '-' */
		if (i == n)
			return "LUN has an empty group";
	}
}

bool rootpath_parse(const char *s, struct rootpath *out, char *why, size_t why_cap)
{
	const char *p;
	const char *end;
	const char *f[4];	/* server, protocol, port, LUN field starts */
	size_t fl[4];
	const char *msg;

	memset(out, 0, sizeof(*out));
	out->protocol = 6;
	out->port = 3260;
	if (why && why_cap)
		why[0] = '\0';
	if (!s || strncasecmp(s, "iscsi:", 6) != 0)
		return fail(why, why_cap, "not an iscsi: URI");
	p = s + 6;
	end = p + strlen(p);

	/* Server: "[v6addr]" keeps its colons; anything else runs to ':'. */
	if (*p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));

		if (!close)
			return fail(why, why_cap, "IPv6 server has no closing ]");
		f[0] = p + 1;
		fl[0] = (size_t)(close - f[0]);
		p = close + 1;
		if (p == end)
			return fail(why, why_cap, "missing target name");
		if (*p != ':')
			return fail(why, why_cap, "unexpected text after ] in server");
	} else {
		const char *c = next_colon(p, end);

		f[0] = p;
		fl[0] = (size_t)(c - p);
		p = c;
		if (p == end)
			return fail(why, why_cap, "missing target name");
	}
	p++;	/* ':' after the server */
	for (int i = 1; i < 4; i++) {
		const char *c = next_colon(p, end);

		if (c == end)
			return fail(why, why_cap, "missing target name");
		f[i] = p;
		fl[i] = (size_t)(c - p);
		p = c + 1;
	}

	if (fl[0] == 0)
		return fail(why, why_cap, "server is empty");
	if (fl[0] >= sizeof(out->server))
		return fail(why, why_cap, "server name is too long");
	if (has_bad_char(f[0], fl[0]))
		return fail(why, why_cap, "server contains a space or control character");
	memcpy(out->server, f[0], fl[0]);
	out->server[fl[0]] = '\0';

	if (!(fl[1] == 0 || (fl[1] == 1 && f[1][0] == '6')))
		return fail(why, why_cap, "protocol must be empty or 6");

	if (fl[2]) {
		unsigned long port = 0;

		for (size_t i = 0; i < fl[2]; i++) {
			if (f[2][i] < '0' || f[2][i] > '9')
				return fail(why, why_cap, "port is not a number");
			if (port <= 65535)
				port = port * 10 + (unsigned long)(f[2][i] - '0');
		}
		if (port == 0 || port > 65535)
			return fail(why, why_cap, "port is out of range (1-65535)");
		out->port = (uint16_t)port;
	}

	msg = parse_lun(f[3], fl[3], &out->lun);
	if (msg)
		return fail(why, why_cap, msg);

	/* The target is everything after the fifth colon, colons included. */
	if (p == end)
		return fail(why, why_cap, "missing target name");
	if ((size_t)(end - p) >= sizeof(out->target))
		return fail(why, why_cap, "target name is too long (max 223 bytes)");
	if (has_bad_char(p, (size_t)(end - p)))
		return fail(why, why_cap, "target name contains a space or control character");
	if (strncasecmp(p, "iqn.", 4) != 0 && strncasecmp(p, "eui.", 4) != 0 &&
	    strncasecmp(p, "naa.", 4) != 0)
		return fail(why, why_cap, "target name must start with iqn., eui. or naa.");
	memcpy(out->target, p, (size_t)(end - p));
	out->target[end - p] = '\0';
	return true;
}
