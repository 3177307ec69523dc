/* model.c: names of the model's enums, as reports print them. */
#include "checker/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *nbc_sev_name(enum nbc_sev s)
{
	static const char *const n[] = { "info", "warning", "error" };

	return (unsigned)s < 3 ? n[s] : "?";
}

const char *nbc_stage_name(enum nbc_stage_kind k)
{
	static const char *const n[] = {
		"pxe-dhcp", "ipxe-dhcp", "dhcp", "nbp-download", "pxelinux-config",
		"tftp-fetch", "http", "ipxe-script", "iscsi", "localboot", "kernel", "sanboot",
	};
	_Static_assert(sizeof(n) / sizeof(n[0]) == NBC_STAGE__COUNT, "a name per stage kind");

	return (unsigned)k < NBC_STAGE__COUNT ? n[k] : "?";
}

const char *nbc_result_name(enum nbc_stage_result r)
{
	static const char *const n[] = { "ok", "failed", "partial" };

	return (unsigned)r < 3 ? n[r] : "?";
}

const char *nbc_verdict_name(enum nbc_verdict v)
{
	static const char *const n[] = { "booted", "failed", "looping", "stalled",
					 "incomplete-capture" };

	return (unsigned)v < 5 ? n[v] : "?";
}

const char *nbc_arch_name(int arch)
{
	switch (arch) {
	case 0:
		return "BIOS x86";
	case 6:
		return "UEFI IA32";
	case 7:
		return "UEFI x64";
	case 9:
		return "UEFI x64 (code 9)";
	case 10:
		return "UEFI ARM32";
	case 11:
		return "UEFI ARM64";
	case 15:
		return "UEFI HTTP IA32";
	case 16:
		return "UEFI HTTP x64";
	case 19:
		return "UEFI HTTP ARM64";
	case -1:
		return "unknown";
	default:
		return "other";
	}
}

void nbc_personality_str(unsigned bits, char *dst, size_t cap)
{
	static const char *const n[] = { "pxe-rom", "ipxe", "pxelinux", "uefi-http" };
	size_t used = 0;

	if (cap == 0)
		return;
	dst[0] = '\0';
	for (unsigned i = 0; i < 4; i++) {
		if (!(bits & (1u << i)))
			continue;
		used += (size_t)snprintf(dst + used, used < cap ? cap - used : 0, "%s%s",
					 used ? "," : "", n[i]);
		if (used >= cap) {
			dst[cap - 1] = '\0';
			return;
		}
	}
}

void nbc_report_index_free(struct nbc_report *r)
{
	free(r->findings_by_client);
	free(r->findings_start);
	r->findings_by_client = NULL;
	r->findings_start = NULL;
	r->nindexed = 0;
}

bool nbc_report_index_findings(struct nbc_report *r, size_t nclients)
{
	size_t *start, *by, *fill;

	nbc_report_index_free(r);
	/* A counting sort by client: stable, so each group keeps the report's order. */
	start = calloc(nclients + 2, sizeof(*start));
	by = malloc((r->nfindings ? r->nfindings : 1) * sizeof(*by));
	fill = calloc(nclients + 1, sizeof(*fill));
	if (!start || !by || !fill) {
		free(start);
		free(by);
		free(fill);
		return false;
	}
	for (size_t f = 0; f < r->nfindings; f++) {
		int ci = r->findings[f].client;

		if (ci >= 0 && (size_t)ci < nclients)
			start[ci + 1]++;
	}
	for (size_t c = 0; c < nclients; c++)
		start[c + 1] += start[c];
	for (size_t f = 0; f < r->nfindings; f++) {
		int ci = r->findings[f].client;

		if (ci >= 0 && (size_t)ci < nclients)
			by[start[ci] + fill[ci]++] = f;
	}
	free(fill);
	r->findings_by_client = by;
	r->findings_start = start;
	r->nindexed = nclients;
	return true;
}

size_t nbc_client_nfindings(const struct nbc_report *r, int ci)
{
	if (ci < 0 || (size_t)ci >= r->nindexed)
		return 0;
	return r->findings_start[ci + 1] - r->findings_start[ci];
}

const struct nbc_finding *nbc_client_finding(const struct nbc_report *r, int ci, size_t k)
{
	return &r->findings[r->findings_by_client[r->findings_start[ci] + k]];
}
