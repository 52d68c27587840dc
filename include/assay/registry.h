/* assay/registry.h: the AI system inventory and its evidence.
 *
 * Systems (one row per AI system, found by slug or ULID; retired, never
 * deleted), the content-addressed blob store, and evidence linked to a
 * system's requirement keys with computed completeness. Every write
 * function runs inside the caller's write transaction (assay/store.h) and
 * appends its audit event (assay/audit.h) itself.
 *
 * The registry stores what the policy computed (tier, rationale, policy
 * version and hash) but does not call the policy engine: front ends pass the
 * policy's results in (struct assay_system_input, struct assay_requirement),
 * so storage does not depend on how a policy pack is written. */
#ifndef ASSAY_REGISTRY_H
#define ASSAY_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "assay/arena.h"
#include "assay/clock.h"
#include "assay/error.h"
#include "assay/store.h"
#include "assay/ulid.h"

/* ---- systems ---- */

struct assay_system {
	char id[ASSAY_ULID_LEN];
	const char *slug, *name, *ai_type, *lifecycle_stage;
	const char *tier;            /* prohibited|high|medium|low: the effective tier */
	const char *computed_tier;   /* what the policy computed */
	const char *tier_source;     /* "policy" or "override" */
	const char *override_reason; /* NULL unless overridden */
	const char *tier_rationale;  /* JSON array text: the rules that fired */
	const char *policy_version, *policy_hash;
	const char *intake;          /* canonical JSON of the validated intake */
	const char *intake_sha256;
	const char *created_at, *created_by, *updated_at, *retired_at; /* retired_at NULL when active */
	int64_t version;             /* 1 on add, +1 per change */
};

/* What add/update store: the validated intake (a JSON object; the indexed
 * columns are read from its "slug", "name", "ai_type" and
 * "lifecycle_stage" members) and what the policy computed from it. */
struct assay_system_input {
	const json_t *intake;
	const char *tier;           /* computed tier */
	const json_t *rationale;    /* JSON array (strings or objects), the rules that fired */
	const char *policy_version, *policy_hash;
};

/* Slugs: lower-case a-z, 0-9 and '-', 2-63 characters, starting with a
 * letter. 1 when valid. */
int assay_slug_valid(const char *slug);

/* Add; the slug must be new (ASSAY_EINPUT otherwise). Fills out (may be NULL). */
int assay_system_add(struct assay_store *s, const struct assay_system_input *in, struct assay_arena *a,
                     struct assay_system *out, struct assay_error *err);
/* Replace the intake of an active system (the slug cannot change); records
 * the difference. A manual tier override stays in force (the computed tier
 * is updated beside it). *changed = 0 when nothing differed (no event). */
int assay_system_update(struct assay_store *s, const char *slug, const struct assay_system_input *in,
                        struct assay_arena *a, struct assay_system *out, int *changed, struct assay_error *err);
/* Mark retired (lifecycle_stage "retired", retired_at now); reason (may be
 * NULL) is recorded in the audit event. */
int assay_system_retire(struct assay_store *s, const char *slug, const char *reason, struct assay_error *err);
/* Set the effective tier by hand; reason is required. tier NULL clears the
 * override (back to the computed tier). */
int assay_system_override_tier(struct assay_store *s, const char *slug, const char *tier, const char *reason,
                               struct assay_error *err);
/* By slug or ULID; ASSAY_EINPUT "no system ..." with a did-you-mean when absent. */
int assay_system_get(struct assay_store *s, const char *slug_or_id, struct assay_arena *a,
                     struct assay_system *out, struct assay_error *err);

struct assay_system_filter {
	const char *tier, *stage, *ai_type; /* NULL: any */
	int include_retired;
};
/* Ordered by slug. */
int assay_system_list(struct assay_store *s, const struct assay_system_filter *f, struct assay_arena *a,
                      struct assay_system **out, size_t *n, struct assay_error *err);
/* The system as a JSON object (what show --format json prints; the intake
 * is parsed back into an object under "intake"). New reference. */
json_t *assay_system_json(const struct assay_system *sys);

/* ---- blobs: content-addressed files under assay_store_blob_dir() ----
 * "<blob dir>/ab/cdef..." (the sha256 hex split after two characters),
 * written atomically (temp file, fsync, rename, fsync of the directory),
 * verified on every read. */
int assay_blob_put_file(struct assay_store *s, const char *path, char sha256[65], int64_t *size,
                        struct assay_error *err);
int assay_blob_put(struct assay_store *s, const void *data, size_t n, char sha256[65], struct assay_error *err);
/* Read whole and check the hash: a mismatch is ASSAY_EINPUT naming the
 * blob and both hashes. *data is arena-owned. */
