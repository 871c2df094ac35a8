"""Robust date parsing and calendar periods for trend aggregation.

Contract of :func:`parse_dates`: one calendar day (a midnight timestamp) or ``NaT`` per input
value, never an exception for a bad value. Time of day is dropped, since periods are at least
a day long. Recognised forms:

* ISO 8601 (``2015-02-24``, ``2015-02-24T11:35:52``, with fractional seconds or a trailing
  zone such as ``Z``, ``+08:00`` or `` -0800``);
* year first with ``/``, ``.`` or ``-`` (``2015/2/24``, ``2015.02.24 11:35``) or compact
  ``20150224``;
* Chinese (``2021年3月15日``, ``2021年3月15日 14:20``, ``2021年3月15日14时20分``);
* day or month first with a four-digit year (``24-02-2015 11.35``, ``2/24/2015 11:35 PM``);
  the order is decided once per column from the values that are unambiguous (a first number
  above 12 means day first, a second number above 12 means month first; a tie means day
  first) unless ``dayfirst`` is given, and a value that is only valid the other way round is
  read the other way round;
* English month names (``24 Feb 2015``, ``Feb 24, 2015``);
* Unix seconds (9-10 digits) or milliseconds (12-13 digits), as text or numbers (UTC day).

Time-zone suffixes are ignored: the local calendar day written in the data is kept, which is
what a complaint desk reports by. Dates before 1990 or from 2100 on (for example an epoch
``0`` used as "missing") are treated as unparseable. Everything unparseable becomes ``NaT``;
callers put those rows into the "undated" bucket.

Speed: only the first 13 characters of a value can hold its day (except for month names), so
values are reduced to that head and each distinct head is parsed once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analyzer.errors import InvalidInputError

#: Supported period frequencies: day, week (Monday to Sunday), month, quarter.
FREQUENCIES: dict[str, str] = {"D": "day", "W": "week", "M": "month", "Q": "quarter"}

_EARLIEST = pd.Timestamp("1990-01-01")
_LATEST = pd.Timestamp("2100-01-01")
_HEAD = 13  # longest day-bearing prefix: 13-digit epoch milliseconds

_ISO = r"^\d{4}-\d{2}-\d{2}"
_YEAR_FIRST = (
    r"^(?P<year>\d{4})\s*[-/.年]\s*(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})(?!\d)"
)
_NUMERIC_FIRST = r"^(?P<a>\d{1,2})\s*[-/.]\s*(?P<b>\d{1,2})\s*[-/.]\s*(?P<year>\d{4})(?!\d)"
_MONTH_NAME = r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?(?:\s|,|-|/|$)"
_TEXT = pd.StringDtype("pyarrow")
# Whole-column patterns stay within what pyarrow's RE2 runs natively (no \\s, \\b, \\d).
_HAS_MONTH_NAME = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
_TIME_OF_DAY = r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?(?:[.][0-9]+)?"
_ZONE = r" (?:[+-][0-9]{2}:?[0-9]{2}|utc|gmt|UTC|GMT|Z)"
_EPOCH = r"[0-9]{9,10}(?:[.][0-9]*)?|[0-9]{12,13}"
_MAX_NAMED = 50_000  # distinct month-name values parsed one by one; the rest stay undated


@dataclass(frozen=True)
class PeriodGrid:
    """Calendar periods spanning the dated rows, and each row's period.

    ``codes[i]`` is the index into ``labels`` of row ``i``'s period, or ``-1`` when the row is
    undated. ``labels`` are the ISO start dates of consecutive periods from the first to the
    last dated row, gaps included. ``coverage[k]`` is the fraction of period ``k`` covered by
    the data's date range (below 1 only for a first or last period that the data enters or
    leaves part-way).
    """

    freq: str
    codes: np.ndarray
    labels: tuple[str, ...]
    starts: tuple[str, ...]
    ends: tuple[str, ...]
    coverage: np.ndarray


def check_freq(freq: str) -> str:
    """The canonical frequency letter for ``freq`` (D, W, M or Q, any case)."""
    key = str(freq).strip().upper()
    if key not in FREQUENCIES:
        raise InvalidInputError(
            f"unknown period frequency {freq!r}; use one of "
            + ", ".join(f"{k} ({v})" for k, v in FREQUENCIES.items())
        )
    return key


def parse_dates(values: pd.Series, *, dayfirst: bool | None = None) -> pd.Series:
    """Calendar days (``datetime64[ns]`` at midnight, naive) aligned with ``values``.

    ``NaT`` where a value is missing, unparseable or implausible (see the module docstring for
    the accepted forms). ``dayfirst`` forces the order of ``dd/mm/yyyy`` versus
    ``mm/dd/yyyy``; ``None`` decides from the data.
    """
    index = values.index
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        parsed = values.dt.tz_localize(None)
    elif pd.api.types.is_datetime64_any_dtype(values.dtype):
        parsed = values
    elif pd.api.types.is_bool_dtype(values.dtype):
        parsed = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    elif pd.api.types.is_numeric_dtype(values.dtype):
        parsed = _from_epoch(pd.to_numeric(values, errors="coerce").astype("float64"))
    else:
        parsed = _parse_text_column(values, dayfirst=dayfirst)
    parsed = pd.Series(pd.to_datetime(parsed, errors="coerce"), index=index)
    parsed = parsed.astype("datetime64[ns]").dt.normalize()
    implausible = (parsed < _EARLIEST) | (parsed >= _LATEST)
    return parsed.mask(implausible)


def _parse_text_column(values: pd.Series, *, dayfirst: bool | None) -> pd.Series:
    """Parse a text (or mixed object) column: epoch numbers directly, the rest via their
    distinct day-bearing heads."""
    texts = values.astype(_TEXT).str.strip()
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    epoch = texts.str.fullmatch(_EPOCH).fillna(False).astype(bool)
    if epoch.any():
        out[epoch] = _from_epoch(pd.to_numeric(texts[epoch], errors="coerce"))
        texts = texts[~epoch]
    named = texts.str.contains(_HAS_MONTH_NAME, case=False).fillna(False).astype(bool)
    key = texts.str.slice(0, _HEAD)
    if named.any():
        stripped = texts.str.replace(_TIME_OF_DAY, "", regex=True)
        stripped = stripped.str.replace(_ZONE, "", regex=True)
        key = key.where(~named, stripped)
    codes, uniques = pd.factorize(key, use_na_sentinel=True)
    heads = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
    unique_days = _parse_heads(heads, dayfirst=dayfirst).to_numpy("datetime64[ns]")
    days = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[ns]")
    known = codes >= 0
    days[known] = unique_days[codes[known]]
    out[texts.index] = days
    return out


def _from_epoch(numbers: pd.Series) -> pd.Series:
    """Unix seconds, or milliseconds when the magnitude says so, to timestamps."""
    millis = numbers.abs() >= 1e11
    seconds = numbers.where(~millis, numbers / 1000.0)
    seconds = seconds.where(seconds.abs() < 5e9)  # beyond year 2128: not an epoch value
    return pd.to_datetime(seconds, unit="s", errors="coerce")


def _parse_heads(texts: pd.Series, *, dayfirst: bool | None) -> pd.Series:
    """Parse distinct value heads; each recogniser only sees what earlier ones left."""
    texts = texts.astype(str)
    out = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[ns]")
    todo = texts.str.len() > 0

    compact = todo & texts.str.fullmatch(r"\d{8}")
    if compact.any():
        out[compact] = pd.to_datetime(texts[compact], format="%Y%m%d", errors="coerce")
        todo &= out.isna()

    iso = todo & texts.str.match(_ISO)
    if iso.any():
        out[iso] = pd.to_datetime(texts[iso].str.slice(0, 10), format="%Y-%m-%d",
                                  errors="coerce")
        todo &= out.isna()

    for parser in (_year_first, _numeric_first, _month_names):
        if not todo.any():
            break
        found = parser(texts[todo], dayfirst=dayfirst).dropna()
        out[found.index] = found
        todo &= out.isna()
    return out


def _assemble(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    """Timestamps from year/month/day columns (text or numbers); NaT where invalid."""
    frame = pd.DataFrame({"year": year, "month": month, "day": day}).apply(
        pd.to_numeric, errors="coerce"
    )
    ok = (
        frame.notna().all(axis=1)
        & frame["month"].between(1, 12)
        & frame["day"].between(1, 31)
    )
    out = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    if ok.any():
        out[ok] = pd.to_datetime(frame[ok].astype("int64"), errors="coerce")
    return out


def _year_first(texts: pd.Series, *, dayfirst: bool | None) -> pd.Series:
    """``yyyy-m-d``, ``yyyy/m/d``, ``yyyy.m.d``, ``yyyy年m月d日``."""
    del dayfirst  # the year comes first: month then day is the only reading
    parts = texts.str.extract(_YEAR_FIRST).dropna(subset=["year"])
    return _assemble(parts["year"], parts["month"], parts["day"])


def _numeric_first(texts: pd.Series, *, dayfirst: bool | None) -> pd.Series:
    """``d/m/yyyy`` or ``m/d/yyyy`` (separators ``/ - .``)."""
    parts = texts.str.extract(_NUMERIC_FIRST).dropna(subset=["year"])
    if parts.empty:
        return pd.Series(dtype="datetime64[ns]")
    a = pd.to_numeric(parts["a"])
    b = pd.to_numeric(parts["b"])
    if dayfirst is None:
        dayfirst = int((a > 12).sum()) >= int((b > 12).sum())
    first, second = (a, b) if dayfirst else (b, a)
    swap = (second > 12) & (first <= 12)  # only valid the other way round
    day = first.where(~swap, second)
    month = second.where(~swap, first)
    return _assemble(parts["year"], month, day)


def _month_names(texts: pd.Series, *, dayfirst: bool | None) -> pd.Series:
    """English month names (``24 Feb 2015``, ``February 24, 2015 10:00``)."""
    has_parts = (
        texts.str.contains(_MONTH_NAME, case=False)
        & texts.str.contains(r"(?<!\d)\d{4}(?!\d)")
        & texts.str.contains(r"(?<!\d)\d{1,2}(?!\d)")
    )
    candidates = texts[has_parts].iloc[:_MAX_NAMED]
    if candidates.empty:
        return pd.Series(dtype="datetime64[ns]")
    values = [_parse_one_named(t, bool(dayfirst)) for t in candidates]
    return pd.Series(pd.to_datetime(values, errors="coerce"), index=candidates.index)


def _parse_one_named(text: str, dayfirst: bool) -> pd.Timestamp | None:
    """One month-name date through pandas' flexible parser; ``None`` when it fails."""
    try:
        stamp = pd.Timestamp(pd.to_datetime(text, dayfirst=dayfirst))
    except (ValueError, TypeError, OverflowError):
        return None
    if stamp is pd.NaT:
        return None
    return stamp.tz_localize(None) if stamp.tzinfo is not None else stamp


