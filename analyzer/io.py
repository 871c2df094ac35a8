"""Reading labelled CSV files (training corpora and evaluation sets)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analyzer.errors import InputFileError


def read_labelled_csv(path: str | Path) -> pd.DataFrame:
    """Read a UTF-8 labelled CSV with every column as string and empty cells as ``""``."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"file {path} does not exist")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path} is not UTF-8 (byte offset {exc.start}); "
                             "save it as UTF-8 or use 'classify', which detects encodings"
                             ) from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputFileError(f"{path} is not a readable CSV file: {exc}") from exc
