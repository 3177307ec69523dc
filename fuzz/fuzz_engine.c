/* fuzz_engine.c: the whole analyzer (engine, TCP reassembly, rules, reports) on Ethernet
 * frames; format in fuzz/fuzz_engine_common.h. */
#include "fuzz/fuzz_engine_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_run_engine(NET_LINK_ETHERNET, 1, data, size);
	return 0;
}
