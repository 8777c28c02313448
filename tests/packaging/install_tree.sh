#!/usr/bin/env bash
# `make install` into a staging tree (DESTDIR), then use only the staged
# files: every binary, the interposer in <libdir>/kvmrec, the guests, the
# demo, a man page per command whose synopsis is the command's --help
# synopsis, and the bash completion offering each command's options. With
# /dev/kvm, the staged kvmrec records the staged kvmrec-vmm (finding the
# staged interposer relative to itself) and the staged demo passes.
# Usage: install_tree.sh BUILD_DIR WORKDIR
set -u
build=$1 work=$2
rm -rf "$work"
mkdir -p "$work"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
DESTDIR=$work/root cmake --install "$build" >"$work/install.log" 2>&1 ||
	{ cat "$work/install.log"; echo "FAIL: cmake --install"; exit 1; }
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$build/CMakeCache.txt")
r=$work/root$prefix
for f in bin/kvmrec bin/kvmrec-vmm "$libdir/kvmrec/libkvmrec-preload.so" share/kvmrec/demo.sh \
	 share/kvmrec/guests/tpr.elf share/bash-completion/completions/kvmrec \
	 share/bash-completion/completions/kvmrec-vmm share/doc/kvmrec/README.md; do
	[ -e "$r/$f" ] || fail "not installed: $f"
done
cmds=$("$r/bin/kvmrec" --help | sed -n 's/^  kvmrec \([a-z]*\).*/\1/p')
[ -n "$cmds" ] || fail "kvmrec --help lists no commands"
for page in kvmrec kvmrec-vmm $(for c in $cmds; do echo "kvmrec-$c"; done); do
	m=$r/share/man/man1/$page.1.gz
	[ -f "$m" ] || { fail "no man page $page(1)"; continue; }
	case $page in
	kvmrec) want=$("$r/bin/kvmrec" --help | head -1) ;;
	kvmrec-vmm) want=$("$r/bin/kvmrec-vmm" --help | head -1) ;;
	*) want=$("$r/bin/kvmrec" "${page#kvmrec-}" --help | head -1) ;;
	esac
	want=${want#usage: }
	# The roff synopsis, markup stripped, starts like --help's.
	got=$(zcat "$m" | sed -n '/^\.SH SYNOPSIS/,/^\.SH/p' | sed -n 3p | sed 's/\\f[BIRP]//g; s/\\-/-/g; s/\\(\*//g; s/\\&//g')
	[ "${got:0:30}" = "${want:0:30}" ] || fail "$page(1) synopsis '${got:0:30}' is not --help's '${want:0:30}'"
	if command -v man >/dev/null; then
		MANWIDTH=80 man -l "$m" >"$work/$page.txt" 2>"$work/$page.err" || fail "man -l $page: $(cat "$work/$page.err")"
		grep -q "^EXIT STATUS" "$work/$page.txt" || fail "$page(1) has no EXIT STATUS"
	fi
done
# Completion: each command's options come from its --help.
bash -n "$r/share/bash-completion/completions/kvmrec" || fail "completion does not parse"
got=$(bash -c "source '$r/share/bash-completion/completions/kvmrec'
	COMP_WORDS=(kvmrec diff --in); COMP_CWORD=2; _kvmrec; echo \${COMPREPLY[*]}")
[ "$got" = "--inputs" ] || fail "completion of 'kvmrec diff --in' gave '$got'"
got=$(bash -c "source '$r/share/bash-completion/completions/kvmrec'
	COMP_WORDS=(kvmrec st); COMP_CWORD=1; _kvmrec; echo \${COMPREPLY[*]}")
[ "$got" = "stat" ] || fail "completion of 'kvmrec st' gave '$got'"
if [ ! -e /dev/kvm ]; then
	echo "note: no /dev/kvm: the staged recorder and demo were not run"
	[ $fails = 0 ] && { echo "SKIP: install tree checked; nothing run"; exit 77; }
	exit 1
fi
# The build tree's interposer must not be what the staged kvmrec finds.
(cd "$work" && PATH=$r/bin:/usr/bin:/bin kvmrec record -o "$work/pio.zst" -- kvmrec-vmm \
	"$r/share/kvmrec/guests/pio-loop.elf" >"$work/record.out" 2>&1) ||
	fail "staged kvmrec record: $(cat "$work/record.out")"
"$r/bin/kvmrec" dump "$work/pio.zst" | grep -q "^# recorder: \"preload\"" || fail "no trace from the staged recorder"
"$r/share/kvmrec/demo.sh" "$work/demo" >"$work/demo.out" 2>&1 || fail "staged demo: $(tail -3 "$work/demo.out")"
grep -q "^demo: OK" "$work/demo.out" || fail "staged demo did not end OK"
[ $fails = 0 ] && echo "PASS: the staged install records, replays and runs the demo" || exit 1
