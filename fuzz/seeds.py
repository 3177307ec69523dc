#!/usr/bin/env python3
"""seeds.py: builds the fuzzers' seed corpora from the repository (called by scripts/fuzz.sh).

usage: seeds.py OUTDIR [PCAP...]

Reads classic pcap files (Ethernet, 802.1Q/QinQ, Linux SLL/SLL2, raw IPv4) and writes:
  engine/       every capture as the harness's records (2-byte BE length + frame, fuzz_engine)
  engine_link/  the same with a leading link selector byte (fuzz_engine_link)
  dhcp/         UDP payloads on ports 67/68/4011
  dhcpd/        client DHCP payloads in fuzz_dhcpd's format (selector byte + records)
  tftp/         UDP payloads of TFTP flows (port 69 and the transfers after it)
  http/         TCP payloads on port 80, per direction, 4 split-seed bytes in front
  iscsi/        TCP payloads on port 3260, per connection and direction, concatenated
  ipxescript/   HTTP bodies that start with #!ipxe, example scripts, mkscenarios.c strings
  pxecfg/       pxelinux configs (TFTP DATA / HTTP bodies that look like one, examples)
  site/         site files (examples, pcaps/**/*.site)
  lint_dhcpd/, lint_dnsmasq/, lint_kea/
                configurations from tests/lint/{dhcpd,dnsmasq,kea} and tests/lint/cases/*/;
                one that includes a file that exists also as main + MARK + that file, the
                include renamed to inc.conf / inc.json (fuzz/fuzz_lint_common.h)
  lint_files/   pxelinux configs and iPXE scripts under tests/lint/trees/ and
                tests/lint/cases/*/, and the pxecfg/ipxescript seeds
  tftpd/        TFTP sessions in fuzz_tftpd's record format (RRQs with options, ACKs, errors)
  httpd/        HTTP request streams (4 seed bytes, then requests; pipelined, Range, auth)
  iscsid/       iSCSI initiator streams: discovery, a normal session with SCSI commands,
                a CHAP login, header and data digests (4 seed bytes, then PDUs)
"""
import glob
import hashlib
import os
import re
import struct
import sys

DLT_SELECT = {1: 0, 113: 1, 276: 2, 101: 3, 228: 3, 0: 4}


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return None, []
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return None, []  # pcapng: not handled here
    dlt = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
    off, recs = 24, []
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        recs.append(data[off:off + incl])
        off += incl
    return dlt, recs


def ip_of(dlt, fr):
    """Returns the IPv4 packet inside a frame, or None."""
    if dlt == 1:
        et, o = struct.unpack(">H", fr[12:14])[0] if len(fr) >= 14 else 0, 14
        while et in (0x8100, 0x88A8) and len(fr) >= o + 4:
            et = struct.unpack(">H", fr[o + 2:o + 4])[0]
            o += 4
    elif dlt == 113:
        et, o = (struct.unpack(">H", fr[14:16])[0] if len(fr) >= 16 else 0), 16
    elif dlt == 276:
        et, o = (struct.unpack(">H", fr[0:2])[0] if len(fr) >= 20 else 0), 20
    elif dlt in (101, 228):
        et, o = 0x0800, 0
    else:
        return None
    if et != 0x0800:
        return None
    return fr[o:]


def l4(ip):
    """(proto, sip, dip, sport, dport, payload) or None (first fragments only)."""
    if len(ip) < 20 or ip[0] >> 4 != 4:
        return None
    ihl = (ip[0] & 15) * 4
    tot = struct.unpack(">H", ip[2:4])[0]
    frag = struct.unpack(">H", ip[6:8])[0] & 0x1FFF
    if frag:
        return None
    proto, sip, dip = ip[9], ip[12:16], ip[16:20]
    seg = ip[ihl:tot]
    if proto == 17 and len(seg) >= 8:
        sp, dp = struct.unpack(">HH", seg[:4])
        return proto, sip, dip, sp, dp, seg[8:]
    if proto == 6 and len(seg) >= 20:
        sp, dp = struct.unpack(">HH", seg[:4])
        doff = (seg[12] >> 4) * 4
        return proto, sip, dip, sp, dp, seg[doff:]
    return None


