// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMM's models (vmm/pic.c, vmm/lapic_copy.c, vmm/policy.c) against the
 * replayer's (replayer/pic8259.c, apic_copy.c, policy.c): two independent
 * implementations kept on purpose, each the other's oracle (docs/replay.md,
 * "Two implementations"). Both get the same port writes and reads, input
 * line changes, INTA cycles, LAPIC syncs and pre-runs; after every step the
 * test asserts they agree on IRR/ISR/IMR/ELCR of both chips, the INTR
 * output, every value read, every INTA vector, and, with a policy, each
 * vCPU's interrupt request, the copy's IRR/ISR and each injection decision.
 * Hand-written scenarios check the datasheet behaviour besides; seeded
 * random sequences cover the rest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

/* Both sides' headers in one unit: the point is that they can be linked. */
#include "vmm/vmm.h"
#include "replayer/policy.h"
#include "lapic_page.h"

#define NCPU	2

struct both {
	/* kvmrec-vmm: the machine, whose PIC output drives vCPU 0's request. */
	struct vmm m;
	struct kvm_run run[NCPU];
	/* The replayer: its PIC pair and per-vCPU policy state. */
	struct pic_pair pic;
	struct policy_vcpu pv[NCPU];
	const struct policy *pol;
	unsigned long step;	/* for failure messages */
	char last[64];
	unsigned long n_inta, n_inta_slave, n_spurious, n_poll_hit, n_copy;
};

static void on_vmm_output(void *opaque, bool level)
{
	vmm_policy_pic_output(opaque, level);
}

static void both_init(struct both *b, enum vmm_policy vp, const char *model)
{
	memset(b, 0, sizeof(*b));
	b->m.policy = vp;
	b->m.vm.nr_vcpus = NCPU;
	for (int i = 0; i < NCPU; i++) {
		b->m.vm.vcpus[i].id = i;
		b->m.vm.vcpus[i].vm = &b->m.vm;
		b->m.vm.vcpus[i].run = &b->run[i];
		apic_copy_init(&b->pv[i].copy);
		b->pv[i].bsp = i == 0;
	}
	vmm_pic_init(&b->m.pic, on_vmm_output, &b->m);
	pic_init(&b->pic);
	b->pol = policy_find(model);
	assert_non_null(b->pol);
}

static void fail_at(struct both *b, const char *what, unsigned a, unsigned r)
{
	print_message("last op: %s\n", b->last);
	fail_msg("step %lu: %s: vmm 0x%x, replayer 0x%x", b->step, what, a, r);
}

#define SAME(b, what, va, rv) do { \
	if ((unsigned)(va) != (unsigned)(rv)) \
		fail_at(b, what, (unsigned)(va), (unsigned)(rv)); \
} while (0)

static void compare(struct both *b)
{
	static const char *const chip[2] = { "master", "slave" };

	for (int i = 0; i < 2; i++) {
		const struct vmm_pic_chip *v = &b->m.pic.chip[i];
		const struct pic8259 *r = &b->pic.chip[i];
		char what[32];

		snprintf(what, sizeof(what), "%s IRR", chip[i]);
		SAME(b, what, v->irr, r->irr);
		snprintf(what, sizeof(what), "%s ISR", chip[i]);
		SAME(b, what, v->isr, r->isr);
		snprintf(what, sizeof(what), "%s IMR", chip[i]);
		SAME(b, what, v->imr, r->imr);
		snprintf(what, sizeof(what), "%s ELCR", chip[i]);
		SAME(b, what, v->elcr, r->elcr);
	}
	SAME(b, "INTR output", b->m.pic.output, pic_pending_irq(&b->pic) >= 0);
	for (int i = 0; i < NCPU; i++) {
		struct vmm_vcpu *v = &b->m.vm.vcpus[i];
		uint32_t w[8];

		SAME(b, "irq_hard", atomic_load(&v->irq_hard), b->pv[i].irq_hard);
		lapic_page_vec256(v->lapic.page, LAPIC_REG_IRR, w);
		for (int k = 0; k < 8; k++)
			SAME(b, "copy IRR word", w[k], b->pv[i].copy.irr[k]);
		lapic_page_vec256(v->lapic.page, LAPIC_REG_ISR, w);
		for (int k = 0; k < 8; k++)
			SAME(b, "copy ISR word", w[k], b->pv[i].copy.isr[k]);
	}
}