int assay_blob_get(struct assay_store *s, const char *sha256, struct assay_arena *a, void **data, size_t *n,
                   struct assay_error *err);
/* The path a blob lives at (arena-owned). */
const char *assay_blob_path(struct assay_store *s, const char *sha256, struct assay_arena *a);

/* ---- evidence ---- */

/* A requirement a system's tier imposes, as the policy states it. */
struct assay_requirement {
	const char *control_id; /* the control it belongs to */
	const char *key;        /* requirement key, e.g. "fairness-evaluation" */
	const char *kind;       /* document|metric|test_result|attestation|log */
	const char *label;      /* human description, may be NULL */
	int64_t freshness_days; /* 0: does not go stale */
};

struct assay_evidence {
	char id[ASSAY_ULID_LEN];
	int64_t number;           /* E-<number> */
	const char *system_id, *requirement_key, *control_id, *kind;
	const char *source;       /* manual|ci|api */
	const char *uri;          /* URL evidence, else NULL */
	const char *sha256;       /* blob hash, NULL for URL evidence */
	const char *filename;     /* original file name, NULL for URLs */
	const char *media_type;
	int64_t size;
	const char *author, *collected_at, *expires_at; /* expires_at: explicit, or NULL */
	const char *meta;         /* JSON object text (e.g. input hashes of an eval), or NULL */
	const char *created_at, *created_by;
};

struct assay_evidence_input {
	const char *system;          /* slug or id */
	const char *requirement_key; /* must be one of reqs[] (the system's tier) */
	const char *file;            /* a file to store, or */
	const char *url;             /* a URL to record (http/https/s3/...: not fetched) */
	const void *data;            /* or bytes in memory (data_n), named data_name */
	size_t data_n;
	const char *data_name;
	const char *kind;            /* NULL: the requirement's kind */
	const char *source;          /* NULL: manual */
	const char *media_type;      /* NULL: by extension and content */
	const char *author;          /* NULL: the actor */
	const char *collected_at;    /* NULL: now */
	const char *expires_at;      /* NULL: collected + freshness days (computed at status time) */
	const json_t *meta;          /* extra JSON object, may be NULL */
};
/* Store the file (blob) and the record; error when the requirement key is
 * not among reqs (hint: the valid keys). */
int assay_evidence_add(struct assay_store *s, const struct assay_evidence_input *in,
                       const struct assay_requirement *reqs, size_t nreqs, struct assay_arena *a,
                       struct assay_evidence *out, struct assay_error *err);
/* A system's evidence, newest first. */
int assay_evidence_list(struct assay_store *s, const char *system_id, struct assay_arena *a,
                        struct assay_evidence **out, size_t *n, struct assay_error *err);
/* "E-7" or a ULID. */
int assay_evidence_get(struct assay_store *s, const char *ref, struct assay_arena *a, struct assay_evidence *out,
                       struct assay_error *err);
json_t *assay_evidence_json(const struct assay_evidence *e);
/* Media type from the file name and first bytes ("application/octet-stream"
 * when unknown). */
const char *assay_media_type(const char *name, const void *head, size_t n);

enum assay_req_state { ASSAY_REQ_MISSING = 0, ASSAY_REQ_SATISFIED, ASSAY_REQ_EXPIRED };
const char *assay_req_state_name(enum assay_req_state st);

struct assay_req_status {
	const struct assay_requirement *req;
	enum assay_req_state state;
	const struct assay_evidence *evidence; /* the freshest evidence for it, NULL when none */
	const char *expires_at;                /* effective expiry of that evidence, NULL: never */
	size_t nevidence;                      /* all evidence recorded for the key */
};

struct assay_evidence_status {
	struct assay_req_status *items; /* one per requirement, in the order given */
	size_t n;
	size_t satisfied, expired, missing;
	double completeness;            /* satisfied / n; 1 when n == 0 */
	char as_of[ASSAY_TS_LEN];
};
/* Completeness of a system's evidence against reqs at time `now`
 * (canonical RFC 3339; NULL: assay_ts_now). Evidence counts while
 * now < expires_at, where expires_at is the explicit expiry or
 * collected_at + freshness_days (the earlier of the two when both). */
int assay_evidence_status(struct assay_store *s, const char *system_id, const struct assay_requirement *reqs,
                          size_t nreqs, const char *now, struct assay_arena *a, struct assay_evidence_status *out,
                          struct assay_error *err);

/* Re-hash every blob that evidence refers to. *checked and *bad counted;
 * the first bad blob (missing or mismatched) is described in err (return 0
 * either way unless reading the database fails; bad_desc gets every
 * problem, one per line, arena-owned). */
int assay_evidence_verify(struct assay_store *s, struct assay_arena *a, int64_t *checked, int64_t *bad,
                          const char **bad_desc, struct assay_error *err);

#endif
