/* assay/scan.h: text scanners for personal data, secrets and
 * prompt-injection markers.
 *
 * A scanner is built once (the built-in patterns compiled into Hyperscan
 * databases, plus the user's PCRE2 rules) and is then read-only:
 * any number of threads share it, each with its own assay_scan_ctx (the
 * Hyperscan scratch space and reusable buffers). Scanning a buffer
 * allocates nothing per byte: buffers grow geometrically and are reused
 * from call to call.
 *
 * Pipeline for one buffer:
 *   1. normalise: NFKC per code point with utf8proc, case folding of
 *      non-ASCII letters, zero-width/bidi/variation-selector removal,
 *      Unicode tag characters (U+E0020-E007E) turned back into the ASCII
 *      they hide; an offset map keeps every normalised byte's origin.
 *      Pure-ASCII buffers skip this step (their normal form is themselves).
 *   2. match: Hyperscan over the normalised text (the built-in patterns
 *      split over four databases, some run only in windows around a
 *      trigger; same matches as one database, see lib/scan/scan_internal.h);
 *      case-insensitive detectors use Hyperscan's caseless flag (so
 *      case-sensitive key formats such as AKIA... keep their meaning).
 *   3. confirm: validators (Luhn + issuer prefix, IBAN mod-97 + country
 *      length, SSN ranges, IP syntax, calendar dates, JWT header, ...),
 *      whole-word context words within a window, entropy for secrets.
 *   4. decode: base64 and hex runs are decoded and scanned again (once);
 *      rot13 variants of the injection phrases are compiled in.
 *   5. injection: marker rules are scored per sentence.
 *   6. overlaps: of overlapping findings the most confident (then longest)
 *      is kept.
 * Offsets in findings always refer to the ORIGINAL bytes.
 *
 * Deliberately not here: named-entity recognition (people, places),
 * reading files (see assay/source.h), and rendering (assay_report_scan).
 */
#ifndef ASSAY_SCAN_H
#define ASSAY_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "assay/error.h"
#include "assay/source.h"

/* ---- scanner ----------------------------------------------------------- */

/* Detector groups, for assay_scan_opts.groups (0 = all). */
enum assay_scan_group {
	ASSAY_SCAN_PII = 1u << 0,
	ASSAY_SCAN_SECRETS = 1u << 1,
	ASSAY_SCAN_INJECTION = 1u << 2,
};

struct assay_scan_opts {
	unsigned groups;        /* OR of enum assay_scan_group; 0 = all */
	double min_confidence;  /* findings below are dropped; 0 = 0.5 */
	int no_decode;          /* skip the base64/hex decode-and-rescan pass */
	const char *rules_path; /* optional YAML rules file (docs/scan.md) */
	const char *cache_dir;  /* compiled databases kept here between processes; NULL:
	                           $ASSAY_CACHE_DIR, $XDG_CACHE_HOME/assay or ~/.cache/assay;
	                           "off": compile every time (lib/scan/dbcache.c) */
};

struct assay_scanner;

/* Compile the built-in database and the rules file. Errors: a rules file
 * that cannot be read or parsed, or a pattern that does not compile, with
 * the file, line and column. */
int assay_scanner_new(struct assay_scanner **out, const struct assay_scan_opts *opts,
                      struct assay_error *err);
void assay_scanner_free(struct assay_scanner *s);

/* Number of detectors (built-in + user rules), and their names/entities. */
size_t assay_scanner_ndetectors(const struct assay_scanner *s);
const char *assay_scanner_detector_name(const struct assay_scanner *s, size_t i);
const char *assay_scanner_detector_entity(const struct assay_scanner *s, size_t i);
/* The detector's group (enum assay_scan_group); 0 for a user rule or i out of range. */
unsigned assay_scanner_detector_group(const struct assay_scanner *s, size_t i);
/* Whether a built-in detector of one of `groups` (enum assay_scan_group)
 * reports this entity ("EMAIL_ADDRESS"), without building a scanner. */
int assay_scan_builtin_entity(const char *entity, unsigned groups);

/* ---- findings ---------------------------------------------------------- */

enum assay_scan_encoding { ASSAY_ENC_NONE = 0, ASSAY_ENC_BASE64, ASSAY_ENC_HEX, ASSAY_ENC_ROT13 };

struct assay_finding {
	uint64_t start, end;  /* byte range in the original input [start, end) */
	const char *entity;   /* "EMAIL_ADDRESS", "AWS_ACCESS_KEY", "PROMPT_INJECTION", ... */
	const char *detector; /* "email", "aws-access-key", user rule name, ... */
	double confidence;    /* 0..1; for PROMPT_INJECTION the sentence score */
	uint16_t encoding;    /* enum assay_scan_encoding: found inside a decoded span */
	uint16_t context;     /* a context word was found near the match */
	uint32_t detector_id; /* index for assay_scanner_detector_name() */
	const char *rules;    /* PROMPT_INJECTION: the markers that fired, ", "-joined
	                         (points into the context; valid as the findings) */
};

/* Per-thread state. */
struct assay_scan_ctx;

