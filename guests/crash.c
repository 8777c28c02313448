// SPDX-License-Identifier: GPL-2.0-only
/*
 * crash: a guest that dies, for kvmrec-vmm's error path. It loads an empty
 * IDT and then, with --loops 0, executes ud2: #UD -> #GP -> #DF -> triple
 * fault (KVM_EXIT_SHUTDOWN); with --loops 1 it executes `int $0x80`, which
 * is the same triple fault on hardware KVM and an emulation error on kvm-pvm.
 * Either way kvmrec-vmm must name RIP and the exit reason and exit 3.
 * Never prints PASS.
 */
#include "guest.h"

void guest_main(int ncpus)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) empty = { 0, 0 };

	(void)ncpus;
	if (inl(GUEST_TESTDEV_LOOPS_PORT) == 1) {
		report_info("loading an empty IDT and executing int $0x80");
		asm volatile("lidt %0; int $0x80" :: "m"(empty));
	} else {
		report_info("loading an empty IDT and executing ud2");
		asm volatile("lidt %0; ud2" :: "m"(empty));
	}
	report(false, "still running after the fault");
}
