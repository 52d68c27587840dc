/* sla.c: the review SLA clock and its status against a policy target.
 *
 * Business rule (issue 6, "Reviews"): the clock starts when a review is
 * submitted (or opened already submitted), pauses while it is `returned`
 * to the requester, and stops at the decision or any terminal state.
 * Two clocks: time to triage (submission -> triage reached) and time to
 * decision (submission -> decided, minus time in `returned`). Calendar
 * seconds, no business-day calendar: the policy pack states targets in
 * hours or days of wall-clock time.
 *
 * The clock never runs backwards: stamps are taken in recording order and
 * a stamp earlier than its predecessor (a moved-back ASSAY_NOW, a skewed
 * host clock) counts as its predecessor's time; `now` earlier than the
 * last stamp counts as the last stamp.
 */
#include "assay/workflow.h"

static int stops_clock(int s)
{
	return s == ASSAY_RS_DECIDED || s == ASSAY_RS_WITHDRAWN || s == ASSAY_RS_SUPERSEDED ||
	       s == ASSAY_RS_EXPIRED;
}

static int past_triage(int s)
{
	return s == ASSAY_RS_TRIAGE || s == ASSAY_RS_IN_REVIEW || s == ASSAY_RS_RETURNED ||
	       s == ASSAY_RS_DECIDED;
}

void assay_sla_compute(const struct assay_wf_stamp *h, size_t n, int64_t now, struct assay_sla_clock *out)
{
	*out = (struct assay_sla_clock){0};
	int submitted = 0, stopped = 0, in_returned = 0;
	int64_t sub_at = 0, triage_at = 0, stop_at = 0, ret_since = 0, paused = 0, last = INT64_MIN;
	for (size_t i = 0; i < n; i++) {
		int64_t t = h[i].at > last ? h[i].at : last;
		last = t;
		int s = h[i].state;
		if (stopped)
			continue; /* nothing after the clock stopped counts */
		if (!submitted && s != ASSAY_RS_DRAFT) {
			submitted = 1;
			sub_at = t;
		}
		if (!submitted)
			continue;
		if (in_returned && s != ASSAY_RS_RETURNED) {
			paused += t - ret_since;
			in_returned = 0;
		}
		if (s == ASSAY_RS_RETURNED && !in_returned) {
			in_returned = 1;
			ret_since = t;
		}
		if (!out->triaged && past_triage(s)) {
			out->triaged = 1;
			triage_at = t;
		}
		if (stops_clock(s)) {
			stopped = 1;
			stop_at = t;
			out->decided = s == ASSAY_RS_DECIDED;
		}
	}
	if (!submitted)
		return;
	int64_t end = stopped ? stop_at : (now > last ? now : last);
	if (in_returned)
		paused += end - ret_since;
	out->paused = paused;
	out->to_triage = (out->triaged ? triage_at : end) - sub_at;
	out->to_decision = end - sub_at - paused;
	out->running = !stopped && !in_returned;
}

enum assay_sla_status assay_sla_status(int64_t elapsed, int64_t target)
{
	if (target <= 0)
		return ASSAY_SLA_NONE;
	if (elapsed > target)
		return ASSAY_SLA_BREACH;
	/* elapsed >= 0.8 target, in integers: 5 elapsed >= 4 target */
	return elapsed * 5 >= target * 4 ? ASSAY_SLA_WARNING : ASSAY_SLA_OK;
}

const char *assay_sla_status_name(enum assay_sla_status s)
{
	switch (s) {
	case ASSAY_SLA_OK:
		return "ok";
	case ASSAY_SLA_WARNING:
		return "warning";
	case ASSAY_SLA_BREACH:
		return "breach";
	default:
		return "none";
	}
}
