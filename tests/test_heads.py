import numpy as np
import pytest
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from analyzer.heads import LinearHead


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_head_reproduces_calibrated_probabilities(n_classes):
    x, y = make_classification(400, 30, n_informative=8, n_classes=n_classes, random_state=0)
    labels = np.array([f"c{v}" for v in y])
    model = CalibratedClassifierCV(LogisticRegression(max_iter=2000), method="sigmoid", cv=3,
                                   ensemble=False).fit(x, labels)
    head = LinearHead.from_calibrated(model)
    assert head.classes == tuple(model.classes_)
    np.testing.assert_allclose(head.predict_proba(sparse.csr_matrix(x)),
                               model.predict_proba(x), atol=1e-10)


def test_head_round_trips_through_arrays():
    head = LinearHead(("no", "yes"), np.array([[1.0, -2.0]]), np.array([0.5]),
                      np.array([-1.5]), np.array([0.1]))
    again = LinearHead.from_arrays(head.to_arrays("h"), "h")
    x = sparse.csr_matrix(np.array([[1.0, 0.0], [0.0, 1.0]]))
    np.testing.assert_allclose(again.predict_proba(x), head.predict_proba(x))
    assert again.predict_proba(x).sum(axis=1) == pytest.approx([1.0, 1.0])
