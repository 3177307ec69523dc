/* test_fetch.c: the firmware's TFTP and HTTP clients against fake servers in a forked child. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "firmware/fetch.h"
#include "proto/tftp.h"

#define LOOPBACK 0x7f000001u

/* ---- URLs ---- */

static void test_fetch_url_defaults_and_port(void **state)
{
	struct fetch_url u;

	(void)state;
	assert_int_equal(fetch_url_parse("http://192.0.2.1/boot.ipxe", &u), 0);
	assert_string_equal(u.scheme, "http");
	assert_string_equal(u.host, "192.0.2.1");
	assert_int_equal(u.port, 80);
	assert_false(u.port_given);
	assert_string_equal(u.path, "/boot.ipxe");
	assert_false(u.has_userinfo);

	assert_int_equal(fetch_url_parse("HTTP://boot.example:8080/a/b?x=1#frag", &u), 0);
	assert_string_equal(u.scheme, "http");
	assert_int_equal(u.port, 8080);
	assert_true(u.port_given);
	assert_string_equal(u.path, "/a/b?x=1");

	assert_int_equal(fetch_url_parse("tftp://192.0.2.1:6969/pxelinux.0", &u), 0);
	assert_int_equal(u.port, 6969);
	assert_int_equal(fetch_url_parse("tftp://192.0.2.1/x", &u), 0);
	assert_int_equal(u.port, 69);
	assert_int_equal(fetch_url_parse("https://h/", &u), 0);
	assert_int_equal(u.port, 443);
}

static void test_fetch_url_bare_host_gets_root_path(void **state)
{
	struct fetch_url u;

	(void)state;
	assert_int_equal(fetch_url_parse("http://192.0.2.1", &u), 0);
	assert_string_equal(u.path, "/");
	assert_int_equal(fetch_url_parse("http://192.0.2.1:81", &u), 0);
	assert_string_equal(u.path, "/");
	assert_int_equal(u.port, 81);
	assert_int_equal(fetch_url_parse("http://h?q=1", &u), 0);
	assert_string_equal(u.path, "/?q=1");
}

static void test_fetch_url_userinfo_decoded(void **state)
{
	struct fetch_url u;

	(void)state;
	assert_int_equal(fetch_url_parse("http://alice:s%40cret:x@10.0.0.1:8000/img", &u), 0);
	assert_true(u.has_userinfo);
	assert_string_equal(u.user, "alice");
	assert_string_equal(u.password, "s@cret:x");
	assert_string_equal(u.host, "10.0.0.1");
	assert_int_equal(u.port, 8000);
	assert_string_equal(u.path, "/img");

	assert_int_equal(fetch_url_parse("http://bob@h/", &u), 0);
	assert_string_equal(u.user, "bob");
	assert_string_equal(u.password, "");
}

static void test_fetch_url_bad(void **state)
{
	struct fetch_url u;
	static const char *const bad[] = {
		"",
		"boot.ipxe",
		"/boot.ipxe",
		"http:/h/x",
		"://h/x",
		"ftp://h/x",
		"http:///x",
		"http://h:/x",
		"http://h:0/x",
		"http://h:65536/x",
		"http://h:123456/x",
		"http://h:8a/x",
		"http://h x/",
		"http://h/a b",
		"http://[2001:db8::1]/x",
		"http://u:p%4@h/",
		"http://u:p%00@h/",
		"h\ttp://h/",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (fetch_url_parse(bad[i], &u) != -1)
			fail_msg("accepted bad URL \"%s\"", bad[i]);
	}
	assert_int_equal(fetch_url_parse(NULL, &u), -1);
}

/* ---- a fake TFTP server in a child ---- */

enum tftp_fake {
	FAKE_PLAIN,		/* OACK, DATA; reports the RRQ it got */
	FAKE_LOST_ACK,		/* ignores the first ACK of block 2: resends DATA 2 */
	FAKE_LOST_RRQ,		/* ignores the first RRQ: the client must resend it */
	FAKE_TSIZE_LIE,		/* OACK tsize 2000, sends 1000 bytes */
	FAKE_NOT_FOUND,		/* ERROR 1 */
	FAKE_SILENT,		/* never answers */
	FAKE_PROBE,		/* answers a probe RRQ with OACK, expects ERROR 8, then the RRQ */
};

