/* fuzz_drift.c: libFuzzer harness for the drift comparison
 * (assay_drift_compare over profiles built from two CSV files, the way
 * `assay drift` runs: data on both sides, or a stored reference profile).
 * The input is an option byte, then the reference CSV, a 0xFF byte (never
 * in UTF-8 text), then the current CSV; the two may have other columns
 * (added, removed, retyped), one may be empty or invalid. Whatever they
 * are, nothing crashes or leaks, and when both profiles build:
 * - the report from the reference's data is the report from its stored
 *   profile (written as assay.profile/1 and read back), to the byte, when
 *   every column stayed exact (a cap above the rows);
 * - the report with the reference's statistics computed ahead
 *   (assay_drift_ref_stats_new, as for a stored reference) is the same;
 * - every statistic is NaN or in its range: p-values, KS D, Jensen-Shannon
 *   (base 2) and Hellinger in [0, 1]; PSI, KL, chi-square and Wasserstein
 *   at least 0.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assay/drift.h"
#include "assay/profile.h"
#include "assay/report.h"
#include "assay/source.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The profile of the CSV text in data[0..n) (a memfd), or NULL when it
 * does not load. */
static struct assay_profile *profile_of(const uint8_t *data, size_t n, const struct assay_profile_opts *po)
{
	/* fuzz_file skips its first byte: give it one */
	uint8_t *buf = malloc(n + 1);
	if (!buf)
		return NULL;
	buf[0] = 0;
	memcpy(buf + 1, data, n);
	char path[64];
	int fd = fuzz_file(buf, n + 1, "side.csv", path);
	free(buf);
	if (fd < 0)
		return NULL;
	struct assay_source_opts so = {.path = path, .threads = 2, .min_split_bytes = 1, .block_bytes = 64};
	struct assay_source *src = NULL;
	struct assay_profile *p = NULL;
	struct assay_error err;
	if (assay_source_open(&src, &so, &err) == 0 && assay_profile_build(src, po, &p, &err) != 0)
		p = NULL;
	assay_source_free(src);
	close(fd);
	return p;
}

/* The profile as `assay profile` writes it, read back as `assay drift`
 * reads a stored one. */
static struct assay_profile *stored(const struct assay_profile *p)
{
	char *json = NULL;
	size_t len = 0;
	struct assay_error err;
	FILE *f = open_memstream(&json, &len);
	if (!f || assay_profile_write_json(p, f, &err))
		abort();
	fclose(f);
	struct assay_profile *q = NULL;
	if (assay_profile_read_json_buffer("ref.profile.json", json, len, &q, &err))
		abort(); /* what we write, we read */
	free(json);
	return q;
}

static int in01(double x)
{
	return isnan(x) || (x >= -1e-12 && x <= 1 + 1e-12);
}

static int nonneg(double x)
{
	return isnan(x) || x >= -1e-12;
}

static void check_ranges(const struct assay_drift_report *r)
{
	for (size_t i = 0; i < r->ncolumns; i++) {
		const struct assay_drift_column *c = &r->columns[i];
		if (!in01(c->ks_d) || !in01(c->ks_p) || !in01(c->chi2_p) || !in01(c->z_p) || !in01(c->js) ||
		    !in01(c->hellinger) || !nonneg(c->psi) || !nonneg(c->kl) || !nonneg(c->chi2) ||
		    !nonneg(c->wasserstein) || !nonneg(c->wasserstein_norm))
			abort(); /* a statistic outside its range */
	}
}

/* The report of comparing ref with cur, as JSON (NULL when the comparison
 * refuses, which must then happen on every path). */
static char *report(const struct assay_profile *ref, const struct assay_profile *cur,
                    const struct assay_drift_params *params, int *rc)
{
	struct assay_drift_report *r = NULL;
	struct assay_error err;
	*rc = assay_drift_compare(ref, cur, params, &r, &err);
	if (*rc) {
		if (r)
			abort(); /* nothing is handed out on failure */
		return NULL;
	}
	check_ranges(r);
	/* the inputs' names differ by path (memfds, a stored profile) */
	free(r->ref.path);
	free(r->cur.path);
	r->ref.path = strdup("ref");
	r->cur.path = strdup("cur");
	r->ref.is_profile = r->cur.is_profile = 0;
	char *json = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&json, &len);
	if (!f || !r->ref.path || !r->cur.path || assay_report_drift(r, ASSAY_REPORT_JSON, f, &err))
		abort();
	fclose(f);
	assay_drift_report_free(r);
	return json;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	uint8_t o = data[0];
	const uint8_t *body = data + 1, *sep = memchr(body, 0xFF, size - 1);
	if (!sep)
		return 0;
	/* bit 0: a cap of 3 (sketches past it) instead of exact maps */
	int exact = !(o & 1);
	struct assay_profile_opts po = {.cap = exact ? 1 << 20 : 3, .packed = (o >> 1) & 1};
	struct assay_profile *ref = profile_of(body, (size_t)(sep - body), &po);
	struct assay_profile *cur = profile_of(sep + 1, size - 1 - (size_t)(sep + 1 - body), &po);
	if (ref && cur) {
		struct assay_drift_params params;
		assay_drift_params_default(&params);
		params.evidently = (o >> 2) & 1;
		params.js_base = (o >> 3) & 1 ? 0 : 2;
		int rc1, rc2, rc3;
		char *a = report(ref, cur, &params, &rc1);
		struct assay_profile *sref = stored(ref);
		char *b = report(sref, cur, &params, &rc2);
		struct assay_drift_ref_stats *ahead = NULL;
		struct assay_error err;
		if (assay_drift_ref_stats_new(sref, &params, &ahead, &err) == 0)
			params.ref_stats = ahead;
		char *c = report(sref, cur, &params, &rc3);
		if (rc1 != rc2 || rc2 != rc3)
			abort(); /* one path refuses what another compares */
		if (b && c && strcmp(b, c) != 0)
			abort(); /* the statistics computed ahead changed the report */
		if (exact && a && b && strcmp(a, b) != 0)
			abort(); /* the stored profile's report is not the data's */
		free(a), free(b), free(c);
		assay_drift_ref_stats_free(ahead);
		assay_profile_free(sref);
	}
	assay_profile_free(ref);
	assay_profile_free(cur);
	return 0;
}
