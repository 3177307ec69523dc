/* net.c: link, IPv4 and UDP decoding and encoding. */
#include "net.h"

#include <stdio.h>

bool view_to_cstr(struct view v, char *dst, size_t cap)
{
	size_t n = v.len;
	bool whole = true;

	if (cap == 0)
		return false;
	if (n >= cap) {
		n = cap - 1;
		whole = false;
	}
	if (n)
		memcpy(dst, v.p, n);
	dst[n] = '\0';
	return whole;
}

void view_to_printable(struct view v, char *dst, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (cap == 0)
		return;
	for (size_t i = 0; i < v.len; i++) {
		uint8_t b = v.p[i];

		if (b >= 0x20 && b < 0x7f && b != '\\') {
			if (o + 1 >= cap)
				break;
			dst[o++] = (char)b;
		} else {
			if (o + 4 >= cap)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[b >> 4];
			dst[o++] = hex[b & 15];
		}
	}
	dst[o] = '\0';
}

/* Ethernet II with up to two VLAN tags (802.1Q, QinQ 802.1ad). */
static int decode_ethernet(struct cur *c, struct net_link_hdr *out)
{
	uint16_t type;

	cur_copy(c, out->dst_mac, 6);
	cur_copy(c, out->src_mac, 6);
	type = cur_be16(c);
	if (c->err)
		return NET_ERR_TRUNCATED;
	out->has_src_mac = out->has_dst_mac = true;
	while (type == NET_ETHERTYPE_VLAN || type == NET_ETHERTYPE_QINQ || type == 0x9100) {
		uint16_t tci = cur_be16(c);

		type = cur_be16(c);
		if (c->err)
			return NET_ERR_TRUNCATED;
		if (out->nvlan < NET_MAX_VLANS)
			out->vlan[out->nvlan] = tci & 0x0fff;
		out->nvlan++;
		if (out->nvlan > 8)
			return NET_ERR_BAD_HEADER;	/* a tag loop, not a real frame */
	}
	if (out->nvlan > NET_MAX_VLANS)
		out->nvlan = NET_MAX_VLANS;
	out->ethertype = type;
	return NET_OK;
}

/* Linux cooked v1: packet type, ARPHRD, addr len, 8 addr bytes, protocol. */
static int decode_sll(struct cur *c, struct net_link_hdr *out)
{
	uint16_t pkttype = cur_be16(c);
	uint16_t hatype = cur_be16(c);
	uint16_t alen = cur_be16(c);
	uint8_t addr[8];

	cur_copy(c, addr, 8);
	out->ethertype = cur_be16(c);
	if (c->err)
		return NET_ERR_TRUNCATED;
	(void)pkttype;
	if (hatype == 1 && alen == 6) {
		memcpy(out->src_mac, addr, 6);
		out->has_src_mac = true;
	}
	return NET_OK;
}

/* Linux cooked v2: protocol, reserved, ifindex, ARPHRD, pkttype, addr len, 8 addr bytes. */
static int decode_sll2(struct cur *c, struct net_link_hdr *out)
{
	uint16_t hatype;
	uint8_t alen;
	uint8_t addr[8];

	out->ethertype = cur_be16(c);
	cur_skip(c, 2);		/* reserved */
	cur_skip(c, 4);		/* interface index */
	hatype = cur_be16(c);
	(void)cur_u8(c);	/* packet type */
	alen = cur_u8(c);
	cur_copy(c, addr, 8);
	if (c->err)
		return NET_ERR_TRUNCATED;
	if (hatype == 1 && alen == 6) {
		memcpy(out->src_mac, addr, 6);
		out->has_src_mac = true;
	}
	return NET_OK;
}

int net_decode_link(enum net_link link, const uint8_t *p, size_t len,
		    struct net_link_hdr *out)
{
	struct cur c = cur_make(p, len);
	int rc;

