/* assay/error.h: errors as values.
 *
 * Every library function that can fail returns an int (0 on success, a
 * negative ASSAY_E* code otherwise) and fills a caller-owned struct
 * assay_error with a located, actionable message:
 *
 *     data.csv:1043:7: expected a number in column "score", found "n/a"
 *       hint: add --na n/a, or fix the row
 *
 * The library never prints and never exits; front ends render the error
 * and map the code to an exit status with assay_error_exit_code().
 */
#ifndef ASSAY_ERROR_H
#define ASSAY_ERROR_H

#include <stddef.h>
#include <stdint.h>

enum assay_code {
	ASSAY_OK = 0,
	ASSAY_EUSAGE = -1,    /* bad arguments or options          -> exit 2 */
	ASSAY_EINPUT = -2,    /* bad input data or plan file        -> exit 2 */
	ASSAY_EIO = -3,       /* cannot read or write a file        -> exit 2 */
	ASSAY_ENOMEM = -4,    /* out of memory                      -> exit 3 */
	ASSAY_EINTERNAL = -5, /* a bug: an invariant did not hold   -> exit 3 */
};

struct assay_error {
	int code;           /* enum assay_code, 0 when no error */
	char file[512];     /* input the error is about, "" if none */
	uint64_t line;      /* 1-based, 0 if not about a line */
	uint64_t column;    /* 1-based byte column, 0 if unknown */
	char message[1024]; /* what was expected and what was found */
	char hint[512];     /* what to do about it, "" if nothing useful */
};

/* Reset to "no error". */
void assay_error_clear(struct assay_error *err);

/* Fill err and return code (so callers can `return assay_error_set(...)`).
 * file may be NULL; line/column 0 when unknown. */
int assay_error_set(struct assay_error *err, int code, const char *file, uint64_t line, uint64_t column,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Set or replace the hint of an error already set. */
void assay_error_hint(struct assay_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Render as "file:line:column: message\n  hint: ...\n" into buf (always
 * NUL-terminated). Returns the length that would have been written. */
size_t assay_error_format(const struct assay_error *err, char *buf, size_t size);

/* 2 for usage/input/io errors, 3 for internal and out-of-memory, 0 for none. */
int assay_error_exit_code(const struct assay_error *err);

/* Levenshtein-closest candidate to `name` among `candidates`, or NULL when
 * none is close enough to suggest ("did you mean"). */
const char *assay_did_you_mean(const char *name, const char *const *candidates, size_t n);

#endif
