/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ring: the shared memory between the interposer and the recorder parent.
 *
 * One memfd, created by the parent, holds a control page and room for up to
 * nslots rings (RING_MAX_SLOTS, far above KVM's vCPU limit). The memfd is
 * sparse: a ring's pages exist only once a thread has claimed it, and
 * rings are handed out in order as threads appear, so `used` bounds what
 * the parent has to look at. Each VMM thread that makes a recorded ioctl
 * claims a ring and is its only producer, the parent its only consumer. A
 * producer never overwrites what the parent has not consumed: when the ring
 * is full it waits (and counts the stall), or with lossy set drops the
 * record and counts it. A producer waits only while the recorder lives:
 * once its heartbeat stops and its pid is gone the region is orphaned and
 * every producer drops and counts instead, so a killed recorder never hangs
 * the VMM. Everything published stays in the memfd, so the parent can
 * still drain a ring after the VMM died, even of SIGKILL. Functions return
 * 0 or -errno.
 */
#ifndef KVMREC_RECORDER_RING_H
#define KVMREC_RECORDER_RING_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define RING_MAGIC 0x676e6972636572ull /* "recring" */
#define RING_ENV_FD "KVMREC_RING_FD"
#define RING_DEFAULT_SIZE (1u << 20)
#define RING_MIN_SIZE (64u * 1024)
#define RING_MAX_SIZE (256u << 20)
/*
 * Threads with a ring at once (finished threads give theirs back). KVM
 * allows 1024 vCPUs on x86 by default and at most 4096; the address space
 * reserved is RING_MAX_SLOTS * ring size (16 GiB at the default size),
 * memory only as rings are used.
 */
#define RING_MAX_SLOTS 16384
/* A producer checks for a dead recorder after its heartbeat stood this long. */
#define RING_ORPHAN_NS (1000ull * 1000 * 1000)

enum ring_state { RING_FREE = 0, RING_ACTIVE = 1, RING_DONE = 2 };

struct ring_ctl {
	uint64_t magic;
	uint32_t nslots;            /* rings the region has room for */
	uint32_t lossy;
	uint64_t ring_size;         /* data bytes per slot, power of two */
	uint32_t attached_pid;      /* set by the interposer when it starts */
	uint32_t run_times;         /* also stamp KVM_RUN entry (RunExit.run_ns) */
	uint64_t reentrant;         /* ioctls from signal handlers inside a record: not logged */
	uint64_t no_slot;           /* records lost because every slot was taken */
	uint64_t no_run_map;        /* KVM_RUNs not logged: the vCPU's kvm_run would not map */
	uint32_t used;              /* rings ever handed out (may run past nslots) */
	uint32_t recorder_pid;      /* the parent, as its own pid namespace sees it */
	uint64_t heartbeat_ns;      /* parent: CLOCK_MONOTONIC of its last pass */
	uint32_t orphaned;          /* a producer found the recorder gone: drop, never wait */
	uint32_t pad0;
	uint64_t orphan_dropped;    /* records dropped after the recorder was gone */
};

struct ring {
	uint32_t state;             /* enum ring_state */
	uint32_t tid;
	int32_t vcpu;               /* vCPU this thread last ran, -1 none */
	uint32_t pad0;
	uint64_t stalls;            /* producer waits on a full ring */
	uint64_t dropped;           /* lossy drops */
	uint8_t pad1[64 - 32];
	uint64_t head;              /* producer: bytes published */
	uint32_t busy;              /* producer: a record is being stamped and written */
	uint8_t pad2[52];
	uint64_t tail;              /* consumer: bytes consumed */
	uint8_t pad3[56];
	/* ring_size data bytes follow */
};

/*
 * A ring size as `kvmrec record --ring-size` takes it: bytes, K or M
 * suffix, RING_MIN_SIZE..RING_MAX_SIZE, rounded up to a power of two.
 * 0, or -EINVAL.
 */
int ring_size_parse(const char *s, uint64_t *out);
size_t ring_region_size(uint32_t nslots, uint64_t ring_size);
/* Parent: memfd (close-on-exec) with @nslots rings of @ring_size bytes. */
int ring_region_create(uint32_t nslots, uint64_t ring_size, bool lossy,
		       int *fd_out, struct ring_ctl **ctl_out);
/* Rings the parent has to look at: those handed out so far. */
uint32_t ring_used(struct ring_ctl *ctl);
/* Parent, at every pass: "still here" for producers waiting on a full ring. */
void ring_region_heartbeat(struct ring_ctl *ctl, uint64_t now_ns);
/* Set before the VMM starts: what the interposer stamps. */
void ring_region_set_run_times(struct ring_ctl *ctl, bool on);
/* Interposer: maps an inherited region and checks it. */
int ring_region_attach(int fd, struct ring_ctl **ctl_out);
struct ring *ring_slot(struct ring_ctl *ctl, uint32_t i);
uint8_t *ring_data(struct ring *r);

/* Producer. */
struct ring *ring_claim(struct ring_ctl *ctl, uint32_t tid);
void ring_release(struct ring *r);
/*
 * Space for one record of @len bytes (multiple of 8, at most ring_size/4),
 * contiguous. NULL when the ring is full in lossy mode, or when the
 * recorder is gone (both counted).
 */
void *ring_reserve(struct ring_ctl *ctl, struct ring *r, uint32_t len);
/*
 * Brackets stamping and writing a reserved record: between ring_begin() and
 * ring_publish() the ring is busy, and the parent emits nothing stamped after
 * it saw the ring busy, so a thread preempted mid-record cannot be overtaken.
 */
void ring_begin(struct ring *r);
void ring_publish(struct ring *r, uint32_t len);
bool ring_busy(struct ring *r);

/* Consumer: bytes published and not yet consumed. */
uint64_t ring_avail(struct ring *r);
/* Pointer at consumer offset tail+@off, and bytes contiguous from there. */
const uint8_t *ring_peek(struct ring_ctl *ctl, struct ring *r, uint64_t off, uint64_t *contig);
void ring_consume(struct ring *r, uint64_t len);
/* After a RING_DONE ring is drained: makes the slot claimable again. */
void ring_recycle(struct ring *r);

#endif
