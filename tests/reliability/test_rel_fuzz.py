"""API fuzzing with Schemathesis against /openapi.json (offline mode): no 5xx and every response conforms to
the schema; plus the request limits (oversized body → 413, over-long prompt → 422, fast, no model call).

CI runs 25 examples per operation; `-m slow` runs 500 per operation."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from rel_helpers import assert_problem

CI_EXAMPLES = 25


@pytest.fixture(scope="module")
def fuzz_app(deps):
    from app import create_app

    return create_app(lambda: deps, settings=deps.settings, warm=False)


@pytest.fixture(scope="module")
def api_schema(fuzz_app):
    import schemathesis

    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)


def operations(schema) -> list:
    return [result.ok() for result in schema.get_all_operations()]


def fuzz(operation, examples: int) -> list[str]:
    """Run `examples` generated cases against one operation; returns the failures (empty when all pass).

    Every check runs except "schema-valid data is accepted": a schema-valid request can name a prompt
    version, listener or playlist that does not exist, and 404/422 is the right answer to it."""
    from schemathesis.checks import positive_data_acceptance

    failures: list[str] = []

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case) -> None:
        try:
            case.call_and_validate(excluded_checks=[positive_data_acceptance])
        except (Exception, BaseExceptionGroup) as exc:  # collect every failure instead of stopping at the first
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:600]}")

    run()
    return failures


def test_schema_covers_the_api(api_schema):
    labels = {op.label for op in operations(api_schema)}
    assert {"POST /generate", "GET /healthz", "GET /readyz"} <= labels and len(labels) >= 10


def test_fuzz_every_operation(api_schema):
    failures = [f for op in operations(api_schema) for f in fuzz(op, CI_EXAMPLES)]
    assert failures == [], "\n".join(dict.fromkeys(failures))


@pytest.mark.slow
def test_fuzz_every_operation_500_examples(api_schema):
    start = time.perf_counter()
    ops = operations(api_schema)
    failures = [f for op in ops for f in fuzz(op, 500)]
    print(f"schemathesis: {len(ops)} operations × 500 examples, {time.perf_counter() - start:.0f}s, "
          f"{len(failures)} failures")
    assert failures == [], "\n".join(dict.fromkeys(failures))


# --------------------------------------------------------------------------- request limits


@pytest.fixture
def limited_client(deps):
    """The app on the LLM path (respx-mocked endpoint): any model call would show on the route."""
    import dataclasses

    import respx
    from fastapi.testclient import TestClient
    from rel_helpers import LLM_BASE, llm_settings

    from app import create_app

    settings = llm_settings(deps.settings)
    app = create_app(lambda: dataclasses.replace(deps, settings=settings), settings=settings, warm=False)
    with respx.mock(assert_all_called=False) as mock, TestClient(app, raise_server_exceptions=False) as client:
        route = mock.post(f"{LLM_BASE}/chat/completions")
        client.get("/readyz")  # load the Deps first: limits are timed, not the first load
        yield client, route


@pytest.mark.parametrize(("body", "status"), [
    (b'{"prompt": "' + b"a" * (10 * 1024 * 1024) + b'"}', 413),
    ({"prompt": "a" * 2001}, 422),
    ({"prompt": "pop", "count": 10**9}, 422),
    ({"prompt": "pop", "minutes": 1e308}, 422),
    ({"prompt": "pop", "user_id": "../../etc/passwd"}, 422),
    ({"prompt": "pop", "allow_explicit": False, "policy": {"explicit": "allow"}}, 422),
])
def test_request_limits_answer_fast_without_a_model_call(limited_client, body, status):
    client, route = limited_client
    start = time.perf_counter()
    if isinstance(body, bytes):
        response = client.post("/generate", content=body, headers={"content-type": "application/json"})
    else:
        response = client.post("/generate", json=body)
    elapsed = time.perf_counter() - start
    assert_problem(response, status)
    assert elapsed < 1.0 and route.call_count == 0
    assert len(response.content) < 5000  # the offending input is not echoed back


def test_oversized_chunked_body_without_length_is_413(limited_client):
    client, route = limited_client

    def chunks():
        for _ in range(200):
            yield b"x" * 65536

    start = time.perf_counter()
    response = client.post("/generate", content=chunks(), headers={"content-type": "application/json"})
    assert_problem(response, 413)
    assert time.perf_counter() - start < 1.0 and route.call_count == 0
