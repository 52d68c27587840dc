/* pack.c: loading a policy pack (assay/policy.h): where its files come from
 * (a directory, or the default pack embedded at build time), the pack hash,
 * the order the files are read in, and the issue list that lint reports.
 *
 * A pack is pack.yaml, catalogs/NAME.yaml, controls.yaml, tiering.yaml,
 * applicability.yaml and workflow.yaml, read in that order because each may
 * refer to what the earlier ones define (controls map to catalog entries,
 * applicability selects controls). The built-in catalogs are always loaded
 * first; a pack's catalog with the same id replaces the built-in one. Other
 * files in the directory are not part of the pack (README.md is fine); other
 * .yaml files at the top are reported, since a misnamed file would otherwise
 * be ignored. Parsing goes on after an error so lint can report them all;
 * assay_policy_load fails with the first.
 *
 * Pack hash: sha256 over, for each pack file in byte order of its relative
 * path, "PATH\n" + the file's hex sha256 + "\n".
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "assay/hash.h"
#include "policy_internal.h"

#define N(a)         (sizeof(a) / sizeof((a)[0]))
#define MAX_CATALOGS 32
#define MAX_FILES    64

static const char *const TOP_FILES[] = {"pack.yaml", "controls.yaml", "tiering.yaml", "applicability.yaml",
                                        "workflow.yaml"};

/* ---- issues and small readers (shared by the parsers) ---------------------- */

int pctx_issue(struct pctx *c, const struct assay_error *err)
{
	if (c->n_issues == c->cap_issues) {
		size_t cap = c->cap_issues ? 2 * c->cap_issues : 16;
		struct assay_lint_issue *v = assay_arena_alloc(c->a, cap * sizeof *v);
		if (!v)
			return ASSAY_ENOMEM;
		if (c->n_issues)
			memcpy(v, c->issues, c->n_issues * sizeof *v);
		c->issues = v;
		c->cap_issues = cap;
	}
	struct assay_lint_issue *is = &c->issues[c->n_issues++];
	is->file = assay_arena_strdup(c->a, err->file);
	is->line = (unsigned long)err->line;
	is->column = (unsigned long)err->column;
	is->message = assay_arena_strdup(c->a, err->message);
	is->hint = assay_arena_strdup(c->a, err->hint);
	return err->code ? err->code : ASSAY_EINPUT;
}

int pctx_at(struct pctx *c, struct assay_yaml *y, const yaml_node_t *n, const char *hint, const char *fmt,
            ...)
{
	struct assay_error e;
	assay_error_clear(&e);
	char msg[900];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	assay_yaml_error(&e, y, n, "%s", msg);
	if (hint && *hint)
		assay_error_hint(&e, "%s", hint);
	return pctx_issue(c, &e);
}

int pctx_keys(struct pctx *c, struct assay_yaml *y, const yaml_node_t *map, const char *what,
              const char *const *allowed, size_t n)
{
	struct assay_error e;
	assay_error_clear(&e);
	if (assay_yaml_check_keys(y, map, what, allowed, n, &e) != 0)
		return pctx_issue(c, &e);
	return 0;
}

const char *pctx_string(struct pctx *c, struct assay_yaml *y, const yaml_node_t *map, const char *key,
                        int required)
{
	yaml_node_t *v = assay_yaml_get(y, map, key);
	const char *s = assay_yaml_scalar(v);
	if (!v) {
		if (required)
			pctx_at(c, y, map, "", "missing \"%s\"", key);
		return NULL;
	}
	if (!s) {
		pctx_at(c, y, v, "", "\"%s\" takes one value (text)", key);
		return NULL;
	}
	if (required && !*s) {
		pctx_at(c, y, v, "", "\"%s\" is empty", key);
		return NULL;
	}
	return assay_arena_strdup(c->a, s);
}

