"""Counting: rows per period and status, complaints per period x cause x type, per segment.

Everything here is vectorised over integer codes (see
:class:`analyzer.trends.columns.PreparedRows`); the undated bucket is period code ``-1`` and
appears as the last period, labelled ``"undated"``, in the tables that include it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analyzer.trends.columns import COMPLAINT, ERROR, NON_COMPLAINT, Coded, PreparedRows
from analyzer.trends.names import ALL
from analyzer.trends.report import Table


def grid_counts(codes: Sequence[np.ndarray], sizes: Sequence[int], mask: np.ndarray) -> np.ndarray:
    """Counts of rows in ``mask`` over the product of code ranges (shape ``sizes``).

    Every code must lie in ``[0, size)`` for the masked rows.
    """
    shape = tuple(int(s) for s in sizes)
    if not mask.any() or 0 in shape:
        return np.zeros(shape, dtype=np.int64)
    selected = [np.asarray(c)[mask].astype(np.int64) for c in codes]
    flat = np.ravel_multi_index(selected, shape)
    return np.bincount(flat, minlength=int(np.prod(shape))).reshape(shape)


def period_slots(period_codes: np.ndarray, n_periods: int) -> np.ndarray:
    """Period codes with the undated bucket (``-1``) moved to slot ``n_periods``."""
    return np.where(period_codes < 0, n_periods, period_codes)


def _share(counts: np.ndarray, totals: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(totals > 0, counts / np.maximum(totals, 1), np.nan)


def period_totals_table(rows: PreparedRows, slots: np.ndarray, labels: Sequence[str]) -> Table:
    """Rows, errors, non-complaints and complaints per period (``labels`` incl. undated)."""
    everyone = np.ones(rows.n, dtype=bool)
    grid = grid_counts([slots, rows.status], [len(labels), 3], everyone)
    total = grid.sum(axis=1)
    valid = total - grid[:, ERROR]
    return Table.from_columns(
        "period_totals",
        "Input rows per period: every row counted once (errors = rows the classifier could "
        "not process). complaint_rate = complaints / (rows - errors).",
        {
            "period": list(labels),
            "rows": total,
            "errors": grid[:, ERROR],
            "non_complaints": grid[:, NON_COMPLAINT],
            "complaints": grid[:, COMPLAINT],
            "complaint_rate": _share(grid[:, COMPLAINT], valid),
        },
    )


def complaint_cube(rows: PreparedRows, slots: np.ndarray, n_slots: int) -> np.ndarray:
    """Complaints per period slot x cause x type."""
    complaints = rows.status == COMPLAINT
    return grid_counts(
        [slots, rows.cause.codes, rows.type.codes],
        [n_slots, len(rows.cause.labels), len(rows.type.labels)],
        complaints,
    )


def volumes_table(cube: np.ndarray, labels: Sequence[str], causes: Sequence[str],
                  types: Sequence[str]) -> Table:
    """Long table period x cause x type with count and share of the period's complaints."""
    p, c, t = cube.shape
    per_period = cube.sum(axis=(1, 2))
    period_idx, cause_idx, type_idx = np.meshgrid(
        np.arange(p), np.arange(c), np.arange(t), indexing="ij"
    )
    counts = cube.ravel()
    return Table.from_columns(
        "volumes",
        "Complaints per period x cause x type; share = count / complaints in the period.",
        {
            "period": np.asarray(labels, dtype=object)[period_idx.ravel()],
            "cause": np.asarray(causes, dtype=object)[cause_idx.ravel()],
            "type": np.asarray(types, dtype=object)[type_idx.ravel()],
            "count": counts,
            "share": _share(counts, per_period[period_idx.ravel()]),
        },
    )


