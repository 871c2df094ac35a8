"""``complaint-analyzer serve`` as a real process on a free loopback port, spoken to over HTTP."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

HOST = "127.0.0.1"
SECRET_TEXT = "快递丢了，我的电话是13800000000，马上退款"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def serve_command(port: int) -> list[str]:
    """The installed console script when there is one, else ``python -m analyzer``."""
    script = shutil.which("complaint-analyzer")
    prefix = [script] if script else [sys.executable, "-m", "analyzer"]
    return [*prefix, "serve", "--host", HOST, "--port", str(port), "--workers", "1"]


def wait_until_ready(base: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"server exited early with {process.returncode}"
        try:
            if httpx.get(f"{base}/readyz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"/readyz not 200 after {timeout} s")


def stop(process: subprocess.Popen[bytes]) -> int:
    """Ctrl-C (graceful shutdown), then kill after 15 s; returns the exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    return process.returncode


def test_serve_answers_http_on_loopback_with_keys_and_a_json_access_log(tmp_path: Path):
    port = free_port()
    base = f"http://{HOST}:{port}"
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("COMPLAINT_ANALYZER_") or name.endswith("MODEL_PATH")}
    env["COMPLAINT_ANALYZER_API_KEYS"] = "serve-test-key"
    env["COMPLAINT_ANALYZER_MAX_BATCH_ITEMS"] = "2"
    stdout = (tmp_path / "stdout.log").open("wb")
    stderr = (tmp_path / "stderr.log").open("wb")
    process = subprocess.Popen(serve_command(port), cwd=tmp_path, env=env, stdout=stdout,
                               stderr=stderr)
    try:
        wait_until_ready(base, process, timeout=90)
        with httpx.Client(base_url=base, timeout=30) as client:
            assert client.get("/healthz").json() == {"status": "ok"}
            assert client.post("/v1/analyze", json={"text": SECRET_TEXT}).status_code == 401
            keyed = {"X-API-Key": "serve-test-key", "X-Request-ID": "serve-test-1"}
            analysed = client.post("/v1/analyze", json={"text": SECRET_TEXT, "id": "t1"},
                                   headers=keyed)
            assert analysed.status_code == 200
            assert analysed.headers["x-request-id"] == "serve-test-1"
            body = analysed.json()
            assert body["id"] == "t1" and body["is_complaint"] is True
            too_many = client.post("/v1/analyze/batch", headers=keyed,
                                   json={"items": [{"text": "退款"}] * 3})
            assert too_many.status_code == 413
            assert "MAX_BATCH_ITEMS" in too_many.json()["detail"]
            assert client.get("/docs").status_code == 200
    finally:
        code = stop(process)
        stdout.close()
        stderr.close()
    assert code == 0, (tmp_path / "stderr.log").read_text(errors="replace")
    lines = (tmp_path / "stdout.log").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.startswith("{")]
    analyse = [r for r in records if r["request_id"] == "serve-test-1"]
    assert analyse and analyse[0]["path"] == "/v1/analyze" and analyse[0]["status"] == 200
    assert {"method", "duration_ms", "client"} <= set(analyse[0])
    everything = "\n".join(lines) + (tmp_path / "stderr.log").read_text(errors="replace")
    assert "13800000000" not in everything and "快递" not in everything
