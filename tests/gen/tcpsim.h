/*
 * tcpsim.h: TCP connections with HTTP and iSCSI exchanges for mkscenarios.c.
 * Included by it after struct sim, die() and emit(); everything here is static
 * and deterministic (fixed ISNs derived from the client port, fixed tags).
 */
#ifndef NBC_TESTS_GEN_TCPSIM_H
#define NBC_TESTS_GEN_TCPSIM_H

#include "proto/iscsi.h"

#define TCP_MSS 1448
#define HTTP_PORT 80

struct tcpconn {
	const uint8_t *cmac, *smac;
	uint32_t cip, sip;
	uint16_t cport, sport;
	uint32_t cseq, sseq;	/* the next sequence number each side sends */
};

/*
 * How tcp_send_v() puts a message's segments on the wire (segment indexes;
 * -1: not used). Segments go out in order unless swap >= 0 (segments swap
 * and swap + 1 change places); resend is sent a second time, byte for byte,
 * right after segment resend_after; drop is sent but not written to the
 * capture (the receiver still gets it: its ACKs cover it). no_ack: the
 * receiver does not acknowledge (its next data segment will).
 */
struct tcpvar {
	int swap;
	int resend;
	int resend_after;
	int drop;
	bool no_ack;
};

static const struct tcpvar TV_PLAIN = { -1, -1, -1, -1, false };
static const struct tcpvar TV_NOACK = { -1, -1, -1, -1, true };

/* One segment from one side; write false: sent but lost to the capture. */
static void tcp_seg(struct sim *s, const struct tcpconn *k, bool from_client, uint32_t seq,
		    uint32_t ack, uint8_t flags, const uint8_t *p, size_t n, bool write)
{
	static uint8_t frame[2048];
	struct net_frame_spec sp = { s->link,
				     from_client ? k->cmac : k->smac,
				     from_client ? k->smac : k->cmac,
				     s->vlans,
				     s->nvlan,
				     from_client ? k->cip : k->sip,
				     from_client ? k->sip : k->cip,
				     s->ip_id++,
				     64,
				     from_client ? k->cport : k->sport,
				     from_client ? k->sport : k->cport };
	size_t len = net_encode_tcp_frame(&sp, seq, ack, flags, p, n, frame, sizeof(frame));

	if (!len)
		die("tcp frame");
	if (write)
		emit(s, frame, len);
	else
		s->t += 0.0005;
}

/* The three-way handshake from client c (next client port) to the server's sport. */
static void tcp_open(struct sim *s, struct tcpconn *k, const struct client *c, uint16_t sport)
{
	memset(k, 0, sizeof(*k));
	k->cmac = c->mac;
	k->smac = SRV_MAC;
	k->cip = c->ip;
	k->sip = SERVER_IP;
	k->cport = s->next_port++;
	k->sport = sport;
	k->cseq = 0x3c000000u + ((uint32_t)k->cport << 8);
	k->sseq = 0xa5000000u + ((uint32_t)k->cport << 8);
	tcp_seg(s, k, true, k->cseq, 0, NET_TCP_SYN, NULL, 0, true);
	k->cseq++;
	tcp_seg(s, k, false, k->sseq, k->cseq, NET_TCP_SYN | NET_TCP_ACK, NULL, 0, true);
	k->sseq++;
	tcp_seg(s, k, true, k->cseq, k->sseq, NET_TCP_ACK, NULL, 0, true);
}

/*
 * Sends len bytes from one side in TCP_MSS segments (ACK|PSH each); the
 * other side acknowledges every second segment and the last, and only when
 * its contiguous data grew (no duplicate ACKs).
 */