struct child {
	pid_t pid;
	uint16_t port;
	int report;		/* read end: what the child saw */
};

static uint8_t file_byte(size_t i)
{
	return (uint8_t)((i * 7u + 3u) ^ (i >> 9));
}

static int udp_socket(uint16_t *port)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &al) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

static ssize_t wait_pkt(int fd, uint8_t *buf, size_t cap, int ms, struct sockaddr_in *from)
{
	struct pollfd p = { fd, POLLIN, 0 };
	socklen_t fl = sizeof(*from);

	if (poll(&p, 1, ms) <= 0)
		return -1;
	return recvfrom(fd, buf, cap, 0, (struct sockaddr *)from, &fl);
}

/* Child: serves one file of size bytes per the scenario, then waits to be killed. */
static void tftp_child(int lfd, int report, enum tftp_fake how, size_t size)
{
	uint8_t buf[2048], out[2048];
	struct sockaddr_in cl;
	struct tftp_pkt t;
	ssize_t n;
	size_t m, blk = 512, oack_tsize = size;
	uint16_t tid;
	int xfd;
	bool dropped = false;

	alarm(20);
	n = wait_pkt(lfd, buf, sizeof(buf), 10000, &cl);
	if (n < 0)
		_exit(2);
	if (how == FAKE_SILENT)
		for (;;)
			pause();
	if (how == FAKE_LOST_RRQ) {
		n = wait_pkt(lfd, buf, sizeof(buf), 10000, &cl);
		if (n < 0)
			_exit(3);
	}
	if (how == FAKE_PROBE) {
		/* the probe: OACK from its own TID, then the client's ERROR 8 */
		xfd = udp_socket(&tid);
		tftp_decode(buf, (size_t)n, &t);
		m = tftp_encode_oack(&(struct tftp_optset){ t.blksize, (long)size, -1, -1 }, out,
				     sizeof(out));
		sendto(xfd, out, m, 0, (struct sockaddr *)&cl, sizeof(cl));
		n = wait_pkt(xfd, buf, sizeof(buf), 5000, &cl);
		if (n < 4 || buf[1] != TFTP_ERROR || buf[3] != TFTP_ERR_OPTION)
			_exit(4);
		if (write(report, "P", 1) != 1)
			_exit(5);
		close(xfd);
		n = wait_pkt(lfd, buf, sizeof(buf), 10000, &cl);
		if (n < 0)
			_exit(6);
	}
	if (write(report, buf, (size_t)n) != n)
		_exit(7);
	xfd = udp_socket(&tid);
	if (how == FAKE_NOT_FOUND) {
		m = tftp_encode_error(TFTP_ERR_NOT_FOUND, "File not found", out, sizeof(out));
		sendto(xfd, out, m, 0, (struct sockaddr *)&cl, sizeof(cl));
		for (;;)
			pause();
	}
	if (tftp_decode(buf, (size_t)n, &t) < 0)
		_exit(8);
	if (t.blksize > 0 && (size_t)t.blksize < blk)
		blk = (size_t)t.blksize;
	if (t.blksize > 0)
		blk = (size_t)t.blksize > 1024 ? 1024 : (size_t)t.blksize;
	if (how == FAKE_TSIZE_LIE)
		oack_tsize = 2000;
	m = tftp_encode_oack(&(struct tftp_optset){ (long)blk, (long)oack_tsize, -1, -1 }, out,
			     sizeof(out));
	sendto(xfd, out, m, 0, (struct sockaddr *)&cl, sizeof(cl));
	for (uint16_t b = 0;;) {
		n = wait_pkt(xfd, buf, sizeof(buf), 2000, &cl);
		if (n < 4)
			_exit(9);
		if (buf[1] != TFTP_ACK)
			continue;
		if ((uint16_t)(buf[2] << 8 | buf[3]) != b)
			continue;
		if (how == FAKE_LOST_ACK && b == 2 && !dropped) {
			/* as if this ACK were lost: DATA 2 again after the server's timeout */
			size_t off = (size_t)(b - 1) * blk, len = size - off < blk ? size - off : blk;
			uint8_t data[1024];

			dropped = true;
			for (size_t i = 0; i < len; i++)
				data[i] = file_byte(off + i);
			m = tftp_encode_data(b, data, len, out, sizeof(out));
			sendto(xfd, out, m, 0, (struct sockaddr *)&cl, sizeof(cl));
			continue;
		}
		if ((size_t)b * blk > size)
			break;	/* the short block was ACKed */
		{
			size_t off = (size_t)b * blk, len = size - off < blk ? size - off : blk;
			uint8_t data[1024];

			for (size_t i = 0; i < len; i++)
				data[i] = file_byte(off + i);
			b++;
			m = tftp_encode_data(b, data, len, out, sizeof(out));
			sendto(xfd, out, m, 0, (struct sockaddr *)&cl, sizeof(cl));
		}
	}
	for (;;)
		pause();
}

