/* test_scan_presidio.c: span-level precision, recall and F1 of the
 * built-in detectors on Presidio's synthetic dataset v2
 * (../shared/data/pii/presidio_synth_dataset_v2.json: 1,500 sentences,
 * labelled spans with start/end in code points).
 *
 * A prediction is a true positive when its entity maps to the gold type
 * and its span is exactly the gold span (strict: no partial credit). URL
 * findings count as DOMAIN_NAME (the dataset labels whole URLs so).
 * The floors below are what the scanner achieves, so any regression fails;
 * docs/scan.md publishes the table. Set ASSAY_PRESIDIO_VERBOSE=1 to list
 * every miss and false alarm.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "assay/scan.h"

static const char *const TYPES[] = {"EMAIL_ADDRESS", "CREDIT_CARD", "IBAN_CODE",  "US_SSN",
                                    "PHONE_NUMBER",  "IP_ADDRESS",  "DOMAIN_NAME"};
#define NT (sizeof TYPES / sizeof TYPES[0])
/* F1 floors, in TYPES order (measured, rounded down) */
static const double FLOOR_F1[NT] = {0.99, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99};

static int type_index(const char *t)
{
	if (strcmp(t, "URL") == 0)
		t = "DOMAIN_NAME";
	for (size_t i = 0; i < NT; i++)
		if (strcmp(TYPES[i], t) == 0)
			return (int)i;
	return -1;
}

/* code point index -> byte offset */
static size_t byte_off(const char *s, size_t cp)
{
	size_t b = 0;
	while (cp && s[b]) {
		b++;
		while ((s[b] & 0xC0) == 0x80)
			b++;
		cp--;
	}
	return b;
}

static void presidio_table(void **state)
{
	(void)state;
	json_error_t je;
	json_t *root = json_load_file(ASSAY_SHARED "/data/pii/presidio_synth_dataset_v2.json", 0, &je);
	if (!root) {
		print_message("dataset missing: %s\n", je.text);
		skip();
	}
	int verbose = getenv("ASSAY_PRESIDIO_VERBOSE") != NULL;
	struct assay_error err;
	struct assay_scanner *s;
	struct assay_scan_opts o = {.groups = ASSAY_SCAN_PII | ASSAY_SCAN_SECRETS};
	if (assay_scanner_new(&s, &o, &err) != 0)
		fail_msg("%s", err.message);
	struct assay_scan_ctx *c;
	assert_int_equal(assay_scan_ctx_new(&c, s, &err), 0);
	size_t tp[NT] = {0}, fp[NT] = {0}, fn[NT] = {0};
	size_t i;
	json_t *row;
	json_array_foreach(root, i, row)
	{
		const char *text = json_string_value(json_object_get(row, "full_text"));
		size_t len = strlen(text);
		const struct assay_finding *f;
		size_t n;
		assert_int_equal(assay_scan_buffer(c, text, len, &f, &n, &err), 0);
		json_t *spans = json_object_get(row, "spans");
		size_t ns = json_array_size(spans);
		char *matched = calloc(n + 1, 1);
		for (size_t k = 0; k < ns; k++) {
			json_t *sp = json_array_get(spans, k);
			int t = type_index(json_string_value(json_object_get(sp, "entity_type")));
			if (t < 0)
				continue;
			size_t a =
			    byte_off(text, (size_t)json_integer_value(json_object_get(sp, "start_position")));
			size_t b =
			    byte_off(text, (size_t)json_integer_value(json_object_get(sp, "end_position")));
			int hit = 0;
			for (size_t q = 0; q < n && !hit; q++)
				if (type_index(f[q].entity) == t && f[q].start == a && f[q].end == b)
					hit = 1, matched[q] = 1;
			if (hit)
				tp[t]++;
			else {
				fn[t]++;
				if (verbose)
					print_message("MISS %s [%.*s] in: %s\n", TYPES[t], (int)(b - a),
					              text + a, text);
			}
		}
		for (size_t q = 0; q < n; q++) {
			int t = type_index(f[q].entity);
			if (t >= 0 && !matched[q]) {
				fp[t]++;
				if (verbose)
					print_message("FALSE %s %s [%.*s] in: %s\n", TYPES[t], f[q].detector,
					              (int)(f[q].end - f[q].start), text + f[q].start, text);
			}
		}
		free(matched);
	}
	print_message("| entity | gold | TP | FP | FN | precision | recall | F1 "
	              "|\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
	double f1s[NT];
	for (size_t t = 0; t < NT; t++) {
		double p = tp[t] + fp[t] ? (double)tp[t] / (double)(tp[t] + fp[t]) : 0;
		double r = tp[t] + fn[t] ? (double)tp[t] / (double)(tp[t] + fn[t]) : 0;
		f1s[t] = p + r > 0 ? 2 * p * r / (p + r) : 0;
		print_message("| %s | %zu | %zu | %zu | %zu | %.3f | %.3f | %.3f |\n", TYPES[t],
		              tp[t] + fn[t], tp[t], fp[t], fn[t], p, r, f1s[t]);
	}
	for (size_t t = 0; t < NT; t++)
		if (f1s[t] < FLOOR_F1[t])
			fail_msg("%s: F1 %.3f is below its floor %.2f", TYPES[t], f1s[t], FLOOR_F1[t]);
	assay_scan_ctx_free(c);
	assay_scanner_free(s);
	json_decref(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(presidio_table)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
