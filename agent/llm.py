"""The only place that builds a chat model: langchain_openai.ChatOpenAI on any OpenAI-compatible endpoint.

Retries happen at exactly one layer — the OpenAI SDK's `max_retries` (connection errors, 408/409/429/5xx,
honouring Retry-After; never 400/401/404). Nothing else here retries. Also here: the per-request deadline
and the one-line description of a model failure used for `degraded_reason`. Once a request has answered at
its deadline, its abandoned worker sends nothing more: every HTTP request the model client makes checks the
request's cancel flag first, which also stops SDK retries still waiting out a Retry-After."""

from __future__ import annotations

import contextvars
import queue
import re
import threading
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from pydantic import SecretStr

from core.errors import UpstreamError
from core.settings import Settings

T = TypeVar("T")


class DeadlineExceeded(Exception):
    """The LLM path did not finish within the request deadline."""


class Cancelled(Exception):
    """The request this model call belongs to has already answered; the call is not sent."""


_cancel: contextvars.ContextVar[threading.Event | None] = contextvars.ContextVar("segue_llm_cancel", default=None)


def _refuse_when_cancelled(request: Any) -> None:
    """httpx request hook: raise before sending when the current request's deadline has passed."""
    event = _cancel.get()
    if event is not None and event.is_set():
        raise Cancelled(f"request already answered; {request.method} {request.url.path} not sent")


@cache
def http_client() -> Any:
    """The httpx client every chat model uses (one per process, thread-safe, with the cancel hook)."""
    import httpx

    return httpx.Client(event_hooks={"request": [_refuse_when_cancelled], "response": [_no_retry_when_invalid]})


_INVALID = re.compile(r"pars|invalid|json|template|schema|grammar|unsupported|not supported|expected", re.I)


def _no_retry_when_invalid(response: Any) -> None:
    """httpx response hook: a 500 that names a problem with the request itself (llama.cpp answers a tool call
    it cannot parse, or a schema it cannot compile, with 500) is not retried by the SDK: the same request
    would fail the same way. The SDK reads `x-should-retry: false` before its status rules."""
    if response.status_code != 500:
        return
    response.read()
    try:
        error = response.json().get("error", {})
    except ValueError:
        return
    text = f"{error.get('type', '')} {error.get('message', '')}" if isinstance(error, dict) else str(error)
    if _INVALID.search(text):
        response.headers["x-should-retry"] = "false"


class NoPlan(Exception):
    """The model ended without a usable structured answer (plain text, step limit text, nothing)."""


def chat_model(settings: Settings, *, max_tokens: int | None = None, timeout_s: float | None = None) -> Any:
    """A ChatOpenAI for the configured endpoint; deterministic settings (temperature 0, seed 0)."""
    from langchain_openai import ChatOpenAI

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    if not key and not settings.llm_base_url:
        raise UpstreamError("no model configured: set OPENAI_API_KEY or SEGUE_LLM_BASE_URL")
    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=SecretStr(key or "not-needed"),  # local servers (vLLM, Ollama, llama.cpp) accept any key
        temperature=0,
        seed=0,
        max_completion_tokens=max_tokens,
        timeout=timeout_s or settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
        stream_usage=True,
        http_client=http_client(),
    )


_models: dict[tuple, Any] = {}
_models_lock = threading.Lock()


def cached_chat_model(settings: Settings, *, max_tokens: int | None = None, timeout_s: float | None = None) -> Any:
    """chat_model(), one per model configuration (a compiled agent built on it is reused with it)."""
    secret = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    key = (settings.llm_base_url, settings.llm_model, secret, timeout_s, settings.llm_max_retries, max_tokens)
    with _models_lock:
        if key not in _models:
            if len(_models) >= 16:
                _models.clear()
            _models[key] = chat_model(settings, max_tokens=max_tokens, timeout_s=timeout_s)
        return _models[key]


def run_with_deadline(fn: Callable[[], T], deadline_s: float, cancelled: threading.Event) -> T:
    """Run `fn` in a worker thread and give up after `deadline_s`.

    On timeout `cancelled` is set so the worker stops before its next model call; the caller returns at
    once instead of waiting on a slow upstream. The worker is a daemon thread: a process (the CLI) that
    is done exits at once instead of waiting for an abandoned call to come back."""
    done: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)
    context = contextvars.copy_context()

    def worker() -> None:
        _cancel.set(cancelled)  # read by the HTTP hook of every model call this worker makes
        try:
            done.put((True, fn()))
        except BaseException as exc:  # noqa: BLE001 — handed to the caller, raised there
            done.put((False, exc))

    threading.Thread(target=context.run, args=(worker,), name="segue-llm", daemon=True).start()
    try:
        ok, value = done.get(timeout=deadline_s)
    except queue.Empty:
        cancelled.set()
        raise DeadlineExceeded(f"no plan within the {deadline_s:g}s request deadline") from None
    if not ok:
        raise value
    return value


def describe_failure(exc: BaseException) -> str:
    """A short, secret-free reason for a failed LLM call, e.g. 'model endpoint returned HTTP 401'."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "model call timed out"
    if isinstance(exc, openai.APIConnectionError):
        return "model endpoint unreachable"
    if isinstance(exc, openai.APIStatusError):
        return f"model endpoint returned HTTP {exc.status_code}"
    if isinstance(exc, (DeadlineExceeded, NoPlan, UpstreamError)):
        return str(exc)
    name = type(exc).__name__
    if name in ("ModelCallLimitExceededError", "GraphRecursionError"):
        return "model did not finish within its step limit"
    return f"model output unusable ({name})"
