/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * batch: runs of hot records held as columns (Record.batch, format 1.3;
 * proto/kvmrec.proto, docs/trace.md "Batches"; internal to trace/).
 *
 * Both halves work on a whole decompressed frame (varint-delimited records
 * from @from on; the bytes before it, the magic, are copied). batch_pack()
 * is the writer's: it replaces runs of records whose fields are all in the
 * batch's slots by one batch record, and only records that batch_expand()
 * gives back byte for byte. batch_expand() is the readers': it gives back
 * the frame as the records the batches stand for, so everything after it
 * (references, IO differences, decoding) is as for a 1.2 frame. A batch it
 * cannot expand, and everything after it, is left as it is: the reader then
 * meets a record with a batch body and calls the frame corrupt there.
 */
#ifndef KVMREC_TRACE_BATCH_H
#define KVMREC_TRACE_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include <zstd.h>
#include <protobuf-c/protobuf-c.h>
#include "kvmrec.pb-c.h"

/* What batch_compress() may need beyond ZSTD_compressBound(): a header per block. */
#define BATCH_COMPRESS_SLACK 1024

struct batch_packer;

struct batch_packer *batch_packer_new(void);
void batch_packer_free(struct batch_packer *b);

/*
 * @in (@len bytes, records from @from) packed into @out, which has room for
 * @len bytes; the packed length (never more than @len: runs that would not
 * get smaller are copied), or 0 when out of memory (then use @in as is).
 */
size_t batch_pack(struct batch_packer *b, const uint8_t *in, size_t len, size_t from,
		  uint8_t *out);

/*
 * @len bytes at @src (what batch_pack() of @b wrote, or @b NULL) as one
 * zstd frame with content size and checksum, as ZSTD_compress2() of @c
 * would make it but that a block starts where a big column plane does:
 * zstd's Huffman tables are per block. Returns as ZSTD_compress2().
 */
size_t batch_compress(ZSTD_CCtx *c, const struct batch_packer *b, void *dst, size_t cap,
		      const uint8_t *src, size_t len);

/*
 * @in with every batch expanded, into *@out (grown with realloc, *@cap its
 * size) up to @max bytes: its length, 0 if @in holds no batch (read @in
 * itself), or -ENOMEM.
 */
long batch_expand(const uint8_t *in, size_t len, size_t from, uint8_t **out, size_t *cap,
		  size_t max);

/* The Batch inside the record @r (@rl bytes, no length), or NULL if @r is not one. */
const uint8_t *batch_body(const uint8_t *r, size_t rl, size_t *blen);

/*
 * The readers' fast path: the Batch at @p (@len bytes, from batch_body())
 * decoded straight into records allocated from @a, each handed to @emit in
 * order (nonzero from it stops, as -ENOMEM): the same records, field for
 * field, that decoding batch_expand()'s bytes gives, so a reader may take
 * either path. @budget: bytes batch_expand() may still write for the frame;
 * a batch that could need more is not decoded (-E2BIG: expand the frame
 * instead, which words the limit), else what it could need is taken off.
 * Returns the records made, -EINVAL for a batch batch_expand() would not
 * expand either, or -ENOMEM.
 */
long batch_decode(const uint8_t *p, size_t len, ProtobufCAllocator *a, size_t *budget,
		  int (*emit)(void *ctx, Kvmrec__Record *rec), void *ctx);

#endif