class Out:
    def __init__(self, root):
        self.root = root
        self.n = {}

    def put(self, kind, blob):
        if not blob:
            return
        d = os.path.join(self.root, kind)
        os.makedirs(d, exist_ok=True)
        name = hashlib.sha1(blob).hexdigest()
        with open(os.path.join(d, name), "wb") as f:
            f.write(blob)
        self.n[kind] = self.n.get(kind, 0) + 1


def records(frames):
    out = bytearray()
    for fr in frames[:4096]:
        fr = fr[:0x7FFF]
        out += struct.pack(">H", len(fr)) + fr
    return bytes(out)


def looks_pxecfg(b):
    head = b[:400].lower()
    return any(k in head for k in (b"default ", b"label ", b"prompt ", b"ontimeout ", b"menu "))


LINT_MARK = b"\n@@INC@@\n"


def lint_seeds(out):
    """Configurations for the lint harnesses, and main + MARK + included file variants."""
    kinds = {
        "lint_dhcpd": (["tests/lint/dhcpd/*.conf", "tests/lint/cases/*/dhcpd.conf"],
                       rb'include\s+"([^"]+)"', b'include "inc.conf"'),
        "lint_dnsmasq": (["tests/lint/dnsmasq/*.conf", "tests/lint/dnsmasq/*/*.conf",
                          "tests/lint/cases/*/dnsmasq.conf"],
                         rb"conf-file=(\S+)", b"conf-file=inc.conf"),
        "lint_kea": (["tests/lint/kea/*.json", "tests/lint/cases/*/kea-dhcp4.json"],
                     rb'<\?include\s+"([^"]+)"\s*\?>', b'<?include "inc.json"?>'),
    }
    for kind, (globs, inc_re, inc_new) in kinds.items():
        for g in globs:
            for p in sorted(glob.glob(g)):
                if not os.path.isfile(p):
                    continue
                text = open(p, "rb").read()
                out.put(kind, text)
                for m in re.finditer(inc_re, text):
                    sub = os.path.join(os.path.dirname(p), m.group(1).decode("latin-1"))
                    if os.path.isfile(sub):
                        main = text[:m.start()] + inc_new + text[m.end():]
                        out.put(kind, main + LINT_MARK + open(sub, "rb").read())
    for g in ["tests/lint/trees/**/*", "tests/lint/cases/*/tftp/**/*", "tests/lint/cases/*/www/**/*",
              "examples/**/*.ipxe", "examples/**/pxelinux.cfg/*"]:
        for p in sorted(glob.glob(g, recursive=True)):
            if not os.path.isfile(p):
                continue
            b = open(p, "rb").read()
            if b and b"\0" not in b[:4096] and len(b) <= 8192:
                out.put("lint_files", b)


