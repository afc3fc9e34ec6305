"""The model's plan as a delta over the deterministic parse, and the checks it must pass to count.

The model never restates the spec: it returns picks (numbers of the tracks it was shown) and the few fields
it wants to change. What the prompt states literally stays the parse's. A restriction the model adds counts
only when the prompt's own words support it and it can be met: an empty or reversed range, excluding a genre
or artist the listener asked for, a number the prompt never says, a duplicate differing by case — each is
dropped with a note the response carries (`usage.notes`)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agent.models import Arc, Feature, PlaylistSpec
from core.types import FEATURES
from tools.normalize import fold

MAX_PICKS = 40
PICKS_ASKED = 8  # the schema's cap: picks beyond the first few only restate the list's order
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "eleven": 11, "twelve": 12, "dozen": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
                "forty": 40, "fifty": 50, "hour": 60, "sixty": 60, "ninety": 90}


class PlanDelta(BaseModel):
    """The final answer's schema: picks, soft changes, added restrictions. Descriptions stay short and hold no
    example values (a small model copies examples into its answer)."""

    model_config = ConfigDict(extra="ignore")

    picks: list[int] = Field(default_factory=list, max_length=MAX_PICKS, description="Numbers of the best listed tracks, best first.")
    query: str | None = Field(None, max_length=200, description="Short description of the sound.")
    genres: list[str] | None = Field(None, max_length=6, description="Catalog genres wanted.")
    moods: list[str] | None = Field(None, max_length=6, description="Mood or activity words of the request.")
    arc: Arc | None = Field(None, description="Energy shape, only if the request says.")
    feature_targets: dict[Feature, float] | None = Field(None, description="0-1 audio feature targets.")
    exclude_artists: list[str] = Field(default_factory=list, max_length=10, description="Artists the request rules out.")
    exclude_genres: list[str] = Field(default_factory=list, max_length=10, description="Genres the request rules out.")
    count: int | None = Field(None, description="Track count, only if the request says.")
    minutes: float | None = Field(None, description="Total minutes, only if the request says.")
    year_min: int | None = None
    year_max: int | None = None
    tempo_min: float | None = None
    tempo_max: float | None = None

    @field_validator("feature_targets", mode="before")
    @classmethod
    def _known_features(cls, value: Any) -> Any:
        """Keys that are not audio features ('mood', 'tempo') are left out rather than failing the plan."""
        if isinstance(value, dict):
            return {k: v for k, v in value.items() if k in FEATURES and isinstance(v, int | float)} or None
        return value


NUMBER_FIELDS = ("count", "minutes", "year_min", "year_max", "tempo_min", "tempo_max")
EXCLUSION_FIELDS = ("exclude_artists", "exclude_genres")
_NEGATION = re.compile(r"\b(no|not|non|without|except|never|avoid|skip|minus|nothing by|none|but)\b|-free\b", re.I)


def delta_schema(prompt: str, parsed: PlaylistSpec | None = None) -> dict[str, Any]:
    """PlanDelta as a compact JSON schema for response_format, offering only the fields that could change
    the plan: numbers only when the prompt says one and the parse left the field open, exclusions only when
    the prompt rules something out, moods and feature targets only when the parse found none. Fewer
    fields, fewer tokens to generate, fewer made-up restrictions."""
    schema = _compact(PlanDelta.model_json_schema())
    schema["properties"]["picks"]["maxItems"] = PICKS_ASKED
    schema["properties"]["feature_targets"] = {  # named keys: a server's grammar can hold a model to them
        "type": "object", "additionalProperties": False, "description": "0-1 audio feature targets.",
        "properties": {f: {"type": "number", "minimum": 0, "maximum": 1} for f in sorted(FEATURES)}}
    for name in EXCLUSION_FIELDS:  # a prompt rules out a few things; a small model lists ten
        schema["properties"][name]["maxItems"] = 3
    drop = set(NUMBER_FIELDS) - offered_numbers(prompt)
    drop |= set() if _NEGATION.search(prompt) else set(EXCLUSION_FIELDS)
    if parsed is not None:
        drop |= {f for f in NUMBER_FIELDS if getattr(parsed, f) is not None}
        drop |= {"count", "minutes"} if parsed.count is not None or parsed.minutes is not None else set()
        drop |= {"moods"} if parsed.moods else set()
        drop |= {"feature_targets"} if parsed.feature_targets else set()
        drop |= {"arc"} if parsed.arc else set()
    schema["properties"] = {k: v for k, v in schema["properties"].items() if k not in drop}
    schema["required"] = ["picks"]
    return schema


def _compact(node: Any) -> Any:
    if isinstance(node, dict):
        node = {k: _compact(v) for k, v in node.items() if k not in ("title", "default")}
        if "properties" in node:
            node.pop("description", None)  # the class docstring is for readers of this code
        variants = node.get("anyOf")
        if isinstance(variants, list) and len(variants) == 2 and {"type": "null"} in variants:
            (real,) = [v for v in variants if v != {"type": "null"}]
            node = {**{k: v for k, v in node.items() if k != "anyOf"}, **real}
        return node
    if isinstance(node, list):
        return [_compact(v) for v in node]
    return node


# --------------------------------------------------------------------------- merging under checks


def merge_delta(parsed: PlaylistSpec, delta: PlanDelta, prompt: str, known_genre: Any) -> tuple[PlaylistSpec, list[str]]:
    """The parse with the model's changes that pass the checks; returns (spec, notes on what was dropped).
    `known_genre(name) -> bool` says whether the catalog has the genre."""
    notes: list[str] = []
    words = fold(prompt)
    update: dict[str, Any] = soft_changes(parsed, delta, words, known_genre, notes)
    asked = [fold(g) for g in update.get("genres", parsed.genres)]
    seeds = [fold(a) for a in update.get("seed_artists", parsed.seed_artists)]
    update["exclude_artists"] = added_names(parsed.exclude_artists, delta.exclude_artists, words, seeds, "artist", notes)
    update["exclude_genres"] = added_names(parsed.exclude_genres, delta.exclude_genres, words, asked, "genre", notes)
    update |= added_numbers(parsed, delta, prompt, notes)
    return PlaylistSpec.model_validate(parsed.model_dump() | update), notes


def soft_changes(parsed: PlaylistSpec, delta: PlanDelta, words: str, known_genre: Any, notes: list[str]) -> dict[str, Any]:
    """Query, genres, moods, arc and feature targets steer ranking only; genres must exist in the catalog."""
    out: dict[str, Any] = {}
    if delta.query and delta.query.strip():
        out["query"] = " ".join(delta.query.split())[:200]
    if delta.genres:
        unknown = [g for g in delta.genres if not known_genre(g)]
        if unknown:
            notes.append(f"ignored genres not in the catalog: {', '.join(unknown)}")
        kept = [g.lower() for g in delta.genres if g not in unknown]
        if kept:
            out["genres"] = list(dict.fromkeys(parsed.genres + kept))[:6]
    if delta.moods:
        out["moods"] = list(dict.fromkeys(parsed.moods + [m.lower() for m in delta.moods if m.strip()]))[:8]
    if delta.arc and parsed.arc is None:
        out["arc"] = delta.arc
    if delta.feature_targets:
        out["feature_targets"] = parsed.feature_targets | {
            f: min(1.0, max(0.0, v)) for f, v in delta.feature_targets.items() if f not in parsed.feature_targets}
    return out


def said(term: str, words: str) -> bool:
    """Whether the folded prompt holds `term` as whole words."""
    t = fold(term)
    return bool(t) and f" {t} " in f" {words} "


def added_names(stated: list[str], proposed: list[str], words: str, asked: list[str], kind: str,
                notes: list[str]) -> list[str]:
    """Stated exclusions plus the model's that the prompt names and that do not rule out what it asks for."""
    out, seen = list(stated), {fold(s) for s in stated}
    for name in proposed:
        key = fold(name)
        if not key or key in seen:
            if key and name not in stated:
                notes.append(f"dropped duplicate exclude_{kind}s {name!r}")
            continue
        if any(key == a or f" {key} " in f" {a} " or f" {a} " in f" {key} " for a in asked):
            notes.append(f"dropped exclude_{kind}s {name!r}: the request asks for it")
        elif not said(name, words):
            notes.append(f"dropped exclude_{kind}s {name!r}: the request does not name it")
        else:
            out.append(name)
            seen.add(key)
    return out


