"""Batch classification on a Dask cluster: many files, tens of millions of rows.

``classify_dask(inputs, output_dir, options, dask_options)`` is the engine behind
``complaint-analyzer classify INPUT... --engine dask``. It gives the same guarantees as the
local engine (:func:`analyzer.batch.classify_file`) and uses the same code for the labels:

* Inputs are CSV/TSV/Parquet files (several, or glob patterns). The client plans the work
  without parsing the data: CSV files are cut into byte ranges at record boundaries (quote
  aware, so texts with line breaks are never split; files whose quoting cannot be checked
  cheaply stay in one piece), Parquet files into groups of row groups. A first, cheap pass on
  the workers counts the rows of every CSV piece so that each row gets its exact row number.
* Every partition is read on a worker (``dask.dataframe.from_map``), gets the order key
  ``source_file`` (the input path as given) and ``source_row`` (1-based data row number in
  that file), and is classified by ``map_partitions`` through
  :func:`analyzer.batch.classify_texts` -- the local engine's function -- in chunks of
  ``BatchOptions.chunk_size`` rows.
* The model file is sent once to every worker by a ``distributed.WorkerPlugin`` and loaded
  there once into a worker-local cache; tasks carry only a key, never the model.
* Each partition is written as one part file (``part-00000.parquet`` or ``.csv``) into a
  temporary directory next to the output; a part appears atomically or not at all, so a task
  re-run after a worker died simply writes its part again. Parts are numbered in input order.
* At the end the row count of the written parts (Parquet footers; CSV parts re-counted) is
  checked against the planned input count, a ``_manifest.json`` is written, and the directory
  is moved into place. Any failure -- scheduler unreachable, a worker killed more often than
  the scheduler allows, a task failing after its retries, a count mismatch -- raises a
  :class:`DaskEngineError` (an ``AnalyzerError``) and leaves no output directory behind.

Workers must run the same version of this package and see the input and output paths (same
paths on a shared file system). Without a scheduler address a ``distributed.LocalCluster``
with one single-threaded worker process per core is started on loopback and closed at the end.

:func:`read_classified_parquet` reads an output directory back with column projection (only
the columns asked for are read), for trend aggregation.
"""

from __future__ import annotations

import contextlib
import glob
import io
import itertools
import json
import os
import re
import shutil
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from analyzer.batch import (
    RESULT_COLUMNS,
    BatchOptions,
    BatchSummary,
    Progress,
    added_columns,
    check_collisions,
    classify_texts,
)
from analyzer.errors import AnalyzerError, InputFileError, ModelError
from analyzer.tabular import find_text_column, open_input

#: Order-key columns appended after the result columns (each prefixed with ``prefix``).
ORDER_COLUMNS: tuple[str, str] = ("source_file", "source_row")
OUTPUT_FORMATS: tuple[str, ...] = ("parquet", "csv")
INPUT_FORMATS: tuple[str, ...] = ("csv", "tsv", "parquet")
DEFAULT_PARTITION_SIZE = "64MB"
MANIFEST_NAME = "_manifest.json"
#: Partitions are made smaller than ``partition_size`` when needed to give every worker
#: thread about this many partitions (load balance), but not below ``_MIN_AUTO_PARTITION``.
PARTITIONS_PER_THREAD = 4
_MIN_AUTO_PARTITION = 1 << 20
#: Dask settings for the worker processes of the local cluster (see README "Dask engine"
#: for the same settings on a real cluster). Dask's defaults cost this pure-Python workload
#: 10-25% CPU: the statistical profiler samples every thread's stack every 10 ms, and
#: MALLOC_TRIM_THRESHOLD_=65536 makes glibc return memory to the system after small frees.
FAST_WORKER_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
}
_SCAN_BLOCK = 1 << 24
_QUOTE, _LF, _CR = 0x22, 0x0A, 0x0D
_SIZE_UNITS: dict[str, int] = {
    "": 1, "b": 1, "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9,
    "t": 10**12, "tb": 10**12, "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40,
}


# ---------------------------------------------------------------- errors
class DaskEngineError(AnalyzerError):
    """The Dask engine could not complete the job; no output directory was written."""


class DaskUnavailableError(DaskEngineError):
    """``dask[dataframe]`` / ``distributed`` are not installed."""


class SchedulerUnreachableError(DaskEngineError):
    """The scheduler address is invalid, cannot be reached, or has no workers."""


class WorkerFailureError(DaskEngineError):
    """A worker died (killed, out of memory) more often than the scheduler allows."""


class PartitionFailedError(DaskEngineError):
    """A partition raised an unexpected error on a worker, also after its retries."""


class OutputMismatchError(DaskEngineError):
    """The written output does not hold exactly the planned number of rows."""


class OutputWriteError(DaskEngineError):
    """A worker could not write its part of the output directory."""


# ---------------------------------------------------------------- options and plan
@dataclass(frozen=True)
class DaskOptions:
    """Settings of the Dask engine (the labels and columns come from ``BatchOptions``).

    ``scheduler``: address of a running scheduler (``tcp://HOST:PORT``); ``None`` starts a
    local cluster of ``workers`` single-threaded processes (default: all cores).
    ``partition_size``: maximum input bytes per partition (CSV bytes on disk, Parquet
    uncompressed row-group bytes). ``output_format``: ``parquet`` or ``csv``.
    ``retries``: re-runs of a task that raised; a task whose worker died is re-run by the
    scheduler (``distributed.scheduler.allowed-failures`` times). ``connect_timeout``:
    seconds to reach the scheduler and to wait for its first worker.
    """

    scheduler: str | None = None
    partition_size: int = 64 * 10**6
    output_format: str = "parquet"
    workers: int | None = None
    retries: int = 2
    connect_timeout: float = 10.0


