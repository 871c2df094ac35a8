"""Statistics of the trends package: the rise test, FDR control, log-odds terms, tables."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analyzer.normalize import PLACEHOLDERS
from analyzer.resources import stopwords
from analyzer.trends import TrendConfig
from analyzer.trends.report import Table
from analyzer.trends.spikes import benjamini_hochberg, is_alert, score_series, severity
from analyzer.trends.terms import clean_tokens, top_terms, weighted_log_odds

FULL = np.ones(10)


def test_rise_test_is_the_exact_conditional_binomial_test() -> None:
    counts = np.array([[50, 50, 50, 50, 50, 80]], dtype=float)
    tests = score_series(counts, np.ones(6), TrendConfig())
    # baseline: 5 periods, 250 complaints; under no change 80 ~ Binomial(330, 1/6)
    assert tests.p_value[0, 5] == pytest.approx(stats.binom.sf(79, 330, 1 / 6))
    assert tests.expected[0, 5] == pytest.approx(50.0)
    assert tests.previous[0, 5] == 50
    assert np.isnan(tests.p_value[0, :3]).all()  # fewer than 3 baseline periods


def test_rise_test_accounts_for_volume() -> None:
    small = score_series(np.array([[4, 4, 4, 4, 8]], float), np.ones(5),
                         TrendConfig(min_count=1))
    large = score_series(np.array([[400, 400, 400, 400, 800]], float), np.ones(5),
                         TrendConfig(min_count=1))
    assert small.p_value[0, 4] > 0.01
    assert large.p_value[0, 4] < 1e-50


def test_overdispersed_baselines_need_larger_rises() -> None:
    steady = score_series(np.array([[100, 100, 100, 100, 100, 100, 100, 100, 140]], float),
                          np.ones(9), TrendConfig())
    noisy = score_series(np.array([[60, 140, 70, 130, 80, 120, 90, 110, 140]], float),
                         np.ones(9), TrendConfig())
    assert steady.expected[0, 8] == noisy.expected[0, 8] == pytest.approx(100.0)
    assert steady.p_value[0, 8] < 0.01 < noisy.p_value[0, 8]


def test_partial_periods_are_left_out_of_the_baseline() -> None:
    coverage = np.array([0.2, 1, 1, 1, 1])
    tests = score_series(np.array([[5, 50, 50, 50, 50]], float), coverage, TrendConfig())
    assert tests.expected[0, 4] == pytest.approx(50.0)
    assert tests.baseline_n[0, 4] == 3


def test_counts_below_min_count_are_not_tested() -> None:
    tests = score_series(np.array([[0, 0, 0, 0, 0, 9]], float), np.ones(6), TrendConfig())
    assert not tests.tested.any()
    assert not is_alert(tests, np.zeros_like(tests.p_value), TrendConfig()).any()


def test_alert_needs_significance_and_a_minimum_ratio() -> None:
    counts = np.array([[1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1150]], float)
    tests = score_series(counts, np.ones(9), TrendConfig())
    assert tests.p_value[0, 8] < 0.001
    assert not is_alert(tests, tests.p_value, TrendConfig()).any()  # only 1.15x
    assert is_alert(tests, tests.p_value, TrendConfig(min_ratio=1.1))[0, 8]


def test_benjamini_hochberg_matches_the_textbook_procedure() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.2])
    q = benjamini_hochberg(p)
    # sorted: 0.005, 0.01, 0.03, 0.04, 0.2 -> p*m/rank = .025, .025, .05, .05, .2
    assert q == pytest.approx([0.025, 0.05, 0.05, 0.025, 0.2])
    assert benjamini_hochberg(np.array([])).size == 0


def test_severity_levels() -> None:
    assert severity(3.0, 1e-6, 0.05) == "high"
    assert severity(1.6, 0.005, 0.05) == "medium"
    assert severity(1.35, 0.04, 0.05) == "low"


def test_log_odds_ranks_a_term_that_rises_above_one_that_is_stable() -> None:
    focus = {"battery": 30, "screen": 20, "price": 10}
    reference = {"battery": 3, "screen": 200, "price": 100}
    background = {w: focus.get(w, 0) + reference.get(w, 0) for w in set(focus) | set(reference)}
    vocab, delta, z = weighted_log_odds(focus, reference, background, prior_strength=100.0)
    ranked = [vocab[i] for i in np.argsort(-z)]
    assert ranked[0] == "battery"
    assert delta[vocab.index("battery")] > 0
    assert abs(z[vocab.index("screen")]) < z[vocab.index("battery")]


def test_top_terms_keep_only_significant_terms_with_enough_documents() -> None:
    focus = [frozenset({"battery", "hot"})] * 20 + [frozenset({"screen"})] * 20
    reference = [frozenset({"screen"})] * 200 + [frozenset({"hot"})] * 10
    background = {"battery": 20, "hot": 30, "screen": 220}
    terms = top_terms(focus, reference, background, prior_strength=50.0, top=5, min_z=1.96,
                      min_count=3)
    assert [t.term for t in terms][:1] == ["battery"]
    assert "screen" not in {t.term for t in terms}
    assert terms[0].focus_count == 20 and terms[0].reference_count == 0


def test_clean_tokens_removes_stopwords_placeholders_punctuation_and_numbers() -> None:
    stop = stopwords()
    tokens = ["The", "battery", "的", *PLACEHOLDERS, "!", "？", "😡", "123", "x", "电",
              "not_the", "not_working", "电池"]
    assert clean_tokens(tokens, stop) == frozenset({"battery", "电", "not_working", "电池"})


def test_table_round_trips_through_a_frame_with_plain_values() -> None:
    table = Table.from_columns("t", "demo", {"a": np.array([1, 2]),
                                             "b": np.array([0.5, np.nan]),
                                             "c": ["x", None]})
    assert table.rows == ((1, 0.5, "x"), (2, None, None))
    assert all(type(v) in (int, float, str, type(None)) for row in table.rows for v in row)
    assert Table.from_frame("t", "demo", table.to_frame()) == table
    assert table.column("a") == [1, 2]
