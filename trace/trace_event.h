/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * trace_event: one event of a kvmrec trace, with its position resolved.
 *
 * On disk a Record stores its sequence number, timestamp, vCPU and thread as
 * deltas or "as before" (proto/kvmrec.proto). Writers and readers exchange
 * absolute values through this struct; nobody outside trace/ looks at
 * Record.seq_delta, ts_delta, vcpu or tid.
 */
#ifndef KVMREC_TRACE_EVENT_H
#define KVMREC_TRACE_EVENT_H

#include <stdint.h>
#include "kvmrec.pb-c.h"

#define TRACE_FORMAT_MAJOR 1
#define TRACE_FORMAT_MINOR 3  /* 1.1: trace id, a FrameMark per frame; 1.2: Record.kref, ExitIo.data_add; 1.3: Record.batch (docs/trace.md) */
#define TRACE_MAGIC_LEN 8     /* "KVMREC\0" + major */

#define TRACE_VCPU_NONE (-1)  /* VM-wide event */

/*
 * Largest serialized Record; writers refuse bigger, readers call bigger
 * (than this plus the FrameMark a frame's first record carries) corrupt.
 */
#define TRACE_RECORD_MAX (1u << 20)
#define TRACE_FRAME_MARK_MAX (2 + 1 + 3 * (1 + 10))  /* tag, length, three tagged varints */

struct trace_event {
	uint64_t seq;          /* global order, contiguous from Header on */
	uint64_t ts_ns;        /* Header.clock (CLOCK_MONOTONIC) */
	int32_t vcpu;          /* KVM vCPU id, or TRACE_VCPU_NONE */
	uint32_t tid;          /* VMM thread */
	Kvmrec__Record *rec;   /* body_case says which event */
};

#endif
