# The audit trail is tamper-evident: each way of changing a real database
# file with the sqlite3 tool makes `assay audit verify` exit 1 and name the
# first bad event: edited, deleted (middle and tail), inserted, reordered,
# edited-and-rehashed, a bad or missing signature, a checkpoint that no
# longer matches. The untouched copy verifies.
source "$(dirname "$0")/lib.bash"
export ASSAY_USER=alice
forge="$TESTS/data/registry/forge.py"

# A registry with 8 events: 2 systems, an override, 3 evidence, 2 updates.
build() { # DIR [signed]
  local d=$1
  mkdir -p "$d"
  export ASSAY_DB=$d/r.db
  if [[ ${2:-} == signed ]]; then "$ASSAY" key generate >/dev/null || bad "key generate"; fi
  "$ASSAY" system add --from "$TESTS/data/systems/credit-scoring.yaml" >/dev/null 2>&1
  "$ASSAY" system add --from "$TESTS/data/systems/demand-forecast.yaml" >/dev/null 2>&1
  "$ASSAY" tier demand-forecast --override medium --reason "finance asked for review" >/dev/null 2>&1
  echo '{"ok": true}' >"$d/e.json"
  for k in model-card risk-assessment fairness-evaluation; do
    "$ASSAY" evidence add credit-scoring "$d/e.json" --requirement $k >/dev/null
  done
  "$ASSAY" system update demand-forecast --stage validate >/dev/null
  "$ASSAY" system retire demand-forecast --reason "replaced" >/dev/null
}

# verify_bad DB SEQ PROBLEM: exit 1, the named event and problem, in text and JSON
verify_bad() {
  run 1 "$ASSAY" audit verify --db "$1"
  contains "$TMP/err" "TAMPERED: event $2 $3"
  run 1 "$ASSAY" audit verify --db "$1" --format json
  pyassert "$TMP/out" "r['intact'] is False" "r['bad_seq'] == $2" "r['problem'] == '$3'"
  run 1 "$ASSAY" doctor --db "$1"
  contains "$TMP/err" "audit chain: event $2 $3"
}

fresh() { # NAME [signed]: a copy of the pristine database
  rm -rf "$TMP/$1"
  mkdir -p "$TMP/$1"
  cp "$TMP/${2:-plain}/r.db" "$TMP/$1/r.db"
  [[ -f $TMP/${2:-plain}/r.db.key ]] && cp "$TMP/${2:-plain}/r.db.key" "$TMP/$1/r.db.key"
  echo "$TMP/$1/r.db"
}

build "$TMP/plain"
run 0 "$ASSAY" audit verify --db "$TMP/plain/r.db"
contains "$TMP/out" "audit chain intact: 8 events, head #8 "
run 0 "$ASSAY" audit verify --db "$TMP/plain/r.db" --format json
pyassert "$TMP/out" "r['intact'] is True" "r['events'] == 8" "len(r['head_hash']) == 64"

# edited: one field of event 3 changed, its hash left alone
db=$(fresh edited)
sqlite3 "$db" "UPDATE audit_events SET actor = 'mallory' WHERE seq = 3"
verify_bad "$db" 3 edited
contains "$TMP/err" "its content does not match its hash"
# edited in the diff, one byte
db=$(fresh edited-diff)
sqlite3 "$db" "UPDATE audit_events SET diff = replace(diff, 'finance', 'fINANCE') WHERE seq = 3"
verify_bad "$db" 3 edited

# deleted: a middle event, then the last event
db=$(fresh deleted)
sqlite3 "$db" "DELETE FROM audit_events WHERE seq = 4"
verify_bad "$db" 4 deleted
contains "$TMP/err" "the sequence jumps from 3 to 5"
db=$(fresh truncated)
sqlite3 "$db" "DELETE FROM audit_events WHERE seq = 8"
verify_bad "$db" 8 deleted
# deleted and the rest renumbered to hide the gap
db=$(fresh renumbered)
sqlite3 "$db" "DELETE FROM audit_events WHERE seq = 4; UPDATE audit_events SET seq = seq - 1 WHERE seq > 4"
verify_bad "$db" 4 deleted

# inserted: a well-formed event (right prev_hash, right own hash) at 4
db=$(fresh inserted)
python3 "$forge" "$db" insert 4 || bad "forge insert"
verify_bad "$db" 4 inserted

# reordered: events 5 and 6 swapped
db=$(fresh reordered)
sqlite3 "$db" "UPDATE audit_events SET seq = -5 WHERE seq = 5; UPDATE audit_events SET seq = 5 WHERE seq = 6;
               UPDATE audit_events SET seq = 6 WHERE seq = -5"
verify_bad "$db" 5 reordered

# edited and re-hashed: self-consistent, but event 4 no longer links to it
db=$(fresh rehashed)
python3 "$forge" "$db" rehash 3 || bad "forge rehash"
verify_bad "$db" 3 edited
contains "$TMP/err" "re-hashed"

# Signed: the key signs every event from its generation on.
build "$TMP/signed" signed
run 0 "$ASSAY" audit verify --db "$TMP/signed/r.db"
contains "$TMP/out" "9 events"
contains "$TMP/out" "9 signed"
# a rehash passes the chain check at event 3 but not its signature
db=$(fresh s-rehashed signed)
python3 "$forge" "$db" rehash 3 || bad "forge rehash"
verify_bad "$db" 3 "bad signature"
# a signature copied from another event
db=$(fresh s-copied signed)
sqlite3 "$db" "UPDATE audit_events SET sig = (SELECT sig FROM audit_events WHERE seq = 2) WHERE seq = 6"
verify_bad "$db" 6 "bad signature"
# a signature removed
db=$(fresh s-unsigned signed)
sqlite3 "$db" "UPDATE audit_events SET sig = NULL, key_id = NULL WHERE seq = 7"
verify_bad "$db" 7 "missing signature"
# a checkpoint, then the tail dropped (and the recorded head moved back)
db=$(fresh s-checkpoint signed)
run 0 "$ASSAY" audit checkpoint --db "$db"
contains "$TMP/out" "checkpoint: event #9"
run 0 "$ASSAY" audit verify --db "$db"
contains "$TMP/out" "1 checkpoint verified"
sqlite3 "$db" "DELETE FROM audit_events WHERE seq = 9;
               UPDATE registry_meta SET value = '8:' || (SELECT hash FROM audit_events WHERE seq = 8) WHERE key = 'audit_head'"
verify_bad "$db" 9 "checkpoint mismatch"

# the untouched copies still verify
run 0 "$ASSAY" audit verify --db "$TMP/plain/r.db"
run 0 "$ASSAY" audit verify --db "$TMP/signed/r.db"
finish
