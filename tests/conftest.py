"""Shared fixtures: the packaged model, a small model trained in the session, shared/ data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analyzer.corpus import default_corpus_path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the checkout; tests that need it skip when it is absent."""
    if not (SHARED / "eval" / "dev.csv").is_file():
        pytest.skip("../shared is not present")
    return SHARED


@pytest.fixture(scope="session")
def corpus() -> pd.DataFrame:
    """The bundled training corpus."""
    return pd.read_csv(default_corpus_path(), dtype=str, keep_default_na=False)


@pytest.fixture(scope="session")
def default_model():
    """The packaged default model."""
    from analyzer.persistence import default_analyzer

    return default_analyzer()


@pytest.fixture(scope="session")
def small_corpus(corpus: pd.DataFrame) -> pd.DataFrame:
    """A stratified sample of the corpus (about 40 rows per label cell) for quick training."""
    key = corpus["is_complaint"] + "/" + corpus["cause"] + "/" + corpus["type"]
    shuffled = corpus.sample(frac=1.0, random_state=0)
    return shuffled.groupby(key.loc[shuffled.index]).head(40).reset_index(drop=True)


@pytest.fixture(scope="session")
def small_model(small_corpus: pd.DataFrame):
    """An analyzer trained in the session on the small corpus sample."""
    from analyzer.model import Analyzer

    return Analyzer().fit(small_corpus)
