"""The HTTP API through FastAPI's TestClient: every endpoint and every error path."""

from __future__ import annotations

import io
import json
import logging
import os
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from analyzer.batch import RESULT_COLUMNS
from analyzer.cli import build_parser, main
from analyzer.errors import ModelError
from analyzer.labels import CAUSES, TYPES
from analyzer.model import Analyzer
from analyzer.parallel import ParallelAnalyzer
from api import Settings, create_app
from api.middleware import ACCESS_LOGGER

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROWS = [
    {"id": "1", "渠道": "app", "内容": "退款到现在还没到账，客服一直推诿"},
    {"id": "2", "渠道": "web", "内容": "The blender stopped working after a week.\nRefund please."},
    {"id": "3", "渠道": "app", "内容": ""},
    {"id": "4", "渠道": "=cmd", "内容": "物流很快，东西很好，好评"},
]
ZH = "手机用了三天就黑屏，客服一直推诿，要求退货退款"
EN = "The room was dirty and nobody answered the phone. I want a refund."


def make_settings(**overrides: Any) -> Settings:
    """Settings independent of the developer's environment and ``.env``."""
    values: dict[str, Any] = {"model_path": os.environ.get("COMPLAINT_ANALYZER_MODEL_PATH"),
                              "cors_origins": [], "api_keys": []}
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture(scope="session")
def api_model() -> Analyzer:
    """The model the service would serve: COMPLAINT_ANALYZER_MODEL_PATH, else the packaged."""
    from analyzer.persistence import default_analyzer

    path = os.environ.get("COMPLAINT_ANALYZER_MODEL_PATH")
    return Analyzer.load(path) if path else default_analyzer()


@pytest.fixture(scope="module")
def client(api_model: Analyzer) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(), analyzer=api_model)) as test_client:
        yield test_client


def app_client(api_model: Analyzer, **settings: Any) -> TestClient:
    """A client of an app with some settings changed (use as a context manager)."""
    return TestClient(create_app(make_settings(**settings), analyzer=api_model))


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    return pd.DataFrame(rows).to_csv(index=False).encode("utf-8")


def read_csv_answer(content: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False,
                       encoding="utf-8-sig")


def assert_field_error(response: Any, loc: list[Any]) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert loc in [e["loc"] for e in body["detail"]], body
    assert body["request_id"]


# ----------------------------------------------------------------------------- health, meta
def test_healthz_answers_before_the_model_is_loaded_and_readyz_does_not(api_model):
    app = create_app(make_settings(), analyzer=api_model)
    bare = TestClient(app)  # no context manager: the lifespan has not run
    assert bare.get("/healthz").json() == {"status": "ok"}
    ready = bare.get("/readyz")
    assert ready.status_code == 503 and ready.json() == {"status": "loading"}
    refused = bare.post("/v1/analyze", json={"text": ZH})
    assert refused.status_code == 503 and "readyz" in refused.json()["detail"]


def test_the_lifespan_loads_the_model_named_in_the_settings(api_model, tmp_path):
    path = api_model.save(tmp_path / "served.npz")
    with TestClient(create_app(make_settings(model_path=path))) as served:
        assert served.get("/readyz").json() == {"status": "ready"}
        assert served.get("/v1/model").json()["trained_at"] == api_model.metadata_["trained_at"]


def test_a_missing_model_file_stops_the_startup_with_a_model_error(tmp_path):
    app = create_app(make_settings(model_path=tmp_path / "missing.npz"))
    with pytest.raises(ModelError, match="does not exist"), TestClient(app):
        pass


def test_readyz_is_ready_once_the_lifespan_loaded_the_model(client):
    assert client.get("/readyz").json() == {"status": "ready"}


def test_labels_define_every_cause_and_type_in_english_and_chinese(client):
    body = client.get("/v1/labels").json()
    assert [c["value"] for c in body["causes"]] == list(CAUSES)
    assert [t["value"] for t in body["types"]] == list(TYPES)
    for label in body["causes"] + body["types"]:
        assert label["definition_en"] and label["definition_zh"] and label["name_zh"]
    assert body["type_precedence"] == ["redress", "exit", "voice"]


