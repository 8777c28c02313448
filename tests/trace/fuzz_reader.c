// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: any bytes through the trace reader and the text
 * formatter (`kvmrec dump`), then, for what the reader accepts, through
 * every other view command (fuzz_view.c: stat, replay --check-once, diff,
 * export, plot). Nothing may crash, leak or read out of bounds; the reader
 * must end every stream with 0 or a negative errno and a one-line error, and
 * every command must see damage where the reader does. The first byte picks
 * a mode (see below) so mutations also reach record parsing behind the
 * frame checksums.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "fuzz_view.h"
#include "trace_arena.h"
#include "trace_decode.h"
#include "trace_format.h"
#include "trace_reader.h"

/* A zstd frame can expand a few bytes into millions of empty records: stop early. */
#define MAX_EVENTS 20000

/*
 * Content checksums stop nearly every mutation of a real trace at the frame
 * level. So an input whose first byte is 2 or 3 mod 4 (a real trace starts
 * with 0x28, 0 mod 4) is the decompressed stream itself: the harness
 * compresses the rest into one frame, or two split where the second byte
 * says, and the fuzzer reaches the magic, record and header parsing.
 */
static const uint8_t *as_frames(const uint8_t *data, size_t *size)
{
	static ZSTD_CCtx *cctx;
	static uint8_t *out;
	static size_t cap;
	size_t len = *size - 1, split, n1, n2;
	const uint8_t *raw = data + 1;

	if (!cctx) {
		cctx = ZSTD_createCCtx();
		ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
		ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 1);
	}
	if (cap < 2 * ZSTD_compressBound(len)) {
		free(out);
		cap = 2 * ZSTD_compressBound(len);
		out = malloc(cap);
	}
	split = (data[0] & 3) == 3 && len ? (size_t)data[1 % *size] * len / 256 : len;
	n1 = ZSTD_compress2(cctx, out, cap, raw, split);
	if (ZSTD_isError(n1))
		abort();
	n2 = 0;
	if (split < len) {
		n2 = ZSTD_compress2(cctx, out + n1, cap - n1, raw + split, len - split);
		if (ZSTD_isError(n2))
			abort();
	}
	*size = n1 + n2;
	return out;
}

/*
 * Mode 1 (first byte 1 mod 4): the rest is one Record. Where the reader's
 * fast decoder accepts it, protobuf-c must decode it to the same message.
 */
static void differential(const uint8_t *data, size_t size)
{
	static struct trace_arena arena;
	static uint8_t a[1 << 16], b[1 << 16];
	ProtobufCMessage *fast, *ref;
	size_t la, lb;

	if (!arena.base && trace_arena_init(&arena, 1 << 16))
		abort();
	trace_arena_reset(&arena);
	fast = trace_decode_fast(&kvmrec__record__descriptor, &arena.pb, data, size);
	if (!fast)
		return;
	ref = protobuf_c_message_unpack(&kvmrec__record__descriptor, NULL, size, data);
	if (!ref)
		abort();
	la = protobuf_c_message_get_packed_size(fast);
	lb = protobuf_c_message_get_packed_size(ref);
	if (la != lb || la > sizeof(a))
		abort();
	protobuf_c_message_pack(fast, a);
	protobuf_c_message_pack(ref, b);
	if (memcmp(a, b, la))
		abort();
	protobuf_c_message_free_unpacked(ref, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct trace_reader *r;
	struct trace_event ev;
	uint8_t knobs = size ? data[size - 1] : 0;
	bool opened;
	int ret, n = 0;

	if (!null)
		null = fopen("/dev/null", "w");
	if (size && (data[0] & 3) == 1) {
		differential(data + 1, size - 1);
		return 0;
	}
	if (size && (data[0] & 3) >= 2)
		data = as_frames(data, &size);
	ret = trace_reader_open_mem(data, size, "fuzz.zst", &r);
	if (!r)
		return 0;
	opened = ret == 0;
	if (opened) {
		trace_format_header(null, trace_reader_header(r));
		while (n++ < MAX_EVENTS && (ret = trace_reader_next(r, &ev)) == 1)
			trace_format_event(null, &ev);
		if (ret == 0)
			trace_format_footer(null, trace_reader_footer(r));
	}
	if (ret < 0 && (strncmp(trace_reader_error(r), "fuzz.zst: ", 10) ||
			strchr(trace_reader_error(r), '\n')))
		abort();
	if (ret == 0 && n <= MAX_EVENTS && !trace_reader_footer(r))
		abort();
	/* The reader read it all: the commands may too, in bounded time. */
	if (opened && ret != 1 && n <= MAX_EVENTS)
		fuzz_view_commands(data, size, ret < 0, knobs);
	trace_reader_close(r);
	return 0;
}
