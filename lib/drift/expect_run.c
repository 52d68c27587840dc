/* expect_run.c: checking expectations over a source in one scan.
 *
 * Every expectation is evaluated during a single pass over the rows:
 * per-row ones (type, not_null, in_set, between, regex, length_between,
 * relationships) count rows checked and rows failing and keep the first N
 * failing rows; aggregate ones keep what they need: row and missing
 * counts, a running mean (Welford's update, so large sums do not lose the
 * small values), a value -> count hash map of the column's numbers for
 * median and quantiles (exact, numpy's 'linear' interpolation; the
 * tables are in expect_table.c), a value -> (count, first line) set for
 * unique (every row of a duplicated value fails, as pandas
 * duplicated(keep=False)), and the newest timestamp for freshness.
 *
 * Example rows carry physical line numbers, so the scan runs on one worker
 * (the source must be opened with threads = 1): rows then arrive in file
 * order with lines relative to the first data line, and the header's line
 * count rebases them. Values of sensitive columns are never copied.
 *
 * pii expectations run lib/scan's PII detectors (assay/scan.h) on each
 * present value; the example names the entities found, never the value.
 *
 * It deliberately does not detect PII by itself (that is lib/scan's job)
 * and does not keep rows: memory grows only with the distinct values of
 * columns under unique, median or quantile.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "assay/scan.h"
#include "expect_internal.h"

int expect_is_integer(const char *p, size_t n)
{
	size_t i = n && (p[0] == '-' || p[0] == '+');
	if (i == n)
		return 0;
	for (; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

#define EXAMPLE_MAX_BYTES 120

/* ---- scan state ---- */

struct col_state {
	long idx;
	int sensitive;
	int need_map, need_unique;
	uint64_t present, missing;
	uint64_t nnum; /* finite numbers, for the mean */
	double mean;
	struct expect_num_map map;
	struct expect_str_set uniq;
	uint64_t ucount; /* this row's value's count so far, with unique */
	/* per row, filled once */
	const struct assay_field *f;
	int na, parsed, is_num;
	double num;
};

struct item_state {
	const struct expect_item *it;
	struct col_state *c, *c2;
	uint64_t checked, failing;
	size_t nex;
	struct assay_expect_example *ex;
	pcre2_match_data *md;
	int has_newest;
	int64_t newest;
};

struct run {
	const struct assay_expectations *e;
	const struct assay_check_params *p;
	struct assay_arena *out;    /* the report's arena: examples */
	struct assay_arena scratch; /* hash keys, freed at the end */
	const struct assay_source *src;
	size_t ncols;
	struct col_state *cols; /* one per source column, used ones flagged */
	int *used;
	size_t nitems;
	struct item_state *items;
	uint64_t header_lines, rows;
	int oom;
	struct assay_scanner *scanner; /* pii expectations only */
	struct assay_scan_ctx *scan;
	int scan_failed;
	struct assay_error scan_err;
};

static const char *example_value(struct run *r, const struct assay_field *f)
{
	size_t n = f->len;
	if (n > EXAMPLE_MAX_BYTES) {
		n = EXAMPLE_MAX_BYTES;
		while (n > 0 && ((unsigned char)f->p[n] & 0xC0) == 0x80)
			n--; /* cut at a character boundary */
		return assay_arena_printf(r->out, "%.*s…", (int)n, f->p);
	}
	return assay_arena_strndup(r->out, f->p, n);
}

static void fail_row(struct run *r, struct item_state *s, uint64_t line, const char *value)
{
	s->failing++;
	if (s->nex < r->p->examples) {
		s->ex[s->nex].line = line;
		s->ex[s->nex].value = value;
		s->nex++;
	}
}

static void fail_field(struct run *r, struct item_state *s, uint64_t line)
{
	s->failing++;
	if (s->nex < r->p->examples) {
		s->ex[s->nex].line = line;
		s->ex[s->nex].value = s->c->sensitive ? NULL : example_value(r, s->c->f);
		s->nex++;
	}
}

static int parse_num(struct col_state *c)
{
	if (!c->parsed) {
		c->parsed = 1;
		c->is_num = assay_parse_double(c->f->p, c->f->len, &c->num) == 0;
	}
	return c->is_num;
}