/* replay.c's wiring: every PIC access re-drives vCPU 0's request. */
static void pic_changed(struct both *b)
{
	policy_pic_output(b->pol, &b->pv[0], pic_pending_irq(&b->pic) >= 0);
}

static void w(struct both *b, uint16_t port, uint8_t val)
{
	b->step++;
	snprintf(b->last, sizeof(b->last), "write 0x%x to 0x%x", val, port);
	vmm_pic_ioport_write(&b->m.pic, port, val);
	assert_true(pic_ioport_write(&b->pic, port, val));
	pic_changed(b);
	compare(b);
}

static uint8_t r(struct both *b, uint16_t port)
{
	bool poll = port < 0x4d0 && b->pic.chip[port >= 0xa0].poll;
	uint8_t va, rv = 0;

	b->step++;
	snprintf(b->last, sizeof(b->last), "read 0x%x", port);
	va = vmm_pic_ioport_read(&b->m.pic, port);
	assert_true(pic_ioport_read(&b->pic, port, &rv));
	/*
	 * Only a poll that acknowledged changes the PIC; the VMM (like QEMU)
	 * re-drives INTR then and not on other reads. replay.c re-drives
	 * after every read (docs/replay.md, "Two implementations").
	 */
	if (poll && (va & 0x80))
		pic_changed(b);
	SAME(b, "port read", va, rv);
	if (poll && (va & 0x80))
		b->n_poll_hit++;
	compare(b);
	return va;
}

static void line(struct both *b, int irq, bool level)
{
	b->step++;
	snprintf(b->last, sizeof(b->last), "line %d to %d", irq, level);
	vmm_pic_set_irq(&b->m.pic, irq, level);
	pic_set_irq(&b->pic, irq, level);
	pic_changed(b);
	compare(b);
}

/* An INTA cycle outside any policy (the PIC alone). */
static int inta(struct both *b)
{
	int va, rv, irq;

	b->step++;
	snprintf(b->last, sizeof(b->last), "INTA");
	va = vmm_pic_read_irq(&b->m.pic);
	rv = pic_intack(&b->pic, &irq);
	pic_changed(b);
	SAME(b, "INTA vector", va, rv);
	b->n_inta++;
	b->n_spurious += irq < 0;
	b->n_inta_slave += irq >= 8;
	compare(b);
	return va;
}

struct lapic_in {
	uint32_t irr[8], isr[8];
	uint8_t tpr;
	uint32_t spiv, lvt0;
};

static void put32(uint8_t *page, uint32_t off, uint32_t v)
{
	memcpy(page + off, &v, 4);
}

/* A KVM_GET_LAPIC result the VMM reads into its copy (a TPR-access sync). */
static void sync(struct both *b, int cpu, const struct lapic_in *in)
{
	struct kvm_lapic_state st;
	struct vmm_vcpu *v = &b->m.vm.vcpus[cpu];

	b->step++;
	snprintf(b->last, sizeof(b->last), "sync vcpu %d", cpu);
	memset(&st, 0, sizeof(st));
	for (int k = 0; k < 8; k++) {
		put32((uint8_t *)st.regs, LAPIC_REG_IRR + 0x10 * k, in->irr[k]);
		put32((uint8_t *)st.regs, LAPIC_REG_ISR + 0x10 * k, in->isr[k]);
	}
	put32((uint8_t *)st.regs, LAPIC_REG_TPR, in->tpr);
	put32((uint8_t *)st.regs, LAPIC_REG_SPIV, in->spiv);
	put32((uint8_t *)st.regs, 0x350, in->lvt0);
	lapic_copy_sync(&v->lapic, &st);
	vmm_policy_lapic_synced(&b->m, v);
	apic_copy_sync(&b->pv[cpu].copy, in->irr, in->isr, in->tpr, in->spiv, in->lvt0);
	policy_lapic_synced(b->pol, &b->pv[cpu], pic_pending_irq(&b->pic) >= 0);
	compare(b);
}

/* IA32_APIC_BASE as the exit reported it. */
static void apic_base(struct both *b, int cpu, uint64_t base)
{
	b->m.vm.vcpus[cpu].lapic.apic_base = base;
	b->pv[cpu].copy.apic_base = base;
}

