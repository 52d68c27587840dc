/* progress.c: a progress bar on stderr for long scans, drawn only when
 * stderr is a terminal and the work has taken more than half a second,
 * redrawn at most ten times a second, and erased when done. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void cli_progress_init(struct cli_progress *p, const char *what)
{
	p->what = what;
	p->enabled = isatty(STDERR_FILENO);
	p->start = now();
	p->last = 0;
	p->drawn = 0;
}

static void human(double bytes, char *buf, size_t n)
{
	const char *unit[] = {"B", "KB", "MB", "GB", "TB"};
	int u = 0;
	while (bytes >= 1000 && u < 4) {
		bytes /= 1000;
		u++;
	}
	snprintf(buf, n, u ? "%.1f %s" : "%.0f %s", bytes, unit[u]);
}

void cli_progress_update(void *ctx, uint64_t done, uint64_t total)
{
	struct cli_progress *p = ctx;
	if (!p->enabled)
		return;
	double t = now(), elapsed = t - p->start;
	if (elapsed < 0.5 || t - p->last < 0.1)
		return;
	p->last = t;
	int width = 30, filled = total ? (int)((double)done / (double)total * width) : 0;
	char bar[64], a[32], b[32], rate[32];
	for (int i = 0; i < width; i++)
		bar[i] = i < filled ? '#' : '.';
	bar[width] = '\0';
	human((double)done, a, sizeof a);
	human((double)total, b, sizeof b);
	human((double)done / elapsed, rate, sizeof rate);
	fprintf(stderr, "\r%s [%s] %3d%%  %s / %s  %s/s ", p->what, bar,
	        total ? (int)(100.0 * done / total) : 0, a, b, rate);
	fflush(stderr);
	p->drawn = 1;
}

void cli_progress_done(struct cli_progress *p)
{
	if (p->drawn)
		fprintf(stderr, "\r\033[K");
	p->drawn = 0;
}
