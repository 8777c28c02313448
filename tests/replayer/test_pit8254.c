// SPDX-License-Identifier: GPL-2.0-only
/*
 * The 8254's bound on IRQ 0 edges: periodic modes one per period (plus the
 * unknown phase), one-shot modes one per load, reprogramming keeps what
 * was produced before.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "pit8254.h"

#define MS 1000000ull

static void load16(struct pit8254 *p, uint8_t mode, uint16_t count, uint64_t ts)
{
	pit_ioport_write(p, 0x43, 0x30 | mode << 1, ts);	/* ch 0, lsb+msb */
	pit_ioport_write(p, 0x40, count & 0xff, ts);
	pit_ioport_write(p, 0x40, count >> 8, ts);
}

static void test_unprogrammed_no_edges(void **state)
{
	struct pit8254 p;

	(void)state;
	pit_init(&p);
	assert_int_equal(pit_edges(&p, 1000 * MS), 0);
}

static void test_periodic_counts_periods(void **state)
{
	struct pit8254 p;

	(void)state;
	pit_init(&p);
	load16(&p, 2, 11932, 0);		/* 100 Hz */
	assert_int_equal(pit_edges(&p, 0), 1);
	assert_int_equal(pit_edges(&p, 9 * MS), 1);
	assert_int_equal(pit_edges(&p, 11 * MS), 2);
	assert_int_equal(pit_edges(&p, 1000 * MS + 1 * MS), 101);
	/* Reprogramming to one-shot keeps the edges made so far. */
	load16(&p, 0, 1000, 1000 * MS + 1 * MS);
	assert_int_equal(pit_edges(&p, 5000 * MS), 102);
	/* A channel 2 write (the speaker) changes nothing. */
	pit_ioport_write(&p, 0x43, 0xb6, 5000 * MS);
	assert_int_equal(pit_edges(&p, 6000 * MS), 102);
}

static void test_lsb_only_and_zero_count(void **state)
{
	struct pit8254 p;

	(void)state;
	pit_init(&p);
	pit_ioport_write(&p, 0x43, 0x16, 0);	/* ch 0, lsb only, mode 3 */
	pit_ioport_write(&p, 0x40, 0, 0);	/* 0 means 65536: 18.2 Hz */
	assert_int_equal(pit_edges(&p, 54 * MS), 1);
	assert_int_equal(pit_edges(&p, 56 * MS), 2);
	assert_false(pit_ioport_write(&p, 0x41, 0, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unprogrammed_no_edges),
		cmocka_unit_test(test_periodic_counts_periods),
		cmocka_unit_test(test_lsb_only_and_zero_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
