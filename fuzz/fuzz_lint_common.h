/* fuzz_lint_common.h: shared by the lint harnesses: the fixed boot tree, the include split, the invariants. */
#ifndef NBC_FUZZ_LINT_COMMON_H
#define NBC_FUZZ_LINT_COMMON_H

#include "checker/rules.h"
#include "fuzz/fuzz_common.h"
#include "fuzz/fuzz_scratch.h"
#include "lint/lint.h"
#include "lint/lint_priv.h"

/*
 * The input of a configuration harness is a main file, optionally followed by this marker
 * and the text of one included file; the harness writes them as main.<ext> and inc.<ext>
 * in one directory, so `include "inc.conf";`, `conf-file=inc.conf` and
 * `<?include "inc.json"?>` find it.
 */
#define FUZZ_LINT_MARK "\n@@INC@@\n"

static const char FUZZ_PXE_DEFAULT[] =
	"DEFAULT menu.c32\n"
	"PROMPT 0\n"
	"TIMEOUT 50\n"
	"ONTIMEOUT debian\n"
	"MENU TITLE fuzz\n"
	"INCLUDE pxelinux.cfg/common\n"
	"LABEL debian\n"
	"  MENU LABEL Debian\n"
	"  KERNEL debian/vmlinuz\n"
	"  APPEND initrd=debian/initrd.gz console=ttyS0\n"
	"LABEL missing\n"
	"  LINUX debian/nope\n"
	"  INITRD debian/initrd.gz,debian/nothere.gz\n"
	"LABEL chain\n"
	"  COM32 chain.c32\n"
	"  APPEND hd0\n"
	"LABEL local\n"
	"  LOCALBOOT 0\n";

static const char FUZZ_BOOT_IPXE[] =
	"#!ipxe\n"
	"dhcp || goto failed\n"
	"set base http://192.0.2.1\n"
	"kernel ${base}/vmlinuz initrd=initrd.img console=ttyS0\n"
	"initrd ${base}/initrd.img\n"
	"chain sub/child.ipxe || goto failed\n"
	"boot\n"
	":failed\n"
	"set keep-san 1\n"
	"sanboot iscsi:192.0.2.1::::iqn.2026-11.example:disk0 || goto shell\n"
	"chain winpe.ipxe\n"
	":shell\n"
	"shell\n";

static const char FUZZ_WINPE_IPXE[] =
	"#!ipxe\n"
	"kernel wimboot\n"
	"initrd bcd BCD\n"
	"initrd boot.wim boot.wim\n"
	"boot\n";

/*
 * The fixed tree lint follows files into: <dir>/tftp (pxelinux and its modules, kernels,
 * configs with an INCLUDE and an INCLUDE loop) and <dir>/www (iPXE scripts that chain
 * each other, wimboot files, a directory and a symlink loop where files are expected).
 */
static inline void fuzz_lint_tree(const char *dir)
{
	static const char *const bins[] = {
		"tftp/pxelinux.0", "tftp/lpxelinux.0", "tftp/ldlinux.c32", "tftp/menu.c32",
		"tftp/vesamenu.c32", "tftp/chain.c32", "tftp/undionly.kpxe", "tftp/ipxe.efi",
		"tftp/snponly.efi", "tftp/debian/vmlinuz", "tftp/debian/initrd.gz",
		"www/vmlinuz", "www/initrd.img", "www/wimboot", "www/bcd", "www/boot.wim",
		"www/lpxelinux.0", "www/ldlinux.c32", "www/undionly.kpxe", "www/ipxe.efi",
	};

	for (size_t i = 0; i < sizeof(bins) / sizeof(bins[0]); i++)
		fuzz_put(dir, bins[i], "\x7f" "ELF fuzz", 8);
	fuzz_put_str(dir, "tftp/pxelinux.cfg/default", FUZZ_PXE_DEFAULT);
	fuzz_put_str(dir, "tftp/pxelinux.cfg/boot", "DEFAULT debian\nLABEL debian\n  KERNEL debian/vmlinuz\n");
	fuzz_put_str(dir, "tftp/pxelinux.cfg/common",
		     "LABEL rescue\n  KERNEL debian/vmlinuz\n  APPEND rescue/enable=true\n"
		     "MENU INCLUDE pxelinux.cfg/loop\n");
	fuzz_put_str(dir, "tftp/pxelinux.cfg/loop", "INCLUDE pxelinux.cfg/loop\n");
	fuzz_put_str(dir, "tftp/boot.ipxe", "#!ipxe\nchain http://192.0.2.1/boot.ipxe\n");
	fuzz_put_str(dir, "www/boot.ipxe", FUZZ_BOOT_IPXE);
	fuzz_put_str(dir, "www/winpe.ipxe", FUZZ_WINPE_IPXE);
	fuzz_put_str(dir, "www/sub/child.ipxe",
		     "#!ipxe\nset 209:string pxelinux.cfg/boot\nset 210:string http://192.0.2.1/\n"
		     "chain ${210:string}lpxelinux.0 || chain ../boot.ipxe\n");
	fuzz_put_str(dir, "www/pxelinux.cfg/default", FUZZ_PXE_DEFAULT);
	fuzz_put_str(dir, "www/pxelinux.cfg/boot", "DEFAULT vmlinuz\n");
	fuzz_put_str(dir, "www/nomagic.ipxe", "chain boot.ipxe\n");
	fuzz_mkdir(dir, "www/dir.ipxe");
	fuzz_symlink(dir, "loop.ipxe", "www/loop.ipxe");
}

static inline void fuzz_lint_check_loc(struct lint_loc l)
{
	FUZZ_ASSERT(l.line == 0 || l.file != NULL);
	if (l.file)
		FUZZ_ASSERT(strlen(l.file) < 8192);
}

