"""``aggregate``: classified rows in, a frozen :class:`TrendReport` out.

The function is pure: it reads the DataFrame (never modifies it), uses no global state and
returns a new report. Randomness (document sampling for terms) uses ``config.seed``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analyzer.errors import InvalidInputError
from analyzer.trends.columns import (
    COMPLAINT,
    ERROR,
    NON_COMPLAINT,
    PreparedRows,
    prepare_rows,
    resolve_columns,
)
from analyzer.trends.config import ImpactAssumptions, TrendConfig
from analyzer.trends.dates import PeriodGrid, check_freq, parse_dates, period_grid
from analyzer.trends.impact import estimate_impact
from analyzer.trends.names import UNDATED
from analyzer.trends.report import (
    Alert,
    PeriodInfo,
    RowCounts,
    Table,
    TermList,
    TrendReport,
    Verbatim,
)
from analyzer.trends.spikes import SEVERITIES, adjust_family, is_alert, score_series, severity
from analyzer.trends.terms import TokenCache, Tokenizer, sample_rows, top_terms
from analyzer.trends.verbatims import representative
from analyzer.trends.volumes import (
    complaint_cube,
    period_slots,
    period_totals_table,
    segment_summary_table,
    segment_totals_table,
    segment_volumes_table,
    series_counts,
    series_labels,
    totals_table,
    trend_table,
    volumes_table,
)


@dataclass(frozen=True)
class _Family:
    """Tested series of one scope: overall (``column is None``) or one segment column."""

    column: str | None
    values: tuple[str, ...]
    series: tuple[tuple[str, str], ...]
    counts: np.ndarray
    expected: np.ndarray
    previous: np.ndarray
    baseline_n: np.ndarray
    ratio: np.ndarray
    p_value: np.ndarray
    q_value: np.ndarray
    alert: np.ndarray


def aggregate(
    frame: pd.DataFrame,
    date_column: str | None = None,
    freq: str = "W",
    by: Sequence[str] | str = (),
    *,
    prefix: str = "",
    text_column: str | None = None,
    use_dates: bool = True,
    dayfirst: bool | None = None,
    tokenizer: Tokenizer | None = None,
    config: TrendConfig | None = None,
    impact: ImpactAssumptions | None = None,
) -> TrendReport:
    """Volumes, shares, rises, emerging terms, verbatims and impact of classified complaints.

    Parameters
    ----------
    frame:
        Output of ``classify``: the original columns plus ``is_complaint``, ``cause``,
        ``type`` (required), ``complaint_score``, ``cause_score``, ``type_score`` and
        ``error`` (optional), all named with ``prefix``. Not modified.
    date_column:
        Column with the complaint date; ``None`` detects a usual name (``date``,
        ``created_at``, ``时间`` ...). Set ``use_dates=False`` to ignore dates altogether.
    freq:
        Period length: ``D``, ``W`` (Monday-Sunday), ``M`` or ``Q``.
    by:
        Segment columns (names, or one comma-separated string) for per-segment breakdowns
        and alerts.
    text_column:
        Column with the complaint text (detected when ``None``); without one, terms and
        verbatims are skipped and the report says so.
    dayfirst:
        Force ``dd/mm/yyyy`` (True) or ``mm/dd/yyyy`` (False); ``None`` decides from data.
    tokenizer:
        Text -> tokens for the terms, normally ``analyzer.segmentation.Segmenter().segment``
        (the default, created on first use); tests may pass something cheaper.
    config, impact:
        Statistics and impact multipliers (defaults: :class:`TrendConfig`,
        :class:`ImpactAssumptions`).

    Every input row is counted exactly once: ``counts.dated + counts.undated == counts.total``
    and ``complaints + non_complaints + errors == total``; rows with a non-empty ``error`` are
    counted separately and never as complaints. Raises :class:`InputFileError` for missing or
    malformed columns and :class:`InvalidInputError` for bad arguments.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InvalidInputError(f"aggregate needs a pandas DataFrame, got {type(frame).__name__}")
    config = config or TrendConfig()
    assumptions = impact or ImpactAssumptions()
    freq = check_freq(freq)
    if isinstance(by, str):
        by = tuple(part.strip() for part in by.split(",") if part.strip())
    by = tuple(dict.fromkeys(by))
    columns = resolve_columns(frame, prefix=prefix, text_column=text_column,
                              date_column=date_column, use_dates=use_dates, by=by)
    rows = prepare_rows(frame, columns)
    notes: list[str] = []

    if columns.date_detected:
        notes.append(f"Dates are read from column {columns.date!r} (detected by its name; "
                     "pass date_column / --date-column to choose another).")
    if columns.text_detected:
        notes.append(f"Texts are read from column {columns.text!r} (detected by its name).")
    grid = _periods(frame, columns.date, freq, dayfirst, notes, use_dates)
    has_dates = len(grid.labels) > 0
    n_periods = len(grid.labels)
    slots = period_slots(grid.codes, n_periods)
    slot_labels = [*grid.labels, UNDATED]
    causes, types = rows.cause.labels, rows.type.labels
    cube = complaint_cube(rows, slots, n_periods + 1)

    counts = _row_counts(rows, grid)
    if not counts.total:
        notes.append("The input has no rows.")
    if counts.errors:
        notes.append(f"{counts.errors} row(s) have a classifier error; they are counted "
                     "separately and never as complaints.")
    if columns.text is None:
        notes.append("No text column found (looked for text, content, complaint, review, "
                     "内容, 投诉内容 ...): emerging terms and verbatims are left out; pass "
                     "text_column / --text-column.")

    tables: list[Table] = [
        totals_table(cube, causes, types),
        period_totals_table(rows, slots, slot_labels),
    ]
    families = _test_families(rows, grid, by, config, notes) if has_dates else []
    if has_dates:
        tables.append(volumes_table(cube, slot_labels, causes, types))
        overall = families[0]
        g = len(overall.series)
        for name, part in (("cause_trends", slice(1, 1 + len(causes))),
                           ("type_trends", slice(1 + len(causes), g))):
            dimension = "cause" if name == "cause_trends" else "type"
            labels = [label for _, label in overall.series[part]]
            tables.append(trend_table(
                name, dimension, labels, grid.labels, overall.counts[part],
                overall.counts[0], overall.previous[part], overall.expected[part],
                overall.ratio[part], overall.p_value[part], overall.q_value[part],
                overall.alert[part]))
    if by:
        tables += [segment_summary_table(rows), segment_totals_table(rows),
                   segment_volumes_table(rows, slots, slot_labels)]

    alerts = _alerts(families, grid, config, notes)
    alerts = _with_verbatims(alerts, rows, grid, config)

    latest = int(grid.codes.max()) if has_dates else None
    latest_label = grid.labels[latest] if latest is not None else None
    verbatims = _cause_verbatims(rows, grid, latest, config)
    terms = _terms(rows, columns.by, grid, latest, tokenizer, config, notes)
    impact_section = estimate_impact(
        cube.sum(axis=0), causes, types, assumptions,
        latest=(latest_label, cube[latest]) if latest is not None else None,
    )
    tables.append(impact_section.per_cause)

    periods = tuple(
        PeriodInfo(label, start, end, round(float(cov), 4))
        for label, start, end, cov in zip(grid.labels, grid.starts, grid.ends, grid.coverage,
                                          strict=True)
    )
    return TrendReport(
        has_dates=has_dates,
        freq=freq if has_dates else None,
        date_column=columns.date,
        text_column=columns.text,
        prefix=prefix,
        by=by,
        counts=counts,
        periods=periods,
        latest_period=latest_label,
        causes=causes,
        types=types,
        notes=tuple(notes),
        tables=tuple(tables),
        alerts=alerts,
        terms=terms,
        verbatims=verbatims,
        impact=impact_section,
        config=config,
    )


