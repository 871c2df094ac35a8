"""Text normalisation before features: Unicode, width, entities, script and personal data.

Two views of a text are produced:

* :func:`normalize` — the feature view: NFKC (full-width to half-width), HTML entities decoded,
  typographic quotes folded to ASCII, traditional Chinese mapped to simplified, personal data
  and numbers replaced by placeholder tokens (``_url_``, ``_phone_`` ...), whitespace folded,
  lower-cased Latin letters.
* :func:`aligned_view` — a view of the original with exactly the same length, used to find the
  character spans of explanation terms in the original text.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

#: Placeholder tokens that stand for personal data or identifiers. They are never keywords.
PLACEHOLDERS: tuple[str, ...] = (
    "_url_", "_email_", "_handle_", "_phone_", "_idnum_", "_card_", "_order_", "_masked_",
    "_money_",
)

# Order matters: the first pattern that matches a stretch of text wins.
_PII_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("_url_", re.compile(r"(?:https?://|www\.)[^\s\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]+",
                         re.IGNORECASE)),
    ("_email_", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("_handle_", re.compile(r"(?<![\w@])@[A-Za-z0-9_\u4e00-\u9fff\-]{1,30}")),
    ("_phone_", re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?(?:\d{4}|\*{4}|[xX]{4})[- ]?\d{4}"
                           r"(?!\d)|(?<!\d)(?:\+?1[-. ]?)?\(?\d{3}\)?[-. ]\d{3}[-. ]\d{4}(?!\d)")),
    ("_idnum_", re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")),
    ("_card_", re.compile(r"(?<!\d)(?:\d{4}[- ]){3}\d{1,7}(?!\d)|(?<!\d)\d{15,16}(?!\d)")),
    ("_order_", re.compile(r"#?\b[A-Za-z]{0,4}\d{8,}\b|(?<!\d)\d{8,}(?!\d)"
                           r"|#[A-Za-z0-9-]*\d[A-Za-z0-9-]{4,}")),
    ("_masked_", re.compile(r"\b[xX]{2}/[xX]{2}/(?:\d{2,4}|[xX]{2,4})\b|[xX*]{3,}[\w*/-]*")),
    ("_money_", re.compile(r"(?:[$¥€£]|usd|rmb|hk\$)\s?\d[\d,]*(?:\.\d+)?"
                           r"|\d[\d,]*(?:\.\d+)?\s?(?:元|块钱|块|美元|美金|dollars|bucks|usd|rmb)",
                           re.IGNORECASE)),
)
_DIGIT = re.compile(r"\d")
_EMAIL_CUE = re.compile(r"[\w.+-]@[\w-]")
_MASKED_CUE = re.compile(r"[xX*]{3}|[xX]{2}/")
_MONEY_CUE = re.compile(r"[$¥€£元块美]|usd|rmb|dollars|bucks", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
#: Typographic apostrophes and quotes -> ASCII ones (one character each, so offsets are kept):
#: phones type "can’t", training text mostly "can't"; both must give the same features.
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u02bc": "'",
                         "\u2032": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
                         "\u2033": '"'})
_QUOTE_CUE = re.compile("[\u2018\u2019\u201b\u02bc\u2032\u201c\u201d\u201e\u2033]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")


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
            if target != source and len(target) == 1:
                table[ord(source)] = target
    return table


def to_simplified(text: str) -> str:
    """Map traditional Chinese characters to simplified ones, character by character.

    The mapping is one character to one character, so string length and offsets are kept.
    """
    return text.translate(_t2s_table())


class _Clues(NamedTuple):
    """Facts about a text that rule patterns out cheaply. Substitutions only ever remove digits
    and cue characters, so clues taken before the first substitution stay necessary
    conditions."""

    text: str
    lower: str
    digits: int


#: Necessary condition for each placeholder's pattern to match (a cheap pre-check, so that each
#: pattern only scans texts it could match): minimum digit counts follow from the patterns.
_PRECHECKS: dict[str, Callable[[_Clues], bool]] = {
    "_url_": lambda c: "://" in c.text or "www." in c.lower,
    "_email_": lambda c: "@" in c.text and _EMAIL_CUE.search(c.text) is not None,
    "_handle_": lambda c: "@" in c.text,
    "_phone_": lambda c: c.digits >= 7,
    "_idnum_": lambda c: c.digits >= 17,
    "_card_": lambda c: c.digits >= 13,
    "_order_": lambda c: c.digits >= 8 or (c.digits >= 1 and "#" in c.text),
    "_masked_": lambda c: _MASKED_CUE.search(c.text) is not None,
    "_money_": lambda c: c.digits >= 1 and _MONEY_CUE.search(c.text) is not None,
}


def mask_personal_data(text: str) -> str:
    """Replace URLs, e-mails, @handles, phone/ID/card/order numbers, masked data and amounts
    by placeholder tokens, in that order of precedence."""
    clues = _Clues(text, text.lower(),
                   len(_DIGIT.findall(text)) if _DIGIT.search(text) else 0)
    for placeholder, pattern in _PII_PATTERNS:
        if _PRECHECKS[placeholder](clues):
            text = pattern.sub(f" {placeholder} ", text)
    return text


def fold_quotes(text: str) -> str:
    """``text`` with typographic quotes and apostrophes (‘ ’ ʼ “ ” ...) as plain ``'`` and
    ``"``."""
    return text.translate(_QUOTES) if _QUOTE_CUE.search(text) else text


def normalize(text: str) -> str:
    """The feature view of ``text`` (see module docstring). Pure function of its input."""
    if "&" in text:
        text = html.unescape(text)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub(" ", text)
    if not text.isascii():
        text = fold_quotes(to_simplified(text))
    text = mask_personal_data(text)
    return _SPACE.sub(" ", text).strip().lower()


def _fold_char(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch).translate(_QUOTES)
    return folded.lower() if len(folded) == 1 and len(folded.lower()) == 1 else ch


def aligned_view(text: str) -> str:
    """Lower-cased, half-width, simplified view of ``text`` with identical length and offsets."""
    return to_simplified("".join(_fold_char(c) for c in text))
