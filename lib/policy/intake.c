/* intake.c: the AI system intake record (assay/intake.h): the field table,
 * the YAML reader (located errors), normalisation and validation of records
 * built elsewhere.
 *
 * Fields follow ../shared/anchors/governance.md section 2.8; the EU AI Act
 * identifiers are those of Regulation (EU) 2024/1689: Art. 5(1)(a)-(h),
 * Annex III's 25 points in 8 areas (area 2 has no lettered points),
 * Art. 6(3)(a)-(d) and Art. 50(1)-(4). Identifiers are accepted in the
 * spellings people write ("4a", "Annex III 4(a)", "5(1)(c)", "Art. 50(1)")
 * and stored in one canonical form so that predicates compare exact strings.
 * Each check runs on one value and returns a message; the YAML path adds the
 * line and column, the JSON path the field name.
 */
#include "assay/intake.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "assay/yaml.h"
#include "policy_internal.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const AI_TYPES[] = {"classical_ml", "genai", "rag", "agentic", "rule_based"};
static const char *const ROLES[] = {
    "provider", "deployer", "importer", "distributor", "authorised_representative", "product_manufacturer"};
static const char *const CONTEXTS[] = {"internal", "partner", "customer_facing", "public"};
static const char *const STAGES[] = {"idea", "design", "build", "validate", "deployed", "retired"};
static const char *const ANNEX_III[] = {
    "1(a)", "1(b)", "1(c)", "2",    "3(a)", "3(b)", "3(c)", "3(d)", "4(a)", "4(b)", "5(a)", "5(b)", "5(c)",
    "5(d)", "6(a)", "6(b)", "6(c)", "6(d)", "6(e)", "7(a)", "7(b)", "7(c)", "7(d)", "8(a)", "8(b)"};
