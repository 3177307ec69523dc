/* log.h: netboot-serve's log: one line per protocol event on stderr, text or JSON lines,
 * rate-limited per kind of line (a token bucket per class, like the kernel's printk_ratelimit
 * or journald's RateLimitBurst), so a flood of requests cannot fill a disk. */
#ifndef NBC_SERVER_LOG_H
#define NBC_SERVER_LOG_H

#include <stdbool.h>
#include <stdio.h>

/* JSON lines instead of text (--log-json). */
void srv_log_set_json(bool json);
/*
 * One event: proto ("dhcp", "tftp", "http", "iscsi", "serve"), peer ("192.0.2.10:1234"
 * or a MAC, may be NULL), then a printf-style message saying what was asked and what was
 * answered. Never pass secrets (passwords, CHAP values) in the message.
 * Text: "tftp 127.0.0.1:40000 RRQ pxelinux.0 -> OACK blksize=1432 tsize=42430".
 * JSON: {"time":"2026-11-26T17:00:00.123Z","proto":"tftp","peer":"...","msg":"..."}.
 *
 * Rate limit: a line's class is its proto and its format string (the call site, by the
 * format's address: "MAC DISCOVER ... -> ..." of every MAC is one class). Each class has a
 * token bucket of BURST lines refilled at RATE lines a second (default SRV_LOG_BURST,
 * SRV_LOG_RATE; --log-rate); a line past it is dropped and counted. The count comes out
 * as one summary line of the class, at most one a second per class: before the class's
 * next line that passes, or (a class gone quiet) with the first line of any class a
 * second after its first drop, or before any "serve" line or at srv_log_flush():
 *   "dhcp - 19321 similar lines suppressed in the last 1.0 s (--log-rate 20/200)"
 *   {"time":"...","proto":"dhcp","peer":null,"msg":"19321 similar lines ...",
 *    "suppressed":19321,"seconds":1.0}
 * Exempt: proto "serve", the process's own lines (listening, stopping, the descriptor
 * limit, the loop failing), never driven by a client. Lines with no peer (the server's
 * own errors: "cannot write LEASES", "accept: ...") are limited but are classes of their
 * own: no client flood pushes them out; only more than BURST of the same at once are cut
 * (a leases file that cannot be written is retried, and logged, on every DHCP packet).
 */
void srv_log(const char *proto, const char *peer, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The defaults: 200 lines at once, then 20 a second, per class. */
#define SRV_LOG_RATE 20u
#define SRV_LOG_BURST 200u

/* The limit: rate lines a second after a burst of burst; rate 0 = unlimited (burst ignored).
 * Forgets every class (and any count not yet summarized). */
void srv_log_set_rate(unsigned rate, unsigned burst);
/* --log-rate's argument: "RATE/BURST" (1-1000000 each) or "0" (unlimited). 0 when it parses
 * (and sets the limit), -1 when not (nothing changed). */
int srv_log_rate_arg(const char *arg);
/* Writes every pending summary now, however recent. */
void srv_log_flush(void);

/* Test hooks. The stream the log goes to (NULL: stderr again). */
void srv_log_set_output(FILE *out);
/* The monotonic clock, in seconds, the rate limit runs on (NULL: CLOCK_MONOTONIC). */
void srv_log_set_clock(double (*now)(void));

#endif
