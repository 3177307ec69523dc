/* test_http.c: HTTP/1.x heads, the chunked decoder and URI redaction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "proto/http.h"

static struct view V(const char *s)
{
	return (struct view){ (const uint8_t *)s, strlen(s) };
}

static bool parse(const char *text, struct http_head *h)
{
	return http_parse_head(V(text), h);
}

static size_t head_end(const char *s)
{
	return http_head_end((const uint8_t *)s, strlen(s));
}

/* True when the bytes of needle appear anywhere in the struct's memory (memmem). */
static bool struct_has(const struct http_head *h, const char *needle)
{
	const uint8_t *p = (const uint8_t *)h;
	size_t n = strlen(needle);

	for (size_t i = 0; n && i + n <= sizeof(*h); i++)
		if (memcmp(p + i, needle, n) == 0)
			return true;
	return false;
}

static void test_http_head_end_crlf_and_bare_lf(void **state)
{
	const char *crlf = "GET / HTTP/1.1\r\nHost: a\r\n\r\nBODY";
	const char *lf = "GET / HTTP/1.1\nHost: a\n\nBODY";

	(void)state;
	assert_int_equal(head_end(crlf), strlen(crlf) - 4);
	assert_int_equal(head_end(lf), strlen(lf) - 4);
	/* Mixed endings. */
	assert_int_equal(head_end("GET / HTTP/1.1\r\nHost: a\n\r\nX"), 26);
	assert_int_equal(head_end("GET / HTTP/1.1\nHost: a\r\n\nX"), 25);
	/* Not complete yet. */
	assert_int_equal(head_end("GET / HTTP/1.1\r\nHost: a\r\n"), 0);
	assert_int_equal(head_end("GET / HTTP/1.1\r\nHost: a\r\n\r"), 0);
	assert_int_equal(head_end("GET / HTTP/1.1\r\n"), 0);
	assert_int_equal(head_end("GET / HTTP/1.1"), 0);
	assert_int_equal(head_end("\n"), 0);
	assert_int_equal(http_head_end((const uint8_t *)"", 0), 0);
}

static void test_http_parse_request_head(void **state)
{
	struct http_head h;

	(void)state;
	assert_true(parse("GET /boot/vmlinuz HTTP/1.1\r\n"
			  "Host: boot.example\r\n"
			  "Range: bytes=0-1023\r\n"
			  "User-Agent: iPXE/1.21.1\r\n"
			  "Authorization: Basic dXNlcjpzM2NyZXQ=\r\n"
			  "\r\n",
			  &h));
	assert_true(h.request);
	assert_string_equal(h.method, "GET");
	assert_string_equal(h.uri, "/boot/vmlinuz");
	assert_false(h.uri_had_password);
	assert_int_equal(h.version_minor, 1);
	assert_string_equal(h.host, "boot.example");
	assert_string_equal(h.range, "bytes=0-1023");
	assert_string_equal(h.user_agent, "iPXE/1.21.1");
	assert_true(h.has_auth);
	assert_string_equal(h.auth_scheme, "Basic");
	assert_int_equal(h.headers, 4);
	assert_int_equal(h.content_length, -1);
	assert_false(h.chunked);
	assert_false(h.conn_close);
	/* The credentials, nor any part of them, are kept anywhere. */
	assert_false(struct_has(&h, "dXNlcjpzM2NyZXQ="));
	assert_false(struct_has(&h, "dXNlcj"));
	assert_false(struct_has(&h, "s3cret"));

	/* Bare LF line endings, a Proxy-Authorization, HTTP/1.0. */
	assert_true(parse("HEAD /x HTTP/1.0\nproxy-authorization: Digest username=\"u\", "
			  "response=\"abcdef0123\"\n\n",
			  &h));
	assert_string_equal(h.method, "HEAD");
	assert_int_equal(h.version_minor, 0);
	assert_true(h.conn_close);
	assert_true(h.has_auth);
	assert_string_equal(h.auth_scheme, "Digest");
	assert_false(struct_has(&h, "abcdef0123"));
}

