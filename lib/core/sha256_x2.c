/* sha256_x2.c: two SHA-256 streams fed together (assay/hash.h,
 * assay_sha256_x2_*), for a command that must hash two large inputs, such
 * as `assay drift` on two data files. The digests are FIPS 180-4's; the
 * tests compare them with OpenSSL's at every length and split.
 *
 * Why by hand: one SHA-256 stream is a chain of dependent sha256rnds2
 * instructions, so on a CPU with the SHA extensions it runs at the
 * instruction's latency, not its throughput. OpenSSL's code runs at that
 * bound (1.44 GB/s on the bench machine's Xeon, the same as a one-stream
 * routine written with the intrinsics), and OpenSSL has no multi-buffer
 * SHA-256 for SHA-NI. Two independent streams interleaved on one core
 * fill the gaps: 1.89-1.90 GB/s in total, 1.32x (measured with this
 * file's block functions against SHA256() on 64 MiB, bench/README.md,
 * drift session 9). Everything else (the padding, the one-stream tail,
 * CPUs without the extensions) is plain FIPS 180-4 or OpenSSL.
 *
 * Layout: a stream is its eight state words (a..h, as FIPS 180-4 names
 * them), the bytes hashed so far and a partial block. The SHA-NI rounds
 * want the state as two vectors, ABEF and CDGH (Intel's "SHA extensions"
 * white paper, 2013): load_state / store_state convert once per call.
 * Where the CPU lacks the extensions (or SSSE3 / SSE4.1, which the
 * conversion uses), the two streams are two OpenSSL contexts, fed one
 * after the other.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <cpuid.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <string.h>

#include "assay/hash.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HAVE_SHANI 1
#else
#define HAVE_SHANI 0
#endif

struct stream {
	uint32_t h[8];
	uint64_t len; /* bytes hashed, including buf */
	unsigned char buf[64];
	size_t nbuf;
};

struct x2 {
	int ni; /* the SHA-NI streams below, else OpenSSL's contexts */
	union {
		struct stream s[2];
		SHA256_CTX ctx[2];
	} u;
};

_Static_assert(sizeof(struct x2) <= sizeof(((struct assay_sha256_x2 *)0)->state), "x2 fits");
_Static_assert(_Alignof(struct x2) <= 16, "x2 alignment");

static const uint32_t IV[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

int assay_sha256_x2_accelerated(void)
{
#if HAVE_SHANI
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1))
		return 0;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return 0;
	return (b >> 29) & 1; /* CPUID.(EAX=7,ECX=0):EBX.SHA[bit 29] */
#else
	return 0;
#endif
}

#if HAVE_SHANI
#define SHANI __attribute__((target("sha,sse4.1,ssse3")))

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

/* a..h -> ABEF (s0) and CDGH (s1), each vector's lanes high to low */
SHANI static void load_state(const uint32_t h[8], __m128i *s0, __m128i *s1)
{
	__m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xB1); /* b a d c */
	__m128i efgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1B); /* h g f e */
	*s0 = _mm_alignr_epi8(abcd, efgh, 8);                                            /* ABEF */
	*s1 = _mm_blend_epi16(efgh, abcd, 0xF0);                                         /* CDGH */
}

SHANI static void store_state(uint32_t h[8], __m128i s0, __m128i s1)
{
	__m128i feba = _mm_shuffle_epi32(s0, 0x1B);
	__m128i dchg = _mm_shuffle_epi32(s1, 0xB1);
	_mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(feba, dchg, 0xF0)); /* a b c d */
	_mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(dchg, feba, 8));    /* e f g h */
}

/* Rounds 4g..4g+3 of one block: W[g & 3] holds message words 4g..4g+3;
 * the schedule for words 4(g+1).. is advanced with sha256msg1/msg2 as
 * far as it is still needed (words 16..63). */
