/* assay/yaml.h: YAML files loaded once, with located errors.
 *
 * Every YAML input assay reads (plans, expectations, scan rules, intake
 * files, policy packs, red-team suites) goes through this: the file is read
 * whole, hashed (sha256, recorded by results that used it), parsed into a
 * libyaml document, and every error points at file:line:column. Unknown
 * keys are errors with a did-you-mean, because a misspelt key that is
 * silently ignored is a governance bug.
 */
#ifndef ASSAY_YAML_H
#define ASSAY_YAML_H
#include <stddef.h>
#include <yaml.h>

#include "assay/error.h"

struct assay_yaml {
	yaml_document_t doc;
	char path[512];
	char sha256[65];
	int loaded;
};

/* Read, hash and parse `path`. what names the file in the open error
 * ("the plan", "the intake file"). */
int assay_yaml_load(struct assay_yaml *y, const char *path, const char *what, struct assay_error *err);
/* Parse a buffer; name is what errors call it. */
int assay_yaml_load_buffer(struct assay_yaml *y, const char *name, const char *buf, size_t len,
                           struct assay_error *err);
void assay_yaml_free(struct assay_yaml *y);

/* The root node, NULL for an empty document. */
yaml_node_t *assay_yaml_root(struct assay_yaml *y);
yaml_node_t *assay_yaml_node(struct assay_yaml *y, int id);
/* A scalar's text, NULL when n is not a scalar. */
const char *assay_yaml_scalar(const yaml_node_t *n);
/* The value of `key` in mapping `map`, NULL when absent or map is not a mapping. */
yaml_node_t *assay_yaml_get(struct assay_yaml *y, const yaml_node_t *map, const char *key);
/* Number of items of a sequence (0 when not a sequence), and the i-th. */
size_t assay_yaml_len(const yaml_node_t *seq);
yaml_node_t *assay_yaml_at(struct assay_yaml *y, const yaml_node_t *seq, size_t i);

/* Set an ASSAY_EINPUT error located at n (file:line:column). Returns the code. */
int assay_yaml_error(struct assay_error *err, const struct assay_yaml *y, const yaml_node_t *n,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Every key of mapping `map` must be one of `allowed` (n of them): an error
 * at the first unknown key, with a did-you-mean and the allowed list as the
 * hint. Also an error when map is not a mapping (what names it). */
int assay_yaml_check_keys(struct assay_yaml *y, const yaml_node_t *map, const char *what,
                          const char *const *allowed, size_t n, struct assay_error *err);
/* Typed scalars: 0 and *out set, or a located error naming `key`. */
int assay_yaml_number(struct assay_yaml *y, const yaml_node_t *n, const char *key, double *out,
                      struct assay_error *err);
int assay_yaml_bool(struct assay_yaml *y, const yaml_node_t *n, const char *key, int *out,
                    struct assay_error *err);

#endif
