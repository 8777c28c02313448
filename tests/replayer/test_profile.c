// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMM profiles chosen from representative trace headers (replayer/profile.h):
 * kvmrec-vmm with and without --policy, QEMU, an unknown VMM, no argv; what
 * each yields (policy and where it came from, private ports), and what a
 * replay begun on each header uses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "profile.h"
#include "replay.h"

static Kvmrec__Header header(char **argv, size_t n)
{
	Kvmrec__Header h = KVMREC__HEADER__INIT;

	h.recorder = "preload";
	h.vmm_argv = argv;
	h.n_vmm_argv = n;
	return h;
}

/* The policy @p takes from @h's argv, and the origin text it gives. */
static const struct policy *argv_policy(const struct vmm_profile *p, const Kvmrec__Header *h,
					char *why, size_t len)
{
	why[0] = 0;
	assert_non_null(p->argv_policy);
	return p->argv_policy(h, why, len);
}

static void test_kvmrec_vmm_policy_from_argv(void **state)
{
	char *argv[] = { "/usr/libexec/kvmrec/kvmrec-vmm", "--smp", "2", "--policy", "qemu-2.7",
			 "tpr.elf" };
	char *eq[] = { "./kvmrec-vmm", "--policy=fixed", "--policy=stale-setlapic", "lost.elf" };
	char *none[] = { "kvmrec-vmm", "tpr.elf" };
	char *after_dashdash[] = { "kvmrec-vmm", "--", "--policy", "qemu-2.7" };
	Kvmrec__Header h = header(argv, 6);
	const struct vmm_profile *p = profile_choose(&h);
	char why[160];

	(void)state;
	assert_ptr_equal(p, &profile_kvmrec_vmm);
	assert_string_equal(p->name, "kvmrec-vmm");
	assert_true(p->pic_lines_in_trace);
	assert_ptr_equal(argv_policy(p, &h, why, sizeof(why)), policy_find("qemu-2.7"));
	assert_string_equal(why, "trace header: kvmrec-vmm --policy qemu-2.7");

	/* --policy=VALUE, the last one wins; the VMM's "fixed" is qemu-fixed. */
	h = header(eq, 4);
	assert_ptr_equal(profile_choose(&h), &profile_kvmrec_vmm);
	assert_ptr_equal(argv_policy(p, &h, why, sizeof(why)), policy_find("stale-setlapic"));
	assert_string_equal(why, "trace header: kvmrec-vmm --policy stale-setlapic");

	/* No --policy (or only the guest's arguments after --): the VMM's default. */
	h = header(none, 2);
	assert_ptr_equal(argv_policy(p, &h, why, sizeof(why)), policy_find("qemu-fixed"));
	assert_string_equal(why, "trace header: kvmrec-vmm, its default --policy fixed");
	h = header(after_dashdash, 4);
	assert_ptr_equal(argv_policy(p, &h, why, sizeof(why)), policy_find("qemu-fixed"));
}

static void test_kvmrec_vmm_test_port(void **state)
{
	const uint8_t pulse3[4] = { 3, 0, 2, 0 }, raise9[4] = { 9, 0, 1, 0 };
	const uint8_t lower9[4] = { 9, 0, 0, 0 }, ioapic[4] = { 3, 1, 2, 0 }, nmi[4] = { 1, 0, 3, 0 };
	struct profile_line l[2];

	(void)state;
	assert_int_equal(profile_port_out(&profile_kvmrec_vmm, 0xe0, pulse3, 4, l), 2);
	assert_int_equal(l[0].irq, 3);
	assert_true(l[0].level);
	assert_int_equal(l[1].irq, 3);
	assert_false(l[1].level);
	assert_int_equal(profile_port_out(&profile_kvmrec_vmm, 0xe0, raise9, 4, l), 1);
	assert_int_equal(l[0].irq, 9);
	assert_true(l[0].level);
	assert_int_equal(profile_port_out(&profile_kvmrec_vmm, 0xe0, lower9, 4, l), 1);
	assert_false(l[0].level);
	/* Its port, but no PIC line: an IOAPIC pin, an NMI. */
	assert_int_equal(profile_port_out(&profile_kvmrec_vmm, 0xe0, ioapic, 4, l), 0);
	assert_int_equal(profile_port_out(&profile_kvmrec_vmm, 0xe0, nmi, 4, l), 0);
	/* Not its command: a short write, another port. */
	assert_int_equal(profile_port_out(&profile_kvmrec_vmm, 0xe0, pulse3, 1, l), -1);
	assert_int_equal(profile_port_out(&profile_kvmrec_vmm, 0x80, pulse3, 4, l), -1);
}

