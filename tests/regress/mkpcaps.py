#!/usr/bin/env python3
"""mkpcaps.py: writes the hostile capture files that tests/regress/run.sh feeds to
`netboot-check analyze` (docs/robustness.md lists what each one checks).

usage: mkpcaps.py small DIR   the small files (kept in tests/regress/pcap/)
       mkpcaps.py big DIR     the large ones (written at test time into build/regress/pcap/)

Deterministic: the same bytes every run (fixed random seed).
"""
import random
import struct
import sys

SRV_MAC = bytes.fromhex("525400000001")
CLI_MAC = bytes.fromhex("525400123460")
SRV_IP = bytes([192, 0, 2, 1])
CLI_IP = bytes([192, 0, 2, 110])
ZERO_IP = bytes(4)
BCAST_IP = bytes([255] * 4)


def csum(b):
    if len(b) & 1:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(src, dst, proto, payload, ident=1, total=None):
    tl = 20 + len(payload) if total is None else total
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tl, ident & 0xFFFF, 0, 64, proto, 0, src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def udp(src, dst, sport, dport, payload, ulen=None):
    ln = 8 + len(payload) if ulen is None else ulen
    return ipv4(src, dst, 17, struct.pack("!HHHH", sport, dport, ln, 0) + payload)


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b""):
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4,
                      flags, 65535, 0, 0) + payload
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(seg))
    seg = seg[:16] + struct.pack("!H", csum(pseudo + seg)) + seg[18:]
    return ipv4(src, dst, 6, seg)


def eth(dst, src, ip):
    return dst + src + b"\x08\x00" + ip


def dhcp(op, xid, mac, msgtype, opts=b"", yiaddr=ZERO_IP, siaddr=ZERO_IP, file=b"", sname=b"",
         end=True, pad=True):
    fixed = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", op, 1, 6, 0, xid, 0, 0x8000, ZERO_IP,
                        yiaddr, siaddr, ZERO_IP, mac + bytes(10), sname, file)
    o = b"\x63\x82\x53\x63"
    if msgtype:
        o += bytes([53, 1, msgtype])
    o += opts
    if end:
        o += b"\xff"
    p = fixed + o
    if pad and len(p) < 300:
        p += bytes(300 - len(p))
    return p


def discover(xid, mac):
    opts = bytes([60, 32]) + b"PXEClient:Arch:00000:UNDI:002001"
    opts += bytes([93, 2, 0, 0, 55, 4, 1, 3, 66, 67])
    return dhcp(1, xid, mac, 1, opts)


def client_udp(payload, sport=68, dport=67, mac=CLI_MAC, src=ZERO_IP, dst=BCAST_IP, ulen=None):
    return eth(b"\xff" * 6, mac, udp(src, dst, sport, dport, payload, ulen))


def server_udp(payload, sport=67, dport=68, dst=BCAST_IP):
    return eth(b"\xff" * 6, SRV_MAC, udp(SRV_IP, dst, sport, dport, payload))


class Pcap:
    def __init__(self, path, snaplen=65535, linktype=1):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype))
        self.t = 1700000000.0

    def rec(self, frame, caplen=None, origlen=None, dt=0.001):
        self.t += dt
        sec, usec = int(self.t), int((self.t % 1) * 1e6)
        cl = len(frame) if caplen is None else caplen
        ol = len(frame) if origlen is None else origlen
        self.f.write(struct.pack("<IIII", sec, usec, cl, ol))
        self.f.write(frame[:cl] if caplen is not None and caplen <= len(frame) else frame)

    def raw(self, b):
        self.f.write(b)

    def close(self):
        self.f.close()