#define ROUNDS4(s0, s1, W, g)                                                                                \
	do {                                                                                                 \
		__m128i m_ = _mm_add_epi32(W[(g)&3], _mm_loadu_si128((const __m128i *)&K[4 * (g)]));         \
		s1 = _mm_sha256rnds2_epu32(s1, s0, m_);                                                      \
		if ((g) >= 3 && (g) < 15)                                                                    \
			W[((g) + 1) & 3] = _mm_sha256msg2_epu32(                                             \
			    _mm_add_epi32(W[((g) + 1) & 3], _mm_alignr_epi8(W[(g)&3], W[((g) + 3) & 3], 4)), \
			    W[(g)&3]);                                                                       \
		s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(m_, 0x0E));                             \
		if ((g) >= 1 && (g) < 13)                                                                    \
			W[((g) + 3) & 3] = _mm_sha256msg1_epu32(W[((g) + 3) & 3], W[(g)&3]);                 \
	} while (0)

#define BSWAP32X4 _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL)

SHANI static void load_block(__m128i W[4], const unsigned char *p)
{
	for (int j = 0; j < 4; j++)
		W[j] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * j)), BSWAP32X4);
}

/* n blocks of one stream */
SHANI static void blocks1(uint32_t h[8], const unsigned char *p, size_t n)
{
	__m128i s0, s1;
	load_state(h, &s0, &s1);
	for (; n; n--, p += 64) {
		__m128i a0 = s0, a1 = s1, W[4];
		load_block(W, p);
		ROUNDS4(s0, s1, W, 0);
		ROUNDS4(s0, s1, W, 1);
		ROUNDS4(s0, s1, W, 2);
		ROUNDS4(s0, s1, W, 3);
		ROUNDS4(s0, s1, W, 4);
		ROUNDS4(s0, s1, W, 5);
		ROUNDS4(s0, s1, W, 6);
		ROUNDS4(s0, s1, W, 7);
		ROUNDS4(s0, s1, W, 8);
		ROUNDS4(s0, s1, W, 9);
		ROUNDS4(s0, s1, W, 10);
		ROUNDS4(s0, s1, W, 11);
		ROUNDS4(s0, s1, W, 12);
		ROUNDS4(s0, s1, W, 13);
		ROUNDS4(s0, s1, W, 14);
		ROUNDS4(s0, s1, W, 15);
		s0 = _mm_add_epi32(s0, a0);
		s1 = _mm_add_epi32(s1, a1);
	}
	store_state(h, s0, s1);
}

/* n blocks of each of two streams, their rounds interleaved: the two
 * dependency chains share the core's SHA unit */
#define ROUNDS4X2(g)                                                                                         \
	do {                                                                                                 \
		ROUNDS4(a0, a1, Wa, g);                                                                      \
		ROUNDS4(b0, b1, Wb, g);                                                                      \
	} while (0)

SHANI static void blocks2(uint32_t ha[8], const unsigned char *pa, uint32_t hb[8], const unsigned char *pb,
                          size_t n)
{
	__m128i a0, a1, b0, b1;
	load_state(ha, &a0, &a1);
	load_state(hb, &b0, &b1);
	for (; n; n--, pa += 64, pb += 64) {
		__m128i sa0 = a0, sa1 = a1, sb0 = b0, sb1 = b1, Wa[4], Wb[4];
		load_block(Wa, pa);
		load_block(Wb, pb);
		ROUNDS4X2(0);
		ROUNDS4X2(1);
		ROUNDS4X2(2);
		ROUNDS4X2(3);
		ROUNDS4X2(4);
		ROUNDS4X2(5);
		ROUNDS4X2(6);
		ROUNDS4X2(7);
		ROUNDS4X2(8);
		ROUNDS4X2(9);
		ROUNDS4X2(10);
		ROUNDS4X2(11);
		ROUNDS4X2(12);
		ROUNDS4X2(13);
		ROUNDS4X2(14);
		ROUNDS4X2(15);
		a0 = _mm_add_epi32(a0, sa0), a1 = _mm_add_epi32(a1, sa1);
		b0 = _mm_add_epi32(b0, sb0), b1 = _mm_add_epi32(b1, sb1);
	}
	store_state(ha, a0, a1);
	store_state(hb, b0, b1);
}
#else
static void blocks1(uint32_t h[8], const unsigned char *p, size_t n)
{
	(void)h, (void)p, (void)n; /* not reached: assay_sha256_x2_accelerated() is 0 */
}

