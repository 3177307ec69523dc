/* rules.h: the rule catalogue: IDs, severities, summaries and fix hints. */
#ifndef NBC_CHECKER_RULES_H
#define NBC_CHECKER_RULES_H

#include "checker/model.h"

struct nbc_engine;
struct eng_client;

struct rule {
	const char *id;
	enum nbc_sev sev;	/* the usual severity; a finding may be milder */
	const char *summary;
	const char *hint;
	void (*check)(struct nbc_engine *e, struct eng_client *c, const struct rule *r);
};

const struct rule *rules_table(size_t *n);
const struct rule *rules_find(const char *id);
/* Disables a rule by ID; returns false if there is no such rule. */
bool rules_set_enabled(const char *id, bool on);

#endif
