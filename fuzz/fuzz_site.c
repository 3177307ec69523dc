/* fuzz_site.c: site_init + site_parse on hostile site files (proto/site.h). */
#include "fuzz/fuzz_common.h"
#include "proto/site.h"

static struct site st;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], tiny[4];

	site_init(&st);
	err[0] = '\0';
	if (site_parse((struct view){ data, size }, "fuzz.site", &st, err, sizeof(err)) == 0) {
		FUZZ_ASSERT(st.nhosts <= SITE_HOSTS_MAX);
		FUZZ_ASSERT(st.ntargets <= SITE_TARGETS_MAX);
		FUZZ_ASSERT(st.nauth <= SITE_AUTH_MAX);
		for (size_t i = 0; i < st.ntargets; i++) {
			FUZZ_ASSERT(st.targets[i].nluns <= SITE_LUNS_MAX);
			FUZZ_ASSERT(fuzz_terminated(st.targets[i].name, sizeof(st.targets[i].name)));
		}
		FUZZ_ASSERT(fuzz_terminated(st.boot_bios, sizeof(st.boot_bios)));
		FUZZ_ASSERT(fuzz_terminated(st.ipxe_script, sizeof(st.ipxe_script)));
		FUZZ_ASSERT(fuzz_terminated(st.root_path, sizeof(st.root_path)));
	} else {
		FUZZ_ASSERT(fuzz_terminated(err, sizeof(err)));
	}
	/* A tiny error buffer, and a second parse into a used struct. */
	site_init(&st);
	(void)site_parse((struct view){ data, size }, "f", &st, tiny, sizeof(tiny));
	(void)site_parse((struct view){ data, size }, "f", &st, tiny, sizeof(tiny));
	return 0;
}
