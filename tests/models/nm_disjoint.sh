#!/usr/bin/env bash
# The VMM's device models and the replayer's are two implementations on
# purpose (docs/replay.md, "Two implementations"): both static libraries must
# link into one program, so they may share no global symbol.
#   nm_disjoint.sh LIB_A LIB_B
set -u
a=$1 b=$2
syms() {
	nm -g --defined-only "$1" | awk 'NF == 3 { print $3 }' | sort -u
}
sa=$(syms "$a") || { echo "FAILED: nm $a" >&2; exit 1; }
sb=$(syms "$b") || { echo "FAILED: nm $b" >&2; exit 1; }
# An empty list would make the check vacuous.
[ -n "$sa" ] && [ -n "$sb" ] || { echo "FAILED: no global symbols in $a or $b" >&2; exit 1; }
both=$(comm -12 <(printf '%s\n' "$sa") <(printf '%s\n' "$sb"))
echo "$(basename "$a"): $(printf '%s\n' "$sa" | wc -l) globals, $(basename "$b"): $(printf '%s\n' "$sb" | wc -l) globals"
if [ -n "$both" ]; then
	echo "FAILED: defined in both:" >&2
	printf '  %s\n' $both >&2
	exit 1
fi
echo "no global symbol in common"
