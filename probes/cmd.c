/* cmd.c: netboot-check probe's command line, the order of its stages, its exit status. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checker/cli.h"
#include "probes/probe.h"
#include "probes/probe_priv.h"
#include "proto/cursor.h"
#include "proto/net.h"

enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_CANNOT = 2, EXIT_USAGE = 3 };

static void usage(FILE *out)
{
	fputs("usage: netboot-check probe --iface IF [options]\n"
	      "\n"
	      "Asks the network on IF what each kind of boot client would get, without a machine\n"
	      "booting: DHCP DISCOVERs as a BIOS PXE ROM (bios-pxe), a UEFI x64 PXE ROM (efi64-pxe),\n"
	      "a UEFI ARM64 PXE ROM (arm64), iPXE (ipxe-bios) and a PXE ROM that asks for the\n"
	      "PXELINUX options 208-211 (pxelinux), sent as raw frames (libnet) from locally\n"
	      "administered MACs 02:6e:62:63:70:NN; every reply is read (libpcap) and checked with\n"
	      "the rules analyze and lint use. Then each NBP over TFTP, the pxelinux config lookup,\n"
	      "the iPXE script over HTTP and its targets, and its sanboot target over iSCSI.\n"
	      "Needs CAP_NET_RAW (root). docs/probe.md.\n"
	      "\n"
	      "options:\n"
	      "  --iface IF              the boot network's interface (up, Ethernet)\n"
	      "  --server IP             the DHCP server that should answer: any other is flagged\n"
	      "  --wait S                seconds of replies collected per profile (default 3)\n"
	      "  --request               take a lease (DISCOVER, OFFER, REQUEST, ACK), then RELEASE it;\n"
	      "                          by default only DISCOVERs go out and no lease is taken\n"
	      "  --profile NAME          probe only these profiles (repeatable): bios-pxe, efi64-pxe,\n"
	      "                          arm64, ipxe-bios, pxelinux\n"
	      "  --mac MAC               send every probe from MAC (and use it for the pxelinux walk)\n"
	      "  --uuid UUID             option 97 and the pxelinux walk's UUID, in wire order\n"
	      "                          (8-4-4-4-12 hex, as pxelinux names its config file)\n"
	      "  --ip IP                 the client address for the pxelinux walk (default: offered)\n"
	      "  --rate N                at most N DHCP packets a second, all probes (default 10)\n"
	      "  --timeout S             the whole run (default 60)\n"
	      "  --max-bytes N[K|M|G]    abort TFTP transfers larger than this (default 64M)\n"
	      "  --iscsi URI             the iscsi: root path to check (default: the script's sanboot)\n"
	      "  --chap-user U           CHAP user for the iSCSI login (default: the script's\n"
	      "                          username/password, else DHCP 175.190/191); the secret from:\n"
	      "  --chap-secret-file FILE its first line (keep FILE chmod 600), or\n"
	      "  --chap-secret S         S itself: other users see it in ps until the probe has read\n"
	      "                          and blanked it; prefer the file, or NBC_CHAP_SECRET in the\n"
	      "                          environment (used when neither is given). Never printed\n"
	      "  --format text|json|junit\n"
	      "  --fail-on error|warning|info\n"
	      "                          exit 1 when a finding has this severity or worse (default error)\n"
	      "  -o FILE                 write the report to FILE\n"
	      "\n"
	      "exit status: 0 no finding at or above --fail-on, 1 findings, 2 could not probe (no such\n"
	      "interface, interface down, no CAP_NET_RAW, libnet/libpcap failure, a --chap-secret-file\n"
	      "that cannot be read or holds no usable secret; or --timeout cut the run short: the\n"
	      "report covers what was done), 3 usage error\n",
	      out);
}

#define usage_error(...) cli_usage_error("netboot-check probe: ", "see netboot-check probe --help", __VA_ARGS__)

static bool parse_seconds(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v >= lo && v <= hi))
		return false;
	*out = v;
	return true;
}

static bool parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	unsigned shift = 0;

	/* strtoull skips white space and takes a sign (negating): digits only. */
	if (end == s || s[0] < '0' || s[0] > '9')
		return false;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (*end || v == 0 || v > (1ull << 40) >> shift)
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

