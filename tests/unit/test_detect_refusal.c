/* test_detect_refusal.c: how well the refusal detector labels responses a
 * user cares about, measured on tests/data/refusal/labelled.jsonl (215
 * responses written for assay: clean refusals, partial refusals,
 * compliance, and compliance that talks about ethics or safety). The
 * "heldout" split was written and committed before the detector existed
 * and was never used for tuning; the "tune" split was.
 *
 * Floors asserted are the measured values rounded down (docs/detectors.md
 * has the table). Set ASSAY_VERBOSE=1 to print every disagreement.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "assay/detect.h"

/* floors under the measured values (tune: all 1.000; heldout: clean P 1.000
 * R 0.960, partial P 1.000 R 1.000), so one more miss in 25 fails */
#define TUNE_CLEAN_P   0.98
#define TUNE_CLEAN_R   0.98
#define TUNE_PARTIAL_P 0.98
#define TUNE_PARTIAL_R 0.98
#define HELD_CLEAN_P   0.95
#define HELD_CLEAN_R   0.95
#define HELD_PARTIAL_P 0.90
#define HELD_PARTIAL_R 0.90

struct counts {
	/* clean refusal as the positive class */
	unsigned tp, fp, fn;
	/* any refusal (clean or partial) */
	unsigned atp, afp, afn;
	/* partial refusal */
	unsigned ptp, pfp, pfn;
	unsigned n, correct, ethics, ethics_refused;
};

static double ratio(unsigned a, unsigned b)
{
	return b ? (double)a / b : 1.0;
}

static void measure(const char *split, struct counts *c)
{
	memset(c, 0, sizeof *c);
	FILE *f = fopen(ASSAY_TESTDATA "/refusal/labelled.jsonl", "r");
	assert_non_null(f);
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct assay_error err;
	struct assay_detectors *d;
	assert_int_equal(assay_detectors_default(&d, &a, &err), 0);
	char line[8192];
	int verbose = getenv("ASSAY_VERBOSE") != NULL;
	while (fgets(line, sizeof line, f)) {
		json_error_t je;
		json_t *o = json_loads(line, 0, &je);
		assert_non_null(o);
		if (strcmp(json_string_value(json_object_get(o, "split")), split) != 0) {
			json_decref(o);
			continue;
		}
		const char *label = json_string_value(json_object_get(o, "label"));
		const char *text = json_string_value(json_object_get(o, "text"));
		struct assay_detect_input in = {
		    .response = text, .response_len = strlen(text), .kind = ASSAY_CASE_ATTACK};
		struct assay_detect_result r;
		assert_int_equal(assay_detect(d, &in, &r, &a, &err), 0);
		int truth_clean = strcmp(label, "clean_refusal") == 0,
		    truth_partial = strcmp(label, "partial_refusal") == 0;
		int pred_clean = r.refusal == ASSAY_REFUSAL_CLEAN,
		    pred_partial = r.refusal == ASSAY_REFUSAL_PARTIAL;
		c->n++;
		c->tp += truth_clean && pred_clean;
		c->fp += !truth_clean && pred_clean;
		c->fn += truth_clean && !pred_clean;
		c->atp += (truth_clean || truth_partial) && (pred_clean || pred_partial);
		c->afp += !(truth_clean || truth_partial) && (pred_clean || pred_partial);
		c->afn += (truth_clean || truth_partial) && !(pred_clean || pred_partial);
		c->ptp += truth_partial && pred_partial;
		c->pfp += !truth_partial && pred_partial;
		c->pfn += truth_partial && !pred_partial;
		int ok = truth_clean     ? pred_clean
		         : truth_partial ? pred_partial
		                         : r.refusal == ASSAY_REFUSAL_COMPLIANCE;
		c->correct += ok;
		if (strcmp(label, "compliance_mentioning_ethics") == 0) {
			c->ethics++;
			c->ethics_refused += !ok;
		}
		if (verbose && !ok)
			fprintf(stderr, "[%s] %s -> %s (%s)\n", json_string_value(json_object_get(o, "id")),
			        label, assay_refusal_label_name(r.refusal), r.d[0].explanation);
		json_decref(o);
	}
	fclose(f);
	assay_detectors_free(d);
	assay_arena_free(&a);
	fprintf(
	    stderr,
	    "%s (n=%u): clean refusal P=%.3f R=%.3f | any refusal P=%.3f R=%.3f | partial P=%.3f R=%.3f | "
	    "3-way accuracy %.3f | ethics-mentioning compliance called refusal %u/%u\n",
	    split, c->n, ratio(c->tp, c->tp + c->fp), ratio(c->tp, c->tp + c->fn),
	    ratio(c->atp, c->atp + c->afp), ratio(c->atp, c->atp + c->afn), ratio(c->ptp, c->ptp + c->pfp),
	    ratio(c->ptp, c->ptp + c->pfn), ratio(c->correct, c->n), c->ethics_refused, c->ethics);
}

static void tune_split(void **state)
{
	(void)state;
	struct counts c;
	measure("tune", &c);
	assert_int_equal(c.n, 145);
	assert_true(ratio(c.tp, c.tp + c.fp) >= TUNE_CLEAN_P);
	assert_true(ratio(c.tp, c.tp + c.fn) >= TUNE_CLEAN_R);
	assert_true(ratio(c.ptp, c.ptp + c.pfp) >= TUNE_PARTIAL_P);
	assert_true(ratio(c.ptp, c.ptp + c.pfn) >= TUNE_PARTIAL_R);
	assert_int_equal(c.ethics_refused, 0); /* never a refusal for mentioning ethics */
}

static void heldout_split(void **state)
{
	(void)state;
	struct counts c;
	measure("heldout", &c);
	assert_int_equal(c.n, 70);
	assert_true(ratio(c.tp, c.tp + c.fp) >= HELD_CLEAN_P);
	assert_true(ratio(c.tp, c.tp + c.fn) >= HELD_CLEAN_R);
	assert_true(ratio(c.ptp, c.ptp + c.pfp) >= HELD_PARTIAL_P);
	assert_true(ratio(c.ptp, c.ptp + c.pfn) >= HELD_PARTIAL_R);
	assert_int_equal(c.ethics_refused, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(tune_split),
	    cmocka_unit_test(heldout_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
