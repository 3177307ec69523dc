#!/bin/sh
# gen-rules-doc.sh: writes docs/rules.md from the rule table (netboot-check rules/explain)
# and, for each rule, the real output on the first bundled capture that triggers it.
# Run after changing a rule or a scenario: sh scripts/gen-rules-doc.sh > docs/rules.md
set -u
N=${1:-build/bin/netboot-check}
sed -n '1,/^<!-- rules -->$/p' docs/rules-intro.md | sed '$d'
$N rules | while read -r id sev rest; do
	echo "## $id"; echo; echo "Severity: $sev. $rest."; echo
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
	else
		echo "Example: none of the bundled captures triggers it yet."; echo
	fi
done
sed -n '/^<!-- rules -->$/,$p' docs/rules-intro.md | sed '1d'
