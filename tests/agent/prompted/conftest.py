"""Fixtures for prompted playlists: every test runs on both state backends (SQLite and PostgreSQL);
an app over those Deps with its settings overridden."""

from __future__ import annotations

import pytest


@pytest.fixture
def deps(state_deps):
    return state_deps


@pytest.fixture
def make_worker_app(deps):
    from app import create_app

    def build(**settings_update):
        return create_app(lambda: deps, settings=deps.settings.model_copy(update=settings_update), warm=False)

    return build
