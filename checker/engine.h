/* engine.h: turns frames into per-client DHCP rounds and TFTP transfers, then timelines and findings. */
#ifndef NBC_CHECKER_ENGINE_H
#define NBC_CHECKER_ENGINE_H

#include "checker/model.h"
#include <stdio.h>

#include "proto/http.h"
#include "proto/net.h"

#define ENG_NAME_MAX 256	/* file names, 209/210 values kept per reply */
#define ENG_BODY_MAX 65536	/* small files (pxelinux configs) kept for parsing */
#define ENG_OFFERS_MAX 8
#define ENG_ROUNDS_MAX 4096	/* DHCP exchanges kept per client (docs/limits.md) */
#define ENG_ROUND_LOOKBACK 64	/* recent exchanges a packet's xid is matched against */
#define ENG_UNSEEN_RRQ_MAX 64	/* TFTP answers to requests not captured, kept per client */

/* What a site is expected to hand out (--expect SITE). Empty strings: no expectation. */
struct eng_expect {
	char pxelinux_configfile[ENG_NAME_MAX];
	char pxelinux_pathprefix[ENG_NAME_MAX];
	int keep_san;		/* san.keep-san: -1 unset, 0/1 */
};

struct dhcp_msg;
struct tftp_pkt;

/* Optional per-packet taps (netboot-check decode): called after each decode. */
struct eng_tap {
	void *ctx;
	void (*dhcp)(void *ctx, uint64_t frame, const struct dhcp_msg *m);
	/* name: the transfer's file (for DATA/ACK/ERROR/OACK too); write: a WRQ transfer */
	void (*tftp)(void *ctx, uint64_t frame, const struct tftp_pkt *t, const char *name,
		     bool write);
};

struct eng_options {
	double stall_secs;	/* quiet time after which a non-terminal client is stalled */
	const struct eng_expect *expect;
	const struct eng_tap *tap;
	bool show_secrets;	/* --show-secrets: do not redact passwords in URIs and scripts */
};

enum eng_round_kind {
	ENG_ROUND_OTHER,
	ENG_ROUND_PXE,		/* PXEClient / HTTPClient vendor class, no iPXE marks */
	ENG_ROUND_IPXE,		/* user-class iPXE or option 175 */
};

/*
 * One DHCP reply as far as the boot flow cares. Its strings are the engine's interned
 * copies (printable, at most ENG_NAME_MAX - 1 bytes), "" when absent, never NULL once
 * the reply was filled; a round's ack/proxy_ack/nak are "" until their has_ flag is set.
 */
struct eng_reply {
	uint64_t frame;
	double time;
	uint8_t msgtype;
	uint32_t server;	/* option 54, else the IP source */
	uint32_t yiaddr;
	uint32_t siaddr;
	bool proxy;		/* proxyDHCP: no address, PXEClient in 60, or sent from 4011 */
	bool has_opt43;
	bool has_opt66;
	bool has_209;
	bool has_210;
	const char *bootfile;	/* option 67, else the file field */
	const char *tftp_server;	/* option 66 */
	const char *configfile;	/* 209 */
	const char *pathprefix;	/* 210 */
	const char *root_path;	/* 17, empty if absent */
	int keep_san;		/* 175.8: -1 absent, else 0/1 */
};

/* A DHCP exchange of one client under one xid. */
struct eng_round {
	uint32_t xid;
	enum eng_round_kind kind;
	int arch;		/* option 93 (or 60 Arch), -1 */
	bool asked_209;		/* 209 in the client's option 55 */
	uint64_t first_frame;
	double first_time;
	uint64_t discover_frame;
	unsigned discovers;
	uint16_t first_secs;
	uint16_t max_secs;
	uint64_t request_frame;
	uint32_t requested_server;	/* option 54 in the REQUEST */
	struct eng_reply *offers;	/* up to ENG_OFFERS_MAX, allocated as they come (owned) */
	unsigned noffers;
	size_t offers_cap;
	unsigned offers_dropped;
	bool has_ack;
	struct eng_reply ack;
	bool has_proxy_ack;	/* an ACK from a proxyDHCP on 4011 */
	struct eng_reply proxy_ack;
	bool has_nak;
	struct eng_reply nak;
	uint64_t first_reply_frame;
};

