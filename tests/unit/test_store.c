/* test_store.c: the storage interface and the audit chain, on real SQLite
 * files in a temporary directory: migrations (a version-1 database with
 * rows opened by code that knows a version 2), one transaction per
 * command (a failure leaves nothing half-written), per-kind numbers, the
 * hash chain and its diffs, Ed25519 signing and checkpoints, and tamper
 * detection from the library's side. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "assay/audit.h"
#include "assay/canonjson.h"
#include "assay/store.h"

struct fx {
	char dir[64], db[128];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/assay-store-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
	setenv("ASSAY_NOW", "2025-03-01T12:00:00Z", 1);
	unsetenv("ASSAY_KEY");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	unsetenv("ASSAY_NOW");
	return 0;
}

static struct assay_store *open_db(struct fx *f, int create)
{
	struct assay_store *s = NULL;
	struct assay_error err;
	struct assay_store_opts o = {.path = f->db, .create = create};
	if (assay_store_open(&s, &o, &err) != 0)
		fail_msg("open: %s", err.message);
	assay_store_set_actor(s, "tester");
	return s;
}

static void must(int rc, const struct assay_error *err)
{
	if (rc != 0)
		fail_msg("%s (hint: %s)", err->message, err->hint);
}

static void append(struct assay_store *s, const char *action, json_t *before, json_t *after)
{
	struct assay_error err;
	struct assay_audit_change c = {
	    .action = action, .entity_type = "thing", .entity_id = "T1", .before = before, .after = after};
	must(assay_store_begin(s, ASSAY_TX_WRITE, &err), &err);
	must(assay_audit_append(s, &c, NULL, &err), &err);
	must(assay_store_commit(s, &err), &err);
}

static void open_creates_and_migrates(void **state)
{
	struct fx *f = *state;
	struct assay_store *s = NULL;
	struct assay_error err;
	struct assay_store_opts o = {.path = f->db};
	assert_int_equal(assay_store_open(&s, &o, &err), ASSAY_EIO); /* no create: an error, nothing made */
	assert_non_null(strstr(err.hint, "ASSAY_DB"));
	assert_int_equal(access(f->db, F_OK), -1);
	s = open_db(f, 1);
	int v;
	size_t latest;
	assay_migrations(&latest);
	must(assay_store_schema_version(s, &v, &err), &err);
	assert_int_equal(v, (int)latest);
	struct assay_store_health h;
	must(assay_store_health(s, &h, &err), &err);
	assert_string_equal(h.journal_mode, "wal");
	assert_int_equal(h.foreign_keys, 1);
	assert_string_equal(h.integrity, "ok");
	assert_int_equal(h.fk_violations, 0);
	char blobs[160];
	snprintf(blobs, sizeof blobs, "%s.blobs", f->db);
	assert_string_equal(assay_store_blob_dir(s), blobs);
	assay_store_close(s);
	/* reopening applies nothing new */
	s = open_db(f, 0);
	int64_t n;
	must(assay_store_query_int(s, "SELECT count(*) FROM schema_migrations", NULL, &n, NULL, &err), &err);
	assert_int_equal(n, (int64_t)latest);
	assay_store_close(s);
}

/* A database made at version 1, with rows and audit events, is opened by
 * code that also knows a version 2: it migrates in place, keeps every row
 * and the chain still verifies. */
