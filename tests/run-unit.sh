#!/bin/sh
# run-unit.sh: runs every cmocka test binary given; fails if any fails.
set -u
fail=0
pass=0
for t in "$@"; do
	if "$t"; then
		pass=$((pass + 1))
	else
		echo "FAILED: $t"
		fail=$((fail + 1))
	fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
