/* fuzz_tftpd.c: netboot-serve's TFTP service (server/tftpd.c, detached mode) on hostile datagrams.
 *
 * Input: byte 0 picks the configuration (bit 0: max blksize 1468, else 65464; bit 1: max
 * windowsize 4, else 64); then up to 64 records of a control byte, a 2-byte big-endian
 * length and a datagram. Control bits 0-1: 0 the datagram goes to the request port; 1 to
 * transfer k; 2 the retransmission timer of transfer k fires (datagram unused); 3 transfer
 * k's client ACKs the last block it was sent, as a client would (datagram unused). Bits
 * 2-3: k, an index into the live transfers. Bits 4-5: the client, 192.0.2.10:40000+i for
 * i < 3, 198.51.100.7:40003 for 3.
 *
 * Invariants: every datagram the server sends decodes with proto/tftp.c without problems;
 * the request port sends only ERRORs; a transfer sends DATA, OACK or ERROR; an OACK offers
 * no more than the configuration allows and the real tsize; every DATA block is the file's
 * bytes at that block (the file the RRQ named, one of the root's regular files); no open
 * outside the root, none for writing; at most max_transfers transfers, bounded memory; log
 * lines are single lines.
 * fuzz-ldflags: -Wl,--wrap=open,--wrap=pread,--wrap=pwrite,--wrap=srv_log,--wrap=getrandom
 */
#include "fuzz/fuzz_server_common.h"
#include "proto/tftp.h"
#include "server/tftpd.h"

#define MAX_XFERS 4
#define CLIENT_IP 0xc000020au	/* 192.0.2.10 */
#define OTHER_IP 0xc6336407u	/* 198.51.100.7 */

struct tfile {
	const char *name;
	size_t size;
	uint8_t *data;
	char *real;
};

static struct tfile files[] = {
	{ "pxelinux.0", 3000, NULL, NULL },
	{ "big.bin", 70000, NULL, NULL },
	{ "exact.bin", 1024, NULL, NULL },	/* a multiple of 512: ends with an empty block */
	{ "empty.bin", 0, NULL, NULL },
	{ "sub/deep/file.cfg", 700, NULL, NULL },
	{ "with space.txt", 33, NULL, NULL },
};
#define NFILES (sizeof(files) / sizeof(files[0]))

static char root[300], *root_real;

/* What the harness knows of each transfer (by the TID port it sends from). */
struct tx {
	bool used;
	uint16_t port;
	uint16_t client_port;
	int file;
	long blksize;
	bool oack_last;		/* the last thing sent was the OACK */
	uint16_t last_block;
};

static struct tx txs[64];
static int cur_file;		/* the file of the RRQ being handled, -1 if none */
static bool in_request;
static uint16_t max_blksize, max_window;

static struct tx *tx_find(uint16_t port)
{
	for (size_t i = 0; i < sizeof(txs) / sizeof(txs[0]); i++)
		if (txs[i].used && txs[i].port == port)
			return &txs[i];
	return NULL;
}

static void on_send(void *ctx, uint16_t from_port, uint16_t to_port, const uint8_t *p, size_t len)
{
	struct tftp_pkt pk;
	struct tx *x;

	(void)ctx;
	FUZZ_ASSERT(len >= 4 && len <= 4 + (size_t)TFTP_BLKSIZE_MAX);
	FUZZ_ASSERT(tftp_decode(p, len, &pk) == 0);
	FUZZ_ASSERT(pk.problems == 0);
	if (from_port == TFTP_PORT) {
		FUZZ_ASSERT(pk.op == TFTP_ERROR);
		FUZZ_ASSERT(pk.errcode <= TFTP_ERR_OPTION);
		return;
	}
	x = tx_find(from_port);
	if (!x) {
		/* A new TID: only while an RRQ is handled, for a file of the root. */
		FUZZ_ASSERT(in_request);
		FUZZ_ASSERT(cur_file >= 0);
		for (size_t i = 0; i < sizeof(txs) / sizeof(txs[0]) && !x; i++)
			if (!txs[i].used)
				x = &txs[i];
		FUZZ_ASSERT(x != NULL);
		memset(x, 0, sizeof(*x));
		x->used = true;
		x->port = from_port;
		x->client_port = to_port;
		x->file = cur_file;
		x->blksize = TFTP_DEFAULT_BLKSIZE;
	}
	switch (pk.op) {
	case TFTP_ERROR:
		FUZZ_ASSERT(pk.errcode <= TFTP_ERR_OPTION);
		break;
	case TFTP_OACK:
		FUZZ_ASSERT(to_port == x->client_port);
		if (pk.blksize >= 0) {
			FUZZ_ASSERT(pk.blksize >= TFTP_BLKSIZE_MIN && pk.blksize <= max_blksize);
			x->blksize = pk.blksize;
		}
		if (pk.tsize >= 0)
			FUZZ_ASSERT((size_t)pk.tsize == files[x->file].size);
		if (pk.windowsize >= 0)
			FUZZ_ASSERT(pk.windowsize >= 1 && pk.windowsize <= max_window);
		if (pk.timeout >= 0)
			FUZZ_ASSERT(pk.timeout >= 1 && pk.timeout <= 255);
		x->oack_last = true;
		break;
	case TFTP_DATA: {
		const struct tfile *f = &files[x->file];
		size_t off, want;

		FUZZ_ASSERT(to_port == x->client_port);
		/* The files are small: block numbers never wrap here. */
		FUZZ_ASSERT(pk.block >= 1);
		off = (size_t)(pk.block - 1) * (size_t)x->blksize;
		FUZZ_ASSERT(off <= f->size);
		want = f->size - off < (size_t)x->blksize ? f->size - off : (size_t)x->blksize;
		FUZZ_ASSERT(pk.data.len == want);
		FUZZ_ASSERT(want == 0 || memcmp(pk.data.p, f->data + off, want) == 0);
		x->oack_last = false;
		x->last_block = pk.block;
		break;
	}
	default:
		FUZZ_ASSERT(!"a transfer sent something other than DATA, OACK or ERROR");
	}
}

