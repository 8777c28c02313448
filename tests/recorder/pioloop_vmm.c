// SPDX-License-Identifier: GPL-2.0-only
/*
 * pioloop_vmm: the smallest VMM that exercises the recorder. Each vCPU runs
 * real-mode code `out 0x10, al; in al, 0x11; jmp` and the host answers each
 * IN with a running count, so a trace can be checked for the data the guest
 * read. --dup runs every vCPU on a dup() of its fd after closing the original
 * (the interposer must follow), --stats prints KVM_RUN counts like kvmrec-vmm.
 * --raw-syscall makes every KVM call with syscall(SYS_ioctl, ...), as Go and
 * Rust VMMs do, where no LD_PRELOAD interposer sees it; the build also makes a
 * statically linked copy (pioloop_vmm_static) for the bpf backend's tests.
 * --start-delay MS waits after creating the VM, before any vCPU exists, so a
 * recorder can attach (record --pid) and must pick up vCPU threads made later.
 * --waves W runs each vCPU's exits on W threads in turn, each started after
 * the last wave's threads ended, so a run has smp * W threads in all (the
 * recorder must give rings to new threads and reuse those of finished ones).
 *
 * usage: pioloop_vmm [--smp N] [--exits N] [--waves W] [--dup] [--stats] [--raw-syscall]
 *                    [--start-delay MS]
 * Prints "pioloop: N exits" per vCPU; exit 0, or 2 on any KVM failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static const unsigned char guest_code[] = {
	0xe6, 0x10,  /* out 0x10, al */
	0xe4, 0x11,  /* in al, 0x11 */
	0xeb, 0xfa,  /* jmp -6 */
};

static int raw_syscall;

/* ioctl(), or the bare system call that bypasses libc. */
static int kvm_ioctl(int fd, unsigned long req, unsigned long arg)
{
	if (raw_syscall)
		return (int)syscall(SYS_ioctl, fd, req, arg);
	return ioctl(fd, req, arg);
}

struct vcpu {
	int fd, id;
	long exits_wanted;         /* by the end of the current wave */
	long runs, ins;
	int err;
	struct kvm_run *run;
	pthread_t thread;
};

static void *vcpu_loop(void *p)
{
	struct vcpu *v = p;

	while (v->runs < v->exits_wanted && !v->err) {
		if (kvm_ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			v->err = errno;
			return NULL;
		}
		v->runs++;
		if (v->run->exit_reason != KVM_EXIT_IO) {
			v->err = -(int)v->run->exit_reason;
			return NULL;
		}
		if (v->run->io.direction == KVM_EXIT_IO_IN) {
			/* The running count per vCPU, whichever thread runs it. */
			*((unsigned char *)v->run + v->run->io.data_offset) = (unsigned char)++v->ins;
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int smp = 1, waves = 1, dup_fds = 0, stats = 0, kvm, vm;
	long exits = 100000, mmap_size, start_delay_ms = 0;
	struct vcpu *vs;
	unsigned char *mem;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--smp") && i + 1 < argc)
			smp = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--exits") && i + 1 < argc)
			exits = atol(argv[++i]);
		else if (!strcmp(argv[i], "--waves") && i + 1 < argc)
			waves = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--dup"))
			dup_fds = 1;
		else if (!strcmp(argv[i], "--stats"))
			stats = 1;
		else if (!strcmp(argv[i], "--raw-syscall"))
			raw_syscall = 1;
		else if (!strcmp(argv[i], "--start-delay") && i + 1 < argc)
			start_delay_ms = atol(argv[++i]);
		else {
			fprintf(stderr, "usage: pioloop_vmm [--smp N] [--exits N] [--waves W] [--dup] "
				"[--stats] [--raw-syscall] [--start-delay MS]\n");
			return 2;
		}
	}
	if (smp < 1 || waves < 1) {
		fprintf(stderr, "pioloop_vmm: --smp and --waves want at least 1\n");
		return 2;
	}
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		fprintf(stderr, "pioloop_vmm: /dev/kvm: %s\n", strerror(errno));
		return 2;
	}
	vm = kvm_ioctl(kvm, KVM_CREATE_VM, 0);
	mmap_size = kvm_ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	mem = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm < 0 || mmap_size <= 0 || mem == MAP_FAILED) {
		fprintf(stderr, "pioloop_vmm: cannot create the VM: %s\n", strerror(errno));
		return 2;
	}
	if (start_delay_ms > 0)
		usleep((useconds_t)(start_delay_ms * 1000));
	memcpy(mem + 0x1000, guest_code, sizeof(guest_code));
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = 0x10000,
		.userspace_addr = (unsigned long)mem,
	};
	if (kvm_ioctl(vm, KVM_SET_USER_MEMORY_REGION, (unsigned long)&region) < 0) {
		fprintf(stderr, "pioloop_vmm: KVM_SET_USER_MEMORY_REGION: %s\n", strerror(errno));
		return 2;
	}
	vs = calloc((size_t)smp, sizeof(*vs));
	for (int i = 0; i < smp; i++) {
		struct vcpu *v = &vs[i];
		struct kvm_sregs sregs;
		struct kvm_regs regs = { .rip = 0x1000, .rflags = 2 };

		v->id = i;
		v->fd = kvm_ioctl(vm, KVM_CREATE_VCPU, (unsigned long)i);
		if (v->fd < 0 || kvm_ioctl(v->fd, KVM_GET_SREGS, (unsigned long)&sregs) < 0) {
			fprintf(stderr, "pioloop_vmm: vcpu %d: %s\n", i, strerror(errno));
			return 2;
		}
		sregs.cs.base = 0;
		sregs.cs.selector = 0;
		if (kvm_ioctl(v->fd, KVM_SET_SREGS, (unsigned long)&sregs) < 0 ||
		    kvm_ioctl(v->fd, KVM_SET_REGS, (unsigned long)&regs) < 0) {
			fprintf(stderr, "pioloop_vmm: vcpu %d: set regs: %s\n", i, strerror(errno));
			return 2;
		}
		if (dup_fds) {
			/* Park the fd elsewhere and reuse its number for something else. */
			int d = dup(v->fd);

			close(v->fd);
			v->fd = d;
			if (open("/dev/null", O_RDONLY | O_CLOEXEC) < 0)
				return 2;
		}
		v->run = mmap(NULL, (size_t)mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
		if (v->run == MAP_FAILED) {
			fprintf(stderr, "pioloop_vmm: vcpu %d: mmap: %s\n", i, strerror(errno));
			return 2;
		}
	}
	for (int w = 1; w <= waves; w++) {
		for (int i = 0; i < smp; i++) {
			vs[i].exits_wanted = exits * w / waves;
			if (pthread_create(&vs[i].thread, NULL, vcpu_loop, &vs[i])) {
				fprintf(stderr, "pioloop_vmm: vcpu %d: cannot start a thread\n", i);
				return 2;
			}
		}
		for (int i = 0; i < smp; i++)
			pthread_join(vs[i].thread, NULL);
	}
	int rc = 0;

	for (int i = 0; i < smp; i++) {
		printf("pioloop: vcpu %d: %ld exits, %ld IN\n", i, vs[i].runs, vs[i].ins);
		if (stats)
			fprintf(stderr, "pioloop_vmm: vcpu %d: %ld KVM_RUN\n", i, vs[i].runs);
		if (vs[i].err) {
			fprintf(stderr, "pioloop_vmm: vcpu %d failed: %d\n", i, vs[i].err);
			rc = 2;
		}
	}
	return rc;
}
