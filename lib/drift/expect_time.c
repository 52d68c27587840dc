/* expect_time.c: timestamps, durations and short numbers for
 * expectations (freshness, relationships between dates, messages).
 *
 * Timestamps are the RFC 3339 / ISO 8601 shapes data files actually
 * carry: "2013-08-14", "2013-08-14 06:03:42", "2013-08-14T06:03:42.123Z",
 * "...+02:00". Days since the epoch use the proleptic Gregorian calendar
 * (the days-from-civil formula: shift the year to start in March, so the
 * leap day is the last day of the shifted year). No zone means UTC.
 *
 * It deliberately does not parse locale dates (08/14/2013), week dates or
 * epoch numbers: a value that is not one of the shapes above is not a
 * timestamp, and the check says so.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "assay/clock.h"
#include "expect_internal.h"

static int digits(const char *p, size_t n, int *out)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

int expect_parse_time(const char *p, size_t len, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, s = 0;
	if (len < 10 || digits(p, 4, &y) || p[4] != '-' || digits(p + 5, 2, &mo) || p[7] != '-' ||
	    digits(p + 8, 2, &d))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > assay_days_in_month(y, mo))
		return -1;
	size_t i = 10;
	int64_t offset = 0;
	if (i < len && (p[i] == 'T' || p[i] == 't' || p[i] == ' ')) {
		i++;
		if (len < i + 5 || digits(p + i, 2, &h) || p[i + 2] != ':' || digits(p + i + 3, 2, &mi))
			return -1;
		i += 5;
		if (i < len && p[i] == ':') {
			if (len < i + 3 || digits(p + i + 1, 2, &s))
				return -1;
			i += 3;
			if (i < len && (p[i] == '.' || p[i] == ',')) {
				size_t j = i + 1;
				while (j < len && p[j] >= '0' && p[j] <= '9')
					j++;
				if (j == i + 1)
					return -1;
				i = j;
			}
		}
		if (h > 23 || mi > 59 || s > 60)
			return -1;
		if (i < len && (p[i] == 'Z' || p[i] == 'z')) {
			i++;
		} else if (i < len && (p[i] == '+' || p[i] == '-')) {
			int oh, om;
			int sign = p[i] == '-' ? -1 : 1;
			if (len >= i + 6 && p[i + 3] == ':' && !digits(p + i + 1, 2, &oh) &&
			    !digits(p + i + 4, 2, &om))
				i += 6;
			else if (len >= i + 5 && !digits(p + i + 1, 2, &oh) && !digits(p + i + 3, 2, &om))
				i += 5;
			else if (len >= i + 3 && !digits(p + i + 1, 2, &oh) && (len == i + 3))
				om = 0, i += 3;
			else
				return -1;
			if (oh > 23 || om > 59)
				return -1;
			offset = sign * (oh * 3600 + om * 60);
		}
	}
	if (i != len)
		return -1;
	*out = assay_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset;
	return 0;
}

int expect_parse_duration(const char *s, int64_t *out)
{
	int64_t total = 0;
	int any = 0;
	while (*s == ' ')
		s++;
	while (*s) {
		if (*s < '0' || *s > '9')
			return -1;
		int64_t n = 0;
		while (*s >= '0' && *s <= '9') {
			if (n > 1000000000)
				return -1;
			n = n * 10 + (*s++ - '0');
		}
		int64_t unit;
		switch (*s++) {
		case 'w':
			unit = 7 * 86400;
			break;
		case 'd':
			unit = 86400;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'm':
			unit = 60;
			break;
		case 's':
			unit = 1;
			break;
		default:
			return -1;
		}
		total += n * unit;
		any = 1;
		while (*s == ' ')
			s++;
	}
	if (!any)
		return -1;
	*out = total;
	return 0;
}

void expect_format_time(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm)) {
		snprintf(buf, size, "?");
		return;
	}
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void expect_format_duration(int64_t s, char *buf, size_t size)
{
	if (s == 0) {
		snprintf(buf, size, "0s");
		return;
	}
	const char *sign = s < 0 ? "-" : "";
	uint64_t u = s < 0 ? (uint64_t)(-(s + 1)) + 1 : (uint64_t)s;
	uint64_t d = u / 86400, h = u / 3600 % 24, m = u / 60 % 60, sec = u % 60;
	size_t n = (size_t)snprintf(buf, size, "%s", sign);
	if (d && n < size)
		n += (size_t)snprintf(buf + n, size - n, "%llud", (unsigned long long)d);
	if (h && n < size)
		n += (size_t)snprintf(buf + n, size - n, "%s%lluh", n > strlen(sign) ? " " : "",
		                      (unsigned long long)h);
	if (m && n < size)
		n += (size_t)snprintf(buf + n, size - n, "%s%llum", n > strlen(sign) ? " " : "",
		                      (unsigned long long)m);
	if (sec && n < size)
		snprintf(buf + n, size - n, "%s%llus", n > strlen(sign) ? " " : "", (unsigned long long)sec);
}

const char *expect_num(char *buf, size_t size, double v)
{
	for (int prec = 6; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, v);
		double back;
		if (sscanf(buf, "%lf", &back) == 1 && back == v)
			break;
	}
	return buf;
}

const char *expect_op_symbol(enum expect_op op)
{
	static const char *const s[] = {"<", "<=", ">", ">=", "==", "!="};
	return (unsigned)op < 6 ? s[op] : "?";
}
