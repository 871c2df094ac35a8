"""The endpoints: each one checks limits, calls the library, and shapes the answer.

Model and file work never runs on the event loop. CPU-bound endpoints are plain ``def``
(FastAPI runs them in its thread pool), with two exceptions that hand their work to threads
themselves: ``POST /v1/analyze`` queues its text in the :class:`~api.coalesce.Coalescer`
(concurrent requests share one vectorised model call), and ``POST /v1/trends`` reads its
body itself (JSON or multipart on one path) and aggregates with ``run_in_threadpool``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import ValidationError
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.exceptions import HTTPException

from analyzer.labels import CAUSE_INFO, TYPE_INFO, TYPE_PRECEDENCE, LabelInfo
from analyzer.model import Analyzer
from analyzer.parallel import ParallelAnalyzer
from api import schemas, uploads
from api.coalesce import Coalescer
from api.middleware import API_KEY_HEADER
from api.responses import FastJSONResponse
from api.settings import ENV_PREFIX, Settings

if TYPE_CHECKING:
    import pandas as pd

    from analyzer.results import Analysis

#: Upload formats of POST /v1/trends: those ``complaint-analyzer trends`` reads.
TREND_FORMATS: tuple[str, ...] = ("csv", "parquet")
_ERROR = {"model": schemas.ErrorResponse}


# ----------------------------------------------------------------------------- dependencies
async def get_settings(request: Request) -> Settings:
    """The app's settings (``app.state.settings``)."""
    settings: Settings = request.app.state.settings
    return settings


async def get_analyzer(request: Request) -> Analyzer:
    """The model loaded in the app's lifespan; 503 while there is none."""
    analyzer = getattr(request.app.state, "analyzer", None)
    if analyzer is None:
        raise HTTPException(503, "the model is not loaded yet; retry when GET /readyz is 200")
    return analyzer


def coalescer_of(request: Request) -> Coalescer:
    """The lifespan's :class:`~api.coalesce.Coalescer`; 503 while there is none. (A plain
    call, not a dependency: ``POST /v1/analyze`` is the hot path and FastAPI's dependency
    resolution costs about 0.1 ms per request.)"""
    coalescer = getattr(request.app.state, "coalescer", None)
    if coalescer is None or getattr(request.app.state, "analyzer", None) is None:
        raise HTTPException(503, "the model is not loaded yet; retry when GET /readyz is 200")
    return coalescer


async def get_batch_analyzer(request: Request) -> Analyzer | ParallelAnalyzer:
    """What batches run on (the model, or a ``ParallelAnalyzer`` with ``BATCH_JOBS`` > 1);
    503 while the model is not loaded."""
    await get_analyzer(request)
    batch: Analyzer | ParallelAnalyzer = request.app.state.batch_analyzer
    return batch


SettingsDep = Annotated[Settings, Depends(get_settings)]
AnalyzerDep = Annotated[Analyzer, Depends(get_analyzer)]
BatchAnalyzerDep = Annotated[Analyzer | ParallelAnalyzer, Depends(get_batch_analyzer)]


def v1_router(settings: Settings) -> APIRouter:
    """The ``/v1`` endpoints; with API keys configured, OpenAPI documents the key header
    (the key itself is checked by ``GuardMiddleware`` before the body is read)."""
    dependencies = []
    if settings.api_keys:
        scheme = APIKeyHeader(name=API_KEY_HEADER, auto_error=False,
                              description="One of COMPLAINT_ANALYZER_API_KEYS.")
        dependencies.append(Depends(scheme))
    responses: dict[int | str, dict[str, Any]] = {
        400: {**_ERROR, "description": "The body could not be parsed at all (for example "
              "it is not UTF-8), or a file is unreadable."},
        413: {**_ERROR, "description": "A size limit was exceeded; the message names it."},
        422: {**_ERROR, "description": "Invalid fields, one entry per field."},
        503: {**_ERROR, "description": "The model is not loaded."},
    }
    if settings.api_keys:
        responses[401] = {**_ERROR, "description": "Missing or invalid X-API-Key."}
    router = APIRouter(prefix="/v1", dependencies=dependencies, responses=responses)
    router.add_api_route("/analyze", analyze, methods=["POST"],
                         response_model=schemas.AnalysisOut, tags=["analysis"],
                         summary="Analyse one text")
    router.add_api_route("/analyze/batch", analyze_batch, methods=["POST"],
                         response_model=schemas.BatchResponse, tags=["analysis"],
                         summary="Analyse many texts; results in input order")
    router.add_api_route(
        "/classify/csv", classify_csv, methods=["POST"], tags=["files"],
        summary="Classify every row of an uploaded CSV/TSV/XLSX/JSONL/Parquet file",
        response_class=FileResponse,
        responses={200: {"description": "The classified file, in the requested format.",
                         "content": {media: {"schema": {"type": "string",
                                                        "format": "binary"}}
                                     for media in uploads.MEDIA_TYPES.values()}},
                   400: {**_ERROR, "description": "Unreadable file or no usable text "
                         "column (the message lists the columns found)."},
                   415: {**_ERROR, "description": "Not a supported tabular file type."}})
    router.add_api_route(
        "/trends", trends, methods=["POST"], tags=["trends"],
        summary="Trends of classified rows (JSON rows or an uploaded classified file)",
        response_class=JSONResponse, openapi_extra=_TRENDS_OPENAPI,
        responses={200: {"description": "The TrendReport as JSON, or as an HTML page with "
                         "?format=html.",
                         "content": {"application/json": {
                             "schema": schemas.TrendReportOut.model_json_schema(
                                 mode="serialization")},
                             "text/html": {"schema": {"type": "string"}}}},
                   400: {**_ERROR, "description": "Missing or malformed columns."},
                   415: {**_ERROR, "description": "Neither JSON nor a supported upload."}})
    router.add_api_route("/labels", labels, methods=["GET"], response_model=schemas.LabelsOut,
                         tags=["model"], summary="The taxonomy, in Chinese and English")
    router.add_api_route("/model", model_info, methods=["GET"],
                         response_model=schemas.ModelOut, tags=["model"],
                         summary="Version, label sets, corpus hash and metrics of the model")
    return router


