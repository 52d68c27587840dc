/* evidence.c: evidence records, media types, completeness against a
 * system's requirements, blob verification (assay/registry.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "assay/audit.h"
#include "assay/canonjson.h"
#include "assay/hash.h"
#include "registry_internal.h"

#define EV_COLS                                                                                             \
	"id, number, system_id, requirement_key, control_id, kind, source, uri, sha256, filename, media_type, " \
	"size, author, collected_at, expires_at, meta, created_at, created_by"

static const char *const KINDS[] = {"document", "metric", "test_result", "attestation", "log"};
static const char *const SOURCES[] = {"manual", "ci", "api"};

static int one_of(const char *v, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v, set[i]))
			return 1;
	return 0;
}

const char *assay_req_state_name(enum assay_req_state st)
{
	switch (st) {
	case ASSAY_REQ_SATISFIED: return "satisfied";
	case ASSAY_REQ_EXPIRED: return "expired";
	case ASSAY_REQ_MISSING: return "missing";
	}
	return "?";
}

const char *assay_media_type(const char *name, const void *head, size_t n)
{
	static const struct {
		const char *ext, *type;
	} EXT[] = {
	    {".json", "application/json"},
	    {".jsonl", "application/x-ndjson"},
	    {".ndjson", "application/x-ndjson"},
	    {".pdf", "application/pdf"},
	    {".md", "text/markdown"},
	    {".markdown", "text/markdown"},
	    {".txt", "text/plain"},
	    {".log", "text/plain"},
	    {".csv", "text/csv"},
	    {".tsv", "text/tab-separated-values"},
	    {".html", "text/html"},
	    {".htm", "text/html"},
	    {".xml", "application/xml"},
	    {".yaml", "application/yaml"},
	    {".yml", "application/yaml"},
	    {".png", "image/png"},
	    {".jpg", "image/jpeg"},
	    {".jpeg", "image/jpeg"},
	    {".svg", "image/svg+xml"},
	    {".zip", "application/zip"},
	    {".gz", "application/gzip"},
	    {".tar", "application/x-tar"},
	    {".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	    {".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	    {".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
	    {".parquet", "application/vnd.apache.parquet"},
	    {".sarif", "application/sarif+json"},
	};
	const char *dot = name ? strrchr(name, '.') : NULL;
	const char *slash = name ? strrchr(name, '/') : NULL;
	if (dot && (!slash || dot > slash))
		for (size_t i = 0; i < sizeof EXT / sizeof *EXT; i++)
			if (!strcasecmp(dot, EXT[i].ext))
				return EXT[i].type;
	const unsigned char *h = head;
	if (!h || n == 0)
		return "application/octet-stream";
	if (n >= 5 && !memcmp(h, "%PDF-", 5))
		return "application/pdf";
	if (n >= 8 && !memcmp(h, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (n >= 3 && !memcmp(h, "\xff\xd8\xff", 3))
		return "image/jpeg";
	if (n >= 4 && !memcmp(h, "PK\x03\x04", 4))
		return "application/zip";
	if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b)
		return "application/gzip";
	size_t i = 0;
	while (i < n && (h[i] == ' ' || h[i] == '\n' || h[i] == '\r' || h[i] == '\t'))
		i++;
	if (n - i >= 5 && !memcmp(h + i, "<?xml", 5))
		return "application/xml";
	/* text when there are no NULs or other control bytes */
	for (size_t k = 0; k < n; k++)
		if (h[k] == 0 || (h[k] < 0x20 && h[k] != '\n' && h[k] != '\r' && h[k] != '\t'))
			return "application/octet-stream";
	if (i < n && (h[i] == '{' || h[i] == '['))
		return "application/json";
	return "text/plain";
}