def _periods(frame: pd.DataFrame, column: str | None, freq: str, dayfirst: bool | None,
             notes: list[str], use_dates: bool) -> PeriodGrid:
    """The period grid of the date column (empty without one), with notes about it."""
    if column is None:
        why = ("Dates are ignored (no-dates mode)" if not use_dates else
               "No date column found (looked for date, created_at, time, timestamp, 日期, "
               "时间 ...)")
        notes.append(f"{why}: the report has totals and segment breakdowns only, without "
                     "trends, alerts or emerging terms (terms distinctive of each cause are "
                     "shown instead). Pass date_column / --date-column to enable them.")
        return period_grid(pd.Series(pd.NaT, index=range(len(frame)),
                                     dtype="datetime64[ns]"), freq)
    dates = parse_dates(frame[column].reset_index(drop=True), dayfirst=dayfirst)
    grid = period_grid(dates, freq)
    undated = int((grid.codes < 0).sum())
    if not grid.labels and len(frame):
        notes.append(f"No value of date column {column!r} could be read as a date: all rows "
                     "are undated, so the report has totals and segment breakdowns only.")
    elif undated:
        notes.append(f"{undated} row(s) have no usable date in column {column!r}; they are "
                     f"counted in the '{UNDATED}' bucket, not dropped.")
    return grid


