/* yaml.c: YAML files read once, hashed and parsed with libyaml's document
 * API; located errors and unknown-key checks shared by every YAML input
 * (assay/yaml.h). */
#include "assay/yaml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay/hash.h"

static int parse(struct assay_yaml *y, const char *buf, size_t len, struct assay_error *err)
{
	assay_sha256_hex(buf, len, y->sha256);
	yaml_parser_t parser;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	int rc = 0;
	if (!yaml_parser_load(&parser, &y->doc)) {
		rc = assay_error_set(err, ASSAY_EINPUT, y->path, parser.problem_mark.line + 1,
		                     parser.problem_mark.column + 1, "invalid YAML: %s%s%s",
		                     parser.problem ? parser.problem : "syntax error",
		                     parser.context ? " " : "", parser.context ? parser.context : "");
		assay_error_hint(err, "check the indentation and quoting around this position");
	} else {
		y->loaded = 1;
	}
	yaml_parser_delete(&parser);
	return rc;
}

int assay_yaml_load_buffer(struct assay_yaml *y, const char *name, const char *buf, size_t len,
                           struct assay_error *err)
{
	memset(y, 0, sizeof *y);
	snprintf(y->path, sizeof y->path, "%s", name ? name : "");
	return parse(y, buf, len, err);
}

int assay_yaml_load(struct assay_yaml *y, const char *path, const char *what, struct assay_error *err)
{
	memset(y, 0, sizeof *y);
	snprintf(y->path, sizeof y->path, "%s", path);
	FILE *f = fopen(path, "rb");
	if (!f) {
		assay_error_set(err, ASSAY_EIO, path, 0, 0, "cannot open %s: %s", what ? what : "the file",
		                strerror(errno));
		assay_error_hint(err, "check the path");
		return err->code;
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	char chunk[8192];
	size_t n;
	while (mem && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		fwrite(chunk, 1, n, mem);
	int rerr = ferror(f);
	fclose(f);
	if (!mem || fclose(mem) != 0) {
		free(buf);
		return assay_error_set(err, ASSAY_ENOMEM, path, 0, 0, "out of memory");
	}
	if (rerr) {
		free(buf);
		return assay_error_set(err, ASSAY_EIO, path, 0, 0, "cannot read %s",
		                       what ? what : "the file");
	}
	int rc = parse(y, buf, len, err);
	free(buf);
	return rc;
}

void assay_yaml_free(struct assay_yaml *y)
{
	if (y->loaded)
		yaml_document_delete(&y->doc);
	y->loaded = 0;
}

yaml_node_t *assay_yaml_root(struct assay_yaml *y)
{
	return y->loaded ? yaml_document_get_root_node(&y->doc) : NULL;
}

yaml_node_t *assay_yaml_node(struct assay_yaml *y, int id)
{
	return y->loaded ? yaml_document_get_node(&y->doc, id) : NULL;
}

const char *assay_yaml_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

yaml_node_t *assay_yaml_get(struct assay_yaml *y, const yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = assay_yaml_scalar(assay_yaml_node(y, p->key));
		if (k && strcmp(k, key) == 0)
			return assay_yaml_node(y, p->value);
	}
	return NULL;
}

size_t assay_yaml_len(const yaml_node_t *seq)
{
	if (!seq || seq->type != YAML_SEQUENCE_NODE)
		return 0;
	return (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
}

yaml_node_t *assay_yaml_at(struct assay_yaml *y, const yaml_node_t *seq, size_t i)
{
	if (i >= assay_yaml_len(seq))
		return NULL;
	return assay_yaml_node(y, seq->data.sequence.items.start[i]);
}

int assay_yaml_error(struct assay_error *err, const struct assay_yaml *y, const yaml_node_t *n,
                     const char *fmt, ...)
{
	char msg[900];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return assay_error_set(err, ASSAY_EINPUT, y->path, n ? n->start_mark.line + 1 : 0,
	                       n ? n->start_mark.column + 1 : 0, "%s", msg);
}

int assay_yaml_check_keys(struct assay_yaml *y, const yaml_node_t *map, const char *what,
                          const char *const *allowed, size_t n, struct assay_error *err)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return assay_yaml_error(err, y, map, "expected a mapping (key: value lines) for %s", what);
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = assay_yaml_node(y, p->key);
		const char *k = assay_yaml_scalar(kn);
		if (!k)
			return assay_yaml_error(err, y, kn, "expected a plain key in %s", what);
		size_t i = 0;
		while (i < n && strcmp(allowed[i], k) != 0)
			i++;
		if (i < n)
			continue;
		const char *dym = assay_did_you_mean(k, allowed, n);
		if (dym)
			assay_yaml_error(err, y, kn, "unknown key \"%s\" in %s; did you mean \"%s\"?", k,
			                 what, dym);
		else
			assay_yaml_error(err, y, kn, "unknown key \"%s\" in %s", k, what);
		char list[480];
		size_t off = 0;
		for (size_t j = 0; j < n && off < sizeof list; j++)
			off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", j ? ", " : "",
			                        allowed[j]);
		assay_error_hint(err, "allowed keys: %s", list);
		return err->code;
	}
	return 0;
}

int assay_yaml_number(struct assay_yaml *y, const yaml_node_t *n, const char *key, double *out,
                      struct assay_error *err)
{
	const char *s = assay_yaml_scalar(n);
	char *end = NULL;
	errno = 0;
	double v = s ? strtod(s, &end) : 0;
	if (!s || end == s || *end || errno == ERANGE || v != v)
		return assay_yaml_error(err, y, n, "expected a number for \"%s\", found \"%s\"", key,
		                        s ? s : "(not a scalar)");
	*out = v;
	return 0;
}

int assay_yaml_bool(struct assay_yaml *y, const yaml_node_t *n, const char *key, int *out,
                    struct assay_error *err)
{
	const char *s = assay_yaml_scalar(n);
	if (s && (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on"))) {
		*out = 1;
		return 0;
	}
	if (s && (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off"))) {
		*out = 0;
		return 0;
	}
	return assay_yaml_error(err, y, n, "expected true or false for \"%s\", found \"%s\"", key,
	                        s ? s : "(not a scalar)");
}
