/* checks.c: the rules over each profile's answer, and the stages after DHCP: TFTP, pxelinux, HTTP, iSCSI. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checker/engine.h"
#include "probes/probe_priv.h"
#include "proto/dhcp.h"
#include "proto/ipxescript.h"
#include "proto/net.h"
#include "proto/rootpath.h"

#define CONFIG_MAX (1u << 20)	/* a pxelinux config larger than this is not one */
#define SCRIPT_MAX 65536	/* an iPXE script read at most this far */

static bool is_url(const char *s)
{
	return strstr(s, "://") != NULL;
}

static bool has_var(const char *s)
{
	return strstr(s, "${") != NULL;
}

/* "bios-pxe, pxelinux" for a set of profiles. */
static void profile_list(const struct probe_run *r, unsigned bits, char *out, size_t cap)
{
	size_t n = 0;

	out[0] = '\0';
	for (unsigned k = 0; k < PROBE_PROFILES; k++)
		if (bits & (1u << k))
			n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%s", n ? ", " : "",
					      r->prof[k].name);
}

/* ---------------------------------------------------------------------------------------- */
/* DHCP */

enum family { FAM_BIOS, FAM_EFI_X64, FAM_EFI_ARM64, FAM_OTHER };

static enum family family_of(int arch)
{
	switch (arch) {
	case DHCP_ARCH_BIOS:
		return FAM_BIOS;
	case DHCP_ARCH_EFI_X64:
	case DHCP_ARCH_EFI_BC:
		return FAM_EFI_X64;
	case DHCP_ARCH_EFI_ARM64:
		return FAM_EFI_ARM64;
	default:
		return FAM_OTHER;
	}
}

/* Why the boot file's name does not fit the arch, or NULL (checker/rules.c's reading). */
static const char *name_mismatch(int arch, const char *name)
{
	enum family f = family_of(arch);

	if (f == FAM_BIOS && eng_is_efi_binary(name))
		return "a UEFI binary for a BIOS client";
	if (f != FAM_BIOS && !eng_is_efi_binary(name) && eng_is_bios_binary(name))
		return "a BIOS (real-mode) NBP for a UEFI client";
	if (f == FAM_EFI_ARM64 && (strstr(name, "x64") || strstr(name, "x86_64") || strstr(name, "amd64")))
		return "an x86-64 binary for an ARM64 client";
	if (f == FAM_EFI_X64 && (strstr(name, "aa64") || strstr(name, "arm64")))
		return "an ARM64 binary for an x86 client";
	return NULL;
}

static struct probe_server *server_slot(struct probe_run *r, uint32_t id)
{
	for (size_t i = 0; i < r->nservers; i++)
		if (r->servers[i].id == id)
			return &r->servers[i];
	if (r->nservers >= PROBE_SERVERS_MAX)
		return NULL;
	memset(&r->servers[r->nservers], 0, sizeof(r->servers[0]));
	r->servers[r->nservers].id = id;
	return &r->servers[r->nservers++];
}

static void answer_summary(const struct probe_answer *a, char *out, size_t cap)
{
	char y[16];

	snprintf(out, cap, "%s%s%s, %s%s", dhcp_msgtype_name(a->msgtype), a->yiaddr ? " " : "",
		 a->yiaddr ? probe_ip(a->yiaddr, y) : "", a->has_file ? "file " : "no boot file",
		 a->has_file ? a->file : "");
}

static void check_multi(struct probe_run *r, struct probe_profile *p)
{
	const struct probe_answer *list[PROBE_ANSWERS_MAX];
	size_t n = 0;
	bool with = false, without = false, rogue = false;
	char text[NBC_MSG_MAX / 2] = "", ids[sizeof(((struct probe_finding *)0)->server)] = "";
	char a[16];
	size_t tn = 0, in = 0;
	struct probe_finding *f;

	for (size_t i = 0; i < p->nans; i++) {
		const struct probe_answer *x = &p->ans[i];
		bool seen = false;

		if (x->proxy || x->via_4011)
			continue;	/* a proxyDHCP is there by design */
		for (size_t k = 0; k < n; k++)
			seen |= list[k]->server_id == x->server_id;
		if (seen)
			continue;
		list[n++] = x;
		if (x->msgtype == DHCPOFFER && x->yiaddr) {
			with |= x->has_file;
			without |= !x->has_file;
		}
		if (r->o->has_server && x->server_id != r->o->server)
			rogue = true;
	}
	if (n < 2)
		return;
	for (size_t k = 0; k < n; k++) {
		char s[PROBE_TEXT + 40];

		answer_summary(list[k], s, sizeof(s));
		/* Appended while there is room (a pointer past the end is not even formed). */
		if (tn < sizeof(text))
			tn += (size_t)snprintf(text + tn, sizeof(text) - tn, "%s%s (%s)", k ? ", " : "",
					       probe_ip(list[k]->server_id, a), s);
		if (in < sizeof(ids))
			in += (size_t)snprintf(ids + in, sizeof(ids) - in, "%s%s", k ? ", " : "",
					       probe_ip(list[k]->server_id, a));
	}
	f = probe_add(r, p->test, "NBC-DHCP-MULTI-SERVER",
		      rogue || (with && without) ? NBC_SEV_ERROR : NBC_SEV_WARNING, p->name, 0,
		      "%zu DHCP servers answered the %s probe: %s%s%s", n, p->name, text,
		      rogue ? "; only --server " : "",
		      rogue ? probe_ip(r->o->server, a) : "");
	if (f && rogue)
		snprintf(f->message + strlen(f->message), sizeof(f->message) - strlen(f->message),
			 " should answer: the other one is a competing or rogue DHCP server");
	else if (f && with && without)
		snprintf(f->message + strlen(f->message), sizeof(f->message) - strlen(f->message),
			 ": a client that takes the offer without a boot file cannot boot");
	if (f)
		snprintf(f->server, sizeof(f->server), "%s", ids);
}

