// SPDX-License-Identifier: GPL-2.0-only
/* mmio-loop: N 32-bit stores to the MMIO sink page per vCPU; one KVM_EXIT_MMIO each. */
#include "loop.h"

static void loop_exit_once(uint32_t i)
{
	*(volatile uint32_t *)(uintptr_t)GUEST_MMIO_SINK = i;
}

void guest_main(int ncpus)
{
	loop_main("MMIO writes", ncpus);
}
