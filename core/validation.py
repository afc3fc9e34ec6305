"""User values → a typed model, or one InvalidInput naming the first bad field (CLI and MCP edges)."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from core.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], **values: Any) -> M:
    """The model from the values given (None = not given); a validation error becomes `InvalidInput`."""
    try:
        return model(**{k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        raise InvalidInput(f"{'.'.join(map(str, first['loc'])) or 'input'}: {message}") from exc
