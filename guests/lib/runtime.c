// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest runtime: per-vCPU start-up, the IDT and interrupt dispatch, check
 * reporting and the final verdict through the debug-exit port.
 */
#include "guest.h"

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
} __attribute__((packed));

extern char isr_stubs[];
static struct idt_gate idt[256] __attribute__((aligned(16)));
static irq_handler_t handlers[256];
static volatile int idt_ready;
static volatile int aps_online;
static volatile int nr_checks, nr_failed;
static volatile int report_lock;

void idt_set_handler(int vector, irq_handler_t h)
{
	handlers[vector & 0xff] = h;
}

static void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) d = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	asm volatile("lidt %0" :: "m"(d));
}

static void idt_init(void)
{
	for (int i = 0; i < 256; i++) {
		uint64_t a = (uint64_t)(uintptr_t)(isr_stubs + 16 * i);

		idt[i] = (struct idt_gate){
			.off_lo = a & 0xffff, .sel = GUEST_CS, .type = 0x8e,	/* interrupt gate */
			.off_mid = (a >> 16) & 0xffff, .off_hi = a >> 32,
		};
	}
	idt_load();
}

void isr_dispatch(struct frame *f)
{
	irq_handler_t h = handlers[f->vector & 0xff];

	if (h) {
		h(f);
		return;
	}
	if (f->vector < 32) {
		report(false, "unexpected exception %lu (error 0x%lx) at RIP 0x%lx",
		       f->vector, f->error, f->rip);
		guest_exit(GUEST_EXIT_FAIL);
	}
	report(false, "unexpected interrupt vector %lu on APIC %u", f->vector, apic_id());
	if (apic_isr_test(f->vector))
		apic_eoi();
}

static void apic_init(bool bsp)
{
	apic_write(APIC_SPIV, 0x1ff);
	if (bsp) {
		apic_write(APIC_LVT0, APIC_DM_EXTINT);	/* PIC through LINT0 */
		apic_write(APIC_LVT1, APIC_DM_NMI);
	}
}

__attribute__((weak)) void guest_ap_main(int cpu, int ncpus)
{
	(void)cpu;
	(void)ncpus;
	for (;;)
		asm volatile("cli; hlt");
}

bool guest_wait_for_aps(int ncpus)
{
	/* Exits, not a bare spin: some backends only run other vCPUs at exits. */
	for (uint32_t i = 0; i < 1000000; i++) {
		if (__atomic_load_n(&aps_online, __ATOMIC_SEQ_CST) >= ncpus - 1)
			return true;
		sink_write(i);
	}
	return false;
}

void __attribute__((noreturn)) guest_exit(int status)
{
	for (;;)
		outb(GUEST_DEBUG_EXIT_PORT, status);
}

bool report(bool ok, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	spin_lock(&report_lock);
	nr_checks++;
	if (!ok)
		nr_failed++;
	spin_unlock(&report_lock);
	printf("%s: %s\n", ok ? "PASS" : "FAIL", msg);
	return ok;
}

void report_info(const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("info: %s\n", msg);
}

void __attribute__((noreturn)) guest_start(int cpu, int ncpus)
{
	if (cpu == 0) {
		idt_init();
		apic_init(true);
		__atomic_store_n(&idt_ready, 1, __ATOMIC_RELEASE);
		guest_main(ncpus);
		cli();
		if (nr_failed == 0 && nr_checks > 0) {
			printf("PASS\n");
			guest_exit(GUEST_EXIT_PASS);
		}
		printf("FAIL: %d of %d checks failed\n", nr_failed, nr_checks);
		guest_exit(GUEST_EXIT_FAIL);
	}
	while (!__atomic_load_n(&idt_ready, __ATOMIC_ACQUIRE))
		pause();
	idt_load();
	apic_init(false);
	__atomic_add_fetch(&aps_online, 1, __ATOMIC_SEQ_CST);
	guest_ap_main(cpu, ncpus);
	for (;;)
		asm volatile("cli; hlt");
}
