/* systems.c: the AI system inventory (assay/registry.h): add, update,
 * retire, tier overrides, lookups. Every change appends its audit event in
 * the caller's transaction. */
#include <stdlib.h>
#include <string.h>

#include "assay/audit.h"
#include "assay/canonjson.h"
#include "assay/hash.h"
#include "registry_internal.h"

#define SYS_COLS                                                                                                \
	"id, slug, name, ai_type, lifecycle_stage, tier, computed_tier, tier_source, override_reason, "             \
	"tier_rationale, policy_version, policy_hash, intake, intake_sha256, created_at, created_by, updated_at, " \
	"retired_at, version"

const char *reg_col(struct assay_stmt *st, int col, struct assay_arena *a)
{
	const char *t = assay_stmt_text(st, col);
	return t ? assay_arena_strdup(a, t) : NULL;
}

int reg_need_write(struct assay_store *s, const char *what, struct assay_error *err)
{
	if (s->in_tx != 2)
		return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0, "%s outside a write transaction", what);
	return 0;
}

json_t *reg_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

int assay_slug_valid(const char *slug)
{
	size_t n = slug ? strlen(slug) : 0;
	if (n < 2 || n > 63 || !(slug[0] >= 'a' && slug[0] <= 'z') || slug[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = slug[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return 0;
		if (c == '-' && slug[i + 1] == '-')
			return 0;
	}
	return 1;
}

static int is_tier(const char *t)
{
	return t && (!strcmp(t, "prohibited") || !strcmp(t, "high") || !strcmp(t, "medium") || !strcmp(t, "low"));
}

static void read_row(struct assay_stmt *st, struct assay_arena *a, struct assay_system *o)
{
	memset(o, 0, sizeof *o);
	const char *id = assay_stmt_text(st, 0);
	snprintf(o->id, sizeof o->id, "%s", id ? id : "");
	o->slug = reg_col(st, 1, a);
	o->name = reg_col(st, 2, a);
	o->ai_type = reg_col(st, 3, a);
	o->lifecycle_stage = reg_col(st, 4, a);
	o->tier = reg_col(st, 5, a);
	o->computed_tier = reg_col(st, 6, a);
	o->tier_source = reg_col(st, 7, a);
	o->override_reason = reg_col(st, 8, a);
	o->tier_rationale = reg_col(st, 9, a);
	o->policy_version = reg_col(st, 10, a);
	o->policy_hash = reg_col(st, 11, a);
	o->intake = reg_col(st, 12, a);
	o->intake_sha256 = reg_col(st, 13, a);
	o->created_at = reg_col(st, 14, a);
	o->created_by = reg_col(st, 15, a);
	o->updated_at = reg_col(st, 16, a);
	o->retired_at = reg_col(st, 17, a);
	o->version = assay_stmt_int(st, 18);
}

json_t *assay_system_json(const struct assay_system *sys)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(sys->id));
	json_object_set_new(o, "slug", reg_str(sys->slug));
	json_object_set_new(o, "name", reg_str(sys->name));
	json_object_set_new(o, "ai_type", reg_str(sys->ai_type));
	json_object_set_new(o, "lifecycle_stage", reg_str(sys->lifecycle_stage));
	json_object_set_new(o, "tier", reg_str(sys->tier));
	json_object_set_new(o, "computed_tier", reg_str(sys->computed_tier));
	json_object_set_new(o, "tier_source", reg_str(sys->tier_source));
	json_object_set_new(o, "override_reason", reg_str(sys->override_reason));
	json_t *rat = sys->tier_rationale ? json_loads(sys->tier_rationale, JSON_DECODE_ANY, NULL) : NULL;
	json_object_set_new(o, "tier_rationale", rat ? rat : json_array());
	json_object_set_new(o, "policy",
	                    json_pack("{s:o, s:o}", "version", reg_str(sys->policy_version), "sha256",
	                              reg_str(sys->policy_hash)));
	json_t *in = sys->intake ? json_loads(sys->intake, JSON_DECODE_ANY, NULL) : NULL;
	json_object_set_new(o, "intake", in ? in : json_null());
	json_object_set_new(o, "intake_sha256", reg_str(sys->intake_sha256));
	json_object_set_new(o, "created_at", reg_str(sys->created_at));
	json_object_set_new(o, "created_by", reg_str(sys->created_by));
	json_object_set_new(o, "updated_at", reg_str(sys->updated_at));
	json_object_set_new(o, "retired_at", reg_str(sys->retired_at));
	json_object_set_new(o, "version", json_integer(sys->version));
	return o;
}

