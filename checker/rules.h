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

/* The rules over the TCP half of a boot and their hints (rules_tcp.c). */
void rule_http_status(struct nbc_engine *e, struct eng_client *c, const struct rule *r);
void rule_ipxe_script(struct nbc_engine *e, struct eng_client *c, const struct rule *r);
void rule_rootpath_syntax(struct nbc_engine *e, struct eng_client *c, const struct rule *r);
void rule_iscsi_login(struct nbc_engine *e, struct eng_client *c, const struct rule *r);
void rule_iscsi_chap(struct nbc_engine *e, struct eng_client *c, const struct rule *r);
void rule_iscsi_not_bootable(struct nbc_engine *e, struct eng_client *c, const struct rule *r);
void rule_san_keep_lost(struct nbc_engine *e, struct eng_client *c, const struct rule *r);
bool rules_script_exited(const struct nbc_engine *e, const struct eng_client *c, char *msg,
			 size_t cap);
extern const char rule_hint_http_status[];
extern const char rule_hint_ipxe_script[];
extern const char rule_hint_rootpath[];
extern const char rule_hint_iscsi_login[];
extern const char rule_hint_iscsi_chap[];
extern const char rule_hint_not_bootable[];
extern const char rule_hint_keep_san[];
const struct rule *rules_find(const char *id);
/* Disables a rule by ID; returns false if there is no such rule. */
bool rules_set_enabled(const char *id, bool on);

#endif
