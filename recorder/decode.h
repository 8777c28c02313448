/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * decode: raw interposer records (raw.h) and kernel tracepoint samples into
 * protobuf Records. Owns nothing but the caller's struct decode_buf, whose
 * messages the produced Record points into; it stays valid until the next
 * decode into the same buffer. Returns 0, or -EINVAL for a malformed record
 * (never reads past the length it was given).
 */
#ifndef KVMREC_RECORDER_DECODE_H
#define KVMREC_RECORDER_DECODE_H

#include <stdint.h>
#include "kvmrec.pb-c.h"
#include "kevent_table.h"
#include "lapic_sync.h"
#include "raw.h"

#define DECODE_MAX_ROUTES 128
#define KEV_MAX_ARGS KEVENT_MAX_FIELDS

/* One kernel tracepoint sample, fields already in KernelEvent.args order. */
struct kev {
	uint64_t ts;
	uint32_t pid;
	uint32_t cpu;
	int32_t vcpu;
	uint32_t id;          /* Kvmrec__KernelEventId */
	uint32_t nargs;
	int64_t args[KEV_MAX_ARGS];
};

struct decode_buf {
	Kvmrec__Record rec;
	Kvmrec__RunExit exit;
	Kvmrec__ExitIo io;
	Kvmrec__ExitMmio mmio;
	Kvmrec__ExitTprAccess tpr;
	Kvmrec__ExitIoapicEoi eoi;
	Kvmrec__ExitSystemEvent sysev;
	Kvmrec__ExitInternal internal;
	Kvmrec__ExitFailEntry fail;
	Kvmrec__ExitHypercall hcall;
	Kvmrec__ExitDebug debug;
	Kvmrec__ExitMsr msr;
	Kvmrec__Injection inj;
	Kvmrec__LapicSync lapic;
	Kvmrec__VcpuEvents vev;
	Kvmrec__VmSetup setup;
	Kvmrec__KernelEvent kevent;
	uint64_t u64s[16];
	struct lapic_sync_words lapic_words;
	uint8_t bytes[16];
	Kvmrec__GsiRoute routes[DECODE_MAX_ROUTES];
	Kvmrec__GsiRoute *route_ptrs[DECODE_MAX_ROUTES];
};

/*
 * A RAW_RUN or RAW_IOCTL record of @len bytes at @h. For a RAW_RUN whose exit
 * was an IN or MMIO read, @entry/@entry_len is what the next KVM_RUN entry
 * found (NULL when the VMM never re-entered).
 */
int decode_raw(struct decode_buf *b, const struct raw_hdr *h, uint32_t len,
	       const uint8_t *entry, uint32_t entry_len);
void decode_kevent(struct decode_buf *b, const struct kev *k);

/* True if a RAW_RUN exit waits for data given at the next entry. */
int decode_run_wants_entry(const struct raw_hdr *h, uint32_t len);

#endif
