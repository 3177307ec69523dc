/* engine_priv.h: the engine's state, shared by engine.c, http_peek.c, timeline.c and rules.c. */
#ifndef NBC_CHECKER_ENGINE_PRIV_H
#define NBC_CHECKER_ENGINE_PRIV_H

#include "checker/defrag.h"
#include "checker/engine.h"
#include "checker/hmap.h"
#include "checker/strpool.h"
#include "checker/tcp.h"
#include "proto/dhcp.h"

#include <stdio.h>

struct nbc_engine {
	struct eng_options opt;
	enum net_link link;
	uint64_t frame;		/* number of the frame being processed, from 1 */
	double first_ts;
	bool has_first;		/* first_ts is set (by the first frame or engine_set_origin) */
	double last_ts;
	double rel;		/* this frame's time since the first frame */
	struct defrag *defrag;
	struct dhcp_msg dhcp;	/* decode buffer: large, so kept here and reused */
	struct eng_client *clients;
	size_t nclients;
	size_t clients_cap;
	struct hmap by_mac;	/* MAC -> client */
	struct hmap by_ip;	/* leased or seen IP -> client */
	struct eng_xfer *xfers;
	size_t nxfers;
	size_t xfers_cap;
	struct hmap active;	/* (client ip, server ip, client port) -> transfer in progress */
	struct eng_http *https;
	size_t nhttps;
	size_t https_cap;
	struct strpool strs;	/* names, URIs and options kept by replies, transfers, requests */
	struct tcp_table *tcp;
	size_t bodies_kept;	/* bytes allocated for kept HTTP bodies */
	/*
	 * Parsed iPXE scripts by content: a lab's machines fetch the same boot.ipxe, and a
	 * parsed script is ~37 KB, so each distinct script is parsed and kept once (and not
	 * again at every live snapshot). At most SCRIPT_CACHE_MAX; past that, clients own
	 * their parses (eng_script.owned).
	 */
	struct hmap script_map;	/* FNV-1a of (body, show_secrets) and its length -> index */
	struct cached_script {
		uint8_t *body;	/* a copy: the HTTP body may still grow (live) */
		size_t len;
		struct ipxe_script *parsed;
	} *script_cache;
	size_t nscript_cache, script_cache_cap;
	struct eng_iscsi *iscsis;	/* iSCSI connections, in order of appearance */
	size_t niscsis;
	size_t iscsis_cap;
	int export_fd;		/* --export DIR, -1 when not exporting */
	struct eng_export *exports;
	size_t nexports;
	size_t exports_cap;
	size_t export_open;
	uint32_t max_ipv4_len;	/* largest unfragmented IPv4 packet: evidence of the MTU */
	struct nbc_report report;
	bool finished;
};

/* One exported object (export.c). */
struct eng_export {
	char name[ENG_NAME_MAX];	/* the file's name in DIR */
	char proto[8];
	char source[ENG_NAME_MAX + 160];	/* where it came from (passwords redacted) */
	uint64_t frame;
	uint64_t bytes;
	int fd;
	bool partial;
	bool skipped;
	bool write_failed;
};

/* TCP and its applications (streams.c, iscsi_flow.c). */
bool streams_init(struct nbc_engine *e);
void streams_segment(struct nbc_engine *e, const struct net_ipv4 *ip);
void streams_finish(struct nbc_engine *e);
void streams_free(struct nbc_engine *e);
struct iscsi_conn;
struct iscsi_conn *iscsi_flow_new(struct nbc_engine *e, const struct tcp_conn *tc);
void iscsi_flow_data(struct nbc_engine *e, struct iscsi_conn *ic, int dir, const uint8_t *p,
		     size_t len, uint64_t frame, double time);
void iscsi_flow_gap(struct nbc_engine *e, struct iscsi_conn *ic, int dir, uint64_t len);
void iscsi_flow_end(struct nbc_engine *e, struct iscsi_conn *ic, const struct tcp_conn *tc,
		    int dir, enum tcp_end how, uint64_t frame, double time);