static const char *const ART5[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
static const char *const ART6_3[] = {"a", "b", "c", "d"};
static const char *const ART50[] = {"50(1)", "50(2)", "50(3)", "50(4)"};
static const char *const COMPONENT_KINDS[] = {
    "model", "dataset", "prompt", "foundation_model", "third_party_model", "tool", "library"};
static const char *const COMPONENT_KEYS[] = {"name",    "kind",   "version", "vendor",
                                             "licence", "sha256", "url",     "description"};
static const char *const ARTIFACT_KEYS[] = {"model", "data", "prompt"};

static const struct assay_intake_field FIELDS[] = {
    {"name", ASSAY_FIELD_STRING, NULL, 0, 0, 1, "the system's name"},
    {"slug", ASSAY_FIELD_STRING, NULL, 0, 0, 0,
     "short id: lower-case letters, digits, '-' (default: from the name)"},
    {"description", ASSAY_FIELD_STRING, NULL, 0, 0, 0, "what the system does"},
    {"business_owner", ASSAY_FIELD_STRING, NULL, 0, 0, 0, "accountable business owner"},
    {"technical_owner", ASSAY_FIELD_STRING, NULL, 0, 0, 0, "accountable technical owner"},
    {"ai_type", ASSAY_FIELD_ENUM, AI_TYPES, N(AI_TYPES), 0, 1, "kind of AI"},
    {"eu_role", ASSAY_FIELD_ENUM, ROLES, N(ROLES), 0, 1, "EU AI Act operator role (Art. 3)"},
    {"intended_purpose", ASSAY_FIELD_STRING, NULL, 0, 0, 1, "intended purpose (Art. 3(12))"},
    {"out_of_scope_uses", ASSAY_FIELD_LIST, NULL, 0, 0, 0, "uses the system must not be put to"},
    {"deployment_context", ASSAY_FIELD_ENUM, CONTEXTS, N(CONTEXTS), 0, 1, "who reaches the system"},
    {"geographies", ASSAY_FIELD_LIST, NULL, 0, 0, 0, "where it is used: ISO 3166 codes, EU, EEA or GLOBAL"},
    {"affected_persons", ASSAY_FIELD_LIST, NULL, 0, 0, 0, "who is affected (applicants, employees, ...)"},
    {"profiles_natural_persons", ASSAY_FIELD_BOOL, NULL, 0, 0, 0,
     "profiles natural persons (Art. 4(4) GDPR)"},
    {"annex_i_product", ASSAY_FIELD_BOOL, NULL, 0, 0, 0,
     "safety component of a product under Annex I legislation (Art. 6(1))"},
    {"annex_iii_points", ASSAY_FIELD_ENUM_LIST, ANNEX_III, N(ANNEX_III), 0, 0, "Annex III points, e.g. 4(a)"},
    {"art5_practices", ASSAY_FIELD_ENUM_LIST, ART5, N(ART5), 0, 0, "Art. 5(1) practices, letters a-h"},
    {"art6_3_exemptions", ASSAY_FIELD_ENUM_LIST, ART6_3, N(ART6_3), 0, 0,
     "Art. 6(3) conditions claimed, letters a-d"},
    {"art50_triggers", ASSAY_FIELD_ENUM_LIST, ART50, N(ART50), 0, 0, "Art. 50 paragraphs, 50(1)-50(4)"},
    {"lifecycle_stage", ASSAY_FIELD_ENUM, STAGES, N(STAGES), 1, 0, "lifecycle stage (default idea)"},
    {"tool_access", ASSAY_FIELD_LIST, NULL, 0, 0, 0, "tools or actions the system can invoke"},
    {"components", ASSAY_FIELD_OBJECT, NULL, 0, 0, 0, "models, datasets, prompts, third-party models"},
    {"artifacts", ASSAY_FIELD_OBJECT, NULL, 0, 0, 0, "sha256 of the model, data and prompt artifacts"},
};

const struct assay_intake_field *assay_intake_fields(size_t *n)
{
	*n = N(FIELDS);
	return FIELDS;
}

const struct assay_intake_field *assay_intake_field_find(const char *name)
{
	for (size_t i = 0; i < N(FIELDS); i++)
		if (strcmp(FIELDS[i].name, name) == 0)
			return &FIELDS[i];
	return NULL;
}

size_t assay_intake_slugify(const char *name, char *out, size_t size)
{
	size_t n = 0, cap = size ? size - 1 : 0;
	if (cap > 63)
		cap = 63;
	int dash = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p && n < cap; p++) {
		if (isalnum(*p) && *p < 128) {
			if (dash && n > 0 && n + 1 < cap)
				out[n++] = '-';
			dash = 0;
			out[n++] = (char)tolower(*p);
		} else {
			dash = 1;
		}
	}
	while (n > 0 && out[n - 1] == '-')
		n--;
	if (size)
		out[n] = '\0';
	return n;
}

/* ---- canonical spellings ------------------------------------------------ */

/* Lower-case, drop spaces, dots and a leading prefix (any of pfx). */
static void squash(const char *s, char *out, size_t size, const char *const *pfx, size_t npfx)
{
	size_t n = 0;
	for (; *s && n + 1 < size; s++)
		if (!isspace((unsigned char)*s) && *s != '.' && *s != '_')
			out[n++] = (char)tolower((unsigned char)*s);
	out[n] = '\0';
	for (int again = 1; again;) {
		again = 0;
		for (size_t i = 0; i < npfx; i++) {
			size_t l = strlen(pfx[i]);
			if (strncmp(out, pfx[i], l) == 0 && out[l]) {
				memmove(out, out + l, strlen(out + l) + 1);
				again = 1;
			}
		}
	}
}

/* "a", "(a)", "5(1)(a)", "Art. 5(1)(a)" -> "a" (art = "5(1)" or "6(3)"). */
static void canon_letter(const char *s, const char *art, char *out, size_t size)
{
	const char *pfx[] = {"article", "art", art};
	squash(s, out, size, pfx, 3);
	size_t l = strlen(out);
	if (l == 3 && out[0] == '(' && out[2] == ')') {
		out[0] = out[1];
		out[1] = '\0';
	}
}

