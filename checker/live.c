/* live.c: `netboot-check live IFACE`: boots watched as they happen, with the same engine as analyze. */
#include "checker/live.h"

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
#define BOOT_FILTER "udp or (tcp and (port 80 or port 8080 or port 3260))"
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
	unsigned rounds;	/* engines summarised and replaced (--idle) */
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

/* Prints what is new since the last look: stages (again when their result changed) and findings. */
static void report_news(struct live *L, bool final)
{
	struct nbc_report *r = final ? engine_finish(L->e) : engine_snapshot(L->e);

	for (size_t i = 0; i < r->nclients; i++) {
		const struct nbc_client *c = &r->clients[i];

		if (!wanted(L, c))
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
			print_stage(L, c, s);
		}
	}
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct nbc_finding *f = &r->findings[i];
		uint64_t key = mix(0x84222325cbf29ce4ULL, f->rule, strlen(f->rule));
		size_t prev;

		if (f->client >= 0 && !wanted(L, &r->clients[f->client]))
			continue;
		if (f->client >= 0)
			key = mix(key, r->clients[f->client].mac, 6);
		key = mix(key, &f->frame, sizeof(f->frame));
		if (hmap_get(&L->seen, key, 2, &prev))
			continue;
		/* FLOW-STALLED is decided by time passing: only at the end, or when it holds. */
		hmap_put(&L->seen, key, 2, 1);
		print_finding(L, r, f);
		if (f->sev >= L->fail_on)
			L->worst = EXIT_FINDINGS;
	}
}

static void status_line(struct live *L)
{
	struct nbc_report *r;
	struct pcap_stat ps;
	unsigned booted = 0, failed = 0, booting = 0;

	if (!L->tty || L->json)
		return;
	r = engine_snapshot(L->e);
	for (size_t i = 0; i < r->nclients; i++) {
		if (r->clients[i].verdict == NBC_VERDICT_BOOTED)
			booted++;
		else if (r->clients[i].verdict == NBC_VERDICT_FAILED ||
			 r->clients[i].verdict == NBC_VERDICT_LOOPING)
			failed++;
		else
			booting++;
	}
	memset(&ps, 0, sizeof(ps));
	pcap_stats(L->p, &ps);
	printf("\r\033[K%s: %zu clients, %u booting, %u booted, %u failed; %ld packets, %u dropped",
	       L->iface, r->nclients, booting, booted, failed, L->packets, ps.ps_drop);
	fflush(stdout);
}

static bool all_done(struct live *L)
{
	struct nbc_report *r = engine_snapshot(L->e);
	size_t n = 0;

	for (size_t i = 0; i < r->nclients; i++) {
		const struct nbc_client *c = &r->clients[i];

		if (!wanted(L, c))
			continue;
		n++;
		if (c->verdict != NBC_VERDICT_BOOTED && c->verdict != NBC_VERDICT_FAILED &&
		    c->verdict != NBC_VERDICT_LOOPING)
			return false;
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
	engine_frame(L->e, ts, data, h->caplen);
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

static void summary(struct live *L)
{
	struct nbc_report *r = engine_finish(L->e);
	struct report_opts ro = { L->tty && L->color != 0, -1, false };

	clear_status(L);
	if (L->json) {
		printf("{\"event\":\"summary\",\"packets\":%ld,\"clients\":[", L->packets);
		for (size_t i = 0, n = 0; i < r->nclients; i++) {
			char m[18];

			if (!wanted(L, &r->clients[i]))
				continue;
			mac_str(&r->clients[i], m);
			printf("%s{\"client\":\"%s\",\"verdict\":\"%s\"}", n++ ? "," : "", m,
			       nbc_verdict_name(r->clients[i].verdict));
		}
		puts("]}");
	} else {
		puts("");
		report_text(stdout, r, &ro);
	}
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
	if (L->filter)
		snprintf(filt, sizeof(filt), "(%s) and (%s)", BOOT_FILTER, L->filter);
	else
		snprintf(filt, sizeof(filt), "%s", BOOT_FILTER);
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
	      "  --client MAC         follow one machine\n"
	      "  --no-promisc         do not put the interface in promiscuous mode\n"
	      "  -w FILE              also write the capture to FILE (pcap)\n"
	      "  --duration S         stop after S seconds\n"
	      "  -c COUNT             stop after COUNT packets\n"
	      "  --until-booted       stop when every client seen has booted or failed\n"
	      "  --idle S             when nothing arrived for S seconds, summarise and forget\n"
	      "                       the clients seen so far (default 300; memory stays flat)\n"
	      "  --format text|json   text lines, or JSON lines (one event per line)\n"
	      "  --expect SITE, --stall-timeout SEC, --fail-on SEV, --enable/--disable ID,\n"
	      "  --color=auto|always|never   as for analyze\n"
	      "\n"
	      "Exit status as analyze: 0 no finding at or above --fail-on, 1 findings,\n"
	      "2 cannot capture (no interface, interface down, no permission), 3 usage.\n",
	      out);
}

static int usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_err(const char *fmt, ...)
{
	va_list ap;

	fputs("netboot-check: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (netboot-check live --help)\n", stderr);
	return EXIT_USAGE;
}

int cmd_live(int argc, char **argv)
{
	enum { O_FILTER = 256, O_CLIENT, O_NOPROMISC, O_DURATION, O_UNTIL, O_IDLE, O_FORMAT,
	       O_EXPECT, O_STALL, O_FAILON, O_ENABLE, O_DISABLE, O_COLOR, O_HELP };
	static const struct option longopts[] = {
		{ "filter", required_argument, NULL, O_FILTER },
		{ "client", required_argument, NULL, O_CLIENT },
		{ "no-promisc", no_argument, NULL, O_NOPROMISC },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "until-booted", no_argument, NULL, O_UNTIL },
		{ "idle", required_argument, NULL, O_IDLE },
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
		if (L.packets)
			engine_tick(L.e, now);
		if (now - last_eval >= SNAPSHOT_EVERY) {
			last_eval = now;
			if (L.packets) {
				report_news(&L, false);
				status_line(&L);
			}
			if (L.until_booted && L.packets && all_done(&L))
				break;
		}
		if (L.count > 0 && L.packets >= L.count)
			break;
		if (L.duration > 0 && now - start >= L.duration)
			break;
		/* --idle: a quiet network; summarise what was seen and start afresh. */
		if (L.packets && now - L.last_packet >= L.idle) {
			report_news(&L, true);
			summary(&L);
			engine_free(L.e);
			L.e = new_engine(&L);
			L.packets = 0;
			L.rounds++;
			if (!L.e)
				break;
		}
	}
	if (L.e) {
		if (L.packets)
			report_news(&L, true);
		summary(&L);
	}
	{
		struct pcap_stat ps;

		if (pcap_stats(L.p, &ps) == 0 && ps.ps_drop && !L.json)
			fprintf(stderr, "netboot-check: %u packets dropped by the kernel\n", ps.ps_drop);
	}
	if (L.dump)
		pcap_dump_close(L.dump);
	pcap_close(L.p);
	engine_free(L.e);
	hmap_free(&L.seen);
	return L.worst;
}
