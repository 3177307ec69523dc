#!/bin/sh
# run.sh: `netboot-check lint` end to end. Every tests/lint/cases/NAME/ holds configurations,
# a `cmd` (the arguments after `lint`, run inside the case directory) and an `expect` file
# (the exit status, then one "RULE FILE:LINE" line per finding, sorted). Each case is checked
# against its expect file, and its report in every format is checked: JSON against
# docs/report.schema.json, SARIF against the OASIS SARIF 2.1.0 schema, JUnit parsed, gnu and
# github line shapes. Then suppressions, baselines, directories, secrets and usage errors.
# usage: sh tests/lint/run.sh build/bin/netboot-check      (UPDATE=1 rewrites expect files)
set -u
NBC=${1:?usage: run.sh NETBOOT-CHECK}
case $NBC in /*) ;; *) NBC=$(pwd)/$NBC ;; esac
PY=${PYTHON:-python3}
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() {
	echo "FAIL $*"
	fail=$((fail + 1))
}

# "RULE FILE:LINE" lines of a JSON lint report, sorted.
cat > "$tmp/summary.py" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
for f in sorted("%s %s:%d" % (x["rule"], x["file"], x["line"]) for x in r["findings"]):
    print(f)
PYEOF

cat > "$tmp/schema.py" <<'PYEOF'
import json, sys
import jsonschema
kind, path = sys.argv[1], sys.argv[2]
if kind == "json":
    schema = json.load(open("docs/report.schema.json"))
    v = jsonschema.Draft202012Validator(schema)
else:
    schema = json.load(open("tests/schemas/sarif-schema-2.1.0.json"))
    v = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
doc = json.load(open(path))
errs = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
for e in errs[:3]:
    print("  at /%s: %s" % ("/".join(str(p) for p in e.absolute_path), e.message[:300]))
if kind == "sarif" and not errs:
    # Every result points at a file and a rule the driver lists.
    ids = [r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]]
    for res in doc["runs"][0]["results"]:
        if res["ruleId"] not in ids or ids[res["ruleIndex"]] != res["ruleId"]:
            print("  result rule %s not in the driver's rules" % res["ruleId"]); errs = [1]
sys.exit(1 if errs else 0)
PYEOF

# JUnit: parses; failures equal the files with an error-level finding in the JSON report.
cat > "$tmp/junit.py" <<'PYEOF'
import json, sys, xml.etree.ElementTree as ET
doc = ET.parse(sys.argv[1]).getroot()
rep = json.load(open(sys.argv[2]))
suite = doc.find("testsuite")
bad_files = {f["file"] for f in rep["findings"] if f["severity"] == "error"}
failed = {tc.get("name") for tc in suite.findall("testcase") if tc.find("failure") is not None}
ok = failed == bad_files and int(suite.get("failures")) == len(failed)
if not ok:
    print("  junit failures %s, json error files %s" % (sorted(failed), sorted(bad_files)))
sys.exit(0 if ok else 1)
PYEOF

if [ ! -f tests/schemas/sarif-schema-2.1.0.json ]; then
	bad "tests/schemas/sarif-schema-2.1.0.json is missing"
fi

for dir in tests/lint/cases/*/; do
	name=$(basename "$dir")
	[ -f "$dir/cmd" ] || continue
	args=$(cat "$dir/cmd")
	# Word splitting of the arguments is wanted: cmd holds plain words.
	# shellcheck disable=SC2086
	(cd "$dir" && "$NBC" lint $args --format json > "$tmp/$name.json" 2> "$tmp/$name.err")
	rc=$?
	if [ $rc -gt 1 ]; then
		bad "$name: exit $rc: $(head -3 "$tmp/$name.err")"
		continue
	fi
	{ echo "exit $rc"; $PY "$tmp/summary.py" "$tmp/$name.json"; } > "$tmp/$name.got"
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$tmp/$name.got" "$dir/expect"
	fi
	if [ ! -f "$dir/expect" ]; then
		bad "$name: no expect file"
	elif diff -u "$dir/expect" "$tmp/$name.got" > "$tmp/$name.diff"; then
		ok
	else
		bad "$name: findings differ from $dir/expect:"
		sed -n '3,40p' "$tmp/$name.diff"
	fi
	# The same case in every format.
	if $PY "$tmp/schema.py" json "$tmp/$name.json"; then ok; else bad "$name: JSON schema"; fi
	# shellcheck disable=SC2086
	(cd "$dir" && "$NBC" lint $args --format sarif > "$tmp/$name.sarif" 2>/dev/null)
	if $PY "$tmp/schema.py" sarif "$tmp/$name.sarif"; then ok; else bad "$name: SARIF schema"; fi
	# shellcheck disable=SC2086
	(cd "$dir" && "$NBC" lint $args --format junit > "$tmp/$name.xml" 2>/dev/null)
	if $PY "$tmp/junit.py" "$tmp/$name.xml" "$tmp/$name.json"; then ok; else bad "$name: JUnit"; fi
	# shellcheck disable=SC2086
	(cd "$dir" && "$NBC" lint $args --format gnu > "$tmp/$name.gnu" 2>/dev/null)
	n=$(grep -c . "$tmp/$name.gnu")
	m=$(grep -Ec '^[^ :]+(:[0-9]+(:[0-9]+)?)?: (error|warning|note): .* \[NBC-[A-Z0-9-]+\]$' \
		"$tmp/$name.gnu")
	want=$(($(grep -c . "$dir/expect" 2>/dev/null || echo 1) - 1))
	if [ "$n" = "$m" ] && [ "$n" = "$want" ]; then ok; else bad "$name: gnu: $m of $n lines well formed, want $want"; fi
	# shellcheck disable=SC2086
	(cd "$dir" && "$NBC" lint $args --format github > "$tmp/$name.gh" 2>/dev/null)
	m=$(grep -Ec '^::(error|warning|notice) (file=[^,]+,(line=[0-9]+,(col=[0-9]+,)?)?)?title=NBC-[A-Z0-9-]+::' "$tmp/$name.gh")
	if [ "$m" = "$want" ]; then ok; else bad "$name: github: $m annotations, want $want"; fi
	# The server's own test mode agrees: it refuses the file exactly when lint reports an
	# error-level NBC-CONFIG-SYNTAX or NBC-CONFIG-INCLUDE in it.
	for conf in dhcpd.conf dnsmasq.conf; do
		[ -f "$dir/$conf" ] || continue
		case $conf in
		dhcpd.conf) command -v dhcpd > /dev/null || continue
			(cd "$dir" && dhcpd -t -cf dhcpd.conf > /dev/null 2>&1) ;;
		dnsmasq.conf) command -v dnsmasq > /dev/null || continue
			(cd "$dir" && dnsmasq --test --conf-file=dnsmasq.conf > /dev/null 2>&1) ;;
		esac
		srv=$?
		lint_bad=$($PY -c 'import json,sys; r=json.load(open(sys.argv[1])); print(1 if any(f["severity"]=="error" and f["rule"] in ("NBC-CONFIG-SYNTAX","NBC-CONFIG-INCLUDE") and f["file"]==sys.argv[2] for f in r["findings"]) else 0)' "$tmp/$name.json" "$conf")
		if { [ $srv -eq 0 ] && [ "$lint_bad" = 0 ]; } || { [ $srv -ne 0 ] && [ "$lint_bad" = 1 ]; }; then
			ok
		else
			bad "$name: the server's test mode says $srv for $conf, lint's syntax/include errors: $lint_bad"
		fi
	done
	# Deterministic: the same bytes twice.
	# shellcheck disable=SC2086
	(cd "$dir" && "$NBC" lint $args --format json > "$tmp/$name.again" 2>/dev/null)
	if cmp -s "$tmp/$name.json" "$tmp/$name.again"; then ok; else bad "$name: output differs between runs"; fi