/* "4a", "4(A)", "Annex III 4(a)", "III.4(a)" -> "4(a)". */
static void canon_annex(const char *s, char *out, size_t size)
{
	const char *pfx[] = {"annex", "iii", "point"};
	squash(s, out, size, pfx, 3);
	size_t l = strlen(out);
	if (l == 2 && isdigit((unsigned char)out[0]) && isalpha((unsigned char)out[1])) {
		char d = out[0], c = out[1];
		snprintf(out, size, "%c(%c)", d, c);
	}
}

/* "1", "(1)", "50(1)", "Art. 50(1)" -> "50(1)". */
static void canon_art50(const char *s, char *out, size_t size)
{
	const char *pfx[] = {"article", "art"};
	char t[64];
	squash(s, t, sizeof t, pfx, 2);
	if (strlen(t) == 1 && isdigit((unsigned char)t[0]))
		snprintf(out, size, "50(%c)", t[0]);
	else if (strlen(t) == 3 && t[0] == '(' && t[2] == ')')
		snprintf(out, size, "50(%c)", t[1]);
	else
		snprintf(out, size, "%s", t);
}

static void canon_lower(const char *s, char *out, size_t size)
{
	size_t n = 0;
	for (; *s && n + 1 < size; s++)
		out[n++] = (char)tolower((unsigned char)*s);
	out[n] = '\0';
}

static void canon_upper(const char *s, char *out, size_t size)
{
	size_t n = 0;
	for (; *s && n + 1 < size; s++)
		out[n++] = (char)toupper((unsigned char)*s);
	out[n] = '\0';
}

/* The canonical spelling of value v of field f (into out). */
static void canonical(const struct assay_intake_field *f, const char *v, char *out, size_t size)
{
	if (f->values == ANNEX_III)
		canon_annex(v, out, size);
	else if (f->values == ART5)
		canon_letter(v, "5(1)", out, size);
	else if (f->values == ART6_3)
		canon_letter(v, "6(3)", out, size);
	else if (f->values == ART50)
		canon_art50(v, out, size);
	else if (strcmp(f->name, "geographies") == 0)
		canon_upper(v, out, size);
	else if (f->type == ASSAY_FIELD_ENUM || f->type == ASSAY_FIELD_ENUM_LIST)
		canon_lower(v, out, size);
	else
		snprintf(out, size, "%s", v);
}

static int is_hex64(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!isxdigit((unsigned char)s[n]))
			return 0;
	return n == 64;
}

/* Check one canonical scalar value of f: NULL when fine, else a message
 * (into msg) and a hint (into hint). */
