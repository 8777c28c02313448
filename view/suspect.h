/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * suspect: a cheap first guess at a double delivery, for `kvmrec plot` when
 * the replayer's --check-once verdict is not available or undecided.
 *
 * The guess is the seed's signature: with the LAPIC in the kernel,
 * KVM_INTERRUPT is for the userspace PIC's vectors only, so a KVM_INTERRUPT
 * of a vector the in-kernel LAPIC accepted on that vCPU is delivered twice.
 * Found: the injection, the accept (the request), the kernel's delivery
 * (kvm_inj_virq, or the EOI of the vector), the last KVM_GET_LAPIC whose IRR
 * showed the vector, and the exit just before the injection. It is a guess:
 * `kvmrec replay --check-once` gives the verdict.
 */
#ifndef KVMREC_VIEW_SUSPECT_H
#define KVMREC_VIEW_SUSPECT_H

#include <stdint.h>
#include "svg_plot.h"

/* Returns 1 and fills @f when found, 0 when not, -errno with @err set. */
int suspect_find(const char *path, struct plot_focus *f, char *err, size_t errlen);

#endif
