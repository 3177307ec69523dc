/* export.c: `analyze --export DIR`: every file a capture transferred, under a safe name in DIR. */
#include "checker/engine_priv.h"

#include <errno.h>
#include <string.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXPORT_OPEN_MAX 256	/* files written at once; more concurrent transfers are skipped */

/*
 * Turns a requested path into one file name that cannot leave DIR: the
 * directory parts are joined with '_', '..' and '.' parts dropped, bytes
 * outside [A-Za-z0-9._+-] replaced, no leading dot.
 */
void export_safe_name(const char *path, char *out, size_t cap)
{
	size_t n = 0;
	const char *p = path;

	if (cap == 0)
		return;
	while (*p && n + 1 < cap) {
		const char *start;
		size_t len;

		while (*p == '/' || *p == '\\')
			p++;
		start = p;
		while (*p && *p != '/' && *p != '\\' && *p != '?' && *p != '#')
			p++;
		len = (size_t)(p - start);
		if (*p == '?' || *p == '#')
			while (*p)
				p++;
		if (len == 0 || (len == 1 && start[0] == '.') ||
		    (len == 2 && start[0] == '.' && start[1] == '.'))
			continue;
		if (n && n + 1 < cap)
			out[n++] = '_';
		for (size_t i = 0; i < len && n + 1 < cap; i++) {
			unsigned char ch = (unsigned char)start[i];
			bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
				  (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-' ||
				  ch == '+';

			out[n++] = ok ? (char)ch : '_';
		}
	}
	out[n] = '\0';
	if (n == 0)
		snprintf(out, cap, "unnamed");
	else if (out[0] == '.')
		out[0] = '_';
}

bool export_init(struct nbc_engine *e, const char *dir, char *err, size_t errcap)
{
	struct stat st;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errcap, "cannot create %s: %s", dir, strerror(errno));
		return false;
	}
	e->export_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (e->export_fd < 0 || fstat(e->export_fd, &st) != 0) {
		snprintf(err, errcap, "cannot open %s: %s", dir, strerror(errno));
		return false;
	}
	return true;
}

/* Opens a new file for an object; returns its listing index or -1. */
static int export_open(struct nbc_engine *e, const char *proto, const char *path,
		       const char *source, uint64_t frame)
{
	struct eng_export *x;
	char base[ENG_NAME_MAX];
	int fd = -1;

	if (e->export_fd < 0)
		return -1;
	x = NBC_PUSH(e->exports, e->nexports, e->exports_cap);
	memset(x, 0, sizeof(*x));
	x->fd = -1;
	x->frame = frame;
	snprintf(x->proto, sizeof(x->proto), "%s", proto);
	snprintf(x->source, sizeof(x->source), "%s", source);
	export_safe_name(path, base, sizeof(base));
	if (e->export_open >= EXPORT_OPEN_MAX) {
		x->skipped = true;
		snprintf(x->name, sizeof(x->name), "%s", base);
		return (int)(e->nexports - 1);
	}
	/* The same name twice: name.1, name.2, ... never overwriting. */
	for (unsigned k = 0; k < 1000 && fd < 0; k++) {
		if (k == 0)
			snprintf(x->name, sizeof(x->name), "%s", base);
		else
			snprintf(x->name, sizeof(x->name), "%s.%u", base, k);
		fd = openat(e->export_fd, x->name,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		x->skipped = true;
		return (int)(e->nexports - 1);
	}
	x->fd = fd;
	e->export_open++;
	return (int)(e->nexports - 1);
}

static void export_put(struct nbc_engine *e, int idx, const uint8_t *p, size_t n)
{
	struct eng_export *x;

	if (idx < 0)
		return;
	x = &e->exports[idx];
	x->bytes += n;
	while (x->fd >= 0 && n > 0) {
		ssize_t w = write(x->fd, p, n);

		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			x->write_failed = true;
			close(x->fd);
			x->fd = -1;
			e->export_open--;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static void export_end(struct nbc_engine *e, int idx, bool partial)
{
	struct eng_export *x;

	if (idx < 0)
		return;
	x = &e->exports[idx];
	x->partial = x->partial || partial;
	if (x->fd >= 0) {
		close(x->fd);
		x->fd = -1;
		e->export_open--;
	}
}

void export_write_http(struct nbc_engine *e, struct eng_http *h, const uint8_t *p, size_t n)
{
	if (e->export_fd < 0 || h->status < 200 || h->status > 299)
		return;
	if (h->export_idx < 0 && h->body_bytes == n) {
		char src[ENG_NAME_MAX + 160];
		char a[16];

		snprintf(src, sizeof(src), "http://%s%s", h->host[0] ? h->host :
							 net_ip_str(h->sip, a, sizeof(a)),
			 h->uri);
		h->export_idx = export_open(e, "http", h->uri, src, h->status_frame);
	}
	export_put(e, h->export_idx, p, n);
}

void export_close_http(struct nbc_engine *e, struct eng_http *h)
{
	export_end(e, h->export_idx, !h->complete);
}

void export_abandon_http(struct nbc_engine *e, struct eng_http *h)
{
	export_end(e, h->export_idx, true);
}

void export_write_tftp(struct nbc_engine *e, struct eng_xfer *x, const uint8_t *p, size_t n)
{
	if (e->export_fd < 0)
		return;
	if (x->export_idx < 0 && x->blocks == 1) {
		char src[ENG_NAME_MAX + 32];
		char a[16];

		snprintf(src, sizeof(src), "tftp://%s/%s", net_ip_str(x->sip, a, sizeof(a)),
			 x->name);
		x->export_idx = export_open(e, "tftp", x->name, src, x->rrq_frame);
	}
	export_put(e, x->export_idx, p, n);
}

void export_close_tftp(struct nbc_engine *e, struct eng_xfer *x)
{
	export_end(e, x->export_idx, x->status != ENG_XFER_COMPLETE);
}

void export_abandon_tftp(struct nbc_engine *e, struct eng_xfer *x)
{
	export_end(e, x->export_idx, true);
}

/* Closes what is still open, prints the listing (stderr) and releases it. */
void export_finish(struct nbc_engine *e, FILE *out)
{
	if (e->export_fd < 0)
		return;
	for (size_t i = 0; i < e->nxfers; i++)
		if (e->xfers[i].export_idx >= 0)
			export_close_tftp(e, &e->xfers[i]);
	for (size_t i = 0; i < e->nexports; i++)
		if (e->exports[i].fd >= 0)
			export_end(e, (int)i, true);
	if (out) {
		fprintf(out, "netboot-check: exported %zu file%s\n", e->nexports,
			e->nexports == 1 ? "" : "s");
		for (size_t i = 0; i < e->nexports; i++) {
			const struct eng_export *x = &e->exports[i];

			fprintf(out, "  #%-6llu %-4s %10llu  %s  <- %s%s\n",
				(unsigned long long)x->frame, x->proto,
				(unsigned long long)x->bytes, x->name, x->source,
				x->skipped	   ? " (not written)" :
				x->write_failed ? " (write failed)" :
				x->partial	   ? " (partial)" :
						     "");
		}
	}
	close(e->export_fd);
	e->export_fd = -1;
}

bool engine_export_to(struct nbc_engine *e, const char *dir, char *err, size_t errcap)
{
	return export_init(e, dir, err, errcap);
}

void engine_export_listing(struct nbc_engine *e, FILE *out)
{
	export_finish(e, out);
}
