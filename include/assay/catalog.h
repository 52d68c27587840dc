/* assay/catalog.h: control catalogs (NIST AI RMF 1.0, its GenAI profile
 * NIST AI 600-1, ISO/IEC 42001:2023 Annex A, the EU AI Act) as data.
 *
 * A catalog is a versioned list of requirement entries with their official
 * identifiers ("GOVERN 1.1", "A.6.2.8", "Art. 14"), a parent (tree), our own
 * short title (ISO text is copyrighted, so titles are ours) and whether it is
 * assessable (a leaf a control can satisfy). Each catalog records its source,
 * version, retrieval date and whether it was checked against the primary
 * text. Catalogs ship as policies/default/catalogs/NAME.yaml, embedded in the
 * library; a policy pack may add or replace catalogs. Moving dates (EU AI Act
 * application dates) are catalog data, not code.
 */
#ifndef ASSAY_CATALOG_H
#define ASSAY_CATALOG_H

#include <stddef.h>

struct assay_policy;

struct assay_catalog_entry {
	const char *id;     /* official identifier, e.g. "MEASURE 2.11", "A.7.4", "Annex III 5(b)" */
	const char *parent; /* id of the parent entry, NULL at the top */
	const char *kind;   /* level name: "function", "category", "subcategory", "control", ... */
	const char *title;  /* short title, our own words where the source is copyrighted */
	int assessable;     /* a requirement controls can cover (counted by coverage) */
};

struct assay_catalog_date {
	const char *what; /* "Art. 5 prohibitions apply" */
	const char *date; /* YYYY-MM-DD */
	const char *note; /* provenance or "[unverified]" remark, may be NULL */
};

struct assay_catalog {
	const char *id; /* "nist-ai-rmf", "nist-ai-600-1", "iso-42001", "eu-ai-act" */
	const char *title;
	const char *version; /* "1.0", "2023", "2024/1689" */
	const char *source;  /* publication */
	const char *source_url;
	const char *retrieved; /* YYYY-MM-DD */
	const char *licence_note;
	int verified_against_primary;
	const struct assay_catalog_entry *entries;
	size_t n_entries;
	const struct assay_catalog_date *dates;
	size_t n_dates;
};

/* The catalogs a loaded pack knows (the built-in ones when the pack was
 * loaded with dir NULL, plus or replaced by the pack's own). */
size_t assay_catalog_count(const struct assay_policy *p);
const struct assay_catalog *assay_catalog_at(const struct assay_policy *p, size_t i);
/* NULL when absent. */
const struct assay_catalog *assay_catalog_find(const struct assay_policy *p, const char *id);
const struct assay_catalog_entry *assay_catalog_entry_find(const struct assay_catalog *c, const char *id);
/* Entries of a given kind ("subcategory"), and the assessable ones. */
size_t assay_catalog_count_kind(const struct assay_catalog *c, const char *kind);
size_t assay_catalog_count_assessable(const struct assay_catalog *c);

#endif
