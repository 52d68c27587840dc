/* fuzz_profile_csv.c: libFuzzer harness for building a profile from CSV
 * (assay_profile_build: the loader's mapped and read passes, the
 * decimal-key parse, the exact maps and their packed form, moments,
 * top-k, the sketches past the cap) and writing it (assay.profile/1).
 * The input is a CSV file behind one option byte. Whatever it is, the
 * build must not crash or leak, and:
 * - built by four workers on 16-byte to 2 KiB chunks, it is the profile
 *   one worker builds, to the byte, whether every column stayed exact (a
 *   cap above the rows) or some passed a cap of 3 (their sketches are
 *   built from the rows in file order whatever the split: profile_build.c,
 *   sketch_in_order);
 * - an error is the same error, at the same line and column;
 * - what is written is read back and written again to the same bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "assay/profile.h"
#include "assay/source.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct outcome {
	int rc;
	uint64_t line, column;
	char message[1024];
	char *json;
	size_t len;
};

static struct outcome build(const struct assay_source_opts *so, const struct assay_profile_opts *po)
{
	struct outcome out = {0};
	struct assay_source *src = NULL;
	struct assay_profile *p = NULL;
	struct assay_error err;
	out.rc = assay_source_open(&src, so, &err);
	if (out.rc == 0)
		out.rc = assay_profile_build(src, po, &p, &err);
	assay_source_free(src);
	if (out.rc) {
		char msg[2048];
		assay_error_format(&err, msg, sizeof msg);
		out.line = err.line;
		out.column = err.column;
		snprintf(out.message, sizeof out.message, "%s", err.message);
		if (p)
			abort(); /* nothing is handed out on failure */
		return out;
	}
	FILE *f = open_memstream(&out.json, &out.len);
	if (!f || assay_profile_write_json(p, f, &err))
		abort();
	fclose(f);
	struct assay_profile *q = NULL;
	if (assay_profile_read_json_buffer("again.json", out.json, out.len, &q, &err))
		abort(); /* what we write, we read */
	char *again = NULL;
	size_t n = 0;
	f = open_memstream(&again, &n);
	if (!f || assay_profile_write_json(q, f, &err))
		abort();
	fclose(f);
	if (n != out.len || memcmp(again, out.json, n) != 0)
		abort(); /* and it round-trips to the same bytes */
	free(again);
	assay_profile_free(q);
	assay_profile_free(p);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t o = data[0];
	char path[64];
	int fd = fuzz_file(data, size, "fuzz.csv", path);
	if (fd < 0)
		return 0;
	/* a cap above any row count here: every column exact (bit 0 clear),
	 * or a cap of 3 (bit 0 set): sketches */
	struct assay_profile_opts po = {.cap = o & 1 ? 3 : 1 << 20, .packed = (o >> 1) & 1};
	struct assay_source_opts one = {.path = path, .threads = 1};
	struct assay_source_opts four = {.path = path,
	                                 .threads = 4,
	                                 .min_split_bytes = 1,
	                                 .block_bytes = (size_t)16 << ((o >> 2) & 7),
	                                 .no_map = (o >> 5) & 1};
	struct outcome a = build(&one, &po), b = build(&four, &po);
	if (a.rc != b.rc || a.line != b.line || a.column != b.column || strcmp(a.message, b.message) != 0)
		abort(); /* the parallel build disagrees with the sequential one */
	if (a.rc == 0 && (a.len != b.len || memcmp(a.json, b.json, a.len) != 0))
		abort(); /* profiles do not depend on how the rows were split */
	free(a.json);
	free(b.json);
	close(fd);
	return 0;
}