static void test_http_request_uri_userinfo_is_redacted(void **state)
{
	struct http_head h;

	(void)state;
	assert_true(parse("GET http://u:s3cret@h/x HTTP/1.1\r\nHost: h\r\n\r\n", &h));
	assert_string_equal(h.uri, "http://u:****@h/x");
	assert_true(h.uri_had_password);
	assert_false(struct_has(&h, "s3cret"));
}

/* Regression (fixed): the request-target is truncated to HTTP_URI_MAX before it is redacted, so a
 * password long enough to push the '@' past the cut is kept (truncated) in uri. */
static void test_http_long_uri_password_is_not_kept(void **state)
{
	static char req[2048];
	struct http_head h;
	size_t n;

	(void)state;
	n = (size_t)snprintf(req, sizeof(req), "GET http://u:");
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(req + n, sizeof(req) - n, "s3cret");
	snprintf(req + n, sizeof(req) - n, "@h/x HTTP/1.1\r\n\r\n");
	assert_true(parse(req, &h));
	/* Got: uri = "http://u:s3crets3cret..." (511 chars), uri_had_password false. */
	assert_false(struct_has(&h, "s3cret"));
	assert_true(h.uri_had_password);
	/* The same in a Location header. */
	n = (size_t)snprintf(req, sizeof(req), "HTTP/1.1 302 Found\r\nLocation: http://u:");
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(req + n, sizeof(req) - n, "s3cret");
	snprintf(req + n, sizeof(req) - n, "@h/x\r\n\r\n");
	assert_true(parse(req, &h));
	assert_false(struct_has(&h, "s3cret"));
}

static void test_http_parse_response_head(void **state)
{
	struct http_head h;

	(void)state;
	assert_true(parse("HTTP/1.1 206 Partial Content\r\n"
			  "Content-Length: 1024\r\n"
			  "Content-Range: bytes 0-1023/4096\r\n"
			  "Content-Type: application/octet-stream\r\n"
			  "Connection: keep-alive\r\n"
			  "\r\n",
			  &h));
	assert_false(h.request);
	assert_int_equal(h.status, 206);
	assert_string_equal(h.reason, "Partial Content");
	assert_int_equal(h.version_minor, 1);
	assert_int_equal(h.content_length, 1024);
	assert_string_equal(h.content_range, "bytes 0-1023/4096");
	assert_string_equal(h.content_type, "application/octet-stream");
	assert_true(h.conn_keep_alive);
	assert_false(h.conn_close);
	assert_false(h.chunked);
	assert_int_equal(h.headers, 4);

	/* No reason phrase. */
	assert_true(parse("HTTP/1.1 404\r\n\r\n", &h));
	assert_int_equal(h.status, 404);
	assert_string_equal(h.reason, "");
	assert_int_equal(h.content_length, -1);
}

static void test_http_content_length_duplicates(void **state)
{
	struct http_head h;

	(void)state;
	/* The same value twice is one length. */
	assert_true(parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\ncontent-length: 10\r\n\r\n",
			  &h));
	assert_int_equal(h.content_length, 10);
	/* Differing values: refused. */
	assert_false(parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nContent-Length: 11\r\n\r\n",
			   &h));
	assert_false(parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nContent-Length: 0\r\n\r\n",
			   &h));
	/* Not a number. */
	assert_false(parse("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", &h));
	assert_false(parse("HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", &h));
	assert_false(parse("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", &h));
	assert_false(
		parse("HTTP/1.1 200 OK\r\nContent-Length: 9999999999999999999999\r\n\r\n", &h));
	assert_true(parse("HTTP/1.1 200 OK\r\nContent-Length:  0 \r\n\r\n", &h));
	assert_int_equal(h.content_length, 0);
}

static void test_http_chunked_and_connection_close(void **state)
{
	struct http_head h;

	(void)state;
	assert_true(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n"
			  "Connection: Upgrade, close\r\n\r\n",
			  &h));
	assert_true(h.chunked);
	assert_true(h.conn_close);
	assert_false(h.conn_keep_alive);

	/* HTTP/1.0 closes unless keep-alive is asked for. */
	assert_true(parse("HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\n", &h));
	assert_int_equal(h.version_minor, 0);
	assert_true(h.conn_close);
	assert_true(parse("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n\r\n", &h));
	assert_false(h.conn_close);
	assert_true(h.conn_keep_alive);
	/* HTTP/1.1 keeps alive by default. */
	assert_true(parse("HTTP/1.1 200 OK\r\n\r\n", &h));
	assert_false(h.conn_close);
}