def test_model_reports_version_label_sets_and_metrics(client, api_model):
    body = client.get("/v1/model").json()
    meta = api_model.metadata_
    assert body["package_version"] == meta["package_version"]
    assert body["version"].startswith(meta["package_version"])
    assert body["labels"]["cause"] == list(CAUSES)
    assert body["trained_at"] == meta["trained_at"]
    assert body["corpus_hash"] == meta.get("corpus_hash")
    assert body["metrics"] == meta.get("metrics", {})


def test_openapi_documents_every_endpoint_with_examples(client):
    spec = client.get("/openapi.json").json()
    for path in ("/v1/analyze", "/v1/analyze/batch", "/v1/classify/csv", "/v1/trends",
                 "/v1/labels", "/v1/model", "/healthz", "/readyz"):
        assert path in spec["paths"], path
    schemas = spec["components"]["schemas"]
    for name in ("AnalyzeRequest", "BatchRequest", "AnalysisOut"):
        assert schemas[name].get("examples"), name
    trends_body = spec["paths"]["/v1/trends"]["post"]["requestBody"]["content"]
    assert trends_body["application/json"]["schema"]["examples"]
    assert "file" in trends_body["multipart/form-data"]["schema"]["properties"]
    assert "413" in spec["paths"]["/v1/analyze"]["post"]["responses"]
    assert client.get("/docs").status_code == 200


# ----------------------------------------------------------------------------- analyze
def test_analyze_returns_labels_probabilities_and_echoes_the_id(client, api_model):
    response = client.post("/v1/analyze", json={"text": ZH, "id": "ticket-7"})
    assert response.status_code == 200
    body = response.json()
    expected = api_model.analyze(ZH).to_dict()
    assert body["id"] == "ticket-7"
    for key, value in expected.items():
        assert body[key] == value, key
    assert set(body["cause_probabilities"]) == set(CAUSES)
    assert set(body["type_probabilities"]) == set(TYPES)
    assert body["explanations"] is None


def test_analyze_with_explain_returns_spans_into_the_text(client):
    body = client.post("/v1/analyze", json={"text": EN, "explain": True}).json()
    assert body["explanations"][0]["task"] == "is_complaint"
    for explanation in body["explanations"]:
        for term in explanation["terms"]:
            for start, end in term["spans"]:
                assert 0 <= start < end <= len(EN)


