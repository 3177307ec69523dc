#!/bin/sh
# html.sh: the HTML report (analyze --format html). For a few bundled captures (a loop, a gold
# boot, a TCP sanboot, a multi-client one) and for several files on one page: the page parses,
# holds every client, verdict, rule ID, finding and stage the JSON report of the same run has
# (ladder text included), fetches nothing (no http(s) or // in src/href, no external
# resources), is pure ASCII and byte-identical on a second run; headless Chromium renders it
# (a screenshot that is not blank), logs no console message, and its DOM after the scripts ran
# still holds the clients and findings and the verdict filter works. Then a capture whose
# strings (and file name) carry markup: everything escaped, one <script> on the page.
# usage: sh tests/reports/html.sh build/bin/netboot-check
#        (PYTHON=python3, CHROMIUM=chromium; HTML_KEEP=DIR keeps the pages and screenshots)
set -u
NBC=${1:?usage: html.sh NETBOOT-CHECK}
case $NBC in /*) ;; *) NBC=$(pwd)/$NBC ;; esac
PY=${PYTHON:-python3}
CHROMIUM=${CHROMIUM:-chromium}
cd "$(dirname "$0")/../.." || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() {
	echo "FAIL $*"
	fail=$((fail + 1))
}

# check.py HTML [--dom] JSON...: the page against the JSON reports of its inputs, in order.
# --dom: HTML is Chromium's DOM after the scripts ran (the filter bar shown, the counts added).
cat > "$tmp/check.py" << 'PYEOF'
import json, sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
URL_ATTRS = {"src", "href", "xlink:href", "action", "formaction", "poster", "data", "srcset",
             "background"}

class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.problems, self.ids, self.text = [], [], [], []
        self.scripts, self.svgs, self.svg_depth = 0, [], 0
        self.inputs, self.clients, self.verdict_hidden = [], [], []
        self.filters = None
        self.buttons, self.in_button, self.in_h2 = [], False, False
        self.in_style = False

    def starttag(self, tag, attrs, closed):
        a = dict(attrs)
        if a.get("id") is not None:
            self.ids.append(a["id"])
        for k, v in attrs:
            v = (v or "").strip().lower()
            if k in URL_ATTRS and (v.startswith(("http:", "https:", "//", "ftp:")) or "url(" in v):
                self.problems.append("<%s %s=%r>: a network fetch" % (tag, k, v))
        if tag in ("img", "iframe", "object", "embed", "audio", "video", "image", "use", "frame"):
            self.problems.append("<%s>: an external resource element" % tag)
        if tag == "link" and a.get("rel") != "icon":
            self.problems.append("<link rel=%r>" % a.get("rel"))
        if tag == "link" and not (a.get("href") or "").startswith("data:"):
            self.problems.append("<link href=%r>: not a data: URL" % a.get("href"))
        if tag == "script":
            self.scripts += 1
            if "src" in a:
                self.problems.append("<script src>")
        if tag == "svg":
            self.svg_depth += 1
            self.svgs.append("")
        if tag == "section" and a.get("class") == "input":
            self.inputs.append("")
        if tag == "section" and a.get("class") == "client":
            self.clients.append((a.get("id"), a.get("data-verdict")))
        if "data-verdict" in a and "hidden" in a:
            self.verdict_hidden.append(a.get("id") or tag)
        if a.get("id") == "filters":
            self.filters = "hidden" in a
        if tag == "button":
            self.in_button = True
            self.buttons.append([a.get("data-f"), ""])
        self.in_h2 = tag == "h2" or self.in_h2
        self.in_style = tag == "style"
        if not closed and tag not in VOID:
            self.stack.append(tag)

    def handle_starttag(self, tag, attrs):
        self.starttag(tag, attrs, False)

    def handle_startendtag(self, tag, attrs):
        self.starttag(tag, attrs, True)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append("</%s> closes <%s>" % (tag, self.stack[-1] if self.stack else "nothing"))
        else:
            self.stack.pop()
        if tag == "svg":
            self.svg_depth -= 1
        if tag == "button":
            self.in_button = False
        if tag == "h2":
            self.in_h2 = False
        if tag == "style":
            self.in_style = False

    def handle_data(self, d):
        self.text.append(d)
        if self.svg_depth:
            self.svgs[-1] += d + "\n"
        if self.in_button:
            self.buttons[-1][1] += d
        if self.in_h2 and self.inputs:
            self.inputs[-1] += d
        if self.in_style and ("@import" in d or "url(" in d):
            self.problems.append("<style> with @import or url()")

args = sys.argv[1:]
dom = "--dom" in args
args = [x for x in args if x != "--dom"]
raw = open(args[0], "rb").read()
p = Page()
p.feed(raw.decode("utf-8", "replace"))
p.close()
prob = p.problems
if not dom:
    bad = [b for b in raw if b > 0x7e or (b < 0x20 and b not in (9, 10))]
    if bad:
        prob.append("%d bytes outside printable ASCII, first 0x%02x" % (len(bad), bad[0]))
    if p.stack:
        prob.append("unclosed elements: %s" % p.stack)
    if p.scripts != 1:
        prob.append("%d <script> elements, expected our one" % p.scripts)
    if p.filters is not True:
        prob.append("the filter bar is not hidden without JavaScript")
    if p.verdict_hidden:
        prob.append("hidden without JavaScript: %s" % p.verdict_hidden[:3])
else:
    if p.filters is not False:
        prob.append("the filter bar is still hidden: the script did not run")
    if not p.buttons or any("(" not in b[1] for b in p.buttons):
        prob.append("filter buttons without counts: %s" % p.buttons)
dups = sorted(set(i for i in p.ids if p.ids.count(i) > 1))
if dups:
    prob.append("duplicate ids: %s" % dups[:3])
if sorted(b[0] for b in p.buttons) != sorted(["all", "booted", "failed", "looping", "stalled", "incomplete-capture"]):
    prob.append("filter buttons %s" % [b[0] for b in p.buttons])
text = "".join(p.text)
reps = [json.load(open(j)) for j in args[1:]]
if len(p.inputs) != len(reps):
    prob.append("%d input sections for %d inputs" % (len(p.inputs), len(reps)))
clients = [c for r in reps for c in r["clients"]]
if len(p.clients) != len(clients) or len(p.svgs) != len(clients):
    prob.append("%d client sections, %d ladders for %d clients" % (len(p.clients), len(p.svgs), len(clients)))
def utf8(s):	# the JSON report writes each byte above 0x7e as its own \u00XX
    try:
        return s.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return s
for i, r in enumerate(reps):
    if i < len(p.inputs) and p.inputs[i].strip() != utf8(r["input"][0]):
        prob.append("input section %d is %r, not %r" % (i, p.inputs[i], r["input"][0]))
    frames = "%d frames" % r["stats"]["frames"]
    if frames not in text:
        prob.append("%s: no %r" % (r["input"][0], frames))
for k, c in enumerate(clients):
    who = c["mac"] or c["ip"]
    if who not in text:
        prob.append("client %s missing" % who)
    if k < len(p.clients) and p.clients[k][1] != c["verdict"]:
        prob.append("client %s: data-verdict %s, JSON %s" % (who, p.clients[k][1], c["verdict"]))
    svg = p.svgs[k] if k < len(p.svgs) else ""
    for s in c["stages"]:
        if s["detail"] not in text:
            prob.append("client %s: stage detail %r missing" % (who, s["detail"][:60]))
        if s["stage"] not in svg:
            prob.append("client %s: stage %s not in the ladder" % (who, s["stage"]))
    for f in c["findings"]:
        if f["rule"] not in svg:
            prob.append("client %s: %s not in the ladder's text" % (who, f["rule"]))
        if f["message"] not in text or (f["hint"] and f["hint"] not in text):
            prob.append("client %s: %s message or hint missing" % (who, f["rule"]))
for r in reps:
    for f in r["findings"]:
        if f["rule"] not in text:
            prob.append("rule %s missing" % f["rule"])
for x in prob[:8]:
    print("  " + x)
sys.exit(1 if prob else 0)
PYEOF

# png.py FILE: a PNG of the window size with more than a blank page in it.
cat > "$tmp/png.py" << 'PYEOF'
import struct, sys, zlib
d = open(sys.argv[1], "rb").read()
if d[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit("not a PNG")
pos, idat, w, h = 8, b"", 0, 0
while pos + 8 <= len(d):
    n, t = struct.unpack(">I4s", d[pos:pos + 8])
    if t == b"IHDR":
        w, h = struct.unpack(">II", d[pos + 8:pos + 16])
    if t == b"IDAT":
        idat += d[pos + 8:pos + 8 + n]
    pos += 12 + n
px = zlib.decompress(idat)
if (w, h) != (1280, 2000):
    sys.exit("%dx%d, not the 1280x2000 window" % (w, h))
if len(set(px)) < 32:
    sys.exit("%d distinct byte values: a blank page" % len(set(px)))
PYEOF

# Appended to a copy of a page: presses the filter button of verdict V, checks that exactly
# the clients with that verdict stay visible, presses "all", records the outcome on <body>.
filter_js() {
	cat << JSEOF
<script>
(function () {
  var bad = [], v = '$1';
  document.querySelector('#filters button[data-f="' + v + '"]').click();
  document.querySelectorAll('section.client, tr[data-verdict]').forEach(function (e) {
    if (e.hidden !== (e.getAttribute('data-verdict') !== v)) bad.push(e.id || e.tagName);
  });
  document.querySelector('#filters button[data-f="all"]').click();
  document.querySelectorAll('[data-verdict]').forEach(function (e) {
    if (e.hidden) bad.push('all:' + (e.id || e.tagName));
  });
  document.body.setAttribute('data-filter-test', bad.length ? 'bad ' + bad.join(' ') : 'ok');
})();
</script>
JSEOF
}

# Chromium, headless, with its profile and caches under $tmp; $1 is its log. It logs every
# console message of a page as INFO:CONSOLE, without the level: the report writes none, so
# any is a failure (as is an "Uncaught" exception).
chrome() {
	log=$1
	shift
	HOME=$tmp/home XDG_CONFIG_HOME=$tmp/xdg XDG_CACHE_HOME=$tmp/cache timeout 60 "$CHROMIUM" \
		--headless=new --no-sandbox --disable-gpu --no-first-run --disable-extensions \
		--disable-background-networking --user-data-dir="$tmp/profile" \
		--enable-logging=stderr --v=0 "$@" 2> "$log"
}
console_errors() { grep -E 'CONSOLE|Uncaught|console\(' "$1"; }

have_chrome=1
if ! command -v "$CHROMIUM" > /dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
	echo "html: installing chromium"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null 2>&1 ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } > /dev/null 2>&1
fi
if ! command -v "$CHROMIUM" > /dev/null 2>&1; then
	have_chrome=0
	bad "chromium is not installed (apt-get install chromium; scripts/deps.sh installs it): pages not rendered"
fi

# The console check must see an error when there is one.
if [ "$have_chrome" = 1 ]; then
	printf '<!DOCTYPE html><title>t</title><script>undefinedFunction();</script>\n' > "$tmp/err.html"
	chrome "$tmp/err.log" --dump-dom "file://$tmp/err.html" > /dev/null
	if console_errors "$tmp/err.log" > /dev/null; then ok; else
		bad "chromium: a page's uncaught exception is not in its log; the console checks are blind"
		have_chrome=0
	fi
fi

# render NAME HTML VERDICT: screenshot, console, DOM after the scripts (with the filter test).
render() {
	name=$1
	page=$2
	shift 2
	chrome "$tmp/shot.log" --screenshot="$tmp/$name.png" --window-size=1280,2000 "file://$page" > /dev/null
	rc=$?
	if [ "$rc" -ne 0 ] || [ ! -s "$tmp/$name.png" ]; then
		bad "$name: chromium --screenshot: exit $rc, no screenshot: $(grep -v dbus "$tmp/shot.log" | tail -2)"
	elif ! "$PY" "$tmp/png.py" "$tmp/$name.png" > "$tmp/out" 2>&1; then
		bad "$name: screenshot: $(cat "$tmp/out")"
	else
		ok
	fi
	if [ -n "${HTML_KEEP:-}" ]; then	# HTML_KEEP=DIR keeps the pages and screenshots to look at
		mkdir -p "$HTML_KEEP" && cp "$page" "$tmp/$name.png" "$HTML_KEEP/"
	fi
	{ cat "$page"; filter_js "$1"; } > "$tmp/$name.filter.html"
	chrome "$tmp/dom.log" --dump-dom "file://$tmp/$name.filter.html" > "$tmp/$name.dom"
	rc=$?
	if console_errors "$tmp/shot.log" "$tmp/dom.log" > "$tmp/out"; then
		bad "$name: console messages: $(head -3 "$tmp/out")"
	elif [ "$rc" -ne 0 ] || ! grep -q 'data-filter-test="ok"' "$tmp/$name.dom"; then
		bad "$name: the verdict filter: exit $rc, $(grep -o 'data-filter-test="[^"]*"' "$tmp/$name.dom")"
	else
		ok
	fi
}

# check NAME ARGS... -- FILE...: writes the page twice and the JSON of each file, then checks.
check() {
	name=$1
	shift
	opts=""
	while [ "$1" != "--" ]; do
		opts="$opts $1"
		shift
	done
	shift
	jsons=""
	for f in "$@"; do
		n=$(basename "$f" .pcap)
		# shellcheck disable=SC2086
		"$NBC" analyze --format json $opts "$f" > "$tmp/$n.json" 2> /dev/null
		jsons="$jsons $tmp/$n.json"
	done
	# shellcheck disable=SC2086
	"$NBC" analyze --format json $opts "$@" > /dev/null 2>&1
	jrc=$?
	# shellcheck disable=SC2086
	"$NBC" analyze --format html $opts -o "$tmp/$name.html" "$@" 2> "$tmp/err"
	hrc=$?
	# shellcheck disable=SC2086
	"$NBC" analyze --format html $opts "$@" > "$tmp/$name.2.html" 2> /dev/null
	if [ "$hrc" -ne "$jrc" ] || [ ! -s "$tmp/$name.html" ]; then
		bad "$name: html exits $hrc, json $jrc: $(head -1 "$tmp/err")"
		return
	fi
	if cmp -s "$tmp/$name.html" "$tmp/$name.2.html"; then ok; else bad "$name: two runs differ"; fi
	# shellcheck disable=SC2086
	if "$PY" "$tmp/check.py" "$tmp/$name.html" $jsons > "$tmp/out" 2>&1; then ok; else
		bad "$name: the page:"
		cat "$tmp/out"
	fi
	[ "$have_chrome" = 1 ] || return
	first=${jsons# }
	verdict=$(jq -r '.clients[0].verdict // "all"' "${first%% *}" 2> /dev/null)
	render "$name" "$tmp/$name.html" "${verdict:-all}"
	# shellcheck disable=SC2086
	if "$PY" "$tmp/check.py" "$tmp/$name.dom" --dom $jsons > "$tmp/out" 2>&1; then
		ok
	else
		bad "$name: the DOM after the scripts ran:"
		cat "$tmp/out"
	fi
}

# 1. Captures: a loop, a gold boot, a TCP sanboot, the first with several clients.
multi=""
for pcap in $(find pcaps -name '*.pcap' | sort); do
	[ -f "${pcap%.pcap}.args" ] && continue
	if [ "$("$NBC" analyze --format json "$pcap" 2> /dev/null | jq '.clients | length')" -gt 1 ] 2> /dev/null; then
		multi=$pcap
		break
	fi
done
[ -n "$multi" ] || bad "no bundled capture with several clients"
for pcap in pcaps/scenarios/ipxe-userclass-loop.pcap pcaps/gold/seed-flow.pcap \
	pcaps/scenarios/sanboot-keepsan-lost.pcap $multi; do
	check "$(basename "$pcap" .pcap)" -- "$pcap"
done

# 2. Several files: one page, one section each, ids unique across them.
check two -- pcaps/scenarios/tftp-nbp-not-found.pcap pcaps/gold/sanboot-keepsan.pcap

# 3. --client: only that client's section, row and ladder.
if [ -n "$multi" ]; then
	mac=$("$NBC" analyze --format json "$multi" 2> /dev/null | jq -r '.clients[1].mac')
	check client --client "$mac" -- "$multi"
fi

# 4. Hostile strings: a PXE boot whose DHCP boot file, TFTP request and TFTP error message
# carry markup, quotes and bytes above 0x7e, in a file whose name does too.
cat > "$tmp/mkhostile.py" << 'PYEOF'
import struct, sys
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def ip4(a):
    return bytes(int(x) for x in a.split("."))
def udp(src, dst, sport, dport, data, smac, dmac):
    u = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(u), 1, 0, 64, 17, 0, ip4(src), ip4(dst))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return dmac + smac + b"\x08\x00" + h + u
def dhcp(op, mac, yiaddr, siaddr, bootfile, opts):
    b = struct.pack("!BBBBIHH4s4s4s4s", op, 1, 6, 0, 0x1234abcd, 0, 0x8000, bytes(4),
                    ip4(yiaddr), ip4(siaddr), bytes(4))
    b += mac + bytes(10) + bytes(64) + bootfile.ljust(128, b"\0") + b"\x63\x82\x53\x63"
    for code, val in opts:
        b += bytes([code, len(val)]) + val
    return b + b"\xff"
cm, sm, bc = bytes.fromhex("525400123499"), bytes.fromhex("525400000001"), b"\xff" * 6
evil = b"\"><script>alert(1)</script>'&\xe9\x01\x85<img src=//x>.0"
pxe = [(60, b"PXEClient:Arch:00000:UNDI:002001"), (93, b"\0\0")]
srv = [(54, ip4("192.0.2.1")), (1, ip4("255.255.255.0")), (51, struct.pack("!I", 3600))]
bcast = ("0.0.0.0", "255.255.255.255")
pk = [
    udp(*bcast, 68, 67, dhcp(1, cm, "0.0.0.0", "0.0.0.0", b"", [(53, b"\1")] + pxe), cm, bc),
    udp("192.0.2.1", bcast[1], 67, 68, dhcp(2, cm, "192.0.2.150", "192.0.2.1", evil, [(53, b"\2")] + srv), sm, bc),
    udp(*bcast, 68, 67, dhcp(1, cm, "0.0.0.0", "0.0.0.0", b"", [(53, b"\3"), (50, ip4("192.0.2.150")), (54, ip4("192.0.2.1"))] + pxe), cm, bc),
    udp("192.0.2.1", bcast[1], 67, 68, dhcp(2, cm, "192.0.2.150", "192.0.2.1", evil, [(53, b"\5")] + srv), sm, bc),
    udp("192.0.2.150", "192.0.2.1", 2070, 69, b"\0\1" + evil + b"\0octet\0", cm, sm),
    udp("192.0.2.1", "192.0.2.150", 3000, 2070, b"\0\5\0\1" + evil + b"\0", sm, cm),
]
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, p in enumerate(pk):
        f.write(struct.pack("<IIII", 1700000000, i * 100000, len(p), len(p)) + p)
PYEOF
evil=$(printf '%s/x<b>"\303\251'"'"'.pcap' "$tmp")
if ! "$PY" "$tmp/mkhostile.py" "$evil"; then
	bad "hostile: could not write the capture"
else
	check hostile -- "$evil"
	h=$tmp/hostile.html
	if [ -s "$h" ] && ! grep -qi '<script>alert\|<img' "$h" && grep -q '&lt;script&gt;alert(1)' "$h" &&
		grep -q 'x&lt;b&gt;&quot;&#xe9;&#39;\.pcap' "$h" &&
		[ "$(grep -o '<script' "$h" | wc -l)" -eq 1 ]; then
		ok
	else
		bad "hostile: markup from the capture or its file name is not escaped"
		grep -o '.\{0,40\}<script.\{0,40\}' "$h" | head -3
	fi
	if [ "$have_chrome" = 1 ] && [ -s "$tmp/hostile.dom" ] &&
		[ "$(grep -o '<script' "$tmp/hostile.dom" | wc -l)" -ne 2 ]; then
		bad "hostile: the DOM holds other scripts than the page's and the test's"
	fi
fi

echo "html: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
