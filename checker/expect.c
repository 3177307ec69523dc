/* expect.c: the site file (--expect SITE) read for analyze: what a correct boot hands out. */
#include "checker/expect.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/site.h"

#define SITE_FILE_MAX (1u << 20)	/* a site file is a few KiB; refuse anything huge */

int site_load(const char *path, struct site *s, char *err, size_t errcap)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;
	int rc;

	site_init(s);
	if (!f) {
		snprintf(err, errcap, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(SITE_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, errcap, "%s: out of memory", path);
		return -1;
	}
	n = fread(buf, 1, SITE_FILE_MAX + 1, f);
	if (ferror(f) || n > SITE_FILE_MAX) {
		snprintf(err, errcap, "%s: %s", path,
			 ferror(f) ? strerror(errno) : "larger than 1 MiB: not a site file");
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	rc = site_parse((struct view){ buf, n }, path, s, err, errcap);
	free(buf);
	return rc;
}

int expect_load(const char *path, struct eng_expect *x, char *err, size_t errcap)
{
	struct site *s = malloc(sizeof(*s));
	int rc;

	memset(x, 0, sizeof(*x));
	x->keep_san = -1;
	if (!s) {
		snprintf(err, errcap, "%s: out of memory", path);
		return -1;
	}
	rc = site_load(path, s, err, errcap);
	if (rc == 0) {
		snprintf(x->pxelinux_configfile, sizeof(x->pxelinux_configfile), "%s",
			 s->pxelinux_configfile);
		snprintf(x->pxelinux_pathprefix, sizeof(x->pxelinux_pathprefix), "%s",
			 s->pxelinux_pathprefix);
		x->keep_san = s->keep_san;
	}
	free(s);
	return rc;
}
