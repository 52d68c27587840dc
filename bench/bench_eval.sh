#!/usr/bin/env bash
# Benchmark `assay eval` against the Python stack a user would otherwise run
# (../shared/bench/peer_eval.py: pandas.read_csv + scikit-learn metrics per group +
# demographic parity / equalized odds summaries), on synthetic data from
# ../shared/bench/gen_synth.py, in one run. See bench/README.md.
#
#   bench/bench_eval.sh ASSAY_BINARY SHARED_DIR        (make bench)
#
# Environment:
#   BENCH_SIZES   row counts (default "1000000 10000000")
#   BENCH_DATA    cache of generated CSVs, reused across runs (default build/bench-data);
#                 must not be a tracked path
#   BENCH_OUT     reports, logs and the results table (default build/bench-out)
#   BENCH_REPEAT  assay runs per configuration, interleaved, median wall reported (default 5)
#   BENCH_SCORE   1 (default) also times --score score (AUC etc.), reported apart; 0 skips
#   BENCH_QUIET_WAIT  seconds to wait, before each timed run, for the CPUs to be >= 90% idle
#                 (default 120; the lowest idle share seen is reported)
#
# Configurations of assay (all with --label y_true --pred y_pred --sensitive group,age_band
# --format json --out FILE):
#   a  default: bootstrap intervals, B = 1000          (headline: end to end)
#   b  --ci none                                       (what the intervals cost; ingest rate)
#   c  --score score (threshold-free metrics, default intervals; not in the headline)
# plus one untimed run with --ci none --min-group-size 0 whose numbers are compared with
# the peer's by bench/compare_eval.py.
#
# Exit status: 0 numbers agree (targets met or not: they are reported MET / MISSED);
# 1 assay and the peer disagree; 2 setup or usage error; 3 a program failed.
set -euo pipefail

