/* audit_internal.h: what audit.c and audit_verify.c share. */
#ifndef ASSAY_AUDIT_INTERNAL_H
#define ASSAY_AUDIT_INTERNAL_H

#include "assay/audit.h"
#include "store_internal.h"

/* prev_hash of event 1 */
extern const char AUDIT_ZERO_HASH[];
/* 0 when sig_b64 is a valid Ed25519 signature of text by public_b64. */
int audit_check_sig(const char *public_b64, const char *text, const char *sig_b64);
/* A column as an arena string (NULL for SQL NULL). */
const char *audit_dup_col(struct assay_stmt *st, int col, struct assay_arena *a);

#endif
