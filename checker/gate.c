/* gate.c: `netboot-check gate`: a candidate server setup run in network namespaces, booted per client profile. */
#define _GNU_SOURCE	/* setns, CLONE_NEWNET, strsignal */
#include "checker/gate.h"

#include "checker/cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "checker/capture.h"
#include "checker/engine.h"
#include "checker/expect.h"
#include "checker/model.h"
#include "checker/rules.h"
#include "proto/net.h"
#include "reports/report.h"

enum { EXIT_PASS = 0, EXIT_FAIL = 1, EXIT_CANNOT = 2, EXIT_USAGE = 3 };

#define GATE_INTERRUPTED (-1)	/* internal: a stop signal came; cleanup, then exit 2 */
#define GATE_SERVERS_MAX 16
#define GATE_CMD_MAX 8192	/* an expanded --server command */
#define GATE_FINDINGS_KEEP 32	/* findings per profile kept for the JSON summary */
#define LOG_TAIL_LINES 20
#define STOP_GRACE 3.0		/* seconds between SIGTERM and SIGKILL for servers and capture */
#define IP_CMD_LIMIT 20.0	/* an ip(8) command that takes longer is killed */
#define NETNS_DIR "/var/run/netns"	/* where ip netns add mounts a namespace (iproute2) */
#define CLIENT_IFACE "eth0"
/* Fixed MACs, locally administered (02:...: no vendor's), the rest "nbc": the same client
 * every run, so leases, reports and pxelinux's 01-<mac> lookups are reproducible. */
#define SERVER_MAC "02:6e:62:63:00:01"
#define CLIENT_MAC "02:6e:62:63:00:02"
#define CLIENT_MAC_BYTES { 0x02, 0x6e, 0x62, 0x63, 0x00, 0x02 }
/* CAP_NET_ADMIN and CAP_SYS_ADMIN (linux/capability.h): namespaces and setns. */
#define CAP_BIT_NET_ADMIN 12
#define CAP_BIT_SYS_ADMIN 21

static volatile sig_atomic_t gate_signal;	/* the SIGINT/SIGTERM/SIGHUP that asked us to stop */

static void on_signal(int sig)
{
	gate_signal = sig;
}

struct gate_profile {
	const char *name;
	const char *arch;	/* netboot-firmware --arch */
	bool ipxe;		/* netboot-firmware --start ipxe */
};

static const struct gate_profile profiles[] = {
	{ "bios", "bios", false },
	{ "efi64", "efi-x64", false },
	{ "ipxe", "bios", true },
};
#define NPROFILES (sizeof(profiles) / sizeof(profiles[0]))

struct gate_server {
	char *cmd;		/* the command with {iface} {ip} {tmp} replaced (owned) */
	pid_t pid;		/* the process group leader: sh -c 'exec CMD' is the server itself */
	bool running;		/* not reaped yet */
	int status;		/* wait status once reaped */
	char log[PATH_MAX];
};

struct gate_finding {
	char rule[48];
	enum nbc_sev sev;
	uint64_t frame;
	char message[NBC_MSG_MAX];
};

struct gate_result {
	const struct gate_profile *p;
	bool ran;
	bool passed;
	bool has_client;
	enum nbc_verdict verdict;
	char stages[512];	/* "pxe-dhcp -> nbp-download -> ...", repeats folded */
	enum nbc_stage_kind kinds[64];	/* the same, for JSON */
	size_t nkinds;
	char reason[NBC_MSG_MAX + 64];	/* why it failed */
	char warnings[256];	/* rules of findings milder than --fail-on */
	int fw_status;		/* wait status */
	bool fw_timeout;
	char fw_last[512];	/* the firmware's last stage line */
	struct gate_finding findings[GATE_FINDINGS_KEEP];
	size_t nfindings;
	size_t nfindings_all;
};

struct gate {
	/* options */
	const char *server_cmd[GATE_SERVERS_MAX];
	size_t nservers;
	const char *site;
	const struct gate_profile *order[NPROFILES];
	size_t nprofiles;
	double timeout;
	double ready_timeout;
	const char *keep;
	bool json;
	bool verbose;
	const char *junit_path;
	const char *sarif_path;
	enum nbc_sev fail_on;
	double stall;
	const char *firmware;
	const char *iface;	/* the server's interface in its namespace */
	char ip[16];		/* the server's address, {ip} */
	char cidr[24];		/* with its prefix, for ip addr add */
	/* state */
	char fw_path[PATH_MAX];
	char tmp[PATH_MAX];
	bool have_tmp;
	char ns_s[40];
	char ns_c[40];
	bool made_s;
	bool made_c;
	struct gate_server srv[GATE_SERVERS_MAX];
	size_t started;
	pid_t capture_pid;
	pid_t fw_pid;
	struct eng_expect expect;
	bool have_expect;
	FILE *junit;
	FILE *sarif;
	struct report_sarif_log sarif_log;
	struct gate_result res[NPROFILES];
	size_t nres;
	char error[1024];	/* why gate could not run (exit 2) */
	bool show_logs;
};