def health_router() -> APIRouter:
    """``/healthz`` and ``/readyz`` (never behind API keys)."""
    router = APIRouter(tags=["health"])
    router.add_api_route("/healthz", healthz, methods=["GET"], response_model=schemas.Health,
                         summary="The process is alive")
    router.add_api_route("/readyz", readyz, methods=["GET"], response_model=schemas.Health,
                         summary="The model is loaded",
                         responses={503: {"model": schemas.Health,
                                          "description": "Still loading."}})
    return router


# ----------------------------------------------------------------------------- health
async def healthz() -> dict[str, str]:
    """Always ``{"status": "ok"}`` while the process serves requests."""
    return {"status": "ok"}


async def readyz(request: Request) -> JSONResponse:
    """200 ``ready`` once the lifespan has loaded the model, else 503 ``loading``."""
    if getattr(request.app.state, "analyzer", None) is None:
        return JSONResponse({"status": "loading"}, status_code=503)
    return JSONResponse({"status": "ready"})


# ----------------------------------------------------------------------------- analysis
def too_long(text: str, settings: Settings) -> str | None:
    """The 413 message for a text over ``MAX_TEXT_CHARS``, else ``None``."""
    if len(text) > settings.max_text_chars:
        return (f"text has {len(text)} characters, over the limit of {settings.max_text_chars}"
                f" (setting {ENV_PREFIX}MAX_TEXT_CHARS)")
    return None


def analysis_out(analysis: Analysis, item_id: str | None) -> dict[str, Any]:
    """An analysis in the shape of ``schemas.AnalysisOut`` (``explanations`` null unless
    asked for), ready for JSON."""
    out = analysis.to_dict()
    out["id"] = item_id
    out.setdefault("explanations", None)
    return out


async def analyze(body: schemas.AnalyzeRequest, request: Request) -> JSONResponse:
    """Classify one text: complaint or not, cause, type, probabilities, keywords.

    413 when the text is longer than ``MAX_TEXT_CHARS``; 422 when it is empty. The model
    runs in a worker thread, together with concurrent requests (see ``api.coalesce``).
    """
    problem = too_long(body.text, request.app.state.settings)
    if problem:
        raise HTTPException(413, problem)
    analysis = await coalescer_of(request).analyze(body.text, explain=body.explain)
    # Returned as a ready response: the dict already has the documented shape (tested against
    # the OpenAPI schema), so FastAPI's response-model validation would only cost time.
    return FastJSONResponse(analysis_out(analysis, body.id))


