# `assay check --suggest` drafts the same expectations from a stored
# profile as from the data it was built from, and the draft passes on
# that data.
source "$(dirname "$0")/lib.bash"
data=$SHARED/data/compas/compas-scores-two-years.csv
run 0 "$ASSAY" profile --data "$data" --out "$TMP/compas.profile.json"
run 0 "$ASSAY" check --suggest --data "$data" --sensitive name,first,last,dob --out "$TMP/from-data.yaml"
run 0 "$ASSAY" check --suggest --profile "$TMP/compas.profile.json" --sensitive name,first,last,dob --out "$TMP/from-profile.yaml"
same "$TMP/from-profile.yaml" "$TMP/from-data.yaml"
contains "$TMP/from-profile.yaml" 'in_set: [African-American, Asian, Caucasian, Hispanic, "Native American", Other]'
contains "$TMP/from-profile.yaml" 'unique: true'
run 0 "$ASSAY" check --data "$data" --expect "$TMP/from-profile.yaml" --format json --out "$TMP/result.json"
pyassert "$TMP/result.json" 'r["passed"] is True'
# misuse is a usage error
run 2 "$ASSAY" check --suggest --profile "$TMP/compas.profile.json" --data "$data"
contains "$TMP/err" 'not both'
run 2 "$ASSAY" check --suggest --profile "$TMP/compas.profile.json" --sensitive nmae
contains "$TMP/err" 'did you mean "name"'
finish
