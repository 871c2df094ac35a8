"""Write a :class:`TrendReport` to a folder: JSON, CSV tables, PNG charts and HTML."""

from __future__ import annotations

import json
from pathlib import Path

from analyzer.errors import AnalyzerError
from analyzer.trends.charts import render_charts
from analyzer.trends.html import render_html
from analyzer.trends.report import TrendReport


class OutputError(AnalyzerError):
    """The report folder cannot be created or written."""


def write_report(report: TrendReport, out_dir: str | Path) -> dict[str, Path]:
    """Write ``report.json``, one ``<table>.csv`` per table (UTF-8 with BOM, for Excel),
    the PNG charts and ``report.html`` into ``out_dir`` (created if needed; existing files
    of the same names are replaced). Returns the written paths by file name.
    """
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create output folder {folder}: {exc.strerror or exc}; "
                          "choose another -o folder") from exc
    if not folder.is_dir():
        raise OutputError(f"output path {folder} is not a folder; choose another -o folder")
    charts = render_charts(report)
    written: dict[str, Path] = {}
    try:
        path = folder / "report.json"
        path.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2),
                        encoding="utf-8")
        written[path.name] = path
        for table in report.tables:
            path = folder / f"{table.name}.csv"
            table.to_frame().to_csv(path, index=False, encoding="utf-8-sig")
            written[path.name] = path
        for name, data in charts.items():
            path = folder / name
            path.write_bytes(data)
            written[name] = path
        path = folder / "report.html"
        path.write_text(render_html(report, charts), encoding="utf-8")
        written[path.name] = path
    except OSError as exc:
        raise OutputError(f"cannot write the report into {folder}: {exc.strerror or exc}") \
            from exc
    return written
