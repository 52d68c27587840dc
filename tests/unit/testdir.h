/* testdir.h: what the unit tests that read files share: one temporary
 * directory per test program (cmocka group setup and teardown), files
 * written into it, and a failure that prints an assay_error. Include after
 * <cmocka.h>. */
#ifndef ASSAY_TESTDIR_H
#define ASSAY_TESTDIR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assay/error.h"

#define TESTDIR_UNUSED __attribute__((unused))

static char tmpdir[64];

TESTDIR_UNUSED static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/assay-test-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

TESTDIR_UNUSED static int remove_dir(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* tmpdir/name holding data[0, n); the path stays valid for the next
 * three calls. */
TESTDIR_UNUSED static const char *write_file(const char *name, const char *data, size_t n)
{
	static char path[4][256];
	static int k;
	char *p = path[k++ & 3];
	snprintf(p, sizeof path[0], "%s/%s", tmpdir, name);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
	return p;
}

TESTDIR_UNUSED static const char *write_text(const char *name, const char *text)
{
	return write_file(name, text, strlen(text));
}

/* A string literal, embedded NUL bytes included. */
#define WRITE(name, lit) write_file(name, lit, sizeof lit - 1)

TESTDIR_UNUSED static void fail_err(const struct assay_error *err)
{
	char buf[2048];
	assay_error_format(err, buf, sizeof buf);
	fail_msg("%s", buf);
}

#endif
