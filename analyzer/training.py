"""Training with cross-validated metrics and model metadata (corpus hash, date, metrics)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from analyzer.corpus import corpus_hash
from analyzer.evaluation import evaluate
from analyzer.io import read_labelled_csv
from analyzer.model import Analyzer, parse_yes_no


def load_corpora(paths: Sequence[str | Path]) -> pd.DataFrame:
    """Concatenate labelled corpus files (all columns as strings)."""
    return pd.concat([read_labelled_csv(p) for p in paths], ignore_index=True)


def cross_validate(frame: pd.DataFrame, *, folds: int = 5, seed: int = 0,
                   make: Callable[[], Analyzer] = Analyzer) -> dict[str, Any]:
    """Stratified k-fold scores (mean over folds) per task and language.

    Folds are stratified on the combined label (``no`` or ``cause/type``) so every fold sees
    every class.
    """
    strata = np.where(parse_yes_no(frame["is_complaint"]),
                      frame["cause"].astype(str) + "/" + frame["type"].astype(str), "no")
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    per_fold: list[dict[str, Any]] = []
    for train_idx, test_idx in splitter.split(frame, strata):
        model = make().fit(frame.iloc[train_idx])
        per_fold.append(evaluate(model, frame.iloc[test_idx]).to_dict())
    summary: dict[str, Any] = {"folds": folds}
    for slice_name in per_fold[0]:
        summary[slice_name] = {}
        for task in per_fold[0][slice_name]:
            values = [f[slice_name][task] for f in per_fold if task in f.get(slice_name, {})]
            summary[slice_name][task] = {
                "accuracy": round(float(np.mean([v["accuracy"] for v in values])), 4),
                "macro_f1": round(float(np.mean([v["macro_f1"] for v in values])), 4),
            }
    return summary


def train(paths: Sequence[str | Path], *, folds: int = 5,
          eval_path: str | Path | None = None,
          make: Callable[[], Analyzer] = Analyzer) -> tuple[Analyzer, dict[str, Any]]:
    """Cross-validate, then fit on all rows; record corpus hash and metrics in the metadata.

    ``eval_path`` names a held-out labelled file that is only *scored* (never trained on).
    """
    frame = load_corpora(paths)
    metrics: dict[str, Any] = {}
    if folds >= 2:
        metrics["cross_validation"] = cross_validate(frame, folds=folds, make=make)
    model = make().fit(frame)
    if eval_path is not None:
        report = evaluate(model, read_labelled_csv(eval_path)).to_dict()
        metrics["evaluation"] = {
            "file": Path(eval_path).name,
            **{s: {t: {"accuracy": v["accuracy"], "macro_f1": v["macro_f1"], "n": v["n"]}
                   for t, v in tasks.items()} for s, tasks in report.items()},
        }
    model.metadata_.update({
        "corpus_files": [Path(p).name for p in paths],
        "corpus_hash": corpus_hash(paths),
        "metrics": metrics,
    })
    return model, metrics
