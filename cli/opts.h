/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * opts: one option table per subcommand, and everything made from it. The
 * table is the single source of the getopt_long parser (long options, short
 * option string; `--opt=value`, `--opt value`, `-o value`, `-ovalue` all
 * work), of `--help` (synopsis and option lines; the man pages and the bash
 * completion are made from that text, docs/man/README.md) and of the
 * synopsis `kvmrec --help` lists. Usage errors are one line on stderr in the
 * command's words; -h/--help anywhere before "--" prints help and wins.
 */
#ifndef KVMREC_CLI_OPTS_H
#define KVMREC_CLI_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

/*
 * One option, or (no name, no short name) one operand described among the
 * options. An option with a metavar takes a value.
 */
struct cli_opt {
	int id;			/* what cli_next() returns for it */
	const char *name;	/* long name without "--", or NULL */
	char short_name;	/* or 0 */
	const char *metavar;	/* the value's name in help; NULL: a flag */
	const char *help;	/* wrapped to the terminal width; '\n' breaks */
	/* More lines under the help text, indented @col (a generated list). */
	void (*help_more)(FILE *f, int col);
	bool required;		/* shown without brackets in the synopsis */
	unsigned int not_in;	/* synopsis forms (bit n: form n) that omit it */
	const char *choices;	/* the synopsis's value ("fail|report") if not metavar */
	const char *missing;	/* its value missing: this, not the command's */
};

/* One synopsis line: "kvmrec CMD LEAD [options of this form] TRAIL". */
struct cli_form {
	const char *lead;
	const char *trail;
};

struct cli_cmd {
	const char *name;
	struct cli_form forms[2];	/* forms[0] always; forms[1] if it has text */
	const char *about;		/* paragraphs after the synopsis */
	void (*about_more)(FILE *f);	/* a generated list after them */
	const struct cli_opt *opts;	/* ends with an entry of id 0 */
	const char *tail;		/* paragraphs after the options: exit status */
	const char *unknown;		/* "unknown option '%s' (see --help)" if NULL */
	const char *missing;		/* "%s needs a value" if NULL */
	/*
	 * The first operand ends the options (record: the VMM's command line
	 * follows); else operands and options mix in any order.
	 */
	bool operand_ends_options;
};

enum {
	CLI_END = -1,		/* no more arguments */
	CLI_ERROR = -2,		/* a usage error, already printed */
	CLI_OPERAND = -3,	/* an operand, in ->arg */
};

#define CLI_MAX_OPTS 24

struct cli_parser {
	const struct cli_cmd *cmd;
	int argc;
	char **argv;
	const char *arg;	/* the value of the option or the operand returned */
	char given[64];		/* the option returned, by name ("--model", "-o") */
	int next;		/* after CLI_END: argv[next] is the first argument left */
	bool operands_only;	/* after "--": everything is an operand */
	struct option longopts[CLI_MAX_OPTS + 2];
	char shortopts[2 * CLI_MAX_OPTS + 8];
};

/*
 * Starts parsing argv[1..argc) (argv[0] is the subcommand's name). Returns
 * 1 if -h/--help was given before any "--": the help is printed on stdout
 * and the command exits 0. Else 0.
 */
int cli_parse_begin(struct cli_parser *p, const struct cli_cmd *cmd, int argc, char **argv);

/*
 * The next option's id (value in p->arg), CLI_OPERAND, CLI_END, or
 * CLI_ERROR after printing "kvmrec CMD: ..." on stderr.
 */
int cli_next(struct cli_parser *p);

/* The whole --help text. */
void cli_help(FILE *f, const struct cli_cmd *cmd);

/* The synopsis lines, each starting with @first (then continuations aligned). */
void cli_synopsis(FILE *f, const struct cli_cmd *cmd, const char *first, const char *other);

/* "-o, --output FILE": the option as the help lists it. */
int cli_opt_term(const struct cli_opt *o, char *buf, size_t len);

#endif
