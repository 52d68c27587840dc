/* eval.c: from a summary to the slices, disparities and intervals of an
 * evaluation report (assay/eval.h).
 *
 * Reported slices, in order: overall; for each sensitive feature, each of
 * its levels; then, with two or more features, every observed combination
 * (the intersection). Each reported slice is a set of finest slices of the
 * summary, and its statistics are the merge of theirs. Groups with fewer
 * rows than min_group_size are reported but left out of disparities
 * unless include_small is set.
 *
 * Unlike Fairlearn, empty combinations of the intersection are not listed
 * (Fairlearn reindexes to the full cartesian product with NaN rows, which
 * its aggregates then skip: the disparities are the same).
 */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "bootstrap.h"
#include "internal.h"

void assay_eval_params_init(struct assay_eval_params *p)
{
	memset(p, 0, sizeof *p);
	p->task = ASSAY_TASK_BINARY;
	p->threshold = NAN;
	p->score_lo = p->score_hi = NAN;
	p->min_group_size = 30;
	p->ci_method = ASSAY_CI_BOOTSTRAP;
	p->bootstrap = 1000;
	p->seed = 42;
	p->confidence = 0.95;
	p->inconclusive_fails = 1;
}

struct layout {
	size_t ns;
	size_t **members;
	size_t *nmembers;
};

static int nomem(struct assay_error *err)
{
	return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
}

/* Finest slices whose level of feature f is l (f = -1: all). */
static size_t *members_of(const struct assay_summary *s, long f, size_t l, size_t *count,
                          struct assay_arena *a)
{
	size_t n = assay_summary_nslices(s), k = 0;
	size_t *m = assay_arena_alloc(a, (n ? n : 1) * sizeof *m);
	if (!m)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (f < 0 || assay_summary_slice_levels(s, i)[f] == l)
			m[k++] = i;
	*count = k;
	return m;
}

static void init_slice(struct assay_slice_result *sl)
{
	for (int m = 0; m < ASSAY_M__COUNT; m++) {
		sl->value[m] = NAN;
		sl->ci[m] = (struct assay_interval){NAN, NAN};
	}
}

