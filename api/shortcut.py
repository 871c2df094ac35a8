"""A short way through the stack for well-formed ``POST /v1/analyze`` requests.

``/v1/analyze`` is the hot path of the service: ticketing systems call it once per complaint.
FastAPI's request machinery (route matching, exception and exit-stack middleware, dependency
solving, ``json.loads`` then validation) costs more per call than the vectorised model itself,
so :class:`AnalyzeShortcut` answers the *successful* calls itself, as pure ASGI:

1. it reads the body (through the size limit of ``GuardMiddleware``, which runs first),
2. validates it with the route's own model, ``schemas.AnalyzeRequest.model_validate_json``,
3. queues the text in the app's :class:`~api.coalesce.Coalescer`, like the route,
4. answers with the bytes the route would send (the same ``analysis_out`` dict).

Everything else (invalid JSON or fields, a text over the limit, another content type, no model
yet, a failing analysis, a disconnect, a body over the size limit) is handed on, with the body
replayed unchanged, to the FastAPI route, which answers exactly as it does without the
shortcut. So the shortcut changes the cost of a call, never its answer.
"""

from __future__ import annotations

from pydantic import ValidationError
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.middleware import BodyTooLarge
from api.responses import FastJSONResponse
from api.routes import analysis_out, too_long
from api.schemas import AnalyzeRequest

ANALYZE_PATH = "/v1/analyze"


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


def _is_json(headers: Headers) -> bool:
    """True for ``application/json`` with or without parameters (what FastAPI parses as
    JSON, minus the rare ``+json`` subtypes and a missing header, which take the long way)."""
    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return media_type == "application/json"


class AnalyzeShortcut:
    """Pure ASGI middleware answering well-formed ``POST /v1/analyze`` calls (see module doc).

    Contract: for any request, the status, headers and body sent are those the FastAPI route
    ``api.routes.analyze`` would send; requests to other paths or methods pass through
    untouched. Needs ``scope["app"].state`` to hold ``settings``, ``analyzer`` and
    ``coalescer`` (set by ``create_app``'s lifespan).
    """

    def __init__(self, app: ASGIApp, path: str = ANALYZE_PATH) -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] != "POST"
                or _route_path(scope) != self.path or not _is_json(Headers(scope=scope))):
            await self.app(scope, receive, send)
            return
        received: list[Message] = []
        try:
            body = await _read_body(receive, received)
        except BodyTooLarge as exc:
            await self.app(scope, _raising(exc), send)
            return
        replay = _replaying(received, receive)
        if body is None:  # the client went away while sending: let the route see it
            await self.app(scope, replay, send)
            return
        state = scope["app"].state
        coalescer = getattr(state, "coalescer", None)
        if coalescer is None or getattr(state, "analyzer", None) is None:
            await self.app(scope, replay, send)
            return
        try:
            request = AnalyzeRequest.model_validate_json(body)
        except ValidationError:
            await self.app(scope, replay, send)
            return
        if too_long(request.text, state.settings):
            await self.app(scope, replay, send)
            return
        try:
            analysis = await coalescer.analyze(request.text, explain=request.explain)
        except Exception:  # the route answers it in the API's error format
            await self.app(scope, replay, send)
            return
        response = FastJSONResponse(analysis_out(analysis, request.id))
        await response(scope, replay, send)


async def _read_body(receive: Receive, received: list[Message]) -> bytes | None:
    """The whole request body (``None`` on a disconnect); every message is kept in
    ``received`` for replay."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        received.append(message)
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(received: list[Message], receive: Receive) -> Receive:
    """A receive that gives back ``received`` in order, then defers to ``receive``."""
    pending = list(received)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


def _raising(exc: BaseException) -> Receive:
    """A receive that raises ``exc`` (a body over the limit), as the guarded one did."""

    async def receive() -> Message:
        raise exc

    return receive
