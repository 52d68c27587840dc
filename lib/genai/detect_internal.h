/* detect_internal.h: the detector set and the per-thread workspace shared
 * by the files of lib/genai/detect*.c (private to this folder).
 *
 * The set is immutable after parsing; the only mutable part is the pool of
 * workspaces (Hyperscan scratch, lib/scan context, normaliser buffers),
 * which lives behind a pointer so that a const set can lend them out under
 * its mutex.
 */
#ifndef ASSAY_DETECT_INTERNAL_H
#define ASSAY_DETECT_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "../scan/hs_load.h"
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "assay/detect.h"
#include "assay/normalize.h"
#include "assay/scan.h"

/* Canary encodings (bit per enum value). */
enum det_enc {
	ENC_VERBATIM = 0,
	ENC_CASEFOLD,
	ENC_SPACED,
	ENC_REVERSED,
	ENC_BASE64,
	ENC_HEX,
	ENC_ROT13,
	ENC_URL,
	ENC_COUNT_
};
extern const char *const det_enc_names[ENC_COUNT_];

/* A compiled PCRE2 pattern whose memory is in the parse arena. */
struct det_re {
	pcre2_code *code;
	const char *src;
};

/* A small JSON Schema subset (docs/detectors.md), compiled from YAML. */
enum { JT_NULL = 1, JT_BOOL = 2, JT_INT = 4, JT_NUM = 8, JT_STR = 16, JT_ARR = 32, JT_OBJ = 64 };
struct det_schema {
	unsigned types; /* 0: any */
	const char **required;
	size_t nrequired;
	const char **prop_names;
	struct det_schema **props;
	size_t nprops;
	struct det_schema *items;
	const char **enums; /* scalar texts */
	unsigned *enum_types;
	size_t nenums;
	int has_min, has_max;
	double min, max;
	struct det_re pattern; /* code NULL when absent */
};

enum det_assert_kind { A_CONTAINS, A_NOT_CONTAINS, A_REGEX, A_NOT_REGEX, A_JSON, A_JSON_SCHEMA };

struct det_assert {
	int kind;
	const char *value; /* contains / not-contains text */
	size_t vlen;
	int icase;
	struct det_re re;
	struct det_schema *schema;
	const char *name; /* for explanations: the user's name or "type value" */
};

struct assay_assertions {
	struct det_assert *a;
	size_t n;
};

struct det_argrule {
	const char *arg; /* top-level key of the arguments object */
	int has_min, has_max;
	double min, max;
	struct det_re re;
};

struct det_tool {
	const char *name;
	const char **required, **forbidden;
	size_t nrequired, nforbidden;
	struct det_argrule *rules;
	size_t nrules;
};

struct det_ws {
	struct det_ws *next;
	hs_scratch_t *scratch;
	struct assay_scan_ctx *scan; /* NULL when pii is off */
	struct assay_norm norm;      /* normalised response */
};

struct det_pool {
	pthread_mutex_t mu;
	struct det_ws *free;
};

struct assay_detectors {
	int on[ASSAY_DET_COUNT_];
	const char **cats[ASSAY_DET_COUNT_]; /* category filter, NULL/0: every category */
	size_t ncats[ASSAY_DET_COUNT_];
	hs_database_t *refusal_db;
	unsigned canary_enc; /* bit per enum det_enc */
	size_t sp_words;     /* system_prompt: minimum run of words */
	struct assay_scanner *scanner;
	const char **entities; /* pii: entity names to report */
	size_t nentities;
	int pii_secrets; /* pii: every secret entity too */
	struct det_tool *tools;
	size_t ntools;
	struct assay_assertions assertions; /* suite-wide */
	struct det_pool *pool;
};

/* detect.c */
int det_build(struct assay_detectors *d, struct assay_error *err); /* compile databases */
void det_span(struct assay_arena *a, struct assay_detection *x, uint64_t start, uint64_t end,
              const char *decoding);
int det_re_compile(struct det_re *re, const char *src, int caseless, struct assay_arena *a, char *msg,
                   size_t msgsize);
/* 1 match, 0 no match, -1 error (match limit): subject[0, len). */
int det_re_match(const struct det_re *re, const char *s, size_t len, struct assay_arena *a, size_t *mstart,
                 size_t *mend);

/* detect_refusal.c */
int det_refusal_compile(hs_database_t **db, struct assay_error *err);
int det_refusal(const struct assay_detectors *d, struct det_ws *w, const struct assay_detect_input *in,
                struct assay_detection *x, enum assay_refusal_label *label, struct assay_arena *a,
                struct assay_error *err);

/* detect_canary.c */
int det_canary(const struct assay_detectors *d, struct det_ws *w, const struct assay_detect_input *in,
               struct assay_detection *x, struct assay_arena *a);
int det_system_prompt(const struct assay_detectors *d, struct det_ws *w, const struct assay_detect_input *in,
                      struct assay_detection *x, struct assay_arena *a);

/* detect_leak.c */
int det_pii(const struct assay_detectors *d, struct det_ws *w, const struct assay_detect_input *in,
            struct assay_detection *x, struct assay_arena *a, struct assay_error *err);

/* detect_tool.c */
int det_tool(const struct assay_detectors *d, const struct assay_detect_input *in, struct assay_detection *x,
             struct assay_arena *a);

/* detect_assert.c */
int det_assert(const struct assay_assertions *suite, const struct assay_assertions *own,
               const struct assay_detect_input *in, struct assay_detection *x, struct assay_arena *a);
int det_schema_check(const struct det_schema *s, const void *json, const char *path, struct assay_arena *a,
                     const char **why);

#endif
