/* test_source.c: opening sources, columns, missing values, JSONL, number
 * parsing, and the real COMPAS file (assay/source.h).
 *
 * CSV tokenizing rules and parallel scans are in test_csv.c.
 */
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testdir.h"

#include "assay/source.h"

static struct assay_source *open_ok(struct assay_source_opts o)
{
	struct assay_source *src = NULL;
	struct assay_error err;
	if (assay_source_open(&src, &o, &err)) {
		char buf[2048];
		assay_error_format(&err, buf, sizeof buf);
		fail_msg("%s", buf);
	}
	return src;
}

/* Rows as text: fields joined by '|', missing values as <NA>. */
struct sink {
	const struct assay_source *src;
	char text[8192];
	size_t len;
	size_t only; /* print only the first `only` fields (0: all) */
};

static int collect(void *ctx, const struct assay_row *row, struct assay_error *err)
{
	struct sink *s = ctx;
	for (size_t i = 0; i < (s->only ? s->only : row->nfields); i++) {
		const struct assay_field *f = &row->fields[i];
		int na = assay_source_is_na(s->src, f);
		s->len += (size_t)snprintf(s->text + s->len, sizeof s->text - s->len, "%s%.*s", i ? "|" : "",
		                           na ? 4 : (int)f->len, na ? "<NA>" : f->p);
		if (s->len >= sizeof s->text)
			s->len = sizeof s->text - 1; /* full: keep what fits */
	}
	s->len += (size_t)snprintf(s->text + s->len, sizeof s->text - s->len, "\n");
	if (s->len >= sizeof s->text)
		s->len = sizeof s->text - 1;
	return 0;
}

/* Scan with one worker; returns the rc, rows in s->text. */
static int scan1(struct assay_source *src, struct sink *s, struct assay_error *err)
{
	memset(s, 0, sizeof *s);
	s->src = src;
	void *ctx[64];
	for (int i = 0; i < 64; i++)
		ctx[i] = s;
	assert_true(assay_source_max_workers(src) <= 64);
	return assay_source_scan(src, collect, NULL, ctx, NULL, err);
}

/* ---- projection --------------------------------------------------------- */

/* Random CSV: quoted fields with delimiters, quotes and line breaks, long
 * and empty fields, so rows straddle the tokenizer's 64-byte blocks. */
static size_t random_csv(char *buf, size_t cap, unsigned seed, size_t rows)
{
	size_t n = (size_t)snprintf(buf, cap, "a,b,c,d,e\n");
	for (size_t r = 0; r < rows && n + 200 < cap; r++) {
		for (int c = 0; c < 5; c++) {
			seed = seed * 1103515245u + 12345u;
			unsigned kind = (seed >> 16) % 6, len = (seed >> 8) % 40;
			if (c)
				buf[n++] = ',';
			if (kind == 0) {
				n += (size_t)snprintf(buf + n, cap - n, "\"x,%u\"\"y\nz\"", len);
			} else if (kind == 1) {
				/* empty */
			} else {
				for (unsigned k = 0; k < len; k++)
					buf[n++] = (char)('a' + (k + r) % 26);
			}
		}
		buf[n++] = '\n';
	}
	return n;
}

static void projection_stores_only_what_is_read(void **state)
{
	(void)state;
	static char data[400000];
	for (unsigned seed = 1; seed <= 4; seed++) {
		size_t n = random_csv(data, sizeof data, seed, 1500);
		const char *path = write_file("proj.csv", data, n);
		for (size_t k = 1; k <= 5; k++) {
			struct sink *proj = calloc(1, sizeof *proj);
			struct assay_error err;
			struct assay_source *src;
			/* the first k fields of every row are the same either way
			 * (the sink keeps the first 8 KiB of text) */
			struct sink *cut = calloc(1, sizeof *cut);
			src = open_ok((struct assay_source_opts){.path = path, .threads = 1});
			memset(cut, 0, sizeof *cut);
			cut->src = src;
			cut->only = k;
			void *ctx[64];
			for (int i = 0; i < 64; i++)
				ctx[i] = cut;
			assert_int_equal(assay_source_scan(src, collect, NULL, ctx, NULL, &err), 0);
			assay_source_free(src);
			src = open_ok((struct assay_source_opts){.path = path, .threads = 1});
			assay_source_project(src, k);
			memset(proj, 0, sizeof *proj);
			proj->src = src;
			proj->only = k;
			for (int i = 0; i < 64; i++)
				ctx[i] = proj;
			assert_int_equal(assay_source_scan(src, collect, NULL, ctx, NULL, &err), 0);
			assay_source_free(src);
			assert_true(cut->len > 100);
			assert_string_equal(proj->text, cut->text);
			free(proj);
			free(cut);
		}
	}
}

