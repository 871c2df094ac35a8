import numpy as np
import pytest
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from analyzer.heads import LinearHead


@pytest.mark.parametrize("method", ["sigmoid", "temperature"])
@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_head_reproduces_calibrated_probabilities(n_classes, method):
    x, y = make_classification(400, 30, n_informative=8, n_classes=n_classes, random_state=0)
    labels = np.array([f"c{v}" for v in y])
    model = CalibratedClassifierCV(LogisticRegression(max_iter=2000), method=method, cv=3,
                                   ensemble=False).fit(x, labels)
    head = LinearHead.from_calibrated(model)
    assert head.classes == tuple(model.classes_)
    assert head.calibration == method
    np.testing.assert_allclose(head.predict_proba(sparse.csr_matrix(x)),
                               model.predict_proba(x), atol=1e-10)


@pytest.mark.parametrize("n_classes", [2, 5])
def test_temperature_head_keeps_the_uncalibrated_winner(n_classes):
    x, y = make_classification(300, 20, n_informative=6, n_classes=n_classes, random_state=1)
    model = CalibratedClassifierCV(LogisticRegression(max_iter=2000), method="temperature",
                                   cv=3, ensemble=False).fit(x, y)
    head = LinearHead.from_calibrated(model)
    features = sparse.csr_matrix(x)
    scores = head.decision(features)
    raw_winner = (scores[:, 0] > 0).astype(int) if n_classes == 2 else scores.argmax(axis=1)
    np.testing.assert_array_equal(head.predict_proba(features).argmax(axis=1), raw_winner)


def test_unknown_calibration_is_refused():
    with pytest.raises(ValueError, match="unknown calibration"):
        LinearHead(("a", "b"), np.zeros((1, 2)), np.zeros(1), np.zeros(1), np.zeros(1),
                   calibration="isotonic")


def test_head_round_trips_through_arrays():
    head = LinearHead(("no", "yes"), np.array([[1.0, -2.0]]), np.array([0.5]),
                      np.array([-1.5]), np.array([0.1]))
    again = LinearHead.from_arrays(head.to_arrays("h"), "h")
    assert again.calibration == "sigmoid"
    x = sparse.csr_matrix(np.array([[1.0, 0.0], [0.0, 1.0]]))
    np.testing.assert_allclose(again.predict_proba(x), head.predict_proba(x))
    assert again.predict_proba(x).sum(axis=1) == pytest.approx([1.0, 1.0])


def test_temperature_head_round_trips_through_arrays():
    head = LinearHead(("a", "b", "c"), np.arange(6.0).reshape(3, 2), np.zeros(3), np.zeros(0),
                      np.zeros(0), calibration="temperature", beta=0.7)
    again = LinearHead.from_arrays(head.to_arrays("h"), "h")
    x = sparse.csr_matrix(np.array([[1.0, 0.0], [0.5, 2.0]]))
    assert (again.calibration, again.beta) == ("temperature", 0.7)
    np.testing.assert_allclose(again.predict_proba(x), head.predict_proba(x))