static void read_row(struct assay_stmt *st, struct assay_arena *a, struct assay_evidence *e)
{
	memset(e, 0, sizeof *e);
	const char *id = assay_stmt_text(st, 0);
	snprintf(e->id, sizeof e->id, "%s", id ? id : "");
	e->number = assay_stmt_int(st, 1);
	e->system_id = reg_col(st, 2, a);
	e->requirement_key = reg_col(st, 3, a);
	e->control_id = reg_col(st, 4, a);
	e->kind = reg_col(st, 5, a);
	e->source = reg_col(st, 6, a);
	e->uri = reg_col(st, 7, a);
	e->sha256 = reg_col(st, 8, a);
	e->filename = reg_col(st, 9, a);
	e->media_type = reg_col(st, 10, a);
	e->size = assay_stmt_int(st, 11);
	e->author = reg_col(st, 12, a);
	e->collected_at = reg_col(st, 13, a);
	e->expires_at = reg_col(st, 14, a);
	e->meta = reg_col(st, 15, a);
	e->created_at = reg_col(st, 16, a);
	e->created_by = reg_col(st, 17, a);
}

json_t *assay_evidence_json(const struct assay_evidence *e)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(e->id));
	json_object_set_new(o, "ref", json_sprintf("E-%lld", (long long)e->number));
	json_object_set_new(o, "system_id", reg_str(e->system_id));
	json_object_set_new(o, "requirement", reg_str(e->requirement_key));
	json_object_set_new(o, "control", reg_str(e->control_id));
	json_object_set_new(o, "kind", reg_str(e->kind));
	json_object_set_new(o, "source", reg_str(e->source));
	json_object_set_new(o, "uri", reg_str(e->uri));
	json_object_set_new(o, "sha256", reg_str(e->sha256));
	json_object_set_new(o, "filename", reg_str(e->filename));
	json_object_set_new(o, "media_type", reg_str(e->media_type));
	json_object_set_new(o, "size", e->sha256 ? json_integer(e->size) : json_null());
	json_object_set_new(o, "author", reg_str(e->author));
	json_object_set_new(o, "collected_at", reg_str(e->collected_at));
	json_object_set_new(o, "expires_at", reg_str(e->expires_at));
	json_t *meta = e->meta ? json_loads(e->meta, JSON_DECODE_ANY, NULL) : NULL;
	json_object_set_new(o, "meta", meta ? meta : json_null());
	json_object_set_new(o, "created_at", reg_str(e->created_at));
	json_object_set_new(o, "created_by", reg_str(e->created_by));
	return o;
}

static int valid_url(const char *u)
{
	const char *p = strstr(u, "://");
	if (!p || p == u || !p[3])
		return 0;
	for (const char *q = u; q < p; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '+' ||
		      *q == '-' || *q == '.'))
			return 0;
	for (const char *q = u; *q; q++)
		if ((unsigned char)*q <= ' ')
			return 0;
	return 1;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

