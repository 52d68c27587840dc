/* clock.c: the registry's clock (ASSAY_NOW, SOURCE_DATE_EPOCH, the system
 * clock) and RFC 3339 timestamps (assay/clock.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assay/clock.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), so parsing needs no timegm and no time zone. */
int64_t assay_days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int assay_days_in_month(int64_t y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int assay_ts_parse(const char *s, int64_t *secs)
{
	if (!s || !*s)
		return -1;
	size_t len = strlen(s);
	/* whole epoch seconds */
	int all_digits = 1;
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]) && !(i == 0 && s[i] == '-' && len > 1))
			all_digits = 0;
	if (all_digits) {
		if (len > 12)
			return -1;
		*secs = strtoll(s, NULL, 10);
		return 0;
	}
	int Y, M, D, h = 0, mi = 0, se = 0;
	if (len < 10 || digits(s, 4, &Y) || s[4] != '-' || digits(s + 5, 2, &M) || s[7] != '-' ||
	    digits(s + 8, 2, &D))
		return -1;
	if (M < 1 || M > 12 || D < 1 || D > assay_days_in_month(Y, M))
		return -1;
	const char *p = s + 10;
	int64_t off = 0;
	if (*p) {
		if ((*p != 'T' && *p != 't' && *p != ' ') || digits(p + 1, 2, &h) || p[3] != ':' ||
		    digits(p + 4, 2, &mi) || p[6] != ':' || digits(p + 7, 2, &se))
			return -1;
		if (h > 23 || mi > 59 || se > 60)
			return -1;
		p += 9;
		if (*p == '.') { /* fractional seconds are dropped */
			p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			while (isdigit((unsigned char)*p))
				p++;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int oh, om;
			if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) || oh > 23 ||
			    om > 59)
				return -1;
			off = (int64_t)(oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
			p += 6;
		} else {
			return -1;
		}
		if (*p)
			return -1;
	}
	*secs = assay_days_from_civil(Y, M, D) * 86400 + h * 3600 + mi * 60 + (se > 59 ? 59 : se) - off;
	return 0;
}

void assay_ts_format(int64_t secs, char out[ASSAY_TS_LEN])
{
	time_t t = (time_t)secs;
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, ASSAY_TS_LEN, "%04d-%02d-%02dT%02d:%02d:%02dZ", (tm.tm_year + 1900) % 10000,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int assay_ts_normalize(const char *s, char out[ASSAY_TS_LEN])
{
	int64_t t;
	if (assay_ts_parse(s, &t))
		return -1;
	assay_ts_format(t, out);
	return 0;
}

int assay_ts_add_days(const char *ts, int64_t days, char out[ASSAY_TS_LEN])
{
	int64_t t;
	if (assay_ts_parse(ts, &t))
		return -1;
	assay_ts_format(t + days * 86400, out);
	return 0;
}

static int env_time(const char *name, int64_t *secs, int *bad)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return 0;
	if (assay_ts_parse(v, secs)) {
		*bad = 1;
		return 0;
	}
	return 1;
}

int64_t assay_now_ms(void)
{
	int64_t s;
	int bad = 0;
	if (env_time("ASSAY_NOW", &s, &bad) || env_time("SOURCE_DATE_EPOCH", &s, &bad))
		return s * 1000;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int assay_clock_check(struct assay_error *err)
{
	static const char *const names[] = {"ASSAY_NOW", "SOURCE_DATE_EPOCH"};
	for (int i = 0; i < 2; i++) {
		int64_t s;
		int bad = 0;
		env_time(names[i], &s, &bad);
		if (bad) {
			assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0, "%s=\"%s\" is not a timestamp",
			                names[i], getenv(names[i]));
			assay_error_hint(err,
			                 "use RFC 3339 UTC (2025-03-01T12:00:00Z), a date, or epoch seconds");
			return ASSAY_EUSAGE;
		}
	}
	return 0;
}

void assay_ts_now(char out[ASSAY_TS_LEN])
{
	int64_t ms = assay_now_ms();
	assay_ts_format(ms >= 0 ? ms / 1000 : (ms - 999) / 1000, out);
}