static void check_answer(struct probe_run *r, struct probe_profile *p)
{
	const struct probe_answer *b = &p->boot;
	char s[16];
	const char *why;

	if (!b->has_file) {
		if (p->ipxe && b->has_17)
			return;	/* iPXE boots the root path (sanboot) without a file */
		probe_add(r, p->test, "NBC-DHCP-NO-BOOTFILE", NBC_SEV_ERROR, p->name, p->boot_server,
			  "the %s from %s to the %s probe (%s) names no boot file (empty file field, "
			  "no option 67%s)",
			  dhcp_msgtype_name(b->msgtype), probe_ip(p->boot_server, s), p->name, p->desc,
			  p->ipxe ? ", no root path" : "");
		return;
	}
	if (p->ipxe && eng_is_ipxe_binary(b->file))
		probe_add(r, p->test, "NBC-LOOP-USERCLASS", NBC_SEV_ERROR, p->name, p->boot_server,
			  "iPXE (user-class iPXE and option 175, the %s probe) is handed %s, an iPXE "
			  "binary, again by %s: it chainloads itself forever (nothing tells an iPXE "
			  "client apart)",
			  p->name, b->file, probe_ip(p->boot_server, s));
	why = name_mismatch(p->arch, b->file);
	if (why) {
		p->arch_flagged = true;
		probe_add(r, p->test, "NBC-ARCH-MISMATCH", NBC_SEV_ERROR, p->name, p->boot_server,
			  "client arch %s (option 93 = %d, the %s probe) is handed %s by %s: %s",
			  nbc_arch_name(p->arch), p->arch, p->name, b->file,
			  probe_ip(p->boot_server, s), why);
	}
	if (!is_url(b->file) && b->siaddr == 0 && !b->has_66)
		probe_add(r, p->test, "NBC-DHCP-NO-NEXT-SERVER", NBC_SEV_ERROR, p->name,
			  p->boot_server,
			  "the %s probe is handed %s by %s, a TFTP name, but no next-server (siaddr "
			  "0.0.0.0) or option 66 tells it where to fetch it",
			  p->name, b->file, probe_ip(p->boot_server, s));
}

/* The server sends 209/210 only when asked: bios-pxe (a PXE ROM's request list) goes without. */
static void check_209(struct probe_run *r)
{
	struct probe_profile *bios = &r->prof[PP_BIOS], *px = &r->prof[PP_PXELINUX];
	const struct probe_answer *b = &bios->boot, *x = &px->boot;
	char missing[200] = "", s[16];
	size_t n = 0;

	if (!bios->enabled || !px->enabled || !bios->has_boot || !px->has_boot || !b->has_file ||
	    !pxelinux_is_nbp(b->file) || bios->boot_server != px->boot_server)
		return;
	if (!b->has_209 && x->has_209)
		n += (size_t)snprintf(missing + n, sizeof(missing) - n, "option 209 (configfile) = %s",
				      x->configfile);
	if (!b->has_210 && x->has_210)
		n += (size_t)snprintf(missing + n, n < sizeof(missing) ? sizeof(missing) - n : 0,
				      "%soption 210 (pathprefix) = %s", n ? " and " : "",
				      x->pathprefix);
	if (!n)
		return;
	probe_add(r, bios->test, "NBC-PXELINUX-209-MISSING", NBC_SEV_ERROR, bios->name,
		  bios->boot_server,
		  "the bios-pxe probe (option 55 without 208-211, as PXE ROMs send it) is handed %s by "
		  "%s without %s, which the pxelinux probe that asks for 208-211 gets (%s): the "
		  "server sends them only when asked, so pxelinux walks the lookup order instead",
		  b->file, probe_ip(bios->boot_server, s),
		  !b->has_209 && x->has_209 && !b->has_210 && x->has_210 ? "options 209 and 210"
		  : !b->has_209 && x->has_209				   ? "option 209"
									   : "option 210",
		  missing);
}

void probe_check_dhcp(struct probe_run *r)
{
	char s[16];

	for (unsigned k = 0; k < PROBE_PROFILES; k++) {
		struct probe_profile *p = &r->prof[k];

		if (!p->enabled)
			continue;
		p->test = probe_test_add(r, "probe.dhcp", "%s", p->name);
		for (size_t i = 0; i < p->nans; i++) {
			struct probe_server *sv = server_slot(r, p->ans[i].server_id);

			if (!sv)
				continue;
			sv->profiles |= 1u << k;
			sv->proxy |= p->ans[i].proxy;
			sv->address |= p->ans[i].yiaddr != 0;
		}
		probe_test_note(r, p->test, false, "%zu answer%s%s%s", p->nans, p->nans == 1 ? "" : "s",
				 p->has_boot && p->boot.has_file ? ", boot file " : "",
				 p->has_boot && p->boot.has_file ? p->boot.file : "");
		if (p->discovers == 0) {
			probe_test_note(r, p->test, true, "not probed: --timeout reached");
			continue;	/* --timeout came first */
		}
		if (p->nans == 0) {
			probe_add(r, p->test, PROBE_R_NO_ANSWER, NBC_SEV_ERROR, p->name, 0,
				  "no DHCP server answered the %s probe (%s) within %.1f s",
				  p->name, p->desc, r->o->wait);
			continue;
		}
		if (r->o->has_server) {
			bool seen = false;

			for (size_t i = 0; i < p->nans; i++)
				seen |= p->ans[i].server_id == r->o->server;
			if (!seen)
				probe_add(r, p->test, PROBE_R_NO_ANSWER, NBC_SEV_ERROR, p->name,
					  r->o->server,
					  "--server %s did not answer the %s probe; %zu answer%s came "
					  "from other servers",
					  probe_ip(r->o->server, s), p->name, p->nans,
					  p->nans == 1 ? "" : "s");
		}
		check_multi(r, p);
		if (p->chosen < 0 && !p->has_ack)
			probe_add(r, p->test, PROBE_R_NO_ANSWER, NBC_SEV_ERROR, p->name, 0,
				  "nobody offers the %s probe an address%s", p->name,
				  p->proxy >= 0 ? " (only a proxyDHCP answered)" : "");
		if (p->has_boot && (p->chosen >= 0 || p->has_ack))
			check_answer(r, p);
	}
	check_209(r);
}

