/* test_kpi.c: KPI oracle test. A hand-built month of governance activity
 * (four systems, six reviews, eight findings, three incidents, gate runs
 * and evidence), and every KPI's value worked out by hand below, before
 * the code ran. Period: [2026-10-01, 2026-11-01), 31 days.
 * SLA targets: high triage 48 h, decision 240 h; medium 24 h, 120 h.
 *
 * Reviews
 *   R1 credit/high: submitted 10-01, triage 10-02 (24 h), in_review 10-02,
 *      returned 10-03 .. 10-06 (3 days paused), decided 10-08:
 *      decision = 7 d - 3 d = 96 h (within 240), triage 24 h (within 48)
 *   R2 hiring/high: submitted 09-28, triage 10-03 (120 h, not within 48),
 *      decided 10-20: 22 d = 528 h (not within 240)
 *   R3 chat/medium: submitted 10-10, triage 10-10T12 (12 h within 24),
 *      decided 10-12: 48 h (within 120)
 *   R4 credit/high: submitted 10-25, triage 10-28 (72 h, not within 48)
 *   R5 hiring/high: all in September: counts nowhere
 *   R6 chat/medium: a draft from 10-29, never submitted
 *   submitted in period: R1, R3, R4 = 3; throughput (decided): R1, R2, R3 = 3
 *   triage hours sorted [12, 24, 72, 120]: median h=1.5 -> 24 + .5*48 = 48;
 *     p90 h=2.7 -> 72 + .7*48 = 105.6; within SLA 2/4 = 0.5
 *   decision hours sorted [48, 96, 528]: median 96; p90 h=1.8 -> 96 +
 *     .8*432 = 441.6; within SLA 2/3
 *   tier high only: triage [24, 72, 120] median 72, p90 72 + .8*48 =
 *     110.4; decision [96, 528] median 312, p90 96 + .9*432 = 484.8
 * Systems (snapshots 09-01; "old" retired 10-15)
 *   credit high deployed 3/4 evidence, hiring high validate 4/4, chat
 *   medium deployed 1/2, old low retired: 3 systems, completeness 8/10 =
 *   0.8 (high: 7/8 = 0.875)
 *   monitoring: credit has monitoring evidence (no expiry), chat's expired
 *   10-20: 1 of 2 deployed = 0.5
 *   evaluation evidence in period: credit ci, hiring manual, chat ci (and a
 *   September one, outside): 2/3
 * Findings (at until 11-01)
 *   F1 credit high, created 08-01, due 09-30, open: 92 days -> >90, overdue
 *   F2 credit medium, created 10-05, due 12-01, in_progress: 27 d -> 0-30
 *   F3 hiring critical, created 09-10, risk_accepted 10-12: not open
 *   F4 chat low, created 10-02, a repeat, resolved then closed: not open
 *   F5 credit high, created 10-03, risk_accepted 10-21: not open
 *   F6 hiring high, created 09-15, due 10-15, open: 47 d -> 31-60, overdue
 *   F7 chat medium, created 08-20, no due date, open: 73 d -> 61-90
 *   F8 created 11-05: after the period, counts nowhere
 *   open 4, overdue 2 -> 0.5; created in period F2, F4, F5 = 3:
 *   exception rate 1/3 (F5), repeat rate 1/3 (F4)
 * Incidents: credit 10-10 and 10-20 (a second event on the same incident
 *   10-21 does not count again), chat 09-25 outside: 2 incidents;
 *   months = 31 / 30.436875 = 1.01850141; rate = 2 / (3 * 1.01850141) =
 *   2 / 3.05550422 = 0.65455645 (high: 2 / 2.03700281 = 0.98183468)
 * Gate runs (high tier): credit 2.3 fail 10-07 then pass 10-09: compliant;
 *   hiring 1.0 pass 10-21 then fail 10-25: not; chat (medium) ignored;
 *   credit 2.2 in September ignored: 1 of 2 = 0.5
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assay/kpi.h"
#include "assay/workflow.h"

static int64_t T(const char *s)
{
	struct assay_error err;
	int64_t t = 0;
	if (assay_wf_time_parse(s, "fixture", &t, &err))
		fail_msg("bad fixture date %s", s);
	return t;
}

#define REV(at, id, sys, tier, st)                                                                           \
	{                                                                                                    \
		T(at), ASSAY_KEV_REVIEW, id, sys, tier, st, NULL, NULL, NULL, 0, 0, 0, 0                     \
	}
#define FND(at, id, sys, tier, st, sev, due, rep)                                                            \
	{                                                                                                    \
		T(at), ASSAY_KEV_FINDING, id, sys, tier, st, sev, NULL, NULL, due, rep, 0, 0                 \
	}
#define SYSTEM(at, sys, tier, st, req, sat)                                                                  \
	{                                                                                                    \
		T(at), ASSAY_KEV_SYSTEM, sys, sys, tier, st, NULL, NULL, NULL, 0, 0, req, sat                \
	}
#define EVID(at, id, sys, tier, cat, exp, ci)                                                                \
	{                                                                                                    \
		T(at), ASSAY_KEV_EVIDENCE, id, sys, tier, NULL, NULL, NULL, cat, exp, ci, 0, 0               \
	}
#define INC(at, id, sys, tier, st)                                                                           \
	{                                                                                                    \
		T(at), ASSAY_KEV_INCIDENT, id, sys, tier, st, NULL, NULL, NULL, 0, 0, 0, 0                   \
	}
#define GATE(at, id, sys, tier, st, rel)                                                                     \
	{                                                                                                    \
		T(at), ASSAY_KEV_GATE, id, sys, tier, st, NULL, rel, NULL, 0, 0, 0, 0                        \
	}

static struct assay_kpi_event ev[80];
static size_t nev;

static void build(void)
{
	const struct assay_kpi_event fixture[] = {
	    REV("2026-10-01", "R1", "credit", "high", "submitted"),
	    REV("2026-10-02", "R1", "credit", "high", "triage"),
	    REV("2026-10-02", "R1", "credit", "high", "in_review"),
	    REV("2026-10-03", "R1", "credit", "high", "returned"),
	    REV("2026-10-06", "R1", "credit", "high", "in_review"),
	    REV("2026-10-08", "R1", "credit", "high", "decided"),
	    REV("2026-09-28", "R2", "hiring", "high", "submitted"),
	    REV("2026-10-03", "R2", "hiring", "high", "triage"),
	    REV("2026-10-03", "R2", "hiring", "high", "in_review"),
	    REV("2026-10-20", "R2", "hiring", "high", "decided"),
	    REV("2026-10-10", "R3", "chat", "medium", "submitted"),
	    REV("2026-10-10T12:00:00Z", "R3", "chat", "medium", "triage"),
	    REV("2026-10-10T12:00:00Z", "R3", "chat", "medium", "in_review"),
	    REV("2026-10-12", "R3", "chat", "medium", "decided"),
	    REV("2026-10-25", "R4", "credit", "high", "submitted"),
	    REV("2026-10-28", "R4", "credit", "high", "triage"),
	    REV("2026-09-01", "R5", "hiring", "high", "submitted"),
	    REV("2026-09-02", "R5", "hiring", "high", "triage"),
	    REV("2026-09-02", "R5", "hiring", "high", "in_review"),
	    REV("2026-09-05", "R5", "hiring", "high", "decided"),
	    REV("2026-10-29", "R6", "chat", "medium", "draft"),
	    SYSTEM("2026-09-01", "credit", "high", "deployed", 4, 3),
	    SYSTEM("2026-09-01", "hiring", "high", "validate", 4, 4),
	    SYSTEM("2026-09-01", "chat", "medium", "deployed", 2, 1),
	    SYSTEM("2026-09-01", "old", "low", "deployed", 1, 1),
	    SYSTEM("2026-10-15", "old", "low", "retired", 1, 1),
	    EVID("2026-09-10", "E1", "credit", "high", "monitoring", 0, 1),
	    EVID("2026-09-10", "E2", "chat", "medium", "monitoring", T("2026-10-20"), 1),
	    EVID("2026-10-05", "E3", "credit", "high", "evaluation", 0, 1),
	    EVID("2026-10-06", "E4", "hiring", "high", "evaluation", 0, 0),
	    EVID("2026-10-07", "E5", "chat", "medium", "evaluation", 0, 1),
	    EVID("2026-09-20", "E6", "credit", "high", "evaluation", 0, 1),
	    FND("2026-08-01", "F1", "credit", "high", "open", "high", T("2026-09-30"), 0),
	    FND("2026-10-05", "F2", "credit", "high", "open", "medium", T("2026-12-01"), 0),
	    FND("2026-10-06", "F2", "credit", "high", "in_progress", "medium", T("2026-12-01"), 0),
	    FND("2026-09-10", "F3", "hiring", "high", "open", "critical", T("2026-10-10"), 0),
	    FND("2026-10-12", "F3", "hiring", "high", "risk_accepted", "critical", T("2026-10-10"), 0),
	    FND("2026-10-02", "F4", "chat", "medium", "open", "low", 0, 1),
	    FND("2026-10-04", "F4", "chat", "medium", "resolved", "low", 0, 1),
	    FND("2026-10-05", "F4", "chat", "medium", "closed", "low", 0, 1),
	    FND("2026-10-03", "F5", "credit", "high", "open", "high", T("2026-10-20"), 0),
	    FND("2026-10-21", "F5", "credit", "high", "risk_accepted", "high", T("2026-10-20"), 0),
	    FND("2026-09-15", "F6", "hiring", "high", "open", "high", T("2026-10-15"), 0),
	    FND("2026-08-20", "F7", "chat", "medium", "open", "medium", 0, 0),
	    FND("2026-11-05", "F8", "credit", "high", "open", "low", 0, 0),
	    INC("2026-10-10", "I1", "credit", "high", "open"),
	    INC("2026-10-20", "I2", "credit", "high", "open"),
	    INC("2026-10-21", "I2", "credit", "high", "contained"),
	    INC("2026-09-25", "I3", "chat", "medium", "open"),
	    GATE("2026-10-07", "G1", "credit", "high", "fail", "2.3"),
	    GATE("2026-10-09", "G2", "credit", "high", "pass", "2.3"),
	    GATE("2026-10-21", "G3", "hiring", "high", "pass", "1.0"),
	    GATE("2026-10-25", "G4", "hiring", "high", "fail", "1.0"),
	    GATE("2026-10-26", "G5", "chat", "medium", "fail", "5"),
	    GATE("2026-09-15", "G6", "credit", "high", "pass", "2.2"),
	};
	nev = sizeof fixture / sizeof *fixture;
	/* shuffled order must not matter: store them reversed */
	for (size_t i = 0; i < nev; i++)
		ev[i] = fixture[nev - 1 - i];
}

