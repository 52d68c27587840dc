/* test_workflow.c: the workflow's pure rules (assay/workflow.h): the
 * review, waiver and finding state machines, the SLA clock, re-review
 * triggers, finding fingerprints and dates. Includes the property test of
 * issue 6: random command sequences by random actors never reach an
 * illegal state, the SLA clocks never run backwards, and requester !=
 * approver always holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "assay/workflow.h"

static int64_t T(const char *s)
{
	struct assay_error err;
	int64_t t = 0;
	assert_int_equal(assay_wf_time_parse(s, "test", &t, &err), 0);
	return t;
}

static void happy_path_review(void **state)
{
	(void)state;
	struct assay_error err;
	int s = ASSAY_RS_SUBMITTED;
	assert_int_equal(assay_wf_apply(ASSAY_WF_REVIEW, s, ASSAY_RC_TRIAGE, ASSAY_WF_SPECIALIST, &s, &err),
	                 0);
	assert_int_equal(s, ASSAY_RS_TRIAGE);
	assert_int_equal(assay_wf_apply(ASSAY_WF_REVIEW, s, ASSAY_RC_ASSIGN, ASSAY_WF_SPECIALIST, &s, &err),
	                 0);
	assert_int_equal(assay_wf_apply(ASSAY_WF_REVIEW, s, ASSAY_RC_RETURN, ASSAY_WF_REVIEWER, &s, &err), 0);
	assert_int_equal(s, ASSAY_RS_RETURNED);
	assert_int_equal(assay_wf_apply(ASSAY_WF_REVIEW, s, ASSAY_RC_RESUBMIT, ASSAY_WF_REQUESTER, &s, &err),
	                 0);
	assert_int_equal(assay_wf_apply(ASSAY_WF_REVIEW, s, ASSAY_RC_DECIDE, ASSAY_WF_REVIEWER, &s, &err), 0);
	assert_int_equal(s, ASSAY_RS_DECIDED);
}

/* An illegal transition is refused and the allowed ones are listed. */
static void illegal_transition_lists_allowed(void **state)
{
	(void)state;
	struct assay_error err;
	int to = -1;
	assert_int_equal(assay_wf_apply(ASSAY_WF_REVIEW, ASSAY_RS_SUBMITTED, ASSAY_RC_DECIDE,
	                                ASSAY_WF_SPECIALIST, &to, &err),
	                 ASSAY_EINPUT);
	assert_int_equal(to, -1);
	assert_non_null(strstr(err.message, "cannot decide a review that is submitted"));
	assert_non_null(strstr(err.message, "triage (specialist)"));
	assert_non_null(strstr(err.message, "withdraw (requester or specialist)"));
	assert_int_equal(assay_wf_apply(ASSAY_WF_REVIEW, ASSAY_RS_WITHDRAWN, ASSAY_RC_SUBMIT,
	                                ASSAY_WF_REQUESTER, &to, &err),
	                 ASSAY_EINPUT);
	assert_non_null(strstr(err.message, "none: withdrawn is final"));
}

/* The requester never approves their own review or waiver, whatever else
 * they are. */
static void requester_never_approves(void **state)
{
	(void)state;
	struct assay_error err;
	int to;
	unsigned all = ASSAY_WF_REQUESTER | ASSAY_WF_SPECIALIST | ASSAY_WF_REVIEWER | ASSAY_WF_RISK_OWNER;
	assert_int_equal(assay_wf_apply(ASSAY_WF_REVIEW, ASSAY_RS_IN_REVIEW, ASSAY_RC_DECIDE, all, &to, &err),
	                 ASSAY_EINPUT);
	assert_non_null(strstr(err.message, "requester may not decide their own review"));
	assert_int_equal(assay_wf_apply(ASSAY_WF_WAIVER, ASSAY_WS_PROPOSED, ASSAY_WC_APPROVE, all, &to, &err),
	                 ASSAY_EINPUT);
	assert_non_null(strstr(err.message, "requester may not approve their own waiver"));
	assert_int_equal(assay_wf_apply(ASSAY_WF_WAIVER, ASSAY_WS_PROPOSED, ASSAY_WC_APPROVE,
	                                ASSAY_WF_RISK_OWNER, &to, &err),
	                 0);
	assert_int_equal(to, ASSAY_WS_APPROVED);
	/* a role is needed too: an unrelated person cannot approve */
	assert_int_equal(assay_wf_apply(ASSAY_WF_WAIVER, ASSAY_WS_PROPOSED, ASSAY_WC_APPROVE, 0, &to, &err),
	                 ASSAY_EINPUT);
	assert_non_null(strstr(err.message, "needs the role specialist or risk-owner"));
}

