"""Calibrated linear classification heads as plain arrays.

A :class:`LinearHead` is what remains of a fitted ``CalibratedClassifierCV`` (logistic
regression, ``ensemble=False``) once it is reduced to its numbers: coefficients, intercepts and
the calibration's parameters. Two calibrations are supported:

* ``"sigmoid"`` (Platt): one sigmoid ``(a, b)`` per calibrated column, renormalised; used for
  the binary is-complaint head, where its bias also moves the decision threshold to where the
  cross-validated evidence puts it;
* ``"temperature"``: ``softmax(beta * scores)`` with one inverse temperature ``beta``; used for
  the multi-class heads because it calibrates without changing which class wins (one-vs-rest
  sigmoids, renormalised, can reorder the classes and did cost cause accuracy).

Prediction is a sparse matrix product and a few vector operations; the numbers can be stored
without pickle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

if TYPE_CHECKING:
    from sklearn.calibration import CalibratedClassifierCV


def _sigmoid_proba(head: LinearHead, scores: np.ndarray) -> np.ndarray:
    calibrated = 1.0 / (1.0 + np.exp(head.calib_a * scores + head.calib_b))
    if len(head.classes) == 2:
        positive = calibrated[:, 0]
        return np.column_stack([1.0 - positive, positive])
    total = calibrated.sum(axis=1, keepdims=True)
    uniform = np.full_like(calibrated, 1.0 / len(head.classes))
    return np.divide(calibrated, total, out=uniform, where=total != 0)


def _temperature_proba(head: LinearHead, scores: np.ndarray) -> np.ndarray:
    logits = np.column_stack([-scores[:, 0], scores[:, 0]]) if scores.shape[1] == 1 else scores
    logits = head.beta * logits
    logits -= logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)


#: Calibration methods: name -> function(head, uncalibrated scores) -> probabilities.
CALIBRATIONS: dict[str, Callable[[LinearHead, np.ndarray], np.ndarray]] = {
    "sigmoid": _sigmoid_proba,
    "temperature": _temperature_proba,
}


@dataclass(frozen=True, eq=False)
class LinearHead:
    """Calibrated linear classifier over a fixed feature space.

    ``coef`` is ``(1, n_features)`` for two classes (evidence for ``classes[1]``) and
    ``(n_classes, n_features)`` otherwise. ``calibration`` names the method (see
    :data:`CALIBRATIONS`): ``"sigmoid"`` uses ``calib_a``/``calib_b``, one sigmoid per row of
    ``coef`` (``p = 1 / (1 + exp(a * score + b))``); ``"temperature"`` uses ``beta``.
    """

    classes: tuple[str, ...]
    coef: np.ndarray
    intercept: np.ndarray
    calib_a: np.ndarray
    calib_b: np.ndarray
    calibration: str = "sigmoid"
    beta: float = 1.0

    def __post_init__(self) -> None:
        if self.calibration not in CALIBRATIONS:
            raise ValueError(f"unknown calibration {self.calibration!r}; use one of "
                             f"{sorted(CALIBRATIONS)}")

    @classmethod
    def from_calibrated(cls, model: CalibratedClassifierCV) -> LinearHead:
        """Extract the head from a fitted ``CalibratedClassifierCV(ensemble=False)`` whose
        method is ``"sigmoid"`` or ``"temperature"``."""
        (calibrated,) = model.calibrated_classifiers_
        estimator = calibrated.estimator
        method = model.method
        if method == "temperature":
            a = b = np.zeros(0)
            beta = float(calibrated.calibrators[0].beta_)
        else:
            a = np.array([c.a_ for c in calibrated.calibrators], dtype=np.float64)
            b = np.array([c.b_ for c in calibrated.calibrators], dtype=np.float64)
            beta = 1.0
        return cls(
            classes=tuple(str(c) for c in model.classes_),
            coef=np.asarray(estimator.coef_, dtype=np.float64),
            intercept=np.asarray(estimator.intercept_, dtype=np.float64),
            calib_a=a, calib_b=b, calibration=method, beta=beta,
        )

    def decision(self, features: sparse.spmatrix) -> np.ndarray:
        """Uncalibrated scores, shape ``(n_samples, coef rows)``."""
        return np.asarray(features @ self.coef.T) + self.intercept

    def predict_proba(self, features: sparse.spmatrix) -> np.ndarray:
        """Calibrated probabilities, shape ``(n_samples, n_classes)``, in ``classes`` order."""
        return CALIBRATIONS[self.calibration](self, self.decision(features))

    def class_evidence(self, n_columns: int) -> np.ndarray:
        """Per-class coefficient rows over the first ``n_columns`` features (for explanations):
        for two classes, ``[-w, w]``."""
        coef = self.coef[:, :n_columns]
        return np.vstack([-coef[0], coef[0]]) if coef.shape[0] == 1 else coef

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """Arrays for storage, keyed ``prefix.name``."""
        return {f"{prefix}.classes": np.array(self.classes), f"{prefix}.coef": self.coef,
                f"{prefix}.intercept": self.intercept, f"{prefix}.calib_a": self.calib_a,
                f"{prefix}.calib_b": self.calib_b,
                f"{prefix}.calibration": np.array(self.calibration),
                f"{prefix}.beta": np.array([self.beta])}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str) -> LinearHead:
        """Inverse of :meth:`to_arrays`."""
        return cls(classes=tuple(str(c) for c in arrays[f"{prefix}.classes"]),
                   coef=arrays[f"{prefix}.coef"], intercept=arrays[f"{prefix}.intercept"],
                   calib_a=arrays[f"{prefix}.calib_a"], calib_b=arrays[f"{prefix}.calib_b"],
                   calibration=str(arrays[f"{prefix}.calibration"]),
                   beta=float(arrays[f"{prefix}.beta"][0]))
