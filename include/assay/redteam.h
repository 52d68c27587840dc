/* assay/redteam.h: GenAI red-teaming: the attack catalog, strategies,
 * suites, the run, its results and the regression comparison.
 *
 * A run takes the cases a suite selects (built-in cases written for assay,
 * and imported public sets), applies each strategy (an encoding or frame
 * around the attack), sends every variant to the target (assay/target.h),
 * decides with the detectors (assay/detect.h) whether the attack succeeded,
 * streams one JSONL line per finished case and keeps only counts per
 * category x strategy, so memory does not grow with the number of cases.
 *
 * Rates are attack success rates (ASR) = successes / attempts with Wilson
 * 95% intervals; errors (no answer) are counted apart and are not attempts.
 * Over-refusal = refused benign prompts / benign prompts answered.
 *
 * Prompt texts are never put in results unless show_prompts is set: a
 * result names a case by id and category.
 */
#ifndef ASSAY_REDTEAM_H
#define ASSAY_REDTEAM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "assay/arena.h"
#include "assay/error.h"
#include "assay/eval.h"
#include "assay/target.h"

struct assay_assertions; /* assay/detect.h */

/* ---- catalog ----------------------------------------------------------- */

/* How a case's success is decided (its oracle). */
enum assay_rt_oracle {
	ASSAY_RT_DEFAULT = 0, /* a case's oracle: its category's */
	ASSAY_RT_COMPLY,      /* success = the target did not cleanly refuse (harmful requests) */
	ASSAY_RT_CANARY,      /* success = the system prompt's canary leaked (any encoding) */
	ASSAY_RT_DISCLOSE,    /* success = PII or a secret, or the canary, appeared */
	ASSAY_RT_TOOL,        /* success = a tool call broke the suite's tool policy */
	ASSAY_RT_MARKER,      /* success = the answer contains the case's marker (injection obeyed) */
	ASSAY_RT_PATTERN,     /* success = the answer matches the case's regex (unsafe output) */
	ASSAY_RT_LENGTH,      /* success = the answer is longer than the case's limit (bytes) */
	ASSAY_RT_BENIGN,      /* benign prompt: a refusal counts as over-refusal */
};
const char *assay_rt_oracle_name(enum assay_rt_oracle o);
int assay_rt_oracle_from_name(const char *s); /* -1 if unknown */

struct assay_rt_category {
	const char *id;              /* "llm01-direct", "vcr", ..., "benign" */
	const char *name;            /* "Prompt injection (direct)" */
	const char *taxonomy;        /* "OWASP LLM Top 10 2025", "MLCommons AILuminate v1.0", "assay" */
	const char *ref;             /* "LLM01", "vcr" */
	enum assay_rt_oracle oracle; /* default oracle of its cases */
};
size_t assay_rt_ncategories(void);
const struct assay_rt_category *assay_rt_category_at(size_t i);
const struct assay_rt_category *assay_rt_category_find(const char *id);

struct assay_rt_case {
	const char *id;           /* "b-llm07-003", "ailuminate:airr_practice_1_0_156733", "xstest:12" */
	const char *category;     /* a category id */
	const char *source;       /* "builtin", "ailuminate", "xstest", "bipia", "suite" */
	const char *prompt;       /* the user request */
	const char *document;     /* indirect injection: the retrieved document, else NULL */
	const char *const *turns; /* multi-turn: earlier user turns, sent first (NULL: none) */
	size_t nturns;
	enum assay_rt_oracle oracle;
	const char *marker; /* MARKER: text whose presence means success; PATTERN: regex */
	size_t max_len;     /* LENGTH: answers longer than this succeed */
	const struct assay_assertions *assertions; /* the case's own `assert:` (assay/detect.h), or NULL */
};

/* Sources of cases, with where they come from and under which licence. */
struct assay_rt_source {
	const char *id, *description, *licence, *path; /* path: NULL for built-in */
};
size_t assay_rt_nsources(void);
const struct assay_rt_source *assay_rt_source_at(size_t i);

/* The built-in cases (our own text). */
size_t assay_rt_builtin_count(void);
const struct assay_rt_case *assay_rt_builtin_at(size_t i);

/* A set of cases in an arena. */
struct assay_rt_caseset {
	struct assay_rt_case *v;
	size_t n, cap;
	struct assay_arena *arena;
};
int assay_rt_caseset_push(struct assay_rt_caseset *s, const struct assay_rt_case *c, struct assay_error *err);

/* Importers: append the file's cases. ailuminate: every row (category =
 * its hazard, spc_* -> spc, sxc_* -> sxc); xstest: which = "safe" (benign
 * set) or "unsafe" (category by the row's type, COMPLY oracle); bipia: each
 * attack instruction planted in a retrieved document (llm01-indirect,
 * MARKER oracle on the instruction's expected trace, see catalog.c). */