	memset(out, 0, sizeof(*out));
	switch (link) {
	case NET_LINK_ETHERNET:
		rc = decode_ethernet(&c, out);
		break;
	case NET_LINK_SLL:
		rc = decode_sll(&c, out);
		break;
	case NET_LINK_SLL2:
		rc = decode_sll2(&c, out);
		break;
	case NET_LINK_NULL: {
		/* AF_INET is 2 everywhere; the word is in the capturing host's order. */
		uint32_t fam = cur_le32(&c);

		if (c.err)
			return NET_ERR_TRUNCATED;
		out->ethertype = (fam == 2 || fam == 0x02000000u) ? NET_ETHERTYPE_IPV4 : 0;
		rc = NET_OK;
		break;
	}
	case NET_LINK_RAW:
		if (len < 1)
			return NET_ERR_TRUNCATED;
		out->ethertype = (p[0] >> 4) == 4 ? NET_ETHERTYPE_IPV4 : 0x86dd;
		rc = NET_OK;
		break;
	default:
		return NET_ERR_BAD_HEADER;
	}
	if (rc != NET_OK)
		return rc;
	out->payload.p = c.p;
	out->payload.len = c.len;
	return out->ethertype == NET_ETHERTYPE_IPV4 ? NET_OK : NET_ERR_NOT_IPV4;
}

int net_decode_ipv4(struct view pkt, struct net_ipv4 *out)
{
	struct cur c = cur_make(pkt.p, pkt.len);
	uint8_t vihl = cur_u8(&c);
	size_t ihl = (size_t)(vihl & 15) * 4;
	uint16_t frag;

	memset(out, 0, sizeof(*out));
	(void)cur_u8(&c);	/* DSCP/ECN */
	out->total_len = cur_be16(&c);
	out->id = cur_be16(&c);
	frag = cur_be16(&c);
	out->ttl = cur_u8(&c);
	out->proto = cur_u8(&c);
	cur_skip(&c, 2);	/* header checksum: captures are often offloaded, never checked */
	out->src = cur_be32(&c);
	out->dst = cur_be32(&c);
	if (c.err)
		return NET_ERR_TRUNCATED;
	if ((vihl >> 4) != 4)
		return NET_ERR_NOT_IPV4;
	if (ihl < 20 || out->total_len < ihl)
		return NET_ERR_BAD_HEADER;
	if (pkt.len < ihl)
		return NET_ERR_TRUNCATED;
	out->dont_frag = (frag & 0x4000) != 0;
	out->more_frags = (frag & 0x2000) != 0;
	out->frag_off = (uint32_t)(frag & 0x1fff) * 8;
	/*
	 * Trust total_len over the captured length: Ethernet pads short frames,
	 * and the padding is not payload. Fewer bytes than total_len is a cut.
	 */
	out->payload.p = pkt.p + ihl;
	if (pkt.len >= out->total_len) {
		out->payload.len = (size_t)out->total_len - ihl;
	} else {
		out->payload.len = pkt.len - ihl;
		out->cut = true;
	}
	return NET_OK;
}

int net_decode_udp(struct view seg, struct net_udp *out)
{
	struct cur c = cur_make(seg.p, seg.len);

	memset(out, 0, sizeof(*out));
	out->sport = cur_be16(&c);
	out->dport = cur_be16(&c);
	out->len = cur_be16(&c);
	cur_skip(&c, 2);	/* checksum */
	if (c.err)
		return NET_ERR_TRUNCATED;
	if (out->len < 8)
		return NET_ERR_BAD_HEADER;
	out->payload.p = c.p;
	if (c.len >= (size_t)out->len - 8) {
		out->payload.len = (size_t)out->len - 8;
	} else {
		out->payload.len = c.len;
		out->cut = true;
	}
	return NET_OK;
}

const char *net_ip_str(uint32_t ip, char *buf, size_t cap)
{
	snprintf(buf, cap, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
		 ip & 255);
	return buf;
}

const char *net_mac_str(const uint8_t mac[6], char *buf, size_t cap)
{
	snprintf(buf, cap, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
	return buf;
}


bool net_mac_parse(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		int hi = hex_digit(s[0]);
		int lo = hi < 0 ? -1 : hex_digit(s[1]);

		if (hi < 0 || lo < 0)
			return false;
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i < 5) {
			if (*s != ':' && *s != '-')
				return false;
			s++;
		}
	}
	return *s == '\0';
}

