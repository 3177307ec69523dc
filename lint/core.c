/* core.c: lint's context (findings, interned file names), bounded file reading, client profiles. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lint/lint_priv.h"

struct lint_ctx *lint_ctx_new(void)
{
	struct lint_ctx *c = calloc(1, sizeof(struct lint_ctx));

	if (c != NULL)
		c->input = -1;
	return c;
}

void lint_ctx_free(struct lint_ctx *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nnames; i++)
		free(c->names[i]);
	free(c->names);
	free(c->findings);
	for (size_t i = 0; i < c->nseen; i++)
		free(c->seen[i]);
	free(c->seen);
	for (size_t i = 0; i < c->nparts; i++)
		free(c->parts[i].real);
	free(c->parts);
	free(c);
}

size_t lint_nfindings(const struct lint_ctx *c)
{
	return c->nfindings;
}

const struct lint_finding *lint_finding_at(const struct lint_ctx *c, size_t i)
{
	return i < c->nfindings ? &c->findings[i] : NULL;
}

const char *lint_intern(struct lint_ctx *c, const char *path)
{
	if (path == NULL)
		return NULL;
	for (size_t i = 0; i < c->nnames; i++)
		if (strcmp(c->names[i], path) == 0)
			return c->names[i];
	if (c->nnames == c->names_cap) {
		size_t cap = c->names_cap ? c->names_cap * 2 : 16;
		char **n = realloc(c->names, cap * sizeof(*n));

		if (n == NULL)
			return "(out of memory)";
		c->names = n;
		c->names_cap = cap;
	}
	char *dup = strdup(path);

	if (dup == NULL)
		return "(out of memory)";
	c->names[c->nnames++] = dup;
	return dup;
}

void lint_add(struct lint_ctx *c, const char *rule, enum nbc_sev sev, struct lint_loc loc,
	      const char *hint, const char *fmt, ...)
{
	if (c->nfindings >= LINT_FINDINGS_MAX) {
		c->findings_dropped++;
		return;
	}
	if (c->nfindings == c->findings_cap) {
		size_t cap = c->findings_cap ? c->findings_cap * 2 : 32;
		struct lint_finding *n = realloc(c->findings, cap * sizeof(*n));

		if (n == NULL) {
			c->findings_dropped++;
			return;
		}
		c->findings = n;
		c->findings_cap = cap;
	}
	struct lint_finding *f = &c->findings[c->nfindings++];
	va_list ap;

	memset(f, 0, sizeof(*f));
	f->rule = rule;
	f->sev = sev;
	f->loc = loc;
	f->hint = hint;
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
	/* One line: a message made from file contents must not break the output format. */
	for (char *p = f->message; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

void lint_note_part(struct lint_ctx *c, const char *path)
{
	char *real;

	if (c->input < 0 || c->nparts >= LINT_SEEN_MAX || (real = realpath(path, NULL)) == NULL)
		return;
	if (c->nparts == c->parts_cap) {
		size_t cap = c->parts_cap ? c->parts_cap * 2 : 16;
		struct lint_part *n = realloc(c->parts, cap * sizeof(*n));

		if (n == NULL) {
			free(real);
			return;
		}
		c->parts = n;
		c->parts_cap = cap;
	}
	c->parts[c->nparts].real = real;
	c->parts[c->nparts++].input = c->input;
}

bool lint_seen(struct lint_ctx *c, const char *path)
{
	char *real = realpath(path, NULL);

	if (real == NULL)
		return false;
	for (size_t i = 0; i < c->nseen; i++)
		if (strcmp(c->seen[i], real) == 0) {
			free(real);
			return true;
		}
	if (c->nseen >= LINT_SEEN_MAX) {
		free(real);
		return true;	/* bounded: past the cap nothing more is followed */
	}
	if (c->seen == NULL) {
		c->seen = calloc(LINT_SEEN_MAX, sizeof(*c->seen));
		if (c->seen == NULL) {
			free(real);
			return true;
		}
	}
	c->seen[c->nseen++] = real;
	return false;
}

int lint_read_file(const char *path, char **text, size_t *len, char *why, size_t why_cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;

	if (fd < 0) {
		snprintf(why, why_cap, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, why_cap, "%s",
			 S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
		close(fd);
		return -1;
	}
	if ((uintmax_t)st.st_size > LINT_FILE_MAX) {
		snprintf(why, why_cap, "larger than %u MiB", LINT_FILE_MAX >> 20);
		close(fd);
		return -1;
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *buf = malloc(cap);

	if (buf == NULL) {
		snprintf(why, why_cap, "out of memory");
		close(fd);
		return -1;
	}
	for (;;) {
		if (n + 1 >= cap) {
			/* The file grew while we read it: stop at the cap. */
			if (cap > LINT_FILE_MAX)
				break;
			char *b = realloc(buf, cap * 2 > LINT_FILE_MAX + 1 ? LINT_FILE_MAX + 1 : cap * 2);

			if (b == NULL)
				break;
			buf = b;
			cap = cap * 2 > LINT_FILE_MAX + 1 ? LINT_FILE_MAX + 1 : cap * 2;
		}
		ssize_t r = read(fd, buf + n, cap - 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(why, why_cap, "%s", strerror(errno));
			free(buf);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

/* ---------------------------------------------------------------------------------------- */

/* A PXE 2.1 ROM's request list, as netboot-firmware sends it: no 208-211, no 175. */
static const uint8_t pxe_prl[] = {
	1, 2, 3, 5, 6, 11, 12, 13, 15, 16, 17, 18, 22, 23, 28, 40, 41, 42, 43,
	50, 51, 54, 58, 59, 60, 66, 67, 128, 129, 130, 131, 132, 133, 134, 135,
};

/* Debian 12's iPXE (../shared/pcaps/real/dhcpd-userclass-script, frame 5). */
static const uint8_t ipxe_prl[] = {
	1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119,
	128, 129, 130, 131, 132, 133, 134, 135, 175, 203,
};

/* Option 175 as that iPXE sent it: bus id, version, feature flags (HTTP, iSCSI, PXE...). */
static const uint8_t ipxe_175[] = {
	0xb1, 0x05, 0x01, 0x80, 0x86, 0x10, 0x0e, 0xeb, 0x03, 0x01, 0x00, 0x00,
	0x17, 0x01, 0x01, 0x22, 0x01, 0x01, 0x13, 0x01, 0x01, 0x11, 0x01, 0x01,
	0x27, 0x01, 0x01, 0x19, 0x01, 0x01, 0x29, 0x01, 0x01, 0x10, 0x01, 0x02,
	0x21, 0x01, 0x01, 0x15, 0x01, 0x01, 0x18, 0x01, 0x01, 0x12, 0x01, 0x01,
};

static const uint8_t test_uuid[16] = {
	0x3a, 0x8c, 0x3b, 0x8e, 0x1f, 0x5a, 0x2e, 0x4d,
	0x9c, 0x41, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
};

static void set_opt(struct lint_profile *p, unsigned code, const void *data, size_t len)
{
	struct lint_opt_bytes *o = &p->opt[code];

	o->present = true;
	o->len = (uint8_t)(len > sizeof(o->data) ? sizeof(o->data) : len);
	memcpy(o->data, data, o->len);
}

static void build(struct lint_profile *p, enum lint_profile_id id)
{
	static const struct {
		const char *name, *desc;
		int arch;
		bool ipxe;
	} t[LP__COUNT] = {
		[LP_BIOS_PXE] = { "bios-pxe", "BIOS PXE ROM", 0, false },
		[LP_EFI64_PXE] = { "efi64-pxe", "UEFI x64 PXE ROM", 7, false },
		[LP_EFI64_PXE9] = { "efi64-pxe-9", "UEFI x64 PXE ROM sending arch 9", 9, false },
		[LP_IPXE_BIOS] = { "ipxe-bios", "iPXE on BIOS", 0, true },
		[LP_IPXE_EFI64] = { "ipxe-efi64", "iPXE on UEFI x64", 7, true },
	};
	char vci[64];
	uint8_t b[17];

	memset(p, 0, sizeof(*p));
	p->id = id;
	p->name = t[id].name;
	p->desc = t[id].desc;
	p->arch = t[id].arch;
	p->ipxe = t[id].ipxe;
	memcpy(p->mac, (const uint8_t[6]){ 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }, 6);

	if (p->ipxe)
		set_opt(p, 55, ipxe_prl, sizeof(ipxe_prl));
	else
		set_opt(p, 55, pxe_prl, sizeof(pxe_prl));
	snprintf(vci, sizeof(vci), "PXEClient:Arch:%05d:UNDI:%s", p->arch,
		 p->arch == 0 ? "002001" : "003016");
	set_opt(p, 60, vci, strlen(vci));
	b[0] = 1;
	memcpy(b + 1, p->mac, 6);
	set_opt(p, 61, b, 7);
	b[0] = (uint8_t)(p->arch >> 8);
	b[1] = (uint8_t)p->arch;
	set_opt(p, 93, b, 2);
	b[0] = 1;
	b[1] = p->arch == 0 ? 2 : 3;
	b[2] = p->arch == 0 ? 1 : 16;
	set_opt(p, 94, b, 3);
	b[0] = 0;
	memcpy(b + 1, test_uuid, 16);
	set_opt(p, 97, b, 17);
	if (p->ipxe) {
		set_opt(p, 77, "iPXE", 4);
		set_opt(p, 175, ipxe_175, sizeof(ipxe_175));
	}
}

const struct lint_profile *lint_profile_get(enum lint_profile_id id)
{
	static struct lint_profile profiles[LP__COUNT];
	static bool built;

	if ((unsigned)id >= LP__COUNT)
		return NULL;
	if (!built) {
		for (unsigned i = 0; i < LP__COUNT; i++)
			build(&profiles[i], (enum lint_profile_id)i);
		built = true;
	}
	return &profiles[id];
}

bool lint_profile_requests(const struct lint_profile *p, unsigned code)
{
	const struct lint_opt_bytes *o = &p->opt[55];

	for (unsigned i = 0; o->present && i < o->len; i++)
		if (o->data[i] == code)
			return true;
	return false;
}
