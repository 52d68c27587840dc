# Bad input to `assay eval`: each error names file:line:column, says what
# was expected and what to do, exits 2, and writes no output file.
source "$(dirname "$0")/lib.bash"
d=$TMP
printf 'y,yhat,score,race\n1,1,0.9,A\n0,0,0.2,B\n' >"$d/good.csv"

# expect_error STATUS TEXT... -- assay args: exit STATUS, each TEXT in stderr, no --out file
expect_error() {
  local status=$1
  shift
  local texts=()
  while [[ $1 != -- ]]; do texts+=("$1"); shift; done
  shift
  rm -f "$d/out.json"
  run "$status" "$ASSAY" eval "$@" --format json --out "$d/out.json"
  local t
  for t in "${texts[@]}"; do contains "$TMP/err" "$t"; done
  absent "$d/out.json"
}

# a label that is not binary
printf 'y,yhat,race\n1,1,A\n0,0,B\n2,1,A\n' >"$d/label.csv"
expect_error 2 'label.csv:4:1: expected a binary value in column "y"' 'found "2"' 'hint: ' \
  -- --data "$d/label.csv" --label y --pred yhat --sensitive race

# string labels need --pos-label; with it, a third value is an error
printf 'y,yhat\nyes,no\nno,no\nmaybe,yes\n' >"$d/words.csv"
expect_error 2 'words.csv:2:1: expected a binary value' '--pos-label' -- --data "$d/words.csv" --label y --pred yhat
expect_error 2 'words.csv:4:1: column "y" has a third value' -- --data "$d/words.csv" --label y --pred yhat --pos-label yes

# a score outside [0, 1]
printf 'y,yhat,score\n1,1,0.9\n0,0,1.7\n' >"$d/score.csv"
expect_error 2 'score.csv:3:5: score in column "score" is outside [0, 1]: "1.7"' '--score-range' \
  -- --data "$d/score.csv" --label y --pred yhat --score score
# a score that is not a number
printf 'y,yhat,score\n1,1,0.9\n0,0,n/a\n' >"$d/nan.csv"
expect_error 2 'nan.csv:3:5: expected a number in column "score", found "n/a"' '--na' \
  -- --data "$d/nan.csv" --label y --pred yhat --score score
# ... which --na and --drop-na turn into a dropped row
run 0 "$ASSAY" eval --data "$d/nan.csv" --label y --pred yhat --score score --na n/a --drop-na --format json --out "$d/ok.json"
pyassert "$d/ok.json" 'r["rows"]["used"] == 1' 'any("dropped" in w for w in r["warnings"])'

# ragged rows
printf 'y,yhat,race\n1,1,A\n0,0\n' >"$d/ragged.csv"
expect_error 2 'ragged.csv:3:' 'row has 2 fields, the header has 3' -- --data "$d/ragged.csv" --label y --pred yhat

# an unknown column, with a suggestion
expect_error 2 'no column "scroe"' 'did you mean "score"' -- --data "$d/good.csv" --label y --pred yhat --score scroe
expect_error 2 'no column "rase"' 'did you mean "race"' -- --data "$d/good.csv" --label y --pred yhat --sensitive rase

# an empty file, and a file that is not UTF-8
: >"$d/empty.csv"
expect_error 2 'empty.csv' 'empty' -- --data "$d/empty.csv" --label y --pred yhat
printf 'y,yhat,race\n1,1,A\n0,0,Bj\xf6rk\n' >"$d/latin1.csv"
expect_error 2 'latin1.csv:3:7: invalid UTF-8' 'iconv' -- --data "$d/latin1.csv" --label y --pred yhat --sensitive race

# a missing file
expect_error 2 'nothere.csv' -- --data "$d/nothere.csv" --label y --pred yhat

# usage errors
expect_error 2 '--data FILE is required' -- --label y --pred yhat
expect_error 2 'no predictions' -- --data "$d/good.csv" --label y
expect_error 2 'only one of --pred, --pred-from and --threshold' -- --data "$d/good.csv" --label y --pred yhat --threshold 0.5 --score score
run 2 "$ASSAY" eval --data "$d/good.csv" --label y --pred yhat --format pdf --out "$d/out.pdf"
contains "$TMP/err" '--format is text, json, md, html or junit, not "pdf"'
absent "$d/out.pdf"
expect_error 2 '--where "score < high": ordering needs a number' -- --data "$d/good.csv" --label y --pred yhat --where 'score < high'

# plan errors are located in the plan
printf 'version: 1\nchecks:\n  - demographic_parity_ratio >= 0.8\n  - recal[race=*] >= 0.6\n' >"$d/typo.yaml"
expect_error 2 'typo.yaml:4:5: check "recal[race=*] >= 0.6": unknown metric "recal"; did you mean "recall"?' \
  -- --data "$d/good.csv" --label y --pred yhat --sensitive race --plan "$d/typo.yaml"
printf 'version: 1\nchecks:\n  - roc_auc >= 0.7\n' >"$d/auc.yaml"
expect_error 2 'auc.yaml:3:5: check "roc_auc >= 0.7": roc_auc needs a score column' '--score' \
  -- --data "$d/good.csv" --label y --pred yhat --plan "$d/auc.yaml"
printf 'version: 1\nchecks:\n  - check: recall[sex=*] >= 0.6\n' >"$d/feat.yaml"
expect_error 2 'feat.yaml:3:5:' 'no sensitive feature "sex"' '"race"' \
  -- --data "$d/good.csv" --label y --pred yhat --sensitive race --plan "$d/feat.yaml"
printf 'version: 1\nchecks: [\n' >"$d/broken.yaml"
expect_error 2 'broken.yaml:3:1: invalid YAML' -- --data "$d/good.csv" --label y --pred yhat --plan "$d/broken.yaml"
printf 'version: 1\nchecks:\n  - accuracy >= high\n' >"$d/num.yaml"
expect_error 2 'num.yaml:3:5:' 'expected a number after the comparison' \
  -- --data "$d/good.csv" --label y --pred yhat --plan "$d/num.yaml"

# a failed write leaves the previous report in place
echo previous >"$d/keep.json"
run 2 "$ASSAY" eval --data "$d/latin1.csv" --label y --pred yhat --sensitive race --format json --out "$d/keep.json"
contains "$d/keep.json" previous
[[ -z $(ls "$d" | grep '\.tmp\.') ]] && ok || bad "temporary files left behind"
finish
