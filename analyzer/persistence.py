"""Safe model files: NumPy ``.npz`` arrays plus JSON metadata, loaded without pickle.

A model file is a zip of arrays (``numpy.savez_compressed``) read back with
``allow_pickle=False``, so loading a file can never run code. It holds the vocabularies and
IDF weights, the three calibrated linear heads, the keyword mask of the word features, and a
JSON document with the metadata (format version, package version, label sets, corpus hash,
training date, parameters, metrics) and the resources (user dictionary, cue lexicons, stop
words) the model was trained with, so a model file is self-contained.
"""

from __future__ import annotations

import functools
import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from analyzer.errors import ModelError

if TYPE_CHECKING:
    from analyzer.model import Analyzer

FORMAT_VERSION = 3
_HEADS = ("is_complaint", "cause", "type")


def default_model_path() -> Path:
    """Path of the model that ships with the package."""
    return Path(__file__).resolve().parent / "models" / "default.npz"


def save_analyzer(analyzer: Analyzer, path: Path) -> Path:
    """Write a fitted analyzer to ``path`` atomically (parent folders are created)."""
    from analyzer import __version__

    featurizer, *heads = analyzer._check_fitted()
    document = {
        "metadata": {**analyzer.metadata_, "format_version": FORMAT_VERSION,
                     "package_version": __version__},
        "params": analyzer.get_params(),
        "featurizer": featurizer.get_params(),
        "resources": {"lexicons": {k: list(v) for k, v in featurizer.lexicons.items()},
                      "user_words": list(analyzer.user_words or []),
                      "stopwords": sorted(analyzer.stopwords or [])},
    }
    arrays: dict[str, np.ndarray] = {
        "document": np.frombuffer(json.dumps(document, ensure_ascii=False).encode("utf-8"),
                                  dtype=np.uint8),
        **featurizer.to_arrays(),
        "keyword_mask": np.asarray(analyzer.keyword_mask_, dtype=bool),
    }
    for name, head in zip(_HEADS, heads):
        arrays.update(head.to_arrays(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as handle:
        np.savez_compressed(handle, **arrays)
    tmp.replace(path)
    return path


def read_document(path: Path) -> dict[str, Any]:
    """The JSON document (metadata, params, resources) of a model file, without the arrays."""
    with _open(path) as arrays:
        return json.loads(arrays["document"].tobytes().decode("utf-8"))


def _open(path: Path) -> Any:
    if not path.is_file():
        raise ModelError(f"model file {path} does not exist; train one with "
                         "'complaint-analyzer train --out PATH'")
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise ModelError(f"{path} is not a readable model file ({exc})") from exc


def load_analyzer(path: Path) -> Analyzer:
    """Load an analyzer saved by :func:`save_analyzer` (never unpickles)."""
    from analyzer.features import Featurizer
    from analyzer.heads import LinearHead
    from analyzer.model import Analyzer

    with _open(path) as npz:
        try:
            arrays = {k: npz[k] for k in npz.files}
            document = json.loads(arrays["document"].tobytes().decode("utf-8"))
        except (KeyError, ValueError) as exc:
            raise ModelError(f"{path} is not a complaint-analyzer model ({exc})") from exc
    version = document.get("metadata", {}).get("format_version")
    if version != FORMAT_VERSION:
        raise ModelError(f"{path} has model format {version!r}; this version reads format "
                         f"{FORMAT_VERSION}. Retrain with 'complaint-analyzer train'.")
    try:
        res = document["resources"]
        analyzer = Analyzer(**document["params"], lexicons=res["lexicons"],
                            user_words=res["user_words"], stopwords=res["stopwords"])
        analyzer.featurizer_ = Featurizer.from_arrays(arrays, document["featurizer"],
                                                      res["lexicons"])
        analyzer.complaint_head_, analyzer.cause_head_, analyzer.type_head_ = (
            LinearHead.from_arrays(arrays, name) for name in _HEADS)
        analyzer.keyword_mask_ = arrays["keyword_mask"].astype(bool)
        if len(analyzer.keyword_mask_) != analyzer.featurizer_.n_word_features:
            raise ValueError("keyword mask and word vocabulary differ in length")
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{path} is incomplete or corrupt ({exc}); retrain the model") from exc
    analyzer.metadata_ = document["metadata"]
    return analyzer


@functools.cache
def default_analyzer() -> Analyzer:
    """The packaged default model, loaded once per process (explicit, cached)."""
    return load_analyzer(default_model_path())
