"""The optional model-graded rubric: a chat model scores a playlist against criteria. Never required.

Available only when a model is configured (OPENAI_API_KEY or SEGUE_LLM_BASE_URL); otherwise rubric
assertions are skipped, not failed. Its calls go through the eval cache like every other model call."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from agent.deps import Deps
from core.settings import Settings
from evals.suite import Suite

INSTRUCTIONS = ("You grade playlists made by an AI DJ. Judge only against the criteria. Answer with one JSON "
                'object and nothing else: {"score": <number 0 to 1>, "reason": "<one sentence>"}.')


def llm_configured(settings: Settings) -> bool:
    return bool(settings.openai_api_key or settings.llm_base_url)


def judge_for(deps: Deps, suite: Suite) -> Callable[[str], dict] | None:
    """A grading function when the suite has rubric assertions and a model is configured, else None."""
    if not llm_configured(deps.settings) or not any(a.kind == "rubric" for c in suite.cases for a in suite.assertions_for(c)):
        return None
    key = (deps.settings.llm_model, deps.settings.llm_base_url, id(deps.settings))
    if key not in _judges:
        _judges[key] = _judge(deps.settings)
    return _judges[key]


_judges: dict[tuple, Callable[[str], dict]] = {}


def _judge(settings: Settings) -> Callable[[str], dict]:
    from agent.llm import chat_model

    model = chat_model(settings, max_tokens=200)

    def grade(text: str) -> dict:
        try:
            reply = model.invoke([("system", INSTRUCTIONS), ("human", text)])
        except Exception as exc:  # a grader outage is reported on the assertion, not a crash of the run
            return {"score": 0.0, "reason": f"grader failed: {type(exc).__name__}"}
        return parse_verdict(str(reply.content))

    return grade


def parse_verdict(text: str) -> dict[str, Any]:
    """The first JSON object in the reply; a score outside 0–1 is clipped, an unreadable reply scores 0."""
    match = re.search(r"\{.*\}", text, re.S)
    try:
        data = json.loads(match.group(0)) if match else {}
        score = min(1.0, max(0.0, float(data.get("score", 0.0))))
    except (ValueError, TypeError, AttributeError):
        return {"score": 0.0, "reason": f"unreadable verdict: {text[:80]!r}"}
    return {"score": score, "reason": str(data.get("reason", ""))}
