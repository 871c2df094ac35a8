"""PNG charts of a :class:`TrendReport` with matplotlib's object API (no pyplot state).

Chart text is ASCII English only, because CJK fonts may be missing where reports are
rendered; non-ASCII segment values are shown by rank (the HTML tables next to the charts
give the full values).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from analyzer.trends.names import ALL, english
from analyzer.trends.report import TrendReport

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_PALETTE: tuple[str, ...] = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#9c755f", "#76b7b2", "#edc948",
    "#ff9da7", "#bab0ac",
)
_TYPE_PALETTE: tuple[str, ...] = ("#1b9e77", "#d95f02", "#7570b3", "#999999", "#66a61e")
_ALERT = "#d62728"
_TOP_SEGMENTS = 10
_LEGEND = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "fontsize": 8, "frameon": False}


def ascii_label(text: str, limit: int = 28) -> str:
    """``text`` with non-ASCII characters dropped, shortened; ``""`` if nothing readable."""
    cleaned = re.sub(r"[^\x20-\x7e]+", " ", str(text))
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    if not re.search(r"[A-Za-z0-9]", cleaned):
        return ""
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 3] + "..."


def _name(value: str) -> str:
    """ASCII English name of a label value for chart text."""
    return ascii_label(english(value)) or "other"


def segment_tick(rank: int, value: str) -> str:
    """Chart label of the ``rank``-th (1-based) segment value."""
    readable = ascii_label(value)
    return f"{rank}. {readable}" if readable else f"{rank}. (see table)"


def _figure(width: float = 10.0, height: float = 4.2) -> tuple[Figure, Axes]:
    """A new figure on its own Agg canvas (no pyplot, no global state) and its axes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", alpha=0.3)
    return fig, ax


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _period_axis(ax: Axes, labels: Sequence[str]) -> None:
    step = max(1, int(np.ceil(len(labels) / 12)))
    ticks = list(range(0, len(labels), step))
    ax.set_xticks(ticks)
    ax.set_xticklabels([labels[i] for i in ticks], rotation=30, ha="right", fontsize=8)
    ax.set_xlim(-0.5, max(len(labels) - 0.5, 0.5))


def _pivot(report: TrendReport, table: str, key: str, labels: Sequence[str],
           value: str = "count") -> np.ndarray:
    """label x period matrix of ``value`` from a period-major trend table."""
    periods = [p.label for p in report.periods]
    position = {p: i for i, p in enumerate(periods)}
    index = {label: i for i, label in enumerate(labels)}
    out = np.zeros((len(labels), len(periods)))
    t = report.table(table)
    for period, label, v in zip(t.column("period"), t.column(key), t.column(value),
                                strict=True):
        out[index[str(label)], position[str(period)]] = float(v or 0.0)
    return out


def causes_over_time(report: TrendReport) -> bytes:
    """Stacked areas of complaints per cause and period; overall alerts marked."""
    periods = [p.label for p in report.periods]
    causes = list(report.causes)
    matrix = _pivot(report, "cause_trends", "cause", causes)
    fig, ax = _figure()
    x = np.arange(len(periods))
    ax.stackplot(x, matrix, labels=[_name(c) for c in causes],
                 colors=_PALETTE[: len(causes)], alpha=0.85)
    cumulative = matrix.cumsum(axis=0)
    total = matrix.sum(axis=0)
    ax.plot(x, total, color="#333333", linewidth=1.0, label="All complaints")
    marked = False
    for alert in report.alerts:
        if alert.segment_column is not None or alert.period not in periods:
            continue
        t = periods.index(alert.period)
        if alert.dimension == "cause":
            y = cumulative[causes.index(alert.label), t]
        elif alert.dimension == ALL:
            y = total[t]
        else:
            continue
        ax.scatter([t], [y], marker="v", s=90, color=_ALERT, zorder=5,
                   label=None if marked else "Significant rise")
        marked = True
    ax.set_title("Complaints by cause over time (red marks: significant rises)")
    ax.set_ylabel("complaints")
    _period_axis(ax, periods)
    ax.legend(**_LEGEND)
    return _png(fig)


def type_mix(report: TrendReport) -> bytes:
    """100% stacked areas: share of each complaint type per period."""
    periods = [p.label for p in report.periods]
    types = list(report.types)
    matrix = _pivot(report, "type_trends", "type", types)
    totals = matrix.sum(axis=0)
    shares = np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0) * 100
    fig, ax = _figure(height=3.6)
    x = np.arange(len(periods))
    colors = [_TYPE_PALETTE[j % len(_TYPE_PALETTE)] for j in range(len(types))]
    ax.stackplot(x, shares, labels=[_name(t) for t in types], colors=colors, alpha=0.85)
    ax.set_ylim(0, 100)
    ax.set_ylabel("share of complaints (%)")
    ax.set_title("Complaint type mix (what customers want)")
    _period_axis(ax, periods)
    ax.legend(**_LEGEND)
    return _png(fig)