static void test_http_location_is_redacted(void **state)
{
	struct http_head h;

	(void)state;
	assert_true(parse("HTTP/1.1 302 Found\r\nLocation: ftp://admin:hunter2@files/boot.ipxe\r\n"
			  "WWW-Authenticate: Basic realm=\"x\"\r\n\r\n",
			  &h));
	assert_int_equal(h.status, 302);
	assert_string_equal(h.location, "ftp://admin:****@files/boot.ipxe");
	assert_false(struct_has(&h, "hunter2"));
	assert_string_equal(h.www_authenticate, "Basic");
	/* uri_had_password is about the request-target only. */
	assert_false(h.uri_had_password);
}

static void test_http_header_without_colon_is_refused(void **state)
{
	struct http_head h;

	(void)state;
	assert_false(parse("GET / HTTP/1.1\r\nHost: a\r\nNoColonHere\r\n\r\n", &h));
	assert_false(parse("HTTP/1.1 200 OK\r\nbroken\r\n\r\n", &h));
}

static void test_http_non_http_is_refused(void **state)
{
	static const uint8_t bin[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc,
				       0x03, 0x03, 0x0d, 0x0a, 0x0d, 0x0a };
	struct http_head h;

	(void)state;
	assert_false(http_parse_head((struct view){ bin, sizeof(bin) }, &h));
	assert_false(parse("SSH-2.0-OpenSSH_9.2\r\n\r\n", &h));
	assert_false(parse("get / HTTP/1.1\r\n\r\n", &h));
	assert_false(parse("GET / HTTP/2.0\r\n\r\n", &h));
	assert_false(parse("GET /\r\n\r\n", &h));
	assert_false(parse("HTTP/2 200 OK\r\n\r\n", &h));
	assert_false(parse("HTTP/1.1 999 Nope\r\n\r\n", &h));
	assert_false(parse("HTTP/1.1 2x0 OK\r\n\r\n", &h));
	assert_false(parse("", &h));
}

/* Regression (fixed): the start line is not checked strictly: the minor version digit is not checked
 * ("HTTP/1.x 200 OK" and "GET / HTTP/1.x" are accepted, version_minor = 'x' - '0' = 72,
 * so an "HTTP/1.x" response does not default to close), and nor is the space after
 * the status code ("HTTP/1.1 2000 OK" is accepted as status 200, reason " OK"). */
static void test_http_start_line_is_strict(void **state)
{
	struct http_head h;

	(void)state;
	assert_false(parse("HTTP/1.x 200 OK\r\n\r\n", &h));
	assert_false(parse("GET / HTTP/1.x\r\n\r\n", &h));
	assert_false(parse("HTTP/1.1 2000 OK\r\n\r\n", &h));
}

static void test_http_looks_like(void **state)
{
	(void)state;
	assert_true(http_looks_like_request(V("GET / HTTP/1.1\r\n")));
	assert_true(http_looks_like_request(V("POST /api")));
	assert_true(http_looks_like_request(V("OPTIONS *")));
	assert_true(http_looks_like_request(V("GET /")));
	assert_false(http_looks_like_request(V("GET ")));
	assert_false(http_looks_like_request(V("GET  /")));
	assert_false(http_looks_like_request(V("GETX /")));
	assert_false(http_looks_like_request(V("get /")));
	assert_false(http_looks_like_request(V("HTTP/1.1 200 OK")));
	assert_false(http_looks_like_request(V("")));
	assert_false(http_looks_like_request(V("\x16\x03\x01")));

	assert_true(http_looks_like_response(V("HTTP/1.1 200 OK")));
	assert_true(http_looks_like_response(V("HTTP/1.0 404")));
	assert_true(http_looks_like_response(V("HTTP/1.1 100 Continue")));
	assert_false(http_looks_like_response(V("HTTP/1.1 20")));
	assert_false(http_looks_like_response(V("HTTP/1.1 600 X")));
	assert_false(http_looks_like_response(V("HTTP/2 200 OK")));
	assert_false(http_looks_like_response(V("HTTP/1.1  200")));
	assert_false(http_looks_like_response(V("GET / HTTP/1.1")));
	assert_false(http_looks_like_response(V("")));
}

