# `assay profile` on COMPAS (7,214 rows, 53 columns): counts, missing
# values, distinct counts, min and max checked against Python's csv module;
# the merge of the profiles of the two halves equals the profile of the
# whole file byte for byte in every column; show renders text, md, html.
source "$(dirname "$0")/lib.bash"
d=$TMP
data=$SHARED/data/compas/compas-scores-two-years.csv

run 0 "$ASSAY" profile --data "$data" --out "$d/whole.json"
contains "$TMP/out" "profile: 7214 rows, 53 columns"
pyassert "$d/whole.json" 'r["schema"] == "assay.profile/1"' 'r["rows"] == 7214' 'len(r["columns"]) == 53' \
  'len(r["inputs"][0]["sha256"]) == 64' 'r["parameters"]["cap"] == 1048576'

# every count against the csv module (stdlib only)
cat >"$d/check.py" <<'PY'
import base64, csv, json, math, struct, sys
prof = json.load(open(sys.argv[2]))
def deckey(k):
    """assay/deckey.h: 0x80000000 is 0; else idx = distance from it, q = idx // 9e6 - 22,
    value = +-(idx % 9e6 + 1e6) * 10^q, correctly rounded (Python's int arithmetic)."""
    if k == 0x80000000:
        return 0.0
    neg = k < 0x80000000
    idx = 0x7FFFFFFF - k if neg else k - 0x80000001
    q, m = idx // 9000000 - 22, idx % 9000000 + 1000000
    x = float(m * 10**q) if q >= 0 else m / 10**-q
    return -x if neg else x
def values(c):
    """[value, count] pairs of an exact numeric column: the packed "kv1:" string
    (docs/profiles.md: base64 of LEB128 key deltas and counts; key = the IEEE bits,
    | 2^63 when >= 0, inverted when < 0), the "dk1:" string (the same with 32-bit
    decimal keys: sign, exponent, 7-digit mantissa) or the older array form."""
    v = c["values"]
    if not isinstance(v, str):
        return v
    assert v.startswith("kv1:") or v.startswith("dk1:")
    dk = v.startswith("dk1:")
    raw, i, key, out = base64.b64decode(v[4:], validate=True), 0, 0, []
    def varint():
        nonlocal i
        x = shift = 0
        while True:
            b = raw[i]; i += 1
            x |= (b & 0x7F) << shift; shift += 7
            if b < 0x80:
                return x
    while i < len(raw):
        key += varint()
        n = varint()
        if dk:
            out.append([deckey(key), n])
            continue
        bits = key & ~(1 << 63) if key >> 63 else ~key & (2**64 - 1)
        out.append([struct.unpack("<d", struct.pack("<Q", bits))[0], n])
    return out
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
head, body = rows[0], rows[1:]
NA = {"NA", "NaN", "nan", "null", "NULL"}
bad = []
for j, c in enumerate(prof["columns"]):
    assert c["name"] == head[j]
    vals = [r[j] for r in body]
    empty = sum(v == "" for v in vals)
    na = [v for v in vals if v in NA]
    present = [v for v in vals if v != "" and v not in NA]
    def num(v):
        try:
            x = float(v)
            return x if math.isfinite(x) else None
        except ValueError:
            return None
    numeric = bool(present) and all(num(v) is not None for v in present)
    want = {"rows": len(vals), "present": len(present), "empty": empty, "na": len(na),
            "type": "numeric" if numeric else "categorical" if present else "empty"}
    got = {"rows": c["rows"], "present": c["present"], "empty": c["missing"]["empty"],
           "na": c["missing"]["na"] + c["missing"]["nan"], "type": c["type"]}
    if numeric:
        xs = [num(v) for v in present]
        want.update(distinct=len(set(xs)), min=min(xs), max=max(xs), sum=len(xs))
        got.update(distinct=c["distinct"], min=c["min"], max=c["max"], sum=sum(n for _, n in values(c)))
        from collections import Counter
        if sorted(Counter(xs).items()) != [tuple(p) for p in values(c)]:
            bad.append((c["name"], "values", "differ from the csv module's"))
        mean = math.fsum(xs) / len(xs)
        if abs(c["moments"]["mean"] - mean) > 1e-12 * max(1, abs(mean)):
            bad.append((c["name"], "mean", c["moments"]["mean"], mean))
    elif present:
        from collections import Counter
        cnt = Counter(present)
        want.update(distinct=len(cnt), cats=sorted(cnt.items(), key=lambda kv: kv[0].encode()))
        got.update(distinct=c["distinct"], cats=[tuple(x) for x in c["categories"]])
        top = sorted(cnt.items(), key=lambda kv: (-kv[1], kv[0].encode()))[:20]
        if [tuple(x) for x in c["top"]] != top:
            bad.append((c["name"], "top"))
    if want != got:
        bad.append((c["name"], want if len(str(want)) < 300 else "...", got if len(str(got)) < 300 else "..."))
