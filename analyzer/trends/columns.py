"""Find and normalise the columns of classified data (the output of ``classify``).

:func:`resolve_columns` maps roles (text, date, classifier outputs, segments) to column names;
:func:`prepare_rows` turns them into compact arrays: a status per row (complaint,
non-complaint, error), integer codes for cause, type and segments, scores and texts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analyzer.errors import InputFileError
from analyzer.labels import CAUSES, TYPES
from analyzer.trends.names import MISSING_SEGMENT, UNASSIGNED

#: Usual names of the text column, in order of preference (compared case-insensitively).
TEXT_COLUMNS: tuple[str, ...] = (
    "text", "content", "complaint", "review", "comment", "message", "body", "description",
    "complaint_text", "review_text", "内容", "投诉内容", "评论", "评论内容", "留言", "反馈",
    "反馈内容",
)
#: Usual names of the date column, in order of preference (compared case-insensitively).
DATE_COLUMNS: tuple[str, ...] = (
    "date", "created_at", "time", "timestamp", "datetime", "created", "date_received",
    "received_at", "submitted_at", "posted_at", "review_date", "tweet_created", "日期",
    "时间", "投诉时间", "投诉日期", "创建时间", "提交时间", "发布时间", "评论时间", "反馈时间",
    "留言时间",
)
#: Columns that ``classify`` adds (before the optional prefix).
ADDED_COLUMNS: tuple[str, ...] = (
    "is_complaint", "complaint_score", "cause", "cause_score", "secondary_causes", "type",
    "type_score", "language", "keywords", "error",
)
_REQUIRED: tuple[str, ...] = ("is_complaint", "cause", "type")
_TRUE = frozenset({"true", "1", "1.0", "yes", "y", "t", "是"})
_FALSE = frozenset({"false", "0", "0.0", "no", "n", "f", "否", "", "nan", "none", "null"})

#: Row status codes in :class:`PreparedRows`.
COMPLAINT, NON_COMPLAINT, ERROR = 0, 1, 2


@dataclass(frozen=True)
class ColumnMap:
    """Column names per role; ``None`` when an optional role is absent."""

    prefix: str
    is_complaint: str
    cause: str
    type: str
    complaint_score: str | None
    cause_score: str | None
    type_score: str | None
    error: str | None
    text: str | None
    date: str | None
    by: tuple[str, ...]
    text_detected: bool
    date_detected: bool


@dataclass(frozen=True)
class Coded:
    """Integer codes (one per row) into ``labels``."""

    codes: np.ndarray
    labels: tuple[str, ...]


@dataclass(frozen=True)
class PreparedRows:
    """Normalised per-row arrays. Cause and type codes are only meaningful for complaints.

    ``texts`` is positional (index 0..n-1), stripped, with missing texts as empty strings.
    """

    n: int
    status: np.ndarray
    cause: Coded
    type: Coded
    complaint_score: np.ndarray
    cause_score: np.ndarray
    type_score: np.ndarray
    texts: pd.Series | None
    segments: dict[str, Coded]


def _find(columns: Sequence[str], wanted: Sequence[str], exclude: set[str]) -> str | None:
    """The first column whose stripped, lower-cased name is in ``wanted`` (in that order)."""
    by_key: dict[str, str] = {}
    for c in columns:
        if c in exclude:
            continue
        by_key.setdefault(str(c).strip().lower(), c)
    for name in wanted:
        if name.lower() in by_key:
            return by_key[name.lower()]
    return None


def _looks_like_date_column(name: str) -> bool:
    key = str(name).strip().lower()
    return key.endswith(("_date", "_at", "_time", "日期", "时间")) or key.startswith("date")


def resolve_columns(
    frame: pd.DataFrame,
    *,
    prefix: str = "",
    text_column: str | None = None,
    date_column: str | None = None,
    use_dates: bool = True,
    by: Sequence[str] = (),
) -> ColumnMap:
    """Map roles to columns of ``frame``; :class:`InputFileError` says what is missing.

    Given names must exist. The text and date columns are detected by their usual names when
    not given (the date column only if ``use_dates``); a missing text column is allowed (terms
    and verbatims are then skipped), a missing date column means a report without periods.
    """
    columns = [str(c) for c in frame.columns]
    present = set(columns)
    missing = [prefix + name for name in _REQUIRED if prefix + name not in present]
    if missing:
        hint = ""
        guesses = sorted({c[: -len("is_complaint")] for c in columns
                          if c.endswith("is_complaint") and c != "is_complaint"})
        if guesses and not prefix:
            hint = f" (the data seems to use a prefix: pass prefix/--prefix {guesses[0]!r})"
        raise InputFileError(
            f"classified data is missing column(s) {', '.join(missing)}{hint}; run "
            "'complaint-analyzer classify' first, or pass the prefix it used"
        )

    def optional(name: str) -> str | None:
        return prefix + name if prefix + name in present else None

    added = {prefix + name for name in ADDED_COLUMNS}
    for role, name in (("text", text_column), ("date", date_column)):
        if name is not None and name not in present:
            raise InputFileError(
                f"{role} column {name!r} not found; columns are: {', '.join(columns)}"
            )
    for name in by:
        if name not in present:
            raise InputFileError(
                f"segment column {name!r} (by) not found; columns are: {', '.join(columns)}"
            )
        if name in added:
            raise InputFileError(
                f"segment column {name!r} is a classifier output; segment by an original "
                "column such as product, channel or region"
            )

    text = text_column or _find(columns, TEXT_COLUMNS, added)
    date: str | None = None
    if use_dates:
        date = date_column or _find(columns, DATE_COLUMNS, added | {text or ""})
        if date is None:
            date = next((c for c in columns if c not in added and c != text
                         and _looks_like_date_column(c)), None)
    return ColumnMap(
        prefix=prefix,
        is_complaint=prefix + "is_complaint",
        cause=prefix + "cause",
        type=prefix + "type",
        complaint_score=optional("complaint_score"),
        cause_score=optional("cause_score"),
        type_score=optional("type_score"),
        error=optional("error"),
        text=text,
        date=date,
        by=tuple(by),
        text_detected=text_column is None and text is not None,
        date_detected=date_column is None and date is not None,
    )


def _text(series: pd.Series) -> pd.Series:
    """Stripped text; missing values as empty strings."""
    return series.astype(pd.StringDtype("pyarrow")).fillna("").str.strip()


def _flags(series: pd.Series, name: str) -> np.ndarray:
    """``is_complaint`` as booleans; unrecognised values raise :class:`InputFileError`."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.fillna(False).to_numpy(dtype=bool)
    values = _text(series).str.lower()
    codes, uniques = pd.factorize(values)
    lookup = np.zeros(len(uniques), dtype=bool)
    bad: list[str] = []
    for i, u in enumerate(uniques):
        if u in _TRUE:
            lookup[i] = True
        elif u not in _FALSE:
            bad.append(str(u))
    if bad:
        raise InputFileError(
            f"column {name!r} must hold true/false values; found {', '.join(bad[:5])}"
        )
    return lookup[codes]