static const struct assay_kpi_sla SLA[] = {{"high", 48 * 3600, 240 * 3600},
                                           {"medium", 24 * 3600, 120 * 3600}};

static void compute(const char *tier, struct assay_kpi_result *r)
{
	struct assay_error err;
	build();
	assert_int_equal(assay_kpi_compute(ev, nev, SLA, 2, T("2026-10-01"), T("2026-11-01"), tier, r, &err),
	                 0);
}

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-9)

static void reviews(void **state)
{
	(void)state;
	struct assay_kpi_result r;
	compute(NULL, &r);
	assert_int_equal(r.submitted, 3);
	assert_int_equal(r.throughput, 3);
	assert_int_equal(r.triage.n, 4);
	NEAR(r.triage.median, 48.0);
	NEAR(r.triage.p90, 105.6);
	NEAR(r.triage.within_sla, 0.5);
	assert_int_equal(r.decision.n, 3);
	NEAR(r.decision.median, 96.0);
	NEAR(r.decision.p90, 441.6);
	NEAR(r.decision.within_sla, 2.0 / 3.0);
	compute("high", &r);
	NEAR(r.triage.median, 72.0);
	NEAR(r.triage.p90, 110.4);
	NEAR(r.decision.median, 312.0);
	NEAR(r.decision.p90, 484.8);
}

