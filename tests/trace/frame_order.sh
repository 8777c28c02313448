#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Frames bound to their trace and their place (docs/trace.md): a multi-frame
# recording with two adjacent frames swapped (every pair), a frame dropped, a
# frame repeated, or another recording's frames spliced after it, is damage to
# every reading command - dump, stat, replay, diff, export, plot each exit 2
# with one line naming the file and the byte. The recording is made live
# (kvmrec-vmm, pio-loop guest) when /dev/kvm works, else written with the
# synthetic writer in small frames.
# Usage: frame_order.sh KVMREC FRAME_LIST GEN_TRACE [KVMREC_VMM PIO_ELF]
set -u
kvmrec=$1 frame_list=$2 gen=$3 vmm=${4:-} pio=${5:-}
t=$(mktemp -d /tmp/kvmrec-frame-order.XXXXXX)
trap 'rm -rf "$t"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

if [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -x "$vmm" ] && [ -f "$pio" ] &&
	"$kvmrec" record -o "$t/a.zst" -- "$vmm" --loops 12000 "$pio" >"$t/rec.log" 2>&1 &&
	"$kvmrec" record -o "$t/b.zst" -- "$vmm" --loops 3000 "$pio" >>"$t/rec.log" 2>&1; then
	echo "recorded pio-loop live"
else
	rm -f "$t/a.zst" "$t/b.zst"
	"$gen" "$t/a.zst" 3000 200 1 && "$gen" "$t/b.zst" 1000 200 2 || { echo "FAIL: gen_trace"; exit 1; }
	echo "no usable /dev/kvm: synthetic traces in small frames"
fi
"$frame_list" "$t/a.zst" >"$t/a.frames" && "$frame_list" "$t/b.zst" >"$t/b.frames" ||
	{ echo "FAIL: frame_list"; exit 1; }
n=$(wc -l <"$t/a.frames")
[ "$n" -ge 4 ] || { echo "FAIL: the recording has only $n frames"; exit 1; }

# Every command on the intact trace: no damage reported.
"$kvmrec" dump "$t/a.zst" >/dev/null 2>"$t/err" || fail "dump of the intact trace: $(cat "$t/err")"

# variants: swap-I for every adjacent pair, drop, repeat, splice.
python3 - "$t" "$n" <<'PY' || { echo "FAIL: cannot build the variants"; exit 1; }
import sys
t, n = sys.argv[1], int(sys.argv[2])
def frames(name):
    data = open(f"{t}/{name}.zst", "rb").read()
    return [data[o:o + s] for o, s in (map(int, l.split()) for l in open(f"{t}/{name}.frames"))]
a, b = frames("a"), frames("b")
def put(name, parts):
    open(f"{t}/v-{name}.zst", "wb").write(b"".join(parts))
for i in range(n - 1):
    p = list(a)
    p[i], p[i + 1] = p[i + 1], p[i]
    put(f"swap-{i}", p)
m = n // 2
put("drop", a[:m] + a[m + 1:])
put("repeat", a[:m + 1] + a[m:])
put("splice", a[:-1] + b[1:])           # a without its footer frame, then b's frames
put("splice-whole", a[:-1] + b)         # ... then all of b, magic and header included
PY

cmds=(dump stat replay diff diff-rev export plot)
run() {   # run CMD FILE
	case $1 in
	dump)    "$kvmrec" dump "$2" ;;
	stat)    "$kvmrec" stat "$2" ;;
	replay)  "$kvmrec" replay "$2" --check-once ;;
	diff)    "$kvmrec" diff "$2" "$t/a.zst" ;;
	diff-rev) "$kvmrec" diff "$t/a.zst" "$2" ;;
	export)  "$kvmrec" export --format chrome-json "$2" -o "$t/out.json" ;;
	plot)    "$kvmrec" plot "$2" -o "$t/out.svg" ;;
	esac
}
checked=0
for v in "$t"/v-*.zst; do
	for c in "${cmds[@]}"; do
		run "$c" "$v" >/dev/null 2>"$t/err"
		rc=$?
		checked=$((checked + 1))
		if [ $rc != 2 ]; then
			fail "$c on $(basename "$v"): exit $rc, want 2: $(head -c 300 "$t/err")"
		elif [ "$(wc -l <"$t/err")" != 1 ] || ! grep -qF "$v: " "$t/err" || ! grep -q "byte [0-9]" "$t/err"; then
			# The header frame swapped away leaves no trace at all: that line names no byte.
			grep -q "not a kvmrec trace" "$t/err" && grep -qF "$v: " "$t/err" && [ "$(wc -l <"$t/err")" = 1 ] ||
				fail "$c on $(basename "$v"): not one line naming the file and the byte: $(cat "$t/err")"
		fi
	done
done
[ "$fails" = 0 ] || exit 1
echo "frame_order: $((n - 1)) adjacent swaps of a $n-frame trace, a drop, a repeat and two splices: exit 2 from ${#cmds[@]} commands ($checked runs)"
