/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpf_backend: the kernel-side way in (bpf/kvmrec.bpf.c), for VMMs the
 * interposer cannot enter: static, raw syscall(SYS_ioctl), or already running
 * (`record --pid`). Owns the loaded program, its ring buffer and its drop
 * counters. The program writes the interposer's raw records (raw.h);
 * bpf_backend_pump() moves them into the session's per-thread rings, where
 * the parent reads them exactly as it reads the interposer's, so both
 * backends share one decode, merge and trace format.
 *
 * The program cannot block the VMM: a full BPF ring buffer loses records, and
 * every loss is counted by reason (bpf_backend_drops()). Functions return 0
 * or a negative errno; open and probe also fill @why with one line.
 */
#ifndef KVMREC_RECORDER_BPF_BACKEND_H
#define KVMREC_RECORDER_BPF_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ring.h"

#define BPF_BACKEND_DEFAULT_RB (16u << 20)

struct bpf_backend;

enum bpf_backend_drop {
	BPF_BACKEND_DROP_RINGBUF,   /* BPF ring buffer full */
	BPF_BACKEND_DROP_INFLIGHT,  /* a KVM_RUN entry could not be remembered */
	BPF_BACKEND_DROP_READ,      /* kvm_run or an argument could not be read */
	BPF_BACKEND_NDROPS,
};

/* Why each counter counts, for Drop records and stderr. */
const char *bpf_backend_drop_what(enum bpf_backend_drop d);

/* 0 if BPF recording works here (BTF, permission, tracepoints), else -errno and @why. */
int bpf_backend_probe(char *why, size_t whylen);

/*
 * Loads and attaches the program for process @tgid and every thread it has
 * or will have, and with @follow_forks every process it forks from then on
 * (a wrapper that forks the VMM). @rb_size: ring buffer bytes (power of
 * two, 0: default).
 */
int bpf_backend_open(pid_t tgid, uint64_t rb_size, int run_times, int follow_forks,
		     struct bpf_backend **out, char *why, size_t whylen);

/*
 * Moves every record now in the ring buffer into @ctl, one ring per thread
 * (claimed on its first record). Stops early when a thread's ring is full,
 * holding that record and leaving the rest for the next call, so nothing is
 * lost or reordered. Returns records moved.
 */
long bpf_backend_pump(struct bpf_backend *b, struct ring_ctl *ctl);
/* A record is held back for want of room: pump again after draining. */
bool bpf_backend_held(const struct bpf_backend *b);

/* Records lost so far, by enum bpf_backend_drop. */
void bpf_backend_drops(struct bpf_backend *b, uint64_t out[BPF_BACKEND_NDROPS]);

/* Stops recording; what is already in the ring buffer can still be pumped. */
void bpf_backend_detach(struct bpf_backend *b);

/* Detaches and frees; the VMM runs on exactly as before. */
void bpf_backend_close(struct bpf_backend *b);

#endif
