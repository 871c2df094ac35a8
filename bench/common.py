"""Helpers shared by the benchmarks: real texts from ../shared/bench and peak memory."""

from __future__ import annotations

import csv
import resource
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
REAL_TEXTS = SHARED / "bench" / "real_texts.csv"


def real_texts(max_chars: int | None = None) -> list[dict[str, str]]:
    """Rows of ``../shared/bench/real_texts.csv``; exits cleanly (status 0) when absent."""
    if not REAL_TEXTS.is_file():
        print(f"skipped: {REAL_TEXTS} not found (../shared is absent)")
        sys.exit(0)
    with REAL_TEXTS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if max_chars is not None:
        rows = [r for r in rows if r["text"].strip() and len(r["text"]) <= max_chars]
    return rows


def peak_rss_mb(children: bool = False) -> float:
    """Peak resident memory of this process (or of its finished children) in MiB."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024
