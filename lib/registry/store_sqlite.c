/* store_sqlite.c: the SQLite backend of the storage interface: WAL,
 * foreign keys on, synchronous=FULL, a 60 s busy timeout (two writers
 * wait for each other), BEGIN IMMEDIATE for write transactions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store_internal.h"

#define BUSY_TIMEOUT_MS 60000

static int sq_error(struct assay_store *s, int rc, const char *what, struct assay_error *err)
{
	sqlite3 *db = s->db;
	const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
	int prim = rc & 0xFF;
	int code = ASSAY_EIO;
	if (prim == SQLITE_CONSTRAINT)
		code = ASSAY_EINPUT;
	else if (prim == SQLITE_NOMEM)
		code = ASSAY_ENOMEM;
	else if (prim == SQLITE_ERROR || prim == SQLITE_MISUSE || prim == SQLITE_RANGE)
		code = ASSAY_EINTERNAL;
	assay_error_set(err, code, s->path, 0, 0, "%s: %s", what, msg);
	if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
		assay_error_hint(err, "another assay process held the database for over %d s; retry",
		                 BUSY_TIMEOUT_MS / 1000);
	else if (prim == SQLITE_CORRUPT || prim == SQLITE_NOTADB)
		assay_error_hint(err, "the file is not an intact SQLite database; run `assay doctor`");
	else if (prim == SQLITE_READONLY || prim == SQLITE_CANTOPEN)
		assay_error_hint(err, "check the file's and its directory's permissions");
	return code;
}

static int sq_exec(struct assay_store *s, const char *sql, struct assay_error *err)
{
	char *msg = NULL;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		char head[80];
		snprintf(head, sizeof head, "%.60s", sql);
		for (char *p = head; *p; p++)
			if (*p == '\n')
				*p = ' ';
		int code = sq_error(s, rc, head, err);
		if (msg) {
			snprintf(err->message, sizeof err->message, "%s: %s", head, msg);
			sqlite3_free(msg);
		}
		return code;
	}
	return 0;
}

static int sq_open(struct assay_store *s, const struct assay_store_opts *o, struct assay_error *err)
{
	struct stat st;
	if (stat(s->path, &st) != 0) {
		if (!o->create || o->readonly) {
			assay_error_set(err, ASSAY_EIO, s->path, 0, 0, "no registry database here");
			assay_error_hint(err, "give --db PATH or set ASSAY_DB; `assay system add` creates a new one");
			return ASSAY_EIO;
		}
	} else if (!S_ISREG(st.st_mode)) {
		return assay_error_set(err, ASSAY_EIO, s->path, 0, 0, "not a regular file");
	}
	int flags = o->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(s->path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	s->db = db;
	if (rc != SQLITE_OK)
		return sq_error(s, rc, "cannot open the database", err);
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	/* a file that is not SQLite fails here, on the first read */
	rc = sq_exec(s, "PRAGMA foreign_keys = ON", err);
	if (!rc && !o->readonly) {
		sqlite3_stmt *q;
		if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &q, NULL) == SQLITE_OK) {
			int r = sqlite3_step(q);
			if (r != SQLITE_ROW && r != SQLITE_DONE)
				rc = sq_error(s, r, "cannot switch to WAL", err);
			sqlite3_finalize(q);
		} else {
			rc = sq_error(s, sqlite3_errcode(db), "cannot switch to WAL", err);
		}
		if (!rc)
			rc = sq_exec(s, "PRAGMA synchronous = FULL", err);
	}
	if (!rc) { /* touch the schema: fails on a file that is not a database */
		rc = sq_exec(s, "SELECT count(*) FROM sqlite_master", err);
	}
	return rc;
}

static void sq_close(struct assay_store *s)
{
	if (s->db)
		sqlite3_close_v2(s->db);
	s->db = NULL;
}

