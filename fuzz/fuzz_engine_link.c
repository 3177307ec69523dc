/* fuzz_engine_link.c: as fuzz_engine, but the first byte picks the link type (Ethernet,
 * Linux SLL, SLL2, raw IP, BSD loopback). */
#include "fuzz/fuzz_engine_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		enum net_link link;
		int dlt;
	} links[] = {
		{ NET_LINK_ETHERNET, 1 }, { NET_LINK_SLL, 113 }, { NET_LINK_SLL2, 276 },
		{ NET_LINK_RAW, 101 },	  { NET_LINK_NULL, 0 },
	};

	if (size < 1)
		return 0;
	fuzz_run_engine(links[data[0] % 5].link, links[data[0] % 5].dlt, data + 1, size - 1);
	return 0;
}
