#!/bin/sh
# bench-deps.sh: installs the peers `make bench` measures against. Their Debian packages
# would start system-wide daemons on install (tftpd-hpa on port 69 of every interface,
# dnsmasq, ISC dhcpd): a policy-rc.d that refuses every start prevents that, so no
# service runs outside the benchmark's own namespaces and loopback ports.
set -eu
PKGS="tftpd-hpa tgt kea-admin dnsmasq-base isc-dhcp-server libiscsi-bin curl"
missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = "installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
[ "$(id -u)" -eq 0 ] || { echo "bench-deps: run as root to install:$missing"; exit 2; }
if [ -e /usr/sbin/policy-rc.d ]; then
	echo "bench-deps: /usr/sbin/policy-rc.d exists; not touching it. Install by hand:$missing"
	exit 2
fi
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
