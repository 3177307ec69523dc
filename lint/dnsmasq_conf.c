/* dnsmasq_conf.c: lint's dnsmasq backend: reads dnsmasq.conf as dnsmasq does, answers for each client. */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "lint/lint.h"

/*
 * dnsmasq 2.90, the one installed here (Debian). Facts from its man page and sources
 * (option.c, rfc2131.c, dhcp-common.c, util.c), each cited where it decides something, and
 * checked against the binary: `dnsmasq --test` for every corpus file, and DISCOVERs sent to a
 * running dnsmasq in a network namespace for the answers. The main ones:
 *  - configuration is read with fgets(buff, MAXDNAME = 1025): a line longer than 1024 bytes is
 *    read as several lines, each counted in "at line N"; text after a NUL byte is lost; the
 *    first bad line stops dnsmasq ("bad option at line N of FILE");
 *  - each file is read once (dev/ino remembered), so an include cycle is no error;
 *  - a matching tagged dhcp-boot beats every untagged one, and of those that match the last in
 *    the file wins (boot_config is built by prepending, find_boot() takes the first); the
 *    same for dhcp-option (option_filter());
 *  - dhcp-boot's file goes in option 67 when the client asks for 67, else in the BOOTP file
 *    field; siaddr is dnsmasq's own address unless dhcp-boot names another;
 *  - dhcp-option is sent when the client asks for it, dhcp-option-force always;
 *  - user and vendor classes match as substrings; iPXE's bare "iPXE" in 77 matches as it is;
 *  - dhcp-hostsfile/dhcp-optsfile (and -hostsdir/-optsdir) are read by reread_dhcp() once
 *    dnsmasq runs, after the whole configuration and after it has changed to / (unless -d):
 *    each line is a dhcp-host (dhcp-option) value; a bad line or a missing file is logged and
 *    skipped, never fatal, and `dnsmasq --test` reads none of them.
 */

#define DQ_CHUNK 1024		/* fgets(buff, MAXDNAME) in read_file(): the piece dnsmasq reads */
#define DQ_DEPTH_MAX 16		/* conf-file/conf-dir nesting lint follows */
#define DQ_LINES_MAX 1000000u	/* physical lines read over all files */
#define DQ_FILES_MAX 256	/* files read for one configuration */
#define DQ_DIR_MAX 1024		/* files taken from one conf-dir */
#define DQ_BANKS_MAX 64		/* dhcp-hostsfile/-optsfile/-hostsdir/-optsdir lines followed */
#define DQ_LINE_TAGS 16		/* tags kept per line */
#define DQ_TAGNAMES_MAX 4096	/* distinct tag names */
#define DQ_HW_MAX 16		/* DHCP_CHADDR_MAX */
#define DQ_RANGES_MAX 256
#define DQ_HOSTS_MAX 4096
#define DQ_MATCHES_MAX 1024
#define DQ_TAGIFS_MAX 256
#define DQ_IGNORES_MAX 256
#define DQ_BOOTS_MAX 1024
#define DQ_OPTS_MAX 4096
#define DQ_PXE_MAX 256
#define DQ_PXEV_MAX 16
#define DQ_HOST_SCOPES_MAX 256
#define DQ_ARENA_MAX (32u << 20)

static const char hint_syntax[] =
	"Fix the line; `dnsmasq --test --conf-file=FILE` must print \"syntax check OK\" "
	"(dnsmasq stops at the first bad line and does not start).";
static const char hint_name[] =
	"Check the spelling against `dnsmasq --help` (config files take long option names "
	"without the leading --).";
static const char hint_include[] =
	"Make the path exist (dnsmasq opens it relative to its working directory; lint tries the "
	"including file's directory first) or give it absolute.";
static const char hint_bank_syntax[] =
	"Fix the line. dnsmasq reads this file only once it runs (`dnsmasq --test` does not read "
	"it); a line it cannot parse is logged and skipped, never fatal.";
static const char hint_bank_include[] =
	"Give the path absolute and make it exist: dnsmasq reads it once running, after changing "
	"to / (unless run with --no-daemon), and only logs when it cannot.";
static const char hint_unsupported[] =
	"Check by hand what this line does to the clients concerned; the rest of the answer "
	"still holds.";

/* ---------------------------------------------------------------------------------------- */
/* The long option names dnsmasq 2.90 accepts, from `dnsmasq --help`; arg: 0 takes no value
 * ("extraneous parameter"), 1 needs one ("missing parameter"), 2 either; one: may be given
 * once only ("illegal repeated keyword"). arg and one were probed with `dnsmasq --test`;
 * dhcp-lease and domain-suffix are aliases --help does not print. Sorted for bsearch. */
struct dq_optname {
	const char *name;
	unsigned char arg;
	unsigned char one;
};

static const struct dq_optname optnames[] = {
	{ "add-cpe-id", 1, 1 }, { "add-mac", 2, 0 }, { "add-subnet", 2, 1 },
	{ "addn-hosts", 1, 0 }, { "address", 1, 0 }, { "alias", 1, 0 }, { "all-servers", 0, 0 },
	{ "auth-peer", 1, 0 }, { "auth-sec-servers", 1, 0 }, { "auth-server", 1, 1 },
	{ "auth-soa", 1, 1 }, { "auth-ttl", 1, 1 }, { "auth-zone", 1, 0 },
	{ "bind-dynamic", 0, 0 }, { "bind-interfaces", 0, 0 }, { "bogus-nxdomain", 1, 0 },
	{ "bogus-priv", 0, 0 }, { "bootp-dynamic", 2, 0 }, { "bridge-interface", 1, 0 },
	{ "caa-record", 1, 0 }, { "cache-rr", 1, 0 }, { "cache-size", 2, 1 },
	{ "clear-on-reload", 0, 0 }, { "cname", 1, 0 }, { "conf-dir", 1, 0 },
	{ "conf-file", 2, 0 }, { "conf-script", 1, 0 }, { "connmark-allowlist", 1, 0 },
	{ "connmark-allowlist-enable", 2, 1 }, { "conntrack", 0, 0 },
	{ "dhcp-alternate-port", 2, 1 }, { "dhcp-authoritative", 0, 0 }, { "dhcp-boot", 1, 0 },
	{ "dhcp-broadcast", 2, 0 }, { "dhcp-circuitid", 1, 0 }, { "dhcp-client-update", 0, 0 },
	{ "dhcp-duid", 1, 1 }, { "dhcp-fqdn", 0, 0 }, { "dhcp-generate-names", 2, 0 },
	{ "dhcp-host", 1, 0 }, { "dhcp-hostsdir", 1, 0 }, { "dhcp-hostsfile", 1, 0 },
	{ "dhcp-ignore", 1, 0 }, { "dhcp-ignore-clid", 0, 0 }, { "dhcp-ignore-names", 2, 0 },
	{ "dhcp-lease", 1, 1 }, { "dhcp-lease-max", 1, 1 }, { "dhcp-leasefile", 2, 1 },
	{ "dhcp-luascript", 1, 0 }, { "dhcp-mac", 1, 0 }, { "dhcp-match", 1, 0 },
	{ "dhcp-name-match", 1, 0 }, { "dhcp-no-override", 0, 0 }, { "dhcp-option", 1, 0 },
	{ "dhcp-option-force", 1, 0 }, { "dhcp-optsdir", 1, 0 }, { "dhcp-optsfile", 1, 0 },
	{ "dhcp-proxy", 2, 0 }, { "dhcp-pxe-vendor", 1, 0 }, { "dhcp-range", 1, 0 },
	{ "dhcp-rapid-commit", 0, 0 }, { "dhcp-relay", 1, 0 }, { "dhcp-remoteid", 1, 0 },
	{ "dhcp-reply-delay", 1, 1 }, { "dhcp-script", 1, 1 }, { "dhcp-scriptuser", 1, 1 },
	{ "dhcp-sequential-ip", 0, 0 }, { "dhcp-subscrid", 1, 0 }, { "dhcp-ttl", 1, 1 },
	{ "dhcp-userclass", 1, 0 }, { "dhcp-vendorclass", 1, 0 }, { "dns-forward-max", 1, 1 },
	{ "dns-loop-detect", 0, 0 }, { "dns-rr", 1, 0 }, { "dnssec", 0, 0 },
	{ "dnssec-check-unsigned", 2, 0 }, { "dnssec-debug", 0, 0 }, { "dnssec-limits", 1, 1 },
	{ "dnssec-no-timecheck", 0, 0 }, { "dnssec-timestamp", 1, 1 }, { "domain", 1, 0 },
	{ "domain-needed", 0, 0 }, { "domain-suffix", 1, 0 }, { "dumpfile", 1, 1 },
	{ "dumpmask", 1, 1 }, { "dynamic-host", 1, 0 }, { "edns-packet-max", 1, 1 },
	{ "enable-dbus", 2, 1 }, { "enable-ra", 0, 0 }, { "enable-tftp", 2, 0 },
	{ "enable-ubus", 2, 1 }, { "except-interface", 1, 0 }, { "expand-hosts", 0, 0 },
	{ "fast-dns-retry", 2, 1 }, { "filter-A", 0, 0 }, { "filter-AAAA", 0, 0 },
	{ "filter-rr", 1, 0 }, { "filterwin2k", 0, 0 }, { "group", 2, 1 }, { "help", 0, 0 },
	{ "host-record", 1, 0 }, { "hostsdir", 1, 0 }, { "ignore-address", 1, 0 },
	{ "interface", 1, 0 }, { "interface-name", 1, 0 }, { "ipset", 1, 0 },
	{ "keep-in-foreground", 0, 0 }, { "leasefile-ro", 0, 0 }, { "listen-address", 1, 0 },
	{ "local", 1, 0 }, { "local-service", 2, 1 }, { "local-ttl", 1, 1 },
	{ "localise-queries", 0, 0 }, { "localmx", 0, 0 }, { "log-async", 2, 1 },
	{ "log-debug", 0, 0 }, { "log-dhcp", 0, 0 }, { "log-facility", 1, 1 },
	{ "log-queries", 2, 0 }, { "max-cache-ttl", 1, 1 }, { "max-port", 1, 1 },
	{ "max-tcp-connections", 1, 1 }, { "max-ttl", 1, 1 }, { "min-cache-ttl", 1, 1 },
	{ "min-port", 1, 1 }, { "mx-host", 1, 0 }, { "mx-target", 1, 1 }, { "naptr-record", 1, 0 },
	{ "neg-ttl", 1, 1 }, { "nftset", 1, 0 }, { "no-daemon", 0, 0 },
	{ "no-dhcp-interface", 1, 0 }, { "no-dhcpv4-interface", 1, 0 },
	{ "no-dhcpv6-interface", 1, 0 }, { "no-hosts", 0, 0 }, { "no-ident", 0, 0 },
	{ "no-negcache", 0, 0 }, { "no-ping", 0, 0 }, { "no-poll", 0, 0 }, { "no-resolv", 0, 0 },
	{ "no-round-robin", 0, 0 }, { "pid-file", 2, 1 }, { "port", 1, 1 }, { "port-limit", 1, 1 },
	{ "proxy-dnssec", 0, 0 }, { "ptr-record", 1, 0 }, { "pxe-prompt", 1, 0 },
	{ "pxe-service", 1, 0 }, { "query-port", 1, 1 }, { "quiet-dhcp", 0, 0 },
	{ "quiet-dhcp6", 0, 0 }, { "quiet-ra", 0, 0 }, { "quiet-tftp", 0, 0 },
	{ "ra-param", 1, 0 }, { "read-ethers", 0, 0 }, { "rebind-domain-ok", 1, 0 },
	{ "rebind-localhost-ok", 0, 0 }, { "resolv-file", 2, 0 }, { "rev-server", 1, 0 },
	{ "script-arp", 0, 0 }, { "script-on-renewal", 0, 0 }, { "selfmx", 0, 0 },
	{ "server", 1, 0 }, { "servers-file", 1, 1 }, { "shared-network", 1, 0 },
	{ "srv-host", 1, 0 }, { "stop-dns-rebind", 0, 0 }, { "strict-order", 0, 0 },
	{ "strip-mac", 0, 0 }, { "strip-subnet", 0, 0 }, { "synth-domain", 1, 0 },
	{ "tag-if", 1, 0 }, { "test", 0, 0 }, { "tftp-lowercase", 0, 0 }, { "tftp-max", 1, 1 },
	{ "tftp-mtu", 1, 1 }, { "tftp-no-blocksize", 0, 0 }, { "tftp-no-fail", 0, 0 },
	{ "tftp-port-range", 1, 1 }, { "tftp-root", 1, 0 }, { "tftp-secure", 0, 0 },
	{ "tftp-single-port", 0, 0 }, { "tftp-unique-root", 2, 0 }, { "trust-anchor", 1, 0 },
	{ "txt-record", 1, 0 }, { "umbrella", 2, 1 }, { "use-stale-cache", 2, 1 },
	{ "user", 2, 1 }, { "version", 0, 0 },
};

/* DHCPv4 option names (`dnsmasq --help dhcp`, and the internal ones dhcp-match may name) with
 * the types opttab in dhcp-common.c gives them; the flag values are dnsmasq's, so that a
 * number's size is computed as dnsmasq computes it (size & ~OT_DEC). */
#define OT_ADDR_LIST 0x8000
#define OT_RFC1035_NAME 0x4000
#define OT_INTERNAL 0x2000
#define OT_NAME 0x1000
#define OT_DEC 0x0400
#define OT_TIME 0x0200

struct dq_dhcpname {
	const char *name;
	unsigned code, size;
};

static const struct dq_dhcpname dhcpnames[] = {
	{ "netmask", 1, OT_ADDR_LIST }, { "time-offset", 2, 4 }, { "router", 3, OT_ADDR_LIST },
	{ "dns-server", 6, OT_ADDR_LIST }, { "log-server", 7, OT_ADDR_LIST },
	{ "lpr-server", 9, OT_ADDR_LIST }, { "hostname", 12, OT_INTERNAL | OT_NAME },
	{ "boot-file-size", 13, 2 | OT_DEC }, { "domain-name", 15, OT_NAME },
	{ "swap-server", 16, OT_ADDR_LIST }, { "root-path", 17, OT_NAME },
	{ "extension-path", 18, OT_NAME }, { "ip-forward-enable", 19, 1 },
	{ "non-local-source-routing", 20, 1 }, { "policy-filter", 21, OT_ADDR_LIST },
	{ "max-datagram-reassembly", 22, 2 | OT_DEC }, { "default-ttl", 23, 1 | OT_DEC },
	{ "mtu", 26, 2 | OT_DEC }, { "all-subnets-local", 27, 1 },
	{ "broadcast", 28, OT_INTERNAL | OT_ADDR_LIST }, { "router-discovery", 31, 1 },
	{ "router-solicitation", 32, OT_ADDR_LIST }, { "static-route", 33, OT_ADDR_LIST },
	{ "trailer-encapsulation", 34, 1 }, { "arp-timeout", 35, 4 | OT_DEC },
	{ "ethernet-encap", 36, 1 }, { "tcp-ttl", 37, 1 }, { "tcp-keepalive", 38, 4 | OT_DEC },
	{ "nis-domain", 40, OT_NAME }, { "nis-server", 41, OT_ADDR_LIST },
	{ "ntp-server", 42, OT_ADDR_LIST }, { "vendor-encap", 43, OT_INTERNAL },
	{ "netbios-ns", 44, OT_ADDR_LIST }, { "netbios-dd", 45, OT_ADDR_LIST },
	{ "netbios-nodetype", 46, 1 }, { "netbios-scope", 47, 0 },
	{ "x-windows-fs", 48, OT_ADDR_LIST }, { "x-windows-dm", 49, OT_ADDR_LIST },
	{ "requested-address", 50, OT_INTERNAL | OT_ADDR_LIST },
	{ "lease-time", 51, OT_INTERNAL | OT_TIME }, { "option-overload", 52, OT_INTERNAL },
	{ "message-type", 53, OT_INTERNAL | OT_DEC },
	{ "server-identifier", 54, OT_INTERNAL | OT_ADDR_LIST },
	{ "parameter-request", 55, OT_INTERNAL }, { "message", 56, OT_INTERNAL },
	{ "max-message-size", 57, OT_INTERNAL }, { "T1", 58, OT_TIME }, { "T2", 59, OT_TIME },
	{ "vendor-class", 60, 0 }, { "client-id", 61, OT_INTERNAL }, { "nis+-domain", 64, OT_NAME },
	{ "nis+-server", 65, OT_ADDR_LIST }, { "tftp-server", 66, OT_NAME },
	{ "bootfile-name", 67, OT_NAME }, { "mobile-ip-home", 68, OT_ADDR_LIST },
	{ "smtp-server", 69, OT_ADDR_LIST }, { "pop3-server", 70, OT_ADDR_LIST },
	{ "nntp-server", 71, OT_ADDR_LIST }, { "irc-server", 74, OT_ADDR_LIST },
	{ "user-class", 77, 0 }, { "rapid-commit", 80, 0 }, { "FQDN", 81, OT_INTERNAL },
	{ "agent-id", 82, OT_INTERNAL }, { "client-arch", 93, 2 | OT_DEC },
	{ "client-interface-id", 94, 0 }, { "client-machine-id", 97, 0 },
	{ "posix-timezone", 100, OT_NAME }, { "tzdb-timezone", 101, OT_NAME },
	{ "ipv6-only", 108, 4 | OT_DEC }, { "subnet-select", 118, OT_INTERNAL },
	{ "domain-search", 119, OT_RFC1035_NAME }, { "sip-server", 120, 0 },
	{ "classless-static-route", 121, 0 }, { "vendor-id-encap", 125, 0 },
	{ "tftp-server-address", 150, OT_ADDR_LIST },
	{ "server-ip-address", 255, OT_ADDR_LIST },	/* sets siaddr, never sent as an option */
};

