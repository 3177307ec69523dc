/* cli.c: the usage error every netboot-check subcommand prints the same way. */
#include "checker/cli.h"

#include <stdarg.h>
#include <stdio.h>

int cli_usage_error(const char *prefix, const char *see, const char *fmt, ...)
{
	va_list ap;

	fputs(prefix, stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (%s)\n", see);
	return 3;
}