def test_texts_past_the_models_length_are_analysed_truncated(client, api_model):
    text = "退款太慢了。" * (api_model.max_chars // 6 + 10)
    body = client.post("/v1/analyze", json={"text": text}).json()
    assert body["truncated"] is True


@pytest.mark.parametrize(("payload", "loc"), [
    ({"text": ""}, ["body", "text"]),
    ({"text": " \n\t "}, ["body", "text"]),
    ({"text": 42}, ["body", "text"]),
    ({"text": None}, ["body", "text"]),
    ({"text": ["a"]}, ["body", "text"]),
    ({}, ["body", "text"]),
    ({"text": "ok", "explain": "maybe"}, ["body", "explain"]),
    ({"text": "ok", "id": 5}, ["body", "id"]),
    ({"text": "ok", "colour": "blue"}, ["body", "colour"]),
])
def test_analyze_rejects_invalid_fields_with_field_level_detail(client, payload, loc):
    assert_field_error(client.post("/v1/analyze", json=payload), loc)


def test_invalid_field_errors_never_echo_the_submitted_text(client):
    response = client.post("/v1/analyze", json={"text": 12345678})
    assert "12345678" not in response.text


def test_analyze_rejects_malformed_json_with_422(client):
    response = client.post("/v1/analyze", content=b'{"text": "unterminated',
                           headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


def test_analyze_past_the_text_limit_is_413_naming_the_setting(api_model):
    with app_client(api_model, max_text_chars=10) as limited:
        response = limited.post("/v1/analyze", json={"text": "退款" * 6})
    assert response.status_code == 413
    assert "COMPLAINT_ANALYZER_MAX_TEXT_CHARS" in response.json()["detail"]
    assert "10" in response.json()["detail"]


# ----------------------------------------------------------------------------- batch
def test_batch_keeps_input_order_and_reports_bad_items_per_item(client, api_model):
    items = [{"id": "a", "text": ZH}, {"id": "b", "text": "   "}, {"text": EN},
             {"id": "d", "text": ""}]
    response = client.post("/v1/analyze/batch", json={"items": items})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4 and body["errors"] == 2
    results = body["results"]
    assert [r["index"] for r in results] == [0, 1, 2, 3]
    assert [r["id"] for r in results] == ["a", "b", None, "d"]
    assert results[1]["error"]["code"] == "empty_text" and results[1]["result"] is None
    assert results[3]["error"]["code"] == "empty_text"
    expected = api_model.analyze_many([ZH, EN])
    assert results[0]["result"]["cause_probabilities"] == dict(expected[0].cause_probabilities)
    assert results[2]["result"]["cause_probabilities"] == dict(expected[1].cause_probabilities)
    assert results[0]["error"] is None


def test_batch_jobs_share_large_batches_with_helper_processes_with_the_same_answers(api_model):
    texts = [ZH, EN, "快递三天没动，客服也不回消息", "@SkyAir bag lost twice, nobody calls back"]
    items = [{"id": str(i), "text": texts[i % len(texts)]} for i in range(240)]
    items[7]["text"] = "   "
    with app_client(api_model) as single, app_client(api_model, batch_jobs=2) as shared:
        helper = shared.app.state.batch_analyzer  # type: ignore[attr-defined]
        assert isinstance(helper, ParallelAnalyzer) and helper.model_path
        got = shared.post("/v1/analyze/batch", json={"items": items})
        want = single.post("/v1/analyze/batch", json={"items": items})
        model_file = helper.model_path
    assert got.status_code == 200 and got.json() == want.json()
    assert got.json()["results"][7]["error"]["code"] == "empty_text"
    assert not os.path.exists(model_file)  # the helpers' private copy is gone after shutdown


def test_batch_item_past_the_text_limit_gets_an_error_not_a_failed_batch(api_model):
    with app_client(api_model, max_text_chars=20) as limited:
        body = limited.post("/v1/analyze/batch", json={"items": [
            {"text": "退款" * 20}, {"text": "退款太慢"}]}).json()
    assert body["results"][0]["error"]["code"] == "text_too_long"
    assert "MAX_TEXT_CHARS" in body["results"][0]["error"]["message"]
    assert body["results"][1]["result"]["is_complaint"] in (True, False)


def test_batch_past_the_item_limit_is_413_naming_the_setting(api_model):
    with app_client(api_model, max_batch_items=3) as limited:
        response = limited.post("/v1/analyze/batch",
                                json={"items": [{"text": "退款"}] * 4})
    assert response.status_code == 413
    assert "COMPLAINT_ANALYZER_MAX_BATCH_ITEMS" in response.json()["detail"]


def test_default_batch_limit_is_1000_items():
    assert make_settings().max_batch_items == 1000


def test_batch_item_of_the_wrong_type_fails_the_request_naming_the_item(client):
    response = client.post("/v1/analyze/batch",
                           json={"items": [{"text": "退款"}, {"text": 3}, {"id": "x"}]})
    assert_field_error(response, ["body", "items", 1, "text"])
    assert_field_error(response, ["body", "items", 2, "text"])


def test_empty_batch_returns_no_results(client):
    assert client.post("/v1/analyze/batch", json={"items": []}).json() == {
        "count": 0, "errors": 0, "results": []}


# ----------------------------------------------------------------------------- size limits
def test_declared_body_over_the_limit_is_413_before_it_is_read(api_model):
    with app_client(api_model, max_body_bytes=100) as limited:
        response = limited.post("/v1/analyze", json={"text": "退款" * 100})
    assert response.status_code == 413
    detail = response.json()["detail"]
    assert "100 bytes" in detail and "COMPLAINT_ANALYZER_MAX_BODY_BYTES" in detail


def test_streamed_body_over_the_limit_is_413(api_model):
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(20):
            yield "退款".encode() * 10
        yield b'"}'

    with app_client(api_model, max_body_bytes=100) as limited:
        response = limited.post("/v1/analyze", content=chunks(),
                                headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert "COMPLAINT_ANALYZER_MAX_BODY_BYTES" in response.json()["detail"]


def test_upload_over_the_upload_limit_is_413_naming_the_setting(api_model):
    with app_client(api_model, max_upload_bytes=200) as limited:
        response = limited.post("/v1/classify/csv", files={
            "file": ("big.csv", csv_bytes(ROWS * 10), "text/csv")})
    assert response.status_code == 413
    assert "COMPLAINT_ANALYZER_MAX_UPLOAD_BYTES" in response.json()["detail"]


# ----------------------------------------------------------------------------- API keys, CORS
def test_api_keys_guard_every_v1_route_but_not_health(api_model):
    with app_client(api_model, api_keys=["k-one", "k-two"]) as guarded:
        missing = guarded.post("/v1/analyze", json={"text": ZH})
        wrong = guarded.get("/v1/labels", headers={"X-API-Key": "k-three"})
        non_ascii = guarded.get("/v1/labels", headers={"X-API-Key": "ключ".encode()})
        right = guarded.post("/v1/analyze", json={"text": ZH}, headers={"X-API-Key": "k-two"})
        health = guarded.get("/healthz")
        spec = guarded.get("/openapi.json").json()
    assert missing.status_code == 401 and "X-API-Key" in missing.json()["detail"]
    assert wrong.status_code == 401 and non_ascii.status_code == 401
    assert right.status_code == 200 and health.status_code == 200
    assert "APIKeyHeader" in spec["components"]["securitySchemes"]


def test_api_keys_guard_v1_under_a_proxy_prefix_too(api_model):
    app = create_app(make_settings(api_keys=["k"]), analyzer=api_model)
    with TestClient(app, root_path="/complaints") as proxied:
        guarded = proxied.get("/complaints/v1/labels")
        keyed = proxied.get("/complaints/v1/labels", headers={"X-API-Key": "k"})
        health = proxied.get("/complaints/healthz")
    assert guarded.status_code == 401
    assert keyed.status_code == 200 and health.status_code == 200


def test_api_keys_guard_unknown_paths_but_not_the_docs(api_model):
    with app_client(api_model, api_keys=["k"]) as guarded:
        assert guarded.get("/v2/anything").status_code == 401
        assert guarded.get("/docs").status_code == 200
        assert guarded.get("/openapi.json").status_code == 200


def test_api_keys_are_checked_before_an_upload_is_read(api_model):
    with app_client(api_model, api_keys=["k"], max_upload_bytes=10) as guarded:
        response = guarded.post("/v1/classify/csv",
                                files={"file": ("a.csv", csv_bytes(ROWS), "text/csv")})
    assert response.status_code == 401


def test_v1_is_open_when_no_keys_are_configured(client):
    assert client.get("/v1/labels").status_code == 200


def test_cors_allows_configured_origins_only(api_model):
    with app_client(api_model, cors_origins=["https://desk.example"]) as app:
        preflight = app.options("/v1/analyze", headers={
            "Origin": "https://desk.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "X-API-Key, Content-Type"})
        other = app.get("/v1/labels", headers={"Origin": "https://evil.example"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://desk.example"
    assert "access-control-allow-origin" not in other.headers


def test_cors_preflight_needs_no_api_key(api_model):
    with app_client(api_model, cors_origins=["https://desk.example"], api_keys=["k"]) as app:
        preflight = app.options("/v1/analyze", headers={
            "Origin": "https://desk.example", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 200


# ----------------------------------------------------------------------------- log, ids, errors
def test_request_id_is_echoed_when_sensible_and_generated_otherwise(client):
    given = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    odd = client.get("/healthz", headers={"X-Request-ID": "x" * 65})
    assert len(odd.headers["x-request-id"]) == 32
    again = client.get("/healthz")
    assert again.headers["x-request-id"] != odd.headers["x-request-id"]


def test_fastapi_telemetry_is_off_unless_enabled_in_the_settings():
    import inspect

    from fastapi import FastAPI

    from api.app import telemetry_options

    if "telemetry" not in inspect.signature(FastAPI).parameters:
        assert telemetry_options(make_settings()) == {}
        return
    off = telemetry_options(make_settings())["telemetry"]
    assert not any(off[k] for k in ("tracing", "metrics", "logs", "operation_spans"))
    assert telemetry_options(make_settings(opentelemetry=True)) == {}


def test_access_log_is_one_json_line_per_request_without_the_text(client, caplog):
    secret = "我的手机号是13800000000，快递丢了"
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        client.post("/v1/analyze?x=1", json={"text": secret},
                    headers={"X-Request-ID": "req-42"})
    records = [r for r in caplog.records if r.name == ACCESS_LOGGER]
    assert len(records) == 1
    fields = json.loads(records[0].getMessage())
    assert fields == records[0].access
    assert fields["method"] == "POST" and fields["path"] == "/v1/analyze"
    assert fields["status"] == 200 and fields["request_id"] == "req-42"
    assert fields["duration_ms"] >= 0 and fields["client"]
    assert "13800000000" not in caplog.text and "快递" not in caplog.text


class _Broken:
    """A stand-in model whose analysis fails in a given way."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.metadata_: dict[str, Any] = {}

    def warm_up(self) -> _Broken:
        return self

    def analyze_many(self, texts: list[str], *, explain: bool = False) -> list[Any]:
        raise self.error

    def analyze(self, text: str, *, explain: bool = False) -> Any:
        raise self.error


def test_an_unexpected_server_error_is_500_with_a_request_id_and_logged(caplog):
    app = create_app(make_settings(), analyzer=_Broken(RuntimeError("boom")))  # type: ignore[arg-type]
    with TestClient(app, raise_server_exceptions=False) as broken, \
            caplog.at_level(logging.ERROR, logger="complaint_analyzer.api"):
        response = broken.post("/v1/analyze", json={"text": ZH})
    assert response.status_code == 500
    assert response.json() == {"detail": "internal server error",
                               "request_id": response.headers["x-request-id"]}
    assert "RuntimeError" in caplog.text and ZH not in caplog.text


def test_a_model_error_is_503_not_the_clients_fault():
    app = create_app(make_settings(), analyzer=_Broken(ModelError("model file gone")))  # type: ignore[arg-type]
    with TestClient(app) as broken:
        response = broken.post("/v1/analyze", json={"text": ZH})
    assert response.status_code == 503 and "model file gone" in response.json()["detail"]


def test_unknown_paths_and_methods_keep_the_error_format(client):
    missing = client.get("/v1/nothing")
    assert missing.status_code == 404 and missing.json()["request_id"]
    assert client.get("/v1/analyze").status_code == 405


# ----------------------------------------------------------------------------- CSV upload
def test_csv_upload_returns_every_row_in_order_with_the_result_columns(client):
    response = client.post("/v1/classify/csv",
                           files={"file": ("export.csv", csv_bytes(ROWS), "text/csv")})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "export.classified.csv" in response.headers["content-disposition"]
    assert response.headers["x-rows"] == "4" and response.headers["x-row-errors"] == "1"
    out = read_csv_answer(response.content)
    assert out["id"].tolist() == ["1", "2", "3", "4"]
    assert out["内容"].tolist() == [r["内容"] for r in ROWS]
    assert list(out.columns[-len(RESULT_COLUMNS):]) == list(RESULT_COLUMNS)
    assert out["error"].tolist() == ["", "", "empty text", ""]
    assert out["is_complaint"].tolist()[:2] == ["true", "true"]


def test_upload_options_text_column_prefix_and_output_format(client):
    rows = [{"note": "x", "msg": r["内容"]} for r in ROWS]
    response = client.post(
        "/v1/classify/csv", files={"file": ("t.csv", csv_bytes(rows), "text/csv")},
        data={"text_column": "msg", "prefix": "ca_", "output_format": "xlsx"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument")
    out = pd.read_excel(io.BytesIO(response.content), dtype=str, keep_default_na=False)
    assert out["msg"].tolist() == [r["内容"] for r in ROWS]
    assert "ca_cause" in out.columns and out["ca_error"].tolist()[2] == "empty text"


def test_xlsx_upload_comes_back_as_xlsx(client):
    buffer = io.BytesIO()
    pd.DataFrame(ROWS).to_excel(buffer, index=False)
    response = client.post("/v1/classify/csv", files={"file": (
        "book.xlsx", buffer.getvalue(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")})
    assert response.status_code == 200, response.text
    out = pd.read_excel(io.BytesIO(response.content), dtype=str, keep_default_na=False)
    assert out["id"].tolist() == ["1", "2", "3", "4"] and "cause" in out.columns


def test_upload_without_an_extension_is_typed_by_its_media_type(client):
    response = client.post("/v1/classify/csv",
                           files={"file": ("export", csv_bytes(ROWS), "text/csv")})
    assert response.status_code == 200
    assert len(read_csv_answer(response.content)) == 4
    assert "export.classified.csv" in response.headers["content-disposition"]


def test_a_file_part_without_a_file_name_is_a_field_error(client):
    response = client.post("/v1/classify/csv",
                           files={"file": (None, csv_bytes(ROWS), "text/csv")})
    assert_field_error(response, ["body", "file"])


def test_csv_without_a_usable_text_column_is_400_listing_the_columns(client):
    rows = [{"a": "x", "b": "y"}]
    response = client.post("/v1/classify/csv",
                           files={"file": ("t.csv", csv_bytes(rows), "text/csv")})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "'a'" in detail and "'b'" in detail and "text_column" in detail
    assert "--text-column" not in detail


def test_unknown_text_column_is_400_listing_the_columns(client):
    response = client.post("/v1/classify/csv", data={"text_column": "body"},
                           files={"file": ("t.csv", csv_bytes(ROWS), "text/csv")})
    assert response.status_code == 400 and "'内容'" in response.json()["detail"]


def test_columns_that_would_be_overwritten_are_400_suggesting_a_prefix(client):
    rows = [{"text": "退款", "cause": "mine"}]
    response = client.post("/v1/classify/csv",
                           files={"file": ("t.csv", csv_bytes(rows), "text/csv")})
    assert response.status_code == 400 and "prefix" in response.json()["detail"]


@pytest.mark.parametrize(("name", "media"), [
    ("photo.png", "image/png"), ("notes.pdf", "application/pdf"),
    ("noext", "application/octet-stream"),
])
def test_unsupported_upload_types_are_415(client, name, media):
    response = client.post("/v1/classify/csv", files={"file": (name, b"\x89PNG....", media)})
    assert response.status_code == 415 and ".csv" in response.json()["detail"]


@pytest.mark.parametrize(("name", "content"), [
    ("bad.jsonl", b"\xff\xfe\x85 not json"),
    ("bad.csv", b'text,a\n"unterminated,1\n'),
    ("bad.xlsx", b"PK\x03\x04 not a workbook"),
    ("bad.parquet", b"PAR1 nope"),
    ("empty.csv", b""),
])
def test_unreadable_uploads_are_400_not_500(client, name, content):
    response = client.post("/v1/classify/csv",
                           files={"file": (name, content, "application/octet-stream")})
    assert response.status_code == 400, response.text


def test_missing_file_field_is_422(client):
    assert_field_error(client.post("/v1/classify/csv", data={"prefix": "x"}),
                       ["body", "file"])


def test_temporary_files_are_deleted_after_the_answer(client, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    ok = client.post("/v1/classify/csv",
                     files={"file": ("t.csv", csv_bytes(ROWS), "text/csv")})
    failed = client.post("/v1/classify/csv",
                         files={"file": ("t.csv", csv_bytes([{"a": "b", "c": "d"}]),
                                         "text/csv")})
    assert ok.status_code == 200 and failed.status_code == 400
    leftovers = [p for p in tmp_path.iterdir() if p.name.startswith("complaint-analyzer-api")]
    assert leftovers == []


# ----------------------------------------------------------------------------- trends
@pytest.fixture(scope="module")
def classified() -> pd.DataFrame:
    from analyzer.trends.synthetic import make_classified

    return make_classified(300, days=70, seed=1)


def json_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records", force_ascii=False))


def test_trends_from_json_rows_return_the_trend_report(client, classified):
    response = client.post("/v1/trends", json={"rows": json_rows(classified),
                                               "date_column": "created_at", "freq": "W",
                                               "by": ["channel"]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["counts"]["total"] == len(classified)
    assert body["has_dates"] is True and body["freq"] == "W" and body["by"] == ["channel"]
    assert "totals" in body["tables"] and "segment_totals" in body["tables"]


def test_trends_from_an_uploaded_csv_match_the_json_rows(client, classified):
    options = {"date_column": "created_at", "freq": "M", "by": ["region"], "baseline": 2}
    from_json = client.post("/v1/trends", json={"rows": json_rows(classified), **options})
    upload = client.post("/v1/trends", data={**options, "by": "region"}, files={
        "file": ("classified.csv", classified.to_csv(index=False).encode(), "text/csv")})
    assert upload.status_code == 200, upload.text
    assert upload.json()["counts"] == from_json.json()["counts"]
    assert upload.json()["tables"]["totals"] == from_json.json()["tables"]["totals"]


def test_trends_as_html_return_the_report_page(client, classified):
    response = client.post("/v1/trends?format=html", json={"rows": json_rows(classified)})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text.lower()


def test_trends_options_are_those_of_the_cli(client, classified):
    response = client.post("/v1/trends", json={
        "rows": json_rows(classified), "no_dates": True, "value_per_customer": 120.0,
        "currency": "CNY", "silent_per_complaint": 10, "return_rate": 0.5})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["has_dates"] is False
    assert body["impact"]["assumptions"]["value_per_customer"] == 120.0


def test_trends_options_out_of_range_are_422(client, classified):
    response = client.post("/v1/trends", json={"rows": json_rows(classified)[:5],
                                               "alpha": 2, "baseline": 0})
    assert_field_error(response, ["body", "alpha"])
    assert_field_error(response, ["body", "baseline"])


def test_trends_without_classifier_columns_are_400(client):
    response = client.post("/v1/trends", json={"rows": [{"text": "退款", "date": "2024-01-01"}]})
    assert response.status_code == 400 and "is_complaint" in response.json()["detail"]


@pytest.mark.parametrize(("payload", "loc"), [
    ({"rows": [], "freq": "Y"}, ["body", "freq"]),
    ({"rows": "x"}, ["body", "rows"]),
    ({"rows": [{"a": {"nested": 1}}]}, ["body", "rows", 0, "a", "str"]),
    ({}, ["body", "rows"]),
])
def test_trends_reject_invalid_fields_with_field_level_detail(client, payload, loc):
    response = client.post("/v1/trends", json=payload)
    assert response.status_code == 422, response.text
    locs = [e["loc"] for e in response.json()["detail"]]
    assert any(found[:len(loc)] == loc for found in locs), locs


def test_trends_reject_malformed_json_with_422(client):
    response = client.post("/v1/trends", content=b"{",
                           headers={"content-type": "application/json"})
    assert response.status_code == 422


def test_trends_upload_needs_a_file_and_valid_options(client, classified):
    no_file = client.post("/v1/trends", data={"freq": "W"},
                          files={"other": ("a.csv", b"a\n1\n", "text/csv")})
    assert_field_error(no_file, ["body", "file"])
    bad_freq = client.post("/v1/trends", data={"freq": "fortnight"}, files={
        "file": ("c.csv", classified.to_csv(index=False).encode(), "text/csv")})
    assert_field_error(bad_freq, ["body", "freq"])


def test_trends_of_other_body_types_are_415(client):
    response = client.post("/v1/trends", content=b"rows", headers={"content-type": "text/plain"})
    assert response.status_code == 415
    pdf = client.post("/v1/trends", files={"file": ("r.pdf", b"%PDF", "application/pdf")})
    assert pdf.status_code == 415
    xlsx = client.post("/v1/trends", files={"file": ("r.xlsx", b"PK", "application/zip")})
    assert xlsx.status_code == 415 and ".parquet" in xlsx.json()["detail"]


@pytest.mark.parametrize(("name", "content"), [
    ("c.csv", b"\xff\xfe\x85 not utf-8"), ("c.csv", b""), ("c.parquet", b"PAR1 nope"),
])
def test_trends_of_an_unreadable_upload_are_400(client, name, content):
    response = client.post("/v1/trends", files={"file": (name, content, "text/csv")})
    assert response.status_code == 400, response.text


# ----------------------------------------------------------------------------- settings, serve
def test_settings_come_from_prefixed_environment_variables(monkeypatch):
    monkeypatch.setenv("COMPLAINT_ANALYZER_MAX_BATCH_ITEMS", "5")
    monkeypatch.setenv("COMPLAINT_ANALYZER_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("COMPLAINT_ANALYZER_API_KEYS", '["k1", "k2"]')
    settings = Settings(_env_file=None)
    assert settings.max_batch_items == 5
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.key_bytes() == (b"k1", b"k2")
    assert "k1" not in repr(settings)


def test_settings_come_from_a_dotenv_file(tmp_path, monkeypatch):
    env = tmp_path / ".env"
    env.write_text("COMPLAINT_ANALYZER_MAX_TEXT_CHARS=77\nCOMPLAINT_ANALYZER_API_KEYS=s3cret\n",
                   encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("COMPLAINT_ANALYZER_"):
            monkeypatch.delenv(name)
    settings = Settings()
    assert settings.max_text_chars == 77 and settings.key_bytes() == (b"s3cret",)


@pytest.mark.parametrize("overrides", [{"api_keys": ["ok", " "]}, {"max_body_bytes": 0},
                                       {"batch_jobs": 0}])
def test_invalid_settings_fail_when_created(overrides):
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        make_settings(**overrides)


def test_serve_is_a_cli_command_with_loopback_defaults():
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.workers) == ("127.0.0.1", 8000, 1)
    assert args.func.__module__ == "analyzer.commands.serve"


def test_serve_refuses_invalid_settings_with_exit_code_2(monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COMPLAINT_ANALYZER_MAX_BATCH_ITEMS", "many")
    assert main(["serve", "--port", "0"]) == 2
    assert "max_batch_items" in capsys.readouterr().err


def test_serve_refuses_zero_workers(capsys):
    assert main(["serve", "--workers", "0"]) == 2


def test_serve_logging_sends_the_access_log_to_stdout_as_bare_json():
    import logging.config

    from analyzer.commands.serve import logging_config

    config = logging_config("info")
    assert config["loggers"][ACCESS_LOGGER]["handlers"] == ["access"]
    assert config["formatters"]["message"]["format"] == "%(message)s"
    assert "root" not in config
    logging.config.dictConfig({**config, "loggers": {}})  # valid for dictConfig


def test_creating_an_app_configures_no_logging(api_model):
    root_handlers = list(logging.getLogger().handlers)
    create_app(make_settings(), analyzer=api_model)
    assert logging.getLogger().handlers == root_handlers
    assert logging.getLogger(ACCESS_LOGGER).handlers == []
