/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pb_init: a protobuf-c message set to its initial value (internal to
 * trace/), for the decoders that make one per record. Assigning the
 * KVMREC__*__INIT compound literal compiles (GCC -O2, generic tuning) to a
 * `rep stos` whose start-up cost was the largest single item of decoding a
 * record; a copy from a constant the compiler cannot see into is a handful
 * of vector moves.
 */
#ifndef KVMREC_TRACE_PB_INIT_H
#define KVMREC_TRACE_PB_INIT_H

#define PB_INIT(dst, type, init)                                \
	do {                                                    \
		static const type pb_init_value_ = init;        \
		const type *pb_init_from_ = &pb_init_value_;    \
		__asm__("" : "+r"(pb_init_from_));              \
		*(dst) = *pb_init_from_;                        \
	} while (0)

#endif
