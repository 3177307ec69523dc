/* pcapng.c: a small pcapng writer and the annotate pass that writes findings as packet comments. */
#include "checker/pcapng.h"

#include <errno.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/cursor.h"

/*
 * Facts from the pcapng draft (draft-ietf-opsawg-pcapng, "PCAP Next Generation
 * (pcapng) Capture File Format"):
 * 3.1  every block: type, total length, body padded to 32 bits, total length
 *      again; the total length is a multiple of 4.
 * 3.5  options: 16-bit code, 16-bit length without padding, value padded to
 *      32 bits (zero octets, 3.6.2); opt_endofopt (0) ends a list and writers
 *      must put it there; opt_comment (1) is a UTF-8 string, not
 *      NUL-terminated, and may repeat.
 * 3.6.3 writers must write only valid UTF-8 strings.
 * 4.1  SHB: type 0x0A0D0D0A, Byte-Order Magic 0x1A2B3C4D, version 1.0
 *      (writers must not write another), 64-bit section length, -1 for
 *      "not specified"; shb_userappl is option 4.
 * 4.2  IDB: type 1, 16-bit LinkType, 16 reserved bits (0), 32-bit SnapLen;
 *      if_tsresol is option 9, one octet: MSB 0 = negative power of 10,
 *      MSB 1 = negative power of 2; absent means 10^-6.
 * 4.3  EPB: type 6, interface ID, 64-bit timestamp as upper then lower 32
 *      bits in units of the IDB's if_tsresol, captured length (without the
 *      padding), original length, packet data padded to 32 bits, options.
 */
#define PCAPNG_BT_SHB 0x0A0D0D0Au
#define PCAPNG_BT_IDB 0x00000001u
#define PCAPNG_BT_PB 0x00000002u	/* obsolete Packet Block (appendix A) */
#define PCAPNG_BT_SPB 0x00000003u
#define PCAPNG_BT_EPB 0x00000006u
#define PCAPNG_MAGIC 0x1A2B3C4Du
#define PCAPNG_OPT_ENDOFOPT 0
#define PCAPNG_OPT_COMMENT 1
#define PCAPNG_OPT_SHB_USERAPPL 4
#define PCAPNG_OPT_IF_TSRESOL 9

/* libpcap reads LINKTYPE_RAW (101) as DLT_RAW; a pcapng IDB carries the LINKTYPE. */
#define LINKTYPE_RAW 101

#define ANNOTATE_NOTES_PER_FRAME 64	/* comments on one frame; more are summarised */
#define ANNOTATE_SNIFF_BLOCKS 4096	/* pcapng blocks looked at for if_tsresol */
#define ANNOTATE_IDB_BODY_MAX 65536

static size_t pad4(size_t n)
{
	return (4 - (n & 3)) & 3;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v & 0xff);
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v & 0xff);
	p[1] = (uint8_t)(v >> 8 & 0xff);
	p[2] = (uint8_t)(v >> 16 & 0xff);
	p[3] = (uint8_t)(v >> 24);
}

static int put_bytes(FILE *f, const void *p, size_t n)
{
	return n == 0 || fwrite(p, 1, n, f) == n ? 0 : -1;
}

static int put_u32(FILE *f, uint32_t v)
{
	uint8_t b[4];

	put32(b, v);
	return put_bytes(f, b, 4);
}

static int put_pad(FILE *f, size_t n)
{
	static const uint8_t zero[4];

	return put_bytes(f, zero, n & 3);
}

/* One option: code, length, value, zero padding. len must fit 16 bits. */
static int put_opt(FILE *f, uint16_t code, const void *val, size_t len)
{
	uint8_t h[4];

	if (len > UINT16_MAX)
		return -1;
	put16(h, code);
	put16(h + 2, (uint16_t)len);
	if (put_bytes(f, h, 4) != 0 || put_bytes(f, val, len) != 0)
		return -1;
	return put_pad(f, pad4(len));
}

static size_t opt_size(size_t len)
{
	return 4 + len + pad4(len);
}

int pcapng_write_shb(FILE *f, const char *userappl)
{
	uint8_t h[24];
	size_t ulen = strlen(userappl);
	size_t total;

	if (ulen > UINT16_MAX)
		return -1;
	total = 28 + opt_size(ulen) + 4;
	put32(h, PCAPNG_BT_SHB);
	put32(h + 4, (uint32_t)total);
	put32(h + 8, PCAPNG_MAGIC);
	put16(h + 12, 1);
	put16(h + 14, 0);
	memset(h + 16, 0xff, 8);	/* section length -1: not specified */
	if (put_bytes(f, h, sizeof(h)) != 0 ||
	    put_opt(f, PCAPNG_OPT_SHB_USERAPPL, userappl, ulen) != 0 ||
	    put_opt(f, PCAPNG_OPT_ENDOFOPT, NULL, 0) != 0)
		return -1;
	return put_u32(f, (uint32_t)total);
}

