#!/bin/sh
# deps.sh: installs the Debian packages the build and the tests need.
# Idempotent: installs only what is missing, and runs apt-get update only then.
set -eu

PKGS="make gcc clang pkg-config libpcap-dev libnet1-dev libiscsi-dev libcmocka-dev \
libclang-rt-14-dev tshark tcpdump jq valgrind nettle-dev tftp-hpa libiscsi-bin curl busybox \
iproute2 qemu-system-x86 ipxe-qemu pxelinux syslinux-common tcpreplay ipxe \
isc-dhcp-server dnsmasq-base tftpd-hpa tgt python3 python3-jsonschema time chromium cppcheck clang-tidy"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = "installed" ] || missing="$missing $p"
done

if [ -z "$missing" ]; then
	echo "deps: all packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
# tftpd-hpa, tgt and isc-dhcp-server would start system-wide daemons on install (TFTP on
# every interface, tgtd, dhcpd): the tests start their own, in namespaces, by PID. A
# policy-rc.d refusing every start keeps the packages' services down.
guard=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d > /dev/null
	$SUDO chmod +x /usr/sbin/policy-rc.d
	guard=1
	trap '[ -n "$guard" ] && $SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
