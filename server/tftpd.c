/* tftpd.c: netboot-serve's read-only TFTP service: one socket per transfer, windows, retransmission. */
#include "server/tftpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/net.h"
#include "proto/tftp.h"
#include "server/log.h"

#define DEF_MAX_TRANSFERS 512
#define DEF_TIMEOUT 1.0
#define DEF_RETRIES 5
#define DEF_MAX_WINDOW 64
#define BACKOFF_CAP 8.0		/* seconds: the exponential backoff stops growing here */
#define REQ_BUF 65536		/* a UDP datagram of any size fits */
#define NAME_CAP 4096		/* longest requested name accepted */
#define LOGNAME_CAP 256		/* names in log lines are cut here */
#define RECV_BURST 64		/* datagrams read per wakeup, so that no socket starves the rest */
#define GARBAGE_SLOTS 32
#define GARBAGE_INTERVAL 60.0	/* seconds between two "garbage" lines about one peer */
#define EVICT_SILENCE 2.0	/* at the cap, a transfer silent this long makes room */

struct tftpd;

struct xfer {
	struct tftpd *t;
	struct xfer *next;
	int sock;		/* our TID for this transfer (RFC 1350 section 4) */
	uint16_t port;		/* detached mode: the TID's port (no socket) */
	int file;
	struct sockaddr_in peer;
	char peer_str[32];
	char name[LOGNAME_CAP];	/* printable, for logs */
	uint64_t size;
	uint16_t blksize;
	uint16_t window;
	double base_rto;
	double rto;
	unsigned tries;		/* timeouts since the last progress */
	uint64_t timer;
	bool oack_pending;	/* OACK sent, ACK 0 not yet seen (RFC 2347) */
	bool want_out;		/* POLLOUT requested: the socket buffer was full */
	bool rolled;		/* the rollover was logged */
	bool stranger_logged;
	bool heard;		/* the client has answered on this TID */
	double heard_at;	/* its last datagram on this TID (the start until then) */
	/* Block numbers here are absolute (1, 2, ... past 65535); the wire carries the low 16 bits. */
	uint64_t last;		/* the final, short (maybe empty) block */
	uint64_t acked;		/* highest block acknowledged; 0 = none */
	uint64_t next_send;
	uint64_t win_end;	/* last block of the window being sent */
	uint64_t high;		/* highest block sent so far */
	uint64_t retrans;
	double start;
	uint8_t oack[512];
	size_t oack_len;
	uint8_t *data;		/* blksize bytes read from the file */
	uint8_t *pkt;		/* 4 + blksize bytes: the DATA packet */
};

struct garbage_slot {
	uint32_t ip;
	double at;
};

struct tftpd {
	struct srv_loop *loop;
	struct tftpd_conf conf;	/* defaults filled in; conf.root points at root */
	char *root;
	int fd;
	uint16_t port;
	struct xfer *xfers;
	unsigned nxfers;
	struct garbage_slot garbage[GARBAGE_SLOTS];
	/* Detached mode (tftpd_new_detached): datagrams go out through send, the loop is
	 * our own and only holds timers. */
	tftpd_send_fn send;
	void *send_ctx;
	uint16_t next_port;
	uint8_t req[REQ_BUF];
};

static void peer_fmt(const struct sockaddr_in *sa, char *buf, size_t cap)
{
	char ip[16];

	net_ip_str(ntohl(sa->sin_addr.s_addr), ip, sizeof(ip));
	snprintf(buf, cap, "%s:%u", ip, (unsigned)ntohs(sa->sin_port));
}

static bool same_peer(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_addr.s_addr == b->sin_addr.s_addr && a->sin_port == b->sin_port;
}

/* sendto on fd, or in detached mode the callback with our port lport. */
static ssize_t dg_send(const struct tftpd *t, int fd, uint16_t lport, const struct sockaddr_in *to,
		       const void *p, size_t n)
{
	if (t->send) {
		t->send(t->send_ctx, lport, ntohs(to->sin_port), p, n);
		return (ssize_t)n;
	}
	return sendto(fd, p, n, 0, (const struct sockaddr *)to, sizeof(*to));
}

static void send_error(const struct tftpd *t, int fd, uint16_t lport, const struct sockaddr_in *to,
		       uint16_t code, const char *msg)
{
	uint8_t b[600];
	size_t n = tftp_encode_error(code, msg, b, sizeof(b));

	/* Errors are not retransmitted (RFC 1350 section 7): a lost one is lost. */
	if (n)
		(void)dg_send(t, fd, lport, to, b, n);
}