static void evidence_and_coverage(void **state)
{
	(void)state;
	struct assay_kpi_result r;
	compute(NULL, &r);
	assert_int_equal(r.systems, 3);
	assert_int_equal(r.ev_required, 10);
	assert_int_equal(r.ev_satisfied, 8);
	NEAR(r.evidence_completeness, 0.8);
	assert_int_equal(r.deployed, 2);
	NEAR(r.monitoring_coverage, 0.5);
	NEAR(r.evaluation_automation, 2.0 / 3.0);
	compute("high", &r);
	NEAR(r.evidence_completeness, 0.875);
}

static void findings(void **state)
{
	(void)state;
	struct assay_kpi_result r;
	compute(NULL, &r);
	assert_int_equal(r.open_findings, 4);
	assert_int_equal(r.ageing[2][3], 1); /* high, >90: F1 */
	assert_int_equal(r.ageing[1][0], 1); /* medium, 0-30: F2 */
	assert_int_equal(r.ageing[2][1], 1); /* high, 31-60: F6 */
	assert_int_equal(r.ageing[1][2], 1); /* medium, 61-90: F7 */
	size_t total = 0;
	for (int s = 0; s < 4; s++)
		for (int b = 0; b < 4; b++)
			total += r.ageing[s][b];
	assert_int_equal(total, 4);
	NEAR(r.share_overdue, 0.5);
	assert_int_equal(r.findings_created, 3);
	NEAR(r.exception_rate, 1.0 / 3.0);
	NEAR(r.repeat_rate, 1.0 / 3.0);
}