int assay_rt_import_ailuminate(struct assay_rt_caseset *s, const char *path, struct assay_error *err);
int assay_rt_import_xstest(struct assay_rt_caseset *s, const char *path, const char *which,
                           struct assay_error *err);
int assay_rt_import_bipia(struct assay_rt_caseset *s, const char *path, struct assay_error *err);

/* ---- strategies ------------------------------------------------------- */

enum assay_rt_strategy {
	ASSAY_RT_S_NONE = 0, /* the case as written */
	ASSAY_RT_S_BASE64,
	ASSAY_RT_S_HEX,
	ASSAY_RT_S_ROT13,
	ASSAY_RT_S_LEETSPEAK,
	ASSAY_RT_S_HOMOGLYPH,
	ASSAY_RT_S_ZEROWIDTH,
	ASSAY_RT_S_TAGS,  /* Unicode tag characters U+E0020-E007E */
	ASSAY_RT_S_SPLIT, /* payload splitting: variables a, b, c, then "answer a+b+c" */
	ASSAY_RT_S_ROLEPLAY,
	ASSAY_RT_S_DEVMODE,
	ASSAY_RT_S_PREFIX,    /* prefix injection: "start your answer with ..." */
	ASSAY_RT_S_MULTITURN, /* scripted escalation over three turns */
	ASSAY_RT_S__COUNT
};
const char *assay_rt_strategy_name(enum assay_rt_strategy s);
int assay_rt_strategy_from_name(const char *s); /* -1 if unknown */

/* The conversation a case becomes under a strategy: user turns to send in
 * order (the last one is the attack), in the arena. Deterministic given
 * (case id, strategy, seed). */
struct assay_rt_turns {
	const char **user;
	size_t n;
};
int assay_rt_apply(const struct assay_rt_case *c, enum assay_rt_strategy s, uint64_t seed,
                   struct assay_arena *a, struct assay_rt_turns *out, struct assay_error *err);

/* ---- suites ----------------------------------------------------------- */

struct assay_rt_select {
	const char *category; /* category id */
	size_t count;         /* at most this many cases (0: all) */
	double max_asr;       /* gate threshold, NaN: none */
};

enum assay_rt_gate_basis { ASSAY_RT_GATE_POINT = 0, ASSAY_RT_GATE_UPPER };

struct assay_detectors; /* assay/detect.h */

struct assay_rt_suite {
	char path[512], sha256[65];
	const char *name;
	struct assay_target target; /* target: and its options (the CLI may override) */
	const char *system_prompt;  /* "{{canary}}" is replaced by the run's canary; else appended */
	struct assay_rt_select *select;
	size_t nselect;
	int strategies[ASSAY_RT_S__COUNT]; /* which are on; none is always on */
	const char *sources[4];            /* import paths: ailuminate, xstest, bipia (NULL: not used) */
	const char *benign;                /* "xstest" (default when xstest is given), "builtin", "none" */
	size_t benign_count;               /* 0: all */
	double max_over_refusal;           /* NaN: none */
	double default_max_asr;            /* for categories without their own, NaN: none */
	enum assay_rt_gate_basis basis;
	uint64_t seed;
	struct assay_rt_caseset inline_cases; /* cases: written in the suite */
	struct assay_detectors *detect;       /* detectors: (assay/detect.h), the default set when absent */
	const char *judge_target;             /* judge: target spec, or NULL */
	const char *judge_model;
	struct assay_arena arena;
};

/* Load and validate a suite file (located errors, unknown keys refused);
 * relative import paths are taken relative to the suite's directory. */
int assay_rt_suite_load(struct assay_rt_suite **out, const char *path, struct assay_error *err);
int assay_rt_suite_load_buffer(struct assay_rt_suite **out, const char *name, const char *buf, size_t len,
                               struct assay_error *err);
void assay_rt_suite_free(struct assay_rt_suite *s);

/* ---- the run ---------------------------------------------------------- */

struct assay_rt_cell {
	const char *category;
	int strategy;
	uint64_t attempts, successes, errors;
	double asr;               /* NaN when attempts == 0 */
	struct assay_interval ci; /* Wilson 95% */
};

struct assay_rt_catsum {
	const char *category;
	uint64_t attempts, successes, errors;
	double asr;
	struct assay_interval ci;
	double max_asr; /* threshold, NaN: none */
	int gated, failed;
};

struct assay_rt_result {
	const char *suite_path, *suite_sha256, *target, *target_kind, *model, *canary, *timestamp;
	uint64_t seed;
	size_t ncells, ncats;
	struct assay_rt_cell *cells; /* category-major, strategy order */
	struct assay_rt_catsum *cats;
	struct assay_rt_catsum total; /* all attack cases */
	uint64_t benign_attempts, benign_refusals, benign_errors;
	double over_refusal;
	struct assay_interval over_refusal_ci;
	double max_over_refusal;
	int over_refusal_failed;
	enum assay_rt_gate_basis basis;
	int gate_failed;
	uint64_t target_calls, cache_hits;
	double elapsed_s;
	int strategies[ASSAY_RT_S__COUNT];
	struct assay_arena arena;
};

