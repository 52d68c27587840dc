/* assay/json.h: writing JSON documents built with jansson.
 *
 * jansson builds the tree; this writer prints it with the shortest decimal
 * form of every double that parses back to the same bits (0.95 prints as
 * 0.95, not 0.94999999999999996), object keys in insertion order, and a
 * fixed layout, so equal documents are equal bytes. */
#ifndef ASSAY_JSON_H
#define ASSAY_JSON_H

#include <stdio.h>

#include <jansson.h>

/* d with the fewest significant digits that strtod reads back exactly
 * (as the first of %.15g, %.16g, %.17g to round-trip prints it: %g drops
 * trailing zeros); always with a '.' or an exponent so that it reads as a
 * real. buf >= 40 bytes.
 * NaN and infinities have no JSON form: callers must not pass them. */
void assay_json_format_double(double d, char *buf, size_t size);

/* Print s[0..n) (UTF-8) as a JSON string with the escapes JSON requires,
 * as assay_json_write does; for writers that stream large documents. */
int assay_json_write_string(const char *s, size_t n, FILE *out);

/* Print v with `indent` spaces per level (0: one line). Returns 0, or -1
 * when the stream fails. */
int assay_json_write(const json_t *v, FILE *out, int indent);

#endif