def analyze_batch(body: schemas.BatchRequest, analyzer: BatchAnalyzerDep,
                  settings: SettingsDep) -> JSONResponse:
    """Classify up to ``MAX_BATCH_ITEMS`` texts in one vectorised pass (shared with helper
    processes when ``BATCH_JOBS`` > 1).

    An empty or over-long text gets an ``error`` entry at its position; the other items are
    analysed. 413 when there are more items than the limit.
    """
    if len(body.items) > settings.max_batch_items:
        raise HTTPException(413, f"batch has {len(body.items)} items, over the limit of "
                            f"{settings.max_batch_items} (setting {ENV_PREFIX}"
                            "MAX_BATCH_ITEMS)")
    entries: list[dict[str, Any]] = []
    valid: list[int] = []
    for index, item in enumerate(body.items):
        entry: dict[str, Any] = {"index": index, "id": item.id, "result": None, "error": None}
        entries.append(entry)
        problem = too_long(item.text, settings)
        if problem:
            entry["error"] = {"code": "text_too_long", "message": problem}
        elif not item.text.strip():
            entry["error"] = {"code": "empty_text", "message": "text is empty or whitespace "
                              "only; 文本为空，请提供投诉内容"}
        else:
            valid.append(index)
    results = analyzer.analyze_many([body.items[i].text for i in valid], explain=body.explain)
    for index, analysis in zip(valid, results, strict=True):
        entries[index]["result"] = analysis_out(analysis, body.items[index].id)
    return FastJSONResponse({"count": len(entries), "errors": len(entries) - len(valid),
                             "results": entries})


# ----------------------------------------------------------------------------- files
def classify_csv(
    analyzer: AnalyzerDep,
    file: Annotated[UploadFile, File(description="CSV, TSV, XLSX, JSONL or Parquet file.")],
    text_column: Annotated[str | None, Form(description="Text column (default: detected)."
                                            )] = None,
    prefix: Annotated[str, Form(description="Prefix for the added column names.")] = "",
    output_format: Annotated[Literal["csv", "tsv", "xlsx", "jsonl", "parquet"] | None,
                             Form(description="Format of the answer (default: the "
                                  "upload's).")] = None,
    explain: Annotated[bool, Form(description="Add an explanation column (JSON).")] = False,
    safe_cells: Annotated[bool, Form(description="Neutralise formula-like cells in all text "
                                     "columns, not only the added ones.")] = False,
) -> FileResponse:
    """The uploaded file with the classifier's columns added to every row, in order.

    Same guarantees as ``complaint-analyzer classify``: every row exactly once, in input
    order, original columns unchanged. 415 for a file that is not tabular, 400 when it
    cannot be read or has no usable text column (the message lists the columns found).
    """
    from analyzer.batch import BatchOptions, classify_file

    fmt = uploads.upload_format(file.filename, file.content_type)
    out_fmt = output_format or fmt
    folder = uploads.workspace()
    try:
        source = uploads.spool(file.file, folder, fmt)
        target = folder / uploads.download_name(file.filename, out_fmt)
        options = BatchOptions(
            text_column=text_column or None, prefix=prefix, output_format=out_fmt,
            input_format=fmt, jobs=1, explain=explain, safe_cells=safe_cells)
        summary = uploads.read_safely(
            lambda: classify_file(source, target, options, model=analyzer))
    except BaseException:
        uploads.discard(folder)
        raise
    return FileResponse(
        target, media_type=uploads.MEDIA_TYPES[out_fmt], filename=target.name,
        background=BackgroundTask(uploads.discard, folder),
        headers={"X-Rows": str(summary.rows), "X-Complaints": str(summary.complaints),
                 "X-Row-Errors": str(summary.errors)})


# ----------------------------------------------------------------------------- trends
def _form_schema() -> dict[str, Any]:
    """The multipart variant of the trends body: a ``file`` plus the options as fields."""
    properties: dict[str, Any] = {"file": {
        "type": "string", "format": "binary",
        "description": "A classified CSV or Parquet file (the output of classify)."}}
    for name, spec in schemas.TrendOptions.model_json_schema()["properties"].items():
        if name == "by":
            spec = {"type": "string", "description": "Segment columns, comma-separated."}
        properties[name] = spec
    return {"type": "object", "required": ["file"], "properties": properties}


_TRENDS_OPENAPI: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": schemas.TrendsRequest.model_json_schema()},
    "multipart/form-data": {"schema": _form_schema()},
}}}


def _frame_from_rows(rows: list[dict[str, schemas.Scalar]]) -> pd.DataFrame:
    """JSON rows as the strings a classified CSV would hold (null -> empty)."""
    import pandas as pd

    def cell(value: schemas.Scalar) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    columns = list(dict.fromkeys(key for row in rows for key in row))
    return pd.DataFrame([[cell(row.get(c)) for c in columns] for row in rows],
                        columns=columns, dtype=object)


def _options_from_form(fields: dict[str, str]) -> schemas.TrendOptions:
    values: dict[str, Any] = {k: v for k, v in fields.items() if v != ""}
    if "by" in values:
        values["by"] = [part.strip() for part in values["by"].split(",") if part.strip()]
    try:
        return schemas.TrendOptions.model_validate(values)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from exc


