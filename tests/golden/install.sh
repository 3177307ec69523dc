#!/bin/sh
# install.sh: make install DESTDIR=... PREFIX=/usr/local puts the three tools, their man
# pages and the bash completion where they belong, with the right modes; the installed
# netboot-check runs, every subcommand's --help exits 0, the completion loads and completes;
# make uninstall removes exactly what install put there. Run from the top of the tree.
set -u
MAKE=${MAKE:-make}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL install: $*"; fail=$((fail + 1)); }

prefix=/usr/local
dest=$tmp/dest
root=$dest$prefix
# Something of someone else's in the same directories: uninstall must leave it.
mkdir -p "$root/bin" "$root/share/man/man1"
echo keep > "$root/bin/other-tool"
echo keep > "$root/share/man/man1/other-tool.1"
find "$dest" -type f | sort > "$tmp/before"

if $MAKE -s install DESTDIR="$dest" PREFIX="$prefix" > "$tmp/log" 2>&1; then ok; else
	bad "make install failed: $(tail -5 "$tmp/log")"
	echo "install: $pass passed, $fail failed"
	exit 1
fi

installed="bin/netboot-check:755 bin/netboot-serve:755 bin/netboot-firmware:755
share/man/man1/netboot-check.1:644 share/man/man1/netboot-serve.1:644
share/man/man1/netboot-firmware.1:644 share/bash-completion/completions/netboot-check:644"
for e in $installed; do
	f=${e%:*}
	mode=${e#*:}
	if [ -f "$root/$f" ] && [ "$(stat -c %a "$root/$f")" = "$mode" ]; then ok; else
		bad "$prefix/$f missing or not mode $mode ($(stat -c %a "$root/$f" 2> /dev/null))"
	fi
done
# Nothing else: the files before plus exactly these.
{
	cat "$tmp/before"
	for e in $installed; do echo "$root/${e%:*}"; done
} | sort > "$tmp/want"
find "$dest" -type f | sort > "$tmp/after"
if cmp -s "$tmp/want" "$tmp/after"; then ok; else
	bad "install wrote other files: $(diff "$tmp/want" "$tmp/after" | grep '^[<>]' | head -5)"
fi

nbc=$root/bin/netboot-check
want_version="netboot-check $(sed -n 's/^#define NBC_VERSION "\(.*\)"/\1/p' checker/model.h)"
if [ "$("$nbc" --version 2>&1)" = "$want_version" ]; then ok; else
	bad "installed netboot-check --version: $("$nbc" --version 2>&1), want $want_version"
fi
for t in netboot-serve netboot-firmware; do
	if "$root/bin/$t" --help > "$tmp/h" 2>&1 && grep -q "usage: $t" "$tmp/h"; then ok; else
		bad "installed $t --help"
	fi
done

# Every subcommand's --help: exit 0 and a usage text on standard output.
cmds="analyze live lint decode rules explain gate diff probe"
for c in $cmds; do
	"$nbc" "$c" --help > "$tmp/h.$c" 2> "$tmp/e.$c"
	rc=$?
	if [ "$rc" -eq 0 ] && grep -qi "usage" "$tmp/h.$c"; then ok; else
		bad "netboot-check $c --help: exit $rc, $(head -c 200 "$tmp/h.$c" "$tmp/e.$c" | tr '\n' ' ')"
	fi
done

# The man pages: render without warnings (groff is in every Debian base system; skipped
# where it is not).
if command -v groff > /dev/null; then
	for m in netboot-check netboot-serve netboot-firmware; do
		if groff -man -Tutf8 -ww -z "$root/share/man/man1/$m.1" > "$tmp/g" 2>&1 && [ ! -s "$tmp/g" ]; then
			ok
		else
			bad "$m.1: groff warnings: $(head -3 "$tmp/g")"
		fi
	done
	# The man page covers every subcommand.
	for c in $cmds; do
		if grep -q "^\.SS.*$c" "$root/share/man/man1/netboot-check.1"; then ok; else
			bad "netboot-check.1 has no section for $c"
		fi
	done
else
	echo "install: groff missing, man pages not rendered"
fi

# The completion: loads on its own and completes from the installed netboot-check.
comp=$root/share/bash-completion/completions/netboot-check
if command -v bash > /dev/null; then
	if [ "$(bash -c 'source "$1" && complete -p netboot-check' _ "$comp" 2>&1)" = \
		"complete -F _netboot_check netboot-check" ]; then ok; else
		bad "the completion does not register: $(bash -c 'source "$1"; complete -p netboot-check' _ "$comp" 2>&1)"
	fi
	# complete WORD...: COMPREPLY for the last word, one per line.
	complete_words() {
		PATH="$root/bin:$PATH" bash -c 'source "$1"; shift
			COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
			COMPREPLY=(); _netboot_check netboot-check "${COMP_WORDS[COMP_CWORD]}" \
				"${COMP_WORDS[COMP_CWORD - 1]}"
			printf "%s\n" "${COMPREPLY[@]}"' _ "$comp" "$@" 2>&1
	}
	expect_words() {
		want=$1
		shift
		got=$(complete_words "$@" | tr '\n' ' ' | sed 's/ $//')
		if [ "$got" = "$want" ]; then ok; else bad "completing '$*': got '$got', want '$want'"; fi
	}
	expect_words analyze netboot-check an
	expect_words "--format" netboot-check analyze --fo
	expect_words "text json junit sarif html" netboot-check analyze --format ""
	expect_words "error warning info" netboot-check lint --fail-on ""
	expect_words "--annotate" netboot-check analyze --ann
	expect_words "NBC-LOOP-USERCLASS" netboot-check explain NBC-LOOP-U
	expect_words "NBC-LOOP-USERCLASS" netboot-check analyze --disable NBC-LOOP-U
	expect_words "lo" netboot-check live l
	expect_words "Makefile" netboot-check analyze Makefil
	# Every option --help lists at the start of a line is offered after '-'.
	for c in $cmds; do
		"$nbc" "$c" --help 2> /dev/null |
			grep -oE '^ +(-[a-zA-Z],? +)?--[a-z][a-z-]*' | grep -oE -- '--[a-z][a-z-]*' |
			sort -u > "$tmp/opts.$c"
		complete_words netboot-check "$c" - | sed 's/=$//' | sort -u > "$tmp/comp.$c"
		missing=$(comm -23 "$tmp/opts.$c" "$tmp/comp.$c" | tr '\n' ' ')
		if [ -z "$missing" ]; then ok; else bad "the completion of '$c' lacks $missing"; fi
	done
else
	echo "install: bash missing, completion not checked"
fi

if $MAKE -s uninstall DESTDIR="$dest" PREFIX="$prefix" > "$tmp/log" 2>&1; then ok; else
	bad "make uninstall failed: $(tail -5 "$tmp/log")"
fi
find "$dest" -type f | sort > "$tmp/left"
if cmp -s "$tmp/before" "$tmp/left"; then ok; else
	bad "uninstall did not leave exactly the files that were there before: $(diff "$tmp/before" "$tmp/left" | grep '^[<>]' | head -5)"
fi

echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
