/* scan_latency.c: throughput of assay_scan_buffer over a file (one core,
 * all built-in detectors unless GROUPS names some: "pii,secrets") and the
 * latency of scanning one chat message (median and p99 of repeated
 * scans). Built by bench/bench_scan.sh against the release library; not
 * part of the test suite. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "assay/scan.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: scan_latency CORPUS MESSAGE [GROUPS]\n");
		return 2;
	}
	struct assay_scan_opts opts = {0};
	if (argc == 4)
		opts.groups = (strstr(argv[3], "pii") ? ASSAY_SCAN_PII : 0u) |
		              (strstr(argv[3], "secrets") ? ASSAY_SCAN_SECRETS : 0u) |
		              (strstr(argv[3], "injection") ? ASSAY_SCAN_INJECTION : 0u);
	struct assay_error err;
	struct assay_scanner *s;
	double t0 = now();
	if (assay_scanner_new(&s, &opts, &err)) {
		fprintf(stderr, "%s\n", err.message);
		return 3;
	}
	double tc = now() - t0;
	struct assay_scan_ctx *c;
	assay_scan_ctx_new(&c, s, &err);
	int fd = open(argv[1], O_RDONLY);
	struct stat st;
	fstat(fd, &st);
	const char *big = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	const struct assay_finding *f;
	size_t n;
	/* 64 MiB blocks, as a streaming caller would hand them over */
	double best = 1e9;
	size_t nf = 0;
	for (int rep = 0; rep < 3; rep++) {
		t0 = now();
		nf = 0;
		for (size_t off = 0; off < (size_t)st.st_size; off += 64u << 20) {
			size_t len =
			    (size_t)st.st_size - off < (64u << 20) ? (size_t)st.st_size - off : 64u << 20;
			assay_scan_buffer(c, big + off, len, &f, &n, &err);
			nf += n;
		}
		double t = now() - t0;
		best = t < best ? t : best;
	}
	printf("compile_ms %.1f\nbytes %lld\nseconds %.3f\nGBps %.3f\nfindings %zu\n", tc * 1e3,
	       (long long)st.st_size, best, (double)st.st_size / best / 1e9, nf);
	FILE *m = fopen(argv[2], "rb");
	char msg[8192];
	size_t ml = fread(msg, 1, sizeof msg, m);
	fclose(m);
	enum { N = 20000 };
	static double lat[N];
	for (int i = 0; i < 1000; i++)
		assay_scan_buffer(c, msg, ml, &f, &n, &err);
	for (int i = 0; i < N; i++) {
		t0 = now();
		assay_scan_buffer(c, msg, ml, &f, &n, &err);
		lat[i] = now() - t0;
	}
	qsort(lat, N, sizeof lat[0], cmp);
	printf("message_bytes %zu\nmessage_findings %zu\nlatency_p50_us %.2f\nlatency_p99_us %.2f\n", ml, n,
	       lat[N / 2] * 1e6, lat[N * 99 / 100] * 1e6);
	assay_scan_ctx_free(c);
	assay_scanner_free(s);
	return 0;
}
