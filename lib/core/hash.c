/* hash.c: SHA-256 with OpenSSL (assay/hash.h), the project's one SHA-256
 * (inputs, evidence blobs, the audit chain, the scanner's database cache),
 * and hex. OpenSSL rather than libsodium because it uses the CPU's SHA
 * extensions, several times faster on the ingest path (see CMakeLists.txt).
 *
 * The streaming form uses OpenSSL's SHA256_Init/Update/Final, which 3.0
 * marks deprecated in favour of EVP: the same SHA-NI code (77 ms for the
 * 110 MB bench file either way), but EVP's first use loads the provider
 * and openssl.cnf, 0.5-1 ms here (once 5.8 ms), and the input's hash
 * starts with that delay on the one sequential stream that sets an
 * eval's wall time (bench/README.md, issue 2, session 7). The one-shot
 * helpers below use it too. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <errno.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include "assay/hash.h"

void assay_hex(const void *bytes, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *b = bytes;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * n] = '\0';
}

_Static_assert(sizeof(SHA256_CTX) <= sizeof(struct assay_sha256), "SHA256_CTX fits assay_sha256");
_Static_assert(_Alignof(SHA256_CTX) <= 16, "SHA256_CTX alignment");

void assay_sha256_init(struct assay_sha256 *h)
{
	SHA256_Init((SHA256_CTX *)(void *)h->state);
}

void assay_sha256_update(struct assay_sha256 *h, const void *data, size_t len)
{
	SHA256_Update((SHA256_CTX *)(void *)h->state, data, len);
}

void assay_sha256_final(struct assay_sha256 *h, unsigned char out[32])
{
	SHA256_Final(out, (SHA256_CTX *)(void *)h->state);
}

void assay_sha256(const void *data, size_t len, unsigned char out[32])
{
	struct assay_sha256 h;
	assay_sha256_init(&h);
	assay_sha256_update(&h, data, len);
	assay_sha256_final(&h, out);
}

void assay_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[32];
	assay_sha256(data, len, md);
	assay_hex(md, sizeof md, out);
}

int assay_sha256_file_hex(const char *path, char out[65], struct assay_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return assay_error_set(err, ASSAY_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
	struct assay_sha256 h;
	assay_sha256_init(&h);
	unsigned char buf[1 << 16];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		assay_sha256_update(&h, buf, n);
	int bad = ferror(f);
	fclose(f);
	unsigned char md[32];
	assay_sha256_final(&h, md);
	if (bad)
		return assay_error_set(err, ASSAY_EIO, path, 0, 0, "read error");
	assay_hex(md, sizeof md, out);
	return 0;
}
