/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * trace_writer: turns events into a kvmrec trace file.
 *
 * Owns the output file and its zstd compression, on worker threads when the
 * machine has more than one CPU (writer_pool.h). Records are framed as varint
 * length + serialized Record into zstd frames (with content checksums); a
 * frame ends when its raw size reaches TRACE_FRAME_BYTES, when
 * TRACE_FRAME_NS have passed since it began, or on trace_writer_flush(), and
 * is compressed and written out right away, in order, so a crash loses at
 * most the open frame and the few being compressed.
 *
 * Every frame's first record carries a FrameMark (the trace's random id, the
 * frame's index and first sequence number) that binds the frame to its trace
 * and its place. The writer assigns sequence numbers (contiguous, from 1),
 * counts events per kind and writes them in the Footer on
 * trace_writer_close(). Memory is bounded by one frame. Every function returns 0 (or a value) on success and
 * a negative errno on failure; trace_writer_error() then says what failed.
 */
#ifndef KVMREC_TRACE_WRITER_H
#define KVMREC_TRACE_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include "trace_event.h"

#define TRACE_FRAME_BYTES (256u * 1024)
#define TRACE_FRAME_NS    (100ull * 1000 * 1000)

struct trace_writer;

struct trace_writer_opts {
	int zstd_level;        /* 0: default (1, smallest and fastest on exit streams) */
	/* Creating the file: trace/out_file.h (no symlinks, never over @input). */
	bool overwrite;        /* false: fail with -EEXIST if path exists */
	unsigned int mode;     /* file mode; 0: 0600 */
	const char *input;     /* the caller's input file: never written over */
	uint64_t trace_id;     /* Header.trace_id; 0: random */
};

/*
 * Creates @path ("-" is stdout) and writes the magic and @hdr. Format
 * version fields of @hdr are filled in by the writer, start_ns (the base of
 * the first event's ts_delta) is set to 0 if absent. On failure *out is NULL
 * and trace_writer_error(NULL) says why, naming the file.
 */
int trace_writer_open(const char *path, Kvmrec__Header *hdr,
		      const struct trace_writer_opts *opts,
		      struct trace_writer **out);

/*
 * Appends one event. @ev->rec is the body; its position fields are
 * overwritten with deltas, its frame mark cleared. @ev->seq is ignored on
 * input and set to the sequence number assigned. Returns 0 or -errno
 * (-EINVAL for a header, footer, KernelRef or ExitIo.data_add: the writer's
 * alone).
 */
int trace_writer_append(struct trace_writer *w, struct trace_event *ev);

/* Ends the open frame and waits until it is written out (not fsync). */
int trace_writer_flush(struct trace_writer *w);

/*
 * Writes the Footer (@extra may be NULL; its dropped, kernel_lost,
 * ring_stalls, end_reason and vmm_status are kept, counts and sequence
 * fields are the writer's), ends the last frame and closes the file.
 * Frees @w in every case; on failure trace_writer_error(NULL) says why.
 */
int trace_writer_close(struct trace_writer *w, const Kvmrec__Footer *extra);

/* Frees @w without writing a footer: the trace reads as truncated. */
void trace_writer_abort(struct trace_writer *w);

/* One line naming the file, "" if none; @w NULL: why the last open or close failed. */
const char *trace_writer_error(const struct trace_writer *w);
uint64_t trace_writer_bytes(const struct trace_writer *w);  /* compressed, written so far */
uint64_t trace_writer_frames(const struct trace_writer *w); /* frames ended, the header's included */
uint64_t trace_writer_events(const struct trace_writer *w);
/* Kernel events written as references to their exit (docs/trace.md, "References"). */
uint64_t trace_writer_krefs(const struct trace_writer *w);

#endif
