#!/usr/bin/env bash
# make demo: assay eval on COMPAS (ProPublica's filters) with the example
# plan: prints the summary and writes an HTML report; then registers COMPAS
# as an AI system in a demo registry (out/demo.db), records the evaluation
# as its fairness evidence, and shows its tier, evidence status and audit.
#   scripts/demo.sh ASSAY_BINARY SHARED_DIR
set -uo pipefail
assay=${1:-build/assay}
shared=${2:-../shared}
data="$shared/data/compas/compas-scores-two-years.csv"
if [[ ! -f $data ]]; then
  cat >&2 <<MSG
demo: the COMPAS data is not at $data
  The demo reads ProPublica's compas-scores-two-years.csv from the shared data
  folder beside this repository (../shared/data/compas/). Put the shared folder
  there, or run:  make demo SHARED=/path/to/shared
MSG
  exit 2
fi
mkdir -p out
# decile_score/10 is the score: COMPAS deciles 1..10 scaled into (0, 1].
"$assay" eval --data "$data" \
  --label two_year_recid \
  --pred-from 'score_text in [Medium, High]' \
  --score decile_score --score-range 0:10 \
  --sensitive race,sex \
  --where 'days_b_screening_arrest <= 30' --where 'days_b_screening_arrest >= -30' \
  --where 'is_recid != -1' --where 'c_charge_degree != O' --where 'score_text != N/A' \
  --plan examples/compas/fairness-plan.yaml \
  --format html --out out/compas-eval.html
status=$?
echo
case $status in
  0) echo "demo: all checks passed. Report: out/compas-eval.html" ;;
  1) echo "demo: some checks failed (exit 1), as expected for COMPAS. Report: out/compas-eval.html" ;;
  *) echo "demo: assay eval stopped with exit status $status" >&2; exit $status ;;
esac

# The governance registry: a fresh demo database each run.
echo
echo "== registry: COMPAS as an AI system (out/demo.db) =="
export ASSAY_DB=out/demo.db ASSAY_USER=${ASSAY_USER:-demo}
rm -rf out/demo.db out/demo.db-wal out/demo.db-shm out/demo.db.blobs out/demo.db.key
"$assay" system add --from examples/compas/intake.yaml >/dev/null || exit $?
"$assay" tier compas --explain | sed -n '1,8p'
echo "..."
# The same evaluation, recorded as the fairness evidence the tier requires
# (JSON result stored by sha256, kind test_result, source ci).
"$assay" eval --data "$data" \
  --label two_year_recid \
  --pred-from 'score_text in [Medium, High]' \
  --score decile_score --score-range 0:10 \
  --sensitive race,sex \
  --where 'days_b_screening_arrest <= 30' --where 'days_b_screening_arrest >= -30' \
  --where 'is_recid != -1' --where 'c_charge_degree != O' --where 'score_text != N/A' \
  --plan examples/compas/fairness-plan.yaml \
  --record compas --requirement fairness-evaluation >/dev/null
status=$?
if [[ $status -gt 1 ]]; then echo "demo: recording the evaluation failed ($status)" >&2; exit $status; fi
"$assay" evidence add compas examples/compas/intake.yaml --requirement intake-record >/dev/null || exit $?
echo
"$assay" evidence status compas | sed -n '1,3p'
echo
"$assay" audit log --system compas
"$assay" audit verify || exit $?

# The workflow: review, decide, gate (docs/workflow.md, docs/gate.md).
echo
echo "== workflow: review, decision and release gate for COMPAS =="
for grant in "rai-lead specialist" "rai-lead rai_lead" "owner business_owner" "counsel legal" \
  "validator model_risk"; do
  "$assay" role grant $grant --as admin >/dev/null || exit $?
done
"$assay" review open compas --release 1.0 --summary "pretrial risk score, first review" --as requester \
  >/dev/null || exit $?
"$assay" review triage R-1 --assign owner,counsel,validator --as rai-lead >/dev/null || exit $?
for who in owner counsel validator; do "$assay" review signoff R-1 --as $who >/dev/null || exit $?; done
printf '# COMPAS 1.0\nShip only with a monitor of the FPR gap between groups; the evaluation shows disparities.\n' \
  >out/compas-memo.md
"$assay" review decide R-1 --outcome conditional --condition "monitor the FPR gap by race monthly" \
  --owner owner --due 2027-03-31 --rationale-file out/compas-memo.md --as rai-lead >/dev/null || exit $?
"$assay" review show R-1 | sed -n '1,12p'
echo
"$assay" gate compas --release 1.0 --format junit --out out/compas-gate.xml
"$assay" gate compas --release 1.0
case $? in
  0) echo "demo: the gate says ship" ;;
  1) echo "demo: the gate says do not ship, every reason above (out/compas-gate.xml for CI)" ;;
  *) echo "demo: assay gate failed" >&2; exit 3 ;;
esac
"$assay" audit verify || exit $?
