/* redact.c: replacing findings in text, and masking values for reports.
 *
 * Placeholders: <TAG_n>, numbered per tag in order of first appearance
 * and consistent within a document (the same e-mail is <EMAIL_1> every
 * time; values are compared after removing separators and ASCII case, so
 * "4111 1111 1111 1111" and "4111111111111111" are one card).
 * Pseudonyms: <TAG_h12>, the first 12 hex digits of HMAC-SHA256(key,
 * TAG ":" value) with libsodium, the same across documents and runs, so
 * joins on redacted data still work; without the key they cannot be
 * reversed or confirmed by guessing.
 *
 * The table of seen values lives in the redactor (a small open-addressing
 * hash of value digests, never the raw values).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "scan_internal.h"

struct seen {
	unsigned char digest[16]; /* BLAKE2b of TAG ":" canonical value */
	uint32_t number;
	uint32_t used;
};

struct assay_redactor {
	enum assay_redact_mode mode;
	unsigned char *key;
	size_t keylen;
	struct seen *tab;
	size_t cap, n;
	struct {
		char tag[40];
		uint32_t next;
	} counters[64];
	size_t ncounters;
};

static const struct {
	const char *entity, *tag;
} TAGS[] = {
    {"EMAIL_ADDRESS", "EMAIL"}, {"PHONE_NUMBER", "PHONE"},  {"IBAN_CODE", "IBAN"},   {"IP_ADDRESS", "IP"},
    {"DATE_OF_BIRTH", "DOB"},   {"URL_CREDENTIALS", "URL"}, {"CREDIT_CARD", "CARD"},
};

const char *assay_scan_tag(const char *entity)
{
	for (size_t i = 0; i < sizeof TAGS / sizeof TAGS[0]; i++)
		if (strcmp(TAGS[i].entity, entity) == 0)
			return TAGS[i].tag;
	return entity;
}

int assay_redactor_new(struct assay_redactor **out, enum assay_redact_mode mode, const unsigned char *key,
                       size_t keylen, struct assay_error *err)
{
	*out = NULL;
	if (sodium_init() < 0)
		return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0, "libsodium did not initialise");
	if (mode == ASSAY_REDACT_HMAC && keylen < 16)
		return assay_error_set(
		    err, ASSAY_EINPUT, NULL, 0, 0,
		    "the pseudonym key has %zu bytes; it needs at least 16 (32 random bytes are best)",
		    keylen);
	struct assay_redactor *r = calloc(1, sizeof *r);
	if (!r)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	r->mode = mode;
	if (keylen) {
		r->key = malloc(keylen);
		if (!r->key) {
			free(r);
			return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		}
		memcpy(r->key, key, keylen);
		r->keylen = keylen;
	}
	*out = r;
	return 0;
}

void assay_redactor_free(struct assay_redactor *r)
{
	if (!r)
		return;
	if (r->key)
		sodium_memzero(r->key, r->keylen);
	free(r->key);
	free(r->tab);
	free(r);
}

void assay_redactor_reset(struct assay_redactor *r)
{
	if (r->tab)
		memset(r->tab, 0, r->cap * sizeof *r->tab);
	r->n = 0;
	r->ncounters = 0;
}

/* Separators and ASCII case do not make a different value. */
static size_t canonical(const char *v, size_t len, char *out, size_t cap)
{
	size_t n = 0;
	int email = memchr(v, '@', len) != NULL;
	for (size_t i = 0; i < len && n < cap; i++) {
		char ch = v[i];
		if (!email && (ch == ' ' || ch == '-' || ch == '.' || ch == '(' || ch == ')'))
			continue;
		out[n++] = ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
	}
	return n;
}

static uint32_t *counter(struct assay_redactor *r, const char *tag)
{
	for (size_t i = 0; i < r->ncounters; i++)
		if (strcmp(r->counters[i].tag, tag) == 0)
			return &r->counters[i].next;
	if (r->ncounters == sizeof r->counters / sizeof r->counters[0])
		return &r->counters[r->ncounters - 1].next;
	snprintf(r->counters[r->ncounters].tag, sizeof r->counters[0].tag, "%s", tag);
	r->counters[r->ncounters].next = 0;
	return &r->counters[r->ncounters++].next;
}

/* The number of this value within the document (1-based). */
static int number_of(struct assay_redactor *r, const char *tag, const char *cv, size_t cl, uint32_t *num)
{
	if (r->n * 2 >= r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 64;
		struct seen *t = calloc(nc, sizeof *t);
		if (!t)
			return ASSAY_ENOMEM;
		for (size_t i = 0; i < r->cap; i++)
			if (r->tab[i].used) {
				size_t h;
				memcpy(&h, r->tab[i].digest, sizeof h);
				for (h &= nc - 1; t[h].used; h = (h + 1) & (nc - 1))
					;
				t[h] = r->tab[i];
			}
		free(r->tab);
		r->tab = t;
		r->cap = nc;
	}
	unsigned char dg[16];
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, sizeof dg);
	crypto_generichash_update(&st, (const unsigned char *)tag, strlen(tag) + 1);
	crypto_generichash_update(&st, (const unsigned char *)cv, cl);
	crypto_generichash_final(&st, dg, sizeof dg);
	size_t h;
	memcpy(&h, dg, sizeof h);
	for (h &= r->cap - 1; r->tab[h].used; h = (h + 1) & (r->cap - 1))
		if (memcmp(r->tab[h].digest, dg, sizeof dg) == 0) {
			*num = r->tab[h].number;
			return 0;
		}
	uint32_t *next = counter(r, tag);
	*num = ++*next;
	memcpy(r->tab[h].digest, dg, sizeof dg);
	r->tab[h].number = *num;
	r->tab[h].used = 1;
	r->n++;
	return 0;
}

