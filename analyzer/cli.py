"""Command-line interface: a thin adapter over the library.

Each command lives in its own module with ``register(subparsers)``; the registry below lists
them. Library errors are translated here: ``AnalyzerError`` -> exit 2 with a one-line message,
Ctrl-C -> exit 130, anything unexpected -> exit 1.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from analyzer.errors import AnalyzerError

#: Command modules, each exposing ``register(subparsers)`` that sets ``func(args) -> int``.
COMMAND_MODULES: tuple[str, ...] = (
    "analyzer.commands.analyze",
    "analyzer.commands.train",
    "analyzer.commands.evaluate",
    "analyzer.commands.corpus_stats",
    "analyzer.commands.classify",
    "analyzer.commands.trends",
    "analyzer.commands.report",
    "analyzer.commands.serve",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered command."""
    from analyzer import __version__

    parser = argparse.ArgumentParser(
        prog="complaint-analyzer",
        description="Classify Chinese and English complaints by cause and type; find trends.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # command not built yet
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("complaint-analyzer: interrupted; no output was written", file=sys.stderr)
        return 130
    except AnalyzerError as exc:
        print(f"complaint-analyzer: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
