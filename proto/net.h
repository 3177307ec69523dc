/* net.h: link layers (Ethernet, 802.1Q/QinQ, Linux SLL/SLL2, raw IPv4), IPv4 and UDP. */
#ifndef NBC_PROTO_NET_H
#define NBC_PROTO_NET_H

#include "cursor.h"

enum net_link {
	NET_LINK_ETHERNET,
	NET_LINK_SLL,	/* Linux cooked v1 (tcpdump -i any, older libpcap) */
	NET_LINK_SLL2,	/* Linux cooked v2 (tcpdump -i any, libpcap >= 1.10) */
	NET_LINK_RAW,	/* bare IPv4/IPv6 packets */
	NET_LINK_NULL,	/* BSD loopback: 4-byte address family in host order */
};

enum net_err {
	NET_OK = 0,
	NET_ERR_TRUNCATED = -1,	/* header cut short */
	NET_ERR_NOT_IPV4 = -2,	/* another network protocol: not ours, not malformed */
	NET_ERR_BAD_HEADER = -3,	/* a length or version field that cannot be right */
	NET_ERR_NOT_UDP = -4,
};

#define NET_ETHERTYPE_IPV4 0x0800
#define NET_ETHERTYPE_VLAN 0x8100
#define NET_ETHERTYPE_QINQ 0x88a8
#define NET_MAX_VLANS 2

struct net_link_hdr {
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	bool has_src_mac;
	bool has_dst_mac;
	uint16_t vlan[NET_MAX_VLANS];	/* VLAN IDs, outermost first */
	unsigned nvlan;
	uint16_t ethertype;
	struct view payload;
};

struct net_ipv4 {
	uint32_t src;		/* host byte order */
	uint32_t dst;
	uint8_t proto;
	uint8_t ttl;
	uint16_t id;
	bool more_frags;
	bool dont_frag;
	uint32_t frag_off;	/* in bytes */
	uint16_t total_len;	/* as the header says */
	bool cut;		/* fewer bytes captured than total_len (snaplen) */
	struct view payload;	/* what was captured of the payload */
};

struct net_udp {
	uint16_t sport;
	uint16_t dport;
	uint16_t len;
	bool cut;		/* payload shorter than the UDP length says */
	struct view payload;
};

int net_decode_link(enum net_link link, const uint8_t *p, size_t len,
		    struct net_link_hdr *out);
#define NET_TCP_FIN 0x01
#define NET_TCP_SYN 0x02
#define NET_TCP_RST 0x04
#define NET_TCP_PSH 0x08
#define NET_TCP_ACK 0x10

struct net_tcp {
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;
	uint16_t window;
	struct view payload;	/* what was captured of the segment's data */
};

int net_decode_ipv4(struct view pkt, struct net_ipv4 *out);
int net_decode_udp(struct view seg, struct net_udp *out);
int net_decode_tcp(struct view seg, struct net_tcp *out);

static inline bool net_ipv4_is_fragment(const struct net_ipv4 *ip)
{
	return ip->more_frags || ip->frag_off != 0;
}

/* Formats a host-order IPv4 address as dotted quad into buf (>= 16 bytes). */
const char *net_ip_str(uint32_t ip, char *buf, size_t cap);
/* Formats a MAC as lowercase colon-separated hex into buf (>= 18 bytes). */
const char *net_mac_str(const uint8_t mac[6], char *buf, size_t cap);
/* Parses aa:bb:cc:dd:ee:ff or aa-bb-...; returns false on bad input. */
bool net_mac_parse(const char *s, uint8_t mac[6]);
/* Parses a dotted quad into host order; returns false on bad input. */
bool net_ip_parse(const char *s, uint32_t *ip);

/* Encoders (test captures, the reference server and firmware). */
struct net_frame_spec {
	enum net_link link;
	const uint8_t *src_mac;
	const uint8_t *dst_mac;
	const uint16_t *vlans;	/* outermost first; may be NULL */
	unsigned nvlan;
	uint32_t src_ip;	/* host order */
	uint32_t dst_ip;
	uint16_t ip_id;
	uint8_t ttl;
	uint16_t sport;
	uint16_t dport;
};

/* Writes link + IPv4 + UDP headers and payload. Returns bytes written or 0 on overflow. */
size_t net_encode_udp_frame(const struct net_frame_spec *spec, const uint8_t *payload,
			    size_t plen, uint8_t *out, size_t cap);
/*
 * Writes one IPv4 fragment of a UDP datagram: the caller gives the whole UDP
 * datagram (header included) and the byte range [off, off+n) of it to carry.
 */
size_t net_encode_ipv4_fragment(const struct net_frame_spec *spec, const uint8_t *udp_dgram,
				size_t dgram_len, size_t off, size_t n, uint8_t *out,
				size_t cap);
/* Builds the UDP header + payload (checksum included) into out. */
size_t net_encode_udp_dgram(const struct net_frame_spec *spec, const uint8_t *payload,
			    size_t plen, uint8_t *out, size_t cap);
/* Writes link + IPv4 + TCP (no options) headers and payload. Returns bytes or 0. */
size_t net_encode_tcp_frame(const struct net_frame_spec *spec, uint32_t seq, uint32_t ack,
			    uint8_t flags, const uint8_t *payload, size_t plen, uint8_t *out,
			    size_t cap);
uint16_t net_checksum(const uint8_t *p, size_t len, uint32_t sum);

#endif
