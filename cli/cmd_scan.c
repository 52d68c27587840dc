/* cmd_scan.c: `assay scan`: find personal data, secrets and prompt-
 * injection markers in text files, or per column in a CSV/JSONL table;
 * or redact them. Parses options, calls lib/scan, renders with
 * assay_report_scan: every behaviour lives in the library.
 *
 * Exit status: 0 nothing counted by --fail-on; 1 findings counted by
 * --fail-on (default: any finding); 2 usage or input error; 3 internal.
 * Redaction (--redact, --pseudonymize) exits 0 when the text was written.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "assay/arena.h"
#include "assay/hash.h"
#include "assay/output.h"
#include "assay/scan.h"
#include "assay/scan_report.h"
#include "assay/source.h"
#include "assay/version.h"
#include "cli.h"

static const char USAGE[] =
    "usage: assay scan [options] [FILE...]        (no FILE or -: standard input)\n"
    "       assay scan --data TABLE.csv|.jsonl [options]\n"
    "       assay scan --redact | --pseudonymize KEYFILE [FILE] > redacted.txt\n"
    "\n"
    "Find personal data (e-mail, phone, payment card, IBAN, US SSN, IP address, URL,\n"
    "date of birth and postal code in context), secrets (AWS, GitHub, Slack, Stripe,\n"
    "OpenAI, Anthropic, Google keys, private keys, JWTs, key=value secrets) and\n"
    "prompt-injection markers (scored per sentence). Text is normalised first (NFKC,\n"
    "zero-width characters removed, base64/hex runs decoded), offsets refer to the\n"
    "original bytes, and values are masked in reports (j***@e***.com).\n"
    "Exit status: 0 no finding counted by --fail-on, 1 findings counted, 2 usage or\n"
    "input error, 3 internal error.\n"
    "\n"
    "What to look for:\n"
    "  --detectors LIST       pii, secrets, injection, comma-separated (default all)\n"
    "  --rules FILE           extra detectors from a YAML rules file (docs/scan.md)\n"
    "  --min-confidence C     drop findings below C, in (0, 1] (default 0.5)\n"
    "  --no-decode            do not decode base64/hex runs to scan inside them\n"
    "\n"
    "Input:\n"
    "  --data FILE            a table: per column, which entities and in what share of rows\n"
    "  --delimiter C          CSV field separator (default ,)\n"
    "  --threads N            --data worker threads (default: all cores)\n"
    "\n"
    "Output:\n"
    "  --format FMT           text, json, md, html, junit or sarif (default text)\n"
    "  --out FILE             write the report there atomically\n"
    "  --show-values          show matched values in clear (default masked)\n"
    "  --max-findings N       list at most N findings; the rest are counted (default 1000)\n"
    "  --fail-on WHAT         any (default), none, or entities: EMAIL_ADDRESS,AWS_ACCESS_KEY\n"
    "  --redact               write the text with findings replaced by <EMAIL_1>, <CARD_2>...\n"
    "  --pseudonymize KEYFILE like --redact with keyed HMAC-SHA256 pseudonyms <EMAIL_3fa9c2...>,\n"
    "                         the same in every file and run with the same key\n"
    "\n"
    "Examples:\n"
    "  assay scan prompts/*.txt --format sarif --out scan.sarif\n"
    "  assay scan --detectors secrets --fail-on any build.log\n"
    "  assay scan --redact < chat.txt > chat.redacted.txt\n"
    "  assay scan --data customers.csv --format json --fail-on none\n";

struct opts {
	struct cli_data d; /* --data, --delimiter, --threads */
	const char *rules, *format, *out, *fail_on, *key_file;
	unsigned groups;
	double min_conf;
	int no_decode, show_values, redact;
	size_t max_findings;
	char **files;
	int nfiles;
};

enum {
	O_DETECTORS = 256,
	O_RULES,
	O_MINCONF,
	O_NODECODE,
	O_FORMAT,
	O_OUT,
	O_SHOW,
	O_MAX,
	O_FAILON,
	O_REDACT,
	O_PSEUDO,
	O_HELP
};

static const struct option LONGOPTS[] = {
    {"detectors", 1, 0, O_DETECTORS},
    {"rules", 1, 0, O_RULES},
    {"min-confidence", 1, 0, O_MINCONF},
    {"no-decode", 0, 0, O_NODECODE},
    {"data", 1, 0, CLI_O_DATA},
    {"delimiter", 1, 0, CLI_O_DELIM},
    {"threads", 1, 0, CLI_O_THREADS},
    {"format", 1, 0, O_FORMAT},
    {"out", 1, 0, O_OUT},
    {"show-values", 0, 0, O_SHOW},
    {"max-findings", 1, 0, O_MAX},
    {"fail-on", 1, 0, O_FAILON},
    {"redact", 0, 0, O_REDACT},
    {"pseudonymize", 1, 0, O_PSEUDO},
    {"help", 0, 0, O_HELP},
    {0, 0, 0, 0},
};

