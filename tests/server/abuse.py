#!/usr/bin/env python3
"""abuse.py: hostile clients for tests/server/abuse.sh, one subcommand per attack.

Each subcommand is bounded in packets or connections and in seconds, prints what it saw
(JSON, or "ok NAME" / "FAIL NAME: why" lines for the ones that check answers themselves)
and never needs the server to cooperate: a server that stops answering makes it end, not
hang. Standard library only.
"""
import argparse
import json
import os
import random
import resource
import select
import socket
import struct
import sys
import time

DHCP_COOKIE = bytes([99, 130, 83, 99])
DHCP_TYPES = {1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 4: "DECLINE", 5: "ACK", 6: "NAK",
              7: "RELEASE", 8: "INFORM"}


def ip4(s):
    return socket.inet_aton(s)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def rand_mac(rng):
    # Locally administered, unicast: 0x02 in the first byte.
    return bytes([0x02]) + bytes(rng.randrange(256) for _ in range(5))


def mac_str(m):
    return ":".join("%02x" % x for x in m)


def dhcp_frame(mac, msgtype, xid, opts=b"", ciaddr="0.0.0.0", broadcast=True):
    """An Ethernet frame: 0.0.0.0:68 -> 255.255.255.255:67, a BOOTREQUEST from mac."""
    bootp = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0,
                        0x8000 if broadcast else 0, ip4(ciaddr), bytes(4), bytes(4), bytes(4),
                        mac + bytes(10), bytes(64), bytes(128))
    payload = bootp + DHCP_COOKIE + bytes([53, 1, msgtype]) + opts + bytes([255])
    udp = struct.pack("!HHHH", 68, 67, 8 + len(payload), 0) + payload
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), xid & 0xFFFF, 0, 64, 17, 0,
                      bytes(4), b"\xff\xff\xff\xff")
    iph = iph[:10] + struct.pack("!H", csum(iph)) + iph[12:]
    return b"\xff" * 6 + mac + b"\x08\x00" + iph + udp


def dhcp_reply(frame):
    """(msgtype, chaddr, yiaddr, xid) of a DHCP reply frame to port 68, or None."""
    if len(frame) < 14 + 20 + 8 + 240 or frame[12:14] != b"\x08\x00":
        return None
    ihl = (frame[14] & 15) * 4
    if frame[14 + 9] != 17:
        return None
    u = 14 + ihl
    if struct.unpack("!H", frame[u + 2:u + 4])[0] != 68:
        return None
    d = frame[u + 8:]
    if len(d) < 240 or d[0] != 2 or d[236:240] != DHCP_COOKIE:
        return None
    i = 240
    mtype = 0
    while i < len(d) and d[i] != 255:
        if d[i] == 0:
            i += 1
            continue
        if i + 1 >= len(d):
            break
        code, ln = d[i], d[i + 1]
        if code == 53 and ln >= 1 and i + 2 < len(d):
            mtype = d[i + 2]
        i += 2 + ln
    return mtype, bytes(d[28:34]), socket.inet_ntoa(d[16:20]), struct.unpack("!I", d[4:8])[0]


