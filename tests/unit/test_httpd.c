/* test_httpd.c: the HTTP file service's path resolution, ranges, types, auth and wire behaviour. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/httpd.h"
#include "server/loop.h"

/* A document root in /tmp, with a tree outside it for symlinks to point at. */
struct fixture {
	char base[64];		/* mkdtemp dir: base/root is served, base/outside is not */
	char root[128];
};

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	static struct fixture fixture;
	struct fixture *fx = &fixture;
	char p[256];

	snprintf(fx->base, sizeof(fx->base), "/tmp/test_httpd.XXXXXX");
	if (!mkdtemp(fx->base))
		return -1;
	snprintf(fx->root, sizeof(fx->root), "%s/root", fx->base);
	if (mkdir(fx->root, 0755) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/outside", fx->base);
	if (mkdir(p, 0755) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/outside/secret.txt", fx->base);
	put_file(p, "secret\n");
	snprintf(p, sizeof(p), "%s/boot.ipxe", fx->root);
	put_file(p, "#!ipxe\nchain http://192.0.2.1/next.ipxe\n");
	snprintf(p, sizeof(p), "%s/my file.cfg", fx->root);
	put_file(p, "DEFAULT x\n");
	snprintf(p, sizeof(p), "%s/sub", fx->root);
	if (mkdir(p, 0755) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/sub/a.txt", fx->root);
	put_file(p, "a\n");
	snprintf(p, sizeof(p), "%s/private", fx->root);
	if (mkdir(p, 0755) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/private/k.txt", fx->root);
	put_file(p, "k\n");
	snprintf(p, sizeof(p), "%s/escape", fx->root);
	if (symlink("../outside/secret.txt", p) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/escapedir", fx->root);
	if (symlink("../outside", p) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/inside", fx->root);
	if (symlink("sub/a.txt", p) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/alias", fx->root);
	if (symlink("private", p) != 0)
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	static const char *const rel[] = {
		"root/boot.ipxe", "root/my file.cfg", "root/sub/a.txt", "root/private/k.txt",
		"root/escape", "root/escapedir", "root/inside", "root/alias", "outside/secret.txt",
	};
	static const char *const dirs[] = { "root/sub", "root/private", "root", "outside", "" };
	char p[256];

	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", fx->base, rel[i]);
		unlink(p);
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", fx->base, dirs[i]);
		rmdir(p);
	}
	return 0;
}

static void expect_file(const struct fixture *fx, const char *url, const char *rel)
{
	char out[PATH_MAX];
	char want[PATH_MAX];
	char *rroot = realpath(fx->root, NULL);

	assert_non_null(rroot);
	snprintf(want, sizeof(want), "%s/%s", rroot, rel);
	free(rroot);
	assert_int_equal(httpd_resolve(fx->root, url, out, sizeof(out)), 200);
	assert_string_equal(out, want);
}

static void test_httpd_resolve_plain_file(void **state)
{
	struct fixture *fx = *state;

	expect_file(fx, "/boot.ipxe", "boot.ipxe");
	expect_file(fx, "/sub/a.txt", "sub/a.txt");
	expect_file(fx, "//sub/./a.txt", "sub/a.txt");
	expect_file(fx, "/boot.ipxe?mac=52:54:00:12:34:56", "boot.ipxe");
	/* A symlink that stays inside the root is followed. */
	expect_file(fx, "/inside", "sub/a.txt");
}

static void test_httpd_resolve_percent_encoded_name(void **state)
{
	struct fixture *fx = *state;
	char out[PATH_MAX];

	expect_file(fx, "/my%20file.cfg", "my file.cfg");
	expect_file(fx, "/%62oot.ipx%65", "boot.ipxe");
	assert_int_equal(httpd_resolve(fx->root, "/boot%zz", out, sizeof(out)), 404);
	assert_int_equal(httpd_resolve(fx->root, "/boot%2", out, sizeof(out)), 404);
	assert_int_equal(httpd_resolve(fx->root, "/boot.ipxe%00.txt", out, sizeof(out)), 403);
}

static void test_httpd_resolve_refuses_dot_dot(void **state)
{
	struct fixture *fx = *state;
	char out[PATH_MAX];

	assert_int_equal(httpd_resolve(fx->root, "/../outside/secret.txt", out, sizeof(out)), 403);
	assert_int_equal(httpd_resolve(fx->root, "/sub/../boot.ipxe", out, sizeof(out)), 403);
	assert_int_equal(httpd_resolve(fx->root, "/../../../../etc/passwd", out, sizeof(out)), 403);
	assert_int_equal(httpd_resolve(fx->root, "/%2e%2e/outside/secret.txt", out, sizeof(out)),
			 403);
	assert_int_equal(httpd_resolve(fx->root, "/%2E%2e%2Foutside%2fsecret.txt", out, sizeof(out)),
			 403);
	assert_int_equal(httpd_resolve(fx->root, "/sub/..", out, sizeof(out)), 403);
	/* Names that only contain dots are not '..'. */
	assert_int_equal(httpd_resolve(fx->root, "/...", out, sizeof(out)), 404);
}

static void test_httpd_resolve_refuses_symlink_out(void **state)
{
	struct fixture *fx = *state;
	char out[PATH_MAX];

	assert_int_equal(httpd_resolve(fx->root, "/escape", out, sizeof(out)), 403);
	assert_int_equal(httpd_resolve(fx->root, "/escapedir/secret.txt", out, sizeof(out)), 403);
}

static void test_httpd_resolve_directory_and_missing(void **state)
{
	struct fixture *fx = *state;
	char out[PATH_MAX];

	assert_int_equal(httpd_resolve(fx->root, "/", out, sizeof(out)), 403);
	assert_int_equal(httpd_resolve(fx->root, "/sub", out, sizeof(out)), 403);
	assert_int_equal(httpd_resolve(fx->root, "/sub/", out, sizeof(out)), 403);
	assert_int_equal(httpd_resolve(fx->root, "/nope.ipxe", out, sizeof(out)), 404);
	assert_int_equal(httpd_resolve(fx->root, "/boot.ipxe/x", out, sizeof(out)), 404);
	assert_int_equal(httpd_resolve("/nonexistent-root-dir", "/boot.ipxe", out, sizeof(out)),
			 404);
	/* The resolved path does not fit out: refused, not truncated. */
	assert_int_equal(httpd_resolve(fx->root, "/boot.ipxe", out, 8), 404);
}

static void test_httpd_range_single(void **state)
{
	uint64_t a = 0;
	uint64_t b = 0;

	(void)state;
	assert_int_equal(httpd_range("bytes=0-99", 1000, &a, &b), 206);
	assert_int_equal(a, 0);
	assert_int_equal(b, 99);
	assert_int_equal(httpd_range("bytes=100-", 1000, &a, &b), 206);
	assert_int_equal(a, 100);
	assert_int_equal(b, 999);
	assert_int_equal(httpd_range("bytes=-50", 1000, &a, &b), 206);
	assert_int_equal(a, 950);
	assert_int_equal(b, 999);
	assert_int_equal(httpd_range("bytes=0-0", 1000, &a, &b), 206);
	assert_int_equal(a, 0);
	assert_int_equal(b, 0);
	/* last-pos past the end is clamped; a suffix longer than the file is all of it. */
	assert_int_equal(httpd_range("bytes=900-5000", 1000, &a, &b), 206);
	assert_int_equal(b, 999);
	assert_int_equal(httpd_range("bytes=-5000", 1000, &a, &b), 206);
	assert_int_equal(a, 0);
	assert_int_equal(b, 999);
	/* The unit is case-insensitive and OWS is allowed around list elements. */
	assert_int_equal(httpd_range("Bytes= 5-6 ", 1000, &a, &b), 206);
	assert_int_equal(a, 5);
	assert_int_equal(b, 6);
	assert_int_equal(httpd_range("bytes=5-6,", 1000, &a, &b), 206);
}

static void test_httpd_range_unsatisfiable(void **state)
{
	uint64_t a = 0;
	uint64_t b = 0;

	(void)state;
	assert_int_equal(httpd_range("bytes=1000-", 1000, &a, &b), 416);
	assert_int_equal(httpd_range("bytes=2000-3000", 1000, &a, &b), 416);
	assert_int_equal(httpd_range("bytes=-0", 1000, &a, &b), 416);
	assert_int_equal(httpd_range("bytes=0-", 0, &a, &b), 416);
	assert_int_equal(httpd_range("bytes=99999999999999999999999999-", 1000, &a, &b), 416);
}

static void test_httpd_range_malformed_is_ignored(void **state)
{
	uint64_t a = 0;
	uint64_t b = 0;

	(void)state;
	assert_int_equal(httpd_range(NULL, 1000, &a, &b), 0);
	assert_int_equal(httpd_range("", 1000, &a, &b), 0);
	assert_int_equal(httpd_range("bytes=", 1000, &a, &b), 0);
	assert_int_equal(httpd_range("bytes=abc", 1000, &a, &b), 0);
	assert_int_equal(httpd_range("bytes=5-1", 1000, &a, &b), 0);
	assert_int_equal(httpd_range("bytes=-", 1000, &a, &b), 0);
	assert_int_equal(httpd_range("bytes=1-2x", 1000, &a, &b), 0);
	assert_int_equal(httpd_range("bytes 0-1", 1000, &a, &b), 0);
	assert_int_equal(httpd_range("items=0-1", 1000, &a, &b), 0);
	assert_int_equal(httpd_range("bytes=- 5", 1000, &a, &b), 0);
}

static void test_httpd_range_several_serves_whole(void **state)
{
	uint64_t a = 0;
	uint64_t b = 0;

	(void)state;
	assert_int_equal(httpd_range("bytes=0-1,5-6", 1000, &a, &b), 0);
	assert_int_equal(httpd_range("bytes=0-1, -5", 1000, &a, &b), 0);
	assert_int_equal(httpd_range("bytes=2000-3000,0-1", 1000, &a, &b), 0);
}

static void test_httpd_content_types(void **state)
{
	(void)state;
	assert_string_equal(httpd_content_type("/srv/boot.ipxe"), "text/plain");
	assert_string_equal(httpd_content_type("pxelinux.cfg/default.cfg"), "text/plain");
	assert_string_equal(httpd_content_type("README.TXT"), "text/plain");
	assert_string_equal(httpd_content_type("/x/debian.iso"), "application/x-iso9660-image");
	assert_string_equal(httpd_content_type("/index.html"), "text/html");
	assert_string_equal(httpd_content_type("/undionly.kpxe"), "application/octet-stream");
	assert_string_equal(httpd_content_type("/vmlinuz"), "application/octet-stream");
	assert_string_equal(httpd_content_type("/dir.iso/vmlinuz"), "application/octet-stream");
	assert_string_equal(httpd_content_type("/x."), "application/octet-stream");
}

static void test_httpd_base64(void **state)
{
	uint8_t out[32];

	(void)state;
	assert_int_equal(httpd_base64_decode("dXNlcjE6cGFzczE=", 16, out, sizeof(out)), 11);
	assert_memory_equal(out, "user1:pass1", 11);
	assert_int_equal(httpd_base64_decode("YQ==", 4, out, sizeof(out)), 1);
	assert_int_equal(httpd_base64_decode("YQ", 2, out, sizeof(out)), 1);
	assert_int_equal(httpd_base64_decode("YWI=", 4, out, sizeof(out)), 2);
	assert_int_equal(httpd_base64_decode("", 0, out, sizeof(out)), 0);
	assert_int_equal(httpd_base64_decode("Y", 1, out, sizeof(out)), -1);
	assert_int_equal(httpd_base64_decode("YQ=", 3, out, sizeof(out)), -1);
	assert_int_equal(httpd_base64_decode("Y===", 4, out, sizeof(out)), -1);
	assert_int_equal(httpd_base64_decode("YQ==YQ==", 8, out, sizeof(out)), -1);
	assert_int_equal(httpd_base64_decode("Y Q=", 4, out, sizeof(out)), -1);
	/* The output bound is respected. */
	assert_int_equal(httpd_base64_decode("dXNlcjE6cGFzczE=", 16, out, 10), -1);
}

static void test_httpd_basic_auth(void **state)
{
	(void)state;
	assert_true(httpd_basic_auth_ok("Basic dXNlcjE6cGFzczE=", "user1", "pass1"));
	assert_true(httpd_basic_auth_ok("basic   dXNlcjE6cGFzczE= ", "user1", "pass1"));
	assert_false(httpd_basic_auth_ok(NULL, "user1", "pass1"));
	assert_false(httpd_basic_auth_ok("Basic dXNlcjE6cGFzczI=", "user1", "pass1"));
	assert_false(httpd_basic_auth_ok("Basic dXNlcjE6cGFzczE=", "user1", "pass"));
	assert_false(httpd_basic_auth_ok("Basic dXNlcjE6cGFzczE=", "user1", "pass11"));
	assert_false(httpd_basic_auth_ok("Bearer dXNlcjE6cGFzczE=", "user1", "pass1"));
	assert_false(httpd_basic_auth_ok("BasicdXNlcjE6cGFzczE=", "user1", "pass1"));
	assert_false(httpd_basic_auth_ok("Basic !!!!", "user1", "pass1"));
	assert_false(httpd_basic_auth_ok("Basic ", "", ""));
}

/* ---- over a socket: the server runs in this process, stepped by the loop ---- */

static void stop_cb(struct srv_loop *l, void *ctx)
{
	(void)ctx;
	srv_loop_stop(l);
}

/* Runs the loop for a while, so the server answers what the client sent. */
static void pump(struct srv_loop *l, double secs)
{
	srv_timer_add(l, secs, stop_cb, NULL);
	srv_loop_run(l);
}

static int client(uint16_t port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(port);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Sends req, lets the server work, returns what arrived (NUL-terminated, static). */
static const char *exchange(struct srv_loop *l, int fd, const char *req, size_t len)
{
	static char buf[65536];
	size_t n = 0;

	if (len)
		assert_int_equal(send(fd, req, len, 0), (ssize_t)len);
	pump(l, 0.15);
	for (;;) {
		ssize_t r = recv(fd, buf + n, sizeof(buf) - 1 - n, MSG_DONTWAIT);

		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	return buf;
}

static const char *exchange_str(struct srv_loop *l, int fd, const char *req)
{
	return exchange(l, fd, req, strlen(req));
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

struct server {
	struct srv_loop *l;
	struct httpd *h;
};

static void server_start(struct server *s, const struct fixture *fx, unsigned max_conns,
			 double idle)
{
	static const struct httpd_auth auth[] = { { "/private/", "user1", "pass1" } };
	struct httpd_conf c;
	char err[256];

	memset(&c, 0, sizeof(c));
	c.root = fx->root;
	c.listen_ip = INADDR_LOOPBACK;
	c.auth = auth;
	c.nauth = 1;
	c.max_conns = max_conns;
	c.idle_timeout = idle;
	s->l = srv_loop_new();
	assert_non_null(s->l);
	s->h = httpd_new(s->l, &c, err, sizeof(err));
	assert_non_null(s->h);
	assert_true(httpd_port(s->h) != 0);
}

static void server_stop(struct server *s)
{
	httpd_free(s->h);
	srv_loop_free(s->l);
}

static void test_httpd_serves_get_and_head(void **state)
{
	struct server s;
	const char *r;
	int fd;

	server_start(&s, *state, 0, 0);
	fd = client(httpd_port(s.h));
	r = exchange_str(s.l, fd, "GET /boot.ipxe HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_non_null(strstr(r, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(r, "Content-Length: 40\r\n"));
	assert_non_null(strstr(r, "Content-Type: text/plain\r\n"));
	assert_non_null(strstr(r, "Accept-Ranges: bytes\r\n"));
	assert_non_null(strstr(r, "\r\n\r\n#!ipxe\nchain http://192.0.2.1/next.ipxe\n"));
	assert_null(strstr(r, "Connection: close"));
	/* Same connection: keep-alive is the 1.1 default. */
	r = exchange_str(s.l, fd, "HEAD /boot.ipxe HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_non_null(strstr(r, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(r, "Content-Length: 40\r\n"));
	assert_null(strstr(r, "#!ipxe"));
	close(fd);
	server_stop(&s);
}

static void test_httpd_http10_closes_unless_keep_alive(void **state)
{
	struct server s;
	const char *r;
	int fd;

	server_start(&s, *state, 0, 0);
	fd = client(httpd_port(s.h));
	r = exchange_str(s.l, fd, "GET /boot.ipxe HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
	assert_non_null(strstr(r, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(r, "Connection: keep-alive\r\n"));
	r = exchange_str(s.l, fd, "GET /boot.ipxe HTTP/1.0\r\n\r\n");
	assert_non_null(strstr(r, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(r, "Connection: close\r\n"));
	assert_int_equal(recv(fd, (char[1]){ 0 }, 1, 0), 0);
	close(fd);
	server_stop(&s);
}

static void test_httpd_pipelined_in_order(void **state)
{
	struct server s;
	const char *r;
	const char *a;
	const char *b;
	int fd;

	server_start(&s, *state, 0, 0);
	fd = client(httpd_port(s.h));
	r = exchange_str(s.l, fd,
			 "GET /sub/a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
			 "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
			 "GET /boot.ipxe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	assert_int_equal(count(r, "HTTP/1.1 "), 3);
	a = strstr(r, "404 Not Found");
	b = strstr(r, "#!ipxe");
	assert_non_null(a);
	assert_non_null(b);
	assert_true(strstr(r, "200 OK") < a && a < b);
	assert_non_null(strstr(r, "Connection: close"));
	/* Closed after the last one. */
	assert_int_equal(recv(fd, (char[1]){ 0 }, 1, 0), 0);
	close(fd);
	server_stop(&s);
}

static void test_httpd_range_on_the_wire(void **state)
{
	struct server s;
	const char *r;
	int fd;

	server_start(&s, *state, 0, 0);
	fd = client(httpd_port(s.h));
	r = exchange_str(s.l, fd, "GET /boot.ipxe HTTP/1.1\r\nHost: x\r\nRange: bytes=1-5\r\n\r\n");
	assert_non_null(strstr(r, "HTTP/1.1 206 Partial Content\r\n"));
	assert_non_null(strstr(r, "Content-Range: bytes 1-5/40\r\n"));
	assert_non_null(strstr(r, "Content-Length: 5\r\n"));
	assert_non_null(strstr(r, "\r\n\r\n!ipxe"));
	r = exchange_str(s.l, fd, "GET /boot.ipxe HTTP/1.1\r\nHost: x\r\nRange: bytes=40-\r\n\r\n");
	assert_non_null(strstr(r, "HTTP/1.1 416 Range Not Satisfiable\r\n"));
	assert_non_null(strstr(r, "Content-Range: bytes */40\r\n"));
	/* If-Range that does not match: the whole file. */
	r = exchange_str(s.l, fd,
			 "GET /boot.ipxe HTTP/1.1\r\nHost: x\r\nRange: bytes=1-5\r\n"
			 "If-Range: \"etag\"\r\n\r\n");
	assert_non_null(strstr(r, "HTTP/1.1 200 OK\r\n"));
	close(fd);
	server_stop(&s);
}

static void test_httpd_refusals(void **state)
{
	struct server s;
	const char *r;
	int fd;

	server_start(&s, *state, 0, 0);
	fd = client(httpd_port(s.h));
	r = exchange_str(s.l, fd, "POST /boot.ipxe HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_non_null(strstr(r, "HTTP/1.1 405 Method Not Allowed\r\n"));
	assert_non_null(strstr(r, "Allow: GET, HEAD\r\n"));
	r = exchange_str(s.l, fd, "GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_non_null(strstr(r, "HTTP/1.1 403 Forbidden\r\n"));
	assert_null(strstr(r, "root:"));
	r = exchange_str(s.l, fd, "GET /escape HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_non_null(strstr(r, "HTTP/1.1 403 Forbidden\r\n"));
	r = exchange_str(s.l, fd, "GET /sub/ HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_non_null(strstr(r, "HTTP/1.1 403 Forbidden\r\n"));
	r = exchange_str(s.l, fd, "GET http://x/boot.ipxe HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_non_null(strstr(r, "HTTP/1.1 200 OK\r\n"));
	r = exchange_str(s.l, fd, "GET /boot.ipxe HTTP/1.1\r\n\r\n");
	assert_non_null(strstr(r, "HTTP/1.1 400 Bad Request\r\n"));
	close(fd);

	fd = client(httpd_port(s.h));
	r = exchange_str(s.l, fd, "BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_non_null(strstr(r, "HTTP/1.1 501 Not Implemented\r\n"));
	close(fd);
	/* A known method with a broken header line is a bad request, not an unknown method. */
	fd = client(httpd_port(s.h));
	r = exchange_str(s.l, fd, "GET /boot.ipxe HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n");
	assert_non_null(strstr(r, "HTTP/1.1 400 Bad Request\r\n"));
	close(fd);
	fd = client(httpd_port(s.h));
	r = exchange_str(s.l, fd, "GET / HTTP/2.0\r\n\r\n");
	assert_non_null(strstr(r, "HTTP/1.1 505 "));
	close(fd);
	fd = client(httpd_port(s.h));
	r = exchange_str(s.l, fd, "\x16\x03\x01 garbage\r\n\r\n");
	assert_non_null(strstr(r, "HTTP/1.1 400 Bad Request\r\n"));
	assert_int_equal(recv(fd, (char[1]){ 0 }, 1, 0), 0);
	close(fd);
	server_stop(&s);
}

static void test_httpd_basic_auth_on_the_wire(void **state)
{
	struct server s;
	const char *r;
	int fd;

	server_start(&s, *state, 0, 0);
	fd = client(httpd_port(s.h));
	r = exchange_str(s.l, fd, "GET /private/k.txt HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_non_null(strstr(r, "HTTP/1.1 401 Unauthorized\r\n"));
	assert_non_null(strstr(r, "WWW-Authenticate: Basic realm=\"netboot\""));
	/* Encoded or doubled slashes do not dodge the prefix. */
	r = exchange_str(s.l, fd, "GET /%70rivate//k.txt HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_non_null(strstr(r, "HTTP/1.1 401 Unauthorized\r\n"));
	r = exchange_str(s.l, fd, "GET //private/k.txt HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_non_null(strstr(r, "HTTP/1.1 401 Unauthorized\r\n"));
	r = exchange_str(s.l, fd,
			 "GET /private/k.txt HTTP/1.1\r\nHost: x\r\n"
			 "Authorization: Basic dXNlcjE6cGFzczI=\r\n\r\n");
	assert_non_null(strstr(r, "HTTP/1.1 401 Unauthorized\r\n"));
	r = exchange_str(s.l, fd,
			 "GET /private/k.txt HTTP/1.1\r\nHost: x\r\n"
			 "Authorization: Basic dXNlcjE6cGFzczE=\r\n\r\n");
	assert_non_null(strstr(r, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(r, "\r\n\r\nk\n"));
	/* A symlink elsewhere in the root that leads into the prefix is protected too. */
	r = exchange_str(s.l, fd, "GET /alias/k.txt HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_non_null(strstr(r, "HTTP/1.1 401 Unauthorized\r\n"));
	close(fd);
	server_stop(&s);
}

static void test_httpd_limits(void **state)
{
	struct server s;
	char *big = malloc(20000);
	const char *r;
	int fd;
	int fd2;

	assert_non_null(big);
	server_start(&s, *state, 1, 0.3);
	/* A head over 16 KiB: 431, then close. */
	fd = client(httpd_port(s.h));
	memset(big, 'a', 20000);
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	r = exchange(s.l, fd, big, 20000);
	assert_non_null(strstr(r, "HTTP/1.1 431 "));
	close(fd);
	pump(s.l, 0.05);
	/* max_conns 1: a second connection is refused with 503. */
	fd = client(httpd_port(s.h));
	pump(s.l, 0.05);
	fd2 = client(httpd_port(s.h));
	r = exchange_str(s.l, fd2, "");
	assert_non_null(strstr(r, "HTTP/1.1 503 "));
	close(fd2);
	close(fd);
	pump(s.l, 0.05);
	/* An incomplete head times out with 408, an idle connection just closes. */
	fd = client(httpd_port(s.h));
	r = exchange_str(s.l, fd, "GET / HT");
	assert_string_equal(r, "");
	pump(s.l, 0.4);
	r = exchange_str(s.l, fd, "");
	assert_non_null(strstr(r, "HTTP/1.1 408 "));
	close(fd);
	pump(s.l, 0.05);
	fd = client(httpd_port(s.h));
	pump(s.l, 0.5);
	assert_int_equal(recv(fd, (char[1]){ 0 }, 1, MSG_DONTWAIT), 0);
	close(fd);
	free(big);
	server_stop(&s);
}

static void test_httpd_bind_error_is_one_line(void **state)
{
	struct server s;
	struct httpd_conf c;
	char err[256];

	server_start(&s, *state, 0, 0);
	memset(&c, 0, sizeof(c));
	c.root = "/tmp";
	c.listen_ip = INADDR_LOOPBACK;
	c.port = httpd_port(s.h);
	assert_null(httpd_new(s.l, &c, err, sizeof(err)));
	assert_non_null(strstr(err, "http: cannot bind 127.0.0.1:"));
	assert_null(strchr(err, '\n'));
	server_stop(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_httpd_resolve_plain_file),
		cmocka_unit_test(test_httpd_resolve_percent_encoded_name),
		cmocka_unit_test(test_httpd_resolve_refuses_dot_dot),
		cmocka_unit_test(test_httpd_resolve_refuses_symlink_out),
		cmocka_unit_test(test_httpd_resolve_directory_and_missing),
		cmocka_unit_test(test_httpd_range_single),
		cmocka_unit_test(test_httpd_range_unsatisfiable),
		cmocka_unit_test(test_httpd_range_malformed_is_ignored),
		cmocka_unit_test(test_httpd_range_several_serves_whole),
		cmocka_unit_test(test_httpd_content_types),
		cmocka_unit_test(test_httpd_base64),
		cmocka_unit_test(test_httpd_basic_auth),
		cmocka_unit_test(test_httpd_serves_get_and_head),
		cmocka_unit_test(test_httpd_http10_closes_unless_keep_alive),
		cmocka_unit_test(test_httpd_pipelined_in_order),
		cmocka_unit_test(test_httpd_range_on_the_wire),
		cmocka_unit_test(test_httpd_refusals),
		cmocka_unit_test(test_httpd_basic_auth_on_the_wire),
		cmocka_unit_test(test_httpd_limits),
		cmocka_unit_test(test_httpd_bind_error_is_one_line),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
