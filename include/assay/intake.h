/* assay/intake.h: the AI system intake record (what a team declares about a
 * system), read from YAML or built from flags, validated field by field and
 * normalised into one jansson object.
 *
 * The fields follow ../shared/anchors/governance.md section 2.8 (the
 * ai_system entity) and the EU AI Act articles the default policy pack tiers
 * on (Art. 5(1)(a)-(h), Annex III points, Art. 6(3)(a)-(d), Art. 50(1)-(4)).
 * docs/policy.md lists every field with its type, allowed values and default.
 *
 * The normalised object always has every field: lists present (maybe empty),
 * booleans present, enums lower case, Annex III points as "4(a)" (area 2 is
 * just "2"), Art. 5 practices and Art. 6(3) conditions as single letters
 * ("c"), Art. 50 triggers as "50(1)", geographies upper case ("EU", "DE",
 * "GLOBAL"), artifact hashes as 64 lower-case hex digits, the slug derived
 * from the name when absent. Unknown fields are errors (with line, column and
 * a did-you-mean), never ignored.
 */
#ifndef ASSAY_INTAKE_H
#define ASSAY_INTAKE_H

#include <jansson.h>
#include <stddef.h>

#include "assay/error.h"

/* Read, validate and normalise an intake YAML file. *out is a new reference
 * (json_decref it); on error *out is NULL and err points at file:line:column. */
int assay_intake_load(json_t **out, const char *path, struct assay_error *err);
/* The same from a buffer; name is what errors call it. sha256 (may be NULL)
 * receives the hex SHA-256 of the bytes, for results that record inputs. */
int assay_intake_load_buffer(json_t **out, const char *name, const char *buf, size_t len, char sha256[65],
                             struct assay_error *err);

/* Validate a record that did not come from YAML (built from command-line
 * flags, read back from the database): the same rules as the loader, errors
 * name `name` and the field ("name: field \"ai_type\": ..."). The record must
 * already be normalised; see assay_intake_normalize. */
int assay_intake_validate(const json_t *rec, const char *name, struct assay_error *err);
/* Fill defaults, derive the slug, lower/upper-case enums and geographies, in
 * place; then validate. Use for records built from flags. */
int assay_intake_normalize(json_t *rec, const char *name, struct assay_error *err);

/* "Credit Scoring v2" -> "credit-scoring-v2": lower-case ASCII letters and
 * digits, runs of anything else become one '-', no leading/trailing '-',
 * at most 63 bytes. Returns the length; 0 when nothing is left. */
size_t assay_intake_slugify(const char *name, char *out, size_t size);

/* The field table: what policy predicates may refer to, and how to compare. */
enum assay_intake_type {
	ASSAY_FIELD_STRING,    /* free text */
	ASSAY_FIELD_ENUM,      /* one of values[] */
	ASSAY_FIELD_BOOL,      /* true or false */
	ASSAY_FIELD_LIST,      /* list of free strings */
	ASSAY_FIELD_ENUM_LIST, /* list of values[] */
	ASSAY_FIELD_OBJECT,    /* nested (components, artifacts): not usable in predicates */
};

struct assay_intake_field {
	const char *name;
	enum assay_intake_type type;
	const char *const *values; /* ENUM and ENUM_LIST: the allowed values */
	size_t n_values;
	int ordered;      /* ENUM: values are in order, so lt/le/gt/ge compare positions */
	int required;     /* must be present in an intake file */
	const char *help; /* one line for docs and hints */
};

/* Every intake field, in documentation order. */
const struct assay_intake_field *assay_intake_fields(size_t *n);
/* NULL when unknown. */
const struct assay_intake_field *assay_intake_field_find(const char *name);

#endif