static int parse_groups(const char *s, unsigned *g)
{
	*g = 0;
	char buf[128];
	snprintf(buf, sizeof buf, "%s", s);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "pii") == 0)
			*g |= ASSAY_SCAN_PII;
		else if (strcmp(t, "secrets") == 0)
			*g |= ASSAY_SCAN_SECRETS;
		else if (strcmp(t, "injection") == 0)
			*g |= ASSAY_SCAN_INJECTION;
		else
			return cli_usage_error("scan",
			                       "--detectors takes pii, secrets and injection, not \"%s\"", t);
	}
	return *g ? 0
	          : cli_usage_error("scan", "--detectors needs at least one of pii, secrets, injection%s",
	                            "");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	optind = 1;
	opterr = 0;
	o->max_findings = 1000;
	o->fail_on = "any";
	int c;
	double x;
	while ((c = getopt_long(argc, argv, "h", LONGOPTS, NULL)) != -1) {
		switch (c) {
		case O_DETECTORS:
			if (parse_groups(optarg, &o->groups))
				return 2;
			break;
		case O_RULES:
			o->rules = optarg;
			break;
		case O_MINCONF:
			if (cli_number("scan", "--min-confidence", optarg, 1e-9, 1, 0, &o->min_conf))
				return 2;
			break;
		case O_NODECODE:
			o->no_decode = 1;
			break;
		case O_FORMAT:
			if (assay_scan_format_from_name(optarg) < 0)
				return cli_usage_error(
				    "scan", "--format is text, json, md, html, junit or sarif, not \"%s\"",
				    optarg);
			o->format = optarg;
			break;
		case O_OUT:
			o->out = optarg;
			break;
		case O_SHOW:
			o->show_values = 1;
			break;
		case O_MAX:
			if (cli_number("scan", "--max-findings", optarg, 0, 1e15, 1, &x))
				return 2;
			o->max_findings = (size_t)x;
			break;
		case O_FAILON:
			o->fail_on = optarg;
			break;
		case O_REDACT:
			o->redact = 1;
			break;
		case O_PSEUDO:
			o->key_file = optarg;
			o->redact = 1;
			break;
		case 'h':
		case O_HELP:
			fputs(USAGE, stdout);
			return -1;
		default: {
			int r = cli_data_option("scan", &o->d, c, optarg);
			if (r < 0)
				return 2;
			if (r)
				break;
			return cli_usage_error("scan", "unknown or incomplete option \"%s\"",
			                       argv[optind - 1]);
		}
		}
	}
	o->files = argv + optind;
	o->nfiles = argc - optind;
	if (o->d.path && o->nfiles)
		return cli_usage_error("scan", "give either --data TABLE or text files, not both (\"%s\")",
		                       o->files[0]);
	if (o->d.path && o->redact)
		return cli_usage_error("scan", "%s",
		                       "--redact works on text files; --data summarises a table");
	if (o->redact && o->nfiles > 1)
		return cli_usage_error("scan", "%s", "--redact takes one input (a file or standard input)");
	if (o->redact && o->format)
		return cli_usage_error("scan", "%s",
		                       "--redact writes the text itself; --format is for reports");
	if (cli_delimiter("scan", &o->d.delimiter))
		return 2;
	return 0;
}

/* ---- inputs -------------------------------------------------------------- */

struct input {
	const char *path; /* "-" for stdin */
	char *data;
	size_t len;
	int mapped;
};

static int load_input(struct input *in, struct assay_error *err)
{
	if (strcmp(in->path, "-") != 0) {
		int fd = open(in->path, O_RDONLY);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) != 0) {
			if (fd >= 0)
				close(fd);
			return assay_error_set(err, ASSAY_EIO, in->path, 0, 0, "cannot open: %s",
			                       strerror(errno));
		}
		if (S_ISREG(st.st_mode)) {
			in->len = (size_t)st.st_size;
			if (in->len) {
				in->data = mmap(NULL, in->len, PROT_READ, MAP_PRIVATE, fd, 0);
				if (in->data == MAP_FAILED) {
					close(fd);
					in->data = NULL;
					return assay_error_set(err, ASSAY_EIO, in->path, 0, 0,
					                       "cannot map the file");
				}
				in->mapped = 1;
			}
			close(fd);
			return 0;
		}
		close(fd);
		return assay_error_set(err, ASSAY_EIO, in->path, 0, 0, "not a regular file");
	}
	size_t cap = 1 << 16;
	in->data = malloc(cap);
	for (;;) {
		if (!in->data)
			return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0,
			                       "out of memory reading standard input");
		size_t r = fread(in->data + in->len, 1, cap - in->len, stdin);
		in->len += r;
		if (r == 0)
			break;
		if (in->len == cap) {
			cap *= 2;
			char *d = realloc(in->data, cap);
			if (!d)
				free(in->data);
			in->data = d;
		}
	}
	return 0;
}