/* --- small helpers --- */

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleeps up to s seconds; a signal ends it early (every caller re-checks gate_signal). */
static void nap(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("gate: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Records why gate cannot run, says it, and returns EXIT_CANNOT. */
static int cannot(struct gate *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int cannot(struct gate *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(g->error, sizeof(g->error), fmt, ap);
	va_end(ap);
	say("%s", g->error);
	g->show_logs = true;
	return EXIT_CANNOT;
}

static void status_str(int st, char *buf, size_t cap)
{
	if (WIFEXITED(st))
		snprintf(buf, cap, "exit status %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, cap, "killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
	else
		snprintf(buf, cap, "wait status 0x%x", (unsigned)st);
}

/* What a child does first: default signal dispositions (SIG_IGN survives exec), and
 * death with gate, should gate itself be killed outright. */
static void child_setup(bool own_group)
{
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (own_group)
		setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/*
 * Starts argv with standard input from /dev/null and both outputs into out_path (or
 * appended to it). own_group: its own process group, so that a signal to the group
 * reaches it and whatever it starts, and the terminal's Ctrl-C does not.
 */
static pid_t spawn(char *const argv[], const char *out_path, bool append, bool own_group)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int out = open(out_path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0600);

		child_setup(own_group);
		if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
			_exit(126);
		close(in);
		close(out);
		execvp(argv[0], argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	/* Both sides set the group, so that a kill(-pid) right after fork cannot miss. */
	if (pid > 0 && own_group)
		setpgid(pid, pid);
	return pid;
}

/* Waits up to secs for pid; true with *status once it is reaped. interruptible: give up
 * early when a stop signal came. */
static bool wait_exit(pid_t pid, double secs, int *status, bool interruptible)
{
	double end = mono() + secs;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return true;
		if (r < 0 && errno == ECHILD) {
			*status = 0;
			return true;
		}
		if (mono() >= end || (interruptible && gate_signal))
			return false;
		nap(0.02);
	}
}

/* SIGTERM to pid's group (or pid), SIGKILL after grace seconds; reaped either way. */
static int stop_child(pid_t pid, bool group, double grace)
{
	int st = 0;

	if (pid <= 0)
		return 0;
	kill(group ? -pid : pid, SIGTERM);
	if (wait_exit(pid, grace, &st, false))
		return st;
	kill(group ? -pid : pid, SIGKILL);
	wait_exit(pid, 5.0, &st, false);
	return st;
}

/* The last lines of a file, indented, control bytes shown as '?'. */
static void print_tail(FILE *out, const char *path, int lines, const char *indent)
{
	FILE *f = fopen(path, "re");
	char buf[16384];
	size_t n, start;
	int seen = 0;

	if (!f)
		return;
	if (fseek(f, 0, SEEK_END) == 0) {
		long size = ftell(f);

		if (size > (long)sizeof(buf) - 1)
			fseek(f, size - (long)sizeof(buf) + 1, SEEK_SET);
		else
			fseek(f, 0, SEEK_SET);
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	start = n;
	while (start > 0) {
		if (buf[start - 1] == '\n' && ++seen == lines)
			break;
		start--;
	}
	while (start < n && buf[start] == '\n')
		start++;
	if (n == 0) {
		fprintf(out, "%s(empty)\n", indent);
		return;
	}
	fputs(indent, out);
	for (size_t i = start; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '\n')
			fprintf(out, "\n%s", indent);
		else if (c < 0x20 && c != '\t')
			fputc('?', out);
		else
			fputc(c, out);
	}
	fputc('\n', out);
}

/* An executable named name in PATH, written into out. */
static bool find_in_path(const char *name, char *out, size_t cap)
{
	const char *path = getenv("PATH");
	const char *p;

	if (!path || !*path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (p = path; *p;) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);

		if (len > 0 && (size_t)snprintf(out, cap, "%.*s/%s", (int)len, p, name) < cap &&
		    access(out, X_OK) == 0)
			return true;
		p += len;
		if (*p == ':')
			p++;
	}
	return false;
}

/* CapEff of this process has CAP_NET_ADMIN and CAP_SYS_ADMIN. */
static bool have_caps(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	unsigned long long eff = 0;
	bool found = false;

	if (!f)
		return geteuid() == 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1) {
			found = true;
			break;
		}
	fclose(f);
	if (!found)
		return geteuid() == 0;
	return (eff >> CAP_BIT_NET_ADMIN & 1) && (eff >> CAP_BIT_SYS_ADMIN & 1);
}

/* --- the network --- */

/* The arguments of one ip(8) command, as a NULL-terminated array. */
#define IP_ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/*
 * Runs `ip ARGS...` to completion (bounded by IP_CMD_LIMIT), its output in
 * {tmp}/ip.log. Returns 0, or EXIT_CANNOT saying which step failed and what ip said.
 * Not interruptible: a half-done step is finished, then the caller checks gate_signal.
 */
static int run_ip(struct gate *g, const char *step, const char *const args[])
{
	char *argv[24];
	char log[PATH_MAX + 8];
	size_t n = 0;
	pid_t pid;
	int st = 0;
	char why[96];
	FILE *f;

	argv[n++] = (char *)"ip";
	for (size_t i = 0; args[i] && n + 1 < sizeof(argv) / sizeof(argv[0]); i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	snprintf(log, sizeof(log), "%s/ip.log", g->tmp);
	/* A record of every command run, ahead of its output. */
	f = fopen(log, "ae");
	if (f) {
		fputs("$", f);
		for (size_t i = 0; i < n; i++)
			fprintf(f, " %s", argv[i]);
		fputc('\n', f);
		fclose(f);
	}
	pid = spawn(argv, log, true, true);
	if (pid < 0)
		return cannot(g, "%s: fork: %s", step, strerror(errno));
	if (!wait_exit(pid, IP_CMD_LIMIT, &st, false)) {
		st = stop_child(pid, true, 1.0);
		return cannot(g, "%s: ip did not finish within %.0f s", step, IP_CMD_LIMIT);
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	status_str(st, why, sizeof(why));
	snprintf(g->error, sizeof(g->error), "%s failed (ip %s)", step, why);
	say("%s; ip said:", g->error);
	print_tail(stderr, log, 3, "  | ");
	return EXIT_CANNOT;
}

static int ns_fd(const char *ns)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", NETNS_DIR, ns);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* Writes "1" to the IPv6 disable_ipv6 switches inside ns (a kernel without IPv6 has none). */
static int disable_ipv6(struct gate *g, const char *ns, const char *iface)
{
	pid_t pid;
	int st = 0;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return cannot(g, "fork: %s", strerror(errno));
	if (pid == 0) {
		const char *const keys[] = { "all", "default", iface };
		int fd = ns_fd(ns);

		child_setup(false);
		/* /proc/sys/net shows the namespace of the task that opens it. */
		if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
			dprintf(2, "gate: setns %s: %s\n", ns, strerror(errno));
			_exit(1);
		}
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			char path[160];
			int w;

			snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", keys[i]);
			w = open(path, O_WRONLY | O_CLOEXEC);
			if (w < 0 && errno == ENOENT)
				continue;
			if (w < 0 || write(w, "1\n", 2) != 2) {
				dprintf(2, "gate: %s in %s: %s\n", path, ns, strerror(errno));
				_exit(1);
			}
			close(w);
		}
		_exit(0);
	}
	if (!wait_exit(pid, IP_CMD_LIMIT, &st, false)) {
		stop_child(pid, false, 1.0);
		return cannot(g, "disabling IPv6 in %s did not finish", ns);
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return cannot(g, "disabling IPv6 in %s failed", ns);
	return 0;
}

/* Two namespaces, a veth pair made inside them (never visible in the host's namespace),
 * lo up, IPv6 off, the server's address. */
static int net_up(struct gate *g)
{
	int rc;

	snprintf(g->ns_s, sizeof(g->ns_s), "nbcg-%ld-s", (long)getpid());
	snprintf(g->ns_c, sizeof(g->ns_c), "nbcg-%ld-c", (long)getpid());
	if ((rc = run_ip(g, "creating the server namespace", IP_ARGS("netns", "add", g->ns_s))) != 0)
		return rc;
	g->made_s = true;
	if ((rc = run_ip(g, "creating the client namespace", IP_ARGS("netns", "add", g->ns_c))) != 0)
		return rc;
	g->made_c = true;
	if (gate_signal)
		return GATE_INTERRUPTED;
	if ((rc = run_ip(g, "creating the veth pair",
			 IP_ARGS("link", "add", g->iface, "netns", g->ns_s, "address", SERVER_MAC,
				 "type", "veth", "peer", "name", CLIENT_IFACE, "netns", g->ns_c,
				 "address", CLIENT_MAC))) != 0)
		return rc;
	if ((rc = disable_ipv6(g, g->ns_s, g->iface)) != 0 ||
	    (rc = disable_ipv6(g, g->ns_c, CLIENT_IFACE)) != 0)
		return rc;
	if (gate_signal)
		return GATE_INTERRUPTED;
	if ((rc = run_ip(g, "bringing up lo (server)",
			 IP_ARGS("-n", g->ns_s, "link", "set", "lo", "up"))) != 0 ||
	    (rc = run_ip(g, "bringing up lo (client)",
			 IP_ARGS("-n", g->ns_c, "link", "set", "lo", "up"))) != 0 ||
	    (rc = run_ip(g, "adding the server address",
			 IP_ARGS("-n", g->ns_s, "addr", "add", g->cidr, "dev", g->iface))) != 0 ||
	    (rc = run_ip(g, "bringing up the server interface",
			 IP_ARGS("-n", g->ns_s, "link", "set", g->iface, "up"))) != 0 ||
	    (rc = run_ip(g, "bringing up the client interface",
			 IP_ARGS("-n", g->ns_c, "link", "set", CLIENT_IFACE, "up"))) != 0)
		return rc;
	return gate_signal ? GATE_INTERRUPTED : 0;
}

/* pid's network namespace is ns (compared by the nsfs inode). */
static bool pid_in_ns(pid_t pid, const struct stat *ns)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%ld/ns/net", (long)pid);
	return stat(path, &st) == 0 && st.st_dev == ns->st_dev && st.st_ino == ns->st_ino;
}

/*
 * Kills (SIGKILL) every process left in namespace ns: what a server started and left
 * behind (a daemon that forked away from its group). Identified by the namespace gate
 * made, never by name. Returns how many.
 */
static unsigned kill_leftovers(const char *ns)
{
	char path[PATH_MAX];
	struct stat nst;
	DIR *d;
	struct dirent *de;
	unsigned n = 0;
	pid_t victims[64];

	snprintf(path, sizeof(path), "%s/%s", NETNS_DIR, ns);
	if (stat(path, &nst) != 0)
		return 0;
	d = opendir("/proc");
	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		char comm[64] = "?";
		FILE *f;

		if (*end || pid <= 1 || pid == (long)getpid() || !pid_in_ns((pid_t)pid, &nst))
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
		f = fopen(path, "re");
		if (f) {
			if (fgets(comm, sizeof(comm), f))
				comm[strcspn(comm, "\n")] = '\0';
			fclose(f);
		}
		say("killing pid %ld (%s), left running in %s", pid, comm, ns);
		kill((pid_t)pid, SIGKILL);
		if (n < sizeof(victims) / sizeof(victims[0]))
			victims[n] = (pid_t)pid;
		n++;
	}
	closedir(d);
	/* Not our children (their parent reaps them): wait until they are gone. */
	for (double end = mono() + 3.0; n && mono() < end;) {
		bool any = false;
		int st;

		for (unsigned i = 0; i < n && i < sizeof(victims) / sizeof(victims[0]); i++) {
			waitpid(victims[i], &st, WNOHANG);
			if (kill(victims[i], 0) == 0 && pid_in_ns(victims[i], &nst))
				any = true;
		}
		if (!any)
			break;
		nap(0.05);
	}
	return n;
}

/* --- the servers --- */

/* cmd with {iface}, {ip} and {tmp} replaced; NULL if too long or out of memory. */
static char *expand(const struct gate *g, const char *cmd)
{
	static const char *const keys[] = { "{iface}", "{ip}", "{tmp}" };
	const char *vals[] = { g->iface, g->ip, g->tmp };
	char *out = malloc(GATE_CMD_MAX);
	size_t n = 0;

	if (!out)
		return NULL;
	while (*cmd) {
		const char *v = NULL;
		size_t klen = 0;

		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (strncmp(cmd, keys[k], strlen(keys[k])) == 0) {
				v = vals[k];
				klen = strlen(keys[k]);
			}
		if (v) {
			size_t vl = strlen(v);

			if (n + vl >= GATE_CMD_MAX)
				goto too_long;
			memcpy(out + n, v, vl);
			n += vl;
			cmd += klen;
		} else {
			if (n + 1 >= GATE_CMD_MAX)
				goto too_long;
			out[n++] = *cmd++;
		}
	}
	out[n] = '\0';
	return out;
too_long:
	free(out);
	return NULL;
}

static int start_servers(struct gate *g)
{
	for (size_t i = 0; i < g->nservers; i++) {
		struct gate_server *s = &g->srv[i];
		char *shcmd;
		char *argv[8];

		s->cmd = expand(g, g->server_cmd[i]);
		if (!s->cmd)
			return cannot(g, "--server %zu: longer than %d bytes once expanded", i + 1,
				      GATE_CMD_MAX);
		shcmd = malloc(strlen(s->cmd) + 6);
		if (!shcmd)
			return cannot(g, "out of memory");
		memcpy(shcmd, "exec ", 5);
		memcpy(shcmd + 5, s->cmd, strlen(s->cmd) + 1);
		snprintf(s->log, sizeof(s->log), "%s/server-%zu.log", g->tmp, i + 1);
		argv[0] = (char *)"ip";
		argv[1] = (char *)"netns";
		argv[2] = (char *)"exec";
		argv[3] = g->ns_s;
		argv[4] = (char *)"sh";
		argv[5] = (char *)"-c";
		argv[6] = shcmd;
		argv[7] = NULL;
		s->pid = spawn(argv, s->log, false, true);
		free(shcmd);
		if (s->pid < 0)
			return cannot(g, "--server %zu: fork: %s", i + 1, strerror(errno));
		s->running = true;
		g->started = i + 1;
		say("server %zu: pid %ld: %s", i + 1, (long)s->pid, s->cmd);
	}
	return 0;
}

/* Reaps servers that exited; returns the first one newly found gone, or NULL. */
static struct gate_server *server_exited(struct gate *g)
{
	struct gate_server *first = NULL;

	for (size_t i = 0; i < g->started; i++) {
		struct gate_server *s = &g->srv[i];
		pid_t r;

		if (!s->running)
			continue;
		r = waitpid(s->pid, &s->status, WNOHANG);
		if (r == s->pid || (r < 0 && errno == ECHILD)) {
			s->running = false;
			if (!first)
				first = s;
		}
	}
	return first;
}

static size_t server_index(const struct gate *g, const struct gate_server *s)
{
	return (size_t)(s - g->srv) + 1;
}

/*
 * A line of /proc/PID/net/{udp,tcp}[6] that is bound to port (any port when 0) and, for
 * TCP, listening; with inodes, only sockets among them.
 */
static bool net_table_has(pid_t pid, const char *table, bool tcp, unsigned port,
			  const unsigned long *inodes, size_t ninodes)
{
	char path[64];
	char line[512];
	FILE *f;
	bool found = false;

	snprintf(path, sizeof(path), "/proc/%ld/net/%s", (long)pid, table);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned lport, state;
		unsigned long inode;

		/* "sl: local:port remote:port st tx:rx tr:when retrnsmt uid timeout inode" */
		if (sscanf(line,
			   " %*u: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x %*x:%*x %*x:%*x %*x %*u %*d %lu",
			   &lport, &state, &inode) != 3)
			continue;
		if (lport == 0 || (port && lport != port) || (tcp && state != 0x0A))
			continue;
		if (inodes) {
			for (size_t i = 0; i < ninodes; i++)
				if (inodes[i] == inode)
					found = true;
		} else {
			found = true;
		}
	}
	fclose(f);
	return found;
}

