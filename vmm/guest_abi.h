/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_abi: the contract between kvmrec-vmm and the guests it runs. Pure
 * constants, included by the VMM and by freestanding guest code alike.
 *
 * Entry: every vCPU starts at the ELF entry point, already in 64-bit long
 * mode (identity-mapped 2 MiB pages over the low 4 GiB, CS = GUEST_CS, data
 * segments = GUEST_DS, IF clear, no IDT), with RDI = vCPU index (equal to
 * its APIC ID) and RSI = number of vCPUs. The guest sets its own stack and IDT.
 */
#ifndef KVMREC_GUEST_ABI_H
#define KVMREC_GUEST_ABI_H

#define GUEST_MEM_SIZE		(64u << 20)	/* RAM at guest-physical 0 */
#define GUEST_LOAD_MIN		0x100000u	/* ELF segments must start here or above */
#define GUEST_CS		0x08
#define GUEST_DS		0x10
#define GUEST_MAX_VCPUS		8

#define GUEST_APIC_BASE		0xfee00000u	/* in-kernel LAPIC (split irqchip) */
#define GUEST_IOAPIC_BASE	0xfec00000u	/* userspace IOAPIC, 24 pins */
#define GUEST_IOAPIC_PINS	24

/* 16550-style serial console, transmit only: bytes written to 0x3f8 go to stdout. */
#define GUEST_SERIAL_PORT	0x3f8
/* Debug exit: an 8-bit write of V ends kvmrec-vmm with exit status V. */
#define GUEST_DEBUG_EXIT_PORT	0xf4
/* Interrupt test port: a 32-bit write of TESTDEV_CMD(op, chip, line). */
#define GUEST_TESTDEV_IRQ_PORT	0xe0
/* Loop count: a 32-bit read returns kvmrec-vmm's --loops value (0 if unset). */
#define GUEST_TESTDEV_LOOPS_PORT 0xe4
/* Sink: writes of any size are counted and otherwise ignored (pio-loop). */
#define GUEST_TESTDEV_SINK_PORT	0xe8
/* MMIO sink page: 32-bit writes are counted and ignored, reads return 0 (mmio-loop). */
#define GUEST_MMIO_SINK		0xd0000000u

#define TESTDEV_OP_LOWER	0	/* deassert the line */
#define TESTDEV_OP_RAISE	1	/* assert the line (stays asserted) */
#define TESTDEV_OP_PULSE	2	/* assert then deassert: one edge */
#define TESTDEV_OP_NMI		3	/* KVM_NMI to vCPU `line` (chip ignored) */
#define TESTDEV_CHIP_PIC	0	/* line 0-15 of the dual 8259 */
#define TESTDEV_CHIP_IOAPIC	1	/* IOAPIC pin 0-23 */
#define TESTDEV_CMD(op, chip, line) \
	((((op) & 0xffu) << 16) | (((chip) & 0xffu) << 8) | ((line) & 0xffu))

/* Exit statuses guests use through the debug-exit port. */
#define GUEST_EXIT_PASS		0
#define GUEST_EXIT_FAIL		1
/* An interrupt the guest had requested never arrived (guests/lost.c). */
#define GUEST_EXIT_LOST_IRQ	4

#endif
