"""Edge behaviour: API keys, CORS closed by default, the web page, and complete OpenAPI docs."""

from __future__ import annotations

import pytest
from api_helpers import assert_problem
from fastapi.testclient import TestClient


@pytest.fixture
def keyed(make_app):
    with TestClient(make_app(api_keys="key-one, key-two"), raise_server_exceptions=False) as c:
        yield c


def test_api_keys_are_required_when_configured(keyed):
    problem = assert_problem(keyed.get("/tracks/search", params={"q": "jazz"}), 401)
    assert "API key" in problem["detail"]
    assert keyed.get("/tracks/search", params={"q": "jazz"}, headers={"Authorization": "Bearer key-two"}).status_code == 200
    assert keyed.get("/tracks/search", params={"q": "jazz"}, headers={"X-API-Key": "key-one"}).status_code == 200
    for bad in ("key-on", "key-one2", "", "KEY-ONE"):
        assert_problem(keyed.get("/tracks/search", params={"q": "jazz"}, headers={"X-API-Key": bad}), 401)
    assert keyed.get("/healthz").status_code == 200 and keyed.get("/").status_code == 200


def test_cors_is_closed_by_default_and_opens_for_configured_origins(client, make_app):
    origin = {"Origin": "https://elsewhere.example"}
    assert "access-control-allow-origin" not in client.get("/healthz", headers=origin).headers
    with TestClient(make_app(cors_origins="https://elsewhere.example")) as c:
        allowed = c.get("/healthz", headers=origin)
        other = c.get("/healthz", headers={"Origin": "https://evil.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://elsewhere.example"
    assert "access-control-allow-origin" not in other.headers


def test_web_page_and_assets_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert '<script src="/static/app.js"' in page.text
    script = client.get("/static/app.js").text
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script  # server text is never parsed as HTML (the browser test checks it renders)
    assert "/generate/stream" in script
    assert client.get("/static/style.css").status_code == 200


def test_openapi_documents_every_operation_with_examples_and_problems(client):
    spec = client.get("/openapi.json").json()
    operations = [(path, method, op) for path, item in spec["paths"].items() for method, op in item.items()]
    assert len(operations) >= 11
    for path, method, op in operations:
        assert op.get("summary"), (path, method)
        if path != "/healthz":  # the one route that cannot fail
            assert any(code.startswith(("4", "5")) for code in op["responses"]), (path, method)
    generate_body = spec["paths"]["/generate"]["post"]["requestBody"]["content"]["application/json"]
    assert len(generate_body["examples"]) >= 2
    problem = spec["paths"]["/generate"]["post"]["responses"]["422"]["content"]
    assert problem == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    assert "text/event-stream" in spec["paths"]["/generate/stream"]["post"]["responses"]["200"]["content"]
