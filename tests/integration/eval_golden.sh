# `assay eval` outputs on a small fixture, byte for byte against golden
# files (tests/golden/; regenerate with UPDATE_GOLDEN=1 after an intended
# change and review the diff), plus the facts that must hold whatever the
# format: exit status, CSV = JSONL, same seed = same bytes.
source "$(dirname "$0")/lib.bash"
cd "$TESTS" || exit 1
args=(--label approved --pred predicted --score score --sensitive group,sex --plan data/eval/loans-plan.yaml
      --bootstrap 200 --color never)

for fmt in text json md html junit; do
  # the plan has a failing check: exit 1, and the report is still written
  run 1 "$ASSAY" eval --data data/eval/loans.csv "${args[@]}" --format "$fmt" --out "$TMP/loans.$fmt"
  same "$TMP/loans.$fmt" "golden/loans.$fmt"
done
contains "$TMP/out" "report written to $TMP/loans.junit"
contains "$TMP/loans.junit" 'failures="3"'   # one failure and two inconclusive (inconclusive: fail)

# --inconclusive pass turns the two inconclusive checks into skipped tests
run 1 "$ASSAY" eval --data data/eval/loans.csv "${args[@]}" --inconclusive pass --format junit --out "$TMP/pass.junit"
contains "$TMP/pass.junit" 'failures="1"'
contains "$TMP/pass.junit" 'skipped="2"'

# JSONL gives the same numbers as CSV
run 1 "$ASSAY" eval --data data/eval/loans.jsonl "${args[@]}" --format json --out "$TMP/jsonl.json"
python3 - "$TMP/loans.json" "$TMP/jsonl.json" <<'PY' && ok || bad "CSV and JSONL results differ"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for k in ("slices", "disparities", "disparate_impact", "checks"):
    assert a[k] == b[k], k
PY

# a tab-separated copy, and one without a header row, give the same numbers
tr ',' '\t' <data/eval/loans.csv >"$TMP/loans.tsv"
tail -n +2 data/eval/loans.csv >"$TMP/noheader.csv"
run 1 "$ASSAY" eval --data "$TMP/loans.tsv" --delimiter '\t' "${args[@]}" --format json --out "$TMP/tsv.json"
run 1 "$ASSAY" eval --data "$TMP/noheader.csv" --no-header --columns approved,predicted,score,group,sex "${args[@]}" \
  --format json --out "$TMP/noheader.json"
python3 - "$TMP/loans.json" "$TMP/tsv.json" "$TMP/noheader.json" <<'PY' && ok || bad "TSV or header-less results differ"
import json, sys
a, b, c = (json.load(open(p)) for p in sys.argv[1:])
for k in ("slices", "disparities", "checks"):
    assert a[k] == b[k] == c[k], k
PY

# no plan: nothing to fail, exit 0; stdout is the report
run 0 "$ASSAY" eval --data data/eval/loans.csv --label approved --pred predicted --sensitive group --ci wilson
contains "$TMP/out" "group=A"
contains "$TMP/out" "demographic_parity_ratio"

# the same seed gives the same bytes; another seed other intervals
run 1 "$ASSAY" eval --data data/eval/loans.csv "${args[@]}" --format json --out "$TMP/again.json"
cmp -s "$TMP/loans.json" "$TMP/again.json" && ok || bad "same seed, different bytes"
run 1 "$ASSAY" eval --data data/eval/loans.csv "${args[@]}" --seed 9 --format json --out "$TMP/seed9.json"
cmp -s "$TMP/loans.json" "$TMP/seed9.json" && bad "seed had no effect" || ok

# the JSON carries what produced it
pyassert "$TMP/loans.json" \
  'r["tool"]["name"] == "assay" and r["generated_at"] == "2026-01-01T00:00:00Z"' \
  'r["inputs"][0]["sha256"] == "'"$(sha256sum data/eval/loans.csv | cut -d" " -f1)"'"' \
  'r["inputs"][1]["role"] == "plan" and r["inputs"][1]["sha256"] == "'"$(sha256sum data/eval/loans-plan.yaml | cut -d" " -f1)"'"' \
  'r["parameters"]["ci"]["bootstrap"] == 200 and r["parameters"]["ci"]["seed"] == 42' \
  '[c["status"] for c in r["checks"]] == ["fail", "pass", "inconclusive", "pass", "inconclusive"]' \
  'r["passed"] is False'

# a file large enough for the parallel mapped reader (>= 8 MiB): its report
# files are rendered while the input's hash ends and the hash put in after;
# every format carries the hash sha256sum gives, and the numbers are the
# small file's with every count 2800 times
big="$TMP/big.csv"
{ head -1 data/eval/loans.csv; for _ in $(seq 2800); do tail -n +2 data/eval/loans.csv; done; } >"$big"
sum=$(sha256sum "$big" | cut -d" " -f1)
for fmt in json md html junit; do
  run 1 "$ASSAY" eval --data "$big" "${args[@]}" --format "$fmt" --out "$TMP/big.$fmt"
  contains "$TMP/big.$fmt" "$sum"
done
pyassert "$TMP/big.json" \
  'r["inputs"][0]["sha256"] == "'"$sum"'" and r["inputs"][0]["rows"] == 240 * 2800' \
  'r["inputs"][0]["bytes"] == '"$(stat -c %s "$big")" \
  'r["slices"][0]["n"] == 240 * 2800'

# help shows an example
run 0 "$ASSAY" eval --help
contains "$TMP/out" "Examples:"
run 0 "$ASSAY" help eval
contains "$TMP/out" "--sensitive"
finish
