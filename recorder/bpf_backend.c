// SPDX-License-Identifier: GPL-2.0-only
/*
 * The loader. The skeleton (kvmrec.skel.h) and vmlinux.h are generated at
 * build time from this kernel's BTF; nothing generated is in the tree.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/kvmrec_bpf.h"
#include "bpf_backend.h"
#include "kvmrec.pb-c.h"
#include "kvmrec.skel.h"
#include "raw.h"

/* The numbers the BPF side spells out must be the UAPI's. */
_Static_assert(BREC_KVM_CREATE_VM == KVM_CREATE_VM, "KVM_CREATE_VM");
_Static_assert(BREC_KVM_CREATE_VCPU == KVM_CREATE_VCPU, "KVM_CREATE_VCPU");
_Static_assert(BREC_KVM_RUN == KVM_RUN, "KVM_RUN");
_Static_assert(BREC_KVM_CREATE_IRQCHIP == KVM_CREATE_IRQCHIP, "KVM_CREATE_IRQCHIP");
_Static_assert(BREC_KVM_NMI == KVM_NMI, "KVM_NMI");
_Static_assert(BREC_KVM_INTERRUPT == KVM_INTERRUPT, "KVM_INTERRUPT");
_Static_assert(BREC_KVM_IRQ_LINE == KVM_IRQ_LINE, "KVM_IRQ_LINE");
_Static_assert(BREC_KVM_IRQ_LINE_STATUS == KVM_IRQ_LINE_STATUS, "KVM_IRQ_LINE_STATUS");
_Static_assert(BREC_KVM_SIGNAL_MSI == KVM_SIGNAL_MSI, "KVM_SIGNAL_MSI");
_Static_assert(BREC_KVM_IRQFD == KVM_IRQFD, "KVM_IRQFD");
_Static_assert(BREC_KVM_GET_VCPU_EVENTS == KVM_GET_VCPU_EVENTS, "KVM_GET_VCPU_EVENTS");
_Static_assert(BREC_KVM_SET_VCPU_EVENTS == KVM_SET_VCPU_EVENTS, "KVM_SET_VCPU_EVENTS");
_Static_assert(BREC_KVM_GET_LAPIC == KVM_GET_LAPIC, "KVM_GET_LAPIC");
_Static_assert(BREC_KVM_SET_LAPIC == KVM_SET_LAPIC, "KVM_SET_LAPIC");
_Static_assert(BREC_KVM_ENABLE_CAP == KVM_ENABLE_CAP, "KVM_ENABLE_CAP");
_Static_assert(BREC_KVM_TPR_ACCESS_REPORTING == KVM_TPR_ACCESS_REPORTING, "TPR_ACCESS_REPORTING");
_Static_assert(BREC_KVM_SET_VAPIC_ADDR == KVM_SET_VAPIC_ADDR, "KVM_SET_VAPIC_ADDR");
_Static_assert(BREC_KVM_SET_GSI_ROUTING == KVM_SET_GSI_ROUTING, "KVM_SET_GSI_ROUTING");
_Static_assert(BREC_KVM_SET_CPUID2 == KVM_SET_CPUID2, "KVM_SET_CPUID2");
_Static_assert(BREC_ROUTE_ENTRY == sizeof(struct kvm_irq_routing_entry), "routing entry");
_Static_assert(BREC_EXIT_IO == KVM_EXIT_IO && BREC_EXIT_MMIO == KVM_EXIT_MMIO &&
	       BREC_EXIT_X86_RDMSR == KVM_EXIT_X86_RDMSR, "exit reasons");
_Static_assert(BREC_IO_IN == KVM_EXIT_IO_IN && BREC_IO_OUT == KVM_EXIT_IO_OUT, "io direction");
_Static_assert(BREC_PIO_PAGE == KVM_PIO_PAGE_OFFSET * 4096, "PIO page");
_Static_assert(BREC_RUN_REQUEST_IRQ_WINDOW == KVMREC__RUN_FLAG__RUN_REQUEST_IRQ_WINDOW &&
	       BREC_RUN_IMMEDIATE_EXIT == KVMREC__RUN_FLAG__RUN_IMMEDIATE_EXIT &&
	       BREC_RUN_READY_FOR_INJECTION == KVMREC__RUN_FLAG__RUN_READY_FOR_INJECTION &&
	       BREC_RUN_IF_FLAG == KVMREC__RUN_FLAG__RUN_IF_FLAG, "RunFlag bits");
