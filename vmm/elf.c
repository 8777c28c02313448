// SPDX-License-Identifier: GPL-2.0-only
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "elf_load.h"
#include "guest_abi.h"

static int bad(const char *path, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kvmrec-vmm: %s: ", path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -ENOEXEC;
}

static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *b;
	int e;

	if (!f || fstat(fileno(f), &st) < 0) {
		e = errno;
		fprintf(stderr, "kvmrec-vmm: %s: %s\n", path, strerror(e));
		if (f)
			fclose(f);
		return -e;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > 2ll * GUEST_MEM_SIZE) {
		fclose(f);
		return bad(path, S_ISREG(st.st_mode) ? "file too large for guest RAM" : "not a regular file");
	}
	b = malloc(st.st_size + 1);
	if (!b) {
		fclose(f);
		fprintf(stderr, "kvmrec-vmm: %s: out of memory\n", path);
		return -ENOMEM;
	}
	*len = fread(b, 1, st.st_size, f);
	e = ferror(f) ? EIO : 0;
	fclose(f);
	if (e) {
		free(b);
		fprintf(stderr, "kvmrec-vmm: %s: read error\n", path);
		return -e;
	}
	*buf = b;
	return 0;
}

static int check_and_load(const char *path, const uint8_t *img, size_t len,
			  uint8_t *mem, uint64_t mem_size, uint64_t *entry)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	int loaded = 0, entry_ok = 0;

	if (len < SELFMAG || memcmp(img, ELFMAG, SELFMAG))
		return bad(path, "not an ELF file");
	if (len < sizeof(*eh))
		return bad(path, "truncated ELF header (%zu bytes)", len);
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return bad(path, "not a little-endian 64-bit ELF");
	if (eh->e_machine != EM_X86_64)
		return bad(path, "not an x86-64 ELF (e_machine %u)", eh->e_machine);
	if (eh->e_type != ET_EXEC)
		return bad(path, "not a static executable (e_type %u)", eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
	    eh->e_phoff > len || (len - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum)
		return bad(path, "program headers out of file bounds");
	for (int i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, img + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (ph.p_filesz > ph.p_memsz || ph.p_offset > len || len - ph.p_offset < ph.p_filesz)
			return bad(path, "segment %d out of file bounds", i);
		if (ph.p_paddr < GUEST_LOAD_MIN || ph.p_paddr > mem_size ||
		    mem_size - ph.p_paddr < ph.p_memsz)
			return bad(path, "segment %d at 0x%llx+0x%llx outside guest RAM [0x%x, 0x%llx)",
				   i, (unsigned long long)ph.p_paddr, (unsigned long long)ph.p_memsz,
				   GUEST_LOAD_MIN, (unsigned long long)mem_size);
		if (mem) {
			memcpy(mem + ph.p_paddr, img + ph.p_offset, ph.p_filesz);
			memset(mem + ph.p_paddr + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
		}
		if (eh->e_entry >= ph.p_paddr && eh->e_entry - ph.p_paddr < ph.p_memsz)
			entry_ok = 1;
		loaded++;
	}
	if (!loaded)
		return bad(path, "no loadable segment");
	if (!entry_ok)
		return bad(path, "entry point 0x%llx outside loaded segments",
			   (unsigned long long)eh->e_entry);
	*entry = eh->e_entry;
	return 0;
}

int elf_load(const char *path, uint8_t *mem, uint64_t mem_size, uint64_t *entry)
{
	uint8_t *img = NULL;
	size_t len = 0;
	int r = read_file(path, &img, &len);

	if (r)
		return r;
	r = check_and_load(path, img, len, mem, mem_size, entry);
	free(img);
	return r;
}
