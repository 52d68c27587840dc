/* canonjson.c: RFC 8785 JSON Canonicalization Scheme (assay/canonjson.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay/canonjson.h"
#include "assay/hash.h"
#include "assay/strbuf.h"

/* ECMAScript Number::toString (ECMA-262 7.1.12.1) of d: the shortest
 * digits that read back as d (correctly rounded at each precision, which
 * is also the closest), laid out by the exponent. */
int assay_canonjson_number(double d, char *buf, size_t size)
{
	if (isnan(d) || isinf(d))
		return -1;
	if (d == 0) {
		snprintf(buf, size, "0");
		return 0;
	}
	char tmp[40];
	int k = 0;
	for (int p = 1; p <= 17; p++) {
		snprintf(tmp, sizeof tmp, "%.*e", p - 1, d);
		if (strtod(tmp, NULL) == d) {
			k = p;
			break;
		}
	}
	if (!k)
		return -1; /* not reached: 17 digits always round-trip */
	/* tmp = [-]d[.ddd]e[+-]xx: collect the digits and the exponent */
	const char *q = tmp;
	int neg = 0;
	if (*q == '-') {
		neg = 1;
		q++;
	}
	char dig[20];
	int nd = 0;
	for (; *q && *q != 'e'; q++)
		if (*q >= '0' && *q <= '9')
			dig[nd++] = *q;
	dig[nd] = '\0';
	int e = atoi(q + 1);
	while (nd > 1 && dig[nd - 1] == '0') /* %.*e may pad with zeros */
		dig[--nd] = '\0';
	k = nd;
	int n = e + 1; /* value = 0.dig * 10^n */
	char out[64];
	size_t o = 0;
	if (neg)
		out[o++] = '-';
	if (k <= n && n <= 21) {
		memcpy(out + o, dig, (size_t)k);
		o += (size_t)k;
		for (int i = 0; i < n - k; i++)
			out[o++] = '0';
	} else if (0 < n && n <= 21) {
		memcpy(out + o, dig, (size_t)n);
		o += (size_t)n;
		out[o++] = '.';
		memcpy(out + o, dig + n, (size_t)(k - n));
		o += (size_t)(k - n);
	} else if (-6 < n && n <= 0) {
		out[o++] = '0';
		out[o++] = '.';
		for (int i = 0; i < -n; i++)
			out[o++] = '0';
		memcpy(out + o, dig, (size_t)k);
		o += (size_t)k;
	} else {
		out[o++] = dig[0];
		if (k > 1) {
			out[o++] = '.';
			memcpy(out + o, dig + 1, (size_t)(k - 1));
			o += (size_t)(k - 1);
		}
		o += (size_t)snprintf(out + o, sizeof out - o, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
	}
	out[o] = '\0';
	if (o + 1 > size)
		return -1;
	memcpy(buf, out, o + 1);
	return 0;
}

static void put_string(struct assay_strbuf *b, const char *s, size_t n)
{
	assay_strbuf_put(b, "\"", 1);
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[8];
		switch (c) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		default:
			if (c < 0x20) {
				snprintf(u, sizeof u, "\\u%04x", c);
				esc = u;
			}
		}
		if (esc) {
			assay_strbuf_put(b, s + start, i - start);
			assay_strbuf_puts(b, esc);
			start = i + 1;
		}
	}
	assay_strbuf_put(b, s + start, n - start);
	assay_strbuf_put(b, "\"", 1);
}

/* Next UTF-16 code unit of a UTF-8 string: *pending carries the low
 * surrogate of a supplementary character. -1 at the end. */
static int next_u16(const unsigned char **p, const unsigned char *end, unsigned *pending)
{
	if (*pending) {
		unsigned v = *pending;
		*pending = 0;
		return (int)v;
	}
	if (*p >= end)
		return -1;
	unsigned c = *(*p)++;
	unsigned cp;
	int more;
	if (c < 0x80) {
		cp = c;
		more = 0;
	} else if (c < 0xE0) {
		cp = c & 0x1F;
		more = 1;
	} else if (c < 0xF0) {
		cp = c & 0x0F;
		more = 2;
	} else {
		cp = c & 0x07;
		more = 3;
	}
	while (more-- > 0 && *p < end)
		cp = cp << 6 | (*(*p)++ & 0x3F);
	if (cp >= 0x10000) {
		cp -= 0x10000;
		*pending = 0xDC00 | (cp & 0x3FF);
		return (int)(0xD800 | (cp >> 10));
	}
	return (int)cp;
}

struct member {
	const char *key;
	size_t len;
	json_t *value;
};