/* ---------------------------------------------------------------------------------------- */
/* TFTP: each distinct NBP once. */

enum image { IMG_UNKNOWN, IMG_REALMODE, IMG_PE_X64, IMG_PE_IA32, IMG_PE_ARM64, IMG_PE_OTHER };

/* PE/COFF: "MZ", e_lfanew at 0x3c, "PE\0\0", then the machine type (read through a cursor). */
static enum image sniff(const uint8_t *p, size_t n)
{
	struct cur c = cur_make(p, n);
	uint32_t pe;
	uint16_t machine;

	if (n < 64)
		return IMG_UNKNOWN;
	if (cur_le16(&c) != 0x5a4d)	/* "MZ" */
		return IMG_REALMODE;
	cur_skip(&c, 0x3c - 2);
	pe = cur_le32(&c);
	if (c.err || pe > n || n - pe < 6)
		return IMG_UNKNOWN;	/* the header lies beyond the bytes kept */
	c = cur_make(p + pe, n - pe);
	if (cur_be32(&c) != 0x50450000u)
		return IMG_REALMODE;	/* a DOS stub only */
	machine = cur_le16(&c);
	switch (machine) {
	case 0x8664:
		return IMG_PE_X64;
	case 0x014c:
		return IMG_PE_IA32;
	case 0xaa64:
		return IMG_PE_ARM64;
	default:
		return IMG_PE_OTHER;
	}
}

static const char *image_name(enum image i)
{
	static const char *const n[] = { "unknown", "real-mode image (not PE)", "PE32+ x86-64",
					 "PE32 IA32", "PE32+ ARM64", "PE (other machine)" };

	return n[i];
}

static const char *image_mismatch(int arch, enum image img)
{
	switch (family_of(arch)) {
	case FAM_BIOS:
		return img >= IMG_PE_X64 ? "its bytes are a PE (UEFI) image, a BIOS client cannot run it"
					 : NULL;
	case FAM_EFI_X64:
		if (img == IMG_REALMODE)
			return "its bytes are no PE image, UEFI cannot run it";
		return img == IMG_PE_IA32 || img == IMG_PE_ARM64 ? "its PE machine type is not x86-64"
								  : NULL;
	case FAM_EFI_ARM64:
		if (img == IMG_REALMODE)
			return "its bytes are no PE image, UEFI cannot run it";
		return img == IMG_PE_X64 || img == IMG_PE_IA32 ? "its PE machine type is not ARM64"
								: NULL;
	default:
		return NULL;
	}
}

/* The TFTP server of a boot answer: siaddr, else option 66 when it is an address. */
static uint32_t tftp_server_of(const struct probe_answer *b)
{
	uint32_t ip = 0;

	if (b->siaddr)
		return b->siaddr;
	if (b->has_66 && net_ip_parse(b->tftp_server, &ip))
		return ip;
	return 0;
}

static bool can_reach(struct probe_run *r, char *why, size_t cap)
{
	if (probe_left(r) <= 0) {
		snprintf(why, cap, "not tried: --timeout reached");
		return false;
	}
	if (!r->if_ip) {
		snprintf(why, cap, "not tried: %s has no IPv4 address of its own", r->o->iface);
		return false;
	}
	return true;
}

