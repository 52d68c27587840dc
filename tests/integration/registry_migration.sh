# A database made at schema version 1 (tests/data/registry/schema-v1.sql,
# as users have it) is opened by this assay: pending migrations apply in
# place, every system, evidence record and override survives, the audit
# chain verifies with the same head, and new events chain on from it.
source "$(dirname "$0")/lib.bash"
export ASSAY_DB=$TMP/old.db ASSAY_USER=bob
sqlite3 "$ASSAY_DB" <"$TESTS/data/registry/schema-v1.sql" || bad "load the version-1 fixture"
head=2f890bcf4e2453c6fb91d0473496848585f6e895f323479b639e6617b8d0fc3f

# doctor looks without migrating
run 0 "$ASSAY" doctor --format json
pyassert "$TMP/out" "r['schema_version'] == 1" "r['audit']['events'] == 4" "r['audit']['head_hash'] == '$head'" \
  "r['integrity'] == 'ok'"
cp "$TMP/out" "$TMP/before.json"

# any command migrates
run 0 "$ASSAY" system list --format json
pyassert "$TMP/out" "[s['slug'] for s in r['systems']] == ['credit-scoring', 'support-assistant']" \
  "r['systems'][1]['tier'] == 'high' and r['systems'][1]['tier_source'] == 'override'" \
  "r['systems'][1]['override_reason'] == 'customer-facing in a regulated market'" \
  "r['systems'][0]['id'] == '01JWNBG8M06PB86V04C00C5DS3'"
run 0 "$ASSAY" doctor --format json
pyassert "$TMP/out" "r['schema_version'] == r['latest_schema_version']" "r['ok'] is True" \
  "r['audit']['head_hash'] == '$head'" "r['foreign_key_violations'] == 0"
run 0 sqlite3 "$ASSAY_DB" "SELECT version || ' ' || name FROM schema_migrations ORDER BY version"
contains "$TMP/out" "1 registry"
run 0 "$ASSAY" evidence list credit-scoring --format json
pyassert "$TMP/out" "r['evidence'][0]['ref'] == 'E-1'" \
  "r['evidence'][0]['uri'] == 'https://wiki.example.com/credit/model-card'" \
  "r['evidence'][0]['collected_at'] == '2025-06-02T10:00:00Z'"

# new events chain on from the old head; numbers continue
run 0 "$ASSAY" evidence add credit-scoring https://wiki.example.com/credit/risk --requirement risk-assessment
contains "$TMP/out" "E-2 "
run 0 "$ASSAY" audit log --format json
pyassert "$TMP/out" "len(r['events']) == 5" "r['events'][4]['prev_hash'] == '$head'" \
  "r['events'][4]['actor'] == 'bob'" "r['events'][0]['actor'] == 'alice'"
run 0 "$ASSAY" audit verify
contains "$TMP/out" "audit chain intact: 5 events"

# a database from a newer assay is refused, not damaged
sqlite3 "$ASSAY_DB" "INSERT INTO schema_migrations VALUES (999, 'future', '2030-01-01T00:00:00Z')"
run 2 "$ASSAY" system list
contains "$TMP/err" "schema is version 999"
finish
