#!/usr/bin/env bash
# scan_diff.sh: do the text scanners give the same findings as at another
# revision? A differential check for changes that should only make
# lib/scan faster.
#
# Builds the library at BASE (default: main) and in this tree (Release),
# links bench/scan_dump.c (one line per finding: record, start, end,
# entity, detector, confidence to 17 digits, encoding, context flag,
# injection markers) against each, runs both over the same inputs and
# diffs the outputs:
#   corpus, prose   the bench corpora (bench_scan.sh), in 64 MiB blocks
#   presidio        the 1,500 Presidio sentences, each scanned alone
#   edge1, edge2    generated text dense in the shapes the passes touch
#                   (bench/scan_edge.py: card, IBAN, SSN, IPv4/6, phone,
#                   date and postal shapes with every separator, context
#                   words, base64/hex runs, injection phrases, non-ASCII
#                   and invisible characters), as one buffer, as records
#                   scanned alone, and with fewer detector groups
#
# usage: bench/scan_diff.sh [BASE]     exit 0 identical, 1 different
#   BENCH_DATA   where the corpora are (default build/bench-data); a
#                missing corpus is skipped with a note
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
BASE=${1:-main}
DATA=${BENCH_DATA:-$ROOT/build/bench-data}
WORK=${SCAN_DIFF_DIR:-$ROOT/build-scan-diff}
export ASSAY_CACHE_DIR=$WORK/cache
mkdir -p "$WORK/base" "$WORK/in" "$WORK/out"
LIBS=$(pkg-config --libs libhs libpcre2-8 libutf8proc libsodium jansson yaml-0.1 libcrypto gsl)

build() { # build SRC BUILD_DIR OUT_BINARY
  cmake -S "$1" -B "$2" -DCMAKE_BUILD_TYPE=Release -DASSAY_TESTS=OFF >/dev/null
  cmake --build "$2" -j2 --target assaylib >/dev/null
  cc -O2 -I"$1/include" "$ROOT/bench/scan_dump.c" "$2/libassay.a" $LIBS -lm -lpthread -o "$3"
}
rm -rf "$WORK/base/src" && mkdir -p "$WORK/base/src"
git -C "$ROOT" archive "$BASE" | tar -x -C "$WORK/base/src"
build "$WORK/base/src" "$WORK/base/build" "$WORK/dump-base"
build "$ROOT" "$WORK/build" "$WORK/dump-new"
echo "base: $BASE ($(git -C "$ROOT" rev-parse --short "$BASE")); new: working tree"

/usr/bin/python3 "$ROOT/bench/scan_edge.py" 1 "$WORK/in/edge1.txt" 6000000
/usr/bin/python3 "$ROOT/bench/scan_edge.py" 2 "$WORK/in/edge2.rec" 3000000 records
/usr/bin/python3 "$ROOT/bench/scan_edge.py" 3 "$WORK/in/edge3.txt" 4000000 runs
/usr/bin/python3 - "$SHARED/data/pii/presidio_synth_dataset_v2.json" "$WORK/in/presidio.rec" <<'PY'
import json, sys
rows = [r["full_text"] for r in json.load(open(sys.argv[1]))]
open(sys.argv[2], "wb").write(b"\0".join(r.encode() for r in rows))
PY

rc=0
while read -r name mode file groups; do
  if [[ ! -s $file ]]; then echo "$name: skipped ($file missing)"; continue; fi
  [[ $groups == all ]] && groups=
  "$WORK/dump-base" "$file" "$mode" $groups >"$WORK/out/$name.base"
  "$WORK/dump-new" "$file" "$mode" $groups >"$WORK/out/$name.new"
  if cmp -s "$WORK/out/$name.base" "$WORK/out/$name.new"; then
    echo "$name: identical ($(wc -l <"$WORK/out/$name.base") findings)"
  else
    echo "$name: DIFFERENT (diff $WORK/out/$name.base $WORK/out/$name.new)"
    diff "$WORK/out/$name.base" "$WORK/out/$name.new" | head -5 || true
    rc=1
  fi
done <<LIST
corpus blocks $DATA/scan-corpus.txt all
prose blocks $DATA/scan-prose.txt all
presidio records $WORK/in/presidio.rec all
edge1 blocks $WORK/in/edge1.txt all
edge1-pii-secrets blocks $WORK/in/edge1.txt pii,secrets
edge2 records $WORK/in/edge2.rec all
edge2-pii records $WORK/in/edge2.rec pii
edge2-secrets records $WORK/in/edge2.rec secrets
edge2-injection records $WORK/in/edge2.rec injection
edge3-runs blocks $WORK/in/edge3.txt all
LIST
exit $rc
