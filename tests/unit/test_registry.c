/* test_registry.c: systems and evidence at the library level, without a
 * policy pack: what is stored and audited on add, update, override and
 * retire; the blob store; completeness when evidence goes stale (by
 * freshness, by an explicit date, the earlier of the two) as the clock
 * moves; media types from names and bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assay/audit.h"
#include "assay/registry.h"

struct fx {
	char dir[64], db[128];
	struct assay_store *s;
	struct assay_arena a;
};

static void must(int rc, const struct assay_error *err)
{
	if (rc != 0)
		fail_msg("%s (hint: %s)", err->message, err->hint);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/assay-reg-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->db, sizeof f->db, "%s/r.db", f->dir);
	setenv("ASSAY_NOW", "2026-01-01T00:00:00Z", 1);
	struct assay_error err;
	struct assay_store_opts o = {.path = f->db, .create = 1};
	if (assay_store_open(&f->s, &o, &err))
		return -1;
	assay_store_set_actor(f->s, "alice");
	assay_arena_init(&f->a);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	assay_store_close(f->s);
	assay_arena_free(&f->a);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	int rc = system(cmd);
	free(f);
	unsetenv("ASSAY_NOW");
	return rc ? -1 : 0;
}

static void add_system(struct fx *f, const char *slug, const char *tier, struct assay_system *out)
{
	struct assay_error err;
	json_t *intake = json_pack("{s:s, s:s, s:s, s:s}", "name", slug, "slug", slug, "ai_type",
	                           "classical_ml", "lifecycle_stage", "build");
	json_t *rat = json_pack("[s]", "because");
	struct assay_system_input in = {
	    .intake = intake, .tier = tier, .rationale = rat, .policy_version = "1", .policy_hash = "abc"};
	must(assay_store_begin(f->s, ASSAY_TX_WRITE, &err), &err);
	must(assay_system_add(f->s, &in, &f->a, out, &err), &err);
	must(assay_store_commit(f->s, &err), &err);
	json_decref(intake);
	json_decref(rat);
}

static void systems(void **state)
{
	struct fx *f = *state;
	struct assay_error err;
	struct assay_system sys, got;
	add_system(f, "credit-model", "high", &sys);
	assert_true(assay_ulid_valid(sys.id));
	assert_string_equal(sys.tier, "high");
	assert_string_equal(sys.tier_source, "policy");
	assert_string_equal(sys.intake,
	                    "{\"ai_type\":\"classical_ml\",\"lifecycle_stage\":\"build\",\"name\":"
	                    "\"credit-model\",\"slug\":\"credit-model\"}");
	assert_int_equal(sys.version, 1);
	assert_string_equal(sys.created_by, "alice");
	/* by slug or by id, any case */
	must(assay_store_begin(f->s, ASSAY_TX_READ, &err), &err);
	must(assay_system_get(f->s, "credit-model", &f->a, &got, &err), &err);
	char lower[ASSAY_ULID_LEN];
	for (int i = 0; i < ASSAY_ULID_LEN; i++)
		lower[i] = (char)(sys.id[i] >= 'A' && sys.id[i] <= 'Z' ? sys.id[i] + 32 : sys.id[i]);
	must(assay_system_get(f->s, lower, &f->a, &got, &err), &err);
	assert_string_equal(got.slug, "credit-model");
	assert_int_equal(assay_system_get(f->s, "credit-modl", &f->a, &got, &err), ASSAY_EINPUT);
	assert_non_null(strstr(err.hint, "credit-model"));
	assay_store_rollback(f->s);
	/* a slug is unique and well-formed */
	json_t *bad = json_pack("{s:s, s:s}", "name", "X", "slug", "Not A Slug");
	struct assay_system_input in = {.intake = bad, .tier = "low"};
	must(assay_store_begin(f->s, ASSAY_TX_WRITE, &err), &err);
	assert_int_equal(assay_system_add(f->s, &in, &f->a, NULL, &err), ASSAY_EINPUT);
	json_object_set_new(bad, "slug", json_string("credit-model"));
	assert_int_equal(assay_system_add(f->s, &in, &f->a, NULL, &err), ASSAY_EINPUT);
	assert_non_null(strstr(err.message, "already registered"));
	/* override: reason required; kept beside the computed tier */
	assert_int_equal(assay_system_override_tier(f->s, "credit-model", "low", "", &err), ASSAY_EUSAGE);
	assert_int_equal(assay_system_override_tier(f->s, "credit-model", "extreme", "r", &err),
	                 ASSAY_EUSAGE);
	must(assay_system_override_tier(f->s, "credit-model", "medium", "board", &err), &err);
	must(assay_system_get(f->s, "credit-model", &f->a, &got, &err), &err);
	assert_string_equal(got.tier, "medium");
	assert_string_equal(got.computed_tier, "high");
	assert_string_equal(got.override_reason, "board");
	/* an update keeps the override in force */
	json_t *intake = json_loads(got.intake, 0, NULL);
	json_object_set_new(intake, "lifecycle_stage", json_string("deployed"));
	struct assay_system_input up = {
	    .intake = intake, .tier = "low", .policy_version = "2", .policy_hash = "def"};
	int changed;
	must(assay_system_update(f->s, "credit-model", &up, &f->a, &got, &changed, &err), &err);
	assert_int_equal(changed, 1);
	assert_string_equal(got.tier, "medium");
	assert_string_equal(got.computed_tier, "low");
	assert_string_equal(got.lifecycle_stage, "deployed");
	assert_int_equal(got.version, 3);
	must(assay_system_update(f->s, "credit-model", &up, &f->a, &got, &changed, &err), &err);
	assert_int_equal(changed, 0);
	must(assay_system_retire(f->s, "credit-model", "gone", &err), &err);
	must(assay_system_get(f->s, "credit-model", &f->a, &got, &err), &err);
	assert_string_equal(got.retired_at, "2026-01-01T00:00:00Z");
	assert_non_null(strstr(got.intake, "\"lifecycle_stage\":\"retired\""));
	assert_int_equal(assay_system_retire(f->s, "credit-model", NULL, &err), ASSAY_EINPUT);
	must(assay_store_commit(f->s, &err), &err);
	json_decref(bad);
	json_decref(intake);
	/* every change is one event, in order */
	struct assay_audit_event *ev;
	size_t n;
	must(assay_store_begin(f->s, ASSAY_TX_READ, &err), &err);
	must(assay_audit_list(f->s, NULL, &f->a, &ev, &n, &err), &err);
	assert_int_equal(n, 4);
	assert_string_equal(ev[0].action, "system.add");
	assert_string_equal(ev[1].action, "system.tier_override");
	assert_non_null(strstr(ev[1].diff, "\"note\":{\"reason\":\"board\"}"));
	assert_string_equal(ev[2].action, "system.update");
	assert_string_equal(ev[3].action, "system.retire");
	struct assay_system *list;
	must(assay_system_list(f->s, NULL, &f->a, &list, &n, &err), &err);
	assert_int_equal(n, 0); /* retired */
	struct assay_system_filter all = {.include_retired = 1};
	must(assay_system_list(f->s, &all, &f->a, &list, &n, &err), &err);
	assert_int_equal(n, 1);
	assay_store_rollback(f->s);
}