/* One pre-run: the vector each would inject, and the window each asks for. */
static int pre_run(struct both *b, int cpu, bool ready, bool if_flag)
{
	struct vmm_vcpu *v = &b->m.vm.vcpus[cpu];
	struct policy_decision d;
	int vec, irq;

	b->step++;
	snprintf(b->last, sizeof(b->last), "pre-run vcpu %d ready %d if %d", cpu, ready, if_flag);
	b->run[cpu].ready_for_interrupt_injection = ready;
	b->run[cpu].if_flag = if_flag;
	irq = pic_pending_irq(&b->pic);
	vec = vmm_policy_decide(&b->m, v);
	policy_pre_run(b->pol, &b->pic, &b->pv[cpu], ready, if_flag, &d);
	SAME(b, "injected vector", vec, d.vector);
	SAME(b, "interrupt window", atomic_load(&v->irq_hard), d.window);
	if (d.vector >= 0) {
		b->n_inta += !d.from_copy;
		b->n_copy += d.from_copy;
		b->n_spurious += d.spurious;
		b->n_inta_slave += !d.from_copy && irq >= 8;
	}
	compare(b);
	return vec;
}

/* ICW1-4 of both chips as a BIOS does, with the caller's ICW4, unmasked. */
static void program(struct both *b, uint8_t mbase, uint8_t sbase, uint8_t icw4)
{
	w(b, 0x20, 0x11);
	w(b, 0x21, mbase);
	w(b, 0x21, 0x04);
	w(b, 0x21, icw4);
	w(b, 0xa0, 0x11);
	w(b, 0xa1, sbase);
	w(b, 0xa1, 0x02);
	w(b, 0xa1, icw4);
	w(b, 0x21, 0x00);
	w(b, 0xa1, 0x00);
}

static void edge(struct both *b, int irq)
{
	line(b, irq, true);
	line(b, irq, false);
}

/* ---- hand-written scenarios: both agree, and agree with the datasheet ---- */

static void test_fixed_priority_and_eoi(void **state)
{
	static struct both b;

	(void)state;
	both_init(&b, POLICY_FIXED, "qemu-fixed");
	program(&b, 0x20, 0x28, 0x01);
	edge(&b, 5);
	edge(&b, 3);
	assert_int_equal(inta(&b), 0x23);
	edge(&b, 1);
	assert_int_equal(inta(&b), 0x21);	/* nests over IR3 */
	assert_int_equal(r(&b, 0x21), 0x00);
	w(&b, 0x20, 0x0b);			/* OCW3: read ISR */
	assert_int_equal(r(&b, 0x20), 0x0a);
	w(&b, 0x20, 0x20);			/* non-specific EOI: IR1 */
	w(&b, 0x20, 0x63);			/* specific EOI: IR3 */
	assert_int_equal(r(&b, 0x20), 0x00);
	assert_int_equal(inta(&b), 0x25);
	w(&b, 0x20, 0x20);
	assert_int_equal(inta(&b), 0x27);	/* nothing left: spurious IR7 */
}

static void test_rotation(void **state)
{
	static struct both b;

	(void)state;
	both_init(&b, POLICY_FIXED, "qemu-fixed");
	program(&b, 0x20, 0x28, 0x01);
	w(&b, 0x20, 0xc0 | 4);			/* set priority: IR4 lowest */
	edge(&b, 3);
	edge(&b, 6);
	assert_int_equal(inta(&b), 0x26);	/* IR5 is now highest */
	w(&b, 0x20, 0xa0);			/* rotate on non-specific EOI */
	assert_int_equal(inta(&b), 0x23);
	w(&b, 0x20, 0xe0 | 3);			/* rotate on specific EOI */
	edge(&b, 3);
	edge(&b, 4);
	assert_int_equal(inta(&b), 0x24);	/* IR3 is lowest now */
	w(&b, 0x20, 0x80);			/* rotate in auto-EOI: set (unused) */
	w(&b, 0x20, 0x00);			/* ... clear */
	w(&b, 0x20, 0x40);			/* no operation */
}

