/* fuzz_scan_rules.c: libFuzzer harness for scan rules files (YAML +
 * PCRE2 patterns). The input is the rules file; when it loads, a fixed
 * text is scanned with it so the compiled patterns run. Must never crash
 * or leak, and a bad file must end in a located error, not a hang. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "assay/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("rules.yaml", 0);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct assay_scan_opts o = {.rules_path = path};
	struct assay_scanner *s = NULL;
	struct assay_scan_ctx *c = NULL;
	struct assay_error err;
	if (assay_scanner_new(&s, &o, &err) == 0 && assay_scan_ctx_new(&c, s, &err) == 0) {
		static const char text[] =
		    "employee EMP-123456 mail a@b.co card 4111 1111 1111 1111 aaaaaaaaaaaaaaaaaaaaaaaaaaaa!";
		const struct assay_finding *f;
		size_t n;
		assay_scan_buffer(c, text, sizeof text - 1, &f, &n, &err);
	}
	char buf[2048];
	assay_error_format(&err, buf, sizeof buf);
	assay_scan_ctx_free(c);
	assay_scanner_free(s);
	close(fd);
	return 0;
}
