/* review.c: re-review triggers. A decision stays valid until one of the
 * triggers of issue 6 ("Reviews") fires: its validity date passes, a
 * hashed model, data or prompt version changes, the intended purpose
 * changes, an incident is opened, a monitoring threshold is breached, the
 * policy pack version changes, or a waiver expires. Each fired trigger
 * says why, with the values compared. Pure: the caller gathers what the
 * decision saw and what is true now (review_store.c does, from the
 * registry); unknown values (NULL) never fire.
 */
#include <stdio.h>
#include <string.h>

#include "assay/workflow.h"

static const char *const NAMES[] = {"validity", "model",      "data",   "prompt", "purpose",
                                    "incident", "monitoring", "policy", "waiver"};
_Static_assert(sizeof NAMES / sizeof *NAMES == ASSAY_RR_COUNT, "trigger names");

const char *assay_rereview_trigger_name(enum assay_rereview_trigger t)
{
	return (unsigned)t < ASSAY_RR_COUNT ? NAMES[t] : "?";
}

struct acc {
	struct assay_rereview_reason *out;
	size_t cap, n;
};

static struct assay_rereview_reason *next(struct acc *a, enum assay_rereview_trigger t)
{
	size_t i = a->n++;
	if (i >= a->cap)
		return NULL;
	a->out[i].trigger = t;
	return &a->out[i];
}

/* Hashes are shown by their first 12 hex digits: enough to tell apart. */
static void changed(struct acc *a, enum assay_rereview_trigger t, const char *what, const char *then,
                    const char *now, int shorten)
{
	if (!then || !now || strcmp(then, now) == 0)
		return;
	struct assay_rereview_reason *r = next(a, t);
	if (r)
		snprintf(r->message, sizeof r->message, "%s changed since the decision: %.*s -> %.*s", what,
		         shorten ? 12 : 100, then, shorten ? 12 : 100, now);
}

size_t assay_rereview_check(const struct assay_rereview_input *in, struct assay_rereview_reason *out,
                            size_t cap)
{
	struct acc a = {out, cap, 0};
	struct assay_rereview_reason *r;
	if (in->valid_until && in->now > in->valid_until && (r = next(&a, ASSAY_RR_VALIDITY))) {
		char when[32];
		assay_wf_time_format(in->valid_until, when, sizeof when);
		snprintf(r->message, sizeof r->message, "the decision was valid until %s", when);
	}
	changed(&a, ASSAY_RR_MODEL, "model hash", in->model_hash_then, in->model_hash_now, 1);
	changed(&a, ASSAY_RR_DATA, "data hash", in->data_hash_then, in->data_hash_now, 1);
	changed(&a, ASSAY_RR_PROMPT, "prompt hash", in->prompt_hash_then, in->prompt_hash_now, 1);
	changed(&a, ASSAY_RR_PURPOSE, "intended purpose", in->purpose_then, in->purpose_now, 0);
	if (in->incidents_since && (r = next(&a, ASSAY_RR_INCIDENT)))
		snprintf(r->message, sizeof r->message,
		         "%zu incident(s) opened since the decision (first %s)", in->incidents_since,
		         in->first_incident ? in->first_incident : "?");
	if (in->monitor_breaches && (r = next(&a, ASSAY_RR_MONITOR)))
		snprintf(r->message, sizeof r->message,
		         "%zu monitoring threshold breach(es) since the decision", in->monitor_breaches);
	changed(&a, ASSAY_RR_POLICY, "policy pack version", in->policy_version_then, in->policy_version_now,
	        0);
	if (in->waivers_expired && (r = next(&a, ASSAY_RR_WAIVER)))
		snprintf(r->message, sizeof r->message, "%zu waiver(s) expired since the decision (first %s)",
		         in->waivers_expired, in->first_waiver ? in->first_waiver : "?");
	return a.n;
}
