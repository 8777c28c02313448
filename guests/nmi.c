// SPDX-License-Identifier: GPL-2.0-only
/*
 * nmi: NMIs arrive with interrupts disabled and run their handler exactly
 * once each: a self-NMI through the ICR (delivered by the kernel LAPIC), an
 * NMI the VMM injects with KVM_NMI on the guest's request, and with several
 * vCPUs an NMI IPI to APIC 1 and a KVM_NMI aimed at vCPU 1.
 */
#include "guest.h"

static volatile int nmis[GUEST_MAX_VCPUS];

static void nmi_handler(struct frame *f)
{
	(void)f;
	__atomic_add_fetch(&nmis[apic_id() & 7], 1, __ATOMIC_SEQ_CST);
}

static void settle(volatile int *what, int want)
{
	for (int i = 0; i < 100000 && *what < want; i++)
		sink_write(i);
}

void guest_ap_main(int cpu, int ncpus)
{
	(void)cpu;
	(void)ncpus;
	for (;;)
		asm volatile("cli; hlt");	/* NMIs still wake a halted CPU */
}

void guest_main(int ncpus)
{
	idt_set_handler(2, nmi_handler);
	cli();

	apic_send_ipi(0, APIC_DM_NMI);
	settle(&nmis[0], 1);
	report(nmis[0] == 1, "self-NMI through the ICR ran once with IF=0 (%d)", nmis[0]);

	testdev_irq(TESTDEV_OP_NMI, 0, 0);
	settle(&nmis[0], 2);
	report(nmis[0] == 2, "KVM_NMI from the VMM ran once with IF=0 (%d)", nmis[0] - 1);

	for (int i = 0; i < 100; i++)
		sink_write(i);
	report(nmis[0] == 2, "no NMI ran a second time (%d total)", nmis[0]);

	if (ncpus > 1) {
		report(guest_wait_for_aps(ncpus), "%d APs online", ncpus - 1);
		apic_send_ipi(1, APIC_DM_NMI);
		settle(&nmis[1], 1);
		report(nmis[1] == 1, "NMI IPI to APIC 1 ran there once (%d)", nmis[1]);
		testdev_irq(TESTDEV_OP_NMI, 0, 1);
		settle(&nmis[1], 2);
		report(nmis[1] == 2, "KVM_NMI to vCPU 1 ran there once (%d)", nmis[1] - 1);
	}
}
