/* test_csv.c: the CSV source (RFC 4180) as a user meets it: what a file
 * becomes as rows, which files are errors and where the error points, and
 * that splitting a file over workers changes nothing but the speed.
 *
 * Each test writes its input into a fresh temporary directory. Rows are
 * collected as text ("a|b|<NA>" per row) by worker; concatenating the
 * workers' texts in worker order gives file order, because worker k reads
 * the k-th range of the file.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "testdir.h"

#include "assay/source.h"

/* ---- helpers ------------------------------------------------------------- */

struct sink {
	const struct assay_source *src;
	char *text;
	size_t len, cap;
	uint64_t rows;
	int resets;
	const char *fail_on; /* fail the row whose first field is this */
	uint64_t digest;     /* sum of the rows' FNV-1a hashes: the rows as a multiset */
};

static void append(struct sink *s, const char *p, size_t n)
{
	if (s->len + n + 1 > s->cap) {
		s->cap = (s->len + n + 1) * 2;
		s->text = realloc(s->text, s->cap);
		assert_non_null(s->text);
	}
	memcpy(s->text + s->len, p, n);
	s->len += n;
	s->text[s->len] = '\0';
}

static int collect(void *ctx, const struct assay_row *row, struct assay_error *err)
{
	struct sink *s = ctx;
	assert_int_equal(row->nfields, assay_source_ncols(s->src));
	if (s->fail_on && row->fields[0].len == strlen(s->fail_on) &&
	    memcmp(row->fields[0].p, s->fail_on, row->fields[0].len) == 0)
		return assay_error_set(err, ASSAY_EINPUT, NULL, row->line, row->fields[1].column,
		                       "row function refused \"%s\"", s->fail_on);
	size_t row_start = s->len;
	for (size_t i = 0; i < row->nfields; i++) {
		if (i)
			append(s, "|", 1);
		if (assay_source_is_na(s->src, &row->fields[i]))
			append(s, "<NA>", 4);
		else
			append(s, row->fields[i].p, row->fields[i].len);
	}
	append(s, "\n", 1);
	uint64_t h = 14695981039346656037u;
	for (size_t i = row_start; i < s->len; i++)
		h = (h ^ (unsigned char)s->text[i]) * 1099511628211u;
	s->digest += h;
	s->rows++;
	return 0;
}

static void reset_sink(void *ctx)
{
	struct sink *s = ctx;
	s->len = 0;
	s->rows = 0;
	s->digest = 0;
	s->resets++;
	if (s->text)
		s->text[0] = '\0';
}

struct result {
	int rc;
	struct assay_error err;
	struct assay_source_stats st;
	char *text; /* all rows, in the order of the worker contexts */
	uint64_t digest;
	int resets;
};

/* Open and scan; on an open error, rc and err say so. */
static struct result scan_opts(struct assay_source_opts o, const char *fail_on)
{
	struct result r = {0};
	struct assay_source *src = NULL;
	r.rc = assay_source_open(&src, &o, &r.err);
	if (r.rc)
		return r;
	int n = assay_source_max_workers(src);
	struct sink *sinks = calloc((size_t)n, sizeof *sinks);
	void **ctx = calloc((size_t)n, sizeof *ctx);
	for (int i = 0; i < n; i++) {
		sinks[i].src = src;
		sinks[i].fail_on = fail_on;
		ctx[i] = &sinks[i];
	}
	r.rc = assay_source_scan(src, collect, reset_sink, ctx, &r.st, &r.err);
	struct sink all = {0};
	append(&all, "", 0);
	for (int i = 0; i < n; i++) {
		if (sinks[i].text)
			append(&all, sinks[i].text, sinks[i].len);
		r.resets += sinks[i].resets;
		r.digest += sinks[i].digest;
		free(sinks[i].text);
	}
	r.text = all.text;
	free(sinks);
	free(ctx);
	assay_source_free(src);
	return r;
}

static struct result scan_path(const char *path)
{
	return scan_opts((struct assay_source_opts){.path = path}, NULL);
}