for b in bad:
    print("mismatch:", b)
sys.exit(1 if bad else 0)
PY
if python3 "$d/check.py" "$data" "$d/whole.json"; then ok; else bad "counts differ from Python's csv module"; fi

# the two halves, each with the header, profiled apart and merged
lines=$(($(wc -l <"$data") - 1))
half=$((lines / 2))
head -n $((half + 1)) "$data" >"$d/a.csv"
{ head -n 1 "$data"; tail -n +$((half + 2)) "$data"; } >"$d/b.csv"
run 0 "$ASSAY" profile --data "$d/a.csv" --out "$d/a.json"
run 0 "$ASSAY" profile --data "$d/b.csv" --out "$d/b.json" --threads 2
run 0 "$ASSAY" profile merge "$d/a.json" "$d/b.json" --out "$d/merged.json"
pyassert "$d/merged.json" 'r["rows"] == 7214' 'len(r["inputs"]) == 2' 'r["inputs"][1]["rows"] == 7214 - '"$half"
sed -n '/^"columns"/,$p' "$d/whole.json" >"$d/whole.columns"
sed -n '/^"columns"/,$p' "$d/merged.json" >"$d/merged.columns"
if cmp -s "$d/whole.columns" "$d/merged.columns"; then ok; else
  bad "merge of halves differs from the whole"; diff "$d/whole.columns" "$d/merged.columns" | cut -c1-300 | head -10 >&2
fi

# the same bytes whatever the number of threads
run 0 "$ASSAY" profile --data "$data" --out "$d/t1.json" --threads 1
if cmp -s "$d/whole.json" "$d/t1.json"; then ok; else bad "--threads 1 gives other bytes"; fi

# a small cap: sketches past it, merge still works and counts stay exact
run 0 "$ASSAY" profile --data "$d/a.csv" --out "$d/a10.json" --cap 10 --topk 3
run 0 "$ASSAY" profile --data "$d/b.csv" --out "$d/b10.json" --cap 10 --topk 3
run 0 "$ASSAY" profile merge "$d/a10.json" "$d/b10.json" --out "$d/m10.json"
pyassert "$d/m10.json" \
  '[c for c in r["columns"] if c["name"] == "age"][0]["exact"] == False' \
  '"kll" in [c for c in r["columns"] if c["name"] == "age"][0]' \
  '[c for c in r["columns"] if c["name"] == "age"][0]["min"] == 18.0' \
  '[c for c in r["columns"] if c["name"] == "race"][0]["exact"] == True' \
  'abs([c for c in r["columns"] if c["name"] == "age"][0]["distinct"] - 65) <= 3' \
  'all(c["present"] == w["present"] for c, w in zip(r["columns"], json.load(open("'"$d/whole.json"'"))["columns"]))'

# show, and the other formats
run 0 "$ASSAY" profile show "$d/whole.json"
contains "$TMP/out" "race"
contains "$TMP/out" "African-American 3696"
run 0 "$ASSAY" profile show "$d/whole.json" --format md
contains "$TMP/out" "| column | type |"
run 0 "$ASSAY" profile show "$d/whole.json" --format html --out "$d/p.html"
contains "$d/p.html" "<svg class=\"spark\""
run 0 "$ASSAY" profile --data "$data" --columns age,race --format md
contains "$TMP/out" "African-American"
run 2 "$ASSAY" profile --data "$data" --columns agee
contains "$TMP/err" "age"
finish
