"""Dask engine overhead: rows/s of ``classify --engine dask`` vs the local engine.

Usage: python bench/bench_dask.py [--rows 1000000] [--workers 2] [--repeat 2] [--model PATH]
                                  [--skip dask-csv] [--keep DIR]

Builds a CSV of ``--rows`` rows (id, lang, segment, text) from the short (<= 60 characters)
real texts of ../shared/bench/real_texts.csv, repeated in a fixed shuffled order, then times
on that same file, each as a fresh ``python -m analyzer classify`` process (wall time, so
process/cluster start-up and model loading count):

* ``local``: ``--jobs W`` (the local engine's process pool), CSV output;
* ``dask``: ``--engine dask --jobs W`` (a LocalCluster of W worker processes), Parquet output;
* ``dask-csv``: the same with ``--format csv``.

The runs are interleaved ``--repeat`` times (local, dask, dask-csv, local, ...). Each run
records its wall time and the CPU seconds of its whole process tree; on a machine shared
with other jobs the wall time follows their load, while CPU seconds measure the engine's own
cost. Every run's output row count is checked. Prints one JSON document with, per engine,
the best wall time and the median CPU seconds; ``overhead_wall`` / ``overhead_cpu`` are
``dask / local - 1`` (target: below 0.25). Exits 0 with a note when ../shared is absent.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import real_texts


def build_input(path: Path, rows: int, seed: int = 7) -> int:
    """Write ``rows`` rows of short real texts to ``path``; returns the file size in bytes."""
    source = real_texts(max_chars=60)
    random.Random(seed).shuffle(source)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "lang", "segment", "text"])
        for i in range(rows):
            row = source[i % len(source)]
            writer.writerow([i + 1, row["lang"], row["segment"], row["text"]])
    return path.stat().st_size


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(name: str, args: list[str], rows: int, count_output) -> dict[str, object]:
    """Run one classify process; its wall time, rows/s, and CPU seconds of the whole process
    tree (the command and every worker process it started and reaped)."""
    command = [sys.executable, "-m", "analyzer", "classify", *args, "--quiet"]
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    cpu = _children_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"{name} failed ({done.returncode}): {done.stderr.strip()}")
    written = count_output()
    if written != rows:
        raise SystemExit(f"{name} wrote {written} rows instead of {rows}")
    return {"name": name, "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds),
            "cpu_seconds": round(cpu, 1), "rows_per_cpu_s": round(rows / cpu),
            "load_average": os.getloadavg()[0],
            "command": " ".join(["complaint-analyzer", "classify", *args])}


def count_csv(path: Path) -> int:
    """Rows of a CSV output (parsed, so quoted line breaks count once)."""
    import pandas as pd

    return len(pd.read_csv(path, dtype=str, usecols=[0], keep_default_na=False))


def count_parts(directory: Path) -> int:
    """Rows of a Dask engine output directory, from its manifest-checked parts."""
    import pandas as pd
    import pyarrow.parquet as pq

    parts = sorted(directory.glob("part-*"))
    if parts and parts[0].suffix == ".parquet":
        return sum(pq.read_metadata(p).num_rows for p in parts)
    return sum(len(pd.read_csv(p, dtype=str, usecols=[0], encoding="utf-8-sig"))
               for p in parts)


def machine() -> dict[str, object]:
    """CPU model, core count, Python and library versions."""
    import dask
    import distributed

    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text(encoding="utf-8").splitlines() if cpuinfo.is_file() else []
    model = next((line.split(":", 1)[1].strip() for line in lines
                  if line.startswith("model name")), "")
    return {"cpu": model or platform.processor(), "cores": os.cpu_count(),
            "python": platform.python_version(), "dask": dask.__version__,
            "distributed": distributed.__version__, "platform": platform.platform()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--model", help="model file (default: the packaged model)")
    parser.add_argument("--keep", help="work in this directory and keep the files")
    parser.add_argument("--skip", nargs="*", default=[], choices=("local", "dask", "dask-csv"))
    opts = parser.parse_args()

    work = Path(opts.keep) if opts.keep else Path(tempfile.mkdtemp(prefix="bench-dask-"))
    work.mkdir(parents=True, exist_ok=True)
    source = work / "input.csv"
    size = build_input(source, opts.rows)
    common = ["--jobs", str(opts.workers)] + (["--model", opts.model] if opts.model else [])
    plans = {
        "local": ([str(source), "-o", str(work / "local.csv"), *common],
                  lambda: count_csv(work / "local.csv")),
        "dask": ([str(source), "--engine", "dask", "-o", str(work / "dask"), *common],
                 lambda: count_parts(work / "dask")),
        "dask-csv": ([str(source), "--engine", "dask", "--format", "csv", "-o",
                      str(work / "dask-csv"), *common], lambda: count_parts(work / "dask-csv")),
    }
    results = []
    for _ in range(opts.repeat):
        for name, (args, counter) in plans.items():
            if name not in opts.skip:
                results.append(run(name, args, opts.rows, counter))
                print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    by_name: dict[str, dict[str, object]] = {}
    for r in results:
        best = by_name.get(str(r["name"]))
        if best is None or float(r["seconds"]) < float(best["seconds"]):
            by_name[str(r["name"])] = r
    report: dict[str, object] = {
        "date": time.strftime("%Y-%m-%d"), "rows": opts.rows, "input_mb": round(size / 1e6, 1),
        "workers": opts.workers, "model": opts.model or "packaged", "machine": machine(),
        "best": list(by_name.values()), "runs": results,
    }
    cpu = {name: statistics.median(float(r["cpu_seconds"]) for r in results
                                   if r["name"] == name) for name in by_name}
    report["median_cpu_seconds"] = cpu
    if "local" in by_name:
        for name in ("dask", "dask-csv"):
            if name in by_name:
                report[f"overhead_wall_{name}"] = round(
                    float(by_name[name]["seconds"]) / float(by_name["local"]["seconds"]) - 1, 3)
                report[f"overhead_cpu_{name}"] = round(cpu[name] / cpu["local"] - 1, 3)
    print(json.dumps(report, indent=1, ensure_ascii=False))
    if not opts.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
