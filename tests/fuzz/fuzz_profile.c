/* fuzz_profile.c: libFuzzer harness for the profile reader
 * (assay_profile_read_json_buffer). The input is a would-be
 * assay.profile/1 file. Whatever it is, reading must not crash or leak;
 * when it is accepted, the profile must survive everything a consumer
 * does with it: written again and read back to the same bytes, merged
 * with itself (counts double, maps stay sorted), quantiles asked, and
 * rendered as text, Markdown and HTML. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *to_json(const struct assay_profile *p, size_t *n)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, n);
	if (!f)
		abort();
	struct assay_error err;
	if (assay_profile_write_json(p, f, &err))
		abort();
	fclose(f);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct assay_profile *p = NULL, *q = NULL;
	struct assay_error err;
	char msg[2048];
	if (assay_profile_read_json_buffer("fuzz.json", (const char *)data, size, &p, &err)) {
		assay_error_format(&err, msg, sizeof msg);
		if (p)
			abort(); /* nothing is handed out on failure */
		return 0;
	}
	size_t n1, n2;
	char *j1 = to_json(p, &n1);
	if (assay_profile_read_json_buffer("again.json", j1, n1, &q, &err))
		abort(); /* what we write, we read */
	char *j2 = to_json(q, &n2);
	if (n1 != n2 || memcmp(j1, j2, n1) != 0)
		abort(); /* and it round-trips to the same bytes */
	free(j1);
	free(j2);
	for (size_t i = 0; i < p->ncolumns; i++)
		for (int k = 0; k <= 4; k++)
			(void)assay_column_quantile(&p->columns[i], k / 4.0);
	if (assay_profile_merge(q, p, &err) == 0) {
		for (size_t i = 0; i < q->ncolumns; i++)
			if (q->columns[i].rows != 2 * p->columns[i].rows ||
			    q->columns[i].present != 2 * p->columns[i].present)
				abort();
	}
	FILE *null = fopen("/dev/null", "w");
	if (null) {
		static const char *const fmts[] = {"text", "md", "html"};
		for (int k = 0; k < 3; k++)
			(void)assay_profile_render(q, fmts[k], null, &err);
		fclose(null);
	}
	assay_profile_free(q);
	assay_profile_free(p);
	return 0;
}