static void test_http_response_has_body(void **state)
{
	(void)state;
	assert_false(http_response_has_body("HEAD", 200));
	assert_false(http_response_has_body("GET", 204));
	assert_false(http_response_has_body("GET", 304));
	assert_false(http_response_has_body("GET", 100));
	assert_false(http_response_has_body("GET", 101));
	assert_false(http_response_has_body("GET", 199));
	assert_false(http_response_has_body("CONNECT", 200));
	assert_true(http_response_has_body("CONNECT", 407));
	assert_true(http_response_has_body("GET", 200));
	assert_true(http_response_has_body("GET", 206));
	assert_true(http_response_has_body("POST", 201));
	assert_true(http_response_has_body("GET", 404));
	assert_true(http_response_has_body("GET", 500));
}

static const char CHUNKED[] = "4;name=value\r\n"
			      "Wiki\r\n"
			      "6 ; ext\r\n"
			      "pedia \r\n"
			      "E\r\n"
			      "in \r\n\r\nchunks.\r\n"
			      "0;last\r\n"
			      "Expires: never\r\n"
			      "X-Trailer: 1\r\n"
			      "\r\n";
static const char CHUNKED_BODY[] = "Wikipedia in \r\n\r\nchunks.";

/* Feeds text in steps of at most step bytes; returns the bytes used in total. */
static size_t chunk_all(struct http_chunker *ch, const char *text, size_t len, size_t step,
			char *out, size_t cap, size_t *outlen)
{
	size_t pos = 0;

	*outlen = 0;
	http_chunker_init(ch);
	while (pos < len && !ch->done && !ch->bad) {
		size_t n = len - pos < step ? len - pos : step;
		size_t off = 0;

		for (;;) {
			struct view body;
			size_t used = http_chunker_feed(ch, (const uint8_t *)text + pos + off,
							n - off, &body);

			assert_true(used <= n - off);
			assert_true(body.len <= used);
			assert_true(*outlen + body.len <= cap);
			if (body.len)
				memcpy(out + *outlen, body.p, body.len);
			*outlen += body.len;
			off += used;
			if (used == 0 || off == n || ch->done || ch->bad)
				break;
		}
		pos += off;
		if (off < n)
			break;
	}
	return pos;
}

static void test_http_chunker_all_at_once(void **state)
{
	struct http_chunker ch;
	char out[128];
	size_t outlen;
	size_t used;

	(void)state;
	used = chunk_all(&ch, CHUNKED, strlen(CHUNKED), 1000, out, sizeof(out), &outlen);
	assert_true(ch.done);
	assert_false(ch.bad);
	assert_int_equal(used, strlen(CHUNKED));
	assert_int_equal(outlen, strlen(CHUNKED_BODY));
	assert_memory_equal(out, CHUNKED_BODY, outlen);
}

static void test_http_chunker_one_byte_at_a_time(void **state)
{
	struct http_chunker ch;
	char out[128];
	size_t outlen;
	size_t used;

	(void)state;
	used = chunk_all(&ch, CHUNKED, strlen(CHUNKED), 1, out, sizeof(out), &outlen);
	assert_true(ch.done);
	assert_false(ch.bad);
	assert_int_equal(used, strlen(CHUNKED));
	assert_int_equal(outlen, strlen(CHUNKED_BODY));
	assert_memory_equal(out, CHUNKED_BODY, outlen);
	/* Every split point gives the same body. */
	for (size_t step = 2; step < sizeof(CHUNKED); step++) {
		used = chunk_all(&ch, CHUNKED, strlen(CHUNKED), step, out, sizeof(out), &outlen);
		assert_true(ch.done);
		assert_int_equal(used, strlen(CHUNKED));
		assert_int_equal(outlen, strlen(CHUNKED_BODY));
		assert_memory_equal(out, CHUNKED_BODY, outlen);
	}
}

