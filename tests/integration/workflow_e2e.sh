#!/usr/bin/env bash
# workflow_e2e.sh: the review-to-release loop of issue 6 with the real
# binary, the clock moved with ASSAY_NOW: intake -> review -> triage ->
# findings -> conditional decision -> gate passes -> a condition goes
# overdue -> gate fails -> waiver requested, self-approval refused ->
# approved by another -> gate passes -> waiver expires -> findings reopen
# -> gate fails -> model hash changes -> re-review required. JUnit output
# is read back with python3's xml.etree; the audit chain still verifies.
source "$(dirname "$0")/lib.bash"
export ASSAY_DB=$TMP/assay.db
unset ASSAY_POLICY ASSAY_USER
at() { export ASSAY_NOW=$1; }
A=$ASSAY

at 2026-10-01T09:00:00Z
# before any system: the workflow commands do not create a registry
run 2 $A gate credit-scoring --release 2.3
contains "$TMP/err" "no registry database here"
absent "$ASSAY_DB"
cp "$TESTS/data/systems/credit-scoring.yaml" "$TMP/intake.yaml"
run 0 $A system add --from "$TMP/intake.yaml" --as ana
for who in "rai-lead specialist" "rai-lead rai_lead" "ml-rev business_owner" "dana legal" "mo model_risk" \
  "risk-owner risk-owner"; do
  run 0 $A role grant $who --as admin
done
# every required piece of evidence, so only the workflow decides the gate
run 0 $A evidence status credit-scoring --format json
for key in $(python3 -c 'import json,sys; print(" ".join(q["requirement"] for q in json.load(open(sys.argv[1]))["requirements"]))' "$TMP/out"); do
  case $key in
  *evaluation) f=$TMP/$key.json
    printf '{"schema": "assay.eval/1", "checks": [{"name": "fnr_gap<=0.1", "status": "pass"}]}\n' >"$f" ;;
  *) f=$TMP/$key.txt; echo "evidence for $key" >"$f" ;;
  esac
  run 0 $A evidence add credit-scoring "$f" --requirement "$key" --as ana
done

# intake -> review -> triage (tier and controls frozen) -> in review
run 0 $A review open credit-scoring --release 2.3 --summary "new income features" --as ana --format json
pyassert "$TMP/out" 'r["state"] == "submitted"' 'r["requester"] == "ana"'
run 2 $A review decide R-1 --outcome approved --rationale x --as rai-lead
contains "$TMP/err" "cannot decide a review that is submitted; allowed from submitted: triage (specialist)"
run 2 $A review triage R-1 --as ana
contains "$TMP/err" "review triage needs the role specialist"
at 2026-10-02T09:00:00Z
run 0 $A review triage R-1 --assign ml-rev,dana,mo --as rai-lead --format json
pyassert "$TMP/out" 'r["state"] == "in_review"' 'r["tier"] == "high"' '"fairness-evaluation" in r["controls"]'

# a finding, then sign-offs; the requester may not sign off
run 0 $A finding add credit-scoring --severity high --control fairness-evaluation \
  --title "FNR gap for applicants over 60" --owner model-owner --due 2026-12-15 --as ml-rev --format json
pyassert "$TMP/out" 'r["ref"] == "F-1"' 'r["state"] == "open"' 'r["repeat_of"] is None'
run 2 $A review signoff R-1 --as ana
contains "$TMP/err" "requester may not signoff their own review"
printf '# Decision\nApproved with an age-band monitor as a condition.\n' >"$TMP/memo.md"
run 2 $A review decide R-1 --outcome conditional --condition "ship age-band monitor" --owner model-owner \
  --due 2026-10-20 --rationale-file "$TMP/memo.md" --as ml-rev
contains "$TMP/err" "needs a sign-off by someone holding the role"
run 0 $A review signoff R-1 --as dana
run 0 $A review signoff R-1 --as mo
run 0 $A review signoff R-1 --as rai-lead
at 2026-10-05T09:00:00Z
run 0 $A review decide R-1 --outcome conditional --condition "ship age-band monitor" --owner model-owner \
  --due 2026-10-20 --rationale-file "$TMP/memo.md" --as ml-rev --format json
pyassert "$TMP/out" 'r["state"] == "decided"' 'r["decision"]["outcome"] == "conditional"' \
  'r["decision"]["condition_findings"] == ["F-2"]' 'len(r["decision"]["signers"]) == 4' \
  'all(e["status"] == "satisfied" for e in r["decision"]["evidence_seen"])' \
  'r["decision"]["model_hash"].startswith("3b1f4e0c")'

# gate passes (JUnit read back)
run 0 $A gate credit-scoring --release 2.3 --format junit --out "$TMP/gate.xml"
python3 - "$TMP/gate.xml" <<'PY' && ok || bad "junit of the passing gate"
import sys, xml.etree.ElementTree as ET
s = ET.parse(sys.argv[1]).getroot().find("testsuite")
assert s.get("tests") == "6" and s.get("failures") == "0", s.attrib
assert [c.get("name") for c in s.findall("testcase")] == ["decision", "tier", "evidence", "evaluation", "findings", "conditions"]
PY
run 1 $A gate credit-scoring --release 2.4
contains "$TMP/out" "is for release 2.3, not 2.4"

