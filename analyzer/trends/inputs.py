"""Read classified data (the output of ``classify``) from CSV or Parquet."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analyzer.errors import InputFileError

PARQUET_SUFFIXES: tuple[str, ...] = (".parquet", ".pq")


def read_classified(path: str | Path) -> pd.DataFrame:
    """A DataFrame from a CSV file (UTF-8, BOM allowed; every column read as text), a
    Parquet file, or a folder of Parquet files (read recursively in name order, concatenated).

    Raises :class:`InputFileError` with what to do when the path is missing, empty, not
    UTF-8 or not a readable table.
    """
    source = Path(path)
    if not source.exists():
        raise InputFileError(f"{source} not found; give the CSV or Parquet file (or folder) "
                             "written by 'complaint-analyzer classify'")
    if source.is_dir():
        files = sorted(p for p in source.rglob("*") if p.suffix.lower() in PARQUET_SUFFIXES)
        if not files:
            raise InputFileError(f"folder {source} holds no .parquet files; give a CSV file "
                                 "or a folder of Parquet files")
        return pd.concat([_read_parquet(p) for p in files], ignore_index=True)
    if source.suffix.lower() in PARQUET_SUFFIXES:
        return _read_parquet(source)
    return _read_csv(source)


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise InputFileError(f"cannot read Parquet file {path}: {exc}") from exc


def _read_csv(path: Path) -> pd.DataFrame:
    """Every column as text, empty cells as empty strings; pyarrow's parser (multi-threaded)
    first, pandas' own parser if pyarrow cannot handle the file."""
    options = {"dtype": str, "keep_default_na": False, "encoding": "utf-8-sig"}
    try:
        try:
            return pd.read_csv(path, engine="pyarrow", **options)
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError):
            raise
        except (ImportError, ValueError, TypeError):
            return pd.read_csv(path, **options)
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path} is not UTF-8 text; save it as UTF-8 CSV (the classify "
                             "command writes UTF-8)") from exc
    except pd.errors.EmptyDataError as exc:
        raise InputFileError(f"{path} is empty; it needs a header row and data") from exc
    except pd.errors.ParserError as exc:
        raise InputFileError(f"{path} is not a well-formed CSV file: {exc}") from exc
    except OSError as exc:
        raise InputFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
