// SPDX-License-Identifier: GPL-2.0-only
/*
 * diff over synthetic traces: two runs of the same scenario that differ only
 * in timing (timestamps, tids, fds, timer count, signal-cut KVM_RUNs, host
 * CPU of kernel events) are the same; the QEMU 2.7 and fixed runs differ on
 * vCPU 0 only, where the irq-window exit and KVM_INTERRUPT 62 appear; lost
 * records make "same" undecidable; a truncated trace is an error naming it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "diff.h"
#include "seed_trace.h"

static char *tmp_trace(const struct seed_trace_opts *o)
{
	char *path = strdup("/tmp/kvmrec-view-diff-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(seed_trace_write(path, o, NULL), 0);
	return path;
}

static int run_diff_inputs(const char *a, const char *b, bool kernel, enum diff_inputs in,
			   char **text, char *err)
{
	struct diff_opts o = { .context = 3, .stream.kernel = kernel, .inputs = in };
	size_t len;
	FILE *f = open_memstream(text, &len);
	int ret = diff_traces(a, b, &o, f, err, 256);

	fclose(f);
	return ret;
}

static int run_diff(const char *a, const char *b, bool kernel, char **text, char *err)
{
	return run_diff_inputs(a, b, kernel, DIFF_INPUTS_FAIL, text, err);
}

static void timing_only_is_same(void **state)
{
	struct seed_trace_opts o1 = { .qemu27 = true, .ts_seed = 1, .loops = 12 };
	struct seed_trace_opts o2 = { .qemu27 = true, .ts_seed = 2, .loops = 12 };
	char *a = tmp_trace(&o1), *b = tmp_trace(&o2), *text, err[256] = "";

	(void)state;
	assert_int_equal(run_diff(a, b, false, &text, err), DIFF_SAME);
	assert_non_null(strstr(text, "vCPU 0: same"));
	assert_non_null(strstr(text, "vCPU 1: same"));
	assert_non_null(strstr(text, "VM-wide: same"));
	free(text);
	/* Kernel events carry the same arguments here too, so still the same. */
	assert_int_equal(run_diff(a, b, true, &text, err), DIFF_SAME);
	free(text);
	unlink(a);
	unlink(b);
	free(a);
	free(b);
}

static void qemu27_vs_fixed_differs_on_vcpu0(void **state)
{
	struct seed_trace_opts o1 = { .qemu27 = true, .ts_seed = 3, .loops = 12 };
	struct seed_trace_opts o2 = { .qemu27 = false, .ts_seed = 8, .loops = 12 };
	char *a = tmp_trace(&o1), *b = tmp_trace(&o2), *text, err[256] = "";
	char *t1, *t2;

	(void)state;
	assert_int_equal(run_diff(a, b, false, &text, err), DIFF_DIFFER);
	t1 = text;
	/*
	 * exit, TPR exit, GET_LAPIC are the same; the 4th exit differs only in
	 * A's irq-window request; the 5th is where A's guest sees another thing.
	 */
	assert_non_null(strstr(text, "vCPU 0: differ at event #5 of its stream"));
	assert_non_null(strstr(text, "first difference at #4: A asked for an interrupt window on entry, B did not"));
	assert_non_null(strstr(text, "exit IO out port 0x80 size 1 data 02 [asked irq window]"));
	assert_non_null(strstr(text, "- #5      A seq 14       exit IRQ_WINDOW_OPEN [asked irq window] [ready] [IF]"));
	assert_non_null(strstr(text, "- #6      A seq 15       KVM_INTERRUPT vector 62"));
	/* B has nothing in their place: the streams resynchronise right after. */
	assert_null(strstr(text, "  + #"));
	assert_non_null(strstr(text, "    #7      A seq 17       B seq 13       exit IO out port 0x80 size 1 data 03"));
	assert_non_null(strstr(text, "KVM_GET_LAPIC tpr 0x0 irr {62} isr {}"));
	assert_non_null(strstr(text, "vCPU 0: 1 divergent region, 0 input differences; A 19 events, B 17"));
	assert_non_null(strstr(text, "vCPU 1: same"));
	assert_non_null(strstr(text, "summary: 1 divergent region, 0 input differences"));
	assert_non_null(strstr(text, "first divergence: vCPU 0 event #5 (A seq 14, B seq 13)"));
	assert_non_null(strstr(text, "result: differ (1 of 3 streams)"));
	/* Deterministic: the same inputs give the same bytes. */
	assert_int_equal(run_diff(a, b, false, &t2, err), DIFF_DIFFER);
	assert_string_equal(t1, t2);
	free(t1);
	free(t2);
	unlink(a);
	unlink(b);
	free(a);
	free(b);
}

/*
 * Two runs whose guest read another RTC value: input differences, listed,
 * the whole stream compared; --inputs decides whether they alone differ.
 */
