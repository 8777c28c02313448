# SPDX-License-Identifier: GPL-2.0-only
# Sourced by CLI scenario tests: a scratch directory $t (removed on exit),
# fail MESSAGE (counted in $fails), expect CODE CMD... (runs CMD with stdout
# in $t/out and stderr in $t/err, fails unless it exits CODE) and one_line
# TEXT (fails unless stderr is one line holding TEXT).
t=$(mktemp -d /tmp/kvmrec-cli-test.XXXXXX)
trap 'rm -rf "$t"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect() {
	local want=$1; shift
	"$@" >"$t/out" 2>"$t/err"
	local got=$?
	[ "$got" = "$want" ] || fail "'$*' exited $got, want $want: $(head -c 300 "$t/err")"
}
one_line() {
	[ "$(wc -l <"$t/err")" = 1 ] && grep -qF -- "$1" "$t/err" ||
		fail "stderr is not one line with '$1': $(cat "$t/err")"
}
