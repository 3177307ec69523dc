#!/bin/sh
# annotate.sh: analyze --annotate OUT.pcapng writes the capture back as pcapng with every
# finding and every stage's first frame as a packet comment. tshark must read the same
# frames (bytes, lengths, timestamps, link type) from OUT as from the input, and show every
# finding of the JSON report as a comment on its frame, stages first, then findings by rule.
set -u
NBC=${1:?usage: annotate.sh NETBOOT-CHECK}
for t in tshark editcap capinfos jq; do
	command -v "$t" > /dev/null || { echo "FAIL annotate: $t missing (make deps)"; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL annotate: $*"; fail=$((fail + 1)); }
TAB=$(printf '\t')
version=$("$NBC" --version)

# tshark without its "running as root" note; fails the check when tshark itself fails.
tsk() { tshark "$@" 2> "$tmp/tshark.err"; }

# The frame list: lengths and timestamps, one line per frame.
frames() { tsk -r "$1" -T fields -e frame.len -e frame.cap_len -e frame.time_epoch; }
# The frame bytes: a digest of the hex dump of every frame.
bytes() { tsk -r "$1" -x | md5sum | cut -d' ' -f1; }
encap() { capinfos -T -r -E "$1" 2> /dev/null | cut -f2; }
prec() { capinfos "$1" 2> /dev/null | sed -n 's/^File timestamp precision: *\([a-z]*\).*/\1/p'; }

# check NAME INPUT [RC]: annotate INPUT, then compare OUT with it frame by frame. RC is
# the exit status analyze may give besides 0 and 1 (2 for a capture cut inside a record).
check() {
	name=$1
	in=$2
	allow=${3:-1}
	out="$tmp/$name.pcapng"
	"$NBC" analyze --format json --annotate "$out" "$in" > "$tmp/$name.json" 2> "$tmp/$name.err"
	rc=$?
	if [ "$rc" -gt "$allow" ] || [ ! -s "$out" ]; then
		bad "$name: analyze --annotate exit $rc, $(head -c 300 "$tmp/$name.err")"
		return
	fi
	# Frames, lengths and timestamps identical; as many frames as the report counted.
	frames "$in" > "$tmp/$name.in.f"
	frames "$out" > "$tmp/$name.out.f" || bad "$name: tshark cannot read OUT: $(cat "$tmp/tshark.err")"
	if cmp -s "$tmp/$name.in.f" "$tmp/$name.out.f"; then ok; else
		bad "$name: frame lengths or timestamps differ: $(diff "$tmp/$name.in.f" "$tmp/$name.out.f" | head -3)"
	fi
	n=$(wc -l < "$tmp/$name.out.f")
	want=$(jq -r '.stats.frames' "$tmp/$name.json")
	if [ "$n" -eq "$want" ]; then ok; else bad "$name: OUT has $n frames, the report $want"; fi
	if [ "$(bytes "$in")" = "$(bytes "$out")" ]; then ok; else bad "$name: frame bytes differ"; fi
	if [ "$(encap "$in")" = "$(encap "$out")" ]; then ok; else
		bad "$name: link type $(encap "$out"), input $(encap "$in")"
	fi
	if [ "$(prec "$in")" = "$(prec "$out")" ]; then ok; else
		bad "$name: timestamp precision $(prec "$out"), input $(prec "$in")"
	fi
	if capinfos "$out" 2> /dev/null | grep -q "Capture application: *$version\$"; then ok; else
		bad "$name: no shb_userappl '$version'"
	fi
	# Every stage's first frame and every finding's frame, in the order the comments must
	# have: by frame, stages first (in report order), then findings by rule ID.
	jq -r '(.clients[].stages[] | select(.frame > 0) | "\(.frame)\t0\t\tstage \(.stage)"),
	       (.findings[] | select(.frame > 0) | "\(.frame)\t1\t\(.rule)\t\(.severity) \(.rule)")' \
		"$tmp/$name.json" | LC_ALL=C sort -s -t "$TAB" -k1,1n -k2,2n -k3,3 | cut -f1,4 > "$tmp/$name.exp"
	tsk -r "$out" -Y frame.comment -T fields -e frame.number -e frame.comment |
		awk -F'\t' '{
			s = $2
			while (match(s, /netboot-check: (stage [a-z0-9-]+|(error|warning|info) NBC-[A-Z0-9-]+)/)) {
				print $1 "\t" substr(s, RSTART + 15, RLENGTH - 15)
				s = substr(s, RSTART + RLENGTH)
			}
		}' > "$tmp/$name.act"
	if cmp -s "$tmp/$name.exp" "$tmp/$name.act"; then ok; else
		bad "$name: comments differ from the report (want < > got): $(diff "$tmp/$name.exp" "$tmp/$name.act" | head -5)"
	fi
	# The same input gives the same bytes.
	"$NBC" analyze --annotate "$tmp/$name.2.pcapng" "$in" > /dev/null 2>&1
	if cmp -s "$out" "$tmp/$name.2.pcapng"; then ok; else bad "$name: a second run wrote other bytes"; fi
}

check loop pcaps/scenarios/ipxe-userclass-loop.pcap
check gold-keepsan pcaps/gold/sanboot-keepsan.pcap
check gold-walk pcaps/gold/walk-mac.pcap
check tcp-keepsan-lost pcaps/scenarios/sanboot-keepsan-lost.pcap
check tcp-script-malformed pcaps/scenarios/http-script-malformed.pcap
check nak-delay pcaps/scenarios/dhcp-link-delay-foreign-nak.pcap
check sll2 pcaps/scenarios/sll2-pxelinux-boot.pcap
check real-keepsan pcaps/real/sanboot-without-keepsan.pcap

