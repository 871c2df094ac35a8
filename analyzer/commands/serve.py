"""``complaint-analyzer serve``: run the HTTP API (FastAPI app ``api.app:create_app``) with
uvicorn. Settings come from ``COMPLAINT_ANALYZER_*`` environment variables and ``.env``
(see ``api.settings.Settings``); this is the one place where logging is configured."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from analyzer.errors import AnalyzerError

LOG_LEVELS: tuple[str, ...] = ("critical", "error", "warning", "info", "debug")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``serve`` command."""
    p = sub.add_parser(
        "serve", help="run the HTTP API (JSON; OpenAPI docs at /docs)",
        description="Serve the analyzer over HTTP with uvicorn. Limits, CORS origins and API "
        "keys are read from COMPLAINT_ANALYZER_* environment variables or a .env file.")
    p.add_argument("--host", default="127.0.0.1",
                   help="interface to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    p.add_argument("--workers", type=int, default=1,
                   help="worker processes, each with its own copy of the model (default 1)")
    p.add_argument("--log-level", choices=LOG_LEVELS, default="info",
                   help="log level; 'info' includes the JSON access log (default info)")
    p.set_defaults(func=run)


def logging_config(level: str) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dict: the JSON access log as bare lines on stdout,
    uvicorn's and the API's other messages on stderr; uvicorn's own access log is off (the
    API logs every request itself, without query strings)."""
    from api.errors import ERROR_LOGGER
    from api.middleware import ACCESS_LOGGER

    upper = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "message": {"format": "%(message)s"},
            "default": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        },
        "handlers": {
            "access": {"class": "logging.StreamHandler", "formatter": "message",
                       "stream": "ext://sys.stdout"},
            "default": {"class": "logging.StreamHandler", "formatter": "default",
                        "stream": "ext://sys.stderr"},
        },
        "loggers": {
            ACCESS_LOGGER: {"handlers": ["access"], "level": upper, "propagate": False},
            ERROR_LOGGER: {"handlers": ["default"], "level": upper, "propagate": False},
            "uvicorn": {"handlers": ["default"], "level": upper, "propagate": False},
            "uvicorn.error": {"level": upper},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


def run(args: argparse.Namespace) -> int:
    """Check the settings, then serve until interrupted; returns the exit code."""
    import uvicorn
    from pydantic import ValidationError

    from api.settings import Settings

    if args.workers < 1:
        raise AnalyzerError("--workers must be at least 1")
    if not 0 <= args.port <= 65535:
        raise AnalyzerError(f"--port must be between 0 and 65535, got {args.port}")
    try:
        Settings()
    except ValidationError as exc:
        raise AnalyzerError("invalid COMPLAINT_ANALYZER_* setting: " + "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from exc
    print(f"complaint-analyzer: serving on http://{args.host}:{args.port} "
          f"(docs at /docs, {args.workers} worker(s))", file=sys.stderr)
    uvicorn.run("api.app:create_app", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_config=logging_config(args.log_level),
                log_level=args.log_level, access_log=False)
    return 0
