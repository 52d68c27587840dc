/* assay/kpi.h: the governance KPIs of a Responsible AI function (issue 6,
 * "KPIs"), computed from a list of timestamped events, never from
 * hand-entered numbers. The registry turns its state-change history (the
 * rows written in the same transaction as each audit event, carrying the
 * same timestamps) into this list (kpi_store.c); this module only counts.
 * Every formula is in docs/kpi.md and next to the code in kpi.c.
 */
#ifndef ASSAY_KPI_H
#define ASSAY_KPI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "assay/arena.h"
#include "assay/error.h"

enum assay_kpi_kind {
	ASSAY_KEV_REVIEW,   /* a review entered `state` (assay/workflow.h names) */
	ASSAY_KEV_FINDING,  /* a finding entered `state`; severity, due, flag = repeat */
	ASSAY_KEV_WAIVER,   /* a waiver entered `state` */
	ASSAY_KEV_INCIDENT, /* an incident entered `state` ("open" first) */
	ASSAY_KEV_GATE,     /* a gate run: state "pass" or "fail", release */
	ASSAY_KEV_SYSTEM,   /* a system snapshot: state lifecycle stage, required/satisfied evidence */
	ASSAY_KEV_EVIDENCE, /* evidence recorded: category, flag = collected by CI, due = expiry (0 none) */
};

struct assay_kpi_event {
	int64_t at;
	enum assay_kpi_kind kind;
	const char *entity; /* id of the review, finding, waiver, incident, gate run, evidence */
	const char *system; /* slug */
	const char *tier;   /* tier of the system (of the review: as frozen at triage) */
	const char *state;
	const char *severity;       /* findings: low, medium, high, critical */
	const char *release;        /* gate runs */
	const char *category;       /* evidence: "evaluation", "monitoring" or "other" */
	int64_t due;                /* findings: due date; evidence: expiry; 0 none */
	int flag;                   /* findings: repeat; evidence: from CI */
	size_t required, satisfied; /* system snapshots: evidence counts */
};

/* SLA targets of one tier, seconds (0: none), from the policy pack. */
struct assay_kpi_sla {
	const char *tier;
	int64_t triage, decision;
};

/* A duration distribution in hours; NaN when n == 0 (within_sla NaN also
 * when the tier has no target). */
struct assay_kpi_dist {
	size_t n, within;
	double median, p90, within_sla;
};

enum { ASSAY_KPI_SEVERITIES = 4, ASSAY_KPI_BUCKETS = 4 };
extern const char *const assay_kpi_severity_names[ASSAY_KPI_SEVERITIES]; /* low .. critical */
extern const char *const assay_kpi_bucket_names[ASSAY_KPI_BUCKETS];      /* "0-30" .. ">90" */

/* Every ratio is NaN when its denominator is 0 (shown as "n/a"). */
struct assay_kpi_result {
	const char *tier; /* NULL: every tier */
	size_t submitted, throughput;
	struct assay_kpi_dist triage, decision;
	size_t ev_required, ev_satisfied;
	double evidence_completeness;
	size_t launches, launches_compliant;
	double launch_compliance;
	size_t ageing[ASSAY_KPI_SEVERITIES][ASSAY_KPI_BUCKETS];
	size_t open_findings, overdue_findings;
	double share_overdue;
	size_t findings_created, findings_waived, findings_repeat;
	double exception_rate, repeat_rate;
	size_t incidents, systems;
	double months, incident_rate;
	size_t deployed, monitored;
	double monitoring_coverage;
	size_t evaluations, evaluations_ci;
	double evaluation_automation;
};

/* KPIs over [since, until) for one tier (NULL: all). events need not be
 * sorted; strings are borrowed. */
int assay_kpi_compute(const struct assay_kpi_event *ev, size_t n, const struct assay_kpi_sla *sla,
                      size_t nsla, int64_t since, int64_t until, const char *tier,
                      struct assay_kpi_result *out, struct assay_error *err);

/* Linear-interpolation quantile of sorted x[0..n) (numpy's default,
 * Hyndman-Fan type 7): h = (n-1)p, x[floor h] + (h - floor h)(x[floor h+1] -
 * x[floor h]). NaN when n == 0. */
double assay_kpi_quantile(const double *sorted, size_t n, double p);

/* A whole report: the period, every tier, and a monthly trend. */
struct assay_kpi_month {
	char label[8]; /* "2026-10" */
	struct assay_kpi_result r;
};

struct assay_kpi_report {
	int64_t since, until;
	const char *generated, *version; /* for the JSON header */
	int64_t audit_seq;               /* the audit chain's head the KPIs were computed from */
	const char *audit_hash;
	size_t nevents;
	struct assay_kpi_result all;
	struct assay_kpi_result tiers[4]; /* prohibited, high, medium, low */
	size_t nmonths;
	struct assay_kpi_month *months; /* calendar months overlapping [since, until), at most 120 */
};

int assay_kpi_report_build(const struct assay_kpi_event *ev, size_t n, const struct assay_kpi_sla *sla,
                           size_t nsla, int64_t since, int64_t until, struct assay_arena *a,
                           struct assay_kpi_report *out, struct assay_error *err);

/* Renderers: "text", "json" (schema assay.kpi/1), "md", "html" (trend
 * charts as inline SVG). ASSAY_EUSAGE for an unknown format. */
int assay_kpi_render(const struct assay_kpi_report *r, const char *format, FILE *out,
                     struct assay_error *err);

#endif