done

# Secrets: a password in a script URI never reaches any format.
c=tests/lint/cases/tree-broken
for fmt in text gnu github json junit sarif; do
	(cd $c && "$NBC" lint --tftp-root tftp --http-root www dhcpd.conf www/winpe.ipxe \
		--format $fmt > "$tmp/secret.$fmt" 2>&1)
	if grep -q s3cretpw "$tmp/secret.$fmt"; then bad "secret printed in --format $fmt"; else ok; fi
done

# Inline suppressions: the loop of dhcpd-loop disappears, and the summary counts it.
(cd tests/lint/cases/dhcpd-suppressed && "$NBC" lint $(cat cmd) --format json > "$tmp/sup.json")
rc=$?
s=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["suppressed"])' "$tmp/sup.json")
if [ $rc -eq 0 ] && [ "$s" -ge 2 ]; then ok; else bad "suppression: exit $rc, suppressed $s"; fi

# Baseline: write it, then only new findings count.
mkdir -p "$tmp/bl"
cp tests/lint/cases/dhcpd-loop/dhcpd.conf "$tmp/bl/dhcpd.conf"
(cd "$tmp/bl" && "$NBC" lint dhcpd.conf --write-baseline base.txt > out1.txt)
rc1=$?
(cd "$tmp/bl" && "$NBC" lint dhcpd.conf --baseline base.txt > out2.txt)
rc2=$?
grep -q 'NBC-LOOP-USERCLASS' "$tmp/bl/base.txt" && ok || bad "baseline: the loop is not in base.txt"
[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && ok || bad "baseline: exits $rc1 $rc2, want 0 0"
# A line added above the findings does not make them new; a new fault does.
sed -i '1i # a comment that moves every line down' "$tmp/bl/dhcpd.conf"
sed -i 's/  next-server 192.0.2.1;//' "$tmp/bl/dhcpd.conf"
(cd "$tmp/bl" && "$NBC" lint dhcpd.conf --baseline base.txt --format json > out3.json)
rc3=$?
rules=$($PY -c 'import json,sys; print(" ".join(sorted({f["rule"] for f in json.load(open(sys.argv[1]))["findings"]})))' "$tmp/bl/out3.json")
if [ $rc3 -eq 1 ] && [ "$rules" = "NBC-DHCP-NO-NEXT-SERVER" ]; then ok; else bad "baseline: after an edit exit $rc3, new rules '$rules'"; fi

# A directory: configurations are found by name and content, placeholder files skipped.
"$NBC" lint --tftp-root tests/lint/cases/seed-dhcpd/tftp --http-root tests/lint/cases/seed-dhcpd/www \
	tests/lint/cases/seed-dhcpd --format json > "$tmp/dir.json"
rc=$?
files=$($PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["input"]))' "$tmp/dir.json")
if [ $rc -eq 0 ] && [ "$files" = 4 ]; then ok; else bad "directory: exit $rc, $files inputs (want 4: dhcpd.conf, boot, 2 scripts)"; fi

