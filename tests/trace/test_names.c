// SPDX-License-Identifier: GPL-2.0-only
/*
 * Names and decoding: exit reasons agree with <linux/kvm.h>, the tracepoint
 * table with the proto comments and this kernel's tracefs formats, LAPIC registers with the SDM
 * offsets; lapic_sync_decode() reads a register page right; and a few events
 * print exactly as a reader of `kvmrec dump` expects.
 */
#include <setjmp.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kvm.h>
#include <cmocka.h>

#include "lapic_page.h"
#include "lapic_sync.h"
#include "trace_format.h"
#include "trace_names.h"

#define EXIT(name) { KVM_EXIT_##name, #name }

static void test_exit_reasons_match_uapi(void **state)
{
	static const struct { int nr; const char *name; } uapi[] = {
		EXIT(UNKNOWN), EXIT(EXCEPTION), EXIT(IO), EXIT(HYPERCALL), EXIT(DEBUG), EXIT(HLT),
		EXIT(MMIO), EXIT(IRQ_WINDOW_OPEN), EXIT(SHUTDOWN), EXIT(FAIL_ENTRY), EXIT(INTR),
		EXIT(SET_TPR), EXIT(TPR_ACCESS), EXIT(S390_SIEIC), EXIT(S390_RESET), EXIT(DCR),
		EXIT(NMI), EXIT(INTERNAL_ERROR), EXIT(OSI), EXIT(PAPR_HCALL), EXIT(S390_UCONTROL),
		EXIT(WATCHDOG), EXIT(S390_TSCH), EXIT(EPR), EXIT(SYSTEM_EVENT), EXIT(S390_STSI),
		EXIT(IOAPIC_EOI), EXIT(HYPERV), EXIT(ARM_NISV), EXIT(X86_RDMSR), EXIT(X86_WRMSR),
		EXIT(DIRTY_RING_FULL), EXIT(AP_RESET_HOLD), EXIT(X86_BUS_LOCK), EXIT(XEN),
		EXIT(RISCV_SBI), EXIT(RISCV_CSR), EXIT(NOTIFY),
	};
	char prefixed[64];

	(void)state;
	for (size_t i = 0; i < sizeof(uapi) / sizeof(uapi[0]); i++) {
		assert_string_equal(trace_exit_reason_name((uint32_t)uapi[i].nr), uapi[i].name);
		assert_int_equal(trace_exit_reason_parse(uapi[i].name), uapi[i].nr);
		snprintf(prefixed, sizeof(prefixed), "KVM_EXIT_%s", uapi[i].name);
		assert_int_equal(trace_exit_reason_parse(prefixed), uapi[i].nr);
	}
	assert_int_equal(trace_exit_reason_parse("irq_window_open"), KVM_EXIT_IRQ_WINDOW_OPEN);
	assert_string_equal(trace_exit_reason_name(1000), "?");
	assert_int_equal(trace_exit_reason_parse("NO_SUCH_EXIT"), -1);
}

