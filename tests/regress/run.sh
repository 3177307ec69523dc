#!/bin/sh
# tests/regress/run.sh: replays the regression corpus.
#
#   tests/regress/<harness>/*   inputs that once crashed (or must never crash) a fuzz harness:
#                               replayed through fuzz/fuzz_<harness>.c linked with
#                               fuzz/replay_main.c and ASan + UBSan (no libFuzzer needed), with
#                               the link flags its "fuzz-ldflags:" line names
#   tests/regress/pcap/*.pcap   hostile capture files (tests/regress/mkpcaps.py small), plus the
#                               large ones written into build/regress/pcap/ (mkpcaps.py big):
#                               `netboot-check analyze --format json` must exit 0, 1 or 2, print
#                               at most one line on stderr, valid JSON on stdout (if any), finish
#                               within 20 s and peak under 512 MiB; and what
#                               tests/regress/pcap-expect.txt says for that file.
#
# Env: CC (default clang, else gcc), NBC (default build/bin/netboot-check; built with make if
# missing). Prints "regress: N passed, M failed"; exits 1 on any failure.
set -u
cd "$(dirname "$0")/../.." || exit 2

OUT=build/regress
NBC=${NBC:-build/bin/netboot-check}
if [ -z "${CC:-}" ]; then
	if command -v clang >/dev/null 2>&1; then CC=clang; else CC=gcc; fi
fi
CSTD="-std=c11 -D_DEFAULT_SOURCE"
COPT="-g -O1 -fno-omit-frame-pointer"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
TIME_LIMIT=20
MEM_LIMIT_KB=524288
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "regress: FAIL $*"; }

mkdir -p "$OUT/obj" "$OUT/bin" "$OUT/pcap"

# Extra link flags a harness asks for in a line "fuzz-ldflags: ..." (as scripts/fuzz.sh reads them).
ldflags() {
	sed -n 's/^.*fuzz-ldflags: \(.*\)$/\1/p' "fuzz/fuzz_$1.c" | head -n 1
}

# --- the library with sanitizers (no fuzzer instrumentation), rebuilt when a source changed.
LIBSRC=$(ls proto/*.c checker/*.c reports/*.c server/*.c lint/*.c | grep -v -e '/main\.c$')
LIB=$OUT/libnbc-san.a
stale=0
if [ ! -f "$LIB" ]; then
	stale=1
else
	for f in $LIBSRC proto/*.h checker/*.h reports/*.h server/*.h lint/*.h; do
		if [ "$f" -nt "$LIB" ]; then stale=1; break; fi
	done
fi
harnesses=""
for d in tests/regress/*/; do
	h=$(basename "$d")
	[ "$h" = pcap ] && continue
	ls "$d" | grep -q . || continue
	[ -f "fuzz/fuzz_$h.c" ] || { bad "$d: no harness fuzz/fuzz_$h.c"; continue; }
	harnesses="$harnesses $h"
done
if [ -n "$harnesses" ] && [ $stale = 1 ]; then
	echo "regress: building the sanitizer library with $CC"
	rm -f "$LIB" "$OUT"/obj/*.o
	for f in $LIBSRC; do
		o=$OUT/obj/$(echo "$f" | tr / _ | sed 's/\.c$/.o/')
		$CC $CSTD $COPT $SAN -I. -c "$f" -o "$o" || exit 2
	done
	ar rcs "$LIB" "$OUT"/obj/*.o || exit 2
fi

# --- fuzz findings, one process per input.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
for h in $harnesses; do
	bin=$OUT/bin/replay_$h
	# shellcheck disable=SC2046
	$CC $CSTD $COPT $SAN -I. "fuzz/fuzz_$h.c" fuzz/replay_main.c "$LIB" -lpcap -lnettle -lm \
		$(ldflags "$h") -o "$bin" || { bad "$h: replay build failed"; continue; }
	for f in tests/regress/"$h"/*; do
		[ -f "$f" ] || continue
		if timeout "$TIME_LIMIT" "$bin" "$f" >"$OUT/last.out" 2>&1 </dev/null; then
			ok
		else
			bad "$f (exit $?): $(grep -m1 -e 'ERROR:' -e 'runtime error' -e 'invariant' "$OUT/last.out")"
		fi
	done
done

# --- hostile captures.
if [ ! -x "$NBC" ]; then
	make "$NBC" >/dev/null || { bad "cannot build $NBC"; NBC=""; }
fi
rm -f "$OUT"/pcap/*.pcap	# a corpus file renamed or dropped must not linger
python3 tests/regress/mkpcaps.py big "$OUT/pcap" || bad "mkpcaps.py big failed"
if [ -n "$NBC" ]; then
	for f in tests/regress/pcap/*.pcap "$OUT"/pcap/*.pcap; do
		[ -f "$f" ] || continue
		start=$(date +%s)
		timeout "$TIME_LIMIT" /usr/bin/time -f %M -o "$OUT/last.mem" \
			"$NBC" analyze --format json "$f" >"$OUT/last.json" 2>"$OUT/last.err"
		rc=$?
		secs=$(($(date +%s) - start))
		mem=$(tail -n 1 "$OUT/last.mem" 2>/dev/null)
		errs=$(wc -l <"$OUT/last.err")
		why=""
		case $rc in
		0 | 1 | 2) ;;
		124) why="over ${TIME_LIMIT}s" ;;
		*) why="exit $rc" ;;
		esac
		[ "$errs" -gt 1 ] && why="$why; $errs stderr lines"
		case $mem in '' | *[!0-9]*) mem=0 ;; esac
		[ "$mem" -ge $MEM_LIMIT_KB ] && why="$why; peak ${mem} KiB"
		if [ -s "$OUT/last.json" ] &&
			! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$OUT/last.json" 2>/dev/null; then
			why="$why; stdout is not JSON"
		fi
		# The file's own expectation (tests/regress/pcap-expect.txt), if it has one.
		want=$(awk -F '\t' -v n="$(basename "$f")" '$1 == n { print $2 }' tests/regress/pcap-expect.txt)
		if [ -n "$want" ] && ! python3 - "$OUT/last.json" "$rc" "$want" <<'PY' 2>"$OUT/last.expect"; then
import collections, json, sys
try:
    d = json.load(open(sys.argv[1]))
except ValueError:
    d = {}
v = collections.Counter(c["verdict"] for c in d.get("clients", []))
r = dict(collections.Counter(f["rule"] for f in d.get("findings", [])))
m = d.get("stats", {}).get("malformed", -1)
sys.exit(0 if eval(sys.argv[3], {}, {"d": d, "rc": int(sys.argv[2]), "v": v, "r": r, "m": m}) else 1)
PY
			why="$why; expected $want $(tail -n 1 "$OUT/last.expect")"
		fi
		[ -z "$want" ] && why="$why; no line in tests/regress/pcap-expect.txt"
		if [ -z "$why" ]; then
			ok
			echo "regress: ok $f (exit $rc, ${secs}s, $((mem / 1024)) MiB)"
		else
			bad "$f: ${why#; } $(head -n 2 "$OUT/last.err")"
		fi
	done
fi

echo "regress: $pass passed, $fail failed"
[ $fail -eq 0 ]