const char **pctx_strings(struct pctx *c, struct assay_yaml *y, const yaml_node_t *n, const char *what,
                          size_t *count)
{
	*count = 0;
	size_t len = n && n->type == YAML_SEQUENCE_NODE ? assay_yaml_len(n) : 1;
	const char **v = assay_arena_calloc(c->a, len ? len : 1, sizeof *v);
	if (!v)
		return NULL;
	if (n && n->type == YAML_SEQUENCE_NODE) {
		for (size_t i = 0; i < len; i++) {
			yaml_node_t *it = assay_yaml_at(y, n, i);
			const char *s = assay_yaml_scalar(it);
			if (!s) {
				pctx_at(c, y, it, "", "items of \"%s\" are single values", what);
				return NULL;
			}
			v[i] = assay_arena_strdup(c->a, s);
		}
		*count = len;
		return v;
	}
	const char *s = assay_yaml_scalar(n);
	if (!s) {
		pctx_at(c, y, n, "", "\"%s\" takes a value or a list of values", what);
		return NULL;
	}
	v[0] = assay_arena_strdup(c->a, s);
	*count = 1;
	return v;
}

int pctx_int(struct pctx *c, struct assay_yaml *y, const yaml_node_t *n, const char *key, int *out)
{
	const char *s = assay_yaml_scalar(n);
	char *end = NULL;
	long v = s ? strtol(s, &end, 10) : -1;
	if (!s || end == s || *end || v < 0 || v > 100000)
		return pctx_at(c, y, n, "", "\"%s\" is a whole number of days from 0 to 100000, found \"%s\"",
		               key, s ? s : "(not a value)");
	*out = (int)v;
	return 0;
}

int pctx_tier(struct pctx *c, struct assay_yaml *y, const yaml_node_t *n, enum assay_tier *out)
{
	const char *s = assay_yaml_scalar(n);
	if (!s || assay_tier_parse(s, out) != 0) {
		static const char *const T[] = {"low", "medium", "high", "prohibited"};
		const char *dym = s ? assay_did_you_mean(s, T, 4) : NULL;
		return pctx_at(c, y, n, "tiers: low, medium, high, prohibited", "\"%s\" is not a tier%s%s%s",
		               s ? s : "(not a value)", dym ? "; did you mean \"" : "", dym ? dym : "",
		               dym ? "\"?" : "");
	}
	return 0;
}

int pctx_maps(struct pctx *c, struct assay_yaml *y, const yaml_node_t *n,
              const struct assay_catalog_ref **out, size_t *count)
{
	*out = NULL;
	*count = 0;
	if (!n)
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return pctx_at(c, y, n, "e.g. maps_to: {iso-42001: [A.6.2.4]}",
		               "maps_to is a mapping of catalog id to "
		               "entry ids");
	size_t total = 0;
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++)
		total += assay_yaml_len(assay_yaml_node(y, pr->value)) + 1;
	struct assay_catalog_ref *refs = assay_arena_calloc(c->a, total ? total : 1, sizeof *refs);
	if (!refs)
		return ASSAY_ENOMEM;
	int rc = 0;
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *kn = assay_yaml_node(y, pr->key);
		const char *cat = assay_yaml_scalar(kn);
		const struct assay_catalog *cg = cat ? assay_catalog_find(c->p, cat) : NULL;
		if (!cg) {
			const char *ids[32];
			size_t ni = 0;
			for (size_t i = 0; i < c->p->n_catalogs && ni < N(ids); i++)
				ids[ni++] = c->p->catalogs[i].id;
			const char *dym = cat ? assay_did_you_mean(cat, ids, ni) : NULL;
			rc = pctx_at(c, y, kn, "assay policy catalogs lists them",
			             "unknown catalog \"%s\"%s%s%s", cat ? cat : "",
			             dym ? "; did you mean \"" : "", dym ? dym : "", dym ? "\"?" : "");
			continue;
		}
		size_t ne = 0;
		yaml_node_t *vn = assay_yaml_node(y, pr->value);
		const char **ids = pctx_strings(c, y, vn, cat, &ne);
		if (!ids) {
			rc = ASSAY_EINPUT;
			continue;
		}
		for (size_t i = 0; i < ne; i++) {
			if (!assay_catalog_entry_find(cg, ids[i])) {
				rc = pctx_at(c, y,
				             vn->type == YAML_SEQUENCE_NODE ? assay_yaml_at(y, vn, i) : vn,
				             "assay policy catalog NAME lists its entries",
				             "\"%s\" is not an entry of catalog %s", ids[i], cat);
				continue;
			}
			refs[*count].catalog = cg->id;
			refs[*count].entry = assay_catalog_entry_find(cg, ids[i])->id;
			(*count)++;
		}
	}
	*out = refs;
	return rc;
}

