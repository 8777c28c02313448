// SPDX-License-Identifier: GPL-2.0-only
/*
 * writer_pool: frames compressed on worker threads, written in order (see
 * writer_pool.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "batch.h"
#include "writer_pool.h"

#define POOL_MAX_THREADS 8

enum job_state { JOB_FREE, JOB_QUEUED, JOB_COMPRESSING };

struct job {
	enum job_state state;
	uint64_t index;			/* submission number */
	uint8_t *raw;
	size_t raw_len, raw_cap;
	size_t from;			/* where its records start (after the magic) */
	uint8_t *packed;		/* raw with batches (batch.h), raw_cap bytes */
	uint8_t *out;
	size_t out_cap;
};

struct writer_pool {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int fd;
	uint64_t submitted;		/* frames handed over */
	uint64_t written;		/* frames in the file: the next to write is this one */
	uint64_t bytes;
	bool stop;
	int err;
	char errbuf[160];
	unsigned int n_threads, n_jobs;
	pthread_t threads[POOL_MAX_THREADS];
	ZSTD_CCtx *cctx[POOL_MAX_THREADS];
	struct batch_packer *packer[POOL_MAX_THREADS];
	struct job jobs[POOL_MAX_THREADS + 1];
	int level;
};

static void pool_fail(struct writer_pool *p, int err, const char *what, const char *why)
{
	if (p->err)
		return;
	p->err = err;
	snprintf(p->errbuf, sizeof(p->errbuf), "%s: %s", what, why);
}

