/* jsonbuild.h: private to lib/report: building jansson trees for the
 * JSON renderers. Out-of-memory anywhere marks the context (checked once
 * when the tree is done) instead of being tested at every call. */
#ifndef ASSAY_REPORT_JSONBUILD_H
#define ASSAY_REPORT_JSONBUILD_H

#include <stdint.h>

#include <jansson.h>

#include "assay/arena.h"

struct rpt_json {
	struct assay_arena *arena; /* for repaired strings */
	int oom;
};

/* NULL -> null; bytes that are not UTF-8 are replaced by U+FFFD. */
json_t *rpt_jstr(struct rpt_json *c, const char *s);
/* NaN and infinities -> null (JSON has no spelling for them). */
json_t *rpt_jnum(struct rpt_json *c, double d);
/* Past the range of json_int_t, the exact digits as a string. */
json_t *rpt_juint(struct rpt_json *c, uint64_t u);
void rpt_jset(struct rpt_json *c, json_t *o, const char *key, json_t *v);
void rpt_jpush(struct rpt_json *c, json_t *a, json_t *v);

#endif