/* 8-4-4-4-12 hex digits, bytes in the order written (option 97's wire order). */
static bool parse_uuid(const char *s, uint8_t uuid[16])
{
	size_t n = 0;

	for (const char *p = s; *p; p++) {
		int hi, lo;

		if (*p == '-' && (p - s == 8 || p - s == 13 || p - s == 18 || p - s == 23))
			continue;
		if (n == 16 || (hi = hex_digit(p[0])) < 0 || (lo = hex_digit(p[1])) < 0)
			return false;
		uuid[n++] = (uint8_t)(hi << 4 | lo);
		p++;
	}
	return n == 16 && strlen(s) == 36;
}

static int profile_bit(const char *name)
{
	static const char *const names[PROBE_PROFILES] = { "bios-pxe", "efi64-pxe", "arm64",
							   "ipxe-bios", "pxelinux" };

	for (int k = 0; k < PROBE_PROFILES; k++)
		if (strcmp(name, names[k]) == 0)
			return k;
	return -1;
}

static uint32_t random_u32(void)
{
	uint32_t x = 0;

	if (getrandom(&x, sizeof(x), 0) != (ssize_t)sizeof(x))
		x = (uint32_t)time(NULL) ^ (uint32_t)getpid() << 16;
	return x;
}

enum {
	O_IFACE = 256, O_SERVER, O_WAIT, O_REQUEST, O_PROFILE, O_MAC, O_UUID, O_IP, O_RATE,
	O_TIMEOUT, O_MAX_BYTES, O_ISCSI, O_CHAP_USER, O_CHAP_SECRET, O_CHAP_SECRET_FILE, O_FORMAT,
	O_FAIL_ON,
};

#define CHAP_ENV "NBC_CHAP_SECRET"

extern char **environ;

/* A CHAP secret of n bytes into o->chap_secret_buf; false (nothing kept) when it is empty or
 * longer than libiscsi sends. */
static bool keep_secret(struct probe_opts *o, const char *s, size_t n, const char *from)
{
	if (n == 0 || n > PROBE_CHAP_SECRET_MAX)
		return false;
	memcpy(o->chap_secret_buf, s, n);
	o->chap_secret_buf[n] = '\0';
	o->chap_secret = o->chap_secret_buf;
	o->chap_from = from;
	return true;
}

/* --chap-secret-file: the first line of PATH (its newline, and a CR before that, left off).
 * read(2) rather than stdio, so that no buffer left behind holds a copy. 0, or EXIT_CANNOT
 * after one line on stderr. */
static int read_secret_file(struct probe_opts *o, const char *path)
{
	char buf[PROBE_CHAP_SECRET_MAX + 3];	/* the secret, CR, LF */
	const char *why = NULL;
	bool too_long = false;
	struct stat st;
	size_t n = 0, len;
	int fd, rc = EXIT_CANNOT;
	char *nl;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		fprintf(stderr, "netboot-check probe: --chap-secret-file %s: %s\n", path, strerror(errno));
		return EXIT_CANNOT;
	}
	if (fstat(fd, &st) != 0) {
		fprintf(stderr, "netboot-check probe: --chap-secret-file %s: %s\n", path, strerror(errno));
		close(fd);
		return EXIT_CANNOT;
	}
	while (n < sizeof(buf) && !memchr(buf, '\n', n)) {
		ssize_t k = read(fd, buf + n, sizeof(buf) - n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			fprintf(stderr, "netboot-check probe: --chap-secret-file %s: %s\n", path,
				strerror(errno));
			goto out;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	nl = memchr(buf, '\n', n);
	len = nl ? (size_t)(nl - buf) : n;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len == 0)
		why = n == 0 ? "is empty" : "has an empty first line";
	else if (memchr(buf, '\0', len))
		why = "has a NUL byte in its first line";
	else if (!keep_secret(o, buf, len, "--chap-user/--chap-secret-file"))
		too_long = true;
	if (why || too_long) {
		if (why)
			fprintf(stderr, "netboot-check probe: --chap-secret-file %s %s\n", path, why);
		else
			fprintf(stderr, "netboot-check probe: --chap-secret-file %s has a first line longer "
				"than %d bytes, the longest CHAP secret libiscsi sends\n", path,
				PROBE_CHAP_SECRET_MAX);
		goto out;
	}
	/* As ssh does with a key, if only as a warning: a shared secret others can read is no
	 * longer the owner's alone (a pipe or a device is not judged). */
	if (S_ISREG(st.st_mode) && (st.st_mode & 077))
		fprintf(stderr, "netboot-check probe: warning: --chap-secret-file %s has mode %04o, open "
			"to group or others: chmod 600 it\n", path, (unsigned)(st.st_mode & 07777));
	rc = 0;
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return rc;
}

