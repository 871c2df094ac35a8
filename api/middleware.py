"""Pure ASGI middleware: request ids and the access log, API keys, request-size limits.

Pure ASGI (not ``BaseHTTPMiddleware``) keeps the per-request cost to a few microseconds and
lets the size limit act on the body stream before any of it is buffered.
"""

from __future__ import annotations

import hmac
import itertools
import json
import logging
import re
import secrets
import time
from collections.abc import Callable

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.settings import ENV_PREFIX, Settings

#: Logger of the access log: one JSON object per request (never any request body).
ACCESS_LOGGER = "complaint_analyzer.api.access"
REQUEST_ID_HEADER = "X-Request-ID"
API_KEY_HEADER = "X-API-Key"
#: Paths that never need an API key: health checks and the API documentation.
OPEN_PATHS: frozenset[str] = frozenset({"/healthz", "/readyz", "/docs", "/docs/oauth2-redirect",
                                        "/redoc", "/openapi.json"})
_CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def request_id_of(scope: Scope) -> str | None:
    """The request id the access-log middleware gave this request (``None`` outside it)."""
    return scope.get("state", {}).get("request_id")


def error_response(status: int, detail: str, scope: Scope,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """An error answer in the API's one error format (see ``schemas.ErrorResponse``)."""
    return JSONResponse({"detail": detail, "request_id": request_id_of(scope)},
                        status_code=status, headers=headers)


class AccessLogMiddleware:
    """Give every HTTP request an id and log one structured line when it finishes.

    Contract: the id is the client's ``X-Request-ID`` when it is 1-64 characters of
    ``[A-Za-z0-9._:-]``, else a fresh id unique to this process run (24 random hex digits
    drawn at start-up, then an 8-digit hex counter); it is echoed in the response header and in
    ``scope["state"]["request_id"]``. The log record (INFO on :data:`ACCESS_LOGGER`) has the
    message ``json.dumps(fields)`` and the same dict as ``record.access``; fields are method,
    path (no query string), status, duration_ms, client, request_id, bytes_in, bytes_out.
    No header value other than the request id and no body byte is ever logged.
    """

    def __init__(self, app: ASGIApp, logger_name: str = ACCESS_LOGGER,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.app = app
        self.logger = logging.getLogger(logger_name)
        self.clock = clock
        self._id_prefix = secrets.token_hex(12)
        self._id_counter = itertools.count(1)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = self.clock()
        supplied = Headers(scope=scope).get(REQUEST_ID_HEADER.lower(), "")
        request_id = (supplied if _CLIENT_REQUEST_ID.fullmatch(supplied)
                      else f"{self._id_prefix}{next(self._id_counter):08x}")
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        sent = 0
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
            return message

        async def tagging_send(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, counting_receive, tagging_send)
        finally:
            if self.logger.isEnabledFor(logging.INFO):
                client = scope.get("client")
                fields = {
                    "method": scope["method"], "path": scope["path"], "status": status,
                    "duration_ms": round((self.clock() - start) * 1000, 2),
                    "client": client[0] if client else None, "request_id": request_id,
                    "bytes_in": received, "bytes_out": sent,
                }
                self.logger.info(json.dumps(fields), extra={"access": fields})


class BodyTooLarge(HTTPException):
    """A request body grew past its limit while it was being read."""


class GuardMiddleware:
    """API keys and request-size limits, before any route reads the body.

    Contract: when ``settings.api_keys`` is non-empty, every request except CORS preflights
    (``OPTIONS``) and the :data:`OPEN_PATHS` (health checks and documentation) needs an
    ``X-API-Key`` equal to one of the keys (compared with ``hmac.compare_digest`` against
    every key), else 401; so every ``/v1`` route is guarded, whatever prefix (``root_path``)
    a proxy mounts the app under. Multipart bodies may be up to
    ``max_upload_bytes``, all other bodies up to ``max_body_bytes``: a larger declared
    ``Content-Length`` gets 413 before the body is read, and a body that streams past the
    limit raises :class:`BodyTooLarge` (413) in the route that reads it. Both 413 answers
    name the limit and its setting.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.keys = settings.key_bytes()
        self.body_limit = settings.max_body_bytes
        self.upload_limit = settings.max_upload_bytes

    def _authorised(self, headers: Headers) -> bool:
        # Header values arrive as bytes decoded as Latin-1; encoding back gives the raw bytes.
        supplied = headers.get(API_KEY_HEADER.lower(), "").encode("latin-1")
        matched = False
        for key in self.keys:  # no early exit: time does not depend on which key matched
            matched |= hmac.compare_digest(supplied, key)
        return matched

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        path: str = scope["path"]
        root: str = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root):]
        if (self.keys and path not in OPEN_PATHS and scope["method"] != "OPTIONS"
                and not self._authorised(headers)):
            response = error_response(
                401, f"missing or invalid API key; send a valid key in the {API_KEY_HEADER} "
                "header", scope)
            await response(scope, receive, send)
            return
        multipart = headers.get("content-type", "").lower().startswith("multipart/")
        limit = self.upload_limit if multipart else self.body_limit
        setting = ENV_PREFIX + ("MAX_UPLOAD_BYTES" if multipart else "MAX_BODY_BYTES")
        what = "upload" if multipart else "request body"
        message = f"{what} exceeds the limit of {limit} bytes (setting {setting})"
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await error_response(413, message, scope)(scope, receive, send)
            return
        total = 0

        async def limited_receive() -> Message:
            nonlocal total
            received = await receive()
            if received["type"] == "http.request":
                total += len(received.get("body", b""))
                if total > limit:
                    raise BodyTooLarge(413, message)
            return received

        await self.app(scope, limited_receive, send)