static void test_http_chunker_stops_after_the_last_chunk(void **state)
{
	static const char text[] = "3\r\nabc\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n";
	struct http_chunker ch;
	char out[16];
	size_t outlen;
	size_t used;

	(void)state;
	used = chunk_all(&ch, text, strlen(text), 1000, out, sizeof(out), &outlen);
	assert_true(ch.done);
	assert_int_equal(used, 13);
	assert_int_equal(outlen, 3);
	assert_memory_equal(out, "abc", 3);
	/* Bare LF framing is accepted too. */
	used = chunk_all(&ch, "3\nabc\n0\n\n", 9, 1000, out, sizeof(out), &outlen);
	assert_true(ch.done);
	assert_false(ch.bad);
	assert_int_equal(used, 9);
	assert_int_equal(outlen, 3);
}

static void test_http_chunker_uppercase_hex(void **state)
{
	static char text[600];
	static char want[300];
	struct http_chunker ch;
	char out[300];
	size_t outlen;
	size_t n;

	(void)state;
	memset(want, 'z', 0xAB + 0x1F);
	n = (size_t)snprintf(text, sizeof(text), "AB\r\n");
	memset(text + n, 'z', 0xAB);
	n += 0xAB;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "\r\n001f\r\n");
	memset(text + n, 'z', 0x1F);
	n += 0x1F;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "\r\n0\r\n\r\n");
	chunk_all(&ch, text, n, 7, out, sizeof(out), &outlen);
	assert_true(ch.done);
	assert_false(ch.bad);
	assert_int_equal(outlen, 0xAB + 0x1F);
	assert_memory_equal(out, want, outlen);
}

static void expect_bad(const char *text)
{
	struct http_chunker ch;
	char out[64];
	size_t outlen;

	chunk_all(&ch, text, strlen(text), 1000, out, sizeof(out), &outlen);
	assert_true(ch.bad);
	chunk_all(&ch, text, strlen(text), 1, out, sizeof(out), &outlen);
	assert_true(ch.bad);
}

static void test_http_chunker_bad_framing(void **state)
{
	(void)state;
	expect_bad("G\r\n");
	expect_bad("\r\n");
	expect_bad(";ext\r\n");
	expect_bad("-1\r\n");
	expect_bad("3\rabc\r\n");
	expect_bad("3\r\nabcX\r\n");	/* data longer than its size */
	expect_bad("3\r\nabc\rX");
	expect_bad("3\r\nabc\r\nZ\r\n");
	/* A bad end of the trailer sets bad (and done, too). */
	expect_bad("0\r\n\rX");
	expect_bad("0\r\nX-T: 1\r\n\rX");
}

static void test_http_chunker_too_many_hex_digits(void **state)
{
	struct http_chunker ch;
	struct view body;
	const char *fifteen = "fffffffffffffff\r\n";

	(void)state;
	expect_bad("1000000000000000\r\n");	/* 16 digits */
	expect_bad("0000000000000000000001\r\n");
	/* 15 digits is the most: accepted, and the size is exact. */
	http_chunker_init(&ch);
	assert_int_equal(http_chunker_feed(&ch, (const uint8_t *)fifteen, strlen(fifteen), &body),
			 strlen(fifteen));
	assert_false(ch.bad);
	assert_int_equal(ch.left, 0xfffffffffffffffull);
	assert_int_equal(body.len, 0);
	assert_int_equal(http_chunker_feed(&ch, (const uint8_t *)"ab", 2, &body), 2);
	assert_int_equal(body.len, 2);
	assert_int_equal(ch.left, 0xffffffffffffffdull);
}

/* The request-target as parse_head keeps it. */
static void redact(const char *uri, const char *want, bool had)
{
	static char req[1024];
	struct http_head h;

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: h\r\n\r\n", uri);
	assert_true(parse(req, &h));
	assert_string_equal(h.uri, want);
	assert_int_equal(h.uri_had_password, had);
	/* Location goes through the same redaction. */
	snprintf(req, sizeof(req), "HTTP/1.1 301 Moved\r\nLocation: %s\r\n\r\n", uri);
	assert_true(parse(req, &h));
	assert_string_equal(h.location, want);
}

