#!/usr/bin/env bash
# kvmrec dump on good and damaged traces: exit status, one-line errors naming
# the file, everything recovered on stdout, byte-identical output twice.
# usage: dump_cli.sh KVMREC GEN_TRACE
set -u
kvmrec=$1 gen=$2
dir=$(mktemp -d /tmp/kvmrec-dump-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect STATUS STDERR_REGEX -- ARGS...: one stderr line matching, or none if the regex is empty.
expect() {
	local want=$1 re=$2; shift 3
	"$kvmrec" dump "$@" >"$dir/out" 2>"$dir/err"
	local got=$?
	[ "$got" = "$want" ] || fail "dump $*: exit $got, want $want"
	if [ -n "$re" ]; then
		[ "$(wc -l <"$dir/err")" = 1 ] || fail "dump $*: stderr is not one line: $(cat "$dir/err")"
		grep -Eq "$re" "$dir/err" || fail "dump $*: stderr '$(cat "$dir/err")' does not match '$re'"
	else
		[ ! -s "$dir/err" ] || fail "dump $*: unexpected stderr: $(cat "$dir/err")"
	fi
}

"$gen" "$dir/t.zst" 600 25 3 || { echo "gen_trace failed"; exit 1; }
size=$(stat -c %s "$dir/t.zst")

expect 0 "" -- "$dir/t.zst"
cp "$dir/out" "$dir/out1"
grep -q '^# format: 1\.3$' "$dir/out" || fail "no header line"
grep -q '^# footer: events=600 first_seq=1 last_seq=600' "$dir/out" || fail "no footer summary"
[ "$(grep -c '^ *[0-9]' "$dir/out")" = 600 ] || fail "not 600 event lines"
grep -q ' exit IO ' "$dir/out" || fail "no IO exit line"
grep -q 'vector=0x[0-9a-f]* ([0-9]*)' "$dir/out" || fail "no decoded vector"
expect 0 "" -- "$dir/t.zst"
cmp -s "$dir/out" "$dir/out1" || fail "two dumps of one trace differ"
expect 0 "" -- - <"$dir/t.zst"
cmp -s "$dir/out" "$dir/out1" || fail "dump of stdin differs"

# Cut in the middle: what was recovered is printed, then the error.
head -c $((size / 2)) "$dir/t.zst" >"$dir/cut.zst"
expect 2 "^kvmrec dump: $dir/cut\.zst: truncated after event [0-9]+ \(byte $((size / 2))\)$" -- "$dir/cut.zst"
last=$(grep '^ *[0-9]' "$dir/out" | tail -1 | awk '{print $1}')
grep -q "truncated after event $last " "$dir/err" || fail "error does not name the last event printed ($last)"
head -n "$(wc -l <"$dir/out")" "$dir/out1" | cmp -s - "$dir/out" || fail "recovered events differ from the original's"

# One flipped byte in the middle, and one in the last frame.
for off in $((size / 3)) $((size - 10)); do
	cp "$dir/t.zst" "$dir/flip.zst"
	printf '\xff' | dd of="$dir/flip.zst" bs=1 seek="$off" conv=notrunc status=none
	expect 2 "^kvmrec dump: $dir/flip\.zst: (corrupt frame at byte [0-9]+ after event [0-9]+ \(.*\)|truncated after event [0-9]+ \(byte [0-9]+\))$" -- "$dir/flip.zst"
done

printf 'not a trace\n' >"$dir/text"
expect 2 "^kvmrec dump: $dir/text: not a kvmrec trace" -- "$dir/text"
: >"$dir/empty"
expect 2 "^kvmrec dump: $dir/empty: empty file" -- "$dir/empty"
expect 2 "^kvmrec dump: $dir/missing: cannot open: No such file or directory$" -- "$dir/missing"
expect 2 "unknown option '--bogus'" -- --bogus "$dir/t.zst"
"$kvmrec" dump >/dev/null 2>&1; [ $? = 2 ] || fail "dump without a trace is not exit 2"
"$kvmrec" dump --help >"$dir/help" 2>&1 || fail "dump --help is not exit 0"
grep -q "Exit status" "$dir/help" || fail "--help does not give the exit codes"

[ "$fails" = 0 ] && echo "dump_cli: all checks passed"
exit $((fails > 0))