def prompt_numbers(prompt: str) -> set[float]:
    """Every number the prompt says, in digits or words ('a dozen', 'an hour'), decades as their years."""
    text = fold(prompt)
    out = {float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)}
    out |= {float(v) for w, v in NUMBER_WORDS.items() if said(w, text)}
    for d in re.findall(r"\b(?:19|20)?(\d0)s\b", text):
        start = int(d) + (1900 if int(d) >= 30 else 2000)
        out |= {float(start), float(start + 9)}
    for d in re.findall(r"\b((?:19|20)\d0)s\b", text):
        out |= {float(d), float(int(d) + 9)}
    return out


_TEMPO_WORDS = re.compile(r"\b(bpm|tempo|beats)\b")


def offered_numbers(prompt: str) -> set[str]:
    """The number fields a number of the prompt could fill: years for a year or decade, tempo for a number
    beside a tempo word, count and minutes for a small number. The others are not offered (a small model
    fills every field it is shown; each one costs tokens and is then dropped)."""
    said_numbers, out = prompt_numbers(prompt), set()
    if any(1900 <= n <= 2030 for n in said_numbers):
        out |= {"year_min", "year_max"}
    if _TEMPO_WORDS.search(fold(prompt)) and any(30 <= n <= 300 for n in said_numbers):
        out |= {"tempo_min", "tempo_max"}
    if any(1 <= n <= 600 for n in said_numbers):
        out |= {"count", "minutes"}
    return out


