/* fuzz_canonjson.c: libFuzzer harness for RFC 8785 canonicalisation. The
 * input is JSON text; when it parses, its canonical form must itself be
 * canonical (canonicalising it again gives the same bytes) and parse back
 * to an equal value. Must never crash or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "assay/canonjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct assay_error err;
	size_t n1 = 0, n2 = 0;
	char *c1 = assay_canonjson_text((const char *)data, size, &n1, &err);
	if (!c1)
		return 0;
	char *c2 = assay_canonjson_text(c1, n1, &n2, &err);
	if (!c2 || n1 != n2 || memcmp(c1, c2, n1) != 0)
		abort(); /* canonical JSON is a fixed point */
	free(c1);
	free(c2);
	return 0;
}
