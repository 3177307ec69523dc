/* fuzz_http.c: http_head_end + http_parse_head_opts, and the chunked-body decoder fed the
 * same bytes in one piece and in random splits: both must give the same body and state. */
#include "fuzz/fuzz_common.h"
#include "proto/http.h"

struct chunk_result {
	uint8_t *body;
	size_t body_len;
	size_t used;
	bool done, bad;
};

/* Feeds p[0..len) cut into pieces; seed 0: one piece. */
static void run_chunker(const uint8_t *p, size_t len, uint32_t seed, struct chunk_result *r)
{
	struct http_chunker ch;
	size_t off = 0;

	http_chunker_init(&ch);
	r->body = malloc(len + 1);
	if (!r->body)
		abort();
	r->body_len = 0;
	r->used = 0;
	while (off < len && !ch.done && !ch.bad) {
		size_t piece = len - off, pos = 0;

		if (seed)
			piece = 1 + fuzz_rand(&seed) % (piece < 64 ? piece : 64);
		/* Each piece is a separate heap block, as TCP delivery gives them. */
		uint8_t *buf = malloc(piece);

		if (!buf)
			abort();
		memcpy(buf, p + off, piece);
		while (pos < piece && !ch.done && !ch.bad) {
			struct view body;
			size_t n = http_chunker_feed(&ch, buf + pos, piece - pos, &body);

			FUZZ_ASSERT(n <= piece - pos);
			FUZZ_ASSERT(fuzz_inside(body.p, body.len, buf + pos, n));
			memcpy(r->body + r->body_len, body.p, body.len);
			r->body_len += body.len;
			if (n == 0)
				break;
			pos += n;
		}
		free(buf);
		r->used += pos;
		if (pos < piece)
			break;
		off += piece;
	}
	r->done = ch.done;
	r->bad = ch.bad;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_head h;
	struct chunk_result one, split;
	size_t end;
	uint32_t seed;

	if (size < 4)
		return 0;
	seed = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3];
	data += 4;
	size -= 4;

	end = http_head_end(data, size);
	FUZZ_ASSERT(end <= size);
	(void)http_looks_like_request((struct view){ data, size });
	(void)http_looks_like_response((struct view){ data, size });
	{
		/* The head as the engine would pass it: complete, or all there is. */
		struct view head = { data, end ? end : size };

		if (http_parse_head_opts(head, &h, false)) {
			FUZZ_ASSERT(fuzz_terminated(h.method, sizeof(h.method)));
			FUZZ_ASSERT(fuzz_terminated(h.uri, sizeof(h.uri)));
			FUZZ_ASSERT(fuzz_terminated(h.reason, sizeof(h.reason)));
			FUZZ_ASSERT(fuzz_terminated(h.host, sizeof(h.host)));
			FUZZ_ASSERT(fuzz_terminated(h.location, sizeof(h.location)));
			FUZZ_ASSERT(fuzz_terminated(h.range, sizeof(h.range)));
			FUZZ_ASSERT(fuzz_terminated(h.content_range, sizeof(h.content_range)));
			FUZZ_ASSERT(fuzz_terminated(h.content_type, sizeof(h.content_type)));
			FUZZ_ASSERT(fuzz_terminated(h.user_agent, sizeof(h.user_agent)));
			FUZZ_ASSERT(fuzz_terminated(h.auth_scheme, sizeof(h.auth_scheme)));
			FUZZ_ASSERT(fuzz_terminated(h.www_authenticate, sizeof(h.www_authenticate)));
			(void)http_response_has_body(h.method, h.status);
		}
		(void)http_parse_head_opts(head, &h, true);
		(void)http_parse_head(head, &h);
	}
	/* The chunker on what follows the head (or on everything). */
	{
		const uint8_t *body = data + end;
		size_t blen = size - end;

		run_chunker(body, blen, 0, &one);
		run_chunker(body, blen, seed | 1, &split);
		FUZZ_ASSERT(one.done == split.done);
		FUZZ_ASSERT(one.bad == split.bad);
		FUZZ_ASSERT(one.used == split.used);
		FUZZ_ASSERT(one.body_len == split.body_len);
		FUZZ_ASSERT(memcmp(one.body, split.body, one.body_len) == 0);
		free(one.body);
		free(split.body);
	}
	return 0;
}