def added_numbers(parsed: PlaylistSpec, delta: PlanDelta, prompt: str, notes: list[str]) -> dict[str, Any]:
    """Count, minutes, years and tempo the parse left open: kept when the prompt says the number and the
    range they make is not empty; the parse's own values always stand."""
    said_numbers, out = prompt_numbers(prompt), {}
    amount_open = parsed.count is None and parsed.minutes is None
    for name in ("count", "minutes"):
        value = getattr(delta, name)
        if value is None or not amount_open or name in out:
            continue
        if float(value) in said_numbers and 1 <= value <= (100 if name == "count" else 600):
            out[name] = value
            amount_open = False
        else:
            notes.append(f"dropped {name} {value:g}: the request does not say it")
    for low, high, unit in (("year_min", "year_max", ""), ("tempo_min", "tempo_max", " BPM")):
        out |= added_range(parsed, delta, low, high, unit, said_numbers, notes)
    return out


def added_range(parsed: PlaylistSpec, delta: PlanDelta, low: str, high: str, unit: str, said_numbers: set[float],
                notes: list[str]) -> dict[str, Any]:
    bounds = {}
    for name in (low, high):
        value = getattr(delta, name)
        if value is None or getattr(parsed, name) is not None:
            continue
        if float(value) not in said_numbers:
            notes.append(f"dropped {name} {value:g}: the request does not say it")
            continue
        bounds[name] = value
    lo = bounds.get(low, getattr(parsed, low))
    hi = bounds.get(high, getattr(parsed, high))
    if bounds and lo is not None and hi is not None and lo >= hi:
        notes.append(f"dropped {low.split('_')[0]} range {lo:g}-{hi:g}{unit}: it is empty")
        return {}
    limits = PlaylistSpec.model_fields
    for name, value in list(bounds.items()):
        meta = {type(m).__name__: m for m in limits[name].metadata}
        if ("Ge" in meta and value < meta["Ge"].ge) or ("Le" in meta and value > meta["Le"].le):
            notes.append(f"dropped {name} {value:g}: out of range")
            bounds.pop(name)
    return bounds