void probe_stage_tftp(struct probe_run *r)
{
	char s[16], who[96];

	for (unsigned k = 0; k < PROBE_PROFILES; k++) {
		struct probe_profile *p = &r->prof[k];
		const struct probe_answer *b = &p->boot;
		uint32_t srv;
		size_t i;

		if (!p->enabled || !p->has_boot || !b->has_file || is_url(b->file) || has_var(b->file))
			continue;
		srv = tftp_server_of(b);
		if (!srv)
			continue;	/* NBC-DHCP-NO-NEXT-SERVER, or a 66 host name */
		for (i = 0; i < r->nfetch; i++)
			if (r->fetch[i].server == srv && strcmp(r->fetch[i].name_real, b->file_real) == 0)
				break;
		if (i == r->nfetch) {
			if (r->nfetch >= PROBE_FETCHES_MAX)
				continue;
			memset(&r->fetch[i], 0, sizeof(r->fetch[i]));
			r->fetch[i].server = srv;
			snprintf(r->fetch[i].name, sizeof(r->fetch[i].name), "%s", b->file);
			snprintf(r->fetch[i].name_real, sizeof(r->fetch[i].name_real), "%s",
				 b->file_real);
			r->fetch[i].t.err_code = -1;
			r->nfetch++;
		}
		r->fetch[i].profiles |= 1u << k;
		p->nbp = (int)i;
	}
	for (size_t i = 0; i < r->nfetch; i++) {
		struct probe_fetch *f = &r->fetch[i];
		struct probe_tftp *t = &f->t;
		enum image img;

		f->test = probe_test_add(r, "probe.tftp", "%s %s", probe_ip(f->server, s), f->name);
		profile_list(r, f->profiles, who, sizeof(who));
		if (!can_reach(r, f->skipped, sizeof(f->skipped))) {
			probe_test_note(r, f->test, true, "%s",
					 f->skipped);
			continue;
		}
		f->tried = true;
		probe_tftp_get(f->server, f->name_real, r->o->max_bytes, 0, r->deadline, r->o->iface, t);
		probe_test_note(r, f->test, false, "%llu bytes in %.3f s%s%s", (unsigned long long)t->size, t->secs,
				 t->error[0] ? ": " : "", t->error);
		if (t->err_code == 1 || t->err_code == 2) {
			probe_add(r, f->test, "NBC-TFTP-NOT-FOUND", NBC_SEV_ERROR, who, f->server,
				  "TFTP read request for %s to %s answered with ERROR %d (%s) %s: the "
				  "%s probe cannot load its NBP",
				  f->name, probe_ip(f->server, s), t->err_code,
				  t->err_code == 1 ? "File not found" : "Access violation", t->err_msg,
				  who);
			continue;
		}
		if (!t->done && !t->too_big) {
			probe_add(r, f->test, "NBC-TFTP-INCOMPLETE", NBC_SEV_ERROR, who, f->server,
				  "TFTP transfer of %s from %s did not complete: %s", f->name,
				  probe_ip(f->server, s), t->error);
			if (!t->head_len)
				continue;
		}
		img = sniff(t->head, t->head_len);
		if (img == IMG_UNKNOWN)
			continue;
		for (unsigned k = 0; k < PROBE_PROFILES; k++) {
			struct probe_profile *p = &r->prof[k];
			const char *why = (f->profiles & (1u << k)) && !p->arch_flagged
						  ? image_mismatch(p->arch, img)
						  : NULL;

			if (why)
				probe_add(r, p->test, "NBC-ARCH-MISMATCH", NBC_SEV_ERROR, p->name, f->server,
					  "client arch %s (option 93 = %d, the %s probe) would run %s "
					  "from %s (%s): %s",
					  nbc_arch_name(p->arch), p->arch, p->name, f->name,
					  probe_ip(f->server, s), image_name(img), why);
		}
	}
}

/* ---------------------------------------------------------------------------------------- */
/* pxelinux: the config lookup walk of the bios-pxe client. */

void probe_stage_walk(struct probe_run *r)
{
	struct probe_profile *p = &r->prof[PP_BIOS];
	const struct probe_answer *b = &p->boot;
	struct probe_walk *w = &r->walk;
	struct pxelinux_walk pw;
	struct pxelinux_input in;
	const struct lint_opt_bytes *o97 = &p->send.opt[97];
	char s[16];

	w->found = -1;
	w->test = -1;
	if (!p->enabled || !p->has_boot || !b->has_file || !pxelinux_is_nbp(b->file))
		return;
	w->test = probe_test_add(r, "probe.pxelinux", "lookup walk of %s", b->file);
	w->ran = true;
	snprintf(w->nbp, sizeof(w->nbp), "%s", b->file);
	w->server = tftp_server_of(b);
	memcpy(w->mac, r->o->has_mac ? r->o->mac : p->mac, 6);
	if (r->o->has_uuid) {
		w->has_uuid = true;
		memcpy(w->uuid, r->o->uuid, 16);
	} else if (o97->present && o97->len == 17) {
		w->has_uuid = true;
		memcpy(w->uuid, o97->data + 1, 16);
	}
	w->ip = r->o->has_ip ? r->o->ip : b->yiaddr;
	memset(&in, 0, sizeof(in));
	in.uuid = w->has_uuid ? w->uuid : NULL;
	in.mac = w->mac;
	in.htype = 1;
	in.hlen = 6;
	in.ip = w->ip;
	in.prefix = b->has_210 ? b->pathprefix_real : NULL;
	in.bootfile = b->file_real;
	in.configfile = b->has_209 ? b->configfile_real : NULL;
	pxelinux_compute_walk(&in, &pw);
	if (b->has_210)
		snprintf(w->prefix, sizeof(w->prefix), "%s", b->pathprefix);
	else
		pxelinux_prefix_from_bootfile(b->file, w->prefix, sizeof(w->prefix));
	w->over_http = strncmp(w->prefix, "http://", 7) == 0;
	for (unsigned i = 0; i < pw.n && i < PXELINUX_WALK_MAX; i++) {
		struct probe_walk_step *st = &w->steps[w->nsteps++];

		st->step = pw.step[i];
		/* A 209 name that is absolute (a URL or /path) is not prefixed. */
		if (st->step == PXELINUX_STEP_CONFIGFILE &&
		    (is_url(b->configfile_real) || b->configfile_real[0] == '/'))
			snprintf(pw.names[i], sizeof(pw.names[i]), "%s", b->configfile_real);
		/* The names go out with the server's own bytes; reports get them printable. */
		{
			char shown[sizeof(pw.names[i]) * 4];

			probe_text((const uint8_t *)pw.names[i], strlen(pw.names[i]), shown,
				   sizeof(shown));
			ipxe_uri_redact(shown, st->name, sizeof(st->name));
		}
	}
	if (!can_reach(r, w->skipped, sizeof(w->skipped)) ||
	    (!w->over_http && !w->server &&
	     snprintf(w->skipped, sizeof(w->skipped), "not tried: no TFTP server") > 0)) {
		probe_test_note(r, w->test, true, "%s", w->skipped);
		explicit_bzero(&pw, sizeof(pw));
		return;
	}
	for (unsigned i = 0; i < w->nsteps && w->found < 0; i++) {
		struct probe_walk_step *st = &w->steps[i];

		if (probe_left(r) <= 0) {
			snprintf(st->result, sizeof(st->result), "not tried: --timeout reached");
			break;
		}
		st->tried = true;
		if (is_url(pw.names[i])) {
			int status = 0;
			uint8_t *body = NULL;
			size_t len = 0;
			uint64_t size = 0;
			char err[200] = "";

			if (probe_http_get(pw.names[i], r->deadline, 4096, &status, &body, &len, &size, err,
					   sizeof(err)) < 0)
				snprintf(st->result, sizeof(st->result), "no answer: %s", err);
			else if (status >= 200 && status < 300) {
				st->found = true;
				snprintf(st->result, sizeof(st->result), "HTTP %d", status);
			} else {
				snprintf(st->result, sizeof(st->result), "not found (HTTP %d)", status);
			}
			free(body);
		} else {
			struct probe_tftp t;

			probe_tftp_get(w->server, pw.names[i], CONFIG_MAX, 0, r->deadline, r->o->iface, &t);
			if (t.done) {
				st->found = true;
				snprintf(st->result, sizeof(st->result), "%llu bytes",
					 (unsigned long long)t.size);
			} else if (t.err_code >= 0) {
				snprintf(st->result, sizeof(st->result), "not found: %s", t.error);
			} else {
				snprintf(st->result, sizeof(st->result), "%s", t.error);
				probe_tftp_free(&t);
				break;	/* a silent server: the rest of the walk would time out too */
			}
			probe_tftp_free(&t);
		}
		if (st->found)
			w->found = (int)i;
	}
	explicit_bzero(&pw, sizeof(pw));	/* a 210 URL may carry a password */
	for (unsigned i = (unsigned)(w->found + 1); w->found >= 0 && i < w->nsteps; i++)
		snprintf(w->steps[i].result, sizeof(w->steps[i].result), "not needed");
	probe_test_note(r, w->test, false, "%s",
			 w->found >= 0 ? w->steps[w->found].name : "no config found");
	if (w->found < 0)
		probe_add(r, w->test, "NBC-PXELINUX-NO-CONFIG", NBC_SEV_ERROR, p->name, w->server,
			  "%s from %s would try %u config names (%s ... %s)%s and load none: "
			  "pxelinux stops without a menu",
			  w->nbp, probe_ip(w->server, s), w->nsteps, w->steps[0].name,
			  w->steps[w->nsteps - 1].name,
			  w->steps[w->nsteps - 1].tried ? "" : " (the walk was cut short)");
}

