/* workflow_time.c: the workflow's dates. Due dates, expiries and validity
 * limits are written "YYYY-MM-DD" (midnight UTC) or RFC 3339 with Z or a
 * numeric offset; they are kept as Unix seconds and printed back as RFC
 * 3339 UTC. Days-from-civil is Howard Hinnant's algorithm (proleptic
 * Gregorian), so no timezone database or timegm() is involved.
 */
#include <stdio.h>
#include <string.h>

#include "assay/workflow.h"

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int bad(const char *s, const char *what, struct assay_error *err)
{
	assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0, "%s: expected a date YYYY-MM-DD or RFC 3339 time, found \"%s\"",
	                what, s);
	assay_error_hint(err, "for example 2026-12-15 or 2026-12-15T09:30:00Z");
	return ASSAY_EINPUT;
}

int assay_wf_time_parse(const char *s, const char *what, int64_t *out, struct assay_error *err)
{
	int y, mo, d, h = 0, mi = 0, se = 0;
	size_t n = strlen(s);
	if (n < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
	    digits(s + 8, 2, &d))
		return bad(s, what, err);
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
		return bad(s, what, err);
	int64_t off = 0;
	if (n > 10) {
		if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || n < 19 || digits(s + 11, 2, &h) || s[13] != ':' ||
		    digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &se) || h > 23 || mi > 59 || se > 60)
			return bad(s, what, err);
		const char *z = s + 19;
		if (*z == '.') /* fractional seconds: dropped */
			for (z++; *z >= '0' && *z <= '9'; z++)
				;
		if ((*z == 'Z' || *z == 'z') && z[1] == '\0') {
			off = 0;
		} else if ((*z == '+' || *z == '-') && strlen(z) == 6 && z[3] == ':') {
			int oh, om;
			if (digits(z + 1, 2, &oh) || digits(z + 4, 2, &om) || oh > 23 || om > 59)
				return bad(s, what, err);
			off = (*z == '+' ? 1 : -1) * (int64_t)(oh * 3600 + om * 60);
		} else {
			return bad(s, what, err);
		}
	}
	*out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se - off;
	return 0;
}

void assay_wf_time_format(int64_t t, char *buf, size_t size)
{
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	int64_t sec = t - days * 86400;
	/* civil_from_days */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	snprintf(buf, size, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y, m, d, (int)(sec / 3600),
	         (int)(sec / 60 % 60), (int)(sec % 60));
}
