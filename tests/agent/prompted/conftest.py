"""Fixtures for prompted playlists: an app over the fixture Deps with its settings overridden."""

from __future__ import annotations

import pytest


@pytest.fixture
def make_worker_app(deps):
    from app import create_app

    def build(**settings_update):
        return create_app(lambda: deps, settings=deps.settings.model_copy(update=settings_update), warm=False)

    return build