/* ---- name resolution ---- */

static bool has_dotdot(const char *name)
{
	const char *seg = name;

	for (;;) {
		const char *end = strchr(seg, '/');
		size_t len = end ? (size_t)(end - seg) : strlen(seg);

		if (len == 2 && seg[0] == '.' && seg[1] == '.')
			return true;
		if (!end)
			return false;
		seg = end + 1;
	}
}

static const char *errno_why(int e, int *code)
{
	*code = TFTP_ERR_ACCESS;
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		*code = TFTP_ERR_NOT_FOUND;
		return "file not found";
	case EACCES:
	case EPERM:
		return "permission denied";
	case ELOOP:
		return "too many symlinks";
	case ENAMETOOLONG:
		return "file name too long";
	case EMFILE:
	case ENFILE:
		*code = TFTP_ERR_UNDEF;	/* the server's, and passing: not an access violation */
		return "server out of file descriptors";
	default:
		return "cannot resolve the path";
	}
}

int tftpd_resolve(const char *root, const char *name, char *out, size_t outcap,
		  const char **why)
{
	const char *dummy;
	char *rroot = NULL, *joined = NULL, *rpath = NULL;
	struct stat st;
	size_t n;
	int rc = TFTP_ERR_ACCESS;

	if (!why)
		why = &dummy;
	*why = "no file name";
	if (!root || !name)
		return TFTP_ERR_ACCESS;
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			*why = "control character in the file name";
			return TFTP_ERR_ACCESS;
		}
	/* A leading '/' means the root, as with tftpd-hpa -s: PXE ROMs send "/pxelinux.0". */
	while (*name == '/')
		name++;
	if (!*name) {
		*why = "empty file name";
		return TFTP_ERR_ACCESS;
	}
	if (has_dotdot(name)) {
		*why = "'..' in the file name";
		return TFTP_ERR_ACCESS;
	}
	rroot = realpath(root, NULL);
	if (!rroot) {
		*why = "root directory not accessible";
		return TFTP_ERR_ACCESS;
	}
	n = strlen(rroot) + 1 + strlen(name) + 1;
	joined = malloc(n);
	if (!joined) {
		*why = "out of memory";
		goto out;
	}
	snprintf(joined, n, "%s/%s", rroot, name);
	rpath = realpath(joined, NULL);
	if (!rpath) {
		*why = errno_why(errno, &rc);
		goto out;
	}
	/* Symlinks are followed, but the end must stay under the root. */
	n = strlen(rroot);
	if (strcmp(rroot, "/") != 0 &&
	    (strncmp(rpath, rroot, n) != 0 || (rpath[n] != '/' && rpath[n] != '\0'))) {
		*why = "outside the root (a symlink points out)";
		goto out;
	}
	if (stat(rpath, &st) < 0) {
		*why = errno_why(errno, &rc);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		*why = "a directory";
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		goto out;
	}
	if (strlen(rpath) + 1 > outcap) {
		*why = "file name too long";
		goto out;
	}
	memcpy(out, rpath, strlen(rpath) + 1);
	*why = "ok";
	rc = 0;
out:
	free(rroot);
	free(joined);
	free(rpath);
	return rc;
}

/* ---- one transfer ---- */

static void xfer_free(struct xfer *x)
{
	struct tftpd *t = x->t;

	for (struct xfer **pp = &t->xfers; *pp; pp = &(*pp)->next)
		if (*pp == x) {
			*pp = x->next;
			t->nxfers--;
			break;
		}
	if (x->timer)
		srv_timer_cancel(t->loop, x->timer);
	if (x->sock >= 0) {
		srv_loop_del(t->loop, x->sock);
		close(x->sock);
	}
	if (x->file >= 0)
		close(x->file);
	free(x->data);
	free(x->pkt);
	free(x);
}

static void xfer_done(struct xfer *x)
{
	double ms = (srv_now() - x->start) * 1000.0;

	srv_log("tftp", x->peer_str, "%s: %llu bytes in %llu blocks, %llu retransmissions, %.0f ms",
		x->name, (unsigned long long)x->size, (unsigned long long)x->last,
		(unsigned long long)x->retrans, ms);
	xfer_free(x);
}

static void on_timer(struct srv_loop *l, void *ctx);

static bool arm(struct xfer *x)
{
	if (x->timer)
		srv_timer_cancel(x->t->loop, x->timer);
	x->timer = srv_timer_add(x->t->loop, x->rto, on_timer, x);
	return x->timer != 0;
}

