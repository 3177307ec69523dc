/* fuzz_server_common.h: shared by the netboot-serve harnesses: watches on open/pread/pwrite/srv_log/getrandom.
 *
 * The harnesses link with
 *   -Wl,--wrap=open,--wrap=pread,--wrap=pwrite,--wrap=srv_log,--wrap=getrandom
 * so that every call the library makes to these goes through the functions below (calls
 * inside libc or the sanitizer runtime do not). While a harness has armed the watch
 * (fuzz_watch_arm), they abort on:
 *   - an open that is not read-only, or of a path whose realpath() is not under the
 *     allowed root (NULL: no open allowed at all);
 *   - a pread/pwrite on a descriptor that is not one of the registered images, or at
 *     bytes outside it [0, size); a pwrite on an image registered read-only;
 *   - a log line (message or peer) with a control character: one event is one line, a
 *     client must not be able to forge log lines; or with a registered secret in it.
 * getrandom returns a fixed pattern (byte i of each call is 0x5a + i), so that CHAP
 * challenges are known to the seed generator (fuzz/seeds.py) and runs are reproducible.
 */
#ifndef NBC_FUZZ_SERVER_COMMON_H
#define NBC_FUZZ_SERVER_COMMON_H

#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <sanitizer/allocator_interface.h>

#include "fuzz/fuzz_common.h"
#include "fuzz/fuzz_scratch.h"

#define FUZZ_GETRANDOM_BASE 0x5a
#define FUZZ_MAX_IMAGES 4

int __real_open(const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...);
ssize_t __real_pread(int fd, void *buf, size_t n, off_t off);
ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off);
ssize_t __real_pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off);
void __real_srv_log(const char *proto, const char *peer, const char *fmt, ...);
void __wrap_srv_log(const char *proto, const char *peer, const char *fmt, ...);
ssize_t __wrap_getrandom(void *buf, size_t n, unsigned flags);

static struct {
	bool armed;
	const char *root;	/* realpath of the directory opens must stay under */
	struct {
		dev_t dev;
		ino_t ino;
		off_t size;
		bool rw;
	} img[FUZZ_MAX_IMAGES];
	unsigned nimg;
	const char *secret;	/* must never be logged (NULL: none) */
	bool verbose;		/* FUZZ_LOG=1: pass log lines through */
	unsigned long opens;
} fuzz_watch;

static inline void fuzz_watch_arm(bool on)
{
	fuzz_watch.armed = on;
}

/* Registers an image file: pread/pwrite on it must stay inside its current size. */
static inline void fuzz_watch_image(const char *path, bool rw)
{
	struct stat st;

	if (fuzz_watch.nimg >= FUZZ_MAX_IMAGES || stat(path, &st) != 0)
		abort();
	fuzz_watch.img[fuzz_watch.nimg].dev = st.st_dev;
	fuzz_watch.img[fuzz_watch.nimg].ino = st.st_ino;
	fuzz_watch.img[fuzz_watch.nimg].size = st.st_size;
	fuzz_watch.img[fuzz_watch.nimg].rw = rw;
	fuzz_watch.nimg++;
}

static inline bool fuzz_under(const char *real, const char *root)
{
	size_t n = strlen(root);

	return strncmp(real, root, n) == 0 && (real[n] == '/' || real[n] == '\0');
}

int __wrap_open(const char *path, int flags, ...)
{
	int mode = 0;

	if (flags & O_CREAT) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, int);
		va_end(ap);
	}
	if (fuzz_watch.armed) {
		char *real;

		fuzz_watch.opens++;
		FUZZ_ASSERT(fuzz_watch.root != NULL);	/* no open expected here */
		FUZZ_ASSERT((flags & O_ACCMODE) == O_RDONLY);
		FUZZ_ASSERT(!(flags & (O_CREAT | O_TRUNC)));
		real = realpath(path, NULL);
		if (real) {
			if (!fuzz_under(real, fuzz_watch.root))
				fprintf(stderr, "fuzz: open(%s) = %s, outside %s\n", path, real,
					fuzz_watch.root);
			FUZZ_ASSERT(fuzz_under(real, fuzz_watch.root));
			free(real);
		}
	}
	return __real_open(path, flags, mode);
}

/* The image fd refers to, or -1 (not an image). */
static inline int fuzz_image_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return -1;
	for (unsigned i = 0; i < fuzz_watch.nimg; i++)
		if (fuzz_watch.img[i].dev == st.st_dev && fuzz_watch.img[i].ino == st.st_ino)
			return (int)i;
	return -1;
}

static inline void fuzz_check_io(int fd, size_t n, off_t off, bool write)
{
	int i = fuzz_image_of(fd);

	FUZZ_ASSERT(i >= 0);
	FUZZ_ASSERT(off >= 0);
	FUZZ_ASSERT((uint64_t)off + n <= (uint64_t)fuzz_watch.img[i].size);
	if (write)
		FUZZ_ASSERT(fuzz_watch.img[i].rw);
}

ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off)
{
	if (fuzz_watch.armed && fuzz_watch.nimg)
		fuzz_check_io(fd, n, off, false);
	return __real_pread(fd, buf, n, off);
}

ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	if (fuzz_watch.armed)
		fuzz_check_io(fd, n, off, true);
	return __real_pwrite(fd, buf, n, off);
}

static inline void fuzz_check_line(const char *s)
{
	for (const char *p = s; *p; p++)
		FUZZ_ASSERT((unsigned char)*p >= 0x20 && *p != 0x7f);
	if (fuzz_watch.secret)
		FUZZ_ASSERT(strstr(s, fuzz_watch.secret) == NULL);
}

void __wrap_srv_log(const char *proto, const char *peer, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	/* Formatted as log.c does (same buffer size), so that the arguments are read. */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fuzz_check_line(msg);
	if (peer)
		fuzz_check_line(peer);
	if (fuzz_watch.verbose)
		__real_srv_log(proto, peer, "%s", msg);
}

ssize_t __wrap_getrandom(void *buf, size_t n, unsigned flags)
{
	(void)flags;
	for (size_t i = 0; i < n; i++)
		((uint8_t *)buf)[i] = (uint8_t)(FUZZ_GETRANDOM_BASE + i);
	return (ssize_t)n;
}

static inline void fuzz_watch_init(const char *root_real, const char *secret)
{
	const char *v = getenv("FUZZ_LOG");

	fuzz_watch.root = root_real;
	fuzz_watch.secret = secret;
	fuzz_watch.verbose = v && *v == '1';
}

/* Heap bytes in use (ASan's allocator): the harnesses bound what one connection holds. */
static inline size_t fuzz_heap(void)
{
	return __sanitizer_get_current_allocated_bytes();
}

/* Heap bytes in use beyond base (0 if fewer are in use now). */
static inline size_t fuzz_heap_since(size_t base)
{
	size_t now = fuzz_heap();

	return now > base ? now - base : 0;
}

/* Contents of the test files: no 'H' (a body never looks like "HTTP/1.1 ") and no NUL. */
static inline void fuzz_fill(uint8_t *p, size_t n, unsigned seed)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789-_.\n";

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)alpha[(i * 7 + seed * 13 + (i >> 7) + (i >> 13)) % (sizeof(alpha) - 1)];
}

#endif
