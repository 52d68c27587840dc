/* bootstrap.c: percentile intervals by resampling summaries, not rows.
 *
 * Drawing n rows with replacement from a slice whose rows fall in cells
 * with counts c_1..c_K is, in distribution, one multinomial draw of n over
 * the K cells with probabilities c_k / n. So each replicate redraws every
 * finest slice's four confusion cells (stratified by finest slice: slice
 * sizes stay fixed, as in a stratified row bootstrap) and recomputes every
 * rate metric and disparity from the drawn cells: O(B x cells), not
 * O(B x rows). The expected calibration error is resampled the same way
 * over (calibration bin x label) cells, each carrying its mean score.
 *
 * Intervals are percentiles with linear interpolation, NaN replicates
 * skipped (numpy's nanquantile, as Fairlearn's bootstrap). Replicate b
 * draws from its own generator (assay/resample.h: xoshiro256**, binomials
 * by BTRS) seeded with splitmix64(seed + b), so replicates can be computed
 * on any number of threads and the same seed always gives the same bytes.
 * Not RNG-identical to Fairlearn's row bootstrap (which would need NumPy's
 * PCG64); statistically the same estimator, stratified. (Builds before
 * 2026-11-27 drew with GSL's taus2 and gsl_ran_multinomial: the same seed
 * gives other interval ends since, within the Monte Carlo error.)
 *
 * Cost: B x (finest slices x 3 binomial draws + reported slices x a few
 * divisions), then one O(B) pass per interval (quantile.c); replicates and
 * percentiles are taken in batches by a thread per core. A batch is a tile
 * of up to 64 replicates ("lanes"): each replicate's cells are drawn in
 * turn (its own stream, as above), then every slice's metrics and every
 * slicing's disparities are computed over the tile's lanes at once
 * (boot_lanes.c: the same operations as metrics_from_cells and
 * disparities_compute, in the same order, vectorised) and written
 * straight into per-interval columns, which the percentile pass reads
 * contiguously. Measured at 1M rows (2 x 5 x 8 groups, ~700 intervals,
 * B = 1000), the bootstrap's threads' CPU inside assay eval, waiting for
 * the input's hash included: ~21 ms before 2026-11-27's tiles, ~10.4 ms
 * with them (one thread, outside eval: 14.6 -> 7.7 ms; at 10M rows 19.5
 * -> 9.3 ms); the same bytes (was 26-30 ms of CPU with GSL's draws and
 * row storage).
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "assay/resample.h"
#include "bootstrap.h"

/* Rate-type metrics recomputed per replicate: eval_rate_metrics (metrics.c), NCM of them. */
#define NCM         ASSAY_EVAL_NRATE
#define MAX_THREADS 16

struct job {
	const struct boot_input *in;
	const struct assay_eval_params *p;
	const struct assay_eval_report *r;
	const struct assay_slice_result *slices;
	const struct assay_disparity_result *disp;
	const struct assay_di_result *di;
	size_t B, narrays, ncols;
	long *col;                       /* per array: its column in rep, -1 when not reported */
	size_t *scr, nscr;               /* per array not reported: its scratch lanes in a tile */
	double *rep;                     /* ncols columns of B replicate values */
	struct tile **tiles;             /* per thread (MAX_THREADS): its scratch, made at its first batch */
	struct assay_binomial_plan *pos; /* per finest slice: positives ~ Binomial(n, base rate) */
	double *tpr, *fpr;               /* per finest slice: TP / positives, FP / negatives */
	struct assay_interval **dst;     /* per column: where its interval goes */
};

struct worker {
	const struct job *job;
	size_t from, to; /* replicates, then arrays: the batch in hand */
	int failed;
	size_t thread; /* 0 .. MAX_THREADS - 1 */
};

static double ece_from(const double *cnt, const double *sum_s)
{
	double n = 0, e = 0;
	for (int b = 0; b < 10; b++) {
		n += cnt[2 * b] + cnt[2 * b + 1];
		e += fabs(cnt[2 * b] - (sum_s[2 * b] + sum_s[2 * b + 1]));
	}
	return n > 0 ? e / n : NAN;
}

/* Array layout: per slice NCM cell metrics then ECE; then per disparity
 * between and to_overall; then per disparate-impact ratio. */
static size_t slice_array(size_t s, size_t k)
{
	return s * (NCM + 1) + k;
}

