// SPDX-License-Identifier: GPL-2.0-only
/* hist: percentiles stay within the promised error, min/max/mean exact. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "hist.h"

static void assert_within(uint64_t got, uint64_t want)
{
	/* Half a bucket: 1/2^(HIST_SUB_BITS+1) of the value; and always within 1%. */
	uint64_t tol = want >> (HIST_SUB_BITS + 1);

	assert_true(tol <= want / 100);
	if (got + tol < want || got > want + tol)
		fail_msg("got %llu, want %llu +- %llu", (unsigned long long)got,
			 (unsigned long long)want, (unsigned long long)tol);
}

static void uniform_percentiles(void **state)
{
	struct hist h;

	(void)state;
	hist_init(&h);
	for (uint64_t v = 1; v <= 100000; v++)
		hist_add(&h, v * 10);
	assert_int_equal(h.count, 100000);
	assert_int_equal(h.min, 10);
	assert_int_equal(h.max, 1000000);
	assert_int_equal(hist_mean(&h), 500005);
	assert_within(hist_quantile(&h, 0.5), 500000);
	assert_within(hist_quantile(&h, 0.9), 900000);
	assert_within(hist_quantile(&h, 0.99), 990000);
	assert_int_equal(hist_quantile(&h, 1.0), 1000000);
}

static void small_values_exact(void **state)
{
	struct hist h;

	(void)state;
	hist_init(&h);
	for (int i = 0; i < 7; i++)
		hist_add(&h, 3);
	hist_add(&h, 5);
	assert_int_equal(hist_quantile(&h, 0.5), 3);
	assert_int_equal(hist_quantile(&h, 0.99), 5);
}

static void huge_and_empty(void **state)
{
	struct hist h;

	(void)state;
	hist_init(&h);
	assert_int_equal(hist_quantile(&h, 0.5), 0);
	assert_int_equal(hist_mean(&h), 0);
	hist_add(&h, UINT64_MAX);
	hist_add(&h, UINT64_MAX);
	assert_int_equal(h.max, UINT64_MAX);
	assert_int_equal(h.sum, UINT64_MAX);   /* saturated, not wrapped */
	assert_int_equal(hist_quantile(&h, 0.5), UINT64_MAX);
}

static void merge_is_union(void **state)
{
	struct hist a, b, all;

	(void)state;
	hist_init(&a);
	hist_init(&b);
	hist_init(&all);
	for (uint64_t v = 0; v < 5000; v++) {
		hist_add(v % 2 ? &a : &b, v * 37);
		hist_add(&all, v * 37);
	}
	hist_merge(&a, &b);
	assert_memory_equal(&a, &all, sizeof(a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(uniform_percentiles),
		cmocka_unit_test(small_values_exact),
		cmocka_unit_test(huge_and_empty),
		cmocka_unit_test(merge_is_union),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
