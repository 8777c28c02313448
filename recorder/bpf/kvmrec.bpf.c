// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmrec.bpf.c: the kernel side of `kvmrec record --backend bpf` and
 * `record --pid`. On syscalls:sys_enter_ioctl / sys_exit_ioctl of one
 * process (target_tgid) it writes the same raw records the interposer writes
 * (raw.h) into a BPF ring buffer for the recorder parent.
 *
 * A KVM fd is recognised in the kernel, at each call, from the file behind
 * it: "kvm", "kvm-vm" or "kvm-vcpu:N" (the names KVM gives its files), so
 * fds that were dup'd, inherited, passed over a socket or opened before an
 * attach need nobody's help. The vCPU's kvm_run and PIO page are read through
 * the vCPU itself (file->private_data), the pages the VMM has mapped; ioctl
 * arguments with bpf_probe_read_user after the call. fd, request and argument
 * are taken from the task's saved registers at exit, so a KVM_RUN already in
 * progress when the program was attached is still recorded when it returns
 * (without its entry state). Nothing here can block: a full ring buffer loses
 * the record and counts it (drops[]).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

typedef __u8 uint8_t;
typedef __u16 uint16_t;
typedef __u32 uint32_t;
typedef __u64 uint64_t;
typedef __s32 int32_t;
typedef __s64 int64_t;

#include "kvmrec_bpf.h"
#include "raw.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 target_tgid = 0;
const volatile __u32 run_times = 0;
const volatile __u32 follow_forks = 0;  /* a VMM we start may be forked by a wrapper */

/* Processes forked by the target (and theirs), when following forks. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);             /* tgid */
	__type(value, __u32);
} followed SEC(".maps");

__u32 nfollowed = 0;

#define RUN_UNION_OFF 32
#define HDR_OFF sizeof(struct brec_prefix)
#define ARG_OFF (HDR_OFF + sizeof(struct raw_hdr))
#define UNION_OFF (ARG_OFF + sizeof(struct raw_run))

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 24);   /* resized by the loader (--ring-size) */
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BREC_NDROPS);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

struct scratch {
	__u8 b[BREC_SCRATCH];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

/* What a thread's KVM_RUN or KVM_IRQ_LINE_STATUS looked like on entry. */
struct inflight {
	__u64 entry_ts;
	__u64 cr8_in;
	__u32 req;
	__u16 flags;
	__u16 valid;
	__u32 irq, level;   /* KVM_IRQ_LINE_STATUS: the gsi is overwritten by the status */
	struct kvm_vcpu *v; /* KVM_RUN: the vCPU, so the exit need not look it up again */
	__s32 vcpu;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);             /* tid */
	__type(value, struct inflight);
} inflight SEC(".maps");

/* An exit whose data the VMM supplies in kvm_run before the next entry. */
struct pending {
	__u32 kind;   /* enum raw_pending */
	__u32 off;    /* IN: offset in the PIO page */
	__u32 len;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);             /* struct kvm_vcpu * */
	__type(value, struct pending);
} pending SEC(".maps");

struct kvmfd {
	__u32 kind;   /* enum raw_fdkind */
	__s32 vcpu;
	struct kvm_vcpu *v;
};

struct enter_ctx {
	__u64 common;
	__s32 nr;
	__u32 pad;
	__u64 fd, cmd, arg;
};

struct exit_ctx {
	__u64 common;
	__s32 nr;
	__u32 pad;
	__s64 ret;
};

static __always_inline void count_drop(__u32 why)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &why);

	if (n)
		(*n)++;
}

static __always_inline bool is_ours(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (tgid == target_tgid)
		return true;
	/* Every process's ioctls come here: only a recording that followed a fork looks further. */
	return nfollowed && bpf_map_lookup_elem(&followed, &tgid);
}

/* `kvmrec record -- timeout 30 qemu ...`: the wrapper forks the VMM. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(kvmrec_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid, one = 1;

	if (!follow_forks || ctgid == ptgid)
		return 0;  /* not following, or a new thread: its process is already covered */
	if (ptgid != target_tgid && !bpf_map_lookup_elem(&followed, &ptgid))
		return 0;
	if (bpf_map_update_elem(&followed, &ctgid, &one, BPF_ANY) == 0)
		__sync_fetch_and_add(&nfollowed, 1);
	return 0;
}

