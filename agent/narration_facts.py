"""What narration may say about a playlist as a whole, derived only from the returned tracks (leading genres,
era, tempo range, energy shape) and the listener's occasion named in words from the request (never the
prompt's words spliced into a list)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Literal

from pydantic import BaseModel, Field

from agent.models import PlaylistSpec, Track
from agent.speech import article, join_words, spoken_genre
from tools.moods import mood_words
from tools.soundscapes import is_soundscape

Shape = Literal["rise", "fall", "peak", "dip", "steady", "varied"]
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# activity moods (agent/planner/lexicon.py) → how a host names them after "for"; moods not listed here
# describe how music sounds and are said from the tracks' own features instead
ACTIVITIES = {
    "workout": "your workout", "running": "your run", "study": "studying", "focus": "getting some work done",
    "sleep": "drifting off to sleep", "meditation": "a quiet moment", "party": "the party", "dance": "dancing",
    "dinner": "dinner", "road trip": "the road trip", "driving": "the drive", "travel": "the journey",
    "chores": "the chores", "gaming": "a gaming session", "walking": "a walk", "outdoors": "some time outdoors",
    "getting ready": "getting ready", "coffee": "a coffee",
}
WEATHER = {"rainy": "rainy", "sunny": "sunny", "winter": "wintry"}
TIMES = {"morning": "morning", "night": "night"}
SKIP_MOODS = {"wordy"}
TEMPO_SPREAD = 1.4  # a wider middle half (e.g. 80-140 BPM) says little about the pace: it is not named


class SetSummary(BaseModel):
    """The music of a playlist in a few derived facts; every value comes from the tracks themselves."""

    count: int = Field(description="Number of music tracks.")
    minutes: int = Field(description="Their total length, rounded to the minute.")
    genres: list[str] = Field(default_factory=list, description="The one or two leading genres, most common first.")
    genre_share: float = Field(0.0, description="Share of tracks whose first genre is one of `genres`.")
    mood: str = Field("", description="A mood word (from the audio features) that at least half the tracks share.")
    noun: Literal["songs", "tracks", "recordings"] = Field("songs", description="'tracks' when most of them are "
                                                           "instrumental, 'recordings' when most are noise or nature "
                                                           "recordings (tools/soundscapes.py).")
    first_year: int | None = Field(None, description="Earliest release year.")
    last_year: int | None = Field(None, description="Latest release year.")
    decade: int | None = Field(None, description="The decade most tracks come from, when at least half do.")
    decade_share: float = Field(0.0, description="Share of dated tracks from `decade`.")
    bpm_low: int = Field(0, description="Tempo of the track at the lower quartile (0 when the tempi are too few or "
                         "too spread out to name one range).")
    bpm_high: int = Field(0, description="Tempo of the track at the upper quartile.")
    shape: Shape | None = Field(None, description="How energy moves across the thirds of the playlist.")


class Occasion(BaseModel):
    """The listener's occasion in words: an activity ('your run'), a frame ('a rainy Sunday'), or both."""

    activity: str = ""
    frame: str = Field("", description="A time or weather frame as a noun phrase: 'a rainy Sunday'.")
    frame_when: str = Field("", description="The frame as an adverbial: 'on a rainy Sunday', 'late at night'.")
    weekday: str = ""
    morning: bool = False
    night: bool = False

    @property
    def phrase(self) -> str:
        """'a coffee on a rainy Sunday', 'your run', 'a rainy day', or '' when the request names no occasion."""
        if self.activity and self.frame_when:
            return f"{self.activity} {self.frame_when}"
        return self.activity or self.frame


