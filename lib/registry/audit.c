/* audit.c: the hash-chained, optionally signed audit trail (assay/audit.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "assay/audit.h"
#include "assay/canonjson.h"
#include "assay/clock.h"
#include "assay/hash.h"
#include "assay/ulid.h"
#include "audit_internal.h"

const char AUDIT_ZERO_HASH[] = "0000000000000000000000000000000000000000000000000000000000000000";

const char *assay_audit_problem_name(enum assay_audit_problem p)
{
	switch (p) {
	case ASSAY_AUDIT_OK:
		return "ok";
	case ASSAY_AUDIT_EDITED:
		return "edited";
	case ASSAY_AUDIT_DELETED:
		return "deleted";
	case ASSAY_AUDIT_INSERTED:
		return "inserted";
	case ASSAY_AUDIT_REORDERED:
		return "reordered";
	case ASSAY_AUDIT_BAD_SIGNATURE:
		return "bad signature";
	case ASSAY_AUDIT_MISSING_SIGNATURE:
		return "missing signature";
	case ASSAY_AUDIT_CHECKPOINT:
		return "checkpoint mismatch";
	}
	return "?";
}


/* ---- the difference of two states ---- */

static void diff_into(const json_t *before, const json_t *after, json_t *b, json_t *a)
{
	const char *k;
	json_t *x, *y;
	json_object_foreach((json_t *)before, k, x)
	{
		y = json_object_get(after, k);
		if (y && json_equal(x, y))
			continue;
		if (y && json_is_object(x) && json_is_object(y)) {
			json_t *sb = json_object(), *sa = json_object();
			diff_into(x, y, sb, sa);
			json_object_set_new(b, k, sb);
			json_object_set_new(a, k, sa);
		} else {
			json_object_set(b, k, x);
			if (y)
				json_object_set(a, k, y);
		}
	}
	json_object_foreach((json_t *)after, k, y)
	{
		if (!json_object_get(before, k))
			json_object_set(a, k, y);
	}
}

static json_t *make_diff(const json_t *before, const json_t *after, const json_t *note)
{
	json_t *d = json_object();
	if (before && after && json_is_object(before) && json_is_object(after)) {
		json_t *b = json_object(), *a = json_object();
		diff_into(before, after, b, a);
		json_object_set_new(d, "before", b);
		json_object_set_new(d, "after", a);
	} else {
		if (before)
			json_object_set(d, "before", (json_t *)before);
		if (after)
			json_object_set(d, "after", (json_t *)after);
	}
	if (note)
		json_object_set(d, "note", (json_t *)note);
	return d;
}

/* ---- hashing ---- */

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

int assay_audit_event_hash(const struct assay_audit_event *e, char out[65], struct assay_error *err)
{
	json_error_t je;
	json_t *diff = json_loads(e->diff ? e->diff : "null", JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &je);
	if (!diff)
		return assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0, "event %lld: diff is not JSON: %s",
		                       (long long)e->seq, je.text);
	json_t *o = json_object();
	json_object_set_new(o, "seq", json_integer(e->seq));
	json_object_set_new(o, "ts", str_or_null(e->ts));
	json_object_set_new(o, "actor", str_or_null(e->actor));
	json_object_set_new(o, "action", str_or_null(e->action));
	json_object_set_new(o, "entity_type", str_or_null(e->entity_type));
	json_object_set_new(o, "entity_id", str_or_null(e->entity_id));
	json_object_set_new(o, "system_id", str_or_null(e->system_id));
	json_object_set_new(o, "diff", diff);
	json_object_set_new(o, "prev_hash", str_or_null(e->prev_hash));
	size_t n;
	char *c = assay_canonjson(o, &n, err);
	json_decref(o);
	if (!c)
		return err->code ? err->code : ASSAY_EINTERNAL;
	unsigned char md[32];
	assay_sha256(c, n, md);
	free(c);
	assay_hex(md, sizeof md, out);
	return 0;
}

/* ---- keys ---- */

const char *assay_audit_key_path(const struct assay_store *s)
{
	if (s->key_path)
		return s->key_path;
	const char *env = getenv("ASSAY_KEY");
	if (env && *env)
		return env;
	return s->default_key_path;
}

void assay_audit_set_key_path(struct assay_store *s, const char *path)
{
	free(s->key_path);
	s->key_path = path ? strdup(path) : NULL;
}

static void key_id_of(const unsigned char pk[32], char key_id[17])
{
	unsigned char md[32];
	assay_sha256(pk, 32, md);
	assay_hex(md, 8, key_id);
}

