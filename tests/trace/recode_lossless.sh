#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Format 1.2 stores kernel events that repeat their exit as references and IO
# data as differences (docs/trace.md, "References"), format 1.3 runs of hot
# records as column batches ("Batches"): lossless, so `kvmrec dump`
# of every trace written again by this writer equals the original's, byte for
# byte but the format line and the new trace's own id, on the reader's
# threads and on its single path.
# Traces: corpus/*.zst, and any given as arguments (e.g. /work/recs/*.zst).
# Env: KVMREC, GEN_TRACE, CORPUS (set by ctest).
set -u
t=$(mktemp -d /tmp/kvmrec-recode.XXXXXX)
trap 'rm -rf "$t"' EXIT
fails=0 refs=0 n=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

for tr in "$CORPUS"/*.zst "$@"; do
	[ -e "$tr" ] || continue
	# A damaged input (one still being recorded) has no whole dump to compare.
	"$KVMREC" dump "$tr" >/dev/null 2>&1 || { echo "$(basename "$tr"): skipped, damaged"; continue; }
	out=$("$GEN_TRACE" --recode "$tr" "$t/re.zst") || { fail "$tr: recode failed"; continue; }
	refs=$((refs + $(echo "$out" | awk '{print $3}')))
	"$KVMREC" dump "$tr" 2>&1 | grep -v '^# \(format\|trace_id\): ' >"$t/a"
	for th in 1 4; do
		KVMREC_READER_THREADS=$th "$KVMREC" dump "$t/re.zst" 2>&1 |
			grep -v '^# \(format\|trace_id\): ' >"$t/b"
		cmp -s "$t/a" "$t/b" || fail "$tr: dump differs after recoding ($th reader threads)"
	done
	head -1 <("$KVMREC" dump "$t/re.zst") | grep -q '^# format: 1\.3$' ||
		fail "$tr: recoded trace is not format 1.3"
	echo "$(basename "$tr"): $out (was $(stat -c %s "$tr") bytes)"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no traces"
# The corpus has kernel-event recordings: references must have been written.
[ "$refs" -gt 0 ] || fail "no kernel event was written as a reference"
[ "$fails" -eq 0 ] || exit 1
echo "PASS: $n traces, $refs references"
