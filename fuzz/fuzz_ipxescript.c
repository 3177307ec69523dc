/* fuzz_ipxescript.c: ipxe_script_parse (both secret modes), ipxe_uri_check and
 * ipxe_uri_redact on a NUL-terminated copy (proto/ipxescript.h). */
#include "fuzz/fuzz_common.h"
#include "proto/ipxescript.h"

static struct ipxe_script sc;

static void check_script(const struct ipxe_script *s)
{
	FUZZ_ASSERT(s->nacts <= IPXE_ACTS_MAX);
	FUZZ_ASSERT(s->nproblems <= IPXE_PROBLEMS_MAX);
	for (size_t i = 0; i < s->nacts; i++) {
		FUZZ_ASSERT(fuzz_terminated(s->acts[i].arg, sizeof(s->acts[i].arg)));
		FUZZ_ASSERT(fuzz_terminated(s->acts[i].value, sizeof(s->acts[i].value)));
		FUZZ_ASSERT(s->acts[i].line >= 1 && s->acts[i].line <= s->lines + 1);
	}
	for (size_t i = 0; i < s->nproblems; i++)
		FUZZ_ASSERT(fuzz_terminated(s->problems[i].msg, sizeof(s->problems[i].msg)));
	FUZZ_ASSERT(fuzz_terminated(s->set_209, sizeof(s->set_209)));
	FUZZ_ASSERT(fuzz_terminated(s->set_210, sizeof(s->set_210)));
	FUZZ_ASSERT(fuzz_terminated(s->root_path, sizeof(s->root_path)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[160], tiny[3], *s, *out;
	size_t caps[] = { 1, 2, 7, 64 };

	/* The parser gets exactly the bytes: not NUL-terminated. */
	ipxe_script_parse((struct view){ data, size }, &sc);
	check_script(&sc);
	ipxe_script_parse_opts((struct view){ data, size }, &sc, true);
	check_script(&sc);

	if (size > 8192)
		return 0;
	s = fuzz_cstr(data, size);
	(void)ipxe_uri_check(s, why, sizeof(why));
	FUZZ_ASSERT(fuzz_terminated(why, sizeof(why)));
	(void)ipxe_uri_check(s, tiny, sizeof(tiny));
	(void)ipxe_uri_check(s, NULL, 0);
	out = malloc(2 * size + 64);
	if (!out)
		abort();
	(void)ipxe_uri_redact(s, out, 2 * size + 64);
	FUZZ_ASSERT(fuzz_terminated(out, 2 * size + 64));
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		char *o = malloc(caps[i]);

		if (!o)
			abort();
		(void)ipxe_uri_redact(s, o, caps[i]);
		FUZZ_ASSERT(fuzz_terminated(o, caps[i]));
		free(o);
	}
	(void)ipxe_uri_redact(s, out, 0);
	free(out);
	free(s);
	return 0;
}
