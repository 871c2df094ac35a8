"""Request and response models of the HTTP API, with the examples shown at ``/docs``.

The models describe the wire format only; every value comes from the library
(``Analysis.to_dict()``, ``LabelInfo``, model metadata, ``TrendReport.to_dict()``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from analyzer.model import check_text

ZH_EXAMPLE = "手机用了三天就黑屏，客服一直推诿，要求退货退款"
EN_EXAMPLE = "The room was dirty and nobody answered the phone. I want a refund."

_STRICT = ConfigDict(extra="forbid")


# ----------------------------------------------------------------------------- errors
class FieldError(BaseModel):
    """One invalid field: where (``loc``), what is wrong (``msg``) and its error ``type``."""

    loc: list[str | int]
    msg: str
    type: str


class ErrorResponse(BaseModel):
    """The body of every error answer (4xx and 5xx)."""

    detail: str | list[FieldError] = Field(
        description="What went wrong: a sentence, or one entry per invalid field (422).")
    request_id: str | None = Field(None, description="The X-Request-ID of the request.")

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"detail": [{"loc": ["body", "text"], "msg": "Value error, text is empty or "
                     "whitespace only; 文本为空，请提供投诉内容", "type": "value_error"}],
         "request_id": "5d0c3c1e9f8a4c2e8f1b2a3c4d5e6f70"},
        {"detail": "request body exceeds the limit of 10485760 bytes "
                   "(setting COMPLAINT_ANALYZER_MAX_BODY_BYTES)", "request_id": None},
    ]})


# ----------------------------------------------------------------------------- analysis
def _analysable(text: str) -> str:
    """Reject texts the model cannot analyse (empty or whitespace only) as a field error."""
    return check_text(text)  # InvalidInputError is a ValueError -> 422 on this field


class AnalyzeRequest(BaseModel):
    """One text to analyse."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"text": ZH_EXAMPLE, "id": "ticket-1042"},
        {"text": EN_EXAMPLE, "explain": True},
    ]})

    text: str = Field(description="The complaint or message, in Chinese and/or English.")
    id: str | None = Field(None, max_length=200,
                           description="Your identifier, echoed back unchanged.")
    explain: bool = Field(False, description="Add the terms behind each label with their "
                          "character spans in the text.")

    @field_validator("text")
    @classmethod
    def _text_is_analysable(cls, value: str) -> str:
        return _analysable(value)


class TermOut(BaseModel):
    """A term that pushed a label up; ``spans`` are ``[start, end)`` offsets into the text."""

    term: str
    weight: float
    spans: list[list[int]]


class ExplanationOut(BaseModel):
    """Why ``task`` got ``label``: the top contributing terms."""

    task: Literal["is_complaint", "cause", "type"]
    label: str
    terms: list[TermOut]


class AnalysisOut(BaseModel):
    """The analysis of one text (``cause``/``type`` are null for non-complaints)."""

    id: str | None = Field(None, description="The id sent with the text, if any.")
    language: Literal["zh", "en", "mixed", "other"]
    is_complaint: bool
    complaint_score: float
    cause: str | None = Field(description="Primary cause; see GET /v1/labels.")
    cause_score: float | None
    type: str | None = Field(description="Complaint type (redress, voice, exit).")
    type_score: float | None
    secondary_causes: list[str]
    cause_probabilities: dict[str, float]
    type_probabilities: dict[str, float]
    keywords: list[str]
    truncated: bool = Field(description="True when only the first part of a long text was "
                            "analysed.")
    explanations: list[ExplanationOut] | None = Field(
        None, description="Present when the request asked for explain.")

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "ticket-1042", "language": "zh", "is_complaint": True, "complaint_score": 0.9955,
        "cause": "product", "cause_score": 0.9508, "type": "redress", "type_score": 0.9763,
        "secondary_causes": [],
        "cause_probabilities": {"expectations": 0.0176, "facilities": 0.0227,
                                "malicious": 0.0043, "product": 0.9508,
                                "service_attitude": 0.0046},
        "type_probabilities": {"exit": 0.0067, "redress": 0.9763, "voice": 0.017},
        "keywords": ["黑屏", "要求", "退货"], "truncated": False,
    }]})


class BatchItem(BaseModel):
    """One item of a batch. Content problems (empty or too long text) become a per-item
    error; a wrong type or a missing ``text`` fails the request with 422."""

    model_config = _STRICT

    id: str | None = Field(None, max_length=200, description="Your identifier, echoed back.")
    text: str