enum eng_xfer_status {
	ENG_XFER_REQUESTED,	/* RRQ seen, nothing back */
	ENG_XFER_RUNNING,	/* OACK or DATA seen */
	ENG_XFER_COMPLETE,	/* short last block */
	ENG_XFER_ERROR,		/* the server sent ERROR */
	ENG_XFER_ABORTED,	/* the client sent ERROR */
};

enum eng_image {
	ENG_IMAGE_UNKNOWN,
	ENG_IMAGE_PE_X64,
	ENG_IMAGE_PE_IA32,
	ENG_IMAGE_PE_ARM64,
	ENG_IMAGE_PE_OTHER,
	ENG_IMAGE_REALMODE,	/* not a PE image: a BIOS NBP */
};

struct eng_xfer {
	int client;		/* index into the engine's clients */
	bool write;		/* WRQ */
	uint32_t cip;
	uint16_t cport;
	uint32_t sip;
	uint16_t sport;		/* the server's TID, 0 until its first reply */
	const char *name;	/* printable, interned (at most ENG_NAME_MAX - 1 bytes) */
	uint64_t rrq_frame;
	double rrq_time;
	unsigned rrq_repeats;
	long req_blksize;
	long req_tsize;
	long req_windowsize;
	bool oack;
	long blksize;		/* negotiated, 512 without OACK */
	long tsize;		/* from OACK, -1 */
	long windowsize;
	uint64_t first_reply_frame;
	uint64_t last_frame;
	double last_time;
	enum eng_xfer_status status;
	uint16_t errcode;
	const char *errmsg;	/* printable, interned (at most 127 bytes), "" */
	uint64_t end_frame;
	uint32_t blocks;	/* distinct DATA blocks, across rollovers */
	uint32_t blocks_unseen;	/* of them, acknowledged but not in the capture */
	uint16_t last_block;
	uint64_t bytes;
	uint32_t data_retransmits;
	uint32_t dup_acks;
	uint16_t last_ack;
	bool any_ack;
	bool fragmented;	/* DATA arrived as IP fragments */
	enum eng_image image;
	uint8_t *body;		/* kept for small config files, NULL otherwise */
	size_t body_cap;	/* bytes allocated for body */
	size_t body_len;
	bool body_cut;
	bool active;
	int export_idx;		/* entry in the export listing, -1 */
};

struct eng_http {
	int client;		/* index into the engine's clients, -1: not a client seen booting */
	size_t conn;		/* TCP connection (order of appearance) */
	uint64_t frame;		/* the request's first frame */
	double time;
	char method[16];
	const char *uri;	/* as requested, passwords redacted; interned */
	const char *host;	/* interned */
	char range[64];
	char auth_scheme[16];	/* "Basic", ... when the request carried credentials */
	bool secret_uri;	/* the URI had a password (redacted) */
	uint32_t cip;
	uint32_t sip;
	uint16_t sport;
	uint16_t cport;
	int status;		/* -1 until a response is seen */
	char reason[64];
	uint64_t status_frame;
	double status_time;
	const char *location;	/* interned, "" */
	char content_type[64];
	int64_t content_length;	/* -1 if absent */
	bool chunked;
	uint64_t body_bytes;	/* body bytes seen */
	bool complete;		/* the whole response body was seen */
	bool gap;		/* bytes of it are missing from the capture */
	bool malformed;		/* framing broke; the rest of the connection was skipped */
	uint64_t end_frame;	/* the frame that completed the response */
	double end_time;
	uint8_t *body;		/* the first ENG_BODY_MAX bytes of small bodies, NULL otherwise */
	size_t body_cap;	/* bytes allocated for body */
	size_t body_len;
	bool body_cut;
	int export_idx;		/* entry in the export listing, -1 */
};