/* ---- the files of a pack ------------------------------------------------------- */

struct file_set {
	struct assay_pack_file *files;
	size_t n;
};

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct assay_pack_file *)a)->path, ((const struct assay_pack_file *)b)->path);
}

static int read_file(struct assay_arena *a, const char *path, struct assay_pack_file *f,
                     struct assay_error *err)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return assay_error_set(err, ASSAY_EIO, path, 0, 0, "cannot open the policy file: %s",
		                       strerror(errno));
	fseek(fp, 0, SEEK_END);
	long len = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	unsigned char *buf = len >= 0 ? assay_arena_alloc(a, (size_t)len + 1) : NULL;
	if (!buf || fread(buf, 1, (size_t)len, fp) != (size_t)len) {
		fclose(fp);
		return assay_error_set(err, ASSAY_EIO, path, 0, 0, "cannot read the policy file");
	}
	fclose(fp);
	buf[len] = 0;
	f->data = buf;
	f->len = (size_t)len;
	return 0;
}

/* The pack files under dir (relative paths), sorted; issues for stray .yaml files. */
static int list_dir(struct pctx *c, const char *dir, struct file_set *fs, struct assay_error *err)
{
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		assay_error_set(err, ASSAY_EIO, dir, 0, 0, "the policy pack is not a directory");
		assay_error_hint(err,
		                 "a pack is a directory with pack.yaml, tiering.yaml, applicability.yaml, "
		                 "controls.yaml and workflow.yaml (docs/policy.md)");
		return err->code;
	}
	size_t cap = MAX_FILES;
	fs->files = assay_arena_calloc(c->a, cap, sizeof *fs->files);
	fs->n = 0;
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d));) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 5, ".yaml") != 0)
			continue;
		size_t k = 0;
		while (k < N(TOP_FILES) && strcmp(TOP_FILES[k], e->d_name))
			k++;
		if (k == N(TOP_FILES)) {
			struct assay_error ie;
			assay_error_set(&ie, ASSAY_EINPUT, assay_arena_printf(c->a, "%s/%s", dir, e->d_name),
			                0, 0, "\"%s\" is not a policy pack file", e->d_name);
			const char *dym = assay_did_you_mean(e->d_name, TOP_FILES, N(TOP_FILES));
			assay_error_hint(
			    &ie,
			    "%s%s%spack files: pack.yaml, tiering.yaml, applicability.yaml, controls.yaml, "
			    "workflow.yaml, catalogs/NAME.yaml",
			    dym ? "did you mean " : "", dym ? dym : "", dym ? "? " : "");
			pctx_issue(c, &ie);
			continue;
		}
		if (fs->n < cap)
			fs->files[fs->n++].path = assay_arena_strdup(c->a, e->d_name);
	}
	if (d)
		closedir(d);
	char *cdir = assay_arena_printf(c->a, "%s/catalogs", dir);
	d = opendir(cdir);
	for (struct dirent *e; d && (e = readdir(d));) {
		size_t l = strlen(e->d_name);
		if (l >= 5 && strcmp(e->d_name + l - 5, ".yaml") == 0 && fs->n < cap)
			fs->files[fs->n++].path = assay_arena_printf(c->a, "catalogs/%s", e->d_name);
	}
	if (d)
		closedir(d);
	if (fs->n == cap)
		return assay_error_set(err, ASSAY_EINPUT, dir, 0, 0, "a pack has at most %d files",
		                       MAX_FILES);
	qsort(fs->files, fs->n, sizeof *fs->files, by_path);
	for (size_t i = 0; i < fs->n; i++)
		if (read_file(c->a, assay_arena_printf(c->a, "%s/%s", dir, fs->files[i].path), &fs->files[i],
		              err))
			return err->code;
	return 0;
}

