/* tftp.c: the probe's TFTP client: one RRQ with blksize 1468 and tsize, bounded in bytes and time. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probes/probe_priv.h"
#include "proto/tftp.h"

#define PROBE_BLKSIZE 1468	/* what OVMF's UEFI PXE asks for (protocol facts) */
#define WAIT_S 2.0		/* per packet */
#define RESENDS 3		/* the last packet sent again after a silent WAIT_S */

struct xfer {
	int fd;
	struct sockaddr_in server;	/* port 69 until the first answer, then its TID */
	bool have_tid;
	uint8_t last[600];	/* the last packet sent (RRQ or ACK) */
	size_t last_len;
	struct probe_tftp *t;
};

static void set_error(struct probe_tftp *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(struct probe_tftp *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->error, sizeof(t->error), fmt, ap);
	va_end(ap);
}

static int send_last(struct xfer *x)
{
	return sendto(x->fd, x->last, x->last_len, 0, (const struct sockaddr *)&x->server,
		      sizeof(x->server)) < 0
		       ? -1
		       : 0;
}

static int send_pkt(struct xfer *x, const uint8_t *p, size_t n)
{
	if (n == 0 || n > sizeof(x->last))
		return -1;
	memcpy(x->last, p, n);
	x->last_len = n;
	return send_last(x);
}

/* Tells the server to stop (a stray TID, or our own abort); not retransmitted. */
static void send_error(int fd, const struct sockaddr_in *to, uint16_t code, const char *msg)
{
	uint8_t b[200];
	size_t n = tftp_encode_error(code, msg, b, sizeof(b));

	if (n)
		(void)sendto(fd, b, n, 0, (const struct sockaddr *)to, sizeof(*to));
}

static void keep(struct probe_tftp *t, const uint8_t *p, size_t n, size_t keep_cap)
{
	if (t->head_len < sizeof(t->head)) {
		size_t k = sizeof(t->head) - t->head_len < n ? sizeof(t->head) - t->head_len : n;

		memcpy(t->head + t->head_len, p, k);
		t->head_len += k;
	}
	if (t->body && t->body_len < keep_cap) {
		size_t k = keep_cap - t->body_len < n ? keep_cap - t->body_len : n;

		memcpy(t->body + t->body_len, p, k);
		t->body_len += k;
	}
}

