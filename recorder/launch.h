/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * launch: starting a VMM under the interposer. Resolves and checks the VMM
 * before anything is created (so "not found" and "static" are one clear line
 * and no trace), finds libkvmrec-preload.so, and execs the VMM in the child
 * once the parent says go. Returns 0 or a negative errno.
 */
#ifndef KVMREC_RECORDER_LAUNCH_H
#define KVMREC_RECORDER_LAUNCH_H

#include <stddef.h>
#include <sys/types.h>

/* Resolves @file through PATH like execvp: 0 and @out, or -ENOENT / -EACCES. */
int launch_find_vmm(const char *file, char *out, size_t len);
/* 0 if the interposer can enter @path; -ENOEXEC for a static ELF. */
int launch_check_dynamic(const char *path);
/*
 * @explicit_path if given, else next to the kvmrec binary (the build tree),
 * else <binary>/../<libdir>/kvmrec (an installed tree, relocatable), else the
 * <libdir>/kvmrec configured at build time.
 */
int launch_find_preload(const char *explicit_path, char *out, size_t len);
/*
 * In the forked child: waits for one byte on @gofd, preloads @preload with
 * the ring fd in the environment (neither when @preload is NULL: the bpf
 * backend records from the kernel) and execs @argv; on failure writes errno to
 * @errfd and _exits 127. Never returns.
 */
void launch_child_exec(char **argv, const char *preload, int ringfd, int gofd, int errfd)
	__attribute__((noreturn));
/* While @pid > 0, SIGINT/SIGTERM/SIGHUP/SIGQUIT go to it; 0 restores them. */
void launch_forward_signals(pid_t pid);

#endif