static void projection_still_refuses_ragged_rows(void **state)
{
	(void)state;
	const char *path = WRITE("ragged.csv", "a,b,c\n1,2,3\n4,5,6,7\n");
	struct assay_source *src = open_ok((struct assay_source_opts){.path = path, .threads = 1});
	assay_source_project(src, 1);
	struct sink s;
	struct assay_error err;
	assert_int_equal(scan1(src, &s, &err), ASSAY_EINPUT);
	assert_int_equal(err.line, 3);
	assert_non_null(strstr(err.message, "row has 4 fields"));
	assay_source_free(src);
	path = WRITE("quoted.csv", "a,b,c\n1,\"x,y\",3\n4,\"5\n5\",6\n");
	src = open_ok((struct assay_source_opts){.path = path, .threads = 1});
	assay_source_project(src, 1);
	assert_int_equal(scan1(src, &s, &err), 0);
	/* fields past the projection hold {NULL, 0} (read here as missing) */
	assert_string_equal(s.text, "1|<NA>|<NA>\n4|<NA>|<NA>\n");
	assay_source_free(src);
}

/* ---- missing values and columns ----------------------------------------- */

static int na(const struct assay_source *src, const char *text)
{
	struct assay_field f = {.p = text, .len = (uint32_t)strlen(text), .column = 1};
	return assay_source_is_na(src, &f);
}

static void missing_value_spellings(void **state)
{
	const char *extra[] = {"-", "n/a"};
	struct assay_source *src =
	    open_ok((struct assay_source_opts){.path = WRITE("na.csv", "a\n1\n"), .na = extra, .nna = 2});
	const char *yes[] = {"", "NA", "NaN", "nan", "null", "NULL", "-", "n/a"};
	const char *no[] = {"N/A", "na", "Na", "NAN", "Null", " ", "NA ", "none", "0", "--"};
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
		assert_true(na(src, yes[i]));
	for (size_t i = 0; i < sizeof no / sizeof *no; i++)
		if (na(src, no[i]))
			fail_msg("\"%s\" should not be missing", no[i]);
	assert_true(assay_source_has_na_list(src));
	assay_source_free(src);
	/* without --na: the built-in spellings only, all of a length and
	 * first letter ASSAY_NA_BUILTIN_MAY admits (callers skip the lookup
	 * otherwise) */
	src = open_ok((struct assay_source_opts){.path = WRITE("na2.csv", "a\n1\n")});
	assert_false(assay_source_has_na_list(src));
	for (size_t i = 0; i < 6; i++) {
		assert_true(na(src, yes[i]));
		assert_true(ASSAY_NA_BUILTIN_MAY(yes[i], strlen(yes[i])));
	}
	assert_false(na(src, "-"));
	assert_false(na(src, "n/a"));
	assert_false(ASSAY_NA_BUILTIN_MAY("g4", 2));
	assert_false(ASSAY_NA_BUILTIN_MAY("1", 1));
	assay_source_free(src);
}

static void unknown_columns_suggest_the_closest(void **state)
{
	struct assay_source *src = open_ok(
	    (struct assay_source_opts){.path = WRITE("cols.csv", "y_true,y_pred,score,group\n1,1,0.9,a\n")});
	struct assay_error err;
	assert_int_equal(assay_source_column(src, "score", "--score", &err), 2);
	assert_int_equal(assay_source_column(src, "scroe", "--score", &err), -1);
	assert_int_equal(err.code, ASSAY_EUSAGE);
	assert_string_equal(
	    err.message,
	    "no column \"scroe\" (--score); did you mean \"score\"? columns: y_true, y_pred, score, group");
	assert_int_equal(assay_source_column(src, "xyzzy", "--label", &err), -1);
	assert_string_equal(err.message,
	                    "no column \"xyzzy\" (--label); columns: y_true, y_pred, score, group");
	assay_source_free(src);
}

