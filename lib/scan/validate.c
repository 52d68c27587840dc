/* validate.c: validators that confirm a pattern match is the entity it
 * looks like.
 *
 *   card   Luhn (ISO/IEC 7812-1 check digit) + issuer prefix and length
 *          from the public IIN ranges of the major networks
 *   iban   ISO 13616: country code, per-country length (SWIFT IBAN
 *          registry), check digits by ISO 7064 mod 97-10 on the exact span;
 *          spaces between groups are allowed and skipped
 *   ssn    SSA rules: area not 000, 666 or 900-999; group not 00; serial
 *          not 0000
 *   ipv4/6 inet_pton syntax (dotted quad without leading zeros)
 *   email  RFC 5321 shape: dot-atom local part, LDH labels, alphabetic TLD
 *   phone  7..15 digits (E.164 maximum), not all the same digit
 *   date   a real calendar date with a year in 1900..2100
 *   jwt    the first segment is base64url JSON with an "alg" member
 *
 * They take the matched bytes (ASCII after normalisation) and return 1 or
 * 0. They deliberately do not decide context or confidence (see match.c).
 */
#include <arpa/inet.h>
#include <math.h>
#include <string.h>

#include "assay/scan.h"
#include "scan_internal.h"

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int digits_of(const char *s, size_t len, char *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (is_digit(s[i])) {
			if (n == cap)
				return -1;
			out[n++] = s[i];
		} else if (s[i] != ' ' && s[i] != '-' && s[i] != '.') {
			return -1;
		}
	}
	return (int)n;
}

int assay_valid_luhn(const char *s, size_t len)
{
	char d[32];
	int n = digits_of(s, len, d, sizeof d);
	if (n < 2)
		return 0;
	int sum = 0;
	for (int i = n - 1, k = 0; i >= 0; i--, k++) {
		int v = d[i] - '0';
		if (k & 1) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return sum % 10 == 0;
}

/* Issuer ranges: prefix interval [lo, hi] on the first `width` digits and
 * the allowed lengths (bit n set = n digits allowed). */
struct iin {
	unsigned width, lo, hi;
	uint32_t lengths;
};

#define L(n) (1u << (n))
static const struct iin IINS[] = {
    {1, 4, 4, L(13) | L(16) | L(19)}, /* Visa */
    {2, 51, 55, L(16)},               /* Mastercard */
    {4, 2221, 2720, L(16)},           /* Mastercard 2-series */
    {2, 34, 34, L(15)},
    {2, 37, 37, L(15)},                                   /* American Express */
    {4, 6011, 6011, L(16) | L(17) | L(18) | L(19)},       /* Discover */
    {3, 644, 649, L(16) | L(17) | L(18) | L(19)},         /* Discover */
    {2, 65, 65, L(16) | L(17) | L(18) | L(19)},           /* Discover */
    {3, 300, 305, L(14) | L(16) | L(17) | L(18) | L(19)}, /* Diners Club */
    {2, 36, 36, L(14) | L(16) | L(17) | L(18) | L(19)},   /* Diners Club */
    {2, 38, 39, L(14) | L(16) | L(17) | L(18) | L(19)},   /* Diners Club */
    {4, 3528, 3589, L(16) | L(17) | L(18) | L(19)},       /* JCB */
    {4, 1800, 1800, L(15)},
    {4, 2131, 2131, L(15)},                         /* JCB (old 15-digit) */
    {2, 62, 62, L(16) | L(17) | L(18) | L(19)},     /* UnionPay */
    {4, 2200, 2204, L(16) | L(17) | L(18) | L(19)}, /* Mir */
    {2, 50, 50, 0xFF000u},                          /* Maestro: 12..19 */
    {2, 56, 69, 0xFF000u},                          /* Maestro: 12..19 */
};
#undef L

int assay_valid_card(const char *s, size_t len)
{
	char d[32];
	int n = digits_of(s, len, d, sizeof d);
	if (n < 12 || n > 19 || !assay_valid_luhn(s, len))
		return 0;
	for (size_t i = 0; i < sizeof IINS / sizeof IINS[0]; i++) {
		unsigned p = 0;
		for (unsigned k = 0; k < IINS[i].width; k++)
			p = p * 10 + (unsigned)(d[k] - '0');
		if (p >= IINS[i].lo && p <= IINS[i].hi && (IINS[i].lengths >> n & 1u))
			return 1;
	}
	return 0;
}

/* IBAN length per country (ISO 13616 registry). */
static const struct {
	char cc[3];
	unsigned char len;
} IBAN_LEN[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
    {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24},
    {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18},
    {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27},
    {"GT", 28}, {"HN", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26},
    {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20},
    {"LU", 20}, {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20},
    {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24},
    {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24},
    {"SC", 31}, {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"SO", 23}, {"ST", 25},
    {"SV", 28}, {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20},
    {"YE", 30},
};

static char upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
}

