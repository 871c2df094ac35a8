"""Emerging and distinctive terms: weighted log-odds with an informative Dirichlet prior.

Monroe, Colaresi & Quinn (2008), "Fightin' Words", section 3.5: for a focus corpus ``i`` and
a reference corpus ``j`` with term counts ``y`` and totals ``n``, and prior pseudo-counts
``alpha_w = alpha_0 * background share of w``::

    delta_w = log((y_iw + a_w) / (n_i + a_0 - y_iw - a_w))
            - log((y_jw + a_w) / (n_j + a_0 - y_jw - a_w))
    var_w   ~ 1 / (y_iw + a_w) + 1 / (y_jw + a_w)
    z_w     = delta_w / sqrt(var_w)

Counts are document frequencies (a term counts once per text), so one long rant cannot make
a term rise. Tokens are cleaned by :func:`clean_tokens`: stop words, personal-data
placeholders, punctuation/symbols, bare numbers and single Latin letters are removed.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from analyzer.normalize import PLACEHOLDERS
from analyzer.segmentation import NEGATION_PREFIX
from analyzer.trends.report import Term

#: A tokenizer: text in, tokens out (e.g. ``analyzer.segmentation.Segmenter().segment``).
Tokenizer = Callable[[str], Sequence[str]]

_PLACEHOLDERS = frozenset(PLACEHOLDERS)


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def keep_token(token: str, stopwords: frozenset[str]) -> bool:
    """Whether a token can be a trend term (see the module docstring)."""
    if not token or token in _PLACEHOLDERS or token in stopwords:
        return False
    base = token.removeprefix(NEGATION_PREFIX)
    if base in stopwords or base in _PLACEHOLDERS or not base:
        return False
    if all(unicodedata.category(ch)[0] in "PSZC" for ch in base):
        return False  # punctuation, symbols (emoji), spaces, control characters
    if base.replace(".", "").replace(",", "").isdigit():
        return False
    return not (len(base) == 1 and not _is_han(base))


def clean_tokens(tokens: Iterable[str], stopwords: frozenset[str]) -> frozenset[str]:
    """The distinct kept tokens of one text, lower-cased."""
    return frozenset(t for t in (str(x).strip().lower() for x in tokens)
                     if keep_token(t, stopwords))


class TokenCache:
    """Tokenises texts by row position, each distinct text once (a per-call working cache)."""

    def __init__(self, texts: pd.Series, tokenizer: Tokenizer,
                 stopwords: frozenset[str]) -> None:
        self._texts = texts
        self._tokenizer = tokenizer
        self._stopwords = stopwords
        self._done: dict[int, frozenset[str]] = {}
        self._by_text: dict[str, frozenset[str]] = {}
        self._keep: dict[str, bool] = {}

    def _clean(self, tokens: Iterable[str]) -> frozenset[str]:
        kept: set[str] = set()
        for raw in tokens:
            token = str(raw).strip().lower()
            keep = self._keep.get(token)
            if keep is None:
                keep = self._keep[token] = keep_token(token, self._stopwords)
            if keep:
                kept.add(token)
        return frozenset(kept)

    def documents(self, rows: np.ndarray) -> list[frozenset[str]]:
        """Cleaned token sets of the given row positions (``texts`` is positional)."""
        missing = sorted({int(r) for r in rows} - self._done.keys())
        if missing:
            values = self._texts.iloc[missing].tolist()
            for row, text in zip(missing, values, strict=True):
                doc = self._by_text.get(text)
                if doc is None:
                    doc = self._clean(self._tokenizer(text)) if text else frozenset()
                    self._by_text[text] = doc
                self._done[row] = doc
        return [self._done[int(r)] for r in rows]

    def background(self) -> Counter[str]:
        """Document frequencies over every text tokenised so far."""
        return document_frequencies(self._done.values())


def sample_rows(rows: np.ndarray, limit: int, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """At most ``limit`` of ``rows`` (random without replacement, sorted), and whether sampled."""
    if len(rows) <= limit:
        return rows, False
    return np.sort(rng.choice(rows, size=limit, replace=False)), True


def document_frequencies(docs: Iterable[frozenset[str]]) -> Counter[str]:
    """In how many documents each term occurs."""
    counts: Counter[str] = Counter()
    for doc in docs:
        counts.update(doc)
    return counts


def weighted_log_odds(
    focus: Counter[str],
    reference: Counter[str],
    background: Counter[str],
    prior_strength: float,
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Terms, log-odds ``delta`` and z-scores of focus vs reference (Monroe et al. 2008).

    ``background`` gives the prior's shape (every focus/reference term should occur in it;
    unseen ones get the smallest background count); ``prior_strength`` is ``alpha_0``.
    """
    vocab = sorted(set(focus) | set(reference))
    if not vocab:
        return [], np.zeros(0), np.zeros(0)
    y_i = np.array([focus.get(w, 0) for w in vocab], dtype=float)
    y_j = np.array([reference.get(w, 0) for w in vocab], dtype=float)
    bg = np.array([background.get(w, 0) for w in vocab], dtype=float)
    positive = bg[bg > 0]
    bg = np.where(bg > 0, bg, positive.min() if positive.size else 1.0)
    bg_total = float(sum(background.values())) or float(bg.sum())
    alpha = prior_strength * bg / bg_total
    a0 = prior_strength
    n_i, n_j = y_i.sum(), y_j.sum()
    delta = (np.log((y_i + alpha) / np.maximum(n_i + a0 - y_i - alpha, 1e-9))
             - np.log((y_j + alpha) / np.maximum(n_j + a0 - y_j - alpha, 1e-9)))
    z = delta / np.sqrt(1.0 / (y_i + alpha) + 1.0 / (y_j + alpha))
    return vocab, delta, z


def top_terms(
    focus_docs: Sequence[frozenset[str]],
    reference_docs: Sequence[frozenset[str]],
    background: Counter[str],
    *,
    prior_strength: float,
    top: int,
    min_z: float,
    min_count: int,
) -> tuple[Term, ...]:
    """The ``top`` terms over-represented in the focus documents (z >= ``min_z``, in at
    least ``min_count`` focus documents), highest z first."""
    focus = document_frequencies(focus_docs)
    reference = document_frequencies(reference_docs)
    vocab, delta, z = weighted_log_odds(focus, reference, background, prior_strength)
    picked: list[Term] = []
    for k in np.argsort(-z, kind="stable"):
        if len(picked) >= top or z[k] < min_z:
            break
        term = vocab[k]
        if focus.get(term, 0) < min_count:
            continue
        picked.append(Term(term=term, z=round(float(z[k]), 4),
                           log_odds=round(float(delta[k]), 4),
                           focus_count=int(focus.get(term, 0)),
                           reference_count=int(reference.get(term, 0))))
    return tuple(picked)
