// SPDX-License-Identifier: GPL-2.0-only
/*
 * trace_bench: kvmrec's trace writer and reader against plain zstd of the
 * same events as fixed-size structs, side by side in one run.
 *
 * Two streams: "steady", a guest looping on one port write (PIO exits ~10 us
 * apart with jitter, one vCPU, as an exit-heavy loop records), and "mixed",
 * what the seed scenario records (exits with their kvm_userspace_exit /
 * kvm_pio kernel events, interrupt windows and injections, TPR reports with
 * LAPIC syncs of a 1 KiB page, EOIs). Prints events/s and bytes/event for
 * each and the ratios, and the writer's CPU time per thread. Usage: --help.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "trace_reader.h"
#include "trace_writer.h"

/* What a recorder without kvmrec's format would keep per event. */
struct raw_event {
	uint64_t seq, ts_ns;
	int32_t vcpu;
	uint32_t tid;
	uint32_t kind, reason;
	uint32_t port, size;
	uint64_t data;
	int64_t args[5];
};

/*
 * The generator's messages are built once, one set per kind of record; an
 * event only picks its set and sets what varies. So generating costs a few
 * ns an event and leaves both cores to the writer, as a recorder's drain
 * loop, which fills structs it keeps, would.
 */
struct gen {
	uint64_t rng, i, ts;
	int phase;
	Kvmrec__Record rec_pio, rec_kpio, rec_kexit, rec_tpr, rec_lapic, rec_win, rec_inj, rec_eoi;
	Kvmrec__RunExit pio, tpr_exit, win;
	Kvmrec__ExitIo io;
	Kvmrec__ExitTprAccess tpr;
	Kvmrec__KernelEvent kpio, kexit, eoi;
	Kvmrec__Injection inj;
	Kvmrec__LapicSync lapic;
	int64_t kpio_args[5], kexit_args[2], eoi_args[2];
	uint32_t irr[8], isr[8], tmr[8], lvt[6];
	uint8_t page[1024], data[8];
};

static uint64_t rnd(struct gen *g)
{
	uint64_t x = g->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return g->rng = x;
}

/*
 * Wall time: kvmrec's reader and writer spread their work over worker
 * threads, so the calling thread's CPU time would flatter them; every figure
 * below is measured the same way. Run it on a quiet machine.
 */
