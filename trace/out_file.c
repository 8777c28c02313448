// SPDX-License-Identifier: GPL-2.0-only
/* out_file: one way to create an output file (see out_file.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "out_file.h"

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* -EINVAL if @st is @o->input's file, else 0. */
static int not_input(const struct stat *st, const struct out_file_opts *o, char *why, size_t n)
{
	struct stat in;

	if (!o->input || !strcmp(o->input, "-") || stat(o->input, &in) || !same_file(st, &in))
		return 0;
	snprintf(why, n, "is the input %s; not writing over it", o->input);
	return -EINVAL;
}

static int refuse(int err, char *why, size_t n)
{
	if (err == -EEXIST)
		snprintf(why, n, OUT_FILE_EXISTS);
	else if (err == -ELOOP)
		snprintf(why, n, "is a symbolic link; not writing through it");
	else
		snprintf(why, n, "cannot create: %s", strerror(-err));
	return err;
}

int out_file_check(const char *path, const struct out_file_opts *o, char *why, size_t n)
{
	struct stat st;
	int ret;

	if (lstat(path, &st))
		return 0;
	if (S_ISLNK(st.st_mode))
		return refuse(-ELOOP, why, n);
	ret = not_input(&st, o, why, n);
	if (ret)
		return ret;
	return o->overwrite ? 0 : refuse(-EEXIST, why, n);
}

int out_file_open(const char *path, const struct out_file_opts *o, char *why, size_t n)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (o->overwrite ? 0 : O_EXCL);
	struct stat st;
	int fd, ret;

	ret = out_file_check(path, o, why, n);
	if (ret)
		return ret;
	fd = open(path, flags, o->mode ? o->mode : 0600);
	if (fd < 0)
		return refuse(-errno, why, n);
	/*
	 * Truncate only once the open file is known not to be the input: the
	 * check above raced with whoever else names files here.
	 */
	if (o->overwrite) {
		ret = fstat(fd, &st) ? -errno : not_input(&st, o, why, n);
		if (!ret && S_ISREG(st.st_mode) && ftruncate(fd, 0))
			ret = refuse(-errno, why, n);
		if (ret) {
			close(fd);
			return ret;
		}
	}
	return fd;
}
