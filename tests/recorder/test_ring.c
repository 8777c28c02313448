// SPDX-License-Identifier: GPL-2.0-only
/*
 * Ring scenarios: a producer thread streams records of mixed sizes through a
 * small ring while the consumer checks each one arrives whole and in order;
 * a lossy ring with nobody draining counts exactly what it dropped; a
 * lossless one makes the producer wait (counted) instead of losing anything,
 * but only while the recorder lives; rings are handed out in order as
 * threads appear and reused when they end.
 */
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "raw.h"
#include "ring.h"

#define NREC 200000

struct prod {
	struct ring_ctl *ctl;
	struct ring *r;
};

static uint32_t rec_len(uint32_t i)
{
	return RAW_ALIGN(sizeof(struct raw_hdr) + (i * 37) % 1500);
}

static void *producer(void *p)
{
	struct prod *pr = p;

	for (uint32_t i = 0; i < NREC; i++) {
		uint32_t len = rec_len(i);
		struct raw_hdr *h = ring_reserve(pr->ctl, pr->r, len);

		h->len = len;
		h->type = RAW_IOCTL;
		h->req = i;
		h->arglen = len - sizeof(*h);
		memset(h + 1, (int)(i & 0xff), h->arglen);
		ring_publish(pr->r, len);
	}
	ring_release(pr->r);
	return NULL;
}

static void test_stream_in_order(void **state)
{
	struct ring_ctl *ctl;
	struct prod pr;
	pthread_t t;
	int fd;
	uint32_t next = 0;

	(void)state;
	assert_int_equal(ring_region_create(2, RING_MIN_SIZE, false, &fd, &ctl), 0);
	pr.ctl = ctl;
	pr.r = ring_claim(ctl, 1234);
	assert_non_null(pr.r);
	assert_int_equal(pr.r->tid, 1234);
	pthread_create(&t, NULL, producer, &pr);
	while (next < NREC) {
		uint64_t contig;
		const struct raw_hdr *h;

		if (ring_avail(pr.r) < 8)
			continue;
		h = (const struct raw_hdr *)ring_peek(ctl, pr.r, 0, &contig);
		assert_true(h->len <= contig);
		if (h->type == RAW_PAD) {
			ring_consume(pr.r, h->len);
			continue;
		}
		assert_int_equal(h->req, next);
		assert_int_equal(h->len, rec_len(next));
		for (uint32_t b = 0; b < h->arglen; b++)
			if (((const uint8_t *)(h + 1))[b] != (next & 0xff))
				fail_msg("record %u byte %u damaged", next, b);
		ring_consume(pr.r, h->len);
		next++;
	}
	pthread_join(t, NULL);
	assert_int_equal(ring_avail(pr.r), 0);
	assert_int_equal(pr.r->state, RING_DONE);
	assert_int_equal(pr.r->dropped, 0);
	ring_recycle(pr.r);
	assert_int_equal(pr.r->state, RING_FREE);
}

static void test_lossy_counts_drops(void **state)
{
	struct ring_ctl *ctl;
	struct ring *r;
	int fd, kept = 0, dropped = 0;

	(void)state;
	assert_int_equal(ring_region_create(1, RING_MIN_SIZE, true, &fd, &ctl), 0);
	r = ring_claim(ctl, 1);
	assert_non_null(r);
	assert_null(ring_claim(ctl, 2));  /* one slot only: the second thread has none */
	assert_int_equal(ctl->no_slot, 1);
	for (int i = 0; i < 1000; i++) {
		struct raw_hdr *h = ring_reserve(ctl, r, 256);

		if (!h) {
			dropped++;
			continue;
		}
		h->len = 256;
		h->type = RAW_IOCTL;
		ring_publish(r, 256);
		kept++;
	}
	assert_int_equal(kept, RING_MIN_SIZE / 256);
	assert_int_equal(dropped, 1000 - kept);
	assert_int_equal(r->dropped, (uint64_t)dropped);
	assert_int_equal(r->stalls, 0);
}

struct slow {
	struct ring_ctl *ctl;
	struct ring *r;
};

static void *slow_consumer(void *p)
{
	struct slow *s = p;

	/* Drain only once the producer has found the ring full and said so. */
	while (!__atomic_load_n(&s->r->stalls, __ATOMIC_ACQUIRE))
		;
	while (ring_avail(s->r))
		ring_consume(s->r, ring_avail(s->r));
	return NULL;
}