/* The part of a system that the audit trail records (created_* and the
 * row version are in the event itself). */
static json_t *audit_state(const struct assay_system *sys)
{
	json_t *o = assay_system_json(sys);
	json_object_del(o, "created_at");
	json_object_del(o, "created_by");
	json_object_del(o, "updated_at");
	json_object_del(o, "id");
	return o;
}

static int slug_list(struct assay_store *s, struct assay_arena *a, const char ***out, size_t *n,
                     struct assay_error *err)
{
	struct assay_stmt *st;
	int rc = assay_stmt_prepare(s, &st, "SELECT slug FROM systems ORDER BY slug", err);
	if (rc)
		return rc;
	size_t cap = 16;
	const char **v = assay_arena_alloc(a, cap * sizeof *v);
	*n = 0;
	while ((rc = assay_stmt_step(st, err)) == 1) {
		if (*n == cap) {
			const char **w = assay_arena_alloc(a, 2 * cap * sizeof *w);
			memcpy(w, v, cap * sizeof *v);
			v = w;
			cap *= 2;
		}
		v[(*n)++] = reg_col(st, 0, a);
	}
	assay_stmt_finalize(st);
	*out = v;
	return rc < 0 ? rc : 0;
}

int assay_system_get(struct assay_store *s, const char *ref, struct assay_arena *a, struct assay_system *out,
                     struct assay_error *err)
{
	struct assay_stmt *st;
	int rc = assay_stmt_prepare(s, &st, "SELECT " SYS_COLS " FROM systems WHERE slug = ?1 OR id = ?2", err);
	if (rc)
		return rc;
	assay_stmt_bind_text(st, 1, ref);
	/* ULIDs are stored upper case; accept them in any case */
	char up[ASSAY_ULID_LEN] = "";
	if (assay_ulid_valid(ref))
		for (int i = 0; i < 27; i++)
			up[i] = (char)(ref[i] >= 'a' && ref[i] <= 'z' ? ref[i] - 32 : ref[i]);
	assay_stmt_bind_text(st, 2, up[0] ? up : ref);
	rc = assay_stmt_step(st, err);
	if (rc == 1)
		read_row(st, a, out);
	assay_stmt_finalize(st);
	if (rc == 1)
		return 0;
	if (rc < 0)
		return rc;
	const char **slugs;
	size_t n;
	assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0, "no system \"%s\" in the registry", ref);
	if (slug_list(s, a, &slugs, &n, err) == 0) {
		const char *dym = assay_did_you_mean(ref, slugs, n);
		if (dym)
			assay_error_hint(err, "did you mean \"%s\"? (`assay system list` shows them all)", dym);
		else
			assay_error_hint(err, "`assay system list` shows the registered systems");
	}
	return ASSAY_EINPUT;
}

static const char *member(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int check_input(const struct assay_system_input *in, struct assay_error *err)
{
	if (!in->intake || !json_is_object(in->intake))
		return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0, "the intake is not a JSON object");
	const char *slug = member(in->intake, "slug");
	if (!member(in->intake, "name") || !*member(in->intake, "name"))
		return assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0, "the intake has no name");
	if (!assay_slug_valid(slug)) {
		assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0, "\"%s\" is not a valid slug", slug ? slug : "");
		assay_error_hint(err, "2-63 characters a-z, 0-9 and single '-', starting with a letter");
		return ASSAY_EINPUT;
	}
	if (in->tier && !is_tier(in->tier))
		return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0, "unknown tier \"%s\"", in->tier);
	return 0;
}

