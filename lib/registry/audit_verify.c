/* audit_verify.c: walking the audit chain (assay/audit.h): each event's
 * sequence number, its link to the previous event, its own hash, its
 * signature; then the recorded head and every signed checkpoint. The first
 * problem is named with the most specific diagnosis the evidence supports:
 * a link to an earlier event means the one between was inserted, a link to
 * a later one means reordering, a hash that matches another sequence
 * number means renumbering (a deletion hidden by shifting). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_internal.h"

/* ---- verify ---- */

struct key_rec {
	const char *key_id, *public_key;
	int64_t from_seq;
};

static int load_keys(struct assay_store *s, struct assay_arena *a, struct key_rec **out, size_t *n,
                     struct assay_error *err)
{
	struct assay_stmt *st;
	int rc = assay_stmt_prepare(
	    s, &st, "SELECT key_id, public_key, from_seq FROM signing_keys ORDER BY from_seq", err);
	if (rc)
		return rc;
	size_t cap = 8;
	*out = assay_arena_alloc(a, cap * sizeof **out);
	*n = 0;
	while ((rc = assay_stmt_step(st, err)) == 1 && *n < cap) {
		(*out)[*n].key_id = audit_dup_col(st, 0, a);
		(*out)[*n].public_key = audit_dup_col(st, 1, a);
		(*out)[*n].from_seq = assay_stmt_int(st, 2);
		(*n)++;
		if (*n == cap) {
			struct key_rec *w = assay_arena_alloc(a, 2 * cap * sizeof *w);
			memcpy(w, *out, cap * sizeof *w);
			*out = w;
			cap *= 2;
		}
	}
	assay_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

static const struct key_rec *find_key(const struct key_rec *k, size_t n, const char *id)
{
	for (size_t i = 0; id && i < n; i++)
		if (strcmp(k[i].key_id, id) == 0)
			return &k[i];
	return NULL;
}

static int bad(struct assay_audit_verify_result *r, enum assay_audit_problem p, int64_t seq, const char *fmt,
               ...) __attribute__((format(printf, 4, 5)));
static int bad(struct assay_audit_verify_result *r, enum assay_audit_problem p, int64_t seq, const char *fmt,
               ...)
{
	r->problem = p;
	r->bad_seq = seq;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof r->message, fmt, ap);
	va_end(ap);
	return 0;
}

static int hash_with_seq(const struct assay_audit_event *e, int64_t seq, char out[65])
{
	struct assay_audit_event c = *e;
	c.seq = seq;
	struct assay_error err;
	assay_error_clear(&err);
	return assay_audit_event_hash(&c, out, &err);
}

static int eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

