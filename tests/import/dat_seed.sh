#!/usr/bin/env bash
# The seed's 2016 ftrace text as a trace-cmd .dat (seed2dat.py: written as
# trace-cmd.dat.v6(5) specifies, with Linux 4.7's kvm event formats and the
# seed's field values). The route must be faithful: `trace-cmd report -N`
# of the file prints every event of the seed again (same name, same text),
# and importing the .dat gives the same records as importing the seed's text.
# Then the verdict: replay --check-once exits 1 naming vector 62.
# Usage: dat_seed.sh KVMREC SEED.txt WORKDIR
set -u
kvmrec=$1 seed=$2 work=$3
here=$(dirname "$0")
command -v trace-cmd >/dev/null || { echo "SKIP: trace-cmd not installed"; exit 77; }
mkdir -p "$work"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
python3 "$here/seed2dat.py" "$seed" "$work/seed.dat" || { echo "FAIL: seed2dat"; exit 1; }
# Event name and text, one a line: the seed's (wrapped lines joined), the report's.
awk '/^ *[^ ].*-[0-9]+ +\[[0-9]+\]/ { if (e) print e; e = $0; next } NF { e = e " " $0 } END { if (e) print e }' "$seed" |
	sed -E 's/^.*[0-9]+\.[0-9]+: ([a-z_]+): */\1: /; s/ +/ /g' >"$work/seed.events"
trace-cmd report -N -i "$work/seed.dat" 2>"$work/report.err" | grep -v '^cpus=' |
	sed -E 's/^.*[0-9]+\.[0-9]+: ([a-z_]+): */\1: /; s/ +/ /g' >"$work/dat.events"
n=$(wc -l <"$work/seed.events")
[ "$n" -ge 10 ] || fail "only $n events read from $seed"
diff -u "$work/seed.events" "$work/dat.events" || fail "trace-cmd report of the .dat is not the seed's events"
"$kvmrec" import "$work/seed.dat" -o "$work/dat.zst" --force 2>"$work/dat.import" || fail "import of the .dat: $(cat "$work/dat.import")"
"$kvmrec" import "$seed" -o "$work/txt.zst" --force 2>"$work/txt.import" || fail "import of the seed text"
grep -q "($n kvm decoded, 0 kvm undecoded, 0 malformed" "$work/dat.import" ||
	fail "not every event of the .dat decoded: $(cat "$work/dat.import")"
events() { "$kvmrec" dump "$1" | grep -v '^#' | grep -v ' note import: '; }
diff -u <(events "$work/txt.zst") <(events "$work/dat.zst") || fail "the .dat and the seed text import differently"
"$kvmrec" replay "$work/dat.zst" --check-once >"$work/replay.out"; rc=$?
cat "$work/replay.out"
[ $rc = 1 ] || fail "replay --check-once of the seed .dat exited $rc, want 1"
grep -q "VIOLATION: vector 0x3e (62) on vCPU 0 delivered twice" "$work/replay.out" || fail "verdict does not name 62"
[ $fails = 0 ] && echo "PASS: the seed as a .dat: $n events as in the text, exit 1 naming 62" || exit 1
