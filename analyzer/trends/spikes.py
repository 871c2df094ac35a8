"""Rises against a trailing baseline: a count test per series and period, with FDR control.

For series ``s`` and period ``t`` the baseline is the up to ``baseline_periods`` previous
periods that the data covers fully (a first period that the data enters part-way would bias it
low): ``n`` periods holding ``S`` complaints in total, mean ``m = S / n`` (the expected count)
and sample variance ``v``. The test is the exact conditional test for two Poisson rates: under
"no change", given ``c + S`` complaints in the ``1 + n`` periods, the current count ``c`` is
Binomial(``c + S``, ``1 / (1 + n)``), and the p-value is its upper tail ``P(X >= c)``. This
accounts for the volume (a rise from 2 to 4 is not significant, from 200 to 400 is) and for
the uncertainty of a short baseline. When the baseline is over-dispersed (``phi = v / m > 1``),
both counts are divided by ``phi`` (quasi-Poisson scaling) and the tail is taken from the
regularised incomplete beta function, so noisy series need larger rises. Only periods with
enough baseline (``min_baseline_periods``) and an observed count of at least ``min_count`` are
tested; Benjamini-Hochberg q-values are then computed over all tests of a report. An alert
needs ``q <= alpha`` and ``observed >= min_ratio * expected``.

A last period that the data leaves part-way (export in mid-week) is tested against the full
expected count, without scaling: its count can only look lower, so partial periods never cause
false alerts, at the price of missing small rises until the period is complete.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from analyzer.trends.config import TrendConfig

#: Severity levels, most severe first.
SEVERITIES: tuple[str, ...] = ("high", "medium", "low")


@dataclass(frozen=True)
class SeriesTests:
    """Per series x period arrays (same shape as the counts); NaN where not applicable.

    ``tested`` marks the cells that were tested; ``q_value`` is filled by
    :func:`adjust_family`.
    """

    counts: np.ndarray
    previous: np.ndarray
    expected: np.ndarray
    baseline_n: np.ndarray
    ratio: np.ndarray
    p_value: np.ndarray
    tested: np.ndarray


def _window_sums(values: np.ndarray, window: int) -> np.ndarray:
    """``out[:, t]`` = sum of ``values[:, t - window : t]`` (the ``window`` columns before t)."""
    padded = np.zeros((values.shape[0], values.shape[1] + 1), dtype=float)
    np.cumsum(values, axis=1, out=padded[:, 1:])
    t = np.arange(values.shape[1])
    start = np.maximum(t - window, 0)
    return padded[:, t] - padded[:, start]


def score_series(counts: np.ndarray, coverage: np.ndarray, config: TrendConfig) -> SeriesTests:
    """Test every series (rows of ``counts``) in every period (columns) against its baseline.

    ``coverage[t]`` is the fraction of period ``t`` covered by data (see
    :class:`analyzer.trends.dates.PeriodGrid`); partly covered periods are left out of
    baselines. Pure function of its inputs.
    """
    counts = np.asarray(counts, dtype=float)
    n_periods = counts.shape[1]
    full = (coverage >= 1.0).astype(float)[None, :]
    weighted = counts * full
    window = config.baseline_periods
    n = np.broadcast_to(_window_sums(full, window), counts.shape)
    total = _window_sums(weighted, window)
    total_sq = _window_sums(weighted**2, window)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n > 0, total / n, np.nan)
        variance = np.where(n > 1, (total_sq - n * mean**2) / (n - 1), np.nan)
        phi = np.where(mean > 0, np.maximum(1.0, variance / mean), 1.0)
        phi = np.where(np.isfinite(phi), phi, 1.0)
        expected = mean
        # a silent baseline still gives a finite ratio: half a complaint over the window
        ratio = counts / np.maximum(expected, 0.5 / np.maximum(n, 1))

    previous = np.full_like(counts, np.nan)
    previous[:, 1:] = counts[:, :-1]

    testable = (n >= config.min_baseline_periods) & (counts >= config.min_count)
    if config.alert_periods is not None:
        recent = np.zeros(n_periods, dtype=bool)
        recent[-config.alert_periods:] = True
        testable &= recent[None, :]

    p_value = np.full_like(counts, np.nan)
    if testable.any():
        dispersion = phi[testable]
        k = counts[testable] / dispersion
        trials = (counts[testable] + total[testable]) / dispersion
        p0 = 1.0 / (1.0 + n[testable])
        # P(X >= k) for X ~ Binomial(trials, p0), continued to real k and trials
        p = special.betainc(k, np.maximum(trials - k + 1.0, 1e-12), p0)
        p_value[testable] = np.clip(p, 0.0, 1.0)
    return SeriesTests(
        counts=counts,
        previous=previous,
        expected=np.where(n > 0, expected, np.nan),
        baseline_n=np.asarray(n, dtype=float).copy(),
        ratio=np.where(n > 0, ratio, np.nan),
        p_value=p_value,
        tested=testable,
    )


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values) of a 1-d array, same order."""
    p = np.asarray(p_values, dtype=float)
    m = p.size
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    q = np.empty(m)
    q[order] = np.clip(ranked, 0.0, 1.0)
    return q


def adjust_family(families: list[SeriesTests]) -> list[np.ndarray]:
    """Q-values for one family of tests (several :class:`SeriesTests` adjusted together).

    Returns one array per input, NaN where a cell was not tested.
    """
    pooled = np.concatenate([f.p_value[f.tested] for f in families]) if families else []
    q = benjamini_hochberg(np.asarray(pooled, dtype=float))
    out: list[np.ndarray] = []
    start = 0
    for f in families:
        arr = np.full_like(f.p_value, np.nan)
        k = int(f.tested.sum())
        arr[f.tested] = q[start:start + k]
        start += k
        out.append(arr)
    return out


def is_alert(tests: SeriesTests, q_value: np.ndarray, config: TrendConfig) -> np.ndarray:
    """Cells that are significant rises: tested, ``q <= alpha``, ratio >= ``min_ratio``."""
    with np.errstate(invalid="ignore"):
        return (
            tests.tested
            & (np.nan_to_num(q_value, nan=1.0) <= config.alpha)
            & (np.nan_to_num(tests.ratio, nan=0.0) >= config.min_ratio)
        )


def severity(ratio: float, q_value: float, alpha: float) -> str:
    """``high``: at least double and q <= alpha/50; ``medium``: at least 1.5x and
    q <= alpha/5; ``low``: any other alert."""
    if ratio >= 2.0 and q_value <= alpha / 50:
        return "high"
    if ratio >= 1.5 and q_value <= alpha / 5:
        return "medium"
    return "low"