/* ---------------------------------------------------------------------------------------- */
/* HTTP: the iPXE profile's script, what it chains to, what it sanboots. */

/* The credentials and root paths the scripts name, kept with their secrets (wiped after). */
struct script_facts {
	char user[IPXE_ARG_MAX];
	char pass[IPXE_ARG_MAX];
	char roots[PROBE_ISCSI_MAX][IPXE_ARG_MAX];
	bool fallback[PROBE_ISCSI_MAX];
	size_t nroots;
};


static bool is_rootpath_problem(const char *msg)
{
	return strstr(msg, "iscsi root path:") != NULL || strncmp(msg, "root-path:", 10) == 0;
}

/* url relative to base (a script's URL): absolute, /path, or relative to its directory. */
static void resolve(const char *base, const char *ref, char *out, size_t cap)
{
	const char *host, *slash;

	if (is_url(ref) || strncasecmp(ref, "iscsi:", 6) == 0) {
		snprintf(out, cap, "%s", ref);
		return;
	}
	host = strstr(base, "://");
	host = host ? host + 3 : base;
	if (ref[0] == '/') {
		slash = strchr(host, '/');
		snprintf(out, cap, "%.*s%s", (int)(slash ? (size_t)(slash - base) : strlen(base)), base, ref);
		return;
	}
	slash = strrchr(host, '/');
	snprintf(out, cap, "%.*s/%s", (int)(slash ? (size_t)(slash - base) : strlen(base)), base, ref);
}

static void setting_base(const char *arg, char *out, size_t cap)
{
	const char *s = strrchr(arg, '/');
	size_t n;

	s = s ? s + 1 : arg;
	n = strcspn(s, ":");
	snprintf(out, cap, "%.*s", (int)n, s);
}

static void add_root(struct script_facts *sf, const char *rp, bool fallback)
{
	for (size_t i = 0; i < sf->nroots; i++)
		if (strcmp(sf->roots[i], rp) == 0)
			return;
	if (sf->nroots < PROBE_ISCSI_MAX) {
		snprintf(sf->roots[sf->nroots], sizeof(sf->roots[0]), "%s", rp);
		sf->fallback[sf->nroots++] = fallback;
	}
}

/* The address in an http:// URL's host part, 0 for a name. */
static uint32_t url_ip(const char *url)
{
	char host[64];
	const char *h = strstr(url, "://");
	size_t n;
	uint32_t ip = 0;

	if (!h)
		return 0;
	h += 3;
	if (strchr(h, '@') && strchr(h, '@') < h + strcspn(h, "/"))
		h = strchr(h, '@') + 1;
	n = strcspn(h, ":/?#");
	snprintf(host, sizeof(host), "%.*s", (int)(n < sizeof(host) ? n : sizeof(host) - 1), h);
	return net_ip_parse(host, &ip) ? ip : 0;
}