def period_grid(dates: pd.Series, freq: str) -> PeriodGrid:
    """Assign each timestamp to a calendar period of ``freq`` (see :class:`PeriodGrid`)."""
    freq = check_freq(freq)
    dated = dates.notna().to_numpy()
    codes = np.full(len(dates), -1, dtype=np.int64)
    if not dated.any():
        empty = np.zeros(0, dtype=float)
        return PeriodGrid(freq, codes, (), (), (), empty)
    periods = dates[dated].dt.to_period(freq)
    ordinals = periods.array.asi8
    first, last = int(ordinals.min()), int(ordinals.max())
    codes[dated] = ordinals - first
    grid = pd.period_range(
        start=pd.Period(ordinal=first, freq=freq), end=pd.Period(ordinal=last, freq=freq),
        freq=freq,
    )
    starts = grid.start_time.normalize()
    ends = grid.end_time.normalize()
    coverage = np.ones(len(grid), dtype=float)
    day_min = dates[dated].min().normalize()
    day_max = dates[dated].max().normalize()
    lengths = ((ends - starts).days + 1).to_numpy(dtype=float)
    coverage[0] = min(1.0, ((ends[0] - max(starts[0], day_min)).days + 1) / lengths[0])
    coverage[-1] = min(
        coverage[-1], ((min(ends[-1], day_max) - starts[-1]).days + 1) / lengths[-1]
    )
    labels = tuple(s.date().isoformat() for s in starts)
    return PeriodGrid(
        freq=freq,
        codes=codes,
        labels=labels,
        starts=labels,
        ends=tuple(e.date().isoformat() for e in ends),
        coverage=coverage,
    )
