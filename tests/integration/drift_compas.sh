# `assay drift` on COMPAS screened in 2013 (reference) vs 2014 (current):
# the DRIFT_REFERENCE.md numbers from data and from a stored profile (same
# numbers), every output format, exit codes, and bad inputs.
source "$(dirname "$0")/lib.bash"
d=$TMP
python3 - "$SHARED/data/compas/compas-scores-two-years.csv" "$d" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='')))
head, i = rows[0], rows[0].index('screening_date')
for y in ('2013', '2014'):
    with open(f'{sys.argv[2]}/{y}.csv', 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(head)
        w.writerows(r for r in rows[1:] if r[i].startswith(y))
PY
cols=age,priors_count,decile_score,juv_fel_count,days_b_screening_arrest,race,sex,c_charge_degree,age_cat,score_text

# from data: drift detected (exit 1), numbers as scipy's
run 1 "$ASSAY" drift --reference "$d/2013.csv" --current "$d/2014.csv" --columns $cols --format json --all-statistics --out "$d/data.json"
close='lambda a, b, t=1e-12: abs(a - b) <= t * abs(b)'
col='lambda n: [c for c in r["columns"] if c["name"] == n][0]["statistics"]'
pyassert "$d/data.json" \
  'r["schema"] == "assay.drift/1" and r["inputs"]["reference"]["rows"] == 5111 and r["inputs"]["current"]["rows"] == 2103' \
  "($close)(($col)('age')['ks_d'], 0.0645176836474675)" \
  "($close)(($col)('age')['ks_pvalue'], 7.725711955472446e-06, 1e-10)" \
  "($close)(($col)('age')['psi'], 0.04514324858882327)" \
  "($close)(($col)('age')['js'], 0.08970958598694276)" \
  "($close)(($col)('days_b_screening_arrest')['wasserstein'], 12.319326654038868)" \
  "($close)(($col)('days_b_screening_arrest')['wasserstein_norm'], 0.14731593112465569)" \
  "($close)(($col)('juv_fel_count')['ks_pvalue'], 0.9999772545761929, 1e-10)" \
  "($close)(($col)('sex')['chi2'], 6.159371926573373) and ($col)('sex')['chi2_dof'] == 1" \
  "($close)(($col)('age_cat')['chi2_pvalue'], 4.684797985178598e-09, 1e-10)" \
  "($close)(($col)('race')['js'], 0.022545383667120347)" \
  'r["summary"]["columns_compared"] == 10 and r["summary"]["columns_drifted"] == 7 and r["summary"]["dataset_drift"]'

# the inputs' SHA-256s: two data files are hashed together on one thread
# (assay_sha256_file_pair), one thread's scans hash their own
for t in 2 1; do
  run 1 "$ASSAY" drift --reference "$d/2013.csv" --current "$d/2014.csv" --columns $cols --threads $t --format json --out "$d/sha$t.json"
  pyassert "$d/sha$t.json" \
    "r['inputs']['reference']['sha256'] == '$(sha256sum "$d/2013.csv" | cut -c1-64)'" \
    "r['inputs']['current']['sha256'] == '$(sha256sum "$d/2014.csv" | cut -c1-64)'"
done

# Wasserstein only when it decides (docs/drift.md)
# by default every statistic is there; --deciding-only leaves out what no method needs
run 1 "$ASSAY" drift --reference "$d/2013.csv" --current "$d/2014.csv" --columns $cols --format json --out "$d/default.json"
pyassert "$d/default.json" "($close)(($col)('days_b_screening_arrest')['wasserstein_norm'], 0.14731593112465569)"
run 1 "$ASSAY" drift --reference "$d/2013.csv" --current "$d/2014.csv" --columns $cols --deciding-only --format json --out "$d/lazy.json"
pyassert "$d/lazy.json" \
  "($col)('days_b_screening_arrest')['wasserstein'] is None" \
  "($close)(($col)('age')['ks_pvalue'], 7.725711955472446e-06, 1e-10)"
run 1 "$ASSAY" drift --reference "$d/2013.csv" --current "$d/2014.csv" --columns $cols --method days_b_screening_arrest=wasserstein --deciding-only --format json --out "$d/lazyw.json"
pyassert "$d/lazyw.json" "($close)(($col)('days_b_screening_arrest')['wasserstein_norm'], 0.14731593112465569)"

# from a stored reference profile: the same statistics
run 0 "$ASSAY" profile --data "$d/2013.csv" --out "$d/2013.profile.json"
run 1 "$ASSAY" drift --reference "$d/2013.profile.json" --current "$d/2014.csv" --columns $cols --format json --all-statistics --out "$d/prof.json"
python3 - "$d/data.json" "$d/prof.json" <<'PY' && ok || bad "profile and data statistics differ"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
sa, sb = ({c["name"]: c.get("statistics") for c in x["columns"]} for x in (a, b))
sys.exit(0 if sa == sb and len(sa) == 10 else 1)
PY
pyassert "$d/prof.json" 'r["inputs"]["reference"]["kind"] == "profile"'

# every format renders; junit has a test case per column
for f in text md html junit; do
  run 1 "$ASSAY" drift --reference "$d/2013.csv" --current "$d/2014.csv" --columns $cols --format $f --out "$d/o.$f"
done
contains "$d/o.junit" 'name="age"><failure'
contains "$d/o.html" '<svg'
contains "$d/o.text" 'drift detected: 7 of 10 columns drifted'

# thresholds and share: no drift -> exit 0
run 0 "$ASSAY" drift --reference "$d/2013.csv" --current "$d/2014.csv" --columns $cols --drift-share 0.8
run 0 "$ASSAY" drift --reference "$d/2013.csv" --current "$d/2013.csv" --columns $cols
contains "$TMP/out" 'no drift: 0 of 10 columns drifted'
# per-column method: PSI 0.045 < 0.1, so age is no longer drifted
run 1 "$ASSAY" drift --reference "$d/2013.csv" --current "$d/2014.csv" --columns $cols --method age=psi --format json --out "$d/m.json"
pyassert "$d/m.json" '[c for c in r["columns"] if c["name"] == "age"][0]["drifted"] is False'
# Evidently mode (N > 1000: JS / Wasserstein, thresholds 0.1): no drift here
run 0 "$ASSAY" drift --reference "$d/2013.csv" --current "$d/2014.csv" --columns $cols --compat evidently --format json --out "$d/e.json"
pyassert "$d/e.json" '[c for c in r["columns"] if c["name"] == "age"][0]["method"] == "wasserstein"' \
  '[c for c in r["columns"] if c["name"] == "race"][0]["method"] == "js"'

# schema changes: a removed and an added column are reported, not a crash
cut -d, -f1-5 "$d/2014.csv" >"$d/narrow.csv"
printf 'id,extra\n1,a\n2,b\n' >"$d/other.csv"
run 1 "$ASSAY" drift --reference "$d/narrow.csv" --current "$d/other.csv" --format json --out "$d/s.json"
pyassert "$d/s.json" '"extra" in r["schema_changes"]["added"] and "name" in r["schema_changes"]["removed"]'

# bad inputs: exit 2, nothing written
run 2 "$ASSAY" drift --reference "$d/missing.csv" --current "$d/2014.csv" --out "$d/x.json"
absent "$d/x.json"
run 2 "$ASSAY" drift --reference "$d/2013.csv"
contains "$TMP/err" '--current is required'
run 2 "$ASSAY" drift --reference "$d/2013.csv" --current "$d/2014.csv" --method age=nope
run 2 "$ASSAY" drift --reference "$d/2013.csv" --current "$d/2014.csv" --label nope
run 2 "$ASSAY" drift --reference "$d/2013.csv" --current "$d/2014.csv" --format pdf
printf '{"schema":"other"}\n' >"$d/bad.profile.json"
run 2 "$ASSAY" drift --reference "$d/bad.profile.json" --current "$d/2014.csv"
run 0 "$ASSAY" drift --help
contains "$TMP/out" 'Examples:'
finish