/* Fetches and checks one script; queues the scripts it chains to. */
static void one_script(struct probe_run *r, const char *url, struct script_facts *sf,
		       char queue[][PROBE_TEXT], size_t *nqueue)
{
	struct probe_script *sc = &r->scripts[r->nscripts];
	unsigned idx = (unsigned)r->nscripts++;
	struct ipxe_script *shown = malloc(sizeof(*shown)), *real = malloc(sizeof(*real));
	uint8_t *body = NULL;
	size_t len = 0;
	char s[16];

	memset(sc, 0, sizeof(*sc));
	ipxe_uri_redact(url, sc->url_shown, sizeof(sc->url_shown));
	sc->test = probe_test_add(r, "probe.http", "script %s", sc->url_shown);
	if (!shown || !real) {
		snprintf(sc->error, sizeof(sc->error), "out of memory");
		goto out;
	}
	if (probe_http_get(url, r->deadline, SCRIPT_MAX, &sc->status, &body, &len, &sc->size,
			   sc->error, sizeof(sc->error)) < 0 ||
	    sc->status >= 400) {
		if (sc->status >= 400)
			snprintf(sc->error, sizeof(sc->error), "HTTP %d", sc->status);
		probe_add(r, sc->test, "NBC-HTTP-STATUS", NBC_SEV_ERROR, r->prof[PP_IPXE].name,
			  url_ip(sc->url_shown), "GET %s %s%s: iPXE cannot load this script", sc->url_shown,
			  sc->status >= 400 ? "was answered " : "failed: ",
			  sc->status >= 400 ? (snprintf(s, sizeof(s), "%d", sc->status), s) : sc->error);
		goto out;
	}
	if (sc->status < 200 || sc->status >= 300) {
		snprintf(sc->error, sizeof(sc->error), "HTTP %d without a script", sc->status);
		goto out;
	}
	sc->fetched = true;
	ipxe_script_parse((struct view){ body, len }, shown);
	ipxe_script_parse_opts((struct view){ body, len }, real, true);
	sc->parsed = true;
	sc->has_magic = shown->has_magic;
	sc->lines = shown->lines;
	sc->nacts = shown->nacts;
	sc->nproblems = shown->nproblems;
	for (size_t k = 0; k < shown->nproblems; k++) {
		const struct ipxe_problem *pb = &shown->problems[k];

		probe_add(r, sc->test, is_rootpath_problem(pb->msg) ? "NBC-ROOTPATH-SYNTAX"
								   : "NBC-IPXE-SCRIPT",
			  NBC_SEV_ERROR, r->prof[PP_IPXE].name, url_ip(sc->url_shown),
			  "script %s line %u: %s",
			  sc->url_shown, pb->line, pb->msg);
	}
	if (shown->problems_dropped)
		probe_add(r, sc->test, "NBC-IPXE-SCRIPT", NBC_SEV_ERROR, r->prof[PP_IPXE].name,
			  url_ip(sc->url_shown), "script %s: %zu more problems are not listed", sc->url_shown,
			  shown->problems_dropped);
	for (size_t k = 0; k < real->nacts && k < shown->nacts; k++) {
		const struct ipxe_action *a = &real->acts[k], *ash = &shown->acts[k];
		bool fallback = k + 1 < real->nacts && real->acts[k + 1].fallback;
		char name[64];

		switch (a->kind) {
		case IPXE_ACT_SET:
			setting_base(a->arg, name, sizeof(name));
			if (strcmp(name, "username") == 0)
				snprintf(sf->user, sizeof(sf->user), "%s", a->value);
			else if (strcmp(name, "password") == 0)
				snprintf(sf->pass, sizeof(sf->pass), "%s", a->value);
			break;
		case IPXE_ACT_SANBOOT:
		case IPXE_ACT_SANHOOK:
			if (a->arg[0] && strncasecmp(a->arg, "iscsi:", 6) == 0 && !has_var(a->arg))
				add_root(sf, a->arg, fallback);
			else if (!a->arg[0] && real->root_path[0] &&
				 strncasecmp(real->root_path, "iscsi:", 6) == 0)
				add_root(sf, real->root_path, fallback);
			else if (!a->arg[0] && r->prof[PP_IPXE].boot.has_17)
				add_root(sf, r->prof[PP_IPXE].boot.root_path, fallback);
			break;
		case IPXE_ACT_CHAIN:
		case IPXE_ACT_FETCH: {
			struct probe_target *t;
			char abs_real[1024], abs_shown[1024];

			if (!a->arg[0])
				break;
			if (r->ntargets >= PROBE_TARGETS_MAX) {
				r->targets_dropped++;
				break;
			}
			t = &r->targets[r->ntargets++];
			memset(t, 0, sizeof(*t));
			t->length = -1;
			t->script = idx;
			t->line = a->line;
			t->cmd = a->kind == IPXE_ACT_CHAIN ? "chain" : "fetch";
			resolve(url, a->arg, abs_real, sizeof(abs_real));
			resolve(sc->url_shown, ash->arg, abs_shown, sizeof(abs_shown));
			snprintf(t->shown, sizeof(t->shown), "%s", abs_shown);
			t->test = probe_test_add(r, "probe.http", "%s %s", t->cmd, t->shown);
			if (has_var(abs_real))
				snprintf(t->skipped, sizeof(t->skipped),
					 "not checked: ${...} is expanded by iPXE at run time");
			else if (strncmp(abs_real, "http://", 7) != 0)
				snprintf(t->skipped, sizeof(t->skipped), "not checked: only http:// is");
			else if (probe_left(r) <= 0)
				snprintf(t->skipped, sizeof(t->skipped), "not checked: --timeout reached");
			if (t->skipped[0]) {
				probe_test_note(r, t->test, true, "%s", t->skipped);
				explicit_bzero(abs_real, sizeof(abs_real));
				break;
			}
			probe_http_target(abs_real, r->deadline, t);
			probe_test_note(r, t->test, false, "%s %d%s%s", t->method, t->status, t->error[0] ? ": " : "",
					 t->error);
			if (t->status >= 400 || t->status == 0)
				probe_add(r, t->test, "NBC-HTTP-STATUS", NBC_SEV_ERROR,
					  r->prof[PP_IPXE].name, url_ip(t->shown),
					  "%s %s (script %s line %u) %s%s%s", t->method, t->shown,
					  sc->url_shown, t->line,
					  t->status ? "was answered " : "failed: ",
					  t->status ? (snprintf(s, sizeof(s), "%d", t->status), s) : t->error,
					  t->status ? ": iPXE cannot load it" : "");
			else if (t->status < 300) {
				size_t plen = strcspn(abs_real, "?#");

				/* Scripts it chains to are fetched and checked too (bounded). */
				if (a->kind == IPXE_ACT_CHAIN && plen >= 5 &&
				    strncmp(abs_real + plen - 5, ".ipxe", 5) == 0 &&
				    *nqueue < PROBE_SCRIPTS_MAX)
					snprintf(queue[(*nqueue)++], PROBE_TEXT, "%s", abs_real);
			}
			explicit_bzero(abs_real, sizeof(abs_real));
			break;
		}
		default:
			break;
		}
	}
out:
	probe_test_note(r, sc->test, false, "HTTP %d, %llu bytes, %zu commands, %zu problems%s%s", sc->status,
			 (unsigned long long)sc->size, sc->nacts, sc->nproblems,
			 sc->error[0] ? ": " : "", sc->error);
	if (real)
		explicit_bzero(real, sizeof(*real));
	free(real);
	free(shown);
	if (body)
		explicit_bzero(body, len);
	free(body);
}

