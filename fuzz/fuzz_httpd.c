/* fuzz_httpd.c: netboot-serve's HTTP service (server/httpd.c, detached mode) on a hostile client's byte stream.
 *
 * Input: 4 bytes of seed, then what a client sends on one connection. A PRNG seeded from
 * the 4 bytes cuts the stream into pieces (each its own heap block, as recv would leave
 * them), says how much the socket takes of each write (all, a part, or nothing: the server
 * waits), and now and then fires the connection's timer. Seed 0 is the plain case: pieces
 * of 4 KiB, a socket that takes everything, no timer. At the end the client shuts down
 * its side; the server must then finish and close the connection.
 *
 * The document root (in /dev/shm) has files of distinct sizes, a directory, a Basic-auth
 * prefix /private/ (user "fuzz"), symlinks that point out of the root, into the protected
 * prefix, to a directory and to themselves.
 *
 * Invariants: the output is a sequence of responses whose heads parse with proto/http.c as
 * HTTP/1.1 responses with a known status and a Content-Length; a 200 body is the whole
 * file of that size, a 206 body the Content-Range's bytes of the file of that total size,
 * an error body "<status> <reason>\n"; 401 carries a Basic challenge, 416 an unsatisfied
 * Content-Range (bytes, an asterisk, the size);
 * nothing follows a "Connection: close" response, nothing is written after the shutdown;
 * no open outside the root or for writing; one connection holds at most 200 KiB; log lines
 * are single lines.
 * fuzz-ldflags: -Wl,--wrap=open,--wrap=pread,--wrap=pwrite,--wrap=srv_log,--wrap=getrandom
 */
#include <inttypes.h>

#include "fuzz/fuzz_server_common.h"
#include "proto/http.h"
#include "server/httpd.h"

#define CONN_HEAP_MAX (200u * 1024u)
#define PIECE_MAX 4096
#define RESPONSE_HEAD_MAX 4096	/* ours are well below this */

struct hfile {
	const char *name;
	size_t size;
	uint8_t *data;
};

/* Distinct sizes: a body's length (or a Content-Range total) names its file. */
static struct hfile files[] = {
	{ "index.html", 1234, NULL },
	{ "boot.ipxe", 57, NULL },
	{ "big.bin", 70001, NULL },	/* more than the 64 KiB send buffer */
	{ "empty.bin", 0, NULL },
	{ "sub/dir/file.cfg", 300, NULL },
	{ "private/secret.txt", 77, NULL },
	{ "sp ace.txt", 12, NULL },
	{ "pct%41.txt", 13, NULL },
};
#define NFILES (sizeof(files) / sizeof(files[0]))

static char root[300], *root_real;
static struct httpd_auth auth = { "/private/", "fuzz", "s3cr3t-pw" };

/* The client's view of the connection, and a streaming check of what it receives. */
enum rstate { R_HEAD, R_DECIDE, R_BODY };

static struct client {
	uint32_t rng;
	size_t window;		/* bytes the socket takes per write; 0: none */
	bool closed, shut;
	bool expired_in_send;	/* a timer fired: a response may end cut short */
	bool after_close;	/* a "Connection: close" response was complete */
	size_t written;		/* in this feed */
	enum rstate st;
	uint8_t head[RESPONSE_HEAD_MAX];
	size_t hlen;
	uint8_t peek[9];
	size_t plen;
	const uint8_t *expect;
	uint64_t body_left;
	bool close_after;
	char errbody[96];
	unsigned responses;
} cl;

static const struct hfile *file_sized(uint64_t size)
{
	for (size_t i = 0; i < NFILES; i++)
		if (files[i].size == size)
			return &files[i];
	return NULL;
}

static bool known_status(int s)
{
	static const int ok[] = { 200, 206, 400, 401, 403, 404, 405, 408, 414, 416, 431, 500,
				  501, 503, 505 };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (s == ok[i])
			return true;
	return false;
}

