"""The ``POST /v1/analyze`` shortcut answers exactly like the FastAPI route, only cheaper."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from analyzer.model import Analyzer
from api import Settings, create_app
from api.coalesce import Coalescer
from api.responses import FastJSONResponse
from api.routes import analysis_out
from api.shortcut import AnalyzeShortcut

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

JSON = {"content-type": "application/json"}
BODIES: list[tuple[bytes, dict[str, str]]] = [
    (json.dumps({"text": "手机用了三天就黑屏，要求换新机"}).encode(), JSON),
    (json.dumps({"text": "@SkyAir bag lost twice, nobody calls back", "id": "t-7"}).encode(),
     JSON),
    (json.dumps({"text": "房间很脏 and the AC was broken", "explain": True}).encode(),
     {"content-type": "application/json; charset=utf-8"}),
    ('{"text": "退款一直不到账"}'.encode(), {"content-type": "Application/JSON"}),
    (json.dumps({"text": "x" * 300}).encode(), JSON),                  # over max_text_chars
    (json.dumps({"text": "   "}).encode(), JSON),                       # empty text
    (json.dumps({"id": "no-text"}).encode(), JSON),                     # missing field
    (json.dumps({"text": "ok", "colour": "red"}).encode(), JSON),       # unknown field
    (json.dumps({"text": 42}).encode(), JSON),                          # wrong type
    (json.dumps({"text": "ok", "explain": "maybe"}).encode(), JSON),    # wrong type
    (b'{"text": "unterminated', JSON),                                  # malformed JSON
    (b'{"text": "\xff\xfe"}', JSON),                                    # not UTF-8
    (b"", JSON),                                                        # no body
    (json.dumps({"text": "fine"}).encode(), {"content-type": "text/plain"}),
    (json.dumps({"text": "fine"}).encode(), {}),                        # no content type
]


def _settings() -> Settings:
    return Settings(_env_file=None, model_path=None, cors_origins=[], api_keys=[],
                    max_text_chars=200)


def _without_shortcut(app: Any) -> Any:
    app.user_middleware = [m for m in app.user_middleware if m.cls is not AnalyzeShortcut]
    return app


@pytest.mark.parametrize(("body", "headers"), BODIES)
def test_shortcut_answers_exactly_like_the_route(default_model, body, headers):
    fixed = {**headers, "X-Request-ID": "same-id"}
    with TestClient(create_app(_settings(), analyzer=default_model)) as fast, \
            TestClient(_without_shortcut(create_app(_settings(), analyzer=default_model))
                       ) as slow:
        got = fast.post("/v1/analyze", content=body, headers=fixed)
        want = slow.post("/v1/analyze", content=body, headers=fixed)
    assert got.status_code == want.status_code
    assert got.content == want.content
    assert got.headers["content-type"] == want.headers["content-type"]


def _call(app: Any, state: Any, body_chunks: list[bytes], *, method: str = "POST",
          path: str = "/v1/analyze") -> list[dict[str, Any]]:
    """Drive ``app`` (an ASGI app) with one request; return the messages it sent."""
    scope = {"type": "http", "method": method, "path": path, "root_path": "",
             "headers": [(b"content-type", b"application/json")], "app": state,
             "query_string": b""}
    messages = [{"type": "http.request", "body": chunk, "more_body": i < len(body_chunks) - 1}
                for i, chunk in enumerate(body_chunks)]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


class _RecordingApp:
    """An inner app that records the body it reads and answers 418."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        self.bodies.append(b"".join(chunks))
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def _state(model: Analyzer) -> Any:
    return SimpleNamespace(state=SimpleNamespace(
        settings=_settings(), analyzer=model, coalescer=Coalescer(model)))


def test_a_valid_call_is_answered_without_the_route(default_model):
    inner = _RecordingApp()
    text = "快递三天没动，客服也不回消息"
    sent = _call(AnalyzeShortcut(inner), _state(default_model),
                 [b'{"text": "', text.encode(), b'", "id": "a1"}'])
    assert inner.bodies == []
    assert sent[0]["status"] == 200
    expected = FastJSONResponse(analysis_out(default_model.analyze(text), "a1")).body
    assert sent[1]["body"] == expected


def test_an_invalid_call_reaches_the_route_with_its_body_unchanged(default_model):
    inner = _RecordingApp()
    chunks = [b'{"text": ', b'"", "id": 3}']
    sent = _call(AnalyzeShortcut(inner), _state(default_model), chunks)
    assert inner.bodies == [b"".join(chunks)]
    assert sent[0]["status"] == 418


def test_without_a_loaded_model_the_route_answers(default_model):
    inner = _RecordingApp()
    state = SimpleNamespace(state=SimpleNamespace(settings=_settings(), analyzer=None,
                                                  coalescer=None))
    _call(AnalyzeShortcut(inner), state, [b'{"text": "fine"}'])
    assert inner.bodies == [b'{"text": "fine"}']


@pytest.mark.parametrize(("method", "path"), [("GET", "/v1/analyze"),
                                              ("POST", "/v1/analyze/batch"),
                                              ("POST", "/v1/analyzer")])
def test_other_requests_pass_through_untouched(default_model, method, path):
    inner = _RecordingApp()
    _call(AnalyzeShortcut(inner), _state(default_model), [b'{"text": "fine"}'],
          method=method, path=path)
    assert inner.bodies == [b'{"text": "fine"}']