static void migration_keeps_data(void **state)
{
	struct fx *f = *state;
	struct assay_error err;
	size_t n1;
	const struct assay_migration *base = assay_migrations(&n1);
	struct assay_migration v1[1] = {base[0]};
	struct assay_store_opts o = {.path = f->db, .create = 1, .migrations = v1, .nmigrations = 1};
	struct assay_store *s;
	must(assay_store_open(&s, &o, &err), &err);
	assay_store_set_actor(s, "tester");
	must(assay_store_begin(s, ASSAY_TX_WRITE, &err), &err);
	must(assay_store_exec(s, "INSERT INTO registry_meta (key, value) VALUES ('note', 'kept')", &err),
	     &err);
	must(assay_store_commit(s, &err), &err);
	json_t *a = json_pack("{s:s}", "x", "1");
	append(s, "thing.add", NULL, a);
	json_decref(a);
	assay_store_close(s);

	struct assay_migration v2[2] = {base[0],
	                                {2, "test",
	                                 "CREATE TABLE widgets (id TEXT PRIMARY KEY, n INTEGER NOT NULL);\n"
	                                 "ALTER TABLE registry_meta ADD COLUMN extra TEXT;\n"
	                                 "UPDATE registry_meta SET extra = 'migrated';"}};
	o.migrations = v2;
	o.nmigrations = 2;
	o.create = 0;
	must(assay_store_open(&s, &o, &err), &err);
	int v;
	must(assay_store_schema_version(s, &v, &err), &err);
	assert_int_equal(v, 2);
	struct assay_stmt *st;
	must(assay_stmt_prepare(s, &st, "SELECT value, extra FROM registry_meta WHERE key = 'note'", &err),
	     &err);
	assert_int_equal(assay_stmt_step(st, &err), 1);
	assert_string_equal(assay_stmt_text(st, 0), "kept");
	assert_string_equal(assay_stmt_text(st, 1), "migrated");
	assay_stmt_finalize(st);
	struct assay_audit_verify_result r;
	must(assay_audit_verify(s, &r, &err), &err);
	assert_int_equal(r.problem, ASSAY_AUDIT_OK);
	assert_int_equal(r.count, 1);
	assay_store_close(s);

	/* the default list does not know version 2: a newer database is refused */
	o.migrations = NULL;
	o.nmigrations = 0;
	if (n1 < 2) {
		assert_int_equal(assay_store_open(&s, &o, &err), ASSAY_EINPUT);
		assert_non_null(strstr(err.message, "version 2"));
	}
}

/* A migration that fails is rolled back whole and recorded nowhere. */
static void failed_migration_rolls_back(void **state)
{
	struct fx *f = *state;
	struct assay_error err;
	size_t n1;
	const struct assay_migration *base = assay_migrations(&n1);
	struct assay_migration bad[2] = {base[0],
	                                 {2, "broken", "CREATE TABLE half (x INTEGER);\nTHIS IS NOT SQL;"}};
	struct assay_store_opts o = {.path = f->db, .create = 1, .migrations = bad, .nmigrations = 2};
	struct assay_store *s;
	assert_int_not_equal(assay_store_open(&s, &o, &err), 0);
	assert_non_null(strstr(err.message, "migration 2 (broken) failed"));
	o.migrations = bad;
	o.nmigrations = 1;
	must(assay_store_open(&s, &o, &err), &err);
	int v;
	must(assay_store_schema_version(s, &v, &err), &err);
	assert_int_equal(v, 1);
	int64_t n;
	must(assay_store_query_int(s, "SELECT count(*) FROM sqlite_master WHERE name = 'half'", NULL, &n,
	                           NULL, &err),
	     &err);
	assert_int_equal(n, 0);
	assay_store_close(s);
}

static void transactions_and_numbers(void **state)
{
	struct fx *f = *state;
	struct assay_error err;
	struct assay_store *s = open_db(f, 1);
	int64_t n = 0;
	/* numbers need a write transaction */
	assert_int_equal(assay_store_next_number(s, "E", &n, &err), ASSAY_EINTERNAL);
	must(assay_store_begin(s, ASSAY_TX_WRITE, &err), &err);
	assert_int_equal(assay_store_begin(s, ASSAY_TX_WRITE, &err), ASSAY_EINTERNAL); /* one at a time */
	for (int i = 1; i <= 3; i++) {
		must(assay_store_next_number(s, "E", &n, &err), &err);
		assert_int_equal(n, i);
	}
	must(assay_store_next_number(s, "R", &n, &err), &err);
	assert_int_equal(n, 1);
	must(assay_store_commit(s, &err), &err);
	/* a rolled-back command leaves neither its rows nor its event */
	must(assay_store_begin(s, ASSAY_TX_WRITE, &err), &err);
	must(assay_store_next_number(s, "E", &n, &err), &err);
	assert_int_equal(n, 4);
	struct assay_audit_change c = {.action = "thing.add", .entity_type = "thing", .entity_id = "X"};
	must(assay_audit_append(s, &c, NULL, &err), &err);
	assay_store_rollback(s);
	must(assay_store_begin(s, ASSAY_TX_WRITE, &err), &err);
	must(assay_store_next_number(s, "E", &n, &err), &err);
	assert_int_equal(n, 4);
	int64_t events;
	must(assay_store_query_int(s, "SELECT count(*) FROM audit_events", NULL, &events, NULL, &err), &err);
	assert_int_equal(events, 0);
	assay_store_rollback(s);
	/* events only inside a write transaction */
	assert_int_equal(assay_audit_append(s, &c, NULL, &err), ASSAY_EINTERNAL);
	/* constraint violations are input errors, with the backend's message */
	must(assay_store_begin(s, ASSAY_TX_WRITE, &err), &err);
	struct assay_stmt *st;
	must(assay_stmt_prepare(s, &st, "INSERT INTO counters (kind, value) VALUES (?1, ?2)", &err), &err);
	assay_stmt_bind_text(st, 1, "E");
	assay_stmt_bind_int(st, 2, 9);
	assert_int_equal(assay_stmt_exec(st, &err), ASSAY_EINPUT);
	assert_non_null(strstr(err.message, "UNIQUE"));
	assay_stmt_finalize(st);
	assay_store_rollback(s);
	assay_store_close(s);
}

