/* live.c: `netboot-check live IFACE`: boots watched as they happen, with the same engine as analyze. */
#include "checker/live.h"

#include "checker/cli.h"

#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checker/capture.h"
#include "checker/engine.h"
#include "checker/expect.h"
#include "checker/hmap.h"
#include "checker/model.h"
#include "checker/rules.h"
#include "reports/report.h"

/* What boot traffic looks like to BPF: DHCP and TFTP (whose transfers use any UDP
 * port pair), HTTP and iSCSI on their usual ports. */
#define BOOT_FILTER "udp or (tcp and (port 80 or port 8080 or port 3260%s))"
#define SNAPSHOT_EVERY 0.25	/* seconds between re-evaluations while packets arrive */

enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_CANNOT = 2, EXIT_USAGE = 3 };

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

struct live {
	const char *iface;
	const char *filter;
	const char *client;
	uint8_t client_mac[6];
	bool promisc;
	const char *write_path;
	double duration;
	bool until_booted;
	long count;
	bool json;
	int color;
	enum nbc_sev fail_on;
	double stall;
	double idle;
	const char *expect;
	struct eng_expect exp;
	pcap_t *p;
	pcap_dumper_t *dump;
	struct nbc_engine *e;
	struct eng_options opt;
	enum net_link link;
	int dlt;
	long packets;
	double t0;		/* wall clock of the first packet */
	double last_packet;
	struct hmap seen;	/* printed stages and findings -> their last result */
	bool tty;
	int worst;
	/*
	 * Memory stays flat in a network that is never quiet: every --idle seconds a fresh
	 * engine (next) takes over the clients that show up from then on, while the current
	 * one (e) keeps only the clients it already knew (owned). When those have all
	 * finished or gone quiet for --idle seconds, they are summarised and the current
	 * engine is freed; next becomes current. Both number frames as the capture does.
	 */
	struct nbc_engine *next;
	struct hmap owned;	/* MAC (kind 3) or IP (kind 4) of the current engine's clients */
	bool handover;
	double epoch;		/* wall time the current engine began its window */
	unsigned retirements;	/* engines summarised and freed */
	size_t held_max;	/* most clients held by the engines at once */
	struct retired *retired;	/* the last RETIRED_KEEP clients summarised */
	size_t nretired, retired_total;
	size_t retired_verdicts[5];	/* by enum nbc_verdict */
	char tcp_ports[256];	/* --tcp-port: " or port N" for each extra TCP port */
};

#define RETIRED_KEEP 1000	/* summarised clients listed at the end; all are counted */

struct retired {
	bool has_mac;
	uint8_t mac[6];
	uint32_t ip;
	enum nbc_verdict verdict;
};

static double wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;	/* FNV-1a */
	return h;
}

static void mac_str(const struct nbc_client *c, char *buf)
{
	if (c->has_mac)
		net_mac_str(c->mac, buf, 18);
	else
		net_ip_str(c->ip, buf, 18);
}

static void clear_status(struct live *L)
{
	if (L->tty && !L->json)
		fputs("\r\033[K", stdout);
}

static const char *col(const struct live *L, const char *code)
{
	return L->tty && L->color != 0 ? code : "";
}

static void print_stage(struct live *L, const struct nbc_client *c, const struct nbc_stage *s)
{
	char m[18];

	mac_str(c, m);
	clear_status(L);
	if (L->json) {
		printf("{\"event\":\"stage\",\"client\":\"%s\",\"stage\":\"%s\",\"result\":\"%s\","
		       "\"frame\":%llu,\"time\":%.3f,\"terminal\":%s,\"detail\":",
		       m, nbc_stage_name(s->kind), nbc_result_name(s->result),
		       (unsigned long long)s->frame, s->time, s->terminal ? "true" : "false");
		report_json_string(stdout, s->detail);
		fputs("}\n", stdout);
	} else {
		const char *rc = s->result == NBC_RESULT_FAILED ? "\033[31m" :
				 s->result == NBC_RESULT_OK	? "\033[32m" :
								  "\033[33m";

		printf("%9.3f  %s  %-16s %s%-7s%s #%-6llu %s\n", s->time, m, nbc_stage_name(s->kind),
		       col(L, rc), nbc_result_name(s->result), col(L, "\033[0m"),
		       (unsigned long long)s->frame, s->detail);
	}
	fflush(stdout);
}