static void expect_rows(const char *path, const char *rows)
{
	struct result r = scan_path(path);
	if (r.rc) {
		char buf[2048];
		assay_error_format(&r.err, buf, sizeof buf);
		fail_msg("%s", buf);
	}
	assert_string_equal(r.text, rows);
	free(r.text);
}

static void expect_error(struct result r, int code, uint64_t line, uint64_t column, const char *message_part)
{
	char buf[2048];
	assay_error_format(&r.err, buf, sizeof buf);
	assert_int_equal(r.rc, code);
	assert_int_equal(r.err.code, code);
	if (r.err.line != line || r.err.column != column || !strstr(r.err.message, message_part))
		fail_msg("expected %llu:%llu \"%s\", got: %s", (unsigned long long)line,
		         (unsigned long long)column, message_part, buf);
	assert_non_null(strstr(r.err.file, tmpdir));
	free(r.text);
}

/* ---- RFC 4180 ------------------------------------------------------------ */

static void quoted_fields_hold_delimiters_quotes_and_line_breaks(void **state)
{
	expect_rows(WRITE("q.csv", "a,b,c\n"
	                           "\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\n"
	                           "\"\",\"crlf\r\ninside\",\"\"\"\"\n"
	                           "plain,\"\",3\n"),
	            "x,y|say \"hi\"|two\nlines\n"
	            "<NA>|crlf\r\ninside|\"\n"
	            "plain|<NA>|3\n");
}

static void crlf_and_lf_line_ends_and_a_last_line_without_one(void **state)
{
	expect_rows(WRITE("crlf.csv", "a,b\r\n1,2\r\n3,4\n5,\"6\"\r\n7,8"), "1|2\n3|4\n5|6\n7|8\n");
	expect_rows(WRITE("crlf2.csv", "a,b\r\n1,\"2\"\r"), "1|2\n");
}

static void a_utf8_bom_is_skipped(void **state)
{
	const char *p = WRITE("bom.csv", "\xEF\xBB\xBFid,name\n1,Jos\xC3\xA9\n");
	struct assay_source *src;
	struct assay_error err;
	assert_int_equal(assay_source_open(&src, &(struct assay_source_opts){.path = p}, &err), 0);
	assert_string_equal(assay_source_colname(src, 0), "id");
	assay_source_free(src);
	expect_rows(p, "1|Jos\xC3\xA9\n");
}

static void other_delimiters(void **state)
{
	struct result r = scan_opts(
	    (struct assay_source_opts){.path = WRITE("semi.csv", "a;b\n1,5;\"x;y\"\n"), .delimiter = ';'},
	    NULL);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.text, "1,5|x;y\n");
	free(r.text);
	r = scan_opts(
	    (struct assay_source_opts){.path = WRITE("tab.tsv", "a\tb\n1 2\t3\n"), .delimiter = '\t'}, NULL);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.text, "1 2|3\n");
	free(r.text);
}

static void no_header_takes_the_names_given(void **state)
{
	const char *cols[] = {"y", "score"};
	const char *p = WRITE("nohdr.csv", "1,0.5\n0,0.25\n");
	struct result r = scan_opts(
	    (struct assay_source_opts){.path = p, .no_header = 1, .columns = cols, .ncolumns = 2}, NULL);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.text, "1|0.5\n0|0.25\n");
	free(r.text);
	const char *three[] = {"a", "b", "c"};
	r = scan_opts((struct assay_source_opts){.path = p, .no_header = 1, .columns = three, .ncolumns = 3},
	              NULL);
	expect_error(r, ASSAY_EINPUT, 1, 1, "3 column names were given but the first row has 2 fields");
}

static void a_quote_inside_an_unquoted_field_is_literal(void **state)
{
	expect_rows(WRITE("lit.csv", "a,b\n5'10\",ab\"c\n"), "5'10\"|ab\"c\n");
}

static void blank_lines_at_the_end_are_ignored(void **state)
{
	expect_rows(WRITE("tail.csv", "a,b\n1,2\n\n\r\n\n"), "1|2\n");
	expect_rows(WRITE("hdr.csv", "a,b\n"), "");
	expect_rows(WRITE("hdr2.csv", "a,b"), "");
}

