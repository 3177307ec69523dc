/* test_tftpd.c: the TFTP service: name resolution under the root, and transfers driven in-process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/tftp.h"
#include "server/loop.h"
#include "server/tftpd.h"

#define LOCALHOST 0x7f000001u

struct fx {
	char base[64];		/* mkdtemp: base/root is served, base/outside.txt is not */
	char root[96];
	char rroot[PATH_MAX];	/* realpath of root */
	struct srv_loop *loop;
	struct tftpd *t;
	int cfd;		/* the test's client socket */
	int cfd2;		/* a stranger */
};

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 7 + 3 + (i >> 9));
}

static void write_file(const char *dir, const char *name, size_t size)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	for (size_t i = 0; i < size; i++)
		assert_int_not_equal(fputc(pattern(i), f), EOF);
	assert_int_equal(fclose(f), 0);
}

/* Removes what setup created; symlinks are unlinked, never followed. */
static void rm_tree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;

	if (lstat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	d = opendir(path);
	if (d) {
		while ((e = readdir(d)) != NULL) {
			char sub[512];

			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			rm_tree(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char p[256];

	if (!f)
		return -1;
	f->cfd = f->cfd2 = -1;
	snprintf(f->base, sizeof(f->base), "/tmp/test_tftpd.XXXXXX");
	if (!mkdtemp(f->base)) {
		free(f);
		return -1;
	}
	snprintf(f->root, sizeof(f->root), "%s/root", f->base);
	snprintf(p, sizeof(p), "%s/root/sub", f->base);
	if (mkdir(f->root, 0700) < 0 || mkdir(p, 0700) < 0)
		goto fail;
	write_file(f->base, "outside.txt", 5);
	write_file(f->root, "a.bin", 10);
	write_file(f->root, "sub/b.bin", 20);
	write_file(f->root, "f3000", 3000);
	write_file(f->root, "f1024", 1024);
	snprintf(p, sizeof(p), "%s/in-link", f->root);
	if (symlink("sub/b.bin", p) < 0)
		goto fail;
	snprintf(p, sizeof(p), "%s/out-link", f->root);
	if (symlink("../outside.txt", p) < 0)
		goto fail;
	snprintf(p, sizeof(p), "%s/out-dir", f->root);
	if (symlink("..", p) < 0)
		goto fail;
	if (!realpath(f->root, f->rroot))
		goto fail;
	*state = f;
	return 0;
fail:
	rm_tree(f->base);
	free(f);
	return -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	tftpd_free(f->t);
	srv_loop_free(f->loop);
	if (f->cfd >= 0)
		close(f->cfd);
	if (f->cfd2 >= 0)
		close(f->cfd2);
	rm_tree(f->base);
	free(f);
	return 0;
}

/* ---- tftpd_resolve ---- */

static int resolve(struct fx *f, const char *name, char *out, const char **why)
{
	return tftpd_resolve(f->root, name, out, PATH_MAX, why);
}

static void test_tftpd_resolve_plain_and_leading_slash(void **state)
{
	struct fx *f = *state;
	char out[PATH_MAX], want[PATH_MAX + 16];
	const char *why;

	snprintf(want, sizeof(want), "%s/a.bin", f->rroot);
	assert_int_equal(resolve(f, "a.bin", out, &why), 0);
	assert_string_equal(out, want);
	assert_int_equal(resolve(f, "/a.bin", out, &why), 0);
	assert_string_equal(out, want);
	snprintf(want, sizeof(want), "%s/sub/b.bin", f->rroot);
	assert_int_equal(resolve(f, "//sub/./b.bin", out, &why), 0);
	assert_string_equal(out, want);
}

static void test_tftpd_resolve_dotdot_refused(void **state)
{
	struct fx *f = *state;
	char out[PATH_MAX];
	const char *why;

	assert_int_equal(resolve(f, "../outside.txt", out, &why), 2);
	assert_non_null(strstr(why, ".."));
	assert_int_equal(resolve(f, "a/../../x", out, &why), 2);
	assert_int_equal(resolve(f, "sub/../a.bin", out, &why), 2);
	assert_int_equal(resolve(f, "/..", out, &why), 2);
}

static void test_tftpd_resolve_symlinks(void **state)
{
	struct fx *f = *state;
	char out[PATH_MAX], want[PATH_MAX + 16];
	const char *why;

	assert_int_equal(resolve(f, "out-link", out, &why), 2);
	assert_non_null(strstr(why, "outside"));
	assert_int_equal(resolve(f, "out-dir/outside.txt", out, &why), 2);
	snprintf(want, sizeof(want), "%s/sub/b.bin", f->rroot);
	assert_int_equal(resolve(f, "in-link", out, &why), 0);
	assert_string_equal(out, want);
}

static void test_tftpd_resolve_missing_directory_and_bad_names(void **state)
{
	struct fx *f = *state;
	char out[PATH_MAX];
	const char *why;

	assert_int_equal(resolve(f, "nope", out, &why), 1);
	assert_int_equal(resolve(f, "sub/nope/x", out, &why), 1);
	assert_int_equal(resolve(f, "a.bin/x", out, &why), 1);
	assert_int_equal(resolve(f, "sub", out, &why), 2);
	assert_string_equal(why, "a directory");
	assert_int_equal(resolve(f, "/", out, &why), 2);
	assert_int_equal(resolve(f, "", out, &why), 2);
	assert_int_equal(resolve(f, "a\001.bin", out, &why), 2);
	assert_int_equal(tftpd_resolve(f->root, "a.bin", out, 4, &why), 2);
}

/* ---- transfers ---- */

static void stop_cb(struct srv_loop *l, void *ctx)
{
	(void)ctx;
	srv_loop_stop(l);
}

/* Runs the loop for about secs seconds. */
static void run_for(struct srv_loop *l, double secs)
{
	assert_true(srv_timer_add(l, secs, stop_cb, NULL) != 0);
	assert_int_equal(srv_loop_run(l), 0);
}

static int client_socket(void)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(LOCALHOST);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void start_server(struct fx *f, double timeout, unsigned retries, unsigned max_xfers)
{
	struct tftpd_conf c;
	char err[200];

	memset(&c, 0, sizeof(c));
	c.root = f->root;
	c.listen_ip = LOCALHOST;
	c.timeout = timeout;
	c.retries = retries;
	c.max_transfers = max_xfers;
	f->loop = srv_loop_new();
	assert_non_null(f->loop);
	f->t = tftpd_new(f->loop, &c, err, sizeof(err));
	if (!f->t)
		fail_msg("%s", err);
	assert_int_not_equal(tftpd_port(f->t), 0);
	f->cfd = client_socket();
	f->cfd2 = client_socket();
}

static void send_to(int fd, uint16_t port, const uint8_t *p, size_t n)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(LOCALHOST);
	sa.sin_port = htons(port);
	assert_int_equal(sendto(fd, p, n, 0, (struct sockaddr *)&sa, sizeof(sa)), (ssize_t)n);
}

static void send_rrq(struct fx *f, int fd, const char *name, const struct tftp_optset *o)
{
	uint8_t b[512];
	size_t n = tftp_encode_request(TFTP_RRQ, name, "octet", o, b, sizeof(b));

	assert_true(n > 0);
	send_to(fd, tftpd_port(f->t), b, n);
}

static void send_ack(int fd, uint16_t port, uint16_t block)
{
	uint8_t b[4];

	assert_int_equal(tftp_encode_ack(block, b, sizeof(b)), 4);
	send_to(fd, port, b, 4);
}

/*
 * Runs the server until fd has a datagram (bounded: 50 quick steps, 500 of about 2 ms), then
 * receives it. Returns its length; *port is the sender's port.
 */
static size_t expect_pkt(struct fx *f, int fd, uint8_t *buf, size_t cap, uint16_t *port)
{
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n;

	for (int i = 0; i < 550; i++) {
		struct pollfd p = { fd, POLLIN, 0 };

		if (poll(&p, 1, 0) > 0)
			break;
		/* Loopback delivers at once: a few turns of the loop without waiting first. */
		run_for(f->loop, i < 50 ? 0.0 : 0.002);
	}
	n = recvfrom(fd, buf, cap, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
	if (n < 0)
		fail_msg("no packet from the server");
	if (port)
		*port = ntohs(from.sin_port);
	return (size_t)n;
}

/* Runs the server a little and checks that nothing arrived on fd. */
static void expect_silence(struct fx *f, int fd)
{
	uint8_t b[16];

	run_for(f->loop, 0.05);
	assert_true(recv(fd, b, sizeof(b), MSG_DONTWAIT) < 0);
}

/* Receives DATA block with the file's bytes [off, off+len); tid 0: any sender. Returns the sender's port. */
static uint16_t expect_data(struct fx *f, int fd, uint16_t tid, uint16_t block, size_t off,
			    size_t len)
{
	uint8_t b[2048];
	struct tftp_pkt pk;
	uint16_t from;
	size_t n = expect_pkt(f, fd, b, sizeof(b), &from);

	if (tid)
		assert_int_equal(from, tid);
	assert_int_equal(tftp_decode(b, n, &pk), 0);
	assert_int_equal(pk.op, TFTP_DATA);
	assert_int_equal(pk.block, block);
	assert_int_equal(pk.data.len, len);
	for (size_t i = 0; i < len; i++)
		assert_int_equal(pk.data.p[i], pattern(off + i));
	return from;
}

static void expect_error(struct fx *f, int fd, uint16_t code)
{
	uint8_t b[600];
	struct tftp_pkt pk;
	size_t n = expect_pkt(f, fd, b, sizeof(b), NULL);

	assert_int_equal(tftp_decode(b, n, &pk), 0);
	assert_int_equal(pk.op, TFTP_ERROR);
	assert_int_equal(pk.errcode, code);
}

static void test_tftpd_window_transfer_with_oack(void **state)
{
	struct fx *f = *state;
	struct tftp_optset o = { 512, 0, -1, 4 };
	uint8_t b[600];
	struct tftp_pkt pk;
	uint16_t tid;
	size_t n;

	start_server(f, 1.0, 5, 1);
	send_rrq(f, f->cfd, "f3000", &o);
	n = expect_pkt(f, f->cfd, b, sizeof(b), &tid);
	assert_int_not_equal(tid, tftpd_port(f->t));	/* a new TID */
	assert_int_equal(tftp_decode(b, n, &pk), 0);
	assert_int_equal(pk.op, TFTP_OACK);
	assert_int_equal(pk.blksize, 512);
	assert_int_equal(pk.tsize, 3000);
	assert_int_equal(pk.windowsize, 4);
	assert_int_equal(pk.timeout, -1);

	/* One transfer at most: another RRQ now is refused. */
	send_rrq(f, f->cfd2, "f3000", NULL);
	expect_error(f, f->cfd2, 0);

	send_ack(f->cfd, tid, 0);
	for (uint16_t blk = 1; blk <= 4; blk++)
		(void)expect_data(f, f->cfd, tid, blk, (size_t)(blk - 1) * 512, 512);
	expect_silence(f, f->cfd);

	/* A duplicate ACK resends nothing (Sorcerer's Apprentice). */
	send_ack(f->cfd, tid, 0);
	expect_silence(f, f->cfd);

	/* A stranger gets ERROR 5; the transfer is not disturbed. */
	send_ack(f->cfd2, tid, 4);
	expect_error(f, f->cfd2, TFTP_ERR_UNKNOWN_TID);
	expect_silence(f, f->cfd);

	/* ACK 2 inside the window: sending restarts at block 3 (RFC 7440). */
	send_ack(f->cfd, tid, 2);
	for (uint16_t blk = 3; blk <= 5; blk++)
		(void)expect_data(f, f->cfd, tid, blk, (size_t)(blk - 1) * 512, 512);
	(void)expect_data(f, f->cfd, tid, 6, 5 * 512, 3000 - 5 * 512);
	expect_silence(f, f->cfd);
	send_ack(f->cfd, tid, 6);
	expect_silence(f, f->cfd);

	/* The transfer is over: its slot is free again. */
	send_rrq(f, f->cfd2, "f3000", NULL);
	(void)expect_data(f, f->cfd2, 0, 1, 0, 512);
}

static void test_tftpd_exact_multiple_ends_with_empty_block(void **state)
{
	struct fx *f = *state;
	uint16_t tid;

	start_server(f, 1.0, 5, 0);
	send_rrq(f, f->cfd, "/f1024", NULL);
	tid = expect_data(f, f->cfd, 0, 1, 0, 512);	/* no options: DATA 1 right away */
	send_ack(f->cfd, tid, 1);
	(void)expect_data(f, f->cfd, tid, 2, 512, 512);
	send_ack(f->cfd, tid, 2);
	(void)expect_data(f, f->cfd, tid, 3, 1024, 0);
	send_ack(f->cfd, tid, 3);
	expect_silence(f, f->cfd);
}

static void test_tftpd_retransmits_with_backoff_then_gives_up(void **state)
{
	struct fx *f = *state;
	uint8_t b[600];
	struct tftp_pkt pk;
	unsigned data1 = 0, errors = 0;

	/* 0.05 s, then 0.1, 0.2: given up after about 0.35 s. */
	start_server(f, 0.05, 2, 0);
	send_rrq(f, f->cfd, "f1024", NULL);
	run_for(f->loop, 0.8);
	for (int i = 0; i < 10; i++) {
		ssize_t n = recv(f->cfd, b, sizeof(b), MSG_DONTWAIT);

		if (n < 0)
			break;
		assert_int_equal(tftp_decode(b, (size_t)n, &pk), 0);
		if (pk.op == TFTP_DATA && pk.block == 1 && pk.data.len == 512)
			data1++;
		else if (pk.op == TFTP_ERROR)
			errors++;
	}
	assert_int_equal(data1, 3);
	assert_int_equal(errors, 1);
}

static void test_tftpd_probe_then_real_transfer(void **state)
{
	struct fx *f = *state;
	struct tftp_optset o = { -1, 0, 3, -1 };
	uint8_t b[600];
	struct tftp_pkt pk;
	uint16_t tid;
	size_t n;

	start_server(f, 1.0, 5, 1);
	send_rrq(f, f->cfd, "a.bin", &o);
	n = expect_pkt(f, f->cfd, b, sizeof(b), &tid);
	assert_int_equal(tftp_decode(b, n, &pk), 0);
	assert_int_equal(pk.op, TFTP_OACK);
	assert_int_equal(pk.tsize, 10);
	assert_int_equal(pk.timeout, 3);
	assert_int_equal(pk.blksize, -1);
	n = tftp_encode_error(TFTP_ERR_OPTION, "User aborted the transfer", b, sizeof(b));
	send_to(f->cfd, tid, b, n);
	expect_silence(f, f->cfd);
	/* The probe freed its slot (max_transfers 1). */
	send_rrq(f, f->cfd, "a.bin", NULL);
	(void)expect_data(f, f->cfd, 0, 1, 0, 10);
}

static void test_tftpd_repeated_rrq_starts_one_transfer(void **state)
{
	struct fx *f = *state;

	start_server(f, 1.0, 5, 0);
	send_rrq(f, f->cfd, "a.bin", NULL);
	send_rrq(f, f->cfd, "a.bin", NULL);
	(void)expect_data(f, f->cfd, 0, 1, 0, 10);
	expect_silence(f, f->cfd);
}

static void test_tftpd_refusals(void **state)
{
	struct fx *f = *state;
	uint8_t b[600];
	size_t n;

	start_server(f, 1.0, 5, 0);
	n = tftp_encode_request(TFTP_WRQ, "new.bin", "octet", NULL, b, sizeof(b));
	send_to(f->cfd, tftpd_port(f->t), b, n);
	expect_error(f, f->cfd, TFTP_ERR_ACCESS);
	send_rrq(f, f->cfd, "nope.bin", NULL);
	expect_error(f, f->cfd, TFTP_ERR_NOT_FOUND);
	send_rrq(f, f->cfd, "../outside.txt", NULL);
	expect_error(f, f->cfd, TFTP_ERR_ACCESS);
	send_rrq(f, f->cfd, "out-link", NULL);
	expect_error(f, f->cfd, TFTP_ERR_ACCESS);
	send_rrq(f, f->cfd, "sub", NULL);
	expect_error(f, f->cfd, TFTP_ERR_ACCESS);
	n = tftp_encode_request(TFTP_RRQ, "a.bin", "mail", NULL, b, sizeof(b));
	send_to(f->cfd, tftpd_port(f->t), b, n);
	expect_error(f, f->cfd, TFTP_ERR_ILLEGAL_OP);
	n = tftp_encode_request(TFTP_RRQ, "a.bin", "bogus", NULL, b, sizeof(b));
	send_to(f->cfd, tftpd_port(f->t), b, n);
	expect_error(f, f->cfd, TFTP_ERR_ILLEGAL_OP);
	/* Garbage and truncated requests are ignored. */
	send_to(f->cfd, tftpd_port(f->t), (const uint8_t *)"\x00", 1);
	send_to(f->cfd, tftpd_port(f->t), (const uint8_t *)"\x00\x09zz", 4);
	send_to(f->cfd, tftpd_port(f->t), (const uint8_t *)"\x00\x01a.bin", 7);
	send_to(f->cfd, tftpd_port(f->t), (const uint8_t *)"\x00\x04\x00\x01", 4);
	expect_silence(f, f->cfd);
	/* netascii is served as octet. */
	n = tftp_encode_request(TFTP_RRQ, "a.bin", "NetASCII", NULL, b, sizeof(b));
	send_to(f->cfd, tftpd_port(f->t), b, n);
	(void)expect_data(f, f->cfd, 0, 1, 0, 10);
}

static void test_tftpd_block_number_rollover(void **state)
{
	struct fx *f = *state;
	const size_t blocks = 65540;	/* past 65535: wire numbers wrap to 0 */
	struct tftp_optset o = { 8, -1, -1, 64 };
	uint8_t b[600];
	uint16_t tid;
	size_t got = 0;

	write_file(f->root, "big", blocks * 8 - 3);
	start_server(f, 1.0, 5, 0);
	send_rrq(f, f->cfd, "big", &o);
	(void)expect_pkt(f, f->cfd, b, sizeof(b), &tid);	/* OACK */
	send_ack(f->cfd, tid, 0);
	/* Bounded: blocks / 64 windows of 64 packets. */
	while (got < blocks) {
		size_t w = blocks - got < 64 ? blocks - got : 64;

		for (size_t i = 0; i < w; i++) {
			size_t blk = got + i + 1;
			size_t len = blk < blocks ? 8 : 5;

			(void)expect_data(f, f->cfd, tid, (uint16_t)blk, (blk - 1) * 8, len);
		}
		got += w;
		send_ack(f->cfd, tid, (uint16_t)got);
	}
	expect_silence(f, f->cfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tftpd_resolve_plain_and_leading_slash, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tftpd_resolve_dotdot_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tftpd_resolve_symlinks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tftpd_resolve_missing_directory_and_bad_names,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tftpd_window_transfer_with_oack, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tftpd_exact_multiple_ends_with_empty_block,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tftpd_retransmits_with_backoff_then_gives_up,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tftpd_probe_then_real_transfer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tftpd_repeated_rrq_starts_one_transfer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tftpd_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tftpd_block_number_rollover, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