int assay_audit_active_key(struct assay_store *s, char key_id[17], char public_b64[64],
                           struct assay_error *err)
{
	key_id[0] = '\0';
	if (public_b64)
		public_b64[0] = '\0';
	struct assay_stmt *st;
	int rc = assay_stmt_prepare(
	    s, &st,
	    "SELECT key_id, public_key FROM signing_keys WHERE retired_at IS NULL ORDER BY from_seq DESC",
	    err);
	if (rc)
		return rc;
	rc = assay_stmt_step(st, err);
	if (rc == 1) {
		snprintf(key_id, 17, "%s", assay_stmt_text(st, 0));
		if (public_b64)
			snprintf(public_b64, 64, "%s", assay_stmt_text(st, 1));
		rc = 0;
	}
	assay_stmt_finalize(st);
	return rc;
}

static int decode_b64(const char *in, unsigned char *out, size_t want)
{
	size_t n = 0;
	if (!in ||
	    sodium_base642bin(out, want, in, strlen(in), NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		return -1;
	return n == want ? 0 : -1;
}

static int load_secret(struct assay_store *s, const char *key_id, const char *public_b64,
                       struct assay_error *err)
{
	if (s->sk_loaded && strcmp(s->sk_key_id, key_id) == 0)
		return 0;
	const char *path = assay_audit_key_path(s);
	json_error_t je;
	json_t *k = json_load_file(path, 0, &je);
	if (!k) {
		assay_error_set(
		    err, ASSAY_EIO, path, 0, 0,
		    "this database signs its audit events (key %s) but the secret key cannot be read: %s",
		    key_id, je.text);
		assay_error_hint(
		    err, "give --key PATH or set ASSAY_KEY to the key file `assay key generate` wrote");
		return ASSAY_EIO;
	}
	const char *kid = json_string_value(json_object_get(k, "key_id"));
	const char *sk64 = json_string_value(json_object_get(k, "secret_key"));
	unsigned char sk[64], pk[32];
	int bad = !kid || strcmp(kid, key_id) != 0 || decode_b64(sk64, sk, sizeof sk) != 0;
	json_decref(k);
	if (bad) {
		sodium_memzero(sk, sizeof sk);
		assay_error_set(err, ASSAY_EINPUT, path, 0, 0,
		                "not the secret key of this database's signing key %s", key_id);
		assay_error_hint(err, "give --key PATH or set ASSAY_KEY to the right key file");
		return ASSAY_EINPUT;
	}
	if (decode_b64(public_b64, pk, sizeof pk) != 0 || memcmp(sk + 32, pk, 32) != 0) {
		sodium_memzero(sk, sizeof sk);
		return assay_error_set(err, ASSAY_EINPUT, path, 0, 0,
		                       "the secret key does not match the public key stored for %s", key_id);
	}
	memcpy(s->sk, sk, sizeof sk);
	sodium_memzero(sk, sizeof sk);
	snprintf(s->sk_key_id, sizeof s->sk_key_id, "%s", key_id);
	s->sk_loaded = 1;
	return 0;
}

static void sign_hash(const unsigned char sk[64], const char *hash, char *sig_b64, size_t size)
{
	unsigned char sig[crypto_sign_BYTES];
	crypto_sign_detached(sig, NULL, (const unsigned char *)hash, strlen(hash), sk);
	sodium_bin2base64(sig_b64, size, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
}

int audit_check_sig(const char *public_b64, const char *hash, const char *sig_b64)
{
	unsigned char pk[32], sig[crypto_sign_BYTES];
	if (decode_b64(public_b64, pk, sizeof pk) || decode_b64(sig_b64, sig, sizeof sig))
		return -1;
	return crypto_sign_verify_detached(sig, (const unsigned char *)hash, strlen(hash), pk);
}

/* ---- append ---- */

int assay_audit_head(struct assay_store *s, int64_t *seq, char hash[65], struct assay_error *err)
{
	struct assay_stmt *st;
	int rc =
	    assay_stmt_prepare(s, &st, "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1", err);
	if (rc)
		return rc;
	*seq = 0;
	snprintf(hash, 65, "%s", AUDIT_ZERO_HASH);
	rc = assay_stmt_step(st, err);
	if (rc == 1) {
		*seq = assay_stmt_int(st, 0);
		snprintf(hash, 65, "%s", assay_stmt_text(st, 1) ? assay_stmt_text(st, 1) : "");
		rc = 0;
	}
	assay_stmt_finalize(st);
	return rc;
}

static int set_meta(struct assay_store *s, const char *key, const char *value, struct assay_error *err)
{
	struct assay_stmt *st;
	int rc = assay_stmt_prepare(s, &st,
	                            "INSERT INTO registry_meta (key, value) VALUES (?1, ?2) "
	                            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	                            err);
	if (rc)
		return rc;
	assay_stmt_bind_text(st, 1, key);
	assay_stmt_bind_text(st, 2, value);
	rc = assay_stmt_exec(st, err);
	assay_stmt_finalize(st);
	return rc;
}

/* sk: sign with this key (key generation signs its own event), else the
 * database's active key if any. */
static int append(struct assay_store *s, const struct assay_audit_change *c, const unsigned char *sk,
                  const char *sk_id, int64_t *seq_out, struct assay_error *err)
{
	if (s->in_tx != 2)
		return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0,
		                       "audit event \"%s\" outside a write transaction", c->action);
	char key_id[17] = "", pub[64] = "";
	int rc = 0;
	if (!sk) {
		if ((rc = assay_audit_active_key(s, key_id, pub, err)))
			return rc;
		if (key_id[0]) {
			if ((rc = load_secret(s, key_id, pub, err)))
				return rc;
			sk = s->sk;
			sk_id = key_id;
		}
	}
	int64_t seq;
	char prev[65];
	if ((rc = assay_audit_head(s, &seq, prev, err)))
		return rc;
	seq++;
	char ts[ASSAY_TS_LEN];
	assay_ts_now(ts);
	json_t *d = make_diff(c->before, c->after, c->note);
	char *diff = assay_canonjson(d, NULL, err);
	json_decref(d);
	if (!diff)
		return err->code ? err->code : ASSAY_EINTERNAL;
	struct assay_audit_event e = {.seq = seq,
	                              .ts = ts,
	                              .actor = s->actor,
	                              .action = c->action,
	                              .entity_type = c->entity_type,
	                              .entity_id = c->entity_id,
	                              .system_id = c->system_id,
	                              .diff = diff,
	                              .prev_hash = prev};
	char hash[65];
	rc = assay_audit_event_hash(&e, hash, err);
	char sig[128] = "";
	if (!rc && sk)
		sign_hash(sk, hash, sig, sizeof sig);
	struct assay_stmt *st = NULL;
	if (!rc)
		rc = assay_stmt_prepare(
		    s, &st,
		    "INSERT INTO audit_events (seq, ts, actor, action, entity_type, entity_id, system_id, "
		    "diff, prev_hash, hash, key_id, sig) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
		    "?11, ?12)",
		    err);
	if (!rc) {
		assay_stmt_bind_int(st, 1, seq);
		assay_stmt_bind_text(st, 2, ts);
		assay_stmt_bind_text(st, 3, s->actor);
		assay_stmt_bind_text(st, 4, c->action);
		assay_stmt_bind_text(st, 5, c->entity_type);
		assay_stmt_bind_text(st, 6, c->entity_id);
		assay_stmt_bind_text(st, 7, c->system_id);
		assay_stmt_bind_text(st, 8, diff);
		assay_stmt_bind_text(st, 9, prev);
		assay_stmt_bind_text(st, 10, hash);
		assay_stmt_bind_text(st, 11, sk ? sk_id : NULL);
		assay_stmt_bind_text(st, 12, sk ? sig : NULL);
		rc = assay_stmt_exec(st, err);
		assay_stmt_finalize(st);
	}
	free(diff);
	char headv[96];
	snprintf(headv, sizeof headv, "%lld:%s", (long long)seq, hash);
	if (!rc)
		rc = set_meta(s, "audit_head", headv, err);
	if (!rc && seq_out)
		*seq_out = seq;
	return rc;
}

int assay_audit_append(struct assay_store *s, const struct assay_audit_change *c, int64_t *seq_out,
                       struct assay_error *err)
{
	return append(s, c, NULL, NULL, seq_out, err);
}

/* ---- reading ---- */

const char *audit_dup_col(struct assay_stmt *st, int col, struct assay_arena *a)
{
	const char *t = assay_stmt_text(st, col);
	return t ? assay_arena_strdup(a, t) : NULL;
}

int assay_audit_list(struct assay_store *s, const struct assay_audit_filter *f, struct assay_arena *a,
                     struct assay_audit_event **out, size_t *n, struct assay_error *err)
{
	static const struct assay_audit_filter none;
	if (!f)
		f = &none;
	struct assay_stmt *st;
	int rc = assay_stmt_prepare(s, &st,
	                            "SELECT seq, ts, actor, action, entity_type, entity_id, system_id, diff, "
	                            "prev_hash, hash, key_id, sig "
	                            "FROM audit_events WHERE (?1 IS NULL OR system_id = ?1 OR entity_id = "
	                            "?1) AND (?2 IS NULL OR ts >= ?2) "
	                            "AND (?3 IS NULL OR entity_type = ?3) AND (?4 IS NULL OR entity_id = ?4) "
	                            "AND (?5 IS NULL OR action = ?5) "
	                            "AND seq > ?6 ORDER BY seq",
	                            err);
	if (rc)
		return rc;
	assay_stmt_bind_text(st, 1, f->system_id);
	assay_stmt_bind_text(st, 2, f->since);
	assay_stmt_bind_text(st, 3, f->entity_type);
	assay_stmt_bind_text(st, 4, f->entity_id);
	assay_stmt_bind_text(st, 5, f->action);
	assay_stmt_bind_int(st, 6, f->after_seq);
	size_t cap = 64, len = 0;
	struct assay_audit_event *v = malloc(cap * sizeof *v);
	while (v && (rc = assay_stmt_step(st, err)) == 1) {
		if (len == cap) {
			struct assay_audit_event *w = realloc(v, 2 * cap * sizeof *v);
			if (!w) {
				free(v);
				v = NULL;
				break;
			}
			v = w;
			cap *= 2;
		}
		struct assay_audit_event *e = &v[len++];
		e->seq = assay_stmt_int(st, 0);
		e->ts = audit_dup_col(st, 1, a);
		e->actor = audit_dup_col(st, 2, a);
		e->action = audit_dup_col(st, 3, a);
		e->entity_type = audit_dup_col(st, 4, a);
		e->entity_id = audit_dup_col(st, 5, a);
		e->system_id = audit_dup_col(st, 6, a);
		e->diff = audit_dup_col(st, 7, a);
		e->prev_hash = audit_dup_col(st, 8, a);
		e->hash = audit_dup_col(st, 9, a);
		e->key_id = audit_dup_col(st, 10, a);
		e->sig = audit_dup_col(st, 11, a);
	}
	assay_stmt_finalize(st);
	if (!v)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	if (rc < 0) {
		free(v);
		return rc;
	}
	/* skip the tail of a limited listing: keep the last `limit` events */
	size_t from = f->limit > 0 && len > (size_t)f->limit ? len - (size_t)f->limit : 0;
	*out = assay_arena_alloc(a, (len - from + 1) * sizeof **out);
	if (!*out) {
		free(v);
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
	memcpy(*out, v + from, (len - from) * sizeof *v);
	*n = len - from;
	free(v);
	return 0;
}

/* ---- key generation and checkpoints ---- */

int assay_audit_key_generate(struct assay_store *s, const char *path, char key_id[17],
                             struct assay_error *err)
{
	if (s->in_tx != 2)
		return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0,
		                       "key generation outside a write transaction");
	if (sodium_init() < 0)
		return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0, "libsodium did not initialise");
	if (path)
		assay_audit_set_key_path(s, path);
	path = assay_audit_key_path(s);
	unsigned char pk[32], sk[64];
	crypto_sign_keypair(pk, sk);
	key_id_of(pk, key_id);
	char pk64[64], sk64[128];
	sodium_bin2base64(pk64, sizeof pk64, pk, sizeof pk, sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(sk64, sizeof sk64, sk, sizeof sk, sodium_base64_VARIANT_ORIGINAL);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		sodium_memzero(sk, sizeof sk);
		sodium_memzero(sk64, sizeof sk64);
		assay_error_set(err, ASSAY_EIO, path, 0, 0, "cannot create the key file: %s",
		                strerror(errno));
		if (errno == EEXIST)
			assay_error_hint(
			    err, "a key file is already there; keys are never overwritten: move it away or "
			         "give --key PATH");
		return ASSAY_EIO;
	}
	char doc[512];
	int len = snprintf(
	    doc, sizeof doc,
	    "{\"algorithm\": \"ed25519\", \"key_id\": \"%s\", \"public_key\": \"%s\", \"secret_key\": "
	    "\"%s\"}\n",
	    key_id, pk64, sk64);
	int ok = write(fd, doc, (size_t)len) == len && fsync(fd) == 0;
	close(fd);
	sodium_memzero(doc, sizeof doc);
	sodium_memzero(sk64, sizeof sk64);
	if (!ok) {
		unlink(path);
		sodium_memzero(sk, sizeof sk);
		return assay_error_set(err, ASSAY_EIO, path, 0, 0, "cannot write the key file: %s",
		                       strerror(errno));
	}
	int64_t seq;
	char prev[65];
	char ts[ASSAY_TS_LEN];
	assay_ts_now(ts);
	struct assay_stmt *st;
	int rc = assay_audit_head(s, &seq, prev, err);
	if (!rc)
		rc = assay_stmt_prepare(
		    s, &st, "UPDATE signing_keys SET retired_at = ?1 WHERE retired_at IS NULL", err);
	if (!rc) {
		assay_stmt_bind_text(st, 1, ts);
		rc = assay_stmt_exec(st, err);
		assay_stmt_finalize(st);
	}
	if (!rc)
		rc = assay_stmt_prepare(
		    s, &st,
		    "INSERT INTO signing_keys (key_id, algorithm, public_key, from_seq, created_at, "
		    "created_by) VALUES (?1, 'ed25519', ?2, ?3, ?4, ?5)",
		    err);
	if (!rc) {
		assay_stmt_bind_text(st, 1, key_id);
		assay_stmt_bind_text(st, 2, pk64);
		assay_stmt_bind_int(st, 3, seq + 1);
		assay_stmt_bind_text(st, 4, ts);
		assay_stmt_bind_text(st, 5, s->actor);
		rc = assay_stmt_exec(st, err);
		assay_stmt_finalize(st);
	}
	if (!rc) {
		json_t *after = json_pack("{s:s, s:s, s:s}", "algorithm", "ed25519", "key_id", key_id,
		                          "public_key", pk64);
		struct assay_audit_change c = {.action = "key.generate",
		                               .entity_type = "signing_key",
		                               .entity_id = key_id,
		                               .after = after};
		rc = append(s, &c, sk, key_id, NULL, err);
		json_decref(after);
	}
	if (!rc) {
		memcpy(s->sk, sk, sizeof sk);
		snprintf(s->sk_key_id, sizeof s->sk_key_id, "%s", key_id);
		s->sk_loaded = 1;
	} else {
		unlink(path);
	}
	sodium_memzero(sk, sizeof sk);
	return rc;
}

int assay_audit_checkpoint(struct assay_store *s, struct assay_audit_checkpoint *out, struct assay_arena *a,
                           struct assay_error *err)
{
	if (s->in_tx != 2)
		return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0,
		                       "checkpoint outside a write transaction");
	char key_id[17], pub[64];
	int rc = assay_audit_active_key(s, key_id, pub, err);
	if (rc)
		return rc;
	if (!key_id[0]) {
		assay_error_set(err, ASSAY_EUSAGE, s->path, 0, 0,
		                "no signing key: a checkpoint is a signature");
		assay_error_hint(err, "run `assay key generate` first");
		return ASSAY_EUSAGE;
	}
	if ((rc = load_secret(s, key_id, pub, err)))
		return rc;
	int64_t seq;
	char hash[65];
	if ((rc = assay_audit_head(s, &seq, hash, err)))
		return rc;
	if (seq == 0)
		return assay_error_set(err, ASSAY_EUSAGE, s->path, 0, 0,
		                       "the audit trail is empty: nothing to checkpoint");
	char ts[ASSAY_TS_LEN], msg[160], sig[128], id[ASSAY_ULID_LEN];
	assay_ts_now(ts);
	snprintf(msg, sizeof msg, "%lld|%s|%s", (long long)seq, hash, ts);
	sign_hash(s->sk, msg, sig, sizeof sig);
	if ((rc = assay_ulid_new(id, err)))
		return rc;
	struct assay_stmt *st;
	rc = assay_stmt_prepare(s, &st,
	                        "INSERT INTO audit_checkpoints (id, seq, hash, ts, key_id, sig) "
	                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	                        err);
	if (rc)
		return rc;
	assay_stmt_bind_text(st, 1, id);
	assay_stmt_bind_int(st, 2, seq);
	assay_stmt_bind_text(st, 3, hash);
	assay_stmt_bind_text(st, 4, ts);
	assay_stmt_bind_text(st, 5, key_id);
	assay_stmt_bind_text(st, 6, sig);
	rc = assay_stmt_exec(st, err);
	assay_stmt_finalize(st);
	if (!rc && out) {
		out->seq = seq;
		out->hash = assay_arena_strdup(a, hash);
		out->ts = assay_arena_strdup(a, ts);
		out->key_id = assay_arena_strdup(a, key_id);
		out->sig = assay_arena_strdup(a, sig);
	}
	return rc;
}