@dataclass(frozen=True)
class Piece:
    """One partition of the input: a byte range of a CSV or row groups of a Parquet file.

    CSV: ``header_end`` > 0 means the file is read as its header bytes ``[0, header_end)``
    plus the bytes ``[start, end)``; ``header_end == 0`` means the whole file in one piece.
    ``rows`` is the exact row count (``-1`` until counted) and ``first_row`` the 1-based row
    number of its first row in the file.
    """

    index: int
    source: str
    path: str
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    header_end: int = 0
    start: int = 0
    end: int = 0
    row_groups: tuple[int, ...] = ()
    rows: int = -1
    first_row: int = 1
    size: int = 0

    def describe(self) -> str:
        """Human-readable location, for error messages."""
        if self.rows >= 0:
            return f"{self.source} rows {self.first_row}-{self.first_row + self.rows - 1}"
        if self.format == "parquet":
            return f"{self.source} row groups {list(self.row_groups)}"
        return f"{self.source} bytes {self.start}-{self.end}"


@dataclass(frozen=True)
class InputFile:
    """A resolved input file with its columns and Arrow types of the original columns."""

    source: str
    path: Path
    format: str
    encoding: str | None
    delimiter: str | None
    columns: tuple[str, ...]
    types: tuple[Any, ...]
    size: int
    data_bytes: int


@dataclass(frozen=True)
class Plan:
    """What the job will do: pieces in input order, the output schema and row counts."""

    inputs: tuple[InputFile, ...]
    pieces: tuple[Piece, ...]
    columns: tuple[str, ...]
    string_columns: tuple[str, ...]
    text_column: str
    schema: Any
    total_rows: int
    order_columns: tuple[str, str]
    added: tuple[str, ...] = field(default_factory=tuple)


def parse_size(text: str | int) -> int:
    """Bytes from ``64MB``, ``512KiB``, ``1e6`` or an int; raises ``InputFileError``."""
    if isinstance(text, int):
        value = float(text)
    else:
        match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*([a-zA-Z]*)\s*", str(text))
        unit = match.group(2).lower() if match else None
        if match is None or unit not in _SIZE_UNITS:
            raise InputFileError(f"cannot read size {text!r}; write it like 64MB, 512KiB or "
                                 "1GB")
        value = float(match.group(1)) * _SIZE_UNITS[unit]
    if value < 1:
        raise InputFileError(f"size {text!r} must be at least 1 byte")
    return int(value)


def order_column_names(prefix: str = "") -> tuple[str, str]:
    """Names of the order-key columns (``source_file``, ``source_row``) with the prefix."""
    return (prefix + ORDER_COLUMNS[0], prefix + ORDER_COLUMNS[1])


def expand_inputs(patterns: Sequence[str]) -> list[tuple[str, Path]]:
    """``(source, path)`` per input file, in the given order; glob patterns expand sorted.

    ``source`` is the path as given (the ``source_file`` value). A pattern matching nothing, a
    missing file, or the same file twice raises ``InputFileError``.
    """
    found: list[tuple[str, Path]] = []
    for pattern in patterns:
        if pattern == "-":
            raise InputFileError("the dask engine cannot read standard input; pass files")
        if glob.has_magic(pattern) and not Path(pattern).exists():
            matches = sorted(m for m in glob.glob(pattern, recursive=True) if Path(m).is_file())
            if not matches:
                raise InputFileError(f"no input file matches {pattern!r}")
            found.extend((m, Path(m)) for m in matches)
        else:
            if Path(pattern).is_dir():
                raise InputFileError(f"input {pattern} is a directory; pass its files or a "
                                     f"quoted glob such as '{Path(pattern) / '*.parquet'}'")
            if not Path(pattern).is_file():
                raise InputFileError(f"input file {pattern} does not exist")
            found.append((pattern, Path(pattern)))
    seen: dict[Path, str] = {}
    for source, path in found:
        key = path.resolve()
        if key in seen:
            raise InputFileError(f"input {source} is given twice (also as {seen[key]}); "
                                 "every row must be classified exactly once")
        seen[key] = source
    if not found:
        raise InputFileError("no input files given")
    return found


def _is_string_type(arrow_type: Any) -> bool:
    import pyarrow as pa

    return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)


def _describe_input(source: str, path: Path, fmt: str | None) -> InputFile:
    import pyarrow as pa

    spec = open_input(path, fmt)
    if spec.format not in INPUT_FORMATS:
        raise InputFileError(f"{source}: the dask engine reads CSV, TSV and Parquet, not "
                             f"{spec.format}; convert it or use --engine local")
    if spec.format == "parquet":
        import pyarrow.parquet as pq

        try:
            schema = pq.ParquetFile(path).schema_arrow
        except Exception as exc:
            raise InputFileError(f"{source} is not a readable Parquet file: {exc}") from exc
        frame = schema.empty_table().to_pandas()
        types = tuple(schema.field(str(c)).type if str(c) in schema.names else pa.string()
                      for c in frame.columns)
        meta = pq.ParquetFile(path).metadata
        data_bytes = sum(meta.row_group(g).total_byte_size for g in range(meta.num_row_groups))
        return InputFile(source, path.resolve(), "parquet", None, None,
                         tuple(str(c) for c in frame.columns), types, path.stat().st_size,
                         data_bytes)
    try:
        header = pd.read_csv(path, sep=spec.delimiter, encoding=spec.encoding, dtype=str,
                             keep_default_na=False, nrows=0, engine="c")
    except pd.errors.EmptyDataError as exc:
        raise InputFileError(f"{source} is empty: no header row found") from exc
    except pd.errors.ParserError as exc:
        raise InputFileError(f"{source} is not a well-formed CSV: {exc}") from exc
    columns = tuple(str(c) for c in header.columns)
    size = path.stat().st_size
    return InputFile(source, path.resolve(), "csv", spec.encoding, spec.delimiter, columns,
                     tuple(pa.string() for _ in columns), size, size)


def _unify(inputs: Sequence[InputFile]) -> tuple[tuple[str, ...], tuple[str, ...], list[Any]]:
    """Common columns (first file's order), columns converted to text, and Arrow types.

    All inputs must have the same column names. A column keeps its type when every input
    agrees on it (all CSV columns are text); otherwise it is converted to text everywhere.
    """
    import pyarrow as pa

    first = inputs[0]
    for other in inputs[1:]:
        if set(other.columns) != set(first.columns) or len(other.columns) != len(first.columns):
            missing = [c for c in first.columns if c not in other.columns]
            extra = [c for c in other.columns if c not in first.columns]
            raise InputFileError(
                f"all inputs must have the same columns: {other.source} differs from "
                f"{first.source} (missing {missing}, extra {extra})")
    converted: list[str] = []
    types: list[Any] = []
    for name in first.columns:
        seen = [inp.types[inp.columns.index(name)] for inp in inputs]
        if all(_is_string_type(t) for t in seen):
            types.append(pa.string())
        elif all(t == seen[0] for t in seen):
            types.append(seen[0])
        else:
            converted.append(name)
            types.append(pa.string())
    return first.columns, tuple(converted), types


