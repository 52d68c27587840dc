/* bootstrap.h: private to lib/eval: the cell bootstrap (bootstrap.c). */
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

#endif