def totals_table(cube: np.ndarray, causes: Sequence[str], types: Sequence[str]) -> Table:
    """Complaints per cause x type over all periods (undated included)."""
    matrix = cube.sum(axis=0)
    total = matrix.sum()
    cause_idx, type_idx = np.meshgrid(np.arange(len(causes)), np.arange(len(types)),
                                      indexing="ij")
    counts = matrix.ravel()
    return Table.from_columns(
        "totals",
        "Complaints per cause x type over all rows; share = count / all complaints.",
        {
            "cause": np.asarray(causes, dtype=object)[cause_idx.ravel()],
            "type": np.asarray(types, dtype=object)[type_idx.ravel()],
            "count": counts,
            "share": _share(counts, np.full(counts.shape, total)),
        },
    )


def trend_table(name: str, dimension: str, labels: Sequence[str], periods: Sequence[str],
                counts: np.ndarray, totals: np.ndarray, previous: np.ndarray,
                expected: np.ndarray, ratio: np.ndarray, p_value: np.ndarray,
                q_value: np.ndarray, alert: np.ndarray) -> Table:
    """Long table period x label with change vs the previous period and vs the baseline.

    All arrays are label x period; ``totals`` are complaints per period.
    """
    n_labels, n_periods = counts.shape
    period_idx = np.repeat(np.arange(n_periods), n_labels)  # period-major: every label
    label_idx = np.tile(np.arange(n_labels), n_periods)
    observed = counts[label_idx, period_idx]
    prev = previous[label_idx, period_idx]
    with np.errstate(divide="ignore", invalid="ignore"):
        change = observed - prev
        change_pct = np.where(prev > 0, change / prev, np.nan)
    return Table.from_columns(
        name,
        f"Complaints per period x {dimension}: share of the period's complaints, change vs "
        "the previous period, expected count from the trailing baseline, ratio "
        "observed/expected, p-value and Benjamini-Hochberg q-value of the rise (empty when "
        "not tested), alert = significant rise.",
        {
            "period": np.asarray(periods, dtype=object)[period_idx],
            dimension: np.asarray(labels, dtype=object)[label_idx],
            "count": observed.astype(np.int64),
            "share": _share(observed, totals[period_idx]),
            "previous": prev,
            "change": change,
            "change_pct": change_pct,
            "expected": expected[label_idx, period_idx],
            "ratio": ratio[label_idx, period_idx],
            "p_value": p_value[label_idx, period_idx],
            "q_value": q_value[label_idx, period_idx],
            "alert": alert[label_idx, period_idx],
        },
    )


def segment_summary_table(rows: PreparedRows) -> Table:
    """Rows, errors, non-complaints and complaints per segment column and value."""
    everyone = np.ones(rows.n, dtype=bool)
    data: dict[str, list[object]] = {k: [] for k in (
        "column", "value", "rows", "errors", "non_complaints", "complaints")}
    for column, seg in rows.segments.items():
        grid = grid_counts([seg.codes, rows.status], [len(seg.labels), 3], everyone)
        data["column"] += [column] * len(seg.labels)
        data["value"] += list(seg.labels)
        data["rows"] += grid.sum(axis=1).tolist()
        data["errors"] += grid[:, ERROR].tolist()
        data["non_complaints"] += grid[:, NON_COMPLAINT].tolist()
        data["complaints"] += grid[:, COMPLAINT].tolist()
    return Table.from_columns(
        "segment_summary",
        "Input rows per segment value (every row counted once per segment column).",
        data,
    )


