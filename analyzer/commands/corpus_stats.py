"""``complaint-analyzer corpus-stats``: coverage tables of the corpus (Markdown)."""

from __future__ import annotations

import argparse
from pathlib import Path

START = "<!-- corpus-stats:start -->"
END = "<!-- corpus-stats:end -->"


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``corpus-stats`` command."""
    from analyzer.corpus import default_corpus_path

    p = sub.add_parser("corpus-stats", help="print the corpus coverage tables as Markdown",
                       description="Coverage tables of a labelled corpus. With --update, "
                       "replace the generated block of a Markdown file (the data card).")
    p.add_argument("path", nargs="?", default=str(default_corpus_path()))
    p.add_argument("--update", metavar="MARKDOWN",
                   help=f"rewrite the part of this file between {START} and {END}")
    p.set_defaults(func=run)


def replace_block(document: str, tables: str) -> str:
    """``document`` with the text between the corpus-stats markers replaced by ``tables``."""
    from analyzer.errors import CorpusError

    if START not in document or END not in document:
        raise CorpusError(f"the file has no {START} ... {END} block to update")
    head, rest = document.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{tables}\n{END}{tail}"


def run(args: argparse.Namespace) -> int:
    """Print the tables, or write them into the data card."""
    from analyzer.corpus import coverage_markdown, read_rows

    tables = coverage_markdown(read_rows(args.path))
    if args.update:
        target = Path(args.update)
        target.write_text(replace_block(target.read_text(encoding="utf-8"), tables),
                          encoding="utf-8")
        print(f"updated {target}")
    else:
        print(tables)
    return 0
