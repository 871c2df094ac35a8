"""``complaint-analyzer evaluate LABELED.csv``: quality of a model on labelled data."""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``evaluate`` command."""
    p = sub.add_parser("evaluate", help="score the model on a labelled CSV",
                       description="Accuracy, per-class precision/recall/F1, macro-F1 and "
                       "confusion matrices for is_complaint, cause and type, per language "
                       "and overall. Needs columns text, is_complaint, cause, type (lang "
                       "optional).")
    p.add_argument("path", help="labelled CSV file")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.add_argument("--model", help="model file (default: the packaged model)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the evaluation report."""
    from analyzer.evaluation import evaluate
    from analyzer.io import read_labelled_csv
    from analyzer.model import Analyzer
    from analyzer.persistence import default_analyzer

    frame = read_labelled_csv(args.path)
    model = Analyzer.load(args.model) if args.model else default_analyzer()
    report = evaluate(model, frame)
    print(json.dumps(report.to_dict(), indent=2) if args.json else report.format())
    return 0
