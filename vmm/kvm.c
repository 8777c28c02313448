// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM and vCPU set-up. The vCPUs start directly in long mode so the guests
 * need no real-mode or 32-bit boot code (32-bit protected-mode iret does not
 * work on every KVM backend; 64-bit iretq does).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm.h"

#define GDT_ADDR	0x1000
#define TSS_ADDR	0x1800
#define PML4_ADDR	0x2000
#define PDPT_ADDR	0x3000
#define PD_ADDR		0x4000	/* 4 page directories: 4 GiB of 2 MiB pages */

#define X86_CR0_PE	(1u << 0)
#define X86_CR0_MP	(1u << 1)
#define X86_CR0_ET	(1u << 4)
#define X86_CR0_NE	(1u << 5)
#define X86_CR0_WP	(1u << 16)
#define X86_CR0_PG	(1u << 31)
#define X86_CR4_PAE	(1u << 5)
#define X86_CR4_OSFXSR	(1u << 9)
#define X86_CR4_OSXMMEXCPT (1u << 10)
#define EFER_LME	(1u << 8)
#define EFER_LMA	(1u << 10)
#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_PWT		(1ull << 3)
#define PTE_PCD		(1ull << 4)
#define PTE_PS		(1ull << 7)

/* Thin checked ioctl: on failure print which call failed and return -errno. */
static int xioctl(int fd, unsigned long req, void *arg, const char *name, int id)
{
	int r = ioctl(fd, req, arg);

	if (r < 0) {
		int e = errno;

		if (id >= 0)
			fprintf(stderr, "kvmrec-vmm: vcpu %d: %s: %s\n", id, name, strerror(e));
		else
			fprintf(stderr, "kvmrec-vmm: %s: %s\n", name, strerror(e));
		return -e;
	}
	return r;
}

#define vm_ioctl(vm, req, arg) xioctl((vm)->vm_fd, req, arg, #req, -1)
#define vcpu_ioctl(v, req, arg) xioctl((v)->fd, req, arg, #req, (v)->id)

static void setup_page_tables(struct vmm_vm *vm)
{
	uint64_t *pml4 = (uint64_t *)(vm->mem + PML4_ADDR);
	uint64_t *pdpt = (uint64_t *)(vm->mem + PDPT_ADDR);
	uint64_t *pd = (uint64_t *)(vm->mem + PD_ADDR);

	pml4[0] = PDPT_ADDR | PTE_P | PTE_RW;
	for (int i = 0; i < 4; i++)
		pdpt[i] = (PD_ADDR + 0x1000 * i) | PTE_P | PTE_RW;
	for (uint64_t i = 0; i < 4 * 512; i++) {
		uint64_t addr = i << 21;

		pd[i] = addr | PTE_P | PTE_RW | PTE_PS;
		/* The APIC, IOAPIC and MMIO sink live in the top GiB: uncached. */
		if (addr >= 0xc0000000ull)
			pd[i] |= PTE_PCD | PTE_PWT;
	}
}

static void setup_gdt(struct vmm_vm *vm)
{
	uint64_t *gdt = (uint64_t *)(vm->mem + GDT_ADDR);

	gdt[0] = 0;
	gdt[GUEST_CS / 8] = 0x00af9b000000ffffull;	/* 64-bit code, DPL 0 */
	gdt[GUEST_DS / 8] = 0x00cf93000000ffffull;	/* flat data */
	/* 0x18: 64-bit TSS (two slots), present and busy, limit 0x67. */
	gdt[3] = 0x0000008b00000067ull | ((uint64_t)(TSS_ADDR & 0xffffff) << 16);
	gdt[4] = 0;
}

static int setup_cpuid(struct vmm_vcpu *v)
{
	struct kvm_cpuid2 *cpuid = NULL;
	int nent = 64, r;

	for (;;) {
		free(cpuid);
		cpuid = calloc(1, sizeof(*cpuid) + nent * sizeof(cpuid->entries[0]));
		if (!cpuid)
			return -ENOMEM;
		cpuid->nent = nent;
		r = ioctl(v->vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid);
		if (r == 0)
			break;
		if (errno != E2BIG || nent >= 4096) {
			r = -errno;
			fprintf(stderr, "kvmrec-vmm: KVM_GET_SUPPORTED_CPUID: %s\n", strerror(-r));
			free(cpuid);
			return r;
		}
		nent *= 2;
	}
	/* Leaf 1 EBX[31:24] and leaf 0xb EDX: the initial APIC ID is the vCPU index. */
	for (uint32_t i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		if (e->function == 1)
			e->ebx = (e->ebx & 0x00ffffff) | ((uint32_t)v->id << 24);
		if (e->function == 0xb || e->function == 0x1f)
			e->edx = v->id;
	}
	r = vcpu_ioctl(v, KVM_SET_CPUID2, cpuid);
	free(cpuid);
	return r < 0 ? r : 0;
}

