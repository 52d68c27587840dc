#!/usr/bin/python3
"""Check that `assay drift` and ../shared/bench/peer_drift.py agree on the same halves.

    bench/compare_drift.py [--rows N] PEER.drift.csv ASSAY.json [OTHER_ASSAY.json ...]

PEER.drift.csv is written by `peer_drift.py DATA --results-dir DIR` (feature,statistic,value,
17 significant digits); ASSAY.json is `assay drift --format json` (schema assay.drift/1) with
the file's first half as --reference and its second half as --current.

Compared, per column (assay columns[].statistics):
  f0..f9  ks_d        vs ks_2samp_statistic           relative 1e-12
          ks_pvalue   vs ks_2samp_pvalue              relative 1e-10 (scipy method 'asymp')
          psi         vs psi_quantile10               relative 1e-12 (10 reference-quantile bins)
  c0..c2  chi2        vs chi2_contingency_statistic   relative 1e-12
          chi2_pvalue vs chi2_contingency_pvalue      relative 1e-10
          chi2_dof    vs chi2_contingency_dof         exactly
plus: the assay column is present and compared, method ks (f*) / chi2 (c*), not flagged
`approximate` (a column past the profile's exact cap is compared on a sketch; reported),
parameters.quantile_bins = 10, and with --rows N, n_reference = N//2 and n_current = N - N//2.
Every further ASSAY.json (e.g. the run against a stored reference profile) is compared with
the peer in the same way and must also carry the same values as the first.

A KS p-value that disagrees with scipy is referred to an arbiter when mpmath is importable
and scipy's asymptotic p is 2 smirnov(n, D) (n D^2 in [2.2, 370), n > 140): the
Birnbaum-Tingey sum at 30 digits over every term within e^-50 of the largest. If assay is
within 1e-10 of it, the line is a NOTE (scipy is the one off), not a disagreement.

Prints one line per disagreement (column, statistic, both values, relative difference) and a
summary; exit 0 if all agree, 1 if not, 2 on unusable input.
"""
import csv
import json
import math
import sys

NUM = [f"f{i}" for i in range(10)]
CAT = ["c0", "c1", "c2"]
# (assay statistic, peer statistic, relative tolerance; None = exact)
CHECKS = {
    "num": [("ks_d", "ks_2samp_statistic", 1e-12),
            ("ks_pvalue", "ks_2samp_pvalue", 1e-10),
            ("psi", "psi_quantile10", 1e-12)],
    "cat": [("chi2", "chi2_contingency_statistic", 1e-12),
            ("chi2_pvalue", "chi2_contingency_pvalue", 1e-10),
            ("chi2_dof", "chi2_contingency_dof", None)],
}
TINY = 1e-300  # below this two p-values are both "zero" (scipy underflows to 0 near 1e-308)


def rel(a, b):
    d = abs(a - b)
    m = max(abs(a), abs(b))
    return 0.0 if d == 0 else d / m


def close(a, b, rtol):
    if a is None or b is None:
        return a is None and b is None
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if rtol is None:
        return a == b
    return abs(a - b) <= max(TINY, rtol * max(abs(a), abs(b)))


def fmt(v):
    return "null" if v is None else repr(float(v)) if not isinstance(v, bool) else str(v)


def load_json(path):
    try:
        with open(path) as fh:
            doc = json.load(fh)
    except (OSError, ValueError) as e:
        sys.exit(f"compare_drift: cannot read {path}: {e}")
    if doc.get("schema") != "assay.drift/1":
        sys.exit(f"compare_drift: {path}: schema is {doc.get('schema')!r}, expected 'assay.drift/1'")
    return doc


def load_peer(path):
    out = {}
    try:
        with open(path, newline="") as fh:
            for row in csv.DictReader(fh):
                out[(row["feature"], row["statistic"])] = float(row["value"])
    except (OSError, KeyError, ValueError) as e:
        sys.exit(f"compare_drift: cannot read {path}: {e}")
    return out


_ARBITER = {}


def smirnov2_mp(n, d):
    """2 * smirnov(n, d) by the Birnbaum-Tingey sum in mpmath (None when unavailable)."""
    try:
        import mpmath as mp
    except ImportError:
        return None
    key = (n, d)
    if key in _ARBITER:
        return _ARBITER[key]
    jmax = math.floor(n * (1 - d))
    lg = math.lgamma(n + 1)
    def lt(j):
        a, b = 1 - d - j / n, d + j / n
        if a <= 0:
            return -math.inf
        return lg - math.lgamma(j + 1) - math.lgamma(n - j + 1) + (n - j) * math.log(a) + (j - 1) * math.log(b)
    logs = [lt(j) for j in range(jmax + 1)]
    top = max(logs)
    win = [j for j, v in enumerate(logs) if v > top - 50]
    mp.mp.dps = 30
    N, D = mp.mpf(n), mp.mpf(d)
    lgn = mp.loggamma(N + 1)
    s = mp.fsum(mp.exp(lgn - mp.loggamma(j + 1) - mp.loggamma(N - j + 1) + (N - j) * mp.log(1 - D - j / N)
                       + (j - 1) * mp.log(D + j / N)) for j in range(win[0], win[-1] + 1))
    _ARBITER[key] = float(2 * D * s)
    return _ARBITER[key]


