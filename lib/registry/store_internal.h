/* store_internal.h: the storage interface's backend table and the store
 * handle, shared by store.c, the backends and the registry's own files.
 * Callers outside lib/registry use assay/store.h only. */
#ifndef ASSAY_STORE_INTERNAL_H
#define ASSAY_STORE_INTERNAL_H

#include "assay/store.h"

/* What a backend provides. A PostgreSQL backend (libpq) implements the
 * same table: open = PQconnectdb (path is then a conninfo string "postgres:
 * //..."), exec = PQexec, begin(WRITE) = BEGIN ISOLATION LEVEL SERIALIZABLE
 * + LOCK TABLE audit_events IN EXCLUSIVE MODE, prepare = rewrite ?N to $N
 * then PQprepare (binds collected into arrays for PQexecPrepared at the
 * first step; rows are then read from the PGresult), column types mapped
 * INTEGER->BIGINT, BLOB->BYTEA in the migration DDL, health = the
 * pg_stat/amcheck equivalents. No caller changes. */
struct store_ops {
	const char *name;
	int (*open)(struct assay_store *s, const struct assay_store_opts *o, struct assay_error *err);
	void (*close)(struct assay_store *s);
	int (*exec)(struct assay_store *s, const char *sql, struct assay_error *err);
	int (*begin)(struct assay_store *s, enum assay_tx mode, struct assay_error *err);
	int (*commit)(struct assay_store *s, struct assay_error *err);
	void (*rollback)(struct assay_store *s);
	int (*prepare)(struct assay_store *s, struct assay_stmt *st, const char *sql, struct assay_error *err);
	int (*bind_text)(struct assay_stmt *st, int i, const char *v);
	int (*bind_int)(struct assay_stmt *st, int i, int64_t v);
	int (*bind_blob)(struct assay_stmt *st, int i, const void *v, size_t n);
	int (*bind_null)(struct assay_stmt *st, int i);
	int (*step)(struct assay_stmt *st, struct assay_error *err);
	int (*reset)(struct assay_stmt *st);
	int (*columns)(struct assay_stmt *st);
	int (*is_null)(struct assay_stmt *st, int col);
	const char *(*text)(struct assay_stmt *st, int col);
	int64_t (*get_int)(struct assay_stmt *st, int col);
	const void *(*blob)(struct assay_stmt *st, int col, size_t *n);
	void (*finalize)(struct assay_stmt *st);
	int (*health)(struct assay_store *s, struct assay_store_health *h, struct assay_error *err);
};

extern const struct store_ops assay_store_sqlite_ops;

struct assay_store {
	const struct store_ops *ops;
	void *db; /* the backend's connection */
	char *path, *blob_dir, *actor, *key_path;
	int in_tx, readonly;
	/* audit.c: the secret signing key, loaded on first use */
	unsigned char sk[64];
	char sk_key_id[17];
	int sk_loaded;
};

struct assay_stmt {
	struct assay_store *s;
	void *h; /* the backend's statement */
	char sql_head[96]; /* for error messages */
};

#endif