static void long_column_lists_are_truncated(void **state)
{
	char hdr[4096] = "", *p = hdr;
	for (int i = 0; i < 200; i++)
		p += sprintf(p, "%scolumn_number_%d", i ? "," : "", i);
	strcat(hdr, "\n");
	struct assay_source *src =
	    open_ok((struct assay_source_opts){.path = write_file("wide.csv", hdr, strlen(hdr))});
	assert_int_equal(assay_source_ncols(src), 200);
	struct assay_error err;
	assert_int_equal(assay_source_column(src, "nope", NULL, &err), -1);
	assert_true(strlen(err.message) < 600);
	assert_non_null(strstr(err.message, "... (200 in all)"));
	assay_source_free(src);
}

static void duplicate_names_first_wins(void **state)
{
	struct assay_source *src =
	    open_ok((struct assay_source_opts){.path = WRITE("dup.csv", "a,b,a\n1,2,3\n")});
	struct assay_error err;
	assert_int_equal(assay_source_column(src, "a", "--x", &err), 0);
	assert_int_equal(assay_source_ncols(src), 3);
	assay_source_free(src);
}

static void bad_options_are_usage_errors(void **state)
{
	struct assay_source *src;
	struct assay_error err;
	assert_int_equal(assay_source_open(&src, &(struct assay_source_opts){.path = "-"}, &err),
	                 ASSAY_EUSAGE);
	assert_int_equal(
	    assay_source_open(&src, &(struct assay_source_opts){.path = "x.csv", .delimiter = '"'}, &err),
	    ASSAY_EUSAGE);
	assert_int_equal(
	    assay_source_open(&src, &(struct assay_source_opts){.path = "x.csv", .no_header = 1}, &err),
	    ASSAY_EUSAGE);
	assert_int_equal(assay_source_open(&src, &(struct assay_source_opts){.path = NULL}, &err),
	                 ASSAY_EUSAGE);
}

/* ---- JSONL --------------------------------------------------------------- */

static void jsonl_rows_keep_number_literals(void **state)
{
	const char *p =
	    WRITE("a.jsonl", "{\"id\": 1, \"score\": 0.1, \"ok\": true, \"name\": \"a\\\"b\\u00e9\"}\n"
	                     "\n"
	                     "{\"score\": 1e3, \"id\": -2, \"ok\": false}\r\n"
	                     "   \n"
	                     "{\"id\": 3, \"score\": null, \"ok\": null, \"name\": \"\"}\n"
	                     "{\"id\":4,\"score\":12345678901234567890,\"ok\":true,\"name\":\"plain\"}");
	struct assay_source *src = open_ok((struct assay_source_opts){.path = p});
	assert_int_equal(assay_source_ncols(src), 4);
	assert_string_equal(assay_source_colname(src, 0), "id");
	assert_string_equal(assay_source_colname(src, 3), "name");
	struct sink s;
	struct assay_error err;
	assert_int_equal(scan1(src, &s, &err), 0);
	assert_string_equal(s.text, "1|0.1|true|a\"b\xC3\xA9\n"
	                            "-2|1e3|false|<NA>\n"
	                            "3|<NA>|<NA>|<NA>\n"
	                            "4|12345678901234567890|true|plain\n");
	assay_source_free(src);
}