static int is_type(struct col_state *c, enum expect_type t)
{
	const char *p = c->f->p;
	size_t n = c->f->len;
	switch (t) {
	case T_NUMERIC:
		return parse_num(c);
	case T_INTEGER:
		return expect_is_integer(p, n);
	case T_BOOLEAN: {
		static const char *const words[] = {"true", "false", "t", "f", "yes",
		                                    "no",   "y",     "n", "0", "1"};
		for (size_t i = 0; i < sizeof words / sizeof *words; i++)
			if (strlen(words[i]) == n && strncasecmp(words[i], p, n) == 0)
				return 1;
		return 0;
	}
	case T_TIMESTAMP: {
		int64_t when;
		return expect_parse_time(p, n, &when) == 0;
	}
	default:
		return 1;
	}
}

static int in_set(const struct expect_item *it, struct col_state *c)
{
	for (size_t i = 0; i < it->nset; i++)
		if (it->setlen[i] == c->f->len && memcmp(it->set[i], c->f->p, c->f->len) == 0)
			return 1;
	if (!parse_num(c))
		return 0;
	for (size_t i = 0; i < it->nset; i++) { /* "1.0" is in [1] */
		double d;
		if (assay_parse_double(it->set[i], it->setlen[i], &d) == 0 && d == c->num)
			return 1;
	}
	return 0;
}

static size_t utf8_chars(const char *p, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)p[i] & 0xC0) != 0x80;
	return k;
}

/* <0, 0, >0: numbers as numbers, timestamps as times, else bytes. */
static int compare(struct col_state *a, struct col_state *b)
{
	if (parse_num(a) && parse_num(b))
		return (a->num > b->num) - (a->num < b->num);
	int64_t ta, tb;
	if (expect_parse_time(a->f->p, a->f->len, &ta) == 0 &&
	    expect_parse_time(b->f->p, b->f->len, &tb) == 0)
		return (ta > tb) - (ta < tb);
	size_t n = a->f->len < b->f->len ? a->f->len : b->f->len;
	int c = memcmp(a->f->p, b->f->p, n);
	return c ? c : (a->f->len > b->f->len) - (a->f->len < b->f->len);
}

static int holds(enum expect_op op, int c)
{
	switch (op) {
	case OP_LT:
		return c < 0;
	case OP_LE:
		return c <= 0;
	case OP_GT:
		return c > 0;
	case OP_GE:
		return c >= 0;
	case OP_EQ:
		return c == 0;
	default:
		return c != 0;
	}
}

/* The value holds personal data (of the listed entities, if any): the
 * example names the entities found, never the value. */
static void check_pii(struct run *r, struct item_state *s, uint64_t line)
{
	const struct assay_finding *f;
	size_t n;
	if (assay_scan_buffer(r->scan, s->c->f->p, s->c->f->len, &f, &n, &r->scan_err) != 0) {
		r->scan_failed = 1;
		return;
	}
	const char *found = NULL;
	for (size_t i = 0; i < n; i++) {
		int want = s->it->nentities == 0;
		for (size_t k = 0; !want && k < s->it->nentities; k++)
			want = strcmp(f[i].entity, s->it->entities[k]) == 0;
		if (!want || (found && strstr(found, f[i].entity)))
			continue;
		found = found ? assay_arena_printf(r->out, "%s, %s", found, f[i].entity)
		              : assay_arena_strdup(r->out, f[i].entity);
	}
	if (found)
		fail_row(r, s, line, s->c->sensitive ? NULL : found);
}

