/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * trace_names: names for the numbers a trace holds (KVM exit reasons, LAPIC
 * registers, ioctl kinds; kernel tracepoints come from kevent_table.h).
 * Pure tables; every function returns a static string, never NULL.
 */
#ifndef KVMREC_TRACE_NAMES_H
#define KVMREC_TRACE_NAMES_H

#include <stdint.h>
#include "kvmrec.pb-c.h"
#include "kevent_table.h"

const char *trace_exit_reason_name(uint32_t reason);    /* "IO", "IRQ_WINDOW_OPEN", ... */
int trace_exit_reason_parse(const char *name);           /* "KVM_EXIT_IO" or "IO" -> 2; -1 */
const char *trace_inject_kind_name(Kvmrec__InjectKind k);
const char *trace_setup_kind_name(Kvmrec__SetupKind k);
const char *trace_lapic_reg_name(uint32_t offset);      /* 0x80 -> "TPR"; "" if none */
/* KVM_CAP_* number -> "SPLIT_IRQCHIP", ... for the caps a VMM's interrupt set-up uses; "" if none. */
const char *trace_cap_name(uint32_t cap);
/* Record.body field number -> "exit", "inject", "lapic", ...; "unknown" if none. */
const char *trace_body_kind_name(uint32_t body_case);

#endif