/*
 * A thread of the VMM ends (sched_process_exit fires for every thread): the
 * parent gives its ring back once drained, after every record the thread
 * wrote, since they share this ring buffer. A KVM_RUN it never returned
 * from leaves no entry state behind.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(kvmrec_thread_exit, struct task_struct *task)
{
	struct brec_prefix p;

	if (!is_ours())
		return 0;
	p.tid = (__u32)bpf_get_current_pid_tgid();
	p.what = BREC_THREAD_EXIT;
	bpf_map_delete_elem(&inflight, &p.tid);
	if (bpf_ringbuf_output(&rb, &p, sizeof(p), BPF_RB_NO_WAKEUP))
		count_drop(BREC_DROP_RINGBUF);
	return 0;
}

static __always_inline int classify(__u32 fd, struct kvmfd *k)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **arr;
	struct file *f = NULL;
	const unsigned char *np;
	char n[12] = {};

	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return -1;
	arr = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &arr[fd]) || !f)
		return -1;
	np = BPF_CORE_READ(f, f_path.dentry, d_name.name);
	if (bpf_probe_read_kernel_str(n, sizeof(n), np) < 0)
		return -1;
	if (n[0] != 'k' || n[1] != 'v' || n[2] != 'm')
		return -1;
	k->v = NULL;
	k->vcpu = -1;
	if (n[3] == '\0') {
		k->kind = RAW_FD_KVM;
	} else if (n[3] == '-' && n[4] == 'v' && n[5] == 'm' && n[6] == '\0') {
		k->kind = RAW_FD_VM;
	} else if (n[3] == '-' && n[4] == 'v' && n[5] == 'c' && n[6] == 'p' && n[7] == 'u' &&
		   n[8] == ':') {
		k->kind = RAW_FD_VCPU;
		struct kvm_vcpu *v = BPF_CORE_READ(f, private_data);

		k->v = v;
		k->vcpu = BPF_CORE_READ(v, vcpu_id);
	} else {
		return -1;
	}
	return 0;
}

static __always_inline struct scratch *get_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch, &zero);
}

static __always_inline void put(struct scratch *s, __u32 len)
{
	struct brec_prefix *p = (struct brec_prefix *)s->b;

	p->tid = (__u32)bpf_get_current_pid_tgid();
	p->what = BREC_RECORD;
	if (len > BREC_SCRATCH - HDR_OFF)
		return;
	if (bpf_ringbuf_output(&rb, s->b, HDR_OFF + len, BPF_RB_NO_WAKEUP))
		count_drop(BREC_DROP_RINGBUF);
}

static __always_inline void fill_hdr(struct raw_hdr *h, __u32 len, __u16 type,
				     const struct kvmfd *k, __u32 req, __s64 ret, __u32 arglen)
{
	h->len = len;
	h->type = type;
	h->fdkind = (__u16)k->kind;
	h->vcpu = k->kind == RAW_FD_VCPU ? k->vcpu : -1;
	h->req = req;
	h->ret = ret < 0 ? -1 : ret;
	h->err = ret < 0 ? (__s32)-ret : 0;
	h->arglen = arglen;
	h->ts = bpf_ktime_get_ns();
}

/* At KVM_RUN entry: what userspace answered to the last IN, MMIO read or RDMSR. */
static __always_inline void emit_entry_data(struct kvmfd *k, struct kvm_run *run)
{
	__u64 key = (__u64)k->v;
	struct pending *p = bpf_map_lookup_elem(&pending, &key);
	struct scratch *s;
	struct raw_hdr *h;
	__u32 dlen;
	int err = 0;

	if (!p)
		return;
	s = get_scratch();
	if (!s)
		goto out;
	h = (struct raw_hdr *)(s->b + HDR_OFF);
	dlen = p->len;
	if (p->kind == RAW_PENDING_IN) {
		struct kvm_vcpu *v = k->v;
		void *pio = BPF_CORE_READ(v, arch.pio_data);
		__u32 off = p->off;

		if (dlen > RAW_MAX_ARG || off >= 4096 || off + dlen > 4096)
			dlen = 0;
		dlen &= 0x1fff;
		if (dlen && dlen <= RAW_MAX_ARG)
			err = bpf_probe_read_kernel(s->b + ARG_OFF, dlen, pio + (off & 0xfff));
	} else if (p->kind == RAW_PENDING_RDMSR) {
		err = bpf_probe_read_kernel(s->b + ARG_OFF, 8, (__u8 *)run + RUN_UNION_OFF + 16);
		err |= bpf_probe_read_kernel(s->b + ARG_OFF + 8, 1, (__u8 *)run + RUN_UNION_OFF);
		dlen = 9;
	} else {
		if (dlen > 8)
			dlen = 8;
		err = bpf_probe_read_kernel(s->b + ARG_OFF, 8, (__u8 *)run + RUN_UNION_OFF + 8);
	}
	if (err) {
		count_drop(BREC_DROP_READ);
		goto out;
	}
	fill_hdr(h, sizeof(*h) + RAW_ALIGN(dlen), RAW_RUN_ENTRY, k, BREC_KVM_RUN, 0, dlen);
	put(s, h->len);
out:
	bpf_map_delete_elem(&pending, &key);
}

