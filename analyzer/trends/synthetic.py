"""Synthetic classified rows with a known truth, for tests, benchmarks and demos.

:func:`make_classified` returns what ``classify`` would output for a stream of complaints
spread uniformly over time (so weekly counts are Poisson-like noise around a flat level),
optionally with an injected :class:`Spike`: extra complaints of one cause in one segment
value during one period, whose texts share a marker phrase.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analyzer.labels import CAUSES, TYPES

_TEXTS: dict[str, tuple[str, ...]] = {
    "product": (
        "The phone screen cracked after two days", "手机用了三天就黑屏", "The shoes fell apart",
        "收到的水果全部坏了", "Laptop keyboard stopped working", "衣服洗一次就掉色",
    ),
    "service_attitude": (
        "The agent was rude and hung up on me", "客服态度恶劣还挂电话",
        "Nobody replied to my emails for weeks", "店员爱理不理", "They keep passing the buck",
        "退款拖了一个月没人管",
    ),
    "facilities": (
        "The hotel room was dirty and noisy", "房间很脏隔音太差", "The app keeps crashing",
        "网站一直登录不上", "The ATM swallowed my card", "停车场太小没有车位",
    ),
    "expectations": (
        "Not as described in the ad", "和宣传的完全不一样", "Hidden fees on my bill",
        "说好的赠品没有给", "Way overpriced for what you get", "承诺的配送时间没做到",
    ),
    "malicious": (
        "Give me money or I will post bad reviews", "不赔钱就天天打电话骚扰你们",
        "Your company is garbage", "再不给补偿就曝光你们",
    ),
}
_NON_COMPLAINTS: tuple[str, ...] = (
    "Great service, thank you", "东西不错很满意", "When do you open on Sunday?", "请问几点开门",
)
_FILLERS: tuple[str, ...] = (
    "", "again", "really", "今天", "昨天", "please help", "请尽快处理", "order 12345678",
)


@dataclass(frozen=True)
class Spike:
    """Extra complaints injected into one period (ISO start day of the period ``week``)."""

    cause: str
    segment_value: str
    period_start: str
    extra: int
    segment_column: str = "channel"
    marker: str = "battery exploded 电池爆炸"


def make_classified(
    n_rows: int,
    *,
    start: str = "2024-01-01",
    days: int = 182,
    seed: int = 0,
    complaint_rate: float = 0.8,
    error_rate: float = 0.0,
    undated_rate: float = 0.0,
    spike: Spike | None = None,
    channels: tuple[str, ...] = ("app", "phone", "store", "web"),
    regions: tuple[str, ...] = ("north", "south", "east", "west", "华东"),
) -> pd.DataFrame:
    """``n_rows`` classified rows (plus ``spike.extra`` rows when a spike is given).

    Columns: ``id``, ``text``, ``created_at`` (ISO text; empty for undated rows),
    ``channel``, ``region`` and the ``classify`` outputs (``is_complaint`` as
    ``"true"``/``"false"``, scores, ``cause``, ``type``, ``error`` ...). Cause and type
    mixes are fixed; dates are uniform over ``days`` days from ``start``. Deterministic for
    a given ``seed``.
    """
    rng = np.random.default_rng(seed)
    begin = np.datetime64(start, "s")
    seconds = rng.integers(0, days * 86_400, n_rows)
    stamps = begin + seconds.astype("timedelta64[s]")
    cause = rng.choice(np.array(CAUSES, dtype=object), n_rows,
                       p=[0.35, 0.25, 0.15, 0.2, 0.05])
    kind = rng.choice(np.array(TYPES, dtype=object), n_rows, p=[0.5, 0.35, 0.15])
    channel = rng.choice(np.array(channels, dtype=object), n_rows)
    region = rng.choice(np.array(regions, dtype=object), n_rows)
    is_complaint = rng.random(n_rows) < complaint_rate

    if spike is not None:
        extra = spike.extra
        spike_start = np.datetime64(spike.period_start, "s")
        stamps = np.concatenate(
            [stamps, spike_start + rng.integers(0, 7 * 86_400, extra).astype("timedelta64[s]")])
        cause = np.concatenate([cause, np.full(extra, spike.cause, dtype=object)])
        kind = np.concatenate([kind, rng.choice(np.array(TYPES, dtype=object), extra)])
        seg_values = np.full(extra, spike.segment_value, dtype=object)
        if spike.segment_column == "channel":
            channel = np.concatenate([channel, seg_values])
            region = np.concatenate([region, rng.choice(np.array(regions, dtype=object),
                                                        extra)])
        else:
            region = np.concatenate([region, seg_values])
            channel = np.concatenate([channel, rng.choice(np.array(channels, dtype=object),
                                                          extra)])
        is_complaint = np.concatenate([is_complaint, np.ones(extra, dtype=bool)])

    total = len(cause)
    texts = np.empty(total, dtype=object)
    for label, options in _TEXTS.items():
        rows = np.flatnonzero(cause == label)
        texts[rows] = np.asarray(options, dtype=object)[rng.integers(0, len(options), rows.size)]
    fillers = np.asarray(_FILLERS, dtype=object)[rng.integers(0, len(_FILLERS), total)]
    texts = texts + " " + fillers
    non = np.flatnonzero(~is_complaint)
    texts[non] = np.asarray(_NON_COMPLAINTS, dtype=object)[
        rng.integers(0, len(_NON_COMPLAINTS), non.size)]
    if spike is not None:
        texts[n_rows:] = texts[n_rows:] + " " + spike.marker

    dates = np.datetime_as_string(stamps, unit="s").astype(object)
    undated = rng.random(total) < undated_rate
    dates[undated] = ""
    failed = rng.random(total) < error_rate
    complaint_score = np.where(is_complaint, rng.uniform(0.6, 1.0, total),
                               rng.uniform(0.0, 0.4, total))
    frame = pd.DataFrame({
        "id": np.arange(total),
        "text": texts,
        "created_at": dates,
        "channel": channel,
        "region": region,
        "is_complaint": np.where(is_complaint & ~failed, "true", "false"),
        "complaint_score": np.round(complaint_score, 4),
        "cause": np.where(is_complaint & ~failed, cause, ""),
        "cause_score": np.where(is_complaint & ~failed,
                                np.round(rng.uniform(0.3, 1.0, total), 4), np.nan),
        "secondary_causes": "",
        "type": np.where(is_complaint & ~failed, kind, ""),
        "type_score": np.where(is_complaint & ~failed,
                               np.round(rng.uniform(0.3, 1.0, total), 4), np.nan),
        "language": "mixed",
        "keywords": "",
        "error": np.where(failed, "text is empty", ""),
    })
    return frame
