/* probe_priv.h: the probe's run model (profiles, answers, fetches, findings) shared by its sources. */
#ifndef NBC_PROBES_PROBE_PRIV_H
#define NBC_PROBES_PROBE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "checker/model.h"
#include "lint/lint.h"
#include "proto/pxelinux.h"

#define PROBE_PROFILES 5
#define PROBE_ANSWERS_MAX 16	/* replies kept per profile; more are counted */
#define PROBE_SERVERS_MAX 16
#define PROBE_FETCHES_MAX 8	/* distinct NBPs (server, name) fetched */
#define PROBE_TARGETS_MAX 16	/* chain/fetch targets checked over HTTP */
#define PROBE_SCRIPTS_MAX 4	/* iPXE scripts fetched (the DHCP one and scripts it chains) */
#define PROBE_ISCSI_MAX 4	/* iSCSI root paths tried */
#define PROBE_FINDINGS_MAX 256
#define PROBE_TESTS_MAX 64	/* JUnit testcases */
#define PROBE_TEXT 256		/* file names, URIs, option texts (printable, cut) */
/* The longest CHAP secret taken: libiscsi keeps it in char[MAX_STRING_SIZE + 1] and cuts a
 * longer one without a word (iscsi_set_initiator_username_pwd's strncpy), so a longer one
 * would fail the login for no visible reason (iscsi.c asserts the two agree). */
#define PROBE_CHAP_SECRET_MAX 255

/* Profile ids in probe order (the index into probe_run.prof). */
enum probe_pid {
	PP_BIOS,		/* lint's bios-pxe */
	PP_EFI64,		/* lint's efi64-pxe */
	PP_ARM64,		/* lint's efi64-pxe with option 93 = 11 */
	PP_IPXE,		/* lint's ipxe-bios */
	PP_PXELINUX,		/* bios-pxe asking for 208-211 in option 55 */
};

/* One DHCP reply to one probe, as decoded from untrusted bytes (texts printable, cut). */
struct probe_answer {
	uint8_t msgtype;	/* DHCPOFFER, DHCPACK, DHCPNAK */
	bool via_4011;		/* the answer to our REQUEST on the proxyDHCP port */
	double at;		/* seconds after the probe's first DISCOVER */
	uint8_t src_mac[6];
	uint32_t src_ip;	/* host order */
	uint32_t server_id;	/* option 54, or src_ip when absent */
	bool has_54;
	uint32_t siaddr, yiaddr;
	bool has_file;		/* option 67 or the file field */
	char file[PROBE_TEXT];	/* printable, a URI's password redacted: for reports */
	char file_real[PROBE_TEXT];	/* the bytes as sent (to a NUL): only for fetching, never shown */
	bool has_66;
	char tftp_server[PROBE_TEXT];
	bool has_43;
	bool has_60;
	char vendor_class[64];
	bool has_209, has_210;
	char configfile[PROBE_TEXT], pathprefix[PROBE_TEXT];	/* redacted as file */
	char configfile_real[PROBE_TEXT], pathprefix_real[PROBE_TEXT];
	bool has_17;
	char root_path[PROBE_TEXT];
	int keep_san, skip_san_boot;	/* 175.8 / 175.9, -1 when absent */
	bool has_175_user, has_175_pass;
	char ipxe_user[64];
	char ipxe_pass[128];	/* 175.191: never printed; wiped at the end of the run */
	bool proxy;		/* no yiaddr, 60 PXEClient, boot info: a proxyDHCP offer */
};

