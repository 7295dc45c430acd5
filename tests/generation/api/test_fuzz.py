"""Property-based fuzzing of /v1 from the OpenAPI document the server itself serves (schemathesis):
whatever the generated requests hold, the answer is never a server error. Bounded to stay quick:
FUZZ_EXAMPLES examples per operation (11 operations)."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.conftest import make_user
from tests.generation.api.clients import key_for, wsgi_app_for_tests

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))


# The document as the server serves it (reading it needs no key and no database).
schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", wsgi_app_for_tests(get_wsgi_application()))


@pytest.fixture
def fuzzer_key(db, settings) -> str:
    # Room for every generated create under the quotas and the rate limit: the fuzz is about the answers.
    settings.GENERATION_MAX_CONCURRENT = settings.GENERATION_DAILY_SECONDS = 10**6
    return key_for(make_user("fuzzer"), rate_limit_per_minute=10**6)


@pytest.mark.slow
@schema.parametrize()
@hypothesis_settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_request_makes_the_api_fail(case: schemathesis.Case, fuzzer_key: str) -> None:
    response = case.call(headers={"Authorization": f"Bearer {fuzzer_key}"})
    assert response.status_code < 500, f"{case.method} {case.path}: {response.status_code} {response.text[:500]}"