static int sq_begin(struct assay_store *s, enum assay_tx mode, struct assay_error *err)
{
	return sq_exec(s, mode == ASSAY_TX_WRITE ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED", err);
}

static int sq_commit(struct assay_store *s, struct assay_error *err)
{
	return sq_exec(s, "COMMIT", err);
}

static void sq_rollback(struct assay_store *s)
{
	if (sqlite3_get_autocommit(s->db) == 0)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static int sq_prepare(struct assay_store *s, struct assay_stmt *st, const char *sql, struct assay_error *err)
{
	sqlite3_stmt *h = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &h, NULL);
	if (rc != SQLITE_OK)
		return sq_error(s, rc, "cannot prepare SQL", err);
	st->h = h;
	return 0;
}

static int sq_bind_text(struct assay_stmt *st, int i, const char *v)
{
	return v ? sqlite3_bind_text(st->h, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st->h, i);
}
static int sq_bind_int(struct assay_stmt *st, int i, int64_t v)
{
	return sqlite3_bind_int64(st->h, i, v);
}
static int sq_bind_blob(struct assay_stmt *st, int i, const void *v, size_t n)
{
	return sqlite3_bind_blob64(st->h, i, v, n, SQLITE_TRANSIENT);
}
static int sq_bind_null(struct assay_stmt *st, int i)
{
	return sqlite3_bind_null(st->h, i);
}

static int sq_step(struct assay_stmt *st, struct assay_error *err)
{
	int rc = sqlite3_step(st->h);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	char what[128];
	snprintf(what, sizeof what, "SQL failed (%s...)", st->sql_head);
	return sq_error(st->s, rc, what, err);
}

static int sq_reset(struct assay_stmt *st)
{
	return sqlite3_reset(st->h);
}
static int sq_columns(struct assay_stmt *st)
{
	return sqlite3_column_count(st->h);
}
static int sq_is_null(struct assay_stmt *st, int col)
{
	return sqlite3_column_type(st->h, col) == SQLITE_NULL;
}
static const char *sq_text(struct assay_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st->h, col);
}
static int64_t sq_int(struct assay_stmt *st, int col)
{
	return sqlite3_column_int64(st->h, col);
}
static const void *sq_blob(struct assay_stmt *st, int col, size_t *n)
{
	const void *p = sqlite3_column_blob(st->h, col);
	*n = (size_t)sqlite3_column_bytes(st->h, col);
	return p;
}
static void sq_finalize(struct assay_stmt *st)
{
	sqlite3_finalize(st->h);
}

static int pragma_text(struct assay_store *s, const char *sql, char *out, size_t size, int64_t *rows,
                       struct assay_error *err)
{
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);
	if (rc != SQLITE_OK)
		return sq_error(s, rc, sql, err);
	int64_t n = 0;
	if (out && size)
		out[0] = '\0';
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (n == 0 && out) {
			const char *t = (const char *)sqlite3_column_text(q, 0);
			snprintf(out, size, "%s", t ? t : "");
		}
		n++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return sq_error(s, rc, sql, err);
	if (rows)
		*rows = n;
	return 0;
}

static int sq_health(struct assay_store *s, struct assay_store_health *h, struct assay_error *err)
{
	memset(h, 0, sizeof *h);
	char buf[64];
	int rc = pragma_text(s, "PRAGMA journal_mode", h->journal_mode, sizeof h->journal_mode, NULL, err);
	if (!rc)
		rc = pragma_text(s, "PRAGMA foreign_keys", buf, sizeof buf, NULL, err);
	if (!rc)
		h->foreign_keys = buf[0] == '1';
	if (!rc)
		rc = pragma_text(s, "PRAGMA integrity_check", h->integrity, sizeof h->integrity, NULL, err);
	if (!rc)
		rc = pragma_text(s, "PRAGMA foreign_key_check", NULL, 0, &h->fk_violations, err);
	if (!rc && !(rc = pragma_text(s, "PRAGMA page_count", buf, sizeof buf, NULL, err)))
		h->page_count = strtoll(buf, NULL, 10);
	if (!rc && !(rc = pragma_text(s, "PRAGMA page_size", buf, sizeof buf, NULL, err)))
		h->page_size = strtoll(buf, NULL, 10);
	return rc;
}

const struct store_ops assay_store_sqlite_ops = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .exec = sq_exec,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .prepare = sq_prepare,
    .bind_text = sq_bind_text,
    .bind_int = sq_bind_int,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .reset = sq_reset,
    .columns = sq_columns,
    .is_null = sq_is_null,
    .text = sq_text,
    .get_int = sq_int,
    .blob = sq_blob,
    .finalize = sq_finalize,
    .health = sq_health,
};
