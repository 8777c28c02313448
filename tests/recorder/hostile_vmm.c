// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostile_vmm: issues every KVM ioctl the interposer records with bad, short
 * and huge arguments (NULL, a PROT_NONE page, a struct whose tail lies on a
 * PROT_NONE page, a count far beyond the buffer) next to good ones, and
 * prints each call's result and errno. Run with and without `kvmrec record`,
 * the output must be the same: recording never changes what the VMM sees
 * (docs/recorder.md, "Interposer").
 *
 * usage: hostile_vmm
 * Exit 0 when it got through every call, 2 when KVM could not be set up.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096

static uint8_t *g_bad;   /* a PROT_NONE page */
static uint8_t *g_edge;  /* first byte of a PROT_NONE page after a readable one */

/* @n bytes ending one byte into the PROT_NONE page: the tail is unmapped. */
static void *tail(size_t n)
{
	return g_edge - n + 1;
}

/* A buffer of which only the first @have bytes are readable. */
static void *short_buf(const void *src, size_t have)
{
	memcpy(g_edge - have, src, have);
	return g_edge - have;
}

/* File descriptors differ with and without the recorder's inherited ring fd. */
static void report(const char *what, long ret, int err, int is_fd)
{
	if (ret >= 0 && is_fd)
		printf("%-44s ret=fd errno=%d\n", what, err);
	else
		printf("%-44s ret=%ld errno=%d (%s)\n", what, ret, err, err ? strerror(err) : "-");
}

static long try_ioctl(int fd, unsigned long req, void *arg, const char *what, int is_fd)
{
	long ret;
	int err;

	errno = 0;
	ret = ioctl(fd, req, arg);
	err = errno;
	report(what, ret, err, is_fd);
	if (ret >= 0 && is_fd)
		return ret;
	return ret < 0 ? -err : ret;
}

#define T(fd, req, arg, what) try_ioctl(fd, req, (void *)(arg), what, 0)
#define TFD(fd, req, arg, what) try_ioctl(fd, req, (void *)(uintptr_t)(arg), what, 1)

/* The four pointer cases every struct argument gets. */
static void bad_pointers(int fd, unsigned long req, size_t size, const char *name)
{
	char what[64];

	snprintf(what, sizeof(what), "%s NULL", name);
	T(fd, req, NULL, what);
	snprintf(what, sizeof(what), "%s PROT_NONE", name);
	T(fd, req, g_bad, what);
	snprintf(what, sizeof(what), "%s tail unmapped", name);
	T(fd, req, tail(size), what);
	snprintf(what, sizeof(what), "%s wild", name);
	T(fd, req, (void *)0x10, what);
}

