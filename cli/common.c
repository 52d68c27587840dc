/* common.c: what every command of the assay front end does the same way:
 * usage and input errors on stderr with the exit status they map to,
 * comma-separated option lists, and the report timestamp
 * (SOURCE_DATE_EPOCH pins it, so the same inputs give the same bytes). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

int cli_usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "assay %s: ", cmd);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n  hint: see `assay %s --help`\n", cmd);
	return 2;
}

int cli_number(const char *cmd, const char *opt, const char *arg, double lo, double hi, int whole,
               double *out)
{
	char *end;
	double d = strtod(arg, &end);
	if (end == arg || *end || !isfinite(d) || !(d >= lo && d <= hi) || (whole && d != floor(d))) {
		fprintf(stderr, "assay %s: %s expects %s from %.15g to %.15g, not \"%s\"\n", cmd, opt,
		        whole ? "a whole number" : "a number", lo, hi, arg);
		fprintf(stderr, "  hint: see `assay %s --help`\n", cmd);
		return 2;
	}
	*out = d;
	return 0;
}

int cli_subcommand(const char *cmd, const char *sub, const char *const *subs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(sub, subs[i]) == 0)
			return (int)i;
	const char *dym = assay_did_you_mean(sub, subs, n);
	fprintf(stderr, "assay %s: unknown subcommand \"%s\"%s%s%s\n  hint: one of", cmd, sub,
	        dym ? "; did you mean \"" : "", dym ? dym : "", dym ? "\"?" : "");
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s %s", i ? "," : "", subs[i]);
	fprintf(stderr, " (`assay %s --help`)\n", cmd);
	return -1;
}

int cli_fail(const char *cmd, const struct assay_error *err)
{
	char buf[2048];
	assay_error_format(err, buf, sizeof buf);
	fprintf(stderr, "assay %s: %s", cmd, buf);
	return assay_error_exit_code(err);
}

const char **cli_split(struct assay_arena *a, const char *s, size_t *n)
{
	size_t cap = 1;
	for (const char *q = s; *q; q++)
		cap += *q == ',';
	const char **v = assay_arena_alloc(a, cap * sizeof *v);
	*n = 0;
	if (!v)
		return NULL;
	const char *start = s;
	for (const char *q = s;; q++) {
		if (*q == ',' || *q == '\0') {
			if (q > start)
				v[(*n)++] = assay_arena_strndup(a, start, (size_t)(q - start));
			if (!*q)
				break;
			start = q + 1;
		}
	}
	return v;
}

const char *cli_timestamp(struct assay_arena *a)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t t = sde && *sde ? (time_t)strtoll(sde, NULL, 10) : time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	char buf[32];
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return assay_arena_strdup(a, buf);
}

int cli_delimiter(const char *cmd, const char **arg)
{
	const char *d = *arg;
	if (!d)
		return 0;
	if (strcmp(d, "\\t") == 0 || strcmp(d, "tab") == 0)
		d = "\t";
	if (strlen(d) != 1)
		return cli_usage_error(cmd, "--delimiter is one character (or \\t), not \"%s\"", *arg);
	*arg = d;
	return 0;
}

int cli_color_check(const char *cmd, const char *arg)
{
	if (arg && strcmp(arg, "auto") && strcmp(arg, "always") && strcmp(arg, "never"))
		return cli_usage_error(cmd, "--color is auto, always or never, not \"%s\"", arg);
	return 0;
}

int cli_color_on(const char *arg, int fd)
{
	int tty = isatty(fd);
	return arg ? strcmp(arg, "always") == 0 || (strcmp(arg, "auto") == 0 && tty) : tty;
}
