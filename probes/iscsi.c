/* iscsi.c: the probe's iSCSI check through libiscsi: SendTargets, login, INQUIRY, capacity, LBA 0. */
#include <errno.h>
#include <iscsi/iscsi.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <iscsi/scsi-lowlevel.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "probes/probe_priv.h"
#include "proto/rootpath.h"

#define TUR_TRIES 5

_Static_assert(PROBE_CHAP_SECRET_MAX <= MAX_STRING_SIZE,
	       "a CHAP secret the probe takes must fit libiscsi's passwd[MAX_STRING_SIZE + 1]");

static void set_str(char *dst, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_str(char *dst, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, cap, fmt, ap);
	va_end(ap);
	/* one line: libiscsi's messages may carry newlines */
	for (char *c = dst; *c; c++)
		if (*c == '\n' || *c == '\r' || *c == '\t')
			*c = ' ';
}

/* RFC 7143 11.13.5: login status class (high byte) and detail. */
const char *probe_iscsi_status_words(int status)
{
	static const struct {
		int code;
		const char *words;
	} t[] = {
		{ 0x0101, "target moved temporarily (redirect)" },
		{ 0x0102, "target moved permanently (redirect)" },
		{ 0x0200, "initiator error" },
		{ 0x0201, "authentication failure: the CHAP user or secret is wrong, or the target "
			  "wants CHAP and got none" },
		{ 0x0202, "authorization failure: this initiator is not allowed to use the target "
			  "(ACL)" },
		{ 0x0203, "target not found: no target of that name on this portal" },
		{ 0x0204, "target removed" },
		{ 0x0205, "unsupported iSCSI version" },
		{ 0x0206, "too many connections" },
		{ 0x0207, "missing parameter" },
		{ 0x0208, "cannot include the connection in the session" },
		{ 0x0209, "session type not supported" },
		{ 0x020a, "session does not exist" },
		{ 0x020b, "invalid request during login" },
		{ 0x0300, "target error" },
		{ 0x0301, "service unavailable" },
		{ 0x0302, "out of resources" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].code == status)
			return t[i].words;
	if ((status >> 8) == 1)
		return "redirect";
	if ((status >> 8) == 2)
		return "initiator error";
	if ((status >> 8) == 3)
		return "target error";
	return "unknown status";
}

/* libiscsi (lib/login.c): "Failed to log in to target. Status: <words>(<class<<8|detail>)". */
static int login_status(const char *msg)
{
	const char *st = msg ? strstr(msg, "Status: ") : NULL;
	const char *open;
	char *end;
	long v;

	if (!st || !(open = strrchr(st, '(')))
		return -1;
	v = strtol(open + 1, &end, 10);
	if (end == open + 1 || *end != ')' || v < 0 || v > 0xffff)
		return -1;
	return (int)v;
}

/*
 * A TCP connect of our own first, bounded by the deadline: libiscsi's timeout covers its
 * PDUs, not the kernel's SYN retries towards a portal that never answers.
 */
static bool portal_open(const char *host, uint16_t port, double deadline, char *why, size_t cap)
{
	struct addrinfo hints, *res = NULL;
	char ports[8];
	struct pollfd pfd;
	int fd, rc, soerr = 0;
	socklen_t el = sizeof(soerr);
	double left = deadline - probe_now();

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	snprintf(ports, sizeof(ports), "%u", (unsigned)port);
	if (getaddrinfo(host, ports, &hints, &res) != 0 || !res) {
		set_str(why, cap, "cannot resolve %s", host);
		return false;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || (connect(fd, res->ai_addr, res->ai_addrlen) < 0 && errno != EINPROGRESS)) {
		set_str(why, cap, "connect: %s", strerror(errno));
		freeaddrinfo(res);
		if (fd >= 0)
			close(fd);
		return false;
	}
	freeaddrinfo(res);
	pfd.fd = fd;
	pfd.events = POLLOUT;
	pfd.revents = 0;
	do
		rc = poll(&pfd, 1, left > 5 ? 5000 : left > 0 ? (int)(left * 1000.0) + 1 : 0);
	while (rc < 0 && errno == EINTR);
	if (rc <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &el) < 0 || soerr) {
		set_str(why, cap, "%s", rc == 0 ? "no answer" : strerror(soerr ? soerr : errno));
		close(fd);
		return false;
	}
	close(fd);
	return true;
}

static struct iscsi_context *context(const char *initiator, double deadline)
{
	struct iscsi_context *is = iscsi_create_context(initiator);
	double left = deadline - probe_now();
	int secs = left > 15 ? 15 : left < 1 ? 1 : (int)left;

	if (is)
		(void)iscsi_set_timeout(is, secs);
	return is;
}

