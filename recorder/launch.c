// SPDX-License-Identifier: GPL-2.0-only
/*
 * Starting the VMM: resolving it like execvp, refusing what the interposer
 * cannot enter, finding the interposer, and the child's side of the start
 * (wait for the go, set the environment, exec). Signals that would stop the
 * recorder are passed on to the VMM instead while it runs.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launch.h"
#include "ring.h"

int launch_find_vmm(const char *file, char *out, size_t len)
{
	const char *path = getenv("PATH");
	int err = -ENOENT;

	if (strchr(file, '/')) {
		if (access(file, F_OK))
			return -ENOENT;
		if (access(file, X_OK))
			return -EACCES;
		snprintf(out, len, "%s", file);
		return 0;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *end = strchrnul(path, ':');
		int n = (int)(end - path);

		snprintf(out, len, "%.*s%s%s", n, path, n ? "/" : "", file);
		if (!access(out, X_OK)) {
			struct stat st;

			if (!stat(out, &st) && S_ISREG(st.st_mode))
				return 0;
		} else if (errno == EACCES) {
			err = -EACCES;
		}
		path = *end ? end + 1 : end;
	}
	return err;
}

int launch_check_dynamic(const char *path)
{
	Elf64_Ehdr eh;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int dynamic = 0;

	if (fd < 0)
		return -errno;
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64) {
		close(fd);
		return 0;  /* a script or something exec knows: let it try */
	}
	for (unsigned int i = 0; i < eh.e_phnum && i < 4096; i++) {
		Elf64_Phdr ph;

		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) !=
		    (ssize_t)sizeof(ph))
			break;
		if (ph.p_type == PT_INTERP)
			dynamic = 1;
	}
	close(fd);
	return dynamic ? 0 : -ENOEXEC;
}

int launch_find_preload(const char *explicit_path, char *out, size_t len)
{
	char self[PATH_MAX];
	ssize_t n;

	if (explicit_path) {
		snprintf(out, len, "%s", explicit_path);
		return access(out, R_OK) ? -ENOENT : 0;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		char *slash;

		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(out, len, "%.3800s/libkvmrec-preload.so", self);
			if (!access(out, R_OK))
				return 0;
#ifdef KVMREC_LIBDIR_REL
			/* An installed tree, wherever it was unpacked (DESTDIR, a .deb). */
			snprintf(out, len, "%.3800s/../%s/libkvmrec-preload.so", self,
				 KVMREC_LIBDIR_REL);
			if (!access(out, R_OK))
				return 0;
#endif
		}
	}
#ifdef KVMREC_LIBDIR
	snprintf(out, len, "%s/libkvmrec-preload.so", KVMREC_LIBDIR);
	if (!access(out, R_OK))
		return 0;
#endif
	return -ENOENT;
}

static volatile sig_atomic_t g_child;

static void forward_signal(int sig)
{
	if (g_child > 0)
		kill((pid_t)g_child, sig);
}

void launch_forward_signals(pid_t pid)
{
	struct sigaction sa;

	g_child = pid;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = pid > 0 ? forward_signal : SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
}

void launch_child_exec(char **argv, const char *preload, int ringfd, int gofd, int errfd)
{
	const char *old = getenv("LD_PRELOAD");
	char buf[PATH_MAX * 2], num[16];
	char c;
	int e;

	/* Wait until the parent has tracing set up for our pid. */
	if (read(gofd, &c, 1) != 1)
		_exit(127);
	close(gofd);
	if (preload) {
		snprintf(buf, sizeof(buf), "%s%s%s", preload, old && *old ? ":" : "",
			 old ? old : "");
		setenv("LD_PRELOAD", buf, 1);
		snprintf(num, sizeof(num), "%d", ringfd);
		setenv(RING_ENV_FD, num, 1);
		fcntl(ringfd, F_SETFD, 0);
	}
	execvp(argv[0], argv);
	e = errno;
	if (write(errfd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}