static void test_auto_eoi_rotation_sfnm(void **state)
{
	static struct both b;

	(void)state;
	both_init(&b, POLICY_FIXED, "qemu-fixed");
	program(&b, 0x40, 0x48, 0x13);		/* auto-EOI, special fully nested */
	w(&b, 0x20, 0x80);			/* rotate in auto-EOI */
	edge(&b, 1);
	edge(&b, 2);
	assert_int_equal(inta(&b), 0x41);
	assert_int_equal(b.m.pic.chip[0].isr, 0);
	edge(&b, 1);
	assert_int_equal(inta(&b), 0x4f);	/* IR2 from the slave: no request */
	edge(&b, 9);
	edge(&b, 12);
	assert_int_equal(inta(&b), 0x41);	/* IR1 after IR2 rotated */
	assert_int_equal(inta(&b), 0x49);
	/*
	 * IR12 is still requested, but the slave's INT never fell, so the
	 * master's edge-triggered IR2 saw no new edge (QEMU's i8259 too).
	 */
	assert_int_equal(inta(&b), 0x47);
	w(&b, 0xa1, 0x10);			/* the mask drops INT ... */
	w(&b, 0xa1, 0x00);			/* ... and a new edge comes */
	assert_int_equal(inta(&b), 0x4c);
}

static void test_slave_cascade_and_sfnm(void **state)
{
	static struct both b;

	(void)state;
	both_init(&b, POLICY_FIXED, "qemu-fixed");
	program(&b, 0x20, 0x28, 0x11);		/* special fully nested on both */
	edge(&b, 12);
	assert_int_equal(inta(&b), 0x2c);
	edge(&b, 9);				/* higher on the slave: SFNM lets it through */
	assert_int_equal(inta(&b), 0x29);
	w(&b, 0xa0, 0x20);
	w(&b, 0xa0, 0x20);
	w(&b, 0x20, 0x0b);
	assert_int_equal(r(&b, 0x20), 0x04);	/* IR2 still in service on the master */
	w(&b, 0x20, 0x20);
	assert_int_equal(r(&b, 0x20), 0x00);
	w(&b, 0xa1, 0x10);			/* mask IR12 */
	edge(&b, 12);
	assert_int_equal(inta(&b), 0x27);
	w(&b, 0xa1, 0x00);
	assert_int_equal(inta(&b), 0x2c);
}

static void test_special_mask_poll_elcr(void **state)
{
	static struct both b;

	(void)state;
	both_init(&b, POLICY_FIXED, "qemu-fixed");
	program(&b, 0x20, 0x28, 0x01);
	edge(&b, 0);
	assert_int_equal(inta(&b), 0x20);
	edge(&b, 5);
	assert_int_equal(inta(&b), 0x27);	/* IR0 in service blocks IR5 */
	w(&b, 0x21, 0x01);
	w(&b, 0x20, 0x68);			/* special mask on */
	assert_int_equal(inta(&b), 0x25);
	w(&b, 0x20, 0x48);			/* special mask off */
	w(&b, 0x20, 0x65);
	w(&b, 0x20, 0x60);
	w(&b, 0x21, 0x00);
	edge(&b, 6);
	w(&b, 0x20, 0x0c);			/* poll */
	assert_int_equal(r(&b, 0x20), 0x86);
	w(&b, 0x20, 0x0c);
	assert_int_equal(r(&b, 0x20), 0x00);
	w(&b, 0x20, 0x66);
	w(&b, 0x4d0, 0xff);
	assert_int_equal(r(&b, 0x4d0), 0xf8);
	w(&b, 0x4d1, 0xff);
	assert_int_equal(r(&b, 0x4d1), 0xde);
	line(&b, 3, true);			/* level: requested while held */
	assert_int_equal(inta(&b), 0x23);
	w(&b, 0x20, 0x20);
	assert_int_equal(inta(&b), 0x23);
	line(&b, 3, false);
	w(&b, 0x20, 0x20);
	assert_int_equal(inta(&b), 0x27);
	line(&b, 11, true);			/* held across a re-initialisation */
	w(&b, 0xa0, 0x11);
	w(&b, 0xa1, 0x70);
	w(&b, 0xa1, 0x02);
	w(&b, 0xa1, 0x01);
	assert_int_equal(r(&b, 0xa1), 0x00);
	assert_int_equal(inta(&b), 0x73);
}

