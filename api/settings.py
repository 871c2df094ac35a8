"""Service settings, read from ``COMPLAINT_ANALYZER_*`` environment variables and ``.env``.

Every limit is enforced at the HTTP edge and named in the 413 answer, so a client knows which
setting to ask an operator about. Lists (``CORS_ORIGINS``, ``API_KEYS``) may be given as a
JSON array or as comma-separated values.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_PREFIX = "COMPLAINT_ANALYZER_"
MIB = 1024 * 1024


def _split_list(value: Any) -> Any:
    """``'a, b'`` or ``'["a", "b"]'`` -> ``['a', 'b']``; lists pass through unchanged."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return []
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """Settings of the HTTP service (immutable once created).

    Contract: every field can be set through ``COMPLAINT_ANALYZER_<FIELD NAME>`` (case
    insensitive) or the same key in a ``.env`` file in the working directory; invalid values
    raise ``pydantic.ValidationError`` when the settings are created, never later.
    """

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env",
                                      env_file_encoding="utf-8", extra="ignore", frozen=True)

    model_path: Path | None = Field(
        None, description="Model file to serve; the packaged default model when unset.")
    max_body_bytes: int = Field(
        10 * MIB, ge=1, description="Largest JSON request body, in bytes.")
    max_upload_bytes: int = Field(
        100 * MIB, ge=1, description="Largest multipart (file upload) request body, in bytes.")
    max_batch_items: int = Field(
        1000, ge=1, description="Most items in one /v1/analyze/batch request.")
    max_text_chars: int = Field(
        50_000, ge=1, description="Longest text accepted, in characters (the model itself "
        "reads the first 20,000 characters and flags longer texts as truncated).")
    coalesce_max: int = Field(
        64, ge=1, description="Most concurrent /v1/analyze texts analysed in one model call "
        "(1 analyses each request on its own).")
    coalesce_gather_ms: float = Field(
        2.0, ge=0, le=100, description="Under steady load, how long the next /v1/analyze model "
        "call may wait for as many texts as the previous call held (keeps concurrent clients "
        "in one call; 0 turns waiting off). A lone request never waits.")
    batch_jobs: int = Field(
        1, ge=1, le=64, description="Processes that share each /v1/analyze/batch request of "
        "200 texts or more: this worker plus BATCH_JOBS - 1 helper processes, each holding a "
        "copy of the model (about 200 MB). 1 analyses batches in the worker alone.")
    opentelemetry: bool = Field(
        False, description="Let FastAPI's built-in OpenTelemetry instrumentation run (spans "
        "and metrics go to the globally configured OpenTelemetry providers). Off by default: "
        "without configured providers it only costs time on every request.")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Origins allowed by CORS; none when empty.")
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list, description="Accepted X-API-Key values; /v1 is open when empty.")

    @field_validator("cors_origins", "api_keys", mode="before")
    @classmethod
    def _lists_from_text(cls, value: Any) -> Any:
        return _split_list(value)

    @field_validator("api_keys")
    @classmethod
    def _no_blank_keys(cls, value: list[SecretStr]) -> list[SecretStr]:
        if any(not key.get_secret_value().strip() for key in value):
            raise ValueError("API keys cannot be blank")
        return value

    def key_bytes(self) -> tuple[bytes, ...]:
        """The configured API keys as UTF-8 bytes (for constant-time comparison)."""
        return tuple(key.get_secret_value().encode("utf-8") for key in self.api_keys)
