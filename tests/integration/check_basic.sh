# `assay check` on small files: every expectation kind, exact aggregates,
# example lines (CSV with a quoted line break, JSONL), located errors in
# the expectations file (exit 2, nothing written), --suggest round trip.
source "$(dirname "$0")/lib.bash"
d=$TMP
cat >"$d/d.csv" <<'CSV'
id,name,email,age,status,signup,start,end
1,Ann,ann@x.org,34,active,2025-12-30,1,5
2,Bob,bob@x.org,150,active,2025-12-29T10:00:00Z,3,2
3,Cy,cy-at-x,41,paused,2025-12-28,2,9
3,"Di
Jr",,,closed,not a date,,4
5,Ed,ed@x.org,-2,closed,2025-12-31,5,6
CSV
cat >"$d/c.yaml" <<'YAML'
version: 1
dataset: customers
sensitive: [name, email]
row_count: {min: 3, max: 10}
columns:
  age:    {type: numeric, not_null: true, between: [0, 120], mean_between: [30, 50], median_between: [30, null], quantile: {q: 0.9, max: 100}, max_missing_share: 0.3}
  status: {in_set: [active, closed], not_null: true}
  id:     {unique: true, type: integer}
  email:  {regex: '^[^@]+@[^@]+$', length_between: [3, 254]}
  signup: {freshness: {max_age: 7d, now: 2026-01-01T00:00:00Z}}
relationships:
  - start < end
YAML
run 1 "$ASSAY" check --data "$d/d.csv" --expect "$d/c.yaml" --format json --out "$d/r.json"
res() { echo "next(x for x in r['results'] if x['name'] == '$1')"; }
pyassert "$d/r.json" \
  'r["rows"] == 5 and r["summary"] == {"expectations": 16, "passed": 7, "failed": 9}' \
  "$(res 'row_count [3, 10]')['passed']" \
  "[(e['line'], e['value']) for e in $(res 'age: between [0, 120]')['examples']] == [(3, '150'), (7, '-2')]" \
  "[e['line'] for e in $(res 'age: not_null')['examples']] == [5]" \
  "$(res 'age: mean_between [30, 50]')['value'] == 55.75" \
  "$(res 'age: median_between [30, null]')['value'] == 37.5" \
  "abs($(res 'age: quantile 0.9 [null, 100]')['value'] - 117.3) < 1e-12" \
  "$(res 'age: max_missing_share 0.3')['value'] == 0.2" \
  "[e['line'] for e in $(res 'id: unique')['examples']] == [4, 5] and $(res 'id: unique')['rows_failing'] == 2" \
  "next(x for x in r['results'] if x['kind'] == 'regex')['examples'] == [{'line': 4, 'value': None}]" \
  "$(res 'signup: freshness 7d')['value'] == 86400 and $(res 'signup: freshness 7d')['rows_failing'] == 1" \
  "[(e['line'], e['value']) for e in $(res 'start < end')['examples']] == [(3, 'start=3, end=2')]"
if grep -q 'Ann\|Di\|ann@\|cy-at-x' "$d/r.json"; then bad "sensitive value in JSON"; else ok; fi

# all pass -> 0; --examples 0 lists none
printf 'version: 1\ncolumns:\n  status: {in_set: [active, closed, paused]}\n' >"$d/ok.yaml"
run 0 "$ASSAY" check --data "$d/d.csv" --expect "$d/ok.yaml"
contains "$TMP/out" "1 expectation: 1 passed, 0 failed -> PASS"
run 1 "$ASSAY" check --data "$d/d.csv" --expect "$d/c.yaml" --examples 0 --format json --out "$d/r0.json"
pyassert "$d/r0.json" 'all(x["examples"] == [] for x in r["results"])'

# pii: lib/scan's detectors; examples name the entity, never the value
printf 'version: 1\nsensitive: [email]\ncolumns:\n  email: {pii: {max_share: 0.5}}\n  status: {pii: {max_share: 0}}\n' >"$d/p.yaml"
run 1 "$ASSAY" check --data "$d/d.csv" --expect "$d/p.yaml" --format json --out "$d/p.json"
pyassert "$d/p.json" \
  'r["results"][0]["rows_failing"] == 3 and r["results"][0]["rows_checked"] == 4 and not r["results"][0]["passed"]' \
  '[e["line"] for e in r["results"][0]["examples"]] == [2, 3, 7]' 'r["results"][1]["passed"]'