/* NBC_CHAP_SECRET out of the environment, its value blanked first: nothing run later
 * inherits it, and /proc/PID/environ (readable by the same user and root) no longer shows
 * it. */
static void scrub_env(void)
{
	size_t k = strlen(CHAP_ENV "=");

	for (char **e = environ; e && *e; e++)
		if (strncmp(*e, CHAP_ENV "=", k) == 0)
			explicit_bzero(*e + k, strlen(*e + k));
	unsetenv(CHAP_ENV);
}

/* After the options: the CHAP secret for --chap-user from --chap-secret-file, the
 * environment or --chap-secret (already kept and blanked in argv). 0, 3 or EXIT_CANNOT. */
static int chap_secret(struct probe_opts *o, const char *file)
{
	const char *env = getenv(CHAP_ENV);

	if (file && o->chap_secret)
		return usage_error("--chap-secret-file and --chap-secret: give one of them");
	if (!o->chap_user && (file || o->chap_secret))
		return usage_error("%s needs --chap-user", file ? "--chap-secret-file" : "--chap-secret");
	if (!o->chap_user)
		return 0;	/* NBC_CHAP_SECRET alone is not used */
	if (file)
		return read_secret_file(o, file);
	if (o->chap_secret)
		return 0;
	if (!env || !env[0])
		return usage_error("--chap-user needs a secret: --chap-secret-file FILE, " CHAP_ENV
				   " in the environment, or --chap-secret S");
	if (!keep_secret(o, env, strlen(env), "--chap-user/" CHAP_ENV)) {
		fprintf(stderr, "netboot-check probe: " CHAP_ENV " is longer than %d bytes, the longest "
			"CHAP secret libiscsi sends\n", PROBE_CHAP_SECRET_MAX);
		return EXIT_CANNOT;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct probe_opts *o, const char **outpath)
{
	static const struct option longopts[] = {
		{ "iface", required_argument, NULL, O_IFACE },
		{ "server", required_argument, NULL, O_SERVER },
		{ "wait", required_argument, NULL, O_WAIT },
		{ "request", no_argument, NULL, O_REQUEST },
		{ "profile", required_argument, NULL, O_PROFILE },
		{ "mac", required_argument, NULL, O_MAC },
		{ "uuid", required_argument, NULL, O_UUID },
		{ "ip", required_argument, NULL, O_IP },
		{ "rate", required_argument, NULL, O_RATE },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "max-bytes", required_argument, NULL, O_MAX_BYTES },
		{ "iscsi", required_argument, NULL, O_ISCSI },
		{ "chap-user", required_argument, NULL, O_CHAP_USER },
		{ "chap-secret", required_argument, NULL, O_CHAP_SECRET },
		{ "chap-secret-file", required_argument, NULL, O_CHAP_SECRET_FILE },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "fail-on", required_argument, NULL, O_FAIL_ON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *secret_file = NULL;
	size_t n;
	int ch, k;

	o->wait = 3;
	o->rate = 10;
	o->timeout = 60;
	o->max_bytes = 64ull << 20;
	o->format = "text";
	o->fail_on = NBC_SEV_ERROR;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
		switch (ch) {
		case O_IFACE:
			o->iface = optarg;
			break;
		case O_SERVER:
			if (!net_ip_parse(optarg, &o->server) || !o->server)
				return usage_error("--server takes an IPv4 address, not '%s'", optarg);
			o->has_server = true;
			break;
		case O_WAIT:
			if (!parse_seconds(optarg, 0.2, 60, &o->wait))
				return usage_error("--wait takes seconds from 0.2 to 60, not '%s'", optarg);
			break;
		case O_REQUEST:
			o->request = true;
			break;
		case O_PROFILE:
			k = profile_bit(optarg);
			if (k < 0)
				return usage_error("no profile '%s': bios-pxe, efi64-pxe, arm64, ipxe-bios "
						   "or pxelinux",
						   optarg);
			o->profiles |= 1u << k;
			break;
		case O_MAC:
			if (!net_mac_parse(optarg, o->mac))
				return usage_error("--mac takes a MAC like 02:00:00:12:34:56, not '%s'",
						   optarg);
			if (o->mac[0] & 1)
				return usage_error("--mac %s is a multicast address", optarg);
			o->has_mac = true;
			break;
		case O_UUID:
			if (!parse_uuid(optarg, o->uuid))
				return usage_error("--uuid takes 8-4-4-4-12 hex digits, not '%s'", optarg);
			o->has_uuid = true;
			break;
		case O_IP:
			if (!net_ip_parse(optarg, &o->ip))
				return usage_error("--ip takes an IPv4 address, not '%s'", optarg);
			o->has_ip = true;
			break;
		case O_RATE:
			if (!parse_seconds(optarg, 1, 100, &o->rate))
				return usage_error("--rate takes packets per second from 1 to 100, not '%s'",
						   optarg);
			break;
		case O_TIMEOUT:
			if (!parse_seconds(optarg, 1, 3600, &o->timeout))
				return usage_error("--timeout takes seconds from 1 to 3600, not '%s'", optarg);
			break;
		case O_MAX_BYTES:
			if (!parse_size(optarg, &o->max_bytes))
				return usage_error("--max-bytes takes a size like 65536, 512K or 64M, not '%s'",
						   optarg);
			break;
		case O_ISCSI:
			if (strncmp(optarg, "iscsi:", 6) != 0)
				return usage_error("--iscsi takes an iscsi: root path (RFC 4173)");
			o->iscsi = optarg;
			break;
		case O_CHAP_USER:
			o->chap_user = optarg;
			break;
		case O_CHAP_SECRET:
			/* Kept, then blanked where ps and /proc/PID/cmdline read it (argv's own
			 * bytes): visible from exec until here, hence --chap-secret-file. */
			n = strlen(optarg);
			if (!keep_secret(o, optarg, n, "--chap-user/--chap-secret")) {
				explicit_bzero(optarg, n);
				if (n == 0)
					return usage_error("--chap-secret is empty");
				return usage_error("--chap-secret is longer than %d bytes, the longest CHAP "
						   "secret libiscsi sends", PROBE_CHAP_SECRET_MAX);
			}
			explicit_bzero(optarg, n);
			break;
		case O_CHAP_SECRET_FILE:
			secret_file = optarg;
			break;
		case O_FORMAT:
			if (strcmp(optarg, "text") && strcmp(optarg, "json") && strcmp(optarg, "junit"))
				return usage_error("unknown --format '%s': use text, json or junit", optarg);
			o->format = optarg;
			break;
		case O_FAIL_ON:
			if (strcmp(optarg, "error") == 0)
				o->fail_on = NBC_SEV_ERROR;
			else if (strcmp(optarg, "warning") == 0)
				o->fail_on = NBC_SEV_WARNING;
			else if (strcmp(optarg, "info") == 0 || strcmp(optarg, "note") == 0)
				o->fail_on = NBC_SEV_INFO;
			else
				return usage_error("--fail-on takes error, warning or info, not '%s'",
						   optarg);
			break;
		case 'o':
			*outpath = optarg;
			break;
		case 'h':
			usage(stdout);
			return -1;
		case ':':
			return usage_error("%s needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!o->iface)
		return usage_error("probe needs --iface IF");
	if (!o->profiles)
		o->profiles = (1u << PROBE_PROFILES) - 1;
	/* 209-MISSING compares bios-pxe with pxelinux: asking for one alone is fine too. */
	k = chap_secret(o, secret_file);
	scrub_env();
	return k;
}

/* Runs every stage; returns EXIT_CANNOT when the DHCP probes could not run at all. */
static int run(struct probe_run *r)
{
	struct probe_net *n;
	char err[300] = "";
	uint32_t xid = random_u32();

	n = probe_net_open(r->o->iface, r->o->rate, err, sizeof(err));
	if (!n) {
		fprintf(stderr, "netboot-check probe: %s\n", err);
		return EXIT_CANNOT;
	}
	probe_net_addrs(n, r->if_mac, &r->if_ip);
	for (unsigned k = 0; k < PROBE_PROFILES; k++) {
		struct probe_profile *p = &r->prof[k];

		/* Distinct xids, none of them 0 (0 reads as "unset" in some servers' logs). */
		probe_profile_init(p, (enum probe_pid)k, r->o, xid + k ? xid + k : 0x6e626370u);
		p->enabled = (r->o->profiles & (1u << k)) != 0;
		p->test = -1;
	}
	for (unsigned k = 0; k < PROBE_PROFILES; k++) {
		struct probe_profile *p = &r->prof[k];

		if (!p->enabled)
			continue;
		if (probe_left(r) <= 0 || r->timed_out) {
			r->timed_out = true;
			snprintf(p->note, sizeof(p->note), "not probed: --timeout reached");
			continue;
		}
		if (probe_dhcp(n, r, p, err, sizeof(err)) < 0) {
			fprintf(stderr, "netboot-check probe: %s\n", err);
			probe_net_close(n);
			return EXIT_CANNOT;
		}
	}
	probe_net_close(n);
	probe_check_dhcp(r);
	probe_stage_tftp(r);
	probe_stage_walk(r);
	probe_stage_http(r);
	probe_stage_iscsi(r);
	if (r->timed_out || probe_left(r) <= 0)
		snprintf(r->stopped, sizeof(r->stopped),
			 "--timeout %.0f s reached: what was not done yet is marked not tried",
			 r->o->timeout);
	return EXIT_CLEAN;
}

int probe_main(int argc, char **argv)
{
	struct probe_opts o;
	struct probe_run *r;
	const char *outpath = NULL;
	FILE *out = stdout;
	int rc;

	memset(&o, 0, sizeof(o));
	rc = parse_args(argc, argv, &o, &outpath);
	if (rc != 0) {
		explicit_bzero(&o, sizeof(o));	/* a --chap-secret kept before a usage error */
		return rc < 0 ? EXIT_CLEAN : rc;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		fputs("netboot-check probe: out of memory\n", stderr);
		explicit_bzero(&o, sizeof(o));
		return EXIT_CANNOT;
	}
	r->o = &o;
	r->t0 = probe_now();
	r->deadline = r->t0 + o.timeout;
	rc = run(r);
	if (rc == EXIT_CLEAN) {
		if (outpath && !(out = fopen(outpath, "w"))) {
			fprintf(stderr, "netboot-check probe: cannot write %s\n", outpath);
			rc = EXIT_CANNOT;
		} else {
			probe_write(out, r);
			for (size_t i = 0; i < r->nfindings; i++)
				if (r->findings[i].sev >= o.fail_on)
					rc = EXIT_FINDINGS;
			/* As analyze does with a cut capture: reported up to the cut, then exit 2. */
			if (r->stopped[0]) {
				fprintf(stderr, "netboot-check probe: %s\n", r->stopped);
				rc = EXIT_CANNOT;
			}
			if (out != stdout && fclose(out) != 0) {
				fprintf(stderr, "netboot-check probe: cannot write %s\n", outpath);
				rc = EXIT_CANNOT;
			}
		}
	}
	for (size_t i = 0; i < r->nfetch; i++)
		probe_tftp_free(&r->fetch[i].t);
	probe_checks_free(r);
	explicit_bzero(r, sizeof(*r));	/* replies may hold 175.191 */
	free(r);
	explicit_bzero(&o, sizeof(o));	/* the CHAP secret */
	return rc;
}
