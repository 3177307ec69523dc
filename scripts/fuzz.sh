#!/bin/sh
# fuzz.sh: builds the libFuzzer harnesses (fuzz/fuzz_*.c) and runs each one in turn.
#
#   sh scripts/fuzz.sh                      every harness, FUZZ_SECONDS (default 60) each
#   FUZZ_SECONDS=600 sh scripts/fuzz.sh
#   FUZZ_TARGETS="dhcp http" sh scripts/fuzz.sh
#   FUZZ_BUILD_ONLY=1 sh scripts/fuzz.sh    build and seed, do not run
#
# Needs clang with libFuzzer (Debian: clang) and python3 (seed corpora). Everything goes to
# build/fuzz/: the harnesses, corpus/<name>/ (grows across runs), seeds/<name>/ (rebuilt from
# the repository's captures and texts), artifacts/<name>/, logs/<name>.log.
# A crash, timeout, leak or out-of-memory input is copied to tests/regress/<name>/<sha1>
# (tests/regress/run.sh replays it) and the script exits 1. Harnesses run one at a time.
set -u
cd "$(dirname "$0")/.." || exit 2

CC=${FUZZ_CC:-clang}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
ALL_TARGETS="dhcp tftp http iscsi ipxescript site pxecfg engine engine_link dhcpd
	lint_dhcpd lint_dnsmasq lint_kea lint_files tftpd httpd iscsid"
FUZZ_TARGETS=${FUZZ_TARGETS:-$ALL_TARGETS}
FUZZ_RESTARTS=${FUZZ_RESTARTS:-2}	# after a finding, go on this many times while time is left
OUT=build/fuzz
CSTD="-std=c11 -D_DEFAULT_SOURCE"
COPT="-g -O1 -fno-omit-frame-pointer"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"

command -v "$CC" >/dev/null 2>&1 || { echo "fuzz: $CC not found (apt-get install clang)" >&2; exit 2; }
command -v python3 >/dev/null 2>&1 || { echo "fuzz: python3 not found" >&2; exit 2; }

max_len() {
	case $1 in
	dhcp | tftp) echo 1500 ;;
	dhcpd | tftpd) echo 4096 ;;
	http | iscsi | httpd | iscsid) echo 20000 ;;
	ipxescript | site | pxecfg | lint_*) echo 8192 ;;
	engine | engine_link) echo 65536 ;;
	*) echo 4096 ;;
	esac
}

# Extra link flags a harness asks for in a line "fuzz-ldflags: ..." of its source (the
# server harnesses wrap open/pread/pwrite/srv_log/getrandom with -Wl,--wrap to watch them).
ldflags() {
	sed -n 's/^.*fuzz-ldflags: \(.*\)$/\1/p' "fuzz/fuzz_$1.c" | head -n 1
}

