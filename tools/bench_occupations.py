"""Occupation normaliser quality and speed: top-1 / top-3 ISCO-4 accuracy and p95 latency.

Default file: tests/occupation_eval/job_titles.csv, the FROZEN evaluation set (never tune on it: no
title of it goes into synonyms). `--file` scores another labelled file (columns typed, isco4), such as
the development set tests/occupation_dev/job_titles_dev.csv (ours, from general knowledge). Prints one JSON line per file on stdout; exit code 1 when
top-1 is below --min-top1 or p95 above 5 ms.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from placement.occupation_normaliser import resolve

ROOT = Path(__file__).resolve().parent.parent
FROZEN = ROOT / "tests" / "occupation_eval" / "job_titles.csv"
TARGET_P95_MS = 5.0


def score(path: Path) -> dict:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(line for line in handle if not line.startswith("#")) if r.get("typed")]
    resolve("warm-up")  # builds the index once, as a running server has
    top1 = top3 = confident = confident_right = 0
    times: list[float] = []
    misses: Counter[str] = Counter()
    for row in rows:
        start = time.perf_counter()
        result = resolve(row["typed"])
        times.append((time.perf_counter() - start) * 1000)
        codes = [m.isco for m in result.options(3)]
        top1 += bool(codes) and codes[0] == row["isco4"]
        top3 += row["isco4"] in codes
        if result.confident:  # answered without a question: how often is that answer right?
            confident += 1
            confident_right += codes[0] == row["isco4"]
        if not codes or codes[0] != row["isco4"]:
            misses[row.get("category", "")] += 1
    times.sort()
    n = len(rows)
    return {"file": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path), "n": n,
            "top1": round(top1 / n, 3), "top3": round(top3 / n, 3),
            "confident": round(confident / n, 3), "confident_right": round(confident_right / max(confident, 1), 3),
            "p50_ms": round(statistics.median(times), 3), "p95_ms": round(times[int(0.95 * (n - 1))], 3),
            "misses_by_category": dict(sorted(misses.items()))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, action="append", help="labelled file(s); default: the frozen set")
    parser.add_argument("--min-top1", type=float, default=0.0, help="fail below this top-1 accuracy")
    args = parser.parse_args(argv)
    ok = True
    for path in args.file or [FROZEN]:
        report = score(path.resolve())
        print(json.dumps(report, ensure_ascii=False), flush=True)
        ok = ok and report["top1"] >= args.min_top1 and report["p95_ms"] <= TARGET_P95_MS
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