/* DHCPv6 names (`dnsmasq --help dhcp6`, plus the internal ones): checked, not evaluated. */
static const struct dq_dhcpname dhcp6names[] = {
	{ "client-id", 1, OT_INTERNAL }, { "server-id", 2, OT_INTERNAL }, { "ia-na", 3, OT_INTERNAL },
	{ "ia-ta", 4, OT_INTERNAL }, { "iaaddr", 5, OT_INTERNAL }, { "oro", 6, OT_INTERNAL },
	{ "preference", 7, OT_INTERNAL }, { "unicast", 12, OT_INTERNAL }, { "status", 13, OT_INTERNAL },
	{ "rapid-commit", 14, OT_INTERNAL }, { "user-class", 15, OT_INTERNAL },
	{ "vendor-class", 16, OT_INTERNAL }, { "vendor-opts", 17, OT_INTERNAL },
	{ "sip-server-domain", 21, 0 }, { "sip-server", 22, OT_ADDR_LIST },
	{ "dns-server", 23, OT_ADDR_LIST }, { "domain-search", 24, 0 },
	{ "nis-server", 27, OT_ADDR_LIST }, { "nis+-server", 28, OT_ADDR_LIST },
	{ "nis-domain", 29, 0 }, { "nis+-domain", 30, 0 }, { "sntp-server", 31, OT_ADDR_LIST },
	{ "information-refresh-time", 32, 0 }, { "FQDN", 39, OT_INTERNAL },
	{ "posix-timezone", 41, 0 }, { "tzdb-timezone", 42, 0 }, { "ntp-server", 56, 0 },
	{ "bootfile-url", 59, 0 }, { "bootfile-param", 60, 0 },
};

/* pxe-service CSA names and the arch codes they stand for (option.c: x86PC = 0 ... ARM64_EFI
 * = 11, compared case-insensitively; an integer may be given instead). */
static const char *const csa_names[] = {
	"x86PC", "PC98", "IA64_EFI", "Alpha", "Arc_x86", "Intel_Lean_Client",
	"IA32_EFI", "x86-64_EFI", "Xscale_EFI", "BC_EFI", "ARM32_EFI", "ARM64_EFI",
};

/* Quoted text is "hidden" by mapping these characters to the control codes of their index,
 * so that a quoted ',' or '.' is no separator; option.c undoes it where it takes a string. */
static const char meta[] = "\000123456 \b\t\n78\r90abcdefABCDE\033F:,.";

/* ---------------------------------------------------------------------------------------- */
/* The parsed configuration. Strings and tag lists live in an arena freed at once. */

struct dq_tagref {
	unsigned short id;
	bool neg;		/* tag:!x (or the old tag:#x) */
	bool wild;		/* tag-if only: a trailing '*' */
};

struct dq_tags {
	const struct dq_tagref *v;
	unsigned n;
};

struct dq_range {
	struct lint_loc loc;
	struct dq_tags filter;	/* tag: */
	int set;		/* set: tag id, or -1 */
	bool proxy, is_static;
	uint32_t start, end;	/* host order */
};

struct dq_host {
	struct lint_loc loc;
	const char *text;
	uint8_t mac[DQ_HW_MAX];
	bool wild[DQ_HW_MAX];
	unsigned hwlen;
	int hwtype;		/* 0: any */
	bool has_mac, exact, ignore, has_addr;
	uint32_t addr;
	struct dq_tags set, filter;
};

enum dq_match_kind { DM_OPT, DM_VENDOR, DM_USER, DM_MAC, DM_NEVER };

struct dq_match {
	struct lint_loc loc;
	enum dq_match_kind kind;
	int tag;
	unsigned code;
	const uint8_t *val;
	const bool *wild;	/* DM_OPT hex values and DM_MAC: per byte */
	size_t len;
	bool hex, string;
	int hwtype;
};

struct dq_tagif {
	struct lint_loc loc;
	struct dq_tags cond, set;
};

struct dq_ignore {
	struct lint_loc loc;
	struct dq_tags tags;
};

struct dq_boot {
	struct lint_loc loc;
	struct dq_tags tags;
	const char *file, *sname, *server_name;
	bool has_server;
	uint32_t server;
};

struct dq_opt {
	struct lint_loc loc;
	struct dq_tags tags;
	unsigned code;
	bool force, vendor, encap, vi, prompt;
	unsigned encap_no;
	const char *vclass;	/* vendor:CLASS ("" matches every class) */
	const uint8_t *val;
	size_t len;
};

struct dq_pxe {
	struct lint_loc loc;
	struct dq_tags tags;
	int csa;
	unsigned type;		/* 0: local boot */
	const char *menu, *basename, *server_name;
	bool has_server;
	uint32_t server;
};

struct dq_blk {
	struct dq_blk *next;
	size_t used, cap;
	unsigned char data[];
};

struct dq {
	struct lint_ctx *c;
	const char *path;
	struct dq_blk *arena;
	size_t arena_total;

	const char *tagname[DQ_TAGNAMES_MAX];
	unsigned short tagslot[2 * DQ_TAGNAMES_MAX];	/* hash slots: id + 1, 0 empty */
	bool tag_set[DQ_TAGNAMES_MAX];
	bool tag_used[DQ_TAGNAMES_MAX];
	struct lint_loc tag_use[DQ_TAGNAMES_MAX];
	unsigned ntags;
	int known;		/* the "known" tag: dnsmasq sets it for a client a dhcp-host matches */
	struct dq_tagref never;	/* a tag nothing sets, for lines lint cannot evaluate */
	bool tags_warned;

	struct dq_range *ranges;
	struct dq_host *hosts;
	struct dq_match *matches;
	struct dq_tagif *tagifs;
	struct dq_ignore *ignores;
	struct dq_boot *boots;
	struct dq_opt *opts;
	struct dq_pxe *pxes;
	unsigned nranges, nhosts, nmatches, ntagifs, nignores, nboots, nopts, npxes;
	unsigned nbasenames;	/* pxe-service lines with a basename: their boot types */
	bool full_warned;

	const char *pxevendor[DQ_PXEV_MAX];
	unsigned npxevendor;
	bool enable_pxe, enable_tftp, no_override;
	const char *tftp_root, *tftp_if_root;
	struct lint_loc tftp_loc, tftp_if_loc;
	int port;

	unsigned scope_host[DQ_HOST_SCOPES_MAX];
	const char *scope_name[DQ_HOST_SCOPES_MAX];
	unsigned nhostscopes;
};

static void *arena_alloc(struct dq *d, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	if (n == 0 || n > DQ_ARENA_MAX || d->arena_total > DQ_ARENA_MAX - n)
		return NULL;
	if (d->arena == NULL || d->arena->cap - d->arena->used < n) {
		size_t cap = n > 65536 ? n : 65536;
		struct dq_blk *b = malloc(sizeof(*b) + cap);

		if (b == NULL)
			return NULL;
		b->next = d->arena;
		b->used = 0;
		b->cap = cap;
		d->arena = b;
	}
	void *p = d->arena->data + d->arena->used;

	d->arena->used += n;
	d->arena_total += n;
	return memset(p, 0, n);
}

static const uint8_t *arena_mem(struct dq *d, const void *src, size_t n)
{
	uint8_t *p = arena_alloc(d, n + 1);

	if (p != NULL && n != 0)
		memcpy(p, src, n);
	return p;
}

static const char *arena_str(struct dq *d, const char *s)
{
	return (const char *)arena_mem(d, s, strlen(s));
}

/* Tag names become small integers so that a client's tag set is a bit set. */
static int tag_intern(struct dq *d, const char *name)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++)
		h = (h ^ *p) * 16777619u;
	for (unsigned i = 0; i < 2 * DQ_TAGNAMES_MAX; i++) {
		unsigned short *slot = &d->tagslot[(h + i) % (2 * DQ_TAGNAMES_MAX)];

		if (*slot == 0) {
			const char *s;

			if (d->ntags == DQ_TAGNAMES_MAX || (s = arena_str(d, name)) == NULL)
				return -1;
			d->tagname[d->ntags] = s;
			*slot = (unsigned short)(d->ntags + 1);
			return (int)d->ntags++;
		}
		if (strcmp(d->tagname[*slot - 1], name) == 0)
			return *slot - 1;
	}
	return -1;
}

struct tagset {
	uint64_t w[DQ_TAGNAMES_MAX / 64];
};

static bool ts_has(const struct tagset *s, unsigned id)
{
	return (s->w[id / 64] >> (id % 64)) & 1u;
}

static void ts_add(struct tagset *s, int id)
{
	if (id >= 0 && id < DQ_TAGNAMES_MAX)
		s->w[id / 64] |= (uint64_t)1 << (id % 64);
}

/* ---------------------------------------------------------------------------------------- */
/* Reading. */

struct dq_fileid {
	dev_t dev;
	ino_t ino;
};

/* A dhcp-hostsfile, dhcp-optsfile, dhcp-hostsdir or dhcp-optsdir line, read once the whole
 * configuration has been (reread_dhcp()). */
struct dq_bank {
	const char *opt;	/* the option's name */
	const char *name;	/* the path as given */
	const char *file, *dir;	/* the file naming it and that file's directory */
	unsigned phys, col, vcol, dqline, depth;
	bool hosts;		/* dhcp-host lines (else dhcp-option lines) */
	bool dynamic;		/* -hostsdir/-optsdir: a directory dnsmasq watches with inotify */
};

struct dq_parser {
	struct lint_ctx *c;
	struct dq *d;
	const char *bank;	/* reading a hosts or options file: its lines' option, else NULL */
	struct dq_bank banks[DQ_BANKS_MAX];
	unsigned nbanks;
	bool banks_warned;
	struct dq_fileid seen[DQ_FILES_MAX];
	unsigned nseen;
	struct dq_fileid stack[DQ_DEPTH_MAX + 2];
	unsigned nstack;
	unsigned long lines;
	bool lines_warned, files_warned;
	bool used_once[sizeof(optnames) / sizeof(optnames[0])];
	unsigned line_errors;	/* errors on the current physical line: only the first is kept */
};

/* One line as dnsmasq reads it (a piece of at most DQ_CHUNK bytes of a physical line). */
struct dq_line {
	struct dq_parser *ps;
	const char *file;	/* interned */
	const char *dir;	/* directory of file, for relative includes */
	unsigned phys, col, vcol;	/* physical line, column of the name and of the value */
	unsigned dqline;	/* the line number dnsmasq would print */
	unsigned depth;
	const char *name;
	const char *bank;	/* a line of a hosts/options file: "dhcp-host" or "dhcp-option" */
};

struct tagbuf {
	struct dq_tagref v[DQ_LINE_TAGS];
	unsigned n;
	bool over;
};

static struct lint_loc line_loc(const struct dq_line *l, bool at_value)
{
	return (struct lint_loc){ l->file, l->phys, at_value ? l->vcol : l->col };
}