void probe_tftp_get(uint32_t server, const char *name, uint64_t max_bytes, size_t keep_cap,
		    double deadline, const char *bind_if, struct probe_tftp *t)
{
	struct tftp_optset os = { PROBE_BLKSIZE, 0, -1, -1 };
	uint8_t *buf = NULL;
	size_t cap = TFTP_BLKSIZE_MAX + 4;
	struct xfer x;
	uint16_t expect = 1;
	unsigned blksize = TFTP_DEFAULT_BLKSIZE, resends = 0, stale = 0;
	double t0 = probe_now(), last_rx = t0;
	uint8_t rrq[600];
	size_t n;

	memset(t, 0, sizeof(*t));
	t->err_code = -1;
	t->oack_blksize = t->oack_tsize = -1;
	memset(&x, 0, sizeof(x));
	x.t = t;
	x.fd = -1;
	x.server.sin_family = AF_INET;
	x.server.sin_addr.s_addr = htonl(server);
	x.server.sin_port = htons(TFTP_PORT);
	n = tftp_encode_request(TFTP_RRQ, name, "octet", &os, rrq, sizeof(rrq));
	if (n == 0) {
		set_error(t, "file name too long for a TFTP request");
		goto out;
	}
	buf = malloc(cap);
	if (keep_cap)
		t->body = malloc(keep_cap);
	if (!buf || (keep_cap && !t->body)) {
		set_error(t, "out of memory");
		goto out;
	}
	x.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (x.fd < 0) {
		set_error(t, "socket: %s", strerror(errno));
		goto out;
	}
	/* Out of the probed interface, whatever the routing table says (needs CAP_NET_RAW,
	 * which the DHCP probes needed anyway); best effort. */
	if (bind_if)
		(void)setsockopt(x.fd, SOL_SOCKET, SO_BINDTODEVICE, bind_if, (socklen_t)strlen(bind_if));
	if (send_pkt(&x, rrq, n) < 0) {
		set_error(t, "cannot send the RRQ: %s", strerror(errno));
		goto out;
	}
	for (;;) {
		struct pollfd pfd = { x.fd, POLLIN, 0 };
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		struct tftp_pkt pk;
		double now = probe_now(), until = last_rx + WAIT_S;
		ssize_t got;
		int ms;

		if (until > deadline)
			until = deadline;
		if (now >= until) {
			if (now >= deadline) {
				t->timeout = true;
				set_error(t, "--timeout reached after %llu bytes",
					  (unsigned long long)t->size);
				break;
			}
			if (resends >= RESENDS) {
				t->timeout = true;
				set_error(t, "no answer from the server for %.0f s (%u resends)%s", WAIT_S,
					  resends, t->size ? " in the middle of the transfer" : "");
				break;
			}
			resends++;
			t->retransmits++;
			last_rx = now;
			(void)send_last(&x);
			continue;
		}
		ms = (int)((until - now) * 1000.0) + 1;
		if (poll(&pfd, 1, ms) <= 0)
			continue;
		got = recvfrom(x.fd, buf, cap, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		if (got < 0)
			continue;
		if (from.sin_addr.s_addr != x.server.sin_addr.s_addr)
			continue;
		if (x.have_tid && from.sin_port != x.server.sin_port) {
			/* RFC 1350: a packet from another TID gets ERROR 5, the transfer goes on. */
			send_error(x.fd, &from, TFTP_ERR_UNKNOWN_TID, "Unknown transfer ID");
			continue;
		}
		if (tftp_decode(buf, (size_t)got, &pk) != 0 || (pk.problems & TFTP_PROB_SHORT)) {
			if (++stale > 64)
				break;
			continue;
		}
		if (!x.have_tid) {
			x.server.sin_port = from.sin_port;
			x.have_tid = true;
		}
		if (pk.op == TFTP_ERROR) {
			t->err_code = pk.errcode;
			probe_text(pk.errmsg.p, pk.errmsg.len, t->err_msg, sizeof(t->err_msg));
			set_error(t, "ERROR %u (%s)", (unsigned)pk.errcode,
				  t->err_msg[0] ? t->err_msg : tftp_errcode_name(pk.errcode));
			break;
		}
		if (pk.op == TFTP_OACK && expect == 1 && t->size == 0) {
			uint8_t b[8];

			t->oack = true;
			t->oack_blksize = pk.blksize;
			t->oack_tsize = pk.tsize;
			if (pk.blksize >= TFTP_BLKSIZE_MIN && pk.blksize <= PROBE_BLKSIZE)
				blksize = (unsigned)pk.blksize;
			else if (pk.blksize > PROBE_BLKSIZE) {
				send_error(x.fd, &x.server, TFTP_ERR_OPTION, "blksize larger than asked");
				set_error(t, "the OACK's blksize %ld is larger than the %d asked for",
					  pk.blksize, PROBE_BLKSIZE);
				break;
			}
			if (pk.tsize >= 0 && (uint64_t)pk.tsize > max_bytes) {
				t->too_big = true;
				send_error(x.fd, &x.server, TFTP_ERR_UNDEF,
					   "larger than netboot-check probe's --max-bytes");
				set_error(t, "tsize %ld is larger than --max-bytes %llu: not fetched",
					  pk.tsize, (unsigned long long)max_bytes);
				break;
			}
			last_rx = probe_now();
			resends = 0;
			n = tftp_encode_ack(0, b, sizeof(b));
			(void)send_pkt(&x, b, n);
			continue;
		}
		if (pk.op != TFTP_DATA) {
			if (++stale > 64)
				break;
			continue;
		}
		if (pk.block != expect) {
			/* A duplicate of the last block: our ACK was lost; ACK it again (once per
			 * packet received, never DATA-driven: no Sorcerer's Apprentice). */
			if (pk.block == (uint16_t)(expect - 1))
				(void)send_last(&x);
			if (++stale > 64)
				break;
			continue;
		}
		stale = 0;
		if (t->size + pk.data.len > max_bytes) {
			t->too_big = true;
			send_error(x.fd, &x.server, TFTP_ERR_UNDEF,
				   "larger than netboot-check probe's --max-bytes");
			set_error(t, "larger than --max-bytes %llu: aborted",
				  (unsigned long long)max_bytes);
			break;
		}
		keep(t, pk.data.p, pk.data.len, keep_cap);
		t->size += pk.data.len;
		last_rx = probe_now();
		resends = 0;
		{
			uint8_t b[8];

			n = tftp_encode_ack(pk.block, b, sizeof(b));
			(void)send_pkt(&x, b, n);
		}
		expect = (uint16_t)(expect + 1);	/* rolls over to 0 after 65535 */
		if (pk.data.len < blksize) {
			t->done = true;
			break;
		}
	}
	if (!t->done && !t->error[0])
		set_error(t, "the transfer did not complete");
	if (t->done && t->oack_tsize >= 0 && (uint64_t)t->oack_tsize != t->size) {
		t->done = false;
		set_error(t, "received %llu bytes but the OACK's tsize said %ld",
			  (unsigned long long)t->size, t->oack_tsize);
	}
out:
	t->secs = probe_now() - t0;
	if (x.fd >= 0)
		close(x.fd);
	free(buf);
}

void probe_tftp_free(struct probe_tftp *t)
{
	free(t->body);
	t->body = NULL;
	t->body_len = 0;
}
