// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attach.h"
#include "fdtab.h"
#include "raw.h"

static void read_argv(pid_t pid, struct attach_argv *a)
{
	char path[64];
	ssize_t n = 0;
	size_t argc = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, a->buf, sizeof(a->buf) - 1);
		close(fd);
	}
	if (n < 0)
		n = 0;
	a->buf[n] = '\0';
	for (ssize_t i = 0; i < n && argc < ATTACH_MAX_ARGS; i += (ssize_t)strlen(a->buf + i) + 1)
		a->argv[argc++] = a->buf + i;
	a->argv[argc] = NULL;
}

int attach_check(pid_t pid, struct attach_argv *a, char *why, size_t whylen)
{
	char path[64], link[128];
	struct dirent *de;
	int kind = RAW_FD_NONE;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d) {
		int e = errno;

		if (e == ENOENT)
			snprintf(why, whylen, "PID %d: no such process", (int)pid);
		else
			snprintf(why, whylen, "PID %d: cannot read %s: %s", (int)pid, path, strerror(e));
		return -e;
	}
	while ((de = readdir(d)) && kind != RAW_FD_VM) {
		char fdpath[64 + 256 + 2];
		int32_t vcpu;
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(fdpath, sizeof(fdpath), "%s/%s", path, de->d_name);
		n = readlink(fdpath, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		int k = fdtab_classify_link(link, &vcpu);

		if (k == RAW_FD_VM || k == RAW_FD_VCPU)
			kind = RAW_FD_VM;
	}
	closedir(d);
	if (kind != RAW_FD_VM) {
		snprintf(why, whylen, "PID %d: not a KVM VMM (no KVM VM or vCPU fd in %s)", (int)pid,
			 path);
		return -ESRCH;
	}
	read_argv(pid, a);
	return 0;
}

int attach_lock(pid_t pid, char *why, size_t whylen)
{
	char path[96];
	int fd;

	if (mkdir(ATTACH_LOCK_DIR, 0700) && errno != EEXIST) {
		int e = errno;

		snprintf(why, whylen, "%s: cannot create: %s", ATTACH_LOCK_DIR, strerror(e));
		return -e;
	}
	snprintf(path, sizeof(path), ATTACH_LOCK_DIR "/%d.lock", (int)pid);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		int e = errno;

		snprintf(why, whylen, "%s: cannot open: %s", path, strerror(e));
		return -e;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int e = errno;
		char owner[32] = "";
		ssize_t n = pread(fd, owner, sizeof(owner) - 1, 0);

		owner[n > 0 ? n : 0] = '\0';
		owner[strcspn(owner, "\n")] = '\0';
		close(fd);
		if (e == EWOULDBLOCK) {
			snprintf(why, whylen, "PID %d: already being recorded (%s held by kvmrec pid %s)",
				 (int)pid, path, owner[0] ? owner : "?");
			return -EBUSY;
		}
		snprintf(why, whylen, "%s: cannot lock: %s", path, strerror(e));
		return -e;
	}
	char me[32];
	int len = snprintf(me, sizeof(me), "%d\n", (int)getpid());

	/* The pid is a courtesy for the message above; the lock is what counts. */
	if (ftruncate(fd, 0) || pwrite(fd, me, (size_t)len, 0) < 0) {
	}
	return fd;
}

void attach_unlock(pid_t pid, int fd)
{
	char path[96];

	if (fd < 0)
		return;
	/* Unlinked while still held, so no recorder can lock the dying file. */
	snprintf(path, sizeof(path), ATTACH_LOCK_DIR "/%d.lock", (int)pid);
	unlink(path);
	close(fd);
}
