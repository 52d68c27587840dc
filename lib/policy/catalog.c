/* catalog.c: catalog accessors (assay/catalog.h) and the pack's coverage of
 * each catalog (assay_policy_coverage).
 *
 * Coverage of a catalog = assessable entries that at least one control's
 * maps_to, or one tiering rule's maps_to, names / assessable entries. A
 * mapping to a non-assessable parent (a NIST category, an Annex III area)
 * does not cover its children: coverage is claimed requirement by
 * requirement, never inherited.
 */
#include <string.h>

#include "policy_internal.h"

size_t assay_catalog_count(const struct assay_policy *p)
{
	return p->n_catalogs;
}

const struct assay_catalog *assay_catalog_at(const struct assay_policy *p, size_t i)
{
	return i < p->n_catalogs ? &p->catalogs[i] : NULL;
}

const struct assay_catalog *assay_catalog_find(const struct assay_policy *p, const char *id)
{
	for (size_t i = 0; i < p->n_catalogs; i++)
		if (p->catalogs[i].id && strcmp(p->catalogs[i].id, id) == 0)
			return &p->catalogs[i];
	return NULL;
}

const struct assay_catalog_entry *assay_catalog_entry_find(const struct assay_catalog *c, const char *id)
{
	for (size_t i = 0; i < c->n_entries; i++)
		if (c->entries[i].id && strcmp(c->entries[i].id, id) == 0)
			return &c->entries[i];
	return NULL;
}

size_t assay_catalog_count_kind(const struct assay_catalog *c, const char *kind)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n_entries; i++)
		n += c->entries[i].kind && strcmp(c->entries[i].kind, kind) == 0;
	return n;
}

size_t assay_catalog_count_assessable(const struct assay_catalog *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n_entries; i++)
		n += c->entries[i].assessable != 0;
	return n;
}

static int mapped(const struct assay_catalog_ref *refs, size_t n, const char *cat, const char *entry)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(refs[i].catalog, cat) == 0 && strcmp(refs[i].entry, entry) == 0)
			return 1;
	return 0;
}

int assay_policy_coverage(const struct assay_policy *p, const struct assay_coverage **out, size_t *n,
                          struct assay_arena *a, struct assay_error *err)
{
	struct assay_coverage *cov = assay_arena_calloc(a, p->n_catalogs + 1, sizeof *cov);
	if (!cov)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	for (size_t c = 0; c < p->n_catalogs; c++) {
		const struct assay_catalog *cat = &p->catalogs[c];
		const struct assay_catalog_entry **unc =
		    assay_arena_calloc(a, cat->n_entries + 1, sizeof *unc);
		if (!unc)
			return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		cov[c].catalog = cat;
		for (size_t i = 0; i < cat->n_entries; i++) {
			const struct assay_catalog_entry *e = &cat->entries[i];
			if (!e->assessable)
				continue;
			cov[c].total++;
			int hit = 0;
			for (size_t k = 0; !hit && k < p->n_controls; k++)
				hit =
				    mapped(p->controls[k].maps_to, p->controls[k].n_maps_to, cat->id, e->id);
			for (size_t k = 0; !hit && k < p->n_rules; k++)
				hit = mapped(p->rules[k].maps_to, p->rules[k].n_maps_to, cat->id, e->id);
			if (hit)
				cov[c].covered++;
			else
				unc[cov[c].n_uncovered++] = e;
		}
		cov[c].uncovered = unc;
	}
	*out = cov;
	*n = p->n_catalogs;
	return 0;
}
