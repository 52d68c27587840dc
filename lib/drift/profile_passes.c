/* profile_passes.c: a profile build (assay_profile_build): the passes
 * over the source and what is made of them. Each pass gives every worker
 * its state (profile_build.c) and scans the source once with the row
 * loop (pb_on_row); the workers' columns are then merged
 * (profile_gather.c).
 *
 * Pass 1 profiles every selected column. A column is numeric if every
 * present value of every worker is a number; one that some worker found
 * categorical while another (or the same, earlier) saw numbers is
 * profiled again in pass 2, as categorical from the start. Files whose
 * categorical columns start with a string in every worker's range are
 * read once.
 *
 * Past the cap with several workers, a column is deferred in pass 1 and
 * profiled again so that a profile is the same bytes run after run and
 * for any number of threads (docs/profiles.md, "Determinism"): a numeric
 * column in pieces of rows on every worker (profile_pieces.c; pass 1 logs
 * where the ranges of rows each worker was handed start, for the rows'
 * numbers), a categorical one by one worker in file order
 * (sketch_in_order, pass 3). Every pass checks that the file's hash did
 * not change since pass 1.
 *
 * Last, the columns tagged private are withheld (withhold_private).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assay/deckey.h"
#include "profile_build_internal.h"
#include "profile_internal.h"

static int plan_alloc(struct row_plan *pl, size_t ncols)
{
	size_t n = ncols ? ncols : 1;
	pl->col = malloc(n * sizeof *pl->col);
	pl->src = malloc(n * sizeof *pl->src);
	pl->other = malloc(n * sizeof *pl->other);
	pl->k = malloc(n * sizeof *pl->k);
	pl->tab = malloc(n * sizeof *pl->tab);
	pl->keys = malloc((n + ASSAY_DECKEY_BATCH) * sizeof *pl->keys);
	return pl->col && pl->src && pl->other && pl->k && pl->tab && pl->keys ? 0 : -1;
}

static void plan_free(struct row_plan *pl)
{
	free(pl->col);
	free(pl->src);
	free(pl->other);
	free(pl->k);
	free(pl->tab);
	free(pl->keys);
	memset(pl, 0, sizeof *pl);
}

static void pass_free(struct pass *ps, size_t ncols)
{
	if (ps->w)
		for (int i = 0; i < ps->nw; i++) {
			plan_free(&ps->w[i].plan);
			pb_seglog_free(&ps->w[i].segs);
			if (!ps->w[i].col)
				continue;
			for (size_t j = 0; j < ncols; j++)
				pb_col_reset(&ps->w[i].col[j], V_NONE, 0);
			free(ps->w[i].col);
		}
	free(ps->w);
	free(ps->ctx);
	memset(ps, 0, sizeof *ps);
}

/* One scan into ps. sequential: without a reset function, so that a CSV
 * scan is one worker reading the file in order (assay_source_scan). */
static int run_pass(struct assay_source *src, const struct builder *b, struct pass *ps, int sequential,
                    struct assay_source_stats *st, struct assay_error *err)
{
	ps->nw = assay_source_max_workers(src);
	ps->w = calloc((size_t)ps->nw, sizeof *ps->w);
	ps->ctx = calloc((size_t)ps->nw, sizeof *ps->ctx);
	if (!ps->w || !ps->ctx)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	for (int i = 0; i < ps->nw; i++) {
		ps->w[i].b = b;
		ps->w[i].col = calloc(b->ncols ? b->ncols : 1, sizeof *ps->w[i].col);
		if (!ps->w[i].col || plan_alloc(&ps->w[i].plan, b->ncols))
			return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		pb_on_reset(&ps->w[i]);
		ps->ctx[i] = &ps->w[i];
	}
	if (b->log_ranges)
		assay_source_set_range_fn(src, pb_on_range);
	int rc = assay_source_scan(src, pb_on_row, sequential ? NULL : pb_on_reset, ps->ctx, st, err);
	assay_source_set_range_fn(src, NULL);
	if (rc)
		return rc;
	pb_flush_plans(ps);
	/* the counted form is this file's: the gathering sees the double form */
	for (int i = 0; i < ps->nw; i++)
		for (size_t j = 0; j < b->ncols; j++) {
			struct colbuild *c = &ps->w[i].col[j];
			if (c->nt.kc && pb_numtab_leave_keys(&c->nt, &c->min, &c->max))
				c->oom = 1;
		}
	for (int i = 0; i < ps->nw; i++)
		for (size_t j = 0; j < b->ncols; j++)
			if (ps->w[i].col[j].oom)
				return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0,
				                       "out of memory profiling column %zu", j + 1);
	return 0;
}

