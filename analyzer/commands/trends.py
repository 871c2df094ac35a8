"""``complaint-analyzer trends CLASSIFIED -o DIR``: trend report of classified complaints."""

from __future__ import annotations

import argparse
import sys


def _segments(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``trends`` command."""
    p = sub.add_parser(
        "trends", help="volumes, rises, emerging terms and impact of classified complaints",
        description="Aggregate the output of 'classify' (CSV, Parquet file or folder of "
        "Parquet files) into DIR/report.json, CSV tables, PNG charts and a self-contained "
        "DIR/report.html: alerts for significant rises, trends by cause and type, emerging "
        "terms, representative complaints and rule-of-thumb impact estimates.")
    p.add_argument("classified", help="classified CSV, Parquet file or folder of Parquet files")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder")
    add_trend_arguments(p)
    p.set_defaults(func=run)


def add_trend_arguments(p: argparse.ArgumentParser) -> None:
    """The aggregation options shared by ``trends`` and ``report``."""
    p.add_argument("--date-column", metavar="C",
                   help="date column (default: detect date, created_at, time, 日期 ...)")
    p.add_argument("--no-dates", action="store_true",
                   help="ignore dates: totals and segment breakdowns only")
    p.add_argument("--freq", default="W", choices=["D", "W", "M", "Q"],
                   help="period: day, week (Mon-Sun), month or quarter (default W)")
    p.add_argument("--by", type=_segments, default=[], metavar="A,B",
                   help="segment columns, comma-separated (e.g. product,channel)")
    p.add_argument("--prefix", default="", metavar="P",
                   help="prefix of the columns added by classify (default none)")
    p.add_argument("--text-column", metavar="T",
                   help="text column (default: detect text, content, review, 内容 ...)")
    p.add_argument("--month-first", action="store_true",
                   help="read ambiguous dates like 03/04/2024 as month/day (default: decide "
                   "from the data, day first on a tie)")
    p.add_argument("--baseline", type=int, default=8, metavar="N",
                   help="trailing periods in the baseline (default 8)")
    p.add_argument("--min-count", type=int, default=10, metavar="N",
                   help="smallest count that can raise an alert (default 10)")
    p.add_argument("--alpha", type=float, default=0.05,
                   help="false discovery rate of the alerts (default 0.05)")
    p.add_argument("--terms-by-segment", action="store_true",
                   help="also find emerging terms per segment value")
    p.add_argument("--silent-per-complaint", type=float, default=26.0, metavar="X",
                   help="rule of thumb: silent dissatisfied customers per complaint (26)")
    p.add_argument("--return-rate", type=float, default=0.96, metavar="R",
                   help="rule of thumb: share of complainants who return when resolved "
                   "within 24 h (0.96)")
    p.add_argument("--value-per-customer", type=float, metavar="V",
                   help="value of one customer, to express impact as money")
    p.add_argument("--currency", default="", help="currency label of --value-per-customer")


def run(args: argparse.Namespace) -> int:
    """Read, aggregate, write; print where the report is."""
    from analyzer.trends import read_classified

    return write_trends(read_classified(args.classified), args)


def write_trends(frame: object, args: argparse.Namespace) -> int:
    """Aggregate a classified frame with the options in ``args`` and write the report."""
    from analyzer.trends import ImpactAssumptions, TrendConfig, aggregate, write_report

    config = TrendConfig(
        baseline_periods=args.baseline,
        min_baseline_periods=min(3, args.baseline),
        min_count=args.min_count,
        alpha=args.alpha,
        terms_by_segment=args.terms_by_segment,
    )
    impact = ImpactAssumptions(
        silent_per_complaint=args.silent_per_complaint,
        return_rate_if_resolved_fast=args.return_rate,
        value_per_customer=args.value_per_customer,
        currency=args.currency,
    )
    report = aggregate(
        frame, date_column=args.date_column, freq=args.freq, by=args.by,
        prefix=args.prefix, text_column=args.text_column, use_dates=not args.no_dates,
        dayfirst=False if args.month_first else None, config=config, impact=impact,
    )
    paths = write_report(report, args.output)
    counts = report.counts
    print(f"{counts.total} rows ({counts.complaints} complaints, {counts.errors} errors, "
          f"{counts.undated} undated); {len(report.alerts)} alert(s)", file=sys.stderr)
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    print(paths["report.html"])
    return 0
