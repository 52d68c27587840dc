# `assay profile --private`: columns holding personal data (COMPAS names
# and dates of birth) keep their counts and a distinct estimate but no
# value anywhere: not in the profile JSON, its merge, its text/html views,
# the drift report, nor a suggested contract. A misspelt column is exit 2.
source "$(dirname "$0")/lib.bash"
d=$TMP
data=$SHARED/data/compas/compas-scores-two-years.csv
head -3601 "$data" >"$d/a.csv"
{ head -1 "$data"; tail -n +3602 "$data"; } >"$d/b.csv"
priv=name,first,last,dob

run 0 "$ASSAY" profile --data "$data" --private $priv --out "$d/all.json"
pyassert "$d/all.json" \
  '[c["withheld"] for c in r["columns"] if c["name"] in ("name","first","last","dob")] == [True]*4' \
  'all("withheld" not in c for c in r["columns"] if c["name"] not in ("name","first","last","dob"))' \
  '[c for c in r["columns"] if c["name"]=="name"][0]["present"] == 7214' \
  '6900 < [c for c in r["columns"] if c["name"]=="name"][0]["distinct"] <= 7214' \
  'set([c for c in r["columns"] if c["name"]=="dob"][0]) == {"name","type","rows","present","missing","distinct","exact","withheld","hll"}'
# the first rows' people appear nowhere
for v in "miguel hernandez" hernandez "kevon dixon" 1947-04-18 1982-01-22; do
  if grep -qF -- "$v" "$d/all.json"; then bad "profile JSON holds \"$v\""; else ok; fi
done
# other columns still carry their values
contains "$d/all.json" "African-American"

# merge: withheld on one side is withheld in the result; counts add up
run 0 "$ASSAY" profile --data "$d/a.csv" --private $priv --out "$d/a.json"
run 0 "$ASSAY" profile --data "$d/b.csv" --out "$d/b.json"
run 0 "$ASSAY" profile merge "$d/a.json" "$d/b.json" --out "$d/m.json"
pyassert "$d/m.json" \
  '[c["withheld"] for c in r["columns"] if c["name"] in ("name","dob")] == [True, True]' \
  '[c for c in r["columns"] if c["name"]=="name"][0]["rows"] == 7214' \
  '"top" not in [c for c in r["columns"] if c["name"]=="first"][0]'
if grep -qF "kevon" "$d/m.json"; then bad "merged profile holds a name"; else ok; fi

# views
run 0 "$ASSAY" profile show "$d/a.json"
contains "$TMP/out" "values withheld: personal data"
if grep -qF "hernandez" "$TMP/out"; then bad "text view holds a name"; else ok; fi
run 0 "$ASSAY" profile show "$d/a.json" --format html --out "$d/a.html"
contains "$d/a.html" "values withheld (personal data)"

# drift against a withheld reference (a profile, recognised by its content
# although not named *.profile.json): those columns are not compared
run 0 "$ASSAY" drift --reference "$d/a.json" --current "$d/b.csv" --columns name,dob,age --format json --out "$d/drift.json"
pyassert "$d/drift.json" \
  '[c["status"] for c in r["columns"]] == ["withheld", "withheld", "compared"]' \
  '"personal data" in r["columns"][0]["note"]'
run 0 "$ASSAY" drift --reference "$d/a.csv" --current "$d/b.csv" --columns first,age --private first --format html --out "$d/drift.html"
if grep -qF "miguel" "$d/drift.html"; then bad "drift report holds a name"; else ok; fi

# a suggested contract lists them as sensitive and copies no value
run 0 "$ASSAY" check --suggest --profile "$d/a.json" --out "$d/contract.yaml"
contains "$d/contract.yaml" "sensitive: [name, first, last, dob]"
if grep -qF "hernandez" "$d/contract.yaml"; then bad "contract holds a name"; else ok; fi

# a profile claiming withheld but carrying values is refused, located
python3 - "$d/a.json" "$d/bad.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
c = [c for c in p["columns"] if c["name"] == "name"][0]
c["top"] = [["miguel hernandez", 1]]
json.dump(p, open(sys.argv[2], "w"))
PY
run 2 "$ASSAY" profile show "$d/bad.json"
contains "$TMP/err" "a withheld column carries no values"

# misspelt column: exit 2 with did-you-mean, nothing written
run 2 "$ASSAY" profile --data "$d/a.csv" --private nmae --out "$d/x.json"
contains "$TMP/err" 'did you mean "name"'
absent "$d/x.json"
finish
