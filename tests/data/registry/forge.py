#!/usr/bin/env python3
"""forge.py DB SEQ: what an attacker with write access to the database file
(and the sqlite3 tool) can do to the audit trail without the signing key.

  forge.py DB insert SEQ    insert a well-formed event at SEQ: the later events
                            are renumbered, the new one links to SEQ-1 and its
                            own hash is correct
  forge.py DB rehash SEQ    edit event SEQ's actor and recompute its hash, so
                            the event is self-consistent
Hashes follow docs/audit.md: SHA-256 over the RFC 8785 canonical JSON of
{action, actor, diff, entity_id, entity_type, prev_hash, seq, system_id, ts}
(keys sorted, no whitespace: json.dumps with sort_keys and compact separators
is RFC 8785 for these ASCII keys and integer/string values)."""
import hashlib
import json
import sqlite3
import sys

COLS = "seq, ts, actor, action, entity_type, entity_id, system_id, diff, prev_hash"


def event_hash(row):
    seq, ts, actor, action, etype, eid, sysid, diff, prev = row
    obj = {"seq": seq, "ts": ts, "actor": actor, "action": action, "entity_type": etype,
           "entity_id": eid, "system_id": sysid, "diff": json.loads(diff), "prev_hash": prev}
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def main():
    db, op, seq = sys.argv[1], sys.argv[2], int(sys.argv[3])
    con = sqlite3.connect(db)
    cur = con.cursor()
    if op == "insert":
        prev = cur.execute("SELECT hash FROM audit_events WHERE seq = ?", (seq - 1,)).fetchone()[0]
        cur.execute("UPDATE audit_events SET seq = -seq WHERE seq >= ?", (seq,))
        cur.execute("UPDATE audit_events SET seq = 1 - seq WHERE seq < 0")
        row = (seq, "2026-01-01T00:00:00Z", "mallory", "system.retire", "system", "FORGED", None,
               '{"note":{"reason":"forged"}}', prev)
        cur.execute("INSERT INTO audit_events (" + COLS + ", hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    row + (event_hash(row),))
    elif op == "rehash":
        cur.execute("UPDATE audit_events SET actor = 'mallory' WHERE seq = ?", (seq,))
        row = cur.execute("SELECT " + COLS + " FROM audit_events WHERE seq = ?", (seq,)).fetchone()
        cur.execute("UPDATE audit_events SET hash = ? WHERE seq = ?", (event_hash(row), seq))
    else:
        sys.exit("unknown operation " + op)
    con.commit()


main()