static void check_item(struct run *r, struct item_state *s, uint64_t line)
{
	const struct expect_item *it = s->it;
	struct col_state *c = s->c;
	if (!c)
		return; /* row_count: counted by the scan */
	if (it->kind == ASSAY_EXPECT_RELATIONSHIP) {
		if (c->na || s->c2->na)
			return;
		s->checked++;
		if (holds(it->op, compare(c, s->c2)))
			return;
		const char *v = NULL;
		if (!c->sensitive && !s->c2->sensitive && s->nex < r->p->examples)
			v = assay_arena_printf(r->out, "%s=%s, %s=%s", it->column, example_value(r, c->f),
			                       it->column2, example_value(r, s->c2->f));
		fail_row(r, s, line, v);
		return;
	}
	if (it->kind == ASSAY_EXPECT_NOT_NULL || it->kind == ASSAY_EXPECT_MISSING_SHARE) {
		s->checked++;
		if (c->na)
			fail_row(r, s, line, NULL);
		return;
	}
	if (c->na)
		return;
	switch (it->kind) {
	case ASSAY_EXPECT_TYPE:
		s->checked++;
		if (!is_type(c, it->type))
			fail_field(r, s, line);
		break;
	case ASSAY_EXPECT_IN_SET:
		s->checked++;
		if (!in_set(it, c))
			fail_field(r, s, line);
		break;
	case ASSAY_EXPECT_BETWEEN:
		s->checked++;
		if (!parse_num(c) || isnan(c->num) || (it->has_lo && c->num < it->lo) ||
		    (it->has_hi && c->num > it->hi))
			fail_field(r, s, line);
		break;
	case ASSAY_EXPECT_LENGTH: {
		s->checked++;
		double n = (double)utf8_chars(c->f->p, c->f->len);
		if ((it->has_lo && n < it->lo) || (it->has_hi && n > it->hi))
			fail_field(r, s, line);
		break;
	}
	case ASSAY_EXPECT_REGEX:
		s->checked++;
		if (pcre2_match(it->re, (PCRE2_SPTR)c->f->p, c->f->len, 0, PCRE2_NO_UTF_CHECK, s->md, NULL) <
		    0)
			fail_field(r, s, line);
		break;
	case ASSAY_EXPECT_FRESHNESS: {
		s->checked++;
		int64_t t;
		if (expect_parse_time(c->f->p, c->f->len, &t) != 0) {
			fail_field(r, s, line);
		} else if (!s->has_newest || t > s->newest) {
			s->newest = t;
			s->has_newest = 1;
		}
		break;
	}
	case ASSAY_EXPECT_MEAN:
	case ASSAY_EXPECT_MEDIAN:
	case ASSAY_EXPECT_QUANTILE:
		s->checked += parse_num(c) && isfinite(c->num);
		break;
	case ASSAY_EXPECT_PII:
		s->checked++;
		check_pii(r, s, line);
		break;
	default: /* unique: later occurrences now, the count and first ones at the end */
		s->checked++;
		if (c->ucount > 1 && s->nex < r->p->examples) {
			s->ex[s->nex].line = line;
			s->ex[s->nex].value = c->sensitive ? NULL : example_value(r, c->f);
			s->nex++;
		}
		break;
	}
}

static int on_row(void *ctx, const struct assay_row *row, struct assay_error *err)
{
	struct run *r = ctx;
	uint64_t line = r->header_lines + row->line;
	r->rows++;
	for (size_t i = 0; i < r->ncols; i++) {
		if (!r->used[i])
			continue;
		struct col_state *c = &r->cols[i];
		c->f = &row->fields[i];
		c->na = assay_source_is_na(r->src, c->f);
		c->parsed = 0;
		if (c->na) {
			c->missing++;
			continue;
		}
		c->present++;
		if (parse_num(c) && isfinite(c->num)) {
			c->nnum++;
			c->mean += (c->num - c->mean) / (double)c->nnum;
			if (c->need_map && expect_num_add(&c->map, c->num))
				r->oom = 1;
		}
		if (c->need_unique) {
			struct expect_str_entry *u =
			    expect_str_get(&c->uniq, &r->scratch, c->f->p, c->f->len);
			if (!u) {
				r->oom = 1;
			} else {
				if (u->count++ == 0)
					u->first_line = line;
				c->ucount = u->count;
			}
		}
	}
	for (size_t k = 0; k < r->nitems; k++)
		check_item(r, &r->items[k], line);
	if (r->scan_failed) {
		*err = r->scan_err;
		err->line = row->line;
		return err->code ? err->code : ASSAY_EINTERNAL;
	}
	if (r->oom)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, row->line, 0, "out of memory");
	return 0;
}

/* ---- setup and results ---- */

void assay_check_params_init(struct assay_check_params *p)
{
	memset(p, 0, sizeof *p);
	p->examples = 5;
}

