// SPDX-License-Identifier: GPL-2.0-only
/*
 * gen_trace OUT EVENTS [FLUSH_EVERY [SEED]]: writes a synthetic trace of every
 * event kind (tests/trace/synth.h), for CLI tests and the fuzz seed corpus.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth.h"
#include "trace_writer.h"

int main(int argc, char **argv)
{
	uint64_t n, flush = 0, seed = 1;
	int ret;

	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: gen_trace OUT EVENTS [FLUSH_EVERY [SEED]]\n");
		return 2;
	}
	n = strtoull(argv[2], NULL, 0);
	if (argc > 3)
		flush = strtoull(argv[3], NULL, 0);
	if (argc > 4)
		seed = strtoull(argv[4], NULL, 0);
	ret = synth_write(argv[1], seed, n, flush);
	if (ret) {
		fprintf(stderr, "gen_trace: %s: %s\n", argv[1], strerror(-ret));
		return 1;
	}
	return 0;
}