static void tcp_send_v(struct sim *s, struct tcpconn *k, bool from_client, const uint8_t *p,
		       size_t len, const struct tcpvar *v)
{
	static bool got[256];
	uint32_t *snd = from_client ? &k->cseq : &k->sseq;
	uint32_t rcv = from_client ? k->sseq : k->cseq;
	uint32_t base = *snd;
	size_t nseg = (len + TCP_MSS - 1) / TCP_MSS;
	size_t hi = 0, acked = 0;
	unsigned since = 0;

	if (nseg > sizeof(got) / sizeof(got[0]))
		die("tcp message too long");
	memset(got, 0, sizeof(got));
	for (size_t pos = 0; pos < nseg; pos++) {
		size_t i = pos;

		if (v->swap >= 0 && pos == (size_t)v->swap)
			i = pos + 1;
		else if (v->swap >= 0 && pos == (size_t)v->swap + 1)
			i = pos - 1;
		{
			size_t off = i * TCP_MSS;
			size_t n = len - off < TCP_MSS ? len - off : TCP_MSS;

			tcp_seg(s, k, from_client, base + (uint32_t)off, rcv,
				NET_TCP_ACK | NET_TCP_PSH, p + off, n, (int)i != v->drop);
		}
		got[i] = true;
		if (v->resend >= 0 && (int)i == v->resend_after) {
			size_t off = (size_t)v->resend * TCP_MSS;
			size_t n = len - off < TCP_MSS ? len - off : TCP_MSS;

			s->t += 0.0002;
			tcp_seg(s, k, from_client, base + (uint32_t)off, rcv,
				NET_TCP_ACK | NET_TCP_PSH, p + off, n, true);
		}
		while (hi < nseg && got[hi])
			hi++;
		since++;
		if (!v->no_ack && hi > acked && (since >= 2 || pos == nseg - 1)) {
			size_t end = hi * TCP_MSS < len ? hi * TCP_MSS : len;

			tcp_seg(s, k, !from_client, rcv, base + (uint32_t)end, NET_TCP_ACK, NULL, 0,
				true);
			acked = hi;
			since = 0;
		}
	}
	*snd = base + (uint32_t)len;
}

static void tcp_send(struct sim *s, struct tcpconn *k, bool from_client, const uint8_t *p,
		     size_t len)
{
	tcp_send_v(s, k, from_client, p, len, &TV_PLAIN);
}

/* FIN from one side, FIN+ACK from the other, the last ACK. */
static void tcp_close(struct sim *s, struct tcpconn *k, bool client_first)
{
	uint32_t *a = client_first ? &k->cseq : &k->sseq;
	uint32_t *b = client_first ? &k->sseq : &k->cseq;

	tcp_seg(s, k, client_first, *a, *b, NET_TCP_FIN | NET_TCP_ACK, NULL, 0, true);
	++*a;
	s->t += 0.0002;
	tcp_seg(s, k, !client_first, *b, *a, NET_TCP_FIN | NET_TCP_ACK, NULL, 0, true);
	++*b;
	tcp_seg(s, k, client_first, *a, *b, NET_TCP_ACK, NULL, 0, true);
}

/* HTTP ---------------------------------------------------------------------- */

/* Deterministic file bytes: each file its own pattern. */
static void fill(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + 1 + seed * 13);
}

/* iPXE's request for path; ack: the server acknowledges it before answering. */
static void http_get(struct sim *s, struct tcpconn *k, const char *path, bool ack)
{
	char req[512];
	int n = snprintf(req, sizeof(req),
			 "GET %s HTTP/1.1\r\nConnection: keep-alive\r\nUser-Agent: iPXE/1.21.1\r\n"
			 "Host: 192.0.2.1\r\n\r\n",
			 path);

	if (n < 0 || (size_t)n >= sizeof(req))
		die("http request");
	tcp_send_v(s, k, true, (const uint8_t *)req, (size_t)n, ack ? &TV_PLAIN : &TV_NOACK);
}

/* A response with Content-Length; status line e.g. "200 OK". */
static void http_reply_v(struct sim *s, struct tcpconn *k, const char *status, const uint8_t *body,
			 size_t n, const struct tcpvar *v)
{
	static uint8_t buf[70000];
	int h = snprintf((char *)buf, sizeof(buf),
			 "HTTP/1.1 %s\r\nContent-Length: %zu\r\nContent-Type: text/plain\r\n\r\n",
			 status, n);

	if (h < 0 || (size_t)h + n > sizeof(buf))
		die("http reply");
	memcpy(buf + h, body, n);
	s->t += 0.001;
	tcp_send_v(s, k, false, buf, (size_t)h + n, v);
}

