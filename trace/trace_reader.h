/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * trace_reader: streams the events of a kvmrec trace in constant memory.
 *
 * Owns the input file, one zstd decompression context and the current
 * record. A frame's records are handed out only once the frame has been
 * decompressed whole and its checksum verified; a frame cut off by the end of
 * the file (a crash, a kill) still gives up every complete record in it.
 * From format 1.1 on, a frame that is not this trace's next one (swapped,
 * dropped, repeated, spliced from another trace) is damage too, found by its
 * FrameMark before any of its records is handed out.
 * Every complete record before the damage is returned; then trace_reader_next()
 * returns a negative errno and trace_reader_error() says, in one line naming
 * the file, where reading stopped, e.g.
 *   "trace.zst: truncated after event 12345 (byte 67890)".
 *
 * Memory: one decompressed frame (at most TRACE_READER_MAX_FRAME) plus the
 * current record, whatever the trace size. Never crashes on any input.
 */
#ifndef KVMREC_TRACE_READER_H
#define KVMREC_TRACE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "trace_event.h"

#define TRACE_READER_MAX_FRAME (16u * 1024 * 1024)

struct trace_reader;

/*
 * Opens @path ("-" is stdin) and reads the Header. Returns 0, or a negative
 * errno with *out still set (so trace_reader_error() can be asked) when the
 * file cannot be read, is not a kvmrec trace (-EINVAL), or has a newer major
 * format version (-EPROTONOSUPPORT). Close *out in every case where it is set.
 */
int trace_reader_open(const char *path, struct trace_reader **out);

/*
 * As trace_reader_open(), reading @len bytes at @buf (which must outlive the
 * reader); @name stands for the file in error messages.
 */
int trace_reader_open_mem(const void *buf, size_t len, const char *name,
			  struct trace_reader **out);

const Kvmrec__Header *trace_reader_header(const struct trace_reader *r);

/*
 * Reads the next event into @ev. Returns 1 with an event, 0 at the end
 * (the Footer was read), or a negative errno: -EIO for damage (truncation
 * or corruption; see trace_reader_error()). @ev->rec stays valid until the
 * next call.
 */
int trace_reader_next(struct trace_reader *r, struct trace_event *ev);

/*
 * Progress of long reads, for a program: after trace_reader_progress("kvmrec
 * replay"), a reader of a file of at least TRACE_PROGRESS_MIN_BYTES (a few
 * million events) shows "kvmrec replay: 42% of FILE" on stderr while it
 * reads, when stderr is a terminal, and clears the line when it is done; one
 * reader at a time. Otherwise nothing is printed, so output in pipes and
 * tests stays byte-identical.
 */
#define TRACE_PROGRESS_MIN_BYTES (8u << 20)
void trace_reader_progress(const char *what);

/* The Footer, once trace_reader_next() has returned 0; else NULL. */
const Kvmrec__Footer *trace_reader_footer(const struct trace_reader *r);

/* One line, no newline, naming the file; "" when there was no error. */
const char *trace_reader_error(const struct trace_reader *r);

/*
 * Puts in @buf (@len bytes) why reading @path failed with @ret: the reader's
 * own line if it has one, else "@path: strerror(-@ret)". @r may be NULL.
 */
void trace_reader_explain(const struct trace_reader *r, const char *path, int ret,
			  char *buf, size_t len);

uint64_t trace_reader_offset(const struct trace_reader *r); /* compressed bytes consumed */
void trace_reader_close(struct trace_reader *r);

#endif