int assay_system_add(struct assay_store *s, const struct assay_system_input *in, struct assay_arena *a,
                     struct assay_system *out, struct assay_error *err)
{
	int rc = reg_need_write(s, "system add", err);
	if (!rc)
		rc = check_input(in, err);
	if (rc)
		return rc;
	const char *slug = member(in->intake, "slug");
	int64_t dummy;
	int found = 0;
	rc = assay_store_query_int(s, "SELECT 1 FROM systems WHERE slug = ?1", slug, &dummy, &found, err);
	if (rc)
		return rc;
	if (found) {
		assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0, "a system with slug \"%s\" is already registered", slug);
		assay_error_hint(err, "`assay system update %s --from FILE` changes it; or give the new system another slug",
		                 slug);
		return ASSAY_EINPUT;
	}
	char id[ASSAY_ULID_LEN], ts[ASSAY_TS_LEN], sha[65];
	if ((rc = assay_ulid_new(id, err)))
		return rc;
	assay_ts_now(ts);
	size_t n;
	char *intake = assay_canonjson(in->intake, &n, err);
	if (!intake)
		return err->code;
	assay_sha256_hex(intake, n, sha);
	char *rat = in->rationale ? assay_canonjson(in->rationale, NULL, err) : strdup("[]");
	if (!rat) {
		free(intake);
		return err->code ? err->code : ASSAY_ENOMEM;
	}
	struct assay_stmt *st;
	rc = assay_stmt_prepare(s, &st,
	                        "INSERT INTO systems (" SYS_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, 'policy', NULL, ?7, "
	                        "?8, ?9, ?10, ?11, ?12, ?13, ?12, NULL, 1)",
	                        err);
	if (!rc) {
		assay_stmt_bind_text(st, 1, id);
		assay_stmt_bind_text(st, 2, slug);
		assay_stmt_bind_text(st, 3, member(in->intake, "name"));
		assay_stmt_bind_text(st, 4, member(in->intake, "ai_type"));
		assay_stmt_bind_text(st, 5, member(in->intake, "lifecycle_stage"));
		assay_stmt_bind_text(st, 6, in->tier);
		assay_stmt_bind_text(st, 7, rat);
		assay_stmt_bind_text(st, 8, in->policy_version);
		assay_stmt_bind_text(st, 9, in->policy_hash);
		assay_stmt_bind_text(st, 10, intake);
		assay_stmt_bind_text(st, 11, sha);
		assay_stmt_bind_text(st, 12, ts);
		assay_stmt_bind_text(st, 13, s->actor);
		rc = assay_stmt_exec(st, err);
		assay_stmt_finalize(st);
	}
	free(intake);
	free(rat);
	struct assay_system sys;
	if (!rc)
		rc = assay_system_get(s, id, a, &sys, err);
	if (!rc) {
		json_t *after = audit_state(&sys);
		struct assay_audit_change c = {
		    .action = "system.add", .entity_type = "system", .entity_id = id, .system_id = id, .after = after};
		rc = assay_audit_append(s, &c, NULL, err);
		json_decref(after);
	}
	if (!rc && out)
		*out = sys;
	return rc;
}

static int load_active(struct assay_store *s, const char *slug, struct assay_arena *a, struct assay_system *sys,
                       const char *what, struct assay_error *err)
{
	int rc = assay_system_get(s, slug, a, sys, err);
	if (rc)
		return rc;
	if (sys->retired_at) {
		assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0, "system \"%s\" was retired on %s: it cannot be %s",
		                sys->slug, sys->retired_at, what);
		assay_error_hint(err, "retired systems stay in the registry as history; register a new system instead");
		return ASSAY_EINPUT;
	}
	return 0;
}

static int record_change(struct assay_store *s, const struct assay_system *before, const char *action,
                         const json_t *note, struct assay_arena *a, struct assay_system *after_out,
                         struct assay_error *err)
{
	struct assay_system after;
	int rc = assay_system_get(s, before->id, a, &after, err);
	if (rc)
		return rc;
	json_t *b = audit_state(before), *af = audit_state(&after);
	struct assay_audit_change c = {.action = action,
	                               .entity_type = "system",
	                               .entity_id = before->id,
	                               .system_id = before->id,
	                               .before = b,
	                               .after = af,
	                               .note = note};
	rc = assay_audit_append(s, &c, NULL, err);
	json_decref(b);
	json_decref(af);
	if (!rc && after_out)
		*after_out = after;
	return rc;
}