/* A worker's scratch for one tile of replicates (at most LANES_MAX). The
 * per-replicate metrics run over the lanes (boot_lanes.c) and write each
 * reported array's lanes straight into its column of J->rep (column c
 * holds replicate b at c * B + b, so that the percentiles read each
 * column contiguously; reading columns out of B rows of ~700 values, one
 * cache line a value, was ~40% of the percentile stage at 1M rows);
 * arrays not reported go to scratch lanes. */
struct tile {
	double *cell;  /* per finest slice i, cell j: lanes at (4 i + j) LANES_MAX */
	double *edraw; /* with a score: per lane t and finest slice i, 20 counts at (t nf + i) 20 */
	double *scell; /* per slice s, cell j: lanes at (4 s + j) LANES_MAX */
	double *arr;   /* per array k not reported: lanes at J->scr[k] LANES_MAX */
	double *disp;  /* one slicing's disparities not reported: between, then to overall */
	long *dk;      /* per slicing d and kind: the disparity reported, or -1 */
	int simd;      /* lanes_avx512_usable() */
	struct lane_slice *ls;
	const struct lane_slice **incl;
};

static void tile_free(struct tile *t)
{
	free(t->cell), free(t->edraw), free(t->scell), free(t->arr), free(t->disp), free(t->dk);
	free(t->ls), free(t->incl);
}

static int tile_alloc(struct tile *t, const struct job *J)
{
	size_t nf = J->in->nfinest, ns = J->r->nslices, L = LANES_MAX;
	*t = (struct tile){0};
	t->cell = malloc((4 * nf + 1) * L * sizeof *t->cell);
	t->edraw = J->in->ecnt ? malloc((nf * 20 + 1) * L * sizeof *t->edraw) : NULL;
	t->scell = malloc((4 * ns + 1) * L * sizeof *t->scell);
	t->arr = malloc((J->nscr + 1) * L * sizeof *t->arr);
	t->disp = malloc(2 * ASSAY_D__COUNT * L * sizeof *t->disp);
	t->dk = malloc((J->r->nslicings * ASSAY_D__COUNT + 1) * sizeof *t->dk);
	t->ls = calloc(ns + 1, sizeof *t->ls);
	t->incl = malloc((ns + 1) * sizeof *t->incl);
	if (!t->cell || (J->in->ecnt && !t->edraw) || !t->scell || !t->arr || !t->disp || !t->dk || !t->ls ||
	    !t->incl) {
		tile_free(t);
		return -1;
	}
	/* the slices' lanes in the tile, and their sizes (the same in every
	 * replicate) */
	for (size_t s = 0; s < ns; s++) {
		uint64_t n = 0;
		for (size_t m = 0; m < J->in->nmembers[s]; m++) {
			const struct assay_cells *c = &J->in->cells[J->in->members[s][m]];
			n += c->tp + c->fp + c->tn + c->fn;
		}
		t->ls[s].n = (double)n;
		/* a slice of one finest slice reads its lanes in place */
		size_t one = J->in->nmembers[s] == 1 ? J->in->members[s][0] : 0;
		for (int j = 0; j < 4; j++)
			t->ls[s].cell[j] = J->in->nmembers[s] == 1 ? t->cell + (4 * one + j) * L
			                                           : t->scell + (4 * s + j) * L;
	}
	t->simd = lanes_avx512_usable();
	for (size_t i = 0; i < J->r->nslicings * ASSAY_D__COUNT; i++)
		t->dk[i] = -1;
	for (size_t k = 0; k < J->r->ndisparities; k++)
		t->dk[J->disp[k].slicing * ASSAY_D__COUNT + J->disp[k].kind] = (long)k;
	return 0;
}

/* Where array k's lanes for replicates [b0, b0 + LANES_MAX) go: its
 * column of J->rep when it is reported, else scratch. */
static double *lanes_of(const struct job *J, struct tile *T, size_t k, size_t b0)
{
	return J->col[k] >= 0 ? J->rep + (size_t)J->col[k] * J->B + b0 : T->arr + J->scr[k] * LANES_MAX;
}

/* Replicate b's cells, each finest slice's four drawn as positives ~
 * Binomial(n, base rate), then TP | positives and FP | negatives, two
 * independent binomials (the first one's set-up is made once, in
 * J->pos), and with a score its 20 calibration cells: lane t. */