/* The file an RRQ names, as the harness sees it, or -1. */
static int file_of(const struct tftp_pkt *pk)
{
	char name[4200], path[4600], *real;
	int found = -1;

	if (!view_to_cstr(pk->filename, name, sizeof(name)))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", root, name);
	real = realpath(path, NULL);
	if (!real)
		return -1;
	for (size_t i = 0; i < NFILES; i++)
		if (strcmp(real, files[i].real) == 0)
			found = (int)i;
	free(real);
	return found;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = fuzz_scratch("tftpd");
	char path[600];

	(void)argc;
	(void)argv;
	snprintf(root, sizeof(root), "%s/root", dir);
	fuzz_mkdir(dir, "root");
	for (size_t i = 0; i < NFILES; i++) {
		char rel[200];

		files[i].data = malloc(files[i].size + 1);
		if (!files[i].data)
			abort();
		fuzz_fill(files[i].data, files[i].size, (unsigned)i);
		snprintf(rel, sizeof(rel), "root/%s", files[i].name);
		fuzz_put(dir, rel, files[i].data, files[i].size);
		snprintf(path, sizeof(path), "%s/%s", root, files[i].name);
		files[i].real = realpath(path, NULL);
		if (!files[i].real)
			abort();
	}
	fuzz_put_str(dir, "outside.txt", "not to be served\n");
	fuzz_symlink(dir, "pxelinux.0", "root/in.lnk");
	fuzz_symlink(dir, "../outside.txt", "root/out.lnk");
	fuzz_symlink(dir, "loop.lnk", "root/loop.lnk");
	fuzz_symlink(dir, "sub", "root/sub.lnk");
	fuzz_mkdir(dir, "root/dir");
	root_real = realpath(root, NULL);
	if (!root_real)
		abort();
	fuzz_watch_init(root_real, NULL);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tftpd_conf conf;
	struct tftpd *t;
	char err[256];
	size_t off = 1, heap0;
	unsigned nrec = 0;

	if (size < 1)
		return 0;
	memset(txs, 0, sizeof(txs));
	memset(&conf, 0, sizeof(conf));
	conf.root = root;
	conf.port = TFTP_PORT;
	conf.max_transfers = MAX_XFERS;
	conf.retries = 3;
	conf.max_blksize = (data[0] & 1) ? 1468 : 0;
	conf.max_windowsize = (data[0] & 2) ? 4 : 0;
	max_blksize = (data[0] & 1) ? 1468 : TFTP_BLKSIZE_MAX;
	max_window = (data[0] & 2) ? 4 : 64;
	heap0 = fuzz_heap();
	t = tftpd_new_detached(&conf, on_send, NULL, err, sizeof(err));
	if (!t) {
		fprintf(stderr, "fuzz_tftpd: %s\n", err);
		abort();
	}
	fuzz_watch_arm(true);
	while (off + 3 <= size && nrec++ < 64) {
		uint8_t ctl = data[off];
		size_t len = (size_t)data[off + 1] << 8 | data[off + 2];
		unsigned client = (ctl >> 4) & 3;
		uint16_t cport = (uint16_t)(40000 + client);
		uint32_t cip = client == 3 ? OTHER_IP : CLIENT_IP;
		uint16_t ports[16];
		unsigned n = tftpd_transfers(t, ports, 16);
		uint16_t xport = n ? ports[((ctl >> 2) & 3) % (n < 16 ? n : 16)] : 0;
		uint8_t *pkt;

		off += 3;
		if (len > size - off)
			len = size - off;
		/* An exact-size heap copy, as recvfrom would leave it. */
		pkt = malloc(len ? len : 1);
		if (!pkt)
			abort();
		if (len)
			memcpy(pkt, data + off, len);
		off += len;
		switch (ctl & 3) {
		case 0: {
			struct tftp_pkt pk;

			cur_file = -1;
			if (tftp_decode(pkt, len, &pk) == 0 && pk.op == TFTP_RRQ)
				cur_file = file_of(&pk);
			in_request = true;
			tftpd_handle(t, TFTP_PORT, cip, cport, pkt, len);
			in_request = false;
			break;
		}
		case 1:
			if (n)
				tftpd_handle(t, xport, cip, cport, pkt, len);
			break;
		case 2:
			if (n)
				(void)tftpd_expire(t, xport);
			break;
		default: {
			struct tx *x = n ? tx_find(xport) : NULL;
			uint8_t ack[4];

			if (x) {
				size_t alen = tftp_encode_ack(x->oack_last ? 0 : x->last_block, ack,
							      sizeof(ack));

				tftpd_handle(t, xport, x->client_port == 40003 ? OTHER_IP : CLIENT_IP,
					     x->client_port, ack, alen);
			}
			break;
		}
		}
		free(pkt);
		FUZZ_ASSERT(tftpd_transfers(t, ports, 16) <= MAX_XFERS);
		/* Per transfer at most two blksize buffers; the service holds a 64 KiB buffer. */
		FUZZ_ASSERT(fuzz_heap_since(heap0) <= 256 * 1024 + MAX_XFERS * 2 * (4 + (size_t)max_blksize + 1024));
	}
	fuzz_watch_arm(false);
	tftpd_free(t);
	return 0;
}
