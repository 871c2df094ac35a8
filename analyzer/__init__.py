"""complaint-analyzer: why customers complain and what they want, in Chinese and English.

Quick use::

    >>> import analyzer
    >>> result = analyzer.analyze("手机用了三天就黑屏，要求换新机")
    >>> result.cause, result.type

Nothing heavy happens at import time; the default model is loaded on first use and cached
(see :func:`default_analyzer`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Analysis", "Analyzer", "AnalyzerError", "Cause", "ComplaintType", "CorpusError",
    "Explanation", "InputFileError", "InvalidInputError", "Language", "ModelError",
    "TermWeight", "analyze", "default_analyzer", "detect_language", "segment",
]

from analyzer.errors import (
    AnalyzerError,
    CorpusError,
    InputFileError,
    InvalidInputError,
    ModelError,
)
from analyzer.labels import Cause, ComplaintType, Language
from analyzer.language import detect_language

if TYPE_CHECKING:
    from analyzer.model import Analyzer
    from analyzer.results import Analysis, Explanation, TermWeight

_LAZY = {
    "Analyzer": "analyzer.model",
    "Analysis": "analyzer.results",
    "Explanation": "analyzer.results",
    "TermWeight": "analyzer.results",
    "default_analyzer": "analyzer.persistence",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'analyzer' has no attribute {name!r}")


def analyze(text: str, *, explain: bool = False) -> Analysis:
    """Analyse one text with the packaged default model (loaded once, then cached)."""
    from analyzer.persistence import default_analyzer

    return default_analyzer().analyze(text, explain=explain)


def segment(text: str) -> list[str]:
    """Normalise and segment ``text`` (Chinese with jieba and the user dictionary, English
    with negation marking), using the default model's dictionary."""
    from analyzer.persistence import default_analyzer

    return default_analyzer().segmenter.segment(text)
