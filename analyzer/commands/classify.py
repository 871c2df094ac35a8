"""``complaint-analyzer classify INPUT...``: batch classification of tabular exports.

``--engine local`` (default) classifies one file in this machine's processes
(:func:`analyzer.batch.classify_file`); ``--engine dask`` classifies several CSV/TSV/Parquet
files or glob patterns on a Dask cluster into a directory of part files
(:func:`analyzer.dask_engine.classify_dask`).
"""

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
    p.add_argument("input", nargs="+", metavar="INPUT",
                   help="input file, or '-' for standard input; with --engine dask one or "
                   "more CSV/TSV/Parquet files or glob patterns (quote them: 'data/*.csv')")
    p.add_argument("-o", "--output", help="output file, or '-' for standard output "
                   "(default: INPUT.classified.FORMAT); with --engine dask an output "
                   "directory of part files (required for several inputs)")
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
    dask = p.add_argument_group(
        "Dask engine", "classify on a Dask cluster; output is a directory of Parquet (default) "
        "or CSV part files with the order key columns source_file and source_row")
    dask.add_argument("--engine", choices=("local", "dask"), default="local",
                      help="local: this machine's processes (default); dask: a Dask cluster")
    dask.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                      help="address of a running Dask scheduler (default: start a local "
                      "cluster with --jobs worker processes)")
    dask.add_argument("--partition-size", metavar="SIZE",
                      help="maximum input bytes per partition, like 64MB or 256MiB (default "
                      "64MB; smaller when needed to keep every worker busy)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Classify the file(s) and print a summary on stderr."""
    from analyzer.batch import BatchOptions, classify_file, spool_stdin
    from analyzer.errors import InputFileError

    if args.engine == "dask":
        return _run_dask(args)
    if args.scheduler is not None or args.partition_size is not None:
        raise InputFileError("--scheduler and --partition-size need --engine dask")
    if len(args.input) != 1:
        raise InputFileError("the local engine classifies one INPUT; for several files or a "
                             "glob use --engine dask")
    args.input = args.input[0]

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


def _run_dask(args: argparse.Namespace) -> int:
    """``--engine dask``: classify the inputs on a Dask cluster into a directory."""
    from analyzer.batch import BatchOptions
    from analyzer.dask_engine import (
        DEFAULT_PARTITION_SIZE,
        DaskOptions,
        classify_dask,
        parse_size,
    )
    from analyzer.errors import InputFileError

    if args.output == "-":
        raise InputFileError("the dask engine writes a directory; pass -o DIR, not '-'")
    options = BatchOptions(
        text_column=args.text_column, prefix=args.prefix, output_format=None,
        input_format=args.input_format, jobs=args.jobs, chunk_size=args.chunk_size,
        explain=args.explain, safe_cells=args.safe_cells, model_path=args.model,
    )
    if args.jobs < 1:
        raise InputFileError("--jobs must be at least 1")
    dask_options = DaskOptions(
        scheduler=args.scheduler,
        partition_size=parse_size(args.partition_size or DEFAULT_PARTITION_SIZE),
        output_format=args.format or "parquet", workers=args.jobs,
    )
    show_progress = not args.quiet and sys.stderr.isatty()
    summary = classify_dask(args.input, args.output, options, dask_options,
                            progress_stream=sys.stderr if show_progress else None)
    if not args.quiet:
        print(summary.format(), file=sys.stderr)
    return 0
