/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_view: runs stat, replay --check-once, diff, export and plot on @data,
 * a trace the reader opened; @damaged: the reader ended it with an error.
 * @knobs varies options (diff --kernel, export --format, plot --around).
 * Aborts on a finding.
 */
#ifndef KVMREC_TESTS_FUZZ_VIEW_H
#define KVMREC_TESTS_FUZZ_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void fuzz_view_commands(const uint8_t *data, size_t size, bool damaged, uint8_t knobs);

#endif