static int cmp_utf16(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	const unsigned char *p = (const unsigned char *)x->key, *pe = p + x->len;
	const unsigned char *q = (const unsigned char *)y->key, *qe = q + y->len;
	unsigned pp = 0, qp = 0;
	for (;;) {
		int u = next_u16(&p, pe, &pp), v = next_u16(&q, qe, &qp);
		if (u != v)
			return u < v ? -1 : 1; /* -1 (end) sorts first */
		if (u < 0)
			return 0;
	}
}

static int emit(struct assay_strbuf *b, const json_t *v, struct assay_error *err, int depth)
{
	if (depth > 512)
		return assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0, "JSON nested deeper than 512 levels");
	char num[40];
	switch (json_typeof(v)) {
	case JSON_NULL:
		assay_strbuf_puts(b, "null");
		return 0;
	case JSON_TRUE:
		assay_strbuf_puts(b, "true");
		return 0;
	case JSON_FALSE:
		assay_strbuf_puts(b, "false");
		return 0;
	case JSON_INTEGER: {
		json_int_t i = json_integer_value(v);
		if (i > 9007199254740992LL || i < -9007199254740992LL)
			return assay_error_set(
			    err, ASSAY_EINPUT, NULL, 0, 0,
			    "integer %lld is beyond 2^53: JSON canonical form cannot hold it exactly",
			    (long long)i);
		snprintf(num, sizeof num, "%lld", (long long)i);
		assay_strbuf_puts(b, num);
		return 0;
	}
	case JSON_REAL:
		if (assay_canonjson_number(json_real_value(v), num, sizeof num))
			return assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0,
			                       "NaN or infinity has no JSON form");
		assay_strbuf_puts(b, num);
		return 0;
	case JSON_STRING:
		put_string(b, json_string_value(v), json_string_length(v));
		return 0;
	case JSON_ARRAY: {
		assay_strbuf_put(b, "[", 1);
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				assay_strbuf_put(b, ",", 1);
			int rc = emit(b, json_array_get(v, i), err, depth + 1);
			if (rc)
				return rc;
		}
		assay_strbuf_put(b, "]", 1);
		return 0;
	}
	case JSON_OBJECT: {
		size_t n = json_object_size(v);
		struct member *m = calloc(n ? n : 1, sizeof *m);
		if (!m)
			return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		size_t i = 0;
		const char *key;
		json_t *val;
		void *iter = json_object_iter((json_t *)v);
		while (iter && i < n) {
			key = json_object_iter_key(iter);
			val = json_object_iter_value(iter);
			m[i].key = key;
			m[i].len = strlen(key);
			m[i].value = val;
			i++;
			iter = json_object_iter_next((json_t *)v, iter);
		}
		qsort(m, i, sizeof *m, cmp_utf16);
		assay_strbuf_put(b, "{", 1);
		int rc = 0;
		for (size_t j = 0; j < i && !rc; j++) {
			if (j)
				assay_strbuf_put(b, ",", 1);
			put_string(b, m[j].key, m[j].len);
			assay_strbuf_put(b, ":", 1);
			rc = emit(b, m[j].value, err, depth + 1);
		}
		free(m);
		assay_strbuf_put(b, "}", 1);
		return rc;
	}
	}
	return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0, "unknown JSON type");
}

char *assay_canonjson(const json_t *v, size_t *len, struct assay_error *err)
{
	struct assay_strbuf b = {0};
	if (!v) {
		assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0, "no JSON value to canonicalize");
		return NULL;
	}
	int rc = emit(&b, v, err, 0);
	if (!rc && b.oom)
		rc = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	if (!rc && !b.p)
		rc = assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0, "empty canonical JSON");
	if (rc) {
		free(b.p);
		return NULL;
	}
	if (len)
		*len = b.n;
	return b.p;
}

char *assay_canonjson_text(const char *text, size_t n, size_t *len, struct assay_error *err)
{
	json_error_t je;
	json_t *v = json_loadb(
	    text, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL,
	    &je);
	if (!v) {
		assay_error_set(err, ASSAY_EINPUT, NULL, (uint64_t)je.line, (uint64_t)je.column, "JSON: %s",
		                je.text);
		return NULL;
	}
	char *s = assay_canonjson(v, len, err);
	json_decref(v);
	return s;
}

int assay_canonjson_sha256(const json_t *v, char out[65], struct assay_error *err)
{
	size_t n;
	char *s = assay_canonjson(v, &n, err);
	if (!s)
		return err->code ? err->code : ASSAY_EINTERNAL;
	assay_sha256_hex(s, n, out);
	free(s);
	return 0;
}
