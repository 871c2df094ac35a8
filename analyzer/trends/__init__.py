"""Trends over classified complaints: volumes, rises, emerging terms, verbatims and impact.

Quick use::

    >>> from analyzer.trends import aggregate, write_report
    >>> report = aggregate(classified_frame, date_column="created_at", freq="W",
    ...                    by=["channel"])
    >>> paths = write_report(report, "out/")      # report.json, CSV tables, PNG, report.html

:func:`aggregate` is pure (DataFrame in, frozen :class:`TrendReport` out);
:func:`render_html` and :func:`write_report` turn a report into a self-contained HTML page
and files; :func:`read_classified` reads classified CSV or Parquet. Submodules are imported
on first use, so importing this package is cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from analyzer.trends.aggregation import aggregate
    from analyzer.trends.charts import render_charts
    from analyzer.trends.config import ImpactAssumptions, TrendConfig
    from analyzer.trends.export import write_report
    from analyzer.trends.html import render_html
    from analyzer.trends.inputs import read_classified
    from analyzer.trends.report import (
        Alert,
        Impact,
        ImpactEstimate,
        RowCounts,
        Table,
        Term,
        TermList,
        TrendReport,
        Verbatim,
    )

__all__ = [
    "Alert", "Impact", "ImpactAssumptions", "ImpactEstimate", "RowCounts", "Table", "Term",
    "TermList", "TrendConfig", "TrendReport", "Verbatim", "aggregate", "read_classified",
    "render_charts", "render_html", "write_report",
]

_HOMES: dict[str, str] = {
    "aggregate": "analyzer.trends.aggregation",
    "render_charts": "analyzer.trends.charts",
    "ImpactAssumptions": "analyzer.trends.config",
    "TrendConfig": "analyzer.trends.config",
    "write_report": "analyzer.trends.export",
    "render_html": "analyzer.trends.html",
    "read_classified": "analyzer.trends.inputs",
    **{name: "analyzer.trends.report" for name in (
        "Alert", "Impact", "ImpactEstimate", "RowCounts", "Table", "Term", "TermList",
        "TrendReport", "Verbatim")},
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'analyzer.trends' has no attribute {name!r}")
