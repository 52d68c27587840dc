/* profile_json_read.h: what the two halves of the profile reader share
 * (profile_json_read.c: the JSON structure; profile_json_packed.c: the
 * packed "values" strings and their lifting out of the text). Private to
 * lib/drift. */
#ifndef ASSAY_PROFILE_JSON_READ_H
#define ASSAY_PROFILE_JSON_READ_H

#include <stddef.h>
#include <stdint.h>

#include "assay/json.h"
#include "assay/profile.h"

/* A packed "values" string lifted out of the text before jansson parses
 * it (see prof_lift_packed). */
struct lifted {
	const char *p; /* "kv1:..." inside the caller's buffer */
	size_t len;
	/* decoded ahead (prof_predecode_*): the map and its counts' sum, when
	 * ready; the checks against the column (present, min, max) are left
	 * to prof_read_packed_values, which takes the map over */
	int ready;
	uint64_t sum;
	struct assay_numeric_map map;
};

struct rd {
	const char *name;
	struct assay_error *err;
	char path[160]; /* JSON path of the object being read, for messages */
	struct lifted *lifted;
	size_t nlifted;
};

#define LIFT_MARK "kv1@" /* the placeholder's prefix: never valid in a profile */

/* Set r->err for a bad value at key (appended to r->path); ASSAY_EINPUT. */
__attribute__((format(printf, 3, 4))) int prof_rd_bad(struct rd *r, const char *key, const char *fmt, ...);
/* 0 when a map's counts add up to present; else prof_rd_bad. */
int prof_rd_check_total(struct rd *r, const char *key, uint64_t sum, uint64_t present);

/* "values" given as a "kv1:" or "dk1:" string (or its lifted placeholder)
 * -> c->num. 0 or an error code in r->err. */
int prof_read_packed_values(struct rd *r, const json_t *a, struct assay_column_profile *c);

/* Packed strings lifted out of buf before jansson parses it: the text to
 * parse (buf itself when nothing was lifted; else the caller frees it),
 * or NULL when out of memory; *out (the caller frees it) holds *nout. */
char *prof_lift_packed(const char *buf, size_t len, size_t *outlen, struct lifted **out, size_t *nout);

/* Decoding the lifted strings ahead, on a second thread while the caller
 * parses the rest of the text, then on both (a 10M-row profile's 56 MB
 * are ~45 ms of base64 and ~70 of varints on one core): _start spawns
 * the thread where it pays, _finish decodes what is left and joins. A
 * string that does not decode is left to prof_read_packed_values, which
 * decodes it again to report where. prof_lifted_free frees the maps
 * not taken over, and the array. */
struct predecode;
struct predecode *prof_predecode_start(struct lifted *l, size_t n);
void prof_predecode_finish(struct predecode *pd);
void prof_lifted_free(struct lifted *l, size_t n);

#endif
