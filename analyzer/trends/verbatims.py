"""Representative complaints: the highest-confidence texts of a group, duplicates removed."""

from __future__ import annotations

import math

import numpy as np

from analyzer.trends.columns import PreparedRows
from analyzer.trends.report import Verbatim

_ELLIPSIS = "…"


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + _ELLIPSIS


def pick_rows(mask: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the best rows in ``mask`` by ``scores`` (NaN last, then by position):
    about ``4k + 64`` candidates, enough for :func:`representative` to drop duplicates."""
    rows = np.flatnonzero(mask)
    if k <= 0 or rows.size == 0:
        return rows[:0]
    keyed = np.nan_to_num(scores[rows], nan=-np.inf)
    if rows.size > 4 * k + 64:
        head = np.argpartition(-keyed, 4 * k + 63)[: 4 * k + 64]
        rows, keyed = rows[head], keyed[head]
    order = np.lexsort((rows, -keyed))
    return rows[order]


def representative(
    rows: PreparedRows,
    mask: np.ndarray,
    scores: np.ndarray,
    k: int,
    *,
    period_of: np.ndarray,
    period_labels: list[str],
    max_chars: int,
) -> tuple[Verbatim, ...]:
    """Up to ``k`` distinct non-empty texts among ``mask`` rows, highest ``scores`` first.

    ``period_of[i]`` is row ``i``'s period label index (``-1``: undated, labelled by the
    last entry of ``period_labels``).
    """
    if rows.texts is None or k <= 0:
        return ()
    candidates = pick_rows(mask, scores, k)
    texts = rows.texts.iloc[candidates].tolist() if candidates.size else []
    seen: set[str] = set()
    out: list[Verbatim] = []
    for row, text in zip(candidates.tolist(), texts, strict=True):
        key = " ".join(str(text).lower().split())
        if not key or key in seen:
            continue
        seen.add(key)
        score = float(scores[row])
        cause = rows.cause.labels[rows.cause.codes[row]] if rows.cause.codes[row] >= 0 else ""
        kind = rows.type.labels[rows.type.codes[row]] if rows.type.codes[row] >= 0 else ""
        out.append(Verbatim(
            row=int(row),
            text=shorten(str(text), max_chars),
            cause=cause,
            type=kind,
            score=None if math.isnan(score) else round(score, 4),
            period=period_labels[int(period_of[row])],
            segments=tuple((name, seg.labels[seg.codes[row]])
                           for name, seg in rows.segments.items()),
        ))
        if len(out) >= k:
            break
    return tuple(out)
