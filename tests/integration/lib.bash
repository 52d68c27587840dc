# lib.bash: helpers for integration tests that run the real assay binary.
# Each test script sources this; $ASSAY, $SHARED, $TESTS and $ROOT come
# from ctest (tests/CMakeLists.txt).
set -u
: "${ASSAY:?run through ctest}" "${SHARED:?}" "${TESTS:?}" "${ROOT:?}"
export SOURCE_DATE_EPOCH=1767225600 # 2026-01-01T00:00:00Z: reports carry a fixed timestamp
passed=0
failed=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }

# run EXPECTED_STATUS cmd...: runs, keeps stdout in $TMP/out and stderr in $TMP/err
run() {
  local want=$1
  shift
  "$@" >"$TMP/out" 2>"$TMP/err"
  local got=$?
  if [[ $got == "$want" ]]; then ok; else bad "exit $got, want $want: $*"; sed 's/^/  | /' "$TMP/err" >&2; fi
}

# contains FILE TEXT: FILE has the literal TEXT
contains() {
  if grep -qF -- "$2" "$1"; then ok; else bad "$1 lacks: $2"; sed 's/^/  | /' "$1" | head -20 >&2; fi
}

# absent FILE: nothing was written there
absent() {
  if [[ ! -e $1 ]]; then ok; else bad "$1 exists but should not"; fi
}

# same FILE GOLDEN: byte-identical (set UPDATE_GOLDEN=1 to rewrite goldens)
same() {
  if [[ ${UPDATE_GOLDEN:-0} == 1 ]]; then cp "$1" "$2"; ok; return; fi
  if cmp -s "$1" "$2"; then ok; else bad "$1 differs from golden $2"; diff -u "$2" "$1" | head -40 >&2; fi
}

# pyassert JSON_FILE PYTHON_EXPR...: each expression must be true of `r`, the parsed JSON
pyassert() {
  local file=$1
  shift
  local expr
  for expr in "$@"; do
    if python3 -c 'import json,sys,math; r=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$file" "$expr" 2>"$TMP/pyerr"; then
      ok
    else
      bad "$file: $expr"; sed 's/^/  | /' "$TMP/pyerr" >&2
    fi
  done
}

finish() {
  echo "$passed passed, $failed failed"
  [[ $failed == 0 ]]
}
