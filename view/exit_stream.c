// SPDX-License-Identifier: GPL-2.0-only
/* exit_stream: the timing-free key of a record, for diff (see exit_stream.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kvm.h>
#include "exit_stream.h"
#include "lapic_page.h"

static int key_reserve(struct exit_stream_key *k, size_t n)
{
	if (n <= k->cap)
		return 0;
	size_t cap = k->cap ? k->cap : 256;
	while (cap < n)
		cap *= 2;
	uint8_t *p = realloc(k->buf, cap);
	if (!p)
		return -ENOMEM;
	k->buf = p;
	k->cap = cap;
	return 0;
}

/* Appends the body tag and the packed @msg. */
static int key_pack(struct exit_stream_key *k, uint8_t tag, const ProtobufCMessage *msg)
{
	size_t n = protobuf_c_message_get_packed_size(msg);

	if (key_reserve(k, n + 1) < 0)
		return -ENOMEM;
	k->buf[0] = tag;
	k->len = 1 + protobuf_c_message_pack(msg, k->buf + 1);
	return 1;
}

/* @x with the input data cleared; the payload copies live on this stack frame. */
static int key_pack_without_input(struct exit_stream_key *k, uint8_t tag, Kvmrec__RunExit *x)
{
	Kvmrec__ExitIo io;
	Kvmrec__ExitMmio mmio;
	Kvmrec__ExitMsr msr;

	switch (x->payload_case) {
	case KVMREC__RUN_EXIT__PAYLOAD_IO:
		if (x->io->out)
			break;
		io = *x->io;
		io.has_data = 0;
		io.data.len = 0;
		x->io = &io;
		break;
	case KVMREC__RUN_EXIT__PAYLOAD_MMIO:
		if (x->mmio->write)
			break;
		mmio = *x->mmio;
		mmio.has_data = 0;
		mmio.data.len = 0;
		x->mmio = &mmio;
		break;
	case KVMREC__RUN_EXIT__PAYLOAD_MSR:
		if (x->reason != KVM_EXIT_X86_RDMSR)
			break;
		msr = *x->msr;
		msr.has_data = 0;
		msr.data = 0;
		x->msr = &msr;
		break;
	default:
		break;
	}
	return key_pack(k, tag, &x->base);
}

static bool exit_interrupted(const Kvmrec__RunExit *x)
{
	if (x->has_ret && x->ret < 0 && (x->err == EINTR || x->err == EAGAIN))
		return true;
	return x->reason == KVM_EXIT_INTR ||
	       (x->flags & KVMREC__RUN_FLAG__RUN_IMMEDIATE_EXIT);
}

int exit_stream_key(const Kvmrec__Record *rec, const struct exit_stream_opts *o,
		    struct exit_stream_key *key)
{
	uint8_t tag = (uint8_t)rec->body_case;

	key->len = 0;
	switch (rec->body_case) {
	case KVMREC__RECORD__BODY_EXIT: {
		Kvmrec__RunExit x = *rec->exit;   /* shallow: payload shared, not freed */
		if (exit_interrupted(&x))
			return 0;
		x.has_run_ns = 0;
		x.run_ns = 0;
		x.flags &= ~(uint32_t)KVMREC__RUN_FLAG__RUN_IMMEDIATE_EXIT;
		if (o && o->no_window_request)
			x.flags &= ~(uint32_t)KVMREC__RUN_FLAG__RUN_REQUEST_IRQ_WINDOW;
		x.has_flags = x.flags != 0;
		if (o && o->no_inputs)
			return key_pack_without_input(key, tag, &x);
		return key_pack(key, tag, &x.base);
	}
	case KVMREC__RECORD__BODY_INJECT:
		return key_pack(key, tag, &rec->inject->base);
	case KVMREC__RECORD__BODY_VCPU_EVENTS:
		return key_pack(key, tag, &rec->vcpu_events->base);
	case KVMREC__RECORD__BODY_LAPIC: {
		Kvmrec__LapicSync l = *rec->lapic;
		uint8_t page[LAPIC_PAGE_SIZE];
		if (l.has_regs && l.regs.len >= LAPIC_REG_TMCCT + 4) {
			size_t n = l.regs.len < sizeof(page) ? l.regs.len : sizeof(page);
			memcpy(page, l.regs.data, n);
			memset(page + LAPIC_REG_TMCCT, 0, 4);
			l.regs.data = page;
			l.regs.len = n;
		}
		return key_pack(key, tag, &l.base);
	}
	case KVMREC__RECORD__BODY_SETUP: {
		Kvmrec__VmSetup s = *rec->setup;
		uint64_t args[4];
		/* Returned fds (VM, vCPU) and passed fds (irqfd) are process state. */
		if (s.has_ret && s.ret >= 0) {
			s.has_ret = 0;
			s.ret = 0;
		}
		if (s.kind == KVMREC__SETUP_KIND__SETUP_IRQFD && s.n_args) {
			size_t n = s.n_args < 4 ? s.n_args : 4;
			memcpy(args, s.args, n * sizeof(args[0]));
			args[0] = 0;
			if (n > 3)
				args[3] = 0;
			s.args = args;
			s.n_args = n;
		}
		return key_pack(key, tag, &s.base);
	}
	case KVMREC__RECORD__BODY_KEVENT: {
		if (!o || !o->kernel)
			return 0;
		Kvmrec__KernelEvent k = *rec->kevent;
		k.has_cpu = 0;
		k.cpu = 0;
		return key_pack(key, tag, &k.base);
	}
	default:
		return 0;
	}
}

bool exit_stream_key_equal(const struct exit_stream_key *a, const struct exit_stream_key *b)
{
	return a->len == b->len && !memcmp(a->buf, b->buf, a->len);
}

void exit_stream_key_free(struct exit_stream_key *key)
{
	free(key->buf);
	memset(key, 0, sizeof(*key));
}