usage() { sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

(($# == 2)) || usage
ASSAY=$1
SHARED=$2
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
BENCH_NAME=bench_eval
PY=/usr/bin/python3
TIME=/usr/bin/time
# shellcheck source=lib.bash
source "$BENCH_DIR/lib.bash"

[[ -d $SHARED ]] || die "shared directory '$SHARED' not found (expected the project's ../shared, holding bench/gen_synth.py and bench/peer_eval.py)"
GEN=$SHARED/bench/gen_synth.py
PEER=$SHARED/bench/peer_eval.py
for f in "$GEN" "$PEER"; do
  [[ -f $f ]] || die "'$f' is missing: is '$SHARED' the project's shared directory?"
done
[[ -x $ASSAY ]] || die "assay binary '$ASSAY' not found or not executable (run 'make build')"
[[ -x $PY ]] || die "$PY not found (apt-get install python3)"
[[ -x $TIME ]] || die "$TIME not found (apt-get install time)"
"$PY" -c 'import numpy, pandas, sklearn' 2>/dev/null ||
  die "$PY cannot import numpy, pandas and sklearn (scripts/install-deps.sh --bench)"

SIZES=${BENCH_SIZES:-1000000 10000000}
DATA=${BENCH_DATA:-build/bench-data}
OUT=${BENCH_OUT:-build/bench-out}
REPEAT=${BENCH_REPEAT:-5}
SCORE=${BENCH_SCORE:-1}
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPEAT must be a positive integer, not '$REPEAT'"
for n in $SIZES; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "BENCH_SIZES: '$n' is not a positive row count"
done

not_tracked "$DATA"
not_tracked "$OUT"

mkdir -p "$OUT"
MACHINE="$(nproc) cores, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
echo "bench_eval: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $MACHINE"
echo "bench_eval: $("$ASSAY" --version 2>/dev/null | head -1 || echo '?'), python $("$PY" -c 'import sys, numpy, pandas, sklearn; print(sys.version.split()[0], "numpy", numpy.__version__, "pandas", pandas.__version__, "sklearn", sklearn.__version__)')"

common=(eval --label y_true --pred y_pred --sensitive "group,age_band" --format json)
rows=()
extra=()
targets=()
ctx=()
status=0

for n in $SIZES; do
  file=$DATA/synth-$n.csv
  if [[ ! -s $file ]]; then
    echo "bench_eval: generating $n rows into $file"
    "$PY" "$GEN" "$n" "$file.tmp.$$"
    mv "$file.tmp.$$" "$file"
  fi
  bytes=$(stat -c %s "$file")
  mb=$(calc '%.1f' "$bytes / 1e6")
  MIN_IDLE=100
  echo "bench_eval: == $n rows, $file, $mb MB"

  # Context: how fast can this file be read at all (page cache warm after the first).
  NULL_OUT=1 run_timed "$OUT/cat-$n" cat "$file"
  cat_s=$WALL
  run_timed "$OUT/wc-$n" wc -l "$file"
  wc_s=$WALL
  echo "   cat > /dev/null ${cat_s}s ($(calc '%.2f' "$bytes / $cat_s / 1e9") GB/s), wc -l ${wc_s}s"

  # Peer, once.
  run_timed "$OUT/peer-$n" "$PY" "$PEER" "$file" --json
  peer_s=$WALL peer_kib=$RSS
  cp "$OUT/peer-$n.stdout" "$OUT/peer-$n.json"
  stages=$("$PY" -c 'import json, sys; t = json.load(open(sys.argv[1]))["seconds"]; print(" ".join(f"{k} {v:.2f}s" for k, v in t.items()))' "$OUT/peer-$n.json")
  echo "   peer_eval.py     wall ${peer_s}s, peak RSS $(calc '%.0f' "$peer_kib / 1024") MiB ($stages)"

  # assay configurations, interleaved (a b c, a b c, ...) so that a change
  # in the machine's load mid-run weighs on every configuration alike: the
  # interval overhead is a difference of two walls a few ms apart at 1M.
  declare -A wall=() rss=() walls=() rsss=()
  configs=(a b)
  ((SCORE)) && configs+=(c)
  cfg_args() {
    case $1 in
      a) args=() ;;
      b) args=(--ci none) ;;
      c) args=(--score score) ;;
    esac
  }
  for ((i = 1; i <= REPEAT; i++)); do
    for cfg in "${configs[@]}"; do
      cfg_args "$cfg"
      run_timed "$OUT/assay-$n-$cfg-$i" "$ASSAY" "${common[@]}" --data "$file" "${args[@]}" --out "$OUT/assay-$n-$cfg.json"
      walls[$cfg]+="$WALL " rsss[$cfg]+="$RSS "
    done
  done
  for cfg in "${configs[@]}"; do
    cfg_args "$cfg"
    read -ra ws <<<"${walls[$cfg]}"
    read -ra rs <<<"${rsss[$cfg]}"
    wall[$cfg]=$(median "${ws[@]}")
    rss[$cfg]=$(maxof "${rs[@]}")
    echo "   assay ($cfg) ${args[*]:-default}: walls ${ws[*]} s (median ${wall[$cfg]}), peak RSS $(calc '%.1f' "${rss[$cfg]} / 1024") MiB"
  done

  # Scaling context: config b on one thread, once.
  run_timed "$OUT/assay-$n-b-t1" "$ASSAY" "${common[@]}" --data "$file" --ci none --threads 1 --out "$OUT/assay-$n-b-t1.json"
  t1_s=$WALL
  echo "   assay (b) --threads 1: ${t1_s}s ($(calc '%.2f' "$t1_s / ${wall[b]}")x the default threads)"

  idle=$MIN_IDLE
  ((idle >= 90)) || echo "bench_eval: warning: the machine was busy (down to ${idle}% idle) when a run started; timings are pessimistic" >&2

  # Agreement: an untimed comparison run, then every configuration's point values.
  run_timed "$OUT/assay-$n-cmp" "$ASSAY" "${common[@]}" --data "$file" --ci none --min-group-size 0 --out "$OUT/assay-$n-cmp.json"
  cmpfiles=("$OUT/assay-$n-cmp.json")
  for cfg in "${configs[@]}"; do cmpfiles+=("$OUT/assay-$n-$cfg.json"); done
  if "$PY" "$BENCH_DIR/compare_eval.py" "$OUT/peer-$n.json" "${cmpfiles[@]}" >"$OUT/compare-$n.txt"; then
    agree=OK
  else
    agree=FAIL
    status=1
  fi
  sed 's/^/   /' "$OUT/compare-$n.txt" | tail -n 40

  speed_a=$(calc '%.1f' "$peer_s / ${wall[a]}")
  speed_b=$(calc '%.1f' "$peer_s / ${wall[b]}")
  memr=$(calc '%.1f' "$peer_kib / ${rss[a]}")
  gbs=$(calc '%.2f' "$bytes / ${wall[b]} / 1e9")
  ovh=$(calc '%.1f' "(${wall[a]} - ${wall[b]}) / ${wall[b]} * 100")
  rows+=("$(printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' \
    "$n" "$mb" "$peer_s" "$(calc '%.0f' "$peer_kib / 1024")" "${wall[a]}" "${wall[b]}" \
    "$(calc '%.1f' "${rss[a]} / 1024")" "$speed_a" "$speed_b" "$memr" "$gbs" "$ovh" "$agree")")
  met() { awk -v v="$1" -v t="$2" -v d="$3" 'BEGIN { ok = (d == "<") ? (v < t) : (v >= t); print ok ? "MET" : "MISSED" }'; }
  targets+=("$n rows: speedup ${speed_a}x (>= 50x: $(met "$speed_a" 50 '>=')); memory ${memr}x less (>= 10x: $(met "$memr" 10 '>=')); ingest ${gbs} GB/s (>= 1 GB/s: $(met "$gbs" 1 '>=')); intervals +${ovh}% (< 5%: $(met "$ovh" 5 '<'))")
  if ((SCORE)); then
    extra+=("$(printf '| %s | %s | %s | %s |' "$n" "${wall[c]}" "$(calc '%.1f' "${rss[c]} / 1024")" "$(calc '%.1f' "$peer_s / ${wall[c]}")")")
  fi
  ctx+=("$(printf '| %s | %s | %s | %s | %s | %s |' "$n" "$idle" "$cat_s" "$(calc '%.2f' "$bytes / $cat_s / 1e9")" "$wc_s" "$t1_s")")
  unset wall rss
