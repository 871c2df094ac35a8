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
import contextlib
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
from collections import Counter
from dataclasses import asdict, dataclass, field
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
    error_kinds: dict[str, int] = field(default_factory=dict)
    server_cpu_ms: float | None = None
    client_cpu_ms: float | None = None

    @property
    def capacity_per_s(self) -> float | None:
        """Requests per second of server CPU: the throughput on one dedicated core,
        whatever else the machine was doing during the run."""
        if not self.server_cpu_ms or not self.requests:
            return None
        return round(1000.0 * self.requests / self.server_cpu_ms, 1)


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


def start_server(port: int, workers: int, log_level: str, batch_jobs: int = 1
                 ) -> subprocess.Popen[bytes]:
    """``complaint-analyzer serve`` on ``127.0.0.1:port`` (output discarded), with
    ``COMPLAINT_ANALYZER_BATCH_JOBS=batch_jobs``."""
    command = [sys.executable, "-m", "analyzer", "serve", "--host", HOST, "--port", str(port),
               "--workers", str(workers), "--log-level", log_level]
    env = {**os.environ, "COMPLAINT_ANALYZER_BATCH_JOBS": str(batch_jobs)}
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, env=env,
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


def tree_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of ``pid`` and its descendants (Linux ``/proc``), or
    ``None`` where ``/proc`` is not available."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    stats: dict[int, tuple[int, float]] = {}
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return None
    for entry in entries:
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2:].split()
        stats[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks)
    if pid not in stats:
        return None
    total, frontier = 0.0, [pid]
    while frontier:
        current = frontier.pop()
        total += stats[current][1]
        frontier += [p for p, (parent, _) in stats.items() if parent == current]
    return total


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


class RawConnection:
    """A minimal keep-alive HTTP/1.1 client on one loopback socket (``--client raw``).

    It costs a few tens of microseconds per request, so on a 2-core machine the server, not
    the load generator, is what gets measured. Bodies are sent as given (JSON bytes).
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes | None) -> int:
        """Send one request and read the whole answer; returns the status code."""
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        try:
            self.writer.write(head.encode("ascii") + b"\r\n" + (body or b""))
            status = int((await self.reader.readline()).split()[1])
            length, chunked, close = 0, False, False
            while (line := await self.reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"transfer-encoding":
                    chunked = b"chunked" in value.lower()
                elif name == b"connection":
                    close = b"close" in value.lower()
            if chunked:
                while size := int((await self.reader.readline()).strip(), 16):
                    await self.reader.readexactly(size + 2)
                await self.reader.readline()
            else:
                await self.reader.readexactly(length)
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            await self.close()
            raise
        if close:
            await self.close()
        return status

    async def close(self) -> None:
        """Close the socket (a later request reconnects)."""
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


class HttpxConnection:
    """One worker's view of a shared ``httpx.AsyncClient`` (``--client httpx``)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def request(self, method: str, path: str, body: bytes | None) -> int:
        """Send one request (body as JSON bytes); returns the status code."""
        headers = {"content-type": "application/json"} if body is not None else None
        response = await self.client.request(method, path, content=body, headers=headers)
        return response.status_code

    async def close(self) -> None:
        """Nothing to do: the shared client is closed by its owner."""


Connection = RawConnection | HttpxConnection


async def run_phase(connections: list[Connection], server_pid: int, name: str, method: str,
                    path: str, bodies: list[bytes] | None, requests: int, budget: float,
                    items_per_request: int = 1) -> PhaseResult:
    """``requests`` calls, one worker per connection (cycling through ``bodies``), stopping
    early when ``budget`` seconds have passed; also measures the CPU time the server and
    this client spent."""
    server_before = tree_cpu_seconds(server_pid)
    client_before = time.process_time()
    latencies: list[float] = []
    kinds: Counter[str] = Counter()
    issued = 0
    start = time.perf_counter()
    deadline = start + budget

    async def worker(connection: Connection) -> None:
        nonlocal issued
        while issued < requests and time.perf_counter() < deadline:
            body = bodies[issued % len(bodies)] if bodies else None
            issued += 1
            t0 = time.perf_counter()
            try:
                status = await connection.request(method, path, body)
                if status != 200:
                    kinds[f"HTTP {status}"] += 1
            except (httpx.HTTPError, OSError, ValueError, IndexError,
                    asyncio.IncompleteReadError) as exc:
                kinds[type(exc).__name__] += 1
            latencies.append((time.perf_counter() - t0) * 1000)

    await asyncio.gather(*(worker(c) for c in connections))
    seconds = time.perf_counter() - start
    server_after = tree_cpu_seconds(server_pid)
    server_cpu = (round((server_after - server_before) * 1000, 1)
                  if server_before is not None and server_after is not None else None)
    done = len(latencies)
    ordered = sorted(latencies) or [0.0]
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return PhaseResult(
        name=name, requests=done, errors=sum(kinds.values()), seconds=round(seconds, 3),
        requests_per_s=round(done / seconds, 1) if seconds else 0.0,
        p50_ms=round(statistics.median(ordered), 2), p99_ms=round(p99, 2),
        items_per_s=round(done * items_per_request / seconds, 1)
        if items_per_request > 1 and seconds else None, error_kinds=dict(kinds),
        server_cpu_ms=server_cpu,
        client_cpu_ms=round((time.process_time() - client_before) * 1000, 1))


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