/* Adds the inodes of pid's sockets to inodes[*n]. */
static void pid_sockets(pid_t pid, unsigned long *inodes, size_t cap, size_t *n)
{
	char path[64];
	DIR *d;
	struct dirent *de;

	snprintf(path, sizeof(path), "/proc/%ld/fd", (long)pid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d)) != NULL && *n < cap) {
		char link[PATH_MAX], target[64];
		ssize_t len;

		snprintf(link, sizeof(link), "/proc/%ld/fd/%s", (long)pid, de->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (sscanf(target, "socket:[%lu]", &inodes[*n]) == 1)
			(*n)++;
	}
	closedir(d);
}

/* pid's process group, -1 if it is gone ("pid (comm) state ppid pgrp ...": comm may hold
 * anything, so the fields are counted from its closing parenthesis). */
static pid_t pid_group(long pid)
{
	char path[64], buf[512];
	FILE *f;
	size_t n;
	const char *rp;
	int pgrp;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	rp = strrchr(buf, ')');
	if (!rp || sscanf(rp + 1, " %*c %*d %d", &pgrp) != 1)
		return -1;
	return (pid_t)pgrp;
}

/*
 * Some process of server s's process group (the server, or what a wrapper such as
 * `timeout` or `sh -c '...'` without exec started) holds a bound UDP or listening TCP
 * socket in namespace ns.
 */
static bool group_listens(const struct gate_server *s, const struct stat *ns)
{
	static const char *const tables[] = { "udp", "udp6", "tcp", "tcp6" };
	unsigned long inodes[256];
	size_t n = 0;
	pid_t member = -1;
	DIR *d = opendir("/proc");
	struct dirent *de;

	if (!d)
		return false;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 1 || pid_group(pid) != s->pid || !pid_in_ns((pid_t)pid, ns))
			continue;
		pid_sockets((pid_t)pid, inodes, sizeof(inodes) / sizeof(inodes[0]), &n);
		member = (pid_t)pid;
	}
	closedir(d);
	if (n == 0)
		return false;
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		if (net_table_has(member, tables[t], t >= 2, 0, inodes, n))
			return true;
	return false;
}

/*
 * Waits until some process in the server namespace has UDP 67 (DHCP) or 4011
 * (proxyDHCP) bound, and, within the same time, until every server's process group
 * holds a listening socket (an HTTP server that is slower to start than the DHCP one).
 * A server that exits meanwhile: it could not start.
 */