if grep -q 'ann@\|bob@' "$d/p.json"; then bad "pii example shows the value"; else ok; fi

# JSONL: lines are file lines
printf '{"a": 1}\n{"a": 7}\n{"a": 2}\n' >"$d/d.jsonl"
printf 'version: 1\ncolumns:\n  a: {between: [0, 5]}\n' >"$d/j.yaml"
run 1 "$ASSAY" check --data "$d/d.jsonl" --expect "$d/j.yaml" --format json --out "$d/j.json"
pyassert "$d/j.json" 'r["results"][0]["examples"] == [{"line": 2, "value": "7"}]'

# located errors: exit 2, no output file
expect_error() {
  local texts=()
  while [[ $1 != -- ]]; do texts+=("$1"); shift; done
  shift
  rm -f "$d/out.json"
  run 2 "$ASSAY" check --data "$d/d.csv" "$@" --format json --out "$d/out.json"
  local t
  for t in "${texts[@]}"; do contains "$TMP/err" "$t"; done
  absent "$d/out.json"
}
printf 'version: 1\ncolumns:\n  age: {not_null: true,\n        betwen: [0, 1]}\n' >"$d/e1.yaml"
expect_error 'e1.yaml:4:9: unknown expectation "betwen"; did you mean "between"?' -- --expect "$d/e1.yaml"
printf 'version: 1\ncolumns:\n  agee: {between: [0, 1]}\n' >"$d/e2.yaml"
expect_error 'e2.yaml:3:3: no column "agee"' 'did you mean "age"?' 'columns: id, name, email, age' -- --expect "$d/e2.yaml"
printf 'version: 1\nsensitive: [emial]\ncolumns:\n  age: {not_null: true}\n' >"$d/e3.yaml"
expect_error 'e3.yaml:2:13: no column "emial"' -- --expect "$d/e3.yaml"
printf 'version: 1\ncolumns:\n  email: {regex: "(ab"}\n' >"$d/e4.yaml"
expect_error 'e4.yaml:3:18: regex does not compile' -- --expect "$d/e4.yaml"
printf 'version: 1\ncolumns:\n  age: {between: [5, 1]}\n' >"$d/e5.yaml"
expect_error 'e5.yaml:3:18: between: min 5 is above max 1' -- --expect "$d/e5.yaml"
printf 'version: 1\ncolumns: [\n' >"$d/e6.yaml"
expect_error 'e6.yaml:3:1: invalid YAML' -- --expect "$d/e6.yaml"
printf 'version: 1\nrow_cont: 5\n' >"$d/e7.yaml"
expect_error 'e7.yaml:2:1: unknown key "row_cont"; did you mean "row_count"?' -- --expect "$d/e7.yaml"
printf 'version: 1\nrelationships: ["start <"]\n' >"$d/e8.yaml"
expect_error 'e8.yaml:2:17: relationship "start <": expected `column op column`' -- --expect "$d/e8.yaml"
expect_error 'nothere.yaml' 'cannot open' -- --expect "$d/nothere.yaml"
run 2 "$ASSAY" check --data "$d/d.csv"
contains "$TMP/err" "--expect FILE is required"
run 0 "$ASSAY" check --help
contains "$TMP/out" "Examples:"

# --suggest drafts a file the same data passes; sensitive columns get no values
run 0 "$ASSAY" check --suggest --data "$d/d.csv" --sensitive name,email --out "$d/s.yaml"
contains "$d/s.yaml" "sensitive: [name, email]"
contains "$d/s.yaml" "in_set: [active, closed, paused]"
if grep -q 'Ann\|ann@' "$d/s.yaml"; then bad "suggest copied a sensitive value"; else ok; fi
run 0 "$ASSAY" check --data "$d/d.csv" --expect "$d/s.yaml"
"$ASSAY" check --suggest --data "$SHARED/data/compas/compas-scores-two-years.csv" --sensitive name,first,last,dob >"$d/cs.yaml" && ok || bad "suggest on compas"
run 0 "$ASSAY" check --data "$SHARED/data/compas/compas-scores-two-years.csv" --expect "$d/cs.yaml"
contains "$d/cs.yaml" "  two_year_recid:"
finish
