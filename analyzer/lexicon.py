"""Fast multi-term matching for cue lexicons: trie-shaped regular expressions.

The terms of all lexicons are compiled into two patterns (ASCII terms, other terms) whose
alternatives share their prefixes (a trie written as a regex), so each text is scanned at most
twice whatever the number of terms. ASCII terms only match at word boundaries; Chinese terms
match anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

_ASCII_ALNUM = re.compile(r"[a-z0-9]")


def trie_pattern(terms: Sequence[str]) -> str:
    """A regex source matching exactly ``terms`` (longest first), with shared prefixes."""
    trie: dict[str, dict] = {}
    for term in terms:
        node = trie
        for ch in term:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        ends = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

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
        for index, name in enumerate(names):
            for term in lexicons[name]:
                if term and index not in owners.setdefault(term, []):
                    owners[term].append(index)
        ascii_terms = [t for t in owners if t.isascii()]
        other_terms = [t for t in owners if not t.isascii()]
        ascii_pattern = (re.compile(rf"(?<![a-z0-9])(?:{trie_pattern(ascii_terms)})(?![a-z0-9])")
                         if ascii_terms else None)
        other_pattern = re.compile(trie_pattern(other_terms)) if other_terms else None
        return cls(names, ascii_pattern, other_pattern, {t: tuple(v) for t, v in owners.items()})

    def counts(self, texts: Sequence[str]) -> np.ndarray:
        """Matrix ``(len(texts), len(names))`` of cue-term hits."""
        out = np.zeros((len(texts), len(self.names)), dtype=np.float32)
        owners, has_alnum = self.owners, _ASCII_ALNUM.search
        ascii_findall = self.ascii_pattern.findall if self.ascii_pattern else None
        other_findall = self.other_pattern.findall if self.other_pattern else None
        for row, text in enumerate(texts):
            matches: list[str] = []
            if ascii_findall is not None and has_alnum(text):
                matches += ascii_findall(text)
            if other_findall is not None and not text.isascii():
                matches += other_findall(text)
            for match in matches:
                for column in owners[match]:
                    out[row, column] += 1
        return out
