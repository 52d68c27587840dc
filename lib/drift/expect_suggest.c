/* expect_suggest.c: `assay check --suggest`: draft an expectations file
 * from one scan of the data, or from a stored profile (assay/profile.h).
 *
 * Per column it learns: the narrowest type every present value fits
 * (integer, numeric, boolean, timestamp, else string), whether anything
 * is missing, min and max of the numbers, the distinct values while there
 * are at most max_set + 1 of them, and whether every present value is
 * distinct (a hash set that is dropped at the first repeat, so only key
 * columns cost memory). From a profile the same facts come from its
 * counts, min/max and exact maps; a column past the profile's cap gets
 * only what its counts and range support. Each suggestion is printed with a comment saying
 * what in the data it came from, because a draft contract must be read
 * before it is trusted.
 *
 * It deliberately suggests no aggregate bounds (mean, quantiles): those
 * are choices about tolerated change, not facts of one dataset. Sensitive
 * columns get no in_set, which would copy their values into the file.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "assay/profile.h"
#include "expect_internal.h"

struct scol {
	uint64_t present, missing;
	int not_int, not_num, not_bool, not_time;
	double min, max;
	size_t minlen, maxlen;
	int many;                    /* more than max_set distinct values */
	struct expect_str_set small; /* distinct values while !many */
	int dup;                     /* a present value repeats */
	struct expect_str_set all;   /* every distinct value while !dup */
	int sensitive;
	int no_len; /* lengths unknown (a profile past its cap) */
};

struct sctx {
	const struct assay_source *src;
	const char *const *names;
	size_t ncols, max_set;
	struct scol *c;
	struct assay_arena arena;
	uint64_t rows;
	int oom;
};

static int is_bool(const char *p, size_t n)
{
	static const char *const w[] = {"true", "false", "yes", "no"};
	for (size_t i = 0; i < 4; i++)
		if (strlen(w[i]) == n && strncasecmp(w[i], p, n) == 0)
			return 1;
	return 0;
}

static void free_set(struct expect_str_set *s)
{
	free(s->slot);
	memset(s, 0, sizeof *s);
}

static int on_row(void *vctx, const struct assay_row *row, struct assay_error *err)
{
	struct sctx *x = vctx;
	x->rows++;
	for (size_t i = 0; i < x->ncols; i++) {
		const struct assay_field *f = &row->fields[i];
		struct scol *c = &x->c[i];
		if (assay_source_is_na(x->src, f)) {
			c->missing++;
			continue;
		}
		double d;
		int64_t t;
		if (!c->not_num && assay_parse_double(f->p, f->len, &d) == 0 && isfinite(d)) {
			if (!c->present || d < c->min)
				c->min = d;
			if (!c->present || d > c->max)
				c->max = d;
		} else {
			c->not_num = 1;
		}
		c->not_int |= !expect_is_integer(f->p, f->len);
		c->not_bool |= !is_bool(f->p, f->len);
		c->not_time |= c->not_time || expect_parse_time(f->p, f->len, &t) != 0;
		size_t len = 0;
		for (size_t k = 0; k < f->len; k++)
			len += ((unsigned char)f->p[k] & 0xC0) != 0x80;
		if (!c->present || len < c->minlen)
			c->minlen = len;
		if (len > c->maxlen)
			c->maxlen = len;
		c->present++;
		if (!c->many) {
			struct expect_str_entry *e = expect_str_get(&c->small, &x->arena, f->p, f->len);
			if (!e)
				x->oom = 1;
			else if (e->count++ == 0 && c->small.n > x->max_set) {
				c->many = 1;
				free_set(&c->small);
			}
		}
		if (!c->dup) {
			struct expect_str_entry *e = expect_str_get(&c->all, &x->arena, f->p, f->len);
			if (!e)
				x->oom = 1;
			else if (e->count++) {
				c->dup = 1;
				free_set(&c->all);
			}
		}
	}
	if (x->oom)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, row->line, 0, "out of memory");
	return 0;
}

/* A YAML scalar: plain when it is a simple word, else double-quoted with
 * escapes, so any value round-trips through the parser. */
static void put_scalar(FILE *out, const char *p, size_t n)
{
	static const char *const reserved[] = {"true", "false", "yes", "no", "null",
	                                       "on",   "off",   "y",   "n",  "~"};
	int plain = n > 0 && n < 80;
	for (size_t i = 0; plain && i < n; i++) {
		unsigned char ch = (unsigned char)p[i];
		plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		        ch == '_' || (i > 0 && (ch == '-' || ch == '.' || ch == '/'));
	}
	for (size_t i = 0; plain && i < sizeof reserved / sizeof *reserved; i++)
		plain = !(strlen(reserved[i]) == n && strncasecmp(reserved[i], p, n) == 0);
	if (plain) {
		fwrite(p, 1, n, out);
		return;
	}
	fputc('"', out);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];
		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", out);
		else if (ch == '\t')
			fputs("\\t", out);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(out, "\\x%02x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct expect_str_entry *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, n);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static void put_set(FILE *out, struct expect_str_set *s)
{
	size_t k = 0;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slot[i].key)
			s->slot[k++] = s->slot[i];
	qsort(s->slot, k, sizeof *s->slot, cmp_entry);
	fputs("    in_set: [", out);
	for (size_t i = 0; i < k; i++) {
		if (i)
			fputs(", ", out);
		put_scalar(out, s->slot[i].key, s->slot[i].len);
	}
	fprintf(out, "]   # the %zu distinct values seen\n", k);
}