static void test_kernel_events(void **state)
{
	const struct kevent_desc *d;
	int64_t args[KEVENT_MAX_FIELDS] = { 0 };
	Kvmrec__KernelEvent k = KVMREC__KERNEL_EVENT__INIT;
	Kvmrec__KernelField vec = KVMREC__KERNEL_FIELD__INIT, *fields[1] = { &vec };
	int n = 0;

	(void)state;
	assert_string_equal(trace_kevent_name(KVMREC__KERNEL_EVENT_ID__KEV_EOI), "kvm_eoi");
	assert_int_equal(trace_kevent_parse("kvm_apic_accept_irq"), KVMREC__KERNEL_EVENT_ID__KEV_APIC_ACCEPT_IRQ);
	assert_int_equal(trace_kevent_parse("kvm:kvm_inj_virq"), KVMREC__KERNEL_EVENT_ID__KEV_INJ_VIRQ);
	assert_int_equal(trace_kevent_parse("kvm_fpu"), KVMREC__KERNEL_EVENT_ID__KEV_UNKNOWN);
	d = kevent_desc(KVMREC__KERNEL_EVENT_ID__KEV_APIC_ACCEPT_IRQ);
	assert_int_equal(d->nfields, 5);
	assert_string_equal(kevent_field_name(d->fields[0]), "apicid");
	assert_string_equal(kevent_field_name(d->fields[3]), "vec");
	assert_int_equal(kevent_field_pos(KVMREC__KERNEL_EVENT_ID__KEV_PIO, KEV_F_VAL), 4);
	assert_int_equal(kevent_field_pos(KVMREC__KERNEL_EVENT_ID__KEV_PIO, KEV_F_VEC), -1);
	assert_int_equal(kevent_nfields(KVMREC__KERNEL_EVENT_ID__KEV_INJ_NMI), 0);
	assert_true(kevent_field_hex(KEV_F_PORT));
	assert_false(kevent_field_hex(KEV_F_VEC));
	/* Every id in the schema has a row whose name parses back; rows come in id order. */
	for (int id = 1; id <= KVMREC__KERNEL_EVENT_ID__KEV_APIC_ACCEPT_IRQ_OLD; id++)
		assert_int_equal(trace_kevent_parse(trace_kevent_name(id)), id);
	for (d = kevent_desc_next(NULL); d; d = kevent_desc_next(d))
		assert_int_equal(d->id, ++n);
	assert_int_equal(n, KEVENT_ID_MAX);
	assert_string_equal(trace_kevent_name(999), "unknown");
	assert_null(kevent_desc(999));
	assert_null(kevent_desc(KVMREC__KERNEL_EVENT_ID__KEV_UNKNOWN));

	/* Producers store by name; readers get by name, or their default past the end. */
	assert_int_equal(kevent_args_set(KVMREC__KERNEL_EVENT_ID__KEV_APIC_ACCEPT_IRQ, args, KEV_F_VEC, 62), 0);
	assert_int_equal(kevent_args_set(KVMREC__KERNEL_EVENT_ID__KEV_APIC_ACCEPT_IRQ, args, KEV_F_PORT, 1), -EINVAL);
	k.id = KVMREC__KERNEL_EVENT_ID__KEV_APIC_ACCEPT_IRQ;
	k.args = args;
	k.n_args = 5;
	assert_int_equal(kevent_get(&k, KEV_F_VEC, -1), 62);
	assert_int_equal(kevent_get(&k, KEV_F_PORT, -7), -7);
	k.n_args = 3;
	assert_int_equal(kevent_get(&k, KEV_F_VEC, -1), -1);
	/* An event the table does not know: its fields by name. */
	k.id = 999;
	vec.name = "vec";
	vec.has_value = 1;
	vec.value = 33;
	k.n_fields = 1;
	k.fields = fields;
	assert_int_equal(kevent_get(&k, KEV_F_VEC, -1), 33);
	assert_int_equal(kevent_get(&k, KEV_F_IRQ, -1), -1);
}

/* Drops " (...)" notes from a proto comment: "rw (1 = write), reg" -> "rw, reg". */
static void strip_notes(char *c)
{
	char *o = c;

	for (int depth = 0; *c; c++) {
		if (*c == '(' || (*c == ' ' && c[1] == '('))
			depth += *c == '(';
		else if (*c == ')')
			depth--;
		else if (!depth)
			*o++ = *c;
	}
	*o = 0;
}

/*
 * The schema documents each KernelEventId's args ("KEV_EOI = 2; // apicid,
 * vector"); the table is what the code uses. They must say the same.
 */
static void test_kernel_events_match_proto(void **state)
{
	FILE *f = fopen(KVMREC_PROTO_FILE, "r");
	char line[512], want[256];
	int rows = 0;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char name[64], *c;
		int id;

		if (sscanf(line, " KEV_%63[A-Z_0-9] = %d;", name, &id) != 2 || id == 0)
			continue;
		c = strstr(line, "//");
		assert_non_null(c);
		c += 2;
		while (*c == ' ')
			c++;
		c[strcspn(c, "\n")] = 0;
		strip_notes(c);
		want[0] = 0;
		for (unsigned int i = 0; i < kevent_nfields(id); i++)
			snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%s", i ? ", " : "",
				 kevent_field_name(kevent_desc(id)->fields[i]));
		if (!kevent_nfields(id))
			assert_true(!*c || !strcmp(c, "reserved"));	/* "(none)" is a note */
		else
			assert_string_equal(c, want);
		rows++;
	}
	fclose(f);
	assert_int_equal(rows, KEVENT_ID_MAX);
}