# --type forces a backend; an unrecognised file named explicitly is exit 2.
printf 'hello\n' > "$tmp/what.txt"
"$NBC" lint "$tmp/what.txt" > /dev/null 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'use --type' "$tmp/err" && ok || bad "unknown kind: exit $rc"
"$NBC" lint --type dnsmasq "$tmp/what.txt" --format json > "$tmp/t.json"; rc=$?
grep -q NBC-CONFIG-SYNTAX "$tmp/t.json" && [ $rc -eq 1 ] && ok || bad "--type dnsmasq on junk: exit $rc, no NBC-CONFIG-SYNTAX"
"$NBC" lint /nonexistent/dhcpd.conf > /dev/null 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'No such file' "$tmp/err" && ok || bad "missing file: exit $rc"
"$NBC" lint --tftp-root /nonexistent tests/lint/cases/seed-dhcpd/dhcpd.conf > /dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok || bad "--tftp-root missing: exit $rc"
"$NBC" lint > /dev/null 2>&1; rc=$?
[ $rc -eq 3 ] && ok || bad "no PATH: exit $rc"
"$NBC" lint --format xml tests/lint/cases/seed-dhcpd/dhcpd.conf > /dev/null 2>&1; rc=$?
[ $rc -eq 3 ] && ok || bad "--format xml: exit $rc"
"$NBC" lint --disable NBC-NO-SUCH tests/lint/cases/seed-dhcpd/dhcpd.conf > /dev/null 2>&1; rc=$?
[ $rc -eq 3 ] && ok || bad "--disable unknown rule: exit $rc"
"$NBC" lint --help | grep -q -- '--baseline' && ok || bad "lint --help"
# --disable and --fail-on
# A walked directory: the files a configuration takes in (conf-dir fragments, a hosts file,
# a dhcpd include) are checked as its parts, not as inputs of their own; named on the
# command line, a part is an input again.
(cd tests/lint/cases/walk-parts && "$NBC" lint $(cat cmd) --format json > "$tmp/w.json")
$PY -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r["input"] == ["etc/dhcp/dhcpd.conf", "etc/dnsmasq.conf"] and r["summary"]["files"] == 2 else 1)' "$tmp/w.json" &&
	ok || bad "walk-parts: inputs $($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["input"])' "$tmp/w.json")"
