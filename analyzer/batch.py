"""Batch classification of tabular files: every row back once, in order, columns unchanged.

The pipeline streams: read a chunk, classify its texts (in this process or in a pool of
worker processes, each loading the model once), add the result columns, write the chunk.
Output goes to a temporary file renamed into place at the end, so an interrupted run never
leaves a half-written output.
"""

from __future__ import annotations

import concurrent.futures as cf
import io
import json
import os
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd

from analyzer.errors import InputFileError, InvalidInputError
from analyzer.parallel import load_model_once
from analyzer.tabular import find_text_column, open_input, read_chunks
from analyzer.writers import (
    ChunkWriter,
    CsvWriter,
    JsonlWriter,
    ParquetWriter,
    XlsxWriter,
    neutralise_columns,
    neutralise_values,
)

#: Columns added to every row, in order (each prefixed with ``prefix``).
RESULT_COLUMNS: tuple[str, ...] = (
    "is_complaint", "complaint_score", "cause", "cause_score", "secondary_causes", "type",
    "type_score", "language", "keywords", "error",
)
DEFAULT_CHUNK_SIZE = 2_000


@dataclass(frozen=True)
class BatchOptions:
    """Settings of one batch run (see ``complaint-analyzer classify --help``)."""

    text_column: str | None = None
    prefix: str = ""
    output_format: str | None = None
    input_format: str | None = None
    jobs: int = 1
    chunk_size: int = DEFAULT_CHUNK_SIZE
    explain: bool = False
    safe_cells: bool = False
    model_path: str | None = None


@dataclass(frozen=True)
class BatchSummary:
    """What a batch run did."""

    rows: int
    complaints: int
    errors: int
    causes: dict[str, int] = field(default_factory=dict)
    types: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    output: str = ""

    def format(self) -> str:
        """A short human-readable summary (for stderr)."""
        rate = self.rows / self.seconds if self.seconds else 0.0
        causes = ", ".join(f"{k} {v}" for k, v in sorted(self.causes.items(), key=lambda x: -x[1]))
        types = ", ".join(f"{k} {v}" for k, v in sorted(self.types.items(), key=lambda x: -x[1]))
        return (f"{self.rows} rows, {self.complaints} complaints, {self.errors} rows with errors, "
                f"{self.seconds:.1f} s ({rate:,.0f} rows/s)\n"
                f"causes: {causes or '-'}\ntypes: {types or '-'}\noutput: {self.output}")


# ---------------------------------------------------------------- classification of texts
def _classify_in_worker(texts: list[object], explain: bool, model_path: str | None
                        ) -> dict[str, list[object]]:
    return classify_texts(load_model_once(model_path), texts, explain=explain)


