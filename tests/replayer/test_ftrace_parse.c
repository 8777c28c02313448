// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftrace text in the shapes people paste: raw tracefs (with and without
 * latency flags and tgid), trace-cmd report, 2016 and current event
 * formats; and lines that are not events.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ftrace_parse.h"

static void test_line_shapes(void **state)
{
	struct ftrace_line l;

	(void)state;
	assert_int_equal(ftrace_line_parse(
		"qemu-system-x86-22794 [001] d..2 34591.708476: kvm_entry: vcpu 0", &l), 1);
	assert_int_equal(l.pid, 22794);
	assert_int_equal(l.cpu, 1);
	assert_int_equal(l.ts_ns, 34591708476000ull);
	assert_string_equal(l.event, "kvm_entry");
	assert_string_equal(l.fields, "vcpu 0");
	/* Current tracefs: 5 latency flags, tgid column, ns timestamps. */
	assert_int_equal(ftrace_line_parse(
		" CPU 0/KVM-1810 (   1800) [000] ..... 1066.255762123: kvm_apic_accept_irq: apicid 0 vec 32 (Fixed|edge)",
		&l), 1);
	assert_int_equal(l.pid, 1810);
	assert_int_equal(l.ts_ns, 1066255762123ull);
	/* trace-cmd report: no flags column, "kvm:" system prefix allowed. */
	assert_int_equal(ftrace_line_parse(
		"   qemu-kvm-4242  [003]  1234.000001: kvm:kvm_inj_virq:        IRQ 0x3e", &l), 1);
	assert_string_equal(l.event, "kvm_inj_virq");
	assert_int_equal(ftrace_line_parse("# tracer: nop", &l), 0);
	assert_int_equal(ftrace_line_parse("MSR_WRITE rip 0x401f33 info 0 0", &l), 0);
	assert_int_equal(ftrace_line_parse("CPU 0 is empty", &l), 0);
	assert_int_equal(ftrace_line_parse("", &l), 0);
}

/* A parsed field by name; INT64_MIN when the event has none. */
static int64_t field(const struct ftrace_kev *k, enum kev_field f)
{
	return kevent_args_get(k->id, k->args, k->nargs, f, INT64_MIN);
}

static void test_kvm_exit_old_and_new(void **state)
{
	struct ftrace_kev k;

	(void)state;
	assert_int_equal(ftrace_kevent_parse("kvm_exit",
		"reason IO_INSTRUCTION rip 0x4016ec info 3fd0008 0", &k), 0);
	assert_int_equal(field(&k, KEV_F_EXIT_REASON), 30);
	assert_int_equal(field(&k, KEV_F_GUEST_RIP), 0x4016ec);
	assert_int_equal(field(&k, KEV_F_INFO1), 0x3fd0008);
	assert_string_equal(k.exit_name, "IO_INSTRUCTION");
	assert_int_equal(ftrace_kevent_parse("kvm_exit",
		"vcpu 1 reason EXTERNAL_INTERRUPT rip 0xffffffff81000000 info1 0x0000000000000000 "
		"info2 0x0000000000000000 intr_info 0x800000ec error_code 0x00000000", &k), 0);
	assert_int_equal(k.vcpu, 1);
	assert_int_equal(field(&k, KEV_F_EXIT_REASON), 1);
	assert_int_equal(field(&k, KEV_F_INTR_INFO), 0x800000ec);
	assert_int_equal(ftrace_kevent_parse("kvm_exit", "reason vintr rip 0x10 info 0 0", &k), 0);
	assert_int_equal(field(&k, KEV_F_EXIT_REASON), 0x64);
	assert_int_equal(field(&k, KEV_F_ISA), 2);		/* SVM */
}

static void test_inj_virq_decimal_and_hex(void **state)
{
	struct ftrace_kev k;

	(void)state;
	assert_int_equal(ftrace_kevent_parse("kvm_inj_virq", "irq 62", &k), 0);
	assert_int_equal(field(&k, KEV_F_IRQ), 62);
	assert_int_equal(ftrace_kevent_parse("kvm_inj_virq", "IRQ 0x3e", &k), 0);
	assert_int_equal(field(&k, KEV_F_IRQ), 62);
	assert_int_equal(ftrace_kevent_parse("kvm_inj_virq", "IRQ 0x20 [reinjected]", &k), 0);
	assert_int_equal(field(&k, KEV_F_REINJECTED), 1);
	assert_int_equal(ftrace_kevent_parse("kvm_inj_virq", "Soft/INTn 0x80", &k), 0);
	assert_int_equal(field(&k, KEV_F_SOFT), 1);
}

