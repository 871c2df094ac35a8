"""Feature extraction: word n-grams over segmented tokens, character n-grams, cue lexicons.

Texts are prepared once (normalised, segmented) and then turned into one sparse matrix:
``[word TF-IDF | char TF-IDF | lexicon hits | language]``. A fitted :class:`Featurizer` is
plain data (vocabularies, IDF weights, settings), so it is saved without pickle (see
:mod:`analyzer.persistence`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from analyzer.errors import NotFittedError
from analyzer.labels import Language
from analyzer.language import detect_language
from analyzer.lexicon import LexiconMatcher
from analyzer.normalize import PLACEHOLDERS, normalize
from analyzer.segmentation import Segmenter
from analyzer.vectorize import TfidfTransform

#: Tokens are joined with spaces for the word vectorizer; a token never contains whitespace.
_TOKEN_PATTERN = r"\S+"


@dataclass(frozen=True)
class Prepared:
    """A text as the model sees it: its normalised form, its tokens joined by single spaces
    (the vectorizers' input; a token never contains whitespace) and its detected language."""

    normalized: str
    joined: str
    language: Language


def prepare(texts: Sequence[str], segmenter: Segmenter) -> list[Prepared]:
    """Normalise, segment and detect the language of each text."""
    out = []
    tokens, detect = segmenter.tokens, detect_language
    for text in texts:
        normalized = normalize(text)
        out.append(Prepared(normalized, " ".join(tokens(normalized)), detect(normalized)))
    return out


_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|[。！？；;\n]")
_CONTENT = re.compile(r"[^\W_]")


def opening_sentence(text: str) -> str:
    """``text`` up to the end of its first sentence with a letter, digit or Chinese character
    in it (``.``, ``!``, ``?`` followed by a space or the end; ``。！？；;`` or a line break), or
    the whole text when it is one sentence."""
    for end in _SENTENCE_END.finditer(text):
        if _CONTENT.search(text, 0, end.start()):
            return text[:end.end()]
    return text


class Featurizer:
    """Turns prepared texts into the model's sparse feature matrix.

    ``fit`` learns the word and character vocabularies; lexicon features count, per cue
    lexicon, how many of its terms occur in the normalised text (one left-to-right scan,
    longest match first; scaled by ``log1p`` and ``lexicon_weight``). With
    ``opening_lexicons`` each lexicon is also counted in the opening sentence alone (see
    :func:`opening_sentence`): the labeling guide takes the cause the writer stresses, and on a
    tie the one mentioned first, which a count over the whole text cannot tell apart.
    """

    def __init__(self, lexicons: Mapping[str, Sequence[str]] | None = None, *,
                 word_ngrams: tuple[int, int] = (1, 2), char_ngrams: tuple[int, int] = (1, 3),
                 min_df: int = 2, max_word_features: int = 150_000,
                 max_char_features: int = 150_000, lexicon_weight: float = 1.5,
                 char_input: str = "tokens", language_features: bool = True,
                 opening_lexicons: bool = True) -> None:
        if char_input not in ("tokens", "text"):
            raise ValueError("char_input must be 'tokens' or 'text'")
        self.lexicons = {k: list(v) for k, v in (lexicons or {}).items()}
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features
        self.lexicon_weight = lexicon_weight
        self.char_input = char_input
        self.language_features = language_features
        self.opening_lexicons = opening_lexicons
        self.word_vectorizer_: TfidfTransform | None = None
        self.char_vectorizer_: TfidfTransform | None = None
        self._matcher: LexiconMatcher | None = None

    @property
    def matcher(self) -> LexiconMatcher:
        """The compiled cue-lexicon matcher (built on first use)."""
        if self._matcher is None:
            self._matcher = LexiconMatcher.build(self.lexicons)
        return self._matcher

    def _fit_transform(self, analyzer: str, ngrams: tuple[int, int], max_features: int,
                       docs: list[str]) -> TfidfTransform:
        from sklearn.feature_extraction.text import TfidfVectorizer

        if analyzer == "word":
            vectorizer = TfidfVectorizer(token_pattern=_TOKEN_PATTERN, lowercase=False,
                                         ngram_range=ngrams, min_df=self.min_df,
                                         max_features=max_features, sublinear_tf=True)
        else:
            vectorizer = TfidfVectorizer(analyzer="char_wb", lowercase=False,
                                         ngram_range=ngrams, min_df=self.min_df,
                                         max_features=max_features, sublinear_tf=True)
        vectorizer.fit(docs)
        return TfidfTransform.from_terms(analyzer, ngrams,
                                         vectorizer.get_feature_names_out().tolist(),
                                         vectorizer.idf_)

    def _char_docs(self, docs: Sequence[Prepared]) -> list[str]:
        """Input of the character block: the segmented tokens (n-grams inside each token,
        cached per token) or the normalised text (n-grams inside whitespace words)."""
        return [d.joined if self.char_input == "tokens" else d.normalized for d in docs]

    def fit(self, docs: Sequence[Prepared]) -> Featurizer:
        """Learn vocabularies and IDF weights from ``docs`` (with scikit-learn); returns self."""
        self.word_vectorizer_ = self._fit_transform(
            "word", self.word_ngrams, self.max_word_features, [d.joined for d in docs])
        self.char_vectorizer_ = self._fit_transform(
            "char_wb", self.char_ngrams, self.max_char_features, self._char_docs(docs))
        return self

    def get_params(self) -> dict[str, Any]:
        """Settings (JSON-ready) needed to rebuild this featurizer."""
        return {"word_ngrams": list(self.word_ngrams), "char_ngrams": list(self.char_ngrams),
                "min_df": self.min_df, "max_word_features": self.max_word_features,
                "max_char_features": self.max_char_features,
                "lexicon_weight": self.lexicon_weight, "char_input": self.char_input,
                "language_features": self.language_features,
                "opening_lexicons": self.opening_lexicons}

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Vocabularies (UTF-8, newline-joined, in column order) and IDF weights."""
        word, char = self._check_fitted()
        out: dict[str, np.ndarray] = {}
        for key, vec in (("word", word), ("char", char)):
            out[f"{key}.vocabulary"] = np.frombuffer("\n".join(vec.terms).encode("utf-8"),
                                                     dtype=np.uint8)
            out[f"{key}.idf"] = vec.idf
        return out

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], params: Mapping[str, Any],
                    lexicons: Mapping[str, Sequence[str]]) -> Featurizer:
        """Rebuild a fitted featurizer from :meth:`to_arrays` output and :meth:`get_params`."""
        featurizer = cls(lexicons, word_ngrams=tuple(params["word_ngrams"]),
                         char_ngrams=tuple(params["char_ngrams"]), min_df=params["min_df"],
                         max_word_features=params["max_word_features"],
                         max_char_features=params["max_char_features"],
                         lexicon_weight=params["lexicon_weight"],
                         char_input=params["char_input"],
                         language_features=params["language_features"],
                         opening_lexicons=params["opening_lexicons"])
        transforms = {}
        for key, analyzer, ngrams in (("word", "word", featurizer.word_ngrams),
                                      ("char", "char_wb", featurizer.char_ngrams)):
            raw = arrays[f"{key}.vocabulary"].tobytes().decode("utf-8")
            transforms[key] = TfidfTransform.from_terms(
                analyzer, ngrams, raw.split("\n") if raw else [], arrays[f"{key}.idf"])
        featurizer.word_vectorizer_ = transforms["word"]
        featurizer.char_vectorizer_ = transforms["char"]
        return featurizer

    def _check_fitted(self) -> tuple[TfidfTransform, TfidfTransform]:
        if self.word_vectorizer_ is None or self.char_vectorizer_ is None:
            raise NotFittedError("the featurizer is not fitted; call fit() or load a model")
        return self.word_vectorizer_, self.char_vectorizer_

    def transform(self, docs: Sequence[Prepared]) -> sparse.csr_matrix:
        """The full feature matrix ``[word | char | lexicon | language]`` for ``docs``."""
        return self.transform_blocks(docs)[1]

    def transform_blocks(self, docs: Sequence[Prepared]
                         ) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """The word block alone (for explanations) and the full feature matrix
        ``[word | char | lexicon | language]``, each built in one step from its parts."""
        word, char = self._check_fitted()
        parts = [word.components([d.joined for d in docs]),
                 char.components(self._char_docs(docs))]
        widths = [len(word.idf), len(char.idf)]
        if self.lexicons:
            parts.append(_dense_components(self.lexicon_values(docs)))
            widths.append(len(self.matcher.names) * (2 if self.opening_lexicons else 1))
        if self.language_features:
            parts.append(_dense_components(self.language_values(docs)))
            widths.append(len(Language))
        offsets = np.cumsum([0, *widths[:-1]])
        rows = np.concatenate([p[0] for p in parts])
        order = np.argsort(rows, kind="stable")  # blocks stay in column order within a row
        columns = np.concatenate([p[1] + off for p, off in zip(parts, offsets)])[order]
        values = np.concatenate([p[2] for p in parts]).astype(np.float32)[order]
        full = _csr(values, columns, rows[order], (len(docs), int(sum(widths))))
        word_block = _csr(parts[0][2], parts[0][1], parts[0][0], (len(docs), widths[0]))
        return word_block, full

    def lexicon_values(self, docs: Sequence[Prepared]) -> np.ndarray:
        """Scaled cue-lexicon hit counts, one column per lexicon (in ``matcher.names`` order),
        then, with ``opening_lexicons``, one per lexicon over the opening sentence."""
        texts = [d.normalized for d in docs]
        ends = [len(opening_sentence(t)) for t in texts] if self.opening_lexicons else None
        return np.log1p(self.matcher.counts(texts, prefix_ends=ends)) * self.lexicon_weight

    def language_values(self, docs: Sequence[Prepared]) -> np.ndarray:
        """One-hot detected language (zh, en, mixed, other): lets each language have its own
        intercept while sharing everything else."""
        column = {lang: i for i, lang in enumerate(Language)}
        out = np.zeros((len(docs), len(column)), dtype=np.float32)
        out[np.arange(len(docs)), [column[d.language] for d in docs]] = 1.0
        return out

    @property
    def n_word_features(self) -> int:
        """Number of columns in the word block (the first columns of the matrix)."""
        return len(self._check_fitted()[0].vocabulary)

    def word_feature_names(self) -> np.ndarray:
        """Names of the word block's columns (unigrams and space-joined bigrams)."""
        return np.array(self._check_fitted()[0].terms, dtype=object)


def _csr(values: np.ndarray, columns: np.ndarray, sorted_rows: np.ndarray,
         shape: tuple[int, int]) -> sparse.csr_matrix:
    """A CSR matrix from entries already sorted by row (and by column within a row)."""
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(sorted_rows, minlength=shape[0]), out=indptr[1:])
    return sparse.csr_matrix((values.astype(np.float32, copy=False),
                              columns.astype(np.int32, copy=False), indptr), shape=shape)


def _dense_components(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows, columns = np.nonzero(values)
    return rows, columns, values[rows, columns]


def keyword_candidates(terms: Sequence[str], stopwords: frozenset[str]) -> np.ndarray:
    """Which word features may be shown as keywords: no placeholder token, and not made of
    stop words, digits and punctuation only. Each distinct token is judged once."""
    kinds: dict[str, int] = {}  # 0: placeholder, 1: filler (stop word, digits, punct.), 2: content

    def kind(token: str) -> int:
        if token in PLACEHOLDERS:
            return 0
        if token in stopwords or token.isdigit() or not any(ch.isalnum() for ch in token):
            return 1
        return 2

    out = np.empty(len(terms), dtype=bool)
    for i, term in enumerate(terms):
        parts = [kinds[p] if p in kinds else kinds.setdefault(p, kind(p))
                 for p in term.split(" ")]
        out[i] = 0 not in parts and 2 in parts
    return out
