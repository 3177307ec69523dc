/* san.c: sanboot/sanhook of an RFC 4173 iSCSI root path as iPXE does it, on libiscsi's synchronous API. */
#include "san.h"

#include "proto/rootpath.h"

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAN_TIMEOUT_S 15	/* every libiscsi request; a dead target must not hang the firmware */
#define SAN_TUR_TRIES 10	/* TEST UNIT READY attempts (iPXE's scsi.c retries a few times too) */

struct san_handle {
	struct iscsi_context *iscsi;
};

static void set_error(struct san_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_error(struct san_result *r, const char *fmt, ...)
{
	va_list ap;

	size_t n;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	/* one line: libiscsi's messages may end in a newline */
	for (char *c = r->error; *c; c++)
		if (*c == '\n' || *c == '\r' || *c == '\t')
			*c = ' ';
	n = strlen(r->error);
	while (n && r->error[n - 1] == ' ')
		r->error[--n] = '\0';
}

/* libiscsi says "Failed to log in to target. Status: Authentication failure(513)". */
static void login_error(struct san_result *r, const char *msg)
{
	const char *st = strstr(msg, "Status: ");

	if (st) {
		const char *end;

		st += 8;
		end = strrchr(st, '(');
		set_error(r, "login refused: %.*s", (int)(end ? (size_t)(end - st) : strlen(st)), st);
	} else if (strstr(msg, "CHAP")) {
		set_error(r, "login refused: %s", msg);
	} else {
		set_error(r, "login failed: %s", msg);
	}
}

static void destroy(struct iscsi_context *is, bool logged_in)
{
	if (!is)
		return;
	if (logged_in)
		(void)iscsi_logout_sync(is);
	iscsi_destroy_context(is);
}

/* A SCSI command failed: the error names the command and libiscsi's reason. */
static void scsi_error(struct san_result *r, struct iscsi_context *is, const char *cmd, struct scsi_task *t)
{
	if (!t)
		set_error(r, "%s failed: %s", cmd, iscsi_get_error(is));
	else if (t->status == SCSI_STATUS_CHECK_CONDITION)
		set_error(r, "%s failed: CHECK CONDITION %s, %s (ASC/ASCQ 0x%04x)", cmd,
			  scsi_sense_key_str((int)t->sense.key), scsi_sense_ascq_str(t->sense.ascq),
			  (unsigned)t->sense.ascq & 0xffffu);
	else
		set_error(r, "%s failed: SCSI status 0x%02x", cmd, (unsigned)t->status & 0xffu);
}

/* The SCSI part of the boot: fills r; false on a failed command (r->error set). */
static bool probe_disk(struct iscsi_context *is, int lun, struct san_result *r)
{
	struct scsi_task *t = NULL;
	struct scsi_inquiry_standard *inq;
	struct scsi_readcapacity10 *rc10;
	int i;

	/* iPXE's scsi.c starts with TEST UNIT READY until the unit is ready. */
	for (i = 0; i < SAN_TUR_TRIES; i++) {
		t = iscsi_testunitready_sync(is, lun);
		if (t && t->status == SCSI_STATUS_GOOD)
			break;
		/* UNIT ATTENTION (e.g. power on / reset after login) and NOT READY are worth a retry. */
		if (!t || t->status != SCSI_STATUS_CHECK_CONDITION ||
		    (t->sense.key != SCSI_SENSE_UNIT_ATTENTION && t->sense.key != SCSI_SENSE_NOT_READY)) {
			scsi_error(r, is, "TEST UNIT READY", t);
			scsi_free_scsi_task(t);
			return false;
		}
		scsi_free_scsi_task(t);
		t = NULL;
	}
	if (i == SAN_TUR_TRIES) {
		set_error(r, "TEST UNIT READY failed: unit not ready after %d tries", SAN_TUR_TRIES);
		return false;
	}
	scsi_free_scsi_task(t);

	t = iscsi_inquiry_sync(is, lun, 0, 0, 96);
	if (!t || t->status != SCSI_STATUS_GOOD || !(inq = scsi_datain_unmarshall(t))) {
		scsi_error(r, is, "INQUIRY", t && t->status != SCSI_STATUS_GOOD ? t : NULL);
		scsi_free_scsi_task(t);
		return false;
	}
	snprintf(r->vendor, sizeof(r->vendor), "%s", inq->vendor_identification);
	snprintf(r->product, sizeof(r->product), "%s", inq->product_identification);
	scsi_free_scsi_task(t);

	t = iscsi_readcapacity10_sync(is, lun, 0, 0);
	if (!t || t->status != SCSI_STATUS_GOOD || !(rc10 = scsi_datain_unmarshall(t))) {
		scsi_error(r, is, "READ CAPACITY(10)", t && t->status != SCSI_STATUS_GOOD ? t : NULL);
		scsi_free_scsi_task(t);
		return false;
	}
	r->blocks = (uint64_t)rc10->lba + 1;
	r->block_size = rc10->block_size;
	scsi_free_scsi_task(t);
	if (r->blocks - 1 == 0xffffffffu) {
		/* SBC-3: too big for READ CAPACITY(10); ask again with (16), as iPXE does. */
		struct scsi_readcapacity16 *rc16;

		t = iscsi_readcapacity16_sync(is, lun);
		if (!t || t->status != SCSI_STATUS_GOOD || !(rc16 = scsi_datain_unmarshall(t))) {
			scsi_error(r, is, "READ CAPACITY(16)", t && t->status != SCSI_STATUS_GOOD ? t : NULL);
			scsi_free_scsi_task(t);
			return false;
		}
		r->blocks = rc16->returned_lba + 1;
		r->block_size = rc16->block_length;
		scsi_free_scsi_task(t);
	}
	if (r->block_size < 512 || r->block_size > 65536) {
		set_error(r, "unusable block size %u", (unsigned)r->block_size);
		return false;
	}

	t = iscsi_read10_sync(is, lun, 0, r->block_size, (int)r->block_size, 0, 0, 0, 0, 0);
	if (!t || t->status != SCSI_STATUS_GOOD) {
		scsi_error(r, is, "READ(10) of LBA 0", t);
		scsi_free_scsi_task(t);
		return false;
	}
	if (t->datain.size < 512) {
		set_error(r, "READ(10) of LBA 0 returned %d bytes", t->datain.size);
		scsi_free_scsi_task(t);
		return false;
	}
	r->bootable = t->datain.data[510] == 0x55 && t->datain.data[511] == 0xaa;
	scsi_free_scsi_task(t);
	return true;
}

int san_boot(const char *root_path, const char *initiator, const char *user, const char *password, bool keep,
	     bool hook_only, struct san_result *r, struct san_handle **handle)
{
	struct rootpath rp;
	struct iscsi_context *is;
	struct san_handle *h;
	char why[128];
	char portal[300];
	int lun;
	bool keep_open;
	int ret;

	memset(r, 0, sizeof(*r));
	if (handle)
		*handle = NULL;
	if (!root_path || !rootpath_parse(root_path, &rp, why, sizeof(why))) {
		set_error(r, "bad root path: %s", root_path ? why : "none");
		return -1;
	}
	/* libiscsi takes a one-level LUN number: the first 16-bit level (RFC 4173 / SAM). */
	if ((rp.lun & 0x0000ffffffffffffull) != 0 || (rp.lun >> 48) > 255) {
		set_error(r, "LUN %016llx: only one-level LUNs up to 255 are supported",
			  (unsigned long long)rp.lun);
		return -1;
	}
	lun = (int)(rp.lun >> 48);
	snprintf(portal, sizeof(portal), strchr(rp.server, ':') ? "[%s]:%u" : "%s:%u", rp.server,
		 (unsigned)rp.port);

	is = iscsi_create_context(initiator && initiator[0] ? initiator : "iqn.2010-04.org.ipxe:unknown");
	if (!is) {
		set_error(r, "cannot create an iSCSI context");
		return -1;
	}
	(void)iscsi_set_timeout(is, SAN_TIMEOUT_S);
	if (iscsi_set_targetname(is, rp.target) != 0 || iscsi_set_session_type(is, ISCSI_SESSION_NORMAL) != 0 ||
	    iscsi_set_header_digest(is, ISCSI_HEADER_DIGEST_NONE) != 0) {
		set_error(r, "cannot set up the session: %s", iscsi_get_error(is));
		destroy(is, false);
		return -1;
	}
	if (user && user[0] && password && password[0] &&
	    iscsi_set_initiator_username_pwd(is, user, password) != 0) {
		set_error(r, "cannot set CHAP credentials: %s", iscsi_get_error(is));
		destroy(is, false);
		return -1;
	}
	/* Connect and login apart (not iscsi_full_connect_sync, which adds its own TEST UNIT
	 * READY): the wire then shows login, TEST UNIT READY, ... as iPXE sends them, and a
	 * refused connection is told apart from a refused login. */
	if (iscsi_connect_sync(is, portal) != 0) {
		/* libiscsi's text for a refused connection is about its reconnect logic: not shown */
		const char *msg = iscsi_get_error(is);

		if (!msg || strstr(msg, "reconnect"))
			set_error(r, "cannot connect to %s", portal);
		else
			set_error(r, "cannot connect to %s: %s", portal, msg);
		destroy(is, false);
		return -1;
	}
	if (iscsi_login_sync(is) != 0) {
		login_error(r, iscsi_get_error(is));
		destroy(is, false);
		return -1;
	}
	r->login_ok = true;

	if (!probe_disk(is, lun, r)) {
		destroy(is, true);
		return -1;
	}
	if (r->bootable && !hook_only) {
		ret = 0;	/* handed over: the booted system keeps using the session */
		keep_open = handle != NULL;
	} else {
		if (!r->bootable)
			set_error(r, "no boot signature on LBA 0");
		ret = hook_only || keep ? 1 : -1;
		keep_open = keep && handle != NULL;
	}
	if (!keep_open) {
		destroy(is, true);
		return ret;
	}
	h = malloc(sizeof(*h));
	if (!h) {
		set_error(r, "out of memory");
		destroy(is, true);
		return -1;
	}
	h->iscsi = is;
	*handle = h;
	return ret;
}

void san_close(struct san_handle *h)
{
	if (!h)
		return;
	destroy(h->iscsi, true);
	free(h);
}

char *san_initiator_name(const char *hostname, const char *uuid, char *out, size_t cap)
{
	const char *id = hostname && hostname[0] ? hostname : uuid && uuid[0] ? uuid : NULL;

	if (cap == 0)
		return out;
	if (id)
		snprintf(out, cap, "iqn.2010-04.org.ipxe:%s", id);
	else
		out[0] = '\0';
	return out;
}
