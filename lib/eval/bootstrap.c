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
 * skipped (numpy's nanquantile, as Fairlearn's bootstrap). Replicates come
 * from one GSL MT19937 stream seeded with the seed, drawn in a fixed order,
 * so the same seed gives the same bytes on any machine and thread count.
 * Not RNG-identical to Fairlearn's row bootstrap (which would need NumPy's
 * PCG64); statistically the same estimator, stratified.
 */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bootstrap.h"

/* Rate-type metrics recomputed per replicate. */
static const enum assay_metric cell_metrics[] = {
	ASSAY_M_BASE_RATE, ASSAY_M_SELECTION_RATE, ASSAY_M_ACCURACY, ASSAY_M_BALANCED_ACCURACY,
	ASSAY_M_PRECISION, ASSAY_M_RECALL,         ASSAY_M_FPR,      ASSAY_M_FNR,
	ASSAY_M_TNR,       ASSAY_M_F1,             ASSAY_M_THEIL,    ASSAY_M_GEI,
};
#define NCM (sizeof cell_metrics / sizeof *cell_metrics)

static double ece_from(const double *cnt, const double *mean_s)
{
	double n = 0, e = 0;
	for (int b = 0; b < 10; b++) {
		double nb = cnt[2 * b] + cnt[2 * b + 1];
		n += nb;
		double sum_s = cnt[2 * b] * mean_s[2 * b] + cnt[2 * b + 1] * mean_s[2 * b + 1];
		e += fabs(cnt[2 * b] - sum_s);
	}
	return n > 0 ? e / n : NAN;
}

