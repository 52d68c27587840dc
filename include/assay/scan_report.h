/* assay/scan_report.h: the result of `assay scan` and its renderers.
 *
 *   text   one line per finding (file:line:column entity detector value)
 *   json   schema assay.scan/1 (docs/scan.md): tool version, inputs with
 *          sha256, parameters, findings, counts, data columns
 *   md     GitHub-flavoured Markdown tables
 *   html   one self-contained page, no scripts
 *   junit  one test case per input, failing when it has findings that
 *          --fail-on counts
 *   sarif  SARIF 2.1.0, one result per finding, for code-scanning UIs
 *
 * Values arrive already masked (or raw with --show-values): renderers
 * never see anything the caller did not choose to show.
 */
#ifndef ASSAY_SCAN_REPORT_H
#define ASSAY_SCAN_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "assay/error.h"
#include "assay/eval.h" /* struct assay_input_info */

enum assay_scan_format {
	ASSAY_SCAN_TEXT = 0,
	ASSAY_SCAN_JSON,
	ASSAY_SCAN_MD,
	ASSAY_SCAN_HTML,
	ASSAY_SCAN_JUNIT,
	ASSAY_SCAN_SARIF,
};

/* -1 if unknown. */
int assay_scan_format_from_name(const char *name);

struct assay_scan_item {
	const char *file;
	uint64_t line, column; /* 1-based; column in bytes */
	uint64_t start, end;   /* byte offsets in the file (text mode) or the field (data mode) */
	const char *entity, *detector;
	double confidence;
	const char *value;    /* masked unless show_values */
	const char *encoding; /* "base64", "hex" or NULL */
	const char *rules;    /* PROMPT_INJECTION: markers that fired */
	int counts;           /* counted by --fail-on */
};

struct assay_scan_count {
	const char *entity;
	uint64_t findings;
};

/* --data: per column, how many rows hold each entity. */
struct assay_scan_column_entity {
	const char *entity;
	uint64_t rows;
};

struct assay_scan_column {
	const char *name;
	uint64_t rows_nonempty;
	const struct assay_scan_column_entity *entities;
	size_t nentities;
};

struct assay_scan_report {
	const char *schema; /* "assay.scan/1" */
	const char *tool_version, *generated_at;
	const struct assay_input_info *inputs;
	size_t ninputs;
	/* parameters */
	const char *mode;   /* "text" or "data" */
	const char *groups; /* "pii,secrets,injection" */
	double min_confidence;
	int decode, show_values;
	const char *rules_file, *rules_sha256; /* NULL without --rules */
	const char *fail_on;                   /* "none", "any" or entity list */
	/* results */
	const struct assay_scan_item *items;
	size_t nitems;
	uint64_t items_dropped; /* beyond --max-findings: counted, not listed */
	const struct assay_scan_count *counts;
	size_t ncounts;
	uint64_t rows; /* data mode */
	const struct assay_scan_column *columns;
	size_t ncolumns;
	uint64_t bytes;
	uint64_t failing; /* findings counted by --fail-on */
};

int assay_report_scan(const struct assay_scan_report *r, enum assay_scan_format format, FILE *out,
                      struct assay_error *err);

#endif
