/* main.c: netboot-serve, the reference DHCP, TFTP, HTTP and iSCSI server, from one site file. */
#include <arpa/inet.h>
#include <getopt.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "checker/expect.h"
#include "checker/model.h"
#include "proto/net.h"
#include "proto/site.h"
#include "server/dhcpd.h"
#include "server/httpd.h"
#include "server/iscsid.h"
#include "server/log.h"
#include "server/loop.h"
#include "server/tftpd.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_CONFIG = 2, EXIT_USAGE = 3 };

static void usage(FILE *out)
{
	fputs("usage: netboot-serve --site SITE [options]\n"
	      "\n"
	      "Serves a boot site described by SITE (docs/site-config.md): DHCP (with --iface),\n"
	      "TFTP (tftp.root), HTTP (http.root) and iSCSI (iscsi.lun) from one process.\n"
	      "\n"
	      "  --site SITE        the site file (required)\n"
	      "  --iface IF         serve DHCP on IF (DHCP is off without it)\n"
	      "  --listen ADDR      bind TFTP, HTTP and iSCSI to ADDR (default: every address)\n"
	      "  --dhcp-port N      default 67 (replies go to N + 1)\n"
	      "  --tftp-port N      default 69\n"
	      "  --http-port N      default 80\n"
	      "  --iscsi-port N     default 3260\n"
	      "  --log-json         log JSON lines instead of text\n"
	      "  --log-rate R/B     per kind of log line: a burst of B lines, then R a second;\n"
	      "                     past it a summary counts those suppressed (default 20/200,\n"
	      "                     0 = unlimited)\n"
	      "  --check            parse SITE, print a summary and exit (0 valid, 2 not)\n"
	      "  -h, --help, --version\n"
	      "\n"
	      "Prints \"netboot-serve: ready\" on stderr once every service listens. SIGINT or\n"
	      "SIGTERM stop it cleanly (leases written). Exit status: 0 clean stop, 1 a service\n"
	      "failed, 2 bad site file or cannot start (port in use, no permission), 3 usage.\n",
	      out);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("netboot-serve: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (netboot-serve --help)\n", stderr);
	return EXIT_USAGE;
}

static int port_arg(const char *name, const char *v, uint16_t *out)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (!*v || *end || n > 65535)
		return usage_error("%s takes a port number 0-65535, not '%s'", name, v);
	*out = (uint16_t)n;
	return 0;
}

/*
 * The caps need about FD_NEED descriptors: 512 TFTP transfers (a socket and a file each),
 * 256 HTTP connections (a socket, and a file while sending), 64 iSCSI connections, the
 * listeners. A soft limit of 1024, the usual default, runs out before the caps do, and
 * then open() and accept() fail instead ("ERROR 2" to TFTP clients). poll(2) has no
 * FD_SETSIZE limit: raise the soft limit towards the hard one.
 */
#define FD_NEED 1700
#define FD_WANT 4096

static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= FD_WANT)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > FD_WANT ? FD_WANT : rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < FD_NEED)
		srv_log("serve", NULL,
			"file descriptor limit %llu is below the %d the caps need: past it new "
			"transfers and connections fail (ulimit -n)",
			(unsigned long long)rl.rlim_cur, FD_NEED);
}

/* Paths in the site file are relative to its directory. */
static void resolve(const char *dir, const char *path, char *out, size_t cap)
{
	if (path[0] == '/' || !path[0])
		snprintf(out, cap, "%s", path);
	else
		snprintf(out, cap, "%s/%s", dir, path);
}

struct paths {
	char tftp[2 * SITE_STR];
	char http[2 * SITE_STR];
	char leases[2 * SITE_STR];
	char luns[SITE_TARGETS_MAX][SITE_LUNS_MAX][2 * SITE_STR];
};

