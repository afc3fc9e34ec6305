"""API test fixtures: the app over the fixture Deps, an in-process client, helpers for problem+json checks."""

from __future__ import annotations

import dataclasses

import pytest


@pytest.fixture
def make_app(deps):
    """Build an app over the fixture Deps (optionally altered) and settings (optionally overridden)."""
    from app import create_app

    def build(deps_override=None, **settings_update):
        settings = deps.settings.model_copy(update=settings_update)
        return create_app(lambda: deps_override or deps, settings=settings, warm=False)

    return build


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def state_client(make_app, state_deps):
    """A client over the fixture Deps on each state backend in turn (SQLite, PostgreSQL)."""
    from fastapi.testclient import TestClient

    with TestClient(make_app(state_deps), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def deps_without(deps):
    """The fixture Deps with some collaborators removed: deps_without('profiles')."""

    def build(*names: str):
        return dataclasses.replace(deps, **{n: None for n in names})

    return build


@pytest.fixture
def anyio_backend():
    return "asyncio"
