// SPDX-License-Identifier: GPL-2.0-only
/*
 * The field layouts are those of the kernel's TP_printk() formats in
 * arch/x86/kvm/trace.h and virt/kvm/trace.h, old and new; sscanf-style
 * matching keeps each decoder to the format it reads.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <asm/svm.h>
#include <asm/vmx.h>

#include "ftrace_parse.h"
#include "kevent_table.h"
#include "trace_names.h"

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* "[001]" at @s: returns the CPU and sets *end past it, or -1. */
static int cpu_field(const char *s, const char **end)
{
	char *e;
	long cpu;

	if (*s != '[' || !isdigit((unsigned char)s[1]))
		return -1;
	cpu = strtol(s + 1, &e, 10);
	if (*e != ']')
		return -1;
	*end = e + 1;
	return (int)cpu;
}

/* "34591.708476:" at @s: the time in ns, *end past the colon; -1 if not. */
static int ts_field(const char *s, uint64_t *ns, const char **end)
{
	uint64_t sec = 0, frac = 0;
	int digits = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	while (isdigit((unsigned char)*s))
		sec = sec * 10 + (*s++ - '0');
	if (*s != '.')
		return -1;
	s++;
	while (isdigit((unsigned char)*s)) {
		if (digits < 9) {
			frac = frac * 10 + (*s - '0');
			digits++;
		}
		s++;
	}
	if (!digits || *s != ':')
		return -1;
	while (digits++ < 9)
		frac *= 10;
	*ns = sec * 1000000000ull + frac;
	*end = s + 1;
	return 0;
}

int ftrace_line_parse(const char *line, struct ftrace_line *out)
{
	const char *p, *cpu_end = NULL, *q, *dash = NULL;
	size_t n;
	int cpu = -1;

	/* The task name may hold spaces and dashes: find "[cpu]" first. */
	for (p = line; *p; p++) {
		if (*p == '[' && (cpu = cpu_field(p, &cpu_end)) >= 0)
			break;
	}
	if (cpu < 0)
		return 0;
	/* "task-pid" or "task-pid (tgid)" before it. */
	q = p;
	while (q > line && q[-1] == ' ')
		q--;
	if (q > line && q[-1] == ')') {
		while (q > line && q[-1] != '(')
			q--;
		if (q > line)
			q--;
		while (q > line && q[-1] == ' ')
			q--;
	}
	for (const char *t = line; t < q; t++)
		if (*t == '-')
			dash = t;
	if (!dash || !isdigit((unsigned char)dash[1]))
		return 0;
	out->pid = atoi(dash + 1);
	out->cpu = cpu;
	/* Optional latency flags ("d..2", "...1."), then the timestamp. */
	p = skip_ws(cpu_end);
	if (ts_field(p, &out->ts_ns, &q) < 0) {
		while (*p && *p != ' ')
			p++;
		p = skip_ws(p);
		if (ts_field(p, &out->ts_ns, &q) < 0)
			return 0;
	}
	p = skip_ws(q);
	if (!strncmp(p, "kvm:", 4))
		p += 4;
	for (n = 0; p[n] && p[n] != ':' && p[n] != ' '; n++)
		;
	if (!n || p[n] != ':' || n >= sizeof(out->event))
		return 0;
	memcpy(out->event, p, n);
	out->event[n] = 0;
	out->fields = skip_ws(p + n + 1);
	return 1;
}