/* One iSCSI connection as far as the boot cares (iscsi_flow.c). */
struct eng_iscsi {
	int client;		/* -1: not a client seen booting */
	size_t conn;
	uint32_t cip;
	uint32_t sip;
	uint16_t cport;
	uint16_t sport;
	uint64_t first_frame;
	double first_time;
	uint64_t last_frame;
	double last_time;
	char initiator[224];
	char target[224];
	char session_type[16];
	char auth_offered[64];	/* AuthMethod the initiator offered */
	char auth_chosen[16];	/* AuthMethod the target chose */
	bool chap;		/* a CHAP exchange took place (values never kept) */
	bool chap_response;	/* the initiator sent CHAP_N/CHAP_R */
	bool hdigest;
	bool ddigest;
	uint64_t login_frame;	/* first Login Request */
	unsigned login_pdus;
	bool login_ok;		/* reached full feature phase */
	bool login_inferred;	/* its response lost in a gap: full-feature PDUs followed */
	uint64_t login_ok_frame;
	double login_ok_time;
	bool login_failed;
	uint8_t status_class;
	uint8_t status_detail;
	uint64_t status_frame;
	uint64_t pdus[2];
	uint32_t commands;
	uint32_t reads;
	uint64_t read_blocks;
	uint32_t writes;
	uint32_t check_conditions;
	uint8_t first_sense_key;
	uint8_t first_sense_asc;
	uint8_t first_sense_ascq;
	uint8_t first_check_op;
	uint64_t first_check_frame;
	bool capacity_known;
	uint64_t last_lba;
	uint32_t block_len;
	uint64_t capacity_frame;
	int lba0;		/* -1 not read, 0 read without 0x55AA, 1 with the boot signature */
	uint8_t lba0_sig[2];
	uint64_t lba0_frame;
	double lba0_time;
	bool logout;		/* the initiator sent a Logout Request */
	uint8_t logout_reason;
	uint64_t logout_frame;
	double logout_time;
	uint32_t rejects;
	uint8_t reject_reason;
	uint64_t reject_frame;
	uint32_t async_events;
	uint32_t nops;
	bool desync;		/* PDU framing lost (a gap or garbage): the rest was not decoded */
	uint64_t gap_bytes;
	bool ended;
	enum tcp_end_kind { ENG_TCP_OPEN, ENG_TCP_FIN, ENG_TCP_RST } end;
	int end_dir;		/* 0 initiator, 1 target, -1 */
	uint64_t end_frame;
	double end_time;
};

/* One pxelinux config lookup: the RRQs of pxelinux.cfg names (or the 209 file) in a row. */
struct eng_walk {
	bool http;		/* over HTTP: first/count index the client's https */
	int stage;
	size_t round;		/* the DHCP round whose reply configured the NBP */
	bool has_round;
	bool settings_unknown;	/* a script before it lost bytes in the capture: 209/210 unknown */
	size_t first;		/* position in the client's xfers */
	size_t count;
	int found;		/* position (relative to first) of the file that loaded, -1 */
	char prefix[ENG_NAME_MAX];
	char configfile[ENG_NAME_MAX];	/* 209 as delivered, empty if none */
	char nbp[ENG_NAME_MAX];
};

struct ipxe_script;

/* An iPXE script the client fetched, parsed (timeline.c). */
struct eng_script {
	size_t http;		/* index into engine https */
	int stage;
	struct ipxe_script *parsed;	/* the engine's script cache's, or the client's if owned */
	bool owned;
	int keep_san;		/* in effect when the script ran: script, else DHCP 175.8; -1 */
	bool keep_from_dhcp;
};

/* Engine-private state of one client. */
struct eng_client {
	struct nbc_client pub;
	struct eng_round *rounds;
	size_t nrounds;
	size_t rounds_cap;
	size_t *xfers;		/* indexes into engine xfers, in RRQ order */
	size_t nxfers;
	size_t xfers_cap;
	size_t *https;
	size_t nhttps;
	size_t https_cap;
	size_t *iscsis;		/* indexes into engine iscsis */
	size_t niscsis;
	size_t iscsis_cap;
	bool netboot;		/* showed PXE/iPXE marks or fetched anything over TFTP */
	bool reached_terminal;
	int loop_stage;
	int report_index;	/* index in the report's clients, -1 if not reported */
	unsigned nerrors;	/* error findings so far (the rules ask while they run) */
	/* Set by the timeline builder: the stage each round, transfer, request became. */
	int *round_stage;
	int *xfer_stage;
	int *http_stage;
	int *iscsi_stage;
	struct eng_script *scripts;
	size_t nscripts;
	size_t scripts_cap;
	struct eng_walk *walks;
	size_t nwalks;
	size_t walks_cap;
	/*
	 * Frames of TFTP answers (ERROR, OACK, DATA 1) from a server this client fetched from,
	 * to a client port with no transfer: the request is missing from the capture. One per
	 * lost request, up to ENG_UNSEEN_RRQ_MAX.
	 */
	uint64_t *unseen_rrq;
	size_t nunseen_rrq;
	size_t unseen_rrq_cap;
	uint16_t unseen_rrq_port;	/* the client port of the last one */
};

