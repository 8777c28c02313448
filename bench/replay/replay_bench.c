// SPDX-License-Identifier: GPL-2.0-only
/*
 * replay_bench: writes a synthetic trace (default 10 M events) shaped like a
 * kvmrec-vmm recording -- PIO exits with their kvm_pio, an IPI accepted,
 * delivered and EOI'd every 64 exits, a PIC line pulsed and injected through
 * an interrupt window every 256, a TPR report with its KVM_GET_LAPIC every
 * 1024 -- or takes a real recording (-r), then in one run measures, side by
 * side:
 *   0. the anchor: plain zstd decompression of the same file (one thread,
 *      output thrown away), the least any reader of it must do;
 *   1. `kvmrec replay --check-once TRACE >/dev/null` end to end, the real
 *      program with every core it finds: wall time, CPU time, peak RSS;
 *   2. the trace reader alone, in this process (decode only);
 *   3. the models alone, fed one decoded cycle of events over and over;
 * and prints events/s and each as a ratio against the anchor. One run each:
 * on a loaded host the wall figures are noisy, the CPU ones less so.
 *
 * Usage: replay_bench [-k] [EVENTS [TRACE]]   synthetic, TRACE default
 *                                             /tmp/replay_bench.zst, removed
 *                                             at the end unless -k
 *        replay_bench -r RECORDING           an existing trace, kept
 * KVMREC=path overrides the kvmrec program measured in 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

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

/* 0. The anchor: @path through ZSTD_decompressStream, one thread, output discarded. */
static double zstd_anchor(const char *path)
{
	size_t in_cap = ZSTD_DStreamInSize(), out_cap = ZSTD_DStreamOutSize();
	uint8_t *in = malloc(in_cap), *out = malloc(out_cap);
	ZSTD_DCtx *dctx = ZSTD_createDCtx();
	FILE *f = fopen(path, "rb");
	double t0 = now(), t = -1;
	size_t got;

	if (!in || !out || !dctx || !f)
		goto out;
	while ((got = fread(in, 1, in_cap, f)) > 0) {
		ZSTD_inBuffer zin = { in, got, 0 };

		while (zin.pos < zin.size) {
			ZSTD_outBuffer zout = { out, out_cap, 0 };

			if (ZSTD_isError(ZSTD_decompressStream(dctx, &zout, &zin)))
				goto out;
		}
	}
	t = now() - t0;
out:
	if (f)
		fclose(f);
	ZSTD_freeDCtx(dctx);
	free(in);
	free(out);
	return t;
}

struct child_run {
	int status;
	double wall, cpu;	/* seconds */
	long rss_kib;
};

/* 1. `kvmrec replay --check-once @path`, stdout to /dev/null, as a user runs it. */
static int replay_child(const char *kvmrec, const char *path, struct child_run *c)
{
	struct rusage ru;
	double t0;
	pid_t pid;

	fflush(stdout);
	t0 = now();
	pid = fork();

	if (pid == 0) {
		if (!freopen("/dev/null", "w", stdout))
			_exit(127);
		execl(kvmrec, kvmrec, "replay", "--check-once", path, (char *)NULL);
		fprintf(stderr, "replay_bench: cannot run %s: %s\n", kvmrec, strerror(errno));
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &c->status, 0, &ru) < 0)
		return -1;
	c->wall = now() - t0;
	c->cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		 ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	c->rss_kib = ru.ru_maxrss;
	return WIFEXITED(c->status) ? WEXITSTATUS(c->status) : 128;
}

/* 3. The models alone: the first events, decoded once, replayed in a loop @n times over. */
static double models_alone(const char *path, uint64_t n, uint64_t *cycle)
{
	struct replay_opts opts = { 0 };
	struct replay *m = replay_alloc(&opts);
	Kvmrec__Record **recs = calloc(4096, sizeof(*recs));
	struct trace_event *evs = calloc(4096, sizeof(*evs));
	struct trace_reader *rd;
	struct trace_event ev;
	uint64_t fed = 0, k = 0;
	double t0, t;

	if (!m || !recs || !evs || trace_reader_open(path, &rd) < 0)
		return -1;
	replay_begin(m, trace_reader_header(rd));
	while (k < 4096 && trace_reader_next(rd, &ev) > 0) {
		size_t len = kvmrec__record__get_packed_size(ev.rec);
		uint8_t *buf = malloc(len);

		kvmrec__record__pack(ev.rec, buf);
		recs[k] = kvmrec__record__unpack(NULL, len, buf);
		free(buf);
		evs[k] = ev;
		evs[k].rec = recs[k];
		k++;
	}
	trace_reader_close(rd);
	/* Skip the PIC programming at the head: the loop is steady state. */
	t0 = now();
	while (fed < n && k > 8) {
		for (uint64_t i = 8; i < k && fed < n; i++, fed++) {
			evs[i].seq = fed + 1;
			replay_feed(m, &evs[i]);
		}
	}
	t = now() - t0;
	for (uint64_t i = 0; i < k; i++)
		kvmrec__record__free_unpacked(recs[i], NULL);
	free(recs);
	free(evs);
	replay_free(m);
	*cycle = k;
	return t;
}

