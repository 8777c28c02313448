/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * loop: shared body of the pio-loop and mmio-loop benchmark guests. Every
 * vCPU performs N exits (N from --loops through the loops port, else
 * LOOP_DEFAULT); vCPU 0 waits for all and reports the total.
 */
#ifndef KVMREC_GUEST_LOOP_H
#define KVMREC_GUEST_LOOP_H

#include "guest.h"

#ifndef LOOP_DEFAULT
#define LOOP_DEFAULT 100000
#endif

static volatile int loop_done;
static volatile uint64_t loop_total;

static void loop_exit_once(uint32_t i);

static uint32_t loop_count(void)
{
	uint32_t n = inl(GUEST_TESTDEV_LOOPS_PORT);

	return n ? n : LOOP_DEFAULT;
}

static void loop_run(void)
{
	uint32_t n = loop_count();

	for (uint32_t i = 0; i < n; i++)
		loop_exit_once(i);
	__atomic_add_fetch(&loop_total, n, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&loop_done, 1, __ATOMIC_SEQ_CST);
}

void guest_ap_main(int cpu, int ncpus)
{
	(void)cpu;
	(void)ncpus;
	loop_run();
	for (;;)
		asm volatile("cli; hlt");
}

static void loop_main(const char *what, int ncpus)
{
	uint32_t n = loop_count();

	loop_run();
	while (__atomic_load_n(&loop_done, __ATOMIC_SEQ_CST) < ncpus)
		pause();
	report(loop_total == (uint64_t)n * ncpus, "%d vCPU(s) x %u %s = %lu exits",
	       ncpus, n, what, (unsigned long)loop_total);
}

#endif