SEC("tp/syscalls/sys_enter_ioctl")
int kvmrec_ioctl_enter(struct enter_ctx *ctx)
{
	__u32 req = (__u32)ctx->cmd, tid;
	struct inflight in = {};
	struct kvmfd k;

	if (!is_ours() || (req != BREC_KVM_RUN && req != BREC_KVM_IRQ_LINE_STATUS))
		return 0;
	if (classify((__u32)ctx->fd, &k))
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	in.req = req;
	in.valid = 1;
	if (req == BREC_KVM_RUN && k.kind == RAW_FD_VCPU) {
		struct kvm_vcpu *v = k.v;
		struct kvm_run *run = BPF_CORE_READ(v, run);
		__u8 head[2];

		in.v = k.v;
		in.vcpu = k.vcpu;
		emit_entry_data(&k, run);
		if (bpf_probe_read_kernel(head, sizeof(head), run) ||
		    bpf_probe_read_kernel(&in.cr8_in, 8, (__u8 *)run + 16))
			return 0;
		in.flags = (head[0] ? BREC_RUN_REQUEST_IRQ_WINDOW : 0) |
			   (head[1] ? BREC_RUN_IMMEDIATE_EXIT : 0);
		if (run_times)
			in.entry_ts = bpf_ktime_get_ns();
	} else if (req == BREC_KVM_IRQ_LINE_STATUS) {
		__u32 v[2];

		if (bpf_probe_read_user(v, sizeof(v), (void *)ctx->arg))
			return 0;
		in.irq = v[0];
		in.level = v[1];
	} else {
		return 0;
	}
	if (bpf_map_update_elem(&inflight, &tid, &in, BPF_ANY))
		count_drop(BREC_DROP_INFLIGHT);
	return 0;
}

/* struct kvm_run up to the union, as far as the RAW_RUN record needs it. */
struct run_head {
	__u8 riw, imm, pad[6];
	__u32 reason;
	__u8 ready, if_flag;
	__u16 flags;
	__u64 cr8, apic_base;
};

/*
 * An IO exit, its union already in the scratch: an OUT's bytes are copied
 * after the union (their length returned), an IN's are taken at the next entry.
 */
static __always_inline __u32 run_io_data(struct kvmfd *k, struct scratch *s)
{
	struct kvm_io { __u8 dir, size; __u16 port; __u32 count; __u64 off; } *io =
		(void *)(s->b + UNION_OFF);
	__u64 n = (__u64)io->size * io->count;
	__u64 off = io->off;
	__u32 dlen = 0;

	if (n > RAW_MAX_ARG || off < BREC_PIO_PAGE || off - BREC_PIO_PAGE + n > 4096)
		n = 0;
	if (io->dir == BREC_IO_OUT) {
		struct kvm_vcpu *v = k->v;
		void *pio = BPF_CORE_READ(v, arch.pio_data);

		dlen = (__u32)n & 0x1fff;
		if (dlen && dlen <= RAW_MAX_ARG &&
		    bpf_probe_read_kernel(s->b + UNION_OFF + 16, dlen,
					  pio + ((off - BREC_PIO_PAGE) & 0xfff)))
			dlen = 0;
	} else {
		struct pending p = { RAW_PENDING_IN, (__u32)(off - BREC_PIO_PAGE), (__u32)n };
		__u64 key = (__u64)k->v;

		bpf_map_update_elem(&pending, &key, &p, BPF_ANY);
	}
	return dlen;
}

