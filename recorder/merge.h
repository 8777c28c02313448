/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * merge: the kernel-event side of the merge, a FIFO of tracepoint samples
 * kept in timestamp order (per-CPU buffers arrive interleaved, so each sample
 * is inserted from the back, which costs little on nearly sorted input).
 * The session pops from it and from the rings by smallest timestamp.
 * Returns -ENOMEM when it cannot grow; the sample is then not queued.
 */
#ifndef KVMREC_RECORDER_MERGE_H
#define KVMREC_RECORDER_MERGE_H

#include <stddef.h>
#include "decode.h"

struct kevq {
	struct kev *v;
	size_t cap, head, n;   /* ring buffer of cap entries, n used from head */
	size_t peak;
};

int kevq_push(struct kevq *q, const struct kev *ev);
struct kev *kevq_front(struct kevq *q);
void kevq_pop(struct kevq *q);
void kevq_free(struct kevq *q);

#endif