static void test_apic_events(void **state)
{
	struct ftrace_kev k;

	(void)state;
	assert_int_equal(ftrace_kevent_parse("kvm_eoi", "apicid 0 vector 62", &k), 0);
	assert_int_equal(field(&k, KEV_F_VECTOR), 62);
	assert_int_equal(ftrace_kevent_parse("kvm_eoi", "apicid 0 vector -1", &k), 0);
	assert_int_equal(field(&k, KEV_F_VECTOR), -1);
	assert_int_equal(ftrace_kevent_parse("kvm_apic", "apic_write APIC_EOI = 0x0", &k), 0);
	assert_int_equal(field(&k, KEV_F_RW), 1);
	assert_int_equal(field(&k, KEV_F_REG), 0xb0);
	assert_int_equal(ftrace_kevent_parse("kvm_apic", "apic_write APIC_TASKPRI = 0xf0", &k), 0);
	assert_int_equal(field(&k, KEV_F_REG), 0x80);
	assert_int_equal(field(&k, KEV_F_VAL), 0xf0);
	assert_int_equal(ftrace_kevent_parse("kvm_apic_accept_irq",
		"apicid 1 vec 33 (LowPrio|level) (coalesced)", &k), 0);
	assert_int_equal(field(&k, KEV_F_APICID), 1);
	assert_int_equal(field(&k, KEV_F_DM), 0x100);
	assert_int_equal(field(&k, KEV_F_TM), 1);
	assert_int_equal(field(&k, KEV_F_VEC), 33);
	assert_int_equal(field(&k, KEV_F_COALESCED), 1);
	assert_int_equal(ftrace_kevent_parse("kvm_apic_ipi",
		"dst 0 vec 62 (Fixed|physical|assert|edge|self)", &k), 0);
	assert_int_equal(field(&k, KEV_F_ICR_LOW), 0x4403e);
	assert_int_equal(ftrace_kevent_parse("kvm_msr", "msr_write 80b = 0x0", &k), 0);
	assert_int_equal(field(&k, KEV_F_ECX), 0x80b);
	assert_int_equal(ftrace_kevent_parse("kvm_userspace_exit",
		"reason KVM_EXIT_IRQ_WINDOW_OPEN (7)", &k), 0);
	assert_int_equal(field(&k, KEV_F_REASON), 7);
	assert_int_equal(ftrace_kevent_parse("kvm_pio",
		"pio_write at 0x20 size 1 count 1 val 0x20 ", &k), 0);
	assert_int_equal(field(&k, KEV_F_PORT), 0x20);
	assert_int_equal(field(&k, KEV_F_VAL), 0x20);
	assert_int_equal(ftrace_kevent_parse("kvm_pic_set_irq",
		"chip 1 pin 2 (level|masked) (coalesced)", &k), 0);
	assert_int_equal(field(&k, KEV_F_ELCR), 4);
	assert_int_equal(field(&k, KEV_F_IMR), 4);
	assert_int_equal(field(&k, KEV_F_COALESCED), 1);
}

static void test_unknown_and_malformed(void **state)
{
	struct ftrace_kev k;

	(void)state;
	assert_int_equal(ftrace_kevent_parse("kvm_fpu", "load", &k), 1);
	assert_int_equal(k.id, KVMREC__KERNEL_EVENT_ID__KEV_UNKNOWN);
	assert_int_equal(ftrace_kevent_parse("sched_switch", "prev_comm=x", &k), 1);
	assert_int_equal(ftrace_kevent_parse("kvm_eoi", "garbage", &k), -1);
	assert_int_equal(k.id, KVMREC__KERNEL_EVENT_ID__KEV_UNKNOWN);
	assert_int_equal(ftrace_kevent_parse("kvm_inj_virq", "", &k), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_shapes),
		cmocka_unit_test(test_kvm_exit_old_and_new),
		cmocka_unit_test(test_inj_virq_decimal_and_hex),
		cmocka_unit_test(test_apic_events),
		cmocka_unit_test(test_unknown_and_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
