"""Model-written narration: every segment checked on its own, retried on its own with the true reason, and
templated on its own when it still fails.

A segment counts when it is spoken words (not empty, not a placeholder), within its word limit, grounded in
the fact sheet (agent/grounding.py), and in its place: a bridge introduces the track that follows it, and no
segment names a track that does not play next to it. A reply cut at the token limit keeps the segments it
completed; the others are asked for again, told that they were cut off."""

from __future__ import annotations

import json
import logging
import re
import threading
from typing import Any

from agent.grounding import COMMON, FactSheet, TrackFact, check, plain_text
from agent.models import Segment, Usage
from core.errors import SegueError
from tools.normalize import base_title, fold

log = logging.getLogger(__name__)
Slot = tuple[str, int]  # (kind, before_position)

MAX_WORDS = {"intro": 40, "bridge": 40, "outro": 60}
MODEL_WRITES = {"all": {"intro", "bridge", "outro"}, "ends": {"intro", "outro"}, "intro": {"intro"},
                "off": set()}  # the rest: templates
CHARS_PER_WORD = 7  # the JSON schema's cap on a segment's text: its word limit in characters, with room
MIN_WORDS = 4
CUT_OFF = "the reply was cut off at the token limit before this segment was complete; keep it within its word limit"
MISSING = "the reply did not include it"


def llm_segments(segments: list[Segment], facts: FactSheet, deps: Any, version: str,
                 cancelled: threading.Event | None = None, usage: Usage | None = None) -> list[Segment]:
    """Model text for every slot that passes `segment_problem` (one retry for the others, told why); the
    template text stays wherever the model fails, or cannot be reached at all."""
    from agent.llm import chat_model

    try:
        model = deps.chat_model or chat_model(deps.settings, max_tokens=1500)
    except SegueError as exc:
        log.info("narration by template: %s", exc)
        return segments
    texts: dict[Slot, str] = {}
    reasons: dict[Slot, str] = {}
    written = MODEL_WRITES[getattr(deps.settings, "llm_narration", "all")]
    pending: list[Slot] = [(s.kind, s.before_position) for s in segments if s.kind in written]
    for _attempt in range(2):
        if not pending or (cancelled is not None and cancelled.is_set()):
            break
        try:
            reply, cut = ask_model(model, facts, pending, reasons, version, usage, deps.settings)
        except Exception as exc:  # noqa: BLE001 — narration is best-effort; the templates always stand in
            log.warning("narration model failed (%s); using templates", exc.__class__.__name__)
            break
        for slot in pending:
            text = within_limit(plain_text(reply.get(slot, "")), MAX_WORDS[slot[0]])
            problem = (CUT_OFF if cut else MISSING) if slot not in reply else segment_problem(slot, text, facts)
            if problem:
                reasons[slot] = problem
            else:
                texts[slot] = text
        pending = [s for s in pending if s not in texts]
        if not pending:
            break
    if pending:
        log.info("narration: %d segment(s) templated (%s)", len(pending), "; ".join(reasons.get(s, "") for s in pending))
    return [s.model_copy(update={"text": texts.get((s.kind, s.before_position), s.text)}) for s in segments]


# --------------------------------------------------------------------------- checks


def segment_problem(slot: Slot, text: str, facts: FactSheet) -> str | None:
    """Why this text cannot be the segment, in words the model can act on; None when it can."""
    kind, at = slot
    words = re.findall(r"[^\W\d_]{2,}", text)
    if len(words) < MIN_WORDS:
        return "it is empty or a placeholder; write the spoken words"
    if len(text.split()) > MAX_WORDS[kind]:
        return f"it is too long ({len(text.split())} words; at most {MAX_WORDS[kind]})"
    report = check(text, facts)
    if not report.ok:
        return f"it states {', '.join(report.problems)}, which the fact sheet does not hold"
    allowed = {"intro": {1}, "bridge": {at - 1, at}, "outro": {facts.count}}[kind]
    for t in named_tracks(text, facts):
        if t.position not in allowed:
            return f"it names track {t.position} ({base_title(t.title)}), which does not play here"
    if kind == "bridge" and 1 <= at <= len(facts.tracks):
        nxt = facts.tracks[at - 1]
        if not introduces(text, nxt):
            return f"it must introduce track {at}, {base_title(nxt.title)} by {nxt.artists[0] if nxt.artists else '?'}"
    return None


_SENTENCE_END = re.compile(r"[.!?…](?=\s|$)")


def within_limit(text: str, max_words: int) -> str:
    """The text whole when it fits its word limit; else its complete sentences that fit (a reply held to its
    length by the server's schema, or run on, keeps what it finished saying); else unchanged, to be rejected."""
    if len(text.split()) <= max_words and (not text or _SENTENCE_END.search(text[-1:])):
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text) if len(text[: m.end()].split()) <= max_words]
    return text[: ends[-1]].strip() if ends and len(text[: ends[-1]].split()) >= MIN_WORDS else text


