# `assay scan` as a user meets it: exit codes (0 clean, 1 findings counted
# by --fail-on, 2 usage or input errors with a located message), --redact
# output (one placeholder per distinct value, no raw value left), JSON
# reports (schema assay.scan/1, values masked unless --show-values),
# --data on a table (share of rows per column, values never listed) and
# --out written atomically (nothing left behind on error).
source "$(dirname "$0")/lib.bash"
d=$TMP

printf 'The weather is nice today.\nNothing to see here, move along.\n' >"$d/clean.txt"
printf '%s\n' 'Contact jane.doe@example.com or call 345-899-3560 today.' \
  'Again: jane.doe@example.com, and then bob@corp.example.org.' \
  'Card on file: 4111 1111 1111 1111.' >"$d/pii.txt"

# ---- exit codes ----
run 0 "$ASSAY" scan "$d/clean.txt"
contains "$TMP/out" '0 findings'
run 1 "$ASSAY" scan "$d/pii.txt" # --fail-on any is the default
contains "$TMP/out" 'EMAIL_ADDRESS 3'
run 0 "$ASSAY" scan --fail-on none "$d/pii.txt"
run 1 "$ASSAY" scan --fail-on CREDIT_CARD "$d/pii.txt"
run 0 "$ASSAY" scan --fail-on AWS_ACCESS_KEY "$d/pii.txt"
run 0 "$ASSAY" scan <"$d/clean.txt" # standard input
run 1 "$ASSAY" scan - <"$d/pii.txt"
run 2 "$ASSAY" scan "$d/nothere.txt"
contains "$TMP/err" 'nothere.txt: cannot open'
run 2 "$ASSAY" scan --bogus "$d/pii.txt"
contains "$TMP/err" 'unknown or incomplete option "--bogus"'
run 2 "$ASSAY" scan --fail-on EMAIL "$d/pii.txt"
contains "$TMP/err" '--fail-on: unknown entity "EMAIL"'
run 2 "$ASSAY" scan --format pdf "$d/pii.txt"
# a rules file whose pattern does not compile: file, line and column
printf 'rules:\n  - name: emp\n    entity: EMPLOYEE_ID\n    pattern: "EMP-(\\\\d{6}"\n' >"$d/bad.yaml"
run 2 "$ASSAY" scan --rules "$d/bad.yaml" "$d/pii.txt"
contains "$TMP/err" 'bad.yaml:4:14: pattern does not compile: missing closing parenthesis'
printf 'detectors: []\n' >"$d/wrongkey.yaml"
run 2 "$ASSAY" scan --rules "$d/wrongkey.yaml" "$d/pii.txt"
contains "$TMP/err" 'wrongkey.yaml:1:1:'

# ---- redaction ----
run 0 "$ASSAY" scan --redact "$d/pii.txt"
cp "$TMP/out" "$d/redacted.txt"
contains "$d/redacted.txt" 'Contact <EMAIL_1> or call <PHONE_1> today.'
contains "$d/redacted.txt" 'Again: <EMAIL_1>, and then <EMAIL_2>.' # the same value, the same placeholder
contains "$d/redacted.txt" 'Card on file: <CARD_1>.'
for raw in jane.doe@example.com bob@corp.example.org 345-899-3560 '4111 1111 1111 1111'; do
  if grep -qF -- "$raw" "$d/redacted.txt"; then bad "raw value left in --redact output: $raw"; else ok; fi
done
# redacting stdin, and the redacted text scans clean
run 0 "$ASSAY" scan --redact <"$d/pii.txt"
run 0 "$ASSAY" scan "$d/redacted.txt"

# ---- JSON report ----
run 1 "$ASSAY" scan --format json --out "$d/report.json" "$d/pii.txt"
pyassert "$d/report.json" \
  'r["schema"] == "assay.scan/1"' \
  'r["summary"]["findings"] == 5' \
  'r["summary"]["by_entity"] == {"EMAIL_ADDRESS": 3, "PHONE_NUMBER": 1, "CREDIT_CARD": 1}' \
  'r["parameters"]["show_values"] is False' \
  '[f["value"] for f in r["findings"] if f["entity"] == "EMAIL_ADDRESS"][0] == "j***@e***.com"' \
  'all(f["file"].endswith("pii.txt") and f["end"] > f["start"] for f in r["findings"])' \
  'r["findings"][0]["line"] == 1 and r["findings"][0]["column"] == 9'
for raw in jane.doe@example.com bob@corp.example.org 345-899-3560 4111; do
  if grep -qF -- "$raw" "$d/report.json"; then bad "raw value in the JSON report: $raw"; else ok; fi
done
run 1 "$ASSAY" scan --format json --show-values --out "$d/shown.json" "$d/pii.txt"
contains "$d/shown.json" '"jane.doe@example.com"'
pyassert "$d/shown.json" 'r["parameters"]["show_values"] is True'

# ---- --data: which columns hold personal data, and in what share of rows ----
printf '%s\n' 'id,email,note' '1,jane@example.com,hello' '2,bob@corp.example.org,fine' '3,,nothing' \
  '4,carl@example.net,ok' >"$d/people.csv"
run 1 "$ASSAY" scan --data "$d/people.csv"
contains "$TMP/out" 'email: EMAIL_ADDRESS 75.0% (3)'
run 0 "$ASSAY" scan --data "$d/people.csv" --format json --fail-on none --out "$d/data.json"
pyassert "$d/data.json" \
  'r["schema"] == "assay.scan/1" and r["rows"] == 4' \
  '[c["name"] for c in r["columns"]] == ["id", "email", "note"]' \
  'r["columns"][1]["rows_nonempty"] == 3' \
  'r["columns"][1]["entities"] == [{"entity": "EMAIL_ADDRESS", "rows": 3, "share": 0.75}]' \
  'r["columns"][0]["entities"] == [] and r["columns"][2]["entities"] == []' \
  'r["findings"] == [] and r["summary"]["findings"] == 3'
for raw in jane@example.com bob@corp carl@example.net; do
  if grep -qF -- "$raw" "$d/data.json" "$TMP/out"; then bad "--data listed a value: $raw"; else ok; fi
done

# ---- --out is atomic ----
rm -f "$d/none.json"
run 2 "$ASSAY" scan --format json --out "$d/none.json" "$d/nothere.txt"
absent "$d/none.json"
run 2 "$ASSAY" scan --rules "$d/bad.yaml" --format json --out "$d/none.json" "$d/pii.txt"
absent "$d/none.json"
echo previous >"$d/keep.json"
run 2 "$ASSAY" scan --format json --out "$d/keep.json" "$d/pii.txt" "$d/nothere.txt"
contains "$d/keep.json" previous
run 0 "$ASSAY" scan --format json --fail-on none --out "$d/keep.json" "$d/pii.txt"
pyassert "$d/keep.json" 'r["summary"]["findings"] == 5'
[[ -z $(ls "$d" | grep '\.tmp') ]] && ok || bad "temporary files left behind"
finish