(cd tests/lint/cases/walk-parts && "$NBC" lint $(cat cmd) etc/dnsmasq.d/pxe.conf --format json > "$tmp/w2.json")
$PY -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if "etc/dnsmasq.d/pxe.conf" in r["input"] else 1)' "$tmp/w2.json" &&
	ok || bad "walk-parts: a part named on the command line is not an input"
(cd tests/lint/cases/dhcpd-loop && "$NBC" lint $(cat cmd) --disable NBC-LOOP-USERCLASS --format json > "$tmp/d.json"); rc=$?
grep -q NBC-LOOP-USERCLASS "$tmp/d.json" && bad "--disable: still reported" || ok
(cd tests/lint/cases/dhcpd-no209 && "$NBC" lint $(cat cmd) --disable NBC-PXELINUX-209-MISSING > /dev/null); rc=$?
[ $rc -eq 0 ] && ok || bad "--disable 209: exit $rc (the rest are warnings)"
(cd tests/lint/cases/dhcpd-no209 && "$NBC" lint $(cat cmd) --disable NBC-PXELINUX-209-MISSING --fail-on warning > /dev/null); rc=$?
[ $rc -eq 1 ] && ok || bad "--fail-on warning: exit $rc"
# The rule catalogue knows the lint-only rules.
"$NBC" rules | grep -q '^NBC-CONFIG-SYNTAX' && ok || bad "rules: no NBC-CONFIG-SYNTAX"
"$NBC" explain nbc-config-include | grep -q 'lint only' && ok || bad "explain NBC-CONFIG-INCLUDE"

# Hostile bytes through every backend: a finding or a clean pass, never a crash.
head -c 65536 /dev/urandom > "$tmp/rand.bin" 2>/dev/null || dd if=/dev/urandom of="$tmp/rand.bin" bs=1024 count=64 2>/dev/null
for t in isc-dhcpd dnsmasq kea pxelinux ipxe; do
	"$NBC" lint --type $t "$tmp/rand.bin" > /dev/null 2>&1; rc=$?
	[ $rc -le 1 ] && ok || bad "random bytes as $t: exit $rc"
done

# The dnsmasq corpus: each file's header says what dnsmasq --test says of it; still true?
if command -v dnsmasq > /dev/null; then
	if sh tests/lint/dnsmasq/check-corpus.sh > "$tmp/cc.out" 2>&1; then ok; else
		bad "dnsmasq corpus: $(grep FAIL "$tmp/cc.out" | head -3)"
	fi
fi

echo "lint: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