static void vcpu_calls(int vm, int vcpu, struct kvm_run *run)
{
	struct kvm_lapic_state lapic;
	struct kvm_vcpu_events ev;
	struct kvm_interrupt intr = { .irq = 0x20 };
	struct kvm_tpr_access_ctl tac = { .enabled = 1 };
	struct kvm_vapic_addr va = { .vapic_addr = 0 };
	struct kvm_enable_cap cap = { .cap = 0xffff };
	struct kvm_cpuid2 huge = { .nent = 0x7fffffff }, one = { .nent = 1 };

	bad_pointers(vcpu, KVM_INTERRUPT, sizeof(intr), "KVM_INTERRUPT");
	T(vcpu, KVM_INTERRUPT, &intr, "KVM_INTERRUPT 0x20");
	intr.irq = 0x1000;
	T(vcpu, KVM_INTERRUPT, &intr, "KVM_INTERRUPT 0x1000");

	bad_pointers(vcpu, KVM_GET_LAPIC, sizeof(lapic), "KVM_GET_LAPIC");
	memset(&lapic, 0, sizeof(lapic));
	T(vcpu, KVM_GET_LAPIC, &lapic, "KVM_GET_LAPIC good");
	bad_pointers(vcpu, KVM_SET_LAPIC, sizeof(lapic), "KVM_SET_LAPIC");
	T(vcpu, KVM_SET_LAPIC, short_buf(&lapic, 512), "KVM_SET_LAPIC short");
	T(vcpu, KVM_SET_LAPIC, &lapic, "KVM_SET_LAPIC good");

	bad_pointers(vcpu, KVM_GET_VCPU_EVENTS, sizeof(ev), "KVM_GET_VCPU_EVENTS");
	memset(&ev, 0, sizeof(ev));
	T(vcpu, KVM_GET_VCPU_EVENTS, &ev, "KVM_GET_VCPU_EVENTS good");
	bad_pointers(vcpu, KVM_SET_VCPU_EVENTS, sizeof(ev), "KVM_SET_VCPU_EVENTS");
	T(vcpu, KVM_SET_VCPU_EVENTS, short_buf(&ev, 8), "KVM_SET_VCPU_EVENTS short");
	T(vcpu, KVM_SET_VCPU_EVENTS, &ev, "KVM_SET_VCPU_EVENTS good");
	ev.flags = 0xffff0000;
	T(vcpu, KVM_SET_VCPU_EVENTS, &ev, "KVM_SET_VCPU_EVENTS bad flags");

	T(vcpu, KVM_NMI, NULL, "KVM_NMI");
	T(vcpu, KVM_NMI, g_bad, "KVM_NMI with a bad argument");

	bad_pointers(vcpu, KVM_TPR_ACCESS_REPORTING, sizeof(tac), "KVM_TPR_ACCESS_REPORTING");
	T(vcpu, KVM_TPR_ACCESS_REPORTING, &tac, "KVM_TPR_ACCESS_REPORTING good");
	bad_pointers(vcpu, KVM_SET_VAPIC_ADDR, sizeof(va), "KVM_SET_VAPIC_ADDR");
	T(vcpu, KVM_SET_VAPIC_ADDR, &va, "KVM_SET_VAPIC_ADDR 0");

	bad_pointers(vcpu, KVM_SET_CPUID2, sizeof(one), "KVM_SET_CPUID2");
	T(vcpu, KVM_SET_CPUID2, short_buf(&huge, sizeof(huge)), "KVM_SET_CPUID2 huge nent");
	T(vcpu, KVM_SET_CPUID2, short_buf(&one, sizeof(one)), "KVM_SET_CPUID2 nent 1 short");

	bad_pointers(vcpu, KVM_ENABLE_CAP, sizeof(cap), "KVM_ENABLE_CAP (vcpu)");
	T(vcpu, KVM_ENABLE_CAP, &cap, "KVM_ENABLE_CAP (vcpu) unknown cap");

	/* KVM_RUN: the argument is ignored; odd fds and an immediate exit. */
	run->immediate_exit = 1;
	T(vcpu, KVM_RUN, g_bad, "KVM_RUN immediate_exit, bad argument");
	run->immediate_exit = 0;
	T(vm, KVM_RUN, NULL, "KVM_RUN on the VM fd");
	run->request_interrupt_window = 1;
	run->immediate_exit = 1;
	T(vcpu, KVM_RUN, NULL, "KVM_RUN immediate_exit, window requested");
	run->immediate_exit = 0;
	run->request_interrupt_window = 0;
}

static void vm_irq_calls(int vm, const char *mode)
{
	struct kvm_irq_level lvl = { .irq = 4, .level = 1 };
	struct kvm_msi msi = { .address_lo = 0xfee00000, .data = 0x30 };
	struct kvm_irqfd irqfd = { .fd = -1, .gsi = 4 };
	/* A table of one entry, laid out by hand: the struct ends in a flexible array. */
	uint64_t rt_buf[(sizeof(struct kvm_irq_routing) + sizeof(struct kvm_irq_routing_entry)) / 8];
	struct kvm_irq_routing *rt = (struct kvm_irq_routing *)rt_buf;
	struct kvm_irq_routing_entry one = {
		.gsi = 4, .type = KVM_IRQ_ROUTING_IRQCHIP,
		.u.irqchip = { .irqchip = KVM_IRQCHIP_IOAPIC, .pin = 4 },
	};
	struct kvm_irq_routing huge = { .nr = 0x7fffffff };
	struct kvm_irq_routing hundred = { .nr = 100 };
	char what[64];

#define W(s) (snprintf(what, sizeof(what), "%s %s", mode, s), what)
	bad_pointers(vm, KVM_IRQ_LINE, sizeof(lvl), W("KVM_IRQ_LINE"));
	T(vm, KVM_IRQ_LINE, short_buf(&lvl, 4), W("KVM_IRQ_LINE short"));
	T(vm, KVM_IRQ_LINE, &lvl, W("KVM_IRQ_LINE 4 high"));
	lvl.level = 0;
	T(vm, KVM_IRQ_LINE, &lvl, W("KVM_IRQ_LINE 4 low"));
	bad_pointers(vm, KVM_IRQ_LINE_STATUS, sizeof(lvl), W("KVM_IRQ_LINE_STATUS"));
	T(vm, KVM_IRQ_LINE_STATUS, short_buf(&lvl, 4), W("KVM_IRQ_LINE_STATUS short"));
	lvl.irq = 5;
	lvl.level = 1;
	T(vm, KVM_IRQ_LINE_STATUS, &lvl, W("KVM_IRQ_LINE_STATUS 5 high"));
	printf("%-44s status=%d\n", W("KVM_IRQ_LINE_STATUS 5 high"), lvl.status);

	bad_pointers(vm, KVM_SIGNAL_MSI, sizeof(msi), W("KVM_SIGNAL_MSI"));
	T(vm, KVM_SIGNAL_MSI, short_buf(&msi, 8), W("KVM_SIGNAL_MSI short"));
	T(vm, KVM_SIGNAL_MSI, &msi, W("KVM_SIGNAL_MSI good"));
	msi.flags = 0xff;
	T(vm, KVM_SIGNAL_MSI, &msi, W("KVM_SIGNAL_MSI bad flags"));

	bad_pointers(vm, KVM_IRQFD, sizeof(irqfd), W("KVM_IRQFD"));
	T(vm, KVM_IRQFD, short_buf(&irqfd, 8), W("KVM_IRQFD short"));
	T(vm, KVM_IRQFD, &irqfd, W("KVM_IRQFD fd -1"));

	memset(rt_buf, 0, sizeof(rt_buf));
	rt->nr = 1;
	memcpy(rt_buf + sizeof(*rt) / 8, &one, sizeof(one));
	bad_pointers(vm, KVM_SET_GSI_ROUTING, sizeof(*rt), W("KVM_SET_GSI_ROUTING"));
	T(vm, KVM_SET_GSI_ROUTING, short_buf(&huge, sizeof(huge)), W("KVM_SET_GSI_ROUTING huge nr"));
	T(vm, KVM_SET_GSI_ROUTING, short_buf(&hundred, sizeof(hundred)),
	  W("KVM_SET_GSI_ROUTING nr 100, header only"));
	T(vm, KVM_SET_GSI_ROUTING, short_buf(rt, sizeof(rt_buf) - 4),
	  W("KVM_SET_GSI_ROUTING nr 1, entry cut"));
	T(vm, KVM_SET_GSI_ROUTING, rt, W("KVM_SET_GSI_ROUTING nr 1"));
#undef W
}