static void put_column(FILE *out, const struct sctx *x, size_t i)
{
	struct scol *c = &x->c[i];
	const char *name = x->names[i];
	char lo[48], hi[48];
	fputs("  ", out);
	put_scalar(out, name, strlen(name));
	if (!c->present) {
		fprintf(out, ":   # every one of the %llu values is missing\n",
		        (unsigned long long)c->missing);
		return;
	}
	fputs(":\n", out);
	const char *type = !c->not_int    ? "integer"
	                   : !c->not_num  ? "numeric"
	                   : !c->not_bool ? "boolean"
	                   : !c->not_time ? "timestamp"
	                                  : NULL;
	if (type)
		fprintf(out, "    type: %s   # every present value is %s%s\n", type,
		        type[0] == 'i' ? "an " : "", type[0] == 'i' ? "integer" : type);
	if (!c->missing)
		fprintf(out, "    not_null: true   # no missing value in %llu rows\n",
		        (unsigned long long)x->rows);
	else
		fprintf(out, "    max_missing_share: %s   # %llu of %llu missing now\n",
		        expect_num(lo, sizeof lo, (double)c->missing / (double)x->rows),
		        (unsigned long long)c->missing, (unsigned long long)x->rows);
	if (!c->not_num)
		fprintf(out, "    between: [%s, %s]   # min and max seen\n",
		        expect_num(lo, sizeof lo, c->min), expect_num(hi, sizeof hi, c->max));
	else if (!c->sensitive && type == NULL && !c->no_len)
		fprintf(out, "    length_between: [%zu, %zu]   # shortest and longest seen (characters)\n",
		        c->minlen, c->maxlen);
	if (!c->many && !c->sensitive && c->present > 1 && c->small.n < c->present)
		put_set(out, &c->small);
	if (!c->dup && c->present > 1)
		fprintf(out, "    unique: true   # %llu present values, all distinct\n",
		        (unsigned long long)c->present);
}

/* The draft: header comments, dataset-level lines, one block per column. */
static int write_draft(FILE *out, const struct sctx *x, const char *path, const char *sha256,
                       const struct assay_suggest_opts *o, struct assay_error *err)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	size_t blen = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	fprintf(out, "# Drafted by `assay check --suggest` from %s\n", base);
	fprintf(out, "# (sha256 %s, %llu rows). Every line says what it came from:\n", sha256,
	        (unsigned long long)x->rows);
	fputs("# review each before using this file as a contract.\n", out);
	fputs("version: 1\ndataset: ", out);
	put_scalar(out, base, blen);
	fputs("\nsensitive: [", out);
	for (size_t i = 0, k = 0; i < x->ncols; i++) {
		if (!x->c[i].sensitive)
			continue;
		fputs(k++ ? ", " : "", out);
		put_scalar(out, x->names[i], strlen(x->names[i]));
	}
	fputs("]   # columns whose values reports must never show\n", out);
	fprintf(out, "row_count: {min: 1}   # %llu rows now; set the range you expect\n",
	        (unsigned long long)x->rows);
	fputs("columns:\n", out);
	for (size_t i = 0; i < x->ncols; i++)
		put_column(out, x, i);
	if (fflush(out) != 0 || ferror(out))
		return assay_error_set(err, ASSAY_EIO, NULL, 0, 0, "cannot write the suggestion");
	return 0;
}

static void free_cols(struct sctx *x)
{
	for (size_t i = 0; x->c && i < x->ncols; i++) {
		free(x->c[i].small.slot);
		free(x->c[i].all.slot);
	}
	free(x->c);
	assay_arena_free(&x->arena);
}

int assay_expect_suggest(struct assay_source *src, const struct assay_suggest_opts *o, FILE *out,
                         struct assay_error *err)
{
	struct sctx x;
	memset(&x, 0, sizeof x);
	x.src = src;
	x.ncols = assay_source_ncols(src);
	x.max_set = o && o->max_set ? o->max_set : 20;
	x.c = calloc(x.ncols + 1, sizeof *x.c);
	const char **names = calloc(x.ncols + 1, sizeof *names);
	assay_arena_init(&x.arena);
	if (!x.c || !names) {
		free(names);
		free_cols(&x);
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
	for (size_t i = 0; i < x.ncols; i++)
		names[i] = assay_source_colname(src, i);
	x.names = names;
	int rc = 0;
	for (size_t k = 0; o && k < o->nsensitive; k++) {
		long i = assay_source_column(src, o->sensitive[k], "--sensitive", err);
		if (i < 0) {
			rc = err->code;
			break;
		}
		x.c[i].sensitive = 1;
	}
	struct assay_source_stats st;
	void *ctx[1] = {&x};
	if (!rc && assay_source_max_workers(src) != 1)
		rc = assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                     "suggest needs a source opened with threads = 1");
	if (!rc)
		rc = assay_source_scan(src, on_row, NULL, ctx, &st, err);
	if (!rc)
		rc = write_draft(out, &x, assay_source_path(src), st.sha256_hex, o, err);
	free(names);
	free_cols(&x);
	return rc;
}

