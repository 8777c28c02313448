// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmrec-vmm: a small split-irqchip VMM whose interrupt injection step can
 * reproduce QEMU 2.7's double injection (--policy qemu-2.7), a lost
 * interrupt from a stale KVM_SET_LAPIC (--policy stale-setlapic) or the fixed
 * behaviour (--policy fixed). Exit status: the guest's debug-exit value,
 * 2 for bad usage/input or a failed KVM call, 3 for a crashed guest.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "elf_load.h"
#include "vmm.h"

static const char usage[] =
	"usage: kvmrec-vmm [--policy qemu-2.7|stale-setlapic|fixed] [--smp N] [--loops N] [--msi] [--stats] GUEST.elf\n"
	"Runs a 64-bit ELF guest on /dev/kvm with a split irqchip: LAPIC in the kernel,\n"
	"8259 PIC, IOAPIC, serial console (to stdout) and test ports in userspace.\n"
	"  --policy P  injection step before KVM_RUN (default fixed):\n"
	"              qemu-2.7  consult the userspace LAPIC copy before the PIC (QEMU 2.7)\n"
	"              fixed     only PIC ExtINT vectors go through KVM_INTERRUPT\n"
	"              stale-setlapic  as fixed, but the LAPIC read when the test port\n"
	"                        syncs state is written back with KVM_SET_LAPIC (lost IRQs)\n"
	"  --smp N     vCPUs, 1 to 8 (default 1)\n"
	"  --loops N   value guests read from the loops port 0xe4 (pio-loop, mmio-loop)\n"
	"  --msi       deliver IOAPIC interrupts with KVM_SIGNAL_MSI, not KVM_IRQ_LINE\n"
	"  --stats     print per-vCPU KVM_RUN and exit counts to stderr at the end\n"
	"Exit status: the guest's debug-exit value (port 0xf4; guests use 0 pass,\n"
	"1 fail), 2 usage error, bad ELF, no /dev/kvm or failed KVM call,\n"
	"3 guest crashed (triple fault, emulation error).\n";

struct options {
	enum vmm_policy policy;
	int smp;
	uint32_t loops;
	bool msi, stats;
	const char *guest;
};

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 0);
	return (errno || !*s || *end || *s == '-' || *out > max) ? -EINVAL : 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "smp", required_argument, NULL, 's' },
		{ "loops", required_argument, NULL, 'l' },
		{ "msi", no_argument, NULL, 'm' },
		{ "stats", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned long n;
	int c;

	*o = (struct options){ .policy = POLICY_FIXED, .smp = 1 };
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (policy_parse(optarg, &o->policy)) {
				fprintf(stderr, "kvmrec-vmm: --policy %s: unknown policy (qemu-2.7, stale-setlapic or fixed)\n", optarg);
				return -EINVAL;
			}
			break;
		case 's':
			if (parse_uint(optarg, GUEST_MAX_VCPUS, &n) || n < 1) {
				fprintf(stderr, "kvmrec-vmm: --smp %s: need 1 to %d\n", optarg, GUEST_MAX_VCPUS);
				return -EINVAL;
			}
			o->smp = n;
			break;
		case 'l':
			if (parse_uint(optarg, UINT32_MAX, &n)) {
				fprintf(stderr, "kvmrec-vmm: --loops %s: not a 32-bit count\n", optarg);
				return -EINVAL;
			}
			o->loops = n;
			break;
		case 'm':
			o->msi = true;
			break;
		case 'S':
			o->stats = true;
			break;
		case 'h':
			return 1;
		default:
			fprintf(stderr, "kvmrec-vmm: %s: unknown or incomplete option (see --help)\n",
				argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "kvmrec-vmm: %s (see --help)\n",
			optind >= argc ? "missing GUEST.elf" : "more than one guest given");
		return -EINVAL;
	}
	o->guest = argv[optind];
	return 0;
}

/*
 * One vCPU: injection step, KVM_RUN, hand the exit to its device, until the
 * guest leaves. Everything between two KVM_RUNs runs under the device lock,
 * so devices and the injection step see one machine, as under QEMU's BQL.
 */
