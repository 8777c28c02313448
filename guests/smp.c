// SPDX-License-Identifier: GPL-2.0-only
/*
 * smp: fixed IPIs among all vCPUs through the kernel LAPICs. vCPU 0 pings
 * each AP ROUNDS times and each AP answers every ping with an IPI back; then
 * one all-but-self broadcast. Every IPI must run its handler exactly once.
 * With one vCPU only a self-IPI is checked.
 */
#include "guest.h"

#define VEC_PING	0x40
#define VEC_PONG	0x41
#define VEC_BCAST	0x42
#define ROUNDS		50

static volatile int pings[GUEST_MAX_VCPUS], bcasts[GUEST_MAX_VCPUS];
static volatile int pongs, ready;

static void ping(struct frame *f)
{
	uint32_t id = apic_id();

	(void)f;
	pings[id & 7]++;
	apic_eoi();
	if (id != 0)
		apic_send_ipi(0, VEC_PONG);
}

static void pong(struct frame *f)
{
	(void)f;
	pongs++;
	apic_eoi();
}

static void bcast(struct frame *f)
{
	(void)f;
	bcasts[apic_id() & 7]++;
	apic_eoi();
}

void guest_ap_main(int cpu, int ncpus)
{
	(void)cpu;
	(void)ncpus;
	__atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
	for (;;)
		safe_halt();
}

static bool wait_for(volatile int *v, int want)
{
	for (int i = 0; i < 200000 && *v < want; i++)
		sink_write(i);
	return *v >= want;
}

void guest_main(int ncpus)
{
	idt_set_handler(VEC_PING, ping);
	idt_set_handler(VEC_PONG, pong);
	idt_set_handler(VEC_BCAST, bcast);

	if (ncpus == 1) {
		sti();
		apic_self_ipi(VEC_PING);
		wait_for(&pings[0], 1);
		cli();
		report(pings[0] == 1, "one vCPU: self-IPI ran once (%d)", pings[0]);
		return;
	}
	{
		/* Argument order is unspecified: wait before reading the count. */
		bool up = guest_wait_for_aps(ncpus) && wait_for(&ready, ncpus - 1);

		report(up, "%d APs up", ready);
	}
	sti();
	for (int r = 0; r < ROUNDS; r++) {
		for (int ap = 1; ap < ncpus; ap++) {
			int want = pongs + 1;

			apic_send_ipi(ap, VEC_PING);
			wait_for(&pongs, want);
		}
	}
	apic_send_ipi(0, APIC_DEST_ALL_BUT_SELF | VEC_BCAST);
	for (int ap = 1; ap < ncpus; ap++)
		wait_for(&bcasts[ap], 1);
	for (int i = 0; i < 1000; i++)
		sink_write(i);
	cli();

	for (int ap = 1; ap < ncpus; ap++)
		report(pings[ap] == ROUNDS && bcasts[ap] == 1,
		       "APIC %d: %d pings (want %d), %d broadcasts (want 1)",
		       ap, pings[ap], ROUNDS, bcasts[ap]);
	report(pongs == ROUNDS * (ncpus - 1), "vCPU 0: %d answers (want %d)", pongs, ROUNDS * (ncpus - 1));
	report(pings[0] == 0 && bcasts[0] == 0, "no IPI reached vCPU 0 by mistake");
}
