"""Follow-up instructions ("less upbeat", "more 90s", "drop the rap", "no explicit", "longer") → a spec delta.

Each clause of an instruction is matched by one small rule. Directions ("less upbeat", "slower") become hard
windows relative to the current playlist, so what no longer fits is removed with a reason."""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field

from agent.models import Feature, Playlist, PlaylistSpec
from agent.planner.quantities import year_limits
from core.errors import InvalidInput
from tools.catalog import Catalog
from tools.normalize import fold, norm_artist

BoundField = Feature | Literal["tempo", "year"]
STEP = 0.1  # how far a direction moves a feature window past the playlist's mean
SOFT_STEP = 0.2  # how far it moves the soft target

# word → (feature, direction); "less" in front flips the direction
MOOD_WORDS: dict[str, tuple[Feature, int]] = {
    "upbeat": ("energy", 1), "energetic": ("energy", 1), "energy": ("energy", 1), "intense": ("energy", 1),
    "hype": ("energy", 1), "harder": ("energy", 1), "louder": ("energy", 1), "heavier": ("energy", 1),
    "chill": ("energy", -1), "chiller": ("energy", -1), "calm": ("energy", -1), "calmer": ("energy", -1),
    "mellow": ("energy", -1), "mellower": ("energy", -1), "relaxed": ("energy", -1), "softer": ("energy", -1),
    "quieter": ("energy", -1), "laid back": ("energy", -1), "gentler": ("energy", -1),
    "happy": ("valence", 1), "happier": ("valence", 1), "cheerful": ("valence", 1), "brighter": ("valence", 1),
    "sunnier": ("valence", 1), "sad": ("valence", -1), "sadder": ("valence", -1), "darker": ("valence", -1),
    "moodier": ("valence", -1), "melancholy": ("valence", -1), "angry": ("valence", -1), "angrier": ("valence", -1),
    "aggressive": ("valence", -1), "depressing": ("valence", -1), "gloomy": ("valence", -1),
    "danceable": ("danceability", 1), "dancier": ("danceability", 1), "groovier": ("danceability", 1),
    "acoustic": ("acousticness", 1), "instrumental": ("instrumentalness", 1),
}
GENRE_ALIASES: dict[str, list[str]] = {
    "rap": ["rap", "hip hop"], "hip hop": ["hip hop", "rap"], "hiphop": ["hip hop", "rap"],
    "edm": ["edm", "electro house", "big room"], "r&b": ["r&b", "rnb"], "rnb": ["r&b", "rnb"],
}
_SPLIT = re.compile(r"\s*(?:,|;|\.|!|\band\b|\bbut\b|\bplus\b|\balso\b)\s*")
_DROP = re.compile(r"^(?:please\s+)?(?:drop|remove|skip|no|without|lose|cut|ditch|less|fewer|no more|not)\s+"
                   r"(?:the|any|all|some|more)?\s*(.+?)(?:\s+(?:songs|tracks|stuff|music|please))?$")
_ADD = re.compile(r"^(?:more|add|add some|some|with|plus)\s+(?:some\s+)?(.+?)(?:\s+(?:songs|tracks|stuff|music))?$")
_MIX = re.compile(r"\b(?:add|adding|some|a few|few|couple|throw in|mix in|sprinkle|a bit of|a little|a touch of|a dash of)\b")
_ALL = re.compile(r"\b(?:only|just|all|make it|nothing but|switch to|turn it)\b")
_DECADE = re.compile(r"\b(?:19|20)?([0-9])0'?s\b")
_COUNT = re.compile(r"\b(\d{1,3})\s+(more\s+)?(?:songs|tracks)\b")
_MINUTES = re.compile(r"\b(\d{1,3})\s*(?:min|mins|minutes)\b|\b(an?|one|two)\s+hours?\b")


class SpecChange(BaseModel):
    """One change the instruction made to the playlist's spec."""

    field: str = Field(description="Spec field or feature that changed.")
    before: str
    after: str
    reason: str = Field(description="Which words of the instruction caused it.")


