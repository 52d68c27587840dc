# lib.bash: what the bench/ scripts share: failing with a message, refusing
# to write data into tracked paths, clocks, medians, waiting for a quiet
# machine before each timed run, and timing a command with its peak RSS.
# A script sets BENCH_NAME, BENCH_DIR and TIME, then sources this file.

# decimal points as "." whatever the locale ($EPOCHREALTIME, awk, printf)
export LC_NUMERIC=C

die() { echo "$BENCH_NAME: $*" >&2; exit 2; }

# not_tracked DIR: create DIR, refusing a path git would track (data and
# results never enter the repository).
not_tracked() {
  local d=$1 top
  top=$(git -C "$BENCH_DIR" rev-parse --show-toplevel 2>/dev/null) || { mkdir -p "$d"; return 0; }
  d=$(realpath -m "$d")
  top=$(realpath -m "$top")
  case $d/ in
    "$top"/*) git -C "$top" check-ignore -q "$d" ||
      die "'$1' is inside the repository and not ignored by git; use an ignored or outside path" ;;
  esac
  mkdir -p "$d"
}

# The clock: bash's $EPOCHREALTIME (seconds, microseconds), read without a fork. A clock
# read through $(date) put a subshell, a fork and an exec inside every timed interval: 10-30
# ms on top of runs of 70-170 ms here (a 0.07 s run by /usr/bin/time measured 0.083-0.105).
# elapsed A B: seconds from $EPOCHREALTIME value A to B, 3 decimals.
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# median of the arguments (numbers)
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
maxof() { printf '%s\n' "$@" | sort -g | tail -1; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
met() { awk -v v="$1" -v t="$2" 'BEGIN { print (v >= t) ? "MET" : "MISSED" }'; }

# idle_pct: share of CPU time idle over the next half second (other work on the machine
# skews every figure; the tables record it).
idle_pct() {
  local a b
  read -ra a < <(sed -n 's/^cpu  //p' /proc/stat)
  sleep 0.5
  read -ra b < <(sed -n 's/^cpu  //p' /proc/stat)
  awk -v a="${a[*]}" -v b="${b[*]}" 'BEGIN { n = split(a, x); split(b, y); for (i = 1; i <= n; i++) { d = y[i] - x[i]; t += d; if (i == 4 || i == 5) idle += d }; printf "%.0f", t ? 100 * idle / t : 0 }'
}

# wait_quiet: before each timed run, wait up to BENCH_QUIET_WAIT seconds (default 120)
# for the CPUs to be >= 90% idle; MIN_IDLE keeps the lowest idle share seen when a run
# started and LOADS the 1-minute load averages, for the tables.
MIN_IDLE=100
LOADS=()
wait_quiet() {
  local idle deadline=$((SECONDS + ${BENCH_QUIET_WAIT:-120})) warned=0
  while :; do
    idle=$(idle_pct)
    ((idle >= 90 || SECONDS >= deadline)) && break
    ((warned++)) || echo "   (waiting for the machine to be idle: ${idle}% idle)" >&2
  done
  ((idle >= MIN_IDLE)) || MIN_IDLE=$idle
  LOADS+=("$(cut -d' ' -f1 /proc/loadavg)")
}

# run_timed LOG CMD...: runs CMD with stdout to LOG.stdout (to /dev/null if NULL_OUT=1),
# sets WALL (s, from the clock) and RSS (peak, KiB, from /usr/bin/time). Exit codes in
# OK_RC (default "0") count as success.
run_timed() {
  local log=$1 t0 t1 rc=0
  shift
  wait_quiet
  t0=$EPOCHREALTIME
  local out=$log.stdout
  [[ ${NULL_OUT:-0} == 1 ]] && out=/dev/null
  "$TIME" -f '%e %M' -o "$log.time" "$@" >"$out" 2>"$log.stderr" || rc=$?
  t1=$EPOCHREALTIME
  WALL=$(elapsed "$t0" "$t1")
  if [[ " ${OK_RC:-0} " != *" $rc "* ]]; then
    echo "$BENCH_NAME: command failed (exit $rc): $*" >&2
    tail -n 20 "$log.stderr" >&2
    exit 3
  fi
  RSS=$(awk 'END { print $2 }' "$log.time")
}
