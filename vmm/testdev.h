/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * testdev: the guest's side channel to the VMM (ports in guest_abi.h).
 * Debug exit (0xf4): the byte written becomes kvmrec-vmm's exit status.
 * IRQ port (0xe0): TESTDEV_CMD(op, chip, line) raises, lowers or pulses a PIC
 * line or IOAPIC pin, or queues an NMI for a vCPU. Loops port (0xe4): reads
 * the --loops value. Sinks (port 0xe8, MMIO page 0xd0000000): exits that do
 * nothing, for benchmarks. The caller holds the device lock; functions return
 * 0 or a negative errno from the device they drove.
 */
#ifndef KVMREC_VMM_TESTDEV_H
#define KVMREC_VMM_TESTDEV_H

#include <stdbool.h>
#include <stdint.h>

struct vmm;
struct vmm_vcpu;

bool testdev_ioport_match(uint16_t port);
int testdev_ioport_write(struct vmm *m, struct vmm_vcpu *v, uint16_t port, uint32_t val);
uint32_t testdev_ioport_read(struct vmm *m, uint16_t port);
bool testdev_mmio_match(uint64_t addr);
void testdev_mmio_access(struct vmm *m, uint8_t *data, uint32_t len, bool is_write);

#endif
