// SPDX-License-Identifier: GPL-2.0-only
/*
 * LAPIC destinations as the hardware decodes them: the logical-cluster
 * IPIs and the 0xff broadcast of kvm-unit-tests' apic test (-smp 2), flat
 * logical, x2APIC cluster, physical by APIC ID (not by vCPU index), and the
 * shorthands.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "apic_dest.h"

static struct apic_dest_id ids[4];

static uint64_t to(bool logical, uint32_t dest, enum apic_shorthand sh, uint32_t self)
{
	struct apic_dest_msg m = { sh, logical, false, dest, self };

	return apic_dest_match(ids, 4, 0xf, &m);
}

static void reset(void)
{
	for (int i = 0; i < 4; i++)
		apic_dest_reset(&ids[i], i);
}

static void test_physical_by_apic_id(void **state)
{
	(void)state;
	reset();
	assert_int_equal(to(false, 2, APIC_SH_NONE, 0), 1 << 2);
	/* vCPU 3 has APIC ID 7 (the ID register as KVM_GET_LAPIC shows it). */
	apic_dest_set_id_reg(&ids[3], 7u << 24);
	assert_int_equal(to(false, 3, APIC_SH_NONE, 0), 0);
	assert_int_equal(to(false, 7, APIC_SH_NONE, 0), 1 << 3);
	assert_int_equal(to(false, 0xff, APIC_SH_NONE, 0), 0xf);	/* broadcast */
	assert_int_equal(to(false, 200, APIC_SH_NONE, 0), 0);	/* nobody, not "vCPU 200" */
}

static void test_logical_flat_and_cluster(void **state)
{
	(void)state;
	reset();
	for (int i = 0; i < 4; i++)
		ids[i].ldr = (1u << i) << 24;		/* flat: one bit each */
	assert_int_equal(to(true, 0x5, APIC_SH_NONE, 0), (1 << 0) | (1 << 2));
	assert_int_equal(to(true, 0xff, APIC_SH_NONE, 0), 0xf);
	/* Cluster model: cluster 1 members 1 and 2, cluster 2 member 1. */
	for (int i = 0; i < 4; i++)
		ids[i].dfr = 0x0fffffff;
	ids[0].ldr = 0x11u << 24;
	ids[1].ldr = 0x12u << 24;
	ids[2].ldr = 0x21u << 24;
	ids[3].ldr = 0x14u << 24;
	assert_int_equal(to(true, 0x13, APIC_SH_NONE, 0), (1 << 0) | (1 << 1));
	assert_int_equal(to(true, 0x21, APIC_SH_NONE, 0), 1 << 2);
	assert_int_equal(to(true, 0x31, APIC_SH_NONE, 0), 0);
	assert_int_equal(to(true, 0xff, APIC_SH_NONE, 0), 0xf);
}

static void test_x2apic_cluster(void **state)
{
	struct apic_dest_msg m = { APIC_SH_NONE, true, true, (0u << 16) | 0x6, 0 };

	(void)state;
	reset();
	for (int i = 0; i < 4; i++)
		apic_dest_set_x2apic(&ids[i], true);
	assert_int_equal(apic_dest_match(ids, 4, 0xf, &m), (1 << 1) | (1 << 2));
	m.dest = 0xffffffffu;
	assert_int_equal(apic_dest_match(ids, 4, 0xf, &m), 0xf);
	m.logical = false;
	m.dest = 3;
	assert_int_equal(apic_dest_match(ids, 4, 0xf, &m), 1 << 3);
}

static void test_shorthands(void **state)
{
	(void)state;
	reset();
	assert_int_equal(to(false, 0, APIC_SH_SELF, 2), 1 << 2);
	assert_int_equal(to(false, 0, APIC_SH_ALL, 2), 0xf);
	assert_int_equal(to(false, 0, APIC_SH_OTHERS, 2), 0xf & ~(1 << 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_physical_by_apic_id),
		cmocka_unit_test(test_logical_flat_and_cluster),
		cmocka_unit_test(test_x2apic_cluster),
		cmocka_unit_test(test_shorthands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
