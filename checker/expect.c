/* expect.c: reads the site file: "key = value" lines, # comments (docs/site-file.md). */
#include "checker/expect.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

int expect_load(const char *path, struct eng_expect *x, char *err, size_t errcap)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	unsigned no = 0;

	memset(x, 0, sizeof(*x));
	x->keep_san = -1;
	if (!f) {
		snprintf(err, errcap, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *key, *val, *eq;
		size_t vlen;

		no++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errcap, "%s:%u: line longer than %zu bytes", path, no,
				 sizeof(line) - 2);
			fclose(f);
			return -1;
		}
		key = trim(line);
		if (*key == '#' || *key == '\0')
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			snprintf(err, errcap, "%s:%u: expected \"key = value\"", path, no);
			fclose(f);
			return -1;
		}
		*eq = '\0';
		val = trim(eq + 1);
		key = trim(key);
		vlen = strlen(val);
		if (vlen >= ENG_NAME_MAX) {
			snprintf(err, errcap, "%s:%u: value longer than %d bytes", path, no,
				 ENG_NAME_MAX - 1);
			fclose(f);
			return -1;
		}
		if (strcmp(key, "pxelinux.configfile") == 0) {
			memcpy(x->pxelinux_configfile, val, vlen + 1);
		} else if (strcmp(key, "pxelinux.pathprefix") == 0) {
			memcpy(x->pxelinux_pathprefix, val, vlen + 1);
		} else if (strcmp(key, "san.keep-san") == 0) {
			if (strcmp(val, "1") == 0 || strcmp(val, "yes") == 0 ||
			    strcmp(val, "true") == 0) {
				x->keep_san = 1;
			} else if (strcmp(val, "0") == 0 || strcmp(val, "no") == 0 ||
				   strcmp(val, "false") == 0) {
				x->keep_san = 0;
			} else {
				snprintf(err, errcap, "%s:%u: san.keep-san must be 1 or 0, yes or no",
					 path, no);
				fclose(f);
				return -1;
			}
		} else {
			snprintf(err, errcap, "%s:%u: unknown key \"%s\"", path, no, key);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}