int main(void)
{
	struct kvm_enable_cap split = { .cap = KVM_CAP_SPLIT_IRQCHIP, .args = { 24 } };
	struct kvm_enable_cap unknown = { .cap = 0xffff };
	long mmap_size;
	struct kvm_run *run;
	int kvm, vm, vm2, vcpu;
	uint8_t *p;

	setvbuf(stdout, NULL, _IOLBF, 0);
	p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || mprotect(p, PAGE, PROT_NONE) || mprotect(p + 2 * PAGE, PAGE, PROT_NONE))
		return 2;
	g_bad = p;
	g_edge = p + 2 * PAGE;
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		fprintf(stderr, "hostile_vmm: /dev/kvm: %s\n", strerror(errno));
		return 2;
	}

	TFD(kvm, KVM_CREATE_VM, 0xdead, "KVM_CREATE_VM type 0xdead");
	vm = (int)TFD(kvm, KVM_CREATE_VM, 0, "KVM_CREATE_VM");
	mmap_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm < 0 || mmap_size <= 0)
		return 2;

	/* Split irqchip VM, as QEMU and kvmrec-vmm make it. */
	bad_pointers(vm, KVM_ENABLE_CAP, sizeof(split), "KVM_ENABLE_CAP");
	T(vm, KVM_ENABLE_CAP, short_buf(&split, 8), "KVM_ENABLE_CAP short");
	T(vm, KVM_ENABLE_CAP, &unknown, "KVM_ENABLE_CAP unknown cap");
	T(vm, KVM_ENABLE_CAP, &split, "KVM_ENABLE_CAP split irqchip");
	T(vm, KVM_CREATE_IRQCHIP, NULL, "KVM_CREATE_IRQCHIP after split");
	vcpu = (int)TFD(vm, KVM_CREATE_VCPU, 0, "KVM_CREATE_VCPU 0");
	TFD(vm, KVM_CREATE_VCPU, 0, "KVM_CREATE_VCPU 0 again");
	TFD(vm, KVM_CREATE_VCPU, 0x7fffffff, "KVM_CREATE_VCPU 0x7fffffff");
	if (vcpu < 0)
		return 2;
	run = mmap(NULL, (size_t)mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return 2;
	vcpu_calls(vm, vcpu, run);
	vm_irq_calls(vm, "split:");

	/* In-kernel irqchip VM: KVM_IRQ_LINE and the routing table have a PIC and IOAPIC. */
	vm2 = (int)TFD(kvm, KVM_CREATE_VM, 0, "KVM_CREATE_VM (second)");
	if (vm2 < 0)
		return 2;
	T(vm2, KVM_CREATE_IRQCHIP, NULL, "KVM_CREATE_IRQCHIP");
	T(vm2, KVM_CREATE_IRQCHIP, g_bad, "KVM_CREATE_IRQCHIP again");
	vm_irq_calls(vm2, "in-kernel:");
	T(kvm, KVM_RUN, NULL, "KVM_RUN on /dev/kvm");
	printf("hostile_vmm: done\n");
	return 0;
}