def _scores(frame: pd.DataFrame, name: str | None) -> np.ndarray:
    if name is None:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _coded(values: pd.Series, known: Sequence[str], empty: str, mask: np.ndarray) -> Coded:
    """Codes of lower-cased label values: the known labels first, then other values seen in
    ``mask`` rows by frequency (``empty`` for blanks last). Rows outside ``mask`` whose value
    is not a label get code -1."""
    text = _text(values).str.lower()
    codes, uniques = pd.factorize(text)
    names = [str(u) or empty for u in uniques]
    counts = np.bincount(codes[mask], minlength=len(names)) if len(names) else np.zeros(0)
    seen = {name: int(counts[i]) for i, name in enumerate(names)}
    extra = sorted((u for u in seen if u not in known and seen[u] > 0),
                   key=lambda u: (u == empty, -seen[u], u))
    labels = tuple(known) + tuple(extra)
    position = {label: i for i, label in enumerate(labels)}
    remap = np.array([position.get(u, -1) for u in names], dtype=np.int64)
    if not len(names):
        return Coded(np.zeros(len(values), dtype=np.int64), labels)
    return Coded(remap[codes], labels)


def _segment(values: pd.Series) -> Coded:
    """Codes of segment values (as text) ordered by frequency; empty as ``(missing)``."""
    text = _text(values)
    text = text.where(text != "", MISSING_SEGMENT)
    codes, uniques = pd.factorize(text)
    counts = np.bincount(codes, minlength=len(uniques))
    order = np.lexsort((np.arange(len(uniques)), -counts))
    rank = np.empty(len(uniques), dtype=np.int64)
    rank[order] = np.arange(len(uniques))
    labels = tuple(str(uniques[i]) for i in order)
    return Coded(rank[codes], labels)


def prepare_rows(frame: pd.DataFrame, columns: ColumnMap) -> PreparedRows:
    """Normalise the classified columns of ``frame`` (see :class:`PreparedRows`)."""
    n = len(frame)
    complaint = _flags(frame[columns.is_complaint], columns.is_complaint)
    status = np.where(complaint, COMPLAINT, NON_COMPLAINT).astype(np.int8)
    if columns.error is not None:
        failed = (_text(frame[columns.error]) != "").to_numpy(dtype=bool)
        status[failed] = ERROR
    texts = None
    if columns.text is not None:
        texts = _text(frame[columns.text]).reset_index(drop=True)
    is_complaint = status == COMPLAINT
    return PreparedRows(
        n=n,
        status=status,
        cause=_coded(frame[columns.cause], CAUSES, UNASSIGNED, is_complaint),
        type=_coded(frame[columns.type], TYPES, UNASSIGNED, is_complaint),
        complaint_score=_scores(frame, columns.complaint_score),
        cause_score=_scores(frame, columns.cause_score),
        type_score=_scores(frame, columns.type_score),
        texts=texts,
        segments={name: _segment(frame[name]) for name in columns.by},
    )
