// SPDX-License-Identifier: GPL-2.0-only
/*
 * Two-level table so a VMM with a million fds costs only the chunks it
 * touches. Chunks are mmap()ed, never freed, and installed with a CAS.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fdtab.h"
#include "raw.h"

static struct fdtab_ent *chunks[FDTAB_CHUNKS];

struct fdtab_ent *fdtab_get(int fd)
{
	struct fdtab_ent *c, *expect = NULL;

	if (fd < 0 || fd >= FDTAB_SIZE)
		return NULL;
	c = __atomic_load_n(&chunks[fd / FDTAB_CHUNK], __ATOMIC_ACQUIRE);
	if (c)
		return &c[fd % FDTAB_CHUNK];
	c = mmap(NULL, FDTAB_CHUNK * sizeof(*c), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c == MAP_FAILED)
		return NULL;
	if (!__atomic_compare_exchange_n(&chunks[fd / FDTAB_CHUNK], &expect, c, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		munmap(c, FDTAB_CHUNK * sizeof(*c));
		c = expect;
	}
	return &c[fd % FDTAB_CHUNK];
}

int fdtab_classify_link(const char *link, int32_t *vcpu)
{
	int id;

	*vcpu = -1;
	if (!strcmp(link, "/dev/kvm"))
		return RAW_FD_KVM;
	if (!strcmp(link, "anon_inode:kvm-vm"))
		return RAW_FD_VM;
	if (sscanf(link, "anon_inode:kvm-vcpu:%d", &id) == 1) {
		*vcpu = id;
		return RAW_FD_VCPU;
	}
	return RAW_FD_NONE;
}

struct fdtab_ent *fdtab_lookup(int fd)
{
	struct fdtab_ent *e = fdtab_get(fd);

	if (!e)
		return NULL;
	if (!e->classified) {
		char path[64], link[128];
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			return NULL;
		link[n] = '\0';
		e->kind = (uint8_t)fdtab_classify_link(link, &e->vcpu);
		e->classified = 1;
	}
	return e->kind == RAW_FD_NONE ? NULL : e;
}

void fdtab_set(int fd, int kind, int32_t vcpu)
{
	struct fdtab_ent *e = fdtab_get(fd);

	if (!e)
		return;
	e->pending = RAW_PENDING_NONE;
	e->vcpu = vcpu;
	e->kind = (uint8_t)kind;
	e->classified = 1;
}

void fdtab_clear(struct fdtab_ent *e)
{
	e->classified = 0;
	e->kind = RAW_FD_NONE;
	e->pending = RAW_PENDING_NONE;
	e->vcpu = -1;
}