static struct child start_tftp(enum tftp_fake how, size_t size)
{
	struct child c;
	int pfd[2];
	int lfd = udp_socket(&c.port);

	assert_true(lfd >= 0);
	assert_int_equal(pipe(pfd), 0);
	c.pid = fork();
	assert_true(c.pid >= 0);
	if (c.pid == 0) {
		close(pfd[0]);
		tftp_child(lfd, pfd[1], how, size);
		_exit(0);
	}
	close(lfd);
	close(pfd[1]);
	c.report = pfd[0];
	return c;
}

static void stop_child(struct child *c)
{
	kill(c->pid, SIGKILL);
	waitpid(c->pid, NULL, 0);
	close(c->report);
}

static size_t read_report(struct child *c, uint8_t *buf, size_t cap)
{
	struct pollfd p = { c->report, POLLIN, 0 };
	ssize_t n;

	if (poll(&p, 1, 2000) <= 0)
		return 0;
	n = read(c->report, buf, cap);
	return n > 0 ? (size_t)n : 0;
}

static struct fetch_opts opts(enum fetch_persona p)
{
	struct fetch_opts o;

	memset(&o, 0, sizeof(o));
	o.persona = p;
	o.timeout = 0.3;
	o.retries = 3;
	return o;
}

static void check_content(const struct fetch_result *r, size_t size)
{
	assert_int_equal(r->size, size);
	assert_non_null(r->small);
	assert_int_equal(r->small_len, size < FETCH_SMALL_MAX ? size : FETCH_SMALL_MAX);
	for (size_t i = 0; i < r->small_len; i++)
		if (r->small[i] != file_byte(i))
			fail_msg("byte %zu differs", i);
	assert_int_equal(r->small[r->small_len], 0);
}

static void test_fetch_tftp_ipxe_rrq_and_transfer(void **state)
{
	struct child c = start_tftp(FAKE_PLAIN, 5000);
	struct fetch_opts o = opts(FETCH_IPXE);
	struct fetch_result r;
	uint8_t rrq[600];
	static const uint8_t want[] = "\0\1undionly.kpxe\0octet\0blksize\0001432\0tsize\0000";
	size_t n;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(fetch_tftp(LOOPBACK, c.port, "undionly.kpxe", &o, &r), 0);
	n = read_report(&c, rrq, sizeof(rrq));
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(rrq, want, n);
	assert_int_equal(r.tsize, 5000);
	assert_int_equal(r.status, 0);
	check_content(&r, 5000);
	assert_string_equal(r.error, "");
	fetch_result_free(&r);
	stop_child(&c);
}

static void test_fetch_tftp_pxelinux_sends_tsize_first_1408(void **state)
{
	struct child c = start_tftp(FAKE_PLAIN, 49);
	struct fetch_opts o = opts(FETCH_PXELINUX);
	struct fetch_result r;
	uint8_t rrq[600];
	static const uint8_t want[] = "\0\1pxelinux.cfg/default\0octet\0tsize\0000\0blksize\0001408";
	size_t n;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(fetch_tftp(LOOPBACK, c.port, "pxelinux.cfg/default", &o, &r), 0);
	n = read_report(&c, rrq, sizeof(rrq));
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(rrq, want, n);
	check_content(&r, 49);
	fetch_result_free(&r);
	stop_child(&c);
}

