"""The :class:`Analyzer`: three calibrated linear models over bilingual text features.

* ``is_complaint`` — binary, trained on every row;
* ``cause`` — five classes, trained on complaint rows;
* ``type`` — three classes, trained on complaint rows.

Each is a logistic regression wrapped in calibration (``CalibratedClassifierCV`` with
``ensemble=False``: one model fitted on all rows, calibrated on cross-validated predictions;
sigmoid for is_complaint, temperature scaling for cause and type, see ``HEAD_CALIBRATION``),
then reduced to a :class:`~analyzer.heads.LinearHead` of plain arrays, so probabilities are
calibrated, the coefficients explain each decision and the model is stored without pickle.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import sparse

from analyzer.errors import CorpusError, InvalidInputError, NotFittedError
from analyzer.explain import contributions, term_spans, top_terms, top_terms_many
from analyzer.features import Featurizer, keyword_candidates, prepare
from analyzer.heads import LinearHead
from analyzer.labels import CAUSES, TYPES, Cause, ComplaintType
from analyzer.results import Analysis, Explanation, TermWeight
from analyzer.segmentation import Segmenter

if TYPE_CHECKING:
    import pandas as pd
    from sklearn.calibration import CalibratedClassifierCV

#: Texts longer than this are analysed on their first ``MAX_CHARS`` characters.
MAX_CHARS = 20_000
#: A text is a complaint when its calibrated complaint probability is at least this.
COMPLAINT_THRESHOLD = 0.5
#: Causes other than the primary one whose probability reaches this are ``secondary_causes``.
SECONDARY_THRESHOLD = 0.3
#: Calibration of each head (see :mod:`analyzer.heads`): Platt sigmoid for the binary head,
#: temperature scaling for the multi-class heads (it never changes which class wins).
HEAD_CALIBRATION: dict[str, str] = {
    "is_complaint": "sigmoid", "cause": "temperature", "type": "temperature",
}
#: Texts :meth:`Analyzer.warm_up` analyses: one Chinese, one English.
WARM_UP_TEXTS: tuple[str, ...] = ("手机用了三天就黑屏，要求换新机", "The room was dirty.")

_TRUE = {"yes", "true", "1", "y"}
_FALSE = {"no", "false", "0", "n"}


def check_text(text: object) -> str:
    """Return ``text`` if it can be analysed; raise ``TypeError`` or ``InvalidInputError``."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    if not text.strip():
        raise InvalidInputError("text is empty or whitespace only; 文本为空，请提供投诉内容")
    return text


def parse_yes_no(values: Iterable[object]) -> np.ndarray:
    """Booleans from yes/no, true/false or 1/0 values; raises ``CorpusError`` on anything else."""
    out = []
    for v in values:
        s = str(v).strip().lower()
        if s in _TRUE:
            out.append(True)
        elif s in _FALSE:
            out.append(False)
        else:
            raise CorpusError(f"is_complaint value {v!r} is not yes/no (or true/false, 1/0)")
    return np.array(out, dtype=bool)