static void usage(void)
{
	fprintf(stderr, "usage: replay_bench [-k] [EVENTS [TRACE]] | replay_bench -r RECORDING\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *kvmrec = getenv("KVMREC") ? getenv("KVMREC") : KVMREC_BIN;
	const char *path = "/tmp/replay_bench.zst";
	uint64_t target = 10000000ull, n = 0, cycle = 0;
	bool keep = false, real = false;
	struct trace_reader *rd;
	struct trace_event ev;
	struct child_run c;
	double t0, t_zstd, t_read, t_model, load[3] = { 0 };
	struct stat st;
	int opt, ret, verdict;

	while ((opt = getopt(argc, argv, "kr:")) != -1) {
		if (opt == 'k') {
			keep = true;
		} else if (opt == 'r') {
			real = keep = true;
			path = optarg;
		} else {
			usage();
		}
	}
	if (real && optind != argc)
		usage();
	if (optind < argc)
		target = strtoull(argv[optind++], NULL, 0);
	if (optind < argc)
		path = argv[optind++];
	if (optind != argc)
		usage();

	getloadavg(load, 3);
	printf("host: %ld online CPUs, load average %.2f %.2f %.2f at the start\n",
	       sysconf(_SC_NPROCESSORS_ONLN), load[0], load[1], load[2]);
	if (!real) {
		t0 = now();
		if (generate(path, target) < 0)
			return 2;
		printf("synthetic trace: %s, written in %.1f s\n", path, now() - t0);
	}

	/* 2. reader alone: also counts the events for every other rate */
	if (trace_reader_open(path, &rd) < 0) {
		fprintf(stderr, "replay_bench: %s\n", trace_reader_error(rd));
		return 2;
	}
	t0 = now();
	while ((ret = trace_reader_next(rd, &ev)) > 0)
		n++;
	t_read = now() - t0;
	trace_reader_close(rd);
	if (ret < 0 || !n)
		return 2;

	t_zstd = zstd_anchor(path);
	verdict = replay_child(kvmrec, path, &c);
	t_model = models_alone(path, n, &cycle);
	if (t_zstd <= 0 || verdict < 0 || t_model <= 0) {
		fprintf(stderr, "replay_bench: a measurement failed\n");
		return 2;
	}

	stat(path, &st);
	printf("trace: %s, %llu events, %.2f B/event\n", path, (unsigned long long)n,
	       (double)st.st_size / n);
	printf("anchor: zstd -d of the file, one thread:      %7.2f M events/s (%.2f s)\n",
	       n / t_zstd / 1e6, t_zstd);
	printf("kvmrec replay --check-once, end to end:    %7.2f M events/s (%.2f s) = %.2fx the anchor;"
	       " exit %d\n", n / c.wall / 1e6, c.wall, t_zstd / c.wall, verdict);
	printf("  its CPU time (all threads):               %7.2f M events per CPU-second (%.2f s)"
	       " = %.2f cores busy\n", n / c.cpu / 1e6, c.cpu, c.cpu / c.wall);
	printf("  its peak RSS:                              %ld KiB (target <= 65536 KiB)\n",
	       c.rss_kib);
	printf("reader alone, in process:                  %7.2f M events/s (%.2f s) = %.2fx the anchor\n",
	       n / t_read / 1e6, t_read, t_zstd / t_read);
	printf("models alone (%llu-event cycle):          %7.2f M events/s (%.2f s) = %.1f%% of the replay's wall time\n",
	       (unsigned long long)cycle, n / t_model / 1e6, t_model, 100.0 * t_model / c.wall);
	if (!keep)
		unlink(path);
	return real || verdict == 0 ? 0 : 1;
}