static const struct assay_requirement REQS[] = {
    {"ctl-a", "model-card", "document", NULL, 365},
    {"ctl-a", "fairness", "metric", NULL, 30},
    {"ctl-b", "registration", "attestation", NULL, 0},
};

static void add_ev(struct fx *f, const char *key, const char *data, const char *collected,
                   const char *expires, struct assay_evidence *out)
{
	struct assay_error err;
	struct assay_evidence_input in = {.system = "mm",
	                                  .requirement_key = key,
	                                  .data = data,
	                                  .data_n = strlen(data),
	                                  .data_name = "e.json",
	                                  .collected_at = collected,
	                                  .expires_at = expires};
	must(assay_store_begin(f->s, ASSAY_TX_WRITE, &err), &err);
	must(assay_evidence_add(f->s, &in, REQS, 3, &f->a, out, &err), &err);
	must(assay_store_commit(f->s, &err), &err);
}

static struct assay_evidence_status status_at(struct fx *f, const char *now)
{
	struct assay_error err;
	struct assay_system sys;
	struct assay_evidence_status st;
	must(assay_store_begin(f->s, ASSAY_TX_READ, &err), &err);
	must(assay_system_get(f->s, "mm", &f->a, &sys, &err), &err);
	must(assay_evidence_status(f->s, sys.id, REQS, 3, now, &f->a, &st, &err), &err);
	assay_store_rollback(f->s);
	return st;
}