static void note(const struct dq_line *l, bool at_value, const char *rule, enum nbc_sev sev,
		 const char *hint, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void note(const struct dq_line *l, bool at_value, const char *rule, enum nbc_sev sev,
		 const char *hint, const char *fmt, ...)
{
	char msg[NBC_MSG_MAX];
	va_list ap;

	if (sev == NBC_SEV_ERROR && l->ps->line_errors++ > 0)
		return;
	if (l->bank != NULL && hint == hint_syntax)
		hint = hint_bank_syntax;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lint_add(l->ps->c, rule, sev, line_loc(l, at_value), hint, "%s", msg);
}

/* A line dnsmasq refuses: why, in its own words as `dnsmasq --test` prints them. */
static void refuse(const struct dq_line *l, bool at_value, const char *dnsmasq_says,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void refuse(const struct dq_line *l, bool at_value, const char *dnsmasq_says,
		   const char *fmt, ...)
{
	char msg[NBC_MSG_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (l->bank != NULL) {
		/* read_file() with a hard_opt: my_syslog(LOG_ERR) and the next line, not die() */
		if (l->ps->line_errors++ > 0)
			return;
		lint_add(l->ps->c, LINT_R_SYNTAX, NBC_SEV_WARNING, line_loc(l, at_value),
			 hint_bank_syntax,
			 "%s: dnsmasq skips this %s (it logs \"%s at line %u\" and runs without it)",
			 msg, l->bank, dnsmasq_says, l->dqline);
		return;
	}
	note(l, at_value, LINT_R_SYNTAX, NBC_SEV_ERROR,
	     strcmp(dnsmasq_says, "bad option") == 0 ? hint_name : hint_syntax,
	     "%s: dnsmasq refuses it (\"%s at line %u\")", msg, dnsmasq_says, l->dqline);
}

static char hide(char c)
{
	for (unsigned i = 0; i < sizeof(meta) - 1; i++)
		if (c == meta[i])
			return (char)i;
	return c;
}

static void unhide(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < sizeof(meta) - 1)
			*s = meta[(unsigned char)*s];
}

/* option.c split_chr(): cuts s at its first ch, drops the spaces around the cut and returns
 * what follows (NULL without ch). */
static char *split_at(char *s, char ch)
{
	char *c;

	if (s == NULL || (c = strchr(s, ch)) == NULL)
		return NULL;
	size_t i = (size_t)(c - s);

	*c = ' ';
	while (*c == ' ')
		c++;
	while (s[i] == ' ') {
		s[i] = '\0';
		if (i-- == 0)
			break;
	}
	return c;
}

static char *split(char *s)
{
	return split_at(s, ',');
}

static bool has_prefix(const char *s, const char *pfx)
{
	return strncmp(s, pfx, strlen(pfx)) == 0;
}

/* "tag:" or the old "net:" (option.c is_tag_prefix). */
static bool is_tag_prefix(const char *s)
{
	return s != NULL && (has_prefix(s, "net:") || has_prefix(s, "tag:"));
}

static const char *set_prefix(const char *s)
{
	return has_prefix(s, "set:") ? s + 4 : s;
}

/* option.c numeric_check(): digits only; the empty string passes (and atoi gives 0). */
static bool all_digits(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static bool atoi_check(char *s, int *v)
{
	unhide(s);
	if (!all_digits(s))
		return false;
	long x = strtol(s, NULL, 10);

	*v = x > INT32_MAX ? INT32_MAX : (int)x;
	return true;
}

/* Adds a tag to the line's list; a match (tag:) remembers where it was first used, a set:
 * that the tag can be set. */
static void tb_add(struct dq_line *l, struct tagbuf *b, char *name, bool check, bool wild_ok)
{
	struct dq *d = l->ps->d;
	struct dq_tagref r = { 0 };

	unhide(name);
	if (check && (name[0] == '!' || name[0] == '#')) {
		r.neg = true;
		name++;
	}
	size_t n = strlen(name);

	r.wild = wild_ok && n > 0 && name[n - 1] == '*';
	if (b->n == DQ_LINE_TAGS) {
		if (!b->over)
			note(l, true, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, hint_unsupported,
			     "more than %d tags on one line: lint does not evaluate the line",
			     DQ_LINE_TAGS);
		b->over = true;
		return;
	}
	int id = tag_intern(d, name);

	if (id < 0) {
		if (!b->over && !d->tags_warned)
			note(l, true, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, hint_unsupported,
			     "more than %d tag names: lint does not evaluate lines with more",
			     DQ_TAGNAMES_MAX);
		d->tags_warned = b->over = true;
		return;
	}
	r.id = (unsigned short)id;
	if (!check)
		d->tag_set[id] = true;
	else if (!r.wild && !d->tag_used[id]) {
		d->tag_used[id] = true;
		d->tag_use[id] = line_loc(l, true);
	}
	b->v[b->n++] = r;
}

/* A line whose tags lint could not all keep matches nobody (rather than everybody). */
static struct dq_tags tb_commit(struct dq *d, const struct tagbuf *b)
{
	struct dq_tags t = { NULL, 0 };
	struct dq_tagref *v;

	if (b->over) {
		t.v = &d->never;
		t.n = 1;
		return t;
	}
	if (b->n != 0 && (v = arena_alloc(d, b->n * sizeof(*v))) != NULL) {
		memcpy(v, b->v, b->n * sizeof(*v));
		t.v = v;
		t.n = b->n;
	}
	return t;
}

/* A set: tag (dhcp-range, dhcp-host, dhcp-match, dhcp-userclass...): its id, or -1. */
static int set_tag(struct dq_line *l, char *name)
{
	unhide(name);
	int id = tag_intern(l->ps->d, name);

	if (id >= 0)
		l->ps->d->tag_set[id] = true;
	return id;
}

/* Room for one more entry of a kind; a warning once when a limit is reached. */
static bool room(struct dq_line *l, unsigned n, unsigned max, const char *what)
{
	if (n < max)
		return true;
	if (!l->ps->d->full_warned)
		note(l, false, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, hint_unsupported,
		     "more than %u %s lines: lint does not evaluate the rest", max, what);
	l->ps->d->full_warned = true;
	return false;
}

/* util.c parse_hex(): hex bytes separated by ':', '-' or ' ', "*" for any byte, more than
 * two digits in a row read as several bytes, and with mac_type a leading "N-" read as the
 * hardware type. -1 for anything else. */
static int parse_hex(char *in, uint8_t *out, bool *wild, int maxlen, int *mac_type)
{
	int i = 0;
	bool done = false, want_type = mac_type != NULL;

	if (mac_type != NULL)
		*mac_type = 0;
	while (!done && i < maxlen) {
		char *r = in;

		for (; *r != '\0' && *r != ':' && *r != '-' && *r != ' '; r++)
			if (*r != '*' && !isxdigit((unsigned char)*r))
				return -1;
		if (*r == '\0')
			done = true;
		if (r != in && *r == '-' && i == 0 && want_type) {
			*r = '\0';
			*mac_type = (int)strtol(in, NULL, 16);
			want_type = false;
		} else if (r != in) {
			*r = '\0';
			if (strcmp(in, "*") == 0) {
				wild[i] = true;
				out[i++] = 0;
			} else if (strchr(in, '*') != NULL) {
				return -1;	/* '*' mixed with digits */
			} else {
				for (size_t j = 0; in[j] != '\0' && i < maxlen; j += 2) {
					char two[3] = { in[j], in[j + 1], '\0' };

					wild[i] = false;
					out[i++] = (uint8_t)strtol(two, NULL, 16);
					if (in[j + 1] == '\0')
						break;
				}
			}
		}
		in = r + 1;
	}
	return i;
}

static void read_conf(struct dq_parser *ps, const char *path, const struct dq_line *from);

/* conf-file: relative names are tried against the including file's directory first, then as
 * given (dnsmasq itself opens them relative to its working directory). */
static void resolve(const struct dq_line *l, const char *name, char *out, size_t cap)
{
	struct stat st;

	if (name[0] != '/' && l->dir[0] != '\0') {
		int n = snprintf(out, cap, "%s/%s", l->dir, name);

		if (n > 0 && (size_t)n < cap && stat(out, &st) == 0)
			return;
	}
	snprintf(out, cap, "%s", name);
}

static void opt_conf_file(struct dq_line *l, char *arg)
{
	char path[PATH_MAX];

	if (arg == NULL)
		return;
	unhide(arg);
	if (arg[0] == '\0')
		return;		/* opt_string_alloc("") is NULL: nothing is read */
	resolve(l, arg, path, sizeof(path));
	read_conf(l->ps, path, l);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names option.c (conf-dir, expand_filelist()) and inotify.c pass over in a directory: dot
 * files, emacs backups ("...~") and "#...#" files. */
static bool dir_skips(const char *nm)
{
	size_t len = strlen(nm);

	return len == 0 || nm[0] == '.' || nm[len - 1] == '~' || (nm[0] == '#' && nm[len - 1] == '#');
}

static bool suffix_is(const char *name, const char *sfx)
{
	size_t n = strlen(name), s = strlen(sfx);

	return n > s && strcmp(name + n - s, sfx) == 0;
}

/* conf-dir=DIR[,.ext...][,*.ext...]: option.c reads the regular files of DIR in strcmp order,
 * skipping dot files, "~" backups, "#...#" files, names ending in an excluded extension, and,
 * when "*.ext" is given, every name that ends in none of those. */
static void opt_conf_dir(struct dq_line *l, char *arg)
{
	char *rest = split(arg), dir[PATH_MAX], *ign[DQ_LINE_TAGS], *want[DQ_LINE_TAGS];
	unsigned ni = 0, nw = 0;

	unhide(arg);
	if (arg[0] == '\0')
		return;
	while (rest != NULL) {
		char *s = rest;

		rest = split(s);
		unhide(s);
		if (s[0] == '\0' || strcmp(s, "*") == 0)
			continue;
		if (s[0] == '*' && nw < DQ_LINE_TAGS)
			want[nw++] = s + 1;
		else if (s[0] != '*' && ni < DQ_LINE_TAGS)
			ign[ni++] = s;
	}
	resolve(l, arg, dir, sizeof(dir));
	DIR *ds = opendir(dir);

	if (ds == NULL) {
		note(l, true, LINT_R_INCLUDE, NBC_SEV_ERROR, hint_include,
		     "conf-dir %.200s cannot be read: %s (dnsmasq: \"cannot access directory\")",
		     dir, strerror(errno));
		return;
	}
	char **names = calloc(DQ_DIR_MAX, sizeof(*names));
	unsigned n = 0;
	struct dirent *e;

	while (names != NULL && (e = readdir(ds)) != NULL) {
		const char *nm = e->d_name;
		bool wanted = nw == 0;

		for (unsigned k = 0; k < nw; k++)
			if (suffix_is(nm, want[k]))
				wanted = true;
		for (unsigned k = 0; k < ni; k++)
			if (suffix_is(nm, ign[k]))
				wanted = false;
		if (dir_skips(nm) || !wanted)
			continue;
		if (n == DQ_DIR_MAX) {
			note(l, true, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, hint_unsupported,
			     "conf-dir %.200s holds more than %d files: lint reads the first %d",
			     dir, DQ_DIR_MAX, DQ_DIR_MAX);
			break;
		}
		char full[PATH_MAX];
		struct stat st;
		int w = snprintf(full, sizeof(full), "%s/%s", dir, nm);

		if (w < 0 || (size_t)w >= sizeof(full))
			continue;
		if (stat(full, &st) != 0) {
			note(l, true, LINT_R_INCLUDE, NBC_SEV_ERROR, hint_include,
			     "%.200s in conf-dir cannot be read: %s (dnsmasq: \"cannot access\")",
			     full, strerror(errno));
			continue;
		}
		if (S_ISREG(st.st_mode) && (names[n] = strdup(full)) != NULL)
			n++;
	}
	closedir(ds);
	if (names == NULL)
		return;
	qsort(names, n, sizeof(*names), cmp_str);
	for (unsigned k = 0; k < n; k++) {
		read_conf(l->ps, names[k], l);
		free(names[k]);
	}
	free(names);
}

/* dhcp-hostsfile=PATH, dhcp-optsfile=PATH, dhcp-hostsdir=DIR, dhcp-optsdir=DIR: one_opt()
 * only remembers the name (opt_string_alloc(): the whole value, "" giving NULL); the files
 * are read once the whole configuration has been (read_banks()). */
static void opt_bank(struct dq_line *l, const char *name, char *arg)
{
	struct dq_parser *ps = l->ps;
	bool hosts = strstr(name, "hosts") != NULL, dynamic = strstr(name, "dir") != NULL;
	const char *opt = hosts ? (dynamic ? "dhcp-hostsdir" : "dhcp-hostsfile") :
		(dynamic ? "dhcp-optsdir" : "dhcp-optsfile");
	struct dq_bank *b;

	unhide(arg);
	if (arg[0] == '\0') {
		note(l, false, LINT_R_INCLUDE, NBC_SEV_WARNING, hint_bank_include,
		     "%s names no file: dnsmasq reads nothing (it logs \"%s (null): Bad address\")",
		     opt, dynamic ? "bad dynamic directory" : "cannot read");
		return;
	}
	if (ps->nbanks == DQ_BANKS_MAX) {
		if (!ps->banks_warned)
			note(l, true, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, hint_unsupported,
			     "more than %d hosts and options files named: lint does not read %.200s",
			     DQ_BANKS_MAX, arg);
		ps->banks_warned = true;
		return;
	}
	b = &ps->banks[ps->nbanks];
	b->opt = opt;
	b->name = arena_str(ps->d, arg);
	b->dir = arena_str(ps->d, l->dir);
	if (b->name == NULL || b->dir == NULL)
		return;
	b->file = l->file;
	b->phys = l->phys;
	b->col = l->col;
	b->vcol = l->vcol;
	b->dqline = l->dqline;
	b->depth = l->depth;
	b->hosts = hosts;
	b->dynamic = dynamic;
	ps->nbanks++;
}

static bool in6_same_net(const uint8_t *a, const uint8_t *b, int prefix)
{
	for (int i = 0; i < prefix; i++)
		if (((a[i / 8] ^ b[i / 8]) >> (7 - i % 8)) & 1)
			return false;
	return true;
}

/* A lease time as option.c takes it: digits with an optional w/d/h/m/s, "infinite" or (IPv6)
 * "deprecated". */
static bool lease_ok(char *s)
{
	size_t n = strlen(s);

	if (strcmp(s, "infinite") == 0 || strcmp(s, "deprecated") == 0 || n == 0)
		return true;
	if (strchr("wWdDhHmMsS", s[n - 1]) != NULL)
		s[n - 1] = '\0';
	return all_digits(s);
}

/* dhcp-range=[tag:T,...][set:T,]START,END|proxy|static[,NETMASK[,BROADCAST]][,LEASE] */
static void opt_range(struct dq_line *l, char *arg)
{
	struct dq *d = l->ps->d;
	struct dq_range r = { .loc = line_loc(l, false), .set = -1 };
	struct tagbuf tb = { .n = 0 };
	char *a[8] = { 0 }, *comma;
	bool has_set = false;
	int k;

	/* A field with a character no address has, followed by more, is a tag (option.c). */
	for (;;) {
		char *cp = arg;

		while (*cp != '\0' && (strchr(" .:", *cp) != NULL || isxdigit((unsigned char)*cp)))
			cp++;
		if (*cp != ',' && (comma = split(arg)) != NULL) {
			if (is_tag_prefix(arg)) {
				if (arg[4] != '\0')
					tb_add(l, &tb, arg + 4, true, false);
			} else if (has_set) {
				refuse(l, true, "only one tag allowed",
				       "dhcp-range sets more than one tag (%.64s)", arg);
				return;
			} else {
				has_set = true;
				r.set = set_tag(l, (char *)set_prefix(arg));
			}
			arg = comma;
		} else {
			a[0] = arg;
			break;
		}
	}
	for (k = 1; k < 8; k++)
		if ((a[k] = split(a[k - 1])) == NULL)
			break;
	if (k < 2) {
		refuse(l, true, "bad dhcp-range", "dhcp-range needs START,END (or START,proxy)");
		return;
	}
	struct in_addr s4, e4, m4, b4;
	uint8_t s6[16], e6[16];
	int leasepos = 2;

	if (inet_pton(AF_INET, a[0], &s4) == 1) {
		e4 = s4;
		if (strcmp(a[1], "static") == 0)
			r.is_static = true;
		else if (strcmp(a[1], "proxy") == 0)
			r.proxy = true;
		else if (inet_pton(AF_INET, a[1], &e4) != 1) {
			refuse(l, true, "bad dhcp-range", "the range end \"%.64s\" is no IPv4 address",
			       a[1]);
			return;
		}
		r.start = ntohl(s4.s_addr);
		r.end = ntohl(e4.s_addr);
		if (r.start > r.end) {
			uint32_t t = r.start;

			r.start = r.end;
			r.end = t;
		}
		if (k >= 3 && strchr(a[2], '.') && inet_pton(AF_INET, a[2], &m4) == 1) {
			leasepos = 3;
			if (((r.start ^ r.end) & ntohl(m4.s_addr)) != 0) {
				refuse(l, true, "inconsistent DHCP range",
				       "the range ends are not in one subnet of netmask %.64s", a[2]);
				return;
			}
			if (k >= 4 && strchr(a[3], '.') && inet_pton(AF_INET, a[3], &b4) == 1)
				leasepos = 4;
		}
	} else if (inet_pton(AF_INET6, a[0], s6) == 1) {
		/* DHCPv6 is outside what lint evaluates; only what makes dnsmasq refuse it. */
		bool ra = false, tmpl = false;
		int prefix = 64;

		memcpy(e6, s6, sizeof(e6));
		for (leasepos = 1; leasepos < k; leasepos++) {
			const char *f = a[leasepos];

			if (strcmp(f, "static") == 0 || strcmp(f, "off-link") == 0)
				continue;
			if (strcmp(f, "ra-only") == 0 || strcmp(f, "slaac") == 0 ||
			    strcmp(f, "ra-names") == 0 || strcmp(f, "ra-advrouter") == 0 ||
			    strcmp(f, "ra-stateless") == 0)
				ra = true;
			else if (leasepos == 1 && inet_pton(AF_INET6, f, e6) == 1)
				continue;
			else if (has_prefix(f, "constructor:"))
				tmpl = true;
			else
				break;
		}
		if (leasepos < k && all_digits(a[leasepos]) && strtol(a[leasepos], NULL, 10) <= 128) {
			prefix = (int)strtol(a[leasepos], NULL, 10);
			leasepos++;
		}
		const char *err = NULL;

		if (prefix > 64 && ra)
			err = "prefix length must be exactly 64 for RA subnets";
		else if (prefix > 64 && tmpl)
			err = "prefix length must be exactly 64 for subnet constructors";
		else if (prefix < 64)
			err = "prefix length must be at least 64";
		else if (!in6_same_net(s6, e6, prefix))
			err = "inconsistent DHCPv6 range";
		if (err != NULL) {
			refuse(l, true, err, "bad DHCPv6 range");
			return;
		}
	} else {
		refuse(l, true, "bad dhcp-range", "the range start \"%.64s\" is no address", a[0]);
		return;
	}
	if (leasepos < k && (leasepos != k - 1 || !lease_ok(a[leasepos]))) {
		refuse(l, true, "bad dhcp-range", "\"%.64s\" is no lease time (or too many fields)",
		       a[leasepos]);
		return;
	}
	if (strchr(a[0], ':') != NULL || !room(l, d->nranges, DQ_RANGES_MAX, "dhcp-range"))
		return;
	r.filter = tb_commit(d, &tb);
	d->ranges[d->nranges++] = r;
}

/* util.c legal_hostname() after canonicalise(): not empty (nor "."), no control characters,
 * labels of at most 63, and a first label of letters, digits, '-' and '_' that does not start
 * with '-' or '_'. */
static bool legal_hostname(const char *s)
{
	size_t label = 0, n = strlen(s);

	/* canonicalise() drops one trailing dot; nothing may be left empty */
	if (n > 255 || n == 0 || strcmp(s, ".") == 0)
		return false;
	for (const char *p = s; *p != '\0'; p++) {
		if (iscntrl((unsigned char)*p))
			return false;
		label = *p == '.' ? 0 : label + 1;
		if (label > 63)
			return false;
	}
	for (const char *p = s; *p != '\0' && *p != '.'; p++) {
		unsigned char ch = (unsigned char)*p;

		if (!isalnum(ch) && (p == s || (ch != '-' && ch != '_')))
			return false;
	}
	return true;
}

/* What a dhcp-host field that is neither a MAC, an id:, a tag nor an address is: option.c
 * tries a lease time (digits, then w/d/h/m/s), "infinite", "ignore", then a host name. */
static void host_word(struct dq_line *l, struct dq_host *h, char *arg, bool *bad)
{
	size_t n = strlen(arg);
	char saved = 0, *cp;
	bool tail;

	if (n > 1 && strchr("wWdDhHmMsS", arg[n - 1]) != NULL) {
		saved = arg[n - 1];
		arg[n - 1] = '\0';
	}
	for (cp = arg; *cp != '\0'; cp++)
		if (!isdigit((unsigned char)*cp) && *cp != ' ')
			break;
	tail = *cp == '\0';
	if (saved != 0)
		arg[n - 1] = saved;
	if (tail)
		return;		/* a lease time, or nothing at all */
	if (strcmp(arg, "infinite") == 0)
		return;
	if (strcmp(arg, "ignore") == 0) {
		h->ignore = true;
		return;
	}
	unhide(arg);
	if (!legal_hostname(arg)) {
		refuse(l, true, "bad DHCP host name", "\"%.64s\" is no host name", arg);
		*bad = true;
		return;
	}
	if (n == 17 && arg[2] == '-' && arg[5] == '-' && arg[14] == '-')
		note(l, true, LINT_R_SYNTAX, NBC_SEV_WARNING, hint_syntax,
		     "\"%s\" looks like a MAC address with dashes: dnsmasq takes it as a host name, "
		     "so the line matches no MAC (write it with ':')",
		     arg);
}

/* dhcp-host=[MAC...][,id:CLID][,set:T][,tag:T][,ADDR][,NAME][,LEASE][,ignore] */
static void opt_host(struct dq_line *l, char *arg, const char *text)
{
	struct dq *d = l->ps->d;
	struct dq_host h = { .loc = line_loc(l, false) };
	struct tagbuf set = { .n = 0 }, filt = { .n = 0 };
	bool bad = false;

	while (arg != NULL && !bad) {
		char *comma = split(arg);
		struct in_addr in;

		if (strchr(arg, ':') != NULL) {
			if (strncasecmp(arg, "id:", 3) == 0) {
				uint8_t tmp[256];
				bool w[256];

				if (arg[3] != '*' && strchr(arg + 3, ':') != NULL &&
				    parse_hex(arg + 3, tmp, w, (int)sizeof(tmp), NULL) < 0) {
					refuse(l, true, "bad hex constant",
					       "the client id in \"%.64s\" is not hex", arg);
					return;
				}
			} else if (has_prefix(arg, "net:") || has_prefix(arg, "set:")) {
				tb_add(l, &set, arg + 4, false, false);
			} else if (has_prefix(arg, "tag:")) {
				tb_add(l, &filt, arg + 4, true, false);
			} else if (arg[0] == '[') {
				char *end = strchr(arg, ']'), *pf;
				uint8_t a6[16];

				if (end != NULL)
					*end = '\0';
				if ((pf = strchr(arg, '/')) != NULL)
					*pf = '\0';
				if (inet_pton(AF_INET6, arg + 1, a6) != 1) {
					refuse(l, true, "bad IPv6 address", "\"%.64s\" is no IPv6 address",
					       arg + 1);
					return;
				}
			} else {
				int n = parse_hex(arg, h.mac, h.wild, DQ_HW_MAX, &h.hwtype);

				if (n < 0) {
					refuse(l, true, "bad hex constant",
					       "\"%.64s\" is no hardware address", arg);
					return;
				}
				h.hwlen = (unsigned)n;
				h.has_mac = true;
				h.exact = n == 6 && (h.hwtype == 0 || h.hwtype == 1);
				for (int i = 0; i < n; i++)
					if (h.wild[i])
						h.exact = false;
			}
		} else if (strchr(arg, '.') != NULL && inet_pton(AF_INET, arg, &in) == 1) {
			uint32_t a = ntohl(in.s_addr);

			/* The same address in two dhcp-host lines: option.c refuses the second. */
			for (unsigned i = 0; i < d->nhosts; i++)
				if (d->hosts[i].has_addr && d->hosts[i].addr == a) {
					const struct lint_loc *at = &d->hosts[i].loc;

					if (at->file == l->file)
						refuse(l, true, "duplicate dhcp-host IP address",
						       "%.64s is given to the dhcp-host at line %u too",
						       arg, at->line);
					else
						refuse(l, true, "duplicate dhcp-host IP address",
						       "%.64s is given to the dhcp-host at %.200s:%u too",
						       arg, at->file, at->line);
					return;
				}
			h.has_addr = true;
			h.addr = a;
		} else {
			host_word(l, &h, arg, &bad);
		}
		arg = comma;
	}
	if (bad || !room(l, d->nhosts, DQ_HOSTS_MAX, "dhcp-host"))
		return;
	h.set = tb_commit(d, &set);
	h.filter = tb_commit(d, &filt);
	h.text = arena_str(d, text);
	d->hosts[d->nhosts++] = h;
}

static const struct dq_dhcpname *dhcp_lookup(const struct dq_dhcpname *t, size_t n,
					     const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(t[i].name, name) == 0)	/* lookup_dhcp_opt() */
			return &t[i];
	return NULL;
}

static unsigned dhcp_size(const struct dq_dhcpname *t, size_t n, unsigned code)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].size & ~(unsigned)OT_DEC;	/* lookup_dhcp_len() */
	return 0;
}

/* Each comma-separated value an IPv6 address ([...] allowed), as option.c wants it. */
static bool addrs6_ok(char *s)
{
	while (s != NULL) {
		char *next = split(s);
		size_t n = strlen(s);
		uint8_t a6[16];

		if (s[0] == '[')
			s++, n--;
		if (n > 1 && s[n - 1] == ']')
			s[n - 1] = '\0';
		if (inet_pton(AF_INET6, s, a6) != 1)
			return false;
		s = next;
	}
	return true;
}

enum { PO_OPT, PO_FORCE, PO_MATCH };

/* A value of a dhcp-option (or dhcp-match) as parse_dhcp_opt() encodes it. */
struct optval {
	uint8_t b[256];
	bool wild[256];
	size_t len;
	bool hex, string, too_big;
};

/* dotted quads (with /N descriptors), option.c: "bad IPv4 address" if one is not. */
static bool enc_addrs(char *s, unsigned code, struct optval *v, char **bad)
{
	if (code == 120)
		v->b[v->len++] = 1;	/* RFC 3361 enc byte */
	while (s != NULL) {
		char *next = split(s), *slash = split_at(s, '/');
		struct in_addr in;

		if (inet_pton(AF_INET, s, &in) != 1) {
			*bad = s;
			return false;
		}
		uint8_t q[4];

		memcpy(q, &in, 4);
		if (v->len + 5 > sizeof(v->b)) {
			v->too_big = true;
			return true;
		}
		if (slash == NULL) {
			memcpy(v->b + v->len, q, 4);
			v->len += 4;
		} else {
			long bits = strtol(slash, NULL, 10);

			v->b[v->len++] = (uint8_t)bits;
			for (int i = 0; i < 4 && bits > 8 * i; i++)
				v->b[v->len++] = q[i];
		}
		s = next;
	}
	return true;
}

/* RFC 1035 names for domain-search (119) and sip-server (120), uncompressed. */
static void enc_names(char *s, unsigned code, struct optval *v)
{
	if (code == 120)
		v->b[v->len++] = 0;
	while (s != NULL && *s != '\0') {
		char *next = split(s);

		unhide(s);
		for (char *lab = s; *lab != '\0' && strcmp(s, ".") != 0;) {
			size_t n = strcspn(lab, ".");

			if (v->len + n + 2 > sizeof(v->b)) {
				v->too_big = true;
				return;
			}
			v->b[v->len++] = (uint8_t)n;
			memcpy(v->b + v->len, lab, n);
			v->len += n;
			lab += n;
			if (*lab == '.')
				lab++;
		}
		if (v->len + 1 > sizeof(v->b)) {
			v->too_big = true;
			return;
		}
		v->b[v->len++] = 0;
		s = next;
	}
}

/*
 * dhcp-option[-force]=[tag:T,...][encap:N,|vi-encap:N,|vendor:CLASS,][option:]CODE|NAME[,VALUE]
 * and dhcp-match=set:T,[vi-encap:N,|option:]CODE|NAME[,VALUE] as parse_dhcp_opt() reads them:
 * anything before the code that is no keyword is a tag; the value is an IPv4 address list if
 * the option is known to take one, a number if it is all digits (sized by the option, else by
 * its value), hex if it has ':' between hex pairs, text otherwise.
 */
static void opt_dhcp(struct dq_line *l, char *arg, int kind)
{
	struct dq *d = l->ps->d;
	struct tagbuf tb = { .n = 0 };
	struct dq_opt o = { .loc = line_loc(l, false) };
	const char *what = kind == PO_MATCH ? "dhcp-match" : "dhcp-option";
	char *comma = NULL, *optname = NULL;
	unsigned size = 0;
	bool ok = false, is6 = false, vi_match = false;
	long code = 0, encap_raw = 0;

	while (arg != NULL) {
		comma = split(arg);
		if (all_digits(arg)) {
			code = strtol(arg, NULL, 10);
			ok = true;
			break;
		}
		if (has_prefix(arg, "option:") || has_prefix(arg, "option6:")) {
			const struct dq_dhcpname *n;

			is6 = has_prefix(arg, "option6:");
			optname = arg + (is6 ? 8 : 7);
			unhide(optname);
			if (is6 && all_digits(optname)) {
				code = strtol(optname, NULL, 10);
				ok = true;
			} else if ((n = is6 ? dhcp_lookup(dhcp6names, sizeof(dhcp6names) /
								sizeof(dhcp6names[0]), optname)
					    : dhcp_lookup(dhcpnames, sizeof(dhcpnames) /
								sizeof(dhcpnames[0]), optname))
				   != NULL) {
				code = n->code;
				size = n->size & ~(unsigned)OT_DEC;
				/* option:NAME of an internal option: only for dhcp-match */
				ok = !(n->size & OT_INTERNAL) || kind == PO_MATCH;
			}
			break;
		}
		if (has_prefix(arg, "vendor:")) {
			unhide(arg);
			o.vendor = true;
			o.vclass = arena_str(d, arg + 7);
			if (o.encap || kind == PO_MATCH) {
				refuse(l, true, "inappropriate vendor:", "vendor: does not go here");
				return;
			}
		} else if (has_prefix(arg, "encap:")) {
			encap_raw = strtol(arg + 6, NULL, 10);
			o.encap = true;
			o.encap_no = encap_raw < 0 || encap_raw > 255 ? 256 : (unsigned)encap_raw;
			if (o.vendor || kind == PO_MATCH) {
				refuse(l, true, "inappropriate encap:", "encap: does not go here");
				return;
			}
		} else if (has_prefix(arg, "vi-encap:")) {
			o.vi = true;	/* RFC 3925 (option 125): the profiles send none */
			if (kind == PO_MATCH) {
				ok = vi_match = true;
				break;
			}
		} else {
			/* "tag:", "net:" and even "set:" all name a tag to match */
			tb_add(l, &tb, (char *)(is_tag_prefix(arg) ? arg + 4 : set_prefix(arg)),
			       kind != PO_MATCH, false);
		}
		arg = comma;
	}
	if (size == 0 && is6 && !o.vi)
		size = dhcp_size(dhcp6names, sizeof(dhcp6names) / sizeof(dhcp6names[0]),
				 (unsigned)code);
	else if (size == 0 && !o.vendor && !o.encap && !o.vi)
		size = dhcp_size(dhcpnames, sizeof(dhcpnames) / sizeof(dhcpnames[0]), (unsigned)code);
	if (!ok) {
		if (optname != NULL)
			refuse(l, true, "bad dhcp-option", "%s: unknown option name \"%.64s\"", what,
			       optname);
		else
			refuse(l, true, "bad dhcp-option", "%s: no option code or option:NAME", what);
		return;
	}

	struct optval v;

	memset(&v, 0, sizeof(v));
	if (is6 && (o.vendor || o.encap)) {
		refuse(l, true, "unsupported encapsulation for IPv6 option", "%s: option6 with %s",
		       what, o.vendor ? "vendor:" : "encap:");
		return;
	}
	if (comma != NULL && !vi_match) {
		bool is_addr = true, is_hex = true, is_dec = true, dig = false;
		bool is_addr6 = true, colon = false;
		unsigned digs = 1, dots = 0;
		char lenchar = 0;

		for (char *cp = comma; *cp != '\0'; cp++) {
			char c = *cp;

			if (c == ',') {
				is_dec = is_hex = false;
			} else if (c == ':') {
				digs++;
				is_dec = is_addr = false;
				colon = true;
			} else if (c == '/') {
				is_dec = is_hex = is_addr6 = false;
				if (cp == comma)
					is_addr = false;	/* a leading / is a path */
			} else if (c == '.') {
				is_dec = is_hex = false;
				dots++;
			} else if (c == '-') {
				is_hex = is_addr = is_addr6 = false;
			} else if (c == ' ') {
				is_dec = is_hex = false;
			} else if (c < '0' || c > '9') {
				is_addr = false;
				if (cp[1] == '\0' && is_dec && (c == 'b' || c == 's' || c == 'i')) {
					lenchar = c;
					*cp = '\0';
				} else {
					is_dec = false;
				}
				if (!isxdigit((unsigned char)c) && !(c == '*' && kind == PO_MATCH)) {
					is_hex = false;
					if (c != '[' && c != ']')
						is_addr6 = false;
				}
			} else {
				dig = true;
			}
			if (*cp == '\0')
				break;
		}
		if (!dig)
			is_dec = is_addr = false;
		if (!colon)
			is_addr6 = false;
		if (is6) {
			/* DHCPv6 is not evaluated: only what makes dnsmasq refuse the line */
			if (((size & OT_ADDR_LIST) || (!(is_hex && digs > 1) && !is_dec && is_addr6)) &&
			    (!is_addr6 || !addrs6_ok(comma))) {
				refuse(l, true, "bad IPv6 address", "\"%.64s\" is no IPv6 address list",
				       comma);
				return;
			}
		} else if (size & OT_ADDR_LIST) {
			char *bad = comma;

			if (!is_addr || dots == 0) {
				refuse(l, true, "bad IP address",
				       "option %ld takes IPv4 addresses, not \"%.64s\"", code, comma);
				return;
			}
			if (!enc_addrs(comma, (unsigned)code, &v, &bad)) {
				refuse(l, true, "bad IPv4 address", "\"%.64s\" is no IPv4 address", bad);
				return;
			}
		} else if (size & (OT_NAME | OT_RFC1035_NAME)) {
			is_addr = is_dec = is_hex = false;
		}
		if (is6 || (size & OT_ADDR_LIST)) {
			/* done above */
		} else if (dig && (size & OT_TIME) && comma[0] != '\0') {
			size_t n = strlen(comma);
			unsigned long fac = 1, t;

			switch (comma[n - 1]) {
			case 'w': case 'W': fac *= 7; /* fall through */
			case 'd': case 'D': fac *= 24; /* fall through */
			case 'h': case 'H': fac *= 60; /* fall through */
			case 'm': case 'M': fac *= 60; /* fall through */
			case 's': case 'S': comma[n - 1] = '\0'; break;
			default: break;
			}
			t = (unsigned long)strtol(comma, NULL, 10);
			t = t > 0x7fffffffUL / fac ? 0x7fffffffUL : t * fac;
			v.len = 4;
			for (int i = 0; i < 4; i++)
				v.b[i] = (uint8_t)(t >> (8 * (3 - i)));
		} else if (is_hex && digs > 1) {
			v.hex = true;
			int n = parse_hex(comma, v.b, v.wild, (int)digs > 255 ? 255 : (int)digs, NULL);

			v.len = n < 0 ? 0 : (size_t)n;
		} else if (is_dec) {
			long val = strtol(comma, NULL, 10);
			uint32_t u = (uint32_t)(val < INT32_MIN ? INT32_MIN : val > INT32_MAX ? INT32_MAX
											  : val);
			size_t len = size != 0 ? size : (u & 0xffff0000u) ? 4 : (u & 0xff00u) ? 2 : 1;

			if (lenchar == 'b')
				len = 1;
			else if (lenchar == 's')
				len = 2;
			else if (lenchar == 'i')
				len = 4;
			if (len > 255) {
				refuse(l, true, "dhcp-option too long", "option %ld is internal", code);
				return;
			}
			if (len < 4 && (u >> (8 * len)) != 0 && val >= 0)
				note(l, true, LINT_R_SYNTAX, NBC_SEV_WARNING, hint_syntax,
				     "%ld does not fit the %zu byte%s of option %ld: dnsmasq sends only "
				     "the low bytes",
				     val, len, len == 1 ? "" : "s", code);
			v.len = len;
			for (size_t i = 0; i < len; i++)
				v.b[i] = (uint8_t)(u >> (8 * (len - i - 1)));
		} else if (is_addr) {
			char *bad = comma;

			if (!enc_addrs(comma, (unsigned)code, &v, &bad)) {
				refuse(l, true, "bad IPv4 address", "\"%.64s\" is no IPv4 address", bad);
				return;
			}
		} else if ((code == 119 || code == 120) && !o.encap && !o.vendor && !o.vi) {
			enc_names(comma, (unsigned)code, &v);
		} else {
			unhide(comma);
			v.string = true;
			v.len = strlen(comma);
			if (v.len > 255)
				v.too_big = true;
			else
				memcpy(v.b, comma, v.len);
		}
	}
	if (v.too_big || (v.len > 253 && (o.vendor || o.encap)) || (v.len > 250 && o.vi)) {
		refuse(l, true, "dhcp-option too long", "the value of option %ld is too long", code);
		return;
	}
	if (kind == PO_MATCH) {
		/* exactly one tag, the one the match sets */
		if (tb.n != 1 || tb.over) {
			refuse(l, true, "illegal dhcp-match", "dhcp-match needs exactly one set:TAG");
			return;
		}
		if (!room(l, d->nmatches, DQ_MATCHES_MAX, "dhcp-match"))
			return;
		struct dq_match *m = &d->matches[d->nmatches++];

		m->loc = o.loc;
		m->kind = vi_match || is6 || code > 255 ? DM_NEVER : DM_OPT;
		m->tag = tb.v[0].id;
		m->code = (unsigned)code;
		m->val = arena_mem(d, v.b, v.len);
		m->wild = (const bool *)arena_mem(d, v.wild, v.len * sizeof(bool));
		m->len = v.len;
		m->hex = v.hex;
		m->string = v.string;
		return;
	}
	if (is6)
		return;		/* DHCPv6: not evaluated */
	if (code > 255 || (code == 0 && !o.encap && !o.vendor && !o.vi)) {
		note(l, true, LINT_R_SYNTAX, NBC_SEV_WARNING, hint_syntax,
		     "option code %ld is not a DHCP option (1-254): dnsmasq sends it as code %ld",
		     code, code & 255);
		return;
	}
	if (o.encap && o.encap_no > 255) {
		note(l, true, LINT_R_SYNTAX, NBC_SEV_WARNING, hint_syntax,
		     "encap:%ld is not a DHCP option (1-254): dnsmasq sends something else",
		     encap_raw);
		return;
	}
	if (!room(l, d->nopts, DQ_OPTS_MAX, "dhcp-option"))
		return;
	o.code = (unsigned)code;
	o.force = kind == PO_FORCE;
	o.tags = tb_commit(d, &tb);
	o.val = arena_mem(d, v.b, v.len);
	o.len = v.len;
	d->opts[d->nopts++] = o;
}

/* dhcp-userclass=set:T,STRING, dhcp-vendorclass=set:T,[enterprise:N,]STRING and the
 * relay-agent matches dhcp-circuitid/remoteid/subscrid=set:T,VALUE. */
static void opt_class(struct dq_line *l, char *arg, enum dq_match_kind kind, bool vendor)
{
	struct dq *d = l->ps->d;
	char *comma = split(arg), *data;
	bool enterprise = false;

	if (comma == NULL) {
		refuse(l, true, "error", "%s needs set:TAG,STRING", l->name);
		return;
	}
	char *tag = (char *)set_prefix(arg);

	arg = comma;
	if ((comma = split(arg)) != NULL) {
		if (!vendor || !has_prefix(arg, "enterprise:")) {
			refuse(l, true, "error", "%s takes one string after the tag", l->name);
			return;
		}
		enterprise = true;
		data = comma;
	} else {
		data = arg;
	}
	unhide(data);
	if (!room(l, d->nmatches, DQ_MATCHES_MAX, "class"))
		return;
	struct dq_match *m = &d->matches[d->nmatches++];

	m->loc = line_loc(l, false);
	m->kind = enterprise ? DM_NEVER : kind;	/* enterprise: is option 124, never sent here */
	m->tag = set_tag(l, tag);
	m->val = arena_mem(d, data, strlen(data));
	m->len = strlen(data);
}

/* dhcp-mac=set:T,MAC (with * for any byte) */
static void opt_mac(struct dq_line *l, char *arg)
{
	struct dq *d = l->ps->d;
	char *comma = split(arg);
	uint8_t mac[DQ_HW_MAX];
	bool wild[DQ_HW_MAX] = { false };
	int type, n;

	if (comma == NULL || (unhide(comma), n = parse_hex(comma, mac, wild, DQ_HW_MAX, &type)) < 0) {
		refuse(l, true, "error", "dhcp-mac needs set:TAG,MAC");
		return;
	}
	if (!room(l, d->nmatches, DQ_MATCHES_MAX, "dhcp-mac"))
		return;
	struct dq_match *m = &d->matches[d->nmatches++];

	m->loc = line_loc(l, false);
	m->kind = DM_MAC;
	m->tag = set_tag(l, (char *)set_prefix(arg));
	m->val = arena_mem(d, mac, (size_t)n);
	m->wild = (const bool *)arena_mem(d, wild, (size_t)n * sizeof(bool));
	m->len = (size_t)n;
	m->hwtype = type;
	note(l, false, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, hint_unsupported,
	     "dhcp-mac depends on the client's MAC: lint applies it to dhcp-host scopes only");
}

/* tag-if=set:T[,set:T...][,tag:T...]: every field must be one of the two ("bad tag-if") */
static void opt_tagif(struct dq_line *l, char *arg)
{
	struct dq *d = l->ps->d;
	struct tagbuf cond = { .n = 0 }, set = { .n = 0 };

	while (arg != NULL) {
		char *comma = split(arg);

		if (strlen(arg) < 5 || !(has_prefix(arg, "set:") || has_prefix(arg, "tag:"))) {
			refuse(l, true, "bad tag-if", "\"%.64s\" is neither set:TAG nor tag:TAG", arg);
			return;
		}
		tb_add(l, has_prefix(arg, "set:") ? &set : &cond, arg + 4, has_prefix(arg, "tag:"),
		       true);
		arg = comma;
	}
	if (set.n == 0) {
		refuse(l, true, "bad tag-if", "tag-if sets no tag");
		return;
	}
	if (!room(l, d->ntagifs, DQ_TAGIFS_MAX, "tag-if"))
		return;
	d->tagifs[d->ntagifs].loc = line_loc(l, false);
	d->tagifs[d->ntagifs].cond = tb_commit(d, &cond);
	d->tagifs[d->ntagifs++].set = tb_commit(d, &set);
}

/* dhcp-ignore=tag:T[,tag:T...] (the tag: may be left out) */
static void opt_ignore(struct dq_line *l, char *arg)
{
	struct dq *d = l->ps->d;
	struct tagbuf tb = { .n = 0 };

	while (arg != NULL) {
		char *comma = split(arg);

		tb_add(l, &tb, is_tag_prefix(arg) ? arg + 4 : arg, true, false);
		arg = comma;
	}
	if (!room(l, d->nignores, DQ_IGNORES_MAX, "dhcp-ignore"))
		return;
	d->ignores[d->nignores].loc = line_loc(l, false);
	d->ignores[d->nignores++].tags = tb_commit(d, &tb);
}

/* option.c dhcp_tags(): leading tag:/net: fields; false if nothing follows them. */
static bool lead_tags(struct dq_line *l, char **arg, struct tagbuf *tb)
{
	while (is_tag_prefix(*arg)) {
		char *comma = split(*arg);

		tb_add(l, tb, *arg + 4, true, false);
		*arg = comma;
	}
	return *arg != NULL;
}

static const char *str_or_null(struct dq *d, char *s)
{
	if (s == NULL)
		return NULL;
	unhide(s);
	return s[0] == '\0' ? NULL : arena_str(d, s);	/* opt_string_alloc("") is NULL */
}

/* dhcp-boot=[tag:T,...]FILE[,SERVERNAME[,SERVERADDR|TFTPNAME]] */
static void opt_boot(struct dq_line *l, char *arg)
{
	struct dq *d = l->ps->d;
	struct tagbuf tb = { .n = 0 };
	struct dq_boot b = { .loc = line_loc(l, false) };

	if (!lead_tags(l, &arg, &tb)) {
		refuse(l, true, "error", "dhcp-boot has tags but no file name");
		return;
	}
	char *comma = split(arg);

	if (has_prefix(arg, "set:"))
		note(l, true, LINT_R_SYNTAX, NBC_SEV_WARNING, hint_syntax,
		     "set: is no tag prefix in dhcp-boot: dnsmasq takes \"%.64s\" as the file name "
		     "(match a tag with tag:)",
		     arg);
	b.file = str_or_null(d, arg);
	if (b.file == NULL)
		note(l, true, LINT_R_SYNTAX, NBC_SEV_WARNING, hint_syntax,
		     "dhcp-boot without a file name: the clients it matches get no boot file");
	if (comma != NULL) {
		arg = comma;
		comma = split(arg);
		b.sname = str_or_null(d, arg);
		if (comma != NULL) {
			struct in_addr in;

			unhide(comma);
			if (inet_pton(AF_INET, comma, &in) == 1) {
				b.has_server = true;
				b.server = ntohl(in.s_addr);
			} else if ((b.server_name = str_or_null(d, comma)) != NULL) {
				note(l, true, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, hint_unsupported,
				     "the TFTP server %.64s is a name dnsmasq looks up in /etc/hosts when "
				     "it answers: lint takes next-server as set but cannot say to what",
				     b.server_name);
			}
		}
	}
	if (!room(l, d->nboots, DQ_BOOTS_MAX, "dhcp-boot"))
		return;
	b.tags = tb_commit(d, &tb);
	d->boots[d->nboots++] = b;
}

/* pxe-service=[tag:T,]CSA,MENU[,BASENAME|TYPE][,SERVER] */
static void opt_pxe(struct dq_line *l, char *arg)
{
	struct dq *d = l->ps->d;
	struct tagbuf tb = { .n = 0 };
	struct dq_pxe s = { .loc = line_loc(l, false), .csa = -1 };
	char *comma;
	int n;

	if (!lead_tags(l, &arg, &tb) || (comma = split(arg)) == NULL) {
		refuse(l, true, "error", "pxe-service needs CSA,MENU-TEXT[,BASENAME|TYPE][,SERVER]");
		return;
	}
	for (unsigned i = 0; i < sizeof(csa_names) / sizeof(csa_names[0]); i++)
		if (strcasecmp(csa_names[i], arg) == 0)
			s.csa = (int)i;
	if (s.csa < 0 && atoi_check(arg, &n))
		s.csa = n;
	if (s.csa < 0) {
		refuse(l, true, "error", "\"%.64s\" is no client system type (x86PC, BC_EFI, "
		       "x86-64_EFI, ... or a number)", arg);
		return;
	}
	arg = comma;
	comma = split(arg);
	s.menu = str_or_null(d, arg);
	if (s.menu == NULL)
		s.menu = "";
	if (comma != NULL) {
		arg = comma;
		comma = split(arg);
		if (atoi_check(arg, &n)) {
			s.type = (unsigned)n;
			if (n != 0)
				note(l, true, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, hint_unsupported,
				     "boot service type %d: the client looks for a boot server of that "
				     "type on the network; lint cannot follow it",
				     n);
		} else {
			s.type = 32768 + d->nbasenames++;	/* option.c numbers them from 32768 */
			s.basename = arena_str(d, arg);	/* atoi_check unhid it */
		}
		if (comma != NULL) {
			struct in_addr in;

			unhide(comma);
			if (inet_pton(AF_INET, comma, &in) == 1) {
				s.has_server = true;
				s.server = ntohl(in.s_addr);
			} else {
				s.server_name = arena_str(d, comma);
				note(l, true, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, hint_unsupported,
				     "the boot server %.64s is a name dnsmasq looks up in /etc/hosts: "
				     "lint cannot say which address it is",
				     comma);
			}
		}
	}
	if (!room(l, d->npxes, DQ_PXE_MAX, "pxe-service"))
		return;
	s.tags = tb_commit(d, &tb);
	d->pxes[d->npxes++] = s;
	d->enable_pxe = true;	/* option.c: daemon->enable_pxe */
}

/* pxe-prompt=[tag:T,]PROMPT[,TIMEOUT]: PXE suboption 10, timeout 255 (wait) if not given */
static void opt_prompt(struct dq_line *l, char *arg)
{
	struct dq *d = l->ps->d;
	struct tagbuf tb = { .n = 0 };
	struct dq_opt o = { .loc = line_loc(l, false), .code = 10, .vendor = true, .prompt = true };
	uint8_t b[256];
	int t = 255;

	if (!lead_tags(l, &arg, &tb)) {
		refuse(l, true, "error", "pxe-prompt has tags but no prompt");
		return;
	}
	char *comma = split(arg);

	unhide(arg);
	if (comma != NULL && !atoi_check(comma, &t))
		t = 255;
	size_t n = strlen(arg) > 254 ? 254 : strlen(arg);

	b[0] = (uint8_t)t;
	memcpy(b + 1, arg, n);
	d->enable_pxe = true;
	if (!room(l, d->nopts, DQ_OPTS_MAX, "dhcp-option"))
		return;
	o.tags = tb_commit(d, &tb);
	o.val = arena_mem(d, b, n + 1);
	o.len = n + 1;
	o.vclass = "";
	d->opts[d->nopts++] = o;
}

/* tftp-root=DIR[,IFACE]: the last one without an interface is the root */
static void opt_tftp_root(struct dq_line *l, char *arg)
{
	struct dq *d = l->ps->d;
	char *comma = split(arg);
	const char *dir = str_or_null(d, arg);

	if (comma != NULL) {
		if (d->tftp_if_root == NULL && dir != NULL) {
			d->tftp_if_root = dir;
			d->tftp_if_loc = line_loc(l, true);
		}
	} else {
		d->tftp_root = dir;
		d->tftp_loc = line_loc(l, true);
	}
}

static int cmp_optname(const void *key, const void *e)
{
	return strcmp(key, ((const struct dq_optname *)e)->name);
}

/* Options whose value must be a number (probed with dnsmasq --test: "error" otherwise). */
static const struct {
	const char *name;
	int min, max;
} numeric[] = {
	{ "auth-ttl", 0, INT32_MAX }, { "cache-size", 0, INT32_MAX },
	{ "dhcp-lease-max", 0, INT32_MAX }, { "dhcp-ttl", 0, INT32_MAX },
	{ "dns-forward-max", 0, INT32_MAX }, { "edns-packet-max", 0, INT32_MAX },
	{ "local-ttl", 0, INT32_MAX }, { "max-cache-ttl", 0, INT32_MAX },
	{ "max-port", 0, 65535 }, { "max-tcp-connections", 1, INT32_MAX },
	{ "max-ttl", 0, INT32_MAX }, { "min-cache-ttl", 0, INT32_MAX }, { "min-port", 0, 65535 },
	{ "neg-ttl", 0, INT32_MAX }, { "port", 0, 65535 }, { "port-limit", 1, INT32_MAX },
	{ "query-port", 0, 65535 }, { "tftp-max", 0, INT32_MAX }, { "tftp-mtu", 0, INT32_MAX },
};

/* One option line, name and value split as read_file() does. */
static void dispatch(struct dq_line *l, const char *name, char *arg, const char *text)
{
	struct dq_parser *ps = l->ps;
	struct dq *d = ps->d;
	const struct dq_optname *o = bsearch(name, optnames, sizeof(optnames) / sizeof(optnames[0]),
					     sizeof(optnames[0]), cmp_optname);

	l->name = name;
	if (o == NULL) {
		refuse(l, false, "bad option", "unknown option \"%.64s\"", name);
		return;
	}
	if (o->arg == 0 && arg != NULL) {
		refuse(l, true, "extraneous parameter", "%s takes no value", name);
		return;
	}
	if (o->arg == 1 && arg == NULL) {
		refuse(l, false, "missing parameter", "%s needs a value", name);
		return;
	}
	if (o->one) {
		/* dhcp-lease is dhcp-leasefile under another name: one slot for both */
		const struct dq_optname *slot = strcmp(name, "dhcp-lease") != 0 ? o :
			bsearch("dhcp-leasefile", optnames, sizeof(optnames) / sizeof(optnames[0]),
				sizeof(optnames[0]), cmp_optname);
		size_t i = slot != NULL ? (size_t)(slot - optnames) : (size_t)(o - optnames);

		if (ps->used_once[i]) {
			refuse(l, false, "illegal repeated keyword", "%s may be given only once", name);
			return;
		}
		ps->used_once[i] = true;
	}
	for (size_t i = 0; i < sizeof(numeric) / sizeof(numeric[0]); i++) {
		int v;

		if (strcmp(name, numeric[i].name) != 0)
			continue;
		/* atoi_check(): digits only (none reads as 0) */
		if (arg == NULL || !atoi_check(arg, &v) || v < numeric[i].min || v > numeric[i].max) {
			refuse(l, true, "error", "%s needs a number from %d to %d", name,
			       numeric[i].min, numeric[i].max);
			return;
		}
		if (strcmp(name, "port") == 0)
			d->port = v;
		return;
	}
	if (strcmp(name, "conf-file") == 0)
		opt_conf_file(l, arg);
	else if (strcmp(name, "conf-dir") == 0)
		opt_conf_dir(l, arg);
	else if (strcmp(name, "dhcp-range") == 0)
		opt_range(l, arg);
	else if (strcmp(name, "dhcp-host") == 0)
		opt_host(l, arg, text);
	else if (strcmp(name, "dhcp-option") == 0)
		opt_dhcp(l, arg, PO_OPT);
	else if (strcmp(name, "dhcp-option-force") == 0)
		opt_dhcp(l, arg, PO_FORCE);
	else if (strcmp(name, "dhcp-match") == 0)
		opt_dhcp(l, arg, PO_MATCH);
	else if (strcmp(name, "dhcp-userclass") == 0)
		opt_class(l, arg, DM_USER, false);
	else if (strcmp(name, "dhcp-vendorclass") == 0)
		opt_class(l, arg, DM_VENDOR, true);
	else if (strcmp(name, "dhcp-circuitid") == 0 || strcmp(name, "dhcp-remoteid") == 0 ||
		 strcmp(name, "dhcp-subscrid") == 0)
		opt_class(l, arg, DM_NEVER, false);	/* option 82: the profiles send none */
	else if (strcmp(name, "dhcp-mac") == 0)
		opt_mac(l, arg);
	else if (strcmp(name, "tag-if") == 0)
		opt_tagif(l, arg);
	else if (strcmp(name, "dhcp-ignore") == 0)
		opt_ignore(l, arg);
	else if (strcmp(name, "dhcp-boot") == 0)
		opt_boot(l, arg);
	else if (strcmp(name, "pxe-service") == 0)
		opt_pxe(l, arg);
	else if (strcmp(name, "pxe-prompt") == 0)
		opt_prompt(l, arg);
	else if (strcmp(name, "tftp-root") == 0)
		opt_tftp_root(l, arg);
	else if (strcmp(name, "enable-tftp") == 0)
		d->enable_tftp = true;
	else if (strcmp(name, "dhcp-no-override") == 0)
		d->no_override = true;
	else if (strcmp(name, "dhcp-pxe-vendor") == 0) {
		while (arg != NULL) {
			char *comma = split(arg);
			const char *v = str_or_null(d, arg);

			if (v != NULL && d->npxevendor < DQ_PXEV_MAX)
				d->pxevendor[d->npxevendor++] = v;
			arg = comma;
		}
	} else if (strcmp(name, "dhcp-hostsfile") == 0 || strcmp(name, "dhcp-optsfile") == 0 ||
		   strcmp(name, "dhcp-hostsdir") == 0 || strcmp(name, "dhcp-optsdir") == 0) {
		opt_bank(l, name, arg);
	} else if (strcmp(name, "conf-script") == 0) {
		note(l, false, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, hint_unsupported,
		     "lint does not run the conf-script: the options it prints are not evaluated");
	}
}

/* Quotes and comments as read_file() handles them: inside "..." the escapes \" \\ \t \n \b
 * \r \e work and meta characters are hidden; '#' starts a comment only at the start of the
 * line or after white space (so "file#1" keeps its '#'); outside quotes white space becomes
 * ' ', and leading and trailing spaces go. */
static void parse_piece(struct dq_line *l, const char *raw, size_t n)
{
	char buf[DQ_CHUNK + 2];
	size_t i = 0, k;
	bool white = true;

	memcpy(buf, raw, n);
	buf[n] = buf[n + 1] = '\0';
	while (buf[i] != '\0') {
		if (buf[i] == '"') {
			memmove(buf + i, buf + i + 1, strlen(buf + i + 1) + 1);
			while (buf[i] != '\0' && buf[i] != '"') {
				if (buf[i] == '\\' && buf[i + 1] != '\0' &&
				    strchr("\"tnebr\\", buf[i + 1]) != NULL) {
					static const char from[] = "tnbre", to[] = "\t\n\b\r\033";
					const char *m = strchr(from, buf[i + 1]);

					if (m != NULL)
						buf[i + 1] = to[m - from];
					memmove(buf + i, buf + i + 1, strlen(buf + i + 1) + 1);
				}
				buf[i] = hide(buf[i]);
				i++;
			}
			if (buf[i] == '\0') {
				refuse(l, false, "missing \"", "a quote is not closed");
				return;
			}
			memmove(buf + i, buf + i + 1, strlen(buf + i + 1) + 1);
			if (buf[i] == '\0')
				break;
		}
		if (isspace((unsigned char)buf[i])) {
			buf[i] = ' ';
			white = true;
		} else {
			if (white && buf[i] == '#') {
				buf[i] = '\0';
				break;
			}
			white = false;
		}
		i++;
	}
	char *start = buf;

	while (*start == ' ')
		start++;
	k = strlen(start);
	while (k > 0 && start[k - 1] == ' ')
		start[--k] = '\0';
	if (k == 0)
		return;

	/* Columns: the name's first byte and the value's, in the raw line. */
	size_t c = 0;

	while (c < n && isspace((unsigned char)raw[c]))
		c++;
	l->col += (unsigned)c;
	const char *req = memchr(raw, '=', n);

	if (req != NULL) {
		size_t v = (size_t)(req - raw) + 1;

		while (v < n && (raw[v] == ' ' || raw[v] == '\t'))
			v++;
		l->vcol = l->col - (unsigned)c + (unsigned)v;
	} else {
		l->vcol = l->col;
	}

	char text[DQ_CHUNK + 2];

	if (l->bank != NULL) {
		/* read_file() with a hard_opt: the whole line is the value, '=' and all */
		size_t bl = strlen(l->bank);

		l->vcol = l->col;
		if (strncmp(start, l->bank, bl) == 0 && start[bl + strspn(start + bl, " ")] == '=') {
			lint_add(l->ps->c, LINT_R_SYNTAX, NBC_SEV_WARNING, line_loc(l, true),
				 hint_bank_syntax,
				 "the line starts with \"%s=\": a line here is only what would follow it, "
				 "so dnsmasq reads \"%s\" as part of the value",
				 l->bank, l->bank);
			l->ps->line_errors++;	/* what dnsmasq then says of the line adds nothing */
		}
		snprintf(text, sizeof(text), "%s", start);
		unhide(text);
		dispatch(l, l->bank, start, text);
		l->name = NULL;
		return;
	}

	char *arg = NULL, *eq = strchr(start, '=');

	if (eq != NULL) {
		size_t e = (size_t)(eq - start);

		for (arg = eq + 1; *arg == ' '; arg++)
			;
		for (;;) {
			if (start[e] != ' ' && start[e] != '=')
				break;
			start[e] = '\0';
			if (e-- == 0)
				break;
		}
	}
	snprintf(text, sizeof(text), "%s", arg != NULL ? arg : "");
	unhide(text);
	dispatch(l, start, arg, text);
	l->name = NULL;		/* it pointed into buf */
}

/* Reads text as dnsmasq reads a file: in pieces of at most DQ_CHUNK bytes per line. */
static void parse_text(struct dq_parser *ps, const char *file, const char *dir, const char *text,
		       size_t len, unsigned depth)
{
	size_t pos = 0;
	unsigned phys = 0, dql = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl != NULL ? (size_t)(nl - text) + 1 : len;
		bool nul_noted = false;

		phys++;
		if (++ps->lines > DQ_LINES_MAX) {
			if (!ps->lines_warned)
				lint_add(ps->c, LINT_R_UNSUPPORTED, NBC_SEV_WARNING,
					 (struct lint_loc){ file, phys, 1 }, hint_unsupported,
					 "more than %u lines: lint reads no further", DQ_LINES_MAX);
			ps->lines_warned = true;
			return;
		}
		ps->line_errors = 0;
		size_t content = end - pos - (nl != NULL ? 1u : 0u);

		if (content > DQ_CHUNK)
			lint_add(ps->c, LINT_R_SYNTAX, NBC_SEV_WARNING,
				 (struct lint_loc){ file, phys, DQ_CHUNK + 1 }, hint_syntax,
				 "line of %zu bytes: dnsmasq reads at most %d bytes as one line and the "
				 "rest as further lines",
				 content, DQ_CHUNK);
		for (size_t cs = pos; cs < end; cs += DQ_CHUNK) {
			size_t ce = end - cs > DQ_CHUNK ? cs + DQ_CHUNK : end, n = ce - cs;
			struct dq_line l = {
				.ps = ps, .file = file, .dir = dir, .phys = phys,
				.col = (unsigned)(cs - pos) + 1, .dqline = ++dql, .depth = depth,
				.bank = ps->bank,
			};
			const char *z;

			if (n > 0 && text[ce - 1] == '\n')
				n--;
			if ((z = memchr(text + cs, '\0', n)) != NULL) {
				if (!nul_noted)
					note(&l, false, LINT_R_SYNTAX, NBC_SEV_WARNING, hint_syntax,
					     "NUL byte in column %u: dnsmasq ignores the rest of the line",
					     (unsigned)(z - (text + pos)) + 1);
				nul_noted = true;
				n = (size_t)(z - (text + cs));
			}
			parse_piece(&l, text + cs, n);
		}
		pos = end;
	}
}