static void free_input(struct input *in)
{
	if (in->mapped)
		munmap(in->data, in->len);
	else
		free(in->data);
}

/* ---- report building ----------------------------------------------------- */

struct build {
	struct assay_scan_report r;
	struct assay_arena *a;
	struct assay_scan_item *items;
	size_t cap;
	struct assay_scan_count counts[64];
	const struct opts *o;
	const char **fail_entities;
	size_t nfail_entities;
	int fail_any;
};

static void count(struct build *b, const char *entity, uint64_t n)
{
	for (size_t i = 0; i < b->r.ncounts; i++)
		if (strcmp(b->counts[i].entity, entity) == 0) {
			b->counts[i].findings += n;
			return;
		}
	if (b->r.ncounts < sizeof b->counts / sizeof b->counts[0])
		b->counts[b->r.ncounts++] = (struct assay_scan_count){entity, n};
}

static int counts_for_fail(const struct build *b, const char *entity)
{
	if (b->fail_any)
		return 1;
	for (size_t i = 0; i < b->nfail_entities; i++)
		if (strcmp(b->fail_entities[i], entity) == 0)
			return 1;
	return 0;
}

static void add_findings(struct build *b, const struct input *in, const struct assay_finding *f, size_t n)
{
	uint64_t line = 1, line_start = 0, pos = 0;
	for (size_t i = 0; i < n; i++) {
		count(b, f[i].entity, 1);
		int counts = counts_for_fail(b, f[i].entity);
		b->r.failing += (uint64_t)counts;
		if (b->r.nitems >= b->o->max_findings) {
			b->r.items_dropped++;
			continue;
		}
		for (; pos < f[i].start; pos++)
			if (in->data[pos] == '\n')
				line++, line_start = pos + 1;
		if (b->r.nitems == b->cap) {
			size_t nc = b->cap ? b->cap * 2 : 64;
			struct assay_scan_item *it = assay_arena_alloc(b->a, nc * sizeof *it);
			if (b->items)
				memcpy(it, b->items, b->cap * sizeof *it);
			b->items = it;
			b->cap = nc;
		}
		char mask[256];
		const char *v = in->data + f[i].start;
		size_t vl = (size_t)(f[i].end - f[i].start);
		const char *value =
		    b->o->show_values
		        ? assay_arena_strndup(b->a, v, vl < 4096 ? vl : 4096)
		        : assay_arena_strdup(b->a, assay_scan_mask(f[i].entity, v, vl, mask, sizeof mask));
		b->items[b->r.nitems++] = (struct assay_scan_item){
		    .file = in->path,
		    .line = line,
		    .column = f[i].start - line_start + 1,
		    .start = f[i].start,
		    .end = f[i].end,
		    .entity = f[i].entity,
		    .detector = f[i].detector,
		    .confidence = f[i].confidence,
		    .value = value,
		    .encoding = f[i].encoding == ASSAY_ENC_BASE64 ? "base64"
		                : f[i].encoding == ASSAY_ENC_HEX  ? "hex"
		                                                  : NULL,
		    .rules = f[i].rules ? assay_arena_strdup(b->a, f[i].rules) : NULL,
		    .counts = counts};
	}
}

static int render(void *ctx, FILE *out, struct assay_error *err)
{
	struct build *b = ctx;
	return assay_report_scan(
	    &b->r, (enum assay_scan_format)assay_scan_format_from_name(b->o->format ? b->o->format : "text"),
	    out, err);
}