int assay_redact_write(struct assay_redactor *r, const char *text, size_t len, const struct assay_finding *f,
                       size_t n, FILE *out, struct assay_error *err)
{
	uint64_t pos = 0;
	for (size_t i = 0; i < n; i++) {
		if (f[i].start < pos || f[i].end > len || f[i].end < f[i].start)
			continue; /* overlapping or out of range: keep the text */
		if (f[i].start > pos)
			fwrite(text + pos, 1, f[i].start - pos, out);
		const char *tag = assay_scan_tag(f[i].entity);
		char cv[512];
		size_t cl = canonical(text + f[i].start, f[i].end - f[i].start, cv, sizeof cv);
		if (strcmp(f[i].entity, "PROMPT_INJECTION") == 0) {
			fwrite(text + f[i].start, 1, f[i].end - f[i].start, out); /* flagged, not redacted */
		} else if (r->mode == ASSAY_REDACT_HMAC) {
			unsigned char mac[crypto_auth_hmacsha256_BYTES];
			crypto_auth_hmacsha256_state st;
			crypto_auth_hmacsha256_init(&st, r->key, r->keylen);
			crypto_auth_hmacsha256_update(&st, (const unsigned char *)tag, strlen(tag));
			crypto_auth_hmacsha256_update(&st, (const unsigned char *)":", 1);
			crypto_auth_hmacsha256_update(&st, (const unsigned char *)cv, cl);
			crypto_auth_hmacsha256_final(&st, mac);
			fprintf(out, "<%s_", tag);
			for (int k = 0; k < 6; k++)
				fprintf(out, "%02x", mac[k]);
			fputc('>', out);
		} else {
			uint32_t num;
			if (number_of(r, tag, cv, cl, &num))
				return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
			fprintf(out, "<%s_%u>", tag, num);
		}
		pos = f[i].end;
	}
	if (pos < len)
		fwrite(text + pos, 1, len - pos, out);
	if (ferror(out))
		return assay_error_set(err, ASSAY_EIO, NULL, 0, 0, "cannot write the redacted text");
	return 0;
}

/* ---- masking ------------------------------------------------------------ */

static void put(char *out, size_t size, size_t *o, char ch)
{
	if (*o + 1 < size)
		out[(*o)++] = ch;
}

/* "j***@e***.com": first character of the local part and of the domain,
 * the top-level domain in clear. */
static void mask_email(const char *v, size_t len, char *out, size_t size, size_t *o)
{
	const char *at = memchr(v, '@', len);
	const char *dot = NULL;
	for (const char *p = v + len; p > at; p--)
		if (p[-1] == '.') {
			dot = p - 1;
			break;
		}
	put(out, size, o, v[0]);
	for (int k = 0; k < 3; k++)
		put(out, size, o, '*');
	put(out, size, o, '@');
	if (at + 1 < v + len)
		put(out, size, o, at[1]);
	for (int k = 0; k < 3; k++)
		put(out, size, o, '*');
	for (const char *p = dot ? dot : v + len; p < v + len; p++)
		put(out, size, o, *p);
}

char *assay_scan_mask(const char *entity, const char *value, size_t len, char *out, size_t size)
{
	size_t o = 0;
	if (size == 0)
		return out;
	if (len && strcmp(entity, "EMAIL_ADDRESS") == 0 && memchr(value, '@', len)) {
		mask_email(value, len, out, size, &o);
	} else if (strcmp(entity, "PROMPT_INJECTION") == 0) {
		/* the sentence itself is not personal data: show its start */
		for (size_t i = 0; i < len && i < 60; i++)
			put(out, size, &o, (unsigned char)value[i] < 0x20 ? ' ' : value[i]);
		if (len > 60)
			for (int k = 0; k < 3; k++)
				put(out, size, &o, '.');
	} else {
		/* keep separators, the last 4 characters of long values (cards,
		 * accounts) or the first 4 of secrets (the provider prefix) */
		int secret = !(strcmp(entity, "CREDIT_CARD") == 0 || strcmp(entity, "IBAN_CODE") == 0 ||
		               strcmp(entity, "PHONE_NUMBER") == 0 || strcmp(entity, "US_SSN") == 0 ||
		               strcmp(entity, "IP_ADDRESS") == 0 || strcmp(entity, "DATE_OF_BIRTH") == 0 ||
		               strcmp(entity, "POSTAL_CODE") == 0 || strcmp(entity, "URL") == 0);
		size_t keep_tail = !secret && len >= 10 ? 4 : 0, keep_head = secret && len >= 12 ? 4 : 0;
		for (size_t i = 0; i < len && i < 120; i++) {
			char ch = value[i];
			int alnum = (ch >= '0' && ch <= '9') || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z');
			if (i < keep_head || i >= len - keep_tail || !alnum)
				put(out, size, &o,
				    (unsigned char)ch < 0x20 || (unsigned char)ch >= 0x80 ? '*' : ch);
			else
				put(out, size, &o, '*');
		}
	}
	out[o] = 0;
	return out;
}