/* After a successful exit: an OUT's data (length returned), or what the next entry must take. */
static __always_inline __u32 run_exit_data(struct kvmfd *k, struct scratch *s, __s64 ret,
					   __u32 reason)
{
	__u64 key = (__u64)k->v;

	if (ret != 0)
		return 0;
	if (reason == BREC_EXIT_IO)
		return run_io_data(k, s);
	if (reason == BREC_EXIT_MMIO && !s->b[UNION_OFF + 20]) {
		struct pending p = { RAW_PENDING_MMIO_READ, 0, *(__u32 *)(s->b + UNION_OFF + 16) };

		bpf_map_update_elem(&pending, &key, &p, BPF_ANY);
	} else if (reason == BREC_EXIT_X86_RDMSR) {
		struct pending p = { RAW_PENDING_RDMSR, 0, 0 };

		bpf_map_update_elem(&pending, &key, &p, BPF_ANY);
	}
	return 0;
}

/* The fixed part of a RAW_RUN; @in is NULL for a run in progress when we attached. */
static __always_inline void run_fill(struct raw_run *x, const struct run_head *rh,
				     const struct inflight *in, __u32 ulen, __u32 dlen)
{
	__u16 flags = 0;

	if (in) {
		flags = in->flags;
		x->entry_ts = in->entry_ts;
		x->cr8_in = in->cr8_in;
	} else {
		/* Running when we attached: its entry was never seen. */
		x->entry_ts = 0;
		x->cr8_in = rh->cr8;
	}
	if (rh->ready)
		flags |= BREC_RUN_READY_FOR_INJECTION;
	if (rh->if_flag)
		flags |= BREC_RUN_IF_FLAG;
	x->cr8 = rh->cr8;
	x->apic_base = rh->apic_base;
	x->exit_reason = rh->reason;
	x->flags = flags;
	x->run_flags = rh->flags;
	x->union_len = ulen;
	x->data_len = dlen;
}

static __always_inline void record_run(struct kvmfd *k, __s64 ret, struct inflight *in)
{
	struct kvm_vcpu *v = k->v;
	struct kvm_run *run = BPF_CORE_READ(v, run);
	struct scratch *s = get_scratch();
	struct run_head rh;
	struct raw_hdr *h;
	__u32 ulen, dlen;

	if (!s)
		return;
	if (bpf_probe_read_kernel(&rh, sizeof(rh), run)) {
		count_drop(BREC_DROP_READ);
		return;
	}
	h = (struct raw_hdr *)(s->b + HDR_OFF);
	ulen = raw_exit_union_len(rh.reason);
	if (ulen > 256)
		ulen = 256;
	if (bpf_probe_read_kernel(s->b + UNION_OFF, ulen & 0x1ff, (__u8 *)run + RUN_UNION_OFF)) {
		count_drop(BREC_DROP_READ);
		return;
	}
	dlen = run_exit_data(k, s, ret, rh.reason);
	run_fill((struct raw_run *)(s->b + ARG_OFF), &rh, in, ulen, dlen);
	fill_hdr(h, sizeof(*h) + sizeof(struct raw_run) + ulen + RAW_ALIGN(dlen), RAW_RUN, k,
		 BREC_KVM_RUN, ret, ulen + dlen);
	put(s, h->len);
}