# --- build: the library once with coverage instrumentation, then one binary per harness.
LIBSRC=$(ls proto/*.c checker/*.c reports/*.c server/*.c lint/*.c | grep -v -e '/main\.c$')
mkdir -p "$OUT/obj" "$OUT/corpus" "$OUT/seeds" "$OUT/artifacts" "$OUT/logs"
LIB=$OUT/libnbc-fuzz.a
stale=0
if [ ! -f "$LIB" ]; then
	stale=1
else
	for f in $LIBSRC proto/*.h checker/*.h reports/*.h server/*.h lint/*.h; do
		if [ "$f" -nt "$LIB" ]; then stale=1; break; fi
	done
fi
if [ $stale = 1 ]; then
	echo "fuzz: building the instrumented library ($(echo "$LIBSRC" | wc -w) files)"
	rm -f "$LIB"
	for f in $LIBSRC; do
		o=$OUT/obj/$(echo "$f" | tr / _ | sed 's/\.c$/.o/')
		$CC $CSTD $COPT $SAN -fsanitize=fuzzer-no-link -I. -c "$f" -o "$o" || exit 2
	done
	ar rcs "$LIB" "$OUT"/obj/*.o || exit 2
fi
LIBS="-lpcap -lnettle -lm"
for n in $FUZZ_TARGETS; do
	[ -f "fuzz/fuzz_$n.c" ] || { echo "fuzz: no harness fuzz/fuzz_$n.c" >&2; exit 2; }
	bin=$OUT/fuzz_$n
	newer=0
	for h in fuzz/*.h; do
		[ "$h" -nt "$bin" ] && newer=1
	done
	if [ ! -x "$bin" ] || [ "fuzz/fuzz_$n.c" -nt "$bin" ] || [ "$LIB" -nt "$bin" ] || [ $newer = 1 ]; then
		echo "fuzz: building $bin"
		# shellcheck disable=SC2046
		$CC $CSTD $COPT $SAN -fsanitize=fuzzer -I. "fuzz/fuzz_$n.c" "$LIB" $LIBS $(ldflags "$n") \
			-o "$bin" || exit 2
	fi
done

# --- seeds from the repository.
rm -rf "$OUT/seeds"
mkdir -p "$OUT/seeds"
PCAPS=$(find pcaps ../shared/pcaps/public -name '*.pcap' 2>/dev/null | sort)
# shellcheck disable=SC2086
python3 fuzz/seeds.py "$OUT/seeds" $PCAPS || exit 2

[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0

# --- runs, one harness at a time.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
found_total=0
summary=""
for n in $FUZZ_TARGETS; do
	bin=$OUT/fuzz_$n
	mkdir -p "$OUT/corpus/$n" "$OUT/seeds/$n" "$OUT/artifacts/$n"
	log=$OUT/logs/$n.log
	: >"$log"
	extra=""
	[ -d "tests/regress/$n" ] && extra="tests/regress/$n"
	start=$(date +%s)
	left=$FUZZ_SECONDS
	runs=0
	execs=0
	while :; do
		runs=$((runs + 1))
		echo "=== run $runs: $left s" >>"$log"
		# stdin is /dev/null: a configuration that includes /dev/stdin must not wait for a tty.
		# shellcheck disable=SC2086
		"$bin" -max_total_time="$left" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$n")" \
			-print_final_stats=1 -artifact_prefix="$OUT/artifacts/$n/" \
			"$OUT/corpus/$n" "$OUT/seeds/$n" $extra >>"$log" 2>&1 </dev/null
		rc=$?
		e=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
		# Without final stats (a crash), the last status line's count.
		[ -z "$e" ] && e=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$log" | tail -1)
		sed -i 's/^stat::number_of_executed_units:/stat::(counted) number_of_executed_units:/' "$log"
		execs=$((execs + ${e:-0}))
		now=$(date +%s)
		left=$((FUZZ_SECONDS - (now - start)))
		[ $rc = 0 ] && break
		[ $runs -gt "$FUZZ_RESTARTS" ] && break
		[ $left -lt 5 ] && break
	done
	cov=$(sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\) corp: \([0-9]*\).*/\1 \2 \3/p' "$log" | tail -1)
	set -- $cov
	found=0
	for a in "$OUT/artifacts/$n"/crash-* "$OUT/artifacts/$n"/timeout-* "$OUT/artifacts/$n"/leak-* \
		"$OUT/artifacts/$n"/oom-*; do
		[ -f "$a" ] || continue
		sum=$(sha1sum "$a" | cut -d' ' -f1)
		mkdir -p "tests/regress/$n"
		if [ ! -f "tests/regress/$n/$sum" ]; then
			cp "$a" "tests/regress/$n/$sum"
			echo "fuzz: $n: $(basename "$a" | cut -d- -f1) input saved as tests/regress/$n/$sum"
		fi
		mkdir -p "$OUT/artifacts/$n/seen"
		mv "$a" "$OUT/artifacts/$n/seen/"
		found=$((found + 1))
	done
	found_total=$((found_total + found))
	line=$(printf '%-12s %10s execs  cov %-6s ft %-7s corpus %-6s findings %s' "$n" "$execs" \
		"${1:-?}" "${2:-?}" "${3:-?}" "$found")
	echo "fuzz: $line"
	summary="$summary$line
"
done
echo "fuzz: ${FUZZ_SECONDS}s per harness; logs in $OUT/logs/"
printf '%s' "$summary"
if [ $found_total -gt 0 ]; then
	echo "fuzz: $found_total finding(s); replay with sh tests/regress/run.sh" >&2
	exit 1
fi
exit 0