int bootstrap_run(const struct boot_input *in, const struct assay_eval_params *p, struct assay_eval_report *r,
                  struct assay_slice_result *slices, struct assay_disparity_result *disp,
                  struct assay_di_result *di, struct assay_error *err)
{
	size_t B = p->bootstrap, nf = in->nfinest, ns = r->nslices;
	size_t ndr = r->ndisparities, ndi = r->ndi;
	double *rep = malloc(B * (ns * (NCM + 1) + 2 * ndr + ndi) * sizeof *rep + 1);
	struct assay_cells *draw = malloc((nf ? nf : 1) * sizeof *draw);
	double *edraw = malloc((nf ? nf : 1) * 20 * sizeof *edraw);
	double *gv = malloc((ns ? ns : 1) * ASSAY_M__COUNT * sizeof *gv);
	struct assay_cells *gcells = malloc((ns ? ns : 1) * sizeof *gcells);
	const double **gptr = malloc((ns ? ns : 1) * sizeof *gptr);
	struct assay_cells *incl_cells = malloc((ns ? ns : 1) * sizeof *incl_cells);
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!rep || !draw || !edraw || !gv || !gcells || !gptr || !incl_cells || !rng) {
		free(rep), free(draw), free(edraw), free(gv), free(gcells), free(gptr), free(incl_cells);
		if (rng)
			gsl_rng_free(rng);
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
	gsl_rng_set(rng, (unsigned long)p->seed);
	/* rep layout: [slice][metric k (NCM) + ece][b], then [disparity][between, overall][b], then [di][b] */
	double *rep_disp = rep + B * ns * (NCM + 1), *rep_di = rep_disp + B * 2 * ndr;
	for (size_t b = 0; b < B; b++) {
		for (size_t i = 0; i < nf; i++) {
			const struct assay_cells *c = &in->cells[i];
			uint64_t n = c->tp + c->fp + c->tn + c->fn;
			double pr[4] = {(double)c->tp, (double)c->fp, (double)c->tn, (double)c->fn};
			unsigned int k[4] = {0, 0, 0, 0};
			if (n)
				gsl_ran_multinomial(rng, 4, (unsigned int)n, pr, k);
			draw[i] = (struct assay_cells){k[0], k[1], k[2], k[3]};
			if (in->ecnt) {
				unsigned int ek[20] = {0};
				if (n)
					gsl_ran_multinomial(rng, 20, (unsigned int)n, in->ecnt + 20 * i, ek);
				for (int j = 0; j < 20; j++)
					edraw[20 * i + j] = ek[j];
			}
		}
		for (size_t s = 0; s < ns; s++) {
			struct assay_cells c = {0, 0, 0, 0};
			double ecnt[20] = {0}, esum[20] = {0};
			for (size_t m = 0; m < in->nmembers[s]; m++) {
				size_t i = in->members[s][m];
				c.tp += draw[i].tp, c.fp += draw[i].fp, c.tn += draw[i].tn, c.fn += draw[i].fn;
				for (int j = 0; in->ecnt && j < 20; j++) {
					ecnt[j] += edraw[20 * i + j];
					esum[j] += edraw[20 * i + j] * in->emean[20 * i + j];
				}
			}
			double *v = gv + s * ASSAY_M__COUNT;
			for (int m = 0; m < ASSAY_M__COUNT; m++)
				v[m] = NAN;
			metrics_from_cells(&c, v);
			gcells[s] = c;
			for (size_t k = 0; k < NCM; k++)
				rep[(s * (NCM + 1) + k) * B + b] = v[cell_metrics[k]];
			double emean[20];
			for (int j = 0; j < 20; j++)
				emean[j] = ecnt[j] > 0 ? esum[j] / ecnt[j] : 0;
			rep[(s * (NCM + 1) + NCM) * B + b] = in->ecnt ? ece_from(ecnt, emean) : NAN;
		}
		for (size_t d = 0; d < r->nslicings; d++) {
			size_t n = 0;
			for (size_t g = 0; g < r->slicings[d].count; g++) {
				size_t s = r->slicings[d].first + g;
				if (slices[s].small && !p->include_small)
					continue;
				gptr[n] = gv + s * ASSAY_M__COUNT;
				incl_cells[n++] = gcells[s];
			}
			double between[ASSAY_D__COUNT], overall[ASSAY_D__COUNT];
			disparities_compute(gptr, incl_cells, n, gv, between, overall);
			for (size_t k = 0; k < ndr; k++) {
				if (disp[k].slicing != (int)d)
					continue;
				rep_disp[(2 * k) * B + b] = between[disp[k].kind];
				rep_disp[(2 * k + 1) * B + b] = overall[disp[k].kind];
			}
		}
		for (size_t k = 0; k < ndi; k++) {
			double ref = gv[di[k].reference_slice * ASSAY_M__COUNT + ASSAY_M_SELECTION_RATE];
			double x = gv[di[k].slice * ASSAY_M__COUNT + ASSAY_M_SELECTION_RATE];
			rep_di[k * B + b] = x / ref;
		}
	}
	double qlo = (1 - p->confidence) / 2, qhi = 1 - qlo;
	double *tmp = malloc(B * sizeof *tmp + 1);
	if (!tmp) {
		free(rep), free(draw), free(edraw), free(gv), free(gcells), free(gptr), free(incl_cells);
		gsl_rng_free(rng);
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
#define PCT(src, dst)                                                                                        \
	do {                                                                                                 \
		memcpy(tmp, (src), B * sizeof *tmp);                                                         \
		(dst).lo = nanquantile(tmp, B, qlo);                                                         \
		memcpy(tmp, (src), B * sizeof *tmp);                                                         \
		(dst).hi = nanquantile(tmp, B, qhi);                                                         \
	} while (0)
	for (size_t s = 0; s < ns; s++) {
		if (slices[s].n == 0)
			continue;
		for (size_t k = 0; k < NCM; k++)
			PCT(rep + (s * (NCM + 1) + k) * B, slices[s].ci[cell_metrics[k]]);
		if (in->ecnt)
			PCT(rep + (s * (NCM + 1) + NCM) * B, slices[s].ci[ASSAY_M_ECE]);
	}
	for (size_t k = 0; k < ndr; k++) {
		PCT(rep_disp + 2 * k * B, disp[k].between_ci);
		PCT(rep_disp + (2 * k + 1) * B, disp[k].to_overall_ci);
	}
	for (size_t k = 0; k < ndi; k++)
		PCT(rep_di + k * B, di[k].ci);
#undef PCT
	free(tmp);
	free(rep), free(draw), free(edraw), free(gv), free(gcells), free(gptr), free(incl_cells);
	gsl_rng_free(rng);
	return 0;
}
