#!/usr/bin/env bash
# A live trace-cmd .dat, imported: two kvmrec-vmm tpr runs pinned to
# different host CPUs, their kvm events split over two tracefs instances
# (exits and port I/O in one, the APIC's in the other), saved with
# `trace-cmd extract -B A -B B`. `trace-cmd record` cannot enable ftrace on
# this host; instances can. The .dat must import to the same records as its
# `trace-cmd report -t` text (dat_vs_report.sh), holding events from both
# instances.
# Usage: tracefs_dat.sh KVMREC KVMREC_VMM TPR_ELF WORKDIR
set -u
kvmrec=$1 vmm=$2 guest=$3 work=$4
here=$(dirname "$0")
T=/sys/kernel/tracing
[ -e /dev/kvm ] || { echo "SKIP: no /dev/kvm"; exit 77; }
[ -w "$T/instances" ] || { echo "SKIP: tracefs instances not writable at $T"; exit 77; }
command -v trace-cmd >/dev/null || { echo "SKIP: trace-cmd not installed"; exit 77; }
mkdir -p "$work"
a=kvmrec-dat-a-$$ b=kvmrec-dat-b-$$
cleanup() {
	for i in $a $b; do
		echo 0 >"$T/instances/$i/tracing_on" 2>/dev/null
		rmdir "$T/instances/$i" 2>/dev/null
	done
}
trap cleanup EXIT
setup() {
	local inst=$T/instances/$1; shift
	mkdir "$inst" || { echo "SKIP: cannot create a tracefs instance"; exit 77; }
	echo mono >"$inst/trace_clock"
	for e in "$@"; do
		[ -e "$inst/events/kvm/$e/enable" ] && echo 1 >"$inst/events/kvm/$e/enable"
	done
	echo 1 >"$inst/options/event-fork"
	echo $$ >"$inst/set_event_pid"
	echo 1 >"$inst/tracing_on"
}
setup $a kvm_userspace_exit kvm_pio kvm_mmio kvm_msr kvm_entry kvm_exit
setup $b kvm_eoi kvm_apic_accept_irq kvm_apic kvm_apic_ipi kvm_inj_virq kvm_msi_set_irq
last=$(($(nproc) - 1))
taskset -c 0 "$vmm" --policy fixed "$guest" >"$work/vmm0.out" 2>&1 &
p0=$!
taskset -c "$last" "$vmm" --policy fixed "$guest" >"$work/vmm1.out" 2>&1 &
p1=$!
wait $p0; r0=$?; wait $p1; r1=$?
for i in $a $b; do echo 0 >"$T/instances/$i/tracing_on"; done
[ $r0 = 0 ] && [ $r1 = 0 ] || { cat "$work"/vmm*.out; echo "FAIL: kvmrec-vmm exited $r0/$r1"; exit 1; }
rm -f "$work/live.dat"
trace-cmd extract -B $a -B $b -o "$work/live.dat" >"$work/extract.out" 2>&1 ||
	{ cat "$work/extract.out"; echo "FAIL: trace-cmd extract"; exit 1; }
"$here/dat_vs_report.sh" "$kvmrec" "$work/live.dat" "$work/cmp" || exit 1
d=$work/cmp/live.dat.dump
fail=0
grep -q ' kevent kvm_pio ' "$d" || { echo "FAIL: no kvm_pio (instance $a)"; fail=1; }
grep -q ' kevent kvm_apic_accept_irq ' "$d" || { echo "FAIL: no kvm_apic_accept_irq (instance $b)"; fail=1; }
if [ "$last" -gt 0 ]; then
	cpus=$(grep -o ' cpu=[0-9]*$' "$d" | sort -u | wc -l)
	[ "$cpus" -ge 2 ] || { echo "FAIL: events from $cpus host CPU buffer(s), expected 2"; fail=1; }
fi
grep "import" "$work/cmp/live.dat.import"
exit $fail
