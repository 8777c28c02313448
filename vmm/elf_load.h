/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * elf_load (elf.c): loads a static x86-64 ELF executable into guest RAM. Every PT_LOAD
 * segment must fit in [GUEST_LOAD_MIN, mem_size) and the entry point must lie
 * in one. On failure prints one line "kvmrec-vmm: FILE: problem" and returns
 * a negative errno (-ENOENT and friends for I/O, -ENOEXEC for a bad image).
 * With mem NULL it only checks the image against mem_size.
 */
#ifndef KVMREC_VMM_ELF_LOAD_H
#define KVMREC_VMM_ELF_LOAD_H

#include <stdint.h>

int elf_load(const char *path, uint8_t *mem, uint64_t mem_size, uint64_t *entry);

#endif