static int wait_ready(struct gate *g)
{
	struct stat nst;
	char path[PATH_MAX];
	double t0 = mono(), end = t0 + g->ready_timeout;
	bool dhcp = false;

	snprintf(path, sizeof(path), "%s/%s", NETNS_DIR, g->ns_s);
	if (stat(path, &nst) != 0)
		return cannot(g, "%s: %s", path, strerror(errno));
	for (;;) {
		struct gate_server *gone = server_exited(g);
		size_t quiet = 0;

		if (gone) {
			char why[96];

			status_str(gone->status, why, sizeof(why));
			return cannot(g, "server %zu exited at once (%s): %s%s", server_index(g, gone),
				      why, gone->cmd,
				      WIFEXITED(gone->status) && WEXITSTATUS(gone->status) == 0
					      ? " (servers must stay in the foreground: dnsmasq "
						"--no-daemon, dhcpd -f, in.tftpd -L)"
					      : "");
		}
		if (gate_signal)
			return GATE_INTERRUPTED;
		for (size_t i = 0; !dhcp && i < g->started; i++) {
			pid_t pid = g->srv[i].pid;

			/* Right after fork a server may still be in our namespace (ip netns exec
			 * has not switched yet): its table would be the host's. */
			if (!g->srv[i].running || !pid_in_ns(pid, &nst))
				continue;
			dhcp = net_table_has(pid, "udp", false, 67, NULL, 0) ||
			       net_table_has(pid, "udp", false, 4011, NULL, 0) ||
			       net_table_has(pid, "udp6", false, 67, NULL, 0) ||
			       net_table_has(pid, "udp6", false, 4011, NULL, 0);
		}
		for (size_t i = 0; i < g->started; i++)
			if (!group_listens(&g->srv[i], &nst))
				quiet++;
		if (dhcp && quiet == 0)
			break;
		if (mono() >= end) {
			if (!dhcp)
				return cannot(g, "the server did not start listening on UDP 67 within "
						 "%g s",
					      g->ready_timeout);
			for (size_t i = 0; i < g->started; i++)
				if (!group_listens(&g->srv[i], &nst))
					say("server %zu holds no listening socket after %g s; going on",
					    i + 1, g->ready_timeout);
			break;
		}
		nap(0.05);
	}
	say("servers ready after %.1f s (UDP 67 or 4011 bound in %s)", mono() - t0, g->ns_s);
	return 0;
}

static void stop_servers(struct gate *g)
{
	double end;
	bool any;

	for (size_t i = 0; i < g->started; i++)
		if (g->srv[i].pid > 0)
			kill(-g->srv[i].pid, SIGTERM);
	end = mono() + STOP_GRACE;
	do {
		any = false;
		server_exited(g);
		for (size_t i = 0; i < g->started; i++) {
			/* The leader reaped is not enough: its group may live on. */
			if (g->srv[i].running || (g->srv[i].pid > 0 && kill(-g->srv[i].pid, 0) == 0))
				any = true;
		}
		if (any)
			nap(0.05);
	} while (any && mono() < end);
	for (size_t i = 0; i < g->started; i++) {
		struct gate_server *s = &g->srv[i];

		if (s->pid > 0 && (s->running || kill(-s->pid, 0) == 0)) {
			say("server %zu did not stop within %.0f s of SIGTERM: SIGKILL", i + 1,
			    STOP_GRACE);
			kill(-s->pid, SIGKILL);
		}
		if (s->running && wait_exit(s->pid, 5.0, &s->status, false))
			s->running = false;
	}
}

/* --- one profile --- */

/* The capture child: in the client namespace, eth0 into path until SIGTERM. */
static void capture_child(const struct gate *g, const char *path, int wfd)
	__attribute__((noreturn));
static void capture_child(const struct gate *g, const char *path, int wfd)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	char msg[PCAP_ERRBUF_SIZE + 64];
	pcap_t *p = NULL;
	pcap_dumper_t *d;
	int fd;

	gate_signal = 0;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	fd = ns_fd(g->ns_c);
	if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
		snprintf(msg, sizeof(msg), "Esetns %s: %s", g->ns_c, strerror(errno));
		goto fail;
	}
	close(fd);
	p = pcap_create(CLIENT_IFACE, ebuf);
	if (!p) {
		snprintf(msg, sizeof(msg), "E%s", ebuf);
		goto fail;
	}
	pcap_set_snaplen(p, 65535);
	pcap_set_promisc(p, 1);
	pcap_set_timeout(p, 100);
	pcap_set_immediate_mode(p, 1);
	if (pcap_activate(p) < 0) {
		snprintf(msg, sizeof(msg), "E%s", pcap_geterr(p));
		goto fail;
	}
	d = pcap_dump_open(p, path);
	if (!d) {
		snprintf(msg, sizeof(msg), "E%s", pcap_geterr(p));
		goto fail;
	}
	if (write(wfd, "R", 1) != 1)
		_exit(2);
	close(wfd);
	while (!gate_signal) {
		struct pollfd pfd = { pcap_get_selectable_fd(p), POLLIN, 0 };

		if (poll(&pfd, 1, 100) > 0 && pcap_dispatch(p, -1, pcap_dump, (u_char *)d) < 0)
			break;
	}
	/* What is still buffered, then the file's last bytes. */
	if (pcap_setnonblock(p, 1, ebuf) == 0)
		while (pcap_dispatch(p, -1, pcap_dump, (u_char *)d) > 0)
			;
	pcap_dump_flush(d);
	pcap_dump_close(d);
	pcap_close(p);
	_exit(0);
fail:
	if (write(wfd, msg, strlen(msg)) < 0)
		_exit(2);
	_exit(2);
}

static int capture_start(struct gate *g, const char *path)
{
	int fds[2];
	char buf[PCAP_ERRBUF_SIZE + 64];
	ssize_t n = 0;
	double end = mono() + 10.0;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return cannot(g, "pipe: %s", strerror(errno));
	fflush(NULL);
	g->capture_pid = fork();
	if (g->capture_pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return cannot(g, "fork: %s", strerror(errno));
	}
	if (g->capture_pid == 0) {
		close(fds[0]);
		capture_child(g, path, fds[1]);
	}
	close(fds[1]);
	/* One byte 'R' once pcap is active and the file open; else 'E' and the reason. */
	while (!gate_signal && mono() < end) {
		struct pollfd pfd = { fds[0], POLLIN, 0 };

		if (poll(&pfd, 1, 100) > 0) {
			n = read(fds[0], buf, sizeof(buf) - 1);
			break;
		}
	}
	close(fds[0]);
	if (n > 0 && buf[0] == 'R')
		return 0;
	if (gate_signal)
		return GATE_INTERRUPTED;
	if (n > 1 && buf[0] == 'E') {
		buf[n] = '\0';
		return cannot(g, "capture on %s in %s: %s", CLIENT_IFACE, g->ns_c, buf + 1);
	}
	return cannot(g, "the capture on %s in %s did not start", CLIENT_IFACE, g->ns_c);
}

static int capture_stop(struct gate *g)
{
	int st;

	if (g->capture_pid <= 0)
		return 0;
	st = stop_child(g->capture_pid, false, STOP_GRACE);
	g->capture_pid = 0;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		char why[96];

		status_str(st, why, sizeof(why));
		return cannot(g, "the capture process failed (%s)", why);
	}
	return 0;
}

/* The firmware's last timeline line ("[   1.234] stage   result  detail"), spaces squeezed. */
static void firmware_last(const char *log, char *out, size_t cap)
{
	FILE *f = fopen(log, "re");
	char line[1024];
	char last_stage[1024] = "", last_any[1024] = "";
	const char *src;
	size_t o = 0;

	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *rb = strchr(line, ']');

		line[strcspn(line, "\n")] = '\0';
		if (!line[0])
			continue;
		snprintf(last_any, sizeof(last_any), "%s", line);
		/* Stage lines; the indented ones under them are details. */
		if (line[0] == '[' && rb && rb[1] == ' ' && rb[2] && rb[2] != ' ')
			snprintf(last_stage, sizeof(last_stage), "%s", line);
	}
	fclose(f);
	src = last_stage[0] ? last_stage : last_any;
	for (size_t i = 0; src[i] && o + 1 < cap; i++) {
		if (src[i] == ' ' && o > 0 && out[o - 1] == ' ')
			continue;
		out[o++] = src[i];
	}
	out[o] = '\0';
}

