// SPDX-License-Identifier: GPL-2.0-only
/*
 * replay_bench: writes a synthetic trace (default 10 M events) shaped like a
 * kvmrec-vmm recording -- PIO exits with their kvm_pio, an IPI accepted,
 * delivered and EOI'd every 64 exits, a PIC line pulsed and injected through
 * an interrupt window every 256, a TPR report with its KVM_GET_LAPIC every
 * 1024 -- then in one run measures, side by side:
 *   1. the trace reader alone (decode only),
 *   2. reader + replay --check-once (what `kvmrec replay` does),
 *   3. the models alone, fed one decoded cycle of events over and over,
 * and prints events/s, the ratios, and the peak RSS of the replay.
 *
 * Usage: replay_bench [EVENTS] [TRACE]   (TRACE default /tmp/replay_bench.zst)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "replay.h"
#include "synth.h"
#include "trace_reader.h"
#include "trace_writer.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* A port write as kvmrec-vmm's exits show it: the kernel's kvm_pio, then the exit. */
static void pio_out(struct synth *g, uint32_t port, const uint8_t *data, uint32_t len,
		    uint32_t flags)
{
	SYNTH_KEV(g, 0, PIO, { KEV_F_RW, 1 }, { KEV_F_PORT, port }, { KEV_F_SIZE, len },
		  { KEV_F_COUNT, 1 }, { KEV_F_VAL, data[0] });
	synth_io(g, 0, true, port, data, len, flags);
}

static int generate(const char *path, uint64_t target)
{
	Kvmrec__Header hdr = KVMREC__HEADER__INIT;
	char *argv[] = { "kvmrec-vmm", "--policy", "fixed", "bench.elf" };
	char *enabled[] = { "kvm_apic_accept_irq", "kvm_eoi", "kvm_pio" };
	static const uint8_t icw[][2] = { { 0x20, 0x11 }, { 0x21, 0x20 }, { 0x21, 0x04 }, { 0x21, 0x01 } };
	uint8_t sink[4] = { 0 }, pulse3[4] = { 3, 0, 2, 0 }, eoi_cmd = 0x20;
	struct synth g;
	int ret;

	hdr.recorder = "synthetic";
	hdr.vmm_argv = argv;
	hdr.n_vmm_argv = 4;
	hdr.kernel_events_enabled = enabled;
	hdr.n_kernel_events_enabled = 3;
	ret = synth_open(&g, path, &hdr, 700, 700);
	if (ret < 0) {
		fprintf(stderr, "replay_bench: %s\n", trace_writer_error(NULL));
		return ret;
	}
	g.tid[0] = 4242;
	for (size_t i = 0; i < 4; i++)
		pio_out(&g, icw[i][0], &icw[i][1], 1, 12);
	for (uint64_t i = 0; g.seq < target && !g.err; i++) {
		sink[0] = i;
		pio_out(&g, 0xe8, sink, 4, 12);
		if (i % 64 == 0) {
			synth_accept(&g, 0, 0x40, false);
			synth_eoi(&g, 0, 0x40);
			synth_eoi(&g, 0, -1);
		}
		if (i % 256 == 0) {
			pio_out(&g, 0xe0, pulse3, 4, 12 | 1);
			synth_exit(&g, 0, 7, 12 | 1);	/* window open */
			synth_interrupt(&g, 0, 0x23);
			pio_out(&g, 0x20, &eoi_cmd, 1, 12);
		}
		if (i % 1024 == 0) {
			synth_exit(&g, 0, 12, 12);	/* TPR access */
			synth_lapic_sync(&g, 0, false, 0);
		}
	}
	if (g.err)
		fprintf(stderr, "replay_bench: %s\n", trace_writer_error(g.w));
	ret = synth_close(&g, true);
	if (ret && !g.err)
		fprintf(stderr, "replay_bench: %s\n", trace_writer_error(NULL));
	return ret;
}