int assay_evidence_add(struct assay_store *s, const struct assay_evidence_input *in,
                       const struct assay_requirement *reqs, size_t nreqs, struct assay_arena *a,
                       struct assay_evidence *out, struct assay_error *err)
{
	int rc = reg_need_write(s, "evidence add", err);
	if (rc)
		return rc;
	struct assay_system sys;
	if ((rc = assay_system_get(s, in->system, a, &sys, err)))
		return rc;
	if (sys.retired_at) {
		assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0, "system \"%s\" was retired on %s: it takes no new evidence",
		                sys.slug, sys.retired_at);
		return ASSAY_EINPUT;
	}
	const struct assay_requirement *req = NULL;
	for (size_t i = 0; i < nreqs && !req; i++)
		if (in->requirement_key && !strcmp(reqs[i].key, in->requirement_key))
			req = &reqs[i];
	if (!req) {
		size_t len = 1;
		for (size_t i = 0; i < nreqs; i++)
			len += strlen(reqs[i].key) + 2;
		char *list = assay_arena_alloc(a, len);
		list[0] = '\0';
		for (size_t i = 0; i < nreqs; i++) {
			if (i)
				strcat(list, ", ");
			strcat(list, reqs[i].key);
		}
		const char **keys = assay_arena_alloc(a, (nreqs + 1) * sizeof *keys);
		for (size_t i = 0; i < nreqs; i++)
			keys[i] = reqs[i].key;
		const char *dym = in->requirement_key ? assay_did_you_mean(in->requirement_key, keys, nreqs) : NULL;
		assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0,
		                "\"%s\" is not an evidence requirement of %s at tier %s",
		                in->requirement_key ? in->requirement_key : "", sys.slug, sys.tier ? sys.tier : "?");
		if (nreqs == 0)
			assay_error_hint(err, "its tier requires no evidence");
		else if (dym)
			assay_error_hint(err, "did you mean \"%s\"? valid keys: %s", dym, list);
		else
			assay_error_hint(err, "valid keys: %s", list);
		return ASSAY_EINPUT;
	}
	const char *kind = in->kind ? in->kind : req->kind;
	if (!kind || !one_of(kind, KINDS, 5)) {
		assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0, "\"%s\" is not an evidence kind", kind ? kind : "");
		assay_error_hint(err, "document, metric, test_result, attestation or log");
		return ASSAY_EUSAGE;
	}
	const char *source = in->source ? in->source : "manual";
	if (!one_of(source, SOURCES, 3)) {
		assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0, "\"%s\" is not an evidence source", source);
		assay_error_hint(err, "manual, ci or api");
		return ASSAY_EUSAGE;
	}
	char collected[ASSAY_TS_LEN], expires[ASSAY_TS_LEN] = "";
	if (in->collected_at) {
		if (assay_ts_normalize(in->collected_at, collected)) {
			assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0, "--collected \"%s\" is not a date", in->collected_at);
			assay_error_hint(err, "YYYY-MM-DD or RFC 3339 (2025-03-01T12:00:00Z)");
			return ASSAY_EUSAGE;
		}
	} else {
		assay_ts_now(collected);
	}
	if (in->expires_at) {
		if (assay_ts_normalize(in->expires_at, expires)) {
			assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0, "--expires \"%s\" is not a date", in->expires_at);
			assay_error_hint(err, "YYYY-MM-DD or RFC 3339 (2025-03-01T12:00:00Z)");
			return ASSAY_EUSAGE;
		}
		if (strcmp(expires, collected) <= 0)
			return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
			                       "the evidence expires (%s) before it was collected (%s)", expires, collected);
	}
	char sha[65] = "";
	int64_t size = 0;
	const char *filename = NULL, *media = in->media_type, *uri = NULL;
	if (in->url) {
		if (!valid_url(in->url)) {
			assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0, "\"%s\" is neither a file nor a URL", in->url);
			assay_error_hint(err, "a URL has a scheme: https://..., s3://...");
			return ASSAY_EUSAGE;
		}
		uri = in->url;
	} else if (in->file) {
		char head[512];
		size_t hn = 0;
		FILE *f = fopen(in->file, "rb");
		if (f) {
			hn = fread(head, 1, sizeof head, f);
			fclose(f);
		}
		if ((rc = assay_blob_put_file(s, in->file, sha, &size, err)))
			return rc;
		filename = base_name(in->file);
		if (!media)
			media = assay_media_type(in->file, head, hn);
	} else if (in->data) {
		if ((rc = assay_blob_put(s, in->data, in->data_n, sha, err)))
			return rc;
		size = (int64_t)in->data_n;
		filename = in->data_name;
		if (!media)
			media = assay_media_type(in->data_name, in->data, in->data_n < 512 ? in->data_n : 512);
	} else {
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0, "evidence needs a file or a URL");
	}
	char *meta = NULL;
	if (in->meta && !(meta = assay_canonjson(in->meta, NULL, err)))
		return err->code;
	int64_t number = 0;
	char id[ASSAY_ULID_LEN], ts[ASSAY_TS_LEN];
	assay_ts_now(ts);
	rc = assay_store_next_number(s, "E", &number, err);
	if (!rc)
		rc = assay_ulid_new(id, err);
	struct assay_stmt *st = NULL;
	if (!rc)
		rc = assay_stmt_prepare(s, &st,
		                        "INSERT INTO evidence (" EV_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
		                        "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
		                        err);
	if (!rc) {
		assay_stmt_bind_text(st, 1, id);
		assay_stmt_bind_int(st, 2, number);
		assay_stmt_bind_text(st, 3, sys.id);
		assay_stmt_bind_text(st, 4, req->key);
		assay_stmt_bind_text(st, 5, req->control_id);
		assay_stmt_bind_text(st, 6, kind);
		assay_stmt_bind_text(st, 7, source);
		assay_stmt_bind_text(st, 8, uri);
		assay_stmt_bind_text(st, 9, uri ? NULL : sha);
		assay_stmt_bind_text(st, 10, filename);
		assay_stmt_bind_text(st, 11, media);
		if (uri)
			assay_stmt_bind_null(st, 12);
		else
			assay_stmt_bind_int(st, 12, size);
		assay_stmt_bind_text(st, 13, in->author ? in->author : s->actor);
		assay_stmt_bind_text(st, 14, collected);
		assay_stmt_bind_text(st, 15, expires[0] ? expires : NULL);
		assay_stmt_bind_text(st, 16, meta);
		assay_stmt_bind_text(st, 17, ts);
		assay_stmt_bind_text(st, 18, s->actor);
		rc = assay_stmt_exec(st, err);
		assay_stmt_finalize(st);
	}
	free(meta);
	struct assay_evidence e;
	if (!rc)
		rc = assay_evidence_get(s, id, a, &e, err);
	if (!rc) {
		json_t *after = assay_evidence_json(&e);
		json_object_del(after, "created_at");
		json_object_del(after, "created_by");
		struct assay_audit_change c = {.action = "evidence.add",
		                               .entity_type = "evidence",
		                               .entity_id = id,
		                               .system_id = sys.id,
		                               .after = after};
		rc = assay_audit_append(s, &c, NULL, err);
		json_decref(after);
	}
	if (!rc && out)
		*out = e;
	return rc;
}

