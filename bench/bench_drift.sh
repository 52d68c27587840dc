#!/usr/bin/env bash
# Benchmark `assay drift` against the Python stack a user would otherwise run
# (../shared/bench/peer_drift.py: pandas.read_csv + scipy: KS on f0..f9, PSI with 10
# reference-quantile bins, chi-square contingency on c0..c2; the file's first half is the
# reference, its second half the current data), on synthetic data from
# ../shared/bench/gen_synth.py, in one run. See bench/README.md ("assay drift").
#
#   bench/bench_drift.sh ASSAY_BINARY SHARED_DIR
#
# Environment:
#   BENCH_SIZES   row counts (default "1000000 10000000")
#   BENCH_DATA    cache of generated CSVs and their halves, reused across runs
#                 (default build/bench-data); must not be a tracked path
#   BENCH_OUT     reports, logs and the results table (default build/bench-out; files drift-*)
#   BENCH_REPEAT  assay runs per configuration, median wall reported (default 3)
#   BENCH_QUIET_WAIT  seconds to wait, before each timed run, for the CPUs to be >= 90% idle
#                 (default 120; the lowest idle share seen is reported)
#
# Per size: the file is split once (untimed) into half1.csv (header + rows [0, N/2)) and
# half2.csv (header + rows [N/2, N)), then timed:
#   peer     peer_drift.py FILE --repeat 1 --results-dir DIR (once; it reads the whole file
#            and splits it itself, as a user would)
#   data     assay drift --reference half1.csv --current half2.csv --columns f0,..,c2
#            --format json (KS p-value on numeric columns, chi-square on categorical ones,
#            PSI on 10 reference-quantile bins reported alongside: the defaults)
#   profile  assay profile --data half1.csv --cap N --out half1.profile.json (once; --cap = the
#            row count, so the stored reference is exact like the data path; a profile past its
#            cap gives approximate columns with no KS p-value by design, docs/drift.md)
#   stored   assay drift --reference half1.profile.json --current half2.csv (same options)
# and bench/compare_drift.py checks both assay reports against the peer's numbers. Then the
# workflow the stored-profile target is about (a training set profiled once, each new
# batch compared with it): reference = the whole file, current = a batch of its last N/20
# rows (made once, untimed):
#   wprofile assay profile --data FILE --cap N --out whole.profile.json (once)
#   wdata    assay drift --reference FILE --current batch.csv (the reference recomputed)
#   wstored  assay drift --reference whole.profile.json --current batch.csv
# (their statistics must be the same). Every input is read once (untimed) before the
# runs that time it, so that each tool starts with the file in the page cache.
# The assay binary is copied into BENCH_OUT first, so a rebuild of build/ cannot swap it
# during the run.
#
# Exit status: 0 numbers agree (targets met or not: they are reported MET / MISSED);
# 1 assay and the peer disagree; 2 setup or usage error; 3 a program failed.
set -euo pipefail

