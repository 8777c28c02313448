// SPDX-License-Identifier: GPL-2.0-only
/*
 * preload: the LD_PRELOAD interposer, libkvmrec-preload.so.
 *
 * Wraps ioctl() and the calls that retire or replace fds (close, dup2, dup3,
 * close_range). KVM ioctls on /dev/kvm, VM and vCPU fds are passed to the
 * real ioctl unchanged and then copied, raw, into this thread's ring
 * (ring.h); everything else goes straight through. The VMM sees the same
 * results and the same errno it would see without us. Inert when the process
 * was not started by `kvmrec record` (no ring fd in the environment) and in
 * children the VMM forks without exec; programs exec'd under it (a wrapper
 * exec'ing the real VMM) attach to the same rings.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "fdtab.h"
#include "kvmrec.pb-c.h"
#include "raw.h"
#include "ring.h"

#define EXPORT __attribute__((visibility("default")))
#define TLS __thread __attribute__((tls_model("initial-exec")))

typedef int (*ioctl_fn)(int, unsigned long, ...);
typedef int (*close_fn)(int);
typedef int (*dup2_fn)(int, int);
typedef int (*dup3_fn)(int, int, int);
typedef int (*close_range_fn)(unsigned int, unsigned int, int);

static ioctl_fn real_ioctl;
static close_fn real_close;
static dup2_fn real_dup2;
static dup3_fn real_dup3;
static close_range_fn real_close_range;

static struct ring_ctl *g_ctl;
static pthread_key_t g_ring_key;
static long g_mmap_size;

static TLS struct ring *tl_ring;
static TLS int tl_busy;

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *resolve(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

static void thread_gone(void *p)
{
	struct ring *r = p;

	if (r && g_ctl)
		ring_release(r);
}

static void forked_child(void)
{
	/* The child shares our rings' memory but must not produce into them. */
	g_ctl = NULL;
	tl_ring = NULL;
}

__attribute__((constructor)) static void preload_init(void)
{
	int saved = errno;
	const char *s = getenv(RING_ENV_FD);

	real_ioctl = (ioctl_fn)resolve("ioctl");
	real_close = (close_fn)resolve("close");
	real_dup2 = (dup2_fn)resolve("dup2");
	real_dup3 = (dup3_fn)resolve("dup3");
	real_close_range = (close_range_fn)resolve("close_range");
	if (s) {
		char *end;
		long fd = strtol(s, &end, 10);
		struct ring_ctl *ctl;

		/* Without our key a thread's slot could not be given back: stay inert. */
		if (*end == '\0' && fd >= 0 && ring_region_attach((int)fd, &ctl) == 0 &&
		    pthread_key_create(&g_ring_key, thread_gone) == 0) {
			pthread_atfork(NULL, NULL, forked_child);
			__atomic_store_n(&ctl->attached_pid, (uint32_t)getpid(), __ATOMIC_RELEASE);
			g_ctl = ctl;
		}
		/*
		 * The fd and the variable stay: a wrapper (taskset, unshare, a
		 * shell script) execs the real VMM, which must find them too.
		 * Each process claims its own slots, so they can share the rings.
		 */
	}
	errno = saved;
}

static struct ring *my_ring(void)
{
	struct ring *r = tl_ring;

	if (r)
		return r;
	r = ring_claim(g_ctl, (uint32_t)gettid());
	if (r) {
		tl_ring = r;
		pthread_setspecific(g_ring_key, r);
	}
	return r;
}

/* ------------------------------------------------------------------------- */
/* kvm_run mapping: our own view of the vCPU's shared page. */

static long mmap_size(void)
{
	long sz = __atomic_load_n(&g_mmap_size, __ATOMIC_RELAXED);

	if (sz > 0)
		return sz;
	int kfd = (int)syscall(SYS_openat, AT_FDCWD, "/dev/kvm", O_RDWR | O_CLOEXEC);

	if (kfd < 0)
		return -1;
	sz = real_ioctl(kfd, KVM_GET_VCPU_MMAP_SIZE, 0);
	syscall(SYS_close, kfd);
	if (sz > 0)
		__atomic_store_n(&g_mmap_size, sz, __ATOMIC_RELAXED);
	return sz;
}

static struct kvm_run *vcpu_run(int fd, struct fdtab_ent *e)
{
	struct kvm_run *run = __atomic_load_n(&e->run, __ATOMIC_ACQUIRE);
	long sz;
	void *p;

