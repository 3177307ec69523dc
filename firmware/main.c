/* main.c: netboot-firmware, the reference client: PXE ROM -> NBP -> pxelinux -> iPXE -> sanboot. */
#include <arpa/inet.h>
#include <getopt.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "checker/model.h"
#include "firmware/dhcpc.h"
#include "firmware/fetch.h"
#include "firmware/ipxe.h"
#include "firmware/san.h"
#include "proto/dhcp.h"
#include "proto/net.h"
#include "proto/pxecfg.h"
#include "proto/pxelinux.h"

enum { EXIT_BOOTED = 0, EXIT_FAILED = 1, EXIT_CANNOT = 2, EXIT_USAGE = 3 };

#define KEPT_SAN_MAX 8

struct fw {
	const char *iface;
	uint16_t arch;
	uint8_t uuid[16];
	const char *label;
	const char *username;	/* --username / --password: for `login` and CHAP */
	const char *password;
	double timeout;
	unsigned max_chain;
	bool json;
	uint16_t dhcp_port;
	double t0;
	struct dhcpc_lease lease;	/* the current (last) DHCP lease */
	bool have_lease;
	struct fetch_http_session *http;
	struct ipxe_env *env;
	unsigned chains;	/* iPXE images chained so far */
	unsigned depth;		/* scripts within scripts */
	char base[512];		/* the current script's URL, for relative URIs */
	bool terminal;		/* a terminal stage was reached */
	char terminal_stage[32];
	char failed_stage[32];
	char failure[512];
	struct san_handle *kept[KEPT_SAN_MAX];
	size_t nkept;
	char image[512];	/* the image selected by kernel/imgfetch, for boot */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* One timeline line: stage, result, what happened. */
static void stage(struct fw *w, const char *name, const char *result, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void stage(struct fw *w, const char *name, const char *result, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (w->json) {
		fprintf(stderr, "{\"time\":%.3f,\"stage\":", now() - w->t0);
		json_str(stderr, name);
		fputs(",\"result\":", stderr);
		json_str(stderr, result);
		fputs(",\"detail\":", stderr);
		json_str(stderr, msg);
		fputs("}\n", stderr);
	} else {
		fprintf(stderr, "[%8.3f] %-14s %-7s %s\n", now() - w->t0, name, result, msg);
	}
	if (!strcmp(result, "failed") && !w->failed_stage[0]) {
		snprintf(w->failed_stage, sizeof(w->failed_stage), "%s", name);
		snprintf(w->failure, sizeof(w->failure), "%s", msg);
	}
}

static void terminal(struct fw *w, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void terminal(struct fw *w, const char *name, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	stage(w, name, "ok", "%s", msg);
	w->terminal = true;
	snprintf(w->terminal_stage, sizeof(w->terminal_stage), "%s", name);
}

static void dhcp_log(void *ctx, const char *line)
{
	struct fw *w = ctx;

	if (!w->json)
		fprintf(stderr, "[%8.3f]   %s\n", now() - w->t0, line);
}

/* The interface's MAC (SIOCGIFHWADDR); -1 if there is no such interface. */
static int iface_mac(const char *iface, uint8_t mac[6])
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc;

	if (fd < 0 || strlen(iface) >= sizeof(ifr.ifr_name)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, iface, strlen(iface));
	rc = ioctl(fd, SIOCGIFHWADDR, &ifr);
	close(fd);
	if (rc != 0)
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

static const char *ipstr(uint32_t ip, char *buf)
{
	return net_ip_str(ip, buf, 16);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static bool is_ipxe_binary(const char *name)
{
	static const char *const n[] = { "undionly.kpxe", "undionly.kkpxe", "ipxe.lkrn",
					 "ipxe.pxe",	  "ipxe.efi",	    "snponly.efi",
					 "ipxe.kpxe",	  "ipxe.usb",	    NULL };
	const char *b = base_name(name);

	for (size_t i = 0; n[i]; i++)
		if (!strcasecmp(b, n[i]))
			return true;
	return false;
}

/* Where a TFTP name goes: option 66 if the reply had it, else next-server. */
static uint32_t tftp_server(const struct fw *w)
{
	uint32_t ip;

	if (w->lease.tftp_server[0] && net_ip_parse(w->lease.tftp_server, &ip))
		return ip;
	return w->lease.siaddr ? w->lease.siaddr : w->lease.server_id;
}

static int dhcp(struct fw *w, enum dhcpc_persona persona)
{
	struct dhcpc_conf c;
	char err[256];
	char a[16];
	const char *name = persona == DHCPC_PXE_ROM ? "pxe-dhcp" : "ipxe-dhcp";

	memset(&c, 0, sizeof(c));
	c.iface = w->iface;
	c.persona = persona;
	c.arch = w->arch;
	memcpy(c.uuid, w->uuid, 16);
	c.timeout = w->timeout;
	c.server_port = w->dhcp_port;
	if (dhcpc_run(&c, &w->lease, dhcp_log, w, err, sizeof(err)) != 0) {
		stage(w, name, "failed", "%s", err);
		return -1;
	}
	if (dhcpc_configure(w->iface, &w->lease, err, sizeof(err)) != 0) {
		stage(w, name, "failed", "cannot configure %s: %s", w->iface, err);
		return -1;
	}
	w->have_lease = true;
	stage(w, name, "ok", "%s from %s; boot file %s%s%s", ipstr(w->lease.ip, a),
	      ipstr(w->lease.server_id, (char[16]){ 0 }),
	      w->lease.bootfile[0] ? w->lease.bootfile : "(none)",
	      w->lease.from_proxy ? " (proxyDHCP)" : "",
	      w->lease.has_209 ? "; 209 present" : "");
	return 0;
}

static int fetch_one(struct fw *w, const char *what, const char *uri, enum fetch_persona p,
		     struct fetch_result *r)
{
	struct fetch_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.persona = p;
	o.timeout = w->timeout > 10 ? 5.0 : w->timeout / 2;
	o.retries = 3;
	/* UEFI firmware asks for the NBP's size first (RRQ, OACK, ERROR 8), then fetches it. */
	o.probe = p == FETCH_PXE_ROM && w->arch != 0;
	memset(r, 0, sizeof(*r));
	rc = fetch_any(w->http, uri, tftp_server(w), &o, r);
	if (rc != 0)
		stage(w, what, "failed", "%s: %s", uri, r->error);
	else
		stage(w, what, "ok", "%s: %llu bytes", uri, (unsigned long long)r->size);
	return rc;
}

/* A URI relative to the current script's URL (iPXE resolves them so). */
static void resolve_uri(const struct fw *w, const char *uri, char *out, size_t cap)
{
	const char *slash;

	if (strstr(uri, "://") || !w->base[0] || uri[0] == '/') {
		if (uri[0] == '/' && w->base[0] && strstr(w->base, "://")) {
			const char *host_end = strchr(strstr(w->base, "://") + 3, '/');
			int n = host_end ? (int)(host_end - w->base) : (int)strlen(w->base);

			snprintf(out, cap, "%.*s%s", n, w->base, uri);
			return;
		}
		snprintf(out, cap, "%s", uri);
		return;
	}
	slash = strrchr(w->base, '/');
	snprintf(out, cap, "%.*s%s", slash ? (int)(slash - w->base + 1) : 0, w->base, uri);
}

static int ipxe_stage(struct fw *w, const char *command);
static int pxelinux_stage(struct fw *w, const char *nbp);

/* --- the host side of the iPXE interpreter --- */

static int run_script_text(struct fw *w, const char *uri, const char *text, size_t len);

static int host_chain(void *ctx, const char *uri_in, const char *args, bool autofree)
{
	struct fw *w = ctx;
	struct fetch_result r;
	char uri[512];
	int rc;

	(void)args;
	(void)autofree;
	resolve_uri(w, uri_in, uri, sizeof(uri));
	if (is_ipxe_binary(uri)) {
		/* Real iPXE loads the new iPXE, which starts over with its own DHCP. */
		if (++w->chains > w->max_chain) {
			stage(w, "ipxe-chain", "failed",
			      "iPXE chained an iPXE binary (%s) %u times: a loop (--max-chain %u)",
			      uri, w->chains - 1, w->max_chain);
			return -1;
		}
		if (fetch_one(w, "ipxe-chain", uri, FETCH_IPXE, &r) != 0)
			return -1;
		free(r.small);
		return ipxe_stage(w, NULL);
	}
	if (fetch_one(w, "ipxe-chain", uri, FETCH_IPXE, &r) != 0)
		return -1;
	if (r.small && r.small_len >= 6 && (!strncmp((char *)r.small, "#!ipxe", 6) ||
					     !strncmp((char *)r.small, "#!gpxe", 6))) {
		rc = run_script_text(w, uri, (const char *)r.small, r.small_len);
		free(r.small);
		return rc;
	}
	free(r.small);
	if (pxelinux_is_nbp(uri))
		return pxelinux_stage(w, uri);
	/* Anything else that chain runs is the handoff: a kernel, wimboot, memdisk... */
	terminal(w, "kernel", "%s loaded and run (chain)", uri);
	return 0;
}

static int host_fetch(void *ctx, const char *uri_in, const char *name)
{
	struct fw *w = ctx;
	struct fetch_result r;
	char uri[512];

	(void)name;
	resolve_uri(w, uri_in, uri, sizeof(uri));
	if (fetch_one(w, "ipxe-fetch", uri, FETCH_IPXE, &r) != 0)
		return -1;
	free(r.small);
	if (!w->image[0])
		snprintf(w->image, sizeof(w->image), "%s", uri);
	return 0;
}

static int host_boot(void *ctx)
{
	struct fw *w = ctx;

	if (!w->image[0]) {
		stage(w, "ipxe-boot", "failed", "boot with no image selected");
		return -1;
	}
	terminal(w, "kernel", "%s booted", w->image);
	return 0;
}

static int host_sanboot(void *ctx, const char *uri, bool keep, bool hook_only)
{
	struct fw *w = ctx;
	struct san_result r;
	struct san_handle *h = NULL;
	char initiator[128];
	char u[37];
	const char *rp = uri ? uri : ipxe_env_get(w->env, "root-path");
	const char *ks = ipxe_env_get(w->env, "keep-san");
	int rc;

	if (!rp || !rp[0]) {
		stage(w, "sanboot", "failed", "sanboot with no URI and no root-path");
		return -1;
	}
	keep = keep || (ks && atoi(ks) != 0);
	dhcp_uuid_str(w->uuid, u, sizeof(u));
	/* iPXE names itself iqn.2010-04.org.ipxe:<uuid> unless option 203 says otherwise. */
	snprintf(initiator, sizeof(initiator), "iqn.2010-04.org.ipxe:%s", u);
	memset(&r, 0, sizeof(r));
	rc = san_boot(rp, initiator, ipxe_env_get(w->env, "username"),
		      ipxe_env_get(w->env, "password"), keep, hook_only, &r, &h);
	if (h && w->nkept < KEPT_SAN_MAX)
		w->kept[w->nkept++] = h;
	else if (h)
		san_close(h);
	if (rc == 0) {
		terminal(w, "sanboot", "%s: %llu blocks of %u, boot signature found; booting", rp,
			 (unsigned long long)r.blocks, r.block_size);
		return 0;
	}
	if (rc == 1) {
		stage(w, hook_only ? "sanhook" : "sanboot", hook_only ? "ok" : "failed",
		      "%s: %s; SAN device %s", rp, hook_only ? "registered" : r.error,
		      h ? "kept (keep-san)" : "unregistered, session closed");
		return hook_only ? 0 : -1;
	}
	stage(w, "sanboot", "failed", "%s: %s", rp, r.error);
	return -1;
}

static void host_echo(void *ctx, const char *text)
{
	struct fw *w = ctx;

	if (!w->json)
		fprintf(stderr, "[%8.3f]   echo: %s\n", now() - w->t0, text);
}

static void host_log(void *ctx, const char *line)
{
	struct fw *w = ctx;

	if (!w->json)
		fprintf(stderr, "[%8.3f]   ipxe> %s\n", now() - w->t0, line);
}

static int run_script_text(struct fw *w, const char *uri, const char *text, size_t len)
{
	struct ipxe_host host = { w, host_chain, host_fetch, host_boot, host_sanboot, host_echo,
				  host_log };
	char saved[sizeof(w->base)];
	char err[256] = "";
	int rc;

	if (++w->depth > 16) {
		stage(w, "ipxe-script", "failed", "scripts nested more than 16 deep");
		w->depth--;
		return -1;
	}
	memcpy(saved, w->base, sizeof(saved));
	snprintf(w->base, sizeof(w->base), "%s", uri);
	stage(w, "ipxe-script", "ok", "%s: running", uri);
	rc = ipxe_run_script(w->env, text, len, &host, err, sizeof(err));
	if (rc < 0 && !w->terminal)
		stage(w, "ipxe-script", "failed", "%s: %s", uri, err[0] ? err : "a command failed");
	else if (rc > 0 && !w->terminal)
		stage(w, "ipxe-script", "failed", "%s: exit %d", uri, rc);
	memcpy(w->base, saved, sizeof(w->base));
	w->depth--;
	return rc;
}

static void env_from_lease(struct fw *w)
{
	char a[16];
	char u[40];

	ipxe_env_set(w->env, "ip", ipstr(w->lease.ip, a));
	ipxe_env_set(w->env, "next-server", ipstr(tftp_server(w), a));
	ipxe_env_set(w->env, "filename", w->lease.bootfile);
	ipxe_env_set(w->env, "platform", w->arch == 0 ? "pcbios" : "efi");
	ipxe_env_set(w->env, "buildarch", w->arch == 0 || w->arch == 6 ? "i386" : "x86_64");
	dhcp_uuid_str(w->uuid, u, sizeof(u));
	ipxe_env_set(w->env, "uuid", u);
	if (w->lease.has_209)
		ipxe_env_set(w->env, "209", w->lease.configfile);
	if (w->lease.has_210)
		ipxe_env_set(w->env, "210", w->lease.pathprefix);
	if (w->lease.root_path[0])
		ipxe_env_set(w->env, "root-path", w->lease.root_path);
	if (w->lease.keep_san >= 0)
		ipxe_env_set(w->env, "keep-san", w->lease.keep_san ? "1" : "0");
	if (w->lease.ipxe_username[0])
		ipxe_env_set(w->env, "username", w->lease.ipxe_username);
	if (w->lease.ipxe_password[0])
		ipxe_env_set(w->env, "password", w->lease.ipxe_password);
	else if (w->password)
		ipxe_env_set(w->env, "password", w->password);
	if (!w->lease.ipxe_username[0] && w->username)
		ipxe_env_set(w->env, "username", w->username);
}

/*
 * pxelinux's INCLUDE: the named file's lines take the INCLUDE line's place (up to
 * 4 levels, 64 KiB in all). Returns a malloc'd text (caller frees) and its length.
 */
static char *expand_includes(struct fw *w, const char *prefix, const uint8_t *text, size_t len,
			     unsigned depth, size_t *out_len)
{
	size_t cap = 65536;
	char *out = malloc(cap + 1);
	size_t n = 0;
	size_t pos = 0;

	if (!out)
		return NULL;
	while (pos < len) {
		const uint8_t *nl = memchr(text + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - (text + pos)) + 1 : len - pos;
		const char *line = (const char *)text + pos;
		size_t i = 0;

		while (i < ll && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (depth < 4 && ll - i > 8 && !strncasecmp(line + i, "include", 7) &&
		    (line[i + 7] == ' ' || line[i + 7] == '\t')) {
			char name[256];
			char uri[600];
			size_t k = 0;
			struct fetch_opts o;
			struct fetch_result r;

			i += 8;
			while (i < ll && (line[i] == ' ' || line[i] == '\t'))
				i++;
			while (i < ll && line[i] > ' ' && k + 1 < sizeof(name))
				name[k++] = line[i++];
			name[k] = '\0';
			snprintf(uri, sizeof(uri), "%s%s", strstr(name, "://") ? "" : prefix, name);
			memset(&o, 0, sizeof(o));
			o.persona = FETCH_PXELINUX;
			o.timeout = 3;
			o.retries = 2;
			memset(&r, 0, sizeof(r));
			if (fetch_any(w->http, uri, tftp_server(w), &o, &r) == 0 && r.small) {
				size_t sub_len = 0;
				char *sub = expand_includes(w, prefix, r.small, r.small_len, depth + 1,
							    &sub_len);

				stage(w, "pxelinux-config", "ok", "INCLUDE %s: %zu bytes", uri, r.small_len);
				if (sub) {
					size_t c = sub_len < cap - n ? sub_len : cap - n;

					memcpy(out + n, sub, c);
					n += c;
					if (n < cap)
						out[n++] = '\n';
					free(sub);
				}
			} else {
				stage(w, "pxelinux-config", "failed", "INCLUDE %s: %s", uri, r.error);
			}
			free(r.small);
		} else {
			size_t c = ll < cap - n ? ll : cap - n;

			memcpy(out + n, line, c);
			n += c;
		}
		pos += ll;
	}
	out[n] = '\0';
	*out_len = n;
	return out;
}

/* iPXE: its own DHCP, then the command given (cmd.c32) or autoboot (filename / root-path). */
static int ipxe_stage(struct fw *w, const char *command)
{
	char script[600];

	if (dhcp(w, DHCPC_IPXE) != 0)
		return -1;
	env_from_lease(w);
	if (command) {
		snprintf(script, sizeof(script), "#!ipxe\n%s\n", command);
		return run_script_text(w, "(pxelinux append)", script, strlen(script));
	}
	if (w->lease.bootfile[0]) {
		char uri[512];

		/* A bare file name is fetched over TFTP from next-server. */
		if (strstr(w->lease.bootfile, "://"))
			snprintf(uri, sizeof(uri), "%s", w->lease.bootfile);
		else
			snprintf(uri, sizeof(uri), "tftp://%s/%s", ipstr(tftp_server(w), (char[16]){ 0 }),
				 w->lease.bootfile);
		w->base[0] = '\0';
		return host_chain(w, uri, "", false);
	}
	if (w->lease.root_path[0])
		return host_sanboot(w, NULL, false, false);
	stage(w, "ipxe-dhcp", "failed", "no filename and no root-path: nothing to boot");
	return -1;
}

/* pxelinux: ldlinux.c32, the config lookup walk, then the default label. */
static int pxelinux_stage(struct fw *w, const char *nbp)
{
	struct pxelinux_input in;
	struct pxelinux_walk walk;
	struct fetch_result r;
	struct pxecfg_default d;
	char prefix[512];
	char uri[1024];
	const char *cfg209 = NULL;
	const char *v;
	int found = -1;

	memset(&in, 0, sizeof(in));
	/* 209/210 from DHCP, or from iPXE's settings when iPXE chained us. */
	v = w->env ? ipxe_env_get(w->env, "210") : NULL;
	if (v && v[0])
		snprintf(prefix, sizeof(prefix), "%s", v);
	else if (w->lease.has_210)
		snprintf(prefix, sizeof(prefix), "%s", w->lease.pathprefix);
	else
		pxelinux_prefix_from_bootfile(strstr(nbp, "://") ? strchr(strstr(nbp, "://") + 3, '/') + 1 : nbp,
					      prefix, sizeof(prefix));
	v = w->env ? ipxe_env_get(w->env, "209") : NULL;
	if (v && v[0])
		cfg209 = v;
	else if (w->lease.has_209)
		cfg209 = w->lease.configfile;
	stage(w, "pxelinux", "ok", "%s: prefix '%s'%s%s", nbp, prefix, cfg209 ? ", 209 " : "",
	      cfg209 ? cfg209 : "");
	/* An HTTP prefix (lpxelinux) fetches over HTTP; otherwise TFTP from next-server. */
	snprintf(uri, sizeof(uri), "%sldlinux.c32", prefix);
	if (fetch_one(w, "tftp-fetch", uri, FETCH_PXELINUX, &r) != 0)
		return -1;
	free(r.small);
	{
		uint8_t mac[6] = { 0 };

		iface_mac(w->iface, mac);
		/* pxelinux takes the UUID from the cached DISCOVER (our own option 97), not
		 * from the reply: ISC dhcpd does not echo 97. */
		in.uuid = w->uuid;
		in.mac = mac;
		in.htype = 1;
		in.hlen = 6;
		in.ip = w->lease.ip;
		in.prefix = "";
		in.bootfile = nbp;
		in.configfile = cfg209;
		pxelinux_compute_walk(&in, &walk);
	}
	for (unsigned i = 0; i < walk.n; i++) {
		/* A 209 name that is absolute (a URL or /path) is not prefixed. */
		if (strstr(walk.names[i], "://") || walk.names[i][0] == '/')
			snprintf(uri, sizeof(uri), "%s", walk.names[i]);
		else
			snprintf(uri, sizeof(uri), "%s%s", prefix, walk.names[i]);
		memset(&r, 0, sizeof(r));
		{
			struct fetch_opts o;

			memset(&o, 0, sizeof(o));
			o.persona = FETCH_PXELINUX;
			o.timeout = 3;
			o.retries = 2;
			if (fetch_any(w->http, uri, tftp_server(w), &o, &r) == 0) {
				found = (int)i;
				break;
			}
		}
		free(r.small);
	}
	if (found < 0) {
		stage(w, "pxelinux-config", "failed", "%u names tried, none found", walk.n);
		return -1;
	}
	stage(w, "pxelinux-config", "ok", "%s (%u of %u names)", uri, found + 1, walk.n);
	{
		size_t tl = 0;
		char *text = expand_includes(w, prefix, r.small, r.small_len, 0, &tl);

		free(r.small);
		if (!text) {
			stage(w, "pxelinux-config", "failed", "out of memory");
			return -1;
		}
		pxecfg_parse_label((struct view){ (const uint8_t *)text, tl }, w->label, &d);
		free(text);
	}
	switch (d.action) {
	case PXECFG_LOCALBOOT:
		terminal(w, "localboot", "label %s: LOCALBOOT", d.label);
		return 0;
	case PXECFG_COM32:
		snprintf(uri, sizeof(uri), "%s%s", prefix, d.kernel);
		if (fetch_one(w, "tftp-fetch", uri, FETCH_PXELINUX, &r) != 0)
			return -1;
		free(r.small);
		/* cmd.c32 / gpxecmd.c32 hand their APPEND line to iPXE as a command. */
		if ((!strcasecmp(base_name(d.kernel), "cmd.c32") ||
		     !strcasecmp(base_name(d.kernel), "gpxecmd.c32")) && d.append[0])
			return ipxe_stage(w, d.append);
		terminal(w, "kernel", "label %s: module %s runs", d.label, d.kernel);
		return 0;
	case PXECFG_KERNEL:
		snprintf(uri, sizeof(uri), "%s%s", strstr(d.kernel, "://") ? "" : prefix, d.kernel);
		if (fetch_one(w, "tftp-fetch", uri, FETCH_PXELINUX, &r) != 0)
			return -1;
		free(r.small);
		if (is_ipxe_binary(d.kernel)) {
			if (++w->chains > w->max_chain) {
				stage(w, "ipxe-chain", "failed", "iPXE loaded %u times: a loop", w->chains);
				return -1;
			}
			return ipxe_stage(w, NULL);
		}
		if (d.initrd[0]) {
			snprintf(uri, sizeof(uri), "%s%s", strstr(d.initrd, "://") ? "" : prefix,
				 d.initrd);
			if (fetch_one(w, "tftp-fetch", uri, FETCH_PXELINUX, &r) != 0)
				return -1;
			free(r.small);
		}
		terminal(w, "kernel", "label %s: %s%s%s loaded", d.label, d.kernel,
			 d.initrd[0] ? " + " : "", d.initrd);
		return 0;
	default:
		stage(w, "pxelinux-config", "failed", "no default label (or --label %s) to boot",
		      w->label ? w->label : "");
		return -1;
	}
}

static int parse_uuid(const char *s, uint8_t out[16])
{
	unsigned n = 0;

	for (; *s && n < 32; s++) {
		int v = hex_digit((unsigned char)*s);

		if (*s == '-')
			continue;
		if (v < 0)
			return -1;
		if (n % 2 == 0)
			out[n / 2] = (uint8_t)(v << 4);
		else
			out[n / 2] |= (uint8_t)v;
		n++;
	}
	return n == 32 && !*s ? 0 : -1;
}

static void usage(FILE *out)
{
	fputs("usage: netboot-firmware --iface IF [options]\n"
	      "\n"
	      "Boots over the network as a PXE ROM, pxelinux and iPXE do, on the wire:\n"
	      "DHCP on raw frames, the NBP over TFTP, pxelinux's config lookup, iPXE's DHCP,\n"
	      "scripts, chains and sanboot (through libiscsi). The timeline goes to stderr.\n"
	      "\n"
	      "  --iface IF          the interface to boot from (required; it gets the lease)\n"
	      "  --arch A            bios (default), efi-x64, efi-ia32, arm64 (option 93)\n"
	      "  --uuid UUID         SMBIOS UUID sent in option 97 (default: a fixed test UUID)\n"
	      "  --label L           the pxelinux label to boot instead of the default\n"
	      "  --timeout S         per stage, seconds (default 30)\n"
	      "  --max-chain N       iPXE binaries chained before calling it a loop (default 8)\n"
	      "  --dhcp-port N       the DHCP server port (default 67; the client uses N + 1)\n"
	      "  --start pxe|ipxe    where the boot begins: pxe (default) as a PC's PXE ROM; ipxe\n"
	      "                      as iPXE that was just loaded (a NIC with an iPXE ROM, or\n"
	      "                      right after chaining undionly.kpxe): iPXE's own DHCP first\n"
	      "  --username U, --password P\n"
	      "                      credentials for iPXE's login and CHAP (DHCP 175.190/191\n"
	      "                      win when present); the password is never printed\n"
	      "  --json              JSON lines instead of text\n"
	      "  -h, --help, --version\n"
	      "\n"
	      "Exit status: 0 a terminal stage was reached (kernel, sanboot, localboot), 1 the\n"
	      "boot stopped (the stage and the reason are printed), 2 cannot run (interface,\n"
	      "permission), 3 usage error.\n",
	      out);
}

/* The PXE ROM: its DHCP, the NBP, then what that NBP is (pxelinux, iPXE, anything else). */
static void pxe_rom_boot(struct fw *w)
{
	struct fetch_result r;
	char uri[600];

	if (dhcp(w, DHCPC_PXE_ROM) != 0)
		return;
	if (!w->lease.bootfile[0]) {
		stage(w, "pxe-dhcp", "failed", "the offer named no boot file");
		return;
	}
	snprintf(uri, sizeof(uri), "%s", w->lease.bootfile);
	if (fetch_one(w, "nbp-download", uri, FETCH_PXE_ROM, &r) != 0)
		return;
	free(r.small);
	if (pxelinux_is_nbp(uri))
		pxelinux_stage(w, uri);
	else if (is_ipxe_binary(uri)) {
		w->chains++;
		ipxe_stage(w, NULL);
	} else {
		terminal(w, "kernel", "NBP %s loaded and run", uri);
	}
}

static void on_alarm(int sig)
{
	static const char msg[] = "netboot-firmware: overall time limit reached\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0) {
		/* nothing more to do */
	}
	_exit(EXIT_FAILED);
}

int main(int argc, char **argv)
{
	enum { O_IFACE = 256, O_ARCH, O_UUID, O_LABEL, O_TIMEOUT, O_MAXCHAIN, O_JSON, O_DHCPPORT,
	       O_USER, O_PASS, O_START, O_VERSION };
	static const struct option longopts[] = {
		{ "iface", required_argument, NULL, O_IFACE },
		{ "arch", required_argument, NULL, O_ARCH },
		{ "uuid", required_argument, NULL, O_UUID },
		{ "label", required_argument, NULL, O_LABEL },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "max-chain", required_argument, NULL, O_MAXCHAIN },
		{ "json", no_argument, NULL, O_JSON },
		{ "dhcp-port", required_argument, NULL, O_DHCPPORT },
		{ "username", required_argument, NULL, O_USER },
		{ "password", required_argument, NULL, O_PASS },
		{ "start", required_argument, NULL, O_START },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	static struct fw w;
	uint8_t mac[6];
	bool start_ipxe = false;
	int ch;

	memset(&w, 0, sizeof(w));
	w.timeout = 30;
	w.max_chain = 8;
	w.dhcp_port = 67;
	/* A fixed default UUID: byte 6 = 0x40 (version 4), usable by pxelinux. */
	parse_uuid("1b2c3d4e-0102-4304-8506-a1b2c3d4e5f6", w.uuid);
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		char *end;

		switch (ch) {
		case O_IFACE:
			w.iface = optarg;
			break;
		case O_ARCH:
			if (!strcmp(optarg, "bios"))
				w.arch = 0;
			else if (!strcmp(optarg, "efi-x64"))
				w.arch = 7;
			else if (!strcmp(optarg, "efi-ia32"))
				w.arch = 6;
			else if (!strcmp(optarg, "arm64"))
				w.arch = 11;
			else {
				fprintf(stderr, "netboot-firmware: --arch takes bios, efi-x64, efi-ia32 "
						"or arm64, not '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case O_UUID:
			if (parse_uuid(optarg, w.uuid) != 0) {
				fprintf(stderr, "netboot-firmware: --uuid needs 32 hex digits "
						"(8-4-4-4-12), not '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case O_LABEL:
			w.label = optarg;
			break;
		case O_TIMEOUT:
			w.timeout = strtod(optarg, &end);
			if (*end || w.timeout <= 0 || w.timeout > 3600) {
				fprintf(stderr, "netboot-firmware: --timeout takes seconds (0 < S <= "
						"3600), not '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case O_MAXCHAIN:
			w.max_chain = (unsigned)strtoul(optarg, &end, 10);
			if (*end || w.max_chain < 1 || w.max_chain > 100) {
				fprintf(stderr, "netboot-firmware: --max-chain takes 1-100\n");
				return EXIT_USAGE;
			}
			break;
		case O_DHCPPORT:
			w.dhcp_port = (uint16_t)strtoul(optarg, &end, 10);
			if (*end || !w.dhcp_port) {
				fprintf(stderr, "netboot-firmware: --dhcp-port takes a port number\n");
				return EXIT_USAGE;
			}
			break;
		case O_JSON:
			w.json = true;
			break;
		case O_USER:
			w.username = optarg;
			break;
		case O_PASS:
			w.password = optarg;
			break;
		case O_START:
			if (!strcmp(optarg, "pxe") || !strcmp(optarg, "ipxe")) {
				start_ipxe = !strcmp(optarg, "ipxe");
			} else {
				fprintf(stderr, "netboot-firmware: --start takes pxe or ipxe, not '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return EXIT_BOOTED;
		case O_VERSION:
			printf("netboot-firmware %s\n", NBC_VERSION);
			return EXIT_BOOTED;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc || !w.iface) {
		fprintf(stderr, "netboot-firmware: %s (netboot-firmware --help)\n",
			!w.iface ? "--iface IF is required" : "unexpected argument");
		return EXIT_USAGE;
	}
	if (iface_mac(w.iface, mac) != 0) {
		fprintf(stderr, "netboot-firmware: no such interface %s\n", w.iface);
		return EXIT_CANNOT;
	}
	/* Every stage is bounded by its own timeout; this is the last resort. */
	signal(SIGALRM, on_alarm);
	alarm((unsigned)(w.timeout * 20 + 60));
	w.t0 = now();
	w.http = fetch_http_session_new();
	w.env = ipxe_env_new();
	if (!w.http || !w.env) {
		fputs("netboot-firmware: out of memory\n", stderr);
		return EXIT_CANNOT;
	}
	if (start_ipxe) {
		/* As right after the PXE ROM chained undionly.kpxe: the first iPXE loaded. */
		w.chains = 1;
		ipxe_stage(&w, NULL);
	} else {
		pxe_rom_boot(&w);
	}
	for (size_t i = 0; i < w.nkept; i++)
		san_close(w.kept[i]);
	ipxe_env_free(w.env);
	fetch_http_session_free(w.http);
	if (w.terminal) {
		stage(&w, "done", "ok", "booted: %s", w.terminal_stage);
		return EXIT_BOOTED;
	}
	stage(&w, "done", "failed", "stopped at %s: %s", w.failed_stage[0] ? w.failed_stage : "?",
	      w.failure[0] ? w.failure : "no terminal stage");
	return EXIT_FAILED;
}