static const char *check_value(const struct assay_intake_field *f, const char *v, char *msg, size_t msize,
                               char *hint, size_t hsize)
{
	hint[0] = '\0';
	if (f->values) {
		for (size_t i = 0; i < f->n_values; i++)
			if (strcmp(f->values[i], v) == 0)
				return NULL;
		const char *dym = assay_did_you_mean(v, f->values, f->n_values);
		if (dym)
			snprintf(msg, msize, "\"%s\" is not a valid %s; did you mean \"%s\"?", v, f->name,
			         dym);
		else
			snprintf(msg, msize, "\"%s\" is not a valid %s", v, f->name);
		size_t off = (size_t)snprintf(hint, hsize, "%s: ", f->help);
		for (size_t i = 0; i < f->n_values && off < hsize; i++)
			off += (size_t)snprintf(hint + off, hsize - off, "%s%s", i ? ", " : "", f->values[i]);
		return msg;
	}
	if (strcmp(f->name, "slug") == 0) {
		size_t l = strlen(v);
		int okc = l > 0 && l <= 63 && v[0] != '-' && v[l - 1] != '-';
		for (size_t i = 0; okc && i < l; i++)
			okc = (v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') || v[i] == '-';
		if (!okc) {
			snprintf(msg, msize,
			         "slug \"%s\" is not lower-case letters, digits and '-' (1-63 bytes)", v);
			snprintf(hint, hsize, "leave slug out to derive it from the name");
			return msg;
		}
	}
	if (strcmp(f->name, "geographies") == 0) {
		int iso = strlen(v) == 2 && isupper((unsigned char)v[0]) && isupper((unsigned char)v[1]);
		if (!iso && strcmp(v, "EU") && strcmp(v, "EEA") && strcmp(v, "GLOBAL")) {
			snprintf(msg, msize,
			         "geography \"%s\" is not an ISO 3166 alpha-2 code, EU, EEA or GLOBAL", v);
			snprintf(hint, hsize, "for example: EU, DE, US, GB, GLOBAL");
			return msg;
		}
	}
	if (f->type == ASSAY_FIELD_STRING && f->required && !v[0]) {
		snprintf(msg, msize, "%s is empty", f->name);
		snprintf(hint, hsize, "%s", f->help);
		return msg;
	}
	return NULL;
}

/* ---- YAML -> JSON --------------------------------------------------------- */

struct yctx {
	struct assay_yaml *y;
	struct assay_error *err;
};

static int is_null_scalar(const yaml_node_t *n)
{
	const char *s = assay_yaml_scalar(n);
	return s && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (!*s || !strcmp(s, "~") || !strcmp(s, "null"));
}

static int y_scalar_value(struct yctx *c, const struct assay_intake_field *f, yaml_node_t *n, json_t **out)
{
	const char *s = assay_yaml_scalar(n);
	if (!s)
		return assay_yaml_error(c->err, c->y, n, "expected a single value for \"%s\"", f->name);
	char canon[256], msg[600], hint[480];
	canonical(f, s, canon, sizeof canon);
	if (check_value(f, canon, msg, sizeof msg, hint, sizeof hint)) {
		assay_yaml_error(c->err, c->y, n, "%s", msg);
		if (hint[0])
			assay_error_hint(c->err, "%s", hint);
		return c->err->code;
	}
	*out = json_string(canon);
	return *out ? 0 : assay_error_set(c->err, ASSAY_ENOMEM, c->y->path, 0, 0, "out of memory");
}

static int y_list(struct yctx *c, const struct assay_intake_field *f, yaml_node_t *n, json_t **out)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return assay_yaml_error(c->err, c->y, n,
		                        "expected a list for \"%s\" (- item lines or [a, b])", f->name);
	json_t *arr = json_array();
	for (size_t i = 0; i < assay_yaml_len(n); i++) {
		json_t *v = NULL;
		if (y_scalar_value(c, f, assay_yaml_at(c->y, n, i), &v) != 0) {
			json_decref(arr);
			return c->err->code;
		}
		int dup = 0;
		for (size_t j = 0; j < json_array_size(arr); j++)
			dup |= json_equal(json_array_get(arr, j), v);
		if (dup) {
			json_decref(v);
			continue;
		}
		json_array_append_new(arr, v);
	}
	*out = arr;
	return 0;
}

