# The registry from the command line: systems from flags and files, show,
# update (the difference is recorded), retire (never deleted); evidence
# files and URLs stored by hash, expiry by freshness and by date as the
# clock moves (ASSAY_NOW), completeness, blob corruption caught; eval
# --record; keys; doctor; the errors people will make.
source "$(dirname "$0")/lib.bash"
export ASSAY_DB=$TMP/r.db ASSAY_USER=alice ASSAY_NOW=2026-01-10T09:00:00Z
sys="$TESTS/data/systems"

# no database yet: read commands say how to make one
run 2 "$ASSAY" system list
contains "$TMP/err" "no registry database here"
contains "$TMP/err" "assay system add"
absent "$ASSAY_DB"

# add from a file prints the id; from flags, normalised by the intake rules
run 0 "$ASSAY" system add --from "$sys/credit-scoring.yaml"
[[ $(cat "$TMP/out") =~ ^[0-9A-HJKMNP-TV-Z]{26}$ ]] && ok || bad "system add prints a ULID: $(cat "$TMP/out")"
contains "$TMP/err" "registered credit-scoring (Credit Scoring): tier high"
run 2 "$ASSAY" system add --from "$sys/credit-scoring.yaml"
contains "$TMP/err" 'a system with slug "credit-scoring" is already registered'
run 0 "$ASSAY" system add --name "Churn Model" --ai-type classical_ml --role provider \
  --purpose "predict which subscribers cancel" --context internal --stage build --geo eu --format json
pyassert "$TMP/out" "r['slug'] == 'churn-model'" "r['tier'] == 'low'" "r['intake']['geographies'] == ['EU']" \
  "r['version'] == 1" "r['created_by'] == 'alice'" "r['created_at'] == '2026-01-10T09:00:00Z'"
run 2 "$ASSAY" system add --name "X" --ai-type quantum --role provider --purpose p --context internal
contains "$TMP/err" "ai_type"
run 2 "$ASSAY" system add --name "X" --set colour=blue
contains "$TMP/err" '"colour" is not an intake field'

# show, list
run 0 "$ASSAY" system show credit-scoring
contains "$TMP/out" "Credit Scoring (credit-scoring)"
contains "$TMP/out" "tier             high"
contains "$TMP/out" "annex_iii_points"
run 2 "$ASSAY" system show credit-scorng
contains "$TMP/err" 'no system "credit-scorng"'
contains "$TMP/err" 'did you mean "credit-scoring"?'
run 0 "$ASSAY" system list --format md
contains "$TMP/out" "| credit-scoring | Credit Scoring | classical_ml | validate | high | 0/20 |"

# update: a changed field is recorded as a difference; the tier follows the intake
run 0 "$ASSAY" system update churn-model --context customer_facing --purpose "retention offers to subscribers"
contains "$TMP/out" "updated churn-model to version 2; changed: deployment_context intended_purpose"
run 0 "$ASSAY" system update churn-model --context customer_facing --purpose "retention offers to subscribers"
contains "$TMP/out" "churn-model: no change"
run 0 "$ASSAY" audit log --system churn-model --format json
pyassert "$TMP/out" "[e['action'] for e in r['events']] == ['system.add', 'system.update']" \
  "r['events'][1]['diff']['before']['intake']['deployment_context'] == 'internal'" \
  "r['events'][1]['diff']['after']['intake']['deployment_context'] == 'customer_facing'" \
  "'name' not in r['events'][1]['diff']['after']['intake']"
sed 's/^slug:.*//; s/^name: Credit Scoring/name: Credit Scoring\nslug: other-slug/' "$sys/credit-scoring.yaml" >"$TMP/renamed.yaml"
run 2 "$ASSAY" system update credit-scoring --from "$TMP/renamed.yaml"
contains "$TMP/err" "a slug never changes"

# evidence: a file (stored by sha256 beside the database), a URL
printf '{"fairness": "ok"}\n' >"$TMP/fair.json"
run 0 "$ASSAY" evidence add credit-scoring "$TMP/fair.json" --requirement fairness-evaluation --source ci
contains "$TMP/out" "E-1 credit-scoring"
sha=$(sha256sum "$TMP/fair.json" | cut -c1-64)
blob="$ASSAY_DB.blobs/${sha:0:2}/${sha:2}"
[[ -f $blob ]] && cmp -s "$blob" "$TMP/fair.json" && ok || bad "blob at $blob"
run 0 "$ASSAY" evidence add credit-scoring https://wiki.example.com/cs/model-card --requirement model-card \
  --collected 2025-12-01 --expires 2026-02-01