static void evidence_and_completeness(void **state)
{
	struct fx *f = *state;
	struct assay_error err;
	struct assay_system sys;
	add_system(f, "mm", "high", &sys);
	struct assay_evidence e;
	add_ev(f, "model-card", "{\"card\": 1}", "2026-01-01", NULL, &e);
	assert_int_equal(e.number, 1);
	assert_string_equal(e.kind, "document"); /* the requirement's */
	assert_string_equal(e.source, "manual");
	assert_string_equal(e.author, "alice");
	assert_string_equal(e.media_type, "application/json");
	assert_string_equal(e.control_id, "ctl-a");
	/* explicit expiry earlier than the freshness window wins */
	add_ev(f, "fairness", "{\"f\": 1}", "2026-01-01", "2026-01-10", &e);
	struct assay_evidence_status st = status_at(f, "2026-01-05T00:00:00Z");
	assert_int_equal(st.satisfied, 2);
	assert_int_equal(st.missing, 1);
	assert_string_equal(st.items[1].expires_at, "2026-01-10T00:00:00Z");
	st = status_at(f, "2026-01-10T00:00:00Z"); /* at the expiry instant it no longer counts */
	assert_int_equal(st.items[1].state, ASSAY_REQ_EXPIRED);
	assert_int_equal(st.satisfied, 1);
	assert_int_equal(st.expired, 1);
	/* newer evidence satisfies again; the freshest is shown */
	add_ev(f, "fairness", "{\"f\": 2}", "2026-01-20", NULL, &e);
	st = status_at(f, "2026-01-25T00:00:00Z");
	assert_int_equal(st.items[1].state, ASSAY_REQ_SATISFIED);
	assert_int_equal(st.items[1].evidence->number, 3);
	assert_int_equal(st.items[1].nevidence, 2);
	assert_string_equal(st.items[1].expires_at, "2026-02-19T00:00:00Z"); /* collected + 30 days */
	/* never-expiring requirement; completeness is satisfied / required */
	add_ev(f, "registration", "yes", "2020-01-01", NULL, &e);
	assert_string_equal(e.media_type, "application/json"); /* by the name e.json */
	st = status_at(f, "2030-01-01T00:00:00Z");
	assert_int_equal(st.satisfied, 1);
	assert_int_equal(st.expired, 2);
	assert_true(st.completeness > 0.333 && st.completeness < 0.334);
	assert_null(st.items[2].expires_at);
	/* unknown keys and bad dates are refused with the valid keys as hint */
	struct assay_evidence_input in = {
	    .system = "mm", .requirement_key = "modelcard", .url = "https://x.example/mc"};
	must(assay_store_begin(f->s, ASSAY_TX_WRITE, &err), &err);
	assert_int_equal(assay_evidence_add(f->s, &in, REQS, 3, &f->a, &e, &err), ASSAY_EINPUT);
	assert_non_null(strstr(err.hint, "did you mean \"model-card\"?"));
	assert_non_null(strstr(err.hint, "model-card, fairness, registration"));
	in.requirement_key = "model-card";
	in.collected_at = "last week";
	assert_int_equal(assay_evidence_add(f->s, &in, REQS, 3, &f->a, &e, &err), ASSAY_EUSAGE);
	in.collected_at = NULL;
	in.url = "not a url";
	assert_int_equal(assay_evidence_add(f->s, &in, REQS, 3, &f->a, &e, &err), ASSAY_EUSAGE);
	in.url = "https://x.example/mc";
	must(assay_evidence_add(f->s, &in, REQS, 3, &f->a, &e, &err), &err);
	assert_null(e.sha256);
	assert_string_equal(e.uri, "https://x.example/mc");
	must(assay_store_commit(f->s, &err), &err);
	/* blobs: stored once, verified on read */
	must(assay_store_begin(f->s, ASSAY_TX_READ, &err), &err);
	int64_t checked, badn;
	const char *desc;
	must(assay_evidence_verify(f->s, &f->a, &checked, &badn, &desc, &err), &err);
	assert_int_equal(checked, 4);
	assert_int_equal(badn, 0);
	must(assay_evidence_get(f->s, "E-1", &f->a, &e, &err), &err);
	void *data;
	size_t n;
	must(assay_blob_get(f->s, e.sha256, &f->a, &data, &n, &err), &err);
	assert_memory_equal(data, "{\"card\": 1}", n);
	const char *path = assay_blob_path(f->s, e.sha256, &f->a);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "chmod u+w '%s' && printf X >> '%s'", path, path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(assay_blob_get(f->s, e.sha256, &f->a, &data, &n, &err), ASSAY_EINPUT);
	assert_non_null(strstr(err.message, "is corrupt"));
	must(assay_evidence_verify(f->s, &f->a, &checked, &badn, &desc, &err), &err);
	assert_int_equal(badn, 1);
	assert_non_null(strstr(desc, "(E-1) is corrupt"));
	assert_int_equal(assay_evidence_get(f->s, "E-99", &f->a, &e, &err), ASSAY_EINPUT);
	assay_store_rollback(f->s);
}

static void media_types(void **state)
{
	(void)state;
	assert_string_equal(assay_media_type("report.PDF", NULL, 0), "application/pdf");
	assert_string_equal(assay_media_type("eval.junit.xml", NULL, 0), "application/xml");
	assert_string_equal(assay_media_type("x", "%PDF-1.7", 8), "application/pdf");
	assert_string_equal(assay_media_type("x", "\x89PNG\r\n\x1a\n", 8), "image/png");
	assert_string_equal(assay_media_type("x", "  {\"a\":1}", 9), "application/json");
	assert_string_equal(assay_media_type("x", "<?xml version", 13), "application/xml");
	assert_string_equal(assay_media_type("x", "hello\n", 6), "text/plain");
	assert_string_equal(assay_media_type("x", "\x00\x01\x02", 3), "application/octet-stream");
	assert_string_equal(assay_media_type("dir.d/noext", NULL, 0), "application/octet-stream");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(systems, setup, teardown),
	    cmocka_unit_test_setup_teardown(evidence_and_completeness, setup, teardown),
	    cmocka_unit_test(media_types),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