/* Reads one file's text with dnsmasq's rules; remembers it so that it is not read again. */
static void parse_file(struct dq_parser *ps, const char *path, const char *text, size_t len,
		       unsigned depth)
{
	struct stat st;
	struct dq_fileid id = { 0, 0 };
	unsigned saved_errors = ps->line_errors;
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (stat(path, &st) == 0) {
		id.dev = st.st_dev;
		id.ino = st.st_ino;
	}
	if (ps->nseen < DQ_FILES_MAX)
		ps->seen[ps->nseen++] = id;
	ps->stack[ps->nstack++] = id;
	if (slash == NULL)
		dir[0] = '\0';
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	parse_text(ps, lint_intern(ps->c, path), dir, text, len, depth);
	ps->nstack--;
	ps->line_errors = saved_errors;
}

/* An included file: read once, as dnsmasq does (one_file() remembers dev/ino, so a cycle
 * ends without an error); one that cannot be read stops dnsmasq ("cannot read"). */
static void read_conf(struct dq_parser *ps, const char *path, const struct dq_line *from)
{
	struct stat st;

	if (stat(path, &st) == 0) {
		for (unsigned i = 0; i < ps->nstack; i++)
			if (ps->stack[i].dev == st.st_dev && ps->stack[i].ino == st.st_ino) {
				note(from, true, LINT_R_INCLUDE, NBC_SEV_WARNING, hint_include,
				     "include cycle: %.200s is already being read; dnsmasq reads each "
				     "file once and skips it here",
				     path);
				return;
			}
		for (unsigned i = 0; i < ps->nseen; i++)
			if (ps->seen[i].dev == st.st_dev && ps->seen[i].ino == st.st_ino)
				return;		/* read before: dnsmasq skips it */
	}
	if (from->depth >= DQ_DEPTH_MAX) {
		note(from, true, LINT_R_INCLUDE, NBC_SEV_WARNING, hint_include,
		     "%.200s is nested more than %d files deep: lint does not follow it", path,
		     DQ_DEPTH_MAX);
		return;
	}
	if (ps->nseen == DQ_FILES_MAX) {
		if (!ps->files_warned)
			note(from, true, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, hint_unsupported,
			     "more than %d configuration files: lint reads no more", DQ_FILES_MAX);
		ps->files_warned = true;
		return;
	}
	char *text = NULL, why[128];
	size_t len = 0;

	if (lint_read_file(path, &text, &len, why, sizeof(why)) != 0) {
		if (strcmp(why, "is a directory") == 0)	/* fopen works, fgets reads nothing */
			note(from, true, LINT_R_INCLUDE, NBC_SEV_WARNING, hint_include,
			     "conf-file %.200s is a directory: dnsmasq reads nothing from it", path);
		else
			note(from, true, LINT_R_INCLUDE, NBC_SEV_ERROR, hint_include,
			     "cannot read %.200s: %s (dnsmasq: \"cannot read\", it does not start)",
			     path, why);
		return;
	}
	lint_note_part(ps->c, path);
	parse_file(ps, path, text, len, from->depth + 1);
	free(text);
}