static void names_round_trip(void **state)
{
	(void)state;
	for (int m = 0; m < 3; m++) {
		for (int s = 0; assay_wf_state_name((enum assay_wf_machine)m, s); s++)
			assert_int_equal(
			    assay_wf_state_parse((enum assay_wf_machine)m,
			                         assay_wf_state_name((enum assay_wf_machine)m, s)),
			    s);
		for (int c = 0; assay_wf_cmd_name((enum assay_wf_machine)m, c); c++)
			assert_int_equal(assay_wf_cmd_parse((enum assay_wf_machine)m,
			                                    assay_wf_cmd_name((enum assay_wf_machine)m, c)),
			                 c);
	}
	assert_int_equal(assay_wf_state_parse(ASSAY_WF_REVIEW, "approved"), -1);
}

/* Each (state, command) pair has at most one row, and every row's states
 * and command are in range: the table is a function. */
static void tables_are_functions(void **state)
{
	(void)state;
	static const int nstates[] = {ASSAY_RS_COUNT, ASSAY_WS_COUNT, ASSAY_FS_COUNT};
	static const int ncmds[] = {ASSAY_RC_COUNT, ASSAY_WC_COUNT, ASSAY_FC_COUNT};
	for (int m = 0; m < 3; m++) {
		size_t n;
		const struct assay_wf_transition *t = assay_wf_table((enum assay_wf_machine)m, &n);
		assert_true(n > 0);
		for (size_t i = 0; i < n; i++) {
			assert_true(t[i].from >= 0 && t[i].from < nstates[m]);
			assert_true(t[i].to >= 0 && t[i].to < nstates[m]);
			assert_true(t[i].cmd >= 0 && t[i].cmd < ncmds[m]);
			assert_true(t[i].roles != 0);
			for (size_t j = i + 1; j < n; j++)
				assert_false(t[i].from == t[j].from && t[i].cmd == t[j].cmd);
		}
	}
}

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Any command one time in four; otherwise one that has a row from the
 * current state, so that walks get deep (still by a random actor). */
static int biased_cmd(enum assay_wf_machine m, int s, int ncmds, uint64_t *seed)
{
	size_t n, k = 0;
	const struct assay_wf_transition *t = assay_wf_table(m, &n);
	int from_here[16];
	for (size_t i = 0; i < n; i++)
		if (t[i].from == s)
			from_here[k++] = t[i].cmd;
	if (!k || rng(seed) % 4 == 0)
		return (int)(rng(seed) % (uint64_t)ncmds);
	return from_here[rng(seed) % k];
}

/* Actors of the simulation: 0 requests, 1 is a specialist, 2 is an
 * assigned reviewer, 3 a risk owner, 4 nobody in particular, 5 assay. */
static unsigned role_of(int actor, int requester)
{
	static const unsigned base[] = {0, ASSAY_WF_SPECIALIST, ASSAY_WF_REVIEWER, ASSAY_WF_RISK_OWNER,
	                                0, ASSAY_WF_SYSTEM};
	unsigned r = base[actor];
	if (actor == requester)
		r |= ASSAY_WF_REQUESTER;
	return r;
}

/* Review states a legal history can be in after each command, derived
 * from the prose independently of the table. */
static int plausible_after(int cmd, int to)
{
	switch (cmd) {
	case ASSAY_RC_SUBMIT:
		return to == ASSAY_RS_SUBMITTED;
	case ASSAY_RC_TRIAGE:
		return to == ASSAY_RS_TRIAGE;
	case ASSAY_RC_ASSIGN:
	case ASSAY_RC_RESUBMIT:
	case ASSAY_RC_SIGNOFF:
		return to == ASSAY_RS_IN_REVIEW;
	case ASSAY_RC_RETURN:
		return to == ASSAY_RS_RETURNED;
	case ASSAY_RC_DECIDE:
		return to == ASSAY_RS_DECIDED;
	case ASSAY_RC_WITHDRAW:
		return to == ASSAY_RS_WITHDRAWN;
	case ASSAY_RC_SUPERSEDE:
		return to == ASSAY_RS_SUPERSEDED;
	case ASSAY_RC_EXPIRE:
		return to == ASSAY_RS_EXPIRED;
	}
	return 0;
}