class Analyzer:
    """Classifies texts as complaint or not, by cause and by complaint type, with explanations.

    Parameters are plain settings; fitted state lives in attributes ending in ``_``. Use
    :meth:`fit` to train, :meth:`save` / :meth:`load` (see :mod:`analyzer.persistence`) to
    store, :meth:`analyze` / :meth:`analyze_many` to predict.
    """

    def __init__(self, *, C: float = 16.0, calibration_cv: int = 3,
                 complaint_threshold: float = COMPLAINT_THRESHOLD,
                 secondary_threshold: float = SECONDARY_THRESHOLD, max_chars: int = MAX_CHARS,
                 n_keywords: int = 5, lexicons: Mapping[str, Sequence[str]] | None = None,
                 user_words: Sequence[str] | None = None,
                 stopwords: Iterable[str] | None = None) -> None:
        self.C = C
        self.calibration_cv = calibration_cv
        self.complaint_threshold = complaint_threshold
        self.secondary_threshold = secondary_threshold
        self.max_chars = max_chars
        self.n_keywords = n_keywords
        self.lexicons = lexicons
        self.user_words = user_words
        self.stopwords = stopwords
        self.featurizer_: Featurizer | None = None
        self.complaint_head_: LinearHead | None = None
        self.cause_head_: LinearHead | None = None
        self.type_head_: LinearHead | None = None
        #: Which word features may be shown as keywords (no placeholder, not stop words only).
        self.keyword_mask_: np.ndarray | None = None
        self.metadata_: dict[str, Any] = {}
        self._segmenter: Segmenter | None = None
        self._explain_cache: dict[str, Any] | None = None

    # ----------------------------------------------------------------- resources
    def _resolved_resources(self) -> tuple[dict[str, list[str]], list[str], frozenset[str]]:
        from analyzer import resources

        lexicons = dict(self.lexicons) if self.lexicons is not None else resources.lexicons()
        user_words = (list(self.user_words) if self.user_words is not None
                      else resources.user_dictionary_lines())
        stop = (frozenset(self.stopwords) if self.stopwords is not None
                else resources.stopwords())
        return {k: list(v) for k, v in lexicons.items()}, user_words, stop

    @property
    def segmenter(self) -> Segmenter:
        """The segmenter with this model's user dictionary (created on first use)."""
        if self._segmenter is None:
            self._segmenter = Segmenter(self.user_words)
        return self._segmenter

    # ----------------------------------------------------------------- training
    def _classifier(self, calibration: str) -> CalibratedClassifierCV:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.linear_model import LogisticRegression

        return CalibratedClassifierCV(
            LogisticRegression(C=self.C, max_iter=5000), method=calibration,
            cv=self.calibration_cv, ensemble=False,
        )

    def _fit_head(self, task: str, features: sparse.csr_matrix, labels: np.ndarray
                  ) -> LinearHead:
        classifier = self._classifier(HEAD_CALIBRATION[task])
        return LinearHead.from_calibrated(classifier.fit(features, labels))

    def fit(self, frame: pd.DataFrame) -> Analyzer:
        """Train on a labelled frame with columns ``text, is_complaint, cause, type``.

        ``is_complaint`` is yes/no; ``cause`` and ``type`` are read on complaint rows only.
        Returns self.
        """
        missing = [c for c in ("text", "is_complaint", "cause", "type") if c not in frame]
        if missing:
            raise CorpusError(f"training frame lacks columns {missing}; "
                              "expected text, is_complaint, cause, type")
        texts = [check_text(t)[: self.max_chars] for t in frame["text"]]
        y_complaint = parse_yes_no(frame["is_complaint"])
        causes = frame["cause"].fillna("").astype(str).to_numpy()
        types = frame["type"].fillna("").astype(str).to_numpy()
        bad = sorted({c for c in causes[y_complaint] if c not in CAUSES}
                     | {t for t in types[y_complaint] if t not in TYPES})
        if bad:
            raise CorpusError(f"unknown cause/type labels on complaint rows: {bad}")
        lexicons, user_words, stop = self._resolved_resources()
        self.lexicons, self.user_words, self.stopwords = lexicons, user_words, sorted(stop)
        self._segmenter = None
        docs = prepare(texts, self.segmenter)
        self.featurizer_ = Featurizer(lexicons).fit(docs)
        self.keyword_mask_ = keyword_candidates(self.featurizer_.word_feature_names(), stop)
        features = self.featurizer_.transform(docs)
        labels = np.where(y_complaint, "yes", "no")
        self.complaint_head_ = self._fit_head("is_complaint", features, labels)
        mask = np.flatnonzero(y_complaint)
        self.cause_head_ = self._fit_head("cause", features[mask], causes[mask])
        self.type_head_ = self._fit_head("type", features[mask], types[mask])
        self._explain_cache = None
        self.metadata_ = {
            "trained_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "n_rows": len(texts),
            "n_complaints": int(y_complaint.sum()),
            "labels": {"is_complaint": ["no", "yes"], "cause": list(CAUSES),
                       "type": list(TYPES)},
            "params": self.get_params(),
        }
        return self

    def get_params(self) -> dict[str, Any]:
        """The scalar settings of this analyzer (for metadata and cloning)."""
        return {"C": self.C, "calibration_cv": self.calibration_cv,
                "complaint_threshold": self.complaint_threshold,
                "secondary_threshold": self.secondary_threshold,
                "max_chars": self.max_chars, "n_keywords": self.n_keywords}

    # ----------------------------------------------------------------- prediction
    def _check_fitted(self) -> tuple[Featurizer, LinearHead, LinearHead, LinearHead]:
        if (self.featurizer_ is None or self.complaint_head_ is None
                or self.cause_head_ is None or self.type_head_ is None
                or self.keyword_mask_ is None):
            raise NotFittedError("this Analyzer is not fitted; call fit() or Analyzer.load()")
        return self.featurizer_, self.complaint_head_, self.cause_head_, self.type_head_

    def _explainers(self) -> dict[str, Any]:
        """Word-block coefficients per task, feature names and the keyword mask (built once)."""
        if self._explain_cache is None:
            featurizer, complaint, cause, ctype = self._check_fitted()
            n = featurizer.n_word_features
            names = featurizer.word_feature_names()
            allowed = self.keyword_mask_

            cause_evidence = cause.class_evidence(n)
            complaint_evidence = complaint.class_evidence(n)
            self._explain_cache = {
                "names": names, "allowed": allowed, "complaint": complaint_evidence,
                "cause": cause_evidence, "type": ctype.class_evidence(n),
                # Keyword evidence: rows 0..n_causes-1 per cause, then the "no complaint" row.
                "keywords": np.vstack([cause_evidence,
                                       complaint_evidence[complaint.classes.index("no")]]),
            }
        return self._explain_cache

    def warm_up(self) -> Analyzer:
        """Analyse two short texts (with explanations) so that what is built on first use
        (the segmenter's dictionary, the explanation caches) is ready; returns self."""
        self.analyze_many(list(WARM_UP_TEXTS), explain=True)
        return self

    def analyze(self, text: str, *, explain: bool = False) -> Analysis:
        """Analyse one text. Raises ``InvalidInputError`` for empty text, ``TypeError`` for
        non-strings. Texts over ``max_chars`` are cut and flagged ``truncated``."""
        return self.analyze_many([text], explain=explain)[0]

    def analyze_many(self, texts: Sequence[str], *, explain: bool = False) -> list[Analysis]:
        """Analyse many texts in one vectorised pass; results are in input order.

        Every text must be a non-empty string (see :func:`check_text`); batch callers that
        need per-row errors check texts first and pass only the valid ones.
        """
        featurizer, complaint, cause, ctype = self._check_fitted()
        originals = [check_text(t) for t in texts]
        if not originals:
            return []
        cut = [t[: self.max_chars] for t in originals]
        docs = prepare(cut, self.segmenter)
        word, features = featurizer.transform_blocks(docs)
        p_complaint = complaint.predict_proba(features)[:, complaint.classes.index("yes")]
        p_cause = cause.predict_proba(features)
        p_type = ctype.predict_proba(features)
        cause_classes = list(cause.classes)
        type_classes = list(ctype.classes)
        is_c = p_complaint >= self.complaint_threshold
        cause_idx = p_cause.argmax(axis=1)
        type_idx = p_type.argmax(axis=1)

        ex = self._explainers()
        p_complaint, p_cause, p_type = (np.round(p, 4) for p in (p_complaint, p_cause, p_type))
        complaint_list, cause_list, type_list = (p.tolist() for p in
                                                 (p_complaint, p_cause, p_type))
        # Keywords: the terms pushing a complaint towards its cause, a non-complaint towards "no".
        evidence_row = np.where(is_c, cause_idx, len(cause_classes))
        keyword_lists = top_terms_many(contributions(word, ex["keywords"], evidence_row),
                                       ex["names"], ex["allowed"], self.n_keywords)
        results = []
        for i, original in enumerate(originals):
            complaint_row = bool(is_c[i])
            keywords = tuple(t for t, _ in keyword_lists[i])
            primary = cause_classes[cause_idx[i]]
            secondary = tuple(
                Cause(c) for c, p in sorted(zip(cause_classes, cause_list[i]),
                                            key=lambda cp: -cp[1])
                if c != primary and p >= self.secondary_threshold
            ) if complaint_row else ()
            explanations: tuple[Explanation, ...] = ()
            if explain:
                explanations = self._explain_row(cut[i], word, i, complaint_row,
                                                 cause_idx[i], type_idx[i],
                                                 cause_classes[cause_idx[i]],
                                                 type_classes[type_idx[i]])
            results.append(Analysis(
                language=docs[i].language,
                is_complaint=complaint_row,
                complaint_score=complaint_list[i],
                cause=Cause(primary) if complaint_row else None,
                cause_score=cause_list[i][cause_idx[i]] if complaint_row else None,
                type=ComplaintType(type_classes[type_idx[i]]) if complaint_row else None,
                type_score=type_list[i][type_idx[i]] if complaint_row else None,
                secondary_causes=secondary,
                cause_probabilities=dict(zip(cause_classes, cause_list[i])),
                type_probabilities=dict(zip(type_classes, type_list[i])),
                keywords=keywords,
                truncated=len(original) > self.max_chars,
                explanations=explanations,
            ))
        return results

    def _explain_row(self, text: str, word: sparse.csr_matrix, i: int, complaint_row: bool,
                     cause_i: int, type_i: int, cause_label: str, type_label: str
                     ) -> tuple[Explanation, ...]:
        ex = self._explainers()
        row = word[i]
        label = "yes" if complaint_row else "no"
        tasks = [("is_complaint", label, ex["complaint"],
                  self._check_fitted()[1].classes.index(label))]
        if complaint_row:
            tasks += [("cause", cause_label, ex["cause"], cause_i),
                      ("type", type_label, ex["type"], type_i)]
        out = []
        for task, label, coef, cls in tasks:
            contrib = contributions(row, coef, np.array([cls]))
            terms = top_terms(contrib, 0, ex["names"], ex["allowed"], self.n_keywords)
            spans = term_spans(text, [t for t, _ in terms])
            out.append(Explanation(task, label, tuple(
                TermWeight(t, round(w, 4), s) for (t, w), s in zip(terms, spans))))
        return tuple(out)

    # ----------------------------------------------------------------- persistence
    def save(self, path: str | Path) -> Path:
        """Write the fitted model to ``path`` (arrays and JSON, no pickle; see persistence)."""
        from analyzer.persistence import save_analyzer

        return save_analyzer(self, Path(path))

    @classmethod
    def load(cls, path: str | Path) -> Analyzer:
        """Load a model written by :meth:`save` (never unpickles anything)."""
        from analyzer.persistence import load_analyzer

        return load_analyzer(Path(path))