static const struct {
	const char *name;
	int reason;
} exit_names[] = {
	/* VMX basic exit reasons (<asm/vmx.h>), as the kernel prints them (old and new names). */
	{ "EXCEPTION_NMI", EXIT_REASON_EXCEPTION_NMI },
	{ "EXTERNAL_INTERRUPT", EXIT_REASON_EXTERNAL_INTERRUPT },
	{ "TRIPLE_FAULT", EXIT_REASON_TRIPLE_FAULT },
	{ "INIT_SIGNAL", EXIT_REASON_INIT_SIGNAL }, { "SIPI_SIGNAL", EXIT_REASON_SIPI_SIGNAL },
	{ "PENDING_INTERRUPT", EXIT_REASON_INTERRUPT_WINDOW },
	{ "INTERRUPT_WINDOW", EXIT_REASON_INTERRUPT_WINDOW },
	{ "NMI_WINDOW", EXIT_REASON_NMI_WINDOW }, { "TASK_SWITCH", EXIT_REASON_TASK_SWITCH },
	{ "CPUID", EXIT_REASON_CPUID }, { "HLT", EXIT_REASON_HLT },
	{ "INVD", EXIT_REASON_INVD }, { "INVLPG", EXIT_REASON_INVLPG },
	{ "RDPMC", EXIT_REASON_RDPMC }, { "RDTSC", EXIT_REASON_RDTSC },
	{ "VMCALL", EXIT_REASON_VMCALL }, { "CR_ACCESS", EXIT_REASON_CR_ACCESS },
	{ "DR_ACCESS", EXIT_REASON_DR_ACCESS },
	{ "IO_INSTRUCTION", EXIT_REASON_IO_INSTRUCTION }, { "MSR_READ", EXIT_REASON_MSR_READ },
	{ "MSR_WRITE", EXIT_REASON_MSR_WRITE }, { "INVALID_STATE", EXIT_REASON_INVALID_STATE },
	{ "MWAIT_INSTRUCTION", EXIT_REASON_MWAIT_INSTRUCTION },
	{ "MONITOR_TRAP_FLAG", EXIT_REASON_MONITOR_TRAP_FLAG },
	{ "MONITOR_INSTRUCTION", EXIT_REASON_MONITOR_INSTRUCTION },
	{ "PAUSE_INSTRUCTION", EXIT_REASON_PAUSE_INSTRUCTION },
	{ "MCE_DURING_VMENTRY", EXIT_REASON_MCE_DURING_VMENTRY },
	{ "TPR_BELOW_THRESHOLD", EXIT_REASON_TPR_BELOW_THRESHOLD },
	{ "APIC_ACCESS", EXIT_REASON_APIC_ACCESS }, { "EOI_INDUCED", EXIT_REASON_EOI_INDUCED },
	{ "GDTR_IDTR", EXIT_REASON_GDTR_IDTR }, { "LDTR_TR", EXIT_REASON_LDTR_TR },
	{ "EPT_VIOLATION", EXIT_REASON_EPT_VIOLATION },
	{ "EPT_MISCONFIG", EXIT_REASON_EPT_MISCONFIG }, { "INVEPT", EXIT_REASON_INVEPT },
	{ "RDTSCP", EXIT_REASON_RDTSCP }, { "PREEMPTION_TIMER", EXIT_REASON_PREEMPTION_TIMER },
	{ "INVVPID", EXIT_REASON_INVVPID }, { "WBINVD", EXIT_REASON_WBINVD },
	{ "XSETBV", EXIT_REASON_XSETBV }, { "APIC_WRITE", EXIT_REASON_APIC_WRITE },
	/* SVM exit codes (<asm/svm.h>) are printed in lower case. */
	{ "intr", SVM_EXIT_INTR }, { "nmi", SVM_EXIT_NMI }, { "vintr", SVM_EXIT_VINTR },
	{ "cpuid", SVM_EXIT_CPUID }, { "hlt", SVM_EXIT_HLT }, { "io", SVM_EXIT_IOIO },
	{ "msr", SVM_EXIT_MSR }, { "shutdown", SVM_EXIT_SHUTDOWN }, { "npf", SVM_EXIT_NPF },
	{ "avic_incomplete_ipi", SVM_EXIT_AVIC_INCOMPLETE_IPI },
	{ "avic_unaccelerated_access", SVM_EXIT_AVIC_UNACCELERATED_ACCESS },
};

int ftrace_exit_reason_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(exit_names) / sizeof(exit_names[0]); i++)
		if (!strcmp(exit_names[i].name, name))
			return exit_names[i].reason;
	if (!strncmp(name, "0x", 2))
		return (int)strtol(name, NULL, 16);
	return -1;
}

