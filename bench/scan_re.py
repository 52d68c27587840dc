#!/usr/bin/python3
"""scan_re.py: the peer for bench_scan.sh: the same built-in patterns as
lib/scan/patterns.c (read from that file, so they cannot drift), run with
Python's stdlib `re`, one finditer per pattern over the corpus.

It does less than assay scan: no normalisation, no validators, no
decoding, no overlap resolution, so its time is a lower bound for a
Python implementation of the same scanner.

A row marked TAIL_PHONE_EXT is matched by assay in two steps (the
pattern, then its optional extension tail read in C); here the tail is
appended to the pattern, which is what the two steps together match.

usage: scan_re.py PATTERNS_C CORPUS [MAX_BYTES]
"""
import re
import sys
import time


# lib/scan/match.c, phone_tail(): the tail of TAIL_PHONE_EXT rows
PHONE_EXT_TAIL = r"(?: ?(?:x|ext\.?) ?\d{1,5})?\b"


def patterns(path):
    src = open(path, encoding="utf-8").read()
    rows = re.findall(r'\{"([a-z0-9-]+)", "([A-Z_]+)",\s*(?:/\*.*?\*/\s*)?((?:"(?:[^"\\]|\\.)*"\s*)+),\s*([^,]+),', src, re.S)
    out = []
    for name, entity, lits, flags in rows:
        body = "".join(bytes(m, "utf-8").decode("unicode_escape") for m in re.findall(r'"((?:[^"\\]|\\.)*)"', lits))
        row = src[src.index('\t{"%s", "' % name):]
        if "TAIL_PHONE_EXT}" in row[: row.index("},") + 2]:
            body += PHONE_EXT_TAIL
        f = 0
        if re.search(r"\bC\b", flags):
            f |= re.IGNORECASE
        if re.search(r"\bM\b", flags):
            f |= re.MULTILINE
        out.append((name, re.compile(body.encode(), f)))
    return out


def main():
    pats = patterns(sys.argv[1])
    data = open(sys.argv[2], "rb").read()
    if len(sys.argv) > 3:
        data = data[: int(sys.argv[3])]
    t0 = time.perf_counter()
    n = 0
    for _, p in pats:
        for _ in p.finditer(data):
            n += 1
    t = time.perf_counter() - t0
    print(f"patterns {len(pats)}\nbytes {len(data)}\nseconds {t:.3f}\nMBps {len(data) / t / 1e6:.2f}\nmatches {n}")


if __name__ == "__main__":
    main()
