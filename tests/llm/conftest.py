"""The real-model tier (`make test-llm`, marker `llm`): a stock llama-server with a real instruct model on
127.0.0.1, started once per session by bench/llm_server.py from its cache. `SEGUE_TEST_LLM_URL` points the
tier at a server already running instead; `SEGUE_TEST_LLM_MODEL` at another GGUF."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def llm_url():
    given = os.environ.get("SEGUE_TEST_LLM_URL")
    if given:
        yield given
        return
    from bench.llm_server import running

    model = os.environ.get("SEGUE_TEST_LLM_MODEL")
    with running(Path(model) if model else None) as url:
        yield url


@pytest.fixture
def real_deps(deps, llm_url):
    return dataclasses.replace(deps, settings=deps.settings.pointed_at(llm_url))