struct probe_profile {
	enum probe_pid pid;
	const char *name;	/* "bios-pxe", "efi64-pxe", "arm64", "ipxe-bios", "pxelinux" */
	const char *desc;
	int arch;		/* option 93 */
	bool ipxe;
	bool asks_pxelinux;	/* 208-211 in option 55 */
	bool enabled;
	struct lint_profile send;	/* the options the DISCOVER carries (lint's tables) */
	uint8_t mac[6];
	uint32_t xid;
	unsigned discovers;	/* DISCOVERs sent */
	struct probe_answer ans[PROBE_ANSWERS_MAX];
	size_t nans;
	size_t dropped;
	int chosen;		/* the address offer a PXE ROM / iPXE would take, -1 */
	int proxy;		/* the first proxyDHCP offer, -1 */
	bool proxy_asked;	/* REQUEST sent to the proxy's port 4011 */
	bool has_proxy_ack;
	struct probe_answer proxy_ack;
	bool requested;		/* --request: REQUEST sent */
	bool has_ack, nak, released;
	struct probe_answer ack;
	/* What the client boots from: the ACK or chosen offer, boot half from the proxy. */
	bool has_boot;
	struct probe_answer boot;
	uint32_t boot_server;	/* the server whose boot info this is */
	int nbp;		/* index into probe_run.fetch, -1 */
	int test;		/* its JUnit testcase */
	bool arch_flagged;	/* NBC-ARCH-MISMATCH already said by name */
	char note[160];		/* why the probe has no answer or stopped, "" */
};

/* A TFTP transfer's result. */
struct probe_tftp {
	bool done;		/* the whole file arrived (short last block) */
	bool too_big;		/* aborted at --max-bytes */
	bool timeout;		/* the server went silent */
	int err_code;		/* ERROR from the server, -1 none */
	char err_msg[128];	/* printable */
	bool oack;
	long oack_blksize, oack_tsize;	/* -1 when not in the OACK */
	uint64_t size;		/* data bytes received */
	double secs;
	unsigned retransmits;
	uint8_t head[512];	/* the first bytes (PE sniffing) */
	size_t head_len;
	uint8_t *body;		/* the first keep_cap bytes when asked (configs); malloc'd */
	size_t body_len;
	char error[200];	/* one line, "" when done */
};

/* One NBP fetch, shared by every profile handed the same (server, name). */
struct probe_fetch {
	uint32_t server;
	char name[PROBE_TEXT];		/* printable: for reports */
	char name_real[PROBE_TEXT];	/* the bytes the server named: the RRQ's file name */
	unsigned profiles;	/* bit per enum probe_pid */
	bool tried;
	char skipped[160];	/* why it was not fetched, "" */
	int test;
	struct probe_tftp t;
};

/* One step of the pxelinux lookup walk. */
struct probe_walk_step {
	char name[PXELINUX_NAME_MAX];	/* as sent (prefix included) */
	uint8_t step;		/* enum pxelinux_step */
	bool tried, found;
	char result[160];	/* "not found (ERROR 1 File not found)", "1234 bytes", ... */
};

struct probe_walk {
	bool ran;
	char skipped[160];
	char nbp[PROBE_TEXT];
	uint32_t server;
	char prefix[PXELINUX_NAME_MAX];
	bool over_http;
	uint8_t mac[6];
	bool has_uuid;
	uint8_t uuid[16];
	uint32_t ip;
	struct probe_walk_step steps[PXELINUX_WALK_MAX];
	unsigned nsteps;
	int found;		/* index of the config pxelinux would load, -1 */
	int test;
};

/* A chain/fetch target of a script, checked over HTTP. */
struct probe_target {
	char shown[PROBE_TEXT];	/* redacted */
	unsigned script;	/* index into probe_run.scripts */
	unsigned line;
	const char *cmd;	/* "chain", "imgfetch", ... */
	bool checked;
	char skipped[120];
	int status;		/* HTTP status, 0 none */
	const char *method;	/* "HEAD" or "GET" */
	int64_t length;		/* Content-Length, -1 */
	char error[200];
	int test;
};

struct probe_script {
	char url_shown[PROBE_TEXT];	/* redacted */
	int status;
	uint64_t size;
	bool fetched;		/* 2xx with a body */
	bool parsed;
	bool has_magic;
	unsigned lines;
	size_t nacts;
	size_t nproblems;
	char error[200];
	int test;
};