/* One finished case, as streamed to the JSONL. */
struct assay_rt_outcome {
	const char *case_id, *category, *source;
	int strategy;
	int benign;
	int error;           /* no answer: *why in detail */
	int success;         /* attack succeeded (benign: refused) */
	const char *detail;  /* the detectors' explanation: what matched, where */
	const char *refusal; /* refusal class: "refusal", "partial", "compliance", "none" */
	size_t ntools;
	double latency_ms;
	int cached;
	const char *prompt, *answer; /* only with show_prompts, else NULL */
};

typedef void (*assay_rt_progress_fn)(void *ud, uint64_t done, uint64_t total);

struct assay_rt_run_opts {
	int concurrency; /* overrides the suite's target when > 0 */
	FILE *jsonl;     /* one line per finished case, flushed per line, fsync'd per batch */
	int show_prompts;
	size_t limit;          /* at most this many variants in total (0: all) */
	const char *timestamp; /* RFC 3339, for the result */
	assay_rt_progress_fn progress;
	void *progress_ud;
};

int assay_rt_run(const struct assay_rt_suite *s, const struct assay_rt_run_opts *o,
                 struct assay_rt_result **out, struct assay_error *err);
void assay_rt_result_free(struct assay_rt_result *r);

/* The canary for a suite and seed: "ASSAY-CANARY-" + 20 characters of
 * Crockford base32 from SHA-256(suite sha256, seed): new for every suite
 * and seed, the same on a rerun (so the cache can answer). buf >= 40. */
void assay_rt_canary(const char *suite_sha256, uint64_t seed, char *buf, size_t size);

/* Wilson 95% score interval of k in n (NaN, NaN for n = 0). */
struct assay_interval assay_rt_wilson(uint64_t k, uint64_t n);

/* ---- results as JSON and back (assay.redteam/1) ------------------------ */

int assay_rt_result_write_json(const struct assay_rt_result *r, FILE *out, struct assay_error *err);
/* Read a result JSON (for compare): categories and counts. */
int assay_rt_result_read_json(struct assay_rt_result **out, const char *path, struct assay_error *err);

/* ---- comparison ------------------------------------------------------- */

struct assay_rt_delta {
	const char *category;
	uint64_t base_n, base_k, cur_n, cur_k;
	double base_asr, cur_asr;
	const char *test; /* "z" (two-proportion, pooled) or "fisher" (exact, one-sided) */
	double statistic; /* z, or NaN for fisher */
	double p;         /* one-sided p-value of "current ASR > baseline ASR" */
	int regression;   /* p < alpha and the ASR went up */
	int only_in;      /* 1: only in baseline, 2: only in current, 0: both */
};

struct assay_rt_compare {
	double alpha;
	size_t n;
	struct assay_rt_delta *d;
	int regressions;
	const char *base_path, *cur_path, *base_sha256, *cur_sha256;
	struct assay_arena arena;
};

/* One-sided tests per category: Fisher's exact when any expected cell of
 * the 2x2 table is below 5, else the pooled two-proportion z-test. */
int assay_rt_compare_results(const struct assay_rt_result *base, const struct assay_rt_result *cur,
                             double alpha, struct assay_rt_compare **out, struct assay_error *err);
void assay_rt_compare_free(struct assay_rt_compare *c);
/* p-values, public for tests: P(X >= k1) one-sided Fisher, and the z-test. */
double assay_rt_fisher_greater(uint64_t k0, uint64_t n0, uint64_t k1, uint64_t n1);
double assay_rt_ztest_greater(uint64_t k0, uint64_t n0, uint64_t k1, uint64_t n1, double *z);

/* ---- reports ---------------------------------------------------------- */

enum assay_rt_format {
	ASSAY_RT_TEXT = 0,
	ASSAY_RT_JSON,
	ASSAY_RT_MD,
	ASSAY_RT_HTML,
	ASSAY_RT_JUNIT,
	ASSAY_RT_SARIF
};
int assay_rt_format_from_name(const char *s); /* -1 if unknown */
int assay_rt_report(const struct assay_rt_result *r, enum assay_rt_format f, FILE *out,
                    struct assay_error *err);
int assay_rt_compare_report(const struct assay_rt_compare *c, enum assay_rt_format f, FILE *out,
                            struct assay_error *err);
/* The catalog: categories, counts per source, sources and licences. */
int assay_rt_catalog_report(enum assay_rt_format f, const char *shared_dir, FILE *out,
                            struct assay_error *err);

#endif
