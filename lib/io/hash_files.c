/* hash_files.c: the SHA-256 of two files read together
 * (assay_sha256_file_pair, assay/hash.h), for a command that reads two
 * large inputs in full and must report both hashes, such as `assay drift`
 * on two data files. Its scans then skip their own hashes
 * (assay_source_opts.no_hash) and one thread hashes both files as two
 * interleaved streams (assay_sha256_x2): 1.32x the bytes per second of
 * the two one-stream hashes the scans would run (bench/README.md, drift
 * session 9). Each file is read a window at a time (assay_io_window), a
 * second read of bytes the page cache holds: cheaper than the CPU the
 * interleaving saves. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scan_internal.h"

/* a window per file resident at a time: 8 MiB windows added 16 MiB to a
 * 1M-row drift's 45 MiB peak; 2 MiB ones hash 1.1 GB in ~0.65 s instead
 * of ~0.63 */
#define WINDOW ((size_t)2 << 20)

int assay_sha256_file_pair(const char *const path[2], unsigned char md[2][32], uint64_t size[2],
                           _Atomic uint64_t done[2], const atomic_int *stop, struct assay_error *err)
{
	int fd[2] = {-1, -1}, rc = 0;
	struct assay_io_window w[2];
	const char *p[2] = {NULL, NULL};
	size_t left[2] = {0, 0};
	assay_io_window_init(&w[0], -1, 0);
	assay_io_window_init(&w[1], -1, 0);
	for (int i = 0; i < 2; i++) {
		struct stat st;
		if ((fd[i] = open(path[i], O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd[i], &st) != 0) {
			rc = assay_error_set(err, ASSAY_EIO, path[i], 0, 0, "cannot open: %s",
			                     strerror(errno));
			break;
		}
		size[i] = (uint64_t)st.st_size;
		assay_io_window_init(&w[i], fd[i], size[i]);
	}
	struct assay_sha256_x2 h;
	assay_sha256_x2_init(&h);
	for (int more = !rc; more;) {
		if (stop && atomic_load(stop)) {
			rc = ASSAY_EINTERNAL;
			break;
		}
		more = 0;
		for (int i = 0; i < 2 && !rc; i++) {
			if (!left[i] && w[i].off < w[i].size) {
				int e = assay_io_window_next(&w[i], WINDOW, &p[i], &left[i]);
				if (e)
					rc = assay_error_set(
					    err, e == ENOMEM ? ASSAY_ENOMEM : ASSAY_EIO, path[i], 0, 0,
					    "cannot read: %s",
					    e == ESPIPE ? "the file changed while it was read" : strerror(e));
			}
			more |= left[i] != 0;
		}
		if (rc)
			break;
		/* both streams in step while both have bytes; the longer alone after */
		size_t n[2] = {left[0], left[1]};
		if (n[0] && n[1])
			n[0] = n[1] = n[0] < n[1] ? n[0] : n[1];
		assay_sha256_x2_update(&h, p[0], n[0], p[1], n[1]);
		for (int i = 0; i < 2; i++)
			if (n[i]) {
				p[i] += n[i], left[i] -= n[i];
				if (done)
					atomic_fetch_add(&done[i], n[i]);
			}
	}
	if (!rc)
		assay_sha256_x2_final(&h, md[0], md[1]);
	else if (done) /* nothing waits for a hash that ended */
		for (int i = 0; i < 2; i++)
			atomic_store(&done[i], UINT64_MAX / 2);
	for (int i = 0; i < 2; i++) {
		assay_io_window_end(&w[i]);
		if (fd[i] >= 0)
			close(fd[i]);
	}
	return rc;
}
