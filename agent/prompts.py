"""Versioned prompt files: prompts/<version>/<name>.md, chosen by setting or per request so evals can compare."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from string import Template

from core.errors import InvalidInput
from core.settings import REPO_ROOT

PROMPTS_DIR = REPO_ROOT / "prompts"
_SAFE = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$")


def versions(root: Path = PROMPTS_DIR) -> list[str]:
    """Every prompt version shipped, e.g. ['v1', 'v2']."""
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def load_prompt(name: str, version: str, root: Path = PROMPTS_DIR) -> Template:
    """The template `prompts/<version>/<name>.md`; an unknown version or name raises InvalidInput."""
    for label, value in (("prompt version", version), ("prompt name", name)):
        if not _SAFE.match(value or "") or ".." in value:
            raise InvalidInput(f"invalid {label} {value!r}")
    return Template(_read(root, version, name))


def render(name: str, version: str, root: Path = PROMPTS_DIR, **values: object) -> str:
    """Load and fill a prompt; `$name` placeholders, unknown ones left as they are."""
    return load_prompt(name, version, root).safe_substitute({k: str(v) for k, v in values.items()}).strip()


@lru_cache(maxsize=64)
def _read(root: Path, version: str, name: str) -> str:
    if not (root / version).is_dir():
        raise InvalidInput(f"unknown prompt version {version!r}; available: {', '.join(versions(root))}")
    path = root / version / f"{name}.md"
    if not path.is_file():
        raise InvalidInput(f"prompt version {version!r} has no {name!r} prompt")
    return path.read_text(encoding="utf-8")
