"""``complaint-analyzer analyze TEXT``: JSON of one analysis."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``analyze`` command."""
    p = sub.add_parser("analyze", help="analyse one text and print JSON",
                       description="Analyse one text (or '-' to read it from stdin).")
    p.add_argument("text", help="the text, or '-' for standard input")
    p.add_argument("--explain", action="store_true", help="add top terms with their spans")
    p.add_argument("--model", help="model file (default: the packaged model)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the analysis as JSON."""
    from analyzer.model import Analyzer
    from analyzer.persistence import default_analyzer

    text = sys.stdin.read() if args.text == "-" else args.text
    model = Analyzer.load(args.model) if args.model else default_analyzer()
    result = model.analyze(text, explain=args.explain)
    print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    return 0
