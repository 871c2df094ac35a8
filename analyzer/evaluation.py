"""Evaluation of an analyzer against a labelled file: accuracy, per-class P/R/F1, confusion.

Follows the labeling guide's columns: ``text, is_complaint, cause, type`` and optional ``lang``.
Cause and type are scored on the rows whose *gold* label is a complaint (as the quality targets
are defined), using the model's cause and type heads even when it says "not a complaint".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

from analyzer.errors import CorpusError
from analyzer.labels import CAUSES, TYPES
from analyzer.model import Analyzer, parse_yes_no


@dataclass(frozen=True)
class TaskScores:
    """Scores of one task on one slice of the data."""

    task: str
    n: int
    accuracy: float
    macro_f1: float
    per_class: dict[str, dict[str, float]]
    labels: tuple[str, ...]
    confusion: tuple[tuple[int, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"task": self.task, "n": self.n, "accuracy": self.accuracy,
                "macro_f1": self.macro_f1, "per_class": self.per_class,
                "labels": list(self.labels), "confusion": [list(r) for r in self.confusion]}


@dataclass(frozen=True)
class EvaluationReport:
    """Scores per slice (``overall`` and each language) and task."""

    slices: dict[str, dict[str, TaskScores]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {s: {t: sc.to_dict() for t, sc in tasks.items()} for s, tasks in self.slices.items()}

    def format(self) -> str:
        """Plain-text tables: a summary table, then per-class scores and confusion matrices."""
        lines = ["slice    task          n    accuracy  macro-F1", "-" * 48]
        for name, tasks in self.slices.items():
            for task, sc in tasks.items():
                lines.append(f"{name:<8} {task:<12} {sc.n:>4}    {sc.accuracy:.3f}     "
                             f"{sc.macro_f1:.3f}")
        for name, tasks in self.slices.items():
            for task, sc in tasks.items():
                if task == "is_complaint":
                    continue
                lines += ["", f"[{name}] {task}: per class (precision / recall / F1 / support)"]
                for label, m in sc.per_class.items():
                    lines.append(f"  {label:<17} {m['precision']:.2f} / {m['recall']:.2f} / "
                                 f"{m['f1']:.2f} / {int(m['support'])}")
                lines.append(f"  confusion (rows = gold, columns = predicted): "
                             f"{' '.join(sc.labels)}")
                for label, row in zip(sc.labels, sc.confusion):
                    lines.append(f"  {label:<17} " + " ".join(f"{v:>4}" for v in row))
        return "\n".join(lines)


def score(task: str, gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]
          ) -> TaskScores:
    """Accuracy, macro-F1 over the labels present in gold or predictions, per-class, confusion."""
    present = [lb for lb in labels if lb in set(gold) | set(pred)]
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=present, zero_division=0)
    gold_present = [lb for lb in present if lb in set(gold)]
    macro = float(np.mean([f[present.index(lb)] for lb in gold_present])) if gold_present else 0.0
    return TaskScores(
        task=task, n=len(gold), accuracy=round(float(accuracy_score(gold, pred)), 4),
        macro_f1=round(macro, 4),
        per_class={lb: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                        "f1": round(float(f[i]), 4), "support": int(s[i])}
                   for i, lb in enumerate(present)},
        labels=tuple(present),
        confusion=tuple(tuple(int(v) for v in row)
                        for row in confusion_matrix(gold, pred, labels=present)),
    )


def evaluate(analyzer: Analyzer, frame: pd.DataFrame) -> EvaluationReport:
    """Score ``analyzer`` on a labelled frame (see module docstring).

    Macro-F1 averages F1 over the classes present in the gold labels of the slice.
    """
    missing = [c for c in ("text", "is_complaint", "cause", "type") if c not in frame]
    if missing:
        raise CorpusError(f"labelled file lacks columns {missing}; expected "
                          "text, is_complaint, cause, type (optional lang)")
    frame = frame.reset_index(drop=True)
    results = analyzer.analyze_many(frame["text"].astype(str).tolist())
    gold_c = parse_yes_no(frame["is_complaint"])
    pred_c = np.array([r.is_complaint for r in results])
    pred_cause = np.array([max(r.cause_probabilities, key=r.cause_probabilities.get)
                           for r in results])
    pred_type = np.array([max(r.type_probabilities, key=r.type_probabilities.get)
                          for r in results])
    langs = frame["lang"].astype(str).to_numpy() if "lang" in frame else None
    slices: dict[str, np.ndarray] = {"overall": np.ones(len(frame), dtype=bool)}
    if langs is not None:
        for lang in sorted(set(langs)):
            slices[lang] = langs == lang
    out: dict[str, dict[str, TaskScores]] = {}
    yes_no = np.where(gold_c, "yes", "no")
    pred_yes_no = np.where(pred_c, "yes", "no")
    for name, mask in slices.items():
        tasks = {"is_complaint": score("is_complaint", yes_no[mask].tolist(),
                                       pred_yes_no[mask].tolist(), ["yes", "no"])}
        cm = mask & gold_c
        if cm.any():
            tasks["cause"] = score("cause", frame["cause"][cm].astype(str).tolist(),
                                   pred_cause[cm].tolist(), CAUSES)
            tasks["type"] = score("type", frame["type"][cm].astype(str).tolist(),
                                  pred_type[cm].tolist(), TYPES)
        out[name] = tasks
    return EvaluationReport(out)
