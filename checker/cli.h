/* cli.h: what the netboot-check subcommands share on the command line. */
#ifndef NBC_CHECKER_CLI_H
#define NBC_CHECKER_CLI_H

/* Prints "<prefix><message> (<see>)" on stderr and returns 3, the usage-error exit status. */
int cli_usage_error(const char *prefix, const char *see, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
