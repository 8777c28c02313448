/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fdtab: what the interposer knows about each fd of the VMM: /dev/kvm, a VM,
 * a vCPU (with its id and our mapping of its kvm_run), or nothing. Learned
 * from KVM_CREATE_VM / KVM_CREATE_VCPU results, and for fds we did not see
 * created (dup, inherited, passed over a socket) from /proc/self/fd once.
 * Forgotten on close, dup2/dup3 over it and close_range. Lock-free; an entry
 * is only written by the thread that creates, closes or runs the fd.
 */
#ifndef KVMREC_RECORDER_FDTAB_H
#define KVMREC_RECORDER_FDTAB_H

#include <stddef.h>
#include <stdint.h>

#define FDTAB_CHUNK 1024
#define FDTAB_CHUNKS 1024
#define FDTAB_SIZE (FDTAB_CHUNK * FDTAB_CHUNKS)

struct kvm_run;

struct fdtab_ent {
	uint8_t kind;         /* enum raw_fdkind */
	uint8_t classified;   /* kind is known (possibly RAW_FD_NONE) */
	uint8_t pending;      /* enum raw_pending: last exit waits for its data */
	int32_t vcpu;
	struct kvm_run *run;  /* our own mapping, or NULL */
	size_t run_size;
	uint64_t pending_off;
	uint32_t pending_len;
};

/* The entry for @fd, allocated on first use; NULL if @fd is out of range. */
struct fdtab_ent *fdtab_get(int fd);
/* The entry of a KVM fd, classifying @fd if needed; NULL for other fds. */
struct fdtab_ent *fdtab_lookup(int fd);
void fdtab_set(int fd, int kind, int32_t vcpu);
void fdtab_clear(struct fdtab_ent *e);
/* Parses a /proc/self/fd link target; returns enum raw_fdkind, sets *vcpu. */
int fdtab_classify_link(const char *link, int32_t *vcpu);

#endif
