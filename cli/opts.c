// SPDX-License-Identifier: GPL-2.0-only
/* opts: a subcommand's option table made into a getopt_long parser and its --help. */
#include <stdarg.h>
#include <string.h>

#include "opts.h"

/* Help text and synopsis lines are wrapped to this many columns. */
#define CLI_WIDTH 79
/* getopt_long's value for table entry i; above every short option character. */
#define CLI_LONG_BASE 256

static bool is_operand(const struct cli_opt *o)
{
	return !o->name && !o->short_name;
}

/* "kvmrec CMD: " and the message, one line on stderr. */
static void cli_error(const struct cli_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void cli_error(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kvmrec %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* True if argv holds -h or --help before any "--": help wins over every error. */
static bool wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	}
	return false;
}

int cli_parse_begin(struct cli_parser *p, const struct cli_cmd *cmd, int argc, char **argv)
{
	char *s = p->shortopts;
	int n = 0;

	memset(p, 0, sizeof(*p));
	p->cmd = cmd;
	p->argc = argc;
	p->argv = argv;
	if (wants_help(argc, argv)) {
		cli_help(stdout, cmd);
		return 1;
	}
	/*
	 * '-' returns operands in order, wherever they are (POSIXLY_CORRECT
	 * or not); '+' stops at the first; ':' reports a missing value apart
	 * from an unknown option.
	 */
	*s++ = cmd->operand_ends_options ? '+' : '-';
	*s++ = ':';
	for (int i = 0; cmd->opts[i].id && n < CLI_MAX_OPTS; i++) {
		const struct cli_opt *o = &cmd->opts[i];

		if (o->name)
			p->longopts[n++] = (struct option){ o->name,
				o->metavar ? required_argument : no_argument, NULL, CLI_LONG_BASE + i };
		if (o->short_name) {
			*s++ = o->short_name;
			if (o->metavar)
				*s++ = ':';
		}
	}
	*s = '\0';
	optind = 0;	/* glibc: start afresh, also after an earlier parse */
	opterr = 0;	/* the messages are ours */
	return 0;
}

static const struct cli_opt *find_short(const struct cli_cmd *cmd, int c)
{
	for (const struct cli_opt *o = cmd->opts; o->id; o++)
		if (o->short_name == c)
			return o;
	return NULL;
}

int cli_next(struct cli_parser *p)
{
	const struct cli_cmd *cmd = p->cmd;
	const struct cli_opt *o = NULL;
	int at, c;

	if (p->operands_only) {
		if (p->next >= p->argc)
			return CLI_END;
		p->arg = p->argv[p->next++];
		return CLI_OPERAND;
	}
	/* Without permutation argv[at] is the element getopt is about to read. */
	at = optind ? optind : 1;
	c = getopt_long(p->argc, p->argv, p->shortopts, p->longopts, NULL);
	p->arg = optarg;
	if (c == -1) {
		/* Past "--" (or, for record, at the first operand). */
		p->next = optind;
		if (cmd->operand_ends_options)
			return CLI_END;
		p->operands_only = true;
		return cli_next(p);
	}
	if (c == 1)
		return CLI_OPERAND;
	if (c == ':') {
		/* optopt: the short option, or a long option's getopt value. */
		o = optopt >= CLI_LONG_BASE ? &cmd->opts[optopt - CLI_LONG_BASE] :
		    find_short(cmd, optopt);
		cli_error(cmd, o && o->missing ? o->missing :
			  cmd->missing ? cmd->missing : "%s needs a value", p->argv[at]);
		return CLI_ERROR;
	}
	if (c == '?') {
		cli_error(cmd, cmd->unknown ? cmd->unknown : "unknown option '%s' (see --help)",
			  p->argv[at]);
		return CLI_ERROR;
	}
	o = c >= CLI_LONG_BASE ? &cmd->opts[c - CLI_LONG_BASE] : find_short(cmd, c);
	if (!o)
		return CLI_ERROR;
	if (c >= CLI_LONG_BASE)
		snprintf(p->given, sizeof(p->given), "--%s", o->name);
	else
		snprintf(p->given, sizeof(p->given), "-%c", c);
	return o->id;
}

int cli_opt_term(const struct cli_opt *o, char *buf, size_t len)
{
	if (is_operand(o))
		return snprintf(buf, len, "%s", o->metavar);
	if (o->short_name && o->name)
		return snprintf(buf, len, "-%c, --%s%s%s", o->short_name, o->name,
				o->metavar ? " " : "", o->metavar ? o->metavar : "");
	if (o->short_name)
		return snprintf(buf, len, "-%c%s%s", o->short_name,
				o->metavar ? " " : "", o->metavar ? o->metavar : "");
	return snprintf(buf, len, "--%s%s%s", o->name,
			o->metavar ? " " : "", o->metavar ? o->metavar : "");
}

