"""Explanations: top contributing terms of a linear model and their spans in the original text."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from analyzer.normalize import aligned_view
from analyzer.segmentation import NEGATION_PREFIX


def contributions(word_matrix: sparse.csr_matrix, coef: np.ndarray, rows_class: np.ndarray
                  ) -> sparse.csr_matrix:
    """Per-feature contribution ``x_ij * coef[class_i, j]`` for every row, as a sparse matrix.

    ``coef`` has one row per class over the word block; ``rows_class[i]`` picks the class whose
    evidence is explained for row ``i``.
    """
    matrix = word_matrix.tocsr()
    row_of = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    data = matrix.data * coef[rows_class[row_of], matrix.indices]
    return sparse.csr_matrix((data, matrix.indices, matrix.indptr), shape=matrix.shape)


def top_terms(contrib: sparse.csr_matrix, row: int, names: np.ndarray, allowed: np.ndarray,
              k: int) -> list[tuple[str, float]]:
    """The ``k`` allowed features of ``row`` with the largest positive contributions."""
    start, end = contrib.indptr[row], contrib.indptr[row + 1]
    idx = contrib.indices[start:end]
    val = contrib.data[start:end]
    keep = (val > 0) & allowed[idx]
    idx, val = idx[keep], val[keep]
    order = np.argsort(-val, kind="stable")[:k]
    return [(str(names[idx[o]]), float(val[o])) for o in order]


def top_terms_many(contrib: sparse.csr_matrix, names: np.ndarray, allowed: np.ndarray, k: int
                   ) -> list[list[tuple[str, float]]]:
    """:func:`top_terms` for every row at once (one sort instead of one per row)."""
    n_rows = contrib.shape[0]
    rows = np.repeat(np.arange(n_rows), np.diff(contrib.indptr))
    keep = (contrib.data > 0) & allowed[contrib.indices]
    rows, idx, val = rows[keep], contrib.indices[keep], contrib.data[keep]
    order = np.lexsort((-val, rows))
    rows, idx, val = rows[order], idx[order], val[order]
    first = np.searchsorted(rows, rows, side="left")
    chosen = np.flatnonzero(np.arange(len(rows)) - first < k)
    out: list[list[tuple[str, float]]] = [[] for _ in range(n_rows)]
    for row, column, value in zip(rows[chosen].tolist(), idx[chosen].tolist(),
                                  val[chosen].tolist(), strict=True):
        out[row].append((str(names[column]), value))
    return out


def _term_regex(term: str) -> re.Pattern[str]:
    parts = []
    for token in term.split(" "):
        if token.startswith(NEGATION_PREFIX) and len(token) > len(NEGATION_PREFIX):
            token = token[len(NEGATION_PREFIX):]
        piece = re.escape(token)
        if token.isascii() and token[:1].isalnum():
            piece = rf"(?<![a-z0-9]){piece}(?![a-z0-9])"
        parts.append(piece)
    return re.compile(r"\W*".join(parts))


def term_spans(original: str, terms: Sequence[str], view: str | None = None
               ) -> list[tuple[tuple[int, int], ...]]:
    """Character spans of each term in ``original`` (matched on its aligned, folded view)."""
    view = aligned_view(original) if view is None else view
    return [tuple((m.start(), m.end()) for m in _term_regex(t).finditer(view)) for t in terms]
