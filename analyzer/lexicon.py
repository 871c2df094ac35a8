"""Fast multi-term matching for cue lexicons: one trie-shaped regular expression per model.

All terms of all lexicons are compiled into a single pattern whose alternatives share their
prefixes (a trie written as a regex), so each text is scanned once whatever the number of
terms. ASCII terms only match at word boundaries; Chinese terms match anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


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
    """Counts, per lexicon, the cue terms found in a text."""

    names: tuple[str, ...]
    pattern: re.Pattern[str] | None
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
        parts = []
        if ascii_terms:
            parts.append(rf"(?<![a-z0-9])(?:{trie_pattern(ascii_terms)})(?![a-z0-9])")
        if other_terms:
            parts.append(trie_pattern(other_terms))
        pattern = re.compile("|".join(parts)) if parts else None
        return cls(names, pattern, {t: tuple(v) for t, v in owners.items()})

    def counts(self, texts: Sequence[str]) -> np.ndarray:
        """Matrix ``(len(texts), len(names))`` of cue-term hits."""
        out = np.zeros((len(texts), len(self.names)), dtype=np.float32)
        if self.pattern is None:
            return out
        findall, owners = self.pattern.findall, self.owners
        for row, text in enumerate(texts):
            for match in findall(text):
                for column in owners[match]:
                    out[row, column] += 1
        return out