static const struct {
	const char *name;
	int off;
} apic_regs[] = {
	{ "APIC_ID", 0x20 }, { "APIC_LVR", 0x30 }, { "APIC_TASKPRI", 0x80 },
	{ "APIC_ARBPRI", 0x90 }, { "APIC_PROCPRI", 0xa0 }, { "APIC_EOI", 0xb0 },
	{ "APIC_RRR", 0xc0 }, { "APIC_LDR", 0xd0 }, { "APIC_DFR", 0xe0 },
	{ "APIC_SPIV", 0xf0 }, { "APIC_ISR", 0x100 }, { "APIC_TMR", 0x180 },
	{ "APIC_IRR", 0x200 }, { "APIC_ESR", 0x280 }, { "APIC_ICR", 0x300 },
	{ "APIC_ICR2", 0x310 }, { "APIC_LVTT", 0x320 }, { "APIC_LVTTHMR", 0x330 },
	{ "APIC_LVTPC", 0x340 }, { "APIC_LVT0", 0x350 }, { "APIC_LVT1", 0x360 },
	{ "APIC_LVTERR", 0x370 }, { "APIC_TMICT", 0x380 }, { "APIC_TMCCT", 0x390 },
	{ "APIC_TDCR", 0x3e0 }, { "APIC_SELF_IPI", 0x3f0 },
};

static int apic_reg_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(apic_regs) / sizeof(apic_regs[0]); i++)
		if (!strcmp(apic_regs[i].name, name))
			return apic_regs[i].off;
	if (!strncmp(name, "0x", 2))
		return (int)strtol(name, NULL, 16);
	return -1;
}

static const char *const delivery_modes[8] = {
	"Fixed", "LowPrio", "SMI", "Res3", "NMI", "INIT", "SIPI", "ExtINT",
};

static int dm_parse(const char *s)
{
	for (int i = 0; i < 8; i++)
		if (!strncmp(s, delivery_modes[i], strlen(delivery_modes[i])))
			return i;
	return -1;
}

/* Stores field @f of the event being parsed (the table knows where it goes). */
static void put(struct ftrace_kev *k, enum kev_field f, int64_t v)
{
	kevent_args_set(k->id, k->args, f, v);
}

static int parse_exit(const char *f, struct ftrace_kev *k)
{
	char name[48];
	unsigned long long rip = 0, i1 = 0, i2 = 0, intr = 0, err = 0;
	int vcpu = -1, n = 0;

	if (sscanf(f, "vcpu %d reason %47s%n", &vcpu, name, &n) == 2 ||
	    sscanf(f, "reason %47s%n", name, &n) == 1) {
		f += n;
	} else {
		return -1;
	}
	/* Current: "info1 0x.. info2 0x.. intr_info ..."; 2016: "info %llx %llx". */
	if (!strstr(f, " info1 ")) {
		if (sscanf(f, " rip 0x%llx info %llx %llx", &rip, &i1, &i2) < 1)
			return -1;
	} else if (sscanf(f, " rip 0x%llx info1 0x%llx info2 0x%llx intr_info 0x%llx error_code 0x%llx",
			  &rip, &i1, &i2, &intr, &err) < 1) {
		return -1;
	}
	snprintf(k->exit_name, sizeof(k->exit_name), "%s", name);
	put(k, KEV_F_EXIT_REASON, ftrace_exit_reason_parse(name));
	put(k, KEV_F_GUEST_RIP, (int64_t)rip);
	put(k, KEV_F_ISA, islower((unsigned char)name[0]) ? 2 : 1);	/* KVM_ISA_SVM : KVM_ISA_VMX */
	put(k, KEV_F_INFO1, (int64_t)i1);
	put(k, KEV_F_INFO2, (int64_t)i2);
	put(k, KEV_F_INTR_INFO, (int64_t)intr);
	put(k, KEV_F_ERROR_CODE, (int64_t)err);
	k->vcpu = vcpu;
	return 0;
}

static int parse_userspace_exit(const char *f, struct ftrace_kev *k)
{
	char name[48];
	int num;

	if (sscanf(f, "reason %47s (%d)", name, &num) != 2)
		return -1;
	snprintf(k->exit_name, sizeof(k->exit_name), "%s", name);
	if (!strcmp(name, "restart"))
		put(k, KEV_F_ERRNO, -4);	/* -EINTR */
	else if (!strcmp(name, "error"))
		put(k, KEV_F_ERRNO, -num);
	else
		put(k, KEV_F_REASON, num);
	return 0;
}

static int parse_eoi(const char *f, struct ftrace_kev *k)
{
	int apicid, vector;

	if (sscanf(f, "apicid %x vector %d", &apicid, &vector) != 2)
		return -1;
	put(k, KEV_F_APICID, apicid);
	put(k, KEV_F_VECTOR, vector);
	return 0;
}