static int y_components(struct yctx *c, yaml_node_t *n, json_t **out)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return assay_yaml_error(c->err, c->y, n,
		                        "expected a list of components (- name: ..., kind: ...)");
	static const struct assay_intake_field kind = {
	    "kind", ASSAY_FIELD_ENUM, COMPONENT_KINDS, N(COMPONENT_KINDS), 0, 1, "component kind"};
	json_t *arr = json_array();
	for (size_t i = 0; i < assay_yaml_len(n); i++) {
		yaml_node_t *m = assay_yaml_at(c->y, n, i);
		if (assay_yaml_check_keys(c->y, m, "a component", COMPONENT_KEYS, N(COMPONENT_KEYS),
		                          c->err) != 0)
			goto fail;
		json_t *o = json_object();
		json_array_append_new(arr, o);
		for (size_t k = 0; k < N(COMPONENT_KEYS); k++) {
			yaml_node_t *v = assay_yaml_get(c->y, m, COMPONENT_KEYS[k]);
			if (!v || is_null_scalar(v))
				continue;
			const char *s = assay_yaml_scalar(v);
			if (!s) {
				assay_yaml_error(c->err, c->y, v,
				                 "expected a single value for component \"%s\"",
				                 COMPONENT_KEYS[k]);
				goto fail;
			}
			json_t *jv = NULL;
			if (strcmp(COMPONENT_KEYS[k], "kind") == 0) {
				if (y_scalar_value(c, &kind, v, &jv) != 0)
					goto fail;
			} else if (strcmp(COMPONENT_KEYS[k], "sha256") == 0) {
				const char *h = strncmp(s, "sha256:", 7) == 0 ? s + 7 : s;
				char low[80];
				canon_lower(h, low, sizeof low);
				if (!is_hex64(low)) {
					assay_yaml_error(c->err, c->y, v,
					                 "component sha256 is not 64 hex digits");
					goto fail;
				}
				jv = json_string(low);
			} else {
				jv = json_string(s);
			}
			json_object_set_new(o, COMPONENT_KEYS[k], jv);
		}
		const char *nm = json_string_value(json_object_get(o, "name"));
		const char *kd = json_string_value(json_object_get(o, "kind"));
		if (!nm || !kd) {
			assay_yaml_error(c->err, c->y, m, "a component needs a name and a kind");
			assay_error_hint(
			    c->err,
			    "kinds: model, dataset, prompt, foundation_model, third_party_model, tool, "
			    "library");
			goto fail;
		}
		if ((!strcmp(kd, "foundation_model") || !strcmp(kd, "third_party_model")) &&
		    (!json_object_get(o, "vendor") || !json_object_get(o, "licence"))) {
			assay_yaml_error(c->err, c->y, m,
			                 "component \"%s\" is a %s: it needs a vendor and a licence", nm, kd);
			assay_error_hint(c->err,
			                 "add vendor: and licence: (e.g. licence: proprietary, apache-2.0)");
			goto fail;
		}
	}
	*out = arr;
	return 0;
fail:
	json_decref(arr);
	return c->err->code;
}

static int y_artifacts(struct yctx *c, yaml_node_t *n, json_t **out)
{
	if (assay_yaml_check_keys(c->y, n, "artifacts", ARTIFACT_KEYS, N(ARTIFACT_KEYS), c->err) != 0)
		return c->err->code;
	json_t *o = json_object();
	for (size_t k = 0; k < N(ARTIFACT_KEYS); k++) {
		yaml_node_t *v = assay_yaml_get(c->y, n, ARTIFACT_KEYS[k]);
		if (!v || is_null_scalar(v))
			continue;
		const char *s = assay_yaml_scalar(v);
		char low[80];
		canon_lower(s && strncmp(s, "sha256:", 7) == 0 ? s + 7 : s ? s : "", low, sizeof low);
		if (!s || !is_hex64(low)) {
			json_decref(o);
			assay_yaml_error(c->err, c->y, v, "artifacts.%s is not a sha256 (64 hex digits)",
			                 ARTIFACT_KEYS[k]);
			assay_error_hint(c->err, "sha256sum FILE prints it");
			return c->err->code;
		}
		json_object_set_new(o, ARTIFACT_KEYS[k], json_string(low));
	}
	*out = o;
	return 0;
}

/* Defaults for absent fields, the slug from the name. */
static void fill_defaults(json_t *rec)
{
	for (size_t i = 0; i < N(FIELDS); i++) {
		const struct assay_intake_field *f = &FIELDS[i];
		if (json_object_get(rec, f->name))
			continue;
		switch (f->type) {
		case ASSAY_FIELD_LIST:
		case ASSAY_FIELD_ENUM_LIST:
			json_object_set_new(rec, f->name, json_array());
			break;
		case ASSAY_FIELD_BOOL:
			json_object_set_new(rec, f->name, json_false());
			break;
		case ASSAY_FIELD_OBJECT:
			json_object_set_new(rec, f->name,
			                    !strcmp(f->name, "components") ? json_array() : json_object());
			break;
		case ASSAY_FIELD_ENUM:
			if (!strcmp(f->name, "lifecycle_stage"))
				json_object_set_new(rec, f->name, json_string("idea"));
			break;
		case ASSAY_FIELD_STRING:
			if (!strcmp(f->name, "slug")) {
				char slug[64];
				const char *nm = json_string_value(json_object_get(rec, "name"));
				if (nm && assay_intake_slugify(nm, slug, sizeof slug))
					json_object_set_new(rec, "slug", json_string(slug));
			} else if (!f->required) {
				json_object_set_new(rec, f->name, json_string(""));
			}
			break;
		}
	}
}

