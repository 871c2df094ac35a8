"""Bilingual display names of the label values that appear in trend reports."""

from __future__ import annotations

from analyzer.labels import CAUSE_INFO, TYPE_INFO, Cause, ComplaintType

#: Label of a complaint whose cause or type is empty in the classified data.
UNASSIGNED = "unassigned"
#: Label of the series "all complaints" (every cause and type together).
ALL = "all"
#: Period label of rows without a usable date.
UNDATED = "undated"
#: Segment value of rows whose segment column is empty.
MISSING_SEGMENT = "(missing)"

_EXTRA: dict[str, tuple[str, str]] = {
    UNASSIGNED: ("Unassigned", "未分类"),
    ALL: ("All complaints", "全部投诉"),
    UNDATED: ("Undated", "无日期"),
}


def label_names(value: str) -> tuple[str, str]:
    """English and Chinese names of a cause, type or special value; unknown values as is."""
    try:
        info = CAUSE_INFO[Cause(value)]
        return info.name_en, info.name_zh
    except ValueError:
        pass
    try:
        info = TYPE_INFO[ComplaintType(value)]
        return info.name_en, info.name_zh
    except ValueError:
        pass
    return _EXTRA.get(value, (value, value))


def bilingual(value: str) -> str:
    """``"English / 中文"`` name of a label value (just the value when no names are known)."""
    en, zh = label_names(value)
    return en if en == zh else f"{en} / {zh}"


def english(value: str) -> str:
    """English name of a label value (ASCII-safe for charts)."""
    return label_names(value)[0]