static const char *pack_hash(struct assay_arena *a, const struct file_set *fs)
{
	size_t cap = 1;
	for (size_t i = 0; i < fs->n; i++)
		cap += strlen(fs->files[i].path) + 66;
	char *text = assay_arena_alloc(a, cap);
	size_t off = 0;
	for (size_t i = 0; i < fs->n; i++) {
		char h[65];
		assay_sha256_hex(fs->files[i].data, fs->files[i].len, h);
		off += (size_t)snprintf(text + off, cap - off, "%s\n%s\n", fs->files[i].path, h);
	}
	char *out = assay_arena_alloc(a, 65);
	assay_sha256_hex(text, off, out);
	return out;
}

static const struct assay_pack_file *find_file(const struct file_set *fs, const char *path)
{
	for (size_t i = 0; i < fs->n; i++)
		if (strcmp(fs->files[i].path, path) == 0)
			return &fs->files[i];
	return NULL;
}

typedef int (*parse_fn)(struct pctx *c, struct assay_yaml *y);

/* Parse one file with fn; a missing required file is an issue. */
static void parse_one(struct pctx *c, const struct file_set *fs, const char *prefix, const char *path,
                      parse_fn fn)
{
	const struct assay_pack_file *f = find_file(fs, path);
	char name[600];
	snprintf(name, sizeof name, "%s/%s", prefix, path);
	if (!f) {
		struct assay_error e;
		assay_error_set(&e, ASSAY_EINPUT, name, 0, 0, "the pack has no %s", path);
		assay_error_hint(
		    &e, "copy it from the default pack (assay policy show --files) or see docs/policy.md");
		pctx_issue(c, &e);
		return;
	}
	struct assay_yaml y;
	struct assay_error e;
	assay_error_clear(&e);
	if (assay_yaml_load_buffer(&y, name, (const char *)f->data, f->len, &e) != 0) {
		pctx_issue(c, &e);
	} else if (!assay_yaml_root(&y)) {
		pctx_at(c, &y, NULL, "", "%s is empty", path);
	} else {
		fn(c, &y);
	}
	assay_yaml_free(&y);
}

static int add_catalogs(struct pctx *c, const struct file_set *fs, const char *prefix,
                        struct assay_error *err)
{
	for (size_t i = 0; i < fs->n; i++) {
		if (strncmp(fs->files[i].path, "catalogs/", 9) != 0)
			continue;
		char name[600];
		snprintf(name, sizeof name, "%s/%s", prefix, fs->files[i].path);
		struct assay_yaml y;
		struct assay_error e;
		assay_error_clear(&e);
		if (assay_yaml_load_buffer(&y, name, (const char *)fs->files[i].data, fs->files[i].len, &e) !=
		    0) {
			pctx_issue(c, &e);
			assay_yaml_free(&y);
			continue;
		}
		struct assay_catalog cat;
		memset(&cat, 0, sizeof cat);
		if (pack_parse_catalog(c, &y, &cat) == 0) {
			size_t k = 0;
			while (k < c->p->n_catalogs && strcmp(c->p->catalogs[k].id, cat.id))
				k++;
			if (k == c->p->n_catalogs && k == MAX_CATALOGS) {
				pctx_at(c, &y, assay_yaml_root(&y), "", "more than %d catalogs",
				        MAX_CATALOGS);
				assay_yaml_free(&y);
				continue;
			}
			if (k == c->p->n_catalogs)
				c->p->n_catalogs++;
			c->p->catalogs[k] = cat;
		}
		assay_yaml_free(&y);
	}
	return 0;
}

static int parse_pack_yaml(struct pctx *c, struct assay_yaml *y)
{
	static const char *const KEYS[] = {"format", "name", "version", "description"};
	yaml_node_t *root = assay_yaml_root(y);
	if (pctx_keys(c, y, root, "pack.yaml", KEYS, N(KEYS)))
		return ASSAY_EINPUT;
	const char *fmt = pctx_string(c, y, root, "format", 1);
	if (fmt && strcmp(fmt, "1") != 0)
		pctx_at(c, y, assay_yaml_get(y, root, "format"), "this assay reads format 1",
		        "unsupported pack format \"%s\"", fmt);
	c->p->name = pctx_string(c, y, root, "name", 1);
	c->p->version = pctx_string(c, y, root, "version", 1);
	c->p->description = pctx_string(c, y, root, "description", 0);
	return 0;
}

