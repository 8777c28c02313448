// SPDX-License-Identifier: GPL-2.0-only
/*
 * trace_names: static name tables for the numbers in a trace. The exit
 * reasons follow <linux/kvm.h>; the tracepoints are in kevent_table.c.
 */
#include <string.h>
#include <strings.h>
#include <linux/kvm.h>

#include "trace_names.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const exit_reasons[] = {
	[0] = "UNKNOWN",          [1] = "EXCEPTION",        [2] = "IO",
	[3] = "HYPERCALL",        [4] = "DEBUG",            [5] = "HLT",
	[6] = "MMIO",             [7] = "IRQ_WINDOW_OPEN",  [8] = "SHUTDOWN",
	[9] = "FAIL_ENTRY",       [10] = "INTR",            [11] = "SET_TPR",
	[12] = "TPR_ACCESS",      [13] = "S390_SIEIC",      [14] = "S390_RESET",
	[15] = "DCR",             [16] = "NMI",             [17] = "INTERNAL_ERROR",
	[18] = "OSI",             [19] = "PAPR_HCALL",      [20] = "S390_UCONTROL",
	[21] = "WATCHDOG",        [22] = "S390_TSCH",       [23] = "EPR",
	[24] = "SYSTEM_EVENT",    [25] = "S390_STSI",       [26] = "IOAPIC_EOI",
	[27] = "HYPERV",          [28] = "ARM_NISV",        [29] = "X86_RDMSR",
	[30] = "X86_WRMSR",       [31] = "DIRTY_RING_FULL", [32] = "AP_RESET_HOLD",
	[33] = "X86_BUS_LOCK",    [34] = "XEN",             [35] = "RISCV_SBI",
	[36] = "RISCV_CSR",       [37] = "NOTIFY",          [38] = "LOONGARCH_IOCSR",
	[39] = "MEMORY_FAULT",    [40] = "TDX",
};

const char *trace_exit_reason_name(uint32_t reason)
{
	if (reason < ARRAY_SIZE(exit_reasons) && exit_reasons[reason])
		return exit_reasons[reason];
	return "?";
}

int trace_exit_reason_parse(const char *name)
{
	if (!strncasecmp(name, "KVM_EXIT_", 9))
		name += 9;
	for (unsigned int i = 0; i < ARRAY_SIZE(exit_reasons); i++)
		if (exit_reasons[i] && !strcasecmp(name, exit_reasons[i]))
			return (int)i;
	return -1;
}

static const char *const inject_kinds[] = {
	"unknown", "interrupt", "nmi", "irq_line", "irq_line_status", "signal_msi",
};

const char *trace_inject_kind_name(Kvmrec__InjectKind k)
{
	if ((unsigned int)k < ARRAY_SIZE(inject_kinds) && inject_kinds[k])
		return inject_kinds[k];
	return "?";
}

static const char *const setup_kinds[] = {
	"unknown", "create_vm", "create_vcpu", "enable_cap", "tpr_access_reporting",
	"set_gsi_routing", "irqfd", "create_irqchip", "set_cpuid", "vapic_addr", "set_msrs",
};

const char *trace_setup_kind_name(Kvmrec__SetupKind k)
{
	if ((unsigned int)k < ARRAY_SIZE(setup_kinds) && setup_kinds[k])
		return setup_kinds[k];
	return "?";
}

