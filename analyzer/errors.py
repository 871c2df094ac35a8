"""The one exception hierarchy of the library. Adapters (CLI, API) translate these at the edge."""

from __future__ import annotations


class AnalyzerError(Exception):
    """Base class of every error this library raises on purpose."""


class InvalidInputError(AnalyzerError, ValueError):
    """A text cannot be analysed (for example it is empty). The message says what to change."""


class ModelError(AnalyzerError):
    """A model file is missing, unsafe, corrupt or of an incompatible version."""


class NotFittedError(ModelError):
    """The analyzer was used before ``fit`` or ``load``."""


class CorpusError(AnalyzerError):
    """A training corpus or labelled file does not have the expected columns or values."""


class InputFileError(AnalyzerError):
    """A batch input file cannot be read: missing, undecodable, no usable text column, ..."""
