// SPDX-License-Identifier: GPL-2.0-only
/*
 * gen_trace OUT EVENTS [FLUSH_EVERY [SEED]]: writes a synthetic trace of every
 * event kind (tests/synth/stream.h), for CLI tests and the fuzz seed corpus.
 * gen_trace --recode IN OUT: writes IN's events again with this writer and
 * prints "EVENTS events, KREFS references, BYTES bytes" (the lossless test).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "stream.h"
#include "trace_reader.h"
#include "trace_writer.h"

static int recode(const char *in, const char *out)
{
	struct trace_writer_opts opts = { .overwrite = true };
	struct trace_reader *r;
	struct trace_writer *w;
	struct trace_event ev;
	Kvmrec__Header hdr;
	uint64_t krefs, events = 0;
	struct stat st;
	char why[600];
	int ret = trace_reader_open(in, &r);

	if (ret < 0) {
		trace_reader_explain(r, in, ret, why, sizeof(why));
		fprintf(stderr, "gen_trace: %s\n", why);
		trace_reader_close(r);
		return 2;
	}
	hdr = *trace_reader_header(r);
	if (trace_writer_open(out, &hdr, &opts, &w)) {
		fprintf(stderr, "gen_trace: %s\n", trace_writer_error(NULL));
		trace_reader_close(r);
		return 1;
	}
	while ((ret = trace_reader_next(r, &ev)) == 1) {
		events++;
		if (trace_writer_append(w, &ev)) {
			fprintf(stderr, "gen_trace: %s\n", trace_writer_error(w));
			trace_writer_abort(w);
			trace_reader_close(r);
			return 1;
		}
	}
	krefs = trace_writer_krefs(w);
	/* A damaged input is written as far as it reads, without a footer, as it reads. */
	if (ret < 0) {
		trace_writer_abort(w);
		fprintf(stderr, "gen_trace: %s\n", trace_reader_error(r));
	} else if (trace_writer_close(w, trace_reader_footer(r))) {
		fprintf(stderr, "gen_trace: %s\n", trace_writer_error(NULL));
		ret = -1;
	}
	if (!stat(out, &st))
		printf("%llu events, %llu references, %llu bytes\n",
		       (unsigned long long)events, (unsigned long long)krefs,
		       (unsigned long long)st.st_size);
	trace_reader_close(r);
	return ret < 0;
}

int main(int argc, char **argv)
{
	uint64_t n, flush = 0, seed = 1;
	int ret;

	if (argc == 4 && !strcmp(argv[1], "--recode"))
		return recode(argv[2], argv[3]);
	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: gen_trace OUT EVENTS [FLUSH_EVERY [SEED]]\n"
				"       gen_trace --recode IN OUT\n");
		return 2;
	}
	n = strtoull(argv[2], NULL, 0);
	if (argc > 3)
		flush = strtoull(argv[3], NULL, 0);
	if (argc > 4)
		seed = strtoull(argv[4], NULL, 0);
	ret = synth_stream_write(argv[1], seed, n, flush);
	if (ret) {
		fprintf(stderr, "gen_trace: %s: %s\n", argv[1], strerror(-ret));
		return 1;
	}
	return 0;
}