/* One column's facts from a profile: counts and range always; types,
 * lengths, small sets and uniqueness from the exact category map while
 * the profile kept one. */
static int column_from_profile(struct sctx *x, struct scol *c, const struct assay_column_profile *pc)
{
	c->present = pc->present;
	c->missing = pc->rows - pc->present;
	c->not_num = pc->type != ASSAY_COL_NUMERIC;
	c->min = pc->min;
	c->max = pc->max;
	if (pc->exact && pc->type == ASSAY_COL_NUMERIC && pc->num.n) {
		/* numbers: integers when every value is whole; values as text for in_set */
		c->not_bool = c->not_time = 1;
		c->no_len = 1;
		c->many = pc->num.n > x->max_set;
		for (size_t k = 0; k < pc->num.n; k++) {
			double v = assay_numeric_map_value(&pc->num, k);
			uint64_t nk = assay_numeric_map_count(&pc->num, k);
			c->not_int |= !(v == floor(v) && fabs(v) < 9007199254740992.0);
			c->dup |= nk > 1;
			if (c->many)
				continue;
			char buf[40];
			snprintf(buf, sizeof buf, "%.15g", v);
			if (strtod(buf, NULL) != v)
				snprintf(buf, sizeof buf, "%.17g", v);
			struct expect_str_entry *e = expect_str_get(&c->small, &x->arena, buf, strlen(buf));
			if (!e)
				return -1;
			e->count += nk;
		}
		return 0;
	}
	if (!pc->exact || pc->cat.n == 0) {
		c->not_int = c->not_bool = c->not_time = 1;
		c->many = c->dup = c->no_len = 1;
		return 0;
	}
	for (size_t k = 0; k < pc->cat.n; k++) {
		const char *p = pc->cat.value[k];
		size_t n = pc->cat.len[k];
		int64_t t;
		c->not_int |= !expect_is_integer(p, n);
		c->not_bool |= !is_bool(p, n);
		c->not_time |= expect_parse_time(p, n, &t) != 0;
		size_t len = 0;
		for (size_t b = 0; b < n; b++)
			len += ((unsigned char)p[b] & 0xC0) != 0x80;
		if (k == 0 || len < c->minlen)
			c->minlen = len;
		if (len > c->maxlen)
			c->maxlen = len;
		c->dup |= pc->cat.count[k] > 1;
	}
	c->many = pc->cat.n > x->max_set;
	for (size_t k = 0; !c->many && k < pc->cat.n; k++) {
		struct expect_str_entry *e =
		    expect_str_get(&c->small, &x->arena, pc->cat.value[k], pc->cat.len[k]);
		if (!e)
			return -1;
		e->count += pc->cat.count[k];
	}
	return 0;
}

int assay_expect_suggest_profile(const struct assay_profile *p, const struct assay_suggest_opts *o, FILE *out,
                                 struct assay_error *err)
{
	struct sctx x;
	memset(&x, 0, sizeof x);
	x.ncols = p->ncolumns;
	x.rows = p->rows;
	x.max_set = o && o->max_set ? o->max_set : 20;
	x.c = calloc(x.ncols + 1, sizeof *x.c);
	const char **names = calloc(x.ncols + 1, sizeof *names);
	assay_arena_init(&x.arena);
	int rc = !x.c || !names ? assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory") : 0;
	for (size_t i = 0; !rc && i < x.ncols; i++)
		names[i] = p->columns[i].name;
	x.names = names;
	for (size_t k = 0; !rc && o && k < o->nsensitive; k++) {
		size_t i = 0;
		while (i < x.ncols && strcmp(names[i], o->sensitive[k]) != 0)
			i++;
		if (i == x.ncols) {
			const char *dym = assay_did_you_mean(o->sensitive[k], names, x.ncols);
			rc = assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
			                     "--sensitive: the profile has no column \"%s\"%s%s%s",
			                     o->sensitive[k], dym ? "; did you mean \"" : "", dym ? dym : "",
			                     dym ? "\"?" : "");
		} else {
			x.c[i].sensitive = 1;
		}
	}
	for (size_t i = 0; !rc && i < x.ncols; i++)
		x.c[i].sensitive |= p->columns[i].withheld; /* profiled with --private */
	for (size_t i = 0; !rc && i < x.ncols; i++)
		if (column_from_profile(&x, &x.c[i], &p->columns[i]) != 0)
			rc = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	if (!rc)
		rc = write_draft(out, &x, p->source_path ? p->source_path : "profile", p->sha256, o, err);
	free(names);
	free_cols(&x);
	return rc;
}
