# Scenario: a realistic inventory registered from intake files
# (tests/data/systems: a credit-scoring model, a hiring screener, a
# customer-support GenAI assistant, an internal forecasting model, an agent
# with tool access). The tiers, the rationale lines and the required
# controls come back from the registry through `assay tier --explain
# --format json`, with the policy version and hash the registry recorded.
source "$(dirname "$0")/lib.bash"
export ASSAY_DB=$TMP/r.db ASSAY_USER=rai-lead
for s in credit-scoring hiring-screener support-assistant demand-forecast ops-agent; do
  run 0 "$ASSAY" system add --from "$TESTS/data/systems/$s.yaml"
done
run 0 "$ASSAY" system list --format json
pyassert "$TMP/out" "len(r['systems']) == 5" \
  "{s['slug']: s['tier'] for s in r['systems']} == {'credit-scoring': 'high', 'hiring-screener': 'high', 'support-assistant': 'medium', 'demand-forecast': 'low', 'ops-agent': 'medium'}" \
  "all(s['policy']['sha256'] and len(s['policy']['sha256']) == 64 for s in r['systems'])" \
  "all(s['evidence']['satisfied'] == 0 and s['evidence']['required'] > 0 for s in r['systems'])"
run 0 "$ASSAY" system list --tier high
contains "$TMP/out" "credit-scoring"
contains "$TMP/out" "hiring-screener"
contains "$TMP/out" "2 systems"

tier() { # SLUG: the explained tier as JSON in $TMP/$1.json
  run 0 "$ASSAY" tier "$1" --explain --format json
  cp "$TMP/out" "$TMP/$1.json"
}
ctl="[c['id'] for c in r['controls']]"
keys="[e['key'] for c in r['controls'] for e in c['evidence']]"

tier credit-scoring
pyassert "$TMP/credit-scoring.json" "r['tier'] == 'high'" "r['system']['slug'] == 'credit-scoring'" \
  "r['rationale'][0]['rule'] == 'annex-iii-5' and r['rationale'][0]['decisive']" \
  "r['rationale'][0]['text'] == 'Annex III point 5(b) (access to essential private and public services): high-risk under Art. 6(2)'" \
  "r['rationale'][0]['cite'] == 'EU AI Act Art. 6(2), Annex III 5'" \
  "all(c in $ctl for c in ['risk-assessment', 'data-governance', 'fairness-evaluation', 'human-oversight', 'event-logging', 'technical-documentation', 'quality-management', 'eu-registration'])" \
  "'red-teaming' not in $ctl" "'fairness-evaluation' in $keys and 'human-oversight-plan' in $keys" \
  "r['policy']['sha256'] == r['system']['recorded_policy_sha256']"

tier hiring-screener
pyassert "$TMP/hiring-screener.json" "r['tier'] == 'high'" \
  "r['rationale'][0]['rule'] == 'annex-iii-4'" "'Annex III point 4(a) (employment' in r['rationale'][0]['text']" \
  "r['rationale'][1]['rule'] == 'art6-3-profiling-override' and r['rationale'][1]['decisive']" \
  "'deployer-obligations' in $ctl and 'fairness-evaluation' in $ctl" \
  "'quality-management' not in $ctl"

tier support-assistant
pyassert "$TMP/support-assistant.json" "r['tier'] == 'medium'" \
  "r['rationale'][0]['rule'] == 'art50-1' and r['rationale'][0]['cite'] == 'EU AI Act Art. 50(1)'" \
  "r['rationale'][1]['rule'] == 'customer-facing-genai'" \
  "all(c in $ctl for c in ['transparency-notice', 'red-teaming', 'groundedness-evaluation', 'third-party-due-diligence'])" \
  "'red-team-report' in $keys" "'fairness-evaluation' not in $ctl and 'technical-documentation' not in $ctl"

tier demand-forecast
pyassert "$TMP/demand-forecast.json" "r['tier'] == 'low'" "len(r['rationale']) == 1" \
  "'risk-assessment' not in $ctl and 'human-oversight' not in $ctl" "len(r['controls']) <= 5"

tier ops-agent
pyassert "$TMP/ops-agent.json" "r['tier'] == 'medium'" \
  "any('agent' in x['rule'] or 'tool' in x['text'].lower() for x in r['rationale'])" \
  "'red-teaming' in $ctl"

# text and Markdown say the same
run 0 "$ASSAY" tier credit-scoring --explain
contains "$TMP/out" "credit-scoring: tier high"
contains "$TMP/out" "* [high] Annex III point 5(b)"
contains "$TMP/out" "fairness-evaluation (metric, fresh for 180 days)"
run 0 "$ASSAY" tier credit-scoring --explain --format md
contains "$TMP/out" "# credit-scoring: tier **high**"

# a manual override needs a reason, is recorded, and keeps the computed tier beside it
run 2 "$ASSAY" tier demand-forecast --override high
contains "$TMP/err" "needs --reason"
run 0 "$ASSAY" tier demand-forecast --override medium --reason "feeds pricing decisions" --format json
pyassert "$TMP/out" "r['tier'] == 'medium'" "r['computed_tier'] == 'low'" \
  "r['override']['reason'] == 'feeds pricing decisions'"
run 0 "$ASSAY" audit log --system demand-forecast --format json
pyassert "$TMP/out" "r['events'][-1]['action'] == 'system.tier_override'" \
  "r['events'][-1]['actor'] == 'rai-lead'" \
  "r['events'][-1]['diff']['note']['reason'] == 'feeds pricing decisions'" \
  "r['events'][-1]['diff']['before']['tier'] == 'low' and r['events'][-1]['diff']['after']['tier'] == 'medium'"
run 0 "$ASSAY" system list --tier medium
contains "$TMP/out" "medium*"
run 0 "$ASSAY" tier demand-forecast --clear-override --reason "pricing moved to rules"
run 0 "$ASSAY" tier demand-forecast --format json
pyassert "$TMP/out" "r['tier'] == 'low'" "r['override'] is None"

# the same intake tiers the same without a database
run 0 "$ASSAY" tier --from "$TESTS/data/systems/credit-scoring.yaml" --format json --db "$TMP/none.db"
pyassert "$TMP/out" "r['tier'] == 'high'"
absent "$TMP/none.db"
run 0 "$ASSAY" audit verify
finish
