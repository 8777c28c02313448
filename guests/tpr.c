// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpr: the 2016 seed scenario (kvm-unit-tests eventinj "TPR" under QEMU 2.7
 * with kernel_irqchip=split). Two self-IPIs are queued while the TPR masks
 * them; the TPR is lowered with interrupts off, then they are let in. Each
 * handler must run exactly once. The TPR writes make the VMM sync its
 * userspace LAPIC copy (KVM_EXIT_TPR_ACCESS + KVM_GET_LAPIC) while both
 * vectors are still pending, so a VMM that injects from that copy
 * (--policy qemu-2.7) delivers one of them a second time.
 */
#include "guest.h"

#define VEC_LOW		32
#define VEC_HIGH	62
#define LOOP_WRITES	1000

static volatile int runs[256];

static void count_and_eoi(struct frame *f)
{
	runs[f->vector]++;
	apic_eoi();
}

void guest_main(int ncpus)
{
	(void)ncpus;
	idt_set_handler(VEC_LOW, count_and_eoi);
	idt_set_handler(VEC_HIGH, count_and_eoi);

	report_info("sending vectors %d and %d with TPR 0xf0 masking both", VEC_LOW, VEC_HIGH);
	apic_set_tpr(0xf0);
	cli();
	apic_self_ipi(VEC_LOW);
	apic_self_ipi(VEC_HIGH);
	sink_write(0);
	sti_nop_cli();
	apic_set_tpr(0);
	sink_write(1);
	sink_write(2);
	sink_write(3);
	sti();
	for (int i = 0; i < LOOP_WRITES; i++)
		sink_write(i);
	cli();

	for (int v = 0; v < 256; v++) {
		if (v == VEC_LOW || v == VEC_HIGH) {
			if (runs[v] == 1)
				report(true, "vector %d handler ran once", v);
			else
				report(false, "vector %d handler ran %d times (expected exactly once)",
				       v, runs[v]);
		}
	}
}