int assay_system_update(struct assay_store *s, const char *slug, const struct assay_system_input *in,
                        struct assay_arena *a, struct assay_system *out, int *changed, struct assay_error *err)
{
	*changed = 0;
	struct assay_system cur;
	int rc = reg_need_write(s, "system update", err);
	if (!rc)
		rc = check_input(in, err);
	if (!rc)
		rc = load_active(s, slug, a, &cur, "updated", err);
	if (rc)
		return rc;
	const char *nslug = member(in->intake, "slug");
	if (strcmp(nslug, cur.slug) != 0) {
		assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0, "the intake's slug \"%s\" is not the system's slug \"%s\"",
		                nslug, cur.slug);
		assay_error_hint(err, "a slug never changes: set slug: %s in the intake file", cur.slug);
		return ASSAY_EINPUT;
	}
	size_t n;
	char *intake = assay_canonjson(in->intake, &n, err);
	if (!intake)
		return err->code;
	char sha[65];
	assay_sha256_hex(intake, n, sha);
	char *rat = in->rationale ? assay_canonjson(in->rationale, NULL, err) : strdup("[]");
	if (!rat) {
		free(intake);
		return err->code ? err->code : ASSAY_ENOMEM;
	}
	int same = !strcmp(sha, cur.intake_sha256 ? cur.intake_sha256 : "") &&
	           !strcmp(in->tier ? in->tier : "", cur.computed_tier ? cur.computed_tier : "") &&
	           !strcmp(rat, cur.tier_rationale ? cur.tier_rationale : "") &&
	           !strcmp(in->policy_version ? in->policy_version : "", cur.policy_version ? cur.policy_version : "") &&
	           !strcmp(in->policy_hash ? in->policy_hash : "", cur.policy_hash ? cur.policy_hash : "");
	if (same) {
		free(intake);
		free(rat);
		if (out)
			*out = cur;
		return 0;
	}
	char ts[ASSAY_TS_LEN];
	assay_ts_now(ts);
	struct assay_stmt *st;
	rc = assay_stmt_prepare(s, &st,
	                        "UPDATE systems SET name = ?2, ai_type = ?3, lifecycle_stage = ?4, computed_tier = ?5, "
	                        "tier = CASE WHEN tier_source = 'override' THEN tier ELSE ?5 END, tier_rationale = ?6, "
	                        "policy_version = ?7, policy_hash = ?8, intake = ?9, intake_sha256 = ?10, updated_at = "
	                        "?11, version = version + 1 WHERE id = ?1",
	                        err);
	if (!rc) {
		assay_stmt_bind_text(st, 1, cur.id);
		assay_stmt_bind_text(st, 2, member(in->intake, "name"));
		assay_stmt_bind_text(st, 3, member(in->intake, "ai_type"));
		assay_stmt_bind_text(st, 4, member(in->intake, "lifecycle_stage"));
		assay_stmt_bind_text(st, 5, in->tier);
		assay_stmt_bind_text(st, 6, rat);
		assay_stmt_bind_text(st, 7, in->policy_version);
		assay_stmt_bind_text(st, 8, in->policy_hash);
		assay_stmt_bind_text(st, 9, intake);
		assay_stmt_bind_text(st, 10, sha);
		assay_stmt_bind_text(st, 11, ts);
		rc = assay_stmt_exec(st, err);
		assay_stmt_finalize(st);
	}
	free(intake);
	free(rat);
	if (!rc)
		rc = record_change(s, &cur, "system.update", NULL, a, out, err);
	if (!rc)
		*changed = 1;
	return rc;
}

int assay_system_retire(struct assay_store *s, const char *slug, const char *reason, struct assay_error *err)
{
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct assay_system cur;
	int rc = reg_need_write(s, "system retire", err);
	if (!rc)
		rc = load_active(s, slug, &a, &cur, "retired again", err);
	char *intake = NULL;
	size_t n = 0;
	if (!rc) {
		/* the stored intake says so too */
		json_t *in = json_loads(cur.intake, 0, NULL);
		if (in) {
			json_object_set_new(in, "lifecycle_stage", json_string("retired"));
			intake = assay_canonjson(in, &n, err);
			json_decref(in);
		}
		if (!intake)
			rc = assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0, "the stored intake of %s is not JSON", cur.slug);
	}
	if (!rc) {
		char ts[ASSAY_TS_LEN], sha[65];
		assay_ts_now(ts);
		assay_sha256_hex(intake, n, sha);
		struct assay_stmt *st;
		rc = assay_stmt_prepare(s, &st,
		                        "UPDATE systems SET lifecycle_stage = 'retired', retired_at = ?2, updated_at = ?2, "
		                        "intake = ?3, intake_sha256 = ?4, version = version + 1 WHERE id = ?1",
		                        err);
		if (!rc) {
			assay_stmt_bind_text(st, 1, cur.id);
			assay_stmt_bind_text(st, 2, ts);
			assay_stmt_bind_text(st, 3, intake);
			assay_stmt_bind_text(st, 4, sha);
			rc = assay_stmt_exec(st, err);
			assay_stmt_finalize(st);
		}
	}
	free(intake);
	if (!rc) {
		json_t *note = reason ? json_pack("{s:s}", "reason", reason) : NULL;
		rc = record_change(s, &cur, "system.retire", note, &a, NULL, err);
		json_decref(note);
	}
	assay_arena_free(&a);
	return rc;
}