static void chain_diff_and_verify(void **state)
{
	struct fx *f = *state;
	struct assay_error err;
	struct assay_store *s = open_db(f, 1);
	json_t *a =
	    json_pack("{s:s, s:{s:i, s:i}, s:[i]}", "name", "x", "nested", "k", 1, "same", 2, "list", 1);
	json_t *b = json_pack("{s:s, s:{s:i, s:i}, s:[i], s:b}", "name", "y", "nested", "k", 5, "same", 2,
	                      "list", 1, "added", 1);
	append(s, "thing.add", NULL, a);
	append(s, "thing.update", a, b);
	append(s, "thing.update", b, b);
	json_decref(a);
	json_decref(b);
	struct assay_arena ar = {0};
	assay_arena_init(&ar);
	struct assay_audit_event *ev;
	size_t n;
	must(assay_store_begin(s, ASSAY_TX_READ, &err), &err);
	must(assay_audit_list(s, NULL, &ar, &ev, &n, &err), &err);
	assert_int_equal(n, 3);
	assert_string_equal(ev[0].prev_hash,
	                    "0000000000000000000000000000000000000000000000000000000000000000");
	assert_string_equal(ev[1].prev_hash, ev[0].hash);
	assert_string_equal(ev[0].actor, "tester");
	assert_string_equal(ev[0].ts, "2025-03-01T12:00:00Z");
	assert_string_equal(ev[0].diff,
	                    "{\"after\":{\"list\":[1],\"name\":\"x\",\"nested\":{\"k\":1,\"same\":2}}}");
	/* only what changed, recursively, is in an update's diff */
	assert_string_equal(ev[1].diff, "{\"after\":{\"added\":true,\"name\":\"y\",\"nested\":{\"k\":5}},"
	                                "\"before\":{\"name\":\"x\",\"nested\":{\"k\":1}}}");
	assert_string_equal(ev[2].diff, "{\"after\":{},\"before\":{}}");
	/* the hash is SHA-256 over the canonical JSON of the other fields */
	json_t *o = json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:I, s:n, s:s}", "action", ev[1].action,
	                      "actor", ev[1].actor, "diff", json_loads(ev[1].diff, 0, NULL), "entity_id",
	                      "T1", "entity_type", "thing", "prev_hash", ev[1].prev_hash, "seq",
	                      (json_int_t)2, "system_id", "ts", ev[1].ts);
	char hex[65];
	must(assay_canonjson_sha256(o, hex, &err), &err);
	json_decref(o);
	assert_string_equal(hex, ev[1].hash);
	struct assay_audit_verify_result r;
	must(assay_audit_verify(s, &r, &err), &err);
	assert_int_equal(r.problem, ASSAY_AUDIT_OK);
	assert_int_equal(r.count, 3);
	assert_string_equal(r.head_hash, ev[2].hash);
	/* filters */
	struct assay_audit_filter fl = {.action = "thing.update", .limit = 1};
	must(assay_audit_list(s, &fl, &ar, &ev, &n, &err), &err);
	assert_int_equal(n, 1);
	assert_int_equal(ev[0].seq, 3);
	assay_store_rollback(s);
	/* edit one byte of event 2 behind the library's back */
	must(assay_store_begin(s, ASSAY_TX_WRITE, &err), &err);
	must(assay_store_exec(s, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 2", &err), &err);
	must(assay_store_commit(s, &err), &err);
	must(assay_audit_verify(s, &r, &err), &err);
	assert_int_equal(r.problem, ASSAY_AUDIT_EDITED);
	assert_int_equal(r.bad_seq, 2);
	assert_int_equal(r.count, 1);
	assay_arena_free(&ar);
	assay_store_close(s);
}

static void signing_and_checkpoints(void **state)
{
	struct fx *f = *state;
	struct assay_error err;
	struct assay_store *s = open_db(f, 1);
	json_t *a = json_pack("{s:s}", "x", "1");
	append(s, "thing.add", NULL, a); /* before the key: unsigned, and fine */
	char key_id[17], path[200];
	snprintf(path, sizeof path, "%s.key", f->db);
	must(assay_store_begin(s, ASSAY_TX_WRITE, &err), &err);
	must(assay_audit_key_generate(s, NULL, key_id, &err), &err);
	must(assay_store_commit(s, &err), &err);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	append(s, "thing.update", a, a);
	struct assay_arena ar = {0};
	assay_arena_init(&ar);
	struct assay_audit_checkpoint cp;
	must(assay_store_begin(s, ASSAY_TX_WRITE, &err), &err);
	must(assay_audit_checkpoint(s, &cp, &ar, &err), &err);
	must(assay_store_commit(s, &err), &err);
	assert_int_equal(cp.seq, 3);
	assay_store_close(s);

	/* a new process finds the key beside the database and signs */
	s = open_db(f, 0);
	append(s, "thing.update", a, a);
	struct assay_audit_verify_result r;
	must(assay_audit_verify(s, &r, &err), &err);
	assert_int_equal(r.problem, ASSAY_AUDIT_OK);
	assert_int_equal(r.signed_events, 3); /* key.generate, and the two after it */
	assert_int_equal(r.checkpoints, 1);
	/* a second key generation never overwrites the key file */
	must(assay_store_begin(s, ASSAY_TX_WRITE, &err), &err);
	assert_int_equal(assay_audit_key_generate(s, NULL, key_id, &err), ASSAY_EIO);
	assay_store_rollback(s);
	assay_store_close(s);

	/* without the secret key a signed chain takes no unsigned events */
	setenv("ASSAY_KEY", "/nonexistent/key", 1);
	s = open_db(f, 0);
	must(assay_store_begin(s, ASSAY_TX_WRITE, &err), &err);
	struct assay_audit_change c = {.action = "thing.update", .entity_type = "thing", .after = a};
	assert_int_equal(assay_audit_append(s, &c, NULL, &err), ASSAY_EIO);
	assert_non_null(strstr(err.hint, "ASSAY_KEY"));
	assay_store_rollback(s);
	unsetenv("ASSAY_KEY");
	/* an unsigned event slipped in after the key: missing signature */
	must(assay_store_begin(s, ASSAY_TX_WRITE, &err), &err);
	must(assay_store_exec(s, "UPDATE audit_events SET sig = NULL, key_id = NULL WHERE seq = 4", &err),
	     &err);
	must(assay_store_commit(s, &err), &err);
	must(assay_audit_verify(s, &r, &err), &err);
	assert_int_equal(r.problem, ASSAY_AUDIT_MISSING_SIGNATURE);
	assert_int_equal(r.bad_seq, 4);
	assay_store_close(s);
	json_decref(a);
	assay_arena_free(&ar);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(open_creates_and_migrates, setup, teardown),
	    cmocka_unit_test_setup_teardown(migration_keeps_data, setup, teardown),
	    cmocka_unit_test_setup_teardown(failed_migration_rolls_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(transactions_and_numbers, setup, teardown),
	    cmocka_unit_test_setup_teardown(chain_diff_and_verify, setup, teardown),
	    cmocka_unit_test_setup_teardown(signing_and_checkpoints, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
