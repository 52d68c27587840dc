# Two processes adding evidence to the same database at once (2 x 50 adds,
# each its own transaction): every add lands, the E- numbers are 1..100
# without gaps or duplicates, and the audit chain verifies.
source "$(dirname "$0")/lib.bash"
export ASSAY_DB=$TMP/r.db ASSAY_USER=ci
run 0 "$ASSAY" system add --from "$TESTS/data/systems/credit-scoring.yaml"
worker() { # NAME
  local i
  for i in $(seq 1 50); do
    echo "{\"worker\": \"$1\", \"i\": $i}" >"$TMP/$1-$i.json"
    "$ASSAY" evidence add credit-scoring "$TMP/$1-$i.json" --requirement model-card --source ci --as "$1" \
      >/dev/null 2>>"$TMP/$1.err" || echo "$1 $i failed" >>"$TMP/failures"
  done
}
worker a &
pa=$!
worker b &
pb=$!
wait $pa $pb
if [[ -s $TMP/failures ]]; then bad "adds failed: $(head -5 "$TMP/failures")"; cat "$TMP"/*.err | head >&2; else ok; fi
run 0 "$ASSAY" evidence list credit-scoring --format json
pyassert "$TMP/out" "len(r['evidence']) == 100" \
  "sorted(int(e['ref'][2:]) for e in r['evidence']) == list(range(1, 101))" \
  "len(set(e['sha256'] for e in r['evidence'])) == 100" \
  "sum(e['source'] == 'ci' for e in r['evidence']) == 100"
run 0 "$ASSAY" audit log --format json --action evidence.add
pyassert "$TMP/out" "len(r['events']) == 100" \
  "sorted(e['actor'] for e in r['events']) == ['a'] * 50 + ['b'] * 50"
run 0 "$ASSAY" audit verify
contains "$TMP/out" "audit chain intact: 101 events"
run 0 "$ASSAY" evidence verify
contains "$TMP/out" "100 blobs checked, 0 bad"
run 0 "$ASSAY" doctor
finish