void probe_stage_http(struct probe_run *r)
{
	struct probe_profile *p = &r->prof[PP_IPXE];
	char queue[PROBE_SCRIPTS_MAX][PROBE_TEXT];
	size_t nqueue = 0;
	struct script_facts *facts = calloc(1, sizeof(*facts));

	r->script_facts = facts;
	if (!p->enabled || !p->has_boot || !p->boot.has_file)
		return;
	if (strncmp(p->boot.file_real, "http://", 7) != 0) {
		snprintf(r->http_skipped, sizeof(r->http_skipped), "%s is handed %s, not an http:// "
			 "script", p->name, p->boot.file);
		return;
	}
	if (!can_reach(r, r->http_skipped, sizeof(r->http_skipped)))
		return;
	if (!facts) {
		snprintf(r->http_skipped, sizeof(r->http_skipped), "out of memory");
		return;
	}
	snprintf(queue[nqueue++], PROBE_TEXT, "%s", p->boot.file_real);
	for (size_t i = 0; i < nqueue && r->nscripts < PROBE_SCRIPTS_MAX; i++) {
		bool seen = false;

		for (size_t k = 0; k < i; k++)
			seen |= strcmp(queue[k], queue[i]) == 0;
		if (!seen && probe_left(r) > 0)
			one_script(r, queue[i], facts, queue, &nqueue);
	}
	explicit_bzero(queue, sizeof(queue));
}

/* ---------------------------------------------------------------------------------------- */
/* iSCSI: the sanboot target. */

static void iscsi_findings(struct probe_run *r, struct probe_iscsi *x)
{
	const char *who = r->prof[PP_IPXE].name;
	uint32_t portal_ip = 0;
	char ip[64];

	snprintf(ip, sizeof(ip), "%s", x->portal);
	ip[strcspn(ip, ":")] = '\0';
	(void)net_ip_parse(ip, &portal_ip);
	if (!x->syntax_ok) {
		probe_add(r, x->test, "NBC-ROOTPATH-SYNTAX", NBC_SEV_ERROR, who, 0,
			  "root path %s (%s): %s", x->shown, x->from, x->why);
		return;
	}
	if (!x->connected) {
		probe_add(r, x->test, "NBC-ISCSI-LOGIN", NBC_SEV_ERROR, who, portal_ip,
			  "cannot connect to the iSCSI portal %s of %s (%s): the login never starts",
			  x->portal, x->shown, x->error[0] ? x->error : "no connection");
		return;
	}
	if (!x->login_ok && x->login_status == 0x0201) {
		if (x->chap)
			probe_add(r, x->test, "NBC-ISCSI-CHAP", NBC_SEV_ERROR, who, portal_ip,
				  "login to %s at %s refused with status 0x0201 (class 2, detail 1: "
				  "authentication failure): the target does not accept CHAP user %s "
				  "with the secret given (%s)",
				  x->target, x->portal, x->chap_user, x->cred_from);
		else
			probe_add(r, x->test, "NBC-ISCSI-CHAP", NBC_SEV_ERROR, who, portal_ip,
				  "login to %s at %s refused with status 0x0201 (class 2, detail 1: "
				  "authentication failure): the target wants CHAP and no credentials "
				  "were found (--chap-user, the script's username/password, DHCP "
				  "175.190/191)",
				  x->target, x->portal);
		return;
	}
	if (!x->login_ok && x->login_status >= 0) {
		probe_add(r, x->test, "NBC-ISCSI-LOGIN", NBC_SEV_ERROR, who, portal_ip,
			  "login to %s at %s refused with status 0x%04x (class %d, detail %d: %s)",
			  x->target, x->portal, (unsigned)x->login_status, x->login_status >> 8,
			  x->login_status & 0xff, probe_iscsi_status_words(x->login_status));
		return;
	}
	if (!x->login_ok) {
		probe_add(r, x->test, strstr(x->login_error, "CHAP") ? "NBC-ISCSI-CHAP" : "NBC-ISCSI-LOGIN",
			  NBC_SEV_ERROR, who, portal_ip, "login to %s at %s failed: %s", x->target,
			  x->portal, x->login_error[0] ? x->login_error : x->error);
		return;
	}
	if (!x->disk_ok) {
		probe_add(r, x->test, "NBC-ISCSI-NOT-BOOTABLE", NBC_SEV_ERROR, who, portal_ip,
			  "logged in to %s at %s, but LBA 0 of LUN %d could not be read: %s",
			  x->target, x->portal, x->lun, x->error);
		return;
	}
	if (!x->bootable)
		probe_add(r, x->test, "NBC-ISCSI-NOT-BOOTABLE",
			  x->fallback ? NBC_SEV_INFO : NBC_SEV_ERROR, who, portal_ip,
			  "LBA 0 of %s LUN %d at %s lacks the 0x55AA boot signature at bytes 510-511: "
			  "a BIOS sanboot of it fails%s",
			  x->target, x->lun, x->portal,
			  x->fallback ? " (the script goes on to its fallback, as an install does)" : "");
}

