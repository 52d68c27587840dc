/* decode.c: the decoding pass: base64 (RFC 4648, standard and URL-safe
 * alphabets, padding optional) and hex runs are decoded so that a key or
 * an instruction wrapped in an encoding is scanned too.
 *
 * A run is rescanned only when it decodes to text: at least 90% printable
 * ASCII or whitespace (hashes, compressed data and images decode to
 * binary and are skipped). Decoding is one level deep; rot13 is handled
 * by compiling rot13 variants of the injection phrases (patterns.c),
 * which costs nothing at scan time.
 */
#include "scan_internal.h"

static int b64(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

static int printable(unsigned char c)
{
	return (c >= 0x20 && c < 0x7F) || c == '\n' || c == '\r' || c == '\t';
}

static long textual(const char *out, size_t n)
{
	if (n == 0)
		return -1;
	size_t ok = 0;
	for (size_t i = 0; i < n; i++)
		ok += printable((unsigned char)out[i]);
	return ok * 10 >= n * 9 ? (long)n : -1;
}

/* Decoding stops as soon as textual() must fail: once more than a tenth
 * of the most bytes the run can give (nmax) are not printable, a tenth of
 * what it gives cannot be printable either. Most runs of text are words
 * and paths that decode to binary within a few bytes (~15,000 runs per
 * 100 MB of the bench prose, 2.7 -> 1.3 ms with the prefetch in match.c,
 * and ~1% of the samples before this). */
#define TOO_MANY(bad, nmax) ((bad)*10 > (nmax))

long scan_decode_b64(const char *s, size_t len, char *out, size_t cap)
{
	size_t n = 0, bad = 0, nmax = len / 4 * 3 + (len % 4 * 6) / 8;
	unsigned acc = 0;
	int bits = 0;
	if (nmax > cap)
		nmax = cap;
	for (size_t i = 0; i < len && n < cap; i++) {
		int v = b64((unsigned char)s[i]);
		if (v < 0) {
			if (s[i] == '=')
				break;
			return -1;
		}
		acc = (acc << 6 | (unsigned)v) & 0xFFFFFF;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n] = (char)(acc >> bits & 0xFF);
			bad += !printable((unsigned char)out[n++]);
			if (TOO_MANY(bad, nmax))
				return -1;
		}
	}
	return textual(out, n);
}

static int hexv(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

long scan_decode_hex(const char *s, size_t len, char *out, size_t cap)
{
	size_t n = 0, bad = 0, nmax = len / 2 < cap ? len / 2 : cap;
	for (size_t i = 0; i + 1 < len && n < cap; i += 2) {
		int a = hexv((unsigned char)s[i]), b = hexv((unsigned char)s[i + 1]);
		if (a < 0 || b < 0)
			return -1;
		out[n] = (char)(a << 4 | b);
		bad += !printable((unsigned char)out[n++]);
		if (TOO_MANY(bad, nmax))
			return -1;
	}
	return textual(out, n);
}
