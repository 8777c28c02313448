// SPDX-License-Identifier: GPL-2.0-only
/*
 * Single-producer single-consumer byte rings in a memfd. The producer is the
 * VMM thread that claimed the slot; head and tail only grow, the position in
 * the data is head % ring_size. A record never wraps: a RAW_PAD fills the
 * end first. Acquire/release on head and tail are the only synchronisation.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "raw.h"
#include "ring.h"

#define SLOT_HDR sizeof(struct ring)

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

size_t ring_region_size(uint32_t nslots, uint64_t ring_size)
{
	return 4096 + (size_t)nslots * (SLOT_HDR + ring_size);
}

int ring_region_create(uint32_t nslots, uint64_t ring_size, bool lossy,
		       int *fd_out, struct ring_ctl **ctl_out)
{
	size_t size;
	void *p;
	int fd;

	if (!nslots || nslots > RING_MAX_SLOTS || ring_size < RING_MIN_SIZE || ring_size > RING_MAX_SIZE ||
	    (ring_size & (ring_size - 1)))
		return -EINVAL;
	size = ring_region_size(nslots, ring_size);
	fd = memfd_create("kvmrec-rings", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		int e = errno;

		close(fd);
		return -e;
	}
	struct ring_ctl *ctl = p;

	ctl->nslots = nslots;
	ctl->ring_size = ring_size;
	ctl->lossy = lossy;
	ctl->recorder_pid = (uint32_t)getpid();
	ctl->heartbeat_ns = mono_ns();
	/* Slots are not touched here: their pages appear as threads claim them. */
	__atomic_store_n(&ctl->magic, RING_MAGIC, __ATOMIC_RELEASE);
	*fd_out = fd;
	*ctl_out = ctl;
	return 0;
}

uint32_t ring_used(struct ring_ctl *ctl)
{
	uint32_t n = __atomic_load_n(&ctl->used, __ATOMIC_ACQUIRE);

	return n < ctl->nslots ? n : ctl->nslots;
}

void ring_region_heartbeat(struct ring_ctl *ctl, uint64_t now_ns)
{
	__atomic_store_n(&ctl->heartbeat_ns, now_ns, __ATOMIC_RELAXED);
}

void ring_region_set_run_times(struct ring_ctl *ctl, bool on)
{
	ctl->run_times = on;
}

