/* log.c: netboot-serve's log: one line per protocol event on stderr, text or JSON lines,
 * rate-limited per class of line (log.h). */
#include "server/log.h"
#include "server/loop.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static bool as_json;
static FILE *out_override;

/* A class: one call site (proto, format) and its token bucket. */
struct cls {
	const char *proto;
	const char *fmt;
	double tokens;			/* lines it may still write now */
	double filled;			/* when tokens were last topped up */
	unsigned long long dropped;	/* lines dropped since the last summary */
	double first_drop;		/* when the first of them was dropped */
	double summarized;		/* when the last summary was written */
};

/*
 * The classes, open addressing on the format's address. The server has about 60 call
 * sites; past NCLS - 1 classes every other line shares the last slot (still limited).
 */
#define NCLS 128
#define SUMMARY_EVERY 1.0	/* seconds: at most one summary a class in this time */
#define NEVER (-1e30)

static struct cls classes[NCLS + 1];
static unsigned nclasses;
static unsigned rate = SRV_LOG_RATE;
static unsigned burst = SRV_LOG_BURST;
static double swept;		/* when pending summaries were last looked for */

static double (*clock_now)(void) = srv_now;

static FILE *out(void)
{
	return out_override ? out_override : stderr;
}

void srv_log_set_json(bool json)
{
	as_json = json;
}

void srv_log_set_output(FILE *f)
{
	out_override = f;
}

void srv_log_set_clock(double (*now)(void))
{
	clock_now = now ? now : srv_now;
}

void srv_log_set_rate(unsigned r, unsigned b)
{
	rate = r;
	burst = b ? b : 1;
	memset(classes, 0, sizeof(classes));
	nclasses = 0;
	swept = 0;
}

int srv_log_rate_arg(const char *arg)
{
	unsigned long r, b;
	char *end;

	if (strcmp(arg, "0") == 0) {
		srv_log_set_rate(0, SRV_LOG_BURST);
		return 0;
	}
	if (*arg < '0' || *arg > '9')
		return -1;
	r = strtoul(arg, &end, 10);
	if (*end != '/' || end[1] < '0' || end[1] > '9')
		return -1;
	b = strtoul(end + 1, &end, 10);
	if (*end || r < 1 || r > 1000000 || b < 1 || b > 1000000)
		return -1;
	srv_log_set_rate((unsigned)r, (unsigned)b);
	return 0;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* One line; extra: more JSON members (",\"k\":v") after "msg", or NULL. */
static void emit(const char *proto, const char *peer, const char *msg, const char *extra)
{
	FILE *f = out();
	struct timeval tv;
	struct tm tm;
	char ts[32];

	if (!as_json) {
		fprintf(f, "%s %s %s\n", proto, peer ? peer : "-", msg);
		return;
	}
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(f, "{\"time\":\"%s.%03ldZ\",\"proto\":", ts, (long)(tv.tv_usec / 1000));
	json_str(f, proto);
	fputs(",\"peer\":", f);
	if (peer)
		json_str(f, peer);
	else
		fputs("null", f);
	fputs(",\"msg\":", f);
	json_str(f, msg);
	if (extra)
		fputs(extra, f);
	fputs("}\n", f);
}

static void summarize(struct cls *c, double now)
{
	char msg[160];
	char extra[96];
	double span = now - c->first_drop;

	if (span < 0)
		span = 0;
	snprintf(msg, sizeof(msg), "%llu similar line%s suppressed in the last %.1f s (--log-rate %u/%u)",
		 c->dropped, c->dropped == 1 ? "" : "s", span, rate, burst);
	snprintf(extra, sizeof(extra), ",\"suppressed\":%llu,\"seconds\":%.1f", c->dropped, span);
	emit(c->proto, NULL, msg, extra);
	c->dropped = 0;
	c->summarized = now;
}

/* The summaries due (every pending one with force): those of classes silent since. */
static void sweep(double now, bool force)
{
	swept = now;
	for (unsigned i = 0; i <= NCLS; i++) {
		struct cls *c = &classes[i];

		if (c->fmt && c->dropped &&
		    (force || (now - c->summarized >= SUMMARY_EVERY &&
			       now - c->first_drop >= SUMMARY_EVERY)))
			summarize(c, now);
	}
}

void srv_log_flush(void)
{
	sweep(clock_now(), true);
}

static struct cls *cls_start(struct cls *c, const char *proto, const char *fmt, double now)
{
	c->proto = proto;
	c->fmt = fmt;
	c->tokens = burst;
	c->filled = now;
	c->summarized = NEVER;
	return c;
}

static struct cls *lookup(const char *proto, const char *fmt, double now)
{
	size_t h = (size_t)((uintptr_t)fmt >> 3);

	h ^= h >> 7;
	for (unsigned n = 0; n < NCLS; n++) {
		struct cls *c = &classes[(h + n) % NCLS];

		if (c->fmt == fmt && strcmp(c->proto, proto) == 0)
			return c;
		if (!c->fmt) {
			if (nclasses >= NCLS - 1)
				break;	/* keep a free slot so every probe ends */
			nclasses++;
			return cls_start(c, proto, fmt, now);
		}
	}
	/* The table is full: the overflow class, which keeps the first proto it saw. */
	if (!classes[NCLS].fmt)
		return cls_start(&classes[NCLS], proto, fmt, now);
	return &classes[NCLS];
}

/* May a line of this class go out now? Counts it when not. */
static bool admit(struct cls *c, double now)
{
	double dt = now - c->filled;

	if (dt > 0) {
		c->tokens += dt * rate;
		if (c->tokens > burst)
			c->tokens = burst;
		c->filled = now;
	}
	if (c->tokens >= 1.0) {
		c->tokens -= 1.0;
		if (c->dropped && now - c->summarized >= SUMMARY_EVERY)
			summarize(c, now);	/* before the line: the record stays in order */
		return true;
	}
	if (!c->dropped++)
		c->first_drop = now;
	return false;
}

void srv_log(const char *proto, const char *peer, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (rate) {
		double now = clock_now();

		if (strcmp(proto, "serve") == 0) {
			sweep(now, true);	/* the record is complete before start, stop */
		} else {
			if (now - swept >= SUMMARY_EVERY)
				sweep(now, false);
			if (!admit(lookup(proto, fmt, now), now))
				return;
		}
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(proto, peer, msg, NULL);
}
