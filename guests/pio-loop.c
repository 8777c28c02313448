// SPDX-License-Identifier: GPL-2.0-only
/* pio-loop: N 32-bit OUTs to the sink port per vCPU; one KVM_EXIT_IO each. */
#include "loop.h"

static void loop_exit_once(uint32_t i)
{
	sink_write(i);
}

void guest_main(int ncpus)
{
	loop_main("port writes", ncpus);
}
