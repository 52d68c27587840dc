/* assay/store.h: the registry's storage interface.
 *
 * Every byte of governance state goes through this small interface:
 * open (with migrations), one transaction per command, prepared statements
 * with bound parameters, typed columns. Callers never see the backend. The
 * default (and today only) backend is SQLite: one database file, WAL,
 * foreign keys on, a busy timeout so that two processes writing at once
 * wait for each other instead of failing.
 *
 * Portable SQL, so that a PostgreSQL backend (libpq) can be added behind
 * the same interface without touching callers:
 *  - parameters are written ?1, ?2, ... (the libpq backend rewrites them to
 *    $1, $2, ...); every value is bound, never spliced into SQL text;
 *  - column types INTEGER (64-bit), TEXT and BLOB only (PostgreSQL: BIGINT,
 *    TEXT, BYTEA); timestamps are TEXT in RFC 3339 UTC (assay/clock.h), so
 *    they compare as strings; booleans are INTEGER 0/1; JSON is TEXT;
 *  - no backend-specific functions in callers (no datetime(), json_*(),
 *    last_insert_rowid(), AUTOINCREMENT); ids are ULIDs made in C, sequence
 *    numbers come from assay_store_next_number() or MAX()+1 under the write
 *    lock; INSERT ... ON CONFLICT ... DO UPDATE and RETURNING are in both;
 *  - assay_store_begin(ASSAY_TX_WRITE) takes the write lock at BEGIN
 *    (SQLite: BEGIN IMMEDIATE; PostgreSQL: BEGIN ISOLATION LEVEL
 *    SERIALIZABLE plus LOCK TABLE audit_events IN EXCLUSIVE MODE, so the
 *    audit chain has one writer at a time).
 *
 * Usage, one command = one transaction:
 *     struct assay_store *s;
 *     if (assay_store_open(&s, &(struct assay_store_opts){.path = p, .create = 1}, &err)) ...
 *     assay_store_set_actor(s, actor);
 *     if (assay_store_begin(s, ASSAY_TX_WRITE, &err)) ...
 *     ... statements, assay_audit_append() ...
 *     rc = rc ? (assay_store_rollback(s), rc) : assay_store_commit(s, &err);
 *     assay_store_close(s);   // rolls back an open transaction
 */
#ifndef ASSAY_STORE_H
#define ASSAY_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "assay/error.h"

struct assay_store;
struct assay_stmt;
struct assay_migration;

struct assay_store_opts {
	const char *path; /* database file; NULL: assay_store_default_path(NULL) */
	int create;       /* create the file when absent (write commands); else an error */
	int readonly;     /* open read-only: no migrations, no writes (verify, doctor) */
	int no_migrate;   /* do not apply pending migrations (tests, doctor's report) */
	/* Tests only: migrate with this list instead of assay_migrations(). */
	const struct assay_migration *migrations;
	size_t nmigrations;
};

/* --db flag, else $ASSAY_DB, else "./assay.db". */
const char *assay_store_default_path(const char *flag);

/* Open (and create, and migrate: each pending migration in its own
 * transaction, recorded in schema_migrations). */
int assay_store_open(struct assay_store **out, const struct assay_store_opts *o, struct assay_error *err);
void assay_store_close(struct assay_store *s);

/* The database path as opened, and the blob store directory beside it:
 * "<dir>/<name>.blobs". */
const char *assay_store_path(const struct assay_store *s);
const char *assay_store_blob_dir(const struct assay_store *s);
/* "sqlite" (later "postgresql"). */
const char *assay_store_backend(const struct assay_store *s);

/* Who is acting: recorded on every audit event. assay_actor_resolve(flag)
 * gives --as, else $ASSAY_USER, else the OS user name. */
void assay_store_set_actor(struct assay_store *s, const char *actor);
const char *assay_store_actor(const struct assay_store *s);
const char *assay_actor_resolve(const char *flag);