def _row_counts(rows: PreparedRows, grid: PeriodGrid) -> RowCounts:
    dated = int((grid.codes >= 0).sum())
    status = np.bincount(rows.status, minlength=3)
    return RowCounts(
        total=rows.n, dated=dated, undated=rows.n - dated,
        complaints=int(status[COMPLAINT]), non_complaints=int(status[NON_COMPLAINT]),
        errors=int(status[ERROR]),
    )


def _test_families(rows: PreparedRows, grid: PeriodGrid, by: Sequence[str],
                   config: TrendConfig, notes: list[str]) -> list[_Family]:
    """Counts and tests of every series: overall first, then per segment column (largest
    ``max_test_segments`` values). Benjamini-Hochberg runs over all tests together."""
    scopes: list[tuple[str | None, tuple[str, ...]]] = [(None, ("",))]
    for column in by:
        labels = rows.segments[column].labels
        n_values = min(len(labels), config.max_test_segments)
        scopes.append((column, labels[:n_values]))
        if len(labels) > n_values:
            notes.append(f"Segment column {column!r} has {len(labels)} values; rises are "
                         f"tested for the {n_values} largest only (all are counted).")
    series = tuple(series_labels(rows.cause.labels, rows.type.labels))
    tests = []
    for column, values in scopes:
        seg = rows.segments[column] if column is not None else None
        counts = series_counts(rows, grid.codes, len(grid.labels), seg, len(values))
        tests.append(score_series(counts, grid.coverage, config))
    q_values = adjust_family(tests)
    return [
        _Family(
            column=column, values=values, series=series, counts=t.counts,
            expected=t.expected, previous=t.previous, baseline_n=t.baseline_n,
            ratio=t.ratio, p_value=t.p_value, q_value=q, alert=is_alert(t, q, config),
        )
        for (column, values), t, q in zip(scopes, tests, q_values, strict=True)
    ]


