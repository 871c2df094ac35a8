"""Uploaded files: which tabular format they are, where they are spooled, what they are called.

Uploads are copied into a private temporary folder (``workspace``) that the caller deletes
once the answer has been sent; nothing is kept after a request.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, TypeVar

from starlette.exceptions import HTTPException

from analyzer.errors import AnalyzerError, InputFileError
from analyzer.tabular import FORMATS, detect_format

T = TypeVar("T")

#: Media type of each tabular format (answers, and uploads without a usable file name).
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
}
_BY_MEDIA_TYPE: dict[str, str] = {
    "text/csv": "csv", "application/csv": "csv", "text/tab-separated-values": "tsv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/x-ndjson": "jsonl", "application/jsonl": "jsonl",
    "application/vnd.apache.parquet": "parquet", "application/x-parquet": "parquet",
}
_UNSAFE = re.compile(r"[^\w.-]+")


def upload_format(filename: str | None, content_type: str | None,
                  allowed: tuple[str, ...] = FORMATS) -> str:
    """The tabular format of an upload, from its file extension or else its media type.

    Raises ``HTTPException(415)`` naming the accepted types when neither identifies one of
    ``allowed``.
    """
    fmt: str | None = None
    if filename and Path(filename).suffix:
        try:
            fmt = detect_format(Path(filename))
        except InputFileError:
            fmt = None
    if fmt is None and content_type:
        fmt = _BY_MEDIA_TYPE.get(content_type.split(";")[0].strip().lower())
    if fmt is None or fmt not in allowed:
        accepted = ", ".join(f".{f} ({MEDIA_TYPES[f].split(';')[0]})" for f in allowed)
        raise HTTPException(415, f"unsupported upload type (file name {filename!r}, media "
                            f"type {content_type!r}); send one of: {accepted}")
    return fmt


def download_name(filename: str | None, fmt: str) -> str:
    """``<stem>.classified.<fmt>`` with a stem safe for a Content-Disposition header."""
    stem = _UNSAFE.sub("_", Path(filename or "upload").stem).strip("._")[:100] or "upload"
    return f"{stem}.classified.{fmt}"


def workspace() -> Path:
    """A new private temporary folder for one request."""
    return Path(tempfile.mkdtemp(prefix="complaint-analyzer-api-"))


def discard(folder: Path) -> None:
    """Delete a folder made by :func:`workspace` with everything in it (never raises)."""
    shutil.rmtree(folder, ignore_errors=True)


def spool(source: IO[bytes], folder: Path, fmt: str) -> Path:
    """Copy an uploaded file object into ``folder`` as ``input.<fmt>``; returns the path."""
    target = folder / f"input.{fmt}"
    source.seek(0)
    with target.open("wb") as out:
        shutil.copyfileobj(source, out, 1 << 20)
    return target


def read_safely(action: Callable[[], T]) -> T:
    """Run ``action`` (which reads an uploaded file); decoding and parsing errors that the
    readers let through become ``InputFileError`` (400), logged as a warning with the
    type and the line that raised (not the message, which may quote the file's content) so
    that a reader bug stays visible. Library errors pass unchanged."""
    try:
        return action()
    except AnalyzerError:
        raise
    except (UnicodeError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        frame = exc.__traceback__
        while frame is not None and frame.tb_next is not None:
            frame = frame.tb_next
        where = (f"{frame.tb_frame.f_code.co_filename}:{frame.tb_lineno}"
                 if frame is not None else "?")
        logging.getLogger("complaint_analyzer.api").warning(
            "unreadable upload: %s raised at %s", type(exc).__name__, where)
        raise InputFileError(f"the uploaded file could not be read: {exc}") from exc
