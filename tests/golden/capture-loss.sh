#!/bin/sh
# capture-loss.sh: a capture that lost one packet is not a broken boot. For every good
# boot in pcaps/gold (netboot-firmware against netboot-serve, each booted with no error),
# the capture with each single frame left out in turn must still analyze with no error
# finding, as booted, or as incomplete-capture when the lost frame was the evidence of the
# boot's last step (the LBA 0 read, the script that chains the kernel): a lost TFTP request (the server's answer is there), an OACK, a DATA
# block the client acknowledged, an HTTP response head or a script's text, an iSCSI login
# PDU, a frame that starts a TCP stream. Mirror ports and busy capture hosts lose packets;
# blaming the configuration for them sends users after the wrong fault.
# usage: sh tests/golden/capture-loss.sh build/bin/netboot-check
set -u
NBC=${1:?usage: capture-loss.sh NETBOOT-CHECK}
case $NBC in /*) ;; *) NBC=$(pwd)/$NBC ;; esac
cd "$(dirname "$0")/../.." || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

python3 - "$NBC" "$tmp" pcaps/gold/*.pcap <<'PY'
import json, os, struct, subprocess, sys

nbc, tmp, caps = sys.argv[1], sys.argv[2], sys.argv[3:]
passed = failed = 0


def records(path):
    data = open(path, "rb").read()
    if len(data) < 24 or data[:4] != b"\xd4\xc3\xb2\xa1":
        raise SystemExit("capture-loss: %s is not a little-endian pcap" % path)
    out, off = [], 24
    while off + 16 <= len(data):
        n = struct.unpack("<I", data[off + 8:off + 12])[0]
        out.append(data[off:off + 16 + n])
        off += 16 + n
    return data[:24], out


def verdicts(path):
    r = subprocess.run([nbc, "analyze", "--format", "json", path], capture_output=True,
                       timeout=60)
    if r.returncode not in (0, 1):
        return None, "exit %d: %s" % (r.returncode, r.stderr.decode(errors="replace").strip())
    j = json.loads(r.stdout)
    errs = ["%s #%s %s" % (f["rule"], f.get("frame"), f["message"])
            for f in j["findings"] if f["severity"] == "error"]
    return [c["verdict"] for c in j["clients"]], errs


if not caps:
    raise SystemExit("capture-loss: no captures in pcaps/gold")
for cap in caps:
    hdr, recs = records(cap)
    name = os.path.basename(cap)
    v, errs = verdicts(cap)
    if v != ["booted"] or errs:
        print("FAIL capture-loss: %s itself: %s %s" % (name, v, errs))
        failed += 1
        continue
    bad = []
    incomplete = 0
    out = os.path.join(tmp, "lost.pcap")
    for i in range(len(recs)):
        with open(out, "wb") as f:
            f.write(hdr + b"".join(recs[:i] + recs[i + 1:]))
        v, errs = verdicts(out)
        incomplete += v == ["incomplete-capture"]
        if v not in (["booted"], ["incomplete-capture"]) or errs:
            bad.append("frame %d: %s %s" % (i + 1, v, "; ".join(errs) if errs else ""))
    # Most single losses change nothing the verdict rests on.
    if incomplete * 4 > len(recs):
        bad.append("%d of %d cases incomplete-capture" % (incomplete, len(recs)))
    if bad:
        failed += 1
        print("FAIL capture-loss: %s without one frame (%d of %d cases):" %
              (name, len(bad), len(recs)))
        for b in bad[:5]:
            print("    " + b)
    else:
        passed += 1
print("capture-loss: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
