"""Typed, frozen results of an analysis."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from analyzer.labels import Cause, ComplaintType, Language


@dataclass(frozen=True)
class TermWeight:
    """A term that pushed a label up, its weight, and where it occurs in the original text.

    ``spans`` are ``(start, end)`` character offsets into the original text (end exclusive).
    """

    term: str
    weight: float
    spans: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Explanation:
    """Why a label was chosen: the top contributing terms for ``task`` = ``label``."""

    task: str
    label: str
    terms: tuple[TermWeight, ...]


@dataclass(frozen=True)
class Analysis:
    """The analysis of one text.

    ``cause``, ``cause_score``, ``type`` and ``type_score`` are ``None`` and
    ``secondary_causes`` is empty when ``is_complaint`` is false; the full probability
    distributions are always given.
    """

    language: Language
    is_complaint: bool
    complaint_score: float
    cause: Cause | None
    cause_score: float | None
    type: ComplaintType | None
    type_score: float | None
    secondary_causes: tuple[Cause, ...]
    cause_probabilities: Mapping[str, float]
    type_probabilities: Mapping[str, float]
    keywords: tuple[str, ...]
    truncated: bool = False
    explanations: tuple[Explanation, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (enums as their values; explanations only when present)."""
        out: dict[str, Any] = {
            "language": self.language.value,
            "is_complaint": self.is_complaint,
            "complaint_score": self.complaint_score,
            "cause": self.cause.value if self.cause else None,
            "cause_score": self.cause_score,
            "type": self.type.value if self.type else None,
            "type_score": self.type_score,
            "secondary_causes": [c.value for c in self.secondary_causes],
            "cause_probabilities": dict(self.cause_probabilities),
            "type_probabilities": dict(self.type_probabilities),
            "keywords": list(self.keywords),
            "truncated": self.truncated,
        }
        if self.explanations:
            out["explanations"] = [
                {"task": e.task, "label": e.label,
                 "terms": [{"term": t.term, "weight": t.weight,
                            "spans": [list(s) for s in t.spans]} for t in e.terms]}
                for e in self.explanations
            ]
        return out
