"""Schemathesis fuzzing of the OpenAPI schema, in process (ASGI), bounded in examples.

Every documented operation gets generated valid and invalid requests; no answer may be a
5xx, and every answer must match the documented status codes, media types and schemas.
"""

from __future__ import annotations

import os

import pytest

from analyzer.model import Analyzer
from api import Settings, create_app

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

#: Examples per operation: 8 operations x this bounds the whole fuzz run.
MAX_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "25"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def api_schema():
    """The app's own OpenAPI document, loaded in process (no network at all)."""
    from analyzer.persistence import default_analyzer

    path = os.environ.get("COMPLAINT_ANALYZER_MODEL_PATH")
    model = Analyzer.load(path) if path else default_analyzer()
    app_settings = Settings(_env_file=None, model_path=path, cors_origins=[], api_keys=[],
                            max_batch_items=20, max_text_chars=2_000, max_body_bytes=200_000,
                            max_upload_bytes=200_000)
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(app_settings, model))


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_no_generated_request_gets_a_5xx_or_an_undocumented_answer(case):
    case.call_and_validate(checks=CHECKS)
