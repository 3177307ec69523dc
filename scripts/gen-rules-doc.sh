#!/bin/sh
# gen-rules-doc.sh: writes docs/rules.md from the rule table (netboot-check rules/explain)
# and, for each rule, the real output on the first bundled capture that triggers it.
# Run after changing a rule or a scenario: sh scripts/gen-rules-doc.sh > docs/rules.md
set -u
N=$(cd "$(dirname "${1:-build/bin/netboot-check}")" && pwd)/$(basename "${1:-build/bin/netboot-check}")
sed -n '1,/^<!-- rules -->$/p' docs/rules-intro.md | sed '$d'
$N rules | while read -r id sev rest; do
	only=""
	case $rest in *" (lint)") rest=${rest% (lint)}; only=" Reported by \`netboot-check lint\` only." ;; esac
	echo "## $id"; echo; echo "Severity: $sev. $rest.$only"; echo
	echo "Fix: $($N explain "$id" | sed -n '5p' | sed 's/^  //')"; echo
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