static struct dq_line bank_line(struct dq_parser *ps, const struct dq_bank *b)
{
	return (struct dq_line){
		.ps = ps, .file = b->file, .dir = b->dir, .phys = b->phys, .col = b->col,
		.vcol = b->vcol, .dqline = b->dqline, .depth = b->depth, .name = b->opt,
	};
}

/* One hosts or options file: each line a dhcp-host (dhcp-option) value, read with
 * read_file()'s rules. dnsmasq logs a file it cannot open ("cannot read") and goes on. No
 * dev/ino check: one_file() skips a file read before only for conf-file (hard_opt 0). */
static void read_bank(struct dq_parser *ps, const struct dq_line *from, const struct dq_bank *b,
		      const char *path)
{
	char *text = NULL, why[128];
	size_t len = 0;

	if (ps->nseen == DQ_FILES_MAX) {
		if (!ps->files_warned)
			note(from, true, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, hint_unsupported,
			     "more than %d configuration files: lint reads no more", DQ_FILES_MAX);
		ps->files_warned = true;
		return;
	}
	if (lint_read_file(path, &text, &len, why, sizeof(why)) != 0) {
		note(from, true, LINT_R_INCLUDE, NBC_SEV_WARNING, hint_bank_include,
		     "cannot read %.200s: %s; dnsmasq runs without the %s it would hold (it logs "
		     "\"cannot read\")",
		     path, why, b->hosts ? "dhcp-host lines" : "dhcp-option lines");
		return;
	}
	lint_note_part(ps->c, path);
	ps->bank = b->hosts ? "dhcp-host" : "dhcp-option";
	parse_file(ps, path, text, len, from->depth + 1);
	ps->bank = NULL;
	free(text);
}