void iscsi_flow_free(struct nbc_engine *e, struct iscsi_conn *ic);
#define ISCSI_DATA_MAX (16u << 20)	/* larger data segments are taken as a lost stream */

/* --export (export.c). */
bool export_init(struct nbc_engine *e, const char *dir, char *err, size_t errcap);
void export_safe_name(const char *path, char *out, size_t cap);
void export_write_http(struct nbc_engine *e, struct eng_http *h, const uint8_t *p, size_t n);
void export_close_http(struct nbc_engine *e, struct eng_http *h);
void export_abandon_http(struct nbc_engine *e, struct eng_http *h);
void export_write_tftp(struct nbc_engine *e, struct eng_xfer *x, const uint8_t *p, size_t n);
void export_close_tftp(struct nbc_engine *e, struct eng_xfer *x);
void export_abandon_tftp(struct nbc_engine *e, struct eng_xfer *x);
void export_finish(struct nbc_engine *e, FILE *out);
/* Builds every client's stages (timeline.c). */
void timeline_build(struct nbc_engine *e);
/* Appends a stage to a client; returns its index. */
int timeline_add_stage(struct eng_client *c, enum nbc_stage_kind kind,
		       enum nbc_stage_result result, uint64_t frame, double time,
		       const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Frees a client's stages' details and empties its stage list (timeline.c). */
void timeline_stages_clear(struct nbc_client *p);
/* Frees the report's findings' messages and empties the list (engine.c). */
void engine_findings_clear(struct nbc_engine *e);
/* Runs every rule (rules.c). */
void rules_run(struct nbc_engine *e);
/* Sets each client's verdict from its stages and findings (timeline.c). */
void verdicts_set(struct nbc_engine *e);

void *nbc_grow(void *arr, size_t *cap, size_t need, size_t elem);
#define BODIES_KEPT_MAX (64u << 20)	/* all kept TFTP and HTTP bodies together */
/*
 * Grows a kept body's buffer to hold need bytes: first bytes to start with, then doubling,
 * never past ENG_BODY_MAX nor the engine's BODIES_KEPT_MAX. False when it cannot grow.
 */
bool eng_body_room(struct nbc_engine *e, uint8_t **body, size_t *cap, size_t need, size_t first);
/* Names of files the timeline parses (pxelinux configs, iPXE scripts): bodies kept by name. */
bool eng_body_wanted(const char *name);
/*
 * A session whose 0x55AA boot sector was read and that the initiator then closed without a
 * Logout: the boot from the SAN disk returned (iscsi_flow.c). After a Logout the target
 * answered, who sends the first FIN is a race between the two closes, not a sign.
 */
bool eng_iscsi_boot_returned(const struct eng_iscsi *s);
/*
 * An HTTP fetch that may have been an iPXE script (so what it set, 209/210 or a fallback,
 * is unknown) and lost bytes to the capture: a script's text in part, or a response or a
 * request lost whole; never an NBP (timeline.c).
 */
bool eng_http_script_lost(const struct eng_http *h);
/* Where lost requests of a TFTP lookup walk are counted from: the RRQ of the transfer
 * before it, 0 (timeline.c). */
uint64_t eng_walk_after_frame(const struct nbc_engine *e, const struct eng_client *c,
			      const struct eng_walk *w);
/* TFTP answers to requests the capture lacks, strictly between two frames (engine.c). */
size_t eng_unseen_rrqs(const struct eng_client *c, uint64_t after, uint64_t before);
/* A printable, interned copy of v, cut to cap - 1 bytes (the old fixed buffers' limit). */
const char *eng_intern_view(struct nbc_engine *e, struct view v, size_t cap);
#define NBC_PUSH(arr, n, cap) \
	((arr) = nbc_grow((arr), &(cap), (n) + 1, sizeof(*(arr))), &(arr)[(n)++])

#endif