static void http_reply(struct sim *s, struct tcpconn *k, const char *status, const uint8_t *body,
		       size_t n)
{
	http_reply_v(s, k, status, body, n, &TV_PLAIN);
}

static void http_text(struct sim *s, struct tcpconn *k, const char *text)
{
	http_reply(s, k, "200 OK", (const uint8_t *)text, strlen(text));
}

/* A 200 response with Transfer-Encoding: chunked, the body in three chunks. */
static void http_reply_chunked(struct sim *s, struct tcpconn *k, const char *text)
{
	static uint8_t buf[8192];
	size_t len = strlen(text), cut1 = len / 3, cut2 = 2 * len / 3;
	size_t cuts[4] = { 0, cut1, cut2, len };
	int h = snprintf((char *)buf, sizeof(buf),
			 "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
			 "Content-Type: text/plain\r\n\r\n");
	size_t n;

	if (h < 0 || len + 200 > sizeof(buf))
		die("chunked reply");
	n = (size_t)h;
	for (int i = 0; i < 3; i++) {
		size_t cl = cuts[i + 1] - cuts[i];

		n += (size_t)snprintf((char *)buf + n, sizeof(buf) - n, "%zx\r\n", cl);
		memcpy(buf + n, text + cuts[i], cl);
		n += cl;
		memcpy(buf + n, "\r\n", 2);
		n += 2;
	}
	memcpy(buf + n, "0\r\n\r\n", 5);
	n += 5;
	s->t += 0.001;
	tcp_send(s, k, false, buf, n);
}

/* iSCSI --------------------------------------------------------------------- */

struct iscsess {
	struct tcpconn k;
	uint8_t isid[6];
	uint32_t itt;		/* the next initiator task tag */
	uint32_t cmdsn;		/* the next CmdSN */
	uint32_t statsn;	/* the target's next StatSN */
	bool got_statsn;	/* a response has told the initiator StatSN */
	char iname[96];
};

static const char TARGET_IQN[] = "iqn.2026-11.test:disk0";

static void iscsi_send(struct sim *s, struct iscsess *x, bool from_client,
		       const struct iscsi_pdu *pdu)
{
	static uint8_t buf[4096];
	size_t n = iscsi_pdu_encode(buf, sizeof(buf), pdu, false, false);

	if (!n)
		die("iscsi pdu");
	if (!from_client)
		s->t += 0.0005;
	tcp_send(s, &x->k, from_client, buf, n);
}

/* Appends "key=value" and its NUL to a text data segment. */
static void kv(char *buf, size_t *n, size_t cap, const char *item)
{
	size_t l = strlen(item) + 1;

	if (*n + l > cap)
		die("iscsi text");
	memcpy(buf + *n, item, l);
	*n += l;
}

