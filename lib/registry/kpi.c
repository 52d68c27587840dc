/* kpi.c: the governance KPIs (assay/kpi.h) from timestamped state-change
 * events. Each entity's history is its events sorted by time; a KPI is a
 * count or a ratio over the entities whose defining moment falls in the
 * half-open period [since, until). Formulas (docs/kpi.md repeats them):
 *
 * - throughput: reviews that entered `decided` in the period;
 *   submitted: reviews whose first non-draft state falls in the period.
 * - time to triage: for reviews that reached triage in the period, hours
 *   from submission to triage; time to decision: for reviews decided in
 *   the period, hours from submission to decision minus hours spent in
 *   `returned` (assay_sla_compute). Median and p90 by linear interpolation
 *   (assay_kpi_quantile); share within SLA = durations <= the tier's target
 *   / durations (of reviews whose tier has a target).
 * - evidence completeness: sum of satisfied / sum of required evidence
 *   over systems whose latest snapshot before `until` is not retired.
 * - high-risk launch compliance: (system, release) pairs of tier high with
 *   a gate run in the period; compliant when the last run in the period
 *   passed (a pass needs all required evidence, or waivers covering what
 *   is missing: the gate's own rules). Counted for tier high only.
 * - ageing: findings open, in_progress or resolved at `until`, by
 *   severity, in buckets of whole days since creation: 0-30, 31-60,
 *   61-90, >90; share overdue = those with a due date before `until` /
 *   those open.
 * - exception rate: findings created in the period that were risk-accepted
 *   through a waiver before `until` / findings created in the period.
 * - repeat finding rate: findings created in the period flagged as repeats
 *   (same fingerprint as an earlier resolved or closed finding) / findings
 *   created in the period.
 * - incident rate per system per month: incidents opened in the period /
 *   (systems not retired at `until` x months in the period), a month being
 *   30.436875 days (365.2425 / 12).
 * - monitoring coverage: deployed systems at `until` holding monitoring
 *   evidence collected before `until` and not expired at it / deployed
 *   systems.
 * - evaluation automation coverage: evaluation evidence recorded in the
 *   period by CI / evaluation evidence recorded in the period.
 * Ratios with a zero denominator are NaN ("n/a"), never 0 or 1.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assay/kpi.h"
#include "assay/workflow.h"

const char *const assay_kpi_severity_names[ASSAY_KPI_SEVERITIES] = {"low", "medium", "high", "critical"};
const char *const assay_kpi_bucket_names[ASSAY_KPI_BUCKETS] = {"0-30", "31-60", "61-90", ">90"};

#define MONTH_SECONDS (365.2425 / 12.0 * 86400.0)

double assay_kpi_quantile(const double *x, size_t n, double p)
{
	if (!n)
		return NAN;
	double h = (double)(n - 1) * p;
	size_t lo = (size_t)floor(h);
	if (lo + 1 >= n)
		return x[n - 1];
	return x[lo] + (h - (double)lo) * (x[lo + 1] - x[lo]);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double ratio(size_t num, size_t den)
{
	return den ? (double)num / (double)den : NAN;
}

static int streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* Sort order: kind, entity, time, then input order (stable). */
struct item {
	const struct assay_kpi_event *e;
	size_t idx;
};