class BatchRequest(BaseModel):
    """Texts to analyse in one call; results come back in the same order."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "items": [{"id": "a1", "text": ZH_EXAMPLE}, {"id": "a2", "text": EN_EXAMPLE},
                  {"id": "a3", "text": "   "}],
    }]})

    items: list[BatchItem] = Field(description="At most COMPLAINT_ANALYZER_MAX_BATCH_ITEMS "
                                   "items (default 1,000).")
    explain: bool = False


class ItemError(BaseModel):
    """Why one batch item was not analysed."""

    code: Literal["empty_text", "text_too_long"]
    message: str


class BatchResult(BaseModel):
    """The outcome of item ``index``: either ``result`` or ``error`` is set."""

    index: int
    id: str | None
    result: AnalysisOut | None = None
    error: ItemError | None = None


class BatchResponse(BaseModel):
    """One entry per input item, in input order."""

    count: int
    errors: int
    results: list[BatchResult]


# ----------------------------------------------------------------------------- labels, model
class LabelOut(BaseModel):
    """A label value with its names and definitions in English and Chinese."""

    value: str
    name_en: str
    name_zh: str
    definition_en: str
    definition_zh: str


class LabelsOut(BaseModel):
    """The complaint taxonomy."""

    causes: list[LabelOut]
    types: list[LabelOut]
    type_precedence: list[str] = Field(
        description="Which type wins when several apply (the labeling guide's order).")


class ModelOut(BaseModel):
    """Identity and quality of the served model (from the model file's metadata)."""

    version: str = Field(description="Package version that wrote the model, plus the first "
                         "12 hex digits of the training-corpus hash.")
    package_version: str | None
    format_version: int | None
    trained_at: str | None
    corpus_hash: str | None
    corpus_files: list[str]
    n_rows: int | None
    n_complaints: int | None
    labels: dict[str, list[str]]
    params: dict[str, Any]
    metrics: dict[str, Any]


class Health(BaseModel):
    """Liveness or readiness."""

    status: Literal["ok", "ready", "loading"]


# ----------------------------------------------------------------------------- trends
Scalar = str | int | float | bool | None
Freq = Literal["D", "W", "M", "Q"]


class TrendOptions(BaseModel):
    """The options of ``complaint-analyzer trends``, by the same names."""

    model_config = _STRICT

    date_column: str | None = Field(None, description="Date column; detected when null "
                                    "(date, created_at, time, 日期 ...).")
    no_dates: bool = Field(False, description="Ignore dates: totals and segment breakdowns "
                           "only.")
    freq: Freq = Field("W", description="Period: day, week (Mon-Sun), month or quarter.")
    by: list[str] = Field(default_factory=list, description="Segment columns.")
    prefix: str = Field("", description="Prefix of the columns added by classify.")
    text_column: str | None = Field(None, description="Text column; detected when null.")
    month_first: bool = Field(False, description="Read ambiguous dates like 03/04/2024 as "
                              "month/day (default: decide from the data).")
    baseline: int = Field(8, ge=1, le=520, description="Trailing periods in the baseline.")
    min_count: int = Field(10, ge=1, description="Smallest count that can raise an alert.")
    alpha: float = Field(0.05, gt=0, lt=1, description="False discovery rate of the alerts.")
    terms_by_segment: bool = Field(False, description="Also find emerging terms per segment "
                                   "value.")
    silent_per_complaint: float = Field(26.0, ge=0, allow_inf_nan=False,
                                        description="Silent dissatisfied customers per "
                                        "complaint (rule of thumb).")
    return_rate: float = Field(0.96, ge=0, le=1, description="Share of complainants who "
                               "return when resolved within 24 h (rule of thumb).")
    value_per_customer: float | None = Field(None, ge=0, allow_inf_nan=False,
                                             description="Value of one customer, to express "
                                             "impact as money.")
    currency: str = Field("", max_length=20, description="Currency label of "
                          "value_per_customer.")


class TrendsRequest(TrendOptions):
    """Classified rows (the output of ``classify``) plus the trend options."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "rows": [
            {"date": "2024-05-06", "text": "快递太慢了", "is_complaint": "true",
             "cause": "service_attitude", "type": "voice"},
            {"date": "2024-05-07", "text": "Great service", "is_complaint": "false",
             "cause": "", "type": ""},
        ],
        "freq": "W",
    }]})

    rows: list[dict[str, Scalar]] = Field(
        description="One object per classified row: columns is_complaint, cause, type "
        "(required), text, a date and segment columns (optional).")


class TrendReportOut(BaseModel):
    """``TrendReport.to_dict()``: counts, periods, tables, alerts, terms, verbatims, impact."""

    model_config = ConfigDict(extra="allow")

    has_dates: bool
    counts: dict[str, Any]
    tables: dict[str, Any]
    alerts: list[dict[str, Any]]
    notes: list[str]
