#!/usr/bin/env bash
# The lost-interrupt pair, live: kvmrec records kvmrec-vmm running the lost
# guest under --policy stale-setlapic (the VMM writes a LAPIC page it read
# before the pulse back over the accepted vector) and under --policy fixed.
# The guest must say so itself (exit 4 / exit 0); replay --check-once must
# exit 1 naming vector 0x61 and the KVM_SET_LAPIC that erased it, and 0 on
# the fixed run; bisect must name the stale-setlapic knob, and find nothing
# to fix in the fixed run.
# Usage: live_lost.sh KVMREC KVMREC_VMM LOST_ELF WORKDIR
set -u
kvmrec=$1 vmm=$2 guest=$3 work=$4
[ -e /dev/kvm ] || { echo "SKIP: no /dev/kvm"; exit 77; }
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "SKIP: /dev/kvm not usable by $(id -un)"; exit 77; }
mkdir -p "$work"
rm -f "$work"/*.zst
fail=0
expect() { # expect WHAT FILE LINE...: every LINE (fixed string) is in FILE
	local what=$1 file=$2; shift 2
	for l in "$@"; do
		grep -qF -- "$l" "$file" || { echo "FAIL: $what: missing line: $l"; cat "$file"; fail=1; }
	done
}
for policy in stale-setlapic fixed; do
	t=$work/$policy.zst
	"$kvmrec" record --run-times -o "$t" -- "$vmm" --policy "$policy" "$guest" >"$work/$policy.out" 2>&1
	rc=$?
	want=0; [ $policy = stale-setlapic ] && want=4
	if [ $rc != $want ]; then
		echo "FAIL: record $policy: exit $rc (the guest's verdict), expected $want:"; cat "$work/$policy.out"
		fail=1; continue
	fi
	# Without kvm_apic_accept_irq in it the trace cannot show the request.
	if ! "$kvmrec" dump "$t" | grep -q '^# kernel_events_enabled:.*kvm_apic_accept_irq'; then
		echo "SKIP: kernel events were not recorded (tracefs not usable here)"
		exit 77
	fi
	"$kvmrec" replay "$t" --check-once >"$work/$policy.replay" 2>&1
	rc=$?
	"$kvmrec" bisect "$t" >"$work/$policy.bisect" 2>&1
	brc=$?
	if [ $policy = stale-setlapic ]; then
		expect "guest output" "$work/$policy.out" \
			"FAIL: vector 0x61 never delivered within 1000 exits (lost interrupt; IRR bit clear)"
		[ $rc = 1 ] || { echo "FAIL: replay --check-once $policy: exit $rc, expected 1"; fail=1; }
		expect "replay $policy" "$work/$policy.replay" \
			"model stale-setlapic (trace header: kvmrec-vmm --policy stale-setlapic): 0 divergences" \
			"check-once: VIOLATION: vector 0x61 (97) on vCPU 0 requested and never delivered (lost interrupt: erased by KVM_SET_LAPIC)" \
			"KVM_SET_LAPIC wrote back a page without 0x61 in IRR: the request was erased" \
			"verdict: FAIL"
		[ $brc = 1 ] || { echo "FAIL: bisect $policy: exit $brc, expected 1"; fail=1; }
		expect "bisect $policy" "$work/$policy.bisect" \
			"fix: do not write a LAPIC page read earlier back with KVM_SET_LAPIC while the vCPU runs (knob stale-setlapic: on -> off"
		if grep -q "also passes" "$work/$policy.bisect"; then
			echo "FAIL: bisect $policy: more than one fix:"; cat "$work/$policy.bisect"; fail=1
		fi
	else
		[ $rc = 0 ] || { echo "FAIL: replay --check-once $policy: exit $rc, expected 0"; cat "$work/$policy.replay"; fail=1; }
		expect "replay $policy" "$work/$policy.replay" "check-once: 1 requests, 1 deliveries, 0 violations" "verdict: PASS"
		[ $brc = 0 ] || { echo "FAIL: bisect $policy: exit $brc, expected 0"; fail=1; }
	fi
done
[ $fail = 0 ] && echo "lost-interrupt pair: stale-setlapic caught (1, bisect names the knob), fixed passes (0)"
exit $fail