static void jsonl_errors_are_located(void **state)
{
	struct sink s;
	struct assay_error err;
	struct assay_source *src = open_ok((struct assay_source_opts){
	    .path = WRITE("k.jsonl", "{\"a\": 1, \"b\": 2}\n{\"a\": 1}\n\n{\"a\": 1, \"x\": 2}\n")});
	assert_int_equal(scan1(src, &s, &err), ASSAY_EINPUT);
	assert_int_equal(err.line, 4);
	assert_int_equal(err.column, 10);
	assert_string_equal(err.message, "unexpected key \"x\"; the first object defines the columns: a, b");
	assert_non_null(strstr(err.file, "k.jsonl"));
	assay_source_free(src);

	src = open_ok((struct assay_source_opts){.path = WRITE("n.jsonl", "{\"a\": 1}\n{\"a\": [1, 2]}\n")});
	assert_int_equal(scan1(src, &s, &err), ASSAY_EINPUT);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.column, 7);
	assert_non_null(strstr(err.message, "is an array"));
	assay_source_free(src);

	src = open_ok((struct assay_source_opts){.path = WRITE("bad.jsonl", "{\"a\": 1}\n{\"a\": 1,,}\n")});
	assert_int_equal(scan1(src, &s, &err), ASSAY_EINPUT);
	assert_int_equal(err.line, 2);
	assert_true(err.column >= 8 && err.column <= 10);
	assert_non_null(strstr(err.message, "invalid JSON"));
	assay_source_free(src);

	src = open_ok((struct assay_source_opts){.path = WRITE("arr.jsonl", "{\"a\": 1}\n[1]\n")});
	assert_int_equal(scan1(src, &s, &err), ASSAY_EINPUT);
	assert_non_null(strstr(err.message, "expected a JSON object"));
	assay_source_free(src);

	src =
	    open_ok((struct assay_source_opts){.path = WRITE("u.jsonl", "{\"a\": 1}\n{\"a\": \"\xFF\"}\n")});
	assert_int_equal(scan1(src, &s, &err), ASSAY_EINPUT);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.column, 8);
	assert_string_equal(err.message, "invalid UTF-8 byte 0xff");
	assay_source_free(src);

	assert_int_equal(
	    assay_source_open(&src, &(struct assay_source_opts){.path = WRITE("e.jsonl", "\n \n")}, &err),
	    ASSAY_EINPUT);
	assert_non_null(strstr(err.message, "is empty"));
	assert_int_equal(
	    assay_source_open(&src, &(struct assay_source_opts){.path = WRITE("h.jsonl", "\n{\"a\": 1\n")},
	                      &err),
	    ASSAY_EINPUT);
	assert_int_equal(err.line, 2);
	assert_int_equal(
	    assay_source_open(&src, &(struct assay_source_opts){.path = WRITE("o.jsonl", "{}\n")}, &err),
	    ASSAY_EINPUT);
}

static void jsonl_is_chosen_by_extension_or_option(void **state)
{
	const char *p = WRITE("data.txt", "{\"a\": \"x\"}\n");
	struct assay_source *src =
	    open_ok((struct assay_source_opts){.path = p, .format = ASSAY_FORMAT_JSONL});
	struct sink s;
	struct assay_error err;
	assert_int_equal(scan1(src, &s, &err), 0);
	assert_string_equal(s.text, "x\n");
	assay_source_free(src);
	src = open_ok((struct assay_source_opts){.path = WRITE("d.NDJSON", "{\"b\": 2}\n")});
	assert_string_equal(assay_source_colname(src, 0), "b");
	assay_source_free(src);
}

/* ---- numbers ------------------------------------------------------------- */

static void parse_ok(const char *s, double want)
{
	double d = 12345;
	if (assay_parse_double(s, strlen(s), &d) != 0)
		fail_msg("\"%s\" should parse", s);
	if (!(d == want || (isnan(d) && isnan(want))) || signbit(d) != signbit(want))
		fail_msg("\"%s\" -> %.17g, want %.17g", s, d, want);
}

static void numbers_parse_like_strtod(void **state)
{
	parse_ok("0", 0.0);
	parse_ok("-0", -0.0);
	parse_ok("+1.5", 1.5);
	parse_ok(".5", 0.5);
	parse_ok("5.", 5.0);
	parse_ok("0.1", 0.1);
	parse_ok("1e3", 1000.0);
	parse_ok("1E-3", 0.001);
	parse_ok("2.5e+2", 250.0);
	parse_ok("9007199254740993", 9007199254740992.0); /* 2^53 + 1 rounds to even */
	parse_ok("0.30000000000000004", 0.30000000000000004);
	parse_ok("1e400", INFINITY);
	parse_ok("1e-400", 0.0);
	parse_ok("4.9e-324", 4.9e-324);
	parse_ok("inf", INFINITY);
	parse_ok("-Infinity", -INFINITY);
	parse_ok("NaN", NAN);
	parse_ok("000000000000000000000000000001.5", 1.5);
	parse_ok("0.000000000000000000000000000001", 1e-30);
	const char *bad[] = {
	    "",    " ",    "1 ",   " 1",  ".",    "-",
	    "+",   "1e",   "1e+",  "e5",  "0x10", "1.2.3",
	    "1,5", "inff", "nan1", "--1", "1e5x", ("\xC2\xA0" /* a no-break space, then */ "1")};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		double d;
		if (assay_parse_double(bad[i], strlen(bad[i]), &d) == 0)
			fail_msg("\"%s\" should not parse", bad[i]);
	}
	/* the span, not the NUL, ends the number */
	double d;
	assert_int_equal(assay_parse_double("12345", 2, &d), 0);
	assert_true(d == 12.0);
}