def small(d):
    # 1. The file ends inside a record: a good DISCOVER, then a record cut short.
    p = Pcap(d + "/truncated-record.pcap")
    p.rec(client_udp(discover(0x1001, CLI_MAC)))
    f = client_udp(discover(0x1002, CLI_MAC))
    p.raw(struct.pack("<IIII", 1700000001, 0, len(f), len(f)) + f[:50])
    p.close()
    # 2. A record header claiming 0xffffffff bytes.
    p = Pcap(d + "/record-len-ffffffff.pcap")
    p.rec(client_udp(discover(0x2001, CLI_MAC)))
    p.raw(struct.pack("<IIII", 1700000001, 0, 0xFFFFFFFF, 0xFFFFFFFF) + bytes(64))
    p.close()
    # 2b. A record of length 0 and one longer than the file's snaplen.
    p = Pcap(d + "/record-len-zero-and-over-snaplen.pcap", snaplen=128)
    p.rec(b"")
    p.rec(client_udp(discover(0x2101, CLI_MAC)))
    p.close()
    # 3. DHCP cut by a snaplen of 100 (caplen 100, origlen full), a whole boot's worth.
    p = Pcap(d + "/snaplen-cut-dhcp.pcap", snaplen=100)
    for i in range(4):
        f = client_udp(discover(0x3000 + i, CLI_MAC)) if i % 2 == 0 else \
            server_udp(dhcp(2, 0x3000 + i - 1, CLI_MAC, 2, bytes([54, 4]) + SRV_IP,
                            yiaddr=CLI_IP, siaddr=SRV_IP, file=b"undionly.kpxe"))
        p.rec(f, caplen=100, origlen=len(f))
    p.close()
    # 4. DHCP options that run past the end: option 67 of length 200 with 10 bytes left,
    # no END, a UDP length larger than the payload, and an IP total length that lies.
    p = Pcap(d + "/dhcp-option-overrun.pcap")
    body = dhcp(2, 0x4001, CLI_MAC, 2, bytes([54, 4]) + SRV_IP + bytes([67, 200]) + b"undionly.k",
                yiaddr=CLI_IP, end=False, pad=False)
    p.rec(server_udp(body))
    p.rec(client_udp(dhcp(1, 0x4002, CLI_MAC, 1, bytes([60, 255]) + b"PXEClient", end=False,
                          pad=False), ulen=1400))
    ip = udp(ZERO_IP, BCAST_IP, 68, 67, discover(0x4003, CLI_MAC))
    ip = ip[:2] + struct.pack("!H", 9000) + ip[4:]
    p.rec(eth(b"\xff" * 6, CLI_MAC, ip))
    p.rec(client_udp(dhcp(1, 0x4004, CLI_MAC, 0, bytes([53, 0, 61, 0, 97, 17, 0]), end=False,
                          pad=False)))
    p.close()
    # 5. Option 52 overload: file and sname overloaded and each holding option 52 again,
    # with options continuing (RFC 3396 concatenation) in all three fields.
    p = Pcap(d + "/dhcp-overload-loop.pcap")
    file = bytes([52, 1, 3, 67, 8]) + b"loop.bin" + bytes([52, 1, 1, 255])
    sname = bytes([52, 1, 2, 67, 4]) + b"more" + bytes([255])
    p.rec(server_udp(dhcp(2, 0x5001, CLI_MAC, 2, bytes([52, 1, 3, 54, 4]) + SRV_IP +
                          bytes([67, 3]) + b"abc", yiaddr=CLI_IP, file=file, sname=sname)))
    p.rec(server_udp(dhcp(2, 0x5002, CLI_MAC, 5, bytes([52, 1, 3, 52, 1, 3, 54, 4]) + SRV_IP,
                          yiaddr=CLI_IP, file=bytes([52, 1, 3] * 40), sname=bytes([52, 1, 1] * 21))))
    # 52 with a bad value and a long value, and 255 instances of one option (scratch full).
    many = b"".join(bytes([77, 255]) + bytes([65 + (i % 26)]) * 255 for i in range(12))
    p.rec(server_udp(dhcp(2, 0x5003, CLI_MAC, 2, bytes([52, 1, 9, 52, 3, 1, 2, 3]) + many,
                          yiaddr=CLI_IP)))
    p.close()
    # 7. iSCSI: a login PDU whose DataSegmentLength (0xfffff0) points far past the stream,
    # and a second connection with an absurd AHS length.
    p = Pcap(d + "/iscsi-datalen-past-end.pcap")
    for cport, bhs in ((40000, bytes([0x43, 0x87, 0, 0, 0]) + b"\xff\xff\xf0"),
                       (40001, bytes([0x43, 0x87, 0, 0, 0xFF]) + b"\x00\x00\x10")):
        bhs += bytes(48 - len(bhs))
        c2s = dict(src=CLI_IP, dst=SRV_IP, sport=cport, dport=3260)
        s2c = dict(src=SRV_IP, dst=CLI_IP, sport=3260, dport=cport)
        p.rec(eth(SRV_MAC, CLI_MAC, tcp(seq=1000, ack=0, flags=0x02, **c2s)))
        p.rec(eth(CLI_MAC, SRV_MAC, tcp(seq=5000, ack=1001, flags=0x12, **s2c)))
        p.rec(eth(SRV_MAC, CLI_MAC, tcp(seq=1001, ack=5001, flags=0x10, **c2s)))
        p.rec(eth(SRV_MAC, CLI_MAC, tcp(seq=1001, ack=5001, flags=0x18,
                                        payload=bhs + b"InitiatorName=x\0" * 60, **c2s)))
        p.rec(eth(CLI_MAC, SRV_MAC, tcp(seq=5001, ack=1001 + 48 + 960, flags=0x10, **s2c)))
    p.close()
    # 8. TCP sequence numbers wrapping around 2^32 in the middle of an HTTP exchange, with a
    # retransmission across the wrap and a segment out of order.
    p = Pcap(d + "/tcp-seq-wrap.pcap")
    c2s = dict(src=CLI_IP, dst=SRV_IP, sport=50000, dport=80)
    s2c = dict(src=SRV_IP, dst=CLI_IP, sport=80, dport=50000)
    cs, ss = 0xFFFFFF00, 0xFFFFFFF0
    req = b"GET /boot.ipxe HTTP/1.1\r\nHost: 192.0.2.1\r\n" + b"X-Pad: " + b"a" * 300 + b"\r\n\r\n"
    script = b"#!ipxe\n" + b"echo hello\n" * 200 + b"chain http://192.0.2.1/next.ipxe\n"
    resp = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(script) + script
    p.rec(eth(SRV_MAC, CLI_MAC, tcp(seq=cs, ack=0, flags=0x02, **c2s)))
    p.rec(eth(CLI_MAC, SRV_MAC, tcp(seq=ss, ack=cs + 1, flags=0x12, **s2c)))
    cs += 1
    ss += 1
    p.rec(eth(SRV_MAC, CLI_MAC, tcp(seq=cs, ack=ss, flags=0x10, **c2s)))
    p.rec(eth(SRV_MAC, CLI_MAC, tcp(seq=cs, ack=ss, flags=0x18, payload=req[:200], **c2s)))
    p.rec(eth(SRV_MAC, CLI_MAC, tcp(seq=cs, ack=ss, flags=0x18, payload=req[:200], **c2s)))
    p.rec(eth(SRV_MAC, CLI_MAC, tcp(seq=cs + 200, ack=ss, flags=0x18, payload=req[200:], **c2s)))
    cs += len(req)
    segs = [(ss + i, resp[i:i + 500]) for i in range(0, len(resp), 500)]
    if len(segs) > 2:
        segs[1], segs[2] = segs[2], segs[1]
    for s, b in segs:
        p.rec(eth(CLI_MAC, SRV_MAC, tcp(seq=s, ack=cs, flags=0x18, payload=b, **s2c)))
    ss += len(resp)
    p.rec(eth(SRV_MAC, CLI_MAC, tcp(seq=cs, ack=ss, flags=0x11, **c2s)))
    p.rec(eth(CLI_MAC, SRV_MAC, tcp(seq=ss, ack=cs + 1, flags=0x11, **s2c)))
    p.close()
    # 10. Garbage under every layer: a pcap of another link type, VLAN tags nested past the
    # limit, an IPv4 header length of 60 on a 30-byte packet, fragments that overlap.
    p = Pcap(d + "/layers-garbage.pcap")
    p.rec(b"\xff" * 6 + CLI_MAC + b"\x81\x00\x00\x01" * 8 + b"\x08\x00" + bytes(40))
    ip = bytearray(udp(ZERO_IP, BCAST_IP, 68, 67, discover(0xA001, CLI_MAC)))
    ip[0] = 0x4F
    p.rec(eth(b"\xff" * 6, CLI_MAC, bytes(ip[:30])))
    dg = struct.pack("!HHHH", 68, 67, 8 + 300, 0) + discover(0xA002, CLI_MAC)
    for off, more, chunk in ((0, 1, dg[:160]), (8, 1, dg[64:240]), (16, 0, dg[128:])):
        h = bytearray(ipv4(ZERO_IP, BCAST_IP, 17, chunk, ident=77))
        h[6:8] = struct.pack("!H", (0x2000 if more else 0) | off)
        p.rec(eth(b"\xff" * 6, CLI_MAC, bytes(h)))
    p.close()


