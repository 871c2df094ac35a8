"""Sparse TF-IDF transform over a fixed vocabulary (no scikit-learn needed at prediction time).

Vocabularies and IDF weights are learnt with scikit-learn's ``TfidfVectorizer`` during training
(see :mod:`analyzer.features`); this module re-implements only the transform for the two
analyzers the model uses, with the same definitions (checked against scikit-learn in tests):

* word n-grams over whitespace-separated tokens (``ngram_range`` joined by one space);
* ``char_wb`` n-grams: each whitespace-separated word padded with one space on both sides; a
  padded word shorter than ``n`` counts once, as a whole, and ends the larger sizes.

Weights are ``(1 + log tf) * idf``, rows L2-normalised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from scipy import sparse


def word_ngrams(text: str, low: int, high: int) -> list[str]:
    """Word n-grams of sizes ``low..high`` over whitespace-separated tokens."""
    tokens = text.split()
    grams = list(tokens) if low == 1 else []
    if low <= 2 <= high:
        grams += [f"{a} {b}" for a, b in pairwise(tokens)]
    for n in range(max(low, 3), high + 1):
        grams += [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
    return grams


def word_char_ngrams(word: str, low: int, high: int) -> list[str]:
    """Character n-grams of sizes ``low..high`` of one word padded with a space on each side."""
    grams: list[str] = []
    padded = f" {word} "
    length = len(padded)
    for n in range(low, high + 1):
        if length <= n:
            grams.append(padded)
            break
        grams += [padded[i:i + n] for i in range(length - n + 1)]
    return grams


def char_wb_ngrams(text: str, low: int, high: int) -> list[str]:
    """Character n-grams of sizes ``low..high`` inside space-padded words."""
    grams: list[str] = []
    for word in text.split():
        grams += word_char_ngrams(word, low, high)
    return grams


#: Words whose character n-gram columns are remembered per transform (bounds its memory).
WORD_CACHE_SIZE = 200_000

ANALYZERS: dict[str, Callable[[str, int, int], list[str]]] = {
    "word": word_ngrams,
    "char_wb": char_wb_ngrams,
}


@dataclass(frozen=True, eq=False)
class TfidfTransform:
    """A fitted TF-IDF transform: analyzer name, n-gram range, vocabulary and IDF weights."""

    analyzer: str
    ngram_range: tuple[int, int]
    vocabulary: Mapping[str, int]
    idf: np.ndarray
    #: Columns of each word's character n-grams, filled as words are seen (``char_wb`` only).
    _word_columns: dict[str, tuple[int, ...]] = field(default_factory=dict, repr=False)

    def _extend_columns(self, doc: str, columns: list[int]) -> None:
        """Append the vocabulary columns of ``doc``'s n-grams (with repeats) to ``columns``."""
        low, high = self.ngram_range
        lookup = self.vocabulary.get
        if self.analyzer != "char_wb":
            columns += [c for c in map(lookup, ANALYZERS[self.analyzer](doc, low, high))
                        if c is not None]
            return
        cache = self._word_columns
        for word in doc.split():
            known = cache.get(word)
            if known is None:
                known = tuple(c for c in map(lookup, word_char_ngrams(word, low, high))
                              if c is not None)
                if len(cache) < WORD_CACHE_SIZE:
                    cache[word] = known
            columns += known

    def components(self, docs: Iterable[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(rows, columns, values)`` of the L2-normalised sublinear TF-IDF matrix of
        ``docs``, sorted by row then column, without building a scipy matrix (cheap for
        single texts)."""
        found: list[int] = []
        ends: list[int] = []
        for doc in docs:
            self._extend_columns(doc, found)
            ends.append(len(found))
        width = len(self.idf)
        lengths = np.diff(np.asarray([0, *ends], dtype=np.int64))
        keys = np.asarray(found, dtype=np.int64)
        keys += np.repeat(np.arange(len(ends), dtype=np.int64) * width, lengths)
        unique, counts = np.unique(keys, return_counts=True)
        rows, columns = np.divmod(unique, width)
        values = (1.0 + np.log(counts)) * self.idf[columns]
        norms = np.sqrt(np.bincount(rows, weights=values * values))
        values = values / norms[rows]
        return rows, columns, values.astype(np.float32)

    def transform(self, docs: Sequence[str]) -> sparse.csr_matrix:
        """The L2-normalised sublinear TF-IDF matrix of ``docs`` (float32, CSR)."""
        rows, columns, values = self.components(docs)
        indptr = np.zeros(len(docs) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=len(docs)), out=indptr[1:])
        return sparse.csr_matrix((values, columns.astype(np.int32), indptr),
                                 shape=(len(docs), len(self.idf)))

    @property
    def terms(self) -> list[str]:
        """Vocabulary terms in column order."""
        out = [""] * len(self.vocabulary)
        for term, column in self.vocabulary.items():
            out[column] = term
        return out

    @classmethod
    def from_terms(cls, analyzer: str, ngram_range: Sequence[int], terms: Sequence[str],
                   idf: np.ndarray) -> TfidfTransform:
        """Build from terms listed in column order."""
        low, high = ngram_range
        return cls(analyzer, (int(low), int(high)), {t: i for i, t in enumerate(terms)},
                   np.asarray(idf, dtype=np.float64))
