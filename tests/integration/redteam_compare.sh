# redteam_compare.sh: `assay redteam compare` flags significant increases of
# the attack success rate per category, one-sided, with Fisher's exact test
# when an expected cell is below 5 and the pooled z-test otherwise. The
# p-values were computed by hand and checked with scipy 1.10
# (fisher_exact(..., alternative="greater"), norm.sf(z)):
#   llm01-direct  1/20 -> 6/20    Fisher  p = 852720/18643560 = 0.0457380457...  regression
#   llm07         0/10 -> 3/10    Fisher  p = C(10,3)/C(20,3) = 120/1140 = 0.1052631...
#   vcr          20/200 -> 35/200 z = 2.177862026, p = 0.014708155  regression
#   iwp          30/200 -> 36/200 z = 0.808232007, p = 0.209478518
#   ipv          50/100 -> 40/100 z = -1.421338109, p = 0.922390755 (a decrease)
#   hte           only in the baseline; ssh only in the current run
source "$(dirname "$0")/lib.bash"

python3 - "$TMP" <<'PY'
import json, sys
def doc(cats):
    return {"schema": "assay.redteam/1", "inputs": {"suite": {"path": "s.yaml", "sha256": "0" * 64}},
            "categories": [{"id": i, "attempts": n, "successes": k} for i, k, n in cats]}
base = [("llm01-direct", 1, 20), ("llm07", 0, 10), ("vcr", 20, 200), ("iwp", 30, 200), ("ipv", 50, 100), ("hte", 1, 10)]
cur = [("llm01-direct", 6, 20), ("llm07", 3, 10), ("vcr", 35, 200), ("iwp", 36, 200), ("ipv", 40, 100), ("ssh", 2, 10)]
json.dump(doc(base), open(sys.argv[1] + "/base.json", "w"))
json.dump(doc(cur), open(sys.argv[1] + "/cur.json", "w"))
json.dump(doc(base), open(sys.argv[1] + "/same.json", "w"))
PY

run 1 "$ASSAY" redteam compare "$TMP/base.json" "$TMP/cur.json" --format json --out "$TMP/c.json"
pyassert "$TMP/c.json" \
  'r["schema"] == "assay.redteam-compare/1" and r["regressions"] == 2'

python3 - "$TMP/c.json" <<'PY' && ok || bad "p-values"
import json, sys
d = {c["id"]: c for c in json.load(open(sys.argv[1]))["categories"]}
def close(a, b): return abs(a - b) <= 1e-9 * max(1, abs(b))
assert d["llm01-direct"]["test"] == "fisher" and close(d["llm01-direct"]["p"], 852720 / 18643560) and d["llm01-direct"]["regression"]
assert d["llm07"]["test"] == "fisher" and close(d["llm07"]["p"], 120 / 1140) and not d["llm07"]["regression"]
assert d["vcr"]["test"] == "z" and close(d["vcr"]["z"], 2.1778620259218826) and close(d["vcr"]["p"], 0.014708155203174015) and d["vcr"]["regression"]
assert d["iwp"]["test"] == "z" and close(d["iwp"]["p"], 0.20947851787031646) and not d["iwp"]["regression"]
assert close(d["ipv"]["p"], 0.922390755157658) and not d["ipv"]["regression"]
assert d["hte"]["only_in"] == "baseline" and d["ssh"]["only_in"] == "current" and d["hte"]["p"] is None
PY
# a stricter alpha keeps only the z-test regression (p = 0.0147 < 0.02 < 0.0457)
run 1 "$ASSAY" redteam compare "$TMP/base.json" "$TMP/cur.json" --alpha 0.02
contains "$TMP/out" "1 significant regression at alpha 0.02"
contains "$TMP/out" "REGRESSION"
run 0 "$ASSAY" redteam compare "$TMP/base.json" "$TMP/same.json"
contains "$TMP/out" "0 significant regressions"
# errors
run 2 "$ASSAY" redteam compare "$TMP/base.json"
echo '{"schema": "assay.eval/1"}' >"$TMP/eval.json"
run 2 "$ASSAY" redteam compare "$TMP/base.json" "$TMP/eval.json"
contains "$TMP/err" "not a red-team result"
finish
