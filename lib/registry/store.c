/* store.c: the storage interface (assay/store.h) over a backend table
 * (store_internal.h), and schema migrations applied on open. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assay/clock.h"
#include "store_internal.h"

const char *assay_store_default_path(const char *flag)
{
	if (flag && *flag)
		return flag;
	const char *env = getenv("ASSAY_DB");
	if (env && *env)
		return env;
	return "assay.db";
}

const char *assay_actor_resolve(const char *flag)
{
	if (flag && *flag)
		return flag;
	const char *env = getenv("ASSAY_USER");
	if (env && *env)
		return env;
	struct passwd *pw = getpwuid(geteuid());
	if (pw && pw->pw_name && *pw->pw_name)
		return pw->pw_name;
	env = getenv("USER");
	return env && *env ? env : "unknown";
}

const char *assay_store_path(const struct assay_store *s)
{
	return s->path;
}
const char *assay_store_blob_dir(const struct assay_store *s)
{
	return s->blob_dir;
}
const char *assay_store_backend(const struct assay_store *s)
{
	return s->ops->name;
}

void assay_store_set_actor(struct assay_store *s, const char *actor)
{
	free(s->actor);
	s->actor = strdup(actor ? actor : assay_actor_resolve(NULL));
}

const char *assay_store_actor(const struct assay_store *s)
{
	return s->actor;
}

int assay_store_in_tx(const struct assay_store *s)
{
	return s->in_tx;
}

int assay_store_begin(struct assay_store *s, enum assay_tx mode, struct assay_error *err)
{
	if (s->in_tx)
		return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0, "a transaction is already open");
	if (mode == ASSAY_TX_WRITE && s->readonly)
		return assay_error_set(err, ASSAY_EINTERNAL, s->path, 0, 0, "the database was opened read-only");
	int rc = s->ops->begin(s, mode, err);
	if (!rc)
		s->in_tx = 1 + (mode == ASSAY_TX_WRITE);
	return rc;
}

int assay_store_commit(struct assay_store *s, struct assay_error *err)
{
	if (!s->in_tx)
		return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0, "commit without a transaction");
	int rc = s->ops->commit(s, err);
	if (rc)
		s->ops->rollback(s);
	s->in_tx = 0;
	return rc;
}

void assay_store_rollback(struct assay_store *s)
{
	if (s->in_tx)
		s->ops->rollback(s);
	s->in_tx = 0;
}

int assay_store_exec(struct assay_store *s, const char *sql, struct assay_error *err)
{
	return s->ops->exec(s, sql, err);
}

int assay_stmt_prepare(struct assay_store *s, struct assay_stmt **out, const char *sql, struct assay_error *err)
{
	struct assay_stmt *st = calloc(1, sizeof *st);
	if (!st)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	st->s = s;
	snprintf(st->sql_head, sizeof st->sql_head, "%.60s", sql);
	for (char *p = st->sql_head; *p; p++)
		if (*p == '\n')
			*p = ' ';
	int rc = s->ops->prepare(s, st, sql, err);
	if (rc) {
		free(st);
		return rc;
	}
	*out = st;
	return 0;
}

int assay_stmt_bind_text(struct assay_stmt *st, int i, const char *v)
{
	return st->s->ops->bind_text(st, i, v);
}
int assay_stmt_bind_int(struct assay_stmt *st, int i, int64_t v)
{
	return st->s->ops->bind_int(st, i, v);
}
int assay_stmt_bind_blob(struct assay_stmt *st, int i, const void *v, size_t n)
{
	return st->s->ops->bind_blob(st, i, v, n);
}
int assay_stmt_bind_null(struct assay_stmt *st, int i)
{
	return st->s->ops->bind_null(st, i);
}
int assay_stmt_step(struct assay_stmt *st, struct assay_error *err)
{
	return st->s->ops->step(st, err);
}
int assay_stmt_exec(struct assay_stmt *st, struct assay_error *err)
{
	int rc;
	while ((rc = st->s->ops->step(st, err)) == 1)
		;
	return rc;
}
int assay_stmt_reset(struct assay_stmt *st)
{
	return st->s->ops->reset(st);
}
int assay_stmt_columns(struct assay_stmt *st)
{
	return st->s->ops->columns(st);
}
int assay_stmt_is_null(struct assay_stmt *st, int col)
{
	return st->s->ops->is_null(st, col);
}
const char *assay_stmt_text(struct assay_stmt *st, int col)
{
	return st->s->ops->text(st, col);
}
int64_t assay_stmt_int(struct assay_stmt *st, int col)
{
	return st->s->ops->get_int(st, col);
}
const void *assay_stmt_blob(struct assay_stmt *st, int col, size_t *n)
{
	return st->s->ops->blob(st, col, n);
}
void assay_stmt_finalize(struct assay_stmt *st)
{
	if (!st)
		return;
	st->s->ops->finalize(st);
	free(st);
}

int assay_store_query_int(struct assay_store *s, const char *sql, const char *text1, int64_t *out, int *found,
                          struct assay_error *err)
{
	struct assay_stmt *st;
	int rc = assay_stmt_prepare(s, &st, sql, err);
	if (rc)
		return rc;
	if (text1)
		assay_stmt_bind_text(st, 1, text1);
	rc = assay_stmt_step(st, err);
	if (found)
		*found = rc == 1 && !assay_stmt_is_null(st, 0);
	if (rc == 1) {
		*out = assay_stmt_int(st, 0);
		rc = 0;
	}
	assay_stmt_finalize(st);
	return rc;
}

int assay_store_next_number(struct assay_store *s, const char *kind, int64_t *out, struct assay_error *err)
{
	if (s->in_tx != 2)
		return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0,
		                       "next number for \"%s\" outside a write transaction", kind);
	return assay_store_query_int(s,
	                             "INSERT INTO counters (kind, value) VALUES (?1, 1) "
	                             "ON CONFLICT (kind) DO UPDATE SET value = counters.value + 1 RETURNING value",
	                             kind, out, NULL, err);
}

/* ---- migrations ---- */