	if (run)
		return run;
	sz = mmap_size();
	if (sz <= 0)
		return NULL;
	p = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	e->run_size = (size_t)sz;
	__atomic_store_n(&e->run, (struct kvm_run *)p, __ATOMIC_RELEASE);
	return p;
}

static void fd_forget(int fd)
{
	struct fdtab_ent *e = fdtab_get(fd);
	struct kvm_run *run;

	if (!e)
		return;
	run = __atomic_exchange_n(&e->run, NULL, __ATOMIC_ACQ_REL);
	if (run)
		munmap(run, e->run_size);
	fdtab_clear(e);
}

/* ------------------------------------------------------------------------- */
/* What is recorded. */

/*
 * Argument bytes to copy for a recorded ioctl; -1: not recorded. Integer
 * arguments (_IO requests) are stored as 8 bytes by the caller. @nr is the
 * entry count of a KVM_SET_GSI_ROUTING table as read (safely) by the caller.
 */
static long ioctl_arg_len(uint32_t req, uint32_t nr)
{
	switch (req) {
	case KVM_IRQ_LINE_STATUS:
		return 16;
	case KVM_INTERRUPT:
	case KVM_IRQ_LINE:
	case KVM_SIGNAL_MSI:
	case KVM_IRQFD:
	case KVM_GET_VCPU_EVENTS:
	case KVM_SET_VCPU_EVENTS:
	case KVM_GET_LAPIC:
	case KVM_SET_LAPIC:
	case KVM_ENABLE_CAP:
	case KVM_TPR_ACCESS_REPORTING:
	case KVM_SET_VAPIC_ADDR:
		return _IOC_SIZE(req);
	case KVM_SET_GSI_ROUTING: {
		uint64_t n = sizeof(struct kvm_irq_routing) +
			     (uint64_t)nr * sizeof(struct kvm_irq_routing_entry);

		return (long)(n > RAW_MAX_ARG ? RAW_MAX_ARG : n);
	}
	case KVM_SET_CPUID2:
		return sizeof(struct kvm_cpuid2);
	case KVM_NMI:
	case KVM_CREATE_IRQCHIP:
		return 0;
	case KVM_CREATE_VM:
	case KVM_CREATE_VCPU:
		return 8;
	default:
		return -1;
	}
}

/*
 * Copies @n bytes of the VMM's argument without ever faulting: a bad or
 * partly unmapped pointer that the kernel answered with EFAULT must not
 * become our SIGSEGV. process_vm_readv() on ourselves reads through the
 * kernel's own user-copy and fails instead. A syscall, so only where the
 * kernel did not already prove the buffer good (see arg_copy()).
 */
static bool arg_read(void *dst, const void *src, size_t n)
{
	struct iovec l = { dst, n }, r = { (void *)src, n };

	if (!n)
		return true;
	if (!src)
		return false;
	return syscall(SYS_process_vm_readv, getpid(), &l, 1UL, &r, 1UL, 0UL) == (long)n;
}

/*
 * A recorded ioctl that succeeded had the kernel copy its whole argument
 * (the lengths of ioctl_arg_len() are what KVM itself reads or writes), so
 * a plain copy cannot fault; one that failed may have failed on the buffer.
 */
static bool arg_copy(void *dst, const void *src, size_t n, bool accepted)
{
	if (!accepted)
		return arg_read(dst, src, n);
	memcpy(dst, src, n);
	return true;
}

static bool is_int_arg(uint32_t req)
{
	return req == KVM_CREATE_VM || req == KVM_CREATE_VCPU;
}

/* KVM_IRQ_LINE_STATUS as recorded: gsi as passed in, status as returned. */
struct kvm_irq_level_status {
	uint32_t irq;
	uint32_t level;
	int32_t status;
	uint32_t pad;
};

/*
 * @before: the argument as it was before the call (KVM_IRQ_LINE_STATUS), or
 * NULL; @alen 0 with a pointer argument records the call without payload.
 */