int assay_scan_ctx_new(struct assay_scan_ctx **out, const struct assay_scanner *s, struct assay_error *err);
void assay_scan_ctx_free(struct assay_scan_ctx *c);

/* Scan one buffer (any bytes; invalid UTF-8 is passed through byte by
 * byte). *out points to findings sorted by start, owned by the context and
 * valid until its next use. */
int assay_scan_buffer(struct assay_scan_ctx *c, const char *text, size_t len,
                      const struct assay_finding **out, size_t *n, struct assay_error *err);

/* ---- streaming --------------------------------------------------------- */

/* Called once per finding, in order of start. value/len are the original
 * bytes of the finding (valid during the call only). */
typedef int (*assay_finding_fn)(void *ud, const struct assay_finding *f, const char *value, size_t len);

struct assay_scan_stream;

/* A stream keeps the last ASSAY_SCAN_WINDOW bytes so that a finding cut
 * by a chunk boundary is found whole. A finding is reported once, when no
 * later byte can change it (its start is ASSAY_SCAN_WINDOW bytes behind
 * the end of the data), or at finish. Findings longer than the window
 * (a JWT over 2 KiB) are found only by assay_scan_buffer(). */
#define ASSAY_SCAN_WINDOW 2048

int assay_scan_stream_new(struct assay_scan_stream **out, const struct assay_scanner *s, assay_finding_fn fn,
                          void *ud, struct assay_error *err);
int assay_scan_stream_feed(struct assay_scan_stream *st, const char *chunk, size_t len,
                           struct assay_error *err);
int assay_scan_stream_finish(struct assay_scan_stream *st, struct assay_error *err);
void assay_scan_stream_free(struct assay_scan_stream *st);

/* ---- tables (assay scan --data) ---------------------------------------- */

struct assay_source;

/* Per column and entity: how many rows have at least one finding. */
struct assay_scan_colstats {
	size_t ncols, nentities;
	const char **entities; /* entity names, in detector order */
	uint64_t rows;         /* data rows */
	uint64_t *nonempty;    /* [ncols]: rows with a non-missing value */
	uint64_t *rows_with;   /* [ncols * nentities]: rows_with[c * nentities + e] */
	uint64_t *findings;    /* [nentities]: all findings */
	struct assay_source_stats source;
};

/* Scan every field of an opened source (one scan context per worker). */
int assay_scan_source(const struct assay_scanner *s, struct assay_source *src,
                      struct assay_scan_colstats **out, struct assay_error *err);
void assay_scan_colstats_free(struct assay_scan_colstats *cs);

/* ---- redaction --------------------------------------------------------- */

/* Placeholder tag of an entity: "EMAIL" for EMAIL_ADDRESS, "PHONE" for
 * PHONE_NUMBER, the entity itself for the rest. */
const char *assay_scan_tag(const char *entity);

/* Masked form for reports: "j***@e***.com", "************1111",
 * "AKIA****************". Writes at most size-1 bytes plus NUL; returns out. */
char *assay_scan_mask(const char *entity, const char *value, size_t len, char *out, size_t size);

enum assay_redact_mode { ASSAY_REDACT_PLACEHOLDER = 0, ASSAY_REDACT_HMAC };

struct assay_redactor;

/* HMAC mode needs a key of at least 16 bytes; pseudonyms are
 * <TAG_hhhhhhhhhhhh>, the first 48 bits of HMAC-SHA256(key, TAG ":" value),
 * so the same value gets the same pseudonym in every document and run. */
int assay_redactor_new(struct assay_redactor **out, enum assay_redact_mode mode, const unsigned char *key,
                       size_t keylen, struct assay_error *err);
void assay_redactor_free(struct assay_redactor *r);
/* Forget the placeholder numbering (a new document starts at <EMAIL_1>). */
void assay_redactor_reset(struct assay_redactor *r);

/* Write text with every finding replaced (findings sorted by start, not
 * overlapping, as assay_scan_buffer returns them). Placeholders are
 * consistent within a document: the same value gets the same number. */
int assay_redact_write(struct assay_redactor *r, const char *text, size_t len, const struct assay_finding *f,
                       size_t n, FILE *out, struct assay_error *err);

/* ---- validators (public so that tests and other modules reuse them) --- */

int assay_valid_luhn(const char *s, size_t len);   /* digits; separators skipped */
int assay_valid_card(const char *s, size_t len);   /* Luhn + issuer prefix + length */
int assay_valid_iban(const char *s, size_t len);   /* country length + mod-97; spaces allowed */
int assay_valid_us_ssn(const char *s, size_t len); /* AAA-GG-SSSS or 9 digits, ranges */
int assay_valid_ipv4(const char *s, size_t len);
int assay_valid_ipv6(const char *s, size_t len);
int assay_valid_email(const char *s, size_t len);
int assay_valid_phone(const char *s, size_t len); /* 7..15 digits, plausible shape */
int assay_valid_date(const char *s, size_t len);  /* a real calendar date, 1900..2100 */
int assay_valid_jwt(const char *s, size_t len);   /* base64url JSON header with "alg" */
/* Shannon entropy in bits per byte. */
double assay_entropy(const char *s, size_t len);

#endif
