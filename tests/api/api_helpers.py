"""Shared assertions for API tests."""

from __future__ import annotations


def assert_problem(response, status: int) -> dict:
    """A problem+json response with the given status, a request id matching the header and no stack trace."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["type"].startswith("/problems/")
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text and "File \"" not in response.text
    return body
