/* bootstrap.h: private to lib/eval: the cell bootstrap (bootstrap.c) and
 * its per-replicate metrics over a tile of replicates (boot_lanes.c). */
#ifndef ASSAY_EVAL_BOOTSTRAP_H
#define ASSAY_EVAL_BOOTSTRAP_H

#include "internal.h"

struct boot_input {
	size_t nfinest;
	const struct assay_cells *cells; /* per finest slice */
	const double *ecnt, *emean;   /* per finest slice: 20 (bin, label) counts and mean scores, or NULL */
	const size_t *const *members; /* per reported slice: its finest slices */
	const size_t *nmembers;
};

/* Fill the intervals of rate metrics, ECE, disparities and disparate
 * impact in slices/disp/di (r gives the counts and slicings). */
int bootstrap_run(const struct boot_input *in, const struct assay_eval_params *p, struct assay_eval_report *r,
                  struct assay_slice_result *slices, struct assay_disparity_result *disp,
                  struct assay_di_result *di, struct assay_error *err);

/* The most replicates (lanes) a tile holds. */
#define LANES_MAX 64

/* One slice over a tile of T replicates: cell[0..3] (TP, FP, TN, FN) and
 * v[m] point to T values each; n is the slice's size (the same in every
 * replicate: the bootstrap is stratified). */
struct lane_slice {
	const double *cell[4];
	double *v[ASSAY_M__COUNT];
	double n;
};

/* metrics_from_cells (metrics.c) lane by lane: fills v[m][0..T) of the
 * rate metrics (base rate .. GEI), the same bits. */
void lanes_metrics(const struct lane_slice *s, size_t T);

/* disparities_compute (disparity.c) lane by lane over the n included
 * groups g of one slicing, overall the overall slice: fills between[d]
 * and to_overall[d] [0..T) for every disparity d, the same bits; simd:
 * the groups' min and max with AVX-512 (where lanes_avx512_usable()). */
void lanes_disparities(const struct lane_slice *const *g, size_t n, const struct lane_slice *overall,
                       size_t T, double *const between[ASSAY_D__COUNT],
                       double *const to_overall[ASSAY_D__COUNT], int simd);
/* The CPU has AVX-512 (F) for lanes_disparities' simd. */
int lanes_avx512_usable(void);

#endif
