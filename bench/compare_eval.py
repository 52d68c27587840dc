#!/usr/bin/python3
"""Check that `assay eval` and ../shared/bench/peer_eval.py agree on the same file.

    bench/compare_eval.py PEER.json ASSAY.json [OTHER_ASSAY.json ...]

PEER.json is `peer_eval.py DATA --json`; ASSAY.json is `assay eval --format json`
(schema assay.eval/1) on the same data with --sensitive group,age_band.

Compared, for the slicing `group` (peer key "g0", assay parts {group: g0}) and for the
intersection `group & age_band` (peer key "g0|18-25", assay parts {group: g0,
age_band: 18-25}):
  - the set of groups (none missing, none extra);
  - count exactly; accuracy, precision, recall, selection_rate, false_positive_rate,
    false_negative_rate to a relative tolerance of 1e-12;
  - demographic_parity_difference/ratio and equalized_odds_difference/ratio
    (assay: disparities[].between_groups) to the same tolerance.
Every further ASSAY.json (other configurations of the same run, e.g. with bootstrap
intervals or --score) must carry the same point values as the first: intervals and
extra metrics must not move the point estimates.

Prints one line per disagreement and a summary; exit 0 if all agree, 1 if not,
2 on unusable input.
"""
import json
import math
import sys

RTOL = 1e-12
ATOL = 1e-15  # only matters when both values are (almost) zero
RATES = ["accuracy", "precision", "recall", "selection_rate",
         "false_positive_rate", "false_negative_rate"]
SUMMARIES = ["demographic_parity_difference", "demographic_parity_ratio",
             "equalized_odds_difference", "equalized_odds_ratio"]
# peer slicing name -> (assay slicing name, sensitive columns in key order)
SLICINGS = {"group": ("group", ["group"]),
            "group_age": ("group & age_band", ["group", "age_band"])}


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= max(ATOL, RTOL * max(abs(a), abs(b)))


def load(path):
    try:
        with open(path) as fh:
            return json.load(fh)
    except (OSError, ValueError) as e:
        sys.exit(f"compare_eval: cannot read {path}: {e}")


def assay_index(doc, path):
    """(slicing, key) -> slice, key joined like the peer's ("g0" or "g0|18-25")."""
    if doc.get("schema") != "assay.eval/1":
        sys.exit(f"compare_eval: {path}: schema is {doc.get('schema')!r}, expected 'assay.eval/1'")
    slices = {}
    for s in doc.get("slices", []):
        parts = s.get("parts") or {}
        for peer_name, (assay_name, cols) in SLICINGS.items():
            if s.get("slicing") == assay_name and set(parts) == set(cols):
                slices[(peer_name, "|".join(str(parts[c]) for c in cols))] = s
    disp = {(d["slicing"], d["metric"]): d for d in doc.get("disparities", [])}
    return slices, disp


def value(s, metric):
    m = s.get("metrics", {}).get(metric)
    return None if m is None else m.get("value")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    peer = load(sys.argv[1])
    docs = [(p, load(p)) for p in sys.argv[2:]]
    slices, disp = assay_index(docs[0][1], docs[0][0])
    bad = []
    checked = 0

    for peer_name, (assay_name, _) in SLICINGS.items():
        if peer_name not in peer:
            sys.exit(f"compare_eval: {sys.argv[1]}: no {peer_name!r} section")
        by = peer[peer_name]["by_group"]
        ours = {k for (sl, k) in slices if sl == peer_name}
        for k in sorted(set(by) - ours):
            bad.append(f"{assay_name}: group {k} in peer, missing in assay")
        for k in sorted(ours - set(by)):
            bad.append(f"{assay_name}: group {k} in assay, missing in peer")
        for k in sorted(set(by) & ours):
            p, s = by[k], slices[(peer_name, k)]
            checked += 1
            n = s.get("n")
            if n != p["count"] or value(s, "count") not in (None, p["count"]):
                bad.append(f"{assay_name} [{k}] count: peer {p['count']} assay n={n} "
                           f"count={value(s, 'count')}")
            for m in RATES:
                checked += 1
                a = value(s, m)
                if not close(a, p[m]):
                    bad.append(f"{assay_name} [{k}] {m}: peer {p[m]!r} assay {a!r}")
        for m in SUMMARIES:
            checked += 1
            d = disp.get((assay_name, m))
            a = None if d is None else d.get("between_groups")
            pv = peer[peer_name][m]
            if not close(a, pv):
                bad.append(f"{assay_name} {m} (between groups): peer {pv!r} assay {a!r}")

    # Other configurations: same point values as the first document.
    first = docs[0][1]
    for path, doc in docs[1:]:
        s2, d2 = assay_index(doc, path)
        for key, s in slices.items():
            o = s2.get(key)
            if o is None or o.get("n") != s.get("n"):
                bad.append(f"{path}: slice {key} missing or different n")
                continue
            for m in RATES:
                checked += 1
                if not close(value(o, m), value(s, m)):
                    bad.append(f"{path}: {key} {m}: {value(o, m)!r} vs {value(s, m)!r} "
                               f"in {docs[0][0]}")
        for key, d in disp.items():
            if key[1] in SUMMARIES:
                checked += 1
                o = d2.get(key)
                if o is None or not close(o.get("between_groups"), d.get("between_groups")):
                    bad.append(f"{path}: {key} between_groups differs from {docs[0][0]}")
        if doc.get("rows") != first.get("rows"):
            bad.append(f"{path}: rows {doc.get('rows')} vs {first.get('rows')}")

    for line in bad:
        print("DIFF " + line)
    print(f"compare_eval: {checked} values checked, {len(bad)} disagreements "
          f"({'OK' if not bad else 'FAIL'})")
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
