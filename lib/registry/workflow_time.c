/* workflow_time.c: the workflow's dates, parsed and printed by the
 * registry's one clock module (assay/clock.h); this only adds the located
 * error naming the option or field a bad date came from. Due dates,
 * expiries and validity limits are "YYYY-MM-DD" (midnight UTC) or RFC 3339.
 */
#include <stdio.h>

#include "assay/clock.h"
#include "assay/workflow.h"

int assay_wf_time_parse(const char *s, const char *what, int64_t *out, struct assay_error *err)
{
	if (s && assay_ts_parse(s, out) == 0)
		return 0;
	assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0,
	                "%s: expected a date YYYY-MM-DD or RFC 3339 time, found \"%s\"", what, s ? s : "");
	assay_error_hint(err, "for example 2026-12-15 or 2026-12-15T09:30:00Z");
	return ASSAY_EINPUT;
}

void assay_wf_time_format(int64_t t, char *buf, size_t size)
{
	char ts[ASSAY_TS_LEN];
	assay_ts_format(t, ts);
	snprintf(buf, size, "%s", ts);
}
