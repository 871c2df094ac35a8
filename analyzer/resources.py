"""Plain-file resources shipped in ``corpora/``: jieba user dictionary, stop words, cue lexicons.

In a source checkout they are read from ``corpora/`` at the repository root; in an installed
wheel the same files are packaged as ``analyzer/corpora/``.
"""

from __future__ import annotations

import functools
from pathlib import Path

from analyzer.errors import ModelError

USER_DICT = "userdict.txt"
STOPWORDS = {"zh": "stopwords_zh.txt", "en": "stopwords_en.txt"}
LEXICON_DIR = "lexicons"


def resource_dir() -> Path:
    """The folder holding the resource files (installed package first, then source checkout)."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "corpora", package.parent / "corpora"):
        if (candidate / USER_DICT).is_file():
            return candidate
    raise ModelError(
        "resource files (corpora/userdict.txt) not found; reinstall the package with "
        "'pip install .' from the project folder"
    )


def _read_list(path: Path) -> list[str]:
    """Non-empty, non-comment lines of a UTF-8 text file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def user_dictionary_lines() -> list[str]:
    """Lines of the jieba user dictionary (``word [freq] [tag]``)."""
    return _read_list(resource_dir() / USER_DICT)


@functools.cache
def stopwords() -> frozenset[str]:
    """Chinese and English stop words (lower-case), for keywords and trend terms."""
    words: set[str] = set()
    for name in STOPWORDS.values():
        words.update(w.lower() for w in _read_list(resource_dir() / name))
    return frozenset(words)


def lexicons() -> dict[str, list[str]]:
    """Cue lexicons by name (file stem of ``corpora/lexicons/*.txt``), terms lower-cased."""
    folder = resource_dir() / LEXICON_DIR
    return {p.stem: [t.lower() for t in _read_list(p)] for p in sorted(folder.glob("*.txt"))}