/* SendTargets on a discovery session (no CHAP, as iPXE's sanboot does not discover). */
static void discover(const char *portal, const char *initiator, double deadline,
		     struct probe_iscsi *r)
{
	struct iscsi_context *is = context(initiator, deadline);
	struct iscsi_discovery_address *da;

	if (!is) {
		set_str(r->discovery_error, sizeof(r->discovery_error), "cannot create an iSCSI context");
		return;
	}
	if (iscsi_set_session_type(is, ISCSI_SESSION_DISCOVERY) != 0 ||
	    iscsi_connect_sync(is, portal) != 0) {
		set_str(r->discovery_error, sizeof(r->discovery_error), "cannot connect to %s", portal);
		iscsi_destroy_context(is);
		return;
	}
	r->connected = true;
	if (iscsi_login_sync(is) != 0) {
		set_str(r->discovery_error, sizeof(r->discovery_error), "discovery login: %s",
			iscsi_get_error(is));
		iscsi_destroy_context(is);
		return;
	}
	da = iscsi_discovery_sync(is);
	if (!da) {
		set_str(r->discovery_error, sizeof(r->discovery_error), "SendTargets: %s",
			iscsi_get_error(is));
	} else {
		r->discovery_ok = true;
		for (struct iscsi_discovery_address *d = da; d; d = d->next) {
			r->ntargets++;
			if (d->target_name && strcmp(d->target_name, r->target) == 0)
				r->target_listed = true;
		}
		iscsi_free_discovery_data(is, da);
	}
	(void)iscsi_logout_sync(is);
	iscsi_destroy_context(is);
}