int pcapng_write_idb(FILE *f, uint16_t linktype, uint32_t snaplen, bool tsresol_nano)
{
	uint8_t h[16];
	const uint8_t nano = 9;	/* 10^-9 */
	size_t total = 20 + (tsresol_nano ? opt_size(1) + 4 : 0);

	put32(h, PCAPNG_BT_IDB);
	put32(h + 4, (uint32_t)total);
	put16(h + 8, linktype);
	put16(h + 10, 0);
	put32(h + 12, snaplen);
	if (put_bytes(f, h, sizeof(h)) != 0)
		return -1;
	if (tsresol_nano && (put_opt(f, PCAPNG_OPT_IF_TSRESOL, &nano, 1) != 0 ||
			     put_opt(f, PCAPNG_OPT_ENDOFOPT, NULL, 0) != 0))
		return -1;
	return put_u32(f, (uint32_t)total);
}

int pcapng_write_epb(FILE *f, uint32_t ifid, uint64_t ts, const uint8_t *data, uint32_t caplen,
		     uint32_t origlen, const char *const *comments, size_t ncomments)
{
	uint8_t h[28];
	uint64_t total = 32 + (uint64_t)caplen + pad4(caplen);

	for (size_t i = 0; i < ncomments; i++) {
		size_t n = strlen(comments[i]);

		if (n > PCAPNG_COMMENT_MAX)
			return -1;
		total += opt_size(n);
	}
	if (ncomments)
		total += 4;	/* opt_endofopt */
	if (total > UINT32_MAX)
		return -1;
	put32(h, PCAPNG_BT_EPB);
	put32(h + 4, (uint32_t)total);
	put32(h + 8, ifid);
	put32(h + 12, (uint32_t)(ts >> 32));
	put32(h + 16, (uint32_t)(ts & 0xffffffffu));
	put32(h + 20, caplen);
	put32(h + 24, origlen);
	if (put_bytes(f, h, sizeof(h)) != 0 || put_bytes(f, data, caplen) != 0 ||
	    put_pad(f, pad4(caplen)) != 0)
		return -1;
	for (size_t i = 0; i < ncomments; i++)
		if (put_opt(f, PCAPNG_OPT_COMMENT, comments[i], strlen(comments[i])) != 0)
			return -1;
	if (ncomments && put_opt(f, PCAPNG_OPT_ENDOFOPT, NULL, 0) != 0)
		return -1;
	return put_u32(f, (uint32_t)total);
}

