"""The only place that builds a chat model: langchain_openai.ChatOpenAI on any OpenAI-compatible endpoint.

Retries happen at exactly one layer — the OpenAI SDK's `max_retries` (connection errors, 408/409/429/5xx,
honouring Retry-After; never 400/401/404). Nothing else here retries."""

from __future__ import annotations

from typing import Any

from agent.config import Settings
from agent.errors import UpstreamError


def chat_model(settings: Settings, *, max_tokens: int | None = None, timeout_s: float | None = None) -> Any:
    """A ChatOpenAI for the configured endpoint; deterministic settings (temperature 0, seed 0)."""
    from langchain_openai import ChatOpenAI

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    if not key and not settings.llm_base_url:
        raise UpstreamError("no model configured: set OPENAI_API_KEY or SEGUE_LLM_BASE_URL")
    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=key or "not-needed",  # local servers (vLLM, Ollama, llama.cpp) accept any key
        temperature=0,
        seed=0,
        max_tokens=max_tokens,
        timeout=timeout_s or settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
        stream_usage=True,
    )