static void record_ioctl(struct fdtab_ent *e, uint32_t req, void *arg,
			 long alen, int ret, int err, const void *before)
{
	struct ring *r = my_ring();
	uint32_t len;
	struct raw_hdr *h;

	if (!r)
		return;
	len = sizeof(*h) + RAW_ALIGN((uint32_t)alen);
	h = ring_reserve(g_ctl, r, len);
	if (!h)
		return;
	ring_begin(r);
	h->type = RAW_IOCTL;
	h->fdkind = e->kind;
	h->vcpu = e->kind == RAW_FD_VCPU ? e->vcpu : -1;
	h->req = req;
	h->ret = ret;
	h->err = ret < 0 ? err : 0;
	h->arglen = (uint32_t)alen;
	if (alen && is_int_arg(req)) {
		uint64_t v = (uint64_t)(unsigned long)arg;

		memcpy(h + 1, &v, 8);
	} else if (alen && before) {
		memcpy(h + 1, before, (size_t)alen);
	} else if (!alen || !arg_copy(h + 1, arg, (size_t)alen, ret >= 0)) {
		/*
		 * What the kernel could not read is not evidence: the call
		 * without it, or with the routing table's header, which says
		 * how many entries the VMM claimed.
		 */
		uint32_t keep = req == (uint32_t)KVM_SET_GSI_ROUTING && alen > 8 &&
				arg_read(h + 1, arg, 8) ? 8 : 0;

		h->arglen = keep;
		len = sizeof(*h) + keep;
	}
	h->len = len;
	h->ts = now_ns();
	ring_publish(r, len);
}

/* At KVM_RUN entry: what userspace answered to the last IN, MMIO read or RDMSR. */
static void record_entry_data(struct ring *r, struct fdtab_ent *e, struct kvm_run *run)
{
	uint32_t dlen = e->pending_len;
	uint8_t msr[16] = { 0 };
	const uint8_t *src;
	struct raw_hdr *h;
	uint32_t len;

	if (e->pending == RAW_PENDING_IN) {
		if (e->pending_off + dlen > e->run_size)
			dlen = 0;
		src = (const uint8_t *)run + e->pending_off;
	} else if (e->pending == RAW_PENDING_RDMSR) {
		memcpy(msr, &run->msr.data, 8);
		msr[8] = run->msr.error;
		dlen = 9;
		src = msr;
	} else {
		if (dlen > 8)
			dlen = 8;
		src = run->mmio.data;
	}
	len = sizeof(*h) + RAW_ALIGN(dlen);
	h = ring_reserve(g_ctl, r, len);
	if (!h)
		return;
	ring_begin(r);
	h->len = len;
	h->type = RAW_RUN_ENTRY;
	h->fdkind = RAW_FD_VCPU;
	h->vcpu = e->vcpu;
	h->req = (uint32_t)KVM_RUN;
	h->ret = 0;
	h->err = 0;
	h->arglen = dlen;
	memcpy(h + 1, src, dlen);
	h->ts = now_ns();
	ring_publish(r, len);
}

/* What the entry side of one KVM_RUN leaves for its RAW_RUN record. */
struct run_entry {
	uint64_t t0;          /* entry time, 0 unless run_times */
	uint64_t cr8_in;      /* the cr8 userspace handed in */
	uint16_t flags;       /* KVMREC__RUN_FLAG bits */
};

/* Before the call: what userspace answered to the last exit, and what it asked of this entry. */
static void run_enter(struct ring *r, struct fdtab_ent *e, struct kvm_run *run,
		      struct run_entry *in)
{
	if (r->vcpu != e->vcpu)
		__atomic_store_n(&r->vcpu, e->vcpu, __ATOMIC_RELAXED);
	if (e->pending) {
		record_entry_data(r, e, run);
		e->pending = RAW_PENDING_NONE;
	}
	if (run->request_interrupt_window)
		in->flags |= KVMREC__RUN_FLAG__RUN_REQUEST_IRQ_WINDOW;
	if (run->immediate_exit)
		in->flags |= KVMREC__RUN_FLAG__RUN_IMMEDIATE_EXIT;
	in->cr8_in = run->cr8;
}

/*
 * After the call: the bytes an OUT wrote (*@dsrc, the length returned), or,
 * for an exit whose answer userspace gives at the next entry, what to take
 * then (e->pending).
 */
