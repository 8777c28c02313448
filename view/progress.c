// SPDX-License-Identifier: GPL-2.0-only
/* progress: percentage on a terminal (see progress.h). */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "progress.h"

/* Look at the offset only every so many events: the call must stay cheap. */
#define PROGRESS_EVERY 65536

void progress_begin(struct progress *p, const char *what, const char *path)
{
	struct stat st;

	memset(p, 0, sizeof(*p));
	p->what = what;
	p->last_pct = -1;
	p->on = isatty(STDERR_FILENO);
	if (path && strcmp(path, "-") && !stat(path, &st) && S_ISREG(st.st_mode))
		p->total_bytes = (uint64_t)st.st_size;
}

void progress_event(struct progress *p, uint64_t offset)
{
	if (++p->events % PROGRESS_EVERY || !p->on)
		return;
	int pct = p->total_bytes ? (int)(offset * 100 / p->total_bytes) : -1;
	if (pct > 100)
		pct = 100;
	if (pct == p->last_pct && pct >= 0)
		return;
	p->last_pct = pct;
	if (pct >= 0)
		fprintf(stderr, "\r%s: %3d%% (%llu events)", p->what, pct,
			(unsigned long long)p->events);
	else
		fprintf(stderr, "\r%s: %llu events", p->what, (unsigned long long)p->events);
}

void progress_end(struct progress *p)
{
	if (p->on && p->events >= PROGRESS_EVERY)
		fprintf(stderr, "\r\033[K");
}