static void a_blank_line_in_the_middle_is_a_ragged_row(void **state)
{
	expect_error(scan_path(WRITE("mid.csv", "a,b\n1,2\n\n3,4\n")), ASSAY_EINPUT, 3, 1,
	             "row has 1 field, the header has 2");
}

static void with_one_column_a_blank_line_is_an_empty_field(void **state)
{
	expect_rows(WRITE("one.csv", "x\n1\n\n2\n\n"), "1\n<NA>\n2\n");
}

/* ---- errors -------------------------------------------------------------- */

static void a_ragged_row_is_located(void **state)
{
	struct result r =
	    scan_path(WRITE("rag.csv", "a,b,c,d,e\n1,2,3,4,5\n\"x\ny\",2,3,4,5\n1,2,3\n1,2,3,4,5\n"));
	assert_non_null(strstr(r.err.hint, "quoted"));
	expect_error(r, ASSAY_EINPUT, 5, 1, "row has 3 fields, the header has 5");
	expect_error(scan_path(WRITE("rag2.csv", "a,b\n1,2,3\n")), ASSAY_EINPUT, 2, 1,
	             "row has 3 fields, the header has 2");
}

static void an_unterminated_quote_points_at_its_opening(void **state)
{
	expect_error(scan_path(WRITE("open.csv", "a,b\n1,2\n3,\"four\n5,6\n")), ASSAY_EINPUT, 3, 3,
	             "quoted field is not closed");
	expect_error(scan_path(WRITE("openhdr.csv", "a,\"b\n")), ASSAY_EINPUT, 1, 3,
	             "quoted field is not closed");
}

static void text_after_a_closing_quote_is_an_error(void **state)
{
	expect_error(scan_path(WRITE("after.csv", "a,b\n\"x\"y,2\n")), ASSAY_EINPUT, 2, 4,
	             "unexpected 'y' after the closing quote");
}

static void invalid_utf8_is_located_with_a_hint(void **state)
{
	struct result r = scan_path(WRITE("latin1.csv", "name,city\nJos\xE9,Par\xEDs\n"));
	assert_non_null(strstr(r.err.hint, "iconv -f latin1 -t utf-8"));
	expect_error(r, ASSAY_EINPUT, 2, 4, "invalid UTF-8 byte 0xe9");
	expect_error(scan_path(WRITE("ff.csv", "a,b\n1,2\n3,\"x\nab\xFF\"\n")), ASSAY_EINPUT, 4, 3,
	             "invalid UTF-8 byte 0xff");
	expect_error(scan_path(WRITE("overlong.csv", "a\n\xC0\xAF\n")), ASSAY_EINPUT, 2, 1, "0xc0");
	expect_error(scan_path(WRITE("surrogate.csv", "a\nx\xED\xA0\x80\n")), ASSAY_EINPUT, 2, 2, "0xed");
	expect_error(scan_path(WRITE("big.csv", "a\n\xF4\x90\x80\x80\n")), ASSAY_EINPUT, 2, 1, "0xf4");
	expect_error(scan_path(WRITE("cut.csv", "a,b\n\xE2\x82,1\n")), ASSAY_EINPUT, 2, 1, "0xe2");
	expect_error(scan_path(WRITE("hdrbad.csv", "id,na\xFFme\n1,2\n")), ASSAY_EINPUT, 1, 6, "0xff");
	/* valid: 2, 3 and 4 byte sequences, U+10FFFF, U+FFFD */
	expect_rows(WRITE("ok.csv", "a\n\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\xEF\xBF\xBD\n"),
	            "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\xEF\xBF\xBD\n");
}