/* The client's stages in order, a stage repeated in a row named once. */
static void stage_chain(const struct nbc_client *c, struct gate_result *res)
{
	char *out = res->stages;
	size_t o = 0, cap = sizeof(res->stages);
	int prev = -1;

	out[0] = '\0';
	for (size_t i = 0; i < c->nstages; i++) {
		const char *name = nbc_stage_name(c->stages[i].kind);
		int w;

		if ((int)c->stages[i].kind == prev)
			continue;
		prev = (int)c->stages[i].kind;
		if (res->nkinds < sizeof(res->kinds) / sizeof(res->kinds[0]))
			res->kinds[res->nkinds++] = c->stages[i].kind;
		w = snprintf(out + o, cap - o, "%s%s", o ? " -> " : "", name);
		if (w < 0 || (size_t)w >= cap - o) {
			if (cap > 4)
				memcpy(out + cap - 4, "...", 4);
			return;
		}
		o += (size_t)w;
	}
}

/* Analyzes the profile's capture as analyze does; fills res, writes the JUnit/SARIF parts. */
static int analyze_profile(struct gate *g, const char *pcap, const char *shown,
			   struct gate_result *res)
{
	static const uint8_t client_mac[6] = CLIENT_MAC_BYTES;
	struct eng_options opt = { g->stall, g->have_expect ? &g->expect : NULL, NULL, false };
	struct report_opts ro = { false, -1, false };
	const char *inputs[1] = { shown };
	struct nbc_engine *e;
	struct nbc_report *r;
	const struct nbc_finding *worst = NULL;
	const struct nbc_client *c = NULL;
	char err[512];
	bool truncated = false;

	e = engine_new(&opt);
	if (!e)
		return cannot(g, "out of memory");
	if (capture_read_file(pcap, e, &truncated, err, sizeof(err)) != 0) {
		engine_free(e);
		return cannot(g, "%s", err);
	}
	r = engine_finish(e);
	r->inputs = inputs;
	r->ninputs = 1;
	r->capture_truncated = truncated;
	for (size_t i = 0; i < r->nclients; i++)
		if (r->clients[i].has_mac && memcmp(r->clients[i].mac, client_mac, 6) == 0)
			c = &r->clients[i];
	res->has_client = c != NULL;
	if (c) {
		res->verdict = c->verdict;
		stage_chain(c, res);
	}
	res->nfindings_all = r->nfindings;
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct nbc_finding *f = &r->findings[i];

		if (res->nfindings < GATE_FINDINGS_KEEP) {
			struct gate_finding *k = &res->findings[res->nfindings++];

			snprintf(k->rule, sizeof(k->rule), "%s", f->rule);
			k->sev = f->sev;
			k->frame = f->frame;
			snprintf(k->message, sizeof(k->message), "%s", f->message);
		}
		if (f->sev >= g->fail_on && (!worst || f->sev > worst->sev))
			worst = f;
		else if (f->sev < g->fail_on && !strstr(res->warnings, f->rule)) {
			size_t o = strlen(res->warnings);

			snprintf(res->warnings + o, sizeof(res->warnings) - o, "%s%s", o ? ", " : "",
				 f->rule);
		}
	}
	res->passed = c && c->verdict == NBC_VERDICT_BOOTED && !worst;
	if (worst) {
		snprintf(res->reason, sizeof(res->reason), "%s: %s", worst->rule, worst->message);
	} else if (!c) {
		snprintf(res->reason, sizeof(res->reason),
			 "the capture shows no boot by the client (%s)", CLIENT_MAC);
	} else if (c->verdict != NBC_VERDICT_BOOTED) {
		const struct nbc_stage *s =
			c->verdict_stage >= 0 && (size_t)c->verdict_stage < c->nstages
				? &c->stages[c->verdict_stage]
				: NULL;

		snprintf(res->reason, sizeof(res->reason), "%s%s%s%s%s", nbc_verdict_name(c->verdict),
			 s ? " at " : "", s ? nbc_stage_name(s->kind) : "", s ? ": " : "",
			 s ? s->detail : "");
	}
	if (g->junit)
		report_junit(g->junit, r, &ro, g->fail_on);
	if (g->sarif)
		report_sarif(g->sarif, r, &ro, &g->sarif_log);
	if (g->verbose && !g->json) {
		report_text(stdout, r, &ro);
		fputc('\n', stdout);
	}
	if (truncated)
		say("%s: %s", shown, err);
	engine_free(e);
	return 0;
}

static void print_result(const struct gate *g, const struct gate_result *res)
{
	if (g->json)
		return;
	if (res->passed) {
		printf("gate: %s: booted (%s)", res->p->name, res->stages);
		if (res->warnings[0])
			printf("; also: %s", res->warnings);
		putchar('\n');
	} else {
		printf("gate: %s: FAILED: %s\n", res->p->name, res->reason);
		if (res->fw_timeout)
			printf("  firmware: killed after %g s (--timeout)\n", g->timeout);
		if (res->fw_last[0])
			printf("  firmware: %s\n", res->fw_last);
	}
	fflush(stdout);
}

static int run_profile(struct gate *g, struct gate_result *res)
{
	const struct gate_profile *p = res->p;
	char pcap[PATH_MAX], fwlog[PATH_MAX], shown[PATH_MAX], stage_to[32];
	char *argv[16];
	size_t n = 0;
	int rc, st = 0;
	bool done;

	snprintf(pcap, sizeof(pcap), "%s/%s.pcap", g->tmp, p->name);
	snprintf(fwlog, sizeof(fwlog), "%s/%s.firmware.log", g->tmp, p->name);
	if (g->keep)
		snprintf(shown, sizeof(shown), "%s/%s.pcap", g->keep, p->name);
	else
		snprintf(shown, sizeof(shown), "%s.pcap", p->name);
	snprintf(stage_to, sizeof(stage_to), "%g", g->timeout < 10 ? g->timeout : 10.0);
	/* Each profile a fresh client: no address left by the one before. */
	if ((rc = run_ip(g, "flushing the client's address",
			 IP_ARGS("-n", g->ns_c, "addr", "flush", "dev", CLIENT_IFACE))) != 0)
		return rc;
	if ((rc = capture_start(g, pcap)) != 0)
		return rc;
	argv[n++] = (char *)"ip";
	argv[n++] = (char *)"netns";
	argv[n++] = (char *)"exec";
	argv[n++] = g->ns_c;
	argv[n++] = g->fw_path;
	argv[n++] = (char *)"--iface";
	argv[n++] = (char *)CLIENT_IFACE;
	argv[n++] = (char *)"--arch";
	argv[n++] = (char *)p->arch;
	argv[n++] = (char *)"--timeout";
	argv[n++] = stage_to;
	if (p->ipxe) {
		argv[n++] = (char *)"--start";
		argv[n++] = (char *)"ipxe";
	}
	argv[n] = NULL;
	res->ran = true;
	g->fw_pid = spawn(argv, fwlog, false, true);
	if (g->fw_pid < 0) {
		g->fw_pid = 0;
		return cannot(g, "fork: %s", strerror(errno));
	}
	done = wait_exit(g->fw_pid, g->timeout, &st, true);
	if (!done && gate_signal)
		return GATE_INTERRUPTED;	/* cleanup stops the firmware and the capture */
	if (!done) {
		res->fw_timeout = true;
		st = stop_child(g->fw_pid, true, 1.0);
	}
	g->fw_pid = 0;
	res->fw_status = st;
	firmware_last(fwlog, res->fw_last, sizeof(res->fw_last));
	/* The last replies may still be on their way into the capture. */
	for (double until = mono() + 0.5; mono() < until && !gate_signal;)
		nap(0.05);
	if ((rc = capture_stop(g)) != 0)
		return rc;
	if (gate_signal)
		return GATE_INTERRUPTED;
	/* 2 cannot run (interface, permission), 3 usage, 126/127 exec failed. */
	if (!res->fw_timeout && WIFEXITED(st) &&
	    (WEXITSTATUS(st) == 2 || WEXITSTATUS(st) == 3 || WEXITSTATUS(st) >= 126)) {
		char why[96];

		status_str(st, why, sizeof(why));
		return cannot(g, "the firmware could not run (%s): %s", why, res->fw_last);
	}
	if ((rc = analyze_profile(g, pcap, shown, res)) != 0)
		return rc;
	/* A server gone (during this boot or an earlier one) fails the profile. */
	server_exited(g);
	for (size_t i = 0; i < g->started; i++) {
		const struct gate_server *gone = &g->srv[i];
		char why[96];

		if (gone->running)
			continue;
		status_str(gone->status, why, sizeof(why));
		res->passed = false;
		snprintf(res->reason, sizeof(res->reason), "server %zu exited while the clients booted "
			 "(%s): %s", i + 1, why, gone->cmd);
		break;
	}
	print_result(g, res);
	return 0;
}