static int select_columns(struct assay_source *src, const struct assay_profile_opts *o, size_t *srccol,
                          size_t *n, struct assay_error *err)
{
	if (!o->columns || o->ncolumns == 0) {
		*n = assay_source_ncols(src);
		for (size_t i = 0; i < *n; i++)
			srccol[i] = i;
		return 0;
	}
	*n = 0;
	for (size_t i = 0; i < o->ncolumns; i++) {
		long k = assay_source_column(src, o->columns[i], "--columns", err);
		if (k < 0)
			return err->code ? err->code : ASSAY_EUSAGE;
		for (size_t t = 0; t < *n; t++)
			if (srccol[t] == (size_t)k)
				return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
				                       "--columns names \"%s\" twice", o->columns[i]);
		srccol[(*n)++] = (size_t)k;
	}
	return 0;
}

/* --private: withhold the values of the named columns (every column of
 * that name: a CSV may repeat one). A name not profiled is an error. */
static int withhold_private(struct assay_profile *p, const struct assay_profile_opts *o,
                            struct assay_error *err)
{
	for (size_t i = 0; i < o->nprivate; i++) {
		int found = 0;
		for (size_t j = 0; j < p->ncolumns; j++) {
			if (strcmp(p->columns[j].name, o->private_columns[i]) != 0)
				continue;
			found = 1;
			if (prof_column_withhold(&p->columns[j], p->topk))
				return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		}
		if (found)
			continue;
		const char **names = malloc((p->ncolumns + 1) * sizeof *names);
		if (!names)
			return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		for (size_t j = 0; j < p->ncolumns; j++)
			names[j] = p->columns[j].name;
		const char *dym = assay_did_you_mean(o->private_columns[i], names, p->ncolumns);
		assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                "--private names column \"%s\", which is not profiled%s%s%s",
		                o->private_columns[i], dym ? "; did you mean \"" : "", dym ? dym : "",
		                dym ? "\"?" : "");
		free(names);
		assay_error_hint(err,
		                 "list columns of the input (and of --columns when given), comma-separated");
		return err->code;
	}
	return 0;
}

/* Pass 3: the categorical columns marked in redo (past the cap after a
 * parallel pass, where each worker's Misra-Gries would depend on which
 * rows reached it; and numeric ones that the pieces' pass found to hold a
 * string) are profiled again by one worker reading the file in order
 * (assay_source_set_sequential, any format), each starting as starts[]
 * says: the sketches then see the rows in file order, which makes them
 * the same bytes run after run, whatever the number of threads or the
 * block size, and the same as a one-thread build (where these columns are
 * sketched in pass 1 or 2 in the same order). Exact columns are not
 * touched. A numeric column starting here that meets a string is read
 * once more, as categorical (as pass 2 does). */