/* The seed: a stale copy re-raises the request; qemu-2.7 injects it again. */
static void test_policy_qemu27_stale_copy(void **state)
{
	static struct both b;
	struct lapic_in in = { .spiv = 0x1ff, .lvt0 = 0x700 };

	(void)state;
	both_init(&b, POLICY_QEMU27, "qemu-2.7");
	apic_base(&b, 0, 0xfee00900);
	apic_base(&b, 1, 0xfee00800);
	program(&b, 0x20, 0x28, 0x01);
	in.irr[0x61 / 32] = 1u << (0x61 % 32);
	sync(&b, 1, &in);
	assert_int_equal(pre_run(&b, 1, true, true), 0x61);
	assert_int_equal(pre_run(&b, 1, true, true), -1);
	sync(&b, 1, &in);			/* stale: the same IRR again */
	assert_int_equal(pre_run(&b, 1, true, false), -1);
	assert_int_equal(pre_run(&b, 1, true, true), 0x61);
	in.tpr = 0x70;
	sync(&b, 0, &in);			/* masked by PPR */
	edge(&b, 4);
	assert_int_equal(pre_run(&b, 0, true, true), 0xff);	/* the copy answers spurious */
	in = (struct lapic_in){ .spiv = 0x1ff, .lvt0 = 0x700 };
	sync(&b, 0, &in);
	assert_int_equal(pre_run(&b, 0, true, true), -1);	/* the PIC's request waits ... */
	w(&b, 0x21, 0x00);				/* ... for the PIC to re-drive INTR */
	assert_int_equal(pre_run(&b, 0, true, true), 0x24);
	w(&b, 0x20, 0x20);
	in.lvt0 = 0x10700;
	sync(&b, 0, &in);				/* LVT0 masked: the PIC is not asked */
	edge(&b, 5);
	assert_int_equal(pre_run(&b, 0, true, true), -1);
	assert_false(b.pv[0].irq_hard);
}

static void test_policy_fixed_pic_only(void **state)
{
	static struct both b;
	struct lapic_in in = { .spiv = 0x1ff, .lvt0 = 0x700 };

	(void)state;
	both_init(&b, POLICY_FIXED, "qemu-fixed");
	apic_base(&b, 0, 0xfee00900);
	program(&b, 0x20, 0x28, 0x01);
	in.irr[2] = 1;
	sync(&b, 0, &in);
	assert_int_equal(pre_run(&b, 0, true, true), -1);	/* the copy is not asked */
	edge(&b, 8);
	assert_int_equal(pre_run(&b, 1, true, true), -1);	/* not the BSP */
	assert_int_equal(pre_run(&b, 0, false, true), -1);	/* window only */
	assert_int_equal(pre_run(&b, 0, true, true), 0x28);
}

/* ---- seeded random sequences ---- */

static uint64_t rng;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static const uint16_t cmd_port[2] = { 0x20, 0xa0 };

static uint8_t random_command(void)
{
	switch (rnd(4)) {
	case 0:		/* ICW1: edge, with or without ICW4, cascade or single */
		return 0x10 | (rnd(2) ? 0x01 : 0) | (rnd(8) ? 0 : 0x02) | (rnd(4) ? 0 : 0x08);
	case 1:		/* OCW3: read IRR/ISR, poll, special mask */
		return 0x08 | (rnd(2) ? 0x02 | rnd(2) : 0) | (rnd(4) ? 0 : 0x04) |
		       (rnd(3) ? 0 : 0x40 | (rnd(2) << 5));
	default:	/* OCW2: every EOI and rotation command */
		return (uint8_t)(rnd(8) << 5 | rnd(8));
	}
}

static void random_lapic(struct lapic_in *in)
{
	static const uint8_t vecs[] = { 0x21, 0x30, 0x41, 0x61, 0x62, 0x81, 0xef };

	memset(in, 0, sizeof(*in));
	for (int i = rnd(3); i > 0; i--) {
		unsigned v = vecs[rnd(sizeof(vecs))];

		in->irr[v / 32] |= 1u << (v % 32);
	}
	if (rnd(3) == 0) {
		unsigned v = vecs[rnd(sizeof(vecs))];

		in->isr[v / 32] |= 1u << (v % 32);
	}
	in->tpr = rnd(3) ? 0 : (uint8_t)(rnd(16) << 4);
	in->spiv = 0xff | (rnd(6) ? 0x100 : 0);
	in->lvt0 = (rnd(4) ? 0x700 : 0) | (rnd(5) ? 0 : 0x10000);
}

