"""Regular English inflections of cue-lexicon terms, so a lexicon entry matches its word forms.

A lexicon lists ``harass``; customers write "harassing", "harassed" or "harasses". Instead of
listing every form, each English term is turned into ``(stem, endings)`` pairs: the term's
last word is inflected by the regular rules of English spelling (plural / third person,
past, present participle) and the stem is what all those forms share, so the matcher can
compile one trie of stems with a short group of endings after each (see
:mod:`analyzer.lexicon`)::

    charge  -> ("charg", ("e", "es", "ed", "ing"))     charge charges charged charging
    apply   -> ("appl",  ("y", "ies", "ied", "ying"))
    stop    -> ("stop",  ("", "s")), ("stopp", ("ed", "ing"))
    refund  -> ("refund", ("", "s", "ed", "ing"))
    hidden fee -> ("hidden fee", ("", "s"))

An entry that is itself a regular past or plural form (``harassed``, ``delays``) also
contributes the base it comes from, so all forms of that base match. The rules are the
regular ones only: irregular forms (``hung``, ``lost``) must be listed in the lexicon; forms
that are not words (``chargs``) are never produced by real text, so they cost nothing.
Function-word-like short words are protected: a word of three letters is only pluralised or
inflected with a doubled consonant (``bug`` -> ``bugged``), never given a bare ``-ed``
(``not`` never becomes "noted", ``rat`` never "rated").
"""

from __future__ import annotations

VOWELS = "aeiou"
SIBILANT_ENDINGS = ("s", "x", "z", "ch", "sh")

#: Endings per spelling class; "" is the stem alone.
PLAIN = ("", "s", "ed", "ing")
SIBILANT = ("", "es", "ed", "ing")
SILENT_E = ("e", "es", "ed", "ing")
CONSONANT_Y = ("y", "ies", "ied", "ying")
DOUBLED = ("ed", "ing")
PLURAL_ONLY = ("", "s")
LONG_EE = ("", "s", "d", "ing")
EXACT = ("",)


def _is_short_cvc(word: str) -> bool:
    """Consonant-vowel-consonant ending that doubles its consonant (stop -> stopped)."""
    return (len(word) >= 3 and word[-1] not in VOWELS + "wxy" and word[-2] in VOWELS
            and word[-3] not in VOWELS)


def word_classes(word: str) -> list[tuple[str, tuple[str, ...]]]:
    """``(stem, endings)`` pairs whose ``stem + ending`` strings are the regular forms of
    ``word`` taken as a base. Non-alphabetic or two-letter words are matched exactly."""
    if not word.isalpha() or len(word) < 3:
        return [(word, EXACT)]
    if word.endswith("ing") and len(word) >= 6:
        return [(word, PLURAL_ONLY)]                     # settings; not turned into a verb
    if word.endswith("ee"):
        return [(word, LONG_EE if len(word) > 4 else PLURAL_ONLY)]   # guaranteed; fee(s)
    if word.endswith(SIBILANT_ENDINGS):
        return [(word, SIBILANT)]
    if len(word) == 3:
        if _is_short_cvc(word):
            return [(word, PLURAL_ONLY), (word + word[-1], DOUBLED)]
        return [(word, PLURAL_ONLY)]
    if word.endswith("e"):
        return [(word[:-1], SILENT_E)]
    if word.endswith("y") and word[-2] not in VOWELS:
        return [(word[:-1], CONSONANT_Y)]
    pairs = [(word, PLAIN)]
    if _is_short_cvc(word) and (len(word) <= 4 or word.endswith("l")):
        pairs = [(word, PLURAL_ONLY), (word + word[-1], DOUBLED)]
        if word.endswith("l"):                           # canceled and cancelled
            pairs.append((word, ("ed", "ing")))
    return pairs


def base_words(word: str) -> list[str]:
    """The word, plus the base(s) it is a regular past or plural form of
    (``harassed`` -> harass/harasse, ``stopped`` -> stop, ``applies`` -> apply)."""
    bases = [word]
    n = len(word)
    if not word.isalpha():
        return bases
    if n >= 6 and word.endswith(("ied", "ies")):
        bases.append(word[:-3] + "y")
    elif n >= 5 and word.endswith("ed") and not word.endswith("eed"):
        stem = word[:-2]
        if stem[-1] == stem[-2] and stem[-1] not in VOWELS + "s":
            bases += [stem[:-1], stem]                   # stopped -> stop; called -> call
        else:
            bases += [b for b in (stem, stem + "e") if len(b) >= 4]
    elif n >= 5 and word.endswith("es") and word[:-2].endswith(SIBILANT_ENDINGS):
        bases.append(word[:-2])
    elif n >= 5 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        bases.append(word[:-1])
    return bases


def term_classes(term: str) -> list[tuple[str, tuple[str, ...]]]:
    """``(stem, endings)`` pairs for a lexicon term: the term's last word inflected (for
    ASCII terms), the rest kept; the exact term is always among the forms."""
    words = term.split(" ")
    if not term.isascii() or not words[-1].isalpha():
        return [(term, EXACT)]
    head = " ".join(words[:-1]) + " " if len(words) > 1 else ""
    pairs: list[tuple[str, tuple[str, ...]]] = [(term, EXACT)]
    bases = base_words(words[-1])
    # An inflected entry (harassed) is matched as written and through its base(s) only.
    for base in bases[1:] if len(bases) > 1 else bases:
        pairs += [(head + stem, endings) for stem, endings in word_classes(base)]
    return pairs


def term_forms(term: str) -> set[str]:
    """Every string :func:`term_classes` lets the matcher accept for ``term``."""
    return {stem + ending for stem, endings in term_classes(term) for ending in endings}
