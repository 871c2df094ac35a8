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


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MiB (Linux /proc)."""
    from pathlib import Path as _Path

    children: dict[int, list[int]] = {}
    for status in _Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines()
                          if ":" in line)
        except OSError:
            continue
        children.setdefault(int(fields["PPid"]), []).append(int(status.parent.name))
    total, stack = 0.0, [pid]
    while stack:
        current = stack.pop()
        stack.extend(children.get(current, []))
        try:
            text = _Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) / 1024
    return total


def run_measured(command: list[str]) -> tuple[float, float]:
    """Run ``command``; return (wall seconds, peak RSS of its whole process tree in MiB)."""
    import subprocess
    import time

    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, tree_rss_mb(process.pid))
        time.sleep(0.2)
    if process.returncode != 0:
        raise SystemExit(f"{command} failed with exit code {process.returncode}")
    return time.perf_counter() - start, peak
