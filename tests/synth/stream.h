/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stream: a deterministic stream of synthetic trace events for tests and
 * benchmarks. Event i depends only on (seed, i), so a reader can regenerate
 * what a writer was given. Every Record body kind and every RunExit payload
 * kind appears within any SYNTH_CYCLE consecutive events.
 */
#ifndef KVMREC_TESTS_SYNTH_STREAM_H
#define KVMREC_TESTS_SYNTH_STREAM_H

#include <stddef.h>

#include <stdint.h>
#include "trace_event.h"

#define SYNTH_CYCLE 32

struct synth_stream {
	uint64_t seed;
	/* Storage the current event points into. */
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
	Kvmrec__KernelEvent kev;
	Kvmrec__KernelField kfield[2], *kfieldp[2];
	Kvmrec__VcpuEvents vev;
	Kvmrec__VmSetup setup;
	Kvmrec__GsiRoute route[3], *routep[3];
	Kvmrec__Annotation note;
	Kvmrec__Drop drop;
	uint64_t u64[8];
	int64_t s64[8];
	uint32_t u32[3][8];
	uint32_t lvt[6];
	uint8_t bytes[1024];
	char text[64];
};

/* Fills @ev (position and body) with event @i of stream @s. */
void synth_stream_event(struct synth_stream *s, uint64_t i, struct trace_event *ev);

/* A Header for synthetic traces; strings are static. */
void synth_stream_header(Kvmrec__Header *hdr);



/*
 * Writes a synthetic trace of @n events to @path, ending a frame every
 * @flush_every events (0: only as the writer decides). Returns 0 or -errno.
 */
int synth_stream_write(const char *path, uint64_t seed, uint64_t n, uint64_t flush_every);

/*
 * Packs @rec without its position fields (seq/ts/vcpu/tid deltas, frame mark) into @buf
 * of @cap bytes; returns the length, or 0 if it does not fit.
 */
size_t synth_stream_pack_body(Kvmrec__Record *rec, uint8_t *buf, size_t cap);
#endif
