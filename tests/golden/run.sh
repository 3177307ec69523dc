#!/bin/sh
# run.sh: golden tests. For every pcaps/**/X.pcap, `netboot-check analyze --format json`
# (plus X.args) must equal X.expected.json in everything stable: the capture-relative
# "time" and "duration" and the "input" path are left out of the comparison.
# Also: the scenario generator must reproduce the committed scenario captures byte for byte.
# UPDATE=1 rewrites the expected files (review the diff before committing).
set -u
NBC=${1:?usage: run.sh NETBOOT-CHECK MKSCENARIOS}
GEN=${2:?usage: run.sh NETBOOT-CHECK MKSCENARIOS}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0

stable() {
	jq -S 'del(.. | .time?, .duration?) | del(.input)' "$1"
}

# 1. The generator is deterministic and the committed captures are current.
mkdir -p "$tmp/gen"
if "$GEN" "$tmp/gen"; then
	for f in "$tmp"/gen/*.pcap; do
		name=$(basename "$f")
		if cmp -s "$f" "pcaps/scenarios/$name"; then
			pass=$((pass + 1))
		else
			echo "FAIL generator: pcaps/scenarios/$name differs from what mkscenarios writes (run make scenarios)"
			fail=$((fail + 1))
		fi
	done
else
	echo "FAIL generator: mkscenarios exited non-zero"
	fail=$((fail + 1))
fi

# 2. Every capture's report.
for pcap in pcaps/*/*.pcap; do
	base=${pcap%.pcap}
	exp=$base.expected.json
	args=""
	[ -f "$base.args" ] && args=$(cat "$base.args")
	# shellcheck disable=SC2086
	"$NBC" analyze --format json $args "$pcap" > "$tmp/out.json" 2> "$tmp/err"
	rc=$?
	if [ "$rc" -ge 2 ]; then
		echo "FAIL $pcap: exit $rc: $(cat "$tmp/err")"
		fail=$((fail + 1))
		continue
	fi
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$tmp/out.json" "$exp"
		echo "updated $exp"
	fi
	if [ ! -f "$exp" ]; then
		echo "FAIL $pcap: no $exp (UPDATE=1 sh tests/golden/run.sh ... writes it)"
		fail=$((fail + 1))
		continue
	fi
	stable "$exp" > "$tmp/want" && stable "$tmp/out.json" > "$tmp/got"
	if diff -u "$tmp/want" "$tmp/got" > "$tmp/diff"; then
		pass=$((pass + 1))
	else
		echo "FAIL $pcap: report differs from $exp:"
		head -40 "$tmp/diff"
		fail=$((fail + 1))
	fi
	# The exit status follows the findings: 1 with an error finding, 0 without.
	want_rc=0
	if jq -e '[.findings[] | select(.severity == "error")] | length > 0' "$exp" > /dev/null; then
		want_rc=1
	fi
	if [ "$rc" -ne "$want_rc" ]; then
		echo "FAIL $pcap: exit status $rc, expected $want_rc"
		fail=$((fail + 1))
	fi
done
# 3. Captures from other projects (shared/pcaps/public, beside the checkout in CI):
# never a crash; a report (exit 0/1) or one clear error line (exit 2).
public=../shared/pcaps/public
if [ -d "$public" ]; then
	for pcap in "$public"/*.pcap "$public"/*.pcapng; do
		[ -f "$pcap" ] || continue
		"$NBC" analyze --format json "$pcap" > "$tmp/out.json" 2> "$tmp/err"
		rc=$?
		if [ "$rc" -le 1 ] && jq -e .stats.frames "$tmp/out.json" > /dev/null; then
			pass=$((pass + 1))
		elif [ "$rc" -eq 2 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]; then
			pass=$((pass + 1))
		else
			echo "FAIL $pcap: exit $rc: $(head -3 "$tmp/err")"
			fail=$((fail + 1))
		fi
	done
else
	echo "golden: $public not found: public captures skipped"
fi
echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