/* --- the end --- */

static const char *keep_src;
static const char *keep_dst;

static int keep_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	char dst[PATH_MAX];
	const char *rel = path + strlen(keep_src);
	int in, out;
	char buf[65536];
	ssize_t n;

	(void)ftw;
	if (!*rel)
		return 0;
	if ((size_t)snprintf(dst, sizeof(dst), "%s%s", keep_dst, rel) >= sizeof(dst))
		return 0;
	if (flag == FTW_D) {
		if (mkdir(dst, 0755) != 0 && errno != EEXIST)
			say("--keep: %s: %s", dst, strerror(errno));
		return 0;
	}
	if (flag != FTW_F || !S_ISREG(sb->st_mode))
		return 0;
	in = open(path, O_RDONLY | O_CLOEXEC);
	/* Readable by the CI user that uploads them, though gate ran as root. */
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (in < 0 || out < 0) {
		say("--keep: %s: %s", in < 0 ? path : dst, strerror(errno));
	} else {
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n) {
				say("--keep: %s: %s", dst, strerror(errno));
				break;
			}
	}
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	if (remove(path) != 0)
		say("cannot remove %s: %s", path, strerror(errno));
	return 0;
}

/* Stops everything gate started and deletes the namespaces. Returns nonzero if a step
 * failed (the host keeps something of ours). Safe to call at any point, and twice. */
static int teardown(struct gate *g)
{
	int bad = 0;
	unsigned left;

	if (g->fw_pid > 0) {
		stop_child(g->fw_pid, true, 1.0);
		g->fw_pid = 0;
	}
	if (g->capture_pid > 0) {
		stop_child(g->capture_pid, false, STOP_GRACE);
		g->capture_pid = 0;
	}
	stop_servers(g);
	left = 0;
	if (g->made_s)
		left += kill_leftovers(g->ns_s);
	if (g->made_c)
		left += kill_leftovers(g->ns_c);
	if (left)
		say("%u process%s had left the servers' process groups", left, left == 1 ? "" : "es");
	if (g->made_s) {
		if (run_ip(g, "deleting the server namespace", IP_ARGS("netns", "del", g->ns_s)) != 0)
			bad = 1;
		g->made_s = false;
	}
	if (g->made_c) {
		if (run_ip(g, "deleting the client namespace", IP_ARGS("netns", "del", g->ns_c)) != 0)
			bad = 1;
		g->made_c = false;
	}
	return bad;
}

static void show_server_logs(const struct gate *g)
{
	for (size_t i = 0; i < g->started; i++) {
		say("server %zu log (%s), last %d lines:", i + 1, g->srv[i].cmd, LOG_TAIL_LINES);
		print_tail(stderr, g->srv[i].log, LOG_TAIL_LINES, "  | ");
	}
}

