"""Batch classification speed and memory: rows/s with --jobs 1 and 2, peak RSS, vs bare jieba.

Usage: python bench/bench_batch.py [--rows 100000] [--workdir /tmp/ca-bench]
Builds a CSV of ROWS short real texts (<= 140 chars) sampled with replacement from
../shared/bench/real_texts.csv, runs `complaint-analyzer classify` on it with --jobs 1 and
--jobs 2 (peak RSS of the whole process tree sampled every 0.2 s), and times bare
`jieba.lcut` over the same texts in the same run. Prints one JSON document.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import real_texts, run_measured


def build_input(path: Path, rows: int) -> list[str]:
    """Write the benchmark CSV (id, date, segment, text) and return its texts."""
    pool = real_texts(max_chars=140)
    rng = random.Random(0)
    texts = []
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "date", "segment", "text"])
        for i in range(rows):
            row = pool[rng.randrange(len(pool))]
            texts.append(row["text"])
            writer.writerow([i, row["date"], row["segment"], row["text"]])
    return texts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workdir", default="/tmp/ca-bench")
    args = parser.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    source = work / f"input_{args.rows}.csv"
    texts = build_input(source, args.rows)

    import jieba

    jieba.lcut("预热")
    start = time.perf_counter()
    for text in texts:
        jieba.lcut(text)
    jieba_rate = len(texts) / (time.perf_counter() - start)

    result: dict[str, object] = {"rows": args.rows,
                                 "input_mb": round(source.stat().st_size / 2**20, 1),
                                 "jieba_lcut_rows_per_s": round(jieba_rate)}
    for jobs in (1, 2):
        out = work / f"out_{args.rows}_j{jobs}.csv"
        seconds, peak = run_measured([sys.executable, "-m", "analyzer", "classify", str(source),
                                      "-o", str(out), "--jobs", str(jobs), "--quiet"])
        with out.open(encoding="utf-8-sig", newline="") as handle:
            written = sum(1 for _ in csv.reader(handle)) - 1
        if written != args.rows:
            raise SystemExit(f"output has {written} rows, expected {args.rows}")
        result[f"jobs{jobs}"] = {"seconds": round(seconds, 1),
                                 "rows_per_s": round(args.rows / seconds),
                                 "peak_rss_mb": round(peak)}
        out.unlink()
    result["speedup_jobs2_vs_jobs1"] = round(
        result["jobs2"]["rows_per_s"] / result["jobs1"]["rows_per_s"], 2)  # type: ignore[index]
    result["jobs1_vs_jieba"] = round(
        result["jobs1"]["rows_per_s"] / jieba_rate, 2)  # type: ignore[index]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
