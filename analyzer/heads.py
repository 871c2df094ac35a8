"""Calibrated linear classification heads as plain arrays.

A :class:`LinearHead` is what remains of a fitted ``CalibratedClassifierCV`` (logistic
regression + sigmoid calibration, ``ensemble=False``) once it is reduced to its numbers:
coefficients, intercepts and one sigmoid ``(a, b)`` per calibrated column. Prediction is a
sparse matrix product and a few vector operations; the numbers can be stored without pickle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

if TYPE_CHECKING:
    from sklearn.calibration import CalibratedClassifierCV


@dataclass(frozen=True, eq=False)
class LinearHead:
    """Calibrated linear classifier over a fixed feature space.

    ``coef`` is ``(1, n_features)`` for two classes (evidence for ``classes[1]``) and
    ``(n_classes, n_features)`` otherwise; ``calib_a``/``calib_b`` hold one sigmoid per row of
    ``coef``: ``p = 1 / (1 + exp(a * score + b))``.
    """

    classes: tuple[str, ...]
    coef: np.ndarray
    intercept: np.ndarray
    calib_a: np.ndarray
    calib_b: np.ndarray

    @classmethod
    def from_calibrated(cls, model: CalibratedClassifierCV) -> LinearHead:
        """Extract the head from a fitted ``CalibratedClassifierCV(ensemble=False)``."""
        (calibrated,) = model.calibrated_classifiers_
        estimator = calibrated.estimator
        return cls(
            classes=tuple(str(c) for c in model.classes_),
            coef=np.asarray(estimator.coef_, dtype=np.float64),
            intercept=np.asarray(estimator.intercept_, dtype=np.float64),
            calib_a=np.array([c.a_ for c in calibrated.calibrators], dtype=np.float64),
            calib_b=np.array([c.b_ for c in calibrated.calibrators], dtype=np.float64),
        )

    def decision(self, features: sparse.spmatrix) -> np.ndarray:
        """Uncalibrated scores, shape ``(n_samples, coef rows)``."""
        return np.asarray(features @ self.coef.T) + self.intercept

    def predict_proba(self, features: sparse.spmatrix) -> np.ndarray:
        """Calibrated probabilities, shape ``(n_samples, n_classes)``, in ``classes`` order."""
        scores = self.decision(features)
        calibrated = 1.0 / (1.0 + np.exp(self.calib_a * scores + self.calib_b))
        if len(self.classes) == 2:
            positive = calibrated[:, 0]
            return np.column_stack([1.0 - positive, positive])
        total = calibrated.sum(axis=1, keepdims=True)
        uniform = np.full_like(calibrated, 1.0 / len(self.classes))
        return np.divide(calibrated, total, out=uniform, where=total != 0)

    def class_evidence(self, n_columns: int) -> np.ndarray:
        """Per-class coefficient rows over the first ``n_columns`` features (for explanations):
        for two classes, ``[-w, w]``."""
        coef = self.coef[:, :n_columns]
        return np.vstack([-coef[0], coef[0]]) if coef.shape[0] == 1 else coef

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """Arrays for storage, keyed ``prefix.name``."""
        return {f"{prefix}.classes": np.array(self.classes), f"{prefix}.coef": self.coef,
                f"{prefix}.intercept": self.intercept, f"{prefix}.calib_a": self.calib_a,
                f"{prefix}.calib_b": self.calib_b}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str) -> LinearHead:
        """Inverse of :meth:`to_arrays`."""
        return cls(classes=tuple(str(c) for c in arrays[f"{prefix}.classes"]),
                   coef=arrays[f"{prefix}.coef"], intercept=arrays[f"{prefix}.intercept"],
                   calib_a=arrays[f"{prefix}.calib_a"], calib_b=arrays[f"{prefix}.calib_b"])