int assay_system_override_tier(struct assay_store *s, const char *slug, const char *tier, const char *reason,
                               struct assay_error *err)
{
	int rc = reg_need_write(s, "tier override", err);
	if (rc)
		return rc;
	if (!reason || !*reason) {
		assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0, "a tier override needs a reason");
		assay_error_hint(err, "--reason \"...\": it is recorded in the audit trail");
		return ASSAY_EUSAGE;
	}
	if (tier && !is_tier(tier)) {
		assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0, "\"%s\" is not a tier", tier);
		assay_error_hint(err, "prohibited, high, medium or low");
		return ASSAY_EUSAGE;
	}
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct assay_system cur;
	rc = load_active(s, slug, &a, &cur, "re-tiered", err);
	if (!rc) {
		char ts[ASSAY_TS_LEN];
		assay_ts_now(ts);
		struct assay_stmt *st;
		rc = assay_stmt_prepare(s, &st,
		                        tier ? "UPDATE systems SET tier = ?2, tier_source = 'override', override_reason = ?3, "
		                               "updated_at = ?4, version = version + 1 WHERE id = ?1"
		                             : "UPDATE systems SET tier = computed_tier, tier_source = 'policy', "
		                               "override_reason = NULL, updated_at = ?4, version = version + 1 WHERE id = ?1",
		                        err);
		if (!rc) {
			assay_stmt_bind_text(st, 1, cur.id);
			if (tier) {
				assay_stmt_bind_text(st, 2, tier);
				assay_stmt_bind_text(st, 3, reason);
			}
			assay_stmt_bind_text(st, 4, ts);
			rc = assay_stmt_exec(st, err);
			assay_stmt_finalize(st);
		}
	}
	if (!rc) {
		json_t *note = json_pack("{s:s}", "reason", reason);
		rc = record_change(s, &cur, tier ? "system.tier_override" : "system.tier_override_clear", note, &a, NULL,
		                   err);
		json_decref(note);
	}
	assay_arena_free(&a);
	return rc;
}

int assay_system_list(struct assay_store *s, const struct assay_system_filter *f, struct assay_arena *a,
                      struct assay_system **out, size_t *n, struct assay_error *err)
{
	static const struct assay_system_filter none;
	if (!f)
		f = &none;
	struct assay_stmt *st;
	int rc = assay_stmt_prepare(s, &st,
	                            "SELECT " SYS_COLS " FROM systems WHERE (?1 IS NULL OR tier = ?1) AND "
	                            "(?2 IS NULL OR lifecycle_stage = ?2) AND (?3 IS NULL OR ai_type = ?3) AND "
	                            "(?4 = 1 OR retired_at IS NULL) ORDER BY slug",
	                            err);
	if (rc)
		return rc;
	assay_stmt_bind_text(st, 1, f->tier);
	assay_stmt_bind_text(st, 2, f->stage);
	assay_stmt_bind_text(st, 3, f->ai_type);
	assay_stmt_bind_int(st, 4, f->include_retired || (f->stage && !strcmp(f->stage, "retired")));
	size_t cap = 16;
	struct assay_system *v = assay_arena_alloc(a, cap * sizeof *v);
	*n = 0;
	while (v && (rc = assay_stmt_step(st, err)) == 1) {
		if (*n == cap) {
			struct assay_system *w = assay_arena_alloc(a, 2 * cap * sizeof *w);
			if (!w) {
				v = NULL;
				break;
			}
			memcpy(w, v, cap * sizeof *v);
			v = w;
			cap *= 2;
		}
		read_row(st, a, &v[(*n)++]);
	}
	assay_stmt_finalize(st);
	if (!v)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	*out = v;
	return rc < 0 ? rc : 0;
}
