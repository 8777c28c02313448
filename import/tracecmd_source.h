/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tracecmd_source: the events of a trace-cmd .dat file (any version
 * libtracecmd reads, compressed or not) as ftrace_line events, in the order
 * `trace-cmd report` prints them: every CPU buffer of the top instance and of
 * every named instance, merged by timestamp. Each event's text is what
 * libtraceevent prints for it by the recording kernel's print fmt, without
 * plugins (as `trace-cmd report -N` does): what tracefs text shows, so the
 * text importer's parsers decode it unchanged.
 *
 * tracecmd_source_each() may be called more than once; each call walks the
 * whole file. Errors are negative errno with one line in @err.
 */
#ifndef KVMREC_TRACECMD_SOURCE_H
#define KVMREC_TRACECMD_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ftrace_parse.h"

struct tracecmd_source;

/* True if @f starts with the trace-cmd file magic; @f is rewound. */
bool tracecmd_source_is_dat(FILE *f);

int tracecmd_source_open(FILE *f, const char *name, struct tracecmd_source **out,
			 char *err, size_t errlen);

/* Calls @fn for every event; stops at and returns the first non-zero @fn result. */
int tracecmd_source_each(struct tracecmd_source *s,
			 int (*fn)(void *arg, const struct ftrace_line *l), void *arg);

/* Buffer instances read (the top one counts if it holds CPUs) and events the kernel dropped. */
unsigned int tracecmd_source_instances(const struct tracecmd_source *s);
uint64_t tracecmd_source_dropped(const struct tracecmd_source *s);

void tracecmd_source_close(struct tracecmd_source *s);

#endif
