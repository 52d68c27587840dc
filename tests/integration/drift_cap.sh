# `assay drift` past a profile's cap: data files stay exact by default
# (no cap), `--cap N` makes them sketches; a KS test on a sketch reports D
# with its error bound and no p-value, and decides drift only when D minus
# the error exceeds the critical D (docs/drift.md), else "inconclusive".
source "$(dirname "$0")/lib.bash"
d=$TMP
python3 - "$d" <<'PY'
import random, sys
random.seed(7)
def write(name, shift):
    with open(f'{sys.argv[1]}/{name}.csv', 'w') as f:
        f.write('x,c\n')
        for i in range(20000):
            f.write(f'{random.random() + shift:.9f},{"ab"[i % 2]}\n')
write('ref', 0.0)
write('same', 0.0)  # same distribution: no drift
write('moved', 0.5) # D = 0.5: drift beyond any sketch error
PY

# data files: exact however many distinct values (20000 > the cap given below)
run 0 "$ASSAY" drift --reference "$d/ref.csv" --current "$d/same.csv" --format json --out "$d/exact.json"
pyassert "$d/exact.json" \
  '[c for c in r["columns"] if c["name"] == "x"][0]["approximate"] is False' \
  '[c for c in r["columns"] if c["name"] == "x"][0]["statistics"]["ks_pvalue"] > 0.05' \
  'r["summary"]["columns_inconclusive"] == 0'

# --cap on data: sketches; no KS p-value, D with its error, inconclusive
run 0 "$ASSAY" drift --reference "$d/ref.csv" --current "$d/same.csv" --cap 1000 --format json --out "$d/capped.json"
x='[c for c in r["columns"] if c["name"] == "x"][0]'
pyassert "$d/capped.json" \
  "$x[\"approximate\"] and $x[\"inconclusive\"] and not $x[\"drifted\"]" \
  "$x[\"statistics\"][\"ks_pvalue\"] is None" \
  "0.03 < $x[\"statistics\"][\"ks_d_error\"] < 0.04" \
  "abs($x[\"statistics\"][\"ks_critical_d\"] - 1.3581 * (2 / 20000) ** 0.5) < 1e-4" \
  'r["summary"]["columns_inconclusive"] == 1 and not r["summary"]["dataset_drift"]'

# a stored capped reference profile against data: the same rule
run 0 "$ASSAY" profile --data "$d/ref.csv" --cap 1000 --out "$d/ref.profile.json"
run 0 "$ASSAY" drift --reference "$d/ref.profile.json" --current "$d/same.csv" --format json --out "$d/stored.json"
pyassert "$d/stored.json" \
  "$x[\"approximate\"] and $x[\"inconclusive\"] and $x[\"statistics\"][\"ks_pvalue\"] is None" \
  "$x[\"statistics\"][\"ks_d_error\"] < 0.02"
run 1 "$ASSAY" drift --reference "$d/ref.profile.json" --current "$d/moved.csv" --format json --out "$d/moved.json"
pyassert "$d/moved.json" \
  "$x[\"approximate\"] and $x[\"drifted\"] and not $x[\"inconclusive\"]" \
  "$x[\"statistics\"][\"ks_d\"] - $x[\"statistics\"][\"ks_d_error\"] > $x[\"statistics\"][\"ks_critical_d\"]"

# every format says so
run 0 "$ASSAY" drift --reference "$d/ref.profile.json" --current "$d/same.csv" --format text
contains "$TMP/out" "inconclusive"
run 0 "$ASSAY" drift --reference "$d/ref.profile.json" --current "$d/same.csv" --format md
contains "$TMP/out" "inconclusive"
run 0 "$ASSAY" drift --reference "$d/ref.profile.json" --current "$d/same.csv" --format html
contains "$TMP/out" "inconclusive"
run 0 "$ASSAY" drift --reference "$d/ref.profile.json" --current "$d/same.csv" --format junit
contains "$TMP/out" "<skipped message=\"approximate (KLL sketch): KS D"

run 2 "$ASSAY" drift --reference "$d/ref.csv" --current "$d/same.csv" --cap 0
contains "$TMP/err" "--cap"

finish