/* Every field the recorder reads exists in this kernel's format of the event. */
static void test_kernel_events_match_tracefs(void **state)
{
	char path[256], *buf = NULL;
	int checked = 0;

	(void)state;
	for (const struct kevent_desc *d = kevent_desc_next(NULL); d; d = kevent_desc_next(d)) {
		size_t len = 0;
		FILE *f;

		if (!d->traced)
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/tracing/events/kvm/%s/format", d->name);
		f = fopen(path, "r");
		if (!f)
			continue;
		buf = calloc(1, 1 << 16);
		assert_non_null(buf);
		len = fread(buf, 1, (1 << 16) - 1, f);
		fclose(f);
		buf[len] = 0;
		for (unsigned int i = 0; i < d->nfields; i++) {
			char field[64], alt[64];

			snprintf(field, sizeof(field), " %s;", kevent_field_name(d->fields[i]));
			snprintf(alt, sizeof(alt), " %s;", kevent_field_alt(d->fields[i]));
			if (d->optional >> i & 1)
				continue;
			if (!strstr(buf, field) && !(*kevent_field_alt(d->fields[i]) && strstr(buf, alt)))
				fail_msg("%s has no field %s", d->name, kevent_field_name(d->fields[i]));
		}
		free(buf);
		checked++;
	}
	if (!checked) {
		print_message("no kvm tracepoint formats under /sys/kernel/tracing: not checked\n");
		skip();
	}
}

static void test_lapic_registers(void **state)
{
	(void)state;
	assert_string_equal(trace_lapic_reg_name(0x80), "TPR");
	assert_string_equal(trace_lapic_reg_name(0xa0), "PPR");
	assert_string_equal(trace_lapic_reg_name(0xb0), "EOI");
	assert_string_equal(trace_lapic_reg_name(0xf0), "SPIV");
	assert_string_equal(trace_lapic_reg_name(0x170), "ISR7");
	assert_string_equal(trace_lapic_reg_name(0x200), "IRR0");
	assert_string_equal(trace_lapic_reg_name(0x2f0), "LVT_CMCI");
	assert_string_equal(trace_lapic_reg_name(0x300), "ICR_LO");
	assert_string_equal(trace_lapic_reg_name(0x3e0), "TDCR");
	assert_string_equal(trace_lapic_reg_name(0x3f0), "SELF_IPI");
	assert_string_equal(trace_lapic_reg_name(0x84), "");
	assert_string_equal(trace_lapic_reg_name(0x40), "");
	assert_string_equal(trace_lapic_reg_name(0x400), "");
	assert_string_equal(trace_inject_kind_name(KVMREC__INJECT_KIND__INJECT_INTERRUPT), "interrupt");
	assert_string_equal(trace_setup_kind_name(KVMREC__SETUP_KIND__SETUP_ENABLE_CAP), "enable_cap");
	assert_string_equal(trace_body_kind_name(KVMREC__RECORD__BODY_LAPIC), "lapic");
	assert_string_equal(trace_cap_name(KVM_CAP_SPLIT_IRQCHIP), "SPLIT_IRQCHIP");
	assert_string_equal(trace_cap_name(121), "SPLIT_IRQCHIP");
	assert_string_equal(trace_cap_name(100000), "");
}

static void put32(uint8_t *page, uint32_t off, uint32_t v)
{
	memcpy(page + off, &v, 4);
}

/* The seed's stale sync: 62 pending in IRR, TPR 0xf0. */
static void test_lapic_sync_decode(void **state)
{
	uint8_t page[LAPIC_PAGE_SIZE] = { 0 };
	Kvmrec__LapicSync ls = KVMREC__LAPIC_SYNC__INIT;
	struct lapic_sync_words words;

	(void)state;
	put32(page, LAPIC_REG_IRR + 0x10, 1u << 30);      /* vector 62 */
	put32(page, LAPIC_REG_ISR + 0x70, 1u << 31);      /* vector 255 */
	put32(page, LAPIC_REG_TMR, 1u << 1);
	put32(page, LAPIC_REG_TPR, 0xf0);
	put32(page, LAPIC_REG_PPR, 0xf0);
	put32(page, LAPIC_REG_SPIV, 0x1ff);
	put32(page, LAPIC_REG_ID, 3u << 24);
	put32(page, LAPIC_REG_ICR_LO, 0x4000 | 62);
	put32(page, 0x370, 0x10000 | 0xfe);              /* LVTERR */
	assert_int_equal(lapic_sync_decode(&ls, page, 100, &words), -22);
	assert_int_equal(ls.n_irr, 0);
	assert_int_equal(lapic_sync_decode(&ls, page, sizeof(page), &words), 0);
	assert_int_equal(ls.n_irr, 8);
	assert_int_equal(lapic_vec256_highest(ls.irr, 8), 62);
	assert_int_equal(lapic_vec256_highest(ls.isr, 8), 255);
	assert_true(lapic_vec256_test(ls.tmr, 1));
	assert_int_equal(ls.tpr, 0xf0);
	assert_int_equal(ls.ppr, 0xf0);
	assert_int_equal(ls.spiv, 0x1ff);
	assert_int_equal(ls.id, 3u << 24);
	assert_int_equal(ls.icr_lo, 0x403e);
	assert_int_equal(ls.n_lvt, 6);
	assert_int_equal(ls.lvt[5], 0x100fe);
}

