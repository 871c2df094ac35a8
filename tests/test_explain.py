import numpy as np
from scipy import sparse

from analyzer.explain import contributions, top_terms, top_terms_many


def test_top_terms_many_matches_row_by_row_top_terms():
    rng = np.random.default_rng(0)
    word = sparse.random(40, 30, density=0.3, format="csr", random_state=1)
    coef = rng.normal(size=(3, 30))
    contrib = contributions(word, coef, rng.integers(0, 3, size=40))
    names = np.array([f"t{i}" for i in range(30)], dtype=object)
    allowed = rng.random(30) > 0.2
    many = top_terms_many(contrib, names, allowed, 4)
    assert many == [top_terms(contrib, row, names, allowed, 4) for row in range(40)]
    assert all(len(terms) <= 4 and all(w > 0 for _, w in terms) for terms in many)


def test_top_terms_many_gives_empty_lists_for_rows_without_evidence():
    contrib = sparse.csr_matrix(np.array([[0.0, -1.0], [0.5, 0.0], [0.0, 0.0]]))
    names = np.array(["a", "b"], dtype=object)
    assert top_terms_many(contrib, names, np.array([True, True]), 3) == [[], [("a", 0.5)], []]