static int from_yaml(struct assay_yaml *y, json_t **out, struct assay_error *err)
{
	yaml_node_t *root = assay_yaml_root(y);
	if (!root)
		return assay_error_set(err, ASSAY_EINPUT, y->path, 0, 0, "the intake file is empty"),
		       assay_error_hint(err, "start from docs/policy.md's example intake"), err->code;
	const char *names[N(FIELDS)];
	for (size_t i = 0; i < N(FIELDS); i++)
		names[i] = FIELDS[i].name;
	if (assay_yaml_check_keys(y, root, "the intake file", names, N(FIELDS), err) != 0)
		return err->code;
	for (yaml_node_pair_t *a = root->data.mapping.pairs.start; a < root->data.mapping.pairs.top; a++)
		for (yaml_node_pair_t *b = root->data.mapping.pairs.start; b < a; b++) {
			const char *ka = assay_yaml_scalar(assay_yaml_node(y, a->key));
			if (ka && !strcmp(ka, assay_yaml_scalar(assay_yaml_node(y, b->key)))) {
				yaml_node_t *kn = assay_yaml_node(y, a->key);
				assay_yaml_error(err, y, kn, "\"%s\" is given twice (first at line %lu)", ka,
				                 (unsigned long)assay_yaml_node(y, b->key)->start_mark.line +
				                     1);
				return err->code;
			}
		}
	struct yctx c = {y, err};
	json_t *rec = json_object();
	for (size_t i = 0; i < N(FIELDS); i++) {
		const struct assay_intake_field *f = &FIELDS[i];
		yaml_node_t *n = assay_yaml_get(y, root, f->name);
		if (!n || is_null_scalar(n))
			continue;
		json_t *v = NULL;
		int rc = 0, b = 0;
		switch (f->type) {
		case ASSAY_FIELD_STRING:
		case ASSAY_FIELD_ENUM:
			rc = y_scalar_value(&c, f, n, &v);
			break;
		case ASSAY_FIELD_BOOL:
			rc = assay_yaml_bool(y, n, f->name, &b, err);
			v = rc ? NULL : json_boolean(b);
			break;
		case ASSAY_FIELD_LIST:
		case ASSAY_FIELD_ENUM_LIST:
			rc = y_list(&c, f, n, &v);
			break;
		case ASSAY_FIELD_OBJECT:
			rc =
			    !strcmp(f->name, "components") ? y_components(&c, n, &v) : y_artifacts(&c, n, &v);
			break;
		}
		if (rc) {
			json_decref(rec);
			return rc;
		}
		json_object_set_new(rec, f->name, v);
	}
	for (size_t i = 0; i < N(FIELDS); i++)
		if (FIELDS[i].required && !json_object_get(rec, FIELDS[i].name)) {
			json_decref(rec);
			assay_yaml_error(err, y, root, "the intake file lacks \"%s\" (%s)", FIELDS[i].name,
			                 FIELDS[i].help);
			if (FIELDS[i].values) {
				char hint[480];
				size_t off = (size_t)snprintf(hint, sizeof hint, "one of: ");
				for (size_t k = 0; k < FIELDS[i].n_values && off < sizeof hint; k++)
					off += (size_t)snprintf(hint + off, sizeof hint - off, "%s%s",
					                        k ? ", " : "", FIELDS[i].values[k]);
				assay_error_hint(err, "%s", hint);
			}
			return err->code;
		}
	fill_defaults(rec);
	if (assay_intake_validate(rec, y->path, err) != 0) {
		json_decref(rec);
		return err->code;
	}
	*out = rec;
	return 0;
}

