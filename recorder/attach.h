/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * attach: what `kvmrec record --pid` checks and holds before it records a
 * process it did not start. attach_check() says whether PID is a KVM VMM (a
 * KVM VM fd in /proc/PID/fd) and reads its argv for the header; attach_lock()
 * takes /run/kvmrec/PID.lock (flock, released when the recorder exits, even
 * by SIGKILL) so two recorders never record one VMM. Both return 0 or a
 * negative errno with one line in @why.
 */
#ifndef KVMREC_RECORDER_ATTACH_H
#define KVMREC_RECORDER_ATTACH_H

#include <stddef.h>
#include <sys/types.h>

#define ATTACH_LOCK_DIR "/run/kvmrec"
#define ATTACH_MAX_ARGS 256

struct attach_argv {
	char buf[8192];
	char *argv[ATTACH_MAX_ARGS + 1];
};

int attach_check(pid_t pid, struct attach_argv *a, char *why, size_t whylen);
/* The lock fd (keep it open while recording), or -errno. */
int attach_lock(pid_t pid, char *why, size_t whylen);
/* Removes the lock file and releases the lock; @fd < 0 does nothing. */
void attach_unlock(pid_t pid, int fd);

#endif