async def benchmark(port: int, server_pid: int, texts: list[str], args: argparse.Namespace
                    ) -> list[PhaseResult]:
    """Warm-up, then the three phases against ``127.0.0.1:port``."""
    analyze_bodies = [_json({"text": t}) for t in texts]
    batch_bodies = [_json({"items": [{"id": str(i),
                                      "text": texts[(k * args.batch_size + i) % len(texts)]}
                                     for i in range(args.batch_size)]}) for k in range(4)]
    limits = httpx.Limits(max_connections=args.concurrency,
                          max_keepalive_connections=args.concurrency)
    async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", limits=limits,
                                 timeout=60.0) as client:
        def pool(size: int) -> list[Connection]:
            if args.client == "raw":
                return [RawConnection(HOST, port) for _ in range(size)]
            return [HttpxConnection(client) for _ in range(size)]

        connections = pool(args.concurrency)
        batch_connections = pool(args.batch_concurrency)
        try:
            await run_phase(connections, server_pid, "warm-up", "POST", "/v1/analyze",
                            analyze_bodies, min(200, args.requests), 10.0)
            health = await run_phase(connections, server_pid, "healthz", "GET", "/healthz",
                                     None, args.requests, args.budget)
            analyze = await run_phase(connections, server_pid, "analyze", "POST",
                                      "/v1/analyze", analyze_bodies, args.requests,
                                      args.budget)
            batch = await run_phase(batch_connections, server_pid,
                                    f"batch x{args.batch_size}", "POST", "/v1/analyze/batch",
                                    batch_bodies, args.batch_requests, args.budget,
                                    args.batch_size)
        finally:
            for connection in connections + batch_connections:
                await connection.close()
    return [health, analyze, batch]


def _load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


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
    parser.add_argument("--batch-jobs", type=int, default=1,
                        help="processes per worker that share each batch request "
                        "(COMPLAINT_ANALYZER_BATCH_JOBS)")
    parser.add_argument("--max-chars", type=int, default=140, help="longest text used")
    parser.add_argument("--log-level", default="info", help="server log level")
    parser.add_argument("--texts", type=Path, default=REAL_TEXTS)
    parser.add_argument("--client", choices=("httpx", "raw"), default="httpx",
                        help="load generator: httpx.AsyncClient, or a minimal keep-alive "
                        "HTTP/1.1 client that leaves more CPU to the server")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    texts = short_texts(args.texts, 5000, args.max_chars, seed=0)
    load_before = _load_average()
    port = free_port()
    base = f"http://{HOST}:{port}"
    process = start_server(port, args.workers, args.log_level, args.batch_jobs)
    try:
        wait_ready(base, process, timeout=120)
        results = asyncio.run(benchmark(port, process.pid, texts, args))
    finally:
        stop_server(process)

    source = args.texts.name if args.texts.is_file() else "built-in texts"
    print(f"{time.strftime('%Y-%m-%d')}  {platform.machine()} {os.cpu_count()} cores  "
          f"server workers={args.workers} batch_jobs={args.batch_jobs}  "
          f"concurrency={args.concurrency}  "
          f"client={args.client}  texts: {source} "
          f"(<= {args.max_chars} chars, mean {statistics.mean(map(len, texts)):.0f})")
    print(f"load average before: {load_before}, after: {_load_average()}")
    print(f"{'phase':<14}{'requests':>9}{'errors':>7}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'texts/s':>10}{'srv CPU ms/req':>16}{'req/s per core':>16}")
    for r in results:
        items = f"{r.items_per_s:>10.0f}" if r.items_per_s is not None else f"{'':>10}"
        per_request = (f"{r.server_cpu_ms / r.requests:>16.3f}"
                       if r.server_cpu_ms is not None and r.requests else f"{'':>16}")
        capacity = (f"{r.capacity_per_s:>16.1f}" if r.capacity_per_s is not None
                    else f"{'':>16}")
        print(f"{r.name:<14}{r.requests:>9}{r.errors:>7}{r.requests_per_s:>10.1f}"
              f"{r.p50_ms:>9.2f}{r.p99_ms:>9.2f}{items}{per_request}{capacity}"
              + (f"  errors: {r.error_kinds}" if r.error_kinds else ""))
    checks = verdicts(results)
    for target, met in checks.items():
        print(f"{'met   ' if met else 'MISSED'} {target}")
    if args.json:
        args.json.write_text(json.dumps({
            "date": time.strftime("%Y-%m-%d"), "cores": os.cpu_count(),
            "args": {k: str(v) for k, v in vars(args).items()},
            "load_average_before": load_before,
            "results": [{**asdict(r), "capacity_per_s": r.capacity_per_s} for r in results],
            "targets": checks}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