int ring_region_attach(int fd, struct ring_ctl **ctl_out)
{
	struct ring_ctl hdr;
	void *p;

	if (pread(fd, &hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr))
		return -EIO;
	if (hdr.magic != RING_MAGIC || !hdr.nslots || hdr.nslots > RING_MAX_SLOTS ||
	    hdr.ring_size < RING_MIN_SIZE || hdr.ring_size > RING_MAX_SIZE)
		return -EINVAL;
	p = mmap(NULL, ring_region_size(hdr.nslots, hdr.ring_size),
		 PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	*ctl_out = p;
	return 0;
}

struct ring *ring_slot(struct ring_ctl *ctl, uint32_t i)
{
	return (struct ring *)((uint8_t *)ctl + 4096 + (size_t)i * (SLOT_HDR + ctl->ring_size));
}

uint8_t *ring_data(struct ring *r)
{
	return (uint8_t *)r + SLOT_HDR;
}

static bool ring_take(struct ring *r)
{
	uint32_t expect = RING_FREE;

	return __atomic_load_n(&r->state, __ATOMIC_RELAXED) == RING_FREE &&
	       __atomic_compare_exchange_n(&r->state, &expect, RING_ACTIVE, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

/*
 * A ring given back by a finished thread first, else the next never used
 * one: the parent only looks at rings below `used`, and memory is only
 * touched for rings that were needed.
 */
struct ring *ring_claim(struct ring_ctl *ctl, uint32_t tid)
{
	for (;;) {
		uint32_t used = ring_used(ctl), i;
		struct ring *r = NULL;

		for (i = 0; i < used && !r; i++)
			if (ring_take(ring_slot(ctl, i)))
				r = ring_slot(ctl, i);
		if (!r) {
			i = __atomic_fetch_add(&ctl->used, 1, __ATOMIC_ACQ_REL);
			if (i >= ctl->nslots) {
				__atomic_fetch_add(&ctl->no_slot, 1, __ATOMIC_RELAXED);
				return NULL;
			}
			/* A claimer scanning below `used` may take it first: try again. */
			if (!ring_take(ring_slot(ctl, i)))
				continue;
			r = ring_slot(ctl, i);
		}
		/* tid only after winning: a loser's store could land over the winner's. */
		__atomic_store_n(&r->vcpu, -1, __ATOMIC_RELAXED);
		__atomic_store_n(&r->tid, tid, __ATOMIC_RELEASE);
		return r;
	}
}

void ring_release(struct ring *r)
{
	__atomic_store_n(&r->state, RING_DONE, __ATOMIC_RELEASE);
}

/*
 * A full ring means the parent is behind; waiting keeps the trace whole.
 * Yield first (the parent may be on this CPU), then sleep briefly so a
 * stalled vCPU does not burn the core the parent needs.
 */
static void ring_wait(unsigned int *spins)
{
	if (++*spins < 64) {
		sched_yield();
	} else {
		struct timespec ts = { 0, 50 * 1000 };

		nanosleep(&ts, NULL);
	}
}

/*
 * The recorder's pid is gone (or has exited and waits to be reaped). Asked
 * only after its heartbeat stood still for RING_ORPHAN_NS, so a recorder
 * that is merely stopped or slow is waited for, and a pid that is not ours
 * to see (another pid namespace) cannot by itself make us drop.
 */
static bool recorder_gone(uint32_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	bool gone;

	if (fd < 0)
		return errno == ESRCH || (errno == ENOSYS && kill((pid_t)pid, 0) < 0 &&
					  errno == ESRCH);
	struct pollfd p = { .fd = fd, .events = POLLIN };

	gone = poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
	syscall(SYS_close, fd);  /* not close(): the interposer wraps it */
	return gone;
}

static bool orphaned(struct ring_ctl *ctl, uint64_t *next_check)
{
	uint64_t now;

	if (__atomic_load_n(&ctl->orphaned, __ATOMIC_RELAXED))
		return true;
	now = mono_ns();
	if (now < *next_check)
		return false;
	*next_check = now + RING_ORPHAN_NS / 8;
	if (now - __atomic_load_n(&ctl->heartbeat_ns, __ATOMIC_RELAXED) < RING_ORPHAN_NS ||
	    !recorder_gone(ctl->recorder_pid))
		return false;
	__atomic_store_n(&ctl->orphaned, 1, __ATOMIC_RELAXED);
	return true;
}

/* Slow path only: the ring is full. False: drop the record (counted by the caller). */
static bool ring_wait_space(struct ring_ctl *ctl, struct ring *r, uint64_t need)
{
	uint64_t head = r->head, next_check = 0;
	unsigned int spins = 0;
	bool stalled = false;

	while (head + need - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) > ctl->ring_size) {
		if (ctl->lossy)
			return false;
		/* Nobody will ever drain a dead recorder's ring: run on, and count. */
		if (orphaned(ctl, &next_check)) {
			__atomic_fetch_add(&ctl->orphan_dropped, 1, __ATOMIC_RELAXED);
			return false;
		}
		if (!stalled) {
			stalled = true;
			__atomic_fetch_add(&r->stalls, 1, __ATOMIC_RELAXED);
		}
		ring_wait(&spins);
	}
	return true;
}

void *ring_reserve(struct ring_ctl *ctl, struct ring *r, uint32_t len)
{
	uint64_t size = ctl->ring_size;
	uint64_t pos = r->head & (size - 1);
	uint8_t *data = ring_data(r);

	if (pos + len > size) {
		uint32_t pad = (uint32_t)(size - pos);
		struct raw_hdr *h = (struct raw_hdr *)(data + pos);

		if (!ring_wait_space(ctl, r, pad + len)) {
			if (ctl->lossy)
				__atomic_fetch_add(&r->dropped, 1, __ATOMIC_RELAXED);
			return NULL;
		}
		h->len = pad;
		h->type = RAW_PAD;
		__atomic_store_n(&r->head, r->head + pad, __ATOMIC_RELEASE);
		pos = 0;
	} else if (!ring_wait_space(ctl, r, len)) {
		if (ctl->lossy)
			__atomic_fetch_add(&r->dropped, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	return data + pos;
}

void ring_begin(struct ring *r)
{
	/* A full barrier: the clock read that follows comes after the store. */
	__atomic_exchange_n(&r->busy, 1, __ATOMIC_SEQ_CST);
}

void ring_publish(struct ring *r, uint32_t len)
{
	__atomic_store_n(&r->head, r->head + len, __ATOMIC_RELEASE);
	__atomic_store_n(&r->busy, 0, __ATOMIC_RELEASE);
}

bool ring_busy(struct ring *r)
{
	return __atomic_load_n(&r->busy, __ATOMIC_SEQ_CST);
}

uint64_t ring_avail(struct ring *r)
{
	return __atomic_load_n(&r->head, __ATOMIC_ACQUIRE) - r->tail;
}

const uint8_t *ring_peek(struct ring_ctl *ctl, struct ring *r, uint64_t off, uint64_t *contig)
{
	uint64_t size = ctl->ring_size;
	uint64_t pos = (r->tail + off) & (size - 1);

	*contig = size - pos;
	return ring_data(r) + pos;
}

void ring_consume(struct ring *r, uint64_t len)
{
	__atomic_store_n(&r->tail, r->tail + len, __ATOMIC_RELEASE);
}

void ring_recycle(struct ring *r)
{
	r->head = 0;
	r->tail = 0;
	r->tid = 0;
	r->vcpu = -1;
	r->busy = 0;
	__atomic_store_n(&r->state, RING_FREE, __ATOMIC_RELEASE);
}