bool net_ip_parse(const char *s, uint32_t *ip)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++) {
		unsigned part = 0;
		int digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			part = part * 10 + (unsigned)(*s - '0');
			s++;
			digits++;
		}
		if (digits == 0 || digits > 3 || part > 255)
			return false;
		v = v << 8 | part;
		if (i < 3) {
			if (*s != '.')
				return false;
			s++;
		}
	}
	if (*s != '\0')
		return false;
	*ip = v;
	return true;
}

uint16_t net_checksum(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void encode_link(const struct net_frame_spec *s, struct wbuf *w)
{
	static const uint8_t zero[6];
	const uint8_t *src = s->src_mac ? s->src_mac : zero;

	switch (s->link) {
	case NET_LINK_ETHERNET:
		wbuf_bytes(w, s->dst_mac ? s->dst_mac : zero, 6);
		wbuf_bytes(w, src, 6);
		for (unsigned i = 0; i < s->nvlan && s->vlans; i++) {
			wbuf_be16(w, i + 1 < s->nvlan ? NET_ETHERTYPE_QINQ : NET_ETHERTYPE_VLAN);
			wbuf_be16(w, s->vlans[i] & 0x0fff);
		}
		/* The type field before the first tag must be 0x88a8 for QinQ. */
		if (s->nvlan > 1 && s->vlans)
			wbuf_put_be16_at(w, 12, NET_ETHERTYPE_QINQ);
		wbuf_be16(w, NET_ETHERTYPE_IPV4);
		break;
	case NET_LINK_SLL:
		wbuf_be16(w, 0);	/* sent to us */
		wbuf_be16(w, 1);	/* ARPHRD_ETHER */
		wbuf_be16(w, 6);
		wbuf_bytes(w, src, 6);
		wbuf_zero(w, 2);
		wbuf_be16(w, NET_ETHERTYPE_IPV4);
		break;
	case NET_LINK_SLL2:
		wbuf_be16(w, NET_ETHERTYPE_IPV4);
		wbuf_zero(w, 2);
		wbuf_be32(w, 2);	/* ifindex */
		wbuf_be16(w, 1);	/* ARPHRD_ETHER */
		wbuf_u8(w, 0);
		wbuf_u8(w, 6);
		wbuf_bytes(w, src, 6);
		wbuf_zero(w, 2);
		break;
	case NET_LINK_RAW:
		break;
	case NET_LINK_NULL:
		wbuf_u8(w, 2);
		wbuf_zero(w, 3);
		break;
	}
}

static void encode_ipv4_hdr(const struct net_frame_spec *s, struct wbuf *w, size_t plen,
			    uint16_t frag, uint8_t proto)
{
	size_t start = w->len;
	uint8_t *h;

	wbuf_u8(w, 0x45);
	wbuf_u8(w, 0);
	wbuf_be16(w, (uint16_t)(20 + plen));
	wbuf_be16(w, s->ip_id);
	wbuf_be16(w, frag);
	wbuf_u8(w, s->ttl ? s->ttl : 64);
	wbuf_u8(w, proto);
	wbuf_be16(w, 0);
	wbuf_be32(w, s->src_ip);
	wbuf_be32(w, s->dst_ip);
	if (w->err)
		return;
	h = w->p + start;
	wbuf_put_be16_at(w, start + 10, net_checksum(h, 20, 0));
}

size_t net_encode_udp_dgram(const struct net_frame_spec *s, const uint8_t *payload, size_t plen,
			    uint8_t *out, size_t cap)
{
	struct wbuf w = wbuf_make(out, cap);
	uint32_t sum;
	uint16_t ck;

	if (plen > 65507)
		return 0;
	wbuf_be16(&w, s->sport);
	wbuf_be16(&w, s->dport);
	wbuf_be16(&w, (uint16_t)(8 + plen));
	wbuf_be16(&w, 0);
	wbuf_bytes(&w, payload, plen);
	if (w.err)
		return 0;
	/* Pseudo-header: source, destination, protocol, UDP length. */
	sum = (s->src_ip >> 16) + (s->src_ip & 0xffff) + (s->dst_ip >> 16) +
	      (s->dst_ip & 0xffff) + 17 + (uint32_t)(8 + plen);
	ck = net_checksum(out, w.len, sum);
	wbuf_put_be16_at(&w, 6, ck ? ck : 0xffff);
	return w.len;
}

size_t net_encode_udp_frame(const struct net_frame_spec *s, const uint8_t *payload, size_t plen,
			    uint8_t *out, size_t cap)
{
	struct wbuf w = wbuf_make(out, cap);
	size_t ulen;

	encode_link(s, &w);
	encode_ipv4_hdr(s, &w, 8 + plen, 0, 17);
	if (w.err)
		return 0;
	ulen = net_encode_udp_dgram(s, payload, plen, w.p + w.len, w.cap - w.len);
	if (ulen == 0)
		return 0;
	return w.len + ulen;
}

size_t net_encode_ipv4_fragment(const struct net_frame_spec *s, const uint8_t *dgram,
				size_t dgram_len, size_t off, size_t n, uint8_t *out, size_t cap)
{
	struct wbuf w = wbuf_make(out, cap);
	bool more = off + n < dgram_len;
	uint16_t frag;

	if (off % 8 != 0 || off + n > dgram_len || off / 8 > 0x1fff)
		return 0;
	frag = (uint16_t)((more ? 0x2000 : 0) | (off / 8));
	encode_link(s, &w);
	encode_ipv4_hdr(s, &w, n, frag, 17);
	wbuf_bytes(&w, dgram + off, n);
	return w.err ? 0 : w.len;
}

int net_decode_tcp(struct view seg, struct net_tcp *out)
{
	struct cur c = cur_make(seg.p, seg.len);
	size_t off;

	memset(out, 0, sizeof(*out));
	out->sport = cur_be16(&c);
	out->dport = cur_be16(&c);
	out->seq = cur_be32(&c);
	out->ack = cur_be32(&c);
	off = (size_t)(cur_u8(&c) >> 4) * 4;
	out->flags = cur_u8(&c);
	out->window = cur_be16(&c);
	if (c.err)
		return NET_ERR_TRUNCATED;
	if (off < 20)
		return NET_ERR_BAD_HEADER;
	if (off > seg.len)
		return NET_ERR_TRUNCATED;
	out->payload.p = seg.p + off;
	out->payload.len = seg.len - off;
	return NET_OK;
}

size_t net_encode_tcp_frame(const struct net_frame_spec *s, uint32_t seq, uint32_t ack,
			    uint8_t flags, const uint8_t *payload, size_t plen, uint8_t *out,
			    size_t cap)
{
	struct wbuf w = wbuf_make(out, cap);
	size_t start;
	uint32_t sum;

	if (plen > 65495)
		return 0;
	encode_link(s, &w);
	encode_ipv4_hdr(s, &w, 20 + plen, 0, 6);
	start = w.len;
	wbuf_be16(&w, s->sport);
	wbuf_be16(&w, s->dport);
	wbuf_be32(&w, seq);
	wbuf_be32(&w, ack);
	wbuf_u8(&w, 5 << 4);
	wbuf_u8(&w, flags);
	wbuf_be16(&w, 64240);
	wbuf_be16(&w, 0);
	wbuf_be16(&w, 0);
	wbuf_bytes(&w, payload, plen);
	if (w.err)
		return 0;
	/* Pseudo-header: source, destination, protocol, TCP length. */
	sum = (s->src_ip >> 16) + (s->src_ip & 0xffff) + (s->dst_ip >> 16) +
	      (s->dst_ip & 0xffff) + 6 + (uint32_t)(20 + plen);
	wbuf_put_be16_at(&w, start + 16, net_checksum(w.p + start, w.len - start, sum));
	return w.len;
}
