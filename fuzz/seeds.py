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
    for k in sorted(out.n):
        print("seeds: %-12s %d" % (k, out.n[k]))


if __name__ == "__main__":
    main()