/* Lay out the reported slices and slicings; fills r->slices labels/parts. */
static int build_layout(const struct assay_summary *s, struct assay_arena *a, struct layout *L,
                        struct assay_slice_result **out_slices, struct assay_slicing **out_slicings,
                        size_t *out_nslicings)
{
	size_t nf = assay_summary_nfeatures(s), nfinest = assay_summary_nslices(s);
	size_t ns = 1, nslicings = nf + (nf >= 2);
	for (size_t f = 0; f < nf; f++)
		ns += assay_summary_nlevels(s, f);
	if (nf >= 2)
		ns += nfinest;
	struct assay_slice_result *sl = assay_arena_calloc(a, ns, sizeof *sl);
	struct assay_slicing *sg = assay_arena_calloc(a, nslicings ? nslicings : 1, sizeof *sg);
	L->members = assay_arena_calloc(a, ns, sizeof *L->members);
	L->nmembers = assay_arena_calloc(a, ns, sizeof *L->nmembers);
	if (!sl || !sg || !L->members || !L->nmembers)
		return -1;
	L->ns = ns;
	size_t k = 0;
	init_slice(&sl[0]);
	sl[0].label = "(all)";
	sl[0].slicing = -1;
	if (!(L->members[k++] = members_of(s, -1, 0, &L->nmembers[0], a)))
		return -1;
	for (size_t f = 0; f < nf; f++) {
		sg[f].name = assay_summary_feature(s, f);
		sg[f].first = k;
		sg[f].count = assay_summary_nlevels(s, f);
		for (size_t l = 0; l < sg[f].count; l++, k++) {
			init_slice(&sl[k]);
			sl[k].slicing = (int)f;
			sl[k].nparts = 1;
			const char **pf = assay_arena_alloc(a, sizeof *pf),
			           **pl = assay_arena_alloc(a, sizeof *pl);
			if (!pf || !pl)
				return -1;
			pf[0] = sg[f].name;
			pl[0] = assay_summary_level(s, f, l);
			sl[k].part_feature = pf;
			sl[k].part_level = pl;
			sl[k].label = assay_arena_printf(a, "%s=%s", pf[0], pl[0]);
			if (!(L->members[k] = members_of(s, (long)f, l, &L->nmembers[k], a)))
				return -1;
		}
	}
	if (nf >= 2) {
		struct assay_slicing *x = &sg[nf];
		size_t len = 1;
		for (size_t f = 0; f < nf; f++)
			len += strlen(assay_summary_feature(s, f)) + 3;
		char *name = assay_arena_alloc(a, len);
		if (!name)
			return -1;
		name[0] = '\0';
		for (size_t f = 0; f < nf; f++) {
			if (f)
				strcat(name, " & ");
			strcat(name, assay_summary_feature(s, f));
		}
		x->name = name;
		x->first = k;
		x->count = nfinest;
		for (size_t i = 0; i < nfinest; i++, k++) {
			const uint32_t *codes = assay_summary_slice_levels(s, i);
			init_slice(&sl[k]);
			sl[k].slicing = (int)nf;
			sl[k].nparts = nf;
			const char **pf = assay_arena_alloc(a, nf * sizeof *pf),
			           **pl = assay_arena_alloc(a, nf * sizeof *pl);
			size_t *m = assay_arena_alloc(a, sizeof *m);
			if (!pf || !pl || !m)
				return -1;
			size_t llen = 1;
			for (size_t f = 0; f < nf; f++) {
				pf[f] = assay_summary_feature(s, f);
				pl[f] = assay_summary_level(s, f, codes[f]);
				llen += strlen(pf[f]) + strlen(pl[f]) + 4;
			}
			char *label = assay_arena_alloc(a, llen);
			if (!label)
				return -1;
			label[0] = '\0';
			for (size_t f = 0; f < nf; f++) {
				if (f)
					strcat(label, " & ");
				strcat(label, pf[f]);
				strcat(label, "=");
				strcat(label, pl[f]);
			}
			sl[k].part_feature = pf;
			sl[k].part_level = pl;
			sl[k].label = label;
			m[0] = i;
			L->members[k] = m;
			L->nmembers[k] = 1;
		}
	}
	*out_slices = sl;
	*out_slicings = sg;
	*out_nslicings = nslicings;
	return 0;
}

/* The additive score sums of every finest slice, computed once (the
 * logarithms of the log loss are the costly part), and in the same walk
 * its calibration cells when cal_n is given (20 per slice: see
 * calibration_means). Runs on a thread of its own beside the rank walk:
 * the two only read the frozen summary (and malloc, not the arena). */
struct additive_job {
	const struct assay_summary *s;
	struct score_sums *f;
	double *cal_n, *cal_s;
	int rc;
};

static void *finest_score_sums(void *arg)
{
	struct additive_job *j = arg;
	size_t nf = assay_summary_nslices(j->s);
	for (size_t i = 0; !j->rc && i < nf; i++)
		j->rc = score_sums_additive(j->s, i, &j->f[i], j->cal_n ? j->cal_n + 20 * i : NULL,
		                            j->cal_n ? j->cal_s + 20 * i : NULL);
	return NULL;
}

/* Rank sums of every reported slice from one descending walk over all
 * finest slices: each distinct score's counts are summed per reported
 * slice holding them (owners: the reported slices of each finest one),
 * then fed to that slice's ranks. */
struct dispatch {
	struct score_ranks *R;
	const size_t *owner_off, *owner;
	uint64_t *pos, *neg;
	size_t *touched;
	unsigned char *mark;
};