static void missing_empty_and_unreadable_files(void **state)
{
	char missing[256];
	snprintf(missing, sizeof missing, "%s/nope.csv", tmpdir);
	struct result r = scan_path(missing);
	assert_int_equal(r.rc, ASSAY_EIO);
	assert_non_null(strstr(r.err.message, "No such file or directory"));
	assert_string_equal(r.err.file, missing);

	r = scan_path(WRITE("empty.csv", ""));
	assert_int_equal(r.rc, ASSAY_EINPUT);
	assert_non_null(strstr(r.err.message, "is empty: expected a header row"));
	r = scan_path(WRITE("bomonly.csv", "\xEF\xBB\xBF"));
	assert_int_equal(r.rc, ASSAY_EINPUT);
	assert_non_null(strstr(r.err.message, "is empty"));

	r = scan_path(tmpdir);
	assert_int_equal(r.rc, ASSAY_EIO);
	assert_non_null(strstr(r.err.message, "directory"));

	if (geteuid() != 0) { /* root reads anything */
		const char *p = WRITE("secret.csv", "a\n1\n");
		chmod(p, 0);
		r = scan_path(p);
		assert_int_equal(r.rc, ASSAY_EIO);
		assert_non_null(strstr(r.err.message, "Permission denied"));
	}
}

static void errors_from_the_row_function_get_file_and_line(void **state)
{
	const char *p = WRITE("cb.csv", "a,b\n1,\"x\ny\"\nboom,2\n");
	struct result r = scan_opts((struct assay_source_opts){.path = p}, "boom");
	expect_error(r, ASSAY_EINPUT, 4, 6, "row function refused");
}

/* ---- parallel scans ------------------------------------------------------ */

/* A file of n rows with quoted fields, escapes, CRLFs and quoted line
 * breaks; returns its text. */
static char *make_rows(size_t n, size_t *len)
{
	struct sink s = {0};
	append(&s, "id,text,score\n", 14);
	char row[256];
	for (size_t i = 0; i < n; i++) {
		int k;
		switch (i % 5) {
		case 0:
			k = snprintf(row, sizeof row, "%zu,plain %zu,0.%zu\n", i, i * 7, i % 1000);
			break;
		case 1:
			k = snprintf(row, sizeof row, "%zu,\"quoted, with \"\"escapes\"\"\",%zu\r\n", i, i);
			break;
		case 2:
			k = snprintf(row, sizeof row, "%zu,\"line\nbreak %zu\",1e-%zu\n", i, i, i % 300);
			break;
		case 3:
			k = snprintf(row, sizeof row, "%zu,caf\xC3\xA9 %zu,\n", i, i);
			break;
		default:
			k = snprintf(row, sizeof row, "%zu,\"\",NA\n", i);
			break;
		}
		append(&s, row, (size_t)k);
	}
	*len = s.len;
	return s.text;
}

static void workers_deliver_the_same_rows_as_one(void **state)
{
	size_t len;
	char *data = make_rows(20000, &len);
	const char *p = write_file("par.csv", data, len);
	struct result one = scan_opts((struct assay_source_opts){.path = p, .threads = 1}, NULL);
	assert_int_equal(one.rc, 0);
	assert_int_equal(one.st.rows, 20000);
	assert_int_equal(one.st.workers_used, 1);
	for (int threads = 2; threads <= 7; threads++) {
		for (size_t block = 64; block <= 65536; block *= 32) {
			/* the mapped pass, and the read pass (no_map) */
			struct result r = scan_opts((struct assay_source_opts){.path = p,
			                                                       .threads = threads,
			                                                       .min_split_bytes = 1,
			                                                       .block_bytes = block,
			                                                       .no_map = threads % 2,
			                                                       .narrow = threads > 4},
			                            NULL);
			assert_int_equal(r.rc, 0);
			assert_int_equal(r.st.rows, 20000);
			/* chunks go to whichever thread is free: the same rows,
			 * each context's in file order, in another interleaving */
			assert_true(r.digest == one.digest);
			assert_string_equal(r.st.sha256_hex, one.st.sha256_hex);
			free(r.text);
		}
	}
	free(one.text);
	free(data);
}

/* Automatic threads: every core's worker takes 64-byte chunks of the
 * mapped file and hashes them in turn (scan_map.c): the same rows, errors
 * and hash as one worker, spread over the contexts. */
