/* utf8.c: UTF-8 validation of field bytes (RFC 3629).
 *
 * Accepts exactly the well-formed sequences of RFC 3629 section 4: no
 * overlong forms (C0, C1, E0 80..9F, F0 80..8F), no UTF-16 surrogates
 * (ED A0..BF), nothing above U+10FFFF (F4 90.., F5..FF). NUL is valid.
 *
 * Speed: CSV and JSONL data are mostly ASCII, so the loop tests eight
 * bytes at a time for a set high bit and only decodes when one is found.
 * The CSV fast path calls this only for rows whose bytes include a high
 * bit, so pure-ASCII files never get here.
 *
 * Does not: normalise, replace or transcode; the caller reports the
 * offset of the first bad sequence.
 */
#include <stdint.h>
#include <string.h>

#include "io.h"

/* Length of the well-formed sequence starting at p[0] (p[0] >= 0x80), or 0
 * when the bytes from p[0] are not a well-formed sequence. */
static size_t sequence_length(const unsigned char *p, size_t avail)
{
	unsigned char c = p[0];
	size_t need;
	unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
	if (c >= 0xC2 && c <= 0xDF) {
		need = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		if (c == 0xE0)
			lo = 0xA0; /* overlong */
		else if (c == 0xED)
			hi = 0x9F; /* surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		if (c == 0xF0)
			lo = 0x90; /* overlong */
		else if (c == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		return 0;
	}
	if (avail < need)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < need; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	return need;
}

size_t assay_io_utf8_check(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		while (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, p + i, 8);
			if (w & 0x8080808080808080ULL)
				break;
			i += 8;
		}
		while (i < n && p[i] < 0x80)
			i++;
		if (i >= n)
			break;
		size_t len = sequence_length(p + i, n - i);
		if (!len)
			return i;
		i += len;
	}
	return n;
}