def tftpd_seeds(out):
    """Sessions in fuzz_tftpd's format: config byte, then (ctl, 2-byte length, datagram)."""
    def rec(ctl, payload=b""):
        return bytes([ctl]) + struct.pack(">H", len(payload)) + payload

    def rrq(name, opts=(), mode=b"octet", op=1):
        b = struct.pack(">H", op) + name + b"\0" + mode + b"\0"
        for k, v in opts:
            b += k + b"\0" + v + b"\0"
        return b
    acks = lambda n, ctl=3: b"".join(rec(ctl) for _ in range(n))
    out.put("tftpd", b"\x00" + rec(0, rrq(b"pxelinux.0")) + acks(8))
    out.put("tftpd", b"\x00" + rec(0, rrq(b"/pxelinux.0", [(b"tsize", b"0")])) +
            rec(1, b"\x00\x05\x00\x00tsize probe\x00") +
            rec(0, rrq(b"/pxelinux.0", [(b"blksize", b"1468")])) + acks(4))
    out.put("tftpd", b"\x01" + rec(0, rrq(b"big.bin", [(b"blksize", b"1468"), (b"tsize", b"0"),
                                                      (b"windowsize", b"4"), (b"timeout", b"3")])) + acks(60))
    out.put("tftpd", b"\x02" + rec(0, rrq(b"big.bin", [(b"blksize", b"8"), (b"windowsize", b"64")])) +
            acks(6) + rec(2) + acks(3) + rec(2) + rec(2) + rec(2) + rec(2))
    out.put("tftpd", b"\x00" + rec(0, rrq(b"exact.bin", mode=b"NetASCII")) + acks(4) +
            rec(0, rrq(b"empty.bin")) + acks(2) + rec(0, rrq(b"with space.txt")) + acks(1))
    out.put("tftpd", b"\x00" + rec(0, rrq(b"out.lnk")) + rec(0, rrq(b"../outside.txt")) +
            rec(0, rrq(b"dir")) + rec(0, rrq(b"loop.lnk")) + rec(0, rrq(b"nothere")) +
            rec(0, rrq(b"x", op=2)) + rec(0, rrq(b"pxelinux.0", mode=b"mail")) +
            rec(0, rrq(b"sub.lnk/deep/file.cfg")) + acks(3) + rec(0, rrq(b"in.lnk")) + acks(8))
    # Four clients at once, a stranger's ACK, a repeated RRQ, a bad ACK, an ERROR mid-way.
    out.put("tftpd", b"\x00" + rec(0x00, rrq(b"big.bin")) + rec(0x10, rrq(b"big.bin")) +
            rec(0x20, rrq(b"pxelinux.0")) + rec(0x30, rrq(b"exact.bin")) + rec(0x00, rrq(b"big.bin")) +
            rec(0x11, b"\x00\x04\x00\x01") + rec(0x01, b"\x00\x04\x00\x09") + rec(0x01, b"\x00\x04") +
            acks(4, 0x07) + rec(0x05, b"\x00\x05\x00\x03disk full\x00") + acks(4, 0x0b) +
            rec(0x00, b"\x00\x04\x00\x01") + rec(0x00, b"\x00\x09zz") + rec(0x00, b"\x00"))


