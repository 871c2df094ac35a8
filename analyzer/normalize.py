"""Text normalisation before features: Unicode, width, entities, script and personal data."""

from __future__ import annotations

import functools
from pathlib import Path


@functools.cache
def _t2s_table() -> dict[int, str]:
    """Character table traditional -> simplified, built once from OpenCC's TSCharacters."""
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    table: dict[int, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        if len(source) == 1 and targets:
            target = targets.split()[0]
            if target != source:
                table[ord(source)] = target
    return table


def to_simplified(text: str) -> str:
    """Map traditional Chinese characters to simplified ones, character by character."""
    return text.translate(_t2s_table())