static void test_fetch_tftp_multiple_of_blksize_ends_with_empty_block(void **state)
{
	struct child c = start_tftp(FAKE_PLAIN, 2048);
	struct fetch_opts o = opts(FETCH_PXE_ROM);
	struct fetch_result r;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(fetch_tftp(LOOPBACK, c.port, "pxelinux.0", &o, &r), 0);
	check_content(&r, 2048);
	fetch_result_free(&r);
	stop_child(&c);
}

static void test_fetch_tftp_duplicate_data_is_acked_again(void **state)
{
	struct child c = start_tftp(FAKE_LOST_ACK, 3000);
	struct fetch_opts o = opts(FETCH_IPXE);
	struct fetch_result r;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(fetch_tftp(LOOPBACK, c.port, "x", &o, &r), 0);
	check_content(&r, 3000);
	assert_int_equal(r.retransmits, 0);
	fetch_result_free(&r);
	stop_child(&c);
}

static void test_fetch_tftp_lost_rrq_is_resent(void **state)
{
	struct child c = start_tftp(FAKE_LOST_RRQ, 700);
	struct fetch_opts o = opts(FETCH_PXE_ROM);
	struct fetch_result r;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(fetch_tftp(LOOPBACK, c.port, "x", &o, &r), 0);
	check_content(&r, 700);
	assert_int_equal(r.retransmits, 1);
	fetch_result_free(&r);
	stop_child(&c);
}

static void test_fetch_tftp_size_differs_from_tsize(void **state)
{
	struct child c = start_tftp(FAKE_TSIZE_LIE, 1000);
	struct fetch_opts o = opts(FETCH_PXE_ROM);
	struct fetch_result r;

	(void)state;
	memset(&r, 0, sizeof(r));
	o.save_path = "/tmp/test_fetch_tsize.bin";
	assert_int_equal(fetch_tftp(LOOPBACK, c.port, "nbp", &o, &r), -1);
	assert_string_equal(r.error, "size 1000 differs from tsize 2000 for nbp");
	assert_null(r.small);
	assert_int_equal(access(o.save_path, F_OK), -1);	/* no partial file left */
	stop_child(&c);
}

static void test_fetch_tftp_error_names_the_file(void **state)
{
	struct child c = start_tftp(FAKE_NOT_FOUND, 0);
	struct fetch_opts o = opts(FETCH_PXELINUX);
	struct fetch_result r;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(fetch_tftp(LOOPBACK, c.port, "pxelinux.cfg/01-52-54-00-ab-cd-ef", &o, &r),
			 -1);
	assert_string_equal(r.error,
			    "TFTP error 1 (File not found) for pxelinux.cfg/01-52-54-00-ab-cd-ef");
	stop_child(&c);
}

static void test_fetch_tftp_timeout_is_bounded(void **state)
{
	struct child c = start_tftp(FAKE_SILENT, 0);
	struct fetch_opts o = opts(FETCH_IPXE);
	struct fetch_result r;

	(void)state;
	memset(&r, 0, sizeof(r));
	o.timeout = 0.1;
	o.retries = 2;
	assert_int_equal(fetch_tftp(LOOPBACK, c.port, "x", &o, &r), -1);
	assert_string_equal(r.error, "timeout after 2 retries");
	assert_int_equal(r.retransmits, 2);
	stop_child(&c);
}