static void automatic_threads_share_the_chunks(void **state)
{
	size_t len;
	char *data = make_rows(20000, &len);
	const char *p = write_file("steal.csv", data, len);
	struct result one = scan_opts((struct assay_source_opts){.path = p, .threads = 1}, NULL);
	assert_int_equal(one.rc, 0);
	int shared = 0;
	for (int run = 0; run < 10; run++) {
		struct result r = scan_opts(
		    (struct assay_source_opts){.path = p, .min_split_bytes = 1, .block_bytes = 64}, NULL);
		assert_int_equal(r.rc, 0);
		assert_int_equal(r.st.rows, 20000);
		assert_true(r.digest == one.digest);
		/* cuts are placed by quote parity, so none falls inside the
		 * quoted line breaks of every fifth row: no second pass */
		assert_int_equal(r.resets, 0);
		assert_string_equal(r.st.sha256_hex, one.st.sha256_hex);
		shared += r.st.workers_used > 1;
		free(r.text);
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
		assert_true(shared > 0);
	/* an error far into the file still names its physical line, and one
	 * raised by the row function too */
	memcpy(strstr(data, "\n19990,") + 1, "19990,\"x\"y", 10);
	p = write_file("steal.csv", data, len);
	for (int run = 0; run < 5; run++) {
		struct result r = scan_opts(
		    (struct assay_source_opts){.path = p, .min_split_bytes = 1, .block_bytes = 64}, NULL);
		/* header, 19990 rows, 3998 of them (i % 5 == 2) two lines long */
		expect_error(r, ASSAY_EINPUT, 1 + 19990 + 3998 + 1, 10, "after the closing quote");
	}
	for (int run = 0; run < 5; run++) {
		struct result r = scan_opts(
		    (struct assay_source_opts){.path = p, .min_split_bytes = 1, .block_bytes = 64}, "15000");
		/* header, 15000 rows, 3000 of them two lines long */
		expect_error(r, ASSAY_EINPUT, 1 + 15000 + 3000 + 1, 7, "row function refused");
	}
	free(one.text);
	free(data);
}

/* Scan data with two workers and 64-byte chunks; it must give the rows of
 * a sequential scan. Returns 1 when the scan had to start again. */
static int split_scan(const struct sink *s)
{
	const char *p = write_file("split.csv", s->text, s->len);
	struct result one = scan_opts((struct assay_source_opts){.path = p, .threads = 1}, NULL);
	struct result two = scan_opts(
	    (struct assay_source_opts){.path = p, .threads = 2, .min_split_bytes = 1, .block_bytes = 64},
	    NULL);
	assert_int_equal(one.rc, 0);
	assert_int_equal(two.rc, 0);
	assert_int_equal(two.st.rows, one.st.rows);
	assert_string_equal(two.st.sha256_hex, one.st.sha256_hex);
	if (two.resets) {
		/* every context was reset once; worker 0 rescanned alone */
		assert_int_equal(two.resets, 2);
		assert_int_equal(two.st.workers_used, 1);
		assert_string_equal(two.text, one.text);
	}
	assert_true(two.digest == one.digest);
	assert_non_null(strstr(two.text, "2|l0\nl1\nl2\n"));
	int again = two.resets > 0;
	free(one.text);
	free(two.text);
	return again;
}

/* Chunks are cut at line starts (scan_map.c): while no '"' has been seen
 * in the first chunk nor a quoted line break anywhere, at the first LF
 * after the cut, which can lie inside a quoted field; then by quote
 * parity, which a literal '"' in an unquoted field (a"b, kept as text)
 * misleads. Either way the chunk before the cut ends inside quotes and the
 * scan starts again with one worker: the same rows as a sequential scan. */
static void a_split_inside_a_quoted_line_break_rescans(void **state)
{
	/* no quote in the first chunk: the cut inside the field's 40 line
	 * breaks (longer than a chunk) is taken as a line start */
	struct sink s = {0};
	append(&s, "a,b\n", 4);
	for (int i = 0; i < 50; i++)
		append(&s, "1,x\n", 4);
	append(&s, "2,\"", 3);
	for (int i = 0; i < 40; i++) {
		char l[16];
		append(&s, l, (size_t)snprintf(l, sizeof l, "l%d\n", i));
	}
	append(&s, "\"\n", 2);
	for (int i = 0; i < 50; i++)
		append(&s, "3,y\n", 4);
	assert_true(split_scan(&s));
	free(s.text);
	/* a quoted field in the first chunk: cuts by parity, which the literal
	 * quote before the multi-line field turns around; shifted by 0..63
	 * bytes so that a cut falls between the two */
	int rescanned = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		struct sink t = {0};
		append(&t, "a,b\n0,\"q\"\n", 10);
		for (int i = 0; i < 20 + shift; i++)
			append(&t, i % 2 ? "1,x\n" : "1,xy\n", i % 2 ? 4 : 5);
		append(&t, "4,a\"b\n", 6);
		for (int i = 0; i < 40; i++)
			append(&t, "5,z\n", 4);
		append(&t, "2,\"l0\nl1\nl2\n\"\n", 14);
		for (int i = 0; i < 50; i++)
			append(&t, "3,y\n", 4);
		rescanned += split_scan(&t);
		free(t.text);
	}
	assert_true(rescanned > 0);
}

