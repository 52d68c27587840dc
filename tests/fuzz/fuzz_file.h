/* fuzz_file.h: what the harnesses that read a file share (fuzz_csv.c,
 * fuzz_jsonl.c, fuzz_profile_csv.c): the input after its option byte as
 * an in-memory file with a path, for assay_source_open. */
#ifndef ASSAY_FUZZ_FILE_H
#define ASSAY_FUZZ_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* data[1..size) in a memfd named name; its path in path. The fd (close
 * it when done), or -1 (skip the input). */
static int fuzz_file(const uint8_t *data, size_t size, const char *name, char path[64])
{
	int fd = memfd_create(name, 0);
	if (fd < 0)
		return -1;
	if (size > 1 && write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
		close(fd);
		return -1;
	}
	snprintf(path, 64, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
