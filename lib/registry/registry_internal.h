/* registry_internal.h: helpers shared by the registry's own files. */
#ifndef ASSAY_REGISTRY_INTERNAL_H
#define ASSAY_REGISTRY_INTERNAL_H

#include "assay/registry.h"
#include "store_internal.h"

/* A column as an arena string (NULL for SQL NULL). */
const char *reg_col(struct assay_stmt *st, int col, struct assay_arena *a);
/* Requires a write transaction; ASSAY_EINTERNAL naming what otherwise. */
int reg_need_write(struct assay_store *s, const char *what, struct assay_error *err);
/* JSON string or null. */
json_t *reg_str(const char *s);

#endif
