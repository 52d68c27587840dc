/* assay/audit.h: the tamper-evident audit trail.
 *
 * Every change to the registry appends one event in the same transaction
 * as the change itself (there is no way to turn it off: the registry's
 * write functions call assay_audit_append, and so must every new one).
 * An event is
 *     seq, ts, actor, action, entity_type, entity_id, system_id, diff,
 *     prev_hash, hash, key_id, sig
 * where hash = SHA-256 over the RFC 8785 canonical JSON of the object
 *     {"action", "actor", "diff", "entity_id", "entity_type", "prev_hash",
 *      "seq", "system_id", "ts"}
 * (system_id and entity_id are null when absent; diff is a JSON value),
 * prev_hash is the previous event's hash (64 zeros for seq 1), and when a
 * signing key is configured (`assay key generate`) sig = Ed25519 over the
 * 64 hex characters of hash, base64, with key_id naming the key.
 *
 * assay_audit_verify walks the chain and names the first bad event: edited
 * (its hash does not match its content), deleted (a sequence gap, or the
 * next event links to a hash no event has), inserted (the next event
 * links past it), reordered (it links to a later event), bad or missing
 * signature, or a signed checkpoint that no longer matches the chain. */
#ifndef ASSAY_AUDIT_H
#define ASSAY_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "assay/arena.h"
#include "assay/error.h"
#include "assay/store.h"

/* One change to record. before/after are the entity's state (JSON objects)
 * before and after; NULL for a creation (before) or a removal (after). The
 * event stores their difference: {"before": {changed members}, "after":
 * {changed members}} (recursively through objects; whole values
 * otherwise); a creation stores {"after": after}. extra (optional) is merged
 * into the diff object as "note" (e.g. an override's reason). */
struct assay_audit_change {
	const char *action;      /* "system.add", "evidence.add", "review.submit", ... */
	const char *entity_type; /* "system", "evidence", "review", ... */
	const char *entity_id;   /* the entity's ULID (or key id) */
	const char *system_id;   /* the system it belongs to, NULL if none */
	const json_t *before, *after;
	const json_t *note;
};

/* Append inside the caller's write transaction (ASSAY_EINTERNAL outside
 * one). Signs when the database has a signing key; the secret key is read
 * from assay_audit_key_path() (ASSAY_EIO with a hint when it is missing:
 * a signed chain never gets unsigned events). *seq_out (optional) is the
 * new event's sequence number. */
int assay_audit_append(struct assay_store *s, const struct assay_audit_change *c, int64_t *seq_out,
                       struct assay_error *err);

struct assay_audit_event {
	int64_t seq;
	const char *ts, *actor, *action, *entity_type, *entity_id, *system_id;
	const char *diff; /* canonical JSON text */
	const char *prev_hash, *hash, *key_id, *sig;
};

struct assay_audit_filter {
	const char *system_id; /* events about this system (entity or owner) */
	const char *since;     /* ts >= since (canonical RFC 3339) */
	const char *entity_type, *entity_id, *action;
	int64_t after_seq; /* seq > after_seq */
	int64_t limit;     /* 0: all */
};
/* Events in seq order (arena-owned). */
int assay_audit_list(struct assay_store *s, const struct assay_audit_filter *f, struct assay_arena *a,
                     struct assay_audit_event **out, size_t *n, struct assay_error *err);

/* The hash an event should have (hex), from its fields. */
int assay_audit_event_hash(const struct assay_audit_event *e, char out[65], struct assay_error *err);

enum assay_audit_problem {
	ASSAY_AUDIT_OK = 0,
	ASSAY_AUDIT_EDITED,
	ASSAY_AUDIT_DELETED,
	ASSAY_AUDIT_INSERTED,
	ASSAY_AUDIT_REORDERED,
	ASSAY_AUDIT_BAD_SIGNATURE,
	ASSAY_AUDIT_MISSING_SIGNATURE,
	ASSAY_AUDIT_CHECKPOINT,
};
const char *assay_audit_problem_name(enum assay_audit_problem p); /* "edited", ... */

struct assay_audit_verify_result {
	int64_t count;         /* events walked */
	int64_t head_seq;      /* last event's seq (0: empty) */
	char head_hash[65];    /* last event's hash */
	int64_t signed_events; /* events with a valid signature */
	int64_t checkpoints;   /* checkpoints checked */
	enum assay_audit_problem problem;
	int64_t bad_seq;   /* the first bad event (its expected seq for a deletion) */
	char message[512]; /* what is wrong, in a sentence */
};
/* Walk the whole chain. Returns 0 when the walk ran (r->problem says
 * whether the chain is intact), or an error when it could not read. */
int assay_audit_verify(struct assay_store *s, struct assay_audit_verify_result *r, struct assay_error *err);
/* The chain's head: the last event's seq and hash (0 and the zero hash when
 * empty). What a result computed from the registry names as its input. */
int assay_audit_head(struct assay_store *s, int64_t *seq, char hash[65], struct assay_error *err);

/* Signing keys (Ed25519, libsodium). The secret key file is
 * "<db path>.key" unless --key / $ASSAY_KEY names another; mode 0600. */
const char *assay_audit_key_path(const struct assay_store *s);
void assay_audit_set_key_path(struct assay_store *s, const char *path);
/* Generate a key pair, write the secret key file (refuses to overwrite),
 * store the public key in the database (audit event "key.generate"); from
 * then on every event is signed. key_id is the first 16 hex characters of
 * sha256(public key). In the caller's write transaction. */
int assay_audit_key_generate(struct assay_store *s, const char *path, char key_id[17],
                             struct assay_error *err);
/* The active key's id, or "" when events are not signed. */
int assay_audit_active_key(struct assay_store *s, char key_id[17], char public_b64[64],
                           struct assay_error *err);

/* Sign the chain head (seq, hash, ts) with the active key and store the
 * checkpoint; verify checks every checkpoint against the chain. In the
 * caller's write transaction. Checkpoints are not events (they would move
 * the head they sign). */
struct assay_audit_checkpoint {
	int64_t seq;
	const char *hash, *ts, *key_id, *sig;
};
int assay_audit_checkpoint(struct assay_store *s, struct assay_audit_checkpoint *out, struct assay_arena *a,
                           struct assay_error *err);

#endif