/* Errors in two ranges: the earlier one in the file is reported, with its
 * physical line, whichever worker fails first. */
static void the_first_error_in_file_order_wins(void **state)
{
	struct sink s = {0};
	append(&s, "a,b\n", 4);
	for (int i = 0; i < 4000; i++) {
		if (i == 1500)
			append(&s, "1,2,3\n", 6); /* line 1502 */
		else if (i == 3500)
			append(&s, "\xFF,2\n", 4);
		else if (i % 2)
			append(&s, "\"q\nq\",1\n", 8); /* two lines */
		else
			append(&s, "1,2\n", 4);
	}
	const char *p = write_file("twoerr.csv", s.text, s.len);
	/* lines before the bad row: header + 750 two-line rows + 750 one-line rows */
	uint64_t line = 1 + 750 * 2 + 750 + 1;
	for (int threads = 1; threads <= 4; threads++) {
		for (int no_map = 0; no_map < 2; no_map++) {
			struct result r = scan_opts((struct assay_source_opts){.path = p,
			                                                       .threads = threads,
			                                                       .min_split_bytes = 1,
			                                                       .no_map = no_map,
			                                                       .narrow = threads % 2},
			                            NULL);
			expect_error(r, ASSAY_EINPUT, line, 1, "row has 3 fields");
		}
	}
	/* and an error raised by the row function in a later range */
	memcpy(strstr(s.text, "1,2,3\n"), "bom,3\n", 6);
	p = write_file("twoerr.csv", s.text, s.len);
	for (int threads = 1; threads <= 4; threads++) {
		struct result r = scan_opts(
		    (struct assay_source_opts){
		        .path = p, .threads = threads, .min_split_bytes = 1, .block_bytes = 100},
		    "bom");
		expect_error(r, ASSAY_EINPUT, line, 5, "row function refused");
	}
	free(s.text);
}

static void a_row_longer_than_a_block_grows_the_buffer(void **state)
{
	struct sink s = {0};
	append(&s, "a,b\n1,\"", 7);
	for (int i = 0; i < 5000; i++)
		append(&s, "long \"\"text\"\"\n", 14);
	append(&s, "\"\n2,short\n", 10);
	const char *p = write_file("long.csv", s.text, s.len);
	/* the read pass, then the mapped pass (the row spans ~270 chunks,
	 * which it leaves empty; its "" are unescaped in a copy of the row) */
	for (int mapped = 0; mapped < 2; mapped++) {
		struct result r = scan_opts(
		    (struct assay_source_opts){.path = p, .block_bytes = 256, .min_split_bytes = mapped},
		    NULL);
		assert_int_equal(r.rc, 0);
		assert_int_equal(r.st.rows, 2);
		assert_int_equal(strlen(r.text), 2 + 5000 * 12 + 1 + 8);
		assert_non_null(strstr(r.text, "1|long \"text\"\nlong"));
		free(r.text);
	}
	free(s.text);
}