static void incidents_and_launches(void **state)
{
	(void)state;
	struct assay_kpi_result r;
	compute(NULL, &r);
	assert_int_equal(r.incidents, 2);
	NEAR(r.months, 31.0 / 30.436875);
	assert_true(fabs(r.incident_rate - 0.65455645) < 1e-8);
	assert_int_equal(r.launches, 2);
	NEAR(r.launch_compliance, 0.5);
	compute("high", &r);
	assert_true(fabs(r.incident_rate - 0.98183468) < 1e-8);
	compute("low", &r);
	assert_true(isnan(r.launch_compliance)); /* 0/0 is n/a, never 0 or 1 */
	assert_true(isnan(r.evidence_completeness));
}

static void quantile_edges(void **state)
{
	(void)state;
	double one[] = {5.0}, two[] = {1.0, 3.0};
	assert_true(isnan(assay_kpi_quantile(NULL, 0, 0.5)));
	NEAR(assay_kpi_quantile(one, 1, 0.9), 5.0);
	NEAR(assay_kpi_quantile(two, 2, 0.5), 2.0);
	NEAR(assay_kpi_quantile(two, 2, 1.0), 3.0);
}

static void report_and_json(void **state)
{
	(void)state;
	struct assay_error err;
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct assay_kpi_report rep = {.version = "test", .generated = "2026-11-01T00:00:00Z"};
	build();
	assert_int_equal(
	    assay_kpi_report_build(ev, nev, SLA, 2, T("2026-09-15"), T("2026-11-01"), &a, &rep, &err), 0);
	assert_int_equal(rep.nmonths, 2);
	assert_string_equal(rep.months[0].label, "2026-09");
	assert_string_equal(rep.months[1].label, "2026-10");
	assert_int_equal(rep.months[1].r.throughput, 3);
	assert_int_equal(rep.months[0].r.incidents, 1); /* I3 on 09-25 */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(assay_kpi_render(&rep, "json", f, &err), 0);
	fclose(f);
	assert_non_null(strstr(buf, "\"schema\": \"assay.kpi/1\""));
	assert_non_null(strstr(buf, "\"review_throughput\": 3"));
	free(buf);
	f = open_memstream(&buf, &len);
	assert_int_equal(assay_kpi_render(&rep, "html", f, &err), 0);
	fclose(f);
	assert_non_null(strstr(buf, "<svg"));
	free(buf);
	f = open_memstream(&buf, &len);
	assert_int_equal(assay_kpi_render(&rep, "pdf", f, &err), ASSAY_EUSAGE);
	fclose(f);
	free(buf);
	assay_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(reviews),        cmocka_unit_test(evidence_and_coverage),
	    cmocka_unit_test(findings),       cmocka_unit_test(incidents_and_launches),
	    cmocka_unit_test(quantile_edges), cmocka_unit_test(report_and_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