static int setup_sregs(struct vmm_vcpu *v)
{
	struct kvm_sregs s;
	struct kvm_segment code = {
		.base = 0, .limit = 0xffffffff, .selector = GUEST_CS, .type = 11,
		.present = 1, .dpl = 0, .db = 0, .s = 1, .l = 1, .g = 1,
	};
	struct kvm_segment data = {
		.base = 0, .limit = 0xffffffff, .selector = GUEST_DS, .type = 3,
		.present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
	};
	int r = vcpu_ioctl(v, KVM_GET_SREGS, &s);

	if (r < 0)
		return r;
	s.cs = code;
	s.ds = s.es = s.fs = s.gs = s.ss = data;
	s.tr = (struct kvm_segment){ .base = TSS_ADDR, .limit = 0x67, .selector = 0x18,
				     .type = 11, .present = 1 };
	s.ldt = (struct kvm_segment){ .type = 2, .present = 1, .unusable = 1 };
	s.gdt.base = GDT_ADDR;
	s.gdt.limit = 5 * 8 - 1;
	s.idt.base = 0;
	s.idt.limit = 0;
	s.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
	s.cr3 = PML4_ADDR;
	s.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	s.efer = EFER_LME | EFER_LMA;
	r = vcpu_ioctl(v, KVM_SET_SREGS, &s);
	return r < 0 ? r : 0;
}

/*
 * As QEMU's APIC reset does for the BSP: LINT0 in ExtINT mode, so the
 * userspace PIC can deliver through KVM_INTERRUPT.
 */
static int setup_lapic(struct vmm_vcpu *v)
{
	struct kvm_lapic_state st;
	uint32_t lvt0 = 0x700;
	int r = vcpu_ioctl(v, KVM_GET_LAPIC, &st);

	if (r < 0)
		return r;
	if (v->id == 0) {
		memcpy(st.regs + 0x350, &lvt0, 4);
		r = vcpu_ioctl(v, KVM_SET_LAPIC, &st);
		if (r < 0)
			return r;
	}
	lapic_copy_sync(&v->lapic, &st);
	v->lapic.nr_syncs = 0;
	return 0;
}

int kvm_vcpu_reset(struct vmm_vcpu *v, uint64_t entry)
{
	struct kvm_regs regs = { 0 };
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
	struct kvm_tpr_access_ctl tac = { .enabled = 1 };
	int r;

	r = setup_cpuid(v);
	if (!r)
		r = setup_sregs(v);
	if (r)
		return r;
	regs.rip = entry;
	regs.rflags = 0x2;
	regs.rdi = v->id;
	regs.rsi = v->vm->nr_vcpus;
	r = vcpu_ioctl(v, KVM_SET_REGS, &regs);
	if (r < 0)
		return r;
	/* With the LAPIC in the kernel, APs would otherwise wait for INIT/SIPI. */
	r = vcpu_ioctl(v, KVM_SET_MP_STATE, &mp);
	if (r < 0)
		return r;
	r = vcpu_ioctl(v, KVM_TPR_ACCESS_REPORTING, &tac);
	if (r < 0)
		return r;
	return setup_lapic(v);
}

static int create_vcpu(struct vmm_vm *vm, int id)
{
	struct vmm_vcpu *v = &vm->vcpus[id];

	v->vm = vm;
	v->id = id;
	v->fd = xioctl(vm->vm_fd, KVM_CREATE_VCPU, (void *)(long)id, "KVM_CREATE_VCPU", id);
	if (v->fd < 0)
		return v->fd;
	v->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		int e = errno;

		v->run = NULL;
		fprintf(stderr, "kvmrec-vmm: vcpu %d: mmap kvm_run: %s\n", id, strerror(e));
		return -e;
	}
	return 0;
}