done

{
  echo "Measured $(date -u +%Y-%m-%d) on $MACHINE; assay wall = median of $REPEAT runs, RSS = max."
  echo
  echo "| rows | file MB | peer wall s | peer RSS MiB | assay wall s (a) | assay wall s (b, --ci none) | assay RSS MiB (a) | speedup (a) | speedup (b) | memory ratio | ingest GB/s (b) | interval overhead % | agreement |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|"
  printf '%s\n' "${rows[@]}"
  echo
  for t in "${targets[@]}"; do echo "- $t"; done
  if ((SCORE)); then
    echo
    echo "| rows | assay wall s (c, --score score) | assay RSS MiB (c) | speedup vs peer (peer has no AUC) |"
    echo "|---:|---:|---:|---:|"
    printf '%s\n' "${extra[@]}"
  fi
  echo
  echo "| rows | lowest CPU idle % at a run start | cat > /dev/null s | cat GB/s | wc -l s | assay (b) --threads 1 s |"
  echo "|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${ctx[@]}"
} >"$OUT/results.md"

echo
cat "$OUT/results.md"
echo
echo "bench_eval: results in $OUT/results.md; numbers $([[ $status == 0 ]] && echo agree || echo "DISAGREE, see $OUT/compare-*.txt")"
exit "$status"
