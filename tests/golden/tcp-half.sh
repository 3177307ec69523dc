#!/bin/sh
# tcp-half.sh: checks of the TCP half that a golden report cannot express:
# secrets never printed (every report format and the export listing) unless
# --show-secrets; --export writes exactly the bytes the server sent; the site
# file's san.keep-san turns NBC-SAN-KEEP-LOST into an error.
set -u
NBC=${1:?usage: tcp-half.sh NETBOOT-CHECK}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL tcp-half: $*"; fail=$((fail + 1)); }

# 1. Secrets: the script's password, the URI password, CHAP_R and CHAP_C values.
cap=pcaps/scenarios/iscsi-chap-ok.pcap
secrets="s3cretpw77 5ec7e7a1b2c3d4e5f6 1f2e3d4c5b6a7988"
for fmt in text json; do
	"$NBC" analyze --format "$fmt" --export "$tmp/ex-$fmt" "$cap" > "$tmp/r.$fmt" 2> "$tmp/l.$fmt"
	for sec in $secrets; do
		if grep -q "$sec" "$tmp/r.$fmt" "$tmp/l.$fmt"; then
			bad "secret $sec printed in the $fmt report or export listing"
		else
			ok
		fi
	done
done
"$NBC" analyze --show-secrets "$cap" > "$tmp/shown" 2>&1
if grep -q s3cretpw77 "$tmp/shown"; then ok; else bad "--show-secrets does not show the script password"; fi
# CHAP values are never kept, not even with --show-secrets.
if grep -q 5ec7e7a1 "$tmp/shown"; then bad "CHAP_R printed with --show-secrets"; else ok; fi

# 2. Export: the files the capture carried, byte for byte (the real capture's www/ files).
real=../shared/pcaps/real/dhcpd-userclass-script
if [ -d "$real/www" ]; then
	"$NBC" analyze --export "$tmp/exr" "$real/capture.pcap" > /dev/null 2> "$tmp/listing"
	for f in boot.ipxe; do
		if cmp -s "$tmp/exr/$f" "$real/www/$f"; then ok; else bad "export of $f differs from $real/www/$f"; fi
	done
	if [ "$(ls "$tmp/exr" | wc -l)" -eq 4 ] && grep -q "exported 4 files" "$tmp/listing"; then
		ok
	else
		bad "export of $real wrote $(ls "$tmp/exr" | wc -l) files, expected 4"
	fi
fi
# Exported names never leave DIR, and a second run never overwrites (this part needs
# no ../shared: both runs export a bundled capture).
for i in 1 2; do
	"$NBC" analyze --export "$tmp/exn" pcaps/scenarios/http-script-chain.pcap > /dev/null 2>&1
done
if [ -f "$tmp/exn/boot.ipxe.1" ] && cmp -s "$tmp/exn/boot.ipxe" "$tmp/exn/boot.ipxe.1" &&
	[ -z "$(find "$tmp" -maxdepth 1 -newer "$tmp/exn" -name '*.ipxe')" ]; then
	ok
else
	bad "a second export into the same DIR did not add boot.ipxe.1"
fi
# A capture with a gap: the exported file is marked partial, not filled in.
"$NBC" analyze --export "$tmp/exg" pcaps/scenarios/tcp-gap.pcap > /dev/null 2> "$tmp/lg"
if grep "ldlinux.c32" "$tmp/lg" | grep -q "(partial)"; then ok; else bad "tcp-gap: ldlinux.c32 not listed as partial"; fi
# An unwritable export DIR is one clear error, exit 2.
"$NBC" analyze --export /proc/nonexistent/x pcaps/scenarios/http-script-chain.pcap > /dev/null 2> "$tmp/e"
rc=$?
if [ "$rc" -eq 2 ] && [ "$(wc -l < "$tmp/e")" -eq 1 ]; then ok; else bad "bad --export DIR: exit $rc"; fi

# 3. The site file expects keep-san: a lost SAN device is an error, not a warning.
printf 'san.keep-san = yes\n' > "$tmp/site"
"$NBC" analyze --format json --expect "$tmp/site" pcaps/scenarios/sanboot-keepsan-lost.pcap > "$tmp/k.json"
rc=$?
if [ "$rc" -eq 1 ] && jq -e '[.findings[] | select(.rule == "NBC-SAN-KEEP-LOST" and .severity == "error")] | length == 1' "$tmp/k.json" > /dev/null; then
	ok
else
	bad "san.keep-san = yes: expected one NBC-SAN-KEEP-LOST error, exit 1 (got exit $rc)"
fi
"$NBC" analyze --format json --expect "$tmp/site" pcaps/scenarios/sanboot-keepsan.pcap > "$tmp/k2.json"
if jq -e '[.findings[] | select(.rule == "NBC-SAN-KEEP-LOST")] | length == 0' "$tmp/k2.json" > /dev/null; then
	ok
else
	bad "sanboot-keepsan kept its session but NBC-SAN-KEEP-LOST fired"
fi
printf 'san.keep-san = maybe\n' > "$tmp/site2"
"$NBC" analyze --expect "$tmp/site2" pcaps/scenarios/sanboot-keepsan.pcap > /dev/null 2> "$tmp/e2"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "san.keep-san must be" "$tmp/e2"; then ok; else bad "bad san.keep-san value: exit $rc"; fi

echo "tcp-half: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
