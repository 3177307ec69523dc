/* explain.h: the documentation page of each rule (`netboot-check explain RULE`). */
#ifndef NBC_CHECKER_EXPLAIN_H
#define NBC_CHECKER_EXPLAIN_H

#include <stddef.h>
#include <stdio.h>

/*
 * One rule's page. Text fields are prose, wrapped when printed ("\n" starts a new
 * paragraph). fix_* fields are configuration snippets printed verbatim, one line per
 * "\n", at most 76 columns a line and without blank lines; NULL where the rule has
 * nothing to change in that place.
 */
struct explain_entry {
	const char *id;
	const char *why;	/* what goes wrong for the client, and how often */
	const char *wire;	/* which packets and fields show it */
	const char *wire_filter;	/* a tshark -Y display filter that finds them */
	const char *fix;	/* what to change, whatever the server */
	const char *fix_dhcpd;	/* ISC dhcpd.conf statements (a subnet is declared or implied) */
	const char *fix_dnsmasq;	/* dnsmasq.conf lines */
	const char *fix_kea;	/* Kea: JSON members of the "Dhcp4" object */
	const char *fix_ipxe;	/* an iPXE script */
	const char *fix_pxelinux;	/* a pxelinux config file */
	const char *fix_other_label;	/* where fix_other goes: a TFTP server, a switch ... */
	const char *fix_other;
	const char *see_also;	/* related rule IDs, separated by spaces */
	const char *lint;	/* when `netboot-check lint` reports it */
};

/* Every entry, in the order of `netboot-check rules`. */
const struct explain_entry *explain_table(size_t *n);

/* The entry of a rule ID (exact, upper case), or NULL. */
const struct explain_entry *explain_find(const char *id);

/* Prints the page of a rule (traffic or lint-only) to out, wrapped at 80 columns.
 * Returns 0, or -1 when id names no rule (nothing is printed then). */
int explain_print(FILE *out, const char *id);

#endif