int assay_evidence_get(struct assay_store *s, const char *ref, struct assay_arena *a, struct assay_evidence *out,
                       struct assay_error *err)
{
	int64_t number = -1;
	if ((ref[0] == 'E' || ref[0] == 'e') && ref[1] == '-') {
		char *end;
		number = strtoll(ref + 2, &end, 10);
		if (*end || end == ref + 2)
			number = -1;
	}
	struct assay_stmt *st;
	int rc = assay_stmt_prepare(s, &st, "SELECT " EV_COLS " FROM evidence WHERE id = ?1 OR number = ?2", err);
	if (rc)
		return rc;
	assay_stmt_bind_text(st, 1, ref);
	assay_stmt_bind_int(st, 2, number);
	rc = assay_stmt_step(st, err);
	if (rc == 1)
		read_row(st, a, out);
	assay_stmt_finalize(st);
	if (rc == 0) {
		assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0, "no evidence \"%s\"", ref);
		assay_error_hint(err, "`assay evidence list SYSTEM` shows a system's evidence (E-1, E-2, ...)");
		return ASSAY_EINPUT;
	}
	return rc < 0 ? rc : 0;
}

int assay_evidence_list(struct assay_store *s, const char *system_id, struct assay_arena *a,
                        struct assay_evidence **out, size_t *n, struct assay_error *err)
{
	struct assay_stmt *st;
	int rc = assay_stmt_prepare(s, &st,
	                            "SELECT " EV_COLS " FROM evidence WHERE system_id = ?1 ORDER BY number DESC", err);
	if (rc)
		return rc;
	assay_stmt_bind_text(st, 1, system_id);
	size_t cap = 16;
	struct assay_evidence *v = assay_arena_alloc(a, cap * sizeof *v);
	*n = 0;
	while ((rc = assay_stmt_step(st, err)) == 1) {
		if (*n == cap) {
			struct assay_evidence *w = assay_arena_alloc(a, 2 * cap * sizeof *w);
			memcpy(w, v, cap * sizeof *v);
			v = w;
			cap *= 2;
		}
		read_row(st, a, &v[(*n)++]);
	}
	assay_stmt_finalize(st);
	*out = v;
	return rc < 0 ? rc : 0;
}

/* When evidence e stops counting for requirement r: the explicit expiry,
 * or collected + freshness days, the earlier of the two; "" for never. */
static void effective_expiry(const struct assay_evidence *e, const struct assay_requirement *r,
                             char out[ASSAY_TS_LEN])
{
	out[0] = '\0';
	char fresh[ASSAY_TS_LEN] = "";
	if (r->freshness_days > 0 && e->collected_at)
		assay_ts_add_days(e->collected_at, r->freshness_days, fresh);
	if (e->expires_at && fresh[0])
		snprintf(out, ASSAY_TS_LEN, "%s", strcmp(e->expires_at, fresh) < 0 ? e->expires_at : fresh);
	else if (e->expires_at)
		snprintf(out, ASSAY_TS_LEN, "%s", e->expires_at);
	else if (fresh[0])
		snprintf(out, ASSAY_TS_LEN, "%s", fresh);
}

