"""Reliability fixtures: the catalog with injected instructions, Deps over it, LLM settings for respx, and
slow tests kept out of the default run (opt in with `-m slow`)."""

from __future__ import annotations

import dataclasses

import pytest


@pytest.fixture(autouse=True)
def _slow_is_opt_in(request):
    """A slow test runs only when the -m expression selects slow tests (`-m slow`, `-m "slow or not slow"`)."""
    if request.node.get_closest_marker("slow") and not _selects_slow(request.config.getoption("-m") or ""):
        pytest.skip("slow test: run with -m slow")


def _selects_slow(expr: str) -> bool:
    from _pytest.mark.expression import Expression

    return bool(expr) and Expression.compile(expr).evaluate(lambda name, **_: name == "slow")


@pytest.fixture(scope="session")
def injected(catalog):
    from rel_helpers import injected_catalog

    return injected_catalog(catalog)


@pytest.fixture(scope="session")
def inj_deps(deps, injected):
    """The fixture Deps over the injected catalog, with listeners blocking every pair of test artists."""
    from rel_helpers import block_pairs

    block_pairs(deps.profiles)
    return dataclasses.replace(deps, catalog=injected[0])


@pytest.fixture
def fast_retries(monkeypatch):
    """SDK back-off shrunk so retries take milliseconds (Retry-After headers are still honoured)."""
    import openai._base_client as base_client

    monkeypatch.setattr(base_client, "INITIAL_RETRY_DELAY", 0.001)
    monkeypatch.setattr(base_client, "MAX_RETRY_DELAY", 0.002)
