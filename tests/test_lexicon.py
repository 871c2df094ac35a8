"""Cue-lexicon matching: whole-word English terms in their regular forms, Chinese anywhere."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.features import Featurizer, Prepared, keyword_candidates, opening_sentence
from analyzer.inflection import term_classes, term_forms
from analyzer.labels import Language
from analyzer.lexicon import LexiconMatcher, trie_pattern


def hits(lexicons: dict[str, list[str]], text: str) -> dict[str, int]:
    matcher = LexiconMatcher.build(lexicons)
    row = matcher.counts([text])[0]
    return {name: int(count) for name, count in zip(matcher.names, row) if count}


@pytest.mark.parametrize(("term", "forms"), [
    ("charge", {"charge", "charges", "charged", "charging"}),
    ("refund", {"refund", "refunds", "refunded", "refunding"}),
    ("apply", {"apply", "applies", "applied", "applying"}),
    ("harass", {"harass", "harasses", "harassed", "harassing"}),
    ("stop", {"stop", "stops", "stopped", "stopping"}),
    ("cancel", {"cancel", "cancels", "canceled", "cancelled", "canceling", "cancelling"}),
    ("delay", {"delay", "delays", "delayed", "delaying"}),
    ("hidden fee", {"hidden fee", "hidden fees"}),
])
def test_regular_english_forms_are_generated(term: str, forms: set[str]) -> None:
    assert forms <= term_forms(term)


@pytest.mark.parametrize(("entry", "form"), [
    ("harassed", "harassing"), ("overcharged", "overcharging"), ("delays", "delayed"),
    ("stopped", "stopping"), ("cancelled", "cancels"), ("applies", "applying"),
])
def test_inflected_entries_match_the_other_forms_of_their_base(entry: str, form: str) -> None:
    assert form in term_forms(entry)


@pytest.mark.parametrize(("term", "not_a_form"), [
    ("not", "noted"), ("rat", "rated"), ("fee", "feed"), ("car", "cared"), ("bug", "buged"),
    ("setting", "set"), ("booking", "book"), ("wi-fi", "wi-fis"),
])
def test_short_words_and_nouns_do_not_turn_into_other_words(term: str, not_a_form: str) -> None:
    assert not_a_form not in term_forms(term)


def test_chinese_terms_are_kept_exactly() -> None:
    assert term_classes("态度差") == [("态度差", ("",))]


def test_inflected_english_term_counts_in_its_lexicon() -> None:
    lexicons = {"service": ["harass", "rude"], "product": ["charge"]}
    assert hits(lexicons, "the collector keeps harassing me") == {"service": 1}
    assert hits(lexicons, "they charged me twice and were rude") == {"product": 1, "service": 1}


def test_english_terms_match_whole_words_only() -> None:
    lexicons = {"product": ["rat", "fee", "stop"]}
    assert hits(lexicons, "rated it low; the feed is late; nonstop delays") == {}
    assert hits(lexicons, "rats in the kitchen, a hidden fee, it stopped") == {"product": 3}


def test_longest_term_wins_and_matches_do_not_overlap() -> None:
    lexicons = {"a": ["late"], "b": ["late fee"]}
    assert hits(lexicons, "two late fees this month") == {"b": 1}
    assert hits(lexicons, "delivered late again") == {"a": 1}


def test_chinese_terms_match_inside_text_and_next_to_english() -> None:
    lexicons = {"product": ["黑屏", "crash"], "service": ["态度差"]}
    assert hits(lexicons, "手机黑屏app crashes客服态度差") == {"product": 2, "service": 1}


def test_a_term_in_two_lexicons_counts_in_both() -> None:
    assert hits({"a": ["refund"], "b": ["refunds"]}, "no refunds") == {"a": 1, "b": 1}


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=9)


@settings(max_examples=200, deadline=None)
@given(st.lists(words, min_size=1, max_size=3).map(" ".join))
def test_the_compiled_pattern_accepts_exactly_the_generated_forms(term: str) -> None:
    matcher = LexiconMatcher.build({"x": [term]})
    assert matcher.ascii_pattern is not None
    forms = term_forms(term)
    assert set(matcher.owners) == forms
    for form in forms:
        assert matcher.ascii_pattern.fullmatch(form)
    # Nothing outside the forms: a form with one more letter never matches as a word.
    for form in forms:
        assert not matcher.ascii_pattern.fullmatch(form + "q")


def test_trie_pattern_of_plain_terms_matches_each_term() -> None:
    pattern = re.compile(f"(?:{trie_pattern(['ab', 'abc', 'b'])})$")
    assert all(pattern.match(t) for t in ("ab", "abc", "b"))
    assert not pattern.match("a")


def test_keyword_candidates_skip_placeholders_and_stop_words() -> None:
    mask = keyword_candidates(["refund", "the", "the refund", "_url_ refund", "123", "!!",
                               "late 2"], frozenset({"the"}))
    assert mask.tolist() == [True, False, True, False, False, False, True]


@pytest.mark.parametrize(("text", "opening"), [
    ("flight delayed. staff rude.", "flight delayed."),
    ("rated 3.5 stars. meh", "rated 3.5 stars."),
    (".@united ok. fine", ".@united ok."),
    ("手机黑屏。客服态度差", "手机黑屏。"),
    ("one long sentence with no end", "one long sentence with no end"),
    ("!!! wow. ok", "!!! wow."),
])
def test_opening_sentence_ends_at_the_first_sentence_with_content(text: str, opening: str
                                                                    ) -> None:
    assert opening_sentence(text) == opening


def test_opening_lexicon_columns_count_only_the_first_sentence() -> None:
    featurizer = Featurizer({"product": ["delayed"], "service": ["rude"]})
    docs = [Prepared("staff were rude. flight delayed.", "", Language.EN),
            Prepared("flight delayed", "", Language.EN)]
    values = featurizer.lexicon_values(docs) / featurizer.lexicon_weight
    whole, opening = values[:, :2], values[:, 2:]
    assert np.allclose(np.expm1(whole), [[1, 1], [1, 0]])
    assert np.allclose(np.expm1(opening), [[0, 1], [1, 0]])
    without = Featurizer({"product": ["delayed"], "service": ["rude"]}, opening_lexicons=False)
    assert without.lexicon_values(docs).shape == (2, 2)


def test_prefix_counts_equal_counting_the_prefix_alone() -> None:
    matcher = LexiconMatcher.build({"product": ["delayed", "黑屏"], "service": ["rude"]})
    texts = ["flight delayed. staff rude, delayed again.", "手机黑屏。又黑屏了", "rude", ""]
    ends = [15, 5, 4, 0]
    both = matcher.counts(texts, prefix_ends=ends)
    assert both.shape == (4, 4)
    assert np.array_equal(both[:, :2], matcher.counts(texts))
    assert np.array_equal(both[:, 2:], matcher.counts([t[:e] for t, e in zip(texts, ends)]))