/* IBAN_CC[a] bit b: the letters A + a, A + b are a country of IBAN_LEN
 * (a bit set per row of the table above, written out so that the sweep's
 * test is one load; it ran a linear search over the table per digit run
 * after two letters, 1.3 percent of a scan of the bench prose). */
static const uint32_t IBAN_CC[26] = {
    0x2080818, 0x10201d1, 0x3020080, 0x0004610, 0x0040050, 0x0024500, 0x00a0912, 0x0122000, 0x00d0810,
    0x0004000, 0x2400000, 0x1380106, 0x01a241c, 0x0004900, 0x0001000, 0x00c0c00, 0x0000001, 0x0144000,
    0x028551d, 0x0022800, 0x0000001, 0x0000041, 0x0000000, 0x0000400, 0x0000010, 0x0000000};

int scan_iban_country(char a, char b)
{
	unsigned x = (unsigned)((a | 0x20) - 'a'), y = (unsigned)((b | 0x20) - 'a');
	return x < 26 && y < 26 && ((IBAN_CC[x] >> y) & 1);
}

int assay_valid_iban(const char *s, size_t len)
{
	char b[40];
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		char c = upper(s[i]);
		if (c == ' ')
			continue;
		if (!((c >= 'A' && c <= 'Z') || is_digit(c)) || n == sizeof b)
			return 0;
		b[n++] = c;
	}
	if (n < 15 || !(b[0] >= 'A' && b[0] <= 'Z') || !(b[1] >= 'A' && b[1] <= 'Z') || !is_digit(b[2]) ||
	    !is_digit(b[3]))
		return 0;
	size_t want = 0;
	for (size_t i = 0; i < sizeof IBAN_LEN / sizeof IBAN_LEN[0]; i++)
		if (IBAN_LEN[i].cc[0] == b[0] && IBAN_LEN[i].cc[1] == b[1])
			want = IBAN_LEN[i].len;
	if (want != n)
		return 0;
	/* Move the first four characters to the end, letters -> 10..35, mod 97. */
	unsigned r = 0;
	for (size_t k = 0; k < n; k++) {
		char c = b[(k + 4) % n];
		if (is_digit(c))
			r = (r * 10 + (unsigned)(c - '0')) % 97;
		else
			r = (r * 100 + (unsigned)(c - 'A' + 10)) % 97;
	}
	return r == 1;
}

int assay_valid_us_ssn(const char *s, size_t len)
{
	char d[16];
	int n = digits_of(s, len, d, sizeof d);
	if (n != 9)
		return 0;
	int area = (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0');
	int group = (d[3] - '0') * 10 + (d[4] - '0');
	int serial = (d[5] - '0') * 1000 + (d[6] - '0') * 100 + (d[7] - '0') * 10 + (d[8] - '0');
	if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0)
		return 0;
	/* The same digit nine times (111-11-1111) and the classic advertising
	 * number are placeholders, not people. */
	int same = 1;
	for (int i = 1; i < 9; i++)
		same &= d[i] == d[0];
	if (same || memcmp(d, "078051120", 9) == 0 || memcmp(d, "123456789", 9) == 0)
		return 0;
	return 1;
}

int assay_valid_ipv4(const char *s, size_t len)
{
	char b[16];
	if (len >= sizeof b)
		return 0;
	memcpy(b, s, len);
	b[len] = 0;
	unsigned char out[4];
	return inet_pton(AF_INET, b, out) == 1;
}

int assay_valid_ipv6(const char *s, size_t len)
{
	char b[48];
	if (len >= sizeof b || len < 3)
		return 0;
	memcpy(b, s, len);
	b[len] = 0;
	unsigned char out[16];
	if (inet_pton(AF_INET6, b, out) != 1)
		return 0;
	/* "::" alone or "1::" are syntax, not addresses anyone leaks. */
	int nz = 0;
	for (int i = 0; i < 16; i++)
		nz += out[i] != 0;
	return nz >= 2;
}

static int is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int assay_valid_email(const char *s, size_t len)
{
	const char *at = memchr(s, '@', len);
	if (!at || at == s || len > 254)
		return 0;
	size_t ll = (size_t)(at - s);
	if (ll > 64 || s[0] == '.' || s[ll - 1] == '.')
		return 0;
	for (size_t i = 1; i < ll; i++)
		if (s[i] == '.' && s[i - 1] == '.')
			return 0;
	const char *d = at + 1, *end = s + len;
	if (d >= end)
		return 0;
	size_t labels = 0;
	const char *lab = d, *last = d;
	for (const char *p = d;; p++) {
		if (p == end || *p == '.') {
			size_t l = (size_t)(p - lab);
			if (l == 0 || l > 63 || lab[0] == '-' || p[-1] == '-')
				return 0;
			labels++;
			last = lab;
			if (p == end)
				break;
			lab = p + 1;
		} else if (!is_alnum(*p) && *p != '-') {
			return 0;
		}
	}
	if (labels < 2 || end - last < 2)
		return 0;
	for (const char *p = last; p < end; p++)
		if (is_digit(*p) || *p == '-')
			return 0;
	return 1;
}

