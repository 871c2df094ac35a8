"""Load benchmark of the HTTP API against a real ``complaint-analyzer serve`` on loopback.

Starts the server on a free 127.0.0.1 port, waits for ``/readyz``, then runs, in one run on
the same server:

1. ``GET /healthz`` at concurrency C (the ceiling of the HTTP stack on this machine);
2. ``POST /v1/analyze`` with short real texts at concurrency C;
3. ``POST /v1/analyze/batch`` with batches of B texts (texts/s).

Each phase stops after its request count or its time budget, whichever comes first, and the
server is stopped at the end (also on errors or Ctrl-C). Only loopback is ever contacted.

    python bench/bench_api.py                      # defaults: C=32, 3000 requests/phase
    python bench/bench_api.py --requests 500 --json out.json

Targets (issue 6): analyze >= 50% of healthz requests/s, analyze p99 < 50 ms,
batch >= 5,000 texts/s. Exit code 0 whatever the figures (it measures, it does not gate).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
REAL_TEXTS = ROOT.parent / "shared" / "bench" / "real_texts.csv"
FALLBACK_TEXTS: tuple[str, ...] = (
    "手机用了三天就黑屏，要求换新机", "快递员态度恶劣，以后再也不在这家买了",
    "房间很脏，空调也坏了", "客服一直推诿，退款拖了一个月", "宣传的功能根本没有，货不对板",
    "The room was dirty and the air conditioning was broken.",
    "Customer service never called back. I want a refund.",
    "Great stay, friendly staff, would come again!",
    "Hidden fees everywhere, not as described.", "The app keeps crashing at checkout.",
)
HOST = "127.0.0.1"


@dataclass(frozen=True)
class PhaseResult:
    """What one phase measured (latencies in milliseconds)."""

    name: str
    requests: int
    errors: int
    seconds: float
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    items_per_s: float | None = None


def short_texts(path: Path, count: int, max_chars: int, seed: int) -> list[str]:
    """Up to ``count`` texts of at most ``max_chars`` characters from the shared real-text
    file (random sample, fixed seed), or the built-in texts when the file is absent."""
    if not path.is_file():
        return list(FALLBACK_TEXTS)
    with path.open(encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)
                 if row.get("text", "").strip() and len(row["text"]) <= max_chars]
    random.Random(seed).shuffle(texts)
    return texts[:count] or list(FALLBACK_TEXTS)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_server(port: int, workers: int, log_level: str) -> subprocess.Popen[bytes]:
    """``complaint-analyzer serve`` on ``127.0.0.1:port`` (output discarded)."""
    command = [sys.executable, "-m", "analyzer", "serve", "--host", HOST, "--port", str(port),
               "--workers", str(workers), "--log-level", log_level]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """SIGINT (graceful), then SIGKILL after 10 s; only this process group is signalled."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def wait_ready(base: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    """Poll ``/readyz`` until 200; raise if the server exits or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode} during startup")
        try:
            if httpx.get(f"{base}/readyz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not ready after {timeout:.0f} s")


async def run_phase(client: httpx.AsyncClient, name: str, method: str, path: str,
                    bodies: list[Any] | None, requests: int, concurrency: int,
                    budget: float, items_per_request: int = 1) -> PhaseResult:
    """``requests`` calls from ``concurrency`` tasks (cycling through ``bodies``), stopping
    early when ``budget`` seconds have passed."""
    latencies: list[float] = []
    errors = 0
    issued = 0
    start = time.perf_counter()
    deadline = start + budget

    async def worker() -> None:
        nonlocal issued, errors
        while issued < requests and time.perf_counter() < deadline:
            body = bodies[issued % len(bodies)] if bodies else None
            issued += 1
            t0 = time.perf_counter()
            try:
                response = await client.request(method, path, json=body)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append((time.perf_counter() - t0) * 1000)
            errors += 0 if ok else 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - start
    done = len(latencies)
    ordered = sorted(latencies) or [0.0]
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
    return PhaseResult(
        name=name, requests=done, errors=errors, seconds=round(seconds, 3),
        requests_per_s=round(done / seconds, 1) if seconds else 0.0,
        p50_ms=round(statistics.median(ordered), 2), p99_ms=round(p99, 2),
        items_per_s=round(done * items_per_request / seconds, 1)
        if items_per_request > 1 and seconds else None)