/* "[-o FILE]", "--format perfetto|chrome-json": the option in a synopsis. */
static void synopsis_item(const struct cli_opt *o, char *buf, size_t len)
{
	const char *value = o->choices ? o->choices : o->metavar;
	char term[96];

	if (o->short_name)
		snprintf(term, sizeof(term), "-%c%s%s", o->short_name,
			 value ? " " : "", value ? value : "");
	else
		snprintf(term, sizeof(term), "--%s%s%s", o->name,
			 value ? " " : "", value ? value : "");
	snprintf(buf, len, o->required ? "%s" : "[%s]", term);
}

/* Appends @word to the line, breaking it first if it would pass the width. */
static void syn_word(FILE *f, const char *word, int *col, int indent, const char *other)
{
	int n = (int)strlen(word);

	if (*col > indent && *col + 1 + n > CLI_WIDTH + 1) {
		fprintf(f, "\n%s%*s", other, indent - 7, "");
		*col = indent;
	} else if (*col > indent) {
		fputc(' ', f);
		(*col)++;
	}
	fputs(word, f);
	*col += n;
}

/*
 * The line breaks are those of "usage: kvmrec CMD ...", so that `kvmrec
 * --help` lists each synopsis as the command's own --help gives it.
 */
void cli_synopsis(FILE *f, const struct cli_cmd *cmd, const char *first, const char *other)
{
	int indent = 7 + (int)strlen("kvmrec ") + (int)strlen(cmd->name) + 1;

	for (int form = 0; form < 2; form++) {
		const struct cli_form *fm = &cmd->forms[form];
		int col = indent;
		char item[128];

		if (form && !fm->lead && !fm->trail)
			break;
		fprintf(f, "%skvmrec %s ", form ? other : first, cmd->name);
		if (fm->lead)
			syn_word(f, fm->lead, &col, indent, other);
		for (const struct cli_opt *o = cmd->opts; o->id; o++) {
			if (is_operand(o) || (o->not_in & (1u << form)))
				continue;
			synopsis_item(o, item, sizeof(item));
			syn_word(f, item, &col, indent, other);
		}
		if (fm->trail)
			syn_word(f, fm->trail, &col, indent, other);
		fputc('\n', f);
	}
}

/*
 * Where the wrapped lines of @line (@n bytes) go on: under its first word
 * after a gap of two spaces ("  fail    listed..." of a sub-list), else at
 * its own indentation.
 */
static int hanging(const char *line, int n)
{
	int lead = (int)strspn(line, " ");
	const char *gap = memmem(line + lead, n - lead, "  ", 2);

	if (!gap)
		return lead;
	return (int)(gap - line) + (int)strspn(gap, " ");
}

/*
 * Writes @text from column @col to the width, breaking at spaces; each
 * '\n' starts a new line at @col, keeping its spaces (a sub-list's).
 */
static void wrap(FILE *f, const char *text, int col)
{
	bool first_line = true;

	for (const char *p = text; *p; ) {
		const char *nl = strchrnul(p, '\n');
		int hang = col + hanging(p, (int)(nl - p)), at = col;
		const char *w = p;

		if (!first_line)
			fprintf(f, "%*s", col, "");
		first_line = false;
		while (w < nl) {
			int gap = (int)strspn(w, " ");
			const char *end = memchr(w + gap, ' ', nl - w - gap);
			int n = (int)((end ? end : nl) - w - gap);

			if (at > hang && at + gap + n > CLI_WIDTH) {
				fprintf(f, "\n%*s", hang, "");
				at = hang;
				gap = 0;
				w += strspn(w, " ");
			}
			fwrite(w, 1, gap + n, f);
			at += gap + n;
			w += gap + n;
		}
		fputc('\n', f);
		p = *nl ? nl + 1 : nl;
	}
}

static const struct cli_opt help_opt = {
	.id = 'h', .name = "help", .short_name = 'h', .help = "print this help and exit",
};

static void option_line(FILE *f, const struct cli_opt *o, int col)
{
	char term[96];
	int n = cli_opt_term(o, term, sizeof(term));

	fprintf(f, "  %s%*s", term, col - 2 - n, "");
	wrap(f, o->help, col);
	if (o->help_more)
		o->help_more(f, col);
}

void cli_help(FILE *f, const struct cli_cmd *cmd)
{
	char term[96];
	int col = 0;

	cli_synopsis(f, cmd, "usage: ", "       ");
	fprintf(f, "\n%s", cmd->about);
	if (cmd->about_more)
		cmd->about_more(f);
	for (const struct cli_opt *o = cmd->opts; o->id; o++) {
		int n = cli_opt_term(o, term, sizeof(term));

		if (n > col)
			col = n;
	}
	if (col < (int)strlen("-h, --help"))
		col = (int)strlen("-h, --help");
	col += 4;	/* two spaces before the term, two after the longest */
	fputc('\n', f);
	for (const struct cli_opt *o = cmd->opts; o->id; o++)
		option_line(f, o, col);
	option_line(f, &help_opt, col);
	if (cmd->tail)
		fprintf(f, "\n%s", cmd->tail);
}
