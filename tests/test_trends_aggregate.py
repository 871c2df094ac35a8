"""aggregate(): counting, shares, alerts, terms, verbatims and impact on data with known truth."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from analyzer.errors import InputFileError, InvalidInputError
from analyzer.trends import ImpactAssumptions, TrendConfig, TrendReport, aggregate
from analyzer.trends.synthetic import Spike, make_classified


def tokenize(text: str) -> list[str]:
    """Cheap whitespace tokenizer for tests (the real one is the jieba-based Segmenter)."""
    return text.lower().split()


SPIKE = Spike(cause="facilities", segment_value="app", period_start="2024-04-01", extra=60,
              marker="elevator broken stuck")


@pytest.fixture(scope="module")
def spiked() -> pd.DataFrame:
    return make_classified(12_000, seed=11, spike=SPIKE, error_rate=0.01, undated_rate=0.02)


@pytest.fixture(scope="module")
def spiked_report(spiked: pd.DataFrame) -> TrendReport:
    return aggregate(spiked, by=["channel", "region"], tokenizer=tokenize)


def test_injected_spike_is_found_in_its_cause_segment_and_period(
        spiked_report: TrendReport) -> None:
    hits = [a for a in spiked_report.alerts
            if a.dimension == "cause" and a.label == "facilities"
            and a.segment_column == "channel" and a.segment_value == "app"]
    assert [a.period for a in hits] == ["2024-04-01"]
    alert = hits[0]
    assert alert.observed > 2 * alert.expected
    assert alert.q_value <= 0.05
    assert alert.severity == "high"
    assert alert.verbatims and all(v.cause == "facilities" for v in alert.verbatims)
    assert all(("channel", "app") in v.segments for v in alert.verbatims)


def test_every_alert_points_at_the_injected_spike(spiked_report: TrendReport) -> None:
    for alert in spiked_report.alerts:
        assert alert.period == "2024-04-01"
        assert alert.label in {"facilities", "all"} or alert.dimension == "type"


def test_flat_noisy_data_yields_no_alert() -> None:
    for seed in (1, 2, 3):
        frame = make_classified(12_000, seed=seed)
        report = aggregate(frame, by=["channel", "region"], tokenizer=tokenize,
                           config=TrendConfig(top_terms=0))
        assert report.alerts == (), [(a.scope, a.label, a.period) for a in report.alerts]


def weekly_frame(counts: dict[str, list[int]], start: str = "2024-01-01") -> pd.DataFrame:
    """Classified complaints with exactly ``counts[cause][week]`` rows per cause and week."""
    rows = []
    for cause, per_week in counts.items():
        for week, n in enumerate(per_week):
            day = (pd.Timestamp(start) + pd.Timedelta(weeks=week, days=2)).date().isoformat()
            rows += [{"text": f"{cause} complaint", "date": day, "is_complaint": "true",
                      "cause": cause, "type": "voice", "cause_score": 0.9}] * n
    return pd.DataFrame(rows)


def test_tiny_counts_are_never_flagged() -> None:
    frame = weekly_frame({"product": [20] * 10, "malicious": [1] * 9 + [9]})
    assert aggregate(frame, tokenizer=tokenize).alerts == ()
    unguarded = aggregate(frame, tokenizer=tokenize, config=TrendConfig(min_count=1))
    assert [(a.label, a.observed) for a in unguarded.alerts] == [("malicious", 9)]


def test_a_rise_on_a_large_steady_series_is_flagged_in_its_week() -> None:
    frame = weekly_frame({"product": [100] * 6 + [140] + [100] * 3, "facilities": [30] * 10})
    report = aggregate(frame, tokenizer=tokenize)
    # every row is of type voice, so the voice and all-complaints series rise too
    assert {(a.label, a.period) for a in report.alerts} == {
        ("product", "2024-02-12"), ("all", "2024-02-12"), ("voice", "2024-02-12")}
    product = next(a for a in report.alerts if a.label == "product")
    assert product.expected == pytest.approx(100.0) and product.previous == 100


def test_every_row_is_counted_exactly_once(spiked: pd.DataFrame,
                                           spiked_report: TrendReport) -> None:
    counts = spiked_report.counts
    assert counts.total == len(spiked)
    assert counts.dated + counts.undated == counts.total
    assert counts.complaints + counts.non_complaints + counts.errors == counts.total
    assert counts.undated == int((spiked["created_at"] == "").sum())
    assert counts.errors == int((spiked["error"] != "").sum())
    totals = spiked_report.table("period_totals").to_frame()
    assert totals["rows"].sum() == counts.total
    assert totals.loc[totals.period == "undated", "rows"].item() == counts.undated
    assert totals["complaints"].sum() == counts.complaints
    assert totals["errors"].sum() == counts.errors
    assert (totals["rows"] == totals[["errors", "non_complaints", "complaints"]].sum(axis=1)).all()


def test_count_and_share_tables_add_up(spiked_report: TrendReport) -> None:
    complaints = spiked_report.counts.complaints
    volumes = spiked_report.table("volumes").to_frame()
    assert volumes["count"].sum() == complaints
    shares = volumes.groupby("period")["share"].sum()
    per_period = volumes.groupby("period")["count"].sum()
    assert np.allclose(shares[per_period > 0], 1.0)
    totals = spiked_report.table("totals").to_frame()
    assert totals["count"].sum() == complaints
    assert totals["share"].sum() == pytest.approx(1.0)
    causes = spiked_report.table("cause_trends").to_frame()
    types = spiked_report.table("type_trends").to_frame()
    dated = volumes[volumes.period != "undated"]
    assert causes["count"].sum() == types["count"].sum() == dated["count"].sum()
    assert np.allclose(causes.groupby("period")["share"].sum(), 1.0)
    by_cause = dated.groupby(["period", "cause"])["count"].sum()
    from_trends = causes.set_index(["period", "cause"])["count"].sort_index()
    assert from_trends.tolist() == by_cause.sort_index().tolist()


def test_segment_tables_add_up_per_segment_column(spiked_report: TrendReport) -> None:
    counts = spiked_report.counts
    summary = spiked_report.table("segment_summary").to_frame()
    seg_totals = spiked_report.table("segment_totals").to_frame()
    seg_volumes = spiked_report.table("segment_volumes").to_frame()
    for column in ("channel", "region"):
        assert summary.loc[summary.column == column, "rows"].sum() == counts.total
        assert seg_totals.loc[seg_totals.column == column, "count"].sum() == counts.complaints
        assert seg_volumes.loc[seg_volumes.column == column, "count"].sum() == counts.complaints
        shares = seg_totals[seg_totals.column == column].groupby("value")["share"].sum()
        assert np.allclose(shares, 1.0)
        cells = seg_volumes[seg_volumes.column == column].groupby(["value", "period"])
        assert np.allclose(cells["share"].sum(), 1.0)


def test_trend_tables_report_change_vs_previous_and_baseline(spiked_report: TrendReport) -> None:
    causes = spiked_report.table("cause_trends").to_frame()
    row = causes[(causes.period == "2024-04-01") & (causes.cause == "facilities")].iloc[0]
    previous = causes[(causes.period == "2024-03-25") & (causes.cause == "facilities")]
    assert row["previous"] == previous["count"].item()
    assert row["change"] == row["count"] - row["previous"]
    assert row["expected"] > 0 and row["ratio"] == pytest.approx(row["count"] / row["expected"])
    assert causes.loc[causes.period == "2024-01-01", "p_value"].isna().all()  # no baseline


def test_emerging_terms_find_the_marker_of_a_spike_in_the_latest_period() -> None:
    spike = Spike("product", "web", "2024-06-24", 40, marker="battery exploded")
    frame = make_classified(8_000, seed=5, spike=spike)
    report = aggregate(frame, by=["channel"], tokenizer=tokenize,
                       config=TrendConfig(terms_by_segment=True))
    assert report.latest_period == "2024-06-24"
    product = next(t for t in report.terms if t.cause == "product" and t.segment_column is None)
    assert product.kind == "emerging"
    assert {t.term for t in product.terms[:2]} == {"battery", "exploded"}
    web = next(t for t in report.terms
               if t.cause == "product" and t.segment_value == "web")
    assert {"battery", "exploded"} <= {t.term for t in web.terms}
    others = [t for t in report.terms if t.cause != "product" and t.segment_column is None]
    assert all("battery" not in {term.term for term in t.terms} for t in others)


def test_terms_drop_stopwords_placeholders_and_punctuation() -> None:
    frame = make_classified(3_000, seed=6)
    noisy = frame["text"] + " the _order_ !!! 的 12345 x"
    report = aggregate(frame.assign(text=noisy), tokenizer=tokenize, use_dates=False,
                       config=TrendConfig(term_z=-100.0, min_term_count=1))
    terms = {t.term for tl in report.terms for t in tl.terms}
    assert terms
    assert not terms & {"the", "_order_", "!!!", "的", "12345", "x"}


def test_verbatims_are_the_highest_confidence_complaints_per_cause(
        spiked: pd.DataFrame, spiked_report: TrendReport) -> None:
    latest = spiked_report.latest_period
    for verbatim in spiked_report.verbatims:
        assert verbatim.period == latest
        assert spiked.loc[verbatim.row, "cause"] == verbatim.cause
        assert spiked.loc[verbatim.row, "text"].startswith(verbatim.text.rstrip("…"))
    product = [v for v in spiked_report.verbatims if v.cause == "product"]
    assert len(product) == spiked_report.config.verbatims_per_cause
    assert [v.score for v in product] == sorted((v.score for v in product), reverse=True)
    assert len({v.text for v in product}) == len(product)


def test_impact_estimates_are_labelled_rules_of_thumb_with_sources(
        spiked_report: TrendReport) -> None:
    scope = spiked_report.impact.scopes[0]
    estimates = {e.key: e for e in scope.estimates}
    complaints = spiked_report.counts.complaints
    assert estimates["complaints"].basis == "measured"
    silent = estimates["silent_dissatisfied"]
    assert silent.basis == "rule_of_thumb"
    assert silent.value == pytest.approx(26 * complaints)
    assert "White House Office of Consumer Affairs" in silent.source
    assert "as commonly cited" in silent.source
    retained = estimates["retained_if_fast"]
    assert retained.value == pytest.approx(0.96 * complaints)
    assert "24 hours" in retained.source and retained.label_zh
    assert "not measurements" in spiked_report.impact.disclaimer_en
    assert [s.scope for s in spiked_report.impact.scopes][1].startswith("latest period")


def test_impact_multipliers_are_configurable() -> None:
    frame = make_classified(2_000, seed=7)
    report = aggregate(frame, tokenizer=tokenize, impact=ImpactAssumptions(
        silent_per_complaint=10, value_per_customer=50.0, currency="EUR"))
    estimates = {e.key: e for e in report.impact.scopes[0].estimates}
    assert estimates["silent_dissatisfied"].value == pytest.approx(10 * report.counts.complaints)
    assert estimates["value_at_risk"].unit == "EUR"
    assert estimates["value_at_risk"].value == pytest.approx(
        50.0 * estimates["churn_risk"].value)
    with pytest.raises(InvalidInputError):
        ImpactAssumptions(return_rate_if_resolved_fast=1.5)


def test_without_a_date_column_the_report_has_totals_and_segments_only() -> None:
    frame = make_classified(2_000, seed=8).drop(columns=["created_at"])
    report = aggregate(frame, by="channel", tokenizer=tokenize)
    assert not report.has_dates and report.periods == () and report.alerts == ()
    assert report.counts.undated == report.counts.total == len(frame)
    assert "volumes" not in report.table_names()
    assert {"totals", "segment_totals", "segment_summary"} <= set(report.table_names())
    assert any("No date column" in note for note in report.notes)
    assert report.terms and all(t.kind == "distinctive" for t in report.terms)


def test_unparseable_dates_go_to_the_undated_bucket_and_are_reported() -> None:
    frame = make_classified(1_000, seed=9)
    frame.loc[:99, "created_at"] = "sometime last week"
    report = aggregate(frame, tokenizer=tokenize)
    assert report.counts.undated == 100
    assert any("undated" in note for note in report.notes)
    undated = report.table("volumes").to_frame().query("period == 'undated'")["count"].sum()
    assert undated == int((frame.loc[:99, "is_complaint"] == "true").sum())


def test_columns_with_a_prefix_and_bool_flags_are_accepted() -> None:
    frame = make_classified(1_500, seed=10)
    renamed = frame.rename(columns={c: f"ca_{c}" for c in (
        "is_complaint", "complaint_score", "cause", "cause_score", "secondary_causes", "type",
        "type_score", "language", "keywords", "error")})
    renamed["ca_is_complaint"] = renamed["ca_is_complaint"] == "true"
    report = aggregate(renamed, prefix="ca_", tokenizer=tokenize)
    plain = aggregate(frame, tokenizer=tokenize)
    assert report.counts == plain.counts
    assert report.table("totals") == plain.table("totals")
    with pytest.raises(InputFileError, match="prefix"):
        aggregate(renamed, tokenizer=tokenize)


def test_text_and_date_columns_are_detected_by_usual_names() -> None:
    frame = make_classified(500, seed=12).rename(columns={"text": "投诉内容",
                                                          "created_at": "投诉时间"})
    report = aggregate(frame, tokenizer=tokenize)
    assert report.text_column == "投诉内容" and report.date_column == "投诉时间"
    assert report.has_dates


def test_missing_or_malformed_columns_raise_clear_errors() -> None:
    frame = make_classified(200, seed=13)
    with pytest.raises(InputFileError, match="classify"):
        aggregate(frame.drop(columns=["cause"]))
    with pytest.raises(InputFileError, match="segment column 'store'"):
        aggregate(frame, by=["store"])
    with pytest.raises(InputFileError, match="date column 'day'"):
        aggregate(frame, date_column="day")
    with pytest.raises(InputFileError, match="true/false"):
        aggregate(frame.assign(is_complaint="maybe"))
    with pytest.raises(InvalidInputError, match="frequency"):
        aggregate(frame, freq="fortnight")


def test_without_text_column_terms_and_verbatims_are_skipped_with_a_note() -> None:
    frame = make_classified(500, seed=14).drop(columns=["text"])
    report = aggregate(frame)
    assert report.text_column is None and report.terms == () and report.verbatims == ()
    assert any("No text column" in note for note in report.notes)


def test_aggregate_is_pure_and_the_report_is_json_ready(spiked: pd.DataFrame) -> None:
    before = spiked.copy()
    first = aggregate(spiked, by=["channel"], tokenizer=tokenize)
    second = aggregate(spiked, by=["channel"], tokenizer=tokenize)
    pd.testing.assert_frame_equal(spiked, before)
    assert first == second
    data = json.loads(json.dumps(first.to_dict(), allow_nan=False))
    assert data["counts"]["total"] == len(spiked)
    assert set(data["tables"]) == set(first.table_names())
    assert data["alerts"][0]["scope"].startswith(("overall", "channel="))
    with pytest.raises(AttributeError):
        first.counts.total = 0  # type: ignore[misc]


def test_daily_monthly_and_quarterly_periods_partition_the_dated_rows() -> None:
    frame = make_classified(3_000, seed=15, undated_rate=0.05)
    for freq, n_periods in (("D", 182), ("M", 6), ("Q", 2)):
        report = aggregate(frame, freq=freq, tokenizer=tokenize, config=TrendConfig(top_terms=0))
        assert len(report.periods) == n_periods
        totals = report.table("period_totals").to_frame()
        assert totals["rows"].sum() == len(frame)
        dated = totals[totals.period != "undated"]["rows"].sum()
        assert dated == report.counts.dated


def test_error_rows_are_never_counted_as_complaints() -> None:
    frame = make_classified(400, seed=16)
    frame.loc[:49, "error"] = "model failed"
    frame.loc[:49, "is_complaint"] = "true"
    frame.loc[:49, "cause"] = "product"
    report = aggregate(frame, tokenizer=tokenize)
    expected = int(((frame["error"] == "") & (frame["is_complaint"] == "true")).sum())
    assert report.counts.errors == 50
    assert report.counts.complaints == expected
    assert report.table("totals").to_frame()["count"].sum() == expected


def test_unknown_labels_and_blank_causes_are_kept_not_dropped() -> None:
    frame = make_classified(300, seed=17)
    complaints = frame.index[frame["is_complaint"] == "true"]
    frame.loc[complaints[:5], "cause"] = ""
    frame.loc[complaints[5:8], "cause"] = "Pricing"
    report = aggregate(frame, tokenizer=tokenize)
    assert report.causes[-2:] == ("pricing", "unassigned")
    totals = report.table("totals").to_frame().groupby("cause")["count"].sum()
    assert totals["unassigned"] == 5 and totals["pricing"] == 3
    assert totals.sum() == report.counts.complaints


def test_terms_sample_large_groups_reproducibly() -> None:
    frame = make_classified(6_000, seed=18)
    config = TrendConfig(max_term_documents=50, min_term_documents=5)
    calls: Counter[str] = Counter()

    def counting(text: str) -> list[str]:
        calls[text] += 1
        return tokenize(text)

    report = aggregate(frame, tokenizer=counting, config=config)
    assert all(t.sampled for t in report.terms if t.focus_documents > 50)
    assert sum(calls.values()) <= 2 * 50 * len(report.causes)
    assert aggregate(frame, tokenizer=tokenize, config=config).terms == report.terms


@pytest.mark.parametrize("case", ["empty", "no_complaints", "all_errors", "one_day",
                                  "one_row"])
def test_degenerate_inputs_still_give_a_consistent_report(case: str) -> None:
    base = make_classified(60, seed=19)
    frame = {
        "empty": base.iloc[:0],
        "no_complaints": base.assign(is_complaint="false", cause="", type=""),
        "all_errors": base.assign(error="model failed"),
        "one_day": base.assign(created_at="2024-01-03"),
        "one_row": base.iloc[:1],
    }[case]
    report = aggregate(frame, by=["channel"], tokenizer=tokenize)
    counts = report.counts
    assert counts.total == len(frame) == counts.dated + counts.undated
    assert counts.complaints + counts.non_complaints + counts.errors == counts.total
    assert report.table("totals").to_frame()["count"].sum() == counts.complaints
    assert report.alerts == ()