class Bound(BaseModel):
    """A hard window the refined playlist must respect (relative to the playlist it refines)."""

    field: BoundField
    low: float | None = None
    high: float | None = None
    reason: str
    scope: Literal["playlist", "added"] = Field("playlist", description=(
        "playlist: every track of the refined playlist respects it; added: only the tracks the refine adds "
        "(a mix-in such as 'add some 80s' keeps the rest)."))

    def violation(self, value: float | None) -> str | None:
        if value is None or value == 0 and self.field == "year":
            return f"{self.field} unknown ({self.reason})"
        if self.low is not None and value < self.low:
            return f"{self.field} {fmt_value(value)} is below {fmt_value(self.low)} ({self.reason})"
        if self.high is not None and value > self.high:
            return f"{self.field} {fmt_value(value)} is above {fmt_value(self.high)} ({self.reason})"
        return None


class Delta(BaseModel):
    """What an instruction asks for: the new spec, the changes and the windows that decide what still fits."""

    instruction: str
    spec: PlaylistSpec
    changes: list[SpecChange] = Field(default_factory=list)
    bounds: list[Bound] = Field(default_factory=list)


class _State:
    def __init__(self, playlist: Playlist, catalog: Catalog) -> None:
        self.old = playlist
        self.tracks = [t for t in (catalog.get(pt.id) for pt in playlist.tracks) if t is not None]
        self.catalog = catalog
        self.spec = playlist.spec.model_copy(deep=True)
        self.changes: list[SpecChange] = []
        self.bounds: list[Bound] = []

    def set(self, field: str, value, reason: str) -> None:
        before = getattr(self.spec, field)
        if before == value:
            return
        self.spec = self.spec.model_copy(update={field: value})
        self.changes.append(SpecChange(field=field, before=fmt_value(before), after=fmt_value(value), reason=reason))

    def mean(self, field: str) -> float:
        values = [float(getattr(t, field)) for t in self.tracks]
        return statistics.fmean(values) if values else 0.5


def parse_instruction(instruction: str, playlist: Playlist, catalog: Catalog) -> Delta:
    """Apply every recognised clause; unrecognised words nudge the semantic query instead."""
    text = " ".join(instruction.lower().split())
    if not re.search(r"[a-z0-9]", text):
        raise InvalidInput(f"instruction {instruction!r} has no words; try 'less upbeat', 'more 90s' or 'drop the rap'")
    state = _State(playlist, catalog)
    leftovers = [c for c in _SPLIT.split(text) if c and not _apply_clause(c, state)]
    if leftovers:
        nudge = " ".join(leftovers)
        state.set("query", f"{state.spec.query} {nudge}".strip(), f"'{nudge}' steers the search")
    return Delta(instruction=instruction, spec=state.spec, changes=state.changes, bounds=state.bounds)


def _apply_clause(clause: str, state: _State) -> bool:
    rules: tuple[Callable[[str, _State], bool], ...] = (
        _explicit, _length, _year_limit, _decade, _era, _tempo, _mood, _drop, _add)
    return any(rule(clause, state) for rule in rules)


def _explicit(clause: str, state: _State) -> bool:
    if not re.search(r"\b(no explicit|not explicit|clean|family[- ]friendly|kid[- ]?friendly|no swearing)\b", clause):
        return False
    state.set("explicit", "exclude", f"'{clause}'")
    return True