static void blocks2(uint32_t ha[8], const unsigned char *pa, uint32_t hb[8], const unsigned char *pb,
                    size_t n)
{
	(void)ha, (void)pa, (void)hb, (void)pb, (void)n;
}
#endif

void assay_sha256_x2_init(struct assay_sha256_x2 *h)
{
	struct x2 *x = (struct x2 *)(void *)h->state;
	memset(x, 0, sizeof *x);
	x->ni = assay_sha256_x2_accelerated();
	for (int i = 0; i < 2; i++) {
		if (x->ni)
			memcpy(x->u.s[i].h, IV, sizeof IV);
		else
			SHA256_Init(&x->u.ctx[i]);
	}
}

/* The stream's partial block topped up from *p; hashed once full. */
static void top_up(struct stream *s, const unsigned char **p, size_t *n)
{
	if (!s->nbuf)
		return;
	size_t take = 64 - s->nbuf < *n ? 64 - s->nbuf : *n;
	memcpy(s->buf + s->nbuf, *p, take);
	s->nbuf += take, *p += take, *n -= take;
	if (s->nbuf == 64) {
		blocks1(s->h, s->buf, 1);
		s->nbuf = 0;
	}
}

void assay_sha256_x2_update(struct assay_sha256_x2 *h, const void *a, size_t na, const void *b, size_t nb)
{
	struct x2 *x = (struct x2 *)(void *)h->state;
	if (!x->ni) {
		SHA256_Update(&x->u.ctx[0], a, na);
		SHA256_Update(&x->u.ctx[1], b, nb);
		return;
	}
	const unsigned char *p[2] = {a, b};
	size_t n[2] = {na, nb};
	for (int i = 0; i < 2; i++) {
		x->u.s[i].len += n[i];
		top_up(&x->u.s[i], &p[i], &n[i]);
	}
	/* a stream with a partial block left has no bytes left: both whole
	 * blocks run from empty buffers */
	size_t both = n[0] / 64 < n[1] / 64 ? n[0] / 64 : n[1] / 64;
	if (both) {
		blocks2(x->u.s[0].h, p[0], x->u.s[1].h, p[1], both);
		for (int i = 0; i < 2; i++)
			p[i] += 64 * both, n[i] -= 64 * both;
	}
	for (int i = 0; i < 2; i++) {
		struct stream *s = &x->u.s[i];
		if (n[i] >= 64) {
			blocks1(s->h, p[i], n[i] / 64);
			p[i] += n[i] / 64 * 64, n[i] %= 64;
		}
		if (n[i]) {
			memcpy(s->buf + s->nbuf, p[i], n[i]);
			s->nbuf += n[i];
		}
	}
}

/* FIPS 180-4 5.1.1: 0x80, zeros to 56 mod 64, the bit length big-endian */
static void finish(struct stream *s, unsigned char out[32])
{
	uint64_t bits = s->len * 8;
	s->buf[s->nbuf++] = 0x80;
	if (s->nbuf > 56) {
		memset(s->buf + s->nbuf, 0, 64 - s->nbuf);
		blocks1(s->h, s->buf, 1);
		s->nbuf = 0;
	}
	memset(s->buf + s->nbuf, 0, 56 - s->nbuf);
	for (int i = 0; i < 8; i++)
		s->buf[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	blocks1(s->h, s->buf, 1);
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 4; j++)
			out[4 * i + j] = (unsigned char)(s->h[i] >> (24 - 8 * j));
}

void assay_sha256_x2_final(struct assay_sha256_x2 *h, unsigned char a[32], unsigned char b[32])
{
	struct x2 *x = (struct x2 *)(void *)h->state;
	if (!x->ni) {
		SHA256_Final(a, &x->u.ctx[0]);
		SHA256_Final(b, &x->u.ctx[1]);
		return;
	}
	finish(&x->u.s[0], a);
	finish(&x->u.s[1], b);
}