void probe_stage_iscsi(struct probe_run *r)
{
	struct script_facts *sf = r->script_facts;
	const struct probe_answer *ib = &r->prof[PP_IPXE].boot;
	const char *user = NULL, *secret = NULL, *from = NULL;
	char initiator[96], uuid[40];
	const struct lint_opt_bytes *o97 = &r->prof[PP_IPXE].send.opt[97];

	if (r->o->iscsi) {
		struct probe_iscsi *x = &r->iscsi[r->niscsi++];

		snprintf(x->shown, sizeof(x->shown), "%s", r->o->iscsi);
		x->from = "--iscsi";
	} else if (sf) {
		for (size_t i = 0; i < sf->nroots && r->niscsi < PROBE_ISCSI_MAX; i++) {
			struct probe_iscsi *x = &r->iscsi[r->niscsi++];

			snprintf(x->shown, sizeof(x->shown), "%s", sf->roots[i]);
			x->from = "script";
			x->fallback = sf->fallback[i];
		}
	}
	if (r->niscsi == 0 && r->prof[PP_IPXE].enabled && r->prof[PP_IPXE].has_boot && ib->has_17 &&
	    strncasecmp(ib->root_path, "iscsi:", 6) == 0) {
		struct probe_iscsi *x = &r->iscsi[r->niscsi++];

		snprintf(x->shown, sizeof(x->shown), "%s", ib->root_path);
		x->from = "option 17";
	}
	/* Credentials as iPXE would have them: the command line stands for `login`. */
	if (r->o->chap_user && r->o->chap_secret) {
		user = r->o->chap_user;
		secret = r->o->chap_secret;
		from = r->o->chap_from;
	} else if (sf && sf->user[0] && sf->pass[0]) {
		user = sf->user;
		secret = sf->pass;
		from = "the script's username/password";
	} else if (r->prof[PP_IPXE].has_boot && ib->has_175_user && ib->has_175_pass) {
		user = ib->ipxe_user;
		secret = ib->ipxe_pass;
		from = "DHCP 175.190/191";
	}
	/* iPXE's default initiator name (src/net/tcp/iscsi.c): iqn.2010-04.org.ipxe:<uuid>. */
	if (o97->present && o97->len == 17)
		dhcp_uuid_str(o97->data + 1, uuid, sizeof(uuid));
	else
		snprintf(uuid, sizeof(uuid), "unknown");
	snprintf(initiator, sizeof(initiator), "iqn.2010-04.org.ipxe:%s", uuid);
	for (size_t i = 0; i < r->niscsi; i++) {
		struct probe_iscsi *x = &r->iscsi[i];

		x->login_status = -1;
		x->test = probe_test_add(r, "probe.iscsi", "%s", x->shown);
		x->cred_from = user ? from : NULL;
		if (!can_reach(r, x->error, sizeof(x->error))) {
			probe_test_note(r, x->test, true, "%s",
					 x->error);
			continue;
		}
		probe_iscsi_run(x->shown, initiator, user, secret, r->deadline, x);
		x->cred_from = x->chap ? from : NULL;
		probe_test_note(r, x->test, false, "login %s; %llu blocks of %u; LBA 0 %s", x->login_ok ? "ok" : "failed",
				 (unsigned long long)x->blocks, (unsigned)x->block_size,
				 x->bootable ? "0x55AA" : "without 0x55AA");
		iscsi_findings(r, x);
	}
	if (r->niscsi == 0)
		snprintf(r->iscsi_skipped, sizeof(r->iscsi_skipped),
			 "no iscsi: root path in the script, DHCP option 17 or --iscsi");
	if (sf) {
		explicit_bzero(sf, sizeof(*sf));
		free(sf);
	}
	r->script_facts = NULL;
}

void probe_checks_free(struct probe_run *r)
{
	if (r->script_facts) {
		explicit_bzero(r->script_facts, sizeof(*r->script_facts));
		free(r->script_facts);
		r->script_facts = NULL;
	}
}