struct probe_iscsi {
	char shown[PROBE_TEXT];	/* the root path (no secrets: root paths carry none) */
	const char *from;	/* "script", "--iscsi", "option 17" */
	bool syntax_ok;
	char why[128];
	char portal[300];
	char target[224];
	int lun;
	bool discovery_ok;
	char discovery_error[200];
	unsigned ntargets;
	bool target_listed;
	bool connected;
	bool login_ok;
	int login_status;	/* class << 8 | detail, -1 when none was received */
	char login_error[200];
	bool chap;		/* credentials were offered */
	char chap_user[64];
	const char *cred_from;	/* "--chap-user", "script", "DHCP 175.190/191", NULL */
	bool disk_ok;
	char vendor[9], product[17];
	uint64_t blocks;
	uint32_t block_size;
	bool bootable;
	char error[200];
	double secs;
	bool fallback;		/* the script goes on when this sanboot fails */
	int test;
};

/* A JUnit testcase: one per profile and per check. */
struct probe_test {
	char classname[24];	/* "probe.dhcp", "probe.tftp", ... */
	char name[PROBE_TEXT];
	bool skipped;
	char detail[200];	/* one line for system-out */
};

struct probe_finding {
	const char *rule;
	enum nbc_sev sev;
	char message[NBC_MSG_MAX];
	const char *hint;	/* static storage, may be NULL */
	char profile[64];	/* "" when not about one profile */
	char server[17 * 16];	/* dotted quads, ", "-separated (16 answers), "" when none */
	int test;		/* index into probe_run.tests, -1 */
};

struct probe_opts {
	const char *iface;
	bool has_server;
	uint32_t server;	/* --server: the expected DHCP/boot server */
	double wait;		/* seconds of replies collected per probe */
	bool request;
	bool has_mac;
	uint8_t mac[6];
	bool has_uuid;
	uint8_t uuid[16];
	bool has_ip;
	uint32_t ip;
	double rate;		/* DHCP packets per second, overall */
	double timeout;		/* the whole run */
	uint64_t max_bytes;
	const char *iscsi;	/* --iscsi URI */
	const char *chap_user;
	const char *chap_secret;	/* NULL, or chap_secret_buf: never printed */
	const char *chap_from;	/* "--chap-user/--chap-secret-file", ".../NBC_CHAP_SECRET", ... */
	char chap_secret_buf[PROBE_CHAP_SECRET_MAX + 1];	/* wiped when the run ends */
	const char *format;
	enum nbc_sev fail_on;
	unsigned profiles;	/* bit per enum probe_pid */
};

struct script_facts;

struct probe_server {
	uint32_t id;
	unsigned profiles;	/* answered these (bit per enum probe_pid) */
	bool proxy;		/* sent a proxyDHCP offer */
	bool address;		/* offered an address */
};

struct probe_run {
	const struct probe_opts *o;
	double t0, deadline;
	bool timed_out;
	uint8_t if_mac[6];
	uint32_t if_ip;		/* the interface's own IPv4 address, 0 if none */
	struct probe_profile prof[PROBE_PROFILES];
	struct probe_server servers[PROBE_SERVERS_MAX];
	size_t nservers;
	struct probe_fetch fetch[PROBE_FETCHES_MAX];
	size_t nfetch;
	struct probe_walk walk;
	struct probe_script scripts[PROBE_SCRIPTS_MAX];
	size_t nscripts;
	char http_skipped[160];
	struct probe_target targets[PROBE_TARGETS_MAX];
	size_t ntargets;
	size_t targets_dropped;
	struct probe_iscsi iscsi[PROBE_ISCSI_MAX];
	size_t niscsi;
	char iscsi_skipped[160];
	struct script_facts *script_facts;	/* checks.c: what the scripts name, secrets too */
	struct probe_test tests[PROBE_TESTS_MAX];
	size_t ntests;
	struct probe_finding findings[PROBE_FINDINGS_MAX];
	size_t nfindings;
	size_t findings_dropped;
	char stopped[160];	/* why the run stopped early, "" */
};

