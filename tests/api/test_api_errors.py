"""Bad requests get 4xx problem+json (never 5xx), fast, with a request id and no stack trace."""

from __future__ import annotations

import time

import pytest
from api_helpers import assert_problem

BAD_BODIES = [
    ({"prompt": ""}, "prompt"),
    ({"prompt": "x" * 2001}, "prompt"),
    ({"prompt": "jazz", "count": 10**9}, "count"),
    ({"prompt": "jazz", "count": 0}, "count"),
    ({"prompt": "jazz", "minutes": 601}, "minutes"),
    ({"prompt": 5}, "prompt"),
    ({"prompt": "jazz", "count": "many"}, "count"),
    ({"prompt": "jazz", "allow_explicit": "perhaps"}, "allow_explicit"),
    ({"prompt": "jazz", "provider": "skynet"}, "provider"),
    ({"prompt": "jazz", "user_id": "<script>"}, "user_id"),
    ({"prompt": "jazz", "surprise": True}, "surprise"),
    ({}, "prompt"),
    ([], "body"),
]


@pytest.mark.parametrize(("body", "field"), BAD_BODIES)
def test_invalid_generate_bodies_are_422(client, body, field):
    start = time.perf_counter()
    problem = assert_problem(client.post("/generate", json=body), 422)
    assert time.perf_counter() - start < 1.0
    assert any(field in e["loc"] for e in problem["errors"]), problem
    assert field in problem["detail"]


@pytest.mark.parametrize("blank", ["   ", "\t\n ", "\u3000\u00a0"])
def test_a_blank_prompt_is_the_same_422_as_an_empty_one(client, blank):
    empty = assert_problem(client.post("/generate", json={"prompt": ""}), 422)
    problem = assert_problem(client.post("/generate", json={"prompt": blank}), 422)
    assert problem["detail"] == empty["detail"] == "body.prompt: String should have at least 1 character"
    assert problem["errors"] == empty["errors"]
    assert_problem(client.post("/generate/stream", json={"prompt": blank}), 422)


def test_the_schema_says_a_prompt_needs_a_non_blank_character(client):
    prompt = client.get("/openapi.json").json()["components"]["schemas"]["GenerateRequest"]["properties"]["prompt"]
    assert prompt["minLength"] == 1 and prompt["pattern"] == "\\S" and prompt["maxLength"] == 2000


def test_malformed_json_is_422(client):
    problem = assert_problem(client.post("/generate", content=b'{"prompt": ', headers={"content-type": "application/json"}), 422)
    assert problem["errors"][0]["type"] == "json_invalid"


def test_ten_megabyte_body_is_413_by_content_length(client):
    start = time.perf_counter()
    body = b'{"prompt": "' + b"a" * (10 * 1024 * 1024) + b'"}'
    problem = assert_problem(client.post("/generate", content=body, headers={"content-type": "application/json"}), 413)
    assert "65,536" in problem["detail"]
    assert time.perf_counter() - start < 1.0


def test_oversized_chunked_body_is_413_while_streaming(client):
    def chunks():
        yield b'{"prompt": "'
        for _ in range(200):
            yield b"b" * 1024
        yield b'"}'

    response = client.post("/generate", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert_problem(response, 413)


def test_body_just_under_the_limit_is_accepted(client, deps):
    pad = " " * (deps.settings.max_body_bytes - 200)
    response = client.post("/generate", content=f'{{"prompt": "quiet piano",{pad}"count": 3}}'.encode(),
                           headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text


def test_unknown_playlist_is_404(client):
    problem = assert_problem(client.get("/playlists/pl_0000000000000000"), 404)
    assert "pl_0000000000000000" in problem["detail"]
    assert problem["instance"] == "/playlists/pl_0000000000000000"
    assert_problem(client.post("/playlists/nope/refine", json={"instruction": "less upbeat"}), 404)
    assert_problem(client.get("/playlists/nope/export/m3u8"), 404)


def test_unknown_route_and_wrong_method_are_problems(client):
    assert_problem(client.get("/no/such/route"), 404)
    assert_problem(client.get("/generate"), 405)


def test_caller_request_id_is_echoed(client):
    response = client.get("/playlists/pl_missing", headers={"X-Request-ID": "abc-123"})
    assert assert_problem(response, 404)["request_id"] == "abc-123"
    odd = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces <>"})
    assert odd.headers["x-request-id"] != "bad id with spaces <>" and len(odd.headers["x-request-id"]) == 32


def test_unexpected_error_is_a_500_problem_without_details(make_app, deps):
    from fastapi.testclient import TestClient

    class BrokenCatalog:
        def __len__(self):
            return 1

        def search(self, *args, **kwargs):
            raise RuntimeError("secret internals at /srv/segue")

    import dataclasses

    app = make_app(dataclasses.replace(deps, catalog=BrokenCatalog()))
    with TestClient(app, raise_server_exceptions=False) as c:
        problem = assert_problem(c.get("/tracks/search", params={"q": "jazz"}), 500)
    assert "secret" not in problem["detail"] and "RuntimeError" not in str(problem)


def test_store_failure_maps_to_503(make_app, deps_without):
    from fastapi.testclient import TestClient

    with TestClient(make_app(deps_without("playlists")), raise_server_exceptions=False) as c:
        assert_problem(c.get("/playlists/pl_0000000000000000"), 503)
        assert_problem(c.get("/readyz"), 503)


def test_curl_style_form_body_is_read_as_json(client):
    """`curl -X POST :8000/generate -d '{"prompt": ...}'` sends a form content type; it must still work."""
    form = {"content-type": "application/x-www-form-urlencoded"}
    response = client.post("/generate", content=b'{"prompt": "quiet piano for sleep", "count": 4}', headers=form)
    assert response.status_code == 200, response.text
    assert len(response.json()["tracks"]) == 4
    assert_problem(client.post("/generate", content=b"prompt=quiet+piano", headers=form), 422)