static int cmp_item(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;
	if (a->e->kind != b->e->kind)
		return a->e->kind < b->e->kind ? -1 : 1;
	int c = strcmp(a->e->entity ? a->e->entity : "", b->e->entity ? b->e->entity : "");
	if (c)
		return c;
	if (a->e->at != b->e->at)
		return a->e->at < b->e->at ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int in_period(int64_t t, int64_t since, int64_t until)
{
	return t >= since && t < until;
}

static int tier_ok(const char *want, const char *have)
{
	return !want || streq(want, have);
}

static int64_t target_of(const struct assay_kpi_sla *sla, size_t nsla, const char *tier, int decision)
{
	for (size_t i = 0; i < nsla; i++)
		if (streq(sla[i].tier, tier))
			return decision ? sla[i].decision : sla[i].triage;
	return 0;
}

struct acc {
	double *triage, *decision;
	size_t ntri, ndec, tri_targeted, dec_targeted;
};

static void fold_dist(double *v, size_t n, size_t targeted, size_t within, struct assay_kpi_dist *d)
{
	qsort(v, n, sizeof *v, cmp_double);
	d->n = n;
	d->within = within;
	d->median = assay_kpi_quantile(v, n, 0.5);
	d->p90 = assay_kpi_quantile(v, n, 0.9);
	d->within_sla = ratio(within, targeted);
}

/* One review: g[0..n) its events in time order. */
static void review(const struct item *g, size_t n, const struct assay_kpi_sla *sla, size_t nsla,
                   int64_t since, int64_t until, struct acc *acc, struct assay_kpi_result *r,
                   size_t *tri_within, size_t *dec_within)
{
	struct assay_wf_stamp h[64] = {{0, 0}};
	size_t k = 0;
	const char *tier = NULL;
	int64_t sub_at = -1, tri_at = -1, dec_at = -1;
	for (size_t i = 0; i < n && k < 64; i++) {
		const struct assay_kpi_event *e = g[i].e;
		if (e->at >= until)
			break;
		int s = assay_wf_state_parse(ASSAY_WF_REVIEW, e->state);
		if (s < 0)
			continue;
		if (e->tier)
			tier = e->tier;
		h[k++] = (struct assay_wf_stamp){e->at, s};
		if (sub_at < 0 && s != ASSAY_RS_DRAFT)
			sub_at = e->at;
		if (tri_at < 0 && (s == ASSAY_RS_TRIAGE || s == ASSAY_RS_IN_REVIEW))
			tri_at = e->at;
		if (dec_at < 0 && s == ASSAY_RS_DECIDED)
			dec_at = e->at;
	}
	if (!tier_ok(r->tier, tier))
		return;
	if (sub_at >= 0 && in_period(sub_at, since, until))
		r->submitted++;
	struct assay_sla_clock c;
	assay_sla_compute(h, k, until, &c);
	if (tri_at >= 0 && in_period(tri_at, since, until)) {
		int64_t t = target_of(sla, nsla, tier, 0);
		acc->triage[acc->ntri++] = (double)c.to_triage / 3600.0;
		acc->tri_targeted += t > 0;
		*tri_within += t > 0 && c.to_triage <= t;
	}
	if (dec_at >= 0 && in_period(dec_at, since, until)) {
		int64_t t = target_of(sla, nsla, tier, 1);
		r->throughput++;
		acc->decision[acc->ndec++] = (double)c.to_decision / 3600.0;
		acc->dec_targeted += t > 0;
		*dec_within += t > 0 && c.to_decision <= t;
	}
}

static int sev_index(const char *s)
{
	for (int i = 0; i < ASSAY_KPI_SEVERITIES; i++)
		if (streq(s, assay_kpi_severity_names[i]))
			return i;
	return -1;
}

static void finding(const struct item *g, size_t n, int64_t since, int64_t until, struct assay_kpi_result *r)
{
	const struct assay_kpi_event *first = g[0].e, *last = NULL;
	if (first->at >= until || !tier_ok(r->tier, first->tier))
		return;
	int waived = 0;
	for (size_t i = 0; i < n && g[i].e->at < until; i++) {
		last = g[i].e;
		waived |= streq(last->state, "risk_accepted");
	}
	if (in_period(first->at, since, until)) {
		r->findings_created++;
		r->findings_waived += waived;
		r->findings_repeat += first->flag != 0;
	}
	if (streq(last->state, "open") || streq(last->state, "in_progress") ||
	    streq(last->state, "resolved")) {
		int sv = sev_index(first->severity);
		int64_t days = (until - first->at) / 86400;
		int b = days <= 30 ? 0 : days <= 60 ? 1 : days <= 90 ? 2 : 3;
		if (sv >= 0)
			r->ageing[sv][b]++;
		r->open_findings++;
		int64_t due = last->due ? last->due : first->due;
		r->overdue_findings += due && due < until;
	}
}

static void incident(const struct item *g, int64_t since, int64_t until, struct assay_kpi_result *r)
{
	if (in_period(g[0].e->at, since, until) && tier_ok(r->tier, g[0].e->tier))
		r->incidents++;
}

struct launch {
	const char *system, *release;
	int64_t at;
	int pass;
};

static void system_snap(const struct item *g, size_t n, const struct item *evid, size_t nev, int64_t until,
                        struct assay_kpi_result *r)
{
	const struct assay_kpi_event *last = NULL;
	for (size_t i = 0; i < n && g[i].e->at < until; i++)
		last = g[i].e;
	if (!last || streq(last->state, "retired") || !tier_ok(r->tier, last->tier))
		return;
	r->systems++;
	r->ev_required += last->required;
	r->ev_satisfied += last->satisfied < last->required ? last->satisfied : last->required;
	if (!streq(last->state, "deployed"))
		return;
	r->deployed++;
	for (size_t i = 0; i < nev; i++) {
		const struct assay_kpi_event *e = evid[i].e;
		if (streq(e->system, last->system) && streq(e->category, "monitoring") && e->at < until &&
		    (!e->due || e->due > until)) {
			r->monitored++;
			return;
		}
	}
}

int assay_kpi_compute(const struct assay_kpi_event *ev, size_t n, const struct assay_kpi_sla *sla,
                      size_t nsla, int64_t since, int64_t until, const char *tier,
                      struct assay_kpi_result *out, struct assay_error *err)
{
	*out = (struct assay_kpi_result){.tier = tier};
	struct item *it = malloc((n ? n : 1) * sizeof *it);
	double *dur = malloc((n ? n : 1) * 2 * sizeof *dur);
	struct launch *ln = malloc((n ? n : 1) * sizeof *ln);
	if (!it || !dur || !ln) {
		free(it);
		free(dur);
		free(ln);
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory computing KPIs");
	}
	for (size_t i = 0; i < n; i++)
		it[i] = (struct item){&ev[i], i};
	qsort(it, n, sizeof *it, cmp_item);
	/* evidence events form one run (same kind), found once for the snapshots */
	size_t ev_lo = 0, ev_n = 0;
	for (size_t i = 0; i < n; i++)
		if (it[i].e->kind == ASSAY_KEV_EVIDENCE) {
			if (!ev_n)
				ev_lo = i;
			ev_n++;
		}
	struct acc acc = {dur, dur + n, 0, 0, 0, 0};
	size_t tri_within = 0, dec_within = 0, nl = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && it[j].e->kind == it[i].e->kind &&
		       strcmp(it[j].e->entity ? it[j].e->entity : "",
		              it[i].e->entity ? it[i].e->entity : "") == 0)
			j++;
		const struct assay_kpi_event *e = it[i].e;
		switch (e->kind) {
		case ASSAY_KEV_REVIEW:
			review(it + i, j - i, sla, nsla, since, until, &acc, out, &tri_within, &dec_within);
			break;
		case ASSAY_KEV_FINDING:
			finding(it + i, j - i, since, until, out);
			break;
		case ASSAY_KEV_INCIDENT:
			incident(it + i, since, until, out);
			break;
		case ASSAY_KEV_SYSTEM:
			system_snap(it + i, j - i, it + ev_lo, ev_n, until, out);
			break;
		case ASSAY_KEV_GATE:
			for (size_t k = i; k < j; k++)
				if (in_period(it[k].e->at, since, until) && streq(it[k].e->tier, "high") &&
				    tier_ok(tier, "high"))
					ln[nl++] =
					    (struct launch){it[k].e->system, it[k].e->release, it[k].e->at,
					                    streq(it[k].e->state, "pass")};
			break;
		case ASSAY_KEV_WAIVER: /* exceptions are counted on the findings they cover */
			break;
		case ASSAY_KEV_EVIDENCE:
			for (size_t k = i; k < j; k++)
				if (streq(it[k].e->category, "evaluation") &&
				    in_period(it[k].e->at, since, until) && tier_ok(tier, it[k].e->tier)) {
					out->evaluations++;
					out->evaluations_ci += it[k].e->flag != 0;
				}
			break;
		}
		i = j;
	}
	/* launches: the last gate run per (system, release) decides */
	for (size_t k = 0; k < nl; k++) {
		int latest = 1, first = 1;
		for (size_t m = 0; m < nl; m++) {
			if (m == k || !streq(ln[m].system, ln[k].system) ||
			    !streq(ln[m].release, ln[k].release))
				continue;
			if (ln[m].at > ln[k].at || (ln[m].at == ln[k].at && m > k))
				latest = 0;
			if (m < k)
				first = 0;
		}
		out->launches += first;
		out->launches_compliant += latest && ln[k].pass;
	}
	fold_dist(acc.triage, acc.ntri, acc.tri_targeted, tri_within, &out->triage);
	fold_dist(acc.decision, acc.ndec, acc.dec_targeted, dec_within, &out->decision);
	out->evidence_completeness = ratio(out->ev_satisfied, out->ev_required);
	out->launch_compliance = ratio(out->launches_compliant, out->launches);
	out->share_overdue = ratio(out->overdue_findings, out->open_findings);
	out->exception_rate = ratio(out->findings_waived, out->findings_created);
	out->repeat_rate = ratio(out->findings_repeat, out->findings_created);
	out->months = (double)(until - since) / MONTH_SECONDS;
	out->incident_rate = out->systems && out->months > 0
	                         ? (double)out->incidents / ((double)out->systems * out->months)
	                         : NAN;
	out->monitoring_coverage = ratio(out->monitored, out->deployed);
	out->evaluation_automation = ratio(out->evaluations_ci, out->evaluations);
	free(it);
	free(dur);
	free(ln);
	return 0;
}