static void remove_tmp(struct gate *g)
{
	if (!g->have_tmp)
		return;
	if (g->keep) {
		keep_src = g->tmp;
		keep_dst = g->keep;
		nftw(g->tmp, keep_entry, 16, FTW_PHYS | FTW_MOUNT);
		say("kept the captures and logs in %s", g->keep);
	}
	nftw(g->tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	g->have_tmp = false;
}

static void json_summary(const struct gate *g, int rc)
{
	printf("{\n  \"gate\": \"%s\",\n  \"profiles\": [",
	       rc == EXIT_PASS ? "pass" : rc == EXIT_FAIL ? "fail" : "error");
	size_t shown = 0;

	for (size_t i = 0; i < g->nres; i++) {
		const struct gate_result *r = &g->res[i];
		char why[96];

		if (!r->ran)
			continue;
		status_str(r->fw_status, why, sizeof(why));
		printf("%s\n    {\"profile\": \"%s\", \"passed\": %s, \"verdict\": ", shown++ ? "," : "",
		       r->p->name, r->passed ? "true" : "false");
		if (r->has_client)
			printf("\"%s\"", nbc_verdict_name(r->verdict));
		else
			fputs("null", stdout);
		fputs(", \"stages\": [", stdout);
		for (size_t k = 0; k < r->nkinds; k++)
			printf("%s\"%s\"", k ? ", " : "", nbc_stage_name(r->kinds[k]));
		fputs("],\n     \"reason\": ", stdout);
		if (r->reason[0])
			report_json_string(stdout, r->reason);
		else
			fputs("null", stdout);
		fputs(",\n     \"firmware\": {\"status\": ", stdout);
		report_json_string(stdout, r->fw_timeout ? "killed at --timeout" : why);
		fputs(", \"last\": ", stdout);
		report_json_string(stdout, r->fw_last);
		fputs("},\n     \"findings\": [", stdout);
		for (size_t k = 0; k < r->nfindings; k++) {
			printf("%s\n       {\"rule\": ", k ? "," : "");
			report_json_string(stdout, r->findings[k].rule);
			printf(", \"severity\": \"%s\", \"frame\": %llu, \"message\": ",
			       nbc_sev_name(r->findings[k].sev),
			       (unsigned long long)r->findings[k].frame);
			report_json_string(stdout, r->findings[k].message);
			fputs("}", stdout);
		}
		printf("%s], \"findings_total\": %zu}", r->nfindings ? "\n     " : "",
		       r->nfindings_all);
	}
	fputs(shown ? "\n  ]" : "]", stdout);
	if (rc == EXIT_CANNOT) {
		fputs(",\n  \"error\": ", stdout);
		report_json_string(stdout, g->error);
	}
	fputs("\n}\n", stdout);
}

/* A gate that could not run still leaves a JUnit file a CI view shows as an error. */
static void junit_error(const struct gate *g)
{
	fputs("  <testsuite name=\"gate\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n"
	      "    <testcase classname=\"gate\" name=\"gate runs the candidate servers\">\n"
	      "      <error message=\"",
	      g->junit);
	report_xml_string(g->junit, g->error);
	fputs("\"/>\n    </testcase>\n  </testsuite>\n", g->junit);
}

/* --- the command line --- */

static void gate_usage(FILE *out)
{
	fputs("usage: netboot-check gate --server CMD [--server CMD...] [--site SITE] [options]\n"
	      "\n"
	      "Runs a candidate DHCP/TFTP/HTTP server setup for real in a private network\n"
	      "namespace, boots the reference client (netboot-firmware) against it once per\n"
	      "client profile in a second namespace, captures each boot there and analyzes it\n"
	      "as analyze does. Passes when every profile boots with no finding at --fail-on or\n"
	      "worse. Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN). docs/gate.md has the details.\n"
	      "\n"
	      "  --server CMD          one server process of the setup (repeatable), run in the\n"
	      "                        foreground as sh -c 'exec CMD' in the server namespace,\n"
	      "                        from the current directory, output to {tmp}/server-N.log.\n"
	      "                        {iface}, {ip} and {tmp} become the server's interface, its\n"
	      "                        address and a private temporary directory ({tmp}/leases\n"
	      "                        exists, empty, for dhcpd -lf)\n"
	      "  --site SITE           the expected flow (docs/site-file.md), as analyze --expect\n"
	      "  --profile LIST        comma-separated: bios, efi64, ipxe (default all three)\n"
	      "  --timeout S           per profile: the firmware is killed after S s (default 60);\n"
	      "                        it gets --timeout min(10, S) per stage\n"
	      "  --ready-timeout S     wait this long for UDP 67 or 4011 to be bound (default 10)\n"
	      "  --server-iface NAME   the server's interface in its namespace (default eth0)\n"
	      "  --server-ip A.B.C.D/NN\n"
	      "                        the server's address and prefix (default 192.0.2.1/24)\n"
	      "  --firmware PATH       the netboot-firmware to boot (default: the one beside\n"
	      "                        netboot-check, else from PATH)\n"
	      "  --keep DIR            keep the captures (PROFILE.pcap) and logs in DIR\n"
	      "  --format text|json    one line per profile (default), or one JSON document\n"
	      "  --junit FILE          each profile's analyze report as JUnit XML\n"
	      "  --sarif FILE          each profile's findings as SARIF 2.1.0\n"
	      "  --fail-on error|warning|info\n"
	      "                        a finding this severe fails its profile (default error)\n"
	      "  --stall-timeout SEC, --enable ID, --disable ID   as for analyze\n"
	      "  -v, --verbose         print each profile's analyze report too\n"
	      "\n"
	      "Profiles: bios (netboot-firmware --arch bios), efi64 (--arch efi-x64), ipxe\n"
	      "(--start ipxe: iPXE's own DHCP first, as a NIC with an iPXE ROM).\n"
	      "\n"
	      "Exit status: 0 every profile booted, 1 a profile failed, 2 could not run (not\n"
	      "root, iproute2 or netboot-firmware missing, a server that exits at once or never\n"
	      "listens, interrupted), 3 usage error.\n",
	      out);
}

#define usage_err(...) cli_usage_error("netboot-check: ", "netboot-check gate --help", __VA_ARGS__)

static int parse_profiles(struct gate *g, const char *list)
{
	const char *p = list;

	g->nprofiles = 0;
	while (*p) {
		size_t len = strcspn(p, ",");
		size_t k;

		for (k = 0; k < NPROFILES; k++)
			if (strlen(profiles[k].name) == len && strncmp(p, profiles[k].name, len) == 0)
				break;
		if (k == NPROFILES)
			return usage_err("--profile: no profile '%.*s' (bios, efi64, ipxe)", (int)len, p);
		for (size_t i = 0; i < g->nprofiles; i++)
			if (g->order[i] == &profiles[k])
				return usage_err("--profile: %s twice", profiles[k].name);
		g->order[g->nprofiles++] = &profiles[k];
		p += len;
		if (*p == ',')
			p++;
	}
	if (g->nprofiles == 0)
		return usage_err("--profile needs at least one of bios, efi64, ipxe");
	return 0;
}

static int parse_server_ip(struct gate *g, const char *arg)
{
	char addr[32];
	const char *slash = strchr(arg, '/');
	unsigned long prefix = 24;
	uint32_t ip;
	size_t len = slash ? (size_t)(slash - arg) : strlen(arg);

	if (len >= sizeof(addr))
		return -1;
	memcpy(addr, arg, len);
	addr[len] = '\0';
	if (!net_ip_parse(addr, &ip) || ip == 0)
		return -1;
	if (slash) {
		char *end;

		prefix = strtoul(slash + 1, &end, 10);
		if (*end || end == slash + 1 || prefix < 1 || prefix > 30)
			return -1;
	}
	net_ip_str(ip, g->ip, sizeof(g->ip));
	snprintf(g->cidr, sizeof(g->cidr), "%s/%lu", g->ip, prefix);
	return 0;
}

static bool valid_iface(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= 16 || strcmp(s, "lo") == 0 || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] == '/' || s[i] == ':' || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

static int parse_args(struct gate *g, int argc, char **argv)
{
	enum { O_SERVER = 256, O_SITE, O_PROFILE, O_TIMEOUT, O_READY, O_KEEP, O_FORMAT, O_JUNIT,
	       O_SARIF, O_FAILON, O_IFACE, O_IP, O_FIRMWARE, O_STALL, O_ENABLE, O_DISABLE, O_HELP };
	static const struct option longopts[] = {
		{ "server", required_argument, NULL, O_SERVER },
		{ "site", required_argument, NULL, O_SITE },
		{ "expect", required_argument, NULL, O_SITE },
		{ "profile", required_argument, NULL, O_PROFILE },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "ready-timeout", required_argument, NULL, O_READY },
		{ "keep", required_argument, NULL, O_KEEP },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "junit", required_argument, NULL, O_JUNIT },
		{ "sarif", required_argument, NULL, O_SARIF },
		{ "fail-on", required_argument, NULL, O_FAILON },
		{ "server-iface", required_argument, NULL, O_IFACE },
		{ "server-ip", required_argument, NULL, O_IP },
		{ "firmware", required_argument, NULL, O_FIRMWARE },
		{ "stall-timeout", required_argument, NULL, O_STALL },
		{ "enable", required_argument, NULL, O_ENABLE },
		{ "disable", required_argument, NULL, O_DISABLE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		char *end;

		switch (ch) {
		case O_SERVER:
			if (g->nservers == GATE_SERVERS_MAX)
				return usage_err("at most %d --server commands", GATE_SERVERS_MAX);
			if (!optarg[strspn(optarg, " \t")])
				return usage_err("--server needs a command");
			g->server_cmd[g->nservers++] = optarg;
			break;
		case O_SITE:
			g->site = optarg;
			break;
		case O_PROFILE:
			if (parse_profiles(g, optarg) != 0)
				return EXIT_USAGE;
			break;
		case O_TIMEOUT:
			g->timeout = strtod(optarg, &end);
			if (*end || end == optarg || !(g->timeout > 0) || g->timeout > 3600)
				return usage_err("--timeout takes seconds (0 < S <= 3600), not '%s'",
						 optarg);
			break;
		case O_READY:
			g->ready_timeout = strtod(optarg, &end);
			if (*end || end == optarg || !(g->ready_timeout > 0) || g->ready_timeout > 600)
				return usage_err("--ready-timeout takes seconds (0 < S <= 600), not "
						 "'%s'",
						 optarg);
			break;
		case O_KEEP:
			g->keep = optarg;
			break;
		case O_FORMAT:
			if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0)
				return usage_err("--format takes text or json, not '%s'", optarg);
			g->json = strcmp(optarg, "json") == 0;
			break;
		case O_JUNIT:
			g->junit_path = optarg;
			break;
		case O_SARIF:
			g->sarif_path = optarg;
			break;
		case O_FAILON:
			if (strcmp(optarg, "error") == 0)
				g->fail_on = NBC_SEV_ERROR;
			else if (strcmp(optarg, "warning") == 0)
				g->fail_on = NBC_SEV_WARNING;
			else if (strcmp(optarg, "info") == 0 || strcmp(optarg, "note") == 0)
				g->fail_on = NBC_SEV_INFO;
			else
				return usage_err("--fail-on takes error, warning or info, not '%s'",
						 optarg);
			break;
		case O_IFACE:
			if (!valid_iface(optarg))
				return usage_err("--server-iface: '%s' is not a usable interface name",
						 optarg);
			g->iface = optarg;
			break;
		case O_IP:
			if (parse_server_ip(g, optarg) != 0)
				return usage_err("--server-ip takes A.B.C.D/NN (prefix 1-30), not '%s'",
						 optarg);
			break;
		case O_FIRMWARE:
			g->firmware = optarg;
			break;
		case O_STALL:
			g->stall = strtod(optarg, &end);
			if (*end || end == optarg || !(g->stall > 0) || g->stall > 86400)
				return usage_err("--stall-timeout takes seconds (0 < SEC <= 86400), not "
						 "'%s'",
						 optarg);
			break;
		case O_ENABLE:
		case O_DISABLE:
			if (!rules_set_enabled(optarg, ch == O_ENABLE))
				return usage_err("no rule '%s' (netboot-check rules lists them)", optarg);
			break;
		case 'v':
			g->verbose = true;
			break;
		case 'h':
		case O_HELP:
			gate_usage(stdout);
			return -1;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return usage_err("unexpected argument '%s' (quote each --server command as one "
				 "argument)",
				 argv[optind]);
	if (g->nservers == 0)
		return usage_err("gate needs at least one --server command");
	return 0;
}

/* The checks that need no namespace: who we are, what we need, what we write. */
static int preflight(struct gate *g)
{
	char self[PATH_MAX];
	ssize_t n;
	char ippath[PATH_MAX];
	char err[512];

	if (!have_caps())
		return cannot(g, "gate needs root: CAP_NET_ADMIN and CAP_SYS_ADMIN to create network "
				 "namespaces");
	if (!find_in_path("ip", ippath, sizeof(ippath)))
		return cannot(g, "gate needs iproute2: no ip command in PATH (apt-get install "
				 "iproute2)");
	if (g->firmware) {
		if (access(g->firmware, X_OK) != 0)
			return cannot(g, "--firmware %s: %s", g->firmware, strerror(errno));
		if (!realpath(g->firmware, g->fw_path))
			return cannot(g, "--firmware %s: %s", g->firmware, strerror(errno));
	} else {
		bool found = false;

		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n > 0) {
			char *slash;

			self[n] = '\0';
			slash = strrchr(self, '/');
			if (slash && (size_t)(slash - self) + sizeof("/netboot-firmware") <= sizeof(g->fw_path)) {
				snprintf(g->fw_path, sizeof(g->fw_path), "%.*s/netboot-firmware",
					 (int)(slash - self), self);
				found = access(g->fw_path, X_OK) == 0;
			}
		}
		if (!found && find_in_path("netboot-firmware", self, sizeof(self)))
			found = realpath(self, g->fw_path) != NULL;
		if (!found)
			return cannot(g, "netboot-firmware not found beside netboot-check nor in PATH "
					 "(--firmware PATH)");
	}
	if (g->site) {
		if (expect_load(g->site, &g->expect, err, sizeof(err)) != 0)
			return cannot(g, "%s", err);
		g->have_expect = true;
	}
	if (g->keep) {
		char tmp[PATH_MAX];
		struct stat st;

		/* mkdir -p */
		snprintf(tmp, sizeof(tmp), "%s", g->keep);
		for (char *p = tmp + 1; *p; p++) {
			if (*p != '/')
				continue;
			*p = '\0';
			if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
				return cannot(g, "--keep %s: %s: %s", g->keep, tmp, strerror(errno));
			*p = '/';
		}
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return cannot(g, "--keep %s: %s", g->keep, strerror(errno));
		if (stat(g->keep, &st) != 0 || !S_ISDIR(st.st_mode) || access(g->keep, W_OK) != 0)
			return cannot(g, "--keep %s: not a writable directory", g->keep);
	}
	if (g->junit_path) {
		g->junit = fopen(g->junit_path, "we");
		if (!g->junit)
			return cannot(g, "--junit %s: %s", g->junit_path, strerror(errno));
		report_junit_begin(g->junit);
	}
	if (g->sarif_path) {
		g->sarif = fopen(g->sarif_path, "we");
		if (!g->sarif)
			return cannot(g, "--sarif %s: %s", g->sarif_path, strerror(errno));
		memset(&g->sarif_log, 0, sizeof(g->sarif_log));
		report_sarif_begin(g->sarif);
	}
	return 0;
}