/* Sends block n. Returns 0 when sent (or dropped by the network stack), 1 when the socket
 * buffer is full, -1 on a read error. */
static int send_block(struct xfer *x, uint64_t n)
{
	uint64_t off = (n - 1) * x->blksize;
	size_t want = n < x->last ? x->blksize : (size_t)(x->size - off);
	size_t got = 0;
	size_t len;

	/* Streamed with pread at the block's offset: files are never read whole. */
	while (got < want) {
		ssize_t r = pread(x->file, x->data + got, want - got, (off_t)(off + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			errno = ENODATA;	/* the file shrank since it was opened */
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	len = tftp_encode_data((uint16_t)n, x->data, want, x->pkt, 4 + (size_t)x->blksize);
	if (dg_send(x->t, x->sock, x->port, &x->peer, x->pkt, len) < 0 &&
	    (errno == EAGAIN || errno == EWOULDBLOCK))
		return 1;
	/* Other send errors (ENOBUFS, a firewall) count as a loss: the timer resends. */
	return 0;
}

/* Sends what is left of the window; waits for POLLOUT when the socket buffer is full. */
static int send_pending(struct xfer *x)
{
	while (x->next_send <= x->win_end) {
		uint64_t n = x->next_send;
		int rc = send_block(x, n);

		if (rc < 0) {
			srv_log("tftp", x->peer_str, "%s: read error at block %llu: %s; transfer aborted",
				x->name, (unsigned long long)n, strerror(errno));
			send_error(x->t, x->sock, x->port, &x->peer, TFTP_ERR_UNDEF, "read error");
			return -1;
		}
		if (rc > 0) {
			if (!x->want_out)
				srv_loop_mod(x->t->loop, x->sock, POLLIN | POLLOUT);
			x->want_out = true;
			return 0;
		}
		if (n <= x->high)
			x->retrans++;
		else
			x->high = n;
		if ((n & 0xffff) == 0 && !x->rolled) {
			/* Past block 65535 the counter wraps to 0, as tftp-hpa and most servers do. */
			srv_log("tftp", x->peer_str, "%s: block number rolled over 65535 -> 0",
				x->name);
			x->rolled = true;
		}
		x->next_send++;
	}
	if (x->want_out)
		srv_loop_mod(x->t->loop, x->sock, POLLIN);
	x->want_out = false;
	return 0;
}

static void start_window(struct xfer *x)
{
	x->next_send = x->acked + 1;
	x->win_end = x->acked + x->window;
	if (x->win_end > x->last)
		x->win_end = x->last;
}

/* The client has everything up to block a. Returns false when x was freed. */
static bool progress(struct xfer *x, uint64_t a)
{
	x->acked = a;
	if (a == x->last) {
		xfer_done(x);
		return false;
	}
	x->tries = 0;
	x->rto = x->base_rto;
	/* RFC 7440: after the ACK of the window's last block, or of an earlier one (a loss),
	 * sending goes on from the block after the acknowledged one. */
	start_window(x);
	if (send_pending(x) < 0) {
		xfer_free(x);
		return false;
	}
	if (!arm(x)) {
		srv_log("tftp", x->peer_str, "%s: out of memory for a timer; transfer aborted",
			x->name);
		xfer_free(x);
		return false;
	}
	return true;
}

static void on_timer(struct srv_loop *l, void *ctx)
{
	struct xfer *x = ctx;
	double cap = x->base_rto > BACKOFF_CAP ? x->base_rto : BACKOFF_CAP;

	(void)l;
	x->timer = 0;
	if (x->tries >= x->t->conf.retries) {
		srv_log("tftp", x->peer_str,
			"%s: no %s after %u retransmissions; giving up (%llu of %llu blocks acknowledged)",
			x->name, x->oack_pending ? "ACK of the OACK" : "ACK", x->tries,
			(unsigned long long)x->acked, (unsigned long long)x->last);
		send_error(x->t, x->sock, x->port, &x->peer, TFTP_ERR_UNDEF, "timed out");
		xfer_free(x);
		return;
	}
	x->tries++;
	x->rto = x->rto * 2 > cap ? cap : x->rto * 2;
	if (x->oack_pending) {
		(void)dg_send(x->t, x->sock, x->port, &x->peer, x->oack, x->oack_len);
		x->retrans++;
	} else {
		/* Only a timeout resends: the whole unacknowledged window. */
		start_window(x);
		if (send_pending(x) < 0) {
			xfer_free(x);
			return;
		}
	}
	if (!arm(x)) {
		srv_log("tftp", x->peer_str, "%s: out of memory for a timer; transfer aborted",
			x->name);
		xfer_free(x);
	}
}

/* Returns false when x was freed. */
static bool on_ack(struct xfer *x, uint16_t wire)
{
	uint16_t delta;
	uint64_t a;

	if (x->oack_pending) {
		if (wire != 0)
			return true;	/* only ACK 0 answers an OACK (RFC 2347) */
		x->oack_pending = false;
		return progress(x, 0);
	}
	/* The ACK names a block at or after the last acknowledged one, modulo 65536. */
	delta = (uint16_t)(wire - (uint16_t)x->acked);
	a = x->acked + delta;
	/* A duplicate ACK resends nothing: that is the Sorcerer's Apprentice bug (RFC 1123
	 * 4.2.3.1). An ACK for a block never sent is stale or bogus. */
	if (delta == 0 || a > x->high)
		return true;
	return progress(x, a);
}

/* One datagram (at most 1024 bytes, as recvfrom cuts it) on the transfer's TID. Returns
 * false when x was freed. */
static bool xfer_datagram(struct xfer *x, const struct sockaddr_in *from, const uint8_t *buf,
			  size_t n)
{
	struct tftp_pkt pk;

	if (tftp_decode(buf, n, &pk) < 0)
		return true;
	if (!same_peer(from, &x->peer)) {
		char who[32];

		/* RFC 1350 section 4: answer the stranger, leave the transfer alone.
		 * An ERROR is never answered with an ERROR. */
		if (pk.op == TFTP_ERROR)
			return true;
		send_error(x->t, x->sock, x->port, from, TFTP_ERR_UNKNOWN_TID, "unknown transfer ID");
		if (!x->stranger_logged) {
			peer_fmt(from, who, sizeof(who));
			srv_log("tftp", who,
				"%s from an unknown TID to the transfer of %s -> ERROR 5 unknown transfer ID",
				tftp_op_name(pk.op), x->name);
			x->stranger_logged = true;
		}
		return true;
	}
	x->heard = true;
	x->heard_at = srv_now();
	if (pk.op == TFTP_ACK && !(pk.problems & TFTP_PROB_SHORT)) {
		if (!on_ack(x, pk.block))
			return false;
	} else if (pk.op == TFTP_ERROR) {
		char msg[128];

		view_to_printable(pk.errmsg, msg, sizeof(msg));
		if (x->oack_pending && (pk.errcode == TFTP_ERR_UNDEF ||
					pk.errcode == TFTP_ERR_OPTION))
			/* UEFI and iPXE ask for tsize, read the OACK and stop (ERROR 0 or 8):
			 * a size probe, not a failure. */
			srv_log("tftp", x->peer_str,
				"%s: client ended after the OACK with ERROR %u \"%s\": a size probe",
				x->name, (unsigned)pk.errcode, msg);
		else
			srv_log("tftp", x->peer_str,
				"%s: client sent ERROR %u \"%s\" after %llu of %llu blocks; transfer aborted",
				x->name, (unsigned)pk.errcode, msg,
				(unsigned long long)x->acked, (unsigned long long)x->last);
		xfer_free(x);
		return false;
	}
	/* Anything else from the peer (a repeated RRQ, DATA) is ignored. */
	return true;
}

static void on_xfer_io(struct srv_loop *l, int fd, short revents, void *ctx)
{
	struct xfer *x = ctx;
	uint8_t buf[1024];

	(void)l;
	if ((revents & POLLOUT) && send_pending(x) < 0) {
		xfer_free(x);
		return;
	}
	if (!(revents & (POLLIN | POLLERR)))
		return;
	for (int i = 0; i < RECV_BURST; i++) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);

		if (n < 0)
			return;
		if (fl < sizeof(from) || from.sin_family != AF_INET)
			continue;
		if (!xfer_datagram(x, &from, buf, (size_t)n))
			return;
	}
}

/* ---- requests on the well-known port ---- */

/* Logs a packet that is not a request at most once a minute per peer address. */
static void garbage(struct tftpd *t, const struct sockaddr_in *from, const char *peer,
		    const char *what)
{
	double now = srv_now();
	size_t slot = 0;

	for (size_t i = 0; i < GARBAGE_SLOTS; i++) {
		if (t->garbage[i].ip == from->sin_addr.s_addr && t->garbage[i].at > 0) {
			if (now - t->garbage[i].at < GARBAGE_INTERVAL)
				return;
			slot = i;
			break;
		}
		if (t->garbage[i].at < t->garbage[slot].at)
			slot = i;	/* the oldest is replaced */
	}
	t->garbage[slot].ip = from->sin_addr.s_addr;
	t->garbage[slot].at = now;
	srv_log("tftp", peer, "ignored on the request port: %s (not logged again for %.0f s)",
		what, GARBAGE_INTERVAL);
}

static void refuse(struct tftpd *t, const struct sockaddr_in *from, const char *peer,
		   const char *req, uint16_t code, const char *why)
{
	send_error(t, t->fd, t->port, from, code, why);
	srv_log("tftp", peer, "%s -> ERROR %u %s", req, (unsigned)code, why);
}

/* Appends "name=value" of each requested option, for the log. */
static void describe_opts(const struct tftp_pkt *pk, char *buf, size_t cap)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < pk->nopts && used + 1 < cap; i++) {
		char nm[40], val[40];
		const struct view *n = &pk->opts[i].name;
		bool known = view_eq_str(*n, "blksize") || view_eq_str(*n, "tsize") ||
			     view_eq_str(*n, "timeout") || view_eq_str(*n, "windowsize");
		int w;

		view_to_printable(pk->opts[i].name, nm, sizeof(nm));
		view_to_printable(pk->opts[i].value, val, sizeof(val));
		w = snprintf(buf + used, cap - used, " %s=%s%s", nm, val,
			     known ? "" : " (ignored)");
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

static void describe_optset(const struct tftp_optset *o, char *buf, size_t cap)
{
	const char *names[4] = { "blksize", "tsize", "timeout", "windowsize" };
	long vals[4] = { o->blksize, o->tsize, o->timeout, o->windowsize };
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < 4 && used + 1 < cap; i++) {
		int w;

		if (vals[i] < 0)
			continue;
		w = snprintf(buf + used, cap - used, " %s=%ld", names[i], vals[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* Fills o with the answer to the requested options; returns true if an OACK is due. */
static bool negotiate(const struct tftpd *t, const struct tftp_pkt *pk, uint64_t size,
		      struct tftp_optset *o)
{
	o->blksize = o->tsize = o->timeout = o->windowsize = -1;
	if (pk->blksize >= 0) {
		/* RFC 2348: 8..65464; we may answer smaller than asked, never larger. */
		o->blksize = pk->blksize;
		if (o->blksize > t->conf.max_blksize)
			o->blksize = t->conf.max_blksize;
		if (o->blksize < TFTP_BLKSIZE_MIN)
			o->blksize = TFTP_BLKSIZE_MIN;
	}
	if (pk->tsize >= 0)
		o->tsize = (long)size;	/* RFC 2349: the RRQ carries 0, the OACK the size */
	if (pk->timeout >= 1 && pk->timeout <= 255)
		o->timeout = pk->timeout;	/* RFC 2349: out of range is ignored */
	if (pk->windowsize >= 1) {
		/* RFC 7440: 1..65535; the server may answer a smaller window. */
		o->windowsize = pk->windowsize;
		if (o->windowsize > t->conf.max_windowsize)
			o->windowsize = t->conf.max_windowsize;
	}
	return o->blksize >= 0 || o->tsize >= 0 || o->timeout >= 0 || o->windowsize >= 0;
}

/*
 * The transfer whose client has been silent longest, if that is at least EVICT_SILENCE s
 * (past its first retransmission: a live client answers within an RTO); at the cap
 * make_room drops it. Without this a storm of requests nobody acknowledges (spoofed, or
 * from many ports) holds every slot for the whole backoff (31 s with the defaults) and
 * each new client gets "server busy".
 */
static struct xfer *silent_longest(struct tftpd *t)
{
	double now = srv_now();
	struct xfer *old = NULL;

	for (struct xfer *x = t->xfers; x; x = x->next)
		if (now - x->heard_at >= EVICT_SILENCE && (!old || x->heard_at < old->heard_at))
			old = x;
	return old;
}

static void make_room(struct tftpd *t)
{
	struct xfer *old = silent_longest(t);
	double now = srv_now();

	if (!old)
		return;
	srv_log("tftp", old->peer_str,
		"%s: client silent for %.1f s; transfer dropped to make room (%u transfers, the cap)",
		old->name, now - old->heard_at, t->nxfers);
	send_error(t, old->sock, old->port, &old->peer, TFTP_ERR_UNDEF, "server busy");
	xfer_free(old);
}

static void start_rrq(struct tftpd *t, const struct sockaddr_in *from, const char *peer,
		      const struct tftp_pkt *pk, const char *lname, bool netascii)
{
	char name[NAME_CAP], path[NAME_CAP + 256], req[LOGNAME_CAP + 512], opts[400];
	const char *why;
	struct tftp_optset o;
	struct sockaddr_in me;
	struct xfer *x;
	struct stat st;
	bool oack;
	int code, fd;

	describe_opts(pk, opts, sizeof(opts));
	/* netascii is served as octet: boot files are binary, and tftp-hpa's line-ending
	 * conversion would change file sizes that tsize has already promised. */
	snprintf(req, sizeof(req), "RRQ %s%s%s", lname,
		 netascii ? " (netascii served as octet)" : "",
		 opts);
	if (pk->problems & TFTP_PROB_BAD_OPTION)
		srv_log("tftp", peer, "RRQ %s: a malformed option was ignored", lname);
	if (!view_to_cstr(pk->filename, name, sizeof(name))) {
		refuse(t, from, peer, req, TFTP_ERR_ACCESS, "file name too long");
		return;
	}
	for (x = t->xfers; x; x = x->next)
		if (same_peer(&x->peer, from) && !x->heard && strcmp(x->name, lname) == 0) {
			/* The client resent its RRQ before our first answer reached it: the
			 * transfer's own timer resends that answer; a second transfer (a second
			 * TID) would only earn an ERROR 5 from the client. */
			srv_log("tftp", peer, "%s: repeated request ignored (transfer already started)",
				req);
			return;
		}
	if (t->nxfers >= t->conf.max_transfers && !silent_longest(t)) {
		char busy[64];

		snprintf(busy, sizeof(busy), "server busy: %u transfers in progress", t->nxfers);
		refuse(t, from, peer, req, TFTP_ERR_UNDEF, busy);
		return;
	}
	code = tftpd_resolve(t->root, name, path, sizeof(path), &why);
	if (code) {
		refuse(t, from, peer, req, (uint16_t)code, why);
		return;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int e = fd < 0 ? errno : EACCES;

		if (fd >= 0)
			close(fd);
		why = errno_why(e, &code);
		refuse(t, from, peer, req, (uint16_t)code, why);
		return;
	}
	if (t->nxfers >= t->conf.max_transfers)
		make_room(t);	/* only for a request that will be served */
	oack = negotiate(t, pk, (uint64_t)st.st_size, &o);
	x = calloc(1, sizeof(*x));
	if (x) {
		x->t = t;
		x->file = fd;
		x->sock = -1;
		x->blksize = (uint16_t)(o.blksize >= 0 ? o.blksize : TFTP_DEFAULT_BLKSIZE);
		x->data = malloc(x->blksize);
		x->pkt = malloc(4 + (size_t)x->blksize);
	}
	if (!x || !x->data || !x->pkt) {
		if (x)
			xfer_free(x);
		else
			close(fd);
		refuse(t, from, peer, req, TFTP_ERR_UNDEF, "out of memory");
		return;
	}
	x->peer = *from;
	snprintf(x->peer_str, sizeof(x->peer_str), "%s", peer);
	snprintf(x->name, sizeof(x->name), "%s", lname);
	x->size = (uint64_t)st.st_size;
	x->window = (uint16_t)(o.windowsize >= 0 ? o.windowsize : 1);
	x->base_rto = o.timeout >= 0 ? (double)o.timeout : t->conf.timeout;
	x->rto = x->base_rto;
	x->last = x->size / x->blksize + 1;	/* a size that is a multiple ends with an empty block */
	x->start = srv_now();
	x->heard_at = x->start;
	x->next = t->xfers;
	t->xfers = x;
	t->nxfers++;
	/* A new socket on a new port: the server's TID for this transfer (RFC 1350 section 4). */
	memset(&me, 0, sizeof(me));
	me.sin_family = AF_INET;
	me.sin_addr.s_addr = htonl(t->conf.listen_ip);
	if (t->send) {
		/* Detached: the TID is a port number only, one not in use. */
		for (;;) {
			struct xfer *y = t->xfers;

			x->port = t->next_port++;
			if (t->next_port < 1024)
				t->next_port = 1024;
			while (y && (y == x || y->port != x->port))
				y = y->next;
			if (!y && x->port != t->port)
				break;
		}
	} else if ((x->sock = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0 ||
		   bind(x->sock, (struct sockaddr *)&me, sizeof(me)) < 0 ||
		   srv_loop_add(t->loop, x->sock, POLLIN, on_xfer_io, x) < 0) {
		const char *e = strerror(errno);

		if (x->sock >= 0)
			close(x->sock);
		x->sock = -1;
		xfer_free(x);
		srv_log("tftp", peer, "%s: cannot open a transfer socket: %s", req, e);
		refuse(t, from, peer, req, TFTP_ERR_UNDEF, "server error");
		return;
	}
	if (oack) {
		char ans[200];

		describe_optset(&o, ans, sizeof(ans));
		srv_log("tftp", peer, "%s -> OACK%s", req, ans);
		x->oack_len = tftp_encode_oack(&o, x->oack, sizeof(x->oack));
		x->oack_pending = true;
		(void)dg_send(t, x->sock, x->port, &x->peer, x->oack, x->oack_len);
		if (!arm(x)) {
			srv_log("tftp", peer, "%s: out of memory for a timer; transfer aborted", lname);
			xfer_free(x);
		}
		return;
	}
	srv_log("tftp", peer, "%s -> DATA, %llu bytes in %llu blocks", req,
		(unsigned long long)x->size, (unsigned long long)x->last);
	(void)progress(x, 0);
}

static void handle_request(struct tftpd *t, const struct sockaddr_in *from, const uint8_t *p,
			   size_t len)
{
	char peer[32], lname[LOGNAME_CAP], req[LOGNAME_CAP + 16];
	struct tftp_pkt pk;
	bool netascii;

	peer_fmt(from, peer, sizeof(peer));
	if (tftp_decode(p, len, &pk) < 0) {
		garbage(t, from, peer, len < 2 ? "a truncated packet" : "not TFTP (unknown opcode)");
		return;
	}
	if (pk.op != TFTP_RRQ && pk.op != TFTP_WRQ) {
		char what[64];

		snprintf(what, sizeof(what), "a %s packet, not a request", tftp_op_name(pk.op));
		garbage(t, from, peer, what);
		return;
	}
	if (pk.problems & (TFTP_PROB_SHORT | TFTP_PROB_UNTERMINATED)) {
		/* A request cut short: its name or mode lacks the NUL. Do not guess. */
		if (pk.mode.p == NULL || pk.mode.p + pk.mode.len >= p + len) {
			garbage(t, from, peer, "a truncated request");
			return;
		}
	}
	view_to_printable(pk.filename, lname, sizeof(lname));
	snprintf(req, sizeof(req), "%s %s", tftp_op_name(pk.op), lname);
	if (pk.op == TFTP_WRQ) {
		refuse(t, from, peer, req, TFTP_ERR_ACCESS, "read-only server");
		return;
	}
	if (pk.problems & TFTP_PROB_BAD_MODE) {
		refuse(t, from, peer, req, TFTP_ERR_ILLEGAL_OP, "unknown transfer mode");
		return;
	}
	{
		/* Mode names are case-insensitive (RFC 1350 section 5); "mail" is obsolete. */
		char m[16];

		view_to_printable(pk.mode, m, sizeof(m));
		for (char *c = m; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
		if (strcmp(m, "octet") != 0 && strcmp(m, "netascii") != 0) {
			refuse(t, from, peer, req, TFTP_ERR_ILLEGAL_OP, "mail mode not supported");
			return;
		}
		netascii = strcmp(m, "netascii") == 0;
	}
	start_rrq(t, from, peer, &pk, lname, netascii);
}

static void on_request(struct srv_loop *l, int fd, short revents, void *ctx)
{
	struct tftpd *t = ctx;

	(void)l;
	if (!(revents & (POLLIN | POLLERR)))
		return;
	for (int i = 0; i < RECV_BURST; i++) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, t->req, sizeof(t->req), 0, (struct sockaddr *)&from, &fl);

		if (n < 0)
			return;
		if (fl < sizeof(from) || from.sin_family != AF_INET)
			continue;
		handle_request(t, &from, t->req, (size_t)n);
	}
}

/* ---- the service ---- */

/* The service without its request socket: conf checked and copied, defaults filled in. */
static struct tftpd *tftpd_alloc(struct srv_loop *l, const struct tftpd_conf *c, char *err,
				 size_t errcap)
{
	struct tftpd *t;
	struct stat st;

	if (!c->root) {
		snprintf(err, errcap, "tftp: no root directory");
		return NULL;
	}
	if (stat(c->root, &st) < 0) {
		snprintf(err, errcap, "tftp: root %s: %s", c->root, strerror(errno));
		return NULL;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errcap, "tftp: root %s: not a directory", c->root);
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t || !(t->root = strdup(c->root))) {
		snprintf(err, errcap, "tftp: out of memory");
		free(t);
		return NULL;
	}
	t->loop = l;
	t->conf = *c;
	t->conf.root = t->root;
	if (!t->conf.max_transfers)
		t->conf.max_transfers = DEF_MAX_TRANSFERS;
	if (!(t->conf.timeout > 0))
		t->conf.timeout = DEF_TIMEOUT;
	if (!t->conf.retries)
		t->conf.retries = DEF_RETRIES;
	if (!t->conf.max_blksize || t->conf.max_blksize > TFTP_BLKSIZE_MAX)
		t->conf.max_blksize = TFTP_BLKSIZE_MAX;
	if (t->conf.max_blksize < TFTP_BLKSIZE_MIN)
		t->conf.max_blksize = TFTP_BLKSIZE_MIN;
	if (!t->conf.max_windowsize)
		t->conf.max_windowsize = DEF_MAX_WINDOW;
	t->fd = -1;
	return t;
}

struct tftpd *tftpd_new(struct srv_loop *l, const struct tftpd_conf *c, char *err, size_t errcap)
{
	struct tftpd *t = tftpd_alloc(l, c, err, errcap);
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	char ip[16];

	if (!t)
		return NULL;
	net_ip_str(c->listen_ip, ip, sizeof(ip));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(c->listen_ip);
	sa.sin_port = htons(c->port);
	t->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->fd < 0 || bind(t->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(t->fd, (struct sockaddr *)&sa, &sl) < 0) {
		snprintf(err, errcap, "tftp: cannot bind %s:%u: %s", ip, (unsigned)c->port,
			 strerror(errno));
		goto fail;
	}
	t->port = ntohs(sa.sin_port);
	if (srv_loop_add(l, t->fd, POLLIN, on_request, t) < 0) {
		snprintf(err, errcap, "tftp: out of memory");
		goto fail;
	}
	return t;
fail:
	if (t->fd >= 0)
		close(t->fd);
	free(t->root);
	free(t);
	return NULL;
}

uint16_t tftpd_port(const struct tftpd *t)
{
	return t->port;
}

void tftpd_free(struct tftpd *t)
{
	if (!t)
		return;
	while (t->xfers)
		xfer_free(t->xfers);
	if (t->send) {
		srv_loop_free(t->loop);	/* detached: the loop is ours */
	} else {
		srv_loop_del(t->loop, t->fd);
		close(t->fd);
	}
	free(t->root);
	free(t);
}

struct tftpd *tftpd_new_detached(const struct tftpd_conf *c, tftpd_send_fn send, void *ctx,
				 char *err, size_t errcap)
{
	struct srv_loop *l = srv_loop_new();
	struct tftpd *t = l ? tftpd_alloc(l, c, err, errcap) : NULL;

	if (!t) {
		if (!l)
			snprintf(err, errcap, "tftp: out of memory");
		srv_loop_free(l);
		return NULL;
	}
	t->send = send;
	t->send_ctx = ctx;
	t->port = c->port ? c->port : TFTP_PORT;
	t->next_port = 49152;
	return t;
}

void tftpd_handle(struct tftpd *t, uint16_t to_port, uint32_t from_ip, uint16_t from_port,
		  const uint8_t *p, size_t len)
{
	struct sockaddr_in from;

	memset(&from, 0, sizeof(from));
	from.sin_family = AF_INET;
	from.sin_addr.s_addr = htonl(from_ip);
	from.sin_port = htons(from_port);
	if (to_port == t->port) {
		handle_request(t, &from, p, len < REQ_BUF ? len : REQ_BUF);
		return;
	}
	for (struct xfer *x = t->xfers; x; x = x->next)
		if (x->port == to_port) {
			/* on_xfer_io reads into 1024 bytes: a longer datagram is cut there. */
			(void)xfer_datagram(x, &from, p, len < 1024 ? len : 1024);
			return;
		}
	/* No socket on that port: the datagram is lost (the kernel would answer ICMP). */
}

bool tftpd_expire(struct tftpd *t, uint16_t port)
{
	for (struct xfer *x = t->xfers; x; x = x->next)
		if (x->port == port && x->timer) {
			srv_timer_cancel(t->loop, x->timer);
			x->timer = 0;
			on_timer(t->loop, x);
			return true;
		}
	return false;
}

unsigned tftpd_transfers(const struct tftpd *t, uint16_t *ports, unsigned cap)
{
	unsigned n = 0;

	for (const struct xfer *x = t->xfers; x; x = x->next, n++)
		if (n < cap)
			ports[n] = x->port;
	return n;
}