/* ---- common.c ---- */
double probe_now(void);
double probe_left(const struct probe_run *r);	/* seconds to the deadline, >= 0 */
/* Adds a finding; test is the JUnit testcase it belongs to (-1 none). NULL when full. */
struct probe_finding *probe_add(struct probe_run *r, int test, const char *rule, enum nbc_sev sev,
	       const char *profile, uint32_t server, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
/* Adds a testcase and returns its index (-1 when the table is full). */
int probe_test_add(struct probe_run *r, const char *classname, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sets a testcase's one-line detail (and marks it skipped); test < 0 is ignored. */
void probe_test_note(struct probe_run *r, int test, bool skipped, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
const char *probe_ip(uint32_t ip, char buf[16]);
/* Copies untrusted bytes as printable text (\xNN for the rest), stopping at a NUL. */
void probe_text(const uint8_t *p, size_t n, char *dst, size_t cap);
/* The bytes as sent, up to a NUL (for fetching what a server named: a WDS boot file
 * boot\x64\wdsnbp.com keeps its backslashes); cut to cap - 1 bytes. Never shown. */
void probe_raw(const uint8_t *p, size_t n, char *dst, size_t cap);
/* The hint of a rule (checker/rules.c, or the probe's own). */
const char *probe_hint(const char *rule);
#define PROBE_R_NO_ANSWER "NBC-PROBE-NO-ANSWER"

/* ---- dhcp.c: raw frames out through libnet, replies in through libpcap ---- */
struct probe_net;
/* Opens IF for injection and capture. Returns NULL with a one-line reason in err. */
struct probe_net *probe_net_open(const char *iface, double rate, char *err, size_t cap);
void probe_net_close(struct probe_net *n);
/* The interface's MAC and IPv4 address (0 when it has none). */
void probe_net_addrs(const struct probe_net *n, uint8_t mac[6], uint32_t *ip);
/* Builds the profile's options (from lint's tables), MAC and xid. */
void probe_profile_init(struct probe_profile *p, enum probe_pid pid, const struct probe_opts *o,
			uint32_t xid);
/* Runs one profile's DHCP probe: DISCOVER, replies for --wait, proxyDHCP on 4011, and
 * with --request REQUEST/ACK then RELEASE. Returns 0, or -1 on a local failure (err). */
int probe_dhcp(struct probe_net *n, struct probe_run *r, struct probe_profile *p, char *err,
	       size_t cap);

/* ---- tftp.c ---- */
/*
 * RRQ of name from server:69 with blksize 1468 and tsize, lock-step, bounded by
 * max_bytes (aborted with an ERROR beyond it), per-wait timeout and the run's deadline.
 * keep_cap > 0 keeps the first keep_cap bytes in t->body. bind_if: SO_BINDTODEVICE.
 */
void probe_tftp_get(uint32_t server, const char *name, uint64_t max_bytes, size_t keep_cap,
		    double deadline, const char *bind_if, struct probe_tftp *t);
void probe_tftp_free(struct probe_tftp *t);

/* ---- http.c ---- */
/* HEAD url (GET without reading the body when HEAD is refused); status, length. */
void probe_http_target(const char *url, double deadline, struct probe_target *t);
/* GET url as iPXE (firmware/fetch.c); body in *body (malloc'd, at most cap bytes). */
int probe_http_get(const char *url, double deadline, size_t cap, int *status, uint8_t **body,
		   size_t *len, uint64_t *size, char *err, size_t errcap);

/* ---- iscsi.c ---- */
void probe_iscsi_run(const char *rootpath, const char *initiator, const char *user,
		     const char *secret, double deadline, struct probe_iscsi *r);
/* Words for a login status (RFC 7143 11.13.5), e.g. "authentication failure". */
const char *probe_iscsi_status_words(int status);

/* ---- checks.c: the rules over what the probes found; the later stages ---- */
void probe_check_dhcp(struct probe_run *r);
void probe_stage_tftp(struct probe_run *r);
void probe_stage_walk(struct probe_run *r);
void probe_stage_http(struct probe_run *r);
void probe_stage_iscsi(struct probe_run *r);
/* Wipes and frees what the stages keep between them (when a run stopped half-way). */
void probe_checks_free(struct probe_run *r);

/* ---- output.c ---- */
void probe_write(FILE *out, const struct probe_run *r);

#endif
