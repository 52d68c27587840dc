/* test_boot_lanes.c: the bootstrap's per-replicate metrics over a tile
 * of replicates (lib/eval/boot_lanes.c) give, lane by lane, the same bits
 * as metrics_from_cells and disparities_compute give for one replicate:
 * on random confusion cells and on the cells where the formulas branch
 * (no positives, no negatives, nothing predicted positive, no errors,
 * empty slices, groups equal to the overall rate so ratios fold, overall
 * rates of 0 or NaN where the ratios take aggregate()'s own steps), for
 * a full tile and for an odd one (the two-lane loops' scalar tail), with
 * and without AVX-512. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/eval/bootstrap.h"
#include "xorshift.h"

#define NG 7 /* groups of the slicing; slice NG is the overall one */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void)
{
	return xorshift64(&rng);
}

/* Same value: the same bits, or both NaN. */
static void assert_same(double got, double want, const char *what, size_t lane)
{
	if (isnan(got) && isnan(want))
		return;
	if (memcmp(&got, &want, sizeof got) != 0)
		fail_msg("%s, lane %zu: %.17g, want %.17g", what, lane, got, want);
}

/* Cells of group g in lane t: n rows split at random, or one of the
 * shapes where the formulas branch (shape >= 0: that one for every group
 * and lane, so that the overall rate is 0 or 1 too). */
static struct assay_cells cells_for(size_t g, size_t t, uint64_t n, int shape)
{
	if (n == 0)
		return (struct assay_cells){0, 0, 0, 0};
	uint64_t a = next() % (n + 1), b = next() % (n + 1 - a), c = next() % (n + 1 - a - b);
	struct assay_cells x = {a, b, c, n - a - b - c};
	switch (shape >= 0 ? (size_t)shape : (t + g) % 11) {
	case 0:
		return (struct assay_cells){0, x.fp, x.tn + x.tp + x.fn, 0}; /* no positives */
	case 1:
		return (struct assay_cells){x.tp + x.fp + x.tn, 0, 0, x.fn}; /* no negatives */
	case 2:
		return (struct assay_cells){0, 0, x.tn + x.tp, x.fn + x.fp}; /* nothing predicted positive */
	case 3:
		return (struct assay_cells){x.tp + x.fn, 0, x.tn + x.fp, 0}; /* no errors */
	case 4:
		return (struct assay_cells){0, 0, 0, n}; /* all false negatives: mu = 0 */
	default:
		return x;
	}
}

static void same_as_one_replicate_at_a_time(void **state)
{
	(void)state;
	static const uint64_t sizes[NG] = {50, 0, 1, 13, 1000, 7, 260}, none[NG] = {0};
	static double cell[NG + 1][4][LANES_MAX], val[NG + 1][ASSAY_M__COUNT][LANES_MAX];
	static double out[2][ASSAY_D__COUNT][LANES_MAX];
	const size_t tiles[] = {LANES_MAX, 37, 1};
	for (size_t round = 0; round < 200; round++) {
		size_t T = tiles[round % 3];
		/* every 8th round one shape for all groups; every 25th, no rows */
		int shape = round % 8 == 7 ? (int)(round / 8 % 5) : -1;
		const uint64_t *n_of = round % 25 == 24 ? none : sizes;
		struct assay_cells c[NG + 1][LANES_MAX];
		struct lane_slice ls[NG + 1];
		memset(ls, 0, sizeof ls);
		for (size_t t = 0; t < T; t++) {
			c[NG][t] = (struct assay_cells){0, 0, 0, 0};
			for (size_t g = 0; g < NG; g++) {
				c[g][t] = cells_for(g, t + round, n_of[g], shape);
				c[NG][t].tp += c[g][t].tp, c[NG][t].fp += c[g][t].fp;
				c[NG][t].tn += c[g][t].tn, c[NG][t].fn += c[g][t].fn;
			}
			if (round % 5 == 4) /* a group at exactly the overall rates */
				c[0][t] = c[NG][t];
		}
		for (size_t g = 0; g <= NG; g++) {
			uint64_t n = 0;
			if (T > 0)
				n = c[g][0].tp + c[g][0].fp + c[g][0].tn + c[g][0].fn;
			ls[g].n = (double)n;
			for (size_t t = 0; t < T; t++) {
				cell[g][0][t] = (double)c[g][t].tp, cell[g][1][t] = (double)c[g][t].fp;
				cell[g][2][t] = (double)c[g][t].tn, cell[g][3][t] = (double)c[g][t].fn;
			}
			for (int j = 0; j < 4; j++)
				ls[g].cell[j] = cell[g][j];
			for (int m = 0; m < ASSAY_M__COUNT; m++)
				ls[g].v[m] = val[g][m];
			lanes_metrics(&ls[g], T);
		}
		const struct lane_slice *incl[NG];
		for (size_t g = 0; g < NG; g++)
			incl[g] = &ls[g];
		double *between[ASSAY_D__COUNT], *overall[ASSAY_D__COUNT];
		for (int d = 0; d < ASSAY_D__COUNT; d++)
			between[d] = out[0][d], overall[d] = out[1][d];
		/* every group, then a subset (as when small groups are left out);
		 * AVX-512 min and max on alternate rounds where the CPU has it */
		size_t ng = round % 2 ? NG : 3;
		int simd = lanes_avx512_usable() && round % 4 >= 2;
		lanes_disparities(incl + (NG - ng), ng, &ls[NG], T, between, overall, simd);
		for (size_t t = 0; t < T; t++) {
			double v[NG + 1][ASSAY_M__COUNT];
			const double *gp[NG];
			for (size_t g = 0; g <= NG; g++) {
				for (int m = 0; m < ASSAY_M__COUNT; m++)
					v[g][m] = NAN;
				metrics_from_cells(&c[g][t], v[g]);
				for (int m = ASSAY_M_BASE_RATE; m <= ASSAY_M_GEI; m++)
					assert_same(val[g][m][t], v[g][m], "metric", t);
				if (g < NG)
					gp[g] = v[g];
			}
			struct assay_cells gc[NG];
			for (size_t g = 0; g < NG; g++)
				gc[g] = c[g][t];
			double wb[ASSAY_D__COUNT], wo[ASSAY_D__COUNT];
			disparities_compute(gp + (NG - ng), gc + (NG - ng), ng, v[NG], wb, wo);
			for (int d = 0; d < ASSAY_D__COUNT; d++) {
				assert_same(out[0][d][t], wb[d], "between", t);
				assert_same(out[1][d][t], wo[d], "to overall", t);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(same_as_one_replicate_at_a_time)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