static int parse_fail_on(struct build *b, const struct assay_scanner *s)
{
	const char *f = b->o->fail_on;
	if (strcmp(f, "any") == 0) {
		b->fail_any = 1;
		return 0;
	}
	if (strcmp(f, "none") == 0)
		return 0;
	size_t nd = assay_scanner_ndetectors(s);
	const char **known = assay_arena_calloc(b->a, nd + 1, sizeof *known);
	for (size_t i = 0; i < nd; i++)
		known[i] = assay_scanner_detector_entity(s, i);
	known[nd] = "PROMPT_INJECTION";
	b->fail_entities = assay_arena_calloc(b->a, strlen(f) + 1, sizeof *b->fail_entities);
	char *copy = assay_arena_strdup(b->a, f);
	for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int ok = 0;
		for (size_t i = 0; i <= nd && !ok; i++)
			ok = strcmp(known[i], t) == 0;
		if (!ok) {
			const char *dym = assay_did_you_mean(t, known, nd + 1);
			fprintf(stderr,
			        "assay scan: --fail-on: unknown entity \"%s\"%s%s%s\n  hint: any, none, or "
			        "entity names as reported\n",
			        t, dym ? " (did you mean " : "", dym ? dym : "", dym ? "?)" : "");
			return 2;
		}
		b->fail_entities[b->nfail_entities++] = t;
	}
	return 0;
}

static int scan_texts(struct build *b, const struct assay_scanner *s, struct assay_error *err)
{
	struct assay_scan_ctx *c;
	if (assay_scan_ctx_new(&c, s, err))
		return -1;
	int n = b->o->nfiles ? b->o->nfiles : 1;
	struct assay_input_info *info = assay_arena_calloc(b->a, (size_t)n, sizeof *info);
	int rc = 0;
	for (int i = 0; i < n && !rc; i++) {
		struct input in = {.path = b->o->nfiles ? b->o->files[i] : "-"};
		if ((rc = load_input(&in, err)) != 0)
			break;
		const struct assay_finding *f;
		size_t nf;
		rc = assay_scan_buffer(c, in.data, in.len, &f, &nf, err);
		if (!rc) {
			err->file[0] = 0;
			info[i].role = "text";
			info[i].path = in.path;
			info[i].bytes = in.len;
			assay_sha256_hex(in.data, in.len, info[i].sha256);
			b->r.bytes += in.len;
			add_findings(b, &in, f, nf);
		} else if (!err->file[0]) {
			snprintf(err->file, sizeof err->file, "%s", in.path);
		}
		free_input(&in);
	}
	b->r.inputs = info;
	b->r.ninputs = (size_t)n;
	assay_scan_ctx_free(c);
	return rc;
}

static int scan_table(struct build *b, const struct assay_scanner *s, struct assay_error *err)
{
	struct cli_progress bar;
	struct assay_source_opts so;
	cli_data_source(&b->o->d, b->a, &bar, "scanning", &so);
	struct assay_source *src;
	if (assay_source_open(&src, &so, err))
		return -1;
	struct assay_scan_colstats *cs;
	int rc = assay_scan_source(s, src, &cs, err);
	cli_progress_done(&bar);
	if (!rc) {
		struct assay_input_info *info = assay_arena_calloc(b->a, 1, sizeof *info);
		info->role = "data";
		info->path = b->o->d.path;
		info->rows = cs->rows;
		info->bytes = cs->source.bytes;
		memcpy(info->sha256, cs->source.sha256_hex, sizeof info->sha256);
		b->r.inputs = info;
		b->r.ninputs = 1;
		b->r.rows = cs->rows;
		b->r.bytes = cs->source.bytes;
		struct assay_scan_column *cols = assay_arena_calloc(b->a, cs->ncols + 1, sizeof *cols);
		for (size_t c = 0; c < cs->ncols; c++) {
			cols[c].name = assay_arena_strdup(b->a, assay_source_colname(src, c));
			cols[c].rows_nonempty = cs->nonempty[c];
			struct assay_scan_column_entity *ce =
			    assay_arena_calloc(b->a, cs->nentities + 1, sizeof *ce);
			for (size_t e = 0; e < cs->nentities; e++)
				if (cs->rows_with[c * cs->nentities + e])
					ce[cols[c].nentities++] = (struct assay_scan_column_entity){
					    cs->entities[e], cs->rows_with[c * cs->nentities + e]};
			cols[c].entities = ce;
		}
		b->r.columns = cols;
		b->r.ncolumns = cs->ncols;
		for (size_t e = 0; e < cs->nentities; e++)
			if (cs->findings[e]) {
				count(b, cs->entities[e], cs->findings[e]);
				b->r.items_dropped += cs->findings[e]; /* counted, never listed */
				if (counts_for_fail(b, cs->entities[e]))
					b->r.failing += cs->findings[e];
			}
		assay_scan_colstats_free(cs);
	}
	assay_source_free(src);
	return rc;
}

