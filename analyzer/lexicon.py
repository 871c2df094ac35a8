"""Fast multi-term matching for cue lexicons: trie-shaped regular expressions.

The terms of all lexicons are compiled into two patterns (ASCII terms, other terms) whose
alternatives share their prefixes (a trie written as a regex), so each text is scanned at most
twice whatever the number of terms. ASCII terms only match at word boundaries, in all their
regular English forms (``charge`` also matches "charged", "charging"; see
:mod:`analyzer.inflection`); Chinese terms match anywhere, as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from analyzer.inflection import term_classes

_ASCII_ALNUM = re.compile(r"[a-z0-9]")


def trie_pattern(stems: Mapping[str, Iterable[str]] | Iterable[str]) -> str:
    """A regex source matching exactly ``stem + ending`` for every stem and its endings
    (``""`` = the stem alone), alternatives sharing their prefixes (a trie) and longer
    continuations tried first. A plain sequence of terms means each term alone."""
    endings_of = (stems if isinstance(stems, Mapping)
                  else {term: ("",) for term in stems})
    trie: dict[str, dict] = {}
    ends: dict[int, set[str]] = {}
    for stem, endings in endings_of.items():
        node = trie
        for ch in stem:
            node = node.setdefault(ch, {})
        ends.setdefault(id(node), set()).update(endings)

    def emit(node: dict[str, dict]) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items())]
        here = ends.get(id(node), set())
        branches += [re.escape(e) for e in sorted(here - {""}, key=lambda e: (-len(e), e))]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in here else body

    return emit(trie)


@dataclass(frozen=True, eq=False)
class LexiconMatcher:
    """Counts, per lexicon, the cue terms found in a text.

    ASCII terms (matched as whole words) and other terms (matched anywhere) are compiled into
    two patterns and counted independently, each scan non-overlapping and longest match
    first. A text is scanned with the ASCII pattern only if it contains an ASCII letter or
    digit, and with the other pattern only if it is not pure ASCII.
    """

    names: tuple[str, ...]
    ascii_pattern: re.Pattern[str] | None
    other_pattern: re.Pattern[str] | None
    owners: Mapping[str, tuple[int, ...]]

    @classmethod
    def build(cls, lexicons: Mapping[str, Sequence[str]]) -> LexiconMatcher:
        """Compile the lexicons (name -> terms)."""
        names = tuple(lexicons)
        owners: dict[str, list[int]] = {}
        ascii_stems: dict[str, set[str]] = {}
        other_terms: list[str] = []
        for index, name in enumerate(names):
            for term in lexicons[name]:
                if not term:
                    continue
                if not term.isascii():
                    forms = {term}
                    other_terms.append(term)
                else:
                    forms = set()
                    for stem, endings in term_classes(term):
                        ascii_stems.setdefault(stem, set()).update(endings)
                        forms.update(stem + ending for ending in endings)
                for form in forms:
                    if index not in owners.setdefault(form, []):
                        owners[form].append(index)
        ascii_pattern = (re.compile(rf"(?<![a-z0-9])(?:{trie_pattern(ascii_stems)})(?![a-z0-9])")
                         if ascii_stems else None)
        other_pattern = re.compile(trie_pattern(other_terms)) if other_terms else None
        return cls(names, ascii_pattern, other_pattern, {t: tuple(v) for t, v in owners.items()})

    def counts(self, texts: Sequence[str], *, prefix_ends: Sequence[int] | None = None
               ) -> np.ndarray:
        """Matrix ``(len(texts), len(names))`` of cue-term hits. With ``prefix_ends`` (one
        offset per text) the matrix has ``2 * len(names)`` columns: the hits in the whole
        text, then the hits lying entirely within ``text[:prefix_end]`` (found in the same
        scan: a prefix is not rescanned)."""
        width = len(self.names)
        out = np.zeros((len(texts), width * (2 if prefix_ends is not None else 1)),
                       dtype=np.float32)
        owners, has_alnum = self.owners, _ASCII_ALNUM.search
        patterns = []
        if self.ascii_pattern is not None:
            patterns.append((self.ascii_pattern, lambda t: has_alnum(t) is not None))
        if self.other_pattern is not None:
            patterns.append((self.other_pattern, lambda t: not t.isascii()))
        for row, text in enumerate(texts):
            end = len(text) if prefix_ends is None else prefix_ends[row]
            whole = end >= len(text)
            for pattern, can_match in patterns:
                if not can_match(text):
                    continue
                if whole:
                    for match in pattern.findall(text):
                        for column in owners[match]:
                            out[row, column] += 1
                    continue
                for found in pattern.finditer(text):
                    in_prefix = found.end() <= end
                    for column in owners[found.group()]:
                        out[row, column] += 1
                        if in_prefix:
                            out[row, width + column] += 1
            if prefix_ends is not None and whole:
                out[row, width:] = out[row, :width]
        return out
