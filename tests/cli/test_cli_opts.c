// SPDX-License-Identifier: GPL-2.0-only
/*
 * The option table of every kvmrec subcommand (cli/opts.h), walked
 * generically: each option parses as --opt=value, --opt value (and -o
 * value, -ovalue), a flag refuses a value, a missing value and an unknown
 * option are usage errors, operands and options mix; --help and the
 * synopsis list every option of the table. A new option or subcommand is
 * covered without a line here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"
#include "opts.h"

#define MAX_ARGS 8

/* Parses @args (NULL-terminated, after the command name) with @cmd's table. */
struct run {
	int ids[MAX_ARGS + 1];
	const char *args[MAX_ARGS + 1];
	int n;
	int next;
};

static void parse(const struct cli_cmd *cmd, struct run *out, ...)
{
	static char *argv[MAX_ARGS + 2];
	struct cli_parser p;
	va_list ap;
	int argc = 1, id, saved, null;

	argv[0] = (char *)cmd->name;
	va_start(ap, out);
	for (char *a; (a = va_arg(ap, char *)); )
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	memset(out, 0, sizeof(*out));
	/* The usage errors provoked on purpose are not the test's output. */
	fflush(stderr);
	saved = dup(2);
	null = open("/dev/null", O_WRONLY);
	assert_true(saved >= 0 && null >= 0 && dup2(null, 2) == 2);
	assert_int_equal(cli_parse_begin(&p, cmd, argc, argv), 0);
	do {
		id = cli_next(&p);
		out->ids[out->n] = id;
		out->args[out->n++] = p.arg;
	} while (id != CLI_END && id != CLI_ERROR && out->n < MAX_ARGS);
	out->next = p.next;
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(null);
}

static char *help_of(const struct cli_cmd *cmd, bool synopsis_only)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	assert_non_null(m);
	if (synopsis_only)
		cli_synopsis(m, cmd, "usage: ", "       ");
	else
		cli_help(m, cmd);
	assert_int_equal(fclose(m), 0);
	return text;
}

static bool operand(const struct cli_opt *o)
{
	return !o->name && !o->short_name;
}

/* Ids, names and short names unique; the table fits the parser. */
static void test_tables_sane(void **state)
{
	(void)state;
	assert_int_equal(cli_ncommands, 9);
	for (unsigned int c = 0; c < cli_ncommands; c++) {
		const struct cli_cmd *cmd = cli_commands[c].cli;
		int n = 0;

		for (const struct cli_opt *a = cmd->opts; a->id; a++, n++) {
			assert_true(a->id > 0);
			assert_non_null(a->help);
			if (operand(a))
				assert_non_null(a->metavar);
			for (const struct cli_opt *b = a + 1; b->id; b++) {
				assert_int_not_equal(a->id, b->id);
				if (a->name && b->name)
					assert_string_not_equal(a->name, b->name);
				if (a->short_name)
					assert_int_not_equal(a->short_name, b->short_name);
			}
			assert_false(a->name && !strcmp(a->name, "help"));
			assert_int_not_equal(a->short_name, 'h');
		}
		assert_true(n <= CLI_MAX_OPTS);
	}
}

/* --help lists every option as "-o, --output FILE", and -h, --help. */
static void test_help_lists_every_option(void **state)
{
	(void)state;
	for (unsigned int c = 0; c < cli_ncommands; c++) {
		const struct cli_cmd *cmd = cli_commands[c].cli;
		char *help = help_of(cmd, false), *syn = help_of(cmd, true);
		char want[128], term[96];

		snprintf(want, sizeof(want), "usage: kvmrec %s ", cmd->name);
		assert_true(!strncmp(help, want, strlen(want)));
		assert_non_null(strstr(help, "\n  -h, --help  "));
		for (const struct cli_opt *o = cmd->opts; o->id; o++) {
			cli_opt_term(o, term, sizeof(term));
			snprintf(want, sizeof(want), "\n  %s  ", term);
			if (!strstr(help, want))
				fail_msg("kvmrec %s --help lacks '%s'", cmd->name, term);
			if (operand(o))
				continue;
			/* In the synopsis too, by one of its names. */
			snprintf(want, sizeof(want), "--%s", o->name ? o->name : "");
			snprintf(term, sizeof(term), "-%c ", o->short_name);
			if (!(o->name && strstr(syn, want)) && !(o->short_name && strstr(syn, term)))
				fail_msg("kvmrec %s synopsis lacks --%s", cmd->name, o->name);
		}
		free(help);
		free(syn);
	}
}

/*
 * Every option that takes a value: --opt=V, --opt V, and for a short one
 * -o V and -oV, all give the option and V; alone at the end, a usage error.
 */