def _format_score(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def classify_texts(model: Any, texts: Sequence[object], *, explain: bool = False
                   ) -> dict[str, list[object]]:
    """Result columns (see ``RESULT_COLUMNS``) for ``texts``; bad texts get an ``error``.

    Valid texts are analysed in one vectorised call. Values are strings ready for output
    (``is_complaint`` as ``true``/``false``); a row with an error has empty labels.
    """
    from analyzer.model import check_text

    columns: dict[str, list[object]] = {c: [""] * len(texts) for c in RESULT_COLUMNS}
    valid_index: list[int] = []
    valid_texts: list[str] = []
    for i, text in enumerate(texts):
        if text is None or (isinstance(text, float) and text != text):
            columns["error"][i] = "empty text"
            continue
        candidate = text if isinstance(text, str) else str(text)
        try:
            check_text(candidate)
        except InvalidInputError:
            columns["error"][i] = "empty text"
            continue
        valid_index.append(i)
        valid_texts.append(candidate)
    if explain:
        columns["explanation"] = [""] * len(texts)
    for i, result in zip(valid_index, model.analyze_many(valid_texts, explain=explain)):
        columns["is_complaint"][i] = "true" if result.is_complaint else "false"
        columns["complaint_score"][i] = _format_score(result.complaint_score)
        columns["cause"][i] = result.cause.value if result.cause else ""
        columns["cause_score"][i] = _format_score(result.cause_score)
        columns["secondary_causes"][i] = ";".join(c.value for c in result.secondary_causes)
        columns["type"][i] = result.type.value if result.type else ""
        columns["type_score"][i] = _format_score(result.type_score)
        columns["language"][i] = result.language.value
        columns["keywords"][i] = ";".join(result.keywords)
        if explain:
            columns["explanation"][i] = json.dumps(
                result.to_dict().get("explanations", []), ensure_ascii=False)
    return columns


# ---------------------------------------------------------------- orchestration
def added_columns(options: BatchOptions) -> list[str]:
    """Names of the columns a run adds, with the prefix."""
    names = list(RESULT_COLUMNS) + (["explanation"] if options.explain else [])
    return [options.prefix + n for n in names]


def check_collisions(columns: Sequence[str], options: BatchOptions) -> None:
    """Fail before any work when an added column name already exists in the input."""
    clash = [c for c in added_columns(options) if c in set(map(str, columns))]
    if clash:
        raise InputFileError(f"the input already has column(s) {clash}; choose a prefix for "
                             "the added columns with --prefix (for example --prefix ca_)")


def default_output_path(input_path: Path, fmt: str) -> Path:
    """``INPUT`` stem + ``.classified`` + the output format's extension."""
    return input_path.with_name(f"{input_path.stem}.classified.{fmt}")


def _chunk_results(chunks: Iterator[pd.DataFrame], text_column: str, options: BatchOptions,
                   model: Any = None) -> Iterator[tuple[pd.DataFrame, dict[str, list[object]]]]:
    """Pair each chunk with its result columns, in order, using ``options.jobs`` processes
    (``model``, when given, is used in this process instead of loading one)."""
    if options.jobs <= 1:
        model = model if model is not None else load_model_once(options.model_path)
        for chunk in chunks:
            yield chunk, classify_texts(model, chunk[text_column].tolist(),
                                        explain=options.explain)
        return
    pending: deque[tuple[pd.DataFrame, cf.Future[dict[str, list[object]]]]] = deque()
    with cf.ProcessPoolExecutor(max_workers=options.jobs, initializer=load_model_once,
                                initargs=(options.model_path,)) as pool:
        try:
            for chunk in chunks:
                future = pool.submit(_classify_in_worker, chunk[text_column].tolist(),
                                     options.explain, options.model_path)
                pending.append((chunk, future))
                if len(pending) >= options.jobs * 2:
                    done_chunk, done = pending.popleft()
                    yield done_chunk, done.result()
            while pending:
                done_chunk, done = pending.popleft()
                yield done_chunk, done.result()
        except BaseException:
            for _, future in pending:
                future.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _open_writer(fmt: str, target: Path | None, stream: IO[str] | None
                 ) -> tuple[ChunkWriter, IO[str] | None]:
    if fmt in ("csv", "tsv"):
        delimiter = "\t" if fmt == "tsv" else ","
        if stream is not None:
            return CsvWriter(stream, delimiter, bom=False), None
        assert target is not None
        handle = target.open("w", encoding="utf-8", newline="")
        return CsvWriter(handle, delimiter), handle
    if fmt == "jsonl":
        if stream is not None:
            return JsonlWriter(stream), None
        assert target is not None
        handle = target.open("w", encoding="utf-8")
        return JsonlWriter(handle), handle
    if stream is not None:
        raise InputFileError(f"{fmt} output cannot go to stdout; write a file with -o")
    assert target is not None
    return (XlsxWriter(target) if fmt == "xlsx" else ParquetWriter(target)), None


class Progress:
    """A one-line progress display (rows, rows/s, ETA) on a terminal stream."""

    def __init__(self, stream: IO[str] | None, total_bytes: int | None) -> None:
        self.stream = stream
        self.total_bytes = total_bytes
        self.start = time.perf_counter()
        self.last = 0.0

    def update(self, rows: int, fraction: float | None) -> None:
        now = time.perf_counter()
        if self.stream is None or now - self.last < 0.2:
            return
        self.last = now
        elapsed = now - self.start
        rate = rows / elapsed if elapsed else 0.0
        eta = ""
        if fraction and 0 < fraction < 1:
            eta = f", ETA {elapsed * (1 - fraction) / fraction:.0f} s"
        self.stream.write(f"\r{rows:,} rows, {rate:,.0f} rows/s{eta}   ")
        self.stream.flush()

    def finish(self) -> None:
        if self.stream is not None:
            self.stream.write("\r" + " " * 60 + "\r")
            self.stream.flush()


def classify_file(input_path: str | Path, output_path: str | Path | None = None,
                  options: BatchOptions | None = None, *,
                  progress_stream: IO[str] | None = None,
                  stdout: IO[str] | None = None,
                  on_chunk: Callable[[int], None] | None = None,
                  model: Any = None) -> BatchSummary:
    """Classify a CSV/TSV/XLSX/JSONL/Parquet file into ``output_path``.

    ``output_path`` ``None`` means ``INPUT.classified.FMT``; ``"-"`` writes CSV/TSV/JSONL to
    ``stdout``. Every input row is written exactly once, in order, with its original
    columns unchanged and the ``RESULT_COLUMNS`` appended (prefixed). Raises
    ``InputFileError`` for unusable input before any output is created. ``model`` (an
    already loaded :class:`~analyzer.model.Analyzer`) is used when ``options.jobs == 1``;
    worker processes always load ``options.model_path`` or the default model.
    """
    options = options or BatchOptions()
    if options.jobs < 1 or options.chunk_size < 1:
        raise InputFileError("--jobs and --chunk-size must be at least 1")
    spec = open_input(input_path, options.input_format)
    out_fmt = options.output_format or spec.format
    chunks = read_chunks(spec, options.chunk_size)
    first = next(chunks, None)
    if first is None:
        raise InputFileError(f"{spec.path.name} has no header row")
    columns = [str(c) for c in first.columns]
    text_column = find_text_column(columns, options.text_column)
    check_collisions(columns, options)

    def all_chunks() -> Iterator[pd.DataFrame]:
        yield first
        yield from chunks

    to_stdout = output_path is not None and str(output_path) == "-"
    target = None if to_stdout else (Path(output_path) if output_path is not None
                                     else default_output_path(spec.path, out_fmt))
    tmp_path: Path | None = None
    if target is not None:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                        dir=target.parent if str(target.parent) else ".")
        os.close(fd)
        tmp_path = Path(tmp_name)
    stream = (stdout or sys.stdout) if to_stdout else None
    start = time.perf_counter()
    added = added_columns(options)
    rows = complaints = errors = 0
    causes: Counter[str] = Counter()
    types: Counter[str] = Counter()
    total_bytes = spec.path.stat().st_size
    progress = Progress(progress_stream, total_bytes)
    handle: IO[str] | None = None
    try:
        writer, handle = _open_writer(out_fmt, tmp_path, stream)
        for chunk, result in _chunk_results(all_chunks(), text_column, options, model):
            spreadsheet = out_fmt in ("csv", "tsv", "xlsx")
            extra = pd.DataFrame(
                {name: (neutralise_values if spreadsheet else list)(
                    result[name.removeprefix(options.prefix)]) for name in added},
                index=chunk.index, dtype=object)
            out = pd.concat([chunk, extra], axis=1)
            if spreadsheet and options.safe_cells:
                out = neutralise_columns(out, list(chunk.columns))
            writer.write(out)
            rows += len(chunk)
            flags = result["is_complaint"]
            complaints += sum(1 for f in flags if f == "true")
            errors += sum(1 for e in result["error"] if e)
            causes.update(c for c in result["cause"] if c)
            types.update(t for t in result["type"] if t)
            progress.update(rows, min(1.0, rows * _mean_row_bytes(chunk) / total_bytes)
                            if total_bytes else None)
            if on_chunk is not None:
                on_chunk(rows)
        writer.close()
        if handle is not None:
            handle.close()
            handle = None
        if tmp_path is not None and target is not None:
            tmp_path.replace(target)
            tmp_path = None
    finally:
        progress.finish()
        if handle is not None:
            handle.close()
        if tmp_path is not None and tmp_path.exists():
            tmp_path.unlink()
    return BatchSummary(rows=rows, complaints=complaints, errors=errors, causes=dict(causes),
                        types=dict(types), seconds=time.perf_counter() - start,
                        output="-" if to_stdout else str(target))


def _mean_row_bytes(chunk: pd.DataFrame) -> float:
    sample = chunk.head(50)
    if sample.empty:
        return 0.0
    text = sample.to_csv(index=False, header=False)
    return len(text.encode("utf-8")) / len(sample)


def spool_stdin(fmt: str | None) -> Path:
    """Copy standard input to a temporary file (deleted by the caller) and return its path."""
    suffix = f".{fmt or 'csv'}"
    fd, name = tempfile.mkstemp(prefix="complaint-analyzer-stdin-", suffix=suffix)
    with os.fdopen(fd, "wb") as out:
        source = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else io.BytesIO(
            sys.stdin.read().encode("utf-8"))
        while block := source.read(1 << 20):
            out.write(block)
    return Path(name)
