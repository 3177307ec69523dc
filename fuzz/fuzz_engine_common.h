/* fuzz_engine_common.h: the whole analyzer on a stream of frames (fuzz_engine, fuzz_engine_link).
 *
 * Input format: records of a 2-byte big-endian header and that many frame bytes. The header's
 * low 15 bits are the frame length (cut to what is left); its top bit makes the frame arrive
 * 45 s after the previous one (past the 30 s stall time), else 10 ms after. At most
 * FUZZ_MAX_FRAMES frames. scripts/fuzz.sh converts pcap records to this format for seeds. */
#ifndef NBC_FUZZ_ENGINE_COMMON_H
#define NBC_FUZZ_ENGINE_COMMON_H

#include "checker/engine.h"
#include "fuzz/fuzz_common.h"
#include "reports/report.h"

#define FUZZ_MAX_FRAMES 4096

static FILE *fuzz_devnull;

static void fuzz_run_engine(enum net_link link, int dlt, const uint8_t *data, size_t size)
{
	struct eng_options opt;
	struct report_opts ro;
	struct nbc_engine *e;
	struct nbc_report *r;
	double ts = 1700000000.0;
	size_t off = 0;
	unsigned frames = 0;

	if (!fuzz_devnull)
		fuzz_devnull = fopen("/dev/null", "w");
	if (!fuzz_devnull)
		abort();
	memset(&opt, 0, sizeof(opt));
	opt.stall_secs = 30;
	e = engine_new(&opt);
	if (!e)
		return;
	engine_set_link(e, link, dlt);
	while (off + 2 <= size && frames < FUZZ_MAX_FRAMES) {
		unsigned hdr = (unsigned)data[off] << 8 | data[off + 1];
		size_t n = hdr & 0x7fff;

		off += 2;
		if (n > size - off)
			n = size - off;
		ts += (hdr & 0x8000) ? 45.0 : 0.01;
		/* An exact-size heap copy, so that ASan sees any read past the frame. */
		{
			uint8_t *f = malloc(n ? n : 1);

			if (!f)
				abort();
			if (n)
				memcpy(f, data + off, n);
			engine_frame(e, ts, f, n);
			free(f);
		}
		off += n;
		frames++;
	}
	/* A live-style snapshot once, then the final report. */
	if (frames & 1)
		(void)engine_snapshot(e);
	r = engine_finish(e);
	if (r) {
		memset(&ro, 0, sizeof(ro));
		ro.client = -1;
		report_json(fuzz_devnull, r, &ro);
		report_text(fuzz_devnull, r, &ro);
		fflush(fuzz_devnull);
	}
	engine_free(e);
}

#endif