static int redact(const struct opts *o, const struct assay_scanner *s)
{
	struct assay_error err;
	assay_error_clear(&err);
	unsigned char key[4096];
	size_t keylen = 0;
	if (o->key_file) {
		FILE *kf = fopen(o->key_file, "rb");
		if (!kf) {
			assay_error_set(&err, ASSAY_EIO, o->key_file, 0, 0, "cannot read the key file");
			assay_error_hint(&err, "create one with: head -c 32 /dev/urandom > %s", o->key_file);
			return cli_fail("scan", &err);
		}
		keylen = fread(key, 1, sizeof key, kf);
		fclose(kf);
		while (keylen && (key[keylen - 1] == '\n' || key[keylen - 1] == '\r'))
			keylen--;
	}
	struct assay_redactor *r;
	if (assay_redactor_new(&r, o->key_file ? ASSAY_REDACT_HMAC : ASSAY_REDACT_PLACEHOLDER, key, keylen,
	                       &err))
		return cli_fail("scan", &err);
	struct input in = {.path = o->nfiles ? o->files[0] : "-"};
	struct assay_scan_ctx *c = NULL;
	int rc = load_input(&in, &err);
	if (!rc)
		rc = assay_scan_ctx_new(&c, s, &err);
	const struct assay_finding *f;
	size_t nf;
	if (!rc)
		rc = assay_scan_buffer(c, in.data, in.len, &f, &nf, &err);
	FILE *out = stdout;
	if (!rc && o->out && !(out = fopen(o->out, "wb")))
		rc = assay_error_set(&err, ASSAY_EIO, o->out, 0, 0, "cannot write");
	if (!rc)
		rc = assay_redact_write(r, in.data, in.len, f, nf, out, &err);
	if (out && out != stdout && fclose(out) != 0 && !rc)
		rc = assay_error_set(&err, ASSAY_EIO, o->out, 0, 0, "cannot write");
	assay_scan_ctx_free(c);
	free_input(&in);
	assay_redactor_free(r);
	return rc ? cli_fail("scan", &err) : 0;
}

int cmd_scan(int argc, char **argv)
{
	struct opts o;
	memset(&o, 0, sizeof o);
	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	struct assay_error err;
	assay_error_clear(&err);
	struct assay_scan_opts so = {.groups = o.groups,
	                             .min_confidence = o.min_conf,
	                             .no_decode = o.no_decode,
	                             .rules_path = o.rules};
	struct assay_scanner *s;
	if (assay_scanner_new(&s, &so, &err))
		return cli_fail("scan", &err);
	if (o.redact) {
		rc = redact(&o, s);
		assay_scanner_free(s);
		return rc;
	}
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct build b;
	memset(&b, 0, sizeof b);
	b.a = &a;
	b.o = &o;
	if ((rc = parse_fail_on(&b, s)) != 0)
		goto out;
	b.r.schema = "assay.scan/1";
	b.r.tool_version = assay_version();
	b.r.generated_at = cli_timestamp(&a);
	b.r.mode = o.d.path ? "data" : "text";
	unsigned g = o.groups ? o.groups : ASSAY_SCAN_PII | ASSAY_SCAN_SECRETS | ASSAY_SCAN_INJECTION;
	b.r.groups = assay_arena_printf(&a, "%s%s%s", g & ASSAY_SCAN_PII ? "pii," : "",
	                                g & ASSAY_SCAN_SECRETS ? "secrets," : "",
	                                g & ASSAY_SCAN_INJECTION ? "injection," : "");
	((char *)b.r.groups)[strlen(b.r.groups) - 1] = 0;
	b.r.min_confidence = o.min_conf > 0 ? o.min_conf : 0.5;
	b.r.decode = !o.no_decode;
	b.r.show_values = o.show_values;
	b.r.rules_file = o.rules;
	if (o.rules) {
		char sha[65];
		if (assay_sha256_file_hex(o.rules, sha, &err) == 0)
			b.r.rules_sha256 = assay_arena_strdup(&a, sha);
	}
	b.r.fail_on = o.fail_on;
	if ((o.d.path ? scan_table(&b, s, &err) : scan_texts(&b, s, &err)) != 0) {
		rc = cli_fail("scan", &err);
		goto out;
	}
	b.r.items = b.items;
	b.r.counts = b.counts;
	if (o.out) {
		if (assay_write_atomic(o.out, render, &b, &err)) {
			rc = cli_fail("scan", &err);
			goto out;
		}
	} else if (render(&b, stdout, &err)) {
		rc = cli_fail("scan", &err);
		goto out;
	}
	rc = b.r.failing ? 1 : 0;
out:
	assay_arena_free(&a);
	assay_scanner_free(s);
	return rc;
}
