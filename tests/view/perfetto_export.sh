#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `kvmrec export --format perfetto` on every corpus recording: the file decodes
# with protoc against proto/perfetto_trace.proto alone and keeps the
# invariants trace_processor relies on (check_perfetto.py), the same trace
# gives the same bytes, a damaged trace gives a valid file and exit 2.
# Env: KVMREC, VIEW_TESTS, CORPUS, SCHEMA (set by ctest).
set -u
command -v protoc >/dev/null ||
	{ echo "SKIP: protoc (Debian: protobuf-compiler) is not installed"; exit 77; }
t=$(mktemp -d /tmp/kvmrec-perfetto.XXXXXX)
trap 'rm -rf "$t"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
n=0
for trace in "$CORPUS"/*.zst; do
	name=$(basename "$trace" .zst)
	"$KVMREC" export --format perfetto "$trace" -o "$t/$name.pftrace" 2>"$t/err" ||
		{ fail "$name: export exited $?: $(cat "$t/err")"; continue; }
	python3 "$VIEW_TESTS/check_perfetto.py" "$SCHEMA" "$t/$name.pftrace" --min-packets 10 ||
		fail "$name: invariants"
	n=$((n + 1))
done
[ "$n" -ge 5 ] || fail "only $n corpus recordings exported"

# The replayer's decisions: the tpr double injection is marked and its request's flow drawn.
protoc --decode=perfetto.protos.Trace -I"$(dirname "$SCHEMA")" "$SCHEMA" \
	<"$t/vmm-tpr-qemu27.pftrace" >"$t/tpr.txt" || fail "protoc --decode of the tpr export"
grep -q 'name: "VIOLATION: double injection 62"' "$t/tpr.txt" || fail "tpr export: no violation mark on 62"
grep -q 'terminating_flow_ids' "$t/tpr.txt" || fail "tpr export: no flow ends at a delivery"
protoc --decode=perfetto.protos.Trace -I"$(dirname "$SCHEMA")" "$SCHEMA" \
	<"$t/vmm-tpr-fixed.pftrace" | grep -q VIOLATION && fail "fixed tpr export has a violation mark"

# Deterministic: the same trace, the same bytes.
one=$(ls "$CORPUS"/vmm-tpr-qemu27.zst)
"$KVMREC" export --format perfetto "$one" -o "$t/again.pftrace"
cmp -s "$t/again.pftrace" "$t/vmm-tpr-qemu27.pftrace" || fail "two exports of one trace differ"

# A cut trace: what came before, still a valid file; exit 2 with one line.
size=$(stat -c %s "$one")
head -c $((size * 2 / 3)) "$one" >"$t/cut.zst"
"$KVMREC" export --format perfetto "$t/cut.zst" -o "$t/cut.pftrace" 2>"$t/err"
rc=$?
[ "$rc" = 2 ] || fail "cut trace: exit $rc, want 2"
[ "$(wc -l <"$t/err")" = 1 ] && grep -q cut.zst "$t/err" || fail "cut trace: stderr: $(cat "$t/err")"
python3 "$VIEW_TESTS/check_perfetto.py" "$SCHEMA" "$t/cut.pftrace" || fail "cut trace: invariants"

# The format flag is checked.
"$KVMREC" export --format perfetti "$one" -o "$t/x" 2>"$t/err"
[ $? = 2 ] && grep -q perfetti "$t/err" || fail "unknown format not refused by name"

[ "$fails" = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "perfetto export: $n corpus recordings, all invariants hold"