static int parse_inj_virq(const char *f, struct ftrace_kev *k)
{
	unsigned int irq;

	if (sscanf(f, "IRQ 0x%x", &irq) == 1) {
		put(k, KEV_F_IRQ, irq);
	} else if (sscanf(f, "Soft/INTn 0x%x", &irq) == 1) {
		put(k, KEV_F_IRQ, irq);
		put(k, KEV_F_SOFT, 1);
	} else if (sscanf(f, "irq %u", &irq) == 1) {
		put(k, KEV_F_IRQ, irq);	/* 2016: decimal */
	} else {
		return -1;
	}
	put(k, KEV_F_REINJECTED, strstr(f, "reinjected") != NULL);
	return 0;
}

static int parse_accept(const char *f, struct ftrace_kev *k)
{
	unsigned int apicid, vec;
	char rest[64] = "";
	int dm;

	if (sscanf(f, "apicid %x vec %u (%63[^)]", &apicid, &vec, rest) < 2)
		return -1;
	dm = dm_parse(rest);
	put(k, KEV_F_APICID, apicid);
	put(k, KEV_F_DM, (dm < 0 ? 0 : dm) << 8);	/* APIC_DM_*, as the tracepoint's field holds it */
	put(k, KEV_F_TM, strstr(rest, "level") != NULL);
	put(k, KEV_F_VEC, vec);
	put(k, KEV_F_COALESCED, strstr(f, "coalesced") != NULL);
	return 0;
}

static int parse_apic(const char *f, struct ftrace_kev *k)
{
	char rw[16], reg[32];
	unsigned long long val;
	int off;

	if (sscanf(f, "%15s %31s = 0x%llx", rw, reg, &val) != 3)
		return -1;
	off = apic_reg_parse(reg);
	if (off < 0)
		return -1;
	put(k, KEV_F_RW, !strcmp(rw, "apic_write"));
	put(k, KEV_F_REG, off);
	put(k, KEV_F_VAL, (int64_t)val);
	return 0;
}

static int parse_apic_ipi(const char *f, struct ftrace_kev *k)
{
	unsigned int dst, vec;
	char rest[96] = "";
	uint32_t icr;
	int dm;

	if (sscanf(f, "dst %x vec %u (%95[^)]", &dst, &vec, rest) < 2)
		return -1;
	dm = dm_parse(rest);
	icr = (vec & 0xff) | (uint32_t)(dm < 0 ? 0 : dm) << 8;
	if (strstr(rest, "logical"))
		icr |= 1u << 11;
	if (strstr(rest, "|assert"))
		icr |= 1u << 14;
	if (strstr(rest, "|level"))
		icr |= 1u << 15;
	if (strstr(rest, "|self"))
		icr |= 1u << 18;
	else if (strstr(rest, "|all"))
		icr |= 2u << 18;
	else if (strstr(rest, "|others"))
		icr |= 3u << 18;
	put(k, KEV_F_ICR_LOW, icr);
	put(k, KEV_F_DEST_ID, dst);
	return 0;
}

static int parse_pio(const char *f, struct ftrace_kev *k)
{
	char rw[16];
	unsigned int port, size, count;
	unsigned long long val = 0;

	if (sscanf(f, "%15s at 0x%x size %u count %u val 0x%llx", rw, &port, &size, &count,
		   &val) < 4)
		return -1;
	put(k, KEV_F_RW, !strcmp(rw, "pio_write"));
	put(k, KEV_F_PORT, port);
	put(k, KEV_F_SIZE, size);
	put(k, KEV_F_COUNT, count);
	put(k, KEV_F_VAL, (int64_t)val);
	return 0;
}

static int parse_mmio(const char *f, struct ftrace_kev *k)
{
	char type[24];
	unsigned int len;
	unsigned long long gpa, val = 0;

	if (sscanf(f, "mmio %23s len %u gpa 0x%llx val 0x%llx", type, &len, &gpa, &val) < 3)
		return -1;
	put(k, KEV_F_TYPE, !strcmp(type, "write") ? 2 : !strcmp(type, "read") ? 1 : 0);
	put(k, KEV_F_LEN, len);
	put(k, KEV_F_GPA, (int64_t)gpa);
	put(k, KEV_F_VAL, (int64_t)val);
	return 0;
}