enum assay_tx { ASSAY_TX_READ = 0, ASSAY_TX_WRITE = 1 };
/* One transaction at a time; a second begin is ASSAY_EINTERNAL. A write
 * transaction holds the write lock from BEGIN (waits up to the busy
 * timeout, 60 s, for another writer). */
int assay_store_begin(struct assay_store *s, enum assay_tx mode, struct assay_error *err);
int assay_store_commit(struct assay_store *s, struct assay_error *err);
void assay_store_rollback(struct assay_store *s);
int assay_store_in_tx(const struct assay_store *s);

/* Run SQL without parameters or results (DDL, several statements). */
int assay_store_exec(struct assay_store *s, const char *sql, struct assay_error *err);

/* Prepared statements. Parameters are 1-based (?1, ?2, ...), columns
 * 0-based. A text or blob bound is copied. */
int assay_stmt_prepare(struct assay_store *s, struct assay_stmt **out, const char *sql, struct assay_error *err);
int assay_stmt_bind_text(struct assay_stmt *st, int i, const char *v); /* NULL binds NULL */
int assay_stmt_bind_int(struct assay_stmt *st, int i, int64_t v);
int assay_stmt_bind_blob(struct assay_stmt *st, int i, const void *v, size_t n);
int assay_stmt_bind_null(struct assay_stmt *st, int i);
/* 1: a row is ready; 0: done; negative: error (err set; a constraint
 * violation is ASSAY_EINPUT with the backend's message). */
int assay_stmt_step(struct assay_stmt *st, struct assay_error *err);
/* Step a statement that returns no rows (or whose rows are ignored). */
int assay_stmt_exec(struct assay_stmt *st, struct assay_error *err);
int assay_stmt_reset(struct assay_stmt *st); /* keep bindings, run again */
int assay_stmt_columns(struct assay_stmt *st);
int assay_stmt_is_null(struct assay_stmt *st, int col);
/* Valid until the next step/reset/finalize; NULL for SQL NULL. */
const char *assay_stmt_text(struct assay_stmt *st, int col);
int64_t assay_stmt_int(struct assay_stmt *st, int col);
const void *assay_stmt_blob(struct assay_stmt *st, int col, size_t *n);
void assay_stmt_finalize(struct assay_stmt *st);

/* One-shot helpers over the above: the first column of the first row. */
int assay_store_query_int(struct assay_store *s, const char *sql, const char *text1, int64_t *out, int *found,
                          struct assay_error *err);

/* The next human number of a kind ("E" -> 1, 2, 3 ... for E-1, E-2, ...),
 * from the counters table, inside the caller's write transaction. Kinds in
 * use: E evidence; R reviews, F findings, W waivers, I incidents (workflow). */
int assay_store_next_number(struct assay_store *s, const char *kind, int64_t *out, struct assay_error *err);

/* Schema migrations, applied in order on open. To add one: write its SQL
 * in your own file as `const char assay_migration_NAME_sql[] = "...";`,
 * declare it in lib/registry/migrations.h, and append one line to the
 * MIGRATIONS array in lib/registry/migrations.c. Versions are 1, 2, 3, ...
 * with no gaps; a shipped migration is never edited. */
struct assay_migration {
	int version;
	const char *name;
	const char *sql; /* portable DDL/DML, several statements allowed */
};
/* The migrations this build knows, in order. */
const struct assay_migration *assay_migrations(size_t *n);
/* Highest applied version (0 for a new database). */
int assay_store_schema_version(struct assay_store *s, int *version, struct assay_error *err);

/* Diagnostics for `assay doctor` (backend-specific work behind the interface). */
struct assay_store_health {
	char journal_mode[16];   /* "wal" */
	int foreign_keys;        /* 1 when enforced */
	char integrity[256];     /* "ok" or the first problem */
	int64_t fk_violations;   /* rows that break a foreign key */
	int64_t page_count, page_size;
};
int assay_store_health(struct assay_store *s, struct assay_store_health *h, struct assay_error *err);

#endif