# ---------------------------------------------------------------- CSV splitting
def csv_split_points(path: Path, encoding: str, delimiter: str, piece_bytes: int
                     ) -> tuple[int, list[int]] | None:
    """Record boundaries of a CSV: ``(header_end, cuts)`` or ``None`` if it must stay whole.

    ``header_end`` is the byte offset just after the header record; ``cuts`` are offsets just
    after a line feed outside quotes, about ``piece_bytes`` apart, so that the pieces
    ``[header_end, cut1), [cut1, cut2), ..., [cutN, size)`` hold whole records. A newline is
    outside quotes when the number of ``"`` before it is even; this is only trusted when every
    quote sits where RFC 4180 puts one (an opening quote after a delimiter, line break or
    quote; a closing one before them or the end). Otherwise, and for UTF-16 files or a ``|``
    delimiter in a double-byte Chinese encoding (whose bytes can contain ``|``), the file is
    not split. Reads the file in blocks; never loads it at once.
    """
    enc = encoding.lower().replace("_", "-")
    if (enc.startswith("utf-16") or len(delimiter.encode("ascii", "replace")) != 1
            or (delimiter == "|" and enc not in ("utf-8", "utf-8-sig"))):
        return None
    size = path.stat().st_size
    bom = 3 if enc == "utf-8-sig" else 0
    structural = np.array(sorted({ord(delimiter), _LF, _CR, _QUOTE}), dtype=np.uint8)
    quotes_before = 0
    header_end: int | None = None
    next_target = 0
    cuts: list[int] = []
    prev_byte = -1
    offset = 0
    with path.open("rb") as handle:
        while offset < size:
            handle.seek(offset)
            raw = handle.read(_SCAN_BLOCK + 1)
            if not raw:
                break
            window = np.frombuffer(raw, dtype=np.uint8)
            body = window[:_SCAN_BLOCK]
            quotes = np.flatnonzero(body == _QUOTE)
            if len(quotes) and not _quotes_are_regular(window, quotes, quotes_before, offset,
                                                       bom, prev_byte, structural):
                return None
            line_feeds = np.flatnonzero(body == _LF)
            if len(line_feeds):
                inside = (quotes_before + np.searchsorted(quotes, line_feeds)) % 2 == 1
                ends = line_feeds[~inside] + offset + 1
                if header_end is None and len(ends):
                    header_end = int(ends[0])
                    next_target = header_end + piece_bytes
                    ends = ends[1:]
                while header_end is not None and len(ends):
                    j = int(np.searchsorted(ends, next_target))
                    if j >= len(ends):
                        break
                    cuts.append(int(ends[j]))
                    next_target = int(ends[j]) + piece_bytes
                    ends = ends[j + 1:]
            quotes_before += len(quotes)
            prev_byte = int(body[-1])
            offset += len(body)
    if quotes_before % 2:
        return None
    if header_end is None:
        return None
    return header_end, [c for c in cuts if c < size]


def _quotes_are_regular(window: np.ndarray, quotes: np.ndarray, quotes_before: int,
                        offset: int, bom: int, prev_byte: int, structural: np.ndarray) -> bool:
    """Whether every quote in the block is at an RFC 4180 position (see csv_split_points)."""
    ordinal = quotes_before + np.arange(len(quotes))
    opening = ordinal % 2 == 0
    previous = np.where(quotes > 0, window[np.maximum(quotes - 1, 0)], max(prev_byte, 0))
    at_start = (quotes + offset) == bom
    ok_open = np.isin(previous, structural) | at_start
    following_index = quotes + 1
    has_next = following_index < len(window)
    following = window[np.minimum(following_index, len(window) - 1)]
    ok_close = np.isin(following, structural) | ~has_next
    return bool(np.all(np.where(opening, ok_open, ok_close)))


def _pieces_for(inp: InputFile, piece_bytes: int, start_index: int) -> list[Piece]:
    if inp.format == "parquet":
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(inp.path).metadata
        groups: list[list[int]] = []
        group_bytes = 0
        for g in range(meta.num_row_groups):
            size = meta.row_group(g).total_byte_size
            if not groups or group_bytes + size > piece_bytes:
                groups.append([])
                group_bytes = 0
            groups[-1].append(g)
            group_bytes += size
        groups = groups or [[]]
        pieces = []
        first_row = 1
        for k, rg in enumerate(groups):
            rows = sum(meta.row_group(g).num_rows for g in rg)
            pieces.append(Piece(index=start_index + k, source=inp.source, path=str(inp.path),
                                format="parquet", row_groups=tuple(rg), rows=rows,
                                first_row=first_row,
                                size=sum(meta.row_group(g).total_byte_size for g in rg)))
            first_row += rows
        return pieces
    assert inp.encoding is not None and inp.delimiter is not None
    split = csv_split_points(inp.path, inp.encoding, inp.delimiter, piece_bytes)
    common = {"source": inp.source, "path": str(inp.path), "format": "csv",
              "encoding": inp.encoding, "delimiter": inp.delimiter}
    if split is None:
        return [Piece(index=start_index, header_end=0, start=0, end=inp.size, size=inp.size,
                      **common)]
    header_end, cuts = split
    bounds = [header_end, *cuts, inp.size]
    return [Piece(index=start_index + k, header_end=header_end, start=a, end=b, size=b - a,
                  **common)
            for k, (a, b) in enumerate(itertools.pairwise(bounds))]


# ---------------------------------------------------------------- worker side
_MODELS: dict[str, Any] = {}
_MODELS_LOCK = threading.Lock()