static int table_exists(struct assay_store *s, const char *name, int *exists, struct assay_error *err)
{
	/* sqlite_master is the SQLite backend's catalog; the portable form
	 * (information_schema.tables) is what a PostgreSQL backend would use,
	 * so this one probe asks the backend by name. */
	int64_t n = 0;
	const char *sql = strcmp(s->ops->name, "sqlite") == 0
	                      ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1"
	                      : "SELECT count(*) FROM information_schema.tables WHERE table_name = ?1";
	int rc = assay_store_query_int(s, sql, name, &n, NULL, err);
	*exists = n > 0;
	return rc;
}

int assay_store_schema_version(struct assay_store *s, int *version, struct assay_error *err)
{
	int exists;
	*version = 0;
	int rc = table_exists(s, "schema_migrations", &exists, err);
	if (rc || !exists)
		return rc;
	int64_t v = 0;
	rc = assay_store_query_int(s, "SELECT MAX(version) FROM schema_migrations", NULL, &v, NULL, err);
	*version = (int)v;
	return rc;
}

static int migrate(struct assay_store *s, const struct assay_migration *m, size_t n, struct assay_error *err)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].version != (int)i + 1)
			return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0,
			                       "migration list out of order: entry %zu is version %d", i + 1, m[i].version);
	int rc = assay_store_begin(s, ASSAY_TX_WRITE, err);
	if (rc)
		return rc;
	rc = assay_store_exec(s,
	                      "CREATE TABLE IF NOT EXISTS schema_migrations (\n"
	                      "  version INTEGER PRIMARY KEY,\n"
	                      "  name TEXT NOT NULL,\n"
	                      "  applied_at TEXT NOT NULL\n"
	                      ")",
	                      err);
	rc = rc ? (assay_store_rollback(s), rc) : assay_store_commit(s, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		/* each in its own transaction; re-checked under the write lock, as
		 * another process may have applied it meanwhile */
		if ((rc = assay_store_begin(s, ASSAY_TX_WRITE, err)))
			return rc;
		int64_t done = 0;
		struct assay_stmt *st = NULL;
		rc = assay_stmt_prepare(s, &st, "SELECT count(*) FROM schema_migrations WHERE version = ?1", err);
		if (!rc) {
			assay_stmt_bind_int(st, 1, m[i].version);
			rc = assay_stmt_step(st, err);
			done = rc == 1 ? assay_stmt_int(st, 0) : 0;
			rc = rc < 0 ? rc : 0;
			assay_stmt_finalize(st);
		}
		if (!rc && !done) {
			rc = assay_store_exec(s, m[i].sql, err);
			if (rc) {
				char msg[sizeof err->message];
				snprintf(msg, sizeof msg, "%s", err->message);
				snprintf(err->message, sizeof err->message, "schema migration %d (%s) failed: %s", m[i].version,
				         m[i].name, msg);
			}
			char ts[ASSAY_TS_LEN];
			assay_ts_now(ts);
			if (!rc && !(rc = assay_stmt_prepare(s, &st,
			                                     "INSERT INTO schema_migrations (version, name, applied_at) "
			                                     "VALUES (?1, ?2, ?3)",
			                                     err))) {
				assay_stmt_bind_int(st, 1, m[i].version);
				assay_stmt_bind_text(st, 2, m[i].name);
				assay_stmt_bind_text(st, 3, ts);
				rc = assay_stmt_exec(st, err);
				assay_stmt_finalize(st);
			}
		}
		rc = rc ? (assay_store_rollback(s), rc) : assay_store_commit(s, err);
		if (rc)
			return rc;
	}
	return 0;
}

