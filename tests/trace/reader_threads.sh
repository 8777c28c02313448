#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Every reading command gives byte-identical output, error lines and exit
# status whether the reader decodes frames on worker threads or on the
# single-threaded path (KVMREC_READER_THREADS=1): on every corpus recording
# (multi-frame) and on damaged copies of them (cut, a flipped byte). And the
# writer's compression threads write the same trace as its own path.
# Env: KVMREC, GEN_TRACE, CORPUS (set by ctest).
set -u
t=$(mktemp -d /tmp/kvmrec-threads.XXXXXX)
trap 'rm -rf "$t"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# run THREADS TAG CMD...: output, stderr and status into $t/TAG.THREADS.*
run() {
	local n=$1 tag=$2; shift 2
	KVMREC_READER_THREADS=$n "$@" >"$t/$tag.$n.out" 2>"$t/$tag.$n.err"
	echo $? >"$t/$tag.$n.rc"
	# Output files named by the command: compare them too.
	for f in "$t"/out.*; do [ -e "$f" ] && mv "$f" "$t/$tag.$n.file.$(basename "$f")"; done
}
same() {   # same TAG CMD...: both paths, then compare everything they left
	local tag=$1; shift
	run 1 "$tag" "$@"
	run 4 "$tag" "$@"
	for f in "$t/$tag".1.*; do
		g=${f/"$tag.1."/"$tag.4."}
		cmp -s "$f" "$g" || fail "$tag: ${f##*.} differs between 1 and 4 reader threads ($*)"
	done
}

traces=()
for f in "$CORPUS"/*.zst; do traces+=("$f"); done
# Damaged copies of the largest recording: cut at a third and two thirds, a flipped byte.
big=$(ls -S "$CORPUS"/*.zst | head -1)
size=$(stat -c %s "$big")
head -c $((size / 3)) "$big" >"$t/cut1.zst"
head -c $((size * 2 / 3)) "$big" >"$t/cut2.zst"
cp "$big" "$t/flip.zst"
printf '\x5a' | dd of="$t/flip.zst" bs=1 seek=$((size / 2)) conv=notrunc status=none
traces+=("$t/cut1.zst" "$t/cut2.zst" "$t/flip.zst")
# The same recording written again in format 1.3 (kernel events as references,
# IO data as differences, hot records in batches, docs/trace.md), whole and cut inside a frame.
"$GEN_TRACE" --recode "$big" "$t/recoded.zst" >/dev/null || fail "recode of $big failed"
rsize=$(stat -c %s "$t/recoded.zst")
head -c $((rsize / 2)) "$t/recoded.zst" >"$t/recut.zst"
traces+=("$t/recoded.zst" "$t/recut.zst")

n=0
for tr in "${traces[@]}"; do
	b=$(basename "$tr" .zst)
	same "$b.dump" "$KVMREC" dump "$tr"
	same "$b.stat" "$KVMREC" stat "$tr"
	same "$b.statj" "$KVMREC" stat --json "$tr"
	same "$b.replay" "$KVMREC" replay "$tr"
	same "$b.once" "$KVMREC" replay --check-once --json "$tr"
	same "$b.diff" "$KVMREC" diff "$tr" "$tr"
	same "$b.cj" "$KVMREC" export --format chrome-json "$tr" -o "$t/out.json"
	same "$b.pf" "$KVMREC" export --format perfetto "$tr" -o "$t/out.pftrace"
	same "$b.plot" "$KVMREC" plot "$tr" -o "$t/out.svg"
	n=$((n + 1))
done
# The comparison must have had something to compare.
[ -s "$t/$(basename "$big" .zst).dump.4.out" ] || fail "no dump output for $big"
grep -q . "$t/cut1.dump.4.err" || fail "a cut trace gave no error line"

# The writer: 1 compressor (on the appending thread) against 4 threads. Frames
# may also end on the wall clock, so compare what the traces hold.
KVMREC_WRITER_THREADS=1 "$GEN_TRACE" "$t/w1.zst" 200000 5000 || fail "gen_trace with 1 writer thread"
KVMREC_WRITER_THREADS=4 "$GEN_TRACE" "$t/w4.zst" 200000 5000 || fail "gen_trace with 4 writer threads"
"$KVMREC" dump "$t/w1.zst" >"$t/w1.txt" 2>&1 || fail "dump of the 1-thread trace"
"$KVMREC" dump "$t/w4.zst" >"$t/w4.txt" 2>&1 || fail "dump of the 4-thread trace"
[ "$(grep -c . "$t/w1.txt")" -gt 200000 ] || fail "the 1-thread trace is short"
cmp -s "$t/w1.txt" "$t/w4.txt" || fail "traces written with 1 and 4 writer threads differ"

[ "$fails" = 0 ] || { echo "$fails difference(s)"; exit 1; }
echo "reader threads: $n traces x 9 commands, byte-identical with 1 and 4 threads"
