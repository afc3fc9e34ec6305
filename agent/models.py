"""Typed models at every stage boundary: Track, SearchFilters, PlaylistSpec, Playlist and its parts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Explicit = Literal["true", "false", "unknown"]
Arc = Literal["rise", "fall", "steady", "peak", "wave", "rise_fall"]
Feature = Literal[
    "energy", "valence", "danceability", "acousticness", "instrumentalness", "speechiness", "liveness"
]
FEATURES: tuple[Feature, ...] = (
    "energy", "valence", "danceability", "acousticness", "instrumentalness", "speechiness", "liveness"
)


class Track(BaseModel):
    """One song in the catalog, merged from every source that lists it."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Spotify track id (22 chars); 'th_<hash>' for hits-only songs without one.")
    title: str = Field(description="Song title as published.")
    artists: list[str] = Field(description="Credited artists, primary first.")
    album: str = Field("", description="Album name, empty when unknown.")
    year: int | None = Field(None, description="Release year.")
    genres: list[str] = Field(default_factory=list, description="Artist genres (Spotify) then playlist genres/subgenres.")
    explicit: Explicit = Field("unknown", description="true/false when a source says so, unknown otherwise.")
    duration_ms: int = Field(description="Length in milliseconds.")
    popularity: int = Field(0, description="Spotify popularity 0-100 (max over sources).")
    tempo: float = Field(description="Beats per minute (0 = no detectable beat).")
    key: int = Field(description="Pitch class 0=C … 11=B.")
    mode: int = Field(description="1 major, 0 minor.")
    camelot: str = Field(description="Camelot wheel code derived from key+mode, e.g. '8B' (C major).")
    energy: float
    valence: float
    danceability: float
    acousticness: float
    instrumentalness: float
    speechiness: float
    liveness: float
    loudness: float = Field(description="Mean loudness in dB.")
    song_key: str = Field(description="Normalised 'artist|title' identifying the song across versions.")
    sources: list[str] = Field(default_factory=list, description="Which raw files list this song.")

    @property
    def artist(self) -> str:
        return self.artists[0] if self.artists else ""


class SearchFilters(BaseModel):
    """Hard filters for catalog search. Unknown fields are rejected."""

    model_config = ConfigDict(extra="forbid")

    explicit: Literal["allow", "exclude"] = Field("allow", description="exclude drops explicit AND unknown tracks.")
    genres: list[str] = Field(default_factory=list, description="Keep tracks having any of these genres (substring match on genre words).")
    exclude_genres: list[str] = Field(default_factory=list, description="Drop tracks having any of these genres.")
    artists: list[str] = Field(default_factory=list, description="Keep tracks by any of these artists.")
    exclude_artists: list[str] = Field(default_factory=list, description="Drop tracks by any of these artists (featured too).")
    year_min: int | None = None
    year_max: int | None = None
    tempo_min: float | None = None
    tempo_max: float | None = None
    max_duration_ms: int | None = None
    features: dict[Feature, tuple[float, float]] = Field(
        default_factory=dict, description="Inclusive [low, high] ranges per audio feature."
    )


class Candidate(BaseModel):
    """A catalog track returned by search, with its relevance score."""

    track: Track
    score: float = Field(description="Cosine similarity to the query (higher is better).")


# --------------------------------------------------------------------------- prompt → spec

ExplicitPolicy = Literal["allow", "exclude"]
NarrationStyle = Literal["radio", "brief", "none"]
TalkPosition = Literal["start", "middle", "end"]


class TalkSlot(BaseModel):
    """One podcast episode the prompt asks for, and where it goes."""

    model_config = ConfigDict(extra="forbid")

    position: TalkPosition = Field("start", description="start = before the music, middle = halfway through, end = after it.")
    topics: list[str] = Field(default_factory=list, description="Wanted talk topics ('news', 'true crime', 'comedy').")
    max_minutes: float | None = Field(None, gt=0, le=600, description="Longest allowed episode ('short' = 20 min).")
    query: str = Field("", description="Free text for the episode search.")


