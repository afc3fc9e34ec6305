"""A scripted fake chat model for agent logic tests: replies come from a queue, requests are recorded."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr

Reply = AIMessage | Callable[[list[BaseMessage]], AIMessage]
_ids = itertools.count(1)


def call(name: str, **args: Any) -> dict[str, Any]:
    """One tool call as a chat model emits it."""
    return {"name": name, "args": args, "id": f"call_{next(_ids)}", "type": "tool_call"}


def reply(*calls: dict[str, Any], text: str = "", tokens: tuple[int, int] = (100, 20)) -> AIMessage:
    """An assistant message carrying tool calls and a usage record."""
    return AIMessage(
        content=text,
        tool_calls=list(calls),
        usage_metadata={"input_tokens": tokens[0], "output_tokens": tokens[1], "total_tokens": sum(tokens)},
    )


class ScriptedChatModel(BaseChatModel):
    """Answers each model call with the next scripted reply (a message, or a function of the messages).

    Running out of replies fails the test loudly; `requests` holds the messages of every call and
    `bound` the tool names and options of every `bind_tools`."""

    replies: list[Any]
    _requests: list[list[BaseMessage]] = PrivateAttr(default_factory=list)
    _bound: list[dict[str, Any]] = PrivateAttr(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def requests(self) -> list[list[BaseMessage]]:
        return self._requests

    @property
    def bound(self) -> list[dict[str, Any]]:
        return self._bound

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Any:
        names = [getattr(t, "name", None) or getattr(t, "__name__", str(t)) for t in tools]
        self._bound.append({"tools": names, **kwargs})
        return self

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        self._requests.append(list(messages))
        n = len(self._requests)
        if n > len(self.replies):
            raise AssertionError(
                f"scripted model called {n} times, only {len(self.replies)} replies scripted"
            )
        nxt = self.replies[n - 1]
        message = nxt(list(messages)) if callable(nxt) else nxt
        return ChatResult(generations=[ChatGeneration(message=message)])


def forever(make: Callable[[int], AIMessage], limit: int = 1000) -> list[Reply]:
    """A script that never stops asking (up to `limit` replies), e.g. a model that searches forever."""

    def nth(i: int) -> Reply:
        return lambda _messages: make(i)

    return [nth(i) for i in range(limit)]
