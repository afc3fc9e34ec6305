"""Fixtures for the agent tests: the fixture deps pointed at a mocked OpenAI-compatible endpoint."""

from __future__ import annotations

import dataclasses

import pytest
from llm_helpers import BASE
from pydantic import SecretStr


@pytest.fixture
def llm_deps(deps, monkeypatch):
    """The fixture deps pointed at the mocked endpoint; SDK back-off shrunk so retries take milliseconds."""
    import openai._base_client as base_client

    monkeypatch.setattr(base_client, "INITIAL_RETRY_DELAY", 0.001)
    monkeypatch.setattr(base_client, "MAX_RETRY_DELAY", 0.002)
    settings = deps.settings.model_copy(
        update={
            "provider": "openai",
            "llm_base_url": BASE,
            "openai_api_key": SecretStr("test"),
            "llm_max_retries": 2,
            "llm_timeout_s": 5.0,
            "llm_max_steps": 4,
            "request_deadline_s": 20.0,
        }
    )
    return dataclasses.replace(deps, settings=settings)