static void random_numbers_round_like_strtod(void **state)
{
	srand(20240601);
	char buf[64];
	for (int i = 0; i < 200000; i++) {
		int n = 0;
		if (rand() % 2)
			buf[n++] = '-';
		int digits = 1 + rand() % (i % 4 == 0 ? 25 : 17);
		int dot = rand() % (digits + 1);
		for (int k = 0; k < digits; k++) {
			if (k == dot && rand() % 3)
				buf[n++] = '.';
			buf[n++] = (char)('0' + rand() % 10);
		}
		if (rand() % 3 == 0)
			n += sprintf(buf + n, "e%d", rand() % 700 - 350);
		buf[n] = '\0';
		double got, want = strtod(buf, NULL);
		assert_int_equal(assay_parse_double(buf, (size_t)n, &got), 0);
		if (memcmp(&got, &want, sizeof got) != 0)
			fail_msg("\"%s\": %.17g, strtod %.17g", buf, got, want);
	}
	/* and "%.17g" round trips of random doubles */
	for (int i = 0; i < 100000; i++) {
		uint64_t bits = ((uint64_t)rand() << 42) ^ ((uint64_t)rand() << 21) ^ (uint64_t)rand();
		double x;
		memcpy(&x, &bits, sizeof x);
		if (!isfinite(x))
			continue;
		int n = sprintf(buf, "%.17g", x);
		double got;
		assert_int_equal(assay_parse_double(buf, (size_t)n, &got), 0);
		assert_memory_equal(&got, &x, sizeof x);
	}
}

static void numbers_ignore_the_host_locale(void **state)
{
	if (!setlocale(LC_NUMERIC, "de_DE.UTF-8") && !setlocale(LC_NUMERIC, "fr_FR.UTF-8"))
		skip();
	double d;
	/* 20 digits take the strtod path */
	assert_int_equal(assay_parse_double("0.12345678901234567891", 22, &d), 0);
	setlocale(LC_NUMERIC, "C");
	assert_true(d == strtod("0.12345678901234567891", NULL));
}

/* ---- real data ----------------------------------------------------------- */

struct compas {
	const struct assay_source *src;
	long race, score_text, decile;
	uint64_t rows, african_american, score_na;
	double decile_sum;
};

static int compas_row(void *ctx, const struct assay_row *row, struct assay_error *err)
{
	struct compas *c = ctx;
	const struct assay_field *race = &row->fields[c->race], *st = &row->fields[c->score_text];
	c->rows++;
	c->african_american += race->len == 16 && memcmp(race->p, "African-American", 16) == 0;
	c->score_na += st->len == 3 && memcmp(st->p, "N/A", 3) == 0;
	assert_false(assay_source_is_na(c->src, st));
	double d;
	if (assay_parse_double(row->fields[c->decile].p, row->fields[c->decile].len, &d))
		return assay_error_set(err, ASSAY_EINPUT, NULL, row->line, row->fields[c->decile].column,
		                       "bad decile");
	c->decile_sum += d;
	return 0;
}

static void compas_reset(void *ctx)
{
	struct compas *c = ctx;
	c->rows = c->african_american = c->score_na = 0;
	c->decile_sum = 0;
}

/* n worker contexts on src, their columns looked up. */
static void compas_contexts(struct assay_source *src, struct compas *c, void **ctx, int n)
{
	struct assay_error err;
	for (int i = 0; i < n; i++) {
		c[i].src = src;
		c[i].race = assay_source_column(src, "race", "--group", &err);
		c[i].score_text = assay_source_column(src, "score_text", NULL, &err);
		c[i].decile = assay_source_column(src, "decile_score", NULL, &err);
		ctx[i] = &c[i];
	}
}

/* The workers' totals. */
static struct compas compas_sum(const struct compas *c, int n)
{
	struct compas sum = {0};
	for (int i = 0; i < n; i++) {
		sum.rows += c[i].rows;
		sum.african_american += c[i].african_american;
		sum.score_na += c[i].score_na;
		sum.decile_sum += c[i].decile_sum;
	}
	return sum;
}