/* INQUIRY text: printable, without the space padding SPC puts after it. */
static void tidy(char *s)
{
	size_t n = strlen(s);

	for (char *c = s; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			*c = '?';
	while (n && s[n - 1] == ' ')
		s[--n] = '\0';
}

static void scsi_error(struct probe_iscsi *r, struct iscsi_context *is, const char *cmd,
		       struct scsi_task *t)
{
	if (!t || t->status == SCSI_STATUS_ERROR || t->status == SCSI_STATUS_CANCELLED)
		set_str(r->error, sizeof(r->error), "%s failed: %s", cmd, iscsi_get_error(is));
	else if (t->status == SCSI_STATUS_CHECK_CONDITION)
		set_str(r->error, sizeof(r->error), "%s failed: CHECK CONDITION %s, %s", cmd,
			scsi_sense_key_str((int)t->sense.key), scsi_sense_ascq_str(t->sense.ascq));
	else
		set_str(r->error, sizeof(r->error), "%s failed: SCSI status 0x%02x", cmd,
			(unsigned)t->status & 0xffu);
}

/* As iPXE's scsi.c: TEST UNIT READY, INQUIRY, READ CAPACITY (10, then 16), READ LBA 0. */
static void disk(struct iscsi_context *is, struct probe_iscsi *r)
{
	struct scsi_task *t = NULL;
	struct scsi_inquiry_standard *inq;
	struct scsi_readcapacity10 *rc10;
	int i;

	for (i = 0; i < TUR_TRIES; i++) {
		t = iscsi_testunitready_sync(is, r->lun);
		if (t && t->status == SCSI_STATUS_GOOD)
			break;
		if (!t || t->status != SCSI_STATUS_CHECK_CONDITION ||
		    (t->sense.key != SCSI_SENSE_UNIT_ATTENTION && t->sense.key != SCSI_SENSE_NOT_READY)) {
			scsi_error(r, is, "TEST UNIT READY", t);
			scsi_free_scsi_task(t);
			return;
		}
		scsi_free_scsi_task(t);
		t = NULL;
	}
	scsi_free_scsi_task(t);
	if (i == TUR_TRIES) {
		set_str(r->error, sizeof(r->error), "the unit is not ready after %d TEST UNIT READY",
			TUR_TRIES);
		return;
	}
	t = iscsi_inquiry_sync(is, r->lun, 0, 0, 96);
	if (!t || t->status != SCSI_STATUS_GOOD || !(inq = scsi_datain_unmarshall(t))) {
		scsi_error(r, is, "INQUIRY", t);
		scsi_free_scsi_task(t);
		return;
	}
	snprintf(r->vendor, sizeof(r->vendor), "%s", inq->vendor_identification);
	snprintf(r->product, sizeof(r->product), "%s", inq->product_identification);
	tidy(r->vendor);
	tidy(r->product);
	scsi_free_scsi_task(t);
	t = iscsi_readcapacity10_sync(is, r->lun, 0, 0);
	if (!t || t->status != SCSI_STATUS_GOOD || !(rc10 = scsi_datain_unmarshall(t))) {
		scsi_error(r, is, "READ CAPACITY(10)", t);
		scsi_free_scsi_task(t);
		return;
	}
	r->blocks = (uint64_t)rc10->lba + 1;
	r->block_size = rc10->block_size;
	scsi_free_scsi_task(t);
	if (r->blocks - 1 == 0xffffffffu) {
		struct scsi_readcapacity16 *rc16;

		t = iscsi_readcapacity16_sync(is, r->lun);
		if (!t || t->status != SCSI_STATUS_GOOD || !(rc16 = scsi_datain_unmarshall(t))) {
			scsi_error(r, is, "READ CAPACITY(16)", t);
			scsi_free_scsi_task(t);
			return;
		}
		r->blocks = rc16->returned_lba + 1;
		r->block_size = rc16->block_length;
		scsi_free_scsi_task(t);
	}
	if (r->block_size < 512 || r->block_size > 65536) {
		set_str(r->error, sizeof(r->error), "unusable block size %u", (unsigned)r->block_size);
		return;
	}
	t = iscsi_read10_sync(is, r->lun, 0, r->block_size, (int)r->block_size, 0, 0, 0, 0, 0);
	if (!t || t->status != SCSI_STATUS_GOOD) {
		scsi_error(r, is, "READ(10) of LBA 0", t);
		scsi_free_scsi_task(t);
		return;
	}
	if (t->datain.size < 512 || !t->datain.data) {
		set_str(r->error, sizeof(r->error), "READ(10) of LBA 0 returned %d bytes",
			t->datain.size);
		scsi_free_scsi_task(t);
		return;
	}
	r->disk_ok = true;
	r->bootable = t->datain.data[510] == 0x55 && t->datain.data[511] == 0xaa;
	scsi_free_scsi_task(t);
}

void probe_iscsi_run(const char *rootpath, const char *initiator, const char *user,
		     const char *secret, double deadline, struct probe_iscsi *r)
{
	struct rootpath rp;
	struct iscsi_context *is;
	double t0 = probe_now();

	r->login_status = -1;
	r->syntax_ok = rootpath_parse(rootpath, &rp, r->why, sizeof(r->why));
	if (!r->syntax_ok)
		return;
	/* libiscsi takes a one-level LUN: the first 16-bit level (RFC 4173 / SAM). */
	if ((rp.lun & 0x0000ffffffffffffull) != 0 || (rp.lun >> 48) > 255) {
		set_str(r->error, sizeof(r->error), "LUN %016llx: only one-level LUNs up to 255 are "
			"checked", (unsigned long long)rp.lun);
		return;
	}
	r->lun = (int)(rp.lun >> 48);
	snprintf(r->target, sizeof(r->target), "%s", rp.target);
	snprintf(r->portal, sizeof(r->portal), strchr(rp.server, ':') ? "[%s]:%u" : "%s:%u",
		 rp.server, (unsigned)rp.port);
	{
		char why[120];

		if (!portal_open(rp.server, rp.port, deadline, why, sizeof(why))) {
			set_str(r->error, sizeof(r->error), "cannot connect to %s: %s", r->portal, why);
			goto out;
		}
	}
	discover(r->portal, initiator, deadline, r);
	if (probe_now() >= deadline) {
		set_str(r->error, sizeof(r->error), "--timeout reached");
		goto out;
	}
	is = context(initiator, deadline);
	if (!is) {
		set_str(r->error, sizeof(r->error), "cannot create an iSCSI context");
		goto out;
	}
	if (iscsi_set_targetname(is, rp.target) != 0 ||
	    iscsi_set_session_type(is, ISCSI_SESSION_NORMAL) != 0 ||
	    iscsi_set_header_digest(is, ISCSI_HEADER_DIGEST_NONE) != 0) {
		set_str(r->error, sizeof(r->error), "cannot set up the session: %s", iscsi_get_error(is));
		iscsi_destroy_context(is);
		goto out;
	}
	if (user && user[0] && secret && secret[0]) {
		r->chap = true;
		snprintf(r->chap_user, sizeof(r->chap_user), "%s", user);
		if (iscsi_set_initiator_username_pwd(is, user, secret) != 0) {
			set_str(r->error, sizeof(r->error), "cannot set the CHAP credentials");
			iscsi_destroy_context(is);
			goto out;
		}
	}
	if (iscsi_connect_sync(is, r->portal) != 0) {
		set_str(r->error, sizeof(r->error), "cannot connect to %s", r->portal);
		iscsi_destroy_context(is);
		goto out;
	}
	r->connected = true;
	if (iscsi_login_sync(is) != 0) {
		const char *msg = iscsi_get_error(is);

		r->login_status = login_status(msg);
		set_str(r->login_error, sizeof(r->login_error), "%s", msg ? msg : "login failed");
		iscsi_destroy_context(is);
		goto out;
	}
	r->login_ok = true;
	disk(is, r);
	(void)iscsi_logout_sync(is);
	iscsi_destroy_context(is);
out:
	r->secs = probe_now() - t0;
}
