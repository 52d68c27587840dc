/* filter.c: row predicates for --where and --pred-from (assay/filter.h).
 *
 * A filter is a conjunction of terms `column op value(s)`. Values are
 * parsed once at compile time (as bytes and, when possible, as numbers),
 * so evaluating a row costs one field comparison per term. Missing
 * fields compare false for every operator, including != and not in,
 * which matches R's dplyr::filter (what ProPublica's COMPAS analysis used)
 * and SQL, and differs from pandas (where NaN != x is true).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "assay/filter.h"

enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_NOT_IN };

struct value {
	const char *s;
	size_t len;
	int is_num;
	double num;
};

struct term {
	size_t column;
	const char *colname;
	enum op op;
	size_t nvalues;
	struct value *values;
};

struct assay_filter {
	const char *expr, *what;
	size_t nterms;
	struct term *terms;
};

struct lexer {
	const char *p, *start, *expr, *what;
	struct assay_arena *arena;
	struct assay_error *err;
};

static void skip_space(struct lexer *lx)
{
	while (*lx->p && isspace((unsigned char)*lx->p))
		lx->p++;
}

static int fail(struct lexer *lx, const char *msg, const char *hint)
{
	assay_error_set(lx->err, ASSAY_EUSAGE, NULL, 0, 0, "%s \"%s\": %s at character %ld", lx->what,
	                lx->expr, msg, (long)(lx->p - lx->start) + 1);
	if (hint)
		assay_error_hint(lx->err, "%s", hint);
	return ASSAY_EUSAGE;
}

static const char *const HINT =
    "write `column op value`: op is == != < <= > >= in [a, b] or not in [a, b]; join terms with `and`";

/* A quoted span starting at lx->p (on the quote character). */
static int read_quoted(struct lexer *lx, const char **out, size_t *len)
{
	char q = *lx->p++;
	const char *s = lx->p;
	while (*lx->p && *lx->p != q)
		lx->p++;
	if (!*lx->p)
		return fail(lx, "unterminated quote", HINT);
	*out = s;
	*len = (size_t)(lx->p - s);
	lx->p++;
	return 0;
}

/* The span from s to lx->p, trimmed at the end; an error when empty. */
static int end_bare(struct lexer *lx, const char *s, const char **out, size_t *len, const char *what)
{
	const char *e = lx->p;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	if (e == s)
		return fail(lx, what, HINT);
	*out = s;
	*len = (size_t)(e - s);
	return 0;
}

/* A quoted string, or a bare word ending at one of `stop`. */
static int read_token(struct lexer *lx, const char **out, size_t *len, const char *stop)
{
	skip_space(lx);
	if (*lx->p == '\'' || *lx->p == '"')
		return read_quoted(lx, out, len);
	const char *s = lx->p;
	while (*lx->p && !strchr(stop, *lx->p))
		lx->p++;
	return end_bare(lx, s, out, len, "expected a value");
}

static int parse_value(struct lexer *lx, struct value *v, const char *stop)
{
	const char *s;
	size_t len;
	int rc = read_token(lx, &s, &len, stop);
	if (rc)
		return rc;
	v->s = assay_arena_strndup(lx->arena, s, len);
	v->len = len;
	v->is_num = assay_parse_double(s, len, &v->num) == 0;
	return v->s ? 0 : ASSAY_ENOMEM;
}

static int parse_op(struct lexer *lx, enum op *op)
{
	skip_space(lx);
	static const struct {
		const char *s;
		enum op op;
	} ops[] = {{"==", OP_EQ}, {"!=", OP_NE}, {"<=", OP_LE}, {">=", OP_GE},        {"<", OP_LT},
	           {">", OP_GT},  {"=", OP_EQ},  {"in", OP_IN}, {"not in", OP_NOT_IN}};
	for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
		size_t n = strlen(ops[i].s);
		if (strncmp(lx->p, ops[i].s, n) == 0 &&
		    (isalpha((unsigned char)ops[i].s[0]) ? !isalnum((unsigned char)lx->p[n]) : 1)) {
			*op = ops[i].op;
			lx->p += n;
			return 0;
		}
	}
	return fail(lx, "expected an operator", HINT);
}

/* Column names may contain spaces and punctuation; they end at an operator. */
static int parse_column(struct lexer *lx, const char **name, size_t *len)
{
	skip_space(lx);
	if (*lx->p == '\'' || *lx->p == '"' || *lx->p == '`')
		return read_quoted(lx, name, len);
	const char *s = lx->p;
	while (*lx->p && !strchr("=!<>", *lx->p) && strncmp(lx->p, " in ", 4) != 0 &&
	       strncmp(lx->p, " not in ", 8) != 0)
		lx->p++;
	return end_bare(lx, s, name, len, "expected a column name");
}

static int parse_list(struct lexer *lx, struct term *t)
{
	skip_space(lx);
	if (*lx->p != '[')
		return fail(lx, "expected [ after in", HINT);
	lx->p++;
	size_t cap = 8;
	t->values = assay_arena_alloc(lx->arena, cap * sizeof *t->values);
	for (;;) {
		skip_space(lx);
		if (*lx->p == ']' && t->nvalues == 0)
			return fail(lx, "empty list", HINT);
		if (t->nvalues == cap) {
			struct value *v = assay_arena_alloc(lx->arena, 2 * cap * sizeof *v);
			if (!v)
				return ASSAY_ENOMEM;
			memcpy(v, t->values, cap * sizeof *v);
			t->values = v;
			cap *= 2;
		}
		int rc = parse_value(lx, &t->values[t->nvalues++], ",]");
		if (rc)
			return rc;
		skip_space(lx);
		if (*lx->p == ',') {
			lx->p++;
			continue;
		}
		if (*lx->p == ']') {
			lx->p++;
			return 0;
		}
		return fail(lx, "expected , or ] in the list", HINT);
	}
}

