/* log.c: netboot-serve's log: one line per protocol event on stderr, text or JSON lines. */
#include "server/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

static bool as_json;

void srv_log_set_json(bool json)
{
	as_json = json;
}

static void json_str(const char *s)
{
	fputc('"', stderr);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(stderr, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(stderr, "\\u%04x", c);
		else
			fputc(c, stderr);
	}
	fputc('"', stderr);
}

void srv_log(const char *proto, const char *peer, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!as_json) {
		fprintf(stderr, "%s %s %s\n", proto, peer ? peer : "-", msg);
		return;
	}
	{
		struct timeval tv;
		struct tm tm;
		char ts[32];

		gettimeofday(&tv, NULL);
		gmtime_r(&tv.tv_sec, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "{\"time\":\"%s.%03ldZ\",\"proto\":", ts, (long)(tv.tv_usec / 1000));
		json_str(proto);
		fputs(",\"peer\":", stderr);
		if (peer)
			json_str(peer);
		else
			fputs("null", stderr);
		fputs(",\"msg\":", stderr);
		json_str(msg);
		fputs("}\n", stderr);
	}
}