/* Every finding: a known rule, a one-line NUL-terminated message, a usable location. */
static inline void fuzz_lint_check_findings(const struct lint_ctx *c)
{
	for (size_t i = 0; i < lint_nfindings(c); i++) {
		const struct lint_finding *f = lint_finding_at(c, i);

		FUZZ_ASSERT(f != NULL && f->rule != NULL);
		FUZZ_ASSERT(lint_rule_find(f->rule) != NULL || rules_find(f->rule) != NULL);
		FUZZ_ASSERT(f->sev == NBC_SEV_INFO || f->sev == NBC_SEV_WARNING ||
			    f->sev == NBC_SEV_ERROR);
		FUZZ_ASSERT(fuzz_terminated(f->message, sizeof(f->message)));
		for (const char *p = f->message; *p; p++)
			FUZZ_ASSERT((unsigned char)*p >= 0x20 && *p != 0x7f);
		fuzz_lint_check_loc(f->loc);
		if (f->hint)
			(void)strlen(f->hint);
	}
}

/* A backend's answer: text NUL-terminated, lengths within their buffers. */
static inline void fuzz_lint_check_offer(const struct lint_offer *o)
{
	FUZZ_ASSERT(fuzz_terminated(o->file, sizeof(o->file)));
	fuzz_lint_check_loc(o->answer_loc);
	fuzz_lint_check_loc(o->file_loc);
	fuzz_lint_check_loc(o->next_server_loc);
	for (unsigned k = 0; k < 256; k++) {
		const struct lint_opt *op = &o->opt[k];

		FUZZ_ASSERT(op->len <= sizeof(op->value));
		FUZZ_ASSERT(!op->sent || op->defined);
		fuzz_lint_check_loc(op->loc);
	}
}

typedef int (*fuzz_lint_load_fn)(struct lint_ctx *c, const char *path, struct lint_server *out,
				 char *why, size_t why_cap);

/*
 * One configuration through a backend: the input written as main.<ext> (and inc.<ext>
 * after the marker), loaded, every scope evaluated for every profile through the
 * lint_server callbacks, then the flow rules over the fixed tree, then freed.
 */
static inline void fuzz_lint_server(const char *tag, const char *ext, fuzz_lint_load_fn load,
				    const uint8_t *data, size_t size)
{
	static bool tree_made;
	const char *dir = fuzz_scratch(tag);
	char main_name[32], inc_name[32], path[512], why[256], tftp[300], www[300];
	const uint8_t *mark = NULL;
	struct lint_server s;
	struct lint_ctx *c;
	struct lint_offer *off;
	size_t mlen = sizeof(FUZZ_LINT_MARK) - 1;

	if (!tree_made) {
		fuzz_lint_tree(dir);
		tree_made = true;
	}
	snprintf(main_name, sizeof(main_name), "main.%s", ext);
	snprintf(inc_name, sizeof(inc_name), "inc.%s", ext);
	mark = fuzz_find(data, size, FUZZ_LINT_MARK);
	if (mark) {
		size_t at = (size_t)(mark - data);

		fuzz_put(dir, main_name, data, at);
		fuzz_put(dir, inc_name, mark + mlen, size - at - mlen);
	} else {
		char inc[512];

		fuzz_put(dir, main_name, data, size);
		snprintf(inc, sizeof(inc), "%s/%s", dir, inc_name);
		(void)unlink(inc);	/* no include left from the previous input */
	}
	snprintf(path, sizeof(path), "%s/%s", dir, main_name);
	snprintf(tftp, sizeof(tftp), "%s/tftp", dir);
	snprintf(www, sizeof(www), "%s/www", dir);

	c = lint_ctx_new();
	off = malloc(sizeof(*off));
	if (!c || !off)
		abort();
	memset(&s, 0, sizeof(s));
	if (load(c, path, &s, why, sizeof(why)) == 0) {
		struct lint_run_opts run;
		size_t n;

		FUZZ_ASSERT(s.kind && s.nscopes && s.scope_name && s.scope_loc && s.eval && s.free);
		n = s.nscopes(s.priv);
		FUZZ_ASSERT(n >= 1);	/* lint.h: at least one scope */
		if (n > LINT_SCOPES_MAX)
			n = LINT_SCOPES_MAX;
		for (size_t sc = 0; sc < n; sc++) {
			const char *name = s.scope_name(s.priv, sc);

			FUZZ_ASSERT(name != NULL);
			for (const char *p = name; *p; p++)
				FUZZ_ASSERT((unsigned char)*p >= 0x20 && *p != 0x7f);
			fuzz_lint_check_loc(s.scope_loc(s.priv, sc));
			for (unsigned k = 0; k < LP__COUNT; k++) {
				memset(off, 0, sizeof(*off));
				s.eval(s.priv, sc, lint_profile_get((enum lint_profile_id)k), off);
				fuzz_lint_check_offer(off);
			}
		}
		if (s.tftp_root) {
			struct lint_loc rl = { NULL, 0, 0 };
			const char *root = s.tftp_root(s.priv, &rl);

			if (root) {
				(void)strlen(root);
				fuzz_lint_check_loc(rl);
			}
		}
		/* The flow rules as `netboot-check lint --tftp-root --http-root` runs them. */
		memset(&run, 0, sizeof(run));
		run.roots.tftp = tftp;
		run.roots.http = www;
		run.profiles = (1u << LP__COUNT) - 1;
		lint_flow_server(c, &s, &run);
		s.free(s.priv);
	} else {
		FUZZ_ASSERT(fuzz_terminated(why, sizeof(why)));
	}
	fuzz_lint_check_findings(c);
	free(off);
	lint_ctx_free(c);
}

#endif