struct nbc_engine;

struct nbc_engine *engine_new(const struct eng_options *opt);
void engine_free(struct nbc_engine *e);
void engine_set_link(struct nbc_engine *e, enum net_link link, int dlt);
/* Live: time passes without frames (the capture's end moves to ts). */
void engine_tick(struct nbc_engine *e, double ts);
/* Feeds one captured frame. ts is seconds since the epoch (any origin works). */
void engine_frame(struct nbc_engine *e, double ts, const uint8_t *p, size_t caplen);
/* --export DIR: write every transferred file into dir (created if missing). */
bool engine_export_to(struct nbc_engine *e, const char *dir, char *err, size_t errcap);
/* Closes the exported files and prints their listing to out (after engine_finish). */
void engine_export_listing(struct nbc_engine *e, FILE *out);
/*
 * The report as the capture stands now (live): timelines, rules and verdicts from
 * what has arrived, TCP data still in flight left out. May be called again as frames
 * arrive; the report is rebuilt each time (stage and finding pointers change).
 */
struct nbc_report *engine_snapshot(struct nbc_engine *e);
/* Builds timelines, runs the rules and sets verdicts. The report stays owned by the engine. */
struct nbc_report *engine_finish(struct nbc_engine *e);

/*
 * Makes a fresh engine continue a capture another engine began (live's handover): its
 * first frame is number frames_before + 1, and times count from first_ts, the capture's
 * first frame. Call before the first engine_frame.
 */
void engine_set_origin(struct nbc_engine *e, uint64_t frames_before, double first_ts);
/* Counts a frame another engine handles (live's handover), without decoding it. */
void engine_skip_frame(struct nbc_engine *e, double ts);

/* For the rules: read access to the engine's view of the capture. */
size_t engine_nclients(const struct nbc_engine *e);
struct eng_client *engine_client(struct nbc_engine *e, size_t i);
const struct eng_xfer *engine_xfer(const struct nbc_engine *e, size_t i);
const struct eng_http *engine_http(const struct nbc_engine *e, size_t i);
const struct eng_options *engine_options(const struct nbc_engine *e);
double engine_capture_end(const struct nbc_engine *e);
/* Index of the client's report entry, for findings. */
int engine_report_index(const struct nbc_engine *e, const struct eng_client *c);

/* Adds a finding (printf-style message). Returns it for further edits. */
struct nbc_finding *engine_add_finding(struct nbc_engine *e, const char *rule, enum nbc_sev sev,
				       const struct eng_client *c, int stage, uint64_t frame,
				       const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));

/* Records a malformed packet (counted, and listed up to NBC_MALFORMED_KEEP). */
void engine_malformed(struct nbc_engine *e, const char *proto, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Helpers shared by the timeline builder and the rules. */
bool eng_is_ipxe_binary(const char *name);
bool eng_is_efi_binary(const char *name);
bool eng_is_bios_binary(const char *name);
const char *eng_basename(const char *name);
/* An absolute-form request URI's path ("http://host/x" -> "/x"); other URIs unchanged. */
const char *eng_uri_path(const char *uri);
/* The reply that gave this round its boot file: ACK, else proxy ACK, else first offer with a file. */
const struct eng_reply *eng_round_boot_reply(const struct eng_round *r);
/* A UEFI or iPXE tsize probe: OACK, then the client's ERROR before any data. */
bool eng_xfer_is_probe(const struct eng_xfer *x);

#endif
