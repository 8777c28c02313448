/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest: the tiny runtime every kvmrec guest links. A guest defines
 * guest_main(ncpus), run on vCPU 0 once the IDT is loaded and the LAPIC
 * enabled (SPIV 0x1ff, LVT0 ExtINT, LVT1 NMI); APs run guest_ap_main (default:
 * halt forever). Checks are reported with report(): one "PASS: ..." or
 * "FAIL: ..." line each on the serial port. When guest_main returns the
 * runtime prints "PASS" or "FAIL: M of N checks failed" and leaves through
 * the debug-exit port with 0 or 1. Never uses `int n` (fails on some KVM
 * backends) and only 32-bit APIC accesses.
 */
#ifndef KVMREC_GUEST_H
#define KVMREC_GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "guest_abi.h"

struct frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

typedef void (*irq_handler_t)(struct frame *f);

/* Provided by each guest. */
void guest_main(int ncpus);
void guest_ap_main(int cpu, int ncpus);	/* weak default: halt */

/* Port I/O. */
static inline void outb(uint16_t port, uint8_t v) { asm volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { asm volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void cli(void) { asm volatile("cli" ::: "memory"); }
static inline void sti(void) { asm volatile("sti" ::: "memory"); }
static inline void sti_nop_cli(void) { asm volatile("sti; nop; cli" ::: "memory"); }
static inline void safe_halt(void) { asm volatile("sti; hlt" ::: "memory"); }
static inline void pause(void) { asm volatile("pause" ::: "memory"); }
static inline void barrier(void) { asm volatile("" ::: "memory"); }

/* Test port: ask the VMM to drive an interrupt line. */
static inline void testdev_irq(int op, int chip, int line) { outl(GUEST_TESTDEV_IRQ_PORT, TESTDEV_CMD(op, chip, line)); }
static inline void sink_write(uint32_t v) { outl(GUEST_TESTDEV_SINK_PORT, v); }

/* LAPIC (xAPIC MMIO, always 32-bit accesses). */
#define APIC_ID		0x20
#define APIC_TPR	0x80
#define APIC_EOI	0xb0
#define APIC_SPIV	0xf0
#define APIC_ISR	0x100
#define APIC_IRR	0x200
#define APIC_ICR_LO	0x300
#define APIC_ICR_HI	0x310
#define APIC_LVT0	0x350
#define APIC_LVT1	0x360
#define APIC_ICR_BUSY	(1u << 12)
#define APIC_DM_FIXED	0x000
#define APIC_DM_NMI	0x400
#define APIC_DM_EXTINT	0x700
#define APIC_DEST_SELF	0x40000
#define APIC_DEST_ALL_BUT_SELF 0xc0000

static inline uint32_t apic_read(uint32_t reg) { return *(volatile uint32_t *)(uintptr_t)(GUEST_APIC_BASE + reg); }
static inline void apic_write(uint32_t reg, uint32_t v) { *(volatile uint32_t *)(uintptr_t)(GUEST_APIC_BASE + reg) = v; }
static inline void apic_eoi(void) { apic_write(APIC_EOI, 0); }
static inline void apic_set_tpr(uint32_t tpr) { apic_write(APIC_TPR, tpr); }
static inline uint32_t apic_id(void) { return apic_read(APIC_ID) >> 24; }
void apic_self_ipi(uint8_t vector);
void apic_send_ipi(uint32_t dest, uint32_t icr_lo);
bool apic_isr_test(uint8_t vector);
bool apic_irr_test(uint8_t vector);

/* IOAPIC (userspace, at GUEST_IOAPIC_BASE): redirection entries of pin N at 0x10 + 2N. */
#define RTE_REMOTE_IRR	(1u << 14)
#define RTE_LEVEL	(1u << 15)
#define RTE_MASKED	(1u << 16)
void ioapic_write(uint32_t reg, uint32_t v);
uint32_t ioapic_read(uint32_t reg);
/* Low word @lo (vector, trigger, mask), physical destination APIC ID @dest. */
void ioapic_set_rte(int pin, uint32_t lo, uint32_t dest);

/* IDT. */
void idt_set_handler(int vector, irq_handler_t h);

/* Serial console output (one VM exit per formatted line). */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vsnprintf(char *buf, unsigned long size, const char *fmt, va_list ap);

/* Checks. */
bool report(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void report_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void __attribute__((noreturn)) guest_exit(int status);
/* vCPU 0: wait until every AP has its IDT and LAPIC set up; false on timeout. */
bool guest_wait_for_aps(int ncpus);

/* A spinlock for output and counters shared between vCPUs. */
static inline void spin_lock(volatile int *l) { while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE)) pause(); }
static inline void spin_unlock(volatile int *l) { __atomic_store_n(l, 0, __ATOMIC_RELEASE); }

#endif