run 2 "$ASSAY" evidence add credit-scoring "$TMP/fair.json" --requirement fairnes-evaluation
contains "$TMP/err" '"fairnes-evaluation" is not an evidence requirement of credit-scoring at tier high'
contains "$TMP/err" 'did you mean "fairness-evaluation"?'
contains "$TMP/err" "valid keys: intake-record, "
run 2 "$ASSAY" evidence add credit-scoring "$TMP/missing.json" --requirement model-card
contains "$TMP/err" "missing.json"
run 2 "$ASSAY" evidence add credit-scoring "$TMP/fair.json" --requirement model-card --source email
contains "$TMP/err" "manual, ci or api"
run 0 "$ASSAY" evidence show E-1 --format json
pyassert "$TMP/out" "r['sha256'] == '$sha'" "r['media_type'] == 'application/json'" "r['size'] == 19" \
  "r['source'] == 'ci'" "r['blob_intact'] is True" "r['control'] == 'fairness-evaluation'"

# status: 2 of 20 now; the URL expires on 2026-02-01, the eval after 180 days
run 0 "$ASSAY" evidence status credit-scoring --format json
pyassert "$TMP/out" "r['required'] == 20 and r['satisfied'] == 2 and r['missing'] == 18" \
  "abs(r['completeness'] - 0.1) < 1e-12" "r['as_of'] == '2026-01-10T09:00:00Z'" \
  "[x for x in r['requirements'] if x['requirement'] == 'model-card'][0]['expires_at'] == '2026-02-01T00:00:00Z'" \
  "[c for c in r['controls'] if c['control'] == 'fairness-evaluation'][0]['completeness'] == 1"
run 1 "$ASSAY" evidence status credit-scoring --require-complete
contains "$TMP/out" "2 of 20 required evidence satisfied = 10%"
ASSAY_NOW=2026-03-01T00:00:00Z run 0 "$ASSAY" evidence status credit-scoring --format json
pyassert "$TMP/out" "r['satisfied'] == 1 and r['expired'] == 1" \
  "[x for x in r['requirements'] if x['requirement'] == 'model-card'][0]['state'] == 'expired'"
ASSAY_NOW=2026-07-10T09:00:01Z run 0 "$ASSAY" evidence status credit-scoring
contains "$TMP/out" "0 of 20 required evidence satisfied = 0%; 2 expired"
contains "$TMP/out" "EXPIRED fairness-evaluation"
# fresh evidence for an expired requirement counts again
ASSAY_NOW=2026-07-11T00:00:00Z run 0 "$ASSAY" evidence add credit-scoring "$TMP/fair.json" --requirement fairness-evaluation
ASSAY_NOW=2026-07-11T00:00:00Z run 0 "$ASSAY" evidence status credit-scoring --format json
pyassert "$TMP/out" "[x for x in r['requirements'] if x['requirement'] == 'fairness-evaluation'][0]['evidence'] == 'E-3'" \
  "[x for x in r['requirements'] if x['requirement'] == 'fairness-evaluation'][0]['evidence_count'] == 2"
run 0 "$ASSAY" evidence list credit-scoring
contains "$TMP/out" "E-2     model-card"

# a changed blob is caught on read and by verify and doctor
run 0 "$ASSAY" evidence verify
contains "$TMP/out" "1 blob checked, 0 bad"
chmod u+w "$blob" && printf '{"fairness": "OK"}\n' >"$blob"
run 1 "$ASSAY" evidence verify
contains "$TMP/err" "blob $sha (E-1) is corrupt"
run 1 "$ASSAY" evidence show E-1
contains "$TMP/err" "is corrupt: its content hashes to"
run 1 "$ASSAY" doctor
contains "$TMP/err" "evidence blob(s) bad"
cp "$TMP/fair.json" "$blob"
run 0 "$ASSAY" doctor
contains "$TMP/out" "integrity    ok"
contains "$TMP/out" "journal      wal"

# eval --record: the JSON result as evidence, with its input hashes
run 0 "$ASSAY" system add --name "Loan approvals" --slug loans --ai-type classical_ml --role provider \
  --purpose "approve consumer loans" --context customer_facing --annex-iii "5(b)" --profiling true
