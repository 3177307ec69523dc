/* fuzz_pxecfg.c: pxecfg_parse_label with NULL (the default) and with a label taken from
 * the input, and pxecfg_parse_default (proto/pxecfg.h). */
#include "fuzz/fuzz_common.h"
#include "proto/pxecfg.h"

static void check(const struct pxecfg_default *d)
{
	FUZZ_ASSERT(fuzz_terminated(d->label, sizeof(d->label)));
	FUZZ_ASSERT(fuzz_terminated(d->kernel, sizeof(d->kernel)));
	FUZZ_ASSERT(fuzz_terminated(d->initrd, sizeof(d->initrd)));
	FUZZ_ASSERT(fuzz_terminated(d->append, sizeof(d->append)));
	(void)pxecfg_action_name(d->action);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pxecfg_default d;
	char label[64];
	size_t n = 0;

	pxecfg_parse_label((struct view){ data, size }, NULL, &d);
	check(&d);
	pxecfg_parse_default((struct view){ data, size }, &d);
	check(&d);
	pxecfg_parse_label((struct view){ data, size }, "linux", &d);
	check(&d);
	/* A label: the input's first line (so that it can name a label in the text). */
	while (n < size && n < sizeof(label) - 1 && data[n] != '\n' && data[n] != '\0') {
		label[n] = (char)data[n];
		n++;
	}
	label[n] = '\0';
	if (n < size) {
		pxecfg_parse_label((struct view){ data + n + 1, size - n - 1 }, label, &d);
		check(&d);
	}
	return 0;
}
