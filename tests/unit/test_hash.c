/* test_hash.c: the two-stream SHA-256 (assay_sha256_x2, hand-written
 * SHA-NI rounds) against OpenSSL's one-stream SHA-256 (assay_sha256) at
 * every length around the block and padding edges, in random splits over
 * calls, with streams of unequal lengths; FIPS 180-4's examples; and the
 * two-file hash (assay_sha256_file_pair) against the one-file hash, with
 * files crossing its 8 MiB windows, empty files and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testdir.h"
#include "xorshift.h"

#include "assay/hash.h"

static void fill(unsigned char *p, size_t n, uint64_t seed)
{
	uint64_t s = seed | 1;
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(xorshift64(&s) >> 24);
}

/* both streams through x2, fed in pieces cut by the seed */
static void x2_split(const unsigned char *a, size_t na, const unsigned char *b, size_t nb, uint64_t seed,
                     unsigned char da[32], unsigned char db[32])
{
	struct assay_sha256_x2 h;
	assay_sha256_x2_init(&h);
	uint64_t s = seed | 1;
	size_t ia = 0, ib = 0;
	while (ia < na || ib < nb) {
		size_t ta = na - ia, tb = nb - ib;
		if (seed) { /* pieces of 0..300 bytes, or up to the end */
			size_t ca = xorshift64(&s) % 301, cb = xorshift64(&s) % 301;
			ta = ta < ca ? ta : ca, tb = tb < cb ? tb : cb;
		}
		assay_sha256_x2_update(&h, a + ia, ta, b + ib, tb);
		ia += ta, ib += tb;
	}
	assay_sha256_x2_final(&h, da, db);
}

static void known_answers(void **state)
{
	(void)state;
	/* FIPS 180-4 examples (NIST CSRC, "SHA256.pdf"): "abc" and the
	 * 448-bit two-block message */
	const char *m1 = "abc", *m2 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	unsigned char d1[32], d2[32];
	char h1[65], h2[65];
	x2_split((const unsigned char *)m1, 3, (const unsigned char *)m2, strlen(m2), 0, d1, d2);
	assay_hex(d1, 32, h1);
	assay_hex(d2, 32, h2);
	assert_string_equal(h1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_string_equal(h2, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void every_length_against_openssl(void **state)
{
	(void)state;
	enum { MAX = 1100 };
	unsigned char *a = malloc(MAX), *b = malloc(MAX);
	assert_non_null(a);
	assert_non_null(b);
	fill(a, MAX, 11);
	fill(b, MAX, 12);
	for (size_t na = 0; na <= 300; na++) {
		size_t nb = (na * 7 + 13) % MAX; /* another length, unrelated */
		unsigned char ra[32], rb[32], xa[32], xb[32];
		assay_sha256(a, na, ra);
		assay_sha256(b, nb, rb);
		for (uint64_t seed = 0; seed < 3; seed++) {
			x2_split(a, na, b, nb, seed, xa, xb);
			assert_memory_equal(xa, ra, 32);
			assert_memory_equal(xb, rb, 32);
			x2_split(b, nb, a, na, seed + 7, xb, xa); /* the streams swapped */
			assert_memory_equal(xa, ra, 32);
			assert_memory_equal(xb, rb, 32);
		}
	}
	free(a);
	free(b);
}

static void long_streams_in_step(void **state)
{
	(void)state;
	/* megabytes in step, then the longer stream alone: the interleaved
	 * loop's whole-block path */
	size_t na = (3u << 20) + 17, nb = (5u << 20) + 63;
	unsigned char *a = malloc(na), *b = malloc(nb), ra[32], rb[32], xa[32], xb[32];
	assert_non_null(a);
	assert_non_null(b);
	fill(a, na, 5);
	fill(b, nb, 6);
	assay_sha256(a, na, ra);
	assay_sha256(b, nb, rb);
	x2_split(a, na, b, nb, 0, xa, xb);
	assert_memory_equal(xa, ra, 32);
	assert_memory_equal(xb, rb, 32);
	/* in equal pieces of 1 MiB + 1 byte, leaving partial blocks behind */
	struct assay_sha256_x2 h;
	assay_sha256_x2_init(&h);
	size_t step = (1u << 20) + 1;
	for (size_t i = 0; i < nb; i += step) {
		size_t ta = i < na ? (na - i < step ? na - i : step) : 0;
		size_t tb = nb - i < step ? nb - i : step;
		assay_sha256_x2_update(&h, ta ? a + i : a, ta, b + i, tb);
	}
	assay_sha256_x2_final(&h, xa, xb);
	assert_memory_equal(xa, ra, 32);
	assert_memory_equal(xb, rb, 32);
	free(a);
	free(b);
	/* the reason the code exists: on this machine it should interleave */
	if (!assay_sha256_x2_accelerated())
		print_message("note: no SHA extensions here: assay_sha256_x2 used OpenSSL's streams\n");
}

static void file_pair(void **state)
{
	(void)state;
	size_t sizes[][2] = {
	    {0, 0}, {1, 0}, {64, 65}, {(8u << 20) + 1, 3}, {(8u << 20) - 1, (16u << 20) + 5}};
	size_t maxn = (16u << 20) + 5;
	unsigned char *buf = malloc(maxn + 1);
	assert_non_null(buf);
	fill(buf, maxn + 1, 99);
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		char pa[256], pb[256];
		snprintf(pa, sizeof pa, "%s", write_file("a.bin", (const char *)buf, sizes[k][0]));
		snprintf(pb, sizeof pb, "%s", write_file("b.bin", (const char *)buf + 1, sizes[k][1]));
		const char *paths[2] = {pa, pb};
		unsigned char md[2][32];
		uint64_t size[2];
		struct assay_error err;
		assay_error_clear(&err);
		_Atomic uint64_t done[2] = {0, 0};
		assert_int_equal(assay_sha256_file_pair(paths, md, size, done, NULL, &err), 0);
		for (int i = 0; i < 2; i++) {
			char want[65], got[65];
			assert_int_equal(assay_sha256_file_hex(paths[i], want, &err), 0);
			assay_hex(md[i], 32, got);
			assert_string_equal(got, want);
			assert_int_equal(size[i], sizes[k][i]);
			assert_int_equal(atomic_load(&done[i]), sizes[k][i]); /* the progress, whole */
		}
	}
	free(buf);

	/* a missing file is named; a set stop flag ends the work early */
	const char *missing[2] = {write_file("c.bin", "x", 1), "/nonexistent/assay-test.csv"};
	unsigned char md[2][32];
	uint64_t size[2];
	struct assay_error err;
	assay_error_clear(&err);
	assert_int_not_equal(assay_sha256_file_pair(missing, md, size, NULL, NULL, &err), 0);
	assert_string_equal(err.file, "/nonexistent/assay-test.csv");
	assert_non_null(strstr(err.message, "cannot open"));
	atomic_int stop = 1;
	const char *two[2] = {write_file("d.bin", "y", 1), write_file("e.bin", "z", 1)};
	assert_int_not_equal(assay_sha256_file_pair(two, md, size, NULL, &stop, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(known_answers),
	    cmocka_unit_test(every_length_against_openssl),
	    cmocka_unit_test(long_streams_in_step),
	    cmocka_unit_test(file_pair),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