static void print_finding(struct live *L, const struct nbc_report *r, const struct nbc_finding *f)
{
	char m[18] = "-";

	if (f->client >= 0)
		mac_str(&r->clients[f->client], m);
	clear_status(L);
	if (L->json) {
		printf("{\"event\":\"finding\",\"rule\":\"%s\",\"severity\":\"%s\",\"client\":\"%s\","
		       "\"frame\":%llu,\"message\":",
		       f->rule, nbc_sev_name(f->sev), m, (unsigned long long)f->frame);
		report_json_string(stdout, f->message);
		fputs(",\"hint\":", stdout);
		report_json_string(stdout, f->hint ? f->hint : "");
		fputs("}\n", stdout);
	} else {
		printf("%s%-7s%s %s %s frame %llu: %s\n         fix: %s\n",
		       col(L, f->sev == NBC_SEV_ERROR ? "\033[31;1m" : "\033[33m"), nbc_sev_name(f->sev),
		       col(L, "\033[0m"), f->rule, m, (unsigned long long)f->frame, f->message,
		       f->hint ? f->hint : "");
	}
	fflush(stdout);
}

static bool wanted(const struct live *L, const struct nbc_client *c)
{
	return !L->client || (c->has_mac && memcmp(c->mac, L->client_mac, 6) == 0);
}

static uint64_t mac_key(const uint8_t mac[6])
{
	uint64_t k = 0;

	for (int i = 0; i < 6; i++)
		k = k << 8 | mac[i];
	return k;
}

static bool owned_client(const struct live *L, const struct nbc_client *c)
{
	size_t v;

	return c->has_mac ? hmap_get(&L->owned, mac_key(c->mac), 3, &v)
			  : hmap_get(&L->owned, c->ip, 4, &v);
}

/* Does this frame belong to a client the current engine owns (during a handover)? */
static bool owned_frame(const struct live *L, const uint8_t *data, size_t caplen)
{
	struct net_link_hdr l2;
	struct net_ipv4 ip;
	struct net_udp udp;
	size_t v;

	if (net_decode_link(L->link, data, caplen, &l2) != NET_OK)
		return false;
	if ((l2.has_src_mac && hmap_get(&L->owned, mac_key(l2.src_mac), 3, &v)) ||
	    (l2.has_dst_mac && hmap_get(&L->owned, mac_key(l2.dst_mac), 3, &v)))
		return true;
	if (net_decode_ipv4(l2.payload, &ip) != NET_OK)
		return false;
	if (hmap_get(&L->owned, ip.src, 4, &v) || hmap_get(&L->owned, ip.dst, 4, &v))
		return true;
	/* A broadcast DHCP reply names its client only in chaddr (BOOTP bytes 28-33). */
	if (ip.proto == 17 && ip.frag_off == 0 && net_decode_udp(ip.payload, &udp) == NET_OK &&
	    (udp.sport == 67 || udp.dport == 68 || udp.sport == 4011) && udp.payload.len >= 34)
		return hmap_get(&L->owned, mac_key(udp.payload.p + 28), 3, &v);
	return false;
}

enum owner { OWN_ALL, OWN_OWNED, OWN_NOT_OWNED };

/* Prints what is new since the last look: stages (again when their result changed) and
 * findings. During a handover each engine speaks for its own clients only; silent records
 * the state without printing it. */