class FormatPlan(BaseModel):
    """Music only (the default), talk only, or music mixed with episodes at given positions."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["music", "talk", "mixed"] = Field("music", description="What the playlist holds.")
    talk: list[TalkSlot] = Field(default_factory=list, description="The episodes asked for (talk and mixed).")


class PlaylistSpec(BaseModel):
    """How Segue understood a prompt. Hard constraints are enforced in code; soft preferences steer ranking."""

    model_config = ConfigDict(extra="forbid")

    # hard constraints
    count: int | None = Field(None, ge=1, le=100, description="Exact number of tracks. Default 20 when neither count nor minutes is given.")
    minutes: float | None = Field(None, ge=1, le=600, description="Target total length in minutes (met within ±3%).")
    explicit: ExplicitPolicy = Field("allow", description="exclude drops explicit tracks and tracks of unknown status.")
    exclude_artists: list[str] = Field(default_factory=list, description="Artists never to play (featured credits included).")
    exclude_genres: list[str] = Field(default_factory=list, description="Genres never to play (matched as whole words: 'country' also drops 'contemporary country').")
    year_min: int | None = Field(None, ge=1900, le=2100, description="Earliest release year.")
    year_max: int | None = Field(None, ge=1900, le=2100, description="Latest release year.")
    tempo_min: float | None = Field(None, ge=0, le=300, description="Lowest tempo in BPM.")
    tempo_max: float | None = Field(None, ge=0, le=300, description="Highest tempo in BPM.")
    max_track_minutes: float | None = Field(None, gt=0, le=60, description="Longest allowed single track.")
    # soft preferences
    genres: list[str] = Field(default_factory=list, description="Wanted genres (catalog genre vocabulary).")
    seed_artists: list[str] = Field(default_factory=list, description="Artists to sound like ('like Phoebe Bridgers').")
    moods: list[str] = Field(default_factory=list, description="Mood/activity/setting words recognised from the lexicon (e.g. 'workout', 'rainy').")
    feature_targets: dict[Feature, float] = Field(default_factory=dict, description="Target audio features 0-1 derived from moods.")
    tempo_target: float | None = Field(None, ge=0, le=300, description="Preferred tempo in BPM ('around 128 bpm').")
    arc: Arc | None = Field(None, description="Energy shape over the playlist; None = a gentle rise then fall.")
    discovery: float = Field(0.5, ge=0, le=1, description="0 = familiar hits, 1 = deep cuts and new artists.")
    taste_weight: float = Field(0.5, ge=0, le=1, description="How much the listener's taste profile counts.")
    query: str = Field("", description="Free text for semantic search (what is left after parsing, or a rewrite).")
    narration: NarrationStyle = Field("radio", description="radio = intro, bridges, outro; brief = intro only; none.")
    format: FormatPlan = Field(default_factory=FormatPlan, description="Music only (default), talk only or mixed.")

    def target_count(self) -> int | None:
        return self.count if self.count is not None else (None if self.minutes else 20)


# --------------------------------------------------------------------------- response

class PlaylistTrack(BaseModel):
    position: int = Field(description="1-based position in the sequence.")
    id: str
    title: str
    artists: list[str]
    album: str
    year: int | None
    genres: list[str]
    explicit: Explicit
    duration_ms: int
    tempo: float
    key: int
    mode: int
    camelot: str
    energy: float
    valence: float
    danceability: float
    why: str = Field(description="Why this track, built only from facts.")
    kind: Literal["music", "talk"] = Field("music", description="talk = a podcast episode (artists = publisher, album = show).")
    show: str | None = Field(None, description="The show of a talk episode.")


class Segment(BaseModel):
    kind: Literal["intro", "bridge", "outro"]
    before_position: int = Field(description="Spoken before this track position (outro: count + 1).")
    text: str


class ConstraintReport(BaseModel):
    name: str = Field(description="e.g. count, duration, explicit, exclude_artists, no_duplicates, in_catalog.")
    target: str
    actual: str
    met: bool
    note: str = ""


class FilteredItem(BaseModel):
    id: str
    title: str
    artists: list[str]
    reason: str


class Usage(BaseModel):
    """What the model did for this playlist (all zero/empty on the offline path)."""

    model_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    tool_calls: dict[str, int] = Field(default_factory=dict, description="Tools the model called that ran: name → count.")
    dropped_ids: int = Field(0, description="Tracks the model picked that it was never shown (not used).")
    notes: list[str] = Field(default_factory=list, description="What Segue changed in the model's plan, and why.")


class Playlist(BaseModel):
    """The response of `POST /generate` and `segue generate --json`."""

    id: str
    prompt: str
    spec: PlaylistSpec
    tracks: list[PlaylistTrack]
    segments: list[Segment]
    constraints: list[ConstraintReport]
    filtered: list[FilteredItem]
    degraded: bool = False
    degraded_reason: str | None = None
    provider: str
    prompt_version: str = "v1"
    user_id: str | None = None
    usage: Usage = Field(default_factory=Usage)
    timings_ms: dict[str, float] = Field(default_factory=dict)


def _prompt_versions() -> list[str]:
    from agent.prompts import versions

    return versions()


PROMPT_VERSIONS = _prompt_versions()  # for the API schema; an unknown version is still refused by agent.prompts


class GenerateRequest(BaseModel):
    """Input of the main job. Options given here override what the prompt says."""

    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(min_length=1, max_length=2000, examples=["rainy Sunday coffee, mellow indie, no explicit, about 40 minutes"])
    user_id: str | None = Field(None, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")
    count: int | None = Field(None, ge=1, le=100)
    minutes: float | None = Field(None, ge=1, le=600)
    allow_explicit: bool | None = Field(None, description="false forces the clean policy; true allows explicit unless the prompt or profile forbids it.")
    provider: Literal["offline", "openai"] | None = None
    prompt_version: str | None = Field(None, max_length=32, pattern=r"^[A-Za-z0-9_.-]+$",
                                       description=f"Prompt version (prompts/<version>/): one of {', '.join(PROMPT_VERSIONS)}; "
                                                   "default from SEGUE_PROMPT_VERSION.", examples=PROMPT_VERSIONS)
    seed: int = Field(0, ge=0, le=2**31 - 1)