def httpd_seeds(out):
    """Request streams for fuzz_httpd: 4 seed bytes (0: plain), then what a client sends."""
    def req(method, target, headers=(), version=b"HTTP/1.1", host=True):
        b = method + b" " + target + b" " + version + b"\r\n"
        if host:
            b += b"Host: 192.0.2.1\r\n"
        for h in headers:
            b += h + b"\r\n"
        return b + b"\r\n"
    auth = b"Authorization: Basic " + __import__("base64").b64encode(b"fuzz:s3cr3t-pw")
    streams = [
        req(b"GET", b"/index.html"),
        req(b"GET", b"/boot.ipxe", [b"User-Agent: iPXE/1.21.1"]) + req(b"HEAD", b"/big.bin") +
        req(b"GET", b"/big.bin", [b"Range: bytes=100-199"]) + req(b"GET", b"/big.bin", [b"Range: bytes=-10"]) +
        req(b"GET", b"/big.bin", [b"Range: bytes=69000-"]) + req(b"GET", b"/big.bin", [b"Range: bytes=99999-"]) +
        req(b"GET", b"/big.bin", [b"Range: bytes=0-1,5-6"]) + req(b"GET", b"/big.bin"),
        req(b"GET", b"/private/secret.txt") + req(b"GET", b"/private/secret.txt", [auth]) +
        req(b"GET", b"/priv.lnk") + req(b"GET", b"/priv.lnk", [auth]) +
        req(b"GET", b"/private/secret.txt", [b"Authorization: Basic Zm9vOmJhcg=="]) +
        req(b"GET", b"/private/", [auth]),
        req(b"GET", b"/out.lnk") + req(b"GET", b"/loop.lnk") + req(b"GET", b"/dir.lnk/dir/file.cfg") +
        req(b"GET", b"/up.lnk/outside.txt") + req(b"GET", b"/%2e%2e/outside.txt") + req(b"GET", b"/sub/") +
        req(b"GET", b"/sp%20ace.txt") + req(b"GET", b"/pct%2541.txt") + req(b"GET", b"/a%zz") +
        req(b"GET", b"/a%00b") + req(b"GET", b"http://192.0.2.1/index.html?x=1#frag") +
        req(b"GET", b"/empty.bin", [b"Connection: close"]),
        req(b"GET", b"/index.html", version=b"HTTP/1.0", host=False) +
        req(b"GET", b"/index.html", [b"Connection: keep-alive"], version=b"HTTP/1.0", host=False) +
        req(b"GET", b"/index.html", [b"Host: a"]) + req(b"GET", b"/index.html", host=False),
        req(b"POST", b"/index.html", [b"Content-Length: 5"]) + b"hello",
        req(b"GET", b"/index.html", [b"Transfer-Encoding: chunked"]) + b"0\r\n\r\n",
        req(b"BREW", b"/pot") + req(b"GET", b"/x", version=b"HTTP/2.0"),
        b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + b"y" * 17000 + b"\r\n\r\n",
        b"GET /index.html HTTP/1.1\r\nHost: x\r\n",
        req(b"GET", b"/big.bin", [b"If-Range: Thu, 01 Jan 1970 00:00:00 GMT", b"Range: bytes=1-2"]),
    ]
    for i, st in enumerate(streams):
        out.put("httpd", b"\x00\x00\x00\x00" + st)
        out.put("httpd", struct.pack(">I", 0x9E3779B9 * (i + 1) & 0xFFFFFFFF) + st)


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def iscsid_seeds(out):
    """Initiator streams for fuzz_iscsid: 4 seed bytes (0: plain), then PDUs."""
    import hashlib as _h
    isid = bytes([0x80, 0x12, 0x34, 0x56, 0x00, 0x01])

    class S:
        def __init__(self):
            self.b = bytearray()
            self.cmdsn = 1
            self.itt = 1
            self.hd = self.dd = False

        def pdu(self, op, flags, rest, data=b"", immediate=False, lun=0, itt=None, w20=0,
                advance=False, w28=0, w32_47=b""):
            if itt is None:
                itt = self.itt
                self.itt += 1
            bhs = bytearray(48)
            bhs[0] = op | (0x40 if immediate else 0)
            bhs[1] = flags
            bhs[5:8] = struct.pack(">I", len(data))[1:]
            bhs[8:16] = rest if rest is not None else struct.pack(">Q", lun)
            bhs[16:20] = struct.pack(">I", itt)
            bhs[20:24] = struct.pack(">I", w20)
            bhs[24:28] = struct.pack(">I", self.cmdsn)
            bhs[28:32] = struct.pack(">I", w28)
            bhs[32:32 + len(w32_47)] = w32_47
            b = bytes(bhs)
            if self.hd:
                b += struct.pack("<I", crc32c(b))
            pad = data + b"\0" * (-len(data) % 4)
            b += pad
            if self.dd and data:
                b += struct.pack("<I", crc32c(pad))
            self.b += b
            if advance:
                self.cmdsn += 1

        def login(self, csg, nsg, transit, keys, cont=False, raw=None):
            text = raw if raw is not None else b"".join(k + b"\0" for k in keys)
            flags = (0x80 if transit else 0) | (0x40 if cont else 0) | csg << 2 | (nsg if transit else 0)
            self.pdu(0x03, flags, isid + b"\0\0", text, immediate=True, itt=0)

        def scsi(self, cdb, edtl=0, read=False, write=False, lun=0, data=b"", final=True):
            flags = (0x80 if final else 0) | (0x40 if read else 0) | (0x20 if write else 0) | 1
            itt = self.itt
            self.pdu(0x01, flags, None, data, lun=lun, w20=edtl, advance=True,
                     w32_47=cdb.ljust(16, b"\0"))
            return itt

    name = b"InitiatorName=iqn.2026-11.fuzz:initiator"
    opkeys = [b"HeaderDigest=None", b"DataDigest=None", b"MaxRecvDataSegmentLength=65536",
              b"ImmediateData=Yes", b"InitialR2T=No", b"MaxBurstLength=262144",
              b"FirstBurstLength=65536", b"ErrorRecoveryLevel=0", b"MaxConnections=1",
              b"DefaultTime2Wait=2", b"DefaultTime2Retain=0", b"IFMarker=No", b"X-Unknown=1"]

    def scsi_session(s, lun1=True):
        s.scsi(b"\x12\x00\x00\x00\x60\x00", 96, read=True)            # INQUIRY
        s.scsi(b"\x12\x01\x83\x00\xff\x00", 255, read=True)           # INQUIRY VPD 83h
        s.scsi(b"\xa0" + b"\0" * 5 + struct.pack(">I", 64), 64, read=True)  # REPORT LUNS
        s.scsi(b"\x00" * 6)                                               # TEST UNIT READY
        s.scsi(b"\x25" + b"\0" * 9, 8, read=True)                          # READ CAPACITY(10)
        s.scsi(b"\x9e\x10" + b"\0" * 8 + struct.pack(">I", 32) + b"\0\0", 32, read=True)
        s.scsi(b"\x1a\x00\x3f\x00\xff\x00", 255, read=True)           # MODE SENSE(6)
        s.scsi(b"\x28\x00" + struct.pack(">I", 0) + b"\x00" + struct.pack(">H", 8) + b"\0", 4096, read=True)
        s.scsi(b"\x2a\x00" + struct.pack(">I", 2) + b"\x00" + struct.pack(">H", 1) + b"\0", 512,
               write=True, data=b"w" * 512)                                  # WRITE(10), immediate data
        itt = s.scsi(b"\x2a\x08" + struct.pack(">I", 4) + b"\x00" + struct.pack(">H", 2) + b"\0", 1024,
                     write=True, final=True)                                 # WRITE(10) FUA, via R2T
        s.pdu(0x05, 0x80, None, b"d" * 1024, itt=itt, w20=2, w32_47=b"\0" * 4 + struct.pack(">I", 0) +
              struct.pack(">I", 0))                                          # Data-Out
        s.scsi(b"\x28\x00" + struct.pack(">I", 60) + b"\x00" + struct.pack(">H", 8) + b"\0", 4096, read=True)
        if lun1:
            s.scsi(b"\x2a\x00" + b"\0" * 4 + b"\x00\x00\x01\x00", 512, write=True, lun=1 << 48,
                   data=b"x" * 512)                                          # write-protected LUN
            s.scsi(b"\x08\x00\x00\x00\x01\x00", 512, read=True, lun=1 << 48)  # READ(6)
        s.scsi(b"\x35" + b"\0" * 9)                                          # SYNCHRONIZE CACHE
        s.scsi(b"\xff" + b"\0" * 5)                                          # unknown opcode
        s.pdu(0x00, 0x80, None, b"ping", immediate=True, w20=0xFFFFFFFF)  # NOP-Out
        s.pdu(0x02, 0x80 | 1, None, b"", immediate=True, w20=12345)        # TMF ABORT TASK
        s.pdu(0x04, 0x80, None, b"SendTargets=\0", w20=0xFFFFFFFF, advance=True)
        s.pdu(0x06, 0x80, None, b"", immediate=True)                       # Logout

    # Discovery.
    s = S()
    s.login(0, 1, True, [name, b"SessionType=Discovery", b"AuthMethod=None"])
    s.login(1, 3, True, opkeys)
    s.pdu(0x04, 0x80, None, b"SendTargets=All\0", w20=0xFFFFFFFF, advance=True)
    s.pdu(0x06, 0x80, None, b"", immediate=True)
    out.put("iscsid", b"\0\0\0\0" + bytes(s.b))
    # A normal session without authentication, every SCSI command we answer.
    s = S()
    s.login(0, 1, True, [name, b"SessionType=Normal", b"TargetName=iqn.2026-11.fuzz:disk0",
                         b"AuthMethod=None"])
    s.login(1, 3, True, opkeys)
    scsi_session(s)
    out.put("iscsid", b"\0\0\0\0" + bytes(s.b))
    out.put("iscsid", b"\x12\x34\x56\x78" + bytes(s.b))
    # The same with header and data digests.
    s = S()
    s.login(0, 1, True, [name, b"TargetName=iqn.2026-11.fuzz:disk0"])
    s.login(1, 3, True, [b"HeaderDigest=CRC32C", b"DataDigest=CRC32C", b"MaxRecvDataSegmentLength=8192"])
    s.hd = s.dd = True
    scsi_session(s)
    out.put("iscsid", b"\0\0\0\0" + bytes(s.b))
    # CHAP: the challenge is fixed by the harness's getrandom (0x5a + i).
    chap_id = 0x5A
    chal = bytes(range(0x5A, 0x5A + 16))
    resp = _h.md5(bytes([chap_id]) + b"fuzz-chap-secret-12" + chal).hexdigest().encode()
    s = S()
    s.login(0, 1, False, [name, b"SessionType=Normal", b"TargetName=iqn.2026-11.fuzz:chap",
                          b"AuthMethod=CHAP,None"])
    s.login(0, 1, False, [b"CHAP_A=5"])
    s.login(0, 1, True, [b"CHAP_N=fuzzuser", b"CHAP_R=0x" + resp])
    s.login(1, 3, True, opkeys[:4])
    scsi_session(s, lun1=False)
    out.put("iscsid", b"\0\0\0\0" + bytes(s.b))
    # CHAP with a wrong response; a login split over C-bit PDUs; a login without names.
    s = S()
    s.login(0, 1, False, [name, b"TargetName=iqn.2026-11.fuzz:chap", b"AuthMethod=CHAP"])
    s.login(0, 1, False, [b"CHAP_A=5"])
    s.login(0, 1, True, [b"CHAP_N=fuzzuser", b"CHAP_R=0x" + b"0" * 32])
    out.put("iscsid", b"\0\0\0\0" + bytes(s.b))
    s = S()
    s.login(0, 1, False, [], cont=True, raw=name + b"\0TargetNa")
    s.login(0, 1, True, [b"me=iqn.2026-11.fuzz:disk0", b"AuthMethod=None"])
    s.login(1, 3, True, opkeys)
    s.pdu(0x04, 0x80, None, b"MaxRecvDataSegmentLength=4096\0HeaderDigest=CRC32C\0SendTargets=All\0",
          w20=0xFFFFFFFF, advance=True)
    s.pdu(0x06, 0x80, None, b"", immediate=True)
    out.put("iscsid", b"\0\0\0\0" + bytes(s.b))
    s = S()
    s.login(0, 1, True, [b"SessionType=Normal"])
    out.put("iscsid", b"\0\0\0\0" + bytes(s.b))


