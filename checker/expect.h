/* expect.h: the site file (--expect SITE): what a correct boot hands out at this site. */
#ifndef NBC_CHECKER_EXPECT_H
#define NBC_CHECKER_EXPECT_H

#include <stddef.h>

#include "checker/engine.h"

struct site;
/* Reads and parses a site file (proto/site.h). Returns 0, or -1 with "FILE:LINE: reason". */
int site_load(const char *path, struct site *s, char *err, size_t errcap);
/* Parses path into x. Returns 0, or -1 with "FILE:LINE: reason" in err. */
int expect_load(const char *path, struct eng_expect *x, char *err, size_t errcap);

#endif