def _length(clause: str, state: _State) -> bool:
    n = len(state.old.tracks)
    if m := _COUNT.search(clause):
        value = int(m.group(1)) + (n if m.group(2) else 0)
        state.set("minutes", None, f"'{clause}'")
        state.set("count", max(1, min(100, value)), f"'{clause}'")
    elif m := _MINUTES.search(clause):
        hours = {"a": 1, "an": 1, "one": 1, "two": 2}
        minutes = float(m.group(1)) if m.group(1) else 60.0 * hours[m.group(2)]
        state.set("count", None, f"'{clause}'")
        state.set("minutes", max(1.0, min(600.0, minutes)), f"'{clause}'")
    elif re.search(r"\b(longer|extend|more songs|more tracks)\b", clause):
        _scale_length(state, 1.5, clause)
    elif re.search(r"\b(shorter|fewer songs|fewer tracks|trim)\b", clause):
        _scale_length(state, 0.67, clause)
    else:
        return False
    return True


def _scale_length(state: _State, factor: float, clause: str) -> None:
    if state.spec.minutes and state.spec.count is None:
        state.set("minutes", round(max(1.0, min(600.0, state.spec.minutes * factor)), 1), f"'{clause}'")
    else:
        n = len(state.old.tracks) or state.spec.target_count() or 20
        state.set("count", max(1, min(100, round(n * factor))), f"'{clause}'")


def _decade(clause: str, state: _State) -> bool:
    m = _DECADE.search(clause)
    if not m or re.search(r"\b(no|drop|without|less|fewer|skip)\b", clause):
        return False
    full = re.search(r"\b(19|20)[0-9]0'?s\b", clause)
    digit = int(m.group(1))
    start = int(full.group(0)[:4]) if full else (1900 + digit * 10 if digit >= 3 else 2000 + digit * 10)
    reason = f"'{clause}'"
    if _MIX.search(clause) and not _ALL.search(clause):  # "add some 80s": a few from the decade among the rest
        state.changes.append(SpecChange(field="mix", before="—", after=f"some {start}s", reason=reason))
        state.bounds.append(Bound(field="year", low=start, high=start + 9, reason=reason, scope="added"))
        return True
    state.set("year_min", start, reason)
    state.set("year_max", start + 9, reason)
    state.bounds.append(Bound(field="year", low=start, high=start + 9, reason=reason))
    return True


def _year_limit(clause: str, state: _State) -> bool:
    """'No songs before 2010', 'only stuff since 2015', 'nothing newer than 2005' (the planner's year rules):
    a window every track must fit."""
    limits, reason = year_limits(clause), f"'{clause}'"
    if "year_min" in limits:
        state.set("year_min", limits["year_min"], reason)
        state.bounds.append(Bound(field="year", low=limits["year_min"], reason=reason))
    if "year_max" in limits:
        state.set("year_max", limits["year_max"], reason)
        state.bounds.append(Bound(field="year", high=limits["year_max"], reason=reason))
    return bool(limits)