def _worker_model(key: str) -> Any:
    """The model registered under ``key`` on this worker (loaded once by ModelPlugin)."""
    model = _MODELS.get(key)
    if model is None:
        raise ModelError(f"model {key} is not loaded on this worker (its WorkerPlugin did "
                         "not run); check the worker logs")
    return model


def _worker_version() -> str:
    import analyzer

    return analyzer.__version__


def _load_into_cache(key: str, data: bytes, directory: Path, source: str) -> None:
    """Load the model file ``data`` (from ``source``, for messages) into ``_MODELS[key]``."""
    from analyzer.persistence import load_analyzer

    with _MODELS_LOCK:
        if key in _MODELS:
            return
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"complaint-analyzer-model-{key}.npz"
        path.write_bytes(data)
        try:
            _MODELS[key] = load_analyzer(path)
        except ModelError as exc:
            raise ModelError(f"a worker cannot load {source}: "
                             f"{str(exc).replace(str(path), 'the model file')}") from exc
        finally:
            path.unlink(missing_ok=True)


def _define_model_plugin() -> type:
    """The ``_ModelPlugin`` class (a ``distributed.WorkerPlugin``), defined on first use so
    that importing this module (e.g. for :func:`read_classified_parquet`) does not import
    ``distributed``. It pickles by reference as ``analyzer.dask_engine._ModelPlugin``."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class _ModelPlugin(WorkerPlugin):
        """Sends the model bytes once to every worker and loads the model there once.

        ``setup`` writes the file into the worker's local directory and loads it into the
        worker-local cache under ``key``; ``teardown`` drops it. The scheduler also runs it
        on workers that join or restart later, so tasks carry only ``key``.
        """

        def __init__(self, key: str, data: bytes, source: str = "the model") -> None:
            self.key = key
            self.data = data
            self.source = source
            self.name = f"complaint-analyzer-model-{key}"

        def setup(self, worker: Any) -> None:
            _load_into_cache(self.key, self.data, Path(worker.local_directory), self.source)

        def teardown(self, worker: Any) -> None:
            _MODELS.pop(self.key, None)

    _ModelPlugin.__module__ = __name__
    _ModelPlugin.__qualname__ = "_ModelPlugin"
    return _ModelPlugin


def _model_plugin_class() -> type:
    """``_ModelPlugin``, defined once per process."""
    cls = globals().get("_ModelPlugin")
    if cls is None:
        cls = globals()["_ModelPlugin"] = _define_model_plugin()
    return cls


def __getattr__(name: str) -> Any:
    """Module attribute hook: resolves ``_ModelPlugin`` when a worker unpickles it."""
    if name == "_ModelPlugin":
        return _model_plugin_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _unreadable(piece: Piece, exc: OSError) -> InputFileError:
    return InputFileError(f"a worker cannot read {piece.path} ({exc}); on a remote cluster "
                          "the inputs must be at the same path on every worker (a shared "
                          "file system)")


def _parse_csv(piece: Piece, **kwargs: Any) -> pd.DataFrame:
    """Parse a CSV piece exactly like the local engine parses the whole file."""
    options = {"sep": piece.delimiter, "encoding": piece.encoding, "dtype": str,
               "keep_default_na": False, "engine": "c", "skip_blank_lines": False, **kwargs}
    try:
        if piece.header_end == 0:
            return pd.read_csv(piece.path, **options)
        with open(piece.path, "rb") as handle:
            header = handle.read(piece.header_end)
            handle.seek(piece.start)
            body = handle.read(piece.end - piece.start)
        if len(body) != piece.end - piece.start:
            raise InputFileError(f"{piece.source} changed while it was being classified "
                                 "(it is shorter than planned); run again")
        return pd.read_csv(io.BytesIO(header + body), **options)
    except pd.errors.EmptyDataError as exc:
        raise InputFileError(f"{piece.source} is empty: no header row found") from exc
    except pd.errors.ParserError as exc:
        raise InputFileError(f"{piece.describe()} is not well-formed CSV: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{piece.describe()} is not valid {piece.encoding}: {exc}"
                             ) from exc
    except OSError as exc:
        raise _unreadable(piece, exc) from exc


def count_piece_rows(piece: Piece) -> int:
    """Number of data rows in a CSV piece (parsed like the real read, one column kept)."""
    return len(_parse_csv(piece, usecols=[0]))


def read_piece(piece: Piece, columns: Sequence[str], string_columns: Sequence[str],
               order_columns: tuple[str, str]) -> pd.DataFrame:
    """The rows of ``piece`` with the original columns (in ``columns`` order) and the order
    key. Raises ``InputFileError`` when the piece no longer has its counted row count."""
    if piece.format == "parquet":
        import pyarrow.parquet as pq

        try:
            parquet = pq.ParquetFile(piece.path)
            table = (parquet.read_row_groups(list(piece.row_groups)) if piece.row_groups
                     else parquet.schema_arrow.empty_table())
        except OSError as exc:
            raise _unreadable(piece, exc) from exc
        frame = table.to_pandas()
    else:
        frame = _parse_csv(piece)
    frame.columns = [str(c) for c in frame.columns]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputFileError(f"{piece.source} no longer has column(s) {missing}")
    frame = frame[list(columns)].reset_index(drop=True)
    for name in string_columns:
        frame[name] = frame[name].astype("str")
    if piece.rows >= 0 and len(frame) != piece.rows:
        raise InputFileError(f"{piece.describe()}: read {len(frame)} rows instead of "
                             f"{piece.rows}; was the file changed during the run?")
    frame[order_columns[0]] = pd.Series([piece.source] * len(frame), dtype="str")
    frame[order_columns[1]] = np.arange(piece.first_row, piece.first_row + len(frame),
                                        dtype=np.int64)
    return frame


def classify_partition(frame: pd.DataFrame, text_column: str, model_key: str,
                       options: BatchOptions, order_columns: tuple[str, str]) -> pd.DataFrame:
    """Original columns, the added result columns, then the order key.

    Labels come from :func:`analyzer.batch.classify_texts` (the local engine's code), called
    on ``options.chunk_size`` rows at a time with the worker's cached model.
    """
    model = _worker_model(model_key)
    added = added_columns(options)
    names = [*RESULT_COLUMNS, *(["explanation"] if options.explain else [])]
    results: dict[str, list[object]] = {n: [] for n in names}
    texts = frame[text_column].tolist()
    for start in range(0, len(texts), options.chunk_size):
        chunk = classify_texts(model, texts[start:start + options.chunk_size],
                               explain=options.explain)
        for n in names:
            results[n].extend(chunk[n])
    extra = pd.DataFrame({options.prefix + n: pd.Series(results[n], index=frame.index,
                                                        dtype="str")
                          for n in names}, index=frame.index)
    originals = [c for c in frame.columns if c not in order_columns]
    return pd.concat([frame[originals], extra[added], frame[list(order_columns)]], axis=1)


_STATS_META = pd.DataFrame({
    "part": pd.Series([], dtype="int64"), "rows": pd.Series([], dtype="int64"),
    "complaints": pd.Series([], dtype="int64"), "errors": pd.Series([], dtype="int64"),
    "causes": pd.Series([], dtype="str"), "types": pd.Series([], dtype="str"),
})


def part_name(index: int, fmt: str) -> str:
    """File name of part ``index`` (zero-padded so that name order is input order)."""
    return f"part-{index:05d}.{fmt}"


def write_partition(frame: pd.DataFrame, directory: str, fmt: str, schema: Any,
                    options: BatchOptions, partition_info: dict[str, Any] | None = None
                    ) -> pd.DataFrame:
    """Write ``frame`` atomically as part ``partition_info['number']``; one row of stats.

    The part is written to a hidden temporary name and renamed, so a part file is complete
    or absent; a re-run of the task overwrites it with identical content.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from analyzer.writers import neutralise_columns

    if partition_info is None:
        raise DaskEngineError("dask did not pass the partition number to the writer")
    index = int(partition_info["number"])
    target = Path(directory) / part_name(index, fmt)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        if fmt == "parquet":
            table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
            pq.write_table(table, tmp, row_group_size=100_000)
        else:
            added = added_columns(options)
            out = neutralise_columns(frame, list(frame.columns) if options.safe_cells
                                     else added)
            with tmp.open("w", encoding="utf-8", newline="") as handle:
                handle.write("\ufeff")
                out.to_csv(handle, index=False, lineterminator="\n")
        os.replace(tmp, target)
    except OSError as exc:
        raise OutputWriteError(
            f"a worker cannot write {target} ({exc}); the output directory must be on "
            "storage shared by the client and every worker") from exc
    finally:
        tmp.unlink(missing_ok=True)
    prefix = options.prefix
    flags = frame[prefix + "is_complaint"]
    return pd.DataFrame({
        "part": [index], "rows": [len(frame)],
        "complaints": [int((flags == "true").sum())],
        "errors": [int((frame[prefix + "error"] != "").sum())],
        "causes": [json.dumps(_counts(frame[prefix + "cause"]))],
        "types": [json.dumps(_counts(frame[prefix + "type"]))],
    }).astype({"causes": "str", "types": "str"})


def _counts(values: pd.Series) -> dict[str, int]:
    counts = values[values != ""].value_counts()
    return {str(k): int(v) for k, v in counts.items()}


# ---------------------------------------------------------------- client side
def _require_dask() -> None:
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        raise DaskUnavailableError(
            "the dask engine needs dask and distributed: pip install "
            "'complaint-analyzer[dask]'") from exc


@contextlib.contextmanager
def _connect(options: DaskOptions) -> Iterator[Any]:
    """A ``distributed.Client`` on ``options.scheduler`` or on a new LocalCluster (closed on
    exit). Raises ``SchedulerUnreachableError`` when there is no usable scheduler."""
    import logging

    import dask
    from distributed import Client, LocalCluster

    with contextlib.ExitStack() as stack:
        if options.scheduler:
            try:
                client = Client(options.scheduler, timeout=options.connect_timeout,
                                set_as_default=False)
            except (OSError, TimeoutError, ValueError) as exc:
                raise SchedulerUnreachableError(
                    f"cannot reach the Dask scheduler at {options.scheduler} ({exc}); check "
                    "the address (tcp://HOST:PORT) and that 'dask scheduler' is running"
                ) from exc
            stack.callback(client.close)
        else:
            workers = options.workers or os.cpu_count() or 1
            try:
                with dask.config.set(FAST_WORKER_CONFIG):
                    cluster = LocalCluster(
                        n_workers=workers, threads_per_worker=1, processes=True,
                        host="127.0.0.1", dashboard_address=None,
                        silence_logs=logging.CRITICAL,
                        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
            except Exception as exc:
                raise DaskEngineError(f"cannot start a local Dask cluster: {exc}") from exc
            stack.callback(cluster.close)
            client = Client(cluster, set_as_default=False)
            stack.callback(client.close)
        try:
            client.wait_for_workers(1, timeout=options.connect_timeout)
        except (TimeoutError, OSError) as exc:
            where = options.scheduler or "the local cluster"
            raise SchedulerUnreachableError(
                f"the Dask scheduler at {where} has no workers; start some with "
                f"'dask worker {where}'") from exc
        yield client


def _check_workers(client: Any) -> int:
    """Worker threads in the cluster; fails when a worker runs another package version."""
    import analyzer

    try:
        versions = client.run(_worker_version)
    except Exception as exc:
        raise DaskEngineError(f"the Dask workers cannot run complaint-analyzer ({exc}); "
                              "install the same version of the package on every worker"
                              ) from exc
    wrong = {w: v for w, v in versions.items() if v != analyzer.__version__}
    if wrong:
        raise DaskEngineError(f"workers run complaint-analyzer {sorted(set(wrong.values()))}, "
                              f"this client {analyzer.__version__}; install the same version "
                              "everywhere")
    info = client.scheduler_info(n_workers=-1) if _accepts_n_workers(client) else (
        client.scheduler_info())
    return max(1, sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()))


def _accepts_n_workers(client: Any) -> bool:
    import inspect

    return "n_workers" in inspect.signature(client.scheduler_info).parameters


def effective_partition_size(requested: int, total_bytes: int, threads: int) -> int:
    """``requested``, made smaller when needed to give each worker thread about
    ``PARTITIONS_PER_THREAD`` partitions, but never below ``min(requested, 1 MiB)``."""
    balanced = -(-total_bytes // max(1, threads * PARTITIONS_PER_THREAD))
    return max(1, min(requested, max(balanced, _MIN_AUTO_PARTITION)))


def plan_inputs(patterns: Sequence[str], options: BatchOptions) -> Plan:
    """Resolve the inputs and check their columns (same columns everywhere, text column,
    collisions with the added and order-key columns); the plan has no pieces yet.

    Reads headers and Parquet footers, and checks that every CSV decodes in its detected
    encoding (like the local engine). Raises ``InputFileError`` before any work.
    """
    import pyarrow as pa

    inputs = [_describe_input(source, path, options.input_format)
              for source, path in expand_inputs(patterns)]
    columns, string_columns, types = _unify(inputs)
    text_column = find_text_column(list(columns), options.text_column)
    check_collisions(columns, options)
    order = order_column_names(options.prefix)
    clash = [c for c in order if c in columns]
    if clash:
        raise InputFileError(f"the input already has column(s) {clash}; choose a prefix for "
                             "the added columns with --prefix (for example --prefix ca_)")
    added = tuple(added_columns(options))
    fields = [pa.field(c, t) for c, t in zip(columns, types)]
    fields += [pa.field(c, pa.string()) for c in added]
    fields += [pa.field(order[0], pa.string()), pa.field(order[1], pa.int64())]
    return Plan(inputs=tuple(inputs), pieces=(), columns=columns,
                string_columns=string_columns, text_column=text_column,
                schema=pa.schema(fields), total_rows=-1, order_columns=order, added=added)


def cut_pieces(plan: Plan, piece_bytes: int) -> Plan:
    """The plan with its inputs cut into pieces of about ``piece_bytes`` (numbered in input
    order). CSV pieces have ``rows == -1`` until :func:`count_rows` fills them in."""
    pieces: list[Piece] = []
    for inp in plan.inputs:
        pieces.extend(_pieces_for(inp, piece_bytes, len(pieces)))
    known = sum(p.rows for p in pieces) if all(p.rows >= 0 for p in pieces) else -1
    return Plan(**{**plan.__dict__, "pieces": tuple(pieces), "total_rows": known})


def count_rows(plan: Plan, client: Any, retries: int) -> Plan:
    """The plan with exact row counts and first row numbers for every CSV piece (counted in
    parallel on the workers)."""
    todo = [p for p in plan.pieces if p.rows < 0]
    counts: dict[int, int] = {}
    if todo:
        futures = client.map(count_piece_rows, todo, retries=retries, pure=False)
        for piece, value in zip(todo, _gather(client, futures, todo)):
            counts[piece.index] = int(value)
    pieces: list[Piece] = []
    next_row: dict[str, int] = {}
    for p in plan.pieces:
        rows = counts.get(p.index, p.rows)
        first = next_row.get(p.source, 1)
        pieces.append(Piece(**{**p.__dict__, "rows": rows, "first_row": first}))
        next_row[p.source] = first + rows
    return Plan(**{**plan.__dict__, "pieces": tuple(pieces),
                   "total_rows": sum(p.rows for p in pieces)})


def _gather(client: Any, futures: list[Any], pieces: Sequence[Piece]) -> list[Any]:
    """Results of ``futures`` in order, with failures translated (see _translate)."""
    try:
        return client.gather(futures)
    except Exception as exc:
        client.cancel(futures)
        failed = next((p for f, p in zip(futures, pieces) if f.status == "error"), None)
        raise _translate(exc, failed) from exc


def _translate(exc: BaseException, piece: Piece | None) -> BaseException:
    """A clear ``AnalyzerError`` for a failure seen by the client (or ``exc`` itself)."""
    from distributed import KilledWorker

    where = f" (partition {piece.index}: {piece.describe()})" if piece else ""
    if isinstance(exc, AnalyzerError):
        return exc
    if isinstance(exc, KilledWorker):
        return WorkerFailureError(
            f"a Dask worker died repeatedly while processing a partition{where}, more often "
            "than the scheduler allows (distributed.scheduler.allowed-failures); no output "
            "was written. Common causes: out of memory (try a smaller --partition-size) or "
            "workers being stopped; see the worker logs")
    name = type(exc).__name__
    if name in ("CancelledError", "FutureCancelledError") or isinstance(exc, OSError):
        return DaskEngineError(f"lost the Dask scheduler or the job was cancelled ({name}: "
                               f"{exc}); no output was written")
    return PartitionFailedError(f"a partition failed on a worker{where}, also after its "
                                f"retries: {name}: {exc}; no output was written")


def _prepare_output(output: Path) -> Path:
    """Check ``output`` may be (re)placed and create the hidden work directory beside it."""
    if output.exists():
        if not output.is_dir():
            raise InputFileError(f"output {output} exists and is not a directory; the dask "
                                 "engine writes a directory of part files")
        if any(output.iterdir()) and not (output / MANIFEST_NAME).is_file():
            raise InputFileError(f"output directory {output} exists and is not a classify "
                                 "output; choose another -o or remove it")
    output.parent.mkdir(parents=True, exist_ok=True)
    work = output.parent / f".{output.name}.tmp-{uuid.uuid4().hex[:12]}"
    work.mkdir()
    return work


def verify_output(directory: Path, plan: Plan, fmt: str) -> list[int]:
    """Rows per part file actually written; raises ``OutputMismatchError`` unless every part
    exists and holds exactly its piece's rows (so the total is the input row count)."""
    rows: list[int] = []
    problems: list[str] = []
    for piece in plan.pieces:
        path = directory / part_name(piece.index, fmt)
        if not path.is_file():
            problems.append(f"{path.name} is missing (is the output directory on storage "
                            "shared by all workers?)")
            rows.append(0)
            continue
        rows.append(_count_part_rows(path, fmt))
        if rows[-1] != piece.rows:
            problems.append(f"{path.name} has {rows[-1]} rows instead of {piece.rows}")
    if problems or sum(rows) != plan.total_rows:
        raise OutputMismatchError(
            f"the written output has {sum(rows)} rows, the input {plan.total_rows}: "
            f"{'; '.join(problems[:5]) or 'counts differ'}; no output was written")
    return rows


def _count_part_rows(path: Path, fmt: str) -> int:
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return int(pq.read_metadata(path).num_rows)
    return len(pd.read_csv(path, dtype=str, keep_default_na=False, usecols=[0],
                           encoding="utf-8-sig", engine="c", skip_blank_lines=False))


def _install(work: Path, output: Path) -> None:
    """Move the finished work directory to ``output``, replacing an earlier output."""
    old: Path | None = None
    if output.exists():
        old = output.parent / f".{output.name}.old-{uuid.uuid4().hex[:12]}"
        output.rename(old)
    try:
        work.rename(output)
    except BaseException:
        if old is not None:
            old.rename(output)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def default_output_dir(inputs: Sequence[str], fmt: str) -> Path:
    """``INPUT.classified.FMT`` (a directory) for one input; several inputs need ``-o``."""
    if len(inputs) != 1 or glob.has_magic(inputs[0]):
        raise InputFileError("several inputs need an output directory: pass -o DIR")
    path = Path(inputs[0])
    return path.with_name(f"{path.stem}.classified.{fmt}")


def classify_dask(inputs: Sequence[str], output_dir: str | Path | None = None,
                  options: BatchOptions | None = None,
                  dask_options: DaskOptions | None = None, *,
                  progress_stream: IO[str] | None = None,
                  client: Any = None) -> BatchSummary:
    """Classify CSV/TSV/Parquet ``inputs`` (paths or glob patterns) on a Dask cluster.

    Writes ``output_dir`` (default ``INPUT.classified.FMT`` for one input) as part files
    ``part-NNNNN.parquet|csv`` in input order plus ``_manifest.json``. Every input row is
    written exactly once with its original columns (CSV cells as text exactly as written;
    Parquet columns keep their type unless inputs disagree, then text), the ``RESULT_COLUMNS``
    (prefixed, as in the local engine) and the order key ``source_file``, ``source_row``.
    Input problems (including column collisions) raise ``InputFileError`` before any work;
    a failed run raises a :class:`DaskEngineError` and leaves no output directory. ``client``
    may be an existing ``distributed.Client`` (then ``dask_options.scheduler`` is unused).
    """
    _require_dask()
    options = options or BatchOptions()
    dask_options = dask_options or DaskOptions()
    fmt = dask_options.output_format
    if fmt not in OUTPUT_FORMATS:
        raise InputFileError(f"the dask engine writes {' or '.join(OUTPUT_FORMATS)}, not "
                             f"{fmt}; use --format parquet or --format csv")
    if options.chunk_size < 1:
        raise InputFileError("--chunk-size must be at least 1")
    output = Path(output_dir) if output_dir is not None else default_output_dir(inputs, fmt)
    start = time.perf_counter()
    plan = plan_inputs(inputs, options)  # input and output checks before starting a cluster
    model_source = options.model_path or "the packaged model"
    model_data = _model_bytes(options.model_path)
    with contextlib.ExitStack() as stack:
        work = _prepare_output(output)
        stack.callback(shutil.rmtree, work, True)
        if client is None:
            client = stack.enter_context(_connect(dask_options))
        threads = _check_workers(client)
        piece_bytes = effective_partition_size(
            dask_options.partition_size, sum(i.data_bytes for i in plan.inputs), threads)
        plan = cut_pieces(plan, piece_bytes)
        key = uuid.uuid4().hex[:16]
        plugin = _model_plugin_class()(key, model_data, model_source)
        try:
            client.register_plugin(plugin)
        except AnalyzerError:
            raise
        except Exception as exc:
            raise ModelError(f"the workers could not load the model: {exc}") from exc
        stack.callback(_unregister, client, plugin.name)
        plan = count_rows(plan, client, dask_options.retries)
        stats = _run_partitions(client, plan, work, fmt, options, key, dask_options,
                                Progress(progress_stream, None))
        verify_output(work, plan, fmt)
        _write_manifest(work, plan, fmt, options, stats)
        _install(work, output)
    complaints = sum(int(s["complaints"]) for s in stats)
    errors = sum(int(s["errors"]) for s in stats)
    causes: Counter[str] = Counter()
    types: Counter[str] = Counter()
    for s in stats:
        causes.update(json.loads(s["causes"]))
        types.update(json.loads(s["types"]))
    return BatchSummary(rows=plan.total_rows, complaints=complaints, errors=errors,
                        causes=dict(causes), types=dict(types),
                        seconds=time.perf_counter() - start, output=str(output))


def _model_bytes(model_path: str | None) -> bytes:
    from analyzer.persistence import default_model_path, read_document

    path = Path(model_path) if model_path else default_model_path()
    read_document(path)  # raises ModelError for a missing or unreadable model file
    return path.read_bytes()


def _unregister(client: Any, name: str) -> None:
    with contextlib.suppress(Exception):
        client.unregister_worker_plugin(name)


def build_graph(plan: Plan, directory: Path, fmt: str, options: BatchOptions,
                model_key: str) -> Any:
    """The Dask DataFrame pipeline: ``from_map`` read -> ``map_partitions`` classify ->
    ``map_partitions`` write, as one ``Delayed`` per partition (in piece order) whose value is
    a one-row stats frame."""
    import dask
    import dask.dataframe as dd

    read_meta = plan.schema.empty_table().to_pandas()
    read_meta = read_meta[[*plan.columns, *plan.order_columns]]
    classified_meta = plan.schema.empty_table().to_pandas()
    with dask.config.set({"dataframe.convert-string": False}):
        frame = dd.from_map(read_piece, list(plan.pieces), columns=list(plan.columns),
                            string_columns=list(plan.string_columns),
                            order_columns=plan.order_columns, meta=read_meta,
                            enforce_metadata=False, label="read-input")
        classified = frame.map_partitions(
            classify_partition, text_column=plan.text_column, model_key=model_key,
            options=options, order_columns=plan.order_columns, meta=classified_meta,
            enforce_metadata=False)
        stats = classified.map_partitions(
            write_partition, directory=str(directory.resolve()), fmt=fmt, schema=plan.schema,
            options=options, meta=_STATS_META, enforce_metadata=False)
        return stats.to_delayed()


def _run_partitions(client: Any, plan: Plan, directory: Path, fmt: str,
                    options: BatchOptions, model_key: str, dask_options: DaskOptions,
                    progress: Progress) -> list[dict[str, Any]]:
    from distributed import as_completed

    parts = build_graph(plan, directory, fmt, options, model_key)
    futures = client.compute(parts, retries=dask_options.retries)
    by_future = {f.key: p for f, p in zip(futures, plan.pieces)}
    results: dict[int, dict[str, Any]] = {}
    done_rows = 0
    try:
        for future in as_completed(futures, loop=client.loop):
            piece = by_future.get(future.key)
            try:
                frame = future.result()
            except Exception as exc:
                client.cancel(futures)
                raise _translate(exc, piece) from exc
            for record in frame.to_dict("records"):
                results[int(record["part"])] = record
                done_rows += int(record["rows"])
            progress.update(done_rows, done_rows / plan.total_rows if plan.total_rows else None)
    finally:
        progress.finish()
    return [results[i] for i in sorted(results)]


def _write_manifest(directory: Path, plan: Plan, fmt: str, options: BatchOptions,
                    stats: Sequence[dict[str, Any]]) -> None:
    import analyzer

    document = {
        "format": fmt, "rows": plan.total_rows, "package_version": analyzer.__version__,
        "text_column": plan.text_column, "prefix": options.prefix,
        "added_columns": list(plan.added), "order_columns": list(plan.order_columns),
        "columns": list(plan.schema.names),
        "inputs": [{"source": i.source, "format": i.format,
                    "rows": sum(p.rows for p in plan.pieces if p.source == i.source)}
                   for i in plan.inputs],
        "parts": [{"file": part_name(p.index, fmt), "source": p.source,
                   "first_row": p.first_row, "rows": p.rows} for p in plan.pieces],
        "complaints": sum(int(s["complaints"]) for s in stats),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    (directory / MANIFEST_NAME).write_text(json.dumps(document, ensure_ascii=False, indent=1),
                                           encoding="utf-8")


# ---------------------------------------------------------------- reading output back
def _parquet_files(path: Path) -> list[Path]:
    """Part files of an output directory in input order (manifest first, else sorted)."""
    manifest = path / MANIFEST_NAME
    if manifest.is_file():
        document = json.loads(manifest.read_text(encoding="utf-8"))
        if document.get("format") != "parquet":
            raise InputFileError(f"{path} holds {document.get('format')} parts, not Parquet")
        return [path / part["file"] for part in document["parts"]]
    files = sorted(p for p in path.rglob("*.parquet")
                   if not any(s.startswith((".", "_")) for s in p.relative_to(path).parts))
    if not files:
        raise InputFileError(f"{path} holds no Parquet files")
    return files


def _open_dataset(path: str | Path, check_complete: bool) -> Any:
    import pyarrow.dataset as ds

    path = Path(path)
    if path.is_dir():
        files = _parquet_files(path)
        missing = [f.name for f in files if not f.is_file()]
        if missing:
            raise InputFileError(f"{path} is incomplete: missing {missing[:5]}")
    elif path.is_file():
        files = [path]
    else:
        raise InputFileError(f"{path} does not exist")
    try:
        dataset = ds.dataset([str(f) for f in files], format="parquet")
    except Exception as exc:
        raise InputFileError(f"{path} is not readable Parquet: {exc}") from exc
    manifest = path / MANIFEST_NAME if path.is_dir() else None
    if check_complete and manifest is not None and manifest.is_file():
        expected = json.loads(manifest.read_text(encoding="utf-8")).get("rows")
        actual = dataset.count_rows()
        if expected is not None and actual != expected:
            raise InputFileError(f"{path} holds {actual} rows but its manifest says "
                                 f"{expected}; the output is incomplete or was changed")
    return dataset


def classified_parquet_columns(path: str | Path) -> list[str]:
    """Column names of a classified Parquet file or output directory (schema only)."""
    return list(_open_dataset(path, check_complete=False).schema.names)


def classified_parquet_schema_frame(path: str | Path) -> pd.DataFrame:
    """An empty DataFrame with the columns and dtypes of a classified Parquet file or output
    directory; lets ``analyzer.trends.columns.resolve_columns`` pick columns before reading."""
    return _open_dataset(path, check_complete=False).schema.empty_table().to_pandas()


def read_classified_parquet(path: str | Path, columns: Sequence[str] | None = None, *,
                            check_complete: bool = True) -> pd.DataFrame:
    """Rows of a classified Parquet file or output directory, reading only ``columns``.

    Parts are read in input order (the manifest's order). Only the requested columns are read
    from disk (Parquet column projection); ``None`` reads all. With ``check_complete`` an
    output directory whose row count differs from its manifest raises ``InputFileError``, as
    does a requested column that does not exist.
    """
    dataset = _open_dataset(path, check_complete)
    if columns is not None:
        missing = [c for c in columns if c not in dataset.schema.names]
        if missing:
            raise InputFileError(f"{path} has no column(s) {missing}; columns are: "
                                 f"{', '.join(dataset.schema.names)}")
    table = dataset.to_table(columns=list(columns) if columns is not None else None)
    return table.to_pandas()


def iter_classified_parquet(path: str | Path, columns: Sequence[str] | None = None, *,
                            batch_rows: int = 262_144, check_complete: bool = True
                            ) -> Iterator[pd.DataFrame]:
    """Like :func:`read_classified_parquet` but yields frames of at most ``batch_rows`` rows
    in input order, so callers can aggregate without holding every row at once."""
    dataset = _open_dataset(path, check_complete)
    if columns is not None:
        missing = [c for c in columns if c not in dataset.schema.names]
        if missing:
            raise InputFileError(f"{path} has no column(s) {missing}")
    scanner = dataset.scanner(columns=list(columns) if columns is not None else None,
                              batch_size=batch_rows, use_threads=False)
    for batch in scanner.to_batches():
        if batch.num_rows:
            yield batch.to_pandas()