# the condition goes overdue -> gate fails
at 2026-10-21T09:00:00Z
run 1 $A gate credit-scoring --release 2.3 --format junit --out "$TMP/gate2.xml"
python3 - "$TMP/gate2.xml" <<'PY' && ok || bad "junit of the failing gate"
import sys, xml.etree.ElementTree as ET
s = ET.parse(sys.argv[1]).getroot().find("testsuite")
assert s.get("failures") == "1", s.attrib
f = [c for c in s.findall("testcase") if c.find("failure") is not None]
assert [c.get("name") for c in f] == ["conditions"]
assert "F-2" in f[0].find("failure").get("message")
PY

# waiver: self-approval refused, approved by another -> gate passes
run 0 $A waiver request F-2 --compensating "manual review of declines" --residual-risk "slower decisions" \
  --expires 2026-11-10 --as ana --format json
pyassert "$TMP/out" 'r["ref"] == "W-1"' 'r["state"] == "proposed"'
run 2 $A waiver request F-2 --compensating x --residual-risk y --expires 2027-06-01 --as ana
contains "$TMP/err" "past the 30-day maximum for tier high"
run 0 $A role grant ana risk-owner --as admin
run 2 $A waiver approve W-1 --as ana
contains "$TMP/err" "requester may not approve their own waiver"
run 0 $A waiver approve W-1 --as risk-owner --format json
pyassert "$TMP/out" 'r["state"] == "active"' 'r["approver"] == "risk-owner"' 'r["findings"][0]["state"] == "risk_accepted"'
run 0 $A gate credit-scoring --release 2.3 --format json
pyassert "$TMP/out" 'r["schema"] == "assay.gate/1"' 'r["verdict"] == "ship"' \
  'any("covered by active waiver W-1" in l for x in r["reasons"] for l in x["looked_at"])'

# the waiver expires -> its finding reopens -> gate fails
at 2026-11-11T09:00:00Z
run 1 $A gate credit-scoring --release 2.3
contains "$TMP/out" "condition(s) past due without an active waiver (first: F-2)"
run 0 $A finding show F-2 --format json
pyassert "$TMP/out" 'r["state"] == "open"' 'r["history"][-1]["note"] == "its waiver expired"'
run 0 $A waiver list --format json
pyassert "$TMP/out" 'r[0]["state"] == "expired"'

# the model hash changes (system update) -> re-review required, gate fails
sed -i 's/^  model: 3b1f.*/  model: 0000000000000000000000000000000000000000000000000000000000000001/' "$TMP/intake.yaml"
run 0 $A system update credit-scoring --from "$TMP/intake.yaml" --as ana
run 1 $A review needs credit-scoring
contains "$TMP/out" "re-review required: model: model hash changed since the decision: 3b1f4e0c9a7d -> 000000000000"
contains "$TMP/out" "re-review required: waiver"
run 1 $A gate credit-scoring --release 2.3
contains "$TMP/out" "the model hash changed since decision D-1: re-review required"

# findings: closure evidence required, repeats flagged
run 0 $A finding resolve F-1 --as model-owner
run 2 $A finding close F-1 --as rai-lead
contains "$TMP/err" "closing F-1 needs closure evidence"
run 0 $A finding close F-1 --evidence E-1 --as rai-lead
run 0 $A finding add credit-scoring --severity high --control fairness-evaluation \
  --title "fnr gap FOR applicants, over 60!" --owner model-owner --as ml-rev --format json
pyassert "$TMP/out" 'r["repeat_of"] is not None'

# incident -> re-review trigger; SLA and KPIs from the recorded history
run 0 $A incident open credit-scoring --severity sev2 --summary "declines spiked" --source monitoring --as ana
run 0 $A incident contain I-1 --action rollback --as rai-lead
run 1 $A review needs credit-scoring
contains "$TMP/out" "re-review required: incident: 1 incident(s) opened since the decision (first I-1)"
run 0 $A kpi --since 2026-10-01 --until 2026-12-01 --format json
pyassert "$TMP/out" 'r["schema"] == "assay.kpi/1"' 'r["all"]["review_throughput"] == 1' \
  'r["all"]["time_to_triage"]["median_hours"] == 24.0' 'r["all"]["time_to_decision"]["median_hours"] == 96.0' \
  'r["all"]["repeat_finding_rate"]["numerator"] == 1' 'r["all"]["incidents_per_system_month"]["incidents"] == 1' \
  'r["inputs"]["audit_head_seq"] > 0' 'len(r["inputs"]["audit_head_hash"]) == 64'
# the KPIs name the audit chain's head they were computed from
head_hash=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["inputs"]["audit_head_hash"])' "$TMP/out")
run 0 $A audit verify
contains "$TMP/out" "${head_hash:0:12}"
run 0 $A kpi --since 2026-10-01 --until 2026-12-01 --format html --out "$TMP/kpi.html"
contains "$TMP/kpi.html" "<svg"

# every change was audited and the chain is intact
run 0 $A audit log --format json
pyassert "$TMP/out" 'any(e["action"] == "gate.run" for e in r["events"])' \
  'any(e["action"] == "waiver.expire" and e["actor"] == "assay" for e in r["events"])'
run 0 $A audit verify
finish
