/* jsonl.c: JSON Lines (https://jsonlines.org): one JSON object per line.
 *
 * Columns are the keys of the first object, in the order written. A later
 * object may leave a key out (the field is missing: NA) but a key the
 * first object does not have is an error. Values become field text:
 *   string       its UTF-8 text (unescaped by jansson when it has escapes)
 *   number       the literal as written ("0.1" stays "0.1", "1e3" stays)
 *   true/false   "true" / "false"
 *   null         missing (NA)
 *   array/object an error: only flat records are tabular
 * Empty (or all-whitespace) lines are skipped. A line end is LF or CRLF.
 *
 * Each line is validated and decoded by jansson (json_loadb); the byte
 * spans of the top-level members are then found by a small walker over the
 * already-valid text, which is what keeps number literals and lets
 * strings without escapes be passed without copying.
 *
 * Does not: accept concatenated or pretty-printed JSON, nested values,
 * or top-level values other than objects.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t skip_ws(const char *s, size_t i, size_t n)
{
	while (i < n && is_ws(s[i]))
		i++;
	return i;
}

/* s[i] == '"': offset just past the closing quote. The text is valid JSON. */
static size_t skip_string(const char *s, size_t i, size_t n, int *escaped)
{
	*escaped = 0;
	for (i++; i < n; i++) {
		if (s[i] == '\\') {
			*escaped = 1;
			i++;
		} else if (s[i] == '"') {
			return i + 1;
		}
	}
	return n;
}

/* One top-level member of a valid JSON object. */
struct member {
	size_t key, key_len; /* raw, without quotes */
	int key_escaped;
	size_t val, val_len; /* raw; strings with quotes */
	int val_escaped;
};

/* Next member at s[*i] ('{' or ',' already consumed); 0 when done. */
static int next_member(const char *s, size_t n, size_t *i, struct member *m)
{
	size_t p = skip_ws(s, *i, n);
	if (p >= n || s[p] != '"')
		return 0;
	size_t e = skip_string(s, p, n, &m->key_escaped);
	m->key = p + 1;
	m->key_len = e - p - 2;
	p = skip_ws(s, e, n);
	p = skip_ws(s, p + 1, n); /* the ':' */
	m->val = p;
	m->val_escaped = 0;
	if (p < n && s[p] == '"') {
		e = skip_string(s, p, n, &m->val_escaped);
	} else if (p < n && (s[p] == '[' || s[p] == '{')) {
		e = p + 1; /* an error for the caller; not skipped */
	} else {
		e = p;
		while (e < n && s[e] != ',' && s[e] != '}' && !is_ws(s[e]))
			e++;
	}
	m->val_len = e - p;
	p = skip_ws(s, e, n);
	if (p < n && s[p] == ',')
		p++;
	*i = p;
	return 1;
}

/* The decoded key of m, in a malloc'ed string. */
static char *member_key(const char *s, const struct member *m)
{
	if (!m->key_escaped)
		return strndup(s + m->key, m->key_len);
	json_t *k = json_loadb(s + m->key - 1, m->key_len + 2, JSON_DECODE_ANY, NULL);
	char *out = k && json_is_string(k) ? strndup(json_string_value(k), json_string_length(k)) : NULL;
	json_decref(k);
	return out;
}

static int blank_line(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_ws(s[i]))
			return 0;
	return 1;
}

/* Parse one line into a JSON object; located errors (line given). */
static json_t *load_line(const char *s, size_t n, uint64_t line, struct assay_error *err)
{
	json_error_t je;
	/* INT_AS_REAL: integers too big for json_int_t are still valid JSON
	 * (the field text is the literal, not jansson's value). */
	json_t *root = json_loadb(s, n, JSON_DECODE_INT_AS_REAL, &je);
	if (!root) {
		assay_error_set(err, ASSAY_EINPUT, NULL, line, je.column > 0 ? (uint64_t)je.column : 1,
		                "invalid JSON: %s", je.text);
		assay_error_hint(err, "each line must hold one complete JSON object");
		return NULL;
	}
	if (!json_is_object(root)) {
		int array = json_is_array(root);
		json_decref(root);
		assay_error_set(err, ASSAY_EINPUT, NULL, line, 1, "expected a JSON object, found %s",
		                array ? "an array" : "a scalar value");
		return NULL;
	}
	return root;
}

static long find_column(const struct assay_source *src, const char *key, size_t len, size_t hint)
{
	if (hint < src->ncols && src->name_len[hint] == len && memcmp(src->names[hint], key, len) == 0)
		return (long)hint;
	for (size_t i = 0; i < src->ncols; i++)
		if (src->name_len[i] == len && memcmp(src->names[i], key, len) == 0)
			return (long)i;
	return -1;
}

