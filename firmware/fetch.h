/* fetch.h: the reference firmware's file transfer clients (TFTP, HTTP) as PXE ROMs, pxelinux and iPXE speak them. */
#ifndef NBC_FIRMWARE_FETCH_H
#define NBC_FIRMWARE_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FETCH_SMALL_MAX 65536	/* bytes kept in fetch_result.small */
#define FETCH_HTTP_REDIRECTS 5
#define FETCH_HTTP_CONNS 4	/* keep-alive connections cached per session */

/*
 * Whose wire behaviour to copy. TFTP RRQ options (from captures and sources):
 *   FETCH_PXE_ROM   "blksize" 1432, "tsize" 0, in that order (the BIOS ROM of
 *                   ../shared/pcaps/real/dhcpd-209-not-sent, frame 29); with
 *                   fetch_opts.probe first a tsize probe aborted with ERROR 8
 *                   "User aborted the transfer" (OVMF's UEFI PXE, protocol facts).
 *   FETCH_PXELINUX  "tsize" 0, "blksize" 1408, in that order (same capture, frame 92+).
 *   FETCH_IPXE      "blksize" 1432, "tsize" 0 (iPXE src/net/udp/tftp.c tftp_send_rrq).
 * HTTP always as iPXE: Host, User-Agent: iPXE/1.0.0+, Connection: keep-alive.
 */
enum fetch_persona { FETCH_PXE_ROM, FETCH_PXELINUX, FETCH_IPXE };

struct fetch_result {
	uint64_t size;		/* body bytes received */
	int64_t tsize;		/* TFTP tsize from the OACK, -1 when none */
	int status;		/* HTTP status of the last response, 0 for TFTP */
	uint8_t *small;		/* the first FETCH_SMALL_MAX bytes, NUL-terminated; malloc'd */
	size_t small_len;
	unsigned retransmits;	/* TFTP: RRQs/ACKs sent again after a timeout */
	unsigned redirects;	/* HTTP: redirects followed */
	bool reused;		/* HTTP: the final request went over a cached connection */
	char error[256];	/* one line when the fetch failed; never holds a password */
};

struct fetch_opts {
	enum fetch_persona persona;
	double timeout;		/* seconds per wait; <= 0: 4 */
	unsigned retries;	/* resends after a timeout; 0: none */
	const char *save_path;	/* NULL: discard all but small */
	uint16_t blksize;	/* 0: the persona's default */
	bool probe;		/* TFTP: tsize probe first (PXE ROM loading its NBP) */
};

/*
 * TFTP RRQ of name from server:port (server in host byte order). Overwrites *r
 * (free a previous result first); call fetch_result_free on it afterwards,
 * success or not (small is NULL after a failure). Checks the
 * received size against the OACK's tsize. Returns 0, or -1 with r->error set.
 */
int fetch_tftp(uint32_t server, uint16_t port, const char *name, const struct fetch_opts *o,
	       struct fetch_result *r);

/* Keep-alive connections, at most one per host:port; one session per boot. */
struct fetch_http_session;
struct fetch_http_session *fetch_http_session_new(void);
void fetch_http_session_free(struct fetch_http_session *s);
/* TCP connections the session has opened so far (keep-alive reuse shows as fewer). */
unsigned fetch_http_session_connects(const struct fetch_http_session *s);

/*
 * HTTP/1.1 GET of url (http://[user[:password]@]host[:port]/path), following up
 * to FETCH_HTTP_REDIRECTS redirects; Basic auth is sent only after a 401 asks
 * for it, as iPXE does. s may be NULL (one connection, closed afterwards).
 * Returns 0 for 2xx, else -1 with r->status (0 when no response) and r->error.
 */
int fetch_http(struct fetch_http_session *s, const char *url, const struct fetch_opts *o,
	       struct fetch_result *r);

struct fetch_url {
	char scheme[8];		/* lowercase: "http", "https", "tftp" */
	char user[64];		/* percent-decoded; "" when absent */
	char password[128];
	bool has_userinfo;
	char host[128];
	uint16_t port;		/* the scheme's default when absent (80, 443, 69) */
	bool port_given;
	char path[512];		/* as sent, with the query; "/" when absent; no fragment */
};

/* Splits url; pure. Returns 0, or -1 when it is not a URL we can fetch from. */
int fetch_url_parse(const char *url, struct fetch_url *u);

/*
 * "tftp://server[:port]/path" (path's leading '/' dropped, as iPXE does),
 * "http://...", or a bare name fetched over TFTP from default_server:69.
 */
int fetch_any(struct fetch_http_session *s, const char *url_or_name, uint32_t default_server,
	      const struct fetch_opts *o, struct fetch_result *r);

/* Frees r->small; r may be reused afterwards. */
void fetch_result_free(struct fetch_result *r);

#endif
