/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * progress: "kvmrec stat: 42% (1234567 events)" on stderr while a long
 * command reads a trace, only when stderr is a terminal; silent otherwise, so
 * output stays byte-identical in pipes and tests. Cheap to call per event.
 */
#ifndef KVMREC_VIEW_PROGRESS_H
#define KVMREC_VIEW_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
	bool on;
	const char *what;
	uint64_t total_bytes;   /* 0: unknown (a pipe) */
	uint64_t events;
	int last_pct;
};

void progress_begin(struct progress *p, const char *what, const char *path);
/* @offset: compressed bytes consumed so far. */
void progress_event(struct progress *p, uint64_t offset);
void progress_end(struct progress *p);

#endif