static uint32_t run_exit_data(struct fdtab_ent *e, struct kvm_run *run, uint32_t reason,
			      int ret, const uint8_t **dsrc)
{
	if (ret == 0 && reason == KVM_EXIT_IO) {
		uint64_t n = (uint64_t)run->io.size * run->io.count;

		if (n > RAW_MAX_ARG || run->io.data_offset + n > e->run_size)
			n = 0;
		if (run->io.direction == KVM_EXIT_IO_OUT) {
			*dsrc = (const uint8_t *)run + run->io.data_offset;
			return (uint32_t)n;
		}
		e->pending = RAW_PENDING_IN;
		e->pending_off = run->io.data_offset;
		e->pending_len = (uint32_t)n;
	} else if (ret == 0 && reason == KVM_EXIT_MMIO && !run->mmio.is_write) {
		e->pending = RAW_PENDING_MMIO_READ;
		e->pending_len = run->mmio.len;
	} else if (ret == 0 && reason == KVM_EXIT_X86_RDMSR) {
		e->pending = RAW_PENDING_RDMSR;
	}
	return 0;
}

/* The RAW_RUN record: header, fixed part, the union as the kernel left it, an OUT's data. */
static void run_publish(struct ring *r, struct fdtab_ent *e, struct kvm_run *run,
			uint32_t reason, int ret, int err, const struct run_entry *in,
			const uint8_t *dsrc, uint32_t dlen)
{
	uint32_t ulen = raw_exit_union_len(reason);
	uint32_t len = sizeof(struct raw_hdr) + sizeof(struct raw_run) + ulen + RAW_ALIGN(dlen);
	struct raw_hdr *h = ring_reserve(g_ctl, r, len);
	struct raw_run *x;
	uint16_t flags = in->flags;

	if (!h)
		return;
	x = (struct raw_run *)(h + 1);
	ring_begin(r);
	h->len = len;
	h->type = RAW_RUN;
	h->fdkind = RAW_FD_VCPU;
	h->vcpu = e->vcpu;
	h->req = (uint32_t)KVM_RUN;
	h->ret = ret;
	h->err = ret < 0 ? err : 0;
	h->arglen = ulen + dlen;
	x->entry_ts = in->t0;
	x->cr8_in = in->cr8_in;
	x->cr8 = run->cr8;
	x->apic_base = run->apic_base;
	x->exit_reason = reason;
	if (run->ready_for_interrupt_injection)
		flags |= KVMREC__RUN_FLAG__RUN_READY_FOR_INJECTION;
	if (run->if_flag)
		flags |= KVMREC__RUN_FLAG__RUN_IF_FLAG;
	x->flags = flags;
	x->run_flags = run->flags;
	x->union_len = ulen;
	x->data_len = dlen;
	memcpy(x + 1, &run->hw, ulen);
	if (dlen)
		memcpy((uint8_t *)(x + 1) + ulen, dsrc, dlen);
	h->ts = now_ns();
	ring_publish(r, len);
}

/* @saved: the VMM's errno, which a successful KVM_RUN must leave as it was. */
static int run_recorded(int fd, unsigned long request, void *arg, struct fdtab_ent *e,
			int saved)
{
	struct kvm_run *run = vcpu_run(fd, e);
	struct ring *r = my_ring();
	struct run_entry in = { 0 };
	const uint8_t *dsrc = NULL;
	uint32_t reason, dlen;
	int ret, err;

	if (!run || !r) {
		if (!run)
			__atomic_fetch_add(&g_ctl->no_run_map, 1, __ATOMIC_RELAXED);
		errno = saved;
		return real_ioctl(fd, request, arg);
	}
	tl_busy = 1;
	run_enter(r, e, run, &in);
	tl_busy = 0;
	/* A clock read costs half the per-exit budget: only when asked for. */
	in.t0 = g_ctl->run_times ? now_ns() : 0;

	errno = saved;
	ret = real_ioctl(fd, request, arg);
	err = errno;

	tl_busy = 1;
	reason = run->exit_reason;
	dlen = run_exit_data(e, run, reason, ret, &dsrc);
	run_publish(r, e, run, reason, ret, err, &in, dsrc, dlen);
	tl_busy = 0;
	errno = err;
	return ret;
}

/* ------------------------------------------------------------------------- */
/* The wrappers. */

