"""The FastAPI application factory.

``create_app()`` builds a self-contained app: its settings and model live in ``app.state``
(no module-level state), the model is loaded once in the lifespan, and the middleware stack is,
from the outside in: access log (request id, timing) -> CORS (when origins are configured) ->
API keys and size limits -> the ``POST /v1/analyze`` shortcut (see ``api.shortcut``) ->
FastAPI (error translation, routes).

Run it with ``complaint-analyzer serve`` or any ASGI server:
``uvicorn --factory api.app:create_app``.
"""

from __future__ import annotations

import gc
import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.concurrency import run_in_threadpool

from api.coalesce import Coalescer
from api.errors import install_error_handlers
from api.middleware import API_KEY_HEADER, REQUEST_ID_HEADER, AccessLogMiddleware, GuardMiddleware
from api.routes import health_router, v1_router
from api.settings import Settings
from api.shortcut import AnalyzeShortcut

if TYPE_CHECKING:
    from analyzer.model import Analyzer
    from analyzer.parallel import ParallelAnalyzer

DESCRIPTION = """
Why customers complain and what they want: classify Chinese and English complaints by
**cause** (product, service attitude, facilities, expectations, malicious) and **type**
(redress, voice, exit), in real time or in bulk, and find trends.

* `POST /v1/analyze` one text, `POST /v1/analyze/batch` up to 1,000 texts;
* `POST /v1/classify/csv` a whole export, streamed back with the result columns added;
* `POST /v1/trends` trends of classified rows (JSON, or HTML with `?format=html`);
* `GET /v1/labels`, `GET /v1/model`, `GET /healthz`, `GET /readyz`.

Errors always have the body `{"detail": ..., "request_id": ...}`. When the service has API
keys configured, every `/v1` call needs an `X-API-Key` header.
"""

def load_model(settings: Settings) -> Analyzer:
    """The model named by ``settings.model_path``, else the packaged default (cached).

    Raises ``ModelError`` when the file is missing or unreadable.
    """
    from analyzer.persistence import default_analyzer, load_analyzer

    if settings.model_path is not None:
        return load_analyzer(settings.model_path)
    return default_analyzer()


def batch_analyzer(model: Analyzer, settings: Settings, *, injected: bool
                   ) -> Analyzer | ParallelAnalyzer:
    """What ``/v1/analyze/batch`` runs on: ``model`` itself, or with ``settings.batch_jobs``
    above 1 a started :class:`~analyzer.parallel.ParallelAnalyzer` whose helper processes load
    the same model file (an injected model is first saved to a private temporary file)."""
    if settings.batch_jobs <= 1:
        return model
    from analyzer.parallel import ParallelAnalyzer
    from analyzer.persistence import default_model_path

    path = None if injected else (settings.model_path or default_model_path())
    return ParallelAnalyzer(model, settings.batch_jobs, model_path=path).start()


def telemetry_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments that switch FastAPI's built-in OpenTelemetry hooks off unless
    ``settings.opentelemetry`` is set (empty for FastAPI versions without them)."""
    if settings.opentelemetry or "telemetry" not in inspect.signature(FastAPI).parameters:
        return {}
    return {"telemetry": {"tracing": False, "metrics": False, "logs": False,
                          "operation_spans": False}}


def create_app(settings: Settings | None = None, analyzer: Analyzer | None = None) -> FastAPI:
    """Build the API.

    ``settings`` defaults to ``Settings()`` (environment and ``.env``); ``analyzer``, when
    given, is served instead of loading ``settings.model_path`` or the packaged model (tests
    inject models this way). The model is loaded and warmed up in the lifespan, so
    ``/readyz`` answers 200 only once requests can be served; a model that cannot be loaded
    makes startup fail with the ``ModelError``.
    """
    from analyzer import __version__

    settings = settings if settings is not None else Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        model = analyzer if analyzer is not None else await run_in_threadpool(load_model,
                                                                              settings)
        # So that the first request does not pay for what is built on first use.
        await run_in_threadpool(model.warm_up)
        batch = await run_in_threadpool(
            lambda: batch_analyzer(model, settings, injected=analyzer is not None))
        # The model's arrays and vocabularies live as long as the process: move them out of
        # the garbage collector's generations so full collections (latency spikes under load)
        # no longer walk them.
        gc.freeze()
        coalescer = Coalescer(model, settings.coalesce_max,
                              gather_seconds=settings.coalesce_gather_ms / 1000)
        app.state.coalescer = coalescer
        app.state.analyzer = model
        app.state.batch_analyzer = batch
        try:
            yield
        finally:
            app.state.analyzer = None
            app.state.batch_analyzer = None
            await coalescer.close()
            if batch is not model:
                await run_in_threadpool(batch.close)

    app = FastAPI(title="complaint-analyzer", version=__version__, description=DESCRIPTION,
                  lifespan=lifespan, **telemetry_options(settings))
    app.state.settings = settings
    app.state.analyzer = None
    app.state.coalescer = None
    app.state.batch_analyzer = None
    app.include_router(health_router())
    app.include_router(v1_router(settings))
    install_error_handlers(app)
    app.add_middleware(AnalyzeShortcut)
    app.add_middleware(GuardMiddleware, settings=settings)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                           allow_methods=["GET", "POST"],
                           allow_headers=[API_KEY_HEADER, REQUEST_ID_HEADER, "Content-Type"],
                           expose_headers=[REQUEST_ID_HEADER])
    app.add_middleware(AccessLogMiddleware)
    return app