static void dispatch_score(void *ctx, double score, size_t m, const uint32_t *slice, const uint64_t *pos,
                           const uint64_t *neg)
{
	(void)score;
	struct dispatch *d = ctx;
	size_t nt = 0;
	for (size_t j = 0; j < m; j++)
		for (size_t o = d->owner_off[slice[j]]; o < d->owner_off[slice[j] + 1]; o++) {
			size_t k = d->owner[o];
			if (!d->mark[k]) {
				d->mark[k] = 1;
				d->touched[nt++] = k;
				d->pos[k] = d->neg[k] = 0;
			}
			d->pos[k] += pos[j];
			d->neg[k] += neg[j];
		}
	for (size_t t = 0; t < nt; t++) {
		size_t k = d->touched[t];
		score_ranks_add(&d->R[k], d->pos[k], d->neg[k]);
		d->mark[k] = 0;
	}
}

static int ranks_all(const struct assay_summary *s, const struct layout *L, struct score_sums *sums,
                     struct assay_arena *a)
{
	if (!assay_summary_scores_keyed(s)) {
		for (size_t k = 0; k < L->ns; k++)
			if (score_sums_ranks(s, L->members[k], L->nmembers[k], &sums[k]) != 0)
				return -1;
		return 0;
	}
	size_t nf = assay_summary_nslices(s), nown = 0;
	for (size_t k = 0; k < L->ns; k++)
		nown += L->nmembers[k];
	struct dispatch d = {
	    assay_arena_alloc(a, (L->ns + 1) * sizeof *d.R),
	    assay_arena_calloc(a, nf + 2, sizeof *d.owner_off),
	    assay_arena_alloc(a, (nown + 1) * sizeof *d.owner),
	    assay_arena_alloc(a, (L->ns + 1) * sizeof *d.pos),
	    assay_arena_alloc(a, (L->ns + 1) * sizeof *d.neg),
	    assay_arena_alloc(a, (L->ns + 1) * sizeof *d.touched),
	    assay_arena_calloc(a, L->ns + 1, 1),
	};
	size_t *fill = assay_arena_calloc(a, nf + 1, sizeof *fill);
	if (!d.R || !d.owner_off || !d.owner || !d.pos || !d.neg || !d.touched || !d.mark || !fill)
		return -1;
	size_t *off = (size_t *)d.owner_off, *own = (size_t *)d.owner;
	for (size_t k = 0; k < L->ns; k++)
		for (size_t i = 0; i < L->nmembers[k]; i++)
			off[L->members[k][i] + 1]++;
	for (size_t i = 0; i < nf; i++)
		off[i + 1] += off[i];
	for (size_t k = 0; k < L->ns; k++) {
		score_ranks_init(&d.R[k], &sums[k]);
		for (size_t i = 0; i < L->nmembers[k]; i++) {
			size_t f = L->members[k][i];
			own[off[f] + fill[f]++] = k;
		}
	}
	return assay_summary_score_walk_split(s, 1, dispatch_score, &d);
}

/* Score metrics of every reported slice: additive sums of its finest
 * slices, ranks from their merged scores (P and N from its cells: every
 * row of a summary with scores has one). */
static int score_slices(const struct assay_summary *s, const struct layout *L,
                        const struct assay_eval_params *p, double z, struct assay_slice_result *sl,
                        double *cal_n, double *cal_s, struct assay_arena *a)
{
	size_t nf = assay_summary_nslices(s);
	struct score_sums *sums = assay_arena_calloc(a, L->ns + 1, sizeof *sums),
	                  *ranks = assay_arena_calloc(a, L->ns + 1, sizeof *ranks),
	                  *fsums = assay_arena_calloc(a, nf + 1, sizeof *fsums);
	if (!sums || !ranks || !fsums)
		return -1;
	struct additive_job job = {s, fsums, cal_n, cal_s, 0};
	pthread_t tid;
	int threaded = pthread_create(&tid, NULL, finest_score_sums, &job) == 0;
	if (!threaded)
		finest_score_sums(&job);
	for (size_t k = 0; k < L->ns; k++) {
		ranks[k].P = sl[k].cells.tp + sl[k].cells.fn;
		ranks[k].N = sl[k].cells.tn + sl[k].cells.fp;
	}
	int rc = ranks_all(s, L, ranks, a);
	if (threaded)
		pthread_join(tid, NULL);
	if (rc || job.rc)
		return -1;
	for (size_t k = 0; k < L->ns; k++) {
		for (size_t i = 0; i < L->nmembers[k]; i++)
			score_sums_add(&sums[k], &fsums[L->members[k][i]]);
		sums[k].auc2 = ranks[k].auc2;
		sums[k].v10sq4 = ranks[k].v10sq4;
		sums[k].v01sq4 = ranks[k].v01sq4;
		sums[k].ap = ranks[k].ap;
		metrics_from_scores(&sums[k], sl[k].value);
		if (p->ci_method != ASSAY_CI_NONE)
			intervals_from_scores(&sums[k], sl[k].value, z, sl[k].ci);
	}
	return 0;
}