static void draw_replicate(const struct job *J, struct tile *T, size_t b, size_t t)
{
	const struct boot_input *in = J->in;
	size_t nf = in->nfinest, L = LANES_MAX;
	struct assay_rng rng;
	assay_rng_seed(&rng, assay_splitmix64(J->p->seed + b));
	for (size_t i = 0; i < nf; i++) {
		const struct assay_cells *c = &in->cells[i];
		uint64_t n = c->tp + c->fp + c->tn + c->fn;
		uint64_t pos = assay_binomial_draw(&rng, &J->pos[i]), neg = n - pos;
		uint64_t tp = assay_binomial(&rng, pos, J->tpr[i]);
		uint64_t fp = assay_binomial(&rng, neg, J->fpr[i]);
		double *cell = T->cell + 4 * i * L + t;
		cell[0] = (double)tp, cell[L] = (double)fp, cell[2 * L] = (double)(neg - fp),
		cell[3 * L] = (double)(pos - tp);
		if (in->ecnt) {
			uint64_t ek[20] = {0};
			if (n)
				assay_multinomial(&rng, n, in->ecnt + 20 * i, 20, ek);
			for (int j = 0; j < 20; j++)
				T->edraw[(t * nf + i) * 20 + j] = (double)ek[j];
		}
	}
}

/* Slice s's expected calibration error in lane t, from its members'
 * drawn calibration cells. */
static double ece_lane(const struct job *J, const struct tile *T, size_t s, size_t t)
{
	const struct boot_input *in = J->in;
	double ecnt[20] = {0}, esum[20] = {0};
	for (size_t m = 0; m < in->nmembers[s]; m++) {
		size_t i = in->members[s][m];
		const double *e = T->edraw + (t * in->nfinest + i) * 20;
		for (int j = 0; j < 20; j++) {
			ecnt[j] += e[j];
			esum[j] += e[j] * in->emean[20 * i + j];
		}
	}
	return ece_from(ecnt, esum);
}

/* Replicates [b0, b0 + n), n <= LANES_MAX: drawn, then their metrics and
 * disparities computed over the lanes. */
static void run_tile(const struct job *J, struct tile *T, size_t b0, size_t n)
{
	const struct boot_input *in = J->in;
	const struct assay_eval_report *r = J->r;
	size_t ns = r->nslices, L = LANES_MAX;
	size_t disp0 = ns * (NCM + 1), di0 = disp0 + 2 * r->ndisparities;
	for (size_t t = 0; t < n; t++)
		draw_replicate(J, T, b0 + t, t);
	for (size_t s = 0; s < ns; s++) {
		for (int j = 0; j < 4 && in->nmembers[s] != 1; j++) {
			double *dst = T->scell + (4 * s + j) * L;
			for (size_t t = 0; t < n; t++)
				dst[t] = 0;
			for (size_t m = 0; m < in->nmembers[s]; m++) {
				const double *src = T->cell + (4 * in->members[s][m] + j) * L;
				for (size_t t = 0; t < n; t++)
					dst[t] += src[t];
			}
		}
		for (size_t k = 0; k < NCM; k++)
			T->ls[s].v[eval_rate_metrics[k]] = lanes_of(J, T, slice_array(s, k), b0);
		lanes_metrics(&T->ls[s], n);
		if (in->ecnt) {
			double *ece = lanes_of(J, T, slice_array(s, NCM), b0);
			for (size_t t = 0; t < n; t++)
				ece[t] = ece_lane(J, T, s, t);
		}
	}
	for (size_t d = 0; d < r->nslicings; d++) {
		double *between[ASSAY_D__COUNT], *overall[ASSAY_D__COUNT];
		for (int kind = 0; kind < ASSAY_D__COUNT; kind++) {
			long k = T->dk[d * ASSAY_D__COUNT + kind];
			between[kind] =
			    k >= 0 ? lanes_of(J, T, disp0 + 2 * (size_t)k, b0) : T->disp + kind * L;
			overall[kind] = k >= 0 ? lanes_of(J, T, disp0 + 2 * (size_t)k + 1, b0)
			                       : T->disp + (ASSAY_D__COUNT + kind) * L;
		}
		size_t ng = 0;
		for (size_t g = 0; g < r->slicings[d].count; g++) {
			size_t s = r->slicings[d].first + g;
			if (!J->slices[s].small || J->p->include_small)
				T->incl[ng++] = &T->ls[s];
		}
		lanes_disparities(T->incl, ng, &T->ls[0], n, between, overall, T->simd);
	}
	for (size_t k = 0; k < r->ndi; k++) {
		const double *ref = T->ls[J->di[k].reference_slice].v[ASSAY_M_SELECTION_RATE],
		             *x = T->ls[J->di[k].slice].v[ASSAY_M_SELECTION_RATE];
		double *dst = lanes_of(J, T, di0 + k, b0);
		for (size_t t = 0; t < n; t++)
			dst[t] = x[t] / ref[t];
	}
}