int assay_valid_phone(const char *s, size_t len)
{
	int nd = 0, first = -1, allsame = 1, seps = 0;
	for (size_t i = 0; i < len; i++) {
		if (is_digit(s[i])) {
			if (first < 0)
				first = s[i];
			else if (s[i] != first)
				allsame = 0;
			nd++;
		} else if (s[i] == 'x' || s[i] == 'X') {
			break; /* extension digits do not count */
		} else {
			seps++;
		}
	}
	return nd >= 7 && nd <= 15 && !allsame;
}

static int num(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int days_in(int y, int m)
{
	static const int D[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return D[m - 1];
}

static int month_name(const char *s, size_t n)
{
	static const char *const M[] = {"jan", "feb", "mar", "apr", "may", "jun",
	                                "jul", "aug", "sep", "oct", "nov", "dec"};
	if (n < 3)
		return -1;
	for (int i = 0; i < 12; i++) {
		int ok = 1;
		for (int k = 0; k < 3; k++)
			ok &= (s[k] | 0x20) == M[i][k];
		if (ok)
			return i + 1;
	}
	return -1;
}

/* Split into up to three fields of digits or letters. */
int assay_valid_date(const char *s, size_t len)
{
	const char *f[4];
	size_t fl[4];
	int nf = 0;
	size_t i = 0;
	while (i < len && nf < 4) {
		while (i < len && !is_alnum(s[i]))
			i++;
		if (i == len)
			break;
		size_t st = i;
		int dig = is_digit(s[i]);
		while (i < len && is_alnum(s[i]) && (is_digit(s[i]) == dig))
			i++;
		if (!dig && i - st <= 2 && nf > 0) /* ordinal suffix: 1st, 2nd */
			continue;
		f[nf] = s + st;
		fl[nf++] = i - st;
	}
	if (nf != 3)
		return 0;
	int y = -1, m = -1, d = -1;
	int a = num(f[0], fl[0]), b = num(f[1], fl[1]), c = num(f[2], fl[2]);
	if (fl[0] == 4 && a >= 0) { /* yyyy-mm-dd */
		y = a, m = b, d = c;
	} else if (a < 0) { /* Month d, yyyy */
		m = month_name(f[0], fl[0]), d = b, y = c;
	} else if (b < 0) { /* d Month yyyy */
		d = a, m = month_name(f[1], fl[1]), y = c;
	} else { /* dd/mm/yyyy or mm/dd/yyyy: either reading will do */
		y = c;
		if (a > 12) {
			d = a, m = b;
		} else {
			m = a, d = b;
			if (d > 12 && m <= 12) {
			} else if (b <= 12 && a <= 31 && m >= 1 && d > days_in(2000, m)) {
				d = a, m = b;
			}
		}
	}
	if (y >= 0 && y < 100 && (fl[2] == 2 || fl[0] == 2))
		y += y < 30 ? 2000 : 1900;
	if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= days_in(y, m);
}

static int b64url_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (is_digit(c))
		return c - '0' + 52;
	if (c == '-' || c == '+')
		return 62;
	if (c == '_' || c == '/')
		return 63;
	return -1;
}

int assay_valid_jwt(const char *s, size_t len)
{
	const char *dot = memchr(s, '.', len);
	if (!dot)
		return 0;
	char hdr[256];
	size_t n = 0;
	unsigned acc = 0;
	int bits = 0;
	for (const char *p = s; p < dot && n < sizeof hdr - 1; p++) {
		int v = b64url_val(*p);
		if (v < 0)
			return 0;
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			hdr[n++] = (char)(acc >> bits & 0xFF);
		}
	}
	hdr[n] = 0;
	return n > 0 && hdr[0] == '{' && strstr(hdr, "\"alg\"") != NULL;
}

double assay_entropy(const char *s, size_t len)
{
	if (len == 0)
		return 0;
	unsigned cnt[256] = {0};
	for (size_t i = 0; i < len; i++)
		cnt[(unsigned char)s[i]]++;
	double h = 0;
	for (int i = 0; i < 256; i++)
		if (cnt[i]) {
			double p = (double)cnt[i] / (double)len;
			h -= p * log2(p);
		}
	return h;
}