/* Length of the valid UTF-8 sequence at s (RFC 3629 section 4), 0 if it is not one. */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned char b = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (b >= 0xc2 && b <= 0xdf)
		n = 2;
	else if (b >= 0xe0 && b <= 0xef)
		n = 3;
	else if (b >= 0xf0 && b <= 0xf4)
		n = 4;
	else
		return 0;
	/* The second byte's range excludes overlong forms, surrogates and > U+10FFFF. */
	if (b == 0xe0)
		lo = 0xa0;
	else if (b == 0xed)
		hi = 0x9f;
	else if (b == 0xf0)
		lo = 0x90;
	else if (b == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	/* Each check stops at the string's NUL, so no byte past it is read. */
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

size_t pcapng_comment_clean(char *dst, size_t cap, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t limit = cap - 1 < PCAPNG_COMMENT_MAX ? cap - 1 : PCAPNG_COMMENT_MAX;
	size_t o = 0;

	while (*s && o < limit) {
		size_t n = *s < 0x80 ? 1 : utf8_seq(s);

		if (n == 0) {
			dst[o++] = '?';	/* one byte of an invalid sequence */
			s++;
			continue;
		}
		if (o + n > limit)
			break;	/* never split a character */
		if (n == 1)
			dst[o++] = (char)(*s < 0x20 ? ' ' : *s);
		else {
			memcpy(dst + o, s, n);
			o += n;
		}
		s += n;
	}
	dst[o] = '\0';
	return o;
}

bool pcapng_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (strcmp(a, b) == 0)
		return true;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* A note to write: a stage's first frame or a finding's frame. */
struct note {
	uint64_t frame;
	int kind;		/* 0 stage, 1 finding: stages first on a frame */
	const char *rule;	/* findings: sorted by rule ID */
	size_t client;		/* stages: the client and its stage */
	size_t index;		/* stage index, or finding index */
	size_t seq;		/* the order collected: the last tie-breaker */
};

static int note_cmp(const void *pa, const void *pb)
{
	const struct note *a = pa, *b = pb;
	int c;

	if (a->frame != b->frame)
		return a->frame < b->frame ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind - b->kind;
	if (a->kind == 1 && (c = strcmp(a->rule, b->rule)) != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Collects the notes of the report (of one client when client >= 0), sorted. */
static struct note *notes_collect(const struct nbc_report *r, int client, size_t *count)
{
	size_t n = 0, k = 0;
	struct note *v;

	for (size_t c = 0; c < r->nclients; c++)
		if (client < 0 || (size_t)client == c)
			n += r->clients[c].nstages;
	n += r->nfindings;
	*count = 0;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return NULL;
	for (size_t c = 0; c < r->nclients; c++) {
		if (client >= 0 && (size_t)client != c)
			continue;
		for (size_t s = 0; s < r->clients[c].nstages; s++) {
			if (r->clients[c].stages[s].frame == 0)
				continue;
			v[k] = (struct note){ r->clients[c].stages[s].frame, 0, NULL, c, s, k };
			k++;
		}
	}
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct nbc_finding *fd = &r->findings[i];

		if ((client >= 0 && fd->client != client) || fd->frame == 0)
			continue;
		v[k] = (struct note){ fd->frame, 1, fd->rule ? fd->rule : "", 0, i, k };
		k++;
	}
	qsort(v, k, sizeof(*v), note_cmp);
	*count = k;
	return v;
}

/* Writes a note's comment: "netboot-check: stage NAME RESULT: DETAIL" or
 * "netboot-check: SEVERITY RULE: MESSAGE". */
static void note_text(const struct nbc_report *r, const struct note *nt, char *dst, size_t cap)
{
	/* Large enough for every model string: the cut happens in pcapng_comment_clean. */
	char raw[NBC_MSG_MAX + NBC_DETAIL_MAX + 256];

	if (nt->kind == 0) {
		const struct nbc_stage *s = &r->clients[nt->client].stages[nt->index];

		snprintf(raw, sizeof(raw), "netboot-check: stage %s %s: %s", nbc_stage_name(s->kind),
			 nbc_result_name(s->result), s->detail);
	} else {
		const struct nbc_finding *fd = &r->findings[nt->index];

		snprintf(raw, sizeof(raw), "netboot-check: %s %s: %s", nbc_sev_name(fd->sev),
			 nt->rule, fd->message);
	}
	pcapng_comment_clean(dst, cap, raw);
}

/*
 * The input's timestamp resolution: true when it is finer than microseconds
 * (a nanosecond pcap, or a pcapng IDB with if_tsresol finer than 10^-6 before
 * the first packet). Anything unreadable here counts as microseconds; libpcap
 * has the last word on whether the file is a capture at all.
 */
static bool input_is_nano(const char *path)
{
	uint8_t hdr[12];
	FILE *f = fopen(path, "rb");
	bool nano = false, be;
	struct cur c;
	uint32_t len;
	uint64_t pos;

	if (!f)
		return false;
	if (fread(hdr, 1, sizeof(hdr), f) != sizeof(hdr))
		goto out;
	/* pcap: 0xA1B23C4D is the nanosecond magic (draft-ietf-opsawg-pcap, section 4). */
	if ((hdr[0] == 0x4d && hdr[1] == 0x3c && hdr[2] == 0xb2 && hdr[3] == 0xa1) ||
	    (hdr[0] == 0xa1 && hdr[1] == 0xb2 && hdr[2] == 0x3c && hdr[3] == 0x4d)) {
		nano = true;
		goto out;
	}
	if (!(hdr[0] == 0x0a && hdr[1] == 0x0d && hdr[2] == 0x0d && hdr[3] == 0x0a))
		goto out;
	be = hdr[8] == 0x1a;
	c = cur_make(hdr + 4, 4);
	len = be ? cur_be32(&c) : cur_le32(&c);
	if (len < 28 || len % 4)
		goto out;
	pos = len;
	for (int i = 0; i < ANNOTATE_SNIFF_BLOCKS; i++) {
		uint8_t bh[8];
		uint8_t *body;
		uint32_t type;

		if (pos > (uint64_t)1 << 62 || fseeko(f, (off_t)pos, SEEK_SET) != 0 || fread(bh, 1, sizeof(bh), f) != sizeof(bh))
			break;
		c = cur_make(bh, sizeof(bh));
		type = be ? cur_be32(&c) : cur_le32(&c);
		len = be ? cur_be32(&c) : cur_le32(&c);
		if (len < 12 || len % 4 || type == PCAPNG_BT_SHB || type == PCAPNG_BT_EPB ||
		    type == PCAPNG_BT_SPB || type == PCAPNG_BT_PB)
			break;
		if (type == PCAPNG_BT_IDB && len - 12 >= 8 && len - 12 <= ANNOTATE_IDB_BODY_MAX) {
			size_t blen = len - 12;

			body = malloc(blen);
			if (!body)
				break;
			if (fread(body, 1, blen, f) != blen) {
				free(body);
				break;
			}
			c = cur_make(body, blen);
			cur_skip(&c, 8);	/* LinkType, Reserved, SnapLen */
			while (!c.err && cur_left(&c) >= 4) {
				uint16_t code = be ? cur_be16(&c) : cur_le16(&c);
				uint16_t olen = be ? cur_be16(&c) : cur_le16(&c);
				const uint8_t *val = cur_bytes(&c, olen);

				if (code == PCAPNG_OPT_ENDOFOPT || !val)
					break;
				cur_skip(&c, pad4(olen));
				if (code == PCAPNG_OPT_IF_TSRESOL && olen == 1) {
					unsigned e = val[0] & 0x7fu;

					/* 2^-20 s is already finer than a microsecond */
					if ((val[0] & 0x80) ? e >= 20 : e > 6)
						nano = true;
				}
			}
			free(body);
		}
		pos += len;
	}
out:
	fclose(f);
	return nano;
}

/* The LINKTYPE for an IDB from the DLT libpcap reports (they differ only for raw IP here). */
static int linktype_of(int dlt)
{
	return dlt == DLT_RAW ? LINKTYPE_RAW : dlt;
}

/* The directory part of path, for the temporary file ("." when it has none). */
static int dir_of(const char *path, char *dst, size_t cap)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!slash)
		return snprintf(dst, cap, ".") < (int)cap ? 0 : -1;
	n = (size_t)(slash - path);
	if (n == 0)
		n = 1;	/* "/x": the root */
	if (n >= cap)
		return -1;
	memcpy(dst, path, n);
	dst[n] = '\0';
	return 0;
}