static void test_value_forms(void **state)
{
	(void)state;
	for (unsigned int c = 0; c < cli_ncommands; c++) {
		const struct cli_cmd *cmd = cli_commands[c].cli;

		for (const struct cli_opt *o = cmd->opts; o->id; o++) {
			char eq[96], lng[96], sh[4], joined[16];
			struct run r[4];
			int forms = 0;

			if (!o->metavar || operand(o))
				continue;
			if (o->name) {
				snprintf(eq, sizeof(eq), "--%s=V", o->name);
				snprintf(lng, sizeof(lng), "--%s", o->name);
				parse(cmd, &r[forms++], eq, NULL);
				parse(cmd, &r[forms++], lng, "V", NULL);
			}
			if (o->short_name) {
				snprintf(sh, sizeof(sh), "-%c", o->short_name);
				snprintf(joined, sizeof(joined), "-%cV", o->short_name);
				parse(cmd, &r[forms++], sh, "V", NULL);
				parse(cmd, &r[forms++], joined, NULL);
			}
			for (int i = 0; i < forms; i++) {
				if (r[i].ids[0] != o->id || !r[i].args[0] || strcmp(r[i].args[0], "V"))
					fail_msg("kvmrec %s: form %d of --%s does not give its value",
						 cmd->name, i, o->name);
				assert_int_equal(r[i].ids[1], CLI_END);
			}
			/* A value that looks like an option is still the value. */
			if (o->name) {
				parse(cmd, &r[0], lng, "--json", NULL);
				assert_int_equal(r[0].ids[0], o->id);
				assert_string_equal(r[0].args[0], "--json");
				parse(cmd, &r[0], lng, NULL);
				assert_int_equal(r[0].ids[0], CLI_ERROR);
			}
		}
	}
}

/* A flag: --flag gives it; --flag=x is refused, not silently taken. */
static void test_flags(void **state)
{
	(void)state;
	for (unsigned int c = 0; c < cli_ncommands; c++) {
		const struct cli_cmd *cmd = cli_commands[c].cli;

		for (const struct cli_opt *o = cmd->opts; o->id; o++) {
			char lng[96], eq[96];
			struct run r;

			if (o->metavar || operand(o))
				continue;
			snprintf(lng, sizeof(lng), "--%s", o->name);
			snprintf(eq, sizeof(eq), "--%s=x", o->name);
			parse(cmd, &r, lng, NULL);
			assert_int_equal(r.ids[0], o->id);
			assert_int_equal(r.ids[1], CLI_END);
			parse(cmd, &r, eq, NULL);
			assert_int_equal(r.ids[0], CLI_ERROR);
		}
	}
}

/* Unknown options are usage errors in every command. */
static void test_unknown(void **state)
{
	(void)state;
	for (unsigned int c = 0; c < cli_ncommands; c++) {
		struct run r;

		parse(cli_commands[c].cli, &r, "--bogus", NULL);
		assert_int_equal(r.ids[0], CLI_ERROR);
		parse(cli_commands[c].cli, &r, "-Z", NULL);
		assert_int_equal(r.ids[0], CLI_ERROR);
	}
}

/*
 * Operands come back in order wherever they stand, "-" is one, and after
 * "--" everything is; record instead stops at its first operand (the VMM).
 */
static void test_operands(void **state)
{
	struct run r;

	(void)state;
	parse(&replay_cli, &r, "A", "--json", "-", "--", "--check-once", NULL);
	assert_int_equal(r.ids[0], CLI_OPERAND);
	assert_string_equal(r.args[0], "A");
	assert_int_not_equal(r.ids[1], CLI_OPERAND);
	assert_int_equal(r.ids[2], CLI_OPERAND);
	assert_string_equal(r.args[2], "-");
	assert_int_equal(r.ids[3], CLI_OPERAND);
	assert_string_equal(r.args[3], "--check-once");
	assert_int_equal(r.ids[4], CLI_END);

	parse(&record_cli, &r, "--lossy", "vmm", "--lossy", NULL);
	assert_int_not_equal(r.ids[0], CLI_OPERAND);
	assert_int_equal(r.ids[1], CLI_END);
	assert_int_equal(r.next, 2);
	parse(&record_cli, &r, "-o", "t.zst", "--", "-vmm", NULL);
	assert_int_equal(r.ids[1], CLI_END);
	assert_int_equal(r.next, 4);
}

/* -h or --help anywhere before "--" is help, whatever else is wrong. */
static void test_help_wins(void **state)
{
	char *argv[] = { "replay", "--bogus", "--help", NULL };
	char *after[] = { "record", "--", "vmm", "--help", NULL };
	struct cli_parser p;
	FILE *saved = stdout;

	(void)state;
	stdout = fopen("/dev/null", "w");
	assert_non_null(stdout);
	assert_int_equal(cli_parse_begin(&p, &replay_cli, 3, argv), 1);
	assert_int_equal(cli_parse_begin(&p, &record_cli, 4, after), 0);
	fclose(stdout);
	stdout = saved;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_sane),
		cmocka_unit_test(test_help_lists_every_option),
		cmocka_unit_test(test_value_forms),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_operands),
		cmocka_unit_test(test_help_wins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