static const char *const TIERS[4] = {"prohibited", "high", "medium", "low"};

int assay_kpi_report_build(const struct assay_kpi_event *ev, size_t n, const struct assay_kpi_sla *sla,
                           size_t nsla, int64_t since, int64_t until, struct assay_arena *a,
                           struct assay_kpi_report *out, struct assay_error *err)
{
	if (until <= since)
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0, "--until must be after --since");
	out->since = since;
	out->until = until;
	out->nevents = n;
	int rc = assay_kpi_compute(ev, n, sla, nsla, since, until, NULL, &out->all, err);
	for (int t = 0; !rc && t < 4; t++)
		rc = assay_kpi_compute(ev, n, sla, nsla, since, until, TIERS[t], &out->tiers[t], err);
	if (rc)
		return rc;
	/* calendar months overlapping the period, each clipped to it */
	char s[32];
	assay_wf_time_format(since, s, sizeof s);
	int y = atoi(s), m = atoi(s + 5);
	out->months = assay_arena_calloc(a, 120, sizeof *out->months);
	if (!out->months)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	out->nmonths = 0;
	while (out->nmonths < 120) {
		char d[16];
		snprintf(d, sizeof d, "%04d-%02d-01", y, m);
		int64_t lo, hi;
		assay_wf_time_parse(d, "month", &lo, err);
		if (lo >= until)
			break;
		if (++m > 12) {
			m = 1;
			y++;
		}
		snprintf(d, sizeof d, "%04d-%02d-01", y, m);
		assay_wf_time_parse(d, "month", &hi, err);
		struct assay_kpi_month *mo = &out->months[out->nmonths++];
		char lab[16];
		assay_wf_time_format(lo, lab, sizeof lab);
		memcpy(mo->label, lab, 7);
		mo->label[7] = '\0';
		rc = assay_kpi_compute(ev, n, sla, nsla, lo > since ? lo : since, hi < until ? hi : until,
		                       NULL, &mo->r, err);
		if (rc)
			return rc;
	}
	return 0;
}
