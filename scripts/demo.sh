#!/bin/sh
# demo.sh: analyzes a bundled capture of a failing boot (the iPXE user-class loop)
# and shows what the checker reports. Exit 0 when the report names the rule.
set -u
NBC=${1:-build/bin/netboot-check}
CAP=pcaps/scenarios/ipxe-userclass-loop.pcap
echo "\$ netboot-check analyze $CAP"
"$NBC" analyze --color=auto "$CAP" > /tmp/nbc-demo.$$
rc=$?
cat /tmp/nbc-demo.$$
echo
echo "(exit status $rc: 1 means findings at or above --fail-on error)"
grep -q NBC-LOOP-USERCLASS /tmp/nbc-demo.$$
found=$?
rm -f /tmp/nbc-demo.$$
exit $found