/* The mapped pass tokenizes in place, reading up to 64 bytes past a
 * chunk's rows; where that would pass the end of the mapping's last page,
 * the last chunk is copied first. Files ending 0 to 80 bytes before a page
 * boundary, without and with a final line break: the rows and hash of one
 * worker. */
static void files_ending_near_a_page_boundary(void **state)
{
	for (size_t gap = 0; gap <= 80; gap += 5) {
		for (int lf = 0; lf < 2; lf++) {
			struct sink s = {0};
			append(&s, "a,b\n", 4);
			while (s.len < 3 * 4096 - gap - 12)
				append(&s, "12,\"q\"\"x\"\n", 10);
			while (s.len < 3 * 4096 - gap - 1)
				append(&s, "9", 1);
			append(&s, lf ? ",\n" : ",z", 2);
			const char *p = write_file("edge.csv", s.text, s.len);
			struct result one =
			    scan_opts((struct assay_source_opts){.path = p, .threads = 1}, NULL);
			struct result two = scan_opts(
			    (struct assay_source_opts){
			        .path = p, .threads = 2, .min_split_bytes = 1, .block_bytes = 512},
			    NULL);
			assert_int_equal(one.rc, 0);
			assert_int_equal(two.rc, 0);
			assert_int_equal(two.st.rows, one.st.rows);
			assert_true(two.digest == one.digest);
			assert_string_equal(two.st.sha256_hex, one.st.sha256_hex);
			free(one.text);
			free(two.text);
			free(s.text);
		}
	}
}

/* assay_source_scan_start returns with every row delivered; the input's
 * hash (still running on another thread in the mapped pass) comes from
 * _finish, even after the source is freed, and equals one worker's. */
static void a_started_scan_has_its_rows_before_its_hash(void **state)
{
	size_t len;
	char *data = make_rows(20000, &len);
	const char *p = write_file("start.csv", data, len);
	struct result one = scan_opts((struct assay_source_opts){.path = p, .threads = 1}, NULL);
	assert_int_equal(one.rc, 0);
	for (int run = 0; run < 5; run++) {
		struct assay_source *src = NULL;
		struct assay_error err;
		assert_int_equal(
		    assay_source_open(&src, &(struct assay_source_opts){.path = p, .min_split_bytes = 1},
		                      &err),
		    0);
		int n = assay_source_max_workers(src);
		struct sink *sinks = calloc((size_t)n, sizeof *sinks);
		void **ctx = calloc((size_t)n, sizeof *ctx);
		for (int i = 0; i < n; i++) {
			sinks[i].src = src;
			ctx[i] = &sinks[i];
		}
		struct assay_source_pending *pending = NULL;
		assert_int_equal(assay_source_scan_start(src, collect, reset_sink, ctx, &pending, &err), 0);
		uint64_t rows = 0, digest = 0;
		for (int i = 0; i < n; i++) {
			rows += sinks[i].rows;
			digest += sinks[i].digest;
			free(sinks[i].text);
		}
		assert_int_equal(rows, 20000);
		assert_true(digest == one.digest);
		assay_source_free(src);
		struct assay_source_stats st;
		assert_int_equal(assay_source_scan_finish(pending, &st, &err), 0);
		assert_int_equal(st.rows, 20000);
		assert_int_equal(st.bytes, len);
		assert_string_equal(st.sha256_hex, one.st.sha256_hex);
		free(sinks);
		free(ctx);
	}
	free(one.text);
	free(data);
}

static void the_scan_reports_the_file_sha256(void **state)
{
	struct result r = scan_path(WRITE("abc.csv", "abc"));
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.st.rows, 0);
	assert_int_equal(r.st.bytes, 3);
	assert_string_equal(r.st.sha256_hex,
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	free(r.text);
}