int assay_store_open(struct assay_store **out, const struct assay_store_opts *o, struct assay_error *err)
{
	*out = NULL;
	struct assay_store *s = calloc(1, sizeof *s);
	if (!s)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	s->ops = &assay_store_sqlite_ops;
	s->readonly = o->readonly;
	const char *path = assay_store_default_path(o->path);
	s->path = strdup(path);
	/* "<dir>/<name>.blobs" beside the database */
	size_t n = strlen(path);
	s->blob_dir = malloc(n + 8);
	s->actor = strdup(assay_actor_resolve(NULL));
	if (!s->path || !s->blob_dir || !s->actor) {
		assay_store_close(s);
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
	snprintf(s->blob_dir, n + 8, "%s.blobs", path);
	int rc = s->ops->open(s, o, err);
	size_t nm = 0;
	const struct assay_migration *m = o->migrations ? o->migrations : assay_migrations(&nm);
	if (o->migrations)
		nm = o->nmigrations;
	int version = 0;
	if (!rc)
		rc = assay_store_schema_version(s, &version, err);
	if (!rc && version > (int)nm) {
		rc = assay_error_set(err, ASSAY_EINPUT, s->path, 0, 0,
		                     "the database's schema is version %d; this assay knows up to %zu", version, nm);
		assay_error_hint(err, "use a newer assay with this database");
	}
	if (!rc && !o->readonly && !o->no_migrate && version < (int)nm)
		rc = migrate(s, m, nm, err);
	if (rc) {
		assay_store_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

void assay_store_close(struct assay_store *s)
{
	if (!s)
		return;
	if (s->db) {
		assay_store_rollback(s);
		s->ops->close(s);
	}
	memset(s->sk, 0, sizeof s->sk);
	free(s->path);
	free(s->blob_dir);
	free(s->actor);
	free(s->key_path);
	free(s);
}

int assay_store_health(struct assay_store *s, struct assay_store_health *h, struct assay_error *err)
{
	return s->ops->health(s, h, err);
}