/* A directory of hosts or options files: its regular files in name order, as
 * expand_filelist() takes them (scandir() with alphasort). A -hostsdir/-optsdir is read by
 * set_dynamic_inotify() in readdir() order, which is no order: lint uses name order too. */
static void read_bank_dir(struct dq_parser *ps, const struct dq_line *from,
			  const struct dq_bank *b, const char *dir)
{
	DIR *ds = opendir(dir);

	if (ds == NULL) {
		note(from, true, LINT_R_INCLUDE, NBC_SEV_WARNING, hint_bank_include,
		     "%s %.200s cannot be read: %s; dnsmasq runs without it (it logs \"%s\")", b->opt,
		     dir, strerror(errno),
		     b->dynamic ? "bad dynamic directory" : "cannot access directory");
		return;
	}
	char **names = calloc(DQ_DIR_MAX, sizeof(*names));
	unsigned n = 0;
	struct dirent *e;

	while (names != NULL && (e = readdir(ds)) != NULL) {
		char full[PATH_MAX];
		struct stat st;

		if (dir_skips(e->d_name))
			continue;
		if (n == DQ_DIR_MAX) {
			note(from, true, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, hint_unsupported,
			     "%s %.200s holds more than %d files: lint reads the first %d", b->opt,
			     dir, DQ_DIR_MAX, DQ_DIR_MAX);
			break;
		}
		int w = snprintf(full, sizeof(full), "%s/%s", dir, e->d_name);

		if (w < 0 || (size_t)w >= sizeof(full))
			continue;
		/* expand_filelist() drops what stat() finds not regular and keeps what it cannot
		 * stat (fopen() then fails: logged); inotify.c reads only what stat() finds
		 * regular. */
		if (stat(full, &st) == 0 ? !S_ISREG(st.st_mode) : b->dynamic)
			continue;
		if ((names[n] = strdup(full)) != NULL)
			n++;
	}
	closedir(ds);
	if (names == NULL)
		return;
	qsort(names, n, sizeof(*names), cmp_str);
	for (unsigned k = 0; k < n; k++) {
		read_bank(ps, from, b, names[k]);
		free(names[k]);
	}
	free(names);
}

/* What reread_dhcp() reads when dnsmasq starts, after the whole configuration: the
 * dhcp-hostsfile names, then the dhcp-optsfile names, each newest first (one_opt() prepends
 * to the list) and the files of the directories among them after all the rest
 * (expand_filelist() appends them); then the -hostsdir and -optsdir directories, newest
 * first (set_dynamic_inotify()). What is read later goes first in dhcp_conf/dhcp_opts, as a
 * later line of the configuration would. */
static void read_banks(struct dq_parser *ps)
{
	for (int pass = 0; pass < 3; pass++) {
		bool later[DQ_BANKS_MAX] = { false };

		for (unsigned i = ps->nbanks; i-- > 0;) {
			const struct dq_bank *b = &ps->banks[i];
			struct dq_line from = bank_line(ps, b);
			char path[PATH_MAX];
			struct stat st;

			if (pass == 2 ? !b->dynamic : b->dynamic || b->hosts != (pass == 0))
				continue;
			resolve(&from, b->name, path, sizeof(path));
			if (b->name[0] != '/')
				note(&from, true, LINT_R_INCLUDE, NBC_SEV_WARNING, hint_bank_include,
				     "%s names a relative path: dnsmasq opens it once running, after "
				     "changing to / (unless run with --no-daemon), so as /%.200s",
				     b->opt, b->name);
			if (pass < 2) {
				if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
					later[i] = true;
				else
					read_bank(ps, &from, b, path);
			} else if (stat(path, &st) != 0) {
				note(&from, true, LINT_R_INCLUDE, NBC_SEV_WARNING, hint_bank_include,
				     "%s %.200s cannot be read: %s; dnsmasq runs without it (it logs "
				     "\"bad dynamic directory\")",
				     b->opt, path, strerror(errno));
			} else if (!S_ISDIR(st.st_mode)) {
				note(&from, true, LINT_R_INCLUDE, NBC_SEV_WARNING, hint_bank_include,
				     "%s %.200s is no directory: dnsmasq reads nothing from it (it logs "
				     "\"bad dynamic directory\")",
				     b->opt, path);
			} else {
				read_bank_dir(ps, &from, b, path);
			}
		}
		for (unsigned i = ps->nbanks; i-- > 0;) {
			const struct dq_bank *b = &ps->banks[i];
			struct dq_line from = bank_line(ps, b);
			char path[PATH_MAX];

			if (!later[i])
				continue;
			resolve(&from, b->name, path, sizeof(path));
			read_bank_dir(ps, &from, b, path);
		}
	}
}

/* ---------------------------------------------------------------------------------------- */
/* Evaluation: what dnsmasq answers one client profile (rfc2131.c dhcp_reply, do_options). */

/* dhcp-common.c match_netid(): every tag of check is in the pool (tag:!x: x is not); an empty
 * list matches only when untagged entries are acceptable. */
