/* fuzz_scratch.h: a per-process scratch directory in /dev/shm for the harnesses that need files. */
#ifndef NBC_FUZZ_SCRATCH_H
#define NBC_FUZZ_SCRATCH_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "fuzz/fuzz_common.h"

/*
 * /dev/shm/nbc-fuzz-<tag>-<pid>: made once per process, removed at exit (atexit; a crash
 * leaves it, and the next harness of the same tag removes directories whose process is
 * gone). Removal never follows a symlink.
 */
static char fuzz_scratch_dir[256];

/* Removes a tree; a symlink is unlinked, never followed. */
static void fuzz_scratch_rmtree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;

	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode) && (d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			char sub[1024];

			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			fuzz_scratch_rmtree(sub);
		}
		closedir(d);
		(void)rmdir(path);
		return;
	}
	(void)unlink(path);
}

static void fuzz_scratch_cleanup(void)
{
	if (fuzz_scratch_dir[0])
		fuzz_scratch_rmtree(fuzz_scratch_dir);
}

/* Creates the directory (once) and returns its path. */
static inline const char *fuzz_scratch(const char *tag)
{
	char prefix[64];
	size_t plen;
	DIR *d;
	struct dirent *e;

	if (fuzz_scratch_dir[0])
		return fuzz_scratch_dir;
	/* Left over by a crashed run of this harness: the pid is gone. */
	plen = (size_t)snprintf(prefix, sizeof(prefix), "nbc-fuzz-%s-", tag);
	d = opendir("/dev/shm");
	while (d && (e = readdir(d)) != NULL) {
		char *end;
		long pid;

		if (strncmp(e->d_name, prefix, plen) != 0)
			continue;
		pid = strtol(e->d_name + plen, &end, 10);
		if (*end == '\0' && pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
			char old[300];

			snprintf(old, sizeof(old), "/dev/shm/%s", e->d_name);
			fuzz_scratch_rmtree(old);
		}
	}
	if (d)
		closedir(d);
	snprintf(fuzz_scratch_dir, sizeof(fuzz_scratch_dir), "/dev/shm/nbc-fuzz-%s-%ld", tag,
		 (long)getpid());
	fuzz_scratch_rmtree(fuzz_scratch_dir);
	if (mkdir(fuzz_scratch_dir, 0700) != 0) {
		fprintf(stderr, "fuzz: mkdir %s: %s\n", fuzz_scratch_dir, strerror(errno));
		abort();
	}
	atexit(fuzz_scratch_cleanup);
	return fuzz_scratch_dir;
}

/* dir/rel (parents created) with exactly p[0..n). */
static inline void fuzz_put(const char *dir, const char *rel, const void *p, size_t n)
{
	char path[512];
	const char *b = p;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (char *s = path + strlen(dir) + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		(void)mkdir(path, 0700);
		*s = '/';
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "fuzz: %s: %s\n", path, strerror(errno));
		abort();
	}
	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w <= 0) {
			fprintf(stderr, "fuzz: write %s: %s\n", path, strerror(errno));
			abort();
		}
		b += w;
		n -= (size_t)w;
	}
	close(fd);
}

/* The first occurrence of needle in p[0..n), or NULL (memmem is a GNU extension). */
static inline const uint8_t *fuzz_find(const uint8_t *p, size_t n, const char *needle)
{
	size_t m = strlen(needle);

	for (size_t i = 0; m && i + m <= n; i++)
		if (p[i] == (uint8_t)needle[0] && memcmp(p + i, needle, m) == 0)
			return p + i;
	return NULL;
}

static inline void fuzz_put_str(const char *dir, const char *rel, const char *s)
{
	fuzz_put(dir, rel, s, strlen(s));
}

static inline void fuzz_mkdir(const char *dir, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	(void)mkdir(path, 0700);
}

static inline void fuzz_symlink(const char *dir, const char *target, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	(void)unlink(path);
	if (symlink(target, path) != 0) {
		fprintf(stderr, "fuzz: symlink %s: %s\n", path, strerror(errno));
		abort();
	}
}

#endif
