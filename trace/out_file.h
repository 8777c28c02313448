/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * out_file: creates a command's output file the one way every kvmrec command
 * does (record, import, the trace writer): never over an existing file unless
 * the caller was told to (--force), never through a symbolic link, never over
 * the command's own input, mode 0600 unless asked otherwise.
 *
 * Returns an open fd (O_WRONLY, O_CLOEXEC), or a negative errno with @why set
 * to the reason without the file name (the caller's line names the file),
 * in the same words for every command: OUT_FILE_EXISTS for -EEXIST.
 */
#ifndef KVMREC_TRACE_OUT_FILE_H
#define KVMREC_TRACE_OUT_FILE_H

#include <stdbool.h>
#include <stddef.h>

#define OUT_FILE_EXISTS "already exists; not overwriting it"

struct out_file_opts {
	bool overwrite;        /* replace an existing regular file (--force) */
	const char *input;     /* never write over this file; NULL or "-": none */
	unsigned int mode;     /* for a new file; 0: 0600 */
};

int out_file_open(const char *path, const struct out_file_opts *o, char *why, size_t whylen);

/*
 * What out_file_open() would refuse, checked without creating anything, for
 * commands that must fail before they start work (record, before the VMM).
 * 0, or a negative errno with @why set as above.
 */
int out_file_check(const char *path, const struct out_file_opts *o, char *why, size_t whylen);

#endif