def _sparse_counts(codes: Sequence[np.ndarray], sizes: Sequence[int],
                   mask: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Non-zero cells of a (possibly huge) count grid: per-dimension codes and counts."""
    if not mask.any():
        return [np.zeros(0, dtype=np.int64) for _ in codes], np.zeros(0, dtype=np.int64)
    selected = [np.asarray(c)[mask].astype(np.int64) for c in codes]
    flat = np.ravel_multi_index(selected, tuple(int(s) for s in sizes))
    keys, counts = np.unique(flat, return_counts=True)
    return list(np.unravel_index(keys, tuple(int(s) for s in sizes))), counts


def segment_totals_table(rows: PreparedRows) -> Table:
    """Complaints per segment value x cause x type (non-zero cells) and share in the value."""
    complaints = rows.status == COMPLAINT
    causes = np.asarray(rows.cause.labels, dtype=object)
    types = np.asarray(rows.type.labels, dtype=object)
    parts: dict[str, list[object]] = {k: [] for k in (
        "column", "value", "cause", "type", "count", "share")}
    for column, seg in rows.segments.items():
        sizes = [len(seg.labels), len(causes), len(types)]
        (v, c, t), counts = _sparse_counts(
            [seg.codes, rows.cause.codes, rows.type.codes], sizes, complaints)
        per_value = np.bincount(v, weights=counts, minlength=len(seg.labels))
        labels = np.asarray(seg.labels, dtype=object)
        parts["column"] += [column] * len(counts)
        parts["value"] += labels[v].tolist()
        parts["cause"] += causes[c].tolist()
        parts["type"] += types[t].tolist()
        parts["count"] += counts.tolist()
        parts["share"] += _share(counts, per_value[v]).tolist()
    return Table.from_columns(
        "segment_totals",
        "Complaints per segment value x cause x type (cells with complaints only); share = "
        "count / complaints of that segment value.",
        parts,
    )


def segment_volumes_table(rows: PreparedRows, slots: np.ndarray,
                          labels: Sequence[str]) -> Table:
    """Complaints per segment value x period x cause x type (non-zero cells only)."""
    complaints = rows.status == COMPLAINT
    causes = np.asarray(rows.cause.labels, dtype=object)
    types = np.asarray(rows.type.labels, dtype=object)
    periods = np.asarray(labels, dtype=object)
    parts: dict[str, list[object]] = {k: [] for k in (
        "column", "value", "period", "cause", "type", "count", "share")}
    for column, seg in rows.segments.items():
        sizes = [len(seg.labels), len(periods), len(causes), len(types)]
        (v, p, c, t), counts = _sparse_counts(
            [seg.codes, slots, rows.cause.codes, rows.type.codes], sizes, complaints)
        cell = v * len(periods) + p
        per_cell = np.bincount(cell, weights=counts, minlength=len(seg.labels) * len(periods))
        values = np.asarray(seg.labels, dtype=object)
        parts["column"] += [column] * len(counts)
        parts["value"] += values[v].tolist()
        parts["period"] += periods[p].tolist()
        parts["cause"] += causes[c].tolist()
        parts["type"] += types[t].tolist()
        parts["count"] += counts.tolist()
        parts["share"] += _share(counts, per_cell[cell]).tolist()
    return Table.from_columns(
        "segment_volumes",
        "Complaints per segment value x period x cause x type (cells with complaints only); "
        "share = count / complaints of that segment value in that period.",
        parts,
    )


def series_labels(causes: Sequence[str], types: Sequence[str]) -> list[tuple[str, str]]:
    """``(dimension, label)`` of the tested series: all complaints, each cause, each type."""
    return [("all", ALL)] + [("cause", c) for c in causes] + [("type", t) for t in types]


def series_counts(rows: PreparedRows, period_codes: np.ndarray, n_periods: int,
                  segment: Coded | None = None, n_values: int = 1) -> np.ndarray:
    """Dated complaint counts per series (see :func:`series_labels`) and period.

    Without ``segment``: shape ``(G, P)``. With it: ``(n_values * G, P)`` for the first
    ``n_values`` segment codes, value-major (all series of value 0, then value 1, ...).
    """
    dated = (rows.status == COMPLAINT) & (period_codes >= 0)
    if segment is None:
        seg_codes = np.zeros(rows.n, dtype=np.int64)
        n_values = 1
    else:
        seg_codes = segment.codes
        dated &= seg_codes < n_values
    n_causes, n_types = len(rows.cause.labels), len(rows.type.labels)
    every = grid_counts([seg_codes, period_codes], [n_values, n_periods], dated)
    by_cause = grid_counts([seg_codes, rows.cause.codes, period_codes],
                           [n_values, n_causes, n_periods], dated)
    by_type = grid_counts([seg_codes, rows.type.codes, period_codes],
                          [n_values, n_types, n_periods], dated)
    stacked = np.concatenate([every[:, None, :], by_cause, by_type], axis=1)
    return stacked.reshape(n_values * (1 + n_causes + n_types), n_periods)