_Static_assert((int)BPF_BACKEND_NDROPS == (int)BREC_NDROPS, "drop reasons");
#define BREC_EXIT_CHECK(name, val) \
	_Static_assert(KVM_EXIT_##name == (val), "KVM_EXIT_" #name);
BREC_EXIT_REASONS(BREC_EXIT_CHECK)
#undef BREC_EXIT_CHECK

#define MAX_THREADS 4096

struct bpf_backend {
	struct kvmrec_bpf *skel;
	struct ring_buffer *rb;
	struct ring_ctl *ctl;       /* during a pump */
	uint32_t tids[MAX_THREADS];
	struct ring *rings[MAX_THREADS];
	uint32_t nthreads;
	uint32_t last;              /* index of the last thread served */
	long moved;
	int ncpus;
	/*
	 * A record libbpf handed over when its thread's ring was full. libbpf
	 * consumes a sample even when the callback refuses it, so it is kept
	 * here, and nothing more is taken from the BPF ring buffer until it is
	 * placed: one held record keeps the trace whole and in order.
	 */
	uint32_t held_tid;
	uint32_t held_len;          /* 0: none */
	uint64_t held[BREC_SCRATCH / 8];
};

const char *bpf_backend_drop_what(enum bpf_backend_drop d)
{
	switch (d) {
	case BPF_BACKEND_DROP_RINGBUF:
		return "BPF ring buffer full (--ring-size)";
	case BPF_BACKEND_DROP_INFLIGHT:
		return "KVM_RUN entry state not kept (BPF map full)";
	case BPF_BACKEND_DROP_READ:
		return "kvm_run or an ioctl argument unreadable from BPF";
	default:
		return "BPF record lost";
	}
}

/* libbpf talks only when asked (KVMREC_BPF_VERBOSE=1): the verifier log is for developers. */
static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static int verbose = -1;

	if (verbose < 0)
		verbose = getenv("KVMREC_BPF_VERBOSE") != NULL;
	if (!verbose || level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int why_errno(int err, char *why, size_t whylen, const char *what)
{
	if (err == -EACCES && strstr(what, "load"))
		snprintf(why, whylen, "%s: the kernel's verifier refused the program "
			 "(KVMREC_BPF_VERBOSE=1 shows its log)", what);
	else if (err == -EPERM || err == -EACCES)
		snprintf(why, whylen,
			 "%s: no permission to use BPF (needs root, or CAP_BPF and CAP_PERFMON)",
			 what);
	else if (err == -ENOENT)
		snprintf(why, whylen, "%s: the syscalls:sys_enter_ioctl tracepoint is not there "
			 "(no tracefs, or a kernel without CONFIG_FTRACE_SYSCALLS)", what);
	else if (err == -ENOSYS)
		snprintf(why, whylen, "%s: this kernel has no BPF (CONFIG_BPF_SYSCALL)", what);
	else
		snprintf(why, whylen, "%s: %s", what, strerror(-err));
	return err;
}

static struct kvmrec_bpf *load(pid_t tgid, uint64_t rb_size, int run_times, int follow_forks,
			       char *why, size_t whylen, int *err)
{
	struct kvmrec_bpf *skel;

	libbpf_set_print(libbpf_log);
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		*err = -ENOENT;
		snprintf(why, whylen, "BPF backend: no kernel BTF at /sys/kernel/btf/vmlinux "
			 "(kernel built without CONFIG_DEBUG_INFO_BTF)");
		return NULL;
	}
	skel = kvmrec_bpf__open();
	if (!skel) {
		*err = why_errno(-errno, why, whylen, "BPF backend: open");
		return NULL;
	}
	skel->rodata->target_tgid = (uint32_t)tgid;
	skel->rodata->run_times = run_times ? 1 : 0;
	skel->rodata->follow_forks = follow_forks ? 1 : 0;
	*err = bpf_map__set_max_entries(skel->maps.rb, (uint32_t)(rb_size ? rb_size
								   : BPF_BACKEND_DEFAULT_RB));
	if (!*err)
		*err = kvmrec_bpf__load(skel);
	if (*err) {
		why_errno(*err, why, whylen, "BPF backend: load");
		kvmrec_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

int bpf_backend_probe(char *why, size_t whylen)
{
	struct kvmrec_bpf *skel;
	int err;

	skel = load(0, 0, 0, 0, why, whylen, &err);
	if (!skel)
		return err;
	kvmrec_bpf__destroy(skel);
	if (access("/sys/kernel/tracing/events/syscalls/sys_enter_ioctl", F_OK) &&
	    access("/sys/kernel/debug/tracing/events/syscalls/sys_enter_ioctl", F_OK))
		return why_errno(-ENOENT, why, whylen, "BPF backend");
	return 0;
}

/*
 * The ring of thread @tid, claimed on its first record; NULL when there is
 * none, and then the record is lost and counted in no_slot, as the
 * interposer counts it (ring_claim() counts the first).
 */
static struct ring *thread_ring(struct bpf_backend *b, uint32_t tid)
{
	struct ring *r;

	if (b->last >= b->nthreads || b->tids[b->last] != tid)
		for (b->last = 0; b->last < b->nthreads; b->last++)
			if (b->tids[b->last] == tid)
				break;
	if (b->last < b->nthreads) {
		r = b->rings[b->last];
		if (!r)
			__atomic_fetch_add(&b->ctl->no_slot, 1, __ATOMIC_RELAXED);
		return r;
	}
	if (b->nthreads == MAX_THREADS) {
		__atomic_fetch_add(&b->ctl->no_slot, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	r = ring_claim(b->ctl, tid);
	b->tids[b->nthreads] = tid;
	b->rings[b->nthreads] = r;
	b->last = b->nthreads++;
	return r;
}

/* Copies one raw record into its thread's ring; -EAGAIN when that ring has no room now. */
static int place(struct bpf_backend *b, uint32_t tid, const struct raw_hdr *h)
{
	struct ring *r = thread_ring(b, tid);
	void *dst;

	if (!r)
		return 0;
	/* Never wait here: the parent is this ring's consumer too. Leave it for the next pass. */
	if (ring_avail(r) + 2ull * h->len > b->ctl->ring_size)
		return -EAGAIN;
	dst = ring_reserve(b->ctl, r, h->len);
	if (!dst)
		return -EAGAIN;
	ring_begin(r);
	memcpy(dst, h, h->len);
	if (h->type == RAW_RUN && h->vcpu >= 0 && r->vcpu != h->vcpu)
		__atomic_store_n(&r->vcpu, h->vcpu, __ATOMIC_RELAXED);
	ring_publish(r, h->len);
	b->moved++;
	return 0;
}

/* The thread is gone: once drained, its ring serves the next new thread (ring_recycle()). */
static void thread_gone(struct bpf_backend *b, uint32_t tid)
{
	for (uint32_t i = 0; i < b->nthreads; i++) {
		if (b->tids[i] != tid)
			continue;
		if (b->rings[i])
			ring_release(b->rings[i]);
		b->nthreads--;
		b->tids[i] = b->tids[b->nthreads];
		b->rings[i] = b->rings[b->nthreads];
		b->last = 0;
		return;
	}
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct bpf_backend *b = ctx;
	const struct brec_prefix *p = data;
	const struct raw_hdr *h = (const void *)(p + 1);

	if (size >= sizeof(*p) && p->what == BREC_THREAD_EXIT) {
		thread_gone(b, p->tid);
		return 0;
	}
	if (size < sizeof(*p) + sizeof(*h) || p->what != BREC_RECORD || h->len < sizeof(*h) || (h->len & 7) ||
	    h->len > size - sizeof(*p) || h->len > sizeof(b->held))
		return 0;  /* not ours to trust; the kernel wrote it, so this does not happen */
	if (place(b, p->tid, h) == 0)
		return 0;
	/* libbpf has consumed it already: keep it, and stop this pass. */
	b->held_tid = p->tid;
	b->held_len = h->len;
	memcpy(b->held, h, h->len);
	return -EAGAIN;
}

int bpf_backend_open(pid_t tgid, uint64_t rb_size, int run_times, int follow_forks,
		     struct bpf_backend **out, char *why, size_t whylen)
{
	struct bpf_backend *b = calloc(1, sizeof(*b));
	int err;

	*out = NULL;
	if (!b)
		return -ENOMEM;
	b->skel = load(tgid, rb_size, run_times, follow_forks, why, whylen, &err);
	if (!b->skel) {
		free(b);
		return err;
	}
	err = kvmrec_bpf__attach(b->skel);
	if (err) {
		why_errno(err, why, whylen, "BPF backend: attach");
		goto fail;
	}
	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.rb), on_sample, b, NULL);
	if (!b->rb) {
		err = why_errno(-errno, why, whylen, "BPF backend: ring buffer");
		goto fail;
	}
	b->ncpus = libbpf_num_possible_cpus();
	if (b->ncpus <= 0) {
		err = why_errno(b->ncpus ? b->ncpus : -EINVAL, why, whylen, "BPF backend: CPUs");
		goto fail;
	}
	*out = b;
	return 0;
fail:
	bpf_backend_close(b);
	return err;
}

long bpf_backend_pump(struct bpf_backend *b, struct ring_ctl *ctl)
{
	b->ctl = ctl;
	b->moved = 0;
	if (b->held_len) {
		if (place(b, b->held_tid, (const struct raw_hdr *)b->held))
			return 0;  /* still no room: the BPF ring buffer waits behind it */
		b->held_len = 0;
	}
	ring_buffer__consume(b->rb);
	return b->moved;
}

bool bpf_backend_held(const struct bpf_backend *b)
{
	return b->held_len != 0;
}

void bpf_backend_drops(struct bpf_backend *b, uint64_t out[BPF_BACKEND_NDROPS])
{
	uint64_t v[b->ncpus];

	for (uint32_t k = 0; k < BPF_BACKEND_NDROPS; k++) {
		out[k] = 0;
		if (bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.drops), &k, v))
			continue;
		for (int c = 0; c < b->ncpus; c++)
			out[k] += v[c];
	}
}

void bpf_backend_detach(struct bpf_backend *b)
{
	kvmrec_bpf__detach(b->skel);
}

void bpf_backend_close(struct bpf_backend *b)
{
	if (!b)
		return;
	ring_buffer__free(b->rb);
	kvmrec_bpf__destroy(b->skel);
	free(b);
}