static const char *format(const struct trace_event *ev)
{
	static char buf[4096];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	trace_format_event(f, ev);
	fclose(f);
	return buf;
}

static void test_event_lines(void **state)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__RunExit exit = KVMREC__RUN_EXIT__INIT;
	Kvmrec__ExitIo io = KVMREC__EXIT_IO__INIT;
	Kvmrec__Injection inj = KVMREC__INJECTION__INIT;
	Kvmrec__KernelEvent kev = KVMREC__KERNEL_EVENT__INIT;
	Kvmrec__LapicSync ls = KVMREC__LAPIC_SYNC__INIT;
	struct trace_event ev = { .seq = 12, .ts_ns = 3123456789ull, .vcpu = 0, .tid = 4242, .rec = &rec };
	uint8_t data = 0x41, page[LAPIC_PAGE_SIZE] = { 0 };
	int64_t args[KEVENT_MAX_FIELDS] = { 0 };

	(void)state;
	rec.body_case = KVMREC__RECORD__BODY_EXIT;
	rec.exit = &exit;
	exit.has_reason = 1;
	exit.reason = KVM_EXIT_IO;
	exit.has_flags = 1;
	exit.flags = KVMREC__RUN_FLAG__RUN_READY_FOR_INJECTION | KVMREC__RUN_FLAG__RUN_IF_FLAG;
	exit.payload_case = KVMREC__RUN_EXIT__PAYLOAD_IO;
	exit.io = &io;
	io.has_out = io.out = 1;
	io.has_size = 1;
	io.size = 1;
	io.has_port = 1;
	io.port = 0x3f8;
	io.has_data = 1;
	io.data.len = 1;
	io.data.data = &data;
	assert_string_equal(format(&ev),
		"      12      3.123456 cpu0    4242 exit IO out port=0x3f8 size=1 data=0x41 ready if\n");

	exit.reason = KVM_EXIT_IRQ_WINDOW_OPEN;
	exit.payload_case = KVMREC__RUN_EXIT__PAYLOAD__NOT_SET;
	exit.flags |= KVMREC__RUN_FLAG__RUN_REQUEST_IRQ_WINDOW;
	assert_string_equal(format(&ev),
		"      12      3.123456 cpu0    4242 exit IRQ_WINDOW_OPEN req_irq_window ready if\n");

	rec.body_case = KVMREC__RECORD__BODY_INJECT;
	rec.inject = &inj;
	inj.has_kind = 1;
	inj.kind = KVMREC__INJECT_KIND__INJECT_INTERRUPT;
	inj.has_vector = 1;
	inj.vector = 62;
	assert_string_equal(format(&ev),
		"      12      3.123456 cpu0    4242 inject interrupt vector=0x3e (62) ret=0\n");
	inj.ret = -1;
	inj.err = 22;
	assert_string_equal(format(&ev),
		"      12      3.123456 cpu0    4242 inject interrupt vector=0x3e (62) ret=-1 errno=22 (EINVAL)\n");

	rec.body_case = KVMREC__RECORD__BODY_KEVENT;
	rec.kevent = &kev;
	kev.has_id = 1;
	kev.id = KVMREC__KERNEL_EVENT_ID__KEV_EOI;
	kevent_args_set(kev.id, args, KEV_F_VECTOR, 62);
	kev.n_args = kevent_nfields(kev.id);
	kev.args = args;
	ev.vcpu = TRACE_VCPU_NONE;
	assert_string_equal(format(&ev),
		"      12      3.123456 vm      4242 kevent kvm_eoi apicid=0 vector=62\n");

	/* A sync with only its page: the registers are read from it. */
	rec.body_case = KVMREC__RECORD__BODY_LAPIC;
	rec.lapic = &ls;
	ls.has_regs = 1;
	ls.regs.len = sizeof(page);
	ls.regs.data = page;
	put32(page, LAPIC_REG_IRR + 0x10, 1u << 30 | 1u << 0);
	put32(page, LAPIC_REG_TPR, 0xf0);
	ev.vcpu = 1;
	assert_non_null(strstr(format(&ev), " lapic get irr=[0x20 (32) 0x3e (62)] isr=[] tmr=[] TPR=0xf0 PPR=0x00 "));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_reasons_match_uapi),
		cmocka_unit_test(test_kernel_events),
		cmocka_unit_test(test_kernel_events_match_proto),
		cmocka_unit_test(test_kernel_events_match_tracefs),
		cmocka_unit_test(test_lapic_registers),
		cmocka_unit_test(test_lapic_sync_decode),
		cmocka_unit_test(test_event_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
