"""Segue's few domain errors; the API and CLI map them to problem+json / one-line messages."""

from __future__ import annotations


class SegueError(Exception):
    """Base class. `status` is the HTTP status the API answers with."""

    status = 400
    title = "Bad request"


class InvalidInput(SegueError):
    status = 422
    title = "Invalid input"


class NotFound(SegueError):
    status = 404
    title = "Not found"


class StoreError(SegueError):
    """A store is missing, corrupt or unreachable."""

    status = 503
    title = "Store unavailable"


class UpstreamError(SegueError):
    """The configured LLM failed and fallback is disabled."""

    status = 503
    title = "Model unavailable"
