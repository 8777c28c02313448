// SPDX-License-Identifier: GPL-2.0-only
/* json_out: JSON string escaping and fixed-format numbers (see json_out.h). */
#include <stdint.h>
#include "json_out.h"

/* Length of the valid UTF-8 sequence at @p, or 0. */
static int utf8_len(const unsigned char *p)
{
	int n;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (int i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

void json_out_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	fputc('"', f);
	while (*p) {
		unsigned char c = *p;
		int n;

		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
		} else if (c == '\n') {
			fputs("\\n", f);
		} else if (c == '\t') {
			fputs("\\t", f);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
		} else if (c < 0x80) {
			fputc(c, f);
		} else if ((n = utf8_len(p))) {
			fwrite(p, 1, (size_t)n, f);
			p += n;
			continue;
		} else {
			fprintf(f, "\\u%04x", c);
		}
		p++;
	}
	fputc('"', f);
}

void json_out_us(FILE *f, long long ns)
{
	unsigned long long a = ns < 0 ? 0ull - (unsigned long long)ns : (unsigned long long)ns;

	fprintf(f, "%s%llu.%03llu", ns < 0 ? "-" : "", a / 1000, a % 1000);
}
