"""Impact estimates: measured counts times customer-service rules of thumb.

Nothing here is a measurement of business impact. Each figure is marked ``measured`` (a
count from the data) or ``rule_of_thumb`` (a count times a configurable multiplier from
:class:`analyzer.trends.config.ImpactAssumptions`, with its source as commonly cited).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analyzer.trends.config import ImpactAssumptions
from analyzer.trends.report import Impact, ImpactEstimate, ImpactScope, Table

DISCLAIMER_EN = (
    "Rules of thumb, not measurements: these figures multiply the complaint counts in your "
    "data by industry multipliers that are widely repeated but old and rarely traceable to "
    "their original studies. One complaint is assumed to be one customer. Replace the "
    "multipliers with your own figures where you have them."
)
DISCLAIMER_ZH = (
    "以下为客服行业经验法则的估算，并非实测结果：用数据中的投诉数乘以业内广泛引用的系数，"
    "这些系数来源较早且多难以追溯原始研究。假定一条投诉对应一位顾客。如有自有数据，请替换相应系数。"
)


def _measured(key: str, en: str, zh: str, value: float, unit: str, formula: str) -> ImpactEstimate:
    return ImpactEstimate(key, en, zh, float(value), unit, "measured", formula,
                          "counted in the classified data")


def scope_estimates(scope: str, complaints: int, exits: int,
                    assumptions: ImpactAssumptions) -> ImpactScope:
    """Estimates for ``complaints`` complaints of which ``exits`` are exit-type."""
    a = assumptions
    exit_share = exits / complaints if complaints else 0.0
    silent = complaints * a.silent_per_complaint
    at_risk = exits * a.churn_per_exit_complaint
    retained = complaints * a.return_rate_if_resolved_fast
    estimates = [
        _measured("complaints", "Complaints", "投诉数", complaints, "complaints",
                  "count of rows classified as complaints"),
        _measured("exit_complaints", "Exit-type complaints (customer says they will leave)",
                  "流失型投诉（顾客表示将离开）", exits, "complaints",
                  "count of complaints of type exit"),
        _measured("exit_share", "Exit share of complaints", "流失型投诉占比",
                  round(exit_share, 4), "share", "exit complaints / complaints"),
        ImpactEstimate(
            "silent_dissatisfied", "Estimated silent dissatisfied customers (rule of thumb)",
            "估计未投诉的不满顾客（经验法则）", round(silent, 2), "customers",
            "rule_of_thumb", f"complaints x {a.silent_per_complaint:g}", a.silent_source),
        ImpactEstimate(
            "churn_risk", "Customers at risk of leaving (churn risk, rule of thumb)",
            "流失风险顾客（经验法则）", round(at_risk, 2), "customers", "rule_of_thumb",
            f"exit complaints x {a.churn_per_exit_complaint:g}", a.churn_source),
        ImpactEstimate(
            "retained_if_fast",
            "Complainants likely to return if resolved within 24 h (rule of thumb)",
            "24小时内解决可挽回的投诉顾客（经验法则）", round(retained, 2), "customers",
            "rule_of_thumb", f"complaints x {a.return_rate_if_resolved_fast:g}",
            a.return_source),
    ]
    if a.value_per_customer is not None:
        unit = a.currency or "value"
        estimates += [
            ImpactEstimate(
                "value_at_risk", "Value at risk from churn (rule of thumb)",
                "流失风险价值（经验法则）", round(at_risk * a.value_per_customer, 2), unit,
                "rule_of_thumb", f"churn risk x {a.value_per_customer:g} per customer",
                a.churn_source),
            ImpactEstimate(
                "value_retainable", "Value retainable by resolving within 24 h (rule of thumb)",
                "24小时内解决可保留的价值（经验法则）",
                round(retained * a.value_per_customer, 2), unit, "rule_of_thumb",
                f"retained if fast x {a.value_per_customer:g} per customer", a.return_source),
        ]
    return ImpactScope(scope=scope, estimates=tuple(estimates))


def estimate_impact(
    cause_type_counts: np.ndarray,
    causes: Sequence[str],
    types: Sequence[str],
    assumptions: ImpactAssumptions,
    *,
    latest: tuple[str, np.ndarray] | None = None,
) -> Impact:
    """Impact over all data (and the latest period when ``latest = (label, cause x type
    counts)`` is given), plus a per-cause table. Counts are cause x type matrices."""
    exit_col = list(types).index("exit") if "exit" in types else None

    def exits(matrix: np.ndarray) -> np.ndarray:
        return matrix[:, exit_col] if exit_col is not None else np.zeros(matrix.shape[0])

    scopes = [scope_estimates("all data", int(cause_type_counts.sum()),
                              int(exits(cause_type_counts).sum()), assumptions)]
    if latest is not None:
        label, matrix = latest
        scopes.append(scope_estimates(f"latest period {label}", int(matrix.sum()),
                                      int(exits(matrix).sum()), assumptions))
    per_cause_complaints = cause_type_counts.sum(axis=1)
    per_cause_exits = exits(cause_type_counts)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(per_cause_complaints > 0,
                         per_cause_exits / np.maximum(per_cause_complaints, 1), np.nan)
    per_cause = Table.from_columns(
        "impact_by_cause",
        "Per cause: complaints and exit complaints (measured), and rule-of-thumb estimates of "
        "silent dissatisfied customers and complainants retained if resolved within 24 h.",
        {
            "cause": list(causes),
            "complaints": per_cause_complaints,
            "exit_complaints": per_cause_exits.astype(np.int64),
            "exit_share": share,
            "silent_dissatisfied_rule_of_thumb": per_cause_complaints
            * assumptions.silent_per_complaint,
            "retained_if_fast_rule_of_thumb": per_cause_complaints
            * assumptions.return_rate_if_resolved_fast,
        },
    )
    return Impact(assumptions=assumptions, scopes=tuple(scopes), per_cause=per_cause,
                  disclaimer_en=DISCLAIMER_EN, disclaimer_zh=DISCLAIMER_ZH)