/* The source column of `name`, flagged as used; -1 with a located error. */
static long resolve(struct run *r, const char *name, uint64_t line, uint64_t col, struct assay_error *err)
{
	char what[600];
	snprintf(what, sizeof what, "in %s", assay_source_path(r->src));
	long i = assay_source_column(r->src, name, what, err);
	if (i < 0) {
		err->code = ASSAY_EINPUT;
		snprintf(err->file, sizeof err->file, "%s", r->e->path);
		err->line = line;
		err->column = col;
		assay_error_hint(err,
		                 "fix the column name in the expectations file, or check the --data file");
		return -1;
	}
	r->used[i] = 1;
	return i;
}

static int setup(struct run *r, struct assay_error *err)
{
	const struct assay_expectations *e = r->e;
	r->ncols = assay_source_ncols(r->src);
	r->cols = calloc(r->ncols + 1, sizeof *r->cols);
	r->used = calloc(r->ncols + 1, sizeof *r->used);
	r->nitems = e->nitems;
	r->items = calloc(e->nitems + 1, sizeof *r->items);
	if (!r->cols || !r->used || !r->items)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	for (size_t i = 0; i < e->nsensitive; i++) {
		long k = resolve(r, e->sensitive[i], e->sens_line[i], e->sens_col[i], err);
		if (k < 0)
			return err->code;
		r->used[k] = 0; /* listing a column as sensitive does not need its values */
		r->cols[k].sensitive = 1;
	}
	for (size_t k = 0; k < e->nitems; k++) {
		const struct expect_item *it = &e->items[k];
		struct item_state *s = &r->items[k];
		s->it = it;
		s->ex = assay_arena_calloc(r->out, r->p->examples + 1, sizeof *s->ex);
		if (!s->ex)
			return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		if (it->kind == ASSAY_EXPECT_ROW_COUNT)
			continue;
		long i = resolve(r, it->column, it->cline, it->ccol, err);
		if (i < 0)
			return err->code;
		s->c = &r->cols[i];
		if (it->column2) {
			long j = resolve(r, it->column2, it->cline, it->ccol, err);
			if (j < 0)
				return err->code;
			s->c2 = &r->cols[j];
		} else {
			s->c2 = s->c;
		}
		s->c->need_map |= it->kind == ASSAY_EXPECT_MEDIAN || it->kind == ASSAY_EXPECT_QUANTILE;
		s->c->need_unique |= it->kind == ASSAY_EXPECT_UNIQUE;
		if (it->kind == ASSAY_EXPECT_PII && !r->scanner) {
			struct assay_scan_opts so = {.groups = ASSAY_SCAN_PII};
			if (assay_scanner_new(&r->scanner, &so, err) ||
			    assay_scan_ctx_new(&r->scan, r->scanner, err))
				return err->code;
		}
		if (it->re && !(s->md = pcre2_match_data_create_from_pattern(it->re, NULL)))
			return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
	return 0;
}

static int in_bounds(const struct expect_item *it, double v)
{
	return !isnan(v) && (!it->has_lo || v >= it->lo) && (!it->has_hi || v <= it->hi);
}

/* Unique: every row of a duplicated value fails; the examples are the
 * first rows in file order among the later occurrences seen during the
 * scan and the first occurrences of duplicated values. */
static void finish_unique(struct run *r, struct item_state *s)
{
	struct expect_str_set *u = &s->c->uniq;
	size_t cap = r->p->examples;
	for (size_t i = 0; i < u->cap; i++) {
		const struct expect_str_entry *x = &u->slot[i];
		if (!x->key || x->count < 2)
			continue;
		s->failing += x->count;
		if (!cap || (s->nex == cap && x->first_line > s->ex[s->nex - 1].line))
			continue;
		size_t j = s->nex < cap ? s->nex++ : cap - 1; /* insertion, dropping the last */
		while (j > 0 && s->ex[j - 1].line > x->first_line) {
			s->ex[j] = s->ex[j - 1];
			j--;
		}
		s->ex[j].line = x->first_line;
		s->ex[j].value = NULL;
		if (!s->c->sensitive) {
			struct assay_field f = {x->key, x->len, 0};
			s->ex[j].value = example_value(r, &f);
		}
	}
	/* later occurrences arrived in file order, first occurrences were
	 * inserted in place: the array is sorted */
}

static const char *rows_text(struct assay_arena *a, const struct item_state *s)
{
	if (!s->checked)
		return "no rows to check";
	if (!s->failing)
		return assay_arena_printf(a, "all %llu rows meet it", (unsigned long long)s->checked);
	return assay_arena_printf(a, "%llu of %llu rows fail (%.2f%%)", (unsigned long long)s->failing,
	                          (unsigned long long)s->checked,
	                          100.0 * (double)s->failing / (double)s->checked);
}

static void finish_item(struct run *r, struct item_state *s, struct assay_expect_result *o)
{
	const struct expect_item *it = s->it;
	struct assay_arena *a = r->out;
	char buf[64], buf2[64];
	o->kind = it->kind;
	o->name = it->name;
	o->column = it->column;
	o->column2 = it->column2;
	o->expectation = it->expectation;
	o->line = it->line;
	o->col = it->col;
	o->sensitive = (s->c && s->c->sensitive) || (s->c2 && s->c2->sensitive);
	struct col_state *c = s->c;
	switch (it->kind) {
	case ASSAY_EXPECT_ROW_COUNT:
		s->checked = r->rows;
		o->has_value = 1;
		o->value = (double)r->rows;
		o->passed = in_bounds(it, o->value);
		o->observed = assay_arena_printf(a, "%llu rows", (unsigned long long)r->rows);
		break;
	case ASSAY_EXPECT_UNIQUE:
		finish_unique(r, s);
		o->passed = s->failing == 0;
		o->observed = assay_arena_printf(a, "%zu distinct of %llu present values%s%s", c->uniq.n,
		                                 (unsigned long long)c->present, s->failing ? "; " : "",
		                                 s->failing ? rows_text(a, s) : "");
		break;
	case ASSAY_EXPECT_MEAN:
	case ASSAY_EXPECT_MEDIAN:
	case ASSAY_EXPECT_QUANTILE: {
		const char *what = it->kind == ASSAY_EXPECT_MEAN     ? "mean"
		                   : it->kind == ASSAY_EXPECT_MEDIAN ? "median"
		                                                     : "quantile";
		expect_num_sort(&c->map);
		double v = it->kind == ASSAY_EXPECT_MEAN     ? (c->nnum ? c->mean : NAN)
		           : it->kind == ASSAY_EXPECT_MEDIAN ? expect_num_quantile(&c->map, 0.5)
		                                             : expect_num_quantile(&c->map, it->q);
		o->has_value = !isnan(v);
		o->value = v;
		o->passed = in_bounds(it, v);
		o->observed = isnan(v) ? "no numeric values"
		                       : assay_arena_printf(a, "%s %s over %llu numbers", what,
		                                            expect_num(buf, sizeof buf, v),
		                                            (unsigned long long)c->nnum);
		if (c->present > c->nnum && !isnan(v))
			o->observed =
			    assay_arena_printf(a, "%s (%llu present values are not numbers)", o->observed,
			                       (unsigned long long)(c->present - c->nnum));
		break;
	}
	case ASSAY_EXPECT_MISSING_SHARE:
		o->has_value = 1;
		o->value = s->checked ? (double)s->failing / (double)s->checked : 0;
		o->passed = o->value <= it->hi;
		o->observed =
		    assay_arena_printf(a, "%llu of %llu missing (share %s)", (unsigned long long)s->failing,
		                       (unsigned long long)s->checked, expect_num(buf, sizeof buf, o->value));
		break;
	case ASSAY_EXPECT_PII:
		o->has_value = 1;
		o->value = s->checked ? (double)s->failing / (double)s->checked : 0;
		o->passed = o->value <= it->hi;
		o->observed = s->failing
		                  ? assay_arena_printf(a, "%llu of %llu values hold personal data (%.2f%%)",
		                                       (unsigned long long)s->failing,
		                                       (unsigned long long)s->checked, 100 * o->value)
		                  : assay_arena_printf(a, "no personal data in %llu values",
		                                       (unsigned long long)s->checked);
		break;
	case ASSAY_EXPECT_FRESHNESS: {
		int64_t now = r->p->has_now ? r->p->now : it->has_now ? it->now : (int64_t)time(NULL);
		if (!s->has_newest) {
			o->passed = 0;
			o->observed = s->failing ? rows_text(a, s) : "no timestamps";
			break;
		}
		int64_t age = now - s->newest;
		o->has_value = 1;
		o->value = (double)age;
		o->passed = age <= it->max_age && s->failing == 0;
		expect_format_time(s->newest, buf, sizeof buf);
		expect_format_duration(age, buf2, sizeof buf2);
		o->observed = assay_arena_printf(a, "newest %s, %s old%s%s", buf, buf2,
		                                 s->failing ? "; not timestamps: " : "",
		                                 s->failing ? rows_text(a, s) : "");
		break;
	}
	default:
		o->passed = s->failing == 0;
		o->observed = rows_text(a, s);
		break;
	}
	o->rows_checked = s->checked;
	o->rows_failing = s->failing;
	o->share_failing = s->checked ? (double)s->failing / (double)s->checked : 0;
	o->nexamples = s->nex;
	o->examples = s->ex;
}

static void run_free(struct run *r)
{
	for (size_t i = 0; r->cols && i < r->ncols; i++) {
		free(r->cols[i].map.slot);
		free(r->cols[i].uniq.slot);
	}
	for (size_t k = 0; r->items && k < r->nitems; k++)
		pcre2_match_data_free(r->items[k].md);
	free(r->cols);
	free(r->used);
	free(r->items);
	assay_scan_ctx_free(r->scan);
	assay_scanner_free(r->scanner);
	assay_arena_free(&r->scratch);
}

/* Physical lines before the first data row: none for JSONL or a CSV
 * without header; for a CSV header, one plus the line breaks quoted
 * inside its names. */
static uint64_t header_lines(const struct assay_source *src, const struct assay_check_params *p)
{
	if (p->no_header)
		return 0;
	enum assay_source_format f = p->format;
	if (f == ASSAY_FORMAT_AUTO) {
		const char *path = assay_source_path(src), *dot = strrchr(path, '.');
		f = dot && (!strcmp(dot, ".jsonl") || !strcmp(dot, ".ndjson")) ? ASSAY_FORMAT_JSONL
		                                                               : ASSAY_FORMAT_CSV;
	}
	if (f == ASSAY_FORMAT_JSONL)
		return 0;
	uint64_t n = 1;
	for (size_t i = 0; i < assay_source_ncols(src); i++)
		for (const char *q = assay_source_colname(src, i); *q; q++)
			n += *q == '\n';
	return n;
}

int assay_expect_run(const struct assay_expectations *e, struct assay_source *src,
                     const struct assay_check_params *p, struct assay_arena *a,
                     struct assay_check_report *rep, struct assay_error *err)
{
	if (assay_source_max_workers(src) != 1)
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                       "assay_expect_run needs a source opened with threads = 1 "
		                       "(example rows carry file line numbers)");
	struct run r;
	memset(&r, 0, sizeof r);
	r.e = e;
	r.p = p;
	r.out = a;
	r.src = src;
	assay_arena_init(&r.scratch);
	r.header_lines = header_lines(src, p);
	int rc = setup(&r, err);
	struct assay_source_stats st;
	memset(&st, 0, sizeof st);
	void *ctx[1] = {&r};
	if (!rc)
		rc = assay_source_scan(src, on_row, NULL, ctx, &st, err);
	if (!rc) {
		rep->dataset = e->dataset;
		rep->rows = r.rows;
		rep->params = *p;
		rep->sensitive = e->sensitive;
		rep->nsensitive = e->nsensitive;
		struct assay_check_input *in = &rep->inputs[rep->ninputs < 2 ? rep->ninputs++ : 1];
		in->role = "data";
		in->path = assay_arena_strdup(a, assay_source_path(src));
		memcpy(in->sha256, st.sha256_hex, sizeof in->sha256);
		in->rows = st.rows;
		in->bytes = st.bytes;
		rep->results = assay_arena_calloc(a, e->nitems + 1, sizeof *rep->results);
		if (!rep->results) {
			rc = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		} else {
			rep->nresults = e->nitems;
			rep->npassed = rep->nfailed = 0;
			for (size_t k = 0; k < e->nitems; k++) {
				finish_item(&r, &r.items[k], &rep->results[k]);
				if (rep->results[k].passed)
					rep->npassed++;
				else
					rep->nfailed++;
			}
			rep->passed = rep->nfailed == 0;
		}
	}
	run_free(&r);
	return rc;
}
