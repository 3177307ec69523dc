/* log.h: netboot-serve's log: one line per protocol event on stderr, text or JSON lines. */
#ifndef NBC_SERVER_LOG_H
#define NBC_SERVER_LOG_H

#include <stdbool.h>

/* JSON lines instead of text (--log-json). */
void srv_log_set_json(bool json);
/*
 * One event: proto ("dhcp", "tftp", "http", "iscsi", "serve"), peer ("192.0.2.10:1234"
 * or a MAC, may be NULL), then a printf-style message saying what was asked and what was
 * answered. Never pass secrets (passwords, CHAP values) in the message.
 * Text: "tftp 127.0.0.1:40000 RRQ pxelinux.0 -> OACK blksize=1432 tsize=42430".
 * JSON: {"time":"2026-11-26T17:00:00.123Z","proto":"tftp","peer":"...","msg":"..."}.
 */
void srv_log(const char *proto, const char *peer, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