static void engine_news(struct live *L, struct nbc_engine *e, enum owner who, bool final,
			bool silent)
{
	struct nbc_report *r = final ? engine_finish(e) : engine_snapshot(e);

	for (size_t i = 0; i < r->nclients; i++) {
		const struct nbc_client *c = &r->clients[i];

		if (!wanted(L, c) || (who == OWN_OWNED && !owned_client(L, c)) ||
		    (who == OWN_NOT_OWNED && owned_client(L, c)))
			continue;
		for (size_t k = 0; k < c->nstages; k++) {
			const struct nbc_stage *s = &c->stages[k];
			uint64_t key = mix(mix(0xcbf29ce484222325ULL, c->mac, 6), &s->kind, sizeof(s->kind));
			size_t prev;
			size_t now = (size_t)s->result + 1 + (s->terminal ? 8 : 0);

			key = mix(key, &s->frame, sizeof(s->frame));
			if (hmap_get(&L->seen, key, 1, &prev) && prev == now)
				continue;
			/* A stage still in progress is shown once it settles, or at the end. */
			if (s->result == NBC_RESULT_PARTIAL && !final &&
			    L->last_packet - (L->t0 + s->time) < 2.0)
				continue;
			hmap_put(&L->seen, key, 1, now);
			if (!silent)
				print_stage(L, c, s);
		}
	}
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct nbc_finding *f = &r->findings[i];
		uint64_t key = mix(0x84222325cbf29ce4ULL, f->rule, strlen(f->rule));
		size_t prev;

		if (f->client >= 0 && !wanted(L, &r->clients[f->client]))
			continue;
		if (f->client >= 0 && ((who == OWN_OWNED && !owned_client(L, &r->clients[f->client])) ||
				       (who == OWN_NOT_OWNED && owned_client(L, &r->clients[f->client]))))
			continue;
		if (f->client < 0 && who == OWN_NOT_OWNED)
			continue;
		if (f->client >= 0)
			key = mix(key, r->clients[f->client].mac, 6);
		key = mix(key, &f->frame, sizeof(f->frame));
		if (hmap_get(&L->seen, key, 2, &prev))
			continue;
		/* FLOW-STALLED is decided by time passing: only at the end, or when it holds. */
		hmap_put(&L->seen, key, 2, 1);
		if (silent)
			continue;
		print_finding(L, r, f);
		if (f->sev >= L->fail_on)
			L->worst = EXIT_FINDINGS;
	}
}

static void report_news(struct live *L, bool final)
{
	engine_news(L, L->e, L->handover ? OWN_OWNED : OWN_ALL, final, false);
	if (L->handover)
		engine_news(L, L->next, OWN_NOT_OWNED, final, false);
}

static void status_line(struct live *L)
{
	struct nbc_report *r;
	struct pcap_stat ps;
	unsigned booted = 0, failed = 0, booting = 0;

	size_t clients = L->retired_total;

	if (!L->tty || L->json)
		return;
	booted = (unsigned)L->retired_verdicts[NBC_VERDICT_BOOTED];
	failed = (unsigned)(L->retired_verdicts[NBC_VERDICT_FAILED] +
			    L->retired_verdicts[NBC_VERDICT_LOOPING]);
	for (int k = 0; k < (L->handover ? 2 : 1); k++) {
		r = engine_snapshot(k ? L->next : L->e);
		for (size_t i = 0; i < r->nclients; i++) {
			if (L->handover && (k == 0) != owned_client(L, &r->clients[i]))
				continue;
			clients++;
			if (r->clients[i].verdict == NBC_VERDICT_BOOTED)
				booted++;
			else if (r->clients[i].verdict == NBC_VERDICT_FAILED ||
				 r->clients[i].verdict == NBC_VERDICT_LOOPING)
				failed++;
			else
				booting++;
		}
	}
	memset(&ps, 0, sizeof(ps));
	pcap_stats(L->p, &ps);
	printf("\r\033[K%s: %zu clients, %u booting, %u booted, %u failed; %ld packets, %u dropped",
	       L->iface, clients, booting, booted, failed, L->packets, ps.ps_drop);
	fflush(stdout);
}

static bool finished(enum nbc_verdict v)
{
	return v == NBC_VERDICT_BOOTED || v == NBC_VERDICT_FAILED || v == NBC_VERDICT_LOOPING;
}

