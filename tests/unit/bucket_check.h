/* bucket_check.h: the comparison without a sort (lib/drift/bucket.c)
 * against the sort and merge walk it replaces (walk.c), on two multisets
 * of decimal keys: shared by tests/unit/test_bucket.c and the fuzz target
 * tests/fuzz/fuzz_bucket.c. bucket_check returns NULL when the bucket
 * comparison, from raw keys in two orders (in one to three runs), from
 * sorted packed maps, and from raw keys without the std (the reference's
 * sums then hold no squares), gives the walk's KS extremes and bin counts
 * bit for bit, the quantile edges of drift_quantile_edges, W1 within
 * rounding of the walk's (1e-12 relative plus the values' own rounding,
 * 2^-52 max|x|), the std of drift_key_std and within 1e-13 of the
 * two-pass std, and the same W1 and std bits from every form; else what
 * differs, in msg. */
#ifndef ASSAY_TEST_BUCKET_CHECK_H
#define ASSAY_TEST_BUCKET_CHECK_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay/deckey.h"
#include "assay/drift.h"
#include "../../lib/drift/drift_internal.h"
#include "xorshift.h"

static int bc_same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

static int bc_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* Sorted, as a packed map (a stored profile's form). */
static void bc_packed_of(const uint32_t *k0, size_t n, struct assay_numeric_map *m)
{
	uint32_t *k = malloc(n * sizeof *k);
	memcpy(k, k0, n * sizeof *k);
	qsort(k, n, sizeof *k, bc_cmp_u32);
	memset(m, 0, sizeof *m);
	m->key = malloc(n * sizeof *m->key);
	m->kcount = malloc(n);
	m->big = malloc(n * sizeof *m->big);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && k[j] == k[i])
			j++;
		m->key[m->n] = k[i];
		m->kcount[m->n] = (uint8_t)(j - i < 255 ? j - i : 255);
		if (j - i >= 255)
			m->big[m->nbig++] = (struct assay_numeric_big){m->n, j - i};
		m->n++;
		i = j;
	}
	free(k);
}

/* Raw keys in a random order (a data file's form), in one to three runs
 * (a build's workers' arrays) of random lengths, each its own block. */
static void bc_raw_of(const uint32_t *k0, size_t n, uint64_t *rng, struct assay_numeric_map *m)
{
	memset(m, 0, sizeof *m);
	uint32_t *k = malloc(n * sizeof *k);
	memcpy(k, k0, n * sizeof *k);
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(xorshift64(rng) % i);
		uint32_t t = k[i - 1];
		k[i - 1] = k[j];
		k[j] = t;
	}
	size_t nr = 1 + (size_t)(xorshift64(rng) % 3);
	nr = nr < n ? nr : n;
	m->raw = malloc(nr * sizeof *m->raw);
	for (size_t r = 0, at = 0; r < nr; r++) {
		size_t left = n - at,
		       len = r + 1 == nr ? left : 1 + (size_t)(xorshift64(rng) % (left - (nr - r - 1)));
		m->raw[r].k = malloc(len * sizeof *k);
		memcpy(m->raw[r].k, k + at, len * sizeof *k);
		m->raw[r].n = len;
		at += len;
	}
	m->nrawrun = nr;
	m->nraw = n;
	m->rawmin = m->rawmax = k[0];
	for (size_t i = 0; i < n; i++) {
		m->rawmin = k[i] < m->rawmin ? k[i] : m->rawmin;
		m->rawmax = k[i] > m->rawmax ? k[i] : m->rawmax;
	}
	free(k);
}

static void bc_map_free(struct assay_numeric_map *m)
{
	free(m->key);
	free(m->kcount);
	free(m->big);
	for (size_t r = 0; m->raw && r < m->nrawrun; r++)
		free(m->raw[r].k);
	free(m->raw);
}

