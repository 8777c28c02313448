#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Format 1.2 stores kernel events that repeat their exit as references and IO
# data as differences (docs/trace.md, "References"), format 1.3 runs of hot
# records as column batches ("Batches"): lossless, so every reading command
# gives the same output, error lines, exit status and files for a trace and
# for it written again by this writer (under the same file name): `kvmrec
# dump` byte for byte but the format line and the new trace's own id, on the
# reader's threads and on its single path; stat, replay, diff, export and
# plot byte for byte.
# Traces: corpus/*.zst, and any given as arguments (e.g. /work/recs/*.zst).
# Env: KVMREC, GEN_TRACE, CORPUS (set by ctest).
set -u
t=$(mktemp -d /tmp/kvmrec-recode.XXXXXX)
trap 'rm -rf "$t"' EXIT
fails=0 refs=0 n=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# run DIR TAG CMD...: in DIR (which holds tr.zst), output, stderr, status and files into DIR/TAG.*
run() {
	local d=$1 tag=$2; shift 2
	(cd "$d" && "$@" >"$tag.out" 2>"$tag.err"; echo $? >"$tag.rc"
	 for f in out.*; do [ -e "$f" ] && mv "$f" "$tag.file.$f"; done; true)
}
# same TAG CMD...: the original (in $t/a) and the copy (in $t/b) leave the same things
same() {
	local tag=$1; shift
	run "$t/a" "$tag" "$@"
	run "$t/b" "$tag" "$@"
	for f in "$t/a/$tag".*; do
		cmp -s "$f" "$t/b/${f##*/}" || fail "$tr: $* differs after recoding (${f##*/})"
	done
}

for tr in "$CORPUS"/*.zst "$@"; do
	[ -e "$tr" ] || continue
	# A damaged input (one still being recorded) has no whole dump to compare.
	"$KVMREC" dump "$tr" >/dev/null 2>&1 || { echo "$(basename "$tr"): skipped, damaged"; continue; }
	rm -rf "$t/a" "$t/b"
	mkdir "$t/a" "$t/b"
	cp "$tr" "$t/a/tr.zst"
	out=$("$GEN_TRACE" --recode "$tr" "$t/b/tr.zst") || { fail "$tr: recode failed"; continue; }
	refs=$((refs + $(echo "$out" | awk '{print $3}')))
	"$KVMREC" dump "$tr" 2>&1 | grep -v '^# \(format\|trace_id\): ' >"$t/dump.a"
	for th in 1 4; do
		KVMREC_READER_THREADS=$th "$KVMREC" dump "$t/b/tr.zst" 2>&1 |
			grep -v '^# \(format\|trace_id\): ' >"$t/dump.b"
		cmp -s "$t/dump.a" "$t/dump.b" || fail "$tr: dump differs after recoding ($th reader threads)"
	done
	head -1 <("$KVMREC" dump "$t/b/tr.zst") | grep -q '^# format: 1\.3$' ||
		fail "$tr: recoded trace is not format 1.3"
	same stat "$KVMREC" stat tr.zst
	same statj "$KVMREC" stat --json tr.zst
	same replay "$KVMREC" replay tr.zst
	same once "$KVMREC" replay --check-once --json tr.zst
	same diff "$KVMREC" diff tr.zst tr.zst
	same cj "$KVMREC" export --format chrome-json tr.zst -o out.json
	same pf "$KVMREC" export --format perfetto tr.zst -o out.pftrace
	same plot "$KVMREC" plot tr.zst -o out.svg
	echo "$(basename "$tr"): $out (was $(stat -c %s "$tr") bytes)"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no traces"
# The corpus has kernel-event recordings: references must have been written.
[ "$refs" -gt 0 ] || fail "no kernel event was written as a reference"
[ "$fails" -eq 0 ] || exit 1
echo "PASS: $n traces, $refs references, 9 commands each"