/* Load everything into c->p; issues collected in c. */
static int load(struct pctx *c, const char *dir, struct assay_error *err)
{
	struct assay_policy *p = assay_arena_calloc(c->a, 1, sizeof *p);
	if (!p)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	c->p = p;
	p->catalogs = assay_arena_calloc(c->a, MAX_CATALOGS, sizeof *p->catalogs);
	struct file_set builtin = {(struct assay_pack_file *)assay_policy_default_files,
	                           assay_policy_default_nfiles};
	struct file_set pack = builtin;
	if (dir && list_dir(c, dir, &pack, err) != 0)
		return err->code;
	const char *prefix = dir ? dir : "built-in:policies/default";
	p->source = dir ? assay_arena_strdup(c->a, dir) : "built-in";
	p->sha256 = pack_hash(c->a, &pack);
	/* built-in catalogs first, then the pack's own replace or extend them */
	add_catalogs(c, &builtin, "built-in:policies/default", err);
	if (dir)
		add_catalogs(c, &pack, prefix, err);
	parse_one(c, &pack, prefix, "pack.yaml", parse_pack_yaml);
	parse_one(c, &pack, prefix, "controls.yaml", pack_parse_controls);
	c->in_tiering = 1;
	parse_one(c, &pack, prefix, "tiering.yaml", pack_parse_tiering);
	c->in_tiering = 0;
	parse_one(c, &pack, prefix, "applicability.yaml", pack_parse_applicability);
	parse_one(c, &pack, prefix, "workflow.yaml", pack_parse_workflow);
	return 0;
}

int assay_policy_load(struct assay_policy **out, const char *dir, struct assay_arena *a,
                      struct assay_error *err)
{
	*out = NULL;
	struct pctx c;
	memset(&c, 0, sizeof c);
	c.a = a;
	assay_error_clear(err);
	if (load(&c, dir, err) != 0)
		return err->code;
	if (c.n_issues) {
		const struct assay_lint_issue *is = &c.issues[0];
		assay_error_set(err, ASSAY_EINPUT, is->file, is->line, is->column, "%s", is->message);
		if (c.n_issues > 1)
			assay_error_hint(err, "%s%s(%zu problems in all: assay policy lint %s lists them)",
			                 is->hint, is->hint[0] ? "; " : "", c.n_issues, dir ? dir : "");
		else if (is->hint[0])
			assay_error_hint(err, "%s", is->hint);
		return err->code;
	}
	*out = c.p;
	return 0;
}

int assay_policy_lint(const char *dir, struct assay_lint_report *out, struct assay_arena *a,
                      struct assay_error *err)
{
	memset(out, 0, sizeof *out);
	struct pctx c;
	memset(&c, 0, sizeof c);
	c.a = a;
	assay_error_clear(err);
	if (load(&c, dir, err) != 0)
		return err->code;
	out->issues = c.issues;
	out->n_issues = c.n_issues;
	size_t nfiles = 0;
	if (dir) {
		struct file_set fs;
		struct pctx tmp;
		memset(&tmp, 0, sizeof tmp);
		tmp.a = a;
		if (list_dir(&tmp, dir, &fs, err) == 0)
			nfiles = fs.n;
	} else {
		nfiles = assay_policy_default_nfiles;
	}
	out->n_files = nfiles;
	return 0;
}

const char *assay_policy_name(const struct assay_policy *p)
{
	return p->name;
}
const char *assay_policy_version(const struct assay_policy *p)
{
	return p->version;
}
const char *assay_policy_description(const struct assay_policy *p)
{
	return p->description ? p->description : "";
}
const char *assay_policy_sha256(const struct assay_policy *p)
{
	return p->sha256;
}
const char *assay_policy_source(const struct assay_policy *p)
{
	return p->source;
}