static void test_qemu(void **state)
{
	char *argv[] = { "/usr/bin/qemu-system-x86_64", "-machine",
			 "accel=kvm,kernel_irqchip=split", "--policy", "qemu-2.7" };
	char *kvm[] = { "qemu-kvm", "-m", "512" };
	const uint8_t pulse3[4] = { 3, 0, 2, 0 };
	Kvmrec__Header h = header(argv, 5);
	const struct vmm_profile *p = profile_choose(&h);
	struct profile_line l[2];

	(void)state;
	assert_ptr_equal(p, &profile_qemu);
	assert_string_equal(p->name, "qemu");
	/* QEMU's argv does not name its injection rule, whatever it contains. */
	assert_null(p->argv_policy);
	assert_ptr_equal(policy_find(p->default_model), policy_find("qemu-fixed"));
	assert_false(p->pic_lines_in_trace);
	assert_int_equal(profile_port_out(p, 0xe0, pulse3, 4, l), -1);
	h = header(kvm, 3);
	assert_ptr_equal(profile_choose(&h), &profile_qemu);
}

static void test_unknown_vmm_and_no_argv_are_generic(void **state)
{
	char *argv[] = { "/opt/bin/firecracker", "--api-sock", "/tmp/fc.sock" };
	char *not_qemu[] = { "/usr/bin/qemu-img", "info" };
	const uint8_t pulse3[4] = { 3, 0, 2, 0 };
	Kvmrec__Header h = header(argv, 3);
	const struct vmm_profile *p = profile_choose(&h);
	struct profile_line l[2];

	(void)state;
	assert_ptr_equal(p, &profile_generic);
	assert_string_equal(p->name, "generic");
	assert_null(p->argv_policy);
	assert_ptr_equal(policy_find(p->default_model), policy_find("qemu-fixed"));
	assert_false(p->pic_lines_in_trace);
	assert_int_equal(profile_port_out(p, 0xe0, pulse3, 4, l), -1);
	h = header(not_qemu, 2);
	assert_ptr_equal(profile_choose(&h), &profile_generic);
	h = header(NULL, 0);
	assert_ptr_equal(profile_choose(&h), &profile_generic);
	assert_string_equal(profile_argv0_base(&h), "");
}

/* A replay begun on each header takes its model as the profile says. */
static void test_replay_takes_the_profiles_model(void **state)
{
	char *vmm[] = { "kvmrec-vmm", "--policy", "stale-setlapic", "lost.elf" };
	char *qemu[] = { "qemu-system-x86_64" };
	struct replay_opts from_trace = { .model = policy_find("kvmrec-vmm") };
	struct replay_opts none = { 0 };
	Kvmrec__Header h = header(vmm, 4);
	struct replay *r = replay_alloc(&none);

	(void)state;
	assert_non_null(r);
	replay_begin(r, &h);
	assert_ptr_equal(replay_model(r), policy_find("stale-setlapic"));
	assert_string_equal(replay_model_origin(r), "trace header: kvmrec-vmm --policy stale-setlapic");
	assert_null(replay_model_error(r));
	replay_free(r);

	/* QEMU: the default model; --model kvmrec-vmm has no argv policy to take. */
	h = header(qemu, 1);
	r = replay_alloc(&none);
	assert_non_null(r);
	replay_begin(r, &h);
	assert_ptr_equal(replay_model(r), policy_find("qemu-fixed"));
	assert_string_equal(replay_model_origin(r), "default");
	replay_free(r);
	r = replay_alloc(&from_trace);
	assert_non_null(r);
	replay_begin(r, &h);
	assert_string_equal(replay_model_error(r),
			    "--model kvmrec-vmm does not apply: the trace's VMM is not kvmrec-vmm "
			    "(qemu-system-x86_64)");
	replay_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kvmrec_vmm_policy_from_argv),
		cmocka_unit_test(test_kvmrec_vmm_test_port),
		cmocka_unit_test(test_qemu),
		cmocka_unit_test(test_unknown_vmm_and_no_argv_are_generic),
		cmocka_unit_test(test_replay_takes_the_profiles_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