static void fill(struct ring_ctl *ctl, struct ring *r)
{
	for (uint32_t i = 0; i < RING_MIN_SIZE / 256; i++) {
		struct raw_hdr *h = ring_reserve(ctl, r, 256);

		h->len = 256;
		ring_publish(r, 256);
	}
}

static void test_lossless_stalls(void **state)
{
	struct ring_ctl *ctl;
	struct slow s;
	pthread_t t;
	int fd;

	(void)state;
	assert_int_equal(ring_region_create(1, RING_MIN_SIZE, false, &fd, &ctl), 0);
	s.ctl = ctl;
	s.r = ring_claim(ctl, 1);
	fill(ctl, s.r);
	/* No heartbeat for long, but its pid lives (a stopped recorder): still wait. */
	ctl->heartbeat_ns = 0;
	pthread_create(&t, NULL, slow_consumer, &s);
	/* Full: this one must wait for the consumer, not fail. */
	assert_non_null(ring_reserve(ctl, s.r, 256));
	pthread_join(t, NULL);
	assert_int_equal(s.r->stalls, 1);
	assert_int_equal(s.r->dropped, 0);
	assert_int_equal(ctl->orphaned, 0);
}

static void test_dead_recorder_never_blocks(void **state)
{
	struct ring_ctl *ctl;
	struct ring *r;
	pid_t dead;
	int fd;

	(void)state;
	assert_int_equal(ring_region_create(1, RING_MIN_SIZE, false, &fd, &ctl), 0);
	r = ring_claim(ctl, 1);
	fill(ctl, r);
	/* A recorder that died a second ago: a pid that was reaped, no heartbeat since. */
	dead = fork();
	if (!dead)
		_exit(0);
	assert_int_equal(waitpid(dead, NULL, 0), dead);
	ctl->recorder_pid = (uint32_t)dead;
	ctl->heartbeat_ns = 0;
	assert_null(ring_reserve(ctl, r, 256));
	assert_null(ring_reserve(ctl, r, 256));
	assert_int_equal(ctl->orphaned, 1);
	assert_int_equal(ctl->orphan_dropped, 2);
	assert_int_equal(r->dropped, 0);  /* not a --lossy drop */
}

static void test_rings_as_threads_appear(void **state)
{
	struct ring_ctl *ctl;
	struct ring *a, *b, *c;
	int fd;

	(void)state;
	assert_int_equal(ring_region_create(2, RING_MIN_SIZE, false, &fd, &ctl), 0);
	assert_int_equal(ring_used(ctl), 0);
	a = ring_claim(ctl, 10);
	assert_ptr_equal(a, ring_slot(ctl, 0));
	assert_int_equal(ring_used(ctl), 1);
	b = ring_claim(ctl, 11);
	assert_ptr_equal(b, ring_slot(ctl, 1));
	assert_int_equal(b->vcpu, -1);
	assert_null(ring_claim(ctl, 12));  /* room for two */
	assert_int_equal(ctl->no_slot, 1);
	assert_int_equal(ring_used(ctl), 2);
	/* A finished thread's ring, once drained, goes to the next new thread. */
	ring_release(a);
	ring_recycle(a);
	c = ring_claim(ctl, 13);
	assert_ptr_equal(c, a);
	assert_int_equal(c->tid, 13);
	/* The full-size region is only address space until rings are used. */
	assert_int_equal(ring_region_create(RING_MAX_SLOTS, RING_DEFAULT_SIZE, false, &fd, &ctl), 0);
	assert_non_null(ring_claim(ctl, 1));
	assert_int_equal(ring_used(ctl), 1);
}

static void test_bad_sizes(void **state)
{
	struct ring_ctl *ctl;
	int fd;

	(void)state;
	assert_int_equal(ring_region_create(1, 100000, false, &fd, &ctl), -22);
	assert_int_equal(ring_region_create(0, RING_MIN_SIZE, false, &fd, &ctl), -22);
	assert_int_equal(ring_region_create(1, 1024, false, &fd, &ctl), -22);
	assert_int_equal(ring_region_create(RING_MAX_SLOTS + 1, RING_MIN_SIZE, false, &fd, &ctl),
			 -22);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_in_order),
		cmocka_unit_test(test_lossy_counts_drops),
		cmocka_unit_test(test_lossless_stalls),
		cmocka_unit_test(test_dead_recorder_never_blocks),
		cmocka_unit_test(test_rings_as_threads_appear),
		cmocka_unit_test(test_bad_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