def raw_socket(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((iface, 0))
    s.setblocking(False)
    return s


def raw_replies(s):
    """Every DHCP reply waiting on the raw socket (our own frames left out)."""
    out = []
    for _ in range(10000):
        try:
            frame, addr = s.recvfrom(2048)
        except BlockingIOError:
            break
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        r = dhcp_reply(frame)
        if r:
            out.append(r)
    return out


def opt_ip(code, ip):
    return bytes([code, 4]) + ip4(ip)


def cmd_dhcp_flood(a):
    """DISCOVERs from new random MACs at a fixed rate; each OFFER seen is REQUESTed (so the
    pool ends bound to the flood); some INIT-REBOOT REQUESTs for random pool addresses and
    RELEASEs of addresses the sender never had. At most a.count packets, a.max_seconds s."""
    rng = random.Random(a.seed)
    s = raw_socket(a.iface)
    first = struct.unpack("!I", ip4(a.pool_first))[0]
    last = struct.unpack("!I", ip4(a.pool_last))[0]
    st = {"sent": 0, "discover": 0, "request": 0, "reboot": 0, "release": 0, "offers": 0,
          "acks": 0, "naks": 0, "macs": 0, "seconds": 0.0}
    pending = []          # (mac, offered ip) to REQUEST
    ours = {}             # xid -> mac, for replies to our packets
    t0 = time.monotonic()
    while st["sent"] < a.count and time.monotonic() - t0 < a.max_seconds:
        due = t0 + st["sent"] / a.rate
        now = time.monotonic()
        if due > now:
            time.sleep(min(due - now, 0.01))
            continue
        for mt, ch, yi, xid in raw_replies(s):
            if xid not in ours:
                continue
            if mt == 2:
                st["offers"] += 1
                pending.append((ch, yi, xid))
            elif mt == 5:
                st["acks"] += 1
            elif mt == 6:
                st["naks"] += 1
        xid = rng.getrandbits(32)
        if pending:
            mac, yi, oxid = pending.pop(0)
            f = dhcp_frame(mac, 3, oxid, opt_ip(50, yi) + opt_ip(54, a.server))
            st["request"] += 1
        else:
            r = rng.random()
            mac = rand_mac(rng)
            st["macs"] += 1
            ip = socket.inet_ntoa(struct.pack("!I", rng.randint(first, last)))
            if r < 0.10:
                # INIT-REBOOT: "I had this address" from a client the server never saw.
                f = dhcp_frame(mac, 3, xid, opt_ip(50, ip))
                st["reboot"] += 1
            elif r < 0.13:
                f = dhcp_frame(mac, 7, xid, opt_ip(54, a.server), ciaddr=ip, broadcast=False)
                st["release"] += 1
            else:
                vc = b"PXEClient:Arch:00000:UNDI:002001"
                f = dhcp_frame(mac, 1, xid, bytes([60, len(vc)]) + vc + bytes([93, 2, 0, 0]))
                st["discover"] += 1
            ours[xid] = mac
        try:
            s.send(f)
        except OSError:
            pass            # a full queue drops it, like a busy segment would
        st["sent"] += 1
    end = time.monotonic() + 1.0
    while time.monotonic() < end:
        for mt, ch, yi, xid in raw_replies(s):
            if xid in ours:
                st["acks"] += mt == 5
                st["naks"] += mt == 6
                st["offers"] += mt == 2
        time.sleep(0.05)
    st["seconds"] = round(time.monotonic() - t0, 1)
    print(json.dumps(st))


def cmd_dhcp_one(a):
    """One REQUEST or DECLINE from a.mac (default: a fresh random one) naming a.ip; prints
    the reply's type (or "none" after a.wait s)."""
    rng = random.Random()
    mac = bytes(int(x, 16) for x in a.mac.split(":")) if a.mac else rand_mac(rng)
    s = raw_socket(a.iface)
    xid = rng.getrandbits(32)
    opts = opt_ip(50, a.ip)
    if a.server_id:
        opts += opt_ip(54, a.server_id)
    s.send(dhcp_frame(mac, {"request": 3, "decline": 4}[a.msg], xid, opts))
    end = time.monotonic() + a.wait
    got = "none"
    while time.monotonic() < end and got == "none":
        for mt, ch, yi, rx in raw_replies(s):
            if rx == xid and ch == mac:
                got = DHCP_TYPES.get(mt, str(mt))
        time.sleep(0.02)
    print(got)


# ---- TFTP ----

def tftp_rrq(name, mode=b"octet", opts=()):
    b = b"\x00\x01" + name + b"\0" + mode + b"\0"
    for k, v in opts:
        b += k + b"\0" + v + b"\0"
    return b


def tftp_kind(p):
    """A short name for what the server answered."""
    if len(p) < 4:
        return "short"
    op = struct.unpack("!H", p[:2])[0]
    if op == 3:
        return "data"
    if op == 6:
        return "oack"
    if op == 5:
        code = struct.unpack("!H", p[2:4])[0]
        msg = p[4:].split(b"\0")[0]
        if msg.startswith(b"server busy"):
            return "busy"
        return "error%d" % code
    return "op%d" % op


def oack_opts(p):
    f = p[2:].split(b"\0")
    return {f[i].decode("latin1").lower(): f[i + 1].decode("latin1")
            for i in range(0, len(f) - 1, 2) if f[i]}


def cmd_tftp_storm(a):
    """a.waves waves of a.wave requests, each from its own socket (its own source port):
    RRQs for files that exist (plain, and with absurd options), for files that do not,
    with unknown and broken options, and malformed packets. Nobody ACKs, except a few that
    ACK the OACK once and then go silent (so DATA buffers are really filled). Replies are
    counted, never answered."""
    rng = random.Random(a.seed)
    dest = (a.host, a.port)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = a.wave * a.waves + 64
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    socks = []
    st = {"requests": 0, "malformed": 0, "ack0": 0, "replies": {}, "oack_blksize_max": 0,
          "oack_windowsize_max": 0, "oack_tsize_bad": 0, "seconds": 0.0}
    sizes = dict(x.split("=") for x in a.sizes.split(",")) if a.sizes else {}
    t0 = time.monotonic()
    absurd = [(b"blksize", b"65464"), (b"windowsize", b"65535"), (b"tsize", b"0")]
    for w in range(a.waves):
        stallers = []
        tw = time.monotonic()
        for i in range(a.wave):
            if time.monotonic() - t0 > a.max_seconds:
                break
            wait = tw + i / a.rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setblocking(False)
            socks.append(s)
            r = rng.random()
            exist = rng.choice(a.files.split(",")).encode()
            if r < 0.35:
                p = tftp_rrq(exist)
            elif r < 0.55:
                # The first wave also asks for the longest retransmission timeout there
                # is (RFC 2349: 255 s): 6 x 255 s before such a transfer gives up.
                p = tftp_rrq(exist, opts=absurd + ([(b"timeout", b"255")] if w == 0 else []))
                if rng.random() < 0.3:
                    stallers.append(s)
            elif r < 0.65:
                p = tftp_rrq(b"no-such-%d.efi" % rng.randrange(10 ** 6), opts=absurd)
            elif r < 0.80:
                opts = [(b"x-unknown-%d" % k, b"y" * rng.randrange(50)) for k in range(rng.randrange(1, 60))]
                opts += [(b"blksize", rng.choice([b"7", b"0", b"-1", b"abc", b"99999999999999999999"])),
                         (b"tsize", rng.choice([b"-5", b"zz", b"18446744073709551616"])),
                         (b"windowsize", rng.choice([b"0", b"65536", b""])),
                         (b"timeout", rng.choice([b"0", b"256", b"-3"]))]
                p = tftp_rrq(exist, rng.choice([b"octet", b"NETASCII", b"OcTeT"]), opts)
            else:
                st["malformed"] += 1
                p = rng.choice([
                    b"", b"\x00", b"\x00\x01", b"\x00\x01" + exist,            # no NULs
                    b"\x00\x01" + exist + b"\0",                                # no mode
                    b"\x00\x01" + exist + b"\0mail\0", b"\x00\x01" + exist + b"\0bogus\0",
                    b"\x00\x02" + exist + b"\0octet\0",                         # WRQ
                    b"\x00\x09junk", b"\x00\x04\x00\x01", b"\x00\x03\x00\x01data",
                    b"\x00\x01" + b"A" * 5000 + b"\0octet\0",                   # long name
                    b"\x00\x01../../etc/passwd\0octet\0",
                    bytes(rng.randrange(256) for _ in range(rng.randrange(1, 1400))),
                    b"\x00\x01" + exist + b"\0octet\0" + b"k\0v\0" * 4000,      # 16 KB of options
                ])
                st["requests"] -= 1
            st["requests"] += 1
            try:
                s.sendto(p, dest)
            except OSError:
                pass
        # The stallers: ACK the OACK (the server then sends DATA 1 at blksize 65464
        # and waits), then never again.
        end = time.monotonic() + 0.5
        while stallers and time.monotonic() < end:
            for s in list(stallers):
                try:
                    p, src = s.recvfrom(70000)
                except BlockingIOError:
                    continue
                if tftp_kind(p) == "oack":
                    s.sendto(b"\x00\x04\x00\x00", src)
                    st["ack0"] += 1
                stallers.remove(s)
            time.sleep(0.01)
        if w + 1 < a.waves:
            time.sleep(a.pause)
    time.sleep(0.3)
    for s in socks:
        first = None
        for _ in range(20):
            try:
                p, src = s.recvfrom(70000)
            except BlockingIOError:
                break
            k = tftp_kind(p)
            if first is None:
                first = k
                if k == "oack":
                    o = oack_opts(p)
                    st["oack_blksize_max"] = max(st["oack_blksize_max"], int(o.get("blksize", 0)))
                    st["oack_windowsize_max"] = max(st["oack_windowsize_max"],
                                                    int(o.get("windowsize", 0)))
                    if "tsize" in o and o["tsize"] not in sizes.values():
                        st["oack_tsize_bad"] += 1
        st["replies"][first or "none"] = st["replies"].get(first or "none", 0) + 1
        s.close()
    st["seconds"] = round(time.monotonic() - t0, 1)
    print(json.dumps(st, sort_keys=True))


# ---- TCP helpers ----

def connect(host, port, timeout=3.0):
    s = socket.create_connection((host, port), timeout=timeout)
    s.setblocking(False)
    return s


def exchange(s, data, wait, want=0):
    """Sends data (as far as the peer takes it) while reading; then reads until the peer
    closes, want complete HTTP responses are in, or wait s pass. Returns (bytes received,
    how it ended: eof/reset/open)."""
    got = bytearray()
    off = 0
    end = time.monotonic() + wait
    while time.monotonic() < end:
        wl = [s] if off < len(data) else []
        r, w, _ = select.select([s], wl, [], 0.2)
        if w:
            try:
                off += s.send(data[off:off + 65536])
            except (BlockingIOError, InterruptedError):
                pass
            except (BrokenPipeError, ConnectionResetError):
                off = len(data)
        if r:
            try:
                b = s.recv(65536)
            except BlockingIOError:
                continue
            except ConnectionResetError:
                return bytes(got), "reset"
            if not b:
                return bytes(got), "eof"
            got += b
            if want and off == len(data) and len(http_responses(bytes(got))) >= want:
                return bytes(got), "open"
    return bytes(got), "open"


def http_responses(b):
    """Splits a byte stream into (status, headers, body) by Content-Length."""
    out = []
    while b:
        e = b.find(b"\r\n\r\n")
        if e < 0:
            break
        head = b[:e].decode("latin1").split("\r\n")
        try:
            status = int(head[0].split()[1])
        except (IndexError, ValueError):
            break
        h = {}
        for line in head[1:]:
            k, _, v = line.partition(":")
            h[k.strip().lower()] = v.strip()
        n = int(h.get("content-length", "0"))
        if len(b) < e + 4 + n:
            break
        out.append((status, h, b[e + 4:e + 4 + n]))
        b = b[e + 4 + n:]
    return out


class Checks:
    def __init__(self):
        self.failed = 0

    def check(self, name, cond, why=""):
        if cond:
            print("ok   " + name)
        else:
            self.failed += 1
            print("FAIL %s: %s" % (name, why))
        sys.stdout.flush()


def cmd_http_slowloris(a):
    """a.conns connections that send a request head one byte a second and never end it.
    Ends when the server has closed every one, or after a.hold s. Prints how each ended."""
    t0 = time.monotonic()
    conns = []
    head = b"GET /boot.ipxe HTTP/1.1\r\nHost: 192.0.2.1\r\nUser-Agent: slowloris\r\nX-Slow: "
    for _ in range(a.conns):
        if time.monotonic() - t0 > 10:
            break
        try:
            s = connect(a.host, a.port, 2.0)
            s.send(head[:5])
        except OSError:
            continue
        conns.append({"s": s, "t": time.monotonic(), "sent": 5, "got": b"", "end": None,
                      "how": None})
    live = list(conns)
    tick = time.monotonic()
    while live and time.monotonic() - t0 < a.hold:
        r, _, _ = select.select([c["s"] for c in live], [], [], 0.2)
        for c in live:
            if c["s"] not in r:
                continue
            try:
                b = c["s"].recv(4096)
            except BlockingIOError:
                continue
            except ConnectionResetError:
                b, c["how"] = b"", "reset"
            if b:
                c["got"] += b
                continue
            c["how"] = c["how"] or "eof"
            c["end"] = time.monotonic()
        live = [c for c in live if c["end"] is None]
        if time.monotonic() - tick >= 1.0:
            tick = time.monotonic()
            for c in live:
                nxt = head[c["sent"]:c["sent"] + 1] or b"a"
                try:
                    c["s"].send(nxt)
                    c["sent"] += 1
                except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                    pass
    st = {"opened": len(conns), "closed_by_server": 0, "still_open": 0, "status": {},
          "max_seconds": 0.0, "bytes_trickled_max": 0}
    for c in conns:
        if c["end"] is None:
            st["still_open"] += 1
        else:
            st["closed_by_server"] += 1
            st["max_seconds"] = max(st["max_seconds"], round(c["end"] - c["t"], 1))
        code = c["got"][9:12].decode("latin1") if c["got"].startswith(b"HTTP/1.1 ") else "none"
        st["status"][code] = st["status"].get(code, 0) + 1
        st["bytes_trickled_max"] = max(st["bytes_trickled_max"], c["sent"])
        c["s"].close()
    with open(a.out, "w") as f:
        json.dump(st, f, sort_keys=True)


def cmd_http_hostile(a):
    """Malformed and absurd requests, each on its own connection; every answer is checked."""
    ck = Checks()
    with open(a.boot, "rb") as f:
        boot = f.read()
    with open(a.big, "rb") as f:
        big = f.read()
    req = b"GET /boot.ipxe HTTP/1.1\r\nHost: 192.0.2.1\r\n\r\n"

    def run(data, wait=10.0, want=0):
        s = connect(a.host, a.port)
        try:
            return exchange(s, data, wait, want)
        finally:
            s.close()

    # A 1 MiB header line: 431 once the 16 KiB head buffer is full, then the server closes.
    got, how = run(b"GET /boot.ipxe HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (1 << 20) + b"\r\n\r\n")
    ck.check("1 MiB header line: 431, connection closed by the server",
             got.startswith(b"HTTP/1.1 431 ") and how in ("eof", "reset"),
             "got %r, %s" % (got[:40], how))
    # A 20 KB request-target: the same.
    got, how = run(b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    ck.check("20 KB request-target: 431, closed", got.startswith(b"HTTP/1.1 431 ") and how != "open",
             "got %r, %s" % (got[:40], how))
    # Pipelined: two requests, binary garbage (a TLS ClientHello's start), one more request.
    got, how = run(req + req + b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\xff\xfe\r\n\r\n" + req)
    rs = http_responses(got)
    ck.check("pipelined requests then garbage: 200, 200, 400, closed, nothing after",
             [r[0] for r in rs] == [200, 200, 400] and rs[0][2] == boot and rs[1][2] == boot
             and how in ("eof", "reset"), "statuses %s, %s" % ([r[0] for r in rs], how))
    # 100 pipelined requests in one write: 100 answers, in order, each the whole file.
    got, how = run(req * 100, 15.0, 100)
    rs = http_responses(got)
    ck.check("100 pipelined GETs: 100 x 200 with the file",
             len(rs) == 100 and all(r[0] == 200 and r[2] == boot for r in rs),
             "%d answers" % len(rs))
    # 15 KB of small headers (under the 16 KiB head cap): served.
    got, how = run(b"GET /boot.ipxe HTTP/1.1\r\nHost: x\r\n" + b"X-a: b\r\n" * 1800 + b"\r\n", 10.0, 1)
    rs = http_responses(got)
    ck.check("1800 header lines under the cap: 200", len(rs) == 1 and rs[0][0] == 200 and rs[0][2] == boot,
             "%r" % got[:40])
    # A body we will not read (absurd Content-Length): an answer, then the server closes
    # (what follows cannot be framed).
    got, how = run(b"GET /boot.ipxe HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n" + req, 6.0)
    rs = http_responses(got)
    ck.check("absurd Content-Length: one answer, then closed",
             len(rs) == 1 and rs[0][0] in (200, 400) and how != "open", "%s %s" % ([r[0] for r in rs], how))
    got, how = run(b"GET /boot.ipxe HTTP/1.1\r\nHost: x\r\nX-Nul: a\x00b\r\n\r\n", 5.0, 1)
    rs = http_responses(got)
    ck.check("NUL in a header: an answer (200 or 400)", len(rs) == 1 and rs[0][0] in (200, 400),
             "%r" % got[:40])
    # Ranges, sane and absurd, on a 1 MiB file: every answer must be consistent.
    size = len(big)
    ranges = ["bytes=0-0", "bytes=-1", "bytes=%d-" % (size - 1), "bytes=5-2", "bytes=-0",
              "bytes=0-18446744073709551615", "bytes=18446744073709551615-",
              "bytes=99999999999999999999999999-", "bytes=-99999999999999999999999999",
              "bytes=0-1,2-3", "bytes=" + "0-0," * 60, "bytes= 7 - 9", "bytes=-", "bytes=--5",
              "bytes=0x10-0x20", "items=0-5", "bytes=%d-" % size, "bytes=0-1048576000",
              "bytes=18446744073709551616-18446744073709551617", "bytes=1-2\x00"]
    expect = {"bytes=0-0": 206, "bytes=-1": 206, "bytes=%d-" % size: 416, "bytes=-0": 416,
              "items=0-5": 200, "bytes=0-1,2-3": 200}
    for v in ranges:
        got, how = run(b"GET /big.bin HTTP/1.1\r\nHost: x\r\nRange: " + v.encode("latin1") +
                       b"\r\nConnection: close\r\n\r\n", 10.0)
        rs = http_responses(got)
        ok, why = False, "no answer (%s)" % how
        if len(rs) == 1:
            st, h, body = rs[0]
            why = "status %d, %s" % (st, h.get("content-range", "-"))
            if st == 200:
                ok = body == big
            elif st == 206:
                cr = h.get("content-range", "")
                try:
                    span, total = cr.split(" ")[1].split("/")
                    lo, hi = (int(x) for x in span.split("-"))
                    ok = (cr.startswith("bytes ") and int(total) == size and 0 <= lo <= hi < size
                          and body == big[lo:hi + 1])
                except (IndexError, ValueError):
                    ok = False
            elif st == 416:
                ok = h.get("content-range") == "bytes */%d" % size
            elif st == 400:
                ok = "\x00" in v
            if v in expect and st != expect[v]:
                ok, why = False, why + ", want %d" % expect[v]
        ck.check("Range %r: a consistent answer" % v[:40], ok, why)
    # Two Range headers: ignored, the whole file.
    got, how = run(b"GET /big.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=0-0\r\nRange: bytes=1-1\r\n\r\n", 10.0, 1)
    rs = http_responses(got)
    ck.check("two Range headers: the whole file", len(rs) == 1 and rs[0][0] == 200 and rs[0][2] == big,
             "%s" % [r[0] for r in rs])
    sys.exit(1 if ck.failed else 0)


# ---- iSCSI ----

def login_pdu(dlen, data=b"", itt=1):
    bhs = bytearray(48)
    bhs[0] = 0x43                       # Login Request, immediate
    bhs[1] = 0x81                       # T, CSG 0 (security), NSG 1
    bhs[5:8] = dlen.to_bytes(3, "big")
    bhs[8:14] = bytes([0x80, 0, 0, 0, 0, 1])
    struct.pack_into("!I", bhs, 16, itt)
    return bytes(bhs) + data + bytes(-len(data) % 4)


def cmd_iscsi_idle(a):
    """a.conns TCP connections that never log in (a.partial of them send 20 bytes of a
    header and stop). Ends when the server has closed all, or after a.hold s."""
    t0 = time.monotonic()
    conns = []
    for i in range(a.conns):
        try:
            s = connect(a.host, a.port, 2.0)
            if i < a.partial:
                s.send(login_pdu(0)[:20])
        except OSError:
            continue
        conns.append({"s": s, "t": time.monotonic(), "end": None, "got": b""})
    live = list(conns)
    while live and time.monotonic() - t0 < a.hold:
        r, _, _ = select.select([c["s"] for c in live], [], [], 0.25)
        for c in live:
            if c["s"] in r:
                try:
                    b = c["s"].recv(4096)
                except BlockingIOError:
                    continue
                except ConnectionResetError:
                    b = b""
                if b:
                    c["got"] += b
                else:
                    c["end"] = time.monotonic()
        live = [c for c in live if c["end"] is None]
    st = {"opened": len(conns), "closed_by_server": 0, "still_open": 0, "answered": 0,
          "max_seconds": 0.0, "closed_under_1s": 0}
    for c in conns:
        st["answered"] += bool(c["got"])
        if c["end"] is None:
            st["still_open"] += 1
        else:
            st["closed_by_server"] += 1
            life = c["end"] - c["t"]
            st["max_seconds"] = max(st["max_seconds"], round(life, 1))
            st["closed_under_1s"] += life < 1.0
        c["s"].close()
    with open(a.out, "w") as f:
        json.dump(st, f, sort_keys=True)


def cmd_iscsi_hostile(a):
    ck = Checks()
    # DataSegmentLength 0xffffff (16 MiB, past the 256 KiB we accept): no buffering of it,
    # the connection is closed at once.
    s = connect(a.host, a.port)
    got, how = exchange(s, login_pdu(0xFFFFFF, b"InitiatorName=iqn.x\0" * 50), 5.0)
    s.close()
    ck.check("Login with DataSegmentLength 0xffffff: closed by the server, no answer",
             how in ("eof", "reset") and not got, "%s, %d bytes" % (how, len(got)))
    # One byte over our MaxRecvDataSegmentLength (262144).
    s = connect(a.host, a.port)
    got, how = exchange(s, login_pdu(262145, b"x" * 4096), 5.0)
    s.close()
    ck.check("Login with DataSegmentLength 262145: closed", how in ("eof", "reset"), how)
    # Exactly 262144 bytes of login text: read whole, refused as out of resources (text
    # over 64 KiB), closed.
    data = b""
    k = 0
    while len(data) < 262144:
        data += (b"X-Junk-%06d=" % k) + b"v" * 100 + b"\0"
        k += 1
    data = data[:262144]
    s = connect(a.host, a.port)
    got, how = exchange(s, login_pdu(262144, data), 8.0)
    s.close()
    ck.check("Login with 256 KiB of text: Login Response, status class 3 (target error), closed",
             len(got) >= 48 and got[0] & 0x3F == 0x23 and got[36] == 3 and how in ("eof", "reset"),
             "%d bytes, %s, %r" % (len(got), how, got[:2] + got[36:38]))
    # An SCSI command before login: closed.
    bhs = bytearray(48)
    bhs[0] = 0x01
    s = connect(a.host, a.port)
    got, how = exchange(s, bytes(bhs), 5.0)
    s.close()
    ck.check("SCSI Command before login: closed", how in ("eof", "reset"), how)
    sys.exit(1 if ck.failed else 0)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("dhcp-flood")
    f.add_argument("iface")
    f.add_argument("--server", required=True)
    f.add_argument("--pool-first", required=True)
    f.add_argument("--pool-last", required=True)
    f.add_argument("--count", type=int, default=20000)
    f.add_argument("--rate", type=float, default=2500.0)
    f.add_argument("--max-seconds", type=float, default=30.0)
    f.add_argument("--seed", type=int, default=12)
    f.set_defaults(fn=cmd_dhcp_flood)
    f = sub.add_parser("dhcp-one")
    f.add_argument("iface")
    f.add_argument("--msg", choices=["request", "decline"], required=True)
    f.add_argument("--ip", required=True)
    f.add_argument("--mac")
    f.add_argument("--server-id")
    f.add_argument("--wait", type=float, default=3.0)
    f.set_defaults(fn=cmd_dhcp_one)
    f = sub.add_parser("tftp-storm")
    f.add_argument("host")
    f.add_argument("port", type=int)
    f.add_argument("--files", required=True)
    f.add_argument("--sizes", default="")
    f.add_argument("--wave", type=int, default=1500)
    f.add_argument("--waves", type=int, default=2)
    f.add_argument("--pause", type=float, default=2.5)
    f.add_argument("--rate", type=float, default=1000.0)
    f.add_argument("--max-seconds", type=float, default=20.0)
    f.add_argument("--seed", type=int, default=12)
    f.set_defaults(fn=cmd_tftp_storm)
    for name, fn in (("http-slowloris", cmd_http_slowloris), ("iscsi-idle", cmd_iscsi_idle)):
        f = sub.add_parser(name)
        f.add_argument("host")
        f.add_argument("port", type=int)
        f.add_argument("--conns", type=int, default=300)
        f.add_argument("--partial", type=int, default=0)
        f.add_argument("--hold", type=float, default=45.0)
        f.add_argument("--out", required=True)
        f.set_defaults(fn=fn)
    f = sub.add_parser("http-hostile")
    f.add_argument("host")
    f.add_argument("port", type=int)
    f.add_argument("--boot", required=True)
    f.add_argument("--big", required=True)
    f.set_defaults(fn=cmd_http_hostile)
    f = sub.add_parser("iscsi-hostile")
    f.add_argument("host")
    f.add_argument("port", type=int)
    f.set_defaults(fn=cmd_iscsi_hostile)
    a = p.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
