// SPDX-License-Identifier: GPL-2.0-only
/*
 * The 8259A model against the datasheet's scenarios: initialisation, edge
 * and level lines, priorities and rotation, specific EOI, special mask,
 * auto-EOI, poll, cascade.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "pic8259.h"

/* ICW1-4 on both chips as a PC BIOS does: bases 0x20/0x28, cascade on IR2. */
static void program(struct pic_pair *p, uint8_t icw4)
{
	pic_init(p);
	pic_ioport_write(p, 0x20, 0x11);
	pic_ioport_write(p, 0x21, 0x20);
	pic_ioport_write(p, 0x21, 0x04);
	pic_ioport_write(p, 0x21, icw4);
	pic_ioport_write(p, 0xa0, 0x11);
	pic_ioport_write(p, 0xa1, 0x28);
	pic_ioport_write(p, 0xa1, 0x02);
	pic_ioport_write(p, 0xa1, icw4);
}

static int ack(struct pic_pair *p)
{
	int irq;

	return pic_intack(p, &irq);
}

static void test_unprogrammed_has_no_vectors(void **state)
{
	struct pic_pair p;

	(void)state;
	pic_init(&p);
	assert_int_equal(pic_irq_vector(&p, 0), -1);
	assert_int_equal(pic_vector_irq(&p, 0x20), -1);
}

static void test_edge_once_per_rising_edge(void **state)
{
	struct pic_pair p;

	(void)state;
	program(&p, 0x01);
	assert_int_equal(pic_pending_irq(&p), -1);
	pic_set_irq(&p, 3, 1);
	assert_int_equal(pic_pending_irq(&p), 3);
	assert_int_equal(ack(&p), 0x23);
	pic_ioport_write(&p, 0x20, 0x20);	/* non-specific EOI */
	/* Still high, no new edge: nothing more. */
	assert_int_equal(pic_pending_irq(&p), -1);
	pic_set_irq(&p, 3, 0);
	pic_set_irq(&p, 3, 1);
	assert_int_equal(pic_pending_irq(&p), 3);
}

static void test_level_redelivered_until_lowered(void **state)
{
	struct pic_pair p;

	(void)state;
	program(&p, 0x01);
	pic_ioport_write(&p, 0x4d1, 0x04);	/* IRQ 10 level */
	pic_set_irq(&p, 10, 1);
	assert_int_equal(pic_pending_irq(&p), 10);
	assert_int_equal(ack(&p), 0x2a);
	pic_ioport_write(&p, 0xa0, 0x62);	/* specific EOI IR2 on the slave */
	pic_ioport_write(&p, 0x20, 0x62);	/* specific EOI IR2 on the master */
	assert_int_equal(pic_pending_irq(&p), 10);
	assert_int_equal(ack(&p), 0x2a);
	pic_ioport_write(&p, 0xa0, 0x62);
	pic_ioport_write(&p, 0x20, 0x62);
	pic_set_irq(&p, 10, 0);
	/*
	 * The master latched the cascade edge; with the slave's line gone the
	 * INTA cycle finds nothing there: the slave's spurious IRQ 7.
	 */
	{
		int irq;

		assert_int_equal(pic_intack(&p, &irq), 0x2f);
		assert_int_equal(irq, -1);
	}
	assert_int_equal(pic_pending_irq(&p), -1);
}

static void test_in_service_blocks_equal_and_lower(void **state)
{
	struct pic_pair p;

	(void)state;
	program(&p, 0x01);
	pic_set_irq(&p, 4, 1);
	assert_int_equal(ack(&p), 0x24);
	pic_set_irq(&p, 5, 1);			/* lower priority than 4 */
	assert_int_equal(pic_pending_irq(&p), -1);
	pic_set_irq(&p, 1, 1);			/* higher: nests */
	assert_int_equal(pic_pending_irq(&p), 1);
	assert_int_equal(ack(&p), 0x21);
	pic_ioport_write(&p, 0x20, 0x20);	/* EOIs 1, the highest in service */
	assert_int_equal(pic_pending_irq(&p), -1);
	pic_ioport_write(&p, 0x20, 0x20);	/* EOIs 4 */
	assert_int_equal(pic_pending_irq(&p), 5);
}

static void test_imr_masks_and_special_mask(void **state)
{
	struct pic_pair p;

	(void)state;
	program(&p, 0x01);
	pic_ioport_write(&p, 0x21, 1u << 6);	/* mask IRQ 6 */
	pic_set_irq(&p, 6, 1);
	assert_int_equal(pic_pending_irq(&p), -1);
	pic_ioport_write(&p, 0x21, 0);
	assert_int_equal(ack(&p), 0x26);
	/* Special mask: mask the in-service line, a lower one may come in. */
	pic_ioport_write(&p, 0x21, 1u << 6);
	pic_ioport_write(&p, 0x20, 0x68);
	pic_set_irq(&p, 7, 1);
	assert_int_equal(pic_pending_irq(&p), 7);
}

static void test_rotation(void **state)
{
	struct pic_pair p;

	(void)state;
	program(&p, 0x01);
	pic_set_irq(&p, 1, 1);
	pic_set_irq(&p, 3, 1);
	assert_int_equal(ack(&p), 0x21);
	pic_ioport_write(&p, 0x20, 0xa0);	/* rotate on non-specific EOI: 1 lowest */
	pic_set_irq(&p, 1, 0);
	pic_set_irq(&p, 1, 1);
	/* Now 3 beats 1. */
	assert_int_equal(ack(&p), 0x23);
}

static void test_auto_eoi_and_poll(void **state)
{
	struct pic_pair p;
	uint8_t v;

	(void)state;
	program(&p, 0x03);			/* auto-EOI */
	pic_set_irq(&p, 2 + 3, 1);
	assert_int_equal(ack(&p), 0x25);
	assert_int_equal(p.chip[0].isr, 0);
	program(&p, 0x01);
	pic_set_irq(&p, 6, 1);
	pic_ioport_write(&p, 0x20, 0x0c);	/* poll */
	assert_true(pic_ioport_read(&p, 0x20, &v));
	assert_int_equal(v, 0x86);
	assert_int_equal(p.chip[0].isr, 1u << 6);
	assert_int_equal(pic_pending_irq(&p), -1);
}

static void test_cascade_and_spurious(void **state)
{
	struct pic_pair p;
	int irq;

	(void)state;
	program(&p, 0x01);
	assert_int_equal(pic_intack(&p, &irq), 0x27);	/* nothing: spurious IRQ 7 */
	assert_int_equal(irq, -1);
	pic_set_irq(&p, 12, 1);
	assert_int_equal(pic_pending_irq(&p), 12);
	assert_int_equal(pic_intack(&p, &irq), 0x2c);
	assert_int_equal(irq, 12);
	assert_int_equal(pic_vector_irq(&p, 0x2c), 12);
	assert_false(pic_ioport_write(&p, 0x60, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unprogrammed_has_no_vectors),
		cmocka_unit_test(test_edge_once_per_rising_edge),
		cmocka_unit_test(test_level_redelivered_until_lowered),
		cmocka_unit_test(test_in_service_blocks_equal_and_lower),
		cmocka_unit_test(test_imr_masks_and_special_mask),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_auto_eoi_and_poll),
		cmocka_unit_test(test_cascade_and_spurious),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