/* Point values and analytic intervals of every reported slice. */
static int compute_slices(const struct assay_summary *s, const struct assay_eval_params *p,
                          const struct layout *L, struct assay_slice_result *sl, double z, double *cal_n,
                          double *cal_s, struct assay_arena *a)
{
	for (size_t k = 0; k < L->ns; k++) {
		if (p->task == ASSAY_TASK_REGRESSION) {
			struct assay_regsums rs;
			assay_summary_regsums(s, L->members[k], L->nmembers[k], &rs);
			sl[k].n = rs.n;
			metrics_from_regsums(&rs, sl[k].value);
			if (p->ci_method != ASSAY_CI_NONE)
				intervals_from_regsums(&rs, z, sl[k].ci);
		} else {
			assay_summary_cells(s, L->members[k], L->nmembers[k], &sl[k].cells);
			const struct assay_cells *c = &sl[k].cells;
			sl[k].n = c->tp + c->fp + c->tn + c->fn;
			metrics_from_cells(c, sl[k].value);
			if (p->ci_method == ASSAY_CI_WILSON)
				intervals_wilson(c, z, sl[k].ci);
		}
		sl[k].small = k > 0 && sl[k].n < p->min_group_size;
	}
	if (p->task == ASSAY_TASK_BINARY && assay_summary_has_score(s) &&
	    score_slices(s, L, p, z, sl, cal_n, cal_s, a) != 0)
		return -1;
	return 0;
}

/* The reference group of a slicing for disparate impact: the one named by
 * --reference (as "feature=level"), else the largest group. */
static long reference_slice(const struct assay_slicing *sg, const struct assay_slice_result *sl,
                            const char *ref)
{
	long best = -1;
	for (size_t g = 0; g < sg->count; g++) {
		size_t k = sg->first + g;
		if (ref && strcmp(sl[k].label, ref) == 0)
			return (long)k;
		if (best < 0 || sl[k].n > sl[best].n)
			best = (long)k;
	}
	return best;
}