struct annotate_pass {
	pcap_t *p;
	FILE *out;
	bool nano;
	uint64_t frames;
	struct note *notes;
	size_t nnotes;
	size_t next;		/* first note not yet written */
	char (*text)[PCAPNG_COMMENT_MAX + 1];	/* ANNOTATE_NOTES_PER_FRAME + 1 slots */
};

/* Writes every frame of the input with its notes; returns 0, or -1 with err set. */
static int annotate_frames(struct annotate_pass *a, const struct nbc_report *r, const char *out_path,
			   char *err, size_t errcap)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	const char *ptrs[ANNOTATE_NOTES_PER_FRAME + 1];
	int rc;

	while ((rc = pcap_next_ex(a->p, &h, &data)) == 1) {
		size_t n = 0, extra = 0;
		uint64_t sec, ts;

		a->frames++;
		/* Notes are sorted by frame; any before this frame had no frame of theirs. */
		while (a->next < a->nnotes && a->notes[a->next].frame < a->frames)
			a->next++;
		while (a->next < a->nnotes && a->notes[a->next].frame == a->frames) {
			if (n < ANNOTATE_NOTES_PER_FRAME) {
				note_text(r, &a->notes[a->next], a->text[n], sizeof(a->text[n]));
				ptrs[n] = a->text[n];
				n++;
			} else {
				extra++;
			}
			a->next++;
		}
		if (extra) {
			snprintf(a->text[n], sizeof(a->text[n]),
				 "netboot-check: %zu more notes on this frame: see the report", extra);
			ptrs[n] = a->text[n];
			n++;
		}
		if (h->ts.tv_sec < 0 || h->ts.tv_usec < 0 ||
		    (uint64_t)h->ts.tv_sec > UINT64_MAX / 1000000000u - 1) {
			snprintf(err, errcap, "frame %llu: timestamp out of range for pcapng",
				 (unsigned long long)a->frames);
			return -1;
		}
		sec = (uint64_t)h->ts.tv_sec;
		/* The pass reads with nanosecond precision: tv_usec holds nanoseconds. */
		ts = a->nano ? sec * 1000000000u + (uint64_t)h->ts.tv_usec
			     : sec * 1000000u + (uint64_t)h->ts.tv_usec / 1000u;
		errno = 0;
		if (pcapng_write_epb(a->out, 0, ts, data, h->caplen, h->len, ptrs, n) != 0) {
			snprintf(err, errcap, "%s: write failed: %s", out_path,
				 errno ? strerror(errno) : "short write");
			return -1;
		}
	}
	/* A file cut inside a record: the engine read up to the cut too (and says so). */
	(void)rc;
	return 0;
}

