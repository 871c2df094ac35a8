"""Benchmark: aggregate 1,000,000 synthetic classified rows (target: under 10 s).

Run from the project folder::

    python bench/bench_trends.py [--rows 1000000] [--by channel,region] [--repeat 1]

The rows come from :func:`analyzer.trends.synthetic.make_classified` (26 weeks, ISO
timestamps as text, bilingual texts made unique by a random word, 1% errors, 1% undated,
one injected spike). Timed is
``aggregate()`` alone, with the real jieba-based ``Segmenter`` for the emerging terms; data
generation and report writing are reported separately.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time

import numpy as np


def main() -> int:
    """Run the benchmark and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--by", default="channel,region")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--write", action="store_true", help="also time write_report()")
    args = parser.parse_args()

    from analyzer.segmentation import Segmenter
    from analyzer.trends import aggregate, write_report
    from analyzer.trends.synthetic import Spike, make_classified

    start = time.perf_counter()
    frame = make_classified(args.rows, seed=0, error_rate=0.01, undated_rate=0.01,
                            spike=Spike("product", "app", "2024-06-24", args.rows // 500))
    # a random word per text, so that no two texts are alike and caching cannot help
    rng = np.random.default_rng(1)
    frame["text"] = frame["text"] + " w" + rng.integers(0, 10**9, len(frame)).astype(str)
    print(f"generated {len(frame):,} rows in {time.perf_counter() - start:.1f} s")

    segmenter = Segmenter()
    segmenter.segment("预热分词器 warm up")  # load jieba outside the timing
    best = float("inf")
    report = None
    for _ in range(args.repeat):
        start = time.perf_counter()
        report = aggregate(frame, freq="W", by=args.by, tokenizer=segmenter.segment)
        best = min(best, time.perf_counter() - start)
    assert report is not None
    counts = report.counts
    assert counts.dated + counts.undated == counts.total == len(frame)
    print(f"aggregate: {best:.2f} s for {len(frame):,} rows (best of {args.repeat}); "
          f"{len(report.periods)} weekly periods, {len(report.alerts)} alert(s), "
          f"{sum(len(t.terms) for t in report.terms)} emerging terms")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}")
    if args.write:
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            write_report(report, folder)
            print(f"write_report: {time.perf_counter() - start:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
