"""``complaint-analyzer train``: cross-validate, fit on the corpus, write the model."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``train`` command."""
    from analyzer.corpus import default_corpus_path
    from analyzer.persistence import default_model_path

    p = sub.add_parser("train", help="train a model on labelled corpora",
                       description="Cross-validates, prints the metrics, fits on all rows "
                       "and writes a safe model file (.npz arrays + JSON metadata, no pickle).")
    p.add_argument("--corpus", nargs="+", default=[str(default_corpus_path())],
                   help="labelled CSV files (default: corpora/complaints.csv)")
    p.add_argument("--out", default=str(default_model_path()),
                   help="model file to write (default: the packaged model)")
    p.add_argument("--cv", type=int, default=5, help="cross-validation folds (0 to skip)")
    p.add_argument("--eval", dest="eval_path",
                   help="held-out labelled CSV to score (never trained on), recorded in "
                        "the model metadata")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Train and write the model."""
    from analyzer.training import train

    model, metrics = train(args.corpus, folds=args.cv, eval_path=args.eval_path)
    path = model.save(Path(args.out))
    print(json.dumps(metrics, indent=2))
    print(f"model written to {path}")
    return 0
