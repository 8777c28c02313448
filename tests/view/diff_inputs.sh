#!/usr/bin/env bash
# diff on real recordings: two runs of kvm-unit-tests x86/smptest.flat under
# QEMU 7.2 (kernel irqchip, kvmvapic off) read different RTC values (IN port
# 0x71) and are otherwise the same; diff lists those reads as input
# differences, compares the whole streams, and --inputs decides the exit.
# The qemu-2.7 and fixed tpr runs still differ at the extra KVM_INTERRUPT.
# Usage: diff_inputs.sh KVMREC CORPUS WORKDIR
set -u
kvmrec=$1 corpus=$2 t=$3
mkdir -p "$t"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
a=$corpus/qemu72-kut-smptest-run1.zst b=$corpus/qemu72-kut-smptest-run2.zst
for m in fail report ignore; do
	"$kvmrec" diff "$a" "$b" --inputs $m >"$t/$m.out"; rc=$?
	want=0; [ $m = fail ] && want=1
	[ $rc = $want ] || fail "--inputs $m: exit $rc, want $want: $(cat "$t/$m.out")"
	grep -q "^vCPU 0: .*4 input differences" "$t/$m.out" || fail "--inputs $m: 4 input differences not counted"
	grep -q "^summary: 0 divergent regions, 4 input differences .*no divergence" "$t/$m.out" ||
		fail "--inputs $m: no summary line"
done
n=$(grep -c '^  ! #.* exit IO in port 0x71 size 1 data' "$t/fail.out")
[ "$n" = 8 ] || fail "--inputs fail lists $n lines of RTC reads, want 8 (4 pairs)"
[ "$(grep -c '^  ! ' "$t/ignore.out")" = 0 ] || fail "--inputs ignore still lists inputs"
grep -q "^vCPU 0: same but for 4 input differences (1596 events)" "$t/fail.out" ||
	fail "vCPU 0 not compared to its end"
"$kvmrec" diff "$corpus/vmm-tpr-qemu27.zst" "$corpus/vmm-tpr-fixed.zst" --inputs ignore >"$t/tpr.out"; rc=$?
[ $rc = 1 ] || fail "qemu-2.7 vs fixed tpr: exit $rc, want 1"
awk '/^  - #/ { print; exit }' "$t/tpr.out" | grep -q "KVM_INTERRUPT vector 62" ||
	fail "qemu-2.7 vs fixed tpr: the first region is not the extra KVM_INTERRUPT"
grep -q "first divergence: vCPU 0 event #73 (A seq 273, B seq 280)" "$t/tpr.out" ||
	fail "qemu-2.7 vs fixed tpr: summary does not name event #73"
[ $fails = 0 ] && echo "PASS: diff input differences on real QEMU recordings" || exit 1