def _says(text: str, name: str) -> bool:
    f = fold(name)
    return bool(f) and f" {f} " in f" {fold(text)} "


def named_tracks(text: str, facts: FactSheet) -> list[TrackFact]:
    """Tracks whose title the text names (titles too short or too common to tell apart are not counted)."""
    out = []
    for t in facts.tracks:
        title = base_title(t.title)
        if len(title) >= 4 and fold(title) not in COMMON and _says(text, title):
            out.append(t)
    return out


def introduces(text: str, track: TrackFact) -> bool:
    return _says(text, base_title(track.title)) or _says(text, track.title) or any(_says(text, a) for a in track.artists)


# --------------------------------------------------------------------------- the model call


def narration_schema(max_words: int = max(MAX_WORDS.values())) -> dict[str, Any]:
    text = {"type": "string", "maxLength": max_words * CHARS_PER_WORD}
    segment = {"type": "object", "properties": {"kind": {"enum": ["intro", "bridge", "outro"]},
                                                "before_position": {"type": "integer"}, "text": text},
               "required": ["kind", "before_position", "text"]}
    return {"type": "object", "properties": {"segments": {"type": "array", "items": segment}}, "required": ["segments"]}


def sheet_for(facts: FactSheet, pending: list[Slot]) -> FactSheet:
    """The fact sheet with only the tracks the pending segments speak about (fewer prompt tokens)."""
    near = set()
    for kind, at in pending:
        near |= {1} if kind == "intro" else {at - 1, at} if kind == "bridge" else {facts.count}
    return facts.model_copy(update={"tracks": [t for t in facts.tracks if t.position in near]})


def ask_model(model: Any, facts: FactSheet, pending: list[Slot], reasons: dict[Slot, str], version: str,
              usage: Usage | None, settings: Any) -> tuple[dict[Slot, str], bool]:
    """One model call for the pending slots; returns ({(kind, before_position): text}, cut at the token limit)."""
    from langchain_core.messages import HumanMessage, SystemMessage

    from agent.prompts import render

    wanted = [{"kind": k, "before_position": p, "max_words": MAX_WORDS[k]} for k, p in pending]
    system = render("narrator", version, facts=sheet_for(facts, pending).model_dump_json(exclude_none=True),
                    slots=json.dumps(wanted))
    ask = "Write these segments now."
    fixes = [f"{k} before {p}: {reasons[(k, p)]}" for k, p in pending if (k, p) in reasons]
    if fixes:
        ask = ("Write these segments again. What was wrong: " + "; ".join(fixes) + ". Name only titles, artists, "
               "years and numbers from the fact sheet.")
    kwargs: dict[str, Any] = {"max_completion_tokens": min(1500, 60 + sum(2 * MAX_WORDS[k] + 20 for k, _ in pending))}
    if getattr(settings, "llm_json_schema", False):
        kwargs["extra_body"] = {"response_format": {"type": "json_schema", "json_schema": {
            "name": "narration", "schema": narration_schema(max(MAX_WORDS[k] for k, _ in pending)), "strict": False}}}
    reply = model.invoke([SystemMessage(content=system), HumanMessage(content=ask)], **kwargs)
    if usage is not None:
        meta = getattr(reply, "usage_metadata", None) or {}
        usage.model_calls += 1
        usage.prompt_tokens += int(meta.get("input_tokens", 0))
        usage.completion_tokens += int(meta.get("output_tokens", 0))
    cut = (getattr(reply, "response_metadata", None) or {}).get("finish_reason") == "length"
    return parse_segments(getattr(reply, "content", reply)), cut


def parse_segments(content: Any) -> dict[Slot, str]:
    """Every complete {"kind", "before_position", "text"} object in the reply: the whole
    {"segments": [...]} answer, or what a reply cut short completed (code fences tolerated)."""
    text = content if isinstance(content, str) else json.dumps(content)
    decoder, at = json.JSONDecoder(), 0
    out: dict[Slot, str] = {}
    while (start := text.find("{", at)) >= 0:
        try:
            value, at = decoder.raw_decode(text, start)
        except ValueError:
            at = start + 1
            continue
        items = value.get("segments", [value]) if isinstance(value, dict) else []
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("text"), str):
                position: Any = item.get("before_position")  # any JSON value; int() rejects the bad ones below
                try:
                    out.setdefault((str(item.get("kind")), int(position)), item["text"])
                except (TypeError, ValueError):
                    continue
    if not out and "{" not in text:
        raise ValueError("no JSON object in the narration reply")
    return out
