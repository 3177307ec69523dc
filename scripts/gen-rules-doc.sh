#!/bin/sh
# gen-rules-doc.sh: writes docs/rules.md from the rule table (netboot-check rules/explain)
# and, for each rule, the real output on the first bundled capture that triggers it.
# Run after changing a rule or a scenario: sh scripts/gen-rules-doc.sh > docs/rules.md
set -u
N=$(cd "$(dirname "${1:-build/bin/netboot-check}")" && pwd)/$(basename "${1:-build/bin/netboot-check}")

# page_md: `netboot-check explain` text (stdin) as Markdown. Sections are lines at column 0,
# prose is indented by two, a "  LABEL:" line followed by lines indented by four is a block
# (a configuration snippet, or the display filter); "checks" repeats the summary and is left
# out.
page_md() {
	awk '
	function esc(s) {
		gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s)
		gsub(/\*/, "\\*", s)
		return s
	}
	function flush() {
		if (para == "") return
		if (sec == "see also") {
			n = split(para, ids, /, */)
			para = ""
			for (i = 1; i <= n; i++)
				para = para (i > 1 ? ", " : "") "[" ids[i] "](#" tolower(ids[i]) ")"
		} else {
			para = esc(para)
		}
		print (lead != "" ? lead " " : "") para
		print ""
		para = ""
		lead = ""
	}
	function close_block() {
		if (!inblock) return
		if (label ~ /^display filter/) {
			print "tshark -r CAPTURE -Y '\''" filter "'\''"
		}
		print "```"
		print ""
		inblock = 0
	}
	NR == 1 { next }
	/^$/ { close_block(); flush(); next }
	/^[^ ]/ {
		close_block(); flush()
		sec = $0
		lead = sec == "why it matters" ? "**Why it matters.**" : \
		       sec == "on the wire" ? "**On the wire.**" : \
		       sec == "fix" ? "**Fix.**" : \
		       sec == "see also" ? "**See also:**" : \
		       sec == "in lint" ? "**In lint:**" : ""
		next
	}
	sec == "checks" { next }
	/^    / {
		if (!inblock) {
			# the paragraph collected so far is the block label
			label = para
			sub(/:$/, "", label)
			para = ""
			if (label !~ /^display filter/) {
				print esc(label) ":"
				print ""
			}
			print "```"
			inblock = 1
			filter = ""
		}
		line = substr($0, 5)
		if (label ~ /^display filter/) {
			sub(/^ +/, "", line)
			filter = filter (filter == "" ? "" : " ") line
		} else {
			print line
		}
		next
	}
	{
		line = $0
		sub(/^  /, "", line)
		para = para (para == "" ? "" : " ") line
	}
	END { close_block(); flush() }
	'
}

sed -n '1,/^<!-- rules -->$/p' docs/rules-intro.md | sed '$d'
$N rules | while read -r id sev rest; do
	only=""
	case $rest in
	*" (lint)") rest=${rest% (lint)}; only=" Reported by \`netboot-check lint\` only." ;;
	*" (probe)") rest=${rest% (probe)}; only=" Reported by \`netboot-check probe\` only." ;;
	esac
	echo "## $id"; echo; echo "Severity: $sev. $rest.$only"; echo
	$N explain "$id" | page_md
	ex=$(grep -l "\"$id\"" pcaps/*/*.expected.json | head -1)
	if [ -n "$ex" ]; then
		base=${ex%.expected.json}
		args=""
		[ -f "$base.args" ] && args="$(cat "$base.args") "
		echo "Example: \`netboot-check analyze $args$base.pcap\`"; echo; echo '```'
		# shellcheck disable=SC2086
		$N analyze --color=never $args "$base.pcap" |
			awk -v id="$id" 'index($0, id) {p=1} p && /fix:/ {exit} p' | sed 's/^  //'
		echo '```'; echo
	fi
	# A configuration that lint flags with it (tests/lint/cases/NAME/expect).
	case=$(grep -l "^$id " tests/lint/cases/*/expect 2>/dev/null | head -1)
	if [ -n "$case" ]; then
		dir=$(dirname "$case")
		echo "Example: \`cd $dir && netboot-check lint $(cat "$dir/cmd")\`"; echo; echo '```'
		# shellcheck disable=SC2046
		(cd "$dir" && $N lint --format gnu $(cat cmd)) | grep -F "[$id]" | head -2
		echo '```'; echo
	fi
	if [ -z "$ex" ] && [ -z "$case" ]; then
		echo "Example: none of the bundled captures or configurations triggers it yet."; echo
	fi
done
sed -n '/^<!-- rules -->$/,$p' docs/rules-intro.md | sed '1d'