def arbitrate(c, a, p):
    """A NOTE line when mpmath sides with assay's KS p-value a against scipy's p, else None."""
    st = c.get("statistics") or {}
    n1, n2, d = c.get("n_reference"), c.get("n_current"), st.get("ks_d")
    if a is None or d is None or not n1 or not n2:
        return None
    n = round(n1 * n2 / (n1 + n2))
    if n <= 140 or d >= 0.5 or not (2.2 <= n * d * d < 370):
        return None
    ref = smirnov2_mp(n, d)
    if ref is None or not close(a, ref, 1e-10):
        return None
    return (f"NOTE {c.get('name')} ks_pvalue: assay {fmt(a)} = mpmath 2*smirnov({n}, {d!r}) {fmt(ref)} "
            f"(rel {rel(a, ref):.2g}); scipy {fmt(p)} is off by {rel(p, ref):.3g}")


def main():
    args = sys.argv[1:]
    rows = None
    if args[:1] == ["--rows"] and len(args) > 1:
        rows = int(args[1])
        args = args[2:]
    if len(args) < 2:
        sys.exit(__doc__)
    peer = load_peer(args[0])
    docs = [(p, load_json(p)) for p in args[1:]]
    bad = []
    checked = 0
    approx = set()
    notes = []

    for path, doc in docs:
        tag = path if len(docs) > 1 else ""
        cols = {c.get("name"): c for c in doc.get("columns", [])}
        qb = (doc.get("parameters") or {}).get("quantile_bins")
        if qb != 10:
            bad.append(f"{tag} parameters.quantile_bins is {qb!r}, expected 10 (PSI q10)")
        for name in NUM + CAT:
            kind = "num" if name in NUM else "cat"
            c = cols.get(name)
            if c is None or c.get("status") != "compared":
                bad.append(f"{tag} {name}: missing or not compared in assay "
                           f"(status {None if c is None else c.get('status')!r})")
                continue
            want = "ks" if kind == "num" else "chi2"
            if c.get("method") != want:
                bad.append(f"{tag} {name}: method {c.get('method')!r}, expected {want!r}")
            if c.get("approximate"):
                approx.add(name)
                bad.append(f"{tag} {name}: flagged approximate (past the exact cap: "
                           f"compared on a sketch, not the exact value map)")
            if rows is not None:
                h = rows // 2
                for k, v in (("n_reference", h), ("n_current", rows - h)):
                    checked += 1
                    if c.get(k) != v:
                        bad.append(f"{tag} {name} {k}: assay {c.get(k)!r}, expected {v}")
            st = c.get("statistics") or {}
            for ak, pk, tol in CHECKS[kind]:
                checked += 1
                if (name, pk) not in peer:
                    bad.append(f"{name} {pk}: missing in {args[0]}")
                    continue
                a, p = st.get(ak), peer[(name, pk)]
                if not close(a, p, tol):
                    note = arbitrate(c, a, p) if ak == "ks_pvalue" else None
                    if note:
                        notes.append(note)
                        continue
                    r = "" if a is None else f", rel diff {rel(float(a), p):.3g}"
                    bad.append(f"{tag} {name} {ak}: assay {fmt(a)} peer {pk} {fmt(p)}"
                               f"{r} (tolerance {tol if tol else 'exact'})")

    # Further documents must give the first's numbers (stored profile = raw data).
    first = {c.get("name"): c.get("statistics") or {} for c in docs[0][1].get("columns", [])}
    for path, doc in docs[1:]:
        for c in doc.get("columns", []):
            name = c.get("name")
            if name not in first:
                continue
            for k, v in (c.get("statistics") or {}).items():
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    checked += 1
                    w = first[name].get(k)
                    if not close(v, w, 1e-12):
                        bad.append(f"{path} {name} {k}: {fmt(v)} vs {fmt(w)} in {docs[0][0]}")

    for line in bad:
        print("DIFF " + line.strip())
    for line in dict.fromkeys(notes):
        print(line)
    extra = f"; approximate columns: {','.join(sorted(approx))}" if approx else ""
    print(f"compare_drift: {checked} values checked, {len(bad)} disagreements "
          f"({'OK' if not bad else 'FAIL'}){extra}")
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