int kvm_vm_create(struct vmm_vm *vm, int nr_vcpus)
{
	struct kvm_enable_cap split = { .cap = KVM_CAP_SPLIT_IRQCHIP, .args = { GUEST_IOAPIC_PINS } };
	struct kvm_userspace_memory_region region = { 0 };
	int r;

	memset(vm, 0, sizeof(*vm));
	vm->vm_fd = -1;
	vm->nr_vcpus = nr_vcpus;
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		r = -errno;
		fprintf(stderr, "kvmrec-vmm: /dev/kvm: %s\n", strerror(-r));
		return r;
	}
	r = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (r != KVM_API_VERSION) {
		fprintf(stderr, "kvmrec-vmm: /dev/kvm: KVM API version %d, need %d\n", r, KVM_API_VERSION);
		return -EINVAL;
	}
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SPLIT_IRQCHIP) <= 0) {
		fprintf(stderr, "kvmrec-vmm: /dev/kvm: no KVM_CAP_SPLIT_IRQCHIP\n");
		return -ENOTSUP;
	}
	vm->run_size = xioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, NULL, "KVM_GET_VCPU_MMAP_SIZE", -1);
	if (vm->run_size < 0)
		return vm->run_size;
	vm->vm_fd = xioctl(vm->kvm_fd, KVM_CREATE_VM, NULL, "KVM_CREATE_VM", -1);
	if (vm->vm_fd < 0)
		return vm->vm_fd;
	/* Only VMX needs it (real-mode TSS); other backends may not know it. */
	ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000ul);

	vm->mem_size = GUEST_MEM_SIZE;
	vm->mem = mmap(NULL, vm->mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		fprintf(stderr, "kvmrec-vmm: guest RAM: %s\n", strerror(errno));
		return -ENOMEM;
	}
	region.memory_size = vm->mem_size;
	region.userspace_addr = (uintptr_t)vm->mem;
	r = vm_ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region);
	if (r < 0)
		return r;
	/* Split irqchip must be enabled before any vCPU exists. */
	r = vm_ioctl(vm, KVM_ENABLE_CAP, &split);
	if (r < 0)
		return r;
	setup_page_tables(vm);
	setup_gdt(vm);
	for (int i = 0; i < nr_vcpus; i++) {
		r = create_vcpu(vm, i);
		if (r)
			return r;
	}
	return 0;
}

void kvm_vm_destroy(struct vmm_vm *vm)
{
	for (int i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].run)
			munmap(vm->vcpus[i].run, vm->run_size);
		if (vm->vcpus[i].fd > 0)
			close(vm->vcpus[i].fd);
	}
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->mem)
		munmap(vm->mem, vm->mem_size);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
}

int kvm_vm_set_gsi_routes(struct vmm_vm *vm, const struct kvm_irq_routing_entry *e, int n)
{
	struct kvm_irq_routing *rt = calloc(1, sizeof(*rt) + n * sizeof(*e));
	int r;

	if (!rt)
		return -ENOMEM;
	rt->nr = n;
	memcpy(rt->entries, e, n * sizeof(*e));
	r = vm_ioctl(vm, KVM_SET_GSI_ROUTING, rt);
	free(rt);
	return r < 0 ? r : 0;
}

int kvm_vm_irq_line(struct vmm_vm *vm, uint32_t gsi, int level)
{
	struct kvm_irq_level l = { .irq = gsi, .level = level };
	int r = vm_ioctl(vm, KVM_IRQ_LINE, &l);

	return r < 0 ? r : 0;
}

int kvm_vm_signal_msi(struct vmm_vm *vm, uint64_t addr, uint32_t data)
{
	struct kvm_msi msi = { .address_lo = (uint32_t)addr, .address_hi = addr >> 32, .data = data };
	int r = vm_ioctl(vm, KVM_SIGNAL_MSI, &msi);

	return r < 0 ? r : 0;
}

int kvm_vcpu_get_lapic(struct vmm_vcpu *v, struct kvm_lapic_state *st)
{
	int r = vcpu_ioctl(v, KVM_GET_LAPIC, st);

	return r < 0 ? r : 0;
}

int kvm_vcpu_set_lapic(struct vmm_vcpu *v, const struct kvm_lapic_state *st)
{
	int r = vcpu_ioctl(v, KVM_SET_LAPIC, (void *)st);

	return r < 0 ? r : 0;
}

int kvm_vcpu_interrupt(struct vmm_vcpu *v, uint32_t vector)
{
	struct kvm_interrupt irq = { .irq = vector };
	int r = vcpu_ioctl(v, KVM_INTERRUPT, &irq);

	return r < 0 ? r : 0;
}

int kvm_vcpu_nmi(struct vmm_vcpu *v)
{
	int r = vcpu_ioctl(v, KVM_NMI, NULL);

	return r < 0 ? r : 0;
}

uint64_t kvm_vcpu_rip(struct vmm_vcpu *v)
{
	struct kvm_regs regs;

	if (ioctl(v->fd, KVM_GET_REGS, &regs) < 0)
		return ~0ull;
	return regs.rip;
}

const char *kvm_exit_reason_name(uint32_t reason)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "UNKNOWN", [KVM_EXIT_EXCEPTION] = "EXCEPTION",
		[KVM_EXIT_IO] = "IO", [KVM_EXIT_HYPERCALL] = "HYPERCALL",
		[KVM_EXIT_DEBUG] = "DEBUG", [KVM_EXIT_HLT] = "HLT", [KVM_EXIT_MMIO] = "MMIO",
		[KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN", [KVM_EXIT_SHUTDOWN] = "SHUTDOWN",
		[KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY", [KVM_EXIT_INTR] = "INTR",
		[KVM_EXIT_SET_TPR] = "SET_TPR", [KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS",
		[KVM_EXIT_NMI] = "NMI", [KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
		[KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT", [KVM_EXIT_IOAPIC_EOI] = "IOAPIC_EOI",
	};

	if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	return "?";
}
