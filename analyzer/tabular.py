"""Reading tabular inputs in chunks: CSV/TSV (any common encoding), XLSX, JSONL, Parquet.

Every reader yields ``pandas.DataFrame`` chunks whose values are the original cell values
(CSV: strings exactly as written; empty cells as ``""``), in file order, and never loads the
whole file at once (except XLSX, which openpyxl streams row by row).
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analyzer.errors import InputFileError

FORMATS: tuple[str, ...] = ("csv", "tsv", "xlsx", "jsonl", "parquet")
_EXTENSIONS: dict[str, str] = {
    ".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".tab": "tsv", ".xlsx": "xlsx",
    ".xlsm": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet",
    ".pq": "parquet",
}
#: Names that identify the text column (compared case-insensitively, traditional script
#: mapped to simplified).
TEXT_COLUMN_NAMES: tuple[str, ...] = (
    "text", "content", "complaint", "complaint_text", "review", "review_text", "comment",
    "comments", "message", "body", "feedback", "description", "narrative",
    "consumer_complaint_narrative", "内容", "投诉内容", "评论", "评论内容", "留言", "反馈",
    "反馈内容", "评价", "评价内容", "文本", "内容描述", "问题描述", "投诉描述",
)
_SAMPLE_BYTES = 1 << 16
_DELIMITERS = ",;\t|"


def detect_format(path: Path, override: str | None = None) -> str:
    """The input format from ``override`` or the file extension."""
    if override:
        if override not in FORMATS:
            raise InputFileError(f"unknown format {override!r}; use one of {', '.join(FORMATS)}")
        return override
    fmt = _EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise InputFileError(f"cannot tell the format of {path.name} from its extension; "
                             f"pass --format ({', '.join(FORMATS)})")
    return fmt


def detect_encoding(path: Path) -> str:
    """Detect a CSV's encoding: BOMs first, then strict UTF-8, then GB18030 or Big5.

    The whole file is then checked (in blocks, not loaded at once); an undecodable file raises
    ``InputFileError`` with the byte offset of the first bad byte.
    """
    with path.open("rb") as handle:
        head = handle.read(_SAMPLE_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif _decodes(head, "utf-8"):
        encoding = "utf-8"
    elif _looks_utf16_without_bom(head):
        encoding = "utf-16-le"
    else:
        encoding = _guess_cjk_encoding(head)
    _check_decodes(path, encoding)
    return encoding


def _decodes(sample: bytes, encoding: str) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _looks_utf16_without_bom(sample: bytes) -> bool:
    odd_zeros = sample[1::2].count(0)
    return len(sample) >= 4 and odd_zeros > len(sample) // 4


def _guess_cjk_encoding(sample: bytes) -> str:
    from charset_normalizer import from_bytes

    candidates = [enc for enc in ("gb18030", "big5") if _decodes(sample, enc)]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        best = from_bytes(sample, cp_isolation=["gb18030", "big5"]).best()
        if best is not None:
            return "big5" if best.encoding.lower().startswith("big5") else "gb18030"
        return "gb18030"
    raise InputFileError(
        "cannot detect the file's encoding (tried UTF-8, UTF-16, GB18030, Big5); "
        "save it as UTF-8 and try again"
    )


def _check_decodes(path: Path, encoding: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            try:
                decoder.decode(block, final=False)
            except UnicodeDecodeError as exc:
                raise InputFileError(
                    f"{path.name} is not valid {encoding}: undecodable byte at offset "
                    f"{offset + exc.start}; re-save the file as UTF-8"
                ) from exc
            offset += len(block)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise InputFileError(f"{path.name} ends in the middle of a {encoding} character "
                                 f"(byte offset {offset}); the file may be truncated") from exc


def sniff_delimiter(path: Path, encoding: str) -> str:
    """The delimiter among ``, ; TAB |`` that splits the first lines most consistently."""
    with path.open(encoding=encoding, newline="") as handle:
        sample = handle.read(_SAMPLE_BYTES // 2)
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in _DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


@dataclass(frozen=True)
class InputSpec:
    """A resolved input: where, which format, and for CSV its encoding and delimiter."""

    path: Path
    format: str
    encoding: str | None = None
    delimiter: str | None = None


def open_input(path: str | Path, fmt: str | None = None) -> InputSpec:
    """Resolve format, encoding and delimiter of an input file (checks it exists)."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"input file {path} does not exist")
    fmt = detect_format(path, fmt)
    if fmt in ("csv", "tsv"):
        encoding = detect_encoding(path)
        delimiter = "\t" if fmt == "tsv" else sniff_delimiter(path, encoding)
        return InputSpec(path, fmt, encoding, delimiter)
    return InputSpec(path, fmt)