/* A batch of replicates on the thread's tile, made at its first batch
 * and kept for the others (~0.5 MB at 1M rows: allocated per batch, its
 * fresh pages faulted in again every time). */
static void *run_replicates(void *arg)
{
	struct worker *w = arg;
	const struct job *J = w->job;
	struct tile **T = &J->tiles[w->thread];
	if (!*T) {
		*T = malloc(sizeof **T);
		if (!*T || tile_alloc(*T, J)) {
			free(*T);
			*T = NULL;
			w->failed = 1;
			return NULL;
		}
	}
	for (size_t b = w->from; b < w->to; b += LANES_MAX)
		run_tile(J, *T, b, w->to - b < LANES_MAX ? w->to - b : LANES_MAX);
	return NULL;
}

static void *run_percentiles(void *arg)
{
	struct worker *w = arg;
	const struct job *J = w->job;
	double qlo = (1 - J->p->confidence) / 2, qhi = 1 - qlo;
	for (size_t c = w->from; c < w->to; c++)
		nanquantiles(J->rep + c * J->B, J->B, qlo, qhi, &J->dst[c]->lo, &J->dst[c]->hi);
	return NULL;
}

/* The replicate values (5.7 MB at 1M rows, 2 x 5 x 8 groups) on 2 MiB
 * pages where the kernel grants them (transparent huge pages on madvise):
 * the tiles land in columns all over the store, and faulting ~1,400 small
 * pages cost more than the column layout saved (bootstrap CPU at 1M rows:
 * 17.4 ms with rows, 19 with columns on small pages, 16.1 on huge ones). */
static double *replicate_store(size_t bytes)
{
	void *p = NULL;
	size_t huge = (size_t)2 << 20;
	if (bytes < huge)
		return malloc(bytes);
	if (posix_memalign(&p, huge, bytes))
		return NULL;
	(void)madvise(p, bytes / huge * huge, MADV_HUGEPAGE);
	return p;
}

/* [0, n) in batches of `batch`, taken in turn by whichever thread is
 * free, so that a thread whose core is shared with other work does less
 * of it instead of holding up the others, and one that waits for its core
 * (p->bootstrap_busy) takes what is left when it gets it. */
struct batches {
	struct worker w;
	void *(*fn)(void *);
	_Atomic size_t *next;
	size_t n, batch;
	int wait; /* a thread beyond the first: wait while p->bootstrap_busy says so */
};

/* A waiting thread polls p->bootstrap_busy after 50 us, then ever longer
 * up to 1 ms: each wake-up cost ~25 us of CPU here (a virtual machine's
 * timers), and polling every 50 us through a 1M-row input's hash was
 * 2-3 ms of CPU, a quarter of the bootstrap's own; a helper now starts
 * at most 1 ms after the core frees. */
static void *run_batches(void *arg)
{
	struct batches *b = arg;
	const struct assay_eval_params *p = b->w.job->p;
	long wait_ns = 50000;
	while (b->wait && p->bootstrap_busy && atomic_load(b->next) < b->n &&
	       p->bootstrap_busy(p->bootstrap_busy_ctx)) {
		nanosleep(&(struct timespec){0, wait_ns}, NULL);
		wait_ns = wait_ns < 500000 ? 2 * wait_ns : 1000000;
	}
	for (;;) {
		size_t from = atomic_fetch_add(b->next, b->batch);
		if (from >= b->n || b->w.failed)
			break;
		b->w.from = from;
		b->w.to = from + b->batch < b->n ? from + b->batch : b->n;
		b->fn(&b->w);
	}
	return NULL;
}