static int at_and(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	if (strncmp(p, "&&", 2) == 0)
		return 1;
	return strncmp(p, "and", 3) == 0 && (isspace((unsigned char)p[3]) || !p[3]);
}

static void skip_and(struct lexer *lx)
{
	skip_space(lx);
	lx->p += strncmp(lx->p, "&&", 2) == 0 ? 2 : 3;
}

/* Value text ends at the end or at an `and`. */
static int parse_scalar(struct lexer *lx, struct value *v)
{
	skip_space(lx);
	if (*lx->p == '\'' || *lx->p == '"')
		return parse_value(lx, v, "");
	const char *s = lx->p, *out;
	while (*lx->p && !(isspace((unsigned char)lx->p[-1]) && at_and(lx->p - 1)) &&
	       strncmp(lx->p, "&&", 2) != 0)
		lx->p++;
	int rc = end_bare(lx, s, &out, &v->len, "expected a value");
	if (rc)
		return rc;
	v->s = assay_arena_strndup(lx->arena, out, v->len);
	v->is_num = assay_parse_double(out, v->len, &v->num) == 0;
	return v->s ? 0 : ASSAY_ENOMEM;
}

int assay_filter_compile(struct assay_filter **out, const char *expr, const char *what,
                         const struct assay_source *src, struct assay_arena *arena, struct assay_error *err)
{
	struct assay_filter *f = assay_arena_calloc(arena, 1, sizeof *f);
	if (!f)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	f->expr = assay_arena_strdup(arena, expr);
	f->what = what;
	struct lexer lx = {expr, expr, expr, what, arena, err};
	size_t cap = 4;
	f->terms = assay_arena_calloc(arena, cap, sizeof *f->terms);
	for (;;) {
		if (f->nterms == cap) {
			struct term *t = assay_arena_calloc(arena, 2 * cap, sizeof *t);
			memcpy(t, f->terms, cap * sizeof *t);
			f->terms = t;
			cap *= 2;
		}
		struct term *t = &f->terms[f->nterms++];
		const char *name;
		size_t len;
		int rc = parse_column(&lx, &name, &len);
		if (!rc)
			rc = parse_op(&lx, &t->op);
		if (!rc && (t->op == OP_IN || t->op == OP_NOT_IN))
			rc = parse_list(&lx, t);
		else if (!rc) {
			t->values = assay_arena_calloc(arena, 1, sizeof *t->values);
			t->nvalues = 1;
			rc = parse_scalar(&lx, t->values);
		}
		if (rc)
			return rc;
		t->colname = assay_arena_strndup(arena, name, len);
		long c = assay_source_column(src, t->colname, what, err);
		if (c < 0)
			return err->code;
		t->column = (size_t)c;
		if (t->op >= OP_LT && t->op <= OP_GE && !t->values[0].is_num) {
			lx.p = lx.start + strlen(lx.start);
			return fail(&lx, "ordering needs a number", "use == or in [..] to compare text");
		}
		skip_space(&lx);
		if (!*lx.p)
			break;
		if (!at_and(lx.p))
			return fail(&lx, "expected `and` or the end", HINT);
		skip_and(&lx);
	}
	*out = f;
	return 0;
}

static int value_eq(const struct value *v, const struct assay_field *fd, int fnum_ok, double fnum)
{
	if (v->is_num && fnum_ok)
		return fnum == v->num;
	return fd->len == v->len && memcmp(fd->p, v->s, v->len) == 0;
}

int assay_filter_eval(const struct assay_filter *f, const struct assay_source *src,
                      const struct assay_row *row, struct assay_error *err)
{
	for (size_t i = 0; i < f->nterms; i++) {
		const struct term *t = &f->terms[i];
		const struct assay_field *fd = &row->fields[t->column];
		if (assay_source_is_na(src, fd))
			return 0;
		double x = 0;
		int num_ok = assay_parse_double(fd->p, fd->len, &x) == 0;
		int ok = 0;
		switch (t->op) {
		case OP_EQ:
			ok = value_eq(&t->values[0], fd, num_ok, x);
			break;
		case OP_NE:
			ok = !value_eq(&t->values[0], fd, num_ok, x);
			break;
		case OP_IN:
		case OP_NOT_IN:
			for (size_t k = 0; k < t->nvalues && !ok; k++)
				ok = value_eq(&t->values[k], fd, num_ok, x);
			if (t->op == OP_NOT_IN)
				ok = !ok;
			break;
		default:
			if (!num_ok)
				return assay_error_set(
				    err, ASSAY_EINPUT, NULL, row->line, fd->column,
				    "%s \"%s\": expected a number in column \"%s\", found \"%.*s\"", f->what,
				    f->expr, t->colname, (int)(fd->len > 40 ? 40 : fd->len), fd->p);
			double v = t->values[0].num;
			ok = t->op == OP_LT   ? x < v
			     : t->op == OP_LE ? x <= v
			     : t->op == OP_GT ? x > v
			                      : x >= v;
		}
		if (!ok)
			return 0;
	}
	return 1;
}

size_t assay_filter_columns_end(const struct assay_filter *f)
{
	size_t end = 0;
	for (size_t i = 0; i < f->nterms; i++)
		if (f->terms[i].column + 1 > end)
			end = f->terms[i].column + 1;
	return end;
}
