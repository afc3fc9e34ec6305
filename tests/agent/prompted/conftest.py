"""Every prompted-playlist test runs on both state backends: SQLite and PostgreSQL."""

from __future__ import annotations

import pytest


@pytest.fixture
def deps(state_deps):
    return state_deps
