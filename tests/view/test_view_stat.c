// SPDX-License-Identifier: GPL-2.0-only
/*
 * stat over synthetic seed-shaped traces: the QEMU 2.7 one names vector 62's
 * double injection as the replayer decides it and counts its TPR-access and
 * IRQ-window exits; the fixed one has no violation; a truncated one is reported as damaged; output is the same
 * byte for byte on every run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "stat.h"
#include "seed_trace.h"
#include "trace_reader.h"

struct run {
	char *text, *json;
	uint64_t violations;
	int ret;
};

static void run_stat(const char *path, struct run *out)
{
	struct trace_reader *r = NULL;
	struct stat_report *s = NULL;
	struct trace_event ev;
	size_t len;
	FILE *f;
	int ret;

	assert_int_equal(trace_reader_open(path, &r), 0);
	assert_int_equal(stat_report_alloc(path, trace_reader_header(r), &s), 0);
	while ((ret = trace_reader_next(r, &ev)) > 0)
		assert_int_equal(stat_report_add(s, &ev), 0);
	out->ret = ret;
	stat_report_finish(s, ret ? NULL : trace_reader_footer(r), ret ? trace_reader_error(r) : NULL);
	f = open_memstream(&out->text, &len);
	stat_report_print_text(s, f);
	fclose(f);
	f = open_memstream(&out->json, &len);
	stat_report_print_json(s, f);
	fclose(f);
	out->violations = stat_report_violations(s);
	stat_report_free(s);
	trace_reader_close(r);
}

static void run_free(struct run *r)
{
	free(r->text);
	free(r->json);
}

static char *tmp_trace(const struct seed_trace_opts *o)
{
	char *path = strdup("/tmp/kvmrec-view-stat-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(seed_trace_write(path, o, NULL), 0);
	return path;
}

static void qemu27_names_vector_62(void **state)
{
	struct seed_trace_opts o = { .qemu27 = true, .ts_seed = 4, .loops = 10 };
	char *path = tmp_trace(&o);
	struct run a, b;

	(void)state;
	run_stat(path, &a);
	run_stat(path, &b);
	assert_int_equal(a.ret, 0);
	assert_int_equal(a.violations, 1);
	assert_non_null(strstr(a.text, "Check-once (the replayer's verdict, kvmrec replay --check-once): FAIL"));
	assert_non_null(strstr(a.text, "vCPU 0 vector 62: double injection: the extra delivery by KVM_INTERRUPT"));
	assert_non_null(strstr(a.text, "TPR_ACCESS"));
	assert_non_null(strstr(a.text, "IRQ_WINDOW_OPEN"));
	/* vCPU 0: 1 + TPR + 1 + IRQ_WINDOW + 10 + debug exit = 15 exits */
	assert_non_null(strstr(a.text, "vCPU 0: 15 exits"));
	assert_non_null(strstr(a.json, "{\"vector\":62,\"kvm_interrupt\":1,\"kvm_inj_virq\":0,\"accepted\":1,\"coalesced\":0,\"eoi\":1,\"deliveries\":2,\"violations\":1"));
	assert_non_null(strstr(a.json, "\"first_violations\":[{\"vcpu\":0,\"vector\":62,\"kind\":\"double injection\""));
	assert_non_null(strstr(a.json, "\"lapic_syncs\":{\"get\":1,\"set\":0"));
	assert_string_equal(a.text, b.text);
	assert_string_equal(a.json, b.json);
	run_free(&a);
	run_free(&b);
	unlink(path);
	free(path);
}

static void fixed_has_no_violation(void **state)
{
	struct seed_trace_opts o = { .qemu27 = false, .ts_seed = 4, .loops = 10 };
	char *path = tmp_trace(&o);
	struct run a;

	(void)state;
	run_stat(path, &a);
	assert_int_equal(a.violations, 0);
	assert_null(strstr(a.text, "IRQ_WINDOW_OPEN"));
	assert_null(strstr(a.text, "VIOLATION"));
	assert_non_null(strstr(a.text, "kvmrec replay --check-once): PASS"));
	assert_non_null(strstr(a.json, "\"verdict\":0,"));
	run_free(&a);
	unlink(path);
	free(path);
}

/*
 * A split-irqchip Linux boot: vector 0x30 from the 8259 by KVM_INTERRUPT,
 * later accepted by the in-kernel LAPIC. The view's old rule (accepted and
 * injected from userspace: "DUPLICATE?") fired on it; the replayer matches
 * each delivery to its own request.
 */
static void linux_irq0_pic_then_ioapic_is_no_violation(void **state)
{
	struct seed_trace_opts o = { .linux_irq0 = true, .ts_seed = 4, .loops = 3 };
	char *path = tmp_trace(&o);
	struct run a;

	(void)state;
	run_stat(path, &a);
	assert_int_equal(a.ret, 0);
	/* The old rule's condition holds: 1 KVM_INTERRUPT and 1 accept of 48. */
	assert_non_null(strstr(a.json, "{\"vector\":48,\"kvm_interrupt\":1,\"kvm_inj_virq\":0,\"accepted\":1,"));
	assert_int_equal(a.violations, 0);
	assert_null(strstr(a.text, "VIOLATION"));
	assert_non_null(strstr(a.text, "kvmrec replay --check-once): "));
	assert_non_null(strstr(a.json, "\"deliveries\":2,\"violations\":0,"));
	run_free(&a);
	unlink(path);
	free(path);
}

static void drops_and_damage_are_said(void **state)
{
	struct seed_trace_opts o = { .qemu27 = true, .ts_seed = 5, .loops = 10, .drops = 7 };
	char *path = tmp_trace(&o);
	struct run a;

	(void)state;
	run_stat(path, &a);
	assert_non_null(strstr(a.text, "1 Drop records (7 records)"));
	assert_non_null(strstr(a.text, "dropped: userspace ring full (--lossy)"));
	run_free(&a);
	unlink(path);
	free(path);

	o.drops = 0;
	o.no_footer = true;
	path = tmp_trace(&o);
	run_stat(path, &a);
	assert_true(a.ret < 0);
	assert_non_null(strstr(a.text, "no footer"));
	assert_non_null(strstr(a.text, "Damaged: "));
	assert_non_null(strstr(a.json, "\"footer\":false"));
	run_free(&a);
	unlink(path);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(qemu27_names_vector_62),
		cmocka_unit_test(fixed_has_no_violation),
		cmocka_unit_test(linux_irq0_pic_then_ioapic_is_no_violation),
		cmocka_unit_test(drops_and_damage_are_said),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