/* Run fn over [0, n) in batches on the workers; 0, or -1 on failure. */
static int parallel(struct job *J, size_t n, size_t batch, void *(*fn)(void *), int short_job)
{
	long cores = J->p->bootstrap_threads > 0 ? J->p->bootstrap_threads : sysconf(_SC_NPROCESSORS_ONLN);
	size_t nt = cores < 1 ? 1 : cores > MAX_THREADS ? MAX_THREADS : (size_t)cores;
	if (nt > (n + batch - 1) / batch)
		nt = n ? (n + batch - 1) / batch : 1;
	/* A short job (the percentiles, ~1.6 ms of CPU at 1M rows) while the
	 * cores are busy: the first thread does it all. A helper would wait
	 * for the busy core, find nothing left, and still have to be joined,
	 * which waited for the scheduler to run it: 2-7 ms of wall, measured
	 * inside assay eval with the input's hash still running. */
	const struct assay_eval_params *p = J->p;
	if (short_job && p->bootstrap_busy && p->bootstrap_busy(p->bootstrap_busy_ctx))
		nt = 1;
	_Atomic size_t next = 0;
	struct batches w[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	int started[MAX_THREADS] = {0};
	for (size_t t = 0; t < nt; t++) {
		w[t] = (struct batches){{J, 0, 0, 0, t}, fn, &next, n, batch, t > 0};
		if (t > 0)
			started[t] = pthread_create(&tid[t], NULL, run_batches, &w[t]) == 0;
	}
	run_batches(&w[0]); /* (a thread that did not start leaves its batches to the others) */
	int failed = w[0].w.failed;
	for (size_t t = 1; t < nt; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		failed |= w[t].w.failed;
	}
	return failed ? -1 : 0;
}

int bootstrap_run(const struct boot_input *in, const struct assay_eval_params *p, struct assay_eval_report *r,
                  struct assay_slice_result *slices, struct assay_disparity_result *disp,
                  struct assay_di_result *di, struct assay_error *err)
{
	size_t B = p->bootstrap, ns = r->nslices;
	size_t narrays = ns * (NCM + 1) + 2 * r->ndisparities + r->ndi;
	struct job J = {
	    .in = in, .p = p, .r = r, .slices = slices, .disp = disp, .di = di, .B = B, .narrays = narrays};
	size_t nf = in->nfinest;
	J.pos = malloc((nf + 1) * sizeof *J.pos);
	J.tpr = malloc((nf + 1) * sizeof *J.tpr);
	J.fpr = malloc((nf + 1) * sizeof *J.fpr);
	for (size_t i = 0; J.pos && J.tpr && J.fpr && i < nf; i++) {
		const struct assay_cells *c = &in->cells[i];
		uint64_t pos = c->tp + c->fn, neg = c->fp + c->tn;
		assay_binomial_prepare(&J.pos[i], pos + neg,
		                       pos + neg ? (double)pos / (double)(pos + neg) : 0);
		J.tpr[i] = pos ? (double)c->tp / (double)pos : 0;
		J.fpr[i] = neg ? (double)c->fp / (double)neg : 0;
	}
	struct assay_interval **dst = calloc(narrays + 1, sizeof *dst);
	J.tiles = calloc(MAX_THREADS, sizeof *J.tiles);
	J.col = malloc((narrays + 1) * sizeof *J.col);
	J.scr = malloc((narrays + 1) * sizeof *J.scr);
	J.dst = calloc(narrays + 1, sizeof *J.dst);
	int rc = !dst || !J.tiles || !J.col || !J.scr || !J.dst || !J.pos || !J.tpr || !J.fpr ? -1 : 0;
	if (rc == 0) {
		/* the arrays that are reported, numbered as columns */
		for (size_t s = 0; s < ns; s++) {
			if (slices[s].n == 0)
				continue;
			for (size_t k = 0; k < NCM; k++)
				dst[slice_array(s, k)] = &slices[s].ci[eval_rate_metrics[k]];
			if (in->ecnt)
				dst[slice_array(s, NCM)] = &slices[s].ci[ASSAY_M_ECE];
		}
		size_t disp0 = ns * (NCM + 1), di0 = disp0 + 2 * r->ndisparities;
		for (size_t k = 0; k < r->ndisparities; k++) {
			dst[disp0 + 2 * k] = &disp[k].between_ci;
			dst[disp0 + 2 * k + 1] = &disp[k].to_overall_ci;
		}
		for (size_t k = 0; k < r->ndi; k++)
			dst[di0 + k] = &di[k].ci;
		for (size_t k = 0; k < narrays; k++) {
			J.col[k] = dst[k] ? (long)J.ncols : -1;
			J.scr[k] = dst[k] ? 0 : J.nscr++;
			if (dst[k])
				J.dst[J.ncols++] = dst[k];
		}
		J.rep = replicate_store(J.ncols * B * sizeof *J.rep + 1);
		/* batches of whole tiles: ~16 of them at B = 1000 */
		rc = !J.rep ? -1 : parallel(&J, B, LANES_MAX, run_replicates, 0);
	}
	if (rc == 0)
		rc = parallel(&J, J.ncols, 32, run_percentiles, 1);
	free(J.rep);
	for (size_t t = 0; J.tiles && t < MAX_THREADS; t++)
		if (J.tiles[t])
			tile_free(J.tiles[t]), free(J.tiles[t]);
	free(J.tiles);
	free(J.pos), free(J.tpr), free(J.fpr);
	free(J.dst);
	free(J.col);
	free(J.scr);
	free(dst);
	return rc ? assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory in the bootstrap") : 0;
}