int main(int argc, char **argv)
{
	enum { O_SITE = 256, O_IFACE, O_LISTEN, O_DHCP, O_TFTP, O_HTTP, O_ISCSI, O_JSON, O_LOGRATE,
	       O_CHECK, O_VERSION };
	static const struct option longopts[] = {
		{ "site", required_argument, NULL, O_SITE },
		{ "iface", required_argument, NULL, O_IFACE },
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "dhcp-port", required_argument, NULL, O_DHCP },
		{ "tftp-port", required_argument, NULL, O_TFTP },
		{ "http-port", required_argument, NULL, O_HTTP },
		{ "iscsi-port", required_argument, NULL, O_ISCSI },
		{ "log-json", no_argument, NULL, O_JSON },
		{ "log-rate", required_argument, NULL, O_LOGRATE },
		{ "check", no_argument, NULL, O_CHECK },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	const char *site_path = NULL;
	const char *iface = NULL;
	uint32_t listen_ip = 0;
	uint16_t dport = 67, tport = 69, hport = 80, iport = 3260;
	bool check_only = false;
	static struct site site;
	static struct paths P;
	static struct iscsid_target targets[SITE_TARGETS_MAX];
	struct httpd_auth auth[SITE_AUTH_MAX];
	char err[512];
	char dir[2 * SITE_STR];
	struct srv_loop *loop;
	struct dhcpd *dh = NULL;
	struct tftpd *tf = NULL;
	struct httpd *ht = NULL;
	struct iscsid *is = NULL;
	int ch;
	int rc = EXIT_OK;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case O_SITE:
			site_path = optarg;
			break;
		case O_IFACE:
			iface = optarg;
			break;
		case O_LISTEN:
			if (!net_ip_parse(optarg, &listen_ip))
				return usage_error("--listen takes an IPv4 address, not '%s'", optarg);
			break;
		case O_DHCP:
			if (port_arg("--dhcp-port", optarg, &dport))
				return EXIT_USAGE;
			break;
		case O_TFTP:
			if (port_arg("--tftp-port", optarg, &tport))
				return EXIT_USAGE;
			break;
		case O_HTTP:
			if (port_arg("--http-port", optarg, &hport))
				return EXIT_USAGE;
			break;
		case O_ISCSI:
			if (port_arg("--iscsi-port", optarg, &iport))
				return EXIT_USAGE;
			break;
		case O_JSON:
			srv_log_set_json(true);
			break;
		case O_LOGRATE:
			if (srv_log_rate_arg(optarg) != 0)
				return usage_error("--log-rate takes RATE/BURST (lines a second, "
						   "lines at once; 1-1000000 each) or 0, not '%s'",
						   optarg);
			break;
		case O_CHECK:
			check_only = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case O_VERSION:
			printf("netboot-serve %s\n", NBC_VERSION);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!site_path)
		return usage_error("--site SITE is required");
	if (site_load(site_path, &site, err, sizeof(err)) != 0) {
		fprintf(stderr, "netboot-serve: %s\n", err);
		return EXIT_CONFIG;
	}
	{
		char tmp[2 * SITE_STR];

		snprintf(tmp, sizeof(tmp), "%s", site_path);
		snprintf(dir, sizeof(dir), "%s", dirname(tmp));
	}
	resolve(dir, site.tftp_root, P.tftp, sizeof(P.tftp));
	resolve(dir, site.http_root, P.http, sizeof(P.http));
	resolve(dir, site.leases_file, P.leases, sizeof(P.leases));
	for (size_t i = 0; i < site.ntargets; i++) {
		struct iscsid_target *t = &targets[i];

		memset(t, 0, sizeof(*t));
		t->name = site.targets[i].name;
		t->nluns = site.targets[i].nluns;
		for (size_t k = 0; k < t->nluns; k++) {
			resolve(dir, site.targets[i].luns[k].path, P.luns[i][k], sizeof(P.luns[i][k]));
			t->luns[k].lun = site.targets[i].luns[k].lun;
			t->luns[k].path = P.luns[i][k];
			t->luns[k].rw = site.targets[i].luns[k].rw;
		}
		if (site.targets[i].chap_user[0]) {
			t->chap_user = site.targets[i].chap_user;
			t->chap_secret = site.targets[i].chap_secret;
		}
		if (!t->nluns) {
			fprintf(stderr, "netboot-serve: %s: target %s has a CHAP account but no LUN\n",
				site_path, t->name);
			return EXIT_CONFIG;
		}
	}
	for (size_t i = 0; i < site.nauth; i++) {
		auth[i].prefix = site.auth[i].prefix;
		auth[i].user = site.auth[i].user;
		auth[i].password = site.auth[i].password;
	}
	if (check_only) {
		char a[16];

		printf("%s: valid; server %s; DHCP %s; TFTP %s; HTTP %s; iSCSI %zu target%s\n",
		       site_path, net_ip_str(site.server_ip, a, sizeof(a)),
		       site.proxy ? "proxy" : site.pool_first ? "pool" : "off",
		       site.tftp_root[0] ? P.tftp : "off", site.http_root[0] ? P.http : "off",
		       site.ntargets, site.ntargets == 1 ? "" : "s");
		return EXIT_OK;
	}
	if (!iface && !site.tftp_root[0] && !site.http_root[0] && !site.ntargets) {
		fprintf(stderr, "netboot-serve: nothing to serve: no --iface for DHCP and no "
				"tftp.root, http.root or iscsi.lun in %s\n",
			site_path);
		return EXIT_CONFIG;
	}
	loop = srv_loop_new();
	if (!loop) {
		fputs("netboot-serve: out of memory\n", stderr);
		return EXIT_FAIL;
	}
	srv_loop_stop_on_signals();
	raise_fd_limit();
	/* Every service starts, or none: a half-started server is worse than none. */
	if (iface) {
		struct dhcpd_conf dc = { &site, iface, listen_ip, dport,
					 site.leases_file[0] ? P.leases : NULL, 0 };

		dh = dhcpd_new(loop, &dc, err, sizeof(err));
		if (!dh)
			goto fail;
	}
	if (site.tftp_root[0]) {
		struct tftpd_conf tc;

		memset(&tc, 0, sizeof(tc));
		tc.root = P.tftp;
		tc.listen_ip = listen_ip;
		tc.port = tport;
		tf = tftpd_new(loop, &tc, err, sizeof(err));
		if (!tf)
			goto fail;
	}
	if (site.http_root[0]) {
		struct httpd_conf hc;

		memset(&hc, 0, sizeof(hc));
		hc.root = P.http;
		hc.listen_ip = listen_ip;
		hc.port = hport;
		hc.auth = auth;
		hc.nauth = site.nauth;
		ht = httpd_new(loop, &hc, err, sizeof(err));
		if (!ht)
			goto fail;
	}
	if (site.ntargets) {
		struct iscsid_conf ic;

		memset(&ic, 0, sizeof(ic));
		ic.listen_ip = listen_ip;
		ic.port = iport;
		ic.targets = targets;
		ic.ntargets = site.ntargets;
		is = iscsid_new(loop, &ic, err, sizeof(err));
		if (!is)
			goto fail;
	}
	{
		char line[256] = "";
		size_t n = 0;

		if (dh)
			n += (size_t)snprintf(line + n, sizeof(line) - n, " dhcp=%s:%u", iface,
					      dhcpd_port(dh));
		if (tf)
			n += (size_t)snprintf(line + n, sizeof(line) - n, " tftp=%u", tftpd_port(tf));
		if (ht)
			n += (size_t)snprintf(line + n, sizeof(line) - n, " http=%u", httpd_port(ht));
		if (is)
			snprintf(line + n, sizeof(line) - n, " iscsi=%u", iscsid_port(is));
		srv_log("serve", NULL, "listening:%s", line);
	}
	fputs("netboot-serve: ready\n", stderr);
	fflush(stderr);
	if (srv_loop_run(loop) != 0) {
		srv_log("serve", NULL, "event loop failed");
		rc = EXIT_FAIL;
	}
	srv_log("serve", NULL, "stopping");
	goto out;
fail:
	fprintf(stderr, "netboot-serve: %s\n", err);
	rc = EXIT_CONFIG;
out:
	iscsid_free(is);
	httpd_free(ht);
	tftpd_free(tf);
	dhcpd_free(dh);
	srv_loop_free(loop);
	return rc;
}