/* Argument bytes to copy after the call, as the interposer does; -1: not recorded. */
static __always_inline long arg_len(__u32 req, __u64 arg)
{
	switch (req) {
	case BREC_KVM_IRQ_LINE_STATUS:
		return 16;
	case BREC_KVM_INTERRUPT:
	case BREC_KVM_IRQ_LINE:
	case BREC_KVM_SIGNAL_MSI:
	case BREC_KVM_IRQFD:
	case BREC_KVM_GET_VCPU_EVENTS:
	case BREC_KVM_SET_VCPU_EVENTS:
	case BREC_KVM_GET_LAPIC:
	case BREC_KVM_SET_LAPIC:
	case BREC_KVM_ENABLE_CAP:
	case BREC_KVM_TPR_ACCESS_REPORTING:
	case BREC_KVM_SET_VAPIC_ADDR:
		return (req >> 16) & 0x3fff;
	case BREC_KVM_SET_GSI_ROUTING: {
		__u32 nr = 0;
		__u64 n;

		if (!arg || bpf_probe_read_user(&nr, sizeof(nr), (void *)arg))
			return 0;
		n = 8 + (__u64)nr * BREC_ROUTE_ENTRY;
		return n > RAW_MAX_ARG ? RAW_MAX_ARG : n;
	}
	case BREC_KVM_SET_CPUID2:
		return 8;
	case BREC_KVM_NMI:
	case BREC_KVM_CREATE_IRQCHIP:
		return 0;
	case BREC_KVM_CREATE_VM:
	case BREC_KVM_CREATE_VCPU:
		return 8;
	default:
		return -1;
	}
}

static __always_inline void record_ioctl(struct kvmfd *k, __u32 req, __u64 arg, __s64 ret,
					 struct inflight *in)
{
	long alen = arg_len(req, arg);
	struct scratch *s;
	struct raw_hdr *h;
	__u32 n;

	if (alen < 0)
		return;
	s = get_scratch();
	if (!s)
		return;
	h = (struct raw_hdr *)(s->b + HDR_OFF);
	n = (__u32)alen & 0x1fff;
	if (n > RAW_MAX_ARG)
		n = RAW_MAX_ARG;
	if (req == BREC_KVM_CREATE_VM || req == BREC_KVM_CREATE_VCPU) {
		*(__u64 *)(s->b + ARG_OFF) = arg;
	} else if (req == BREC_KVM_IRQ_LINE_STATUS) {
		__s32 status = 0;

		if (!in)
			return;  /* started before we attached: the gsi is gone */
		bpf_probe_read_user(&status, sizeof(status), (void *)arg);
		*(__u32 *)(s->b + ARG_OFF) = in->irq;
		*(__u32 *)(s->b + ARG_OFF + 4) = in->level;
		*(__s32 *)(s->b + ARG_OFF + 8) = status;
		*(__u32 *)(s->b + ARG_OFF + 12) = 0;
	} else if (n && (!arg || bpf_probe_read_user(s->b + ARG_OFF, n, (void *)arg))) {
		n = 0;
	}
	fill_hdr(h, sizeof(*h) + RAW_ALIGN(n), RAW_IOCTL, k, req, ret, n);
	put(s, h->len);
}

SEC("tp/syscalls/sys_exit_ioctl")
int kvmrec_ioctl_exit(struct exit_ctx *ctx)
{
	struct pt_regs *regs;
	struct inflight *in, cur;
	bool have = false;
	struct kvmfd k;
	__u32 req, tid;
	__u64 arg;
	__u32 fd;

	if (!is_ours())
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs((struct task_struct *)bpf_get_current_task_btf());
	req = (__u32)BPF_CORE_READ(regs, si);
	if (((req >> 8) & 0xff) != 0xAE)
		return 0;
	fd = (__u32)BPF_CORE_READ(regs, di);
	arg = BPF_CORE_READ(regs, dx);
	tid = (__u32)bpf_get_current_pid_tgid();
	in = bpf_map_lookup_elem(&inflight, &tid);
	if (in) {
		if (in->req == req) {
			cur = *in;
			have = true;
		}
		bpf_map_delete_elem(&inflight, &tid);
	}
	if (have && req == BREC_KVM_RUN) {
		k.kind = RAW_FD_VCPU;
		k.v = cur.v;
		k.vcpu = cur.vcpu;
		record_run(&k, ctx->ret, &cur);
	} else if (classify(fd, &k) == 0) {
		if (req == BREC_KVM_RUN && k.kind == RAW_FD_VCPU)
			record_run(&k, ctx->ret, have ? &cur : NULL);
		else
			record_ioctl(&k, req, arg, ctx->ret, have ? &cur : NULL);
	}
	return 0;
}
