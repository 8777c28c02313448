// SPDX-License-Identifier: GPL-2.0-only
/*
 * The userspace LAPIC copy as QEMU 2.7 consulted it: what a KVM_GET_LAPIC
 * snapshot makes it answer, and how it goes stale. The seed in miniature:
 * a snapshot with 32 and 62 pending and TPR 0 hands out 62, although the
 * kernel LAPIC has long delivered it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lapic_copy.h"

#define APIC_BASE_ENABLED	(0xfee00000ull | (1 << 11) | (1 << 8))

static void put(struct kvm_lapic_state *st, uint32_t off, uint32_t v)
{
	memcpy(st->regs + off, &v, 4);
}

static uint32_t get(const struct lapic_copy *c, uint32_t off)
{
	uint32_t v;

	memcpy(&v, c->page + off, 4);
	return v;
}

static void set_vec(struct kvm_lapic_state *st, uint32_t base, int vec)
{
	uint32_t off = base + 0x10 * (vec / 32), v;

	memcpy(&v, st->regs + off, 4);
	v |= 1u << (vec % 32);
	memcpy(st->regs + off, &v, 4);
}

/* A snapshot: APIC on, LVT0 ExtINT, given TPR, IRR vectors. */
static void snapshot(struct lapic_copy *c, uint32_t tpr, int v1, int v2)
{
	struct kvm_lapic_state st;

	memset(&st, 0, sizeof(st));
	put(&st, 0xf0, 0x1ff);
	put(&st, 0x350, 0x700);
	put(&st, 0x80, tpr);
	if (v1 >= 0)
		set_vec(&st, 0x200, v1);
	if (v2 >= 0)
		set_vec(&st, 0x200, v2);
	memset(c, 0, sizeof(*c));
	c->apic_base = APIC_BASE_ENABLED;
	lapic_copy_sync(c, &st);
}

static void test_masked_by_tpr(void **state)
{
	struct lapic_copy c;

	(void)state;
	snapshot(&c, 0xf0, 32, 62);
	assert_int_equal(lapic_copy_irq_pending(&c), -1);
	/* Masked: QEMU hands out the spurious vector. */
	assert_int_equal(lapic_copy_get_interrupt(&c), 0xff);
}

static void test_stale_copy_hands_out_62(void **state)
{
	struct lapic_copy c;

	(void)state;
	snapshot(&c, 0, 32, 62);
	assert_int_equal(c.nr_syncs, 1);
	assert_int_equal(lapic_copy_irq_pending(&c), 62);
	assert_int_equal(lapic_copy_get_interrupt(&c), 62);
	/* Moved IRR -> ISR in the copy only; 32 is now below the PPR. */
	assert_int_equal(get(&c, 0x200 + 0x10), 1u);	/* 32 still requested */
	assert_int_equal(get(&c, 0x100 + 0x10), 1u << 30);
	assert_int_equal(lapic_copy_irq_pending(&c), -1);
}

static void test_nothing_pending(void **state)
{
	struct lapic_copy c;

	(void)state;
	snapshot(&c, 0, -1, -1);
	assert_int_equal(lapic_copy_irq_pending(&c), 0);
	assert_int_equal(lapic_copy_get_interrupt(&c), -1);
}

static void test_software_disabled(void **state)
{
	struct lapic_copy c;
	struct kvm_lapic_state st;

	(void)state;
	snapshot(&c, 0, 62, -1);
	memcpy(st.regs, c.page, sizeof(st.regs));
	put(&st, 0xf0, 0xff);
	lapic_copy_sync(&c, &st);
	assert_int_equal(lapic_copy_irq_pending(&c), 0);
	assert_int_equal(lapic_copy_get_interrupt(&c), -1);
}

static void test_accept_pic_intr(void **state)
{
	struct lapic_copy c;
	struct kvm_lapic_state st;

	(void)state;
	snapshot(&c, 0, -1, -1);
	assert_true(lapic_copy_accept_pic_intr(&c));
	memcpy(st.regs, c.page, sizeof(st.regs));
	put(&st, 0x350, 0x10700);	/* masked */
	lapic_copy_sync(&c, &st);
	assert_false(lapic_copy_accept_pic_intr(&c));
	c.apic_base = 0xfee00000ull;	/* APIC globally off: the PIC wires straight in */
	assert_true(lapic_copy_accept_pic_intr(&c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_masked_by_tpr),
		cmocka_unit_test(test_stale_copy_hands_out_62),
		cmocka_unit_test(test_nothing_pending),
		cmocka_unit_test(test_software_disabled),
		cmocka_unit_test(test_accept_pic_intr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
