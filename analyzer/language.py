"""Per-text language detection: ``zh``, ``en``, ``mixed`` or ``other``, from script counts."""

from __future__ import annotations

import re

from analyzer.labels import Language

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uac00-\ud7af\u1100-\u11ff]")
_LATIN_WORD = re.compile(r"(?<![\w-])[A-Za-z][a-z]*(?:'[a-z]+)?(?![\w-])")
_ANY_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
#: Latin words that Chinese writers use as Chinese words; alone they do not make a text mixed.
ZH_LOANWORDS: frozenset[str] = frozenset({
    "app", "ok", "wifi", "vip", "diy", "pk", "ps", "tv", "pc", "cpu", "gps", "usb", "logo",
    "plus", "pro", "max", "mini", "ipad", "iphone", "ktv", "atm", "sim", "kg", "cm", "mm",
})
_OTHER_LETTER = re.compile(r"[\u0370-\u03ff\u0400-\u052f\u0590-\u06ff\u0900-\u0dff\u0e00-\u0e7f]")
_PLACEHOLDER = re.compile(r"_[a-z]+_")

#: A text with both scripts is ``mixed`` when it has at least this many Latin words and Han chars.
MIXED_MIN_LATIN_WORDS = 1
MIXED_MIN_HAN = 2


def detect_language(text: str) -> Language:
    """Detect the language of ``text`` (raw or normalised) by counting scripts.

    ``zh``: Han characters with no Latin words other than brand-like tokens (iPhone13, Wi-Fi)
    and common loanwords (app, ok, vip); ``en``: Latin words and no Han; ``mixed``: at least
    two Han characters and one ordinary Latin word ("退款 refund 还没到", "app 一直 crash");
    ``other``: anything else (other scripts, Japanese or Korean, emoji or digits only).
    """
    text = _PLACEHOLDER.sub(" ", text)
    if text.isascii():
        return Language.EN if _ANY_LATIN_WORD.search(text) else Language.OTHER
    han = len(_HAN.findall(text))
    words = [w.lower() for w in _LATIN_WORD.findall(text) if len(w) >= 2]
    latin = sum(w not in ZH_LOANWORDS for w in words)
    any_latin = len(_ANY_LATIN_WORD.findall(text))
    foreign = len(_KANA_HANGUL.findall(text)) + len(_OTHER_LETTER.findall(text))
    if foreign > han + any_latin:
        return Language.OTHER
    if han >= MIXED_MIN_HAN and latin >= MIXED_MIN_LATIN_WORDS:
        return Language.MIXED
    if han:
        return Language.ZH
    if any_latin:
        return Language.EN
    return Language.OTHER