def _report(frame: pd.DataFrame, options: schemas.TrendOptions, analyzer: Analyzer,
            as_html: bool) -> Any:
    """The trend report of ``frame``, built as ``complaint-analyzer trends`` builds it."""
    from analyzer.trends import ImpactAssumptions, TrendConfig, aggregate, render_html

    config = TrendConfig(baseline_periods=options.baseline,
                         min_baseline_periods=min(3, options.baseline),
                         min_count=options.min_count, alpha=options.alpha,
                         terms_by_segment=options.terms_by_segment)
    impact = ImpactAssumptions(silent_per_complaint=options.silent_per_complaint,
                               return_rate_if_resolved_fast=options.return_rate,
                               value_per_customer=options.value_per_customer,
                               currency=options.currency)
    report = aggregate(frame, date_column=options.date_column, freq=options.freq,
                       by=tuple(options.by), prefix=options.prefix,
                       text_column=options.text_column, use_dates=not options.no_dates,
                       dayfirst=False if options.month_first else None,
                       tokenizer=analyzer.segmenter.segment, config=config, impact=impact)
    if as_html:
        return HTMLResponse(render_html(report))
    return JSONResponse(report.to_dict())


def _frame_from_upload(upload: StarletteUpload) -> pd.DataFrame:
    """The uploaded classified file, read by ``analyzer.trends.read_classified``."""
    from analyzer.trends import read_classified

    fmt = uploads.upload_format(upload.filename, upload.content_type, TREND_FORMATS)
    folder = uploads.workspace()
    try:
        path = uploads.spool(upload.file, folder, fmt)
        return uploads.read_safely(lambda: read_classified(path))
    finally:
        uploads.discard(folder)


async def trends(request: Request, analyzer: AnalyzerDep,
                 format: Annotated[Literal["json", "html"],
                                   Query(description="json (default) or html")] = "json",
                 ) -> Any:
    """Volumes, rises, emerging terms, verbatims and impact of classified complaints.

    Send either ``application/json`` (``TrendsRequest``: rows plus options) or
    ``multipart/form-data`` with a classified ``file`` and the same options as form fields
    (``by`` comma-separated). 415 for any other body type; 400 when required classifier
    columns are missing.
    """
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/json":
        raw = await request.body()
        try:  # large bodies take a while to validate: not on the event loop
            body = await run_in_threadpool(schemas.TrendsRequest.model_validate_json, raw)
        except ValidationError as exc:
            raise RequestValidationError(
                [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from exc
        frame = await run_in_threadpool(_frame_from_rows, body.rows)
        options: schemas.TrendOptions = body
    elif media == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=20)
        try:
            upload = form.get("file")
            if not isinstance(upload, StarletteUpload):
                raise RequestValidationError([{"loc": ("body", "file"), "type": "missing",
                                               "msg": "Field required: a classified file"}])
            options = _options_from_form({k: v for k, v in form.items()
                                          if isinstance(v, str)})
            frame = await run_in_threadpool(_frame_from_upload, upload)
        finally:
            await form.close()
    else:
        raise HTTPException(415, f"unsupported body type {media or 'none'!r}; send "
                            "application/json rows or a multipart/form-data file upload")
    return await run_in_threadpool(_report, frame, options, analyzer, format == "html")


# ----------------------------------------------------------------------------- labels, model
def _label(info: LabelInfo) -> dict[str, str]:
    return {"value": info.value, "name_en": info.name_en, "name_zh": info.name_zh,
            "definition_en": info.definition_en, "definition_zh": info.definition_zh}


async def labels() -> dict[str, Any]:
    """Every cause and complaint type with names and definitions in English and Chinese."""
    return {"causes": [_label(i) for i in CAUSE_INFO.values()],
            "types": [_label(i) for i in TYPE_INFO.values()],
            "type_precedence": [t.value for t in TYPE_PRECEDENCE]}


async def model_info(analyzer: AnalyzerDep) -> dict[str, Any]:
    """The served model's metadata: versions, labels, corpus hash, training date, metrics."""
    meta: dict[str, Any] = dict(analyzer.metadata_)
    package = meta.get("package_version")
    corpus_hash = meta.get("corpus_hash")
    version = str(package or "unknown") + (f"+{corpus_hash[:12]}" if corpus_hash else "")
    return {
        "version": version, "package_version": package,
        "format_version": meta.get("format_version"), "trained_at": meta.get("trained_at"),
        "corpus_hash": corpus_hash, "corpus_files": list(meta.get("corpus_files", [])),
        "n_rows": meta.get("n_rows"), "n_complaints": meta.get("n_complaints"),
        "labels": meta.get("labels", {}), "params": meta.get("params", {}),
        "metrics": meta.get("metrics", {}),
    }