/* A complete response head in cl.head[0..hl): check it, set what the body must be. */
static void head_done(size_t hl)
{
	static struct http_head h;
	uint64_t cl_len;

	FUZZ_ASSERT(http_parse_head((struct view){ cl.head, hl }, &h));
	FUZZ_ASSERT(!h.request && h.version_minor == 1);
	FUZZ_ASSERT(known_status(h.status));
	FUZZ_ASSERT(h.content_length >= 0);
	cl_len = (uint64_t)h.content_length;
	cl.responses++;
	cl.close_after = h.conn_close;
	cl.expect = NULL;
	if (h.status == 200) {
		const struct hfile *f = file_sized(cl_len);

		FUZZ_ASSERT(f != NULL);
		cl.expect = f->data;
	} else if (h.status == 206) {
		uint64_t a, b, total;
		const struct hfile *f;

		FUZZ_ASSERT(sscanf(h.content_range, "bytes %" SCNu64 "-%" SCNu64 "/%" SCNu64, &a, &b,
				   &total) == 3);
		f = file_sized(total);
		FUZZ_ASSERT(f != NULL && a <= b && b < total && b - a + 1 == cl_len);
		cl.expect = f->data + a;
	} else {
		int n = snprintf(cl.errbody, sizeof(cl.errbody), "%d %s\n", h.status, h.reason);

		FUZZ_ASSERT(n > 0 && (size_t)n == cl_len);
		cl.expect = (const uint8_t *)cl.errbody;
		if (h.status == 401)
			FUZZ_ASSERT(strcmp(h.www_authenticate, "Basic") == 0);
		if (h.status == 416)
			FUZZ_ASSERT(strncmp(h.content_range, "bytes */", 8) == 0);
	}
	cl.body_left = cl_len;
	cl.hlen = 0;
	cl.plen = 0;
	/* A HEAD response has the length but no body: the next bytes decide (R_DECIDE). */
	cl.st = cl_len ? R_DECIDE : R_HEAD;
	if (!cl_len && cl.close_after)
		cl.after_close = true;
}

static void take_byte(uint8_t b);

static void body_byte(uint8_t b)
{
	FUZZ_ASSERT(b == *cl.expect);
	cl.expect++;
	if (--cl.body_left == 0) {
		cl.st = R_HEAD;
		if (cl.close_after)
			cl.after_close = true;
	}
}

static void take_byte(uint8_t b)
{
	static const char status_start[] = "HTTP/1.1 ";

	switch (cl.st) {
	case R_HEAD: {
		size_t hl;

		FUZZ_ASSERT(!cl.after_close);	/* nothing after "Connection: close" */
		FUZZ_ASSERT(cl.hlen < sizeof(cl.head));
		cl.head[cl.hlen++] = b;
		if (b == '\n' && (hl = http_head_end(cl.head, cl.hlen)) != 0)
			head_done(hl);
		break;
	}
	case R_DECIDE:
		cl.peek[cl.plen++] = b;
		if (memcmp(cl.peek, status_start, cl.plen) != 0) {
			/* A body (no file or error body starts like a status line). */
			uint8_t held[sizeof(cl.peek)];
			size_t n = cl.plen;

			memcpy(held, cl.peek, n);
			cl.plen = 0;
			cl.st = R_BODY;
			for (size_t i = 0; i < n; i++)
				take_byte(held[i]);
		} else if (cl.plen == sizeof(cl.peek)) {
			/* The answer to a HEAD: the next response starts here. */
			FUZZ_ASSERT(!cl.close_after);
			cl.st = R_HEAD;
			memcpy(cl.head, cl.peek, cl.plen);
			cl.hlen = cl.plen;
		}
		break;
	case R_BODY:
		body_byte(b);
		break;
	}
}

static size_t on_write(void *ctx, const uint8_t *p, size_t len)
{
	size_t n = len < cl.window ? len : cl.window;

	(void)ctx;
	FUZZ_ASSERT(!cl.closed && !cl.shut);
	FUZZ_ASSERT(len > 0);
	for (size_t i = 0; i < n; i++)
		take_byte(p[i]);
	cl.written += n;
	return n;
}

static void on_shutdown(void *ctx)
{
	(void)ctx;
	FUZZ_ASSERT(!cl.shut && !cl.closed);
	cl.shut = true;
}

static void on_closed(void *ctx)
{
	(void)ctx;
	FUZZ_ASSERT(!cl.closed);
	cl.closed = true;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = fuzz_scratch("httpd");

	(void)argc;
	(void)argv;
	snprintf(root, sizeof(root), "%s/root", dir);
	fuzz_mkdir(dir, "root");
	for (size_t i = 0; i < NFILES; i++) {
		char rel[200];

		files[i].data = malloc(files[i].size + 1);
		if (!files[i].data)
			abort();
		fuzz_fill(files[i].data, files[i].size, (unsigned)i);
		snprintf(rel, sizeof(rel), "root/%s", files[i].name);
		fuzz_put(dir, rel, files[i].data, files[i].size);
	}
	fuzz_put_str(dir, "outside.txt", "not to be served\n");
	fuzz_symlink(dir, "../outside.txt", "root/out.lnk");
	fuzz_symlink(dir, "loop.lnk", "root/loop.lnk");
	fuzz_symlink(dir, "private/secret.txt", "root/priv.lnk");
	fuzz_symlink(dir, "sub", "root/dir.lnk");
	fuzz_symlink(dir, "..", "root/up.lnk");
	root_real = realpath(root, NULL);
	if (!root_real)
		abort();
	fuzz_watch_init(root_real, NULL);
	return 0;
}