static int unexpected_key(struct assay_io_worker *w, const char *key, uint64_t line, uint64_t col)
{
	const struct assay_source *src = w->src;
	char list[400];
	size_t used = 0;
	list[0] = '\0';
	for (size_t i = 0; i < src->ncols && used < 300; i++)
		used +=
		    (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", src->names[i]);
	if (used >= 300)
		snprintf(list + 300, sizeof list - 300, "...");
	assay_error_set(&w->err, ASSAY_EINPUT, NULL, line, col,
	                "unexpected key \"%s\"; the first object defines the columns: %s", key, list);
	assay_error_hint(&w->err, "give every key in the first object (null where there is no value)");
	return ASSAY_EINPUT;
}

static int one_line(struct assay_io_worker *w, const char *s, size_t n, uint64_t line)
{
	const struct assay_source *src = w->src;
	if (blank_line(s, n))
		return 0;
	size_t bad = assay_io_utf8_check(s, n);
	if (bad != n)
		return assay_io_utf8_error(w, s, bad, line, 1);
	json_t *root = load_line(s, n, line, &w->err);
	if (!root)
		return ASSAY_EINPUT;
	for (size_t i = 0; i < src->ncols; i++) {
		w->fields[i].p = ""; /* missing: NA */
		w->fields[i].len = 0;
		w->fields[i].column = 1;
	}
	int rc = 0;
	size_t i = skip_ws(s, 0, n) + 1, k = 0;
	struct member m;
	for (; !rc && next_member(s, n, &i, &m); k++) {
		/* keys without escapes are compared in place (no allocation) */
		char *key = m.key_escaped ? member_key(s, &m) : NULL;
		if (m.key_escaped && !key) {
			rc = assay_error_set(&w->err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
			break;
		}
		const char *kp = key ? key : s + m.key;
		size_t klen = key ? strlen(key) : m.key_len;
		long c = find_column(src, kp, klen, k);
		if (c < 0) {
			char *name = key ? key : strndup(kp, klen);
			rc = name ? unexpected_key(w, name, line, m.key)
			          : assay_error_set(&w->err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
			free(name);
			break;
		}
		struct assay_field *f = &w->fields[c];
		f->column = (uint32_t)(m.val + 1);
		char v = s[m.val];
		if (v == '"' && !m.val_escaped) {
			f->p = s + m.val + 1;
			f->len = (uint32_t)(m.val_len - 2);
		} else if (v == '"') {
			json_t *js = json_object_getn(root, kp, klen);
			f->p = json_string_value(js);
			f->len = (uint32_t)json_string_length(js);
		} else if (v == '[' || v == '{') {
			rc = assay_error_set(
			    &w->err, ASSAY_EINPUT, NULL, line, m.val + 1,
			    "the value of \"%.*s\" is %s: only strings, numbers, booleans and null "
			    "can be columns",
			    (int)klen, kp, v == '[' ? "an array" : "an object");
			assay_error_hint(&w->err, "flatten nested values into their own keys");
		} else if (v == 'n') {
			f->p = "";
			f->len = 0;
		} else {
			f->p = s + m.val;
			f->len = (uint32_t)m.val_len;
		}
		free(key);
	}
	if (!rc)
		rc = assay_io_row_done(w, line, src->ncols, 0);
	json_decref(root);
	return rc;
}

int assay_io_jsonl_tokenize(struct assay_io_worker *w, char *buf, size_t len, int final, size_t *consumed)
{
	size_t pos = 0;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		if (!nl && !final)
			break;
		size_t e = nl ? (size_t)(nl - buf) : len;
		int rc = one_line(w, buf + pos, e - pos, w->line);
		if (rc)
			return rc;
		if (nl)
			w->line++;
		pos = nl ? e + 1 : len;
	}
	*consumed = pos;
	return 0;
}

int assay_io_jsonl_header(struct assay_source *src, char *buf, size_t len, int eof, size_t *header_bytes,
                          int *need_more, struct assay_error *err)
{
	*need_more = 0;
	*header_bytes = 0;
	size_t pos = 0;
	uint64_t line = 1;
	for (;;) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		if (!nl && !eof) {
			*need_more = 1;
			return 0;
		}
		size_t e = nl ? (size_t)(nl - buf) : len;
		if (!blank_line(buf + pos, e - pos))
			break;
		if (!nl)
			return assay_error_set(err, ASSAY_EINPUT, src->path, 0, 0,
			                       "is empty: expected one JSON object per line");
		pos = e + 1;
		line++;
	}
	const char *nl = memchr(buf + pos, '\n', len - pos);
	size_t n = (nl ? (size_t)(nl - buf) : len) - pos;
	const char *s = buf + pos;
	struct assay_io_worker w = {.src = src};
	size_t bad = assay_io_utf8_check(s, n);
	json_t *root = NULL;
	if (bad != n)
		assay_io_utf8_error(&w, s, bad, line, 1);
	else
		root = load_line(s, n, line, &w.err);
	if (!root) {
		*err = w.err;
		snprintf(err->file, sizeof err->file, "%s", src->path);
		return err->code;
	}
	size_t cap = json_object_size(root), i = skip_ws(s, 0, n) + 1;
	src->names = calloc(cap ? cap : 1, sizeof *src->names);
	src->name_len = calloc(cap ? cap : 1, sizeof *src->name_len);
	struct member m;
	int rc = 0;
	while (!rc && src->names && src->name_len && src->ncols < cap && next_member(s, n, &i, &m)) {
		if (s[m.val] == '[' || s[m.val] == '{') {
			json_decref(root);
			assay_error_set(
			    err, ASSAY_EINPUT, src->path, line, m.val + 1,
			    "the value of key %.*s is %s: only strings, numbers, booleans and null can "
			    "be columns",
			    (int)m.key_len + 2, s + m.key - 1, s[m.val] == '[' ? "an array" : "an object");
			assay_error_hint(err, "flatten nested values into their own keys");
			return ASSAY_EINPUT;
		}
		char *key = member_key(s, &m);
		if (!key) {
			rc = ASSAY_ENOMEM;
			break;
		}
		if (find_column(src, key, strlen(key), src->ncols) >= 0) {
			free(key); /* a repeated key: the first one names the column */
			continue;
		}
		src->name_len[src->ncols] = strlen(key);
		src->names[src->ncols++] = key;
	}
	json_decref(root);
	if (!src->names || !src->name_len || rc)
		return assay_error_set(err, ASSAY_ENOMEM, src->path, 0, 0, "out of memory");
	if (src->ncols == 0)
		return assay_error_set(err, ASSAY_EINPUT, src->path, line, 1,
		                       "the first object has no keys: it defines the columns");
	return 0;
}
