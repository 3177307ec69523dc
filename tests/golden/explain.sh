#!/bin/sh
# explain.sh: `netboot-check explain ID` for every rule `netboot-check rules` lists: the
# page has its sections and fits 80 columns; its display filter is one tshark accepts
# and finds something in the capture docs/rules.md shows the rule on; its "see also"
# names rules that exist; its configuration snippets are valid for their server:
#   dhcpd.conf  `dhcpd -t -cf FILE`: the snippet alone when it declares a subnet, else
#               wrapped in "subnet 192.0.2.0 netmask 255.255.255.0 { ... }";
#   dnsmasq     `dnsmasq --test --conf-file=FILE`;
#   Kea         members of the "Dhcp4" object: {"Dhcp4": { SNIPPET }} must parse as JSON
#               (and pass `kea-dhcp4 -t` where Kea is installed);
#   iPXE, pxelinux  `netboot-check lint --type ipxe|pxelinux` finds no error.
# A snippet is the block of lines indented by four under its "  LABEL:" line, up to the
# next blank line. An unknown ID is a usage error (exit 3).
# usage: sh tests/golden/explain.sh build/bin/netboot-check
set -u
NBC=${1:?usage: explain.sh NETBOOT-CHECK}
case $NBC in /*) ;; *) NBC=$(pwd)/$NBC ;; esac
cd "$(dirname "$0")/../.." || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
	echo "FAIL explain: $*"
	fail=$((fail + 1))
}
CAP=pcaps/gold/seed-flow.pcap

# block FILE LABEL-PREFIX N: the Nth block (1-based) whose label line starts with
# "  LABEL-PREFIX", its lines without the four-space indent.
block() {
	awk -v pre="  $2" -v want="$3" '
		in_b && /^$/ { in_b = 0; if (n == want) exit; next }
		in_b { if (n == want) print substr($0, 5); next }
		index($0, pre) == 1 && /:$/ { n++; in_b = 1 }
	' "$1"
}
# count FILE LABEL-PREFIX: how many blocks carry that label.
count() {
	awk -v pre="  $2" 'index($0, pre) == 1 && /:$/ { n++ } END { print n + 0 }' "$1"
}
# section FILE NAME: the lines of a top-level section.
section() {
	awk -v name="$2" '$0 == name { s = 1; next } /^[^ ]/ { s = 0 } s' "$1"
}

"$NBC" rules | awk '{ print $1 }' > "$tmp/ids"
[ -s "$tmp/ids" ] && ok || bad "netboot-check rules listed nothing"
n_dhcpd=0
n_dnsmasq=0
n_kea=0
have_kea=""
command -v kea-dhcp4 > /dev/null 2>&1 && have_kea=1

while read -r id; do
	page=$tmp/$id.txt
	"$NBC" explain "$id" > "$page" 2> "$tmp/err"
	rc=$?
	[ $rc -eq 0 ] && ok || bad "$id: exit $rc: $(cat "$tmp/err")"
	head -1 "$page" | grep -q "^$id (" && ok || bad "$id: first line is not '$id (severity)'"
	for s in "checks" "why it matters" "on the wire" "fix" "see also" "in lint"; do
		[ -n "$(section "$page" "$s")" ] && ok || bad "$id: no section '$s'"
	done
	long=$(awk 'length($0) > 80 { print NR ": " $0 }' "$page")
	[ -z "$long" ] && ok || bad "$id: lines over 80 columns: $long"

	# The display filter: valid, and it finds packets in the rule's example capture.
	filter=$(block "$page" "display filter" 1 | sed 's/^ *//' | tr '\n' ' ')
	if [ -z "$filter" ]; then
		bad "$id: no display filter"
	else
		tshark -n -r "$CAP" -Y "$filter" > /dev/null 2> "$tmp/err"
		rc=$?
		[ $rc -eq 0 ] && ok || bad "$id: tshark rejects '$filter': $(grep -v 'Running as' "$tmp/err")"
		ex=$(grep -l "\"$id\"" pcaps/*/*.expected.json 2>/dev/null | head -1)
		if [ -n "$ex" ]; then
			hits=$(tshark -n -r "${ex%.expected.json}.pcap" -Y "$filter" 2> /dev/null | wc -l)
			[ "$hits" -gt 0 ] && ok || bad "$id: the filter finds nothing in ${ex%.expected.json}.pcap"
		fi
	fi

	# see also: rule IDs that exist, at least one.
	section "$page" "see also" | grep -o 'NBC-[A-Z0-9-]*' > "$tmp/see"
	[ -s "$tmp/see" ] && ok || bad "$id: see also names no rule"
	while read -r other; do
		grep -qx "$other" "$tmp/ids" && ok || bad "$id: see also names unknown rule $other"
	done < "$tmp/see"

	# dhcpd.conf snippets.
	k=1
	while [ "$k" -le "$(count "$page" "dhcpd.conf")" ]; do
		block "$page" "dhcpd.conf" "$k" > "$tmp/snip"
		if grep -q '^subnet ' "$tmp/snip"; then
			cp "$tmp/snip" "$tmp/dhcpd.conf"
		else
			{ echo "subnet 192.0.2.0 netmask 255.255.255.0 {"; cat "$tmp/snip"; echo "}"; } > "$tmp/dhcpd.conf"
		fi
		if dhcpd -t -cf "$tmp/dhcpd.conf" > "$tmp/err" 2>&1; then
			ok
		else
			bad "$id: dhcpd -t rejects snippet $k: $(grep -A2 'line [0-9]' "$tmp/err" | head -3)"
		fi
		n_dhcpd=$((n_dhcpd + 1))
		k=$((k + 1))
	done

	# dnsmasq snippets.
	k=1
	while [ "$k" -le "$(count "$page" "dnsmasq.conf")" ]; do
		block "$page" "dnsmasq.conf" "$k" > "$tmp/dnsmasq.conf"
		if dnsmasq --test --conf-file="$tmp/dnsmasq.conf" > "$tmp/err" 2>&1; then
			ok
		else
			bad "$id: dnsmasq --test rejects snippet $k: $(cat "$tmp/err")"
		fi
		n_dnsmasq=$((n_dnsmasq + 1))
		k=$((k + 1))
	done

	# Kea snippets: members of "Dhcp4".
	k=1
	while [ "$k" -le "$(count "$page" "Kea")" ]; do
		{ echo '{ "Dhcp4": {'; block "$page" "Kea" "$k"; echo '} }'; } > "$tmp/kea.json"
		if python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$tmp/kea.json" 2> "$tmp/err"; then
			ok
		else
			bad "$id: Kea snippet $k is not JSON: $(tail -1 "$tmp/err")"
		fi
		if [ -n "$have_kea" ]; then
			kea-dhcp4 -t "$tmp/kea.json" > "$tmp/err" 2>&1 && ok ||
				bad "$id: kea-dhcp4 -t rejects snippet $k: $(grep -i error "$tmp/err" | tail -1)"
		fi
		n_kea=$((n_kea + 1))
		k=$((k + 1))
	done

	# iPXE scripts and pxelinux configs: lint's own parsers find no error in them.
	for kind in "iPXE script:ipxe" "pxelinux config:pxelinux"; do
		label=${kind%:*}
		type=${kind#*:}
		k=1
		while [ "$k" -le "$(count "$page" "$label")" ]; do
			block "$page" "$label" "$k" > "$tmp/snippet.$type"
			"$NBC" lint --type "$type" --format gnu "$tmp/snippet.$type" > "$tmp/err" 2>&1 && ok ||
				bad "$id: lint finds fault with the $label snippet $k: $(cat "$tmp/err")"
			k=$((k + 1))
		done
	done
done < "$tmp/ids"

# Every server has snippets to check (a broken extraction would skip them silently).
[ "$n_dhcpd" -ge 10 ] && [ "$n_dnsmasq" -ge 10 ] && [ "$n_kea" -ge 8 ] && ok ||
	bad "too few snippets extracted: dhcpd $n_dhcpd, dnsmasq $n_dnsmasq, Kea $n_kea"

# Any case; unknown IDs and wrong use are usage errors.
"$NBC" explain nbc-tftp-blksize | head -1 | grep -q '^NBC-TFTP-BLKSIZE (warning)' && ok ||
	bad "lower-case ID not found"
"$NBC" explain NBC-CONFIG-SYNTAX | head -1 | grep -q '(error, lint only)' && ok ||
	bad "lint-only rule not marked"
"$NBC" explain NBC-NO-SUCH-RULE > /dev/null 2>&1; rc=$?
[ $rc -eq 3 ] && ok || bad "unknown ID: exit $rc"
"$NBC" explain > /dev/null 2>&1; rc=$?
[ $rc -eq 3 ] && ok || bad "no ID: exit $rc"
"$NBC" explain NBC-LINK-DELAY NBC-FLOW-STALLED > /dev/null 2>&1; rc=$?
[ $rc -eq 3 ] && ok || bad "two IDs: exit $rc"
"$NBC" explain --help | grep -q 'usage: netboot-check explain' && ok || bad "explain --help"

# docs/rules.md is what scripts/gen-rules-doc.sh writes from these pages and the bundled
# captures and lint cases: a rule or example changed without it is a stale document.
if sh scripts/gen-rules-doc.sh "$NBC" > "$tmp/rules.md" && cmp -s "$tmp/rules.md" docs/rules.md; then
	ok
else
	bad "docs/rules.md is stale: sh scripts/gen-rules-doc.sh > docs/rules.md ($(diff docs/rules.md "$tmp/rules.md" | grep -c '^[<>]') lines differ)"
fi

echo "explain: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
