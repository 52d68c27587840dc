#!/usr/bin/env bash
# make demo: assay eval on COMPAS (ProPublica's filters) with the example
# plan: prints the summary and writes an HTML report.
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
