#!/bin/sh
# deps.sh: installs the Debian packages the build and the tests need.
# Idempotent: installs only what is missing, and runs apt-get update only then.
set -eu

PKGS="make gcc clang pkg-config libpcap-dev libnet1-dev libiscsi-dev libcmocka-dev \
libclang-rt-14-dev tshark tcpdump jq valgrind nettle-dev tftp-hpa libiscsi-bin curl busybox \
iproute2 qemu-system-x86 ipxe-qemu pxelinux syslinux-common tcpreplay"

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
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