def _era(clause: str, state: _State) -> bool:
    years = sorted(t.year for t in state.old.tracks if t.year)
    if not years or not re.search(r"\b(older|newer|more recent|recent|classic|classics|fresher)\b", clause):
        return False
    median = years[len(years) // 2]
    if re.search(r"\b(older|classic|classics)\b", clause):
        state.set("year_max", median - 1, f"'{clause}'")
        state.bounds.append(Bound(field="year", high=median - 1, reason=f"'{clause}'"))
    else:
        state.set("year_min", median + 1, f"'{clause}'")
        state.bounds.append(Bound(field="year", low=median + 1, reason=f"'{clause}'"))
    return True


def _tempo(clause: str, state: _State) -> bool:
    tempos = sorted(t.tempo for t in state.old.tracks if t.tempo)  # talk entries have no tempo
    median = tempos[len(tempos) // 2] if tempos else 120.0
    reason = f"'{clause}'"
    if m := re.search(r"\b(?:around|about|at)?\s*(\d{2,3})\s*bpm\b", clause):
        bpm = float(m.group(1))
        state.set("tempo_target", bpm, reason)
        state.bounds.append(Bound(field="tempo", low=round(bpm * 0.9, 1), high=round(bpm * 1.1, 1), reason=reason))
    elif re.search(r"\b(faster|speed it up|quicker|higher tempo|more tempo)\b", clause):
        state.set("tempo_min", round(median + 5, 1), reason)
        state.bounds.append(Bound(field="tempo", low=round(median + 5, 1), reason=reason))
    elif re.search(r"\b(slower|slow it down|lower tempo|less tempo)\b", clause):
        state.set("tempo_max", round(median - 5, 1), reason)
        state.bounds.append(Bound(field="tempo", high=round(median - 5, 1), reason=reason))
    else:
        return False
    return True


def _mood(clause: str, state: _State) -> bool:
    hits = [(w, fd) for w, fd in MOOD_WORDS.items() if re.search(rf"\b{re.escape(w)}\b", clause)]
    if not hits:
        return False
    flip = -1 if re.search(r"\b(less|not so|not as|fewer|too)\b", clause) else 1
    for _, (feature, direction) in hits[:2]:
        sign = direction * flip
        mean = state.mean(feature)
        reason = f"'{clause}'"
        target = round(min(1.0, max(0.0, mean + sign * SOFT_STEP)), 2)
        state.set("feature_targets", {**state.spec.feature_targets, feature: target}, reason)
        edge = round(min(0.95, max(0.05, mean + sign * STEP / 2)), 2)
        state.bounds.append(Bound(field=feature, low=edge if sign > 0 else None, high=edge if sign < 0 else None,
                                  reason=reason))
    if flip < 0:  # "less angry": the word stops steering the search too
        _unsay([w for w, _ in hits[:2]], state, f"'{clause}'")
    return True


def _unsay(words: list[str], state: _State, reason: str) -> None:
    """Take mood words the listener turned down out of the spec's moods and search text."""
    pattern = re.compile(rf"\b(?:{'|'.join(re.escape(w) for w in words)})\b")
    moods = [m for m in state.spec.moods if not pattern.search(m)]
    state.set("moods", moods, reason)
    state.set("query", " ".join(pattern.sub(" ", state.spec.query).split()), reason)


def _drop(clause: str, state: _State) -> bool:
    m = _DROP.match(clause)
    if not m:
        return False
    genres, artist = _resolve(m.group(1).strip(), state.catalog)
    reason = f"'{clause}'"
    if genres:
        state.set("exclude_genres", list(dict.fromkeys(state.spec.exclude_genres + genres)), reason)
        state.set("genres", [g for g in state.spec.genres if fold(g) not in genres], reason)
    elif artist:
        state.set("exclude_artists", list(dict.fromkeys(state.spec.exclude_artists + [artist])), reason)
        state.set("seed_artists", [a for a in state.spec.seed_artists if norm_artist(a) != norm_artist(artist)], reason)
    return bool(genres or artist)


def _add(clause: str, state: _State) -> bool:
    m = _ADD.match(clause)
    if not m:
        return False
    term = m.group(1).strip()
    like = re.match(r"^(?:like|by)\s+(.+)$", term)
    genres, artist = _resolve(like.group(1) if like else term, state.catalog)
    reason = f"'{clause}'"
    if artist and (like or not genres):
        state.set("seed_artists", list(dict.fromkeys(state.spec.seed_artists + [artist])), reason)
    elif genres:
        state.set("genres", list(dict.fromkeys(state.spec.genres + genres[:1])), reason)
        state.set("exclude_genres", [g for g in state.spec.exclude_genres if g not in genres], reason)
    return bool(genres or artist)


def _resolve(term: str, catalog: Catalog) -> tuple[list[str], str | None]:
    """A clause's object as genre terms known to the catalog, or a catalog artist's display name."""
    folded = fold(term)
    terms = GENRE_ALIASES.get(term, GENRE_ALIASES.get(folded, [folded]))
    genres = [fold(g) for g in terms if fold(g) and catalog.matching_genres(fold(g))]
    artist = catalog.artist_names.get(norm_artist(term))
    return genres, artist


def fmt_value(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k} {fmt_value(v)}" for k, v in value.items()) or "—"
    return str(value)