int assay_evidence_status(struct assay_store *s, const char *system_id, const struct assay_requirement *reqs,
                          size_t nreqs, const char *now, struct assay_arena *a, struct assay_evidence_status *out,
                          struct assay_error *err)
{
	memset(out, 0, sizeof *out);
	if (now)
		snprintf(out->as_of, sizeof out->as_of, "%s", now);
	else
		assay_ts_now(out->as_of);
	struct assay_evidence *ev;
	size_t nev;
	int rc = assay_evidence_list(s, system_id, a, &ev, &nev, err);
	if (rc)
		return rc;
	out->items = assay_arena_calloc(a, nreqs + 1, sizeof *out->items);
	out->n = nreqs;
	for (size_t i = 0; i < nreqs; i++) {
		struct assay_req_status *it = &out->items[i];
		it->req = &reqs[i];
		it->state = ASSAY_REQ_MISSING;
		char best_exp[ASSAY_TS_LEN] = "";
		for (size_t k = 0; k < nev; k++) {
			if (strcmp(ev[k].requirement_key, reqs[i].key) != 0)
				continue;
			it->nevidence++;
			char exp[ASSAY_TS_LEN];
			effective_expiry(&ev[k], &reqs[i], exp);
			int counts = !exp[0] || strcmp(out->as_of, exp) < 0;
			/* the freshest: counting beats expired; never-expiring beats
			 * a later expiry, which beats an earlier one */
			int better = 0;
			if (!it->evidence)
				better = 1;
			else if (counts && it->state != ASSAY_REQ_SATISFIED)
				better = 1;
			else if (counts == (it->state == ASSAY_REQ_SATISFIED)) {
				if (best_exp[0] && !exp[0])
					better = 1;
				else if (best_exp[0] && exp[0] && strcmp(exp, best_exp) > 0)
					better = 1;
			}
			if (better) {
				it->evidence = &ev[k];
				it->state = counts ? ASSAY_REQ_SATISFIED : ASSAY_REQ_EXPIRED;
				snprintf(best_exp, sizeof best_exp, "%s", exp);
				it->expires_at = exp[0] ? assay_arena_strdup(a, exp) : NULL;
			}
		}
		if (it->state == ASSAY_REQ_SATISFIED)
			out->satisfied++;
		else if (it->state == ASSAY_REQ_EXPIRED)
			out->expired++;
		else
			out->missing++;
	}
	out->completeness = nreqs ? (double)out->satisfied / (double)nreqs : 1.0;
	return 0;
}

int assay_evidence_verify(struct assay_store *s, struct assay_arena *a, int64_t *checked, int64_t *bad,
                          const char **bad_desc, struct assay_error *err)
{
	*checked = *bad = 0;
	*bad_desc = "";
	struct assay_stmt *st;
	int rc = assay_stmt_prepare(s, &st,
	                            "SELECT b.sha256, b.size, (SELECT MIN(number) FROM evidence e WHERE e.sha256 = "
	                            "b.sha256) FROM blobs b ORDER BY b.sha256",
	                            err);
	if (rc)
		return rc;
	char *desc = assay_arena_strdup(a, "");
	while ((rc = assay_stmt_step(st, err)) == 1) {
		const char *sha = assay_stmt_text(st, 0);
		int64_t size = assay_stmt_int(st, 1);
		int64_t num = assay_stmt_int(st, 2);
		const char *path = assay_blob_path(s, sha, a);
		char hex[65];
		struct assay_error ferr;
		assay_error_clear(&ferr);
		(*checked)++;
		const char *problem = NULL;
		if (assay_sha256_file_hex(path, hex, &ferr) != 0)
			problem = assay_arena_printf(a, "blob %s (E-%lld) is missing: %s", sha, (long long)num, path);
		else if (strcmp(hex, sha) != 0)
			problem = assay_arena_printf(a, "blob %s (E-%lld) is corrupt: its content hashes to %s (%s)", sha,
			                             (long long)num, hex, path);
		(void)size;
		if (problem) {
			(*bad)++;
			desc = assay_arena_printf(a, "%s%s\n", desc, problem);
		}
	}
	assay_stmt_finalize(st);
	*bad_desc = desc;
	return rc < 0 ? rc : 0;
}
