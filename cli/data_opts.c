/* data_opts.c: the data-file options eval, check, profile and scan share
 * (--data, --delimiter, --no-header, --columns, --na, --threads) and the
 * source options built from them (cli.h). */
#include <string.h>

#include "cli.h"

int cli_data_option(const char *cmd, struct cli_data *d, int c, const char *arg)
{
	double x;
	switch (c) {
	case CLI_O_DATA:
		d->path = arg;
		return 1;
	case CLI_O_DELIM:
		d->delimiter = arg;
		return 1;
	case CLI_O_NO_HEADER:
		d->no_header = 1;
		return 1;
	case CLI_O_COLUMNS:
		d->columns = arg;
		return 1;
	case CLI_O_NA:
		d->na = arg;
		return 1;
	case CLI_O_THREADS:
		if (cli_number(cmd, "--threads", arg, 1, 256, 1, &x))
			return -1;
		d->threads = (int)x;
		return 1;
	}
	return 0;
}

void cli_data_source(const struct cli_data *d, struct assay_arena *a, struct cli_progress *bar,
                     const char *what, struct assay_source_opts *so)
{
	memset(so, 0, sizeof *so);
	so->path = d->path;
	so->delimiter = d->delimiter ? d->delimiter[0] : 0;
	so->threads = d->threads;
	if (d->na)
		so->na = cli_split(a, d->na, &so->nna);
	so->no_header = d->no_header;
	if (d->no_header && d->columns)
		so->columns = cli_split(a, d->columns, &so->ncolumns);
	cli_progress_init(bar, what);
	so->progress = cli_progress_update;
	so->progress_ctx = bar;
}
