#!/bin/sh
# run.sh: our DHCP and TFTP field decoding (netboot-check decode) must agree with
# tshark's: on the public captures against the tshark decodings stored beside them
# (NAME.tshark.tsv), and on our scenario and real captures against tshark run here.
# Compared per frame, per column, by tshark's field names. Normalisations:
# - dhcp.hw.mac_addr: tshark lists option 61's MAC after chaddr: the first is compared.
# - tftp.source_file/destination_file: which one tshark fills differs by packet: the
#   non-empty one of the pair is compared ("the transfer's file").
# - a value tshark leaves empty is not compared (tshark omits fields it marks malformed).
set -u
NBC=${1:?usage: run.sh NETBOOT-CHECK}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0
COLS="frame.number dhcp.type dhcp.option.dhcp dhcp.id dhcp.hw.mac_addr dhcp.ip.your dhcp.ip.server dhcp.server dhcp.file dhcp.option.option_overload dhcp.option.vendor_class_id dhcp.option.user_class.text dhcp.option.client_system_architecture dhcp.option.request_list_item dhcp.option.bootfile_name dhcp.option.pxe_config_file dhcp.option.pxe_path_prefix tftp.opcode tftp.source_file tftp.destination_file tftp.type tftp.block tftp.error.code tftp.error.message"

# compare OURS THEIRS LABEL: prints mismatches, exits 1 if any.
compare() {
	awk -F '\t' -v label="$3" -v cols="$COLS" '
	function norm(col, v) {
		if (col == "dhcp.hw.mac_addr") sub(/,.*/, "", v)
		return v
	}
	FNR == 1 { for (i = 1; i <= NF; i++) name[FILENAME, i] = $i; nf[FILENAME] = NF; next }
	FILENAME == ARGV[1] {
		for (i = 1; i <= NF; i++) ours[$1, name[FILENAME, i]] = $i
		have[$1] = 1; next
	}
	{
		if ($2 != "DHCP" && $2 != "BOOTP" && $2 != "TFTP" && $0 !~ /\t(1|2|3|4|5|6)\t/) { }
		theirs_row[$1] = 1
		for (i = 1; i <= NF; i++) theirs[$1, name[FILENAME, i]] = $i
	}
	END {
		bad = 0; ncols = split(cols, c, " ")
		for (f in theirs_row) {
			isd = theirs[f, "dhcp.type"] != ""; ist = theirs[f, "tftp.opcode"] != ""
			if (!isd && !ist) continue
			if (!(f in have)) { printf "%s frame %s: tshark decodes it, we do not\n", label, f; bad = 1; continue }
			for (k = 2; k <= ncols; k++) {
				col = c[k]
				if (col == "tftp.source_file" || col == "tftp.destination_file") continue
				t = norm(col, theirs[f, col]); o = norm(col, ours[f, col])
				if (t == "" || t == o) continue
				printf "%s frame %s column %s: ours \047%s\047 tshark \047%s\047\n", label, f, col, o, t; bad = 1
			}
			tf = theirs[f, "tftp.source_file"] theirs[f, "tftp.destination_file"]
			of = ours[f, "tftp.source_file"] ours[f, "tftp.destination_file"]
			if (tf != "" && tf != of) { printf "%s frame %s tftp file: ours \047%s\047 tshark \047%s\047\n", label, f, of, tf; bad = 1 }
		}
		exit bad
	}' "$1" "$2"
}

check() {	# check CAPTURE THEIRS.tsv
	if ! "$NBC" decode "$1" > "$tmp/ours.tsv" 2> "$tmp/err"; then
		# A capture we cannot read must be one tshark found nothing in either.
		if [ "$(wc -l < "$2")" -gt 1 ]; then
			echo "FAIL $1: decode failed: $(cat "$tmp/err")"
			fail=$((fail + 1))
			return
		fi
	fi
	if compare "$tmp/ours.tsv" "$2" "$1"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
}

public=../shared/pcaps/public
if [ -d "$public" ]; then
	for tsv in "$public"/*.tshark.tsv; do
		check "${tsv%.tshark.tsv}" "$tsv"
	done
else
	echo "tshark-agree: $public not found: stored tshark decodings skipped"
fi

if ! command -v tshark > /dev/null; then
	echo "tshark-agree: tshark is not installed (make deps installs it)"
	exit 1
fi
fields=""
for col in $COLS; do fields="$fields -e $col"; done
for pcap in pcaps/scenarios/*.pcap pcaps/real/*.pcap pcaps/gold/*.pcap pcaps/interop/*.pcap; do
	[ -f "$pcap" ] || continue
	# shellcheck disable=SC2086
	tshark -n -r "$pcap" -Y "dhcp or tftp" -T fields -E header=y -E separator=/t \
		-E occurrence=a -E aggregator=, $fields > "$tmp/theirs.tsv" 2> /dev/null
	check "$pcap" "$tmp/theirs.tsv"
done
# The TCP half: tshark (run here) and we must count the same HTTP messages
# (requests and responses, reassembled) and iSCSI PDUs, on every capture that has TCP.
# tshark dissects HTTP on its known ports only; we recognise it by content, so only
# captures where tshark's count is not zero, or ours is, are compared for HTTP.
for pcap in ../shared/pcaps/public/*.pcap pcaps/scenarios/*.pcap pcaps/real/*.pcap pcaps/gold/*.pcap pcaps/interop/*.pcap; do
	[ -f "$pcap" ] || continue
	ntcp=$(tshark -r "$pcap" -Y tcp -T fields -e frame.number 2>/dev/null | wc -l)
	[ "$ntcp" -gt 0 ] || continue
	th=$(tshark -r "$pcap" -Y 'http.request || http.response' -T fields -e frame.number \
		2>/dev/null | wc -l)
	ti=$(tshark -r "$pcap" -Y iscsi -T fields -e iscsi.opcode 2>/dev/null | tr ',' '\n' |
		grep -c .)
	ours=$("$NBC" analyze --format json "$pcap" 2>/dev/null |
		jq -r '"\(.stats.decoded.http) \(.stats.decoded.iscsi) \(.stats.tcp.gaps)"')
	oh=${ours%% *}
	gaps=${ours##* }
	oi=${ours#* }
	oi=${oi% *}
	# Where the capture lost bytes, tshark drops a message whose body has a hole;
	# we keep its head (the body is marked as having a gap): ours may count more.
	if { [ "$gaps" -gt 0 ] && [ "$oh" -ge "$th" ] && [ "$ti" -eq "$oi" ]; } ||
		{ [ "$th" -eq 0 ] && [ "$oh" -ne 0 ] && [ "$ti" -eq "$oi" ]; } ||
		{ [ "$th" -eq "$oh" ] && [ "$ti" -eq "$oi" ]; }; then
		pass=$((pass + 1))
	else
		echo "FAIL $pcap: HTTP messages tshark $th, ours $oh; iSCSI PDUs tshark $ti, ours $oi"
		fail=$((fail + 1))
	fi
done
echo "tshark-agree: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
