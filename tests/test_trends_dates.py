"""Date parsing and calendar periods of the trends package."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analyzer.errors import InvalidInputError
from analyzer.trends.dates import check_freq, parse_dates, period_grid


def _days(values: list[object], **kwargs: object) -> list[str | None]:
    parsed = parse_dates(pd.Series(values, dtype=object), **kwargs)
    return [None if pd.isna(d) else d.date().isoformat() for d in parsed]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2015-02-24", "2015-02-24"),
        ("2015-02-24T11:35:52Z", "2015-02-24"),
        ("2015-02-24 11:35:52 -0800", "2015-02-24"),
        ("2015/2/24", "2015-02-24"),
        ("2015.02.24 11:35", "2015-02-24"),
        ("20150224", "2015-02-24"),
        ("24-02-2015 11.35", "2015-02-24"),
        ("2/24/2015 11:35 PM", "2015-02-24"),
        ("2021年3月15日", "2021-03-15"),
        ("2021年3月15日 14:20", "2021-03-15"),
        ("2021年12月5日14时20分", "2021-12-05"),
        ("24 Feb 2015", "2015-02-24"),
        ("Feb 24, 2015", "2015-02-24"),
        ("Tue Feb 24 11:35:52 +0000 2015", "2015-02-24"),
        ("1424779200", "2015-02-24"),
        ("1424779200000", "2015-02-24"),
    ],
)
def test_parse_dates_reads_each_supported_format(text: str, expected: str) -> None:
    assert _days([text]) == [expected]


@pytest.mark.parametrize("text", ["", "not a date", "3月15日", "2015-02-30", "0", "May 2015",
                                  "13/13/2015", "1899-01-01"])
def test_parse_dates_gives_nat_for_unusable_values(text: str) -> None:
    assert _days([text]) == [None]


def test_parse_dates_handles_missing_values_and_numbers() -> None:
    assert _days([None, np.nan, 1424779200, 1424779200.0]) == [
        None, None, "2015-02-24", "2015-02-24"]
    numeric = parse_dates(pd.Series([1424779200, 0, 1424779200000]))
    assert [None if pd.isna(d) else d.date().isoformat() for d in numeric] == [
        "2015-02-24", None, "2015-02-24"]


def test_parse_dates_decides_day_or_month_first_from_the_column() -> None:
    assert _days(["03/04/2015", "25/04/2015"]) == ["2015-04-03", "2015-04-25"]
    assert _days(["03/04/2015", "04/25/2015"]) == ["2015-03-04", "2015-04-25"]
    assert _days(["03/04/2015"], dayfirst=False) == ["2015-03-04"]


def test_parse_dates_keeps_local_day_of_timezone_aware_values() -> None:
    stamps = pd.Series(pd.to_datetime(["2020-01-01 23:30"]).tz_localize("Asia/Shanghai"))
    assert [d.date().isoformat() for d in parse_dates(stamps)] == ["2020-01-01"]


def test_parse_dates_keeps_alignment_with_a_non_default_index() -> None:
    values = pd.Series(["2015-02-24", "bad", "2021年3月15日"], index=[10, 5, 7])
    parsed = parse_dates(values)
    assert list(parsed.index) == [10, 5, 7]
    assert parsed.isna().tolist() == [False, True, False]


def test_period_grid_weeks_start_on_monday_and_include_gaps() -> None:
    dates = pd.Series(pd.to_datetime(["2024-01-03", "2024-01-24", None]))
    grid = period_grid(dates, "W")
    assert grid.labels == ("2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22")
    assert grid.codes.tolist() == [0, 3, -1]
    assert grid.ends[0] == "2024-01-07"


def test_period_grid_reports_partial_coverage_of_edge_periods() -> None:
    dates = pd.Series(pd.to_datetime(["2024-01-29", "2024-02-15", "2024-03-01"]))
    grid = period_grid(dates, "M")
    assert grid.labels == ("2024-01-01", "2024-02-01", "2024-03-01")
    assert grid.coverage[0] == pytest.approx(3 / 31)
    assert grid.coverage[1] == 1.0
    assert grid.coverage[2] == pytest.approx(1 / 31)


def test_period_grid_without_dates_is_empty() -> None:
    grid = period_grid(pd.Series([pd.NaT, pd.NaT], dtype="datetime64[ns]"), "D")
    assert grid.labels == ()
    assert grid.codes.tolist() == [-1, -1]


def test_check_freq_accepts_known_letters_and_rejects_others() -> None:
    assert check_freq("w") == "W"
    assert check_freq(" Q ") == "Q"
    with pytest.raises(InvalidInputError, match="frequency"):
        check_freq("Y")