static void property_review_machine(void **state)
{
	(void)state;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	size_t accepted = 0, refused = 0, decided = 0;
	for (int run = 0; run < 60000; run++) {
		int requester = (int)(rng(&seed) % 5);
		int s = rng(&seed) % 2 ? ASSAY_RS_DRAFT : ASSAY_RS_SUBMITTED;
		struct assay_wf_stamp h[80];
		size_t nh = 0;
		int64_t t = 1767225600;
		h[nh++] = (struct assay_wf_stamp){t, s};
		struct assay_sla_clock prev = {0};
		int seen_in_review = 0;
		for (int step = 0; step < 60 && !assay_wf_is_terminal(ASSAY_WF_REVIEW, s); step++) {
			int cmd = biased_cmd(ASSAY_WF_REVIEW, s, ASSAY_RC_COUNT, &seed);
			int actor = (int)(rng(&seed) % 6);
			unsigned roles = role_of(actor, requester);
			struct assay_error err;
			int to = -1;
			int rc = assay_wf_apply(ASSAY_WF_REVIEW, s, cmd, roles, &to, &err);
			/* clocks move on, sometimes backwards (a moved ASSAY_NOW) */
			int64_t dt = (int64_t)(rng(&seed) % 200000) - 40000;
			t += dt;
			if (rc) {
				refused++;
				assert_int_equal(rc, ASSAY_EINPUT);
				assert_true(err.message[0] != '\0');
				continue;
			}
			accepted++;
			assert_true(plausible_after(cmd, to));
			assert_false(
			    assay_wf_is_terminal(ASSAY_WF_REVIEW, s)); /* nothing leaves a final state */
			if (cmd == ASSAY_RC_DECIDE) {
				decided++;
				assert_int_not_equal(actor, requester);
				assert_true(seen_in_review);
			}
			seen_in_review |= to == ASSAY_RS_IN_REVIEW;
			s = to;
			/* observed when a state change is recorded, at its stamp; a
			 * sign-off changes no state and records no stamp */
			if (cmd == ASSAY_RC_SIGNOFF || nh == 80)
				continue;
			h[nh++] = (struct assay_wf_stamp){t, s};
			struct assay_sla_clock c;
			assay_sla_compute(h, nh, t, &c);
			assert_true(c.to_triage >= prev.to_triage);
			assert_true(c.to_decision >= prev.to_decision);
			assert_true(c.to_decision >= 0 && c.paused >= 0);
			/* later `now` never gives less */
			struct assay_sla_clock later;
			assay_sla_compute(h, nh, t + (int64_t)(rng(&seed) % 100000), &later);
			assert_true(later.to_decision >= c.to_decision && later.to_triage >= c.to_triage);
			prev = c;
		}
	}
	/* the walk explored: both outcomes happened many times */
	fprintf(stderr, "review walk: %zu accepted, %zu refused, %zu decided\n", accepted, refused, decided);
	assert_true(accepted > 90000 && refused > 90000 && decided > 1500);
}

static void property_waiver_machine(void **state)
{
	(void)state;
	uint64_t seed = 0x243f6a8885a308d3ULL;
	size_t approved = 0, self_refused = 0;
	for (int run = 0; run < 3000; run++) {
		int requester = (int)(rng(&seed) % 5), approver = -1;
		int s = ASSAY_WS_PROPOSED;
		for (int step = 0; step < 30; step++) {
			int cmd = biased_cmd(ASSAY_WF_WAIVER, s, ASSAY_WC_COUNT, &seed);
			int actor = (int)(rng(&seed) % 6);
			struct assay_error err;
			int to;
			int rc =
			    assay_wf_apply(ASSAY_WF_WAIVER, s, cmd, role_of(actor, requester), &to, &err);
			if (rc) {
				if (actor == requester && strstr(err.message, "requester may not"))
					self_refused++;
				continue;
			}
			if (cmd == ASSAY_WC_APPROVE) {
				approved++;
				approver = actor;
				assert_int_not_equal(approver, requester);
				assert_int_equal(to, ASSAY_WS_APPROVED);
			}
			/* active only after an approval by someone else */
			if (to == ASSAY_WS_ACTIVE)
				assert_true(approver >= 0 && approver != requester);
			/* expired and revoked only from an approved or active waiver */
			if (to == ASSAY_WS_EXPIRED || to == ASSAY_WS_REVOKED)
				assert_true(s == ASSAY_WS_APPROVED || s == ASSAY_WS_ACTIVE);
			s = to;
		}
	}
	assert_true(approved > 1000 && self_refused > 100);
}

