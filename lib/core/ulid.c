/* ulid.c: ULIDs (assay/ulid.h): 48-bit milliseconds and 80 random bits
 * (libsodium), Crockford base32, monotonic within a millisecond. */
#include <pthread.h>
#include <string.h>

#include <sodium.h>

#include "assay/clock.h"
#include "assay/ulid.h"

static const char B32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void assay_ulid_encode(uint64_t ms, const unsigned char random[10], char out[ASSAY_ULID_LEN])
{
	/* 128 bits: ms (48) then random (80), as 26 groups of 5 bits from the
	 * top, the first group holding only 3 bits. */
	unsigned char b[16];
	for (int i = 0; i < 6; i++)
		b[i] = (unsigned char)(ms >> (40 - 8 * i));
	memcpy(b + 6, random, 10);
	for (int i = 0; i < 26; i++) {
		int bit = 128 - 5 * (26 - i); /* first bit of group i, -2 for the first */
		unsigned v = 0;
		for (int k = 0; k < 5; k++) {
			int pos = bit + k;
			v <<= 1;
			if (pos >= 0)
				v |= (b[pos / 8] >> (7 - pos % 8)) & 1;
		}
		out[i] = B32[v];
	}
	out[26] = '\0';
}

static int b32_value(char c)
{
	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	const char *p = c ? strchr(B32, c) : NULL;
	return p ? (int)(p - B32) : -1;
}

int assay_ulid_valid(const char *s)
{
	if (!s || strlen(s) != 26)
		return 0;
	for (int i = 0; i < 26; i++)
		if (b32_value(s[i]) < 0)
			return 0;
	return b32_value(s[0]) <= 7; /* 130 bits written, the top 2 must be 0 */
}

uint64_t assay_ulid_time_ms(const char *s)
{
	uint64_t v = 0;
	for (int i = 0; i < 10; i++)
		v = v << 5 | (uint64_t)b32_value(s[i]);
	return v;
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t last_ms;
static unsigned char last_rand[10];

int assay_ulid_new(char out[ASSAY_ULID_LEN], struct assay_error *err)
{
	if (sodium_init() < 0)
		return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0, "libsodium did not initialise");
	int64_t now = assay_now_ms();
	uint64_t ms = now > 0 ? (uint64_t)now & 0xFFFFFFFFFFFFull : 0;
	pthread_mutex_lock(&lock);
	if (ms <= last_ms && last_ms) {
		/* same (or an earlier, pinned) millisecond: increment the random
		 * part so that the order of creation is the order of the ids */
		ms = last_ms;
		int i = 9;
		while (i >= 0 && ++last_rand[i] == 0)
			i--;
		if (i < 0) /* 2^80 ids in one millisecond: move to the next */
			ms = ++last_ms;
	} else {
		randombytes_buf(last_rand, sizeof last_rand);
		last_rand[0] &= 0x7F; /* room to increment without overflowing */
		last_ms = ms;
	}
	assay_ulid_encode(ms, last_rand, out);
	pthread_mutex_unlock(&lock);
	return 0;
}
