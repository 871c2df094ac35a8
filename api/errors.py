"""Translation of errors into HTTP answers, at the edge, in one JSON format.

``{"detail": ..., "request_id": ...}`` for every error (see ``schemas.ErrorResponse``):

* invalid request fields -> 422 with one ``{loc, msg, type}`` per field (the offending value is
  never echoed, as it may be a complaint text);
* ``InvalidInputError`` -> 422, ``InputFileError`` and other client-caused ``AnalyzerError`` ->
  400, ``ModelError`` -> 503 (a server problem, not the client's);
* ``HTTPException`` keeps its status; anything else -> 500, logged with its traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from analyzer.errors import AnalyzerError, InputFileError, InvalidInputError, ModelError
from api.middleware import REQUEST_ID_HEADER, request_id_of

ERROR_LOGGER = "complaint_analyzer.api"

#: CLI flags named in library messages, and what an HTTP client sends instead.
_CLI_TO_API = (("--text-column", "the text_column field"), ("--prefix", "the prefix field"),
               ("--format", "the output_format field"), ("--date-column", "date_column"))


def _body(detail: Any, request: Request) -> dict[str, Any]:
    return {"detail": detail, "request_id": request_id_of(request.scope)}


def api_message(exc: BaseException) -> str:
    """The library's message with CLI flag names replaced by the API's field names."""
    message = str(exc)
    for flag, field in _CLI_TO_API:
        message = message.replace(flag, field)
    return message


def field_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Pydantic/FastAPI error dicts reduced to ``loc``, ``msg`` and ``type``."""
    return [{"loc": [part if isinstance(part, int) else str(part)
                     for part in error.get("loc", ())],
             "msg": str(error.get("msg", "")), "type": str(error.get("type", ""))}
            for error in errors]


def status_of(exc: AnalyzerError) -> int:
    """The HTTP status of a library error (see the module docstring)."""
    if isinstance(exc, ModelError):
        return 503
    if isinstance(exc, InvalidInputError):
        return 422
    return 400


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(_body(field_errors(exc.errors()), request), status_code=422)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code < 200 or exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=exc.headers)
    return JSONResponse(_body(str(exc.detail), request), status_code=exc.status_code,
                        headers=exc.headers)


async def _analyzer_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AnalyzerError)
    status = status_of(exc)
    if status >= 500:
        logging.getLogger(ERROR_LOGGER).error("model error: %s", exc)
    detail = api_message(exc) if isinstance(exc, InputFileError) else str(exc)
    return JSONResponse(_body(detail, request), status_code=status)


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    logging.getLogger(ERROR_LOGGER).error(
        "unhandled %s on %s %s (request %s)", type(exc).__name__, request.method,
        request.url.path, request_id_of(request.scope), exc_info=exc)
    # Sent by Starlette's outermost middleware, outside the one that adds X-Request-ID.
    request_id = request_id_of(request.scope)
    return JSONResponse(_body("internal server error", request), status_code=500,
                        headers={REQUEST_ID_HEADER: request_id} if request_id else None)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers above on ``app``."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(AnalyzerError, _analyzer_error)
    app.add_exception_handler(Exception, _unexpected_error)
