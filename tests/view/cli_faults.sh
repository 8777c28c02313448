#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The command line under faults (issue #10): import -o keeps record's rules
# (never overwrites, no symlinks, never its own input, --force to replace;
# one wording for "exists"); plot exits 2 on a damaged trace even when the
# violation lies before the damage, and refuses an unknown --model; the usage
# errors are one line.
# Env: KVMREC, VIEW_SYNTH, CORPUS (set by ctest).
set -u
. "$(dirname "$0")/expect.sh"

# --- import -o: record's rules.
cp "$CORPUS/seed-2016-eventinj.txt" "$t/in.txt"
cp "$t/in.txt" "$t/in.orig"
expect 2 "$KVMREC" import "$t/in.txt" -o "$t/in.txt"
one_line "$t/in.txt: is the input"
expect 2 "$KVMREC" import "$t/in.txt" -o "$t/in.txt" --force
one_line "$t/in.txt: is the input"
ln "$t/in.txt" "$t/hardlink.zst"
expect 2 "$KVMREC" import "$t/in.txt" -o "$t/hardlink.zst" --force
one_line "is the input"
ln -s "$t/in.txt" "$t/symlink.zst"
expect 2 "$KVMREC" import "$t/in.txt" -o "$t/symlink.zst" --force
one_line "$t/symlink.zst: is a symbolic link"
ln -s "$t/nowhere" "$t/dangling.zst"
expect 2 "$KVMREC" import "$t/in.txt" -o "$t/dangling.zst"
one_line "$t/dangling.zst: is a symbolic link"
[ -e "$t/nowhere" ] && fail "import wrote through a dangling symlink"
cmp -s "$t/in.txt" "$t/in.orig" || fail "import changed its own input"
expect 0 "$KVMREC" import "$t/in.txt" -o "$t/out.zst"
[ "$(stat -c %a "$t/out.zst")" = 600 ] || fail "import output is not mode 0600"
cp "$t/out.zst" "$t/out.first"
expect 2 "$KVMREC" import "$t/in.txt" -o "$t/out.zst"
one_line "$t/out.zst: already exists; not overwriting it"
import_exists=$(sed 's/^kvmrec import: [^:]*: //' "$t/err")
cmp -s "$t/out.zst" "$t/out.first" || fail "import overwrote an existing file"
echo "precious" >"$t/precious"
expect 0 "$KVMREC" import "$t/in.txt" -o "$t/precious" --force
"$KVMREC" dump "$t/precious" >/dev/null 2>&1 || fail "import --force did not replace the file with a trace"
expect 2 "$KVMREC" import "$t/in.txt" -o
one_line "-o needs a value"
# record says "exists" in the same words (it refuses before starting the VMM).
expect 2 "$KVMREC" record -o "$t/out.zst" -- true
one_line "$t/out.zst: "
record_exists=$(sed 's/^kvmrec record: [^:]*: //' "$t/err")
[ "$record_exists" = "$import_exists" ] ||
	fail "record and import word 'exists' differently: '$record_exists' / '$import_exists'"

# --- plot: damage after the violation, and --model.
q27=$CORPUS/vmm-tpr-qemu27.zst
expect 1 "$KVMREC" replay --check-once "$q27"
expect 0 "$KVMREC" plot "$q27" -o "$t/p.svg"
# The trace's first frame again after its footer: the violation reads before it.
{ cat "$q27"; head -c 200 "$q27"; } >"$t/after-footer.zst"
expect 2 "$KVMREC" plot "$t/after-footer.zst" -o "$t/p.svg"
one_line "$t/after-footer.zst: data after the footer"
"$VIEW_SYNTH" "$t/cut.zst" qemu-2.7 5 --no-footer >/dev/null
expect 2 "$KVMREC" plot "$t/cut.zst" -o "$t/p.svg"
one_line "$t/cut.zst: truncated"
expect 2 "$KVMREC" plot "$q27" --model nonsense -o "$t/p.svg"
one_line "unknown model 'nonsense'"
expect 0 "$KVMREC" plot "$q27" --model qemu-2.7 -o "$t/p.svg"

# --- usage errors: one line, exit 2.
expect 2 "$KVMREC"
one_line "kvmrec: no command given (see kvmrec --help)"
expect 2 "$KVMREC" dump
one_line "kvmrec dump: no TRACE given"
expect 2 "$KVMREC" replay "$q27" --model
one_line "kvmrec replay: --model needs a value"
expect 2 "$KVMREC" bisect "$q27" --model
one_line "kvmrec bisect: --model needs a value"
for size in 17592186044417M 18014398509481985K 1T 0x1000000001M; do
	expect 2 "$KVMREC" record --ring-size "$size" -o "$t/never.zst" -- true
	one_line "--ring-size $size"
done
[ -e "$t/never.zst" ] && fail "record started with a bad --ring-size"
expect 2 "$KVMREC" record -o
one_line "-o needs a value"
# Top-level --help: every command, and where its options are.
expect 0 "$KVMREC" --help
cp "$t/out" "$t/help"
grep -q "kvmrec COMMAND --help" "$t/help" || fail "--help does not say where each command's options are"
for c in record replay bisect dump stat diff import export plot; do
	grep -qE "^  (kvmrec )?$c( |\$)" "$t/help" || fail "--help does not list $c"
	expect 0 "$KVMREC" $c --help
	grep -q "^usage: kvmrec $c" "$t/out" || fail "$c --help has no usage line"
done

[ "$fails" = 0 ] || exit 1
echo "cli_faults: import output rules, plot on damage and --model, one-line usage errors"
