/* model.h: the findings model every report writer reads: clients, stages, findings, stats. */
#ifndef NBC_CHECKER_MODEL_H
#define NBC_CHECKER_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NBC_VERSION "0.1.0"

enum nbc_sev {
	NBC_SEV_INFO = 0,
	NBC_SEV_WARNING = 1,
	NBC_SEV_ERROR = 2,
};

enum nbc_stage_kind {
	NBC_STAGE_PXE_DHCP,	/* DHCP by a PXE ROM (option 60 PXEClient, no iPXE user-class) */
	NBC_STAGE_IPXE_DHCP,	/* DHCP by iPXE (user-class iPXE or option 175) */
	NBC_STAGE_DHCP,		/* DHCP by anything else that went on to boot */
	NBC_STAGE_NBP,		/* TFTP download of the network bootstrap program */
	NBC_STAGE_PXELINUX_CONFIG,	/* pxelinux's config lookup walk */
	NBC_STAGE_TFTP_FETCH,	/* any later TFTP fetch: ldlinux.c32, kernel, initrd, modules */
	NBC_STAGE_HTTP,		/* an HTTP request by the client and its response */
	NBC_STAGE_IPXE_SCRIPT,	/* an iPXE script fetched and parsed: what it will do next */
	NBC_STAGE_ISCSI,	/* an iSCSI session: login, capacity, LBA 0, how it ended */
	NBC_STAGE_LOCALBOOT,	/* terminal: the config's default label boots the local disk */
	NBC_STAGE_KERNEL,	/* terminal: the kernel (and initrd) the config names were fetched */
	NBC_STAGE_SANBOOT,	/* terminal: the SAN disk's boot sector was read with 0x55AA */
	NBC_STAGE__COUNT,
};

enum nbc_stage_result {
	NBC_RESULT_OK,
	NBC_RESULT_FAILED,
	NBC_RESULT_PARTIAL,	/* began but did not finish within the capture */
};

enum nbc_verdict {
	NBC_VERDICT_BOOTED,
	NBC_VERDICT_FAILED,	/* failed at verdict_stage */
	NBC_VERDICT_LOOPING,
	NBC_VERDICT_STALLED,
	NBC_VERDICT_INCOMPLETE,	/* the capture ends before the boot could finish */
};

enum nbc_personality {
	NBC_PERS_PXE_ROM = 1 << 0,
	NBC_PERS_IPXE = 1 << 1,
	NBC_PERS_PXELINUX = 1 << 2,
	NBC_PERS_UEFI_HTTP = 1 << 3,
};

#define NBC_DETAIL_MAX 384
#define NBC_MSG_MAX 640

struct nbc_stage {
	enum nbc_stage_kind kind;
	enum nbc_stage_result result;
	uint64_t frame;		/* the stage's first frame */
	uint64_t last_frame;
	double time;		/* seconds since the capture's first frame */
	bool terminal;
	char *detail;		/* allocated, at most NBC_DETAIL_MAX - 1 bytes; never NULL */
};

struct nbc_finding {
	const char *rule;	/* stable rule ID, e.g. NBC-LOOP-USERCLASS */
	enum nbc_sev sev;
	int client;		/* index into report clients, -1 for none */
	int stage;		/* index into that client's stages, -1 for none */
	uint64_t frame;
	char *message;		/* allocated, at most NBC_MSG_MAX - 1 bytes */
	const char *hint;
};

struct nbc_client {
	uint8_t mac[6];
	bool has_mac;
	uint32_t ip;		/* last leased address, host order; 0 if none */
	bool has_uuid;
	uint8_t uuid[16];	/* option 97 bytes in wire order */
	int arch;		/* option 93, or from option 60; -1 unknown */
	unsigned personality;	/* enum nbc_personality bits */
	enum nbc_verdict verdict;
	int verdict_stage;	/* stage index the verdict refers to, -1 for none */
	uint64_t first_frame;
	uint64_t last_frame;
	double first_time;
	double last_time;
	struct nbc_stage *stages;
	size_t nstages;
	size_t stages_cap;
};

enum nbc_proto_stat {
	NBC_P_DHCP,
	NBC_P_TFTP,
	NBC_P_HTTP,		/* HTTP messages (requests and responses) */
	NBC_P_ISCSI,		/* iSCSI PDUs */
	NBC_P__COUNT,
};

struct nbc_malformed {
	uint64_t frame;
	const char *proto;
	char reason[160];
};

#define NBC_MALFORMED_KEEP 200	/* events listed in reports; all are counted */

struct nbc_stats {
	uint64_t frames;
	uint64_t bytes;		/* captured bytes */
	uint64_t ipv4;
	uint64_t decoded[NBC_P__COUNT];
	uint64_t malformed;
	uint64_t fragments_reassembled;	/* datagrams rebuilt from IPv4 fragments */
	uint64_t fragments_unreassembled;	/* fragments left over or dropped at a cap */
	uint64_t other_dhcp_clients;	/* DHCP clients that did not network boot */
	uint64_t tftp_unmatched;	/* TFTP-looking packets of no known transfer */
	uint64_t dhcp_rounds_dropped;	/* exchanges past ENG_ROUNDS_MAX for one client */
	uint64_t tcp_segments;
	uint64_t tcp_conns;
	uint64_t tcp_gaps;	/* holes in reassembled streams (capture loss) */
	uint64_t tcp_gap_bytes;
	uint64_t tcp_partial;	/* streams cut short by a memory cap */
	struct nbc_malformed events[NBC_MALFORMED_KEEP];
	size_t nevents;
};

struct nbc_report {
	const char *const *inputs;
	size_t ninputs;
	int link_type;		/* libpcap DLT of the (first) input */
	double duration;	/* seconds from the first to the last frame */
	bool capture_truncated;	/* the file ended inside a record */
	struct nbc_client *clients;
	size_t nclients;
	struct nbc_finding *findings;
	size_t nfindings;
	size_t findings_cap;
	/*
	 * Finding indexes grouped by client, each group in report order: client ci's are
	 * findings_by_client[findings_start[ci] .. findings_start[ci + 1]). Built with the
	 * report (nbc_report_index_findings), so that per-client output is not a scan of
	 * every finding for every client.
	 */
	size_t *findings_by_client;
	size_t *findings_start;	/* nindexed + 1 entries */
	size_t nindexed;	/* clients indexed */
	struct nbc_stats stats;
};

const char *nbc_sev_name(enum nbc_sev s);
const char *nbc_stage_name(enum nbc_stage_kind k);
const char *nbc_result_name(enum nbc_stage_result r);
const char *nbc_verdict_name(enum nbc_verdict v);
const char *nbc_arch_name(int arch);
/* (Re)builds the per-client finding index for clients 0..nclients-1; false: no memory. */
bool nbc_report_index_findings(struct nbc_report *r, size_t nclients);
void nbc_report_index_free(struct nbc_report *r);
/* Client ci's findings in report order: nbc_client_finding(r, ci, 0 .. n - 1). */
size_t nbc_client_nfindings(const struct nbc_report *r, int ci);
const struct nbc_finding *nbc_client_finding(const struct nbc_report *r, int ci, size_t k);
/* Writes personality bits as "pxe-rom,ipxe,..." into dst. */
void nbc_personality_str(unsigned bits, char *dst, size_t cap);

#endif
