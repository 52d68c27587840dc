# Bad input to `assay profile show` and `merge`: exit 2, a located message
# (file:line:column for JSON syntax, the JSON path for the rest), and
# nothing written to --out.
source "$(dirname "$0")/lib.bash"
d=$TMP
printf 'a,b\n1,x\n2,y\n' >"$d/good.csv"
run 0 "$ASSAY" profile --data "$d/good.csv" --out "$d/good.json"

# expect_error TEXT... -- args: exit 2, each TEXT in stderr, no --out file
expect_error() {
  local texts=()
  while [[ $1 != -- ]]; do texts+=("$1"); shift; done
  shift
  rm -f "$d/out.json"
  run 2 "$ASSAY" profile "$@" --out "$d/out.json"
  local t
  for t in "${texts[@]}"; do contains "$TMP/err" "$t"; done
  absent "$d/out.json"
}

# not a profile at all: a CSV file
expect_error 'good.csv:1:1: not valid JSON' 'hint: ' -- show "$d/good.csv"
# another schema
printf '{"schema": "assay.eval/1", "rows": 3}\n' >"$d/eval.json"
expect_error 'eval.json: schema: expected "assay.profile/1", found "assay.eval/1"' -- merge "$d/good.json" "$d/eval.json"
# no schema
printf '{"rows": 3}\n' >"$d/none.json"
expect_error 'none.json: schema: expected "assay.profile/1", found no schema' -- show "$d/none.json"
# truncated JSON: the line and column of the end
head -c 300 "$d/good.json" >"$d/trunc.json"
expect_error 'trunc.json:' 'not valid JSON' -- show "$d/trunc.json"
# counts that do not add up
sed 's/"present":2,/"present":3,/' "$d/good.json" >"$d/counts.json"
expect_error 'counts.json: columns[0].rows: present + missing must equal rows' -- show "$d/counts.json"
# a missing file
expect_error 'nothere.json: cannot open the profile' -- show "$d/nothere.json"
# different columns cannot merge
printf 'a,c\n1,x\n' >"$d/other.csv"
run 0 "$ASSAY" profile --data "$d/other.csv" --out "$d/other.json"
expect_error 'cannot merge profiles with different columns' -- merge "$d/good.json" "$d/other.json"
# usage
run 2 "$ASSAY" profile
contains "$TMP/err" "--data FILE is required"
run 2 "$ASSAY" profile --data "$d/good.csv" --format junit
contains "$TMP/err" "--format is json, text, md or html"
run 2 "$ASSAY" profile show
run 0 "$ASSAY" profile --help
contains "$TMP/out" "assay profile merge"
finish