static int sketch_in_order(struct assay_source *src, const struct builder *b, enum view *starts, int *redo,
                           const unsigned char *sha256, struct assay_profile *p, size_t ncols,
                           struct assay_error *err)
{
	size_t n = 0;
	for (size_t j = 0; j < ncols; j++)
		n += (size_t)(redo[j] != 0);
	if (!n)
		return 0;
	int *done = calloc(ncols + 1, sizeof *done), *lost = calloc(ncols + 1, sizeof *lost);
	int *again = calloc(ncols + 1, sizeof *again);
	int *cols = redo,
	    rc = done && lost && again ? 0 : assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	for (int round = 0; !rc && n && round < 2; round++) {
		struct builder b3 = *b;
		b3.active = cols;
		b3.starts = starts;
		b3.defer = b3.defer_cat = 0;
		struct pass p3 = {0};
		struct assay_source_stats st3;
		assay_source_set_sequential(src, 1);
		rc = run_pass(src, &b3, &p3, 1, &st3, err);
		assay_source_set_sequential(src, 0);
		if (!rc && memcmp(sha256, st3.sha256, 32) != 0)
			rc = assay_error_set(err, ASSAY_EINPUT, assay_source_path(src), 0, 0,
			                     "the file changed while it was being profiled");
		n = 0;
		for (size_t j = 0; !rc && j < ncols; j++) {
			int cat = 0, num = 0;
			for (int i = 0; cols[j] && i < p3.nw; i++) {
				enum view v = p3.w[i].col[j].view;
				cat |= v == V_CAT || v == V_LOST;
				num |= v == V_NUM || v == V_LOST;
			}
			lost[j] = cat && num;
			done[j] = cols[j] && !lost[j];
			if (lost[j])
				starts[j] = V_CAT;
			n += (size_t)lost[j];
		}
		if (!rc)
			rc = pb_gather_all(&p3, NULL, NULL, done, NULL, &b3, p, ncols, err);
		pass_free(&p3, ncols);
		memcpy(again, lost, ncols * sizeof *again);
		cols = again;
	}
	free(done);
	free(lost);
	free(again);
	return rc;
}

int assay_profile_build(struct assay_source *src, const struct assay_profile_opts *opts,
                        struct assay_profile **out, struct assay_error *err)
{
	*out = NULL;
	struct assay_profile_opts o = opts ? *opts : (struct assay_profile_opts){0};
	if (o.cap == 0)
		o.cap = ASSAY_PROFILE_DEFAULT_CAP;
	if (!o.topk_set && o.topk == 0)
		o.topk = ASSAY_PROFILE_DEFAULT_TOPK;
	size_t nsrc = assay_source_ncols(src);
	size_t *srccol = malloc((nsrc + (o.columns ? o.ncolumns : 0) + 1) * sizeof *srccol);
	int *active = calloc(nsrc + 1, sizeof *active);
	int *redo = calloc(nsrc + 1, sizeof *redo), *lost = calloc(nsrc + 1, sizeof *lost);
	struct pb_ranges ranges = {0};
	enum view *starts = calloc(nsrc + 1, sizeof *starts);
	struct pass p1 = {0}, p2 = {0};
	struct assay_profile *p = NULL;
	size_t ncols = 0;
	int rc;
	if (!srccol || !active || !redo || !lost || !starts)
		goto nomem;
	if ((rc = select_columns(src, &o, srccol, &ncols, err)))
		goto done;
	size_t end = 0; /* the tokenizer stores fields up to the last profiled column */
	for (size_t j = 0; j < ncols; j++)
		if (srccol[j] + 1 > end)
			end = srccol[j] + 1;
	assay_source_project(src, end);
	struct builder b = {.src = src,
	                    .ncols = ncols,
	                    .srccol = srccol,
	                    .start = V_NONE,
	                    .cap = o.cap,
	                    .topk = o.topk,
	                    .keys = 1,
	                    .packed = o.packed,
	                    .skip_moments = o.skip_moments,
	                    .raw_keys = o.packed && o.raw_keys,
	                    .na_list = assay_source_has_na_list(src)};
	struct assay_source_stats st;
	b.defer = 1;
	b.defer_cat = assay_source_max_workers(src) > 1; /* one worker reads in file order */
	b.log_ranges = o.cap != UINT64_MAX;
	if ((rc = run_pass(src, &b, &p1, 0, &st, err)))
		goto done;

