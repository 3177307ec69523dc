/* http.c: HTTP/1.x message heads and chunked bodies (RFC 9112), read from untrusted bytes. */
#include "proto/http.h"
#include "proto/cursor.h"
#include "proto/ipxescript.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const methods[] = { "GET",	  "HEAD",  "POST",    "PUT",   "DELETE",
				       "OPTIONS", "TRACE", "CONNECT", "PATCH", NULL };

size_t http_head_end(const uint8_t *p, size_t len)
{
	/* A bare LF ends a line too (RFC 9112 2.2 lets a recipient accept it). */
	for (size_t i = 0; i + 1 < len; i++) {
		if (p[i] != '\n')
			continue;
		if (p[i + 1] == '\n')
			return i + 2;
		if (p[i + 1] == '\r' && i + 2 < len && p[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

bool http_looks_like_request(struct view v)
{
	for (size_t m = 0; methods[m]; m++) {
		size_t n = strlen(methods[m]);

		if (v.len > n + 1 && memcmp(v.p, methods[m], n) == 0 && v.p[n] == ' ' &&
		    v.p[n + 1] > ' ' && v.p[n + 1] < 0x7f)
			return true;
	}
	return false;
}

bool http_looks_like_response(struct view v)
{
	return v.len >= 12 && memcmp(v.p, "HTTP/1.", 7) == 0 && v.p[7] >= '0' && v.p[7] <= '9' &&
	       v.p[8] == ' ' && v.p[9] >= '1' && v.p[9] <= '5';
}

/* One line of the head: [from, end) without CR LF; returns the next line's start. */
static size_t next_line(struct view v, size_t from, size_t *end)
{
	size_t i = from;

	while (i < v.len && v.p[i] != '\n')
		i++;
	*end = i;
	if (*end > from && v.p[*end - 1] == '\r')
		(*end)--;
	return i < v.len ? i + 1 : i;
}

static struct view sub(struct view v, size_t from, size_t to)
{
	struct view s = { v.p + from, to > from ? to - from : 0 };

	return s;
}

static struct view trim(struct view v)
{
	while (v.len && (v.p[0] == ' ' || v.p[0] == '\t')) {
		v.p++;
		v.len--;
	}
	while (v.len && (v.p[v.len - 1] == ' ' || v.p[v.len - 1] == '\t'))
		v.len--;
	return v;
}

static bool view_ieq(struct view v, const char *s)
{
	size_t n = strlen(s);

	return v.len == n && strncasecmp((const char *)v.p, s, n) == 0;
}

/* Does the comma-separated list v contain token tok (case-insensitive)? */
static bool list_has(struct view v, const char *tok)
{
	size_t i = 0;

	while (i <= v.len) {
		size_t j = i;

		while (j < v.len && v.p[j] != ',')
			j++;
		if (view_ieq(trim(sub(v, i, j)), tok))
			return true;
		i = j + 1;
	}
	return false;
}

static int64_t parse_length(struct view v)
{
	int64_t n = 0;

	if (v.len == 0 || v.len > 18)
		return -2;
	for (size_t i = 0; i < v.len; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return -2;
		n = n * 10 + (v.p[i] - '0');
	}
	return n;
}

static void copy_redacted(struct view v, char *dst, size_t cap, bool *had, bool show)
{
	/* Redact the whole value before cutting it to cap: a cut could drop the '@'. */
	size_t n = 4 * v.len + 8;	/* view_to_printable writes \xNN for odd bytes */
	char *tmp = malloc(n);
	char *red = malloc(n);
	bool netpath;

	if (!tmp || !red) {
		free(tmp);
		free(red);
		snprintf(dst, cap, "?");
		return;
	}
	memcpy(tmp, "x:", 2);
	view_to_printable(v, tmp + 2, n - 2);
	/* A network-path reference (//user:pw@host/) has no scheme: lend it one. */
	netpath = tmp[2] == '/' && tmp[3] == '/';
	if (ipxe_uri_redact(netpath ? tmp : tmp + 2, red, n) && had)
		*had = true;
	snprintf(dst, cap, "%s", show ? tmp + 2 : netpath ? red + 2 : red);
	free(tmp);
	free(red);
}

static bool parse_start(struct view line, struct http_head *h, bool show)
{
	size_t sp1 = 0;
	size_t sp2;

	if (http_looks_like_response(line)) {
		h->request = false;
		h->version_minor = line.p[7] - '0';
		if (line.len < 12 || line.p[9] < '1' || line.p[9] > '5' || line.p[10] < '0' ||
		    line.p[10] > '9' || line.p[11] < '0' || line.p[11] > '9' ||
		    (line.len > 12 && line.p[12] != ' '))
			return false;
		h->status = (line.p[9] - '0') * 100 + (line.p[10] - '0') * 10 + (line.p[11] - '0');
		if (line.len > 13)
			view_to_printable(sub(line, 13, line.len), h->reason, sizeof(h->reason));
		return true;
	}
	if (!http_looks_like_request(line))
		return false;
	h->request = true;
	while (sp1 < line.len && line.p[sp1] != ' ')
		sp1++;
	sp2 = sp1 + 1;
	while (sp2 < line.len && line.p[sp2] != ' ')
		sp2++;
	if (sp2 >= line.len || line.len - sp2 != 9 ||
	    memcmp(line.p + sp2 + 1, "HTTP/1.", 7) != 0 || line.p[sp2 + 8] < '0' ||
	    line.p[sp2 + 8] > '9')
		return false;
	view_to_printable(sub(line, 0, sp1), h->method, sizeof(h->method));
	copy_redacted(sub(line, sp1 + 1, sp2), h->uri, sizeof(h->uri), &h->uri_had_password,
		      show);
	h->version_minor = line.p[sp2 + 8] - '0';
	return true;
}

bool http_parse_head(struct view head, struct http_head *h)
{
	return http_parse_head_opts(head, h, false);
}

bool http_parse_head_opts(struct view head, struct http_head *h, bool show)
{
	size_t end;
	size_t pos;
	struct view line;

	memset(h, 0, sizeof(*h));
	h->content_length = -1;
	pos = next_line(head, 0, &end);
	line = sub(head, 0, end);
	if (!parse_start(line, h, show))
		return false;
	while (pos < head.len) {
		size_t colon = pos;
		size_t start = pos;
		struct view name;
		struct view val;

		pos = next_line(head, start, &end);
		if (end == start)
			break;	/* the empty line */
		while (colon < end && head.p[colon] != ':')
			colon++;
		if (colon == end)
			return false;	/* a header line without a colon */
		h->headers++;
		name = sub(head, start, colon);
		val = trim(sub(head, colon + 1, end));
		if (view_ieq(name, "Content-Length")) {
			int64_t n = parse_length(val);

			/* Differing lengths are a framing attack (RFC 9112 6.3): refuse. */
			if (n < 0 || (h->content_length >= 0 && h->content_length != n))
				return false;
			h->content_length = n;
		} else if (view_ieq(name, "Transfer-Encoding")) {
			h->chunked = list_has(val, "chunked");
		} else if (view_ieq(name, "Connection")) {
			h->conn_close = h->conn_close || list_has(val, "close");
			h->conn_keep_alive = h->conn_keep_alive || list_has(val, "keep-alive");
		} else if (view_ieq(name, "Host")) {
			view_to_printable(val, h->host, sizeof(h->host));
		} else if (view_ieq(name, "Location")) {
			copy_redacted(val, h->location, sizeof(h->location), NULL, show);
		} else if (view_ieq(name, "Range")) {
			view_to_printable(val, h->range, sizeof(h->range));
		} else if (view_ieq(name, "Content-Range")) {
			view_to_printable(val, h->content_range, sizeof(h->content_range));
		} else if (view_ieq(name, "Content-Type")) {
			view_to_printable(val, h->content_type, sizeof(h->content_type));
		} else if (view_ieq(name, "User-Agent")) {
			view_to_printable(val, h->user_agent, sizeof(h->user_agent));
		} else if (view_ieq(name, "Authorization") ||
			   view_ieq(name, "Proxy-Authorization")) {
			size_t sp = 0;
			bool token = true;

			/* Keep the scheme only: the credentials are secret. A value
			 * without a separate scheme token may be all credential. */
			while (sp < val.len && val.p[sp] != ' ' && val.p[sp] != '\t') {
				uint8_t ch = val.p[sp++];

				token = token && ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
						  (ch >= '0' && ch <= '9') || ch == '-');
			}
			h->has_auth = true;
			if (token && sp < val.len && sp < sizeof(h->auth_scheme))
				view_to_printable(sub(val, 0, sp), h->auth_scheme,
						  sizeof(h->auth_scheme));
			else
				snprintf(h->auth_scheme, sizeof(h->auth_scheme), "?");
		} else if (view_ieq(name, "WWW-Authenticate")) {
			size_t sp = 0;

			while (sp < val.len && val.p[sp] != ' ')
				sp++;
			view_to_printable(sub(val, 0, sp), h->www_authenticate,
					  sizeof(h->www_authenticate));
		}
	}
	/* HTTP/1.0 closes unless asked not to; 1.1 keeps alive unless told to close. */
	if (h->version_minor == 0 && !h->conn_keep_alive)
		h->conn_close = true;
	return true;
}

bool http_response_has_body(const char *method, int status)
{
	if (strcmp(method, "HEAD") == 0 || (status >= 100 && status < 200) || status == 204 ||
	    status == 304)
		return false;
	return !(strcmp(method, "CONNECT") == 0 && status >= 200 && status < 300);
}

enum { CH_SIZE, CH_EXT, CH_SIZE_LF, CH_DATA, CH_DATA_CR, CH_DATA_LF, CH_TRAILER_START,
       CH_TRAILER_LINE, CH_END_LF };

void http_chunker_init(struct http_chunker *ch)
{
	memset(ch, 0, sizeof(*ch));
	ch->state = CH_SIZE;
}

size_t http_chunker_feed(struct http_chunker *ch, const uint8_t *p, size_t len,
			 struct view *body)
{
	size_t i = 0;

	body->p = p;
	body->len = 0;
	while (i < len && !ch->done && !ch->bad) {
		uint8_t c = p[i];

		switch (ch->state) {
		case CH_SIZE:
			if (hex_digit(c) >= 0 && ch->digits < 15) {
				ch->left = ch->left * 16 + (uint64_t)hex_digit(c);
				ch->digits++;
			} else if (ch->digits && (c == ';' || c == ' ' || c == '\t')) {
				ch->state = CH_EXT;
			} else if (ch->digits && c == '\r') {
				ch->state = CH_SIZE_LF;
			} else if (ch->digits && c == '\n') {
				ch->state = ch->left ? CH_DATA : CH_TRAILER_START;
			} else {
				ch->bad = true;
			}
			i++;
			break;
		case CH_EXT:
			if (c == '\n')
				ch->state = ch->left ? CH_DATA : CH_TRAILER_START;
			i++;
			break;
		case CH_SIZE_LF:
			if (c != '\n')
				ch->bad = true;
			ch->state = ch->left ? CH_DATA : CH_TRAILER_START;
			i++;
			break;
		case CH_DATA: {
			size_t n = len - i;

			if (n > ch->left)
				n = (size_t)ch->left;
			body->p = p + i;
			body->len = n;
			ch->left -= n;
			if (ch->left == 0)
				ch->state = CH_DATA_CR;
			return i + n;
		}
		case CH_DATA_CR:
			ch->state = c == '\r' ? CH_DATA_LF : CH_SIZE;
			if (c == '\n')
				ch->digits = 0;
			else if (c != '\r')
				ch->bad = true;
			i++;
			break;
		case CH_DATA_LF:
			if (c != '\n')
				ch->bad = true;
			ch->state = CH_SIZE;
			ch->digits = 0;
			i++;
			break;
		case CH_TRAILER_START:
			if (c == '\n')
				ch->done = true;
			else
				ch->state = c == '\r' ? CH_END_LF : CH_TRAILER_LINE;
			i++;
			break;
		case CH_END_LF:
			if (c != '\n')
				ch->bad = true;
			ch->done = true;
			i++;
			break;
		case CH_TRAILER_LINE:
			if (c == '\n')
				ch->state = CH_TRAILER_START;
			i++;
			break;
		default:
			ch->bad = true;
			break;
		}
	}
	return i;
}
