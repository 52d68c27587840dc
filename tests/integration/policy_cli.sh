#!/usr/bin/env bash
# policy_cli.sh: `assay policy` on the real binary: lint a clean and a broken
# pack (every error at file:line:column, exit 2), show, catalogs with their
# counts, one catalog's entries, coverage in every format, --out atomic, and
# usage errors.
source "$(dirname "$0")/lib.bash"
P=$TESTS/data/policies

run 0 "$ASSAY" policy lint "$ROOT/policies/default"
contains "$TMP/out" "OK: assay-default"
run 0 "$ASSAY" policy lint "$P/minimal" --format json
pyassert "$TMP/out" 'r["schema"] == "assay.policy-lint/1"' 'r["valid"] is True' 'r["issues"] == []' \
  'len(r["policy"]["sha256"]) == 64'

run 2 "$ASSAY" policy lint "$P/broken"
contains "$TMP/out" "broken/controls.yaml:4:5: unknown key \"objectve\" in a control; did you mean \"objective\"?"
contains "$TMP/out" "broken/controls.yaml:15:21: \"GOVERN 9.9\" is not an entry of catalog nist-ai-rmf"
contains "$TMP/out" "broken/tiering.yaml:5:19: unknown field \"ai_typ\"; did you mean \"ai_type\"?"
contains "$TMP/out" "broken/applicability.yaml:4:16: unknown control \"model-crad\"; did you mean \"model-card\"?"
contains "$TMP/out" "broken/workflow.yaml:2:3: workflow.yaml has no parameters for tier \"prohibited\""
contains "$TMP/out" "problems in 5 files: the pack is invalid"
run 2 "$ASSAY" policy lint "$P/broken" --format json
pyassert "$TMP/out" 'r["valid"] is False' 'len(r["issues"]) >= 15' \
  'all(i["line"] > 0 for i in r["issues"] if not i["file"].endswith("tierng.yaml"))'
# a pack that does not load cannot be shown, and says where to look
run 2 "$ASSAY" policy show "$P/broken"
contains "$TMP/err" "tierng.yaml\" is not a policy pack file"
contains "$TMP/err" "assay policy lint"

run 0 "$ASSAY" policy show
contains "$TMP/out" "policy assay-default"
builtin=$(sed -n 's/^sha256 //p' "$TMP/out")
run 0 "$ASSAY" policy show "$ROOT/policies/default" --format json
pyassert "$TMP/out" 'r["schema"] == "assay.policy/1"' "r['policy']['sha256'] == '$builtin'" \
  'r["workflow"]["high"]["triage_hours"] == 48' 'r["workflow"]["prohibited"]["waiver_max_days"] == 0' \
  '{"fairness-evaluation","model-card","risk-assessment","red-team-report","drift-monitoring","data-quality","human-oversight-plan","technical-documentation"} <= {e["key"] for c in r["controls"] for e in c["evidence"]}' \
  '[e["kind"] for c in r["controls"] for e in c["evidence"] if e["key"] == "fairness-evaluation"] == ["metric"]'

run 0 "$ASSAY" policy catalogs --format json
pyassert "$TMP/out" 'r["schema"] == "assay.catalogs/1"' \
  '{c["id"]: c["assessable"] for c in r["catalogs"]} == {"eu-ai-act": 67, "iso-42001": 38, "nist-ai-600-1": 12, "nist-ai-rmf": 72}' \
  'all(c["verified_against_primary"] is False for c in r["catalogs"])'
run 0 "$ASSAY" policy catalogs
contains "$TMP/out" "4 function, 19 category, 72 subcategory"
contains "$TMP/out" "9 area, 38 control"
run 0 "$ASSAY" policy catalog nist-ai-rmf --format json
pyassert "$TMP/out" 'len([e for e in r["catalog"]["entries"] if e["kind"] == "subcategory"]) == 72' \
  'r["catalog"]["entries"][1] == {"id": "GOVERN 1", "kind": "category", "title": r["catalog"]["entries"][1]["title"], "assessable": False, "parent": "GOVERN"}'
run 0 "$ASSAY" policy catalog eu-ai-act
contains "$TMP/out" "Annex III 5(b)"
contains "$TMP/out" "date 2027-12-02"
run 2 "$ASSAY" policy catalog nist-rmf
contains "$TMP/err" "did you mean \"nist-ai-rmf\"?"

run 0 "$ASSAY" policy coverage --format json
pyassert "$TMP/out" 'r["schema"] == "assay.coverage/1"' \
  'all(c["covered"] + len(c["uncovered"]) == c["total"] for c in r["catalogs"])' \
  '[c["total"] for c in r["catalogs"] if c["catalog"] == "nist-ai-rmf"] == [72]'
run 0 "$ASSAY" policy coverage "$P/minimal"
contains "$TMP/out" "nist-ai-rmf      1 /  72 covered (1%)"
run 0 "$ASSAY" policy coverage --format md --out "$TMP/cov.md"
contains "$TMP/cov.md" "| iso-42001 | 38 | 38 | 100% |"
run 0 "$ASSAY" policy coverage --format html --out "$TMP/cov.html"
contains "$TMP/cov.html" "<table>"
# the embedded default and the source tree's files are the same pack: same hash, same coverage
"$ASSAY" policy coverage --format json >"$TMP/a.json"
"$ASSAY" policy coverage "$ROOT/policies/default" --format json | sed 's|"source": ".*"|"source": "built-in"|' >"$TMP/b.json"
if cmp -s "$TMP/a.json" "$TMP/b.json"; then ok; else bad "coverage of built-in and on-disk default differ"; fi

run 2 "$ASSAY" policy lint
run 2 "$ASSAY" policy lnt x
contains "$TMP/err" "did you mean \"lint\"?"
run 2 "$ASSAY" policy catalogs --format md
run 2 "$ASSAY" policy lint "$TMP/nope"
contains "$TMP/err" "not a directory"
run 2 "$ASSAY" policy show "$P/broken" --out "$TMP/never.txt"
absent "$TMP/never.txt"
run 0 "$ASSAY" policy --help
contains "$TMP/out" "Examples:"
finish
