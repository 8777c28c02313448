// SPDX-License-Identifier: GPL-2.0-only
/*
 * hotpath: the interposer's cost per KVM_RUN, measured where it is not drowned
 * by the exit itself. With kvm_run->immediate_exit set, KVM_RUN returns EINTR
 * without entering the guest, so a loop of them is mostly syscall; run it
 * plain and under `kvmrec record` and the difference per call is what the
 * vCPU thread pays for recording (copy, clock read, publish). The user-space
 * time per call (getrusage) isolates it from the syscall's own noise.
 *
 * usage: hotpath [N]     prints "hotpath: N KVM_RUN, X ns each, Y ns of it in
 *                        user space"
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int vm = kvm < 0 ? -1 : ioctl(kvm, KVM_CREATE_VM, 0);
	int vcpu = vm < 0 ? -1 : ioctl(vm, KVM_CREATE_VCPU, 0);
	long sz = kvm < 0 ? -1 : ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *run;
	struct timespec a, b;

	if (vcpu < 0 || sz <= 0) {
		fprintf(stderr, "hotpath: cannot create a vCPU: %s\n", strerror(errno));
		return 2;
	}
	run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return 2;
	run->immediate_exit = 1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		if (ioctl(vcpu, KVM_RUN, 0) != -1 || errno != EINTR)
			return 2;
	clock_gettime(CLOCK_MONOTONIC, &b);
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	/* The bpf backend's cost is kernel time of this thread: report both. */
	printf("hotpath: %ld KVM_RUN, %.1f ns each, %.1f ns of it in user space, %.1f in the kernel\n",
	       n, ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n,
	       (ru.ru_utime.tv_sec * 1e9 + ru.ru_utime.tv_usec * 1e3) / n,
	       (ru.ru_stime.tv_sec * 1e9 + ru.ru_stime.tv_usec * 1e3) / n);
	return 0;
}
