#!/bin/sh
# replay-compare: proves a change to the replay path changes no verdict and
# no byte of output. Records `kvmrec replay --check-once` (text and --json,
# stdout, stderr and exit status) of every trace given, under a build, into a
# directory; with a second directory, compares the two and names every trace
# whose output differs. Exit 0: identical, 1: some differ.
#
#   scripts/replay-compare.sh save OUTDIR KVMREC TRACE...
#   scripts/replay-compare.sh diff OLDDIR NEWDIR
set -eu
usage() { echo "usage: $0 save OUTDIR KVMREC TRACE... | diff OLDDIR NEWDIR" >&2; exit 2; }
[ $# -ge 3 ] || usage
mode=$1; shift
case $mode in
save)
	out=$1 kvmrec=$2; shift 2
	mkdir -p "$out"
	for t in "$@"; do
		b=$(basename "$t")
		for threads in 1 ""; do
			tag=${threads:+t$threads.}
			KVMREC_READER_THREADS=$threads "$kvmrec" replay --check-once "$t" \
				>"$out/$b.${tag}txt" 2>"$out/$b.${tag}err" && rc=0 || rc=$?
			echo "$rc" >"$out/$b.${tag}rc"
		done
		"$kvmrec" replay --check-once --json "$t" >"$out/$b.json" 2>"$out/$b.json.err" &&
			rc=0 || rc=$?
		echo "$rc" >"$out/$b.json.rc"
	done
	;;
diff)
	[ $# -eq 2 ] || usage
	n=$(ls "$1" | wc -l)
	if diff -r "$1" "$2" >/dev/null; then
		echo "replay-compare: identical: $n files (outputs, errors, exit codes) in $1 and $2"
	else
		diff -rq "$1" "$2" || true
		exit 1
	fi
	;;
*) usage ;;
esac
