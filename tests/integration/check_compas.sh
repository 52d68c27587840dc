# `assay check` on COMPAS (7214 rows): counts agree with Python's csv
# module, example rows are the right physical lines, and the values of
# sensitive columns never appear in any output format.
source "$(dirname "$0")/lib.bash"
d=$TMP
csv=$SHARED/data/compas/compas-scores-two-years.csv
cat >"$d/compas.yaml" <<'YAML'
version: 1
dataset: compas
sensitive: [name, first, last, dob]
row_count: {min: 7000, max: 8000}
columns:
  two_year_recid: {in_set: [0, 1], not_null: true}
  age: {type: integer, between: [18, 70], median_between: [20, 40]}
  id: {unique: true}
  name: {regex: '^[a-z]+$'}
  dob: {length_between: [11, 12]}
relationships:
  - start < end
  - c_jail_in <= c_jail_out
YAML

# Python's view of the file: physical start line of every row
python3 - "$csv" >"$d/expected.txt" <<'PY'
import csv, sys, statistics
f = open(sys.argv[1], newline="")
rd = csv.reader(f)
head = next(rd)
col = {n: i for i, n in reversed(list(enumerate(head)))}  # first wins
prev = rd.line_num
rows = []
for rec in rd:
    rows.append((prev + 1, rec))
    prev = rd.line_num
age_bad = [ln for ln, r in rows if r[col["age"]] and not 18 <= float(r[col["age"]]) <= 70]
se_bad = [ln for ln, r in rows if r[col["start"]] and r[col["end"]] and not float(r[col["start"]]) < float(r[col["end"]])]
# timestamps "2013-01-16 12:44:00" order as strings
jail_bad = [ln for ln, r in rows if r[col["c_jail_in"]] and r[col["c_jail_out"]] and not r[col["c_jail_in"]] <= r[col["c_jail_out"]]]
print(len(rows), len(age_bad), " ".join(map(str, age_bad[:5])), len(se_bad), " ".join(map(str, se_bad[:5])),
      statistics.median(float(r[col["age"]]) for _, r in rows), len(jail_bad), sep=";")
PY
IFS=";" read -r nrows age_fail age_lines se_fail se_lines median jail_fail <"$d/expected.txt"

run 1 "$ASSAY" check --data "$csv" --expect "$d/compas.yaml" --format json --out "$d/r.json"
pyassert "$d/r.json" \
  'r["schema"] == "assay.check/1"' \
  "r['rows'] == $nrows" \
  'len(r["inputs"]) == 2 and all(len(i["sha256"]) == 64 for i in r["inputs"])' \
  'next(x for x in r["results"] if x["name"].startswith("two_year_recid: in_set"))["passed"]' \
  'next(x for x in r["results"] if x["name"] == "id: unique")["passed"]' \
  "next(x for x in r['results'] if x['name'] == 'age: between [18, 70]')['rows_failing'] == $age_fail" \
  "[e['line'] for e in next(x for x in r['results'] if x['name'] == 'age: between [18, 70]')['examples']] == [int(v) for v in '$age_lines'.split()]" \
  "next(x for x in r['results'] if x['name'] == 'start < end')['rows_failing'] == $se_fail" \
  "[e['line'] for e in next(x for x in r['results'] if x['name'] == 'start < end')['examples']] == [int(v) for v in '$se_lines'.split()]" \
  "next(x for x in r['results'] if x['kind'] == 'median_between')['value'] == $median" \
  "next(x for x in r['results'] if x['name'] == 'c_jail_in <= c_jail_out')['rows_failing'] == $jail_fail" \
  'not next(x for x in r["results"] if x["column"] == "name")["passed"]' \
  'all(e["value"] is None for x in r["results"] if x["sensitive"] for e in x["examples"])' \
  'r["summary"]["failed"] == 5'

# sensitive values: the names and birth dates of the first failing rows
python3 - "$csv" >"$d/secrets.txt" <<'PY'
import csv, sys
rd = csv.DictReader(open(sys.argv[1], newline=""))
for i, r in enumerate(rd):
    if i >= 8: break
    for k in ("name", "dob"):
        print(r[k])
PY
for fmt in text json md html junit; do
  run 1 "$ASSAY" check --data "$csv" --expect "$d/compas.yaml" --format "$fmt" --out "$d/r.$fmt"
  cp "$TMP/out" "$d/stdout.$fmt"
  if grep -qFf "$d/secrets.txt" "$d/r.$fmt" "$d/stdout.$fmt"; then
    bad "$fmt output shows a sensitive value"; grep -Ff "$d/secrets.txt" "$d/r.$fmt" | head -3 >&2
  else ok; fi
done
contains "$d/r.text" "FAIL  age: between [18, 70]"
contains "$d/r.text" "$age_fail of $nrows rows fail"
contains "$d/r.junit" '<testcase classname="assay.check.compas" name="id: unique"'
python3 -c "import sys, xml.dom.minidom as m; m.parse(sys.argv[1])" "$d/r.junit" && ok || bad "junit not well-formed XML"
finish