async def benchmark(base: str, texts: list[str], args: argparse.Namespace
                    ) -> list[PhaseResult]:
    """Warm-up, then the three phases against ``base``."""
    limits = httpx.Limits(max_connections=args.concurrency,
                          max_keepalive_connections=args.concurrency)
    analyze_bodies = [{"text": t} for t in texts]
    batch_bodies = [{"items": [{"id": str(i), "text": texts[(k * args.batch_size + i)
                                                          % len(texts)]}
                               for i in range(args.batch_size)]} for k in range(4)]
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60.0) as client:
        await run_phase(client, "warm-up", "POST", "/v1/analyze", analyze_bodies,
                        min(200, args.requests), args.concurrency, 10.0)
        health = await run_phase(client, "healthz", "GET", "/healthz", None, args.requests,
                                 args.concurrency, args.budget)
        analyze = await run_phase(client, "analyze", "POST", "/v1/analyze", analyze_bodies,
                                  args.requests, args.concurrency, args.budget)
        batch = await run_phase(client, f"batch x{args.batch_size}", "POST",
                                "/v1/analyze/batch", batch_bodies, args.batch_requests,
                                args.batch_concurrency, args.budget, args.batch_size)
    return [health, analyze, batch]


def verdicts(results: list[PhaseResult]) -> dict[str, bool]:
    """The issue's targets, each true when met."""
    health, analyze, batch = results
    return {
        "analyze >= 50% of healthz req/s": analyze.requests_per_s >= 0.5 * health.requests_per_s,
        "analyze p99 < 50 ms": analyze.p99_ms < 50.0,
        "batch >= 5000 texts/s": (batch.items_per_s or 0.0) >= 5000.0,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table (and JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000, help="requests per phase")
    parser.add_argument("--budget", type=float, default=30.0, help="seconds per phase at most")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--batch-requests", type=int, default=12)
    parser.add_argument("--batch-concurrency", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--max-chars", type=int, default=140, help="longest text used")
    parser.add_argument("--log-level", default="info", help="server log level")
    parser.add_argument("--texts", type=Path, default=REAL_TEXTS)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    texts = short_texts(args.texts, 5000, args.max_chars, seed=0)
    port = free_port()
    base = f"http://{HOST}:{port}"
    process = start_server(port, args.workers, args.log_level)
    try:
        wait_ready(base, process, timeout=120)
        results = asyncio.run(benchmark(base, texts, args))
    finally:
        stop_server(process)

    source = args.texts.name if args.texts.is_file() else "built-in texts"
    print(f"{time.strftime('%Y-%m-%d')}  {platform.machine()} {os.cpu_count()} cores  "
          f"server workers={args.workers}  concurrency={args.concurrency}  texts: {source} "
          f"(<= {args.max_chars} chars, mean {statistics.mean(map(len, texts)):.0f})")
    print(f"{'phase':<14}{'requests':>9}{'errors':>7}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'texts/s':>10}")
    for r in results:
        items = f"{r.items_per_s:>10.0f}" if r.items_per_s is not None else f"{'':>10}"
        print(f"{r.name:<14}{r.requests:>9}{r.errors:>7}{r.requests_per_s:>10.1f}"
              f"{r.p50_ms:>9.2f}{r.p99_ms:>9.2f}{items}")
    checks = verdicts(results)
    for target, met in checks.items():
        print(f"{'met   ' if met else 'MISSED'} {target}")
    if args.json:
        args.json.write_text(json.dumps({
            "date": time.strftime("%Y-%m-%d"), "cores": os.cpu_count(),
            "args": {k: str(v) for k, v in vars(args).items()},
            "results": [asdict(r) for r in results], "targets": checks}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