static void test_fetch_tftp_pxe_rom_probe_then_transfer(void **state)
{
	struct child c = start_tftp(FAKE_PROBE, 1500);
	struct fetch_opts o = opts(FETCH_PXE_ROM);
	struct fetch_result r;
	uint8_t rep[600];
	static const uint8_t want[] = "P\0\1nbp.efi\0octet\0blksize\0001432\0tsize\0000";
	size_t n = 0, got;

	(void)state;
	memset(&r, 0, sizeof(r));
	o.probe = true;
	assert_int_equal(fetch_tftp(LOOPBACK, c.port, "nbp.efi", &o, &r), 0);
	while (n < sizeof(want) && (got = read_report(&c, rep + n, sizeof(rep) - n)) > 0)
		n += got;
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(rep, want, n);
	assert_int_equal(r.tsize, 1500);
	check_content(&r, 1500);
	fetch_result_free(&r);
	stop_child(&c);
}

static void test_fetch_any_bare_name_and_tftp_url(void **state)
{
	struct child c = start_tftp(FAKE_PLAIN, 100);
	struct fetch_opts o = opts(FETCH_IPXE);
	struct fetch_result r;
	char url[64];
	uint8_t rrq[600];

	(void)state;
	memset(&r, 0, sizeof(r));
	snprintf(url, sizeof(url), "tftp://127.0.0.1:%u/dir/a%%20b", (unsigned)c.port);
	assert_int_equal(fetch_any(NULL, url, 0, &o, &r), 0);
	assert_true(read_report(&c, rrq, sizeof(rrq)) > 10);
	assert_string_equal((const char *)rrq + 2, "dir/a b");	/* leading '/' dropped */
	check_content(&r, 100);
	fetch_result_free(&r);
	stop_child(&c);
}

/* ---- a fake HTTP server in a child ---- */

enum http_fake {
	HFAKE_KEEPALIVE_CHUNKED,	/* one connection: Content-Length, then chunked */
	HFAKE_AUTH,			/* 401 Basic, then checks the Authorization */
	HFAKE_REDIRECT,			/* 302 to /real, then 200 */
	HFAKE_REDIRECT_LOOP,		/* 302 forever */
};

static int tcp_listener(uint16_t *port)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &al) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

/* Reads one request head into buf (NUL-terminated); reports it; 0 at EOF. */
static size_t read_request(int fd, char *buf, size_t cap, int report)
{
	size_t n = 0;

	while (n + 1 < cap) {
		ssize_t g = recv(fd, buf + n, cap - 1 - n, 0);

		if (g <= 0)
			return 0;
		n += (size_t)g;
		buf[n] = 0;
		if (strstr(buf, "\r\n\r\n"))
			break;
	}
	if (write(report, buf, n + 1) < 0)
		_exit(3);
	return n;
}

static void send_str(int fd, const char *s)
{
	if (send(fd, s, strlen(s), MSG_NOSIGNAL) < 0)
		_exit(4);
}

