"""Settings of trend aggregation (statistics, terms, verbatims) as one frozen, validated value."""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.errors import InvalidInputError


@dataclass(frozen=True)
class TrendConfig:
    """Knobs of :func:`analyzer.trends.aggregate`; the defaults suit weekly complaint data.

    Spike detection
        ``baseline_periods``: trailing periods forming the baseline of each tested period.
        ``min_baseline_periods``: fewer full baseline periods than this -> not tested.
        ``min_count``: a period is only tested when its observed count reaches this, so tiny
        counts are never flagged by chance.
        ``min_ratio``: an alert also needs observed >= ``min_ratio`` x expected.
        ``alpha``: false-discovery rate for Benjamini-Hochberg over all the report's tests
        (overall and per segment).
        ``alert_periods``: test only the last N periods (``None``: every period).
        ``max_test_segments``: per segment column, only the N largest values are tested
        (all values are still counted in the tables).
        ``max_alerts``: alerts kept in the report, most recent and most severe first.
    Emerging terms
        ``top_terms``, ``term_z`` (minimum z-score), ``min_term_count`` (documents in the
        latest period containing the term), ``min_term_documents`` (documents needed on each
        side), ``term_prior_strength`` (total pseudo-count alpha_0 of the informative Dirichlet
        prior), ``max_term_documents`` / ``segment_term_documents`` (random sample size per
        side, fixed ``seed``), ``terms_by_segment`` and ``max_term_segments``.
    Verbatims
        ``verbatims_per_cause``, ``verbatims_per_alert``, ``max_alert_verbatims`` (alerts that
        get verbatims), ``max_text_chars`` (longer texts are cut with an ellipsis).
    """

    baseline_periods: int = 8
    min_baseline_periods: int = 3
    min_count: int = 10
    min_ratio: float = 1.3
    alpha: float = 0.05
    alert_periods: int | None = None
    max_test_segments: int = 50
    max_alerts: int = 200
    top_terms: int = 10
    term_z: float = 1.96
    min_term_count: int = 3
    min_term_documents: int = 5
    term_prior_strength: float = 500.0
    max_term_documents: int = 2000
    segment_term_documents: int = 300
    terms_by_segment: bool = False
    max_term_segments: int = 5
    verbatims_per_cause: int = 3
    verbatims_per_alert: int = 3
    max_alert_verbatims: int = 50
    max_text_chars: int = 400
    seed: int = 0

    def __post_init__(self) -> None:
        positive = {
            "baseline_periods": self.baseline_periods,
            "min_baseline_periods": self.min_baseline_periods,
            "min_count": self.min_count,
            "max_test_segments": self.max_test_segments,
            "max_term_documents": self.max_term_documents,
            "segment_term_documents": self.segment_term_documents,
            "min_term_documents": self.min_term_documents,
            "max_text_chars": self.max_text_chars,
        }
        for name, value in positive.items():
            if value < 1:
                raise InvalidInputError(f"{name} must be at least 1, got {value}")
        if self.min_baseline_periods > self.baseline_periods:
            raise InvalidInputError(
                "min_baseline_periods cannot exceed baseline_periods "
                f"({self.min_baseline_periods} > {self.baseline_periods})"
            )
        if not 0.0 < self.alpha < 1.0:
            raise InvalidInputError(f"alpha must be between 0 and 1, got {self.alpha}")
        if self.min_ratio < 1.0:
            raise InvalidInputError(f"min_ratio must be at least 1.0, got {self.min_ratio}")
        if self.alert_periods is not None and self.alert_periods < 1:
            raise InvalidInputError(
                f"alert_periods must be at least 1 or None, got {self.alert_periods}"
            )
        if self.term_prior_strength <= 0:
            raise InvalidInputError(
                f"term_prior_strength must be positive, got {self.term_prior_strength}"
            )
        for name in ("top_terms", "max_alerts", "verbatims_per_cause", "verbatims_per_alert",
                     "max_alert_verbatims", "max_term_segments", "min_term_count"):
            if getattr(self, name) < 0:
                raise InvalidInputError(f"{name} cannot be negative")


#: Where the default impact multipliers come from (as commonly cited; not measured here).
SILENT_SOURCE = (
    "White House Office of Consumer Affairs (studies run by TARP, late 1970s-1980s), as "
    "commonly cited: for every customer who complains, about 26 other dissatisfied customers "
    "say nothing."
)
RETURN_SOURCE = (
    "TARP / Lee Resources, as commonly cited: about 96% of complaining customers do business "
    "with the company again when the complaint is resolved quickly (within 24 hours)."
)
CHURN_SOURCE = (
    "Exit-voice framework (Hirschman 1970; Day 1980): an exit-type complaint announces that the "
    "customer is leaving; counted here as churn risk, one customer per exit complaint by "
    "default (an assumption)."
)


@dataclass(frozen=True)
class ImpactAssumptions:
    """Multipliers of the impact estimates: customer-service rules of thumb, all configurable.

    ``silent_per_complaint``: silent dissatisfied customers behind each complaint (26).
    ``churn_per_exit_complaint``: customers at risk per exit-type complaint (1.0).
    ``return_rate_if_resolved_fast``: share of complainants who come back when the complaint
    is resolved within 24 h (0.96).
    ``value_per_customer``: optional value of one customer (e.g. yearly revenue) to express
    the estimates as money, in ``currency``.
    The ``*_source`` strings are shown next to each estimate. One complaint is assumed to be
    one complaining customer.
    """

    silent_per_complaint: float = 26.0
    churn_per_exit_complaint: float = 1.0
    return_rate_if_resolved_fast: float = 0.96
    value_per_customer: float | None = None
    currency: str = ""
    silent_source: str = SILENT_SOURCE
    return_source: str = RETURN_SOURCE
    churn_source: str = CHURN_SOURCE

    def __post_init__(self) -> None:
        if self.silent_per_complaint < 0:
            raise InvalidInputError("silent_per_complaint cannot be negative")
        if self.churn_per_exit_complaint < 0:
            raise InvalidInputError("churn_per_exit_complaint cannot be negative")
        if not 0.0 <= self.return_rate_if_resolved_fast <= 1.0:
            raise InvalidInputError(
                "return_rate_if_resolved_fast must be between 0 and 1, got "
                f"{self.return_rate_if_resolved_fast}"
            )
        if self.value_per_customer is not None and self.value_per_customer < 0:
            raise InvalidInputError("value_per_customer cannot be negative")