static void inputs_alone(void **state)
{
	struct seed_trace_opts o1 = { .ts_seed = 1, .loops = 12, .rtc = 0x10 };
	struct seed_trace_opts o2 = { .ts_seed = 2, .loops = 12, .rtc = 0x20 };
	char *a = tmp_trace(&o1), *b = tmp_trace(&o2), *text, err[256] = "";

	(void)state;
	assert_int_equal(run_diff(a, b, false, &text, err), DIFF_DIFFER);
	assert_non_null(strstr(text, "vCPU 0: input differences:"));
	assert_non_null(strstr(text, "  ! #7      A seq"));
	assert_non_null(strstr(text, "exit IO in port 0x71 size 1 data 11"));
	assert_non_null(strstr(text, "exit IO in port 0x71 size 1 data 21"));
	assert_non_null(strstr(text, "exit IO in port 0x71 size 1 data 2a"));
	assert_non_null(strstr(text, "vCPU 0: same but for 2 input differences"));
	assert_non_null(strstr(text, "summary: 0 divergent regions, 2 input differences"));
	assert_non_null(strstr(text, "result: differ (1 of 3 streams)"));
	free(text);
	assert_int_equal(run_diff_inputs(a, b, false, DIFF_INPUTS_REPORT, &text, err), DIFF_SAME);
	assert_non_null(strstr(text, "data 21"));
	free(text);
	assert_int_equal(run_diff_inputs(a, b, false, DIFF_INPUTS_IGNORE, &text, err), DIFF_SAME);
	assert_null(strstr(text, "data 21"));
	assert_non_null(strstr(text, "2 input differences"));
	free(text);
	unlink(a);
	unlink(b);
	free(a);
	free(b);
}

/* Every region is reported, not just the first; inputs between them too. */
static void regions_resync(void **state)
{
	struct seed_trace_opts o1 = { .ts_seed = 1, .loops = 12, .rtc = 0x10, .extra_at = { 3, 9 } };
	struct seed_trace_opts o2 = { .ts_seed = 2, .loops = 12, .rtc = 0x20 };
	char *a = tmp_trace(&o1), *b = tmp_trace(&o2), *text, err[256] = "";

	(void)state;
	assert_int_equal(run_diff_inputs(a, b, false, DIFF_INPUTS_IGNORE, &text, err),
			 DIFF_DIFFER);
	assert_non_null(strstr(text, "vCPU 0: differ at event #"));
	assert_non_null(strstr(text, "exit IO out port 0x81 size 1 data 02"));
	assert_non_null(strstr(text, "  region 2 at A event #"));
	assert_non_null(strstr(text, "exit IO out port 0x81 size 1 data 08"));
	assert_non_null(strstr(text, "vCPU 0: 2 divergent regions, 2 input differences"));
	assert_non_null(strstr(text, "summary: 2 divergent regions, 2 input differences"));
	/* Compared to the end: all of both streams, A's two extra writes apart. */
	assert_non_null(strstr(text, "; A 21 events, B 19\n"));
	free(text);
	unlink(a);
	unlink(b);
	free(a);
	free(b);
}

static void lost_records_undecided(void **state)
{
	struct seed_trace_opts o1 = { .qemu27 = false, .ts_seed = 1, .loops = 4 };
	struct seed_trace_opts o2 = { .qemu27 = false, .ts_seed = 1, .loops = 4, .drops = 3 };
	char *a = tmp_trace(&o1), *b = tmp_trace(&o2), *text, err[256] = "";

	(void)state;
	assert_int_equal(run_diff(a, b, false, &text, err), DIFF_UNDECIDED);
	assert_non_null(strstr(text, "B lost 3 records"));
	free(text);
	unlink(a);
	unlink(b);
	free(a);
	free(b);
}

static void truncated_is_an_error(void **state)
{
	struct seed_trace_opts o1 = { .qemu27 = false, .ts_seed = 1, .loops = 4 };
	struct seed_trace_opts o2 = { .qemu27 = false, .ts_seed = 1, .loops = 4, .no_footer = true };
	char *a = tmp_trace(&o1), *b = tmp_trace(&o2), *text, err[256] = "";

	(void)state;
	assert_true(run_diff(a, b, false, &text, err) < 0);
	assert_non_null(strstr(err, b));
	free(text);
	assert_int_equal(run_diff(a, "/nonexistent/x.zst", false, &text, err), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/x.zst"));
	free(text);
	unlink(a);
	unlink(b);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timing_only_is_same),
		cmocka_unit_test(qemu27_vs_fixed_differs_on_vcpu0),
		cmocka_unit_test(inputs_alone),
		cmocka_unit_test(regions_resync),
		cmocka_unit_test(lost_records_undecided),
		cmocka_unit_test(truncated_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
