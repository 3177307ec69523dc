/* lint_cmd.h: the `netboot-check lint` command and its report writers. */
#ifndef NBC_LINT_LINT_CMD_H
#define NBC_LINT_LINT_CMD_H

#include <stdio.h>

#include "lint/lint.h"

/* The rules only lint or probe report (rules.c has the traffic rules; the IDs that name the
 * same fault are shared). */
struct lint_rule {
	const char *id;
	enum nbc_sev sev;
	const char *summary;
	const char *hint;
	const char *only;	/* "lint" or "probe": the command that reports it */
};
const struct lint_rule *lint_rules_table(size_t *n);
const char *lint_rule_hint(const char *id);
const struct lint_rule *lint_rule_find(const char *id);

/* Runs `netboot-check lint` (argv[0] is "lint"); returns the exit status. */
int lint_main(int argc, char **argv);

struct lint_out {
	const char *format;	/* text, gnu, github, json, junit, sarif */
	bool color;
	enum nbc_sev fail_on;	/* junit: what counts as a failure */
	const char *const *paths;	/* the configuration files checked */
	size_t files;
	size_t suppressed;	/* by inline comments */
	size_t baselined;	/* listed in the baseline (or just written to it) */
	size_t dropped;		/* past LINT_FINDINGS_MAX */
};

/* Writes findings (sorted, final) in lo->format. */
void lint_write(FILE *out, const struct lint_out *lo, const struct lint_finding *const *fs,
		size_t n);

#endif