static bool tags_match(const struct dq_tags *check, const struct tagset *pool, bool untagged_ok)
{
	if (check->n == 0)
		return untagged_ok;
	for (unsigned i = 0; i < check->n; i++)
		if (ts_has(pool, check->v[i].id) == check->v[i].neg)
			return false;
	return true;
}

/* match_netid_wild() for tag-if: a trailing '*' matches any tag with that prefix. */
static bool tags_match_wild(const struct dq *d, const struct dq_tags *check,
			    const struct tagset *pool)
{
	for (unsigned i = 0; i < check->n; i++) {
		const struct dq_tagref *r = &check->v[i];
		bool present = ts_has(pool, r->id);

		if (r->wild) {
			const char *pat = d->tagname[r->id];
			size_t n = strlen(pat) - 1;

			present = false;
			for (unsigned t = 0; t < d->ntags && !present; t++)
				present = ts_has(pool, t) && strncmp(d->tagname[t], pat, n) == 0;
		}
		if (present == r->neg)
			return false;
	}
	return true;
}

/* run_tag_if(): in file order, each tag-if whose tags are all set sets its own. */
static void run_tag_if(const struct dq *d, struct tagset *s)
{
	for (unsigned i = 0; i < d->ntagifs; i++)
		if (tags_match_wild(d, &d->tagifs[i].cond, s))
			for (unsigned k = 0; k < d->tagifs[i].set.n; k++)
				ts_add(s, d->tagifs[i].set.v[k].id);
}

static const struct lint_opt_bytes *popt(const struct lint_profile *p, unsigned code)
{
	return p->opt[code].present && p->opt[code].len >= 1 ? &p->opt[code] : NULL;
}

/* Is needle somewhere in hay (the class matches compare at every offset). */
static bool has_sub(const uint8_t *hay, size_t n, const uint8_t *needle, size_t k)
{
	for (size_t i = 0; k <= n && i <= n - k; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return true;
	return false;
}

/* dhcp-common.c match_bytes(): no value: the option is there; hex: left-anchored with
 * wildcards; text: anywhere; numbers and addresses: one element of the array. */
static bool match_bytes(const struct dq_match *m, const uint8_t *p, size_t len)
{
	if (m->len > len)
		return false;
	if (m->len == 0)
		return true;
	if (m->hex) {
		for (size_t i = 0; i < m->len; i++)
			if (!m->wild[i] && m->val[i] != p[i])
				return false;
		return true;
	}
	for (size_t i = 0; i + m->len <= len; i += m->string ? 1 : m->len)
		if (memcmp(m->val, p + i, m->len) == 0)
			return true;
	return false;
}

/* A hardware address pattern against the client's (htype 1, 6 bytes). */
static bool mac_match(const uint8_t *pat, const bool *wild, unsigned len, int type,
		      const uint8_t *mac, unsigned *count)
{
	unsigned c = 1;

	if (len != 6 || (type != 0 && type != 1))
		return false;
	for (unsigned i = 0; i < 6; i++) {
		if (wild[i])
			continue;
		if (pat[i] != mac[i])
			return false;
		c++;
	}
	if (count != NULL)
		*count = c;
	return true;
}

struct ev {
	const struct dq *d;
	const struct lint_profile *p;
	const struct dq_host *scope_host;	/* NULL: any client (the main scope) */
	const struct dq_host *cfg;		/* the dhcp-host dnsmasq uses for the client */
	struct tagset base;			/* the tags before tag-if (netid in rfc2131.c) */
};

/* The dhcp-host for the scope's MAC (find_config(): exact MACs first, tagged before untagged,
 * the last line in the file first; then the wildcard pattern matching most bytes). */
static const struct dq_host *find_config(const struct ev *e, const struct tagset *tags)
{
	const struct dq *d = e->d;
	const uint8_t *mac = e->scope_host != NULL ? e->scope_host->mac : NULL;

	if (mac == NULL)
		return NULL;
	for (int pass = 0; pass < 2; pass++) {
		const struct dq_host *best = NULL;
		unsigned bestc = 0, c;

		for (unsigned i = d->nhosts; i-- > 0;) {
			const struct dq_host *h = &d->hosts[i];

			if (h->has_mac && h->exact && mac_match(h->mac, h->wild, h->hwlen, h->hwtype, mac,
								NULL) &&
			    tags_match(&h->filter, tags, pass == 1))
				return h;
		}
		for (unsigned i = d->nhosts; i-- > 0;) {
			const struct dq_host *h = &d->hosts[i];

			if (h->has_mac && !h->exact &&
			    mac_match(h->mac, h->wild, h->hwlen, h->hwtype, mac, &c) &&
			    tags_match(&h->filter, tags, pass == 1) && c > bestc) {
				best = h;
				bestc = c;
			}
		}
		if (best != NULL)
			return best;
	}
	return NULL;
}

/* The tags a client has before tag-if: dhcp-match, dhcp-vendorclass, dhcp-userclass (after
 * an RFC 3004 list is recognised, its length bytes are zeroed so they never match; iPXE's bare
 * "iPXE" is no such list and is matched as it is), dhcp-mac, then its dhcp-host's. */
static void base_tags(struct ev *e)
{
	const struct dq *d = e->d;
	const struct lint_profile *p = e->p;
	uint8_t uc[255];
	size_t ucn = 0;
	const struct lint_opt_bytes *o77 = popt(p, 77);

	if (o77 != NULL) {
		size_t j = 0;

		ucn = o77->len;
		memcpy(uc, o77->data, ucn);
		while (j < ucn)
			j += (size_t)uc[j] + 1;
		if (j == ucn)
			for (j = 0; j < ucn;) {
				size_t next = j + (size_t)uc[j] + 1;

				uc[j] = 0;
				j = next;
			}
	}
	memset(&e->base, 0, sizeof(e->base));
	for (unsigned i = 0; i < d->nmatches; i++) {
		const struct dq_match *m = &d->matches[i];
		const struct lint_opt_bytes *o;
		bool hit = false;

		switch (m->kind) {
		case DM_OPT:
			hit = (o = popt(p, m->code)) != NULL && match_bytes(m, o->data, o->len);
			break;
		case DM_VENDOR:
			hit = (o = popt(p, 60)) != NULL && has_sub(o->data, o->len, m->val, m->len);
			break;
		case DM_USER:
			hit = o77 != NULL && has_sub(uc, ucn, m->val, m->len);
			break;
		case DM_MAC:
			hit = e->scope_host != NULL && mac_match(m->val, m->wild, (unsigned)m->len,
								 m->hwtype, e->scope_host->mac, NULL);
			break;
		case DM_NEVER:
			break;
		}
		if (hit)
			ts_add(&e->base, m->tag);
	}
	struct tagset t = e->base;

	run_tag_if(d, &t);
	e->cfg = find_config(e, &t);
	if (e->cfg != NULL) {
		ts_add(&e->base, d->known);
		for (unsigned k = 0; k < e->cfg->set.n; k++)
			ts_add(&e->base, e->cfg->set.v[k].id);
	}
}

/* The offer being filled. */
static void put_opt(struct lint_offer *out, unsigned code, const uint8_t *v, size_t len,
		    bool sent, struct lint_loc loc, bool append)
{
	struct lint_opt *o = &out->opt[code & 255];
	size_t at = append && o->defined ? o->len : 0;

	if (at + len > LINT_VALUE_MAX)
		len = LINT_VALUE_MAX - at;
	if (len != 0)
		memcpy(o->value + at, v, len);
	o->len = at + len;
	o->sent = append && o->defined ? o->sent || sent : sent;
	if (!o->defined)
		o->loc = loc;
	o->defined = true;
}

static void put_file(struct lint_offer *out, const char *f, size_t field, struct lint_loc loc)
{
	size_t n = strlen(f);

	if (n >= field)
		n = field - 1;	/* safe_strncpy into the BOOTP field */
	if (n >= sizeof(out->file))
		n = sizeof(out->file) - 1;
	memcpy(out->file, f, n);
	out->file[n] = '\0';
	out->has_file = true;
	out->file_loc = loc;
}

static void put_server(struct lint_offer *out, bool has, uint32_t addr, bool self,
		       struct lint_loc loc)
{
	out->has_next_server = has;
	out->next_server = addr;
	out->next_server_is_self = self;
	out->next_server_loc = loc;
}

static bool requests(const struct lint_profile *p, unsigned code)
{
	/* in_list(): with no request list dnsmasq sends everything */
	return !p->opt[55].present || lint_profile_requests(p, code);
}

/* dhcp-common.c option_filter(): which dhcp-option lines apply. Tagged lines that match
 * first, then those that need the range's set: tag, then untagged ones for codes no tagged
 * line took; of several for one code, the first in dnsmasq's list, which is the last line in
 * the file. Returns the tag set used for everything after (tag-if applied). */
static void option_filter(const struct ev *e, int ctx, bool *ok, struct tagset *tagif)
{
	const struct dq *d = e->d;
	unsigned cnt[256] = { 0 };
	bool seen[256] = { false };
	struct tagset t1 = e->base, t2;

	run_tag_if(d, &t1);
	for (unsigned i = d->nopts; i-- > 0;) {
		const struct dq_opt *o = &d->opts[i];

		ok[i] = !o->vendor && !o->encap && !o->vi && tags_match(&o->tags, &t1, false);
	}
	t2 = t1;
	if (ctx >= 0) {
		t2 = e->base;
		ts_add(&t2, ctx);
		run_tag_if(d, &t2);
		for (unsigned i = d->nopts; i-- > 0;)
			if (ok[i] && !tags_match(&d->opts[i].tags, &t2, false))
				ok[i] = false;
	}
	for (unsigned i = 0; i < d->nopts; i++)
		cnt[d->opts[i].code & 255] += ok[i];
	for (unsigned i = d->nopts; ctx >= 0 && i-- > 0;) {
		const struct dq_opt *o = &d->opts[i];

		if (!ok[i] && !o->vendor && !o->encap && !o->vi && tags_match(&o->tags, &t2, false) &&
		    cnt[o->code] == 0) {
			ok[i] = true;
			cnt[o->code]++;
		}
	}
	for (unsigned i = d->nopts; i-- > 0;) {
		const struct dq_opt *o = &d->opts[i];

		if (!ok[i] && !o->vendor && !o->encap && !o->vi && o->tags.n == 0 && cnt[o->code] == 0) {
			ok[i] = true;
			cnt[o->code]++;
		}
	}
	for (unsigned i = d->nopts; i-- > 0;) {
		if (!ok[i])
			continue;
		if (seen[d->opts[i].code])
			ok[i] = false;
		seen[d->opts[i].code] = true;
	}
	*tagif = t2;
}

/* find_boot(): the first dhcp-boot in dnsmasq's list (the last in the file) whose tags all
 * match, else the first untagged one. */
static const struct dq_boot *find_boot(const struct dq *d, const struct tagset *t)
{
	for (unsigned i = d->nboots; i-- > 0;)
		if (tags_match(&d->boots[i].tags, t, false))
			return &d->boots[i];
	for (unsigned i = d->nboots; i-- > 0;)
		if (d->boots[i].tags.n == 0)
			return &d->boots[i];
	return NULL;
}

/* is_pxe_client(): option 60 starts with one of the PXE vendor classes (PXEClient). */
static const char *pxe_vendor(const struct dq *d, const struct lint_profile *p)
{
	const struct lint_opt_bytes *o = &p->opt[60];

	if (!d->enable_pxe || !o->present)
		return NULL;
	for (unsigned i = 0; i < d->npxevendor; i++) {
		size_t n = strlen(d->pxevendor[i]);

		if (o->len >= n && memcmp(o->data, d->pxevendor[i], n) == 0)
			return d->pxevendor[i];
	}
	return NULL;
}

struct pxe_pick {
	unsigned nmenu, nbase;
	const struct dq_pxe *first, *only;	/* first menu item; the service with a basename */
};

/* The pxe-service lines a client of this arch and these tags sees, in file order. */
static void pxe_services(const struct dq *d, int arch, const struct tagset *t, struct pxe_pick *pk)
{
	memset(pk, 0, sizeof(*pk));
	for (unsigned i = 0; i < d->npxes; i++) {
		const struct dq_pxe *s = &d->pxes[i];

		if (s->csa != arch || !tags_match(&s->tags, t, true))
			continue;
		if (pk->nmenu++ == 0)
			pk->first = s;
		if (s->basename != NULL && pk->nbase++ == 0)
			pk->only = s;
	}
}

/* The boot file a PXE service hands out: the boot server reply names BASENAME.LAYER (layer 0
 * as clients ask for it), or BASENAME as it is when it has a '.' already (rfc2131.c). */
static void offer_service(struct lint_offer *out, const struct dq_pxe *s)
{
	char f[LINT_VALUE_MAX];

	if (s->basename == NULL)
		return;		/* local boot, or a boot server type lint cannot follow */
	snprintf(f, sizeof(f), strchr(s->basename, '.') != NULL ? "%s" : "%s.0", s->basename);
	put_file(out, f, 128, s->loc);
	if (s->has_server)
		put_server(out, true, s->server, false, s->loc);
	else if (s->server_name != NULL)
		put_server(out, true, 0, false, s->loc);
	else
		put_server(out, false, 0, true, s->loc);
}

/* Option 43 as do_encap_opts() builds it: suboption, length, value, ... and an END byte. */
static void put_43(struct lint_offer *out, const uint8_t *v, size_t n, struct lint_loc loc)
{
	uint8_t b[LINT_VALUE_MAX];

	if (n + 1 > sizeof(b))
		n = sizeof(b) - 1;
	memcpy(b, v, n);
	b[n++] = 255;
	put_opt(out, 43, b, n, true, loc, true);
}

static size_t sub_put(uint8_t *b, size_t at, unsigned code, const uint8_t *v, size_t n)
{
	if (at + 2 + n > LINT_VALUE_MAX - 1 || n > 255)
		return at;
	b[at] = (uint8_t)code;
	b[at + 1] = (uint8_t)n;
	memcpy(b + at + 2, v, n);
	return at + 2 + n;
}

/* PXE vendor options (pxe_opts()): discovery control, prompt, boot servers, menu, then the
 * vendor: options and pxe-prompt lines that apply; the servers list has 0.0.0.0 where dnsmasq
 * puts its own address. */
static size_t pxe_43(const struct dq *d, int arch, const struct tagset *t, uint8_t *b)
{
	uint8_t menu[LINT_VALUE_MAX], srv[LINT_VALUE_MAX];
	size_t nm = 0, ns = 0, at = 0;
	unsigned items = 0;
	uint8_t dc = 3;	/* no multicast, no broadcast */
	bool prompt = false;

	for (unsigned i = 0; arch >= 0 && i < d->npxes; i++) {
		const struct dq_pxe *s = &d->pxes[i];
		size_t ml = strlen(s->menu);

		if (s->csa != arch || !tags_match(&s->tags, t, true))
			continue;
		items++;
		if (nm + 3 + ml < sizeof(menu)) {
			menu[nm++] = (uint8_t)(s->type >> 8);
			menu[nm++] = (uint8_t)s->type;
			menu[nm++] = (uint8_t)ml;
			memcpy(menu + nm, s->menu, ml);
			nm += ml;
		}
		if ((s->basename != NULL || s->has_server || s->server_name != NULL) &&
		    ns + 7 < sizeof(srv)) {
			uint32_t a = s->basename != NULL ? 0 : s->server;

			srv[ns++] = (uint8_t)(s->type >> 8);
			srv[ns++] = (uint8_t)s->type;
			srv[ns++] = 1;
			for (int k = 3; k >= 0; k--)
				srv[ns++] = (uint8_t)(a >> (8 * k));
		} else if (s->type != 0) {
			dc = 2;	/* a type with no known server: the client may broadcast */
		}
	}
	for (unsigned i = d->nopts; i-- > 0;)
		if (d->opts[i].prompt && tags_match(&d->opts[i].tags, t, true))
			prompt = true;
	if (items == 0)
		dc = 8;		/* no menu: use the boot file of the reply */
	at = sub_put(b, at, 6, &dc, 1);
	if (!prompt) {
		const uint8_t fake[4] = { items > 1 ? 255 : 0, 'P', 'X', 'E' };

		at = sub_put(b, at, 10, fake, 4);
	}
	if (items != 0 && ns != 0)
		at = sub_put(b, at, 8, srv, ns);
	if (items != 0)
		at = sub_put(b, at, 9, menu, nm);
	return at;
}

/* vendor: options (matched against the client's option 60 anywhere in it) and pxe-prompt. */
static size_t vendor_43(const struct dq *d, const struct lint_profile *p, const struct tagset *t,
			uint8_t *b, size_t at, bool *force)
{
	const struct lint_opt_bytes *o60 = popt(p, 60);

	for (unsigned i = d->nopts; o60 != NULL && i-- > 0;) {
		const struct dq_opt *o = &d->opts[i];
		bool hit = false;

		if (!o->vendor || !tags_match(&o->tags, t, true))
			continue;
		if (o->prompt)
			for (unsigned k = 0; k < d->npxevendor && !hit; k++)
				hit = has_sub(o60->data, o60->len, (const uint8_t *)d->pxevendor[k],
					      strlen(d->pxevendor[k]));
		else
			hit = has_sub(o60->data, o60->len, (const uint8_t *)o->vclass, strlen(o->vclass));
		if (hit) {
			at = sub_put(b, at, o->code, o->val, o->len);
			*force = *force || o->force;
		}
	}
	return at;
}

/* Plain options, dhcp-boot and encapsulations for an address reply (do_options()). */
static void eval_normal(const struct ev *e, const struct dq_range *r, const char *vendor, int arch,
			struct lint_offer *out)
{
	const struct dq *d = e->d;
	const struct lint_profile *p = e->p;
	static const unsigned never_sent[] = { 0, 52, 57, 81, 255 };
	bool *ok = calloc(d->nopts + 1, sizeof(*ok));
	bool as_opts = !d->no_override && p->opt[55].present, boot66 = false, boot67 = false;
	bool done_file = false, done_server = false;
	struct tagset t;

	if (ok == NULL)
		return;
	option_filter(e, r->set, ok, &t);
	/* siaddr is the server's own address unless dhcp-boot names another (man: dhcp-boot). */
	put_server(out, false, 0, true, r->loc);

	/* dhcp-boot: file and server name in options 67/66 when the client asks for them and
	 * dhcp-no-override is not set, else in the BOOTP file and sname fields. */
	const struct dq_boot *b = find_boot(d, &t);

	if (b != NULL) {
		if (b->sname != NULL && as_opts && requests(p, 66)) {
			put_opt(out, 66, (const uint8_t *)b->sname, strlen(b->sname), true, b->loc, false);
			boot66 = true;
		}
		if (b->file != NULL) {
			boot67 = as_opts && requests(p, 67);
			if (boot67)
				put_opt(out, 67, (const uint8_t *)b->file, strlen(b->file), true, b->loc,
					false);
			put_file(out, b->file, boot67 ? 256 : 128, b->loc);
		}
		if (b->has_server)
			put_server(out, true, b->server, false, b->loc);
		else if (b->server_name != NULL)
			put_server(out, true, 0, false, b->loc);
	}
	for (unsigned i = 0; i < d->nopts; i++) {
		const struct dq_opt *o = &d->opts[i];
		unsigned code = o->code;
		bool sent = o->force || requests(p, code);

		if (!ok[i])
			continue;
		/* Without dhcp-boot, options 67/66/255 not asked for fill file, sname and siaddr. */
		if (b == NULL && (code == 67 || code == 66) && !o->force &&
		    (!p->opt[55].present || !requests(p, code))) {
			if (code == 67) {
				char f[LINT_VALUE_MAX];

				snprintf(f, sizeof(f), "%.*s", (int)o->len, (const char *)o->val);
				put_file(out, f, 128, o->loc);
				done_file = true;
			} else {
				done_server = true;
			}
			continue;
		}
		if (code == 255) {
			if (b == NULL && o->len >= 4)
				put_server(out, true,
					   (uint32_t)o->val[0] << 24 | (uint32_t)o->val[1] << 16 |
						   (uint32_t)o->val[2] << 8 | o->val[3],
					   false, o->loc);
			continue;
		}
		/* An empty value for a default option means "do not send it". */
		if (o->len == 0 && (code == 1 || code == 3 || code == 6 || code == 12 || code == 15 ||
				    code == 28))
			continue;
		if ((code == 66 && (done_server || boot66)) || (code == 67 && (done_file || boot67)))
			continue;
		for (size_t k = 0; k < sizeof(never_sent) / sizeof(never_sent[0]); k++)
			if (code == never_sent[k])
				sent = false;
		if (code == 60 && arch != -1)
			sent = false;	/* PXE clients get PXEClient in 60 instead */
		if (code == 58 || code == 59)
			sent = true;	/* T1/T2 go into every offer (sanity-checked values) */
		put_opt(out, code, o->val, o->len, sent, o->loc, false);
		if (code == 67 && sent && o->len != 0) {
			char f[LINT_VALUE_MAX];

			snprintf(f, sizeof(f), "%.*s", (int)o->len, (const char *)o->val);
			put_file(out, f, 256, o->loc);
		}
	}
	free(ok);

	/* encap:N options, grouped per N, in dnsmasq's list order, ending in END (handle_encap()):
	 * sent when forced or when the client asks for N. */
	bool done[256] = { false };

	for (unsigned i = 0; i < d->nopts; i++) {
		unsigned n = d->opts[i].encap_no;
		uint8_t all[LINT_VALUE_MAX], forced[LINT_VALUE_MAX];
		size_t na = 0, nf = 0;
		struct lint_loc loc = { 0 };
		bool any = false;

		if (!d->opts[i].encap || done[n])
			continue;
		done[n] = true;
		for (unsigned k = d->nopts; k-- > 0;) {
			const struct dq_opt *o = &d->opts[k];

			if (!o->encap || o->encap_no != n || !tags_match(&o->tags, &t, true))
				continue;
			any = true;
			loc = o->loc;
			na = sub_put(all, na, o->code, o->val, o->len);
			if (o->force)
				nf = sub_put(forced, nf, o->code, o->val, o->len);
		}
		if (!any)
			continue;
		all[na++] = 255;
		forced[nf++] = 255;
		if (requests(p, n))
			put_opt(out, n, all, na, true, loc, false);
		else
			put_opt(out, n, nf > 1 ? forced : all, nf > 1 ? nf : na, nf > 1, loc, false);
	}

	/* PXE clients (pxe-service/pxe-prompt given, option 60 PXEClient...): 60 back, and a
	 * PXE menu in 43 unless exactly one UEFI service applies (pxe_uefi_workaround()). */
	uint8_t b43[LINT_VALUE_MAX];
	size_t at = 0;
	bool force = false, workaround = false;
	struct pxe_pick pk = { 0 };

	if (arch >= 0) {
		put_opt(out, 60, (const uint8_t *)vendor, strlen(vendor), true, r->loc, false);
		pxe_services(d, arch, &t, &pk);
		workaround = arch >= 6 && pk.nbase == 1;
		if (!workaround)
			at = pxe_43(d, arch, &t, b43);
	}
	at = vendor_43(d, p, &t, b43, at, &force);
	bool sent43 = at != 0 && (force || requests(p, 43) || requests(p, 60));

	if (sent43)
		put_43(out, b43, at, arch >= 0 && pk.first != NULL ? pk.first->loc : r->loc);
	/* With a menu the client boots its first item from the boot server (iPXE only when 60 is
	 * exactly PXEClient: autoboot.c have_pxe_menu()). */
	if (arch >= 0 && !workaround && sent43 && pk.nmenu > 0 &&
	    (!p->ipxe || strcmp(vendor, "PXEClient") == 0)) {
		if (pk.first->basename != NULL)
			offer_service(out, pk.first);
		else if (pk.first->type == 0)
			out->has_file = false;	/* local boot */
	}
}

/* proxyDHCP (dhcp-range=...,proxy): no address, boot information only (rfc2131.c). */
static void eval_proxy(const struct ev *e, const struct dq_range *px, const char *vendor, int arch,
		       struct lint_offer *out)
{
	const struct dq *d = e->d;
	const struct lint_profile *p = e->p;
	struct tagset t = e->base;
	struct pxe_pick pk;

	ts_add(&t, px->set);
	run_tag_if(d, &t);
	out->answered = true;
	out->answer_loc = px->loc;
	put_opt(out, 60, (const uint8_t *)vendor, strlen(vendor), true, px->loc, false);

	const struct dq_boot *b = find_boot(d, &t);

	pxe_services(d, arch, &t, &pk);
	if (arch >= 6 && pk.nbase == 1) {
		/* UEFI: sent to port 4011, where the one service's file comes back directly */
		offer_service(out, pk.only);
	} else if (pk.nmenu > 0 && (!p->ipxe || strcmp(vendor, "PXEClient") == 0) &&
		   (pk.first->basename != NULL || pk.first->type == 0)) {
		offer_service(out, pk.first);
	} else if (b != NULL) {
		/* The file goes in the BOOTP field; siaddr stays 0.0.0.0 unless dhcp-boot names a
		 * server, except for UEFI clients redirected to port 4011 (arch >= 6). */
		if (b->file != NULL)
			put_file(out, b->file, 128, b->loc);
		if (b->has_server)
			put_server(out, true, b->server, false, b->loc);
		else if (b->server_name != NULL)
			put_server(out, true, 0, false, b->loc);
		else
			put_server(out, false, 0, arch >= 6, px->loc);
	} else if (arch >= 6) {
		put_server(out, false, 0, true, px->loc);
	}
	if (arch < 6) {
		uint8_t b43[LINT_VALUE_MAX];
		bool force = false;
		size_t at = pxe_43(d, arch, &t, b43);

		at = vendor_43(d, p, &t, b43, at, &force);
		put_43(out, b43, at, px->loc);
	}
}

static void dq_eval(void *priv, size_t scope, const struct lint_profile *p, struct lint_offer *out)
{
	const struct dq *d = priv;
	struct ev e = { .d = d, .p = p };
	struct tagset t;

	out->answer_loc = (struct lint_loc){ d->path, 0, 0 };
	if (scope > 0 && scope <= d->nhostscopes)
		e.scope_host = &d->hosts[d->scope_host[scope - 1]];
	if (d->nranges == 0)
		return;		/* no dhcp-range: DHCP is off */
	base_tags(&e);
	t = e.base;
	run_tag_if(d, &t);

	/* dhcp-ignore: all its tags set (match_netid(), no tags never matches) */
	const struct dq_ignore *ign = NULL;

	for (unsigned i = 0; i < d->nignores && ign == NULL; i++)
		if (tags_match(&d->ignores[i].tags, &t, false))
			ign = &d->ignores[i];

	const char *vendor = pxe_vendor(d, p);
	const struct lint_opt_bytes *o93 = &p->opt[93];
	int arch = vendor != NULL && o93->present && o93->len >= 2
			   ? (int)((unsigned)o93->data[0] << 8 | o93->data[1]) : -1;

	/* The ranges of the client's network are tried in file order (dhcp.c links them so); a
	 * PXE client with option 93 gets the proxy reply if a proxy range's tags allow it. */
	for (unsigned i = 0; arch >= 0 && i < d->nranges; i++) {
		const struct dq_range *r = &d->ranges[i];

		if (!r->proxy || !tags_match(&r->filter, &t, true))
			continue;
		if (ign != NULL)
			out->answer_loc = ign->loc;
		else
			eval_proxy(&e, r, vendor, arch, out);
		return;
	}
	const struct dq_range *r = NULL;

	for (unsigned i = 0; i < d->nranges && r == NULL; i++) {
		const struct dq_range *x = &d->ranges[i];

		if (!x->proxy && (!x->is_static || (e.cfg != NULL && e.cfg->has_addr)) &&
		    tags_match(&x->filter, &t, true))
			r = x;
	}
	if (r == NULL) {
		out->answer_loc = d->ranges[0].loc;
		return;
	}
	if (ign != NULL) {
		out->answer_loc = ign->loc;
		return;
	}
	if (e.cfg != NULL && e.cfg->ignore) {
		out->answer_loc = e.cfg->loc;	/* dhcp-host ...,ignore: CONFIG_DISABLE */
		return;
	}
	out->answered = true;
	out->answer_loc = r->loc;
	eval_normal(&e, r, vendor, arch, out);
}

/* ---------------------------------------------------------------------------------------- */

static size_t dq_nscopes(void *priv)
{
	return 1 + ((struct dq *)priv)->nhostscopes;
}

static const char *dq_scope_name(void *priv, size_t scope)
{
	const struct dq *d = priv;

	return scope > 0 && scope <= d->nhostscopes ? d->scope_name[scope - 1] : "dnsmasq";
}

static struct lint_loc dq_scope_loc(void *priv, size_t scope)
{
	const struct dq *d = priv;

	if (scope > 0 && scope <= d->nhostscopes)
		return d->hosts[d->scope_host[scope - 1]].loc;
	return d->nranges != 0 ? d->ranges[0].loc : (struct lint_loc){ d->path, 0, 0 };
}

static const char *dq_tftp_root(void *priv, struct lint_loc *loc)
{
	const struct dq *d = priv;

	if (!d->enable_tftp)
		return NULL;
	if (d->tftp_root != NULL) {
		if (loc != NULL)
			*loc = d->tftp_loc;
		return d->tftp_root;
	}
	if (d->tftp_if_root != NULL && loc != NULL)
		*loc = d->tftp_if_loc;
	return d->tftp_if_root;
}

static void dq_free(void *priv)
{
	struct dq *d = priv;

	if (d == NULL)
		return;
	while (d->arena != NULL) {
		struct dq_blk *b = d->arena;

		d->arena = b->next;
		free(b);
	}
	free(d->ranges);
	free(d->hosts);
	free(d->matches);
	free(d->tagifs);
	free(d->ignores);
	free(d->boots);
	free(d->opts);
	free(d->pxes);
	free(d);
}

static struct dq *dq_new(struct lint_ctx *c)
{
	struct dq *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->c = c;
	d->ranges = calloc(DQ_RANGES_MAX, sizeof(*d->ranges));
	d->hosts = calloc(DQ_HOSTS_MAX, sizeof(*d->hosts));
	d->matches = calloc(DQ_MATCHES_MAX, sizeof(*d->matches));
	d->tagifs = calloc(DQ_TAGIFS_MAX, sizeof(*d->tagifs));
	d->ignores = calloc(DQ_IGNORES_MAX, sizeof(*d->ignores));
	d->boots = calloc(DQ_BOOTS_MAX, sizeof(*d->boots));
	d->opts = calloc(DQ_OPTS_MAX, sizeof(*d->opts));
	d->pxes = calloc(DQ_PXE_MAX, sizeof(*d->pxes));
	d->known = tag_intern(d, "known");
	d->never.id = (unsigned short)tag_intern(d, "\x7f(lint: not evaluated)");
	if (d->ranges == NULL || d->hosts == NULL || d->matches == NULL || d->tagifs == NULL ||
	    d->ignores == NULL || d->boots == NULL || d->opts == NULL || d->pxes == NULL ||
	    d->known < 0) {
		dq_free(d);
		return NULL;
	}
	/* Tags dnsmasq sets itself (rfc2131.c): never "unset" in a configuration. */
	static const char *const own[] = { "known", "known-othernet", "bootp", "cpewan-id" };

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		int id = tag_intern(d, own[i]);

		if (id >= 0)
			d->tag_set[id] = true;
	}
	return d;
}

