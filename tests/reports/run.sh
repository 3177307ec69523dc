#!/bin/sh
# run.sh: the machine report formats. For every pcaps/**/X.pcap (plus X.args): the JSON report
# validates against docs/report.schema.json, the SARIF report has the shape SARIF 2.1.0
# consumers need (checked with jq: the official schema is not fetched, tests have no network),
# the JUnit report parses and its counts and failures follow the findings; both are
# deterministic. Then multi-file, --client, --fail-on and usage cases.
# usage: sh tests/reports/run.sh build/bin/netboot-check   (PYTHON=python3 by default)
set -u
NBC=${1:?usage: run.sh NETBOOT-CHECK}
case $NBC in /*) ;; *) NBC=$(pwd)/$NBC ;; esac
PY=${PYTHON:-python3}
cd "$(dirname "$0")/../.." || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() {
	echo "FAIL $*"
	fail=$((fail + 1))
}

# Validates JSON file $1 against docs/report.schema.json; prints the first errors.
cat > "$tmp/schema.py" <<'PYEOF'
import json, sys
import jsonschema
schema = json.load(open("docs/report.schema.json"))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
errs = sorted(v.iter_errors(json.load(open(sys.argv[1]))), key=lambda e: list(e.absolute_path))
for e in errs[:3]:
    print("  at /%s: %s" % ("/".join(str(p) for p in e.absolute_path), e.message[:300]))
sys.exit(1 if errs else 0)
PYEOF

# Checks JUnit file $1 against the JSON report $2 of the same capture (one testsuite) or,
# with $3 = N, that the document has N testsuites whose counts add up.
cat > "$tmp/junit.py" <<'PYEOF'
import json, sys
import xml.etree.ElementTree as ET
problems = []
root = ET.parse(sys.argv[1]).getroot()
if root.tag != "testsuites":
    problems.append("root element is <%s>, not <testsuites>" % root.tag)
suites = root.findall("testsuite")
for s in suites:
    cases = s.findall("testcase")
    failed = [c for c in cases if c.find("failure") is not None]
    if int(s.get("tests", -1)) != len(cases):
        problems.append("%s: tests=%s but %d testcases" % (s.get("name"), s.get("tests"), len(cases)))
    if int(s.get("failures", -1)) != len(failed):
        problems.append("%s: failures=%s but %d failing testcases" % (s.get("name"), s.get("failures"), len(failed)))
    for c in cases:
        if not c.get("classname") or not c.get("name"):
            problems.append("a testcase without classname or name")
        f = c.find("failure")
        if f is not None and not f.get("message"):
            problems.append("%s: failure without a message" % c.get("name"))
if len(sys.argv) > 3 and sys.argv[3]:
    if len(suites) != int(sys.argv[3]):
        problems.append("%d testsuites, expected %s" % (len(suites), sys.argv[3]))
else:
    rep = json.load(open(sys.argv[2]))
    fail_on = {"info": 0, "warning": 1, "error": 2}[sys.argv[4] if len(sys.argv) > 4 else "error"]
    sev = {"info": 0, "warning": 1, "error": 2}
    if len(suites) != 1:
        problems.append("%d testsuites for one capture" % len(suites))
    else:
        s = suites[0]
        cases = {(c.get("classname").rsplit(".", 1)[-1], c.get("name")): c for c in s.findall("testcase")}
        if s.get("name") != rep["input"][0]:
            problems.append("testsuite name %r is not the input %r" % (s.get("name"), rep["input"][0]))
        for cl in rep["clients"]:
            who = cl["mac"] or cl["ip"]
            name = "client %s boots" % who
            c = cases.get(("clients", name))
            if c is None:
                problems.append("no testcase %r" % name)
            elif (c.find("failure") is not None) != (cl["verdict"] != "booted"):
                problems.append("%r: failure does not follow verdict %s" % (name, cl["verdict"]))
            elif cl["verdict"] != "booted" and not c.find("failure").get("message").startswith(cl["verdict"]):
                problems.append("%r: failure message does not start with the verdict" % name)
        nclients = len([k for k in cases if k[0] == "clients"])
        if nclients != len(rep["clients"]):
            problems.append("%d client testcases for %d clients" % (nclients, len(rep["clients"])))
        rules = {k[1]: c for k, c in cases.items() if k[0] == "rules"}
        for r in set(f["rule"] for f in rep["findings"]) | set(rules):
            if r not in rules:
                problems.append("no testcase for rule %s" % r)
                continue
            want = any(f["rule"] == r and sev[f["severity"]] >= fail_on for f in rep["findings"])
            if (rules[r].find("failure") is not None) != want:
                problems.append("rule %s: testcase %s, expected %s" % (r, "fails" if not want else "passes", "failure" if want else "pass"))
for p in problems[:5]:
    print("  " + p)
sys.exit(1 if problems else 0)
PYEOF

# jq: the SARIF 2.1.0 structure; $j[0] is the JSON report of the same run (null: skip the
# comparison with the findings).
cat > "$tmp/sarif.jq" <<'JQEOF'
def levels: ["error", "warning", "note", "none"];
def sevlevel: {"error": "error", "warning": "warning", "info": "note"}[.];
. as $s
| $j[0] as $json
| [.runs[0].tool.driver.rules[].id] as $ids
| [
    (if $s.version == "2.1.0" then empty else "version is not 2.1.0" end),
    (if ($s["$schema"] // "" | test("sarif-2\\.1\\.0")) then empty else "$schema does not name sarif-2.1.0" end),
    (if ($s.runs | length) == 1 then empty else "not exactly one run" end),
    (if $s.runs[0].tool.driver.name == "netboot-check" then empty else "tool.driver.name" end),
    (if ($s.runs[0].tool.driver.version | type) == "string" then empty else "tool.driver.version" end),
    (if ($ids | length) > 0 and ($ids | unique | length) == ($ids | length) then empty else "rule ids empty or not unique" end),
    ($s.runs[0].tool.driver.rules[]
     | select((.shortDescription.text | type) != "string" or (.help.text | type) != "string"
              or ((.defaultConfiguration.level) as $l | levels | index($l)) == null)
     | "rule \(.id): shortDescription, help or defaultConfiguration.level"),
    ($s.runs[0].results[]
     | select((.ruleId as $r | $ids | index($r)) == null) | "result ruleId \(.ruleId) not in rules"),
    ($s.runs[0].results[]
     | select(.ruleIndex != null and $ids[.ruleIndex] != .ruleId) | "result \(.ruleId): ruleIndex \(.ruleIndex) points elsewhere"),
    ($s.runs[0].results[]
     | select((.level as $l | levels | index($l)) == null) | "result \(.ruleId): level \(.level)"),
    ($s.runs[0].results[]
     | select((.message.text // "") == "") | "result \(.ruleId): no message.text"),
    ($s.runs[0].results[]
     | select((.locations[0].physicalLocation.artifactLocation.uri // "") == ""
              or (.locations[0].properties.frame | type) != "number"
              or (.locations[0].logicalLocations[0].name // "") == "")
     | "result \(.ruleId): locations[0] lacks the uri, properties.frame or a logicalLocation"),
    (if $json == null then empty
     elif ([$s.runs[0].results[] | [.ruleId, .level, .message.text, .locations[0].properties.frame]]
           == [$json.findings[] | [.rule, (.severity | sevlevel), .message, .frame]])
     then empty else "results differ from the JSON report's findings" end)
  ]
| .[]
JQEOF

sarif_check() {	# $1 sarif file, $2 JSON report or empty; prints problems, fails on any
	jf=$2
	if [ -z "$jf" ]; then
		echo null > "$tmp/null.json"
		jf=$tmp/null.json
	fi
	jq -r --slurpfile j "$jf" -f "$tmp/sarif.jq" "$1" > "$tmp/sarif.problems" 2>&1 ||
		echo "jq failed on $1" >> "$tmp/sarif.problems"
	if [ -s "$tmp/sarif.problems" ]; then
		sed 's/^/  /' "$tmp/sarif.problems" | head -5
		return 1
	fi
	return 0
}

have_schema=1
if ! "$PY" -c 'import jsonschema, sys; sys.exit(0 if hasattr(jsonschema, "Draft202012Validator") else 1)' 2> /dev/null; then
	have_schema=0
	bad "schema: $PY has no jsonschema module with draft 2020-12 (Debian 12: apt-get install python3-jsonschema, 4.10; it belongs in scripts/deps.sh): the JSON reports are not validated"
fi
if [ "$have_schema" = 1 ]; then
	# The schema is strict: a field it does not know fails it.
	echo '{"tool": "netboot-check", "version": "0.1.0", "input": ["x"], "clients": [], "findings": [], "stats": {}, "extra": 1}' > "$tmp/badreport.json"
	if "$PY" "$tmp/schema.py" "$tmp/badreport.json" > /dev/null; then
		bad "schema: accepts a report with an unknown field and no stats"
	else
		ok
	fi
fi

# 1. Every capture, in every machine format.
find pcaps -name '*.pcap' | sort > "$tmp/pcaps"
while read -r pcap; do
	base=${pcap%.pcap}
	args=""
	[ -f "$base.args" ] && args=$(cat "$base.args")
	# shellcheck disable=SC2086
	"$NBC" analyze --format json $args "$pcap" > "$tmp/r.json" 2> "$tmp/err"
	rc=$?
	if [ "$rc" -ge 2 ] || [ ! -s "$tmp/r.json" ]; then
		bad "$pcap: json: exit $rc: $(head -1 "$tmp/err")"
		continue
	fi
	if [ "$have_schema" = 1 ]; then
		if "$PY" "$tmp/schema.py" "$tmp/r.json" > "$tmp/out"; then
			ok
		else
			bad "$pcap: the JSON report does not validate against docs/report.schema.json:"
			cat "$tmp/out"
		fi
	fi
	for fmt in sarif junit; do
		# shellcheck disable=SC2086
		"$NBC" analyze --format $fmt $args "$pcap" > "$tmp/r.$fmt" 2> "$tmp/err"
		frc=$?
		# shellcheck disable=SC2086
		"$NBC" analyze --format $fmt $args "$pcap" > "$tmp/r2.$fmt" 2> /dev/null
		if [ "$frc" -ne "$rc" ]; then
			bad "$pcap: $fmt: exit $frc, json exits $rc"
		elif ! cmp -s "$tmp/r.$fmt" "$tmp/r2.$fmt"; then
			bad "$pcap: $fmt: two runs differ"
		else
			ok
		fi
	done
	if sarif_check "$tmp/r.sarif" "$tmp/r.json" > "$tmp/out"; then
		ok
	else
		bad "$pcap: sarif:"
		cat "$tmp/out"
	fi
	if "$PY" "$tmp/junit.py" "$tmp/r.junit" "$tmp/r.json" > "$tmp/out" 2>&1; then
		ok
	else
		bad "$pcap: junit:"
		head -5 "$tmp/out"
	fi
done < "$tmp/pcaps"

# 2. Cases beyond one capture with the default options.
err_pcap=pcaps/scenarios/tftp-nbp-not-found.pcap
ok_pcap=pcaps/gold/seed-flow.pcap

# A capture with an error finding fails that rule's testcase, and the client's.
"$NBC" analyze --format junit "$err_pcap" > "$tmp/e.junit" 2> /dev/null
if "$PY" - "$tmp/e.junit" << 'PYEOF'
import sys, xml.etree.ElementTree as ET
s = ET.parse(sys.argv[1]).getroot().find("testsuite")
failed = {c.get("name") for c in s.findall("testcase") if c.find("failure") is not None}
sys.exit(0 if failed == {"NBC-TFTP-NOT-FOUND", "client 52:54:00:12:34:67 boots"} else 1)
PYEOF
then ok; else bad "junit: $err_pcap should fail exactly NBC-TFTP-NOT-FOUND and its client"; fi

# --fail-on: a rule with only warnings fails its testcase at --fail-on warning or info, not
# at the default.
warn_pcap=""
while read -r pcap; do
	[ -f "${pcap%.pcap}.args" ] && continue
	if "$NBC" analyze --format json "$pcap" 2> /dev/null |
		jq -e '.findings | group_by(.rule) | map(select(all(.severity == "warning")))
		       | length > 0' > /dev/null; then
		"$NBC" analyze --format json "$pcap" > "$tmp/w.json" 2> /dev/null
		warn_pcap=$pcap
		break
	fi
done < "$tmp/pcaps"
if [ -z "$warn_pcap" ]; then
	bad "fail-on: no capture with a warning finding"
else
	for lvl in warning info error; do
		"$NBC" analyze --format junit --fail-on $lvl "$warn_pcap" > "$tmp/w.junit" 2> /dev/null
		if "$PY" "$tmp/junit.py" "$tmp/w.junit" "$tmp/w.json" "" $lvl > "$tmp/out" 2>&1; then
			ok
		else
			bad "junit --fail-on $lvl $warn_pcap:"
			cat "$tmp/out"
		fi
	done
fi

# Several files: one testsuite each; one SARIF run with the results of both, each with its uri.
"$NBC" analyze --format junit "$err_pcap" "$ok_pcap" > "$tmp/m.junit" 2> /dev/null
if "$PY" "$tmp/junit.py" "$tmp/m.junit" "" 2 > "$tmp/out" 2>&1; then ok; else
	bad "junit with two files:"
	cat "$tmp/out"
fi
"$NBC" analyze --format sarif "$err_pcap" "$ok_pcap" > "$tmp/m.sarif" 2> /dev/null
n1=$("$NBC" analyze --format json "$err_pcap" 2> /dev/null | jq '.findings | length')
n2=$("$NBC" analyze --format json "$ok_pcap" 2> /dev/null | jq '.findings | length')
if sarif_check "$tmp/m.sarif" "" > "$tmp/out" &&
	[ "$(jq '.runs[0].results | length' "$tmp/m.sarif")" = $((n1 + n2)) ] &&
	[ "$(jq -r '.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri' "$tmp/m.sarif")" = "$err_pcap" ]; then
	ok
else
	bad "sarif with two files: not one run with $n1 + $n2 results"
	cat "$tmp/out"
fi

# --client with a MAC the capture lacks: valid documents with nothing in them.
"$NBC" analyze --format sarif --client 02:00:00:00:00:01 "$err_pcap" > "$tmp/c.sarif" 2> /dev/null
"$NBC" analyze --format junit --client 02:00:00:00:00:01 "$err_pcap" > "$tmp/c.junit" 2> /dev/null
if sarif_check "$tmp/c.sarif" "" > "$tmp/out" && [ "$(jq '.runs[0].results | length' "$tmp/c.sarif")" = 0 ] &&
	"$PY" "$tmp/junit.py" "$tmp/c.junit" "" 1 >> "$tmp/out" 2>&1 &&
	! grep -q '<failure' "$tmp/c.junit"; then
	ok
else
	bad "--client with an absent MAC: SARIF with results or JUnit with failures"
	cat "$tmp/out"
fi

# An unknown format is a usage error that names the formats.
"$NBC" analyze --format xml "$ok_pcap" > /dev/null 2> "$tmp/err"
rc=$?
if [ "$rc" -eq 3 ] && grep -q 'junit' "$tmp/err" && grep -q 'sarif' "$tmp/err"; then ok; else
	bad "--format xml: exit $rc, $(cat "$tmp/err")"
fi

# Several files as JSON: one array of the reports written, even when the first file
# cannot be read (it wrote "," before any "[" once).
"$NBC" analyze --format json /nonexistent.pcap "$ok_pcap" > "$tmp/multi.json" 2> /dev/null
if jq -e 'type == "array" and length == 1' "$tmp/multi.json" > /dev/null; then ok; else
	bad "multi-file JSON with an unreadable first file: $(head -c 200 "$tmp/multi.json")"
fi

echo "reports: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
