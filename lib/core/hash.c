/* hash.c: SHA-256 through OpenSSL's EVP interface (assay/hash.h). OpenSSL
 * rather than libsodium because it uses the CPU's SHA extensions, several
 * times faster on the ingest path (see CMakeLists.txt). */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "assay/hash.h"

static void to_hex(const unsigned char *md, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

void assay_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;
	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	to_hex(md, out);
}

int assay_sha256_file_hex(const char *path, char out[65], struct assay_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return assay_error_set(err, ASSAY_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		fclose(f);
		EVP_MD_CTX_free(ctx);
		return assay_error_set(err, ASSAY_EINTERNAL, path, 0, 0, "cannot start SHA-256");
	}
	unsigned char buf[1 << 16];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		EVP_DigestUpdate(ctx, buf, n);
	int bad = ferror(f);
	fclose(f);
	unsigned char md[32];
	unsigned int len = 0;
	EVP_DigestFinal_ex(ctx, md, &len);
	EVP_MD_CTX_free(ctx);
	if (bad)
		return assay_error_set(err, ASSAY_EIO, path, 0, 0, "read error");
	to_hex(md, out);
	return 0;
}