/* a[0..n1) and b[0..n2) (n1, n2 >= 1) with k quantile bins. */
static const char *bucket_check(const uint32_t *a, size_t n1, const uint32_t *b, size_t n2, size_t k,
                                uint64_t *rng, char *msg, size_t msglen)
{
	const char *bad = NULL;
	struct assay_numeric_map pr, pc, rr, rc, rr2, rc2;
	bc_packed_of(a, n1, &pr);
	bc_packed_of(b, n2, &pc);
	bc_raw_of(a, n1, rng, &rr);
	bc_raw_of(b, n2, rng, &rc);
	bc_raw_of(a, n1, rng, &rr2);
	bc_raw_of(b, n2, rng, &rc2);
	struct assay_error err;
	/* the walk: edges from the sorted maps, counts, KS, W1 */
	struct assay_bins qb, sb;
	double *qe = NULL, *se = NULL;
	size_t nqe = 0, nsb = 0;
	uint64_t *cnt = NULL;
	struct drift_bucket bk[4];
	int nbk = 0;
	if (drift_quantile_edges(&pr, k, &qb, &qe, &nqe, &err) ||
	    drift_sturges_edges(&pr, &pc, &sb, &se, &nsb, &err)) {
		snprintf(msg, msglen, "the edges: %s", err.message);
		bad = msg;
		goto out;
	}
	cnt = calloc(10 * (k + 1 + nsb), sizeof *cnt);
	struct drift_walk w = {.qe = qe,
	                       .nqe = nqe,
	                       .qref = cnt,
	                       .qcur = cnt + k + 1,
	                       .se = se,
	                       .nsb = nsb,
	                       .sref = cnt + 2 * (k + 1),
	                       .scur = cnt + 2 * (k + 1) + nsb,
	                       .wasserstein = 1};
	if (drift_numeric_walk(&pr, &pc, &w)) {
		bad = "the walk: out of memory";
		goto out;
	}
	/* without a sort: from raw keys (twice, shuffled apart), edges computed
	 * here; from the sorted maps with the edges given (a stored profile);
	 * from raw keys without the std (the reference's sums then hold no
	 * squares: the rest the same bits) */
	const struct assay_numeric_map *ref[4] = {&rr, &rr2, &pr, &rr}, *cur[4] = {&rc, &rc2, &pc, &rc};
	double mx = fmax(fabs(assay_deckey_value(pr.key[0])), fabs(assay_deckey_value(pr.key[pr.n - 1])));
	double sd0 = drift_map_std(&pr, n1), kstd = drift_key_std(&pr);
	for (int t = 0; t < 4; t++, nbk++) {
		uint64_t *c = cnt + (size_t)(t + 1) * 2 * (k + 1 + nsb);
		bk[t] = (struct drift_bucket){.k = k,
		                              .qe = t == 2 ? qe : NULL,
		                              .nqe = t == 2 ? nqe : 0,
		                              .se = se,
		                              .nsb = nsb,
		                              .qref = c,
		                              .qcur = c + k + 1,
		                              .sref = c + 2 * (k + 1),
		                              .scur = c + 2 * (k + 1) + nsb,
		                              .wasserstein = 1,
		                              .std = t != 3};
		if (drift_bucket_compare(ref[t], cur[t], &bk[t])) {
			bad = "buckets: out of memory";
			goto out;
		}
		double tol = 1e-12 * fabs(w.w) + ldexp(fmax(fabs(se[0]), fabs(se[nsb])), -52);
		if (bk[t].n1 != n1 || bk[t].n2 != n2)
			snprintf(msg, msglen, "form %d: n %llu/%llu, not %zu/%zu", t,
			         (unsigned long long)bk[t].n1, (unsigned long long)bk[t].n2, n1, n2);
		else if (!bc_same_bits(bk[t].maxS, w.maxS) || !bc_same_bits(bk[t].minS, w.minS) ||
		         bk[t].hmax != w.hmax)
			snprintf(msg, msglen,
			         "form %d: KS extremes %.17g %.17g %llu, the walk's %.17g %.17g %llu", t,
			         bk[t].maxS, bk[t].minS, (unsigned long long)bk[t].hmax, w.maxS, w.minS,
			         (unsigned long long)w.hmax);
		else if (memcmp(c, cnt, 2 * (k + 1 + nsb) * sizeof *c) != 0)
			snprintf(msg, msglen, "form %d: bin counts differ from the walk's", t);
		else if (!(fabs(bk[t].w - w.w) <= tol))
			snprintf(msg, msglen, "form %d: W1 %.17g, the walk's %.17g (tolerance %.3g)", t,
			         bk[t].w, w.w, tol);
		else if (t == 3 ? !isnan(bk[t].sd) : !bc_same_bits(bk[t].sd, kstd))
			snprintf(msg, msglen, "form %d: std %.17g, drift_key_std %.17g", t, bk[t].sd, kstd);
		else if (t != 3 && !(fabs(bk[t].sd - sd0) <= 1e-13 * sd0 + ldexp(mx, -52)))
			snprintf(msg, msglen, "form %d: std %.17g, the two-pass std %.17g", t, bk[t].sd, sd0);
		else if (t != 2 && (bk[t].nqe_own != nqe || memcmp(bk[t].qe_own, qe, nqe * sizeof *qe) != 0))
			snprintf(msg, msglen, "form %d: quantile edges differ from drift_quantile_edges'", t);
		else if (t > 0 &&
		         (!bc_same_bits(bk[t].w, bk[0].w) || (t != 3 && !bc_same_bits(bk[t].sd, bk[0].sd))))
			snprintf(msg, msglen, "form %d: W1 or std bits differ from the raw keys'", t);
		else
			continue;
		bad = msg;
		nbk++;
		goto out;
	}
out:
	for (int t = 0; t < nbk; t++)
		if (t != 2)
			free(bk[t].qe_own);
	if (qe) {
		assay_bins_free(&qb);
		free(qe);
	}
	if (se) {
		assay_bins_free(&sb);
		free(se);
	}
	free(cnt);
	bc_map_free(&pr);
	bc_map_free(&pc);
	bc_map_free(&rr);
	bc_map_free(&rc);
	bc_map_free(&rr2);
	bc_map_free(&rc2);
	return bad;
}

#endif