static void *vcpu_thread(void *arg)
{
	struct vmm_vcpu *v = arg;
	struct vmm *m = vcpu_vmm(v);
	int r = 0;

	while (!r && !atomic_load(&m->stop)) {
		pthread_mutex_lock(&m->lock);
		r = policy_pre_run(m, v);
		pthread_mutex_unlock(&m->lock);
		if (r)
			break;
		v->nr_runs++;
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				v->nr_exits[KVM_EXIT_INTR]++;
				__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
				continue;
			}
			r = -errno;
			fprintf(stderr, "kvmrec-vmm: vcpu %d: KVM_RUN: %s\n", v->id, strerror(-r));
			break;
		}
		v->nr_exits[v->run->exit_reason < VMM_EXIT_REASONS ? v->run->exit_reason : 0]++;
		pthread_mutex_lock(&m->lock);
		r = vcpu_handle_exit(m, v);
		pthread_mutex_unlock(&m->lock);
	}
	if (r)
		vmm_stop(m, r > 0 ? r : VMM_EXIT_USAGE);
	return NULL;
}

static void pic_output(void *opaque, bool level)
{
	policy_pic_output(opaque, level);
}

static void on_kick(int sig)
{
	(void)sig;	/* only there to interrupt KVM_RUN */
}

static void print_stats(struct vmm *m)
{
	for (int i = 0; i < m->vm.nr_vcpus; i++) {
		struct vmm_vcpu *v = &m->vm.vcpus[i];
		uint64_t total = 0;

		for (int r = 0; r < VMM_EXIT_REASONS; r++)
			total += v->nr_exits[r];
		fprintf(stderr, "kvmrec-vmm: vcpu %d: %llu KVM_RUN, %llu exits, %llu LAPIC syncs:",
			i, (unsigned long long)v->nr_runs, (unsigned long long)total,
			(unsigned long long)v->lapic.nr_syncs);
		for (int r = 0; r < VMM_EXIT_REASONS; r++)
			if (v->nr_exits[r])
				fprintf(stderr, " %s %llu", kvm_exit_reason_name(r),
					(unsigned long long)v->nr_exits[r]);
		fputc('\n', stderr);
	}
}

static int run(struct vmm *m, const struct options *o)
{
	struct sigaction sa = { .sa_handler = on_kick };
	uint64_t entry;
	int r, started = 0;

	/* A bad guest is reported as such, even on a host without /dev/kvm. */
	r = elf_load(o->guest, NULL, GUEST_MEM_SIZE, &entry);
	if (!r)
		r = kvm_vm_create(&m->vm, o->smp);
	if (!r)
		r = elf_load(o->guest, m->vm.mem, m->vm.mem_size, &entry);
	if (!r)
		r = ioapic_init(&m->ioapic, &m->vm, o->msi);
	for (int i = 0; !r && i < o->smp; i++)
		r = kvm_vcpu_reset(&m->vm.vcpus[i], entry);
	if (r)
		return VMM_EXIT_USAGE;
	serial_init(&m->serial, stdout);
	pic_init(&m->pic, pic_output, m);
	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART: KVM_RUN must return EINTR */
	for (int i = 0; i < o->smp; i++) {
		struct vmm_vcpu *v = &m->vm.vcpus[i];

		r = pthread_create(&v->thread, NULL, vcpu_thread, v);
		if (r) {
			fprintf(stderr, "kvmrec-vmm: vcpu %d: pthread_create: %s\n", i, strerror(r));
			vmm_stop(m, VMM_EXIT_USAGE);
			break;
		}
		atomic_store(&v->started, true);
		started++;
	}
	/* A stop before every thread was marked started missed some kicks. */
	if (atomic_load(&m->stop))
		for (int i = 0; i < started; i++)
			vmm_kick(m, i);
	for (int i = 0; i < started; i++)
		pthread_join(m->vm.vcpus[i].thread, NULL);
	serial_flush(&m->serial);
	if (o->stats)
		print_stats(m);
	return m->exit_status;
}

int main(int argc, char **argv)
{
	static struct vmm m;
	struct options o;
	int r = parse_args(argc, argv, &o);

	if (r) {
		if (r > 0)
			fputs(usage, stdout);
		return r > 0 ? 0 : VMM_EXIT_USAGE;
	}
	m.vm.kvm_fd = m.vm.vm_fd = -1;	/* nothing to close yet */
	m.policy = o.policy;
	m.loops = o.loops;
	m.guest_path = o.guest;
	pthread_mutex_init(&m.lock, NULL);
	r = run(&m, &o);
	kvm_vm_destroy(&m.vm);
	return r;
}