static void iscsi_open(struct sim *s, struct iscsess *x, const struct client *c)
{
	const uint8_t *u = c->uuid;

	memset(x, 0, sizeof(*x));
	tcp_open(s, &x->k, c, ISCSI_PORT);
	/* iPXE: ISID type IANA enterprise 10019 (Fen Systems) and a qualifier. */
	x->isid[0] = 0x40;
	x->isid[2] = 0x27;
	x->isid[3] = 0x23;
	x->isid[4] = 0x12;
	x->isid[5] = c->mac[5];
	x->itt = 0x1000u + c->mac[5];
	x->cmdsn = 1;
	x->statsn = 0x5a00u + c->mac[5];
	snprintf(x->iname, sizeof(x->iname),
		 "InitiatorName=iqn.2010-04.org.ipxe:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		 u[13], u[14], u[15]);
}

/* Login Request: immediate, same ITT and CmdSN through the whole login. */
static void login_req(struct sim *s, struct iscsess *x, uint8_t csg, uint8_t nsg, bool transit,
		      const char *text, size_t n)
{
	struct iscsi_pdu p;

	memset(&p, 0, sizeof(p));
	p.opcode = ISCSI_OP_LOGIN_REQ;
	p.immediate = true;
	p.login_transit = transit;
	p.login_csg = csg;
	p.login_nsg = nsg;
	memcpy(p.isid, x->isid, 6);
	p.itt = x->itt;
	p.cmd_sn = x->cmdsn;
	p.w28 = x->got_statsn ? x->statsn : 0;	/* ExpStatSN: 0 before any response */
	p.data.p = (const uint8_t *)text;
	p.data.len = n;
	iscsi_send(s, x, true, &p);
}

/* Login Response; tsih non-zero on the last one of a successful login. */
static void login_rsp(struct sim *s, struct iscsess *x, uint8_t csg, uint8_t nsg, bool transit,
		      uint8_t cls, uint8_t detail, uint16_t tsih, const char *text, size_t n)
{
	struct iscsi_pdu p;

	memset(&p, 0, sizeof(p));
	p.opcode = ISCSI_OP_LOGIN_RSP;
	p.login_transit = transit;
	p.login_csg = csg;
	p.login_nsg = nsg;
	memcpy(p.isid, x->isid, 6);
	p.tsih = tsih;
	p.itt = x->itt;
	p.stat_sn = x->statsn++;
	x->got_statsn = true;
	p.exp_cmd_sn = x->cmdsn;
	p.max_cmd_sn = x->cmdsn + 31;
	p.status_class = cls;
	p.status_detail = detail;
	p.data.p = (const uint8_t *)text;
	p.data.len = n;
	iscsi_send(s, x, false, &p);
}

/* SCSI Command (simple task attribute); returns its ITT. */
static uint32_t scsi_cmd(struct sim *s, struct iscsess *x, const uint8_t *cdb, size_t cdblen,
			 uint32_t edtl)
{
	struct iscsi_pdu p;

	memset(&p, 0, sizeof(p));
	p.opcode = ISCSI_OP_SCSI_CMD;
	p.flags = 0x01;	/* ATTR simple */
	p.final = true;
	p.scsi_read = edtl > 0;
	p.edtl = edtl;
	p.itt = ++x->itt;
	p.cmd_sn = x->cmdsn++;
	p.w28 = x->statsn;	/* ExpStatSN */
	memcpy(p.cdb, cdb, cdblen);
	iscsi_send(s, x, true, &p);
	return p.itt;
}

/* Data-In with the F and S bits: all the data and status GOOD in one PDU. */
static void data_in(struct sim *s, struct iscsess *x, uint32_t itt, const uint8_t *d, size_t n)
{
	struct iscsi_pdu p;

	memset(&p, 0, sizeof(p));
	p.opcode = ISCSI_OP_DATA_IN;
	p.final = true;
	p.has_status = true;
	p.itt = itt;
	p.ttt = 0xffffffffu;
	p.stat_sn = x->statsn++;
	p.exp_cmd_sn = x->cmdsn;
	p.max_cmd_sn = x->cmdsn + 31;
	p.w36 = 0;	/* DataSN */
	p.buffer_offset = 0;
	p.data.p = d;
	p.data.len = n;
	iscsi_send(s, x, false, &p);
}

/* SCSI Response: GOOD, or CHECK CONDITION with fixed sense (key, asc). */
static void scsi_rsp(struct sim *s, struct iscsess *x, uint32_t itt, uint8_t status, uint8_t key,
		     uint8_t asc)
{
	struct iscsi_pdu p;
	uint8_t sense[2 + 18];

	memset(&p, 0, sizeof(p));
	p.opcode = ISCSI_OP_SCSI_RSP;
	p.flags = 0x80;
	p.scsi_status = status;
	p.itt = itt;
	p.stat_sn = x->statsn++;
	p.exp_cmd_sn = x->cmdsn;
	p.max_cmd_sn = x->cmdsn + 31;
	if (status == 0x02) {
		memset(sense, 0, sizeof(sense));
		sense[1] = 18;	/* SenseLength */
		sense[2] = 0x70;	/* current, fixed format */
		sense[4] = key;
		sense[9] = 10;	/* additional sense length */
		sense[14] = asc;
		p.data.p = sense;
		p.data.len = sizeof(sense);
	}
	iscsi_send(s, x, false, &p);
}

/* Logout Request (reason 0: close the session) and its response; unused so far. */
static inline void logout_req(struct sim *s, struct iscsess *x)
{
	struct iscsi_pdu p;

	memset(&p, 0, sizeof(p));
	p.opcode = ISCSI_OP_LOGOUT_REQ;
	p.immediate = true;
	p.flags = 0x80;
	p.logout_reason = 0;
	p.itt = ++x->itt;
	p.cmd_sn = x->cmdsn;
	p.w28 = x->statsn;
	iscsi_send(s, x, true, &p);
}

static inline void logout_rsp(struct sim *s, struct iscsess *x)
{
	struct iscsi_pdu p;

	memset(&p, 0, sizeof(p));
	p.opcode = ISCSI_OP_LOGOUT_RSP;
	p.flags = 0x80;
	p.response = 0;
	p.itt = x->itt;
	p.stat_sn = x->statsn++;
	p.exp_cmd_sn = x->cmdsn;
	p.max_cmd_sn = x->cmdsn + 31;
	iscsi_send(s, x, false, &p);
}

static const char ISCSI_OPS_REQ[] =
	"HeaderDigest=None\0DataDigest=None\0MaxConnections=1\0InitialR2T=Yes\0"
	"ImmediateData=No\0MaxRecvDataSegmentLength=8192\0MaxBurstLength=262144\0"
	"FirstBurstLength=65536\0DefaultTime2Wait=0\0DefaultTime2Retain=0\0"
	"MaxOutstandingR2T=1\0DataPDUInOrder=Yes\0DataSequenceInOrder=Yes\0"
	"ErrorRecoveryLevel=0\0";
static const char ISCSI_OPS_RSP[] =
	"HeaderDigest=None\0DataDigest=None\0MaxConnections=1\0InitialR2T=Yes\0"
	"ImmediateData=No\0MaxRecvDataSegmentLength=262144\0MaxBurstLength=262144\0"
	"FirstBurstLength=65536\0DefaultTime2Wait=2\0DefaultTime2Retain=0\0"
	"MaxOutstandingR2T=1\0DataPDUInOrder=Yes\0DataSequenceInOrder=Yes\0"
	"ErrorRecoveryLevel=0\0";

enum login_kind {
	LOGIN_NONE,		/* AuthMethod=None, accepted */
	LOGIN_CHAP_OK,		/* CHAP as chapuser7, accepted */
	LOGIN_CHAP_FAIL,	/* CHAP as chapuser7, status 2/1 authentication failure */
	LOGIN_NOT_FOUND,	/* AuthMethod=None, status 2/3 target not found */
};

/* The login as iPXE does it: security stage, then operational. Returns true when logged in. */
static bool iscsi_login(struct sim *s, struct iscsess *x, enum login_kind kind)
{
	static const char CHAP_A_REQ[] = "CHAP_A=5\0";
	static const char CHAP_OFFER[] = "TargetPortalGroupTag=1\0AuthMethod=CHAP\0";
	static const char CHAP_CHALLENGE[] =
		"CHAP_A=5\0CHAP_I=1\0CHAP_C=0x1f2e3d4c5b6a79880f1e2d3c4b5a6978\0";
	static const char CHAP_RESP[] =
		"CHAP_N=chapuser7\0CHAP_R=0x5ec7e7a1b2c3d4e5f60718293a4b5c6d\0";
	static const char SEC_OK[] = "TargetPortalGroupTag=1\0AuthMethod=None\0";
	char text[512];
	size_t n = 0;
	bool chap = kind == LOGIN_CHAP_OK || kind == LOGIN_CHAP_FAIL;
	char tgt[64];

	snprintf(tgt, sizeof(tgt), "TargetName=%s", TARGET_IQN);
	kv(text, &n, sizeof(text), x->iname);
	kv(text, &n, sizeof(text), tgt);
	kv(text, &n, sizeof(text), "SessionType=Normal");
	kv(text, &n, sizeof(text), chap ? "AuthMethod=CHAP,None" : "AuthMethod=None");
	login_req(s, x, ISCSI_STAGE_SECURITY, ISCSI_STAGE_OPERATIONAL, true, text, n);
	if (kind == LOGIN_NOT_FOUND) {
		login_rsp(s, x, ISCSI_STAGE_SECURITY, 0, false, ISCSI_LOGIN_INITIATOR_ERR, 3, 0,
			  NULL, 0);
		return false;
	}
	if (chap) {
		login_rsp(s, x, ISCSI_STAGE_SECURITY, ISCSI_STAGE_SECURITY, false, 0, 0, 0,
			  CHAP_OFFER, sizeof(CHAP_OFFER) - 1);
		login_req(s, x, ISCSI_STAGE_SECURITY, ISCSI_STAGE_OPERATIONAL, true, CHAP_A_REQ,
			  sizeof(CHAP_A_REQ) - 1);
		login_rsp(s, x, ISCSI_STAGE_SECURITY, ISCSI_STAGE_SECURITY, false, 0, 0, 0,
			  CHAP_CHALLENGE, sizeof(CHAP_CHALLENGE) - 1);
		login_req(s, x, ISCSI_STAGE_SECURITY, ISCSI_STAGE_OPERATIONAL, true, CHAP_RESP,
			  sizeof(CHAP_RESP) - 1);
		if (kind == LOGIN_CHAP_FAIL) {
			login_rsp(s, x, ISCSI_STAGE_SECURITY, 0, false, ISCSI_LOGIN_INITIATOR_ERR,
				  1, 0, NULL, 0);
			return false;
		}
		login_rsp(s, x, ISCSI_STAGE_SECURITY, ISCSI_STAGE_OPERATIONAL, true, 0, 0, 0, NULL,
			  0);
	} else {
		login_rsp(s, x, ISCSI_STAGE_SECURITY, ISCSI_STAGE_OPERATIONAL, true, 0, 0, 0,
			  SEC_OK, sizeof(SEC_OK) - 1);
	}
	login_req(s, x, ISCSI_STAGE_OPERATIONAL, ISCSI_STAGE_FULL_FEATURE, true, ISCSI_OPS_REQ,
		  sizeof(ISCSI_OPS_REQ) - 1);
	login_rsp(s, x, ISCSI_STAGE_OPERATIONAL, ISCSI_STAGE_FULL_FEATURE, true, 0, 0,
		  (uint16_t)(0x0100u + x->isid[5]), ISCSI_OPS_RSP, sizeof(ISCSI_OPS_RSP) - 1);
	return true;
}

/*
 * iPXE's sanboot order: TEST UNIT READY (UNIT ATTENTION, then GOOD), READ
 * CAPACITY(10) (a 1 GiB disk of 512-byte blocks), READ(10) of LBA 0. A
 * bootable disk ends that block with 0x55 0xAA; a blank one is all zeros.
 */
static void iscsi_sanboot(struct sim *s, struct iscsess *x, bool bootable)
{
	static const uint8_t tur[6] = { 0x00 };
	static const uint8_t rcap[10] = { 0x25 };
	static const uint8_t rd10[10] = { 0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
	static const uint8_t cap[8] = { 0x00, 0x1f, 0xff, 0xff, 0x00, 0x00, 0x02, 0x00 };
	uint8_t block[512];
	uint32_t itt;

	itt = scsi_cmd(s, x, tur, sizeof(tur), 0);
	scsi_rsp(s, x, itt, 0x02, 0x06, 0x29);
	itt = scsi_cmd(s, x, tur, sizeof(tur), 0);
	scsi_rsp(s, x, itt, 0x00, 0, 0);
	itt = scsi_cmd(s, x, rcap, sizeof(rcap), 8);
	data_in(s, x, itt, cap, sizeof(cap));
	itt = scsi_cmd(s, x, rd10, sizeof(rd10), 512);
	memset(block, 0, sizeof(block));
	if (bootable) {
		/* An MBR: some code, one active partition, the signature. */
		fill(block, 446, 99);
		block[446] = 0x80;
		block[450] = 0x07;
		block[454] = 0x00;
		block[455] = 0x08;
		block[459] = 0x1f;
		block[510] = 0x55;
		block[511] = 0xaa;
	}
	data_in(s, x, itt, block, sizeof(block));
}

#endif
