"""``complaint-analyzer classify INPUT``: batch classification of a tabular export."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``classify`` command."""
    from analyzer.batch import DEFAULT_CHUNK_SIZE
    from analyzer.tabular import FORMATS

    p = sub.add_parser(
        "classify", help="classify every row of a CSV/TSV/XLSX/JSONL/Parquet file",
        description="Adds is_complaint, complaint_score, cause, cause_score, "
        "secondary_causes, type, type_score, language, keywords and error to every row. "
        "Every input row comes back exactly once, in order, with its original columns.")
    p.add_argument("input", help="input file, or '-' for standard input")
    p.add_argument("-o", "--output", help="output file, or '-' for standard output "
                   "(default: INPUT.classified.FORMAT)")
    p.add_argument("--text-column", help="column holding the text (default: detected)")
    p.add_argument("--prefix", default="", help="prefix for the added column names")
    p.add_argument("--format", choices=FORMATS, help="output format (default: the input's)")
    p.add_argument("--input-format", choices=FORMATS,
                   help="input format (default: from the extension; csv for stdin)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                   help="worker processes (default: all cores)")
    p.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE,
                   help=f"rows per chunk (default {DEFAULT_CHUNK_SIZE})")
    p.add_argument("--explain", action="store_true", help="add an explanation column (JSON)")
    p.add_argument("--safe-cells", action="store_true",
                   help="neutralise formula-like cells in all text columns, not only added ones")
    p.add_argument("--model", help="model file (default: the packaged model)")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Classify the file and print a summary on stderr."""
    from analyzer.batch import BatchOptions, classify_file, spool_stdin

    options = BatchOptions(
        text_column=args.text_column, prefix=args.prefix, output_format=args.format,
        input_format=args.input_format, jobs=args.jobs, chunk_size=args.chunk_size,
        explain=args.explain, safe_cells=args.safe_cells, model_path=args.model,
    )
    spooled: Path | None = None
    source: str | Path = args.input
    if args.input == "-":
        spooled = spool_stdin(args.input_format)
        source = spooled
        if args.output is None:
            args.output = "-"
        if args.format is None:
            options = BatchOptions(**{**options.__dict__,
                                      "output_format": args.input_format or "csv"})
    try:
        show_progress = not args.quiet and sys.stderr.isatty()
        summary = classify_file(source, args.output, options,
                                progress_stream=sys.stderr if show_progress else None)
    finally:
        if spooled is not None:
            spooled.unlink(missing_ok=True)
    if not args.quiet:
        print(summary.format(), file=sys.stderr)
    return 0
