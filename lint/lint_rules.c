/* lint_rules.c: the rule IDs only `netboot-check lint` or `probe` report, their summaries and hints. */
#include <string.h>

#include "lint/lint_priv.h"

static const struct lint_rule table[] = {
	{ LINT_R_SYNTAX, NBC_SEV_ERROR,
	  "a configuration file the server would refuse or misread (syntax, unknown option or "
	  "keyword, a value that does not fit its type); a warning where the server only ignores it",
	  "Fix the line as the message says. Check with the server's own test mode too: `dhcpd -t "
	  "-cf FILE`, `dnsmasq --test --conf-file=FILE`, `kea-dhcp4 -t FILE`.",
	  "lint" },
	{ LINT_R_INCLUDE, NBC_SEV_ERROR,
	  "an included file (include, conf-file, conf-dir, <?include?>, pxelinux INCLUDE) cannot "
	  "be read, or includes loop",
	  "Make the path exist relative to the including file (lint resolves it there first) or "
	  "give it absolute; break include cycles.",
	  "lint" },
	{ LINT_R_UNSUPPORTED, NBC_SEV_WARNING,
	  "a construct lint cannot evaluate (an expression function, an encapsulation): what it "
	  "says about the affected clients may be wrong",
	  "Nothing to fix in the configuration if the server accepts it; suppress the finding "
	  "on that line (# netboot-check: disable=NBC-CONFIG-UNSUPPORTED) once you checked it.",
	  "lint" },
	{ "NBC-PXELINUX-NO-DEFAULT", NBC_SEV_ERROR,
	  "a pxelinux configuration has no usable automatic boot: no DEFAULT or UI (and no "
	  "ONTIMEOUT with a TIMEOUT), a DEFAULT/ONTIMEOUT naming neither a label nor a file, or a "
	  "UI menu without labels; a warning when a menu's DEFAULT names no label",
	  "Add DEFAULT <label> naming a LABEL of the config (or UI menu.c32 with labels, or "
	  "ONTIMEOUT <label> with a TIMEOUT): without it pxelinux waits at the boot: prompt.",
	  "lint" },
	{ "NBC-PROBE-NO-ANSWER", NBC_SEV_ERROR,
	  "a probe got no answer: nobody answered this kind of client, nobody offered it an "
	  "address, or the --server named stayed silent",
	  "Nobody answered this kind of client: check that a DHCP server (or proxyDHCP) serves "
	  "this segment and matches the client (option 60 PXEClient, option 93 arch, user-class "
	  "iPXE), that a relay (ip helper-address) forwards to it, and that the switch port is "
	  "forwarding (PortFast).",
	  "probe" },
};

const struct lint_rule *lint_rules_table(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}

const struct lint_rule *lint_rule_find(const char *id)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].id, id) == 0)
			return &table[i];
	return NULL;
}

const char *lint_rule_hint(const char *id)
{
	const struct lint_rule *r = lint_rule_find(id);

	return r ? r->hint : NULL;
}
