/* fuzz_lint_files.c: lint's pxelinux and iPXE checks (lint_pxelinux_cfg, lint_ipxe_script) on hostile text.
 *
 * Input: a text, checked as a pxelinux configuration (prefix "" and an HTTP prefix) and as
 * an iPXE script (no base URL, and the URL of a script in a subdirectory), with roots that
 * point at a small fixed tree in /dev/shm (fuzz/fuzz_lint_common.h), so that the code that
 * follows INCLUDEs, kernels, modules, chained scripts and wimboot files runs. Every finding
 * must keep the invariants of fuzz_lint_common.h. */
#include "fuzz/fuzz_lint_common.h"

static char tftp[300], www[300], cfgname[400], ipxename[400];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = fuzz_scratch("lint_files");

	(void)argc;
	(void)argv;
	fuzz_lint_tree(dir);
	snprintf(tftp, sizeof(tftp), "%s/tftp", dir);
	snprintf(www, sizeof(www), "%s/www", dir);
	/* The names findings carry; the texts themselves are the input (not files). */
	snprintf(cfgname, sizeof(cfgname), "%s/pxelinux.cfg/fuzz", tftp);
	snprintf(ipxename, sizeof(ipxename), "%s/fuzz.ipxe", www);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lint_roots roots = { tftp, www };
	struct lint_ctx *c = lint_ctx_new();
	/* An exact-size copy: the checkers take (text, len) and must not read past it. */
	char *text = malloc(size ? size : 1);

	if (!c || !text)
		abort();
	if (size)
		memcpy(text, data, size);
	lint_pxelinux_cfg(c, cfgname, text, size, &roots, "");
	lint_pxelinux_cfg(c, cfgname, text, size, &roots, "http://192.0.2.1/");
	lint_ipxe_script(c, ipxename, text, size, &roots, NULL);
	lint_ipxe_script(c, ipxename, text, size, &roots, "http://192.0.2.1/sub/fuzz.ipxe");
	fuzz_lint_check_findings(c);
	lint_ctx_free(c);
	free(text);
	return 0;
}
