/* columns.c: which columns of a table hold which entities, and in what
 * share of rows (`assay scan --data`).
 *
 * One pass over the source (assay/source.h), one scan context per worker;
 * every non-missing field is scanned as its own buffer, and a row counts
 * once per (column, entity) however many findings the field has. Worker
 * counters are summed after the scan, so the result does not depend on
 * the number of workers. Values are never kept: only counts leave here.
 */
#include <stdlib.h>
#include <string.h>

#include "assay/source.h"
#include "scan_internal.h"

struct worker {
	struct assay_scan_ctx *ctx;
	const struct assay_source *src;
	const struct assay_scan_colstats *cs;
	uint64_t rows, *nonempty, *rows_with, *findings;
	uint8_t *seen; /* per entity, within the current field */
};

static int entity_index(const struct assay_scan_colstats *cs, const char *e)
{
	for (size_t i = 0; i < cs->nentities; i++)
		if (cs->entities[i] == e || strcmp(cs->entities[i], e) == 0)
			return (int)i;
	return -1;
}

static int on_row(void *wctx, const struct assay_row *row, struct assay_error *err)
{
	struct worker *w = wctx;
	const struct assay_scan_colstats *cs = w->cs;
	w->rows++;
	for (size_t c = 0; c < row->nfields; c++) {
		const struct assay_field *f = &row->fields[c];
		if (assay_source_is_na(w->src, f))
			continue;
		w->nonempty[c]++;
		const struct assay_finding *fd;
		size_t n;
		int rc = assay_scan_buffer(w->ctx, f->p, f->len, &fd, &n, err);
		if (rc)
			return rc;
		if (!n)
			continue;
		memset(w->seen, 0, cs->nentities);
		for (size_t k = 0; k < n; k++) {
			int e = entity_index(cs, fd[k].entity);
			if (e < 0)
				continue;
			w->findings[e]++;
			if (!w->seen[e]) {
				w->seen[e] = 1;
				w->rows_with[c * cs->nentities + (size_t)e]++;
			}
		}
	}
	return 0;
}

static void on_reset(void *wctx)
{
	struct worker *w = wctx;
	const struct assay_scan_colstats *cs = w->cs;
	w->rows = 0;
	memset(w->nonempty, 0, cs->ncols * sizeof *w->nonempty);
	memset(w->rows_with, 0, cs->ncols * cs->nentities * sizeof *w->rows_with);
	memset(w->findings, 0, cs->nentities * sizeof *w->findings);
}

void assay_scan_colstats_free(struct assay_scan_colstats *cs)
{
	if (!cs)
		return;
	free((void *)cs->entities);
	free(cs->nonempty);
	free(cs->rows_with);
	free(cs->findings);
	free(cs);
}

static struct assay_scan_colstats *colstats_new(const struct assay_scanner *s, size_t ncols)
{
	struct assay_scan_colstats *cs = calloc(1, sizeof *cs);
	if (!cs)
		return NULL;
	const char **ents = calloc(s->ndets + 1, sizeof *ents);
	cs->entities = ents;
	cs->ncols = ncols;
	if (!ents)
		return cs;
	for (size_t i = 0; i < s->ndets; i++) {
		if (s->dets[i].kind != K_ENTITY || !(s->dets[i].group & s->groups))
			continue;
		if (entity_index(cs, s->dets[i].entity) < 0)
			ents[cs->nentities++] = s->dets[i].entity;
	}
	if (s->groups & ASSAY_SCAN_INJECTION)
		ents[cs->nentities++] = "PROMPT_INJECTION";
	cs->nonempty = calloc(ncols + 1, sizeof *cs->nonempty);
	cs->rows_with = calloc(ncols * cs->nentities + 1, sizeof *cs->rows_with);
	cs->findings = calloc(cs->nentities + 1, sizeof *cs->findings);
	return cs;
}

int assay_scan_source(const struct assay_scanner *s, struct assay_source *src,
                      struct assay_scan_colstats **out, struct assay_error *err)
{
	*out = NULL;
	size_t ncols = assay_source_ncols(src);
	struct assay_scan_colstats *cs = colstats_new(s, ncols);
	if (!cs || !cs->entities || !cs->nonempty || !cs->rows_with || !cs->findings) {
		assay_scan_colstats_free(cs);
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
	int nw = assay_source_max_workers(src), rc = 0;
	struct worker *w = calloc((size_t)nw, sizeof *w);
	void **ctx = calloc((size_t)nw, sizeof *ctx);
	if (!w || !ctx)
		rc = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	for (int i = 0; !rc && i < nw; i++) {
		w[i].src = src;
		w[i].cs = cs;
		w[i].nonempty = calloc(ncols + 1, sizeof *w[i].nonempty);
		w[i].rows_with = calloc(ncols * cs->nentities + 1, sizeof *w[i].rows_with);
		w[i].findings = calloc(cs->nentities + 1, sizeof *w[i].findings);
		w[i].seen = calloc(cs->nentities + 1, 1);
		if (!w[i].nonempty || !w[i].rows_with || !w[i].findings || !w[i].seen)
			rc = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		else
			rc = assay_scan_ctx_new(&w[i].ctx, s, err);
		ctx[i] = &w[i];
	}
	if (!rc)
		rc = assay_source_scan(src, on_row, on_reset, ctx, &cs->source, err);
	for (int i = 0; w && i < nw; i++) {
		if (!rc) {
			cs->rows += w[i].rows;
			for (size_t c = 0; c < ncols; c++)
				cs->nonempty[c] += w[i].nonempty[c];
			for (size_t k = 0; k < ncols * cs->nentities; k++)
				cs->rows_with[k] += w[i].rows_with[k];
			for (size_t k = 0; k < cs->nentities; k++)
				cs->findings[k] += w[i].findings[k];
		}
		assay_scan_ctx_free(w[i].ctx);
		free(w[i].nonempty);
		free(w[i].rows_with);
		free(w[i].findings);
		free(w[i].seen);
	}
	free(w);
	free(ctx);
	if (rc) {
		assay_scan_colstats_free(cs);
		return rc;
	}
	*out = cs;
	return 0;
}