static void sla_pauses_while_returned(void **state)
{
	(void)state;
	int64_t d = 86400;
	int64_t t0 = T("2026-10-01");
	/* submitted day 0, triage day 1, in review day 2, returned day 3 to
	 * day 8 (5 days paused), decided day 10: 10 - 5 = 5 days to decision */
	struct assay_wf_stamp h[] = {{t0, ASSAY_RS_SUBMITTED},         {t0 + d, ASSAY_RS_TRIAGE},
	                             {t0 + 2 * d, ASSAY_RS_IN_REVIEW}, {t0 + 3 * d, ASSAY_RS_RETURNED},
	                             {t0 + 8 * d, ASSAY_RS_IN_REVIEW}, {t0 + 10 * d, ASSAY_RS_DECIDED}};
	struct assay_sla_clock c;
	assay_sla_compute(h, 6, t0 + 40 * d, &c);
	assert_int_equal(c.to_triage, d);
	assert_int_equal(c.to_decision, 5 * d);
	assert_int_equal(c.paused, 5 * d);
	assert_true(c.decided && c.triaged && !c.running);
	/* while returned, the clock is frozen at 3 days */
	assay_sla_compute(h, 4, t0 + 6 * d, &c);
	assert_int_equal(c.to_decision, 3 * d);
	assert_false(c.running);
	/* a stamp from the past counts as the time before it */
	struct assay_wf_stamp back[] = {{t0, ASSAY_RS_SUBMITTED}, {t0 - 5 * d, ASSAY_RS_TRIAGE}};
	assay_sla_compute(back, 2, t0 - 9 * d, &c);
	assert_int_equal(c.to_triage, 0);
	assert_int_equal(c.to_decision, 0);
	assert_int_equal(assay_sla_status(79, 100), ASSAY_SLA_OK);
	assert_int_equal(assay_sla_status(80, 100), ASSAY_SLA_WARNING);
	assert_int_equal(assay_sla_status(100, 100), ASSAY_SLA_WARNING);
	assert_int_equal(assay_sla_status(101, 100), ASSAY_SLA_BREACH);
	assert_int_equal(assay_sla_status(5, 0), ASSAY_SLA_NONE);
}

static void rereview_triggers(void **state)
{
	(void)state;
	struct assay_rereview_input in = {.now = T("2027-02-01"),
	                                  .decided_at = T("2026-10-01"),
	                                  .valid_until = T("2027-01-01"),
	                                  .model_hash_then = "aaaaaaaaaaaaaaaaaaaa",
	                                  .model_hash_now = "bbbbbbbbbbbbbbbbbbbb",
	                                  .data_hash_then = "d1",
	                                  .data_hash_now = "d1",
	                                  .prompt_hash_then = NULL,
	                                  .prompt_hash_now = "p1",
	                                  .purpose_then = "credit",
	                                  .purpose_now = "credit",
	                                  .policy_version_then = "1.0.0",
	                                  .policy_version_now = "1.1.0",
	                                  .incidents_since = 2,
	                                  .first_incident = "I-3",
	                                  .waivers_expired = 1,
	                                  .first_waiver = "W-4"};
	struct assay_rereview_reason r[ASSAY_RR_COUNT];
	size_t n = assay_rereview_check(&in, r, ASSAY_RR_COUNT);
	assert_int_equal(n, 5);
	assert_int_equal(r[0].trigger, ASSAY_RR_VALIDITY);
	assert_string_equal(r[0].message, "the decision was valid until 2027-01-01T00:00:00Z");
	assert_int_equal(r[1].trigger, ASSAY_RR_MODEL);
	assert_string_equal(r[1].message,
	                    "model hash changed since the decision: aaaaaaaaaaaa -> bbbbbbbbbbbb");
	assert_int_equal(r[2].trigger, ASSAY_RR_INCIDENT);
	assert_non_null(strstr(r[2].message, "first I-3"));
	assert_int_equal(r[3].trigger, ASSAY_RR_POLICY);
	assert_int_equal(r[4].trigger, ASSAY_RR_WAIVER);
	/* nothing changed, nothing fires; a small buffer still counts all */
	struct assay_rereview_input quiet = {.now = T("2026-11-01"), .decided_at = T("2026-10-01")};
	assert_int_equal(assay_rereview_check(&quiet, r, ASSAY_RR_COUNT), 0);
	assert_int_equal(assay_rereview_check(&in, r, 1), 5);
}

