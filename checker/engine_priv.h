/* engine_priv.h: the engine's state, shared by engine.c, http_peek.c, timeline.c and rules.c. */
#ifndef NBC_CHECKER_ENGINE_PRIV_H
#define NBC_CHECKER_ENGINE_PRIV_H

#include "checker/defrag.h"
#include "checker/engine.h"
#include "checker/hmap.h"
#include "proto/dhcp.h"

struct nbc_engine {
	struct eng_options opt;
	enum net_link link;
	uint64_t frame;		/* number of the frame being processed, from 1 */
	double first_ts;
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
	uint32_t max_ipv4_len;	/* largest unfragmented IPv4 packet: evidence of the MTU */
	struct nbc_report report;
	bool finished;
};

void http_peek(struct nbc_engine *e, const struct net_link_hdr *l2, const struct net_ipv4 *ip,
	       uint16_t sport, uint16_t dport, struct view payload);
/* Builds every client's stages (timeline.c). */
void timeline_build(struct nbc_engine *e);
/* Appends a stage to a client; returns its index. */
int timeline_add_stage(struct eng_client *c, enum nbc_stage_kind kind,
		       enum nbc_stage_result result, uint64_t frame, double time,
		       const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Runs every rule (rules.c). */
void rules_run(struct nbc_engine *e);
/* Sets each client's verdict from its stages and findings (timeline.c). */
void verdicts_set(struct nbc_engine *e);

void *nbc_grow(void *arr, size_t *cap, size_t need, size_t elem);
#define NBC_PUSH(arr, n, cap) \
	((arr) = nbc_grow((arr), &(cap), (n) + 1, sizeof(*(arr))), &(arr)[(n)++])

#endif
