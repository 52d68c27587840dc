/* error.c: located error values (assay/error.h) and "did you mean".
 *
 * The suggestion uses the Levenshtein distance and is offered only when
 * the distance is at most a third of the longer name (plus one), so that
 * "scroe" suggests "score" but "x" does not suggest "sex".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay/error.h"

void assay_error_clear(struct assay_error *err)
{
	if (!err)
		return;
	memset(err, 0, sizeof *err);
}

int assay_error_set(struct assay_error *err, int code, const char *file, uint64_t line, uint64_t column,
                    const char *fmt, ...)
{
	if (!err)
		return code;
	err->code = code;
	snprintf(err->file, sizeof err->file, "%s", file ? file : "");
	err->line = line;
	err->column = column;
	err->hint[0] = '\0';
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	return code;
}

void assay_error_hint(struct assay_error *err, const char *fmt, ...)
{
	if (!err)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->hint, sizeof err->hint, fmt, ap);
	va_end(ap);
}

size_t assay_error_format(const struct assay_error *err, char *buf, size_t size)
{
	char loc[600] = "";
	if (err->file[0] && err->line && err->column)
		snprintf(loc, sizeof loc, "%s:%llu:%llu: ", err->file, (unsigned long long)err->line,
		         (unsigned long long)err->column);
	else if (err->file[0] && err->line)
		snprintf(loc, sizeof loc, "%s:%llu: ", err->file, (unsigned long long)err->line);
	else if (err->file[0])
		snprintf(loc, sizeof loc, "%s: ", err->file);
	int n;
	if (err->hint[0])
		n = snprintf(buf, size, "%s%s\n  hint: %s\n", loc, err->message, err->hint);
	else
		n = snprintf(buf, size, "%s%s\n", loc, err->message);
	return n < 0 ? 0 : (size_t)n;
}

int assay_error_exit_code(const struct assay_error *err)
{
	switch (err->code) {
	case ASSAY_OK:
		return 0;
	case ASSAY_EUSAGE:
	case ASSAY_EINPUT:
	case ASSAY_EIO:
		return 2;
	default:
		return 3;
	}
}

/* Two-row Levenshtein distance; names are short (column names, options). */
static size_t levenshtein(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 255 || lb > 255)
		return (size_t)-1;
	size_t prev[256], cur[256];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof *prev);
	}
	return prev[lb];
}

const char *assay_did_you_mean(const char *name, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		size_t d = levenshtein(name, candidates[i]);
		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	if (!best)
		return NULL;
	size_t longer = strlen(name) > strlen(best) ? strlen(name) : strlen(best);
	return best_d <= longer / 3 + 1 && best_d < longer ? best : NULL;
}
