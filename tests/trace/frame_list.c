// SPDX-License-Identifier: GPL-2.0-only
/*
 * frame_list FILE: prints the byte offset and compressed size of each zstd
 * frame of FILE, one "OFFSET SIZE" line per frame, so tests can swap, drop,
 * repeat and splice whole frames. Exits 1 if FILE does not split into frames.
 */
#include <stdio.h>
#include <stdlib.h>
#include <zstd.h>

int main(int argc, char **argv)
{
	FILE *f;
	unsigned char *buf;
	long len;
	size_t off = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: frame_list FILE\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		perror(argv[1]);
		return 2;
	}
	buf = malloc(len ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "frame_list: %s: read failed\n", argv[1]);
		return 2;
	}
	fclose(f);
	while (off < (size_t)len) {
		size_t n = ZSTD_findFrameCompressedSize(buf + off, (size_t)len - off);

		if (ZSTD_isError(n)) {
			fprintf(stderr, "frame_list: %s: at byte %zu: %s\n", argv[1], off,
				ZSTD_getErrorName(n));
			free(buf);
			return 1;
		}
		printf("%zu %zu\n", off, n);
		off += n;
	}
	free(buf);
	return 0;
}