static int make_tmp(struct gate *g)
{
	const char *base = getenv("TMPDIR");
	char leases[PATH_MAX + 8];
	int fd;

	/* {tmp} goes into shell commands unquoted: only a plain directory name will do. */
	if (!base || !*base || base[0] != '/' || base[strspn(base, "abcdefghijklmnopqrstuvwxyz"
						    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-")])
		base = "/tmp";
	snprintf(g->tmp, sizeof(g->tmp), "%s/nbcg-%ld-XXXXXX", base, (long)getpid());
	if (!mkdtemp(g->tmp))
		return cannot(g, "cannot make a temporary directory in %s: %s", base, strerror(errno));
	g->have_tmp = true;
	/* ISC dhcpd will not start without an existing lease file. */
	snprintf(leases, sizeof(leases), "%s/leases", g->tmp);
	fd = open(leases, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return cannot(g, "%s: %s", leases, strerror(errno));
	close(fd);
	return 0;
}

static int gate_run(struct gate *g)
{
	int rc;
	size_t failed = 0;

	if ((rc = make_tmp(g)) != 0)
		return rc;
	if ((rc = net_up(g)) != 0)
		return rc;
	say("network: %s (%s on %s) <-> %s (%s, %s)", g->ns_s, g->cidr, g->iface, g->ns_c,
	    CLIENT_IFACE, CLIENT_MAC);
	if ((rc = start_servers(g)) != 0)
		return rc;
	if ((rc = wait_ready(g)) != 0)
		return rc;
	for (size_t i = 0; i < g->nprofiles; i++) {
		struct gate_result *res = &g->res[g->nres++];

		res->p = g->order[i];
		if (gate_signal)
			return GATE_INTERRUPTED;
		if ((rc = run_profile(g, res)) != 0)
			return rc;
		if (!res->passed)
			failed++;
	}
	if (!g->json) {
		if (failed)
			printf("gate: FAIL (%zu of %zu profile%s failed)\n", failed, g->nprofiles,
			       g->nprofiles == 1 ? "" : "s");
		else
			printf("gate: PASS (%zu profile%s)\n", g->nprofiles,
			       g->nprofiles == 1 ? "" : "s");
	}
	if (failed)
		g->show_logs = true;
	return failed ? EXIT_FAIL : EXIT_PASS;
}

int gate_main(int argc, char **argv)
{
	static struct gate g;
	struct sigaction sa, old_int, old_term, old_hup, old_pipe;
	int rc;

	memset(&g, 0, sizeof(g));
	g.order[0] = &profiles[0];
	g.order[1] = &profiles[1];
	g.order[2] = &profiles[2];
	g.nprofiles = NPROFILES;
	g.timeout = 60;
	g.ready_timeout = 10;
	g.fail_on = NBC_SEV_ERROR;
	g.stall = 30.0;
	g.iface = "eth0";
	parse_server_ip(&g, "192.0.2.1/24");
	rc = parse_args(&g, argc, argv);
	if (rc != 0)
		return rc < 0 ? EXIT_PASS : rc;
	/* From here on every exit goes through the teardown; a stop signal only sets a flag
	 * (no SA_RESTART: sleeps and waits end early and look at it). SIGPIPE ignored, so
	 * that a closed output cannot kill gate before it cleaned up. */
	gate_signal = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &old_pipe);
	rc = preflight(&g);
	if (rc == 0)
		rc = gate_run(&g);
	if (rc == GATE_INTERRUPTED) {
		snprintf(g.error, sizeof(g.error), "interrupted by %s: stopping the servers and "
			 "removing the namespaces",
			 gate_signal == SIGINT ? "SIGINT" : gate_signal == SIGHUP ? "SIGHUP" : "SIGTERM");
		say("%s", g.error);
		rc = EXIT_CANNOT;
	}
	if (teardown(&g) != 0) {
		say("could not remove everything gate made (ip netns list; ip netns del NAME)");
		if (rc == EXIT_PASS)
			rc = EXIT_CANNOT;
	}
	if (g.show_logs && rc != EXIT_PASS)
		show_server_logs(&g);
	remove_tmp(&g);
	for (size_t i = 0; i < g.nservers; i++)
		free(g.srv[i].cmd);
	if (g.junit) {
		if (rc == EXIT_CANNOT)
			junit_error(&g);
		report_junit_end(g.junit);
		if (fclose(g.junit) != 0 && rc == EXIT_PASS)
			rc = cannot(&g, "--junit %s: %s", g.junit_path, strerror(errno));
	}
	if (g.sarif) {
		report_sarif_end(g.sarif, &g.sarif_log);
		if (fclose(g.sarif) != 0 && rc == EXIT_PASS)
			rc = cannot(&g, "--sarif %s: %s", g.sarif_path, strerror(errno));
	}
	if (g.json)
		json_summary(&g, rc);
	fflush(stdout);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	return rc;
}
