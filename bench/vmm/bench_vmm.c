// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_vmm: what kvmrec-vmm costs per exit. Runs the same loop guest
 * (pio-loop, then mmio-loop) under a bare KVM_RUN loop in this process and
 * under kvmrec-vmm, alternating, and prints exits per second of each and
 * their ratio. Per-exit rates come from the difference between an N-exit run
 * and a 1-exit run of the same runner, so VM creation and process start-up
 * cancel out; the best of R alternating rounds is kept, since other load only
 * slows a run down. The last two columns are user-mode CPU nanoseconds per
 * exit (getrusage), the runner's own work between KVM_RUNs, which host
 * noise disturbs far less than wall time. Prints measurements only.
 *
 *   bench_vmm [--loops N] [--rounds R] [--vmm PATH] [--guests DIR]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "elf_load.h"
#include "kvm.h"

extern char **environ;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/*
 * The bare runner: the VM kvmrec-vmm would build, and a loop that answers
 * the loops port, ignores everything else and stops at the debug-exit port.
 * No device lock, no injection step, no devices.
 */
static double tv(struct timeval t)
{
	return t.tv_sec + t.tv_usec * 1e-6;
}

static int bare_run(const char *guest, uint32_t loops, double *secs, double *user)
{
	struct rusage ru0, ru1;
	static struct vmm_vm vm;
	struct vmm_vcpu *v;
	uint64_t entry;
	double t0;
	int r, done = 0;

	vm.kvm_fd = vm.vm_fd = -1;
	r = kvm_vm_create(&vm, 1);
	if (!r)
		r = elf_load(guest, vm.mem, vm.mem_size, &entry);
	if (!r)
		r = kvm_vcpu_reset(&vm.vcpus[0], entry);
	v = &vm.vcpus[0];
	getrusage(RUSAGE_SELF, &ru0);
	t0 = now();
	while (!r && !done) {
		struct kvm_run *run = v->run;

		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			r = -errno;
			fprintf(stderr, "bench_vmm: bare KVM_RUN: %s\n", strerror(errno));
			break;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			if (run->io.direction == KVM_EXIT_IO_IN && run->io.port == GUEST_TESTDEV_LOOPS_PORT)
				memcpy((char *)run + run->io.data_offset, &loops, 4);
			else if (run->io.port == GUEST_DEBUG_EXIT_PORT)
				done = 1;
			break;
		case KVM_EXIT_MMIO:
		case KVM_EXIT_TPR_ACCESS:
		case KVM_EXIT_IRQ_WINDOW_OPEN:
		case KVM_EXIT_INTR:
			break;
		default:
			fprintf(stderr, "bench_vmm: bare runner: unexpected exit %s\n",
				kvm_exit_reason_name(run->exit_reason));
			r = -EIO;
		}
	}
	*secs = now() - t0;
	getrusage(RUSAGE_SELF, &ru1);
	*user = tv(ru1.ru_utime) - tv(ru0.ru_utime);
	kvm_vm_destroy(&vm);
	return r;
}

static int vmm_run(const char *vmm, const char *guest, uint32_t loops, double *secs, double *user)
{
	struct rusage ru;
	char nbuf[16];
	char *argv[] = { (char *)vmm, "--loops", nbuf, (char *)guest, NULL };
	posix_spawn_file_actions_t fa;
	double t0;
	pid_t pid;
	int st, r;

	snprintf(nbuf, sizeof(nbuf), "%u", loops);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	t0 = now();
	r = posix_spawn(&pid, vmm, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r) {
		fprintf(stderr, "bench_vmm: %s: %s\n", vmm, strerror(r));
		return -r;
	}
	if (wait4(pid, &st, 0, &ru) < 0)
		return -errno;
	*secs = now() - t0;
	*user = tv(ru.ru_utime);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "bench_vmm: %s %s: guest did not pass (status 0x%x)\n", vmm, guest, st);
		return -EIO;
	}
	return 0;
}

