#!/usr/bin/env bash
# Live ftrace text, imported: kvmrec-vmm runs the tpr guest under a private
# tracefs instance (mono clock, kvm events except kvm_emulate_insn, limited
# to this shell and its children); the raw `trace` text goes through
# `kvmrec import`, which must decode every kvm line, and `kvmrec replay
# --check-once`, which must not pass: this host never fires kvm_inj_virq,
# so the text cannot show the VMM's injections (exit 125, saying so).
# Usage: tracefs_import.sh KVMREC KVMREC_VMM TPR_ELF WORKDIR
set -u
kvmrec=$1 vmm=$2 guest=$3 work=$4
T=/sys/kernel/tracing
[ -e /dev/kvm ] || { echo "SKIP: no /dev/kvm"; exit 77; }
[ -w "$T/instances" ] || { echo "SKIP: tracefs instances not writable at $T"; exit 77; }
mkdir -p "$work"
inst="$T/instances/kvmrec-replay-test-$$"
mkdir "$inst" || { echo "SKIP: cannot create a tracefs instance"; exit 77; }
cleanup() { echo 0 >"$inst/tracing_on" 2>/dev/null; rmdir "$inst" 2>/dev/null; }
trap cleanup EXIT
echo mono >"$inst/trace_clock"
for e in kvm_userspace_exit kvm_eoi kvm_apic_accept_irq kvm_apic kvm_apic_ipi kvm_msr \
	 kvm_pio kvm_mmio kvm_inj_virq kvm_pic_set_irq kvm_msi_set_irq kvm_set_irq; do
	[ -e "$inst/events/kvm/$e/enable" ] && echo 1 >"$inst/events/kvm/$e/enable"
done
echo 1 >"$inst/options/event-fork"
echo $$ >"$inst/set_event_pid"
fail=0
for policy in qemu-2.7 fixed; do
	echo >"$inst/trace"
	echo 1 >"$inst/tracing_on"
	"$vmm" --policy "$policy" "$guest" >"$work/$policy.out" 2>&1
	vmm_rc=$?
	echo 0 >"$inst/tracing_on"
	# The guest fails its own check under qemu-2.7 (vector 62 twice), passes otherwise.
	want_rc=0; [ "$policy" = qemu-2.7 ] && want_rc=1
	if [ $vmm_rc != $want_rc ]; then
		echo "FAIL: $policy: kvmrec-vmm exited $vmm_rc, expected $want_rc:"; cat "$work/$policy.out"
		fail=1; continue
	fi
	cat "$inst/trace" >"$work/$policy.txt"
	"$kvmrec" import "$work/$policy.txt" -o "$work/$policy.zst" --force 2>"$work/$policy.import"
	cat "$work/$policy.import"
	grep -q " 0 kvm undecoded, 0 malformed" "$work/$policy.import" ||
		{ echo "FAIL: $policy: kvm lines not all decoded"; fail=1; }
	grep -c "kvm_apic_accept_irq" "$work/$policy.txt" | grep -qv '^0$' ||
		{ echo "FAIL: $policy: no kvm_apic_accept_irq in the capture"; fail=1; }
	"$kvmrec" replay "$work/$policy.zst" --check-once >"$work/$policy.replay"
	rc=$?
	cat "$work/$policy.replay"
	if [ $rc != 125 ] || ! grep -q "userspace injections are not in the trace" "$work/$policy.replay"; then
		echo "FAIL: $policy: expected exit 125 naming the missing injections, got $rc"
		fail=1
	fi
done
exit $fail