# Inputs of other kinds, made from a bundled capture: nanosecond pcap (with sub-microsecond
# digits), pcapng, raw IP, and our own nanosecond pcapng read back.
editcap -F nsecpcap -t 0.000000123 pcaps/scenarios/ipxe-userclass-loop.pcap "$tmp/nano.pcap" 2> /dev/null
check nano "$tmp/nano.pcap"
if [ "$(prec "$tmp/nano.pcapng")" = nanoseconds ]; then ok; else bad "nano: OUT has no if_tsresol 9"; fi
check again "$tmp/nano.pcapng"
editcap -F pcapng pcaps/scenarios/tftp-blksize-fragments.pcap "$tmp/ng-in.pcapng" 2> /dev/null
check pcapng "$tmp/ng-in.pcapng"
editcap -T rawip pcaps/scenarios/dhcp-two-servers.pcap "$tmp/raw.pcap" 2> /dev/null
check rawip "$tmp/raw.pcap"
# A file cut inside a record: analyzed and annotated up to the cut, exit 2.
head -c 20000 pcaps/scenarios/ipxe-userclass-loop.pcap > "$tmp/cut.pcap"
check cut "$tmp/cut.pcap" 2

public=../shared/pcaps/public
if [ -d "$public" ]; then
	for f in tcpdump__dhcp-option-108.pcapng suricata-verify__http-gap-double.pcap \
		tcpdump__tftp-heapoverflow.pcap suricata-verify__decode-sll2-01.pcap; do
		[ -f "$public/$f" ] && check "public-${f%%.*}" "$public/$f"
	done
fi

# The report is printed as usual in every format.
in=pcaps/scenarios/sanboot-keepsan-lost.pcap
for fmt in text json junit sarif; do
	"$NBC" analyze --format "$fmt" "$in" > "$tmp/plain.$fmt" 2>&1
	"$NBC" analyze --format "$fmt" --annotate "$tmp/f.pcapng" "$in" > "$tmp/ann.$fmt" 2>&1
	if cmp -s "$tmp/plain.$fmt" "$tmp/ann.$fmt" && [ -s "$tmp/f.pcapng" ]; then ok; else
		bad "--format $fmt: the report differs with --annotate"
	fi
	rm -f "$tmp/f.pcapng"
done
# --client: only that client's notes.
"$NBC" analyze --client 52:54:00:00:00:99 --annotate "$tmp/none.pcapng" "$in" > /dev/null 2>&1
if [ -s "$tmp/none.pcapng" ] && [ -z "$(tsk -r "$tmp/none.pcapng" -Y frame.comment -T fields -e frame.number)" ]; then
	ok
else
	bad "--client of a MAC not in the capture still wrote comments"
fi

# An existing OUT is replaced whole.
printf 'not a capture' > "$tmp/old.pcapng"
"$NBC" analyze --annotate "$tmp/old.pcapng" "$in" > /dev/null 2>&1
if cmp -s "$tmp/old.pcapng" "$tmp/tcp-keepsan-lost.pcapng"; then ok; else bad "an existing OUT was not replaced"; fi

# Never the input: the same path, or another name of the same file (exit 3, input intact).
cp "$in" "$tmp/input.pcap"
ln "$tmp/input.pcap" "$tmp/hardlink.pcap"
sum=$(md5sum < "$tmp/input.pcap")
for o in "$tmp/input.pcap" "$tmp/hardlink.pcap" "$tmp/../$(basename "$tmp")/input.pcap"; do
	"$NBC" analyze --annotate "$o" "$tmp/input.pcap" > /dev/null 2> "$tmp/err"
	rc=$?
	if [ "$rc" -eq 3 ] && grep -q "refusing to overwrite" "$tmp/err" &&
		[ "$(md5sum < "$tmp/input.pcap")" = "$sum" ]; then
		ok
	else
		bad "--annotate $o over its input: exit $rc, $(cat "$tmp/err")"
	fi
done

# OUT cannot be written: one clear line, exit 2, no temporary file left behind.
: > "$tmp/plainfile"
mkdir "$tmp/dir"
for o in "$tmp/plainfile/x.pcapng" "$tmp/no/such/dir/x.pcapng" "$tmp/dir"; do
	"$NBC" analyze --annotate "$o" "$in" > /dev/null 2> "$tmp/err"
	rc=$?
	if [ "$rc" -eq 2 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q -- "--annotate: $o" "$tmp/err"; then
		ok
	else
		bad "--annotate $o: exit $rc, $(cat "$tmp/err")"
	fi
done
if [ -z "$(find "$tmp" -name '.netboot-check-annotate.*')" ]; then ok; else bad "a temporary file was left behind"; fi

# Usage errors (exit 3): several inputs, standard input, no file name, --show-secrets.
for args in "--annotate $tmp/u.pcapng $in $in" "--annotate $tmp/u.pcapng -" "--annotate - $in" \
	"--annotate $tmp/u.pcapng --show-secrets $in"; do
	# shellcheck disable=SC2086
	"$NBC" analyze $args < "$in" > /dev/null 2>&1
	rc=$?
	if [ "$rc" -eq 3 ] && [ ! -e "$tmp/u.pcapng" ]; then ok; else bad "analyze $args: exit $rc, want 3"; fi
done

echo "annotate: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