int pcapng_annotate(const char *in_path, const char *out_path, const struct nbc_report *r,
		    int client, char *err, size_t errcap)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	char dir[PATH_MAX];
	char tmp[PATH_MAX];
	struct annotate_pass a;
	struct stat st;
	int fd, rc = -1;
	mode_t mask;
	int dlt;

	memset(&a, 0, sizeof(a));
	if (pcapng_same_file(in_path, out_path)) {
		snprintf(err, errcap, "%s: is the input capture; refusing to overwrite it", out_path);
		return -1;
	}
	/* rename() would replace whatever is there: only ever a regular file. */
	if (lstat(out_path, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(err, errcap, "%s: %s: refusing to replace it", out_path,
			 S_ISDIR(st.st_mode)   ? "is a directory"
			 : S_ISLNK(st.st_mode) ? "is a symbolic link"
					       : "is a device, pipe or socket, not a regular file");
		return -1;
	}
	if (dir_of(out_path, dir, sizeof(dir)) != 0 ||
	    snprintf(tmp, sizeof(tmp), "%s/.netboot-check-annotate.XXXXXX", dir) >= (int)sizeof(tmp)) {
		snprintf(err, errcap, "%s: path too long", out_path);
		return -1;
	}
	a.nano = input_is_nano(in_path);
	a.p = pcap_open_offline_with_tstamp_precision(in_path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!a.p) {
		snprintf(err, errcap, "%s: %s", in_path, ebuf);
		return -1;
	}
	dlt = linktype_of(pcap_datalink(a.p));
	if (dlt < 0 || dlt > UINT16_MAX) {
		snprintf(err, errcap, "%s: link type %d does not fit a pcapng IDB", in_path, dlt);
		pcap_close(a.p);
		return -1;
	}
	a.notes = notes_collect(r, client, &a.nnotes);
	a.text = malloc((ANNOTATE_NOTES_PER_FRAME + 1) * sizeof(*a.text));
	if (!a.notes || !a.text) {
		snprintf(err, errcap, "out of memory");
		goto done;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errcap, "%s: cannot write in %s: %s", out_path, dir, strerror(errno));
		goto done;
	}
	/* mkstemp makes the file 0600; the result gets the usual 0666 less the umask. */
	mask = umask(022);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0 || !(a.out = fdopen(fd, "wb"))) {
		snprintf(err, errcap, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto done;
	}
	errno = 0;
	if (pcapng_write_shb(a.out, "netboot-check " NBC_VERSION) != 0 ||
	    pcapng_write_idb(a.out, (uint16_t)dlt, (uint32_t)pcap_snapshot(a.p), a.nano) != 0) {
		snprintf(err, errcap, "%s: write failed: %s", out_path,
			 errno ? strerror(errno) : "short write");
		goto fail;
	}
	if (annotate_frames(&a, r, out_path, err, errcap) != 0)
		goto fail;
	if (a.frames != r->stats.frames) {
		snprintf(err, errcap, "%s: read %llu frames the second time, %llu the first: the file "
			 "changed while it was analyzed", in_path, (unsigned long long)a.frames,
			 (unsigned long long)r->stats.frames);
		goto fail;
	}
	if (fflush(a.out) != 0 || fsync(fileno(a.out)) != 0) {
		snprintf(err, errcap, "%s: write failed: %s", out_path, strerror(errno));
		goto fail;
	}
	if (fclose(a.out) != 0) {
		a.out = NULL;
		snprintf(err, errcap, "%s: write failed: %s", out_path, strerror(errno));
		goto fail;
	}
	a.out = NULL;
	if (rename(tmp, out_path) != 0) {
		snprintf(err, errcap, "%s: %s", out_path, strerror(errno));
		goto fail;
	}
	rc = 0;
	goto done;
fail:
	if (a.out)
		fclose(a.out);
	unlink(tmp);
done:
	free(a.text);
	free(a.notes);
	pcap_close(a.p);
	return rc;
}
