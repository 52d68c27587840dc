/* assay/canonjson.h: RFC 8785 JSON Canonicalization Scheme (JCS).
 *
 * The bytes that the audit chain hashes and that signatures cover:
 *  - object members sorted by their names as arrays of UTF-16 code units,
 *    at every level; no whitespace;
 *  - numbers as ECMAScript's Number.prototype.toString prints the IEEE
 *    double (shortest round-trip digits; 1e+21, 0.000001, 1e-7, -0 -> 0);
 *    integers are doubles too, so their magnitude must be below 2^53 to be
 *    exact (larger ones are an error rather than a silent rounding);
 *  - strings with only the escapes JSON requires: \" \\ \b \f \n \r \t and
 *    \u00xx (lower-case hex) for the other control characters; everything
 *    else, non-ASCII included, as UTF-8.
 * NaN and infinities have no JSON form and are errors. */
#ifndef ASSAY_CANONJSON_H
#define ASSAY_CANONJSON_H

#include <stddef.h>

#include <jansson.h>

#include "assay/error.h"

/* The canonical form of v, malloc'd and NUL-terminated (free() it), with
 * its length in *len when len is not NULL. NULL and err set on failure. */
char *assay_canonjson(const json_t *v, size_t *len, struct assay_error *err);
/* Parse JSON text (I-JSON: duplicate names are an error) and canonicalize. */
char *assay_canonjson_text(const char *text, size_t n, size_t *len, struct assay_error *err);
/* d as ECMAScript prints it; buf >= 32 bytes. 0, or -1 for NaN/infinity. */
int assay_canonjson_number(double d, char *buf, size_t size);
/* sha256 (hex) of the canonical form of v; 0 or an error. */
int assay_canonjson_sha256(const json_t *v, char out[65], struct assay_error *err);

#endif
