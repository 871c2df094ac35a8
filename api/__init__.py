"""HTTP API of complaint-analyzer: a thin FastAPI adapter over :mod:`analyzer`.

``create_app(settings=None, analyzer=None)`` builds the app (see :mod:`api.app`);
``Settings`` reads ``COMPLAINT_ANALYZER_*`` environment variables and ``.env``.
"""

from __future__ import annotations

from api.app import create_app
from api.settings import Settings

__all__ = ["Settings", "create_app"]
