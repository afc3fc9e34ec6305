"""Catalog-level types shared by tools/ and agent/: a track, a search's filters and results, what was
filtered out and what a model run used."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool

ExplicitText = Literal["true", "false", "unknown"]
EXPLICIT_TEXT: dict[bool | None, ExplicitText] = {True: "true", False: "false", None: "unknown"}
_EXPLICIT_VALUE: dict[str, bool | None] = {text: value for value, text in EXPLICIT_TEXT.items()}


def explicit_value(value: object) -> object:
    """The text forms "true", "false", "unknown" (kept in store columns and Chroma metadata, and in talk builds and
    kept playlists of the earlier format) as True, False, None; anything else is left to validation."""
    return _EXPLICIT_VALUE.get(value, value) if isinstance(value, str) else value


Explicit = Annotated[StrictBool | None, BeforeValidator(explicit_value)]
"""True or False when a source says so, None when no source does (the clean policy treats None as explicit)."""
Feature = Literal[
    "energy", "valence", "danceability", "acousticness", "instrumentalness", "speechiness", "liveness"
]
FEATURES: tuple[Feature, ...] = (
    "energy", "valence", "danceability", "acousticness", "instrumentalness", "speechiness", "liveness"
)


class Track(BaseModel):
    """One song in the catalog, merged from every source that lists it."""

    model_config = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)  # all fields always sent

    id: str = Field(description="Spotify track id (22 chars); 'th_<hash>' for hits-only songs without one; "
                              "'own_<hash>' for an owned track the catalog does not hold.")
    title: str = Field(description="Song title as published.")
    artists: list[str] = Field(description="Credited artists, primary first.")
    album: str = Field("", description="Album name, empty when unknown.")
    year: int | None = Field(None, description="Release year.")
    genres: list[str] = Field(default_factory=list, description="Artist genres (Spotify) then playlist genres/subgenres.")
    explicit: Explicit = Field(None, description="true or false when a source says so, null when none does "
                                                "(the clean policy treats null as explicit).")
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
    song_key: str = Field(description="Normalised 'artist|title' identifying the song across versions: every version "
                                      "(remix, live take, re-credited release) carries the same key.")
    sources: list[str] = Field(default_factory=list, description="Which raw files list this song.")
    features_from: Literal["catalog", "audio"] = Field(
        "catalog", description="catalog = the reference catalog's features; audio = tempo, key, loudness and energy "
        "estimated from an owned file (the other features are stand-ins, never shown).")

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


ExplicitPolicy = Literal["allow", "exclude"]


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