def summarize(tracks: list[Track]) -> SetSummary:
    n = len(tracks)
    out = SetSummary(count=n, minutes=round(sum(t.duration_ms for t in tracks) / 60000))
    if not n:
        return out
    out.genres, out.genre_share = leading_genres(tracks)
    measured = [t for t in tracks if t.features_from == "catalog"]  # an owned file's estimates are never said
    moods = Counter(w for t in measured for w in dict.fromkeys(mood_words(t)) if w not in SKIP_MOODS)
    instrumental = moods.pop("instrumental", 0)
    out.noun = "tracks" if instrumental > n / 2 else "songs"
    if moods and moods.most_common(1)[0][1] >= max(1, n / 2):
        out.mood = moods.most_common(1)[0][0]
    years = sorted(t.year for t in tracks if t.year)
    if years:
        out.first_year, out.last_year = years[0], years[-1]
        decade, k = Counter(y // 10 * 10 for y in years).most_common(1)[0]
        if k >= len(years) / 2:
            out.decade, out.decade_share = decade, k / len(years)
    tempi = sorted(round(t.tempo) for t in measured if t.tempo > 0)
    low, high = (tempi[int(0.25 * (len(tempi) - 1))], tempi[round(0.75 * (len(tempi) - 1))]) if tempi else (0, 0)
    if len(tempi) >= 3 and high <= TEMPO_SPREAD * low:
        out.bpm_low, out.bpm_high = low, high
    out.shape = energy_shape([t.energy for t in measured]) if len(measured) == n else out.shape
    if sum(is_soundscape(t.title, t.genres, t.valence) for t in tracks) > n / 2:  # noise has no genre, mood or arc
        out.noun, out.genres, out.genre_share, out.mood, out.shape = "recordings", [], 0.0, "", None
        out.bpm_low = out.bpm_high = 0
    return out


def leading_genres(tracks: list[Track]) -> tuple[list[str], float]:
    """The most common first genre, and a second one when the first covers less than 70% of the tracks."""
    firsts = Counter(t.genres[0] for t in tracks if t.genres)
    if not firsts:
        return [], 0.0
    top = firsts.most_common(2)
    picked = [top[0][0]]
    if len(top) > 1 and top[0][1] < 0.7 * len(tracks) and top[1][1] >= 2:
        picked.append(top[1][0])
    return picked, sum(firsts[g] for g in picked) / len(tracks)


def energy_shape(energies: list[float]) -> Shape | None:
    """rise / fall / peak / dip / steady across the thirds (six tracks or more), else None."""
    if len(energies) < 6:
        return None
    k = len(energies) / 3
    a, b, c = (sum(part) / len(part) for part in (energies[: int(k)], energies[int(k): int(2 * k)], energies[int(2 * k):]))
    if max(a, b, c) - min(a, b, c) < 0.08:
        return "steady"
    if c - a >= 0.1 and b <= c + 0.05:
        return "rise"
    if a - c >= 0.1 and b <= a + 0.05:
        return "fall"
    if b > max(a, c) + 0.08:
        return "peak"
    if b < min(a, c) - 0.08:
        return "dip"
    return "varied"


def occasion(spec: PlaylistSpec, prompt: str) -> Occasion:
    """The occasion from the request's recognised moods (and a weekday it names), in grammatical words."""
    moods = list(spec.moods)
    weekday = next((d for d in WEEKDAYS if re.search(rf"\b{d}s?\b", prompt.lower())), "")
    out = Occasion(activity=next((ACTIVITIES[m] for m in moods if m in ACTIVITIES), ""), weekday=weekday.title(),
                   morning="morning" in moods, night="night" in moods)
    weather = next((WEATHER[m] for m in moods if m in WEATHER), "")
    time = next((TIMES[m] for m in moods if m in TIMES), "")
    words = [w for w in (weather, out.weekday, time) if w]
    if weather and not out.weekday and not time:
        words.append("day")
    if out.weekday or weather:
        out.frame = f"{article(words[0])} {' '.join(words)}"
        out.frame_when = f"on {out.frame}"
    elif time == "morning":
        out.frame, out.frame_when = "the morning", "in the morning"
    elif time == "night":
        out.frame, out.frame_when = "a late night", "late at night"
    elif "christmas" in moods:
        out.frame, out.frame_when = "the holidays", "over the holidays"
    return out


def era_phrase(s: SetSummary) -> str:
    """'from 2012', 'all from the 1990s', 'mostly from the 2010s', 'from 1972 to 2019', or ''."""
    if s.first_year is None:
        return ""
    if s.first_year == s.last_year:
        return f"from {s.first_year}"
    if s.decade is not None and s.decade_share == 1:
        return f"all from the {s.decade}s"
    if s.decade is not None and s.decade_share >= 0.6:
        return f"mostly from the {s.decade}s"
    return f"from {s.first_year} to {s.last_year}"


def tempo_phrase(s: SetSummary) -> str:
    """'mostly around 90 BPM' or 'mostly between 80 and 126 BPM', or '' without enough tempi."""
    if not s.bpm_low:
        return ""
    if s.bpm_high - s.bpm_low <= 8:
        return f"mostly around {s.bpm_low} BPM"
    return f"mostly between {s.bpm_low} and {s.bpm_high} BPM"


def kind_phrase(s: SetSummary) -> str:
    """'mellow indie folk and indie pop songs' when two genres or fewer cover most of the set, else 'mellow songs'."""
    words = [s.mood] if s.mood else []
    if s.genres and s.genre_share >= 0.6:
        words.append(join_words([spoken_genre(g) for g in s.genres]))
    return " ".join([*words, s.noun])


def genre_phrase(s: SetSummary) -> str:
    """'indie folk and indie pop', or 'disco, dance pop and more' when they cover less than 60% of the set."""
    if not s.genres:
        return ""
    genres = [spoken_genre(g) for g in s.genres]
    return join_words(genres if s.genre_share >= 0.6 else [*genres, "more"])