/* Feeds p[0..n) once (eof: then the FIN); returns the bytes the server took. */
static size_t feed(struct httpd_conn *c, const uint8_t *p, size_t n, bool eof, size_t heap0)
{
	size_t used = 0;

	cl.written = 0;
	httpd_conn_feed(c, p, n, eof, &used);
	FUZZ_ASSERT(used <= n);
	FUZZ_ASSERT(fuzz_heap_since(heap0) <= CONN_HEAP_MAX + PIECE_MAX);
	return used;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct httpd_conf conf;
	struct httpd_conn_io io = { on_write, on_shutdown, on_closed, NULL };
	struct httpd *h;
	struct httpd_conn *c;
	char err[256];
	size_t pos = 0, heap0;
	bool plain;

	if (size < 4)
		return 0;
	memset(&cl, 0, sizeof(cl));
	cl.rng = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3];
	plain = cl.rng == 0;
	cl.rng |= 1;
	data += 4;
	size -= 4;
	memset(&conf, 0, sizeof(conf));
	conf.root = root;
	conf.port = 80;
	conf.auth = &auth;
	conf.nauth = 1;
	conf.max_conns = 4;
	h = httpd_new_detached(&conf, err, sizeof(err));
	if (!h) {
		fprintf(stderr, "fuzz_httpd: %s\n", err);
		abort();
	}
	fuzz_watch_arm(true);
	heap0 = fuzz_heap();
	c = httpd_conn_new(h, "192.0.2.10:40000", &io);
	FUZZ_ASSERT(c != NULL);
	while (!cl.closed && pos < size) {
		uint32_t r = fuzz_rand(&cl.rng);
		size_t lim = (size_t)1 << (r % 13);
		size_t piece = size - pos < lim ? size - pos : lim;
		uint8_t *buf;
		size_t used;

		if (piece > PIECE_MAX)
			piece = PIECE_MAX;
		piece = 1 + (size_t)(fuzz_rand(&cl.rng) % piece);
		r = fuzz_rand(&cl.rng);
		cl.window = (r & 7) == 0 ? 0 : (r & 1) ? SIZE_MAX : 1 + (r >> 8) % 8192;
		if (plain) {
			/* Seed 0: large pieces, a socket that takes everything, no timer. */
			piece = size - pos < PIECE_MAX ? size - pos : PIECE_MAX;
			cl.window = SIZE_MAX;
			r = 1;
		}
		buf = malloc(piece);
		if (!buf)
			abort();
		memcpy(buf, data + pos, piece);
		used = feed(c, buf, piece, false, heap0);
		free(buf);
		pos += used;
		if (!cl.closed && (r >> 3) % 64 == 0) {
			cl.expired_in_send = true;	/* may end a response early */
			httpd_conn_expire(c);
		}
		if (!cl.closed && used == 0 && cl.written == 0) {
			/* Neither side moved: the socket drains, as the kernel would let it. */
			cl.window = SIZE_MAX;
			(void)feed(c, NULL, 0, false, heap0);
		}
	}
	/* The client's FIN; the socket takes everything. The server must finish and close. */
	cl.window = SIZE_MAX;
	for (int i = 0; i < 10000 && !cl.closed; i++) {
		size_t rest = size - pos;
		uint8_t *buf = malloc(rest ? rest : 1);

		if (!buf)
			abort();
		if (rest)
			memcpy(buf, data + pos, rest);
		pos += feed(c, buf, rest, true, heap0);
		free(buf);
	}
	FUZZ_ASSERT(cl.closed);
	/* Every response whole, unless a timer cut one short. */
	if (!cl.expired_in_send)
		FUZZ_ASSERT((cl.st == R_HEAD && cl.hlen == 0) || (cl.st == R_DECIDE && cl.plen == 0));
	fuzz_watch_arm(false);
	httpd_free(h);
	return 0;
}
