#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The four view commands end to end on synthetic seed-shaped traces (written
# by view_synth with the real trace_writer): exit codes, one-line errors
# naming the file, parseable JSON and SVG, byte-identical output.
# Env: KVMREC, VIEW_SYNTH, VIEW_TESTS (set by ctest).
set -u
. "$(dirname "$0")/expect.sh"
one_line_naming() { one_line "$1"; }

dup=$("$VIEW_SYNTH" "$t/a.zst" qemu-2.7 1)
"$VIEW_SYNTH" "$t/a2.zst" qemu-2.7 2 >/dev/null
"$VIEW_SYNTH" "$t/fix.zst" fixed 3 >/dev/null
"$VIEW_SYNTH" "$t/lossy.zst" qemu-2.7 4 --drops 5 >/dev/null
"$VIEW_SYNTH" "$t/cut.zst" qemu-2.7 5 --no-footer >/dev/null
printf 'not a trace at all' >"$t/junk.zst"

for c in stat diff export plot; do
	expect 0 "$KVMREC" $c --help
	grep -q "^usage: kvmrec $c" "$t/out" || fail "$c --help has no usage line"
	grep -q "Exit status" "$t/out" || fail "$c --help does not document exit codes"
	expect 2 "$KVMREC" $c --bogus-flag
	one_line_naming --bogus-flag
done

# stat
expect 0 "$KVMREC" stat "$t/a.zst"
grep -q "vCPU 0 vector 62: double injection" "$t/out" ||
	fail "stat does not name vector 62"
grep -q "IRQ_WINDOW_OPEN" "$t/out" || fail "stat does not list the IRQ_WINDOW_OPEN exit"
cp "$t/out" "$t/stat1"
expect 0 "$KVMREC" stat "$t/a.zst"
cmp -s "$t/out" "$t/stat1" || fail "stat output differs between runs"
expect 0 "$KVMREC" stat --json "$t/a.zst"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["check_once"]; assert d["first_violations"][0]["vector"] == 62, d' "$t/out" ||
	fail "stat --json does not parse or lacks the violation"
exits=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["all"]["exits"])' "$t/out")
expect 2 "$KVMREC" stat "$t/nonexistent.zst"
one_line_naming "$t/nonexistent.zst"
expect 2 "$KVMREC" stat "$t/junk.zst"
one_line_naming "$t/junk.zst"
expect 2 "$KVMREC" stat "$t/cut.zst"
one_line_naming "$t/cut.zst"
grep -q "no footer" "$t/out" || fail "stat on a cut trace does not say it has no footer"
expect 2 "$KVMREC" stat "$t/a.zst" "$t/a2.zst"

# diff
expect 0 "$KVMREC" diff "$t/a.zst" "$t/a2.zst"
expect 1 "$KVMREC" diff "$t/a.zst" "$t/fix.zst"
grep -q -- "- #.*KVM_INTERRUPT vector 62" "$t/out" || fail "diff does not show the KVM_INTERRUPT"
cp "$t/out" "$t/diff1"
expect 1 "$KVMREC" diff "$t/a.zst" "$t/fix.zst"
cmp -s "$t/out" "$t/diff1" || fail "diff output differs between runs"
expect 125 "$KVMREC" diff "$t/a.zst" "$t/lossy.zst"
expect 2 "$KVMREC" diff "$t/a.zst" "$t/cut.zst"
one_line_naming "$t/cut.zst"
expect 2 "$KVMREC" diff "$t/a.zst"
expect 2 "$KVMREC" diff "$t/a.zst" "$t/a.zst" --context 99

# export
expect 0 "$KVMREC" export --format chrome-json "$t/a.zst" -o "$t/a.json"
python3 "$VIEW_TESTS/check_chrome_json.py" "$t/a.json" --exits "$exits" --violation 62 ||
	fail "exported JSON is not well-formed"
expect 0 "$KVMREC" export --format chrome-json "$t/a.zst" -o "$t/a2.json"
cmp -s "$t/a.json" "$t/a2.json" || fail "export output differs between runs"
expect 2 "$KVMREC" export --format svg "$t/a.zst" -o "$t/x"
expect 2 "$KVMREC" export --format chrome-json "$t/cut.zst" -o "$t/cut.json"
one_line_naming "$t/cut.zst"
python3 "$VIEW_TESTS/check_chrome_json.py" "$t/cut.json" ||
	fail "export of a cut trace is not valid JSON up to the damage"

# plot
expect 0 "$KVMREC" plot "$t/a.zst" -o "$t/a.svg"
python3 -c 'import sys,xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$t/a.svg" ||
	fail "plot SVG is not well-formed XML"
grep -q '>KVM_INTERRUPT 62<' "$t/a.svg" || fail "plot does not label the KVM_INTERRUPT"
grep -q 'stroke="#d40000" stroke-width="3"' "$t/a.svg" || fail "plot highlights no violation"
expect 0 "$KVMREC" plot "$t/a.zst" -o "$t/a2.svg"
cmp -s "$t/a.svg" "$t/a2.svg" || fail "plot output differs between runs"
expect 0 "$KVMREC" plot "$t/a.zst" --around "$dup" -o "$t/b.svg"
grep -q -- ">1: --around (seq $dup)<" "$t/b.svg" || fail "plot --around $dup does not mark it"
expect 2 "$KVMREC" plot "$t/a.zst" --around 999999 -o "$t/c.svg"
one_line_naming "$t/a.zst"
expect 2 "$KVMREC" plot "$t/junk.zst" -o "$t/d.svg"
one_line_naming "$t/junk.zst"
# No violation: the first item the replayer could not decide, else nothing.
expect 2 "$KVMREC" plot "$t/fix.zst" -o "$t/fix.svg"
one_line_naming "nothing to show"
[ -e "$t/fix.svg" ] && fail "plot wrote an SVG with nothing to show"
expect 0 "$KVMREC" plot "$t/fix.zst" --around 20 -o "$t/fix.svg"
expect 0 "$KVMREC" plot "$CORPUS/vmm-tpr-qemu27-nokev.zst" -o "$t/nokev.svg"
grep -q ">UNDECIDED: vCPU 0 vector 62 at seq 77: " "$t/nokev.svg" ||
	fail "plot does not centre on the undecided KVM_INTERRUPT of 62 without kernel events"
expect 2 "$KVMREC" plot "$t/a.zst" --model no-such-model -o "$t/m.svg"
one_line_naming no-such-model

[ $fails = 0 ] && echo "PASS: view CLI on synthetic traces" || exit 1
