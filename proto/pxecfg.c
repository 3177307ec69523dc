/* pxecfg.c: resolves a pxelinux config's default label from its text. */
#include "pxecfg.h"

#include <stdio.h>
#include <strings.h>

struct line {
	char kw[16];
	char arg[PXECFG_NAME_MAX];
};

/* Splits one line into a keyword and the rest, both trimmed. */
static void split(const uint8_t *p, size_t n, struct line *l)
{
	size_t i = 0;
	size_t k = 0;
	size_t a = 0;

	l->kw[0] = l->arg[0] = '\0';
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	while (i < n && p[i] != ' ' && p[i] != '\t') {
		if (k + 1 < sizeof(l->kw))
			l->kw[k++] = (char)p[i];
		i++;
	}
	l->kw[k] = '\0';
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	while (i < n && p[i] != '\r') {
		if (a + 1 < sizeof(l->arg))
			l->arg[a++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
		i++;
	}
	while (a > 0 && (l->arg[a - 1] == ' ' || l->arg[a - 1] == '\t'))
		a--;
	l->arg[a] = '\0';
}

static void first_word(const char *s, char *dst, size_t cap)
{
	size_t n = 0;

	while (s[n] && s[n] != ' ' && s[n] != '\t' && n + 1 < cap) {
		dst[n] = s[n];
		n++;
	}
	dst[n] = '\0';
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s);
	size_t m = strlen(suf);

	return n >= m && strcasecmp(s + n - m, suf) == 0;
}

void pxecfg_parse_default(struct view text, struct pxecfg_default *out)
{
	pxecfg_parse_label(text, NULL, out);
}

/* Two passes: find DEFAULT/ONTIMEOUT (unless a label is given), then the label's body. */
void pxecfg_parse_label(struct view text, const char *label, struct pxecfg_default *out)
{
	struct line l;
	char want[64] = "";
	bool in_label = false;
	unsigned lineno;

	memset(out, 0, sizeof(*out));
	if (label)
		snprintf(want, sizeof(want), "%s", label);
	for (int pass = 0; pass < 2; pass++) {
		size_t pos = 0;

		lineno = 0;
		while (pos < text.len) {
			const uint8_t *nl = memchr(text.p + pos, '\n', text.len - pos);
			size_t n = nl ? (size_t)(nl - (text.p + pos)) : text.len - pos;

			lineno++;
			split(text.p + pos, n, &l);
			pos += n + 1;
			if (pass == 0) {
				if (label)
					continue;
				if (strcasecmp(l.kw, "DEFAULT") == 0 ||
				    (strcasecmp(l.kw, "ONTIMEOUT") == 0 && !want[0]))
					first_word(l.arg, want, sizeof(want));
				continue;
			}
			if (strcasecmp(l.kw, "LABEL") == 0) {
				in_label = strcasecmp(l.arg, want) == 0;
				continue;
			}
			if (!in_label)
				continue;
			if (strcasecmp(l.kw, "LOCALBOOT") == 0) {
				out->action = PXECFG_LOCALBOOT;
				out->line = lineno;
			} else if (strcasecmp(l.kw, "KERNEL") == 0 ||
				   strcasecmp(l.kw, "LINUX") == 0 ||
				   strcasecmp(l.kw, "COM32") == 0) {
				first_word(l.arg, out->kernel, sizeof(out->kernel));
				out->action = (strcasecmp(l.kw, "COM32") == 0 ||
					       has_suffix(out->kernel, ".c32"))
						      ? PXECFG_COM32
						      : PXECFG_KERNEL;
				out->line = lineno;
			} else if (strcasecmp(l.kw, "INITRD") == 0) {
				first_word(l.arg, out->initrd, sizeof(out->initrd));
			} else if (strcasecmp(l.kw, "APPEND") == 0) {
				const char *s = strstr(l.arg, "initrd=");

				snprintf(out->append, sizeof(out->append), "%s", l.arg);
				if (out->initrd[0])
					s = NULL;
				if (s) {
					size_t n2 = 0;

					s += 7;
					while (s[n2] && s[n2] != ' ' && s[n2] != ',' &&
					       n2 + 1 < sizeof(out->initrd)) {
						out->initrd[n2] = s[n2];
						n2++;
					}
					out->initrd[n2] = '\0';
				}
			}
		}
		if (pass == 0) {
			if (!want[0])
				return;	/* no default: pxelinux shows a prompt */
			snprintf(out->label, sizeof(out->label), "%s", want);
		}
	}
	/* A DEFAULT that names no LABEL is itself a kernel (or module) to load. */
	if (out->line == 0) {
		snprintf(out->kernel, sizeof(out->kernel), "%s", want);
		out->action = has_suffix(want, ".c32") ? PXECFG_COM32 : PXECFG_KERNEL;
	}
}

const char *pxecfg_action_name(enum pxecfg_action a)
{
	static const char *const names[] = { "unknown", "localboot", "kernel", "com32" };

	return a <= PXECFG_COM32 ? names[a] : "unknown";
}
