#!/usr/bin/env bash
# bench_scan.sh: throughput and latency of the text scanners (issue 3),
# against a Python `re` implementation of the same patterns, in one run.
#
#   corpus   build/bench-data/scan-corpus.txt, >= 100 MB: the 1,500 sentences
#            of Presidio's synthetic dataset v2 (PII-dense) interleaved 1:4
#            with clean English prose (the repository's docs), repeated
#   prose    build/bench-data/scan-prose.txt, >= 100 MB: the same prose
#            alone (clean English)
#   library  bench/scan_latency.c: assay_scan_buffer in 64 MiB blocks on one
#            core, all built-in detectors (then PII + secrets only, to show
#            what the injection markers cost); best of 3; then a 2 KB chat
#            message scanned 20,000 times (p50, p99)
#   command  assay scan --fail-on none --max-findings 0 on the corpus (adds
#            mmap, SHA-256 and the report)
#   peer     bench/scan_re.py on the first 8 MB (stdlib re, patterns only)
#
# usage: bench/bench_scan.sh [BUILD_DIR]   (default build-bench-scan, Release)
#   BENCH_DATA   where the corpora are kept (default build/bench-data)
# Findings before and after a change: bench/scan_diff.sh [BASE].
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_NAME=bench_scan BENCH_DIR=$ROOT/bench TIME=/usr/bin/time
# shellcheck source=bench/lib.bash
. "$ROOT/bench/lib.bash"
# quiet: wait (up to BENCH_QUIET_WAIT s) for idle CPUs, then say how idle they were
quiet() { wait_quiet; echo "   (machine: $(idle_pct)% idle, load ${LOADS[-1]})"; }
SHARED=${SHARED:-$ROOT/../shared}
BUILD=${1:-$ROOT/build-bench-scan}
DATA=${BENCH_DATA:-$ROOT/build/bench-data}
mkdir -p "$DATA"

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DASSAY_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j2 --target assay >/dev/null
LIBS=$(pkg-config --libs libhs libpcre2-8 libutf8proc libsodium jansson yaml-0.1 libcrypto gsl)
cc -O2 -I"$ROOT/include" "$ROOT/bench/scan_latency.c" "$BUILD/libassay.a" $LIBS -lm -lpthread -o "$BUILD/scan_latency"

CORPUS=$DATA/scan-corpus.txt
PROSE=$DATA/scan-prose.txt
if [[ ! -s $CORPUS || ! -s $PROSE ]]; then
  /usr/bin/python3 - "$SHARED/data/pii/presidio_synth_dataset_v2.json" "$ROOT" "$CORPUS" "$PROSE" <<'PY'
import glob, json, sys
rows = [r["full_text"] for r in json.load(open(sys.argv[1]))]
prose = []
for p in sorted(glob.glob(sys.argv[2] + "/docs/*.md")) + [sys.argv[2] + "/../shared/DESIGN.md"]:
    prose += [l for l in open(p, encoding="utf-8").read().split("\n\n") if l.strip() and not l.startswith(("|", "```", "    "))]
block = []
for i, r in enumerate(rows):
    block.append(r)
    block += prose[(4 * i) % len(prose):(4 * i) % len(prose) + 4]
for path, text in ((sys.argv[3], "\n\n".join(block) + "\n\n"), (sys.argv[4], "\n\n".join(prose) + "\n\n")):
    text = text.encode()
    with open(path, "wb") as f:
        n = 0
        while n < 100_000_000:
            f.write(text)
            n += len(text)
PY
fi
MSG=$DATA/scan-message.txt
head -c 2048 "$CORPUS" >"$MSG"
echo "corpus: $(stat -c %s "$CORPUS") bytes; prose: $(stat -c %s "$PROSE") bytes; message: $(stat -c %s "$MSG") bytes"

echo "== assay library (one core), corpus, all detectors"
quiet
taskset -c 0 "$BUILD/scan_latency" "$CORPUS" "$MSG"
echo "== assay library (one core), corpus, pii + secrets (no injection markers)"
quiet
taskset -c 0 "$BUILD/scan_latency" "$CORPUS" "$MSG" pii,secrets | grep -E 'GBps|findings'
echo "== assay library (one core), clean English prose, all detectors"
quiet
taskset -c 0 "$BUILD/scan_latency" "$PROSE" "$MSG" | grep -E 'bytes|GBps|findings'

echo "== assay scan (command, whole pipeline)"
quiet
/usr/bin/time -f "seconds %e\nmaxrss_kb %M" "$BUILD/assay" scan --fail-on none --max-findings 0 "$CORPUS" | tail -3

echo "== python re, same patterns, first 8 MB"
/usr/bin/python3 "$ROOT/bench/scan_re.py" "$ROOT/lib/scan/patterns.c" "$CORPUS" 8000000