static void test_http_uri_redact(void **state)
{
	struct http_head h;

	(void)state;
	redact("http://u:s3cret@h/x", "http://u:****@h/x", true);
	/* '@' inside the password: the last '@' of the authority ends the userinfo. */
	redact("http://u:p@ss@w0rd@h:8080/x?y=1", "http://u:****@h:8080/x?y=1", true);
	redact("http://h/x", "http://h/x", false);
	redact("http://u@h/x", "http://u@h/x", false);
	redact("http://h:8080/a@b:c", "http://h:8080/a@b:c", false);
	redact("https://u:pw@h", "https://u:****@h", true);
	redact("/boot/ipxe.efi", "/boot/ipxe.efi", false);
	/* --show-secrets keeps the password. */
	assert_true(http_parse_head_opts(V("GET http://u:s3cret@h/x HTTP/1.1\r\n\r\n"), &h,
					 true));
	assert_string_equal(h.uri, "http://u:s3cret@h/x");
}

/* Regression (fixed): a network-path reference ("//user:pass@host/path", valid in Location per
 * RFC 3986 4.2) has no "://", so its password is not redacted. */
static void test_http_uri_redact_network_path_reference(void **state)
{
	struct http_head h;

	(void)state;
	assert_true(parse("HTTP/1.1 302 Found\r\nLocation: //u:s3cret@h/x\r\n\r\n", &h));
	/* Got: location = "//u:s3cret@h/x". */
	assert_false(struct_has(&h, "s3cret"));
	assert_string_equal(h.location, "//u:****@h/x");
}

/* Regression (fixed): only a space ends the Authorization scheme: with a tab the start of the
 * credentials is kept in auth_scheme ("Basic\x09dXNlcj"), and with no scheme at all
 * the credentials themselves are ("dXNlcjpzM2NyZXQ", 15 of 16 characters). */
static void test_http_auth_credentials_never_kept(void **state)
{
	struct http_head h;

	(void)state;
	assert_true(parse("GET / HTTP/1.1\r\nAuthorization: Basic\tdXNlcjpzM2NyZXQ=\r\n\r\n", &h));
	assert_true(h.has_auth);
	assert_false(struct_has(&h, "dXNlcj"));
	assert_true(parse("GET / HTTP/1.1\r\nAuthorization: dXNlcjpzM2NyZXQ=\r\n\r\n", &h));
	assert_true(h.has_auth);
	assert_false(struct_has(&h, "dXNlcj"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_head_end_crlf_and_bare_lf),
		cmocka_unit_test(test_http_parse_request_head),
		cmocka_unit_test(test_http_request_uri_userinfo_is_redacted),
		cmocka_unit_test(test_http_long_uri_password_is_not_kept),
		cmocka_unit_test(test_http_parse_response_head),
		cmocka_unit_test(test_http_content_length_duplicates),
		cmocka_unit_test(test_http_chunked_and_connection_close),
		cmocka_unit_test(test_http_location_is_redacted),
		cmocka_unit_test(test_http_header_without_colon_is_refused),
		cmocka_unit_test(test_http_non_http_is_refused),
		cmocka_unit_test(test_http_start_line_is_strict),
		cmocka_unit_test(test_http_looks_like),
		cmocka_unit_test(test_http_response_has_body),
		cmocka_unit_test(test_http_chunker_all_at_once),
		cmocka_unit_test(test_http_chunker_one_byte_at_a_time),
		cmocka_unit_test(test_http_chunker_stops_after_the_last_chunk),
		cmocka_unit_test(test_http_chunker_uppercase_hex),
		cmocka_unit_test(test_http_chunker_bad_framing),
		cmocka_unit_test(test_http_chunker_too_many_hex_digits),
		cmocka_unit_test(test_http_uri_redact),
		cmocka_unit_test(test_http_uri_redact_network_path_reference),
		cmocka_unit_test(test_http_auth_credentials_never_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