static void http_child(int lfd, int report, enum http_fake how)
{
	char req[4096];
	int fd;

	alarm(20);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		_exit(2);
	switch (how) {
	case HFAKE_KEEPALIVE_CHUNKED:
		if (!read_request(fd, req, sizeof(req), report))
			_exit(5);
		send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
		if (!read_request(fd, req, sizeof(req), report))
			_exit(6);
		send_str(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			     "4\r\n#!ip\r\n3;ext=1\r\nxe\n\r\n0\r\nX-Trailer: 1\r\n\r\n");
		break;
	case HFAKE_AUTH:
		if (!read_request(fd, req, sizeof(req), report))
			_exit(5);
		send_str(fd, "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\n"
			     "Content-Length: 12\r\n\r\nunauthorized");
		if (!read_request(fd, req, sizeof(req), report))
			_exit(6);
		if (strstr(req, "Authorization: Basic YWxpY2U6czNjcmV0\r\n"))
			send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
		else
			send_str(fd, "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic\r\n"
				     "Content-Length: 0\r\n\r\n");
		break;
	case HFAKE_REDIRECT:
		if (!read_request(fd, req, sizeof(req), report))
			_exit(5);
		send_str(fd, "HTTP/1.1 302 Found\r\nLocation: real.ipxe\r\nContent-Length: 0\r\n\r\n");
		if (!read_request(fd, req, sizeof(req), report))
			_exit(6);
		send_str(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n#!ipxe\n");
		close(fd);
		break;
	case HFAKE_REDIRECT_LOOP:
		while (read_request(fd, req, sizeof(req), report))
			send_str(fd, "HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n");
		break;
	}
	for (;;)
		pause();
}

static struct child start_http(enum http_fake how)
{
	struct child c;
	int pfd[2];
	int lfd = tcp_listener(&c.port);

	assert_true(lfd >= 0);
	assert_int_equal(pipe(pfd), 0);
	c.pid = fork();
	assert_true(c.pid >= 0);
	if (c.pid == 0) {
		close(pfd[0]);
		http_child(lfd, pfd[1], how);
		_exit(0);
	}
	close(lfd);
	close(pfd[1]);
	c.report = pfd[0];
	return c;
}

static void test_fetch_http_keepalive_and_chunked(void **state)
{
	struct child c = start_http(HFAKE_KEEPALIVE_CHUNKED);
	struct fetch_http_session *s = fetch_http_session_new();
	struct fetch_opts o = opts(FETCH_IPXE);
	struct fetch_result r;
	char url[64], rep[4096] = "", want[256];

	(void)state;
	memset(&r, 0, sizeof(r));
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/boot.ipxe", (unsigned)c.port);
	assert_int_equal(fetch_http(s, url, &o, &r), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal((const char *)r.small, "hello");
	assert_false(r.reused);
	fetch_result_free(&r);
	read_report(&c, (uint8_t *)rep, sizeof(rep) - 1);
	snprintf(want, sizeof(want),
		 "GET /boot.ipxe HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nUser-Agent: iPXE/1.0.0+\r\n"
		 "Connection: keep-alive\r\n\r\n",
		 (unsigned)c.port);
	assert_string_equal(rep, want);

	assert_int_equal(fetch_http(s, url, &o, &r), 0);
	assert_string_equal((const char *)r.small, "#!ipxe\n");
	assert_int_equal(r.size, 7);
	assert_true(r.reused);
	assert_int_equal(fetch_http_session_connects(s), 1);
	fetch_result_free(&r);
	fetch_http_session_free(s);
	stop_child(&c);
}

static void test_fetch_http_basic_auth_only_after_401(void **state)
{
	struct child c = start_http(HFAKE_AUTH);
	struct fetch_http_session *s = fetch_http_session_new();
	struct fetch_opts o = opts(FETCH_IPXE);
	struct fetch_result r;
	char url[80], rep[4096] = "";

	(void)state;
	memset(&r, 0, sizeof(r));
	snprintf(url, sizeof(url), "http://alice:s3cret@127.0.0.1:%u/secure/x", (unsigned)c.port);
	assert_int_equal(fetch_http(s, url, &o, &r), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal((const char *)r.small, "ok");
	read_report(&c, (uint8_t *)rep, sizeof(rep) - 1);
	assert_null(strstr(rep, "Authorization"));	/* the first request goes without */
	fetch_result_free(&r);
	fetch_http_session_free(s);
	stop_child(&c);
}

static void test_fetch_http_wrong_password_not_in_error(void **state)
{
	struct child c = start_http(HFAKE_AUTH);
	struct fetch_opts o = opts(FETCH_IPXE);
	struct fetch_result r;
	char url[80];

	(void)state;
	memset(&r, 0, sizeof(r));
	snprintf(url, sizeof(url), "http://alice:WRONGPW@127.0.0.1:%u/secure/x", (unsigned)c.port);
	assert_int_equal(fetch_http(NULL, url, &o, &r), -1);
	assert_int_equal(r.status, 401);
	assert_string_equal(r.error, "HTTP 401 for /secure/x (credentials refused)");
	assert_null(strstr(r.error, "WRONGPW"));
	stop_child(&c);
}

static void test_fetch_http_relative_redirect(void **state)
{
	struct child c = start_http(HFAKE_REDIRECT);
	struct fetch_opts o = opts(FETCH_IPXE);
	struct fetch_result r;
	char url[64], rep[4096];
	size_t n = 0, got;

	(void)state;
	memset(&r, 0, sizeof(r));
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/dir/boot.ipxe", (unsigned)c.port);
	assert_int_equal(fetch_http(NULL, url, &o, &r), 0);
	assert_int_equal(r.redirects, 1);
	assert_string_equal((const char *)r.small, "#!ipxe\n");
	while ((got = read_report(&c, (uint8_t *)rep + n, sizeof(rep) - 1 - n)) > 0)
		n += got;
	rep[n] = 0;
	/* two NUL-separated requests; the second asks for the resolved path */
	assert_true(n > strlen(rep) + 1);
	assert_memory_equal(rep + strlen(rep) + 1, "GET /dir/real.ipxe HTTP/1.1\r\n", 29);
	fetch_result_free(&r);
	stop_child(&c);
}

static void test_fetch_http_redirect_limit(void **state)
{
	struct child c = start_http(HFAKE_REDIRECT_LOOP);
	struct fetch_opts o = opts(FETCH_IPXE);
	struct fetch_result r;
	char url[64];

	(void)state;
	memset(&r, 0, sizeof(r));
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/loop", (unsigned)c.port);
	assert_int_equal(fetch_http(NULL, url, &o, &r), -1);
	assert_int_equal(r.redirects, 5);
	assert_string_equal(r.error, "HTTP: more than 5 redirects for /loop");
	stop_child(&c);
}

static void test_fetch_http_connection_refused(void **state)
{
	struct fetch_opts o = opts(FETCH_IPXE);
	struct fetch_result r;
	uint16_t port;
	int fd = tcp_listener(&port);

	(void)state;
	close(fd);	/* nobody listens there now */
	memset(&r, 0, sizeof(r));
	{
		char url[64];

		snprintf(url, sizeof(url), "http://127.0.0.1:%u/x", (unsigned)port);
		assert_int_equal(fetch_http(NULL, url, &o, &r), -1);
	}
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.error, "connect to 127.0.0.1"));
}

static void test_fetch_bad_url_error_hides_password(void **state)
{
	struct fetch_opts o = opts(FETCH_IPXE);
	struct fetch_result r;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(fetch_http(NULL, "http://al:TOPSECRET@h:99999/x", &o, &r), -1);
	assert_string_equal(r.error, "not a URL we can fetch: http://***@h:99999/x");
	assert_int_equal(fetch_any(NULL, "ftp://al:TOPSECRET@h/x", 0, &o, &r), -1);
	assert_null(strstr(r.error, "TOPSECRET"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fetch_url_defaults_and_port),
		cmocka_unit_test(test_fetch_url_bare_host_gets_root_path),
		cmocka_unit_test(test_fetch_url_userinfo_decoded),
		cmocka_unit_test(test_fetch_url_bad),
		cmocka_unit_test(test_fetch_tftp_ipxe_rrq_and_transfer),
		cmocka_unit_test(test_fetch_tftp_pxelinux_sends_tsize_first_1408),
		cmocka_unit_test(test_fetch_tftp_multiple_of_blksize_ends_with_empty_block),
		cmocka_unit_test(test_fetch_tftp_duplicate_data_is_acked_again),
		cmocka_unit_test(test_fetch_tftp_lost_rrq_is_resent),
		cmocka_unit_test(test_fetch_tftp_size_differs_from_tsize),
		cmocka_unit_test(test_fetch_tftp_error_names_the_file),
		cmocka_unit_test(test_fetch_tftp_timeout_is_bounded),
		cmocka_unit_test(test_fetch_tftp_pxe_rom_probe_then_transfer),
		cmocka_unit_test(test_fetch_any_bare_name_and_tftp_url),
		cmocka_unit_test(test_fetch_http_keepalive_and_chunked),
		cmocka_unit_test(test_fetch_http_basic_auth_only_after_401),
		cmocka_unit_test(test_fetch_http_wrong_password_not_in_error),
		cmocka_unit_test(test_fetch_http_relative_redirect),
		cmocka_unit_test(test_fetch_http_redirect_limit),
		cmocka_unit_test(test_fetch_http_connection_refused),
		cmocka_unit_test(test_fetch_bad_url_error_hides_password),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