int assay_intake_load_buffer(json_t **out, const char *name, const char *buf, size_t len, char sha256[65],
                             struct assay_error *err)
{
	*out = NULL;
	struct assay_yaml y;
	int rc = assay_yaml_load_buffer(&y, name, buf, len, err);
	if (sha256)
		memcpy(sha256, y.sha256, 65);
	if (rc == 0)
		rc = from_yaml(&y, out, err);
	assay_yaml_free(&y);
	return rc;
}

int assay_intake_load(json_t **out, const char *path, struct assay_error *err)
{
	*out = NULL;
	struct assay_yaml y;
	int rc = assay_yaml_load(&y, path, "the intake file", err);
	if (rc == 0)
		rc = from_yaml(&y, out, err);
	assay_yaml_free(&y);
	return rc;
}

/* ---- JSON records ----------------------------------------------------------- */

static int j_error(struct assay_error *err, const char *name, const struct assay_intake_field *f,
                   const char *msg, const char *hint)
{
	assay_error_set(err, ASSAY_EINPUT, name, 0, 0, "field \"%s\": %s", f->name, msg);
	if (hint && hint[0])
		assay_error_hint(err, "%s", hint);
	return err->code;
}

static int j_check_string(const struct assay_intake_field *f, const json_t *v, const char *name,
                          struct assay_error *err)
{
	char msg[600], hint[480];
	if (!json_is_string(v))
		return j_error(err, name, f, "expected a string", f->help);
	char canon[256];
	canonical(f, json_string_value(v), canon, sizeof canon);
	if (strcmp(canon, json_string_value(v)) != 0) {
		snprintf(msg, sizeof msg, "\"%s\" is not in canonical form \"%s\"", json_string_value(v),
		         canon);
		return j_error(err, name, f, msg, "normalise the record first (assay_intake_normalize)");
	}
	if (check_value(f, canon, msg, sizeof msg, hint, sizeof hint))
		return j_error(err, name, f, msg, hint);
	return 0;
}

static int j_check_objects(const struct assay_intake_field *f, const json_t *v, const char *name,
                           struct assay_error *err)
{
	if (!strcmp(f->name, "components")) {
		if (!json_is_array(v))
			return j_error(err, name, f, "expected a list of components", NULL);
		size_t i;
		json_t *o;
		json_array_foreach(v, i, o)
		{
			if (!json_is_object(o) || !json_is_string(json_object_get(o, "name")) ||
			    !json_is_string(json_object_get(o, "kind")))
				return j_error(err, name, f, "each component needs a name and a kind", NULL);
			const char *key;
			json_t *cv;
			json_object_foreach(o, key, cv)
			{
				size_t k = 0;
				while (k < N(COMPONENT_KEYS) && strcmp(COMPONENT_KEYS[k], key))
					k++;
				if (k == N(COMPONENT_KEYS) || !json_is_string(cv))
					return j_error(err, name, f, "unknown or non-string component key",
					               "keys: name, kind, "
					               "version, vendor, licence, sha256, url, description");
			}
			const char *kd = json_string_value(json_object_get(o, "kind"));
			size_t k = 0;
			while (k < N(COMPONENT_KINDS) && strcmp(COMPONENT_KINDS[k], kd))
				k++;
			if (k == N(COMPONENT_KINDS))
				return j_error(err, name, f, "unknown component kind",
				               "kinds: model, dataset, prompt, "
				               "foundation_model, third_party_model, tool, library");
			if ((!strcmp(kd, "foundation_model") || !strcmp(kd, "third_party_model")) &&
			    (!json_object_get(o, "vendor") || !json_object_get(o, "licence")))
				return j_error(
				    err, name, f,
				    "a foundation or third-party model needs a vendor and a licence", NULL);
		}
		return 0;
	}
	if (!json_is_object(v))
		return j_error(err, name, f, "expected an object {model, data, prompt}", NULL);
	const char *key;
	json_t *hv;
	json_object_foreach((json_t *)v, key, hv)
	{
		size_t k = 0;
		while (k < N(ARTIFACT_KEYS) && strcmp(ARTIFACT_KEYS[k], key))
			k++;
		if (k == N(ARTIFACT_KEYS))
			return j_error(err, name, f, "unknown artifact (model, data or prompt)", NULL);
		if (!json_is_string(hv) || !is_hex64(json_string_value(hv)))
			return j_error(err, name, f, "an artifact hash is not 64 hex digits", NULL);
	}
	return 0;
}