/* Best of the rounds: other load on the host only ever slows a run down. */
static double best(const double *v, int n)
{
	double b = v[0];

	for (int i = 1; i < n; i++)
		if (v[i] > b)
			b = v[i];
	return b;
}

/* Exits per second of one runner over one guest, from N-exit minus 1-exit runs. */
static double least(const double *v, int n)
{
	double b = v[0];

	for (int i = 1; i < n; i++)
		if (v[i] < b)
			b = v[i];
	return b;
}

static int bench_one(const char *vmm, const char *guest, uint32_t loops, int rounds)
{
	double bare[16], full[16], ubare[16], ufull[16], t_n, t_1, u_n, u_1, rb, rv;
	int r = 0;

	for (int i = 0; i < rounds && !r; i++) {
		r = bare_run(guest, loops, &t_n, &u_n);
		if (!r)
			r = bare_run(guest, 1, &t_1, &u_1);
		bare[i] = (loops - 1) / (t_n - t_1);
		ubare[i] = (u_n - u_1) / (loops - 1);
		if (!r)
			r = vmm_run(vmm, guest, loops, &t_n, &u_n);
		if (!r)
			r = vmm_run(vmm, guest, 1, &t_1, &u_1);
		full[i] = (loops - 1) / (t_n - t_1);
		ufull[i] = (u_n - u_1) / (loops - 1);
	}
	if (r)
		return r;
	rb = best(bare, rounds);
	rv = best(full, rounds);
	/* Userspace CPU per exit: what the runner itself adds on the vCPU thread. */
	printf("%-14s %9u %13.0f %13.0f %8.2f %8.2f %9.3f %8.0f %8.0f\n", strrchr(guest, '/') + 1,
	       loops, rb, rv, 1e6 / rb, 1e6 / rv, rb / rv,
	       least(ubare, rounds) * 1e9, least(ufull, rounds) * 1e9);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "loops", required_argument, NULL, 'n' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "vmm", required_argument, NULL, 'v' },
		{ "guests", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *vmm = KVMREC_VMM_PATH, *gdir = KVMREC_GUEST_DIR;
	unsigned long loops = 200000, rounds = 3;
	char path[4096];
	int c, r = 0;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			loops = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			rounds = strtoul(optarg, NULL, 0);
			break;
		case 'v':
			vmm = optarg;
			break;
		case 'g':
			gdir = optarg;
			break;
		case 'h':
			printf("usage: bench_vmm [--loops N] [--rounds R] [--vmm PATH] [--guests DIR]\n"
			       "Exits per second of the pio-loop and mmio-loop guests under a bare\n"
			       "KVM_RUN loop and under kvmrec-vmm, and their ratio (best of R rounds).\n");
			return 0;
		default:
			return 2;
		}
	}
	if (loops < 2 || loops > UINT32_MAX || rounds < 1 || rounds > 16) {
		fprintf(stderr, "bench_vmm: need --loops 2..2^32-1 and --rounds 1..16\n");
		return 2;
	}
	if (access("/dev/kvm", R_OK | W_OK)) {
		fprintf(stderr, "bench_vmm: /dev/kvm: %s\n", strerror(errno));
		return 2;
	}
	printf("# %lu exits per run, best of %lu alternating rounds, 1 vCPU, same guest image in both runners\n",
	       loops, rounds);
	printf("%-14s %9s %13s %13s %8s %8s %9s %8s %8s\n", "guest", "exits", "bare exits/s",
	       "vmm exits/s", "bare us", "vmm us", "bare/vmm", "bare uns", "vmm uns");
	for (int i = 0; i < 2 && !r; i++) {
		snprintf(path, sizeof(path), "%s/%s", gdir, i ? "mmio-loop.elf" : "pio-loop.elf");
		r = bench_one(vmm, path, loops, rounds);
	}
	return r ? 1 : 0;
}