int assay_audit_verify(struct assay_store *s, struct assay_audit_verify_result *r, struct assay_error *err)
{
	memset(r, 0, sizeof *r);
	snprintf(r->head_hash, sizeof r->head_hash, "%s", AUDIT_ZERO_HASH);
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct assay_audit_event *ev = NULL;
	size_t n = 0;
	struct key_rec *keys = NULL;
	size_t nkeys = 0;
	int rc = assay_audit_list(s, NULL, &a, &ev, &n, err);
	if (!rc)
		rc = load_keys(s, &a, &keys, &nkeys, err);
	if (rc) {
		assay_arena_free(&a);
		return rc;
	}
	int64_t signed_from = nkeys ? keys[0].from_seq : INT64_MAX;
	for (size_t i = 0; i < n && r->problem == ASSAY_AUDIT_OK; i++) {
		const struct assay_audit_event *e = &ev[i];
		int64_t want_seq = i ? ev[i - 1].seq + 1 : 1;
		const char *want_prev = i ? ev[i - 1].hash : AUDIT_ZERO_HASH;
		char h[65];
		if (e->seq > want_seq) {
			bad(r, ASSAY_AUDIT_DELETED, want_seq,
			    "event %lld was deleted: the sequence jumps from %lld to %lld",
			    (long long)want_seq, (long long)want_seq - 1, (long long)e->seq);
			break;
		}
		if (e->seq < want_seq) {
			bad(r, ASSAY_AUDIT_EDITED, e->seq, "event %lld has a sequence number below 1",
			    (long long)e->seq);
			break;
		}
		if (!eq(e->prev_hash, want_prev)) {
			size_t j;
			for (j = 0; j < n; j++)
				if (j != i && eq(ev[j].hash, e->prev_hash))
					break;
			if (j < n && j + 1 < i) {
				bad(r, ASSAY_AUDIT_INSERTED, ev[j + 1].seq,
				    "event %lld was inserted: event %lld links to event %lld, before it",
				    (long long)ev[j + 1].seq, (long long)e->seq, (long long)ev[j].seq);
			} else if (j < n && j > i) {
				bad(r, ASSAY_AUDIT_REORDERED, e->seq,
				    "event %lld is out of order: it links to event %lld, which comes after "
				    "it",
				    (long long)e->seq, (long long)ev[j].seq);
			} else {
				int64_t d;
				for (d = 1; d <= 8; d++)
					if (hash_with_seq(e, e->seq + d, h) == 0 && eq(h, e->hash))
						break;
				if (d <= 8)
					bad(r, ASSAY_AUDIT_DELETED, e->seq,
					    "%lld event(s) before event %lld were deleted and the later "
					    "events renumbered "
					    "(event %lld was numbered %lld)",
					    (long long)d, (long long)e->seq, (long long)e->seq,
					    (long long)(e->seq + d));
				else if (i == 0)
					bad(r, ASSAY_AUDIT_DELETED, 1,
					    "the first event links to a previous event: earlier events were "
					    "deleted");
				else
					bad(r, ASSAY_AUDIT_EDITED, ev[i - 1].seq,
					    "event %lld was edited and re-hashed: event %lld links to a "
					    "different hash",
					    (long long)ev[i - 1].seq, (long long)e->seq);
			}
			break;
		}
		struct assay_error herr;
		assay_error_clear(&herr);
		if (assay_audit_event_hash(e, h, &herr) != 0) {
			bad(r, ASSAY_AUDIT_EDITED, e->seq, "event %lld was edited: %s", (long long)e->seq,
			    herr.message);
			break;
		}
		if (!eq(h, e->hash)) {
			int64_t d;
			for (d = -8; d <= 8; d++)
				if (d && hash_with_seq(e, e->seq + d, h) == 0 && eq(h, e->hash))
					break;
			if (d <= 8)
				bad(r, ASSAY_AUDIT_REORDERED, e->seq,
				    "event %lld was renumbered: its hash is that of event %lld",
				    (long long)e->seq, (long long)(e->seq + d));
			else
				bad(r, ASSAY_AUDIT_EDITED, e->seq,
				    "event %lld was edited: its content does not match its hash (%s %s %s)",
				    (long long)e->seq, e->action ? e->action : "?",
				    e->entity_type ? e->entity_type : "?", e->ts ? e->ts : "?");
			break;
		}
		if (e->sig || e->key_id) {
			const struct key_rec *k = find_key(keys, nkeys, e->key_id);
			if (!k) {
				bad(r, ASSAY_AUDIT_BAD_SIGNATURE, e->seq,
				    "event %lld is signed by an unknown key \"%s\"", (long long)e->seq,
				    e->key_id ? e->key_id : "");
				break;
			}
			if (!e->sig || audit_check_sig(k->public_key, e->hash, e->sig) != 0) {
				bad(r, ASSAY_AUDIT_BAD_SIGNATURE, e->seq,
				    "event %lld has a bad signature: it does not verify with key %s",
				    (long long)e->seq, k->key_id);
				break;
			}
			r->signed_events++;
		} else if (e->seq >= signed_from) {
			bad(r, ASSAY_AUDIT_MISSING_SIGNATURE, e->seq,
			    "event %lld is not signed, but events are signed from event %lld on",
			    (long long)e->seq, (long long)signed_from);
			break;
		}
		r->count++;
		r->head_seq = e->seq;
		snprintf(r->head_hash, sizeof r->head_hash, "%s", e->hash);
	}
	if (r->problem == ASSAY_AUDIT_OK) {
		/* the recorded head: the last events deleted leave it behind */
		struct assay_stmt *st;
		rc = assay_stmt_prepare(s, &st, "SELECT value FROM registry_meta WHERE key = 'audit_head'",
		                        err);
		if (!rc && (rc = assay_stmt_step(st, err)) == 1) {
			long long hs = strtoll(assay_stmt_text(st, 0), NULL, 10);
			if (hs > r->head_seq)
				bad(r, ASSAY_AUDIT_DELETED, r->head_seq + 1,
				    "event %lld was deleted: the chain ends at %lld but its head was "
				    "recorded at %lld",
				    (long long)r->head_seq + 1, (long long)r->head_seq, hs);
			rc = 0;
		}
		assay_stmt_finalize(st);
	}
	if (!rc && r->problem == ASSAY_AUDIT_OK) {
		struct assay_stmt *st;
		rc = assay_stmt_prepare(
		    s, &st, "SELECT seq, hash, ts, key_id, sig FROM audit_checkpoints ORDER BY seq, ts", err);
		while (!rc && r->problem == ASSAY_AUDIT_OK && (rc = assay_stmt_step(st, err)) == 1) {
			int64_t seq = assay_stmt_int(st, 0);
			const char *hash = assay_stmt_text(st, 1), *ts = assay_stmt_text(st, 2);
			const char *kid = assay_stmt_text(st, 3), *sig = assay_stmt_text(st, 4);
			rc = 0;
			const struct assay_audit_event *e = NULL;
			for (size_t i = 0; i < n; i++)
				if (ev[i].seq == seq)
					e = &ev[i];
			const struct key_rec *k = find_key(keys, nkeys, kid);
			char msg[160];
			snprintf(msg, sizeof msg, "%lld|%s|%s", (long long)seq, hash ? hash : "",
			         ts ? ts : "");
			if (!e)
				bad(r, ASSAY_AUDIT_CHECKPOINT, seq,
				    "the checkpoint of %s signed event %lld, which is no longer in the chain "
				    "(deleted)",
				    ts, (long long)seq);
			else if (!eq(e->hash, hash))
				bad(r, ASSAY_AUDIT_CHECKPOINT, seq,
				    "the checkpoint of %s signed event %lld with another hash: the chain was "
				    "rewritten",
				    ts, (long long)seq);
			else if (!k || audit_check_sig(k->public_key, msg, sig) != 0)
				bad(r, ASSAY_AUDIT_CHECKPOINT, seq,
				    "the checkpoint of %s at event %lld has a bad signature", ts,
				    (long long)seq);
			else
				r->checkpoints++;
		}
		assay_stmt_finalize(st);
		rc = rc < 0 ? rc : 0;
	}
	assay_arena_free(&a);
	return rc;
}