int assay_intake_validate(const json_t *rec, const char *name, struct assay_error *err)
{
	if (!json_is_object(rec))
		return assay_error_set(err, ASSAY_EINPUT, name, 0, 0, "an intake record is an object");
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)rec, key, v)
	{
		if (assay_intake_field_find(key))
			continue;
		const char *names[N(FIELDS)];
		for (size_t i = 0; i < N(FIELDS); i++)
			names[i] = FIELDS[i].name;
		const char *dym = assay_did_you_mean(key, names, N(FIELDS));
		assay_error_set(err, ASSAY_EINPUT, name, 0, 0, "unknown field \"%s\"%s%s%s", key,
		                dym ? "; did you mean \"" : "", dym ? dym : "", dym ? "\"?" : "");
		return err->code;
	}
	for (size_t i = 0; i < N(FIELDS); i++) {
		const struct assay_intake_field *f = &FIELDS[i];
		v = json_object_get(rec, f->name);
		if (!v) {
			if (f->required || f->type != ASSAY_FIELD_STRING)
				return j_error(err, name, f, "missing", f->help);
			continue;
		}
		int rc = 0;
		switch (f->type) {
		case ASSAY_FIELD_STRING:
		case ASSAY_FIELD_ENUM:
			rc = j_check_string(f, v, name, err);
			break;
		case ASSAY_FIELD_BOOL:
			if (!json_is_boolean(v))
				rc = j_error(err, name, f, "expected true or false", NULL);
			break;
		case ASSAY_FIELD_LIST:
		case ASSAY_FIELD_ENUM_LIST: {
			if (!json_is_array(v))
				return j_error(err, name, f, "expected a list", f->help);
			size_t k;
			json_t *item;
			json_array_foreach(v, k, item) if ((rc = j_check_string(f, item, name, err)) !=
			                                   0) return rc;
			break;
		}
		case ASSAY_FIELD_OBJECT:
			rc = j_check_objects(f, v, name, err);
			break;
		}
		if (rc)
			return rc;
	}
	return 0;
}

static void normalize_value(const struct assay_intake_field *f, json_t *rec, json_t *v, size_t idx)
{
	if (!json_is_string(v))
		return;
	char canon[256];
	canonical(f, json_string_value(v), canon, sizeof canon);
	if (json_is_array(json_object_get(rec, f->name)))
		json_array_set_new(json_object_get(rec, f->name), idx, json_string(canon));
	else
		json_object_set_new(rec, f->name, json_string(canon));
}

int assay_intake_normalize(json_t *rec, const char *name, struct assay_error *err)
{
	if (!json_is_object(rec))
		return assay_error_set(err, ASSAY_EINPUT, name, 0, 0, "an intake record is an object");
	for (size_t i = 0; i < N(FIELDS); i++) {
		const struct assay_intake_field *f = &FIELDS[i];
		json_t *v = json_object_get(rec, f->name);
		if (!v || f->type == ASSAY_FIELD_OBJECT || f->type == ASSAY_FIELD_BOOL)
			continue;
		if (json_is_array(v)) {
			size_t k;
			json_t *item;
			json_array_foreach(v, k, item) normalize_value(f, rec, item, k);
		} else {
			normalize_value(f, rec, v, 0);
		}
	}
	for (size_t i = 0; i < N(FIELDS); i++)
		if (FIELDS[i].required && !json_object_get(rec, FIELDS[i].name))
			return j_error(err, name, &FIELDS[i], "missing", FIELDS[i].help);
	fill_defaults(rec);
	return assay_intake_validate(rec, name, err);
}

const char *const *intake_component_kinds(size_t *n)
{
	*n = N(COMPONENT_KINDS);
	return COMPONENT_KINDS;
}
