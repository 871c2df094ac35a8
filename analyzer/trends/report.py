"""Frozen, typed results of trend aggregation; ``to_dict()`` gives JSON-ready data.

All numbers are plain Python values (``int``, ``float``, ``str``, ``bool`` or ``None``; NaN is
never stored), so a report can be serialised with :func:`json.dumps` as is.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from analyzer.trends.config import ImpactAssumptions, TrendConfig

if TYPE_CHECKING:
    import pandas as pd

#: A table cell.
Cell = str | int | float | bool | None


def clean_cell(value: Any) -> Cell:
    """A plain Python cell: numpy scalars unwrapped, NaN and NaT as ``None``."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str | int | float | bool):
        return value
    try:  # pandas NA/NaT and anything else null-like
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


@dataclass(frozen=True)
class Table:
    """A named table: column names and rows of plain cells (long format)."""

    name: str
    description: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    @classmethod
    def from_columns(
        cls, name: str, description: str, data: dict[str, Sequence[Any]]
    ) -> Table:
        """Build from equally long columns (lists or arrays); cells are cleaned."""
        columns = tuple(data)
        cleaned = [[clean_cell(v) for v in _as_list(data[c])] for c in columns]
        lengths = {len(c) for c in cleaned}
        if len(lengths) > 1:
            raise ValueError(f"table {name}: columns differ in length {sorted(lengths)}")
        return cls(name, description, columns, tuple(zip(*cleaned, strict=True)))

    @classmethod
    def from_frame(cls, name: str, description: str, frame: pd.DataFrame) -> Table:
        """Build from a DataFrame (the index is dropped)."""
        return cls.from_columns(
            name, description, {str(c): frame[c].tolist() for c in frame.columns}
        )

    def column(self, name: str) -> list[Cell]:
        """The values of one column."""
        i = self.columns.index(name)
        return [row[i] for row in self.rows]

    def to_frame(self) -> pd.DataFrame:
        """The table as a DataFrame."""
        import pandas as pd

        return pd.DataFrame(list(self.rows), columns=list(self.columns))

    def to_dict(self) -> dict[str, Any]:
        """``{"name", "description", "columns", "rows"}`` with rows as lists."""
        return {
            "name": self.name,
            "description": self.description,
            "columns": list(self.columns),
            "rows": [list(r) for r in self.rows],
        }


def _as_list(values: Sequence[Any]) -> list[Any]:
    tolist = getattr(values, "tolist", None)
    return tolist() if callable(tolist) else list(values)


@dataclass(frozen=True)
class RowCounts:
    """How the input rows were counted. Every row is counted exactly once in each split.

    ``total == dated + undated`` and ``total == complaints + non_complaints + errors``.
    """

    total: int
    dated: int
    undated: int
    complaints: int
    non_complaints: int
    errors: int


@dataclass(frozen=True)
class PeriodInfo:
    """One calendar period: ISO start and end days and the fraction covered by the data."""

    label: str
    start: str
    end: str
    coverage: float


@dataclass(frozen=True)
class Verbatim:
    """A representative complaint. ``row`` is the 0-based position in the input."""

    row: int
    text: str
    cause: str
    type: str
    score: float | None
    period: str
    segments: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Alert:
    """A significant rise of one series in one period.

    ``dimension`` is ``"cause"``, ``"type"`` or ``"all"`` (every complaint) and ``label`` the
    cause or type value (or ``"all"``); ``segment_column``/``segment_value`` are ``None`` for
    the overall series. ``expected`` is the trailing-baseline mean (scaled to the period's
    coverage); ``p_value`` is from a Poisson (or, when the baseline is over-dispersed,
    negative binomial) upper-tail test and ``q_value`` its Benjamini-Hochberg adjustment.
    """

    dimension: str
    label: str
    segment_column: str | None
    segment_value: str | None
    period: str
    observed: int
    expected: float
    previous: int | None
    ratio: float
    p_value: float
    q_value: float
    severity: str
    baseline_periods: int
    verbatims: tuple[Verbatim, ...] = ()

    @property
    def scope(self) -> str:
        """``"overall"`` or ``"column=value"``."""
        if self.segment_column is None:
            return "overall"
        return f"{self.segment_column}={self.segment_value}"


