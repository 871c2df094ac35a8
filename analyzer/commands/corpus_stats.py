"""``complaint-analyzer corpus-stats``: coverage tables of the corpus (Markdown)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``corpus-stats`` command."""
    from analyzer.corpus import default_corpus_path

    p = sub.add_parser("corpus-stats", help="print the corpus coverage tables as Markdown")
    p.add_argument("path", nargs="?", default=str(default_corpus_path()))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the tables."""
    from analyzer.corpus import coverage_markdown, read_rows

    print(coverage_markdown(read_rows(args.path)))
    return 0