static int parse_msr(const char *f, struct ftrace_kev *k)
{
	char rw[16];
	unsigned long long ecx, data;

	if (sscanf(f, "%15s %llx = 0x%llx", rw, &ecx, &data) != 3)
		return -1;
	put(k, KEV_F_WRITE, !strcmp(rw, "msr_write"));
	put(k, KEV_F_ECX, (int64_t)ecx);
	put(k, KEV_F_DATA, (int64_t)data);
	put(k, KEV_F_EXCEPTION, strstr(f, "#GP") != NULL);
	return 0;
}

static int parse_set_irq(const char *f, struct ftrace_kev *k)
{
	int gsi, level, source;

	if (sscanf(f, "gsi %d level %d source %d", &gsi, &level, &source) != 3)
		return -1;
	put(k, KEV_F_GSI, gsi);
	put(k, KEV_F_LEVEL, level);
	put(k, KEV_F_IRQ_SOURCE_ID, source);
	return 0;
}

static int parse_pic_set_irq(const char *f, struct ftrace_kev *k)
{
	unsigned int chip, pin;

	if (sscanf(f, "chip %u pin %u", &chip, &pin) != 2 || pin > 7)
		return -1;
	put(k, KEV_F_CHIP, chip);
	put(k, KEV_F_PIN, pin);
	put(k, KEV_F_ELCR, strstr(f, "(level") ? 1 << pin : 0);
	put(k, KEV_F_IMR, strstr(f, "masked") ? 1 << pin : 0);
	put(k, KEV_F_COALESCED, strstr(f, "coalesced") != NULL);
	return 0;
}

static int parse_msi_set_irq(const char *f, struct ftrace_kev *k)
{
	unsigned long long dst;
	unsigned int vec;
	char rest[64] = "";
	int dm;

	if (sscanf(f, "dst %llx vec %u (%63[^)]", &dst, &vec, rest) < 2)
		return -1;
	dm = dm_parse(rest);
	put(k, KEV_F_ADDRESS, (int64_t)(0xfee00000ull | (dst & 0xff) << 12));
	put(k, KEV_F_DATA, (vec & 0xff) | (dm < 0 ? 0 : dm) << 8);
	return 0;
}

static int parse_entry(const char *f, struct ftrace_kev *k)
{
	unsigned long long rip = 0;
	const char *r = strstr(f, "rip 0x");
	int vcpu;

	if (sscanf(f, "vcpu %d", &vcpu) != 1)
		return -1;
	if (r)
		sscanf(r, "rip 0x%llx", &rip);
	put(k, KEV_F_VCPU_ID, vcpu);
	put(k, KEV_F_RIP, (int64_t)rip);
	k->vcpu = vcpu;
	return 0;
}

static int parse_no_fields(const char *f, struct ftrace_kev *k)
{
	(void)f, (void)k;
	return 0;
}

#define ID(x) KVMREC__KERNEL_EVENT_ID__KEV_##x

/* The events kvmrec decodes from text; the others are kept as their text. */
static int (*const parsers[KEVENT_ID_MAX + 1])(const char *f, struct ftrace_kev *k) = {
	[ID(USERSPACE_EXIT)] = parse_userspace_exit,	[ID(EOI)] = parse_eoi,
	[ID(APIC_ACCEPT_IRQ)] = parse_accept,		[ID(APIC)] = parse_apic,
	[ID(APIC_IPI)] = parse_apic_ipi,		[ID(MSR)] = parse_msr,
	[ID(PIO)] = parse_pio,				[ID(MMIO)] = parse_mmio,
	[ID(SET_IRQ)] = parse_set_irq,			[ID(MSI_SET_IRQ)] = parse_msi_set_irq,
	[ID(PIC_SET_IRQ)] = parse_pic_set_irq,		[ID(INJ_VIRQ)] = parse_inj_virq,
	[ID(ENTRY)] = parse_entry,			[ID(EXIT)] = parse_exit,
	[ID(INJ_NMI)] = parse_no_fields,
};

int ftrace_kevent_parse(const char *event, const char *f, struct ftrace_kev *k)
{
	int ret;

	memset(k, 0, sizeof(*k));
	k->vcpu = -1;
	k->id = trace_kevent_parse(event);
	if (!parsers[k->id])
		return 1;
	/* Every field is there, 0 unless the text gives it. */
	k->nargs = kevent_nfields(k->id);
	ret = parsers[k->id](f, k);
	if (ret < 0) {
		k->id = KVMREC__KERNEL_EVENT_ID__KEV_UNKNOWN;
		k->nargs = 0;
	}
	return ret;
}
