"""The suite file: cases (prompt, optional listener and options, assertions) and suite-level thresholds.

A suite is YAML (or JSON Lines: one case per line, no thresholds)::

    name: core
    thresholds: ["pass_rate >= 0.9", "violations == 0"]
    cases:
      - id: pop-punk-run
        prompt: upbeat pop punk for a run, no explicit, 15 songs
        options: {seed: 0}
        assert:
          - count: 15
          - no_explicit: true
          - genre_share: {genres: [punk], min: 0.5}
"""

from __future__ import annotations

import json
import operator
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.errors import InvalidInput


class Assertion(BaseModel):
    """One check on a playlist: a scorer name and its arguments (validated by the scorer's own model)."""

    kind: str = Field(description="Scorer name, e.g. count, no_explicit, genre_share (see evals.scorers.SCORERS).")
    args: Any = Field(None, description="The scorer's arguments: a number, a list or a mapping.")

    @model_validator(mode="before")
    @classmethod
    def from_mapping(cls, data: Any) -> Any:
        """`{count: 15}` (the suite-file form) → `{kind: count, args: 15}`."""
        if isinstance(data, str):
            return {"kind": data, "args": True}
        if isinstance(data, dict) and "kind" not in data and len(data) == 1:
            (kind, args), = data.items()
            return {"kind": kind, "args": args}
        return data

    @model_validator(mode="after")
    def known_scorer(self) -> Assertion:
        from evals.scorers import validate_args

        self.args = validate_args(self.kind, self.args)
        return self


class CaseOptions(BaseModel):
    """Request options a case may set; they override what the prompt says (as in the API)."""

    model_config = ConfigDict(extra="forbid")

    count: int | None = Field(None, ge=1, le=100)
    minutes: float | None = Field(None, ge=1, le=600)
    allow_explicit: bool | None = None
    seed: int = Field(0, ge=0)


class Case(BaseModel):
    """One prompt to run, and what its playlist must satisfy."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str = Field(pattern=r"^[A-Za-z0-9_.:-]+$")
    prompt: str = Field(description="Sent as is; a prompt the API rejects (an empty or blank one too) is a valid "
                                    "adversarial case.")
    user: str | None = Field(None, description="Listener id (profiles store) for personalised cases.")
    options: CaseOptions = Field(default_factory=CaseOptions)
    tags: list[str] = Field(default_factory=list)
    expect: Literal["ok", "invalid_input", "ok_or_refused"] = Field(
        "ok", description="invalid_input: must be refused cleanly; ok_or_refused: either, but never a crash.")
    defaults: bool = Field(True, description="Also apply the suite's default assertions.")
    refine: list[str] = Field(default_factory=list, max_length=5, description=(
        "Follow-ups applied in order to the generated playlist, as `POST /playlists/{id}/refine` does ('calmer', "
        "'add some 80s'); the assertions score the last playlist, and `vs_parent` and `kept_share` compare it "
        "with the playlist it refined."))
    assertions: list[Assertion] = Field(default_factory=list, alias="assert")

    @field_validator("prompt", mode="before")
    @classmethod
    def expand_repeat(cls, value: Any) -> Any:
        """`{repeat: "word ", times: 500}` builds very long prompts without pasting them."""
        if isinstance(value, dict) and set(value) == {"repeat", "times"}:
            return str(value["repeat"]) * int(value["times"])
        return value


_THRESHOLD = re.compile(r"^\s*([a-z_][a-z0-9_.]*)\s*(>=|<=|==|!=|>|<)\s*(-?[0-9.]+)\s*$")
_OPS = {">=": operator.ge, "<=": operator.le, "==": operator.eq, "!=": operator.ne, ">": operator.gt, "<": operator.lt}


class Threshold(BaseModel):
    """A gate on one variant's summary, e.g. `pass_rate >= 0.9`, `violations == 0`, `mean.coherence >= 0.5`."""

    metric: str
    op: Literal[">=", "<=", "==", "!=", ">", "<"]
    value: float

    @model_validator(mode="before")
    @classmethod
    def parse(cls, data: Any) -> Any:
        if isinstance(data, str):
            m = _THRESHOLD.match(data)
            if not m:
                raise ValueError(f"threshold {data!r} is not '<metric> <op> <number>'")
            return {"metric": m.group(1), "op": m.group(2), "value": float(m.group(3))}
        return data

    def holds(self, actual: float | None) -> bool:
        return actual is not None and bool(_OPS[self.op](actual, self.value))

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.value:g}"


class Suite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    thresholds: list[Threshold] = Field(default_factory=list)
    defaults: list[Assertion] = Field(default_factory=list, description="Assertions added to every case.")
    cases: list[Case] = Field(min_length=1)

    def assertions_for(self, case: Case) -> list[Assertion]:
        """The case's own assertions, then the defaults it does not override by kind."""
        own = {a.kind for a in case.assertions}
        return case.assertions + [a for a in self.defaults if case.defaults and a.kind not in own]

    @model_validator(mode="after")
    def unique_ids(self) -> Suite:
        seen: set[str] = set()
        dupes = [c.id for c in self.cases if c.id in seen or seen.add(c.id)]  # type: ignore[func-returns-value]
        if dupes:
            raise ValueError(f"duplicate case ids: {dupes!r}")
        return self


def load_suite(path: str | Path) -> Suite:
    """Read a YAML or JSONL suite; a malformed file raises InvalidInput naming the file and the field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read suite {str(path)!r}: {exc.strerror}") from exc
    try:
        if path.suffix == ".jsonl":
            data: Any = {"name": path.stem, "cases": [json.loads(line) for line in text.splitlines() if line.strip()]}
        else:
            data = yaml.safe_load(text)
        if isinstance(data, dict):
            data.setdefault("name", path.stem)
        return Suite.model_validate(data)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"suite {str(path)!r} is not valid {path.suffix[1:].upper()}: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"]))
        raise InvalidInput(f"suite {str(path)!r}: {where}: {first['msg']}") from exc