/* xAPIC registers sit on 16-byte boundaries; index = offset / 16. */
static const char *const lapic_regs[64] = {
	[0x02] = "ID",    [0x03] = "VER",   [0x08] = "TPR",   [0x09] = "APR",
	[0x0a] = "PPR",   [0x0b] = "EOI",   [0x0c] = "RRD",   [0x0d] = "LDR",
	[0x0e] = "DFR",   [0x0f] = "SPIV",
	[0x10] = "ISR0",  [0x11] = "ISR1",  [0x12] = "ISR2",  [0x13] = "ISR3",
	[0x14] = "ISR4",  [0x15] = "ISR5",  [0x16] = "ISR6",  [0x17] = "ISR7",
	[0x18] = "TMR0",  [0x19] = "TMR1",  [0x1a] = "TMR2",  [0x1b] = "TMR3",
	[0x1c] = "TMR4",  [0x1d] = "TMR5",  [0x1e] = "TMR6",  [0x1f] = "TMR7",
	[0x20] = "IRR0",  [0x21] = "IRR1",  [0x22] = "IRR2",  [0x23] = "IRR3",
	[0x24] = "IRR4",  [0x25] = "IRR5",  [0x26] = "IRR6",  [0x27] = "IRR7",
	[0x28] = "ESR",   [0x2f] = "LVT_CMCI",
	[0x30] = "ICR_LO", [0x31] = "ICR_HI", [0x32] = "LVTT", [0x33] = "LVTTHMR",
	[0x34] = "LVTPC", [0x35] = "LVT0",  [0x36] = "LVT1",  [0x37] = "LVTERR",
	[0x38] = "TMICT", [0x39] = "TMCCT", [0x3e] = "TDCR",  [0x3f] = "SELF_IPI",
};

const char *trace_lapic_reg_name(uint32_t offset)
{
	if (offset % 16 || offset / 16 >= ARRAY_SIZE(lapic_regs) || !lapic_regs[offset / 16])
		return "";
	return lapic_regs[offset / 16];
}

const char *trace_body_kind_name(uint32_t body_case)
{
	switch (body_case) {
	case KVMREC__RECORD__BODY_EXIT:        return "exit";
	case KVMREC__RECORD__BODY_INJECT:      return "inject";
	case KVMREC__RECORD__BODY_LAPIC:       return "lapic";
	case KVMREC__RECORD__BODY_KEVENT:      return "kevent";
	case KVMREC__RECORD__BODY_VCPU_EVENTS: return "vcpu_events";
	case KVMREC__RECORD__BODY_SETUP:       return "setup";
	case KVMREC__RECORD__BODY_NOTE:        return "note";
	case KVMREC__RECORD__BODY_DROP:        return "drop";
	case KVMREC__RECORD__BODY_HEADER:      return "header";
	case KVMREC__RECORD__BODY_FOOTER:      return "footer";
	default:                               return "unknown";
	}
}

#define CAP(x) { KVM_CAP_##x, #x }

/* Numbers from <linux/kvm.h> itself, so they cannot drift. */
static const struct { uint32_t cap; const char *name; } caps[] = {
	CAP(IRQCHIP), CAP(HLT), CAP(USER_MEMORY), CAP(SET_TSS_ADDR), CAP(VAPIC), CAP(EXT_CPUID),
	CAP(NR_VCPUS), CAP(MP_STATE), CAP(COALESCED_MMIO), CAP(USER_NMI), CAP(IRQ_ROUTING),
	CAP(IRQ_INJECT_STATUS), CAP(PIT2), CAP(SET_IDENTITY_MAP_ADDR), CAP(IRQFD), CAP(PIT_STATE2),
	CAP(IOEVENTFD), CAP(ADJUST_CLOCK), CAP(VCPU_EVENTS), CAP(DEBUGREGS), CAP(XSAVE),
	CAP(TSC_DEADLINE_TIMER), CAP(MAX_VCPUS), CAP(SIGNAL_MSI), CAP(READONLY_MEM),
	CAP(IRQFD_RESAMPLE), CAP(MSI_DEVID), CAP(SPLIT_IRQCHIP), CAP(HYPERV_SYNIC),
	CAP(X2APIC_API), CAP(MAX_VCPU_ID), CAP(IMMEDIATE_EXIT), CAP(X86_SMM), CAP(SYNC_REGS),
	CAP(X86_DISABLE_EXITS), CAP(MANUAL_DIRTY_LOG_PROTECT2), CAP(EXCEPTION_PAYLOAD),
	CAP(X86_USER_SPACE_MSR), CAP(X86_MSR_FILTER), CAP(DIRTY_LOG_RING),
};

const char *trace_cap_name(uint32_t cap)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(caps); i++)
		if (caps[i].cap == cap)
			return caps[i].name;
	return "";
}
