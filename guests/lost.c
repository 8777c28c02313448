// SPDX-License-Identifier: GPL-2.0-only
/*
 * lost: one edge interrupt must arrive. The guest routes IOAPIC pin 5 to
 * itself as vector 0x61 and has the VMM pulse the pin through the test port
 * with interrupts enabled; the kernel LAPIC accepts the vector into IRR
 * while the VMM is still handling that port write. A VMM that read the
 * LAPIC when the write began and writes that page back with KVM_SET_LAPIC
 * before re-entering (--policy stale-setlapic) wipes the IRR bit: the
 * handler never runs. The guest waits a bounded number of exits, then says
 * so and leaves with GUEST_EXIT_LOST_IRQ.
 */
#include "guest.h"

#define VEC		0x61
#define PIN		5
#define WAIT_EXITS	1000

static volatile int runs;

static void count_and_eoi(struct frame *f)
{
	(void)f;
	runs++;
	apic_eoi();
}

void guest_main(int ncpus)
{
	int waited = 0;

	(void)ncpus;
	idt_set_handler(VEC, count_and_eoi);
	ioapic_set_rte(PIN, VEC, 0);

	report_info("pulsing IOAPIC pin %d (vector 0x%x) with interrupts enabled", PIN, VEC);
	sti();
	testdev_irq(TESTDEV_OP_PULSE, TESTDEV_CHIP_IOAPIC, PIN);
	while (!runs && waited < WAIT_EXITS)
		sink_write(waited++);
	/* A few more exits: a second delivery would show here. */
	for (int i = 0; i < 8; i++)
		sink_write(i);
	cli();

	if (runs == 0) {
		report(false, "vector 0x%x never delivered within %d exits (lost interrupt; IRR bit %s)",
		       VEC, WAIT_EXITS, apic_irr_test(VEC) ? "still set" : "clear");
		printf("FAIL: lost interrupt\n");
		guest_exit(GUEST_EXIT_LOST_IRQ);
	}
	report(runs == 1, "vector 0x%x handler ran %s", VEC, runs == 1 ? "once" : "more than once");
}