static void fingerprints(void **state)
{
	(void)state;
	struct assay_error err;
	char a[65], b[65], c[65], norm[128];
	assert_int_equal(assay_finding_normalise("  FNR gap, applicants >60!  ", norm, sizeof norm, &err), 0);
	assert_string_equal(norm, "fnr gap applicants 60");
	assert_int_equal(assay_finding_normalise("Straße ÉCART", norm, sizeof norm, &err), 0);
	assert_string_equal(norm, "strasse écart");
	assay_finding_fingerprint("credit", "fairness-evaluation", "FNR gap, applicants >60!", a, &err);
	assay_finding_fingerprint("credit", "fairness-evaluation", "fnr  gap applicants 60", b, &err);
	assert_string_equal(a, b);
	assay_finding_fingerprint("credit", "fairness-evaluation", "fnr gap applicants 65", c, &err);
	assert_string_not_equal(a, c);
	assay_finding_fingerprint("hiring", "fairness-evaluation", "fnr gap applicants 60", c, &err);
	assert_string_not_equal(a, c);
	/* field boundaries matter: ("ab","c") is not ("a","bc") */
	assay_finding_fingerprint("ab", "c", "x", b, &err);
	assay_finding_fingerprint("a", "bc", "x", c, &err);
	assert_string_not_equal(b, c);
	assert_int_equal(assay_finding_fingerprint("s", "c", "\xff\xfe", a, &err), ASSAY_EINPUT);
	assert_true(assay_finding_is_repeat_of(ASSAY_FS_CLOSED));
	assert_false(assay_finding_is_repeat_of(ASSAY_FS_OPEN));
}

static void dates(void **state)
{
	(void)state;
	struct assay_error err;
	int64_t t;
	assert_int_equal(T("1970-01-01"), 0);
	assert_int_equal(T("2026-01-01T00:00:00Z"), 1767225600);
	assert_int_equal(T("2026-01-01T02:00:00+02:00"), 1767225600);
	assert_int_equal(T("2024-02-29"), 1709164800);
	assert_int_equal(assay_wf_time_parse("2025-02-29", "--due", &t, &err), ASSAY_EINPUT);
	assert_non_null(strstr(err.message, "--due: expected a date YYYY-MM-DD"));
	assert_int_equal(assay_wf_time_parse("12/15/2026", "--due", &t, &err), ASSAY_EINPUT);
	assert_int_equal(assay_wf_time_parse("2026-12-15T10:00", "--due", &t, &err), ASSAY_EINPUT);
	char buf[32];
	assay_wf_time_format(1709164800 + 3661, buf, sizeof buf);
	assert_string_equal(buf, "2024-02-29T01:01:01Z");
	assay_wf_time_format(-1, buf, sizeof buf);
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(happy_path_review),
	    cmocka_unit_test(illegal_transition_lists_allowed),
	    cmocka_unit_test(requester_never_approves),
	    cmocka_unit_test(names_round_trip),
	    cmocka_unit_test(tables_are_functions),
	    cmocka_unit_test(property_review_machine),
	    cmocka_unit_test(property_waiver_machine),
	    cmocka_unit_test(sla_pauses_while_returned),
	    cmocka_unit_test(rereview_triggers),
	    cmocka_unit_test(fingerprints),
	    cmocka_unit_test(dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