static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static double cpu(clockid_t clock)
{
	struct timespec t;

	clock_gettime(clock, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static uint64_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (uint64_t)st.st_size;
}

/* ~10 us per exit: 10 us + up to ~250 ns of jitter, and a rare slow exit. */
static uint64_t exit_gap(struct gen *g)
{
	uint64_t r = rnd(g);
	uint64_t gap = 10000 + (r & 0xff);

	if ((r >> 20 & 1023) == 0)
		gap += r >> 32 & 0xffff;
	return gap;
}

static void kevent_init(Kvmrec__Record *rec, Kvmrec__KernelEvent *k, Kvmrec__KernelEventId id,
			int64_t *store, const int64_t *args, size_t n)
{
	kvmrec__record__init(rec);
	kvmrec__kernel_event__init(k);
	k->has_id = 1;
	k->id = id;
	memcpy(store, args, n * sizeof(*args));
	k->n_args = n;
	k->args = store;
	k->has_cpu = 1;
	k->cpu = 1;
	rec->body_case = KVMREC__RECORD__BODY_KEVENT;
	rec->kevent = k;
}

static void exit_init(Kvmrec__Record *rec, Kvmrec__RunExit *x, uint32_t reason)
{
	kvmrec__record__init(rec);
	kvmrec__run_exit__init(x);
	x->has_reason = 1;
	x->reason = reason;
	rec->body_case = KVMREC__RECORD__BODY_EXIT;
	rec->exit = x;
}

static void gen_init(struct gen *g)
{
	static const int64_t kpio[] = { 1, 0xe9, 1, 1, 'x' }, kexit[] = { 2, 0 }, eoi[] = { 0, 62 };

	memset(g, 0, sizeof(*g));
	g->rng = 0x1234567;
	g->ts = 5000000000ull;

	/* A one-byte OUT to port 0xe9. */
	exit_init(&g->rec_pio, &g->pio, 2 /* KVM_EXIT_IO */);
	kvmrec__exit_io__init(&g->io);
	g->pio.has_flags = 1;
	g->pio.flags = KVMREC__RUN_FLAG__RUN_READY_FOR_INJECTION | KVMREC__RUN_FLAG__RUN_IF_FLAG;
	g->io.has_out = g->io.out = 1;
	g->io.has_size = 1;
	g->io.size = 1;
	g->io.has_port = 1;
	g->io.port = 0xe9;
	g->io.has_data = 1;
	g->io.data.len = 1;
	g->io.data.data = g->data;
	g->data[0] = 'x';
	g->pio.payload_case = KVMREC__RUN_EXIT__PAYLOAD_IO;
	g->pio.io = &g->io;

	kevent_init(&g->rec_kpio, &g->kpio, KVMREC__KERNEL_EVENT_ID__KEV_PIO, g->kpio_args, kpio, 5);
	kevent_init(&g->rec_kexit, &g->kexit, KVMREC__KERNEL_EVENT_ID__KEV_USERSPACE_EXIT,
		    g->kexit_args, kexit, 2);
	kevent_init(&g->rec_eoi, &g->eoi, KVMREC__KERNEL_EVENT_ID__KEV_EOI, g->eoi_args, eoi, 2);

	/* A TPR write reported (KVM_EXIT_TPR_ACCESS). */
	exit_init(&g->rec_tpr, &g->tpr_exit, 12);
	kvmrec__exit_tpr_access__init(&g->tpr);
	g->tpr.has_rip = 1;
	g->tpr.rip = 0x101234;
	g->tpr.has_write = g->tpr.write = 1;
	g->tpr_exit.payload_case = KVMREC__RUN_EXIT__PAYLOAD_TPR_ACCESS;
	g->tpr_exit.tpr_access = &g->tpr;

	/* The KVM_GET_LAPIC after it: vector 62 pending in IRR. */
	kvmrec__record__init(&g->rec_lapic);
	kvmrec__lapic_sync__init(&g->lapic);
	g->irr[1] = 1u << 30;
	memcpy(g->page + 0x200 + 0x10, &g->irr[1], 4);
	g->lapic.has_regs = 1;
	g->lapic.regs.len = 1024;
	g->lapic.regs.data = g->page;
	g->lapic.n_irr = g->lapic.n_isr = g->lapic.n_tmr = 8;
	g->lapic.irr = g->irr;
	g->lapic.isr = g->isr;
	g->lapic.tmr = g->tmr;
	g->lapic.has_tpr = 1;
	g->lapic.tpr = 0xf0;
	g->lapic.has_ppr = 1;
	g->lapic.ppr = 0xf0;
	g->lapic.has_spiv = 1;
	g->lapic.spiv = 0x1ff;
	g->lapic.n_lvt = 6;
	g->lapic.lvt = g->lvt;
	g->rec_lapic.body_case = KVMREC__RECORD__BODY_LAPIC;
	g->rec_lapic.lapic = &g->lapic;

	/* The interrupt window opening (KVM_EXIT_IRQ_WINDOW_OPEN). */
	exit_init(&g->rec_win, &g->win, 7);
	g->win.has_flags = 1;
	g->win.flags = KVMREC__RUN_FLAG__RUN_REQUEST_IRQ_WINDOW |
		       KVMREC__RUN_FLAG__RUN_READY_FOR_INJECTION | KVMREC__RUN_FLAG__RUN_IF_FLAG;

	/* KVM_INTERRUPT of vector 62. */
	kvmrec__record__init(&g->rec_inj);
	kvmrec__injection__init(&g->inj);
	g->inj.has_kind = 1;
	g->inj.kind = KVMREC__INJECT_KIND__INJECT_INTERRUPT;
	g->inj.has_vector = 1;
	g->inj.vector = 62;
	g->rec_inj.body_case = KVMREC__RECORD__BODY_INJECT;
	g->rec_inj.inject = &g->inj;
}

static void raw_kevent(struct raw_event *raw, const Kvmrec__KernelEvent *k)
{
	raw->kind = 8;
	raw->reason = k->id;
	memcpy(raw->args, k->args, k->n_args * sizeof(*k->args));
}

static void raw_pio(struct raw_event *raw)
{
	raw->kind = 5;
	raw->reason = 2;
	raw->port = 0xe9;
	raw->size = 1;
	raw->data = 'x';
}

static void gen_steady(struct gen *g, struct trace_event *ev, struct raw_event *raw)
{
	memset(raw, 0, sizeof(*raw));
	g->ts += exit_gap(g);
	raw_pio(raw);
	ev->ts_ns = g->ts;
	ev->vcpu = 0;
	ev->tid = 4242;
	ev->rec = &g->rec_pio;
}

/*
 * The seed scenario's mix, per guest port write: the kernel's kvm_pio and
 * kvm_userspace_exit, then the exit; every 64th write the guest touches TPR
 * (a TPR report, a KVM_GET_LAPIC), an interrupt window opens, KVM_INTERRUPT
 * injects, and the kernel reports the EOI.
 */
static void gen_mixed(struct gen *g, struct trace_event *ev, struct raw_event *raw)
{
	static const int steps_io[] = { 0, 1, 2 };
	static const int steps_irq[] = { 3, 4, 5, 6, 7, 0, 1, 2 };
	uint64_t round = g->i / 3;
	int step;

	memset(raw, 0, sizeof(*raw));
	ev->vcpu = 0;
	ev->tid = 4242;
	/* Rounds are 3 events, every 64th round 8. */
	if (g->phase == 0 && round % 64 == 63)
		g->phase = 1;
	if (g->phase) {
		step = steps_irq[g->phase - 1];
		g->phase = g->phase == 8 ? 0 : g->phase + 1;
		if (!g->phase)
			g->i += 3;	/* its port write was this round */
	} else {
		step = steps_io[g->i % 3];
		g->i++;
	}

	switch (step) {
	case 0:
		g->ts += exit_gap(g) - 600;
		ev->rec = &g->rec_kpio;
		raw_kevent(raw, &g->kpio);
		break;
	case 1:
		g->ts += 300 + (rnd(g) & 63);
		ev->rec = &g->rec_kexit;
		raw_kevent(raw, &g->kexit);
		break;
	case 2:
		g->ts += 300 + (rnd(g) & 63);
		ev->rec = &g->rec_pio;
		raw_pio(raw);
		break;
	case 3:
		g->ts += exit_gap(g);
		ev->rec = &g->rec_tpr;
		raw->kind = 5;
		raw->reason = 12;
		break;
	case 4:
		g->ts += 1500 + (rnd(g) & 255);
		ev->rec = &g->rec_lapic;
		raw->kind = 7;
		break;
	case 5:
		g->ts += exit_gap(g);
		ev->rec = &g->rec_win;
		raw->kind = 5;
		raw->reason = 7;
		break;
	case 6:
		g->ts += 800 + (rnd(g) & 127);
		ev->rec = &g->rec_inj;
		raw->kind = 6;
		raw->reason = 62;
		break;
	default:
		g->ts += 2000 + (rnd(g) & 511);
		ev->rec = &g->rec_eoi;
		raw_kevent(raw, &g->eoi);
		break;
	}
	ev->ts_ns = g->ts;
}

typedef void gen_fn(struct gen *g, struct trace_event *ev, struct raw_event *raw);

static int level;        /* writer's zstd level; 0: its default */
static bool write_only;  /* --write-only: no reading, no zstd anchor */

static int run(const char *name, gen_fn *gen, uint64_t n, const char *dir)
{
	struct trace_writer_opts opts = { .overwrite = true, .zstd_level = level };
	struct gen g;
	struct raw_event *raws = calloc(n, sizeof(*raws));
	Kvmrec__Header hdr = KVMREC__HEADER__INIT;
	struct trace_writer *w;
	struct trace_reader *r;
	struct trace_event ev;
	char path[4096];
	double t0, t_gen, t_write, t_read, t_zc, t_zd, c_self, c_all;
	uint64_t bytes, got = 0, sum = 0;
	size_t zcap, zlen, dlen;
	void *zbuf, *dbuf;
	int ret;

	if (!raws)
		return -ENOMEM;
	gen_init(&g);
	snprintf(path, sizeof(path), "%s/trace_bench-%s.zst", dir, name);
	hdr.recorder = "synthetic";
	hdr.has_start_ns = 1;
	hdr.start_ns = g.ts;

	/* The events as fixed-size structs, for the zstd anchor. */
	for (uint64_t i = 0; i < n; i++) {
		gen(&g, &ev, &raws[i]);
		raws[i].seq = i + 1;
		raws[i].ts_ns = ev.ts_ns;
		raws[i].vcpu = ev.vcpu;
		raws[i].tid = ev.tid;
	}

	/*
	 * Generation alone, exactly as the write loop below does it (into a
	 * scratch struct: filling the array above also faults its pages in), so
	 * it can be taken out of the writer's time.
	 */
	gen_init(&g);
	t0 = now();
	for (uint64_t i = 0; i < n; i++) {
		struct raw_event scratch;

		gen(&g, &ev, &scratch);
		sum += ev.ts_ns;
	}
	t_gen = now() - t0;
	sum = 0;

	gen_init(&g);
	ret = trace_writer_open(path, &hdr, &opts, &w);
	if (ret) {
		fprintf(stderr, "trace_bench: %s\n", trace_writer_error(NULL));
		free(raws);
		return ret;
	}
	c_self = cpu(CLOCK_THREAD_CPUTIME_ID);
	c_all = cpu(CLOCK_PROCESS_CPUTIME_ID);
	t0 = now();
	for (uint64_t i = 0; i < n; i++) {
		struct raw_event scratch;

		gen(&g, &ev, &scratch);
		ret = trace_writer_append(w, &ev);
		if (ret)
			break;
	}
	if (!ret)
		ret = trace_writer_close(w, NULL);
	else
		trace_writer_abort(w);
	t_write = now() - t0 - t_gen;
	c_self = cpu(CLOCK_THREAD_CPUTIME_ID) - c_self;
	c_all = cpu(CLOCK_PROCESS_CPUTIME_ID) - c_all;
	/* The file, not the writer's count: frames may still have been compressing. */
	bytes = file_size(path);
	if (ret) {
		fprintf(stderr, "trace_bench: %s: write failed: %s\n", path, strerror(-ret));
		free(raws);
		return ret;
	}

	/* Where the writer's time goes: the appending thread (generation taken out) and the rest. */
	printf("%-7s writer CPU: appending thread %.1f ns/event, compressing threads %.1f ns/event;"
	       " generator %.1f ns/event (taken out)\n", name, (c_self - t_gen) * 1e9 / n,
	       (c_all - c_self) * 1e9 / n, t_gen * 1e9 / n);
	if (write_only) {
		if (!getenv("TRACE_BENCH_KEEP"))
			unlink(path);
		printf("%-7s %9llu events | kvmrec: write %6.2f M ev/s, %5.2f B/event\n", name,
		       (unsigned long long)n, n / t_write / 1e6, (double)bytes / n);
		free(raws);
		return 0;
	}
	t0 = now();
	ret = trace_reader_open(path, &r);
	while (ret >= 0 && (ret = trace_reader_next(r, &ev)) == 1) {
		got++;
		sum += ev.ts_ns + (uint64_t)ev.rec->body_case;
	}
	t_read = now() - t0;
	if (ret < 0 || got != n)
		fprintf(stderr, "trace_bench: %s: read back %llu of %llu: %s\n", path,
			(unsigned long long)got, (unsigned long long)n, trace_reader_error(r));
	trace_reader_close(r);
	if (!getenv("TRACE_BENCH_KEEP"))
		unlink(path);

	/*
	 * The baseline works as the trace does: frames of TRACE_FRAME_BYTES,
	 * decompressed one at a time into one reused buffer, so neither side
	 * streams hundreds of MB through memory.
	 */
	zcap = ZSTD_compressBound(n * sizeof(*raws)) + (n * sizeof(*raws) / TRACE_FRAME_BYTES + 1) * 64;
	zbuf = malloc(zcap);
	dbuf = malloc(TRACE_FRAME_BYTES);
	if (!zbuf || !dbuf) {
		free(zbuf);
		free(dbuf);
		free(raws);
		return -ENOMEM;
	}
	/* Fault the buffers in first: page faults are not zstd's cost. */
	memset(zbuf, 0, zcap);
	memset(dbuf, 0, TRACE_FRAME_BYTES);
	zlen = 0;
	dlen = 0;
	t0 = now();
	for (size_t off = 0; off < n * sizeof(*raws); off += TRACE_FRAME_BYTES) {
		size_t chunk = n * sizeof(*raws) - off < TRACE_FRAME_BYTES ?
			       n * sizeof(*raws) - off : TRACE_FRAME_BYTES;
		size_t k = ZSTD_compress((char *)zbuf + zlen, zcap - zlen, (char *)raws + off, chunk, 3);

		if (ZSTD_isError(k))
			break;
		zlen += k;
	}
	t_zc = now() - t0;
	t0 = now();
	for (size_t off = 0; off < zlen;) {
		size_t csz = ZSTD_findFrameCompressedSize((char *)zbuf + off, zlen - off);
		size_t k;

		if (ZSTD_isError(csz))
			break;
		k = ZSTD_decompress(dbuf, TRACE_FRAME_BYTES, (char *)zbuf + off, csz);
		if (ZSTD_isError(k))
			break;
		dlen += k;
		off += csz;
	}
	t_zd = now() - t0;
	if (dlen != n * sizeof(*raws))
		fprintf(stderr, "trace_bench: zstd failed\n");

	printf("%-7s %9llu events | kvmrec: write %6.2f M ev/s, read %6.2f M ev/s, %5.2f B/event"
	       " | zstd -3 of %zu-byte structs in 256 KiB frames: compress %6.2f M ev/s, decompress %6.2f M ev/s,"
	       " %5.2f B/event | kvmrec/zstd: size %.2f, write speed %.2f, read speed %.2f\n",
	       name, (unsigned long long)n, n / t_write / 1e6, n / t_read / 1e6,
	       (double)bytes / n, sizeof(*raws), n / t_zc / 1e6, n / t_zd / 1e6,
	       (double)zlen / n, (double)bytes / zlen, t_zc / t_write, t_zd / t_read);
	fflush(stdout);
	free(zbuf);
	free(dbuf);
	free(raws);
	return (got == n && sum) ? 0 : -EIO;
}

/* Reads an existing trace: the reader alone, for profiling and for real traces. */
static int read_only(const char *path)
{
	struct trace_reader *r;
	struct trace_event ev;
	uint64_t got = 0, sum = 0;
	double t0 = now(), t;
	int ret = trace_reader_open(path, &r);

	while (ret >= 0 && (ret = trace_reader_next(r, &ev)) == 1) {
		got++;
		sum += ev.ts_ns;
	}
	t = now() - t0;
	if (ret < 0)
		fprintf(stderr, "trace_bench: %s\n", r ? trace_reader_error(r) : "out of memory");
	printf("read %llu events in %.3f s: %.2f M events/s (checksum %llx)\n",
	       (unsigned long long)got, t, got / t / 1e6, (unsigned long long)sum);
	trace_reader_close(r);
	return ret < 0;
}

/*
 * Writes TRACE's events again through the writer at zstd @lvl (to DIR) and
 * prints the sizes: how the format does on a real recording.
 */
static int recode(const char *path, int lvl, const char *dir)
{
	struct trace_writer_opts opts = { .overwrite = true, .zstd_level = lvl };
	Kvmrec__Header hdr;
	struct trace_reader *r;
	struct trace_writer *w;
	struct trace_event ev;
	uint64_t n = 0, kinds[128] = { 0 }, bytes;
	char out[4096];
	double t0, t;
	int ret = trace_reader_open(path, &r);

	if (ret < 0) {
		fprintf(stderr, "trace_bench: %s\n", r ? trace_reader_error(r) : "out of memory");
		trace_reader_close(r);
		return 1;
	}
	hdr = *trace_reader_header(r);
	snprintf(out, sizeof(out), "%s/trace_bench-recode.zst", dir);
	if (trace_writer_open(out, &hdr, &opts, &w)) {
		fprintf(stderr, "trace_bench: %s\n", trace_writer_error(NULL));
		trace_reader_close(r);
		return 1;
	}
	t0 = now();
	while ((ret = trace_reader_next(r, &ev)) == 1) {
		kinds[ev.rec->body_case & 127]++;
		n++;
		if (trace_writer_append(w, &ev))
			break;
	}
	trace_writer_close(w, trace_reader_footer(r));
	t = now() - t0;
	bytes = file_size(out);
	unlink(out);
	printf("%s at zstd %d: %llu events (%llu exits) -> %llu bytes: %.2f B/event, %.2f B/exit; "
	       "read+write %.2f M events/s\n", path, lvl, (unsigned long long)n,
	       (unsigned long long)kinds[KVMREC__RECORD__BODY_EXIT], (unsigned long long)bytes,
	       (double)bytes / (n ? n : 1),
	       (double)bytes / (kinds[KVMREC__RECORD__BODY_EXIT] ? kinds[KVMREC__RECORD__BODY_EXIT] : 1),
	       n / t / 1e6);
	trace_reader_close(r);
	return ret < 0;
}

int main(int argc, char **argv)
{
	uint64_t n = 2000000;
	const char *dir = "/tmp", *only = NULL;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: trace_bench [--only steady|mixed] [--write-only] [EVENTS] [DIR] [ZSTD_LEVEL]\n"
		       "       trace_bench --read TRACE\n"
		       "       trace_bench --recode TRACE [ZSTD_LEVEL [DIR]]\n"
		       "Writes and reads EVENTS synthetic events (default 2000000) through\n"
		       "kvmrec's trace format in DIR (default /tmp) and compares with plain zstd;\n"
		       "with --read, times the reader alone on TRACE; with --recode, writes\n"
		       "TRACE's events again and prints bytes per event. Times are wall time;\n"
		       "the writer's CPU time per thread is printed too. --only runs one\n"
		       "stream, --write-only times the writer alone (for profiling).\n");
		return 0;
	}
	while (argc > 1 && !strncmp(argv[1], "--", 2) && strcmp(argv[1], "--read") &&
	       strcmp(argv[1], "--recode")) {
		if (!strcmp(argv[1], "--write-only")) {
			write_only = true;
		} else if (!strcmp(argv[1], "--only") && argc > 2) {
			only = argv[2];
			argv++;
			argc--;
		} else {
			fprintf(stderr, "trace_bench: unknown option %s (see --help)\n", argv[1]);
			return 2;
		}
		argv++;
		argc--;
	}
	if (argc == 3 && !strcmp(argv[1], "--read"))
		return read_only(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "--recode"))
		return recode(argv[2], argc > 3 ? atoi(argv[3]) : 0, argc > 4 ? argv[4] : "/tmp");
	if (argc > 1)
		n = strtoull(argv[1], NULL, 0);
	if (argc > 2)
		dir = argv[2];
	if (argc > 3)
		level = atoi(argv[3]);
	if (!n) {
		fprintf(stderr, "trace_bench: EVENTS must be a positive number\n");
		return 2;
	}
	if (only && strcmp(only, "steady") && strcmp(only, "mixed")) {
		fprintf(stderr, "trace_bench: --only takes steady or mixed, not %s\n", only);
		return 2;
	}
	if ((!only || !strcmp(only, "steady")) && run("steady", gen_steady, n, dir))
		return 1;
	if ((!only || !strcmp(only, "mixed")) && run("mixed", gen_mixed, n, dir))
		return 1;
	return 0;
}