static void random_step(struct both *b, bool with_policy)
{
	unsigned c = rnd(2), k = rnd(with_policy ? 100 : 86);
	struct lapic_in in;

	if (k < 18) {
		w(b, cmd_port[c], random_command());
	} else if (k < 30) {
		/* ICW2-4 while initialising, else OCW1; masks mostly open. */
		w(b, cmd_port[c] + 1, rnd(3) ? (uint8_t)(rnd(2) ? 0 : 1u << rnd(8)) : rnd(256));
	} else if (k < 33) {
		w(b, 0x4d0 + c, rnd(256));
	} else if (k < 45) {
		r(b, rnd(4) ? cmd_port[c] + rnd(2) : 0x4d0 + c);
	} else if (k < 74) {
		line(b, rnd(16), rnd(2));
	} else if (k < 86) {
		if (with_policy)
			pre_run(b, 0, rnd(5), rnd(5));
		else
			inta(b);
	} else if (k < 92) {
		random_lapic(&in);
		sync(b, rnd(NCPU), &in);
	} else if (k < 93) {
		apic_base(b, rnd(NCPU), rnd(6) ? 0xfee00800 : 0);
	} else {
		pre_run(b, rnd(NCPU), rnd(5), rnd(5));
	}
}

struct variant {
	enum vmm_policy vp;
	const char *model;
	bool with_policy;
};

static void run_random(const struct variant *va, uint64_t seed, unsigned long steps,
		       struct both *sum)
{
	static struct both b;

	rng = seed;
	both_init(&b, va->vp, va->model);
	apic_base(&b, 0, 0xfee00900);
	apic_base(&b, 1, 0xfee00800);
	program(&b, 0x20, 0x28, rnd(3) ? 0x01 : (uint8_t)(0x01 | (rnd(2) << 1) | (rnd(2) << 4)));
	while (b.step < steps)
		random_step(&b, va->with_policy);
	sum->step += b.step;
	sum->n_inta += b.n_inta;
	sum->n_inta_slave += b.n_inta_slave;
	sum->n_spurious += b.n_spurious;
	sum->n_poll_hit += b.n_poll_hit;
	sum->n_copy += b.n_copy;
}

static void random_sequences(const struct variant *va)
{
	static struct both sum;

	memset(&sum, 0, sizeof(sum));
	for (uint64_t seed = 1; seed <= 150; seed++)
		run_random(va, seed * 0x9e3779b97f4a7c15ull, 2000, &sum);
	printf("# %s%s: %lu steps, %lu PIC INTA (%lu from the slave, %lu spurious), "
	       "%lu poll hits, %lu from the copy\n", va->model,
	       va->with_policy ? " policy" : " PIC", sum.step, sum.n_inta, sum.n_inta_slave,
	       sum.n_spurious, sum.n_poll_hit, sum.n_copy);
	/* The generator must reach what it claims to cover. */
	assert_true(sum.n_inta_slave > 100);
	assert_true(sum.n_spurious > 100);
	assert_true(sum.n_poll_hit > 100);
	assert_true(sum.n_inta > sum.n_spurious + 1000);
	if (va->with_policy && va->vp == POLICY_QEMU27)
		assert_true(sum.n_copy > 100);
}

static void test_random(void **state)
{
	random_sequences(*state);
}

int main(void)
{
	static struct variant pic = { POLICY_FIXED, "qemu-fixed", false };
	static struct variant fixed = { POLICY_FIXED, "qemu-fixed", true };
	static struct variant qemu27 = { POLICY_QEMU27, "qemu-2.7", true };
	static struct variant stale = { POLICY_STALE_SETLAPIC, "stale-setlapic", true };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_priority_and_eoi),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_auto_eoi_rotation_sfnm),
		cmocka_unit_test(test_slave_cascade_and_sfnm),
		cmocka_unit_test(test_special_mask_poll_elcr),
		cmocka_unit_test(test_policy_qemu27_stale_copy),
		cmocka_unit_test(test_policy_fixed_pic_only),
		{ "random_pic", test_random, NULL, NULL, &pic },
		{ "random_policy_fixed", test_random, NULL, NULL, &fixed },
		{ "random_policy_qemu27", test_random, NULL, NULL, &qemu27 },
		{ "random_policy_stale_setlapic", test_random, NULL, NULL, &stale },
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