static int write_all(int fd, const uint8_t *b, size_t len)
{
	while (len) {
		ssize_t n = write(fd, b, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

struct worker_arg {
	struct writer_pool *p;
	unsigned int id;
};

static void *pool_worker(void *arg)
{
	struct writer_pool *p = ((struct worker_arg *)arg)->p;
	ZSTD_CCtx *cctx = p->cctx[((struct worker_arg *)arg)->id];
	struct batch_packer *packer = p->packer[((struct worker_arg *)arg)->id];

	free(arg);
	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct job *j = NULL;
		for (unsigned int i = 0; i < p->n_jobs; i++)
			if (p->jobs[i].state == JOB_QUEUED && (!j || p->jobs[i].index < j->index))
				j = &p->jobs[i];
		if (!j) {
			if (p->stop)
				break;
			pthread_cond_wait(&p->cond, &p->lock);
			continue;
		}
		j->state = JOB_COMPRESSING;
		pthread_mutex_unlock(&p->lock);

		/* Batches made here, off the appending thread; 0: out of memory, as it is. */
		size_t len = batch_pack(packer, j->raw, j->raw_len, j->from, j->packed);
		const uint8_t *src = len ? j->packed : j->raw;
		size_t n = batch_compress(cctx, len ? packer : NULL, j->out, j->out_cap, src,
					  len ? len : j->raw_len);

		pthread_mutex_lock(&p->lock);
		/* Frames go out in order: wait for every earlier one to be written. */
		while (p->written != j->index)
			pthread_cond_wait(&p->cond, &p->lock);
		if (ZSTD_isError(n)) {
			pool_fail(p, -EIO, "zstd compression failed", ZSTD_getErrorName(n));
		} else if (!p->err) {
			/* The only writer now: written order is the lock's order. */
			int ret = write_all(p->fd, j->out, n);
			if (ret)
				pool_fail(p, ret, "write failed", strerror(-ret));
			else
				p->bytes += n;
		}
		p->written++;
		j->state = JOB_FREE;
		pthread_cond_broadcast(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int writer_pool_submit(struct writer_pool *p, const uint8_t *raw, size_t len, size_t from)
{
	struct job *j = NULL;
	int ret;

	pthread_mutex_lock(&p->lock);
	while (!p->err) {
		for (unsigned int i = 0; i < p->n_jobs && !j; i++)
			if (p->jobs[i].state == JOB_FREE)
				j = &p->jobs[i];
		if (j)
			break;
		pthread_cond_wait(&p->cond, &p->lock);
	}
	if (p->err) {
		ret = p->err;
		pthread_mutex_unlock(&p->lock);
		return ret;
	}
	pthread_mutex_unlock(&p->lock);

	/* The slot is ours until it is queued: fill it outside the lock. */
	if (len > j->raw_cap) {
		uint8_t *r = realloc(j->raw, len);
		size_t oc = ZSTD_compressBound(len) + BATCH_COMPRESS_SLACK;
		uint8_t *o = r ? realloc(j->out, oc) : NULL;
		uint8_t *b = o ? realloc(j->packed, len) : NULL;
		if (r)
			j->raw = r;
		if (o)
			j->out = o;
		if (b)
			j->packed = b;
		if (!r || !o || !b) {
			pthread_mutex_lock(&p->lock);
			pool_fail(p, -ENOMEM, "out of memory", "frame buffer");
			ret = p->err;
			pthread_mutex_unlock(&p->lock);
			return ret;
		}
		j->raw_cap = len;
		j->out_cap = oc;
	}
	memcpy(j->raw, raw, len);
	j->raw_len = len;
	j->from = from;

	pthread_mutex_lock(&p->lock);
	j->index = p->submitted++;
	j->state = JOB_QUEUED;
	pthread_cond_broadcast(&p->cond);
	ret = p->err;
	pthread_mutex_unlock(&p->lock);
	return ret;
}

int writer_pool_drain(struct writer_pool *p)
{
	int ret;

	pthread_mutex_lock(&p->lock);
	while (p->written != p->submitted)
		pthread_cond_wait(&p->cond, &p->lock);
	ret = p->err;
	pthread_mutex_unlock(&p->lock);
	return ret;
}

uint64_t writer_pool_bytes(struct writer_pool *p)
{
	uint64_t b;

	pthread_mutex_lock(&p->lock);
	b = p->bytes;
	pthread_mutex_unlock(&p->lock);
	return b;
}

const char *writer_pool_error(struct writer_pool *p)
{
	return p->errbuf;
}

void writer_pool_stop(struct writer_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	for (unsigned int i = 0; i < p->n_threads; i++)
		pthread_join(p->threads[i], NULL);
	for (unsigned int i = 0; i < POOL_MAX_THREADS; i++) {
		ZSTD_freeCCtx(p->cctx[i]);
		batch_packer_free(p->packer[i]);
	}
	for (unsigned int i = 0; i < p->n_jobs; i++) {
		free(p->jobs[i].raw);
		free(p->jobs[i].packed);
		free(p->jobs[i].out);
	}
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

int writer_pool_start(struct writer_pool **out, int fd, int zstd_level, unsigned int threads)
{
	struct writer_pool *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (!p)
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->fd = fd;
	p->level = zstd_level;
	if (threads < 1)
		threads = 1;
	if (threads > POOL_MAX_THREADS)
		threads = POOL_MAX_THREADS;
	p->n_jobs = threads + 1;
	for (unsigned int i = 0; i < threads; i++) {
		ZSTD_CCtx *c = ZSTD_createCCtx();
		p->cctx[i] = c;
		p->packer[i] = batch_packer_new();
		if (!c || !p->packer[i] || ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, zstd_level)) ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1)) ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 1))) {
			writer_pool_stop(p);
			return -EINVAL;
		}
	}
	for (unsigned int i = 0; i < threads; i++) {
		struct worker_arg *a = malloc(sizeof(*a));
		if (!a)
			break;
		a->p = p;
		a->id = i;
		if (pthread_create(&p->threads[i], NULL, pool_worker, a)) {
			free(a);
			break;
		}
		p->n_threads++;
	}
	if (!p->n_threads) {
		writer_pool_stop(p);
		return -EAGAIN;
	}
	*out = p;
	return 0;
}