static void compas_loads_with_one_or_many_workers(void **state)
{
	char path[512];
	snprintf(path, sizeof path, "%s/data/compas/compas-scores-two-years.csv", ASSAY_SHARED);
	if (access(path, R_OK) != 0)
		skip();
	struct compas first = {0};
	for (int threads = 1; threads <= 4; threads++) {
		struct assay_source *src = open_ok((struct assay_source_opts){
		    .path = path, .threads = threads, .min_split_bytes = 4096, .block_bytes = 65536});
		assert_int_equal(assay_source_ncols(src), 53);
		struct assay_error err;
		struct compas c[4] = {0};
		void *ctx[4];
		compas_contexts(src, c, ctx, 4);
		assert_int_equal(c[0].decile, 11); /* the first of two decile_score columns */
		struct assay_source_stats st;
		assert_int_equal(assay_source_scan(src, compas_row, compas_reset, ctx, &st, &err), 0);
		struct compas sum = compas_sum(c, 4);
		assert_int_equal(sum.rows, 7214);
		assert_int_equal(st.rows, 7214);
		assert_int_equal(sum.african_american, 3696);
		if (threads == 1)
			first = sum;
		assert_int_equal(sum.score_na, first.score_na);
		assert_true(sum.decile_sum == first.decile_sum);
		assert_int_equal(strlen(st.sha256_hex), 64);
		if (threads > 1)
			assert_int_equal(st.workers_used, threads);
		assay_source_free(src);
	}
}

/* Automatic threads: a worker per core takes chunks of the mapped file
 * (4 KiB blocks: ~2,000 chunks); the totals are those of one worker,
 * whatever each took. */