def _alerts(families: list[_Family], grid: PeriodGrid, config: TrendConfig,
            notes: list[str]) -> list[Alert]:
    """Alerts of every family, most recent period first, then most severe."""
    found: list[tuple[int, Alert]] = []
    for family in families:
        g = len(family.series)
        for row, t in zip(*np.nonzero(family.alert), strict=True):
            value_idx, series_idx = divmod(int(row), g)
            dimension, label = family.series[series_idx]
            q = float(family.q_value[row, t])
            ratio = float(family.ratio[row, t])
            previous = family.previous[row, t]
            found.append((int(t), Alert(
                dimension=dimension,
                label=label,
                segment_column=family.column,
                segment_value=family.values[value_idx] if family.column else None,
                period=grid.labels[t],
                observed=int(family.counts[row, t]),
                expected=round(float(family.expected[row, t]), 3),
                previous=None if np.isnan(previous) else int(previous),
                ratio=round(ratio, 3),
                p_value=float(family.p_value[row, t]),
                q_value=q,
                severity=severity(ratio, q, config.alpha),
                baseline_periods=int(family.baseline_n[row, t]),
            )))
    found.sort(key=lambda item: (-item[0], SEVERITIES.index(item[1].severity),
                                 item[1].q_value, -item[1].observed, item[1].scope,
                                 item[1].dimension, item[1].label))
    if len(found) > config.max_alerts:
        notes.append(f"{len(found)} alerts found; the report keeps the first "
                     f"{config.max_alerts} (most recent and most severe).")
    return [a for _, a in found[: config.max_alerts]]


def _alert_mask(alert: Alert, rows: PreparedRows, grid: PeriodGrid) -> tuple[np.ndarray,
                                                                             np.ndarray]:
    """Rows behind an alert, and the scores that rank them."""
    period = grid.labels.index(alert.period)
    mask = (rows.status == COMPLAINT) & (grid.codes == period)
    scores = rows.complaint_score
    if alert.dimension == "cause":
        mask &= rows.cause.codes == rows.cause.labels.index(alert.label)
        scores = rows.cause_score
    elif alert.dimension == "type":
        mask &= rows.type.codes == rows.type.labels.index(alert.label)
        scores = rows.type_score
    if alert.segment_column is not None:
        seg = rows.segments[alert.segment_column]
        mask &= seg.codes == seg.labels.index(str(alert.segment_value))
    return mask, scores


def _with_verbatims(alerts: list[Alert], rows: PreparedRows, grid: PeriodGrid,
                    config: TrendConfig) -> tuple[Alert, ...]:
    out: list[Alert] = []
    labels = [*grid.labels, UNDATED]
    for i, alert in enumerate(alerts):
        if i < config.max_alert_verbatims and rows.texts is not None:
            mask, scores = _alert_mask(alert, rows, grid)
            picked = representative(rows, mask, scores, config.verbatims_per_alert,
                                    period_of=grid.codes, period_labels=labels,
                                    max_chars=config.max_text_chars)
            alert = dataclasses.replace(alert, verbatims=picked)
        out.append(alert)
    return tuple(out)


def _cause_verbatims(rows: PreparedRows, grid: PeriodGrid, latest: int | None,
                     config: TrendConfig) -> tuple[Verbatim, ...]:
    """Per cause: highest-confidence complaints of the latest period, topped up from all."""
    if rows.texts is None:
        return ()
    labels = [*grid.labels, UNDATED]
    out: list[Verbatim] = []
    complaints = rows.status == COMPLAINT
    for code, _cause in enumerate(rows.cause.labels):
        mask = complaints & (rows.cause.codes == code)
        k = config.verbatims_per_cause
        picked: tuple[Verbatim, ...] = ()
        if latest is not None:
            picked = representative(rows, mask & (grid.codes == latest), rows.cause_score, k,
                                    period_of=grid.codes, period_labels=labels,
                                    max_chars=config.max_text_chars)
        if len(picked) < k:
            rest = mask.copy()
            rest[[v.row for v in picked]] = False
            more = representative(rows, rest, rows.cause_score, k, period_of=grid.codes,
                                  period_labels=labels, max_chars=config.max_text_chars)
            seen = {v.text for v in picked}
            picked += tuple(v for v in more if v.text not in seen)[: k - len(picked)]
        out.extend(picked)
    return tuple(out)


@dataclass(frozen=True)
class _TermJob:
    cause: str
    segment_column: str | None
    segment_value: str | None
    focus_rows: np.ndarray
    reference_rows: np.ndarray
    focus_total: int
    reference_total: int
    sampled: bool