/* Peak RSS of a child that only replays @path: the replay's own footprint. */
static long replay_child_rss_kib(const char *path)
{
	struct replay_opts opts = { 0 };
	struct rusage ru;
	struct replay *r;
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int v = replay_file(path, &opts, &r);

		_exit(v);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) < 0)
		return -1;
	return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
	uint64_t target = argc > 1 ? strtoull(argv[1], NULL, 0) : 10000000ull;
	const char *path = argc > 2 ? argv[2] : "/tmp/replay_bench.zst";
	struct replay_opts opts = { 0 };
	struct trace_reader *rd;
	struct trace_event ev;
	struct replay *r;
	uint64_t n = 0, cycle_events = 0;
	double t0, t_read, t_replay, t_model;
	long rss;
	int ret, verdict;

	t0 = now();
	ret = generate(path, target);
	if (ret < 0)
		return 2;
	printf("synthetic trace: %s, written in %.1f s\n", path, now() - t0);

	/* 1. reader alone */
	if (trace_reader_open(path, &rd) < 0) {
		fprintf(stderr, "replay_bench: %s\n", trace_reader_error(rd));
		return 2;
	}
	t0 = now();
	while ((ret = trace_reader_next(rd, &ev)) > 0)
		n++;
	t_read = now() - t0;
	trace_reader_close(rd);
	if (ret < 0)
		return 2;

	/* 2. reader + models + check-once: what kvmrec replay does */
	t0 = now();
	verdict = replay_file(path, &opts, &r);
	t_replay = now() - t0;
	if (!r)
		return 2;

	/* 3. the models alone: the same events, decoded once, replayed in a loop */
	{
		struct replay *m = replay_alloc(&opts);
		Kvmrec__Record **recs = calloc(4096, sizeof(*recs));
		struct trace_event *evs = calloc(4096, sizeof(*evs));
		uint64_t fed = 0;

		trace_reader_open(path, &rd);
		replay_begin(m, trace_reader_header(rd));
		while (cycle_events < 4096 && trace_reader_next(rd, &ev) > 0) {
			size_t len = kvmrec__record__get_packed_size(ev.rec);
			uint8_t *buf = malloc(len);

			kvmrec__record__pack(ev.rec, buf);
			recs[cycle_events] = kvmrec__record__unpack(NULL, len, buf);
			free(buf);
			evs[cycle_events] = ev;
			evs[cycle_events].rec = recs[cycle_events];
			cycle_events++;
		}
		trace_reader_close(rd);
		/* Skip the PIC programming at the head: the loop is steady state. */
		t0 = now();
		while (fed < n) {
			for (uint64_t i = 8; i < cycle_events && fed < n; i++, fed++) {
				evs[i].seq = fed + 1;
				replay_feed(m, &evs[i]);
			}
		}
		t_model = now() - t0;
		for (uint64_t i = 0; i < cycle_events; i++)
			kvmrec__record__free_unpacked(recs[i], NULL);
		free(recs);
		free(evs);
		replay_free(m);
	}

	printf("events: %llu (check-once verdict %d: %llu requests, %llu deliveries, %llu violations)\n",
	       (unsigned long long)n, verdict,
	       (unsigned long long)replay_result(r)->requests,
	       (unsigned long long)replay_result(r)->deliveries,
	       (unsigned long long)replay_result(r)->violations);
	printf("reader alone:              %7.2f M events/s (%.2f s)\n", n / t_read / 1e6, t_read);
	printf("reader + replay:           %7.2f M events/s (%.2f s)  = %.2fx the reader's time\n",
	       n / t_replay / 1e6, t_replay, t_replay / t_read);
	printf("models alone (%llu-event cycle): %7.2f M events/s (%.2f s)  = %.1f%% of replay time\n",
	       (unsigned long long)cycle_events, n / t_model / 1e6, t_model,
	       100.0 * t_model / t_replay);
	rss = replay_child_rss_kib(path);
	printf("peak RSS of a process that only replays it: %ld KiB (target <= 65536 KiB)\n", rss);
	replay_free(r);
	unlink(path);
	return verdict == 0 ? 0 : 1;
}
