/* pxelinux.c: the config lookup walk pxelinux performs, computed from DHCP facts. */
#include "pxelinux.h"

#include <stdio.h>

bool pxelinux_uuid_usable(const uint8_t uuid[16])
{
	return uuid[6] >= 0x10 && uuid[6] < 0xf0;
}

static bool prefix_char(char ch)
{
	char c = (char)(ch | 0x20);

	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '.' || c == '-';
}

void pxelinux_prefix_from_bootfile(const char *bootfile, char *dst, size_t cap)
{
	size_t n = bootfile ? strlen(bootfile) : 0;

	if (cap == 0)
		return;
	while (n > 0 && prefix_char(bootfile[n - 1]))
		n--;
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(dst, bootfile, n);
	dst[n] = '\0';
}

static void add(struct pxelinux_walk *w, enum pxelinux_step step, const char *prefix,
		const char *name)
{
	if (w->n >= PXELINUX_WALK_MAX)
		return;
	char *dst = w->names[w->n];
	size_t a = strlen(prefix);
	size_t b = strlen(name);

	/* Names longer than the slot are cut: they cannot match a real request anyway. */
	if (a > PXELINUX_NAME_MAX - 1)
		a = PXELINUX_NAME_MAX - 1;
	if (b > PXELINUX_NAME_MAX - 1 - a)
		b = PXELINUX_NAME_MAX - 1 - a;
	memcpy(dst, prefix, a);
	memcpy(dst + a, name, b);
	dst[a + b] = '\0';
	w->step[w->n] = (uint8_t)step;
	w->n++;
}

void pxelinux_compute_walk(const struct pxelinux_input *in, struct pxelinux_walk *out)
{
	char prefix[PXELINUX_NAME_MAX];
	char name[80];
	char hexip[9];
	const uint8_t *u = in->uuid;

	memset(out, 0, sizeof(*out));
	if (in->prefix)
		snprintf(prefix, sizeof(prefix), "%s", in->prefix);
	else
		pxelinux_prefix_from_bootfile(in->bootfile, prefix, sizeof(prefix));

	if (in->configfile && in->configfile[0])
		add(out, PXELINUX_STEP_CONFIGFILE, prefix, in->configfile);

	if (u && pxelinux_uuid_usable(u)) {
		snprintf(name, sizeof(name),
			 "pxelinux.cfg/%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
			 "%02x%02x%02x%02x%02x%02x",
			 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
			 u[12], u[13], u[14], u[15]);
		add(out, PXELINUX_STEP_UUID, prefix, name);
	} else if (!u) {
		out->uuid_optional = true;
	}

	if (in->mac) {
		size_t o = (size_t)snprintf(name, sizeof(name), "pxelinux.cfg/%02x", in->htype);
		uint8_t hlen = in->hlen > 16 ? 16 : in->hlen;

		for (unsigned i = 0; i < hlen && o + 4 < sizeof(name); i++)
			o += (size_t)snprintf(name + o, sizeof(name) - o, "-%02x", in->mac[i]);
		add(out, PXELINUX_STEP_MAC, prefix, name);
	}

	snprintf(hexip, sizeof(hexip), "%08X", in->ip);
	for (int len = 8; len >= 1; len--) {
		snprintf(name, sizeof(name), "pxelinux.cfg/%.*s", len, hexip);
		add(out, PXELINUX_STEP_IP, prefix, name);
	}
	add(out, PXELINUX_STEP_DEFAULT, prefix, "pxelinux.cfg/default");
}

bool pxelinux_is_nbp(const char *name)
{
	const char *base = strrchr(name, '/');

	base = base ? base + 1 : name;
	return strcmp(base, "pxelinux.0") == 0 || strcmp(base, "lpxelinux.0") == 0 ||
	       strcmp(base, "gpxelinux.0") == 0;
}

const char *pxelinux_step_name(unsigned step)
{
	static const char *const names[] = { "configfile (209)", "UUID", "MAC", "IP",
					     "default" };

	return step < 5 ? names[step] : "?";
}
