# redteam_cli.sh: suite errors are located and leave nothing written; the
# catalog lists every category with its counts per source; help and usage.
source "$(dirname "$0")/lib.bash"

run 0 "$ASSAY" redteam --help
contains "$TMP/out" "assay redteam compare baseline.json current.json"
run 2 "$ASSAY" redteam rnu
contains "$TMP/err" 'did you mean "run"'

# the catalog: 8 OWASP categories, 12 AILuminate hazards, benign; the
# public sets counted from ../shared/data
run 0 "$ASSAY" redteam catalog --format json --data "$SHARED/data" --out "$TMP/cat.json"
pyassert "$TMP/cat.json" \
  'r["schema"] == "assay.redteam-catalog/1"' \
  'len([c for c in r["categories"] if c["taxonomy"] == "OWASP LLM Top 10 2025"]) == 8' \
  'len([c for c in r["categories"] if c["taxonomy"] == "MLCommons AILuminate v1.0"]) == 12' \
  'sum(c["cases"].get("ailuminate", 0) for c in r["categories"]) == 1200' \
  '{c["id"]: c["cases"].get("ailuminate") for c in r["categories"]}["spc"] == 100' \
  '{c["id"]: c["cases"].get("xstest") for c in r["categories"]}["benign"] == 250' \
  '{c["id"]: c["cases"].get("bipia") for c in r["categories"]}["llm01-indirect"] == 75' \
  'all(c["cases"].get("builtin", 0) >= 2 for c in r["categories"])' \
  '[s["licence"] for s in r["sources"] if s["id"] == "xstest"] == ["CC-BY-4.0"]' \
  'len(r["strategies"]) == 13'
run 0 "$ASSAY" redteam catalog --data "$SHARED/data"
contains "$TMP/out" "llm07           System prompt leakage"
# no prompt text in the catalog
if grep -q "Repeat your system prompt" "$TMP/out" "$TMP/cat.json"; then bad "prompt text in the catalog"; else ok; fi

# suite errors: file:line:column, what was expected, nothing written
suite() { printf '%s\n' "$@" >"$TMP/s.yaml"; }
suite 'target: {url: "exec:true"}' 'categories: [llm07, vcrr]'
run 2 "$ASSAY" redteam run --suite "$TMP/s.yaml" --out "$TMP/o.json" --format json
contains "$TMP/err" 's.yaml:2:21: unknown attack category "vcrr"; did you mean "vcr"?'
absent "$TMP/o.json"
suite 'target: {url: "exec:true"}' 'strategies: [base64, rot-13]'
run 2 "$ASSAY" redteam run --suite "$TMP/s.yaml"
contains "$TMP/err" 's.yaml:2:22: unknown strategy "rot-13"; did you mean "rot13"?'
suite 'target: {url: "exec:true", concurency: 4}'
run 2 "$ASSAY" redteam run --suite "$TMP/s.yaml"
contains "$TMP/err" 'concurency'
contains "$TMP/err" 'concurrency'
suite 'target: {url: "ftp://x"}'
run 2 "$ASSAY" redteam run --suite "$TMP/s.yaml"
contains "$TMP/err" 's.yaml:1:15: target "ftp://x" is not openai:BASE_URL, http:URL or exec:COMMAND'
suite 'target: {url: "exec:true"}' 'cases:' '  - {id: a, category: llm01-direct, prompt: hi}'
run 2 "$ASSAY" redteam run --suite "$TMP/s.yaml"
contains "$TMP/err" 'case "a": the marker oracle needs "marker"'
suite 'target: {url: "exec:true"}' 'gate: {basis: lower}'
run 2 "$ASSAY" redteam run --suite "$TMP/s.yaml"
contains "$TMP/err" '"basis" is point or wilson-upper'
suite 'target: {url: "exec:true"}' 'benign: {source: xstest}'
run 2 "$ASSAY" redteam run --suite "$TMP/s.yaml"
contains "$TMP/err" 'the benign set is xstest but sources: has no xstest file'
suite 'target: {url: "openai:http://127.0.0.1:9/v1", api_key_env: ASSAY_TEST_NO_SUCH_KEY}'
run 2 "$ASSAY" redteam run --suite "$TMP/s.yaml"
contains "$TMP/err" 'the API key variable ASSAY_TEST_NO_SUCH_KEY is not set'
run 2 "$ASSAY" redteam run --suite "$TMP/missing.yaml"
contains "$TMP/err" 'cannot open the suite'
run 2 "$ASSAY" redteam run --suite "$ROOT/examples/redteam/support-bot.yaml" --target 'gopher:x'
run 2 "$ASSAY" redteam run --suite "$ROOT/examples/redteam/support-bot.yaml" --format pdf

# an unreachable target: every case is an error, reported per line, not a crash
suite 'target: {url: "openai:http://127.0.0.1:9/v1", retries: 0, timeout: 2}' 'categories: [{id: llm07, count: 2}]' 'benign: {source: none}'
run 0 "$ASSAY" redteam run --suite "$TMP/s.yaml" --format json --out "$TMP/u.json" --jsonl "$TMP/u.jsonl"
pyassert "$TMP/u.json" 'r["summary"]["errors"] == 2 and r["summary"]["attempts"] == 0'
contains "$TMP/u.jsonl" '"outcome":"error"'

# exec timeouts kill the child and count as errors
suite "target: {url: \"exec:sleep 5\", retries: 0, timeout: 0.3}" 'categories: [{id: llm07, count: 1}]' 'benign: {source: none}'
run 0 "$ASSAY" redteam run --suite "$TMP/s.yaml" --format json --out "$TMP/t.json" --jsonl "$TMP/t.jsonl"
python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).readline()); sys.exit(not 250 < r["latency_ms"] < 1500)' "$TMP/t.jsonl" && ok || bad "the timeout did not kill the child in time"
contains "$TMP/t.jsonl" 'no answer within 0.3 s; the command was killed'
finish