def big(d):
    rnd = random.Random(1234)
    # 6. A TFTP block storm: RRQ (blksize 8), OACK, then 100000 copies of DATA block 1.
    p = Pcap(d + "/tftp-block-storm.pcap")
    p.rec(client_udp(b"\x00\x01pxelinux.0\x00octet\x00blksize\x008\x00", sport=2070, dport=69,
                     src=CLI_IP, dst=SRV_IP))
    p.rec(server_udp(b"\x00\x06blksize\x008\x00", sport=3000, dport=2070, dst=CLI_IP))
    p.rec(client_udp(b"\x00\x04\x00\x00", sport=2070, dport=3000, src=CLI_IP, dst=SRV_IP))
    data = server_udp(b"\x00\x03\x00\x01" + b"MZ\x90\x00\x03\x00\x00\x00", sport=3000, dport=2070,
                      dst=CLI_IP)
    for _ in range(100000):
        p.rec(data, dt=0.0001)
    p.close()
    # 9. 100000 DHCP clients with random MACs, each a DISCOVER, half of them an OFFER.
    p = Pcap(d + "/dhcp-100000-clients.pcap")
    for i in range(100000):
        mac = bytes([0x52, 0x54] + [rnd.randrange(256) for _ in range(4)])
        xid = rnd.randrange(1 << 32)
        p.rec(client_udp(discover(xid, mac), mac=mac), dt=0.0005)
        if i % 2 == 0:
            p.rec(server_udp(dhcp(2, xid, mac, 2, bytes([54, 4]) + SRV_IP,
                                  yiaddr=bytes([10, (i >> 16) & 255, (i >> 8) & 255, i & 255]),
                                  siaddr=SRV_IP, file=b"undionly.kpxe")), dt=0.0005)
    p.close()
    # 11. One client, 80000 DISCOVERs, each with a new xid (a client or a spoofer that never
    # retries with the same xid): every xid opens a DHCP round of its own.
    p = Pcap(d + "/dhcp-one-client-80000-xids.pcap")
    for _ in range(80000):
        p.rec(client_udp(discover(rnd.randrange(1 << 32), CLI_MAC)), dt=0.0005)
    p.close()


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("small", "big"):
        sys.exit(__doc__)
    (small if sys.argv[1] == "small" else big)(sys.argv[2])