static void compas_loads_with_automatic_threads(void **state)
{
	char path[512];
	snprintf(path, sizeof path, "%s/data/compas/compas-scores-two-years.csv", ASSAY_SHARED);
	if (access(path, R_OK) != 0)
		skip();
	int shared = 0;
	for (int run = 0; run < 5; run++) {
		struct assay_source *src = open_ok(
		    (struct assay_source_opts){.path = path, .min_split_bytes = 4096, .block_bytes = 4096});
		int nw = assay_source_max_workers(src);
		struct compas *c = calloc((size_t)nw, sizeof *c);
		void **ctx = calloc((size_t)nw, sizeof *ctx);
		assert_non_null(c);
		assert_non_null(ctx);
		struct assay_error err;
		compas_contexts(src, c, ctx, nw);
		struct assay_source_stats st;
		assert_int_equal(assay_source_scan(src, compas_row, compas_reset, ctx, &st, &err), 0);
		struct compas sum = compas_sum(c, nw);
		assert_int_equal(sum.rows, 7214);
		assert_int_equal(st.rows, 7214);
		assert_int_equal(sum.african_american, 3696);
		assert_true(sum.decile_sum == 32532); /* Python csv: the first decile_score column */
		shared += st.workers_used > 1;
		free(c);
		free(ctx);
		assay_source_free(src);
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
		assert_true(shared > 0);
}

/* assay_source_set_range_fn: a worker is told where each range of rows it
 * is handed starts, and the rows up to the next call are the range's, in
 * file order. Logged per worker (offset, first row, rows), sorted by
 * offset, the ranges tile the rows: each starts where the rows before it
 * end, whatever the split (1 or 3 workers, mapped or read, blocks of 64
 * bytes to 4 KiB, a quoted line break that makes the mapped pass scan
 * again on one worker). */
struct range_log {
	struct {
		uint64_t off;
		long first, rows;
	} r[4096];
	size_t n;
	int bad;
};

static void range_log_begin(void *ctx, uint64_t off)
{
	struct range_log *l = ctx;
	if (l->n == 4096) {
		l->bad = 1;
		return;
	}
	l->r[l->n].off = off;
	l->r[l->n].first = -1;
	l->r[l->n++].rows = 0;
}

static int range_log_row(void *ctx, const struct assay_row *row, struct assay_error *err)
{
	(void)err;
	struct range_log *l = ctx;
	long i = strtol(row->fields[0].p, NULL, 10);
	if (!l->n) {
		l->bad = 1;
		return 0;
	}
	if (l->r[l->n - 1].first < 0)
		l->r[l->n - 1].first = i;
	else if (i != l->r[l->n - 1].first + l->r[l->n - 1].rows)
		l->bad = 1; /* not the next row of the file */
	l->r[l->n - 1].rows++;
	return 0;
}

static void range_log_reset(void *ctx)
{
	struct range_log *l = ctx;
	l->n = 0;
	l->bad = 0;
}

static int cmp_range_off(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static void ranges_tell_where_each_row_is(void **state)
{
	(void)state;
	enum { ROWS = 3000 };
	char *csv = malloc((size_t)ROWS * 32 + 32);
	uint64_t *at = malloc(ROWS * sizeof *at); /* each row's first byte */
	size_t o = (size_t)sprintf(csv, "i,t\n");
	for (int i = 0; i < ROWS; i++) {
		at[i] = o;
		o += (size_t)sprintf(csv + o, "%d,%s\n", i, i == 2000 ? "\"a\nb\"" : i % 3 ? "x" : "\"y,z\"");
	}
	const char *path = write_text("ranges.csv", csv);
	free(csv);
	static const size_t blocks[] = {64, 1000, 4096};
	for (int threads = 1; threads <= 3; threads += 2)
		for (size_t b = 0; b < 3; b++)
			for (int no_map = 0; no_map <= 1; no_map++) {
				struct assay_source *src =
				    open_ok((struct assay_source_opts){.path = path,
				                                       .threads = threads,
				                                       .min_split_bytes = 1,
				                                       .block_bytes = blocks[b],
				                                       .no_map = no_map});
				int nw = assay_source_max_workers(src);
				struct range_log *logs = calloc((size_t)nw, sizeof *logs);
				void *ctx[8];
				for (int k = 0; k < nw; k++)
					ctx[k] = &logs[k];
				assay_source_set_range_fn(src, range_log_begin);
				struct assay_error err;
				assert_int_equal(
				    assay_source_scan(src, range_log_row, range_log_reset, ctx, NULL, &err),
				    0);
				size_t n = 0;
				for (int k = 0; k < nw; k++) {
					assert_false(logs[k].bad);
					n += logs[k].n;
				}
				struct {
					uint64_t off;
					long first, rows;
				} *all = malloc(n * sizeof *all);
				n = 0;
				for (int k = 0; k < nw; k++)
					for (size_t i = 0; i < logs[k].n; i++) {
						all[n].off = logs[k].r[i].off;
						all[n].first = logs[k].r[i].first;
						all[n++].rows = logs[k].r[i].rows;
					}
				qsort(all, n, sizeof *all, cmp_range_off);
				long next = 0;
				for (size_t i = 0; i < n; i++) {
					if (all[i].first != next || all[i].off != at[next])
						fail_msg("%d workers, blocks of %zu%s: the range at byte "
						         "%llu starts at row "
						         "%ld, not %ld (at byte %llu)",
						         threads, blocks[b], no_map ? ", read" : "",
						         (unsigned long long)all[i].off, all[i].first, next,
						         (unsigned long long)at[next]);
					next += all[i].rows;
				}
				assert_int_equal(next, ROWS);
				free(all);
				free(logs);
				assay_source_free(src);
			}
	free(at);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(missing_value_spellings),
	    cmocka_unit_test(unknown_columns_suggest_the_closest),
	    cmocka_unit_test(long_column_lists_are_truncated),
	    cmocka_unit_test(duplicate_names_first_wins),
	    cmocka_unit_test(bad_options_are_usage_errors),
	    cmocka_unit_test(jsonl_rows_keep_number_literals),
	    cmocka_unit_test(jsonl_errors_are_located),
	    cmocka_unit_test(jsonl_is_chosen_by_extension_or_option),
	    cmocka_unit_test(numbers_parse_like_strtod),
	    cmocka_unit_test(random_numbers_round_like_strtod),
	    cmocka_unit_test(numbers_ignore_the_host_locale),
	    cmocka_unit_test(compas_loads_with_one_or_many_workers),
	    cmocka_unit_test(compas_loads_with_automatic_threads),
	    cmocka_unit_test(projection_stores_only_what_is_read),
	    cmocka_unit_test(projection_still_refuses_ragged_rows),
	    cmocka_unit_test(ranges_tell_where_each_row_is),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
