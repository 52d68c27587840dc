/* assay/clock.h: the one clock of the registry, and RFC 3339 timestamps.
 *
 * Every timestamp assay records (audit events, created_at, evidence dates,
 * review and SLA clocks) comes from assay_now(), so tests can pin and move
 * time:
 *   ASSAY_NOW=2025-03-01T12:00:00Z   (or whole seconds since the epoch)
 *       the current time, for tests that fast-forward (SLA, expiry): run one
 *       command with one value, the next with a later one;
 *   SOURCE_DATE_EPOCH=1700000000     the current time when ASSAY_NOW is unset
 *       (reproducible builds convention);
 *   otherwise the system clock.
 * Timestamps are UTC, second precision, always the 20-byte form
 * "YYYY-MM-DDTHH:MM:SSZ", so string order is time order (SQL compares them
 * as TEXT, portable across SQLite and PostgreSQL). */
#ifndef ASSAY_CLOCK_H
#define ASSAY_CLOCK_H

#include <stdint.h>

#include "assay/error.h"

#define ASSAY_TS_LEN 21 /* "YYYY-MM-DDTHH:MM:SSZ" + NUL */

/* Milliseconds since the epoch: ASSAY_NOW, SOURCE_DATE_EPOCH, or the system
 * clock (see above). An unparsable ASSAY_NOW is ignored with no error here;
 * assay_clock_check() reports it. */
int64_t assay_now_ms(void);
/* 0, or an ASSAY_EUSAGE error when ASSAY_NOW or SOURCE_DATE_EPOCH is set but
 * not a timestamp. Front ends call it once before relying on the clock. */
int assay_clock_check(struct assay_error *err);

/* Seconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ". */
void assay_ts_format(int64_t secs, char out[ASSAY_TS_LEN]);
/* assay_now_ms() formatted. */
void assay_ts_now(char out[ASSAY_TS_LEN]);
/* Parse "YYYY-MM-DD" (midnight UTC), "YYYY-MM-DDTHH:MM:SSZ",
 * "YYYY-MM-DDTHH:MM:SS(.fff)+HH:MM", or whole epoch seconds. 0 and *secs
 * set, -1 when s is none of those. */
int assay_ts_parse(const char *s, int64_t *secs);
/* Parse and re-format as canonical UTC; -1 when unparsable. */
int assay_ts_normalize(const char *s, char out[ASSAY_TS_LEN]);
/* Days since 1970-01-01 of a proleptic Gregorian date (no time zone, no
 * timegm), and the days of month m (1-12) of year y. */
int64_t assay_days_from_civil(int64_t y, int64_t m, int64_t d);
int assay_days_in_month(int64_t y, int m);
/* ts + days*86400 seconds, canonical form; -1 when ts is unparsable. */
int assay_ts_add_days(const char *ts, int64_t days, char out[ASSAY_TS_LEN]);

#endif