@dataclass(frozen=True)
class Term:
    """A term and its weighted log-odds (``log_odds``) and z-score in the focus corpus.

    ``focus_count``/``reference_count``: documents containing the term on each side.
    """

    term: str
    z: float
    log_odds: float
    focus_count: int
    reference_count: int


@dataclass(frozen=True)
class TermList:
    """Terms rising (``kind="emerging"``: latest period vs baseline) or distinctive
    (``kind="distinctive"``: this cause vs the other causes, used without dates) for one
    cause, optionally within one segment. ``sampled`` says whether documents were sampled."""

    kind: str
    cause: str
    segment_column: str | None
    segment_value: str | None
    focus: str
    reference: str
    focus_documents: int
    reference_documents: int
    sampled: bool
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class ImpactEstimate:
    """One impact figure. ``basis`` is ``"measured"`` (counted in the data) or
    ``"rule_of_thumb"`` (a count times an assumed multiplier, never a measured fact)."""

    key: str
    label_en: str
    label_zh: str
    value: float
    unit: str
    basis: str
    formula: str
    source: str


@dataclass(frozen=True)
class ImpactScope:
    """Impact estimates for one scope (all data, or the latest period)."""

    scope: str
    estimates: tuple[ImpactEstimate, ...]


@dataclass(frozen=True)
class Impact:
    """Impact section: estimates per scope, per-cause table, assumptions and disclaimer."""

    assumptions: ImpactAssumptions
    scopes: tuple[ImpactScope, ...]
    per_cause: Table
    disclaimer_en: str
    disclaimer_zh: str


@dataclass(frozen=True)
class TrendReport:
    """Everything :func:`analyzer.trends.aggregate` found, ready for JSON, CSV, charts, HTML.

    ``tables`` (see :meth:`table`) always include ``totals`` (cause x type), ``period_totals``
    and, with ``by`` columns, ``segment_totals`` and ``segment_volumes``; with dates also
    ``volumes`` (period x cause x type), ``cause_trends`` and ``type_trends``. The period
    ``"undated"`` holds rows without a usable date, so per-period tables add up to the totals.
    ``notes`` explain what was left out and why (no dates, no text column, sampling, ...).
    """

    has_dates: bool
    freq: str | None
    date_column: str | None
    text_column: str | None
    prefix: str
    by: tuple[str, ...]
    counts: RowCounts
    periods: tuple[PeriodInfo, ...]
    latest_period: str | None
    causes: tuple[str, ...]
    types: tuple[str, ...]
    notes: tuple[str, ...]
    tables: tuple[Table, ...]
    alerts: tuple[Alert, ...]
    terms: tuple[TermList, ...]
    verbatims: tuple[Verbatim, ...]
    impact: Impact
    config: TrendConfig

    def table(self, name: str) -> Table:
        """The table called ``name``; ``KeyError`` listing the names if there is none."""
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(f"no table {name!r}; tables: {[t.name for t in self.tables]}")

    def table_names(self) -> tuple[str, ...]:
        """Names of the tables in this report."""
        return tuple(t.name for t in self.tables)

    def to_dict(self) -> dict[str, Any]:
        """The whole report as JSON-ready data (tables as ``{"columns", "rows"}``)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "tables":
                out["tables"] = {t.name: t.to_dict() for t in value}
            else:
                out[f.name] = _plain(value)
        out["alerts"] = [dict(_plain(a), scope=a.scope) for a in self.alerts]
        return out


def _plain(value: Any) -> Any:
    """Dataclasses, tuples and tables to dicts and lists, recursively."""
    if isinstance(value, Table):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