static bool all_done(struct live *L)
{
	size_t n = 0;

	for (size_t i = 0; i < L->nretired; i++)
		n += !L->client || (L->retired[i].has_mac &&
				    memcmp(L->retired[i].mac, L->client_mac, 6) == 0);
	for (int k = 0; k < (L->handover ? 2 : 1); k++) {
		struct nbc_report *r = engine_snapshot(k ? L->next : L->e);

		for (size_t i = 0; i < r->nclients; i++) {
			const struct nbc_client *c = &r->clients[i];

			if (!wanted(L, c) || (L->handover && (k == 0) != owned_client(L, c)))
				continue;
			n++;
			if (!finished(c->verdict))
				return false;
		}
	}
	return n > 0;
}

static void on_packet(u_char *ctx, const struct pcap_pkthdr *h, const u_char *data)
{
	struct live *L = (struct live *)ctx;
	double ts = (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e6;

	if (L->dump) {
		pcap_dump((u_char *)L->dump, h, data);
		pcap_dump_flush(L->dump);
	}
	if (!L->packets)
		L->t0 = ts;
	L->packets++;
	L->last_packet = ts;
	if (!L->handover) {
		engine_frame(L->e, ts, data, h->caplen);
	} else if (owned_frame(L, data, h->caplen)) {
		engine_frame(L->e, ts, data, h->caplen);
		engine_skip_frame(L->next, ts);
	} else {
		engine_skip_frame(L->e, ts);
		engine_frame(L->next, ts, data, h->caplen);
	}
	if (L->count > 0 && L->packets >= L->count)
		pcap_breakloop(L->p);
}

static struct nbc_engine *new_engine(struct live *L)
{
	struct nbc_engine *e = engine_new(&L->opt);

	if (e)
		engine_set_link(e, L->link, L->dlt);
	return e;
}

static void json_client(const struct live *L, bool first, bool has_mac, const uint8_t *mac,
			uint32_t ip, enum nbc_verdict v)
{
	char m[18];

	(void)L;
	if (has_mac)
		net_mac_str(mac, m, sizeof(m));
	else
		net_ip_str(ip, m, sizeof(m));
	printf("%s{\"client\":\"%s\",\"verdict\":\"%s\"}", first ? "" : ",", m,
	       nbc_verdict_name(v));
}

static void retire(struct live *L);

static void summary(struct live *L)
{
	struct nbc_report *r;
	struct report_opts ro = { L->tty && L->color != 0, -1, false };

	if (L->handover)
		retire(L);
	r = engine_finish(L->e);
	clear_status(L);
	if (L->json) {
		size_t n = 0;

		printf("{\"event\":\"summary\",\"packets\":%ld,\"engines_freed\":%u,"
		       "\"clients_freed\":%zu,\"held_max\":%zu,\"clients\":[",
		       L->packets, L->retirements, L->retired_total, L->held_max);
		for (size_t i = 0; i < L->nretired; i++) {
			const struct retired *t = &L->retired[i];

			if (L->client && !(t->has_mac && memcmp(t->mac, L->client_mac, 6) == 0))
				continue;
			json_client(L, n++ == 0, t->has_mac, t->mac, t->ip, t->verdict);
		}
		for (size_t i = 0; i < r->nclients; i++) {
			if (!wanted(L, &r->clients[i]))
				continue;
			json_client(L, n++ == 0, r->clients[i].has_mac, r->clients[i].mac,
				    r->clients[i].ip, r->clients[i].verdict);
		}
		puts("]}");
	} else {
		puts("");
		if (L->retired_total) {
			printf("earlier clients, summarised and freed: %zu (%zu booted, %zu failed, "
			       "%zu looping, %zu stalled, %zu incomplete)\n",
			       L->retired_total, L->retired_verdicts[NBC_VERDICT_BOOTED],
			       L->retired_verdicts[NBC_VERDICT_FAILED],
			       L->retired_verdicts[NBC_VERDICT_LOOPING],
			       L->retired_verdicts[NBC_VERDICT_STALLED],
			       L->retired_verdicts[NBC_VERDICT_INCOMPLETE]);
			for (size_t i = 0; i < L->nretired; i++) {
				char m[18];

				if (L->retired[i].has_mac)
					net_mac_str(L->retired[i].mac, m, sizeof(m));
				else
					net_ip_str(L->retired[i].ip, m, sizeof(m));
				printf("  %s  %s\n", m, nbc_verdict_name(L->retired[i].verdict));
			}
			if (L->retired_total > L->nretired)
				printf("  (%zu more not listed)\n", L->retired_total - L->nretired);
			puts("");
		}
		report_text(stdout, r, &ro);
	}
	fflush(stdout);
}

static void note_held(struct live *L)
{
	size_t held = engine_nclients(L->e) + (L->next ? engine_nclients(L->next) : 0);

	if (held > L->held_max)
		L->held_max = held;
}

/* Every --idle seconds: a fresh engine takes the clients that appear from now on. */
static void begin_handover(struct live *L, double now)
{
	struct nbc_report *r = engine_snapshot(L->e);

	L->epoch = now;
	if (r->nclients == 0)
		return;
	L->next = engine_new(&L->opt);
	if (L->next == NULL)
		return;		/* out of memory: keep one engine */
	engine_set_link(L->next, L->link, L->dlt);
	engine_set_origin(L->next, (uint64_t)L->packets, L->t0);
	for (size_t i = 0; i < r->nclients; i++) {
		const struct nbc_client *c = &r->clients[i];

		if (c->has_mac)
			hmap_put(&L->owned, mac_key(c->mac), 3, 1);
		else
			hmap_put(&L->owned, c->ip, 4, 1);
	}
	L->handover = true;
	note_held(L);
}

/* The current engine's clients have all finished, or been quiet for --idle seconds. */
static bool owned_settled(struct live *L, double now)
{
	struct nbc_report *r = engine_snapshot(L->e);

	for (size_t i = 0; i < r->nclients; i++) {
		const struct nbc_client *c = &r->clients[i];

		if (owned_client(L, c) && !finished(c->verdict) &&
		    now - (L->t0 + c->last_time) < L->idle)
			return false;
	}
	return true;
}

/* Summarises the current engine's clients, frees it, and lets the next one take over. */
static void retire(struct live *L)
{
	struct nbc_report *r;
	size_t n = 0;

	note_held(L);
	engine_news(L, L->e, OWN_OWNED, true, false);
	r = engine_finish(L->e);
	for (size_t i = 0; i < r->nclients; i++) {
		const struct nbc_client *c = &r->clients[i];
		struct retired *t;

		if (!owned_client(L, c))
			continue;
		n++;
		L->retired_total++;
		L->retired_verdicts[c->verdict]++;
		if (L->retired == NULL)
			L->retired = calloc(RETIRED_KEEP, sizeof(*L->retired));
		if (L->retired == NULL)
			continue;
		/* The newest RETIRED_KEEP: a ring would reorder them, so shift (rare, small). */
		if (L->nretired == RETIRED_KEEP) {
			memmove(L->retired, L->retired + 1, (RETIRED_KEEP - 1) * sizeof(*t));
			L->nretired--;
		}
		t = &L->retired[L->nretired++];
		t->has_mac = c->has_mac;
		memcpy(t->mac, c->mac, 6);
		t->ip = c->ip;
		t->verdict = c->verdict;
	}
	engine_free(L->e);
	L->e = L->next;
	L->next = NULL;
	L->handover = false;
	hmap_free(&L->owned);
	hmap_init(&L->owned);
	L->retirements++;
	/* Forget what was printed about the freed clients: say what is new for the others
	 * first, then remember only their state. */
	engine_news(L, L->e, OWN_ALL, false, false);
	hmap_free(&L->seen);
	hmap_init(&L->seen);
	engine_news(L, L->e, OWN_ALL, false, true);
	clear_status(L);
	if (L->json)
		printf("{\"event\":\"retire\",\"clients\":%zu,\"engines_freed\":%u,"
		       "\"held_max\":%zu}\n", n, L->retirements, L->held_max);
	else
		printf("netboot-check: %zu client%s summarised and freed (%zu so far)\n", n,
		       n == 1 ? "" : "s", L->retired_total);
	fflush(stdout);
}

static int open_capture(struct live *L)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct bpf_program prog;
	char filt[1024];
	int rc;

	L->p = pcap_create(L->iface, ebuf);
	if (!L->p) {
		fprintf(stderr, "netboot-check: %s: %s\n", L->iface, ebuf);
		return -1;
	}
	pcap_set_snaplen(L->p, 262144);
	pcap_set_promisc(L->p, L->promisc);
	pcap_set_timeout(L->p, 100);
	pcap_set_immediate_mode(L->p, 1);
	pcap_set_buffer_size(L->p, 8 << 20);
	rc = pcap_activate(L->p);
	if (rc < 0) {
		if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
			fprintf(stderr, "netboot-check: no such interface %s\n", L->iface);
		else if (rc == PCAP_ERROR_PERM_DENIED)
			fprintf(stderr, "netboot-check: no permission to capture on %s: needs "
					"CAP_NET_RAW (run as root, or setcap cap_net_raw+ep on the "
					"binary)\n",
				L->iface);
		else if (rc == PCAP_ERROR_IFACE_NOT_UP)
			fprintf(stderr, "netboot-check: interface %s is down\n", L->iface);
		else
			fprintf(stderr, "netboot-check: %s: %s\n", L->iface, pcap_geterr(L->p));
		return -1;
	}
	L->dlt = pcap_datalink(L->p);
	if (!capture_map_link(L->dlt, &L->link)) {
		fprintf(stderr, "netboot-check: %s: link type %s is not supported\n", L->iface,
			pcap_datalink_val_to_name(L->dlt) ? pcap_datalink_val_to_name(L->dlt) : "?");
		return -1;
	}
	{
		char boot[512];

		snprintf(boot, sizeof(boot), BOOT_FILTER, L->tcp_ports);
		if (L->filter)
			snprintf(filt, sizeof(filt), "(%s) and (%s)", boot, L->filter);
		else
			snprintf(filt, sizeof(filt), "%s", boot);
	}
	if (pcap_compile(L->p, &prog, filt, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		fprintf(stderr, "netboot-check: --filter: %s\n", pcap_geterr(L->p));
		return -2;
	}
	rc = pcap_setfilter(L->p, &prog);
	pcap_freecode(&prog);
	if (rc != 0) {
		fprintf(stderr, "netboot-check: %s: %s\n", L->iface, pcap_geterr(L->p));
		return -1;
	}
	if (L->write_path) {
		L->dump = pcap_dump_open(L->p, L->write_path);
		if (!L->dump) {
			fprintf(stderr, "netboot-check: -w %s: %s\n", L->write_path, pcap_geterr(L->p));
			return -1;
		}
	}
	return 0;
}

static void live_usage(FILE *out)
{
	fputs("usage: netboot-check live [options] IFACE\n"
	      "\n"
	      "Watches the boots on IFACE as they happen: one line per stage per client,\n"
	      "findings the moment a rule can decide, a summary at the end (Ctrl-C).\n"
	      "\n"
	      "  -i IFACE             the interface (or as the last argument)\n"
	      "  -f, --filter EXPR    BPF added to the boot traffic filter (DHCP, TFTP, HTTP on\n"
	      "                       80/8080, iSCSI on 3260)\n"
	      "  --tcp-port N         also watch TCP port N (HTTP or iSCSI elsewhere than 80,\n"
	      "                       8080, 3260; repeatable, up to 16)\n"
	      "  --client MAC         follow one machine\n"
	      "  --no-promisc         do not put the interface in promiscuous mode\n"
	      "  -w FILE              also write the capture to FILE (pcap)\n"
	      "  --duration S         stop after S seconds\n"
	      "  -c COUNT             stop after COUNT packets\n"
	      "  --until-booted       stop when every client seen has booted or failed\n"
	      "  --idle S             every S seconds a fresh engine takes the new clients; the\n"
	      "                       others are summarised and freed once they finished or were\n"
	      "                       quiet for S seconds (default 300): memory stays flat\n"
	      "  --format text|json   text lines, or JSON lines (one event per line)\n"
	      "  --expect SITE, --stall-timeout SEC, --fail-on SEV, --enable/--disable ID,\n"
	      "  --color=auto|always|never   as for analyze\n"
	      "\n"
	      "Exit status as analyze: 0 no finding at or above --fail-on, 1 findings,\n"
	      "2 cannot capture (no interface, interface down, no permission), 3 usage.\n",
	      out);
}

#define usage_err(...) cli_usage_error("netboot-check: ", "netboot-check live --help", __VA_ARGS__)

int cmd_live(int argc, char **argv)
{
	enum { O_FILTER = 256, O_CLIENT, O_NOPROMISC, O_DURATION, O_UNTIL, O_IDLE, O_FORMAT,
	       O_EXPECT, O_STALL, O_FAILON, O_ENABLE, O_DISABLE, O_COLOR, O_TCPPORT, O_HELP };
	static const struct option longopts[] = {
		{ "filter", required_argument, NULL, O_FILTER },
		{ "client", required_argument, NULL, O_CLIENT },
		{ "no-promisc", no_argument, NULL, O_NOPROMISC },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "until-booted", no_argument, NULL, O_UNTIL },
		{ "idle", required_argument, NULL, O_IDLE },
		{ "tcp-port", required_argument, NULL, O_TCPPORT },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "expect", required_argument, NULL, O_EXPECT },
		{ "stall-timeout", required_argument, NULL, O_STALL },
		{ "fail-on", required_argument, NULL, O_FAILON },
		{ "enable", required_argument, NULL, O_ENABLE },
		{ "disable", required_argument, NULL, O_DISABLE },
		{ "color", optional_argument, NULL, O_COLOR },
		{ "colour", optional_argument, NULL, O_COLOR },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	static struct live L;
	char err[512];
	double start;
	double last_eval = 0;
	int ch;

	memset(&L, 0, sizeof(L));
	L.promisc = true;
	L.color = -1;
	L.fail_on = NBC_SEV_ERROR;
	L.stall = 30.0;
	L.idle = 300.0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "i:f:w:c:h", longopts, NULL)) != -1) {
		char *end;

		switch (ch) {
		case 'i':
			L.iface = optarg;
			break;
		case 'f':
		case O_FILTER:
			L.filter = optarg;
			break;
		case 'w':
			L.write_path = optarg;
			break;
		case 'c':
			L.count = strtol(optarg, &end, 10);
			if (*end || L.count <= 0)
				return usage_err("-c takes a packet count, not '%s'", optarg);
			break;
		case O_CLIENT:
			if (!net_mac_parse(optarg, L.client_mac))
				return usage_err("--client needs a MAC, not '%s'", optarg);
			L.client = optarg;
			break;
		case O_NOPROMISC:
			L.promisc = false;
			break;
		case O_DURATION:
			L.duration = strtod(optarg, &end);
			if (*end || L.duration <= 0)
				return usage_err("--duration takes seconds, not '%s'", optarg);
			break;
		case O_UNTIL:
			L.until_booted = true;
			break;
		case O_TCPPORT: {
			long port = strtol(optarg, &end, 10);
			size_t used = strlen(L.tcp_ports);

			if (*end || port < 1 || port > 65535)
				return usage_err("--tcp-port takes a port number, not '%s'", optarg);
			if (used + 16 >= sizeof(L.tcp_ports))
				return usage_err("--tcp-port: at most 16 ports");
			snprintf(L.tcp_ports + used, sizeof(L.tcp_ports) - used, " or port %ld", port);
			break;
		}
		case O_IDLE:
			L.idle = strtod(optarg, &end);
			if (*end || L.idle <= 0)
				return usage_err("--idle takes seconds, not '%s'", optarg);
			break;
		case O_FORMAT:
			if (strcmp(optarg, "text") && strcmp(optarg, "json"))
				return usage_err("--format takes text or json, not '%s'", optarg);
			L.json = !strcmp(optarg, "json");
			break;
		case O_EXPECT:
			L.expect = optarg;
			break;
		case O_STALL:
			L.stall = strtod(optarg, &end);
			if (*end || L.stall <= 0)
				return usage_err("--stall-timeout takes seconds, not '%s'", optarg);
			break;
		case O_FAILON:
			if (!strcmp(optarg, "error"))
				L.fail_on = NBC_SEV_ERROR;
			else if (!strcmp(optarg, "warning"))
				L.fail_on = NBC_SEV_WARNING;
			else if (!strcmp(optarg, "info"))
				L.fail_on = NBC_SEV_INFO;
			else
				return usage_err("--fail-on takes error, warning or info");
			break;
		case O_ENABLE:
		case O_DISABLE:
			if (!rules_set_enabled(optarg, ch == O_ENABLE))
				return usage_err("no rule '%s'", optarg);
			break;
		case O_COLOR:
			L.color = !optarg || !strcmp(optarg, "always") ? 1 :
				  !strcmp(optarg, "never")	       ? 0 :
									 -1;
			break;
		case 'h':
		case O_HELP:
			live_usage(stdout);
			return EXIT_CLEAN;
		default:
			return EXIT_USAGE;
		}
	}
	if (!L.iface && optind < argc)
		L.iface = argv[optind++];
	if (optind < argc)
		return usage_err("unexpected argument '%s'", argv[optind]);
	if (!L.iface)
		return usage_err("live needs an interface (netboot-check live eth0)");
	if (L.expect) {
		if (expect_load(L.expect, &L.exp, err, sizeof(err)) != 0) {
			fprintf(stderr, "netboot-check: %s\n", err);
			return EXIT_CANNOT;
		}
		L.opt.expect = &L.exp;
	}
	L.opt.stall_secs = L.stall;
	switch (open_capture(&L)) {
	case 0:
		break;
	case -2:
		return EXIT_USAGE;
	default:
		if (L.p)
			pcap_close(L.p);
		return EXIT_CANNOT;
	}
	L.tty = isatty(fileno(stdout)) != 0;
	if (L.color == 1)
		L.tty = true;
	L.e = new_engine(&L);
	hmap_init(&L.seen);
	hmap_init(&L.owned);
	if (!L.e) {
		fputs("netboot-check: out of memory\n", stderr);
		return EXIT_CANNOT;
	}
	{
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_stop;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	fprintf(stderr, "netboot-check: watching %s (%s); Ctrl-C for the summary\n", L.iface,
		L.filter ? L.filter : "boot traffic");
	start = wall();
	L.epoch = start;
	while (!stop_flag) {
		struct pollfd pfd = { pcap_get_selectable_fd(L.p), POLLIN, 0 };
		double now;
		int rc;

		rc = poll(&pfd, 1, 200);
		if (rc < 0 && errno != EINTR)
			break;
		if (rc > 0) {
			rc = pcap_dispatch(L.p, -1, on_packet, (u_char *)&L);
			if (rc == PCAP_ERROR) {
				fprintf(stderr, "netboot-check: %s: %s\n", L.iface, pcap_geterr(L.p));
				break;
			}
		}
		now = wall();
		/* Time passes while nothing arrives: the engine sees it (stalls). */
		if (L.packets) {
			engine_tick(L.e, now);
			if (L.next)
				engine_tick(L.next, now);
		}
		if (now - last_eval >= SNAPSHOT_EVERY) {
			last_eval = now;
			if (L.packets) {
				report_news(&L, false);
				status_line(&L);
				/* --idle: hand new clients to a fresh engine; free the old one once
				 * its clients are done. */
				if (!L.handover && now - L.epoch >= L.idle)
					begin_handover(&L, now);
				else if (L.handover && owned_settled(&L, now))
					retire(&L);
			}
			if (L.until_booted && L.packets && all_done(&L))
				break;
		}
		if (L.count > 0 && L.packets >= L.count)
			break;
		if (L.duration > 0 && now - start >= L.duration)
			break;
	}
	if (L.packets)
		report_news(&L, true);
	summary(&L);
	{
		struct pcap_stat ps;

		if (pcap_stats(L.p, &ps) == 0 && ps.ps_drop && !L.json)
			fprintf(stderr, "netboot-check: %u packets dropped by the kernel\n", ps.ps_drop);
	}
	if (L.dump)
		pcap_dump_close(L.dump);
	pcap_close(L.p);
	engine_free(L.e);
	if (L.next)
		engine_free(L.next);
	hmap_free(&L.seen);
	hmap_free(&L.owned);
	free(L.retired);
	return L.worst;
}
