"""Chunked writers for classified output: CSV, TSV, XLSX, JSONL, Parquet.

Writers write to a file object or path opened by the caller (who handles atomic rename).
CSV/TSV are written as UTF-8 with a BOM so that Excel opens Chinese text correctly.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any, Protocol

import pandas as pd

from analyzer.errors import InputFileError

#: Characters that make a spreadsheet treat a cell as a formula.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 1_048_575


def neutralise_formula(value: object) -> object:
    """Prefix a string cell that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_values(values: Iterable[object]) -> list[object]:
    """:func:`neutralise_formula` applied to each value (for result columns built as lists)."""
    return [neutralise_formula(v) for v in values]


def neutralise_columns(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """A copy of ``frame`` with formula-like strings in ``columns`` neutralised."""
    frame = frame.copy()
    for column in columns:
        values = frame[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            # Vectorised neutralise_formula: non-string cells give NA here and are left alone.
            risky = values.str.startswith(FORMULA_PREFIXES).fillna(False).astype(bool)
            if risky.any():
                frame.loc[risky, column] = "'" + values[risky].astype(str)
    return frame


class ChunkWriter(Protocol):
    """Writes DataFrame chunks in order, then is closed."""

    def write(self, chunk: pd.DataFrame) -> None: ...

    def close(self) -> None: ...


class CsvWriter:
    """CSV or TSV, UTF-8 with BOM (the BOM is skipped when writing to a pipe)."""

    def __init__(self, handle: IO[str], delimiter: str, bom: bool = True) -> None:
        self.handle = handle
        self.delimiter = delimiter
        self.first = True
        if bom:
            handle.write("\ufeff")

    def write(self, chunk: pd.DataFrame) -> None:
        chunk.to_csv(self.handle, sep=self.delimiter, index=False, header=self.first,
                     lineterminator="\n")
        self.first = False

    def close(self) -> None:
        self.handle.flush()


class JsonlWriter:
    """One JSON object per line, values as read (strings, numbers, booleans, nulls)."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle

    def write(self, chunk: pd.DataFrame) -> None:
        columns = list(chunk.columns)
        for row in chunk.itertuples(index=False, name=None):
            record = {c: _json_value(v) for c, v in zip(columns, row)}
            self.handle.write(json.dumps(record, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self.handle.flush()


def _json_value(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


class XlsxWriter:
    """XLSX via openpyxl's write-only mode (rows stream to disk)."""

    def __init__(self, path: Path) -> None:
        from openpyxl import Workbook

        self.path = path
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet("classified")
        self.first = True
        self.rows = 0

    def write(self, chunk: pd.DataFrame) -> None:
        if self.first:
            self.sheet.append([str(c) for c in chunk.columns])
            self.first = False
        self.rows += len(chunk)
        if self.rows > XLSX_MAX_ROWS:
            raise InputFileError(f"XLSX holds at most {XLSX_MAX_ROWS} rows; write CSV or "
                                 "Parquet instead (--format csv)")
        for row in chunk.itertuples(index=False, name=None):
            self.sheet.append([_json_value(v) for v in row])

    def close(self) -> None:
        self.book.save(self.path)


class ParquetWriter:
    """Parquet via pyarrow, one row group per chunk; the schema is fixed by the first chunk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.writer: Any = None
        self.schema: Any = None

    def write(self, chunk: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(chunk, preserve_index=False, schema=self.schema)
        if self.writer is None:
            self.schema = table.schema
            self.writer = pq.ParquetWriter(self.path, self.schema)
        self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