	/* Columns some worker found categorical while another (or the same,
	 * earlier) saw numbers: profile them again as categorical. */
	size_t again = 0;
	for (size_t j = 0; j < ncols; j++) {
		int cat = 0, num = 0;
		for (int i = 0; i < p1.nw; i++) {
			enum view v = p1.w[i].col[j].view;
			cat |= v == V_CAT || v == V_LOST;
			num |= v == V_NUM || v == V_LOST;
		}
		active[j] = cat && num;
		again += (size_t)active[j];
	}
	if (again) {
		struct builder b2 = b;
		b2.log_ranges = 0;
		b2.active = active;
		b2.start = V_CAT;
		struct assay_source_stats st2;
		if ((rc = run_pass(src, &b2, &p2, 0, &st2, err)))
			goto done;
		if (memcmp(st.sha256, st2.sha256, 32) != 0) {
			rc = assay_error_set(err, ASSAY_EINPUT, assay_source_path(src), 0, 0,
			                     "the file changed while it was being profiled");
			goto done;
		}
	}
	/* how pass 3 starts a column: categorical when pass 1 or 2 found it so */
	for (size_t j = 0; j < ncols; j++) {
		starts[j] = active[j] ? V_CAT : V_NONE;
		for (int i = 0; i < p1.nw; i++)
			if (p1.w[i].col[j].view == V_CAT)
				starts[j] = V_CAT;
	}

	if (!(p = prof_new(ncols)) || !(p->inputs = calloc(1, sizeof *p->inputs))) {
		rc = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		goto done;
	}
	free(p->source_path);
	p->source_path = strdup(assay_source_path(src));
	p->inputs[0].path = strdup(assay_source_path(src));
	p->ninputs = 1;
	if (!p->source_path || !p->inputs[0].path) {
		rc = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		goto done;
	}
	memcpy(p->sha256, st.sha256_hex, sizeof p->sha256);
	memcpy(p->inputs[0].sha256, st.sha256_hex, sizeof p->sha256);
	p->rows = p->inputs[0].rows = st.rows;
	p->cap = o.cap;
	p->topk = o.topk;
	for (size_t j = 0; j < ncols; j++) {
		struct assay_column_profile *c = &p->columns[j];
		c->type = ASSAY_COL_EMPTY;
		c->exact = 1;
		if (!(c->name = strdup(assay_source_colname(src, srccol[j])))) {
			rc = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
			goto done;
		}
	}
	if ((rc = pb_gather_all(&p1, &p2, active, NULL, redo, &b, p, ncols, err)))
		goto done;
	if ((rc = pb_ranges_from_pass(&p1, &ranges)))
		goto nomem;
	pass_free(&p1, ncols);
	pass_free(&p2, ncols);
	/* past the cap: numeric columns in pieces, on every worker; the
	 * categorical ones (and numeric ones holding a string after all) in
	 * file order on one */
	for (size_t j = 0; j < ncols; j++) {
		active[j] = redo[j] && starts[j] != V_CAT;
		redo[j] = redo[j] && !active[j];
	}
	b.log_ranges = 0;
	if ((rc = pb_sketch_pieces(src, &b, &ranges, active, lost, st.sha256, p, ncols, err)))
		goto done;
	for (size_t j = 0; j < ncols; j++)
		if (lost[j]) {
			redo[j] = 1;
			starts[j] = V_CAT;
		}
	if ((rc = sketch_in_order(src, &b, starts, redo, st.sha256, p, ncols, err)))
		goto done;
	if ((rc = withhold_private(p, &o, err)))
		goto done;
	*out = p;
	p = NULL;
	goto done;
nomem:
	rc = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
done:
	pb_ranges_free(&ranges);
	free(lost);
	pass_free(&p1, ncols);
	pass_free(&p2, ncols);
	assay_profile_free(p);
	free(srccol);
	free(active);
	free(redo);
	free(starts);
	return rc;
}