static int compute_disparities(const struct assay_eval_params *p, struct assay_eval_report *r,
                               struct assay_slice_result *sl, struct assay_slicing *sg, struct assay_arena *a)
{
	size_t nsg = r->nslicings;
	struct assay_disparity_result *d = assay_arena_calloc(a, nsg * ASSAY_D__COUNT + 1, sizeof *d);
	size_t total_groups = 0;
	for (size_t i = 0; i < nsg; i++)
		total_groups += sg[i].count;
	struct assay_di_result *di = assay_arena_calloc(a, total_groups + 1, sizeof *di);
	const double **g = assay_arena_alloc(a, (total_groups + 1) * sizeof *g);
	struct assay_cells *cells = assay_arena_alloc(a, (total_groups + 1) * sizeof *cells);
	if (!d || !di || !g || !cells)
		return -1;
	size_t nd = 0, ndi = 0;
	for (size_t i = 0; i < nsg; i++) {
		size_t n = 0;
		sg[i].excluded = 0;
		for (size_t k = sg[i].first; k < sg[i].first + sg[i].count; k++) {
			if (sl[k].small && !p->include_small) {
				sg[i].excluded++;
				continue;
			}
			g[n] = sl[k].value;
			cells[n++] = sl[k].cells;
		}
		if (p->task != ASSAY_TASK_BINARY)
			continue;
		double between[ASSAY_D__COUNT], overall[ASSAY_D__COUNT];
		disparities_compute(g, cells, n, sl[0].value, between, overall);
		for (int k = 0; k < ASSAY_D__COUNT; k++) {
			d[nd] = (struct assay_disparity_result){
			    (enum assay_disparity)k, (int)i, between[k], overall[k], {NAN, NAN}, {NAN, NAN}};
			nd++;
		}
		long ref = reference_slice(&sg[i], sl, p->reference_group);
		for (size_t k = sg[i].first; ref >= 0 && k < sg[i].first + sg[i].count; k++) {
			if ((long)k == ref || (sl[k].small && !p->include_small))
				continue;
			double ratio =
			    sl[k].value[ASSAY_M_SELECTION_RATE] / sl[ref].value[ASSAY_M_SELECTION_RATE];
			di[ndi++] =
			    (struct assay_di_result){(int)i, (size_t)ref, k, ratio, {NAN, NAN}, ratio >= 0.8};
		}
	}
	r->disparities = d;
	r->ndisparities = nd;
	r->di = di;
	r->ndi = ndi;
	return 0;
}

/* Per finest slice: (calibration bin, label) counts and mean scores, the
 * cells the bootstrap resamples for the expected calibration error;
 * finest_score_sums left the sums of scores in mean. */
static void calibration_means(size_t nfinest, const double *cnt, double *mean)
{
	for (size_t j = 0; j < 20 * nfinest; j++)
		mean[j] = cnt[j] > 0 ? mean[j] / cnt[j] : 0;
}

int assay_eval_compute(struct assay_summary *s, const struct assay_eval_params *p, struct assay_arena *a,
                       struct assay_eval_report *r, struct assay_error *err)
{
	int rc = assay_summary_freeze(s, err);
	if (rc)
		return rc;
	if (p->confidence <= 0 || p->confidence >= 1)
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                       "--confidence must be between 0 and 1, got %g", p->confidence);
	double z = gsl_cdf_ugaussian_Pinv(1 - (1 - p->confidence) / 2);
	struct layout L;
	struct assay_slice_result *sl;
	struct assay_slicing *sg;
	size_t nsg;
	if (build_layout(s, a, &L, &sl, &sg, &nsg) != 0)
		return nomem(err);
	r->slices = sl;
	r->nslices = L.ns;
	r->slicings = sg;
	r->nslicings = nsg;
	int boot = p->ci_method == ASSAY_CI_BOOTSTRAP && p->task == ASSAY_TASK_BINARY && p->bootstrap > 0;
	size_t nfinest = assay_summary_nslices(s);
	double *ecnt = NULL, *emean = NULL;
	if (boot && assay_summary_has_score(s)) {
		ecnt = assay_arena_alloc(a, (20 * nfinest + 1) * sizeof *ecnt);
		emean = assay_arena_alloc(a, (20 * nfinest + 1) * sizeof *emean);
		if (!ecnt || !emean)
			return nomem(err);
	}
	if (compute_slices(s, p, &L, sl, z, ecnt, emean, a) != 0 || compute_disparities(p, r, sl, sg, a) != 0)
		return nomem(err);
	if (boot) {
		struct assay_cells *cells = assay_arena_alloc(a, (nfinest + 1) * sizeof *cells);
		if (!cells)
			return nomem(err);
		for (size_t i = 0; i < nfinest; i++)
			assay_summary_cells(s, &i, 1, &cells[i]);
		if (ecnt)
			calibration_means(nfinest, ecnt, emean);
		struct boot_input in = {nfinest,   cells, ecnt, emean, (const size_t *const *)L.members,
		                        L.nmembers};
		rc = bootstrap_run(&in, p, r, sl, (struct assay_disparity_result *)r->disparities,
		                   (struct assay_di_result *)r->di, err);
		if (rc)
			return rc;
	}
	return 0;
}