def main():
    root = sys.argv[1]
    out = Out(root)
    for path in sys.argv[2:]:
        dlt, frames = read_pcap(path)
        if dlt is None:
            continue
        out.put("engine", records(frames)[:1 << 20] if dlt == 1 else b"")
        if dlt in DLT_SELECT:
            out.put("engine_link", bytes([DLT_SELECT[dlt]]) + records(frames)[:1 << 20])
        tftp_ports, streams = set(), {}
        dhcpd = bytearray([0])
        for fr in frames:
            ip = ip_of(dlt, fr)
            if ip is None:
                continue
            t = l4(ip)
            if t is None:
                continue
            proto, sip, dip, sp, dp, pl = t
            if proto == 17 and (sp in (67, 68, 4011) or dp in (67, 68, 4011)):
                out.put("dhcp", pl)
                if dp in (67, 4011) and len(dhcpd) < 4000:
                    dhcpd += struct.pack(">H", len(pl)) + pl
                continue
            if proto == 17:
                if dp == 69:
                    tftp_ports.add(sp)
                if dp == 69 or sp in tftp_ports or dp in tftp_ports:
                    # DATA: the first blocks only (thousands of file blocks add nothing).
                    if pl[:2] not in (b"\x00\x03", b"\x00\x04") or pl[2:4] in (b"\x00\x00", b"\x00\x01", b"\x00\x02"):
                        out.put("tftp", pl[:1024])
                    if len(pl) > 4 and pl[:2] == b"\x00\x03" and looks_pxecfg(pl[4:]):
                        out.put("pxecfg", pl[4:])
                continue
            if proto == 6 and pl:
                key = (sip, sp, dip, dp)
                streams.setdefault(key, bytearray()).extend(pl)
                if 80 in (sp, dp):
                    out.put("http", b"\x12\x34\x56\x78" + pl)
        if len(dhcpd) > 1:
            out.put("dhcpd", bytes(dhcpd))
            out.put("dhcpd", b"\x02" + bytes(dhcpd[1:]))
        for (sip, sp, dip, dp), data in streams.items():
            if 3260 in (sp, dp):
                out.put("iscsi", bytes(data[:1 << 16]))
            if 80 in (sp, dp):
                out.put("http", b"\x00\x00\x00\x01" + bytes(data[:1 << 16]))
                for m in re.finditer(rb"\r\n\r\n", bytes(data)):
                    body = bytes(data[m.end():m.end() + 8192])
                    if body.startswith(b"#!ipxe") or body.startswith(b"#!gpxe"):
                        out.put("ipxescript", body)
                    elif looks_pxecfg(body):
                        out.put("pxecfg", body)
    # Text seeds from the tree.
    for p in glob.glob("examples/**/*.ipxe", recursive=True):
        out.put("ipxescript", open(p, "rb").read())
    for p in glob.glob("examples/**/pxelinux.cfg/*", recursive=True):
        out.put("pxecfg", open(p, "rb").read())
    for p in glob.glob("examples/**/*.conf", recursive=True) + glob.glob("pcaps/**/*.site", recursive=True):
        out.put("site", open(p, "rb").read())
    try:
        src = open("tests/gen/mkscenarios.c", encoding="utf-8", errors="replace").read()
        # Adjacent C string literals that make up an iPXE script or a pxelinux config.
        for m in re.finditer(r'((?:"(?:[^"\\\n]|\\.)*"\s*)+)', src):
            lits = re.findall(r'"((?:[^"\\\n]|\\.)*)"', m.group(1))
            text = "".join(lits)
            try:
                text = bytes(text, "utf-8").decode("unicode_escape").encode("latin-1", "replace")
            except Exception:
                continue
            if text.startswith(b"#!ipxe"):
                out.put("ipxescript", text)
            elif looks_pxecfg(text):
                out.put("pxecfg", text)
            elif b"server.address" in text:
                out.put("site", text)
    except OSError:
        pass
    lint_seeds(out)
    for kind in ("ipxescript", "pxecfg"):
        d = os.path.join(root, kind)
        for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            out.put("lint_files", open(os.path.join(d, name), "rb").read())
    tftpd_seeds(out)
    httpd_seeds(out)
    iscsid_seeds(out)
    for k in sorted(out.n):
        print("seeds: %-12s %d" % (k, out.n[k]))


if __name__ == "__main__":
    main()