/* A caller that hashes the file itself (assay drift's two inputs,
 * assay_sha256_file_pair): the scan delivers the same rows without a hash,
 * and its mapped pass keeps within hash_lead_bytes of the progress the
 * caller publishes, here a thread that advances it 1 KiB every 0.2 ms. */
struct pacer {
	_Atomic uint64_t done;
	uint64_t size;
};

static void *pace(void *arg)
{
	struct pacer *pc = arg;
	while (atomic_load(&pc->done) < pc->size) {
		struct timespec ts = {0, 200000};
		nanosleep(&ts, NULL);
		atomic_fetch_add(&pc->done, 1024);
	}
	return NULL;
}

static void a_scan_without_its_hash_keeps_pace_with_the_callers(void **state)
{
	(void)state;
	size_t len;
	char *data = make_rows(20000, &len);
	const char *p = write_file("paced.csv", data, len);
	struct result one = scan_opts((struct assay_source_opts){.path = p, .threads = 1}, NULL);
	assert_int_equal(one.rc, 0);
	for (int threads = 1; threads <= 3; threads++) {
		struct pacer pc = {.size = len};
		atomic_init(&pc.done, 0);
		pthread_t th;
		assert_int_equal(pthread_create(&th, NULL, pace, &pc), 0);
		struct result r = scan_opts((struct assay_source_opts){.path = p,
		                                                       .threads = threads,
		                                                       .min_split_bytes = 1,
		                                                       .block_bytes = 4096,
		                                                       .no_hash = 1,
		                                                       .hashed = &pc.done,
		                                                       .hash_lead_bytes = 16384},
		                            NULL);
		/* the last chunk was taken once the progress was within the
		 * lead (16 KiB) and a chunk of the end; ignoring it, the scan
		 * of ~500 KB ends long before the pacer's ~0.1 s */
		uint64_t at_end = atomic_load(&pc.done);
		pthread_join(th, NULL);
		assert_int_equal(r.rc, 0);
		assert_int_equal(r.st.rows, 20000);
		assert_true(r.digest == one.digest);
		assert_string_equal(r.st.sha256_hex, ""); /* not computed */
		assert_true(at_end + 16384 + 4096 >= len);
		free(r.text);
	}
	free(one.text);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(quoted_fields_hold_delimiters_quotes_and_line_breaks),
	    cmocka_unit_test(crlf_and_lf_line_ends_and_a_last_line_without_one),
	    cmocka_unit_test(a_utf8_bom_is_skipped),
	    cmocka_unit_test(other_delimiters),
	    cmocka_unit_test(no_header_takes_the_names_given),
	    cmocka_unit_test(a_quote_inside_an_unquoted_field_is_literal),
	    cmocka_unit_test(blank_lines_at_the_end_are_ignored),
	    cmocka_unit_test(a_blank_line_in_the_middle_is_a_ragged_row),
	    cmocka_unit_test(with_one_column_a_blank_line_is_an_empty_field),
	    cmocka_unit_test(a_ragged_row_is_located),
	    cmocka_unit_test(an_unterminated_quote_points_at_its_opening),
	    cmocka_unit_test(text_after_a_closing_quote_is_an_error),
	    cmocka_unit_test(invalid_utf8_is_located_with_a_hint),
	    cmocka_unit_test(missing_empty_and_unreadable_files),
	    cmocka_unit_test(errors_from_the_row_function_get_file_and_line),
	    cmocka_unit_test(workers_deliver_the_same_rows_as_one),
	    cmocka_unit_test(automatic_threads_share_the_chunks),
	    cmocka_unit_test(a_split_inside_a_quoted_line_break_rescans),
	    cmocka_unit_test(the_first_error_in_file_order_wins),
	    cmocka_unit_test(a_row_longer_than_a_block_grows_the_buffer),
	    cmocka_unit_test(files_ending_near_a_page_boundary),
	    cmocka_unit_test(a_started_scan_has_its_rows_before_its_hash),
	    cmocka_unit_test(the_scan_reports_the_file_sha256),
	    cmocka_unit_test(a_scan_without_its_hash_keeps_pace_with_the_callers),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
