/* fuzz_lint_dnsmasq.c: `netboot-check lint`'s dnsmasq backend (lint_dnsmasq_load) on hostile configurations.
 *
 * Input: a configuration, optionally followed by FUZZ_LINT_MARK and the text of a file it
 * may include as "inc.conf" (fuzz/fuzz_lint_common.h). Every scope is evaluated for every
 * client profile, the flow rules follow the answers into a fixed tree; every finding and
 * every answer must keep the invariants of fuzz_lint_common.h. */
#include "fuzz/fuzz_lint_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_lint_server("lint_dnsmasq", "conf", lint_dnsmasq_load, data, size);
	return 0;
}