EXPORT int ioctl(int fd, unsigned long request, ...)
{
	uint32_t req = (uint32_t)request;  /* QEMU sign-extends request numbers */
	struct kvm_irq_level_status before;
	struct fdtab_ent *e;
	va_list ap;
	void *arg;
	long alen;
	int ret, err, saved;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!real_ioctl)
		real_ioctl = (ioctl_fn)resolve("ioctl");
	if (_IOC_TYPE(req) != KVMIO || !g_ctl || tl_busy) {
		if (g_ctl && tl_busy && _IOC_TYPE(req) == KVMIO)
			__atomic_fetch_add(&g_ctl->reentrant, 1, __ATOMIC_RELAXED);
		return real_ioctl(fd, request, arg);
	}
	/* Classifying the fd or mapping kvm_run may touch errno; the VMM must not see it. */
	saved = errno;
	e = fdtab_lookup(fd);
	if (!e) {
		errno = saved;
		return real_ioctl(fd, request, arg);
	}
	if (req == (uint32_t)KVM_RUN && e->kind == RAW_FD_VCPU)
		return run_recorded(fd, request, arg, e, saved);

	/*
	 * KVM_IRQ_LINE_STATUS writes the status over the gsi: keep the gsi. Read
	 * before the kernel has seen the buffer, so never directly.
	 */
	bool line_status = req == (uint32_t)KVM_IRQ_LINE_STATUS;
	bool have_before = line_status && arg_read(&before, arg, 8);

	errno = saved;
	ret = real_ioctl(fd, request, arg);
	err = errno;
	if (have_before) {
		int32_t status;

		before.pad = 0;
		before.status = 0;
		/* status shares the gsi's place, first in struct kvm_irq_level. */
		if (ret >= 0 && arg_copy(&status, arg, sizeof(status), true))
			before.status = status;
	}
	if (req == (uint32_t)KVM_GET_VCPU_MMAP_SIZE && ret > 0)
		__atomic_store_n(&g_mmap_size, (long)ret, __ATOMIC_RELAXED);
	if (ret >= 0 && req == (uint32_t)KVM_CREATE_VM) {
		fd_forget(ret);
		fdtab_set(ret, RAW_FD_VM, -1);
	}
	if (ret >= 0 && req == (uint32_t)KVM_CREATE_VCPU) {
		fd_forget(ret);
		fdtab_set(ret, RAW_FD_VCPU, (int32_t)(unsigned long)arg);
	}
	uint32_t nr = 0;

	/* nr leads struct kvm_irq_routing: read at arg itself, never through a NULL. */
	_Static_assert(offsetof(struct kvm_irq_routing, nr) == 0, "kvm_irq_routing.nr moved");
	if (req == (uint32_t)KVM_SET_GSI_ROUTING && !arg_copy(&nr, arg, sizeof(nr), ret >= 0))
		nr = 0;
	alen = ioctl_arg_len(req, nr);
	if (alen >= 0) {
		tl_busy = 1;
		if (line_status && !have_before)
			alen = 0;
		record_ioctl(e, req, arg, alen, ret, err, have_before ? &before : NULL);
		tl_busy = 0;
	}
	errno = err;
	return ret;
}

EXPORT int close(int fd)
{
	if (!real_close)
		real_close = (close_fn)resolve("close");
	if (g_ctl) {
		int saved = errno;

		fd_forget(fd);
		errno = saved;
	}
	return real_close(fd);
}

EXPORT int dup2(int oldfd, int newfd)
{
	if (!real_dup2)
		real_dup2 = (dup2_fn)resolve("dup2");
	if (g_ctl && oldfd != newfd) {
		int saved = errno;

		fd_forget(newfd);
		errno = saved;
	}
	return real_dup2(oldfd, newfd);
}

EXPORT int dup3(int oldfd, int newfd, int flags)
{
	if (!real_dup3)
		real_dup3 = (dup3_fn)resolve("dup3");
	if (g_ctl && oldfd != newfd) {
		int saved = errno;

		fd_forget(newfd);
		errno = saved;
	}
	return real_dup3(oldfd, newfd, flags);
}

EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
	if (!real_close_range)
		real_close_range = (close_range_fn)resolve("close_range");
	if (g_ctl && !(flags & CLOSE_RANGE_CLOEXEC)) {
		int saved = errno;

		for (unsigned int fd = first; fd <= last && fd < FDTAB_SIZE; fd++)
			fd_forget((int)fd);
		errno = saved;
	}
	if (!real_close_range) {
		errno = ENOSYS;
		return -1;
	}
	return real_close_range(first, last, flags);
}
