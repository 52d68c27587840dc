# COMPAS parity: `assay eval` with ProPublica's filters reproduces the
# cells, rates and Fairlearn summaries of ../shared/data/compas/REFERENCE.md
# (counts exactly, rates to 1e-12 relative), reading the real CSV.
source "$(dirname "$0")/lib.bash"
data=$SHARED/data/compas/compas-scores-two-years.csv
filters=(--where 'days_b_screening_arrest <= 30' --where 'days_b_screening_arrest >= -30'
         --where 'is_recid != -1' --where 'c_charge_degree != O' --where 'score_text != N/A')

for threads in 1 2; do
  run 0 "$ASSAY" eval --data "$data" --label two_year_recid --pred-from 'score_text in [Medium, High]' \
    --sensitive race "${filters[@]}" --min-group-size 0 --threads $threads --format json --out "$TMP/r$threads.json"
done
j=$TMP/r1.json
rel='lambda got, want: abs(got - want) <= 1e-12 * abs(want)'
S='{s["label"]: s for s in r["slices"]}'
D='{(d["slicing"], d["metric"]): d for d in r["disparities"]}'
pyassert "$j" \
  'r["schema"] == "assay.eval/1"' \
  'r["rows"]["read"] == 7214 and r["rows"]["used"] == 6172 and r["rows"]["filtered"] == 1042' \
  "$S['(all)']['cells'] == {'tp': 1733, 'fp': 1018, 'tn': 2345, 'fn': 1076}" \
  "$S['race=African-American']['cells'] == {'tp': 1188, 'fp': 641, 'tn': 873, 'fn': 473}" \
  "$S['race=Asian']['cells'] == {'tp': 5, 'fp': 2, 'tn': 21, 'fn': 3}" \
  "$S['race=Caucasian']['cells'] == {'tp': 414, 'fp': 282, 'tn': 999, 'fn': 408}" \
  "$S['race=Hispanic']['cells'] == {'tp': 79, 'fp': 62, 'tn': 258, 'fn': 110}" \
  "$S['race=Native American']['cells'] == {'tp': 5, 'fp': 3, 'tn': 3, 'fn': 0}" \
  "$S['race=Other']['cells'] == {'tp': 42, 'fp': 28, 'tn': 191, 'fn': 82}" \
  "($rel)($S['(all)']['metrics']['selection_rate']['value'], 0.44572261827608556)" \
  "($rel)($S['(all)']['metrics']['false_positive_rate']['value'], 0.30270591733571217)" \
  "($rel)($S['(all)']['metrics']['false_negative_rate']['value'], 0.38305446778212887)" \
  "($rel)($S['(all)']['metrics']['precision']['value'], 0.62995274445656124)" \
  "($rel)($S['race=African-American']['metrics']['selection_rate']['value'], 0.57606299212598422)" \
  "($rel)($S['race=African-American']['metrics']['false_positive_rate']['value'], 0.42338177014531042)" \
  "($rel)($S['race=African-American']['metrics']['false_negative_rate']['value'], 0.28476821192052981)" \
  "($rel)($S['race=African-American']['metrics']['precision']['value'], 0.64953526517222526)" \
  "($rel)($S['race=Caucasian']['metrics']['selection_rate']['value'], 0.33095577746077032)" \
  "($rel)($S['race=Caucasian']['metrics']['false_positive_rate']['value'], 0.22014051522248243)" \
  "($rel)($S['race=Caucasian']['metrics']['false_negative_rate']['value'], 0.49635036496350365)" \
  "($rel)($S['race=Caucasian']['metrics']['precision']['value'], 0.59482758620689657)" \
  "($rel)($S['race=Hispanic']['metrics']['selection_rate']['value'], 0.27701375245579568)" \
  "($rel)($S['race=Hispanic']['metrics']['false_positive_rate']['value'], 0.19375000000000001)" \
  "($rel)($S['race=Hispanic']['metrics']['false_negative_rate']['value'], 0.58201058201058198)" \
  "($rel)($S['race=Hispanic']['metrics']['precision']['value'], 0.56028368794326244)" \
  "($rel)($D[('race','demographic_parity_difference')]['between_groups'], 0.52319109461966606)" \
  "($rel)($D[('race','demographic_parity_difference')]['to_overall'], 0.28155010899664173)" \
  "($rel)($D[('race','demographic_parity_ratio')]['between_groups'], 0.28061224489795916)" \
  "($rel)($D[('race','demographic_parity_ratio')]['to_overall'], 0.45786689812238962)" \
  "($rel)($D[('race','equalized_odds_difference')]['between_groups'], 0.66129032258064524)" \
  "($rel)($D[('race','equalized_odds_difference')]['to_overall'], 0.38305446778212893)" \
  "($rel)($D[('race','equalized_odds_ratio')]['between_groups'], 0.17391304347826086)" \
  "($rel)($D[('race','equalized_odds_ratio')]['to_overall'], 0.28726403006748097)"

# one worker or two: the same numbers, bit for bit (only the run's own facts may differ)
python3 - "$TMP/r1.json" "$TMP/r2.json" <<'PY' && ok || bad "1 and 2 threads differ"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for k in ("slices", "disparities", "disparate_impact", "rows"):
    assert a[k] == b[k], k
PY

# Only African-American and Caucasian rows (REFERENCE.md, second table)
run 0 "$ASSAY" eval --data "$data" --label two_year_recid --pred-from 'score_text in [Medium, High]' \
  --sensitive race "${filters[@]}" --where 'race in [African-American, Caucasian]' --format json --out "$TMP/two.json"
pyassert "$TMP/two.json" \
  "($rel)($D[('race','demographic_parity_difference')]['between_groups'], 0.2451072146652139)" \
  "($rel)($D[('race','demographic_parity_ratio')]['between_groups'], 0.57451317301145211)" \
  "($rel)($D[('race','equalized_odds_difference')]['between_groups'], 0.21158215304297379)" \
  "($rel)($D[('race','equalized_odds_ratio')]['between_groups'], 0.51995747277197879)" \
  "($rel)(1 / $D[('race','false_positive_rate_ratio')]['between_groups'], 1.9232342111919953)"
finish