usage() { sed -n '2,35p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

(($# == 2)) || usage
ASSAY_SRC=$1
SHARED=$2
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
BENCH_NAME=bench_drift
PY=/usr/bin/python3
TIME=/usr/bin/time
# shellcheck source=lib.bash
source "$BENCH_DIR/lib.bash"

[[ -d $SHARED ]] || die "shared directory '$SHARED' not found (expected the project's ../shared, holding bench/gen_synth.py and bench/peer_drift.py)"
GEN=$SHARED/bench/gen_synth.py
PEER=$SHARED/bench/peer_drift.py
for f in "$GEN" "$PEER"; do
  [[ -f $f ]] || die "'$f' is missing: is '$SHARED' the project's shared directory?"
done
[[ -x $ASSAY_SRC ]] || die "assay binary '$ASSAY_SRC' not found or not executable (run 'make build')"
[[ -x $PY ]] || die "$PY not found (apt-get install python3)"
[[ -x $TIME ]] || die "$TIME not found (apt-get install time)"
"$PY" -c 'import numpy, pandas, scipy' 2>/dev/null ||
  die "$PY cannot import numpy, pandas and scipy (scripts/install-deps.sh --bench; Debian: python3-scipy)"

SIZES=${BENCH_SIZES:-1000000 10000000}
DATA=${BENCH_DATA:-build/bench-data}
OUT=${BENCH_OUT:-build/bench-out}
REPEAT=${BENCH_REPEAT:-3}
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPEAT must be a positive integer, not '$REPEAT'"
for n in $SIZES; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "BENCH_SIZES: '$n' is not a positive row count"
  ((n >= 2)) || die "BENCH_SIZES: '$n' rows cannot be split into two halves"
done

not_tracked "$DATA"
not_tracked "$OUT"

# A private copy of the binary: other engineers rebuild build/ while the benchmark runs.
ASSAY=$OUT/drift-assay.bin
cp "$ASSAY_SRC" "$ASSAY.tmp.$$"
mv "$ASSAY.tmp.$$" "$ASSAY"

# split_halves FILE N: FILE's halves (header repeated), made once and reused.
split_halves() {
  local f=$1 n=$2 h=$(($2 / 2)) stem=${1%.csv}
  H1=$stem.half1.csv H2=$stem.half2.csv
  if [[ -s $H1 && -s $H2 && $H1 -nt $f && $H2 -nt $f ]]; then return 0; fi
  echo "bench_drift: splitting $f into halves of $h and $((n - h)) rows (untimed)"
  head -n $((h + 1)) "$f" >"$H1.tmp.$$"
  { head -n 1 "$f"; tail -n +$((h + 2)) "$f"; } >"$H2.tmp.$$"
  [[ $(wc -l <"$H1.tmp.$$") == $((h + 1)) && $(wc -l <"$H2.tmp.$$") == $((n - h + 1)) ]] ||
    die "$f does not have $n data rows"
  mv "$H1.tmp.$$" "$H1"
  mv "$H2.tmp.$$" "$H2"
}

# warm FILE...: read into the page cache, untimed (this host drops it now and then)
warm() { cat "$@" >/dev/null; }

# make_batch FILE N: FILE's last N/20 rows with its header, made once and reused.
make_batch() {
  local f=$1 b=$(($2 / 20))
  BATCH=${1%.csv}.batch.csv
  ((b >= 1)) || b=1
  if [[ -s $BATCH && $BATCH -nt $f ]]; then return 0; fi
  { head -n 1 "$f"; tail -n "$b" "$f"; } >"$BATCH.tmp.$$"
  mv "$BATCH.tmp.$$" "$BATCH"
}

# repeat_drift LOG LABEL REF CUR: BENCH_REPEAT timed drifts of CUR against REF (exit 1,
# drift found, is success); sets MED (median wall s) and MAXRSS (KiB) and prints the walls.
repeat_drift() {
  local log=$1 label=$2 ref=$3 cur=$4 i ws=() rs=()
  for ((i = 1; i <= REPEAT; i++)); do
    OK_RC="0 1" run_timed "$log-$i" "$ASSAY" "${common[@]}" --reference "$ref" --current "$cur" --out "$log.json"
    ws+=("$WALL") rs+=("$RSS")
  done
  MED=$(median "${ws[@]}") MAXRSS=$(maxof "${rs[@]}")
  echo "   assay drift ($label): walls ${ws[*]} s (median $MED), peak RSS $(calc '%.1f' "$MAXRSS / 1024") MiB"
}

mkdir -p "$OUT"
MACHINE="$(nproc) cores, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
echo "bench_drift: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $MACHINE"
echo "bench_drift: $("$ASSAY" --version 2>/dev/null | head -1 || echo '?') (copy of $ASSAY_SRC, sha256 $(sha256sum "$ASSAY" | cut -c1-12)), python $("$PY" -c 'import sys, numpy, pandas, scipy; print(sys.version.split()[0], "numpy", numpy.__version__, "pandas", pandas.__version__, "scipy", scipy.__version__)')"

COLS=f0,f1,f2,f3,f4,f5,f6,f7,f8,f9,c0,c1,c2
common=(drift --columns "$COLS" --format json)
rows=()
targets=()
wrows=()
ctx=()
stages=()
status=0

for n in $SIZES; do
  file=$DATA/synth-$n.csv
  if [[ ! -s $file ]]; then
    echo "bench_drift: generating $n rows into $file"
    "$PY" "$GEN" "$n" "$file.tmp.$$"
    mv "$file.tmp.$$" "$file"
  fi
  split_halves "$file" "$n"
  make_batch "$file" "$n"
  bytes=$(stat -c %s "$file")
  mb=$(calc '%.1f' "$bytes / 1e6")
  MIN_IDLE=100
  LOADS=()
  p=$OUT/drift-$n
  echo "bench_drift: == $n rows, $file, $mb MB"

  # Peer, once.
  rm -rf "$p-peer"
  warm "$file"
  run_timed "$p-peer" "$PY" "$PEER" "$file" --repeat 1 --results-dir "$p-peer"
  peer_s=$WALL peer_kib=$RSS
  peer_csv=$p-peer/synth-$n.drift.csv
  [[ -s $peer_csv ]] || { echo "bench_drift: the peer wrote no $peer_csv" >&2; exit 3; }
  # TIME lines: "TIME read_csv min= 2.575s median= ..."
  st() { sed -n "s/^TIME $1  *min= *\([0-9.]*\)s.*/\1/p" "$p-peer.stdout" | head -1; }
  echo "   peer_drift.py    wall ${peer_s}s, peak RSS $(calc '%.0f' "$peer_kib / 1024") MiB (read_csv $(st read_csv)s, ks $(st ks)s, psi_q10 $(st psi_q10)s, chi2 $(st chi2)s, psi_sturges $(st psi_sturges)s)"
  stages+=("$(printf '| %s | %s | %s | %s | %s | %s | %s |' "$n" "$(st read_csv)" "$(st ks)" "$(st psi_q10)" "$(st chi2)" "$(st psi_sturges)" "$peer_s")")

  # assay from the two halves (both profiled on the fly).
  warm "$H1" "$H2"
  repeat_drift "$p-data" data "$H1" "$H2"
  data_s=$MED data_kib=$MAXRSS

  # The reference profile, once; then drift against it.
  run_timed "$p-profile" "$ASSAY" profile --data "$H1" --cap "$n" --out "$p-half1.profile.json"
  prof_s=$WALL prof_kib=$RSS
  prof_mb=$(calc '%.1f' "$(stat -c %s "$p-half1.profile.json") / 1e6")
  echo "   assay profile (half1): ${prof_s}s, peak RSS $(calc '%.1f' "$prof_kib / 1024") MiB, profile $prof_mb MB"
  repeat_drift "$p-stored" stored "$p-half1.profile.json" "$H2"
  stored_s=$MED stored_kib=$MAXRSS

  # The workflow: the whole file's exact profile against a batch, and the same
  # comparison with the whole file recomputed.
  warm "$file" "$BATCH"
  run_timed "$p-wprofile" "$ASSAY" profile --data "$file" --cap "$n" --out "$p-whole.profile.json"
  wprof_s=$WALL
  wprof_mb=$(calc '%.1f' "$(stat -c %s "$p-whole.profile.json") / 1e6")
  repeat_drift "$p-wdata" "workflow, whole file recomputed vs batch" "$file" "$BATCH"
  wdata_s=$MED wdata_kib=$MAXRSS
  repeat_drift "$p-wstored" "workflow, stored whole-file profile vs batch, $wprof_mb MB, built in ${wprof_s}s" "$p-whole.profile.json" "$BATCH"
  wstored_s=$MED wstored_kib=$MAXRSS
  if "$PY" - "$p-wdata.json" "$p-wstored.json" <<'PY'; then
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
sa, sb = ({c["name"]: c.get("statistics") for c in x["columns"]} for x in (a, b))
sys.exit(0 if sa == sb and len(sa) == 13 else 1)
PY
    wagree=OK
  else
    echo "bench_drift: the workflow's stored-profile report differs from the recomputed one" >&2
    wagree=FAIL
    status=1
  fi

  idle=$MIN_IDLE
  ((idle >= 90)) || echo "bench_drift: warning: the machine was busy (down to ${idle}% idle) when a run started; timings are pessimistic" >&2

  # Agreement.
  if "$PY" "$BENCH_DIR/compare_drift.py" --rows "$n" "$peer_csv" "$p-data.json" "$p-stored.json" >"$p-compare.txt"; then
    agree=OK
  else
    agree=FAIL
    status=1
  fi
  sed 's/^/   /' "$p-compare.txt" | tail -n 60

  speed=$(calc '%.1f' "$peer_s / $data_s")
  memr=$(calc '%.1f' "$peer_kib / $data_kib")
  sr=$(calc '%.2f' "$data_s / $stored_s")
  wr=$(calc '%.2f' "$wdata_s / $wstored_s")
  rows+=("$(printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' \
    "$n" "$mb" "$peer_s" "$(calc '%.0f' "$peer_kib / 1024")" "$data_s" "$(calc '%.1f' "$data_kib / 1024")" \
    "$stored_s" "$(calc '%.1f' "$stored_kib / 1024")" "$prof_s" "$speed" "$memr" "$sr" "$agree")")
  targets+=("$n rows: speedup ${speed}x (>= 30x: $(met "$speed" 30)); memory ${memr}x less (>= 10x: $(met "$memr" 10)); stored profile ${wr}x faster than recomputing, whole-file reference vs a $((n / 20))-row batch (>= 2x: $(met "$wr" 2); same statistics: $wagree); on the equal halves ${sr}x (informational: there a stored profile saves at most half of the reading, bench/README.md)")
  wrows+=("$(printf '| %s | %s | %s | %s | %s | %s | %s | %s |' "$n" "$((n / 20))" "$wprof_s" "$wprof_mb" \
    "$wdata_s" "$(calc '%.1f' "$wdata_kib / 1024")" "$wstored_s" "$(calc '%.1f' "$wstored_kib / 1024")")")
  ctx+=("$(printf '| %s | %s | %s | %s | %s |' "$n" "$idle" "$(maxof "${LOADS[@]}")" "$(calc '%.1f' "$prof_kib / 1024")" "$prof_mb")")
done

{
  echo "Measured $(date -u +%Y-%m-%d) on $MACHINE; assay wall = median of $REPEAT runs, RSS = max; peer and profile once."
  echo
  echo "| rows | file MB | peer wall s | peer RSS MiB | assay (data) wall s | assay (data) RSS MiB | assay (stored profile) wall s | assay (stored) RSS MiB | profile build s | speedup | memory ratio | stored / recompute | agreement |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|"
  printf '%s\n' "${rows[@]}"
  echo
  for t in "${targets[@]}"; do echo "- $t"; done
  echo
  echo "Workflow: the whole file's exact profile (stored once) against a batch of its last N/20 rows, and the same drift with the whole CSV as reference (recomputed):"
  echo
  echo "| rows | batch rows | whole-file profile build s | profile MB | recompute wall s | recompute RSS MiB | stored wall s | stored RSS MiB |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${wrows[@]}"
  echo
  echo "| rows | peer read_csv s | ks s | psi_q10 s | chi2 s | psi_sturges s | peer wall s |"
  echo "|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${stages[@]}"
  echo
  echo "| rows | lowest CPU idle % at a run start | highest 1-min load at a run start | profile build RSS MiB | profile MB |"
  echo "|---:|---:|---:|---:|---:|"
  printf '%s\n' "${ctx[@]}"
} >"$OUT/drift-results.md"

echo
cat "$OUT/drift-results.md"
echo
echo "bench_drift: results in $OUT/drift-results.md; numbers $([[ $status == 0 ]] && echo agree || echo "DISAGREE, see $OUT/drift-*-compare.txt")"
exit "$status"
