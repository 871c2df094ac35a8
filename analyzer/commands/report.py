"""``complaint-analyzer report INPUT -o DIR``: classify a raw export, then write the trends."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``report`` command."""
    from analyzer.commands.trends import add_trend_arguments

    p = sub.add_parser(
        "report", help="classify a raw export and write the trend report in one step",
        description="Runs 'classify' on INPUT (writing DIR/classified.csv) and then 'trends' "
        "on the result (DIR/report.html, report.json, CSV tables and charts).")
    p.add_argument("input", help="raw export: CSV, TSV, XLSX, JSONL or Parquet")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                   help="worker processes for classification (default: all cores)")
    p.add_argument("--model", help="model file (default: the packaged model)")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    add_trend_arguments(p)  # includes --text-column and --prefix, used by both steps
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Classify into DIR/classified.csv, aggregate, write the report."""
    from analyzer.batch import BatchOptions, classify_file
    from analyzer.commands.trends import write_trends
    from analyzer.trends import read_classified

    out_dir = Path(args.output)
    out_dir.mkdir(parents=True, exist_ok=True)
    classified = out_dir / "classified.csv"
    options = BatchOptions(text_column=args.text_column, prefix=args.prefix,
                           output_format="csv", jobs=args.jobs, model_path=args.model)
    show_progress = not args.quiet and sys.stderr.isatty()
    summary = classify_file(args.input, classified, options,
                            progress_stream=sys.stderr if show_progress else None)
    if not args.quiet:
        print(summary.format(), file=sys.stderr)
    return write_trends(read_classified(classified), args)