def read_chunks(spec: InputSpec, chunk_size: int) -> Iterator[pd.DataFrame]:
    """Yield the input as DataFrame chunks of at most ``chunk_size`` rows, in order."""
    reader = {"csv": _csv_chunks, "tsv": _csv_chunks, "xlsx": _xlsx_chunks,
              "jsonl": _jsonl_chunks, "parquet": _parquet_chunks}[spec.format]
    yield from reader(spec, chunk_size)


def _csv_chunks(spec: InputSpec, chunk_size: int) -> Iterator[pd.DataFrame]:
    try:
        reader = pd.read_csv(spec.path, sep=spec.delimiter, encoding=spec.encoding, dtype=str,
                             keep_default_na=False, chunksize=chunk_size, engine="c",
                             skip_blank_lines=False)
        with reader:
            yield from reader
    except pd.errors.EmptyDataError as exc:
        raise InputFileError(f"{spec.path.name} is empty: no header row found") from exc
    except pd.errors.ParserError as exc:
        raise InputFileError(f"{spec.path.name} is not a well-formed CSV: {exc}") from exc


def _xlsx_chunks(spec: InputSpec, chunk_size: int) -> Iterator[pd.DataFrame]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(spec.path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise InputFileError(f"{spec.path.name} is not a readable XLSX workbook: {exc}") from exc
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise InputFileError(f"{spec.path.name}: the first sheet is empty")
        columns = [str(h) if h is not None else f"column_{i + 1}" for i, h in enumerate(header)]
        batch: list[list[object]] = []
        for row in rows:
            values = ["" if v is None else v for v in row][: len(columns)]
            batch.append(values + [""] * (len(columns) - len(values)))
            if len(batch) == chunk_size:
                yield pd.DataFrame(batch, columns=columns, dtype=object)
                batch = []
        if batch:
            yield pd.DataFrame(batch, columns=columns, dtype=object)
    finally:
        book.close()


def _jsonl_chunks(spec: InputSpec, chunk_size: int) -> Iterator[pd.DataFrame]:
    batch: list[dict[str, object]] = []
    with spec.path.open(encoding="utf-8-sig") as handle:
        for number, line in _numbered_lines(handle, spec.path):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputFileError(f"{spec.path.name} line {number} is not JSON: {exc.msg}"
                                     ) from exc
            if not isinstance(record, dict):
                raise InputFileError(f"{spec.path.name} line {number} is not a JSON object")
            batch.append(record)
            if len(batch) == chunk_size:
                yield pd.DataFrame.from_records(batch)
                batch = []
    if batch:
        yield pd.DataFrame.from_records(batch)


def _numbered_lines(handle: Any, path: Path) -> Iterator[tuple[int, str]]:
    """Lines with their numbers; a decoding error becomes ``InputFileError``."""
    number = 0
    try:
        for number, line in enumerate(handle, start=1):
            yield number, line
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path.name} is not UTF-8 (near line {number + 1}); JSONL "
                             "input must be UTF-8") from exc


def _parquet_chunks(spec: InputSpec, chunk_size: int) -> Iterator[pd.DataFrame]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(spec.path)
    except Exception as exc:
        raise InputFileError(f"{spec.path.name} is not a readable Parquet file: {exc}") from exc
    for batch in parquet.iter_batches(batch_size=chunk_size):
        yield batch.to_pandas()


def find_text_column(columns: list[str], requested: str | None = None) -> str:
    """The text column: ``requested`` if given (must exist), else the one column whose name
    is a known text-column name; otherwise fail listing the columns found."""
    listed = ", ".join(repr(c) for c in columns)
    if requested is not None:
        if requested in columns:
            return requested
        raise InputFileError(f"text column {requested!r} not found; columns are: {listed}")
    from analyzer.normalize import to_simplified

    lowered = {to_simplified(str(c).strip().lower()): c for c in columns}
    matches = [lowered[n] for n in TEXT_COLUMN_NAMES if n in lowered]
    if len(matches) == 1:
        return matches[0]
    if len(columns) == 1:
        return columns[0]
    reason = "several candidate text columns" if matches else "no column named like a text"
    raise InputFileError(f"{reason}; pass --text-column. Columns found: {listed}")
