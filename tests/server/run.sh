#!/bin/sh
# run.sh: netboot-serve's integration tests with real third-party clients
# (udhcpc in network namespaces, tftp-hpa, curl, libiscsi's tools); each script
# starts the server it needs and stops it by PID on every exit path. abuse.sh attacks
# it (floods, storms, slowloris) and checks that it stays correct and bounded.
set -u
SERVE=${1:?usage: run.sh NETBOOT-SERVE}
fail=0
for t in cli dhcp tftp http iscsi abuse; do
	if [ -f "tests/server/$t.sh" ]; then
		sh "tests/server/$t.sh" "$SERVE" || fail=$((fail + 1))
	else
		echo "server-test: tests/server/$t.sh missing"
		fail=$((fail + 1))
	fi
done
echo "server-test: $fail suite(s) failed"
[ "$fail" -eq 0 ]