def _terms(rows: PreparedRows, by: Sequence[str], grid: PeriodGrid, latest: int | None,
           tokenizer: Tokenizer | None, config: TrendConfig,
           notes: list[str]) -> tuple[TermList, ...]:
    """Emerging terms (latest period vs baseline) per cause, or distinctive terms per cause
    (vs the other causes) without dates; per segment value too when configured."""
    if rows.texts is None or config.top_terms == 0:
        return ()
    rng = np.random.default_rng(config.seed)
    complaints = rows.status == COMPLAINT
    if latest is not None:
        first = max(0, latest - config.baseline_periods)
        focus_all = complaints & (grid.codes == latest)
        reference_all = complaints & (grid.codes >= first) & (grid.codes < latest)
        kind = "emerging"
        focus_desc = grid.labels[latest]
        reference_desc = (f"{grid.labels[first]} to {grid.labels[latest - 1]}"
                          if latest > 0 else "none")
    else:
        focus_all = complaints
        reference_all = complaints
        kind = "distinctive"
        focus_desc = "this cause"
        reference_desc = "other causes"

    def job(cause_code: int, limit: int, column: str | None = None,
            value_code: int | None = None) -> _TermJob:
        in_cause = rows.cause.codes == cause_code
        focus = focus_all & in_cause
        reference = reference_all & (in_cause if kind == "emerging" else ~in_cause)
        value = None
        if column is not None and value_code is not None:
            in_value = rows.segments[column].codes == value_code
            focus, reference = focus & in_value, reference & in_value
            value = rows.segments[column].labels[value_code]
        f_rows, r_rows = np.flatnonzero(focus), np.flatnonzero(reference)
        f_sample, f_cut = sample_rows(f_rows, limit, rng)
        r_sample, r_cut = sample_rows(r_rows, limit, rng)
        return _TermJob(rows.cause.labels[cause_code], column, value, f_sample, r_sample,
                        len(f_rows), len(r_rows), f_cut or r_cut)

    jobs = [job(c, config.max_term_documents) for c in range(len(rows.cause.labels))]
    if config.terms_by_segment:
        for column in by:
            seg = rows.segments[column]
            volume = np.bincount(seg.codes[focus_all], minlength=len(seg.labels))
            top = [int(v) for v in np.argsort(-volume, kind="stable")[: config.max_term_segments]
                   if volume[v] > 0]
            jobs += [job(c, config.segment_term_documents, column, v)
                     for v in top for c in range(len(rows.cause.labels))]
    jobs = [j for j in jobs if j.focus_total > 0]
    if not jobs:
        return ()

    if tokenizer is None:
        from analyzer.segmentation import Segmenter

        tokenizer = Segmenter().segment
    from analyzer.resources import stopwords

    cache = TokenCache(rows.texts, tokenizer, stopwords())
    for j in jobs:
        cache.documents(j.focus_rows)
        cache.documents(j.reference_rows)
    background = cache.background()

    out: list[TermList] = []
    for j in jobs:
        enough = min(len(j.focus_rows), len(j.reference_rows)) >= config.min_term_documents
        terms = top_terms(cache.documents(j.focus_rows), cache.documents(j.reference_rows),
                          background, prior_strength=config.term_prior_strength,
                          top=config.top_terms, min_z=config.term_z,
                          min_count=config.min_term_count) if enough else ()
        out.append(TermList(kind=kind, cause=j.cause, segment_column=j.segment_column,
                            segment_value=j.segment_value, focus=focus_desc,
                            reference=reference_desc, focus_documents=j.focus_total,
                            reference_documents=j.reference_total, sampled=j.sampled,
                            terms=terms))
    if any(t.sampled for t in out):
        notes.append("Terms were computed on random samples of at most "
                     f"{config.max_term_documents} texts per side (seed {config.seed}).")
    return tuple(out)


__all__ = ["aggregate"]
