# redteam_resume.sh: a run killed with SIGKILL halfway keeps every finished
# case in its JSONL, and a rerun with the same cache completes without
# calling the target for the cases it already has (the test server counts
# requests), with the same results as an uninterrupted run.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/redteam_lib.bash"
start_server SLOW --delay-ms 60
start_server FAST

# 185 cases, 2 in flight, 60 ms each: about 6 s; killed once 20 are done
"$ASSAY" redteam run --suite "$SUITE" --target "openai:$URL_SLOW" --concurrency 2 --cache "$TMP/cache" \
  --jsonl "$TMP/killed.jsonl" --format json --out "$TMP/killed.json" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 400); do
  [[ -f $TMP/killed.jsonl && $(wc -l <"$TMP/killed.jsonl") -ge 20 ]] && break
  sleep 0.05
done
kill -KILL $pid
wait $pid 2>/dev/null
absent "$TMP/killed.json"
lines=$(wc -l <"$TMP/killed.jsonl")
cached=$(find "$TMP/cache" -name '*.json' | wc -l)
before=$(requests SLOW)
echo "killed run: $lines JSONL lines, $cached cache entries, $before requests"
# every line is complete JSON, and every finished case is in the cache
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$TMP/killed.jsonl" && ok || bad "torn JSONL line"
(( lines > 5 && lines < 185 )) && ok || bad "killed run finished $lines cases, want some but not all"
(( cached >= lines && cached <= lines + 2 )) && ok || bad "$cached cache entries for $lines finished cases"

run 1 "$ASSAY" redteam run --suite "$SUITE" --target "openai:$URL_SLOW" --concurrency 8 --cache "$TMP/cache" \
  --jsonl "$TMP/rerun.jsonl" --format json --out "$TMP/rerun.json"
after=$(requests SLOW)
# the rerun called the target only for what the cache lacked
[[ $((after - before)) == $((185 - cached)) ]] && ok || bad "rerun made $((after - before)) calls, want $((185 - cached))"
pyassert "$TMP/rerun.json" "r['summary']['cache_hits'] == $cached" "r['summary']['target_calls'] == 185 - $cached"
python3 - "$TMP/killed.jsonl" "$TMP/rerun.jsonl" <<'PY' && ok || bad "killed cases not answered from the cache"
import json, sys
killed = {(r["case"], r["strategy"]): r for r in map(json.loads, open(sys.argv[1]))}
rerun = {(r["case"], r["strategy"]): r for r in map(json.loads, open(sys.argv[2]))}
assert len(rerun) == 185
for k, r in killed.items():
    assert rerun[k]["cached"] and rerun[k]["outcome"] == r["outcome"], (k, r, rerun[k])
PY

# a third run is free, and equals an uninterrupted run on a fresh server
run 1 "$ASSAY" redteam run --suite "$SUITE" --target "openai:$URL_SLOW" --cache "$TMP/cache" --format json --out "$TMP/third.json"
[[ $(requests SLOW) == "$after" ]] && ok || bad "the fully cached run called the target"
run 1 "$ASSAY" redteam run --suite "$SUITE" --target "openai:$URL_FAST" --format json --out "$TMP/fresh.json"
python3 -c '
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for d in (a, b):
    d["summary"].pop("target_calls"); d["summary"].pop("cache_hits")
    d["parameters"].pop("target")
sys.exit(a != b)' "$TMP/third.json" "$TMP/fresh.json" && ok || bad "cached results differ from a fresh run"

# retries: the first 5 requests get 429 with Retry-After: 0; every case still finishes
start_server FLAKY --flaky 5
run 0 "$ASSAY" redteam run --suite "$SUITE" --target "openai:$URL_FLAKY" --limit 20 --format json --out "$TMP/flaky.json"
pyassert "$TMP/flaky.json" 'r["summary"]["errors"] == 0' 'r["summary"]["attempts"] == 20' 'r["summary"]["target_calls"] == 25'
# without retries the 5 rejected cases are errors, counted apart from attempts
start_server FLAKY2 --flaky 5
run 0 "$ASSAY" redteam run --suite "$SUITE" --target "openai:$URL_FLAKY2" --limit 20 --concurrency 1 --retries 0 --format json --out "$TMP/flaky2.json"
pyassert "$TMP/flaky2.json" 'r["summary"]["errors"] == 5' 'r["summary"]["attempts"] == 15'

# multi-turn escalation through the cache: the bot answers the final turn
# as it would the plain request, so per category the multiturn successes
# equal the none successes (13 in all); a cached rerun makes no call
sed 's/^strategies: .*/strategies: [none, multiturn]/' "$SUITE" >"$TMP/mt.yaml"
run 1 "$ASSAY" redteam run --suite "$TMP/mt.yaml" --target "openai:$URL_FAST" --cache "$TMP/mtcache" --format json --out "$TMP/mt1.json"
calls=$(requests FAST)
run 1 "$ASSAY" redteam run --suite "$TMP/mt.yaml" --target "openai:$URL_FAST" --cache "$TMP/mtcache" --format json --out "$TMP/mt2.json"
[[ $(requests FAST) == "$calls" ]] && ok || bad "the cached multi-turn rerun called the target"
pyassert "$TMP/mt2.json" \
  'all(c["successes"] == 2 * [x for x in r["cells"] if x["category"] == c["category"] and x["strategy"] == "none"][0]["successes"] for c in [dict(category=k["id"], successes=k["successes"]) for k in r["categories"]])' \
  'sum(x["successes"] for x in r["cells"] if x["strategy"] == "multiturn") == 13' \
  'sum(x["attempts"] for x in r["cells"] if x["strategy"] == "multiturn") == 35' \
  'r["summary"]["target_calls"] == 0'
finish
