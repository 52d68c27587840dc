/* scan_dump.c: every finding of a file, one line each, for the differential
 * check bench/scan_diff.sh (record, start, end, entity, detector,
 * confidence to 17 digits, encoding, context flag, injection markers).
 * usage: scan_dump FILE [blocks|records] [GROUPS]
 *   blocks: 64 MiB blocks, as bench/scan_latency.c scans them
 *   records: NUL-separated records, each scanned alone from an exact-size copy */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "assay/scan.h"
static void dump(size_t rec, uint64_t base, const struct assay_finding *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%zu %llu %llu %s %s %.17g %u %u %s\n", rec, (unsigned long long)(base + f[i].start),
		       (unsigned long long)(base + f[i].end), f[i].entity, f[i].detector, f[i].confidence,
		       f[i].encoding, f[i].context, f[i].rules ? f[i].rules : "-");
}
int main(int argc, char **argv)
{
	struct assay_scan_opts opts = {0};
	if (argc > 3)
		opts.groups = (strstr(argv[3], "pii") ? ASSAY_SCAN_PII : 0u) |
		              (strstr(argv[3], "secrets") ? ASSAY_SCAN_SECRETS : 0u) |
		              (strstr(argv[3], "injection") ? ASSAY_SCAN_INJECTION : 0u);
	struct assay_error err;
	struct assay_scanner *s;
	if (assay_scanner_new(&s, &opts, &err)) {
		fprintf(stderr, "%s\n", err.message);
		return 3;
	}
	struct assay_scan_ctx *c;
	assay_scan_ctx_new(&c, s, &err);
	int fd = open(argv[1], O_RDONLY);
	struct stat st;
	fstat(fd, &st);
	size_t len = (size_t)st.st_size;
	const char *big = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : "";
	const struct assay_finding *f;
	size_t n;
	int records = argc > 2 && strcmp(argv[2], "records") == 0;
	if (!records) {
		size_t blk = 64u << 20;
		for (size_t off = 0; off < len; off += blk) {
			size_t l = len - off < blk ? len - off : blk;
			if (assay_scan_buffer(c, big + off, l, &f, &n, &err)) {
				fprintf(stderr, "%s\n", err.message);
				return 3;
			}
			dump(0, off, f, n);
		}
	} else {
		size_t rec = 0;
		for (size_t off = 0; off < len; rec++) {
			const char *e = memchr(big + off, 0, len - off);
			size_t l = e ? (size_t)(e - (big + off)) : len - off;
			/* copy to an exact-size heap buffer so ASan sees overreads */
			char *b = malloc(l ? l : 1);
			memcpy(b, big + off, l);
			if (assay_scan_buffer(c, b, l, &f, &n, &err)) {
				fprintf(stderr, "%s\n", err.message);
				return 3;
			}
			dump(rec, 0, f, n);
			free(b);
			off += l + 1;
		}
	}
	assay_scan_ctx_free(c);
	assay_scanner_free(s);
	return 0;
}
