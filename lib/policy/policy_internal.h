/* policy_internal.h: what the files of lib/policy share and nobody else
 * sees: the pack's in-memory form, predicates, the loader's issue list and
 * the embedded default pack (generated at build time by
 * cmake/embed_policy.cmake from policies/default). */
#ifndef ASSAY_POLICY_INTERNAL_H
#define ASSAY_POLICY_INTERNAL_H

#include <jansson.h>
#include <stddef.h>

#include "assay/arena.h"
#include "assay/catalog.h"
#include "assay/error.h"
#include "assay/intake.h"
#include "assay/policy.h"
#include "assay/yaml.h"

/* A file of a pack, path relative to the pack directory ("tiering.yaml"). */
struct assay_pack_file {
	const char *path;
	const unsigned char *data;
	size_t len;
};
extern const struct assay_pack_file assay_policy_default_files[];
extern const size_t assay_policy_default_nfiles;

enum pred_op {
	P_ALWAYS,
	P_ALL,
	P_ANY,
	P_NOT,
	P_REF,
	P_EQ,
	P_NE,
	P_IN,
	P_CONTAINS,
	P_CONTAINS_ANY,
	P_CONTAINS_ALL,
	P_EMPTY,
	P_LT,
	P_LE,
	P_GT,
	P_GE,
};

/* What a predicate's field is: an intake field, the computed tier, or the
 * kinds of the declared components. */
struct pred_field {
	const char *name;
	enum assay_intake_type type;
	const char *const *values;
	size_t n_values;
	int ordered;
};

struct named_pred;

struct pred {
	enum pred_op op;
	struct pred_field field;
	const char **values; /* the operand(s) as strings */
	size_t n_values;
	int flag;      /* EQ/NE on a bool, EMPTY, ALWAYS */
	double number; /* LT..GE on a list: its length */
	struct pred **kids;
	size_t n_kids;
	const struct named_pred *ref;
};

struct named_pred {
	const char *name;
	struct pred *pred;
};

struct tier_rule {
	const char *id;
	enum assay_tier tier;
	const char *cite;
	const char *rationale;
	struct pred *when;
	const struct assay_catalog_ref *maps_to;
	size_t n_maps_to;
};

struct app_rule {
	const char *id;
	const char *description;
	struct pred *when;
	const char **controls;
	size_t n_controls;
};

struct assay_policy {
	const char *name, *version, *description, *sha256, *source;
	struct named_pred *preds;
	size_t n_preds;
	struct tier_rule *rules;
	size_t n_rules;
	enum assay_tier default_tier;
	const char *default_rationale;
	struct app_rule *app;
	size_t n_app;
	struct assay_control *controls;
	size_t n_controls;
	struct assay_workflow_tier workflow[ASSAY_TIER_COUNT];
	struct assay_catalog *catalogs;
	size_t n_catalogs;
};

/* The loader's state: the pack being built and every problem found. */
struct pctx {
	struct assay_arena *a;
	struct assay_policy *p;
	struct assay_lint_issue *issues;
	size_t n_issues, cap_issues;
	int in_tiering; /* predicates may not use `tier` there */
};

/* Record err (already set) as an issue; returns err->code. */
int pctx_issue(struct pctx *c, const struct assay_error *err);
/* An issue at node n of y. */
int pctx_at(struct pctx *c, struct assay_yaml *y, const yaml_node_t *n, const char *hint, const char *fmt,
            ...) __attribute__((format(printf, 5, 6)));
/* A scalar's text copied into the arena; NULL (and an issue) when absent or
 * not a scalar and required; NULL silently when absent and optional. */
const char *pctx_string(struct pctx *c, struct assay_yaml *y, const yaml_node_t *map, const char *key,
                        int required);
/* Check keys; records an issue and returns nonzero on an unknown key. */
int pctx_keys(struct pctx *c, struct assay_yaml *y, const yaml_node_t *map, const char *what,
              const char *const *allowed, size_t n);
/* A list of scalars (or one scalar) as strings; *n set. */
const char **pctx_strings(struct pctx *c, struct assay_yaml *y, const yaml_node_t *n, const char *what,
                          size_t *count);
/* A non-negative whole number. */
int pctx_int(struct pctx *c, struct assay_yaml *y, const yaml_node_t *n, const char *key, int *out);
/* "tier: high" and friends. */
int pctx_tier(struct pctx *c, struct assay_yaml *y, const yaml_node_t *n, enum assay_tier *out);
/* maps_to: {catalog: [ids]} checked against the loaded catalogs. */
int pctx_maps(struct pctx *c, struct assay_yaml *y, const yaml_node_t *n,
              const struct assay_catalog_ref **out, size_t *count);

/* predicate.c */
struct pred *pred_parse(struct pctx *c, struct assay_yaml *y, const yaml_node_t *n);
/* Does p hold for the intake record (and tier, or -1 when not known yet)?
 * Values that made it hold are appended to matched (up to cap). */
int pred_eval(const struct pred *p, const json_t *intake, int tier, const char **matched, size_t *n_matched,
              size_t cap);

/* Each file of a pack. */
int pack_parse_catalog(struct pctx *c, struct assay_yaml *y, struct assay_catalog *out);
int pack_parse_controls(struct pctx *c, struct assay_yaml *y);
int pack_parse_tiering(struct pctx *c, struct assay_yaml *y);
int pack_parse_applicability(struct pctx *c, struct assay_yaml *y);
int pack_parse_workflow(struct pctx *c, struct assay_yaml *y);

/* intake.c */
const char *const *intake_component_kinds(size_t *n);

#endif