/* After reading: tags matched but never set, and one scope per dhcp-host that names one MAC
 * and changes what that machine gets (a set: tag or ignore). */
static void dq_finish(struct dq *d)
{
	if (d->npxevendor == 0)
		d->pxevendor[d->npxevendor++] = "PXEClient";	/* read_opts() default */
	for (unsigned id = 0; id < d->ntags; id++)
		if (d->tag_used[id] && !d->tag_set[id])
			lint_add(d->c, LINT_R_UNSUPPORTED, NBC_SEV_WARNING, d->tag_use[id],
				 hint_unsupported,
				 "tag \"%.64s\" is never set in this configuration: lint takes it as unset "
				 "(an interface name, or a misspelt set:?)",
				 d->tagname[id]);
	for (unsigned i = 0; i < d->nhosts && d->nhostscopes < DQ_HOST_SCOPES_MAX; i++) {
		const struct dq_host *h = &d->hosts[i];
		char name[96];

		if (!h->exact || (h->set.n == 0 && !h->ignore))
			continue;
		snprintf(name, sizeof(name), "dhcp-host %.60s%s", h->text,
			 strlen(h->text) > 60 ? "..." : "");
		for (char *q = name; *q != '\0'; q++)
			if ((unsigned char)*q < 0x20 || *q == 0x7f)
				*q = '?';
		const char *s = arena_str(d, name);

		if (s == NULL)
			break;
		d->scope_name[d->nhostscopes] = s;
		d->scope_host[d->nhostscopes++] = i;
	}
}

int lint_dnsmasq_load(struct lint_ctx *c, const char *path, struct lint_server *out, char *why,
		      size_t why_cap)
{
	char *text = NULL;
	size_t len = 0;

	if (lint_read_file(path, &text, &len, why, why_cap) != 0)
		return -1;
	struct dq *d = dq_new(c);
	struct dq_parser *ps = calloc(1, sizeof(*ps));

	if (d == NULL || ps == NULL) {
		free(text);
		free(ps);
		dq_free(d);
		snprintf(why, why_cap, "out of memory");
		return -1;
	}
	d->path = lint_intern(c, path);
	ps->c = c;
	ps->d = d;
	parse_file(ps, d->path, text, len, 0);
	free(text);
	read_banks(ps);
	free(ps);
	dq_finish(d);
	memset(out, 0, sizeof(*out));
	out->kind = "dnsmasq";
	out->path = d->path;
	out->priv = d;
	out->nscopes = dq_nscopes;
	out->scope_name = dq_scope_name;
	out->scope_loc = dq_scope_loc;
	out->eval = dq_eval;
	out->tftp_root = dq_tftp_root;
	out->free = dq_free;
	return 0;
}