def alert_bars(report: TrendReport, limit: int = 12) -> bytes:
    """Observed vs expected counts of the first ``limit`` alerts."""
    alerts = report.alerts[:limit]
    fig, ax = _figure(height=max(2.5, 0.45 * len(alerts) + 1.2))
    y = np.arange(len(alerts))[::-1]
    ax.barh(y + 0.2, [a.expected for a in alerts], height=0.4, color="#bab0ac",
            label="expected (baseline)")
    ax.barh(y - 0.2, [a.observed for a in alerts], height=0.4, color=_ALERT,
            label="observed")
    ticks = []
    for i, a in enumerate(alerts, start=1):
        scope = "overall" if a.segment_column is None else (
            ascii_label(f"{a.segment_column}={a.segment_value}") or "segment")
        ticks.append(f"#{i} {_name(a.label)} | {scope} | {a.period}")
    ax.set_yticks(y)
    ax.set_yticklabels(ticks, fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("complaints in the period")
    ax.set_title("Significant rises: observed vs expected")
    ax.legend(**_LEGEND)
    return _png(fig)


def top_segments(report: TrendReport, column: str) -> bytes:
    """Horizontal stacked bars: complaints per cause for the largest values of ``column``."""
    values = top_segment_values(report, column)
    causes = list(report.causes)
    matrix = np.zeros((len(values), len(causes)))
    index = {v: i for i, v in enumerate(values)}
    t = report.table("segment_totals")
    for col, value, cause, count in zip(t.column("column"), t.column("value"),
                                        t.column("cause"), t.column("count"), strict=True):
        if col == column and value in index:
            matrix[index[str(value)], causes.index(str(cause))] += float(count or 0)
    fig, ax = _figure(height=max(2.5, 0.4 * len(values) + 1.4))
    y = np.arange(len(values))[::-1]
    left = np.zeros(len(values))
    for j, cause in enumerate(causes):
        ax.barh(y, matrix[:, j], left=left, color=_PALETTE[j % len(_PALETTE)],
                label=_name(cause), height=0.7)
        left += matrix[:, j]
    ax.set_yticks(y)
    ax.set_yticklabels([segment_tick(i + 1, v) for i, v in enumerate(values)], fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("complaints")
    name = ascii_label(column) or "segment"
    ax.set_title(f"Top {len(values)} values of '{name}' by complaints, by cause")
    ax.legend(**_LEGEND)
    return _png(fig)


def top_segment_values(report: TrendReport, column: str) -> list[str]:
    """The largest values of a segment column by complaints (at most 10), largest first."""
    t = report.table("segment_summary")
    pairs = [(str(v), int(c or 0)) for col, v, c in zip(
        t.column("column"), t.column("value"), t.column("complaints"), strict=True)
        if col == column]
    pairs.sort(key=lambda p: (-p[1], p[0]))
    return [v for v, c in pairs[:_TOP_SEGMENTS] if c > 0]


def cause_totals(report: TrendReport) -> bytes:
    """Stacked bars of complaints per cause split by type (all rows; for undated data)."""
    causes, types = list(report.causes), list(report.types)
    matrix = np.zeros((len(causes), len(types)))
    t = report.table("totals")
    for cause, kind, count in zip(t.column("cause"), t.column("type"), t.column("count"),
                                  strict=True):
        matrix[causes.index(str(cause)), types.index(str(kind))] = float(count or 0)
    fig, ax = _figure(height=3.8)
    x = np.arange(len(causes))
    bottom = np.zeros(len(causes))
    for j, kind in enumerate(types):
        ax.bar(x, matrix[:, j], bottom=bottom, color=_TYPE_PALETTE[j % len(_TYPE_PALETTE)],
               label=_name(kind), width=0.7)
        bottom += matrix[:, j]
    ax.set_xticks(x)
    ax.set_xticklabels([_name(c) for c in causes], fontsize=9)
    ax.set_ylabel("complaints")
    ax.set_title("Complaints by cause and type (all rows)")
    ax.legend(**_LEGEND)
    return _png(fig)


def render_charts(report: TrendReport) -> dict[str, bytes]:
    """PNG bytes by file name: ``cause_type_totals.png`` always; with dates
    ``causes_over_time.png`` and ``type_mix.png``; ``alerts.png`` when there are alerts;
    ``segments_<k>.png`` for the k-th ``by`` column (1-based)."""
    charts: dict[str, bytes] = {"cause_type_totals.png": cause_totals(report)}
    if report.has_dates and report.periods:
        charts["causes_over_time.png"] = causes_over_time(report)
        charts["type_mix.png"] = type_mix(report)
    if report.alerts:
        charts["alerts.png"] = alert_bars(report)
    for k, column in enumerate(report.by, start=1):
        if top_segment_values(report, column):
            charts[f"segments_{k}.png"] = top_segments(report, column)
    return charts