run 1 "$ASSAY" eval --data "$TESTS/data/eval/loans.csv" --label approved --pred predicted --score score \
  --sensitive group,sex --plan "$TESTS/data/eval/loans-plan.yaml" --record loans --requirement fairness-evaluation
contains "$TMP/err" "recorded as evidence E-4 of loans (fairness-evaluation"
run 0 "$ASSAY" evidence show E-4 --format json
pyassert "$TMP/out" "r['kind'] == 'test_result' and r['source'] == 'ci'" "r['media_type'] == 'application/json'" \
  "r['meta']['schema'] == 'assay.eval/1' and r['meta']['passed'] is False" \
  "[i['role'] for i in r['meta']['inputs']] == ['data', 'plan']" \
  "r['meta']['inputs'][0]['sha256'] == '$(sha256sum "$TESTS/data/eval/loans.csv" | cut -c1-64)'"
run 2 "$ASSAY" eval --data "$TESTS/data/eval/loans.csv" --label approved --pred predicted --record loans
contains "$TMP/err" "--record SYSTEM and --requirement KEY go together"
run 2 "$ASSAY" eval --data "$TESTS/data/eval/loans.csv" --label approved --pred predicted --record nope --requirement x
contains "$TMP/err" 'no system "nope"'

# retire: still there, listed with --all, takes no evidence, cannot be updated
run 0 "$ASSAY" system retire churn-model --reason "replaced by churn-v2"
run 0 "$ASSAY" system list
[[ $(grep -c churn-model "$TMP/out") == 0 ]] && ok || bad "retired systems are not listed by default"
run 0 "$ASSAY" system list --all --format json
pyassert "$TMP/out" "[s for s in r['systems'] if s['slug'] == 'churn-model'][0]['lifecycle_stage'] == 'retired'" \
  "[s for s in r['systems'] if s['slug'] == 'churn-model'][0]['retired_at'] == '2026-01-10T09:00:00Z'"
run 2 "$ASSAY" system update churn-model --stage deployed
contains "$TMP/err" "was retired on 2026-01-10T09:00:00Z"
run 2 "$ASSAY" system retire churn-model

# the key: 0600 beside the database; later events are signed
run 0 "$ASSAY" key generate
[[ $(stat -c %a "$ASSAY_DB.key") == 600 ]] && ok || bad "key file mode"
run 2 "$ASSAY" key generate
contains "$TMP/err" "never overwritten"
run 0 "$ASSAY" tier loans --override high --reason "already high; recorded for the board"
run 0 "$ASSAY" audit log --limit 2 --format json
pyassert "$TMP/out" "all(e['sig'] for e in r['events'])" "r['events'][0]['action'] == 'key.generate'"
run 0 "$ASSAY" audit checkpoint --format json
pyassert "$TMP/out" "r['seq'] > 10" "len(r['sig']) > 80"
run 0 "$ASSAY" audit verify
contains "$TMP/out" "1 checkpoint verified"
mv "$ASSAY_DB.key" "$TMP/elsewhere.key"
run 2 "$ASSAY" system retire loans
contains "$TMP/err" "secret key cannot be read"
run 0 "$ASSAY" system retire loans --key "$TMP/elsewhere.key"

# help, usage errors
for c in system tier evidence audit key doctor; do
  run 0 "$ASSAY" help $c
  contains "$TMP/out" "usage: assay $c"
done
run 2 "$ASSAY" system ad
contains "$TMP/err" 'did you mean "add"?'
run 2 "$ASSAY" audit list
run 2 "$ASSAY" system list --format html
ASSAY_NOW=soon run 2 "$ASSAY" system list
contains "$TMP/err" 'ASSAY_NOW="soon" is not a timestamp'
# the log by time and entity
run 0 "$ASSAY" audit log --since 2026-07-01 --format json
pyassert "$TMP/out" "[e['action'] for e in r['events']] == ['evidence.add']" "r['events'][0]['ts'] == '2026-07-11T00:00:00Z'"
run 0 "$ASSAY" audit log --entity evidence --limit 1 --diff
contains "$TMP/out" '"requirement":"fairness-evaluation"'
run 2 "$ASSAY" audit log --since yesterday
run 0 "$ASSAY" audit verify
finish
