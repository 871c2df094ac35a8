"""Bilingual segmentation: jieba for Chinese runs, a small rule tokenizer for everything else.

Mixed text is split into script runs; Han runs go to a project-owned jieba segmenter
(``rjieba``, jieba's algorithm in Rust, or the reference ``jieba.Tokenizer``; loaded lazily,
quietly, with the corpus user dictionary); Latin runs are tokenised into words
that keep contractions (``don't``), alphanumerics (``iphone13``) and hyphenated words (``wi-fi``)
whole. Negation is marked in both languages: the two words after a negator (``not``,
``don't``, 不, 没有, 不是 ...) are emitted as ``not_<word>``, up to the next punctuation.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence

from analyzer.normalize import normalize

_RUN = re.compile(
    r"(?P<han>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)"
    r"|(?P<word>_[a-z]+_|[a-z0-9]+(?:['’\-.][a-z0-9]+)*)"
    r"|(?P<mark>[!?！？])"
    r"|(?P<symbol>[\U0001f300-\U0001faff\u2600-\u27bf])"
)
NEGATORS: frozenset[str] = frozenset({
    "not", "no", "never", "cannot", "can't", "don't", "doesn't", "didn't", "isn't", "wasn't",
    "aren't", "weren't", "won't", "wouldn't", "couldn't", "shouldn't", "haven't", "hasn't",
    "hadn't", "cant", "dont", "doesnt", "didnt", "isnt", "wasnt", "wont", "nor", "without",
})
ZH_NEGATORS: frozenset[str] = frozenset({
    "不", "没", "没有", "不是", "并不", "并没有", "别", "未", "无", "毫无", "不太", "不怎么",
    "不够", "不算", "从未", "从不", "不再", "不能", "不会", "没法", "无法",
})
NEGATION_PREFIX = "not_"
#: How many words after a negator are marked as negated.
NEGATION_SCOPE = 2


class JiebaBackend:
    """The reference segmenter: a project-owned ``jieba.Tokenizer`` (quiet, HMM on)."""

    name = "jieba"

    def __init__(self) -> None:
        import jieba

        self._tokenizer = jieba.Tokenizer()
        # jieba announces dictionary loading at DEBUG level on its own handler; keep it quiet
        # for the duration of the load without touching any other logging configuration.
        jieba_logger = logging.getLogger("jieba")
        previous = jieba_logger.level
        jieba_logger.setLevel(logging.WARNING)
        try:
            self._tokenizer.initialize()
        finally:
            jieba_logger.setLevel(previous)

    def add_word(self, word: str, freq: int | None, tag: str | None) -> None:
        self._tokenizer.add_word(word, freq, tag)

    def cut(self, text: str) -> list[str]:
        return self._tokenizer.lcut(text, HMM=True)


class RJiebaBackend:
    """jieba's algorithm in Rust (the ``rjieba`` package): same dictionary, same HMM, ~15x
    faster and ~10x quicker to load; token agreement with jieba is measured in bench/."""

    name = "rjieba"

    def __init__(self) -> None:
        import rjieba

        self._tokenizer = rjieba.Jieba()

    def add_word(self, word: str, freq: int | None, tag: str | None) -> None:
        self._tokenizer.add_word(word, freq, tag)

    def cut(self, text: str) -> list[str]:
        return self._tokenizer.cut(text, True)


#: Chinese segmentation backends by name.
BACKENDS: dict[str, type[JiebaBackend] | type[RJiebaBackend]] = {
    "rjieba": RJiebaBackend,
    "jieba": JiebaBackend,
}
DEFAULT_BACKEND = "rjieba"


class Segmenter:
    """Tokenizer for normalised text. Thread-safe; the Chinese backend loads on first use.

    Parameters
    ----------
    user_words:
        Lines of a jieba user dictionary (``word [freq] [tag]``); ``None`` reads the project's
        ``corpora/userdict.txt``.
    backend:
        ``"rjieba"`` (default, fast) or ``"jieba"`` (the reference implementation).
    """

    def __init__(self, user_words: Sequence[str] | None = None,
                 backend: str = DEFAULT_BACKEND) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"unknown segmentation backend {backend!r}; use one of "
                             f"{sorted(BACKENDS)}")
        self.backend = backend
        self._user_words = list(user_words) if user_words is not None else None
        self._chinese: JiebaBackend | RJiebaBackend | None = None
        self._lock = threading.Lock()

    @property
    def user_words(self) -> list[str]:
        """The user dictionary lines this segmenter loads into the backend."""
        if self._user_words is None:
            from analyzer.resources import user_dictionary_lines

            self._user_words = user_dictionary_lines()
        return self._user_words

    def _backend(self) -> JiebaBackend | RJiebaBackend:
        if self._chinese is None:
            with self._lock:
                if self._chinese is None:
                    chinese = BACKENDS[self.backend]()
                    for line in self.user_words:
                        parts = line.split()
                        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
                        tag = parts[2] if len(parts) > 2 else None
                        chinese.add_word(parts[0], freq, tag)
                    self._chinese = chinese
        return self._chinese

    def cut_chinese(self, text: str) -> list[str]:
        """Segment a run of Chinese text with the backend (user dictionary applied)."""
        return self._backend().cut(text)

    def tokens(self, normalized: str) -> list[str]:
        """Tokens of an already normalised text (see :func:`analyzer.normalize.normalize`).

        Negation: after an English or Chinese negator, the next ``NEGATION_SCOPE`` words are
        emitted as ``not_<word>``; the scope ends early at punctuation.
        """
        out: list[str] = []
        scope = 0
        previous_end = 0
        for match in _RUN.finditer(normalized):
            if scope and not normalized[previous_end:match.start()].isspace():
                scope = 0  # punctuation (or any symbol) between runs ends a negation scope
            previous_end = match.end()
            kind = match.lastgroup
            piece = match.group()
            if kind == "han":
                pieces = self.cut_chinese(piece)
                negators = ZH_NEGATORS
            elif kind == "word":
                pieces = [piece.replace("’", "'")]
                negators = NEGATORS
            else:
                out.append(piece)
                scope = 0
                continue
            for token in pieces:
                if token in negators:
                    out.append(token)
                    scope = NEGATION_SCOPE
                elif scope:
                    out.append(NEGATION_PREFIX + token)
                    scope -= 1
                else:
                    out.append(token)
        return out

    def segment(self, text: str) -> list[str]:
        """Normalise ``text`` and return its tokens."""
        return self.tokens(normalize(text))

    def segment_many(self, texts: Iterable[str]) -> list[list[str]]:
        """:meth:`segment` for each text."""
        return [self.segment(t) for t in texts]


def token_agreement(texts: Iterable[str], candidate: Segmenter, reference: Segmenter) -> float:
    """Share of tokens (as multisets, per text) on which ``candidate`` agrees with
    ``reference``: matched tokens / the larger token count, summed over ``texts``."""
    same = total = 0
    for text in texts:
        a, b = Counter(candidate.segment(text)), Counter(reference.segment(text))
        same += sum((a & b).values())
        total += max(sum(a.values()), sum(b.values()))
    return same / total if total else 1.0
